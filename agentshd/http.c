/*
 * The HTTP/1.1 server on libevent bufferevents (wire rules in http.h).
 *
 * A connection moves through:
 *   READ   bytes go to the parser; a read timer bounds the whole request
 *          (or the keep-alive idle time before its first byte)
 *   APP    the application holds the request; input waits, and reading
 *          pauses once it passes a bound (not a libevent high-water
 *          mark: libevent 2.1 re-runs the read callback for as long as
 *          the input stays above one); end of input means the client is
 *          gone
 *   STREAM the application writes the response in chunks
 *   FLUSH  a whole response is queued; when written: READ again, or
 *   LINGER write side shut, input drained for a short while so closing
 *          does not reset the connection under the client's feet
 * Every teardown goes through conn_destroy, which calls the abort and
 * close callbacks.  When the application asks for a close, the teardown
 * is deferred to the loop so no callback runs inside its own call.
 */
#include "compat.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/util.h>

#include "agentshd/http.h"

#define HTTP_LINGER_MS		 2000
#define HTTP_INPUT_SLACK	 4096	/* held-back input beyond the header
					   limit before reading pauses */
#define HTTP_ERRMSG_MAX		 1024

enum cstate {
	CS_READ = 0,
	CS_APP,
	CS_STREAM,
	CS_FLUSH,
	CS_LINGER,
	CS_DEAD
};

enum tkind {
	T_NONE = 0,
	T_IDLE,			/* keep-alive: close quietly */
	T_READ,			/* request incomplete: 408 */
	T_LINGER
};

struct http_conn {
	TAILQ_ENTRY(http_conn)	 entry;
	struct http_server	*srv;
	struct bufferevent	*bev;
	struct event		*timer;
	struct event		*defer;
	struct http_parser	*parser;
	struct http_req		*req;		/* held by the application */
	struct evbuffer		*xhdrs;		/* http_reply_add_header */
	uint64_t		 connid;
	void			*conn_arg;
	enum cstate		 state;
	enum tkind		 tkind;
	int			 fd;
	int			 reject;	/* over the cap: 503, close */
	int			 first;		/* no request answered yet */
	int			 close_after;	/* no keep-alive */
	int			 failed;	/* teardown pending */
	int			 rd_eof;
	int			 rd_paused;	/* input over its bound */
	int			 head;		/* answering HEAD */
	int			 chunked;	/* streaming in chunks */
};

struct http_server {
	struct event_base	*base;
	struct http_limits	 lim;
	http_req_cb		 req_cb;
	http_abort_cb		 abort_cb;
	http_close_cb		 close_cb;
	void			*arg;
	TAILQ_HEAD(, http_conn)	 conns;
	int			 nconns;
	int			 nreject;
};

static void	 conn_process(struct http_conn *);

static const struct {
	int		 status;
	const char	*text;
} statuses[] = {
	{ 100, "Continue" },
	{ 200, "OK" },
	{ 201, "Created" },
	{ 202, "Accepted" },
	{ 204, "No Content" },
	{ 304, "Not Modified" },
	{ 400, "Bad Request" },
	{ 401, "Unauthorized" },
	{ 403, "Forbidden" },
	{ 404, "Not Found" },
	{ 405, "Method Not Allowed" },
	{ 408, "Request Timeout" },
	{ 409, "Conflict" },
	{ 410, "Gone" },
	{ 413, "Content Too Large" },
	{ 414, "URI Too Long" },
	{ 415, "Unsupported Media Type" },
	{ 417, "Expectation Failed" },
	{ 422, "Unprocessable Content" },
	{ 429, "Too Many Requests" },
	{ 431, "Request Header Fields Too Large" },
	{ 500, "Internal Server Error" },
	{ 501, "Not Implemented" },
	{ 502, "Bad Gateway" },
	{ 503, "Service Unavailable" },
	{ 504, "Gateway Timeout" },
	{ 505, "HTTP Version Not Supported" },
};

