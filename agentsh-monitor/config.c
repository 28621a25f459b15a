/*
 * config.yaml: strict, table-driven parsing of CONTRACT.md section 4.
 *
 * Every key of the contract has an entry in the tables below.  An entry
 * flagged CKF_NOTYET (or lying under one) is known but refused with "not
 * supported yet"; supporting it means giving it a field and a kind and
 * dropping the flag.  A file is parsed into a scratch struct that replaces
 * the caller's only when every key and every check across keys passed.
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cfgval.h"
#include "config.h"
#include "pathnames.h"
#include "ytree.h"

#define MAX_TEXT	PATH_MAX	/* bytes in a string value, NUL too */
#define MAX_ENV_VALUE	65536
#define MAX_LIST	1024	/* items in a list */
#define MAX_ENV		256	/* entries in env_inject */
#define UID_MIN_USERNS	65536LL		/* below: ordinary users and groups */
#define UID_MAX_USERNS	2147483647LL	/* ids are signed in some tools */

enum ckind {
	CK_SECTION,	/* a mapping of the keys in 'sub' */
	CK_STR,		/* char *, checked as 'check' says */
	CK_BOOL,	/* int, true or false */
	CK_INT,		/* int in [min, max] */
	CK_UID,		/* uid_t in [min, max] */
	CK_U32,		/* uint32_t in [min, max] */
	CK_SIZE,	/* size_t from "10MB", "1MiB", 4096 */
	CK_DUR_INT,	/* int milliseconds from "30s", "1h30m", "500ms" */
	CK_DUR_LL,	/* long long milliseconds, likewise */
	CK_MODE,	/* mode_t from "0660" */
	CK_ENUM,	/* an enum cfg_*, spelled as in 'names' */
	CK_LIST,	/* struct cfg_strlist, items checked as 'check' says */
	CK_ENV,		/* struct cfg_kvlist, NAME: value */
	CK_ANY,		/* known, not supported yet: no field */
};

enum ccheck {
	SC_PATH,	/* an absolute path */
	SC_USER,	/* a system user name */
	SC_POLICY,	/* a policy name: [A-Za-z0-9_-]+ */
	SC_HEADER,	/* an HTTP header field name */
	SC_ENVNAME,	/* an environment variable name */
	SC_FILENAME,	/* a file name without '/' */
	SC_ADDR,	/* IPv4:port or [IPv6]:port */
};

#define CKF_NOTYET	0x01	/* known, refused: "not supported yet" */

struct ckey {
	const char		 *name;
	enum ckind		  kind;
	unsigned int		  flags;
	size_t			  off;
	const struct ckey	 *sub;		/* CK_SECTION */
	enum ccheck		  check;	/* CK_STR, CK_LIST */
	const char *const	 *names;	/* CK_ENUM, by value */
	long long		  min, max;	/* numbers, sizes, durations */
};

#define F(m)		offsetof(struct mon_config, m)
#define SECTION(n, s)	{ .name = (n), .kind = CK_SECTION, .sub = (s) }
#define NOTYET(n)	{ .name = (n), .kind = CK_ANY, .flags = CKF_NOTYET }
#define NOTYET_SECTION(n, s) \
	{ .name = (n), .kind = CK_SECTION, .flags = CKF_NOTYET, .sub = (s) }
/* A string; those whose default is NULL print as "# name: unset". */
#define STR(n, m, c) \
	{ .name = (n), .kind = CK_STR, .off = F(m), .check = (c) }
#define BOOL(n, m)	{ .name = (n), .kind = CK_BOOL, .off = F(m) }
#define NUM(n, k, m, lo, hi) \
	{ .name = (n), .kind = (k), .off = F(m), .min = (lo), .max = (hi) }
#define ENUM(n, m, v) \
	{ .name = (n), .kind = CK_ENUM, .off = F(m), .names = (v) }
#define LIST(n, m, c) \
	{ .name = (n), .kind = CK_LIST, .off = F(m), .check = (c) }
#define END		{ .name = NULL }

/* Enum spellings, indexed by the enum's value. */
static const char *const auth_names[] = { "none", "api_key", NULL };
static const char *const symlink_names[] = { "evaluate", "deny", NULL };
static const char *const hmac_names[] = { "hmac-sha256", "hmac-sha512", NULL };
static const char *const keysrc_names[] = { "file", "env", NULL };
static const char *const opaque_names[] = {
	"enforce", "deny", "approve", "allow", NULL
};

/* The enums are stored through an int: they must be int-sized. */
_Static_assert(sizeof(enum cfg_auth_type) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_symlink_escape) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_hmac) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_key_source) == sizeof(int), "enum size");
_Static_assert(sizeof(enum cfg_shellc_opaque) == sizeof(int), "enum size");

static const struct ckey http_keys[] = {
	STR("addr", http_addr, SC_ADDR),
	NUM("read_timeout", CK_DUR_INT, http_read_timeout_ms, 1, DAY_MS),
	NUM("write_timeout", CK_DUR_INT, http_write_timeout_ms, 1, DAY_MS),
	NUM("max_request_size", CK_SIZE, http_max_request_size, 1,
	    1024LL * 1024 * 1024),
	END
};

static const struct ckey unix_keys[] = {
	BOOL("enabled", unix_enabled),
	STR("path", unix_path, SC_PATH),
	{ .name = "permissions", .kind = CK_MODE, .off = F(unix_permissions) },
	END
};

static const struct ckey server_keys[] = {
	SECTION("http", http_keys),
	SECTION("unix_socket", unix_keys),
	END
};

static const struct ckey apikey_keys[] = {
	STR("keys_file", api_keys_file, SC_PATH),
	STR("header_name", api_key_header, SC_HEADER),
	END
};

static const struct ckey auth_keys[] = {
	ENUM("type", auth_type, auth_names),
	SECTION("api_key", apikey_keys),
	END
};

static const struct ckey autocp_keys[] = {
	NOTYET("enabled"), NOTYET("triggers"),
	END
};

