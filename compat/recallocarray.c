/* recallocarray: resize an array of nmemb elements, zeroing new space and
 * wiping the old allocation, with overflow checking on the multiplication. */
#include "compat.h"

#ifndef HAVE_RECALLOCARRAY
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

void *
recallocarray(void *ptr, size_t oldnmemb, size_t newnmemb, size_t size)
{
	size_t	 oldsize, newsize;
	void	*n;

	if (ptr == NULL)
		return calloc(newnmemb, size);
	if (__builtin_mul_overflow(newnmemb, size, &newsize) ||
	    __builtin_mul_overflow(oldnmemb, size, &oldsize)) {
		errno = ENOMEM;
		return NULL;
	}
	if ((n = malloc(newsize ? newsize : 1)) == NULL)
		return NULL;
	if (newsize > oldsize) {
		memcpy(n, ptr, oldsize);
		memset((char *)n + oldsize, 0, newsize - oldsize);
	} else
		memcpy(n, ptr, newsize);
	explicit_bzero(ptr, oldsize);
	free(ptr);
	return n;
}
#endif
