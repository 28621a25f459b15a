/*
 * From a parsed policy to an evaluable one: the semantic checks every
 * policy passes (from YAML or from bytes), variable expansion and pattern
 * compilation; loading, freeing and the settings getters.
 */
#include "compat.h"

#include <sys/stat.h>

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "pol_local.h"

/* Key paths of rule families, for messages. */
#define PATHF(buf, fam, i, key)						\
	snprintf((buf), sizeof(buf), "%s[%zu]%s%s", (fam), (size_t)(i),	\
	    *(key) ? "." : "", (key))

static const struct pol_mark nomark;

/* ------------------------------------------------------------------ */
/* Regexes (PCRE2) */

int
pol_regex_compile(struct pol_regex *r, unsigned int flags, char *err,
    size_t errlen)
{
	int		 ec;
	PCRE2_SIZE	 off;
	PCRE2_UCHAR	 msg[256];

	if (r->code != NULL)
		return 0;
	r->code = pcre2_compile((PCRE2_SPTR)r->src, PCRE2_ZERO_TERMINATED,
	    0, &ec, &off, NULL);
	if (r->code == NULL) {
		pcre2_get_error_message(ec, msg, sizeof(msg));
		pol_errv_set(err, errlen, "bad regular expression '%s' at "
		    "offset %zu: %s", r->src, (size_t)off, (char *)msg);
		errno = EINVAL;
		return -1;
	}
	/* The JIT is an optimisation: without it, matching is the same. */
	if (!(flags & POL_LOAD_NOJIT))
		(void)pcre2_jit_compile(r->code, PCRE2_JIT_COMPLETE);
	return 0;
}

int
pol_regex_match(const struct pol *p, const struct pol_regex *r,
    const char *s, size_t len)
{
	pcre2_match_data *md;
	int		  rc;

	if ((md = pcre2_match_data_create(1, NULL)) == NULL)
		return -1;
	rc = pcre2_match(r->code, (PCRE2_SPTR)s, len, 0, 0, md, p->mctx);
	pcre2_match_data_free(md);
	if (rc >= 0)
		return 1;
	if (rc == PCRE2_ERROR_NOMATCH)
		return 0;
	return -1;
}

/* ------------------------------------------------------------------ */
/* Checks */

/* "[" and "[[" are command names (test), not broken patterns. */
static int
cmd_literal(const char *s)
{
	return strcmp(s, "[") == 0 || strcmp(s, "[[") == 0;
}

/* A copy of s with each ${...} replaced by "x", for syntax checks. */
static char *
strip_vars(const char *s)
{
	char		*out, *o;
	const char	*p = s, *d, *c;

	if ((out = malloc(strlen(s) + 1)) == NULL)
		return NULL;
	o = out;
	while ((d = strstr(p, "${")) != NULL) {
		int	 depth = 0;

		for (c = d; *c != '\0'; c++) {
			if (c[0] == '$' && c[1] == '{') {
				depth++;
				c++;
			} else if (*c == '}' && --depth == 0)
				break;
		}
		if (*c == '\0')
			break;
		memcpy(o, p, (size_t)(d - p));
		o += d - p;
		*o++ = 'x';
		p = c + 1;
	}
	strlcpy(o, p, strlen(p) + 1);
	return out;
}

/* A pattern that may hold variables: checks both. */
static int
check_pattern(struct pol_err *e, const struct pol_mark *m, const char *path,
    const char *s, int sep, int vars)
{
	char		 msg[256];
	char		*plain;
	struct pol_glob	*g;

	if (*s == '\0') {
		pol_err_set(e, m, path, "empty pattern");
		return -1;
	}
	if (vars && pol_vars_check(s, msg, sizeof(msg)) == -1) {
		pol_err_set(e, m, path, "%s", msg);
		return -1;
	}
	if ((plain = vars ? strip_vars(s) : strdup(s)) == NULL) {
		pol_err_set(e, m, path, "out of memory");
		return -1;
	}
	g = pol_glob_compile(plain, sep, 0, msg, sizeof(msg));
	free(plain);
	if (g == NULL) {
		pol_err_set(e, m, path, "'%s': %s", s, msg);
		return -1;
	}
	pol_glob_free(g);
	return 0;
}

static int
check_patterns(struct pol_err *e, const struct pol_strv *sv,
    const char *fam, size_t i, const char *key, int sep, int vars)
{
	char	 path[128], elem[160];

	PATHF(path, fam, i, key);
	for (size_t j = 0; j < sv->n; j++) {
		if (strcmp(key, "commands") == 0 && cmd_literal(sv->v[j]))
			continue;
		snprintf(elem, sizeof(elem), "%s[%zu]", path, j);
		if (check_pattern(e, sv->m ? &sv->m[j] : &nomark, elem,
		    sv->v[j], sep, vars) == -1)
			return -1;
	}
	return 0;
}

static int
check_common(struct pol_err *e, const struct pol_rule_common *c,
    const char *fam, size_t i, unsigned int allowed)
{
	char	 path[128], msg[256];

	PATHF(path, fam, i, "");
	if (c->name == NULL || c->name[0] == '\0') {
		pol_err_set(e, &c->m_rule, path, "name is required");
		return -1;
	}
	if (!(allowed & (1U << c->decision))) {
		PATHF(path, fam, i, "decision");
		pol_err_set(e, &c->m_decision, path, "decision '%s' is not "
		    "allowed here", pol_decision_name(c->decision));
		return -1;
	}
	if (c->timeout_ms != 0 && c->decision != POL_APPROVE) {
		PATHF(path, fam, i, "timeout");
		pol_err_set(e, &c->m_timeout, path, "timeout applies only "
		    "to decision approve");
		return -1;
	}
	if (c->message != NULL &&
	    pol_template_check(c->message, msg, sizeof(msg)) == -1) {
		PATHF(path, fam, i, "message");
		pol_err_set(e, &c->m_rule, path, "%s", msg);
		return -1;
	}
	return 0;
}

