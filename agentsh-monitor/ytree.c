/*
 * Strict YAML reading for root-owned files (see ytree.h).  libyaml's event
 * parser feeds a small tree; anything that is not plain data (anchors,
 * aliases, tags, a second document) is an error with its position.
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <yaml.h>

#include "ytree.h"

struct ybuild {
	const char	*name;
	char		*err;
	size_t		 errlen;
	struct ytree	*stack[YTREE_MAX_DEPTH];
	int		 depth;
	struct ytree	*root;
	size_t		 nodes;
};

static void
wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	(void)vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

int
ytree_err(char *err, size_t errlen, const char *name, const struct ytree *at,
    const char *path, const char *fmt, ...)
{
	char	 msg[512];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (at != NULL)
		seterr(err, errlen, "%s:%lu:%lu: %s%s%s", name, at->line,
		    at->col, path, path[0] != '\0' ? ": " : "", msg);
	else
		seterr(err, errlen, "%s: %s%s%s", name, path,
		    path[0] != '\0' ? ": " : "", msg);
	return -1;
}

void
ytree_free(struct ytree *t)
{
	size_t	 i;

	if (t == NULL)
		return;
	for (i = 0; i < t->nkids; i++)
		ytree_free(t->kids[i]);
	free(t->kids);
	if (t->str != NULL)
		freezero(t->str, t->len + 1);
	free(t);
}

void
ytree_vis(char *dst, size_t dstlen, const char *s, size_t len, size_t max)
{
	size_t		 i, o = 0;
	unsigned char	 c;
	char		 e[8];
	int		 n;

	if (dstlen == 0)
		return;
	for (i = 0; i < len && i < max; i++) {
		c = (unsigned char)s[i];
		if (c == '"' || c == '\\')
			n = snprintf(e, sizeof(e), "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			n = snprintf(e, sizeof(e), "\\x%02x", c);
		else
			n = snprintf(e, sizeof(e), "%c", c);
		if (n < 0 || o + (size_t)n + 4 >= dstlen)
			break;
		memcpy(dst + o, e, (size_t)n);
		o += (size_t)n;
	}
	if (i < len && o + 4 < dstlen) {
		memcpy(dst + o, "...", 3);
		o += 3;
	}
	dst[o] = '\0';
}

int
ytree_is_null(const struct ytree *t)
{
	static const char *const nulls[] = { "", "~", "null", "Null", "NULL" };
	size_t	 i;

	if (t == NULL || t->type != YTREE_SCALAR || !t->plain)
		return 0;
	for (i = 0; i < nitems(nulls); i++)
		if (strcmp(t->str, nulls[i]) == 0 && t->len == strlen(nulls[i]))
			return 1;
	return 0;
}

const struct ytree *
ytree_get(const struct ytree *t, ...)
{
	va_list		 ap;
	const char	*k;
	size_t		 i;

	va_start(ap, t);
	while (t != NULL && (k = va_arg(ap, const char *)) != NULL) {
		if (t->type != YTREE_MAP) {
			t = NULL;
			break;
		}
		for (i = 0; i + 1 < t->nkids; i += 2)
			if (t->kids[i]->type == YTREE_SCALAR &&
			    strcmp(t->kids[i]->str, k) == 0)
				break;
		t = i + 1 < t->nkids ? t->kids[i + 1] : NULL;
	}
	va_end(ap);
	return t;
}

static int
kid_add(struct ytree *p, struct ytree *k)
{
	struct ytree	**nk;

	nk = reallocarray(p->kids, p->nkids + 1, sizeof(*nk));
	if (nk == NULL)
		return -1;
	p->kids = nk;
	p->kids[p->nkids++] = k;
	return 0;
}

static int
build_err(struct ybuild *b, const yaml_mark_t *m, const char *what)
{
	seterr(b->err, b->errlen, "%s:%lu:%lu: %s", b->name,
	    (unsigned long)m->line + 1, (unsigned long)m->column + 1, what);
	return -1;
}

/* Takes one node event; collections are pushed until their end event. */
static int
build_node(struct ybuild *b, const yaml_event_t *ev)
{
	const yaml_char_t	*anchor = NULL, *tag = NULL;
	struct ytree		*t;

	switch (ev->type) {
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		return build_err(b, &ev->start_mark, "unexpected YAML event");
	}
	if (anchor != NULL)
		return build_err(b, &ev->start_mark,
		    "anchors are not allowed (the file is plain data)");
	if (tag != NULL)
		return build_err(b, &ev->start_mark,
		    "tags are not allowed (the file is plain data)");
	if (++b->nodes > YTREE_MAX_NODES)
		return build_err(b, &ev->start_mark, "too many nodes");
	if (ev->type != YAML_SCALAR_EVENT && b->depth >= YTREE_MAX_DEPTH)
		return build_err(b, &ev->start_mark, "nested too deeply");
	if (b->depth == 0 && b->root != NULL)
		return build_err(b, &ev->start_mark, "more than one root node");

	if ((t = calloc(1, sizeof(*t))) == NULL)
		return build_err(b, &ev->start_mark, "out of memory");
	t->line = (unsigned long)ev->start_mark.line + 1;
	t->col = (unsigned long)ev->start_mark.column + 1;
	if (ev->type == YAML_SCALAR_EVENT) {
		t->type = YTREE_SCALAR;
		t->len = ev->data.scalar.length;
		t->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
		if ((t->str = malloc(t->len + 1)) == NULL) {
			free(t);
			return build_err(b, &ev->start_mark, "out of memory");
		}
		memcpy(t->str, ev->data.scalar.value, t->len);
		t->str[t->len] = '\0';
	} else
		t->type = ev->type == YAML_MAPPING_START_EVENT ?
		    YTREE_MAP : YTREE_SEQ;

	if (b->depth == 0)
		b->root = t;
	else if (kid_add(b->stack[b->depth - 1], t) == -1) {
		ytree_free(t);
		return build_err(b, &ev->start_mark, "out of memory");
	}
	if (t->type != YTREE_SCALAR)
		b->stack[b->depth++] = t;
	return 0;
}

