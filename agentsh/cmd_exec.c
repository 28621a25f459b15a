/*
 * agentsh exec [SID] [--] CMD ARGS...: runs a command in a session and
 * prints its output (shell) or the ExecResponse (json); the exit status is
 * the command's.  Creates the session when it does not exist and starts
 * the server when it does not answer, unless AGENTSH_NO_AUTO is set.
 * Inside a session it runs the command directly: it is governed already.
 */
#include "compat.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "agentsh.h"
#include "client.h"
#include "ipc.h"
#include "pathnames.h"
#include "agentsh-monitor/config.h"

#define EXIT_DENIED	 126
#define EXIT_NOT_FOUND	 127
#define AUTOSTART_WAIT_MS 5000

struct exec_opts {
	const char	*sid;
	char		**cmd;		/* NULL-terminated */
	const char	*timeout;
	const char	*output;	/* shell | json */
	const char	*events;	/* all | summary | blocked | none */
	const char	*argv0;
	const char	*root;
	const char	*json;		/* a whole ExecRequest */
	int		 stream;
	int		 real_paths;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: agentsh exec [--timeout DUR] [--output shell|json] "
	    "[--events all|summary|blocked|none]\n"
	    "                    [--stream] [--argv0 NAME] [--root DIR] "
	    "[--real-paths] [--json REQUEST]\n"
	    "                    [SESSION_ID] [--] COMMAND [ARGS...]\n");
	if (f != stdout)
		return;
	fputs("\n"
	    "Runs COMMAND in a session and exits with its status (126: denied "
	    "by policy,\n"
	    "124: timed out, 127: could not be started).  The session is "
	    "AGENTSH_SESSION_ID,\n"
	    "else SESSION_ID; one that does not exist is created on --root, "
	    "AGENTSH_SESSION_ROOT\n"
	    "or the current directory.  A server that does not answer is "
	    "started (as root).\n"
	    "AGENTSH_NO_AUTO=1 turns both off.\n"
	    "\n"
	    "--output shell (AGENTSH_OUTPUT) prints the command's output, then "
	    "agentsh's own\n"
	    "lines on stderr when something was blocked; json prints the "
	    "ExecResponse.\n"
	    "--events (AGENTSH_EVENTS): the events in the response (default "
	    "none for shell,\n"
	    "summary for json).  --stream prints output as it comes.\n"
	    "\n"
	    "Enforcement: every command the session runs is confined to the "
	    "session's space\n"
	    "(its own namespaces, seccomp filter and cgroup).  The policy "
	    "decides the top-level\n"
	    "command only (a precheck); commands it starts are not decided "
	    "one by one yet, so\n"
	    "an opaque `sh -c` script is denied.  The response's "
	    "\"enforcement\" says which\n"
	    "layers applied.\n", f);
}

static int
valid(const char *v, const char *const *allowed)
{
	for (; *allowed != NULL; allowed++)
		if (strcmp(v, *allowed) == 0)
			return 1;
	return 0;
}

/* Inside a session: the marker the monitor put there says so. */
static int
in_session_direct(char **cmd)
{
	struct stat	 st;

	if (stat(_PATH_AGENTSH_SESSION_MARKER, &st) == -1 ||
	    !S_ISREG(st.st_mode)) {
		fprintf(stderr, "agentsh: AGENTSH_IN_SESSION is set, but this "
		    "is not inside an agentsh session (no %s)\n",
		    _PATH_AGENTSH_SESSION_MARKER);
		return EXIT_DENIED;
	}
	execvp(cmd[0], cmd);
	fprintf(stderr, "agentsh: %s: %s\n", cmd[0], strerror(errno));
	return errno == ENOENT ? EXIT_NOT_FOUND : EXIT_DENIED;
}

