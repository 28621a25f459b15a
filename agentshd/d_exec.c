/*
 * Commands, from agentshd's side (DESIGN.md section 4, steps 2 and 5).
 *
 * The precheck decides the top-level command with the session's policy
 * (depth 0, execs not intercepted), and its command_policy event says so.
 * A command that may run goes to the monitor with the environment the
 * policy built; its output comes back on pipes: every byte goes into the
 * store (for paging), the first MiB of each stream into the answer, and,
 * when streaming, each chunk to the client as it comes.  The answer waits
 * (a bounded time) for the barrier that says every source of events has
 * drained the command, so it lists the command's events complete.
 *
 * A client that goes away takes its command with it: it is killed, and
 * what it still prints is stored.
 */
#include "compat.h"

#include <sys/random.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentshd.h"
#include "audit_event.h"
#include "d_exec.h"
#include "http.h"
#include "ipc_log.h"

#define READ_CHUNK	 (64 * 1024)

static struct d_exec_list execs = TAILQ_HEAD_INITIALIZER(execs);

static void	respond(struct d_exec *);

static struct d_exec *
by_token(uint32_t token)
{
	struct d_exec	*ex;

	TAILQ_FOREACH(ex, &execs, entry)
		if (ex->ran && ex->token == token)
			return ex;
	return NULL;
}

static struct d_exec *
by_command(const char *sid, const char *cid)
{
	struct d_exec	*ex;

	TAILQ_FOREACH(ex, &execs, entry)
		if (strcmp(ex->cid, cid) == 0 && strcmp(ex->sid, sid) == 0)
			return ex;
	return NULL;
}

static void
new_command_id(char *out, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t		 u[16];
	size_t		 o;

	if (getrandom(u, sizeof(u), 0) != (ssize_t)sizeof(u))
		fatal("getrandom");
	u[6] = (u[6] & 0x0f) | 0x40;
	u[8] = (u[8] & 0x3f) | 0x80;
	o = strlcpy(out, "cmd-", len);
	for (int i = 0; i < 16 && o + 3 < len; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			out[o++] = '-';
		out[o++] = hex[u[i] >> 4];
		out[o++] = hex[u[i] & 15];
	}
	out[o] = '\0';
}

static void
out_close(struct exec_out *o)
{
	if (o->ev != NULL)
		event_free(o->ev);
	o->ev = NULL;
	if (o->fd != -1)
		close(o->fd);
	o->fd = -1;
	o->done = 1;
}

static void
in_close(struct exec_in *in)
{
	if (in->ev != NULL)
		event_free(in->ev);
	in->ev = NULL;
	if (in->fd != -1)
		close(in->fd);
	in->fd = -1;
}

/* A command for a request; NULL when out of memory. */
struct d_exec *
d_exec_new(struct http_req *req, const char *sid, int stream)
{
	struct d_exec	*ex;

	if ((ex = calloc(1, sizeof(*ex))) == NULL)
		return NULL;
	/* d_exec_free closes what is not -1: never calloc's 0 */
	ex->out[0].fd = ex->out[1].fd = ex->in.fd = -1;
	ex->req = req;
	ex->stream = stream;
	(void)strlcpy(ex->sid, sid, sizeof(ex->sid));
	return ex;
}

void
d_exec_free(struct d_exec *ex)
{
	if (ex == NULL)
		return;
	for (int i = 0; i < 2; i++) {
		out_close(&ex->out[i]);
		free(ex->out[i].buf);
	}
	in_close(&ex->in);
	free(ex->in.data);
	if (ex->ev_wait != NULL)
		event_free(ex->ev_wait);
	for (int i = 0; i < 4; i++)
		json_decref(ex->evs[i]);
	json_decref(ex->request);
	free(ex->command);
	free(ex->rule);
	free(ex->error);
	free(ex->env_error);
	free(ex);
}

/* Done with it: answered, or nobody left to answer. */
static void
finish(struct d_exec *ex)
{
	TAILQ_REMOVE(&execs, ex, entry);
	d_exec_free(ex);
}

