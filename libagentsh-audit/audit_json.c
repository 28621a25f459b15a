/*
 * libagentsh-audit: the JSON parser and canonical form (audit_json.h).
 *
 * Parsing builds a flat array of nodes in document order; each node knows
 * where its subtree ends, so siblings are found without recursion.  When an
 * object closes, its members are sorted once (by decoded key, then input
 * order) and duplicates reduced to the last.  Neither the parser nor the
 * emitter recurses: a 10000-deep document costs heap, not stack.
 */
#include "compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit_json.h"

struct jnode {
	uint32_t	 type;
	uint32_t	 end;	/* index one past this value's subtree */
	uint32_t	 off;	/* string, number: arena offset; object: order[] */
	uint32_t	 len;	/* string, number: bytes; array, object: count */
};

struct audit_jdoc {
	struct jnode	*nodes;
	size_t		 nnodes;
	size_t		 nodecap;
	struct audit_buf arena;		/* decoded strings, number lexemes */
	uint32_t	*order;		/* object members, sorted, per object */
	size_t		 norder;
	size_t		 ordercap;
	uint32_t	*stack;		/* open containers while parsing */
	size_t		 stackcap;
	size_t		 max_size;
	unsigned int	 max_depth;
	int		 valid;
};

/* ------------------------------------------------------------------ */
/* Buffers */

int
audit_buf_reserve(struct audit_buf *b, size_t more)
{
	unsigned char	*p;
	size_t		 ncap;

	if (more <= b->cap - b->len)
		return 0;
	if (more > SIZE_MAX / 2 - b->len) {
		errno = ENOMEM;
		return -1;
	}
	ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + more)
		ncap *= 2;
	if ((p = realloc(b->data, ncap)) == NULL)
		return -1;
	b->data = p;
	b->cap = ncap;
	return 0;
}

int
audit_buf_add(struct audit_buf *b, const void *p, size_t n)
{
	if (n == 0)
		return 0;
	if (audit_buf_reserve(b, n) == -1)
		return -1;
	memcpy(b->data + b->len, p, n);
	b->len += n;
	return 0;
}

int
audit_buf_addc(struct audit_buf *b, int c)
{
	if (audit_buf_reserve(b, 1) == -1)
		return -1;
	b->data[b->len++] = (unsigned char)c;
	return 0;
}

int
audit_buf_adds(struct audit_buf *b, const char *s)
{
	return audit_buf_add(b, s, strlen(s));
}

