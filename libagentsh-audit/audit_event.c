/*
 * Event types, the check of an event from a source, and its JSON.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_event.h"

#define S(x)		(1U << IPC_SRC_##x)
#define FS		(S(SUPERVISOR) | S(FSD))

/* Which source may emit which type.  The regress source may emit any. */
static const struct {
	const char	*type;
	uint32_t	 sources;
	const char	*category;
} types[] = {
	{ "approval_requested",		S(MONITOR),		"other" },
	{ "approval_resolved",		S(MONITOR),		"other" },
	{ "command_finished",		S(MONITOR),		"exec" },
	{ "command_policy",		S(AGENTSHD),		"exec" },
	{ "command_redirected",		S(AGENTSHD) | S(SUPERVISOR), "exec" },
	{ "command_started",		S(MONITOR),		"exec" },
	{ "connect_redirect",		S(NETD),		"net" },
	{ "dir_create",			FS,			"file" },
	{ "dir_delete",			FS,			"file" },
	{ "dir_list",			FS,			"file" },
	{ "dns_query",			S(NETD),		"net" },
	{ "dns_redirect",		S(NETD),		"net" },
	{ "execve",			S(SUPERVISOR),		"exec" },
	{ "file_create",		FS,			"file" },
	{ "file_delete",		FS,			"file" },
	{ "file_open",			FS,			"file" },
	{ "file_read",			FS,			"file" },
	{ "file_rename",		FS,			"file" },
	{ "file_soft_deleted",		FS,			"file" },
	{ "file_write",			FS,			"file" },
	{ "llm_request",		S(AGENTSHD),		"llm" },
	{ "net_connect",		S(NETD) | S(SUPERVISOR), "net" },
	{ "process_exit",		S(SUPERVISOR),		"exec" },
	{ "process_start",		S(SUPERVISOR),		"exec" },
	{ "pty_closed",			S(MONITOR),		"other" },
	{ "pty_opened",			S(MONITOR),		"other" },
	{ "session_created",		S(MONITOR),		"other" },
	{ "session_destroyed",		S(MONITOR),		"other" },
	{ "session_updated",		S(MONITOR),		"other" },
	{ "signal_blocked",		S(SUPERVISOR),		"other" },
	{ "signal_redirected",		S(SUPERVISOR),		"other" },
	{ "signal_sent",		S(SUPERVISOR),		"other" },
	{ "subscriber_dropped",		S(AGENTSHD),		"other" },
	{ "unix_socket_op",		S(SUPERVISOR) | S(NETD), "net" },
};

static const char *const source_names[IPC_SRC_MAX] = {
	"monitor", "agentshd", "supervisor", "fsd", "netd", "regress"
};

static const char *const decision_names[IPC_DEC_MAX] = {
	"", "allow", "deny", "approve", "redirect", "audit", "soft_delete"
};

const char *
audit_source_name(enum ipc_ev_source s)
{
	return (unsigned int)s < IPC_SRC_MAX ? source_names[s] : "?";
}

const char *
audit_decision_name(enum ipc_decision d)
{
	return (unsigned int)d < IPC_DEC_MAX ? decision_names[d] : "?";
}

int
audit_decision_parse(const char *s, enum ipc_decision *d)
{
	for (int i = 1; i < IPC_DEC_MAX; i++)
		if (strcmp(s, decision_names[i]) == 0) {
			*d = (enum ipc_decision)i;
			return 0;
		}
	return -1;
}

