/*
 * agentshd as a peer of the monitor: how it is started, what it may ask
 * in each phase, and the answers.  agentshd parses every byte a client
 * sends and must be harmless if compromised, so each request names a
 * connection id the monitor issued, and the monitor decides with the
 * identity it read itself.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "mon_space.h"
#include "keys.h"
#include "pathnames.h"

enum {
	PHASE_START = 0,	/* until it says it is jailed */
	PHASE_SERVE,
	PHASE_MAX
};

static void	d_ready(struct mon_peer *, struct ipc_msg *, void *);
static void	d_ping(struct mon_peer *, struct ipc_msg *, void *);
static void	d_auth_key(struct mon_peer *, struct ipc_msg *, void *);
static void	d_sess_create(struct mon_peer *, struct ipc_msg *, void *);
static void	d_sess_destroy(struct mon_peer *, struct ipc_msg *, void *);
static void	d_sess_update(struct mon_peer *, struct ipc_msg *, void *);
static void	d_exec(struct mon_peer *, struct ipc_msg *, void *);
static void	d_exec_kill(struct mon_peer *, struct ipc_msg *, void *);

static const struct mon_dispatch d_start[] = {
	{ IPC_D_READY,		MON_PERMIT | MON_ONCE,	d_ready },
	{ 0, 0, NULL }
};

static const struct mon_dispatch d_serve[] = {
	{ IPC_PING,		MON_PERMIT,		d_ping },
	{ IPC_AUTH_KEY,		MON_PERMIT,		d_auth_key },
	{ IPC_SESS_CREATE,	MON_PERMIT,		d_sess_create },
	{ IPC_SESS_DESTROY,	MON_PERMIT,		d_sess_destroy },
	{ IPC_SESS_UPDATE,	MON_PERMIT,		d_sess_update },
	{ IPC_EXEC,		MON_PERMIT,		d_exec },
	{ IPC_EXEC_KILL,	MON_PERMIT,		d_exec_kill },
	{ 0, 0, NULL }
};

static const struct mon_dispatch *const d_table[PHASE_MAX] = {
	d_start, d_serve
};

int
mon_agentshd_start(struct mon_peer *p)
{
	struct ipc_d_conf	 dc;
	char			 path[PATH_MAX], cg[PATH_MAX], db[PATH_MAX];
	char			*argv[4], **inj = NULL;
	int			 n = 0, rc;
	const char		*fake;

	if (ipc_find_binary(AGENTSHD_NAME, AGENTSH_SBINDIR, path,
	    sizeof(path)) == -1) {
		log_warn("%s", AGENTSHD_NAME);
		return -1;
	}
#ifdef AGENTSH_REGRESS
	/* Regress only: a stand-in that tries to forge identities. */
	if ((fake = getenv("AGENTSH_REGRESS_FAKE_AGENTSHD")) != NULL &&
	    *fake != '\0') {
		log_warnx("regress: running %s as agentshd", fake);
		(void)strlcpy(path, fake, sizeof(path));
	}
#else
	(void)fake;
#endif
	argv[n++] = "agentshd";
	if (mon->verbose)
		argv[n++] = "-v";
	argv[n] = NULL;
	if (mon_cgroup_helpers_dir(cg, sizeof(cg)) == -1)
		return -1;
	p->table = d_table;
	p->nphases = PHASE_MAX;
	if (mon_peer_spawn(p, path, argv, mon->d_uid, mon->d_gid, cg,
	    IPC_CHAN_FDPASS, NULL, 0) == -1)
		return -1;

	if ((size_t)snprintf(db, sizeof(db), "%s/db", mon->data_dir) >=
	    sizeof(db)) {
		mon_peer_kill(p, "data directory path too long");
		return -1;
	}
	memset(&dc, 0, sizeof(dc));
	dc.data_dir = db;
	dc.max_request_size = mon->conf.http_max_request_size;
	dc.read_timeout_ms = (uint32_t)mon->conf.http_read_timeout_ms;
	dc.write_timeout_ms = (uint32_t)mon->conf.http_write_timeout_ms;
	dc.idle_timeout_ms = 60000;
	dc.max_conns = 256;
	dc.auth_type = mon->conf.auth_type == CFG_AUTH_API_KEY ?
	    IPC_D_AUTH_API_KEY : IPC_D_AUTH_NONE;
	dc.api_key_header = mon->conf.api_key_header;
	dc.shellc_opaque = (uint32_t)mon->conf.shellc_opaque;
	dc.env_inject.n = (uint32_t)mon->conf.env_inject.n;
	if (dc.env_inject.n > 0) {
		if ((inj = calloc(dc.env_inject.n + 1, sizeof(*inj))) == NULL)
			fatal("calloc");
		for (size_t i = 0; i < mon->conf.env_inject.n; i++)
			if (asprintf(&inj[i], "%s=%s",
			    mon->conf.env_inject.v[i].key,
			    mon->conf.env_inject.v[i].value) == -1)
				fatal("asprintf");
		dc.env_inject.v = (const char **)inj;
	}
	rc = mon_peer_send(p, IPC_D_CONF, 0, -1, &dc);
	for (size_t i = 0; inj != NULL && i < dc.env_inject.n; i++)
		free(inj[i]);
	free(inj);
	if (rc == -1) {
		mon_peer_kill(p, "cannot send its configuration");
		return -1;
	}
	return 0;
}

