/*
 * The session filter (DESIGN.md section 2): installed by the init on
 * itself once it has dropped every privilege, inherited by every command.
 * Everything the table below does not name is allowed; what it names
 * reaches the kernel's attack surface or changes the session's shape
 * (namespaces, mounts, keys, BPF, new seccomp listeners, terminal
 * injection).  The architecture is checked first: a syscall of another
 * ABI (i386 through int 0x80, x32) kills the process.
 *
 * Arguments the kernel reads as 32-bit (unshare's flags, ioctl's request,
 * memfd_create's and seccomp's flags) are compared on their low 32 bits
 * only, so garbage in the upper half cannot slip past a comparison.
 *
 * The program is generated with libseccomp and loaded with seccomp(2)
 * itself, so that flags libseccomp 2.5 cannot set (the supervisor's
 * SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV) can be added here.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/seccomp.h>
#include <seccomp.h>

#include "agentsh-unixwrap.h"

#ifndef MFD_EXEC
#define MFD_EXEC		 0x0010U
#endif
#ifndef CLONE_NEWTIME
#define CLONE_NEWTIME		 0x00000080
#endif
#ifndef SECCOMP_FILTER_FLAG_NEW_LISTENER
#define SECCOMP_FILTER_FLAG_NEW_LISTENER (1UL << 3)
#endif
/* open_tree_attr(2) (Linux 6.15) is newer than libseccomp 2.5's tables;
 * syscalls from 424 on share their numbers across architectures. */
#define UW_NR_open_tree_attr	 467

#define LOW32			 0xffffffffULL

struct uw_rule {
	int			 nr;
	int			 err;		/* errno returned */
	unsigned int		 narg;
	struct scmp_arg_cmp	 arg;
};

#define DENY(name) \
	{ SCMP_SYS(name), EPERM, 0, { 0, 0, 0, 0 } }
#define DENY_NR(nr) \
	{ (nr), EPERM, 0, { 0, 0, 0, 0 } }
/* Denied when 'bit' is set in argument n. */
#define DENY_BIT(name, n, bit) \
	{ SCMP_SYS(name), EPERM, 1, SCMP_CMP((n), SCMP_CMP_MASKED_EQ, \
	    (bit), (bit)) }
/* Denied when argument n (low 32 bits) equals v. */
#define DENY_EQ32(name, n, v) \
	{ SCMP_SYS(name), EPERM, 1, SCMP_CMP((n), SCMP_CMP_MASKED_EQ, \
	    LOW32, (v)) }

/* Reviewed: every entry is DESIGN.md section 2's list. */
static const struct uw_rule uw_rules[] = {
	/* io_uring: a second system call interface the filter cannot see */
	DENY(io_uring_setup),
	DENY(io_uring_enter),
	DENY(io_uring_register),
	/* the mount API, old and new */
	DENY(mount),
	DENY(umount2),
	DENY(pivot_root),
	DENY(fsopen),
	DENY(fsconfig),
	DENY(fsmount),
	DENY(fspick),
	DENY(open_tree),
	DENY_NR(UW_NR_open_tree_attr),
	DENY(move_mount),
	DENY(mount_setattr),
	/* namespaces: neither joined nor made */
	DENY(setns),
	DENY_BIT(unshare, 0, CLONE_NEWNS),
	DENY_BIT(unshare, 0, CLONE_NEWCGROUP),
	DENY_BIT(unshare, 0, CLONE_NEWUTS),
	DENY_BIT(unshare, 0, CLONE_NEWIPC),
	DENY_BIT(unshare, 0, CLONE_NEWUSER),
	DENY_BIT(unshare, 0, CLONE_NEWPID),
	DENY_BIT(unshare, 0, CLONE_NEWNET),
	DENY_BIT(unshare, 0, CLONE_NEWTIME),
	/* clone's flags: a full unsigned long, CLONE_NEW* in the low half */
	DENY_BIT(clone, 0, CLONE_NEWNS),
	DENY_BIT(clone, 0, CLONE_NEWCGROUP),
	DENY_BIT(clone, 0, CLONE_NEWUTS),
	DENY_BIT(clone, 0, CLONE_NEWIPC),
	DENY_BIT(clone, 0, CLONE_NEWUSER),
	DENY_BIT(clone, 0, CLONE_NEWPID),
	DENY_BIT(clone, 0, CLONE_NEWNET),
	/* clone3's flags live in memory the filter cannot read: ENOSYS
	 * makes libc fall back to clone, whose flags it can */
	{ SCMP_SYS(clone3), ENOSYS, 0, { 0, 0, 0, 0 } },
	/* the kernel keyring */
	DENY(keyctl),
	DENY(add_key),
	DENY(request_key),
	/* kernel programming and introspection */
	DENY(bpf),
	DENY(perf_event_open),
	DENY(fanotify_init),
	DENY(userfaultfd),
	DENY(kexec_load),
	DENY(kexec_file_load),
	DENY(init_module),
	DENY(finit_module),
	DENY(delete_module),
	DENY(open_by_handle_at),
	/* executable anonymous memory files */
	DENY_BIT(memfd_create, 1, MFD_EXEC),
	/* a second listener would let a command supervise itself */
	DENY_BIT(seccomp, 1, SECCOMP_FILTER_FLAG_NEW_LISTENER),
	/* typing into a terminal another process reads */
	DENY_EQ32(ioctl, 1, TIOCSTI),
	DENY_EQ32(ioctl, 1, TIOCLINUX),
};