const char *
http_status_text(int status)
{
	size_t	 i;

	for (i = 0; i < nitems(statuses); i++)
		if (statuses[i].status == status)
			return statuses[i].text;
	return "";
}

/* Length of the valid UTF-8 sequence at s (n bytes left), 0 if none. */
static size_t
utf8_seq(const unsigned char *s, size_t n)
{
	uint32_t	 cp, min;
	size_t		 len, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		len = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/* {"error":"<msg>"}: msg JSON-escaped, invalid UTF-8 as U+FFFD. */
static int
error_body(struct evbuffer *b, const char *msg)
{
	const unsigned char	*s = (const unsigned char *)msg;
	size_t			 n = strlen(msg), k;
	int			 r = 0;

	r |= evbuffer_add(b, "{\"error\":\"", 10);
	while (n > 0) {
		if (*s == '"' || *s == '\\')
			r |= evbuffer_add_printf(b, "\\%c", *s) < 0;
		else if (*s == '\n')
			r |= evbuffer_add(b, "\\n", 2);
		else if (*s == '\t')
			r |= evbuffer_add(b, "\\t", 2);
		else if (*s < 0x20 || *s == 0x7f)
			r |= evbuffer_add_printf(b, "\\u%04x", *s) < 0;
		else if ((k = utf8_seq(s, n)) == 0)
			r |= evbuffer_add(b, "\\ufffd", 6);
		else {
			r |= evbuffer_add(b, s, k);
			s += k;
			n -= k;
			continue;
		}
		s++;
		n--;
	}
	r |= evbuffer_add(b, "\"}", 2);
	return r ? -1 : 0;
}

static int
valid_token(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || strchr("!#$%&'*+-.^_`|~", *s)))
			return 0;
	return 1;
}

static int
valid_value(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != '\t' && ((unsigned char)*s < 0x20 || *s == 0x7f))
			return 0;
	return 1;
}

static void
timer_set(struct http_conn *c, enum tkind kind, int ms)
{
	struct timeval	 tv;

	c->tkind = kind;
	if (kind == T_NONE) {
		evtimer_del(c->timer);
		return;
	}
	tv.tv_sec = ms / 1000;
	tv.tv_usec = (ms % 1000) * 1000;
	evtimer_add(c->timer, &tv);
}

static void
conn_destroy(struct http_conn *c)
{
	struct http_server	*srv = c->srv;

	c->state = CS_DEAD;
	TAILQ_REMOVE(&srv->conns, c, entry);
	if (c->reject)
		srv->nreject--;
	else
		srv->nconns--;
	if (c->req != NULL) {
		srv->abort_cb(c->req, srv->arg);
		http_req_free(c->req);
		c->req = NULL;
	}
	srv->close_cb(c->connid, c->conn_arg, srv->arg);
	bufferevent_free(c->bev);
	event_free(c->timer);
	event_free(c->defer);
	http_parser_free(c->parser);
	evbuffer_free(c->xhdrs);
	free(c);
}

/* Asked for from inside an application call: tear down from the loop. */
static void
conn_fail(struct http_conn *c)
{
	if (c->failed)
		return;
	c->failed = 1;
	bufferevent_disable(c->bev, EV_READ | EV_WRITE);
	timer_set(c, T_NONE, 0);
	event_active(c->defer, EV_TIMEOUT, 1);
}

/*
 * Queues the status line and headers.  len is the Content-Length, or
 * (size_t)-1 for a streamed body.
 */
