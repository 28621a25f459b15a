/* strtonum: a decimal number within [minval, maxval] or an error string. */
#include "compat.h"

#ifndef HAVE_STRTONUM
#include <errno.h>
#include <limits.h>
#include <stdlib.h>

long long
strtonum(const char *s, long long minval, long long maxval,
    const char **errstrp)
{
	long long	 v = 0;
	char		*end;
	const char	*errstr = NULL;

	if (minval > maxval)
		errstr = "invalid";
	else {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (s[0] == '\0' || *end != '\0')
			errstr = "invalid";
		else if ((v == LLONG_MIN && errno == ERANGE) || v < minval)
			errstr = "too small";
		else if ((v == LLONG_MAX && errno == ERANGE) || v > maxval)
			errstr = "too large";
	}
	if (errstr != NULL) {
		v = 0;
		errno = errstr[0] == 'i' ? EINVAL : ERANGE;
	}
	if (errstrp != NULL)
		*errstrp = errstr;
	return v;
}
#endif
