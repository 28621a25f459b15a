/*
 * libFuzzer harness for the IPC payload decoder: the first byte picks a
 * message type from the catalogue, the rest is its payload.  Whatever
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
	size_t			 n = 0, outlen;
	uint8_t			*out, st[1024];
	char			 why[128];

	if (size < 1)
		return 0;
	while (ipc_msg_def_at(n) != NULL)
		n++;
	def = ipc_msg_def_at(data[0] % n);
	if (def->size > sizeof(st))
		abort();
	if (ipc_decode(def->type, data + 1, size - 1, st, why,
	    sizeof(why)) == -1)
		return 0;
	if (ipc_encode(def->type, st, &out, &outlen) == -1)
		abort();
	if (outlen != size - 1 || memcmp(out, data + 1, outlen) != 0)
		abort();
	free(out);
	ipc_decoded_free(def->type, st);
	return 0;
}
