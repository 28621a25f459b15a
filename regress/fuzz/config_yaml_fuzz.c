/*
 * libFuzzer harness for config.yaml: arbitrary bytes as a configuration.
 * A rejected input must come with a message and leave the defaults; an
 * accepted one must print as YAML that loads back and prints the same.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentsh-monitor/config.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
print(const struct mon_config *c, size_t *lenp)
{
	char	*out = NULL;
	FILE	*fp;

	if ((fp = open_memstream(&out, lenp)) == NULL)
		abort();
	config_print(c, fp);
	if (fclose(fp) != 0)
		abort();
	return out;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char		*defaults;
	static size_t		 deflen;
	struct mon_config	 c, c2;
	char			 err[1024], *a, *b;
	size_t			 alen, blen;

	if (defaults == NULL) {
		if (config_defaults(&c) == -1)
			abort();
		defaults = print(&c, &deflen);
		config_free(&c);
	}
	if (config_load_buf(&c, "fuzz", data, size, err, sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		a = print(&c, &alen);
		if (alen != deflen || memcmp(a, defaults, alen) != 0)
			abort();
		free(a);
		config_free(&c);
		return 0;
	}
	a = print(&c, &alen);
	if (config_load_buf(&c2, "printed", a, alen, err, sizeof(err)) == -1)
		abort();
	b = print(&c2, &blen);
	if (alen != blen || memcmp(a, b, alen) != 0)
		abort();
	free(a);
	free(b);
	config_free(&c);
	config_free(&c2);
	return 0;
}
