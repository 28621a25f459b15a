/*
 * libagentsh-audit: JSON for the audit log.
 *
 * A strict parser for one JSON value from untrusted bytes (a log line
 * written by anyone) and the canonical form the integrity chain hashes
 * (CONTRACT.md section 5): the bytes Go's encoding/json produces when it
 * decodes the value into map[string]any with UseNumber and encodes it
 * again.  That is:
 *
 *  - object keys sorted by the bytes of the decoded key, at every level;
 *    a key that occurs twice keeps its last value (Go's map does the same;
 *    "a" and "\u0061" are the same key);
 *  - no whitespace;
 *  - numbers exactly as written (checked against JSON's number grammar,
 *    never reprinted: 1.10, 1e2, -0 and 12345678901234567890 stay so);
 *  - strings decoded (escapes resolved, \uD83D\uDE00 pairs joined, a lone
 *    or mismatched surrogate escape becomes U+FFFD, each byte of invalid
 *    UTF-8 becomes one U+FFFD) and re-encoded as Go's encoder does: '"'
 *    and '\\' escaped, \b \f \n \r \t as such, other bytes below 0x20 and
 *    '<' '>' '&' as \u00XX, U+2028 and U+2029 as \u2028 \u2029, every
 *    other character (U+FFFD and DEL included) as its raw UTF-8 bytes.
 *
 * \b and \f: Go 1.22 and later (canyonroad/agentsh go.mod:3 asks for Go
 * 1.25) write them as \b and \f, not \u0008 and \u000c; we follow the
 * encoder, so logs verify in both directions.
 *
 * The grammar is JSON's (RFC 8259) as Go's decoder applies it: whitespace
 * is space, tab, CR and LF; a raw byte below 0x20 inside a string is an
 * error; one value, then only whitespace.
 */
#ifndef AGENTSH_AUDIT_JSON_H
#define AGENTSH_AUDIT_JSON_H

#include <stddef.h>
#include <stdint.h>

/* A growable byte buffer.  Zero-initialise; audit_buf_clear frees. */
struct audit_buf {
	unsigned char	*data;
	size_t		 len;
	size_t		 cap;
};

int	 audit_buf_reserve(struct audit_buf *, size_t more);
int	 audit_buf_add(struct audit_buf *, const void *, size_t);
int	 audit_buf_addc(struct audit_buf *, int);
int	 audit_buf_adds(struct audit_buf *, const char *);
int	 audit_buf_printf(struct audit_buf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 audit_buf_reset(struct audit_buf *);	/* len = 0, keeps memory */
void	 audit_buf_clear(struct audit_buf *);	/* frees, back to zero */

/*
 * Appends s (n bytes, any content) as a JSON string the way Go's encoder
 * writes a Go string: the escapes above, and each byte of invalid UTF-8 as
 * \ufffd.  For building JSON ourselves (events, the sidecar).
 */
int	 audit_json_quote(struct audit_buf *, const void *s, size_t n);

/* Value types. */
enum audit_jtype {
	AUDIT_JNULL = 1,
	AUDIT_JFALSE,
	AUDIT_JTRUE,
	AUDIT_JNUMBER,
	AUDIT_JSTRING,
	AUDIT_JARRAY,
	AUDIT_JOBJECT,
};

/* Limits.  Go nests up to 10000 levels; the size limit is the 8 MiB line
 * buffer of canyonroad/agentsh internal/audit/logset.go:212. */
#define AUDIT_JSON_MAX_DEPTH	10000
#define AUDIT_JSON_MAX_SIZE	(8u * 1024 * 1024)
#define AUDIT_JSON_SIZE_CAP	(256u * 1024 * 1024)	/* hard ceiling */

/*
 * A parsed document.  Reusable: each parse replaces the previous one and
 * keeps the memory, so a steady stream of events allocates nothing.
 * Values are named by index; the root is AUDIT_JROOT.  The document copies
 * what it needs: the input may go away after the parse.
 */
struct audit_jdoc;
#define AUDIT_JROOT	0u

struct audit_jdoc *audit_jdoc_new(void);
void	 audit_jdoc_free(struct audit_jdoc *);
/* max_size in bytes (capped at AUDIT_JSON_SIZE_CAP), max_depth >= 1. */
void	 audit_jdoc_set_limits(struct audit_jdoc *, size_t max_size,
	    unsigned int max_depth);

/*
 * Parses exactly one JSON value (surrounding whitespace allowed).  Returns
 * 0, or -1 with a message "offset N: what is wrong" in err.  Bytes beyond
 * the size limit, nesting beyond the depth limit, trailing data, and
 * anything JSON does not allow are errors.
 */
int	 audit_jdoc_parse(struct audit_jdoc *, const void *, size_t,
	    char *err, size_t errlen);

enum audit_jtype audit_jdoc_type(const struct audit_jdoc *, uint32_t v);
/*
 * Member 'key' (NUL-terminated, compared with the decoded key bytes) of
 * object obj: its index in *out and 0, or -1 when obj is not an object or
 * has no such member.
 */
int	 audit_jdoc_get(const struct audit_jdoc *, uint32_t obj,
	    const char *key, uint32_t *out);
/* Elements of an array, distinct members of an object; 0 for others. */
size_t	 audit_jdoc_len(const struct audit_jdoc *, uint32_t v);
/* Member i (0 ... len - 1, in key order) of object obj: its key (a string
 * value) and value.  0, or -1 when out of range. */
int	 audit_jdoc_member(const struct audit_jdoc *, uint32_t obj, size_t i,
	    uint32_t *key, uint32_t *val);
/*
 * A string's decoded bytes (valid UTF-8, may contain NUL) or a number's
 * lexeme; *len set.  NULL for other types.
 */
const char *audit_jdoc_bytes(const struct audit_jdoc *, uint32_t v,
	    size_t *len);
/* Whether v is a string equal to s (NUL-terminated). */
int	 audit_jdoc_streq(const struct audit_jdoc *, uint32_t v,
	    const char *s);
/*
 * A number written as a decimal integer that fits int64 (no fraction, no
 * exponent; "-0" is 0), as Go's json.Number.Int64 accepts.  0 or -1.
 */
int	 audit_jdoc_int64(const struct audit_jdoc *, uint32_t v, int64_t *);

/*
 * Appends the canonical form of value v to out.  When v is an object and
 * skip_key is not NULL, v's member skip_key is left out, and *insert_at
 * (if not NULL) receives the offset in out where a member with that key
 * starts in sorted order: the start of the next member's key, or the
 * offset of the closing '}' when no member sorts after it (SIZE_MAX when v
 * is not an object).  Returns 0, or -1 (ENOMEM; EINVAL when the document
 * holds no value v).
 */
int	 audit_jdoc_canon(const struct audit_jdoc *, uint32_t v,
	    struct audit_buf *out, const char *skip_key, size_t *insert_at);

/*
 * One-shot: parse in (default limits) and append its canonical form to
 * out.  0, or -1 with a message in err.
 */
int	 audit_json_canon(const void *in, size_t len, struct audit_buf *out,
	    char *err, size_t errlen);

#endif /* AGENTSH_AUDIT_JSON_H */
