/*
 * The API keys file (see keys.h).  Only a keyed BLAKE2b hash of each key
 * is kept, under a key drawn at load time, so a lookup compares fixed-size
 * values against every entry and nothing depends on which one matched or
 * on the keys' lengths.
 */
#include "compat.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "keys.h"
#include "ytree.h"

_Static_assert(sizeof(((struct keys_entry *)0)->hash) >=
    crypto_generichash_BYTES_MIN, "hash size");

#define MAX_ID		128
#define MAX_DESC	1024

struct keys {
	size_t			 n;
	struct keys_entry	*v;
	unsigned char		 hkey[crypto_generichash_KEYBYTES];
};

static const char *const role_names[] = { "agent", "approver", "admin", NULL };

struct kstate {
	const char	*name;
	char		*err;
	size_t		 errlen;
};

static int
kerr(struct kstate *ks, const struct ytree *at, size_t idx, const char *field,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static int
kerr(struct kstate *ks, const struct ytree *at, size_t idx, const char *field,
    const char *fmt, ...)
{
	char	 msg[256], path[160];
	va_list	 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)snprintf(path, sizeof(path), "[%zu]%s%s", idx,
	    field != NULL ? "." : "", field != NULL ? field : "");
	return ytree_err(ks->err, ks->errlen, ks->name, at, path, "%s", msg);
}

const char *
keys_role_name(enum keys_role r)
{
	if ((size_t)r >= nitems(role_names) - 1)
		return "unknown";
	return role_names[r];
}

void
keys_free(struct keys *k)
{
	size_t	 i;

	if (k == NULL)
		return;
	for (i = 0; i < k->n; i++) {
		free(k->v[i].id);
		free(k->v[i].description);
		sodium_memzero(k->v[i].hash, sizeof(k->v[i].hash));
	}
	free(k->v);
	sodium_memzero(k->hkey, sizeof(k->hkey));
	free(k);
}

size_t
keys_count(const struct keys *k)
{
	return k != NULL ? k->n : 0;
}

const struct keys_entry *
keys_entry_at(const struct keys *k, size_t i)
{
	return k != NULL && i < k->n ? &k->v[i] : NULL;
}

const struct keys_entry *
keys_lookup(const struct keys *k, const void *key, size_t keylen)
{
	unsigned char	 h[sizeof(k->v[0].hash)];
	size_t		 i, found = 0, eq;

	if (k == NULL || (key == NULL && keylen > 0))
		return NULL;
	crypto_generichash(h, sizeof(h), key, keylen, k->hkey,
	    sizeof(k->hkey));
	/* No early exit: every entry is compared, the match kept by mask. */
	for (i = 0; i < k->n; i++) {
		eq = (size_t)(sodium_memcmp(h, k->v[i].hash, sizeof(h)) + 1);
		found |= ((size_t)0 - eq) & (i + 1);
	}
	sodium_memzero(h, sizeof(h));
	return found != 0 ? &k->v[found - 1] : NULL;
}

/* A scalar with text and no NUL byte; 'what' names the field. */
static int
text(struct kstate *ks, const struct ytree *v, size_t idx, const char *field,
    size_t max)
{
	if (v->type != YTREE_SCALAR)
		return kerr(ks, v, idx, field, "expected a string");
	if (ytree_is_null(v))
		return kerr(ks, v, idx, field, "missing value");
	if (strlen(v->str) != v->len)
		return kerr(ks, v, idx, field, "contains a NUL byte");
	if (v->len > max)
		return kerr(ks, v, idx, field, "longer than %zu bytes", max);
	return 0;
}

