/*
 * libagentsh-audit: the canonical form and its vectors, keys, the writer
 * (resume, crash recovery, rotation, key change) and the verifier (each
 * kind of tampering at the right line).
 *
 * The first vectors are canyonroad/agentsh internal/audit/integrity_test.go
 * (testKey, TestIntegrityChain_VerifyHash_UsesOwnKeyAndCanonicalPayload,
 * TestKeyFingerprint_IsDeterministic, TestNewIntegrityChain_KeyTooShort,
 * TestVerifyHash_PreservesNumericLexemes); the HMAC values were computed
 * independently with openssl dgst -hmac over the canonical bytes.
 */
#include "compat.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "regress/unittests/common/ut_util.h"

#define TESTKEY		"test-secret-key-32-bytes-long!!!"
#define OTHERKEY	"another-secret-key-of-32-bytes!!"

static char	 tmpdir[64];
static int	 dirfd_;

/* ------------------------------------------------------------------ */
/* Helpers */

static char *
canon_of(const char *in, size_t len)
{
	struct audit_buf	 out = { 0 };
	char			 err[256], *s;

	if (audit_json_canon(in, len, &out, err, sizeof(err)) == -1)
		return NULL;
	s = calloc(1, out.len + 1);
	ck_assert_ptr_nonnull(s);
	memcpy(s, out.data, out.len);
	audit_buf_clear(&out);
	return s;
}

static void
expect_canon(const char *in, const char *want)
{
	char	*got = canon_of(in, strlen(in));

	ck_assert_msg(got != NULL, "canon of '%s' failed", in);
	ck_assert_msg(strcmp(got, want) == 0, "canon of '%s' is '%s', want "
	    "'%s'", in, got, want);
	free(got);
}

static void
expect_error(const char *in, size_t len, const char *want)
{
	struct audit_buf	 out = { 0 };
	char			 err[256];

	ck_assert_msg(audit_json_canon(in, len, &out, err, sizeof(err)) == -1,
	    "'%.*s' was accepted", (int)len, in);
	if (want != NULL)
		ck_assert_msg(strstr(err, want) != NULL, "error '%s' for "
		    "'%.*s' lacks '%s'", err, (int)len, in, want);
	audit_buf_clear(&out);
}

static struct audit_key *
key_of(const char *k, enum audit_alg alg)
{
	struct audit_key	*key;
	char			 err[128];

	key = audit_key_new(k, strlen(k), alg, err, sizeof(err));
	ck_assert_msg(key != NULL, "%s", err);
	return key;
}

