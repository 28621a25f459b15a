/*
 * agentshd's store: one LMDB environment, opened before the jail with a
 * fixed map size, written by agentshd alone.  Named databases:
 *   sessions	id -> session JSON (the copy of the monitor's record)
 *   events	session \0 time(be64) seq(be64) -> header, type, command, JSON
 *   events_t	time(be64) seq(be64) -> session  (search across sessions)
 *   owners	session -> owner uid \0 key id  (outlives the session)
 *   output	session \0 command \0 stream offset(be64) -> a chunk; at
 *		offset 2^64-1, when a stream outgrew what is kept of it, its
 *		real length (be64)
 *
 * Events are written in batches: one write transaction collects them
 * until store_events_commit(), which agentshd calls on a short timer, on
 * a full batch and before answering anything that must see them.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "agentshd.h"
#include "ipc_msg.h"
#include "audit_json.h"
#include "ipc_log.h"

/* Sparse: only what is written takes disk space. */
#define STORE_MAP_SIZE	 (8ULL << 30)
#define STORE_MAX_DBS	 16

struct store {
	MDB_env		*env;
	MDB_dbi		 sessions;
	MDB_dbi		 events;
	MDB_dbi		 events_t;
	MDB_dbi		 owners;
	MDB_dbi		 output;
	MDB_txn		*batch;		/* open write transaction, or NULL */
	size_t		 nbatch;
	size_t		 output_bytes;	/* of output in the batch */
};

/* The value header of an event. */
struct ev_hdr {
	uint8_t		 version;
	uint8_t		 decision;
	uint16_t	 typelen;
	uint16_t	 cmdlen;
	uint16_t	 pad;
};

struct store *
store_open(const char *dir, char *err, size_t errlen)
{
	struct store	*st;
	MDB_txn		*txn = NULL;
	int		 rc;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		(void)snprintf(err, errlen, "store: out of memory");
		return NULL;
	}
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, STORE_MAP_SIZE)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, STORE_MAX_DBS)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)) != 0 ||
	    (rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, "sessions", MDB_CREATE,
	    &st->sessions)) != 0 ||
	    (rc = mdb_dbi_open(txn, "events", MDB_CREATE, &st->events)) != 0 ||
	    (rc = mdb_dbi_open(txn, "events_t", MDB_CREATE,
	    &st->events_t)) != 0 ||
	    (rc = mdb_dbi_open(txn, "owners", MDB_CREATE, &st->owners)) != 0 ||
	    (rc = mdb_dbi_open(txn, "output", MDB_CREATE, &st->output)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		(void)snprintf(err, errlen, "store %s: %s", dir,
		    mdb_strerror(rc));
		if (txn != NULL && rc != 0)
			mdb_txn_abort(txn);
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	(void)store_events_commit(st);
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st);
}

/*
 * The one write transaction, opened when needed: LMDB allows a single
 * writer, and a second begin in this thread would wait for ourselves.
 */
static MDB_txn *
batch_txn(struct store *st)
{
	int	 rc;

	if (st->batch == NULL &&
	    (rc = mdb_txn_begin(st->env, NULL, 0, &st->batch)) != 0) {
		log_warnx("store: %s", mdb_strerror(rc));
		st->batch = NULL;
	}
	return st->batch;
}

/* Session records are rare: put and commit at once. */
static int
put_now(struct store *st, MDB_dbi dbi, MDB_val *k, MDB_val *v,
    const char *what)
{
	MDB_txn	*txn;
	int	 rc;

	if ((txn = batch_txn(st)) == NULL)
		return -1;
	rc = v != NULL ? mdb_put(txn, dbi, k, v, 0) :
	    mdb_del(txn, dbi, k, NULL);
	if (rc != 0 && !(v == NULL && rc == MDB_NOTFOUND)) {
		log_warnx("store: %s: %s", what, mdb_strerror(rc));
		return -1;
	}
	return store_events_commit(st);
}

int
store_put_session(struct store *st, const char *id, const char *json)
{
	MDB_val	 k = { strlen(id), (void *)id };
	MDB_val	 v = { strlen(json), (void *)json };

	return put_now(st, st->sessions, &k, &v, id);
}

int
store_del_session(struct store *st, const char *id)
{
	MDB_val	 k = { strlen(id), (void *)id };

	return put_now(st, st->sessions, &k, NULL, id);
}

static void
be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t	 v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