int
audit_buf_printf(struct audit_buf *b, const char *fmt, ...)
{
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || audit_buf_reserve(b, (size_t)n + 1) == -1)
		return -1;
	va_start(ap, fmt);
	vsnprintf((char *)b->data + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

void
audit_buf_reset(struct audit_buf *b)
{
	b->len = 0;
}

void
audit_buf_clear(struct audit_buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

/* ------------------------------------------------------------------ */
/* Go's string encoder */

static const char hexdig[] = "0123456789abcdef";

/*
 * For each ASCII byte: 0 written as is, else the letter after the
 * backslash ('u' for \u00XX).  Go's htmlSafeSet plus its \b \f \n \r \t.
 */
static const unsigned char jesc[128] = {
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'b', 't', 'n', 'u', 'f', 'r', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	'u', 'u', 'u', 'u', 'u', 'u', 'u', 'u',
	['"'] = '"', ['&'] = 'u', ['<'] = 'u', ['>'] = 'u', ['\\'] = '\\',
};

/*
 * Length of the valid UTF-8 sequence at s (n bytes available) by the rules
 * of Go's utf8.DecodeRune: no overlongs, no surrogates, nothing above
 * U+10FFFF.  0 when invalid (the caller replaces one byte).
 */
static size_t
utf8_seqlen(const unsigned char *s, size_t n)
{
	unsigned char	 c = s[0], lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c < 0xc2 || c > 0xf4)
		return 0;
	if (c < 0xe0)
		return n >= 2 && (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (n < 3 || s[1] < lo || s[1] > hi || (s[2] & 0xc0) != 0x80)
		return 0;
	if (c < 0xf0)
		return 3;
	return n >= 4 && (s[3] & 0xc0) == 0x80 ? 4 : 0;
}

int
audit_json_quote(struct audit_buf *b, const void *sv, size_t n)
{
	const unsigned char	*s = sv;
	unsigned char		*o;
	size_t			 i, k;

	/* Worst case: every byte becomes a six-byte escape. */
	if (n > (SIZE_MAX - 2) / 6) {
		errno = ENOMEM;
		return -1;
	}
	if (audit_buf_reserve(b, 6 * n + 2) == -1)
		return -1;
	o = b->data + b->len;
	*o++ = '"';
	for (i = 0; i < n;) {
		unsigned char c = s[i];

		if (c < 0x80) {
			unsigned char e = jesc[c];

			i++;
			if (e == 0) {
				*o++ = c;
				continue;
			}
			*o++ = '\\';
			*o++ = e;
			if (e == 'u') {
				*o++ = '0';
				*o++ = '0';
				*o++ = hexdig[c >> 4];
				*o++ = hexdig[c & 0xf];
			}
			continue;
		}
		if ((k = utf8_seqlen(s + i, n - i)) == 0) {
			memcpy(o, "\\ufffd", 6);
			o += 6;
			i++;
			continue;
		}
		/* U+2028 and U+2029: E2 80 A8 / E2 80 A9. */
		if (k == 3 && c == 0xe2 && s[i + 1] == 0x80 &&
		    (s[i + 2] == 0xa8 || s[i + 2] == 0xa9)) {
			memcpy(o, "\\u202", 5);
			o[5] = hexdig[s[i + 2] & 0xf];
			o += 6;
			i += 3;
			continue;
		}
		memcpy(o, s + i, k);
		o += k;
		i += k;
	}
	*o++ = '"';
	b->len = (size_t)(o - b->data);
	return 0;
}

/* ------------------------------------------------------------------ */
/* Documents */

struct audit_jdoc *
audit_jdoc_new(void)
{
	struct audit_jdoc	*d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	d->max_size = AUDIT_JSON_MAX_SIZE;
	d->max_depth = AUDIT_JSON_MAX_DEPTH;
	return d;
}

void
audit_jdoc_free(struct audit_jdoc *d)
{
	if (d == NULL)
		return;
	free(d->nodes);
	audit_buf_clear(&d->arena);
	free(d->order);
	free(d->stack);
	free(d);
}

void
audit_jdoc_set_limits(struct audit_jdoc *d, size_t max_size,
    unsigned int max_depth)
{
	d->max_size = max_size > AUDIT_JSON_SIZE_CAP ? AUDIT_JSON_SIZE_CAP :
	    max_size;
	d->max_depth = max_depth < 1 ? 1 : max_depth;
}

struct jparser {
	struct audit_jdoc	*d;
	const unsigned char	*s;
	size_t			 n;
	size_t			 i;
	char			*err;
	size_t			 errlen;
};

/* Go's way of naming a character in a syntax error. */
static void
jerr_char(struct jparser *p, const char *ctx)
{
	unsigned char	 c = p->s[p->i];

	if (c >= 0x20 && c < 0x7f && c != '\'')
		snprintf(p->err, p->errlen, "offset %zu: invalid character "
		    "'%c' %s", p->i, c, ctx);
	else
		snprintf(p->err, p->errlen, "offset %zu: invalid character "
		    "0x%02x %s", p->i, c, ctx);
}

static int
jerr(struct jparser *p, const char *msg)
{
	snprintf(p->err, p->errlen, "offset %zu: %s", p->i, msg);
	return -1;
}

static int
jerr_eof(struct jparser *p)
{
	p->i = p->n;
	return jerr(p, "unexpected end of input");
}

static int
jerr_nomem(struct jparser *p)
{
	return jerr(p, "out of memory");
}

static void
jskip_ws(struct jparser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' ||
	    p->s[p->i] == '\n' || p->s[p->i] == '\r'))
		p->i++;
}

