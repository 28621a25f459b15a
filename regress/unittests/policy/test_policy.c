/*
 * libagentsh-policy: the strict reader and its messages, globs at their
 * edges (and a hostile one), variables, templates, a decision table
 * across every family, defaults, first-match ordering, the compiled form
 * and its decoder, and the printer's round trip.  Ported cases are in
 * ported.c, commands in depth in exec_cases.c.
 */
#include "compat.h"

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pol_local.h"
#include "tpol.h"
#include "regress/unittests/common/ut_util.h"

int	 nported;

struct pol *
tload_err(const char *yaml, char *err, size_t errlen)
{
	struct pol_vars	*v = pol_vars_new();
	struct pol	*p;

	ck_assert_ptr_nonnull(v);
	pol_vars_set(v, "PROJECT_ROOT", "/ws");
	pol_vars_set(v, "WORKSPACE", "/ws");
	pol_vars_set(v, "HOME", "/home/u");
	p = pol_load_buf(yaml, strlen(yaml), "t.yaml", v, 0, err, errlen);
	pol_vars_free(v);
	return p;
}

struct pol *
tload(const char *yaml)
{
	char		 err[1024];
	struct pol	*p = tload_err(yaml, err, sizeof(err));

	ck_assert_msg(p != NULL, "load: %s", err);
	return p;
}

void
run_xcase(const struct pol *p, const struct xcase *c)
{
	struct pol_exec_req	 x;
	struct pol_result	 res;
	struct pol_ctx		 ctx;
	size_t			 n = 0;

	while (c->argv[n] != NULL)
		n++;
	memset(&x, 0, sizeof(x));
	x.path = c->path;
	x.argv = c->argv;
	x.argc = n;
	x.depth = c->depth;
	ctx.flags = c->intercepted ? POL_CTX_EXEC_INTERCEPTED : 0;
	ctx.opaque = c->mode;
	ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), 0);
	ck_assert_msg(res.decision == c->want, "%s: %s: got %s (rule %s, "
	    "%s), want %s", c->src ? c->src : "", c->argv[0],
	    pol_decision_name(res.decision), res.rule, res.message,
	    pol_decision_name(c->want));
	if (c->rule != NULL)
		ck_assert_msg(strcmp(res.rule, c->rule) == 0, "%s: %s: rule %s, "
		    "want %s", c->src ? c->src : "", c->argv[0], res.rule,
		    c->rule);
	if (c->payload != NULL && c->payload[0] == '\0')
		ck_assert_msg(!res.unwrapped, "%s: unwrapped to %s", c->src,
		    res.payload_command);
	else if (c->payload != NULL)
		ck_assert_msg(res.unwrapped && strcmp(res.payload_command,
		    c->payload) == 0, "%s: payload '%s', want '%s'", c->src,
		    res.payload_command, c->payload);
	if (c->src != NULL && strstr(c->src, "canyonroad/agentsh") != NULL)
		nported++;
}

int
tenv_has(const struct pol_env *e, const char *kv)
{
	for (size_t i = 0; i < e->n; i++)
		if (strcmp(e->env[i], kv) == 0)
			return 1;
	return 0;
}

void
run_xgroup(const struct xgroup *g)
{
	struct pol	*p = tload(g->yaml);

	for (size_t i = 0; i < g->n; i++)
		run_xcase(p, &g->cases[i]);
	pol_free(p);
}

/* ------------------------------------------------------------------ */
/* The reader: every error names file:line:col and the key path. */

