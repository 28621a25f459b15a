/* closefrom: close every descriptor >= lowfd. */
#include "compat.h"

#ifndef HAVE_CLOSEFROM
#include <sys/syscall.h>

#include <dirent.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

void
closefrom(int lowfd)
{
	DIR		*d;
	struct dirent	*de;

#ifdef SYS_close_range
	if (syscall(SYS_close_range, (unsigned int)lowfd, ~0U, 0) == 0)
		return;
#endif
	/* Older kernels: walk /proc/self/fd, skipping the directory's own fd. */
	if ((d = opendir("/proc/self/fd")) != NULL) {
		while ((de = readdir(d)) != NULL) {
			const char	*errstr;
			int		 fd;

			fd = (int)strtonum(de->d_name, 0, INT_MAX, &errstr);
			if (errstr == NULL && fd >= lowfd && fd != dirfd(d))
				(void)close(fd);
		}
		closedir(d);
		return;
	}
	for (long fd = lowfd, max = sysconf(_SC_OPEN_MAX); fd < max; fd++)
		(void)close((int)fd);
}
#endif
