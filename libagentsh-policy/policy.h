/*
 * libagentsh-policy: the policy language (agentsh-policy(5)).
 *
 * Life of a policy:
 *
 *   pol_load_file()/pol_load_buf()   YAML -> checked, variables expanded,
 *                                    compiled (the root monitor)
 *   pol_serialize()                  -> self-contained bytes, no pointers
 *   pol_deserialize()                bytes from a peer -> the same policy;
 *                                    everything is checked again and every
 *                                    pattern recompiled (helpers)
 *   pol_eval_*()                     decisions, one call per operation kind
 *   pol_free()
 *
 * Errors: functions that can fail on input take (char *err, size_t errlen)
 * and write one line there, "FILE:LINE:COL: KEY.PATH: what is wrong" for
 * YAML, "compiled policy: ..." for serialized input.  They return NULL or
 * -1; errno is EINVAL for bad input, ENOMEM, or the errno of a failed read.
 * The library never prints and never exits.
 *
 * Threads and jails: a struct pol is immutable once returned; any number of
 * threads may evaluate on it at once.  After loading, evaluation touches no
 * file and makes no system call other than memory allocation:
 *   - pol_eval_file, pol_eval_signal and pol_eval_unix allocate nothing;
 *   - regular expressions (args_patterns, dns_redirects, connect_redirects)
 *     allocate PCRE2 match data (malloc/free) for each match;
 *   - pol_eval_exec also allocates scratch space proportional to the
 *     length of a `sh -c` script or an `env -S` string;
 *   - pol_env_build returns a malloc'd environment.
 * args_patterns use the PCRE2 JIT unless POL_LOAD_NOJIT is given.  The JIT
 * compiles at load time and needs memory that is mapped writable and then
 * executable (mmap/mprotect with PROT_EXEC): a jailed process that loads or
 * deserializes a policy with JIT must allow that, or pass POL_LOAD_NOJIT.
 * Matching is the same either way, only slower without the JIT.
 */
#ifndef AGENTSH_POLICY_H
#define AGENTSH_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct pol;
struct pol_vars;

/* ------------------------------------------------------------------ */
/* Decisions */

enum pol_decision {
	POL_ALLOW = 0,
	POL_DENY,
	POL_APPROVE,
	POL_REDIRECT,
	POL_AUDIT,		/* allow and log */
	POL_SOFT_DELETE,	/* file removal goes to the trash */
	POL_ABSORB,		/* signals: dropped, the sender sees success */
};

const char	*pol_decision_name(enum pol_decision);
/* Returns -1 for an unknown name (case-insensitive). */
int		 pol_decision_parse(const char *, enum pol_decision *);
/* deny > redirect = soft_delete > approve > audit > allow (absorb = deny). */
int		 pol_decision_strictness(enum pol_decision);

/* ------------------------------------------------------------------ */
/* Variables: ${VAR} and ${VAR:-fallback} in file paths and domains. */

struct pol_vars	*pol_vars_new(void);
void		 pol_vars_free(struct pol_vars *);
/* Names are [A-Za-z_][A-Za-z0-9_]*; a later set replaces.  -1/EINVAL. */
int		 pol_vars_set(struct pol_vars *, const char *name,
		    const char *value);
const char	*pol_vars_get(const struct pol_vars *, const char *name);

/* The built-in project markers: .git go.mod package.json Cargo.toml
 * pyproject.toml (NULL-terminated). */
const char *const *pol_default_markers(void);
/*
 * Walks up from 'workspace' (which must exist; symlinks are resolved) to the
 * nearest project marker.  *project_root is the directory of the nearest
 * language marker, else of the nearest .git, else the workspace itself;
 * *git_root is the nearest directory holding .git, or NULL.  The walk stops
 * at the first .git.  markers == NULL: the defaults.  Both results are
 * malloc'd.  This reads the file system: call it before jailing.
 */
int		 pol_detect_roots(const char *workspace,
		    const char *const *markers, char **project_root,
		    char **git_root, char *err, size_t errlen);
/*
 * Sets WORKSPACE, PROJECT_ROOT, GIT_ROOT (only when found) and HOME (when
 * 'home' is not NULL).  detect == 0: PROJECT_ROOT = WORKSPACE, no GIT_ROOT.
 */
