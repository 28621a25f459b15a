/*
 * Decisions for files, network connections, DNS queries, Unix sockets and
 * signals: first matching rule wins, else the family's default
 * (agentsh-policy(5), "Defaults").  Nothing here allocates.
 */
#include "compat.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "pol_local.h"

void
pol_result_init(struct pol_result *res)
{
	res->decision = res->effective = POL_DENY;
	res->rule = "";
	res->message[0] = '\0';
	res->timeout_ms = 0;
	res->redirect = POL_REDIR_NONE;
	res->cmd = NULL;
	res->signal = 0;
	res->addr = res->visibility = res->on_failure = NULL;
	res->tls_mode = res->sni = NULL;
	res->path[0] = '\0';
	res->by = POL_BY_COMMAND;
	res->unwrapped = 0;
	res->unwrapped_from[0] = '\0';
	res->payload_command[0] = '\0';
	res->decider[0] = '\0';
	res->opaque = 0;
}

void
pol_result_set(struct pol_result *res, enum pol_decision d, const char *rule)
{
	res->decision = d;
	/* audit and soft_delete let the operation proceed; approve never
	 * quietly becomes allow. */
	res->effective = (d == POL_AUDIT || d == POL_SOFT_DELETE) ?
	    POL_ALLOW : d;
	res->rule = rule;
}

/* ------------------------------------------------------------------ */
/* Message templates: {{.Path}} and friends. */

static const char *const tmpl_fields[] = {
	"Path", "Operation", "Command", "Args", "Domain", "RemoteAddr",
	"RemotePort",
};

/* Finds the next {{ .Field }}; returns the field index or -1 at the end,
 * -2 for a bad one. */
static int
tmpl_next(const char *s, const char **start, const char **end)
{
	const char	*o, *c, *f, *fe;

	if ((o = strstr(s, "{{")) == NULL)
		return -1;
	*start = o;
	if ((c = strstr(o + 2, "}}")) == NULL)
		return -2;
	*end = c + 2;
	for (f = o + 2; f < c && *f == ' '; f++)
		;
	for (fe = c; fe > f && fe[-1] == ' '; fe--)
		;
	if (f >= fe || *f != '.')
		return -2;
	f++;
	for (size_t i = 0; i < nitems(tmpl_fields); i++)
		if ((size_t)(fe - f) == strlen(tmpl_fields[i]) &&
		    strncmp(f, tmpl_fields[i], (size_t)(fe - f)) == 0)
			return (int)i;
	return -2;
}

int
pol_template_check(const char *s, char *err, size_t errlen)
{
	const char	*a, *b;
	int		 f;

	while ((f = tmpl_next(s, &a, &b)) != -1) {
		if (f == -2) {
			pol_errv_set(err, errlen, "bad template field at "
			    "'%.24s' (known: {{.Path}} {{.Operation}} "
			    "{{.Command}} {{.Args}} {{.Domain}} "
			    "{{.RemoteAddr}} {{.RemotePort}})", a);
			return -1;
		}
		s = b;
	}
	return 0;
}

static size_t
put(char *out, size_t outlen, size_t o, const char *s, size_t n)
{
	if (o + 1 >= outlen)
		return o;
	if (n > outlen - 1 - o)
		n = outlen - 1 - o;
	memcpy(out + o, s, n);
	out[o + n] = '\0';
	return o + n;
}

void
pol_render(const char *tmpl, const struct pol_tmplvars *v, char *out,
    size_t outlen)
{
	const char	*a, *b, *s = tmpl;
	size_t		 o = 0;
	char		 num[16];
	int		 f;

	out[0] = '\0';
	if (tmpl == NULL)
		return;
	while ((f = tmpl_next(s, &a, &b)) >= 0) {
		const char *val = NULL;

		o = put(out, outlen, o, s, (size_t)(a - s));
		switch (f) {
		case 0:
			val = v->path;
			break;
		case 1:
			val = v->operation;
			break;
		case 2:
			val = v->command;
			break;
		case 3:
			for (size_t i = 0; i < v->nargs; i++) {
				if (i > 0)
					o = put(out, outlen, o, " ", 1);
				o = put(out, outlen, o, v->args[i],
				    strlen(v->args[i]));
			}
			break;
		case 4:
			val = v->domain;
			break;
		case 5:
			val = v->remote_addr;
			break;
		case 6:
			if (v->remote_port >= 0) {
				snprintf(num, sizeof(num), "%d",
				    v->remote_port);
				val = num;
			}
			break;
		}
		if (val != NULL)
			o = put(out, outlen, o, val, strlen(val));
		s = b;
	}
	put(out, outlen, o, s, strlen(s));
}

