/*
 * libagentsh-audit: the audit log file (CONTRACT.md section 5).
 *
 * Each line is one event as canonical JSON (audit_json.h) with, when
 * integrity is on, one more top-level member in its sorted place:
 *
 *   "integrity":{"format_version":2,"sequence":N,"prev_hash":"P",
 *                "entry_hash":"E"}
 *
 * E = hex(HMAC(key, "2|N|P|" + canonical event without "integrity")),
 * lowercase; P is the previous entry's E, "" for sequence 0.  The members
 * of "integrity" are in this order (Go writes the struct's field order).
 *
 * A chain starts with an "integrity_chain_rotated" event at sequence 0
 * saying why (reason_code "initial" for a new log) and which key
 * (new_chain.key_fingerprint).  Size rotation does not start a chain: the
 * first entry of a new file continues the last of the previous one.
 *
 * Modules: keys and hashes (audit_chain.c), the chain-head sidecar
 * (audit_sidecar.c), the writer (audit_writer.c), the verifier
 * (audit_verify.c).  Libraries never print and never exit: functions
 * return -1 and, where they take one, leave a message in err.
 */
#ifndef AGENTSH_AUDIT_H
#define AGENTSH_AUDIT_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "audit_json.h"

#define AUDIT_FORMAT_VERSION	2
#define AUDIT_KEY_MIN		32	/* bytes */
#define AUDIT_KEY_FILE_MAX	65536	/* a key file larger is refused */
#define AUDIT_HASH_HEX_MAX	128	/* hmac-sha512 */
#define AUDIT_FINGERPRINT_LEN	40	/* "sha256:" + 32 hex + NUL */
#define AUDIT_ROTATED_TYPE	"integrity_chain_rotated"

#define AUDIT_SIDECAR_SUFFIX	".chain"

/* ------------------------------------------------------------------ */
/* Keys and hashes (audit_chain.c) */

enum audit_alg {
	AUDIT_HMAC_SHA256 = 0,
	AUDIT_HMAC_SHA512,
};

/* "hmac-sha256" / "hmac-sha512" (NULL or "" is sha256). 0 or -1. */
int	 audit_alg_parse(const char *, enum audit_alg *);
const char *audit_alg_name(enum audit_alg);

/*
 * A key ready to hash with: its bytes (wiped on free), algorithm and
 * fingerprint.  Fewer than AUDIT_KEY_MIN bytes is refused with
 * "key too short: got N bytes, need at least 32".
 */
struct audit_key;

struct audit_key *audit_key_new(const void *, size_t, enum audit_alg,
	    char *err, size_t errlen);
void	 audit_key_free(struct audit_key *);
enum audit_alg audit_key_alg(const struct audit_key *);
/* "sha256:" + hex of the first 16 bytes of SHA-256(key). */
const char *audit_key_fingerprint(const struct audit_key *);
void	 audit_fingerprint(const void *key, size_t len,
	    char out[AUDIT_FINGERPRINT_LEN]);

/*
 * Key material as canyonroad/agentsh internal/audit/integrity.go:95 reads
 * it.  From a file or descriptor: the whole content with leading and
 * trailing white space (Go's TrimSpace: ASCII and Unicode) removed; empty
 * is an error.  From the environment:
 * the variable's value as is; unset or empty is an error.  On success
 * *key is malloc'd (free with freezero) and *len set.
 */
int	 audit_key_read_fd(int fd, unsigned char **key, size_t *len,
	    char *err, size_t errlen);
int	 audit_key_read_file(const char *path, unsigned char **key,
	    size_t *len, char *err, size_t errlen);
int	 audit_key_read_env(const char *var, unsigned char **key,
	    size_t *len, char *err, size_t errlen);
/* The whole of it: read path or var (exactly one non-NULL) and make a key. */
struct audit_key *audit_key_load(const char *path, const char *var,
	    enum audit_alg, char *err, size_t errlen);
