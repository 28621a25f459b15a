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
	IPC_SANDBOX_BASE,
	/* the log's files */
	SB_ALLOW(pread64),
	SB_ALLOW(pwrite64),
	SB_ALLOW(lseek),
	SB_ALLOW(fsync),
	SB_ALLOW(fdatasync),
	SB_ALLOW(ftruncate),
	SB_ALLOW(time),
	/* inside the log directory only */
	SB_ALLOW_IF(openat, 1, IN_DIR(0)),
	SB_ALLOW_IF(newfstatat, 1, IN_DIR(0)),
	SB_ALLOW_IF(newfstatat, 1, SCMP_A3(SCMP_CMP_EQ, AT_EMPTY_PATH)),
	SB_ALLOW_IF(renameat, 2, IN_DIR(0), IN_DIR(2)),
	SB_ALLOW_IF(renameat2, 2, IN_DIR(0), IN_DIR(2)),
	SB_ALLOW_IF(unlinkat, 1, IN_DIR(0)),
};

void
auditw_sandbox_enter(void)
{
	char	 err[256];

	if (ipc_sandbox_enter("audit writer", auditw_rules,
	    nitems(auditw_rules), err, sizeof(err)) == -1)
		fatalx("%s", err);
}
