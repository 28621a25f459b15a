/*
 * Globs: * ? [..] [!..] {a,b} \x and **.
 *
 * A pattern is expanded into at most POL_GLOB_MAXALT brace-free
 * alternatives, each a list of tokens.  Matching runs the tokens as an NFA
 * over a bit set of positions, so it costs O(length x tokens) whatever the
 * pattern: no backtracking, nothing exponential.  Most patterns are a
 * literal prefix followed by nothing, "**" or "*"; those never reach the
 * NFA.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pol_local.h"

struct galtv {
	size_t	  n;
	char	**v;
};

static void
galtv_clear(struct galtv *a)
{
	for (size_t i = 0; i < a->n; i++)
		free(a->v[i]);
	free(a->v);
	a->v = NULL;
	a->n = 0;
}

/* Index of the ']' closing a class opened at p[0] == '[', or -1. */
static long
class_end(const char *p, size_t len)
{
	size_t	 i = 1;

	if (i < len && (p[i] == '!' || p[i] == '^'))
		i++;
	if (i < len && p[i] == ']')
		i++;
	for (; i < len; i++) {
		if (p[i] == '\\') {
			i++;
			continue;
		}
		if (p[i] == ']')
			return (long)i;
	}
	return -1;
}

/*
 * Expands the first top-level {..} of s and recurses; appends the results
 * to out.  Fails on an unclosed brace or too many alternatives.
 */
static int
brace_expand(const char *s, struct galtv *out, char *err, size_t errlen)
{
	size_t	 len = strlen(s), i, open = 0, close = 0, start;
	int	 depth = 0, found = 0;
	long	 ce;
	char	*alt, **nv;

	for (i = 0; i < len && !found; i++) {
		if (s[i] == '\\') {
			i++;
			continue;
		}
		if (s[i] == '[' && (ce = class_end(s + i, len - i)) > 0) {
			i += (size_t)ce;
			continue;
		}
		if (s[i] == '{') {
			open = i;
			depth = 1;
			for (i++; i < len; i++) {
				if (s[i] == '\\') {
					i++;
					continue;
				}
				if (s[i] == '[' &&
				    (ce = class_end(s + i, len - i)) > 0) {
					i += (size_t)ce;
					continue;
				}
				if (s[i] == '{')
					depth++;
				else if (s[i] == '}' && --depth == 0)
					break;
			}
			if (i >= len) {
				pol_errv_set(err, errlen, "unclosed '{' in "
				    "pattern");
				return -1;
			}
			close = i;
			found = 1;
		}
	}
	if (!found) {
		if (out->n >= POL_GLOB_MAXALT) {
			pol_errv_set(err, errlen, "pattern expands to more "
			    "than %d alternatives", POL_GLOB_MAXALT);
			return -1;
		}
		if ((nv = reallocarray(out->v, out->n + 1,
		    sizeof(*nv))) == NULL)
			return -1;
		out->v = nv;
		if ((out->v[out->n] = strdup(s)) == NULL)
			return -1;
		out->n++;
		return 0;
	}
	/* Split open+1 .. close-1 on top-level commas. */
	start = open + 1;
	depth = 0;
	for (i = open + 1; i <= close; i++) {
		if (i < close && s[i] == '\\') {
			i++;
			continue;
		}
		if (i < close && s[i] == '[' &&
		    (ce = class_end(s + i, close - i)) > 0) {
			i += (size_t)ce;
			continue;
		}
		if (i < close && s[i] == '{') {
			depth++;
			continue;
		}
		if (i < close && s[i] == '}') {
			depth--;
			continue;
		}
		if (i == close || (s[i] == ',' && depth == 0)) {
			size_t	 plen = open, olen = i - start;
			size_t	 slen = len - close - 1;

			if ((alt = malloc(plen + olen + slen + 1)) == NULL)
				return -1;
			memcpy(alt, s, plen);
			memcpy(alt + plen, s + start, olen);
			memcpy(alt + plen + olen, s + close + 1, slen);
			alt[plen + olen + slen] = '\0';
			if (brace_expand(alt, out, err, errlen) == -1) {
				free(alt);
				return -1;
			}
			free(alt);
			start = i + 1;
		}
	}
	return 0;
}

