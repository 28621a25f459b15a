/*
 * Commands over HTTP (CONTRACT.md section 2):
 *   POST /api/v1/sessions/{id}/exec		ExecRequest -> ExecResponse
 *   POST /api/v1/sessions/{id}/exec/stream	output as server-sent events
 *   GET  /api/v1/sessions/{id}/output/{cmd}	a command's output, paged
 *   POST /api/v1/sessions/{id}/kill/{cmd}	kill a running command
 *
 * exec_req.c checks the ExecRequest; d_exec.c runs it.
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentshd.h"
#include "audit_json.h"
#include "d_exec.h"
#include "exec_req.h"
#include "http.h"
#include "ipc_log.h"

#define OUTPUT_PAGE_DEFAULT	 (64 * 1024)
#define OUTPUT_PAGE_MAX		 EXEC_OUTPUT_MAX

/* The ExecRequest, checked by exec_req.c, into the command's state. */
static json_t *
parse_request(struct http_req *req, struct d_exec *ex)
{
	struct exec_req	 r;
	json_t		*o;
	char		 err[256];
	int		 status;

	if ((o = api_body_object(req, exec_req_known)) == NULL)
		return NULL;
	if (exec_req_check(o, &r, &status, err, sizeof(err)) == -1) {
		http_reply_error(req, status, "%s", err);
		json_decref(o);
		return NULL;
	}
	ex->timeout_ms = r.timeout_ms;
	ex->include = r.include;
	ex->b64 = r.b64;
	ex->stream |= r.stream;
	if (r.stdin_data != NULL) {
		if ((ex->in.data = malloc(r.stdin_len + 1)) == NULL)
			fatal("malloc");
		memcpy(ex->in.data, r.stdin_data, r.stdin_len);
		ex->in.len = r.stdin_len;
	}
	return o;
}

static void
exec_request(struct http_req *req, const char *sid, int stream)
{
	struct d_session	*s;
	struct d_exec		*ex;

	if ((s = d_session_find(sid)) == NULL ||
	    !d_session_visible(req->conn_arg, s)) {
		http_reply_error(req, 404, "session %s not found", sid);
		return;
	}
	if (s->pol == NULL || s->state != IPC_SESS_READY) {
		http_reply_error(req, 409, "session %s cannot run commands: %s",
		    sid, s->state_reason[0] ? s->state_reason :
		    "its policy did not load");
		return;
	}
	if ((ex = d_exec_new(req, sid, stream)) == NULL) {
		http_reply_error(req, 500, "out of memory");
		return;
	}
	if ((ex->request = parse_request(req, ex)) == NULL) {
		d_exec_free(ex);
		return;
	}
	d_exec_start(ex);
}

/* GET .../output/{cmd}?stream=stdout|stderr&offset=&limit=&encoding= */
static void
output_page(struct http_req *req, const char *sid, const char *cid)
{
	static const char *const known[] = { "stream", "offset", "limit",
	    "encoding", NULL };
	struct d_session	*s;
	struct audit_buf	 out = { 0 };
	char			 bad[64], *v = NULL;
	const char		*errstr;
	uint64_t		 total, kept;
	long long		 off = 0, lim = OUTPUT_PAGE_DEFAULT;
	int			 which = 0, b64 = 0;
	json_t			*o;

	if ((s = d_session_find(sid)) == NULL ||
	    !d_session_visible(req->conn_arg, s)) {
		http_reply_error(req, 404, "session %s not found", sid);
		return;
	}
	if (http_req_query_check(req, known, bad, sizeof(bad)) == -1) {
		http_reply_error(req, 400, "unknown query parameter '%s'", bad);
		return;
	}
	if (http_req_query(req, "stream", &v) == 1) {
		if (strcmp(v, "stderr") == 0)
			which = 1;
		else if (strcmp(v, "stdout") != 0) {
			http_reply_error(req, 400, "stream: stdout or stderr");
			free(v);
			return;
		}
	}
	free(v);
	v = NULL;
	if (http_req_query(req, "offset", &v) == 1) {
		off = strtonum(v, 0, LLONG_MAX, &errstr);
		if (errstr != NULL) {
			http_reply_error(req, 400, "offset: %s", errstr);
			free(v);
			return;
		}
	}
	free(v);
	v = NULL;
	if (http_req_query(req, "limit", &v) == 1) {
		lim = strtonum(v, 1, LLONG_MAX, &errstr);
		if (errstr != NULL || lim > OUTPUT_PAGE_MAX) {
			http_reply_error(req, 400, "limit: 1 to %d",
			    OUTPUT_PAGE_MAX);
			free(v);
			return;
		}
	}
	free(v);
	v = NULL;
	if (http_req_query(req, "encoding", &v) == 1) {
		if (strcmp(v, "base64") == 0)
			b64 = 1;
		else if (strcmp(v, "utf-8") != 0) {
			http_reply_error(req, 400, "encoding: utf-8 or base64");
			free(v);
			return;
		}
	}
	free(v);
	d_events_commit();
	if (store_output_read(d->store, sid, cid, which, (uint64_t)off,
	    (size_t)lim, &out, &total, &kept) == -1) {
		http_reply_error(req, 404, "command %s not found in session "
		    "%s (it never ran)", cid, sid);
		return;
	}
	o = json_pack("{s:s, s:s, s:I, s:I, s:I, s:b, s:o, s:b}",
	    "command_id", cid, "stream", which ? "stderr" : "stdout",
	    "offset", off, "limit", lim, "total_bytes", (json_int_t)total,
	    "truncated", kept < total, "data", d_exec_bytes(out.data, out.len,
	    b64), "has_more", (uint64_t)off + out.len < kept);
	if (b64)
		json_object_set_new(o, "encoding", json_string("base64"));
	audit_buf_clear(&out);
	api_reply_json(req, 200, o);
}