static enum ipc_decision
ipc_dec(enum pol_decision dec)
{
	switch (dec) {
	case POL_ALLOW:		return IPC_DEC_ALLOW;
	case POL_DENY:		return IPC_DEC_DENY;
	case POL_APPROVE:	return IPC_DEC_APPROVE;
	case POL_REDIRECT:	return IPC_DEC_REDIRECT;
	case POL_AUDIT:		return IPC_DEC_AUDIT;
	case POL_SOFT_DELETE:	return IPC_DEC_SOFT_DELETE;
	case POL_ABSORB:	return IPC_DEC_DENY;
	}
	return IPC_DEC_DENY;
}

static void
emit_policy_event(struct d_exec *ex, const char *const *argv, size_t argc)
{
	struct ipc_event	 ev;

	audit_event_init(&ev, "command_policy");
	ev.session_id = ex->sid;
	ev.command_id = ex->cid;
	ev.depth = 0;
	ev.decision = (uint32_t)ipc_dec(ex->pre.decision);
	ev.effective = (uint32_t)(ex->env_error != NULL ? IPC_DEC_DENY :
	    ipc_dec(ex->pre.effective));
	ev.rule = ex->pre.rule != NULL ? ex->pre.rule : "";
	ev.message = ex->env_error != NULL ? ex->env_error : ex->pre.message;
	ev.operation = "exec";
	ev.filename = argv[0];
	ev.argv.n = (uint32_t)argc;
	ev.argv.v = (const char **)argv;
	ev.unwrapped_from = ex->pre.unwrapped ? ex->pre.unwrapped_from : "";
	ev.payload_command = ex->pre.unwrapped ? ex->pre.payload_command : "";
	d_event_emit(&ev);
}

/* Who will drain the command: agentshd, and the monitor if it runs. */
static void
expect_and_drain(struct d_exec *ex, int runs)
{
	struct ipc_w_expect	 e;
	struct ipc_drained	 dr;

	e.session_id = dr.session_id = ex->sid;
	e.command_id = dr.command_id = ex->cid;
	e.sources = 1U << IPC_SRC_AGENTSHD;
	if (runs)
		e.sources |= 1U << IPC_SRC_MONITOR;
	d_event_send(IPC_W_EXPECT, &e);
	d_event_send(IPC_DRAINED, &dr);
}

static void
barrier_wait_cb(evutil_socket_t fd, short what, void *arg)
{
	struct d_exec	*ex = arg;

	log_info("command %s: events not complete after %d ms; answering "
	    "without waiting longer", ex->cid, EXEC_BARRIER_WAIT_MS);
	respond(ex);
}

/* The answer goes out when the result, both outputs and the barrier are
 * in, or when the barrier has been waited for long enough. */
static void
maybe_respond(struct d_exec *ex)
{
	struct timeval	 tv = { EXEC_BARRIER_WAIT_MS / 1000,
	    (EXEC_BARRIER_WAIT_MS % 1000) * 1000 };

	if (!ex->have_result || !ex->out[0].done || !ex->out[1].done)
		return;
	if (ex->barrier) {
		respond(ex);
		return;
	}
	if (ex->ev_wait == NULL) {
		if ((ex->ev_wait = evtimer_new(d->base, barrier_wait_cb,
		    ex)) == NULL)
			fatalx("evtimer_new");
		evtimer_add(ex->ev_wait, &tv);
	}
}

/* The store first: paging must find every answered byte. */
static void
respond(struct d_exec *ex)
{
	struct http_req	*req = ex->req;
	json_t		*j;
	char		*txt;
	int		 status;

	d_events_commit();
	if (req == NULL) {
		finish(ex);
		return;
	}
	req->app = NULL;
	if (ex->streaming) {
		j = json_pack("{s:s, s:i, s:I}", "command_id", ex->cid,
		    "exit_code", (int)ex->exit_code, "duration_ms",
		    (json_int_t)ex->duration_ms);
		if (j != NULL && (txt = json_dumps(j, JSON_COMPACT)) != NULL) {
			(void)http_stream_write(req, "event: done\ndata: ", 18);
			(void)http_stream_write(req, txt, strlen(txt));
			(void)http_stream_write(req, "\n\n", 2);
			free(txt);
		}
		json_decref(j);
		http_stream_end(req);
	} else if ((j = d_exec_response(ex, &status)) == NULL)
		http_reply_error(req, 500, "cannot render the answer");
	else
		api_reply_json(req, status, j);
	finish(ex);
}

