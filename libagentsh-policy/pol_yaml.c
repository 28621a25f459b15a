/*
 * The policy YAML, read strictly: every key is known, every value has the
 * type its key wants, every enum value is checked.  Errors name the file,
 * line, column and key path: "p.yaml:12:7: command_rules[3].context:
 * unknown context value 'nestd'".  Semantic checks (patterns, duplicate
 * names, combinations) are pol_check()'s, shared with deserialization.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <yaml.h>

#include "pol_local.h"

/* Nodes looked at, aliases included: bounds alias bombs. */
#define YAML_MAX_VISITS	 (1 << 20)

struct yctx {
	yaml_document_t	*doc;
	struct pol	*pol;
	struct pol_err	*err;
	char		 path[512];
	size_t		 visits;
};

/* Key path helpers: push appends, the caller restores the saved length. */
static size_t
path_key(struct yctx *y, const char *key)
{
	size_t	 l = strlen(y->path);

	snprintf(y->path + l, sizeof(y->path) - l, "%s%s", l ? "." : "",
	    key);
	return l;
}

static size_t
path_idx(struct yctx *y, size_t i)
{
	size_t	 l = strlen(y->path);

	snprintf(y->path + l, sizeof(y->path) - l, "[%zu]", i);
	return l;
}

static void
path_pop(struct yctx *y, size_t l)
{
	y->path[l] = '\0';
}

static struct pol_mark
mark_of(const yaml_node_t *n)
{
	struct pol_mark	 m;

	m.line = (uint32_t)n->start_mark.line + 1;
	m.col = (uint32_t)n->start_mark.column + 1;
	return m;
}

