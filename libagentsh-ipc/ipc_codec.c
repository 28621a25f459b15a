/*
 * Table-driven payload encoding and strict decoding (see ipc_codec.h).
 * A payload from a peer is untrusted: decoding either yields a struct whose
 * every field passed its check, or fails with a reason and no allocation.
 */
#include "compat.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ipc_codec.h"
#include "ipc.h"

struct wbuf {
	uint8_t		*p;
	size_t		 len;
	size_t		 cap;
	int		 err;
};

static void
w_put(struct wbuf *w, const void *src, size_t n)
{
	uint8_t	*np;
	size_t	 ncap;

	if (w->err)
		return;
	if (n > IPC_MAX_PAYLOAD - w->len) {
		w->err = EMSGSIZE;
		return;
	}
	if (w->len + n > w->cap) {
		ncap = w->cap ? w->cap : 256;
		while (ncap < w->len + n)
			ncap *= 2;
		if ((np = realloc(w->p, ncap)) == NULL) {
			w->err = ENOMEM;
			return;
		}
		w->p = np;
		w->cap = ncap;
	}
	memcpy(w->p + w->len, src, n);
	w->len += n;
}

static void
w_str(struct wbuf *w, const char *s, uint32_t max)
{
	size_t		 n = s != NULL ? strlen(s) : 0;
	uint32_t	 l32;

	if (n > max) {
		w->err = ENAMETOOLONG;
		return;
	}
	l32 = (uint32_t)n;
	w_put(w, &l32, sizeof(l32));
	w_put(w, s != NULL ? s : "", n + 1);
}

int
ipc_encode(uint32_t type, const void *st, uint8_t **out, size_t *outlen)
{
	const struct ipc_msgdef	*def;
	const struct ipc_field	*f;
	const uint8_t		*base = st;
	struct wbuf		 w = { 0 };
	size_t			 i;

	*out = NULL;
	*outlen = 0;
	if ((def = ipc_msg_def(type)) == NULL) {
		errno = EINVAL;
		return -1;
	}
	for (i = 0; i < def->nfields && !w.err; i++) {
		const void	*fp;

		f = &def->fields[i];
		fp = base + f->off;
		switch (f->kind) {
		case IPC_FK_U32:
		case IPC_FK_I32:
			w_put(&w, fp, 4);
			break;
		case IPC_FK_FLAGS:
		case IPC_FK_ENUM: {
			uint32_t	 v;

			memcpy(&v, fp, 4);
			if ((f->kind == IPC_FK_FLAGS && (v & ~f->arg)) ||
			    (f->kind == IPC_FK_ENUM && v >= f->arg))
				w.err = EINVAL;
			w_put(&w, &v, 4);
			break;
		}
		case IPC_FK_U64:
		case IPC_FK_I64:
			w_put(&w, fp, 8);
			break;
		case IPC_FK_STR: {
			const char	*s;

			memcpy(&s, fp, sizeof(s));
			w_str(&w, s, f->arg);
			break;
		}
		case IPC_FK_BYTES: {
			struct ipc_bytes	 b;

			memcpy(&b, fp, sizeof(b));
			if (b.len > f->arg || (b.len > 0 && b.p == NULL)) {
				w.err = EINVAL;
				break;
			}
			w_put(&w, &b.len, 4);
			if (b.len > 0)
				w_put(&w, b.p, b.len);
			break;
		}
		case IPC_FK_STRV: {
			struct ipc_strv	 sv;

			memcpy(&sv, fp, sizeof(sv));
			if (sv.n > f->arg || (sv.n > 0 && sv.v == NULL)) {
				w.err = EINVAL;
				break;
			}
			w_put(&w, &sv.n, 4);
			for (uint32_t j = 0; j < sv.n; j++)
				w_str(&w, sv.v[j], IPC_STRV_ITEM_MAX);
			break;
		}
		default:
			w.err = EINVAL;
		}
	}
	if (w.err) {
		free(w.p);
		errno = w.err;
		return -1;
	}
	*out = w.p;
	*outlen = w.len;
	return 0;
}

struct rbuf {
	const uint8_t	*p;
	size_t		 left;
	char		*why;
	size_t		 whylen;
	const char	*field;
};

static int	fail(struct rbuf *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));

static int
fail(struct rbuf *r, const char *fmt, ...)
{
	va_list	 ap;
	char	 msg[96];

	if (r->why != NULL && r->whylen > 0) {
		va_start(ap, fmt);
		(void)vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
		(void)snprintf(r->why, r->whylen, "field %s: %s",
		    r->field, msg);
	}
	errno = EBADMSG;
	return -1;
}

static int
r_get(struct rbuf *r, void *dst, size_t n)
{
	if (r->left < n)
		return fail(r, "truncated (%zu of %zu bytes)", r->left, n);
	memcpy(dst, r->p, n);
	r->p += n;
	r->left -= n;
	return 0;
}

