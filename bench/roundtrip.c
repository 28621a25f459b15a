/*
 * bench/roundtrip: runs a command many times, one after another, and
 * prints the wall-clock time of each run from fork to reaped exit at the
 * median, p99 and max.  bench/exec-roundtrip uses it for the same
 * workload run natively and through `agentsh exec`.
 *
 *   roundtrip [-n COUNT] [-w WARMUP] LABEL CMD [ARG ...]
 *
 * The command's stdout goes to /dev/null; its stderr is kept so a failure
 * shows.  A run that exits non-zero ends the benchmark: a number measured
 * over failures would mean nothing.
 */
#include "compat.h"

#include <sys/wait.h>

#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"

static uint64_t
run_once(char **argv, int devnull)
{
	uint64_t	 t0 = now_ns();
	pid_t		 pid;
	int		 st;

	if ((pid = fork()) == -1)
		err(1, "fork");
	if (pid == 0) {
		if (dup2(devnull, STDOUT_FILENO) == -1)
			_exit(127);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) == -1)
		err(1, "waitpid");
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		errx(1, "%s: run failed (status 0x%x)", argv[0], st);
	return now_ns() - t0;
}

int
main(int argc, char *argv[])
{
	const char	*errstr, *label;
	long long	 n = 500, warm = 20;
	uint64_t	*lat;
	int		 ch, devnull;

	while ((ch = getopt(argc, argv, "+n:w:")) != -1) {
		switch (ch) {
		case 'n':
			n = strtonum(optarg, 1, 10000000, &errstr);
			if (errstr != NULL)
				errx(1, "-n %s: %s", optarg, errstr);
			break;
		case 'w':
			warm = strtonum(optarg, 0, 10000000, &errstr);
			if (errstr != NULL)
				errx(1, "-w %s: %s", optarg, errstr);
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2)
		goto usage;
	label = argv[0];
	if ((devnull = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		err(1, "/dev/null");
	if ((lat = calloc((size_t)n, sizeof(*lat))) == NULL)
		err(1, NULL);
	for (long long i = 0; i < warm; i++)
		run_once(argv + 1, devnull);
	for (long long i = 0; i < n; i++)
		lat[i] = run_once(argv + 1, devnull);
	qsort(lat, (size_t)n, sizeof(*lat), cmp_u64);
	printf("%-14s %6lld runs: median %8.3f ms  p99 %8.3f ms  max %8.3f ms\n",
	    label, n, lat[n / 2] / 1e6, lat[(n * 99) / 100] / 1e6,
	    lat[n - 1] / 1e6);
	free(lat);
	return 0;
usage:
	fprintf(stderr, "usage: roundtrip [-n COUNT] [-w WARMUP] LABEL CMD [ARG ...]\n");
	return 2;
}
