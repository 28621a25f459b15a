/*
 * The audit writer process (agentsh-monitor -A); see auditw.h.
 *
 * Order of events is the order the writer reads them: one source's events
 * stay in order, the log and agentshd see the same sequence.  A record is
 * kept until agentshd says it is stored, so a restarted agentshd gets
 * again what it had not stored; when too much waits, the sources wait.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/random.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/event.h>

#include "audit.h"
#include "audit_event.h"
#include "auditw.h"
#include "ipc.h"
#include "ipc_log.h"
#include "ipc_msg.h"

#define DRAIN_TTL_S	 600

struct src {
	TAILQ_ENTRY(src)	 entry;
	enum ipc_ev_source	 kind;
	char			 name[IPC_NAME_MAX + 1];
	struct ipc_chan		 ch;
	int			 is_ctl;
};
TAILQ_HEAD(src_list, src);

/* An encoded message for agentshd, kept until acknowledged. */
struct fwd {
	TAILQ_ENTRY(fwd)	 entry;
	uint32_t		 type;
	uint64_t		 seq;
	size_t			 len;
	uint8_t			 buf[];
};
TAILQ_HEAD(fwd_list, fwd);

struct drain {
	TAILQ_ENTRY(drain)	 entry;
	char			 sid[IPC_ID_MAX + 1];
	char			 cid[IPC_ID_MAX + 1];
	uint32_t		 expect;
	uint32_t		 drained;
	int			 have_expect;
	time_t			 born;
};
TAILQ_HEAD(drain_list, drain);

static struct {
	struct event_base	*base;
	struct audit_writer	*w;
	struct audit_key	*key;
	struct src		 ctl;
	struct src_list		 srcs;
	struct src		*agentshd;
	struct fwd_list		 unacked;
	size_t			 unacked_bytes;
	size_t			 unacked_max;
	int			 stalled;
	uint64_t		 next_seq;
	struct drain_list	 drains;
	struct audit_buf	 json;
	uint8_t			*batch;		/* entries for agentshd */
	size_t			 batchlen;
	uint32_t		 batchn;
	uint64_t		 batch_last;
	struct event		*ev_batch;
	struct event		*ev_tick;
	struct event		*ev_head;
	struct event		*ev_term;
	int64_t			 head_logged;
	int			 head_log;
} W;

static void	src_msg(struct ipc_chan *, struct ipc_msg *, void *);
static void	src_err(struct ipc_chan *, int, const char *, void *);

