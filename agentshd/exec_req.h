/*
 * The ExecRequest of CONTRACT.md section 2, checked field by field.  Kept
 * apart from the HTTP side so its fuzz harness runs it alone.
 */
#ifndef AGENTSHD_EXEC_REQ_H
#define AGENTSHD_EXEC_REQ_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#define EXEC_STDIN_MAX	 (4 * 1024 * 1024)

struct exec_req {
	uint64_t	 timeout_ms;	/* 0: none */
	const char	*stdin_data;	/* into the request; NULL: none */
	size_t		 stdin_len;
	const char	*include;	/* all|summary|blocked|none */
	int		 b64;		/* output_encoding base64 */
	int		 stream;	/* stream_output true */
};

extern const char *const exec_req_known[];

/*
 * Checks the request object o and fills r; fills in an empty "args" and
 * "env" when they are absent.  0, or -1 with the HTTP status and a message
 * naming the field in err.
 */
int	 exec_req_check(json_t *o, struct exec_req *r, int *status, char *err,
	    size_t errlen);

#endif /* AGENTSHD_EXEC_REQ_H */