/* Begins the event stream once the command is really under way. */
static void
stream_begin(struct d_exec *ex)
{
	if (!ex->stream || ex->streaming || ex->req == NULL)
		return;
	if (http_stream_start(ex->req, 200, "text/event-stream") == -1)
		return;
	ex->streaming = 1;
}

static void
stream_chunk(struct d_exec *ex, int which, const uint8_t *p, size_t n)
{
	json_t	*j;
	char	*txt;

	if (!ex->streaming || ex->req == NULL)
		return;
	j = json_pack("{s:s, s:s, s:o}", "command_id", ex->cid, "stream",
	    which == 0 ? "stdout" : "stderr", "data",
	    d_exec_bytes(p, n, ex->b64));
	if (j == NULL || (txt = json_dumps(j, JSON_COMPACT)) == NULL) {
		json_decref(j);
		return;
	}
	/* A client that cannot keep up is cut off; the command goes on. */
	if (http_stream_write(ex->req, which == 0 ? "event: stdout\ndata: " :
	    "event: stderr\ndata: ", 20) == -1 ||
	    http_stream_write(ex->req, txt, strlen(txt)) == -1 ||
	    http_stream_write(ex->req, "\n\n", 2) == -1)
		ex->req = NULL;
	free(txt);
	json_decref(j);
}

static void
out_cb(evutil_socket_t fd, short what, void *arg)
{
	struct d_exec	*ex = arg;
	uint8_t		 buf[READ_CHUNK];
	struct exec_out	*o;
	ssize_t		 n;
	size_t		 keep;
	int		 which;

	which = fd == ex->out[0].fd ? 0 : 1;
	o = &ex->out[which];
	if ((n = read(fd, buf, sizeof(buf))) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_warn("command %s: output", ex->cid);
		n = 0;
	}
	if (n == 0) {
		if (o->cut)
			(void)store_output_put(d->store, ex->sid, ex->cid, which,
			    STORE_OUTPUT_CUT, &o->total, sizeof(o->total));
		out_close(o);
		maybe_respond(ex);
		return;
	}
	/* The store keeps the first STORE_OUTPUT_KEEP bytes of a stream and,
	 * once it has more, how long it really is; the command never waits. */
	if (o->total < STORE_OUTPUT_KEEP)
		(void)store_output_put(d->store, ex->sid, ex->cid, which,
		    o->total, buf, (uint64_t)n < STORE_OUTPUT_KEEP - o->total ?
		    (size_t)n : (size_t)(STORE_OUTPUT_KEEP - o->total));
	o->total += (uint64_t)n;
	if (o->total > STORE_OUTPUT_KEEP)
		o->cut = 1;
	if (store_output_pending(d->store) > STORE_OUTPUT_COMMIT)
		d_events_commit();
	stream_chunk(ex, which, buf, (size_t)n);
	keep = (size_t)n;
	if (o->len + keep > EXEC_OUTPUT_MAX)
		keep = EXEC_OUTPUT_MAX - o->len;
	if (keep == 0)
		return;
	if (o->buf == NULL && (o->buf = malloc(EXEC_OUTPUT_MAX)) == NULL)
		fatal("malloc");
	memcpy(o->buf + o->len, buf, keep);
	o->len += keep;
}

static void
in_cb(evutil_socket_t fd, short what, void *arg)
{
	struct d_exec	*ex = arg;
	struct exec_in	*in = &ex->in;
	ssize_t		 n;

	n = write(fd, in->data + in->off, in->len - in->off);
	if (n == -1 && (errno == EAGAIN || errno == EINTR))
		return;
	/* EPIPE: the command stopped reading; that is its business. */
	if (n > 0)
		in->off += (size_t)n;
	if (n <= 0 || in->off == in->len)
		in_close(in);
}

