/*
 * The session init at work: it forks each command the monitor asks for
 * and reports how it ended, and reaps every orphan of the session.
 *
 * A command's descriptors arrive first (one IPC_INIT_FD per slot: the
 * cgroup.procs of its cmd-<n> cgroup, opened by the monitor, and its
 * stdin, stdout and stderr), then IPC_INIT_EXEC.  The child joins its
 * cgroup through that descriptor (the session filter sends clone3 to
 * ENOSYS, so CLONE_INTO_CGROUP is out of reach for the init too), puts
 * its descriptors in place and execs; nothing else runs in it, and it
 * is not dumpable until the exec, so no sibling can ptrace it meanwhile.
 *
 * When the monitor closes the channel the init exits, and the kernel
 * kills every process of the session's PID namespace with it.
 */
#include "compat.h"

#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/wait.h>

#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentsh-unixwrap.h"
#include "ipc_log.h"

#define UW_MAX_CMDS	 256

struct uw_cmd {
	int		 used;
	uint64_t	 cmd;
	int		 fds[IPC_INIT_SLOT_MAX];
	pid_t		 pid;		/* 0 until it runs */
};

static struct uw_cmd	 cmds[UW_MAX_CMDS];

/* Encodes and sends, waiting for the socket if it must. */
int
uw_send(struct ipc_chan *ch, uint32_t type, uint32_t peerid, const void *st)
{
	uint8_t	*buf = NULL;
	size_t	 len = 0;
	int	 rc;

	if (st != NULL && ipc_encode(type, st, &buf, &len) == -1)
		return -1;
	rc = ipc_send_sync(ch, type, peerid, -1, buf, len, -1);
	free(buf);
	return rc;
}

static struct uw_cmd *
cmd_find(uint64_t id)
{
	for (size_t i = 0; i < nitems(cmds); i++)
		if (cmds[i].used && cmds[i].cmd == id)
			return &cmds[i];
	return NULL;
}

static struct uw_cmd *
cmd_new(uint64_t id)
{
	for (size_t i = 0; i < nitems(cmds); i++)
		if (!cmds[i].used) {
			memset(&cmds[i], 0, sizeof(cmds[i]));
			cmds[i].used = 1;
			cmds[i].cmd = id;
			for (int s = 0; s < IPC_INIT_SLOT_MAX; s++)
				cmds[i].fds[s] = -1;
			return &cmds[i];
		}
	return NULL;
}

static void
cmd_close_fds(struct uw_cmd *c)
{
	for (int s = 0; s < IPC_INIT_SLOT_MAX; s++) {
		if (c->fds[s] != -1)
			close(c->fds[s]);
		c->fds[s] = -1;
	}
}

static void
cmd_free(struct uw_cmd *c)
{
	cmd_close_fds(c);
	c->used = 0;
}

/*
 * In the child: execve along PATH the way a shell would, but only in
 * absolute directories: those are the places agentshd's precheck decided
 * (an empty or relative entry would depend on the working directory).
 */
static int
exec_search(const char *path, char *const argv[], char *const envp[])
{
	const char	*p = NULL;
	char		 buf[PATH_MAX];
	int		 eacces = 0;

	if (strchr(path, '/') != NULL) {
		execve(path, argv, envp);
		return errno;
	}
	for (size_t i = 0; envp[i] != NULL; i++)
		if (strncmp(envp[i], "PATH=", 5) == 0)
			p = envp[i] + 5;
	if (p == NULL)
		p = IPC_EXEC_DEFAULT_PATH;
	while (ipc_exec_path_next(&p, path, buf, sizeof(buf))) {
		execve(buf, argv, envp);
		if (errno == EACCES)
			eacces = 1;
		else if (errno != ENOENT && errno != ENOTDIR &&
		    errno != ENAMETOOLONG)
			return errno;
	}
	return eacces ? EACCES : ENOENT;
}

static void __attribute__((noreturn))
child(struct uw_cmd *c, const struct ipc_init_exec *ex, int errfd)
{
	struct sigaction	 sa;
	sigset_t		 none;
	int			 hi[3], e[2] = { IPC_INIT_STAGE_EXEC, 0 };

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (int i = 1; i < NSIG; i++)
		(void)sigaction(i, &sa, NULL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);

	if (write(c->fds[IPC_INIT_SLOT_CGROUP], "0", 1) != 1)
		goto fail;
	/* Lift the descriptors clear of 0-3 before placing them. */
	for (int i = 0; i < 3; i++)
		if ((hi[i] = fcntl(c->fds[IPC_INIT_SLOT_STDIN + i],
		    F_DUPFD_CLOEXEC, 10)) == -1)
			goto fail;
	if ((errfd = fcntl(errfd, F_DUPFD_CLOEXEC, 10)) == -1)
		goto fail;
	for (int i = 0; i < 3; i++)
		if (dup2(hi[i], i) == -1)
			goto fail;
	if (dup3(errfd, 3, O_CLOEXEC) == -1)
		_exit(127);
	errfd = 3;
	closefrom(4);
	if (chdir(ex->cwd) == -1) {
		e[0] = IPC_INIT_STAGE_CWD;
		goto fail;
	}
	errno = exec_search(ex->path, (char *const *)ex->argv.v,
	    (char *const *)ex->env.v);
fail:
	e[1] = errno;
	if (write(errfd, e, sizeof(e)) != (ssize_t)sizeof(e))
		_exit(126);
	_exit(127);
}

