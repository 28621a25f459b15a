/*
 * libagentsh-policy internals: the policy in memory, shared by the YAML
 * reader, the checker and compiler, the evaluators, the printer and the
 * serializer.  Nothing here is part of the API (policy.h).
 */
#ifndef AGENTSH_POL_LOCAL_H
#define AGENTSH_POL_LOCAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "policy.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

/* Where something was written: 1-based, 0 when unknown (deserialized). */
struct pol_mark {
	uint32_t	 line;
	uint32_t	 col;
};

struct pol_strv {
	size_t		  n;
	char		**v;
	struct pol_mark	 *m;		/* one per element, or NULL */
};

struct pol_kv {
	char		*key;
	char		*value;
};

struct pol_kvv {
	size_t		 n;
	struct pol_kv	*v;
	struct pol_mark	*m;		/* one per key, or NULL */
};

/* ------------------------------------------------------------------ */
/* Globs (pol_glob.c) */

enum pol_gtok_kind {
	GT_LIT = 0,	/* one byte */
	GT_ANY,		/* ? : one byte but the separator */
	GT_CLASS,	/* [..] : one byte of a set, never the separator */
	GT_STAR,	/* * : a run without the separator */
	GT_DSTAR,	/* ** : any run */
};

struct pol_gtok {
	uint8_t		 kind;
	uint8_t		 ch;		/* GT_LIT */
	uint16_t	 set;		/* GT_CLASS: index into sets */
};

enum pol_gshape {
	GS_EXACT = 0,	/* a literal */
	GS_PREFIX_DSTAR,/* literal then "**" */
	GS_PREFIX_STAR,	/* literal then "*" */
	GS_GENERAL,
};

/* One brace-free alternative. */
struct pol_galt {
	char		*lit;		/* the literal prefix */
	size_t		 litlen;
	char		*tail;		/* literal suffix of GS_GENERAL */
	size_t		 taillen;
	enum pol_gshape	 shape;
	size_t		 ntok;		/* tokens after the prefix */
	struct pol_gtok	*tok;
	size_t		 nsets;
	uint8_t		(*sets)[32];
	size_t		 minlen;	/* bytes the tokens need at least */
};

struct pol_glob {
	int		 sep;		/* '/', '.' or 0 */
	int		 fold;		/* match lowercased (input too) */
	size_t		 nalt;
	struct pol_galt	*alt;
};

#define POL_GLOB_MAXLEN	 4096
#define POL_GLOB_MAXALT	 256

/* sep: separator byte or 0; fold: lowercase the pattern. */
struct pol_glob	*pol_glob_compile(const char *, int sep, int fold,
		    char *err, size_t errlen);
void		 pol_glob_free(struct pol_glob *);
/* 's' must already be lowercased for a fold glob. */
int		 pol_glob_match(const struct pol_glob *, const char *s,
		    size_t len);
/* Whether s contains glob metacharacters (unescaped * ? [ {). */
int		 pol_glob_is_pattern(const char *);
/* Escapes glob metacharacters of a literal into a malloc'd string. */
char		*pol_glob_escape(const char *);

/* ------------------------------------------------------------------ */
/* Rules */

struct pol_regex {
	char		*src;
	pcre2_code	*code;
	struct pol_mark	 m;
};

struct pol_regexv {
	size_t		  n;
	struct pol_regex *v;
};

struct pol_rule_common {
	char		*name;
	char		*description;	/* may be NULL */
	enum pol_decision decision;
	char		*message;	/* template, may be NULL */
	int64_t		 timeout_ms;	/* 0: not set */
	struct pol_mark	 m_rule;
	struct pol_mark	 m_name;
	struct pol_mark	 m_decision;
	struct pol_mark	 m_timeout;
};

struct pol_file_rule {
	struct pol_rule_common c;
	struct pol_strv	 paths;		/* as written */
	uint32_t	 ops;		/* 1 << pol_fileop; all when '*' */
	int		 ops_all;	/* written as "*" or not at all */
	char		*redirect_to;	/* directory, may be NULL */
	int		 preserve_tree;
	struct pol_mark	 m_redirect;
	/* compiled */
	struct pol_strv	 paths_exp;	/* paths expanded */
	size_t		 nglobs;
	struct pol_glob	**globs;
	char		*redirect_exp;	/* redirect_to expanded */
};

