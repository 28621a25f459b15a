/*
 * The HTTP API (CONTRACT.md section 2): routing, request bodies, answers.
 * Every body is checked field by field: an unknown field, a wrong type or
 * a bad value is a 400 naming it.  Anything that needs privilege goes to
 * the monitor under the connection's id and is answered when it replies.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentshd.h"
#include "http.h"
#include "ipc_log.h"

#define API_PREFIX	 "/api/v1"

char *
api_time_rfc3339(uint64_t ns, char *buf, size_t len)
{
	struct tm	 tm;
	time_t		 t = (time_t)(ns / 1000000000ULL);
	char		 frac[16];
	size_t		 n;

	(void)gmtime_r(&t, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	/* Go's RFC3339Nano: the fraction without trailing zeros. */
	(void)snprintf(frac, sizeof(frac), ".%09llu",
	    (unsigned long long)(ns % 1000000000ULL));
	for (size_t i = strlen(frac) - 1; i > 0 && frac[i] == '0'; i--)
		frac[i] = '\0';
	if (strcmp(frac, ".") == 0)
		frac[0] = '\0';
	(void)snprintf(buf + n, len - n, "%sZ", frac);
	return buf;
}

void
api_reply_json(struct http_req *req, int status, json_t *j)
{
	char	*txt;

	if (j == NULL || (txt = json_dumps(j, JSON_COMPACT |
	    JSON_PRESERVE_ORDER | JSON_ENCODE_ANY)) == NULL) {
		json_decref(j);
		http_reply_error(req, 500, "cannot render the answer");
		return;
	}
	http_reply(req, status, "application/json", txt, strlen(txt));
	free(txt);
	json_decref(j);
}

/*
 * Parses a JSON object body.  allowed: the field names this endpoint
 * knows; anything else is an error naming it.
 */
static json_t *
body_object(struct http_req *req, const char *const *allowed)
{
	json_error_t	 jerr;
	json_t		*o, *v;
	const char	*k;

	if (req->bodylen == 0) {
		http_reply_error(req, 400, "request body: a JSON object is "
		    "required");
		return NULL;
	}
	if ((o = json_loadb((const char *)req->body, req->bodylen,
	    JSON_REJECT_DUPLICATES, &jerr)) == NULL) {
		http_reply_error(req, 400, "request body: invalid JSON at "
		    "line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		http_reply_error(req, 400, "request body: must be a JSON "
		    "object");
		return NULL;
	}
	json_object_foreach(o, k, v) {
		size_t	 i;

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] == NULL) {
			http_reply_error(req, 400, "request body: unknown "
			    "field '%s'", k);
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

/* A string field: NULL if absent, "" with an answer sent if wrong. */
static const char *
body_string(struct http_req *req, json_t *o, const char *key, int *bad)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return NULL;
	if (!json_is_string(v) || strlen(json_string_value(v)) !=
	    json_string_length(v)) {
		http_reply_error(req, 400, "%s: must be a string without NUL "
		    "bytes", key);
		*bad = 1;
		return NULL;
	}
	return json_string_value(v);
}

static int
body_bool(struct http_req *req, json_t *o, const char *key, int *bad)
{
	json_t	*v = json_object_get(o, key);

	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_boolean(v)) {
		http_reply_error(req, 400, "%s: must be true or false", key);
		*bad = 1;
		return 0;
	}
	return json_is_true(v);
}

static void
sessions_create(struct http_req *req)
{
	static const char *const allowed[] = { "id", "workspace", "policy",
	    "real_paths", NULL };
	struct d_conn		*c = req->conn_arg;
	struct ipc_sess_create	 sc;
	const char		*id, *ws, *pol;
	json_t			*o;
	int			 bad = 0, rp;

	if ((o = body_object(req, allowed)) == NULL)
		return;
	id = body_string(req, o, "id", &bad);
	if (!bad)
		ws = body_string(req, o, "workspace", &bad);
	if (!bad)
		pol = body_string(req, o, "policy", &bad);
	if (!bad)
		rp = body_bool(req, o, "real_paths", &bad);
	if (bad) {
		json_decref(o);
		return;
	}
	if (ws == NULL || *ws == '\0') {
		json_decref(o);
		http_reply_error(req, 400, "workspace: required");
		return;
	}
	if ((id != NULL && strlen(id) > IPC_ID_MAX) ||
	    strlen(ws) > IPC_PATH_MAX ||
	    (pol != NULL && strlen(pol) > IPC_NAME_MAX)) {
		json_decref(o);
		http_reply_error(req, 400, "id, workspace or policy: too long");
		return;
	}
	memset(&sc, 0, sizeof(sc));
	sc.connid = c->id;
	sc.id = id != NULL ? id : "";
	sc.workspace = ws;
	sc.policy = pol != NULL ? pol : "";
	sc.flags = rp ? IPC_SESS_F_REAL_PATHS : 0;
	(void)d_request_monitor(req, IPC_SESS_CREATE, IPC_SESS_CREATE_R, &sc);
	json_decref(o);
}

