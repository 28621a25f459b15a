/*
 * The ExecRequest: {command, args, argv0, timeout, working_dir, env,
 * stdin, include_events, stream_output} and ours, output_encoding (utf-8
 * or base64).  A wrong field is a 400 naming it; more than the monitor
 * takes in one message is a 413.
 */
#include "compat.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "exec_req.h"
#include "ipc.h"
#include "ipc_msg.h"
#include "agentsh-monitor/cfgval.h"

const char *const exec_req_known[] = { "command", "args", "argv0",
    "timeout", "working_dir", "env", "stdin", "include_events",
    "stream_output", "output_encoding", NULL };

static int
env_name_ok(const char *k)
{
	if (!isalpha((unsigned char)*k) && *k != '_')
		return 0;
	for (k++; *k != '\0'; k++)
		if (!isalnum((unsigned char)*k) && *k != '_')
			return 0;
	return 1;
}

static int
is_plain_string(const json_t *v)
{
	return json_is_string(v) &&
	    strlen(json_string_value(v)) == json_string_length(v);
}

static int
reject(int *status, int code, char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	*status = code;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

int
exec_req_check(json_t *o, struct exec_req *r, int *status, char *err,
    size_t errlen)
{
	static const char *const strings[] = { "command", "argv0", "timeout",
	    "working_dir", "include_events", "output_encoding", NULL };
	json_t		*v, *e;
	const char	*k, *why;
	long long	 ms = 0;
	size_t		 i, bytes = 0;

	memset(r, 0, sizeof(*r));
	r->include = "all";
	if (!json_is_object(o))
		return reject(status, 400, err, errlen, "the body must be a "
		    "JSON object");
	json_object_foreach(o, k, v) {
		for (i = 0; exec_req_known[i] != NULL; i++)
			if (strcmp(k, exec_req_known[i]) == 0)
				break;
		if (exec_req_known[i] == NULL)
			return reject(status, 400, err, errlen, "%s: unknown "
			    "field", k);
	}
	for (i = 0; strings[i] != NULL; i++) {
		v = json_object_get(o, strings[i]);
		if (v != NULL && !is_plain_string(v))
			return reject(status, 400, err, errlen, "%s: must be a "
			    "string without NUL bytes", strings[i]);
		if (v != NULL)
			bytes += json_string_length(v);
	}
	v = json_object_get(o, "command");
	if (v == NULL || json_string_length(v) == 0)
		return reject(status, 400, err, errlen, "command: required");
	if ((v = json_object_get(o, "args")) != NULL) {
		if (!json_is_array(v) || json_array_size(v) > IPC_EXEC_ARGS_MAX)
			return reject(status, 400, err, errlen, "args: an array "
			    "of at most %d strings", IPC_EXEC_ARGS_MAX);
		json_array_foreach(v, i, e) {
			if (!is_plain_string(e))
				return reject(status, 400, err, errlen,
				    "args[%zu]: must be a string without NUL "
				    "bytes", i);
			bytes += json_string_length(e) + 8;
		}
	} else if (json_object_set_new(o, "args", json_array()) == -1)
		return reject(status, 500, err, errlen, "out of memory");
	if ((v = json_object_get(o, "env")) != NULL) {
		if (!json_is_object(v) || json_object_size(v) > IPC_SESS_ENV_MAX)
			return reject(status, 400, err, errlen, "env: an object "
			    "of at most %d strings", IPC_SESS_ENV_MAX);
		json_object_foreach(v, k, e) {
			if (!env_name_ok(k) || !is_plain_string(e))
				return reject(status, 400, err, errlen, "env.%s: "
				    "a variable name, and a string without NUL "
				    "bytes", k);
			bytes += strlen(k) + json_string_length(e) + 8;
		}
	} else if (json_object_set_new(o, "env", json_object()) == -1)
		return reject(status, 500, err, errlen, "out of memory");
	if ((v = json_object_get(o, "timeout")) != NULL) {
		why = NULL;
		if (cfgval_duration(json_string_value(v), &ms, &why) == -1 ||
		    ms <= 0)
			return reject(status, 400, err, errlen, "timeout: '%s' "
			    "%s", json_string_value(v), why == NULL ?
			    "must be more than 0" : why);
		r->timeout_ms = (uint64_t)ms;
	}
	if ((v = json_object_get(o, "stdin")) != NULL) {
		/* Bytes, NULs included: the command's input may be binary. */
		if (!json_is_string(v) || json_string_length(v) > EXEC_STDIN_MAX)
			return reject(status, 400, err, errlen, "stdin: a string "
			    "of at most %d bytes", EXEC_STDIN_MAX);
		r->stdin_data = json_string_value(v);
		r->stdin_len = json_string_length(v);
	}
	if ((v = json_object_get(o, "include_events")) != NULL) {
		const char	*ie = json_string_value(v);

		if (strcmp(ie, "all") && strcmp(ie, "summary") &&
		    strcmp(ie, "blocked") && strcmp(ie, "none"))
			return reject(status, 400, err, errlen, "include_events: "
			    "all, summary, blocked or none");
		r->include = ie;
	}
	if ((v = json_object_get(o, "output_encoding")) != NULL) {
		if (strcmp(json_string_value(v), "base64") == 0)
			r->b64 = 1;
		else if (strcmp(json_string_value(v), "utf-8") != 0)
			return reject(status, 400, err, errlen, "output_encoding: "
			    "utf-8 or base64");
	}
	if ((v = json_object_get(o, "stream_output")) != NULL) {
		if (!json_is_boolean(v))
			return reject(status, 400, err, errlen, "stream_output: "
			    "true or false");
		r->stream = json_is_true(v);
	}
	/* All of it travels to the monitor in one message. */
	if (bytes > IPC_MAX_PAYLOAD - 8192)
		return reject(status, 413, err, errlen, "command, args, env and "
		    "working_dir together are too large");
	return 0;
}