static void
setup_dir(void)
{
	strlcpy(tmpdir, "/tmp/audit-test.XXXXXX", sizeof(tmpdir));
	ck_assert_ptr_nonnull(mkdtemp(tmpdir));
	dirfd_ = open(tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ck_assert_int_ge(dirfd_, 0);
}

static void
teardown_dir(void)
{
	close(dirfd_);
	ck_assert_int_eq(ut_rmtree(tmpdir), 0);
}

static struct audit_writer *
wopen(const struct audit_key *key, uint64_t max_size, unsigned int backups,
    struct audit_open_info *info)
{
	struct audit_writer_conf c;
	struct audit_writer	*w;
	char			 err[512];

	audit_writer_conf_init(&c);
	c.dirfd = dirfd_;
	c.key = key;
	c.max_size = max_size;
	c.max_backups = backups;
	c.sync_ms = 3600 * 1000;	/* only when asked */
	w = audit_writer_open(&c, info, err, sizeof(err));
	ck_assert_msg(w != NULL, "open: %s", err);
	return w;
}

static void
append_n(struct audit_writer *w, int from, int n)
{
	char	 ev[256], err[256];

	for (int i = from; i < from + n; i++) {
		snprintf(ev, sizeof(ev), "{\"type\":\"file_open\",\"pid\":%d,"
		    "\"path\":\"/ws/f%d <&>\",\"session_id\":\"s1\"}", 100 + i,
		    i);
		ck_assert_msg(audit_writer_append(w, ev, strlen(ev), err,
		    sizeof(err)) == 0, "append: %s", err);
	}
}

static void
wclose(struct audit_writer *w)
{
	char	 err[256];

	ck_assert_msg(audit_writer_close(w, err, sizeof(err)) == 0, "close: %s",
	    err);
}

static char *
slurp(const char *name, size_t *len)
{
	struct stat	 st;
	char		*buf;
	int		 fd;

	fd = openat(dirfd_, name, O_RDONLY);
	ck_assert_msg(fd >= 0, "%s: %s", name, strerror(errno));
	ck_assert_int_eq(fstat(fd, &st), 0);
	buf = calloc(1, (size_t)st.st_size + 1);
	ck_assert_ptr_nonnull(buf);
	ck_assert_int_eq(read(fd, buf, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return buf;
}

static void
spit(const char *name, const char *buf, size_t len)
{
	int	 fd;

	fd = openat(dirfd_, name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
	close(fd);
}

static void
spits(const char *name, const char *s)
{
	spit(name, s, strlen(s));
}

static int
nlines(const char *name)
{
	size_t	 len;
	char	*b = slurp(name, &len);
	int	 n = 0;

	for (size_t i = 0; i < len; i++)
		n += b[i] == '\n';
	free(b);
	return n;
}

/* Line i (1-based) of a file, without its newline. */
static char *
line_of(const char *name, int i)
{
	size_t	 len;
	char	*b = slurp(name, &len), *p = b, *e, *r;

	for (int k = 1; k < i; k++) {
		p = strchr(p, '\n');
		ck_assert_ptr_nonnull(p);
		p++;
	}
	e = strchr(p, '\n');
	ck_assert_ptr_nonnull(e);
	r = strndup(p, (size_t)(e - p));
	free(b);
	return r;
}

/* Rewrites a file through an edit of its lines (1-based). */
enum edit { DELETE, SWAP_NEXT, REPLACE, INSERT_BEFORE };

static void
edit_lines(const char *name, enum edit op, int at, const char *text)
{
	size_t		 len;
	char		*b = slurp(name, &len), *lines[4096], *save = NULL;
	struct audit_buf out = { 0 };
	int		 n = 0;

	for (char *l = strtok_r(b, "\n", &save); l != NULL;
	    l = strtok_r(NULL, "\n", &save))
		lines[n++] = l;
	for (int i = 1; i <= n; i++) {
		const char *l = lines[i - 1];

		if (i == at) {
			if (op == DELETE)
				continue;
			if (op == REPLACE)
				l = text;
			if (op == INSERT_BEFORE) {
				audit_buf_adds(&out, text);
				audit_buf_addc(&out, '\n');
			}
			if (op == SWAP_NEXT && i < n) {
				audit_buf_adds(&out, lines[i]);
				audit_buf_addc(&out, '\n');
				audit_buf_adds(&out, l);
				audit_buf_addc(&out, '\n');
				i++;
				continue;
			}
		}
		audit_buf_adds(&out, l);
		audit_buf_addc(&out, '\n');
	}
	spit(name, (char *)out.data, out.len);
	audit_buf_clear(&out);
	free(b);
}

/* Changes one byte of line i: the one 'off' after the first 'needle'. */
static void
patch_line(const char *name, int i, const char *needle, size_t off, char c)
{
	char	*l = line_of(name, i), *p;

	p = strstr(l, needle);
	ck_assert_msg(p != NULL, "line %d of %s has no '%s'", i, name, needle);
	p[off] = c;
	edit_lines(name, REPLACE, i, l);
	free(l);
}

struct notes {
	int	 n;
	char	 codes[8][32];
};

static void
note_cb(void *arg, size_t file, uint64_t line, const char *code,
    const char *reason)
{
	struct notes	*nt = arg;

	if (nt->n < 8)
		strlcpy(nt->codes[nt->n], code, sizeof(nt->codes[0]));
	nt->n++;
}

/* Verifies files (oldest first) under key; the result in *r. */
static void
verify_files(const struct audit_key *key, const char **names, size_t n,
    struct audit_vresult *r, struct notes *nt)
{
	struct audit_verifier	*v;
	char			 err[256];
	int			 fd;

	v = audit_verifier_new(key);
	ck_assert_ptr_nonnull(v);
	if (nt != NULL) {
		memset(nt, 0, sizeof(*nt));
		audit_verifier_set_note(v, note_cb, nt);
	}
	for (size_t i = 0; i < n; i++) {
		fd = openat(dirfd_, names[i], O_RDONLY);
		ck_assert_msg(fd >= 0, "%s: %s", names[i], strerror(errno));
		ck_assert_int_ne(audit_verifier_add(v, fd, err, sizeof(err)),
		    -1);
		close(fd);
	}
	audit_verifier_result(v, r);
	audit_verifier_free(v);
}

static void
verify1(const struct audit_key *key, const char *name, struct audit_vresult *r)
{
	verify_files(key, &name, 1, r, NULL);
}

static void
expect_ok(const struct audit_key *key, const char *name, uint64_t entries)
{
	struct audit_vresult	 r;

	verify1(key, name, &r);
	ck_assert_msg(r.kind == AUDIT_V_OK, "%s: line %" PRIu64 ": %s: %s",
	    name, r.line, audit_vkind_name(r.kind), r.detail);
	ck_assert_uint_eq(r.entries, entries);
}

static void
expect_bad(const struct audit_key *key, const char *name,
    enum audit_vkind kind, uint64_t line)
{
	struct audit_vresult	 r;

	verify1(key, name, &r);
	ck_assert_msg(r.kind == kind && r.line == line, "%s: got line %"
	    PRIu64 " %s (%s), want line %" PRIu64 " %s", name, r.line,
	    audit_vkind_name(r.kind), r.detail, line, audit_vkind_name(kind));
}

/* A writer that appends n events, writes them and dies: no fsync, no
 * sidecar update. */
static void
crash_after(const struct audit_key *key, int from, int n)
{
	struct audit_writer	*w;
	char			 err[256];
	pid_t			 pid;
	int			 status;

	if ((pid = fork()) == 0) {
		w = wopen(key, 0, 0, NULL);
		append_n(w, from, n);
		_exit(audit_writer_flush(w, 0, err, sizeof(err)) == 0 ? 0 : 1);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(status, 0);
}

/* A fresh log: the initial restart entry and n events (n + 1 lines). */
static void
make_log(const struct audit_key *key, int n)
{
	struct audit_writer	*w = wopen(key, 0, 0, NULL);

	append_n(w, 0, n);
	wclose(w);
}

/* ------------------------------------------------------------------ */
/* Vectors */

START_TEST(test_vector_original)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_buf	 c = { 0 };
	char			 h[AUDIT_HASH_HEX_MAX + 1], err[64];

	ck_assert_int_eq(audit_json_canon("{\"b\":2,\"a\":1}", 13, &c, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(c.len, 13);
	ck_assert_int_eq(memcmp(c.data, "{\"a\":1,\"b\":2}", 13), 0);
	audit_entry_hash(k, 0, "", 0, c.data, c.len, h);
	ck_assert_str_eq(h, "081be9c6452bca627b0c87827decb62714f0e4b3d101951"
	    "7d58ad85f81ef6f6c");
	ck_assert_str_eq(audit_key_fingerprint(k),
	    "sha256:9ebe9a98722a72c6e4014259c4143e7a");
	audit_buf_clear(&c);
	audit_key_free(k);
}
END_TEST

START_TEST(test_vector_sha512)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA512);
	char			 h[AUDIT_HASH_HEX_MAX + 1];

	audit_entry_hash(k, 0, "", 0, "{\"a\":1,\"b\":2}", 13, h);
	ck_assert_str_eq(h, "5231f17a12d6a92d5ca198a9bc49da9514d3d4e95246119d"
	    "24d28e15ab8f605cf163272b78b2f393f6cab12689109438391442c7cc8c3735"
	    "7ba4e8514455a63e");
	/* The fingerprint is of the key, whatever the algorithm. */
	ck_assert_str_eq(audit_key_fingerprint(k),
	    "sha256:9ebe9a98722a72c6e4014259c4143e7a");
	audit_key_free(k);
}
END_TEST

/* Shell metacharacters, a redirect, HTML, U+2028, control bytes and
 * invalid UTF-8 in one string, chained after the first vector. */
START_TEST(test_vector_escapes)
{
	static const char in[] = "{\"a\":\"&& 2>&1 < \xe2\x80\xa8 \\b\\u0001 "
	    "\xff\"}";
	static const char want[] = "{\"a\":\"\\u0026\\u0026 2\\u003e\\u00261 "
	    "\\u003c \\u2028 \\b\\u0001 \xef\xbf\xbd\"}";
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	char			*c = canon_of(in, sizeof(in) - 1);
	char			 h[AUDIT_HASH_HEX_MAX + 1];
	const char		*prev = "081be9c6452bca627b0c87827decb62714f0e4"
	    "b3d1019517d58ad85f81ef6f6c";

	ck_assert_str_eq(c, want);
	audit_entry_hash(k, 1, prev, strlen(prev), c, strlen(c), h);
	ck_assert_str_eq(h, "f1937288b91f36ff1f72572f3c2a27904aa50bc876641ccf"
	    "fdb98361ec3eba2d");
	free(c);
	audit_key_free(k);
}
END_TEST

START_TEST(test_key_too_short)
{
	char	 err[128];

	ck_assert_ptr_null(audit_key_new("short", 5, AUDIT_HMAC_SHA256, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "key too short"));
	ck_assert_ptr_null(audit_key_new(TESTKEY, 31, AUDIT_HMAC_SHA512, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "key too short: got 31 bytes"));
	ck_assert_ptr_null(audit_key_new("", 0, AUDIT_HMAC_SHA256, err,
	    sizeof(err)));
}
END_TEST

START_TEST(test_alg_names)
{
	enum audit_alg	 a;

	ck_assert_int_eq(audit_alg_parse("hmac-sha512", &a), 0);
	ck_assert_int_eq(a, AUDIT_HMAC_SHA512);
	ck_assert_int_eq(audit_alg_parse(NULL, &a), 0);
	ck_assert_int_eq(a, AUDIT_HMAC_SHA256);
	ck_assert_int_eq(audit_alg_parse("hmac-md5", &a), -1);
	ck_assert_int_eq(audit_alg_parse("HMAC-SHA256", &a), -1);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Canonical form */

START_TEST(test_canon_numbers)
{
	expect_canon("[1.10, 1e2, 12345678901234567890, -0, 1E+2, 0.5e-3]",
	    "[1.10,1e2,12345678901234567890,-0,1E+2,0.5e-3]");
	expect_canon("{\"v\":1.0}", "{\"v\":1.0}");
	expect_canon("{\"v\":1e0}", "{\"v\":1e0}");
	expect_canon("{\"big\":9007199254740993}", "{\"big\":9007199254740993}");
	expect_canon("-0.0", "-0.0");
	expect_error("01", 2, "after top-level value");
	expect_error("1.", 2, "unexpected end");
	expect_error("1.e3", 4, "after decimal point");
	expect_error(".5", 2, "beginning of value");
	expect_error("-", 1, "unexpected end");
	expect_error("+1", 2, "beginning of value");
	expect_error("1e", 2, "unexpected end");
	expect_error("1e+", 3, "unexpected end");
	expect_error("[1e+]", 5, "exponent");
	expect_error("0x1", 3, "after top-level value");
	expect_error("NaN", 3, "beginning of value");
	expect_error("-Infinity", 9, "numeric literal");
}
END_TEST

START_TEST(test_canon_strings)
{
	expect_canon("\"&& 2>&1 <x>\"",
	    "\"\\u0026\\u0026 2\\u003e\\u00261 \\u003cx\\u003e\"");
	/* U+2028 and U+2029, raw or escaped, come out escaped. */
	expect_canon("\"\xe2\x80\xa8\xe2\x80\xa9\\u2028\\u2029\"",
	    "\"\\u2028\\u2029\\u2028\\u2029\"");
	/* \b and \f as Go 1.22+ writes them; other controls as \u00XX. */
	expect_canon("\"\\u0008\\u000c\\n\\r\\t\\u0000\\u0001\\u001f\"",
	    "\"\\b\\f\\n\\r\\t\\u0000\\u0001\\u001f\"");
	expect_canon("\"\\\"\\\\\\/\"", "\"\\\"\\\\/\"");
	/* DEL and other non-ASCII stay raw; escapes of them are resolved. */
	expect_canon("\"\x7f\\u007f\"", "\"\x7f\x7f\"");
	expect_canon("\"\\u00e9\\u20AC\xc3\xa9\"",
	    "\"\xc3\xa9\xe2\x82\xac\xc3\xa9\"");
	expect_canon("\"\\ufffd\"", "\"\xef\xbf\xbd\"");
	/* A raw control byte is not JSON; an escaped NUL is. */
	expect_error("\"a\x01\"", 4, "in string literal");
	expect_error("\"a\nb\"", 5, "in string literal");
	expect_error("\"\\x\"", 4, "string escape code");
	expect_error("\"\\u12\"", 6, "hexadecimal");
	expect_error("\"\\u12G4\"", 8, "hexadecimal");
	expect_error("\"abc", 4, "unexpected end");
	expect_error("\"abc\\", 5, "unexpected end");
}
END_TEST

/* Each byte of invalid UTF-8 becomes one U+FFFD, as Go's DecodeRune. */
START_TEST(test_canon_invalid_utf8)
{
	static const struct {
		const char	*in;
		int		 nrepl;
	} t[] = {
		{ "\xff", 1 },
		{ "\xc0\x80", 2 },		/* overlong NUL */
		{ "\xe0\x80\xaf", 3 },		/* overlong '/' */
		{ "\xed\xa0\x80", 3 },		/* a surrogate */
		{ "\xf4\x90\x80\x80", 4 },	/* above U+10FFFF */
		{ "\xe2\x80", 2 },		/* truncated */
		{ "\xf0\x9f\x98", 3 },		/* truncated */
		{ "\x80", 1 },			/* stray continuation */
		{ "\xf5\x80\x80\x80", 4 },
	};
	char	 in[32], want[64];

	for (size_t i = 0; i < nitems(t); i++) {
		size_t n = 0;

		snprintf(in, sizeof(in), "\"a%sb\"", t[i].in);
		want[n++] = '"';
		want[n++] = 'a';
		for (int k = 0; k < t[i].nrepl; k++) {
			memcpy(want + n, "\xef\xbf\xbd", 3);
			n += 3;
		}
		memcpy(want + n, "b\"", 3);
		expect_canon(in, want);
	}
	/* Valid four-byte and the largest code point stay. */
	expect_canon("\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"",
	    "\"\xf0\x9f\x98\x80\xf4\x8f\xbf\xbf\"");
}
END_TEST

/* Surrogate escapes as Go's unquote: a high-low pair joins, anything else
 * is U+FFFD and the next escape stands on its own. */
START_TEST(test_canon_surrogates)
{
	expect_canon("\"\\ud83d\\ude00\"", "\"\xf0\x9f\x98\x80\"");
	expect_canon("\"\\uD83D\\uDE00\"", "\"\xf0\x9f\x98\x80\"");
	expect_canon("\"\\ud800\"", "\"\xef\xbf\xbd\"");
	expect_canon("\"\\udc00\"", "\"\xef\xbf\xbd\"");
	expect_canon("\"\\udc00\\ud800\"", "\"\xef\xbf\xbd\xef\xbf\xbd\"");
	expect_canon("\"\\ud800x\"", "\"\xef\xbf\xbdx\"");
	expect_canon("\"\\ud800\\u0041\"", "\"\xef\xbf\xbd" "A\"");
	expect_canon("\"\\ud800\\ud800\\udc00\"",
	    "\"\xef\xbf\xbd\xf0\x90\x80\x80\"");
}
END_TEST

START_TEST(test_canon_objects)
{
	expect_canon(" { \"b\" : [ 1 , { \"z\" : null , \"y\" : true } ] ,"
	    " \"a\" : { } , \"c\" : [ ] } ",
	    "{\"a\":{},\"b\":[1,{\"y\":true,\"z\":null}],\"c\":[]}");
	/* Sorted by the decoded bytes, not the escaped spelling. */
	expect_canon("{\"\\u00e9\":1,\"z\":2,\"e\":3,\"\\u003c\":4,\"A\":5}",
	    "{\"\\u003c\":4,\"A\":5,\"e\":3,\"z\":2,\"\xc3\xa9\":1}");
	expect_canon("{\"ab\":1,\"a\":2,\"\":3}", "{\"\":3,\"a\":2,\"ab\":1}");
	expect_canon("{\"\\u0000\":1}", "{\"\\u0000\":1}");
	expect_error("{\"a\":1,}", 8, "object key string");
	expect_error("{\"a\" 1}", 7, "after object key");
	expect_error("{1:1}", 5, "object key string");
	expect_error("[1,]", 4, "beginning of value");
	expect_error("[1 2]", 5, "after array element");
	expect_error("{\"a\":1", 6, "unexpected end");
	expect_error("{} {}", 5, "after top-level value");
	expect_error("{}x", 3, "after top-level value");
	expect_error("", 0, "unexpected end");
	expect_error("   ", 3, "unexpected end");
	expect_error("\0", 1, "beginning of value");
	expect_error("{}\0", 3, "after top-level value");
	expect_error("\xef\xbb\xbf{}", 5, "beginning of value");	/* BOM */
	expect_error("nul", 3, "unexpected end");
	expect_error("nulx", 4, "in literal");
	expect_error("truex", 5, "after top-level value");
}
END_TEST

/* Go keeps the last of duplicate keys, whole (no merging). */
START_TEST(test_canon_duplicates)
{
	struct audit_jdoc	*d = audit_jdoc_new();
	const char		*s;
	char			 err[128];
	uint32_t		 v;
	size_t			 n;

	expect_canon("{\"a\":1,\"b\":2,\"a\":3}", "{\"a\":3,\"b\":2}");
	expect_canon("{\"a\":{\"x\":1,\"y\":2},\"a\":{\"z\":3}}",
	    "{\"a\":{\"z\":3}}");
	expect_canon("{\"a\":1,\"\\u0061\":2}", "{\"a\":2}");
	expect_canon("{\"k\":1,\"k\":2,\"k\":3,\"j\":0,\"k\":4}",
	    "{\"j\":0,\"k\":4}");
	ck_assert_int_eq(audit_jdoc_parse(d, "{\"a\":\"x\",\"a\":\"y\"}", 17,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(audit_jdoc_len(d, AUDIT_JROOT), 1);
	ck_assert_int_eq(audit_jdoc_get(d, AUDIT_JROOT, "a", &v), 0);
	s = audit_jdoc_bytes(d, v, &n);
	ck_assert_int_eq(n, 1);
	ck_assert_int_eq(s[0], 'y');
	audit_jdoc_free(d);
}
END_TEST

START_TEST(test_canon_limits)
{
	struct audit_jdoc	*d = audit_jdoc_new();
	struct audit_buf	 out = { 0 };
	char			 err[128], *deep;
	size_t			 n = 10001;

	/* Go's 10000 levels are fine, one more is not. */
	deep = malloc(2 * n + 1);
	ck_assert_ptr_nonnull(deep);
	memset(deep, '[', n - 1);
	memset(deep + n - 1, ']', n - 1);
	ck_assert_int_eq(audit_jdoc_parse(d, deep, 2 * (n - 1), err,
	    sizeof(err)), 0);
	ck_assert_int_eq(audit_jdoc_canon(d, AUDIT_JROOT, &out, NULL, NULL), 0);
	ck_assert_int_eq(out.len, 2 * (n - 1));
	ck_assert_int_eq(memcmp(out.data, deep, out.len), 0);
	memset(deep, '[', n);
	memset(deep + n, ']', n);
	ck_assert_int_eq(audit_jdoc_parse(d, deep, 2 * n, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "maximum depth of 10000"));
	audit_jdoc_set_limits(d, 100, 3);
	ck_assert_int_eq(audit_jdoc_parse(d, "[[[1]]]", 7, err, sizeof(err)),
	    0);
	ck_assert_int_eq(audit_jdoc_parse(d, "[[[[1]]]]", 9, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "offset 3: nesting exceeds"));
	memset(deep, ' ', 101);
	deep[0] = '1';
	ck_assert_int_eq(audit_jdoc_parse(d, deep, 101, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "101 bytes exceeds the limit of 100"));
	ck_assert_int_eq(audit_jdoc_parse(d, deep, 100, err, sizeof(err)), 0);
	/* SIZE_MAX asks for the hard ceiling, not for no limit. */
	audit_jdoc_set_limits(d, SIZE_MAX, 10);
	ck_assert_int_eq(audit_jdoc_parse(d, deep, SIZE_MAX, err,
	    sizeof(err)), -1);
	audit_buf_clear(&out);
	free(deep);
	audit_jdoc_free(d);
}
END_TEST

START_TEST(test_canon_idempotent)
{
	static const char *in[] = {
		("{\"b\":[\"<\\u2028>\",{\"d\":1e5,\"c\":\"\\ud83d\\ude00\"}],"
		    "\"a\":\"\xff\\u0000\"}"),
		"[\"\\b\\f\\u007f\",-0.0E-00,{}]",
		"\"\xe2\x80\xa9&\"",
	};

	for (size_t i = 0; i < nitems(in); i++) {
		char *a = canon_of(in[i], strlen(in[i]));
		char *b = canon_of(a, strlen(a));

		ck_assert_str_eq(a, b);
		free(a);
		free(b);
	}
}
END_TEST

START_TEST(test_jdoc_access)
{
	static const struct {
		const char	*lex;
		int		 ok;
		int64_t		 v;
	} t[] = {
		{ "0", 1, 0 }, { "-0", 1, 0 }, { "42", 1, 42 },
		{ "9223372036854775807", 1, INT64_MAX },
		{ "-9223372036854775808", 1, INT64_MIN },
		{ "9223372036854775808", 0, 0 },
		{ "-9223372036854775809", 0, 0 },
		{ "1.0", 0, 0 }, { "1e2", 0, 0 }, { "2E0", 0, 0 },
	};
	struct audit_jdoc	*d = audit_jdoc_new();
	char			 err[128];
	int64_t			 v;
	uint32_t		 m, k;

	for (size_t i = 0; i < nitems(t); i++) {
		ck_assert_int_eq(audit_jdoc_parse(d, t[i].lex, strlen(t[i].lex),
		    err, sizeof(err)), 0);
		ck_assert_int_eq(audit_jdoc_int64(d, AUDIT_JROOT, &v) == 0,
		    t[i].ok);
		if (t[i].ok)
			ck_assert_int_eq(v, t[i].v);
	}
	ck_assert_int_eq(audit_jdoc_parse(d, "{\"s\":\"x\",\"n\":1}", 15, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(audit_jdoc_get(d, AUDIT_JROOT, "missing", &m), -1);
	ck_assert_int_eq(audit_jdoc_get(d, AUDIT_JROOT, "s", &m), 0);
	ck_assert_int_eq(audit_jdoc_int64(d, m, &v), -1);	/* a string */
	ck_assert_int_eq(audit_jdoc_get(d, m, "s", &k), -1);	/* not object */
	ck_assert(audit_jdoc_streq(d, m, "x"));
	ck_assert(!audit_jdoc_streq(d, m, "xy"));
	ck_assert_int_eq(audit_jdoc_member(d, AUDIT_JROOT, 0, &k, &m), 0);
	ck_assert(audit_jdoc_streq(d, k, "n"));		/* sorted */
	ck_assert_int_eq(audit_jdoc_member(d, AUDIT_JROOT, 2, &k, &m), -1);
	/* A failed parse leaves no document to read. */
	ck_assert_int_eq(audit_jdoc_parse(d, "{", 1, err, sizeof(err)), -1);
	ck_assert_int_eq(audit_jdoc_type(d, AUDIT_JROOT), 0);
	ck_assert_int_eq(audit_jdoc_get(d, AUDIT_JROOT, "s", &m), -1);
	audit_jdoc_free(d);
}
END_TEST

/* Go's encoder on raw bytes: each invalid byte is \ufffd. */
START_TEST(test_json_quote)
{
	struct audit_buf	 b = { 0 };

	ck_assert_int_eq(audit_json_quote(&b, "a\xff<\xe2\x80\xa8\0\x1f\"", 9),
	    0);
	ck_assert_int_eq(b.len, strlen("\"a\\ufffd\\u003c\\u2028\\u0000"
	    "\\u001f\\\"\""));
	ck_assert_int_eq(memcmp(b.data, "\"a\\ufffd\\u003c\\u2028\\u0000"
	    "\\u001f\\\"\"", b.len), 0);
	audit_buf_clear(&b);
	ck_assert_int_eq(audit_json_quote(&b, "", 0), 0);
	ck_assert_int_eq(b.len, 2);
	audit_buf_clear(&b);
}
END_TEST

/* The integrity member goes in its sorted place; the line read back gives
 * the same canonical event and its hash verifies. */
START_TEST(test_line_build)
{
	static const char *in[] = {
		"{}", "{\"a\":1}", "{\"z\":1}", "{\"a\":1,\"z\":2}",
		"{\"integrity\\u0000\":1,\"in\":2,\"integrityz\":3}",
	};
	static const char *want[] = {
		"{\"integrity\":{I}}",
		"{\"a\":1,\"integrity\":{I}}",
		"{\"integrity\":{I},\"z\":1}",
		"{\"a\":1,\"integrity\":{I},\"z\":2}",
		("{\"in\":2,\"integrity\":{I},\"integrity\\u0000\":1,"
		    "\"integrityz\":3}"),
	};
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_jdoc	*d = audit_jdoc_new();
	struct audit_integrity	 ig;
	struct audit_buf	 c = { 0 }, line = { 0 }, c2 = { 0 };
	char			 err[128], h[AUDIT_HASH_HEX_MAX + 1], exp[512];
	size_t			 at;

	for (size_t i = 0; i < nitems(in); i++) {
		audit_buf_reset(&c);
		audit_buf_reset(&line);
		audit_buf_reset(&c2);
		ck_assert_int_eq(audit_jdoc_parse(d, in[i], strlen(in[i]), err,
		    sizeof(err)), 0);
		ck_assert_int_eq(audit_jdoc_canon(d, AUDIT_JROOT, &c,
		    "integrity", &at), 0);
		audit_entry_hash(k, 7, "ab", 2, c.data, c.len, h);
		ck_assert_int_eq(audit_line_build(&line, c.data, c.len, at, 7,
		    "ab", h), 0);
		{
			const char *p = strstr(want[i], "{I}");
			int n = snprintf(exp, sizeof(exp), "%.*s{\"format_"
			    "version\":2,\"sequence\":7,\"prev_hash\":\"ab\","
			    "\"entry_hash\":\"%s\"}%s\n", (int)(p - want[i]),
			    want[i], h, p + 3);

			ck_assert_int_eq(line.len, n);
			ck_assert_int_eq(memcmp(line.data, exp, line.len), 0);
		}
		ck_assert_int_eq(audit_entry_parse(d, line.data, line.len - 1,
		    &c2, &ig, err, sizeof(err)), AUDIT_ENTRY_OK);
		ck_assert_int_eq(c2.len, c.len);
		ck_assert_int_eq(memcmp(c2.data, c.data, c.len), 0);
		ck_assert_int_eq(ig.sequence, 7);
		ck_assert(audit_entry_verify(k, &ig, &c2));
		/* The line is canonical itself. */
		audit_buf_reset(&c2);
		ck_assert_int_eq(audit_jdoc_canon(d, AUDIT_JROOT, &c2, NULL,
		    NULL), 0);
		ck_assert_int_eq(c2.len, line.len - 1);
	}
	audit_buf_clear(&c);
	audit_buf_clear(&c2);
	audit_buf_clear(&line);
	audit_jdoc_free(d);
	audit_key_free(k);
}
END_TEST

/*
 * Entries for the numeric lexemes of TestVerifyHash_PreservesNumericLexemes
 * (canyonroad/agentsh internal/audit/integrity_test.go:293): formatting and
 * key order of a line do not matter, the lexemes do.
 */
START_TEST(test_entry_parse)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_jdoc	*d = audit_jdoc_new();
	struct audit_integrity	 ig;
	struct audit_buf	 c = { 0 };
	char			 err[128], h[AUDIT_HASH_HEX_MAX + 1], line[512];
	static const char *lex[] = { "1.0", "1e0", "-0", "9007199254740993" };

	for (size_t i = 0; i < nitems(lex); i++) {
		char ev[128];

		snprintf(ev, sizeof(ev), "{\"fields\":{\"value\":%s},\"type\":"
		    "\"persisted\"}", lex[i]);
		audit_entry_hash(k, 3, "00", 2, ev, strlen(ev), h);
		snprintf(line, sizeof(line), "{ \"type\" : \"persisted\", "
		    "\"integrity\": {\"entry_hash\":\"%s\",\"prev_hash\":\"00\","
		    "\"sequence\":3,\"format_version\":2}, \"fields\":{\"value\":"
		    "%s} }", h, lex[i]);
		audit_buf_reset(&c);
		ck_assert_int_eq(audit_entry_parse(d, line, strlen(line), &c,
		    &ig, err, sizeof(err)), AUDIT_ENTRY_OK);
		ck_assert(audit_entry_verify(k, &ig, &c));
		/* The same value spelled otherwise is another entry. */
		snprintf(line, sizeof(line), "{\"type\":\"persisted\","
		    "\"integrity\":{\"entry_hash\":\"%s\",\"prev_hash\":\"00\","
		    "\"sequence\":3,\"format_version\":2},\"fields\":{\"value\":"
		    "%s0}}", h, strchr(lex[i], '.') ? lex[i] : "1.00");
		audit_buf_reset(&c);
		ck_assert_int_eq(audit_entry_parse(d, line, strlen(line), &c,
		    &ig, err, sizeof(err)), AUDIT_ENTRY_OK);
		ck_assert(!audit_entry_verify(k, &ig, &c));
	}
	audit_buf_reset(&c);
	ck_assert_int_eq(audit_entry_parse(d, "[1]", 3, &c, &ig, err,
	    sizeof(err)), AUDIT_ENTRY_MALFORMED);
	ck_assert_int_eq(audit_entry_parse(d, "{\"a\":1}", 7, &c, &ig, err,
	    sizeof(err)), AUDIT_ENTRY_UNSIGNED);
	ck_assert_int_eq(audit_entry_parse(d, "{\"integrity\":{\"sequence\":"
	    "1.5,\"format_version\":2,\"prev_hash\":\"\",\"entry_hash\":\"\"}}",
	    80, &c, &ig, err, sizeof(err)), AUDIT_ENTRY_BAD_INTEGRITY);
	ck_assert_ptr_nonnull(strstr(err, "integrity.sequence"));
	audit_buf_clear(&c);
	audit_jdoc_free(d);
	audit_key_free(k);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Keys */

START_TEST(test_key_files)
{
	unsigned char	*key;
	size_t		 len;
	char		 err[256], path[128];

	/* Go's TrimSpace: ASCII and Unicode white space at both ends. */
	spit("k1", " \t\n" TESTKEY "\r\n\xc2\xa0\xe3\x80\x80", 42);
	snprintf(path, sizeof(path), "%s/k1", tmpdir);
	ck_assert_int_eq(audit_key_read_file(path, &key, &len, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(len, 32);
	ck_assert_int_eq(memcmp(key, TESTKEY, 32), 0);
	freezero(key, len);
	spits("k2", " \n\t ");
	snprintf(path, sizeof(path), "%s/k2", tmpdir);
	ck_assert_int_eq(audit_key_read_file(path, &key, &len, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "is empty"));
	snprintf(path, sizeof(path), "%s/none", tmpdir);
	ck_assert_int_eq(audit_key_read_file(path, &key, &len, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "No such file"));
	spits("k3", "short\n");
	snprintf(path, sizeof(path), "%s/k3", tmpdir);
	ck_assert_ptr_null(audit_key_load(path, NULL, AUDIT_HMAC_SHA256, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "key too short: got 5 bytes"));

	setenv("AUDIT_TEST_KEY", " " TESTKEY, 1);	/* not trimmed */
	ck_assert_int_eq(audit_key_read_env("AUDIT_TEST_KEY", &key, &len, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(len, 33);
	freezero(key, len);
	unsetenv("AUDIT_TEST_KEY");
	ck_assert_int_eq(audit_key_read_env("AUDIT_TEST_KEY", &key, &len, err,
	    sizeof(err)), -1);
	ck_assert_ptr_null(audit_key_load(path, "X", AUDIT_HMAC_SHA256, err,
	    sizeof(err)));
}
END_TEST

START_TEST(test_key_generate)
{
	struct audit_key	*k;
	struct stat		 st;
	char			 err[256], path[128];

	ck_assert_int_eq(audit_key_generate(dirfd_, "audit.key", 0600, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(fstatat(dirfd_, "audit.key", &st, 0), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0600);
	ck_assert_int_eq(st.st_size, 65);
	snprintf(path, sizeof(path), "%s/audit.key", tmpdir);
	k = audit_key_load(path, NULL, AUDIT_HMAC_SHA256, err, sizeof(err));
	ck_assert_msg(k != NULL, "%s", err);
	audit_key_free(k);
	/* Never over an existing key. */
	ck_assert_int_eq(audit_key_generate(dirfd_, "audit.key", 0600, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(errno, EEXIST);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Writer */

START_TEST(test_writer_fresh)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_writer	*w;
	struct audit_head	 h;
	struct audit_sidecar	 sc;
	struct audit_vresult	 r;
	struct notes		 nt;
	const char		*name = "audit.jsonl";
	char			 err[256], *l;

	w = wopen(k, 0, 0, &info);
	ck_assert_int_eq(info.new_chain, 1);
	ck_assert_str_eq(info.reason_code, "initial");
	append_n(w, 0, 10);
	audit_writer_head(w, &h);
	ck_assert(h.valid);
	ck_assert_int_eq(h.sequence, 10);
	ck_assert_int_eq(h.durable_sequence, 0);	/* the restart entry */
	wclose(w);
	ck_assert_int_eq(nlines(name), 11);
	l = line_of(name, 1);
	ck_assert_ptr_nonnull(strstr(l, "\"type\":\"integrity_chain_rotated\""));
	ck_assert_ptr_nonnull(strstr(l, "\"reason_code\":\"initial\""));
	ck_assert_ptr_nonnull(strstr(l, "\"prior_chain_summary\":null"));
	ck_assert_ptr_nonnull(strstr(l, "\"key_fingerprint\":\"sha256:9ebe9a9872"
	    "2a72c6e4014259c4143e7a\""));
	ck_assert_ptr_nonnull(strstr(l, "\"sequence\":0,\"prev_hash\":\"\""));
	free(l);
	l = line_of(name, 2);
	ck_assert_ptr_nonnull(strstr(l, "\"path\":\"/ws/f0 \\u003c\\u0026"
	    "\\u003e\""));
	free(l);
	verify_files(k, &name, 1, &r, &nt);
	ck_assert_msg(r.kind == AUDIT_V_OK, "%s", r.detail);
	ck_assert_int_eq(r.entries, 11);
	ck_assert_int_eq(r.head_sequence, 10);
	ck_assert_int_eq(r.rotations, 1);
	ck_assert_int_eq(nt.n, 1);
	ck_assert_str_eq(nt.codes[0], "initial");
	ck_assert(!r.mid_chain);
	ck_assert_int_eq(audit_sidecar_read(dirfd_, name, &sc, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(sc.sequence, 10);
	ck_assert_str_eq(sc.hash, r.head_hash);
	ck_assert(sc.has_file);
	{
		struct stat st;

		ck_assert_int_eq(fstatat(dirfd_, name, &st, 0), 0);
		ck_assert_int_eq(sc.size, (uint64_t)st.st_size);
		ck_assert_int_eq(sc.inode, (uint64_t)st.st_ino);
	}
	audit_key_free(k);
}
END_TEST

/* A restart continues the chain: no new restart entry, one chain. */
START_TEST(test_writer_restart)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_writer	*w;
	struct audit_head	 h;

	make_log(k, 5);
	w = wopen(k, 0, 0, &info);
	ck_assert_int_eq(info.resumed, 1);
	ck_assert_int_eq(info.new_chain, 0);
	ck_assert_int_eq(info.recovered, 0);
	audit_writer_head(w, &h);
	ck_assert_int_eq(h.sequence, 5);
	append_n(w, 5, 5);
	wclose(w);
	expect_ok(k, "audit.jsonl", 11);
	ck_assert_int_eq(nlines("audit.jsonl"), 11);
	/* And again, with nothing appended in between. */
	wclose(wopen(k, 0, 0, &info));
	ck_assert_int_eq(info.resumed, 1);
	expect_ok(k, "audit.jsonl", 11);
	audit_key_free(k);
}
END_TEST

/*
 * A writer killed after writing but before its fsync and sidecar update:
 * the entries are in the file, the sidecar is behind; the next writer
 * follows them.  Then a crash mid-line: the partial line is cut.
 */
START_TEST(test_writer_crash)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_writer	*w;
	struct audit_head	 h;
	struct audit_sidecar	 sc;
	char			 err[256];
	int			 fd;

	make_log(k, 3);
	crash_after(k, 3, 7);
	ck_assert_int_eq(audit_sidecar_read(dirfd_, "audit.jsonl", &sc, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(sc.sequence, 3);
	ck_assert_int_eq(nlines("audit.jsonl"), 11);

	/* Half a line, as a write cut short would leave. */
	fd = openat(dirfd_, "audit.jsonl", O_WRONLY | O_APPEND);
	ck_assert_int_eq(write(fd, "{\"type\":\"fi", 11), 11);
	close(fd);
	expect_bad(k, "audit.jsonl", AUDIT_V_TRUNCATED, 12);

	w = wopen(k, 0, 0, &info);
	ck_assert_int_eq(info.resumed, 1);
	ck_assert_int_eq(info.recovered, 7);
	ck_assert_int_eq(info.dropped_bytes, 11);
	audit_writer_head(w, &h);
	ck_assert_int_eq(h.sequence, 10);
	ck_assert_int_eq(h.durable_sequence, 10);
	ck_assert_int_eq(audit_sidecar_read(dirfd_, "audit.jsonl", &sc, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(sc.sequence, 10);
	append_n(w, 10, 1);
	wclose(w);
	expect_ok(k, "audit.jsonl", 12);
	audit_key_free(k);
}
END_TEST

/* A clean close loses nothing, without an explicit flush. */
START_TEST(test_writer_close_flushes)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_writer	*w;
	struct audit_head	 h;

	w = wopen(k, 0, 0, NULL);
	append_n(w, 0, 1000);
	audit_writer_head(w, &h);
	ck_assert_int_gt(h.pending_bytes, 0);
	wclose(w);
	ck_assert_int_eq(nlines("audit.jsonl"), 1001);
	expect_ok(k, "audit.jsonl", 1001);
	audit_key_free(k);
}
END_TEST

/* tick writes the batch and fsyncs once the interval has passed; it says
 * when to come back. */
START_TEST(test_writer_tick)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_writer_conf c;
	struct audit_writer	*w;
	struct audit_head	 h;
	char			 err[256];
	int			 next;

	audit_writer_conf_init(&c);
	c.dirfd = dirfd_;
	c.key = k;
	c.sync_ms = 0;	/* every tick may fsync */
	w = audit_writer_open(&c, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(audit_writer_tick(w, &next, err, sizeof(err)), 0);
	ck_assert_int_eq(next, -1);	/* nothing pending */
	append_n(w, 0, 3);
	ck_assert_int_eq(nlines("audit.jsonl"), 1);	/* batched */
	ck_assert_int_eq(audit_writer_tick(w, &next, err, sizeof(err)), 0);
	ck_assert_int_eq(nlines("audit.jsonl"), 4);
	audit_writer_head(w, &h);
	ck_assert_int_eq(h.durable_sequence, 3);
	ck_assert_int_eq(next, -1);
	wclose(w);

	/* With a long interval the write happens, the fsync waits. */
	c.sync_ms = 3600 * 1000;
	w = audit_writer_open(&c, NULL, err, sizeof(err));
	ck_assert_ptr_nonnull(w);
	ck_assert_int_eq(audit_writer_tick(w, &next, err, sizeof(err)), 0);
	append_n(w, 3, 2);
	ck_assert_int_eq(audit_writer_tick(w, &next, err, sizeof(err)), 0);
	ck_assert_int_eq(nlines("audit.jsonl"), 6);
	audit_writer_head(w, &h);
	ck_assert_int_eq(h.durable_sequence, 3);
	ck_assert_int_gt(next, 0);
	wclose(w);
	audit_key_free(k);
}
END_TEST

START_TEST(test_writer_bad_events)
{
	static const char *bad_ev[] = {
		"", "[1]", "\"x\"", "{\"a\":", "{\"integrity\":{}}",
		"{\"a\":1}{}",
	};
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_writer	*w;
	struct audit_head	 h;
	char			 err[256];

	w = wopen(k, 0, 0, NULL);
	for (size_t i = 0; i < nitems(bad_ev); i++) {
		ck_assert_int_eq(audit_writer_append(w, bad_ev[i],
		    strlen(bad_ev[i]), err, sizeof(err)), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
	ck_assert_int_eq(audit_writer_append(w, "{\"integrity\":1}", 15, err,
	    sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "\"integrity\""));
	/* 2 MiB of '<' is 12 MiB escaped: a line no verifier would read. */
	{
		size_t n = 2 * 1024 * 1024;
		char *big = malloc(n + 8);

		ck_assert_ptr_nonnull(big);
		memcpy(big, "{\"a\":\"", 6);
		memset(big + 6, '<', n);
		memcpy(big + 6 + n, "\"}", 2);
		ck_assert_int_eq(audit_writer_append(w, big, n + 8, err,
		    sizeof(err)), -1);
		ck_assert_int_eq(errno, EINVAL);
		ck_assert_ptr_nonnull(strstr(err, "would exceed"));
		free(big);
	}
	audit_writer_head(w, &h);
	ck_assert_int_eq(h.sequence, 0);	/* nothing was taken */
	wclose(w);
	expect_ok(k, "audit.jsonl", 1);
	audit_key_free(k);
}
END_TEST

START_TEST(test_writer_no_integrity)
{
	struct audit_writer	*w;
	struct audit_open_info	 info;
	struct audit_sidecar	 sc;
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	char			 err[256], *l;

	w = wopen(NULL, 0, 0, &info);
	ck_assert_int_eq(info.new_chain, 0);
	ck_assert_int_eq(audit_writer_append(w, "{\"b\":1, \"a\":\"<\"}", 16,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(audit_writer_append(w, "{\"integrity\":1}", 15, err,
	    sizeof(err)), 0);	/* nothing of ours to clash with */
	wclose(w);
	l = line_of("audit.jsonl", 1);
	ck_assert_str_eq(l, "{\"a\":\"\\u003c\",\"b\":1}");
	free(l);
	ck_assert_int_eq(audit_sidecar_read(dirfd_, "audit.jsonl", &sc, err,
	    sizeof(err)), -1);
	ck_assert_int_eq(errno, ENOENT);
	expect_bad(k, "audit.jsonl", AUDIT_V_UNSIGNED, 1);

	/* Integrity turned on later: the plain log is set aside. */
	w = wopen(k, 0, 0, &info);
	ck_assert_int_eq(info.new_chain, 1);
	ck_assert_str_eq(info.reason_code, "sidecar_missing");
	ck_assert_str_ne(info.archived_to, "");
	wclose(w);
	expect_ok(k, "audit.jsonl", 1);
	audit_key_free(k);
}
END_TEST

/* Another key: the set is archived, a new chain names the new key. */
START_TEST(test_writer_key_change)
{
	struct audit_key	*k1 = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_key	*k2 = key_of(OTHERKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_writer	*w;
	char			*l;

	make_log(k1, 4);
	w = wopen(k2, 0, 0, &info);
	ck_assert_int_eq(info.new_chain, 1);
	ck_assert_str_eq(info.reason_code, "key_rotated");
	ck_assert_ptr_nonnull(strstr(info.archived_to, "audit.jsonl.legacy."));
	append_n(w, 0, 2);
	wclose(w);
	expect_ok(k2, "audit.jsonl", 3);
	expect_ok(k1, info.archived_to, 5);
	expect_bad(k1, "audit.jsonl", AUDIT_V_WRONG_KEY, 1);
	l = line_of("audit.jsonl", 1);
	ck_assert_ptr_nonnull(strstr(l, "\"reason_code\":\"key_rotated\""));
	ck_assert_ptr_nonnull(strstr(l, "\"last_sequence_seen_in_log\":4"));
	ck_assert_ptr_nonnull(strstr(l, "\"prior_log_archived_to\":\"audit."
	    "jsonl.legacy."));
	ck_assert_ptr_nonnull(strstr(l, audit_key_fingerprint(k2)));
	free(l);
	audit_key_free(k1);
	audit_key_free(k2);
}
END_TEST

/* Sidecar gone or broken: a new chain in the same file, linked to the
 * last entry, so the file still verifies as one. */
START_TEST(test_writer_sidecar_lost)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_vresult	 r;
	struct notes		 nt;
	const char		*name = "audit.jsonl";

	make_log(k, 4);
	ck_assert_int_eq(unlinkat(dirfd_, "audit.jsonl.chain", 0), 0);
	wclose(wopen(k, 0, 0, &info));
	ck_assert_str_eq(info.reason_code, "sidecar_missing");
	ck_assert_str_eq(info.archived_to, "");
	spits("audit.jsonl.chain", "{\"format_version\":2}\n");
	wclose(wopen(k, 0, 0, &info));
	ck_assert_str_eq(info.reason_code, "sidecar_corrupt");
	verify_files(k, &name, 1, &r, &nt);
	ck_assert_msg(r.kind == AUDIT_V_OK, "%s", r.detail);
	ck_assert_int_eq(r.entries, 7);
	ck_assert_int_eq(nt.n, 3);
	ck_assert_str_eq(nt.codes[1], "sidecar_missing");
	ck_assert_str_eq(nt.codes[2], "sidecar_corrupt");
	/* A canyonroad/agentsh sidecar (no log_inode/log_size) restarts too. */
	spits("audit.jsonl.chain", "{\"format_version\":2,\"sequence\":6,"
	    "\"prev_hash\":\"ab\",\"key_fingerprint\":\"sha256:9ebe9a98722a72c6"
	    "e4014259c4143e7a\",\"updated_at\":\"2026-01-02T03:04:05Z\"}\n");
	wclose(wopen(k, 0, 0, &info));
	ck_assert_str_eq(info.reason_code, "sidecar_corrupt");
	expect_ok(k, name, 8);
	audit_key_free(k);
}
END_TEST

/* Entries cut off the end while the writer was down are recorded. */
START_TEST(test_writer_log_truncated)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	char			*l;

	make_log(k, 6);
	edit_lines("audit.jsonl", DELETE, 7, NULL);
	edit_lines("audit.jsonl", DELETE, 6, NULL);
	expect_ok(k, "audit.jsonl", 5);		/* alone it cannot tell */
	wclose(wopen(k, 0, 0, &info));
	ck_assert_int_eq(info.new_chain, 1);
	ck_assert_str_eq(info.reason_code, "log_truncated");
	ck_assert_ptr_nonnull(strstr(info.reason, "seq 6"));
	l = line_of("audit.jsonl", 6);
	ck_assert_ptr_nonnull(strstr(l, "\"last_sequence_seen_in_log\":4"));
	free(l);
	expect_ok(k, "audit.jsonl", 6);
	audit_key_free(k);
}
END_TEST

/* A line edited while the writer was down: the set is archived. */
START_TEST(test_writer_tampered_tail)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_writer	*w;

	make_log(k, 3);
	/* Entries after the sidecar head, then one of them edited. */
	crash_after(k, 3, 3);
	patch_line("audit.jsonl", 6, "/ws/f4", 4, 'X');
	w = wopen(k, 0, 0, &info);
	ck_assert_str_eq(info.reason_code, "chain_mismatch");
	ck_assert_str_ne(info.archived_to, "");
	wclose(w);
	expect_ok(k, "audit.jsonl", 1);
	expect_bad(k, info.archived_to, AUDIT_V_EDITED, 6);
	audit_key_free(k);
}
END_TEST

/*
 * Size rotation keeps one chain across files: name.1's last entry is what
 * the first entry of name links to; the oldest file beyond max_backups
 * goes.  Restarting picks the chain up again.
 */
START_TEST(test_writer_rotation)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_writer	*w;
	struct audit_vresult	 r;
	struct audit_integrity	 i1, i2;
	struct audit_jdoc	*d = audit_jdoc_new();
	struct audit_buf	 c = { 0 };
	struct stat		 st;
	const char		*set[] = { "audit.jsonl.3", "audit.jsonl.2",
	    "audit.jsonl.1", "audit.jsonl" };
	char			 err[256], *l;
	int			 n1;

	w = wopen(k, 2000, 3, &info);
	for (int i = 0; i < 120; i++) {
		append_n(w, i, 1);
		if (i % 5 == 4)
			ck_assert_int_eq(audit_writer_flush(w, 0, err,
			    sizeof(err)), 0);
	}
	wclose(w);
	ck_assert_int_eq(fstatat(dirfd_, "audit.jsonl.4", &st, 0), -1);
	for (size_t i = 0; i < nitems(set); i++)
		ck_assert_int_eq(fstatat(dirfd_, set[i], &st, 0), 0);
	verify_files(k, set, nitems(set), &r, NULL);
	ck_assert_msg(r.kind == AUDIT_V_OK, "%s", r.detail);
	ck_assert_int_eq(r.head_sequence, 120);
	ck_assert(r.mid_chain);		/* the first files are gone */
	ck_assert_int_eq(r.rotations, 0);

	/* The link across the newest boundary. */
	n1 = nlines("audit.jsonl.1");
	l = line_of("audit.jsonl.1", n1);
	ck_assert_int_eq(audit_entry_parse(d, l, strlen(l), &c, &i1, err,
	    sizeof(err)), AUDIT_ENTRY_OK);
	free(l);
	l = line_of("audit.jsonl", 1);
	audit_buf_reset(&c);
	ck_assert_int_eq(audit_entry_parse(d, l, strlen(l), &c, &i2, err,
	    sizeof(err)), AUDIT_ENTRY_OK);
	free(l);
	ck_assert_int_eq(i2.sequence, i1.sequence + 1);
	ck_assert_str_eq(i2.prev_hash, i1.entry_hash);

	/* Alone, each file verifies as the middle of a chain. */
	verify1(k, "audit.jsonl", &r);
	ck_assert_msg(r.kind == AUDIT_V_OK, "%s", r.detail);
	ck_assert(r.mid_chain);
	ck_assert_int_eq(r.first_sequence, i2.sequence);

	w = wopen(k, 2000, 3, &info);
	ck_assert_int_eq(info.resumed, 1);
	append_n(w, 120, 1);
	wclose(w);
	verify_files(k, set, nitems(set), &r, NULL);
	ck_assert_msg(r.kind == AUDIT_V_OK, "%s", r.detail);
	ck_assert_int_eq(r.head_sequence, 121);
	audit_buf_clear(&c);
	audit_jdoc_free(d);
	audit_key_free(k);
}
END_TEST

/* A crash right after a rotation, before the sidecar names the new file:
 * the head is found in name.1 and followed into name. */
START_TEST(test_writer_rotation_crash)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_open_info	 info;
	struct audit_writer	*w;
	struct audit_sidecar	 sc;
	struct audit_vresult	 r;
	struct stat		 st1;
	const char		*set[] = { "audit.jsonl.1", "audit.jsonl" };
	char			 err[256];
	pid_t			 pid;
	int			 status;

	if ((pid = fork()) == 0) {
		w = wopen(k, 1500, 2, NULL);
		for (int i = 0; i < 200; i++) {
			append_n(w, i, 1);
			if (audit_writer_flush(w, 0, err, sizeof(err)) == -1)
				_exit(1);
			if (fstatat(dirfd_, "audit.jsonl.1", &st1, 0) == 0 &&
			    nlines("audit.jsonl") >= 2)
				_exit(0);
		}
		_exit(2);
	}
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_int_eq(WEXITSTATUS(status), 0);
	ck_assert_int_eq(audit_sidecar_read(dirfd_, "audit.jsonl", &sc, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(fstatat(dirfd_, "audit.jsonl.1", &st1, 0), 0);
	ck_assert_int_eq(sc.inode, (uint64_t)st1.st_ino);
	w = wopen(k, 1500, 2, &info);
	ck_assert_int_eq(info.resumed, 1);
	ck_assert_int_eq(info.recovered, 2);
	append_n(w, 500, 1);
	wclose(w);
	verify_files(k, set, 2, &r, NULL);
	ck_assert_msg(r.kind == AUDIT_V_OK, "%s", r.detail);
	audit_key_free(k);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Verifier: each kind of tampering, at its line.  make_log(k, 10) writes
 * line 1 = the restart entry (seq 0), line i = seq i - 1. */

START_TEST(test_verify_edited)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);

	make_log(k, 10);
	patch_line("audit.jsonl", 5, "\"pid\":10", 7, '9');
	expect_bad(k, "audit.jsonl", AUDIT_V_EDITED, 5);
	audit_key_free(k);
}
END_TEST

/* Reformatting is not tampering: the canonical form is what counts. */
START_TEST(test_verify_reformatted)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_buf	 b = { 0 };
	char			*l;

	make_log(k, 3);
	l = line_of("audit.jsonl", 3);
	/* Keys reversed, spaces, an escaped '/' and '<' written raw. */
	audit_buf_adds(&b, "  { \"session_id\" : \"s1\" , ");
	{
		char *ig = strstr(l, "\"integrity\":");
		char *end = strchr(ig, '}');

		audit_buf_add(&b, ig, (size_t)(end + 1 - ig));
	}
	audit_buf_adds(&b, ", \"path\":\"\\/ws/f1 <&>\", \"pid\":101, "
	    "\"type\":\"file_open\"}  ");
	audit_buf_addc(&b, '\0');
	edit_lines("audit.jsonl", REPLACE, 3, (char *)b.data);
	expect_ok(k, "audit.jsonl", 4);
	free(l);
	audit_buf_clear(&b);
	audit_key_free(k);
}
END_TEST

START_TEST(test_verify_deleted)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_vresult	 r;

	make_log(k, 10);
	edit_lines("audit.jsonl", DELETE, 5, NULL);
	verify1(k, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_DELETED);
	ck_assert_int_eq(r.line, 5);
	ck_assert_ptr_nonnull(strstr(r.detail, "1 entry is missing"));
	ck_assert_int_eq(r.head_sequence, 3);	/* where the good part ends */
	edit_lines("audit.jsonl", DELETE, 5, NULL);
	edit_lines("audit.jsonl", DELETE, 5, NULL);
	verify1(k, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_DELETED);
	ck_assert_ptr_nonnull(strstr(r.detail, "3 entries are missing"));
	audit_key_free(k);
}
END_TEST

/* Lines removed before an in-place restart entry that names them. */
START_TEST(test_verify_deleted_before_restart)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);

	make_log(k, 3);
	ck_assert_int_eq(unlinkat(dirfd_, "audit.jsonl.chain", 0), 0);
	wclose(wopen(k, 0, 0, NULL));
	ck_assert_int_eq(nlines("audit.jsonl"), 5);
	expect_ok(k, "audit.jsonl", 5);
	edit_lines("audit.jsonl", DELETE, 4, NULL);
	expect_bad(k, "audit.jsonl", AUDIT_V_DELETED, 4);
	for (int i = 0; i < 3; i++)
		edit_lines("audit.jsonl", DELETE, 1, NULL);
	expect_bad(k, "audit.jsonl", AUDIT_V_DELETED, 1);
	audit_key_free(k);
}
END_TEST

START_TEST(test_verify_reordered)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_vresult	 r;
	char			*l;

	make_log(k, 10);
	edit_lines("audit.jsonl", SWAP_NEXT, 5, NULL);
	verify1(k, "audit.jsonl", &r);
	ck_assert_msg(r.kind == AUDIT_V_REORDERED && r.line == 5, "%s: %s",
	    audit_vkind_name(r.kind), r.detail);
	ck_assert_ptr_nonnull(strstr(r.detail, "at line 6"));
	edit_lines("audit.jsonl", SWAP_NEXT, 5, NULL);
	expect_ok(k, "audit.jsonl", 11);
	/* A line replayed further on. */
	l = line_of("audit.jsonl", 3);
	edit_lines("audit.jsonl", INSERT_BEFORE, 8, l);
	free(l);
	expect_bad(k, "audit.jsonl", AUDIT_V_REORDERED, 8);
	audit_key_free(k);
}
END_TEST

START_TEST(test_verify_truncated)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_vresult	 r;
	size_t			 len;
	char			*b;

	make_log(k, 10);
	b = slurp("audit.jsonl", &len);
	spit("audit.jsonl", b, len - 20);
	verify1(k, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_TRUNCATED);
	ck_assert_int_eq(r.line, 11);
	ck_assert_ptr_nonnull(strstr(r.detail, "ends after seq 9"));
	/* Only the newline missing: still not a whole line. */
	spit("audit.jsonl", b, len - 1);
	expect_bad(k, "audit.jsonl", AUDIT_V_TRUNCATED, 11);
	free(b);
	audit_key_free(k);
}
END_TEST

/* Whole lines cut off the end: only a head known elsewhere tells. */
START_TEST(test_verify_expect_head)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_verifier	*v;
	struct audit_sidecar	 sc;
	struct audit_vresult	 r;
	char			 err[256];
	int			 fd;

	make_log(k, 10);
	ck_assert_int_eq(audit_sidecar_read(dirfd_, "audit.jsonl", &sc, err,
	    sizeof(err)), 0);
	edit_lines("audit.jsonl", DELETE, 11, NULL);
	expect_ok(k, "audit.jsonl", 10);
	v = audit_verifier_new(k);
	audit_verifier_expect_head(v, sc.sequence, sc.hash);
	fd = openat(dirfd_, "audit.jsonl", O_RDONLY);
	ck_assert_int_eq(audit_verifier_add(v, fd, err, sizeof(err)), 0);
	close(fd);
	audit_verifier_result(v, &r);
	ck_assert_int_eq(r.kind, AUDIT_V_TRUNCATED);
	ck_assert_int_eq(r.line, 11);
	audit_verifier_free(v);

	/* A head that names another hash for a sequence we have. */
	v = audit_verifier_new(k);
	audit_verifier_expect_head(v, 5, "00");
	fd = openat(dirfd_, "audit.jsonl", O_RDONLY);
	ck_assert_int_eq(audit_verifier_add(v, fd, err, sizeof(err)), 0);
	close(fd);
	audit_verifier_result(v, &r);
	ck_assert_int_eq(r.kind, AUDIT_V_EDITED);
	ck_assert_int_eq(r.line, 6);
	audit_verifier_free(v);
	audit_key_free(k);
}
END_TEST

START_TEST(test_verify_wrong_key)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_key	*k2 = key_of(OTHERKEY, AUDIT_HMAC_SHA256);
	struct audit_key	*k512 = key_of(TESTKEY, AUDIT_HMAC_SHA512);
	struct audit_vresult	 r;

	make_log(k, 5);
	verify1(k2, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_WRONG_KEY);
	ck_assert_int_eq(r.line, 1);
	ck_assert_ptr_nonnull(strstr(r.detail, audit_key_fingerprint(k)));
	verify1(k512, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_WRONG_KEY);
	/* Without the restart entry, by the look ahead. */
	edit_lines("audit.jsonl", DELETE, 1, NULL);
	verify1(k2, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_WRONG_KEY);
	ck_assert_int_eq(r.line, 1);
	verify1(k512, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_WRONG_KEY);
	ck_assert_ptr_nonnull(strstr(r.detail, "64 hex digits"));
	/* The right key and an edited first line: edited, not wrong key. */
	patch_line("audit.jsonl", 1, "/ws/f0", 4, 'Z');
	expect_bad(k, "audit.jsonl", AUDIT_V_EDITED, 1);
	audit_key_free(k);
	audit_key_free(k2);
	audit_key_free(k512);
}
END_TEST

/* The restart entry itself edited: it names our key, so: edited. */
START_TEST(test_verify_restart_edited)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);

	make_log(k, 2);
	patch_line("audit.jsonl", 1, "initial chain creation", 0, 'I');
	expect_bad(k, "audit.jsonl", AUDIT_V_EDITED, 1);
	audit_key_free(k);
}
END_TEST

START_TEST(test_verify_malformed)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_vresult	 r;

	make_log(k, 4);
	edit_lines("audit.jsonl", INSERT_BEFORE, 3, "{\"type\":\"x\"}");
	expect_bad(k, "audit.jsonl", AUDIT_V_UNSIGNED, 3);
	edit_lines("audit.jsonl", REPLACE, 3, "{\"type\":");
	verify1(k, "audit.jsonl", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_MALFORMED);
	ck_assert_int_eq(r.line, 3);
	ck_assert_ptr_nonnull(strstr(r.detail, "unexpected end"));
	edit_lines("audit.jsonl", REPLACE, 3, "{\"integrity\":{\"format_version"
	    "\":3,\"sequence\":2,\"prev_hash\":\"\",\"entry_hash\":\"\"}}");
	expect_bad(k, "audit.jsonl", AUDIT_V_UNSUPPORTED, 3);
	edit_lines("audit.jsonl", REPLACE, 3, "{\"integrity\":{\"format_version"
	    "\":2,\"sequence\":\"2\",\"prev_hash\":\"\",\"entry_hash\":\"\"}}");
	expect_bad(k, "audit.jsonl", AUDIT_V_MALFORMED, 3);
	edit_lines("audit.jsonl", REPLACE, 3, " ");
	expect_bad(k, "audit.jsonl", AUDIT_V_MALFORMED, 3);
	audit_key_free(k);
}
END_TEST

START_TEST(test_verify_empty)
{
	struct audit_key	*k = key_of(TESTKEY, AUDIT_HMAC_SHA256);
	struct audit_vresult	 r;

	spits("empty", "");
	verify1(k, "empty", &r);
	ck_assert_int_eq(r.kind, AUDIT_V_OK);
	ck_assert_int_eq(r.entries, 0);
	ck_assert(!r.have_head);
	audit_key_free(k);
}
END_TEST

static Suite *
audit_suite(void)
{
	Suite	*s = suite_create("audit");
	TCase	*tc;

	tc = tcase_create("vectors");
	tcase_add_test(tc, test_vector_original);
	tcase_add_test(tc, test_vector_sha512);
	tcase_add_test(tc, test_vector_escapes);
	tcase_add_test(tc, test_key_too_short);
	tcase_add_test(tc, test_alg_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("canonical");
	tcase_add_test(tc, test_canon_numbers);
	tcase_add_test(tc, test_canon_strings);
	tcase_add_test(tc, test_canon_invalid_utf8);
	tcase_add_test(tc, test_canon_surrogates);
	tcase_add_test(tc, test_canon_objects);
	tcase_add_test(tc, test_canon_duplicates);
	tcase_add_test(tc, test_canon_limits);
	tcase_add_test(tc, test_canon_idempotent);
	tcase_add_test(tc, test_jdoc_access);
	tcase_add_test(tc, test_json_quote);
	tcase_add_test(tc, test_line_build);
	tcase_add_test(tc, test_entry_parse);
	suite_add_tcase(s, tc);

	tc = tcase_create("keys");
	tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
	tcase_add_test(tc, test_key_files);
	tcase_add_test(tc, test_key_generate);
	suite_add_tcase(s, tc);

	tc = tcase_create("writer");
	tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
	tcase_add_test(tc, test_writer_fresh);
	tcase_add_test(tc, test_writer_restart);
	tcase_add_test(tc, test_writer_crash);
	tcase_add_test(tc, test_writer_close_flushes);
	tcase_add_test(tc, test_writer_tick);
	tcase_add_test(tc, test_writer_bad_events);
	tcase_add_test(tc, test_writer_no_integrity);
	tcase_add_test(tc, test_writer_key_change);
	tcase_add_test(tc, test_writer_sidecar_lost);
	tcase_add_test(tc, test_writer_log_truncated);
	tcase_add_test(tc, test_writer_tampered_tail);
	tcase_add_test(tc, test_writer_rotation);
	tcase_add_test(tc, test_writer_rotation_crash);
	suite_add_tcase(s, tc);

	tc = tcase_create("verifier");
	tcase_add_checked_fixture(tc, setup_dir, teardown_dir);
	tcase_add_test(tc, test_verify_edited);
	tcase_add_test(tc, test_verify_reformatted);
	tcase_add_test(tc, test_verify_deleted);
	tcase_add_test(tc, test_verify_deleted_before_restart);
	tcase_add_test(tc, test_verify_reordered);
	tcase_add_test(tc, test_verify_truncated);
	tcase_add_test(tc, test_verify_expect_head);
	tcase_add_test(tc, test_verify_wrong_key);
	tcase_add_test(tc, test_verify_restart_edited);
	tcase_add_test(tc, test_verify_malformed);
	tcase_add_test(tc, test_verify_empty);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(audit_suite());
	int	 nfail;

	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
