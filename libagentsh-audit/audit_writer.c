/*
 * libagentsh-audit: the log writer (audit.h).
 *
 * Three heads are tracked: the last entry appended (in the batch), the
 * last one whose line is wholly in a file ("written", with that file's
 * inode and the offset where the line ends), and the last one fsync'd
 * ("durable", the one the sidecar records).  The sidecar is only ever
 * written after an fsync that covers its entry, so on restart it is at or
 * behind the log; entries after it are checked and followed.
 */
#include "compat.h"

#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "audit_local.h"

#define H	(AUDIT_HASH_HEX_MAX + 1)

struct audit_writer {
	struct audit_writer_conf conf;
	char		 name[NAME_MAX + 1];
	int		 fd;		/* the active file, O_APPEND */
	uint64_t	 ino;
	uint64_t	 size;
	struct audit_jdoc *doc;
	struct audit_buf canon;
	struct audit_buf batch;
	size_t		 batch_off;	/* written so far */

	int		 have;		/* appended */
	int64_t		 seq;
	char		 hash[H];
	int		 wr_have;	/* wholly in a file */
	int64_t		 wr_seq;
	char		 wr_hash[H];
	uint64_t	 wr_ino;
	uint64_t	 wr_size;
	int		 du_have;	/* fsync'd */
	int64_t		 du_seq;
	char		 du_hash[H];
	int		 sidecar_ok;	/* the sidecar records du */

	int		 dirty;		/* written since the last fsync */
	uint64_t	 last_sync;
	int		 failed;
};

/* What a resume check found wrong, for the chain that replaces it. */
struct mismatch {
	const char	*code;
	char		 reason[1024];
	int		 archive;	/* the present log cannot be continued */
};

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;
	int	 saved = errno;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	errno = saved;
}

