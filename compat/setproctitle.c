/*
 * setproctitle: rewrite the area argv[] and environ[] occupy so ps(1) shows
 * the role of each process.  The kernel's comm name stays the program's.
 */
#include "compat.h"

#ifndef HAVE_SETPROCTITLE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char	**environ;

static char	*title_start;
static size_t	 title_len;
static const char *progname_saved = "agentsh";

char **
compat_init_setproctitle(int argc, char **argv)
{
	char	*end, **newenv, **copy;
	size_t	 n;
	int	 i;

	if (argc < 1 || argv[0] == NULL)
		return argv;
	/* The caller goes on with a copy; the original becomes the title. */
	if ((copy = calloc((size_t)argc + 1, sizeof(*copy))) == NULL)
		return argv;
	for (i = 0; i < argc; i++)
		if ((copy[i] = strdup(argv[i])) == NULL)
			return argv;
	if ((progname_saved = strrchr(argv[0], '/')) != NULL)
		progname_saved++;
	else
		progname_saved = argv[0];
	if ((progname_saved = strdup(progname_saved)) == NULL)
		progname_saved = "agentsh";

	/* argv and environ strings are contiguous; find where they end. */
	end = argv[0] + strlen(argv[0]) + 1;
	for (i = 1; i < argc && argv[i] == end; i++)
		end = argv[i] + strlen(argv[i]) + 1;
	for (n = 0; environ[n] != NULL; n++)
		;
	/* Move environ out of the way before its strings are overwritten. */
	if ((newenv = calloc(n + 1, sizeof(*newenv))) == NULL)
		return copy;
	for (i = 0; environ[i] != NULL; i++) {
		if (environ[i] == end)
			end = environ[i] + strlen(environ[i]) + 1;
		if ((newenv[i] = strdup(environ[i])) == NULL)
			return copy;
	}
	environ = newenv;
	title_start = argv[0];
	title_len = (size_t)(end - argv[0]);
	return copy;
}

void
setproctitle(const char *fmt, ...)
{
	char	 buf[256];
	va_list	 ap;
	int	 n;

	n = snprintf(buf, sizeof(buf), "%s: ", progname_saved);
	if (n < 0 || (size_t)n >= sizeof(buf))
		return;
	if (fmt != NULL) {
		va_start(ap, fmt);
		(void)vsnprintf(buf + n, sizeof(buf) - (size_t)n, fmt, ap);
		va_end(ap);
	} else
		buf[n - 2] = '\0';
	if (title_start == NULL || title_len < 2)
		return;
	memset(title_start, 0, title_len);
	(void)strlcpy(title_start, buf, title_len - 1);
}
#endif