static json_t *
build_request(const struct exec_opts *o)
{
	json_error_t	 jerr;
	json_t		*req, *args;
	long long	 ms;

	if (o->json != NULL) {
		if ((req = json_loads(o->json, JSON_REJECT_DUPLICATES,
		    &jerr)) == NULL || !json_is_object(req))
			errx(EXIT_USAGE, "--json: not a JSON object: %s",
			    jerr.text);
		if (!json_is_string(json_object_get(req, "command")))
			errx(EXIT_USAGE, "--json: \"command\" is required");
	} else {
		if ((req = json_object()) == NULL ||
		    (args = json_array()) == NULL)
			errx(1, "out of memory");
		json_object_set_new(req, "command", json_string(o->cmd[0]));
		for (char **a = o->cmd + 1; *a != NULL; a++)
			json_array_append_new(args, json_string(*a));
		json_object_set_new(req, "args", args);
	}
	if (o->timeout != NULL) {
		if (cli_parse_duration_ms(o->timeout, &ms) == -1)
			errx(EXIT_USAGE, "--timeout: bad duration '%s'",
			    o->timeout);
		json_object_set_new(req, "timeout", json_string(o->timeout));
	}
	if (o->argv0 != NULL)
		json_object_set_new(req, "argv0", json_string(o->argv0));
	json_object_set_new(req, "include_events", json_string(o->events));
	/* The shell gets the command's bytes exactly, binary included. */
	if (strcmp(o->output, "shell") == 0)
		json_object_set_new(req, "output_encoding",
		    json_string("base64"));
	return req;
}

/* Whether the server can be started from here (as root, on this host). */
static int
autostart(void)
{
	struct mon_config	 cfg;
	struct cli_client	*c;
	struct cli_resp		*r;
	char			 path[PATH_MAX], err[1024];
	struct timespec		 ts = { 0, 100 * 1000 * 1000 };
	pid_t			 pid;
	int			 waited;

	if (getenv("AGENTSH_NO_AUTO") != NULL ||
	    !cli_server_is_local(cli_api_server()))
		return -1;
	if (geteuid() != 0) {
		fprintf(stderr, "agentsh: the agentsh server is not running at "
		    "%s; start it as root ('agentsh server', or 'systemctl "
		    "start agentsh')\n", cli_api_server()->url);
		return -1;
	}
	if (config_load(&cfg, NULL, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentsh: cannot auto-start the server: %s\n",
		    err);
		return -1;
	}
	if (ipc_find_binary(AGENTSH_MONITOR_NAME, AGENTSH_SBINDIR, path,
	    sizeof(path)) == -1) {
		config_free(&cfg);
		return -1;
	}
	fprintf(stderr, "agentsh: auto-starting server (config %s)\n",
	    cfg.path != NULL ? cfg.path : "built-in defaults");
	config_free(&cfg);
	if ((pid = fork()) == -1)
		return -1;
	if (pid == 0) {
		/* Detached; it logs to syslog. */
		int	 nul = open(_PATH_DEVNULL, O_RDWR);

		if (setsid() == -1 || nul == -1 || dup2(nul, 0) == -1 ||
		    dup2(nul, 1) == -1 || dup2(nul, 2) == -1)
			_exit(1);
		closefrom(3);
		if (fork() != 0)
			_exit(0);
		execl(path, AGENTSH_MONITOR_NAME, (char *)NULL);
		_exit(127);
	}
	(void)waitpid(pid, NULL, 0);
	for (waited = 0; waited < AUTOSTART_WAIT_MS; waited += 100) {
		nanosleep(&ts, NULL);
		if ((c = cli_client_new(cli_api_server(), opts.api_key,
		    1000)) == NULL)
			return -1;
		if (cli_request(c, "GET", "/health", NULL, 0, &r) == 0) {
			int	 ok = r->status == 200;

			cli_resp_free(r);
			cli_client_free(c);
			if (ok)
				return 0;
		} else
			cli_client_free(c);
	}
	fprintf(stderr, "agentsh: the auto-started server did not answer "
	    "within %d s\n", AUTOSTART_WAIT_MS / 1000);
	return -1;
}

/* The session does not exist: create it on the root given. */
static int
autocreate(const struct exec_opts *o)
{
	struct cli_resp	*r;
	json_t		*body;
	char		 abs[PATH_MAX];
	const char	*root = o->root;
	int		 ok;

	if (getenv("AGENTSH_NO_AUTO") != NULL)
		return -1;
	if (root == NULL && (root = getenv("AGENTSH_SESSION_ROOT")) != NULL &&
	    *root == '\0')
		root = NULL;
	if (root == NULL)
		root = ".";
	if (realpath(root, abs) == NULL) {
		warn("session root %s", root);
		return -1;
	}
	body = json_pack("{s:s, s:s}", "id", o->sid, "workspace", abs);
	if (o->real_paths)
		json_object_set_new(body, "real_paths", json_true());
	r = cli_api_call("POST", "/api/v1/sessions", body, NULL);
	json_decref(body);
	ok = r->status == 201;
	if (!ok)
		cli_api_check(r);
	cli_resp_free(r);
	return 0;
}

