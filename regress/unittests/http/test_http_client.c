/*
 * agentsh's HTTP client: its response and event-stream parsers fed bytes
 * (whole and in pieces), its server URLs, and client and agentshd's server
 * meeting over a Unix socket.
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

/* What the end-to-end server needs of its loop. */
struct e2e_srv {
	struct event_base	*base;
	struct http_server	*srv;
};

/* ------------------------------------------------------------------ */
/* The client's parsers */

/* Reads a whole response from raw in pieces of step; 0 or -1. */
static int
read_resp(const char *raw, size_t len, size_t step, int head,
    struct cli_resp **rp, enum cli_err *err)
{
	struct msrc		 m = { (const uint8_t *)raw, len, 0, step };
	struct cli_src		 src = { msrc_read, &m };
	struct cli_reader	*rd;
	struct cli_resp		*r;
	char			 tmp[7];
	ssize_t			 n;
	int			 ret = -1;

	ck_assert_ptr_nonnull(rd = cli_reader_new(&src, head));
	ck_assert_ptr_nonnull(r = calloc(1, sizeof(*r)));
	ck_assert_ptr_nonnull(r->body = calloc(1, 1));
	if (cli_reader_head(rd, r) == -1)
		goto out;
	while ((n = cli_reader_body(rd, tmp, sizeof(tmp))) > 0) {
		r->body = realloc(r->body, r->bodylen + (size_t)n + 1);
		memcpy(r->body + r->bodylen, tmp, (size_t)n);
		r->bodylen += (size_t)n;
		r->body[r->bodylen] = '\0';
	}
	if (n == 0)
		ret = 0;
 out:
	*err = cli_reader_errcode(rd);
	if (ret == -1)
		ck_assert_str_ne(cli_reader_error(rd), "");
	cli_reader_free(rd);
	if (ret == 0)
		*rp = r;
	else
		cli_resp_free(r);
	return ret;
}

#define RESP(raw, head, rp, err) read_resp(raw, sizeof(raw) - 1, 0, head, rp, err)

START_TEST(client_responses)
{
	struct cli_resp	*r;
	enum cli_err	 e;

	ck_assert_int_eq(RESP("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n"
	    "X: a b \r\n\r\nhelloEXTRA", 0, &r, &e), 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, "hello");
	ck_assert_str_eq(cli_resp_header(r, "x"), "a b");
	cli_resp_free(r);

	/* Bare LF is tolerated; a 100 is skipped; chunks with extensions
	 * and trailers. */
	ck_assert_int_eq(RESP("HTTP/1.1 100 Continue\n\nHTTP/1.1 201\n"
	    "Transfer-Encoding: chunked\n\n3;x=1\r\nabc\r\nA\r\n0123456789\n"
	    "0\r\nT: 1\r\n\r\n", 0, &r, &e), 0);
	ck_assert_int_eq(r->status, 201);
	ck_assert_str_eq(r->body, "abc0123456789");
	cli_resp_free(r);

	/* Until close. */
	ck_assert_int_eq(RESP("HTTP/1.0 200 OK\r\n\r\nall of it", 0, &r,
	    &e), 0);
	ck_assert_str_eq(r->body, "all of it");
	cli_resp_free(r);

	/* HEAD, 204 and 304 have no body whatever the headers say. */
	ck_assert_int_eq(RESP("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n",
	    1, &r, &e), 0);
	ck_assert_uint_eq(r->bodylen, 0);
	cli_resp_free(r);
	ck_assert_int_eq(RESP("HTTP/1.1 204 No Content\r\n\r\n", 0, &r, &e),
	    0);
	ck_assert_uint_eq(r->bodylen, 0);
	cli_resp_free(r);
	ck_assert_int_eq(RESP("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n"
	    "Content-Length: 2\r\n\r\nok", 0, &r, &e), 0);
	cli_resp_free(r);
}
END_TEST

