/*
 * Event queries: GET /sessions/{id}/events (live, server-sent events),
 * GET /sessions/{id}/history and GET /events/search.  Parameters: type
 * (comma list), decision, since, until (RFC 3339, or a duration ago such
 * as 5m), limit, offset, order (asc|desc, default desc), command_id, and
 * ours: category (file, net, exec, llm, other).  An unknown parameter,
 * a bad value or a limit above the maximum is a 400 naming it.
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agentshd.h"
#include "audit_event.h"
#include "http.h"
#include "ipc_log.h"

#define QUERY_LIMIT_DEFAULT	 100
#define QUERY_LIMIT_MAX		 1000
#define QUERY_TYPES_MAX		 32

struct query {
	char		*types[QUERY_TYPES_MAX];
	size_t		 ntypes;
	int		 decision;	/* -1: any */
	uint64_t	 since;
	uint64_t	 until;
	long		 limit;
	long		 offset;
	int		 desc;
	char		*command_id;
	char		*category;
	char		*session_id;
	/* walking */
	const struct d_conn *caller;
	struct audit_buf out;
	long		 skipped;
	long		 n;
};

static void
query_free(struct query *q)
{
	for (size_t i = 0; i < q->ntypes; i++)
		free(q->types[i]);
	free(q->command_id);
	free(q->category);
	free(q->session_id);
	audit_buf_clear(&q->out);
}

/* RFC 3339 (Z or an offset, optional fraction) or a duration ago. */
static int
parse_time(const char *s, uint64_t *out)
{
	struct tm	 tm;
	const char	*p;
	char		*end;
	long long	 n, frac = 0, mult;
	int		 digits = 0, sign, oh, om;
	time_t		 t;

	if (strchr(s, 'T') == NULL) {
		errno = 0;
		n = strtoll(s, &end, 10);
		if (end == s || errno != 0 || n < 0)
			return -1;
		if (strcmp(end, "ms") == 0)
			mult = 1000000LL;
		else if (strcmp(end, "s") == 0)
			mult = 1000000000LL;
		else if (strcmp(end, "m") == 0)
			mult = 60LL * 1000000000LL;
		else if (strcmp(end, "h") == 0)
			mult = 3600LL * 1000000000LL;
		else if (strcmp(end, "d") == 0)
			mult = 86400LL * 1000000000LL;
		else
			return -1;
		if (n > (long long)(ipc_now_ns() / (uint64_t)mult))
			*out = 0;
		else
			*out = ipc_now_ns() - (uint64_t)(n * mult);
		return 0;
	}
	memset(&tm, 0, sizeof(tm));
	if ((p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)) == NULL)
		return -1;
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++)
			if (digits < 9)
				frac = frac * 10 + (*p - '0');
		if (digits == 0)
			return -1;
		for (int i = digits; i < 9; i++)
			frac *= 10;
	}
	if ((t = timegm(&tm)) == (time_t)-1 || t < 0)
		return -1;
	if (*p == 'Z' && p[1] == '\0')
		sign = 0, oh = om = 0;
	else if ((*p == '+' || *p == '-') && sscanf(p + 1, "%2d:%2d", &oh,
	    &om) == 2 && strlen(p) == 6)
		sign = *p == '+' ? 1 : -1;
	else
		return -1;
	t -= sign * (oh * 3600 + om * 60);
	*out = (uint64_t)t * 1000000000ULL + (uint64_t)frac;
	return 0;
}

static int
get_param(struct http_req *req, const char *key, char **val)
{
	int	 r = http_req_query(req, key, val);

	if (r == -1) {
		http_reply_error(req, 400, "query parameter %s: %s", key,
		    errno == EINVAL ? "given more than once" :
		    strerror(errno));
		return -1;
	}
	return r;
}

