/*
 * agentsh policy show: the policy as normalized YAML.  Keys come in a fixed
 * order, defaults are left out, names are lowercased, durations and
 * contexts are written one way; loading the output gives the same policy,
 * and printing that gives the same text.
 */
#include "compat.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pol_local.h"

/* Words a plain scalar must not be: YAML would read them as non-strings. */
static int
plain_ok(const char *s)
{
	static const char *const special[] = {
		"true", "false", "yes", "no", "on", "off", "null", "y", "n",
	};
	size_t	 n = strlen(s);

	if (n == 0 || !(isalpha((unsigned char)s[0]) || s[0] == '/' ||
	    s[0] == '_'))
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)s[i]) && strchr("_./-", s[i]) ==
		    NULL)
			return 0;
	for (size_t i = 0; i < nitems(special); i++)
		if (strcasecmp(s, special[i]) == 0)
			return 0;
	return 1;
}

void
pol_yaml_scalar(FILE *f, const char *s)
{
	if (plain_ok(s)) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			/* What YAML would fold or refuse: C0 and C1 controls,
			 * the Unicode line separators and a BOM. */
			if (*p < 0x20 || *p == 0x7f)
				fprintf(f, "\\x%02x", *p);
			else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
				fprintf(f, "\\x%02x", p[1]);
				p++;
			} else if (p[0] == 0xe2 && p[1] == 0x80 &&
			    (p[2] == 0xa8 || p[2] == 0xa9)) {
				fputs(p[2] == 0xa8 ? "\\L" : "\\P", f);
				p += 2;
			} else if (p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
				fputs("\\uFEFF", f);
				p += 2;
			} else
				fputc(*p, f);
		}
	}
	fputc('"', f);
}

static void
kv(FILE *f, int ind, const char *key, const char *val)
{
	if (val == NULL)
		return;
	fprintf(f, "%*s%s: ", ind, "", key);
	pol_yaml_scalar(f, val);
	fputc('\n', f);
}

static void
list(FILE *f, int ind, const char *key, const struct pol_strv *sv)
{
	if (sv->n == 0)
		return;
	fprintf(f, "%*s%s:\n", ind, "", key);
	for (size_t i = 0; i < sv->n; i++) {
		fprintf(f, "%*s  - ", ind, "");
		pol_yaml_scalar(f, sv->v[i]);
		fputc('\n', f);
	}
}

static void
kvmap(FILE *f, int ind, const char *key, const struct pol_kvv *m)
{
	if (m->n == 0)
		return;
	fprintf(f, "%*s%s:\n", ind, "", key);
	for (size_t i = 0; i < m->n; i++) {
		fprintf(f, "%*s  ", ind, "");
		pol_yaml_scalar(f, m->v[i].key);
		fputs(": ", f);
		pol_yaml_scalar(f, m->v[i].value);
		fputc('\n', f);
	}
}

static void
duration(FILE *f, int ind, const char *key, int64_t ms)
{
	char	 buf[64];

	if (ms < 0)
		return;
	pol_duration_print(ms, buf, sizeof(buf));
	fprintf(f, "%*s%s: %s\n", ind, "", key, buf);
}

static void
num(FILE *f, int ind, const char *key, int64_t v)
{
	if (v >= 0)
		fprintf(f, "%*s%s: %" PRId64 "\n", ind, "", key, v);
}

static void
boolean(FILE *f, int ind, const char *key, int v)
{
	if (v >= 0)
		fprintf(f, "%*s%s: %s\n", ind, "", key, v ? "true" : "false");
}

static void
ops(FILE *f, uint32_t mask, int all, int n, const char *(*name)(int))
{
	int	 first = 1;

	fputs("    operations: [", f);
	if (all)
		fputs("\"*\"", f);
	else
		for (int i = 0; i < n; i++) {
			if (!(mask & (1U << i)))
				continue;
			fprintf(f, "%s%s", first ? "" : ", ", name(i));
			first = 0;
		}
	fputs("]\n", f);
}

static const char *
fileop_name(int i)
{
	return pol_fileop_name((enum pol_fileop)i);
}

static const char *
unixop_name(int i)
{
	return pol_unixop_name((enum pol_unixop)i);
}

static void
common_head(FILE *f, const struct pol_rule_common *c)
{
	fputs("  - name: ", f);
	pol_yaml_scalar(f, c->name);
	fputc('\n', f);
	kv(f, 4, "description", c->description);
}

static void
common_tail(FILE *f, const struct pol_rule_common *c)
{
	fprintf(f, "    decision: %s\n", pol_decision_name(c->decision));
	kv(f, 4, "message", c->message);
	if (c->timeout_ms > 0)
		duration(f, 4, "timeout", c->timeout_ms);
}