static int
yerr(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
yerr(struct yctx *y, const yaml_node_t *n, const char *fmt, ...)
{
	char		 msg[384];
	struct pol_mark	 m = mark_of(n);
	va_list		 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	pol_err_set(y->err, &m, y->path, "%s", msg);
	errno = EINVAL;
	return -1;
}

static yaml_node_t *
node(struct yctx *y, int idx)
{
	y->visits++;
	return yaml_document_get_node(y->doc, idx);
}

static const char *
kind_name(const yaml_node_t *n)
{
	switch (n->type) {
	case YAML_SCALAR_NODE:
		return "a scalar";
	case YAML_SEQUENCE_NODE:
		return "a list";
	case YAML_MAPPING_NODE:
		return "a mapping";
	default:
		return "nothing";
	}
}

/* An untagged plain null: "~", "null", or nothing. */
static int
is_null(const yaml_node_t *n)
{
	const char	*v;

	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return 0;
	v = (const char *)n->data.scalar.value;
	return n->data.scalar.length == 0 || strcmp(v, "~") == 0 ||
	    strcasecmp(v, "null") == 0;
}

static int
check_tag(struct yctx *y, const yaml_node_t *n)
{
	static const char *const ok[] = {
		YAML_STR_TAG, YAML_INT_TAG, YAML_BOOL_TAG, YAML_NULL_TAG,
		YAML_SEQ_TAG, YAML_MAP_TAG,
	};

	if (n->tag == NULL)
		return 0;
	for (size_t i = 0; i < nitems(ok); i++)
		if (strcmp((const char *)n->tag, ok[i]) == 0)
			return 0;
	return yerr(y, n, "unsupported tag '%s'", (const char *)n->tag);
}

/* A scalar as a C string (no NUL inside); *out = NULL for null. */
static int
get_str(struct yctx *y, const yaml_node_t *n, const char **out)
{
	if (check_tag(y, n) == -1)
		return -1;
	if (n->type != YAML_SCALAR_NODE)
		return yerr(y, n, "expected a string, got %s", kind_name(n));
	if (is_null(n)) {
		*out = NULL;
		return 0;
	}
	if (strlen((const char *)n->data.scalar.value) !=
	    n->data.scalar.length)
		return yerr(y, n, "string contains a NUL byte");
	*out = (const char *)n->data.scalar.value;
	return 0;
}

static int
set_str(struct yctx *y, const yaml_node_t *n, char **dst)
{
	const char	*s;

	if (get_str(y, n, &s) == -1)
		return -1;
	free(*dst);
	*dst = NULL;
	if (s != NULL && (*dst = strdup(s)) == NULL)
		return yerr(y, n, "out of memory");
	return 0;
}

static int
get_int(struct yctx *y, const yaml_node_t *n, int64_t lo, int64_t hi,
    int64_t *out)
{
	const char	*s = (const char *)n->data.scalar.value, *p;
	char		*end;
	long long	 v;

	if (check_tag(y, n) == -1)
		return -1;
	if (n->type != YAML_SCALAR_NODE ||
	    n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return yerr(y, n, "expected an integer");
	p = s;
	if (*p == '-' || *p == '+')
		p++;
	if (!isdigit((unsigned char)*p))
		return yerr(y, n, "expected an integer, got '%s'", s);
	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end != '\0' || errno == ERANGE)
		return yerr(y, n, "expected an integer, got '%s'", s);
	if (v < lo || v > hi)
		return yerr(y, n, "%lld is out of range [%" PRId64 ", %"
		    PRId64 "]", v, lo, hi);
	*out = v;
	return 0;
}

static int
get_bool(struct yctx *y, const yaml_node_t *n, int *out)
{
	static const char *const t[] = { "true", "yes", "on" };
	static const char *const f[] = { "false", "no", "off" };
	const char	*s = (const char *)n->data.scalar.value;

	if (check_tag(y, n) == -1)
		return -1;
	if (n->type == YAML_SCALAR_NODE &&
	    n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) {
		for (size_t i = 0; i < nitems(t); i++) {
			if (strcasecmp(s, t[i]) == 0) {
				*out = 1;
				return 0;
			}
			if (strcasecmp(s, f[i]) == 0) {
				*out = 0;
				return 0;
			}
		}
	}
	return yerr(y, n, "expected true or false");
}

static int
get_duration(struct yctx *y, const yaml_node_t *n, int64_t *ms)
{
	const char	*s;

	if (get_str(y, n, &s) == -1)
		return -1;
	if (s == NULL) {
		*ms = 0;
		return 0;
	}
	if (pol_duration_parse(s, ms) == -1)
		return yerr(y, n, "bad duration '%s' (examples: 500ms, "
		    "30s, 5m, 1h30m)", s);
	return 0;
}

static int
get_decision(struct yctx *y, const yaml_node_t *n, enum pol_decision *d)
{
	const char	*s;

	if (get_str(y, n, &s) == -1)
		return -1;
	if (s == NULL || pol_decision_parse(s, d) == -1)
		return yerr(y, n, "unknown decision '%s'", s ? s : "");
	return 0;
}

static int
get_enum(struct yctx *y, const yaml_node_t *n, const char *const *names,
    int count, int *out)
{
	const char	*s;
	int		 i;

	if (get_str(y, n, &s) == -1)
		return -1;
	if (s == NULL || (i = pol_enum_parse(s, names, count)) < 0)
		return yerr(y, n, "unknown value '%s'", s ? s : "");
	*out = i;
	return 0;
}

typedef int (*item_fn)(struct yctx *, const yaml_node_t *, size_t, void *);

/* Walks a list (null is an empty list). */
static int
each_item(struct yctx *y, const yaml_node_t *n, item_fn fn, void *arg)
{
	size_t		 i = 0, l;

	if (check_tag(y, n) == -1)
		return -1;
	if (is_null(n))
		return 0;
	if (n->type != YAML_SEQUENCE_NODE)
		return yerr(y, n, "expected a list, got %s", kind_name(n));
	for (yaml_node_item_t *it = n->data.sequence.items.start;
	    it < n->data.sequence.items.top; it++, i++) {
		yaml_node_t	*c = node(y, *it);

		if (c == NULL || y->visits > YAML_MAX_VISITS)
			return yerr(y, n, "document too complex");
		l = path_idx(y, i);
		if (fn(y, c, i, arg) == -1)
			return -1;
		path_pop(y, l);
	}
	return 0;
}

static int
strv_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_strv	*sv = arg;
	struct pol_mark	 m = mark_of(n);
	const char	*s;

	if (get_str(y, n, &s) == -1)
		return -1;
	if (s == NULL)
		return yerr(y, n, "expected a string, got null");
	if (pol_strv_push(sv, s, &m) == -1)
		return yerr(y, n, "out of memory");
	return 0;
}

static int
get_strv(struct yctx *y, const yaml_node_t *n, struct pol_strv *sv)
{
	pol_strv_clear(sv);
	return each_item(y, n, strv_item, sv);
}

/*
 * Walks a mapping; calls fn with each key (a string) and value.  Duplicate
 * keys are an error.
 */
typedef int (*pair_fn)(struct yctx *, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *);

