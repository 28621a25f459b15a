/*
 * The HTTP/1.1 request parser (rules in http.h).  It is fed whatever bytes
 * arrived, consumes at most one request, and keeps everything it needs in
 * its own bounded buffers, so the socket layer and the fuzzer drive it the
 * same way.  The header section is collected whole (at most
 * max_header_bytes, checked byte by byte as it arrives: NUL, bare CR and
 * bare LF fail at once) and then parsed in place; the body is copied into
 * a buffer that grows up to the announced or max_body size.
 */
#include "compat.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agentshd/http.h"

enum pstate {
	PS_HEAD = 0,
	PS_BODY,		/* Content-Length bytes */
	PS_CHUNK_SIZE,
	PS_CHUNK_EXT,
	PS_CHUNK_SIZE_LF,
	PS_CHUNK_DATA,
	PS_CHUNK_DATA_CR,
	PS_CHUNK_DATA_LF,
	PS_TRAILER,
	PS_DONE,
	PS_ERROR
};

/* Trailer fields are checked as they stream past, then dropped. */
enum tstate {
	TR_LINE_START = 0,
	TR_NAME,
	TR_VALUE,
	TR_LF,			/* CR seen, LF must follow */
	TR_END_LF		/* CR of the empty line seen */
};

struct http_parser {
	struct http_limits	 lim;
	enum pstate		 state;

	/* header section */
	char			*hbuf;
	size_t			 hlen;		/* bytes stored */
	size_t			 hcap;
	size_t			 hseen;		/* bytes counted, incl. CRLFs */
	size_t			 line_start;	/* current line in hbuf */
	size_t			 nlines;	/* complete lines stored */
	int			 prev_cr;

	struct http_req		*req;		/* being built */

	/* body */
	size_t			 bodycap;
	size_t			 remaining;	/* of the body or the chunk */
	size_t			 chunk_size;
	size_t			 chunk_line;	/* bytes of this chunk line */
	int			 chunk_digits;
	size_t			 tseen;		/* trailer bytes */
	enum tstate		 tstate;

	int			 status;
	const char		*why;
};

#define DEC_PATH	 0x01	/* no %2F, no decoded control characters */
#define DEC_PLUS	 0x02	/* '+' is a space (query strings) */

static const struct {
	const char		*name;
	enum http_method	 method;
} methods[] = {
	{ "GET",	HTTP_GET },
	{ "HEAD",	HTTP_HEAD },
	{ "POST",	HTTP_POST },
	{ "PUT",	HTTP_PUT },
	{ "PATCH",	HTTP_PATCH },
	{ "DELETE",	HTTP_DELETE },
	{ "OPTIONS",	HTTP_OPTIONS },
};

/* RFC 9110 5.6.2 tchar */
static int
is_tchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* field-vchar / SP / HTAB, obs-text included (RFC 9110 5.5) */
static int
is_value_char(unsigned char c)
{
	return c == '\t' || (c >= 0x20 && c != 0x7f);
}

/* RFC 3986 pchar without pct-encoded, which the decoder handles */
static int
is_pchar(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("-._~!$&'()*+,;=:@", c) != NULL;
}

static int
hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Percent-decodes n bytes of s into out (room for n + 1; NULL only to
 * check).  -1 for a malformed escape, %00, and with DEC_PATH an encoded
 * '/' or a decoded control character.
 */
static int
pct_decode(const char *s, size_t n, char *out, int flags)
{
	size_t		 i, o = 0;
	int		 hi, lo;
	unsigned char	 c;

	for (i = 0; i < n; i++) {
		c = (unsigned char)s[i];
		if (c == '%') {
			if (n - i < 3 || (hi = hexval(s[i + 1])) == -1 ||
			    (lo = hexval(s[i + 2])) == -1)
				return -1;
			c = (unsigned char)(hi << 4 | lo);
			i += 2;
			if (c == '\0')
				return -1;
			if ((flags & DEC_PATH) &&
			    (c == '/' || c < 0x20 || c == 0x7f))
				return -1;
		} else if (c == '+' && (flags & DEC_PLUS))
			c = ' ';
		if (out != NULL)
			out[o++] = (char)c;
	}
	if (out != NULL)
		out[o] = '\0';
	return 0;
}

