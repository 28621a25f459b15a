/*
 * Entering a helper's seccomp jail from the reviewed table in its own
 * sandbox.c: an allow-list, everything else kills the process (or, built
 * with --enable-sandbox-debug, raises SIGSYS and logs the syscall's name).
 * Only the native architecture passes; x32 and foreign ABIs are killed.
 */
#ifndef AGENTSH_IPC_SANDBOX_H
#define AGENTSH_IPC_SANDBOX_H

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

/* Returns -1 with a reason in err; the caller treats that as fatal. */
int	 ipc_sandbox_enter(const char *who, const struct ipc_sandbox_rule *,
	    size_t, char *err, size_t errlen);

#endif /* AGENTSH_IPC_SANDBOX_H */
