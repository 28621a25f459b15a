/*
 * libagentsh-audit: keys, entry hashes, reading and building log lines,
 * and the line reader (audit.h, audit_local.h).
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "audit.h"
#include "audit_local.h"

union hmac_state {
	crypto_auth_hmacsha256_state	s256;
	crypto_auth_hmacsha512_state	s512;
};

struct audit_key {
	enum audit_alg	 alg;
	char		 fingerprint[AUDIT_FINGERPRINT_LEN];
	union hmac_state st;	/* the key absorbed: copied for each entry */
};

static const char hexdig[] = "0123456789abcdef";

static void
hexenc(const unsigned char *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++) {
		out[2 * i] = hexdig[in[i] >> 4];
		out[2 * i + 1] = hexdig[in[i] & 0xf];
	}
	out[2 * n] = '\0';
}

int
audit_alg_parse(const char *s, enum audit_alg *alg)
{
	if (s == NULL || *s == '\0' || strcmp(s, "hmac-sha256") == 0)
		*alg = AUDIT_HMAC_SHA256;
	else if (strcmp(s, "hmac-sha512") == 0)
		*alg = AUDIT_HMAC_SHA512;
	else
		return -1;
	return 0;
}

const char *
audit_alg_name(enum audit_alg alg)
{
	return alg == AUDIT_HMAC_SHA512 ? "hmac-sha512" : "hmac-sha256";
}

void
audit_fingerprint(const void *key, size_t len, char out[AUDIT_FINGERPRINT_LEN])
{
	unsigned char	 sum[crypto_hash_sha256_BYTES];

	crypto_hash_sha256(sum, key, len);
	memcpy(out, "sha256:", 7);
	hexenc(sum, 16, out + 7);
}