static enum http_parse_rc
fail(struct http_parser *p, int status, const char *why)
{
	p->state = PS_ERROR;
	p->status = status;
	p->why = why;
	return HTTP_PARSE_ERROR;
}

struct http_parser *
http_parser_new(const struct http_limits *lim)
{
	struct http_parser	*p;

	if (lim->max_header_bytes < HTTP_MIN_HEADER_BYTES ||
	    lim->max_header_bytes > HTTP_MAX_HEADER_BYTES ||
	    lim->max_body > HTTP_MAX_BODY) {
		errno = EINVAL;
		return NULL;
	}
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->lim = *lim;
	return p;
}

void
http_req_free(struct http_req *req)
{
	if (req == NULL)
		return;
	free(req->hbuf);
	free(req->headers);
	free(req->path);
	free(req->body);
	free(req);
}

static void
parser_reset(struct http_parser *p)
{
	http_req_free(p->req);
	p->req = NULL;
	p->hlen = p->hseen = p->line_start = p->nlines = 0;
	p->prev_cr = 0;
	p->bodycap = p->remaining = p->chunk_size = p->chunk_line = 0;
	p->chunk_digits = 0;
	p->tseen = 0;
	p->tstate = TR_LINE_START;
	p->status = 0;
	p->why = NULL;
	p->state = PS_HEAD;
}

void
http_parser_free(struct http_parser *p)
{
	if (p == NULL)
		return;
	http_req_free(p->req);
	free(p->hbuf);
	free(p);
}

int
http_parser_started(const struct http_parser *p)
{
	return p->state != PS_HEAD || p->hseen > 0;
}

int
http_parser_in_request_line(const struct http_parser *p)
{
	return p->state == PS_HEAD && p->nlines == 0;
}

const struct http_req *
http_parser_request(const struct http_parser *p)
{
	return p->req;
}

int
http_parser_error(const struct http_parser *p, const char **why)
{
	if (why != NULL)
		*why = p->why;
	return p->state == PS_ERROR ? p->status : 0;
}

struct http_req *
http_parser_take(struct http_parser *p)
{
	struct http_req	*req;

	if (p->state != PS_DONE)
		return NULL;
	req = p->req;
	p->req = NULL;
	parser_reset(p);
	return req;
}

