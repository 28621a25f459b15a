/*
 * POST /api/v1/sessions/{id}/exec: run one command in a session and
 * answer with its exit code and output (the base of CONTRACT.md's
 * ExecResponse; events, guidance and the rest come with the policy).
 *
 * agentshd checks the body, the monitor decides (the caller must own the
 * session) and runs the command through the session's init.  Before its
 * final answer the monitor hands over the read ends of the command's
 * stdout and stderr (IPC_EXEC_OUTPUT, same peerid); agentshd reads both
 * to their end and answers once it has the result and both ends.  At
 * most API_EXEC_OUTPUT_MAX bytes of each stream are kept; the rest is
 * read and dropped, and the answer says so.
 */
#include "compat.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentshd.h"
#include "http.h"
#include "ipc_log.h"
#include "agentsh-monitor/cfgval.h"

#define API_EXEC_OUTPUT_MAX	 (1024 * 1024)
#define API_EXEC_READ		 (64 * 1024)

struct exec_stream {
	int		 fd;
	struct event	*ev;
	uint8_t		*buf;
	size_t		 len;
	size_t		 cap;
	int		 truncated;
	int		 done;		/* end reached, or never given */
};

struct api_exec {
	struct http_req		*req;
	uint32_t		 token;
	char			*session_id;
	struct exec_stream	 out[IPC_STREAM_MAX];
	int			 have_result;
	char			*command_id;
	char			*error;
	int32_t			 exit_code;
	uint32_t		 flags;
	uint64_t		 duration_ms;
	uint64_t		 cpu_user_ms;
	uint64_t		 cpu_system_ms;
	uint64_t		 maxrss_kb;
};

static void
stream_close(struct exec_stream *st)
{
	if (st->ev != NULL)
		event_free(st->ev);
	st->ev = NULL;
	if (st->fd != -1)
		close(st->fd);
	st->fd = -1;
	st->done = 1;
}

static void
exec_free(struct api_exec *ex)
{
	if (ex == NULL)
		return;
	for (int i = 0; i < IPC_STREAM_MAX; i++) {
		stream_close(&ex->out[i]);
		free(ex->out[i].buf);
	}
	free(ex->session_id);
	free(ex->command_id);
	free(ex->error);
	free(ex);
}

/*
 * A JSON string of bytes that may not be UTF-8: each byte that does not
 * begin a well-formed sequence (RFC 3629) becomes U+FFFD.
 */