/* The monitor hands over the command's stdin (write end) and outputs. */
void
d_exec_output(uint32_t token, const struct ipc_exec_output *eo, int fd)
{
	struct d_exec	*ex;
	struct event	*ev;

	if ((ex = by_token(token)) == NULL || strcmp(eo->command_id,
	    ex->cid) != 0) {
		close(fd);
		return;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1) {
		close(fd);
		return;
	}
	if (eo->stream == IPC_STREAM_STDIN) {
		if (ex->in.fd != -1 || ex->in.data == NULL) {
			close(fd);
			return;
		}
		ex->in.fd = fd;
		if ((ex->in.ev = event_new(d->base, fd, EV_WRITE | EV_PERSIST,
		    in_cb, ex)) == NULL || event_add(ex->in.ev, NULL) == -1)
			fatalx("stdin event");
		return;
	}
	if (ex->out[eo->stream].fd != -1 || ex->out[eo->stream].done) {
		close(fd);
		return;
	}
	if ((ev = event_new(d->base, fd, EV_READ | EV_PERSIST, out_cb,
	    ex)) == NULL || event_add(ev, NULL) == -1)
		fatalx("output event");
	ex->out[eo->stream].fd = fd;
	ex->out[eo->stream].ev = ev;
	/* An empty record: paging tells a silent command from none. */
	(void)store_output_put(d->store, ex->sid, ex->cid, eo->stream, 0,
	    "", 0);
	stream_begin(ex);
}

/* The monitor's final word on the command. */
void
d_exec_result(uint32_t token, const struct ipc_exec_r *r)
{
	struct d_exec	*ex;

	if ((ex = by_token(token)) == NULL)
		return;
	if (r->status >= 300 && !ex->streaming) {
		/* It never ran: no events will come from the monitor. */
		if (ex->req != NULL) {
			ex->req->app = NULL;
			http_reply_error(ex->req, (int)r->status, "%s",
			    r->error);
		}
		finish(ex);
		return;
	}
	ex->have_result = 1;
	ex->status = r->status;
	ex->exit_code = r->exit_code;
	ex->flags = r->flags;
	ex->duration_ms = r->duration_ms;
	ex->cpu_user_ms = r->cpu_user_ms;
	ex->cpu_system_ms = r->cpu_system_ms;
	ex->maxrss_kb = r->maxrss_kb;
	free(ex->error);
	if ((ex->error = strdup(r->error)) == NULL)
		fatal("strdup");
	/* The ends come before the answer: one that has not come won't. */
	for (int i = 0; i < 2; i++)
		if (ex->out[i].fd == -1)
			ex->out[i].done = 1;
	maybe_respond(ex);
}

/* An event of one of our commands, as the store got it. */
void
d_exec_event(const char *sid, const char *cid, const char *type,
    int decision, const char *json, size_t len)
{
	struct d_exec	*ex;
	const char	*cat;
	json_t		*j;
	int		 k;

	if (*cid == '\0' || (ex = by_command(sid, cid)) == NULL)
		return;
	cat = audit_event_category(type);
	if (decision == IPC_DEC_DENY)
		k = 2;
	else if (strcmp(cat, "file") == 0)
		k = 0;
	else if (strcmp(cat, "net") == 0)
		k = 1;
	else
		k = 3;
	ex->nevs[k]++;
	if (json_array_size(ex->evs[k]) >= EXEC_EVENTS_MAX) {
		ex->evs_dropped = 1;
		return;
	}
	if ((j = json_loadb(json, len, 0, NULL)) != NULL)
		json_array_append_new(ex->evs[k], j);
}

void
d_exec_barrier(const char *sid, const char *cid)
{
	struct d_exec	*ex;

	if ((ex = by_command(sid, cid)) == NULL)
		return;
	ex->barrier = 1;
	if (ex->ev_wait != NULL)
		respond(ex);
	else
		maybe_respond(ex);
}

/* The client went away: its command is stopped, its output still kept. */
void
d_exec_abort(struct http_req *req)
{
	struct d_exec		*ex = req->app;
	struct ipc_exec_kill	 k;

	if (ex == NULL)
		return;
	req->app = NULL;
	ex->req = NULL;
	if (ex->ran && !ex->have_result) {
		k.connid = 0;	/* agentshd's own doing, not a client's */
		k.id = ex->sid;
		k.command_id = ex->cid;
		log_info("command %s: its client went away; stopping it",
		    ex->cid);
		(void)ipc_send(&d->mon, IPC_EXEC_KILL, 0, -1, &k);
	}
	if (!ex->ran)
		finish(ex);
}

/* Environment: the session's defaults, then the request's, through the
 * policy. */
