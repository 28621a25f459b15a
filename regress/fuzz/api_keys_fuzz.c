/*
 * libFuzzer harness for the API keys file: arbitrary bytes as a keys
 * file.  A rejected input must come with a message; an accepted one must
 * hold what the loader promises; looking anything up must be safe.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentsh-monitor/keys.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct keys_entry	*e;
	struct keys		*k;
	char			 err[1024];
	size_t			 i, n;

	if ((k = keys_load_buf("fuzz", data, size, err, sizeof(err))) == NULL) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if ((n = keys_count(k)) == 0 || n > KEYS_MAX)
		abort();
	for (i = 0; i < n; i++) {
		e = keys_entry_at(k, i);
		if (e == NULL || e->id == NULL || e->id[0] == '\0' ||
		    e->role > KEYS_ROLE_ADMIN)
			abort();
	}
	(void)keys_lookup(k, data, size);
	keys_free(k);
	return 0;
}
