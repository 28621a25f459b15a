/*
 * agentsh output SID CMDID [--stream stdout|stderr] [--offset N] [--limit N]
 * agentsh kill SID CMDID
 *
 * output writes a command's stored output, byte for byte, paging through
 * the server's store; kill stops a running command (its whole cgroup).
 */
#include "compat.h"

#include <err.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agentsh.h"
#include "client.h"

#define PAGE_MAX	(1024 * 1024)	/* the server's largest page */

static int
output_usage(FILE *f, int status)
{
	fputs("usage: agentsh output [--stream stdout|stderr] [--offset N] "
	    "[--limit N] [--json]\n"
	    "                      SESSION_ID COMMAND_ID\n", f);
	if (f == stdout)
		fputs("\n"
		    "Writes the command's output as stored by the server, "
		    "byte for byte (default:\n"
		    "stdout, all of it).  --json prints one page as the "
		    "server's JSON instead\n"
		    "(--limit defaults to 65536 there).\n", f);
	return status;
}

static char *
cmd_path(const char *verb, const char *sid, const char *cid)
{
	char	*es, *ec, *p;

	if ((es = cli_escape(sid)) == NULL || (ec = cli_escape(cid)) == NULL ||
	    asprintf(&p, "/api/v1/sessions/%s/%s/%s", es, verb, ec) == -1)
		errx(1, "out of memory");
	free(es);
	free(ec);
	return p;
}

static long long
number(const char *opt, const char *s, long long min)
{
	const char	*errstr;
	long long	 v;

	v = strtonum(s, min, INT64_MAX, &errstr);
	if (errstr != NULL)
		errx(EXIT_USAGE, "--%s: '%s' is %s", opt, s, errstr);
	return v;
}

/* One page; returns its JSON (checked). */
static json_t *
page(const char *base, const char *stream, long long off, long long lim,
    int b64)
{
	struct cli_resp	*r;
	json_t		*j;
	char		*path;

	if (asprintf(&path, "%s?stream=%s&offset=%lld&limit=%lld%s", base,
	    stream, off, lim, b64 ? "&encoding=base64" : "") == -1)
		errx(1, "out of memory");
	r = cli_api_call("GET", path, NULL, NULL);
	cli_api_check(r);
	j = cli_api_json(r);
	cli_resp_free(r);
	free(path);
	return j;
}

/*
 * Writes a command's stored output from off on, lim bytes (-1: all), to
 * f, byte for byte; the shell output of exec finishes a truncated answer
 * with it.
 */
void
cli_output_copy(const char *sid, const char *cid, const char *stream,
    long long off, long long lim, FILE *f)
{
	long long	 want, got;
	char		*base = cmd_path("output", sid, cid);
	json_t		*j;

	for (;;) {
		want = lim == -1 || lim > PAGE_MAX ? PAGE_MAX : lim;
		j = page(base, stream, off, want, 1);
		got = (long long)cli_write_output(json_object_get(j, "data"),
		    1, f);
		off += got;
		if (lim != -1)
			lim -= got;
		if (!json_is_true(json_object_get(j, "has_more")) ||
		    got == 0 || lim == 0) {
			if (json_is_true(json_object_get(j, "truncated")) &&
			    lim == -1)
				warnx("%s of %s: only the first %lld of %lld "
				    "bytes were kept", stream, cid, off,
				    (long long)json_integer_value(
				    json_object_get(j, "total_bytes")));
			json_decref(j);
			break;
		}
		json_decref(j);
	}
	if (fflush(f) == EOF)
		err(1, "%s", stream);
	free(base);
}

int
cmd_output(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "stream",	required_argument, NULL, 's' },
		{ "offset",	required_argument, NULL, 'o' },
		{ "limit",	required_argument, NULL, 'l' },
		{ "json",	no_argument,	   NULL, 'j' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char	*stream = "stdout";
	long long	 off = 0, lim = -1;
	int		 ch, json = 0;
	char		*base;
	json_t		*j;

	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (strcmp(optarg, "stdout") != 0 &&
			    strcmp(optarg, "stderr") != 0)
				errx(EXIT_USAGE, "--stream: stdout or stderr, "
				    "not '%s'", optarg);
			stream = optarg;
			break;
		case 'o':
			off = number("offset", optarg, 0);
			break;
		case 'l':
			lim = number("limit", optarg, 1);
			break;
		case 'j':
			json = 1;
			break;
		case 'h':
			return output_usage(stdout, 0);
		default:
			return output_usage(stderr, EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2)
		return output_usage(stderr, EXIT_USAGE);
	if (json) {
		base = cmd_path("output", argv[0], argv[1]);
		if (lim > PAGE_MAX)
			errx(EXIT_USAGE, "--limit: at most %d with --json",
			    PAGE_MAX);
		j = page(base, stream, off, lim == -1 ? 65536 : lim, 0);
		cli_print_json(j);
		json_decref(j);
		free(base);
		return 0;
	}
	cli_output_copy(argv[0], argv[1], stream, off, lim, stdout);
	return 0;
}

int
cmd_kill(int argc, char **argv)
{
	struct cli_resp	*r;
	char		*path;

	if (cli_wants_help(argc, argv)) {
		printf("usage: agentsh kill SESSION_ID COMMAND_ID\n\n"
		    "Kills a running command of the session, with every "
		    "process it started.\n");
		return 0;
	}
	if (argc != 3) {
		fprintf(stderr, "usage: agentsh kill SESSION_ID COMMAND_ID\n");
		return EXIT_USAGE;
	}
	path = cmd_path("kill", argv[1], argv[2]);
	r = cli_api_call("POST", path, NULL, NULL);
	cli_api_check(r);
	cli_resp_free(r);
	free(path);
	return 0;
}
