/*
 * libFuzzer harness for agentshd's HTTP request parser: the input is the
 * byte stream of one connection.  It is parsed whole, byte by byte and in
 * odd-sized pieces; every request that comes out is checked and taken
 * apart with the accessors, and all three ways must see the same requests
 * and end the same way.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentshd/http.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const struct http_limits lim = {
	.max_header_bytes = 1024,
	.max_body = 4096,
	.read_timeout_ms = 1000,
	.write_timeout_ms = 1000,
	.idle_timeout_ms = 1000,
	.max_conns = 1,
};

struct summary {
	int		 nreq;
	int		 status;	/* of the error that ended it, or 0 */
	uint64_t	 hash;		/* of everything the requests hold */
};

static void
mix(uint64_t *h, const void *p, size_t n)
{
	const uint8_t	*b = p;

	while (n-- > 0)
		*h = (*h ^ *b++) * 0x100000001b3ULL;
	*h = (*h ^ 0xff) * 0x100000001b3ULL;
}

static void
check(const struct http_req *req, struct summary *s)
{
	static const char *const known[] = { "a", "limit", NULL };
	char		*v, key[16];
	size_t		 i;

	if (req->path == NULL || req->query == NULL || req->target == NULL ||
	    req->body == NULL || req->bodylen > lim.max_body ||
	    req->body[req->bodylen] != '\0' || req->nheaders > HTTP_MAX_HEADERS)
		abort();
	if (req->path[0] != '/' && strcmp(req->path, "*") != 0)
		abort();
	if (req->method < HTTP_GET || req->method > HTTP_OPTIONS ||
	    (req->minor != 0 && req->minor != 1))
		abort();
	mix(&s->hash, req->target, strlen(req->target));
	mix(&s->hash, req->path, strlen(req->path));
	mix(&s->hash, req->body, req->bodylen);
	for (i = 0; i < req->nheaders; i++) {
		if (strpbrk(req->headers[i].value, "\r\n") != NULL)
			abort();
		mix(&s->hash, req->headers[i].name,
		    strlen(req->headers[i].name));
		mix(&s->hash, req->headers[i].value,
		    strlen(req->headers[i].value));
	}
	(void)http_req_header(req, "content-length");
	if (http_req_query(req, "a", &v) == 1) {
		mix(&s->hash, v, strlen(v));
		free(v);
	}
	(void)http_req_query_check(req, known, key, sizeof(key));
}

static void
run(const uint8_t *data, size_t size, size_t step, struct summary *s)
{
	struct http_parser	*p;
	struct http_req		*req;
	enum http_parse_rc	 rc;
	size_t			 off = 0, n, used;
	const char		*why;

	memset(s, 0, sizeof(*s));
	if ((p = http_parser_new(&lim)) == NULL)
		abort();
	while (off < size) {
		n = step == 0 || size - off < step ? size - off : step;
		rc = http_parser_feed(p, data + off, n, &used);
		if (rc == HTTP_PARSE_ERROR) {
			s->status = http_parser_error(p, &why);
			if (why == NULL || s->status < 400 || s->status > 505)
				abort();
			break;
		}
		if (used > n || (rc == HTTP_PARSE_MORE && used != n))
			abort();
		off += used;
		if (rc == HTTP_PARSE_BODY &&
		    http_parser_request(p) == NULL)
			abort();
		if (rc == HTTP_PARSE_DONE) {
			if ((req = http_parser_take(p)) == NULL)
				abort();
			check(req, s);
			http_req_free(req);
			s->nreq++;
		}
	}
	http_parser_free(p);
}

static int
same(const struct summary *a, const struct summary *b)
{
	return a->nreq == b->nreq && a->status == b->status &&
	    a->hash == b->hash;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary	 whole, bytes, odd;

	run(data, size, 0, &whole);
	run(data, size, 1, &bytes);
	run(data, size, size % 13 + 2, &odd);
	if (!same(&whole, &bytes) || !same(&whole, &odd))
		abort();
	return 0;
}
