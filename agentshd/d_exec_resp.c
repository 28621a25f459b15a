/*
 * The ExecResponse of CONTRACT.md section 2, and the guidance in it: what
 * an agent needs to decide its next step (blocked or failed, retryable,
 * what to try instead), in the original's words where it has them.
 */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "agentshd.h"
#include "audit.h"
#include "d_exec.h"
#include "ipc_log.h"

/*
 * Output as a JSON string.  Not UTF-8 as a whole: each byte that does not
 * begin a well-formed sequence (RFC 3629) becomes U+FFFD, unless the
 * client asked for base64, which keeps every byte.
 */
json_t *
d_exec_bytes(const uint8_t *p, size_t len, int b64)
{
	json_t	*j;
	char	*o;
	size_t	 n = 0, i = 0;

	if (b64) {
		size_t	 bl = sodium_base64_ENCODED_LEN(len,
		    sodium_base64_VARIANT_ORIGINAL);

		if ((o = malloc(bl)) == NULL)
			return NULL;
		sodium_bin2base64(o, bl, p, len,
		    sodium_base64_VARIANT_ORIGINAL);
		j = json_string(o);
		free(o);
		return j;
	}
	if ((o = malloc(len * 3 + 1)) == NULL)
		return NULL;
	while (i < len) {
		uint8_t		 c = p[i];
		size_t		 k = 0;
		uint32_t	 cp = 0, min = 0;

		if (c < 0x80) {
			o[n++] = (char)c;
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
		memcpy(o + n, "\xef\xbf\xbd", 3);
		n += 3;
		i++;
	}
	j = json_stringn(o, n);
	free(o);
	return j;
}

static json_t *
suggestion(const char *action, const char *command, const char *reason)
{
	json_t	*s = json_pack("{s:s}", "action", action);

	if (command != NULL)
		json_object_set_new(s, "command", json_string(command));
	if (reason != NULL)
		json_object_set_new(s, "reason", json_string(reason));
	return s;
}

static int
denied(const struct d_exec *ex)
{
	return ex->env_error != NULL || (!ex->ran &&
	    ex->pre.effective != POL_ALLOW && ex->pre.effective != POL_AUDIT &&
	    ex->pre.effective != POL_REDIRECT);
}

static const char *
arg_url(const json_t *request)
{
	const json_t	*v;
	size_t		 i;

	json_array_foreach(json_object_get(request, "args"), i, v) {
		const char	*a = json_string_value(v);

		if (strncmp(a, "http://", 7) == 0 ||
		    strncmp(a, "https://", 8) == 0)
			return a;
	}
	return NULL;
}

/* Denied by the precheck: blocked, and what can be done about it. */
static json_t *
guidance_denied(const struct d_exec *ex, const char *command)
{
	json_t	*g, *sug, *subs;
	int	 approve = ex->pre.decision == POL_APPROVE;

	sug = json_array();
	subs = json_array();
	g = json_pack("{s:s, s:b, s:b, s:s, s:s, s:s, s:s}",
	    "status", "blocked", "blocked", 1, "retryable", approve,
	    "reason", ex->env_error != NULL ? ex->env_error : approve ?
	    "command requires approval, and this server has no approvals" :
	    "command denied by policy",
	    "policy_rule", ex->pre.rule != NULL ? ex->pre.rule : "",
	    "blocked_operation", "exec",
	    "blocked_target", command);
	if (approve)
		json_array_append_new(sug, suggestion("request_approval", NULL,
		    "operation requires approval per policy (approvals are not "
		    "available on this server yet)"));
	else
		json_array_append_new(sug, suggestion("adjust_policy", NULL,
		    "operation denied by policy; adjust policy or change "
		    "command"));
	/* The original's substitutions for common downloaders. */
	if (strcmp(command, "curl") == 0 && arg_url(ex->request) != NULL) {
		char	*c;

		if (asprintf(&c, "wget -qO- %s", arg_url(ex->request)) != -1) {
			json_array_append_new(subs, suggestion("substitute", c,
			    "try an alternative downloader"));
			free(c);
		}
	}
	json_object_set_new(g, "substitutions", subs);
	json_object_set_new(g, "suggestions", sug);
	return g;
}

static json_t *
guidance_ran(const struct d_exec *ex)
{
	json_t		*g, *sug = json_array(), *subs = json_array();
	const char	*status = ex->exit_code == 0 ? "ok" : "failed";
	const char	*reason = "";
	int		 retry = 0;

	if (ex->flags & IPC_EXEC_F_TIMED_OUT) {
		reason = "command timed out";
		retry = 1;
		json_array_append_new(sug, suggestion("increase_timeout",
		    "agentsh exec --timeout 2m ...",
		    "increase --timeout for slow commands"));
	} else if (ex->flags & IPC_EXEC_F_NOT_STARTED) {
		reason = ex->error != NULL && *ex->error != '\0' ? ex->error :
		    "command could not be started";
		json_array_append_new(sug, suggestion("use_absolute_exe", NULL,
		    "use an absolute executable path (or install the missing "
		    "tool if allowed)"));
	} else if (ex->flags & IPC_EXEC_F_KILLED)
		reason = "command was killed";
	else if (ex->exit_code != 0)
		reason = "command failed";
	if (ex->pre.effective == POL_REDIRECT && ex->command != NULL) {
		json_array_append_new(subs, suggestion("redirected",
		    ex->command, ex->pre.message[0] != '\0' ?
		    ex->pre.message : "redirected by policy"));
		reason = ex->pre.message;
	}
	g = json_pack("{s:s, s:b, s:b, s:s}", "status", status, "blocked", 0,
	    "retryable", retry, "reason", reason);
	if (ex->pre.effective == POL_REDIRECT && ex->pre.rule != NULL)
		json_object_set_new(g, "policy_rule",
		    json_string(ex->pre.rule));
	json_object_set_new(g, "substitutions", subs);
	json_object_set_new(g, "suggestions", sug);
	return g;
}

static json_t *
exec_error(const struct d_exec *ex, const char *command)
{
	const char	*code = NULL, *msg = NULL;
	char		 buf[512];
	json_t		*e;

	if (denied(ex)) {
		code = ex->pre.decision == POL_APPROVE ? "E_APPROVAL_DENIED" :
		    "E_POLICY_DENIED";
		/* A rule without a message: say which command and rule. */
		snprintf(buf, sizeof(buf), "command \"%s\" %s", command,
		    ex->pre.decision == POL_APPROVE ? "needs approval, and "
		    "approvals are not available yet" :
		    "is not allowed by the policy");
		msg = ex->env_error != NULL ? ex->env_error :
		    ex->pre.message[0] != '\0' ? ex->pre.message : buf;
	} else if (ex->flags & (IPC_EXEC_F_TIMED_OUT | IPC_EXEC_F_NOT_STARTED |
	    IPC_EXEC_F_KILLED)) {
		code = "E_COMMAND_FAILED";
		msg = ex->error != NULL ? ex->error : "failed";
	}
	if (code == NULL)
		return NULL;
	e = json_pack("{s:s, s:s}", "code", code, "message", msg);
	if (denied(ex) && ex->pre.rule != NULL) {
		json_t	*g = guidance_denied(ex, command);

		json_object_set_new(e, "policy_rule",
		    json_string(ex->pre.rule));
		json_object_set(e, "suggestions", json_object_get(g,
		    "suggestions"));
		json_decref(g);
	}
	return e;
}

/* include_events: all, summary (blocked only, at most 25), blocked, none */
static json_t *
events_json(const struct d_exec *ex)
{
	static const char *const names[4] = { "file_operations",
	    "network_operations", "blocked_operations", "other" };
	json_t	*o = json_object();
	int	 trunc = ex->evs_dropped;

	for (int k = 0; k < 4; k++) {
		json_t	*list = json_deep_copy(ex->evs[k]);
		int	 keep = strcmp(ex->include, "all") == 0 ||
		    (k == 2 && strcmp(ex->include, "none") != 0);

		if (!keep) {
			if (json_array_size(list) > 0)
				trunc = 1;
			json_array_clear(list);
		} else if (k == 2 && strcmp(ex->include, "summary") == 0)
			while (json_array_size(list) > 25) {
				json_array_remove(list, 25);
				trunc = 1;
			}
		json_object_set_new(o, names[k], list);
	}
	json_object_set_new(o, "file_operations_count",
	    json_integer(ex->nevs[0]));
	json_object_set_new(o, "network_operations_count",
	    json_integer(ex->nevs[1]));
	json_object_set_new(o, "blocked_operations_count",
	    json_integer(ex->nevs[2]));
	json_object_set_new(o, "other_count", json_integer(ex->nevs[3]));
	json_object_set_new(o, "truncated", json_boolean(trunc ||
	    !ex->barrier));
	return o;
}

/* What enforced this command: said plainly, per CONTRACT's promise. */
static json_t *
enforcement_json(const struct d_exec *ex)
{
	const struct d_session	*s = d_session_find(ex->sid);
	json_t			*layers = json_array();

	if (s != NULL)
		for (size_t i = 0; i < s->nenforcement; i++)
			json_array_append_new(layers,
			    json_string(s->enforcement[i]));
	return json_pack("{s:o, s:b, s:s}", "layers", layers,
	    "per_exec", 0, "note", "only the top-level command is decided by "
	    "the policy (precheck); the commands it starts run in the "
	    "session's space but are not decided one by one yet, and an "
	    "opaque sh -c script is denied");
}

json_t *
d_exec_response(const struct d_exec *ex, int *http_status)
{
	const char	*command = json_string_value(json_object_get(
			    ex->request, "command"));
	char		 ts[40];
	json_t		*o, *res, *err;
	int		 b64 = ex->b64;

	audit_time_format(ex->started_ns, ts);
	res = json_pack("{s:i, s:o, s:o, s:b, s:b, s:I, s:I, s:I}",
	    "exit_code", (int)ex->exit_code,
	    "stdout", d_exec_bytes(ex->out[0].buf, ex->out[0].len, b64),
	    "stderr", d_exec_bytes(ex->out[1].buf, ex->out[1].len, b64),
	    "stdout_truncated", ex->out[0].total > ex->out[0].len,
	    "stderr_truncated", ex->out[1].total > ex->out[1].len,
	    "stdout_total_bytes", (json_int_t)ex->out[0].total,
	    "stderr_total_bytes", (json_int_t)ex->out[1].total,
	    "duration_ms", (json_int_t)(ex->ran ? ex->duration_ms :
	    (ipc_now_ns() - ex->started_ns) / 1000000));
	if (res == NULL)
		return NULL;
	if (b64)
		json_object_set_new(res, "output_encoding",
		    json_string("base64"));
	if ((err = exec_error(ex, command)) != NULL)
		json_object_set_new(res, "error", err);
	o = json_pack("{s:s, s:s, s:s, s:O, s:o, s:o, s:{s:I, s:I, s:I}, "
	    "s:o, s:o}",
	    "command_id", ex->cid,
	    "session_id", ex->sid,
	    "timestamp", ts,
	    "request", ex->request,
	    "result", res,
	    "events", events_json(ex),
	    "resources", "cpu_user_ms", (json_int_t)ex->cpu_user_ms,
	    "cpu_system_ms", (json_int_t)ex->cpu_system_ms,
	    "memory_peak_kb", (json_int_t)ex->maxrss_kb,
	    "guidance", denied(ex) ? guidance_denied(ex, command) :
	    guidance_ran(ex),
	    "enforcement", enforcement_json(ex));
	*http_status = denied(ex) ? 403 : 200;
	return o;
}