/* Rule names are unique within a family. */
static int
check_unique(struct pol_err *e, const char *fam, size_t n,
    const char *(*name)(const struct pol *, size_t),
    const struct pol_mark *(*mark)(const struct pol *, size_t),
    const struct pol *p)
{
	char	 path[128];

	for (size_t i = 1; i < n; i++)
		for (size_t j = 0; j < i; j++)
			if (strcmp(name(p, i), name(p, j)) == 0) {
				PATHF(path, fam, i, "name");
				pol_err_set(e, mark(p, i), path, "duplicate "
				    "rule name '%s' (also %s[%zu])",
				    name(p, i), fam, j);
				return -1;
			}
	return 0;
}

#define NAMEFN(fam, arr, field, mfield)					\
	static const char *						\
	fam##_name(const struct pol *p, size_t i)			\
	{								\
		return p->arr[i].field;					\
	}								\
	static const struct pol_mark *					\
	fam##_mark(const struct pol *p, size_t i)			\
	{								\
		return &p->arr[i].mfield;				\
	}

NAMEFN(file, file, c.name, c.m_name)
NAMEFN(net, net, c.name, c.m_name)
NAMEFN(cmd, cmd, c.name, c.m_name)
NAMEFN(unx, unx, c.name, c.m_name)
NAMEFN(sig, sig, c.name, c.m_name)
NAMEFN(dns, dns, name, m_name)
NAMEFN(conn, conn, name, m_name)

#define D(x)	(1U << (x))

static int
parse_cidr(const char *s, struct pol_cidr *c)
{
	char		 buf[64], *slash;
	const char	*errstr;
	long long	 bits;

	if (strlcpy(buf, s, sizeof(buf)) >= sizeof(buf) ||
	    (slash = strchr(buf, '/')) == NULL)
		return -1;
	*slash++ = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, buf, c->addr) == 1)
		c->family = 4;
	else if (inet_pton(AF_INET6, buf, c->addr) == 1)
		c->family = 6;
	else
		return -1;
	bits = strtonum(slash, 0, c->family == 4 ? 32 : 128, &errstr);
	if (errstr != NULL || !isdigit((unsigned char)*slash))
		return -1;
	c->bits = (int)bits;
	return 0;
}

static int
valid_ip(const char *s)
{
	uint8_t	 a[16];

	return inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1;
}

/* host:port or [v6]:port, port 1..65535. */
static int
valid_hostport(const char *s)
{
	const char	*colon, *errstr;

	if (*s == '[') {
		if ((colon = strstr(s, "]:")) == NULL)
			return 0;
		colon++;
	} else if ((colon = strrchr(s, ':')) == NULL || colon == s)
		return 0;
	(void)strtonum(colon + 1, 1, 65535, &errstr);
	return errstr == NULL;
}

static int
check_regex(struct pol_err *e, struct pol_regex *r, const char *path,
    unsigned int flags)
{
	char	 msg[384];

	if (r->src == NULL || r->src[0] == '\0') {
		pol_err_set(e, &r->m, path, "a regular expression is "
		    "required");
		return -1;
	}
	if (pol_regex_compile(r, flags, msg, sizeof(msg)) == -1) {
		pol_err_set(e, &r->m, path, "%s", msg);
		return -1;
	}
	return 0;
}

static int
check_file(struct pol *p, struct pol_err *e)
{
	const unsigned int ok = D(POL_ALLOW) | D(POL_DENY) | D(POL_APPROVE) |
	    D(POL_REDIRECT) | D(POL_AUDIT) | D(POL_SOFT_DELETE);
	char	 path[128], msg[256];

	for (size_t i = 0; i < p->nfile; i++) {
		struct pol_file_rule *r = &p->file[i];

		if (check_common(e, &r->c, "file_rules", i, ok) == -1)
			return -1;
		if (r->paths.n == 0) {
			PATHF(path, "file_rules", i, "paths");
			pol_err_set(e, &r->c.m_rule, path, "at least one path "
			    "is required");
			return -1;
		}
		if (check_patterns(e, &r->paths, "file_rules", i, "paths",
		    '/', !p->expanded) == -1)
			return -1;
		PATHF(path, "file_rules", i, "redirect_to");
		if (r->c.decision == POL_REDIRECT && r->redirect_to == NULL) {
			pol_err_set(e, &r->c.m_decision, path, "decision "
			    "redirect needs redirect_to (a directory)");
			return -1;
		}
		if (r->redirect_to != NULL) {
			if (r->c.decision != POL_REDIRECT) {
				pol_err_set(e, &r->m_redirect, path,
				    "redirect_to applies only to decision "
				    "redirect");
				return -1;
			}
			if (r->redirect_to[0] == '\0' || (!p->expanded &&
			    pol_vars_check(r->redirect_to, msg,
			    sizeof(msg)) == -1)) {
				pol_err_set(e, &r->m_redirect, path, "%s",
				    r->redirect_to[0] ? msg : "empty");
				return -1;
			}
		}
		if (r->preserve_tree && r->redirect_to == NULL) {
			PATHF(path, "file_rules", i, "preserve_tree");
			pol_err_set(e, &r->c.m_rule, path, "preserve_tree "
			    "applies only with redirect_to");
			return -1;
		}
	}
	return check_unique(e, "file_rules", p->nfile, file_name, file_mark,
	    p);
}

