/*
 * Client connections as the monitor described them.  agentshd never
 * decides who a client is: a Unix client is the uid the monitor read; a
 * TCP client is sessions.run_as until the monitor accepts an API key for
 * that connection.  Requests wait while the monitor judges a key.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "agentshd.h"
#include "http.h"
#include "ipc_log.h"

struct d_conn *
d_conn_find(uint64_t id)
{
	struct d_conn	*c;

	TAILQ_FOREACH(c, &d->conns, entry)
		if (c->id == id)
			return c;
	return NULL;
}

void
d_conn_new(const struct ipc_conn_new *cn, int fd)
{
	struct d_conn	*c;

	if (d_conn_find(cn->connid) != NULL)
		fatalx("monitor reused connection id %llu",
		    (unsigned long long)cn->connid);
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		close(fd);
		return;
	}
	c->id = cn->connid;
	c->kind = cn->kind;
	c->uid = cn->uid;
	c->gid = cn->gid;
	c->pid = cn->pid;
	c->role = cn->role;
	(void)strlcpy(c->peer, cn->peer, sizeof(c->peer));
	TAILQ_INIT(&c->waiting);
	TAILQ_INSERT_TAIL(&d->conns, c, entry);
	/* From here on the HTTP layer owns fd, and tells us when it closes. */
	if (http_server_adopt(d->http, fd, c->id, c) == -1)
		log_warnx("connection %llu: could not be served",
		    (unsigned long long)c->id);
}

static void
conn_free(struct d_conn *c)
{
	struct d_parked	*p;

	while ((p = TAILQ_FIRST(&c->waiting)) != NULL) {
		TAILQ_REMOVE(&c->waiting, p, entry);
		free(p);
	}
	if (c->key != NULL)
		freezero(c->key, strlen(c->key));
	free(c);
}

/* Gone: closed by the client, by the HTTP layer, or by the monitor. */
void
d_conn_gone(uint64_t id)
{
	struct d_conn	*c;

	if ((c = d_conn_find(id)) == NULL)
		return;
	TAILQ_REMOVE(&d->conns, c, entry);
	http_server_close_conn(d->http, id);
	conn_free(c);
}

void
d_conn_forget_req(struct http_req *req)
{
	struct d_conn	*c;
	struct d_parked	*p, *n;

	TAILQ_FOREACH(c, &d->conns, entry)
		TAILQ_FOREACH_SAFE(p, &c->waiting, entry, n)
			if (p->req == req) {
				TAILQ_REMOVE(&c->waiting, p, entry);
				free(p);
			}
}

void
d_conn_key_answer(const struct ipc_auth_key_r *r)
{
	struct d_conn	*c;
	struct d_parked	*p;

	if ((c = d_conn_find(r->connid)) == NULL ||
	    c->key_state != D_KEY_PENDING)
		return;
	if (r->ok) {
		c->key_state = D_KEY_BOUND;
		c->role = r->role;
		c->uid = r->uid;
		(void)strlcpy(c->key_id, r->key_id, sizeof(c->key_id));
	} else
		c->key_state = D_KEY_REFUSED;
	/* Each waiting request is dispatched again, now with a verdict. */
	while ((p = TAILQ_FIRST(&c->waiting)) != NULL) {
		struct http_req	*req = p->req;

		TAILQ_REMOVE(&c->waiting, p, entry);
		free(p);
		api_dispatch(req);
	}
}

static int
park(struct d_conn *c, struct http_req *req)
{
	struct d_parked	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		http_reply_error(req, 500, "out of memory");
		return -1;
	}
	p->req = req;
	TAILQ_INSERT_TAIL(&c->waiting, p, entry);
	return 0;
}

/*
 * 1: go on; 0: parked until the monitor judged the key (the request is
 * dispatched again then); -1: answered already.
 */
int
d_conn_authorize(struct http_req *req)
{
	struct d_conn		*c = req->conn_arg;
	struct ipc_auth_key	 ak;
	const char		*key;
	size_t			 kl;

	if (c == NULL) {
		http_reply_error(req, 401, "unknown connection");
		return -1;
	}
	if (c->kind != IPC_CONN_TCP || d->auth_type != IPC_D_AUTH_API_KEY)
		return 1;
	key = http_req_header(req, d->key_header);
	switch (c->key_state) {
	case D_KEY_BOUND:
		kl = key != NULL ? strlen(key) : 0;
		if (key == NULL || kl != strlen(c->key) ||
		    sodium_memcmp(key, c->key, kl) != 0) {
			http_reply_error(req, 401, "%s does not match the key "
			    "this connection was authenticated with",
			    d->key_header);
			return -1;
		}
		return 1;
	case D_KEY_REFUSED:
		http_reply_error(req, 401, "invalid API key");
		return -1;
	case D_KEY_PENDING:
		return park(c, req) == -1 ? -1 : 0;
	case D_KEY_NONE:
		if (key == NULL || *key == '\0') {
			http_reply_error(req, 401, "missing API key (header "
			    "%s)", d->key_header);
			return -1;
		}
		if (strlen(key) > IPC_KEY_MAX) {
			http_reply_error(req, 401, "invalid API key");
			return -1;
		}
		if ((c->key = strdup(key)) == NULL || park(c, req) == -1) {
			http_reply_error(req, 500, "out of memory");
			return -1;
		}
		c->key_state = D_KEY_PENDING;
		ak.connid = c->id;
		ak.key = c->key;
		if (ipc_send(&d->mon, IPC_AUTH_KEY, 0, -1, &ak) == -1) {
			d_conn_forget_req(req);
			http_reply_error(req, 503, "the monitor is not "
			    "reachable");
			return -1;
		}
		return 0;
	}
	return -1;
}