static int
build_env(const struct d_exec *ex, const struct d_session *s,
    const struct pol_exec_req *xr, struct pol_env *env, char *err,
    size_t errlen)
{
	static const char *const base[] = {
	    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
	    "LANG=C.UTF-8", NULL };
	struct pol_env_req	 er;
	json_t			*renv = json_object_get(ex->request, "env"), *v;
	const char		**req;
	const char		*k;
	size_t			 n = 0, cap;
	int			 rc;

	cap = s->nenv + json_object_size(renv) + 1;
	if ((req = calloc(cap, sizeof(*req))) == NULL)
		fatal("calloc");
	for (size_t i = 0; i < s->nenv; i++)
		req[n++] = s->env[i];
	json_object_foreach(renv, k, v) {
		char	*kv;

		if (asprintf(&kv, "%s=%s", k, json_string_value(v)) == -1)
			fatal("asprintf");
		req[n++] = kv;
	}
	memset(&er, 0, sizeof(er));
	er.base = base;
	er.request = req;
	er.inject = (const char *const *)d->env_inject;
	er.exec = xr;
	rc = pol_env_build(s->pol, &er, env, err, errlen);
	for (size_t i = s->nenv; i < n; i++)
		free((char *)req[i]);
	free(req);
	return rc;
}

/* Keeps the strictest of two decisions in *best. */
static void
stricter(struct pol_result *best, const struct pol_result *r)
{
	if (pol_decision_strictness(r->decision) >
	    pol_decision_strictness(best->decision))
		*best = *r;
}

/*
 * The precheck decides what the init will really run.  A bare name is
 * looked up along the PATH of the environment the command gets, so every
 * directory it could be found in is decided as well (the init only
 * searches absolute directories); an argv0 is decided as the name the
 * program sees, since a multi-call binary acts on it.  The strictest
 * decision wins.  penv NULL: the environment is not built yet.
 */
static void
precheck(struct d_exec *ex, const struct d_session *s,
    const struct pol_ctx *ctx, struct pol_exec_req *xr, const char **argv,
    const struct pol_env *penv)
{
	struct pol_result	 r;
	const char		*argv0, *cmd = argv[0], *p = NULL;
	json_t			*v;
	char			 buf[PATH_MAX];

	argv0 = (v = json_object_get(ex->request, "argv0")) != NULL &&
	    json_string_length(v) > 0 ? json_string_value(v) : NULL;
	if (penv == NULL) {
		xr->path = strchr(cmd, '/') != NULL ? cmd : NULL;
		(void)pol_eval_exec(s->pol, ctx, xr, &ex->pre);
		if (argv0 != NULL && strcmp(argv0, cmd) != 0) {
			/* by that name alone, as a multi-call binary sees it */
			argv[0] = argv0;
			xr->path = NULL;
			(void)pol_eval_exec(s->pol, ctx, xr, &r);
			argv[0] = cmd;
			xr->path = strchr(cmd, '/') != NULL ? cmd : NULL;
			stricter(&ex->pre, &r);
		}
		return;
	}
	if (strchr(cmd, '/') != NULL)
		return;
	for (size_t i = 0; i < penv->n; i++)
		if (strncmp(penv->env[i], "PATH=", 5) == 0)
			p = penv->env[i] + 5;
	if (p == NULL)
		p = IPC_EXEC_DEFAULT_PATH;
	while (ipc_exec_path_next(&p, cmd, buf, sizeof(buf))) {
		xr->path = buf;
		(void)pol_eval_exec(s->pol, ctx, xr, &r);
		stricter(&ex->pre, &r);
	}
	xr->path = NULL;
}

static int
runs_after(const struct pol_result *r)
{
	return r->effective == POL_ALLOW || r->effective == POL_AUDIT ||
	    r->effective == POL_REDIRECT;
}

/*
 * Starts a command the API took: the precheck, its event, then either the
 * answer (denied) or the request to the monitor.
 */