static void
sessions_list(struct http_req *req)
{
	struct d_conn		*c = req->conn_arg;
	struct d_session	*s;
	json_t			*a;

	if ((a = json_array()) == NULL) {
		http_reply_error(req, 500, "out of memory");
		return;
	}
	TAILQ_FOREACH(s, &d->sessions, entry)
		if (d_session_visible(c, s))
			json_array_append_new(a, d_session_json(s));
	api_reply_json(req, 200, a);
}

static void
session_get(struct http_req *req, const char *id)
{
	struct d_session	*s;

	if ((s = d_session_find(id)) == NULL ||
	    !d_session_visible(req->conn_arg, s)) {
		http_reply_error(req, 404, "session %s not found", id);
		return;
	}
	api_reply_json(req, 200, d_session_json(s));
}

static void
session_destroy(struct http_req *req, const char *id)
{
	struct ipc_sess_destroy	 sd;

	sd.connid = ((struct d_conn *)req->conn_arg)->id;
	sd.id = id;
	(void)d_request_monitor(req, IPC_SESS_DESTROY, IPC_SESS_DESTROY_R,
	    &sd);
}

/* PATCH {cwd, env, unset}: the defaults of later execs. */
static void
session_patch(struct http_req *req, const char *id)
{
	static const char *const allowed[] = { "cwd", "env", "unset", NULL };
	struct ipc_sess_update	 su;
	const char		**envv = NULL, **unsetv = NULL, *cwd, *k;
	json_t			*o, *env, *unset, *v;
	size_t			 i, n = 0;
	char			**kv = NULL;
	int			 bad = 0;

	if ((o = body_object(req, allowed)) == NULL)
		return;
	memset(&su, 0, sizeof(su));
	su.connid = ((struct d_conn *)req->conn_arg)->id;
	su.id = id;
	if ((cwd = body_string(req, o, "cwd", &bad)) != NULL) {
		su.what |= IPC_SESS_UPD_CWD;
		su.cwd = cwd;
	} else if (bad)
		goto out;
	su.cwd = su.cwd != NULL ? su.cwd : "";
	env = json_object_get(o, "env");
	unset = json_object_get(o, "unset");
	if (env != NULL && !json_is_null(env)) {
		if (!json_is_object(env) ||
		    json_object_size(env) > IPC_SESS_ENV_MAX) {
			http_reply_error(req, 400, "env: must be an object of "
			    "at most %d strings", IPC_SESS_ENV_MAX);
			goto out;
		}
		kv = calloc(json_object_size(env) + 1, sizeof(char *));
		envv = calloc(json_object_size(env) + 1, sizeof(char *));
		if (kv == NULL || envv == NULL)
			goto oom;
		json_object_foreach(env, k, v) {
			if (!json_is_string(v) || strlen(json_string_value(v))
			    != json_string_length(v) || strchr(k, '=') != NULL) {
				http_reply_error(req, 400, "env.%s: must be a "
				    "string without NUL bytes", k);
				goto out;
			}
			if (asprintf(&kv[n], "%s=%s", k,
			    json_string_value(v)) == -1)
				goto oom;
			envv[n] = kv[n];
			n++;
		}
		su.what |= IPC_SESS_UPD_ENV;
		su.env.n = (uint32_t)n;
		su.env.v = envv;
	}
	if (unset != NULL && !json_is_null(unset)) {
		if (!json_is_array(unset) ||
		    json_array_size(unset) > IPC_SESS_ENV_MAX) {
			http_reply_error(req, 400, "unset: must be an array of "
			    "at most %d names", IPC_SESS_ENV_MAX);
			goto out;
		}
		if ((unsetv = calloc(json_array_size(unset) + 1,
		    sizeof(char *))) == NULL)
			goto oom;
		json_array_foreach(unset, i, v) {
			if (!json_is_string(v)) {
				http_reply_error(req, 400, "unset[%zu]: must be "
				    "a string", i);
				goto out;
			}
			unsetv[i] = json_string_value(v);
		}
		su.what |= IPC_SESS_UPD_ENV;
		su.unset.n = (uint32_t)json_array_size(unset);
		su.unset.v = unsetv;
	}
	(void)d_request_monitor(req, IPC_SESS_UPDATE, IPC_SESS_UPDATE_R, &su);
	goto out;
oom:
	http_reply_error(req, 500, "out of memory");
out:
	for (i = 0; kv != NULL && i < n; i++)
		free(kv[i]);
	free(kv);
	free(envv);
	free(unsetv);
	json_decref(o);
}

/* For the other endpoints' files: the body checks above. */
json_t *
api_body_object(struct http_req *req, const char *const *allowed)
{
	return body_object(req, allowed);
}

const char *
api_body_string(struct http_req *req, json_t *o, const char *key, int *bad)
{
	return body_string(req, o, key, bad);
}

