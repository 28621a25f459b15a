/*
 * The audit writer as a peer of the monitor: its log directory and key,
 * starting it, joining agentshd (and regress-only sources) to it by
 * channels of their own, and the monitor's own events, kept until the
 * writer has them so a writer restart loses none.
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "audit.h"
#include "audit_event.h"
#include "auditw.h"
#include "pathnames.h"

#define OUTBOX_MAX	 10000

extern char	**environ;

enum {
	PHASE_START = 0,	/* until the log is open */
	PHASE_RUN,
	PHASE_MAX
};

struct mon_ev {
	TAILQ_ENTRY(mon_ev)	 entry;
	uint64_t		 src_seq;
	size_t			 len;
	uint8_t			 buf[];
};
static TAILQ_HEAD(, mon_ev) outbox = TAILQ_HEAD_INITIALIZER(outbox);
static size_t	 outbox_n;
static uint64_t	 next_src_seq;

static void	w_ready(struct mon_peer *, struct ipc_msg *, void *);
static void	w_ack(struct mon_peer *, struct ipc_msg *, void *);
static void	w_offender(struct mon_peer *, struct ipc_msg *, void *);
static void	w_pong(struct mon_peer *, struct ipc_msg *, void *);

static const struct mon_dispatch w_start[] = {
	{ IPC_W_READY,		MON_PERMIT | MON_ONCE,	w_ready },
	{ IPC_W_OFFENDER,	MON_PERMIT,		w_offender },
	{ 0, 0, NULL }
};

static const struct mon_dispatch w_run[] = {
	{ IPC_W_ACK,		MON_PERMIT,		w_ack },
	{ IPC_W_OFFENDER,	MON_PERMIT,		w_offender },
	{ IPC_PONG,		MON_PERMIT,		w_pong },
	{ 0, 0, NULL }
};

static const struct mon_dispatch *const w_table[PHASE_MAX] = {
	w_start, w_run
};

/* The key as root keeps it: a root-owned 0600 file, made on first start. */
static int
load_key(void)
{
	const struct mon_config	*c = &mon->conf;
	char			 err[256], dir[PATH_MAX], base[PATH_MAX];
	struct stat		 st;
	int			 dfd;

	if (!c->integrity_enabled)
		return 0;
	if (c->integrity_key_source == CFG_KEY_ENV) {
		if (audit_key_read_env(c->integrity_key_env, &mon->audit_key,
		    &mon->audit_keylen, err, sizeof(err)) == -1) {
			log_warnx("audit.integrity.key_env %s: %s",
			    c->integrity_key_env, err);
			return -1;
		}
		goto check;
	}
	(void)strlcpy(dir, c->integrity_key_file, sizeof(dir));
	(void)strlcpy(base, c->integrity_key_file, sizeof(base));
	if (lstat(c->integrity_key_file, &st) == -1) {
		if (errno != ENOENT) {
			log_warn("%s", c->integrity_key_file);
			return -1;
		}
		if ((dfd = open(dirname(dir), O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) == -1) {
			log_warn("audit key directory %s", dir);
			return -1;
		}
		if (audit_key_generate(dfd, basename(base), 0600, err,
		    sizeof(err)) == -1) {
			close(dfd);
			log_warnx("generating %s: %s", c->integrity_key_file,
			    err);
			return -1;
		}
		close(dfd);
		log_info("generated the audit key %s", c->integrity_key_file);
		if (lstat(c->integrity_key_file, &st) == -1)
			return -1;
	}
	if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 077)) {
		log_warnx("%s: the audit key must be a root-owned file of mode "
		    "0600", c->integrity_key_file);
		return -1;
	}
	if (audit_key_read_file(c->integrity_key_file, &mon->audit_key,
	    &mon->audit_keylen, err, sizeof(err)) == -1) {
		log_warnx("%s: %s", c->integrity_key_file, err);
		return -1;
	}
check:
	/* Refuse a bad key here, not in a restart loop of the writer. */
	{
		struct audit_key	*k;

		if ((k = audit_key_new(mon->audit_key, mon->audit_keylen,
		    c->integrity_algorithm == CFG_HMAC_SHA512 ?
		    AUDIT_HMAC_SHA512 : AUDIT_HMAC_SHA256, err,
		    sizeof(err))) == NULL) {
			log_warnx("audit key: %s", err);
			return -1;
		}
		log_info("audit key %s", audit_key_fingerprint(k));
		audit_key_free(k);
	}
	return 0;
}

/*
 * The log directory belongs to the writer: created 0700 for the audit
 * user when missing; an existing one must already be the writer's, so a
 * setting like /var/log/audit.jsonl never hands /var/log over.
 */