static int
galt_tokenize(struct pol_galt *a, const char *s, int sep, int fold,
    char *err, size_t errlen)
{
	size_t	 len = strlen(s), i, n = 0, j, lit;
	struct pol_gtok *tok;
	long	 ce;

	if ((tok = calloc(len + 1, sizeof(*tok))) == NULL)
		return -1;
	a->tok = tok;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\\') {
			if (i + 1 >= len) {
				pol_errv_set(err, errlen, "pattern ends "
				    "with '\\'");
				return -1;
			}
			c = (unsigned char)s[++i];
			tok[n].kind = GT_LIT;
			tok[n++].ch = fold ? (uint8_t)tolower(c) : c;
		} else if (c == '*') {
			int	 dbl = 0;

			while (i + 1 < len && s[i + 1] == '*') {
				dbl = 1;
				i++;
			}
			if (sep == 0)
				dbl = 1;
			/* "**" then "*" adds nothing; keep one. */
			if (n > 0 && (tok[n - 1].kind == GT_DSTAR ||
			    (tok[n - 1].kind == GT_STAR && !dbl)))
				continue;
			if (n > 0 && tok[n - 1].kind == GT_STAR && dbl) {
				tok[n - 1].kind = GT_DSTAR;
				continue;
			}
			tok[n++].kind = dbl ? GT_DSTAR : GT_STAR;
		} else if (c == '?') {
			tok[n++].kind = GT_ANY;
		} else if (c == '[') {
			uint8_t	(*ns)[32], set[32];
			int	 neg = 0;
			size_t	 k;

			if ((ce = class_end(s + i, len - i)) < 0) {
				pol_errv_set(err, errlen, "unclosed '[' in "
				    "pattern");
				return -1;
			}
			memset(set, 0, sizeof(set));
			j = i + 1;
			if (s[j] == '!' || s[j] == '^') {
				neg = 1;
				j++;
			}
			k = i + (size_t)ce;	/* the ']' */
			if (j == k) {
				pol_errv_set(err, errlen, "empty '[]' in "
				    "pattern");
				return -1;
			}
			while (j < k) {
				unsigned char lo, hi;

				if (s[j] == '\\')
					j++;
				lo = (unsigned char)s[j++];
				hi = lo;
				if (j + 1 < k && s[j] == '-') {
					j++;
					if (s[j] == '\\')
						j++;
					hi = (unsigned char)s[j++];
					if (hi < lo) {
						pol_errv_set(err, errlen,
						    "bad range '%c-%c' in "
						    "pattern", lo, hi);
						return -1;
					}
				}
				for (unsigned int x = lo; x <= hi; x++) {
					unsigned int y = fold ?
					    (unsigned int)tolower((int)x) : x;

					set[y >> 3] |= (uint8_t)(1 << (y & 7));
				}
			}
			if (neg)
				for (k = 0; k < 32; k++)
					set[k] = (uint8_t)~set[k];
			if (fold)	/* input is lowercase */
				for (unsigned int x = 'A'; x <= 'Z'; x++)
					set[x >> 3] &= (uint8_t)~(1 << (x & 7));
			set[0] &= (uint8_t)~1;	/* never NUL */
			if (sep)
				set[sep >> 3] &= (uint8_t)~(1 << (sep & 7));
			if (a->nsets >= UINT16_MAX) {
				pol_errv_set(err, errlen, "too many classes");
				return -1;
			}
			if ((ns = reallocarray(a->sets, a->nsets + 1,
			    sizeof(*ns))) == NULL)
				return -1;
			a->sets = ns;
			memcpy(a->sets[a->nsets], set, sizeof(set));
			tok[n].kind = GT_CLASS;
			tok[n++].set = (uint16_t)a->nsets++;
			i += (size_t)ce;
		} else {
			tok[n].kind = GT_LIT;
			tok[n++].ch = fold ? (uint8_t)tolower(c) : c;
		}
	}

	/* Literal prefix. */
	for (lit = 0; lit < n && tok[lit].kind == GT_LIT; lit++)
		;
	if ((a->lit = malloc(lit + 1)) == NULL)
		return -1;
	for (j = 0; j < lit; j++)
		a->lit[j] = (char)tok[j].ch;
	a->lit[lit] = '\0';
	a->litlen = lit;
	memmove(tok, tok + lit, (n - lit) * sizeof(*tok));
	a->ntok = n - lit;
	if (a->ntok == 0)
		a->shape = GS_EXACT;
	else if (a->ntok == 1 && tok[0].kind == GT_DSTAR)
		a->shape = GS_PREFIX_DSTAR;
	else if (a->ntok == 1 && tok[0].kind == GT_STAR)
		a->shape = GS_PREFIX_STAR;
	else
		a->shape = GS_GENERAL;
	for (j = 0; j < a->ntok; j++)
		if (tok[j].kind != GT_STAR && tok[j].kind != GT_DSTAR)
			a->minlen++;
	/* Literal suffix: a cheap early reject. */
	for (j = a->ntok; j > 0 && tok[j - 1].kind == GT_LIT; j--)
		;
	a->taillen = a->ntok - j;
	if ((a->tail = malloc(a->taillen + 1)) == NULL)
		return -1;
	for (size_t k = 0; k < a->taillen; k++)
		a->tail[k] = (char)tok[j + k].ch;
	a->tail[a->taillen] = '\0';
	return 0;
}