static void
print_cmd(FILE *f, const struct pol_cmd_rule *r)
{
	common_head(f, &r->c);
	list(f, 4, "commands", &r->commands);
	if (r->args.n > 0) {
		fputs("    args_patterns:\n", f);
		for (size_t j = 0; j < r->args.n; j++) {
			fputs("      - ", f);
			pol_yaml_scalar(f, r->args.v[j].src);
			fputc('\n', f);
		}
	}
	if (r->min_depth == 0 && r->max_depth == 0)
		fputs("    context: [direct]\n", f);
	else if (r->min_depth == 1 && r->max_depth == -1)
		fputs("    context: [nested]\n", f);
	else if (r->min_depth != 0 || r->max_depth != -1) {
		fprintf(f, "    context:\n      min_depth: %d\n",
		    r->min_depth);
		if (r->max_depth >= 0)
			fprintf(f, "      max_depth: %d\n", r->max_depth);
	}
	common_tail(f, &r->c);
	if (r->has_redirect) {
		fputs("    redirect_to:\n", f);
		kv(f, 6, "command", r->redir_command);
		list(f, 6, "args", &r->redir_args);
		list(f, 6, "args_append", &r->redir_args_append);
		kvmap(f, 6, "environment", &r->redir_env);
	}
	list(f, 4, "env_allow", &r->env_allow);
	list(f, 4, "env_deny", &r->env_deny);
	if (r->env_max_keys > 0)
		num(f, 4, "env_max_keys", r->env_max_keys);
	if (r->env_max_bytes > 0)
		num(f, 4, "env_max_bytes", r->env_max_bytes);
	boolean(f, 4, "env_block_iteration", r->env_block_iteration);
}

static void
print_sig(FILE *f, const struct pol_sig_rule *r)
{
	common_head(f, &r->c);
	list(f, 4, "signals", &r->signals);
	fprintf(f, "    target:\n      type: %s\n",
	    pol_sigtarget_name(r->target));
	kv(f, 6, "pattern", r->pattern);
	if (r->target == ST_PID_RANGE)
		fprintf(f, "      min: %" PRId64 "\n      max: %" PRId64 "\n",
		    r->pid_min, r->pid_max);
	common_tail(f, &r->c);
	kv(f, 4, "redirect_to", r->redirect_to);
	if (r->has_fallback)
		fprintf(f, "    fallback: %s\n",
		    pol_decision_name(r->fallback));
}

static int
any_limit(const struct pol_limits *l)
{
	return l->max_memory_mb >= 0 || l->memory_swap_max_mb >= 0 ||
	    l->cpu_quota_percent >= 0 || l->pids_max >= 0 ||
	    l->disk_read_bps_max >= 0 || l->disk_write_bps_max >= 0 ||
	    l->command_timeout_ms >= 0 || l->session_timeout_ms >= 0 ||
	    l->idle_timeout_ms >= 0;
}