/* The request line, NUL-terminated in hbuf. */
static enum http_parse_rc
parse_request_line(struct http_parser *p, char *line)
{
	struct http_req	*req = p->req;
	char		*sp1, *sp2, *q, *s;
	size_t		 i, mlen;

	if ((sp1 = strchr(line, ' ')) == NULL ||
	    (sp2 = strchr(sp1 + 1, ' ')) == NULL || strchr(sp2 + 1, ' '))
		return fail(p, 400, "malformed request line");
	mlen = sp1 - line;
	if (mlen == 0 || sp2 == sp1 + 1)
		return fail(p, 400, "malformed request line");
	for (i = 0; i < mlen; i++)
		if (!is_tchar((unsigned char)line[i]))
			return fail(p, 400, "malformed request method");
	*sp1 = *sp2 = '\0';

	s = sp2 + 1;
	if (strcmp(s, "HTTP/1.1") == 0)
		req->minor = 1;
	else if (strcmp(s, "HTTP/1.0") == 0)
		req->minor = 0;
	else if (strncmp(s, "HTTP/", 5) == 0 && s[5] >= '0' && s[5] <= '9' &&
	    s[6] == '.' && s[7] >= '0' && s[7] <= '9' && s[8] == '\0')
		return fail(p, 505, "HTTP version not supported");
	else
		return fail(p, 400, "malformed HTTP version");

	for (i = 0; i < nitems(methods); i++)
		if (strcmp(line, methods[i].name) == 0)
			break;
	if (i == nitems(methods))
		return fail(p, 501, "method not implemented");
	req->method = methods[i].method;

	req->target = sp1 + 1;
	for (s = req->target; *s != '\0'; s++)
		if ((unsigned char)*s <= 0x20 || (unsigned char)*s >= 0x7f)
			return fail(p, 400, "invalid character in request "
			    "target");
	if (strcmp(req->target, "*") == 0) {
		if (req->method != HTTP_OPTIONS)
			return fail(p, 400, "asterisk-form target is only for "
			    "OPTIONS");
		if ((req->path = strdup("*")) == NULL)
			return fail(p, 500, "out of memory");
		req->query = sp2;	/* "" */
		return HTTP_PARSE_MORE;
	}
	if (req->target[0] != '/')
		return fail(p, 400, "request target must be a path starting "
		    "with '/'");

	/* target stays raw; query points into it, path is decoded apart */
	if ((q = strchr(req->target, '?')) != NULL) {
		for (s = q + 1; *s != '\0'; s++)
			if (!is_pchar((unsigned char)*s) && *s != '/' &&
			    *s != '?' && *s != '%')
				return fail(p, 400, "invalid character in "
				    "query");
		if (pct_decode(q + 1, strlen(q + 1), NULL, 0) == -1)
			return fail(p, 400, "malformed percent-encoding in "
			    "query");
		req->query = q + 1;
	} else
		req->query = sp2;	/* "" */
	mlen = q != NULL ? (size_t)(q - req->target) : strlen(req->target);
	for (i = 0; i < mlen; i++) {
		s = req->target + i;
		if (!is_pchar((unsigned char)*s) && *s != '/' && *s != '%')
			return fail(p, 400, "invalid character in path");
	}
	if ((req->path = malloc(mlen + 1)) == NULL)
		return fail(p, 500, "out of memory");
	if (pct_decode(req->target, mlen, req->path, DEC_PATH) == -1)
		return fail(p, 400, "malformed or forbidden percent-encoding "
		    "in path");
	return HTTP_PARSE_MORE;
}

/* uri-host [":" port] as a Host value may spell it (RFC 3986 3.2.2). */
static int
valid_host(const char *s)
{
	for (; *s != '\0'; s++)
		if (!is_pchar((unsigned char)*s) && *s != '[' && *s != ']' &&
		    *s != '%')
			return 0;
	return 1;
}

/* Whether the comma-separated list s holds token tok. */
static int
list_has(const char *s, const char *tok)
{
	size_t	 n, tlen = strlen(tok);

	while (*s != '\0') {
		while (*s == ' ' || *s == '\t' || *s == ',')
			s++;
		n = strcspn(s, ", \t");
		if (n == tlen && strncasecmp(s, tok, n) == 0)
			return 1;
		s += n;
	}
	return 0;
}

/* Splits header line 'line' into the next slot of req->headers. */
static enum http_parse_rc
parse_field(struct http_parser *p, char *line)
{
	struct http_header	*h;
	char			*s, *e;

	if (*line == ' ' || *line == '\t')
		return fail(p, 400, "obsolete line folding in header");
	for (s = line; *s != ':'; s++) {
		if (*s == '\0')
			return fail(p, 400, "header line without a colon");
		if (*s == ' ' || *s == '\t')
			return fail(p, 400, "whitespace before colon in "
			    "header");
		if (!is_tchar((unsigned char)*s))
			return fail(p, 400, "invalid character in header "
			    "name");
	}
	if (s == line)
		return fail(p, 400, "empty header name");
	*s++ = '\0';
	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		*--e = '\0';
	for (e = s; *e != '\0'; e++)
		if (!is_value_char((unsigned char)*e))
			return fail(p, 400, "invalid character in header "
			    "value");
	h = &p->req->headers[p->req->nheaders++];
	h->name = line;
	h->value = s;
	return HTTP_PARSE_MORE;
}

