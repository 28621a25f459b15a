/*
 * Starting a helper (sshd's privsep_preauth, httpd's proc_exec): fork, put
 * the IPC socket at fd 3 and the log pipe at fd 4, close everything else,
 * reset signals, and exec a fresh image.
 */
#include "compat.h"

#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/sched.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"

#define SPAWN_MAX_EXTRA	 8
#define SPAWN_HIGH_FD	 64

static void
child_fail(int errpipe)
{
	int	 e = errno;

	if (write(errpipe, &e, sizeof(e)) != (ssize_t)sizeof(e))
		_exit(126);
	_exit(127);
}

/* In the child: move fd to target without letting a later move clobber it. */
static int
place_fd(int src, int target, int devnull)
{
	if (src == -1)
		src = devnull;
	if (src == target) {
		/* dup2 onto itself keeps CLOEXEC: clear it by hand. */
		return fcntl(target, F_SETFD, 0);
	}
	return dup2(src, target) == -1 ? -1 : 0;
}

/* fork(2), or clone3(2) with new namespaces and a cgroup to start in. */
static pid_t
spawn_fork(const struct ipc_spawn *sp)
{
	struct clone_args	 ca;

	if (sp->clone_flags == 0)
		return fork();
	memset(&ca, 0, sizeof(ca));
	ca.flags = sp->clone_flags;
	ca.exit_signal = SIGCHLD;
	if (sp->clone_flags & CLONE_INTO_CGROUP)
		ca.cgroup = (uint64_t)sp->cgroup_fd;
	return (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
}

pid_t
ipc_spawn(const struct ipc_spawn *sp)
{
	int		 errpipe[2], e = 0, devnull, hi[2 + SPAWN_MAX_EXTRA];
	pid_t		 pid;
	ssize_t		 n;
	sigset_t	 all, old;

	if (sp->nextra < 0 || sp->nextra > SPAWN_MAX_EXTRA) {
		errno = EINVAL;
		return -1;
	}
	if (pipe2(errpipe, O_CLOEXEC) == -1)
		return -1;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	if ((pid = spawn_fork(sp)) == -1) {
		e = errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		close(errpipe[0]);
		close(errpipe[1]);
		errno = e;
		return -1;
	}
	if (pid == 0) {
		struct sigaction	 sa;
		int			 i, ep, srcs[2 + SPAWN_MAX_EXTRA];
		sigset_t		 none;

		/* Handlers of the parent must not run here. */
		memset(&sa, 0, sizeof(sa));
		sa.sa_handler = SIG_DFL;
		for (i = 1; i < NSIG; i++)
			(void)sigaction(i, &sa, NULL);
		sigemptyset(&none);

		/* Lift the error pipe out of the range being filled. */
		if ((errpipe[1] = fcntl(errpipe[1], F_DUPFD_CLOEXEC,
		    SPAWN_HIGH_FD)) == -1)
			_exit(127);
		if ((devnull = open("/dev/null", O_RDWR | O_CLOEXEC)) == -1 ||
		    (devnull = fcntl(devnull, F_DUPFD_CLOEXEC,
		    SPAWN_HIGH_FD)) == -1)
			child_fail(errpipe[1]);
		srcs[0] = sp->ipc_fd;
		srcs[1] = sp->log_fd;
		for (i = 0; i < sp->nextra; i++)
			srcs[2 + i] = sp->extra_fds[i];
		/* First lift every source above the targets, then place. */
		for (i = 0; i < 2 + sp->nextra; i++) {
			hi[i] = -1;
			if (srcs[i] != -1 && (hi[i] = fcntl(srcs[i],
			    F_DUPFD_CLOEXEC, SPAWN_HIGH_FD)) == -1)
				child_fail(errpipe[1]);
		}
		if (place_fd(devnull, 0, devnull) == -1 ||
		    place_fd(devnull, 1, devnull) == -1 ||
		    (!sp->keep_stderr && place_fd(devnull, 2, devnull) == -1))
			child_fail(errpipe[1]);
		for (i = 0; i < 2 + sp->nextra; i++)
			if (place_fd(hi[i], 3 + i, devnull) == -1)
				child_fail(errpipe[1]);
		/* The error pipe goes right after the placed descriptors. */
		ep = 3 + 2 + sp->nextra;
		if (dup3(errpipe[1], ep, O_CLOEXEC) == -1)
			_exit(127);
		errpipe[1] = ep;
		closefrom(ep + 1);
		if (sp->child_setup != NULL && sp->child_setup(sp->setup_arg)
		    == -1)
			child_fail(errpipe[1]);
		sigprocmask(SIG_SETMASK, &none, NULL);
		execve(sp->path, sp->argv, sp->envp);
		child_fail(errpipe[1]);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(errpipe[1]);
	/* The child reports a failed set-up or exec through the pipe. */
	do {
		n = read(errpipe[0], &e, sizeof(e));
	} while (n == -1 && errno == EINTR);
	close(errpipe[0]);
	if (n == (ssize_t)sizeof(e)) {
		(void)waitpid(pid, NULL, 0);
		errno = e;
		return -1;
	}
	return pid;
}

/*
 * Where a helper binary is: beside the running executable when it is there
 * (a build or a staged test tree keeps them together), else where 'make
 * install' put it.
 */
int
ipc_find_binary(const char *name, const char *installed_dir, char *buf,
    size_t len)
{
	char	 self[PATH_MAX], *slash;
	ssize_t	 n;

	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		if ((slash = strrchr(self, '/')) != NULL) {
			*slash = '\0';
			if ((size_t)snprintf(buf, len, "%s/%s", self, name) <
			    len && access(buf, X_OK) == 0)
				return 0;
		}
	}
	if ((size_t)snprintf(buf, len, "%s/%s", installed_dir, name) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return access(buf, X_OK);
}
