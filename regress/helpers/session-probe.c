/*
 * Regress only: one escape attempt per run, from inside a session (or a
 * listener for one, outside).  Prints "ok" when the attempt succeeded,
 * "errno NAME" when the system call that decides failed, and for the
 * informational probes a line of what it saw.  Exit status 0 whenever the
 * attempt was made, 2 on a usage error.
 *
 * Where more than one step is needed, the probe does what an attacker
 * would: e.g. it first tries to get a user namespace of its own, then the
 * capability that needs one.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/io_uring.h>
#include <linux/keyctl.h>
#include <linux/seccomp.h>

#ifndef MFD_EXEC
#define MFD_EXEC		 0x0010U
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif

static int
result(int rc)
{
	if (rc == 0)
		printf("ok\n");
	else
		printf("errno %s\n", strerrorname_np(errno) ?
		    strerrorname_np(errno) : "?");
	return 0;
}

static int
p_unshare_user(void)
{
	return result(unshare(CLONE_NEWUSER));
}

static int
p_unshare_mnt(void)
{
	(void)unshare(CLONE_NEWUSER);
	return result(unshare(CLONE_NEWNS));
}

static int
p_clone_user(void)
{
	long	 pid;
	int	 st;

	pid = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL,
	    NULL);
	if (pid == 0)
		_exit(0);
	if (pid > 0)
		(void)waitpid((pid_t)pid, &st, 0);
	return result(pid == -1 ? -1 : 0);
}

static int
p_mount_tmpfs(const char *dir)
{
	(void)unshare(CLONE_NEWUSER | CLONE_NEWNS);
	return result(mount("tmpfs", dir, "tmpfs", 0, NULL));
}

static int
p_keyctl(void)
{
	long	 r;

	r = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, NULL);
	return result(r < 0 ? -1 : 0);
}

static int
p_io_uring(void)
{
	struct io_uring_params	 p;
	long			 fd;

	memset(&p, 0, sizeof(p));
	fd = syscall(SYS_io_uring_setup, 4, &p);
	return result(fd < 0 ? -1 : 0);
}

static int
p_seccomp_listener(void)
{
	struct sock_filter	 f[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog	 prog = { 1, f };
	long			 fd;

	(void)prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
	fd = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
	return result(fd < 0 ? -1 : 0);
}

/* A copy of this program in an anonymous memory file, executed. */
static int
p_memfd_exec(void)
{
	char *const	 argv[] = { "session-probe", "say-ok", NULL };
	char		 buf[65536];
	ssize_t		 n;
	int		 mfd, in, st, p[2], e = 0;
	pid_t		 pid;

	if ((mfd = (int)syscall(SYS_memfd_create, "probe", MFD_EXEC)) == -1 &&
	    (mfd = (int)syscall(SYS_memfd_create, "probe", 0)) == -1)
		return result(-1);
	if ((in = open("/proc/self/exe", O_RDONLY)) == -1)
		return result(-1);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(mfd, buf, (size_t)n) != n)
			return result(-1);
	close(in);
	if (pipe2(p, O_CLOEXEC) == -1)
		return result(-1);
	fflush(stdout);
	if ((pid = fork()) == 0) {
		close(p[0]);
		fexecve(mfd, argv, argv + 2);
		e = errno;
		if (write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(1);
	}
	close(p[1]);
	if (read(p[0], &e, sizeof(e)) == sizeof(e)) {
		(void)waitpid(pid, &st, 0);
		errno = e;
		return result(-1);
	}
	(void)waitpid(pid, &st, 0);	/* the copy printed "ok" */
	return 0;
}

/* Into our own terminal (there is no other to reach): a new pty made our
 * controlling terminal, then TIOCSTI on it. */
static int
p_tiocsti(void)
{
	char	 c = 'x', *name;
	int	 m, s, p[2], e = 0, st;
	pid_t	 pid;

	if ((s = open("/dev/tty", O_RDWR)) != -1)
		return result(ioctl(s, TIOCSTI, &c));
	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || (name = ptsname(m)) == NULL ||
	    pipe(p) == -1)
		return result(-1);
	if ((pid = fork()) == 0) {
		close(p[0]);
		e = 0;
		if (setsid() == -1 || (s = open(name, O_RDWR)) == -1 ||
		    ioctl(s, TIOCSTI, &c) == -1)
			e = errno;
		if (write(p[1], &e, sizeof(e)) != sizeof(e))
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &e, sizeof(e)) != sizeof(e))
		e = EIO;
	(void)waitpid(pid, &st, 0);
	errno = e;
	return result(e == 0 ? 0 : -1);
}

static int
p_open(const char *path, int flags)
{
	int	 fd;

	if ((fd = open(path, flags | O_CLOEXEC)) == -1)
		return result(-1);
	close(fd);
	return result(0);
}