static int
session_missing(const struct cli_resp *r)
{
	return r->status == 404 && strstr(r->body, "session") != NULL &&
	    strstr(r->body, "not found") != NULL;
}

/* Writes output the server sent in base64 (or as text) to f; returns
 * how many bytes that was. */
size_t
cli_write_output(const json_t *v, int b64, FILE *f)
{
	const char	*s = json_string_value(v);
	size_t		 n = json_string_length(v), bl;
	unsigned char	*bin;

	if (s == NULL || n == 0)
		return 0;
	if (!b64) {
		fwrite(s, 1, n, f);
		return n;
	}
	if ((bin = malloc(n)) == NULL)
		errx(1, "out of memory");
	if (sodium_base642bin(bin, n, s, n, NULL, &bl, NULL,
	    sodium_base64_VARIANT_ORIGINAL) == -1)
		errx(1, "the server sent output that is not base64");
	fwrite(bin, 1, bl, f);
	free(bin);
	return bl;
}

/* Shell output: the command's own, then ours on stderr. */
static int
print_shell(json_t *resp)
{
	json_t		*res = json_object_get(resp, "result");
	json_t		*g = json_object_get(resp, "guidance"), *s;
	const char	*reason, *rule, *enc, *sid, *cid;
	size_t		 i;
	int		 code, b64;

	sid = json_string_value(json_object_get(resp, "session_id"));
	cid = json_string_value(json_object_get(resp, "command_id"));
	code = (int)json_integer_value(json_object_get(res, "exit_code"));
	enc = json_string_value(json_object_get(res, "output_encoding"));
	b64 = enc != NULL && strcmp(enc, "base64") == 0;
	/* All of it: past the answer's 1 MiB, the rest comes from the store. */
	for (i = 0; i < 2; i++) {
		const char	*name = i == 0 ? "stdout" : "stderr";
		FILE		*f = i == 0 ? stdout : stderr;
		char		 key[32];
		size_t		 n;

		n = cli_write_output(json_object_get(res, name), b64, f);
		(void)snprintf(key, sizeof(key), "%s_truncated", name);
		if (json_is_true(json_object_get(res, key)) && sid != NULL &&
		    cid != NULL)
			cli_output_copy(sid, cid, name, (long long)n, -1, f);
		fflush(f);
	}
	reason = json_string_value(json_object_get(g, "reason"));
	/* Blocked: the policy's own words say more than "denied". */
	if (json_is_true(json_object_get(g, "blocked")) &&
	    (s = json_object_get(json_object_get(res, "error"), "message")) !=
	    NULL && json_string_length(s) > 0)
		reason = json_string_value(s);
	if (reason != NULL && *reason != '\0' &&
	    (json_is_true(json_object_get(g, "blocked")) || code != 0)) {
		rule = json_string_value(json_object_get(g, "policy_rule"));
		if (rule != NULL && *rule != '\0')
			fprintf(stderr, "agentsh: %s (rule=%s)\n", reason, rule);
		else
			fprintf(stderr, "agentsh: %s\n", reason);
		json_array_foreach(json_object_get(g, "substitutions"), i, s)
			if (json_string_value(json_object_get(s, "command")))
				fprintf(stderr, "agentsh: try: %s\n",
				    json_string_value(json_object_get(s,
				    "command")));
		json_array_foreach(json_object_get(g, "suggestions"), i, s) {
			const char	*c, *why;

			c = json_string_value(json_object_get(s, "command"));
			why = json_string_value(json_object_get(s, "reason"));
			if (c != NULL && *c != '\0')
				fprintf(stderr, "agentsh: try: %s\n", c);
			else if (why != NULL && *why != '\0')
				fprintf(stderr, "agentsh: hint: %s\n", why);
		}
	}
	return code;
}

static char *
exec_path(const struct exec_opts *o)
{
	char	*esc, *p;

	if ((esc = cli_escape(o->sid)) == NULL ||
	    asprintf(&p, "/api/v1/sessions/%s/exec%s", esc,
	    o->stream ? "/stream" : "") == -1)
		errx(1, "out of memory");
	free(esc);
	return p;
}

/* The response to a non-streaming exec (or a refused stream). */
static int
finish(const struct exec_opts *o, struct cli_resp *r)
{
	json_t	*j;
	int	 code;

	/* A precheck deny is a 403 carrying the ExecResponse. */
	if ((r->status != 200 && r->status != 403) ||
	    (r->status == 403 && strstr(r->body, "\"command_id\"") == NULL))
		cli_api_check(r);
	j = cli_api_json(r);
	if (strcmp(o->output, "json") == 0) {
		cli_print_json(j);
		code = (int)json_integer_value(json_object_get(
		    json_object_get(j, "result"), "exit_code"));
	} else
		code = print_shell(j);
	json_decref(j);
	return code;
}

