/*
 * The jail every helper enters once it has set itself up (OpenSSH's
 * order): no new privileges, no forking, then the seccomp allow-list.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc_log.h"
#include "ipc_sandbox.h"

#ifdef SANDBOX_DEBUG
static void
sigsys_handler(int sig, siginfo_t *si, void *ctx)
{
	char	*name;

	name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_NATIVE,
	    si->si_syscall);
	log_warnx("jail violation: syscall %s (%d)", name ? name : "?",
	    si->si_syscall);
	free(name);
	_exit(126);
}
#endif

int
ipc_sandbox_enter(const char *who, const struct ipc_sandbox_rule *rules,
    size_t n, char *err, size_t errlen)
{
	scmp_filter_ctx	 ctx;
	struct rlimit	 rl = { 0, 0 };
	uint32_t	 def = SCMP_ACT_KILL_PROCESS;
	size_t		 i;
	int		 rc;

#ifdef SANDBOX_DEBUG
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = sigsys_handler;
	sa.sa_flags = SA_SIGINFO;
	(void)sigaction(SIGSYS, &sa, NULL);
	def = SCMP_ACT_TRAP;
#endif
	/* No new processes, ever: fork would need a new jail. */
	if (setrlimit(RLIMIT_NPROC, &rl) == -1 && getuid() != 0) {
		(void)snprintf(err, errlen, "%s: RLIMIT_NPROC: %s", who,
		    strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		(void)snprintf(err, errlen, "%s: PR_SET_NO_NEW_PRIVS: %s", who,
		    strerror(errno));
		return -1;
	}
	if ((ctx = seccomp_init(def)) == NULL) {
		(void)snprintf(err, errlen, "%s: seccomp_init failed", who);
		return -1;
	}
	/* A foreign ABI (x32, i386) is killed, whatever the table says. */
	if ((rc = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH,
	    SCMP_ACT_KILL_PROCESS)) != 0)
		goto fail;
	for (i = 0; i < n; i++) {
		rc = seccomp_rule_add_array(ctx, rules[i].action, rules[i].nr,
		    rules[i].narg, rules[i].narg ? rules[i].arg : NULL);
		if (rc != 0) {
			char	*name = seccomp_syscall_resolve_num_arch(
			    SCMP_ARCH_NATIVE, rules[i].nr);

			(void)snprintf(err, errlen, "%s: jail rule for %s: %s",
			    who, name ? name : "?", strerror(-rc));
			free(name);
			seccomp_release(ctx);
			return -1;
		}
	}
	if ((rc = seccomp_load(ctx)) != 0)
		goto fail;
	seccomp_release(ctx);
	return 0;
fail:
	(void)snprintf(err, errlen, "%s: seccomp: %s", who, strerror(-rc));
	seccomp_release(ctx);
	return -1;
}