static int
each_pair(struct yctx *y, const yaml_node_t *n, pair_fn fn, void *arg)
{
	size_t	 l;

	if (check_tag(y, n) == -1)
		return -1;
	if (n->type != YAML_MAPPING_NODE)
		return yerr(y, n, "expected a mapping, got %s", kind_name(n));
	for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
	    p < n->data.mapping.pairs.top; p++) {
		yaml_node_t	*k = node(y, p->key), *v = node(y, p->value);
		const char	*key;

		if (k == NULL || v == NULL || y->visits > YAML_MAX_VISITS)
			return yerr(y, n, "document too complex");
		if (k->type != YAML_SCALAR_NODE)
			return yerr(y, k, "a key must be a string");
		if (get_str(y, k, &key) == -1)
			return -1;
		if (key == NULL)
			return yerr(y, k, "empty key");
		l = path_key(y, key);
		for (yaml_node_pair_t *q = n->data.mapping.pairs.start;
		    q < p; q++) {
			yaml_node_t *qk = yaml_document_get_node(y->doc,
			    q->key);

			if (qk != NULL && qk->type == YAML_SCALAR_NODE &&
			    strcmp((const char *)qk->data.scalar.value,
			    key) == 0)
				return yerr(y, k, "duplicate key '%s'", key);
		}
		if (fn(y, key, k, v, arg) == -1)
			return -1;
		path_pop(y, l);
	}
	return 0;
}

static int
unknown_key(struct yctx *y, const yaml_node_t *k, const char *key)
{
	size_t	 l = strlen(y->path), kl = strlen(key);

	/* The path already ends in the key; report at its parent. */
	if (l >= kl)
		y->path[l - kl - (l > kl ? 1 : 0)] = '\0';
	return yerr(y, k, "unknown key '%s'", key);
}

static int
unsupported_key(struct yctx *y, const yaml_node_t *k)
{
	return yerr(y, k, "not supported yet");
}

/* ------------------------------------------------------------------ */
/* Common rule fields */

static int
common_field(struct yctx *y, struct pol_rule_common *c, const char *key,
    const yaml_node_t *v, int *handled)
{
	*handled = 1;
	if (strcmp(key, "name") == 0) {
		c->m_name = mark_of(v);
		return set_str(y, v, &c->name);
	}
	if (strcmp(key, "description") == 0)
		return set_str(y, v, &c->description);
	if (strcmp(key, "decision") == 0) {
		c->m_decision = mark_of(v);
		return get_decision(y, v, &c->decision);
	}
	if (strcmp(key, "message") == 0)
		return set_str(y, v, &c->message);
	if (strcmp(key, "timeout") == 0) {
		c->m_timeout = mark_of(v);
		return get_duration(y, v, &c->timeout_ms);
	}
	*handled = 0;
	return 0;
}

/* Reports a missing decision at the rule. */
static int
need_decision(struct yctx *y, const yaml_node_t *n,
    const struct pol_rule_common *c)
{
	if (c->m_decision.line == 0)
		return yerr(y, n, "decision is required");
	return 0;
}

struct opset {
	const char *const *names;
	int		   n;
	uint32_t	   mask;
};

static int
op_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct opset	*o = arg;
	const char	*s;
	int		 op;

	if (get_str(y, n, &s) == -1)
		return -1;
	if (s != NULL && strcmp(s, "*") == 0) {
		o->mask = (1U << o->n) - 1;
		return 0;
	}
	if (s == NULL || (op = pol_enum_parse(s, o->names, o->n)) < 0)
		return yerr(y, n, "unknown operation '%s'", s ? s : "");
	o->mask |= 1U << op;
	return 0;
}

/* operations: a list of names or "*"; none listed means all. */
static int
get_ops(struct yctx *y, const yaml_node_t *v, const char *const *names,
    int n, uint32_t *ops, int *all)
{
	struct opset	 o = { names, n, 0 };

	if (each_item(y, v, op_item, &o) == -1)
		return -1;
	if (o.mask == 0)
		o.mask = (1U << n) - 1;
	*ops = o.mask;
	*all = o.mask == (1U << n) - 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* file_rules */

static int
file_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_file_rule	*r = arg;
	int			 handled;

	if (common_field(y, &r->c, key, v, &handled) == -1)
		return -1;
	if (handled)
		return 0;
	if (strcmp(key, "paths") == 0)
		return get_strv(y, v, &r->paths);
	if (strcmp(key, "operations") == 0)
		return get_ops(y, v, pol_fileop_names, POL_OP_NFILEOPS,
		    &r->ops, &r->ops_all);
	if (strcmp(key, "redirect_to") == 0) {
		r->m_redirect = mark_of(v);
		return set_str(y, v, &r->redirect_to);
	}
	if (strcmp(key, "preserve_tree") == 0)
		return get_bool(y, v, &r->preserve_tree);
	return unknown_key(y, k, key);
}

static int
file_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_file_rule	*r = &y->pol->file[i];

	r->c.m_rule = mark_of(n);
	r->ops_all = 1;
	r->ops = (1U << POL_OP_NFILEOPS) - 1;
	y->pol->nfile = i + 1;
	if (each_pair(y, n, file_pair, r) == -1)
		return -1;
	return need_decision(y, n, &r->c);
}

