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
	IPC_SANDBOX_BASE,
	/* client connections and the store's files, by descriptor */
	SB_ALLOW(pread64),
	SB_ALLOW(pwrite64),
	SB_ALLOW(lseek),
	SB_ALLOW(recvfrom),
	SB_ALLOW(sendto),
	SB_ALLOW(shutdown),
	SB_ALLOW(getsockopt),
	SB_ALLOW(getpeername),
	SB_ALLOW(getsockname),
	/* glibc's fstat(); only on a descriptor, never a path */
	SB_ALLOW_IF(newfstatat, 1, SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)),
	/* libevent asks how much a socket has to read */
	SB_ALLOW_IF(ioctl, 1, SCMP_A1(SCMP_CMP_EQ, FIONREAD)),
	/* LMDB: writes, syncs, and its reader-slot pid lock */
	SB_ALLOW(fdatasync),
	SB_ALLOW(fsync),
	SB_ALLOW(msync),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_SETLK)),
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GETLK)),
	/* the seals of a policy's memfd */
	SB_ALLOW_IF(fcntl, 1, SCMP_A1(SCMP_CMP_EQ, F_GET_SEALS)),
};

void
agentshd_sandbox_enter(void)
{
	char	 err[256];

	if (ipc_sandbox_enter("agentshd", agentshd_rules,
	    nitems(agentshd_rules), err, sizeof(err)) == -1)
		fatalx("%s", err);
}