/* Content-Length: 1*DIGIT, at most max_body. */
static enum http_parse_rc
parse_length(struct http_parser *p, const char *s, size_t *lenp)
{
	size_t	 v = 0, d;

	if (*s == '\0')
		return fail(p, 400, "malformed Content-Length");
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9')
			return fail(p, 400, "malformed Content-Length");
		d = (size_t)(*s - '0');
		if (v > (p->lim.max_body - d) / 10)
			v = p->lim.max_body + 1;	/* sticky: too big */
		else
			v = v * 10 + d;
	}
	if (v > p->lim.max_body)
		return fail(p, 413, "request body too large");
	*lenp = v;
	return HTTP_PARSE_MORE;
}

static int
body_reserve(struct http_parser *p, size_t more)
{
	struct http_req	*req = p->req;
	size_t		 need = req->bodylen + more + 1, ncap;
	uint8_t		*nb;

	if (need <= p->bodycap)
		return 0;
	ncap = p->bodycap ? p->bodycap : 4096;
	while (ncap < need)
		ncap *= 2;
	if (ncap > p->lim.max_body + 1)
		ncap = p->lim.max_body + 1;
	if (ncap < need)
		ncap = need;
	if ((nb = realloc(req->body, ncap)) == NULL)
		return -1;
	req->body = nb;
	p->bodycap = ncap;
	return 0;
}

/* The header section is complete in hbuf: parse it and decide framing. */
static enum http_parse_rc
header_done(struct http_parser *p)
{
	struct http_req	*req;
	const char	*te = NULL;
	size_t		 i, llen, nhost = 0, ncl = 0, nte = 0, clen = 0;
	char		*line;
	enum http_parse_rc rc;

	if ((req = p->req = calloc(1, sizeof(*req))) == NULL)
		return fail(p, 500, "out of memory");
	if (p->nlines > 1 && (req->headers = calloc(p->nlines - 1,
	    sizeof(*req->headers))) == NULL)
		return fail(p, 500, "out of memory");
	req->hbuf = p->hbuf;
	p->hbuf = NULL;
	p->hcap = 0;

	/* Lines are NUL-terminated in hbuf; parsing writes more NULs into
	 * them, so step by the length each had before. */
	line = req->hbuf;
	for (i = 0; i < p->nlines; i++) {
		llen = strlen(line);
		rc = i == 0 ? parse_request_line(p, line) : parse_field(p, line);
		if (rc != HTTP_PARSE_MORE)
			return rc;
		line += llen + 1;
	}

	for (i = 0; i < req->nheaders; i++) {
		const struct http_header *h = &req->headers[i];

		if (strcasecmp(h->name, "Host") == 0) {
			if (++nhost > 1)
				return fail(p, 400, "duplicate Host header");
			if (!valid_host(h->value))
				return fail(p, 400, "malformed Host header");
		} else if (strcasecmp(h->name, "Content-Length") == 0) {
			if (++ncl > 1)
				return fail(p, 400, "duplicate "
				    "Content-Length header");
			if ((rc = parse_length(p, h->value, &clen)) !=
			    HTTP_PARSE_MORE)
				return rc;
		} else if (strcasecmp(h->name, "Transfer-Encoding") == 0) {
			nte++;
			te = h->value;
		} else if (strcasecmp(h->name, "Connection") == 0) {
			if (list_has(h->value, "close"))
				req->flags |= HTTP_REQ_CLOSE;
			if (list_has(h->value, "keep-alive"))
				req->flags |= HTTP_REQ_KEEPALIVE10;
		} else if (strcasecmp(h->name, "Expect") == 0 &&
		    req->minor == 1) {
			if (strcasecmp(h->value, "100-continue") != 0)
				return fail(p, 417, "unsupported "
				    "expectation");
			req->flags |= HTTP_REQ_EXPECT;
		}
	}
	if (req->minor == 1 && nhost == 0)
		return fail(p, 400, "missing Host header");
	if (req->minor == 1)
		req->flags &= ~HTTP_REQ_KEEPALIVE10;
	else if (!(req->flags & HTTP_REQ_KEEPALIVE10) ||
	    (req->flags & HTTP_REQ_CLOSE))
		req->flags = (req->flags & ~HTTP_REQ_KEEPALIVE10) |
		    HTTP_REQ_CLOSE;
	if (nte > 0 && ncl > 0)
		return fail(p, 400, "Content-Length with Transfer-Encoding");
	if (nte > 0 && req->minor == 0)
		return fail(p, 400, "Transfer-Encoding in HTTP/1.0");
	if (nte > 1 || (nte == 1 && strcasecmp(te, "chunked") != 0))
		return fail(p, 501, "unsupported Transfer-Encoding");

	if (body_reserve(p, 0) == -1)
		return fail(p, 500, "out of memory");
	req->body[0] = '\0';
	if (nte == 1) {
		p->state = PS_CHUNK_SIZE;
		return HTTP_PARSE_BODY;
	}
	if (clen > 0) {
		p->remaining = clen;
		p->state = PS_BODY;
		return HTTP_PARSE_BODY;
	}
	p->state = PS_DONE;
	return HTTP_PARSE_DONE;
}

