/*
 * agentsh audit: not built yet.
 */
#include "compat.h"

#include <err.h>

#include "agentsh.h"

int
cmd_audit(int argc, char **argv)
{
	warnx("audit: not supported yet");
	return EXIT_USAGE;
}