static int
send_head(struct http_conn *c, int status, const char *ctype, size_t len,
    int minor)
{
	struct evbuffer	*out = bufferevent_get_output(c->bev);
	int		 r = 0;

	r |= evbuffer_add_printf(out, "HTTP/1.1 %d %s\r\n", status,
	    http_status_text(status)) < 0;
	if (ctype != NULL && valid_value(ctype))
		r |= evbuffer_add_printf(out, "Content-Type: %s\r\n",
		    ctype) < 0;
	r |= evbuffer_add_buffer(out, c->xhdrs);
	if (status == 204 || status == 304)
		;
	else if (len != (size_t)-1)
		r |= evbuffer_add_printf(out, "Content-Length: %zu\r\n",
		    len) < 0;
	else if (c->chunked)
		r |= evbuffer_add(out, "Transfer-Encoding: chunked\r\n", 28);
	if (c->close_after)
		r |= evbuffer_add(out, "Connection: close\r\n", 19);
	else if (minor == 0)
		r |= evbuffer_add(out, "Connection: keep-alive\r\n", 24);
	r |= evbuffer_add(out, "\r\n", 2);
	return r ? -1 : 0;
}

/* A response is queued: once written, read the next one or close. */
static void
conn_flush(struct http_conn *c)
{
	c->state = CS_FLUSH;
	timer_set(c, T_NONE, 0);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		event_active(c->defer, EV_TIMEOUT, 1);
}

/* The server's own error: status, {"error":why}, then close. */
static void
conn_error(struct http_conn *c, int status, const char *why)
{
	struct evbuffer	*b;

	c->close_after = 1;
	c->head = 0;
	evbuffer_drain(c->xhdrs, evbuffer_get_length(c->xhdrs));
	if ((b = evbuffer_new()) == NULL || error_body(b, why) == -1 ||
	    send_head(c, status, "application/json",
	    evbuffer_get_length(b), 1) == -1 ||
	    bufferevent_write_buffer(c->bev, b) == -1) {
		evbuffer_free(b);
		conn_fail(c);
		return;
	}
	evbuffer_free(b);
	conn_flush(c);
}

static void
conn_linger(struct http_conn *c)
{
	struct http_limits	*lim = &c->srv->lim;

	if (c->rd_eof) {
		conn_destroy(c);
		return;
	}
	c->state = CS_LINGER;
	(void)shutdown(c->fd, SHUT_WR);
	evbuffer_drain(bufferevent_get_input(c->bev),
	    evbuffer_get_length(bufferevent_get_input(c->bev)));
	c->rd_paused = 0;
	bufferevent_enable(c->bev, EV_READ);
	timer_set(c, T_LINGER, lim->read_timeout_ms < HTTP_LINGER_MS ?
	    lim->read_timeout_ms : HTTP_LINGER_MS);
}

/* The queued response is written. */
static void
conn_flushed(struct http_conn *c)
{
	if (c->close_after || c->rd_eof) {
		conn_linger(c);
		return;
	}
	c->state = CS_READ;
	c->first = 0;
	timer_set(c, T_IDLE, c->srv->lim.idle_timeout_ms);
	if (c->rd_paused) {
		c->rd_paused = 0;
		bufferevent_enable(c->bev, EV_READ);
	}
	conn_process(c);
}

static void
deliver(struct http_conn *c)
{
	struct http_server	*srv = c->srv;
	struct http_req		*req;

	req = http_parser_take(c->parser);
	req->conn = c;
	req->connid = c->connid;
	req->conn_arg = c->conn_arg;
	c->req = req;
	c->state = CS_APP;
	c->head = req->method == HTTP_HEAD;
	c->chunked = 0;
	c->close_after = (req->flags & HTTP_REQ_CLOSE) != 0;
	evbuffer_drain(c->xhdrs, evbuffer_get_length(c->xhdrs));
	timer_set(c, T_NONE, 0);
	/* The application may answer, or close, from inside: nothing here
	 * touches c afterwards. */
	srv->req_cb(req, srv->arg);
}