/*
 * Creates a new key file 'name' in dirfd (O_EXCL, mode, fsync'd): 32
 * random bytes from libsodium, written as 64 hex digits and a newline, so
 * the key is those 64 characters (a text key survives the trimming above).
 * EEXIST when it exists.
 */
int	 audit_key_generate(int dirfd, const char *name, mode_t mode,
	    char *err, size_t errlen);

/* hex(HMAC(key, "2|seq|prev|canon")) into out (AUDIT_HASH_HEX_MAX + 1). */
void	 audit_entry_hash(const struct audit_key *, int64_t seq,
	    const char *prev, size_t prevlen, const void *canon, size_t len,
	    char *out);

/* An entry's integrity member, as read from a line. */
struct audit_integrity {
	int64_t		 format_version;
	int64_t		 sequence;
	size_t		 prev_len;
	size_t		 entry_len;
	char		 prev_hash[AUDIT_HASH_HEX_MAX + 1];
	char		 entry_hash[AUDIT_HASH_HEX_MAX + 1];
};

enum audit_entry_status {
	AUDIT_ENTRY_OK = 0,
	AUDIT_ENTRY_MALFORMED,		/* not JSON, not an object */
	AUDIT_ENTRY_UNSIGNED,		/* no "integrity" member */
	AUDIT_ENTRY_BAD_INTEGRITY,	/* "integrity" of the wrong shape */
};

/*
 * Parses one line (without its newline) into doc; the canonical event
 * without "integrity" is appended to canon, the integrity member to *ig
 * (when present).  Returns the status, with a message in err unless OK.
 */
enum audit_entry_status audit_entry_parse(struct audit_jdoc *,
	    const void *line, size_t len, struct audit_buf *canon,
	    struct audit_integrity *ig, char *err, size_t errlen);
/* Whether the entry's hash is right under key: 1 yes, 0 no. */
int	 audit_entry_verify(const struct audit_key *,
	    const struct audit_integrity *, const struct audit_buf *canon);

/*
 * Appends a log line to out: the canonical event canon (from
 * audit_jdoc_canon with skip_key "integrity", which gave insert_at) with
 * the integrity member spliced in, and a newline.
 */
int	 audit_line_build(struct audit_buf *out, const void *canon,
	    size_t len, size_t insert_at, int64_t seq, const char *prev,
	    const char *entry);

/* RFC 3339 with nanoseconds, trailing zeros dropped, UTC (Go's
 * time.RFC3339Nano). */
void	 audit_timestamp(char out[40]);
void	 audit_time_format(uint64_t ns_since_epoch, char out[40]);

/* ------------------------------------------------------------------ */
/* The chain-head sidecar (audit_sidecar.c)
 *
 * "<log>.chain" beside the log, replaced atomically (temporary file,
 * fsync, renameat, fsync of the directory), one line of JSON:
 *
 *   {"format_version":2,"sequence":N,"prev_hash":"<entry_hash of N>",
 *    "key_fingerprint":"sha256:...","updated_at":"RFC3339",
 *    "log_inode":I,"log_size":S}
 *
 * The first five are those of canyonroad/agentsh internal/audit/
 * sidecar.go:23 (its reader takes ours; ours takes its, which lacks the
 * last two, as a reason for a new chain).  log_inode and log_size name
 * the file holding entry N and where that entry's line ends.  It is
 * written only after the log is fsync'd up to there, so it never runs
 * ahead of the log.
 */
struct audit_sidecar {
	int64_t		 sequence;
	char		 hash[AUDIT_HASH_HEX_MAX + 1];
	char		 fingerprint[AUDIT_FINGERPRINT_LEN];
	int		 has_file;	/* log_inode and log_size present */
	uint64_t	 inode;
	uint64_t	 size;
};

/* 0, -1 with errno ENOENT when absent, or -1 (EINVAL: corrupt) with a
 * message. */