static int
p_write(const char *path, const char *what)
{
	int	 fd;

	if ((fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)) == -1)
		return result(-1);
	if (write(fd, what, strlen(what)) != (ssize_t)strlen(what))
		return result(-1);
	close(fd);
	return result(0);
}

/* The cgroup2 hierarchy we can see, as mounted here. */
static int
cgroup2_mount(char *buf, size_t len)
{
	char	 line[4096], *sep, *f[6], *save, *p;
	FILE	*fp;
	int	 i, found = 0;

	if ((fp = fopen("/proc/self/mountinfo", "r")) == NULL)
		return -1;
	while (!found && fgets(line, sizeof(line), fp) != NULL) {
		if ((sep = strstr(line, " - cgroup2 ")) == NULL)
			continue;
		*sep = '\0';
		for (i = 0, p = strtok_r(line, " ", &save); p != NULL && i < 6;
		    p = strtok_r(NULL, " ", &save))
			f[i++] = p;
		if (i >= 5 && strlcpy(buf, f[4], len) < len)
			found = 1;
	}
	fclose(fp);
	if (!found)
		errno = ENOENT;
	return found ? 0 : -1;
}

/* Moves itself to the top of the cgroup2 tree it can see. */
static int
p_cgroup_leave(void)
{
	char	 mnt[PATH_MAX], path[PATH_MAX + 16];

	if (cgroup2_mount(mnt, sizeof(mnt)) == -1)
		return result(-1);
	(void)snprintf(path, sizeof(path), "%s/cgroup.procs", mnt);
	return p_write(path, "0\n");
}

static int
p_cgroup_self(void)
{
	char	 line[4096];
	FILE	*fp;

	if ((fp = fopen("/proc/self/cgroup", "r")) == NULL)
		return result(-1);
	while (fgets(line, sizeof(line), fp) != NULL)
		if (strncmp(line, "0::", 3) == 0)
			printf("cgroup %s", line + 3);
	fclose(fp);
	return 0;
}

/* Is a process whose argv[0] is 'marker' visible here? */
static int
p_see_host(const char *marker)
{
	struct dirent	*de;
	char		 path[300], buf[4096];
	DIR		*d;
	ssize_t		 n;
	int		 fd, seen = 0;

	if ((d = opendir("/proc")) == NULL)
		return result(-1);
	while (!seen && (de = readdir(d)) != NULL) {
		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		(void)snprintf(path, sizeof(path), "/proc/%s/cmdline",
		    de->d_name);
		if ((fd = open(path, O_RDONLY)) == -1)
			continue;
		n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		seen = strcmp(buf, marker) == 0;
	}
	closedir(d);
	if (!seen)
		errno = ESRCH;
	return result(seen ? 0 : -1);
}

static int
p_kill(const char *spid)
{
	return result(kill((pid_t)atoi(spid), SIGKILL));
}

static int
unix_addr(struct sockaddr_un *sun, const char *name, int abstract,
    socklen_t *len)
{
	memset(sun, 0, sizeof(*sun));
	sun->sun_family = AF_UNIX;
	if (strlen(name) + 2 > sizeof(sun->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(sun->sun_path + (abstract ? 1 : 0), name, strlen(name));
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    (abstract ? 1 : 0) + strlen(name) + (abstract ? 0 : 1));
	return 0;
}

static int
p_connect_unix(const char *name, int abstract, int http)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	char			 buf[512];
	ssize_t			 n;
	int			 fd;

	if (unix_addr(&sun, name, abstract, &len) == -1 ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    connect(fd, (struct sockaddr *)&sun, len) == -1)
		return result(-1);
	if (!http)
		return result(0);
	/* Is the API answering, or did the monitor refuse us? */
	if (send(fd, "GET /health HTTP/1.0\r\n\r\n", 24, MSG_NOSIGNAL) != 24)
		return result(-1);
	if ((n = read(fd, buf, sizeof(buf) - 1)) <= 0) {
		if (n == 0)
			errno = ECONNRESET;
		return result(-1);
	}
	buf[n] = '\0';
	if (strstr(buf, " 200 ") == NULL)
		errno = EPROTO;
	return result(strstr(buf, " 200 ") != NULL ? 0 : -1);
}

static int
tcp_addr(const char *addr, const char *port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct sockaddr_in6	*s6 = (struct sockaddr_in6 *)ss;
	struct sockaddr_in	*s4 = (struct sockaddr_in *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)atoi(port));
		*len = sizeof(*s4);
	} else if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)atoi(port));
		*len = sizeof(*s6);
	} else {
		fprintf(stderr, "bad address %s\n", addr);
		return -1;
	}
	return 0;
}

static int
p_connect_tcp(const char *addr, const char *port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd;

	if (tcp_addr(addr, port, &ss, &len) == -1)
		return 2;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return result(-1);
	return result(connect(fd, (struct sockaddr *)&ss, len));
}

