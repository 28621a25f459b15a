/*
 * agentsh events tail SID · agentsh events query [filters]
 * agentsh session logs SID [--type file|net|exec|llm]  (in cmd_session.c)
 */
#include "compat.h"

#include <err.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agentsh.h"
#include "client.h"

static const char *const usage_text =
    "usage: agentsh events tail SESSION_ID\n"
    "       agentsh events query [--session ID] [--type T,T...] "
    "[--decision D]\n"
    "                [--since T] [--until T] [--limit N] [--offset N] "
    "[--order asc|desc]\n"
    "                [--command ID]\n";

static int
usage(FILE *f, int status)
{
	fputs(usage_text, f);
	if (f == stdout)
		fputs("\n"
		    "tail   prints each new event of the session as a JSON line "
		    "until interrupted\n"
		    "query  prints the events that match, as a JSON array "
		    "(default: the 200 most\n"
		    "       recent of every session you own); --since and "
		    "--until take RFC 3339\n"
		    "       times or durations ago such as 15m\n", f);
	return status;
}

/* Appends &key=value (escaped) to a query string. */
void
cli_query_add(char **q, const char *key, const char *val)
{
	char	*esc, *n;

	if (val == NULL)
		return;
	if ((esc = cli_escape(val)) == NULL ||
	    asprintf(&n, "%s%s%s=%s", *q, **q ? "&" : "?", key, esc) == -1)
		errx(1, "out of memory");
	free(esc);
	free(*q);
	*q = n;
}

/* Streams a session's events: one JSON line per event. */
int
cli_events_stream(const char *sid)
{
	struct cli_client	*c;
	struct cli_stream	*st;
	struct cli_sse_event	 ev;
	char			*esc, *path;
	int			 r;

	if ((esc = cli_escape(sid)) == NULL ||
	    asprintf(&path, "/api/v1/sessions/%s/events", esc) == -1)
		errx(1, "out of memory");
	if ((c = cli_client_new(cli_api_server(), opts.api_key,
	    opts.timeout_ms)) == NULL)
		errx(1, "out of memory");
	if (cli_stream_open(c, "GET", path, NULL, 0, &st) == -1)
		errx(1, "%s", cli_client_error(c));
	cli_api_check(cli_stream_resp(st));
	while ((r = cli_stream_event(st, &ev, -1)) == 1) {
		if (strcmp(ev.event, "ready") == 0)
			continue;
		if (fwrite(ev.data, 1, ev.datalen, stdout) != ev.datalen ||
		    putchar('\n') == EOF || fflush(stdout) == EOF)
			err(1, "stdout");
	}
	if (r == -1)
		errx(1, "event stream: %s", cli_client_error(c));
	cli_stream_close(st);
	cli_client_free(c);
	free(path);
	free(esc);
	return 0;
}

static int
e_query(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "session",	required_argument, NULL, 's' },
		{ "type",	required_argument, NULL, 't' },
		{ "decision",	required_argument, NULL, 'd' },
		{ "since",	required_argument, NULL, 'S' },
		{ "until",	required_argument, NULL, 'U' },
		{ "limit",	required_argument, NULL, 'l' },
		{ "offset",	required_argument, NULL, 'o' },
		{ "order",	required_argument, NULL, 'O' },
		{ "command",	required_argument, NULL, 'c' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*sid = NULL, *limit = "200";
	char		*q, *path, *esc;
	struct cli_resp	*r;
	json_t		*j;
	int		 ch;

	if ((q = strdup("")) == NULL)
		errx(1, "out of memory");
	while ((ch = getopt_long(argc, argv, "s:t:d:S:U:l:o:O:c:h", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 's':
			sid = optarg;
			break;
		case 't':
			cli_query_add(&q, "type", optarg);
			break;
		case 'd':
			cli_query_add(&q, "decision", optarg);
			break;
		case 'S':
			cli_query_add(&q, "since", optarg);
			break;
		case 'U':
			cli_query_add(&q, "until", optarg);
			break;
		case 'l':
			limit = optarg;
			break;
		case 'o':
			cli_query_add(&q, "offset", optarg);
			break;
		case 'O':
			cli_query_add(&q, "order", optarg);
			break;
		case 'c':
			cli_query_add(&q, "command_id", optarg);
			break;
		case 'h':
			return usage(stdout, 0);
		default:
			return usage(stderr, EXIT_USAGE);
		}
	}
	if (optind != argc)
		return usage(stderr, EXIT_USAGE);
	cli_query_add(&q, "limit", limit);
	if (sid != NULL) {
		if ((esc = cli_escape(sid)) == NULL ||
		    asprintf(&path, "/api/v1/sessions/%s/history%s", esc, q) ==
		    -1)
			errx(1, "out of memory");
		free(esc);
	} else if (asprintf(&path, "/api/v1/events/search%s", q) == -1)
		errx(1, "out of memory");
	r = cli_api_call("GET", path, NULL, NULL);
	cli_api_check(r);
	j = cli_api_json(r);
	cli_print_json(j);
	json_decref(j);
	cli_resp_free(r);
	free(path);
	free(q);
	return 0;
}

int
cmd_events(int argc, char **argv)
{
	const char	*sub;

	if (argc < 2)
		return usage(stderr, EXIT_USAGE);
	sub = argv[1];
	argc--;
	argv++;
	if (strcmp(sub, "-h") == 0 || strcmp(sub, "--help") == 0)
		return usage(stdout, 0);
	if (strcmp(sub, "query") == 0)
		return e_query(argc, argv);
	if (strcmp(sub, "tail") == 0) {
		if (cli_wants_help(argc, argv))
			return usage(stdout, 0);
		if (argc != 2)
			return usage(stderr, EXIT_USAGE);
		return cli_events_stream(argv[1]);
	}
	warnx("events: unknown command '%s'", sub);
	return usage(stderr, EXIT_USAGE);
}