int	 audit_sidecar_read(int dirfd, const char *logname,
	    struct audit_sidecar *, char *err, size_t errlen);
int	 audit_sidecar_write(int dirfd, const char *logname,
	    const struct audit_sidecar *, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* The writer (audit_writer.c)
 *
 * Owns one log: appends, batches, fsyncs, rotates, keeps the sidecar.
 * Works only inside an open directory, so it can run jailed as the audit
 * user with these system calls: openat, read, pread64, write, fstat /
 * newfstatat, fsync, ftruncate, renameat (or renameat2), unlinkat, close,
 * clock_gettime, and malloc's brk/mmap/munmap/mremap.  It never sleeps and
 * never looks anything up by path outside dirfd.
 */
struct audit_writer;

struct audit_writer_conf {
	int		 dirfd;		/* the log directory; borrowed */
	const char	*name;		/* file name in it: "audit.jsonl" */
	mode_t		 mode;		/* of files it creates: 0600 */
	uint64_t	 max_size;	/* rotate at this size; 0: never */
	unsigned int	 max_backups;	/* name.1 ... name.N; 0: keep none */
	const struct audit_key *key;	/* NULL: integrity off; borrowed */
	unsigned int	 sync_ms;	/* fsync at most this often: 100 */
	size_t		 batch_bytes;	/* write once a batch is this big */
	size_t		 batch_limit;	/* refuse appends beyond (ENOBUFS) */
	size_t		 max_event;	/* largest event accepted */
};

/* What opening found and did. */
struct audit_open_info {
	int		 resumed;	/* continued the chain of the sidecar */
	int		 new_chain;	/* wrote an integrity_chain_rotated */
	char		 reason_code[32];
	char		 reason[512];
	char		 archived_to[256];	/* the old log set's new name */
	uint64_t	 dropped_bytes;	/* an incomplete last line removed */
	uint64_t	 recovered;	/* entries found after the sidecar head */
};

/* The chain head: the last entry appended, and the last one on disk. */
struct audit_head {
	int		 valid;		/* there is an entry */
	int64_t		 sequence;
	char		 hash[AUDIT_HASH_HEX_MAX + 1];
	int		 durable_valid;
	int64_t		 durable_sequence;	/* fsync'd */
	char		 durable_hash[AUDIT_HASH_HEX_MAX + 1];
	uint64_t	 pending_bytes;	/* appended, not yet written */
};

/*
 * Fills conf with the defaults: those of config.yaml's audit section (500
 * MB, 10 backups), mode 0600, sync every 100 ms, batches of 256 KiB, key
 * NULL, dirfd -1, name "audit.jsonl".
 */
void	 audit_writer_conf_init(struct audit_writer_conf *);
/*
 * Opens or creates the log and picks up the chain: from the sidecar when
 * it matches the log (entries written after it are checked and followed;
 * an incomplete last line, left by a crash mid-write, is cut off);
 * otherwise a new chain starts with an integrity_chain_rotated entry
 * saying why: "initial", "sidecar_missing", "sidecar_corrupt",
 * "key_rotated", "log_replaced", "log_truncated" or "chain_mismatch".
 * When the present log cannot be continued under this key (key_rotated,
 * log_replaced, chain_mismatch, or a last entry that does not verify), the
 * whole set (name, name.1 ..., the sidecar) is first renamed to
 * name.legacy.<UTC stamp>[.N] so the new set verifies with one key.
 */
struct audit_writer *audit_writer_open(const struct audit_writer_conf *,
	    struct audit_open_info *, char *err, size_t errlen);
/*
 * Appends one event (a JSON object without a top-level "integrity"): it
 * gets the next sequence and goes into the batch; written when the batch
 * reaches batch_bytes, never fsync'd here.  -1 with err: a bad event
 * (EINVAL), a full batch (ENOBUFS), a writer that failed (EIO).
 */
int	 audit_writer_append(struct audit_writer *, const void *, size_t,
	    char *err, size_t errlen);
/*
 * For the caller's event loop: writes the batch, fsyncs when sync_ms have
 * passed since the last fsync (then updates the sidecar) and rotates by
 * size.  *next_ms: when to call again (-1: nothing pending).  A write that
 * fails keeps the batch for the next call; an fsync that fails leaves the
 * writer failed (EIO) since what the kernel dropped is unknown.
 */
int	 audit_writer_tick(struct audit_writer *, int *next_ms,
	    char *err, size_t errlen);
/* Writes everything now; with sync, fsyncs and updates the sidecar. */
int	 audit_writer_flush(struct audit_writer *, int sync,
	    char *err, size_t errlen);
void	 audit_writer_head(const struct audit_writer *, struct audit_head *);
/* Flushes, fsyncs, updates the sidecar, frees.  -1 if that failed (the
 * writer is freed regardless). */
int	 audit_writer_close(struct audit_writer *, char *err, size_t errlen);

/* ------------------------------------------------------------------ */
/* The verifier (audit_verify.c) */

enum audit_vkind {
	AUDIT_V_OK = 0,
	AUDIT_V_EDITED,		/* hash or link does not match the entry */
	AUDIT_V_DELETED,	/* sequence gap */
	AUDIT_V_REORDERED,	/* sequence out of order */
	AUDIT_V_TRUNCATED,	/* ends mid-line, or before the known head */
	AUDIT_V_WRONG_KEY,	/* no entry verifies with the key */
	AUDIT_V_MALFORMED,	/* not JSON, or integrity of the wrong shape */
	AUDIT_V_UNSIGNED,	/* an entry without integrity */
	AUDIT_V_UNSUPPORTED,	/* another format_version */
};

const char *audit_vkind_name(enum audit_vkind);	/* "edited", "wrong key" */

struct audit_vresult {
	enum audit_vkind kind;
	size_t		 file;		/* index of the file, as added */
	uint64_t	 line;		/* 1-based; of the first bad line */
	char		 detail[512];
	uint64_t	 entries;	/* entries verified */
	int		 have_head;	/* the last verified entry: */
	int64_t		 head_sequence;
	char		 head_hash[AUDIT_HASH_HEX_MAX + 1];
	size_t		 head_file;
	uint64_t	 head_line;
	int		 mid_chain;	/* the first entry continues an unseen one */
	int64_t		 first_sequence;
	size_t		 rotations;	/* chain restarts seen */
};

/*
 * Called for each integrity_chain_rotated entry that verifies: file index,
 * line, reason_code and reason (NUL-terminated, possibly empty).
 */
typedef void (*audit_vnote_fn)(void *arg, size_t file, uint64_t line,
	    const char *reason_code, const char *reason);

struct audit_verifier;

struct audit_verifier *audit_verifier_new(const struct audit_key *);
void	 audit_verifier_free(struct audit_verifier *);
void	 audit_verifier_set_note(struct audit_verifier *, audit_vnote_fn,
	    void *);
/*
 * Reads the log on fd (from its current offset to EOF) as the next file
 * of the set, oldest first; the chain runs on across files.  Returns 0
 * while all is well, 1 once a problem was found (the result says where;
 * later files are ignored), -1 on a read error or ENOMEM (err).
 */
int	 audit_verifier_add(struct audit_verifier *, int fd, char *err,
	    size_t errlen);
/*
 * When the head is known from elsewhere (the sidecar, syslog): a log whose
 * last entry is older, or whose entry at that sequence has another hash,
 * was truncated.  Only before audit_verifier_result.
 */
void	 audit_verifier_expect_head(struct audit_verifier *, int64_t seq,
	    const char *hash);
void	 audit_verifier_result(struct audit_verifier *,
	    struct audit_vresult *);

#endif /* AGENTSH_AUDIT_H */