static void
syntax_err(struct ybuild *b, const yaml_parser_t *p, const void *buf,
    size_t len)
{
	const char	*s = buf;
	unsigned long	 line = 1, col = 1;
	size_t		 i;

	switch (p->error) {
	case YAML_MEMORY_ERROR:
		seterr(b->err, b->errlen, "%s: out of memory", b->name);
		break;
	case YAML_READER_ERROR:
		/* Reader errors carry a byte offset, not a mark. */
		for (i = 0; i < p->problem_offset && i < len; i++) {
			if (s[i] == '\n') {
				line++;
				col = 1;
			} else
				col++;
		}
		seterr(b->err, b->errlen, "%s:%lu:%lu: YAML syntax error: %s",
		    b->name, line, col,
		    p->problem != NULL ? p->problem : "unreadable input");
		break;
	default:
		seterr(b->err, b->errlen, "%s:%lu:%lu: YAML syntax error: %s%s%s%s",
		    b->name, (unsigned long)p->problem_mark.line + 1,
		    (unsigned long)p->problem_mark.column + 1,
		    p->problem != NULL ? p->problem : "malformed input",
		    p->context != NULL ? " (" : "",
		    p->context != NULL ? p->context : "",
		    p->context != NULL ? ")" : "");
		break;
	}
}

static void
event_wipe_delete(yaml_event_t *ev)
{
	if (ev->type == YAML_SCALAR_EVENT)
		wipe(ev->data.scalar.value, ev->data.scalar.length);
	yaml_event_delete(ev);
}

int
ytree_parse(const char *name, const void *buf, size_t len,
    struct ytree **out, char *err, size_t errlen)
{
	yaml_parser_t	 p;
	yaml_event_t	 ev;
	struct ybuild	 b;
	int		 ndocs = 0, done = 0, rv = -1;

	*out = NULL;
	if (err != NULL && errlen > 0)
		err[0] = '\0';
	memset(&b, 0, sizeof(b));
	b.name = name;
	b.err = err;
	b.errlen = errlen;
	if (len > YTREE_MAX_FILE) {
		seterr(err, errlen, "%s: larger than %d bytes", name,
		    YTREE_MAX_FILE);
		return -1;
	}
	if (!yaml_parser_initialize(&p)) {
		seterr(err, errlen, "%s: out of memory", name);
		return -1;
	}
	yaml_parser_set_input_string(&p, buf, len);
	yaml_parser_set_encoding(&p, YAML_UTF8_ENCODING);