struct pol_net_rule {
	struct pol_rule_common c;
	struct pol_strv	 domains;	/* as written */
	size_t		 nports;
	int		*ports;
	struct pol_mark	*m_ports;
	struct pol_strv	 cidrs;
	/* compiled */
	struct pol_strv	 domains_exp;	/* domains expanded */
	size_t		 nglobs;
	struct pol_glob	**globs;
	struct pol_cidr	*cidrv;
};

struct pol_cidr {
	int		 family;	/* 4 or 6 */
	uint8_t		 addr[16];
	int		 bits;
};

struct pol_cmd_rule {
	struct pol_rule_common c;
	struct pol_strv	 commands;
	struct pol_regexv args;
	int		 has_redirect;
	struct pol_cmd_redirect redir;	/* pointers into redir_* below */
	char		*redir_command;
	struct pol_strv	 redir_args;
	struct pol_strv	 redir_args_append;
	struct pol_kvv	 redir_env;
	char		**redir_envp;	/* "K=V" built at compile */
	struct pol_mark	 m_redirect;
	int		 ctx_set;	/* context: given */
	int		 ctx_form;	/* 0 map, 1 list */
	int		 min_depth;
	int		 max_depth;	/* -1: unlimited */
	struct pol_mark	 m_context;
	struct pol_strv	 env_allow;
	struct pol_strv	 env_deny;
	int64_t		 env_max_keys;	/* 0: not set */
	int64_t		 env_max_bytes;
	int		 env_block_iteration;	/* -1 not set */
	/* compiled */
	int		 match_all;	/* no commands: every command */
	size_t		 nbase;		/* literal basenames, lowercased */
	char		**base;
	size_t		 nbglob;
	struct pol_glob	**bglob;
	size_t		 npath;		/* literal full paths */
	char		**path;
	size_t		 npglob;
	struct pol_glob	**pglob;
	struct pol_glob	**env_allow_g;
	struct pol_glob	**env_deny_g;
};

struct pol_unix_rule {
	struct pol_rule_common c;
	struct pol_strv	 paths;
	uint32_t	 ops;
	int		 ops_all;
	/* compiled */
	struct pol_strv	 paths_exp;	/* paths expanded */
	size_t		 nglobs;
	struct pol_glob	**globs;
};

enum pol_sigtarget {
	ST_SELF = 0, ST_CHILDREN, ST_DESCENDANTS, ST_SIBLINGS, ST_SESSION,
	ST_PARENT, ST_EXTERNAL, ST_SYSTEM, ST_USER, ST_PROCESS, ST_PID_RANGE,
	ST_N
};

struct pol_sig_rule {
	struct pol_rule_common c;
	struct pol_strv	 signals;	/* as written */
	enum pol_sigtarget target;
	char		*pattern;	/* process */
	int64_t		 pid_min, pid_max;
	struct pol_mark	 m_target;
	int		 has_fallback;
	enum pol_decision fallback;
	struct pol_mark	 m_fallback;
	char		*redirect_to;	/* signal name */
	struct pol_mark	 m_redirect;
	/* compiled */
	uint64_t	 sigmask;	/* bit n-1 for signal n */
	int		 redirect_sig;
	struct pol_glob	*pattern_g;
};

enum pol_visibility { VIS_SILENT = 0, VIS_AUDIT_ONLY, VIS_WARN, VIS_N };
enum pol_onfail { OF_FAIL_CLOSED = 0, OF_FAIL_OPEN, OF_RETRY, OF_N };
enum pol_tlsmode { TLS_PASSTHROUGH = 0, TLS_REWRITE_SNI, TLS_N };

struct pol_dns_redirect {
	char		*name;
	struct pol_regex match;
	char		*resolve_to;
	int		 visibility;	/* -1: not set (audit_only) */
	int		 on_failure;	/* -1: not set (fail_closed) */
	struct pol_mark	 m_rule;
	struct pol_mark	 m_name;
	struct pol_mark	 m_resolve;
};

