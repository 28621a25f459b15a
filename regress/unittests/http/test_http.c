/*
 * agentshd's HTTP server, and the runner of the http suite.
 *
 * The parser is fed from buffers (whole and byte by byte); the server is
 * driven over socketpairs inside a libevent loop, its answers read back
 * with the client's response reader.  The client's own tests are in
 * test_http_client.c.
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/event.h>

#include "agentsh/client.h"
#include "agentshd/http.h"
#include "thttp.h"

const struct http_limits deflim = {
	.max_header_bytes = 1024,
	.max_body = 64,
	.read_timeout_ms = 10000,
	.write_timeout_ms = 10000,
	.idle_timeout_ms = 10000,
	.max_conns = 4,
	.max_pending = 0,
};

/* ------------------------------------------------------------------ */
/* The parser, from buffers */

struct presult {
	enum http_parse_rc	 rc;
	int			 status;
	const char		*why;
	size_t			 used;
	struct http_req		*req;
	int			 saw_body;	/* HTTP_PARSE_BODY came */
};

/* Feeds len bytes in pieces of step (0: all at once) up to one result. */
static void
feed(const struct http_limits *lim, const char *raw, size_t len, size_t step,
    struct presult *res)
{
	struct http_parser	*p;
	size_t			 off = 0, n, used;
	enum http_parse_rc	 rc = HTTP_PARSE_MORE;

	memset(res, 0, sizeof(*res));
	ck_assert_ptr_nonnull(p = http_parser_new(lim));
	while (off < len) {
		n = step == 0 || len - off < step ? len - off : step;
		rc = http_parser_feed(p, (const uint8_t *)raw + off, n, &used);
		ck_assert_uint_le(used, n);
		off += used;
		if (rc == HTTP_PARSE_BODY) {
			res->saw_body = 1;
			continue;
		}
		if (rc != HTTP_PARSE_MORE)
			break;
		ck_assert_uint_eq(used, n);
	}
	res->rc = rc;
	res->used = off;
	if (rc == HTTP_PARSE_ERROR) {
		res->status = http_parser_error(p, &res->why);
		ck_assert_ptr_nonnull(res->why);
	} else if (rc == HTTP_PARSE_DONE)
		ck_assert_ptr_nonnull(res->req = http_parser_take(p));
	http_parser_free(p);
}

/* Whole and byte by byte must agree; returns the whole-buffer result. */
static void
parse(const struct http_limits *lim, const char *raw, size_t len,
    struct presult *res)
{
	struct presult	 one;

	feed(lim, raw, len, 1, &one);
	feed(lim, raw, len, 0, res);
	ck_assert_int_eq(one.rc, res->rc);
	ck_assert_int_eq(one.status, res->status);
	if (res->rc != HTTP_PARSE_ERROR)
		ck_assert_uint_eq(one.used, res->used);
	if (res->req != NULL) {
		ck_assert_uint_eq(one.req->bodylen, res->req->bodylen);
		ck_assert_mem_eq(one.req->body, res->req->body,
		    res->req->bodylen + 1);
		ck_assert_str_eq(one.req->path, res->req->path);
	}
	http_req_free(one.req);
}

#define PARSE(raw, res)	 parse(&deflim, raw, sizeof(raw) - 1, res)

