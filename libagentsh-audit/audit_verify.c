/*
 * libagentsh-audit: the verifier (audit.h).
 *
 * Lines are checked in order: JSON, integrity member, sequence, prev_hash,
 * entry_hash.  The first bad line is the answer; to name its kind the rest
 * of that file is looked at once more:
 *  - a sequence gap is "reordered" when the missing sequence shows up
 *    later, else "deleted";
 *  - a hash that fails before any entry verified is "wrong key" when no
 *    entry of the file verifies with the key (or the chain's own
 *    integrity_chain_rotated entry names another key), else "edited".
 */
#include "compat.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"
#include "audit_local.h"

#define H	(AUDIT_HASH_HEX_MAX + 1)

enum pending {
	PEND_NONE = 0,
	PEND_GAP,	/* find exp_seq further on */
	PEND_KEY,	/* does anything verify? */
};

struct audit_verifier {
	const struct audit_key	*key;
	struct audit_jdoc	*doc;
	struct audit_buf	 canon;
	audit_vnote_fn		 note;
	void			*note_arg;
	struct audit_vresult	 res;
	size_t			 nfiles;
	int			 done;

	int			 seeded;
	int64_t			 exp_seq;
	char			 exp_prev[H];
	uint64_t		 last_lines;	/* lines in the last file */

	int			 want_head;
	int64_t			 want_seq;
	char			 want_hash[H];
	int			 seen;		/* want_seq in the last chain */
	char			 seen_hash[H];
	size_t			 seen_file;
	uint64_t		 seen_line;

	enum pending		 pend;
	int64_t			 pend_seq;	/* the bad line's sequence */
	char			 pend_fp[AUDIT_FINGERPRINT_LEN];
	size_t			 pend_hexlen;
};

static const char *const kinds[] = {
	"ok", "edited", "deleted", "reordered", "truncated", "wrong key",
	"malformed", "unsigned", "unsupported",
};

const char *
audit_vkind_name(enum audit_vkind k)
{
	return (size_t)k < nitems(kinds) ? kinds[k] : "unknown";
}

struct audit_verifier *
audit_verifier_new(const struct audit_key *key)
{
	struct audit_verifier	*v;

	if ((v = calloc(1, sizeof(*v))) == NULL)
		return NULL;
	if ((v->doc = audit_jdoc_new()) == NULL) {
		free(v);
		return NULL;
	}
	v->key = key;
	return v;
}

void
audit_verifier_free(struct audit_verifier *v)
{
	if (v == NULL)
		return;
	audit_jdoc_free(v->doc);
	audit_buf_clear(&v->canon);
	free(v);
}

void
audit_verifier_set_note(struct audit_verifier *v, audit_vnote_fn fn,
    void *arg)
{
	v->note = fn;
	v->note_arg = arg;
}

void
audit_verifier_expect_head(struct audit_verifier *v, int64_t seq,
    const char *hash)
{
	v->want_head = 1;
	v->want_seq = seq;
	strlcpy(v->want_hash, hash != NULL ? hash : "", sizeof(v->want_hash));
}