static int
r_str(struct rbuf *r, const char **sp, uint32_t max)
{
	uint32_t	 n;

	if (r_get(r, &n, 4) == -1)
		return -1;
	if (n > max)
		return fail(r, "string of %u bytes over its limit of %u",
		    n, max);
	if (r->left < (size_t)n + 1)
		return fail(r, "string truncated");
	if (memchr(r->p, '\0', n) != NULL)
		return fail(r, "embedded NUL");
	if (r->p[n] != '\0')
		return fail(r, "string not terminated");
	*sp = (const char *)r->p;
	r->p += (size_t)n + 1;
	r->left -= (size_t)n + 1;
	return 0;
}

int
ipc_decode(uint32_t type, const uint8_t *data, size_t len, void *st,
    char *why, size_t whylen)
{
	const struct ipc_msgdef	*def;
	const struct ipc_field	*f;
	uint8_t			*base = st;
	struct rbuf		 r = { data, len, why, whylen, "-" };
	size_t			 i;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if ((def = ipc_msg_def(type)) == NULL) {
		if (why != NULL)
			(void)snprintf(why, whylen, "unknown type %u", type);
		errno = EBADMSG;
		return -1;
	}
	memset(st, 0, def->size);
	for (i = 0; i < def->nfields; i++) {
		void	*fp;

		f = &def->fields[i];
		fp = base + f->off;
		r.field = f->name;
		switch (f->kind) {
		case IPC_FK_U32:
		case IPC_FK_I32:
			if (r_get(&r, fp, 4) == -1)
				goto bad;
			break;
		case IPC_FK_FLAGS:
		case IPC_FK_ENUM: {
			uint32_t	 v;

			if (r_get(&r, &v, 4) == -1)
				goto bad;
			if (f->kind == IPC_FK_FLAGS && (v & ~f->arg)) {
				fail(&r, "unknown flag bits 0x%x",
				    v & ~f->arg);
				goto bad;
			}
			if (f->kind == IPC_FK_ENUM && v >= f->arg) {
				fail(&r, "value %u out of range", v);
				goto bad;
			}
			memcpy(fp, &v, 4);
			break;
		}
		case IPC_FK_U64:
		case IPC_FK_I64:
			if (r_get(&r, fp, 8) == -1)
				goto bad;
			break;
		case IPC_FK_STR: {
			const char	*s;

			if (r_str(&r, &s, f->arg) == -1)
				goto bad;
			memcpy(fp, &s, sizeof(s));
			break;
		}
		case IPC_FK_BYTES: {
			struct ipc_bytes	 b = { NULL, 0 };

			if (r_get(&r, &b.len, 4) == -1)
				goto bad;
			if (b.len > f->arg) {
				fail(&r, "%u bytes over the limit of %u",
				    b.len, f->arg);
				goto bad;
			}
			if (r.left < b.len) {
				fail(&r, "truncated");
				goto bad;
			}
			b.p = b.len ? r.p : NULL;
			r.p += b.len;
			r.left -= b.len;
			memcpy(fp, &b, sizeof(b));
			break;
		}
		case IPC_FK_STRV: {
			struct ipc_strv	 sv = { 0, NULL };

			if (r_get(&r, &sv.n, 4) == -1)
				goto bad;
			/* Each string takes at least 5 bytes on the wire. */
			if (sv.n > f->arg || sv.n > r.left / 5) {
				fail(&r, "count %u too large", sv.n);
				goto bad;
			}
			if ((sv.v = calloc((size_t)sv.n + 1,
			    sizeof(*sv.v))) == NULL) {
				fail(&r, "out of memory");
				goto bad;
			}
			memcpy(fp, &sv, sizeof(sv));
			for (uint32_t j = 0; j < sv.n; j++)
				if (r_str(&r, &sv.v[j],
				    IPC_STRV_ITEM_MAX) == -1)
					goto bad;
			break;
		}
		default:
			fail(&r, "bad field table");
			goto bad;
		}
	}
	if (r.left != 0) {
		r.field = "-";
		fail(&r, "%zu trailing bytes", r.left);
		goto bad;
	}
	return 0;
bad:
	ipc_decoded_free(type, st);
	errno = EBADMSG;
	return -1;
}

/* Frees what decoding allocated (STRV arrays); the struct is zeroed. */
void
ipc_decoded_free(uint32_t type, void *st)
{
	const struct ipc_msgdef	*def;
	uint8_t			*base = st;
	size_t			 i;

	if (st == NULL || (def = ipc_msg_def(type)) == NULL)
		return;
	for (i = 0; i < def->nfields; i++) {
		struct ipc_strv	 sv;

		if (def->fields[i].kind != IPC_FK_STRV)
			continue;
		memcpy(&sv, base + def->fields[i].off, sizeof(sv));
		free(sv.v);
	}
	memset(st, 0, def->size);
}
