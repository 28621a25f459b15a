/*
 * agentshd: start-up in OpenSSH's order (everything that needs the file
 * system or a new descriptor first: its configuration from the monitor,
 * the LMDB environment, the event loop), then the jail, then the first
 * client byte.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/socket.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/netlink.h>

#include "agentshd.h"
#include "d_exec.h"
#include "http.h"
#include "ipc_log.h"

#define D_VERSION	 1

struct agentshd	*d;

static void
pending_free(struct d_pending *p)
{
	TAILQ_REMOVE(&d->pending, p, entry);
	free(p);
}

/*
 * Sends a request to the monitor on behalf of an HTTP request; the answer
 * (matched by token) completes the HTTP request in api_answer().
 */
uint32_t
d_request_monitor(struct http_req *req, uint32_t type, uint32_t answer,
    const void *st)
{
	struct d_pending	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		http_reply_error(req, 500, "out of memory");
		return 0;
	}
	if (++d->next_token == 0)
		d->next_token = 1;
	p->token = d->next_token;
	p->answer = answer;
	p->req = req;
	TAILQ_INSERT_TAIL(&d->pending, p, entry);
	if (ipc_send(&d->mon, type, p->token, -1, st) == -1) {
		pending_free(p);
		http_reply_error(req, 503, "the monitor is not reachable");
		return 0;
	}
	return p->token;
}

/* The HTTP request waiting for the monitor's 'answer' under token. */
struct http_req *
d_pending_req(uint32_t token, uint32_t answer)
{
	struct d_pending	*p;

	TAILQ_FOREACH(p, &d->pending, entry)
		if (p->token == token && p->answer == answer)
			return p->req;
	return NULL;
}

/* The HTTP connection died while the monitor was deciding: forget it. */
static void
req_abort(struct http_req *req, void *arg)
{
	struct d_pending	*p, *n;

	TAILQ_FOREACH_SAFE(p, &d->pending, entry, n)
		if (p->req == req)
			pending_free(p);
	d_exec_abort(req);
	d_conn_forget_req(req);
	(void)d_events_forget(req);
}

static void
req_cb(struct http_req *req, void *arg)
{
	api_dispatch(req);
}

static void
conn_close_cb(uint64_t connid, void *conn_arg, void *arg)
{
	d_conn_gone(connid);
}

static void
answer(struct ipc_msg *m, void *st)
{
	struct d_pending	*p;

	TAILQ_FOREACH(p, &d->pending, entry)
		if (p->token == m->hdr.peerid && p->answer == m->hdr.type)
			break;
	if (p == NULL)
		return;		/* its client went away meanwhile */
	api_answer(p->req, m->hdr.type, st);
	pending_free(p);
}

static void
mon_msg(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	const struct ipc_msgdef	*def;
	char			 st[512], why[160];

	if ((def = ipc_msg_def(m->hdr.type)) == NULL || def->size > sizeof(st))
		fatalx("monitor sent an unknown message 0x%04x", m->hdr.type);
	if (ipc_decode(m->hdr.type, m->data, m->datalen, st, why,
	    sizeof(why)) == -1)
		fatalx("monitor sent a bad %s: %s", def->name, why);
	switch (m->hdr.type) {
	case IPC_CONN_NEW:
		d_conn_new((struct ipc_conn_new *)st, ipc_msg_take_fd(m));
		break;
	case IPC_CONN_GONE:
		d_conn_gone(((struct ipc_conn_gone *)st)->connid);
		break;
	case IPC_AUTH_KEY_R:
		d_conn_key_answer((struct ipc_auth_key_r *)st);
		break;
	case IPC_SESS_INFO:
		d_session_info((struct ipc_sess_info *)st);
		break;
	case IPC_SESS_GONE:
		d_session_gone(((struct ipc_sess_gone *)st)->id);
		break;
	case IPC_SESS_SYNCED:
		d->synced = 1;
		break;
	case IPC_D_EVCHAN:
		d_events_attach(ipc_msg_take_fd(m));
		break;
	case IPC_SESS_POLICY:
		d_session_policy(((struct ipc_sess_policy *)st)->id,
		    ipc_msg_take_fd(m));
		break;
	case IPC_SESS_CREATE_R:
	case IPC_SESS_DESTROY_R:
	case IPC_SESS_UPDATE_R:
	case IPC_EXEC_KILL_R:
		answer(m, st);
		break;
	case IPC_EXEC_R:
		d_exec_result(m->hdr.peerid, (struct ipc_exec_r *)st);
		break;
	case IPC_EXEC_OUTPUT:
		d_exec_output(m->hdr.peerid, (struct ipc_exec_output *)st,
		    ipc_msg_take_fd(m));
		break;
	case IPC_PONG:
		break;
	default:
		fatalx("monitor sent %s, which agentshd does not take",
		    def->name);
	}
	ipc_decoded_free(m->hdr.type, st);
}

static void
mon_err(struct ipc_chan *ch, int err, const char *why, void *arg)
{
	/* Without the monitor there is no identity: stop. */
	fatalx("monitor channel: %s", err == 0 ? "closed" : why);
}

static void
term_cb(evutil_socket_t sig, short what, void *arg)
{
	event_base_loopexit(d->base, NULL);
}

