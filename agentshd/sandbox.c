/*
 * agentshd's jail.  By the time it is entered, agentshd has its
 * configuration, its LMDB environment and its event loop: from then on it
 * only moves bytes between the descriptors it holds (client connections
 * arrive by SCM_RIGHTS) and its memory.  No exec, no new sockets, no
 * opening files, no ptrace, no executable memory.
 */
#include "compat.h"

#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <fcntl.h>

#include "agentshd.h"
#include "ipc_log.h"
#include "ipc_sandbox.h"

static const struct ipc_sandbox_rule agentshd_rules[] = {
	/* descriptors it holds */
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
	SB_ALLOW(recvfrom),
	SB_ALLOW(sendto),
	SB_ALLOW(shutdown),
	SB_ALLOW(getsockopt),
	SB_ALLOW(getpeername),
	SB_ALLOW(getsockname),
	SB_ALLOW(fstat),
	/* glibc's fstat(); only on a descriptor, never a path */
	SB_ALLOW_IF(newfstatat, 1, SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFL)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFL)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETFD)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETFD)),
	/* the descriptor-headroom probe duplicates fd 0 and closes it */
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_DUPFD_CLOEXEC)),
	/* libevent asks how much a socket has to read */
	SB_ALLOW_IF(ioctl, 1, SCMP_A1(SCMP_CMP_EQ, FIONREAD)),
	/* LMDB: its reader-slot pid lock on the lock file */
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETLK)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETLK)),
	/* LMDB */
	SB_ALLOW(fdatasync),
	SB_ALLOW(fsync),
	SB_ALLOW(msync),
	/* event loop and time */
	SB_ALLOW(epoll_wait),
	SB_ALLOW(epoll_pwait),
	SB_ALLOW(epoll_ctl),
	SB_ALLOW(poll),
	SB_ALLOW(ppoll),
	SB_ALLOW(clock_gettime),
	SB_ALLOW(gettimeofday),
	SB_ALLOW(clock_nanosleep),
	SB_ALLOW(nanosleep),
	/* memory, never executable */
	SB_ALLOW(brk),
	SB_ALLOW_IF(mmap, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)),
	SB_ALLOW_IF(mprotect, 1, SCMP_A2(SCMP_CMP_MASKED_EQ, PROT_EXEC, 0)),
	SB_ALLOW(munmap),
	SB_ALLOW(mremap),
	SB_ALLOW(madvise),
	SB_ALLOW(futex),
	SB_ALLOW(getrandom),
	/* reading its own limits (descriptor headroom), never setting them */
	SB_ALLOW_IF(prlimit64, 2, SCMP_A0(SCMP_CMP_EQ, 0),
	    SCMP_A2(SCMP_CMP_EQ, 0)),
	/* signals and leaving */
	SB_ALLOW(rt_sigreturn),
	SB_ALLOW(rt_sigprocmask),
	SB_ALLOW(getpid),
	SB_ALLOW(gettid),
	SB_ALLOW(exit),
	SB_ALLOW(exit_group),
};

void
agentshd_sandbox_enter(void)
{
	char	 err[256];

	if (ipc_sandbox_enter("agentshd", agentshd_rules,
	    nitems(agentshd_rules), err, sizeof(err)) == -1)
		fatalx("%s", err);
}