/* ------------------------------------------------------------------ */
/* network_rules */

static int
port_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_net_rule	*r = arg;
	int64_t			 v;

	if (get_int(y, n, 0, 65535, &v) == -1)
		return -1;
	r->ports[i] = (int)v;
	r->m_ports[i] = mark_of(n);
	r->nports = i + 1;
	return 0;
}

static int
net_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_net_rule	*r = arg;
	int			 handled;
	size_t			 n;

	if (common_field(y, &r->c, key, v, &handled) == -1)
		return -1;
	if (handled)
		return 0;
	if (strcmp(key, "domains") == 0)
		return get_strv(y, v, &r->domains);
	if (strcmp(key, "cidrs") == 0)
		return get_strv(y, v, &r->cidrs);
	if (strcmp(key, "ports") == 0) {
		free(r->ports);
		free(r->m_ports);
		r->nports = 0;
		n = v->type == YAML_SEQUENCE_NODE ? (size_t)(
		    v->data.sequence.items.top - v->data.sequence.items.start)
		    : 0;
		r->ports = calloc(n + 1, sizeof(*r->ports));
		r->m_ports = calloc(n + 1, sizeof(*r->m_ports));
		if (r->ports == NULL || r->m_ports == NULL)
			return yerr(y, v, "out of memory");
		return each_item(y, v, port_item, r);
	}
	return unknown_key(y, k, key);
}

static int
net_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_net_rule	*r = &y->pol->net[i];

	r->c.m_rule = mark_of(n);
	y->pol->nnet = i + 1;
	if (each_pair(y, n, net_pair, r) == -1)
		return -1;
	return need_decision(y, n, &r->c);
}

/* ------------------------------------------------------------------ */
/* command_rules */

static int
ctx_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	int		*bits = arg;
	const char	*s;

	if (get_str(y, n, &s) == -1)
		return -1;
	if (s != NULL && strcmp(s, "direct") == 0)
		*bits |= 1;
	else if (s != NULL && strcmp(s, "nested") == 0)
		*bits |= 2;
	else
		return yerr(y, n, "unknown context value '%s' (direct or "
		    "nested)", s ? s : "");
	return 0;
}

static int
ctxmap_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_cmd_rule	*r = arg;
	int64_t			 x;

	if (strcmp(key, "min_depth") == 0) {
		if (get_int(y, v, 0, INT32_MAX, &x) == -1)
			return -1;
		r->min_depth = (int)x;
		return 0;
	}
	if (strcmp(key, "max_depth") == 0) {
		if (get_int(y, v, -1, INT32_MAX, &x) == -1)
			return -1;
		r->max_depth = (int)x;
		return 0;
	}
	return unknown_key(y, k, key);
}

static int
kv_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_kvv	*kv = arg;
	struct pol_mark	 m = mark_of(k);
	const char	*s;

	if (get_str(y, v, &s) == -1)
		return -1;
	if (pol_kvv_put(kv, key, s ? s : "", &m) == -1)
		return yerr(y, v, "out of memory");
	return 0;
}

static int
redir_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_cmd_rule	*r = arg;

	if (strcmp(key, "command") == 0)
		return set_str(y, v, &r->redir_command);
	if (strcmp(key, "args") == 0)
		return get_strv(y, v, &r->redir_args);
	if (strcmp(key, "args_append") == 0)
		return get_strv(y, v, &r->redir_args_append);
	if (strcmp(key, "environment") == 0) {
		struct pol_kvv	*kv = &r->redir_env;

		pol_kvv_clear(kv);
		if (is_null(v))
			return 0;
		return each_pair(y, v, kv_pair, kv);
	}
	return unknown_key(y, k, key);
}

