/*
 * Entering a helper's seccomp jail from the reviewed table in its own
 * sandbox.c: an allow-list, everything else kills the process (or, built
 * with --enable-sandbox-debug, raises SIGSYS and logs the syscall's name).
 * Only the native architecture passes; x32 and foreign ABIs are killed.
 */
#ifndef AGENTSH_IPC_SANDBOX_H
#define AGENTSH_IPC_SANDBOX_H

#include <sys/mman.h>

#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>

struct ipc_sandbox_rule {
	int			 nr;		/* SCMP_SYS(name) */
	uint32_t		 action;	/* SCMP_ACT_ALLOW, SCMP_ACT_ERRNO */
	unsigned int		 narg;
	struct scmp_arg_cmp	 arg[3];
};

#define SB_ALLOW(name)	{ SCMP_SYS(name), SCMP_ACT_ALLOW, 0, { { 0 } } }
#define SB_ALLOW_IF(name, n, ...) \
	{ SCMP_SYS(name), SCMP_ACT_ALLOW, n, { __VA_ARGS__ } }
#define SB_ERRNO(name, e) \
	{ SCMP_SYS(name), SCMP_ACT_ERRNO(e), 0, { { 0 } } }

/*
 * What every jailed helper needs, put first in each helper's table: its
 * channels (read, write, recvmsg/sendmsg and the descriptor-headroom probe
 * of fd-passing channels), the event loop and clocks, memory that is
 * never executable, and signals and leaving.  Each sandbox.c adds only
 * what its own work needs.
 */
#define IPC_SANDBOX_BASE \
	SB_ALLOW(read), \
	SB_ALLOW(readv), \
	SB_ALLOW(write), \
	SB_ALLOW(writev), \
	SB_ALLOW(close), \
	SB_ALLOW(recvmsg), \
	SB_ALLOW(sendmsg), \
	SB_ALLOW(fstat), \
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL)), \
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFL)), \
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFD)), \
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFD)), \
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC)), \
	SB_ALLOW_IF(prlimit64, 2, SCMP_A0(SCMP_CMP_EQ, 0), \
	    SCMP_A2(SCMP_CMP_EQ, 0)), \
	SB_ALLOW(epoll_wait), \
	SB_ALLOW(epoll_pwait), \
	SB_ALLOW(epoll_ctl), \
	SB_ALLOW(poll), \
	SB_ALLOW(ppoll), \
	SB_ALLOW(clock_gettime), \
	SB_ALLOW(gettimeofday), \
	SB_ALLOW(clock_nanosleep), \
	SB_ALLOW(nanosleep), \
	SB_ALLOW(brk), \
	SB_ALLOW_IF(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)), \
	SB_ALLOW_IF(mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)), \
	SB_ALLOW(munmap), \
	SB_ALLOW(mremap), \
	SB_ALLOW(madvise), \
	SB_ALLOW(futex), \
	SB_ALLOW(getrandom), \
	SB_ALLOW(rt_sigreturn), \
	SB_ALLOW(rt_sigprocmask), \
	SB_ALLOW(getpid), \
	SB_ALLOW(gettid), \
	SB_ALLOW(exit), \
	SB_ALLOW(exit_group)

/* Returns -1 with a reason in err; the caller treats that as fatal. */
int	 ipc_sandbox_enter(const char *who, const struct ipc_sandbox_rule *,
	    size_t, char *err, size_t errlen);

#endif /* AGENTSH_IPC_SANDBOX_H */