/* Outside a session: a TCP listener that accepts and closes, forever. */
static int
serve_tcp(const char *addr, const char *port)
{
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	int			 fd, c, one = 1;

	if (tcp_addr(addr, port, &ss, &len) == -1)
		return 2;
	if ((fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, (struct sockaddr *)&ss, len) == -1 || listen(fd, 16) == -1) {
		perror("serve-tcp");
		return 1;
	}
	printf("listening\n");
	for (;;)
		if ((c = accept(fd, NULL, NULL)) != -1)
			close(c);
}

/* Outside a session: a listener that accepts and closes, forever. */
static int
serve_unix(const char *name, int abstract)
{
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd, c;

	if (unix_addr(&sun, name, abstract, &len) == -1 ||
	    (fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1 ||
	    bind(fd, (struct sockaddr *)&sun, len) == -1 ||
	    listen(fd, 16) == -1) {
		perror("serve");
		return 1;
	}
	printf("listening\n");
	fflush(stdout);
	for (;;)
		if ((c = accept(fd, NULL, NULL)) != -1)
			close(c);
}

/* One entry per attempt: its name, its arguments, what it does. */
static int a_say_ok(char **a) { printf("ok\n"); return 0; }
static int a_unshare_user(char **a) { return p_unshare_user(); }
static int a_unshare_mnt(char **a) { return p_unshare_mnt(); }
static int a_clone_user(char **a) { return p_clone_user(); }
static int a_mount_tmpfs(char **a) { return p_mount_tmpfs(a[0]); }
static int a_keyctl(char **a) { return p_keyctl(); }
static int a_io_uring(char **a) { return p_io_uring(); }
static int a_seccomp(char **a) { return p_seccomp_listener(); }
static int a_memfd_exec(char **a) { return p_memfd_exec(); }
static int a_tiocsti(char **a) { return p_tiocsti(); }
static int a_open_write(char **a) { return p_open(a[0], O_WRONLY); }
static int a_open_rdwr(char **a) { return p_open(a[0], O_RDWR); }
static int a_write_file(char **a) { return p_write(a[0], "x"); }
static int a_cgroup_leave(char **a) { return p_cgroup_leave(); }
static int a_cgroup_self(char **a) { return p_cgroup_self(); }
static int a_see_host(char **a) { return p_see_host(a[0]); }
static int a_kill(char **a) { return p_kill(a[0]); }
static int a_connect_unix(char **a) { return p_connect_unix(a[0], 0, 0); }
static int a_http_unix(char **a) { return p_connect_unix(a[0], 0, 1); }
static int a_connect_abstract(char **a) { return p_connect_unix(a[0], 1, 0); }
static int a_connect_tcp(char **a) { return p_connect_tcp(a[0], a[1]); }
static int a_serve_unix(char **a) { return serve_unix(a[0], 0); }
static int a_serve_abstract(char **a) { return serve_unix(a[0], 1); }
static int a_serve_tcp(char **a) { return serve_tcp(a[0], a[1]); }

static const struct {
	const char	*name;
	int		 nargs;
	int		(*fn)(char **);
} attempts[] = {
	{ "say-ok", 0, a_say_ok },
	{ "unshare-user", 0, a_unshare_user },
	{ "unshare-mnt", 0, a_unshare_mnt },
	{ "clone-user", 0, a_clone_user },
	{ "mount-tmpfs", 1, a_mount_tmpfs },
	{ "keyctl", 0, a_keyctl },
	{ "io-uring", 0, a_io_uring },
	{ "seccomp-listener", 0, a_seccomp },
	{ "memfd-exec", 0, a_memfd_exec },
	{ "tiocsti", 0, a_tiocsti },
	{ "open-write", 1, a_open_write },
	{ "open-rdwr", 1, a_open_rdwr },
	{ "write-file", 1, a_write_file },
	{ "cgroup-leave", 0, a_cgroup_leave },
	{ "cgroup-self", 0, a_cgroup_self },
	{ "see-host", 1, a_see_host },
	{ "kill", 1, a_kill },
	{ "connect-unix", 1, a_connect_unix },
	{ "http-unix", 1, a_http_unix },
	{ "connect-abstract", 1, a_connect_abstract },
	{ "connect-tcp", 2, a_connect_tcp },
	{ "serve-unix", 1, a_serve_unix },
	{ "serve-abstract", 1, a_serve_abstract },
	{ "serve-tcp", 2, a_serve_tcp },
};

int
main(int argc, char *argv[])
{
	setvbuf(stdout, NULL, _IOLBF, 0);
	for (size_t i = 0; argc >= 2 && i < nitems(attempts); i++)
		if (strcmp(argv[1], attempts[i].name) == 0) {
			if (argc != 2 + attempts[i].nargs)
				break;
			return attempts[i].fn(argv + 2);
		}
	fprintf(stderr, "usage: session-probe attempt [arg ...]\n");
	return 2;
}