int
store_owner_put(struct store *st, const char *sid, uid_t uid,
    const char *key_id)
{
	MDB_val	 k = { strlen(sid), (void *)sid }, v;
	char	 buf[IPC_NAME_MAX + 32];
	int	 n;

	n = snprintf(buf, sizeof(buf), "%u", (unsigned int)uid);
	(void)strlcpy(buf + n + 1, key_id, sizeof(buf) - (size_t)n - 1);
	v.mv_size = (size_t)n + 1 + strlen(key_id);
	v.mv_data = buf;
	return put_now(st, st->owners, &k, &v, sid);
}

/* Adds one event to the open batch (opening it when needed). */
int
store_event_put(struct store *st, const char *sid, uint64_t ts,
    uint64_t seq, const char *type, const char *cmd, uint8_t decision,
    const void *json, size_t jlen)
{
	struct ev_hdr	 h;
	uint8_t		 kb[IPC_ID_MAX + 1 + 16], *vb;
	size_t		 sl = strlen(sid), vl;
	MDB_val		 k, v, kt, vt;
	int		 rc;

	if (sl > IPC_ID_MAX || batch_txn(st) == NULL)
		return -1;
	memcpy(kb, sid, sl);
	kb[sl] = '\0';
	be64(kb + sl + 1, ts);
	be64(kb + sl + 9, seq);
	k.mv_size = sl + 17;
	k.mv_data = kb;
	memset(&h, 0, sizeof(h));
	h.version = 1;
	h.decision = decision;
	h.typelen = (uint16_t)strlen(type);
	h.cmdlen = (uint16_t)strlen(cmd);
	vl = sizeof(h) + h.typelen + h.cmdlen + jlen;
	/* LMDB copies the value in: reserve and fill in place. */
	v.mv_size = vl;
	v.mv_data = NULL;
	if ((rc = mdb_put(st->batch, st->events, &k, &v, MDB_RESERVE)) != 0)
		goto bad;
	vb = v.mv_data;
	memcpy(vb, &h, sizeof(h));
	memcpy(vb + sizeof(h), type, h.typelen);
	memcpy(vb + sizeof(h) + h.typelen, cmd, h.cmdlen);
	memcpy(vb + sizeof(h) + h.typelen + h.cmdlen, json, jlen);
	kt.mv_size = 16;
	kt.mv_data = kb + sl + 1;
	vt.mv_size = sl;
	vt.mv_data = (void *)sid;
	if ((rc = mdb_put(st->batch, st->events_t, &kt, &vt, 0)) != 0)
		goto bad;
	st->nbatch++;
	return 0;
bad:
	/* A failed write spoils the transaction: nothing of it is kept, and
	 * nothing of it was acknowledged, so the writer still holds it. */
	log_warnx("store: event not stored: %s", mdb_strerror(rc));
	mdb_txn_abort(st->batch);
	st->batch = NULL;
	st->nbatch = 0;
	return -1;
}

size_t
store_events_pending(const struct store *st)
{
	return st->batch != NULL ? st->nbatch : 0;
}

int
store_events_commit(struct store *st)
{
	int	 rc;

	if (st->batch == NULL)
		return 0;
	rc = mdb_txn_commit(st->batch);
	st->batch = NULL;
	st->nbatch = 0;
	st->output_bytes = 0;
	if (rc != 0) {
		log_warnx("store: commit: %s", mdb_strerror(rc));
		return -1;
	}
	return 0;
}

/* Decodes a stored event value; -1 when it is not one of ours. */
static int
ev_value(const MDB_val *v, struct store_event *e)
{
	struct ev_hdr	 h;

	if (v->mv_size < sizeof(h))
		return -1;
	memcpy(&h, v->mv_data, sizeof(h));
	if (h.version != 1 || v->mv_size < sizeof(h) + h.typelen + h.cmdlen)
		return -1;
	e->decision = h.decision;
	e->type = (const char *)v->mv_data + sizeof(h);
	e->typelen = h.typelen;
	e->cmd = e->type + h.typelen;
	e->cmdlen = h.cmdlen;
	e->json = e->cmd + h.cmdlen;
	e->jsonlen = v->mv_size - sizeof(h) - h.typelen - h.cmdlen;
	return 0;
}

static int
owner_of(MDB_txn *txn, struct store *st, const char *sid, size_t sl,
    uid_t *uid, const char **key)
{
	MDB_val	 k = { sl, (void *)sid }, v;
	const char *p;

	if (mdb_get(txn, st->owners, &k, &v) != 0)
		return -1;
	p = v.mv_data;
	if (v.mv_size == 0 || memchr(p, '\0', v.mv_size) == NULL)
		return -1;
	*uid = (uid_t)strtoul(p, NULL, 10);
	*key = p + strlen(p) + 1;
	return 0;
}