/* Feeds buffered input to the parser while a request is being read. */
static void
conn_process(struct http_conn *c)
{
	struct evbuffer		*in = bufferevent_get_input(c->bev);
	struct evbuffer_iovec	 iov;
	enum http_parse_rc	 rc;
	const char		*why;
	size_t			 used;
	int			 started, status;

	while (c->state == CS_READ && evbuffer_get_length(in) > 0) {
		started = http_parser_started(c->parser);
		if (evbuffer_peek(in, -1, NULL, &iov, 1) < 1)
			break;
		rc = http_parser_feed(c->parser, iov.iov_base, iov.iov_len,
		    &used);
		evbuffer_drain(in, used);
		if (!started && !c->first && http_parser_started(c->parser))
			timer_set(c, T_READ, c->srv->lim.read_timeout_ms);
		switch (rc) {
		case HTTP_PARSE_MORE:
			break;
		case HTTP_PARSE_BODY:
			if ((http_parser_request(c->parser)->flags &
			    HTTP_REQ_EXPECT) &&
			    bufferevent_write(c->bev,
			    "HTTP/1.1 100 Continue\r\n\r\n", 25) == -1) {
				conn_destroy(c);
				return;
			}
			break;
		case HTTP_PARSE_ERROR:
			status = http_parser_error(c->parser, &why);
			conn_error(c, status, why);
			return;
		case HTTP_PARSE_DONE:
			deliver(c);
			return;
		}
	}
}

static void
read_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*c = arg;
	struct evbuffer		*in = bufferevent_get_input(bev);
	size_t			 n = evbuffer_get_length(in);

	switch (c->state) {
	case CS_READ:
		conn_process(c);
		break;
	case CS_FLUSH:
		/* Nothing more will be read from a closing connection. */
		if (c->close_after)
			evbuffer_drain(in, n);
		break;
	case CS_LINGER:
		/* Only the linger timer bounds this: a client still sending
		 * a refused body must not be reset before it reads why. */
		evbuffer_drain(in, n);
		break;
	default:
		/* Pipelined bytes wait, bounded: past the bound, reading
		 * (and so noticing the client go) pauses until the answer
		 * is out. */
		if (n > c->srv->lim.max_header_bytes + HTTP_INPUT_SLACK) {
			c->rd_paused = 1;
			bufferevent_disable(bev, EV_READ);
		}
		break;
	}
}

static void
write_cb(struct bufferevent *bev, void *arg)
{
	struct http_conn	*c = arg;

	if (c->state == CS_FLUSH && !c->failed)
		conn_flushed(c);
}

static void
event_cb(struct bufferevent *bev, short what, void *arg)
{
	struct http_conn	*c = arg;

	if ((what & BEV_EVENT_EOF) && c->state == CS_FLUSH) {
		/* The client is done sending; answer it, then close. */
		c->rd_eof = 1;
		return;
	}
	/* EOF elsewhere, an error, or no write progress in time. */
	conn_destroy(c);
}

static void
timer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;

	switch (c->tkind) {
	case T_READ:
		if (c->state == CS_READ) {
			c->tkind = T_NONE;
			conn_error(c, 408, "request not received in time");
			return;
		}
		break;
	case T_IDLE:
	case T_LINGER:
		conn_destroy(c);
		return;
	case T_NONE:
		break;
	}
}