static int
parse_long(struct http_req *req, const char *key, long max, long *out)
{
	const char	*errstr;
	char		*v;
	int		 r;

	if ((r = get_param(req, key, &v)) <= 0)
		return r;
	*out = (long)strtonum(v, 0, LONG_MAX, &errstr);
	if (errstr != NULL) {
		http_reply_error(req, 400, "%s: '%s' is not a count", key, v);
		free(v);
		return -1;
	}
	free(v);
	if (*out > max) {
		http_reply_error(req, 400, "%s: at most %ld", key, max);
		return -1;
	}
	return 0;
}

static int
query_parse(struct http_req *req, struct query *q, int search)
{
	/* session_id only where sessions are searched. */
	static const char *const known[] = { "type", "decision", "since",
	    "until", "limit", "offset", "order", "command_id", "category",
	    "session_id", NULL };
	char	 bad[64], *v, *tok, *save;
	int	 r;

	memset(q, 0, sizeof(*q));
	q->decision = -1;
	q->until = UINT64_MAX;
	q->limit = QUERY_LIMIT_DEFAULT;
	q->desc = 1;
	if (!search && (r = http_req_query(req, "session_id", &v)) != 0) {
		if (r == 1)
			free(v);
		http_reply_error(req, 400, "unknown query parameter "
		    "'session_id' (the session is in the path)");
		return -1;
	}
	if (http_req_query_check(req, known, bad, sizeof(bad)) == -1) {
		http_reply_error(req, 400, "unknown query parameter '%s'", bad);
		return -1;
	}
	if ((r = get_param(req, "type", &v)) == -1)
		return -1;
	if (r == 1) {
		for (tok = strtok_r(v, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save)) {
			if (!audit_event_type_known(tok)) {
				http_reply_error(req, 400, "type: unknown event "
				    "type '%s'", tok);
				free(v);
				return -1;
			}
			if (q->ntypes == QUERY_TYPES_MAX ||
			    (q->types[q->ntypes++] = strdup(tok)) == NULL) {
				http_reply_error(req, 400, "type: at most %d",
				    QUERY_TYPES_MAX);
				free(v);
				return -1;
			}
		}
		free(v);
	}
	if ((r = get_param(req, "decision", &v)) == -1)
		return -1;
	if (r == 1) {
		enum ipc_decision	 dec;

		if (audit_decision_parse(v, &dec) == -1) {
			http_reply_error(req, 400, "decision: '%s' is not one of "
			    "allow, deny, approve, redirect, audit, soft_delete",
			    v);
			free(v);
			return -1;
		}
		q->decision = (int)dec;
		free(v);
	}
	for (int i = 0; i < 2; i++) {
		const char	*key = i == 0 ? "since" : "until";

		if ((r = get_param(req, key, &v)) == -1)
			return -1;
		if (r == 1) {
			if (parse_time(v, i == 0 ? &q->since : &q->until) ==
			    -1) {
				http_reply_error(req, 400, "%s: '%s' is neither "
				    "RFC 3339 nor a duration such as 15m", key,
				    v);
				free(v);
				return -1;
			}
			free(v);
		}
	}
	if (parse_long(req, "limit", QUERY_LIMIT_MAX, &q->limit) == -1 ||
	    parse_long(req, "offset", LONG_MAX, &q->offset) == -1)
		return -1;
	if ((r = get_param(req, "order", &v)) == -1)
		return -1;
	if (r == 1) {
		if (strcmp(v, "asc") != 0 && strcmp(v, "desc") != 0) {
			http_reply_error(req, 400, "order: asc or desc, not "
			    "'%s'", v);
			free(v);
			return -1;
		}
		q->desc = v[0] == 'd';
		free(v);
	}
	if (get_param(req, "command_id", &q->command_id) == -1 ||
	    get_param(req, "category", &q->category) == -1 ||
	    get_param(req, "session_id", &q->session_id) == -1)
		return -1;
	if (q->category != NULL && strcmp(q->category, "file") != 0 &&
	    strcmp(q->category, "net") != 0 && strcmp(q->category, "exec") &&
	    strcmp(q->category, "llm") != 0 && strcmp(q->category, "other")) {
		http_reply_error(req, 400, "category: one of file, net, exec, "
		    "llm, other");
		return -1;
	}
	return 0;
}

