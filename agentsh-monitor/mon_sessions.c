/*
 * The monitor's record of sessions: who owns each, its workspace and its
 * policy.  It is the authority (agentshd holds a copy for queries), kept
 * in root-only files under sessions.base_dir so sessions survive restarts.
 */
#include "compat.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "monitor.h"
#include "mon_space.h"

static int
valid_client_id(const char *id)
{
	size_t	 n = strlen(id);

	if (n == 0 || n > 128 || !isalnum((unsigned char)id[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)id[i]) && id[i] != '_' &&
		    id[i] != '-')
			return 0;
	return 1;
}

static int
valid_policy_name(const char *name)
{
	size_t	 n = strlen(name);

	if (n == 0 || n > 128 || !isalnum((unsigned char)name[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)name[i]) && name[i] != '_' &&
		    name[i] != '-' && name[i] != '.')
			return 0;
	return 1;
}

static void
new_session_id(char *buf, size_t len)
{
	mon_uuid(buf, len, "session-");
}

struct mon_session *
mon_session_find(const char *id)
{
	struct mon_session	*s;

	TAILQ_FOREACH(s, &mon->sessions, entry)
		if (strcmp(s->id, id) == 0)
			return s;
	return NULL;
}

/* A caller sees and acts on its own sessions only; admins on all. */
int
mon_session_visible(const struct mon_conn *c, const struct mon_session *s)
{
	if (c->role == IPC_ROLE_ADMIN)
		return 1;
	return c->uid == s->owner_uid && strcmp(c->key_id, s->owner_key) == 0;
}

static void
env_free(char **env, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(env[i]);
	free(env);
}

static void
session_free(struct mon_session *s)
{
	if (s == NULL)
		return;
	mon_space_stop(s, "its record is dropped");
	env_free(s->env, s->nenv);
	free(s->cwd);
	free(s->workspace);
	free(s->mount_path);
	free(s->policy);
	free(s->state_reason);
	free(s->pol_blob);
	free(s);
}

static int
record_path(const char *id, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/%s.json",
	    mon->conf.sessions_base_dir, id) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Written whole or not at all: temp file, fsync, rename. */
static int
record_save(const struct mon_session *s)
{
	char	 path[PATH_MAX], tmp[PATH_MAX + 8];
	json_t	*o, *env;
	int	 fd = -1, rc = -1;
	char	*txt = NULL;

	if ((env = json_array()) == NULL)
		return -1;
	for (size_t i = 0; i < s->nenv; i++)
		json_array_append_new(env, json_string(s->env[i]));
	o = json_pack("{s:s, s:I, s:I, s:s, s:s, s:s, s:s, s:s, s:o, s:I, "
	    "s:I, s:i, s:i, s:s}",
	    "id", s->id, "owner_uid", (json_int_t)s->owner_uid,
	    "owner_gid", (json_int_t)s->owner_gid, "owner_key", s->owner_key,
	    "workspace", s->workspace, "mount_path", s->mount_path,
	    "policy", s->policy, "cwd", s->cwd, "env", env,
	    "created_ns", (json_int_t)s->created_ns,
	    "updated_ns", (json_int_t)s->updated_ns, "state", (int)s->state,
	    "flags", (int)s->flags,
	    "state_reason", s->state_reason ? s->state_reason : "");
	if (o == NULL || (txt = json_dumps(o, JSON_COMPACT)) == NULL)
		goto out;
	if (record_path(s->id, path, sizeof(path)) == -1)
		goto out;
	(void)snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1)
		goto out;
	if (write(fd, txt, strlen(txt)) != (ssize_t)strlen(txt) ||
	    write(fd, "\n", 1) != 1 || fsync(fd) == -1)
		goto out;
	if (rename(tmp, path) == -1)
		goto out;
	rc = 0;
out:
	if (rc == -1)
		log_warn("saving session %s", s->id);
	if (fd != -1)
		close(fd);
	free(txt);
	json_decref(o);
	return rc;
}

