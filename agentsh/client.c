/*
 * agentsh(1)'s HTTP client (see client.h): server resolution, blocking
 * requests under one deadline, the response reader and the server-sent
 * events parser.
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "agentsh/client.h"
#include "pathnames.h"

#define CLI_MAX_INTERIM		 8	/* 1xx responses before the final */

/* ASCII classes: the C library's depend on the locale. */
#define IS_DIGIT(c)	 ((c) >= '0' && (c) <= '9')
#define IS_ALNUM(c)	 (IS_DIGIT(c) || ((c) >= 'a' && (c) <= 'z') || \
			    ((c) >= 'A' && (c) <= 'Z'))

struct cli_client {
	struct cli_server	 srv;
	char			*api_key;
	char			 key_header[64];
	int			 timeout_ms;
	enum cli_err		 err;
	char			 errbuf[768];
};

enum body_mode {
	BODY_NONE = 0,
	BODY_LENGTH,
	BODY_CHUNKED,
	BODY_CLOSE
};

enum chunk_state {
	CH_SIZE = 0,		/* expecting a chunk-size line */
	CH_DATA,
	CH_DATA_END,		/* the line end after chunk data */
	CH_TRAILER,
	CH_DONE
};

struct cli_reader {
	struct cli_src		 src;
	int			 head_request;
	uint8_t			 buf[16384];
	size_t			 off, len;
	int			 eof;
	enum body_mode		 mode;
	enum chunk_state	 chunk;
	size_t			 remaining;	/* of the body or the chunk */
	int			 done;
	enum cli_err		 err;
	char			 why[256];
};

struct cli_sse {
	char			*line;
	size_t			 linelen, linecap;
	char			*data;
	size_t			 datalen, datacap;
	char			 event[CLI_MAX_EVENT_NAME + 1];
	char			 evname[CLI_MAX_EVENT_NAME + 1];
	int			 skip_lf;	/* a CR ended the last line */
	int			 started;	/* past a leading BOM */
	uint8_t			 buf[4096];
	size_t			 off, len;
	int			 eof;
};

struct cli_sock {
	int			 fd;
	long long		 deadline;	/* monotonic ms, -1: none */
};

struct cli_stream {
	struct cli_client	*c;
	struct cli_sock		 sock;
	struct cli_reader	*rd;
	struct cli_sse		*sse;
	struct cli_resp		 resp;
};

/* ------------------------------------------------------------------ */
/* Server resolution */

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static int
server_unix(struct cli_server *srv, const char *path, char *err,
    size_t errlen)
{
	if (path[0] != '/') {
		set_err(err, errlen, "unix socket path '%s' is not absolute",
		    path);
		return -1;
	}
	if (strlcpy(srv->path, path, sizeof(srv->path)) >=
	    sizeof(srv->path)) {
		set_err(err, errlen, "unix socket path '%s' is too long",
		    path);
		return -1;
	}
	srv->is_unix = 1;
	(void)snprintf(srv->url, sizeof(srv->url), "unix://%s", path);
	return 0;
}

static int
valid_hostname(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if (!IS_ALNUM(*s) && *s != '.' && *s != '-' && *s != '_')
			return 0;
	return 1;
}

/* http://authority[/prefix], after "http://". */
static int
server_http(struct cli_server *srv, const char *url, const char *rest,
    char *err, size_t errlen)
{
	struct in6_addr	 a6;
	const char	*slash, *p, *port = NULL;
	char		 auth[300], *e;
	size_t		 n;
	long		 v;

	if (strpbrk(rest, "?#@ \t") != NULL) {
		set_err(err, errlen, "server URL '%s': only "
		    "http://host[:port][/path] is supported (no credentials, "
		    "query or fragment)", url);
		return -1;
	}
	slash = strchr(rest, '/');
	n = slash != NULL ? (size_t)(slash - rest) : strlen(rest);
	if (n == 0 || n >= sizeof(auth)) {
		set_err(err, errlen, "server URL '%s': bad host", url);
		return -1;
	}
	memcpy(auth, rest, n);
	auth[n] = '\0';
	if (auth[0] == '[') {
		if ((e = strchr(auth, ']')) == NULL) {
			set_err(err, errlen, "server URL '%s': unterminated "
			    "'['", url);
			return -1;
		}
		*e = '\0';
		if (e[1] == ':')
			port = e + 2;
		else if (e[1] != '\0') {
			set_err(err, errlen, "server URL '%s': bad host", url);
			return -1;
		}
		if (inet_pton(AF_INET6, auth + 1, &a6) != 1) {
			set_err(err, errlen, "server URL '%s': bad IPv6 "
			    "address", url);
			return -1;
		}
		strlcpy(srv->host, auth + 1, sizeof(srv->host));
	} else {
		if ((e = strchr(auth, ':')) != NULL) {
			*e = '\0';
			port = e + 1;
		}
		if (!valid_hostname(auth)) {
			set_err(err, errlen, "server URL '%s': bad host", url);
			return -1;
		}
		strlcpy(srv->host, auth, sizeof(srv->host));
	}
	if (port != NULL) {
		for (p = port; *p != '\0'; p++)
			if (*p < '0' || *p > '9')
				break;
		v = p > port && p - port <= 5 && *p == '\0' ?
		    strtol(port, NULL, 10) : 0;
		if (v < 1 || v > 65535) {
			set_err(err, errlen, "server URL '%s': bad port", url);
			return -1;
		}
		(void)snprintf(srv->port, sizeof(srv->port), "%ld", v);
	} else
		strlcpy(srv->port, "80", sizeof(srv->port));
	if (slash != NULL) {
		for (p = slash; *p != '\0'; p++)
			if ((unsigned char)*p <= 0x20 ||
			    (unsigned char)*p >= 0x7f)
				break;
		if (*p != '\0' || strlcpy(srv->prefix, slash,
		    sizeof(srv->prefix)) >= sizeof(srv->prefix)) {
			set_err(err, errlen, "server URL '%s': bad path", url);
			return -1;
		}
		n = strlen(srv->prefix);
		while (n > 0 && srv->prefix[n - 1] == '/')
			srv->prefix[--n] = '\0';
	}
	srv->is_unix = 0;
	(void)snprintf(srv->url, sizeof(srv->url), "http://%s%s%s:%s%s",
	    strchr(srv->host, ':') ? "[" : "", srv->host,
	    strchr(srv->host, ':') ? "]" : "", srv->port, srv->prefix);
	return 0;
}

