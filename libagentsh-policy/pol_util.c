/*
 * Small pieces shared by the library: messages, string lists, names of
 * decisions, operations, signals and targets, durations.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pol_local.h"

void
pol_errv_set(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "FILE:LINE:COL: PATH: message", without position when unknown. */
void
pol_err_set(struct pol_err *e, const struct pol_mark *m, const char *path,
    const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	if (e == NULL || e->buf == NULL || e->len == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (m != NULL && m->line != 0)
		snprintf(e->buf, e->len, "%s:%u:%u: %s%s%s",
		    e->fname ? e->fname : "policy", m->line, m->col,
		    path ? path : "", path && *path ? ": " : "", msg);
	else
		snprintf(e->buf, e->len, "%s: %s%s%s",
		    e->fname ? e->fname : "policy",
		    path ? path : "", path && *path ? ": " : "", msg);
}

int
pol_strv_push(struct pol_strv *sv, const char *s, const struct pol_mark *m)
{
	char		**nv;
	struct pol_mark	 *nm;

	if ((nv = reallocarray(sv->v, sv->n + 2, sizeof(*nv))) == NULL)
		return -1;
	sv->v = nv;
	if ((nm = reallocarray(sv->m, sv->n + 1, sizeof(*nm))) == NULL)
		return -1;
	sv->m = nm;
	if ((sv->v[sv->n] = strdup(s)) == NULL)
		return -1;
	if (m != NULL)
		sv->m[sv->n] = *m;
	else
		memset(&sv->m[sv->n], 0, sizeof(sv->m[sv->n]));
	sv->n++;
	sv->v[sv->n] = NULL;
	return 0;
}

void
pol_strv_clear(struct pol_strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	free(sv->m);
	memset(sv, 0, sizeof(*sv));
}

int
pol_kvv_put(struct pol_kvv *kv, const char *k, const char *v,
    const struct pol_mark *m)
{
	struct pol_kv	*nv;
	struct pol_mark	*nm;

	if ((nv = reallocarray(kv->v, kv->n + 1, sizeof(*nv))) == NULL)
		return -1;
	kv->v = nv;
	if ((nm = reallocarray(kv->m, kv->n + 1, sizeof(*nm))) == NULL)
		return -1;
	kv->m = nm;
	kv->v[kv->n].key = strdup(k);
	kv->v[kv->n].value = strdup(v);
	if (kv->v[kv->n].key == NULL || kv->v[kv->n].value == NULL) {
		free(kv->v[kv->n].key);
		free(kv->v[kv->n].value);
		return -1;
	}
	if (m != NULL)
		kv->m[kv->n] = *m;
	else
		memset(&kv->m[kv->n], 0, sizeof(kv->m[kv->n]));
	kv->n++;
	return 0;
}

void
pol_kvv_clear(struct pol_kvv *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].key);
		free(kv->v[i].value);
	}
	free(kv->v);
	free(kv->m);
	memset(kv, 0, sizeof(*kv));
}

/* Replaces the value of k, or adds it. */
int
pol_kvv_set(struct pol_kvv *kv, const char *k, const char *v)
{
	char	*nv;

	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, k) == 0) {
			if ((nv = strdup(v)) == NULL)
				return -1;
			free(kv->v[i].value);
			kv->v[i].value = nv;
			return 0;
		}
	return pol_kvv_put(kv, k, v, NULL);
}

const char *
pol_kvv_get(const struct pol_kvv *kv, const char *k)
{
	for (size_t i = 0; i < kv->n; i++)
		if (strcmp(kv->v[i].key, k) == 0)
			return kv->v[i].value;
	return NULL;
}

void
pol_regexv_clear(struct pol_regexv *rv)
{
	for (size_t i = 0; i < rv->n; i++) {
		free(rv->v[i].src);
		pcre2_code_free(rv->v[i].code);
	}
	free(rv->v);
	memset(rv, 0, sizeof(*rv));
}

/* ------------------------------------------------------------------ */

static const char *const decision_names[] = {
	[POL_ALLOW] = "allow",
	[POL_DENY] = "deny",
	[POL_APPROVE] = "approve",
	[POL_REDIRECT] = "redirect",
	[POL_AUDIT] = "audit",
	[POL_SOFT_DELETE] = "soft_delete",
	[POL_ABSORB] = "absorb",
};

const char *
pol_decision_name(enum pol_decision d)
{
	if ((size_t)d < nitems(decision_names))
		return decision_names[d];
	return "deny";
}