static int
open_log_dir(void)
{
	char		 path[PATH_MAX];
	const char	*dir;
	struct stat	 st;

	(void)strlcpy(path, mon->conf.audit_output, sizeof(path));
	dir = dirname(path);
	if (mkdir(dir, 0700) == 0) {
		if (chown(dir, mon->audit_uid, mon->audit_gid) == -1) {
			log_warn("chown %s", dir);
			return -1;
		}
	} else if (errno != EEXIST) {
		log_warn("mkdir %s", dir);
		return -1;
	}
	if ((mon->audit_dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1 || fstat(mon->audit_dirfd, &st) == -1) {
		log_warn("%s", dir);
		return -1;
	}
	if (st.st_uid != mon->audit_uid || (st.st_mode & 077)) {
		log_warnx("audit.output: %s must be a directory of its own, "
		    "owned by %s with mode 0700", dir,
		    mon->conf.privsep_audit_user);
		return -1;
	}
	return 0;
}

int
mon_audit_setup(void)
{
	mon->audit_dirfd = -1;
	if (open_log_dir() == -1 || load_key() == -1)
		return -1;
	return 0;
}

void
mon_audit_free(void)
{
	struct mon_ev	*e;

	if (mon->audit_key != NULL)
		freezero(mon->audit_key, mon->audit_keylen);
	mon->audit_key = NULL;
	if (mon->audit_dirfd != -1)
		close(mon->audit_dirfd);
	while ((e = TAILQ_FIRST(&outbox)) != NULL) {
		TAILQ_REMOVE(&outbox, e, entry);
		free(e);
	}
}

int
mon_audit_start(struct mon_peer *p)
{
	const struct mon_config	*c = &mon->conf;
	struct ipc_w_conf	 wc;
	char			 path[PATH_MAX], cg[PATH_MAX], name[PATH_MAX];
	char			*argv[4];
	int			 kp[2], extra[2], n = 0;
	ssize_t			 w;

	if (ipc_find_binary(AGENTSH_MONITOR_NAME, AGENTSH_SBINDIR, path,
	    sizeof(path)) == -1 || mon_cgroup_helpers_dir(cg, sizeof(cg)) == -1)
		return -1;
	/* The key travels in a pipe the writer reads once, at start. */
	if (pipe2(kp, O_CLOEXEC) == -1)
		return -1;
	if (mon->audit_key != NULL) {
		w = write(kp[1], mon->audit_key, mon->audit_keylen);
		if (w != (ssize_t)mon->audit_keylen) {
			close(kp[0]);
			close(kp[1]);
			return -1;
		}
	}
	close(kp[1]);
	argv[n++] = AGENTSH_MONITOR_NAME;
	argv[n++] = "-A";
	if (mon->verbose)
		argv[n++] = "-v";
	argv[n] = NULL;
	extra[0] = kp[0];
	extra[1] = mon->audit_dirfd;
	p->table = w_table;
	p->nphases = PHASE_MAX;
	if (mon_peer_spawn(p, path, argv, mon->audit_uid, mon->audit_gid, cg,
	    IPC_CHAN_FDPASS, extra, 2) == -1) {
		close(kp[0]);
		return -1;
	}
	close(kp[0]);

	(void)strlcpy(name, c->audit_output, sizeof(name));
	memset(&wc, 0, sizeof(wc));
	wc.log_name = basename(name);
	wc.max_size = (uint64_t)c->audit_rotation_max_size_mb * 1000000ULL;
	wc.max_backups = (uint32_t)c->audit_rotation_max_backups;
	wc.algorithm = c->integrity_algorithm == CFG_HMAC_SHA512 ?
	    AUDIT_HMAC_SHA512 : AUDIT_HMAC_SHA256;
	wc.flags = (c->integrity_enabled ? IPC_W_F_INTEGRITY : 0) |
	    (c->audit_syslog ? IPC_W_F_HEAD_LOG : 0);
	if (mon_peer_send(p, IPC_W_CONF, 0, -1, &wc) == -1) {
		mon_peer_kill(p, "cannot send its configuration");
		return -1;
	}
	return 0;
}

static void
outbox_flush(void)
{
	struct mon_ev	*e;

	TAILQ_FOREACH(e, &outbox, entry)
		if (ipc_ev_send(&mon->auditw.chan, IPC_EVENT, 0, -1, e->buf,
		    e->len) == -1)
			break;
}

static void
w_ready(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_w_ready	*r = st;

	p->phase = PHASE_RUN;
	p->ready = 1;
	if (r->new_chain)
		log_info("audit log %s: new chain (%s)", mon->conf.audit_output,
		    r->reason);
	else
		log_info("audit log %s: chain resumed at sequence %lld",
		    mon->conf.audit_output, (long long)r->head_seq);
	outbox_flush();
	mon_audit_link();
}

static void
w_ack(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_w_ack	*a = st;
	struct mon_ev		*e;

	while ((e = TAILQ_FIRST(&outbox)) != NULL && e->src_seq <= a->src_seq) {
		TAILQ_REMOVE(&outbox, e, entry);
		outbox_n--;
		free(e);
	}
}

static void
w_pong(struct mon_peer *p, struct ipc_msg *m, void *st)
{
}

/* The writer refused a source's events: that source is stopped. */
static void
w_offender(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_w_offender	*o = st;
	char			 why[IPC_ERRMSG_MAX + 64];

	(void)snprintf(why, sizeof(why), "the audit writer refused its "
	    "events: %s", o->reason);
	switch (o->source) {
	case IPC_SRC_AGENTSHD:
		mon_peer_kill(&mon->agentshd, why);
		break;
	default:
		log_warnx("source %u: %s", o->source, why);
		break;
	}
}

/* A socketpair: one end to the writer as a source, the other returned. */
static int
new_source(enum ipc_ev_source kind, const char *name)
{
	struct ipc_w_source	 ws = { kind, name };
	int			 sv[2];

	if (ipc_socketpair(sv) == -1) {
		log_warn("socketpair");
		return -1;
	}
	if (mon_peer_send(&mon->auditw, IPC_W_SOURCE, 0, sv[0], &ws) == -1) {
		close(sv[1]);
		return -1;
	}
	return sv[1];
}

#ifdef AGENTSH_REGRESS
/* Regress only: a stand-in event source speaking the channel protocol. */
static void
regress_source(void)
{
	const char	*prog = getenv("AGENTSH_REGRESS_EVENT_SOURCE");
	char		*argv[] = { "event-source", NULL };
	struct ipc_spawn sp;
	int		 fd;

	if (prog == NULL || *prog == '\0')
		return;
	if ((fd = new_source(IPC_SRC_REGRESS, "regress")) == -1)
		return;
	memset(&sp, 0, sizeof(sp));
	sp.path = prog;
	sp.argv = argv;
	sp.envp = environ;
	sp.ipc_fd = fd;
	sp.log_fd = -1;
	sp.keep_stderr = 1;
	if (ipc_spawn(&sp) == -1)
		log_warn("regress: %s", prog);
	else
		log_warnx("regress: event source %s started", prog);
	close(fd);
}
#endif

/*
 * Joins agentshd and the writer by a channel of their own, once both are
 * ready; again whenever either was restarted.
 */
void
mon_audit_link(void)
{
	int	 fd;

	if (!mon->agentshd.ready || !mon->auditw.ready)
		return;
	if (mon->linked_d == mon->agentshd.pid &&
	    mon->linked_w == mon->auditw.pid)
		return;
#ifdef AGENTSH_REGRESS
	if (mon->linked_w != mon->auditw.pid)
		regress_source();
#endif
	if ((fd = new_source(IPC_SRC_AGENTSHD, "agentshd")) == -1)
		return;
	if (mon_peer_send(&mon->agentshd, IPC_D_EVCHAN, 0, fd, NULL) == -1)
		return;
	mon->linked_d = mon->agentshd.pid;
	mon->linked_w = mon->auditw.pid;
}

/*
 * The monitor's own events go to the writer on its channel and are kept
 * until acknowledged; a restarted writer gets them again.
 */
void
mon_event_emit(struct ipc_event *ev)
{
	struct mon_ev	*e;
	uint8_t		*buf;
	size_t		 len;

	ev->source = IPC_SRC_MONITOR;
	ev->src_seq = ++next_src_seq;
	if (ev->ts_ns == 0)
		ev->ts_ns = ipc_now_ns();
	if (ipc_encode(IPC_EVENT, ev, &buf, &len) == -1) {
		log_warn("event %s not encoded", ev->type);
		return;
	}
	if ((e = malloc(sizeof(*e) + len)) == NULL)
		fatal("malloc");
	e->src_seq = ev->src_seq;
	e->len = len;
	memcpy(e->buf, buf, len);
	free(buf);
	if (outbox_n >= OUTBOX_MAX) {
		struct mon_ev	*old = TAILQ_FIRST(&outbox);

		log_warnx("the audit writer is not taking events: dropping the "
		    "oldest of %d", OUTBOX_MAX);
		TAILQ_REMOVE(&outbox, old, entry);
		outbox_n--;
		free(old);
	}
	TAILQ_INSERT_TAIL(&outbox, e, entry);
	outbox_n++;
	if (mon->auditw.ready)
		(void)ipc_ev_send(&mon->auditw.chan, IPC_EVENT, 0, -1, e->buf,
		    e->len);
}

/*
 * The monitor has nothing more for a command.  It goes in order behind
 * the monitor's events, and is not kept for a restarted writer: the
 * barrier it completes is waited for with a bound anyway.
 */
void
mon_event_drained(const char *sid, const char *cid)
{
	struct ipc_drained	 d = { sid, cid };

	if (mon->auditw.ready)
		(void)ipc_send(&mon->auditw.chan, IPC_DRAINED, 0, -1, &d);
}

void
mon_event_session(const char *type, const struct mon_session *s,
    const char *const *fields, size_t nfields)
{
	struct ipc_event	 ev;

	audit_event_init(&ev, type);
	ev.session_id = s->id;
	ev.path = s->workspace;
	ev.fields.n = (uint32_t)nfields;
	ev.fields.v = (const char **)fields;
	mon_event_emit(&ev);
}