struct audit_key *
audit_key_new(const void *bytes, size_t len, enum audit_alg alg, char *err,
    size_t errlen)
{
	struct audit_key	*k;

	if (len < AUDIT_KEY_MIN) {
		snprintf(err, errlen, "key too short: got %zu bytes, need at "
		    "least %d", len, AUDIT_KEY_MIN);
		return NULL;
	}
	if (alg != AUDIT_HMAC_SHA256 && alg != AUDIT_HMAC_SHA512) {
		snprintf(err, errlen, "unsupported algorithm");
		return NULL;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	k->alg = alg;
	audit_fingerprint(bytes, len, k->fingerprint);
	if (alg == AUDIT_HMAC_SHA512)
		crypto_auth_hmacsha512_init(&k->st.s512, bytes, len);
	else
		crypto_auth_hmacsha256_init(&k->st.s256, bytes, len);
	return k;
}

void
audit_key_free(struct audit_key *k)
{
	if (k == NULL)
		return;
	sodium_memzero(k, sizeof(*k));
	free(k);
}

enum audit_alg
audit_key_alg(const struct audit_key *k)
{
	return k->alg;
}

const char *
audit_key_fingerprint(const struct audit_key *k)
{
	return k->fingerprint;
}

/*
 * Length of the white space (Go's unicode.IsSpace) that starts at s, or
 * that ends at s + n when 'back'; 0 when none.
 */
static size_t
space_len(const unsigned char *s, size_t n, int back)
{
	static const struct {
		size_t		 len;
		unsigned char	 b[3];
	} uni[] = {
		{ 2, { 0xc2, 0x85 } },		/* U+0085 */
		{ 2, { 0xc2, 0xa0 } },		/* U+00A0 */
		{ 3, { 0xe1, 0x9a, 0x80 } },	/* U+1680 */
		{ 3, { 0xe2, 0x80, 0xa8 } },	/* U+2028 */
		{ 3, { 0xe2, 0x80, 0xa9 } },	/* U+2029 */
		{ 3, { 0xe2, 0x80, 0xaf } },	/* U+202F */
		{ 3, { 0xe2, 0x81, 0x9f } },	/* U+205F */
		{ 3, { 0xe3, 0x80, 0x80 } },	/* U+3000 */
	};
	const unsigned char	*p;
	unsigned char		 c;

	if (n == 0)
		return 0;
	c = back ? s[n - 1] : s[0];
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	for (size_t i = 0; i < nitems(uni); i++) {
		if (n < uni[i].len)
			continue;
		p = back ? s + n - uni[i].len : s;
		if (memcmp(p, uni[i].b, uni[i].len) == 0)
			return uni[i].len;
	}
	/* U+2000 ... U+200A: E2 80 80 ... E2 80 8A. */
	if (n >= 3) {
		p = back ? s + n - 3 : s;
		if (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0x80 &&
		    p[2] <= 0x8a)
			return 3;
	}
	return 0;
}

int
audit_key_read_fd(int fd, unsigned char **key, size_t *len, char *err,
    size_t errlen)
{
	unsigned char	*buf;
	size_t		 n = 0, start = 0, k;
	ssize_t		 r;

	if ((buf = malloc(AUDIT_KEY_FILE_MAX + 1)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	for (;;) {
		r = read(fd, buf + n, AUDIT_KEY_FILE_MAX + 1 - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1) {
			snprintf(err, errlen, "read: %s", strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
		if (n > AUDIT_KEY_FILE_MAX) {
			snprintf(err, errlen, "larger than %d bytes",
			    AUDIT_KEY_FILE_MAX);
			goto fail;
		}
	}
	while ((k = space_len(buf + start, n - start, 0)) > 0)
		start += k;
	while ((k = space_len(buf + start, n - start, 1)) > 0)
		n -= k;
	if (n == start) {
		snprintf(err, errlen, "is empty");
		goto fail;
	}
	memmove(buf, buf + start, n - start);
	sodium_memzero(buf + (n - start), AUDIT_KEY_FILE_MAX + 1 - (n - start));
	*key = buf;
	*len = n - start;
	return 0;
fail:
	freezero(buf, AUDIT_KEY_FILE_MAX + 1);
	return -1;
}

int
audit_key_read_file(const char *path, unsigned char **key, size_t *len,
    char *err, size_t errlen)
{
	char	 msg[256];
	int	 fd, rv;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) == -1) {
		snprintf(err, errlen, "key file %s: %s", path, strerror(errno));
		return -1;
	}
	if ((rv = audit_key_read_fd(fd, key, len, msg, sizeof(msg))) == -1)
		snprintf(err, errlen, "key file %s: %s", path, msg);
	close(fd);
	return rv;
}

int
audit_key_read_env(const char *var, unsigned char **key, size_t *len,
    char *err, size_t errlen)
{
	const char	*v = getenv(var);

	if (v == NULL || *v == '\0') {
		snprintf(err, errlen, "environment variable %s is empty or "
		    "not set", var);
		return -1;
	}
	*len = strlen(v);
	if ((*key = malloc(*len)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memcpy(*key, v, *len);
	return 0;
}

struct audit_key *
audit_key_load(const char *path, const char *var, enum audit_alg alg,
    char *err, size_t errlen)
{
	struct audit_key	*k;
	unsigned char		*bytes;
	size_t			 len;
	char			 msg[256];
	int			 rv;

	if ((path == NULL) == (var == NULL)) {
		snprintf(err, errlen, "give exactly one key source: a key "
		    "file or an environment variable");
		return NULL;
	}
	rv = path != NULL ? audit_key_read_file(path, &bytes, &len, err,
	    errlen) : audit_key_read_env(var, &bytes, &len, err, errlen);
	if (rv == -1)
		return NULL;
	if ((k = audit_key_new(bytes, len, alg, msg, sizeof(msg))) == NULL)
		snprintf(err, errlen, "%s %s: %s", path != NULL ? "key file" :
		    "environment variable", path != NULL ? path : var, msg);
	freezero(bytes, len);
	return k;
}

int
audit_key_generate(int dirfd, const char *name, mode_t mode, char *err,
    size_t errlen)
{
	unsigned char	 raw[32];
	char		 text[2 * sizeof(raw) + 2];
	int		 fd, rv = -1, saved;

	if (sodium_init() == -1) {
		snprintf(err, errlen, "libsodium cannot initialise");
		errno = EIO;
		return -1;
	}
	if ((fd = openat(dirfd, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC |
	    O_NOFOLLOW, mode)) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		errno = saved;
		return -1;
	}
	randombytes_buf(raw, sizeof(raw));
	hexenc(raw, sizeof(raw), text);
	text[2 * sizeof(raw)] = '\n';
	if (audit_write_all(fd, text, sizeof(text) - 1) == -1)
		goto fail;
	if (fchmod(fd, mode) == -1 || fsync(fd) == -1)
		goto fail;
	rv = 0;
	goto out;
fail:
	saved = errno;
	snprintf(err, errlen, "%s: %s", name, strerror(errno));
	unlinkat(dirfd, name, 0);
	errno = saved;
out:
	sodium_memzero(raw, sizeof(raw));
	sodium_memzero(text, sizeof(text));
	close(fd);
	return rv;
}

/* The HMAC state types differ; one place tells them apart. */
static void
hmac_feed(enum audit_alg alg, union hmac_state *st, const void *p, size_t n)
{
	if (alg == AUDIT_HMAC_SHA512)
		crypto_auth_hmacsha512_update(&st->s512, p, n);
	else
		crypto_auth_hmacsha256_update(&st->s256, p, n);
}

void
audit_entry_hash(const struct audit_key *k, int64_t seq, const char *prev,
    size_t prevlen, const void *canon, size_t len, char *out)
{
	union hmac_state	 st = k->st;
	unsigned char		 mac[crypto_auth_hmacsha512_BYTES];
	char			 head[48];
	int			 hl;

	hl = snprintf(head, sizeof(head), "%d|%" PRId64 "|",
	    AUDIT_FORMAT_VERSION, seq);
	hmac_feed(k->alg, &st, head, (size_t)hl);
	hmac_feed(k->alg, &st, prev, prevlen);
	hmac_feed(k->alg, &st, "|", 1);
	hmac_feed(k->alg, &st, canon, len);
	if (k->alg == AUDIT_HMAC_SHA512) {
		crypto_auth_hmacsha512_final(&st.s512, mac);
		hexenc(mac, crypto_auth_hmacsha512_BYTES, out);
	} else {
		crypto_auth_hmacsha256_final(&st.s256, mac);
		hexenc(mac, crypto_auth_hmacsha256_BYTES, out);
	}
	sodium_memzero(&st, sizeof(st));
}

/* A string member of the integrity object, at most AUDIT_HASH_HEX_MAX. */
static int
ig_string(struct audit_jdoc *d, uint32_t obj, const char *name, char *out,
    size_t *outlen, char *err, size_t errlen)
{
	const char	*b;
	uint32_t	 v;
	size_t		 n;

	if (audit_jdoc_get(d, obj, name, &v) == -1 ||
	    audit_jdoc_type(d, v) != AUDIT_JSTRING) {
		snprintf(err, errlen, "integrity.%s is missing or not a string",
		    name);
		return -1;
	}
	b = audit_jdoc_bytes(d, v, &n);
	if (n > AUDIT_HASH_HEX_MAX) {
		snprintf(err, errlen, "integrity.%s is longer than %d bytes",
		    name, AUDIT_HASH_HEX_MAX);
		return -1;
	}
	memcpy(out, b, n);
	out[n] = '\0';
	*outlen = n;
	return 0;
}

static int
ig_int(struct audit_jdoc *d, uint32_t obj, const char *name, int64_t *out,
    char *err, size_t errlen)
{
	uint32_t	 v;

	if (audit_jdoc_get(d, obj, name, &v) == -1 ||
	    audit_jdoc_int64(d, v, out) == -1) {
		snprintf(err, errlen, "integrity.%s is missing or not an "
		    "integer", name);
		return -1;
	}
	return 0;
}

enum audit_entry_status
audit_entry_parse(struct audit_jdoc *d, const void *line, size_t len,
    struct audit_buf *canon, struct audit_integrity *ig, char *err,
    size_t errlen)
{
	uint32_t	 obj;
	int		 has;

	if (audit_jdoc_parse(d, line, len, err, errlen) == -1)
		return AUDIT_ENTRY_MALFORMED;
	if (audit_jdoc_type(d, AUDIT_JROOT) != AUDIT_JOBJECT) {
		snprintf(err, errlen, "not a JSON object");
		return AUDIT_ENTRY_MALFORMED;
	}
	if (audit_jdoc_canon(d, AUDIT_JROOT, canon, "integrity", NULL) == -1) {
		snprintf(err, errlen, "out of memory");
		return AUDIT_ENTRY_MALFORMED;
	}
	has = audit_jdoc_get(d, AUDIT_JROOT, "integrity", &obj) == 0;
	if (!has) {
		snprintf(err, errlen, "no integrity member");
		return AUDIT_ENTRY_UNSIGNED;
	}
	if (audit_jdoc_type(d, obj) != AUDIT_JOBJECT) {
		snprintf(err, errlen, "integrity is not an object");
		return AUDIT_ENTRY_BAD_INTEGRITY;
	}
	if (ig_int(d, obj, "format_version", &ig->format_version, err,
	    errlen) == -1 ||
	    ig_int(d, obj, "sequence", &ig->sequence, err, errlen) == -1 ||
	    ig_string(d, obj, "prev_hash", ig->prev_hash, &ig->prev_len, err,
	    errlen) == -1 ||
	    ig_string(d, obj, "entry_hash", ig->entry_hash, &ig->entry_len,
	    err, errlen) == -1)
		return AUDIT_ENTRY_BAD_INTEGRITY;
	return AUDIT_ENTRY_OK;
}

int
audit_entry_verify(const struct audit_key *k, const struct audit_integrity *ig,
    const struct audit_buf *canon)
{
	char	 h[AUDIT_HASH_HEX_MAX + 1];
	size_t	 hl;

	audit_entry_hash(k, ig->sequence, ig->prev_hash, ig->prev_len,
	    canon->data, canon->len, h);
	hl = strlen(h);
	return hl == ig->entry_len &&
	    sodium_memcmp(h, ig->entry_hash, hl) == 0;
}

int
audit_line_build(struct audit_buf *out, const void *canonv, size_t len,
    size_t insert_at, int64_t seq, const char *prev, const char *entry)
{
	const unsigned char	*canon = canonv;
	int			 lead, trail;

	if (insert_at == 0 || insert_at >= len) {
		errno = EINVAL;
		return -1;
	}
	/* Before a following member, or last (after one, or alone). */
	trail = canon[insert_at] == '"';
	lead = !trail && canon[insert_at - 1] != '{';
	if (audit_buf_add(out, canon, insert_at) == -1 ||
	    (lead && audit_buf_addc(out, ',') == -1) ||
	    audit_buf_printf(out, "\"integrity\":{\"format_version\":%d,"
	    "\"sequence\":%" PRId64 ",\"prev_hash\":", AUDIT_FORMAT_VERSION,
	    seq) == -1 ||
	    audit_json_quote(out, prev, strlen(prev)) == -1 ||
	    audit_buf_adds(out, ",\"entry_hash\":") == -1 ||
	    audit_json_quote(out, entry, strlen(entry)) == -1 ||
	    audit_buf_addc(out, '}') == -1 ||
	    (trail && audit_buf_addc(out, ',') == -1) ||
	    audit_buf_add(out, canon + insert_at, len - insert_at) == -1 ||
	    audit_buf_addc(out, '\n') == -1)
		return -1;
	return 0;
}

void
audit_timestamp(char out[40])
{
	struct timespec	 ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	audit_time_format((uint64_t)ts.tv_sec * 1000000000ULL +
	    (uint64_t)ts.tv_nsec, out);
}

/* RFC 3339 in UTC with Go's RFC3339Nano fraction: no trailing zeros. */
void
audit_time_format(uint64_t ns_since_epoch, char out[40])
{
	struct tm	 tm;
	time_t		 sec = (time_t)(ns_since_epoch / 1000000000ULL);
	size_t		 n;
	long		 ns = (long)(ns_since_epoch % 1000000000ULL);
	int		 digits = 9;

	gmtime_r(&sec, &tm);
	n = strftime(out, 40, "%Y-%m-%dT%H:%M:%S", &tm);
	if (ns != 0) {
		while (ns % 10 == 0) {
			ns /= 10;
			digits--;
		}
		n += (size_t)snprintf(out + n, 40 - n, ".%0*ld", digits, ns);
	}
	snprintf(out + n, 40 - n, "Z");
}

int
audit_write_all(int fd, const void *buf, size_t n)
{
	size_t	 off = 0;
	ssize_t	 w;

	while (off < n) {
		if ((w = write(fd, (const char *)buf + off, n - off)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		off += (size_t)w;
	}
	return 0;
}

int
audit_is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') ||
		    (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

uint64_t
audit_mono_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ------------------------------------------------------------------ */
/* Line reader */

#define LR_CHUNK	65536

void
audit_lr_init(struct audit_lreader *lr, int fd, int use_read, uint64_t off,
    size_t max_line)
{
	memset(lr, 0, sizeof(*lr));
	lr->fd = fd;
	lr->use_read = use_read;
	lr->next = lr->base = off;
	lr->max_line = max_line;
}

void
audit_lr_clear(struct audit_lreader *lr)
{
	audit_buf_clear(&lr->buf);
}

int
audit_lr_next(struct audit_lreader *lr, const unsigned char **line,
    size_t *len, int *complete, uint64_t *start)
{
	unsigned char	*nl;
	ssize_t		 r;

	for (;;) {
		nl = lr->scan < lr->buf.len ? memchr(lr->buf.data + lr->scan,
		    '\n', lr->buf.len - lr->scan) : NULL;
		if (nl != NULL) {
			*line = lr->buf.data + lr->pos;
			*len = (size_t)(nl - *line);
			*complete = 1;
			*start = lr->base + lr->pos;
			lr->pos = lr->scan = (size_t)(nl - lr->buf.data) + 1;
			if (*len > lr->max_line)
				goto toolong;
			return 1;
		}
		lr->scan = lr->buf.len;
		if (lr->buf.len - lr->pos > lr->max_line)
			goto toolong;
		if (lr->eof) {
			if (lr->pos == lr->buf.len)
				return 0;
			*line = lr->buf.data + lr->pos;
			*len = lr->buf.len - lr->pos;
			*complete = 0;
			*start = lr->base + lr->pos;
			lr->pos = lr->scan = lr->buf.len;
			return 1;
		}
		/* Keep the unconsumed tail, read more after it. */
		if (lr->pos > 0) {
			memmove(lr->buf.data, lr->buf.data + lr->pos,
			    lr->buf.len - lr->pos);
			lr->buf.len -= lr->pos;
			lr->scan -= lr->pos;
			lr->base += lr->pos;
			lr->pos = 0;
		}
		if (audit_buf_reserve(&lr->buf, LR_CHUNK) == -1)
			return -1;
		if (lr->use_read)
			r = read(lr->fd, lr->buf.data + lr->buf.len, LR_CHUNK);
		else
			r = pread(lr->fd, lr->buf.data + lr->buf.len, LR_CHUNK,
			    (off_t)lr->next);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (r == 0)
			lr->eof = 1;
		lr->buf.len += (size_t)r;
		lr->next += (uint64_t)r;
	}
toolong:
	errno = EFBIG;
	return -1;
}