static const struct {
	const char	*yaml;
	const char	*want;		/* substring of the message */
} bad[] = {
	{ "", "t.yaml: empty policy" },
	{ "version: 1\n", "t.yaml:1:1: name is required" },
	{ "name: x\n", "version is required" },
	{ "version: 0\nname: x\n", "t.yaml:1:10: version: 0 is out of range" },
	{ "version: one\nname: x\n", "version: expected an integer, got 'one'" },
	{ "version: \"1\"\nname: x\n", "version: expected an integer" },
	{ "version: 1\nname: x\nbogus: 1\n", "t.yaml:3:1: unknown key 'bogus'" },
	{ "version: 1\nname: x\nname: y\n", "t.yaml:3:1: name: duplicate key 'name'" },
	{ "version: 1\nname: x\nhttp_services: []\n",
	    "t.yaml:3:1: http_services: not supported yet" },
	{ "version: 1\nname: x\nregistry_rules: []\n",
	    "registry_rules: not supported yet" },
	{ "version: 1\nname: x\nfile_rules: {}\n",
	    "t.yaml:3:13: file_rules: expected a list, got a mapping" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [/a]\n"
	    "    decision: maybe\n",
	    "t.yaml:6:15: file_rules[0].decision: unknown decision 'maybe'" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [/a]\n"
	    "    operations: [read, frobnicate]\n    decision: deny\n",
	    "t.yaml:6:24: file_rules[0].operations[1]: unknown operation "
	    "'frobnicate'" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [/a]\n",
	    "t.yaml:4:5: file_rules[0]: decision is required" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [\"/a[\"]\n"
	    "    decision: deny\n",
	    "t.yaml:5:13: file_rules[0].paths[0]: '/a[': unclosed '['" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [\"/a{b\"]\n"
	    "    decision: deny\n", "unclosed '{'" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [\"/a\\\\\"]\n"
	    "    decision: deny\n", "pattern ends with '\\'" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [\"/[z-a]\"]\n"
	    "    decision: deny\n", "bad range 'z-a'" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [\"${NOPE}/x\"]\n"
	    "    decision: deny\n",
	    "t.yaml:5:13: file_rules[0].paths[0]: undefined variable ${NOPE}" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [\"${1X}\"]\n"
	    "    decision: deny\n", "bad variable name" },
	{ "version: 1\nname: x\nfile_rules:\n  - name: a\n    paths: [\"${X\"]\n"
	    "    decision: deny\n", "unclosed '${'" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: [/a], decision: deny}\n"
	    "  - {name: a, paths: [/b], decision: deny}\n",
	    "t.yaml:5:12: file_rules[1].name: duplicate rule name 'a' (also "
	    "file_rules[0])" },
	{ "version: 1\nname: x\nfile_rules:\n  - {paths: [/a], decision: deny}\n",
	    "t.yaml:4:5: file_rules[0]: name is required" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: [/a], decision: redirect}\n",
	    "file_rules[0].redirect_to: decision redirect needs redirect_to" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: [/a], decision: deny, redirect_to: /t}\n",
	    "redirect_to applies only to decision redirect" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: [/a], decision: deny, timeout: 5m}\n",
	    "file_rules[0].timeout: timeout applies only to decision approve" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: [/a], decision: approve, timeout: 5 minutes}\n",
	    "bad duration '5 minutes'" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: [/a], decision: deny, message: \"{{.Nope}}\"}\n",
	    "file_rules[0].message: bad template field" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: [/a], decision: absorb}\n",
	    "decision 'absorb' is not allowed here" },
	{ "version: 1\nname: x\nnetwork_rules:\n  - {name: a, cidrs: [10.0.0.0], decision: deny}\n",
	    "t.yaml:4:23: network_rules[0].cidrs[0]: bad CIDR '10.0.0.0'" },
	{ "version: 1\nname: x\nnetwork_rules:\n  - {name: a, ports: [70000], decision: deny}\n",
	    "network_rules[0].ports[0]: 70000 is out of range" },
	{ "version: 1\nname: x\nnetwork_rules:\n  - {name: a, domains: [\"*.{a\"], decision: deny}\n",
	    "network_rules[0].domains[0]" },
	{ "version: 1\nname: x\ncommand_rules:\n  - {name: a, commands: [x], args_patterns: [\"(\"], decision: deny}\n",
	    "t.yaml:4:46: command_rules[0].args_patterns[0]: bad regular "
	    "expression '('" },
	{ "version: 1\nname: x\ncommand_rules:\n  - name: a\n    decision: deny\n"
	    "    context:\n      min_depth: x\n",
	    "t.yaml:7:18: command_rules[0].context.min_depth: expected an "
	    "integer, got 'x'" },
	{ "version: 1\nname: x\ncommand_rules:\n  - name: a\n    decision: deny\n"
	    "    context: {min_depth: 3, max_depth: 1}\n",
	    "max_depth 1 is less than min_depth 3" },
	{ "version: 1\nname: x\ncommand_rules:\n  - {name: a, decision: redirect}\n",
	    "decision redirect needs redirect_to" },
	{ "version: 1\nname: x\ncommand_rules:\n  - {name: a, decision: redirect, redirect_to: {args: [x]}}\n",
	    "command is required" },
	{ "version: 1\nname: x\ncommand_rules:\n  - {name: a, decision: soft_delete}\n",
	    "decision 'soft_delete' is not allowed here" },
	{ "version: 1\nname: x\ncommand_rules:\n  - {name: a, decision: deny, env_max_keys: -1}\n",
	    "command_rules[0].env_max_keys: -1 is out of range" },
	{ "version: 1\nname: x\nunix_socket_rules:\n  - {name: a, decision: deny}\n",
	    "unix_socket_rules[0].paths: at least one path is required" },
	{ "version: 1\nname: x\nunix_socket_rules:\n  - {name: a, paths: [/s], operations: [open], decision: deny}\n",
	    "unknown operation 'open'" },
	{ "version: 1\nname: x\nsignal_rules:\n  - {name: a, signals: [SIGNOPE], target: {type: self}, decision: deny}\n",
	    "signal_rules[0].signals[0]: unknown signal 'SIGNOPE'" },
	{ "version: 1\nname: x\nsignal_rules:\n  - {name: a, signals: [KILL], decision: deny}\n",
	    "target is required" },
	{ "version: 1\nname: x\nsignal_rules:\n  - {name: a, signals: [KILL], target: {type: process}, decision: deny}\n",
	    "pattern goes with type process" },
	{ "version: 1\nname: x\nsignal_rules:\n  - {name: a, signals: [KILL], target: {type: pid_range, min: 5, max: 2}, decision: deny}\n",
	    "go with type pid_range" },
	{ "version: 1\nname: x\nsignal_rules:\n  - {name: a, signals: [KILL], target: {type: self}, decision: redirect}\n",
	    "redirect_to (a signal) goes with decision redirect" },
	{ "version: 1\nname: x\ndns_redirects:\n  - {name: a, match: x, resolve_to: nope}\n",
	    "dns_redirects[0].resolve_to: an IP address is required" },
	{ "version: 1\nname: x\ndns_redirects:\n  - {name: a, match: \"[\", resolve_to: 1.2.3.4}\n",
	    "dns_redirects[0].match: bad regular expression" },
	{ "version: 1\nname: x\ndns_redirects:\n  - {name: a, match: x, resolve_to: 1.2.3.4, visibility: loud}\n",
	    "dns_redirects[0].visibility: unknown value 'loud'" },
	{ "version: 1\nname: x\nconnect_redirects:\n  - {name: a, match: x, redirect_to: nowhere}\n",
	    "connect_redirects[0].redirect_to: host:port is required" },
	{ "version: 1\nname: x\nconnect_redirects:\n  - {name: a, match: x, redirect_to: \"h:1\", tls: {mode: rewrite_sni}}\n",
	    "sni goes with mode rewrite_sni" },
	{ "version: 1\nname: x\nconnect_redirects:\n  - {name: a, match: x, redirect_to_unix: /s}\n",
	    "redirect_to_unix: not supported yet" },
	{ "version: 1\nname: x\nresource_limits: {pids_max: many}\n",
	    "resource_limits.pids_max: expected an integer" },
	{ "version: 1\nname: x\nresource_limits: {net_bandwidth_mbps: 10}\n",
	    "resource_limits.net_bandwidth_mbps: not supported yet" },
	{ "version: 1\nname: x\nresource_limits: {command_timeout: forever}\n",
	    "bad duration 'forever'" },
	{ "version: 1\nname: x\naudit: {log_allowed: perhaps}\n",
	    "audit.log_allowed: expected true or false" },
	{ "version: 1\nname: x\naudit: {include_file_content: true}\n",
	    "include_file_content: not supported yet" },
	{ "version: 1\nname: x\nenv_policy: {allow: \"PATH\"}\n",
	    "env_policy.allow: expected a list, got a scalar" },
	{ "version: 1\nname: x\nenv_policy: {max_keys: 1.5}\n",
	    "expected an integer" },
	{ "version: 1\nname: x\nenv_inject: [a]\n",
	    "env_inject: expected a mapping, got a list" },
	{ "version: 1\nname: x\nenv_inject: {\"A=B\": c}\n",
	    "env_inject.A=B: bad environment name" },
	{ "version: 1\nname: x\ntransparent_commands: {add: [/bin/x]}\n",
	    "transparent_commands.add[0]: a command name (no '/') is required" },
	{ "version: 1\nname: x\ntransparent_commands: {insert: [x]}\n",
	    "unknown key 'insert'" },
	{ "version: 1\nname: \"a\\0b\"\n", "string contains a NUL byte" },
	{ "version: 1\nname: !!binary aGk=\n", "unsupported tag" },
	{ "version: 1\nname: x\n---\nversion: 2\n", "more than one YAML document" },
	{ "version: 1\nname: [x\n", "YAML: " },
	{ "- a\n- b\n", "a policy is a mapping, got a list" },
	{ "version: 1\nname: x\nfile_rules:\n  - {name: a, paths: &p [/a], decision: deny}\n"
	    "  - {name: b, paths: *p, decision: deny, 5: x}\n",
	    "file_rules[1]: unknown key '5'" },
};

