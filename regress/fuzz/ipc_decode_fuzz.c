/*
 * libFuzzer harness for the IPC payload decoder: the first two bytes are a
 * message type (little-endian), the rest is its payload.  Whatever
 * decodes must encode back to exactly the same bytes.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipc.h"
#include "ipc_msg.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct ipc_msgdef	*def;
	size_t			 outlen;
	uint8_t			*out, st[1024];
	char			 why[128];

	if (size < 2 || (def = ipc_msg_def(data[0] | data[1] << 8)) == NULL)
		return 0;
	if (def->size > sizeof(st))
		abort();
	if (ipc_decode(def->type, data + 2, size - 2, st, why,
	    sizeof(why)) == -1)
		return 0;
	/* Batches carry entries of their own: read them all. */
	if (def->type == IPC_EV_BATCH) {
		struct ipc_evb_entry	 e;
		size_t			 off = 0;

		while (ipc_evb_next(&((struct ipc_ev_batch *)st)->entries,
		    &off, &e) == 1)
			if (e.jsonlen == 0 || off > size)
				abort();
	}
	if (ipc_encode(def->type, st, &out, &outlen) == -1)
		abort();
	if (outlen != size - 2 || memcmp(out, data + 2, outlen) != 0)
		abort();
	free(out);
	ipc_decoded_free(def->type, st);
	return 0;
}
