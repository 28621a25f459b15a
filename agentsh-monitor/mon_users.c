/*
 * The system users the suite runs its helpers as (privsep.user for
 * agentshd, privsep.audit_user for the audit writer): created when
 * missing, with no login shell, no home and a group of their own.  And
 * the identity of a session's owner: its groups, and taking it on.
 */
#include "compat.h"

#include <sys/wait.h>

#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "pathnames.h"

static int
create_user(const char *name)
{
	char *const	 argv[] = { "useradd", "--system", "--user-group",
	    "--no-create-home", "--home-dir", "/nonexistent", "--shell",
	    "/usr/sbin/nologin", "--comment", "agentsh privilege separation",
	    (char *)name, NULL };
	char *const	 envp[] = { "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	pid_t		 pid;
	int		 status;

	log_info("creating system user %s", name);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		execve(_PATH_USERADD, argv, envp);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) == -1)
		return -1;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		log_warnx("%s %s failed (status %d)", _PATH_USERADD, name,
		    WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		return -1;
	}
	return 0;
}

static int
ensure(const char *name, uid_t *uid, gid_t *gid)
{
	struct passwd	*pw;

	if ((pw = getpwnam(name)) == NULL) {
		if (create_user(name) == -1 || (pw = getpwnam(name)) == NULL) {
			log_warnx("system user %s is missing and could not be "
			    "created", name);
			return -1;
		}
	}
	if (pw->pw_uid == 0) {
		log_warnx("system user %s has uid 0: the helpers it runs "
		    "must not be root", name);
		return -1;
	}
	*uid = pw->pw_uid;
	*gid = pw->pw_gid;
	return 0;
}

int
mon_users_ensure(void)
{
	if (ensure(mon->conf.privsep_user, &mon->d_uid, &mon->d_gid) == -1)
		return -1;
	if (ensure(mon->conf.privsep_audit_user, &mon->audit_uid,
	    &mon->audit_gid) == -1)
		return -1;
	if (mon->audit_uid == mon->d_uid) {
		log_warnx("privsep.user and privsep.audit_user must be "
		    "different users");
		return -1;
	}
	return 0;
}

/*
 * The supplementary groups uid has by its passwd entry (gid among them);
 * a uid without an entry has gid alone.  The caller frees the array.
 */
gid_t *
mon_users_groups(uid_t uid, gid_t gid, size_t *np)
{
	struct passwd	*pw;
	gid_t		*g;
	int		 n = 16;

	if ((pw = getpwuid(uid)) == NULL) {
		if ((g = calloc(1, sizeof(*g))) == NULL)
			return NULL;
		g[0] = gid;
		*np = 1;
		return g;
	}
	for (;;) {
		int	 want = n;

		if ((g = calloc((size_t)n, sizeof(*g))) == NULL)
			return NULL;
		if (getgrouplist(pw->pw_name, gid, g, &want) != -1) {
			*np = (size_t)want;
			return g;
		}
		free(g);
		if (want <= n || want > 65536) {
			errno = E2BIG;
			return NULL;
		}
		n = want;
	}
}

/* In a child of the monitor: become uid for good, with its groups. */
int
mon_users_become(uid_t uid, gid_t gid)
{
	struct passwd	*pw = getpwuid(uid);

	if ((pw != NULL ? initgroups(pw->pw_name, gid) :
	    setgroups(1, &gid)) == -1 ||
	    setresgid(gid, gid, gid) == -1 ||
	    setresuid(uid, uid, uid) == -1)
		return -1;
	return 0;
}
