/*
 * agentsh(1)'s HTTP client: blocking, one connection per request.
 *
 * Which server (CONTRACT.md section 1): --server or AGENTSH_SERVER
 * (unix:///path, http://host[:port][/prefix], http://[::1]:port) wins.
 * Otherwise the first Unix socket that exists of
 *   $XDG_RUNTIME_DIR/agentsh.sock  (not for root: a user's own server)
 *   /run/agentsh/agentsh.sock      (the system server)
 * else http://127.0.0.1:18080.  A socket that exists but does not answer
 * is an error naming it, never a reason to try TCP instead.
 *
 * Responses: status line and header fields end in CRLF or LF (the client
 * is lenient where the server is strict; it trusts what it connects to no
 * further than the bounds below), bodies by Content-Length, chunked, or
 * until close.  Server-sent events follow the WHATWG EventSource parsing
 * rules: CRLF, LF or CR line ends, comments, multi-line data.
 */
#ifndef AGENTSH_CLIENT_H
#define AGENTSH_CLIENT_H

#include <sys/types.h>

#include <stddef.h>

#define CLI_DEFAULT_URL		 "http://127.0.0.1:18080"
#define CLI_KEY_HEADER		 "X-API-Key"

#define CLI_MAX_HEAD		 (64 * 1024)	/* status line + fields */
#define CLI_MAX_LINE		 8192
#define CLI_MAX_FIELDS		 100
#define CLI_MAX_BODY		 (64 * 1024 * 1024)
#define CLI_MAX_EVENT		 (16 * 1024 * 1024)	/* one SSE event */
#define CLI_MAX_EVENT_NAME	 256

enum cli_err {
	CLI_OK = 0,
	CLI_E_URL,		/* unusable server URL or request */
	CLI_E_UNREACHABLE,	/* nothing listens there (ECONNREFUSED,
				   ENOENT): the caller may autostart */
	CLI_E_CONNECT,		/* any other failure to connect */
	CLI_E_TIMEOUT,
	CLI_E_IO,		/* the connection failed or closed early */
	CLI_E_PROTO,		/* malformed or oversized response */
	CLI_E_NOMEM
};

struct cli_server {
	int	 is_unix;		/* else TCP */
	char	 path[108];		/* the socket (sun_path) */
	char	 host[256];		/* TCP: name or address, no brackets */
	char	 port[6];
	char	 prefix[256];		/* URL path, no trailing '/' */
	char	 url[600];		/* how messages name the server */
	int	 defaulted;		/* neither --server nor AGENTSH_SERVER */
};

struct cli_header {
	char	*name;
	char	*value;
};

struct cli_resp {
	int			 status;
	struct cli_header	*headers;
	size_t			 nheaders;
	char			*body;		/* NUL-terminated */
	size_t			 bodylen;
};

struct cli_sse_event {
	const char	*event;		/* "message" unless named */
	const char	*data;		/* lines joined by '\n' */
	size_t		 datalen;
};

struct cli_client;
struct cli_stream;

/* Server resolution: 0, or -1 with a message in err. */
int	 cli_server_parse(const char *url, struct cli_server *, char *err,
	    size_t errlen);
int	 cli_server_resolve(const char *server, struct cli_server *,
	    char *err, size_t errlen);
/* The default choice among candidate sockets (NULL-terminated). */
int	 cli_server_default(const char *const *socks, struct cli_server *,
	    char *err, size_t errlen);
/* A Unix socket or a loopback address: autostart may apply. */
int	 cli_server_is_local(const struct cli_server *);

/* timeout_ms bounds a whole request; <= 0: no bound. */
struct cli_client *cli_client_new(const struct cli_server *,
	    const char *api_key, int timeout_ms);
void	 cli_client_free(struct cli_client *);
/* The header the API key goes in (auth.api_key.header_name). */
int	 cli_client_set_key_header(struct cli_client *, const char *);
enum cli_err cli_client_errcode(const struct cli_client *);
const char *cli_client_error(const struct cli_client *);

/* path is the request-target ("/api/v1/..."), percent-encoded already;
 * body, when not NULL, is sent as application/json.  A status of 400 or
 * more is a response like any other: 0 and *respp. */
int	 cli_request(struct cli_client *, const char *method,
	    const char *path, const char *body, size_t len,
	    struct cli_resp **respp);
const char *cli_resp_header(const struct cli_resp *, const char *);
void	 cli_resp_free(struct cli_resp *);

/* Streams: the request's timeout bounds connecting and the response
 * head; each read waits at most timeout_ms (-1: no bound). */
int	 cli_stream_open(struct cli_client *, const char *method,
	    const char *path, const char *body, size_t len,
	    struct cli_stream **);
const struct cli_resp *cli_stream_resp(const struct cli_stream *);
/* Body bytes: > 0, 0 at its end, -1 on error. */
ssize_t	 cli_stream_read(struct cli_stream *, void *, size_t, int timeout_ms);
/* The next server-sent event (valid until the next call): 1, 0 at the
 * end of the stream, -1 on error. */
int	 cli_stream_event(struct cli_stream *, struct cli_sse_event *,
	    int timeout_ms);
void	 cli_stream_close(struct cli_stream *);

/* Percent-encodes all but RFC 3986 unreserved characters: for a path
 * segment or a query value.  NULL on ENOMEM. */
char	*cli_escape(const char *);

/*
 * The parsers, over any byte source (a socket, or a buffer in tests and
 * the fuzzer).  read returns bytes, 0 at end of input, -1 with errno
 * (ETIMEDOUT for a timeout).
 */
struct cli_src {
	ssize_t	(*read)(void *arg, void *buf, size_t len);
	void	 *arg;
};
struct cli_reader;
struct cli_sse;

/* head_request: the request was HEAD, so no body follows. */
struct cli_reader *cli_reader_new(const struct cli_src *, int head_request);
void	 cli_reader_free(struct cli_reader *);
/* Status line and fields into resp (body untouched): 0 or -1. */
int	 cli_reader_head(struct cli_reader *, struct cli_resp *);
ssize_t	 cli_reader_body(struct cli_reader *, void *, size_t);
enum cli_err cli_reader_errcode(const struct cli_reader *);
const char *cli_reader_error(const struct cli_reader *);

struct cli_sse *cli_sse_new(void);
void	 cli_sse_free(struct cli_sse *);
int	 cli_sse_next(struct cli_sse *, struct cli_reader *,
	    struct cli_sse_event *);

#endif /* AGENTSH_CLIENT_H */
