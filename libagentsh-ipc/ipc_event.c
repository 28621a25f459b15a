/*
 * libevent integration: a persistent read event that hands each message to
 * the owner's callback, and a write event armed while messages are queued.
 *
 * The owner's callback may tear the channel down (a peer that misbehaves
 * is killed): ipc_chan_clear tells the loop below, through 'alive', and
 * nothing touches the channel after that.  A bounded number of messages
 * per wake-up keeps one busy peer from starving the others.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "ipc.h"
#include "ipc_msg.h"

static const struct timeval retry_tv = { 0, 100 * 1000 };

#define READ_BATCH	 64

static void
ev_read_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_chan	*ch = arg;
	struct ipc_msg	 m;
	int		 r, alive, i;

	for (i = 0; i < READ_BATCH; i++) {
		if (ch->dead)
			return;
		if ((r = ipc_read(ch, &m)) != 1)
			break;
		alive = 1;
		ch->alive = &alive;
		ch->msg_cb(ch, &m, ch->cb_arg);
		ipc_msg_clear(&m);
		if (!alive)
			return;
		ch->alive = NULL;
	}
	if (i == READ_BATCH || (r == -1 && errno == EAGAIN))
		return;
	if (r == -1 && errno == EMFILE) {
		/* Leave the message queued; try again shortly. */
		event_del(ch->ev_read);
		event_add(ch->ev_read, &retry_tv);
		return;
	}
	/* A peer that died with data unread resets the socket: it closed. */
	if (r == -1 && errno == ECONNRESET)
		r = 0;
	ch->dead = 1;
	event_del(ch->ev_read);
	event_del(ch->ev_write);
	ch->err_cb(ch, r == 0 ? 0 : errno, r == 0 ? "peer closed" : ch->why,
	    ch->cb_arg);
}

static void
ev_write_cb(evutil_socket_t fd, short what, void *arg)
{
	struct ipc_chan	*ch = arg;
	int		 r;

	if (ch->dead)
		return;
	if ((r = ipc_flush(ch)) == 1)
		return;
	event_del(ch->ev_write);
	if (r == -1) {
		ch->dead = 1;
		event_del(ch->ev_read);
		ch->err_cb(ch, errno, "send failed", ch->cb_arg);
	}
}

int
ipc_ev_attach(struct ipc_chan *ch, struct event_base *base, ipc_msg_cb mcb,
    ipc_err_cb ecb, void *arg)
{
	ch->msg_cb = mcb;
	ch->err_cb = ecb;
	ch->cb_arg = arg;
	ch->dead = 0;
	ch->ev_read = event_new(base, ch->fd, EV_READ | EV_PERSIST,
	    ev_read_cb, ch);
	ch->ev_write = event_new(base, ch->fd, EV_WRITE | EV_PERSIST,
	    ev_write_cb, ch);
	if (ch->ev_read == NULL || ch->ev_write == NULL ||
	    event_add(ch->ev_read, NULL) == -1) {
		ipc_ev_detach(ch);
		errno = ENOMEM;
		return -1;
	}
	if (!TAILQ_EMPTY(&ch->outq))
		event_add(ch->ev_write, NULL);
	return 0;
}

void
ipc_ev_detach(struct ipc_chan *ch)
{
	if (ch->ev_read != NULL)
		event_free(ch->ev_read);
	if (ch->ev_write != NULL)
		event_free(ch->ev_write);
	ch->ev_read = ch->ev_write = NULL;
}

/*
 * Queues a message and sends what the socket takes now; the rest goes out
 * from the write event.  Returns -1 only when the message was not queued.
 */
int
ipc_ev_send(struct ipc_chan *ch, uint32_t type, uint32_t peerid, int fd,
    const void *data, size_t len)
{
	int	 r;

	if (ch->dead) {
		if (fd != -1)
			(void)close(fd);
		errno = EPIPE;
		return -1;
	}
	if (ipc_compose(ch, type, peerid, fd, data, len) == -1)
		return -1;
	if ((r = ipc_flush(ch)) == 1 && ch->ev_write != NULL)
		event_add(ch->ev_write, NULL);
	/* A send error surfaces as the peer closing, through the read event. */
	(void)r;
	return 0;
}

/*
 * Encodes a payload struct of the catalogue and sends it, through the
 * event loop when the channel is attached to one, else right away.
 */
int
ipc_send(struct ipc_chan *ch, uint32_t type, uint32_t peerid, int fd,
    const void *st)
{
	uint8_t	*buf = NULL;
	size_t	 len = 0;
	int	 r;

	if (st != NULL && ipc_encode(type, st, &buf, &len) == -1) {
		if (fd != -1)
			(void)close(fd);
		return -1;
	}
	r = ipc_ev_send(ch, type, peerid, fd, buf, len);
	free(buf);
	return r;
}