static int
parse_entry(struct kstate *ks, struct keys *k, const struct ytree *root,
    size_t idx)
{
	static const char *const fields[] = {
		"id", "key", "description", "role", NULL
	};
	const struct ytree	*it = root->kids[idx], *f[4] = { NULL };
	const struct ytree	*kn;
	struct keys_entry	*e = &k->v[idx];
	char			 b[160];
	size_t			 i, j;

	if (it->type != YTREE_MAP)
		return kerr(ks, it, idx, NULL, "expected a mapping with id, "
		    "key, description and role");
	for (i = 0; i + 1 < it->nkids; i += 2) {
		kn = it->kids[i];
		if (kn->type != YTREE_SCALAR)
			return kerr(ks, kn, idx, NULL, "keys must be scalars");
		for (j = 0; fields[j] != NULL; j++)
			if (strcmp(fields[j], kn->str) == 0 &&
			    strlen(kn->str) == kn->len)
				break;
		ytree_vis(b, sizeof(b), kn->str, kn->len, 64);
		if (fields[j] == NULL)
			return kerr(ks, kn, idx, b, "unknown key");
		if (f[j] != NULL)
			return kerr(ks, kn, idx, b, "duplicate key");
		f[j] = it->kids[i + 1];
	}

	if (f[0] == NULL)
		return kerr(ks, it, idx, NULL, "missing id");
	if (text(ks, f[0], idx, "id", MAX_ID) == -1)
		return -1;
	if (f[0]->len == 0)
		return kerr(ks, f[0], idx, "id", "must not be empty");
	for (i = 0; i < f[0]->len; i++)
		if ((unsigned char)f[0]->str[i] < 0x20 || f[0]->str[i] == 0x7f)
			return kerr(ks, f[0], idx, "id",
			    "contains a control character");

	/* Never quote the key itself in a message. */
	if (f[1] == NULL)
		return kerr(ks, it, idx, NULL, "missing key");
	if (text(ks, f[1], idx, "key", KEYS_MAX_LEN) == -1)
		return -1;
	if (f[1]->len == 0)
		return kerr(ks, f[1], idx, "key", "must not be empty");
	if (f[1]->len < KEYS_MIN_LEN)
		return kerr(ks, f[1], idx, "key", "shorter than %d characters",
		    KEYS_MIN_LEN);
	for (i = 0; i < f[1]->len; i++)
		if (f[1]->str[i] <= 0x20 || f[1]->str[i] >= 0x7f)
			return kerr(ks, f[1], idx, "key", "must be printable "
			    "ASCII without spaces (it is sent in a header)");

	if (f[2] != NULL && !ytree_is_null(f[2]) &&
	    text(ks, f[2], idx, "description", MAX_DESC) == -1)
		return -1;

	e->role = KEYS_ROLE_AGENT;
	if (f[3] != NULL) {
		if (text(ks, f[3], idx, "role", 64) == -1)
			return -1;
		for (j = 0; role_names[j] != NULL; j++)
			if (strcmp(role_names[j], f[3]->str) == 0)
				break;
		if (role_names[j] == NULL) {
			ytree_vis(b, sizeof(b), f[3]->str, f[3]->len, 64);
			return kerr(ks, f[3], idx, "role", "\"%s\" is not one "
			    "of: agent, approver, admin", b);
		}
		e->role = (enum keys_role)j;
	}

	if (crypto_generichash(e->hash, sizeof(e->hash),
	    (const unsigned char *)f[1]->str, f[1]->len, k->hkey,
	    sizeof(k->hkey)) != 0)
		return kerr(ks, f[1], idx, "key", "cannot hash");
	for (i = 0; i < idx; i++) {
		if (strcmp(k->v[i].id, f[0]->str) == 0) {
			ytree_vis(b, sizeof(b), f[0]->str, f[0]->len, 64);
			return kerr(ks, f[0], idx, "id", "duplicate id \"%s\" "
			    "(first at line %lu)", b, root->kids[i]->line);
		}
		if (sodium_memcmp(k->v[i].hash, e->hash, sizeof(e->hash)) == 0)
			return kerr(ks, f[1], idx, "key", "the same key as "
			    "entry [%zu] at line %lu", i, root->kids[i]->line);
	}

	if ((e->id = strdup(f[0]->str)) == NULL ||
	    (f[2] != NULL && !ytree_is_null(f[2]) &&
	    (e->description = strdup(f[2]->str)) == NULL))
		return kerr(ks, it, idx, NULL, "out of memory");
	return 0;
}

struct keys *
keys_load_buf(const char *name, const void *buf, size_t len, char *err,
    size_t errlen)
{
	struct kstate	 ks = { name, err, errlen };
	struct ytree	*root = NULL;
	struct keys	*k = NULL;
	size_t		 i;

	if (err != NULL && errlen > 0)
		err[0] = '\0';
	if (sodium_init() < 0) {
		ytree_err(err, errlen, name, NULL, "", "cannot initialise "
		    "libsodium");
		return NULL;
	}
	if (ytree_parse(name, buf, len, &root, err, errlen) == -1)
		return NULL;
	if (root == NULL || (root->type == YTREE_SEQ && root->nkids == 0)) {
		ytree_err(err, errlen, name, root, "", "no keys");
		goto fail;
	}
	if (root->type != YTREE_SEQ) {
		ytree_err(err, errlen, name, root, "", "expected a list of "
		    "keys ({id, key, description, role})");
		goto fail;
	}
	if (root->nkids > KEYS_MAX) {
		ytree_err(err, errlen, name, root, "", "more than %d keys",
		    KEYS_MAX);
		goto fail;
	}
	if ((k = calloc(1, sizeof(*k))) == NULL ||
	    (k->v = calloc(root->nkids, sizeof(*k->v))) == NULL) {
		ytree_err(err, errlen, name, NULL, "", "out of memory");
		goto fail;
	}
	randombytes_buf(k->hkey, sizeof(k->hkey));
	/* k->n counts filled entries so keys_free() frees what exists. */
	for (i = 0; i < root->nkids; i++) {
		k->n = i + 1;
		if (parse_entry(&ks, k, root, i) == -1)
			goto fail;
	}
	ytree_free(root);
	return k;
 fail:
	ytree_free(root);
	keys_free(k);
	return NULL;
}

struct keys *
keys_load(const char *path, char *err, size_t errlen)
{
	struct keys	*k;
	char		*buf;
	size_t		 len;

	if (ytree_read_file(path, 1, &buf, &len, err, errlen) == -1)
		return NULL;
	k = keys_load_buf(path, buf, len, err, errlen);
	freezero(buf, len);
	return k;
}