static const struct ckey retention_keys[] = {
	NOTYET("max_age"), NOTYET("cleanup_interval"),
	END
};

static const struct ckey checkpoint_keys[] = {
	NOTYET("enabled"), NOTYET("storage_dir"),
	NOTYET("max_per_session"), NOTYET("max_size_mb"),
	SECTION("auto_checkpoint", autocp_keys),
	SECTION("retention", retention_keys),
	END
};

static const struct ckey sessions_keys[] = {
	STR("base_dir", sessions_base_dir, SC_PATH),
	NUM("max_sessions", CK_INT, max_sessions, 1, 100000),
	BOOL("real_paths", real_paths),
	STR("run_as", run_as, SC_USER),
	NUM("userns_uid_base", CK_UID, userns_uid_base, UID_MIN_USERNS,
	    UID_MAX_USERNS),
	NUM("userns_uid_count", CK_U32, userns_uid_count, 1,
	    UID_MAX_USERNS - UID_MIN_USERNS + 1),
	NUM("default_timeout", CK_DUR_LL, default_timeout_ms, 0, 366 * DAY_MS),
	NUM("default_idle_timeout", CK_DUR_LL, default_idle_timeout_ms, 0,
	    366 * DAY_MS),
	NOTYET_SECTION("checkpoints", checkpoint_keys),
	END
};

static const struct ckey policies_keys[] = {
	STR("dir", policies_dir, SC_PATH),
	STR("default", policies_default, SC_POLICY),
	LIST("allowed", policies_allowed, SC_POLICY),
	STR("manifest_path", policies_manifest_path, SC_PATH),
	ENUM("symlink_escape", symlink_escape, symlink_names),
	BOOL("detect_project_root", detect_project_root),
	LIST("project_markers", project_markers, SC_FILENAME),
	END
};

static const struct ckey rotation_keys[] = {
	NUM("max_size_mb", CK_INT, audit_rotation_max_size_mb, 1, 1048576),
	NUM("max_backups", CK_INT, audit_rotation_max_backups, 0, 10000),
	END
};

static const struct ckey integrity_keys[] = {
	BOOL("enabled", integrity_enabled),
	ENUM("algorithm", integrity_algorithm, hmac_names),
	ENUM("key_source", integrity_key_source, keysrc_names),
	STR("key_file", integrity_key_file, SC_PATH),
	STR("key_env", integrity_key_env, SC_ENVNAME),
	END
};

static const struct ckey audit_keys[] = {
	STR("output", audit_output, SC_PATH),
	SECTION("rotation", rotation_keys),
	BOOL("syslog", audit_syslog),
	SECTION("integrity", integrity_keys),
	END
};

static const struct ckey approvals_keys[] = {
	NOTYET("enabled"), NOTYET("mode"), NOTYET("timeout"),
	NOTYET("approvers"),
	END
};

static const struct ckey security_keys[] = {
	NOTYET("mode"), NOTYET("strict"), NOTYET("minimum_mode"),
	NOTYET("warn_degraded"),
	END
};

static const struct ckey llnet_keys[] = {
	NOTYET("allow_connect_tcp"), NOTYET("allow_bind_tcp"),
	NOTYET("bind_ports"),
	END
};

static const struct ckey landlock_keys[] = {
	NOTYET("enabled"), NOTYET("allow_execute"),
	NOTYET("allow_read"), NOTYET("allow_write"),
	NOTYET("deny_paths"),
	SECTION("network", llnet_keys),
	END
};

static const struct ckey fuse_audit_keys[] = {
	NOTYET("enabled"), NOTYET("mode"), NOTYET("trash_path"),
	NOTYET("ttl"), NOTYET("quota"),
	NOTYET("strict_on_audit_failure"), NOTYET("max_event_queue"),
	NOTYET("hash_small_files_under"),
	END
};

static const struct ckey fuse_keys[] = {
	NOTYET("enabled"), NOTYET("deferred"),
	SECTION("audit", fuse_audit_keys),
	NOTYET("mount_base_dir"), NOTYET("deferred_marker_file"),
	NOTYET("deferred_enable_command"), NOTYET("max_background"),
	END
};

static const struct ckey tlsi_keys[] = {
	NOTYET("enabled"), NOTYET("ca_cert"), NOTYET("ca_key"),
	END
};

static const struct ckey transparent_keys[] = {
	NOTYET("enabled"), NOTYET("subnet_base"),
	END
};

static const struct ckey ebpf_keys[] = {
	NOTYET("enabled"), NOTYET("required"), NOTYET("resolve_rdns"),
	NOTYET("enforce"), NOTYET("enforce_without_dns"),
	NOTYET("map_allow_entries"), NOTYET("map_deny_entries"),
	NOTYET("map_lpm_entries"), NOTYET("map_lpm_deny_entries"),
	NOTYET("map_default_entries"), NOTYET("dns_refresh_seconds"),
	NOTYET("dns_max_ttl_seconds"),
	END
};

static const struct ckey ratelimit_keys[] = {
	NOTYET("enabled"), NOTYET("global_rpm"), NOTYET("global_burst"),
	NOTYET("per_domain"),
	END
};

static const struct ckey network_keys[] = {
	NOTYET("enabled"), NOTYET("proxy_port"), NOTYET("dns_port"),
	NOTYET("intercept_mode"), NOTYET("proxy_listen_addr"),
	SECTION("tls_inspection", tlsi_keys),
	SECTION("transparent", transparent_keys),
	SECTION("ebpf", ebpf_keys),
	SECTION("rate_limits", ratelimit_keys),
	END
};

static const struct ckey execve_keys[] = {
	NUM("max_argc", CK_INT, execve_max_argc, 1, 1048576),
	NUM("max_argv_bytes", CK_INT, execve_max_argv_bytes, 1, 16777216),
	NOTYET("on_truncated"),
	END
};

static const struct ckey shellc_keys[] = {
	ENUM("opaque", shellc_opaque, opaque_names),
	END
};