static int
check_net(struct pol *p, struct pol_err *e)
{
	const unsigned int ok = D(POL_ALLOW) | D(POL_DENY) | D(POL_APPROVE) |
	    D(POL_AUDIT);
	char	 path[160];

	for (size_t i = 0; i < p->nnet; i++) {
		struct pol_net_rule *r = &p->net[i];
		struct pol_cidr	 c;

		if (check_common(e, &r->c, "network_rules", i, ok) == -1 ||
		    check_patterns(e, &r->domains, "network_rules", i,
		    "domains", '.', !p->expanded) == -1)
			return -1;
		for (size_t j = 0; j < r->cidrs.n; j++) {
			if (parse_cidr(r->cidrs.v[j], &c) == 0)
				continue;
			snprintf(path, sizeof(path),
			    "network_rules[%zu].cidrs[%zu]", i, j);
			pol_err_set(e, r->cidrs.m ? &r->cidrs.m[j] : &nomark,
			    path, "bad CIDR '%s' (address/bits)",
			    r->cidrs.v[j]);
			return -1;
		}
	}
	return check_unique(e, "network_rules", p->nnet, net_name, net_mark,
	    p);
}

static int
check_cmd(struct pol *p, struct pol_err *e)
{
	const unsigned int ok = D(POL_ALLOW) | D(POL_DENY) | D(POL_APPROVE) |
	    D(POL_REDIRECT) | D(POL_AUDIT);
	char	 path[160];

	for (size_t i = 0; i < p->ncmd; i++) {
		struct pol_cmd_rule *r = &p->cmd[i];

		if (check_common(e, &r->c, "command_rules", i, ok) == -1 ||
		    check_patterns(e, &r->commands, "command_rules", i,
		    "commands", '/', 0) == -1 ||
		    check_patterns(e, &r->env_allow, "command_rules", i,
		    "env_allow", 0, 0) == -1 ||
		    check_patterns(e, &r->env_deny, "command_rules", i,
		    "env_deny", 0, 0) == -1)
			return -1;
		for (size_t j = 0; j < r->args.n; j++) {
			snprintf(path, sizeof(path),
			    "command_rules[%zu].args_patterns[%zu]", i, j);
			if (check_regex(e, &r->args.v[j], path,
			    p->flags) == -1)
				return -1;
		}
		PATHF(path, "command_rules", i, "redirect_to");
		if (r->c.decision == POL_REDIRECT && !r->has_redirect) {
			pol_err_set(e, &r->c.m_decision, path, "decision "
			    "redirect needs redirect_to {command: ...}");
			return -1;
		}
		if (r->has_redirect && r->c.decision != POL_REDIRECT) {
			pol_err_set(e, &r->m_redirect, path, "redirect_to "
			    "applies only to decision redirect");
			return -1;
		}
		if (r->has_redirect && (r->redir_command == NULL ||
		    r->redir_command[0] == '\0')) {
			pol_err_set(e, &r->m_redirect, path, "command is "
			    "required");
			return -1;
		}
		for (size_t j = 0; j < r->redir_env.n; j++) {
			const char *k = r->redir_env.v[j].key;

			if (!pol_env_name_valid(k, strlen(k))) {
				pol_err_set(e, &r->m_redirect, path, "bad "
				    "environment name '%s'", k);
				return -1;
			}
		}
		if (r->min_depth < 0 || r->max_depth < -1 ||
		    (r->max_depth != -1 && r->max_depth < r->min_depth)) {
			PATHF(path, "command_rules", i, "context");
			pol_err_set(e, &r->m_context, path, "bad depth range "
			    "%d..%d", r->min_depth, r->max_depth);
			return -1;
		}
		if (r->env_block_iteration < -1 || r->env_block_iteration > 1 ||
		    r->env_max_keys < 0 || r->env_max_bytes < 0) {
			PATHF(path, "command_rules", i, "env");
			pol_err_set(e, &r->c.m_rule, path, "bad env setting");
			return -1;
		}
	}
	return check_unique(e, "command_rules", p->ncmd, cmd_name, cmd_mark,
	    p);
}

static int
check_unix(struct pol *p, struct pol_err *e)
{
	const unsigned int ok = D(POL_ALLOW) | D(POL_DENY) | D(POL_APPROVE) |
	    D(POL_AUDIT);
	char	 path[128];

	for (size_t i = 0; i < p->nunix; i++) {
		struct pol_unix_rule *r = &p->unx[i];

		if (check_common(e, &r->c, "unix_socket_rules", i, ok) == -1)
			return -1;
		if (r->paths.n == 0) {
			PATHF(path, "unix_socket_rules", i, "paths");
			pol_err_set(e, &r->c.m_rule, path, "at least one path "
			    "is required");
			return -1;
		}
		if (check_patterns(e, &r->paths, "unix_socket_rules", i,
		    "paths", '/', !p->expanded) == -1)
			return -1;
	}
	return check_unique(e, "unix_socket_rules", p->nunix, unx_name,
	    unx_mark, p);
}