struct pol_glob *
pol_glob_compile(const char *pat, int sep, int fold, char *err,
    size_t errlen)
{
	struct pol_glob	*g = NULL;
	struct galtv	 alts = { 0, NULL };

	if (strlen(pat) > POL_GLOB_MAXLEN) {
		pol_errv_set(err, errlen, "pattern longer than %d bytes",
		    POL_GLOB_MAXLEN);
		errno = EINVAL;
		return NULL;
	}
	if ((g = calloc(1, sizeof(*g))) == NULL)
		goto nomem;
	g->sep = sep;
	g->fold = fold;
	err[0] = '\0';
	if (brace_expand(pat, &alts, err, errlen) == -1)
		goto fail;
	if ((g->alt = calloc(alts.n, sizeof(*g->alt))) == NULL)
		goto nomem;
	g->nalt = alts.n;
	for (size_t i = 0; i < alts.n; i++)
		if (galt_tokenize(&g->alt[i], alts.v[i], sep, fold, err,
		    errlen) == -1)
			goto fail;
	galtv_clear(&alts);
	return g;
 nomem:
	pol_errv_set(err, errlen, "out of memory");
 fail:
	if (err[0] == '\0')
		pol_errv_set(err, errlen, "out of memory");
	else
		errno = EINVAL;
	galtv_clear(&alts);
	pol_glob_free(g);
	return NULL;
}

void
pol_glob_free(struct pol_glob *g)
{
	if (g == NULL)
		return;
	for (size_t i = 0; i < g->nalt; i++) {
		free(g->alt[i].lit);
		free(g->alt[i].tail);
		free(g->alt[i].tok);
		free(g->alt[i].sets);
	}
	free(g->alt);
	free(g);
}

#define NFA_WORDS ((POL_GLOB_MAXLEN + 1 + 63) / 64)

