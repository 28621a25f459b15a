/*
 * Events in agentshd: records from the audit writer go into the store in
 * batches; once a batch is committed it is acknowledged to the writer and
 * published to live subscribers.  A subscriber that cannot keep up is
 * dropped (with a subscriber_dropped event), never the store.  agentshd's
 * own events go to the writer like any source's.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agentshd.h"
#include "audit_event.h"
#include "d_exec.h"
#include "http.h"
#include "ipc_log.h"

#define BATCH_MAX	 2048
#define BATCH_MS	 10
#define SUB_PENDING_MAX	 (1024 * 1024)

/* A committed-or-pending event waiting to be published. */
struct d_pub {
	TAILQ_ENTRY(d_pub)	 entry;
	char			 sid[IPC_ID_MAX + 1];
	size_t			 len;
	char			 json[];
};
TAILQ_HEAD(d_pub_list, d_pub);

struct d_sub {
	TAILQ_ENTRY(d_sub)	 entry;
	struct http_req		*req;
	char			 sid[IPC_ID_MAX + 1];
};

static struct {
	struct ipc_chan		 ch;
	int			 up;
	struct event		*ev_commit;
	uint64_t		 last_seq;	/* stored, not yet acked */
	int			 have_last;
	struct d_pub_list	 pubs;
	TAILQ_HEAD(, d_sub)	 subs;
	uint64_t		 src_seq;
	uint64_t		 stored;
} E = {
	.pubs = TAILQ_HEAD_INITIALIZER(E.pubs),
	.subs = TAILQ_HEAD_INITIALIZER(E.subs),
};

static void	evchan_msg(struct ipc_chan *, struct ipc_msg *, void *);
static void	evchan_err(struct ipc_chan *, int, const char *, void *);

static void
publish(struct d_pub *p)
{
	struct d_sub	*s, *n;

	TAILQ_FOREACH_SAFE(s, &E.subs, entry, n) {
		if (strcmp(s->sid, p->sid) != 0)
			continue;
		if (http_stream_pending(s->req) > SUB_PENDING_MAX) {
			d_events_drop_sub(s->req, "too slow");
			continue;
		}
		if (http_stream_write(s->req, "data: ", 6) == -1 ||
		    http_stream_write(s->req, p->json, p->len) == -1 ||
		    http_stream_write(s->req, "\n\n", 2) == -1)
			d_events_drop_sub(s->req, "write failed");
	}
}

/* Commits the batch, acknowledges it, and publishes what it held. */
void
d_events_commit(void)
{
	struct ipc_ev_ack	 ack;
	struct d_pub		*p;

#ifdef AGENTSH_REGRESS
	/* Regress only: a store that cannot keep up. */
	if (getenv("AGENTSH_REGRESS_SLOW_STORE") != NULL &&
	    store_events_pending(d->store) > 0)
		usleep(1000 * (useconds_t)atoi(
		    getenv("AGENTSH_REGRESS_SLOW_STORE")));
#endif
	/* Lost with the batch: acknowledging later ones would drop them
	 * from the writer too, so restart and have them replayed. */
	if (store_events_pending(d->store) > 0 &&
	    store_events_commit(d->store) == -1)
		fatalx("events not stored; restarting so that they are "
		    "replayed");
	if (E.have_last && E.up) {
		ack.seq = E.last_seq;
		(void)ipc_send(&E.ch, IPC_EV_ACK, 0, -1, &ack);
		E.have_last = 0;
	}
	while ((p = TAILQ_FIRST(&E.pubs)) != NULL) {
		TAILQ_REMOVE(&E.pubs, p, entry);
		publish(p);
		free(p);
	}
}

static void
commit_cb(evutil_socket_t fd, short what, void *arg)
{
	d_events_commit();
}

static void
record(const struct ipc_evb_entry *e)
{
	struct d_pub	*p;

	/*
	 * A failed put spoils the whole batch, and a later acknowledgement
	 * would cover what it lost: start again instead, and the audit
	 * writer replays everything not acknowledged to the new agentshd.
	 */
	if (store_event_put(d->store, e->session_id, e->ts_ns, e->seq,
	    e->type, e->command_id, e->decision, e->json, e->jsonlen) == -1)
		fatalx("event %llu of session %s not stored; restarting so "
		    "that it is replayed", (unsigned long long)e->seq,
		    e->session_id);
	E.stored++;
	E.last_seq = e->seq;
	E.have_last = 1;
	d_exec_event(e->session_id, e->command_id, e->type, e->decision,
	    e->json, e->jsonlen);
	if (!TAILQ_EMPTY(&E.subs)) {
		if ((p = malloc(sizeof(*p) + e->jsonlen)) == NULL)
			fatal("malloc");
		(void)strlcpy(p->sid, e->session_id, sizeof(p->sid));
		p->len = e->jsonlen;
		memcpy(p->json, e->json, e->jsonlen);
		TAILQ_INSERT_TAIL(&E.pubs, p, entry);
	}
	if (store_events_pending(d->store) >= BATCH_MAX)
		d_events_commit();
}

static void
batch(const struct ipc_ev_batch *b)
{
	struct ipc_evb_entry	 e;
	struct timeval		 tv = { 0, BATCH_MS * 1000 };
	size_t			 off = 0;
	uint32_t		 n = 0;
	int			 r;

	while ((r = ipc_evb_next(&b->entries, &off, &e)) == 1) {
		record(&e);
		n++;
	}
	if (r == -1 || n != b->count)
		fatalx("the audit writer sent a malformed batch");
	if (store_events_pending(d->store) > 0 &&
	    !evtimer_pending(E.ev_commit, NULL))
		evtimer_add(E.ev_commit, &tv);
}