static int
cmd_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_cmd_rule	*r = arg;
	int			 handled, bits = 0;

	if (common_field(y, &r->c, key, v, &handled) == -1)
		return -1;
	if (handled)
		return 0;
	if (strcmp(key, "commands") == 0)
		return get_strv(y, v, &r->commands);
	if (strcmp(key, "args_patterns") == 0) {
		struct pol_strv	 sv = { 0, NULL, NULL };

		if (get_strv(y, v, &sv) == -1) {
			pol_strv_clear(&sv);
			return -1;
		}
		pol_regexv_clear(&r->args);
		if ((r->args.v = calloc(sv.n + 1, sizeof(*r->args.v))) ==
		    NULL) {
			pol_strv_clear(&sv);
			return yerr(y, v, "out of memory");
		}
		for (size_t i = 0; i < sv.n; i++) {
			r->args.v[i].src = sv.v[i];
			r->args.v[i].m = sv.m[i];
			sv.v[i] = NULL;
		}
		r->args.n = sv.n;
		pol_strv_clear(&sv);
		return 0;
	}
	if (strcmp(key, "redirect_to") == 0) {
		r->m_redirect = mark_of(v);
		if (is_null(v))
			return 0;
		r->has_redirect = 1;
		if (each_pair(y, v, redir_pair, r) == -1)
			return -1;
		if (r->redir_command == NULL)
			return yerr(y, v, "command is required");
		return 0;
	}
	if (strcmp(key, "context") == 0) {
		r->m_context = mark_of(v);
		r->ctx_set = 1;
		r->min_depth = 0;
		r->max_depth = -1;
		if (v->type == YAML_MAPPING_NODE) {
			r->ctx_form = 0;
			if (each_pair(y, v, ctxmap_pair, r) == -1)
				return -1;
			if (r->max_depth != -1 && r->max_depth < r->min_depth)
				return yerr(y, v, "max_depth %d is less than "
				    "min_depth %d", r->max_depth,
				    r->min_depth);
			return 0;
		}
		r->ctx_form = 1;
		if (each_item(y, v, ctx_item, &bits) == -1)
			return -1;
		if (bits == 1)
			r->max_depth = 0;
		else if (bits == 2)
			r->min_depth = 1;
		return 0;
	}
	if (strcmp(key, "env_allow") == 0)
		return get_strv(y, v, &r->env_allow);
	if (strcmp(key, "env_deny") == 0)
		return get_strv(y, v, &r->env_deny);
	if (strcmp(key, "env_max_keys") == 0)
		return get_int(y, v, 0, INT32_MAX, &r->env_max_keys);
	if (strcmp(key, "env_max_bytes") == 0)
		return get_int(y, v, 0, INT32_MAX, &r->env_max_bytes);
	if (strcmp(key, "env_block_iteration") == 0) {
		if (get_bool(y, v, &bits) == -1)
			return -1;
		r->env_block_iteration = bits;
		return 0;
	}
	return unknown_key(y, k, key);
}

static int
cmd_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_cmd_rule	*r = &y->pol->cmd[i];

	r->c.m_rule = mark_of(n);
	r->max_depth = -1;
	r->env_block_iteration = -1;
	y->pol->ncmd = i + 1;
	if (each_pair(y, n, cmd_pair, r) == -1)
		return -1;
	return need_decision(y, n, &r->c);
}

/* ------------------------------------------------------------------ */
/* unix_socket_rules */

static int
unix_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_unix_rule	*r = arg;
	int			 handled;

	if (common_field(y, &r->c, key, v, &handled) == -1)
		return -1;
	if (handled)
		return 0;
	if (strcmp(key, "paths") == 0)
		return get_strv(y, v, &r->paths);
	if (strcmp(key, "operations") == 0)
		return get_ops(y, v, pol_unixop_names, POL_UOP_N, &r->ops,
		    &r->ops_all);
	return unknown_key(y, k, key);
}

static int
unix_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_unix_rule	*r = &y->pol->unx[i];

	r->c.m_rule = mark_of(n);
	r->ops_all = 1;
	r->ops = (1U << POL_UOP_N) - 1;
	y->pol->nunix = i + 1;
	if (each_pair(y, n, unix_pair, r) == -1)
		return -1;
	return need_decision(y, n, &r->c);
}

/* ------------------------------------------------------------------ */
/* signal_rules */

static int
target_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_sig_rule	*r = arg;

	if (strcmp(key, "type") == 0) {
		const char	*ts;
		enum pol_sigtarget st;

		if (get_str(y, v, &ts) == -1)
			return -1;
		if (ts == NULL || pol_sigtarget_parse(ts, &st) == -1)
			return yerr(y, v, "unknown target type '%s'",
			    ts ? ts : "");
		r->target = st;
		return 0;
	}
	if (strcmp(key, "pattern") == 0)
		return set_str(y, v, &r->pattern);
	if (strcmp(key, "min") == 0)
		return get_int(y, v, 0, INT32_MAX, &r->pid_min);
	if (strcmp(key, "max") == 0)
		return get_int(y, v, 0, INT32_MAX, &r->pid_max);
	return unknown_key(y, k, key);
}

static int
sig_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_sig_rule	*r = arg;
	int			 handled;

	if (common_field(y, &r->c, key, v, &handled) == -1)
		return -1;
	if (handled)
		return 0;
	if (strcmp(key, "signals") == 0)
		return get_strv(y, v, &r->signals);
	if (strcmp(key, "target") == 0) {
		r->m_target = mark_of(v);
		r->target = ST_N;
		if (each_pair(y, v, target_pair, r) == -1)
			return -1;
		if (r->target == ST_N)
			return yerr(y, v, "type is required");
		return 0;
	}
	if (strcmp(key, "redirect_to") == 0) {
		r->m_redirect = mark_of(v);
		return set_str(y, v, &r->redirect_to);
	}
	if (strcmp(key, "fallback") == 0) {
		r->m_fallback = mark_of(v);
		if (is_null(v))
			return 0;
		r->has_fallback = 1;
		return get_decision(y, v, &r->fallback);
	}
	return unknown_key(y, k, key);
}