START_TEST(parse_get)
{
	struct presult	 r;
	char		*v;

	PARSE("GET /api/v1/sessions%20x?limit=5&type=a%2Cb HTTP/1.1\r\n"
	    "Host: localhost\r\nX-Api-Key:  k1 \r\nAccept: */*\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_int_eq(r.saw_body, 0);
	ck_assert_int_eq(r.req->method, HTTP_GET);
	ck_assert_int_eq(r.req->minor, 1);
	ck_assert_str_eq(r.req->target,
	    "/api/v1/sessions%20x?limit=5&type=a%2Cb");
	ck_assert_str_eq(r.req->path, "/api/v1/sessions x");
	ck_assert_str_eq(r.req->query, "limit=5&type=a%2Cb");
	ck_assert_uint_eq(r.req->nheaders, 3);
	ck_assert_str_eq(http_req_header(r.req, "x-api-key"), "k1");
	ck_assert_str_eq(http_req_header(r.req, "HOST"), "localhost");
	ck_assert_ptr_null(http_req_header(r.req, "Cookie"));
	ck_assert_uint_eq(r.req->bodylen, 0);
	ck_assert_str_eq((char *)r.req->body, "");
	ck_assert_int_eq(http_req_query(r.req, "type", &v), 1);
	ck_assert_str_eq(v, "a,b");
	free(v);
	ck_assert_int_eq(http_req_query(r.req, "nope", &v), 0);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(r.req->flags & HTTP_REQ_CLOSE, 0);
	http_req_free(r.req);
}
END_TEST

START_TEST(parse_bodies)
{
	struct presult	 r;

	PARSE("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"
	    "hello", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_int_eq(r.saw_body, 1);
	ck_assert_uint_eq(r.req->bodylen, 5);
	ck_assert_str_eq((char *)r.req->body, "hello");
	http_req_free(r.req);

	/* Chunked, upper-case hex, extensions, leading zeros, trailers. */
	PARSE("PUT /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: Chunked\r\n\r\n"
	    "3;name=v\r\nabc\r\n000A\r\n0123456789\r\n0\r\nX-Sum: 1\r\n"
	    "Y: 2\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_uint_eq(r.req->bodylen, 13);
	ck_assert_str_eq((char *)r.req->body, "abc0123456789");
	http_req_free(r.req);

	/* A body with a NUL stays whole; bodylen says how long. */
	PARSE("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\n"
	    "a\0b", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_uint_eq(r.req->bodylen, 3);
	ck_assert_mem_eq(r.req->body, "a\0b", 4);
	http_req_free(r.req);

	/* Exactly max_body, both ways. */
	PARSE("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 64\r\n\r\n"
	    "0123456789012345678901234567890123456789012345678901234567890123",
	    &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_uint_eq(r.req->bodylen, 64);
	http_req_free(r.req);
	PARSE("POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n20\r\n01234567890123456789012345678901\r\n"
	    "20\r\n01234567890123456789012345678901\r\n0\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_uint_eq(r.req->bodylen, 64);
	http_req_free(r.req);
}
END_TEST

START_TEST(parse_misc_good)
{
	struct presult	 r;

	/* Empty lines before a request are skipped. */
	PARSE("\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_str_eq(r.req->path, "/");
	http_req_free(r.req);

	PARSE("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_int_eq(r.req->method, HTTP_OPTIONS);
	ck_assert_str_eq(r.req->path, "*");
	ck_assert_str_eq(r.req->query, "");
	http_req_free(r.req);

	/* HTTP/1.0: no Host needed, close unless asked otherwise. */
	PARSE("GET / HTTP/1.0\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_int_eq(r.req->minor, 0);
	ck_assert_int_eq(r.req->flags & HTTP_REQ_CLOSE, HTTP_REQ_CLOSE);
	http_req_free(r.req);
	PARSE("GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", &r);
	ck_assert_int_eq(r.req->flags & (HTTP_REQ_CLOSE | HTTP_REQ_KEEPALIVE10),
	    HTTP_REQ_KEEPALIVE10);
	http_req_free(r.req);
	PARSE("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, close\r\n\r\n",
	    &r);
	ck_assert_int_eq(r.req->flags & HTTP_REQ_CLOSE, HTTP_REQ_CLOSE);
	http_req_free(r.req);

	/* Every method we serve; empty Host and obs-text are allowed. */
	PARSE("DELETE /s HTTP/1.1\r\nHost:\r\nX: caf\xc3\xa9\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_int_eq(r.req->method, HTTP_DELETE);
	ck_assert_str_eq(http_req_header(r.req, "x"), "caf\xc3\xa9");
	http_req_free(r.req);
	PARSE("PATCH /s HTTP/1.1\r\nHost: [::1]:80\r\n\r\n", &r);
	ck_assert_int_eq(r.req->method, HTTP_PATCH);
	http_req_free(r.req);
	PARSE("HEAD /s HTTP/1.1\r\nHost: a\r\nExpect: 100-Continue\r\n"
	    "Content-Length: 1\r\n\r\nx", &r);
	ck_assert_int_eq(r.req->method, HTTP_HEAD);
	ck_assert_int_eq(r.req->flags & HTTP_REQ_EXPECT, HTTP_REQ_EXPECT);
	http_req_free(r.req);
}
END_TEST

/* Each request the parser must refuse, and with what. */
static const struct {
	const char	*name;
	const char	*raw;
	int		 status;
} bad[] = {
	{ "bare LF", "GET / HTTP/1.1\nHost: a\n\n", 400 },
	{ "bare LF in header", "GET / HTTP/1.1\r\nHost: a\n\r\n", 400 },
	{ "bare CR", "GET / HTTP/1.1\rHost: a\r\n\r\n", 400 },
	{ "NUL in header", "GET / HTTP/1.1\r\nHost: a\0\r\n\r\n", 400 },
	{ "NUL in request line", "GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "absolute-form", "GET http://a/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "authority-form", "GET a:80 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "asterisk GET", "GET * HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "no slash", "GET x HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "unknown method", "BREW / HTTP/1.1\r\nHost: a\r\n\r\n", 501 },
	{ "TRACE", "TRACE / HTTP/1.1\r\nHost: a\r\n\r\n", 501 },
	{ "lower-case method", "get / HTTP/1.1\r\nHost: a\r\n\r\n", 501 },
	{ "bad method char", "G(T / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "HTTP/2.0", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505 },
	{ "HTTP/1.2", "GET / HTTP/1.2\r\nHost: a\r\n\r\n", 505 },
	{ "bad version", "GET / HTTP/1.1x\r\nHost: a\r\n\r\n", 400 },
	{ "lower-case version", "GET / http/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "HTTP/0.9", "GET /\r\n\r\n", 400 },
	{ "double space", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400 },
	{ "tab separator", "GET\t/ HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "fragment", "GET /#x HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "quote in path", "GET /\"x HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "backslash in path", "GET /a\\b HTTP/1.1\r\nHost: a\r\n\r\n",
	    400 },
	{ "8-bit in path", "GET /\xc3\xa9 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "%00 in path", "GET /a%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "%2F in path", "GET /a%2fb HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "%0A in path", "GET /a%0A HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "bad escape", "GET /a%zz HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "short escape", "GET /a%4 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "escape at end", "GET /a% HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "%00 in query", "GET /?a=%00 HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "bad escape in query", "GET /?a=%g0 HTTP/1.1\r\nHost: a\r\n\r\n",
	    400 },
	{ "brace in query", "GET /?a={} HTTP/1.1\r\nHost: a\r\n\r\n", 400 },
	{ "obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n 2\r\n\r\n",
	    400 },
	{ "obs-fold tab", "GET / HTTP/1.1\r\nHost: a\r\nX: 1\r\n\t2\r\n\r\n",
	    400 },
	{ "space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400 },
	{ "tab before colon", "GET / HTTP/1.1\r\nHost\t: a\r\n\r\n", 400 },
	{ "no colon", "GET / HTTP/1.1\r\nHost: a\r\nJunk\r\n\r\n", 400 },
	{ "empty name", "GET / HTTP/1.1\r\nHost: a\r\n: x\r\n\r\n", 400 },
	{ "bad name char", "GET / HTTP/1.1\r\nHost: a\r\nX(y): 1\r\n\r\n",
	    400 },
	{ "8-bit name", "GET / HTTP/1.1\r\nHost: a\r\nX\xc3\xa9: 1\r\n\r\n",
	    400 },
	{ "control in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\001b\r\n"
	    "\r\n", 400 },
	{ "DEL in value", "GET / HTTP/1.1\r\nHost: a\r\nX: a\177\r\n\r\n",
	    400 },
	{ "missing Host", "GET / HTTP/1.1\r\n\r\n", 400 },
	{ "duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n",
	    400 },
	{ "bad Host", "GET / HTTP/1.1\r\nHost: a b\r\n\r\n", 400 },
	{ "duplicate Content-Length", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 1\r\nContent-Length: 1\r\n\r\nx", 400 },
	{ "Content-Length list", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 1, 1\r\n\r\nx", 400 },
	{ "signed Content-Length", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: +1\r\n\r\nx", 400 },
	{ "hex Content-Length", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 0x1\r\n\r\nx", 400 },
	{ "empty Content-Length", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length:\r\n\r\n", 400 },
	{ "Content-Length too big", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 65\r\n\r\n", 413 },
	{ "Content-Length overflow", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Content-Length: 184467440737095516160000\r\n\r\n", 413 },
	{ "CL and TE", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400 },
	{ "TE and CL", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n", 400 },
	{ "TE gzip", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: gzip\r\n\r\n", 501 },
	{ "TE gzip, chunked", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: gzip, chunked\r\n\r\n", 501 },
	{ "TE chunked twice", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n",
	    501 },
	{ "TE with junk", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: xchunked\r\n\r\n", 501 },
	{ "TE in HTTP/1.0", "POST / HTTP/1.0\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", 400 },
	{ "Expect other", "POST / HTTP/1.1\r\nHost: a\r\nExpect: foo\r\n"
	    "\r\n", 417 },
	{ "chunk size not hex", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\nzz\r\n", 400 },
	{ "chunk size empty", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n\r\n", 400 },
	{ "chunk size only ext", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n;x\r\n", 400 },
	{ "chunk size space", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1 \r\nx\r\n", 400 },
	{ "chunk size sign", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n-1\r\n", 400 },
	{ "chunk size overflow", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "10000000000000000000000000001\r\n", 413 },
	{ "chunk over max_body", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n41\r\n", 413 },
	{ "chunks over max_body", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n"
	    "20\r\n01234567890123456789012345678901\r\n"
	    "21\r\n", 413 },
	{ "chunk bare LF", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1\nx\r\n", 400 },
	{ "chunk data too long", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1\r\nxy\r\n", 400 },
	{ "chunk data bare LF", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1\r\nx\n", 400 },
	{ "chunk ext control", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;a\001\r\n", 400 },
	{ "trailer obs-fold", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n x\r\n\r\n", 400 },
	{ "trailer no colon", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nx\r\n\r\n", 400 },
	{ "trailer bare LF", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nx: 1\n\r\n", 400 },
	{ "trailer control", "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nx: \001\r\n\r\n", 400 },
};

START_TEST(parse_reject)
{
	struct presult	 r;
	const char	*raw = bad[_i].raw;
	size_t		 len = strlen(raw);

	/* The entries with an embedded NUL need their real length. */
	if (strcmp(bad[_i].name, "NUL in header") == 0)
		len = sizeof("GET / HTTP/1.1\r\nHost: a\0\r\n\r\n") - 1;
	else if (strcmp(bad[_i].name, "NUL in request line") == 0)
		len = sizeof("GET /\0 HTTP/1.1\r\nHost: a\r\n\r\n") - 1;
	parse(&deflim, raw, len, &r);
	ck_assert_msg(r.rc == HTTP_PARSE_ERROR && r.status == bad[_i].status,
	    "%s: rc %d status %d (%s), want %d", bad[_i].name, r.rc, r.status,
	    r.why ? r.why : "-", bad[_i].status);
	ck_assert_ptr_null(r.req);
}
END_TEST

START_TEST(parse_limits)
{
	struct http_limits	 lim = deflim;
	struct presult		 r;
	char			 buf[4096];
	int			 n, i;

	lim.max_header_bytes = 256;
	/* A request line that does not fit: 414. */
	n = snprintf(buf, sizeof(buf), "GET /%0300d HTTP/1.1\r\nHost: a\r\n\r\n",
	    0);
	parse(&lim, buf, (size_t)n, &r);
	ck_assert_int_eq(r.status, 414);
	/* Header fields that do not fit: 431. */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n"
	    "X: %0300d\r\n\r\n", 0);
	parse(&lim, buf, (size_t)n, &r);
	ck_assert_int_eq(r.status, 431);
	/* Exactly the limit is fine. */
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n"
	    "X: %0*d\r\n\r\n", 256 - 32, 0);
	ck_assert_int_eq(n, 256);
	parse(&lim, buf, (size_t)n, &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	http_req_free(r.req);
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n"
	    "X: %0*d\r\n\r\n", 256 - 31, 0);
	parse(&lim, buf, (size_t)n, &r);
	ck_assert_int_eq(r.status, 431);
	/* An endless run of empty lines is bounded as well. */
	for (i = 0; i < 200; i++)
		memcpy(buf + 2 * i, "\r\n", 2);
	parse(&lim, buf, 400, &r);
	ck_assert_int_eq(r.status, 431);

	/* Too many fields. */
	lim.max_header_bytes = 4096;
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: a\r\n");
	for (i = 0; i < HTTP_MAX_HEADERS; i++)
		n += snprintf(buf + n, sizeof(buf) - n, "X: %d\r\n", i);
	n += snprintf(buf + n, sizeof(buf) - n, "\r\n");
	parse(&lim, buf, (size_t)n, &r);
	ck_assert_int_eq(r.status, 431);

	/* A chunk line with too long an extension. */
	n = snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n1;%01100d\r\nx\r\n0\r\n\r\n", 0);
	parse(&lim, buf, (size_t)n, &r);
	ck_assert_int_eq(r.status, 400);

	/* A trailer section over max_header_bytes. */
	lim.max_header_bytes = 256;
	n = snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: a\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\nT: %0300d\r\n\r\n", 0);
	parse(&lim, buf, (size_t)n, &r);
	ck_assert_int_eq(r.status, 431);

	/* Limits out of range are refused. */
	lim.max_header_bytes = 10;
	ck_assert_ptr_null(http_parser_new(&lim));
}
END_TEST

START_TEST(parse_pipelined)
{
	static const char	 two[] =
	    "POST /1 HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nab"
	    "GET /2 HTTP/1.1\r\nHost: a\r\n\r\n";
	struct http_parser	*p;
	struct http_req		*req;
	size_t			 used, off = 0;

	ck_assert_ptr_nonnull(p = http_parser_new(&deflim));
	ck_assert_int_eq(http_parser_started(p), 0);
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)two,
	    sizeof(two) - 1, &used), HTTP_PARSE_BODY);
	ck_assert_int_eq(http_parser_started(p), 1);
	ck_assert_str_eq(http_parser_request(p)->path, "/1");
	off += used;
	/* One request and not a byte more. */
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)two + off,
	    sizeof(two) - 1 - off, &used), HTTP_PARSE_DONE);
	off += used;
	ck_assert_int_eq(strncmp(two + off, "GET /2", 6), 0);
	/* Until taken, it stays done and consumes nothing. */
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)two + off,
	    sizeof(two) - 1 - off, &used), HTTP_PARSE_DONE);
	ck_assert_uint_eq(used, 0);
	req = http_parser_take(p);
	ck_assert_str_eq((char *)req->body, "ab");
	http_req_free(req);
	ck_assert_int_eq(http_parser_started(p), 0);
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)two + off,
	    sizeof(two) - 1 - off, &used), HTTP_PARSE_DONE);
	ck_assert_uint_eq(off + used, sizeof(two) - 1);
	req = http_parser_take(p);
	ck_assert_str_eq(req->path, "/2");
	http_req_free(req);
	/* After an error nothing more is consumed. */
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)"X\n", 2,
	    &used), HTTP_PARSE_ERROR);
	ck_assert_int_eq(http_parser_feed(p, (const uint8_t *)"GET", 3,
	    &used), HTTP_PARSE_ERROR);
	ck_assert_uint_eq(used, 0);
	ck_assert_ptr_null(http_parser_take(p));
	http_parser_free(p);
	http_parser_free(NULL);
	http_req_free(NULL);
}
END_TEST

START_TEST(query_lookup)
{
	static const char *const known[] = { "a", "b c", "e", "", NULL };
	struct presult	 r;
	char		*v, key[8];

	PARSE("GET /?a=1+2%2B&&b%20c&e=&x=%41=&dup=1&dup=2 HTTP/1.1\r\n"
	    "Host: a\r\n\r\n", &r);
	ck_assert_int_eq(r.rc, HTTP_PARSE_DONE);
	ck_assert_int_eq(http_req_query(r.req, "a", &v), 1);
	ck_assert_str_eq(v, "1 2+");
	free(v);
	ck_assert_int_eq(http_req_query(r.req, "b c", &v), 1);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_int_eq(http_req_query(r.req, "e", &v), 1);
	ck_assert_str_eq(v, "");
	free(v);
	ck_assert_int_eq(http_req_query(r.req, "x", &v), 1);
	ck_assert_str_eq(v, "A=");
	free(v);
	errno = 0;
	ck_assert_int_eq(http_req_query(r.req, "dup", &v), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(v);
	ck_assert_int_eq(http_req_query(r.req, "", &v), 0);
	ck_assert_int_eq(http_req_query_check(r.req, known, key, sizeof(key)),
	    -1);
	ck_assert_str_eq(key, "x");
	http_req_free(r.req);

	PARSE("GET /?a=1&b+c=2 HTTP/1.1\r\nHost: a\r\n\r\n", &r);
	ck_assert_int_eq(http_req_query_check(r.req, known, key, sizeof(key)),
	    0);
	http_req_free(r.req);
	PARSE("GET /?averyveryverylongkey=1 HTTP/1.1\r\nHost: a\r\n\r\n", &r);
	ck_assert_int_eq(http_req_query_check(r.req, known, key, sizeof(key)),
	    -1);
	ck_assert_str_eq(key, "averyve");
	http_req_free(r.req);
	PARSE("GET / HTTP/1.1\r\nHost: a\r\n\r\n", &r);
	ck_assert_int_eq(http_req_query(r.req, "a", &v), 0);
	ck_assert_int_eq(http_req_query_check(r.req, known, NULL, 0), 0);
	http_req_free(r.req);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The server, over socketpairs */

enum tmode {
	M_ECHO = 0,	/* answer at once with what was asked */
	M_HOLD,		/* keep the request for the test to answer */
	M_STREAM	/* start a stream and keep the request */
};

struct tsrv {
	struct event_base	*base;
	struct http_server	*srv;
	struct event		*cev;		/* the client's socket */
	int			 cfd;
	enum tmode		 mode;
	struct http_req		*held;
	int			 nreq, naborts, ncloses;
	uint64_t		 closed[16];
	uint8_t			 in[1 << 20];	/* what the client got */
	size_t			 inlen;
	int			 eof;
	int			 reset;		/* ended by an error, not EOF */
	int			 expired;
	int			 want;		/* run_until argument */
};

static struct tsrv	*T;

static void
t_req(struct http_req *req, void *arg)
{
	struct tsrv	*t = arg;
	const char	*key;
	char		 buf[512];
	int		 n;

	ck_assert_ptr_eq(t, T);
	t->nreq++;
	switch (t->mode) {
	case M_ECHO:
		key = http_req_header(req, "X-API-Key");
		n = snprintf(buf, sizeof(buf), "%d %s ?%s %zu key=%s %s",
		    req->method, req->path, req->query, req->bodylen,
		    key != NULL ? key : "-", (char *)req->body);
		ck_assert_int_eq(http_reply_add_header(req, "X-Echo", "1"), 0);
		http_reply(req, 200, "text/plain", buf, (size_t)n);
		break;
	case M_HOLD:
		ck_assert_ptr_null(t->held);
		t->held = req;
		break;
	case M_STREAM:
		ck_assert_ptr_null(t->held);
		ck_assert_int_eq(http_stream_start(req, 200,
		    "text/event-stream"), 0);
		t->held = req;
		break;
	}
}

static void
t_abort(struct http_req *req, void *arg)
{
	struct tsrv	*t = arg;

	/* Still whole here: read it. */
	ck_assert_ptr_eq(req, t->held);
	ck_assert_int_eq(req->path[0], '/');
	t->held = NULL;
	t->naborts++;
}

static void
t_close(uint64_t connid, void *conn_arg, void *arg)
{
	struct tsrv	*t = arg;

	ck_assert_ptr_eq(conn_arg, (void *)(uintptr_t)(connid + 100));
	if (t->ncloses < (int)nitems(t->closed))
		t->closed[t->ncloses] = connid;
	t->ncloses++;
}

static void
client_read(evutil_socket_t fd, short what, void *arg)
{
	struct tsrv	*t = arg;
	ssize_t		 n;

	for (;;) {
		n = read(fd, t->in + t->inlen, sizeof(t->in) - t->inlen);
		if (n > 0) {
			t->inlen += (size_t)n;
			ck_assert_uint_lt(t->inlen, sizeof(t->in));
			continue;
		}
		if (n == -1 && errno == EAGAIN)
			return;
		t->eof = 1;
		t->reset = n == -1;
		event_del(t->cev);
		return;
	}
}

static void
safety(evutil_socket_t fd, short what, void *arg)
{
	((struct tsrv *)arg)->expired = 1;
}

static struct tsrv *
tsrv_new(const struct http_limits *lim, enum tmode mode)
{
	struct tsrv	*t;

	ck_assert_ptr_nonnull(t = calloc(1, sizeof(*t)));
	ck_assert_ptr_nonnull(t->base = event_base_new());
	ck_assert_ptr_nonnull(t->srv = http_server_new(t->base, lim, t_req,
	    t_abort, t_close, t));
	t->mode = mode;
	t->cfd = -1;
	T = t;
	return t;
}

/* A new connection: the server gets one end, the test keeps the other. */
static int
tsrv_connect(struct tsrv *t, uint64_t id)
{
	int	 sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	ck_assert_int_eq(fcntl(sv[1], F_SETFL, O_NONBLOCK), 0);
	ck_assert_int_eq(http_server_adopt(t->srv, sv[0], id,
	    (void *)(uintptr_t)(id + 100)), 0);
	return sv[1];
}

/* Makes fd the client whose input is collected in t->in. */
static void
tsrv_watch(struct tsrv *t, int fd)
{
	if (t->cev != NULL)
		event_free(t->cev);
	t->cfd = fd;
	t->inlen = 0;
	t->eof = t->reset = 0;
	ck_assert_ptr_nonnull(t->cev = event_new(t->base, fd,
	    EV_READ | EV_PERSIST, client_read, t));
	event_add(t->cev, NULL);
}

/* A new connection whose answers the test reads. */
static int
tsrv_client(struct tsrv *t, uint64_t id)
{
	int	 fd = tsrv_connect(t, id);

	tsrv_watch(t, fd);
	return fd;
}

static void
tsrv_free(struct tsrv *t)
{
	if (t->cev != NULL)
		event_free(t->cev);
	http_server_free(t->srv);
	event_base_free(t->base);
	if (t->cfd != -1)
		close(t->cfd);
	free(t);
	T = NULL;
}

static void
run_until(struct tsrv *t, int (*pred)(struct tsrv *))
{
	struct event	*ev;
	struct timeval	 tv = { 20, 0 };

	/* Only a guard against hanging: nothing depends on how long. */
	ck_assert_ptr_nonnull(ev = evtimer_new(t->base, safety, t));
	evtimer_add(ev, &tv);
	t->expired = 0;
	while (!pred(t) && !t->expired)
		event_base_loop(t->base, EVLOOP_ONCE);
	event_free(ev);
	ck_assert_msg(!t->expired, "gave up waiting");
}

/* Runs whatever is ready now, a few times over. */
static void
run_ready(struct tsrv *t)
{
	for (int i = 0; i < 20; i++)
		event_base_loop(t->base, EVLOOP_NONBLOCK);
}

static void
put(int fd, const void *buf, size_t len)
{
	ck_assert_int_eq(write(fd, buf, len), (ssize_t)len);
}
#define PUT(fd, s)	 put(fd, s, sizeof(s) - 1)

ssize_t
msrc_read(void *arg, void *buf, size_t len)
{
	struct msrc	*m = arg;
	size_t		 n = m->len - m->off;

	if (n > len)
		n = len;
	if (m->step != 0 && n > m->step)
		n = m->step;
	memcpy(buf, m->p + m->off, n);
	m->off += n;
	return (ssize_t)n;
}

/*
 * Parses up to max complete responses from buf (head: the requests were
 * HEAD); returns how many, with resp[i] filled (caller frees).
 */
static int
responses(const uint8_t *buf, size_t len, int head, struct cli_resp **resp,
    int max)
{
	struct msrc		 m = { buf, len, 0, 1 };
	struct cli_src		 src = { msrc_read, &m };
	struct cli_reader	*rd;
	struct cli_resp		*r;
	char			 tmp[4096];
	ssize_t			 n;
	int			 count = 0;

	while (count < max && m.off < len) {
		ck_assert_ptr_nonnull(rd = cli_reader_new(&src, head));
		ck_assert_ptr_nonnull(r = calloc(1, sizeof(*r)));
		if (cli_reader_head(rd, r) == -1)
			goto incomplete;
		r->body = calloc(1, 1);
		while ((n = cli_reader_body(rd, tmp, sizeof(tmp))) > 0) {
			r->body = realloc(r->body, r->bodylen + (size_t)n + 1);
			memcpy(r->body + r->bodylen, tmp, (size_t)n);
			r->bodylen += (size_t)n;
			r->body[r->bodylen] = '\0';
		}
		if (n == -1)
			goto incomplete;
		cli_reader_free(rd);
		if (resp != NULL)
			resp[count] = r;
		else
			cli_resp_free(r);
		count++;
		continue;
 incomplete:
		cli_reader_free(rd);
		cli_resp_free(r);
		break;
	}
	return count;
}

static int
nresponses(struct tsrv *t)
{
	return responses(t->in, t->inlen, 0, NULL, 16);
}

static int
p_responses(struct tsrv *t)
{
	return nresponses(t) >= t->want;
}

static int
p_eof(struct tsrv *t)
{
	return t->eof;
}

static int
p_held(struct tsrv *t)
{
	return t->held != NULL;
}

static int
p_closes(struct tsrv *t)
{
	return t->ncloses >= t->want;
}

static int
p_inlen(struct tsrv *t)
{
	return t->eof || t->inlen >= (size_t)t->want;
}

static int
p_head_response(struct tsrv *t)
{
	return responses(t->in, t->inlen, 1, NULL, 1) == 1;
}

static int
p_drained(struct tsrv *t)
{
	return http_stream_pending(t->held) == 0;
}

/* Waits for n responses and returns the last one. */
static struct cli_resp *
expect_responses(struct tsrv *t, int n)
{
	struct cli_resp	*r[16];
	int		 i;

	t->want = n;
	run_until(t, p_responses);
	ck_assert_int_eq(responses(t->in, t->inlen, 0, r, 16), n);
	for (i = 0; i < n - 1; i++)
		cli_resp_free(r[i]);
	return r[n - 1];
}

/* Waits for the server to close and returns its one answer. */
static struct cli_resp *
final_response(struct tsrv *t)
{
	struct cli_resp	*r;

	run_until(t, p_eof);
	ck_assert_int_eq(responses(t->in, t->inlen, 0, &r, 1), 1);
	return r;
}

/* The client closes fd; waits for the server to count it out. */
static void
client_close(struct tsrv *t, int fd)
{
	close(fd);
	if (t->cfd == fd)
		t->cfd = -1;
	t->want = t->ncloses + 1;
	run_until(t, p_closes);
}

START_TEST(srv_get_post)
{
	struct tsrv	*t = tsrv_new(&deflim, M_ECHO);
	struct cli_resp	*r;
	int		 fd = tsrv_client(t, 1);

	PUT(fd, "GET /a%20b?x=1 HTTP/1.1\r\nHost: h\r\nX-API-Key: k\r\n\r\n");
	r = expect_responses(t, 1);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(cli_resp_header(r, "Content-Type"), "text/plain");
	ck_assert_str_eq(cli_resp_header(r, "X-Echo"), "1");
	ck_assert_ptr_null(cli_resp_header(r, "Connection"));
	ck_assert_str_eq(r->body, "1 /a b ?x=1 0 key=k ");
	cli_resp_free(r);

	/* The same connection, a body by length, then chunked. */
	t->inlen = 0;
	PUT(fd, "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz");
	r = expect_responses(t, 1);
	ck_assert_str_eq(r->body, "3 /p ? 3 key=- xyz");
	cli_resp_free(r);
	t->inlen = 0;
	PUT(fd, "PUT /c HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n"
	    "\r\n2\r\nab\r\n1;x=y\r\nc\r\n0\r\n\r\n");
	r = expect_responses(t, 1);
	ck_assert_str_eq(r->body, "4 /c ? 3 key=- abc");
	cli_resp_free(r);
	ck_assert_int_eq(t->nreq, 3);
	ck_assert_int_eq(t->eof, 0);
	ck_assert_int_eq(http_server_nconns(t->srv), 1);
	ck_assert_int_eq(t->ncloses, 0);

	/* The client goes: the connection is counted out. */
	client_close(t, fd);
	ck_assert_uint_eq(t->closed[0], 1);
	ck_assert_int_eq(http_server_nconns(t->srv), 0);
	ck_assert_int_eq(t->naborts, 0);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_expect_continue)
{
	struct tsrv	*t = tsrv_new(&deflim, M_ECHO);
	struct cli_resp	*r;
	int		 fd = tsrv_connect(t, 1);
	static const char cont[] = "HTTP/1.1 100 Continue\r\n\r\n";

	tsrv_watch(t, fd);
	PUT(fd, "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
	    "Content-Length: 4\r\n\r\n");
	t->want = sizeof(cont) - 1;
	run_until(t, p_inlen);
	ck_assert_uint_eq(t->inlen, sizeof(cont) - 1);
	ck_assert_mem_eq(t->in, cont, sizeof(cont) - 1);
	ck_assert_int_eq(t->nreq, 0);
	PUT(fd, "body");
	r = expect_responses(t, 1);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, "3 /e ? 4 key=- body");
	cli_resp_free(r);

	/* Too large: the answer is 413, never 100. */
	t->inlen = 0;
	PUT(fd, "POST /e HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n"
	    "Content-Length: 100\r\n\r\n");
	r = expect_responses(t, 1);
	ck_assert_int_eq(r->status, 413);
	ck_assert_int_eq(memcmp(t->in, "HTTP/1.1 413 ", 13), 0);
	cli_resp_free(r);
	run_until(t, p_eof);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_pipelined)
{
	struct tsrv	*t = tsrv_new(&deflim, M_HOLD);
	struct cli_resp	*r[3];
	int		 fd = tsrv_client(t, 1);

	PUT(fd, "GET /1 HTTP/1.1\r\nHost: h\r\n\r\n"
	    "POST /2 HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n\r\nx"
	    "GET /3 HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	ck_assert_str_eq(t->held->path, "/1");
	/* One at a time: the next waits until this one is answered. */
	run_ready(t);
	ck_assert_int_eq(t->nreq, 1);
	http_reply(t->held, 201, "application/json", "{}", 2);
	t->held = NULL;
	run_until(t, p_held);
	ck_assert_int_eq(t->nreq, 2);
	ck_assert_str_eq(t->held->path, "/2");
	ck_assert_str_eq((char *)t->held->body, "x");
	http_reply_error(t->held, 404, "no such thing: %s", "/2");
	t->held = NULL;
	run_until(t, p_held);
	ck_assert_str_eq(t->held->path, "/3");
	http_reply(t->held, 204, NULL, "ignored", 7);
	t->held = NULL;
	t->want = 3;
	run_until(t, p_responses);
	ck_assert_int_eq(responses(t->in, t->inlen, 0, r, 3), 3);
	ck_assert_int_eq(r[0]->status, 201);
	ck_assert_str_eq(r[0]->body, "{}");
	ck_assert_int_eq(r[1]->status, 404);
	ck_assert_str_eq(cli_resp_header(r[1], "Content-Type"),
	    "application/json");
	ck_assert_str_eq(r[1]->body, "{\"error\":\"no such thing: /2\"}");
	ck_assert_int_eq(r[2]->status, 204);
	ck_assert_ptr_null(cli_resp_header(r[2], "Content-Length"));
	ck_assert_uint_eq(r[2]->bodylen, 0);
	for (int i = 0; i < 3; i++)
		cli_resp_free(r[i]);
	/* Nothing after the 204: it had no body. */
	ck_assert_int_eq(memcmp(t->in + t->inlen - 4, "\r\n\r\n", 4), 0);
	ck_assert_int_eq(t->eof, 0);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_head)
{
	struct tsrv	*t = tsrv_new(&deflim, M_ECHO);
	struct cli_resp	*r;
	int		 fd = tsrv_connect(t, 1);
	const char	*cl;
	char		*end;

	tsrv_watch(t, fd);
	PUT(fd, "HEAD /h HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_head_response);
	ck_assert_int_eq(responses(t->in, t->inlen, 1, &r, 1), 1);
	ck_assert_int_eq(r->status, 200);
	/* The length GET would have, and no body. */
	ck_assert_ptr_nonnull(cl = cli_resp_header(r, "Content-Length"));
	ck_assert_int_eq(strtol(cl, NULL, 10), strlen("2 /h ? 0 key=- "));
	cli_resp_free(r);
	end = strstr((char *)t->in, "\r\n\r\n");
	ck_assert_ptr_nonnull(end);
	ck_assert_uint_eq((size_t)(end + 4 - (char *)t->in), t->inlen);
	/* The next request on the connection is framed right. */
	t->inlen = 0;
	PUT(fd, "GET /g HTTP/1.1\r\nHost: h\r\n\r\n");
	r = expect_responses(t, 1);
	ck_assert_str_eq(r->body, "1 /g ? 0 key=- ");
	cli_resp_free(r);
	tsrv_free(t);
}
END_TEST

/* A sample of rejections end to end: status, JSON body, close. */
START_TEST(srv_reject)
{
	static const struct {
		const char	*raw;
		int		 status;
		const char	*body;
	} cases[] = {
		{ "GET / HTTP/1.1\nHost: h\n\n", 400,
		    "{\"error\":\"bare LF in request header\"}" },
		{ "BREW /\"<x> HTTP/1.1\r\nHost: h\r\n\r\n", 501,
		    "{\"error\":\"method not implemented\"}" },
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\n"
		  "Transfer-Encoding: chunked\r\n\r\n", 400,
		    "{\"error\":\"Content-Length with Transfer-Encoding\"}" },
		{ "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n"
		  "\r\n", 501, "{\"error\":\"unsupported Transfer-Encoding\"}" },
		{ "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n",
		    413, "{\"error\":\"request body too large\"}" },
		{ "GET / HTTP/3.0\r\nHost: h\r\n\r\n", 505,
		    "{\"error\":\"HTTP version not supported\"}" },
	};
	struct tsrv	*t;
	struct cli_resp	*r;
	int		 fd;

	for (size_t i = 0; i < nitems(cases); i++) {
		t = tsrv_new(&deflim, M_ECHO);
		fd = tsrv_client(t, 1);
		put(fd, cases[i].raw, strlen(cases[i].raw));
		r = final_response(t);
		ck_assert_int_eq(r->status, cases[i].status);
		ck_assert_str_eq(cli_resp_header(r, "Connection"), "close");
		ck_assert_str_eq(cli_resp_header(r, "Content-Type"),
		    "application/json");
		ck_assert_str_eq(r->body, cases[i].body);
		cli_resp_free(r);
		ck_assert_int_eq(t->nreq, 0);
		client_close(t, fd);
		tsrv_free(t);
	}
}
END_TEST

/* Closing with the client's bytes unread would reset the connection and
 * could lose the answer: the server shuts its side and drains first. */
START_TEST(srv_linger)
{
	struct tsrv	*t = tsrv_new(&deflim, M_ECHO);
	struct cli_resp	*r;
	char		 junk[4096];
	int		 fd = tsrv_client(t, 1);

	PUT(fd, "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 65\r\n\r\n");
	memset(junk, 'j', sizeof(junk));
	put(fd, junk, sizeof(junk));
	run_until(t, p_eof);
	ck_assert_int_eq(t->reset, 0);
	ck_assert_int_eq(responses(t->in, t->inlen, 0, &r, 1), 1);
	ck_assert_int_eq(r->status, 413);
	cli_resp_free(r);
	/* More bytes after the answer are drained too; the connection ends
	 * when the client closes. */
	put(fd, junk, sizeof(junk));
	run_ready(t);
	ck_assert_int_eq(t->ncloses, 0);
	client_close(t, fd);
	tsrv_free(t);
}
END_TEST

/* While the application holds a request, the server reads on only up to
 * its bound: a client pipelining without end is made to wait. */
START_TEST(srv_input_bounded)
{
	struct tsrv	*t = tsrv_new(&deflim, M_HOLD);
	static char	 junk[65536];
	size_t		 sent = 0;
	ssize_t		 n;
	int		 fd = tsrv_connect(t, 1);

	t->cfd = fd;
	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	memset(junk, 'j', sizeof(junk));
	while (sent < 64 * 1024 * 1024) {
		if ((n = write(fd, junk, sizeof(junk))) == -1) {
			ck_assert_int_eq(errno, EAGAIN);
			break;
		}
		sent += (size_t)n;
		run_ready(t);
	}
	ck_assert_uint_lt(sent, 64 * 1024 * 1024);
	ck_assert_int_eq(t->nreq, 1);
	/* The junk is a bad request once its turn comes. */
	tsrv_watch(t, fd);
	http_reply(t->held, 200, NULL, NULL, 0);
	t->held = NULL;
	run_until(t, p_eof);
	ck_assert_int_eq(responses(t->in, t->inlen, 0, NULL, 2), 2);
	ck_assert_int_eq(t->nreq, 1);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_header_limits)
{
	struct http_limits	 lim = deflim;
	struct tsrv		*t;
	struct cli_resp		*r;
	char			 buf[2048];
	int			 fd, n;

	lim.max_header_bytes = 256;
	t = tsrv_new(&lim, M_ECHO);
	fd = tsrv_client(t, 1);
	n = snprintf(buf, sizeof(buf), "GET /%0400d HTTP/1.1\r\n", 0);
	put(fd, buf, (size_t)n);
	r = final_response(t);
	ck_assert_int_eq(r->status, 414);
	cli_resp_free(r);
	tsrv_free(t);

	t = tsrv_new(&lim, M_ECHO);
	fd = tsrv_client(t, 1);
	n = snprintf(buf, sizeof(buf), "GET / HTTP/1.1\r\nHost: h\r\n"
	    "Cookie: %0400d\r\n\r\n", 0);
	put(fd, buf, (size_t)n);
	r = final_response(t);
	ck_assert_int_eq(r->status, 431);
	ck_assert_str_eq(r->body, "{\"error\":\"request header too large\"}");
	cli_resp_free(r);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_body_limit)
{
	struct tsrv	*t = tsrv_new(&deflim, M_ECHO);
	struct cli_resp	*r;
	char		 buf[256];
	int		 fd = tsrv_connect(t, 1), n;

	tsrv_watch(t, fd);
	/* max_body in chunks is fine... */
	n = snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n40\r\n%064d\r\n0\r\n\r\n", 0);
	put(fd, buf, (size_t)n);
	r = expect_responses(t, 1);
	ck_assert_int_eq(r->status, 200);
	cli_resp_free(r);
	/* ...one byte more is not, even spread over chunks. */
	t->inlen = 0;
	n = snprintf(buf, sizeof(buf), "POST / HTTP/1.1\r\nHost: h\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n40\r\n%064d\r\n1\r\nx\r\n"
	    "0\r\n\r\n", 0);
	put(fd, buf, (size_t)n);
	r = final_response(t);
	ck_assert_int_eq(r->status, 413);
	cli_resp_free(r);
	ck_assert_int_eq(t->nreq, 1);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_timeouts)
{
	struct http_limits	 lim = deflim;
	struct tsrv		*t;
	struct cli_resp		*r;
	int			 fd;

	lim.read_timeout_ms = 50;
	lim.idle_timeout_ms = 50;

	/* A request that never completes: 408, close. */
	t = tsrv_new(&lim, M_ECHO);
	fd = tsrv_client(t, 1);
	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n");
	r = final_response(t);
	ck_assert_int_eq(r->status, 408);
	ck_assert_str_eq(r->body, "{\"error\":\"request not received in "
	    "time\"}");
	cli_resp_free(r);
	ck_assert_int_eq(t->nreq, 0);
	tsrv_free(t);

	/* A connection that sends nothing at all: 408 too. */
	t = tsrv_new(&lim, M_ECHO);
	fd = tsrv_client(t, 1);
	r = final_response(t);
	ck_assert_int_eq(r->status, 408);
	cli_resp_free(r);
	tsrv_free(t);

	/* Idle after a response: closed quietly. */
	t = tsrv_new(&lim, M_ECHO);
	fd = tsrv_client(t, 1);
	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	r = final_response(t);
	ck_assert_int_eq(r->status, 200);
	cli_resp_free(r);
	ck_assert_int_eq(nresponses(t), 1);
	t->want = 1;
	run_until(t, p_closes);
	tsrv_free(t);

	/* A client that reads nothing: the write timeout ends it. */
	lim.write_timeout_ms = 50;
	lim.read_timeout_ms = lim.idle_timeout_ms = 10000;
	t = tsrv_new(&lim, M_STREAM);
	fd = tsrv_connect(t, 1);
	t->cfd = fd;
	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	{
		static char	 blob[65536];

		for (int i = 0; i < 64 && t->held != NULL; i++)
			ck_assert_int_eq(http_stream_write(t->held, blob,
			    sizeof(blob)), 0);
	}
	ck_assert_uint_gt(http_stream_pending(t->held), 0);
	t->want = 1;
	run_until(t, p_closes);
	ck_assert_int_eq(t->naborts, 1);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_conn_cap)
{
	struct http_limits	 lim = deflim;
	struct tsrv		*t;
	struct cli_resp		*r;
	int			 fd1, fd2, fd3, fd4;

	lim.max_conns = 2;
	t = tsrv_new(&lim, M_ECHO);
	fd1 = tsrv_connect(t, 1);
	fd2 = tsrv_connect(t, 2);
	ck_assert_int_eq(http_server_nconns(t->srv), 2);
	fd3 = tsrv_connect(t, 3);
	ck_assert_int_eq(http_server_nconns(t->srv), 2);
	tsrv_watch(t, fd3);
	r = final_response(t);
	ck_assert_int_eq(r->status, 503);
	ck_assert_str_eq(r->body, "{\"error\":\"too many connections\"}");
	ck_assert_str_eq(cli_resp_header(r, "Connection"), "close");
	cli_resp_free(r);
	t->want = 1;
	run_until(t, p_closes);
	ck_assert_uint_eq(t->closed[0], 3);
	close(fd3);

	/* A connection id in use is refused, and the fd closed. */
	{
		int	 sv[2];
		char	 c;

		ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
		ck_assert_int_eq(http_server_adopt(t->srv, sv[0], 1,
		    (void *)101), -1);
		ck_assert_int_eq(errno, EEXIST);
		ck_assert_int_eq(read(sv[1], &c, 1), 0);
		close(sv[1]);
	}

	/* One goes, one more fits. */
	client_close(t, fd1);
	ck_assert_int_eq(http_server_nconns(t->srv), 1);
	fd4 = tsrv_client(t, 4);
	ck_assert_int_eq(http_server_nconns(t->srv), 2);
	PUT(fd4, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	r = expect_responses(t, 1);
	ck_assert_int_eq(r->status, 200);
	cli_resp_free(r);
	close(fd2);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_client_gone)
{
	struct tsrv	*t = tsrv_new(&deflim, M_HOLD);
	int		 fd = tsrv_connect(t, 7);

	PUT(fd, "POST /long HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n"
	    "hi");
	run_until(t, p_held);
	ck_assert_uint_eq(t->held->connid, 7);
	ck_assert_ptr_eq(t->held->conn_arg, (void *)107);
	client_close(t, fd);
	/* Abort first (the request still readable), then close. */
	ck_assert_int_eq(t->naborts, 1);
	ck_assert_ptr_null(t->held);
	ck_assert_uint_eq(t->closed[0], 7);
	ck_assert_int_eq(http_server_nconns(t->srv), 0);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_close_conn)
{
	struct tsrv	*t = tsrv_new(&deflim, M_HOLD);
	int		 fd = tsrv_client(t, 9);

	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	http_server_close_conn(t->srv, 9);
	http_server_close_conn(t->srv, 9);	/* twice is harmless */
	http_server_close_conn(t->srv, 12345);	/* unknown: nothing */
	/* No callback from inside the call. */
	ck_assert_int_eq(t->naborts, 0);
	ck_assert_int_eq(t->ncloses, 0);
	t->want = 1;
	run_until(t, p_closes);
	ck_assert_int_eq(t->naborts, 1);
	run_until(t, p_eof);
	ck_assert_uint_eq(t->inlen, 0);
	ck_assert_int_eq(http_server_nconns(t->srv), 0);

	/* Answering after a close was asked for frees the request and
	 * calls no abort. */
	fd = tsrv_client(t, 10);
	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	http_server_close_conn(t->srv, 10);
	http_reply(t->held, 200, NULL, "x", 1);
	t->held = NULL;
	t->want = 2;
	run_until(t, p_closes);
	ck_assert_int_eq(t->naborts, 1);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_stream)
{
	struct http_limits	 lim = deflim;
	struct tsrv		*t;
	struct cli_resp		*r;
	static char		 blob[65536];
	int			 fd, rc, i;

	t = tsrv_new(&deflim, M_STREAM);
	fd = tsrv_client(t, 1);
	PUT(fd, "GET /events HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	ck_assert_int_eq(http_stream_write(t->held, "event: a\n", 9), 0);
	ck_assert_int_eq(http_stream_write(t->held, "", 0), 0);
	ck_assert_int_eq(http_stream_write(t->held, "data: 1\n\n", 9), 0);
	ck_assert_uint_gt(http_stream_pending(t->held), 18);
	run_until(t, p_drained);
	ck_assert_int_eq(nresponses(t), 0);	/* not finished yet */
	http_stream_end(t->held);
	t->held = NULL;
	r = expect_responses(t, 1);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(cli_resp_header(r, "Transfer-Encoding"), "chunked");
	ck_assert_str_eq(cli_resp_header(r, "Content-Type"),
	    "text/event-stream");
	ck_assert_str_eq(r->body, "event: a\ndata: 1\n\n");
	cli_resp_free(r);
	ck_assert_int_eq(t->eof, 0);	/* kept alive */
	tsrv_free(t);

	/* A subscriber that does not read: pending grows to the cap, then
	 * the write fails and the connection goes. */
	lim.max_pending = 256 * 1024;
	t = tsrv_new(&lim, M_STREAM);
	fd = tsrv_connect(t, 1);
	t->cfd = fd;
	PUT(fd, "GET /events HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	for (i = 0, rc = 0; i < 64; i++) {
		if ((rc = http_stream_write(t->held, blob, sizeof(blob))) == -1)
			break;
		run_ready(t);
	}
	ck_assert_int_eq(rc, -1);
	ck_assert_int_eq(errno, ENOBUFS);
	ck_assert_int_eq(t->naborts, 0);	/* not from inside the call */
	ck_assert_int_eq(http_stream_write(t->held, "x", 1), -1);
	t->want = 1;
	run_until(t, p_closes);
	ck_assert_int_eq(t->naborts, 1);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_http10)
{
	struct tsrv	*t = tsrv_new(&deflim, M_ECHO);
	struct cli_resp	*r;
	int		 fd = tsrv_client(t, 1);

	PUT(fd, "GET /k HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
	r = expect_responses(t, 1);
	ck_assert_str_eq(cli_resp_header(r, "Connection"), "keep-alive");
	cli_resp_free(r);
	t->inlen = 0;
	PUT(fd, "GET /c HTTP/1.0\r\n\r\n");
	r = final_response(t);
	ck_assert_str_eq(cli_resp_header(r, "Connection"), "close");
	ck_assert_str_eq(r->body, "1 /c ? 0 key=- ");
	cli_resp_free(r);
	tsrv_free(t);

	/* A stream to HTTP/1.0 is raw and ends with the connection. */
	t = tsrv_new(&deflim, M_STREAM);
	fd = tsrv_client(t, 1);
	PUT(fd, "GET /s HTTP/1.0\r\n\r\n");
	run_until(t, p_held);
	ck_assert_int_eq(http_stream_write(t->held, "abc", 3), 0);
	http_stream_end(t->held);
	t->held = NULL;
	r = final_response(t);
	ck_assert_ptr_null(cli_resp_header(r, "Transfer-Encoding"));
	ck_assert_ptr_null(cli_resp_header(r, "Content-Length"));
	ck_assert_str_eq(r->body, "abc");
	cli_resp_free(r);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_half_close)
{
	struct tsrv	*t = tsrv_new(&deflim, M_ECHO);
	struct cli_resp	*r;
	int		 fd = tsrv_connect(t, 1);

	/* Request, then the client shuts its sending side: it still gets
	 * its answer (given at once), then the close. */
	tsrv_watch(t, fd);
	PUT(fd, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n");
	ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
	r = final_response(t);
	ck_assert_int_eq(r->status, 200);
	cli_resp_free(r);
	tsrv_free(t);
}
END_TEST

START_TEST(srv_reply_error_json)
{
	struct tsrv	*t = tsrv_new(&deflim, M_HOLD);
	struct cli_resp	*r;
	int		 fd = tsrv_client(t, 1);

	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	/* Only framing-neutral headers, only clean values. */
	ck_assert_int_eq(http_reply_add_header(t->held, "X-A", "1\r\nX-B: 2"),
	    -1);
	ck_assert_int_eq(http_reply_add_header(t->held, "X A", "1"), -1);
	ck_assert_int_eq(http_reply_add_header(t->held, "", "1"), -1);
	ck_assert_int_eq(http_reply_add_header(t->held, "content-length",
	    "1"), -1);
	ck_assert_int_eq(http_reply_add_header(t->held, "Connection",
	    "close"), -1);
	ck_assert_int_eq(http_reply_add_header(t->held, "Cache-Control",
	    "no-store"), 0);
	http_reply_error(t->held, 422, "bad \"%s\" \\ \n\t\001\177 %s %s",
	    "id", "\xff\xc3(", "caf\xc3\xa9 \xed\xa0\x80 \xf0\x9f\x98\x80");
	t->held = NULL;
	r = expect_responses(t, 1);
	ck_assert_int_eq(r->status, 422);
	ck_assert_str_eq(cli_resp_header(r, "Cache-Control"), "no-store");
	ck_assert_ptr_null(cli_resp_header(r, "X-B"));
	ck_assert_str_eq(r->body, "{\"error\":\"bad \\\"id\\\" \\\\ \\n\\t"
	    "\\u0001\\u007f \\ufffd\\ufffd( caf\xc3\xa9 \\ufffd\\ufffd\\ufffd "
	    "\xf0\x9f\x98\x80\"}");
	cli_resp_free(r);
	ck_assert_str_eq(http_status_text(431),
	    "Request Header Fields Too Large");
	ck_assert_str_eq(http_status_text(299), "");
	tsrv_free(t);
}
END_TEST

START_TEST(srv_free_with_held)
{
	struct tsrv	*t = tsrv_new(&deflim, M_HOLD);
	int		 fd = tsrv_connect(t, 5);

	t->cfd = fd;
	PUT(fd, "GET / HTTP/1.1\r\nHost: h\r\n\r\n");
	run_until(t, p_held);
	(void)tsrv_connect(t, 6);	/* an idle one too; fd closed by free */
	http_server_free(t->srv);
	t->srv = NULL;
	ck_assert_int_eq(t->naborts, 1);
	ck_assert_int_eq(t->ncloses, 2);
	ck_assert_ptr_eq(http_server_new(t->base, &(struct http_limits){ 0 },
	    t_req, t_abort, t_close, t), NULL);
	tsrv_free(t);
}
END_TEST

static Suite *
http_suite(void)
{
	Suite	*s = suite_create("http");
	TCase	*tc;

	tc = tcase_create("parser");
	tcase_add_test(tc, parse_get);
	tcase_add_test(tc, parse_bodies);
	tcase_add_test(tc, parse_misc_good);
	tcase_add_loop_test(tc, parse_reject, 0, nitems(bad));
	tcase_add_test(tc, parse_limits);
	tcase_add_test(tc, parse_pipelined);
	tcase_add_test(tc, query_lookup);
	suite_add_tcase(s, tc);

	tc = tcase_create("server");
	tcase_add_test(tc, srv_get_post);
	tcase_add_test(tc, srv_expect_continue);
	tcase_add_test(tc, srv_pipelined);
	tcase_add_test(tc, srv_head);
	tcase_add_test(tc, srv_reject);
	tcase_add_test(tc, srv_linger);
	tcase_add_test(tc, srv_input_bounded);
	tcase_add_test(tc, srv_header_limits);
	tcase_add_test(tc, srv_body_limit);
	tcase_add_test(tc, srv_timeouts);
	tcase_add_test(tc, srv_conn_cap);
	tcase_add_test(tc, srv_client_gone);
	tcase_add_test(tc, srv_close_conn);
	tcase_add_test(tc, srv_stream);
	tcase_add_test(tc, srv_http10);
	tcase_add_test(tc, srv_half_close);
	tcase_add_test(tc, srv_reply_error_json);
	tcase_add_test(tc, srv_free_with_held);
	suite_add_tcase(s, tc);

	suite_add_tcase(s, http_client_tcase());
	return s;
}

int
main(void)
{
	SRunner	*sr = srunner_create(http_suite());
	int	 nfail;

	/* libevent writes with writev: a gone peer must not kill us. */
	signal(SIGPIPE, SIG_IGN);
	srunner_run_all(sr, CK_NORMAL);
	nfail = srunner_ntests_failed(sr);
	srunner_free(sr);
	return nfail == 0 ? 0 : 1;
}
