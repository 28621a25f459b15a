/*
 * agentsh(1): the command-line client.  Each verb lives in its own
 * cmd_<verb>.c and is called with argv[0] == the verb; global options have
 * been taken off already and are in 'opts'.
 */
#ifndef AGENTSH_CLI_H
#define AGENTSH_CLI_H

#include <stddef.h>
#include <stdio.h>

#include <jansson.h>

struct cli_opts {
	const char	*server;	/* --server / AGENTSH_SERVER, or NULL */
	const char	*api_key;	/* --api-key / AGENTSH_API_KEY, or NULL */
	int		 timeout_ms;	/* --client-timeout */
};

extern struct cli_opts	 opts;

/* Exit codes shared by the verbs. */
#define EXIT_USAGE	 2

/* agentsh.c */
int	 cli_parse_duration_ms(const char *, long long *);
int	 cli_wants_help(int, char **);

/* cli_api.c: talking to the server (needs client.h, jansson.h) */
struct cli_resp;
struct cli_server;
const struct cli_server *cli_api_server(void);
struct cli_resp	*cli_api_call(const char *method, const char *path, json_t *,
		    int *unreachable);
json_t	*cli_api_json(const struct cli_resp *);
void	 cli_api_check(const struct cli_resp *);
void	 cli_print_json(json_t *);

/* cmd_events.c */
void	 cli_query_add(char **, const char *key, const char *val);
int	 cli_events_stream(const char *sid);

/* cmd_exec.c */
size_t	 cli_write_output(const json_t *, int b64, FILE *);
void	 cli_output_copy(const char *sid, const char *cid, const char *stream,
	    long long off, long long lim, FILE *);

/* cmd_policy.c */
const char	*cli_policies_dir(void);

/* cmd_*.c: each returns the process exit status. */
int	 cmd_policy(int, char **);
int	 cmd_audit(int, char **);
int	 cmd_server(int, char **);
int	 cmd_session(int, char **);
int	 cmd_events(int, char **);
int	 cmd_exec(int, char **);
int	 cmd_kill(int, char **);
int	 cmd_output(int, char **);

#endif /* AGENTSH_CLI_H */