static void
barrier(const struct ipc_ev_barrier *b)
{
	/* Whoever waits for these must find them all in the store. */
	d_events_commit();
	log_debug("events of %s/%s complete (%llu stored so far)",
	    b->session_id, b->command_id, (unsigned long long)E.stored);
	d_exec_barrier(b->session_id, b->command_id);
}

static void
evchan_msg(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	char	 st[sizeof(struct ipc_ev_batch) + 64], why[160];

	if (ipc_decode(m->hdr.type, m->data, m->datalen, st, why,
	    sizeof(why)) == -1)
		fatalx("the audit writer sent a bad %s: %s",
		    ipc_msg_name(m->hdr.type), why);
	switch (m->hdr.type) {
	case IPC_EV_BATCH:
		batch((struct ipc_ev_batch *)st);
		break;
	case IPC_EV_BARRIER:
		barrier((struct ipc_ev_barrier *)st);
		break;
	default:
		fatalx("the audit writer sent %s",
		    ipc_msg_name(m->hdr.type));
	}
	ipc_decoded_free(m->hdr.type, st);
}

static void
evchan_err(struct ipc_chan *ch, int err, const char *why, void *arg)
{
	/* The writer restarts; the monitor sends a new channel then. */
	log_info("event channel closed (%s)", err ? why : "writer gone");
	d_events_commit();
	ipc_chan_clear(&E.ch);
	E.up = 0;
}

static void
regress_forge(void)
{
#ifdef AGENTSH_REGRESS
	struct ipc_event	 ev;

	if (getenv("AGENTSH_REGRESS_FORGE_EVENT") == NULL)
		return;
	audit_event_init(&ev, "file_open");
	ev.path = "/etc/forged-by-agentshd";
	log_info("regress: sending an event claiming to be the supervisor's");
	d_event_emit_as(&ev, IPC_SRC_SUPERVISOR);
#endif
}

/* The monitor joined us to the (new) audit writer. */
void
d_events_attach(int fd)
{
	if (E.ev_commit == NULL &&
	    (E.ev_commit = evtimer_new(d->base, commit_cb, NULL)) == NULL)
		fatalx("evtimer_new");
	if (E.up) {
		d_events_commit();
		ipc_chan_clear(&E.ch);
	}
	if (ipc_chan_init(&E.ch, fd, 0) == -1 ||
	    ipc_ev_attach(&E.ch, d->base, evchan_msg, evchan_err, NULL) == -1)
		fatal("event channel");
	E.up = 1;
	log_debug("event channel to the audit writer attached");
	regress_forge();
}

void
d_event_emit_as(struct ipc_event *ev, enum ipc_ev_source src)
{
	if (!E.up) {
		log_warnx("event %s lost: no channel to the audit writer",
		    ev->type);
		return;
	}
	ev->source = src;
	ev->src_seq = ++E.src_seq;
	if (ev->ts_ns == 0)
		ev->ts_ns = ipc_now_ns();
	if (ipc_send(&E.ch, IPC_EVENT, 0, -1, ev) == -1)
		log_warn("event %s", ev->type);
}

/* Other messages of a source (W_EXPECT, DRAINED) on the same channel. */
void
d_event_send(uint32_t type, const void *st)
{
	if (E.up && ipc_send(&E.ch, type, 0, -1, st) == -1)
		log_warn("%s", ipc_msg_name(type));
}

void
d_event_emit(struct ipc_event *ev)
{
	d_event_emit_as(ev, IPC_SRC_AGENTSHD);
}

void
d_events_subscribe(struct http_req *req, const char *sid)
{
	struct d_sub	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		http_reply_error(req, 500, "out of memory");
		return;
	}
	if (http_stream_start(req, 200, "text/event-stream") == -1 ||
	    http_stream_write(req, "event: ready\ndata: {}\n\n", 23) == -1) {
		free(s);
		return;
	}
	s->req = req;
	(void)strlcpy(s->sid, sid, sizeof(s->sid));
	TAILQ_INSERT_TAIL(&E.subs, s, entry);
}

/* 1 if req was a subscriber (now forgotten), else 0. */
int
d_events_forget(struct http_req *req)
{
	struct d_sub	*s;

	TAILQ_FOREACH(s, &E.subs, entry)
		if (s->req == req) {
			TAILQ_REMOVE(&E.subs, s, entry);
			free(s);
			return 1;
		}
	return 0;
}

/* A subscriber too slow to keep: end its stream and say so. */
void
d_events_drop_sub(struct http_req *req, const char *why)
{
	struct ipc_event	 ev;
	char			 f[2][64], sid[IPC_ID_MAX + 1] = "";
	const char		*fv[2] = { f[0], f[1] };
	struct d_sub		*s;
	size_t			 pending = http_stream_pending(req);

	TAILQ_FOREACH(s, &E.subs, entry)
		if (s->req == req)
			(void)strlcpy(sid, s->sid, sizeof(sid));
	if (!d_events_forget(req))
		return;
	http_stream_end(req);
	log_info("event subscriber of %s dropped: %s (%zu bytes behind)", sid,
	    why, pending);
	audit_event_init(&ev, "subscriber_dropped");
	ev.session_id = sid;
	(void)snprintf(f[0], sizeof(f[0]), "s:reason=%s", why);
	(void)snprintf(f[1], sizeof(f[1]), "i:pending_bytes=%zu", pending);
	ev.fields.n = 2;
	ev.fields.v = fv;
	d_event_emit(&ev);
}
