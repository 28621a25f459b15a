/*
 * bench/policy-eval: decisions per second of libagentsh-policy on one
 * core, for the default pack and for a generated 500-rule policy, file
 * and exec lookups.  Prints; asserts nothing (make bench runs it, make
 * check does not).
 *
 *	bench/policy-eval [-d DIR] [-s SECONDS]
 */
#include "compat.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "policy.h"

static double	 seconds = 1.0;

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static const char *const paths[] = {
	"/ws/src/main.c", "/ws/README.md", "/ws/.git/objects/ab/cdef",
	"/usr/lib/x86_64-linux-gnu/libc.so.6", "/etc/ld.so.cache",
	"/home/u/.ssh/id_ed25519", "/tmp/build/x.o", "/home/u/.cache/pip/x",
	"/ws/node_modules/a/b/c/index.js", "/etc/passwd", "/proc/self/maps",
	"/ws/.env", "/dev/null", "/opt/tool/bin/x", "/var/lib/dpkg/status",
	"/ws/deep/a/b/c/d/e/f/g/h/file.txt",
};
static const enum pol_fileop ops[] = {
	POL_OP_READ, POL_OP_WRITE, POL_OP_OPEN, POL_OP_STAT, POL_OP_CREATE,
	POL_OP_DELETE, POL_OP_READ, POL_OP_OPEN,
};

static void
bench_file(const char *label, const struct pol *p)
{
	struct pol_result res;
	double		 t0 = now(), t;
	unsigned long	 n = 0;

	do {
		for (int k = 0; k < 1000; k++, n++)
			pol_eval_file(p, paths[n % nitems(paths)],
			    ops[n % nitems(ops)], &res);
	} while ((t = now() - t0) < seconds);
	printf("%-28s file  %12.0f decisions/s\n", label, n / t);
}

static void
bench_exec(const char *label, const struct pol *p)
{
	static const char *const a1[] = { "make", "test", NULL };
	static const char *const a2[] = { "git", "push", "origin", "x", NULL };
	static const char *const a3[] = { "env", "nice", "-n", "5", "wget",
	    "http://x", NULL };
	static const char *const a4[] = { "sh", "-c",
	    "cd /ws && make -j4 2>&1 | tee log", NULL };
	static const char *const a5[] = { "rm", "-rf", "/ws/build", NULL };
	static const struct pol_exec_req req[] = {
		{ "/usr/bin/make", a1, 2, 0 },
		{ "/usr/bin/git", a2, 4, 1 },
		{ "/usr/bin/env", a3, 6, 2 },
		{ "/usr/bin/dash", a4, 3, 0 },
		{ "/usr/bin/rm", a5, 3, 1 },
	};
	struct pol_ctx	 ctx = { POL_CTX_EXEC_INTERCEPTED, POL_OPAQUE_ENFORCE };
	struct pol_result res;
	double		 t0 = now(), t;
	unsigned long	 n = 0;

	do {
		for (int k = 0; k < 100; k++, n++)
			pol_eval_exec(p, &ctx, &req[n % nitems(req)], &res);
	} while ((t = now() - t0) < seconds);
	printf("%-28s exec  %12.0f decisions/s\n", label, n / t);
}

/* 500 rules: 300 file rules, 150 command rules, 50 network rules. */
static char *
gen500(void)
{
	size_t	 cap = 1 << 20, o = 0;
	char	*y = malloc(cap);

	if (y == NULL)
		err(1, NULL);
	o += snprintf(y + o, cap - o, "version: 1\nname: bench500\n"
	    "file_rules:\n");
	for (int i = 0; i < 300; i++)
		o += snprintf(y + o, cap - o, "  - {name: f%d, paths: "
		    "[\"/data/p%d/**\", \"**/secret%d\", \"/srv/{a,b}%d/*.log\"], "
		    "operations: [%s], decision: %s}\n", i, i, i, i,
		    i % 3 ? "read, write" : "\"*\"", i % 2 ? "allow" : "deny");
	o += snprintf(y + o, cap - o, "command_rules:\n");
	for (int i = 0; i < 150; i++)
		o += snprintf(y + o, cap - o, "  - {name: c%d, commands: "
		    "[tool%d, \"/opt/t%d/*\"]%s, decision: %s}\n", i, i, i,
		    i % 5 ? "" : ", args_patterns: [\"^--danger\"]",
		    i % 2 ? "allow" : "deny");
	o += snprintf(y + o, cap - o, "  - {name: rest, decision: allow}\n"
	    "network_rules:\n");
	for (int i = 0; i < 49; i++)
		o += snprintf(y + o, cap - o, "  - {name: n%d, domains: "
		    "[\"*.d%d.example\"], ports: [443], decision: allow}\n", i,
		    i);
	return y;
}

int
main(int argc, char *argv[])
{
	const char	*dir = "etc/policies", *errstr;
	struct pol_vars	*v = pol_vars_new();
	struct pol	*p;
	char		 path[1024], e[1024], *y;
	int		 ch;

	while ((ch = getopt(argc, argv, "d:s:")) != -1) {
		switch (ch) {
		case 'd':
			dir = optarg;
			break;
		case 's':
			seconds = strtonum(optarg, 1, 60, &errstr);
			if (errstr != NULL)
				errx(2, "-s: %s", errstr);
			break;
		default:
			fprintf(stderr, "usage: policy-eval [-d DIR] "
			    "[-s SECONDS]\n");
			return 2;
		}
	}
	pol_vars_set(v, "PROJECT_ROOT", "/ws");
	pol_vars_set(v, "WORKSPACE", "/ws");
	pol_vars_set(v, "HOME", "/home/u");
	snprintf(path, sizeof(path), "%s/default.yaml", dir);
	if ((p = pol_load_file(path, v, 0, e, sizeof(e))) == NULL)
		errx(1, "%s", e);
	bench_file("default pack", p);
	bench_exec("default pack", p);
	pol_free(p);

	y = gen500();
	if ((p = pol_load_buf(y, strlen(y), "bench500", v, 0, e,
	    sizeof(e))) == NULL)
		errx(1, "%s", e);
	bench_file("500-rule policy", p);
	bench_exec("500-rule policy", p);
	pol_free(p);
	free(y);
	pol_vars_free(v);
	return 0;
}
