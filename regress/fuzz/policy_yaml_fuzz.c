/*
 * libFuzzer harness for the policy YAML reader (files an administrator
 * writes, but parsed by the root monitor).  Whatever loads must survive
 * the round trips: printed and loaded again it prints the same, and
 * serialized it deserializes; a few decisions are made on it.
 */
#include "compat.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static char *
show(const struct pol *p)
{
	char	*buf = NULL;
	size_t	 len = 0;
	FILE	*f = open_memstream(&buf, &len);

	if (f == NULL || pol_print(p, f) == -1)
		abort();
	fclose(f);
	return buf;
}

static void
decide(const struct pol *p)
{
	static const char *const argv[] = { "sh", "-c",
	    "env -i nice -n 5 curl x | grep y && rm -rf /tmp/z", NULL };
	struct pol_exec_req x = { "/bin/sh", argv, 3, 1 };
	struct pol_ctx	 ctx = { 0, POL_OPAQUE_ENFORCE };
	struct pol_connect_req c = { "api.github.com", "10.1.2.3", 443 };
	struct pol_signal_req q = { 9, POL_SIGT_CHILD, 7, "x", 1 };
	struct pol_env_req er = { NULL, NULL, NULL, &x };
	struct pol_result res;
	struct pol_env	 env;
	char		 err[256];

	pol_eval_file(p, "/ws/a/.env", POL_OP_WRITE, &res);
	pol_eval_exec(p, &ctx, &x, &res);
	pol_eval_connect(p, &c, &res);
	pol_eval_dns(p, "Example.COM.", &res);
	pol_eval_signal(p, &q, &res);
	pol_eval_unix(p, "@abstract", POL_UOP_CONNECT, &res);
	if (pol_env_build(p, &er, &env, err, sizeof(err)) == 0)
		pol_env_clear(&env);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct pol_vars *vars;
	struct pol	*p, *q;
	char		 err[512], *s1, *s2;
	uint8_t		*b;
	size_t		 n;

	if (vars == NULL) {
		vars = pol_vars_new();
		pol_vars_set(vars, "PROJECT_ROOT", "/ws");
		pol_vars_set(vars, "HOME", "/home/u");
	}
	if ((p = pol_load_buf((const char *)data, size, "fuzz.yaml", vars,
	    POL_LOAD_NOJIT, err, sizeof(err))) == NULL)
		return 0;
	decide(p);
	s1 = show(p);
	if ((q = pol_load_buf(s1, strlen(s1), "show.yaml", vars,
	    POL_LOAD_NOJIT, err, sizeof(err))) == NULL)
		abort();	/* show printed something that does not load */
	s2 = show(q);
	if (strcmp(s1, s2) != 0)
		abort();	/* not a fixed point */
	pol_free(q);
	if (pol_serialize(p, &b, &n) == -1)
		abort();
	if ((q = pol_deserialize(b, n, POL_LOAD_NOJIT, err,
	    sizeof(err))) == NULL)
		abort();	/* our own bytes must decode */
	decide(q);
	pol_free(q);
	free(b);
	free(s1);
	free(s2);
	pol_free(p);
	return 0;
}
