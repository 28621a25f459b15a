/*
 * The API keys file (auth.api_key.keys_file): a YAML list of
 * {id, key, description, role}.  The monitor checks a key that agentshd
 * extracted from a request against it.  Keys are kept only as keyed
 * hashes and compared in constant time; nothing here prints a key.
 */
#ifndef AGENTSH_MONITOR_KEYS_H
#define AGENTSH_MONITOR_KEYS_H

#include <stddef.h>

#define KEYS_MIN_LEN	16	/* bytes in a key */
#define KEYS_MAX_LEN	1024
#define KEYS_MAX	1000	/* entries in a file */

enum keys_role {
	KEYS_ROLE_AGENT = 0,	/* also when the role is absent */
	KEYS_ROLE_APPROVER,
	KEYS_ROLE_ADMIN,
};

struct keys_entry {
	char		*id;
	char		*description;	/* NULL when absent */
	enum keys_role	 role;
	unsigned char	 hash[32];	/* keyed BLAKE2b of the key */
};

struct keys;

/* keys.c */
/*
 * Reads the keys file.  When the process runs as root the file must be
 * root's and neither readable nor writable by group or others.  NULL with
 * "FILE:LINE:COL: [N].field: what is wrong" in err on any error.
 */
struct keys	*keys_load(const char *path, char *err, size_t errlen);
/* The same from a buffer named 'name' in messages (tests, fuzzing). */
struct keys	*keys_load_buf(const char *name, const void *buf, size_t len,
		    char *err, size_t errlen);
/* Wipes and frees; NULL-safe. */
void		 keys_free(struct keys *);
/*
 * The entry whose key is exactly key[0..keylen), or NULL.  Compares with
 * every entry in constant time, whatever the lengths.
 */
const struct keys_entry *keys_lookup(const struct keys *, const void *key,
		    size_t keylen);
size_t		 keys_count(const struct keys *);
const struct keys_entry *keys_entry_at(const struct keys *, size_t);
const char	*keys_role_name(enum keys_role);

#endif /* AGENTSH_MONITOR_KEYS_H */
