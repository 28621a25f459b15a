/*
 * agentshd's HTTP/1.1 server.
 *
 * The monitor owns the listening sockets; agentshd receives each accepted
 * connection as a descriptor with a connection id, so the server adopts
 * descriptors instead of accepting (libevent 2.1's evhttp cannot).  It
 * parses bytes from any local user or network client: strictly, within
 * fixed bounds, with every phase under a timeout.
 *
 * Parsing (http_parse.c) is separate from the socket layer (http.c) so the
 * parser can be driven from a buffer by tests and the fuzzer.
 *
 * Wire rules, decided here once:
 * - Lines end in CRLF.  A bare LF or a bare CR is a 400: the server sits
 *   behind no proxy whose framing it would have to match, and accepting
 *   one terminator only leaves nothing to disagree about.  Empty lines
 *   before a request line are skipped (RFC 9112 2.2); they count towards
 *   max_header_bytes.
 * - Request line: METHOD SP request-target SP HTTP/1.1 (or HTTP/1.0),
 *   single spaces.  Targets are origin-form ('/' ...), or '*' for OPTIONS
 *   only.  A path may not carry %00, a malformed escape, an encoded '/'
 *   (%2F, which would change how the path splits) or a decoded control
 *   character; a query may not carry %00 or a malformed escape.
 * - Header fields: token ':' OWS value OWS.  No obs-fold, no whitespace
 *   before the colon, no control characters but HTAB in values, at most
 *   HTTP_MAX_HEADERS fields.  HTTP/1.1 needs exactly one Host.  One
 *   Content-Length at most; Transfer-Encoding must be exactly "chunked"
 *   (else 501) and never comes with Content-Length (400: smuggling) nor in
 *   HTTP/1.0.  Expect may only be 100-continue (else 417).
 * - Any request the parser rejects is answered with its status and
 *   {"error":"..."} naming what was wrong (never the request's own bytes),
 *   and the connection is closed: its framing can no longer be trusted.
 * - HTTP/1.0 is served without keep-alive unless the client sends
 *   "Connection: keep-alive".  A client that shuts down its sending side
 *   while the application holds its request is treated as gone.
 * - One request at a time: pipelined bytes wait until the answer before
 *   them is written.  Past max_header_bytes + 4 KiB of them, reading
 *   pauses, so a client that leaves then is noticed only once its turn
 *   comes.
 * - A connection the server closes is shut for writing first and drained
 *   for up to 2 s (at most read_timeout_ms), so a client still sending a
 *   refused body reads the answer instead of a reset.
 */
#ifndef AGENTSHD_HTTP_H
#define AGENTSHD_HTTP_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

struct event_base;
struct http_server;
struct http_conn;
struct http_parser;

struct http_limits {
	size_t	 max_header_bytes;	/* request line + headers, e.g. 16 KiB */
	size_t	 max_body;		/* server.http.max_request_size */
	int	 read_timeout_ms;	/* a whole request must arrive within this */
	int	 write_timeout_ms;	/* no write progress for this long: close */
	int	 idle_timeout_ms;	/* keep-alive idle between requests */
	int	 max_conns;		/* beyond this, a new connection gets 503 + close */
	size_t	 max_pending;		/* response bytes queued on one
					   connection beyond which a stream
					   write fails and the connection is
					   closed; 0: HTTP_DEFAULT_MAX_PENDING */
};

#define HTTP_MIN_HEADER_BYTES	 256
#define HTTP_MAX_HEADER_BYTES	 (1024 * 1024)
#define HTTP_MAX_BODY		 (1024UL * 1024 * 1024)
#define HTTP_MAX_HEADERS	 100
#define HTTP_MAX_CHUNK_LINE	 1024	/* chunk size + extensions */
#define HTTP_DEFAULT_MAX_PENDING (8 * 1024 * 1024)

struct http_header {
	char	*name;
	char	*value;
};

enum http_method {
	HTTP_GET = 1,
	HTTP_HEAD,
	HTTP_POST,
	HTTP_PUT,
	HTTP_PATCH,
	HTTP_DELETE,
	HTTP_OPTIONS
};

/* http_req.flags, set by the parser */
#define HTTP_REQ_CLOSE		0x01	/* no keep-alive after this one */
#define HTTP_REQ_KEEPALIVE10	0x02	/* HTTP/1.0 asked for keep-alive */
#define HTTP_REQ_EXPECT		0x04	/* Expect: 100-continue */

struct http_req {
	struct http_conn	*conn;
	uint64_t		 connid;	/* given to http_server_adopt */
	void			*conn_arg;	/* given to http_server_adopt */
	enum http_method	 method;
	char			*target;	/* raw request-target */
	char			*path;		/* percent-decoded path, no query */
	char			*query;		/* raw query ("" if none) */
	struct http_header	*headers;
	size_t			 nheaders;
	uint8_t			*body;		/* NUL-terminated copy */
	size_t			 bodylen;
	void			*app;		/* free for the application */