static void
d_ready(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	p->phase = PHASE_SERVE;
	p->ready = 1;
	log_debug("agentshd[%d] jailed and serving", (int)p->pid);
	mon_audit_link();
	mon_sessions_sync();
	mon_listen_enable(1);
	mon_agentshd_ready();
}

static void
d_ping(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	(void)mon_peer_send(p, IPC_PONG, m->hdr.peerid, -1, st);
}

/* The connection a request names, if it is one we issued and still open. */
static struct mon_conn *
live_conn(uint64_t connid)
{
	struct mon_conn	*c;

	if ((c = mon_conn_find(connid)) == NULL)
		return NULL;
	if (!mon_conn_alive(c)) {
		mon_conn_drop(c, 1);
		return NULL;
	}
	return c;
}

static void
d_auth_key(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_auth_key	*a = st;
	struct ipc_auth_key_r	 r;
	struct mon_conn		*c;
	const struct keys_entry	*e = NULL;

	memset(&r, 0, sizeof(r));
	r.connid = a->connid;
	r.key_id = "";
	c = live_conn(a->connid);
	/* Keys identify TCP clients only; a Unix peer is its uid. */
	if (c != NULL && c->kind == IPC_CONN_TCP && mon->keys != NULL)
		e = keys_lookup(mon->keys, a->key, strlen(a->key));
	if (e != NULL && e->role > KEYS_ROLE_ADMIN)
		e = NULL;
	/* One key per connection: a second, different one is refused. */
	if (e != NULL && (c->key_id[0] == '\0' ||
	    strcmp(c->key_id, e->id) == 0)) {
		c->role = e->role == KEYS_ROLE_ADMIN ? IPC_ROLE_ADMIN :
		    e->role == KEYS_ROLE_APPROVER ? IPC_ROLE_APPROVER :
		    IPC_ROLE_AGENT;
		(void)strlcpy(c->key_id, e->id, sizeof(c->key_id));
		r.ok = 1;
		r.role = c->role;
		r.uid = c->uid;
		r.key_id = c->key_id;
		log_debug("connection %llu: key %s, role %s",
		    (unsigned long long)c->id, c->key_id,
		    keys_role_name(e->role));
	} else if (c != NULL)
		log_info("connection %llu (%s): API key refused",
		    (unsigned long long)c->id, c->peer);
	(void)mon_peer_send(p, IPC_AUTH_KEY_R, m->hdr.peerid, -1, &r);
}

static void
sess_answer(struct mon_peer *p, uint32_t type, uint32_t peerid, int status,
    const char *id, const char *err)
{
	struct ipc_sess_r	 r;

	r.status = (uint32_t)status;
	r.id = id != NULL ? id : "";
	r.error = err != NULL ? err : "";
	(void)mon_peer_send(p, type, peerid, -1, &r);
}