static int
sig_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_sig_rule	*r = &y->pol->sig[i];

	r->c.m_rule = mark_of(n);
	r->target = ST_N;
	y->pol->nsig = i + 1;
	if (each_pair(y, n, sig_pair, r) == -1)
		return -1;
	if (r->target == ST_N)
		return yerr(y, n, "target is required");
	return need_decision(y, n, &r->c);
}

/* ------------------------------------------------------------------ */
/* dns_redirects, connect_redirects */

static int
dns_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_dns_redirect	*r = arg;

	if (strcmp(key, "name") == 0) {
		r->m_name = mark_of(v);
		return set_str(y, v, &r->name);
	}
	if (strcmp(key, "match") == 0) {
		r->match.m = mark_of(v);
		return set_str(y, v, &r->match.src);
	}
	if (strcmp(key, "resolve_to") == 0) {
		r->m_resolve = mark_of(v);
		return set_str(y, v, &r->resolve_to);
	}
	if (strcmp(key, "visibility") == 0)
		return get_enum(y, v, pol_visibility_names, VIS_N,
		    &r->visibility);
	if (strcmp(key, "on_failure") == 0)
		return get_enum(y, v, pol_onfail_names, OF_N, &r->on_failure);
	return unknown_key(y, k, key);
}

static int
dns_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_dns_redirect	*r = &y->pol->dns[i];

	r->m_rule = mark_of(n);
	r->visibility = r->on_failure = -1;
	y->pol->ndns = i + 1;
	return each_pair(y, n, dns_pair, r);
}

static int
tls_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_connect_redirect *r = arg;

	if (strcmp(key, "mode") == 0)
		return get_enum(y, v, pol_tls_names, TLS_N, &r->tls_mode);
	if (strcmp(key, "sni") == 0)
		return set_str(y, v, &r->sni);
	return unknown_key(y, k, key);
}

static int
conn_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_connect_redirect *r = arg;

	if (strcmp(key, "name") == 0) {
		r->m_name = mark_of(v);
		return set_str(y, v, &r->name);
	}
	if (strcmp(key, "match") == 0) {
		r->match.m = mark_of(v);
		return set_str(y, v, &r->match.src);
	}
	if (strcmp(key, "redirect_to") == 0) {
		r->m_redirect = mark_of(v);
		return set_str(y, v, &r->redirect_to);
	}
	if (strcmp(key, "redirect_to_unix") == 0)
		return unsupported_key(y, k);
	if (strcmp(key, "tls") == 0) {
		r->m_tls = mark_of(v);
		if (is_null(v))
			return 0;
		r->has_tls = 1;
		return each_pair(y, v, tls_pair, r);
	}
	if (strcmp(key, "visibility") == 0)
		return get_enum(y, v, pol_visibility_names, VIS_N,
		    &r->visibility);
	if (strcmp(key, "on_failure") == 0)
		return get_enum(y, v, pol_onfail_names, OF_N, &r->on_failure);
	if (strcmp(key, "message") == 0)
		return set_str(y, v, &r->message);
	return unknown_key(y, k, key);
}

static int
conn_item(struct yctx *y, const yaml_node_t *n, size_t i, void *arg)
{
	struct pol_connect_redirect *r = &y->pol->conn[i];

	r->m_rule = mark_of(n);
	r->visibility = r->on_failure = r->tls_mode = -1;
	y->pol->nconn = i + 1;
	return each_pair(y, n, conn_pair, r);
}

/* ------------------------------------------------------------------ */
/* resource_limits, audit, env_policy, transparent_commands */