static int
hbuf_put(struct http_parser *p, char c)
{
	size_t	 ncap;
	char	*nb;

	/* hlen < hseen <= max_header_bytes: max_header_bytes + 1 is room
	 * for every byte and a final NUL. */
	if (p->hlen == p->hcap) {
		ncap = p->hcap ? p->hcap * 2 : 1024;
		if (ncap > p->lim.max_header_bytes + 1)
			ncap = p->lim.max_header_bytes + 1;
		if ((nb = realloc(p->hbuf, ncap)) == NULL)
			return -1;
		p->hbuf = nb;
		p->hcap = ncap;
	}
	p->hbuf[p->hlen++] = c;
	return 0;
}

static enum http_parse_rc
feed_head(struct http_parser *p, const uint8_t *buf, size_t len,
    size_t *used)
{
	size_t		 i;
	unsigned char	 c;

	for (i = 0; i < len; i++) {
		c = buf[i];
		if (++p->hseen > p->lim.max_header_bytes) {
			*used = i;
			if (p->nlines == 0 && p->hlen > 0)
				return fail(p, 414, "request line too long");
			return fail(p, 431, "request header too large");
		}
		if (c == '\0')
			return fail(p, 400, "NUL in request header");
		if (p->prev_cr) {
			if (c != '\n')
				return fail(p, 400, "bare CR in request "
				    "header");
			p->prev_cr = 0;
			if (p->hlen == p->line_start) {
				if (p->nlines == 0)
					continue;	/* leading CRLF */
				*used = i + 1;
				return header_done(p);
			}
			if (p->nlines > HTTP_MAX_HEADERS)
				return fail(p, 431, "too many header fields");
			if (hbuf_put(p, '\0') == -1)
				return fail(p, 500, "out of memory");
			p->nlines++;
			p->line_start = p->hlen;
			continue;
		}
		if (c == '\r') {
			p->prev_cr = 1;
			continue;
		}
		if (c == '\n')
			return fail(p, 400, "bare LF in request header");
		if (hbuf_put(p, (char)c) == -1)
			return fail(p, 500, "out of memory");
	}
	*used = len;
	return HTTP_PARSE_MORE;
}

static int
body_put(struct http_parser *p, const uint8_t *buf, size_t n)
{
	struct http_req	*req = p->req;

	if (body_reserve(p, n) == -1)
		return -1;
	memcpy(req->body + req->bodylen, buf, n);
	req->bodylen += n;
	req->body[req->bodylen] = '\0';
	p->remaining -= n;
	return 0;
}

/* A chunk-size line ended: start its data, or the trailer. */
static enum http_parse_rc
chunk_start(struct http_parser *p)
{
	if (p->chunk_size == 0) {
		p->state = PS_TRAILER;
		p->tstate = TR_LINE_START;
		return HTTP_PARSE_MORE;
	}
	if (p->chunk_size > p->lim.max_body - p->req->bodylen)
		return fail(p, 413, "request body too large");
	p->remaining = p->chunk_size;
	p->state = PS_CHUNK_DATA;
	return HTTP_PARSE_MORE;
}