	while (!done) {
		if (!yaml_parser_parse(&p, &ev)) {
			syntax_err(&b, &p, buf, len);
			goto out;
		}
		switch (ev.type) {
		case YAML_STREAM_START_EVENT:
		case YAML_DOCUMENT_END_EVENT:
		case YAML_NO_EVENT:
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		case YAML_DOCUMENT_START_EVENT:
			if (ndocs++ > 0) {
				build_err(&b, &ev.start_mark,
				    "only one YAML document is allowed");
				goto fail;
			}
			break;
		case YAML_ALIAS_EVENT:
			build_err(&b, &ev.start_mark,
			    "aliases are not allowed (the file is plain data)");
			goto fail;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			if (b.depth > 0)
				b.depth--;
			break;
		default:
			if (build_node(&b, &ev) == -1)
				goto fail;
			break;
		}
		event_wipe_delete(&ev);
	}
	if (b.root != NULL && ytree_is_null(b.root)) {
		ytree_free(b.root);
		b.root = NULL;
	}
	*out = b.root;
	b.root = NULL;
	rv = 0;
	goto out;
 fail:
	event_wipe_delete(&ev);
 out:
	ytree_free(b.root);
	/* libyaml keeps copies of the input in its buffers: wipe them. */
	wipe(p.raw_buffer.start, (size_t)(p.raw_buffer.end - p.raw_buffer.start));
	wipe(p.buffer.start, (size_t)(p.buffer.end - p.buffer.start));
	yaml_parser_delete(&p);
	return rv;
}

/*
 * Every directory above a root daemon's file must be root's and not
 * writable by others (sticky ones excepted: there others cannot replace
 * root's entries), or an ordinary user could swap the file.
 */
static int
check_dirs(const char *path, const char *real, char *err, size_t errlen)
{
	char		 dir[PATH_MAX];
	char		*slash;
	struct stat	 st;

	if (strlcpy(dir, real, sizeof(dir)) >= sizeof(dir)) {
		seterr(err, errlen, "%s: path too long", path);
		return -1;
	}
	while ((slash = strrchr(dir, '/')) != NULL) {
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(dir, &st) == -1) {
			seterr(err, errlen, "%s: %s: %s", path, dir,
			    strerror(errno));
			return -1;
		}
		if (st.st_uid != 0) {
			seterr(err, errlen, "%s: directory %s is not owned "
			    "by root; the file is read by a root daemon",
			    path, dir);
			return -1;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0 &&
		    (st.st_mode & S_ISVTX) == 0) {
			seterr(err, errlen, "%s: directory %s is writable by "
			    "group or others; the file is read by a root "
			    "daemon", path, dir);
			return -1;
		}
		if (strcmp(dir, "/") == 0)
			break;
	}
	return 0;
}

int
ytree_read_file(const char *path, int secret, char **bufp, size_t *lenp,
    char *err, size_t errlen)
{
	struct stat	 st;
	char		 real[PATH_MAX];
	char		*buf = NULL;
	size_t		 len = 0;
	ssize_t		 n;
	int		 fd = -1, rv = -1, root = geteuid() == 0;

	*bufp = NULL;
	*lenp = 0;
	if (realpath(path, real) == NULL) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((fd = open(real, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW |
	    O_NONBLOCK)) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (fstat(fd, &st) == -1) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		seterr(err, errlen, "%s: not a regular file", path);
		goto out;
	}
	if (root) {
		if (st.st_uid != 0) {
			seterr(err, errlen, "%s: not owned by root; it is "
			    "read by a root daemon", path);
			goto out;
		}
		if (secret && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
			seterr(err, errlen, "%s: readable or writable by "
			    "group or others; it holds secrets (chmod 600)",
			    path);
			goto out;
		}
		if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
			seterr(err, errlen, "%s: writable by group or "
			    "others; it is read by a root daemon", path);
			goto out;
		}
		if (check_dirs(path, real, err, errlen) == -1)
			goto out;
	}
	if (st.st_size > YTREE_MAX_FILE) {
		seterr(err, errlen, "%s: larger than %d bytes", path,
		    YTREE_MAX_FILE);
		goto out;
	}
	/* One byte more than allowed, to see a file that grew meanwhile. */
	if ((buf = malloc(YTREE_MAX_FILE + 1)) == NULL) {
		seterr(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (;;) {
		n = read(fd, buf + len, YTREE_MAX_FILE + 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			seterr(err, errlen, "%s: %s", path, strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > YTREE_MAX_FILE) {
			seterr(err, errlen, "%s: larger than %d bytes", path,
			    YTREE_MAX_FILE);
			goto out;
		}
	}
	*bufp = buf;
	*lenp = len;
	buf = NULL;
	rv = 0;
 out:
	if (buf != NULL)
		freezero(buf, YTREE_MAX_FILE + 1);
	if (fd != -1)
		close(fd);
	return rv;
}