static const struct ckey seccomp_keys[] = {
	SECTION("execve", execve_keys),
	SECTION("shellc", shellc_keys),
	END
};

static const struct ckey cgroups_keys[] = {
	NOTYET("enabled"),
	STR("base_path", cgroups_base_path, SC_PATH),
	NOTYET("best_effort"),
	END
};

static const struct ckey sandbox_keys[] = {
	NOTYET_SECTION("fuse", fuse_keys),
	NOTYET_SECTION("network", network_keys),
	SECTION("seccomp", seccomp_keys),
	SECTION("cgroups", cgroups_keys),
	{ .name = "env_inject", .kind = CK_ENV, .off = F(env_inject) },
	END
};

static const struct ckey providers_keys[] = {
	NOTYET("anthropic"), NOTYET("openai"),
	END
};

static const struct ckey proxy_keys[] = {
	NOTYET("mode"),
	SECTION("providers", providers_keys),
	END
};

static const struct ckey patterns_keys[] = {
	NOTYET("email"), NOTYET("phone"), NOTYET("credit_card"),
	NOTYET("ssn"), NOTYET("api_keys"),
	END
};

static const struct ckey dlp_keys[] = {
	NOTYET("mode"),
	SECTION("patterns", patterns_keys),
	NOTYET("custom_patterns"),
	END
};

static const struct ckey privsep_keys[] = {
	STR("user", privsep_user, SC_USER),
	STR("audit_user", privsep_audit_user, SC_USER),
	END
};

static const struct ckey root_keys[] = {
	SECTION("server", server_keys),
	SECTION("auth", auth_keys),
	SECTION("sessions", sessions_keys),
	SECTION("policies", policies_keys),
	SECTION("audit", audit_keys),
	NOTYET_SECTION("approvals", approvals_keys),
	NOTYET_SECTION("security", security_keys),
	NOTYET_SECTION("landlock", landlock_keys),
	SECTION("sandbox", sandbox_keys),
	NOTYET_SECTION("proxy", proxy_keys),
	NOTYET_SECTION("dlp", dlp_keys),
	SECTION("privsep", privsep_keys),
	END
};

/*
 * Settings that do nothing given another: refused when written in the
 * file, printed as comments by config_print().
 */
static int
auth_is_none(const struct mon_config *c)
{
	return c->auth_type != CFG_AUTH_API_KEY;
}

static int
keysrc_is_env(const struct mon_config *c)
{
	return c->integrity_key_source == CFG_KEY_ENV;
}

static int
keysrc_is_file(const struct mon_config *c)
{
	return c->integrity_key_source == CFG_KEY_FILE;
}

static const struct inert {
	const char	*path[4];
	size_t		 off;
	int		(*applies)(const struct mon_config *);
	const char	*why;
} inerts[] = {
	{ { "auth", "api_key", "keys_file" }, F(api_keys_file), auth_is_none,
	    "only used with auth.type api_key" },
	{ { "auth", "api_key", "header_name" }, F(api_key_header), auth_is_none,
	    "only used with auth.type api_key" },
	{ { "audit", "integrity", "key_file" }, F(integrity_key_file),
	    keysrc_is_env, "only used with key_source file" },
	{ { "audit", "integrity", "key_env" }, F(integrity_key_env),
	    keysrc_is_file, "only used with key_source env" },
};

struct pstate {
	const char		*file;
	char			*err;
	size_t			 errlen;
	struct mon_config	*cfg;
	const struct ytree	*root;
	char			 path[512];
};

#define FIELD(cfg, off, type)	((type *)(void *)((char *)(cfg) + (off)))
#define CFIELD(cfg, off, type) \
	((const type *)(const void *)((const char *)(cfg) + (off)))