static int
limits_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_limits	*l = arg;
	int64_t			 x;

	if (strcmp(key, "max_memory_mb") == 0)
		return get_int(y, v, 0, INT32_MAX, &l->max_memory_mb);
	if (strcmp(key, "memory_swap_max_mb") == 0)
		return get_int(y, v, 0, INT32_MAX, &l->memory_swap_max_mb);
	if (strcmp(key, "cpu_quota_percent") == 0)
		return get_int(y, v, 0, 100000, &l->cpu_quota_percent);
	if (strcmp(key, "pids_max") == 0)
		return get_int(y, v, 0, INT32_MAX, &l->pids_max);
	if (strcmp(key, "disk_read_bps_max") == 0)
		return get_int(y, v, 0, INT64_MAX, &l->disk_read_bps_max);
	if (strcmp(key, "disk_write_bps_max") == 0)
		return get_int(y, v, 0, INT64_MAX, &l->disk_write_bps_max);
	if (strcmp(key, "command_timeout") == 0)
		return get_duration(y, v, &l->command_timeout_ms);
	if (strcmp(key, "session_timeout") == 0)
		return get_duration(y, v, &l->session_timeout_ms);
	if (strcmp(key, "idle_timeout") == 0)
		return get_duration(y, v, &l->idle_timeout_ms);
	if (strcmp(key, "net_bandwidth_mbps") == 0) {
		/* 0 (no limit) is what we do anyway. */
		if (get_int(y, v, 0, INT32_MAX, &x) == -1)
			return -1;
		return x == 0 ? 0 : unsupported_key(y, k);
	}
	return unknown_key(y, k, key);
}

static int
audit_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_auditset	*a = arg;
	int			 b;

	if (strcmp(key, "log_allowed") == 0)
		return get_bool(y, v, &a->log_allowed);
	if (strcmp(key, "log_denied") == 0)
		return get_bool(y, v, &a->log_denied);
	if (strcmp(key, "log_approved") == 0)
		return get_bool(y, v, &a->log_approved);
	if (strcmp(key, "include_stdout") == 0)
		return get_bool(y, v, &a->include_stdout);
	if (strcmp(key, "include_stderr") == 0)
		return get_bool(y, v, &a->include_stderr);
	if (strcmp(key, "retention_days") == 0)
		return get_int(y, v, 0, 100000, &a->retention_days);
	if (strcmp(key, "include_file_content") == 0) {
		/* false is what we do anyway. */
		if (get_bool(y, v, &b) == -1)
			return -1;
		return b ? unsupported_key(y, k) : 0;
	}
	return unknown_key(y, k, key);
}

static int
env_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol_envpol	*e = arg;

	if (strcmp(key, "allow") == 0)
		return get_strv(y, v, &e->allow);
	if (strcmp(key, "deny") == 0)
		return get_strv(y, v, &e->deny);
	if (strcmp(key, "max_bytes") == 0)
		return get_int(y, v, 0, INT32_MAX, &e->max_bytes);
	if (strcmp(key, "max_keys") == 0)
		return get_int(y, v, 0, INT32_MAX, &e->max_keys);
	if (strcmp(key, "block_iteration") == 0)
		return get_bool(y, v, &e->block_iteration);
	return unknown_key(y, k, key);
}

static int
tc_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	struct pol	*p = arg;

	if (strcmp(key, "add") == 0)
		return get_strv(y, v, &p->tc_add);
	if (strcmp(key, "remove") == 0)
		return get_strv(y, v, &p->tc_remove);
	return unknown_key(y, k, key);
}

/* ------------------------------------------------------------------ */
/* Top level */

static size_t
list_len(const yaml_node_t *v)
{
	if (v->type != YAML_SEQUENCE_NODE)
		return 0;
	return (size_t)(v->data.sequence.items.top -
	    v->data.sequence.items.start);
}

#define ALLOC_RULES(field)					\
	do {								\
		if ((p->field = calloc(list_len(v) + 1,			\
		    sizeof(*p->field))) == NULL)			\
			return yerr(y, v, "out of memory");		\
	} while (0)

