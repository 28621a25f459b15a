/*
 * Framing: one SOCK_SEQPACKET record per message, header checked against
 * the record length, descriptors received the way libfuse's fuse_service.c
 * does it (MSG_CMSG_CLOEXEC, an exact control buffer, MSG_CTRUNC fatal).
 */
#include "compat.h"

#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "ipc_msg.h"

static int	set_why(struct ipc_chan *, int, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

static int
set_why(struct ipc_chan *ch, int err, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(ch->why, sizeof(ch->why), fmt, ap);
	va_end(ap);
	errno = err;
	return -1;
}

int
ipc_socketpair(int fds[2])
{
	return socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0, fds);
}

int
ipc_chan_init(struct ipc_chan *ch, int fd, unsigned int flags)
{
	int	 fl;

	if (flags & ~IPC_CHAN_FDPASS) {
		errno = EINVAL;
		return -1;
	}
	memset(ch, 0, sizeof(*ch));
	/* Every channel is non-blocking; the _sync calls poll. */
	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1)
		return -1;
	ch->fd = fd;
	ch->flags = flags;
	ch->pid = (uint32_t)getpid();
	TAILQ_INIT(&ch->outq);
	return 0;
}

/*
 * Drops queued messages (closing their descriptors) and the socket.  An
 * owner clears a channel before freeing it: a read callback in progress
 * learns from this that the channel is gone.
 */
void
ipc_chan_clear(struct ipc_chan *ch)
{
	struct ipc_obuf	*ob;

	if (ch->alive != NULL)
		*ch->alive = 0;
	ch->alive = NULL;
	free(ch->rbuf);
	ch->rbuf = NULL;
	ipc_ev_detach(ch);
	while ((ob = TAILQ_FIRST(&ch->outq)) != NULL) {
		TAILQ_REMOVE(&ch->outq, ob, entry);
		if (ob->fd != -1)
			(void)close(ob->fd);
		free(ob);
	}
	ch->outq_bytes = 0;
	if (ch->fd != -1)
		(void)close(ch->fd);
	ch->fd = -1;
}

/*
 * Queues one message.  The descriptor, if any, belongs to the channel from
 * here on, whether or not this succeeds: it is closed once sent.
 */