static json_t *
json_bytes(const uint8_t *p, size_t len)
{
	json_t	*j;
	uint8_t	*o;
	size_t	 n = 0, i = 0;

	if ((o = malloc(len * 3 + 1)) == NULL)
		return NULL;
	while (i < len) {
		uint8_t		 c = p[i];
		size_t		 k = 0;
		uint32_t	 cp = 0, min = 0;

		if (c < 0x80) {
			o[n++] = c;
			i++;
			continue;
		}
		if ((c & 0xe0) == 0xc0) {
			k = 1;
			cp = c & 0x1f;
			min = 0x80;
		} else if ((c & 0xf0) == 0xe0) {
			k = 2;
			cp = c & 0x0f;
			min = 0x800;
		} else if ((c & 0xf8) == 0xf0) {
			k = 3;
			cp = c & 0x07;
			min = 0x10000;
		}
		if (k == 0 || i + k >= len)
			goto bad;
		for (size_t c1 = 1; c1 <= k; c1++) {
			if ((p[i + c1] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (p[i + c1] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		memcpy(o + n, p + i, k + 1);
		n += k + 1;
		i += k + 1;
		continue;
bad:
		o[n++] = 0xef;
		o[n++] = 0xbf;
		o[n++] = 0xbd;
		i++;
	}
	j = json_stringn((const char *)o, n);
	free(o);
	return j;
}

static void
finish(struct api_exec *ex)
{
	struct http_req	*req = ex->req;
	json_t		*o, *res;

	for (int i = 0; i < IPC_STREAM_MAX; i++)
		if (!ex->out[i].done)
			return;
	if (!ex->have_result)
		return;
	res = json_pack("{s:i, s:o, s:o, s:b, s:b, s:I}",
	    "exit_code", (int)ex->exit_code,
	    "stdout", json_bytes(ex->out[0].buf, ex->out[0].len),
	    "stderr", json_bytes(ex->out[1].buf, ex->out[1].len),
	    "stdout_truncated", ex->out[0].truncated,
	    "stderr_truncated", ex->out[1].truncated,
	    "duration_ms", (json_int_t)ex->duration_ms);
	if (res != NULL && ex->error[0] != '\0')
		json_object_set_new(res, "error", json_pack("{s:s, s:s}",
		    "code", "E_COMMAND_FAILED", "message", ex->error));
	o = json_pack("{s:s, s:s, s:o, s:{s:I, s:I, s:I}}",
	    "command_id", ex->command_id,
	    "session_id", ex->session_id,
	    "result", res,
	    "resources", "cpu_user_ms", (json_int_t)ex->cpu_user_ms,
	    "cpu_system_ms", (json_int_t)ex->cpu_system_ms,
	    "memory_peak_kb", (json_int_t)ex->maxrss_kb);
	req->app = NULL;
	exec_free(ex);
	api_reply_json(req, 200, o);
}

static void
stream_cb(evutil_socket_t fd, short what, void *arg)
{
	struct api_exec		*ex = arg;
	struct exec_stream	*st;
	uint8_t			 tmp[API_EXEC_READ];
	ssize_t			 n;
	size_t			 keep;

	st = fd == ex->out[0].fd ? &ex->out[0] : &ex->out[1];
	if ((n = read(fd, tmp, sizeof(tmp))) == -1) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		log_warn("command %s output", ex->command_id ?
		    ex->command_id : "?");
		n = 0;
	}
	if (n == 0) {
		stream_close(st);
		finish(ex);
		return;
	}
	keep = (size_t)n;
	if (st->len + keep > API_EXEC_OUTPUT_MAX) {
		keep = API_EXEC_OUTPUT_MAX - st->len;
		st->truncated = 1;
	}
	if (keep == 0)
		return;
	if (st->len + keep > st->cap) {
		size_t	 ncap = st->cap ? st->cap : API_EXEC_READ;
		uint8_t	*nb;

		while (ncap < st->len + keep)
			ncap *= 2;
		if (ncap > API_EXEC_OUTPUT_MAX)
			ncap = API_EXEC_OUTPUT_MAX;
		if ((nb = realloc(st->buf, ncap)) == NULL)
			fatal("realloc");
		st->buf = nb;
		st->cap = ncap;
	}
	memcpy(st->buf + st->len, tmp, keep);
	st->len += keep;
}

/* The monitor hands over one end of the command's output. */
void
api_exec_output(uint32_t token, const struct ipc_exec_output *eo, int fd)
{
	struct http_req		*req;
	struct api_exec		*ex;
	struct exec_stream	*st;

	if ((req = d_pending_req(token, IPC_EXEC_R)) == NULL ||
	    (ex = req->app) == NULL) {
		close(fd);	/* its client went away */
		return;
	}
	st = &ex->out[eo->stream];
	if (st->fd != -1 || st->done) {
		close(fd);
		return;
	}
	if (fcntl(fd, F_SETFL, O_NONBLOCK) == -1 ||
	    (st->ev = event_new(d->base, fd, EV_READ | EV_PERSIST, stream_cb,
	    ex)) == NULL || event_add(st->ev, NULL) == -1) {
		log_warn("command output");
		close(fd);
		st->done = 1;
		return;
	}
	st->fd = fd;
	if (ex->command_id == NULL && (ex->command_id =
	    strdup(eo->command_id)) == NULL)
		fatal("strdup");
}

/* The monitor's final answer. */
void
api_exec_result(struct http_req *req, const struct ipc_exec_r *r)
{
	struct api_exec	*ex = req->app;

	if (ex == NULL) {
		http_reply_error(req, 500, "unexpected exec answer");
		return;
	}
	if (r->status >= 300) {
		req->app = NULL;
		exec_free(ex);
		http_reply_error(req, (int)r->status, "%s", r->error);
		return;
	}
	free(ex->command_id);
	if ((ex->command_id = strdup(r->command_id)) == NULL ||
	    (ex->error = strdup(r->error)) == NULL)
		fatal("strdup");
	ex->exit_code = r->exit_code;
	ex->flags = r->flags;
	ex->duration_ms = r->duration_ms;
	ex->cpu_user_ms = r->cpu_user_ms;
	ex->cpu_system_ms = r->cpu_system_ms;
	ex->maxrss_kb = r->maxrss_kb;
	ex->have_result = 1;
	/* The ends come before the answer: one that has not come won't. */
	for (int i = 0; i < IPC_STREAM_MAX; i++)
		if (ex->out[i].fd == -1)
			ex->out[i].done = 1;
	finish(ex);
}

/* The client went away: the command runs on, its output is dropped. */
void
api_exec_abort(struct http_req *req)
{
	if (req->app != NULL) {
		exec_free(req->app);
		req->app = NULL;
	}
}

static int
strv_from_array(struct http_req *req, json_t *a, const char *key,
    const char ***vp, uint32_t *np, size_t max)
{
	const char	**v;
	json_t		*e;
	size_t		 i;

	*vp = NULL;
	*np = 0;
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a) || json_array_size(a) > max) {
		http_reply_error(req, 400, "%s: must be an array of at most %zu "
		    "strings", key, max);
		return -1;
	}
	if ((v = calloc(json_array_size(a) + 1, sizeof(*v))) == NULL) {
		http_reply_error(req, 500, "out of memory");
		return -1;
	}
	json_array_foreach(a, i, e) {
		if (!json_is_string(e) || strlen(json_string_value(e)) !=
		    json_string_length(e)) {
			http_reply_error(req, 400, "%s[%zu]: must be a string "
			    "without NUL bytes", key, i);
			free(v);
			return -1;
		}
		v[i] = json_string_value(e);
	}
	*vp = v;
	*np = (uint32_t)json_array_size(a);
	return 0;
}

/* env {"NAME": "value"} as "NAME=value" strings. */
static int
env_from_object(struct http_req *req, json_t *o, char ***kvp, uint32_t *np)
{
	const char	*k;
	json_t		*v;
	char		**kv;
	size_t		 n = 0;

	*kvp = NULL;
	*np = 0;
	if (o == NULL || json_is_null(o))
		return 0;
	if (!json_is_object(o) || json_object_size(o) > IPC_SESS_ENV_MAX) {
		http_reply_error(req, 400, "env: must be an object of at most "
		    "%d strings", IPC_SESS_ENV_MAX);
		return -1;
	}
	if ((kv = calloc(json_object_size(o) + 1, sizeof(*kv))) == NULL) {
		http_reply_error(req, 500, "out of memory");
		return -1;
	}
	json_object_foreach(o, k, v) {
		if (!json_is_string(v) || strlen(json_string_value(v)) !=
		    json_string_length(v) || strchr(k, '=') != NULL ||
		    *k == '\0') {
			http_reply_error(req, 400, "env.%s: must be a string "
			    "without NUL bytes, under a name without '='", k);
			goto bad;
		}
		if (asprintf(&kv[n], "%s=%s", k, json_string_value(v)) == -1) {
			http_reply_error(req, 500, "out of memory");
			goto bad;
		}
		n++;
	}
	*kvp = kv;
	*np = (uint32_t)n;
	return 0;
bad:
	for (size_t i = 0; i < n; i++)
		free(kv[i]);
	free(kv);
	return -1;
}

static void
exec_start(struct http_req *req, const char *id)
{
	static const char *const known[] = { "command", "args", "env",
	    "working_dir", "timeout", NULL };
	struct ipc_exec		 ie;
	struct api_exec		*ex = NULL;
	const char		*cmd, *wd, *tmo, *why, **args = NULL;
	json_t			*o;
	char			**env = NULL;
	long long		 ms = 0;
	uint32_t		 nenv = 0;
	size_t			 bytes;
	int			 bad = 0;

	if ((o = api_body_object(req, known)) == NULL)
		return;
	memset(&ie, 0, sizeof(ie));
	cmd = api_body_string(req, o, "command", &bad);
	if (!bad)
		wd = api_body_string(req, o, "working_dir", &bad);
	if (!bad)
		tmo = api_body_string(req, o, "timeout", &bad);
	if (bad)
		goto out;
	if (cmd == NULL || *cmd == '\0') {
		http_reply_error(req, 400, "command: required");
		goto out;
	}
	if (tmo != NULL && cfgval_duration(tmo, &ms, &why) == -1) {
		http_reply_error(req, 400, "timeout: '%s' %s", tmo, why);
		goto out;
	}
	if (strv_from_array(req, json_object_get(o, "args"), "args", &args,
	    &ie.args.n, IPC_EXEC_ARGS_MAX) == -1 ||
	    env_from_object(req, json_object_get(o, "env"), &env, &nenv) == -1)
		goto out;
	ie.connid = ((struct d_conn *)req->conn_arg)->id;
	ie.id = id;
	ie.command = cmd;
	ie.args.v = args;
	ie.env.n = nenv;
	ie.env.v = (const char **)env;
	ie.cwd = wd != NULL ? wd : "";
	ie.timeout_ms = (uint64_t)ms;
	/* One IPC message carries it all. */
	bytes = strlen(cmd) + strlen(ie.cwd) + 64;
	for (uint32_t i = 0; i < ie.args.n; i++)
		bytes += strlen(args[i]) + 5;
	for (uint32_t i = 0; i < nenv; i++)
		bytes += strlen(env[i]) + 5;
	if (strlen(cmd) > IPC_PATH_MAX || strlen(ie.cwd) > IPC_PATH_MAX ||
	    bytes > IPC_MAX_PAYLOAD - 1024) {
		http_reply_error(req, 413, "command, args, env and working_dir "
		    "together are too large");
		goto out;
	}
	if ((ex = calloc(1, sizeof(*ex))) == NULL) {
		http_reply_error(req, 500, "out of memory");
		goto out;
	}
	ex->req = req;
	if ((ex->session_id = strdup(id)) == NULL)
		fatal("strdup");
	for (int i = 0; i < IPC_STREAM_MAX; i++)
		ex->out[i].fd = -1;
	req->app = ex;
	if ((ex->token = d_request_monitor(req, IPC_EXEC, IPC_EXEC_R, &ie))
	    == 0) {
		/* answered already */
		req->app = NULL;
		exec_free(ex);
	}
out:
	for (uint32_t i = 0; i < nenv; i++)
		free(env[i]);
	free(env);
	free(args);
	json_decref(o);
}

/* p: the path after "/sessions/".  1 if it was an exec route. */
int
api_exec_route(struct http_req *req, const char *p)
{
	const char	*slash = strchr(p, '/');
	char		 id[IPC_ID_MAX + 1];
	size_t		 l;

	if (slash == NULL || strcmp(slash, "/exec") != 0)
		return 0;
	if ((l = (size_t)(slash - p)) == 0 || l > IPC_ID_MAX) {
		http_reply_error(req, 404, "session not found");
		return 1;
	}
	memcpy(id, p, l);
	id[l] = '\0';
	if (req->method != HTTP_POST) {
		http_reply_add_header(req, "Allow", "POST");
		http_reply_error(req, 405, "only POST is allowed on %s",
		    req->path);
		return 1;
	}
	exec_start(req, id);
	return 1;
}