static void
do_exec(struct ipc_chan *ch, const struct ipc_init_exec *ex)
{
	struct ipc_init_exec_r	 r;
	struct uw_cmd		*c;
	ssize_t			 n;
	int			 p[2], e[2] = { 0, 0 };
	pid_t			 pid;

	memset(&r, 0, sizeof(r));
	r.cmd = ex->cmd;
	if ((c = cmd_find(ex->cmd)) == NULL || c->pid != 0) {
		c = NULL;	/* not ours to free */
		r.error = EINVAL;
		goto out;
	}
	for (int s = 0; s < IPC_INIT_SLOT_MAX; s++)
		if (c->fds[s] == -1) {
			r.error = EBADF;
			goto out;
		}
	if (ex->argv.n == 0 || ex->cwd[0] != '/') {
		r.error = EINVAL;
		goto out;
	}
	if (pipe2(p, O_CLOEXEC) == -1) {
		r.error = errno;
		goto out;
	}
	if ((pid = fork()) == -1) {
		r.error = errno;
		close(p[0]);
		close(p[1]);
		goto out;
	}
	if (pid == 0) {
		close(p[0]);
		child(c, ex, p[1]);
	}
	close(p[1]);
	do {
		n = read(p[0], e, sizeof(e));
	} while (n == -1 && errno == EINTR);
	close(p[0]);
	cmd_close_fds(c);
	if (n == (ssize_t)sizeof(e)) {
		/* It never ran: reap it here, not as a command. */
		(void)waitpid(pid, NULL, 0);
		r.error = e[1] != 0 ? e[1] : EIO;
		r.stage = e[0] == IPC_INIT_STAGE_CWD ? IPC_INIT_STAGE_CWD :
		    IPC_INIT_STAGE_EXEC;
		goto out;
	}
	c->pid = pid;
	r.pid = pid;
out:
	if (r.error != 0 && c != NULL)
		cmd_free(c);
	if (uw_send(ch, IPC_INIT_EXEC_R, 0, &r) == -1)
		fatal("answering exec");
}

static void
do_fd(const struct ipc_init_fd *f, int fd)
{
	struct uw_cmd	*c;

	if ((c = cmd_find(f->cmd)) == NULL && (c = cmd_new(f->cmd)) == NULL) {
		/* Too many commands: IPC_INIT_EXEC will say so. */
		close(fd);
		return;
	}
	if (c->pid != 0 || c->fds[f->slot] != -1)
		fatalx("descriptor for command %llu given twice",
		    (unsigned long long)f->cmd);
	c->fds[f->slot] = fd;
}

static void
reap(struct ipc_chan *ch)
{
	struct ipc_init_exited	 x;
	struct rusage		 ru;
	int			 st;
	pid_t			 pid;

	while ((pid = wait4(-1, &st, WNOHANG, &ru)) > 0) {
		for (size_t i = 0; i < nitems(cmds); i++) {
			if (!cmds[i].used || cmds[i].pid != pid)
				continue;
			memset(&x, 0, sizeof(x));
			x.cmd = cmds[i].cmd;
			x.status = st;
			x.utime_us = (uint64_t)ru.ru_utime.tv_sec * 1000000 +
			    (uint64_t)ru.ru_utime.tv_usec;
			x.stime_us = (uint64_t)ru.ru_stime.tv_sec * 1000000 +
			    (uint64_t)ru.ru_stime.tv_usec;
			x.maxrss_kb = (uint64_t)ru.ru_maxrss;
			cmd_free(&cmds[i]);
			if (uw_send(ch, IPC_INIT_EXITED, 0, &x) == -1)
				fatal("reporting an exit");
			break;
		}
	}
}

static void
handle(struct ipc_chan *ch, struct ipc_msg *m)
{
	char	 st[512], why[160];

	if (ipc_msg_def(m->hdr.type) == NULL ||
	    ipc_msg_def(m->hdr.type)->size > sizeof(st) ||
	    ipc_decode(m->hdr.type, m->data, m->datalen, st, why,
	    sizeof(why)) == -1)
		fatalx("bad message from the monitor: %s", why);
	switch (m->hdr.type) {
	case IPC_INIT_FD:
		do_fd((struct ipc_init_fd *)st, ipc_msg_take_fd(m));
		break;
	case IPC_INIT_EXEC:
		do_exec(ch, (struct ipc_init_exec *)st);
		break;
	default:
		fatalx("unexpected %s from the monitor",
		    ipc_msg_name(m->hdr.type));
	}
	ipc_decoded_free(m->hdr.type, st);
}

void
uw_serve(struct ipc_chan *ch)
{
	struct signalfd_siginfo	 si;
	struct pollfd		 pfd[2];
	struct ipc_msg		 m;
	sigset_t		 chld;
	int			 sfd, r;

	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if ((sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK)) == -1)
		fatal("signalfd");
	for (;;) {
		pfd[0].fd = ch->fd;
		pfd[0].events = POLLIN;
		pfd[1].fd = sfd;
		pfd[1].events = POLLIN;
		if (poll(pfd, 2, -1) == -1) {
			if (errno == EINTR)
				continue;
			fatal("poll");
		}
		if (pfd[1].revents & POLLIN) {
			while (read(sfd, &si, sizeof(si)) == sizeof(si))
				;
			reap(ch);
		}
		if (pfd[0].revents == 0)
			continue;
		r = ipc_read(ch, &m);
		if (r == 0) {
			log_debug("the monitor closed the channel");
			_exit(0);
		}
		if (r == -1) {
			if (errno == EAGAIN)
				continue;
			fatalx("monitor channel: %s", ch->why);
		}
		handle(ch, &m);
		ipc_msg_clear(&m);
	}
}