static int
top_pair(struct yctx *y, const char *key, const yaml_node_t *k,
    const yaml_node_t *v, void *arg)
{
	static const char *const unsupported[] = {
		"metadata", "registry_rules", "mcp_rules",
		"process_contexts", "process_identities", "package_rules",
		"providers", "services", "http_services", "db_services",
		"database_rules", "database_connection_rules", "policies",
	};
	struct pol	*p = y->pol;

	if (strcmp(key, "version") == 0)
		return get_int(y, v, 1, INT32_MAX, &p->version);
	if (strcmp(key, "name") == 0)
		return set_str(y, v, &p->name);
	if (strcmp(key, "description") == 0)
		return set_str(y, v, &p->description);
	if (strcmp(key, "file_rules") == 0) {
		ALLOC_RULES(file);
		return each_item(y, v, file_item, NULL);
	}
	if (strcmp(key, "network_rules") == 0) {
		ALLOC_RULES(net);
		return each_item(y, v, net_item, NULL);
	}
	if (strcmp(key, "command_rules") == 0) {
		ALLOC_RULES(cmd);
		return each_item(y, v, cmd_item, NULL);
	}
	if (strcmp(key, "unix_socket_rules") == 0) {
		ALLOC_RULES(unx);
		return each_item(y, v, unix_item, NULL);
	}
	if (strcmp(key, "signal_rules") == 0) {
		ALLOC_RULES(sig);
		return each_item(y, v, sig_item, NULL);
	}
	if (strcmp(key, "dns_redirects") == 0) {
		ALLOC_RULES(dns);
		return each_item(y, v, dns_item, NULL);
	}
	if (strcmp(key, "connect_redirects") == 0) {
		ALLOC_RULES(conn);
		return each_item(y, v, conn_item, NULL);
	}
	if (strcmp(key, "resource_limits") == 0) {
		p->has_limits = 1;
		if (is_null(v))
			return 0;
		return each_pair(y, v, limits_pair, &p->limits);
	}
	if (strcmp(key, "audit") == 0) {
		p->has_audit = 1;
		if (is_null(v))
			return 0;
		return each_pair(y, v, audit_pair, &p->audit);
	}
	if (strcmp(key, "env_policy") == 0) {
		p->has_env = 1;
		if (is_null(v))
			return 0;
		return each_pair(y, v, env_pair, &p->env);
	}
	if (strcmp(key, "env_inject") == 0) {
		if (is_null(v))
			return 0;
		return each_pair(y, v, kv_pair, &p->env_inject);
	}
	if (strcmp(key, "transparent_commands") == 0) {
		p->has_tc = 1;
		if (is_null(v))
			return 0;
		return each_pair(y, v, tc_pair, p);
	}
	for (size_t i = 0; i < nitems(unsupported); i++)
		if (strcmp(key, unsupported[i]) == 0)
			return unsupported_key(y, k);
	return unknown_key(y, k, key);
}

static void
defaults(struct pol *p)
{
	p->limits.max_memory_mb = p->limits.memory_swap_max_mb = -1;
	p->limits.cpu_quota_percent = p->limits.pids_max = -1;
	p->limits.disk_read_bps_max = p->limits.disk_write_bps_max = -1;
	p->limits.command_timeout_ms = p->limits.session_timeout_ms = -1;
	p->limits.idle_timeout_ms = -1;
	p->audit.log_allowed = p->audit.log_denied = -1;
	p->audit.log_approved = p->audit.include_stdout = -1;
	p->audit.include_stderr = -1;
	p->audit.retention_days = -1;
}

int
pol_yaml_parse(struct pol *p, const char *buf, size_t len,
    struct pol_err *err)
{
	yaml_parser_t	 parser;
	yaml_document_t	 doc, doc2;
	yaml_node_t	*root;
	struct yctx	 y;
	int		 rc = -1, have_doc = 0;

	defaults(p);
	memset(&y, 0, sizeof(y));
	y.pol = p;
	y.err = err;
	y.doc = &doc;
	if (!yaml_parser_initialize(&parser)) {
		pol_err_set(err, NULL, "", "out of memory");
		errno = ENOMEM;
		return -1;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)buf,
	    len);
	if (!yaml_parser_load(&parser, &doc)) {
		struct pol_mark	 m;

		m.line = (uint32_t)parser.problem_mark.line + 1;
		m.col = (uint32_t)parser.problem_mark.column + 1;
		pol_err_set(err, &m, "", "YAML: %s%s%s",
		    parser.problem ? parser.problem : "syntax error",
		    parser.context ? " " : "",
		    parser.context ? parser.context : "");
		errno = EINVAL;
		goto out;
	}
	have_doc = 1;
	if ((root = yaml_document_get_root_node(&doc)) == NULL) {
		pol_err_set(err, NULL, "", "empty policy");
		errno = EINVAL;
		goto out;
	}
	/* One document per file. */
	if (!yaml_parser_load(&parser, &doc2)) {
		struct pol_mark	 m;

		m.line = (uint32_t)parser.problem_mark.line + 1;
		m.col = (uint32_t)parser.problem_mark.column + 1;
		pol_err_set(err, &m, "", "YAML: %s",
		    parser.problem ? parser.problem : "syntax error");
		errno = EINVAL;
		goto out;
	}
	if (yaml_document_get_root_node(&doc2) != NULL) {
		yaml_document_delete(&doc2);
		pol_err_set(err, NULL, "", "more than one YAML document");
		errno = EINVAL;
		goto out;
	}
	yaml_document_delete(&doc2);
	if (root->type != YAML_MAPPING_NODE) {
		yerr(&y, root, "a policy is a mapping, got %s",
		    kind_name(root));
		goto out;
	}
	if (each_pair(&y, root, top_pair, NULL) == -1)
		goto out;
	if (p->version == 0) {
		yerr(&y, root, "version is required");
		goto out;
	}
	if (p->name == NULL) {
		yerr(&y, root, "name is required");
		goto out;
	}
	rc = 0;
 out:
	if (have_doc)
		yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return rc;
}
