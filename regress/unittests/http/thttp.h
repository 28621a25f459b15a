/* What the two halves of the http suite share. */
#ifndef REGRESS_THTTP_H
#define REGRESS_THTTP_H

#include <sys/types.h>

#include <check.h>
#include <stddef.h>
#include <stdint.h>

#include "agentshd/http.h"

extern const struct http_limits deflim;

/* A source handing out a buffer step bytes per read (0: all): the
 * reader never reads past the response it parses. */
struct msrc {
	const uint8_t	*p;
	size_t		 len, off, step;
};
ssize_t	 msrc_read(void *arg, void *buf, size_t len);

/* test_http_client.c */
TCase	*http_client_tcase(void);

#endif /* REGRESS_THTTP_H */
