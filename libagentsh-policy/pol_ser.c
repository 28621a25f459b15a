/*
 * The compiled form that travels between processes: a byte string with a
 * magic, a format version and every field of the policy, variables
 * already expanded.  Little-endian integers; a string is a u32 length and
 * its bytes (0xffffffff: absent); a list is a u32 count and its elements.
 *
 * Decoding trusts nothing: every read is bounds-checked, counts are
 * bounded by the bytes left, enums and flags are range-checked, a string
 * may not hold a NUL, trailing bytes are an error; then the policy goes
 * through the same pol_check() as YAML and every pattern is compiled
 * again.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pol_local.h"

#define SER_MAGIC	 "AGSHPOL\0"
#define SER_VERSION	 1
#define SER_NULL	 0xffffffffU

struct pol *pol_finish_decoded(struct pol *, unsigned int, char *, size_t);

/* ------------------------------------------------------------------ */
/* Writer */

struct wbuf {
	uint8_t	*b;
	size_t	 len, cap;
	int	 err;
};

static void
w_raw(struct wbuf *w, const void *p, size_t n)
{
	uint8_t	*nb;

	if (w->err)
		return;
	if (w->len + n > w->cap) {
		size_t	 nc = (w->len + n) * 2 + 256;

		if ((nb = realloc(w->b, nc)) == NULL) {
			w->err = 1;
			return;
		}
		w->b = nb;
		w->cap = nc;
	}
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void
w_u32(struct wbuf *w, uint32_t v)
{
	uint8_t	 b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16),
	    (uint8_t)(v >> 24) };

	w_raw(w, b, 4);
}

static void
w_u8(struct wbuf *w, int v)
{
	uint8_t	 b = (uint8_t)v;

	w_raw(w, &b, 1);
}

static void
w_i64(struct wbuf *w, int64_t v)
{
	uint64_t u = (uint64_t)v;

	w_u32(w, (uint32_t)u);
	w_u32(w, (uint32_t)(u >> 32));
}

static void
w_str(struct wbuf *w, const char *s)
{
	size_t	 n;

	if (s == NULL) {
		w_u32(w, SER_NULL);
		return;
	}
	n = strlen(s);
	w_u32(w, (uint32_t)n);
	w_raw(w, s, n);
}

static void
w_strv(struct wbuf *w, const struct pol_strv *sv)
{
	w_u32(w, (uint32_t)sv->n);
	for (size_t i = 0; i < sv->n; i++)
		w_str(w, sv->v[i]);
}

static void
w_kvv(struct wbuf *w, const struct pol_kvv *kv)
{
	w_u32(w, (uint32_t)kv->n);
	for (size_t i = 0; i < kv->n; i++) {
		w_str(w, kv->v[i].key);
		w_str(w, kv->v[i].value);
	}
}

static void
w_common(struct wbuf *w, const struct pol_rule_common *c)
{
	w_str(w, c->name);
	w_str(w, c->description);
	w_u8(w, c->decision);
	w_str(w, c->message);
	w_i64(w, c->timeout_ms);
}