/* "FILE:LINE:COL: PATH: what"; without a node "FILE: PATH: what". */
static int
perr(struct pstate *st, const struct ytree *at, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
perr(struct pstate *st, const struct ytree *at, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return ytree_err(st->err, st->errlen, st->file, at, st->path, "%s",
	    msg);
}

/* Appends ".key" (escaped) to the key path; returns the old length. */
static size_t
path_key(struct pstate *st, const struct ytree *kn)
{
	size_t	 old = strlen(st->path);
	char	 vis[128];

	ytree_vis(vis, sizeof(vis), kn->str, kn->len, 64);
	(void)snprintf(st->path + old, sizeof(st->path) - old, "%s%s",
	    old > 0 ? "." : "", vis);
	return old;
}

static size_t
path_index(struct pstate *st, size_t i)
{
	size_t	 old = strlen(st->path);

	(void)snprintf(st->path + old, sizeof(st->path) - old, "[%zu]", i);
	return old;
}

static void
path_pop(struct pstate *st, size_t old)
{
	st->path[old] = '\0';
}

static const char *
kind_name(const struct ytree *t)
{
	switch (t->type) {
	case YTREE_MAP:
		return "a mapping";
	case YTREE_SEQ:
		return "a list";
	default:
		return "a scalar";
	}
}

/* A scalar with text: not a collection, not null, no NUL byte. */
static int
scalar(struct pstate *st, const struct ytree *v)
{
	if (v->type != YTREE_SCALAR)
		return perr(st, v, "expected a scalar, got %s", kind_name(v));
	if (ytree_is_null(v))
		return perr(st, v, "missing value");
	if (strlen(v->str) != v->len)
		return perr(st, v, "contains a NUL byte");
	return 0;
}

static void
vis(char *dst, size_t dstlen, const struct ytree *v)
{
	ytree_vis(dst, dstlen, v->str, v->len, 64);
}

static int
check_text(struct pstate *st, const struct ytree *v, enum ccheck c)
{
	const char	*s = v->str, *why = NULL;
	char		 b[160];
	int		 lb;

	if (v->len == 0)
		return perr(st, v, "must not be empty");
	if (v->len >= MAX_TEXT)
		return perr(st, v, "longer than %d bytes", MAX_TEXT - 1);
	vis(b, sizeof(b), v);
	switch (c) {
	case SC_PATH:
		if (s[0] == '$')
			return perr(st, v, "must be an absolute path "
			    "(environment variables are not expanded)");
		if (s[0] != '/')
			return perr(st, v, "\"%s\" is not an absolute path", b);
		return 0;
	case SC_USER:
		if (!cfgval_user(s))
			return perr(st, v, "\"%s\" is not a valid user name "
			    "(letters, digits, '_', '-', '.'; at most 32)", b);
		return 0;
	case SC_POLICY:
		if (!cfgval_name(s, 128, "-", 1))
			return perr(st, v, "\"%s\" is not a valid policy name "
			    "(letters, digits, '_', '-')", b);
		return 0;
	case SC_HEADER:
		if (!cfgval_name(s, 64, "-!#$%&'*+.^`|~", 1))
			return perr(st, v, "\"%s\" is not a valid HTTP header "
			    "name", b);
		return 0;
	case SC_ENVNAME:
		if (!cfgval_name(s, 128, "", 0))
			return perr(st, v, "\"%s\" is not a valid environment "
			    "variable name", b);
		return 0;
	case SC_FILENAME:
		if (strchr(s, '/') != NULL || strcmp(s, ".") == 0 ||
		    strcmp(s, "..") == 0 || v->len > NAME_MAX)
			return perr(st, v, "\"%s\" is not a file name (no "
			    "'/')", b);
		return 0;
	case SC_ADDR:
		if (cfgval_addr(s, &lb, &why) == -1)
			return perr(st, v, "\"%s\": %s", b, why);
		return 0;
	}
	return perr(st, v, "internal error: unknown check");
}

/* A plain decimal integer, no sign but '-', no leading zeros. */
static int
parse_int(struct pstate *st, const struct ytree *v, long long min,
    long long max, long long *out)
{
	const char	*s = v->str, *e;
	char		 b[160];
	size_t		 i;
	long long	 n;

	if (scalar(st, v) == -1)
		return -1;
	vis(b, sizeof(b), v);
	if (!v->plain)
		return perr(st, v, "expected an integer, got a quoted string");
	i = s[0] == '-' ? 1 : 0;
	if (s[i] == '\0' || strspn(s + i, "0123456789") != strlen(s + i) ||
	    (s[i] == '0' && s[i + 1] != '\0'))
		return perr(st, v, "\"%s\" is not a decimal integer", b);
	n = strtonum(s, LLONG_MIN, LLONG_MAX, &e);
	if (e != NULL || n < min || n > max)
		return perr(st, v, "%s is out of range (%lld to %lld)", b,
		    min, max);
	*out = n;
	return 0;
}

static int
set_str(struct pstate *st, const struct ytree *v, char **dst)
{
	char	*s;

	if ((s = strdup(v->str)) == NULL)
		return perr(st, v, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

static void
strlist_free(struct cfg_strlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static void
kvlist_free(struct cfg_kvlist *l)
{
	size_t	 i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].key);
		if (l->v[i].value != NULL)
			freezero(l->v[i].value, strlen(l->v[i].value));
	}
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int
parse_list(struct pstate *st, const struct ckey *k, const struct ytree *v)
{
	struct cfg_strlist	 l = { 0, NULL }, *dst;
	const struct ytree	*it;
	size_t			 i, j, old;
	int			 rv = -1;

	dst = FIELD(st->cfg, k->off, struct cfg_strlist);
	if (ytree_is_null(v)) {
		strlist_free(dst);
		return 0;
	}
	if (v->type != YTREE_SEQ)
		return perr(st, v, "expected a list, got %s", kind_name(v));
	if (v->nkids > MAX_LIST)
		return perr(st, v, "more than %d items", MAX_LIST);
	if (v->nkids > 0 && (l.v = calloc(v->nkids, sizeof(*l.v))) == NULL)
		return perr(st, v, "out of memory");
	for (i = 0; i < v->nkids; i++) {
		it = v->kids[i];
		old = path_index(st, i);
		if (scalar(st, it) == -1 || check_text(st, it, k->check) == -1)
			goto out;
		for (j = 0; j < i; j++)
			if (strcmp(v->kids[j]->str, it->str) == 0) {
				perr(st, it, "duplicate entry (also at line "
				    "%lu)", v->kids[j]->line);
				goto out;
			}
		if ((l.v[i] = strdup(it->str)) == NULL) {
			perr(st, it, "out of memory");
			goto out;
		}
		l.n++;
		path_pop(st, old);
	}
	strlist_free(dst);
	*dst = l;
	l.v = NULL;
	l.n = 0;
	rv = 0;
 out:
	strlist_free(&l);
	return rv;
}

static int
parse_env(struct pstate *st, const struct ckey *k, const struct ytree *v)
{
	struct cfg_kvlist	 l = { 0, NULL }, *dst;
	const struct ytree	*kn, *vn;
	size_t			 i, j, old;
	int			 rv = -1;

	dst = FIELD(st->cfg, k->off, struct cfg_kvlist);
	if (ytree_is_null(v)) {
		kvlist_free(dst);
		return 0;
	}
	if (v->type != YTREE_MAP)
		return perr(st, v, "expected a mapping of NAME: value, got %s",
		    kind_name(v));
	if (v->nkids / 2 > MAX_ENV)
		return perr(st, v, "more than %d variables", MAX_ENV);
	if (v->nkids > 0 &&
	    (l.v = calloc(v->nkids / 2, sizeof(*l.v))) == NULL)
		return perr(st, v, "out of memory");
	for (i = 0; i + 1 < v->nkids; i += 2) {
		kn = v->kids[i];
		vn = v->kids[i + 1];
		if (kn->type != YTREE_SCALAR) {
			perr(st, kn, "keys must be scalars");
			goto out;
		}
		old = path_key(st, kn);
		if (scalar(st, kn) == -1 ||
		    check_text(st, kn, SC_ENVNAME) == -1)
			goto out;
		for (j = 0; j < i; j += 2)
			if (strcmp(v->kids[j]->str, kn->str) == 0) {
				perr(st, kn, "duplicate key (first at line "
				    "%lu)", v->kids[j]->line);
				goto out;
			}
		if (scalar(st, vn) == -1)
			goto out;
		if (vn->len > MAX_ENV_VALUE) {
			perr(st, vn, "longer than %d bytes", MAX_ENV_VALUE);
			goto out;
		}
		if ((l.v[l.n].key = strdup(kn->str)) == NULL ||
		    (l.v[l.n].value = strdup(vn->str)) == NULL) {
			free(l.v[l.n].key);
			l.v[l.n].key = NULL;
			perr(st, vn, "out of memory");
			goto out;
		}
		l.n++;
		path_pop(st, old);
	}
	kvlist_free(dst);
	*dst = l;
	l.v = NULL;
	l.n = 0;
	rv = 0;
 out:
	kvlist_free(&l);
	return rv;
}

static int
parse_enum(struct pstate *st, const struct ckey *k, const struct ytree *v)
{
	char	 b[160], want[160];
	size_t	 i, o = 0;

	if (scalar(st, v) == -1)
		return -1;
	for (i = 0; k->names[i] != NULL; i++)
		if (strcmp(k->names[i], v->str) == 0) {
			*FIELD(st->cfg, k->off, int) = (int)i;
			return 0;
		}
	want[0] = '\0';
	for (i = 0; k->names[i] != NULL; i++)
		o += (size_t)snprintf(want + o, o < sizeof(want) ?
		    sizeof(want) - o : 0, "%s%s", i > 0 ? ", " : "",
		    k->names[i]);
	vis(b, sizeof(b), v);
	return perr(st, v, "\"%s\" is not one of: %s", b, want);
}

static int
parse_leaf(struct pstate *st, const struct ckey *k, const struct ytree *v)
{
	const char	*why = NULL;
	char		 b[160];
	long long	 n;

	switch (k->kind) {
	case CK_STR:
		if (scalar(st, v) == -1 || check_text(st, v, k->check) == -1)
			return -1;
		return set_str(st, v, FIELD(st->cfg, k->off, char *));
	case CK_BOOL:
		if (scalar(st, v) == -1)
			return -1;
		if (v->plain && strcmp(v->str, "true") == 0)
			*FIELD(st->cfg, k->off, int) = 1;
		else if (v->plain && strcmp(v->str, "false") == 0)
			*FIELD(st->cfg, k->off, int) = 0;
		else {
			vis(b, sizeof(b), v);
			return perr(st, v, "expected true or false, got %s%s%s",
			    v->plain ? "" : "\"", b, v->plain ? "" : "\"");
		}
		return 0;
	case CK_INT:
	case CK_UID:
	case CK_U32:
		if (parse_int(st, v, k->min, k->max, &n) == -1)
			return -1;
		if (k->kind == CK_INT)
			*FIELD(st->cfg, k->off, int) = (int)n;
		else if (k->kind == CK_UID)
			*FIELD(st->cfg, k->off, uid_t) = (uid_t)n;
		else
			*FIELD(st->cfg, k->off, uint32_t) = (uint32_t)n;
		return 0;
	case CK_SIZE:
	case CK_DUR_INT:
	case CK_DUR_LL:
		if (scalar(st, v) == -1)
			return -1;
		vis(b, sizeof(b), v);
		if ((k->kind == CK_SIZE ? cfgval_size(v->str, &n, &why) :
		    cfgval_duration(v->str, &n, &why)) == -1)
			return perr(st, v, "\"%s\": %s", b, why);
		if (n < k->min || n > k->max) {
			char	 lo[32], hi[32];

			if (k->kind == CK_SIZE) {
				cfgval_fmt_size(lo, sizeof(lo), k->min);
				cfgval_fmt_size(hi, sizeof(hi), k->max);
			} else {
				cfgval_fmt_duration(lo, sizeof(lo), k->min);
				cfgval_fmt_duration(hi, sizeof(hi), k->max);
			}
			return perr(st, v, "\"%s\" is out of range (%s to %s)",
			    b, lo, hi);
		}
		if (k->kind == CK_SIZE)
			*FIELD(st->cfg, k->off, size_t) = (size_t)n;
		else if (k->kind == CK_DUR_INT)
			*FIELD(st->cfg, k->off, int) = (int)n;
		else
			*FIELD(st->cfg, k->off, long long) = n;
		return 0;
	case CK_MODE:
		if (scalar(st, v) == -1)
			return -1;
		vis(b, sizeof(b), v);
		if (cfgval_mode(v->str, FIELD(st->cfg, k->off, mode_t),
		    &why) == -1)
			return perr(st, v, "\"%s\" %s", b, why);
		return 0;
	case CK_ENUM:
		return parse_enum(st, k, v);
	case CK_LIST:
		return parse_list(st, k, v);
	case CK_ENV:
		return parse_env(st, k, v);
	case CK_SECTION:
	case CK_ANY:
		break;
	}
	return perr(st, v, "internal error: no parser");
}

static int
walk(struct pstate *st, const struct ckey *tab, const struct ytree *map,
    int notyet)
{
	const struct ytree	*kn, *vn;
	const struct ckey	*k;
	const struct ytree	*seen[64];
	size_t			 i, ki, old;
	int			 nty;

	memset(seen, 0, sizeof(seen));
	if (map == NULL || ytree_is_null(map))
		return 0;
	if (map->type != YTREE_MAP)
		return perr(st, map, "expected a mapping, got %s",
		    kind_name(map));
	for (i = 0; i + 1 < map->nkids; i += 2) {
		kn = map->kids[i];
		vn = map->kids[i + 1];
		if (kn->type != YTREE_SCALAR)
			return perr(st, kn, "keys must be scalars");
		old = path_key(st, kn);
		for (ki = 0; tab[ki].name != NULL; ki++)
			if (strcmp(tab[ki].name, kn->str) == 0 &&
			    strlen(kn->str) == kn->len)
				break;
		k = &tab[ki];
		if (k->name == NULL)
			return perr(st, kn, "unknown key");
		if (ki >= nitems(seen))
			return perr(st, kn, "internal error: table too large");
		if (seen[ki] != NULL)
			return perr(st, kn, "duplicate key (first at line %lu)",
			    seen[ki]->line);
		seen[ki] = kn;
		nty = notyet || (k->flags & CKF_NOTYET);
		if (k->kind == CK_SECTION) {
			if (walk(st, k->sub, vn, nty) == -1)
				return -1;
		} else if (nty)
			return perr(st, kn, "not supported yet");
		else if (parse_leaf(st, k, vn) == -1)
			return -1;
		path_pop(st, old);
	}
	return 0;
}

/* The value node at a dotted path, for messages about settled values. */
static const struct ytree *
node_at(const struct pstate *st, const char *a, const char *b,
    const char *c)
{
	return ytree_get(st->root, a, b, c, (const char *)NULL);
}

static int
semerr(struct pstate *st, const char *path, const struct ytree *at,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int
semerr(struct pstate *st, const char *path, const struct ytree *at,
    const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)strlcpy(st->path, path, sizeof(st->path));
	return perr(st, at, "%s", msg);
}

/* Checks across keys, once every key parsed. */
static int
check_config(struct pstate *st)
{
	const struct mon_config	*c = st->cfg;
	const struct ytree	*n;
	const char		*why;
	unsigned long long	 last;
	size_t			 i;
	int			 lb = 0;

	for (i = 0; i < nitems(inerts); i++) {
		n = node_at(st, inerts[i].path[0], inerts[i].path[1],
		    inerts[i].path[2]);
		if (n != NULL && inerts[i].applies(c)) {
			char	 p[128];

			(void)snprintf(p, sizeof(p), "%s.%s.%s",
			    inerts[i].path[0], inerts[i].path[1],
			    inerts[i].path[2]);
			return semerr(st, p, n, "has no effect: %s",
			    inerts[i].why);
		}
	}
	if (c->auth_type == CFG_AUTH_API_KEY && c->api_keys_file == NULL)
		return semerr(st, "auth.type", node_at(st, "auth", "type",
		    NULL), "api_key requires auth.api_key.keys_file");
	if (cfgval_addr(c->http_addr, &lb, &why) == -1)
		return semerr(st, "server.http.addr", node_at(st, "server",
		    "http", "addr"), "%s", why);
	if (!lb && c->auth_type != CFG_AUTH_API_KEY)
		return semerr(st, "server.http.addr", node_at(st, "server",
		    "http", "addr"), "refusing to listen on non-loopback %s "
		    "without auth.type: api_key", c->http_addr);

	last = (unsigned long long)c->userns_uid_base + c->userns_uid_count - 1;
	if (last > (unsigned long long)UID_MAX_USERNS) {
		n = node_at(st, "sessions", "userns_uid_count", NULL);
		return semerr(st, n != NULL ? "sessions.userns_uid_count" :
		    "sessions.userns_uid_base", n != NULL ? n :
		    node_at(st, "sessions", "userns_uid_base", NULL),
		    "ids %lu to %llu go beyond %lld",
		    (unsigned long)c->userns_uid_base, last, UID_MAX_USERNS);
	}

	if (c->integrity_key_source == CFG_KEY_ENV &&
	    c->integrity_key_env == NULL)
		return semerr(st, "audit.integrity.key_source",
		    node_at(st, "audit", "integrity", "key_source"),
		    "env requires audit.integrity.key_env");

	if (c->policies_allowed.n > 0) {
		for (i = 0; i < c->policies_allowed.n; i++)
			if (strcmp(c->policies_allowed.v[i],
			    c->policies_default) == 0)
				break;
		if (i == c->policies_allowed.n) {
			n = node_at(st, "policies", "default", NULL);
			return semerr(st, n != NULL ? "policies.default" :
			    "policies.allowed", n != NULL ? n :
			    node_at(st, "policies", "allowed", NULL),
			    "default policy \"%s\" is not in policies.allowed",
			    c->policies_default);
		}
	}

	/* Commands never run as host root; the helpers' users are apart. */
	if (strcmp(c->run_as, "root") == 0)
		return semerr(st, "sessions.run_as", node_at(st, "sessions",
		    "run_as", NULL), "must not be root");
	if (strcmp(c->privsep_user, "root") == 0)
		return semerr(st, "privsep.user", node_at(st, "privsep",
		    "user", NULL), "must not be root");
	if (strcmp(c->privsep_audit_user, "root") == 0)
		return semerr(st, "privsep.audit_user", node_at(st, "privsep",
		    "audit_user", NULL), "must not be root");
	if (strcmp(c->privsep_user, c->privsep_audit_user) == 0) {
		n = node_at(st, "privsep", "audit_user", NULL);
		return semerr(st, n != NULL ? "privsep.audit_user" :
		    "privsep.user", n != NULL ? n : node_at(st, "privsep",
		    "user", NULL), "must differ from privsep.%s",
		    n != NULL ? "user" : "audit_user");
	}
	if (strcmp(c->run_as, c->privsep_user) == 0 ||
	    strcmp(c->run_as, c->privsep_audit_user) == 0)
		return semerr(st, "sessions.run_as", node_at(st, "sessions",
		    "run_as", NULL), "must not be a user the suite runs as "
		    "(privsep.user, privsep.audit_user)");
	return 0;
}

int
config_defaults(struct mon_config *cfg)
{
	static const struct {
		size_t		 off;
		const char	*val;
	} strs[] = {
		{ F(http_addr), "127.0.0.1:18080" },
		{ F(unix_path), _PATH_AGENTSH_SOCK },
		{ F(privsep_user), "agentsh" },
		{ F(privsep_audit_user), "agentsh-audit" },
		{ F(api_key_header), "X-API-Key" },
		{ F(sessions_base_dir), _PATH_AGENTSH_SESSIONS },
		{ F(run_as), "nobody" },
		{ F(policies_dir), _PATH_AGENTSH_POLICIES },
		{ F(policies_default), "default" },
		{ F(audit_output), _PATH_AGENTSH_AUDITLOG },
		{ F(integrity_key_file), _PATH_AGENTSH_AUDITKEY },
	};
	size_t	 i;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < nitems(strs); i++)
		if ((*FIELD(cfg, strs[i].off, char *) =
		    strdup(strs[i].val)) == NULL) {
			config_free(cfg);
			errno = ENOMEM;
			return -1;
		}
	cfg->http_read_timeout_ms = 30 * SEC_MS;
	cfg->http_write_timeout_ms = 5 * MIN_MS;
	cfg->http_max_request_size = 10 * 1000 * 1000;
	cfg->unix_enabled = 1;
	cfg->unix_permissions = 0666;
	cfg->auth_type = CFG_AUTH_NONE;
	cfg->max_sessions = 100;
	cfg->real_paths = 0;
	cfg->userns_uid_base = 100000000;
	cfg->userns_uid_count = 65536;
	cfg->default_timeout_ms = 0;
	cfg->default_idle_timeout_ms = 0;
	cfg->symlink_escape = CFG_SYMLINK_EVALUATE;
	cfg->detect_project_root = 1;
	cfg->audit_rotation_max_size_mb = 500;
	cfg->audit_rotation_max_backups = 10;
	cfg->audit_syslog = 1;
	cfg->integrity_enabled = 1;
	cfg->integrity_algorithm = CFG_HMAC_SHA256;
	cfg->integrity_key_source = CFG_KEY_FILE;
	cfg->execve_max_argc = 1000;
	cfg->execve_max_argv_bytes = 65536;
	cfg->shellc_opaque = CFG_SHELLC_ENFORCE;
	return 0;
}

void
config_free(struct mon_config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	free(cfg->http_addr);
	free(cfg->unix_path);
	free(cfg->privsep_user);
	free(cfg->privsep_audit_user);
	free(cfg->api_keys_file);
	free(cfg->api_key_header);
	free(cfg->sessions_base_dir);
	free(cfg->run_as);
	free(cfg->policies_dir);
	free(cfg->policies_default);
	strlist_free(&cfg->policies_allowed);
	free(cfg->policies_manifest_path);
	strlist_free(&cfg->project_markers);
	free(cfg->audit_output);
	free(cfg->integrity_key_file);
	free(cfg->integrity_key_env);
	free(cfg->cgroups_base_path);
	kvlist_free(&cfg->env_inject);
	memset(cfg, 0, sizeof(*cfg));
}

int
config_load_buf(struct mon_config *cfg, const char *name, const void *buf,
    size_t len, char *err, size_t errlen)
{
	struct mon_config	 tmp;
	struct ytree		*root = NULL;
	struct pstate		 st;
	int			 rv = -1;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&st, 0, sizeof(st));
	st.file = name;
	st.err = err;
	st.errlen = errlen;
	if (config_defaults(&tmp) == -1) {
		(void)snprintf(err, errlen, "%s: out of memory", name);
		memset(cfg, 0, sizeof(*cfg));
		return -1;
	}
	st.cfg = &tmp;
	if (ytree_parse(name, buf, len, &root, err, errlen) == -1)
		goto out;
	st.root = root;
	if (root != NULL && root->type != YTREE_MAP) {
		(void)snprintf(err, errlen, "%s:%lu:%lu: expected a mapping "
		    "at the top level, got %s", name, root->line, root->col,
		    kind_name(root));
		goto out;
	}
	if (walk(&st, root_keys, root, 0) == -1 || check_config(&st) == -1)
		goto out;
	rv = 0;
 out:
	ytree_free(root);
	if (rv == 0) {
		*cfg = tmp;
		return 0;
	}
	config_free(&tmp);
	if (config_defaults(cfg) == -1)
		memset(cfg, 0, sizeof(*cfg));
	return -1;
}