static int
jnode_new(struct jparser *p, uint32_t type, uint32_t *idx)
{
	struct audit_jdoc	*d = p->d;
	struct jnode		*nn;
	size_t			 ncap;

	if (d->nnodes == d->nodecap) {
		ncap = d->nodecap ? d->nodecap * 2 : 64;
		if ((nn = reallocarray(d->nodes, ncap, sizeof(*nn))) == NULL)
			return jerr_nomem(p);
		d->nodes = nn;
		d->nodecap = ncap;
	}
	*idx = (uint32_t)d->nnodes;
	nn = &d->nodes[d->nnodes++];
	nn->type = type;
	nn->end = *idx + 1;
	nn->off = nn->len = 0;
	return 0;
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

/* \uXXXX at s (n bytes): the code unit, or -1 (Go's getu4). */
static long
getu4(const unsigned char *s, size_t n)
{
	long	 r = 0;
	int	 h;

	if (n < 6 || s[0] != '\\' || s[1] != 'u')
		return -1;
	for (size_t k = 2; k < 6; k++) {
		if ((h = hexval(s[k])) == -1)
			return -1;
		r = r * 16 + h;
	}
	return r;
}

static unsigned char *
put_utf8(unsigned char *o, unsigned long cp)
{
	if (cp < 0x80)
		*o++ = (unsigned char)cp;
	else if (cp < 0x800) {
		*o++ = (unsigned char)(0xc0 | cp >> 6);
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		*o++ = (unsigned char)(0xe0 | cp >> 12);
		*o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	} else {
		*o++ = (unsigned char)(0xf0 | cp >> 18);
		*o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		*o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		*o++ = (unsigned char)(0x80 | (cp & 0x3f));
	}
	return o;
}

/*
 * The string starting at p->i (a '"'): checked, then decoded into the
 * arena as Go's unquote does.  Leaves p->i after the closing quote.
 */
static int
jstring(struct jparser *p, uint32_t idx)
{
	const unsigned char	*s = p->s;
	struct audit_buf	*a = &p->d->arena;
	unsigned char		*o;
	size_t			 start = p->i + 1, end, k;
	long			 r, r2;
	unsigned long		 cp;

	/* Pass 1: find the end, reject what JSON does not allow. */
	for (k = start;; k++) {
		if (k >= p->n)
			return jerr_eof(p);
		if (s[k] == '"')
			break;
		if (s[k] < 0x20) {
			p->i = k;
			jerr_char(p, "in string literal");
			return -1;
		}
		if (s[k] != '\\')
			continue;
		if (++k >= p->n)
			return jerr_eof(p);
		switch (s[k]) {
		case '"': case '\\': case '/': case 'b': case 'f':
		case 'n': case 'r': case 't':
			break;
		case 'u':
			for (size_t h = 1; h <= 4; h++) {
				if (k + h >= p->n)
					return jerr_eof(p);
				if (hexval(s[k + h]) == -1) {
					p->i = k + h;
					jerr_char(p, "in \\u hexadecimal "
					    "character escape");
					return -1;
				}
			}
			k += 4;
			break;
		default:
			p->i = k;
			jerr_char(p, "in string escape code");
			return -1;
		}
	}
	end = k;

	/* Pass 2: decode.  A byte never grows beyond three. */
	if (a->len > UINT32_MAX || end - start > (UINT32_MAX - a->len) / 3)
		return jerr(p, "document too large");
	if (audit_buf_reserve(a, 3 * (end - start)) == -1)
		return jerr_nomem(p);
	o = a->data + a->len;
	for (k = start; k < end;) {
		unsigned char c = s[k];
		size_t len;

		if (c == '\\') {
			c = s[k + 1];
			k += 2;
			switch (c) {
			case 'b': *o++ = '\b'; continue;
			case 'f': *o++ = '\f'; continue;
			case 'n': *o++ = '\n'; continue;
			case 'r': *o++ = '\r'; continue;
			case 't': *o++ = '\t'; continue;
			case 'u': break;
			default: *o++ = c; continue;
			}
			r = getu4(s + k - 2, end - (k - 2));
			k += 4;
			cp = (unsigned long)r;
			if (r >= 0xd800 && r < 0xe000) {
				/* A pair only when high then low; else U+FFFD
				 * and the next escape stands on its own. */
				r2 = getu4(s + k, end - k);
				if (r < 0xdc00 && r2 >= 0xdc00 && r2 < 0xe000) {
					cp = 0x10000 + ((unsigned long)(r -
					    0xd800) << 10) +
					    (unsigned long)(r2 - 0xdc00);
					k += 6;
				} else
					cp = 0xfffd;
			}
			o = put_utf8(o, cp);
			continue;
		}
		if (c < 0x80) {
			*o++ = c;
			k++;
			continue;
		}
		if ((len = utf8_seqlen(s + k, end - k)) == 0) {
			o = put_utf8(o, 0xfffd);
			k++;
			continue;
		}
		memcpy(o, s + k, len);
		o += len;
		k += len;
	}
	p->d->nodes[idx].off = (uint32_t)a->len;
	p->d->nodes[idx].len = (uint32_t)(o - (a->data + a->len));
	a->len = (size_t)(o - a->data);
	p->i = end + 1;
	return 0;
}

static int
isdigit_(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* A number at p->i: checked against the grammar, lexeme kept. */
static int
jnumber(struct jparser *p, uint32_t idx)
{
	const unsigned char	*s = p->s;
	size_t			 start = p->i, k = p->i;

	if (s[k] == '-')
		k++;
	if (k >= p->n)
		return jerr_eof(p);
	if (s[k] == '0')
		k++;
	else if (s[k] >= '1' && s[k] <= '9') {
		while (k < p->n && isdigit_(s[k]))
			k++;
	} else {
		p->i = k;
		jerr_char(p, "in numeric literal");
		return -1;
	}
	if (k < p->n && s[k] == '.') {
		if (++k >= p->n)
			return jerr_eof(p);
		if (!isdigit_(s[k])) {
			p->i = k;
			jerr_char(p, "after decimal point in numeric literal");
			return -1;
		}
		while (k < p->n && isdigit_(s[k]))
			k++;
	}
	if (k < p->n && (s[k] == 'e' || s[k] == 'E')) {
		if (++k < p->n && (s[k] == '+' || s[k] == '-'))
			k++;
		if (k >= p->n)
			return jerr_eof(p);
		if (!isdigit_(s[k])) {
			p->i = k;
			jerr_char(p, "in exponent of numeric literal");
			return -1;
		}
		while (k < p->n && isdigit_(s[k]))
			k++;
	}
	p->d->nodes[idx].off = (uint32_t)p->d->arena.len;
	p->d->nodes[idx].len = (uint32_t)(k - start);
	if (audit_buf_add(&p->d->arena, s + start, k - start) == -1)
		return jerr_nomem(p);
	p->i = k;
	return 0;
}

static int
jliteral(struct jparser *p, const char *word)
{
	size_t	 wl = strlen(word);

	for (size_t k = 0; k < wl; k++) {
		if (p->i + k >= p->n)
			return jerr_eof(p);
		if (p->s[p->i + k] != (unsigned char)word[k]) {
			p->i += k;
			jerr_char(p, k == 0 ? "looking for beginning of value" :
			    "in literal");
			return -1;
		}
	}
	p->i += wl;
	return 0;
}

static int
keycmp(const struct audit_jdoc *d, uint32_t a, uint32_t b)
{
	const struct jnode	*na = &d->nodes[a], *nb = &d->nodes[b];
	size_t			 n = na->len < nb->len ? na->len : nb->len;
	int			 c;

	if (n > 0 && (c = memcmp(d->arena.data + na->off,
	    d->arena.data + nb->off, n)) != 0)
		return c;
	return na->len < nb->len ? -1 : na->len > nb->len;
}

/* Key bytes, then input order: a total order, so qsort is stable enough. */
static int
member_cmp(const void *va, const void *vb, void *arg)
{
	uint32_t	 a = *(const uint32_t *)va, b = *(const uint32_t *)vb;
	int		 c;

	if ((c = keycmp(arg, a, b)) != 0)
		return c;
	return a < b ? -1 : a > b;
}

static void
sort_members(const struct audit_jdoc *d, uint32_t *m, size_t n)
{
	uint32_t	 t;
	size_t		 i, j;

	if (n > 16) {
		qsort_r(m, n, sizeof(*m), member_cmp, (void *)d);
		return;
	}
	for (i = 1; i < n; i++) {
		t = m[i];
		for (j = i; j > 0; j--) {
			int c = keycmp(d, m[j - 1], t);

			if (c < 0 || (c == 0 && m[j - 1] < t))
				break;
			m[j] = m[j - 1];
		}
		m[j] = t;
	}
}

/* Closes the container at idx: counts, and sorts an object's members. */
static int
jclose(struct jparser *p, uint32_t idx)
{
	struct audit_jdoc	*d = p->d;
	struct jnode		*c = &d->nodes[idx];
	uint32_t		*m, *no;
	size_t			 n = 0, i, w, ncap;
	uint32_t		 j;

	c->end = (uint32_t)d->nnodes;
	if (c->type == AUDIT_JARRAY) {
		for (j = idx + 1; j < c->end; j = d->nodes[j].end)
			n++;
		c->len = (uint32_t)n;
		return 0;
	}
	for (j = idx + 1; j < c->end; j = d->nodes[j + 1].end)
		n++;
	if (n > d->ordercap - d->norder) {
		ncap = d->ordercap ? d->ordercap : 64;
		while (ncap - d->norder < n)
			ncap *= 2;
		if ((no = reallocarray(d->order, ncap, sizeof(*no))) == NULL)
			return jerr_nomem(p);
		d->order = no;
		d->ordercap = ncap;
	}
	m = d->order + d->norder;
	i = 0;
	for (j = idx + 1; j < c->end; j = d->nodes[j + 1].end)
		m[i++] = j;
	sort_members(d, m, n);
	/* Equal keys are adjacent, input order within: keep the last. */
	for (i = 0, w = 0; i < n; i++) {
		if (i + 1 < n && keycmp(d, m[i], m[i + 1]) == 0)
			continue;
		m[w++] = m[i];
	}
	c = &d->nodes[idx];
	c->off = (uint32_t)d->norder;
	c->len = (uint32_t)w;
	d->norder += w;
	return 0;
}

static int
jpush(struct jparser *p, uint32_t idx, size_t *sp)
{
	struct audit_jdoc	*d = p->d;
	uint32_t		*ns;
	size_t			 ncap;

	if (*sp >= d->max_depth) {
		snprintf(p->err, p->errlen, "offset %zu: nesting exceeds the "
		    "maximum depth of %u", p->i, d->max_depth);
		return -1;
	}
	if (*sp == d->stackcap) {
		ncap = d->stackcap ? d->stackcap * 2 : 32;
		if ((ns = reallocarray(d->stack, ncap, sizeof(*ns))) == NULL)
			return jerr_nomem(p);
		d->stack = ns;
		d->stackcap = ncap;
	}
	d->stack[(*sp)++] = idx;
	return 0;
}

int
audit_jdoc_parse(struct audit_jdoc *d, const void *buf, size_t len,
    char *err, size_t errlen)
{
	struct jparser	 p = { d, buf, len, 0, err, errlen };
	size_t		 sp = 0;
	uint32_t	 idx, top;

	d->valid = 0;
	d->nnodes = 0;
	d->norder = 0;
	audit_buf_reset(&d->arena);
	if (len > d->max_size) {
		snprintf(err, errlen, "document of %zu bytes exceeds the limit "
		    "of %zu", len, d->max_size);
		return -1;
	}

value:
	jskip_ws(&p);
	if (p.i >= p.n)
		return jerr_eof(&p);
	switch (p.s[p.i]) {
	case '{':
	case '[':
		if (jnode_new(&p, p.s[p.i] == '{' ? AUDIT_JOBJECT :
		    AUDIT_JARRAY, &idx) == -1 || jpush(&p, idx, &sp) == -1)
			return -1;
		p.i++;
		jskip_ws(&p);
		if (p.i < p.n && p.s[p.i] == (d->nodes[idx].type ==
		    AUDIT_JOBJECT ? '}' : ']')) {
			p.i++;
			sp--;
			if (jclose(&p, idx) == -1)
				return -1;
			goto after;
		}
		if (d->nodes[idx].type == AUDIT_JOBJECT)
			goto key;
		goto value;
	case '"':
		if (jnode_new(&p, AUDIT_JSTRING, &idx) == -1 ||
		    jstring(&p, idx) == -1)
			return -1;
		goto after;
	case 't':
		if (jnode_new(&p, AUDIT_JTRUE, &idx) == -1 ||
		    jliteral(&p, "true") == -1)
			return -1;
		goto after;
	case 'f':
		if (jnode_new(&p, AUDIT_JFALSE, &idx) == -1 ||
		    jliteral(&p, "false") == -1)
			return -1;
		goto after;
	case 'n':
		if (jnode_new(&p, AUDIT_JNULL, &idx) == -1 ||
		    jliteral(&p, "null") == -1)
			return -1;
		goto after;
	default:
		if (p.s[p.i] == '-' || isdigit_(p.s[p.i])) {
			if (jnode_new(&p, AUDIT_JNUMBER, &idx) == -1 ||
			    jnumber(&p, idx) == -1)
				return -1;
			goto after;
		}
		jerr_char(&p, "looking for beginning of value");
		return -1;
	}

key:
	jskip_ws(&p);
	if (p.i >= p.n)
		return jerr_eof(&p);
	if (p.s[p.i] != '"') {
		jerr_char(&p, "looking for beginning of object key string");
		return -1;
	}
	if (jnode_new(&p, AUDIT_JSTRING, &idx) == -1 ||
	    jstring(&p, idx) == -1)
		return -1;
	jskip_ws(&p);
	if (p.i >= p.n)
		return jerr_eof(&p);
	if (p.s[p.i] != ':') {
		jerr_char(&p, "after object key");
		return -1;
	}
	p.i++;
	goto value;

after:
	if (sp == 0) {
		jskip_ws(&p);
		if (p.i < p.n) {
			jerr_char(&p, "after top-level value");
			return -1;
		}
		d->valid = 1;
		return 0;
	}
	jskip_ws(&p);
	if (p.i >= p.n)
		return jerr_eof(&p);
	top = d->stack[sp - 1];
	if (p.s[p.i] == ',') {
		p.i++;
		if (d->nodes[top].type == AUDIT_JOBJECT)
			goto key;
		goto value;
	}
	if (p.s[p.i] == (d->nodes[top].type == AUDIT_JOBJECT ? '}' : ']')) {
		p.i++;
		sp--;
		if (jclose(&p, top) == -1)
			return -1;
		goto after;
	}
	jerr_char(&p, d->nodes[top].type == AUDIT_JOBJECT ?
	    "after object key:value pair" : "after array element");
	return -1;
}

/* ------------------------------------------------------------------ */
/* Access */

static int
jvalid(const struct audit_jdoc *d, uint32_t v)
{
	return d->valid && v < d->nnodes;
}

enum audit_jtype
audit_jdoc_type(const struct audit_jdoc *d, uint32_t v)
{
	return jvalid(d, v) ? (enum audit_jtype)d->nodes[v].type : 0;
}

/* Compares key node k with the bytes s (n). */
static int
keycmp_bytes(const struct audit_jdoc *d, uint32_t k, const char *s, size_t n)
{
	const struct jnode	*nk = &d->nodes[k];
	size_t			 m = nk->len < n ? nk->len : n;
	int			 c;

	if (m > 0 && (c = memcmp(d->arena.data + nk->off, s, m)) != 0)
		return c;
	return nk->len < n ? -1 : nk->len > n;
}

int
audit_jdoc_get(const struct audit_jdoc *d, uint32_t obj, const char *key,
    uint32_t *out)
{
	const struct jnode	*o;
	const uint32_t		*m;
	size_t			 lo, hi, mid, n = strlen(key);
	int			 c;

	if (!jvalid(d, obj) || d->nodes[obj].type != AUDIT_JOBJECT)
		return -1;
	o = &d->nodes[obj];
	m = d->order + o->off;
	lo = 0;
	hi = o->len;
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		if ((c = keycmp_bytes(d, m[mid], key, n)) == 0) {
			*out = m[mid] + 1;
			return 0;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

size_t
audit_jdoc_len(const struct audit_jdoc *d, uint32_t v)
{
	if (!jvalid(d, v) || (d->nodes[v].type != AUDIT_JARRAY &&
	    d->nodes[v].type != AUDIT_JOBJECT))
		return 0;
	return d->nodes[v].len;
}

int
audit_jdoc_member(const struct audit_jdoc *d, uint32_t obj, size_t i,
    uint32_t *key, uint32_t *val)
{
	if (!jvalid(d, obj) || d->nodes[obj].type != AUDIT_JOBJECT ||
	    i >= d->nodes[obj].len)
		return -1;
	*key = d->order[d->nodes[obj].off + i];
	*val = *key + 1;
	return 0;
}

const char *
audit_jdoc_bytes(const struct audit_jdoc *d, uint32_t v, size_t *len)
{
	const struct jnode	*n;

	if (!jvalid(d, v))
		return NULL;
	n = &d->nodes[v];
	if (n->type != AUDIT_JSTRING && n->type != AUDIT_JNUMBER)
		return NULL;
	*len = n->len;
	/* The arena may be empty when every string is: never NULL. */
	return n->len ? (const char *)d->arena.data + n->off : "";
}

int
audit_jdoc_streq(const struct audit_jdoc *d, uint32_t v, const char *s)
{
	const char	*b;
	size_t		 n;

	if (audit_jdoc_type(d, v) != AUDIT_JSTRING ||
	    (b = audit_jdoc_bytes(d, v, &n)) == NULL)
		return 0;
	return n == strlen(s) && memcmp(b, s, n) == 0;
}

int
audit_jdoc_int64(const struct audit_jdoc *d, uint32_t v, int64_t *out)
{
	const char	*b;
	size_t		 n, k = 0;
	uint64_t	 acc = 0, lim;
	int		 neg = 0;

	if (audit_jdoc_type(d, v) != AUDIT_JNUMBER ||
	    (b = audit_jdoc_bytes(d, v, &n)) == NULL)
		return -1;
	if (b[0] == '-') {
		neg = 1;
		k = 1;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	if (k == n)
		return -1;
	for (; k < n; k++) {
		if (!isdigit_((unsigned char)b[k]))
			return -1;	/* fraction or exponent */
		if (acc > (lim - (uint64_t)(b[k] - '0')) / 10)
			return -1;
		acc = acc * 10 + (uint64_t)(b[k] - '0');
	}
	if (neg)
		*out = acc == (uint64_t)INT64_MAX + 1 ? INT64_MIN :
		    -(int64_t)acc;
	else
		*out = (int64_t)acc;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Canonical form */

struct eframe {
	uint32_t	 node;
	uint32_t	 pos;	/* next element or member */
	uint32_t	 cur;	/* array: next element's node */
	uint32_t	 emitted;
};

static int
eframe_push(struct eframe **st, size_t *cap, size_t *sp, struct eframe *local,
    struct eframe f)
{
	struct eframe	*ns;
	size_t		 ncap;

	if (*sp == *cap) {
		ncap = *cap * 2;
		if (*st == local) {
			if ((ns = reallocarray(NULL, ncap, sizeof(*ns))) == NULL)
				return -1;
			memcpy(ns, local, *sp * sizeof(*ns));
		} else if ((ns = reallocarray(*st, ncap, sizeof(*ns))) ==
		    NULL)
			return -1;
		*st = ns;
		*cap = ncap;
	}
	(*st)[(*sp)++] = f;
	return 0;
}

int
audit_jdoc_canon(const struct audit_jdoc *d, uint32_t v,
    struct audit_buf *out, const char *skip_key, size_t *insert_at)
{
	struct eframe		 local[64], *st = local, *f;
	const struct jnode	*n;
	size_t			 sp = 0, cap = nitems(local), skiplen = 0;
	size_t			 ins = SIZE_MAX;
	uint32_t		 k;
	int			 c, rv = -1;

	if (!jvalid(d, v)) {
		errno = EINVAL;
		return -1;
	}
	if (skip_key != NULL)
		skiplen = strlen(skip_key);
	for (;;) {
		n = &d->nodes[v];
		switch (n->type) {
		case AUDIT_JNULL:
			if (audit_buf_add(out, "null", 4) == -1)
				goto out;
			break;
		case AUDIT_JFALSE:
			if (audit_buf_add(out, "false", 5) == -1)
				goto out;
			break;
		case AUDIT_JTRUE:
			if (audit_buf_add(out, "true", 4) == -1)
				goto out;
			break;
		case AUDIT_JNUMBER:
			if (audit_buf_add(out, d->arena.data + n->off,
			    n->len) == -1)
				goto out;
			break;
		case AUDIT_JSTRING:
			if (audit_json_quote(out, n->len ? d->arena.data +
			    n->off : (const unsigned char *)"", n->len) == -1)
				goto out;
			break;
		default:
			if (audit_buf_addc(out, n->type == AUDIT_JOBJECT ?
			    '{' : '[') == -1 ||
			    eframe_push(&st, &cap, &sp, local,
			    (struct eframe){ v, 0, v + 1, 0 }) == -1)
				goto out;
			break;
		}

		/* Advance the innermost open container. */
		for (;;) {
			if (sp == 0) {
				if (insert_at != NULL)
					*insert_at = ins;
				rv = 0;
				goto out;
			}
			f = &st[sp - 1];
			n = &d->nodes[f->node];
			if (n->type == AUDIT_JARRAY) {
				if (f->pos == n->len) {
					if (audit_buf_addc(out, ']') == -1)
						goto out;
					sp--;
					continue;
				}
				if (f->pos > 0 && audit_buf_addc(out, ',') == -1)
					goto out;
				v = f->cur;
				f->cur = d->nodes[f->cur].end;
				f->pos++;
				break;
			}
			/*
			 * Object.  The root's skip_key is left out, and the
			 * first member sorting after it marks where it goes.
			 */
			while (f->pos < n->len) {
				k = d->order[n->off + f->pos];
				if (sp == 1 && skip_key != NULL &&
				    ins == SIZE_MAX) {
					c = keycmp_bytes(d, k, skip_key, skiplen);
					if (c == 0) {
						f->pos++;
						continue;
					}
					if (c > 0)
						ins = out->len +
						    (f->emitted ? 1 : 0);
				}
				break;
			}
			if (f->pos == n->len) {
				if (sp == 1 && skip_key != NULL &&
				    ins == SIZE_MAX)
					ins = out->len;
				if (audit_buf_addc(out, '}') == -1)
					goto out;
				sp--;
				continue;
			}
			k = d->order[n->off + f->pos];
			if (f->emitted++ > 0 && audit_buf_addc(out, ',') == -1)
				goto out;
			if (audit_json_quote(out, d->nodes[k].len ?
			    d->arena.data + d->nodes[k].off :
			    (const unsigned char *)"", d->nodes[k].len) == -1 ||
			    audit_buf_addc(out, ':') == -1)
				goto out;
			v = k + 1;
			f->pos++;
			break;
		}
	}
out:
	if (st != local)
		free(st);
	return rv;
}

int
audit_json_canon(const void *in, size_t len, struct audit_buf *out,
    char *err, size_t errlen)
{
	struct audit_jdoc	*d;
	int			 rv = -1;

	if ((d = audit_jdoc_new()) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (audit_jdoc_parse(d, in, len, err, errlen) == -1)
		goto out;
	if (audit_jdoc_canon(d, AUDIT_JROOT, out, NULL, NULL) == -1) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	rv = 0;
out:
	audit_jdoc_free(d);
	return rv;
}
