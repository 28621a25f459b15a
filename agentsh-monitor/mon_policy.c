/*
 * A session's policy: loaded from policies.dir (root-owned files) with the
 * session's variables and compiled by the monitor; the compiled form goes
 * to agentshd in a sealed memfd, where it is untrusted input again.
 *
 * Variables are what commands see: WORKSPACE is where the workspace is
 * mounted in the session, PROJECT_ROOT and GIT_ROOT are detected on the
 * host and moved under that mount (a root above the workspace is not
 * visible inside: the workspace stands in), HOME is the owner's.
 */
#include "compat.h"

#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "policy.h"

/* The host path 'v' as commands in the session see it. */
static int
in_session(const struct mon_session *s, const char *v, char *out,
    size_t outlen)
{
	size_t	 wl = strlen(s->workspace);

	if (strncmp(v, s->workspace, wl) == 0 &&
	    (v[wl] == '\0' || v[wl] == '/'))
		return (size_t)snprintf(out, outlen, "%s%s", s->mount_path,
		    v + wl) < outlen ? 0 : -1;
	return strlcpy(out, s->mount_path, outlen) < outlen ? 0 : -1;
}

static struct pol_vars *
session_vars(const struct mon_session *s, char *err, size_t errlen)
{
	const struct cfg_strlist *m = &mon->conf.project_markers;
	static const char *const vnames[] = { "PROJECT_ROOT", "GIT_ROOT" };
	struct pol_vars	*v;
	struct passwd	*pw;
	const char	*home = NULL, *cur;
	char		 buf[PATH_MAX];
	char		**markers = NULL;

	if ((v = pol_vars_new()) == NULL) {
		(void)snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if ((pw = getpwuid(s->owner_uid)) != NULL)
		home = pw->pw_dir;
	if (m->n > 0) {
		if ((markers = calloc(m->n + 1, sizeof(*markers))) == NULL)
			fatal("calloc");
		memcpy(markers, m->v, m->n * sizeof(*markers));
	}
	if (pol_vars_session(v, s->workspace, home,
	    mon->conf.detect_project_root, (const char *const *)markers, err,
	    errlen) == -1)
		goto bad;
	for (size_t i = 0; i < nitems(vnames); i++) {
		if ((cur = pol_vars_get(v, vnames[i])) == NULL)
			continue;
		if (in_session(s, cur, buf, sizeof(buf)) == -1 ||
		    pol_vars_set(v, vnames[i], buf) == -1)
			goto toolong;
	}
	if (pol_vars_set(v, "WORKSPACE", s->mount_path) == -1)
		goto toolong;
	free(markers);
	return v;
toolong:
	(void)snprintf(err, errlen, "session variables: path too long");
bad:
	free(markers);
	pol_vars_free(v);
	return NULL;
}

/* Loads and compiles the session's policy; the error names file:line. */
int
mon_policy_compile(struct mon_session *s, char *err, size_t errlen)
{
	struct pol_vars	*v;
	struct pol	*p;
	char		 path[PATH_MAX];
	uint8_t		*blob;
	size_t		 len;

	if (pol_resolve(mon->conf.policies_dir, s->policy, path, sizeof(path),
	    err, errlen) == -1)
		return -1;
	if ((v = session_vars(s, err, errlen)) == NULL)
		return -1;
	/* Compiled here, matched elsewhere: no JIT pages in the monitor. */
	p = pol_load_file(path, v, POL_LOAD_NOJIT, err, errlen);
	pol_vars_free(v);
	if (p == NULL)
		return -1;
	if (pol_serialize(p, &blob, &len) == -1) {
		pol_free(p);
		(void)snprintf(err, errlen, "policy %s: cannot compile: %s",
		    s->policy, strerror(errno));
		return -1;
	}
	pol_free(p);
	free(s->pol_blob);
	s->pol_blob = blob;
	s->pol_len = len;
	return 0;
}

/* To agentshd: the compiled policy in a memfd sealed against change. */
void
mon_policy_send(const struct mon_session *s)
{
	struct ipc_sess_policy	 sp = { s->id };
	size_t			 off = 0;
	ssize_t			 n;
	int			 fd;

	if (s->pol_blob == NULL || !mon->agentshd.ready)
		return;
	if ((fd = memfd_create("agentsh-policy", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1) {
		log_warn("memfd_create");
		return;
	}
	while (off < s->pol_len) {
		if ((n = write(fd, s->pol_blob + off, s->pol_len - off)) <= 0) {
			log_warn("policy of %s", s->id);
			close(fd);
			return;
		}
		off += (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) == -1) {
		log_warn("sealing the policy of %s", s->id);
		close(fd);
		return;
	}
	(void)mon_peer_send(&mon->agentshd, IPC_SESS_POLICY, 0, fd, &sp);
}