/*
 * Walks events in time order (or reverse) and gives each to fn until it
 * returns non-zero.  With a session, only that session's; else every
 * session, each event with its owner (for the caller's visibility check).
 */
int
store_events_walk(struct store *st, const char *sid, uint64_t since,
    uint64_t until, int desc, store_walk_fn fn, void *arg)
{
	MDB_txn		*txn;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	MDB_dbi		 dbi = sid != NULL ? st->events : st->events_t;
	uint8_t		 kb[IPC_ID_MAX + 1 + 16];
	size_t		 sl = sid != NULL ? strlen(sid) : 0, pre;
	struct store_event e;
	MDB_cursor_op	 step;
	int		 rc, stop = 0;

	if (sl > IPC_ID_MAX)
		return 0;
	if ((rc = mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn)) != 0) {
		log_warnx("store: %s", mdb_strerror(rc));
		return -1;
	}
	if ((rc = mdb_cursor_open(txn, dbi, &cur)) != 0) {
		mdb_txn_abort(txn);
		return -1;
	}
	pre = sid != NULL ? sl + 1 : 0;
	if (sid != NULL) {
		memcpy(kb, sid, sl);
		kb[sl] = '\0';
	}
	/* Position at the first key in range for the direction. */
	be64(kb + pre, desc ? until : since);
	be64(kb + pre + 8, desc ? UINT64_MAX : 0);
	k.mv_size = pre + 16;
	k.mv_data = kb;
	rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE);
	if (desc) {
		if (rc == MDB_NOTFOUND)
			rc = mdb_cursor_get(cur, &k, &v, MDB_LAST);
		else if (rc == 0 && (k.mv_size != pre + 16 ||
		    memcmp(k.mv_data, kb, pre + 16) > 0))
			rc = mdb_cursor_get(cur, &k, &v, MDB_PREV);
	}
	step = desc ? MDB_PREV : MDB_NEXT;
	for (; rc == 0 && !stop; rc = mdb_cursor_get(cur, &k, &v, step)) {
		const uint8_t	*kp = k.mv_data;
		uint64_t	 ts;

		if (k.mv_size != pre + 16 || (pre > 0 && memcmp(kp, kb, pre)))
			break;
		ts = get_be64(kp + pre);
		if (ts < since || ts > until)
			break;
		memset(&e, 0, sizeof(e));
		e.ts = ts;
		e.seq = get_be64(kp + pre + 8);
		if (sid != NULL) {
			e.sid = sid;
			e.sidlen = sl;
			if (ev_value(&v, &e) == -1)
				continue;
		} else {
			MDB_val	 pk, pv;
			uint8_t	 pb[IPC_ID_MAX + 1 + 16];

			if (v.mv_size > IPC_ID_MAX)
				continue;
			memcpy(pb, v.mv_data, v.mv_size);
			pb[v.mv_size] = '\0';
			memcpy(pb + v.mv_size + 1, kp, 16);
			pk.mv_size = v.mv_size + 17;
			pk.mv_data = pb;
			e.sid = v.mv_data;
			e.sidlen = v.mv_size;
			if (mdb_get(txn, st->events, &pk, &pv) != 0 ||
			    ev_value(&pv, &e) == -1)
				continue;
			if (owner_of(txn, st, e.sid, e.sidlen, &e.owner_uid,
			    &e.owner_key) == -1)
				e.owner_key = NULL;
		}
		stop = fn(&e, arg);
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	return 0;
}

static size_t
output_key(uint8_t *kb, const char *sid, const char *cid, int stream,
    uint64_t off)
{
	size_t	 sl = strlen(sid), cl = strlen(cid);

	memcpy(kb, sid, sl);
	kb[sl] = '\0';
	memcpy(kb + sl + 1, cid, cl);
	kb[sl + 1 + cl] = '\0';
	kb[sl + cl + 2] = (uint8_t)stream;
	be64(kb + sl + cl + 3, off);
	return sl + cl + 11;
}

/*
 * A chunk of a command's output, at its offset in the stream; off
 * STORE_OUTPUT_CUT with an 8-byte length marks where keeping it stopped.
 * It goes in a transaction nested in the batch: a failure here (the map
 * full, say) loses this chunk, never the events the batch holds.
 */