/* A version 4 UUID; randomness fetched 4 KiB at a time, not per event. */
static void
new_uuid(char out[37])
{
	static uint8_t	 pool[4096];
	static size_t	 left;
	static const char hex[] = "0123456789abcdef";
	uint8_t		*u;
	size_t		 o = 0;

	if (left < 16) {
		if (getrandom(pool, sizeof(pool), 0) != (ssize_t)sizeof(pool))
			fatal("getrandom");
		left = sizeof(pool);
	}
	u = pool + sizeof(pool) - left;
	left -= 16;
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	for (int i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
	explicit_bzero(u, 16);
}

static void __attribute__((noreturn))
shutdown_clean(int status)
{
	char	 err[256];

	if (W.w != NULL && audit_writer_close(W.w, err, sizeof(err)) == -1)
		log_warnx("closing the log: %s", err);
	W.w = NULL;
	exit(status);
}

/* The log cannot take events: nothing can be recorded any more. */
static void __attribute__((noreturn))
log_failed(const char *err)
{
	log_warnx("the audit log failed: %s", err);
	exit(1);
}

/*
 * Stops (or resumes) reading every source but the monitor's channel and
 * agentshd's: that one brings the acknowledgements that end the stall.
 */
static void
set_stalled(int on)
{
	struct src	*s;

	if (on == W.stalled)
		return;
	W.stalled = on;
	TAILQ_FOREACH(s, &W.srcs, entry) {
		if (s->ch.ev_read == NULL || s->kind == IPC_SRC_AGENTSHD)
			continue;
		if (on)
			event_del(s->ch.ev_read);
		else
			event_add(s->ch.ev_read, NULL);
	}
	if (on)
		log_warnx("store stalled: %zu bytes of events wait for agentshd; "
		    "sources wait", W.unacked_bytes);
	else
		log_info("store caught up; sources resume");
}

static void
forward(uint32_t type, uint64_t seq, const void *st)
{
	struct fwd	*f;
	uint8_t		*buf;
	size_t		 len;

	if (ipc_encode(type, st, &buf, &len) == -1)
		fatal("encoding %s", ipc_msg_name(type));
	if ((f = malloc(sizeof(*f) + len)) == NULL)
		fatal("malloc");
	f->type = type;
	f->seq = seq;
	f->len = len;
	memcpy(f->buf, buf, len);
	free(buf);
	TAILQ_INSERT_TAIL(&W.unacked, f, entry);
	W.unacked_bytes += len;
	if (W.agentshd != NULL &&
	    ipc_ev_send(&W.agentshd->ch, type, 0, -1, f->buf, f->len) == -1)
		log_warn("forward to agentshd");
	if (W.unacked_bytes > W.unacked_max)
		set_stalled(1);
}

/* Sends the collected entries as one message. */
static void
batch_flush(void)
{
	struct ipc_ev_batch	 b;

	if (W.batchn == 0)
		return;
	b.last_seq = W.batch_last;
	b.count = W.batchn;
	b.entries.p = W.batch;
	b.entries.len = (uint32_t)W.batchlen;
	forward(IPC_EV_BATCH, W.batch_last, &b);
	W.batchlen = 0;
	W.batchn = 0;
}

static void
batch_cb(evutil_socket_t fd, short what, void *arg)
{
	batch_flush();
}

/*
 * Collects an event for agentshd: everything read in one turn of the loop
 * goes in as few messages as fit, which is what keeps two cores from
 * spending their time switching between three processes.
 */
static void
batch_add(uint64_t seq, const struct ipc_event *ev, const char *json,
    size_t len)
{
	struct ipc_evb_entry	 e;
	struct timeval		 now = { 0, 0 };
	char			 small[512];

	memset(&e, 0, sizeof(e));
	e.seq = seq;
	e.ts_ns = ev->ts_ns;
	e.decision = (uint8_t)ev->decision;
	(void)strlcpy(e.session_id, ev->session_id, sizeof(e.session_id));
	(void)strlcpy(e.type, ev->type, sizeof(e.type));
	(void)strlcpy(e.command_id, ev->command_id, sizeof(e.command_id));
	e.json = json;
	e.jsonlen = len;
	if (len > IPC_EVB_JSON_MAX) {
		/* The log has it whole; the store gets what identifies it. */
		(void)snprintf(small, sizeof(small), "{\"type\":\"%s\","
		    "\"session_id\":\"%s\",\"command_id\":\"%s\","
		    "\"truncated\":true}", e.type, e.session_id, e.command_id);
		e.json = small;
		e.jsonlen = strlen(small);
	}
	if (ipc_evb_add(W.batch, IPC_MAX_PAYLOAD - 64, &W.batchlen, &e) == -1) {
		batch_flush();
		if (ipc_evb_add(W.batch, IPC_MAX_PAYLOAD - 64, &W.batchlen,
		    &e) == -1)
			fatalx("an event entry does not fit a batch");
	}
	W.batchn++;
	W.batch_last = seq;
	if (W.batchlen >= IPC_EVB_FLUSH)
		batch_flush();
	else if (!evtimer_pending(W.ev_batch, NULL))
		evtimer_add(W.ev_batch, &now);
}

static void
acked(uint64_t seq)
{
	struct fwd	*f;

	while ((f = TAILQ_FIRST(&W.unacked)) != NULL && f->seq <= seq) {
		TAILQ_REMOVE(&W.unacked, f, entry);
		W.unacked_bytes -= f->len;
		free(f);
	}
	if (W.stalled && W.unacked_bytes < W.unacked_max / 2)
		set_stalled(0);
}

static void
src_close(struct src *s)
{
	if (s == W.agentshd)
		W.agentshd = NULL;
	TAILQ_REMOVE(&W.srcs, s, entry);
	ipc_chan_clear(&s->ch);
	free(s);
}

/* A source broke the protocol: drop it and ask the monitor to stop it. */
static void
offender(struct src *s, const char *why)
{
	struct ipc_w_offender	 o;

	log_warnx("refused %s: %s", s->name, why);
	o.source = s->kind;
	o.reason = why;
	(void)ipc_send(&W.ctl.ch, IPC_W_OFFENDER, 0, -1, &o);
	if (!s->is_ctl)
		src_close(s);
}

static void
append(const char *json, size_t len)
{
	char	 err[256];

	if (audit_writer_append(W.w, json, len, err, sizeof(err)) == 0)
		return;
	/* A full batch is written out, then the event goes in. */
	if (errno == ENOBUFS) {
		if (audit_writer_flush(W.w, 0, err, sizeof(err)) == -1)
			log_failed(err);
		if (audit_writer_append(W.w, json, len, err, sizeof(err)) == 0)
			return;
	}
	if (errno == EINVAL) {
		log_warnx("event not logged: %s", err);
		return;
	}
	log_failed(err);
}

#ifdef AGENTSH_REGRESS
/*
 * Regress only: from a source's timestamp to the append, for bench/.  A
 * histogram in microseconds (no qsort: glibc's calls sysinfo, which the
 * jail does not allow, and needs no sorting anyway).
 */
#define LAT_BUCKETS	 100000
static uint32_t	 lat_hist[LAT_BUCKETS + 1];
static uint64_t	 lat_n;

static void
lat_note(uint64_t ts)
{
	uint64_t	 now = ipc_now_ns(), us = now > ts ? (now - ts) / 1000 : 0;

	lat_hist[us < LAT_BUCKETS ? us : LAT_BUCKETS]++;
	lat_n++;
}

static uint64_t
lat_pct(uint64_t want)
{
	uint64_t	 seen = 0;

	for (size_t i = 0; i <= LAT_BUCKETS; i++)
		if ((seen += lat_hist[i]) >= want)
			return i;
	return LAT_BUCKETS;
}

static void
lat_report(void)
{
	if (lat_n == 0)
		return;
	log_info("regress: %llu events, append latency p50 %llu us p99 %llu us"
	    "%s", (unsigned long long)lat_n,
	    (unsigned long long)lat_pct((lat_n + 1) / 2),
	    (unsigned long long)lat_pct((lat_n * 99 + 99) / 100),
	    lat_hist[LAT_BUCKETS] ? " (some over 100 ms)" : "");
	memset(lat_hist, 0, sizeof(lat_hist));
	lat_n = 0;
}
#endif

static void
handle_event(struct src *s, const struct ipc_event *ev)
{
	struct ipc_w_ack	 ack;
	char			 why[256], id[37], err[256];

	if (audit_event_check(ev, s->kind, why, sizeof(why)) == -1) {
		offender(s, why);
		return;
	}
	new_uuid(id);
	audit_buf_reset(&W.json);
	if (audit_event_json(&W.json, id, ev) == -1)
		fatal("rendering an event");
	append((const char *)W.json.data, W.json.len);
#ifdef AGENTSH_REGRESS
	if (s->kind == IPC_SRC_REGRESS)
		lat_note(ev->ts_ns);
#endif

	batch_add(W.next_seq++, ev, (const char *)W.json.data, W.json.len);

	/* The monitor resends what is not acknowledged: ack once written. */
	if (s->is_ctl) {
		if (audit_writer_flush(W.w, 0, err, sizeof(err)) == -1)
			log_failed(err);
		ack.src_seq = ev->src_seq;
		(void)ipc_send(&W.ctl.ch, IPC_W_ACK, 0, -1, &ack);
	}
}


static struct drain *
drain_get(const char *sid, const char *cid)
{
	struct drain	*d, *n;
	time_t		 now = time(NULL);

	TAILQ_FOREACH_SAFE(d, &W.drains, entry, n) {
		if (strcmp(d->sid, sid) == 0 && strcmp(d->cid, cid) == 0)
			return d;
		/* A command nobody finished waiting for: forget it. */
		if (now - d->born > DRAIN_TTL_S) {
			TAILQ_REMOVE(&W.drains, d, entry);
			free(d);
		}
	}
	if ((d = calloc(1, sizeof(*d))) == NULL)
		fatal("calloc");
	(void)strlcpy(d->sid, sid, sizeof(d->sid));
	(void)strlcpy(d->cid, cid, sizeof(d->cid));
	d->born = now;
	TAILQ_INSERT_TAIL(&W.drains, d, entry);
	return d;
}

static void
drain_check(struct drain *d)
{
	struct ipc_ev_barrier	 b;

	if (!d->have_expect || (d->drained & d->expect) != d->expect)
		return;
	b.session_id = d->sid;
	b.command_id = d->cid;
	b.complete = 1;
	/* Behind every event forwarded before it, on the same channel. */
	batch_flush();
	forward(IPC_EV_BARRIER, W.next_seq - 1, &b);
	TAILQ_REMOVE(&W.drains, d, entry);
	free(d);
}

static void
handle_drained(struct src *s, const struct ipc_drained *dr)
{
	struct drain	*d;

	d = drain_get(dr->session_id, dr->command_id);
	d->drained |= 1U << s->kind;
	/* Regress-only sources run commands nobody announced: their own
	 * drain completes them. */
	if (s->kind == IPC_SRC_REGRESS && !d->have_expect) {
		d->expect = 1U << IPC_SRC_REGRESS;
		d->have_expect = 1;
	}
#ifdef AGENTSH_REGRESS
	if (s->kind == IPC_SRC_REGRESS)
		lat_report();
#endif
	drain_check(d);
}

static struct src *
src_new(enum ipc_ev_source kind, const char *name, int fd)
{
	struct src	*s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		fatal("calloc");
	s->kind = kind;
	(void)strlcpy(s->name, name, sizeof(s->name));
	if (ipc_chan_init(&s->ch, fd, 0) == -1 ||
	    ipc_ev_attach(&s->ch, W.base, src_msg, src_err, s) == -1)
		fatal("source channel");
	TAILQ_INSERT_TAIL(&W.srcs, s, entry);
	if (W.stalled && kind != IPC_SRC_AGENTSHD)
		event_del(s->ch.ev_read);
	return s;
}

/* A new channel to agentshd: give it everything it has not stored. */
static void
agentshd_attach(struct src *s)
{
	struct fwd	*f;
	size_t		 n = 0;

	if (W.agentshd != NULL)
		src_close(W.agentshd);
	batch_flush();
	W.agentshd = s;
	TAILQ_FOREACH(f, &W.unacked, entry) {
		if (ipc_ev_send(&s->ch, f->type, 0, -1, f->buf, f->len) == -1)
			break;
		n++;
	}
	if (n > 0)
		log_info("replayed %zu events agentshd had not stored", n);
}

static void
ctl_source(struct ipc_msg *m, const struct ipc_w_source *ws)
{
	struct src	*s;
	int		 fd = ipc_msg_take_fd(m);

	if (ws->source == IPC_SRC_MONITOR)
		fatalx("the monitor sent a second monitor channel");
	s = src_new((enum ipc_ev_source)ws->source, ws->name, fd);
	log_debug("source %s attached", s->name);
	if (s->kind == IPC_SRC_AGENTSHD)
		agentshd_attach(s);
}

static void
ctl_expect(const struct ipc_w_expect *e)
{
	struct drain	*d;

	d = drain_get(e->session_id, e->command_id);
	d->expect |= e->sources;
	d->have_expect = 1;
	drain_check(d);
}

static void
src_msg(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	struct src	*s = arg;
	char		 st[512], why[200], w2[256];

	if (ipc_decode(m->hdr.type, m->data, m->datalen, st, why,
	    sizeof(why)) == -1) {
		(void)snprintf(w2, sizeof(w2), "bad %s: %s",
		    ipc_msg_name(m->hdr.type), why);
		if (s->is_ctl)
			fatalx("monitor: %s", w2);
		offender(s, w2);
		return;
	}
	switch (m->hdr.type) {
	case IPC_EVENT:
		handle_event(s, (struct ipc_event *)st);
		break;
	case IPC_DRAINED:
		handle_drained(s, (struct ipc_drained *)st);
		break;
	case IPC_EV_ACK:
		if (s != W.agentshd)
			goto unpermitted;
		acked(((struct ipc_ev_ack *)st)->seq);
		break;
	case IPC_W_SOURCE:
		if (!s->is_ctl)
			goto unpermitted;
		ctl_source(m, (struct ipc_w_source *)st);
		break;
	case IPC_W_EXPECT:
		/* agentshd starts every command: it says who will drain it. */
		if (!s->is_ctl && s->kind != IPC_SRC_AGENTSHD)
			goto unpermitted;
		ctl_expect((struct ipc_w_expect *)st);
		break;
	case IPC_PING:
		if (!s->is_ctl)
			goto unpermitted;
		(void)ipc_send(ch, IPC_PONG, m->hdr.peerid, -1, st);
		break;
	default:
		goto unpermitted;
	}
	ipc_decoded_free(m->hdr.type, st);
	return;
unpermitted:
	ipc_decoded_free(m->hdr.type, st);
	(void)snprintf(w2, sizeof(w2), "unpermitted message %s",
	    ipc_msg_name(m->hdr.type));
	if (s->is_ctl)
		fatalx("monitor: %s", w2);
	offender(s, w2);
}

static void
src_err(struct ipc_chan *ch, int err, const char *why, void *arg)
{
	struct src	*s = arg;

	if (s->is_ctl) {
		/* The monitor is gone: write out everything and stop. */
		log_info("monitor channel closed; stopping");
		shutdown_clean(0);
	}
	if (err != 0)
		log_warnx("%s: %s", s->name, why);
	src_close(s);
}

static void
tick_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval	 tv;
	char		 err[256];
	int		 next_ms = 100;

	if (audit_writer_tick(W.w, &next_ms, err, sizeof(err)) == -1)
		log_failed(err);
	if (next_ms < 1)
		next_ms = 1;
	if (next_ms > 1000)
		next_ms = 1000;
	tv.tv_sec = next_ms / 1000;
	tv.tv_usec = (next_ms % 1000) * 1000;
	evtimer_add(W.ev_tick, &tv);
}

