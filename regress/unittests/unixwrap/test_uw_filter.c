/*
 * The session filter, rule by rule.  Each case makes one call in a child
 * that has installed the filter (it must be refused with the rule's
 * errno) and, as its positive control, in a child without it (it must
 * not be refused that way: these children run as root, so the kernel
 * itself would let most of them through).  Calls the filter lets pass
 * are checked too, and a syscall of the x32 ABI must kill the process.
 */
#include "compat.h"

#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/filter.h>
#include <linux/keyctl.h>
#include <linux/sched.h>
#include <linux/seccomp.h>

#include "agentsh-unixwrap/agentsh-unixwrap.h"

#ifndef MFD_EXEC
#define MFD_EXEC		 0x0010U
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
#define NR_open_tree_attr	 467
#define X32_SYSCALL_BIT		 0x40000000L
#define NOWHERE			 "/nonexistent/agentsh-regress"

/* Each returns the system call's result (-1 with errno on failure). */
typedef long	(*call_fn)(long);

static long
c_syscall0(long nr)
{
	return syscall(nr, 0, 0, 0, 0, 0, 0);
}

static long
c_bad_fd(long nr)
{
	return syscall(nr, -1, 0, 0, 0, 0, 0);
}

static long
c_mount(long a)
{
	return mount("none", NOWHERE, "tmpfs", 0, NULL);
}

static long
c_umount(long a)
{
	return umount2(NOWHERE, 0);
}

static long
c_pivot_root(long a)
{
	return syscall(SYS_pivot_root, NOWHERE, NOWHERE);
}

static long
c_fsopen(long a)
{
	return syscall(SYS_fsopen, "agentsh-no-such-fs", 0);
}

static long
c_fspick(long a)
{
	return syscall(SYS_fspick, AT_FDCWD, NOWHERE, 0);
}

static long
c_open_tree(long nr)
{
	return syscall(nr, AT_FDCWD, NOWHERE, 0, NULL, 0);
}

static long
c_move_mount(long a)
{
	return syscall(SYS_move_mount, AT_FDCWD, NOWHERE, AT_FDCWD, NOWHERE,
	    0);
}

static long
c_mount_setattr(long a)
{
	struct mount_attr	 ma;

	memset(&ma, 0, sizeof(ma));
	return syscall(SYS_mount_setattr, AT_FDCWD, NOWHERE, 0, &ma,
	    sizeof(ma));
}

static long
c_unshare(long flag)
{
	return unshare((int)flag);
}

