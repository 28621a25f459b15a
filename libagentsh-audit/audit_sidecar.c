/*
 * libagentsh-audit: the chain-head sidecar "<log>.chain" (audit.h).
 *
 * Strict on reading: the five members canyonroad/agentsh writes and our
 * two, nothing else; any doubt makes the writer start a new chain, which
 * is safe.
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "audit_local.h"

#define SIDECAR_MAX	4096

static int
sidecar_name(char *buf, size_t len, const char *logname, const char *suffix)
{
	int	 n;

	n = snprintf(buf, len, "%s%s%s", logname, AUDIT_SIDECAR_SUFFIX,
	    suffix);
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

static int
corrupt(char *err, size_t errlen, const char *msg)
{
	snprintf(err, errlen, "%s", msg);
	errno = EINVAL;
	return -1;
}

static int
get_int(struct audit_jdoc *d, const char *key, int64_t *v, int *present)
{
	uint32_t	 m;

	if (audit_jdoc_get(d, AUDIT_JROOT, key, &m) == -1) {
		*present = 0;
		return 0;
	}
	*present = 1;
	return audit_jdoc_int64(d, m, v);
}

static int
get_str(struct audit_jdoc *d, const char *key, char *out, size_t outlen)
{
	const char	*b;
	uint32_t	 m;
	size_t		 n;

	if (audit_jdoc_get(d, AUDIT_JROOT, key, &m) == -1 ||
	    audit_jdoc_type(d, m) != AUDIT_JSTRING)
		return -1;
	b = audit_jdoc_bytes(d, m, &n);
	if (n >= outlen || memchr(b, '\0', n) != NULL)
		return -1;
	memcpy(out, b, n);
	out[n] = '\0';
	return 0;
}

static int
sidecar_parse(struct audit_jdoc *d, const char *buf, size_t len,
    struct audit_sidecar *sc, char *err, size_t errlen)
{
	static const char *known[] = { "format_version", "sequence",
	    "prev_hash", "key_fingerprint", "updated_at", "log_inode",
	    "log_size" };
	char		 msg[160], ts[64];
	int64_t		 fv, ino, size;
	uint32_t	 key, m;
	int		 p, pino, psize;

	memset(sc, 0, sizeof(*sc));
	if (audit_jdoc_parse(d, buf, len, msg, sizeof(msg)) == -1) {
		snprintf(err, errlen, "not JSON: %s", msg);
		errno = EINVAL;
		return -1;
	}
	if (audit_jdoc_type(d, AUDIT_JROOT) != AUDIT_JOBJECT)
		return corrupt(err, errlen, "not a JSON object");
	for (size_t i = 0; i < audit_jdoc_len(d, AUDIT_JROOT); i++) {
		size_t k;

		audit_jdoc_member(d, AUDIT_JROOT, i, &key, &m);
		for (k = 0; k < nitems(known); k++)
			if (audit_jdoc_streq(d, key, known[k]))
				break;
		if (k == nitems(known))
			return corrupt(err, errlen, "unknown member");
	}
	if (get_int(d, "format_version", &fv, &p) == -1 || !p || fv <= 0)
		return corrupt(err, errlen, "missing or invalid format_version");
	if (fv > AUDIT_FORMAT_VERSION)
		return corrupt(err, errlen, "unsupported format_version");
	if (get_int(d, "sequence", &sc->sequence, &p) == -1 || !p)
		return corrupt(err, errlen, "missing or invalid sequence");
	if (get_str(d, "prev_hash", sc->hash, sizeof(sc->hash)) == -1)
		return corrupt(err, errlen, "missing or invalid prev_hash");
	if (get_str(d, "key_fingerprint", sc->fingerprint,
	    sizeof(sc->fingerprint)) == -1 || sc->fingerprint[0] == '\0')
		return corrupt(err, errlen, "missing or invalid key_fingerprint");
	if (audit_jdoc_get(d, AUDIT_JROOT, "updated_at", &m) == 0 &&
	    get_str(d, "updated_at", ts, sizeof(ts)) == -1)
		return corrupt(err, errlen, "invalid updated_at");
	if (sc->sequence < 0)
		return corrupt(err, errlen, "records no entry");
	if (sc->hash[0] == '\0' || !audit_is_hex(sc->hash, strlen(sc->hash)))
		return corrupt(err, errlen, "invalid prev_hash");
	if (get_int(d, "log_inode", &ino, &pino) == -1 ||
	    get_int(d, "log_size", &size, &psize) == -1 || ino < 0 || size < 0)
		return corrupt(err, errlen, "invalid log_inode or log_size");
	if (pino != psize)
		return corrupt(err, errlen, "log_inode without log_size or the "
		    "other way round");
	sc->has_file = pino;
	sc->inode = (uint64_t)ino;
	sc->size = (uint64_t)size;
	return 0;
}

int
audit_sidecar_read(int dirfd, const char *logname, struct audit_sidecar *sc,
    char *err, size_t errlen)
{
	struct audit_jdoc	*d = NULL;
	char			 name[NAME_MAX + 1], buf[SIDECAR_MAX + 1];
	size_t			 n = 0;
	ssize_t			 r;
	int			 fd = -1, rv = -1, saved;

	if (sidecar_name(name, sizeof(name), logname, "") == -1) {
		snprintf(err, errlen, "log name too long");
		return -1;
	}
	if ((fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW |
	    O_NONBLOCK)) == -1) {
		saved = errno;
		snprintf(err, errlen, "%s: %s", name, strerror(errno));
		errno = saved == ENOENT ? ENOENT : EINVAL;
		return -1;
	}
	while (n < sizeof(buf)) {
		if ((r = read(fd, buf + n, sizeof(buf) - n)) == -1) {
			if (errno == EINTR)
				continue;
			snprintf(err, errlen, "%s: %s", name, strerror(errno));
			errno = EINVAL;
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	if (n > SIDECAR_MAX) {
		snprintf(err, errlen, "%s: larger than %d bytes", name,
		    SIDECAR_MAX);
		errno = EINVAL;
		goto out;
	}
	if ((d = audit_jdoc_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rv = sidecar_parse(d, buf, n, sc, err, errlen);
out:
	saved = errno;
	audit_jdoc_free(d);
	close(fd);
	errno = saved;
	return rv;
}

int
audit_sidecar_write(int dirfd, const char *logname,
    const struct audit_sidecar *sc, char *err, size_t errlen)
{
	struct audit_buf	 b = { 0 };
	char			 name[NAME_MAX + 1], tmp[NAME_MAX + 1], ts[40];
	int			 fd = -1, rv = -1, saved;

	if (sidecar_name(name, sizeof(name), logname, "") == -1 ||
	    sidecar_name(tmp, sizeof(tmp), logname, ".tmp") == -1) {
		snprintf(err, errlen, "log name too long");
		return -1;
	}
	audit_timestamp(ts);
	if (audit_buf_printf(&b, "{\"format_version\":%d,\"sequence\":%"
	    PRId64 ",\"prev_hash\":", AUDIT_FORMAT_VERSION, sc->sequence) == -1 ||
	    audit_json_quote(&b, sc->hash, strlen(sc->hash)) == -1 ||
	    audit_buf_adds(&b, ",\"key_fingerprint\":") == -1 ||
	    audit_json_quote(&b, sc->fingerprint, strlen(sc->fingerprint)) ==
	    -1 ||
	    audit_buf_printf(&b, ",\"updated_at\":\"%s\",\"log_inode\":%" PRIu64
	    ",\"log_size\":%" PRIu64 "}\n", ts, sc->inode, sc->size) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1 || audit_write_all(fd, b.data, b.len) == -1)
		goto fail;
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dirfd, tmp, dirfd, name) == -1 || fsync(dirfd) == -1)
		goto fail;
	rv = 0;
	goto out;
fail:
	saved = errno;
	snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
	if (fd != -1)
		close(fd);
	unlinkat(dirfd, tmp, 0);
	errno = saved;
out:
	audit_buf_clear(&b);
	return rv;
}