/* The chain head into the system log: cutting the tail shows there. */
static void
head_cb(evutil_socket_t fd, short what, void *arg)
{
	struct timeval		 tv = { AUDITW_HEAD_LOG_S, 0 };
	struct audit_head	 h;

	audit_writer_head(W.w, &h);
	if (h.durable_valid && h.durable_sequence != W.head_logged) {
		log_info("audit chain head: sequence %lld hash %s",
		    (long long)h.durable_sequence, h.durable_hash);
		W.head_logged = h.durable_sequence;
	}
	evtimer_add(W.ev_head, &tv);
}

static void
term_cb(evutil_socket_t sig, short what, void *arg)
{
	shutdown_clean(0);
}

void
auditw_main(int verbose)
{
	struct audit_writer_conf conf;
	struct audit_open_info	 oi;
	struct audit_head	 h;
	struct ipc_w_conf	 wc;
	struct ipc_w_ready	 wr;
	struct ipc_msg		 m;
	struct timeval		 tv = { 0, 0 };
	unsigned char		*kb = NULL;
	size_t			 kl = 0;
	char			 err[512];

	log_init(LOG_TO_FD, verbose, "audit-writer");
	(void)prctl(PR_SET_DUMPABLE, 0);
	signal(SIGPIPE, SIG_IGN);
	if (getuid() == 0)
		fatalx("refusing to run as root");
	TAILQ_INIT(&W.srcs);
	TAILQ_INIT(&W.unacked);
	TAILQ_INIT(&W.drains);
	W.head_logged = -1;
	W.unacked_max = AUDITW_UNACKED_MAX;
#ifdef AGENTSH_REGRESS
	/* Regress only: a small limit, to see the sources wait. */
	if (getenv("AGENTSH_REGRESS_UNACKED_MAX") != NULL)
		W.unacked_max = strtoul(getenv("AGENTSH_REGRESS_UNACKED_MAX"),
		    NULL, 10);
#endif

	W.ctl.is_ctl = 1;
	W.ctl.kind = IPC_SRC_MONITOR;
	(void)strlcpy(W.ctl.name, "monitor", sizeof(W.ctl.name));
	if (ipc_chan_init(&W.ctl.ch, 3, IPC_CHAN_FDPASS) == -1)
		fatal("fd 3");
	if (ipc_recv_sync(&W.ctl.ch, &m, 10000) != 1 ||
	    m.hdr.type != IPC_W_CONF ||
	    ipc_decode(IPC_W_CONF, m.data, m.datalen, &wc, err,
	    sizeof(err)) == -1)
		fatalx("no configuration from the monitor %s", err);
	/* The key, from the monitor, on fd 5 (empty when integrity is off). */
	if (wc.flags & IPC_W_F_INTEGRITY) {
		if (audit_key_read_fd(AUDITW_KEY_FD, &kb, &kl, err,
		    sizeof(err)) == -1)
			fatalx("key: %s", err);
		W.key = audit_key_new(kb, kl, (enum audit_alg)wc.algorithm,
		    err, sizeof(err));
		freezero(kb, kl);
		if (W.key == NULL)
			fatalx("key: %s", err);
	}
	close(AUDITW_KEY_FD);

	audit_writer_conf_init(&conf);
	conf.dirfd = AUDITW_DIR_FD;
	conf.name = wc.log_name;
	conf.mode = 0600;
	conf.max_size = wc.max_size;
	conf.max_backups = wc.max_backups;
	conf.key = W.key;
	if ((W.w = audit_writer_open(&conf, &oi, err, sizeof(err))) == NULL)
		fatalx("%s", err);
	W.head_log = (wc.flags & IPC_W_F_HEAD_LOG) != 0;
	ipc_msg_clear(&m);
	W.next_seq = ipc_now_ns();

	if ((W.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	W.ev_tick = evtimer_new(W.base, tick_cb, NULL);
	W.ev_head = evtimer_new(W.base, head_cb, NULL);
	W.ev_term = evsignal_new(W.base, SIGTERM, term_cb, NULL);
	W.ev_batch = evtimer_new(W.base, batch_cb, NULL);
	if ((W.batch = malloc(IPC_MAX_PAYLOAD)) == NULL)
		fatal("malloc");
	if (W.ev_tick == NULL || W.ev_head == NULL || W.ev_term == NULL ||
	    W.ev_batch == NULL ||
	    evsignal_add(W.ev_term, NULL) == -1 ||
	    ipc_ev_attach(&W.ctl.ch, W.base, src_msg, src_err, &W.ctl) == -1)
		fatalx("event setup");
	evtimer_add(W.ev_tick, &tv);
	if (W.head_log)
		evtimer_add(W.ev_head, &tv);
	setproctitle("audit writer");
	auditw_sandbox_enter();

	audit_writer_head(W.w, &h);
	memset(&wr, 0, sizeof(wr));
	wr.resumed = oi.resumed != 0;
	wr.new_chain = oi.new_chain != 0;
	wr.reason = oi.reason;
	wr.head_seq = h.valid ? h.sequence : -1;
	wr.head_hash = h.valid ? h.hash : "";
	if (ipc_send(&W.ctl.ch, IPC_W_READY, 0, -1, &wr) == -1)
		fatal("ready");
	event_base_dispatch(W.base);
	shutdown_clean(0);
}