static int
type_eq(const struct store_event *e, const char *t)
{
	return strlen(t) == e->typelen && memcmp(t, e->type, e->typelen) == 0;
}

static int
matches(const struct query *q, const struct store_event *e)
{
	char	 type[IPC_EV_TYPE_MAX + 1];
	size_t	 i;

	if (q->decision != -1 && e->decision != q->decision)
		return 0;
	if (q->ntypes > 0) {
		for (i = 0; i < q->ntypes; i++)
			if (type_eq(e, q->types[i]))
				break;
		if (i == q->ntypes)
			return 0;
	}
	if (q->command_id != NULL && (strlen(q->command_id) != e->cmdlen ||
	    memcmp(q->command_id, e->cmd, e->cmdlen) != 0))
		return 0;
	if (q->category != NULL) {
		if (e->typelen > IPC_EV_TYPE_MAX)
			return 0;
		memcpy(type, e->type, e->typelen);
		type[e->typelen] = '\0';
		if (strcmp(audit_event_category(type), q->category) != 0)
			return 0;
	}
	if (q->session_id != NULL && (strlen(q->session_id) != e->sidlen ||
	    memcmp(q->session_id, e->sid, e->sidlen) != 0))
		return 0;
	/* Across sessions: the caller's own only (admins: all). */
	if (q->caller != NULL && q->caller->role != IPC_ROLE_ADMIN &&
	    (e->owner_key == NULL || e->owner_uid != q->caller->uid ||
	    strcmp(e->owner_key, q->caller->key_id) != 0))
		return 0;
	return 1;
}

static int
collect(const struct store_event *e, void *arg)
{
	struct query	*q = arg;

	if (!matches(q, e))
		return 0;
	if (q->skipped < q->offset) {
		q->skipped++;
		return 0;
	}
	if (audit_buf_addc(&q->out, q->n == 0 ? '[' : ',') == -1 ||
	    audit_buf_add(&q->out, e->json, e->jsonlen) == -1)
		return 1;
	return ++q->n >= q->limit;
}

static void
run_query(struct http_req *req, struct query *q, const char *sid)
{
	/* Recent events may still be in the batch: make them visible. */
	d_events_commit();
	if (q->limit > 0 && store_events_walk(d->store, sid, q->since,
	    q->until, q->desc, collect, q) == -1) {
		http_reply_error(req, 500, "the store could not be read");
		return;
	}
	if (q->n == 0)
		(void)audit_buf_adds(&q->out, "[]");
	else
		(void)audit_buf_addc(&q->out, ']');
	http_reply(req, 200, "application/json", q->out.data, q->out.len);
}

/* Queries only read: anything but GET and HEAD is a 405. */
static int
get_only(struct http_req *req)
{
	if (req->method == HTTP_GET || req->method == HTTP_HEAD)
		return 1;
	http_reply_add_header(req, "Allow", "GET, HEAD");
	http_reply_error(req, 405, "method not allowed on %s", req->path);
	return 0;
}

/* /sessions/{id}/events and /sessions/{id}/history */
void
api_events(struct http_req *req, const char *sid, const char *what)
{
	struct d_session	*s;
	struct query		 q;

	if (!get_only(req))
		return;
	if ((s = d_session_find(sid)) == NULL ||
	    !d_session_visible(req->conn_arg, s)) {
		http_reply_error(req, 404, "session %s not found", sid);
		return;
	}
	if (strcmp(what, "events") == 0) {
		d_events_subscribe(req, sid);
		return;
	}
	if (query_parse(req, &q, 0) == 0)
		run_query(req, &q, sid);
	query_free(&q);
}

/* /events/search: every session the caller owns. */
void
api_events_search(struct http_req *req)
{
	struct query	 q;

	if (!get_only(req))
		return;
	if (query_parse(req, &q, 1) == 0) {
		q.caller = req->conn_arg;
		run_query(req, &q, NULL);
	}
	query_free(&q);
}
