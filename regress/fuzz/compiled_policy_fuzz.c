/*
 * libFuzzer harness for the compiled-policy decoder: the bytes a helper
 * gets from the monitor, treated as hostile.  What decodes must encode
 * back to the same bytes and be usable for decisions.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const argv[] = { "bash", "-lc",
	    "sudo -u x xargs -0 wget; ls > f", NULL };
	struct pol_exec_req x = { NULL, argv, 3, 0 };
	struct pol_ctx	 ctx = { POL_CTX_EXEC_INTERCEPTED, POL_OPAQUE_DENY };
	struct pol_connect_req c = { NULL, "::ffff:192.168.1.1", 22 };
	struct pol_result res;
	struct pol	*p;
	char		 err[512];
	uint8_t		*b;
	size_t		 n;

	if ((p = pol_deserialize(data, size, POL_LOAD_NOJIT, err,
	    sizeof(err))) == NULL)
		return 0;
	if (pol_serialize(p, &b, &n) == -1)
		abort();
	if (n != size || memcmp(b, data, n) != 0)
		abort();	/* the encoding is canonical */
	free(b);
	pol_eval_file(p, "/etc/shadow", POL_OP_READ, &res);
	pol_eval_exec(p, &ctx, &x, &res);
	pol_eval_connect(p, &c, &res);
	pol_eval_dns(p, "a.b", &res);
	pol_free(p);
	return 0;
}
