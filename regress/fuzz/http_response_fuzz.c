/*
 * libFuzzer harness for agentsh's HTTP response reader and server-sent
 * events parser: the input is what a server sent.  It is read as the
 * answer to GET and to HEAD, and as an event stream, through sources that
 * hand it out whole, byte by byte and in odd-sized pieces; every way must
 * see the same response and end the same way.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#include "agentsh/client.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct msrc {
	const uint8_t	*p;
	size_t		 len, off, step;
};

struct summary {
	int		 status;
	int		 result;	/* of the last call */
	enum cli_err	 err;
	size_t		 nheaders, bodylen, nevents;
	uint64_t	 hash;
};

static ssize_t
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

/* FNV-1a; body bytes go in as they come, other fields end with a mark
 * so that "ab","c" and "a","bc" differ. */
static void
mix_bytes(uint64_t *h, const void *p, size_t n)
{
	const uint8_t	*b = p;

	while (n-- > 0)
		*h = (*h ^ *b++) * 0x100000001b3ULL;
}

static void
mix(uint64_t *h, const void *p, size_t n)
{
	mix_bytes(h, p, n);
	*h = (*h ^ 0x100) * 0x100000001b3ULL;
}

static void
run(const uint8_t *data, size_t size, size_t step, int head, int sse,
    struct summary *s)
{
	struct msrc		 m = { data, size, 0, step };
	struct cli_src		 src = { msrc_read, &m };
	struct cli_reader	*rd;
	struct cli_sse		*ev = NULL;
	struct cli_sse_event	 e;
	struct cli_resp		 resp;
	uint8_t			 buf[333];
	ssize_t			 n;
	size_t			 i;

	memset(s, 0, sizeof(*s));
	memset(&resp, 0, sizeof(resp));
	if ((rd = cli_reader_new(&src, head)) == NULL)
		abort();
	if ((s->result = cli_reader_head(rd, &resp)) == 0) {
		s->status = resp.status;
		s->nheaders = resp.nheaders;
		if (resp.status < 100 || resp.status > 999 ||
		    resp.nheaders > CLI_MAX_FIELDS)
			abort();
		for (i = 0; i < resp.nheaders; i++) {
			mix(&s->hash, resp.headers[i].name,
			    strlen(resp.headers[i].name));
			mix(&s->hash, resp.headers[i].value,
			    strlen(resp.headers[i].value));
		}
		if (sse) {
			if ((ev = cli_sse_new()) == NULL)
				abort();
			while ((s->result = cli_sse_next(ev, rd, &e)) == 1) {
				if (strlen(e.event) == 0 ||
				    e.datalen > CLI_MAX_EVENT)
					abort();
				mix(&s->hash, e.event, strlen(e.event));
				mix(&s->hash, e.data, e.datalen);
				s->nevents++;
			}
		} else {
			while ((n = cli_reader_body(rd, buf,
			    sizeof(buf))) > 0) {
				if ((size_t)n > sizeof(buf))
					abort();
				mix_bytes(&s->hash, buf, (size_t)n);
				s->bodylen += (size_t)n;
			}
			s->result = (int)n;
		}
	}
	s->err = cli_reader_errcode(rd);
	if ((s->result == -1) != (s->err != CLI_OK))
		abort();
	cli_sse_free(ev);
	cli_reader_free(rd);
	for (i = 0; i < resp.nheaders; i++) {
		free(resp.headers[i].name);
		free(resp.headers[i].value);
	}
	free(resp.headers);
}

static int
same(const struct summary *a, const struct summary *b)
{
	return a->status == b->status && a->result == b->result &&
	    a->err == b->err && a->nheaders == b->nheaders &&
	    a->bodylen == b->bodylen && a->nevents == b->nevents &&
	    a->hash == b->hash;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct summary	 whole, bytes, odd;
	int		 mode;

	for (mode = 0; mode < 3; mode++) {
		run(data, size, 0, mode == 1, mode == 2, &whole);
		run(data, size, 1, mode == 1, mode == 2, &bytes);
		run(data, size, size % 11 + 2, mode == 1, mode == 2, &odd);
		if (!same(&whole, &bytes) || !same(&whole, &odd))
			abort();
	}
	return 0;
}
