/* freezero: wipe, then free; for buffers that held secrets. */
#include "compat.h"

#include <stdlib.h>
#include <string.h>

#ifndef HAVE_FREEZERO
void
freezero(void *ptr, size_t size)
{
	if (ptr == NULL)
		return;
	explicit_bzero(ptr, size);
	free(ptr);
}
#endif
