/*
 * BSD functions the code relies on that glibc may lack.  configure decides
 * which ones compat/ provides; each file compiles to nothing otherwise.
 */
#ifndef AGENTSH_COMPAT_H
#define AGENTSH_COMPAT_H

#include "config.h"

#include <stddef.h>

#ifndef HAVE_STRLCPY
size_t	 strlcpy(char *, const char *, size_t);
#endif
#ifndef HAVE_STRLCAT
size_t	 strlcat(char *, const char *, size_t);
#endif
#ifndef HAVE_FREEZERO
void	 freezero(void *, size_t);
#endif
#ifndef HAVE_CLOSEFROM
void	 closefrom(int);
#endif
/* Returns a copy of argv to use from then on: the original area becomes
 * the process title. */
#ifndef HAVE_SETPROCTITLE
char	**compat_init_setproctitle(int, char **);
void	 setproctitle(const char *, ...)
	    __attribute__((format(printf, 1, 2)));
#else
#define compat_init_setproctitle(c, v)	(v)
#endif
#ifndef HAVE_STRTONUM
long long strtonum(const char *, long long, long long, const char **);
#endif
#ifndef HAVE_RECALLOCARRAY
void	*recallocarray(void *, size_t, size_t, size_t);
#endif

/* glibc's <sys/queue.h> lacks the _SAFE iterators. */
#include <sys/queue.h>
#ifndef TAILQ_FOREACH_SAFE
#define TAILQ_FOREACH_SAFE(var, head, field, tvar)			\
	for ((var) = TAILQ_FIRST(head);					\
	    (var) != NULL && ((tvar) = TAILQ_NEXT(var, field), 1);	\
	    (var) = (tvar))
#endif

#ifndef nitems
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))
#endif

#endif /* AGENTSH_COMPAT_H */