static int
check_sig(struct pol *p, struct pol_err *e)
{
	const unsigned int ok = D(POL_ALLOW) | D(POL_DENY) | D(POL_APPROVE) |
	    D(POL_AUDIT) | D(POL_REDIRECT) | D(POL_ABSORB);
	char	 path[160];
	int	 sig;
	uint64_t mask;

	for (size_t i = 0; i < p->nsig; i++) {
		struct pol_sig_rule *r = &p->sig[i];

		if (check_common(e, &r->c, "signal_rules", i, ok) == -1)
			return -1;
		if (r->signals.n == 0) {
			PATHF(path, "signal_rules", i, "signals");
			pol_err_set(e, &r->c.m_rule, path, "at least one "
			    "signal is required");
			return -1;
		}
		for (size_t j = 0; j < r->signals.n; j++) {
			const char *s = r->signals.v[j];

			if (s[0] == '@' ? pol_signal_group(s, &mask) == 0 :
			    pol_signal_parse(s, &sig) == 0)
				continue;
			snprintf(path, sizeof(path),
			    "signal_rules[%zu].signals[%zu]", i, j);
			pol_err_set(e, r->signals.m ? &r->signals.m[j] :
			    &nomark, path, "unknown signal '%s'", s);
			return -1;
		}
		PATHF(path, "signal_rules", i, "target");
		if ((unsigned int)r->target >= ST_N) {
			pol_err_set(e, &r->m_target, path, "bad target type");
			return -1;
		}
		if ((r->target == ST_PROCESS) != (r->pattern != NULL)) {
			pol_err_set(e, &r->m_target, path, "pattern goes with "
			    "type process, and only there");
			return -1;
		}
		if (r->pattern != NULL && check_pattern(e, &r->m_target, path,
		    r->pattern, 0, 0) == -1)
			return -1;
		if (r->target == ST_PID_RANGE ? (r->pid_min <= 0 ||
		    r->pid_max < r->pid_min) : (r->pid_min != 0 ||
		    r->pid_max != 0)) {
			pol_err_set(e, &r->m_target, path, "min and max (0 < "
			    "min <= max) go with type pid_range, and only "
			    "there");
			return -1;
		}
		PATHF(path, "signal_rules", i, "redirect_to");
		if ((r->c.decision == POL_REDIRECT) !=
		    (r->redirect_to != NULL)) {
			pol_err_set(e, r->redirect_to ? &r->m_redirect :
			    &r->c.m_decision, path, "redirect_to (a signal) "
			    "goes with decision redirect, and only there");
			return -1;
		}
		if (r->redirect_to != NULL &&
		    pol_signal_parse(r->redirect_to, &sig) == -1) {
			pol_err_set(e, &r->m_redirect, path, "unknown signal "
			    "'%s'", r->redirect_to);
			return -1;
		}
		if (r->has_fallback && (r->fallback == POL_REDIRECT ||
		    r->fallback == POL_APPROVE ||
		    r->fallback == POL_SOFT_DELETE ||
		    (unsigned int)r->fallback > POL_ABSORB)) {
			PATHF(path, "signal_rules", i, "fallback");
			pol_err_set(e, &r->m_fallback, path, "fallback is "
			    "allow, deny, audit or absorb");
			return -1;
		}
	}
	return check_unique(e, "signal_rules", p->nsig, sig_name, sig_mark,
	    p);
}

static int
check_redirects(struct pol *p, struct pol_err *e)
{
	char	 path[128];

	for (size_t i = 0; i < p->ndns; i++) {
		struct pol_dns_redirect *r = &p->dns[i];

		PATHF(path, "dns_redirects", i, "");
		if (r->name == NULL || r->name[0] == '\0') {
			pol_err_set(e, &r->m_rule, path, "name is required");
			return -1;
		}
		PATHF(path, "dns_redirects", i, "match");
		if (r->match.m.line == 0)
			r->match.m = r->m_rule;
		if (check_regex(e, &r->match, path, p->flags) == -1)
			return -1;
		PATHF(path, "dns_redirects", i, "resolve_to");
		if (r->resolve_to == NULL || !valid_ip(r->resolve_to)) {
			pol_err_set(e, r->resolve_to ? &r->m_resolve :
			    &r->m_rule, path, "an IP address is required");
			return -1;
		}
		if (r->visibility < -1 || r->visibility >= VIS_N ||
		    r->on_failure < -1 || r->on_failure >= OF_N) {
			PATHF(path, "dns_redirects", i, "");
			pol_err_set(e, &r->m_rule, path, "bad enum value");
			return -1;
		}
	}
	if (check_unique(e, "dns_redirects", p->ndns, dns_name, dns_mark,
	    p) == -1)
		return -1;
	for (size_t i = 0; i < p->nconn; i++) {
		struct pol_connect_redirect *r = &p->conn[i];

		PATHF(path, "connect_redirects", i, "");
		if (r->name == NULL || r->name[0] == '\0') {
			pol_err_set(e, &r->m_rule, path, "name is required");
			return -1;
		}
		PATHF(path, "connect_redirects", i, "match");
		if (r->match.m.line == 0)
			r->match.m = r->m_rule;
		if (check_regex(e, &r->match, path, p->flags) == -1)
			return -1;
		PATHF(path, "connect_redirects", i, "redirect_to");
		if (r->redirect_to == NULL || !valid_hostport(r->redirect_to)) {
			pol_err_set(e, r->redirect_to ? &r->m_redirect :
			    &r->m_rule, path, "host:port is required");
			return -1;
		}
		PATHF(path, "connect_redirects", i, "tls");
		if (r->tls_mode < -1 || r->tls_mode >= TLS_N ||
		    r->visibility < -1 || r->visibility >= VIS_N ||
		    r->on_failure < -1 || r->on_failure >= OF_N) {
			pol_err_set(e, &r->m_rule, path, "bad enum value");
			return -1;
		}
		if ((r->tls_mode == TLS_REWRITE_SNI) !=
		    (r->sni != NULL && r->sni[0] != '\0')) {
			pol_err_set(e, &r->m_tls, path, "sni goes with mode "
			    "rewrite_sni, and only there");
			return -1;
		}
	}
	return check_unique(e, "connect_redirects", p->nconn, conn_name,
	    conn_mark, p);
}

static int
check_names(struct pol_err *e, const struct pol_strv *sv, const char *key)
{
	char	 path[128];

	for (size_t i = 0; i < sv->n; i++) {
		if (sv->v[i][0] != '\0' && strchr(sv->v[i], '/') == NULL)
			continue;
		snprintf(path, sizeof(path), "%s[%zu]", key, i);
		pol_err_set(e, sv->m ? &sv->m[i] : &nomark, path, "a command "
		    "name (no '/') is required");
		return -1;
	}
	return 0;
}