/*
 * The lookup of CONTRACT section 1 when no path is given.  Returns 1 with
 * the file in 'out' (AGENTSH_CONFIG's whether it exists or not: a path
 * the user gave must exist), 0 when none exists, -1 on a too long path.
 */
static int
config_find(char *out, size_t outlen)
{
	const char	*e;
	struct stat	 st;
	char		 p[PATH_MAX];
	int		 n = 0;

	if ((e = getenv("AGENTSH_CONFIG")) != NULL && e[0] != '\0')
		return strlcpy(out, e, outlen) < outlen ? 1 : -1;
	p[0] = '\0';
	/* XDG: a relative XDG_CONFIG_HOME is invalid and ignored. */
	if ((e = getenv("XDG_CONFIG_HOME")) != NULL && e[0] == '/')
		n = snprintf(p, sizeof(p), "%s/agentsh/config.yaml", e);
	else if ((e = getenv("HOME")) != NULL && e[0] == '/')
		n = snprintf(p, sizeof(p), "%s/.config/agentsh/config.yaml", e);
	if (n < 0 || (size_t)n >= sizeof(p))
		return -1;
	if (p[0] != '\0' && (stat(p, &st) == 0 ||
	    (errno != ENOENT && errno != ENOTDIR)))
		return strlcpy(out, p, outlen) < outlen ? 1 : -1;
	if (stat(_PATH_AGENTSH_CONF, &st) == 0 ||
	    (errno != ENOENT && errno != ENOTDIR))
		return strlcpy(out, _PATH_AGENTSH_CONF, outlen) < outlen ?
		    1 : -1;
	return 0;
}