static int
type_index(const char *type)
{
	size_t	 lo = 0, hi = nitems(types);

	while (lo < hi) {
		size_t	 mid = lo + (hi - lo) / 2;
		int	 c = strcmp(type, types[mid].type);

		if (c == 0)
			return (int)mid;
		if (c > 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

int
audit_event_type_known(const char *type)
{
	return type_index(type) != -1;
}

const char *
audit_event_category(const char *type)
{
	int	 i = type_index(type);

	return i == -1 ? "other" : types[i].category;
}

void
audit_event_init(struct ipc_event *ev, const char *type)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = type;
	ev->session_id = ev->command_id = ev->rule = ev->message = "";
	ev->path = ev->operation = ev->domain = ev->remote = "";
	ev->filename = ev->unwrapped_from = ev->payload_command = "";
	ev->pid = ev->ppid = ev->depth = -1;
}

static int	why_set(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
why_set(char *why, size_t len, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(why, len, fmt, ap);
	va_end(ap);
	errno = EINVAL;
	return -1;
}

static int
valid_id(const char *s)
{
	if (*s == '\0')
		return 1;	/* absent */
	if (!isalnum((unsigned char)*s))
		return 0;
	for (s++; *s != '\0'; s++)
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* "T:name=value": T is s, i or b; name is [a-z0-9_]; i an integer. */
static int
check_field(const char *f, const char **name, size_t *nlen)
{
	const char	*eq, *v;
	char		*end;

	if ((f[0] != 's' && f[0] != 'i' && f[0] != 'b') || f[1] != ':')
		return -1;
	*name = f + 2;
	if ((eq = strchr(*name, '=')) == NULL || eq == *name ||
	    eq - *name > 64)
		return -1;
	*nlen = (size_t)(eq - *name);
	for (const char *p = *name; p < eq; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_')
			return -1;
	v = eq + 1;
	if (f[0] == 'i') {
		errno = 0;
		(void)strtoll(v, &end, 10);
		if (*v == '\0' || *end != '\0' || errno != 0)
			return -1;
	} else if (f[0] == 'b' && strcmp(v, "true") != 0 &&
	    strcmp(v, "false") != 0)
		return -1;
	return 0;
}

int
audit_event_check(const struct ipc_event *ev, enum ipc_ev_source chan,
    char *why, size_t whylen)
{
	const char	*n1, *n2;
	size_t		 l1, l2;
	int		 ti;

	if (ev->source != (uint32_t)chan)
		return why_set(why, whylen, "event on the %s channel claims "
		    "source %s", audit_source_name(chan),
		    audit_source_name((enum ipc_ev_source)ev->source));
	if ((ti = type_index(ev->type)) == -1)
		return why_set(why, whylen, "unknown event type '%.64s'",
		    ev->type);
	if (chan != IPC_SRC_REGRESS && !(types[ti].sources & (1U << chan)))
		return why_set(why, whylen, "source %s may not emit %s",
		    audit_source_name(chan), ev->type);
	if (ev->ts_ns == 0)
		return why_set(why, whylen, "%s: no timestamp", ev->type);
	if (!valid_id(ev->session_id) || !valid_id(ev->command_id))
		return why_set(why, whylen, "%s: bad session or command id",
		    ev->type);
	if (ev->pid < -1 || ev->ppid < -1 || ev->depth < -1)
		return why_set(why, whylen, "%s: bad pid, ppid or depth",
		    ev->type);
	for (uint32_t i = 0; i < ev->fields.n; i++) {
		if (check_field(ev->fields.v[i], &n1, &l1) == -1)
			return why_set(why, whylen, "%s: bad field '%.64s'",
			    ev->type, ev->fields.v[i]);
		for (uint32_t j = 0; j < i; j++) {
			(void)check_field(ev->fields.v[j], &n2, &l2);
			if (l1 == l2 && memcmp(n1, n2, l1) == 0)
				return why_set(why, whylen, "%s: field %.*s "
				    "twice", ev->type, (int)l1, n1);
		}
	}
	return 0;
}

/* ,"key": -- keys are ours and need no escaping.  No printf here: this
 * runs for every event, twice. */
static int
member_key(struct audit_buf *b, const char *key)
{
	size_t	 n = strlen(key);

	if (audit_buf_reserve(b, n + 4) == -1)
		return -1;
	b->data[b->len++] = ',';
	b->data[b->len++] = '"';
	memcpy(b->data + b->len, key, n);
	b->len += n;
	b->data[b->len++] = '"';
	b->data[b->len++] = ':';
	return 0;
}

/* ,"key":"value" for a present string member. */
static int
member_str(struct audit_buf *b, const char *key, const char *v, int always)
{
	if (!always && *v == '\0')
		return 0;
	if (member_key(b, key) == -1)
		return -1;
	return audit_json_quote(b, v, strlen(v));
}

static int
member_int(struct audit_buf *b, const char *key, int64_t v)
{
	char		 d[24], *p = d + sizeof(d);
	uint64_t	 u = v < 0 ? (uint64_t)-(v + 1) + 1 : (uint64_t)v;

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	if (member_key(b, key) == -1)
		return -1;
	return audit_buf_add(b, p, (size_t)(d + sizeof(d) - p));
}

int
audit_event_json(struct audit_buf *b, const char *id,
    const struct ipc_event *ev)
{
	char	 ts[40];
	int	 rc = 0;

	audit_time_format(ev->ts_ns, ts);
	rc |= audit_buf_adds(b, "{\"id\":");
	rc |= audit_json_quote(b, id, strlen(id));
	rc |= member_str(b, "timestamp", ts, 1);
	rc |= member_str(b, "type", ev->type, 1);
	rc |= member_str(b, "session_id", ev->session_id, 1);
	rc |= member_str(b, "command_id", ev->command_id, 0);
	rc |= member_str(b, "source",
	    audit_source_name((enum ipc_ev_source)ev->source), 1);
	/* Go's omitempty: 0 is absent, as -1 is here. */
	if (ev->pid > 0)
		rc |= member_int(b, "pid", ev->pid);
	if (ev->ppid > 0)
		rc |= member_int(b, "parent_pid", ev->ppid);
	if (ev->depth > 0)
		rc |= member_int(b, "depth", ev->depth);
	if (ev->decision != IPC_DEC_NONE || *ev->rule != '\0') {
		rc |= audit_buf_adds(b, ",\"policy\":{");
		/* The first member has no leading comma: write it by hand. */
		rc |= audit_buf_adds(b, "\"decision\":");
		rc |= audit_json_quote(b, audit_decision_name(
		    (enum ipc_decision)ev->decision),
		    strlen(audit_decision_name(
		    (enum ipc_decision)ev->decision)));
		if (ev->effective != IPC_DEC_NONE)
			rc |= member_str(b, "effective_decision",
			    audit_decision_name(
			    (enum ipc_decision)ev->effective), 1);
		rc |= member_str(b, "rule", ev->rule, 0);
		rc |= member_str(b, "message", ev->message, 0);
		rc |= audit_buf_addc(b, '}');
	}
	rc |= member_str(b, "path", ev->path, 0);
	rc |= member_str(b, "operation", ev->operation, 0);
	rc |= member_str(b, "domain", ev->domain, 0);
	rc |= member_str(b, "remote", ev->remote, 0);
	rc |= member_str(b, "filename", ev->filename, 0);
	if (ev->argv.n > 0) {
		rc |= audit_buf_adds(b, ",\"argv\":[");
		for (uint32_t i = 0; i < ev->argv.n; i++) {
			if (i > 0)
				rc |= audit_buf_addc(b, ',');
			rc |= audit_json_quote(b, ev->argv.v[i],
			    strlen(ev->argv.v[i]));
		}
		rc |= audit_buf_addc(b, ']');
	}
	rc |= member_str(b, "unwrapped_from", ev->unwrapped_from, 0);
	rc |= member_str(b, "payload_command", ev->payload_command, 0);
	if (ev->fields.n > 0) {
		rc |= audit_buf_adds(b, ",\"fields\":{");
		for (uint32_t i = 0; i < ev->fields.n; i++) {
			const char	*f = ev->fields.v[i], *eq;

			if ((eq = strchr(f + 2, '=')) == NULL)
				return -1;
			if (i > 0)
				rc |= audit_buf_addc(b, ',');
			rc |= audit_json_quote(b, f + 2, (size_t)(eq - f - 2));
			rc |= audit_buf_addc(b, ':');
			if (f[0] == 's')
				rc |= audit_json_quote(b, eq + 1,
				    strlen(eq + 1));
			else
				rc |= audit_buf_adds(b, eq + 1);
		}
		rc |= audit_buf_addc(b, '}');
	}
	rc |= audit_buf_addc(b, '}');
	return rc == 0 ? 0 : -1;
}
