/*
 * agentsh-monitor's config.yaml parser and API keys file: every default,
 * every refusal with its exact message, the printer's round trip and
 * golden files, the lookup order and the file permission checks.
 */
#include "compat.h"

#include <sys/stat.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentsh-monitor/config.h"
#include "agentsh-monitor/keys.h"
#include "regress/unittests/common/ut_util.h"

static char	 tmpdir[64];	/* /tmp/agentsh-cfgtest.XXXXXX */
static char	 err[1024];

static const char *
top(void)
{
	const char	*t = getenv("REGRESS_TOP");

	return t != NULL && t[0] != '\0' ? t : ".";
}

static void
mk_tmpdir(void)
{
	(void)strlcpy(tmpdir, "/tmp/agentsh-cfgtest.XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	ck_assert_int_eq(chmod(tmpdir, 0755), 0);
}

/* An unchecked fixture: runs in the parent, after failed tests too. */
static void
rm_tmpdir(void)
{
	if (tmpdir[0] != '\0')
		(void)ut_rmtree(tmpdir);
	tmpdir[0] = '\0';
}

/* Writes 'text' to tmpdir/name with 'mode'; returns the path. */
static const char *
write_file(const char *name, const char *text, mode_t mode)
{
	static char	 path[PATH_MAX];
	FILE		*fp;

	(void)snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	ck_assert_ptr_nonnull(fp = fopen(path, "w"));
	ck_assert_int_eq(fputs(text, fp) >= 0, 1);
	ck_assert_int_eq(fclose(fp), 0);
	ck_assert_int_eq(chmod(path, mode), 0);
	return path;
}

static void
mkdir_p(const char *rel, mode_t mode)
{
	char	 path[PATH_MAX], *p;

	(void)snprintf(path, sizeof(path), "%s/%s", tmpdir, rel);
	for (p = path + strlen(tmpdir) + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		(void)mkdir(path, 0755);
		*p = '/';
	}
	ck_assert_int_eq(mkdir(path, mode) == 0 || errno == EEXIST, 1);
	ck_assert_int_eq(chmod(path, mode), 0);
}

static char *
slurp(const char *path, size_t *lenp)
{
	FILE	*fp;
	char	*buf;
	long	 n;

	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	ck_assert_int_eq(fseek(fp, 0, SEEK_END), 0);
	n = ftell(fp);
	rewind(fp);
	ck_assert_ptr_nonnull(buf = malloc((size_t)n + 1));
	ck_assert_uint_eq(fread(buf, 1, (size_t)n, fp), (size_t)n);
	buf[n] = '\0';
	fclose(fp);
	if (lenp != NULL)
		*lenp = (size_t)n;
	return buf;
}

/* config_print() into a string. */
static char *
printed(const struct mon_config *c)
{
	char	*out = NULL;
	size_t	 len = 0;
	FILE	*fp;

	ck_assert_ptr_nonnull(fp = open_memstream(&out, &len));
	config_print(c, fp);
	ck_assert_int_eq(fclose(fp), 0);
	return out;
}

static char *
printed_defaults(void)
{
	struct mon_config	 d;
	char			*s;

	ck_assert_int_eq(config_defaults(&d), 0);
	s = printed(&d);
	config_free(&d);
	return s;
}

/*
 * Loads a file of the tree from a buffer: the tree may belong to anyone,
 * and config_load() as root insists on root's files.
 */
static void
load_tree_file(struct mon_config *c, const char *rel)
{
	char	 path[PATH_MAX];
	char	*buf;
	size_t	 len;

	(void)snprintf(path, sizeof(path), "%s/%s", top(), rel);
	ck_assert_msg((buf = slurp(path, &len)) != NULL, "no %s", path);
	ck_assert_msg(config_load_buf(c, rel, buf, len, err, sizeof(err)) == 0,
	    "%s", err);
	free(buf);
}

static int
load(struct mon_config *c, const char *yaml)
{
	return config_load_buf(c, "t.yaml", yaml, strlen(yaml), err,
	    sizeof(err));
}

/* Loads, expects the error exactly, and the defaults left behind. */
static void
expect_error(const char *yaml, const char *want)
{
	struct mon_config	 c;
	char			*got, *def;

	ck_assert_msg(load(&c, yaml) == -1, "accepted:\n%s", yaml);
	ck_assert_str_eq(err, want);
	got = printed(&c);
	def = printed_defaults();
	ck_assert_str_eq(got, def);
	free(got);
	free(def);
	config_free(&c);
}

/* print -> load -> print gives the same text. */
static void
expect_round_trip(const struct mon_config *c)
{
	struct mon_config	 c2;
	char			*a, *b;

	a = printed(c);
	ck_assert_msg(config_load_buf(&c2, "printed", a, strlen(a), err,
	    sizeof(err)) == 0, "%s\n%s", err, a);
	b = printed(&c2);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	config_free(&c2);
}

static void
expect_golden(const char *got, const char *name)
{
	char	 path[PATH_MAX];
	char	*want;
	FILE	*fp;

	(void)snprintf(path, sizeof(path), "%s/regress/config/%s", top(), name);
	if (getenv("CONFIG_GOLDEN_WRITE") != NULL) {
		ck_assert_ptr_nonnull(fp = fopen(path, "w"));
		fputs(got, fp);
		fclose(fp);
	}
	ck_assert_msg((want = slurp(path, NULL)) != NULL, "no %s", path);
	ck_assert_str_eq(got, want);
	free(want);
}

START_TEST(test_defaults)
{
	struct mon_config	 c;

	ck_assert_int_eq(config_defaults(&c), 0);
	ck_assert_ptr_null(c.path);
	ck_assert_str_eq(c.http_addr, "127.0.0.1:18080");
	ck_assert_int_eq(c.http_read_timeout_ms, 30000);
	ck_assert_int_eq(c.http_write_timeout_ms, 300000);
	ck_assert_uint_eq(c.http_max_request_size, 10000000);
	ck_assert_int_eq(c.unix_enabled, 1);
	ck_assert_str_eq(c.unix_path, "/run/agentsh/agentsh.sock");
	ck_assert_uint_eq(c.unix_permissions, 0666);
	ck_assert_str_eq(c.privsep_user, "agentsh");
	ck_assert_str_eq(c.privsep_audit_user, "agentsh-audit");
	ck_assert_int_eq(c.auth_type, CFG_AUTH_NONE);
	ck_assert_ptr_null(c.api_keys_file);
	ck_assert_str_eq(c.api_key_header, "X-API-Key");
	ck_assert_str_eq(c.sessions_base_dir, "/var/lib/agentsh/sessions");
	ck_assert_int_eq(c.max_sessions, 100);
	ck_assert_int_eq(c.real_paths, 0);
	ck_assert_str_eq(c.run_as, "nobody");
	ck_assert_uint_eq(c.userns_uid_base, 100000000);
	ck_assert_uint_eq(c.userns_uid_count, 65536);
	ck_assert_int_eq(c.default_timeout_ms, 0);
	ck_assert_int_eq(c.default_idle_timeout_ms, 0);
	ck_assert_str_eq(c.policies_dir, "/etc/agentsh/policies");
	ck_assert_str_eq(c.policies_default, "default");
	ck_assert_uint_eq(c.policies_allowed.n, 0);
	ck_assert_ptr_null(c.policies_manifest_path);
	ck_assert_int_eq(c.symlink_escape, CFG_SYMLINK_EVALUATE);
	ck_assert_int_eq(c.detect_project_root, 1);
	ck_assert_uint_eq(c.project_markers.n, 0);
	ck_assert_str_eq(c.audit_output, "/var/log/agentsh/audit.jsonl");
	ck_assert_int_eq(c.audit_rotation_max_size_mb, 500);
	ck_assert_int_eq(c.audit_rotation_max_backups, 10);
	ck_assert_int_eq(c.audit_syslog, 1);
	ck_assert_int_eq(c.integrity_enabled, 1);
	ck_assert_int_eq(c.integrity_algorithm, CFG_HMAC_SHA256);
	ck_assert_int_eq(c.integrity_key_source, CFG_KEY_FILE);
	ck_assert_str_eq(c.integrity_key_file, "/var/lib/agentsh/audit.key");
	ck_assert_ptr_null(c.integrity_key_env);
	ck_assert_ptr_null(c.cgroups_base_path);
	ck_assert_int_eq(c.execve_max_argc, 1000);
	ck_assert_int_eq(c.execve_max_argv_bytes, 65536);
	ck_assert_int_eq(c.shellc_opaque, CFG_SHELLC_ENFORCE);
	ck_assert_uint_eq(c.env_inject.n, 0);
	config_free(&c);
	config_free(&c);	/* freed twice: the struct is zeroed */
	config_free(NULL);
}
END_TEST

/* An empty file, a comment, a null document: the defaults. */
START_TEST(test_empty_documents)
{
	static const char *const docs[] = {
		"", "\n", "# nothing\n", "~\n", "null\n", "---\n", "--- ~\n...\n",
		"server:\n", "server: {}\n", "sandbox:\n  env_inject:\n",
		"policies:\n  allowed:\n",
	};
	struct mon_config	 c;
	char			*got, *def = printed_defaults();
	size_t			 i;

	for (i = 0; i < nitems(docs); i++) {
		ck_assert_msg(load(&c, docs[i]) == 0, "%s: %s", docs[i], err);
		got = printed(&c);
		ck_assert_str_eq(got, def);
		free(got);
		config_free(&c);
	}
	free(def);
}
END_TEST

START_TEST(test_golden_defaults)
{
	struct mon_config	 c;
	char			*got;

	ck_assert_int_eq(config_defaults(&c), 0);
	got = printed(&c);
	expect_golden(got, "defaults.ok");
	expect_round_trip(&c);
	free(got);
	config_free(&c);

	/* The sample documents the defaults: it must print the same. */
	load_tree_file(&c, "etc/config.yaml");
	got = printed(&c);
	expect_golden(got, "defaults.ok");
	free(got);
	config_free(&c);
}
END_TEST

START_TEST(test_golden_full)
{
	struct mon_config	 c;
	char			*got;

	load_tree_file(&c, "regress/config/full.yaml");
	got = printed(&c);
	expect_golden(got, "full.ok");
	expect_round_trip(&c);
	free(got);

	ck_assert_str_eq(c.http_addr, "[::]:8443");
	ck_assert_int_eq(c.http_read_timeout_ms, 90000);
	ck_assert_int_eq(c.http_write_timeout_ms, 7200000);
	ck_assert_uint_eq(c.http_max_request_size, 1048576);
	ck_assert_int_eq(c.unix_enabled, 0);
	ck_assert_uint_eq(c.unix_permissions, 0660);
	ck_assert_int_eq(c.auth_type, CFG_AUTH_API_KEY);
	ck_assert_str_eq(c.api_keys_file, "/etc/agentsh/api_keys.yaml");
	ck_assert_str_eq(c.api_key_header, "X-Agentsh-Key");
	ck_assert_int_eq(c.max_sessions, 7);
	ck_assert_int_eq(c.real_paths, 1);
	ck_assert_str_eq(c.run_as, "agentsh-guest");
	ck_assert_uint_eq(c.userns_uid_base, 200000);
	ck_assert_uint_eq(c.userns_uid_count, 1000);
	ck_assert_int_eq(c.default_timeout_ms, 4 * 3600 * 1000LL);
	ck_assert_int_eq(c.default_idle_timeout_ms, 90000);
	ck_assert_uint_eq(c.policies_allowed.n, 2);
	ck_assert_str_eq(c.policies_allowed.v[0], "ci_strict");
	ck_assert_str_eq(c.policies_allowed.v[1], "dev-safe");
	ck_assert_str_eq(c.policies_manifest_path,
	    "/srv/agentsh/policies.sha256");
	ck_assert_int_eq(c.symlink_escape, CFG_SYMLINK_DENY);
	ck_assert_int_eq(c.detect_project_root, 0);
	ck_assert_uint_eq(c.project_markers.n, 3);
	ck_assert_str_eq(c.project_markers.v[2], "odd \"name\"");
	ck_assert_int_eq(c.audit_rotation_max_size_mb, 1);
	ck_assert_int_eq(c.audit_rotation_max_backups, 0);
	ck_assert_int_eq(c.audit_syslog, 0);
	ck_assert_int_eq(c.integrity_enabled, 0);
	ck_assert_int_eq(c.integrity_algorithm, CFG_HMAC_SHA512);
	ck_assert_int_eq(c.integrity_key_source, CFG_KEY_ENV);
	ck_assert_str_eq(c.integrity_key_env, "AGENTSH_AUDIT_KEY");
	ck_assert_str_eq(c.cgroups_base_path, "/sys/fs/cgroup/agentsh");
	ck_assert_int_eq(c.execve_max_argc, 64);
	ck_assert_int_eq(c.execve_max_argv_bytes, 4096);
	ck_assert_int_eq(c.shellc_opaque, CFG_SHELLC_APPROVE);
	ck_assert_uint_eq(c.env_inject.n, 4);
	ck_assert_str_eq(c.env_inject.v[1].key, "EMPTY");
	ck_assert_str_eq(c.env_inject.v[1].value, "");
	ck_assert_str_eq(c.env_inject.v[2].value, "a \"b\"\tc\\d");
	ck_assert_str_eq(c.env_inject.v[3].value, "gr\xc3\xbc\xc3\x9f");
	ck_assert_str_eq(c.privsep_user, "_agentsh");
	ck_assert_str_eq(c.privsep_audit_user, "agentsh.audit");
	config_free(&c);
}
END_TEST

/* Loads the formatted text; it must load and print back the same. */
static void
load_value(struct mon_config *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

static void
load_value(struct mon_config *c, const char *fmt, ...)
{
	char	 y[256];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(y, sizeof(y), fmt, ap);
	va_end(ap);
	ck_assert_msg(load(c, y) == 0, "%s: %s", y, err);
	expect_round_trip(c);
}

/* Values that parse, and what they parse to. */
START_TEST(test_values)
{
	static const struct {
		const char	*text;
		long long	 ms;
	} durs[] = {
		{ "0", 0 }, { "500ms", 500 }, { "30s", 30000 },
		{ "5m", 300000 }, { "1h", 3600000 }, { "1h30m", 5400000 },
		{ "1.5s", 1500 }, { "0.25h", 900000 }, { "\"2m3s4ms\"", 123004 },
		{ "1m0s", 60000 }, { "8784h", 8784LL * 3600000 },
	};
	static const struct {
		const char	*text;
		size_t		 n;
	} sizes[] = {
		{ "1", 1 }, { "4096", 4096 }, { "10MB", 10000000 },
		{ "1MiB", 1048576 }, { "1 MiB", 1048576 }, { "2kb", 2000 },
		{ "3KiB", 3072 }, { "1GiB", 1073741824 }, { "\"7B\"", 7 },
		{ "1GB", 1000000000 },
	};
	static const struct {
		const char	*text;
		mode_t		 mode;
	} modes[] = {
		{ "0666", 0666 }, { "0600", 0600 }, { "660", 0660 },
		{ "\"0777\"", 0777 }, { "0000", 0 }, { "'644'", 0644 },
	};
	static const struct {
		const char	*text, *addr;
	} addrs[] = {
		{ "127.0.0.1:1", "127.0.0.1:1" },
		{ "127.1.2.3:65535", "127.1.2.3:65535" },
		{ "\"[::1]:18080\"", "[::1]:18080" },
		{ "\"[::ffff:127.0.0.1]:80\"", "[::ffff:127.0.0.1]:80" },
	};
	struct mon_config	 c;
	size_t			 i;

	for (i = 0; i < nitems(durs); i++) {
		load_value(&c, "sessions:\n  default_timeout: %s\n",
		    durs[i].text);
		ck_assert_int_eq(c.default_timeout_ms, durs[i].ms);
		config_free(&c);
	}
	for (i = 0; i < nitems(sizes); i++) {
		load_value(&c, "server:\n  http:\n    max_request_size: %s\n",
		    sizes[i].text);
		ck_assert_uint_eq(c.http_max_request_size, sizes[i].n);
		config_free(&c);
	}
	for (i = 0; i < nitems(modes); i++) {
		load_value(&c, "server:\n  unix_socket:\n    permissions: %s\n",
		    modes[i].text);
		ck_assert_uint_eq(c.unix_permissions, modes[i].mode);
		config_free(&c);
	}
	for (i = 0; i < nitems(addrs); i++) {
		load_value(&c, "server:\n  http:\n    addr: %s\n",
		    addrs[i].text);
		ck_assert_str_eq(c.http_addr, addrs[i].addr);
		config_free(&c);
	}

	/* A non-loopback address is fine with API keys. */
	ck_assert_msg(load(&c, "server:\n  http:\n    addr: 0.0.0.0:18080\n"
	    "auth:\n  type: api_key\n  api_key:\n    keys_file: /k\n") == 0,
	    "%s", err);
	ck_assert_str_eq(c.http_addr, "0.0.0.0:18080");
	config_free(&c);

	/* Limits are inclusive. */
	ck_assert_msg(load(&c, "sessions:\n  userns_uid_base: 2147418112\n"
	    "  userns_uid_count: 65536\n") == 0, "%s", err);
	config_free(&c);
	ck_assert_msg(load(&c, "sessions:\n  userns_uid_base: 65536\n"
	    "  userns_uid_count: 1\n  max_sessions: 100000\n") == 0, "%s",
	    err);
	config_free(&c);
	ck_assert_msg(load(&c, "server:\n  http:\n    read_timeout: 24h\n"
	    "    write_timeout: 1ms\n") == 0, "%s", err);
	config_free(&c);

	/* Key order does not matter; settings under a switch that is off
	 * are still checked and kept. */
	ck_assert_msg(load(&c, "audit:\n  integrity:\n    key_env: K\n"
	    "    key_source: env\n    enabled: false\n") == 0, "%s", err);
	ck_assert_str_eq(c.integrity_key_env, "K");
	config_free(&c);
}
END_TEST

static const struct {
	const char	*yaml;
	const char	*err;
} bad[] = {
	/* not plain data */
	{ "server: [\n", "t.yaml:2:1: YAML syntax error: did not find "
	    "expected node content (while parsing a flow node)" },
	{ "server:\n  http:\n    addr: \"127.0.0.1:1\n",
	    "t.yaml:4:1: YAML syntax error: found unexpected end of stream "
	    "(while scanning a quoted scalar)" },
	{ "\tserver: {}\n", "t.yaml:1:1: YAML syntax error: found character "
	    "that cannot start any token (while scanning for the next token)" },
	{ "a: &x 1\n", "t.yaml:1:4: anchors are not allowed (the file is "
	    "plain data)" },
	{ "server: *x\n", "t.yaml:1:9: aliases are not allowed (the file is "
	    "plain data)" },
	{ "server: !!map {}\n", "t.yaml:1:9: tags are not allowed (the file "
	    "is plain data)" },
	{ "--- {}\n--- {}\n", "t.yaml:2:1: only one YAML document is allowed" },
	{ "- a\n", "t.yaml:1:1: expected a mapping at the top level, got a "
	    "list" },
	{ "just text\n", "t.yaml:1:1: expected a mapping at the top level, "
	    "got a scalar" },
	{ "? [a]\n: b\n", "t.yaml:1:3: keys must be scalars" },
	{ "server:\n  http:\n    addr: \"127.0.0.1:1\"\n"
	    "    addr: \"127.0.0.1:2\"\n",
	    "t.yaml:4:5: server.http.addr: duplicate key (first at line 3)" },
	{ "server: {}\nserver: {}\n",
	    "t.yaml:2:1: server: duplicate key (first at line 1)" },
	{ "sessions:\n  run_as: \"a\\0b\"\n",
	    "t.yaml:2:11: sessions.run_as: contains a NUL byte" },
	{ "\"a\\0b\": 1\n", "t.yaml:1:1: a\\x00b: unknown key" },

	/* unknown keys, also ones other agentsh configs carry (logging,
	 * server.grpc, auth.oidc, ...) that the contract does not take */
	{ "nope: 1\n", "t.yaml:1:1: nope: unknown key" },
	{ "logging:\n  level: info\n", "t.yaml:1:1: logging: unknown key" },
	{ "server:\n  grpc:\n    enabled: false\n",
	    "t.yaml:2:3: server.grpc: unknown key" },
	{ "auth:\n  oidc: {}\n", "t.yaml:2:3: auth.oidc: unknown key" },
	{ "audit:\n  enabled: true\n", "t.yaml:2:3: audit.enabled: unknown "
	    "key" },
	{ "audit:\n  rotation:\n    max_age_days: 7\n",
	    "t.yaml:3:5: audit.rotation.max_age_days: unknown key" },
	{ "sandbox:\n  seccomp:\n    execve:\n      enabled: true\n",
	    "t.yaml:4:7: sandbox.seccomp.execve.enabled: unknown key" },
	{ "sandbox:\n  unix_sockets: {}\n",
	    "t.yaml:2:3: sandbox.unix_sockets: unknown key" },
	{ "approvals:\n  webauthn: {}\n",
	    "t.yaml:2:3: approvals.webauthn: unknown key" },
	{ "proxy:\n  port: 0\n", "t.yaml:2:3: proxy.port: unknown key" },
	{ "privsep:\n  group: x\n", "t.yaml:2:3: privsep.group: unknown key" },
	{ "Server: {}\n", "t.yaml:1:1: Server: unknown key" },

	/* documented, not supported yet */
	{ "approvals:\n  enabled: false\n",
	    "t.yaml:2:3: approvals.enabled: not supported yet" },
	{ "approvals:\n  approvers: [alice]\n",
	    "t.yaml:2:3: approvals.approvers: not supported yet" },
	{ "security:\n  mode: auto\n",
	    "t.yaml:2:3: security.mode: not supported yet" },
	{ "landlock:\n  network:\n    allow_bind_tcp: false\n",
	    "t.yaml:3:5: landlock.network.allow_bind_tcp: not supported yet" },
	{ "sandbox:\n  fuse:\n    audit:\n      mode: monitor\n",
	    "t.yaml:4:7: sandbox.fuse.audit.mode: not supported yet" },
	{ "sandbox:\n  network:\n    ebpf:\n      enabled: true\n",
	    "t.yaml:4:7: sandbox.network.ebpf.enabled: not supported yet" },
	{ "sandbox:\n  seccomp:\n    execve:\n      on_truncated: deny\n",
	    "t.yaml:4:7: sandbox.seccomp.execve.on_truncated: not supported "
	    "yet" },
	{ "sandbox:\n  cgroups:\n    enabled: true\n",
	    "t.yaml:3:5: sandbox.cgroups.enabled: not supported yet" },
	{ "sandbox:\n  cgroups:\n    best_effort: true\n",
	    "t.yaml:3:5: sandbox.cgroups.best_effort: not supported yet" },
	{ "proxy:\n  providers:\n    openai: https://x\n",
	    "t.yaml:3:5: proxy.providers.openai: not supported yet" },
	{ "dlp:\n  patterns:\n    email: true\n",
	    "t.yaml:3:5: dlp.patterns.email: not supported yet" },
	{ "dlp:\n  custom_patterns: []\n",
	    "t.yaml:2:3: dlp.custom_patterns: not supported yet" },
	{ "sessions:\n  checkpoints:\n    retention:\n      max_age: 24h\n",
	    "t.yaml:4:7: sessions.checkpoints.retention.max_age: not "
	    "supported yet" },

	/* wrong types */
	{ "server: 5\n", "t.yaml:1:9: server: expected a mapping, got a "
	    "scalar" },
	{ "server:\n  http: []\n", "t.yaml:2:9: server.http: expected a "
	    "mapping, got a list" },
	{ "server:\n  http:\n    addr: [1]\n", "t.yaml:3:11: "
	    "server.http.addr: expected a scalar, got a list" },
	{ "sessions:\n  max_sessions: \"10\"\n", "t.yaml:2:17: "
	    "sessions.max_sessions: expected an integer, got a quoted string" },
	{ "sessions:\n  max_sessions: ten\n", "t.yaml:2:17: "
	    "sessions.max_sessions: \"ten\" is not a decimal integer" },
	{ "sessions:\n  max_sessions: 010\n", "t.yaml:2:17: "
	    "sessions.max_sessions: \"010\" is not a decimal integer" },
	{ "sessions:\n  max_sessions: 1e3\n", "t.yaml:2:17: "
	    "sessions.max_sessions: \"1e3\" is not a decimal integer" },
	{ "sessions:\n  max_sessions:\n", "t.yaml:2:16: "
	    "sessions.max_sessions: missing value" },
	{ "sessions:\n  max_sessions: {a: 1}\n", "t.yaml:2:17: "
	    "sessions.max_sessions: expected a scalar, got a mapping" },
	{ "sessions:\n  real_paths: yes\n", "t.yaml:2:15: "
	    "sessions.real_paths: expected true or false, got yes" },
	{ "sessions:\n  real_paths: True\n", "t.yaml:2:15: "
	    "sessions.real_paths: expected true or false, got True" },
	{ "sessions:\n  real_paths: \"true\"\n", "t.yaml:2:15: "
	    "sessions.real_paths: expected true or false, got \"true\"" },
	{ "sessions:\n  real_paths: 1\n", "t.yaml:2:15: "
	    "sessions.real_paths: expected true or false, got 1" },
	{ "policies:\n  allowed: a\n", "t.yaml:2:12: policies.allowed: "
	    "expected a list, got a scalar" },
	{ "policies:\n  allowed: [a, [b]]\n  default: a\n", "t.yaml:2:16: "
	    "policies.allowed[1]: expected a scalar, got a list" },
	{ "sandbox:\n  env_inject: [a]\n", "t.yaml:2:15: sandbox.env_inject: "
	    "expected a mapping of NAME: value, got a list" },
	{ "sandbox:\n  env_inject:\n    A:\n", "t.yaml:3:7: "
	    "sandbox.env_inject.A: missing value" },
	{ "sandbox:\n  env_inject:\n    A: {b: c}\n", "t.yaml:3:8: "
	    "sandbox.env_inject.A: expected a scalar, got a mapping" },
	{ "sandbox:\n  env_inject:\n    [A]: b\n", "t.yaml:3:5: "
	    "sandbox.env_inject: keys must be scalars" },

	/* bad values */
	{ "sessions:\n  max_sessions: 0\n", "t.yaml:2:17: "
	    "sessions.max_sessions: 0 is out of range (1 to 100000)" },
	{ "sessions:\n  max_sessions: -1\n", "t.yaml:2:17: "
	    "sessions.max_sessions: -1 is out of range (1 to 100000)" },
	{ "sessions:\n  max_sessions: 99999999999999999999\n", "t.yaml:2:17: "
	    "sessions.max_sessions: 99999999999999999999 is out of range "
	    "(1 to 100000)" },
	{ "sessions:\n  base_dir: \"\"\n", "t.yaml:2:13: sessions.base_dir: "
	    "must not be empty" },
	{ "sessions:\n  base_dir: var/lib\n", "t.yaml:2:13: "
	    "sessions.base_dir: \"var/lib\" is not an absolute path" },
	{ "sessions:\n  base_dir: $HOME/x\n", "t.yaml:2:13: "
	    "sessions.base_dir: must be an absolute path (environment "
	    "variables are not expanded)" },
	{ "sessions:\n  run_as: \"bad user\"\n", "t.yaml:2:11: "
	    "sessions.run_as: \"bad user\" is not a valid user name (letters, "
	    "digits, '_', '-', '.'; at most 32)" },
	{ "sessions:\n  run_as: 1000\n", "t.yaml:2:11: sessions.run_as: "
	    "\"1000\" is not a valid user name (letters, digits, '_', '-', "
	    "'.'; at most 32)" },
	{ "sessions:\n  run_as: root\n", "t.yaml:2:11: sessions.run_as: "
	    "must not be root" },
	{ "sessions:\n  run_as: agentsh\n", "t.yaml:2:11: sessions.run_as: "
	    "must not be a user the suite runs as (privsep.user, "
	    "privsep.audit_user)" },
	{ "privsep:\n  user: x\n  audit_user: x\n", "t.yaml:3:15: "
	    "privsep.audit_user: must differ from privsep.user" },
	{ "privsep:\n  user: agentsh-audit\n", "t.yaml:2:9: privsep.user: "
	    "must differ from privsep.audit_user" },
	{ "privsep:\n  user: root\n", "t.yaml:2:9: privsep.user: must not be "
	    "root" },
	{ "privsep:\n  audit_user: root\n", "t.yaml:2:15: "
	    "privsep.audit_user: must not be root" },
	{ "sessions:\n  userns_uid_base: 1000\n", "t.yaml:2:20: "
	    "sessions.userns_uid_base: 1000 is out of range (65536 to "
	    "2147483647)" },
	{ "sessions:\n  userns_uid_base: 0\n", "t.yaml:2:20: "
	    "sessions.userns_uid_base: 0 is out of range (65536 to "
	    "2147483647)" },
	{ "sessions:\n  userns_uid_count: 0\n", "t.yaml:2:21: "
	    "sessions.userns_uid_count: 0 is out of range (1 to 2147418112)" },
	{ "sessions:\n  userns_uid_base: 2147480000\n", "t.yaml:2:20: "
	    "sessions.userns_uid_base: ids 2147480000 to 2147545535 go beyond "
	    "2147483647" },
	{ "sessions:\n  userns_uid_base: 2147418113\n"
	    "  userns_uid_count: 65536\n", "t.yaml:3:21: "
	    "sessions.userns_uid_count: ids 2147418113 to 2147483648 go beyond "
	    "2147483647" },
	{ "sessions:\n  default_timeout: 30\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"30\": missing unit (e.g. 30s, 5m, 1h, "
	    "500ms)" },
	{ "sessions:\n  default_timeout: -5s\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"-5s\": must not be negative" },
	{ "sessions:\n  default_timeout: 5d\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"5d\": unknown unit (use ms, s, m or "
	    "h)" },
	{ "sessions:\n  default_timeout: 10us\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"10us\": unknown unit (use ms, s, m or "
	    "h)" },
	{ "sessions:\n  default_timeout: 1.0005s\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"1.0005s\": finer than a millisecond" },
	{ "sessions:\n  default_timeout: 1.s\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"1.s\": expected digits after '.'" },
	{ "sessions:\n  default_timeout: 5 m\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"5 m\": unknown unit (use ms, s, m or "
	    "h)" },
	{ "sessions:\n  default_timeout: 1hh\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"1hh\": unknown unit (use ms, s, m or "
	    "h)" },
	{ "sessions:\n  default_timeout: 1h-5m\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"1h-5m\": expected e.g. 500ms, 30s, 5m, "
	    "1h30m" },
	{ "sessions:\n  default_timeout: 8785h\n", "t.yaml:2:20: "
	    "sessions.default_timeout: \"8785h\" is out of range (0 to 8784h)" },
	{ "sessions:\n  default_timeout: 99999999999999999999h\n",
	    "t.yaml:2:20: sessions.default_timeout: \"99999999999999999999h\": "
	    "too large" },
	{ "sessions:\n  default_idle_timeout: \"\"\n", "t.yaml:2:25: "
	    "sessions.default_idle_timeout: \"\": missing unit (e.g. 30s, 5m, "
	    "1h, 500ms)" },
	{ "server:\n  http:\n    read_timeout: 0\n", "t.yaml:3:19: "
	    "server.http.read_timeout: \"0\" is out of range (1ms to 24h)" },
	{ "server:\n  http:\n    write_timeout: 25h\n", "t.yaml:3:20: "
	    "server.http.write_timeout: \"25h\" is out of range (1ms to 24h)" },
	{ "server:\n  http:\n    max_request_size: -1\n", "t.yaml:3:23: "
	    "server.http.max_request_size: \"-1\": must not be negative" },
	{ "server:\n  http:\n    max_request_size: 10XB\n", "t.yaml:3:23: "
	    "server.http.max_request_size: \"10XB\": unknown unit (use B, KB, "
	    "MB, GB, KiB, MiB or GiB)" },
	{ "server:\n  http:\n    max_request_size: \"10 \"\n", "t.yaml:3:23: "
	    "server.http.max_request_size: \"10 \": unknown unit (use B, KB, "
	    "MB, GB, KiB, MiB or GiB)" },
	{ "server:\n  http:\n    max_request_size: MB\n", "t.yaml:3:23: "
	    "server.http.max_request_size: \"MB\": expected bytes or a size "
	    "like 10MB, 1MiB" },
	{ "server:\n  http:\n    max_request_size: 2GiB\n", "t.yaml:3:23: "
	    "server.http.max_request_size: \"2GiB\" is out of range (1 to "
	    "1GiB)" },
	{ "server:\n  http:\n    max_request_size: 0\n", "t.yaml:3:23: "
	    "server.http.max_request_size: \"0\" is out of range (1 to 1GiB)" },
	{ "server:\n  http:\n    addr: localhost:80\n", "t.yaml:3:11: "
	    "server.http.addr: \"localhost:80\": host must be an IP address "
	    "(IPv4, or IPv6 in brackets)" },
	{ "server:\n  http:\n    addr: \"::1:80\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"::1:80\": an IPv6 address goes in brackets: "
	    "[::1]:port" },
	{ "server:\n  http:\n    addr: \"127.0.0.1\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"127.0.0.1\": expected host:port" },
	{ "server:\n  http:\n    addr: \"127.0.0.1:0\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"127.0.0.1:0\": port must be a number in "
	    "1-65535" },
	{ "server:\n  http:\n    addr: \"127.0.0.1:65536\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"127.0.0.1:65536\": port must be a number in "
	    "1-65535" },
	{ "server:\n  http:\n    addr: \"127.0.0.1:http\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"127.0.0.1:http\": port must be a number in "
	    "1-65535" },
	{ "server:\n  http:\n    addr: \":18080\"\n", "t.yaml:3:11: "
	    "server.http.addr: \":18080\": missing host (0.0.0.0 or [::] "
	    "listen on every address)" },
	{ "server:\n  http:\n    addr: \"[::1]\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"[::1]\": expected [IPv6]:port" },
	{ "server:\n  http:\n    addr: \"[zz]:80\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"[zz]:80\": bad IPv6 address" },
	{ "server:\n  http:\n    addr: \"[fe80::1%eth0]:80\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"[fe80::1%eth0]:80\": bad IPv6 address" },
	{ "server:\n  http:\n    addr: 0.0.0.0:18080\n", "t.yaml:3:11: "
	    "server.http.addr: refusing to listen on non-loopback "
	    "0.0.0.0:18080 without auth.type: api_key" },
	{ "server:\n  http:\n    addr: \"[::]:18080\"\n", "t.yaml:3:11: "
	    "server.http.addr: refusing to listen on non-loopback [::]:18080 "
	    "without auth.type: api_key" },
	{ "server:\n  http:\n    addr: \"[::ffff:10.0.0.1]:1\"\n",
	    "t.yaml:3:11: server.http.addr: refusing to listen on "
	    "non-loopback [::ffff:10.0.0.1]:1 without auth.type: api_key" },
	{ "server:\n  http:\n    addr: 192.168.1.1:80\n", "t.yaml:3:11: "
	    "server.http.addr: refusing to listen on non-loopback "
	    "192.168.1.1:80 without auth.type: api_key" },
	{ "server:\n  unix_socket:\n    permissions: \"0888\"\n", "t.yaml:3:18: "
	    "server.unix_socket.permissions: \"0888\" is not an octal mode "
	    "like \"0660\"" },
	{ "server:\n  unix_socket:\n    permissions: \"0o660\"\n",
	    "t.yaml:3:18: server.unix_socket.permissions: \"0o660\" is not an "
	    "octal mode like \"0660\"" },
	{ "server:\n  unix_socket:\n    permissions: \"66\"\n", "t.yaml:3:18: "
	    "server.unix_socket.permissions: \"66\" is not an octal mode like "
	    "\"0660\"" },
	{ "server:\n  unix_socket:\n    permissions: 1777\n", "t.yaml:3:18: "
	    "server.unix_socket.permissions: \"1777\" is out of range (at most "
	    "0777)" },
	{ "server:\n  unix_socket:\n    permissions: 438\n", "t.yaml:3:18: "
	    "server.unix_socket.permissions: \"438\" is not an octal mode like "
	    "\"0660\"" },
	{ "auth:\n  type: oidc\n", "t.yaml:2:9: auth.type: \"oidc\" is not "
	    "one of: none, api_key" },
	{ "auth:\n  type: api_key\n", "t.yaml:2:9: auth.type: api_key "
	    "requires auth.api_key.keys_file" },
	{ "auth:\n  api_key:\n    header_name: X-Key\n", "t.yaml:3:18: "
	    "auth.api_key.header_name: has no effect: only used with auth.type "
	    "api_key" },
	{ "auth:\n  type: none\n  api_key:\n    keys_file: /k\n",
	    "t.yaml:4:16: auth.api_key.keys_file: has no effect: only used "
	    "with auth.type api_key" },
	{ "auth:\n  type: api_key\n  api_key:\n    keys_file: /k\n"
	    "    header_name: \"X Key\"\n", "t.yaml:5:18: "
	    "auth.api_key.header_name: \"X Key\" is not a valid HTTP header "
	    "name" },
	{ "auth:\n  type: api_key\n  api_key:\n    keys_file: keys.yaml\n",
	    "t.yaml:4:16: auth.api_key.keys_file: \"keys.yaml\" is not an "
	    "absolute path" },
	{ "policies:\n  default: ../etc\n", "t.yaml:2:12: policies.default: "
	    "\"../etc\" is not a valid policy name (letters, digits, '_', "
	    "'-')" },
	{ "policies:\n  allowed: [a, a]\n  default: a\n", "t.yaml:2:16: "
	    "policies.allowed[1]: duplicate entry (also at line 2)" },
	{ "policies:\n  allowed: [a, \"b/c\"]\n  default: a\n", "t.yaml:2:16: "
	    "policies.allowed[1]: \"b/c\" is not a valid policy name "
	    "(letters, digits, '_', '-')" },
	{ "policies:\n  allowed: [a]\n", "t.yaml:2:12: policies.allowed: "
	    "default policy \"default\" is not in policies.allowed" },
	{ "policies:\n  allowed: [a]\n  default: b\n", "t.yaml:3:12: "
	    "policies.default: default policy \"b\" is not in "
	    "policies.allowed" },
	{ "policies:\n  project_markers: [src/x]\n", "t.yaml:2:21: "
	    "policies.project_markers[0]: \"src/x\" is not a file name (no "
	    "'/')" },
	{ "policies:\n  project_markers: [\"..\"]\n", "t.yaml:2:21: "
	    "policies.project_markers[0]: \"..\" is not a file name (no "
	    "'/')" },
	{ "policies:\n  symlink_escape: allow\n", "t.yaml:2:19: "
	    "policies.symlink_escape: \"allow\" is not one of: evaluate, deny" },
	{ "policies:\n  manifest_path: m.sha256\n", "t.yaml:2:18: "
	    "policies.manifest_path: \"m.sha256\" is not an absolute path" },
	{ "audit:\n  integrity:\n    algorithm: sha256\n", "t.yaml:3:16: "
	    "audit.integrity.algorithm: \"sha256\" is not one of: hmac-sha256, "
	    "hmac-sha512" },
	{ "audit:\n  integrity:\n    key_source: aws_kms\n", "t.yaml:3:17: "
	    "audit.integrity.key_source: \"aws_kms\" is not one of: file, env" },
	{ "audit:\n  integrity:\n    key_source: env\n", "t.yaml:3:17: "
	    "audit.integrity.key_source: env requires audit.integrity.key_env" },
	{ "audit:\n  integrity:\n    key_env: K\n", "t.yaml:3:14: "
	    "audit.integrity.key_env: has no effect: only used with key_source "
	    "env" },
	{ "audit:\n  integrity:\n    key_source: env\n    key_env: K\n"
	    "    key_file: /k\n", "t.yaml:5:15: audit.integrity.key_file: has "
	    "no effect: only used with key_source file" },
	{ "audit:\n  integrity:\n    key_source: env\n    key_env: \"1X\"\n",
	    "t.yaml:4:14: audit.integrity.key_env: \"1X\" is not a valid "
	    "environment variable name" },
	{ "audit:\n  rotation:\n    max_backups: -1\n", "t.yaml:3:18: "
	    "audit.rotation.max_backups: -1 is out of range (0 to 10000)" },
	{ "audit:\n  rotation:\n    max_size_mb: 0\n", "t.yaml:3:18: "
	    "audit.rotation.max_size_mb: 0 is out of range (1 to 1048576)" },
	{ "audit:\n  output: stdout\n", "t.yaml:2:11: audit.output: "
	    "\"stdout\" is not an absolute path" },
	{ "sandbox:\n  env_inject:\n    1A: x\n", "t.yaml:3:5: "
	    "sandbox.env_inject.1A: \"1A\" is not a valid environment variable "
	    "name" },
	{ "sandbox:\n  env_inject:\n    A B: x\n", "t.yaml:3:5: "
	    "sandbox.env_inject.A B: \"A B\" is not a valid environment "
	    "variable name" },
	{ "sandbox:\n  env_inject:\n    A: 1\n    A: 2\n", "t.yaml:4:5: "
	    "sandbox.env_inject.A: duplicate key (first at line 3)" },
	{ "sandbox:\n  seccomp:\n    shellc:\n      opaque: maybe\n",
	    "t.yaml:4:15: sandbox.seccomp.shellc.opaque: \"maybe\" is not one "
	    "of: enforce, deny, approve, allow" },
	{ "sandbox:\n  seccomp:\n    execve:\n      max_argc: 0\n",
	    "t.yaml:4:17: sandbox.seccomp.execve.max_argc: 0 is out of range "
	    "(1 to 1048576)" },
	{ "sandbox:\n  seccomp:\n    execve:\n      max_argv_bytes: 64KiB\n",
	    "t.yaml:4:23: sandbox.seccomp.execve.max_argv_bytes: \"64KiB\" is "
	    "not a decimal integer" },
	{ "sandbox:\n  cgroups:\n    base_path: agentsh\n", "t.yaml:3:16: "
	    "sandbox.cgroups.base_path: \"agentsh\" is not an absolute path" },
	{ "server:\n  http:\n    addr: \"\\x01:1\"\n", "t.yaml:3:11: "
	    "server.http.addr: \"\\x01:1\": host must be an IP address (IPv4, "
	    "or IPv6 in brackets)" },
};

START_TEST(test_bad)
{
	expect_error(bad[_i].yaml, bad[_i].err);
}
END_TEST

/* Bytes that are not YAML text, and sizes past the limits. */
START_TEST(test_bad_bytes)
{
	struct mon_config	 c;
	char			*big;
	size_t			 i, n;

	ck_assert_int_eq(config_load_buf(&c, "t.yaml", "a: \0\n", 5, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.yaml:1:4: YAML syntax error: control "
	    "characters are not allowed");
	config_free(&c);
	ck_assert_int_eq(config_load_buf(&c, "t.yaml", "a: \xff\n", 5, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.yaml:1:4: YAML syntax error: invalid leading "
	    "UTF-8 octet");
	config_free(&c);
	ck_assert_int_eq(config_load_buf(&c, "t.yaml", "server:", 3, err,
	    sizeof(err)), -1);	/* truncated: "ser" */
	ck_assert_str_eq(err, "t.yaml:1:1: expected a mapping at the top "
	    "level, got a scalar");
	config_free(&c);

	n = 1024 * 1024 + 1;
	ck_assert_ptr_nonnull(big = malloc(n));

	/* A string value may hold PATH_MAX - 1 bytes. */
	memcpy(big, "sessions:\n  base_dir: /", 23);
	memset(big + 23, 'a', 4095);
	ck_assert_int_eq(config_load_buf(&c, "t.yaml", big, 23 + 4094, err,
	    sizeof(err)), 0);
	ck_assert_uint_eq(strlen(c.sessions_base_dir), 4095);
	config_free(&c);
	ck_assert_int_eq(config_load_buf(&c, "t.yaml", big, 23 + 4095, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.yaml:2:13: sessions.base_dir: longer than "
	    "4095 bytes");
	config_free(&c);

	memset(big, '#', n);
	ck_assert_int_eq(config_load_buf(&c, "t.yaml", big, n, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.yaml: larger than 1048576 bytes");
	config_free(&c);

	/* Deep nesting stops at 32 levels. */
	for (i = 0; i < 40; i++)
		big[i] = '[';
	ck_assert_int_eq(config_load_buf(&c, "t.yaml", big, 40, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.yaml:1:33: nested too deeply");
	config_free(&c);

	/* So does the number of nodes. */
	big[0] = '[';
	for (i = 1; i + 2 < 2 * 70000; i += 2) {
		big[i] = '1';
		big[i + 1] = ',';
	}
	big[i] = ']';
	ck_assert_int_eq(config_load_buf(&c, "t.yaml", big, i + 1, err,
	    sizeof(err)), -1);
	ck_assert_str_eq(err, "t.yaml:1:131072: too many nodes");
	config_free(&c);
	free(big);
}
END_TEST

/* A failed load replaces what the struct held with the defaults. */
START_TEST(test_failure_leaves_defaults)
{
	struct mon_config	 c;
	char			*got, *def = printed_defaults();

	ck_assert_int_eq(load(&c, "sessions:\n  max_sessions: 5\n"), 0);
	ck_assert_int_eq(c.max_sessions, 5);
	config_free(&c);
	/* Good keys before the bad one are not applied. */
	ck_assert_int_eq(load(&c, "sessions:\n  max_sessions: 5\n"
	    "  run_as: alice\n  base_dir: /x\n  real_paths: maybe\n"), -1);
	got = printed(&c);
	ck_assert_str_eq(got, def);
	free(got);
	config_free(&c);
	free(def);
}
END_TEST

static void
clear_env(void)
{
	unsetenv("AGENTSH_CONFIG");
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
}

static int
max_sessions_of(const char *path)
{
	struct mon_config	 c;
	int			 n;

	ck_assert_msg(config_load(&c, path, err, sizeof(err)) == 0, "%s", err);
	n = c.max_sessions;
	config_free(&c);
	return n;
}

START_TEST(test_lookup)
{
	struct mon_config	 c;
	char			 p[PATH_MAX], want[PATH_MAX + 64];
	struct stat		 st;
	int			 etc;

	mkdir_p("xdg/agentsh", 0755);
	mkdir_p("home/.config/agentsh", 0755);
	mkdir_p("empty", 0755);
	write_file("xdg/agentsh/config.yaml", "sessions: {max_sessions: 1}\n",
	    0644);
	write_file("env.yaml", "sessions: {max_sessions: 2}\n", 0644);
	write_file("home/.config/agentsh/config.yaml",
	    "sessions: {max_sessions: 3}\n", 0644);
	etc = stat("/etc/agentsh/config.yaml", &st) == 0;
	clear_env();

	/* AGENTSH_CONFIG first. */
	(void)snprintf(p, sizeof(p), "%s/env.yaml", tmpdir);
	setenv("AGENTSH_CONFIG", p, 1);
	(void)snprintf(p, sizeof(p), "%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", p, 1);
	(void)snprintf(p, sizeof(p), "%s/home", tmpdir);
	setenv("HOME", p, 1);
	ck_assert_int_eq(max_sessions_of(NULL), 2);
	ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), 0);
	(void)snprintf(want, sizeof(want), "%s/env.yaml", tmpdir);
	ck_assert_str_eq(c.path, want);
	config_free(&c);

	/* An explicit path wins over everything. */
	(void)snprintf(p, sizeof(p), "%s/home/.config/agentsh/config.yaml",
	    tmpdir);
	ck_assert_int_eq(max_sessions_of(p), 3);

	/* Then $XDG_CONFIG_HOME; an empty AGENTSH_CONFIG is unset. */
	setenv("AGENTSH_CONFIG", "", 1);
	ck_assert_int_eq(max_sessions_of(NULL), 1);
	unsetenv("AGENTSH_CONFIG");
	ck_assert_int_eq(max_sessions_of(NULL), 1);

	/* Without XDG_CONFIG_HOME (or a relative one): ~/.config. */
	unsetenv("XDG_CONFIG_HOME");
	ck_assert_int_eq(max_sessions_of(NULL), 3);
	setenv("XDG_CONFIG_HOME", "relative", 1);
	ck_assert_int_eq(max_sessions_of(NULL), 3);

	/* XDG_CONFIG_HOME replaces ~/.config; then /etc/agentsh. */
	(void)snprintf(p, sizeof(p), "%s/empty", tmpdir);
	setenv("XDG_CONFIG_HOME", p, 1);
	if (!etc) {
		ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), 0);
		ck_assert_ptr_null(c.path);
		ck_assert_int_eq(c.max_sessions, 100);
		config_free(&c);
	}

	/* A path the user names must exist. */
	(void)snprintf(p, sizeof(p), "%s/missing.yaml", tmpdir);
	setenv("AGENTSH_CONFIG", p, 1);
	ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), -1);
	(void)snprintf(want, sizeof(want), "%s: No such file or directory", p);
	ck_assert_str_eq(err, want);
	config_free(&c);
	unsetenv("AGENTSH_CONFIG");
	ck_assert_int_eq(config_load(&c, p, err, sizeof(err)), -1);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(c.path);
	config_free(&c);

	/* A bad file found by the lookup is an error, not skipped. */
	(void)snprintf(p, sizeof(p), "%s/xdg", tmpdir);
	setenv("XDG_CONFIG_HOME", p, 1);
	write_file("xdg/agentsh/config.yaml", "bogus: 1\n", 0644);
	ck_assert_int_eq(config_load(&c, NULL, err, sizeof(err)), -1);
	(void)snprintf(want, sizeof(want), "%s/xdg/agentsh/config.yaml:1:1: "
	    "bogus: unknown key", tmpdir);
	ck_assert_str_eq(err, want);
	config_free(&c);
}
END_TEST

/* Loads path; expects the error "PATH: " + what (or success on NULL). */
static void
expect_file(const char *path, int secret, const char *what)
{
	struct mon_config	 c;
	struct keys		*k = NULL;
	char			 want[PATH_MAX + 256];
	int			 rv;

	if (secret)
		rv = (k = keys_load(path, err, sizeof(err))) != NULL ? 0 : -1;
	else
		rv = config_load(&c, path, err, sizeof(err));
	if (what == NULL)
		ck_assert_msg(rv == 0, "%s: %s", path, err);
	else {
		ck_assert_msg(rv == -1, "%s accepted", path);
		(void)snprintf(want, sizeof(want), "%s: %s", path, what);
		ck_assert_str_eq(err, want);
	}
	keys_free(k);
	if (!secret)
		config_free(&c);
}

START_TEST(test_file_checks)
{
	char		 p[PATH_MAX], what[PATH_MAX + 128];
	const char	*f;

	/* Not a regular file: a directory, a FIFO (no hang). */
	expect_file(tmpdir, 0, "not a regular file");
	(void)snprintf(p, sizeof(p), "%s/fifo", tmpdir);
	ck_assert_int_eq(mkfifo(p, 0600), 0);
	expect_file(p, 0, "not a regular file");

	f = write_file("ok.yaml", "sessions: {max_sessions: 9}\n", 0644);
	expect_file(f, 0, NULL);
	(void)snprintf(p, sizeof(p), "%s/link.yaml", tmpdir);
	ck_assert_int_eq(symlink("ok.yaml", p), 0);
	expect_file(p, 0, NULL);

	if (geteuid() != 0)
		return;	/* the ownership rules apply to root only */
	f = write_file("gw.yaml", "{}\n", 0664);
	expect_file(f, 0, "writable by group or others; it is read by a root "
	    "daemon");
	f = write_file("ow.yaml", "{}\n", 0646);
	expect_file(f, 0, "writable by group or others; it is read by a root "
	    "daemon");
	/* Through a symlink the target is what counts. */
	(void)snprintf(p, sizeof(p), "%s/link2.yaml", tmpdir);
	ck_assert_int_eq(symlink("ow.yaml", p), 0);
	expect_file(p, 0, "writable by group or others; it is read by a root "
	    "daemon");
	f = write_file("nobody.yaml", "{}\n", 0644);
	ck_assert_int_eq(chown(f, 65534, 65534), 0);
	expect_file(f, 0, "not owned by root; it is read by a root daemon");

	/* A directory others may write to could swap the file. */
	mkdir_p("open", 0777);
	f = write_file("open/c.yaml", "{}\n", 0644);
	(void)snprintf(what, sizeof(what), "directory %s/open is writable by "
	    "group or others; the file is read by a root daemon", tmpdir);
	expect_file(f, 0, what);
	mkdir_p("sticky", 01777);
	f = write_file("sticky/c.yaml", "{}\n", 0644);
	expect_file(f, 0, NULL);
	mkdir_p("theirs", 0755);
	(void)snprintf(p, sizeof(p), "%s/theirs", tmpdir);
	f = write_file("theirs/c.yaml", "{}\n", 0644);
	ck_assert_int_eq(chown(p, 65534, 65534), 0);
	(void)snprintf(what, sizeof(what), "directory %s/theirs is not owned "
	    "by root; the file is read by a root daemon", tmpdir);
	expect_file(f, 0, what);

	/* The keys file holds secrets: no access for group or others. */
	f = write_file("k1.yaml", "- {id: a, key: 0123456789abcdef}\n", 0600);
	expect_file(f, 1, NULL);
	f = write_file("k2.yaml", "- {id: a, key: 0123456789abcdef}\n", 0640);
	expect_file(f, 1, "readable or writable by group or others; it holds "
	    "secrets (chmod 600)");
	f = write_file("k3.yaml", "- {id: a, key: 0123456789abcdef}\n", 0604);
	expect_file(f, 1, "readable or writable by group or others; it holds "
	    "secrets (chmod 600)");
	f = write_file("k4.yaml", "- {id: a, key: 0123456789abcdef}\n", 0400);
	ck_assert_int_eq(chown(f, 65534, 0), 0);
	expect_file(f, 1, "not owned by root; it is read by a root daemon");
}
END_TEST

static const char keys_good[] =
    "# API keys\n"
    "- id: \"agent-1\"\n"
    "  key: \"sk-agent-0123456789abcdef\"\n"
    "  description: \"CI agent\"\n"
    "- id: approver\n"
    "  key: sk-approver-0123456789\n"
    "  role: approver\n"
    "- id: root-admin\n"
    "  key: 'sk-admin-0123456789abcd'\n"
    "  role: admin\n"
    "  description: ~\n";

static const struct keys_entry *
lookup(const struct keys *k, const char *key)
{
	return keys_lookup(k, key, strlen(key));
}

START_TEST(test_keys)
{
	struct keys		*k;
	const struct keys_entry	*e;

	ck_assert_msg((k = keys_load_buf("k.yaml", keys_good,
	    strlen(keys_good), err, sizeof(err))) != NULL, "%s", err);
	ck_assert_uint_eq(keys_count(k), 3);
	ck_assert_ptr_nonnull(e = lookup(k, "sk-agent-0123456789abcdef"));
	ck_assert_str_eq(e->id, "agent-1");
	ck_assert_str_eq(e->description, "CI agent");
	ck_assert_int_eq(e->role, KEYS_ROLE_AGENT);	/* no role: agent */
	ck_assert_str_eq(keys_role_name(e->role), "agent");
	ck_assert_ptr_eq(e, keys_entry_at(k, 0));
	ck_assert_ptr_nonnull(e = lookup(k, "sk-approver-0123456789"));
	ck_assert_str_eq(e->id, "approver");
	ck_assert_ptr_null(e->description);
	ck_assert_int_eq(e->role, KEYS_ROLE_APPROVER);
	ck_assert_ptr_nonnull(e = lookup(k, "sk-admin-0123456789abcd"));
	ck_assert_str_eq(e->id, "root-admin");
	ck_assert_ptr_null(e->description);
	ck_assert_int_eq(e->role, KEYS_ROLE_ADMIN);
	ck_assert_str_eq(keys_role_name(e->role), "admin");
	ck_assert_ptr_null(keys_entry_at(k, 3));

	/* Near misses: prefixes, extensions, case, empty. */
	ck_assert_ptr_null(lookup(k, "sk-agent-0123456789abcde"));
	ck_assert_ptr_null(lookup(k, "sk-agent-0123456789abcdef0"));
	ck_assert_ptr_null(lookup(k, "SK-AGENT-0123456789ABCDEF"));
	ck_assert_ptr_null(lookup(k, ""));
	ck_assert_ptr_null(keys_lookup(k, NULL, 0));
	ck_assert_ptr_null(keys_lookup(k, "sk-agent-0123456789abcdef\0", 26));
	ck_assert_ptr_null(keys_lookup(NULL, "x", 1));
	keys_free(k);
	keys_free(NULL);
	ck_assert_uint_eq(keys_count(NULL), 0);
}
END_TEST

static const struct {
	const char	*yaml;
	const char	*err;
} keys_bad[] = {
	{ "", "k.yaml: no keys" },
	{ "# none\n", "k.yaml: no keys" },
	{ "[]\n", "k.yaml:1:1: no keys" },
	{ "a: b\n", "k.yaml:1:1: expected a list of keys ({id, key, "
	    "description, role})" },
	{ "- x\n", "k.yaml:1:3: [0]: expected a mapping with id, key, "
	    "description and role" },
	{ "- {id: a, key: 0123456789abcdef, foo: 1}\n",
	    "k.yaml:1:34: [0].foo: unknown key" },
	{ "- {id: a, key: 0123456789abcdef, allowed_sessions: 1}\n",
	    "k.yaml:1:34: [0].allowed_sessions: unknown key" },
	{ "- {id: a, id: b, key: 0123456789abcdef}\n",
	    "k.yaml:1:11: [0].id: duplicate key" },
	{ "- {key: 0123456789abcdef}\n", "k.yaml:1:3: [0]: missing id" },
	{ "- {id: a}\n", "k.yaml:1:3: [0]: missing key" },
	{ "- {id: \"\", key: 0123456789abcdef}\n",
	    "k.yaml:1:8: [0].id: must not be empty" },
	{ "- {id: \"a\\tb\", key: 0123456789abcdef}\n",
	    "k.yaml:1:8: [0].id: contains a control character" },
	{ "- {id: a, key: \"\"}\n", "k.yaml:1:16: [0].key: must not be empty" },
	{ "- {id: a, key: }\n", "k.yaml:1:16: [0].key: missing value" },
	{ "- {id: a, key: sk-dev-local}\n",
	    "k.yaml:1:16: [0].key: shorter than 16 characters" },
	{ "- {id: a, key: 0123456789abcde}\n",
	    "k.yaml:1:16: [0].key: shorter than 16 characters" },
	{ "- {id: a, key: \"0123456789 abcdef\"}\n", "k.yaml:1:16: [0].key: "
	    "must be printable ASCII without spaces (it is sent in a header)" },
	{ "- {id: a, key: \"0123456789abcdef\\u00e9\"}\n", "k.yaml:1:16: "
	    "[0].key: must be printable ASCII without spaces (it is sent in a "
	    "header)" },
	{ "- {id: a, key: \"0123456789abcdef\\0\"}\n",
	    "k.yaml:1:16: [0].key: contains a NUL byte" },
	{ "- {id: a, key: [0123456789abcdef]}\n",
	    "k.yaml:1:16: [0].key: expected a string" },
	{ "- {id: a, key: 0123456789abcdef, description: [x]}\n",
	    "k.yaml:1:47: [0].description: expected a string" },
	{ "- {id: a, key: 0123456789abcdef, role: root}\n", "k.yaml:1:40: "
	    "[0].role: \"root\" is not one of: agent, approver, admin" },
	{ "- {id: a, key: 0123456789abcdef, role: Admin}\n", "k.yaml:1:40: "
	    "[0].role: \"Admin\" is not one of: agent, approver, admin" },
	{ "- {id: a, key: 0123456789abcdef, role: }\n",
	    "k.yaml:1:40: [0].role: missing value" },
	{ "- {id: a, key: 0123456789abcdef}\n- {id: a, key: 0123456789abcdeg}\n",
	    "k.yaml:2:8: [1].id: duplicate id \"a\" (first at line 1)" },
	{ "- {id: a, key: 0123456789abcdef}\n- {id: b, key: 0123456789abcdeg}\n"
	    "- {id: c, key: 0123456789abcdef}\n",
	    "k.yaml:3:16: [2].key: the same key as entry [0] at line 1" },
	{ "- {id: a, key: &k 0123456789abcdef}\n",
	    "k.yaml:1:16: anchors are not allowed (the file is plain data)" },
	{ "- {id: a, key: 0123456789abcdef}\n---\n",
	    "k.yaml:2:1: only one YAML document is allowed" },
};

START_TEST(test_keys_bad)
{
	struct keys	*k;

	k = keys_load_buf("k.yaml", keys_bad[_i].yaml,
	    strlen(keys_bad[_i].yaml), err, sizeof(err));
	ck_assert_msg(k == NULL, "accepted: %s", keys_bad[_i].yaml);
	ck_assert_str_eq(err, keys_bad[_i].err);
}
END_TEST

/* Messages never quote a key, even a rejected one. */
START_TEST(test_keys_not_in_messages)
{
	static const char *const docs[] = {
		"- {id: a, key: SECRETsecret}\n",
		"- {id: a, key: \"SECRETsecret SECRET\"}\n",
		"- {id: a, key: SECRETsecretSECRET}\n"
		    "- {id: b, key: SECRETsecretSECRET}\n",
	};
	size_t	 i;

	for (i = 0; i < nitems(docs); i++) {
		ck_assert_ptr_null(keys_load_buf("k.yaml", docs[i],
		    strlen(docs[i]), err, sizeof(err)));
		ck_assert_msg(strstr(err, "SECRET") == NULL, "%s", err);
	}
}
END_TEST

static Suite *
config_suite(void)
{
	Suite	*s = suite_create("config");
	TCase	*tc;

	tc = tcase_create("parse");
	tcase_add_test(tc, test_defaults);
	tcase_add_test(tc, test_empty_documents);
	tcase_add_test(tc, test_golden_defaults);
	tcase_add_test(tc, test_golden_full);
	tcase_add_test(tc, test_values);
	tcase_add_loop_test(tc, test_bad, 0, nitems(bad));
	tcase_add_test(tc, test_bad_bytes);
	tcase_add_test(tc, test_failure_leaves_defaults);
	suite_add_tcase(s, tc);

	tc = tcase_create("files");
	tcase_add_unchecked_fixture(tc, mk_tmpdir, rm_tmpdir);
	tcase_add_test(tc, test_lookup);
	tcase_add_test(tc, test_file_checks);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_test(tc, test_keys);
	tcase_add_loop_test(tc, test_keys_bad, 0, nitems(keys_bad));
	tcase_add_test(tc, test_keys_not_in_messages);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr;
	int	 nfailed;

	sr = srunner_create(config_suite());
	srunner_run_all(sr, CK_NORMAL);
	nfailed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfailed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