static void
defer_cb(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn	*c = arg;

	if (c->failed)
		conn_destroy(c);
	else if (c->state == CS_FLUSH &&
	    evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_flushed(c);
}

struct http_server *
http_server_new(struct event_base *base, const struct http_limits *lim,
    http_req_cb req_cb, http_abort_cb abort_cb, http_close_cb close_cb,
    void *arg)
{
	struct http_server	*srv;

	if (lim->max_header_bytes < HTTP_MIN_HEADER_BYTES ||
	    lim->max_header_bytes > HTTP_MAX_HEADER_BYTES ||
	    lim->max_body > HTTP_MAX_BODY || lim->read_timeout_ms <= 0 ||
	    lim->write_timeout_ms <= 0 || lim->idle_timeout_ms <= 0 ||
	    lim->max_conns <= 0 || req_cb == NULL || abort_cb == NULL ||
	    close_cb == NULL) {
		errno = EINVAL;
		return NULL;
	}
	if ((srv = calloc(1, sizeof(*srv))) == NULL)
		return NULL;
	srv->base = base;
	srv->lim = *lim;
	if (srv->lim.max_pending == 0)
		srv->lim.max_pending = HTTP_DEFAULT_MAX_PENDING;
	srv->req_cb = req_cb;
	srv->abort_cb = abort_cb;
	srv->close_cb = close_cb;
	srv->arg = arg;
	TAILQ_INIT(&srv->conns);
	return srv;
}

void
http_server_free(struct http_server *srv)
{
	if (srv == NULL)
		return;
	while (!TAILQ_EMPTY(&srv->conns))
		conn_destroy(TAILQ_FIRST(&srv->conns));
	free(srv);
}

static struct http_conn *
conn_find(const struct http_server *srv, uint64_t connid)
{
	struct http_conn	*c;

	TAILQ_FOREACH(c, &srv->conns, entry)
		if (c->connid == connid)
			return c;
	return NULL;
}

int
http_server_adopt(struct http_server *srv, int fd, uint64_t connid,
    void *conn_arg)
{
	struct http_limits	*lim = &srv->lim;
	struct http_conn	*c = NULL;
	struct timeval		 wtv;
	int			 reject = srv->nconns >= lim->max_conns;

	if (conn_find(srv, connid) != NULL) {
		errno = EEXIST;
		goto fail;
	}
	/* Refusals are bounded too: past both caps, just close. */
	if (reject && srv->nreject >= lim->max_conns) {
		errno = EBUSY;
		goto fail;
	}
	if (evutil_make_socket_nonblocking(fd) == -1 ||
	    evutil_make_socket_closeonexec(fd) == -1)
		goto fail;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		goto fail;
	c->srv = srv;
	c->fd = fd;
	c->connid = connid;
	c->conn_arg = conn_arg;
	c->first = 1;
	c->reject = reject;
	if ((c->bev = bufferevent_socket_new(srv->base, fd,
	    BEV_OPT_CLOSE_ON_FREE)) == NULL)
		goto fail;
	fd = -1;	/* the bufferevent's now */
	if ((c->timer = evtimer_new(srv->base, timer_cb, c)) == NULL ||
	    (c->defer = event_new(srv->base, -1, 0, defer_cb, c)) == NULL ||
	    (c->xhdrs = evbuffer_new()) == NULL ||
	    (c->parser = http_parser_new(lim)) == NULL)
		goto fail;
	wtv.tv_sec = lim->write_timeout_ms / 1000;
	wtv.tv_usec = (lim->write_timeout_ms % 1000) * 1000;
	bufferevent_set_timeouts(c->bev, NULL, &wtv);
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	if (bufferevent_enable(c->bev, EV_READ | EV_WRITE) == -1)
		goto fail;

	TAILQ_INSERT_TAIL(&srv->conns, c, entry);
	if (reject)
		srv->nreject++;
	else
		srv->nconns++;
	if (reject)
		conn_error(c, 503, "too many connections");
	else
		timer_set(c, T_READ, lim->read_timeout_ms);
	return 0;

 fail:
	if (c != NULL) {
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		if (c->timer != NULL)
			event_free(c->timer);
		if (c->defer != NULL)
			event_free(c->defer);
		evbuffer_free(c->xhdrs);
		http_parser_free(c->parser);
		free(c);
	}
	if (fd != -1)
		close(fd);
	return -1;
}

void
http_server_close_conn(struct http_server *srv, uint64_t connid)
{
	struct http_conn	*c;

	if ((c = conn_find(srv, connid)) != NULL)
		conn_fail(c);
}

int
http_server_nconns(const struct http_server *srv)
{
	return srv->nconns;
}

/* The application is done with the request. */
static void
req_done(struct http_conn *c)
{
	http_req_free(c->req);
	c->req = NULL;
	if (!c->failed)
		conn_flush(c);
}

void
http_reply(struct http_req *req, int status, const char *content_type,
    const void *body, size_t len)
{
	struct http_conn	*c = req->conn;

	if (c->state == CS_DEAD)
		return;		/* inside the abort callback: freed after */
	if (c->state == CS_STREAM) {
		http_stream_end(req);
		return;
	}
	if (c->failed) {
		req_done(c);
		return;
	}
	if (status < 200 || status > 599)
		status = 500;
	if (status == 204 || status == 304)
		len = 0;
	if (send_head(c, status, content_type, len, req->minor) == -1 ||
	    (!c->head && len > 0 &&
	    bufferevent_write(c->bev, body, len) == -1))
		conn_fail(c);
	req_done(c);
}

void
http_reply_error(struct http_req *req, int status, const char *fmt, ...)
{
	struct evbuffer	*b;
	char		 msg[HTTP_ERRMSG_MAX];
	va_list		 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if ((b = evbuffer_new()) == NULL || error_body(b, msg) == -1) {
		evbuffer_free(b);
		http_reply(req, 500, NULL, NULL, 0);
		return;
	}
	http_reply(req, status, "application/json", evbuffer_pullup(b, -1),
	    evbuffer_get_length(b));
	evbuffer_free(b);
}

int
http_reply_add_header(struct http_req *req, const char *name,
    const char *value)
{
	static const char *const owned[] = { "Content-Length",
	    "Transfer-Encoding", "Connection", "Content-Type" };
	struct http_conn	*c = req->conn;
	size_t			 i;

	if (c->state != CS_APP || !valid_token(name) || !valid_value(value)) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < nitems(owned); i++)
		if (strcasecmp(name, owned[i]) == 0) {
			errno = EINVAL;
			return -1;
		}
	if (evbuffer_add_printf(c->xhdrs, "%s: %s\r\n", name, value) < 0) {
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

int
http_stream_start(struct http_req *req, int status, const char *content_type)
{
	struct http_conn	*c = req->conn;

	if (c->failed || c->state != CS_APP) {
		errno = EPIPE;
		return -1;
	}
	if (status < 200 || status > 599 || status == 204 || status == 304) {
		errno = EINVAL;
		return -1;
	}
	/* HTTP/1.0 has no chunks: the body ends when the connection does. */
	if (req->minor == 0)
		c->close_after = 1;
	else
		c->chunked = 1;
	if (send_head(c, status, content_type, (size_t)-1, req->minor) == -1) {
		conn_fail(c);
		errno = ENOMEM;
		return -1;
	}
	c->state = CS_STREAM;
	return 0;
}

int
http_stream_write(struct http_req *req, const void *buf, size_t len)
{
	struct http_conn	*c = req->conn;
	struct evbuffer		*out;
	int			 r = 0;

	if (c->failed || c->state != CS_STREAM) {
		errno = EPIPE;
		return -1;
	}
	if (len == 0 || c->head)
		return 0;	/* an empty chunk would end the body */
	out = bufferevent_get_output(c->bev);
	if (len > c->srv->lim.max_pending ||
	    evbuffer_get_length(out) > c->srv->lim.max_pending - len) {
		conn_fail(c);
		errno = ENOBUFS;
		return -1;
	}
	if (c->chunked)
		r |= evbuffer_add_printf(out, "%zx\r\n", len) < 0;
	r |= evbuffer_add(out, buf, len);
	if (c->chunked)
		r |= evbuffer_add(out, "\r\n", 2);
	if (r) {
		conn_fail(c);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

size_t
http_stream_pending(const struct http_req *req)
{
	struct http_conn	*c = req->conn;

	if (c->failed || c->state == CS_DEAD)
		return 0;
	return evbuffer_get_length(bufferevent_get_output(c->bev));
}

void
http_stream_end(struct http_req *req)
{
	struct http_conn	*c = req->conn;

	if (c->state == CS_DEAD)
		return;
	if (!c->failed && c->state == CS_STREAM && c->chunked && !c->head &&
	    bufferevent_write(c->bev, "0\r\n\r\n", 5) == -1)
		conn_fail(c);
	req_done(c);
}