int		 pol_vars_session(struct pol_vars *, const char *workspace,
		    const char *home, int detect, const char *const *markers,
		    char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* Loading */

#define POL_LOAD_NOJIT	 0x01	/* never use the PCRE2 JIT */
#define POL_LOAD_MAXSIZE (16 * 1024 * 1024)	/* largest policy file */

/* ^[A-Za-z0-9][A-Za-z0-9._-]*$, at most 128 bytes. */
int		 pol_name_valid(const char *);
/*
 * FILE|NAME as the CLI and the session API take it: something with a '/'
 * or ending in .yaml/.yml is a path; otherwise a valid NAME is looked up
 * as DIR/NAME.yaml, then DIR/NAME.yml.  Writes the path to 'out'.  Reads
 * the file system (stat).
 */
int		 pol_resolve(const char *dir, const char *file_or_name,
		    char *out, size_t outlen, char *err, size_t errlen);
/* vars may be NULL: then any ${VAR} without a fallback is an error. */
struct pol	*pol_load_file(const char *path, const struct pol_vars *,
		    unsigned int flags, char *err, size_t errlen);
/* 'fname' is only used in messages. */
struct pol	*pol_load_buf(const char *buf, size_t len, const char *fname,
		    const struct pol_vars *, unsigned int flags, char *err,
		    size_t errlen);
void		 pol_free(struct pol *);

/*
 * The compiled form: a self-contained byte string (magic, version, then
 * every rule with its variables already expanded).  pol_serialize returns a
 * malloc'd buffer.  pol_deserialize treats its input as hostile: every
 * length, count, enum and string is checked, every glob and regex compiled
 * again, the same semantic checks as for YAML applied; trailing bytes are
 * an error.  flags: POL_LOAD_NOJIT.
 */
int		 pol_serialize(const struct pol *, uint8_t **buf, size_t *len);
struct pol	*pol_deserialize(const void *buf, size_t len,
		    unsigned int flags, char *err, size_t errlen);

/* Prints the normalized policy as YAML (agentsh policy show); file paths
 * and domains as written, before expansion (a deserialized policy has
 * them expanded).  Loading the output again gives the same policy. */
int		 pol_print(const struct pol *, FILE *);

const char	*pol_name(const struct pol *);
/* A duration as policies write it: "1h30m", "90ms", "0s". */
void		 pol_duration_print(int64_t ms, char *, size_t);
const char	*pol_description(const struct pol *);	/* "" if none */

/* ------------------------------------------------------------------ */
/* Settings the session applies (resource_limits, audit, env_inject) */

struct pol_limits {
	int64_t		 max_memory_mb;		/* 0: not set */
	int64_t		 memory_swap_max_mb;	/* -1: not set */
	int64_t		 cpu_quota_percent;
	int64_t		 pids_max;
	int64_t		 disk_read_bps_max;
	int64_t		 disk_write_bps_max;
	int64_t		 command_timeout_ms;
	int64_t		 session_timeout_ms;
	int64_t		 idle_timeout_ms;
};
void		 pol_get_limits(const struct pol *, struct pol_limits *);

struct pol_audit {
	int		 log_allowed;		/* default 1 */
	int		 log_denied;		/* default 1 */
	int		 log_approved;		/* default 1 */
	int		 include_stdout;	/* default 0 */
	int		 include_stderr;	/* default 0 */
	int64_t		 retention_days;	/* 0: keep */
};
void		 pol_get_audit(const struct pol *, struct pol_audit *);

/* ------------------------------------------------------------------ */
/* Evaluation */

enum pol_opaque {
	POL_OPAQUE_ENFORCE = 0,	/* run; rely on per-exec enforcement */
	POL_OPAQUE_DENY,
	POL_OPAQUE_APPROVE,
	POL_OPAQUE_ALLOW,
};
int		 pol_opaque_parse(const char *, enum pol_opaque *);
const char	*pol_opaque_name(enum pol_opaque);

/* Flags of struct pol_ctx. */
#define POL_CTX_EXEC_INTERCEPTED 0x01	/* every execve is decided again */

struct pol_ctx {
	unsigned int	 flags;
	/* sandbox.seccomp.shellc.opaque.  With ENFORCE and no
	 * POL_CTX_EXEC_INTERCEPTED, an opaque script is denied. */
	enum pol_opaque	 opaque;
};

/* Who decided an exec (struct pol_result.by). */
enum pol_by {
	POL_BY_COMMAND = 0,	/* the command itself */
	POL_BY_WRAPPER,		/* a transparent wrapper between command and payload */
	POL_BY_PAYLOAD,		/* the command a wrapper runs */
	POL_BY_SHELL,		/* a simple command inside `sh -c` */
	POL_BY_ENGINE,		/* the engine itself (loader, opaque script...) */
};

struct pol_cmd_redirect {
	const char		 *command;
	const char *const	 *args;		/* NULL-terminated */
	size_t			  nargs;
	const char *const	 *args_append;
	size_t			  nargs_append;
	const char *const	 *env;		/* "K=V", NULL-terminated */
	size_t			  nenv;
};

enum pol_redirect_kind {
	POL_REDIR_NONE = 0,
	POL_REDIR_COMMAND,	/* .cmd */
	POL_REDIR_FILE,		/* .path: the redirected path */
	POL_REDIR_SIGNAL,	/* .signal */
	POL_REDIR_DNS,		/* .addr: resolve_to, .visibility, .on_failure */
	POL_REDIR_CONNECT,	/* .addr: host:port, .tls_mode, .sni, ... */
};

#define POL_MSG_MAX	 1024
#define POL_PATH_MAX	 4096

struct pol_result {
	enum pol_decision decision;	/* what the policy says */
	enum pol_decision effective;	/* what happens: audit and soft_delete
					 * proceed (allow); the rest as is */
	const char	*rule;		/* rule name; lives as long as the pol */
	char		 message[POL_MSG_MAX];	/* rendered, may be "" */
	int64_t		 timeout_ms;	/* approve: the rule's timeout, 0: default */

	enum pol_redirect_kind redirect;
	const struct pol_cmd_redirect *cmd;	/* lives as long as the pol */
	int		 signal;		/* POL_REDIR_SIGNAL */
	const char	*addr;			/* DNS/CONNECT target */
	const char	*visibility;		/* silent|audit_only|warn */
	const char	*on_failure;		/* fail_closed|fail_open|retry_original */
	const char	*tls_mode;		/* passthrough|rewrite_sni */
	const char	*sni;			/* "" if none */
	char		 path[POL_PATH_MAX];	/* POL_REDIR_FILE */

	/* exec only */
	enum pol_by	 by;
	int		 unwrapped;	/* a transparent wrapper was looked through */
	char		 unwrapped_from[POL_PATH_MAX];	/* the wrapper */
	char		 payload_command[POL_PATH_MAX];	/* what it runs */
	char		 decider[POL_PATH_MAX];	/* by != COMMAND: the command
						 * whose rule decided */
	int		 opaque;	/* a `sh -c` script could not be followed */
};

/* File operations (operations: of file_rules). */
enum pol_fileop {
	POL_OP_READ = 0, POL_OP_OPEN, POL_OP_STAT, POL_OP_LIST,
	POL_OP_READLINK, POL_OP_ACCESS, POL_OP_WRITE, POL_OP_CREATE,
	POL_OP_DELETE, POL_OP_RMDIR, POL_OP_MKDIR, POL_OP_RENAME, POL_OP_LINK,
	POL_OP_SYMLINK, POL_OP_CHMOD, POL_OP_CHOWN, POL_OP_MKNOD,
	POL_OP_NFILEOPS
};
int		 pol_fileop_parse(const char *, enum pol_fileop *);
const char	*pol_fileop_name(enum pol_fileop);

/* 'path' is absolute and canonical (the enforcer resolved it). */
void		 pol_eval_file(const struct pol *, const char *path,
		    enum pol_fileop, struct pol_result *);

struct pol_exec_req {
	/* The executable, symlink-resolved by the caller when it can; NULL:
	 * argv[0] as given. */
	const char		 *path;
	const char *const	 *argv;		/* argv[0] is the command name */
	size_t			  argc;		/* >= 1 */
	int			  depth;	/* 0: run directly by the user */
};
/*
 * Command rules on the command, every transparent wrapper it runs through
 * (up to 5 levels) and the simple commands of a `sh -c` script; the most
 * restrictive decision wins.  ctx == NULL: opaque mode enforce, execs not
 * intercepted.  Returns -1 (ENOMEM, EINVAL for argc 0) only when it could
 * not evaluate; 'res' is then a deny.
 */
int		 pol_eval_exec(const struct pol *, const struct pol_ctx *,
		    const struct pol_exec_req *, struct pol_result *);

struct pol_connect_req {
	const char	*host;		/* domain, or NULL */
	const char	*ip;		/* textual IPv4/IPv6, or NULL */
	int		 port;		/* 0..65535 */
};
/* connect_redirects (matched on host:port), then network_rules. */
void		 pol_eval_connect(const struct pol *,
		    const struct pol_connect_req *, struct pol_result *);
/* dns_redirects, then network_rules for the name on port 53; a name no
 * rule names is allowed (rule "dns-monitor-only"). */
void		 pol_eval_dns(const struct pol *, const char *host,
		    struct pol_result *);

/* Who receives a signal, as the supervisor sees it (POL_SIGT_*). */
#define POL_SIGT_SELF		0x001
#define POL_SIGT_CHILD		0x002
#define POL_SIGT_DESCENDANT	0x004
#define POL_SIGT_SIBLING	0x008
#define POL_SIGT_PARENT		0x010
#define POL_SIGT_IN_SESSION	0x020
#define POL_SIGT_SAME_USER	0x040

struct pol_signal_req {
	int		 signal;	/* 1..64 */
	unsigned int	 target;	/* POL_SIGT_* */
	int		 target_pid;
	const char	*target_comm;	/* may be NULL */
	int		 cannot_block;	/* apply the rule's fallback */
};
int		 pol_signal_parse(const char *, int *);	/* name or number */
const char	*pol_signal_name(int);
void		 pol_eval_signal(const struct pol *,
		    const struct pol_signal_req *, struct pol_result *);

enum pol_unixop {
	POL_UOP_CONNECT = 0, POL_UOP_BIND, POL_UOP_LISTEN, POL_UOP_SENDTO,
	POL_UOP_N
};
int		 pol_unixop_parse(const char *, enum pol_unixop *);
/* Abstract sockets are named "@name". */
void		 pol_eval_unix(const struct pol *, const char *path,
		    enum pol_unixop, struct pol_result *);

/* ------------------------------------------------------------------ */
/* The child environment (env_policy, per-command overrides, env_inject) */

struct pol_env_req {
	/* The environment the server itself runs with: only PATH, LANG,
	 * LC_*, TERM and HOME are taken from it (PATH=/usr/bin:/bin when
	 * absent). */
	const char *const	 *base;		/* "K=V", NULL-terminated */
	/* ExecRequest.env. */
	const char *const	 *request;	/* "K=V", NULL-terminated */
	/* sandbox.env_inject of the server config; the policy's env_inject
	 * wins over it for the same key. */
	const char *const	 *inject;	/* "K=V", NULL-terminated */
	/* The command, as for pol_eval_exec: its command rule may narrow
	 * the environment (env_allow, env_deny, env_max_*). */
	const struct pol_exec_req *exec;	/* may be NULL */
};

struct pol_env {
	char		**env;		/* "K=V", sorted, NULL-terminated */
	size_t		  n;
	size_t		  bytes;	/* sum of strlen + 1 */
	int		  block_iteration;
	const char	 *rule;		/* the command rule whose env settings
					 * applied, or NULL */
};
/*
 * Builds the child environment: the base keys and the request's keys that
 * env_policy (or the command rule's env_* overrides) let through, the
 * built-in secret deny list when no allow list is given, AGENTSH_* from
 * the request unfiltered, then both env_inject maps unfiltered; sorted.
 * max_keys and max_bytes apply to the result.  Returns -1 with EINVAL and
 * a message naming the limit when one is exceeded ("environment has 12
 * variables, more than env_policy.max_keys 10") or an entry of the
 * request is not NAME=VALUE, ENOMEM otherwise.
 */
int		 pol_env_build(const struct pol *, const struct pol_env_req *,
		    struct pol_env *, char *err, size_t errlen);
void		 pol_env_clear(struct pol_env *);
/* Whether a name is on the built-in secret deny list. */
int		 pol_env_is_secret(const char *name);

/* ------------------------------------------------------------------ */
/* pol_json.c: the operations of `agentsh policy eval` as JSON objects
 * (include jansson.h first) */

#ifdef JANSSON_H
json_t	*pol_eval_json(const struct pol *, const struct pol_ctx *, json_t *);
json_t	*pol_json_error(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
#endif

#endif /* AGENTSH_POLICY_H */