static const struct {
	const char	*name;
	const char	*raw;
	enum cli_err	 err;
} bad_resp[] = {
	{ "empty", "", CLI_E_IO },
	{ "not HTTP", "SSH-2.0-OpenSSH\r\n\r\n", CLI_E_PROTO },
	{ "HTTP/2", "HTTP/2 200 OK\r\n\r\n", CLI_E_PROTO },
	{ "short status", "HTTP/1.1 20 OK\r\n\r\n", CLI_E_PROTO },
	{ "status 099", "HTTP/1.1 099 x\r\n\r\n", CLI_E_PROTO },
	{ "status junk", "HTTP/1.1 200x\r\n\r\n", CLI_E_PROTO },
	{ "101", "HTTP/1.1 101 Switching\r\n\r\n", CLI_E_PROTO },
	{ "truncated head", "HTTP/1.1 200 OK\r\nContent-Le", CLI_E_IO },
	{ "truncated body", "HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nab",
	    CLI_E_IO },
	{ "truncated chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n5\r\nab", CLI_E_IO },
	{ "no last chunk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n1\r\na\r\n", CLI_E_IO },
	{ "NUL in header", "HTTP/1.1 200 OK\r\nX: \0\r\n\r\n", CLI_E_PROTO },
	{ "no colon", "HTTP/1.1 200 OK\r\nJunk\r\n\r\n", CLI_E_PROTO },
	{ "space in name", "HTTP/1.1 200 OK\r\nA b: 1\r\n\r\n", CLI_E_PROTO },
	{ "conflicting lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	    "Content-Length: 2\r\n\r\nab", CLI_E_PROTO },
	{ "signed length", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
	    CLI_E_PROTO },
	{ "length overflow", "HTTP/1.1 200 OK\r\nContent-Length: "
	    "99999999999999999999999\r\n\r\n", CLI_E_PROTO },
	{ "TE and CL", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\n"
	    "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n", CLI_E_PROTO },
	{ "TE gzip", "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n",
	    CLI_E_PROTO },
	{ "chunk size junk", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\nzz\r\n", CLI_E_PROTO },
	{ "chunk overflow", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n100000000000000000\r\n", CLI_E_PROTO },
	{ "chunk too long", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
	    "\r\n\r\n1\r\nabc\r\n0\r\n\r\n", CLI_E_PROTO },
	{ "interim forever", "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n"
	    "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n"
	    "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\nHTTP/1.1 100 A\r\n\r\n"
	    "HTTP/1.1 100 A\r\n\r\nHTTP/1.1 200 A\r\n\r\n", CLI_E_PROTO },
};

START_TEST(client_bad_responses)
{
	struct cli_resp	*r;
	enum cli_err	 e;
	size_t		 len = strlen(bad_resp[_i].raw);

	if (strcmp(bad_resp[_i].name, "NUL in header") == 0)
		len = sizeof("HTTP/1.1 200 OK\r\nX: \0\r\n\r\n") - 1;
	for (size_t step = 0; step < 3; step += 2) {
		ck_assert_msg(read_resp(bad_resp[_i].raw, len, step, 0, &r,
		    &e) == -1 && e == bad_resp[_i].err, "%s: error %d, want %d",
		    bad_resp[_i].name, e, bad_resp[_i].err);
	}
}
END_TEST

START_TEST(client_response_limits)
{
	struct cli_resp	*r;
	enum cli_err	 e;
	char		*buf;
	size_t		 n, cap = CLI_MAX_HEAD * 2;
	int		 i;

	ck_assert_ptr_nonnull(buf = malloc(cap));
	/* Too many fields. */
	n = (size_t)snprintf(buf, cap, "HTTP/1.1 200 OK\r\n");
	for (i = 0; i <= CLI_MAX_FIELDS; i++)
		n += (size_t)snprintf(buf + n, cap - n, "X: %d\r\n", i);
	n += (size_t)snprintf(buf + n, cap - n, "\r\n");
	ck_assert_int_eq(read_resp(buf, n, 0, 0, &r, &e), -1);
	ck_assert_int_eq(e, CLI_E_PROTO);
	/* A line too long. */
	n = (size_t)snprintf(buf, cap, "HTTP/1.1 200 OK\r\nX: ");
	memset(buf + n, 'a', CLI_MAX_LINE);
	n += CLI_MAX_LINE;
	n += (size_t)snprintf(buf + n, cap - n, "\r\n\r\n");
	ck_assert_int_eq(read_resp(buf, n, 0, 0, &r, &e), -1);
	ck_assert_int_eq(e, CLI_E_PROTO);
	/* A header section too large in total. */
	n = (size_t)snprintf(buf, cap, "HTTP/1.1 200 OK\r\n");
	for (i = 0; n < CLI_MAX_HEAD + 100; i++) {
		memset(buf + n, 'b', 4000);
		memcpy(buf + n, "X:", 2);
		n += 4000;
		n += (size_t)snprintf(buf + n, cap - n, "\r\n");
	}
	n += (size_t)snprintf(buf + n, cap - n, "\r\n");
	ck_assert_int_eq(read_resp(buf, n, 0, 0, &r, &e), -1);
	ck_assert_int_eq(e, CLI_E_PROTO);
	free(buf);
}
END_TEST

/* Feeds an event stream as a chunked response, in pieces of step. */
static int
sse_all(const char *stream, size_t step, char *out, size_t outlen)
{
	struct msrc		 m;
	struct cli_src		 src = { msrc_read, &m };
	struct cli_reader	*rd;
	struct cli_sse		*s;
	struct cli_sse_event	 ev;
	struct cli_resp		 resp = { 0 };
	char			*raw;
	int			 n, r;
	size_t			 o = 0;

	n = asprintf(&raw, "HTTP/1.1 200 OK\r\nContent-Type: "
	    "text/event-stream\r\nContent-Length: %zu\r\n\r\n%s",
	    strlen(stream), stream);
	ck_assert_int_gt(n, 0);
	m.p = (const uint8_t *)raw;
	m.len = (size_t)n;
	m.off = 0;
	m.step = step;
	ck_assert_ptr_nonnull(rd = cli_reader_new(&src, 0));
	ck_assert_ptr_nonnull(s = cli_sse_new());
	ck_assert_int_eq(cli_reader_head(rd, &resp), 0);
	out[0] = '\0';
	while ((r = cli_sse_next(s, rd, &ev)) == 1) {
		ck_assert_uint_eq(strlen(ev.data), ev.datalen);
		o += (size_t)snprintf(out + o, outlen - o, "[%s|%s]", ev.event,
		    ev.data);
		ck_assert_uint_lt(o, outlen);
	}
	cli_sse_free(s);
	cli_reader_free(rd);
	for (size_t i = 0; i < resp.nheaders; i++) {
		free(resp.headers[i].name);
		free(resp.headers[i].value);
	}
	free(resp.headers);
	free(raw);
	return r;
}

START_TEST(client_sse)
{
	static const char stream[] =
	    "\xef\xbb\xbf: a comment\r\n"
	    "event: ready\r\ndata: {}\r\n\r\n"		/* CRLF */
	    "data: line 1\ndata:line 2\ndata:  two spaces\n\n"	/* LF */
	    "event: x\revent: stdout\rdata: cr\r\r"	/* CR only */
	    "event: empty\n\n"				/* no data: none */
	    "data\n\n"					/* empty data */
	    "id: 7\nretry: 10\nfoo: bar\ndata: after unknown\n\n"
	    "data: no end";				/* dropped */
	static const char want[] =
	    "[ready|{}][message|line 1\nline 2\n two spaces][stdout|cr]"
	    "[message|][message|after unknown]";
	char	 out[1024];

	for (size_t step = 0; step < 4; step++) {
		ck_assert_int_eq(sse_all(stream, step, out, sizeof(out)), 0);
		ck_assert_str_eq(out, want);
	}
	/* An event name with a NUL, or one too long: an error. */
	{
		char	 big[CLI_MAX_EVENT_NAME + 32];

		ck_assert_int_eq(sse_all("event: a\n\n", 0, out, sizeof(out)),
		    0);
		snprintf(big, sizeof(big), "event: %0*d\ndata: x\n\n",
		    CLI_MAX_EVENT_NAME + 1, 0);
		ck_assert_int_eq(sse_all(big, 0, out, sizeof(out)), -1);
	}
}
END_TEST

START_TEST(client_server_urls)
{
	struct cli_server	 s;
	char			 err[256];
	static const char *const bad_urls[] = {
		"https://h:1", "ftp://h", "unix://relative/p", "unix:", "h:80",
		"http://", "http://h:0", "http://h:65536", "http://h:x",
		"http://h:", "http://u@h", "http://h/?q", "http://h/#f",
		"http://[::1", "http://[zz]:1", "http://[::1]x", "http://h h",
		"http://h_!:1", NULL
	};

	ck_assert_int_eq(cli_server_parse("unix:///run/a.sock", &s, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(s.is_unix, 1);
	ck_assert_str_eq(s.path, "/run/a.sock");
	ck_assert_str_eq(s.url, "unix:///run/a.sock");
	ck_assert_int_eq(cli_server_is_local(&s), 1);
	ck_assert_int_eq(cli_server_parse("UNIX:/x", &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.path, "/x");

	ck_assert_int_eq(cli_server_parse("http://127.0.0.1:18080", &s, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(s.is_unix, 0);
	ck_assert_str_eq(s.host, "127.0.0.1");
	ck_assert_str_eq(s.port, "18080");
	ck_assert_str_eq(s.prefix, "");
	ck_assert_int_eq(cli_server_is_local(&s), 1);
	ck_assert_int_eq(cli_server_parse("http://[::1]:8080/base//", &s, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(s.host, "::1");
	ck_assert_str_eq(s.prefix, "/base");
	ck_assert_str_eq(s.url, "http://[::1]:8080/base");
	ck_assert_int_eq(cli_server_is_local(&s), 1);
	ck_assert_int_eq(cli_server_parse("http://agents.example", &s, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(s.port, "80");
	ck_assert_int_eq(cli_server_is_local(&s), 0);
	ck_assert_int_eq(cli_server_parse("http://localhost:1", &s, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(cli_server_is_local(&s), 1);
	ck_assert_int_eq(cli_server_parse("http://10.0.0.1:1", &s, err,
	    sizeof(err)), 0);
	ck_assert_int_eq(cli_server_is_local(&s), 0);
	ck_assert_int_eq(cli_server_parse("http://[::ffff:127.0.0.2]:1", &s,
	    err, sizeof(err)), 0);
	ck_assert_int_eq(cli_server_is_local(&s), 1);

	for (int i = 0; bad_urls[i] != NULL; i++) {
		err[0] = '\0';
		ck_assert_msg(cli_server_parse(bad_urls[i], &s, err,
		    sizeof(err)) == -1, "%s accepted", bad_urls[i]);
		ck_assert_msg(err[0] != '\0', "%s: no message", bad_urls[i]);
	}
	ck_assert_int_eq(cli_server_parse("https://h", &s, err, sizeof(err)),
	    -1);
	ck_assert_ptr_nonnull(strstr(err, "https is not supported"));
}
END_TEST

START_TEST(client_default_server)
{
	char			 dir[] = "/tmp/agentsh-http.XXXXXX", a[128], b[128];
	const char		*socks[] = { a, b, NULL };
	struct cli_server	 s;
	char			 err[256];
	int			 fd;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(a, sizeof(a), "%s/user.sock", dir);
	snprintf(b, sizeof(b), "%s/system.sock", dir);
	/* Neither: TCP on loopback. */
	ck_assert_int_eq(cli_server_default(socks, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.is_unix, 0);
	ck_assert_str_eq(s.url, CLI_DEFAULT_URL);
	ck_assert_int_eq(s.defaulted, 1);
	/* The system one exists (anything there counts). */
	ck_assert_int_ge(fd = open(b, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	ck_assert_int_eq(cli_server_default(socks, &s, err, sizeof(err)), 0);
	ck_assert_int_eq(s.is_unix, 1);
	ck_assert_str_eq(s.path, b);
	/* The user's comes first. */
	ck_assert_int_ge(fd = open(a, O_CREAT | O_WRONLY, 0600), 0);
	close(fd);
	ck_assert_int_eq(cli_server_default(socks, &s, err, sizeof(err)), 0);
	ck_assert_str_eq(s.path, a);
	unlink(a);
	unlink(b);
	rmdir(dir);

	/* --server wins over everything. */
	ck_assert_int_eq(cli_server_resolve("http://h:1", &s, err,
	    sizeof(err)), 0);
	ck_assert_str_eq(s.host, "h");
	ck_assert_int_eq(s.defaulted, 0);

	{
		char	*e = cli_escape("a b/c?d=é~._-");

		ck_assert_str_eq(e, "a%20b%2Fc%3Fd%3D%C3%A9~._-");
		free(e);
	}
}
END_TEST

/* ------------------------------------------------------------------ */
/* Client and server over a Unix socket */

static const char *const e2e_events[] = {
	"event: ready\ndata: {}\n\n",
	": keep-alive\n\n",
	"event: stdout\ndata: {\"data\":\"a\"}\ndata: more\n\n",
	"event: done\r\ndata: {\"exit_code\":0}\r\n\r\n",
};

static void
e2e_accept(evutil_socket_t fd, short what, void *arg)
{
	static uint64_t	 id = 1;
	struct e2e_srv	*t = arg;
	int		 c;

	if ((c = accept(fd, NULL, NULL)) == -1)
		return;
	(void)http_server_adopt(t->srv, c, id, (void *)(uintptr_t)(id + 100));
	id++;
}

static void
e2e_req(struct http_req *req, void *arg)
{
	const char		*key;
	char			 buf[256];
	int			 n;

	if (strcmp(req->path, "/sse") == 0) {
		http_stream_start(req, 200, "text/event-stream");
		for (size_t i = 0; i < nitems(e2e_events); i++)
			http_stream_write(req, e2e_events[i],
			    strlen(e2e_events[i]));
		http_stream_end(req);
		return;
	}
	if (strcmp(req->path, "/never") == 0)
		return;		/* held until the client gives up */
	key = http_req_header(req, "X-API-Key");
	if (key == NULL)
		key = http_req_header(req, "Other-Key");
	n = snprintf(buf, sizeof(buf), "{\"m\":%d,\"path\":\"%s\","
	    "\"key\":\"%s\",\"len\":%zu,\"ct\":\"%s\"}", req->method,
	    req->path, key != NULL ? key : "", req->bodylen,
	    http_req_header(req, "Content-Type") ? "json" : "");
	http_reply(req, strcmp(req->path, "/missing") == 0 ? 404 : 200,
	    "application/json", buf, (size_t)n);
}

static void
e2e_abort(struct http_req *req, void *arg)
{
}

static void
e2e_close(uint64_t id, void *carg, void *arg)
{
}

/* Serves on path from a child; returns its pid. */
static pid_t
e2e_server(const char *path)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct event_base	*base;
	struct event		*ev;
	struct e2e_srv		 t = { 0 };
	pid_t			 pid;
	int			 s;

	strlcpy(sun.sun_path, path, sizeof(sun.sun_path));
	ck_assert_int_ge(s = socket(AF_UNIX, SOCK_STREAM, 0), 0);
	ck_assert_int_eq(bind(s, (struct sockaddr *)&sun, sizeof(sun)), 0);
	ck_assert_int_eq(listen(s, 16), 0);
	if ((pid = fork()) != 0) {
		close(s);
		return pid;
	}
	base = event_base_new();
	t.base = base;
	t.srv = http_server_new(base, &deflim, e2e_req, e2e_abort, e2e_close,
	    &t);
	ev = event_new(base, s, EV_READ | EV_PERSIST, e2e_accept, &t);
	event_add(ev, NULL);
	event_base_dispatch(base);
	_exit(0);
}

START_TEST(client_e2e)
{
	char			 dir[] = "/tmp/agentsh-http.XXXXXX", path[128];
	char			 url[160], err[256], buf[64];
	struct cli_server	 srv;
	struct cli_client	*c;
	struct cli_resp		*r;
	struct cli_stream	*s;
	struct cli_sse_event	 ev;
	pid_t			 pid;
	int			 n, st;

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/agentsh.sock", dir);
	snprintf(url, sizeof(url), "unix://%s", path);

	/* Nothing there yet: unreachable, naming the socket. */
	ck_assert_int_eq(cli_server_parse(url, &srv, err, sizeof(err)), 0);
	ck_assert_ptr_nonnull(c = cli_client_new(&srv, "sekrit", 5000));
	ck_assert_int_eq(cli_request(c, "GET", "/health", NULL, 0, &r), -1);
	ck_assert_int_eq(cli_client_errcode(c), CLI_E_UNREACHABLE);
	ck_assert_ptr_nonnull(strstr(cli_client_error(c),
	    "cannot reach the agentsh server at unix:///tmp/"));

	pid = e2e_server(path);
	ck_assert_int_eq(cli_request(c, "GET", "/health", NULL, 0, &r), 0);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(r->body, "{\"m\":1,\"path\":\"/health\","
	    "\"key\":\"sekrit\",\"len\":0,\"ct\":\"\"}");
	cli_resp_free(r);
	ck_assert_int_eq(cli_request(c, "POST", "/api/v1/sessions", "{\"a\":1}",
	    7, &r), 0);
	ck_assert_str_eq(r->body, "{\"m\":3,\"path\":\"/api/v1/sessions\","
	    "\"key\":\"sekrit\",\"len\":7,\"ct\":\"json\"}");
	cli_resp_free(r);
	ck_assert_int_eq(cli_request(c, "GET", "/missing", NULL, 0, &r), 0);
	ck_assert_int_eq(r->status, 404);
	cli_resp_free(r);
	ck_assert_int_eq(cli_request(c, "HEAD", "/h", NULL, 0, &r), 0);
	ck_assert_uint_eq(r->bodylen, 0);
	cli_resp_free(r);
	/* The header name is configurable; bad names and keys refused. */
	ck_assert_int_eq(cli_client_set_key_header(c, "Bad Name"), -1);
	ck_assert_int_eq(cli_client_set_key_header(c, "Other-Key"), 0);
	ck_assert_int_eq(cli_request(c, "GET", "/k", NULL, 0, &r), 0);
	ck_assert_ptr_nonnull(strstr(r->body, "\"key\":\"sekrit\""));
	cli_resp_free(r);
	ck_assert_int_eq(cli_request(c, "GET", "no-slash", NULL, 0, &r), -1);
	ck_assert_int_eq(cli_client_errcode(c), CLI_E_URL);
	cli_client_free(c);
	ck_assert_ptr_nonnull(c = cli_client_new(&srv, "a\r\nX: y", 5000));
	ck_assert_int_eq(cli_request(c, "GET", "/", NULL, 0, &r), -1);
	ck_assert_int_eq(cli_client_errcode(c), CLI_E_URL);
	cli_client_free(c);

	/* Server-sent events. */
	ck_assert_ptr_nonnull(c = cli_client_new(&srv, NULL, 5000));
	ck_assert_int_eq(cli_stream_open(c, "GET", "/sse", NULL, 0, &s), 0);
	ck_assert_int_eq(cli_stream_resp(s)->status, 200);
	ck_assert_int_eq(cli_stream_event(s, &ev, -1), 1);
	ck_assert_str_eq(ev.event, "ready");
	ck_assert_str_eq(ev.data, "{}");
	ck_assert_int_eq(cli_stream_event(s, &ev, -1), 1);
	ck_assert_str_eq(ev.event, "stdout");
	ck_assert_str_eq(ev.data, "{\"data\":\"a\"}\nmore");
	ck_assert_int_eq(cli_stream_event(s, &ev, -1), 1);
	ck_assert_str_eq(ev.event, "done");
	ck_assert_int_eq(cli_stream_event(s, &ev, -1), 0);
	cli_stream_close(s);
	/* The same as raw chunked output. */
	ck_assert_int_eq(cli_stream_open(c, "GET", "/sse", NULL, 0, &s), 0);
	n = 0;
	while ((st = (int)cli_stream_read(s, buf, sizeof(buf), 5000)) > 0)
		n += st;
	ck_assert_int_eq(st, 0);
	for (size_t i = 0; i < nitems(e2e_events); i++)
		n -= (int)strlen(e2e_events[i]);
	ck_assert_int_eq(n, 0);
	cli_stream_close(s);
	cli_client_free(c);

	/* A server that does not answer: the request's timeout. */
	ck_assert_ptr_nonnull(c = cli_client_new(&srv, NULL, 100));
	ck_assert_int_eq(cli_request(c, "GET", "/never", NULL, 0, &r), -1);
	ck_assert_int_eq(cli_client_errcode(c), CLI_E_TIMEOUT);
	cli_client_free(c);

	/* SIGKILL: the child inherited Check's SIGTERM handler, which
	 * signals the whole process group. */
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);

	/* A socket left behind by a dead server: unreachable, and named. */
	ck_assert_ptr_nonnull(c = cli_client_new(&srv, NULL, 5000));
	ck_assert_int_eq(cli_request(c, "GET", "/", NULL, 0, &r), -1);
	ck_assert_int_eq(cli_client_errcode(c), CLI_E_UNREACHABLE);
	ck_assert_ptr_nonnull(strstr(cli_client_error(c), path));
	cli_client_free(c);
	unlink(path);
	rmdir(dir);
}
END_TEST

TCase *
http_client_tcase(void)
{
	TCase	*tc = tcase_create("client");

	tcase_add_test(tc, client_responses);
	tcase_add_loop_test(tc, client_bad_responses, 0, nitems(bad_resp));
	tcase_add_test(tc, client_response_limits);
	tcase_add_test(tc, client_sse);
	tcase_add_test(tc, client_server_urls);
	tcase_add_test(tc, client_default_server);
	tcase_add_test(tc, client_e2e);
	return tc;
}