int
pol_serialize(const struct pol *p, uint8_t **buf, size_t *len)
{
	struct wbuf	 w = { NULL, 0, 0, 0 };

	w_raw(&w, SER_MAGIC, 8);
	w_u32(&w, SER_VERSION);
	w_i64(&w, p->version);
	w_str(&w, p->name);
	w_str(&w, p->description);

	w_u32(&w, (uint32_t)p->nfile);
	for (size_t i = 0; i < p->nfile; i++) {
		const struct pol_file_rule *r = &p->file[i];

		w_common(&w, &r->c);
		w_strv(&w, &r->paths_exp);
		w_u32(&w, r->ops);
		w_u8(&w, r->ops_all);
		w_str(&w, r->redirect_exp);
		w_u8(&w, r->preserve_tree);
	}
	w_u32(&w, (uint32_t)p->nnet);
	for (size_t i = 0; i < p->nnet; i++) {
		const struct pol_net_rule *r = &p->net[i];

		w_common(&w, &r->c);
		w_strv(&w, &r->domains_exp);
		w_u32(&w, (uint32_t)r->nports);
		for (size_t j = 0; j < r->nports; j++)
			w_u32(&w, (uint32_t)r->ports[j]);
		w_strv(&w, &r->cidrs);
	}
	w_u32(&w, (uint32_t)p->ncmd);
	for (size_t i = 0; i < p->ncmd; i++) {
		const struct pol_cmd_rule *r = &p->cmd[i];

		w_common(&w, &r->c);
		w_strv(&w, &r->commands);
		w_u32(&w, (uint32_t)r->args.n);
		for (size_t j = 0; j < r->args.n; j++)
			w_str(&w, r->args.v[j].src);
		w_u8(&w, r->has_redirect);
		if (r->has_redirect) {
			w_str(&w, r->redir_command);
			w_strv(&w, &r->redir_args);
			w_strv(&w, &r->redir_args_append);
			w_kvv(&w, &r->redir_env);
		}
		w_u8(&w, r->ctx_set);
		w_u8(&w, r->ctx_form);
		w_i64(&w, r->min_depth);
		w_i64(&w, r->max_depth);
		w_strv(&w, &r->env_allow);
		w_strv(&w, &r->env_deny);
		w_i64(&w, r->env_max_keys);
		w_i64(&w, r->env_max_bytes);
		w_i64(&w, r->env_block_iteration);
	}
	w_u32(&w, (uint32_t)p->nunix);
	for (size_t i = 0; i < p->nunix; i++) {
		w_common(&w, &p->unx[i].c);
		w_strv(&w, &p->unx[i].paths_exp);
		w_u32(&w, p->unx[i].ops);
		w_u8(&w, p->unx[i].ops_all);
	}
	w_u32(&w, (uint32_t)p->nsig);
	for (size_t i = 0; i < p->nsig; i++) {
		const struct pol_sig_rule *r = &p->sig[i];

		w_common(&w, &r->c);
		w_strv(&w, &r->signals);
		w_u8(&w, r->target);
		w_str(&w, r->pattern);
		w_i64(&w, r->pid_min);
		w_i64(&w, r->pid_max);
		w_u8(&w, r->has_fallback);
		w_u8(&w, r->fallback);
		w_str(&w, r->redirect_to);
	}
	w_u32(&w, (uint32_t)p->ndns);
	for (size_t i = 0; i < p->ndns; i++) {
		const struct pol_dns_redirect *r = &p->dns[i];

		w_str(&w, r->name);
		w_str(&w, r->match.src);
		w_str(&w, r->resolve_to);
		w_i64(&w, r->visibility);
		w_i64(&w, r->on_failure);
	}
	w_u32(&w, (uint32_t)p->nconn);
	for (size_t i = 0; i < p->nconn; i++) {
		const struct pol_connect_redirect *r = &p->conn[i];

		w_str(&w, r->name);
		w_str(&w, r->match.src);
		w_str(&w, r->redirect_to);
		w_u8(&w, r->has_tls);
		w_i64(&w, r->tls_mode);
		w_str(&w, r->sni);
		w_i64(&w, r->visibility);
		w_i64(&w, r->on_failure);
		w_str(&w, r->message);
	}
	w_u8(&w, p->has_limits);
	w_i64(&w, p->limits.max_memory_mb);
	w_i64(&w, p->limits.memory_swap_max_mb);
	w_i64(&w, p->limits.cpu_quota_percent);
	w_i64(&w, p->limits.pids_max);
	w_i64(&w, p->limits.disk_read_bps_max);
	w_i64(&w, p->limits.disk_write_bps_max);
	w_i64(&w, p->limits.command_timeout_ms);
	w_i64(&w, p->limits.session_timeout_ms);
	w_i64(&w, p->limits.idle_timeout_ms);
	w_u8(&w, p->has_audit);
	w_i64(&w, p->audit.log_allowed);
	w_i64(&w, p->audit.log_denied);
	w_i64(&w, p->audit.log_approved);
	w_i64(&w, p->audit.include_stdout);
	w_i64(&w, p->audit.include_stderr);
	w_i64(&w, p->audit.retention_days);
	w_u8(&w, p->has_env);
	w_strv(&w, &p->env.allow);
	w_strv(&w, &p->env.deny);
	w_i64(&w, p->env.max_bytes);
	w_i64(&w, p->env.max_keys);
	w_u8(&w, p->env.block_iteration);
	w_kvv(&w, &p->env_inject);
	w_u8(&w, p->has_tc);
	w_strv(&w, &p->tc_add);
	w_strv(&w, &p->tc_remove);
	if (w.err) {
		free(w.b);
		errno = ENOMEM;
		return -1;
	}
	*buf = w.b;
	*len = w.len;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Reader */

struct rbuf {
	const uint8_t	*p;
	size_t		 left;
	size_t		 off;		/* for messages */
	const char	*bad;		/* first problem */
	size_t		 badoff;
};

static void
r_fail(struct rbuf *r, const char *why)
{
	if (r->bad == NULL) {
		r->bad = why;
		r->badoff = r->off;
	}
	r->left = 0;
}

static const uint8_t *
r_raw(struct rbuf *r, size_t n)
{
	const uint8_t	*p;

	if (r->bad != NULL)
		return NULL;
	if (n > r->left) {
		r_fail(r, "truncated");
		return NULL;
	}
	p = r->p;
	r->p += n;
	r->left -= n;
	r->off += n;
	return p;
}

static uint32_t
r_u32(struct rbuf *r)
{
	const uint8_t	*b = r_raw(r, 4);

	if (b == NULL)
		return 0;
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 |
	    (uint32_t)b[3] << 24;
}

static int
r_u8(struct rbuf *r, int max)
{
	const uint8_t	*b = r_raw(r, 1);

	if (b == NULL)
		return 0;
	if (*b > max) {
		r_fail(r, "value out of range");
		return 0;
	}
	return *b;
}

static int64_t
r_i64(struct rbuf *r, int64_t lo, int64_t hi)
{
	uint64_t	 lo32 = r_u32(r), hi32 = r_u32(r);
	int64_t		 v = (int64_t)(lo32 | hi32 << 32);

	if (r->bad == NULL && (v < lo || v > hi))
		r_fail(r, "value out of range");
	return r->bad ? 0 : v;
}

/* A count of elements that each take at least 'min' bytes. */
static size_t
r_count(struct rbuf *r, size_t min)
{
	uint32_t	 n = r_u32(r);

	if (r->bad == NULL && (size_t)n > r->left / min) {
		r_fail(r, "count larger than the data");
		return 0;
	}
	return n;
}

/* NULL when absent (or bad: check r->bad). */
static char *
r_str(struct rbuf *r, int nullable)
{
	uint32_t	 n = r_u32(r);
	const uint8_t	*b;
	char		*s;

	if (r->bad != NULL)
		return NULL;
	if (n == SER_NULL) {
		if (!nullable)
			r_fail(r, "missing string");
		return NULL;
	}
	if ((b = r_raw(r, n)) == NULL)
		return NULL;
	if (memchr(b, '\0', n) != NULL) {
		r_fail(r, "string contains a NUL byte");
		return NULL;
	}
	if ((s = malloc((size_t)n + 1)) == NULL) {
		r_fail(r, "out of memory");
		return NULL;
	}
	memcpy(s, b, n);
	s[n] = '\0';
	return s;
}

static void
r_strv(struct rbuf *r, struct pol_strv *sv)
{
	size_t	 n = r_count(r, 4);
	char	*s;

	for (size_t i = 0; i < n && r->bad == NULL; i++) {
		if ((s = r_str(r, 0)) == NULL)
			return;
		if (pol_strv_push(sv, s, NULL) == -1)
			r_fail(r, "out of memory");
		free(s);
	}
}

static void
r_kvv(struct rbuf *r, struct pol_kvv *kv)
{
	size_t	 n = r_count(r, 8);
	char	*k, *v;

	for (size_t i = 0; i < n && r->bad == NULL; i++) {
		k = r_str(r, 0);
		v = r_str(r, 0);
		if (k != NULL && v != NULL) {
			if (pol_kvv_get(kv, k) != NULL)
				r_fail(r, "duplicate key");
			else if (pol_kvv_put(kv, k, v, NULL) == -1)
				r_fail(r, "out of memory");
		}
		free(k);
		free(v);
	}
}

static void
r_common(struct rbuf *r, struct pol_rule_common *c)
{
	c->name = r_str(r, 0);
	c->description = r_str(r, 1);
	c->decision = (enum pol_decision)r_u8(r, POL_ABSORB);
	c->message = r_str(r, 1);
	c->timeout_ms = r_i64(r, 0, INT64_MAX);
}

/* Allocates room for n rules (calloc: a partial decode frees cleanly). */
#define R_RULES(field, nfield, min)					\
	do {								\
		size_t	 n_ = r_count(&r, (min));			\
									\
		if ((p->field = calloc(n_ + 1, sizeof(*p->field))) ==	\
		    NULL) {						\
			r_fail(&r, "out of memory");			\
			goto bad;					\
		}							\
		p->nfield = n_;						\
	} while (0)

struct pol *
pol_deserialize(const void *buf, size_t len, unsigned int flags, char *err,
    size_t errlen)
{
	struct rbuf	 r;
	struct pol	*p;
	const uint8_t	*m;

	memset(&r, 0, sizeof(r));
	r.p = buf;
	r.left = len;
	if ((p = calloc(1, sizeof(*p))) == NULL) {
		pol_errv_set(err, errlen, "out of memory");
		return NULL;
	}
	if ((m = r_raw(&r, 8)) == NULL || memcmp(m, SER_MAGIC, 8) != 0) {
		r_fail(&r, "not a compiled policy");
		goto bad;
	}
	if (r_u32(&r) != SER_VERSION) {
		r_fail(&r, "unknown format version");
		goto bad;
	}
	p->version = r_i64(&r, 1, INT32_MAX);
	p->name = r_str(&r, 0);
	p->description = r_str(&r, 1);

	R_RULES(file, nfile, 20);
	for (size_t i = 0; i < p->nfile && r.bad == NULL; i++) {
		struct pol_file_rule *f = &p->file[i];

		r_common(&r, &f->c);
		r_strv(&r, &f->paths);
		f->ops = r_u32(&r);
		if (f->ops >= (1U << POL_OP_NFILEOPS))
			r_fail(&r, "bad operations");
		f->ops_all = r_u8(&r, 1);
		f->redirect_to = r_str(&r, 1);
		f->preserve_tree = r_u8(&r, 1);
	}
	R_RULES(net, nnet, 20);
	for (size_t i = 0; i < p->nnet && r.bad == NULL; i++) {
		struct pol_net_rule *n = &p->net[i];
		size_t	 np;

		r_common(&r, &n->c);
		r_strv(&r, &n->domains);
		np = r_count(&r, 4);
		if ((n->ports = calloc(np + 1, sizeof(int))) == NULL) {
			r_fail(&r, "out of memory");
			break;
		}
		for (size_t j = 0; j < np && r.bad == NULL; j++) {
			uint32_t v = r_u32(&r);

			if (v > 65535)
				r_fail(&r, "bad port");
			n->ports[j] = (int)v;
		}
		n->nports = np;
		r_strv(&r, &n->cidrs);
	}
	R_RULES(cmd, ncmd, 40);
	for (size_t i = 0; i < p->ncmd && r.bad == NULL; i++) {
		struct pol_cmd_rule *c = &p->cmd[i];
		size_t	 na;

		r_common(&r, &c->c);
		r_strv(&r, &c->commands);
		na = r_count(&r, 4);
		if ((c->args.v = calloc(na + 1, sizeof(*c->args.v))) == NULL) {
			r_fail(&r, "out of memory");
			break;
		}
		for (size_t j = 0; j < na && r.bad == NULL; j++) {
			c->args.v[j].src = r_str(&r, 0);
			c->args.n = j + 1;
		}
		c->has_redirect = r_u8(&r, 1);
		if (c->has_redirect) {
			c->redir_command = r_str(&r, 0);
			r_strv(&r, &c->redir_args);
			r_strv(&r, &c->redir_args_append);
			r_kvv(&r, &c->redir_env);
		}
		c->ctx_set = r_u8(&r, 1);
		c->ctx_form = r_u8(&r, 1);
		c->min_depth = (int)r_i64(&r, 0, INT32_MAX);
		c->max_depth = (int)r_i64(&r, -1, INT32_MAX);
		r_strv(&r, &c->env_allow);
		r_strv(&r, &c->env_deny);
		c->env_max_keys = r_i64(&r, 0, INT32_MAX);
		c->env_max_bytes = r_i64(&r, 0, INT32_MAX);
		c->env_block_iteration = (int)r_i64(&r, -1, 1);
	}
	R_RULES(unx, nunix, 20);
	for (size_t i = 0; i < p->nunix && r.bad == NULL; i++) {
		struct pol_unix_rule *u = &p->unx[i];

		r_common(&r, &u->c);
		r_strv(&r, &u->paths);
		u->ops = r_u32(&r);
		if (u->ops >= (1U << POL_UOP_N))
			r_fail(&r, "bad operations");
		u->ops_all = r_u8(&r, 1);
	}
	R_RULES(sig, nsig, 40);
	for (size_t i = 0; i < p->nsig && r.bad == NULL; i++) {
		struct pol_sig_rule *s = &p->sig[i];

		r_common(&r, &s->c);
		r_strv(&r, &s->signals);
		s->target = (enum pol_sigtarget)r_u8(&r, ST_N - 1);
		s->pattern = r_str(&r, 1);
		s->pid_min = r_i64(&r, 0, INT32_MAX);
		s->pid_max = r_i64(&r, 0, INT32_MAX);
		s->has_fallback = r_u8(&r, 1);
		s->fallback = (enum pol_decision)r_u8(&r, POL_ABSORB);
		s->redirect_to = r_str(&r, 1);
	}
	R_RULES(dns, ndns, 28);
	for (size_t i = 0; i < p->ndns && r.bad == NULL; i++) {
		struct pol_dns_redirect *d = &p->dns[i];

		d->name = r_str(&r, 0);
		d->match.src = r_str(&r, 0);
		d->resolve_to = r_str(&r, 0);
		d->visibility = (int)r_i64(&r, -1, VIS_N - 1);
		d->on_failure = (int)r_i64(&r, -1, OF_N - 1);
	}
	R_RULES(conn, nconn, 45);
	for (size_t i = 0; i < p->nconn && r.bad == NULL; i++) {
		struct pol_connect_redirect *c = &p->conn[i];

		c->name = r_str(&r, 0);
		c->match.src = r_str(&r, 0);
		c->redirect_to = r_str(&r, 0);
		c->has_tls = r_u8(&r, 1);
		c->tls_mode = (int)r_i64(&r, -1, TLS_N - 1);
		c->sni = r_str(&r, 1);
		c->visibility = (int)r_i64(&r, -1, VIS_N - 1);
		c->on_failure = (int)r_i64(&r, -1, OF_N - 1);
		c->message = r_str(&r, 1);
	}
	p->has_limits = r_u8(&r, 1);
	p->limits.max_memory_mb = r_i64(&r, -1, INT32_MAX);
	p->limits.memory_swap_max_mb = r_i64(&r, -1, INT32_MAX);
	p->limits.cpu_quota_percent = r_i64(&r, -1, 100000);
	p->limits.pids_max = r_i64(&r, -1, INT32_MAX);
	p->limits.disk_read_bps_max = r_i64(&r, -1, INT64_MAX);
	p->limits.disk_write_bps_max = r_i64(&r, -1, INT64_MAX);
	p->limits.command_timeout_ms = r_i64(&r, -1, INT64_MAX);
	p->limits.session_timeout_ms = r_i64(&r, -1, INT64_MAX);
	p->limits.idle_timeout_ms = r_i64(&r, -1, INT64_MAX);
	p->has_audit = r_u8(&r, 1);
	p->audit.log_allowed = (int)r_i64(&r, -1, 1);
	p->audit.log_denied = (int)r_i64(&r, -1, 1);
	p->audit.log_approved = (int)r_i64(&r, -1, 1);
	p->audit.include_stdout = (int)r_i64(&r, -1, 1);
	p->audit.include_stderr = (int)r_i64(&r, -1, 1);
	p->audit.retention_days = r_i64(&r, -1, 100000);
	p->has_env = r_u8(&r, 1);
	r_strv(&r, &p->env.allow);
	r_strv(&r, &p->env.deny);
	p->env.max_bytes = r_i64(&r, 0, INT32_MAX);
	p->env.max_keys = r_i64(&r, 0, INT32_MAX);
	p->env.block_iteration = r_u8(&r, 1);
	r_kvv(&r, &p->env_inject);
	p->has_tc = r_u8(&r, 1);
	r_strv(&r, &p->tc_add);
	r_strv(&r, &p->tc_remove);
	if (r.bad == NULL && r.left != 0)
		r_fail(&r, "trailing bytes");
	if (r.bad != NULL)
		goto bad;
	return pol_finish_decoded(p, flags, err, errlen);
 bad:
	pol_errv_set(err, errlen, "compiled policy: offset %zu: %s",
	    r.badoff, r.bad ? r.bad : "bad data");
	pol_free(p);
	errno = EINVAL;
	return NULL;
}
