/* Helpers the unit suites share: no shell, so no quoting to get wrong. */
#include "compat.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <string.h>

#include "ut_util.h"

static int	 rm_failed;

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	if (remove(path) == -1) {
		fprintf(stderr, "remove %s: %s\n", path, strerror(errno));
		rm_failed = 1;
	}
	return 0;
}

int
ut_rmtree(const char *dir)
{
	rm_failed = 0;
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) == -1) {
		fprintf(stderr, "nftw %s: %s\n", dir, strerror(errno));
		return -1;
	}
	return rm_failed ? -1 : 0;
}