struct pol_connect_redirect {
	char		*name;
	struct pol_regex match;
	char		*redirect_to;	/* host:port */
	int		 has_tls;
	int		 tls_mode;	/* -1: not set (passthrough) */
	char		*sni;
	int		 visibility;
	int		 on_failure;
	char		*message;
	struct pol_mark	 m_rule;
	struct pol_mark	 m_name;
	struct pol_mark	 m_redirect;
	struct pol_mark	 m_tls;
};


/* audit; -1: not set. */
struct pol_auditset {
	int		 log_allowed;
	int		 log_denied;
	int		 log_approved;
	int		 include_stdout;
	int		 include_stderr;
	int64_t		 retention_days;
};

struct pol_envpol {
	struct pol_strv	 allow;
	struct pol_strv	 deny;
	int64_t		 max_bytes;	/* 0: no limit */
	int64_t		 max_keys;
	int		 block_iteration;
	/* compiled */
	struct pol_glob	**allow_g;
	struct pol_glob	**deny_g;
};

struct pol {
	int64_t		 version;
	char		*name;
	char		*description;
	char		*fname;		/* for messages; "compiled policy" */

	size_t		 nfile;
	struct pol_file_rule *file;
	size_t		 nnet;
	struct pol_net_rule *net;
	size_t		 ncmd;
	struct pol_cmd_rule *cmd;
	size_t		 nunix;
	struct pol_unix_rule *unx;
	size_t		 nsig;
	struct pol_sig_rule *sig;
	size_t		 ndns;
	struct pol_dns_redirect *dns;
	size_t		 nconn;
	struct pol_connect_redirect *conn;

	struct pol_limits limits;	/* -1: not set */
	struct pol_auditset audit;
	struct pol_envpol env;
	struct pol_kvv	 env_inject;
	struct pol_strv	 tc_add;	/* transparent_commands */
	struct pol_strv	 tc_remove;
	int		 has_tc;
	int		 has_limits;
	int		 has_audit;
	int		 has_env;

	int		 expanded;	/* deserialized: no ${VAR} left */

	/* compiled */
	int		 restrictive_cmd; /* a command rule can block */
	unsigned int	 flags;		/* POL_LOAD_* */
	pcre2_match_context *mctx;
};

/* ------------------------------------------------------------------ */
/* pol_util.c */

struct pol_err {
	char		*buf;
	size_t		 len;
	const char	*fname;
};

void		 pol_err_set(struct pol_err *, const struct pol_mark *,
		    const char *path, const char *fmt, ...)
		    __attribute__((format(printf, 4, 5)));
void		 pol_errv_set(char *err, size_t errlen, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));

int		 pol_strv_push(struct pol_strv *, const char *,
		    const struct pol_mark *);
void		 pol_strv_clear(struct pol_strv *);
int		 pol_kvv_put(struct pol_kvv *, const char *, const char *,
		    const struct pol_mark *);
void		 pol_kvv_clear(struct pol_kvv *);
int		 pol_kvv_set(struct pol_kvv *, const char *, const char *);
const char	*pol_kvv_get(const struct pol_kvv *, const char *);
void		 pol_regexv_clear(struct pol_regexv *);

/* Durations: 500ms, 30s, 5m, 2h, 1h30m, 1.5h (Go syntax). */
int		 pol_duration_parse(const char *, int64_t *ms);
int		 pol_env_name_valid(const char *, size_t);
int		 pol_var_name_valid(const char *, size_t);

const char	*pol_unixop_name(enum pol_unixop);
const char	*pol_sigtarget_name(enum pol_sigtarget);
int		 pol_sigtarget_parse(const char *, enum pol_sigtarget *);
/* @all @fatal @job @reload @ignore -> mask; -1 if unknown. */
int		 pol_signal_group(const char *, uint64_t *);
extern const char *const pol_fileop_names[POL_OP_NFILEOPS];
extern const char *const pol_unixop_names[POL_UOP_N];
extern const char *const pol_visibility_names[VIS_N];
extern const char *const pol_onfail_names[OF_N];
extern const char *const pol_tls_names[TLS_N];
int		 pol_enum_parse(const char *, const char *const *, int n);

void		 pol_rule_common_clear(struct pol_rule_common *);
void		 pol_clear(struct pol *);