	int			 minor;		/* HTTP/1.<minor> */
	unsigned int		 flags;		/* HTTP_REQ_* */
	char			*hbuf;		/* holds target, query and the
						   header strings */
};

/*
 * A request is the application's from the request callback until it calls
 * http_reply, http_reply_error or http_stream_end, or until the abort
 * callback returns, whichever comes first; then it is freed.  Callbacks
 * run from the event loop only, never from inside a call the application
 * makes, except http_server_free.
 */
typedef void	(*http_req_cb)(struct http_req *, void *arg);
/* The connection died while the application held the request: after this
 * returns the request is freed; the application must forget it. */
typedef void	(*http_abort_cb)(struct http_req *, void *arg);
/* A connection is gone (client closed, timeout, error, refused at the
 * connection cap, or http_server_close_conn).  Called once per adopted
 * connection. */
typedef void	(*http_close_cb)(uint64_t connid, void *conn_arg, void *arg);

/* http.c */
struct http_server *http_server_new(struct event_base *,
	    const struct http_limits *, http_req_cb, http_abort_cb,
	    http_close_cb, void *arg);
/* Closes everything; calls the abort and close callbacks on the way. */
void	 http_server_free(struct http_server *);
/* Takes the fd, even on failure (-1 with errno; no callback follows).
 * Beyond max_conns the connection is adopted only to be answered 503. */
int	 http_server_adopt(struct http_server *, int fd, uint64_t connid,
	    void *conn_arg);
/* Drops the connection without flushing; its callbacks follow from the
 * loop. */
void	 http_server_close_conn(struct http_server *, uint64_t connid);
/* Connections counted against max_conns. */
int	 http_server_nconns(const struct http_server *);

void	 http_reply(struct http_req *, int status, const char *content_type,
	    const void *body, size_t len);
/* Body {"error":"<message>"}, Content-Type application/json. */
void	 http_reply_error(struct http_req *, int status, const char *fmt, ...)
	    __attribute__((format(printf, 3, 4)));
/* Before http_reply or http_stream_start.  -1 (EINVAL) for a name that is
 * not a token or that the server owns (framing, Connection), or a value
 * with a control character; ENOMEM. */
int	 http_reply_add_header(struct http_req *, const char *name,
	    const char *value);

/* Headers now; the body follows in chunks (HTTP/1.0: until close). */
int	 http_stream_start(struct http_req *, int status,
	    const char *content_type);
/* 0, or -1 when the client is gone or more than max_pending bytes would
 * wait: the connection is then being closed (the abort callback follows
 * unless http_stream_end comes first). */
int	 http_stream_write(struct http_req *, const void *, size_t);
/* Bytes queued, not yet written: lets the caller drop slow subscribers. */
size_t	 http_stream_pending(const struct http_req *);
void	 http_stream_end(struct http_req *);

const char *http_status_text(int);

/* http_parse.c: the request parser and what reads a parsed request. */
enum http_parse_rc {
	HTTP_PARSE_MORE = 0,	/* give it more bytes */
	HTTP_PARSE_BODY,	/* header complete, a body follows */
	HTTP_PARSE_DONE,	/* a whole request: http_parser_take */
	HTTP_PARSE_ERROR	/* http_parser_error */
};

struct http_parser *http_parser_new(const struct http_limits *);
void	 http_parser_free(struct http_parser *);
/* Consumes (*used) bytes up to the end of one request and no further.
 * After HTTP_PARSE_BODY or HTTP_PARSE_DONE call it again for the rest;
 * after HTTP_PARSE_ERROR it consumes nothing more (*used is then of no
 * meaning: the connection is answered and closed). */
enum http_parse_rc http_parser_feed(struct http_parser *, const uint8_t *,
	    size_t, size_t *used);
/* Whether any byte of the next request has been seen. */
int	 http_parser_started(const struct http_parser *);
/* Whether the request line is still incomplete. */
int	 http_parser_in_request_line(const struct http_parser *);
/* After HTTP_PARSE_BODY: the request being read (headers only). */
const struct http_req *http_parser_request(const struct http_parser *);
/* After HTTP_PARSE_ERROR: the status to answer with and why. */
int	 http_parser_error(const struct http_parser *, const char **why);
/* After HTTP_PARSE_DONE: the request, now the caller's; the parser is
 * ready for the next one. */
struct http_req *http_parser_take(struct http_parser *);
void	 http_req_free(struct http_req *);

/* Case-insensitive; the first such field, or NULL. */
const char *http_req_header(const struct http_req *, const char *name);
/* Query parameter, percent-decoded ('+' is a space) into a new string
 * the caller frees: 1 found, 0 absent (*valp NULL), -1 with errno EINVAL
 * when the key is repeated (ambiguous), ENOMEM. */
int	 http_req_query(const struct http_req *, const char *key,
	    char **valp);
/* Every query key is in the NULL-terminated list: 0, else -1 and the
 * first unknown key (raw, at most keylen - 1 bytes) in key. */
int	 http_req_query_check(const struct http_req *,
	    const char *const *known, char *key, size_t keylen);

#endif /* AGENTSHD_HTTP_H */
