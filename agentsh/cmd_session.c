/*
 * agentsh session create|list|info|update|destroy.
 */
#include "compat.h"

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "agentsh.h"
#include "client.h"

static const char *const usage_text =
    "usage: agentsh session create [--workspace DIR] [--policy NAME] "
    "[--real-paths] [--json]\n"
    "       agentsh session list\n"
    "       agentsh session info ID\n"
    "       agentsh session update ID [--cwd DIR] [--env NAME=VALUE]... "
    "[--unset NAME]...\n"
    "       agentsh session destroy ID\n"
    "       agentsh session logs ID [--type file|net|exec|llm|other]\n";

static int
usage(FILE *f, int status)
{
	fputs(usage_text, f);
	if (f == stdout)
		fputs("\n"
		    "create   a session on a workspace (default: the current "
		    "directory), governed\n"
		    "         by a policy (default: policies.default of the "
		    "server); --json prints\n"
		    "         the session as JSON, else its id\n"
		    "list     the sessions you own (root: all), as JSON\n"
		    "info     one session, as JSON\n"
		    "update   the working directory and environment later "
		    "commands start from\n"
		    "destroy  the session and everything running in it\n"
		    "logs     the session's events, oldest first, one JSON line "
		    "each; --type keeps\n"
		    "         one category of them\n",
		    f);
	return status;
}

static char *
session_path(const char *id)
{
	char	*esc, *p;

	if ((esc = cli_escape(id)) == NULL ||
	    asprintf(&p, "/api/v1/sessions/%s", esc) == -1)
		errx(1, "out of memory");
	free(esc);
	return p;
}

