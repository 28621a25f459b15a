/*
 * The session's Landlock layer: scoping only (Landlock ABI 6).  A
 * process of the session cannot connect to an abstract Unix socket that
 * a process outside the session created (D-Bus, X11, systemd's), nor
 * signal a process outside the session.  The ruleset handles no file
 * system or network access rights: those come from the policy later.
 * Applied by the init to itself before it forks any command, so every
 * command is in the domain and the init is in it with them.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/syscall.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agentsh-unixwrap.h"

#ifndef LANDLOCK_CREATE_RULESET_VERSION
#define LANDLOCK_CREATE_RULESET_VERSION		 (1U << 0)
#endif
#define UW_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET	 (1ULL << 0)
#define UW_LANDLOCK_SCOPE_SIGNAL		 (1ULL << 1)
#define UW_LANDLOCK_SCOPE_ABI			 6

/* struct landlock_ruleset_attr as of ABI 6 (older headers lack it). */
struct uw_landlock_attr {
	uint64_t	 handled_access_fs;
	uint64_t	 handled_access_net;
	uint64_t	 scoped;
};

/* The kernel's Landlock ABI version; 0 when Landlock is off or absent. */
int
uw_landlock_abi(void)
{
	long	 v;

	v = syscall(SYS_landlock_create_ruleset, NULL, 0,
	    LANDLOCK_CREATE_RULESET_VERSION);
	return v < 0 ? 0 : (int)v;
}

/*
 * Returns 0 when the scope is in force, 1 when this kernel's Landlock is
 * too old for it (the caller reports the layer missing), -1 on error.
 */
int
uw_landlock_scope(char *err, size_t errlen)
{
	struct uw_landlock_attr	 attr;
	int			 abi, fd;

	if ((abi = uw_landlock_abi()) < UW_LANDLOCK_SCOPE_ABI)
		return 1;
	memset(&attr, 0, sizeof(attr));
	attr.scoped = UW_LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET |
	    UW_LANDLOCK_SCOPE_SIGNAL;
	if ((fd = (int)syscall(SYS_landlock_create_ruleset, &attr,
	    sizeof(attr), 0)) == -1) {
		(void)snprintf(err, errlen, "landlock_create_ruleset (ABI %d): "
		    "%s", abi, strerror(errno));
		return -1;
	}
	if (syscall(SYS_landlock_restrict_self, fd, 0) == -1) {
		(void)snprintf(err, errlen, "landlock_restrict_self: %s",
		    strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}