/* Regress only: try what the jail must forbid (or, jail off, allow). */
static void
regress_jailbreak(void)
{
#ifdef AGENTSH_REGRESS
	const char	*what = getenv("AGENTSH_REGRESS_JAILBREAK");
	char *const	 argv[] = { "x", NULL };
	int		 fd;

	if (what == NULL)
		return;
	log_info("regress: trying %s", what);
	/* Each call is made for real; what it returns says it ran. */
	if (strcmp(what, "execve") == 0) {
		execve("/nonexistent/agentsh-regress", argv, argv + 1);
		log_info("regress: execve ran: %s", strerror(errno));
	} else if (strcmp(what, "ptrace") == 0) {
		if (ptrace(PTRACE_TRACEME, 0, NULL, NULL) == 0)
			log_info("regress: ptrace ran: ok");
		else
			log_info("regress: ptrace ran: %s", strerror(errno));
	} else if (strcmp(what, "netlink") == 0) {
		fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC,
		    NETLINK_ROUTE);
		log_info("regress: netlink ran: %s",
		    fd == -1 ? strerror(errno) : "ok");
		if (fd != -1)
			close(fd);
	} else
		log_warnx("regress: unknown jailbreak '%s'", what);
#endif
}

static int
jail_wanted(void)
{
#ifdef AGENTSH_REGRESS
	if (getenv("AGENTSH_REGRESS_NOJAIL") != NULL) {
		log_warnx("regress: running WITHOUT the seccomp jail");
		return 0;
	}
#endif
	return 1;
}

int
main(int argc, char *argv[])
{
	static struct agentshd	 dd;
	struct ipc_msg		 m;
	struct ipc_d_conf	 conf;
	struct http_limits	 lim;
	char			 err[256];
	int			 ch, verbose = 0;

	argv = compat_init_setproctitle(argc, argv);
	d = &dd;
	TAILQ_INIT(&dd.conns);
	TAILQ_INIT(&dd.sessions);
	TAILQ_INIT(&dd.pending);
	while ((ch = getopt(argc, argv, "v")) != -1) {
		switch (ch) {
		case 'v':
			verbose++;
			break;
		default:
			fprintf(stderr, "usage: agentshd [-v] (started by "
			    "agentsh-monitor)\n");
			return 2;
		}
	}
	log_init(LOG_TO_FD, verbose, "agentshd");
	if (getuid() == 0 || geteuid() == 0)
		fatalx("refusing to run as root");
	signal(SIGPIPE, SIG_IGN);
	/* A core of this process would hold client data. */
	(void)prctl(PR_SET_DUMPABLE, 0);

	if (ipc_chan_init(&dd.mon, 3, IPC_CHAN_FDPASS) == -1)
		fatal("fd 3");
	if (ipc_recv_sync(&dd.mon, &m, 10000) != 1)
		fatalx("no configuration from the monitor: %s", dd.mon.why);
	if (m.hdr.type != IPC_D_CONF ||
	    ipc_decode(IPC_D_CONF, m.data, m.datalen, &conf, err,
	    sizeof(err)) == -1)
		fatalx("bad configuration message from the monitor %s", err);
	dd.auth_type = conf.auth_type;
	dd.shellc_opaque = conf.shellc_opaque;
	if ((dd.env_inject = calloc(conf.env_inject.n + 1,
	    sizeof(char *))) == NULL)
		fatal("calloc");
	for (uint32_t i = 0; i < conf.env_inject.n; i++)
		if ((dd.env_inject[dd.nenv_inject++] =
		    strdup(conf.env_inject.v[i])) == NULL)
			fatal("strdup");
	if ((dd.key_header = strdup(conf.api_key_header)) == NULL)
		fatal("strdup");
	if ((dd.store = store_open(conf.data_dir, err, sizeof(err))) == NULL)
		fatalx("%s", err);

	if ((dd.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	memset(&lim, 0, sizeof(lim));
	lim.max_header_bytes = 16 * 1024;
	lim.max_body = conf.max_request_size;
	lim.read_timeout_ms = (int)conf.read_timeout_ms;
	lim.write_timeout_ms = (int)conf.write_timeout_ms;
	lim.idle_timeout_ms = (int)conf.idle_timeout_ms;
	lim.max_conns = (int)conf.max_conns;
	if ((dd.http = http_server_new(dd.base, &lim, req_cb, req_abort,
	    conn_close_cb, NULL)) == NULL)
		fatalx("http_server_new");
	ipc_decoded_free(IPC_D_CONF, &conf);
	ipc_msg_clear(&m);
	if ((dd.ev_term = evsignal_new(dd.base, SIGTERM, term_cb, NULL)) ==
	    NULL || evsignal_add(dd.ev_term, NULL) == -1)
		fatalx("signal event");
	if (ipc_ev_attach(&dd.mon, dd.base, mon_msg, mon_err, NULL) == -1)
		fatalx("monitor channel");

	/* jansson seeds its hashing from /dev/urandom on first use: now. */
	json_object_seed(0);
	setproctitle("api");
	if (jail_wanted())
		agentshd_sandbox_enter();
	if (ipc_send(&dd.mon, IPC_D_READY, 0, -1,
	    &(struct ipc_d_ready){ D_VERSION }) == -1)
		fatal("ready");
	regress_jailbreak();

	event_base_dispatch(dd.base);

	http_server_free(dd.http);
	d_sessions_free();
	store_close(dd.store);
	return 0;
}
