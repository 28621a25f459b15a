/* strlcpy, strlcat: bounded copies that always terminate and report the
 * length they tried to create, so truncation is detectable. */
#include "compat.h"

#include <string.h>

#ifndef HAVE_STRLCPY
size_t
strlcpy(char *dst, const char *src, size_t dsize)
{
	size_t	 slen = strlen(src);

	if (dsize != 0) {
		size_t	 n = slen < dsize - 1 ? slen : dsize - 1;

		memcpy(dst, src, n);
		dst[n] = '\0';
	}
	return slen;
}
#endif

#ifndef HAVE_STRLCAT
size_t
strlcat(char *dst, const char *src, size_t dsize)
{
	size_t	 dlen = strnlen(dst, dsize);

	if (dlen == dsize)
		return dsize + strlen(src);
	return dlen + strlcpy(dst + dlen, src, dsize - dlen);
}
#endif
