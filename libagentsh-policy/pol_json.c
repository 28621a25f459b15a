/*
 * The JSON form of evaluation (CONTRACT.md section 3.4), shared by
 * `agentsh policy eval` and agentshd's POST /policy/test: one operation
 * object in, one decision object out.
 */
#include "compat.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "policy.h"


struct evalctx {
	const struct pol *pol;
	struct pol_ctx	 ctx;
};

/* Keys a request may have besides "op". */
static const char *
check_keys(json_t *o, const char *const *allowed)
{
	const char	*k;
	json_t		*v;

	json_object_foreach(o, k, v) {
		size_t	 i;

		if (strcmp(k, "op") == 0)
			continue;
		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(k, allowed[i]) == 0)
				break;
		if (allowed[i] == NULL)
			return k;
	}
	return NULL;
}

static const char *
str_of(json_t *o, const char *key)
{
	json_t	*v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int
bad_type(json_t *o, const char *key, int (*is)(const json_t *))
{
	json_t	*v = json_object_get(o, key);

	return v != NULL && !is(v);
}

static int
is_str(const json_t *v)
{
	return json_is_string(v);
}

static int
is_int(const json_t *v)
{
	return json_is_integer(v);
}

static int
is_bool(const json_t *v)
{
	return json_is_boolean(v);
}

static int
is_arr(const json_t *v)
{
	return json_is_array(v);
}

static json_t *
vjerr(const char *fmt, va_list ap)
{
	char	 buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	return json_pack("{s:s}", "error", buf);
}

/* {"error": "..."}: what is wrong with a request. */
json_t *
pol_json_error(const char *fmt, ...)
{
	json_t	*j;
	va_list	 ap;

	va_start(ap, fmt);
	j = vjerr(fmt, ap);
	va_end(ap);
	return j;
}

static json_t	*jerr(const char *, ...)
		    __attribute__((format(printf, 1, 2)));

static json_t *
jerr(const char *fmt, ...)
{
	json_t	*j;
	va_list	 ap;

	va_start(ap, fmt);
	j = vjerr(fmt, ap);
	va_end(ap);
	return j;
}

static json_t *
strv_json(const char *const *v, size_t n)
{
	json_t	*a = json_array();

	for (size_t i = 0; a != NULL && i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *
by_name(enum pol_by by)
{
	static const char *const names[] = {
		"command", "wrapper", "payload", "shell", "engine",
	};

	return (size_t)by < nitems(names) ? names[by] : "engine";
}

static json_t *
result_json(const struct pol_result *r, int exec)
{
	json_t	*o, *rd = NULL;
	char	 dur[64];

	o = json_pack("{s:s,s:s,s:s}", "decision",
	    pol_decision_name(r->decision), "effective_decision",
	    pol_decision_name(r->effective), "rule", r->rule);
	if (o == NULL)
		return NULL;
	if (r->message[0] != '\0')
		json_object_set_new(o, "message", json_string(r->message));
	if (r->decision == POL_APPROVE && r->timeout_ms > 0) {
		pol_duration_print(r->timeout_ms, dur, sizeof(dur));
		json_object_set_new(o, "timeout", json_string(dur));
	}
	switch (r->redirect) {
	case POL_REDIR_COMMAND: {
		json_t	*env = json_object();

		for (size_t i = 0; i < r->cmd->nenv; i++) {
			const char *e = r->cmd->env[i], *eq = strchr(e, '=');
			char	 k[256];

			snprintf(k, sizeof(k), "%.*s", (int)(eq - e), e);
			json_object_set_new(env, k, json_string(eq + 1));
		}
		rd = json_pack("{s:s,s:o,s:o,s:o}", "command",
		    r->cmd->command, "args", strv_json(r->cmd->args,
		    r->cmd->nargs), "args_append",
		    strv_json(r->cmd->args_append, r->cmd->nargs_append),
		    "environment", env);
		break;
	}
	case POL_REDIR_FILE:
		rd = json_pack("{s:s}", "path", r->path);
		break;
	case POL_REDIR_SIGNAL:
		rd = json_pack("{s:s}", "signal",
		    pol_signal_name(r->signal) ? pol_signal_name(r->signal) :
		    "?");
		break;
	case POL_REDIR_DNS:
		rd = json_pack("{s:s,s:s,s:s}", "resolve_to", r->addr,
		    "visibility", r->visibility, "on_failure", r->on_failure);
		break;
	case POL_REDIR_CONNECT:
		rd = json_pack("{s:s,s:{s:s,s:s},s:s,s:s}", "redirect_to",
		    r->addr, "tls", "mode", r->tls_mode, "sni", r->sni,
		    "visibility", r->visibility, "on_failure", r->on_failure);
		break;
	default:
		break;
	}
	if (rd != NULL)
		json_object_set_new(o, "redirect", rd);
	if (exec) {
		json_object_set_new(o, "decided_by",
		    json_string(by_name(r->by)));
		if (r->decider[0] != '\0')
			json_object_set_new(o, "decided_by_command",
			    json_string(r->decider));
		if (r->unwrapped) {
			json_object_set_new(o, "unwrapped_from",
			    json_string(r->unwrapped_from));
			json_object_set_new(o, "payload_command",
			    json_string(r->payload_command));
		}
		if (r->opaque)
			json_object_set_new(o, "opaque", json_true());
	}
	return o;
}

/* argv of an exec or env request; *argvp is malloc'd (strings not). */
static json_t *
get_argv(json_t *o, const char ***argvp, size_t *argcp)
{
	json_t		*a = json_object_get(o, "argv"), *v;
	const char	*cmd = str_of(o, "command");
	const char	**argv;
	size_t		 i, n;

	if (a == NULL && cmd != NULL) {
		if ((argv = calloc(2, sizeof(*argv))) == NULL)
			return NULL;
		argv[0] = cmd;
		*argvp = argv;
		*argcp = 1;
		return NULL;
	}
	if (!json_is_array(a) || (n = json_array_size(a)) == 0)
		return jerr("\"argv\" must be a non-empty array of strings");
	if ((argv = calloc(n + 1, sizeof(*argv))) == NULL)
		return NULL;
	json_array_foreach(a, i, v) {
		if (!json_is_string(v)) {
			free(argv);
			return jerr("\"argv\" must be a non-empty array of "
			    "strings");
		}
		argv[i] = json_string_value(v);
	}
	*argvp = argv;
	*argcp = n;
	return NULL;
}

static json_t *
eval_exec(struct evalctx *ec, json_t *o, struct pol_exec_req *x,
    struct pol_ctx *ctx)
{
	json_t		*e;
	const char	**argv = NULL, *op;
	size_t		 argc;

	if (bad_type(o, "path", is_str) || bad_type(o, "depth", is_int) ||
	    bad_type(o, "opaque", is_str) ||
	    bad_type(o, "execs_intercepted", is_bool) ||
	    bad_type(o, "command", is_str) || bad_type(o, "argv", is_arr))
		return jerr("a key has the wrong type");
	if ((e = get_argv(o, &argv, &argc)) != NULL)
		return e;
	memset(x, 0, sizeof(*x));
	x->path = str_of(o, "path");
	x->argv = argv;
	x->argc = argc;
	if (json_object_get(o, "depth") != NULL) {
		json_int_t d = json_integer_value(json_object_get(o, "depth"));

		if (d < 0 || d > INT_MAX) {
			free(argv);
			return jerr("\"depth\" must be >= 0");
		}
		x->depth = (int)d;
	}
	*ctx = ec->ctx;
	if ((op = str_of(o, "opaque")) != NULL &&
	    pol_opaque_parse(op, &ctx->opaque) == -1) {
		free(argv);
		return jerr("\"opaque\": enforce, deny, approve or allow");
	}
	if (json_object_get(o, "execs_intercepted") != NULL) {
		if (json_is_true(json_object_get(o, "execs_intercepted")))
			ctx->flags |= POL_CTX_EXEC_INTERCEPTED;
		else
			ctx->flags &= ~POL_CTX_EXEC_INTERCEPTED;
	}
	return NULL;
}

/* {"K":"V"} -> "K=V" strings; NULL-terminated, malloc'd. */
static json_t *
env_list(json_t *o, const char *key, char ***out)
{
	json_t		*m = json_object_get(o, key), *v;
	const char	*k;
	char		**l;
	size_t		 i = 0;

	*out = NULL;
	if (m == NULL)
		return NULL;
	if (!json_is_object(m))
		return jerr("\"%s\" must be an object of strings", key);
	if ((l = calloc(json_object_size(m) + 1, sizeof(*l))) == NULL)
		return NULL;
	json_object_foreach(m, k, v) {
		if (!json_is_string(v)) {
			for (size_t j = 0; j < i; j++)
				free(l[j]);
			free(l);
			return jerr("\"%s\" must be an object of strings",
			    key);
		}
		if (asprintf(&l[i++], "%s=%s", k, json_string_value(v)) == -1)
			return NULL;
	}
	*out = l;
	return NULL;
}

static void
env_list_free(char **l)
{
	if (l == NULL)
		return;
	for (size_t i = 0; l[i] != NULL; i++)
		free(l[i]);
	free(l);
}

static json_t *
eval_env(struct evalctx *ec, json_t *o)
{
	static const char *const keys[] = { "command", "argv", "path",
	    "depth", "env", "base", "inject", "opaque", "execs_intercepted",
	    NULL };
	struct pol_exec_req x;
	struct pol_env_req req;
	struct pol_result res;
	struct pol_env	 env;
	struct pol_ctx	 ctx;
	json_t		*out = NULL, *e, *m;
	char		**reqenv = NULL, **base = NULL, **inj = NULL;
	char		 msg[512];
	const char	*k;

	if ((k = check_keys(o, keys)) != NULL)
		return jerr("unknown key \"%s\"", k);
	if (json_object_get(o, "command") == NULL &&
	    json_object_get(o, "argv") == NULL)
		return jerr("\"command\" or \"argv\" is required");
	if ((e = eval_exec(ec, o, &x, &ctx)) != NULL)
		return e;
	if ((e = env_list(o, "env", &reqenv)) != NULL ||
	    (e = env_list(o, "base", &base)) != NULL ||
	    (e = env_list(o, "inject", &inj)) != NULL) {
		out = e;
		goto done;
	}
	pol_eval_exec(ec->pol, &ctx, &x, &res);
	memset(&req, 0, sizeof(req));
	req.base = (const char *const *)base;
	req.request = (const char *const *)reqenv;
	req.inject = (const char *const *)inj;
	req.exec = &x;
	if (pol_env_build(ec->pol, &req, &env, msg, sizeof(msg)) == -1) {
		if (errno != EINVAL)
			return NULL;
		/* The command fails: say which limit. */
		out = json_pack("{s:s,s:s,s:s,s:s}", "decision", "deny",
		    "effective_decision", "deny", "rule", "env-limits",
		    "message", msg);
		goto done;
	}
	out = result_json(&res, 1);
	m = json_object();
	for (size_t i = 0; i < env.n; i++) {
		char	*eq = strchr(env.env[i], '=');

		*eq = '\0';
		json_object_set_new(m, env.env[i], json_string(eq + 1));
		*eq = '=';
	}
	json_object_set_new(out, "env", m);
	if (env.block_iteration)
		json_object_set_new(out, "block_iteration", json_true());
	pol_env_clear(&env);
 done:
	free((void *)x.argv);
	env_list_free(reqenv);
	env_list_free(base);
	env_list_free(inj);
	return out;
}

/*
 * One operation of CONTRACT section 3.4 (a JSON object) evaluated against
 * a policy: the decision object, or {"error": ...} naming what is wrong
 * with the request.  NULL only when out of memory.
 */
json_t *
pol_eval_json(const struct pol *pol, const struct pol_ctx *pctx, json_t *o)
{
	struct evalctx	 ecs = { pol, *pctx }, *ec = &ecs;
	static const char *const file_keys[] = { "path", "operation", NULL };
	static const char *const exec_keys[] = { "argv", "command", "path",
	    "depth", "opaque", "execs_intercepted", NULL };
	static const char *const conn_keys[] = { "host", "ip", "port", NULL };
	static const char *const dns_keys[] = { "host", NULL };
	static const char *const sig_keys[] = { "signal", "target",
	    "target_pid", "target_comm", "cannot_block", NULL };
	static const char *const unix_keys[] = { "path", "operation", NULL };
	struct pol_result res;
	const char	*op = str_of(o, "op"), *k, *s;

	if (op == NULL)
		return jerr("\"op\" is required (file, exec, connect, dns, "
		    "signal, unix, env)");
	if (strcmp(op, "file") == 0) {
		enum pol_fileop fop;

		if ((k = check_keys(o, file_keys)) != NULL)
			return jerr("unknown key \"%s\"", k);
		if ((s = str_of(o, "path")) == NULL || s[0] != '/')
			return jerr("\"path\" (absolute) is required");
		if (str_of(o, "operation") == NULL ||
		    pol_fileop_parse(str_of(o, "operation"), &fop) == -1)
			return jerr("\"operation\" must be a file operation");
		pol_eval_file(ec->pol, s, fop, &res);
		return result_json(&res, 0);
	}
	if (strcmp(op, "exec") == 0) {
		struct pol_exec_req x;
		struct pol_ctx	 ctx;
		json_t		*e;

		if ((k = check_keys(o, exec_keys)) != NULL)
			return jerr("unknown key \"%s\"", k);
		if ((e = eval_exec(ec, o, &x, &ctx)) != NULL)
			return e;
		if (pol_eval_exec(ec->pol, &ctx, &x, &res) == -1 &&
		    errno == ENOMEM)
			return NULL;
		free((void *)x.argv);
		return result_json(&res, 1);
	}
	if (strcmp(op, "connect") == 0) {
		struct pol_connect_req c;
		json_int_t	 port;

		if ((k = check_keys(o, conn_keys)) != NULL)
			return jerr("unknown key \"%s\"", k);
		if (bad_type(o, "host", is_str) || bad_type(o, "ip", is_str) ||
		    !json_is_integer(json_object_get(o, "port")))
			return jerr("\"port\" (a number) is required; host "
			    "and ip are strings");
		port = json_integer_value(json_object_get(o, "port"));
		if (port < 0 || port > 65535)
			return jerr("\"port\" must be 0..65535");
		c.host = str_of(o, "host");
		c.ip = str_of(o, "ip");
		c.port = (int)port;
		if (c.host == NULL && c.ip == NULL)
			return jerr("\"host\" or \"ip\" is required");
		pol_eval_connect(ec->pol, &c, &res);
		return result_json(&res, 0);
	}
	if (strcmp(op, "dns") == 0) {
		if ((k = check_keys(o, dns_keys)) != NULL)
			return jerr("unknown key \"%s\"", k);
		if ((s = str_of(o, "host")) == NULL)
			return jerr("\"host\" is required");
		pol_eval_dns(ec->pol, s, &res);
		return result_json(&res, 0);
	}
	if (strcmp(op, "signal") == 0) {
		static const struct {
			const char	*name;
			unsigned int	 flags;
		} rel[] = {
			{ "self", POL_SIGT_SELF | POL_SIGT_IN_SESSION |
			    POL_SIGT_SAME_USER },
			{ "children", POL_SIGT_CHILD | POL_SIGT_DESCENDANT |
			    POL_SIGT_IN_SESSION | POL_SIGT_SAME_USER },
			{ "descendants", POL_SIGT_DESCENDANT |
			    POL_SIGT_IN_SESSION | POL_SIGT_SAME_USER },
			{ "siblings", POL_SIGT_SIBLING | POL_SIGT_IN_SESSION |
			    POL_SIGT_SAME_USER },
			{ "session", POL_SIGT_IN_SESSION | POL_SIGT_SAME_USER },
			{ "parent", POL_SIGT_PARENT | POL_SIGT_IN_SESSION |
			    POL_SIGT_SAME_USER },
			{ "external", 0 },
			{ "user", POL_SIGT_SAME_USER },
			{ "system", 0 },
		};
		struct pol_signal_req q;
		json_t		*sv = json_object_get(o, "signal");
		const char	*t;
		size_t		 i;

		if ((k = check_keys(o, sig_keys)) != NULL)
			return jerr("unknown key \"%s\"", k);
		memset(&q, 0, sizeof(q));
		if (json_is_integer(sv) && json_integer_value(sv) >= 1 &&
		    json_integer_value(sv) <= 64)
			q.signal = (int)json_integer_value(sv);
		else if (!json_is_string(sv) ||
		    pol_signal_parse(json_string_value(sv), &q.signal) == -1)
			return jerr("\"signal\" must be a signal name or "
			    "number");
		if (bad_type(o, "target", is_str) ||
		    bad_type(o, "target_pid", is_int) ||
		    bad_type(o, "target_comm", is_str) ||
		    bad_type(o, "cannot_block", is_bool))
			return jerr("a key has the wrong type");
		t = str_of(o, "target") ? str_of(o, "target") : "external";
		for (i = 0; i < nitems(rel); i++)
			if (strcmp(t, rel[i].name) == 0)
				break;
		if (i == nitems(rel))
			return jerr("\"target\": self, children, descendants, "
			    "siblings, session, parent, external, user or "
			    "system");
		q.target = rel[i].flags;
		q.target_pid = strcmp(t, "system") == 0 ? 1 : 0;
		if (json_object_get(o, "target_pid") != NULL)
			q.target_pid = (int)json_integer_value(
			    json_object_get(o, "target_pid"));
		q.target_comm = str_of(o, "target_comm");
		q.cannot_block = json_is_true(json_object_get(o,
		    "cannot_block"));
		pol_eval_signal(ec->pol, &q, &res);
		return result_json(&res, 0);
	}
	if (strcmp(op, "unix") == 0) {
		enum pol_unixop uop;

		if ((k = check_keys(o, unix_keys)) != NULL)
			return jerr("unknown key \"%s\"", k);
		if ((s = str_of(o, "path")) == NULL || s[0] == '\0')
			return jerr("\"path\" is required");
		if (str_of(o, "operation") == NULL ||
		    pol_unixop_parse(str_of(o, "operation"), &uop) == -1)
			return jerr("\"operation\": connect, bind, listen or "
			    "sendto");
		pol_eval_unix(ec->pol, s, uop, &res);
		return result_json(&res, 0);
	}
	if (strcmp(op, "env") == 0)
		return eval_env(ec, o);
	return jerr("unknown op \"%s\"", op);
}