static long
c_clone(long flag)
{
	long	 pid;

	if ((pid = syscall(SYS_clone, flag | SIGCHLD, NULL, NULL, NULL, NULL))
	    == 0)
		_exit(0);
	if (pid > 0)
		(void)waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static long
c_clone3(long flag)
{
	struct clone_args	 ca;
	long			 pid;

	memset(&ca, 0, sizeof(ca));
	ca.flags = (uint64_t)flag;
	ca.exit_signal = SIGCHLD;
	if ((pid = syscall(SYS_clone3, &ca, sizeof(ca))) == 0)
		_exit(0);
	if (pid > 0)
		(void)waitpid((pid_t)pid, NULL, 0);
	return pid;
}

static long
c_keyctl(long a)
{
	return syscall(SYS_keyctl, KEYCTL_GET_KEYRING_ID,
	    KEY_SPEC_PROCESS_KEYRING, 0);
}

static long
c_add_key(long a)
{
	return syscall(SYS_add_key, "user", "agentsh", "x", 1,
	    KEY_SPEC_PROCESS_KEYRING);
}

static long
c_request_key(long a)
{
	return syscall(SYS_request_key, "user", "agentsh-none", NULL,
	    KEY_SPEC_PROCESS_KEYRING);
}

static long
c_kexec_load(long a)
{
	/* a foreign architecture: refused before any permission check */
	return syscall(SYS_kexec_load, 0, 0, NULL, 0xffff0000UL);
}

static long
c_kexec_file_load(long a)
{
	return syscall(SYS_kexec_file_load, -1, -1, 0, NULL, ~0UL);
}

static long
c_init_module(long a)
{
	return syscall(SYS_init_module, NULL, 0, "");
}

static long
c_delete_module(long a)
{
	return syscall(SYS_delete_module, "agentsh_none", O_NONBLOCK);
}

static long
c_fanotify_init(long a)
{
	return syscall(SYS_fanotify_init, ~0U, 0);
}

static long
c_userfaultfd(long a)
{
	return syscall(SYS_userfaultfd, ~0);
}

static long
c_open_by_handle(long a)
{
	return syscall(SYS_open_by_handle_at, -1, NULL, 0);
}

static long
c_memfd(long flags)
{
	return syscall(SYS_memfd_create, "agentsh", flags);
}

static long
c_listener(long a)
{
	struct sock_filter	 f[] = {
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog	 prog = { 1, f };

	return syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	    SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
}

/* An ioctl on a pty made our controlling terminal; request as given,
 * upper bits and all (the kernel uses the low 32). */
static long
c_tty_ioctl(long req)
{
	struct winsize	 buf;		/* large enough for every request */
	char		*name;
	int		 m, s;

	if ((m = posix_openpt(O_RDWR | O_NOCTTY)) == -1 || grantpt(m) == -1 ||
	    unlockpt(m) == -1 || (name = ptsname(m)) == NULL)
		return -2;
	if (setsid() == -1 || (s = open(name, O_RDWR)) == -1)
		return -2;
	memset(&buf, 'x', sizeof(buf));
	return syscall(SYS_ioctl, s, req, &buf);
}

struct fcase {
	const char	*name;
	call_fn		 fn;
	long		 arg;
	int		 err;		/* the filter's errno; 0: let through */
};

static const struct fcase cases[] = {
	{ "io_uring_setup", c_syscall0, SYS_io_uring_setup, EPERM },
	{ "io_uring_enter", c_bad_fd, SYS_io_uring_enter, EPERM },
	{ "io_uring_register", c_bad_fd, SYS_io_uring_register, EPERM },
	{ "mount", c_mount, 0, EPERM },
	{ "umount2", c_umount, 0, EPERM },
	{ "pivot_root", c_pivot_root, 0, EPERM },
	{ "fsopen", c_fsopen, 0, EPERM },
	{ "fsconfig", c_bad_fd, SYS_fsconfig, EPERM },
	{ "fsmount", c_bad_fd, SYS_fsmount, EPERM },
	{ "fspick", c_fspick, 0, EPERM },
	{ "open_tree", c_open_tree, SYS_open_tree, EPERM },
	{ "open_tree_attr", c_open_tree, NR_open_tree_attr, EPERM },
	{ "move_mount", c_move_mount, 0, EPERM },
	{ "mount_setattr", c_mount_setattr, 0, EPERM },
	{ "setns", c_bad_fd, SYS_setns, EPERM },
	{ "unshare NEWNS", c_unshare, CLONE_NEWNS, EPERM },
	{ "unshare NEWCGROUP", c_unshare, CLONE_NEWCGROUP, EPERM },
	{ "unshare NEWUTS", c_unshare, CLONE_NEWUTS, EPERM },
	{ "unshare NEWIPC", c_unshare, CLONE_NEWIPC, EPERM },
	{ "unshare NEWUSER", c_unshare, CLONE_NEWUSER, EPERM },
	{ "unshare NEWPID", c_unshare, CLONE_NEWPID, EPERM },
	{ "unshare NEWNET", c_unshare, CLONE_NEWNET, EPERM },
	{ "unshare NEWTIME", c_unshare, CLONE_NEWTIME, EPERM },
	{ "unshare FILES", c_unshare, CLONE_FILES, 0 },
	{ "clone NEWNS", c_clone, CLONE_NEWNS, EPERM },
	{ "clone NEWCGROUP", c_clone, CLONE_NEWCGROUP, EPERM },
	{ "clone NEWUTS", c_clone, CLONE_NEWUTS, EPERM },
	{ "clone NEWIPC", c_clone, CLONE_NEWIPC, EPERM },
	{ "clone NEWUSER", c_clone, CLONE_NEWUSER, EPERM },
	{ "clone NEWPID", c_clone, CLONE_NEWPID, EPERM },
	{ "clone NEWNET", c_clone, CLONE_NEWNET, EPERM },
	{ "clone (fork)", c_clone, 0, 0 },
	{ "clone3", c_clone3, 0, ENOSYS },
	{ "keyctl", c_keyctl, 0, EPERM },
	{ "add_key", c_add_key, 0, EPERM },
	{ "request_key", c_request_key, 0, EPERM },
	{ "bpf", c_bad_fd, SYS_bpf, EPERM },
	{ "perf_event_open", c_syscall0, SYS_perf_event_open, EPERM },
	{ "fanotify_init", c_fanotify_init, 0, EPERM },
	{ "userfaultfd", c_userfaultfd, 0, EPERM },
	{ "kexec_load", c_kexec_load, 0, EPERM },
	{ "kexec_file_load", c_kexec_file_load, 0, EPERM },
	{ "init_module", c_init_module, 0, EPERM },
	{ "finit_module", c_bad_fd, SYS_finit_module, EPERM },
	{ "delete_module", c_delete_module, 0, EPERM },
	{ "open_by_handle_at", c_open_by_handle, 0, EPERM },
	{ "memfd_create MFD_EXEC", c_memfd, MFD_EXEC, EPERM },
	{ "memfd_create", c_memfd, MFD_CLOEXEC, 0 },
	{ "seccomp NEW_LISTENER", c_listener, 0, EPERM },
	{ "ioctl TIOCSTI", c_tty_ioctl, TIOCSTI, EPERM },
	{ "ioctl TIOCSTI, upper bits set", c_tty_ioctl,
	    (long)(0xdead00000000ULL | TIOCSTI), EPERM },
	{ "ioctl TIOCLINUX", c_tty_ioctl, TIOCLINUX, EPERM },
	{ "ioctl TIOCGWINSZ", c_tty_ioctl, TIOCGWINSZ, 0 },
};

struct outcome {
	long	 rc;
	int	 err;
	int	 status;	/* the child's wait status */
};

/* Runs case i in a child, with or without the session filter. */
static struct outcome
run(const struct fcase *fc, int filtered)
{
	struct outcome	 o = { 0, 0, 0 };
	int		 p[2];
	pid_t		 pid;

	ck_assert_int_eq(pipe(p), 0);
	if ((pid = fork()) == 0) {
		struct sock_fprog	 prog;
		char			 err[256];

		close(p[0]);
		if (filtered) {
			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1 ||
			    uw_filter_build(&prog, err, sizeof(err)) == -1 ||
			    uw_filter_install(&prog, err, sizeof(err)) == -1) {
				fprintf(stderr, "filter: %s\n", err);
				_exit(3);
			}
		}
		errno = 0;
		o.rc = fc->fn(fc->arg);
		o.err = errno;
		if (write(p[1], &o, sizeof(o)) != sizeof(o))
			_exit(4);
		_exit(0);
	}
	close(p[1]);
	if (read(p[0], &o, sizeof(o)) != sizeof(o))
		o.rc = -3;	/* it died first */
	close(p[0]);
	ck_assert_int_eq(waitpid(pid, &o.status, 0), pid);
	return o;
}

START_TEST(rule)
{
	const struct fcase	*fc = &cases[_i];
	struct outcome		 with, without;

	with = run(fc, 1);
	without = run(fc, 0);
	ck_assert_msg(with.rc != -3 && without.rc != -3, "%s: the child "
	    "died (status %d, %d)", fc->name, with.status, without.status);
	ck_assert_msg(with.rc != -2 && without.rc != -2, "%s: no pty",
	    fc->name);
	if (fc->err != 0) {
		ck_assert_msg(with.rc == -1 && with.err == fc->err,
		    "%s: filtered: rc %ld errno %d, want errno %d", fc->name,
		    with.rc, with.err, fc->err);
		/* positive control: refused by the filter, not the kernel */
		ck_assert_msg(!(without.rc == -1 && without.err == fc->err),
		    "%s: refused (errno %d) even without the filter",
		    fc->name, without.err);
	} else
		ck_assert_msg(!(with.rc == -1 && (with.err == EPERM ||
		    with.err == ENOSYS)), "%s: refused by the filter (errno "
		    "%d)", fc->name, with.err);
}
END_TEST

static long
c_x32_getpid(long a)
{
	return syscall(X32_SYSCALL_BIT | SYS_getpid);
}

/* A system call of another ABI kills the process outright. */
START_TEST(foreign_abi)
{
	const struct fcase	 fc = { "x32 getpid", c_x32_getpid, 0, 0 };
	struct outcome		 with, without;

	with = run(&fc, 1);
	ck_assert_msg(WIFSIGNALED(with.status) &&
	    WTERMSIG(with.status) == SIGSYS, "x32 syscall: status %d",
	    with.status);
	without = run(&fc, 0);
	ck_assert_msg(WIFEXITED(without.status), "x32 syscall without the "
	    "filter: status %d", without.status);
}
END_TEST

static Suite *
filter_suite(void)
{
	Suite	*s = suite_create("uw_filter");
	TCase	*tc = tcase_create("rules");

	tcase_add_loop_test(tc, rule, 0, (int)nitems(cases));
	tcase_add_test(tc, foreign_abi);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nfail;

	if (geteuid() != 0) {
		/* The positive controls need root (namespaces, mounts). */
		printf("test_uw_filter: skipped, needs root\n");
		return 0;
	}
	sr = srunner_create(filter_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