START_TEST(test_yaml_errors)
{
	char		 err[1024];
	struct pol	*p;

	for (size_t i = 0; i < nitems(bad); i++) {
		err[0] = '\0';
		p = tload_err(bad[i].yaml, err, sizeof(err));
		ck_assert_msg(p == NULL, "case %zu loaded: %s", i, bad[i].yaml);
		ck_assert_msg(strstr(err, bad[i].want) != NULL,
		    "case %zu: got '%s', want '%s'", i, err, bad[i].want);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

/* An alias bomb is bounded, not followed forever. */
START_TEST(test_yaml_alias_bomb)
{
	char		 err[512];
	const char	*y = "version: 1\nname: x\n"
	    "a: &a [x, x, x, x, x, x, x, x]\n"
	    "b: &b [*a, *a, *a, *a, *a, *a, *a, *a]\n"
	    "c: &c [*b, *b, *b, *b, *b, *b, *b, *b]\n"
	    "d: &d [*c, *c, *c, *c, *c, *c, *c, *c]\n"
	    "file_rules: [*d, *d, *d, *d, *d, *d, *d, *d]\n";

	ck_assert_ptr_null(tload_err(y, err, sizeof(err)));
}
END_TEST

START_TEST(test_yaml_accepts)
{
	struct pol	*p;
	struct pol_limits l;
	struct pol_audit a;

	/* Keys the contract names, every family, in one policy. */
	p = tload("version: 1\nname: all\ndescription: everything\n"
	    "file_rules:\n  - name: f\n    description: d\n    paths: [/a]\n"
	    "    operations: [READ, Write]\n    decision: Allow\n"
	    "  - {name: r, paths: [/b], decision: redirect, redirect_to: /t,\n"
	    "     preserve_tree: yes}\n"
	    "network_rules:\n  - {name: n, domains: [x.com], ports: [443],\n"
	    "     cidrs: [10.0.0.0/8], decision: deny, message: m}\n"
	    "command_rules:\n  - name: c\n    commands: [x]\n"
	    "    args_patterns: [a]\n    decision: redirect\n"
	    "    redirect_to: {command: y, args: [--a], args_append: [z],\n"
	    "                  environment: {K: V}}\n"
	    "    context: [direct]\n    env_allow: [A]\n    env_deny: [B]\n"
	    "    env_max_keys: 3\n    env_max_bytes: 100\n"
	    "    env_block_iteration: true\n"
	    "unix_socket_rules:\n  - {name: u, paths: [\"@abs\"],\n"
	    "     operations: [connect], decision: deny}\n"
	    "signal_rules:\n  - {name: s, signals: [\"@all\"], target: {type: self},\n"
	    "     decision: audit, fallback: allow}\n"
	    "dns_redirects:\n  - {name: d, match: x, resolve_to: \"::1\",\n"
	    "     visibility: silent, on_failure: fail_open}\n"
	    "connect_redirects:\n  - {name: cr, match: x, redirect_to: \"h:1\",\n"
	    "     tls: {mode: rewrite_sni, sni: s}, visibility: warn,\n"
	    "     on_failure: retry_original, message: m}\n"
	    "resource_limits: {max_memory_mb: 1, memory_swap_max_mb: 0,\n"
	    "  cpu_quota_percent: 50, pids_max: 9, disk_read_bps_max: 1,\n"
	    "  disk_write_bps_max: 2, command_timeout: 5m, session_timeout: 1h,\n"
	    "  idle_timeout: 90s, net_bandwidth_mbps: 0}\n"
	    "env_policy: {allow: [A], deny: [B], max_bytes: 10, max_keys: 2,\n"
	    "  block_iteration: false}\n"
	    "env_inject: {BASH_ENV: /x}\n"
	    "transparent_commands: {add: [w], remove: [sudo]}\n"
	    "audit: {log_allowed: false, log_denied: true, log_approved: true,\n"
	    "  include_stdout: true, include_stderr: false, retention_days: 7,\n"
	    "  include_file_content: false}\n");
	ck_assert_str_eq(pol_name(p), "all");
	ck_assert_str_eq(pol_description(p), "everything");
	pol_get_limits(p, &l);
	ck_assert_int_eq(l.max_memory_mb, 1);
	ck_assert_int_eq(l.memory_swap_max_mb, 0);
	ck_assert_int_eq(l.pids_max, 9);
	ck_assert_int_eq(l.command_timeout_ms, 300000);
	ck_assert_int_eq(l.idle_timeout_ms, 90000);
	pol_get_audit(p, &a);
	ck_assert_int_eq(a.log_allowed, 0);
	ck_assert_int_eq(a.include_stdout, 1);
	ck_assert_int_eq(a.retention_days, 7);
	pol_free(p);

	/* Defaults of settings not written. */
	p = tload("version: 1\nname: x\n");
	pol_get_audit(p, &a);
	ck_assert_int_eq(a.log_allowed, 1);
	ck_assert_int_eq(a.include_stderr, 0);
	pol_get_limits(p, &l);
	ck_assert_int_eq(l.memory_swap_max_mb, -1);
	ck_assert_int_eq(l.pids_max, 0);
	pol_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Globs */

static int
gm(const char *pat, int sep, int fold, const char *s)
{
	char		 err[256];
	struct pol_glob	*g = pol_glob_compile(pat, sep, fold, err, sizeof(err));
	int		 r;

	ck_assert_msg(g != NULL, "%s: %s", pat, err);
	r = pol_glob_match(g, s, strlen(s));
	pol_glob_free(g);
	return r;
}

START_TEST(test_glob_edges)
{
	static const struct {
		const char	*pat, *s;
		int		 sep, want;
	} t[] = {
		{ "/lib/**", "/lib", '/', 0 },		/* ** is not the dir */
		{ "/lib/**", "/lib/", '/', 1 },
		{ "/lib/**", "/lib/x/y/z", '/', 1 },
		{ "/lib", "/lib/", '/', 0 },		/* trailing slash */
		{ "/lib/", "/lib", '/', 0 },
		{ "/lib/*", "/lib/a", '/', 1 },
		{ "/lib/*", "/lib/a/b", '/', 0 },	/* * stops at / */
		{ "/lib/*", "/lib/", '/', 1 },
		{ "**/.env", "/ws/.env", '/', 1 },	/* ** at the start */
		{ "**/.env", "/.env", '/', 1 },
		{ "**/.env", "/ws/a.env", '/', 0 },
		{ "**/.env.*", "/a/.env.local", '/', 1 },
		{ "/ws/*", "/ws/.hidden", '/', 1 },	/* dotfiles: no rule */
		{ "/ws/**/*.go", "/ws/a/b/c.go", '/', 1 },
		{ "/ws/**/*.go", "/ws/c.go", '/', 0 },	/* ** / needs a / */
		{ "/ws/**.go", "/ws/c.go", '/', 1 },
		{ "/WS/a", "/ws/a", '/', 0 },		/* case matters */
		{ "/a?c", "/abc", '/', 1 },
		{ "/a?c", "/a/c", '/', 0 },		/* ? is not / */
		{ "/[abc]x", "/bx", '/', 1 },
		{ "/[!abc]x", "/bx", '/', 0 },
		{ "/[^abc]x", "/dx", '/', 1 },
		{ "/[a-c]x", "/cx", '/', 1 },
		{ "/[]]x", "/]x", '/', 1 },
		{ "/x[/]y", "/x/y", '/', 0 },		/* a class never matches / */
		{ "/{a,b}/x", "/b/x", '/', 1 },
		{ "/{a,b}/x", "/c/x", '/', 0 },
		{ "/{a,{b,c}}/x", "/c/x", '/', 1 },	/* nested */
		{ "/{,x}y", "/y", '/', 1 },		/* empty alternative */
		{ "/a\\*b", "/a*b", '/', 1 },		/* escapes */
		{ "/a\\*b", "/axb", '/', 0 },
		{ "/a\\{b", "/a{b", '/', 1 },
		{ "**", "/anything/at/all", '/', 1 },
		{ "*", "a/b", 0, 1 },			/* no separator */
		{ "*.github.com", "api.github.com", '.', 1 },
		{ "*.github.com", "a.b.github.com", '.', 0 },	/* one label */
		{ "*.github.com", "github.com", '.', 0 },
		{ "**.github.com", "a.b.github.com", '.', 1 },
		{ "*", "localhost", '.', 1 },
		{ "*", "example.com", '.', 0 },
		{ "", "", '/', 1 },
		{ "/a*b*c", "/abbbbbbc", '/', 1 },
	};

	for (size_t i = 0; i < nitems(t); i++)
		ck_assert_msg(gm(t[i].pat, t[i].sep, 0, t[i].s) == t[i].want,
		    "%s vs %s: want %d", t[i].pat, t[i].s, t[i].want);
	/* Folded globs match lowercased input. */
	ck_assert_int_eq(gm("Python*", 0, 1, "python3"), 1);
	ck_assert_int_eq(gm("[A-C]x", 0, 1, "bx"), 1);
}
END_TEST

START_TEST(test_glob_errors)
{
	static const char *const badp[] = {
		"/a[", "/a{b", "/a{b,c", "/a\\", "/[z-a]", "/[]", "/[!]",
	};
	char	 err[256], *big;

	for (size_t i = 0; i < nitems(badp); i++)
		ck_assert_msg(pol_glob_compile(badp[i], '/', 0, err,
		    sizeof(err)) == NULL, "%s compiled", badp[i]);
	/* Too many alternatives: refused, not expanded. */
	ck_assert_ptr_null(pol_glob_compile("{a,b}{a,b}{a,b}{a,b}{a,b}"
	    "{a,b}{a,b}{a,b}{a,b}", '/', 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "alternatives"));
	big = malloc(POL_GLOB_MAXLEN + 2);
	memset(big, 'a', POL_GLOB_MAXLEN + 1);
	big[POL_GLOB_MAXLEN + 1] = '\0';
	ck_assert_ptr_null(pol_glob_compile(big, '/', 0, err, sizeof(err)));
	free(big);
}
END_TEST

/*
 * A pattern that sends a backtracking matcher into exponential time.  The
 * NFA's cost is length x tokens: a few hundred thousand steps.  Counted
 * work, not time: the test says nothing about the machine.
 */
START_TEST(test_glob_hostile)
{
	char		 pat[256], s[4096], err[256];
	struct pol_glob	*g;
	size_t		 n = 0;

	for (int i = 0; i < 40; i++) {
		pat[n++] = '*';
		pat[n++] = 'a';
	}
	pat[n++] = 'b';
	pat[n] = '\0';
	memset(s, 'a', sizeof(s) - 1);
	s[sizeof(s) - 1] = '\0';
	ck_assert_ptr_nonnull(g = pol_glob_compile(pat, '/', 0, err,
	    sizeof(err)));
	/* A backtracking matcher would not finish this in our lifetime. */
	for (int i = 0; i < 10; i++)
		ck_assert_int_eq(pol_glob_match(g, s, strlen(s)), 0);
	pol_glob_free(g);
	ck_assert_ptr_nonnull(g = pol_glob_compile("**a**a**a**a**a**a**a**"
	    "a**a**a**a**a**b", '/', 0, err, sizeof(err)));
	ck_assert_int_eq(pol_glob_match(g, s, strlen(s)), 0);
	pol_glob_free(g);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Variables and templates */

START_TEST(test_vars)
{
	static const char yv[] = "version: 1\nname: t\nfile_rules:\n"
	    "  - {name: a, paths: [\"${PROJECT_ROOT}/**\", \"${NOPE:-/tmp}/*\"],\n"
	    "     decision: allow}\n";
	struct pol_vars	*v = pol_vars_new();
	struct pol	*p;
	struct pol_result res;
	char		 err[512], *x;

	ck_assert_int_eq(pol_vars_set(v, "1BAD", "x"), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pol_vars_set(v, "PROJECT_ROOT", "/w[1]"), 0);
	ck_assert_int_eq(pol_vars_set(v, "PROJECT_ROOT", "/w[1]{a,b}"), 0);
	ck_assert_str_eq(pol_vars_get(v, "PROJECT_ROOT"), "/w[1]{a,b}");
	/* Values are literal in globs. */
	x = pol_vars_expand(v, "${PROJECT_ROOT}/**", 1, err, sizeof(err));
	ck_assert_str_eq(x, "/w\\[1\\]\\{a\\,b\\}/**");
	free(x);
	p = pol_load_buf(yv, 0, "t.yaml", v, 0, err, sizeof(err));
	ck_assert_ptr_null(p);	/* nothing: an empty policy */
	p = pol_load_buf(yv, strlen(yv), "t.yaml", v, 0, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	pol_eval_file(p, "/w[1]{a,b}/f", POL_OP_WRITE, &res);
	ck_assert_str_eq(res.rule, "a");
	pol_eval_file(p, "/w1/f", POL_OP_WRITE, &res);
	ck_assert_str_eq(res.rule, "default-deny-files");
	pol_eval_file(p, "/tmp/f", POL_OP_WRITE, &res);
	ck_assert_str_eq(res.rule, "a");
	pol_free(p);
	/* The process environment is never consulted. */
	setenv("AGENTSH_TEST_ONLY_ENV", "/x", 1);
	ck_assert_ptr_null(pol_vars_expand(v, "${AGENTSH_TEST_ONLY_ENV}", 0,
	    err, sizeof(err)));
	pol_vars_free(v);
}
END_TEST

START_TEST(test_detect_roots)
{
	char	 tmpl[] = "/tmp/poltest.XXXXXX", path[512], err[256];
	char	*proj, *git;

	ck_assert_ptr_nonnull(mkdtemp(tmpl));
	snprintf(path, sizeof(path), "%s/repo", tmpl);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/repo/.git", tmpl);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/repo/sub", tmpl);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/repo/sub/go.mod", tmpl);
	fclose(fopen(path, "w"));
	snprintf(path, sizeof(path), "%s/repo/sub/pkg", tmpl);
	ck_assert_int_eq(mkdir(path, 0700), 0);
	ck_assert_int_eq(pol_detect_roots(path, NULL, &proj, &git, err,
	    sizeof(err)), 0);
	/* The nearest language marker; git root above it. */
	snprintf(path, sizeof(path), "%s/repo/sub", tmpl);
	ck_assert_str_eq(proj, path);
	snprintf(path, sizeof(path), "%s/repo", tmpl);
	ck_assert_str_eq(git, path);
	free(proj);
	free(git);
	/* No marker: the workspace itself, no GIT_ROOT. */
	ck_assert_int_eq(pol_detect_roots(tmpl, NULL, &proj, &git, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(proj, tmpl);
	ck_assert_ptr_null(git);
	free(proj);
	ck_assert_int_eq(pol_detect_roots("/nonexistent/x", NULL, &proj, &git,
	    err, sizeof(err)), -1);
	ck_assert_int_eq(ut_rmtree(tmpl), 0);
}
END_TEST

START_TEST(test_templates)
{
	struct pol	*p;
	struct pol_result res;
	struct pol_connect_req c = { "Api.Example.COM.", "1.2.3.4", 443 };
	const char	*argv[] = { "curl", "-s", "http://x", NULL };
	struct pol_exec_req x = { NULL, argv, 3, 0 };

	p = tload("version: 1\nname: t\nfile_rules:\n"
	    "  - {name: f, paths: [\"/ws/**\"], decision: approve, timeout: 90s,\n"
	    "     message: \"{{.Operation}} {{ .Path }}?\"}\n"
	    "network_rules:\n"
	    "  - {name: n, ports: [443], decision: approve,\n"
	    "     message: \"{{.Domain}} {{.RemoteAddr}}:{{.RemotePort}}\"}\n"
	    "command_rules:\n"
	    "  - {name: c, commands: [curl], decision: deny,\n"
	    "     message: \"no {{.Command}} {{.Args}} {{.Path}}\"}\n");
	pol_eval_file(p, "/ws/a b", POL_OP_DELETE, &res);
	ck_assert_str_eq(res.message, "delete /ws/a b?");
	ck_assert_int_eq(res.timeout_ms, 90000);
	ck_assert_int_eq(res.effective, POL_APPROVE);
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.message, "api.example.com 1.2.3.4:443");
	pol_eval_exec(p, NULL, &x, &res);
	ck_assert_str_eq(res.message, "no curl -s http://x ");
	pol_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* A decision table across the families, defaults and ordering. */

static const char table_yaml[] =
    "version: 1\nname: table\n"
    "file_rules:\n"
    "  - {name: deny-ssh, paths: [\"${HOME}/.ssh/**\"], operations: [\"*\"],\n"
    "     decision: deny}\n"
    "  - {name: ws-read, paths: [\"${PROJECT_ROOT}\", \"${PROJECT_ROOT}/**\"],\n"
    "     operations: [read, open, stat, list], decision: allow}\n"
    "  - {name: ws-write, paths: [\"${PROJECT_ROOT}/**\"],\n"
    "     operations: [write, create, mkdir], decision: audit}\n"
    "  - {name: ws-delete, paths: [\"${PROJECT_ROOT}/**\"],\n"
    "     operations: [delete], decision: soft_delete}\n"
    "  - {name: scratch, paths: [\"/etc/**\"], operations: [write],\n"
    "     decision: redirect, redirect_to: \"${PROJECT_ROOT}/.scratch\"}\n"
    "  - {name: scratch-tree, paths: [\"/opt/**\"], operations: [write],\n"
    "     decision: redirect, redirect_to: /s/, preserve_tree: true}\n"
    "  - {name: never-reached, paths: [\"${PROJECT_ROOT}/**\"],\n"
    "     operations: [write], decision: deny}\n"
    "network_rules:\n"
    "  - {name: gh, domains: [github.com, \"*.github.com\"], ports: [443],\n"
    "     decision: allow}\n"
    "  - {name: private, cidrs: [10.0.0.0/8, \"fc00::/7\"], decision: deny}\n"
    "  - {name: https, ports: [443], decision: approve}\n"
    "unix_socket_rules:\n"
    "  - {name: docker, paths: [/var/run/docker.sock], decision: deny}\n"
    "  - {name: abstract, paths: [\"@dbus*\"], operations: [connect],\n"
    "     decision: allow}\n"
    "signal_rules:\n"
    "  - {name: kill-to-term, signals: [SIGKILL], target: {type: children},\n"
    "     decision: redirect, redirect_to: SIGTERM}\n"
    "  - {name: own, signals: [\"@all\"], target: {type: session},\n"
    "     decision: allow}\n"
    "dns_redirects:\n"
    "  - {name: pin, match: \"^api\\\\.internal$\", resolve_to: 10.1.1.1}\n"
    "connect_redirects:\n"
    "  - {name: proxy, match: \"^pypi\\\\.org:443$\", redirect_to: \"mirror:8443\",\n"
    "     tls: {mode: rewrite_sni, sni: mirror}}\n";

START_TEST(test_decision_table)
{
	static const struct {
		const char	*path;
		enum pol_fileop	 op;
		enum pol_decision want, eff;
		const char	*rule;
	} f[] = {
		{ "/home/u/.ssh/id_rsa", POL_OP_READ, POL_DENY, POL_DENY, "deny-ssh" },
		{ "/ws", POL_OP_LIST, POL_ALLOW, POL_ALLOW, "ws-read" },
		{ "/ws/a.c", POL_OP_WRITE, POL_AUDIT, POL_ALLOW, "ws-write" },
		{ "/ws/a.c", POL_OP_DELETE, POL_SOFT_DELETE, POL_ALLOW, "ws-delete" },
		{ "/ws/a.c", POL_OP_CHMOD, POL_DENY, POL_DENY, "default-deny-files" },
		{ "/ws", POL_OP_WRITE, POL_DENY, POL_DENY, "default-deny-files" },
		{ "/elsewhere", POL_OP_READLINK, POL_ALLOW, POL_ALLOW, "default-allow-reads" },
		{ "/elsewhere", POL_OP_ACCESS, POL_ALLOW, POL_ALLOW, "default-allow-reads" },
		{ "/elsewhere", POL_OP_MKNOD, POL_DENY, POL_DENY, "default-deny-files" },
		{ "/etc/passwd", POL_OP_WRITE, POL_REDIRECT, POL_REDIRECT, "scratch" },
	};
	struct pol		*p = tload(table_yaml);
	struct pol_result	 res;
	struct pol_connect_req	 c;
	struct pol_signal_req	 q;

	for (size_t i = 0; i < nitems(f); i++) {
		pol_eval_file(p, f[i].path, f[i].op, &res);
		ck_assert_msg(res.decision == f[i].want && res.effective ==
		    f[i].eff && strcmp(res.rule, f[i].rule) == 0,
		    "%s %s: %s/%s/%s", pol_fileop_name(f[i].op), f[i].path,
		    pol_decision_name(res.decision),
		    pol_decision_name(res.effective), res.rule);
	}
	pol_eval_file(p, "/etc/passwd", POL_OP_WRITE, &res);
	ck_assert_int_eq(res.redirect, POL_REDIR_FILE);
	ck_assert_str_eq(res.path, "/ws/.scratch/passwd");
	pol_eval_file(p, "/opt/x/y", POL_OP_WRITE, &res);
	ck_assert_str_eq(res.path, "/s/opt/x/y");

	memset(&c, 0, sizeof(c));
	c.host = "api.github.com";
	c.port = 443;
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "gh");
	c.port = 80;	/* every selector must match */
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "default-deny-network");
	c.host = NULL;
	c.ip = "10.2.3.4";
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "private");
	c.ip = "::ffff:10.2.3.4";	/* v4-mapped is the v4 address */
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "private");
	c.ip = "fd00::1";
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "private");
	c.ip = "11.0.0.1";
	c.port = 443;
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "https");
	ck_assert_int_eq(res.effective, POL_APPROVE);	/* never allow */
	c.host = "PyPI.org";
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "proxy");
	ck_assert_int_eq(res.redirect, POL_REDIR_CONNECT);
	ck_assert_str_eq(res.addr, "mirror:8443");
	ck_assert_str_eq(res.tls_mode, "rewrite_sni");
	ck_assert_str_eq(res.visibility, "audit_only");

	pol_eval_dns(p, "API.internal.", &res);
	ck_assert_str_eq(res.rule, "pin");
	ck_assert_str_eq(res.addr, "10.1.1.1");
	ck_assert_str_eq(res.on_failure, "fail_closed");
	pol_eval_dns(p, "evil.example", &res);
	ck_assert_str_eq(res.rule, "dns-monitor-only");
	ck_assert_int_eq(res.decision, POL_ALLOW);

	pol_eval_unix(p, "/var/run/docker.sock", POL_UOP_CONNECT, &res);
	ck_assert_str_eq(res.rule, "docker");
	pol_eval_unix(p, "@dbus-123", POL_UOP_CONNECT, &res);
	ck_assert_str_eq(res.rule, "abstract");
	pol_eval_unix(p, "@dbus-123", POL_UOP_BIND, &res);
	ck_assert_str_eq(res.rule, "default-deny-unix");

	memset(&q, 0, sizeof(q));
	q.signal = 9;
	q.target = POL_SIGT_CHILD | POL_SIGT_IN_SESSION;
	pol_eval_signal(p, &q, &res);
	ck_assert_str_eq(res.rule, "kill-to-term");
	ck_assert_int_eq(res.signal, 15);
	q.target = POL_SIGT_SIBLING | POL_SIGT_IN_SESSION;
	pol_eval_signal(p, &q, &res);
	ck_assert_str_eq(res.rule, "own");
	q.target = 0;
	pol_eval_signal(p, &q, &res);
	ck_assert_str_eq(res.rule, "default-deny-signals");
	q.signal = 99;
	q.target = POL_SIGT_IN_SESSION;
	pol_eval_signal(p, &q, &res);
	ck_assert_int_eq(res.decision, POL_DENY);
	pol_free(p);
}
END_TEST