int
pol_check(struct pol *p, struct pol_err *e)
{
	char	 path[128];

	if (p->version < 1 || p->name == NULL || p->name[0] == '\0') {
		pol_err_set(e, NULL, "", "version (> 0) and name are "
		    "required");
		return -1;
	}
	if (check_file(p, e) == -1 || check_net(p, e) == -1 ||
	    check_cmd(p, e) == -1 || check_unix(p, e) == -1 ||
	    check_sig(p, e) == -1 || check_redirects(p, e) == -1 ||
	    check_patterns(e, &p->env.allow, "env_policy", 0, "", 0, 0) == -1 ||
	    check_patterns(e, &p->env.deny, "env_policy", 0, "", 0, 0) == -1 ||
	    check_names(e, &p->tc_add, "transparent_commands.add") == -1 ||
	    check_names(e, &p->tc_remove, "transparent_commands.remove") == -1)
		return -1;
	for (size_t i = 0; i < p->env_inject.n; i++) {
		const char *k = p->env_inject.v[i].key;

		if (pol_env_name_valid(k, strlen(k)))
			continue;
		snprintf(path, sizeof(path), "env_inject.%s", k);
		pol_err_set(e, p->env_inject.m ? &p->env_inject.m[i] : &nomark,
		    path, "bad environment name");
		return -1;
	}
	if (p->env.max_bytes < 0 || p->env.max_keys < 0 ||
	    p->env.block_iteration < 0 || p->env.block_iteration > 1) {
		pol_err_set(e, NULL, "env_policy", "bad value");
		return -1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Compilation */

static int
compile_globs(struct pol_err *e, const struct pol_vars *vars,
    const struct pol_strv *sv, const char *fam, size_t i, const char *key,
    int sep, int fold, int expand, struct pol_glob ***out, size_t *nout,
    struct pol_strv *exp)
{
	char		 path[160], msg[256];
	char		*x;

	if ((*out = calloc(sv->n + 1, sizeof(**out))) == NULL) {
		pol_err_set(e, NULL, "", "out of memory");
		return -1;
	}
	for (size_t j = 0; j < sv->n; j++) {
		snprintf(path, sizeof(path), "%s[%zu]%s%s[%zu]", fam, i,
		    *key ? "." : "", key, j);
		x = expand ? pol_vars_expand(vars, sv->v[j], 1, msg,
		    sizeof(msg)) : strdup(sv->v[j]);
		if (x == NULL) {
			pol_err_set(e, sv->m ? &sv->m[j] : &nomark, path, "%s",
			    expand ? msg : "out of memory");
			return -1;
		}
		if (exp != NULL && pol_strv_push(exp, x, sv->m ? &sv->m[j] :
		    NULL) == -1) {
			free(x);
			pol_err_set(e, NULL, "", "out of memory");
			return -1;
		}
		if (fold)
			for (char *c = x; *c != '\0'; c++)
				*c = (char)tolower((unsigned char)*c);
		(*out)[j] = pol_glob_compile(x, sep, fold, msg, sizeof(msg));
		free(x);
		if ((*out)[j] == NULL) {
			pol_err_set(e, sv->m ? &sv->m[j] : &nomark, path,
			    "'%s': %s", sv->v[j], msg);
			return -1;
		}
		if (nout != NULL)
			*nout = j + 1;
	}
	return 0;
}

static char *
lowerdup(const char *s)
{
	char	*d = strdup(s);

	if (d != NULL)
		for (char *c = d; *c != '\0'; c++)
			*c = (char)tolower((unsigned char)*c);
	return d;
}

static int
compile_cmd(struct pol_cmd_rule *r, struct pol_err *e, size_t i)
{
	size_t	 n = r->commands.n;
	char	 path[128], msg[256];

	r->base = calloc(n + 1, sizeof(*r->base));
	r->path = calloc(n + 1, sizeof(*r->path));
	r->bglob = calloc(n + 1, sizeof(*r->bglob));
	r->pglob = calloc(n + 1, sizeof(*r->pglob));
	if (r->base == NULL || r->path == NULL || r->bglob == NULL ||
	    r->pglob == NULL)
		goto nomem;
	r->match_all = n == 0;
	for (size_t j = 0; j < n; j++) {
		const char	*c = r->commands.v[j];
		int		 isglob = !cmd_literal(c) &&
		    pol_glob_is_pattern(c);

		PATHF(path, "command_rules", i, "commands");
		if (strchr(c, '/') != NULL) {
			if (isglob) {
				if ((r->pglob[r->npglob] = pol_glob_compile(c,
				    '/', 0, msg, sizeof(msg))) == NULL)
					goto bad;
				r->npglob++;
			} else {
				if ((r->path[r->npath] = strdup(c)) == NULL)
					goto nomem;
				r->npath++;
			}
		} else if (isglob) {
			char	*l = lowerdup(c);

			if (l == NULL)
				goto nomem;
			r->bglob[r->nbglob] = pol_glob_compile(l, 0, 1, msg,
			    sizeof(msg));
			free(l);
			if (r->bglob[r->nbglob] == NULL)
				goto bad;
			r->nbglob++;
		} else {
			if ((r->base[r->nbase] = lowerdup(c)) == NULL)
				goto nomem;
			r->nbase++;
		}
	}
	if (r->has_redirect) {
		struct pol_cmd_redirect *d = &r->redir;

		if ((r->redir_envp = calloc(r->redir_env.n + 1,
		    sizeof(char *))) == NULL)
			goto nomem;
		for (size_t j = 0; j < r->redir_env.n; j++)
			if (asprintf(&r->redir_envp[j], "%s=%s",
			    r->redir_env.v[j].key, r->redir_env.v[j].value) ==
			    -1) {
				r->redir_envp[j] = NULL;
				goto nomem;
			}
		if (r->redir_args.v == NULL &&
		    pol_strv_push(&r->redir_args, "", NULL) == 0) {
			/* an empty, NULL-terminated list */
			free(r->redir_args.v[0]);
			r->redir_args.v[0] = NULL;
			r->redir_args.n = 0;
		}
		if (r->redir_args_append.v == NULL &&
		    pol_strv_push(&r->redir_args_append, "", NULL) == 0) {
			free(r->redir_args_append.v[0]);
			r->redir_args_append.v[0] = NULL;
			r->redir_args_append.n = 0;
		}
		if (r->redir_args.v == NULL || r->redir_args_append.v == NULL)
			goto nomem;
		d->command = r->redir_command;
		d->args = (const char *const *)r->redir_args.v;
		d->nargs = r->redir_args.n;
		d->args_append = (const char *const *)r->redir_args_append.v;
		d->nargs_append = r->redir_args_append.n;
		d->env = (const char *const *)r->redir_envp;
		d->nenv = r->redir_env.n;
	}
	return 0;
 bad:
	pol_err_set(e, NULL, path, "%s", msg);
	return -1;
 nomem:
	pol_err_set(e, NULL, "", "out of memory");
	return -1;
}

int
pol_compile(struct pol *p, const struct pol_vars *vars, struct pol_err *e)
{
	char	 msg[256], path[128];

	for (size_t i = 0; i < p->nfile; i++) {
		struct pol_file_rule *r = &p->file[i];

		if (compile_globs(e, vars, &r->paths, "file_rules", i, "paths",
		    '/', 0, !p->expanded, &r->globs, &r->nglobs,
		    &r->paths_exp) == -1)
			return -1;
		if (r->redirect_to != NULL && (r->redirect_exp = p->expanded ?
		    strdup(r->redirect_to) : pol_vars_expand(vars,
		    r->redirect_to, 0, msg, sizeof(msg))) == NULL) {
			PATHF(path, "file_rules", i, "redirect_to");
			pol_err_set(e, &r->m_redirect, path, "%s", msg);
			return -1;
		}
	}
	for (size_t i = 0; i < p->nnet; i++) {
		struct pol_net_rule *r = &p->net[i];

		if (compile_globs(e, vars, &r->domains, "network_rules", i,
		    "domains", '.', 1, !p->expanded, &r->globs, &r->nglobs,
		    &r->domains_exp) == -1)
			return -1;
		if ((r->cidrv = calloc(r->cidrs.n + 1,
		    sizeof(*r->cidrv))) == NULL)
			goto nomem;
		for (size_t j = 0; j < r->cidrs.n; j++)
			if (parse_cidr(r->cidrs.v[j], &r->cidrv[j]) == -1)
				goto nomem;	/* checked before */
	}
	for (size_t i = 0; i < p->ncmd; i++) {
		struct pol_cmd_rule *r = &p->cmd[i];

		if (compile_cmd(r, e, i) == -1 ||
		    compile_globs(e, vars, &r->env_allow, "command_rules", i,
		    "env_allow", 0, 0, 0, &r->env_allow_g, NULL, NULL) == -1 ||
		    compile_globs(e, vars, &r->env_deny, "command_rules", i,
		    "env_deny", 0, 0, 0, &r->env_deny_g, NULL, NULL) == -1)
			return -1;
		/* audit blocks nothing: an opaque script can only hide a log
		 * line from it, never a decision. */
		if (r->c.decision != POL_ALLOW && r->c.decision != POL_AUDIT)
			p->restrictive_cmd = 1;
	}
	for (size_t i = 0; i < p->nunix; i++) {
		struct pol_unix_rule *r = &p->unx[i];

		if (compile_globs(e, vars, &r->paths, "unix_socket_rules", i,
		    "paths", '/', 0, !p->expanded, &r->globs, &r->nglobs,
		    &r->paths_exp) == -1)
			return -1;
	}
	for (size_t i = 0; i < p->nsig; i++) {
		struct pol_sig_rule *r = &p->sig[i];
		uint64_t	 mask;
		int		 sig;

		for (size_t j = 0; j < r->signals.n; j++) {
			if (r->signals.v[j][0] == '@') {
				if (pol_signal_group(r->signals.v[j], &mask) ==
				    0)
					r->sigmask |= mask;
			} else if (pol_signal_parse(r->signals.v[j], &sig) ==
			    0)
				r->sigmask |= 1ULL << (sig - 1);
		}
		if (r->redirect_to != NULL)
			(void)pol_signal_parse(r->redirect_to,
			    &r->redirect_sig);
		if (r->pattern != NULL && (r->pattern_g = pol_glob_compile(
		    r->pattern, 0, 0, msg, sizeof(msg))) == NULL) {
			PATHF(path, "signal_rules", i, "target.pattern");
			pol_err_set(e, &r->m_target, path, "%s", msg);
			return -1;
		}
	}
	if (compile_globs(e, vars, &p->env.allow, "env_policy", 0, "allow", 0,
	    0, 0, &p->env.allow_g, NULL, NULL) == -1 ||
	    compile_globs(e, vars, &p->env.deny, "env_policy", 0, "deny", 0,
	    0, 0, &p->env.deny_g, NULL, NULL) == -1)
		return -1;
	if ((p->mctx = pcre2_match_context_create(NULL)) == NULL)
		goto nomem;
	/* Backtracking is bounded; hitting the bound fails closed. */
	pcre2_set_match_limit(p->mctx, 1000000);
	pcre2_set_depth_limit(p->mctx, 10000);
	return 0;
 nomem:
	pol_err_set(e, NULL, "", "out of memory");
	return -1;
}

/* ------------------------------------------------------------------ */
/* Freeing */

void
pol_rule_common_clear(struct pol_rule_common *c)
{
	free(c->name);
	free(c->description);
	free(c->message);
}

static void
globv_free(struct pol_glob **g, size_t n)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < n || (n == SIZE_MAX && g[i] != NULL); i++) {
		if (n == SIZE_MAX && g[i] == NULL)
			break;
		pol_glob_free(g[i]);
	}
	free(g);
}