int
ipc_compose(struct ipc_chan *ch, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	struct ipc_obuf	*ob;
	struct ipc_hdr	 hdr;
	int		 spec;

	spec = ipc_msg_fdspec(type);
	if (spec == -1 || len > IPC_MAX_PAYLOAD ||
	    (len > 0 && data == NULL) ||
	    (fd != -1 && (spec == IPC_FD_NONE ||
	    !(ch->flags & IPC_CHAN_FDPASS))) ||
	    (fd == -1 && spec == IPC_FD_REQUIRED)) {
		if (fd != -1)
			(void)close(fd);
		errno = len > IPC_MAX_PAYLOAD ? EMSGSIZE : EINVAL;
		return -1;
	}
	if (ch->outq_max != 0 && ch->outq_bytes + len > ch->outq_max) {
		if (fd != -1)
			(void)close(fd);
		errno = ENOBUFS;
		return -1;
	}
	if ((ob = malloc(sizeof(*ob) + IPC_HDR_SIZE + len)) == NULL) {
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	hdr.type = type;
	hdr.len = (uint32_t)(IPC_HDR_SIZE + len);
	hdr.peerid = peerid;
	hdr.pid = ch->pid;
	memcpy(ob->buf, &hdr, IPC_HDR_SIZE);
	if (len > 0)
		memcpy(ob->buf + IPC_HDR_SIZE, data, len);
	ob->len = IPC_HDR_SIZE + len;
	ob->fd = fd;
	TAILQ_INSERT_TAIL(&ch->outq, ob, entry);
	ch->outq_bytes += len;
	return 0;
}

static ssize_t
send_one(int sock, struct ipc_obuf *ob)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	struct msghdr	 mh;
	struct iovec	 iov;
	struct cmsghdr	*cm;
	ssize_t		 n;

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = ob->buf;
	iov.iov_len = ob->len;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (ob->fd != -1) {
		memset(&cmsgbuf, 0, sizeof(cmsgbuf));
		mh.msg_control = cmsgbuf.buf;
		mh.msg_controllen = sizeof(cmsgbuf.buf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		memcpy(CMSG_DATA(cm), &ob->fd, sizeof(int));
	}
	do {
		n = sendmsg(sock, &mh, MSG_NOSIGNAL);
	} while (n == -1 && errno == EINTR);
	return n;
}

/* Returns 0 when the queue is empty, 1 when the socket is full, -1 on error. */
int
ipc_flush(struct ipc_chan *ch)
{
	struct ipc_obuf	*ob;

	while ((ob = TAILQ_FIRST(&ch->outq)) != NULL) {
		if (send_one(ch->fd, ob) == -1) {
			if (errno == EAGAIN || errno == ENOBUFS)
				return 1;
			return -1;
		}
		TAILQ_REMOVE(&ch->outq, ob, entry);
		ch->outq_bytes -= ob->len - IPC_HDR_SIZE;
		if (ob->fd != -1)
			(void)close(ob->fd);
		free(ob);
	}
	return 0;
}

/*
 * Whether a descriptor received now would leave IPC_FD_RESERVE free: the
 * kernel installs received descriptors at the lowest free number, so that
 * number tells how close the table is to its limit.
 */
int
ipc_fd_headroom(void)
{
	struct rlimit	 rl;
	int		 fd;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return -1;
	if ((fd = fcntl(0, F_DUPFD_CLOEXEC, 0)) == -1) {
		if (errno == EBADF)	/* fd 0 closed: it is free itself */
			return 0;
		return -1;
	}
	(void)close(fd);
	if (rl.rlim_cur != RLIM_INFINITY &&
	    (rlim_t)fd + IPC_FD_RESERVE >= rl.rlim_cur) {
		errno = EMFILE;
		return -1;
	}
	return 0;
}

static int
take_cmsg_fd(struct ipc_chan *ch, struct msghdr *mh, int *fdp)
{
	struct cmsghdr	*cm;
	int		 fd, bad = 0;

	*fdp = -1;
	for (cm = CMSG_FIRSTHDR(mh); cm != NULL; cm = CMSG_NXTHDR(mh, cm)) {
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len == CMSG_LEN(sizeof(int)) && *fdp == -1) {
			memcpy(&fd, CMSG_DATA(cm), sizeof(int));
			*fdp = fd;
			continue;
		}
		/* Anything else: close whatever descriptors it carries. */
		if (cm->cmsg_level == SOL_SOCKET &&
		    cm->cmsg_type == SCM_RIGHTS &&
		    cm->cmsg_len >= CMSG_LEN(0)) {
			size_t	 n = (cm->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < n; i++) {
				memcpy(&fd, CMSG_DATA(cm) + i * sizeof(int),
				    sizeof(int));
				(void)close(fd);
			}
		}
		bad = 1;
	}
	if (bad) {
		if (*fdp != -1)
			(void)close(*fdp);
		*fdp = -1;
		return set_why(ch, EBADMSG, "unexpected control message");
	}
	return 0;
}

/*
 * Reads one message.  Returns 1 with *m filled, 0 when the peer closed, -1
 * with errno set (EAGAIN: nothing to read; anything else: the message was
 * bad and has been dropped, its descriptor closed, ch->why says why).
 */