/* --stream: output as it comes; the final frame gives the status. */
static int
run_stream(const struct exec_opts *o, const char *path, const char *body,
    int *retry_missing)
{
	struct cli_client	*c;
	struct cli_stream	*st;
	struct cli_sse_event	 ev;
	const struct cli_resp	*head;
	json_error_t		 jerr;
	json_t			*j;
	int			 r, code = 1;

	if ((c = cli_client_new(cli_api_server(), opts.api_key,
	    opts.timeout_ms)) == NULL)
		errx(1, "out of memory");
	if (cli_stream_open(c, "POST", path, body, strlen(body), &st) == -1)
		errx(1, "%s", cli_client_error(c));
	head = cli_stream_resp(st);
	if (head->status != 200) {
		/* Not a stream: an answer like the non-streaming one. */
		struct cli_resp	 whole = *head;
		char		 buf[65536];
		size_t		 n = 0;
		ssize_t		 k;

		while (n < sizeof(buf) - 1 && (k = cli_stream_read(st,
		    buf + n, sizeof(buf) - 1 - n, opts.timeout_ms)) > 0)
			n += (size_t)k;
		buf[n] = '\0';
		whole.body = buf;
		whole.bodylen = n;
		if (session_missing(&whole)) {
			*retry_missing = 1;
			code = -1;
		} else
			code = finish(o, &whole);
		cli_stream_close(st);
		cli_client_free(c);
		return code;
	}
	while ((r = cli_stream_event(st, &ev, -1)) == 1) {
		if ((j = json_loadb(ev.data, ev.datalen, 0, &jerr)) == NULL)
			errx(1, "stream: bad frame: %s", jerr.text);
		if (strcmp(o->output, "json") == 0) {
			/* JSON lines: each frame as the server sent it. */
			if (json_dumpf(j, stdout, JSON_COMPACT) == -1 ||
			    putchar('\n') == EOF || fflush(stdout) == EOF)
				err(1, "stdout");
			if (strcmp(ev.event, "done") == 0)
				code = (int)json_integer_value(json_object_get(
				    j, "exit_code"));
			json_decref(j);
			if (strcmp(ev.event, "done") == 0)
				break;
			continue;
		}
		if (strcmp(ev.event, "stdout") == 0 ||
		    strcmp(ev.event, "stderr") == 0) {
			FILE	*f = ev.event[3] == 'o' ? stdout : stderr;

			cli_write_output(json_object_get(j, "data"),
			    strcmp(o->output, "shell") == 0, f);
			fflush(f);
		} else if (strcmp(ev.event, "done") == 0) {
			code = (int)json_integer_value(json_object_get(j,
			    "exit_code"));
			json_decref(j);
			break;
		}
		json_decref(j);
	}
	if (r == -1)
		errx(1, "stream: %s", cli_client_error(c));
	cli_stream_close(st);
	cli_client_free(c);
	return code;
}

/*
 * How long to wait for the answer: the command's own timeout with the
 * client's on top (the server needs a moment to kill it and report).  A
 * command without a timeout may run as long as it likes; so may we, the
 * connection still ends if the server goes.
 */
static int
exec_wait_ms(json_t *req)
{
	const char	*t = json_string_value(json_object_get(req, "timeout"));
	long long	 ms;

	if (t == NULL || opts.timeout_ms <= 0 ||
	    cli_parse_duration_ms(t, &ms) == -1 ||
	    ms > INT_MAX - opts.timeout_ms)
		return 0;
	return (int)ms + opts.timeout_ms;
}