int
cli_server_parse(const char *url, struct cli_server *srv, char *err,
    size_t errlen)
{
	memset(srv, 0, sizeof(*srv));
	if (strncasecmp(url, "unix:", 5) == 0) {
		url += 5;
		if (strncmp(url, "//", 2) == 0)
			url += 2;
		return server_unix(srv, url, err, errlen);
	}
	if (strncasecmp(url, "http://", 7) == 0)
		return server_http(srv, url, url + 7, err, errlen);
	if (strncasecmp(url, "https://", 8) == 0)
		set_err(err, errlen, "server URL '%s': https is not "
		    "supported; use unix:///path or http://host:port", url);
	else
		set_err(err, errlen, "server URL '%s': expected "
		    "unix:///path or http://host[:port]", url);
	return -1;
}

int
cli_server_default(const char *const *socks, struct cli_server *srv,
    char *err, size_t errlen)
{
	struct stat	 st;
	size_t		 i;
	int		 r;

	for (i = 0; socks[i] != NULL; i++) {
		/* Whatever is there is meant: a connect failure names it. */
		if (lstat(socks[i], &st) == -1)
			continue;
		memset(srv, 0, sizeof(*srv));
		r = server_unix(srv, socks[i], err, errlen);
		srv->defaulted = 1;
		return r;
	}
	r = cli_server_parse(CLI_DEFAULT_URL, srv, err, errlen);
	srv->defaulted = 1;
	return r;
}

int
cli_server_resolve(const char *server, struct cli_server *srv, char *err,
    size_t errlen)
{
	const char	*socks[3], *xdg;
	char		 user[sizeof(srv->path)];
	size_t		 n = 0;

	if (server != NULL && *server != '\0')
		return cli_server_parse(server, srv, err, errlen);
	xdg = getenv("XDG_RUNTIME_DIR");
	if (geteuid() != 0 && xdg != NULL && xdg[0] == '/' &&
	    snprintf(user, sizeof(user), "%s/%s", xdg,
	    _PATH_AGENTSH_USER_SOCK) < (int)sizeof(user))
		socks[n++] = user;
	socks[n++] = _PATH_AGENTSH_SOCK;
	socks[n] = NULL;
	return cli_server_default(socks, srv, err, errlen);
}

