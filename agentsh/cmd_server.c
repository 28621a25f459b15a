/*
 * agentsh server [--config PATH]: runs the suite in the foreground, which
 * is agentsh-monitor -d.  Config lookup is the monitor's (agentsh.conf(5)).
 */
#include "compat.h"

#include <err.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "agentsh.h"
#include "ipc.h"
#include "pathnames.h"

static void
usage(FILE *f)
{
	fprintf(f, "usage: agentsh server [--config PATH] [-v]\n"
	    "\n"
	    "Runs the agentsh suite (agentsh-monitor) in the foreground, logging\n"
	    "to standard error.  It must be started as root.  Without --config\n"
	    "the configuration is looked up as agentsh.conf(5) says, and built-in\n"
	    "defaults apply when there is none.\n");
}

int
cmd_server(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "config",	required_argument, NULL, 'c' },
		{ "verbose",	no_argument,	   NULL, 'v' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char		 path[PATH_MAX];
	char		*args[6];
	const char	*config = NULL;
	int		 ch, n = 0, verbose = 0;

	while ((ch = getopt_long(argc, argv, "c:vh", longopts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			config = optarg;
			break;
		case 'v':
			verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (ipc_find_binary(AGENTSH_MONITOR_NAME, AGENTSH_SBINDIR, path,
	    sizeof(path)) == -1)
		err(1, "%s", path);
	args[n++] = AGENTSH_MONITOR_NAME;
	args[n++] = "-d";
	if (verbose)
		args[n++] = "-v";
	if (config != NULL) {
		args[n++] = "-f";
		args[n++] = (char *)config;
	}
	args[n] = NULL;
	execv(path, args);
	err(1, "%s", path);
}
