/*
 * agentsh-unixwrap: started by agentsh-monitor only, with its IPC channel
 * on descriptor 3 and its log on descriptor 4.
 *
 *   agentsh-unixwrap --init [-v]	the init of one session
 */
#include "compat.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "agentsh-unixwrap.h"
#include "ipc_log.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: agentsh-unixwrap --init [-v] "
	    "(started by agentsh-monitor)\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "init", no_argument, NULL, 'I' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch, init = 0, verbose = 0;

	argv = compat_init_setproctitle(argc, argv);
	while ((ch = getopt_long(argc, argv, "v", longopts, NULL)) != -1) {
		switch (ch) {
		case 'I':
			init = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc || !init)
		usage();
	/* Only the monitor starts it: descriptors 3 and 4 are its own. */
	if (fcntl(3, F_GETFD) == -1 || fcntl(4, F_GETFD) == -1) {
		fprintf(stderr, "agentsh-unixwrap: descriptors 3 and 4 are "
		    "not open: it is started by agentsh-monitor\n");
		return 2;
	}
	log_init(LOG_TO_FD, verbose, "init");
	return uw_init_main(verbose);
}