static int
numbered(char *buf, size_t len, const char *base, const char *mid,
    unsigned int n)
{
	int	 r;

	if (n == 0)
		r = snprintf(buf, len, "%s%s", base, mid);
	else
		r = snprintf(buf, len, "%s%s.%u", base, mid, n);
	if (r < 0 || (size_t)r >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
pread_full(int fd, void *buf, size_t n, uint64_t off)
{
	size_t	 got = 0;
	ssize_t	 r;

	while (got < n) {
		r = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0) {
			errno = EIO;	/* the file shrank under us */
			return -1;
		}
		got += (size_t)r;
	}
	return 0;
}

/*
 * The offset of the last newline before 'end': 1 and *nl; 0 when there is
 * none down to offset 0; -1 with EFBIG when none within 'limit' bytes.
 */
static int
nl_before(int fd, uint64_t end, uint64_t limit, uint64_t *nl)
{
	unsigned char	 buf[8192], *p;
	uint64_t	 pos = end;
	size_t		 n;

	while (pos > 0) {
		if (end - pos > limit) {
			errno = EFBIG;
			return -1;
		}
		n = pos < sizeof(buf) ? (size_t)pos : sizeof(buf);
		pos -= n;
		if (pread_full(fd, buf, n, pos) == -1)
			return -1;
		if ((p = memrchr(buf, '\n', n)) != NULL) {
			*nl = pos + (uint64_t)(p - buf);
			return 1;
		}
	}
	return 0;
}

/* The line that ends (newline included) at 'end', into out.  0, or -1
 * (EINVAL: no newline there). */
static int
line_ending_at(int fd, uint64_t end, struct audit_buf *out)
{
	unsigned char	 c;
	uint64_t	 nl, start = 0;
	int		 r;

	if (end == 0 || pread_full(fd, &c, 1, end - 1) == -1)
		return -1;
	if (c != '\n') {
		errno = EINVAL;
		return -1;
	}
	if ((r = nl_before(fd, end - 1, AUDIT_LINE_MAX, &nl)) == -1)
		return -1;
	if (r == 1)
		start = nl + 1;
	audit_buf_reset(out);
	if (audit_buf_reserve(out, (size_t)(end - 1 - start)) == -1 ||
	    pread_full(fd, out->data, (size_t)(end - 1 - start), start) == -1)
		return -1;
	out->len = (size_t)(end - 1 - start);
	return 0;
}

static int
open_active(struct audit_writer *w, int excl, char *err, size_t errlen)
{
	struct stat	 st;

	w->fd = openat(w->conf.dirfd, w->name, O_WRONLY | O_APPEND | O_CREAT |
	    O_CLOEXEC | O_NOFOLLOW | (excl ? O_EXCL : 0), w->conf.mode);
	if (w->fd == -1) {
		seterr(err, errlen, "%s: %s", w->name, strerror(errno));
		return -1;
	}
	if (fstat(w->fd, &st) == -1) {
		seterr(err, errlen, "%s: %s", w->name, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errno = EINVAL;
		seterr(err, errlen, "%s: not a regular file", w->name);
		return -1;
	}
	w->ino = (uint64_t)st.st_ino;
	w->size = (uint64_t)st.st_size;
	return 0;
}

/*
 * A crash mid-write leaves a last line without its newline: cut it off.
 * Returns 0, 1 when the tail is too long to be a line (the caller starts
 * over elsewhere rather than destroy it), or -1.
 */
static int
cut_tail(struct audit_writer *w, struct audit_open_info *info, char *err,
    size_t errlen)
{
	unsigned char	 c;
	uint64_t	 nl, keep = 0;
	int		 rfd, r, rv = -1;

	if (w->size == 0)
		return 0;
	/* The writer's descriptor is write-only. */
	if ((rfd = openat(w->conf.dirfd, w->name, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		goto fail;
	if (pread_full(rfd, &c, 1, w->size - 1) == -1)
		goto fail;
	if (c == '\n') {
		rv = 0;
		goto out;
	}
	if ((r = nl_before(rfd, w->size, AUDIT_LINE_MAX, &nl)) == -1) {
		if (errno != EFBIG)
			goto fail;
		rv = 1;
		goto out;
	}
	if (r == 1)
		keep = nl + 1;
	if (ftruncate(w->fd, (off_t)keep) == -1)
		goto fail;
	info->dropped_bytes = w->size - keep;
	w->size = keep;
	rv = 0;
	goto out;
fail:
	seterr(err, errlen, "%s: %s", w->name, strerror(errno));
out:
	if (rfd != -1)
		close(rfd);
	return rv;
}

/* ------------------------------------------------------------------ */
/* Writing */

static int
do_sync(struct audit_writer *w, char *err, size_t errlen)
{
	struct audit_sidecar	 sc;

	if (w->dirty) {
		if (fsync(w->fd) == -1) {
			/* What the kernel dropped is unknown: stop. */
			w->failed = 1;
			seterr(err, errlen, "fsync %s: %s", w->name,
			    strerror(errno));
			errno = EIO;
			return -1;
		}
		w->dirty = 0;
	}
	w->last_sync = audit_mono_ms();
	if (w->conf.key == NULL || !w->wr_have)
		return 0;
	if (w->sidecar_ok && w->du_have && w->du_seq == w->wr_seq &&
	    strcmp(w->du_hash, w->wr_hash) == 0)
		return 0;
	w->du_have = 1;
	w->du_seq = w->wr_seq;
	strlcpy(w->du_hash, w->wr_hash, sizeof(w->du_hash));
	memset(&sc, 0, sizeof(sc));
	sc.sequence = w->du_seq;
	strlcpy(sc.hash, w->du_hash, sizeof(sc.hash));
	strlcpy(sc.fingerprint, audit_key_fingerprint(w->conf.key),
	    sizeof(sc.fingerprint));
	sc.has_file = 1;
	sc.inode = w->wr_ino;
	sc.size = w->wr_size;
	w->sidecar_ok = 0;
	if (audit_sidecar_write(w->conf.dirfd, w->name, &sc, err, errlen) ==
	    -1)
		return -1;	/* behind is safe; tried again next time */
	w->sidecar_ok = 1;
	return 0;
}

/* name -> name.1 -> ... -> name.max_backups (the oldest goes). */
static int
shift_set(struct audit_writer *w, char *err, size_t errlen)
{
	char	 from[NAME_MAX + 1], to[NAME_MAX + 1];

	if (w->conf.max_backups == 0) {
		if (unlinkat(w->conf.dirfd, w->name, 0) == -1)
			goto fail;
		return 0;
	}
	for (unsigned int i = w->conf.max_backups - 1; i >= 1; i--) {
		if (numbered(from, sizeof(from), w->name, "", i) == -1 ||
		    numbered(to, sizeof(to), w->name, "", i + 1) == -1)
			goto fail;
		if (renameat(w->conf.dirfd, from, w->conf.dirfd, to) == -1 &&
		    errno != ENOENT)
			goto fail;
	}
	if (numbered(to, sizeof(to), w->name, "", 1) == -1 ||
	    renameat(w->conf.dirfd, w->name, w->conf.dirfd, to) == -1)
		goto fail;
	return 0;
fail:
	seterr(err, errlen, "rotate %s: %s", w->name, strerror(errno));
	return -1;
}

/*
 * Size rotation between batches.  The old file is fsync'd and the sidecar
 * brought up to date first, so it names an entry in name.1 when the new
 * file is still empty; the chain simply continues in the new file.
 */
static int
rotate(struct audit_writer *w, char *err, size_t errlen)
{
	if (do_sync(w, err, errlen) == -1 && w->failed)
		return -1;
	if (shift_set(w, err, errlen) == -1)
		goto fatal;
	close(w->fd);
	w->fd = -1;
	if (open_active(w, 1, err, errlen) == -1)
		goto fatal;
	if (fsync(w->conf.dirfd) == -1) {
		seterr(err, errlen, "fsync of the log directory: %s",
		    strerror(errno));
		goto fatal;
	}
	return 0;
fatal:
	/* Half-rotated: the next open sorts the set out. */
	w->failed = 1;
	errno = EIO;
	return -1;
}

static int
write_batch(struct audit_writer *w, char *err, size_t errlen)
{
	ssize_t	 r;

	while (w->batch_off < w->batch.len) {
		if (w->batch_off == 0 && w->conf.max_size > 0 &&
		    w->size >= w->conf.max_size &&
		    rotate(w, err, errlen) == -1)
			return -1;
		r = write(w->fd, w->batch.data + w->batch_off,
		    w->batch.len - w->batch_off);
		if (r == -1) {
			if (errno == EINTR)
				continue;
			/* Kept: the next tick writes the rest. */
			seterr(err, errlen, "write %s: %s", w->name,
			    strerror(errno));
			return -1;
		}
		w->batch_off += (size_t)r;
		w->size += (uint64_t)r;
		w->dirty = 1;
	}
	audit_buf_reset(&w->batch);
	w->batch_off = 0;
	if (w->have) {
		w->wr_have = 1;
		w->wr_seq = w->seq;
		strlcpy(w->wr_hash, w->hash, sizeof(w->wr_hash));
		w->wr_ino = w->ino;
		w->wr_size = w->size;
	}
	return 0;
}

int
audit_writer_append(struct audit_writer *w, const void *ev, size_t len,
    char *err, size_t errlen)
{
	char		 msg[256], h[H];
	const char	*prev;
	size_t		 at, before;
	uint32_t	 m;
	int64_t		 nseq;

	if (w->failed) {
		seterr(err, errlen, "the audit writer has failed");
		errno = EIO;
		return -1;
	}
	if (len > w->conf.max_event) {
		seterr(err, errlen, "event of %zu bytes exceeds the limit of "
		    "%zu", len, w->conf.max_event);
		errno = EINVAL;
		return -1;
	}
	if (w->batch.len - w->batch_off >= w->conf.batch_limit) {
		seterr(err, errlen, "%zu bytes wait to be written: the log "
		    "is not keeping up", w->batch.len - w->batch_off);
		errno = ENOBUFS;
		return -1;
	}
	if (audit_jdoc_parse(w->doc, ev, len, msg, sizeof(msg)) == -1) {
		seterr(err, errlen, "event: %s", msg);
		errno = EINVAL;
		return -1;
	}
	if (audit_jdoc_type(w->doc, AUDIT_JROOT) != AUDIT_JOBJECT) {
		seterr(err, errlen, "event: not a JSON object");
		errno = EINVAL;
		return -1;
	}
	before = w->batch.len;
	if (w->conf.key == NULL) {
		if (audit_jdoc_canon(w->doc, AUDIT_JROOT, &w->batch, NULL,
		    NULL) == -1 || audit_buf_addc(&w->batch, '\n') == -1)
			goto nomem;
		if (w->batch.len - before > AUDIT_JSON_MAX_SIZE)
			goto toobig;
		goto written;
	}
	if (audit_jdoc_get(w->doc, AUDIT_JROOT, "integrity", &m) == 0) {
		seterr(err, errlen, "event: has a top-level \"integrity\" "
		    "member");
		errno = EINVAL;
		return -1;
	}
	if (w->have && w->seq == INT64_MAX) {
		seterr(err, errlen, "integrity sequence overflow");
		errno = EOVERFLOW;
		return -1;
	}
	nseq = w->have ? w->seq + 1 : 0;
	prev = w->have ? w->hash : "";
	audit_buf_reset(&w->canon);
	if (audit_jdoc_canon(w->doc, AUDIT_JROOT, &w->canon, "integrity",
	    &at) == -1)
		goto nomem;
	audit_entry_hash(w->conf.key, nseq, prev, strlen(prev), w->canon.data,
	    w->canon.len, h);
	if (audit_line_build(&w->batch, w->canon.data, w->canon.len, at, nseq,
	    prev, h) == -1)
		goto nomem;
	if (w->batch.len - before > AUDIT_JSON_MAX_SIZE)
		goto toobig;
	w->have = 1;
	w->seq = nseq;
	strlcpy(w->hash, h, sizeof(w->hash));
written:
	/* A write error here is not the event's: the batch keeps it and the
	 * next tick reports and retries. */
	if (w->batch.len - w->batch_off >= w->conf.batch_bytes &&
	    write_batch(w, msg, sizeof(msg)) == -1 && w->failed) {
		seterr(err, errlen, "the audit writer has failed: %s", msg);
		errno = EIO;
		return -1;
	}
	return 0;
toobig:
	/* Escaping can grow a string sixfold; a line the verifier would
	 * refuse is not written. */
	seterr(err, errlen, "event: its log line would exceed %u bytes",
	    (unsigned int)AUDIT_JSON_MAX_SIZE);
	w->batch.len = before;
	errno = EINVAL;
	return -1;
nomem:
	w->batch.len = before;	/* no half line */
	seterr(err, errlen, "out of memory");
	errno = ENOMEM;
	return -1;
}

int
audit_writer_tick(struct audit_writer *w, int *next_ms, char *err,
    size_t errlen)
{
	uint64_t	 now, due;
	int		 rv = 0;

	*next_ms = -1;
	if (w->failed) {
		seterr(err, errlen, "the audit writer has failed");
		errno = EIO;
		return -1;
	}
	if (w->batch_off < w->batch.len && write_batch(w, err, errlen) == -1)
		rv = -1;
	if (w->failed)
		return -1;
	now = audit_mono_ms();
	due = w->last_sync + w->conf.sync_ms;
	if (w->dirty || (w->conf.key != NULL && w->wr_have &&
	    !w->sidecar_ok)) {
		if (now >= due) {
			if (do_sync(w, err, errlen) == -1)
				rv = -1;
			due = now + w->conf.sync_ms;
		}
	}
	if (w->batch_off < w->batch.len || w->dirty ||
	    (w->conf.key != NULL && w->wr_have && !w->sidecar_ok))
		*next_ms = due > now ? (int)(due - now) : 0;
	if (w->batch_off < w->batch.len && *next_ms == 0)
		*next_ms = (int)w->conf.sync_ms;	/* a write failed */
	return rv;
}

int
audit_writer_flush(struct audit_writer *w, int sync, char *err,
    size_t errlen)
{
	if (w->failed) {
		seterr(err, errlen, "the audit writer has failed");
		errno = EIO;
		return -1;
	}
	if (write_batch(w, err, errlen) == -1)
		return -1;
	if (sync)
		return do_sync(w, err, errlen);
	return 0;
}

void
audit_writer_head(const struct audit_writer *w, struct audit_head *h)
{
	memset(h, 0, sizeof(*h));
	if ((h->valid = w->have)) {
		h->sequence = w->seq;
		strlcpy(h->hash, w->hash, sizeof(h->hash));
	}
	if ((h->durable_valid = w->du_have)) {
		h->durable_sequence = w->du_seq;
		strlcpy(h->durable_hash, w->du_hash, sizeof(h->durable_hash));
	}
	h->pending_bytes = w->batch.len - w->batch_off;
}

static void
writer_free(struct audit_writer *w)
{
	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	audit_jdoc_free(w->doc);
	audit_buf_clear(&w->canon);
	audit_buf_clear(&w->batch);
	free(w);
}

int
audit_writer_close(struct audit_writer *w, char *err, size_t errlen)
{
	int	 rv = 0;

	if (w == NULL)
		return 0;
	if (audit_writer_flush(w, 1, err, errlen) == -1)
		rv = -1;
	writer_free(w);
	return rv;
}

/* ------------------------------------------------------------------ */
/* Opening: resume the chain, or start a new one */

void
audit_writer_conf_init(struct audit_writer_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->dirfd = -1;
	c->name = "audit.jsonl";
	c->mode = 0600;
	c->max_size = 500ull * 1024 * 1024;
	c->max_backups = 10;
	c->sync_ms = 100;
	c->batch_bytes = 256 * 1024;
	c->batch_limit = 64 * 1024 * 1024;
	c->max_event = AUDIT_JSON_MAX_SIZE - 1024;
}

/* Parses a line and checks it under the key; 0, or -1 with why. */
static int
entry_check(struct audit_writer *w, const void *line, size_t len,
    struct audit_integrity *ig, char *why, size_t whylen)
{
	char	 msg[256];

	audit_buf_reset(&w->canon);
	if (audit_entry_parse(w->doc, line, len, &w->canon, ig, msg,
	    sizeof(msg)) != AUDIT_ENTRY_OK) {
		seterr(why, whylen, "%s", msg);
		return -1;
	}
	if (ig->format_version != AUDIT_FORMAT_VERSION) {
		seterr(why, whylen, "format_version %" PRId64,
		    ig->format_version);
		return -1;
	}
	if (!audit_entry_verify(w->conf.key, ig, &w->canon)) {
		seterr(why, whylen, "entry_hash does not verify with the key");
		return -1;
	}
	return 0;
}

/*
 * Follows the chain through the lines of fd from 'off' to its end.
 * Returns 0 (head advanced), 1 with a mismatch, -1 on a read error.
 */
static int
follow_file(struct audit_writer *w, int fd, uint64_t off, const char *fname,
    struct audit_open_info *info, struct mismatch *mm, char *err,
    size_t errlen)
{
	struct stat		 st;
	struct audit_lreader	 lr;
	struct audit_integrity	 ig;
	const unsigned char	*line;
	char			 why[256];
	uint64_t		 start = off;
	size_t			 len;
	int			 complete, r, rv = -1;

	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "%s: %s", fname, strerror(errno));
		return -1;
	}
	audit_lr_init(&lr, fd, 0, off, AUDIT_LINE_MAX);
	while ((r = audit_lr_next(&lr, &line, &len, &complete, &start)) == 1) {
		if (!complete) {
			seterr(why, sizeof(why), "ends mid-line");
			goto bad;
		}
		if (entry_check(w, line, len, &ig, why, sizeof(why)) == -1)
			goto bad;
		if (ig.sequence != w->seq + 1 ||
		    strcmp(ig.prev_hash, w->hash) != 0) {
			seterr(why, sizeof(why), "sequence %" PRId64 " does "
			    "not follow %" PRId64, ig.sequence, w->seq);
			goto bad;
		}
		w->seq = ig.sequence;
		strlcpy(w->hash, ig.entry_hash, sizeof(w->hash));
		w->wr_ino = (uint64_t)st.st_ino;
		w->wr_size = start + len + 1;
		info->recovered++;
	}
	if (r == -1) {
		if (errno == EFBIG) {
			seterr(why, sizeof(why), "a line is too long");
			goto bad;
		}
		seterr(err, errlen, "%s: %s", fname, strerror(errno));
		goto out;
	}
	rv = 0;
	goto out;
bad:
	mm->code = "chain_mismatch";
	mm->archive = 1;
	snprintf(mm->reason, sizeof(mm->reason), "%s at byte %" PRIu64
	    " does not continue the chain (seq %" PRId64 "): %s", fname,
	    start, w->seq, why);
	rv = 1;
out:
	audit_lr_clear(&lr);
	return rv;
}

/*
 * Resumes from the sidecar: finds the file with its entry (the active
 * file, or name.1 when a rotation was under way), checks the entry, and
 * follows what was written after it.  0 resumed, 1 mismatch, -1 error.
 */
static int
follow_sidecar(struct audit_writer *w, const struct audit_sidecar *sc,
    struct audit_open_info *info, struct mismatch *mm, char *err,
    size_t errlen)
{
	struct audit_integrity	 ig;
	struct stat		 st;
	char			 n1[NAME_MAX + 1], why[256];
	const char		*fname = w->name;
	int			 fd = -1, in_backup = 0, r, rv = -1;

	if (numbered(n1, sizeof(n1), w->name, "", 1) == -1) {
		seterr(err, errlen, "%s: name too long", w->name);
		return -1;
	}
	w->have = 1;
	w->seq = sc->sequence;
	strlcpy(w->hash, sc->hash, sizeof(w->hash));
	w->wr_ino = sc->inode;
	w->wr_size = sc->size;
	if (sc->inode != w->ino) {
		if (fstatat(w->conf.dirfd, n1, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    (uint64_t)st.st_ino == sc->inode) {
			fname = n1;
			in_backup = 1;
		} else {
			/* The head's file is gone; fine if what is here
			 * (possibly nothing, with max_backups 0) goes on
			 * from it. */
			if (w->size == 0 && w->conf.max_backups == 0)
				goto resumed;
			if ((fd = openat(w->conf.dirfd, w->name, O_RDONLY |
			    O_CLOEXEC | O_NOFOLLOW)) == -1)
				goto fail;
			if (w->size > 0) {
				r = follow_file(w, fd, 0, w->name, info, mm,
				    err, errlen);
				if (r == 0)
					goto resumed;
				if (r == -1)
					goto out;
			}
			mm->code = "log_replaced";
			mm->archive = 1;
			snprintf(mm->reason, sizeof(mm->reason), "the file "
			    "holding the chain head (seq %" PRId64 ", inode %"
			    PRIu64 ") is gone", sc->sequence, sc->inode);
			rv = 1;
			goto out;
		}
	}
	if ((fd = openat(w->conf.dirfd, fname, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1 || fstat(fd, &st) == -1)
		goto fail;
	if ((uint64_t)st.st_size < sc->size) {
		mm->code = "log_truncated";
		snprintf(mm->reason, sizeof(mm->reason), "%s has %" PRIu64
		    " bytes but the chain head (seq %" PRId64 ") ends at byte %"
		    PRIu64, fname, (uint64_t)st.st_size, sc->sequence,
		    sc->size);
		rv = 1;
		goto out;
	}
	if (line_ending_at(fd, sc->size, &w->batch) == -1) {
		if (errno != EINVAL && errno != EFBIG)
			goto fail;
		seterr(why, sizeof(why), "no line ends there");
	} else if (entry_check(w, w->batch.data, w->batch.len, &ig, why,
	    sizeof(why)) == 0) {
		if (ig.sequence == sc->sequence &&
		    strcmp(ig.entry_hash, sc->hash) == 0)
			why[0] = '\0';
		else
			seterr(why, sizeof(why), "the entry there is seq %"
			    PRId64 " with another hash", ig.sequence);
	}
	audit_buf_reset(&w->batch);
	if (why[0] != '\0') {
		mm->code = "chain_mismatch";
		mm->archive = 1;
		snprintf(mm->reason, sizeof(mm->reason), "the chain head "
		    "(seq %" PRId64 ") recorded at byte %" PRIu64 " of %s does "
		    "not match: %s", sc->sequence, sc->size, fname, why);
		rv = 1;
		goto out;
	}
	if ((r = follow_file(w, fd, sc->size, fname, info, mm, err,
	    errlen)) != 0) {
		rv = r;
		goto out;
	}
	if (in_backup) {
		close(fd);
		if ((fd = openat(w->conf.dirfd, w->name, O_RDONLY | O_CLOEXEC |
		    O_NOFOLLOW)) == -1)
			goto fail;
		if ((r = follow_file(w, fd, 0, w->name, info, mm, err,
		    errlen)) != 0) {
			rv = r;
			goto out;
		}
	}
resumed:
	rv = 0;
	info->resumed = 1;
	goto out;
fail:
	seterr(err, errlen, "%s: %s", fname, strerror(errno));
out:
	if (fd != -1)
		close(fd);
	return rv;
}

/*
 * Renames the set (name.N ... name.1, name, the sidecar) to
 * name.legacy.<stamp>[.N]; *summary_file is updated to where the file
 * holding the prior chain's last entry went.
 */
static int
archive_set(struct audit_writer *w, char *archived, size_t alen,
    char *summary_file, size_t slen, char *err, size_t errlen)
{
	struct stat	 st;
	struct tm	 tm;
	time_t		 now = time(NULL);
	char		 stamp[32], base[NAME_MAX + 1], from[NAME_MAX + 1];
	char		 to[NAME_MAX + 1], mid[48];
	unsigned int	 n, last = 0;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	for (n = 1;; n++) {
		if (n == 1)
			snprintf(mid, sizeof(mid), ".legacy.%s", stamp);
		else
			snprintf(mid, sizeof(mid), ".legacy.%s-%u", stamp, n);
		if (numbered(base, sizeof(base), w->name, mid, 0) == -1)
			goto fail;
		if (fstatat(w->conf.dirfd, base, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1 && errno == ENOENT)
			break;
		if (n == 100) {
			errno = EEXIST;
			goto fail;
		}
	}
	while (last < 100000) {
		if (numbered(from, sizeof(from), w->name, "", last + 1) == -1)
			goto fail;
		if (fstatat(w->conf.dirfd, from, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1)
			break;
		last++;
	}
	close(w->fd);
	w->fd = -1;
	for (n = last; n >= 1; n--) {
		if (numbered(from, sizeof(from), w->name, "", n) == -1 ||
		    numbered(to, sizeof(to), base, "", n) == -1 ||
		    renameat(w->conf.dirfd, from, w->conf.dirfd, to) == -1)
			goto fail;
		if (strcmp(summary_file, from) == 0)
			strlcpy(summary_file, to, slen);
	}
	/* An empty active file stays: it becomes the new one. */
	if (w->size > 0 && renameat(w->conf.dirfd, w->name, w->conf.dirfd,
	    base) == -1)
		goto fail;
	if (strcmp(summary_file, w->name) == 0)
		strlcpy(summary_file, base, slen);
	if (numbered(from, sizeof(from), w->name, AUDIT_SIDECAR_SUFFIX, 0) ==
	    -1 || numbered(to, sizeof(to), base, AUDIT_SIDECAR_SUFFIX, 0) == -1)
		goto fail;
	if (renameat(w->conf.dirfd, from, w->conf.dirfd, to) == -1 &&
	    errno != ENOENT)
		goto fail;
	if (fsync(w->conf.dirfd) == -1)
		goto fail;
	strlcpy(archived, base, alen);
	return open_active(w, 0, err, errlen);
fail:
	seterr(err, errlen, "archive %s: %s", w->name, strerror(errno));
	return -1;
}

/* The last line of a file in the directory, if it has any. */
static int
last_line(struct audit_writer *w, const char *fname, struct audit_buf *out,
    int *found)
{
	struct stat	 st;
	int		 fd, rv = -1;

	*found = 0;
	if ((fd = openat(w->conf.dirfd, fname, O_RDONLY | O_CLOEXEC |
	    O_NOFOLLOW)) == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1)
		goto out;
	rv = 0;
	if (st.st_size > 0 && line_ending_at(fd, (uint64_t)st.st_size, out) ==
	    0)
		*found = 1;
out:
	close(fd);
	return rv;
}

/*
 * Starts a new chain: the integrity_chain_rotated entry at sequence 0,
 * naming the prior chain's last entry (the last line of the active file,
 * or of name.1 when the active file is empty) when there is one.  The log
 * is archived first when asked, or when that entry does not verify.
 */
static int
new_chain(struct audit_writer *w, struct mismatch *mm,
    struct audit_open_info *info, char *err, size_t errlen)
{
	struct audit_integrity	 ig;
	struct audit_buf	 ev = { 0 }, line = { 0 };
	char			 sumfile[NAME_MAX + 1], why[256], ts[40];
	char			 archived[NAME_MAX + 1] = "";
	const char		*holder = NULL;
	int			 found = 0, have_sum = 0, verifies = 0;
	int			 rv = -1;

	strlcpy(sumfile, w->name, sizeof(sumfile));
	if (w->size == 0 && numbered(sumfile, sizeof(sumfile), w->name, "",
	    1) == -1)
		goto fail;
	if (last_line(w, sumfile, &line, &found) == -1)
		goto fail;
	if (found) {
		audit_buf_reset(&w->canon);
		if (audit_entry_parse(w->doc, line.data, line.len, &w->canon,
		    &ig, why, sizeof(why)) == AUDIT_ENTRY_OK) {
			have_sum = 1;
			verifies = ig.format_version == AUDIT_FORMAT_VERSION &&
			    audit_entry_verify(w->conf.key, &ig, &w->canon);
		}
	}
	if (mm->archive || (found && !verifies)) {
		if (archive_set(w, archived, sizeof(archived), sumfile,
		    sizeof(sumfile), err, errlen) == -1)
			goto out;
		strlcpy(info->archived_to, archived, sizeof(info->archived_to));
		holder = sumfile;
	} else if (found && strcmp(sumfile, w->name) != 0)
		holder = sumfile;
	else if (found && w->conf.max_size > 0 &&
	    w->size >= w->conf.max_size) {
		/* Rotate now, so the entry does not land in a new file
		 * apart from the one it names. */
		if (shift_set(w, err, errlen) == -1)
			goto out;
		close(w->fd);
		w->fd = -1;
		if (open_active(w, 1, err, errlen) == -1)
			goto out;
		if (numbered(sumfile, sizeof(sumfile), w->name, "", 1) == -1)
			goto fail;
		holder = sumfile;
	}

	audit_timestamp(ts);
	if (audit_buf_printf(&ev, "{\"type\":\"%s\",\"timestamp\":\"%s\","
	    "\"fields\":{\"reason_code\":", AUDIT_ROTATED_TYPE, ts) == -1 ||
	    audit_json_quote(&ev, mm->code, strlen(mm->code)) == -1 ||
	    audit_buf_adds(&ev, ",\"reason\":") == -1 ||
	    audit_json_quote(&ev, mm->reason, strlen(mm->reason)) == -1 ||
	    audit_buf_adds(&ev, ",\"prior_chain_summary\":") == -1)
		goto nomem;
	if (have_sum) {
		if (audit_buf_printf(&ev, "{\"last_sequence_seen_in_log\":%"
		    PRId64 ",\"last_entry_hash_seen_in_log\":", ig.sequence) ==
		    -1 || audit_json_quote(&ev, ig.entry_hash, ig.entry_len) ==
		    -1 || audit_buf_addc(&ev, '}') == -1)
			goto nomem;
	} else if (audit_buf_adds(&ev, "null") == -1)
		goto nomem;
	if (holder != NULL && have_sum &&
	    (audit_buf_adds(&ev, ",\"prior_log_archived_to\":") == -1 ||
	    audit_json_quote(&ev, holder, strlen(holder)) == -1))
		goto nomem;
	if (audit_buf_printf(&ev, ",\"new_chain\":{\"format_version\":%d,"
	    "\"sequence\":0,\"key_fingerprint\":\"%s\"}}}",
	    AUDIT_FORMAT_VERSION, audit_key_fingerprint(w->conf.key)) == -1)
		goto nomem;

	w->have = w->wr_have = w->du_have = 0;
	w->sidecar_ok = 0;
	if (audit_writer_append(w, ev.data, ev.len, err, errlen) == -1 ||
	    audit_writer_flush(w, 1, err, errlen) == -1)
		goto out;
	info->new_chain = 1;
	info->resumed = 0;
	strlcpy(info->reason_code, mm->code, sizeof(info->reason_code));
	strlcpy(info->reason, mm->reason, sizeof(info->reason));
	rv = 0;
	goto out;
nomem:
	seterr(err, errlen, "out of memory");
	goto out;
fail:
	seterr(err, errlen, "%s: %s", sumfile, strerror(errno));
out:
	audit_buf_clear(&ev);
	audit_buf_clear(&line);
	return rv;
}

static int
resume(struct audit_writer *w, struct audit_open_info *info, int tail_bad,
    char *err, size_t errlen)
{
	struct audit_sidecar	 sc;
	struct mismatch		 mm;
	struct stat		 st;
	char			 msg[256], n1[NAME_MAX + 1];
	int			 r;

	memset(&mm, 0, sizeof(mm));
	if (tail_bad) {
		mm.code = "chain_mismatch";
		mm.archive = 1;
		snprintf(mm.reason, sizeof(mm.reason), "%s ends with more "
		    "than %u bytes that are not a complete line", w->name,
		    (unsigned int)AUDIT_LINE_MAX);
		return new_chain(w, &mm, info, err, errlen);
	}
	if (audit_sidecar_read(w->conf.dirfd, w->name, &sc, msg,
	    sizeof(msg)) == -1) {
		if (errno != ENOENT && errno != EINVAL) {
			seterr(err, errlen, "%s", msg);
			return -1;
		}
		if (numbered(n1, sizeof(n1), w->name, "", 1) == -1) {
			seterr(err, errlen, "%s: name too long", w->name);
			return -1;
		}
		if (errno == EINVAL) {
			mm.code = "sidecar_corrupt";
			snprintf(mm.reason, sizeof(mm.reason), "the chain head "
			    "sidecar is unusable: %s", msg);
		} else if (w->size == 0 && fstatat(w->conf.dirfd, n1, &st,
		    AT_SYMLINK_NOFOLLOW) == -1) {
			mm.code = "initial";
			snprintf(mm.reason, sizeof(mm.reason), "initial chain "
			    "creation");
		} else {
			mm.code = "sidecar_missing";
			snprintf(mm.reason, sizeof(mm.reason), "sidecar missing; "
			    "starting fresh chain");
		}
		return new_chain(w, &mm, info, err, errlen);
	}
	if (strcmp(sc.fingerprint, audit_key_fingerprint(w->conf.key)) != 0) {
		mm.code = "key_rotated";
		mm.archive = 1;
		snprintf(mm.reason, sizeof(mm.reason), "the key changed from "
		    "%s to %s", sc.fingerprint,
		    audit_key_fingerprint(w->conf.key));
		return new_chain(w, &mm, info, err, errlen);
	}
	if (!sc.has_file) {
		mm.code = "sidecar_corrupt";
		snprintf(mm.reason, sizeof(mm.reason), "the chain head sidecar "
		    "does not say which file holds seq %" PRId64, sc.sequence);
		return new_chain(w, &mm, info, err, errlen);
	}
	if ((r = follow_sidecar(w, &sc, info, &mm, err, errlen)) == -1)
		return -1;
	if (r == 1) {
		w->have = 0;
		info->recovered = 0;
		return new_chain(w, &mm, info, err, errlen);
	}
	/* follow_sidecar left the head and where its line ends. */
	w->wr_have = w->du_have = 1;
	w->wr_seq = w->du_seq = w->seq;
	strlcpy(w->wr_hash, w->hash, sizeof(w->wr_hash));
	strlcpy(w->du_hash, w->hash, sizeof(w->du_hash));
	/* Entries written after the sidecar: make them and it durable. */
	w->dirty = info->recovered > 0 || info->dropped_bytes > 0;
	w->sidecar_ok = info->recovered == 0;
	return do_sync(w, err, errlen);
}

struct audit_writer *
audit_writer_open(const struct audit_writer_conf *conf,
    struct audit_open_info *info, char *err, size_t errlen)
{
	struct audit_writer	*w;
	struct audit_open_info	 dummy;
	int			 tail;

	if (info == NULL)
		info = &dummy;
	memset(info, 0, sizeof(*info));
	if (conf->dirfd < 0 || conf->name == NULL || *conf->name == '\0' ||
	    strchr(conf->name, '/') != NULL || strcmp(conf->name, ".") == 0 ||
	    strcmp(conf->name, "..") == 0 ||
	    strlen(conf->name) > NAME_MAX - 32 || conf->batch_bytes == 0 ||
	    conf->batch_limit < conf->batch_bytes || conf->max_event == 0 ||
	    conf->max_event > AUDIT_JSON_MAX_SIZE - 1024) {
		seterr(err, errlen, "invalid audit writer configuration");
		errno = EINVAL;
		return NULL;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		seterr(err, errlen, "out of memory");
		return NULL;
	}
	w->conf = *conf;
	strlcpy(w->name, conf->name, sizeof(w->name));
	w->conf.name = w->name;
	w->fd = -1;
	if ((w->doc = audit_jdoc_new()) == NULL) {
		seterr(err, errlen, "out of memory");
		goto fail;
	}
	if (open_active(w, 0, err, errlen) == -1 ||
	    (tail = cut_tail(w, info, err, errlen)) == -1)
		goto fail;
	if (conf->key == NULL) {
		if (tail == 1) {
			seterr(err, errlen, "%s ends with more than %u bytes "
			    "that are not a complete line", w->name,
			    (unsigned int)AUDIT_LINE_MAX);
			errno = EINVAL;
			goto fail;
		}
		info->resumed = w->size > 0;
		return w;
	}
	if (resume(w, info, tail, err, errlen) == -1)
		goto fail;
	return w;
fail:
	writer_free(w);
	return NULL;
}