static void
result_rule(struct pol_result *res, const struct pol_rule_common *c,
    const struct pol_tmplvars *tv)
{
	pol_result_set(res, c->decision, c->name);
	res->timeout_ms = c->timeout_ms;
	pol_render(c->message, tv, res->message, sizeof(res->message));
}

/* ------------------------------------------------------------------ */
/* Files */

static int
is_read_op(enum pol_fileop op)
{
	return op <= POL_OP_ACCESS;
}

static int
any_glob(struct pol_glob *const *g, size_t n, const char *s, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (pol_glob_match(g[i], s, len))
			return 1;
	return 0;
}

static void
file_redirect(struct pol_result *res, const struct pol_file_rule *r,
    const char *path)
{
	const char	*base = strrchr(path, '/');
	const char	*dir = r->redirect_exp;
	size_t		 dl = strlen(dir);

	while (dl > 1 && dir[dl - 1] == '/')
		dl--;
	if (r->preserve_tree)
		base = path;
	else
		base = base ? base : path;
	if (*base != '/')
		snprintf(res->path, sizeof(res->path), "%.*s/%s", (int)dl,
		    dir, base);
	else
		snprintf(res->path, sizeof(res->path), "%.*s%s", (int)dl,
		    dir, base);
	res->redirect = POL_REDIR_FILE;
}

void
pol_eval_file(const struct pol *p, const char *path, enum pol_fileop op,
    struct pol_result *res)
{
	size_t			 len = strlen(path);
	struct pol_tmplvars	 tv;

	pol_result_init(res);
	for (size_t i = 0; i < p->nfile; i++) {
		const struct pol_file_rule *r = &p->file[i];

		if (!(r->ops & (1U << op)) ||
		    !any_glob(r->globs, r->nglobs, path, len))
			continue;
		memset(&tv, 0, sizeof(tv));
		tv.path = path;
		tv.operation = pol_fileop_name(op);
		tv.remote_port = -1;
		result_rule(res, &r->c, &tv);
		if (r->c.decision == POL_REDIRECT)
			file_redirect(res, r, path);
		return;
	}
	if (is_read_op(op))
		pol_result_set(res, POL_ALLOW, POL_RULE_DEFAULT_READS);
	else
		pol_result_set(res, POL_DENY, POL_RULE_DEFAULT_FILES);
}

/* ------------------------------------------------------------------ */
/* Network */

struct ipaddr {
	int	 family;	/* 0: none */
	uint8_t	 a[16];
};

static void
parse_ip(const char *s, struct ipaddr *ip)
{
	ip->family = 0;
	if (s == NULL)
		return;
	if (inet_pton(AF_INET, s, ip->a) == 1)
		ip->family = 4;
	else if (inet_pton(AF_INET6, s, ip->a) == 1) {
		static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0,
		    0, 0, 0xff, 0xff };

		/* ::ffff:a.b.c.d is the IPv4 address it maps. */
		if (memcmp(ip->a, v4mapped, 12) == 0) {
			memmove(ip->a, ip->a + 12, 4);
			ip->family = 4;
		} else
			ip->family = 6;
	}
}

static int
cidr_match(const struct pol_cidr *c, const struct ipaddr *ip)
{
	int	 full, rest;

	if (ip->family != c->family)
		return 0;
	full = c->bits / 8;
	rest = c->bits % 8;
	if (memcmp(c->addr, ip->a, (size_t)full) != 0)
		return 0;
	if (rest == 0)
		return 1;
	return ((c->addr[full] ^ ip->a[full]) & (0xff << (8 - rest))) == 0;
}

