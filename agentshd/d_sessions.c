/*
 * agentshd's copy of the monitor's session record: kept for queries,
 * refreshed by every IPC_SESS_INFO, rebuilt whole when agentshd starts.
 * Decisions about sessions are the monitor's; this copy only answers GETs.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "agentshd.h"
#include "ipc_log.h"
#include "policy.h"

struct d_session *
d_session_find(const char *id)
{
	struct d_session	*s;

	TAILQ_FOREACH(s, &d->sessions, entry)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

int
d_session_visible(const struct d_conn *c, const struct d_session *s)
{
	if (c->role == IPC_ROLE_ADMIN)
		return 1;
	return c->uid == s->owner_uid && strcmp(c->key_id, s->owner_key) == 0;
}

static void
session_free(struct d_session *s)
{
	if (s == NULL)
		return;
	free(s->id);
	free(s->owner_key);
	free(s->workspace);
	free(s->mount_path);
	free(s->policy);
	free(s->cwd);
	free(s->state_reason);
	for (size_t i = 0; i < s->nenforcement; i++)
		free(s->enforcement[i]);
	free(s->enforcement);
	for (size_t i = 0; i < s->nenv; i++)
		freezero(s->env[i], strlen(s->env[i]));
	free(s->env);
	pol_free(s->pol);
	free(s);
}

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

void
d_session_info(const struct ipc_sess_info *si)
{
	struct d_session	*s, *old;
	json_t			*j;
	char			*txt;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("calloc");
	s->id = xstrdup(si->id);
	s->owner_uid = si->owner_uid;
	s->owner_key = xstrdup(si->owner_key);
	s->workspace = xstrdup(si->workspace);
	s->mount_path = xstrdup(si->mount_path);
	s->policy = xstrdup(si->policy);
	s->cwd = xstrdup(si->cwd);
	s->created_ns = si->created_ns;
	s->updated_ns = si->updated_ns;
	s->state = si->state;
	s->flags = si->flags;
	s->state_reason = xstrdup(si->state_reason);
	if ((s->enforcement = calloc(si->enforcement.n + 1,
	    sizeof(char *))) == NULL)
		fatal("calloc");
	for (uint32_t i = 0; i < si->enforcement.n; i++)
		s->enforcement[s->nenforcement++] =
		    xstrdup(si->enforcement.v[i]);
	if ((s->env = calloc(si->env.n + 1, sizeof(char *))) == NULL)
		fatal("calloc");
	for (uint32_t i = 0; i < si->env.n; i++)
		s->env[s->nenv++] = xstrdup(si->env.v[i]);

	/* The owner outlives the session: its events stay its own. */
	if ((old = d_session_find(s->id)) == NULL)
		(void)store_owner_put(d->store, s->id, s->owner_uid,
		    s->owner_key);
	if (old != NULL) {
		/* The policy comes on its own: an update keeps it. */
		s->pol = old->pol;
		old->pol = NULL;
		TAILQ_INSERT_AFTER(&d->sessions, old, s, entry);
		TAILQ_REMOVE(&d->sessions, old, entry);
		session_free(old);
	} else
		TAILQ_INSERT_TAIL(&d->sessions, s, entry);

	if ((j = d_session_json(s)) != NULL &&
	    (txt = json_dumps(j, JSON_COMPACT)) != NULL) {
		if (store_put_session(d->store, s->id, txt) == -1)
			log_warnx("session %s: not stored", s->id);
		free(txt);
	}
	json_decref(j);
}

void
d_session_gone(const char *id)
{
	struct d_session	*s;

	if ((s = d_session_find(id)) == NULL)
		return;
	TAILQ_REMOVE(&d->sessions, s, entry);
	(void)store_del_session(d->store, id);
	/* Its output is its commands', not the next session's of that id. */
	(void)store_output_del(d->store, id);
	session_free(s);
}

void
d_sessions_free(void)
{
	struct d_session	*s;

	while ((s = TAILQ_FIRST(&d->sessions)) != NULL) {
		TAILQ_REMOVE(&d->sessions, s, entry);
		session_free(s);
	}
}

/* The session JSON of the API (id first). */
json_t *
d_session_json(const struct d_session *s)
{
	char	 cr[64], up[64];
	json_t	*o, *enf;

	if ((enf = json_array()) == NULL)
		return NULL;
	for (size_t i = 0; i < s->nenforcement; i++)
		json_array_append_new(enf, json_string(s->enforcement[i]));
	o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:b, s:{s:I}, "
	    "s:o}",
	    "id", s->id,
	    "state", s->state == IPC_SESS_READY ? "ready" : "failed",
	    "created_at", api_time_rfc3339(s->created_ns, cr, sizeof(cr)),
	    "updated_at", api_time_rfc3339(s->updated_ns, up, sizeof(up)),
	    "workspace", s->workspace,
	    "cwd", s->cwd,
	    "policy", s->policy,
	    "real_paths", (s->flags & IPC_SESS_F_REAL_PATHS) != 0,
	    "owner", "uid", (json_int_t)s->owner_uid,
	    "enforcement", enf);
	if (o == NULL)
		return NULL;
	if (s->owner_key[0] != '\0')
		json_object_set_new(json_object_get(o, "owner"), "key_id",
		    json_string(s->owner_key));
	if (s->state_reason[0] != '\0')
		json_object_set_new(o, "state_reason",
		    json_string(s->state_reason));
	return o;
}

/*
 * A session's compiled policy from the monitor: a memfd that must be
 * sealed against change, decoded as untrusted input (no JIT: the jail
 * allows no executable memory).
 */
void
d_session_policy(const char *id, int fd)
{
	struct d_session	*s;
	struct stat		 st;
	struct pol		*p;
	uint8_t			*buf = NULL;
	char			 err[512];
	int			 seals;
	size_t			 off = 0;
	ssize_t			 n;

	if ((s = d_session_find(id)) == NULL) {
		log_warnx("policy for unknown session %s", id);
		goto out;
	}
	seals = fcntl(fd, F_GET_SEALS);
	if (seals == -1 || (seals & (F_SEAL_WRITE | F_SEAL_SHRINK |
	    F_SEAL_GROW)) != (F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW) ||
	    fstat(fd, &st) == -1 || st.st_size <= 0 ||
	    st.st_size > POL_LOAD_MAXSIZE)
		fatalx("session %s: the monitor sent an unsealed or bad policy",
		    id);
	if ((buf = malloc((size_t)st.st_size)) == NULL)
		fatal("malloc");
	while (off < (size_t)st.st_size) {
		if ((n = pread(fd, buf + off, (size_t)st.st_size - off,
		    (off_t)off)) <= 0)
			fatal("reading the policy of %s", id);
		off += (size_t)n;
	}
	if ((p = pol_deserialize(buf, off, POL_LOAD_NOJIT, err,
	    sizeof(err))) == NULL)
		fatalx("session %s: the monitor sent a policy that does not "
		    "decode: %s", id, err);
	pol_free(s->pol);
	s->pol = p;
out:
	free(buf);
	close(fd);
}
