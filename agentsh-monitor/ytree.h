/*
 * A strict YAML reader for the monitor's own files (config.yaml, the API
 * keys file): one document of plain data parsed into a small tree with
 * line and column on every node.  Anchors, aliases and tags are refused:
 * these files are data, not programs.
 */
#ifndef AGENTSH_MONITOR_YTREE_H
#define AGENTSH_MONITOR_YTREE_H

#include <stddef.h>

#define YTREE_MAX_FILE	(1024 * 1024)	/* bytes in a file we read */
#define YTREE_MAX_DEPTH	32		/* nested collections */
#define YTREE_MAX_NODES	65536

enum ytree_type {
	YTREE_SCALAR,
	YTREE_MAP,
	YTREE_SEQ,
};

struct ytree {
	enum ytree_type	  type;
	unsigned long	  line;		/* 1-based */
	unsigned long	  col;		/* 1-based */
	/* YTREE_SCALAR */
	char		 *str;		/* NUL-terminated; may hold a NUL */
	size_t		  len;
	int		  plain;	/* unquoted, so typed (int, bool, null) */
	/* YTREE_MAP: key, value, key, value...; YTREE_SEQ: the items */
	struct ytree	**kids;
	size_t		  nkids;
};

/* ytree.c */
/*
 * Parses one document from buf.  Returns 0 with *out NULL for an empty
 * stream or a document that is only null; -1 with "NAME:LINE:COL: what"
 * in err.  Scalar text is wiped when the tree is freed.
 */
int	 ytree_parse(const char *name, const void *buf, size_t len,
	    struct ytree **out, char *err, size_t errlen);
void	 ytree_free(struct ytree *);
/* A plain scalar spelling null: empty, ~, null, Null, NULL. */
int	 ytree_is_null(const struct ytree *);
/* The value at a path of mapping keys (NULL-terminated), or NULL. */
const struct ytree *ytree_get(const struct ytree *, ...);

/*
 * Reads a whole regular file of at most YTREE_MAX_FILE bytes.  When the
 * process runs as root the file and every directory above it must be
 * owned by root and not writable by group or others (a directory may be
 * if it is sticky); with 'secret' the file must not be readable by them
 * either.  *bufp is freed with freezero(*bufp, *lenp).
 */
int	 ytree_read_file(const char *path, int secret, char **bufp,
	    size_t *lenp, char *err, size_t errlen);

/*
 * Formats "NAME:LINE:COL: PATH: what" into err ("NAME: PATH: what" without
 * a node, no "PATH: " when path is empty).  Returns -1.
 */
int	 ytree_err(char *err, size_t errlen, const char *name,
	    const struct ytree *at, const char *path, const char *fmt, ...)
	    __attribute__((format(printf, 6, 7)));
/* Copies s into dst for an error message: at most 'max' bytes, escaped. */
void	 ytree_vis(char *dst, size_t dstlen, const char *s, size_t len,
	    size_t max);

#endif /* AGENTSH_MONITOR_YTREE_H */
