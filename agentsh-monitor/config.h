/*
 * config.yaml (CONTRACT.md section 4): the server's configuration, parsed
 * strictly by config.c.  Every key of the contract is known; a key that is
 * documented but not implemented yet is an error saying "not supported
 * yet"; an unknown key, a wrong type or a bad value is an error naming the
 * file, line and key path.  A missing file means built-in defaults.
 */
#ifndef AGENTSH_MONITOR_CONFIG_H
#define AGENTSH_MONITOR_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <stdio.h>

struct cfg_strlist {
	size_t		  n;
	char		**v;
};

struct cfg_kv {
	char		*key;
	char		*value;
};

struct cfg_kvlist {
	size_t		  n;
	struct cfg_kv	 *v;
};

enum cfg_auth_type {
	CFG_AUTH_NONE = 0,
	CFG_AUTH_API_KEY,
};

enum cfg_symlink_escape {
	CFG_SYMLINK_EVALUATE = 0,
	CFG_SYMLINK_DENY,
};

enum cfg_hmac {
	CFG_HMAC_SHA256 = 0,
	CFG_HMAC_SHA512,
};

enum cfg_key_source {
	CFG_KEY_FILE = 0,
	CFG_KEY_ENV,
};

enum cfg_shellc_opaque {
	CFG_SHELLC_ENFORCE = 0,
	CFG_SHELLC_DENY,
	CFG_SHELLC_APPROVE,
	CFG_SHELLC_ALLOW,
};

struct mon_config {
	char		*path;		/* file read, or NULL for defaults */

	/* server */
	char		*http_addr;	/* "127.0.0.1:18080" */
	int		 http_read_timeout_ms;	/* 30s */
	int		 http_write_timeout_ms;	/* 5m */
	size_t		 http_max_request_size;	/* 10MB (10^7 bytes) */
	int		 unix_enabled;		/* 1 */
	char		*unix_path;		/* /run/agentsh/agentsh.sock */
	mode_t		 unix_permissions;	/* 0666 */

	/* privsep (ours): the system users the suite runs its helpers as */
	char		*privsep_user;		/* "agentsh" */
	char		*privsep_audit_user;	/* "agentsh-audit" */

	/* auth */
	enum cfg_auth_type auth_type;		/* none */
	char		*api_keys_file;		/* NULL: required by api_key */
	char		*api_key_header;	/* "X-API-Key" */

	/* sessions */
	char		*sessions_base_dir;	/* /var/lib/agentsh/sessions */
	int		 max_sessions;		/* 100 */
	int		 real_paths;		/* 0 */
	char		*run_as;		/* "nobody" */
	uid_t		 userns_uid_base;	/* 100000000 */
	uint32_t	 userns_uid_count;	/* 65536 */
	long long	 default_timeout_ms;	/* 0: none */
	long long	 default_idle_timeout_ms; /* 0: none */

	/* policies */
	char		*policies_dir;		/* /etc/agentsh/policies */
	char		*policies_default;	/* "default" */
	struct cfg_strlist policies_allowed;	/* empty: all in dir */
	char		*policies_manifest_path;	/* NULL: none */
	enum cfg_symlink_escape symlink_escape;	/* evaluate */
	int		 detect_project_root;	/* 1 */
	struct cfg_strlist project_markers;	/* built-in list when empty */

	/* audit */
	char		*audit_output;		/* /var/log/agentsh/audit.jsonl */
	int		 audit_rotation_max_size_mb;	/* 500 */
	int		 audit_rotation_max_backups;	/* 10 */
	int		 audit_syslog;		/* 1: chain head to syslog */
	int		 integrity_enabled;	/* 1 */
	enum cfg_hmac	 integrity_algorithm;	/* hmac-sha256 */
	enum cfg_key_source integrity_key_source; /* file */
	char		*integrity_key_file;	/* /var/lib/agentsh/audit.key */
	char		*integrity_key_env;	/* NULL: required by env */

	/* sandbox */
	char		*cgroups_base_path;	/* NULL: our own cgroup */
	int		 execve_max_argc;	/* 1000 */
	int		 execve_max_argv_bytes;	/* 65536 */
	enum cfg_shellc_opaque shellc_opaque;	/* enforce */
	struct cfg_kvlist env_inject;		/* empty */
};

/* config.c */
/* Fills in the defaults; -1 (ENOMEM) leaves the struct empty. */
int	 config_defaults(struct mon_config *);
/*
 * Loads 'path' over the defaults.  path == NULL: the lookup of CONTRACT
 * section 1 (AGENTSH_CONFIG, $XDG_CONFIG_HOME/agentsh/config.yaml,
 * /etc/agentsh/config.yaml), defaults when none exists.  A path given
 * explicitly must exist.  Returns -1 with a message in err:
 * "FILE:LINE:COL: KEY.PATH: what is wrong".  The struct is overwritten,
 * not read: on failure it holds the defaults (nothing when memory ran
 * out), so config_free() is right either way.
 */
int	 config_load(struct mon_config *, const char *path, char *err,
	    size_t errlen);
/* The same from a buffer named 'name' in messages (tests, fuzzing). */
int	 config_load_buf(struct mon_config *, const char *name,
	    const void *buf, size_t len, char *err, size_t errlen);
void	 config_free(struct mon_config *);
/* Prints the effective configuration as YAML (agentsh-monitor -nv). */
void	 config_print(const struct mon_config *, FILE *);

#endif /* AGENTSH_MONITOR_CONFIG_H */