static int
s_create(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "workspace",	required_argument, NULL, 'w' },
		{ "policy",	required_argument, NULL, 'p' },
		{ "real-paths",	no_argument,	   NULL, 'r' },
		{ "json",	no_argument,	   NULL, 'j' },
		{ "id",		required_argument, NULL, 'i' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*ws = ".", *policy = NULL, *id = NULL;
	char		 abs[PATH_MAX];
	int		 ch, asjson = 0, realp = 0;
	struct cli_resp	*r;
	json_t		*body, *j;

	while ((ch = getopt_long(argc, argv, "w:p:rji:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'w':
			ws = optarg;
			break;
		case 'p':
			policy = optarg;
			break;
		case 'r':
			realp = 1;
			break;
		case 'j':
			asjson = 1;
			break;
		case 'i':
			id = optarg;
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return usage(stderr, EXIT_USAGE);
	/* The server checks it as the caller; it needs it absolute. */
	if (realpath(ws, abs) == NULL)
		err(1, "workspace %s", ws);
	body = json_pack("{s:s}", "workspace", abs);
	if (id != NULL)
		json_object_set_new(body, "id", json_string(id));
	if (policy != NULL)
		json_object_set_new(body, "policy", json_string(policy));
	if (realp)
		json_object_set_new(body, "real_paths", json_true());
	r = cli_api_call("POST", "/api/v1/sessions", body, NULL);
	cli_api_check(r);
	j = cli_api_json(r);
	if (asjson)
		cli_print_json(j);
	else
		printf("Session %s started\n",
		    json_string_value(json_object_get(j, "id")));
	json_decref(j);
	json_decref(body);
	cli_resp_free(r);
	return 0;
}

static int
s_simple(const char *method, const char *path, int print)
{
	struct cli_resp	*r;
	json_t		*j;

	r = cli_api_call(method, path, NULL, NULL);
	cli_api_check(r);
	if (print) {
		j = cli_api_json(r);
		cli_print_json(j);
		json_decref(j);
	} else
		printf("ok\n");
	cli_resp_free(r);
	return 0;
}

static int
s_update(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "cwd",	required_argument, NULL, 'c' },
		{ "env",	required_argument, NULL, 'e' },
		{ "unset",	required_argument, NULL, 'u' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	json_t		*body, *env, *unset, *j;
	struct cli_resp	*r;
	char		*path, *eq;
	int		 ch;

	body = json_object();
	env = json_object();
	unset = json_array();
	while ((ch = getopt_long(argc, argv, "c:e:u:h", longopts, NULL)) !=
	    -1) {
		switch (ch) {
		case 'c':
			json_object_set_new(body, "cwd", json_string(optarg));
			break;
		case 'e':
			if ((eq = strchr(optarg, '=')) == NULL || eq == optarg)
				errx(EXIT_USAGE, "--env %s: want NAME=VALUE",
				    optarg);
			*eq = '\0';
			json_object_set_new(env, optarg, json_string(eq + 1));
			break;
		case 'u':
			json_array_append_new(unset, json_string(optarg));
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc)
		return usage(stderr, EXIT_USAGE);
	if (json_object_size(env) > 0)
		json_object_set(body, "env", env);
	if (json_array_size(unset) > 0)
		json_object_set(body, "unset", unset);
	path = session_path(argv[optind]);
	r = cli_api_call("PATCH", path, body, NULL);
	cli_api_check(r);
	j = cli_api_json(r);
	cli_print_json(j);
	json_decref(j);
	cli_resp_free(r);
	free(path);
	json_decref(env);
	json_decref(unset);
	json_decref(body);
	return 0;
}

static int
s_logs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "type",	required_argument, NULL, 't' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct cli_resp	*r;
	json_t		*j, *e;
	char		*q, *path, *base;
	size_t		 i;
	int		 ch, n;

	if ((q = strdup("")) == NULL)
		errx(1, "out of memory");
	while ((ch = getopt_long(argc, argv, "t:h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			cli_query_add(&q, "category", optarg);
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind + 1 != argc)
		return usage(stderr, EXIT_USAGE);
	cli_query_add(&q, "order", "asc");
	cli_query_add(&q, "limit", "1000");
	base = session_path(argv[optind]);
	/* Page through with offset: the server caps one answer. */
	for (long off = 0;; off += n) {
		char	 o[32];

		(void)snprintf(o, sizeof(o), "%ld", off);
		if (asprintf(&path, "%s/history%s&offset=%s", base, q, o) == -1)
			errx(1, "out of memory");
		r = cli_api_call("GET", path, NULL, NULL);
		cli_api_check(r);
		j = cli_api_json(r);
		n = (int)json_array_size(j);
		json_array_foreach(j, i, e) {
			if (json_dumpf(e, stdout, JSON_COMPACT |
			    JSON_PRESERVE_ORDER) == -1 || putchar('\n') == EOF)
				err(1, "stdout");
		}
		json_decref(j);
		cli_resp_free(r);
		free(path);
		if (n < 1000)
			break;
	}
	free(base);
	free(q);
	return 0;
}

int
cmd_session(int argc, char **argv)
{
	const char	*sub;
	char		*path;
	int		 rc;

	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)
		return usage(stdout, 0);
	if (strcmp(sub, "create") == 0)
		return s_create(argc, argv);
	if (strcmp(sub, "update") == 0)
		return s_update(argc, argv);
	if (strcmp(sub, "logs") == 0)
		return s_logs(argc, argv);
	if (cli_wants_help(argc, argv))
		return usage(stdout, 0);
	if (strcmp(sub, "list") == 0) {
		if (argc != 1)
			return usage(stderr, EXIT_USAGE);
		return s_simple("GET", "/api/v1/sessions", 1);
	}
	if (strcmp(sub, "info") == 0 || strcmp(sub, "destroy") == 0) {
		if (argc != 2)
			return usage(stderr, EXIT_USAGE);
		path = session_path(argv[1]);
		rc = s_simple(sub[0] == 'i' ? "GET" : "DELETE", path,
		    sub[0] == 'i');
		free(path);
		return rc;
	}
	warnx("session: unknown command '%s'", sub);
	return usage(stderr, EXIT_USAGE);
}
