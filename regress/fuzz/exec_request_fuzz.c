/*
 * libFuzzer harness for the ExecRequest check of agentshd: the input is a
 * request body.  Whatever JSON comes out of it is checked; an accepted
 * request must hold what the rest of agentshd counts on (a non-empty
 * command without NULs, args an array and env an object of strings, a
 * known include_events, stdin within its limit), a rejected one must say
 * why with a 4xx or 5xx status.
 */
#include "compat.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agentshd/exec_req.h"

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct exec_req	 r;
	json_t		*o, *v, *e;
	const char	*k;
	char		 err[256];
	size_t		 i;
	int		 status = 0;

	if ((o = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES |
	    JSON_ALLOW_NUL, NULL)) == NULL)
		return 0;
	err[0] = '\0';
	if (exec_req_check(o, &r, &status, err, sizeof(err)) == -1) {
		if (status < 400 || status > 599 || err[0] == '\0')
			abort();
		json_decref(o);
		return 0;
	}
	v = json_object_get(o, "command");
	if (!json_is_string(v) || json_string_length(v) == 0 ||
	    strlen(json_string_value(v)) != json_string_length(v))
		abort();
	if (!json_is_array(v = json_object_get(o, "args")))
		abort();
	json_array_foreach(v, i, e)
		if (!json_is_string(e))
			abort();
	if (!json_is_object(v = json_object_get(o, "env")))
		abort();
	json_object_foreach(v, k, e)
		if (!json_is_string(e) || *k == '\0')
			abort();
	if (strcmp(r.include, "all") && strcmp(r.include, "summary") &&
	    strcmp(r.include, "blocked") && strcmp(r.include, "none"))
		abort();
	if (r.stdin_len > EXEC_STDIN_MAX ||
	    (r.stdin_data == NULL && r.stdin_len != 0))
		abort();
	json_decref(o);
	return 0;
}