int
config_load(struct mon_config *cfg, const char *path, char *err,
    size_t errlen)
{
	char	 found[PATH_MAX];
	char	*buf = NULL;
	size_t	 len = 0;
	int	 r;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (path == NULL) {
		if ((r = config_find(found, sizeof(found))) == 0) {
			if (config_defaults(cfg) == 0)
				return 0;
			(void)snprintf(err, errlen, "out of memory");
			return -1;
		}
		if (r == -1) {
			(void)snprintf(err, errlen, "config path too long");
			goto fail;
		}
		path = found;
	}
	if (ytree_read_file(path, 0, &buf, &len, err, errlen) == -1)
		goto fail;
	r = config_load_buf(cfg, path, buf, len, err, errlen);
	freezero(buf, len);
	if (r == -1)
		return -1;
	if ((cfg->path = strdup(path)) == NULL) {
		(void)snprintf(err, errlen, "%s: out of memory", path);
		config_free(cfg);
		goto fail;
	}
	return 0;
 fail:
	if (config_defaults(cfg) == -1)
		memset(cfg, 0, sizeof(*cfg));
	return -1;
}

/* Printing */

static void
print_quoted(FILE *fp, const char *s)
{
	const unsigned char	*p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", fp);
		else if (*p == '\t')
			fputs("\\t", fp);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\x%02x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}