int
uw_filter_build(struct sock_fprog *prog, char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	uint8_t		*buf = NULL;
	size_t		 len = 0, cap = 0;
	ssize_t		 n;
	int		 p[2] = { -1, -1 }, rc = -1, r;

	memset(prog, 0, sizeof(*prog));
	if ((ctx = seccomp_init(SCMP_ACT_ALLOW)) == NULL) {
		(void)snprintf(err, errlen, "seccomp_init failed");
		return -1;
	}
	if ((r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0) {
		(void)snprintf(err, errlen, "seccomp bad-arch action: %s",
		    strerror(-r));
		goto out;
	}
	for (size_t i = 0; i < nitems(uw_rules); i++) {
		const struct uw_rule	*u = &uw_rules[i];

		r = seccomp_rule_add_array(ctx, SCMP_ACT_ERRNO(u->err), u->nr,
		    u->narg, u->narg ? &u->arg : NULL);
		if (r != 0) {
			char	*name = seccomp_syscall_resolve_num_arch(
			    SCMP_ARCH_NATIVE, u->nr);

			(void)snprintf(err, errlen, "session filter rule for "
			    "%s: %s", name ? name : "?", strerror(-r));
			free(name);
			goto out;
		}
	}
	/* The program is a few hundred instructions: a pipe holds it. */
	if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == -1 ||
	    (r = seccomp_export_bpf(ctx, p[1])) != 0) {
		(void)snprintf(err, errlen, "exporting the session filter: %s",
		    strerror(errno));
		goto out;
	}
	close(p[1]);
	p[1] = -1;
	for (;;) {
		if (len == cap) {
			uint8_t	*nb;

			cap = cap ? cap * 2 : 4096;
			if (cap > 64 * 1024 || (nb = realloc(buf, cap)) == NULL) {
				(void)snprintf(err, errlen, "session filter "
				    "too large");
				goto out;
			}
			buf = nb;
		}
		if ((n = read(p[0], buf + len, cap - len)) == -1) {
			if (errno == EINTR)
				continue;
			(void)snprintf(err, errlen, "reading the session "
			    "filter: %s", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len == 0 || len % sizeof(struct sock_filter) != 0 ||
	    len / sizeof(struct sock_filter) > BPF_MAXINSNS) {
		(void)snprintf(err, errlen, "session filter: %zu bytes", len);
		goto out;
	}
	prog->len = (unsigned short)(len / sizeof(struct sock_filter));
	prog->filter = (struct sock_filter *)buf;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	if (p[0] != -1)
		close(p[0]);
	if (p[1] != -1)
		close(p[1]);
	seccomp_release(ctx);
	return rc;
}

void
uw_filter_free(struct sock_fprog *prog)
{
	free(prog->filter);
	prog->filter = NULL;
	prog->len = 0;
}

/* The caller has set PR_SET_NO_NEW_PRIVS. */
int
uw_filter_install(const struct sock_fprog *prog, char *err, size_t errlen)
{
	if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog) == -1) {
		(void)snprintf(err, errlen, "seccomp(SECCOMP_SET_MODE_FILTER): "
		    "%s", strerror(errno));
		return -1;
	}
	return 0;
}