static void
d_sess_create(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_sess_create	*sc = st;
	struct mon_conn		*c;
	char			 id[IPC_ID_MAX + 1], err[IPC_ERRMSG_MAX];
	int			 status;

	if ((c = live_conn(sc->connid)) == NULL) {
		sess_answer(p, IPC_SESS_CREATE_R, m->hdr.peerid, 401, NULL,
		    "no such connection");
		return;
	}
	status = mon_session_create(c, sc, id, sizeof(id), err, sizeof(err));
	sess_answer(p, IPC_SESS_CREATE_R, m->hdr.peerid, status,
	    status < 300 ? id : NULL, status < 300 ? NULL : err);
}

static void
d_sess_destroy(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_sess_destroy	*sd = st;
	struct mon_conn		*c;
	char			 err[IPC_ERRMSG_MAX];
	int			 status;

	if ((c = live_conn(sd->connid)) == NULL) {
		sess_answer(p, IPC_SESS_DESTROY_R, m->hdr.peerid, 401, NULL,
		    "no such connection");
		return;
	}
	status = mon_session_destroy(c, sd->id, err, sizeof(err));
	sess_answer(p, IPC_SESS_DESTROY_R, m->hdr.peerid, status, sd->id,
	    status < 300 ? NULL : err);
}

static void
d_sess_update(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_sess_update	*su = st;
	struct mon_conn		*c;
	char			 err[IPC_ERRMSG_MAX];
	int			 status;

	if ((c = live_conn(su->connid)) == NULL) {
		sess_answer(p, IPC_SESS_UPDATE_R, m->hdr.peerid, 401, NULL,
		    "no such connection");
		return;
	}
	status = mon_session_update(c, su, err, sizeof(err));
	sess_answer(p, IPC_SESS_UPDATE_R, m->hdr.peerid, status, su->id,
	    status < 300 ? NULL : err);
}

static void
d_exec(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_exec		*ex = st;
	struct mon_conn		*c;

	if ((c = live_conn(ex->connid)) == NULL) {
		mon_exec_answer_error(m->hdr.peerid, 401, ex->id,
		    "no such connection");
		return;
	}
	mon_exec_request(c, m->hdr.peerid, ex);
}

static void
d_exec_kill(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_exec_kill	*k = st;
	struct mon_conn		*c;

	/* 0: agentshd's own, for a client that has gone (checked there). */
	if (k->connid == 0) {
		mon_exec_kill(NULL, m->hdr.peerid, k);
		return;
	}
	if ((c = live_conn(k->connid)) == NULL) {
		sess_answer(p, IPC_EXEC_KILL_R, m->hdr.peerid, 401, k->id,
		    "no such connection");
		return;
	}
	mon_exec_kill(c, m->hdr.peerid, k);
}

void
mon_agentshd_session_info(const struct mon_session *s)
{
	struct ipc_sess_info	 si;
	const char		*enf[8];

	if (mon->agentshd.phase != PHASE_SERVE)
		return;		/* sent in bulk once it is ready */
	memset(&si, 0, sizeof(si));
	si.id = s->id;
	si.owner_uid = s->owner_uid;
	si.owner_key = s->owner_key;
	si.workspace = s->workspace;
	si.mount_path = s->mount_path;
	si.policy = s->policy;
	si.cwd = s->cwd;
	si.created_ns = s->created_ns;
	si.updated_ns = s->updated_ns;
	si.state = s->state;
	si.flags = s->flags;
	si.state_reason = s->state_reason != NULL ? s->state_reason : "";
	si.env.n = (uint32_t)s->nenv;
	si.env.v = (const char **)s->env;
	/* What really is in force: the layers of its running space. */
	si.enforcement.n = (uint32_t)mon_space_enforcement(s, enf,
	    nitems(enf));
	si.enforcement.v = enf;
	(void)mon_peer_send(&mon->agentshd, IPC_SESS_INFO, 0, -1, &si);
}

void
mon_agentshd_session_gone(const char *id)
{
	struct ipc_sess_gone	 g = { id };

	if (mon->agentshd.phase == PHASE_SERVE)
		(void)mon_peer_send(&mon->agentshd, IPC_SESS_GONE, 0, -1, &g);
}