static const char *
inert_why(const struct mon_config *cfg, const struct ckey *k)
{
	size_t	 i;

	for (i = 0; i < nitems(inerts); i++)
		if (inerts[i].off == k->off && inerts[i].applies(cfg))
			return inerts[i].why;
	return NULL;
}

static int
has_leaves(const struct ckey *tab)
{
	size_t	 i;

	for (i = 0; tab[i].name != NULL; i++) {
		if (tab[i].flags & CKF_NOTYET)
			continue;
		if (tab[i].kind != CK_SECTION || has_leaves(tab[i].sub))
			return 1;
	}
	return 0;
}

static void
print_value(FILE *fp, const struct mon_config *cfg, const struct ckey *k,
    int ind)
{
	const struct cfg_strlist	*l;
	const struct cfg_kvlist		*kv;
	char				 b[64];
	size_t				 i;

	/* Block lists and mappings start on the next line. */
	if (!((k->kind == CK_LIST &&
	    CFIELD(cfg, k->off, struct cfg_strlist)->n > 0) ||
	    (k->kind == CK_ENV &&
	    CFIELD(cfg, k->off, struct cfg_kvlist)->n > 0)))
		fputc(' ', fp);
	switch (k->kind) {
	case CK_STR:
		print_quoted(fp, *CFIELD(cfg, k->off, char *));
		break;
	case CK_BOOL:
		fputs(*CFIELD(cfg, k->off, int) ? "true" : "false", fp);
		break;
	case CK_INT:
		fprintf(fp, "%d", *CFIELD(cfg, k->off, int));
		break;
	case CK_UID:
		fprintf(fp, "%lu",
		    (unsigned long)*CFIELD(cfg, k->off, uid_t));
		break;
	case CK_U32:
		fprintf(fp, "%lu",
		    (unsigned long)*CFIELD(cfg, k->off, uint32_t));
		break;
	case CK_SIZE:
		cfgval_fmt_size(b, sizeof(b),
		    (long long)*CFIELD(cfg, k->off, size_t));
		fputs(b, fp);
		break;
	case CK_DUR_INT:
		cfgval_fmt_duration(b, sizeof(b), *CFIELD(cfg, k->off, int));
		fputs(b, fp);
		break;
	case CK_DUR_LL:
		cfgval_fmt_duration(b, sizeof(b),
		    *CFIELD(cfg, k->off, long long));
		fputs(b, fp);
		break;
	case CK_MODE:
		fprintf(fp, "\"%04o\"",
		    (unsigned int)*CFIELD(cfg, k->off, mode_t));
		break;
	case CK_ENUM:
		fputs(k->names[*CFIELD(cfg, k->off, int)], fp);
		break;
	case CK_LIST:
		l = CFIELD(cfg, k->off, struct cfg_strlist);
		if (l->n == 0)
			fputs("[]", fp);
		for (i = 0; i < l->n; i++) {
			fprintf(fp, "\n%*s- ", ind + 2, "");
			print_quoted(fp, l->v[i]);
		}
		break;
	case CK_ENV:
		kv = CFIELD(cfg, k->off, struct cfg_kvlist);
		if (kv->n == 0)
			fputs("{}", fp);
		for (i = 0; i < kv->n; i++) {
			fprintf(fp, "\n%*s", ind + 2, "");
			print_quoted(fp, kv->v[i].key);
			fputs(": ", fp);
			print_quoted(fp, kv->v[i].value);
		}
		break;
	case CK_SECTION:
	case CK_ANY:
		break;
	}
}

