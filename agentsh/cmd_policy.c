/*
 * agentsh policy list|show|validate|eval: the policy language from the
 * command line, with the same library the enforcers use
 * (agentsh-policy(5)).  None of these talks to a server.
 */
#include "compat.h"

#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentsh-monitor/config.h"

#include <jansson.h>

#include "agentsh.h"
#include "agentsh-monitor/config.h"
#include "policy.h"

#define EVAL_MAX_LINE	 (1024 * 1024)

/* Where a policy NAME is looked up. */
const char *
cli_policies_dir(void)
{
	static struct mon_config cfg;
	static int		 loaded;
	char			 err[1024];

	/* The server's policies.dir: the same configuration lookup. */
	if (!loaded) {
		if (config_load(&cfg, NULL, err, sizeof(err)) == -1)
			errx(1, "%s", err);
		loaded = 1;
	}
	return cfg.policies_dir;
}

struct polargs {
	struct pol_vars	*vars;
	unsigned int	 flags;
};

/*
 * The variables a session would have, from where the CLI runs: WORKSPACE
 * is the current directory, PROJECT_ROOT and GIT_ROOT are detected from
 * it, HOME is $HOME; --var K=V sets or overrides any of them.
 */
static void
vars_default(struct polargs *pa)
{
	char		 cwd[PATH_MAX], msg[512];
	const char	*home = getenv("HOME");

	if ((pa->vars = pol_vars_new()) == NULL)
		err(1, NULL);
	if (getcwd(cwd, sizeof(cwd)) == NULL)
		err(1, "getcwd");
	if (pol_vars_session(pa->vars, cwd, home && *home ? home : NULL, 1,
	    NULL, msg, sizeof(msg)) == -1)
		errx(1, "%s", msg);
}

static int
vars_opt(struct polargs *pa, const char *kv)
{
	const char	*eq = strchr(kv, '=');
	char		 name[128];

	if (eq == NULL || eq == kv || (size_t)(eq - kv) >= sizeof(name)) {
		warnx("--var: expected NAME=VALUE, got '%s'", kv);
		return -1;
	}
	memcpy(name, kv, (size_t)(eq - kv));
	name[eq - kv] = '\0';
	if (pol_vars_set(pa->vars, name, eq + 1) == -1) {
		warnx("--var: bad variable name '%s'", name);
		return -1;
	}
	return 0;
}