static struct mon_session *
record_load(const char *path)
{
	struct mon_session	*s;
	json_error_t		 jerr;
	json_t			*o, *env, *v;
	const char		*id, *key, *ws, *mp, *pol, *cwd, *reason;
	json_int_t		 uid, gid, cr, up;
	int			 state, flags;
	size_t			 i;

	if ((o = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		log_warnx("%s:%d: %s", path, jerr.line, jerr.text);
		return NULL;
	}
	if (json_unpack_ex(o, &jerr, JSON_STRICT, "{s:s, s:I, s:I, s:s, s:s, "
	    "s:s, s:s, s:s, s:o, s:I, s:I, s:i, s:i, s:s}", "id", &id,
	    "owner_uid", &uid, "owner_gid", &gid, "owner_key", &key,
	    "workspace", &ws, "mount_path", &mp, "policy", &pol, "cwd", &cwd,
	    "env", &env, "created_ns", &cr,
	    "updated_ns", &up, "state", &state, "flags", &flags,
	    "state_reason", &reason) == -1 || !valid_client_id(id) ||
	    strlen(key) > IPC_NAME_MAX || state < 0 ||
	    state >= IPC_SESS_STATE_MAX || (flags & ~IPC_SESS_F_ALL) ||
	    uid < 0 || gid < 0 || !json_is_array(env) ||
	    json_array_size(env) > IPC_SESS_ENV_MAX) {
		log_warnx("%s: not a session record (%s)", path, jerr.text);
		json_decref(o);
		return NULL;
	}
	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("calloc");
	(void)strlcpy(s->id, id, sizeof(s->id));
	(void)strlcpy(s->owner_key, key, sizeof(s->owner_key));
	s->owner_uid = (uid_t)uid;
	s->owner_gid = (gid_t)gid;
	s->created_ns = (uint64_t)cr;
	s->updated_ns = (uint64_t)up;
	s->state = (enum ipc_sess_state)state;
	s->flags = (uint32_t)flags;
	if ((s->workspace = strdup(ws)) == NULL ||
	    (s->mount_path = strdup(mp)) == NULL ||
	    (s->policy = strdup(pol)) == NULL ||
	    (s->cwd = strdup(cwd)) == NULL ||
	    (reason[0] != '\0' && (s->state_reason = strdup(reason)) == NULL))
		fatal("strdup");
	if ((s->env = calloc(json_array_size(env) + 1, sizeof(char *))) == NULL)
		fatal("calloc");
	json_array_foreach(env, i, v) {
		if (!json_is_string(v) ||
		    (s->env[s->nenv++] = strdup(json_string_value(v))) == NULL) {
			log_warnx("%s: bad env entry", path);
			json_decref(o);
			session_free(s);
			return NULL;
		}
	}
	json_decref(o);
	return s;
}

int
mon_sessions_load(void)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[PATH_MAX], err[IPC_ERRMSG_MAX];
	size_t		 l;

	if ((d = opendir(mon->conf.sessions_base_dir)) == NULL) {
		log_warn("%s", mon->conf.sessions_base_dir);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		struct mon_session	*s;

		l = strlen(de->d_name);
		if (l < 6 || strcmp(de->d_name + l - 5, ".json") != 0)
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s",
		    mon->conf.sessions_base_dir, de->d_name) >= sizeof(path))
			continue;
		if ((s = record_load(path)) == NULL)
			continue;
		if (mon_session_find(s->id) != NULL ||
		    strncmp(de->d_name, s->id, l - 5) != 0) {
			log_warnx("%s: record does not match its name", path);
			session_free(s);
			continue;
		}
		/* The policy file may have changed since: compile it again. */
		if (mon_policy_compile(s, err, sizeof(err)) == -1) {
			log_warnx("session %s: %s", s->id, err);
			s->state = IPC_SESS_BROKEN;
			free(s->state_reason);
			if ((s->state_reason = strdup(err)) == NULL)
				fatal("strdup");
		}
		TAILQ_INSERT_TAIL(&mon->sessions, s, entry);
		mon->nsessions++;
	}
	closedir(d);
	log_info("%d session(s) on record", mon->nsessions);
	return 0;
}