/* One byte of chunk framing (not data). */
static enum http_parse_rc
chunk_byte(struct http_parser *p, unsigned char c)
{
	int	 d;

	switch (p->state) {
	case PS_CHUNK_SIZE:
	case PS_CHUNK_EXT:
		if (++p->chunk_line > HTTP_MAX_CHUNK_LINE)
			return fail(p, 400, "chunk line too long");
		if (c == '\r') {
			if (p->chunk_digits == 0)
				return fail(p, 400, "malformed chunk size");
			p->state = PS_CHUNK_SIZE_LF;
		} else if (p->state == PS_CHUNK_EXT) {
			if (!is_value_char(c))
				return fail(p, 400, "invalid character in "
				    "chunk extension");
		} else if (c == ';') {
			if (p->chunk_digits == 0)
				return fail(p, 400, "malformed chunk size");
			p->state = PS_CHUNK_EXT;
		} else if ((d = hexval(c)) != -1) {
			/* max_body <= HTTP_MAX_BODY: no overflow here */
			p->chunk_size = p->chunk_size * 16 + (size_t)d;
			p->chunk_digits = 1;
			if (p->chunk_size > p->lim.max_body)
				return fail(p, 413, "request body too large");
		} else
			return fail(p, 400, "malformed chunk size");
		return HTTP_PARSE_MORE;
	case PS_CHUNK_SIZE_LF:
		if (c != '\n')
			return fail(p, 400, "bare CR in chunk line");
		return chunk_start(p);
	case PS_CHUNK_DATA_CR:
		if (c != '\r')
			return fail(p, 400, "chunk data longer than its size");
		p->state = PS_CHUNK_DATA_LF;
		return HTTP_PARSE_MORE;
	case PS_CHUNK_DATA_LF:
		if (c != '\n')
			return fail(p, 400, "bare CR after chunk data");
		p->state = PS_CHUNK_SIZE;
		p->chunk_size = p->chunk_line = 0;
		p->chunk_digits = 0;
		return HTTP_PARSE_MORE;
	default:
		return fail(p, 500, "chunk parser state");
	}
}

/* One byte of the trailer section: fields are checked and dropped. */
static enum http_parse_rc
trailer_byte(struct http_parser *p, unsigned char c)
{
	if (++p->tseen > p->lim.max_header_bytes)
		return fail(p, 431, "trailer section too large");
	switch (p->tstate) {
	case TR_LINE_START:
		if (c == '\r') {
			p->tstate = TR_END_LF;
			return HTTP_PARSE_MORE;
		}
		if (!is_tchar(c))
			return fail(p, 400, "malformed trailer field");
		p->tstate = TR_NAME;
		return HTTP_PARSE_MORE;
	case TR_NAME:
		if (c == ':')
			p->tstate = TR_VALUE;
		else if (!is_tchar(c))
			return fail(p, 400, "malformed trailer field");
		return HTTP_PARSE_MORE;
	case TR_VALUE:
		if (c == '\r')
			p->tstate = TR_LF;
		else if (!is_value_char(c))
			return fail(p, 400, "invalid character in trailer "
			    "field");
		return HTTP_PARSE_MORE;
	case TR_LF:
	case TR_END_LF:
		if (c != '\n')
			return fail(p, 400, "bare CR in trailer section");
		if (p->tstate == TR_END_LF) {
			p->state = PS_DONE;
			return HTTP_PARSE_DONE;
		}
		p->tstate = TR_LINE_START;
		return HTTP_PARSE_MORE;
	}
	return fail(p, 500, "trailer parser state");
}

