/*
 * Regress only: a stand-in for agentshd (AGENTSH_REGRESS_FAKE_AGENTSHD)
 * that tries to obtain an identity the monitor did not issue.  Each start
 * makes one attempt, chosen by a counter in $AGENTSH_REGRESS_FAKE_STATE,
 * and logs what happened; attempts that the monitor must punish by killing
 * the sender come last.
 *
 *   0  a session request under a connection id never issued
 *   1  a session request under a root connection that has closed
 *   2  its own fd 3 attached to a message, as if it were a client
 *   3  a listening socket attached to a message
 *   4  one end of a socketpair attached to a message
 *   5  a message agentshd may not send (IPC_SESS_INFO, the monitor's)
 *   6  a message type that does not exist
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ipc.h"
#include "ipc_log.h"
#include "ipc_msg.h"

static struct ipc_chan	 ch;

/* Around the library, which refuses to send any of this. */
static void
raw_send(uint32_t type, const void *payload, size_t len, int fd)
{
	union {
		struct cmsghdr	 h;
		char		 b[CMSG_SPACE(sizeof(int))];
	}		 cb;
	uint8_t		 buf[256];
	struct ipc_hdr	 h = { type, (uint32_t)(IPC_HDR_SIZE + len), 0, 0 };
	struct msghdr	 mh;
	struct iovec	 iov = { buf, IPC_HDR_SIZE + len };
	struct cmsghdr	*cm;

	memcpy(buf, &h, IPC_HDR_SIZE);
	memcpy(buf + IPC_HDR_SIZE, payload, len);
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	if (fd != -1) {
		memset(&cb, 0, sizeof(cb));
		mh.msg_control = cb.b;
		mh.msg_controllen = sizeof(cb.b);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	if (sendmsg(ch.fd, &mh, MSG_NOSIGNAL) == -1)
		log_warn("fake: sendmsg");
}

static int
next_attempt(const char *state)
{
	FILE	*f;
	int	 n = 0;

	if ((f = fopen(state, "r")) != NULL) {
		if (fscanf(f, "%d", &n) != 1)
			n = 0;
		fclose(f);
	}
	if ((f = fopen(state, "w")) != NULL) {
		fprintf(f, "%d\n", n + 1);
		fclose(f);
	}
	return n;
}

/* Waits for a message of 'type', handling the others on the way. */
static int
wait_for(uint32_t type, struct ipc_msg *m, int *connfd, uint64_t *connid)
{
	struct ipc_conn_new	 cn;

	for (;;) {
		if (ipc_recv_sync(&ch, m, 20000) != 1)
			return -1;
		if (m->hdr.type == IPC_CONN_NEW && connfd != NULL &&
		    ipc_decode(m->hdr.type, m->data, m->datalen, &cn, NULL,
		    0) == 0) {
			*connfd = ipc_msg_take_fd(m);
			*connid = cn.connid;
			log_info("fake: got connection %llu uid %u role %u",
			    (unsigned long long)cn.connid, cn.uid, cn.role);
		}
		if (m->hdr.type == type)
			return 0;
		ipc_msg_clear(m);
	}
}

static void
try_create(uint64_t connid, const char *label)
{
	struct ipc_sess_create	 sc = { connid, "", "/", "", 0 };
	struct ipc_sess_r	 r;
	struct ipc_msg		 m;

	if (ipc_send(&ch, IPC_SESS_CREATE, 1, -1, &sc) == -1 ||
	    ipc_flush(&ch) == -1 || wait_for(IPC_SESS_CREATE_R, &m, NULL,
	    NULL) == -1 || ipc_decode(m.hdr.type, m.data, m.datalen, &r, NULL,
	    0) == -1) {
		log_warnx("fake: %s: no answer", label);
		return;
	}
	log_info("fake: %s: status %u (%s)", label, r.status, r.error);
	ipc_msg_clear(&m);
}

int
main(int argc, char *argv[])
{
	const char	*state = getenv("AGENTSH_REGRESS_FAKE_STATE");
	struct ipc_msg	 m;
	struct ipc_ping	 p = { 1 };
	int		 n, fd = -1, sv[2], connfd = -1;
	uint64_t	 connid = 0;
	struct pollfd	 pfd;

	log_init(LOG_TO_FD, 1, "fake-agentshd");
	if (state == NULL || ipc_chan_init(&ch, 3, IPC_CHAN_FDPASS) == -1)
		fatalx("fake: not started by the monitor");
	if (wait_for(IPC_D_CONF, &m, NULL, NULL) == -1)
		fatalx("fake: no configuration");
	ipc_msg_clear(&m);
	if (ipc_send_sync(&ch, IPC_D_READY, 0, -1, "\1\0\0\0", 4, 5000) == -1)
		fatalx("fake: ready");
	n = next_attempt(state);
	log_info("fake: attempt %d", n);
	switch (n) {
	case 0:
		try_create(424242, "invented connection id");
		break;
	case 1:
		/* The test connects as root and hangs up; then we act. */
		if (wait_for(IPC_CONN_NEW, &m, &connfd, &connid) == -1)
			fatalx("fake: no connection");
		ipc_msg_clear(&m);
		pfd.fd = connfd;
		pfd.events = POLLRDHUP;
		(void)poll(&pfd, 1, 20000);
		close(connfd);
		try_create(connid, "closed root connection");
		break;
	case 2:
		log_info("fake: sending its own fd 3");
		raw_send(IPC_PING, &p, sizeof(p), 3);
		break;
	case 3:
		fd = socket(AF_UNIX, SOCK_STREAM, 0);
		(void)listen(fd, 1);
		log_info("fake: sending a listener");
		raw_send(IPC_PING, &p, sizeof(p), fd);
		break;
	case 4:
		(void)socketpair(AF_UNIX, SOCK_STREAM, 0, sv);
		log_info("fake: sending a socketpair end");
		raw_send(IPC_PING, &p, sizeof(p), sv[0]);
		break;
	case 5:
		log_info("fake: sending IPC_SESS_INFO, which is the monitor's");
		raw_send(IPC_SESS_INFO, &p, sizeof(p), -1);
		break;
	default:
		log_info("fake: sending a message type that does not exist");
		raw_send(0x7ffe, &p, sizeof(p), -1);
		break;
	}
	/* Stay until the monitor reacts (it kills us for 2..5). */
	while (ipc_recv_sync(&ch, &m, -1) == 1)
		ipc_msg_clear(&m);
	return 0;
}