/* agentshd (re)started: give it the whole record, then say it is all. */
void
mon_sessions_sync(void)
{
	struct mon_session	*s;

	TAILQ_FOREACH(s, &mon->sessions, entry) {
		mon_agentshd_session_info(s);
		mon_policy_send(s);
	}
	(void)mon_peer_send(&mon->agentshd, IPC_SESS_SYNCED, 0, -1, NULL);
}

void
mon_sessions_free(void)
{
	struct mon_session	*s;

	while ((s = TAILQ_FIRST(&mon->sessions)) != NULL) {
		TAILQ_REMOVE(&mon->sessions, s, entry);
		session_free(s);
	}
	mon->nsessions = 0;
}

/*
 * Resolves the workspace as its owner would see it: a child takes the
 * owner's credentials, resolves symlinks and checks it can enter and read
 * the directory, so nobody names a directory they cannot use themselves.
 */
static int
resolve_workspace(uid_t uid, gid_t gid, const char *path, char *out,
    size_t outlen, char *err, size_t errlen)
{
	struct pollfd	 pfd;
	struct passwd	*pw;
	char		 buf[PATH_MAX + 2];
	int		 p[2], status, n;
	ssize_t		 r;
	size_t		 got = 0;
	pid_t		 pid;

	if (pipe2(p, O_CLOEXEC) == -1)
		goto syserr;
	if ((pid = fork()) == -1) {
		close(p[0]);
		close(p[1]);
		goto syserr;
	}
	if (pid == 0) {
		char		 res[PATH_MAX];
		struct stat	 st;
		const char	*why = NULL;

		close(p[0]);
		pw = getpwuid(uid);
		if ((pw != NULL ? initgroups(pw->pw_name, gid) :
		    setgroups(1, &gid)) == -1 ||
		    setresgid(gid, gid, gid) == -1 ||
		    setresuid(uid, uid, uid) == -1)
			why = "cannot take the owner's credentials";
		else if (realpath(path, res) == NULL)
			why = strerror(errno);
		else if (stat(res, &st) == -1)
			why = strerror(errno);
		else if (!S_ISDIR(st.st_mode))
			why = "not a directory";
		else if (access(res, R_OK | X_OK) == -1)
			why = "not readable and searchable by its owner";
		if (why != NULL)
			n = snprintf(buf, sizeof(buf), "E%s", why);
		else
			n = snprintf(buf, sizeof(buf), "O%s", res);
		if (n > 0 && write(p[1], buf, (size_t)n) == -1)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	pfd.fd = p[0];
	pfd.events = POLLIN;
	/* A hung filesystem must not hang the monitor. */
	while (got < sizeof(buf) - 1) {
		if (poll(&pfd, 1, 5000) <= 0) {
			kill(pid, SIGKILL);
			got = 0;
			break;
		}
		if ((r = read(p[0], buf + got, sizeof(buf) - 1 - got)) <= 0)
			break;
		got += (size_t)r;
	}
	buf[got] = '\0';
	close(p[0]);
	(void)waitpid(pid, &status, 0);
	if (got < 2 || (buf[0] != 'O' && buf[0] != 'E')) {
		(void)snprintf(err, errlen, "workspace %s: could not be checked",
		    path);
		return -1;
	}
	if (buf[0] == 'E') {
		(void)snprintf(err, errlen, "workspace %s: %s", path, buf + 1);
		return -1;
	}
	if (strlcpy(out, buf + 1, outlen) >= outlen) {
		(void)snprintf(err, errlen, "workspace %s: path too long", path);
		return -1;
	}
	return 0;
syserr:
	(void)snprintf(err, errlen, "workspace %s: %s", path, strerror(errno));
	return -1;
}

/* The policy must exist in policies.dir and be in policies.allowed. */
static int
check_policy(const char *name, char *err, size_t errlen)
{
	const struct mon_config	*c = &mon->conf;
	char			 path[PATH_MAX];
	struct stat		 st;
	size_t			 i;
	int			 found = 0;

	if (!valid_policy_name(name)) {
		(void)snprintf(err, errlen, "policy '%s': not a valid policy "
		    "name", name);
		return -1;
	}
	if (c->policies_allowed.n > 0) {
		for (i = 0; i < c->policies_allowed.n; i++)
			if (strcmp(c->policies_allowed.v[i], name) == 0)
				break;
		if (i == c->policies_allowed.n) {
			(void)snprintf(err, errlen, "policy '%s' is not in "
			    "policies.allowed", name);
			return -1;
		}
	}
	for (i = 0; i < 2 && !found; i++) {
		(void)snprintf(path, sizeof(path), "%s/%s.%s",
		    c->policies_dir, name, i == 0 ? "yaml" : "yml");
		found = stat(path, &st) == 0 && S_ISREG(st.st_mode);
	}
	if (!found) {
		(void)snprintf(err, errlen, "policy '%s': no such policy in %s",
		    name, c->policies_dir);
		return -1;
	}
	return 0;
}

/* Returns an HTTP status; on success the new id is in 'id'. */
int
mon_session_create(struct mon_conn *c, const struct ipc_sess_create *sc,
    char *id, size_t idlen, char *err, size_t errlen)
{
	struct mon_session	*s;
	char			 ws[PATH_MAX];
	const char		*policy;

	if (sc->id[0] != '\0') {
		if (!valid_client_id(sc->id)) {
			(void)snprintf(err, errlen, "id: must match "
			    "^[a-zA-Z0-9][a-zA-Z0-9_-]{0,127}$");
			return 400;
		}
		if (mon_session_find(sc->id) != NULL) {
			(void)snprintf(err, errlen, "session %s already exists",
			    sc->id);
			return 409;
		}
		(void)strlcpy(id, sc->id, idlen);
	} else {
		do {
			new_session_id(id, idlen);
		} while (mon_session_find(id) != NULL);
	}
	if (mon->nsessions >= mon->conf.max_sessions) {
		(void)snprintf(err, errlen, "sessions.max_sessions (%d) reached",
		    mon->conf.max_sessions);
		return 429;
	}
	if (sc->workspace[0] != '/') {
		(void)snprintf(err, errlen, "workspace: must be an absolute "
		    "path");
		return 400;
	}
	policy = sc->policy[0] != '\0' ? sc->policy : mon->conf.policies_default;
	if (check_policy(policy, err, errlen) == -1)
		return 400;
	if (resolve_workspace(c->uid, c->gid, sc->workspace, ws, sizeof(ws),
	    err, errlen) == -1)
		return 400;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("calloc");
	(void)strlcpy(s->id, id, sizeof(s->id));
	s->owner_uid = c->uid;
	s->owner_gid = c->gid;
	(void)strlcpy(s->owner_key, c->key_id, sizeof(s->owner_key));
	s->flags = sc->flags;
	if (mon->conf.real_paths)
		s->flags |= IPC_SESS_F_REAL_PATHS;
	if ((s->workspace = strdup(ws)) == NULL ||
	    (s->mount_path = strdup((s->flags & IPC_SESS_F_REAL_PATHS) ?
	    ws : "/workspace")) == NULL ||
	    (s->policy = strdup(policy)) == NULL ||
	    (s->cwd = strdup(s->mount_path)) == NULL ||
	    (s->env = calloc(1, sizeof(char *))) == NULL)
		fatal("strdup");
	s->created_ns = s->updated_ns = ipc_now_ns();
	s->state = IPC_SESS_READY;
	if (mon_policy_compile(s, err, errlen) == -1) {
		session_free(s);
		return 400;
	}
	if (mon_space_start(s, err, errlen) == -1) {
		session_free(s);
		return 500;
	}
	if (record_save(s) == -1) {
		session_free(s);
		(void)snprintf(err, errlen, "cannot record the session");
		return 500;
	}
	TAILQ_INSERT_TAIL(&mon->sessions, s, entry);
	mon->nsessions++;
	log_info("session %s created by %s: workspace %s, policy %s", s->id,
	    c->peer, s->workspace, s->policy);
	mon_agentshd_session_info(s);
	mon_policy_send(s);
	{
		char	 f[3][IPC_NAME_MAX + 16];
		const char *fv[3] = { f[0], f[1], f[2] };

		(void)snprintf(f[0], sizeof(f[0]), "s:policy=%s", s->policy);
		(void)snprintf(f[1], sizeof(f[1]), "i:owner_uid=%u",
		    (unsigned int)s->owner_uid);
		(void)snprintf(f[2], sizeof(f[2]), "b:real_paths=%s",
		    (s->flags & IPC_SESS_F_REAL_PATHS) ? "true" : "false");
		mon_event_session("session_created", s, fv, 3);
	}
	return 201;
}

int
mon_session_destroy(struct mon_conn *c, const char *id, char *err,
    size_t errlen)
{
	struct mon_session	*s;
	char			 path[PATH_MAX];

	if ((s = mon_session_find(id)) == NULL || !mon_session_visible(c, s)) {
		(void)snprintf(err, errlen, "session %s not found", id);
		return 404;
	}
	if (record_path(s->id, path, sizeof(path)) == 0 && unlink(path) == -1 &&
	    errno != ENOENT) {
		log_warn("%s", path);
		(void)snprintf(err, errlen, "cannot remove the session record");
		return 500;
	}
	mon_space_stop(s, "destroyed");
	TAILQ_REMOVE(&mon->sessions, s, entry);
	mon->nsessions--;
	log_info("session %s destroyed by %s", s->id, c->peer);
	mon_agentshd_session_gone(s->id);
	mon_event_session("session_destroyed", s, NULL, 0);
	session_free(s);
	return 200;
}

/* Its space failed to build or its init died: broken, on record and for
 * agentshd, until it is destroyed. */
void
mon_session_set_broken(struct mon_session *s, const char *why)
{
	char	*r;

	if ((r = strdup(why)) == NULL)
		fatal("strdup");
	free(s->state_reason);
	s->state_reason = r;
	s->state = IPC_SESS_BROKEN;
	s->updated_ns = ipc_now_ns();
	(void)record_save(s);
	mon_agentshd_session_info(s);
}

static int
valid_env_name(const char *n, size_t len)
{
	if (len == 0 || (!isalpha((unsigned char)n[0]) && n[0] != '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)n[i]) && n[i] != '_')
			return 0;
	return 1;
}

static ssize_t
env_find(char **env, size_t n, const char *name, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(env[i], name, len) == 0 && env[i][len] == '=')
			return (ssize_t)i;
	return -1;
}

/*
 * Builds the environment a PATCH asks for beside the old one; the caller
 * swaps it in only once it is valid whole and recorded on disk.
 */
static char **
env_build(const struct mon_session *s, const struct ipc_sess_update *su,
    size_t *np, char *err, size_t errlen)
{
	char	**env;
	size_t	 n = 0, bytes = 0;
	ssize_t	 at;

	if ((env = calloc(s->nenv + su->env.n + 1, sizeof(char *))) == NULL)
		fatal("calloc");
	for (size_t i = 0; i < s->nenv; i++)
		if ((env[n++] = strdup(s->env[i])) == NULL)
			fatal("strdup");
	for (uint32_t i = 0; i < su->unset.n; i++) {
		const char	*name = su->unset.v[i];

		if (!valid_env_name(name, strlen(name))) {
			(void)snprintf(err, errlen, "unset[%u]: '%s' is not a "
			    "variable name", i, name);
			goto bad;
		}
		if ((at = env_find(env, n, name, strlen(name))) != -1) {
			free(env[at]);
			env[at] = env[--n];
			env[n] = NULL;
		}
	}
	for (uint32_t i = 0; i < su->env.n; i++) {
		const char	*kv = su->env.v[i], *eq = strchr(kv, '=');

		if (eq == NULL || !valid_env_name(kv, (size_t)(eq - kv))) {
			(void)snprintf(err, errlen, "env: '%.*s' is not a "
			    "variable name", (int)(eq ? eq - kv : 64), kv);
			goto bad;
		}
		if ((at = env_find(env, n, kv, (size_t)(eq - kv))) != -1)
			free(env[at]);
		else
			at = (ssize_t)n++;
		if ((env[at] = strdup(kv)) == NULL)
			fatal("strdup");
	}
	for (size_t i = 0; i < n; i++)
		bytes += strlen(env[i]) + 1;
	if (n > IPC_SESS_ENV_MAX || bytes > 65536) {
		(void)snprintf(err, errlen, "env: at most %d variables and 64 "
		    "KiB in all", IPC_SESS_ENV_MAX);
		goto bad;
	}
	*np = n;
	return env;
bad:
	env_free(env, n);
	return NULL;
}

/* Names of what changed; values can be secrets and stay out of the log. */
static void
session_updated_event(const struct mon_session *s,
    const struct ipc_sess_update *su)
{
	char		 f[3][1024];
	const char	*fv[3];
	size_t		 n = 0;

	if (su->what & IPC_SESS_UPD_CWD) {
		(void)snprintf(f[n], sizeof(f[n]), "s:cwd=%s", su->cwd);
		fv[n] = f[n];
		n++;
	}
	for (int k = 0; k < 2; k++) {
		const struct ipc_strv	*sv = k == 0 ? &su->env : &su->unset;
		size_t			 o;

		if (sv->n == 0)
			continue;
		o = (size_t)snprintf(f[n], sizeof(f[n]), "s:%s=",
		    k == 0 ? "env_set" : "env_unset");
		for (uint32_t i = 0; i < sv->n && o < sizeof(f[n]); i++)
			o += (size_t)snprintf(f[n] + o, sizeof(f[n]) - o,
			    "%s%.*s", i ? "," : "", (int)strcspn(sv->v[i], "="),
			    sv->v[i]);
		fv[n] = f[n];
		n++;
	}
	mon_event_session("session_updated", s, fv, n);
}

int
mon_session_update(struct mon_conn *c, const struct ipc_sess_update *su,
    char *err, size_t errlen)
{
	struct mon_session	*s;
	char			*ocwd, **oenv, *ncwd = NULL, **nenv = NULL;
	size_t			 onenv, nn = 0;

	if ((s = mon_session_find(su->id)) == NULL ||
	    !mon_session_visible(c, s)) {
		(void)snprintf(err, errlen, "session %s not found", su->id);
		return 404;
	}
	if (su->what & IPC_SESS_UPD_CWD) {
		if (su->cwd[0] != '/') {
			(void)snprintf(err, errlen, "cwd: must be an absolute "
			    "path");
			return 400;
		}
		if ((ncwd = strdup(su->cwd)) == NULL)
			fatal("strdup");
	}
	if ((su->what & IPC_SESS_UPD_ENV) &&
	    (nenv = env_build(s, su, &nn, err, errlen)) == NULL) {
		free(ncwd);
		return 400;
	}
	ocwd = s->cwd;
	oenv = s->env;
	onenv = s->nenv;
	if (ncwd != NULL)
		s->cwd = ncwd;
	if (nenv != NULL) {
		s->env = nenv;
		s->nenv = nn;
	}
	s->updated_ns = ipc_now_ns();
	if (record_save(s) == -1) {
		/* Nothing changes unless it is on disk. */
		s->cwd = ocwd;
		s->env = oenv;
		s->nenv = onenv;
		free(ncwd);
		if (nenv != NULL)
			env_free(nenv, nn);
		(void)snprintf(err, errlen, "cannot record the session");
		return 500;
	}
	if (ncwd != NULL)
		free(ocwd);
	if (nenv != NULL)
		env_free(oenv, onenv);
	log_info("session %s updated by %s", s->id, c->peer);
	mon_agentshd_session_info(s);
	session_updated_event(s, su);
	return 200;
}