enum http_parse_rc
http_parser_feed(struct http_parser *p, const uint8_t *buf, size_t len,
    size_t *used)
{
	enum http_parse_rc	 rc = HTTP_PARSE_MORE;
	size_t			 i = 0, n;

	*used = 0;
	switch (p->state) {
	case PS_DONE:
		return HTTP_PARSE_DONE;
	case PS_ERROR:
		return HTTP_PARSE_ERROR;
	case PS_HEAD:
		return feed_head(p, buf, len, used);
	default:
		break;
	}
	while (i < len && rc == HTTP_PARSE_MORE) {
		switch (p->state) {
		case PS_BODY:
		case PS_CHUNK_DATA:
			n = len - i < p->remaining ? len - i : p->remaining;
			if (body_put(p, buf + i, n) == -1) {
				rc = fail(p, 500, "out of memory");
				break;
			}
			i += n;
			if (p->remaining > 0)
				break;
			if (p->state == PS_CHUNK_DATA)
				p->state = PS_CHUNK_DATA_CR;
			else {
				p->state = PS_DONE;
				rc = HTTP_PARSE_DONE;
			}
			break;
		case PS_TRAILER:
			rc = trailer_byte(p, buf[i++]);
			break;
		default:
			rc = chunk_byte(p, buf[i++]);
			break;
		}
	}
	*used = i;
	return rc;
}

const char *
http_req_header(const struct http_req *req, const char *name)
{
	size_t	 i;

	for (i = 0; i < req->nheaders; i++)
		if (strcasecmp(req->headers[i].name, name) == 0)
			return req->headers[i].value;
	return NULL;
}

/*
 * Walks the query's key=value pairs (empty pairs skipped), decoding each
 * key into kbuf (room for the whole query).  Returns 1 with the raw value
 * in *val and *vlen, 0 at the end, -1 for a pair that does not decode.
 */
static int
query_next(const char **qp, char *kbuf, const char **val, size_t *vlen)
{
	const char	*q = *qp, *eq;
	size_t		 n;

	while (*q == '&')
		q++;
	if (*q == '\0')
		return 0;
	n = strcspn(q, "&");
	*qp = q + n;
	if ((eq = memchr(q, '=', n)) == NULL) {
		*val = q + n;
		*vlen = 0;
		eq = q + n;
	} else {
		*val = eq + 1;
		*vlen = n - (size_t)(eq + 1 - q);
	}
	return pct_decode(q, (size_t)(eq - q), kbuf, DEC_PLUS) == -1 ? -1 : 1;
}

int
http_req_query(const struct http_req *req, const char *key, char **valp)
{
	const char	*q = req->query, *v, *found = NULL;
	char		*kbuf;
	size_t		 vlen, flen = 0;
	int		 r, ret = -1;

	*valp = NULL;
	if ((kbuf = malloc(strlen(q) + 1)) == NULL)
		return -1;
	while ((r = query_next(&q, kbuf, &v, &vlen)) == 1) {
		if (strcmp(kbuf, key) != 0)
			continue;
		if (found != NULL) {
			errno = EINVAL;
			goto out;
		}
		found = v;
		flen = vlen;
	}
	if (r == -1) {
		errno = EINVAL;
		goto out;
	}
	if (found == NULL) {
		ret = 0;
		goto out;
	}
	if ((*valp = malloc(flen + 1)) == NULL)
		goto out;
	if (pct_decode(found, flen, *valp, DEC_PLUS) == -1) {
		free(*valp);
		*valp = NULL;
		errno = EINVAL;
		goto out;
	}
	ret = 1;
 out:
	free(kbuf);
	return ret;
}

int
http_req_query_check(const struct http_req *req, const char *const *known,
    char *key, size_t keylen)
{
	const char	*q = req->query, *v;
	char		*kbuf;
	size_t		 vlen, i;
	int		 r, ret = -1;

	if (keylen > 0)
		key[0] = '\0';
	if ((kbuf = malloc(strlen(q) + 1)) == NULL)
		return -1;
	while ((r = query_next(&q, kbuf, &v, &vlen)) == 1) {
		for (i = 0; known[i] != NULL; i++)
			if (strcmp(kbuf, known[i]) == 0)
				break;
		if (known[i] == NULL) {
			if (keylen > 0)
				strlcpy(key, kbuf, keylen);
			errno = EINVAL;
			goto out;
		}
	}
	if (r == -1) {
		errno = EINVAL;
		goto out;
	}
	ret = 0;
 out:
	free(kbuf);
	return ret;
}