int
pol_print(const struct pol *p, FILE *f)
{
	fprintf(f, "version: %" PRId64 "\n", p->version);
	kv(f, 0, "name", p->name);
	kv(f, 0, "description", p->description);
	if (p->nfile > 0)
		fputs("file_rules:\n", f);
	for (size_t i = 0; i < p->nfile; i++) {
		const struct pol_file_rule *r = &p->file[i];

		common_head(f, &r->c);
		list(f, 4, "paths", &r->paths);
		ops(f, r->ops, r->ops_all, POL_OP_NFILEOPS, fileop_name);
		common_tail(f, &r->c);
		kv(f, 4, "redirect_to", r->redirect_to);
		if (r->preserve_tree)
			fputs("    preserve_tree: true\n", f);
	}
	if (p->nnet > 0)
		fputs("network_rules:\n", f);
	for (size_t i = 0; i < p->nnet; i++) {
		const struct pol_net_rule *r = &p->net[i];

		common_head(f, &r->c);
		list(f, 4, "domains", &r->domains);
		if (r->nports > 0) {
			fputs("    ports: [", f);
			for (size_t j = 0; j < r->nports; j++)
				fprintf(f, "%s%d", j ? ", " : "", r->ports[j]);
			fputs("]\n", f);
		}
		list(f, 4, "cidrs", &r->cidrs);
		common_tail(f, &r->c);
	}
	if (p->ncmd > 0)
		fputs("command_rules:\n", f);
	for (size_t i = 0; i < p->ncmd; i++)
		print_cmd(f, &p->cmd[i]);
	if (p->nunix > 0)
		fputs("unix_socket_rules:\n", f);
	for (size_t i = 0; i < p->nunix; i++) {
		common_head(f, &p->unx[i].c);
		list(f, 4, "paths", &p->unx[i].paths);
		ops(f, p->unx[i].ops, p->unx[i].ops_all, POL_UOP_N,
		    unixop_name);
		common_tail(f, &p->unx[i].c);
	}
	if (p->nsig > 0)
		fputs("signal_rules:\n", f);
	for (size_t i = 0; i < p->nsig; i++)
		print_sig(f, &p->sig[i]);
	if (p->ndns > 0)
		fputs("dns_redirects:\n", f);
	for (size_t i = 0; i < p->ndns; i++) {
		const struct pol_dns_redirect *r = &p->dns[i];

		fputs("  - name: ", f);
		pol_yaml_scalar(f, r->name);
		fputc('\n', f);
		kv(f, 4, "match", r->match.src);
		kv(f, 4, "resolve_to", r->resolve_to);
		if (r->visibility >= 0)
			kv(f, 4, "visibility",
			    pol_visibility_names[r->visibility]);
		if (r->on_failure >= 0)
			kv(f, 4, "on_failure", pol_onfail_names[r->on_failure]);
	}
	if (p->nconn > 0)
		fputs("connect_redirects:\n", f);
	for (size_t i = 0; i < p->nconn; i++) {
		const struct pol_connect_redirect *r = &p->conn[i];

		fputs("  - name: ", f);
		pol_yaml_scalar(f, r->name);
		fputc('\n', f);
		kv(f, 4, "match", r->match.src);
		kv(f, 4, "redirect_to", r->redirect_to);
		if (r->has_tls && (r->tls_mode >= 0 || r->sni != NULL)) {
			fputs("    tls:\n", f);
			if (r->tls_mode >= 0)
				kv(f, 6, "mode", pol_tls_names[r->tls_mode]);
			kv(f, 6, "sni", r->sni);
		}
		if (r->visibility >= 0)
			kv(f, 4, "visibility",
			    pol_visibility_names[r->visibility]);
		if (r->on_failure >= 0)
			kv(f, 4, "on_failure", pol_onfail_names[r->on_failure]);
		kv(f, 4, "message", r->message);
	}
	if (any_limit(&p->limits)) {
		const struct pol_limits *l = &p->limits;

		fputs("resource_limits:\n", f);
		num(f, 2, "max_memory_mb", l->max_memory_mb);
		num(f, 2, "memory_swap_max_mb", l->memory_swap_max_mb);
		num(f, 2, "cpu_quota_percent", l->cpu_quota_percent);
		num(f, 2, "pids_max", l->pids_max);
		num(f, 2, "disk_read_bps_max", l->disk_read_bps_max);
		num(f, 2, "disk_write_bps_max", l->disk_write_bps_max);
		duration(f, 2, "command_timeout", l->command_timeout_ms);
		duration(f, 2, "session_timeout", l->session_timeout_ms);
		duration(f, 2, "idle_timeout", l->idle_timeout_ms);
	}
	if (p->env.allow.n || p->env.deny.n || p->env.max_bytes ||
	    p->env.max_keys || p->env.block_iteration) {
		fputs("env_policy:\n", f);
		list(f, 2, "allow", &p->env.allow);
		list(f, 2, "deny", &p->env.deny);
		if (p->env.max_bytes > 0)
			num(f, 2, "max_bytes", p->env.max_bytes);
		if (p->env.max_keys > 0)
			num(f, 2, "max_keys", p->env.max_keys);
		if (p->env.block_iteration)
			fputs("  block_iteration: true\n", f);
	}
	kvmap(f, 0, "env_inject", &p->env_inject);
	if (p->tc_add.n || p->tc_remove.n) {
		fputs("transparent_commands:\n", f);
		list(f, 2, "add", &p->tc_add);
		list(f, 2, "remove", &p->tc_remove);
	}
	if (p->audit.log_allowed >= 0 || p->audit.log_denied >= 0 ||
	    p->audit.log_approved >= 0 || p->audit.include_stdout >= 0 ||
	    p->audit.include_stderr >= 0 || p->audit.retention_days >= 0) {
		fputs("audit:\n", f);
		boolean(f, 2, "log_allowed", p->audit.log_allowed);
		boolean(f, 2, "log_denied", p->audit.log_denied);
		boolean(f, 2, "log_approved", p->audit.log_approved);
		boolean(f, 2, "include_stdout", p->audit.include_stdout);
		boolean(f, 2, "include_stderr", p->audit.include_stderr);
		num(f, 2, "retention_days", p->audit.retention_days);
	}
	return ferror(f) ? -1 : 0;
}