int
cli_server_is_local(const struct cli_server *srv)
{
	struct in_addr	 a4;
	struct in6_addr	 a6;

	if (srv->is_unix)
		return 1;
	if (strcasecmp(srv->host, "localhost") == 0)
		return 1;
	if (inet_pton(AF_INET, srv->host, &a4) == 1)
		return (ntohl(a4.s_addr) >> 24) == 127;
	if (inet_pton(AF_INET6, srv->host, &a6) == 1)
		return IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Response reader */

static int
rd_fail(struct cli_reader *r, enum cli_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int
rd_fail(struct cli_reader *r, enum cli_err e, const char *fmt, ...)
{
	va_list	 ap;

	if (r->err == CLI_OK) {
		r->err = e;
		va_start(ap, fmt);
		(void)vsnprintf(r->why, sizeof(r->why), fmt, ap);
		va_end(ap);
	}
	return -1;
}

struct cli_reader *
cli_reader_new(const struct cli_src *src, int head_request)
{
	struct cli_reader	*r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		return NULL;
	r->src = *src;
	r->head_request = head_request;
	return r;
}

void
cli_reader_free(struct cli_reader *r)
{
	free(r);
}

enum cli_err
cli_reader_errcode(const struct cli_reader *r)
{
	return r->err;
}

const char *
cli_reader_error(const struct cli_reader *r)
{
	return r->why;
}

/* More bytes into the buffer: 1, 0 at end of input, -1 on error. */
static int
rd_fill(struct cli_reader *r)
{
	ssize_t	 n;

	if (r->err != CLI_OK)
		return -1;
	if (r->eof)
		return 0;
	if (r->off > 0) {
		memmove(r->buf, r->buf + r->off, r->len - r->off);
		r->len -= r->off;
		r->off = 0;
	}
	if (r->len == sizeof(r->buf))
		return 1;
	if ((n = r->src.read(r->src.arg, r->buf + r->len,
	    sizeof(r->buf) - r->len)) == -1) {
		if (errno == ETIMEDOUT)
			return rd_fail(r, CLI_E_TIMEOUT, "timed out");
		return rd_fail(r, CLI_E_IO, "%s", strerror(errno));
	}
	if (n == 0) {
		r->eof = 1;
		return 0;
	}
	r->len += (size_t)n;
	return 1;
}

/* One byte, or -1 (end of input is an error here). */
static int
rd_byte(struct cli_reader *r)
{
	int	 f;

	if (r->off == r->len) {
		if ((f = rd_fill(r)) == -1)
			return -1;
		if (f == 0)
			return rd_fail(r, CLI_E_IO, "the server closed the "
			    "connection before the response was complete");
	}
	return r->buf[r->off++];
}

/*
 * One line into line (NUL-terminated, its CRLF or LF removed): its length,
 * or -1.  *budget bounds the bytes of a whole section.
 */
static ssize_t
rd_line(struct cli_reader *r, char *line, size_t max, size_t *budget)
{
	size_t	 n = 0;
	int	 c;

	for (;;) {
		if ((c = rd_byte(r)) == -1)
			return -1;
		if (*budget == 0)
			return rd_fail(r, CLI_E_PROTO, "response header too "
			    "large");
		(*budget)--;
		if (c == '\n')
			break;
		if (c == '\0')
			return rd_fail(r, CLI_E_PROTO, "NUL in response "
			    "header");
		if (n + 1 >= max)
			return rd_fail(r, CLI_E_PROTO, "response line too "
			    "long");
		line[n++] = (char)c;
	}
	if (n > 0 && line[n - 1] == '\r')
		n--;
	line[n] = '\0';
	return (ssize_t)n;
}

static int
parse_status_line(struct cli_reader *r, const char *s, int *status)
{
	if (strncmp(s, "HTTP/1.", 7) != 0 || !IS_DIGIT(s[7]) || s[8] != ' ' ||
	    !IS_DIGIT(s[9]) || !IS_DIGIT(s[10]) || !IS_DIGIT(s[11]) ||
	    (s[12] != ' ' && s[12] != '\0'))
		return rd_fail(r, CLI_E_PROTO, "malformed status line");
	*status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
	if (*status < 100)
		return rd_fail(r, CLI_E_PROTO, "malformed status line");
	return 0;
}

static int
add_field(struct cli_reader *r, struct cli_resp *resp, char *line)
{
	struct cli_header	*h;
	char			*colon, *v, *e;

	if ((colon = strchr(line, ':')) == NULL || colon == line)
		return rd_fail(r, CLI_E_PROTO, "malformed header field");
	for (e = line; e < colon; e++)
		if ((unsigned char)*e <= 0x20 || (unsigned char)*e >= 0x7f)
			return rd_fail(r, CLI_E_PROTO, "malformed header "
			    "field");
	*colon = '\0';
	for (v = colon + 1; *v == ' ' || *v == '\t'; v++)
		;
	e = v + strlen(v);
	while (e > v && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	if (resp->nheaders == CLI_MAX_FIELDS)
		return rd_fail(r, CLI_E_PROTO, "too many header fields");
	if ((h = reallocarray(resp->headers, resp->nheaders + 1,
	    sizeof(*h))) == NULL)
		return rd_fail(r, CLI_E_NOMEM, "out of memory");
	resp->headers = h;
	h += resp->nheaders;
	h->name = strdup(line);
	h->value = strdup(v);
	resp->nheaders++;
	if (h->name == NULL || h->value == NULL)
		return rd_fail(r, CLI_E_NOMEM, "out of memory");
	return 0;
}

static void
resp_clear_fields(struct cli_resp *resp)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++) {
		free(resp->headers[i].name);
		free(resp->headers[i].value);
	}
	free(resp->headers);
	resp->headers = NULL;
	resp->nheaders = 0;
}

/* 1*DIGIT; every copy must agree. */
static int
parse_length(struct cli_reader *r, const struct cli_resp *resp, size_t *lenp,
    int *have)
{
	unsigned long long	 v;
	const char		*s;
	char			*end;
	size_t			 i;

	*have = 0;
	for (i = 0; i < resp->nheaders; i++) {
		if (strcasecmp(resp->headers[i].name, "Content-Length") != 0)
			continue;
		s = resp->headers[i].value;
		if (!IS_DIGIT(*s))
			return rd_fail(r, CLI_E_PROTO, "malformed "
			    "Content-Length");
		errno = 0;
		v = strtoull(s, &end, 10);
		if (*end != '\0' || errno != 0 || v > SIZE_MAX)
			return rd_fail(r, CLI_E_PROTO, "malformed "
			    "Content-Length");
		if (*have && v != *lenp)
			return rd_fail(r, CLI_E_PROTO, "conflicting "
			    "Content-Length");
		*lenp = (size_t)v;
		*have = 1;
	}
	return 0;
}

/* Decides how the body is delimited (RFC 9112 6.3). */
static int
body_framing(struct cli_reader *r, const struct cli_resp *resp)
{
	const char	*te;
	size_t		 len = 0;
	int		 have;

	if (parse_length(r, resp, &len, &have) == -1)
		return -1;
	te = cli_resp_header(resp, "Transfer-Encoding");
	if (r->head_request || resp->status == 204 || resp->status == 304) {
		r->mode = BODY_NONE;
		r->done = 1;
	} else if (te != NULL) {
		if (strcasecmp(te, "chunked") != 0)
			return rd_fail(r, CLI_E_PROTO, "unsupported "
			    "Transfer-Encoding");
		if (have)
			return rd_fail(r, CLI_E_PROTO, "Content-Length with "
			    "Transfer-Encoding");
		r->mode = BODY_CHUNKED;
		r->chunk = CH_SIZE;
	} else if (have) {
		r->mode = BODY_LENGTH;
		r->remaining = len;
		r->done = len == 0;
	} else
		r->mode = BODY_CLOSE;
	return 0;
}

int
cli_reader_head(struct cli_reader *r, struct cli_resp *resp)
{
	char	 line[CLI_MAX_LINE];
	size_t	 budget = CLI_MAX_HEAD;
	ssize_t	 n;
	int	 interim;

	for (interim = 0; interim <= CLI_MAX_INTERIM; interim++) {
		resp_clear_fields(resp);
		if (rd_line(r, line, sizeof(line), &budget) == -1 ||
		    parse_status_line(r, line, &resp->status) == -1)
			return -1;
		while ((n = rd_line(r, line, sizeof(line), &budget)) > 0)
			if (add_field(r, resp, line) == -1)
				return -1;
		if (n == -1)
			return -1;
		if (resp->status == 101)
			return rd_fail(r, CLI_E_PROTO, "unexpected protocol "
			    "switch");
		if (resp->status >= 200)
			return body_framing(r, resp);
	}
	return rd_fail(r, CLI_E_PROTO, "too many interim responses");
}

static int
hexval(char c)
{
	if (IS_DIGIT(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A chunk-size line: size, then optional extensions. */
static int
chunk_size_line(struct cli_reader *r)
{
	char	 line[CLI_MAX_LINE];
	size_t	 budget = CLI_MAX_LINE, v = 0;
	char	*s;
	int	 d;

	if (rd_line(r, line, sizeof(line), &budget) == -1)
		return -1;
	for (s = line; (d = hexval(*s)) != -1; s++) {
		if (v > (SIZE_MAX - (size_t)d) / 16)
			return rd_fail(r, CLI_E_PROTO, "chunk size overflow");
		v = v * 16 + (size_t)d;
	}
	if (s == line || (*s != '\0' && *s != ';' && *s != ' ' && *s != '\t'))
		return rd_fail(r, CLI_E_PROTO, "malformed chunk size");
	r->remaining = v;
	r->chunk = v == 0 ? CH_TRAILER : CH_DATA;
	return 0;
}

/* Chunk framing until data is available or the body ends. */
static int
chunk_advance(struct cli_reader *r)
{
	char	 line[CLI_MAX_LINE];
	size_t	 budget;
	ssize_t	 n;
	int	 c;

	for (;;) {
		switch (r->chunk) {
		case CH_SIZE:
			if (chunk_size_line(r) == -1)
				return -1;
			break;
		case CH_DATA:
			if (r->remaining > 0)
				return 0;
			r->chunk = CH_DATA_END;
			break;
		case CH_DATA_END:
			if ((c = rd_byte(r)) == '\r')
				c = rd_byte(r);
			if (c == -1)
				return -1;
			if (c != '\n')
				return rd_fail(r, CLI_E_PROTO, "chunk data "
				    "longer than its size");
			r->chunk = CH_SIZE;
			break;
		case CH_TRAILER:
			budget = CLI_MAX_HEAD;
			while ((n = rd_line(r, line, sizeof(line),
			    &budget)) > 0)
				;
			if (n == -1)
				return -1;
			r->chunk = CH_DONE;
			r->done = 1;
			return 0;
		case CH_DONE:
			return 0;
		}
	}
}

ssize_t
cli_reader_body(struct cli_reader *r, void *buf, size_t len)
{
	size_t	 n;
	int	 f;

	if (r->err != CLI_OK)
		return -1;
	if (r->mode == BODY_CHUNKED && chunk_advance(r) == -1)
		return -1;
	if (r->done || len == 0)
		return 0;
	if (r->off == r->len) {
		if ((f = rd_fill(r)) == -1)
			return -1;
		if (f == 0) {
			if (r->mode == BODY_CLOSE) {
				r->done = 1;
				return 0;
			}
			return rd_fail(r, CLI_E_IO, "the server closed the "
			    "connection before the response was complete");
		}
	}
	n = r->len - r->off;
	if (n > len)
		n = len;
	if (r->mode != BODY_CLOSE && n > r->remaining)
		n = r->remaining;
	memcpy(buf, r->buf + r->off, n);
	r->off += n;
	if (r->mode != BODY_CLOSE) {
		r->remaining -= n;
		if (r->mode == BODY_LENGTH && r->remaining == 0)
			r->done = 1;
	}
	return (ssize_t)n;
}

const char *
cli_resp_header(const struct cli_resp *resp, const char *name)
{
	size_t	 i;

	for (i = 0; i < resp->nheaders; i++)
		if (strcasecmp(resp->headers[i].name, name) == 0)
			return resp->headers[i].value;
	return NULL;
}

void
cli_resp_free(struct cli_resp *resp)
{
	if (resp == NULL)
		return;
	resp_clear_fields(resp);
	free(resp->body);
	free(resp);
}

/* ------------------------------------------------------------------ */
/* Server-sent events */

struct cli_sse *
cli_sse_new(void)
{
	return calloc(1, sizeof(struct cli_sse));
}

void
cli_sse_free(struct cli_sse *s)
{
	if (s == NULL)
		return;
	free(s->line);
	free(s->data);
	free(s);
}

static int
grow(char **p, size_t *cap, size_t need)
{
	size_t	 ncap;
	char	*np;

	if (need <= *cap)
		return 0;
	ncap = *cap ? *cap : 256;
	while (ncap < need)
		ncap *= 2;
	if ((np = realloc(*p, ncap)) == NULL)
		return -1;
	*p = np;
	*cap = ncap;
	return 0;
}

/* The next line of the stream into s->line: 1, 0 at end, -1. */
static int
sse_line(struct cli_sse *s, struct cli_reader *r)
{
	ssize_t	 n;
	uint8_t	 c;

	s->linelen = 0;
	for (;;) {
		if (s->off == s->len) {
			if (s->eof)
				return 0;	/* an unfinished line is dropped */
			if ((n = cli_reader_body(r, s->buf,
			    sizeof(s->buf))) == -1)
				return -1;
			if (n == 0) {
				s->eof = 1;
				continue;
			}
			s->off = 0;
			s->len = (size_t)n;
		}
		c = s->buf[s->off++];
		if (s->skip_lf) {
			s->skip_lf = 0;
			if (c == '\n')
				continue;
		}
		if (c == '\r' || c == '\n') {
			s->skip_lf = c == '\r';
			break;
		}
		if (s->linelen >= CLI_MAX_EVENT)
			return rd_fail(r, CLI_E_PROTO, "event stream line "
			    "too long");
		if (grow(&s->line, &s->linecap, s->linelen + 2) == -1)
			return rd_fail(r, CLI_E_NOMEM, "out of memory");
		s->line[s->linelen++] = (char)c;
	}
	if (grow(&s->line, &s->linecap, s->linelen + 1) == -1)
		return rd_fail(r, CLI_E_NOMEM, "out of memory");
	s->line[s->linelen] = '\0';
	return 1;
}

static int
sse_field(struct cli_sse *s, struct cli_reader *r)
{
	char	*v;
	size_t	 nlen, vlen;

	if ((v = memchr(s->line, ':', s->linelen)) != NULL) {
		nlen = (size_t)(v - s->line);
		if (++v < s->line + s->linelen && *v == ' ')
			v++;
		vlen = s->linelen - (size_t)(v - s->line);
	} else {
		nlen = s->linelen;
		v = s->line + s->linelen;
		vlen = 0;
	}
#define FIELD_IS(f)	 (nlen == sizeof(f) - 1 && memcmp(s->line, f, nlen) == 0)
	if (FIELD_IS("event")) {
		if (vlen > CLI_MAX_EVENT_NAME || memchr(v, '\0', vlen))
			return rd_fail(r, CLI_E_PROTO, "bad event name");
		memcpy(s->event, v, vlen);
		s->event[vlen] = '\0';
	} else if (FIELD_IS("data")) {
		if (vlen + 1 > CLI_MAX_EVENT - s->datalen)
			return rd_fail(r, CLI_E_PROTO, "event too large");
		if (grow(&s->data, &s->datacap, s->datalen + vlen + 2) == -1)
			return rd_fail(r, CLI_E_NOMEM, "out of memory");
		memcpy(s->data + s->datalen, v, vlen);
		s->datalen += vlen;
		s->data[s->datalen++] = '\n';
	}
#undef FIELD_IS
	/* id, retry and unknown fields: nothing a CLI acts on */
	return 0;
}

int
cli_sse_next(struct cli_sse *s, struct cli_reader *r,
    struct cli_sse_event *ev)
{
	int	 n;

	for (;;) {
		if ((n = sse_line(s, r)) <= 0)
			return n;
		if (!s->started) {
			s->started = 1;
			if (s->linelen >= 3 &&
			    memcmp(s->line, "\xef\xbb\xbf", 3) == 0) {
				memmove(s->line, s->line + 3,
				    s->linelen - 2);
				s->linelen -= 3;
			}
		}
		if (s->linelen == 0) {
			if (s->datalen == 0) {
				s->event[0] = '\0';
				continue;
			}
			/* the last data line's '\n' goes */
			s->data[--s->datalen] = '\0';
			strlcpy(s->evname, s->event[0] != '\0' ? s->event :
			    "message", sizeof(s->evname));
			ev->event = s->evname;
			ev->data = s->data;
			ev->datalen = s->datalen;
			s->event[0] = '\0';
			s->datalen = 0;
			return 1;
		}
		if (s->line[0] == ':')
			continue;
		if (sse_field(s, r) == -1)
			return -1;
	}
}

/* ------------------------------------------------------------------ */
/* Sockets under a deadline */

static long long
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long
deadline_of(int timeout_ms)
{
	return timeout_ms > 0 ? now_ms() + timeout_ms : -1;
}

/* poll(2) for ev until the deadline: 0 ready, -1 with errno. */
static int
sock_wait(struct cli_sock *k, short ev)
{
	struct pollfd	 pfd = { k->fd, ev, 0 };
	long long	 left;
	int		 n;

	for (;;) {
		left = -1;
		if (k->deadline != -1 &&
		    (left = k->deadline - now_ms()) < 0)
			left = 0;
		if ((n = poll(&pfd, 1, left > INT32_MAX ? INT32_MAX :
		    (int)left)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		return 0;
	}
}

static ssize_t
sock_read(void *arg, void *buf, size_t len)
{
	struct cli_sock	*k = arg;
	ssize_t		 n;

	for (;;) {
		if (sock_wait(k, POLLIN) == -1)
			return -1;
		if ((n = recv(k->fd, buf, len, MSG_DONTWAIT)) == -1 &&
		    (errno == EAGAIN || errno == EINTR))
			continue;
		return n;
	}
}

static int
sock_write(struct cli_sock *k, const void *buf, size_t len)
{
	const uint8_t	*p = buf;
	ssize_t		 n;

	while (len > 0) {
		if (sock_wait(k, POLLOUT) == -1)
			return -1;
		if ((n = send(k->fd, p, len, MSG_DONTWAIT | MSG_NOSIGNAL)) ==
		    -1) {
			if (errno == EAGAIN || errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* The client */

static void
cl_fail(struct cli_client *c, enum cli_err e, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
cl_fail(struct cli_client *c, enum cli_err e, const char *fmt, ...)
{
	va_list	 ap;

	c->err = e;
	va_start(ap, fmt);
	(void)vsnprintf(c->errbuf, sizeof(c->errbuf), fmt, ap);
	va_end(ap);
}

struct cli_client *
cli_client_new(const struct cli_server *srv, const char *api_key,
    int timeout_ms)
{
	struct cli_client	*c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return NULL;
	c->srv = *srv;
	c->timeout_ms = timeout_ms;
	strlcpy(c->key_header, CLI_KEY_HEADER, sizeof(c->key_header));
	if (api_key != NULL && *api_key != '\0' &&
	    (c->api_key = strdup(api_key)) == NULL) {
		free(c);
		return NULL;
	}
	return c;
}

void
cli_client_free(struct cli_client *c)
{
	if (c == NULL)
		return;
	if (c->api_key != NULL)
		freezero(c->api_key, strlen(c->api_key));
	free(c);
}

int
cli_client_set_key_header(struct cli_client *c, const char *name)
{
	const char	*s;

	for (s = name; *s != '\0'; s++)
		if (!IS_ALNUM(*s) && *s != '-' && *s != '_')
			break;
	if (s == name || *s != '\0' ||
	    strlcpy(c->key_header, name, sizeof(c->key_header)) >=
	    sizeof(c->key_header)) {
		strlcpy(c->key_header, CLI_KEY_HEADER, sizeof(c->key_header));
		cl_fail(c, CLI_E_URL, "bad API key header name '%s'", name);
		return -1;
	}
	return 0;
}

enum cli_err
cli_client_errcode(const struct cli_client *c)
{
	return c->err;
}

const char *
cli_client_error(const struct cli_client *c)
{
	return c->errbuf;
}

static int
connect_fd(const struct sockaddr *sa, socklen_t salen, long long deadline)
{
	struct timeval	 tv = { 0, 0 };
	long long	 left;
	int		 fd, saved;

	if ((fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC, 0)) == -1)
		return -1;
	/* A blocking connect bounded by the send timeout (for Unix and
	 * TCP sockets alike); I/O afterwards polls. */
	if (deadline != -1) {
		left = deadline - now_ms();
		if (left < 1)
			left = 1;
		tv.tv_sec = left / 1000;
		tv.tv_usec = (left % 1000) * 1000;
	}
	if ((deadline != -1 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv,
	    sizeof(tv)) == -1) || connect(fd, sa, salen) == -1) {
		saved = errno;
		close(fd);
		if (saved == EINPROGRESS || saved == EAGAIN)
			saved = ETIMEDOUT;
		errno = saved;
		return -1;
	}
	tv.tv_sec = tv.tv_usec = 0;
	(void)setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static int
cl_connect(struct cli_client *c, struct cli_sock *k)
{
	struct addrinfo		 hints, *res = NULL, *ai;
	struct sockaddr_un	 sun;
	int			 e, fd = -1, saved = ECONNREFUSED;

	if (c->srv.is_unix) {
		memset(&sun, 0, sizeof(sun));
		sun.sun_family = AF_UNIX;
		strlcpy(sun.sun_path, c->srv.path, sizeof(sun.sun_path));
		fd = connect_fd((struct sockaddr *)&sun, sizeof(sun),
		    k->deadline);
		saved = errno;
	} else {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = AF_UNSPEC;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICSERV;
		if ((e = getaddrinfo(c->srv.host, c->srv.port, &hints,
		    &res)) != 0) {
			cl_fail(c, CLI_E_CONNECT, "cannot reach the agentsh "
			    "server at %s: %s", c->srv.url, gai_strerror(e));
			return -1;
		}
		for (ai = res; ai != NULL && fd == -1; ai = ai->ai_next)
			if ((fd = connect_fd(ai->ai_addr, ai->ai_addrlen,
			    k->deadline)) == -1)
				saved = errno;
		freeaddrinfo(res);
	}
	if (fd != -1) {
		k->fd = fd;
		return 0;
	}
	if (saved == ECONNREFUSED || saved == ENOENT)
		cl_fail(c, CLI_E_UNREACHABLE, "cannot reach the agentsh server "
		    "at %s: %s", c->srv.url, strerror(saved));
	else if (saved == ETIMEDOUT)
		cl_fail(c, CLI_E_TIMEOUT, "timed out connecting to the agentsh "
		    "server at %s", c->srv.url);
	else
		cl_fail(c, CLI_E_CONNECT, "cannot connect to the agentsh "
		    "server at %s: %s", c->srv.url, strerror(saved));
	return -1;
}

static int
valid_target(const char *path)
{
	if (path[0] != '/')
		return 0;
	for (; *path != '\0'; path++)
		if ((unsigned char)*path <= 0x20 || (unsigned char)*path >= 0x7f)
			return 0;
	return 1;
}

static int
valid_key(const char *key)
{
	for (; *key != '\0'; key++)
		if ((unsigned char)*key < 0x21 || (unsigned char)*key >= 0x7f)
			return 0;
	return 1;
}

/* Whether a request with this method carries a Content-Length even
 * without a body. */
static int
method_has_body(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	    strcmp(method, "PATCH") == 0;
}

/*
 * The request head, in a buffer of exactly its size (it may hold the API
 * key: the caller wipes it, and no copy is left behind by reallocation).
 */
static char *
build_head(struct cli_client *c, const char *method, const char *path,
    const char *body, size_t len, const char *accept, size_t *outlen)
{
	const char	*key = c->api_key;
	char		 host[300], clen[64] = "", *buf;
	int		 n, v6 = strchr(c->srv.host, ':') != NULL;
	size_t		 cap;

#define HEAD_FMT "%s %s%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: agentsh/%s\r\n" \
	"Accept: %s\r\nConnection: close\r\n%s%s%s%s%s%s\r\n"
#define HEAD_ARGS method, c->srv.prefix, path, host, PACKAGE_VERSION, \
	accept, key != NULL ? c->key_header : "", key != NULL ? ": " : "", \
	key != NULL ? key : "", key != NULL ? "\r\n" : "", \
	body != NULL ? "Content-Type: application/json\r\n" : "", clen
	if (c->srv.is_unix)
		strlcpy(host, "localhost", sizeof(host));
	else
		(void)snprintf(host, sizeof(host), "%s%s%s%s%s",
		    v6 ? "[" : "", c->srv.host, v6 ? "]" : "",
		    strcmp(c->srv.port, "80") != 0 ? ":" : "",
		    strcmp(c->srv.port, "80") != 0 ? c->srv.port : "");
	if (body != NULL || method_has_body(method))
		(void)snprintf(clen, sizeof(clen), "Content-Length: %zu\r\n",
		    body != NULL ? len : 0);
	if ((n = snprintf(NULL, 0, HEAD_FMT, HEAD_ARGS)) < 0)
		return NULL;
	cap = (size_t)n + 1;
	if ((buf = malloc(cap)) == NULL)
		return NULL;
	(void)snprintf(buf, cap, HEAD_FMT, HEAD_ARGS);
#undef HEAD_FMT
#undef HEAD_ARGS
	*outlen = (size_t)n;
	return buf;
}

/* Connects and sends the request; the response is read by the caller. */
static int
cl_send(struct cli_client *c, struct cli_sock *k, const char *method,
    const char *path, const char *body, size_t len, const char *accept)
{
	char	*req = NULL;
	size_t	 n = 0;
	int	 ret = -1;

	c->err = CLI_OK;
	c->errbuf[0] = '\0';
	if (!valid_target(path) || !valid_key(method)) {
		cl_fail(c, CLI_E_URL, "invalid request '%s %s'", method, path);
		return -1;
	}
	if (c->api_key != NULL && !valid_key(c->api_key)) {
		cl_fail(c, CLI_E_URL, "the API key holds characters a header "
		    "cannot carry");
		return -1;
	}
	if ((req = build_head(c, method, path, body, len, accept, &n)) ==
	    NULL) {
		cl_fail(c, CLI_E_NOMEM, "out of memory");
		return -1;
	}
	if (cl_connect(c, k) == -1)
		goto out;
	if (sock_write(k, req, n) == -1 ||
	    (body != NULL && len > 0 && sock_write(k, body, len) == -1)) {
		if (errno == ETIMEDOUT)
			cl_fail(c, CLI_E_TIMEOUT, "timed out sending to the "
			    "agentsh server at %s", c->srv.url);
		else
			cl_fail(c, CLI_E_IO, "lost the connection to the "
			    "agentsh server at %s: %s", c->srv.url,
			    strerror(errno));
		goto out;
	}
	ret = 0;
 out:
	freezero(req, n + 1);
	return ret;
}

static void
cl_reader_fail(struct cli_client *c, const struct cli_reader *rd)
{
	switch (rd->err) {
	case CLI_E_TIMEOUT:
		cl_fail(c, CLI_E_TIMEOUT, "timed out waiting for the agentsh "
		    "server at %s", c->srv.url);
		break;
	case CLI_E_IO:
		cl_fail(c, CLI_E_IO, "lost the connection to the agentsh "
		    "server at %s: %s", c->srv.url, rd->why);
		break;
	default:
		cl_fail(c, rd->err, "bad response from the agentsh server at "
		    "%s: %s", c->srv.url, rd->why);
		break;
	}
}

/* The whole body, bounded. */
static int
read_body(struct cli_reader *rd, struct cli_resp *resp)
{
	size_t	 cap = 0;
	ssize_t	 n;

	for (;;) {
		if (grow(&resp->body, &cap, resp->bodylen + 4097) == -1)
			return rd_fail(rd, CLI_E_NOMEM, "out of memory");
		if ((n = cli_reader_body(rd, resp->body + resp->bodylen,
		    cap - resp->bodylen - 1)) == -1)
			return -1;
		if (n == 0)
			break;
		resp->bodylen += (size_t)n;
		if (resp->bodylen > CLI_MAX_BODY)
			return rd_fail(rd, CLI_E_PROTO, "response body larger "
			    "than %d bytes", CLI_MAX_BODY);
	}
	resp->body[resp->bodylen] = '\0';
	return 0;
}

int
cli_request(struct cli_client *c, const char *method, const char *path,
    const char *body, size_t len, struct cli_resp **respp)
{
	struct cli_sock		 k = { -1, deadline_of(c->timeout_ms) };
	struct cli_src		 src = { sock_read, &k };
	struct cli_reader	*rd = NULL;
	struct cli_resp		*resp = NULL;
	int			 ret = -1;

	*respp = NULL;
	if (cl_send(c, &k, method, path, body, len, "application/json") ==
	    -1)
		goto out;
	if ((rd = cli_reader_new(&src, strcmp(method, "HEAD") == 0)) == NULL ||
	    (resp = calloc(1, sizeof(*resp))) == NULL) {
		cl_fail(c, CLI_E_NOMEM, "out of memory");
		goto out;
	}
	if (cli_reader_head(rd, resp) == -1 || read_body(rd, resp) == -1) {
		cl_reader_fail(c, rd);
		goto out;
	}
	*respp = resp;
	resp = NULL;
	ret = 0;
 out:
	cli_resp_free(resp);
	cli_reader_free(rd);
	if (k.fd != -1)
		close(k.fd);
	return ret;
}

int
cli_stream_open(struct cli_client *c, const char *method, const char *path,
    const char *body, size_t len, struct cli_stream **sp)
{
	struct cli_stream	*s;
	struct cli_src		 src;

	*sp = NULL;
	if ((s = calloc(1, sizeof(*s))) == NULL) {
		cl_fail(c, CLI_E_NOMEM, "out of memory");
		return -1;
	}
	s->c = c;
	s->sock.fd = -1;
	s->sock.deadline = deadline_of(c->timeout_ms);
	src.read = sock_read;
	src.arg = &s->sock;
	if (cl_send(c, &s->sock, method, path, body, len,
	    "text/event-stream") == -1)
		goto fail;
	if ((s->rd = cli_reader_new(&src, strcmp(method, "HEAD") == 0)) ==
	    NULL || (s->sse = cli_sse_new()) == NULL) {
		cl_fail(c, CLI_E_NOMEM, "out of memory");
		goto fail;
	}
	if (cli_reader_head(s->rd, &s->resp) == -1) {
		cl_reader_fail(c, s->rd);
		goto fail;
	}
	*sp = s;
	return 0;
 fail:
	cli_stream_close(s);
	return -1;
}

const struct cli_resp *
cli_stream_resp(const struct cli_stream *s)
{
	return &s->resp;
}

ssize_t
cli_stream_read(struct cli_stream *s, void *buf, size_t len, int timeout_ms)
{
	ssize_t	 n;

	s->sock.deadline = deadline_of(timeout_ms);
	if ((n = cli_reader_body(s->rd, buf, len)) == -1)
		cl_reader_fail(s->c, s->rd);
	return n;
}

int
cli_stream_event(struct cli_stream *s, struct cli_sse_event *ev,
    int timeout_ms)
{
	int	 r;

	s->sock.deadline = deadline_of(timeout_ms);
	if ((r = cli_sse_next(s->sse, s->rd, ev)) == -1)
		cl_reader_fail(s->c, s->rd);
	return r;
}

void
cli_stream_close(struct cli_stream *s)
{
	if (s == NULL)
		return;
	if (s->sock.fd != -1)
		close(s->sock.fd);
	cli_reader_free(s->rd);
	cli_sse_free(s->sse);
	resp_clear_fields(&s->resp);
	free(s->resp.body);
	free(s);
}

char *
cli_escape(const char *s)
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			*out, *o;
	unsigned char		 c;

	if ((out = malloc(strlen(s) * 3 + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		c = (unsigned char)*s;
		if (IS_ALNUM(c) || c == '-' || c == '.' || c == '_' ||
		    c == '~')
			*o++ = (char)c;
		else {
			*o++ = '%';
			*o++ = hex[c >> 4];
			*o++ = hex[c & 0xf];
		}
	}
	*o = '\0';
	return out;
}