/* ------------------------------------------------------------------ */
/* pol_vars.c */

/* Expands ${VAR} and ${VAR:-fallback}; with escape, values are escaped as
 * glob literals.  Returns a malloc'd string or NULL with a message. */
char		*pol_vars_expand(const struct pol_vars *, const char *,
		    int escape, char *err, size_t errlen);
/* Only checks the ${...} syntax. */
int		 pol_vars_check(const char *, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* pol_yaml.c */

int		 pol_yaml_parse(struct pol *, const char *buf, size_t len,
		    struct pol_err *);

/* ------------------------------------------------------------------ */
/* pol_build.c */

/* The checks every policy passes, from YAML or from bytes. */
int		 pol_check(struct pol *, struct pol_err *);
/* Expands variables and compiles patterns. */
int		 pol_compile(struct pol *, const struct pol_vars *,
		    struct pol_err *);
int		 pol_regex_compile(struct pol_regex *, unsigned int flags,
		    char *err, size_t errlen);
/* 1 match, 0 no match, -1 error (match limit). */
int		 pol_regex_match(const struct pol *, const struct pol_regex *,
		    const char *, size_t);

/* ------------------------------------------------------------------ */
/* pol_eval.c */

void		 pol_result_init(struct pol_result *);
void		 pol_result_set(struct pol_result *, enum pol_decision,
		    const char *rule);
struct pol_tmplvars {
	const char	*path;
	const char	*operation;
	const char	*command;
	const char *const *args;	/* argv[1..] */
	size_t		 nargs;
	const char	*domain;
	const char	*remote_addr;
	int		 remote_port;	/* -1: none */
};
/* Renders a checked template; unknown fields cannot occur. */
void		 pol_render(const char *tmpl, const struct pol_tmplvars *,
		    char *out, size_t outlen);
/* Checks a template's {{.Field}} names. */
int		 pol_template_check(const char *, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* pol_exec.c */

/* First command rule matching (path, argv) at depth. */
int		 pol_cmd_match(const struct pol *, const char *path,
		    const char *const *argv, size_t argc, int depth,
		    const struct pol_cmd_rule **rulep);
int		 pol_is_transparent(const struct pol *, const char *base);

/* ------------------------------------------------------------------ */
/* pol_shell.c: the simple commands of a `sh -c` script */

struct pol_shcmd {
	char		**argv;		/* words after quote removal */
	size_t		  argc;
	int		  args_uncertain; /* an argument expands at run time */
};

struct pol_shscript {
	size_t		  ncmd;
	struct pol_shcmd *cmd;
	const char	 *opaque;	/* why it cannot be followed, or NULL */
};

enum pol_shform {
	SHF_NOT_SHELL = 0,	/* not a known shell */
	SHF_NO_SCRIPT,		/* a shell, but no -c (script file, stdin) */
	SHF_SCRIPT,		/* -c SCRIPT */
	SHF_OPAQUE,		/* options we cannot follow */
};
int		 pol_shell_known(const char *base);
/* Finds the -c script in a shell's argv. */
enum pol_shform	 pol_shell_form(const char *const *argv, size_t argc,
		    const char **script, const char **why);
/* Returns -1 on ENOMEM only. */
int		 pol_shell_parse(const char *script, int zsh,
		    struct pol_shscript *);
void		 pol_shell_clear(struct pol_shscript *);

/* ------------------------------------------------------------------ */
/* pol_print.c */

/* Emits s as a YAML scalar (plain when that reads back the same). */
void		 pol_yaml_scalar(FILE *, const char *);

/* ------------------------------------------------------------------ */
/* Names of built-in default rules. */
#define POL_RULE_DEFAULT_READS	 "default-allow-reads"
#define POL_RULE_DEFAULT_FILES	 "default-deny-files"
#define POL_RULE_DEFAULT_NET	 "default-deny-network"
#define POL_RULE_DEFAULT_CMD	 "default-deny-commands"
#define POL_RULE_DEFAULT_UNIX	 "default-deny-unix"
#define POL_RULE_DEFAULT_SIGNAL	 "default-deny-signals"
#define POL_RULE_DNS_MONITOR	 "dns-monitor-only"

#endif /* AGENTSH_POL_LOCAL_H */
