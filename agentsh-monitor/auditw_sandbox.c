/*
 * The audit writer's jail: it reads and writes the channels it holds,
 * and works inside its log directory (fd 6) only: every *at call must be
 * relative to that descriptor.  No exec, no sockets, no ptrace, no
 * executable memory.
 */
#include "compat.h"

#include <sys/mman.h>

#include <fcntl.h>

#include "auditw.h"
#include "ipc_log.h"
#include "ipc_sandbox.h"

#define IN_DIR(n)	SCMP_A##n(SCMP_CMP_EQ, AUDITW_DIR_FD)

static const struct ipc_sandbox_rule auditw_rules[] = {
	/* channels and the log's files */
	SB_ALLOW(read),
	SB_ALLOW(readv),
	SB_ALLOW(write),
	SB_ALLOW(writev),
	SB_ALLOW(pread64),
	SB_ALLOW(pwrite64),
	SB_ALLOW(lseek),
	SB_ALLOW(close),
	SB_ALLOW(recvmsg),
	SB_ALLOW(sendmsg),
	SB_ALLOW(fstat),
	SB_ALLOW(fsync),
	SB_ALLOW(fdatasync),
	SB_ALLOW(ftruncate),
	/* inside the log directory only */
	SB_ALLOW_IF(openat, 1, IN_DIR(0)),
	SB_ALLOW_IF(newfstatat, 1, IN_DIR(0)),
	SB_ALLOW_IF(newfstatat, 1, SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)),
	SB_ALLOW_IF(renameat, 2, IN_DIR(0), IN_DIR(2)),
	SB_ALLOW_IF(renameat2, 2, IN_DIR(0), IN_DIR(2)),
	SB_ALLOW_IF(unlinkat, 1, IN_DIR(0)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFL)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFD)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFD)),
	/* the descriptor-headroom probe of fd-passing channels */
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC)),
	SB_ALLOW_IF(prlimit64, 2, SCMP_A0(SCMP_CMP_EQ, 0),
	    SCMP_A2(SCMP_CMP_EQ, 0)),
	/* event loop, time, ids */
	SB_ALLOW(epoll_wait),
	SB_ALLOW(epoll_pwait),
	SB_ALLOW(epoll_ctl),
	SB_ALLOW(poll),
	SB_ALLOW(clock_gettime),
	SB_ALLOW(gettimeofday),
	SB_ALLOW(time),
	SB_ALLOW(getrandom),
	/* memory, never executable */
	SB_ALLOW(brk),
	SB_ALLOW_IF(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)),
	SB_ALLOW_IF(mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)),
	SB_ALLOW(munmap),
	SB_ALLOW(mremap),
	SB_ALLOW(madvise),
	SB_ALLOW(futex),
	/* signals and leaving */
	SB_ALLOW(rt_sigreturn),
	SB_ALLOW(rt_sigprocmask),
	SB_ALLOW(getpid),
	SB_ALLOW(gettid),
	SB_ALLOW(exit),
	SB_ALLOW(exit_group),
};

void
auditw_sandbox_enter(void)
{
	char	 err[256];

	if (ipc_sandbox_enter("audit writer", auditw_rules,
	    nitems(auditw_rules), err, sizeof(err)) == -1)
		fatalx("%s", err);
}