int
store_output_put(struct store *st, const char *sid, const char *cid,
    int stream, uint64_t off, const void *data, size_t len)
{
	uint8_t	 kb[2 * IPC_ID_MAX + 16], lb[8];
	MDB_val	 k, v = { len, (void *)data };
	MDB_txn	*txn;
	int	 rc;

	if (strlen(sid) > IPC_ID_MAX || strlen(cid) > IPC_ID_MAX ||
	    batch_txn(st) == NULL)
		return -1;
	if (off == STORE_OUTPUT_CUT) {
		be64(lb, *(const uint64_t *)data);
		v.mv_size = sizeof(lb);
		v.mv_data = lb;
	}
	k.mv_size = output_key(kb, sid, cid, stream, off);
	k.mv_data = kb;
	if ((rc = mdb_txn_begin(st->env, st->batch, 0, &txn)) != 0 ||
	    (rc = mdb_put(txn, st->output, &k, &v, 0)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		if (rc != 0 && txn != NULL)
			mdb_txn_abort(txn);
		log_warnx("store: output of %s: %s", cid, mdb_strerror(rc));
		return -1;
	}
	st->nbatch++;
	st->output_bytes += len;
	return 0;
}

/* Output in the open batch: past a few MiB it is committed, so one
 * write transaction never grows without bound. */
size_t
store_output_pending(const struct store *st)
{
	return st->batch != NULL ? st->output_bytes : 0;
}

/* Forgets the output of every command of a session. */
int
store_output_del(struct store *st, const char *sid)
{
	MDB_cursor	*cur;
	MDB_val		 k, v;
	size_t		 sl = strlen(sid);
	int		 rc;

	if (sl > IPC_ID_MAX || batch_txn(st) == NULL)
		return -1;
	if ((rc = mdb_cursor_open(st->batch, st->output, &cur)) != 0) {
		log_warnx("store: output of %s: %s", sid, mdb_strerror(rc));
		return -1;
	}
	k.mv_size = sl + 1;
	k.mv_data = (void *)sid;	/* sid \0: the prefix of its keys */
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		if (k.mv_size <= sl || memcmp(k.mv_data, sid, sl + 1) != 0)
			break;
		if ((rc = mdb_cursor_del(cur, 0)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND) {
		log_warnx("store: output of %s: %s", sid, mdb_strerror(rc));
		return -1;
	}
	return store_events_commit(st);
}

/*
 * Copies up to 'max' bytes of a stream from 'off' into out (an audit_buf);
 * *total is the stream's length, *kept how much of it is stored (less when
 * it outgrew what is kept).  -1 when the command has no output stored for
 * that stream at all.
 */
int
store_output_read(struct store *st, const char *sid, const char *cid,
    int stream, uint64_t off, size_t max, struct audit_buf *out,
    uint64_t *total, uint64_t *kept)
{
	MDB_txn		*txn;
	MDB_cursor	*cur;
	MDB_val		 k, v;
	uint8_t		 kb[2 * IPC_ID_MAX + 16];
	size_t		 pre, kl;
	int		 rc, found = 0;

	*total = *kept = 0;
	if (strlen(sid) > IPC_ID_MAX || strlen(cid) > IPC_ID_MAX)
		return -1;
	kl = output_key(kb, sid, cid, stream, 0);
	pre = kl - 8;
	if (mdb_txn_begin(st->env, NULL, MDB_RDONLY, &txn) != 0)
		return -1;
	if (mdb_cursor_open(txn, st->output, &cur) != 0) {
		mdb_txn_abort(txn);
		return -1;
	}
	k.mv_size = kl;
	k.mv_data = kb;
	for (rc = mdb_cursor_get(cur, &k, &v, MDB_SET_RANGE); rc == 0;
	    rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) {
		uint64_t	 co, ce;

		if (k.mv_size != kl || memcmp(k.mv_data, kb, pre) != 0)
			break;
		found = 1;
		co = get_be64((const uint8_t *)k.mv_data + pre);
		if (co == STORE_OUTPUT_CUT) {
			if (v.mv_size == 8)
				*total = get_be64(v.mv_data);
			continue;
		}
		ce = co + v.mv_size;
		if (ce > *kept)
			*kept = ce;
		if (ce <= off || out->len >= max || co > off + out->len)
			continue;
		{
			size_t	 skip = (size_t)(off + out->len - co);
			size_t	 n = v.mv_size - skip;

			if (n > max - out->len)
				n = max - out->len;
			if (audit_buf_add(out, (const uint8_t *)v.mv_data +
			    skip, n) == -1)
				break;
		}
	}
	mdb_cursor_close(cur);
	mdb_txn_abort(txn);
	if (*total < *kept)
		*total = *kept;
	return found ? 0 : -1;
}
