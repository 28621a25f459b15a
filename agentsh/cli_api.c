/*
 * What every verb that talks to the server shares: finding the server,
 * one request with the global options applied, and turning failures into
 * messages that say what to do.
 */
#include "compat.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "agentsh.h"
#include "client.h"

static struct cli_server	 server;
static int			 resolved;

const struct cli_server *
cli_api_server(void)
{
	char	 err[512];

	if (!resolved) {
		if (cli_server_resolve(opts.server, &server, err,
		    sizeof(err)) == -1)
			errx(EXIT_USAGE, "%s", err);
		resolved = 1;
	}
	return &server;
}

/*
 * Sends one request; returns the response (status may be >= 400) or
 * exits with a message when the server could not be asked at all.  With
 * 'unreachable' non-NULL, an unreachable server is reported there instead
 * (for autostart) and NULL returned.
 */
struct cli_resp *
cli_api_call(const char *method, const char *path, json_t *body,
    int *unreachable)
{
	const struct cli_server	*srv = cli_api_server();
	struct cli_client	*c;
	struct cli_resp		*resp = NULL;
	char			*txt = NULL;
	enum cli_err		 e;

	if (body != NULL && (txt = json_dumps(body, JSON_COMPACT)) == NULL)
		errx(1, "out of memory");
	if ((c = cli_client_new(srv, opts.api_key, opts.timeout_ms)) == NULL)
		errx(1, "out of memory");
	if (cli_request(c, method, path, txt, txt ? strlen(txt) : 0,
	    &resp) == -1) {
		e = cli_client_errcode(c);
		if (e == CLI_E_UNREACHABLE && unreachable != NULL) {
			*unreachable = 1;
			cli_client_free(c);
			free(txt);
			return NULL;
		}
		if (e == CLI_E_UNREACHABLE)
			errx(1, "%s (is the server running? start it with "
			    "'agentsh server' as root)", cli_client_error(c));
		errx(1, "%s", cli_client_error(c));
	}
	cli_client_free(c);
	free(txt);
	return resp;
}

/* The server's JSON body, or exit saying the answer was not JSON. */
json_t *
cli_api_json(const struct cli_resp *r)
{
	json_error_t	 jerr;
	json_t		*j;

	if ((j = json_loadb(r->body, r->bodylen, JSON_DECODE_ANY, &jerr)) ==
	    NULL)
		errx(1, "the server answered %d with no JSON: %s", r->status,
		    jerr.text);
	return j;
}

/* Exits 1 with the server's error when the status is not 2xx. */
void
cli_api_check(const struct cli_resp *r)
{
	json_error_t	 jerr;
	json_t		*j;
	const char	*msg = NULL;

	if (r->status >= 200 && r->status < 300)
		return;
	if ((j = json_loadb(r->body, r->bodylen, 0, &jerr)) != NULL)
		msg = json_string_value(json_object_get(j, "error"));
	errx(1, "%s (HTTP %d)", msg != NULL ? msg : "request failed",
	    r->status);
}

void
cli_print_json(json_t *j)
{
	if (json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
	    JSON_ENCODE_ANY) == -1 || putchar('\n') == EOF)
		err(1, "stdout");
}