static void
clear_regex(struct pol_regex *r)
{
	free(r->src);
	pcre2_code_free(r->code);
}

void
pol_clear(struct pol *p)
{
	for (size_t i = 0; i < p->nfile; i++) {
		pol_rule_common_clear(&p->file[i].c);
		pol_strv_clear(&p->file[i].paths);
		pol_strv_clear(&p->file[i].paths_exp);
		free(p->file[i].redirect_to);
		free(p->file[i].redirect_exp);
		globv_free(p->file[i].globs, p->file[i].nglobs);
	}
	free(p->file);
	for (size_t i = 0; i < p->nnet; i++) {
		pol_rule_common_clear(&p->net[i].c);
		pol_strv_clear(&p->net[i].domains);
		pol_strv_clear(&p->net[i].domains_exp);
		pol_strv_clear(&p->net[i].cidrs);
		free(p->net[i].ports);
		free(p->net[i].m_ports);
		free(p->net[i].cidrv);
		globv_free(p->net[i].globs, p->net[i].nglobs);
	}
	free(p->net);
	for (size_t i = 0; i < p->ncmd; i++) {
		struct pol_cmd_rule *r = &p->cmd[i];

		pol_rule_common_clear(&r->c);
		pol_strv_clear(&r->commands);
		pol_regexv_clear(&r->args);
		free(r->redir_command);
		pol_strv_clear(&r->redir_args);
		pol_strv_clear(&r->redir_args_append);
		pol_kvv_clear(&r->redir_env);
		if (r->redir_envp != NULL)
			for (size_t j = 0; r->redir_envp[j] != NULL; j++)
				free(r->redir_envp[j]);
		free(r->redir_envp);
		pol_strv_clear(&r->env_allow);
		pol_strv_clear(&r->env_deny);
		for (size_t j = 0; j < r->nbase; j++)
			free(r->base[j]);
		free(r->base);
		for (size_t j = 0; j < r->npath; j++)
			free(r->path[j]);
		free(r->path);
		globv_free(r->bglob, r->nbglob);
		globv_free(r->pglob, r->npglob);
		globv_free(r->env_allow_g, SIZE_MAX);
		globv_free(r->env_deny_g, SIZE_MAX);
	}
	free(p->cmd);
	for (size_t i = 0; i < p->nunix; i++) {
		pol_rule_common_clear(&p->unx[i].c);
		pol_strv_clear(&p->unx[i].paths);
		pol_strv_clear(&p->unx[i].paths_exp);
		globv_free(p->unx[i].globs, p->unx[i].nglobs);
	}
	free(p->unx);
	for (size_t i = 0; i < p->nsig; i++) {
		pol_rule_common_clear(&p->sig[i].c);
		pol_strv_clear(&p->sig[i].signals);
		free(p->sig[i].pattern);
		free(p->sig[i].redirect_to);
		pol_glob_free(p->sig[i].pattern_g);
	}
	free(p->sig);
	for (size_t i = 0; i < p->ndns; i++) {
		free(p->dns[i].name);
		clear_regex(&p->dns[i].match);
		free(p->dns[i].resolve_to);
	}
	free(p->dns);
	for (size_t i = 0; i < p->nconn; i++) {
		free(p->conn[i].name);
		clear_regex(&p->conn[i].match);
		free(p->conn[i].redirect_to);
		free(p->conn[i].sni);
		free(p->conn[i].message);
	}
	free(p->conn);
	pol_strv_clear(&p->env.allow);
	pol_strv_clear(&p->env.deny);
	globv_free(p->env.allow_g, SIZE_MAX);
	globv_free(p->env.deny_g, SIZE_MAX);
	pol_kvv_clear(&p->env_inject);
	pol_strv_clear(&p->tc_add);
	pol_strv_clear(&p->tc_remove);
	free(p->name);
	free(p->description);
	free(p->fname);
	pcre2_match_context_free(p->mctx);
	memset(p, 0, sizeof(*p));
}

