/*
 * libagentsh-audit internals shared by the writer and the verifier.
 */
#ifndef AGENTSH_AUDIT_LOCAL_H
#define AGENTSH_AUDIT_LOCAL_H

#include <stddef.h>
#include <stdint.h>

#include "audit.h"

/* A log line: the largest event plus its integrity member. */
#define AUDIT_LINE_MAX	(AUDIT_JSON_MAX_SIZE + 1024)

/*
 * Reads lines from a descriptor, with pread from a given offset (the
 * writer) or read from wherever the descriptor stands (the verifier, which
 * may be given a pipe).
 */
struct audit_lreader {
	int		 fd;
	int		 use_read;
	uint64_t	 next;		/* file offset of the next read */
	uint64_t	 base;		/* file offset of buf.data[0] */
	struct audit_buf buf;
	size_t		 pos;		/* first unconsumed byte */
	size_t		 scan;		/* no newline in [pos, scan) */
	int		 eof;
	size_t		 max_line;
};

void	 audit_lr_init(struct audit_lreader *, int fd, int use_read,
	    uint64_t off, size_t max_line);
void	 audit_lr_clear(struct audit_lreader *);
/*
 * The next line without its newline: 1 and the line (complete = 0 when
 * the data ends without a newline), 0 at the end, -1 on a read error or
 * EFBIG for a line longer than max_line.  *start is the line's file
 * offset; the line ends (newline included) at *start + len + complete.
 */
int	 audit_lr_next(struct audit_lreader *, const unsigned char **line,
	    size_t *len, int *complete, uint64_t *start);

/* write(2) until all of buf is written (EINTR retried); 0 or -1. */
int	 audit_write_all(int fd, const void *buf, size_t n);
/* Whether s (n bytes) is lowercase or uppercase hex digits only. */
int	 audit_is_hex(const char *s, size_t n);
/* Milliseconds of CLOCK_MONOTONIC. */
uint64_t audit_mono_ms(void);

#endif /* AGENTSH_AUDIT_LOCAL_H */