/* The monitor answered a request an HTTP request was waiting for. */
void
api_answer(struct http_req *req, uint32_t type, const void *st)
{
	const struct ipc_sess_r	*r = st;
	struct d_session	*s;

	if (type == IPC_EXEC_KILL_R) {
		api_kill_answer(req, st);
		return;
	}
	if (r->status >= 300) {
		http_reply_error(req, (int)r->status, "%s", r->error);
		return;
	}
	switch (type) {
	case IPC_SESS_DESTROY_R:
		http_reply(req, 204, NULL, NULL, 0);
		break;
	case IPC_SESS_CREATE_R:
	case IPC_SESS_UPDATE_R:
		/* Its IPC_SESS_INFO came first: the copy is current. */
		if ((s = d_session_find(r->id)) == NULL) {
			http_reply_error(req, 500, "session %s vanished", r->id);
			return;
		}
		/* A new session of a reused id starts with no output, even
		 * when agentshd missed the old one's end. */
		if (type == IPC_SESS_CREATE_R &&
		    store_output_del(d->store, r->id) == -1)
			log_warnx("session %s: old output not removed", r->id);
		api_reply_json(req, (int)r->status, d_session_json(s));
		break;
	default:
		http_reply_error(req, 500, "unexpected answer");
	}
}

static const char *
method_name(enum http_method m)
{
	switch (m) {
	case HTTP_GET:		return "GET";
	case HTTP_HEAD:		return "HEAD";
	case HTTP_POST:		return "POST";
	case HTTP_PUT:		return "PUT";
	case HTTP_PATCH:	return "PATCH";
	case HTTP_DELETE:	return "DELETE";
	case HTTP_OPTIONS:	return "OPTIONS";
	}
	return "?";
}

static void
not_allowed(struct http_req *req, const char *allow)
{
	http_reply_add_header(req, "Allow", allow);
	http_reply_error(req, 405, "method %s not allowed on %s (allowed: %s)",
	    method_name(req->method), req->path, allow);
}

void
api_dispatch(struct http_req *req)
{
	const char	*p = req->path, *id, *sub;
	int		 get = req->method == HTTP_GET || req->method == HTTP_HEAD;

	if (strcmp(p, "/health") == 0) {
		if (!get)
			not_allowed(req, "GET, HEAD");
		else
			http_reply(req, 200, "text/plain", "ok", 2);
		return;
	}
	if (strcmp(p, "/ready") == 0) {
		if (!get)
			not_allowed(req, "GET, HEAD");
		else if (!d->synced)
			http_reply_error(req, 503, "not ready: waiting for the "
			    "session record");
		else
			http_reply(req, 200, "application/json",
			    "{\"status\":\"ready\"}", 18);
		return;
	}
	if (strncmp(p, API_PREFIX "/", sizeof(API_PREFIX)) != 0) {
		http_reply_error(req, 404, "no such endpoint: %s", p);
		return;
	}
	switch (d_conn_authorize(req)) {
	case 1:
		break;
	default:
		return;		/* parked, or answered */
	}
	p += sizeof(API_PREFIX) - 1;
	if (strcmp(p, "/sessions") == 0) {
		if (req->method == HTTP_POST)
			sessions_create(req);
		else if (get)
			sessions_list(req);
		else
			not_allowed(req, "GET, HEAD, POST");
		return;
	}
	if (strcmp(p, "/events/search") == 0) {
		api_events_search(req);
		return;
	}
	if (strcmp(p, "/policy/test") == 0) {
		api_policy_test(req);
		return;
	}
	if (strncmp(p, "/sessions/", 10) == 0 && (sub = strchr(p + 10, '/'))
	    != NULL && strchr(sub + 1, '/') == NULL &&
	    (strcmp(sub, "/events") == 0 || strcmp(sub, "/history") == 0)) {
		char	 sid[IPC_ID_MAX + 1];

		if ((size_t)(sub - (p + 10)) > IPC_ID_MAX || sub == p + 10) {
			http_reply_error(req, 404, "session not found");
			return;
		}
		memcpy(sid, p + 10, (size_t)(sub - (p + 10)));
		sid[sub - (p + 10)] = '\0';
		api_events(req, sid, sub + 1);
		return;
	}
	if (strncmp(p, "/sessions/", 10) == 0 && api_exec_route(req, p + 10))
		return;
	if (strncmp(p, "/sessions/", 10) == 0 && p[10] != '\0' &&
	    strchr(p + 10, '/') == NULL) {
		id = p + 10;
		if (strlen(id) > IPC_ID_MAX)
			http_reply_error(req, 404, "session not found");
		else if (get)
			session_get(req, id);
		else if (req->method == HTTP_PATCH)
			session_patch(req, id);
		else if (req->method == HTTP_DELETE)
			session_destroy(req, id);
		else
			not_allowed(req, "GET, HEAD, PATCH, DELETE");
		return;
	}
	http_reply_error(req, 404, "no such endpoint: %s %s",
	    method_name(req->method), req->path);
}