void
pol_free(struct pol *p)
{
	if (p == NULL)
		return;
	pol_clear(p);
	free(p);
}

/* ------------------------------------------------------------------ */
/* Loading */

int
pol_name_valid(const char *s)
{
	size_t	 n = strlen(s);

	if (n == 0 || n > 128 || !isalnum((unsigned char)s[0]))
		return 0;
	for (size_t i = 1; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("._-", s[i]) ==
		    NULL)
			return 0;
	return 1;
}

static int
has_suffix(const char *s, const char *suf)
{
	size_t	 a = strlen(s), b = strlen(suf);

	return a >= b && strcmp(s + a - b, suf) == 0;
}

int
pol_resolve(const char *dir, const char *arg, char *out, size_t outlen,
    char *err, size_t errlen)
{
	static const char *const exts[] = { ".yaml", ".yml" };
	struct stat	 st;

	if (strchr(arg, '/') != NULL || has_suffix(arg, ".yaml") ||
	    has_suffix(arg, ".yml")) {
		if (strlcpy(out, arg, outlen) >= outlen) {
			pol_errv_set(err, errlen, "%s: path too long", arg);
			errno = ENAMETOOLONG;
			return -1;
		}
		return 0;
	}
	if (!pol_name_valid(arg)) {
		pol_errv_set(err, errlen, "'%s': not a policy name "
		    "([A-Za-z0-9][A-Za-z0-9._-]*) nor a path", arg);
		errno = EINVAL;
		return -1;
	}
	for (size_t i = 0; i < nitems(exts); i++) {
		if ((size_t)snprintf(out, outlen, "%s/%s%s", dir, arg,
		    exts[i]) >= outlen) {
			pol_errv_set(err, errlen, "%s: path too long", dir);
			errno = ENAMETOOLONG;
			return -1;
		}
		if (stat(out, &st) == 0)
			return 0;
	}
	pol_errv_set(err, errlen, "no policy '%s' in %s", arg, dir);
	errno = ENOENT;
	return -1;
}

