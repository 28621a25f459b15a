/*
 * Daemon logging.  Helpers that run jailed cannot reach syslog; they write
 * fixed-format records to fd 4, and the monitor checks each one (length,
 * level, printable text) before logging it under the helper's name.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "ipc_log.h"

static enum log_target	 target = LOG_TO_STDERR;
static int		 verbosity;
static const char	*procname = "agentsh";

void
log_init(enum log_target t, int verbose, const char *name)
{
	target = t;
	verbosity = verbose;
	if (name != NULL)
		procname = name;
	if (t == LOG_TO_SYSLOG)
		openlog(procname, LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_setverbose(int v)
{
	verbosity = v;
}

int
log_getverbose(void)
{
	return verbosity;
}

void
log_procname(const char *name)
{
	procname = name;
}

/* Control bytes from a message never reach a terminal or the syslog. */
static void
sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

static void
emit_fd(int pri, const char *msg)
{
	uint8_t		 rec[8 + LOG_REC_MSG_MAX];
	uint32_t	 len, level = (uint32_t)pri;
	ssize_t		 n;

	len = (uint32_t)strnlen(msg, LOG_REC_MSG_MAX);
	memcpy(rec, &len, 4);
	memcpy(rec + 4, &level, 4);
	memcpy(rec + 8, msg, len);
	/* One write under PIPE_BUF: records from threads never interleave. */
	do {
		n = write(LOG_HELPER_FD, rec, 8 + (size_t)len);
	} while (n == -1 && errno == EINTR);
}

void
vlog(int pri, const char *fmt, va_list ap)
{
	char	 msg[LOG_REC_MSG_MAX];
	int	 saved_errno = errno;

	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	sanitize(msg);
	switch (target) {
	case LOG_TO_STDERR:
		(void)fprintf(stderr, "%s: %s\n", procname, msg);
		break;
	case LOG_TO_SYSLOG:
		syslog(pri, "%s", msg);
		break;
	case LOG_TO_FD:
		emit_fd(pri, msg);
		break;
	}
	errno = saved_errno;
}

void
logit(int pri, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(pri, fmt, ap);
	va_end(ap);
}

static void
vlog_errno(int pri, const char *fmt, va_list ap)
{
	char	 buf[LOG_REC_MSG_MAX];
	int	 saved_errno = errno;

	if (fmt == NULL)
		logit(pri, "%s", strerror(saved_errno));
	else {
		(void)vsnprintf(buf, sizeof(buf), fmt, ap);
		logit(pri, "%s: %s", buf, strerror(saved_errno));
	}
	errno = saved_errno;
}

void
log_warn(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list	 ap;

	if (verbosity < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

static int
reader_fail(struct log_reader *lr, const char *why)
{
	(void)strlcpy(lr->why, why, sizeof(lr->why));
	errno = EBADMSG;
	return -1;
}

int
log_reader_feed(struct log_reader *lr, int fd, log_emit_cb emit, void *arg)
{
	ssize_t		 n;
	size_t		 off = 0;

	lr->why[0] = '\0';
	do {
		n = read(fd, lr->buf + lr->len, sizeof(lr->buf) - lr->len);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno == EAGAIN)
			return 1;
		return reader_fail(lr, "read error");
	}
	if (n == 0)
		return lr->len == 0 ? 0 : reader_fail(lr, "truncated record");
	lr->len += (size_t)n;

	while (lr->len - off >= 8) {
		uint32_t	 len, level;
		char		 msg[LOG_REC_MSG_MAX + 1];

		memcpy(&len, lr->buf + off, 4);
		memcpy(&level, lr->buf + off + 4, 4);
		if (len > LOG_REC_MSG_MAX)
			return reader_fail(lr, "record over the size limit");
		if (level > LOG_DEBUG)
			return reader_fail(lr, "bad level");
		if (lr->len - off - 8 < len)
			break;
		memcpy(msg, lr->buf + off + 8, len);
		msg[len] = '\0';
		if (strlen(msg) != len)
			return reader_fail(lr, "NUL inside a record");
		sanitize(msg);
		/* Helpers cannot claim the monitor's own fatal levels. */
		emit(level < LOG_ERR ? LOG_ERR : (int)level, msg, arg);
		off += 8 + (size_t)len;
	}
	memmove(lr->buf, lr->buf + off, lr->len - off);
	lr->len -= off;
	return 1;
}