static void
print_table(FILE *fp, const struct mon_config *cfg, const struct ckey *tab,
    int ind)
{
	const char	*why;
	size_t		 i;

	for (i = 0; tab[i].name != NULL; i++) {
		const struct ckey	*k = &tab[i];

		if (k->flags & CKF_NOTYET)
			continue;
		if (k->kind == CK_SECTION) {
			if (!has_leaves(k->sub))
				continue;
			fprintf(fp, "%*s%s:\n", ind, "", k->name);
			print_table(fp, cfg, k->sub, ind + 2);
			continue;
		}
		if (k->kind == CK_STR && *CFIELD(cfg, k->off, char *) ==
		    NULL) {
			fprintf(fp, "%*s# %s: unset\n", ind, "", k->name);
			continue;
		}
		if ((why = inert_why(cfg, k)) != NULL) {
			fprintf(fp, "%*s# %s:", ind, "", k->name);
			print_value(fp, cfg, k, ind);
			fprintf(fp, " (%s)\n", why);
			continue;
		}
		fprintf(fp, "%*s%s:", ind, "", k->name);
		print_value(fp, cfg, k, ind);
		fputc('\n', fp);
	}
}

void
config_print(const struct mon_config *cfg, FILE *fp)
{
	print_table(fp, cfg, root_keys, 0);
}