void
d_exec_start(struct d_exec *ex)
{
	struct d_session	*s;
	struct pol_ctx		 ctx;
	struct pol_exec_req	 xr;
	struct pol_env		 env;
	struct ipc_exec		 ie;
	const char		**argv = NULL, **args = NULL;
	json_t			*jargs, *v;
	char			 err[512];
	size_t			 argc = 0, i;
	int			 runs;

	TAILQ_INSERT_TAIL(&execs, ex, entry);
	ex->req->app = ex;
	ex->started_ns = ipc_now_ns();
	for (i = 0; i < 4; i++)
		if ((ex->evs[i] = json_array()) == NULL)
			fatal("json_array");
	new_command_id(ex->cid, sizeof(ex->cid));
	s = d_session_find(ex->sid);

	jargs = json_object_get(ex->request, "args");
	if ((argv = calloc(json_array_size(jargs) + 2, sizeof(*argv))) == NULL)
		fatal("calloc");
	argv[argc++] = json_string_value(json_object_get(ex->request,
	    "command"));
	json_array_foreach(jargs, i, v)
		argv[argc++] = json_string_value(v);

	memset(&ctx, 0, sizeof(ctx));
	ctx.opaque = (enum pol_opaque)d->shellc_opaque;
	memset(&xr, 0, sizeof(xr));
	xr.argv = argv;
	xr.argc = argc;
	xr.depth = 0;
	precheck(ex, s, &ctx, &xr, argv, NULL);
	memset(&env, 0, sizeof(env));
	runs = runs_after(&ex->pre);
	/* An environment over a limit of the policy: it does not start. */
	if (runs && build_env(ex, s, &xr, &env, err, sizeof(err)) == -1) {
		if ((ex->env_error = strdup(err)) == NULL)
			fatal("strdup");
		runs = 0;
	}
	if (runs) {
		precheck(ex, s, &ctx, &xr, argv, &env);
		runs = runs_after(&ex->pre);
	}
	/* The answer outlives the policy when the session goes first. */
	if (ex->pre.rule != NULL) {
		if ((ex->rule = strdup(ex->pre.rule)) == NULL)
			fatal("strdup");
		ex->pre.rule = ex->rule;
	}
	memset(&ie, 0, sizeof(ie));
	ie.command = argv[0];
	ie.args.n = (uint32_t)(argc - 1);
	ie.args.v = argv + 1;
	if (runs && ex->pre.effective == POL_REDIRECT && ex->pre.cmd != NULL &&
	    ex->pre.cmd->command != NULL) {
		/* The policy sends it elsewhere: run that, and say so. */
		const struct pol_cmd_redirect	*rd = ex->pre.cmd;
		size_t				 na = 0;

		if ((args = calloc(rd->nargs + rd->nargs_append + 1,
		    sizeof(*args))) == NULL)
			fatal("calloc");
		for (i = 0; i < rd->nargs; i++)
			args[na++] = rd->args[i];
		for (i = 0; i < rd->nargs_append; i++)
			args[na++] = rd->args_append[i];
		ie.command = rd->command;
		ie.args.n = (uint32_t)na;
		ie.args.v = args;
	}
	emit_policy_event(ex, argv, argc);
	expect_and_drain(ex, runs);
	if (!runs) {
		/* Denied at the precheck; approvals do not exist here yet, so
		 * an approve is a denial too, never an allow. */
		ex->have_result = 1;
		ex->exit_code = 126;
		ex->out[0].done = ex->out[1].done = 1;
		goto out;
	}
	if ((ex->command = strdup(ie.command)) == NULL)
		fatal("strdup");
	ie.connid = ((struct d_conn *)ex->req->conn_arg)->id;
	ie.id = ex->sid;
	ie.command_id = ex->cid;
	ie.argv0 = (v = json_object_get(ex->request, "argv0")) != NULL ?
	    json_string_value(v) : "";
	ie.env.n = (uint32_t)env.n;
	ie.env.v = (const char **)env.env;
	ie.cwd = (v = json_object_get(ex->request, "working_dir")) != NULL ?
	    json_string_value(v) : "";
	ie.timeout_ms = ex->timeout_ms;
	if (ex->in.data != NULL)
		ie.flags |= IPC_EXEC_F_STDIN;
	if (++d->next_token == 0)
		d->next_token = 1;
	ex->token = d->next_token;
	if (ipc_send(&d->mon, IPC_EXEC, ex->token, -1, &ie) == -1) {
		ex->req->app = NULL;
		http_reply_error(ex->req, 503, "the monitor is not reachable");
		finish(ex);
		goto done;
	}
	ex->ran = 1;
	goto done;
out:
	/* Nothing runs: answer once the events are in. */
	maybe_respond(ex);
done:
	pol_env_clear(&env);
	free(args);
	free(argv);
}