int
pol_decision_parse(const char *s, enum pol_decision *d)
{
	int	 i = pol_enum_parse(s, decision_names,
	    (int)nitems(decision_names));

	if (i < 0)
		return -1;
	*d = (enum pol_decision)i;
	return 0;
}

int
pol_decision_strictness(enum pol_decision d)
{
	switch (d) {
	case POL_DENY:
	case POL_ABSORB:
		return 4;
	case POL_REDIRECT:
	case POL_SOFT_DELETE:
		return 3;
	case POL_APPROVE:
		return 2;
	case POL_AUDIT:
		return 1;
	default:
		return 0;
	}
}

/* Case-insensitive lookup in a table of names. */
int
pol_enum_parse(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (names[i] != NULL && strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

const char *const pol_fileop_names[POL_OP_NFILEOPS] = {
	"read", "open", "stat", "list", "readlink", "access", "write",
	"create", "delete", "rmdir", "mkdir", "rename", "link", "symlink",
	"chmod", "chown", "mknod",
};

int
pol_fileop_parse(const char *s, enum pol_fileop *op)
{
	int	 i = pol_enum_parse(s, pol_fileop_names, POL_OP_NFILEOPS);

	if (i < 0)
		return -1;
	*op = (enum pol_fileop)i;
	return 0;
}

const char *
pol_fileop_name(enum pol_fileop op)
{
	if ((unsigned int)op < POL_OP_NFILEOPS)
		return pol_fileop_names[op];
	return "?";
}

const char *const pol_unixop_names[POL_UOP_N] = {
	"connect", "bind", "listen", "sendto",
};

int
pol_unixop_parse(const char *s, enum pol_unixop *op)
{
	int	 i = pol_enum_parse(s, pol_unixop_names, POL_UOP_N);

	if (i < 0)
		return -1;
	*op = (enum pol_unixop)i;
	return 0;
}

const char *
pol_unixop_name(enum pol_unixop op)
{
	if ((unsigned int)op < POL_UOP_N)
		return pol_unixop_names[op];
	return "?";
}

static const char *const opaque_names[] = {
	"enforce", "deny", "approve", "allow",
};

int
pol_opaque_parse(const char *s, enum pol_opaque *o)
{
	int	 i = pol_enum_parse(s, opaque_names, (int)nitems(opaque_names));

	if (i < 0)
		return -1;
	*o = (enum pol_opaque)i;
	return 0;
}

const char *
pol_opaque_name(enum pol_opaque o)
{
	if ((size_t)o < nitems(opaque_names))
		return opaque_names[o];
	return "?";
}

static const char *const sigtarget_names[ST_N] = {
	"self", "children", "descendants", "siblings", "session", "parent",
	"external", "system", "user", "process", "pid_range",
};

const char *
pol_sigtarget_name(enum pol_sigtarget t)
{
	if ((unsigned int)t < ST_N)
		return sigtarget_names[t];
	return "?";
}

int
pol_sigtarget_parse(const char *s, enum pol_sigtarget *t)
{
	int	 i = pol_enum_parse(s, sigtarget_names, ST_N);

	if (i < 0)
		return -1;
	*t = (enum pol_sigtarget)i;
	return 0;
}

const char *const pol_visibility_names[VIS_N] = {
	"silent", "audit_only", "warn",
};
const char *const pol_onfail_names[OF_N] = {
	"fail_closed", "fail_open", "retry_original",
};
const char *const pol_tls_names[TLS_N] = {
	"passthrough", "rewrite_sni",
};

/* Linux signal numbers. */
static const struct {
	const char	*name;
	int		 num;
} signals[] = {
	{ "SIGHUP", 1 }, { "SIGINT", 2 }, { "SIGQUIT", 3 }, { "SIGILL", 4 },
	{ "SIGTRAP", 5 }, { "SIGABRT", 6 }, { "SIGBUS", 7 }, { "SIGFPE", 8 },
	{ "SIGKILL", 9 }, { "SIGUSR1", 10 }, { "SIGSEGV", 11 },
	{ "SIGUSR2", 12 }, { "SIGPIPE", 13 }, { "SIGALRM", 14 },
	{ "SIGTERM", 15 }, { "SIGSTKFLT", 16 }, { "SIGCHLD", 17 },
	{ "SIGCONT", 18 }, { "SIGSTOP", 19 }, { "SIGTSTP", 20 },
	{ "SIGTTIN", 21 }, { "SIGTTOU", 22 }, { "SIGURG", 23 },
	{ "SIGXCPU", 24 }, { "SIGXFSZ", 25 }, { "SIGVTALRM", 26 },
	{ "SIGPROF", 27 }, { "SIGWINCH", 28 }, { "SIGIO", 29 },
	{ "SIGPWR", 30 }, { "SIGSYS", 31 },
};

int
pol_signal_parse(const char *s, int *sig)
{
	const char	*errstr;
	long long	 n;
	size_t		 i;

	while (isspace((unsigned char)*s))
		s++;
	if (isdigit((unsigned char)*s)) {
		n = strtonum(s, 1, 64, &errstr);
		if (errstr != NULL)
			return -1;
		*sig = (int)n;
		return 0;
	}
	for (i = 0; i < nitems(signals); i++) {
		if (strcasecmp(s, signals[i].name) == 0 ||
		    strcasecmp(s, signals[i].name + 3) == 0) {
			*sig = signals[i].num;
			return 0;
		}
	}
	return -1;
}

const char *
pol_signal_name(int sig)
{
	for (size_t i = 0; i < nitems(signals); i++)
		if (signals[i].num == sig)
			return signals[i].name;
	return NULL;
}

#define SB(n)	(1ULL << ((n) - 1))

int
pol_signal_group(const char *s, uint64_t *mask)
{
	if (strcasecmp(s, "@all") == 0)
		*mask = ~0ULL;	/* 1..64: real-time signals too */
	else if (strcasecmp(s, "@fatal") == 0)
		*mask = SB(9) | SB(15) | SB(3) | SB(6);
	else if (strcasecmp(s, "@job") == 0)
		*mask = SB(19) | SB(18) | SB(20) | SB(21) | SB(22);
	else if (strcasecmp(s, "@reload") == 0)
		*mask = SB(1) | SB(10) | SB(12);
	else if (strcasecmp(s, "@ignore") == 0)
		*mask = SB(17) | SB(23) | SB(28);
	else
		return -1;
	return 0;
}

/* ------------------------------------------------------------------ */

/* Go's time.ParseDuration, in milliseconds, non-negative. */
int
pol_duration_parse(const char *s, int64_t *ms)
{
	static const struct {
		const char	*unit;
		double		 ms;
	} units[] = {
		{ "ns", 1e-6 }, { "us", 1e-3 }, { "\xc2\xb5s", 1e-3 },
		{ "ms", 1 }, { "s", 1e3 }, { "m", 6e4 }, { "h", 3.6e6 },
	};
	double	 total = 0;

	if (strcmp(s, "0") == 0) {
		*ms = 0;
		return 0;
	}
	if (*s == '\0')
		return -1;
	while (*s != '\0') {
		double	 v = 0, frac = 0, scale = 1;
		int	 digits = 0;
		size_t	 i, best = 0, ul = 0;

		while (isdigit((unsigned char)*s)) {
			v = v * 10 + (*s++ - '0');
			digits++;
		}
		if (*s == '.') {
			s++;
			while (isdigit((unsigned char)*s)) {
				scale /= 10;
				frac += (*s++ - '0') * scale;
				digits++;
			}
		}
		if (digits == 0)
			return -1;
		for (i = 0; i < nitems(units); i++) {
			size_t	 l = strlen(units[i].unit);

			if (strncmp(s, units[i].unit, l) == 0 && l > ul) {
				best = i;
				ul = l;
			}
		}
		if (ul == 0)
			return -1;
		total += (v + frac) * units[best].ms;
		s += ul;
		if (total > 9.2e15)
			return -1;
	}
	*ms = (int64_t)(total + 0.5);
	return 0;
}

void
pol_duration_print(int64_t ms, char *buf, size_t len)
{
	int64_t	 h = ms / 3600000, m = (ms / 60000) % 60;
	int64_t	 s = (ms / 1000) % 60, r = ms % 1000;
	size_t	 o = 0;

	buf[0] = '\0';
	if (ms == 0) {
		strlcpy(buf, "0s", len);
		return;
	}
	if (h && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%lldh", (long long)h);
	if (m && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%lldm", (long long)m);
	if (s && o < len)
		o += (size_t)snprintf(buf + o, len - o, "%llds", (long long)s);
	if (r && o < len)
		snprintf(buf + o, len - o, "%lldms", (long long)r);
}

/* Environment names: anything but '=' and NUL, not empty. */
int
pol_env_name_valid(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		if (s[i] == '=' || s[i] == '\0')
			return 0;
	return 1;
}

int
pol_var_name_valid(const char *s, size_t len)
{
	if (len == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return 0;
	return 1;
}