static int
run(const struct exec_opts *o)
{
	struct cli_resp	*r;
	json_t		*req;
	char		*path, *body;
	int		 unreachable = 0, missing = 0, code, tries;

	req = build_request(o);
	if ((body = json_dumps(req, JSON_COMPACT)) == NULL)
		errx(1, "out of memory");
	path = exec_path(o);
	for (tries = 0; tries < 3; tries++) {
		if (o->stream) {
			/* The server's reachability first, for autostart. */
			r = cli_api_call("GET", "/health", NULL, &unreachable);
			if (r != NULL)
				cli_resp_free(r);
			if (!unreachable) {
				missing = 0;
				code = run_stream(o, path, body, &missing);
				if (!missing)
					goto out;
			}
		} else {
			int	 client_ms = opts.timeout_ms;

			opts.timeout_ms = exec_wait_ms(req);
			r = cli_api_call("POST", path, req, &unreachable);
			opts.timeout_ms = client_ms;
			if (r != NULL && !(missing = session_missing(r))) {
				code = finish(o, r);
				cli_resp_free(r);
				goto out;
			}
			if (r != NULL)
				cli_resp_free(r);
		}
		if (unreachable) {
			if (tries > 0 || autostart() == -1)
				errx(1, "cannot reach the agentsh server at %s",
				    cli_api_server()->url);
			unreachable = 0;
			continue;
		}
		if (missing) {
			if (tries > 1 || autocreate(o) == -1)
				errx(1, "session %s not found", o->sid);
			continue;
		}
	}
	errx(1, "gave up after %d attempts", tries);
out:
	json_decref(req);
	free(body);
	free(path);
	return code;
}

int
cmd_exec(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "timeout",	required_argument, NULL, 't' },
		{ "output",	required_argument, NULL, 'o' },
		{ "events",	required_argument, NULL, 'e' },
		{ "stream",	no_argument,	   NULL, 's' },
		{ "argv0",	required_argument, NULL, 'a' },
		{ "root",	required_argument, NULL, 'r' },
		{ "real-paths",	no_argument,	   NULL, 'R' },
		{ "json",	required_argument, NULL, 'j' },
		{ "pty",	no_argument,	   NULL, 'p' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	static const char *const outputs[] = { "shell", "json", NULL };
	static const char *const events[] = { "all", "summary", "blocked",
	    "none", NULL };
	struct exec_opts o;
	const char	*env_sid = getenv("AGENTSH_SESSION_ID"), *e;
	int		 ch, n;

	memset(&o, 0, sizeof(o));
	o.output = (e = getenv("AGENTSH_OUTPUT")) != NULL && *e ? e : "shell";
	o.events = (e = getenv("AGENTSH_EVENTS")) != NULL && *e ? e : NULL;
	/* '+': options end at the session id or the command. */
	while ((ch = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (ch) {
		case 't':
			o.timeout = optarg;
			break;
		case 'o':
			o.output = optarg;
			break;
		case 'e':
			o.events = optarg;
			break;
		case 's':
			o.stream = 1;
			break;
		case 'a':
			o.argv0 = optarg;
			break;
		case 'r':
			o.root = optarg;
			break;
		case 'R':
			o.real_paths = 1;
			break;
		case 'j':
			o.json = optarg;
			break;
		case 'p':
			errx(EXIT_USAGE, "--pty: not supported yet");
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (!valid(o.output, outputs))
		errx(EXIT_USAGE, "--output: shell or json, not '%s'", o.output);
	if (o.events == NULL)
		o.events = strcmp(o.output, "shell") == 0 ? "none" : "summary";
	if (!valid(o.events, events))
		errx(EXIT_USAGE, "--events: all, summary, blocked or none, not "
		    "'%s'", o.events);

	/* [SID] [--] CMD...: the environment's session id wins. */
	n = 0;
	if (argc > 0 && strcmp(argv[0], "--") == 0)
		n = 1;
	else if (argc > 1 && strcmp(argv[1], "--") == 0) {
		o.sid = argv[0];
		n = 2;
	} else if ((env_sid == NULL || *env_sid == '\0') && o.json == NULL &&
	    argc > 1) {
		o.sid = argv[0];
		n = 1;
	} else if (o.json != NULL && argc > 0 && (env_sid == NULL ||
	    *env_sid == '\0')) {
		o.sid = argv[0];
		n = 1;
	}
	if (env_sid != NULL && *env_sid != '\0')
		o.sid = env_sid;
	o.cmd = argv + n;
	if (o.json == NULL && o.cmd[0] == NULL) {
		usage(stderr);
		return EXIT_USAGE;
	}

	e = getenv("AGENTSH_IN_SESSION");
	if (e != NULL && strcmp(e, "1") == 0) {
		if (o.cmd[0] == NULL)
			errx(EXIT_USAGE, "inside a session, give the command, "
			    "not --json");
		return in_session_direct(o.cmd);
	}
	if (o.sid == NULL)
		errx(EXIT_USAGE, "a session id is required (as SESSION_ID or "
		    "AGENTSH_SESSION_ID)");
	signal(SIGPIPE, SIG_IGN);
	return run(&o);
}
