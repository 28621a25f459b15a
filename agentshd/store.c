/*
 * agentshd's store: one LMDB environment, opened before the jail with a
 * fixed map size, written by agentshd alone.  Named databases:
 *   sessions	id -> session JSON (the copy of the monitor's record)
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <lmdb.h>

#include "agentshd.h"
#include "ipc_log.h"

/* Sparse: only what is written takes disk space. */
#define STORE_MAP_SIZE	 (8ULL << 30)
#define STORE_MAX_DBS	 16

struct store {
	MDB_env		*env;
	MDB_dbi		 sessions;
};

struct store *
store_open(const char *dir, char *err, size_t errlen)
{
	struct store	*st;
	MDB_txn		*txn = NULL;
	int		 rc;

	if ((st = calloc(1, sizeof(*st))) == NULL) {
		(void)snprintf(err, errlen, "store: out of memory");
		return NULL;
	}
	if ((rc = mdb_env_create(&st->env)) != 0 ||
	    (rc = mdb_env_set_mapsize(st->env, STORE_MAP_SIZE)) != 0 ||
	    (rc = mdb_env_set_maxdbs(st->env, STORE_MAX_DBS)) != 0 ||
	    (rc = mdb_env_open(st->env, dir, MDB_NOTLS, 0600)) != 0 ||
	    (rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0 ||
	    (rc = mdb_dbi_open(txn, "sessions", MDB_CREATE,
	    &st->sessions)) != 0 ||
	    (rc = mdb_txn_commit(txn)) != 0) {
		(void)snprintf(err, errlen, "store %s: %s", dir,
		    mdb_strerror(rc));
		if (txn != NULL && rc != 0)
			mdb_txn_abort(txn);
		store_close(st);
		return NULL;
	}
	return st;
}

void
store_close(struct store *st)
{
	if (st == NULL)
		return;
	if (st->env != NULL)
		mdb_env_close(st->env);
	free(st);
}

int
store_put_session(struct store *st, const char *id, const char *json)
{
	MDB_txn	*txn;
	MDB_val	 k = { strlen(id), (void *)id };
	MDB_val	 v = { strlen(json), (void *)json };
	int	 rc;

	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0)
		goto bad;
	if ((rc = mdb_put(txn, st->sessions, &k, &v, 0)) != 0) {
		mdb_txn_abort(txn);
		goto bad;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto bad;
	return 0;
bad:
	log_warnx("store: session %s: %s", id, mdb_strerror(rc));
	return -1;
}

int
store_del_session(struct store *st, const char *id)
{
	MDB_txn	*txn;
	MDB_val	 k = { strlen(id), (void *)id };
	int	 rc;

	if ((rc = mdb_txn_begin(st->env, NULL, 0, &txn)) != 0)
		goto bad;
	if ((rc = mdb_del(txn, st->sessions, &k, NULL)) != 0 &&
	    rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		goto bad;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto bad;
	return 0;
bad:
	log_warnx("store: session %s: %s", id, mdb_strerror(rc));
	return -1;
}