static void
kill_request(struct http_req *req, const char *sid, const char *cid)
{
	struct ipc_exec_kill	 k;

	k.connid = ((struct d_conn *)req->conn_arg)->id;
	k.id = sid;
	k.command_id = cid;
	(void)d_request_monitor(req, IPC_EXEC_KILL, IPC_EXEC_KILL_R, &k);
}

void
api_kill_answer(struct http_req *req, const struct ipc_sess_r *r)
{
	if (r->status >= 300)
		http_reply_error(req, (int)r->status, "%s", r->error);
	else
		http_reply(req, 200, "application/json", "{\"ok\":true}", 11);
}

/* p: the path after "/sessions/".  1 if it was one of these routes. */
int
api_exec_route(struct http_req *req, const char *p)
{
	char		 sid[IPC_ID_MAX + 1], cid[IPC_ID_MAX + 1];
	const char	*slash = strchr(p, '/'), *rest, *s2;
	size_t		 l;
	int		 post = req->method == HTTP_POST;

	if (slash == NULL)
		return 0;
	rest = slash + 1;
	if (strcmp(rest, "exec") != 0 && strcmp(rest, "exec/stream") != 0 &&
	    strncmp(rest, "output/", 7) != 0 && strncmp(rest, "kill/", 5) != 0)
		return 0;
	if ((l = (size_t)(slash - p)) == 0 || l > IPC_ID_MAX) {
		http_reply_error(req, 404, "session not found");
		return 1;
	}
	memcpy(sid, p, l);
	sid[l] = '\0';
	if (strncmp(rest, "exec", 4) == 0) {
		if (!post) {
			http_reply_add_header(req, "Allow", "POST");
			http_reply_error(req, 405, "only POST is allowed on %s",
			    req->path);
			return 1;
		}
		exec_request(req, sid, rest[4] == '/');
		return 1;
	}
	s2 = strchr(rest, '/') + 1;
	if (*s2 == '\0' || strchr(s2, '/') != NULL || strlen(s2) > IPC_ID_MAX) {
		http_reply_error(req, 404, "no such command");
		return 1;
	}
	(void)strlcpy(cid, s2, sizeof(cid));
	if (rest[0] == 'o') {
		if (req->method != HTTP_GET && req->method != HTTP_HEAD) {
			http_reply_add_header(req, "Allow", "GET, HEAD");
			http_reply_error(req, 405, "only GET is allowed on %s",
			    req->path);
			return 1;
		}
		output_page(req, sid, cid);
	} else {
		if (!post) {
			http_reply_add_header(req, "Allow", "POST");
			http_reply_error(req, 405, "only POST is allowed on %s",
			    req->path);
			return 1;
		}
		kill_request(req, sid, cid);
	}
	return 1;
}