static struct pol *
load(const struct polargs *pa, const char *arg)
{
	char		 path[PATH_MAX], err[1024];
	struct pol	*p;

	if (pol_resolve(cli_policies_dir(), arg, path, sizeof(path), err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	if ((p = pol_load_file(path, pa->vars, pa->flags, err,
	    sizeof(err))) == NULL)
		fprintf(stderr, "%s\n", err);
	return p;
}

/* ------------------------------------------------------------------ */

static void
usage_validate(FILE *f)
{
	fprintf(f, "usage: agentsh policy validate [--var NAME=VALUE]... "
	    "FILE|NAME...\n");
}

static void
usage_show(FILE *f)
{
	fprintf(f, "usage: agentsh policy show [--var NAME=VALUE]... "
	    "FILE|NAME\n");
}

/*
 * The options validate and show share (--var, --help).  Returns -1 to go
 * on with the operands at argv[optind], else the exit status.
 */
static int
var_opts(int argc, char **argv, struct polargs *pa, void (*usage)(FILE *))
{
	static const struct option longopts[] = {
		{ "var", required_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch, rc = -1;

	vars_default(pa);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'V':
			if (vars_opt(pa, optarg) == -1)
				rc = EXIT_USAGE;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	return rc;
}

static int
policy_validate(int argc, char **argv)
{
	struct polargs	 pa = { NULL, 0 };
	struct pol	*p;
	int		 rc;

	if ((rc = var_opts(argc, argv, &pa, usage_validate)) == -1 &&
	    optind >= argc) {
		usage_validate(stderr);
		rc = EXIT_USAGE;
	}
	if (rc != -1) {
		pol_vars_free(pa.vars);
		return rc;
	}
	rc = 0;
	for (int i = optind; i < argc; i++) {
		if ((p = load(&pa, argv[i])) == NULL) {
			rc = 1;
			continue;
		}
		pol_free(p);
	}
	if (rc == 0)
		printf("ok\n");
	pol_vars_free(pa.vars);
	return rc;
}

static int
policy_show(int argc, char **argv)
{
	struct polargs	 pa = { NULL, 0 };
	struct pol	*p;
	int		 rc;

	if ((rc = var_opts(argc, argv, &pa, usage_show)) == -1 &&
	    optind + 1 != argc) {
		usage_show(stderr);
		rc = EXIT_USAGE;
	}
	if (rc != -1) {
		pol_vars_free(pa.vars);
		return rc;
	}
	rc = 0;
	if ((p = load(&pa, argv[optind])) == NULL)
		rc = 1;
	else if (pol_print(p, stdout) == -1 || fflush(stdout) == EOF) {
		warn("stdout");
		rc = 1;
	}
	pol_free(p);
	pol_vars_free(pa.vars);
	return rc;
}

static void
usage_list(FILE *f)
{
	fprintf(f, "usage: agentsh policy list\n");
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The first line of a description, for one-line listings. */
static void
first_line(const char *s, char *out, size_t len)
{
	size_t	 n = strcspn(s, "\n");

	if (n >= len)
		n = len - 1;
	memcpy(out, s, n);
	out[n] = '\0';
}

static int
policy_list(int argc, char **argv)
{
	struct polargs	 pa = { NULL, 0 };
	const char	*dir = cli_policies_dir();
	struct dirent	*de;
	DIR		*d;
	char		**names = NULL, **nn, line[256], msg[1024];
	size_t		  n = 0;

	if (cli_wants_help(argc, argv)) {
		usage_list(stdout);
		return 0;
	}
	if (argc != 1) {
		usage_list(stderr);
		return EXIT_USAGE;
	}
	if ((d = opendir(dir)) == NULL)
		err(1, "%s", dir);
	while ((de = readdir(d)) != NULL) {
		char	*dot = strrchr(de->d_name, '.');

		if (dot == NULL || (strcmp(dot, ".yaml") != 0 &&
		    strcmp(dot, ".yml") != 0))
			continue;
		*dot = '\0';
		if (!pol_name_valid(de->d_name))
			continue;
		if ((nn = reallocarray(names, n + 1, sizeof(*nn))) == NULL)
			err(1, NULL);
		names = nn;
		if ((names[n++] = strdup(de->d_name)) == NULL)
			err(1, NULL);
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_str);
	vars_default(&pa);
	for (size_t i = 0; i < n; i++) {
		char		 path[PATH_MAX];
		struct pol	*p = NULL;

		if (i > 0 && strcmp(names[i], names[i - 1]) == 0)
			continue;	/* NAME.yaml and NAME.yml */
		if (pol_resolve(dir, names[i], path, sizeof(path), msg,
		    sizeof(msg)) == 0)
			p = pol_load_file(path, pa.vars, 0, msg, sizeof(msg));
		if (p == NULL)
			snprintf(line, sizeof(line), "(does not load: %.200s)",
			    msg);
		else
			first_line(pol_description(p), line, sizeof(line));
		printf("%-20s %s\n", names[i], line);
		pol_free(p);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	pol_vars_free(pa.vars);
	return 0;
}

static void
usage_eval(FILE *f)
{
	fprintf(f, "usage: agentsh policy eval --policy FILE|NAME "
	    "[--var NAME=VALUE]...\n"
	    "                           [--opaque enforce|deny|approve|allow] "
	    "[--no-exec-intercept]\n"
	    "Reads one JSON operation per line, prints one JSON decision "
	    "per line.\n");
}

static int
policy_eval(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "policy", required_argument, NULL, 'p' },
		{ "var", required_argument, NULL, 'V' },
		{ "opaque", required_argument, NULL, 'o' },
		{ "no-exec-intercept", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct polargs	 pa = { NULL, 0 };
	struct {
		struct pol	*pol;
		struct pol_ctx	 ctx;
	}		 ec;
	const char	*polarg = NULL;
	char		*line = NULL;
	size_t		 cap = 0;
	ssize_t		 n;
	int		 ch, rc = 0;

	memset(&ec, 0, sizeof(ec));
	ec.ctx.flags = POL_CTX_EXEC_INTERCEPTED;
	ec.ctx.opaque = POL_OPAQUE_ENFORCE;
	vars_default(&pa);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 'p':
			polarg = optarg;
			break;
		case 'V':
			if (vars_opt(&pa, optarg) == -1)
				rc = EXIT_USAGE;
			break;
		case 'o':
			if (pol_opaque_parse(optarg, &ec.ctx.opaque) == -1) {
				warnx("--opaque: enforce, deny, approve or "
				    "allow");
				rc = EXIT_USAGE;
			}
			break;
		case 'n':
			ec.ctx.flags &= ~POL_CTX_EXEC_INTERCEPTED;
			break;
		case 'h':
			usage_eval(stdout);
			pol_vars_free(pa.vars);
			return 0;
		default:
			rc = EXIT_USAGE;
			break;
		}
	}
	if (rc != 0 || polarg == NULL || optind != argc) {
		usage_eval(stderr);
		pol_vars_free(pa.vars);
		return EXIT_USAGE;
	}
	if ((ec.pol = load(&pa, polarg)) == NULL) {
		pol_vars_free(pa.vars);
		return 1;
	}
	while ((n = getline(&line, &cap, stdin)) != -1) {
		json_t		*in, *out;
		json_error_t	 je;

		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if (n > EVAL_MAX_LINE)
			out = pol_json_error("line longer than %d bytes",
			    EVAL_MAX_LINE);
		else if ((in = json_loadb(line, (size_t)n,
		    JSON_REJECT_DUPLICATES, &je)) == NULL)
			out = pol_json_error("bad JSON at column %d: %s",
			    je.column, je.text);
		else {
			out = json_is_object(in) ?
			    pol_eval_json(ec.pol, &ec.ctx, in) :
			    pol_json_error("expected a JSON object");
			json_decref(in);
		}
		if (out == NULL)
			err(1, "json");
		if (json_dumpf(out, stdout, JSON_COMPACT |
		    JSON_PRESERVE_ORDER) == -1)
			err(1, "stdout");
		putchar('\n');
		fflush(stdout);
		json_decref(out);
	}
	if (ferror(stdin))
		err(1, "stdin");
	free(line);
	pol_free(ec.pol);
	pol_vars_free(pa.vars);
	return 0;
}

/* ------------------------------------------------------------------ */

static void
usage(FILE *f)
{
	fprintf(f, "usage: agentsh policy list\n"
	    "       agentsh policy show [--var NAME=VALUE]... FILE|NAME\n"
	    "       agentsh policy validate [--var NAME=VALUE]... "
	    "FILE|NAME...\n"
	    "       agentsh policy eval --policy FILE|NAME [--var "
	    "NAME=VALUE]... [--opaque MODE]\n"
	    "                           [--no-exec-intercept]\n"
	    "A NAME is looked up in %s.\n", cli_policies_dir());
}

int
cmd_policy(int argc, char **argv)
{
	const char	*sub;

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	sub = argv[1];
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0) {
		usage(stdout);
		return 0;
	}
	argc--;
	argv++;
	optind = 1;
	if (strcmp(sub, "validate") == 0)
		return policy_validate(argc, argv);
	if (strcmp(sub, "show") == 0)
		return policy_show(argc, argv);
	if (strcmp(sub, "list") == 0)
		return policy_list(argc, argv);
	if (strcmp(sub, "eval") == 0)
		return policy_eval(argc, argv);
	if (strcmp(sub, "generate") == 0) {
		warnx("policy generate: not supported yet");
		return EXIT_USAGE;
	}
	warnx("policy: unknown command '%s'", sub);
	usage(stderr);
	return EXIT_USAGE;
}
