/*
 * agentsh: main, global options and the verb table.
 */
#include "compat.h"

#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agentsh.h"

struct cli_opts	 opts = { NULL, NULL, 30000 };

struct verb {
	const char	*name;
	int		(*fn)(int, char **);
	const char	*summary;
};

static const struct verb verbs[] = {
	{ "audit",	cmd_audit,	"verify an audit log" },
	{ "exec",	cmd_exec,	"run a command in a session" },
	{ "events",	cmd_events,	"tail a session's events, query the event store" },
	{ "kill",	cmd_kill,	"kill a running command" },
	{ "output",	cmd_output,	"page through a command's stored output" },
	{ "policy",	cmd_policy,	"validate, show, list and evaluate policies" },
	{ "server",	cmd_server,	"run the suite in the foreground" },
	{ "session",	cmd_session,	"create, list, inspect, update and destroy sessions" },
};

static void __attribute__((noreturn))
usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;
	size_t	 i;

	fprintf(f, "usage: agentsh [--server URL] [--api-key KEY] "
	    "[--client-timeout DUR] VERB [ARGS...]\n"
	    "       agentsh --version | --help\n\nverbs:\n");
	for (i = 0; i < nitems(verbs); i++)
		fprintf(f, "  %-12s %s\n", verbs[i].name, verbs[i].summary);
	fprintf(f, "\n'agentsh VERB --help' describes a verb; "
	    "agentsh(1) has the rest.\n");
	exit(status);
}

/* Durations as the original accepts them: 500ms, 30s, 5m, 2h, or seconds. */
int
cli_parse_duration_ms(const char *s, long long *ms)
{
	char		*end;
	long long	 v, mult = 1000;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (end == s || errno != 0 || v < 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		mult = 1;
	else if (strcmp(end, "s") == 0 || *end == '\0')
		mult = 1000;
	else if (strcmp(end, "m") == 0)
		mult = 60 * 1000;
	else if (strcmp(end, "h") == 0)
		mult = 3600 * 1000;
	else
		return -1;
	if (v > LLONG_MAX / mult)
		return -1;
	*ms = v * mult;
	return 0;
}

/* Whether a verb's arguments ask for its help (-h or --help anywhere
 * before a "--"). */
int
cli_wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 ||
		    strcmp(argv[i], "--help") == 0)
			return 1;
	}
	return 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "server",		required_argument, NULL, 's' },
		{ "api-key",		required_argument, NULL, 'k' },
		{ "client-timeout",	required_argument, NULL, 't' },
		{ "version",		no_argument,	   NULL, 'V' },
		{ "help",		no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*e;
	long long	 ms;
	size_t		 i;
	int		 ch;

	if ((e = getenv("AGENTSH_SERVER")) != NULL && *e != '\0')
		opts.server = e;
	if ((e = getenv("AGENTSH_API_KEY")) != NULL && *e != '\0')
		opts.api_key = e;
	if ((e = getenv("AGENTSH_CLIENT_TIMEOUT")) != NULL && *e != '\0') {
		if (cli_parse_duration_ms(e, &ms) == -1 || ms > INT_MAX)
			errx(EXIT_USAGE, "AGENTSH_CLIENT_TIMEOUT: bad duration "
			    "'%s'", e);
		opts.timeout_ms = (int)ms;
	}

	/* '+': stop at the verb; its options are its own. */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			opts.server = optarg;
			break;
		case 'k':
			opts.api_key = optarg;
			break;
		case 't':
			if (cli_parse_duration_ms(optarg, &ms) == -1 ||
			    ms > INT_MAX)
				errx(EXIT_USAGE, "--client-timeout: bad "
				    "duration '%s'", optarg);
			opts.timeout_ms = (int)ms;
			break;
		case 'V':
			printf("agentsh %s\n", PACKAGE_VERSION);
			return 0;
		case 'h':
			usage(0);
		default:
			usage(EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1)
		usage(EXIT_USAGE);
	for (i = 0; i < nitems(verbs); i++)
		if (strcmp(argv[0], verbs[i].name) == 0) {
			/* 0, not 1: glibc then forgets main's "+" ordering */
			optind = 0;
			return verbs[i].fn(argc, argv);
		}
	warnx("unknown verb '%s'", argv[0]);
	usage(EXIT_USAGE);
}