/* Lowercases a domain and drops one trailing dot. */
static size_t
norm_domain(const char *in, char *out, size_t outlen)
{
	size_t	 n = 0;

	if (in == NULL) {
		out[0] = '\0';
		return 0;
	}
	while (isspace((unsigned char)*in))
		in++;
	for (; *in != '\0' && n + 1 < outlen; in++)
		out[n++] = (char)tolower((unsigned char)*in);
	while (n > 0 && isspace((unsigned char)out[n - 1]))
		n--;
	if (n > 0 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
	return n;
}

static int
net_rules(const struct pol *p, const char *domain, size_t dlen,
    const struct ipaddr *ip, const char *ipstr, int port,
    struct pol_result *res)
{
	struct pol_tmplvars tv;

	for (size_t i = 0; i < p->nnet; i++) {
		const struct pol_net_rule *r = &p->net[i];
		int	 ok = 0;

		if (r->nports > 0) {
			for (size_t j = 0; j < r->nports && !ok; j++)
				ok = r->ports[j] == port;
			if (!ok)
				continue;
		}
		if (r->nglobs > 0 && (dlen == 0 ||
		    !any_glob(r->globs, r->nglobs, domain, dlen)))
			continue;
		if (r->cidrs.n > 0) {
			ok = 0;
			for (size_t j = 0; j < r->cidrs.n && !ok; j++)
				ok = cidr_match(&r->cidrv[j], ip);
			if (!ok)
				continue;
		}
		memset(&tv, 0, sizeof(tv));
		tv.domain = domain;
		tv.remote_addr = ipstr ? ipstr : domain;
		tv.remote_port = port;
		result_rule(res, &r->c, &tv);
		return 1;
	}
	return 0;
}

void
pol_eval_connect(const struct pol *p, const struct pol_connect_req *req,
    struct pol_result *res)
{
	char		 dom[256], hp[300];
	size_t		 dlen;
	struct ipaddr	 ip;

	pol_result_init(res);
	dlen = norm_domain(req->host, dom, sizeof(dom));
	parse_ip(req->ip, &ip);
	if (ip.family == 0 && dlen > 0)
		parse_ip(dom, &ip);	/* an IP literal as host */
	if (p->nconn > 0) {
		const char *h = dlen ? dom : (req->ip ? req->ip : "");

		if (strchr(h, ':') != NULL)
			snprintf(hp, sizeof(hp), "[%s]:%d", h, req->port);
		else
			snprintf(hp, sizeof(hp), "%s:%d", h, req->port);
		for (size_t i = 0; i < p->nconn; i++) {
			const struct pol_connect_redirect *r = &p->conn[i];

			if (pol_regex_match(p, &r->match, hp,
			    strlen(hp)) != 1)
				continue;
			pol_result_set(res, POL_REDIRECT, r->name);
			res->redirect = POL_REDIR_CONNECT;
			res->addr = r->redirect_to;
			res->tls_mode = pol_tls_names[r->tls_mode < 0 ?
			    TLS_PASSTHROUGH : r->tls_mode];
			res->sni = r->sni ? r->sni : "";
			res->visibility = pol_visibility_names[
			    r->visibility < 0 ? VIS_AUDIT_ONLY :
			    r->visibility];
			res->on_failure = pol_onfail_names[
			    r->on_failure < 0 ? OF_FAIL_CLOSED :
			    r->on_failure];
			if (r->message != NULL)
				strlcpy(res->message, r->message,
				    sizeof(res->message));
			return;
		}
	}
	if (!net_rules(p, dom, dlen, &ip, req->ip, req->port, res))
		pol_result_set(res, POL_DENY, POL_RULE_DEFAULT_NET);
}

void
pol_eval_dns(const struct pol *p, const char *host, struct pol_result *res)
{
	char		 dom[256];
	size_t		 dlen;
	struct ipaddr	 ip;

	pol_result_init(res);
	dlen = norm_domain(host, dom, sizeof(dom));
	for (size_t i = 0; i < p->ndns; i++) {
		const struct pol_dns_redirect *r = &p->dns[i];

		if (pol_regex_match(p, &r->match, dom, dlen) != 1)
			continue;
		pol_result_set(res, POL_REDIRECT, r->name);
		res->redirect = POL_REDIR_DNS;
		res->addr = r->resolve_to;
		res->visibility = pol_visibility_names[r->visibility < 0 ?
		    VIS_AUDIT_ONLY : r->visibility];
		res->on_failure = pol_onfail_names[r->on_failure < 0 ?
		    OF_FAIL_CLOSED : r->on_failure];
		return;
	}
	parse_ip(dom, &ip);
	/* Resolving a name is not connecting to it: only a rule that names
	 * it (or port 53) decides; the connect is decided on its own. */
	if (!net_rules(p, dom, dlen, &ip, NULL, 53, res))
		pol_result_set(res, POL_ALLOW, POL_RULE_DNS_MONITOR);
}

/* ------------------------------------------------------------------ */
/* Unix sockets and signals */

void
pol_eval_unix(const struct pol *p, const char *path, enum pol_unixop op,
    struct pol_result *res)
{
	size_t			 len = strlen(path);
	struct pol_tmplvars	 tv;

	pol_result_init(res);
	for (size_t i = 0; i < p->nunix; i++) {
		const struct pol_unix_rule *r = &p->unx[i];

		if (!(r->ops & (1U << op)) ||
		    !any_glob(r->globs, r->nglobs, path, len))
			continue;
		memset(&tv, 0, sizeof(tv));
		tv.path = path;
		tv.operation = pol_unixop_name(op);
		tv.remote_port = -1;
		result_rule(res, &r->c, &tv);
		return;
	}
	pol_result_set(res, POL_DENY, POL_RULE_DEFAULT_UNIX);
}

static int
target_match(const struct pol_sig_rule *r, const struct pol_signal_req *q)
{
	unsigned int	 t = q->target;

	switch (r->target) {
	case ST_SELF:
		return (t & POL_SIGT_SELF) != 0;
	case ST_CHILDREN:
		return (t & POL_SIGT_CHILD) != 0;
	case ST_DESCENDANTS:
		return (t & (POL_SIGT_DESCENDANT | POL_SIGT_CHILD)) != 0;
	case ST_SIBLINGS:
		return (t & POL_SIGT_SIBLING) != 0;
	case ST_SESSION:
		return (t & POL_SIGT_IN_SESSION) != 0;
	case ST_PARENT:
		return (t & POL_SIGT_PARENT) != 0;
	case ST_EXTERNAL:
		return (t & POL_SIGT_IN_SESSION) == 0;
	case ST_SYSTEM:
		return q->target_pid == 1 || q->target_pid == 2;
	case ST_USER:
		return (t & POL_SIGT_SAME_USER) && !(t & POL_SIGT_IN_SESSION);
	case ST_PROCESS:
		return q->target_comm != NULL && r->pattern_g != NULL &&
		    pol_glob_match(r->pattern_g, q->target_comm,
		    strlen(q->target_comm));
	case ST_PID_RANGE:
		return q->target_pid >= r->pid_min &&
		    q->target_pid <= r->pid_max;
	default:
		return 0;
	}
}

void
pol_eval_signal(const struct pol *p, const struct pol_signal_req *q,
    struct pol_result *res)
{
	struct pol_tmplvars	 tv;

	pol_result_init(res);
	if (q->signal < 1 || q->signal > 64) {
		pol_result_set(res, POL_DENY, POL_RULE_DEFAULT_SIGNAL);
		return;
	}
	for (size_t i = 0; i < p->nsig; i++) {
		const struct pol_sig_rule *r = &p->sig[i];

		if (!(r->sigmask & (1ULL << (q->signal - 1))) ||
		    !target_match(r, q))
			continue;
		memset(&tv, 0, sizeof(tv));
		tv.remote_port = -1;
		result_rule(res, &r->c, &tv);
		if (r->c.decision == POL_ABSORB)
			res->effective = POL_ABSORB;
		if (r->c.decision == POL_REDIRECT) {
			res->redirect = POL_REDIR_SIGNAL;
			res->signal = r->redirect_sig;
		}
		/* Where blocking is impossible the rule says what to do
		 * instead; without a fallback, audit. */
		if (q->cannot_block && (r->c.decision == POL_DENY ||
		    r->c.decision == POL_APPROVE ||
		    r->c.decision == POL_REDIRECT ||
		    r->c.decision == POL_ABSORB)) {
			pol_result_set(res, r->has_fallback ? r->fallback :
			    POL_AUDIT, r->c.name);
			if (res->decision == POL_ABSORB)
				res->effective = POL_ABSORB;
			res->redirect = POL_REDIR_NONE;
		}
		return;
	}
	pol_result_set(res, POL_DENY, POL_RULE_DEFAULT_SIGNAL);
}