static void
bad(struct audit_verifier *v, enum audit_vkind kind, uint64_t line,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
bad(struct audit_verifier *v, enum audit_vkind kind, uint64_t line,
    const char *fmt, ...)
{
	va_list	 ap;

	v->res.kind = kind;
	v->res.file = v->nfiles - 1;
	v->res.line = line;
	va_start(ap, fmt);
	vsnprintf(v->res.detail, sizeof(v->res.detail), fmt, ap);
	va_end(ap);
	v->done = 1;
}

/* A string member (by path) copied out, "" when absent or not a string. */
static void
jstr(struct audit_jdoc *d, uint32_t obj, const char *key, char *out,
    size_t outlen)
{
	const char	*b;
	uint32_t	 m;
	size_t		 n;

	out[0] = '\0';
	if (audit_jdoc_get(d, obj, key, &m) == -1 ||
	    audit_jdoc_type(d, m) != AUDIT_JSTRING)
		return;
	b = audit_jdoc_bytes(d, m, &n);
	snprintf(out, outlen, "%.*s", (int)(n < outlen ? n : outlen - 1), b);
}

/* Where the chain stood before this line, for messages. */
static void
where_ends(struct audit_verifier *v, char *buf, size_t len)
{
	if (v->res.have_head)
		snprintf(buf, len, "the log ends after seq %" PRId64 " (file "
		    "%zu line %" PRIu64 ")", v->res.head_sequence,
		    v->res.head_file + 1, v->res.head_line);
	else
		snprintf(buf, len, "no entry before it verified");
}

/*
 * A restart entry (sequence 0, prev_hash ""): must name the entry before
 * it unless it is the start of what we see, or the prior chain was set
 * aside (prior_log_archived_to).  0, or 1 when bad.
 */
static int
check_restart(struct audit_verifier *v, uint64_t lineno)
{
	struct audit_jdoc	*d = v->doc;
	uint32_t		 fields, sum, m;
	char			 archived[256], hash[H];
	int64_t			 seq;
	int			 has_sum;

	if (audit_jdoc_get(d, AUDIT_JROOT, "fields", &fields) == -1)
		fields = UINT32_MAX;
	jstr(d, fields, "prior_log_archived_to", archived, sizeof(archived));
	has_sum = audit_jdoc_get(d, fields, "prior_chain_summary", &sum) == 0 &&
	    audit_jdoc_type(d, sum) == AUDIT_JOBJECT;
	if (!has_sum) {
		if (v->res.entries > 0 && archived[0] == '\0') {
			bad(v, AUDIT_V_EDITED, lineno, "the chain restarts "
			    "without naming the entry before it (seq %" PRId64
			    ")", v->exp_seq - 1);
			return 1;
		}
		return 0;
	}
	if (audit_jdoc_get(d, sum, "last_sequence_seen_in_log", &m) == -1 ||
	    audit_jdoc_int64(d, m, &seq) == -1) {
		bad(v, AUDIT_V_MALFORMED, lineno, "fields.prior_chain_summary."
		    "last_sequence_seen_in_log is missing or not an integer");
		return 1;
	}
	jstr(d, sum, "last_entry_hash_seen_in_log", hash, sizeof(hash));
	if (archived[0] != '\0')
		return 0;
	if (v->res.entries == 0) {
		bad(v, AUDIT_V_DELETED, lineno, "the chain restarts after seq %"
		    PRId64 " in this file, but no entry comes before it", seq);
		return 1;
	}
	if (seq != v->exp_seq - 1 || strcmp(hash, v->exp_prev) != 0) {
		bad(v, seq > v->exp_seq - 1 ? AUDIT_V_DELETED : AUDIT_V_EDITED,
		    lineno, "the chain restart says the entry before it is seq "
		    "%" PRId64 ", but it is seq %" PRId64, seq, v->exp_seq - 1);
		return 1;
	}
	return 0;
}

static void
noted(struct audit_verifier *v, uint64_t lineno)
{
	uint32_t	 fields;
	char		 code[64], reason[512];

	v->res.rotations++;
	v->seen = 0;
	if (v->note == NULL)
		return;
	if (audit_jdoc_get(v->doc, AUDIT_JROOT, "fields", &fields) == -1)
		fields = UINT32_MAX;
	jstr(v->doc, fields, "reason_code", code, sizeof(code));
	jstr(v->doc, fields, "reason", reason, sizeof(reason));
	v->note(v->note_arg, v->nfiles - 1, lineno, code, reason);
}

/* The key named by a restart entry, for telling a wrong key apart. */
static void
restart_fingerprint(struct audit_verifier *v, char *out, size_t outlen)
{
	uint32_t	 fields, nc;

	out[0] = '\0';
	if (audit_jdoc_get(v->doc, AUDIT_JROOT, "fields", &fields) == 0 &&
	    audit_jdoc_get(v->doc, fields, "new_chain", &nc) == 0)
		jstr(v->doc, nc, "key_fingerprint", out, outlen);
}

/* One complete line.  0 fine, 1 a problem (maybe pending a look ahead). */
static int
check_line(struct audit_verifier *v, uint64_t lineno, const void *line,
    size_t len)
{
	struct audit_integrity	 ig;
	char			 msg[256];
	uint32_t		 t;
	int			 restart;

	audit_buf_reset(&v->canon);
	switch (audit_entry_parse(v->doc, line, len, &v->canon, &ig, msg,
	    sizeof(msg))) {
	case AUDIT_ENTRY_OK:
		break;
	case AUDIT_ENTRY_UNSIGNED:
		bad(v, AUDIT_V_UNSIGNED, lineno, "no integrity metadata");
		return 1;
	default:
		bad(v, AUDIT_V_MALFORMED, lineno, "%s", msg);
		return 1;
	}
	if (ig.format_version != AUDIT_FORMAT_VERSION) {
		bad(v, AUDIT_V_UNSUPPORTED, lineno, "integrity format_version %"
		    PRId64 " (this verifier knows %d)", ig.format_version,
		    AUDIT_FORMAT_VERSION);
		return 1;
	}
	restart = ig.sequence == 0 && ig.prev_len == 0 &&
	    audit_jdoc_get(v->doc, AUDIT_JROOT, "type", &t) == 0 &&
	    audit_jdoc_streq(v->doc, t, AUDIT_ROTATED_TYPE);
	if (restart) {
		if (check_restart(v, lineno))
			return 1;
	} else {
		if (!v->seeded) {
			v->exp_seq = ig.sequence;
			strlcpy(v->exp_prev, ig.prev_hash, sizeof(v->exp_prev));
			v->res.mid_chain = ig.sequence != 0 || ig.prev_len != 0;
		}
		if (ig.sequence > v->exp_seq && strcmp(ig.prev_hash,
		    v->exp_prev) == 0) {
			bad(v, AUDIT_V_EDITED, lineno, "sequence is %" PRId64
			    " where %" PRId64 " belongs", ig.sequence,
			    v->exp_seq);
			return 1;
		}
		if (ig.sequence > v->exp_seq) {
			bad(v, AUDIT_V_DELETED, lineno, "seq %" PRId64 " follows "
			    "seq %" PRId64 ": %" PRId64 " %s missing",
			    ig.sequence, v->exp_seq - 1,
			    ig.sequence - v->exp_seq,
			    ig.sequence - v->exp_seq == 1 ? "entry is" :
			    "entries are");
			v->pend = PEND_GAP;
			v->pend_seq = ig.sequence;
			return 1;
		}
		if (ig.sequence < v->exp_seq) {
			bad(v, AUDIT_V_REORDERED, lineno, "seq %" PRId64
			    " comes after seq %" PRId64, ig.sequence,
			    v->exp_seq - 1);
			return 1;
		}
		if (strcmp(ig.prev_hash, v->exp_prev) != 0) {
			bad(v, AUDIT_V_EDITED, lineno, "prev_hash does not match "
			    "the entry before it");
			return 1;
		}
	}
	if (!audit_entry_verify(v->key, &ig, &v->canon)) {
		bad(v, AUDIT_V_EDITED, lineno, "entry_hash does not match the "
		    "entry (seq %" PRId64 ")", ig.sequence);
		if (v->res.entries == 0) {
			/* Maybe the key: decided after a look ahead. */
			v->pend = PEND_KEY;
			v->pend_seq = ig.sequence;
			v->pend_hexlen = ig.entry_len;
			v->pend_fp[0] = '\0';
			if (restart)
				restart_fingerprint(v, v->pend_fp,
				    sizeof(v->pend_fp));
		}
		return 1;
	}

	if (v->res.entries == 0)
		v->res.first_sequence = ig.sequence;
	v->res.entries++;
	v->res.have_head = 1;
	v->res.head_sequence = ig.sequence;
	strlcpy(v->res.head_hash, ig.entry_hash, sizeof(v->res.head_hash));
	v->res.head_file = v->nfiles - 1;
	v->res.head_line = lineno;
	v->seeded = 1;
	v->exp_seq = ig.sequence + 1;
	strlcpy(v->exp_prev, ig.entry_hash, sizeof(v->exp_prev));
	if (restart)
		noted(v, lineno);
	if (v->want_head && ig.sequence == v->want_seq) {
		v->seen = 1;
		strlcpy(v->seen_hash, ig.entry_hash, sizeof(v->seen_hash));
		v->seen_file = v->nfiles - 1;
		v->seen_line = lineno;
	}
	return 0;
}

/*
 * After a pending problem: reads the rest of the file to name its kind.
 * Returns 0, or -1 on a read error.
 */
static int
look_ahead(struct audit_verifier *v, struct audit_lreader *lr,
    uint64_t lineno)
{
	struct audit_integrity	 ig;
	const unsigned char	*line;
	char			 msg[256];
	uint64_t		 start;
	size_t			 len;
	int			 complete, r, found = 0;

	while ((r = audit_lr_next(lr, &line, &len, &complete, &start)) == 1) {
		lineno++;
		if (!complete)
			break;
		audit_buf_reset(&v->canon);
		if (audit_entry_parse(v->doc, line, len, &v->canon, &ig, msg,
		    sizeof(msg)) != AUDIT_ENTRY_OK)
			continue;
		if (v->pend == PEND_GAP && ig.sequence == v->exp_seq) {
			found = 1;
			bad(v, AUDIT_V_REORDERED, v->res.line, "seq %" PRId64
			    " comes before seq %" PRId64 " (at line %" PRIu64
			    ")", v->pend_seq, v->exp_seq, lineno);
			break;
		}
		if (v->pend == PEND_KEY &&
		    audit_entry_verify(v->key, &ig, &v->canon)) {
			found = 1;
			break;
		}
	}
	if (r == -1 && errno != EFBIG)
		return -1;
	if (v->pend == PEND_KEY && !found) {
		size_t want = audit_key_alg(v->key) == AUDIT_HMAC_SHA512 ?
		    128 : 64;

		if (v->pend_hexlen != want)
			bad(v, AUDIT_V_WRONG_KEY, v->res.line, "entry_hash has "
			    "%zu hex digits, %s makes %zu", v->pend_hexlen,
			    audit_alg_name(audit_key_alg(v->key)), want);
		else if (v->pend_fp[0] != '\0' &&
		    strcmp(v->pend_fp, audit_key_fingerprint(v->key)) == 0)
			;	/* the chain names this key: edited */
		else if (v->pend_fp[0] != '\0')
			bad(v, AUDIT_V_WRONG_KEY, v->res.line, "the chain was "
			    "started with key %s, this is %s", v->pend_fp,
			    audit_key_fingerprint(v->key));
		else
			bad(v, AUDIT_V_WRONG_KEY, v->res.line, "no entry "
			    "verifies with key %s (%s)",
			    audit_key_fingerprint(v->key),
			    audit_alg_name(audit_key_alg(v->key)));
	}
	v->pend = PEND_NONE;
	v->done = 1;
	return 0;
}

int
audit_verifier_add(struct audit_verifier *v, int fd, char *err,
    size_t errlen)
{
	struct audit_lreader	 lr;
	const unsigned char	*line;
	char			 ends[128];
	uint64_t		 lineno = 0, start;
	size_t			 len;
	int			 complete, r, rv = -1;

	if (v->done)
		return 1;
	v->nfiles++;
	audit_lr_init(&lr, fd, 1, 0, AUDIT_LINE_MAX);
	while ((r = audit_lr_next(&lr, &line, &len, &complete, &start)) == 1) {
		lineno++;
		if (!complete) {
			where_ends(v, ends, sizeof(ends));
			bad(v, AUDIT_V_TRUNCATED, lineno, "the last line is "
			    "incomplete (%zu bytes, no newline); %s", len, ends);
			break;
		}
		if (check_line(v, lineno, line, len) != 0) {
			if (v->pend != PEND_NONE &&
			    look_ahead(v, &lr, lineno) == -1)
				goto readerr;
			break;
		}
	}
	if (r == -1) {
		if (errno != EFBIG)
			goto readerr;
		bad(v, AUDIT_V_MALFORMED, lineno + 1, "line longer than %u "
		    "bytes", (unsigned int)AUDIT_LINE_MAX);
	}
	v->last_lines = lineno;
	rv = v->done;
	goto out;
readerr:
	snprintf(err, errlen, "read: %s", strerror(errno));
out:
	audit_lr_clear(&lr);
	return rv;
}

void
audit_verifier_result(struct audit_verifier *v, struct audit_vresult *r)
{
	char	 ends[128];

	if (!v->done && v->want_head && v->nfiles > 0) {
		if (!v->res.have_head || v->res.head_sequence < v->want_seq) {
			where_ends(v, ends, sizeof(ends));
			bad(v, AUDIT_V_TRUNCATED, v->last_lines + 1, "the chain "
			    "head recorded elsewhere is seq %" PRId64 "; %s",
			    v->want_seq, ends);
		} else if (v->seen && v->want_hash[0] != '\0' &&
		    strcmp(v->seen_hash, v->want_hash) != 0) {
			bad(v, AUDIT_V_EDITED, v->seen_line, "seq %" PRId64
			    " has hash %s, the chain head recorded elsewhere "
			    "says %s", v->want_seq, v->seen_hash, v->want_hash);
			v->res.file = v->seen_file;
		}
	}
	*r = v->res;
}