/* Adds the positions reachable through stars without consuming. */
static void
nfa_close(const struct pol_galt *a, uint64_t *d, size_t nw)
{
	for (size_t w = 0; w < nw; w++) {
		uint64_t bits = d[w];

		while (bits) {
			size_t	 i = w * 64 + (size_t)__builtin_ctzll(bits);

			bits &= bits - 1;
			if (i < a->ntok && (a->tok[i].kind == GT_STAR ||
			    a->tok[i].kind == GT_DSTAR)) {
				d[(i + 1) >> 6] |= 1ULL << ((i + 1) & 63);
				if (((i + 1) >> 6) == w)
					bits |= 1ULL << ((i + 1) & 63);
			}
		}
	}
}

static int
nfa_match(const struct pol_galt *a, int sep, const unsigned char *s,
    size_t len)
{
	uint64_t cur[NFA_WORDS], nxt[NFA_WORDS];
	size_t	 nw = (a->ntok + 1 + 63) / 64;

	memset(cur, 0, nw * sizeof(uint64_t));
	cur[0] = 1;
	nfa_close(a, cur, nw);
	for (size_t p = 0; p < len; p++) {
		unsigned char c = s[p];
		int	 any = 0;

		memset(nxt, 0, nw * sizeof(uint64_t));
		for (size_t w = 0; w < nw; w++) {
			uint64_t bits = cur[w];

			while (bits) {
				size_t	 i = w * 64 +
				    (size_t)__builtin_ctzll(bits);
				const struct pol_gtok *t;
				size_t	 to = i + 1;

				bits &= bits - 1;
				if (i >= a->ntok)
					continue;
				t = &a->tok[i];
				switch (t->kind) {
				case GT_LIT:
					if (c != t->ch)
						continue;
					break;
				case GT_ANY:
					if (c == sep && sep != 0)
						continue;
					break;
				case GT_CLASS:
					if (!(a->sets[t->set][c >> 3] &
					    (1 << (c & 7))))
						continue;
					break;
				case GT_STAR:
					if (c == sep && sep != 0)
						continue;
					to = i;
					break;
				default:	/* GT_DSTAR */
					to = i;
					break;
				}
				nxt[to >> 6] |= 1ULL << (to & 63);
				any = 1;
			}
		}
		if (!any)
			return 0;
		nfa_close(a, nxt, nw);
		memcpy(cur, nxt, nw * sizeof(uint64_t));
	}
	return (cur[a->ntok >> 6] >> (a->ntok & 63)) & 1;
}

int
pol_glob_match(const struct pol_glob *g, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < g->nalt; i++) {
		const struct pol_galt *a = &g->alt[i];
		const unsigned char *rest;
		size_t	 rlen;

		if (len < a->litlen + a->minlen ||
		    memcmp(s, a->lit, a->litlen) != 0)
			continue;
		rest = s + a->litlen;
		rlen = len - a->litlen;
		switch (a->shape) {
		case GS_EXACT:
			if (rlen == 0)
				return 1;
			break;
		case GS_PREFIX_DSTAR:
			return 1;
		case GS_PREFIX_STAR:
			if (g->sep == 0 || memchr(rest, g->sep, rlen) == NULL)
				return 1;
			break;
		default:
			if (rlen < a->taillen || memcmp(rest + rlen -
			    a->taillen, a->tail, a->taillen) != 0)
				break;
			if (nfa_match(a, g->sep, rest, rlen))
				return 1;
			break;
		}
	}
	return 0;
}

int
pol_glob_is_pattern(const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\') {
			if (s[1] == '\0')
				return 1;	/* an error: let compile say so */
			s++;
			continue;
		}
		if (strchr("*?[{", *s) != NULL)
			return 1;
	}
	return 0;
}

char *
pol_glob_escape(const char *s)
{
	size_t	 n = 0;
	char	*out, *o;

	for (const char *p = s; *p != '\0'; p++)
		n += strchr("*?[]{},\\", *p) != NULL ? 2 : 1;
	if ((out = malloc(n + 1)) == NULL)
		return NULL;
	for (o = out; *s != '\0'; s++) {
		if (strchr("*?[]{},\\", *s) != NULL)
			*o++ = '\\';
		*o++ = *s;
	}
	*o = '\0';
	return out;
}