static struct pol *
pol_new(const char *fname, unsigned int flags)
{
	struct pol	*p;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->flags = flags;
	if ((p->fname = strdup(fname)) == NULL) {
		free(p);
		return NULL;
	}
	return p;
}

struct pol *
pol_load_buf(const char *buf, size_t len, const char *fname,
    const struct pol_vars *vars, unsigned int flags, char *err,
    size_t errlen)
{
	struct pol	*p;
	struct pol_err	 e;
	int		 saved;

	if ((p = pol_new(fname, flags)) == NULL) {
		pol_errv_set(err, errlen, "out of memory");
		return NULL;
	}
	e.buf = err;
	e.len = errlen;
	e.fname = fname;
	if (len > POL_LOAD_MAXSIZE) {
		pol_err_set(&e, NULL, "", "larger than %d bytes",
		    POL_LOAD_MAXSIZE);
		errno = EFBIG;
		goto fail;
	}
	errno = 0;
	if (pol_yaml_parse(p, buf, len, &e) == -1 || pol_check(p, &e) == -1 ||
	    pol_compile(p, vars, &e) == -1)
		goto fail;
	return p;
 fail:
	saved = errno ? errno : EINVAL;
	pol_free(p);
	errno = saved;
	return NULL;
}

struct pol *
pol_load_file(const char *path, const struct pol_vars *vars,
    unsigned int flags, char *err, size_t errlen)
{
	struct stat	 st;
	struct pol	*p = NULL;
	char		*buf = NULL;
	size_t		 off = 0;
	ssize_t		 n;
	int		 fd, saved;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		pol_errv_set(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) == -1 || !S_ISREG(st.st_mode) ||
	    st.st_size > POL_LOAD_MAXSIZE) {
		saved = errno;
		pol_errv_set(err, errlen, "%s: %s", path,
		    !S_ISREG(st.st_mode) ? "not a regular file" :
		    st.st_size > POL_LOAD_MAXSIZE ? "file too large" :
		    strerror(saved));
		close(fd);
		errno = S_ISREG(st.st_mode) ? EFBIG : EINVAL;
		return NULL;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		close(fd);
		pol_errv_set(err, errlen, "out of memory");
		return NULL;
	}
	while (off < (size_t)st.st_size) {
		n = read(fd, buf + off, (size_t)st.st_size - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			saved = n == 0 ? EIO : errno;
			pol_errv_set(err, errlen, "%s: %s", path,
			    strerror(saved));
			close(fd);
			free(buf);
			errno = saved;
			return NULL;
		}
		off += (size_t)n;
	}
	close(fd);
	buf[off] = '\0';
	p = pol_load_buf(buf, off, path, vars, flags, err, errlen);
	saved = errno;
	free(buf);
	errno = saved;
	return p;
}

/* Used by the deserializer: checks and compiles a decoded policy. */
struct pol *pol_finish_decoded(struct pol *, unsigned int, char *, size_t);

struct pol *
pol_finish_decoded(struct pol *p, unsigned int flags, char *err,
    size_t errlen)
{
	struct pol_err	 e;

	e.buf = err;
	e.len = errlen;
	e.fname = "compiled policy";
	p->flags = flags;
	if (p->fname == NULL && (p->fname = strdup("compiled policy")) ==
	    NULL) {
		pol_free(p);
		pol_errv_set(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	/* Variables were expanded before serializing: none is left. */
	p->expanded = 1;
	if (pol_check(p, &e) == -1 || pol_compile(p, NULL, &e) == -1) {
		pol_free(p);
		errno = EINVAL;
		return NULL;
	}
	return p;
}

const char *
pol_name(const struct pol *p)
{
	return p->name;
}

const char *
pol_description(const struct pol *p)
{
	return p->description ? p->description : "";
}

void
pol_get_limits(const struct pol *p, struct pol_limits *l)
{
	const struct pol_limits *r = &p->limits;

#define NZ(x)	((x) < 0 ? 0 : (x))
	l->max_memory_mb = NZ(r->max_memory_mb);
	l->memory_swap_max_mb = r->memory_swap_max_mb;
	l->cpu_quota_percent = NZ(r->cpu_quota_percent);
	l->pids_max = NZ(r->pids_max);
	l->disk_read_bps_max = NZ(r->disk_read_bps_max);
	l->disk_write_bps_max = NZ(r->disk_write_bps_max);
	l->command_timeout_ms = NZ(r->command_timeout_ms);
	l->session_timeout_ms = NZ(r->session_timeout_ms);
	l->idle_timeout_ms = NZ(r->idle_timeout_ms);
#undef NZ
}

void
pol_get_audit(const struct pol *p, struct pol_audit *a)
{
	const struct pol_auditset *s = &p->audit;

	a->log_allowed = s->log_allowed < 0 ? 1 : s->log_allowed;
	a->log_denied = s->log_denied < 0 ? 1 : s->log_denied;
	a->log_approved = s->log_approved < 0 ? 1 : s->log_approved;
	a->include_stdout = s->include_stdout < 0 ? 0 : s->include_stdout;
	a->include_stderr = s->include_stderr < 0 ? 0 : s->include_stderr;
	a->retention_days = s->retention_days < 0 ? 0 : s->retention_days;
}
