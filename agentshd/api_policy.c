/*
 * POST /api/v1/policy/test: an operation evaluated against a session's
 * policy, as `agentsh policy eval` does it (CONTRACT.md section 3.4), by
 * the same engine, with what this session's enforcement really covers:
 * until execs are intercepted, an opaque `sh -c` under
 * shellc.opaque: enforce is denied, and the answer says so.
 *
 * Body: {"session_id": ..., "op": "file|exec|connect|dns|signal|unix|env",
 * ...}; the original's {"session_id", "operation", "path"} is a file
 * operation.
 */
#include "compat.h"

#include <string.h>

#include "agentshd.h"
#include "http.h"
#include "policy.h"

void
api_policy_test(struct http_req *req)
{
	json_error_t		 jerr;
	json_t			*o, *sidv, *res;
	struct d_session	*s;
	struct pol_ctx		 ctx;
	const char		*sid;

	if (req->method != HTTP_POST) {
		http_reply_add_header(req, "Allow", "POST");
		http_reply_error(req, 405, "method not allowed on %s",
		    req->path);
		return;
	}
	if ((o = json_loadb((const char *)req->body, req->bodylen,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL || !json_is_object(o)) {
		http_reply_error(req, 400, "request body: a JSON object is "
		    "required%s%s", o == NULL ? ": " : "",
		    o == NULL ? jerr.text : "");
		json_decref(o);
		return;
	}
	sidv = json_object_get(o, "session_id");
	if (!json_is_string(sidv)) {
		http_reply_error(req, 400, "session_id: required (a string)");
		goto out;
	}
	sid = json_string_value(sidv);
	if ((s = d_session_find(sid)) == NULL ||
	    !d_session_visible(req->conn_arg, s)) {
		http_reply_error(req, 404, "session %s not found", sid);
		goto out;
	}
	if (s->pol == NULL) {
		http_reply_error(req, 409, "session %s has no usable policy: %s",
		    sid, s->state_reason);
		goto out;
	}
	json_object_del(o, "session_id");
	/* The original's form: a file operation without "op". */
	if (json_object_get(o, "op") == NULL &&
	    json_object_get(o, "operation") != NULL)
		json_object_set_new(o, "op", json_string("file"));
	memset(&ctx, 0, sizeof(ctx));
	ctx.opaque = (enum pol_opaque)d->shellc_opaque;
	if ((res = pol_eval_json(s->pol, &ctx, o)) == NULL) {
		http_reply_error(req, 500, "out of memory");
		goto out;
	}
	api_reply_json(req, json_object_get(res, "error") != NULL ? 400 : 200,
	    res);
out:
	json_decref(o);
}
