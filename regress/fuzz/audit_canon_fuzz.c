/*
 * libFuzzer harness for the audit log canonicalizer: any bytes may be a
 * log line written by anyone.  Whatever parses must canonicalize, and the
 * canonical form must parse again and canonicalize to the same bytes; the
 * same holds with the top-level "integrity" member left out.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit_json.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static struct audit_jdoc	*doc;

static void
same_again(const struct audit_buf *a, const char *skip)
{
	struct audit_buf	 b = { 0 };
	char			 err[256];

	if (audit_jdoc_parse(doc, a->data, a->len, err, sizeof(err)) == -1)
		abort();	/* our own output must parse */
	if (audit_jdoc_canon(doc, AUDIT_JROOT, &b, skip, NULL) == -1)
		abort();
	if (b.len != a->len || memcmp(b.data, a->data, a->len) != 0)
		abort();	/* not idempotent */
	audit_buf_clear(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct audit_buf	 a = { 0 }, s = { 0 };
	char			 err[256];
	size_t			 at = 0;

	if (doc == NULL && (doc = audit_jdoc_new()) == NULL)
		abort();
	audit_jdoc_set_limits(doc, AUDIT_JSON_MAX_SIZE, 200);
	if (audit_jdoc_parse(doc, data, size, err, sizeof(err)) == -1) {
		if (strncmp(err, "offset ", 7) != 0 &&
		    strncmp(err, "document ", 9) != 0)
			abort();	/* every error says where */
		return 0;
	}
	if (audit_jdoc_canon(doc, AUDIT_JROOT, &a, NULL, NULL) == -1 ||
	    audit_jdoc_canon(doc, AUDIT_JROOT, &s, "integrity", &at) == -1)
		abort();
	if (audit_jdoc_type(doc, AUDIT_JROOT) == AUDIT_JOBJECT &&
	    (at == 0 || at >= s.len))
		abort();	/* an insertion point inside the object */
	same_again(&a, NULL);
	same_again(&s, "integrity");
	audit_buf_clear(&a);
	audit_buf_clear(&s);
	return 0;
}