/* Linear in the number of rules: a thousand rules load and decide. */
START_TEST(test_many_rules)
{
	size_t		 cap = 1 << 20, o = 0;
	char		*y = malloc(cap);
	struct pol	*p;
	struct pol_result res;

	o += (size_t)snprintf(y + o, cap - o, "version: 1\nname: big\n"
	    "file_rules:\n");
	for (int i = 0; i < 1000; i++)
		o += (size_t)snprintf(y + o, cap - o, "  - {name: r%d, paths: "
		    "[\"/d%d/**\", \"**/x%d\"], operations: [write], "
		    "decision: deny}\n", i, i, i);
	o += (size_t)snprintf(y + o, cap - o, "  - {name: last, paths: "
	    "[\"/**\"], decision: allow}\n");
	p = tload(y);
	pol_eval_file(p, "/d999/f", POL_OP_WRITE, &res);
	ck_assert_str_eq(res.rule, "r999");
	pol_eval_file(p, "/q/f", POL_OP_WRITE, &res);
	ck_assert_str_eq(res.rule, "last");
	pol_free(p);
	free(y);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The compiled form */

static char *
show(const struct pol *p)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(pol_print(p, f), 0);
	fclose(f);
	return buf;
}

START_TEST(test_serialize_roundtrip)
{
	struct pol	*p = tload(table_yaml), *q;
	uint8_t		*b, *b2;
	size_t		 n, n2;
	char		 err[512], *s1, *s2;
	struct pol_result r1, r2;

	ck_assert_int_eq(pol_serialize(p, &b, &n), 0);
	q = pol_deserialize(b, n, POL_LOAD_NOJIT, err, sizeof(err));
	ck_assert_msg(q != NULL, "%s", err);
	/* Same decisions, and serializing again gives the same bytes. */
	pol_eval_file(p, "/etc/x", POL_OP_WRITE, &r1);
	pol_eval_file(q, "/etc/x", POL_OP_WRITE, &r2);
	ck_assert_str_eq(r1.rule, r2.rule);
	ck_assert_str_eq(r1.path, r2.path);
	ck_assert_int_eq(pol_serialize(q, &b2, &n2), 0);
	ck_assert_uint_eq(n, n2);
	ck_assert_int_eq(memcmp(b, b2, n), 0);
	/* Variables travel expanded: show prints them so. */
	s1 = show(q);
	ck_assert_ptr_nonnull(strstr(s1, "/home/u/.ssh/**"));
	free(s1);

	/* Every truncation fails cleanly, and so does every extension. */
	for (size_t i = 0; i < n; i++) {
		ck_assert_ptr_null(pol_deserialize(b, i, 0, err,
		    sizeof(err)));
	}
	b2 = realloc(b2, n + 1);
	b2[n] = 0;
	ck_assert_ptr_null(pol_deserialize(b2, n + 1, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "trailing bytes"));
	/* Zero length, a bad magic, a NULL-sized count. */
	ck_assert_ptr_null(pol_deserialize(b, 0, 0, err, sizeof(err)));
	b2[0] ^= 1;
	ck_assert_ptr_null(pol_deserialize(b2, n, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not a compiled policy"));
	free(b2);

	/* A huge count is refused before anything is allocated for it. */
	{
		uint8_t	 h[64];
		size_t	 o = 0;

		memcpy(h, "AGSHPOL\0", 8);
		o = 8;
		h[o++] = 1; h[o++] = 0; h[o++] = 0; h[o++] = 0;
		memset(h + o, 0, 8); h[o] = 1; o += 8;		/* version */
		h[o++] = 1; h[o++] = 0; h[o++] = 0; h[o++] = 0;	/* name */
		h[o++] = 'x';
		memset(h + o, 0xff, 4); o += 4;			/* desc */
		memset(h + o, 0xff, 4); o += 4;			/* nfile */
		ck_assert_ptr_null(pol_deserialize(h, o, 0, err,
		    sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "count larger than the "
		    "data"));
		/* an embedded NUL in the name */
		h[20] = '\0';
		ck_assert_ptr_null(pol_deserialize(h, 21, 0, err,
		    sizeof(err)));
	}
	s1 = show(p);
	s2 = show(q);
	ck_assert_ptr_nonnull(s1);
	free(s1);
	free(s2);
	free(b);
	pol_free(p);
	pol_free(q);
}
END_TEST

/* A decoded policy goes through the same checks as YAML. */
START_TEST(test_deserialize_checks)
{
	struct pol	*p = tload("version: 1\nname: t\ncommand_rules:\n"
	    "  - {name: rule1, commands: [x], args_patterns: [zq9], decision: deny}\n");
	uint8_t		*b;
	size_t		 n;
	char		 err[512];
	uint8_t		*at;

	ck_assert_int_eq(pol_serialize(p, &b, &n), 0);
	/* Turn the regex "zq9" into "z(9": compiles no more. */
	at = memmem(b, n, "zq9", 3);
	ck_assert_ptr_nonnull(at);
	at[1] = '(';
	ck_assert_ptr_null(pol_deserialize(b, n, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "bad regular expression"));
	at[1] = 'q';
	/* The decision byte follows the name "rule1" and a null
	 * description: make it out of range. */
	at = memmem(b, n, "rule1", 5);
	ck_assert_ptr_nonnull(at);
	at[9] = 9;
	ck_assert_ptr_null(pol_deserialize(b, n, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "value out of range"));
	at[9] = POL_ABSORB;	/* in range, not a command decision */
	ck_assert_ptr_null(pol_deserialize(b, n, 0, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "not allowed here"));
	free(b);
	pol_free(p);
}
END_TEST

START_TEST(test_print_roundtrip)
{
	struct pol	*p = tload(table_yaml), *q;
	char		*s1, *s2;

	s1 = show(p);
	q = tload(s1);
	s2 = show(q);
	ck_assert_str_eq(s1, s2);
	free(s1);
	free(s2);
	pol_free(p);
	pol_free(q);
}
END_TEST

START_TEST(test_names)
{
	char	 out[256], err[256];

	ck_assert_int_eq(pol_name_valid("default"), 1);
	ck_assert_int_eq(pol_name_valid("dev-safe.v2_x"), 1);
	ck_assert_int_eq(pol_name_valid(".hidden"), 0);
	ck_assert_int_eq(pol_name_valid("a/b"), 0);
	ck_assert_int_eq(pol_name_valid(""), 0);
	ck_assert_int_eq(pol_resolve("/d", "../etc/passwd", out, sizeof(out),
	    err, sizeof(err)), 0);	/* a path: as given */
	ck_assert_str_eq(out, "../etc/passwd");
	ck_assert_int_eq(pol_resolve("/nonexistent", "x", out, sizeof(out),
	    err, sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pol_resolve("/d", "-x", out, sizeof(out), err,
	    sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("policy");
	TCase	*tc = tcase_create("core");
	SRunner	*sr;
	int	 nf;

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_yaml_errors);
	tcase_add_test(tc, test_yaml_alias_bomb);
	tcase_add_test(tc, test_yaml_accepts);
	tcase_add_test(tc, test_glob_edges);
	tcase_add_test(tc, test_glob_errors);
	tcase_add_test(tc, test_glob_hostile);
	tcase_add_test(tc, test_vars);
	tcase_add_test(tc, test_detect_roots);
	tcase_add_test(tc, test_templates);
	tcase_add_test(tc, test_decision_table);
	tcase_add_test(tc, test_many_rules);
	tcase_add_test(tc, test_serialize_roundtrip);
	tcase_add_test(tc, test_deserialize_checks);
	tcase_add_test(tc, test_print_roundtrip);
	tcase_add_test(tc, test_names);
	suite_add_tcase(s, tc);

	sr = srunner_create(s);
	srunner_add_suite(sr, ported_suite());
	srunner_add_suite(sr, exec_suite());
	srunner_run_all(sr, CK_NORMAL);
	nf = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nf == 0 ? 0 : 1;
}