int
ipc_read(struct ipc_chan *ch, struct ipc_msg *m)
{
	union {
		struct cmsghdr	 hdr;
		char		 buf[CMSG_SPACE(sizeof(int))];
	}		 cmsgbuf;
	uint8_t		*buf;
	struct msghdr	 mh;
	struct iovec	 iov;
	struct ipc_hdr	 hdr;
	ssize_t		 n;
	int		 fd = -1, spec;

	memset(m, 0, sizeof(*m));
	m->fd = -1;
	ch->why[0] = '\0';
	/* One buffer per channel: a 128 KiB stack buffer per read costs more
	 * than the read (it is zeroed, with -ftrivial-auto-var-init). */
	if (ch->rbuf == NULL && (ch->rbuf = malloc(IPC_MAX_MSG)) == NULL)
		return set_why(ch, ENOMEM, "out of memory");
	buf = ch->rbuf;
	if ((ch->flags & IPC_CHAN_FDPASS) && ipc_fd_headroom() == -1)
		return set_why(ch, EMFILE, "descriptor table nearly full");

	memset(&mh, 0, sizeof(mh));
	iov.iov_base = buf;
	iov.iov_len = IPC_MAX_MSG;
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = cmsgbuf.buf;
	mh.msg_controllen = sizeof(cmsgbuf.buf);
	do {
		n = recvmsg(ch->fd, &mh, MSG_CMSG_CLOEXEC);
	} while (n == -1 && errno == EINTR);
	if (n == -1) {
		if (errno != EAGAIN)
			(void)snprintf(ch->why, sizeof(ch->why), "recvmsg: %s",
			    strerror(errno));
		return -1;
	}
	if (n == 0 && mh.msg_controllen == 0)
		return 0;

	if (take_cmsg_fd(ch, &mh, &fd) == -1)
		return -1;
	if (mh.msg_flags & MSG_CTRUNC) {
		if (fd != -1)
			(void)close(fd);
		return set_why(ch, EPROTO,
		    "control data truncated (descriptor lost)");
	}
	if (mh.msg_flags & MSG_TRUNC) {
		if (fd != -1)
			(void)close(fd);
		return set_why(ch, EMSGSIZE, "message over %u bytes",
		    IPC_MAX_MSG);
	}
	if ((size_t)n < IPC_HDR_SIZE) {
		if (fd != -1)
			(void)close(fd);
		return set_why(ch, EBADMSG, "short message of %u bytes",
		    (uint32_t)n);
	}
	memcpy(&hdr, buf, IPC_HDR_SIZE);
	if (hdr.len != (uint32_t)n) {
		if (fd != -1)
			(void)close(fd);
		return set_why(ch, EBADMSG,
		    "header length does not match record (%u)", hdr.len);
	}
	if ((spec = ipc_msg_fdspec(hdr.type)) == -1) {
		if (fd != -1)
			(void)close(fd);
		return set_why(ch, EBADMSG, "unknown message type %u",
		    hdr.type);
	}
	if (fd != -1 && (!(ch->flags & IPC_CHAN_FDPASS) ||
	    spec == IPC_FD_NONE)) {
		(void)close(fd);
		return set_why(ch, EBADMSG,
		    "descriptor on message type %u, which carries none",
		    hdr.type);
	}
	if (fd == -1 && spec == IPC_FD_REQUIRED)
		return set_why(ch, EBADMSG,
		    "message type %u arrived without its descriptor",
		    hdr.type);

	m->hdr = hdr;
	m->fd = fd;
	m->datalen = (size_t)n - IPC_HDR_SIZE;
	/* A terminating NUL past the payload keeps string decoding bounded. */
	if ((m->data = malloc(m->datalen + 1)) == NULL) {
		if (fd != -1)
			(void)close(fd);
		m->fd = -1;
		return set_why(ch, ENOMEM, "out of memory");
	}
	memcpy(m->data, buf + IPC_HDR_SIZE, m->datalen);
	m->data[m->datalen] = '\0';
	return 1;
}

void
ipc_msg_clear(struct ipc_msg *m)
{
	if (m->fd != -1)
		(void)close(m->fd);
	m->fd = -1;
	free(m->data);
	m->data = NULL;
	m->datalen = 0;
}

/* Takes ownership of the message's descriptor. */
int
ipc_msg_take_fd(struct ipc_msg *m)
{
	int	 fd = m->fd;

	m->fd = -1;
	return fd;
}

static int
remaining_ms(const struct timespec *deadline)
{
	struct timespec	 now;
	long long	 ms;

	if (deadline == NULL)
		return -1;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	ms = (deadline->tv_sec - now.tv_sec) * 1000LL +
	    (deadline->tv_nsec - now.tv_nsec) / 1000000LL;
	return ms < 0 ? 0 : (int)ms;
}

static struct timespec *
make_deadline(struct timespec *ts, int timeout_ms)
{
	if (timeout_ms < 0)
		return NULL;
	(void)clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += timeout_ms / 1000;
	ts->tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
	return ts;
}

static int
wait_fd(int fd, short events, const struct timespec *deadline)
{
	struct pollfd	 pfd = { .fd = fd, .events = events };
	int		 r;

	do {
		r = poll(&pfd, 1, remaining_ms(deadline));
	} while (r == -1 && errno == EINTR);
	if (r == 0) {
		errno = ETIMEDOUT;
		return -1;
	}
	return r == -1 ? -1 : 0;
}

/* Composes and sends, waiting up to timeout_ms (-1: forever). */
int
ipc_send_sync(struct ipc_chan *ch, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len, int timeout_ms)
{
	struct timespec	 ts, *dl;
	int		 r;

	if (ipc_compose(ch, type, peerid, fd, data, len) == -1)
		return -1;
	dl = make_deadline(&ts, timeout_ms);
	while ((r = ipc_flush(ch)) == 1)
		if (wait_fd(ch->fd, POLLOUT, dl) == -1)
			return -1;
	return r;
}

/* Like ipc_read, but waits up to timeout_ms (-1: forever) for a message. */
int
ipc_recv_sync(struct ipc_chan *ch, struct ipc_msg *m, int timeout_ms)
{
	struct timespec	 ts, *dl;
	int		 r;

	dl = make_deadline(&ts, timeout_ms);
	while ((r = ipc_read(ch, m)) == -1 && errno == EAGAIN)
		if (wait_fd(ch->fd, POLLIN, dl) == -1)
			return -1;
	return r;
}

uint64_t
ipc_now_ns(void)
{
	struct timespec	 ts;

	(void)clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}
