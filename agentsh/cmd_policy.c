/*
 * agentsh policy: not built yet.
 */
#include "compat.h"

#include <err.h>

#include "agentsh.h"

int
cmd_policy(int argc, char **argv)
{
	warnx("policy: not supported yet");
	return EXIT_USAGE;
}
