/*
 * The catalogue's field tables: what each message's payload holds, in wire
 * order.  Adding a message: a number in ipc_msg.h, a struct, a table here, a
 * section in PROTOCOL.ipc.
 */
#include "compat.h"

#include <stddef.h>

#include "ipc_msg.h"

#define F(st, m, k, a)	{ IPC_FK_##k, offsetof(struct st, m), (a), #m }
#define DEF(t, st, fd, tbl) \
	{ t, #t, IPC_FD_##fd, sizeof(struct st), tbl, nitems(tbl) }

static const struct ipc_field f_ping[] = {
	F(ipc_ping, cookie, U64, 0),
};
static const struct ipc_field f_d_ready[] = {
	F(ipc_d_ready, version, U32, 0),
};
static const struct ipc_field f_conn_new[] = {
	F(ipc_conn_new, connid, U64, 0),
	F(ipc_conn_new, kind, ENUM, IPC_CONN_KIND_MAX),
	F(ipc_conn_new, uid, U32, 0),
	F(ipc_conn_new, gid, U32, 0),
	F(ipc_conn_new, pid, I32, 0),
	F(ipc_conn_new, role, ENUM, IPC_ROLE_MAX),
	F(ipc_conn_new, peer, STR, IPC_NAME_MAX),
};
static const struct ipc_field f_conn_gone[] = {
	F(ipc_conn_gone, connid, U64, 0),
};
static const struct ipc_field f_auth_key[] = {
	F(ipc_auth_key, connid, U64, 0),
	F(ipc_auth_key, key, STR, IPC_KEY_MAX),
};
static const struct ipc_field f_auth_key_r[] = {
	F(ipc_auth_key_r, connid, U64, 0),
	F(ipc_auth_key_r, ok, ENUM, 2),
	F(ipc_auth_key_r, role, ENUM, IPC_ROLE_MAX),
	F(ipc_auth_key_r, uid, U32, 0),
	F(ipc_auth_key_r, key_id, STR, IPC_NAME_MAX),
};
static const struct ipc_field f_d_conf[] = {
	F(ipc_d_conf, data_dir, STR, IPC_PATH_MAX),
	F(ipc_d_conf, max_request_size, U64, 0),
	F(ipc_d_conf, read_timeout_ms, U32, 0),
	F(ipc_d_conf, write_timeout_ms, U32, 0),
	F(ipc_d_conf, idle_timeout_ms, U32, 0),
	F(ipc_d_conf, max_conns, U32, 0),
	F(ipc_d_conf, auth_type, ENUM, 2),
	F(ipc_d_conf, api_key_header, STR, IPC_NAME_MAX),
};
static const struct ipc_field f_sess_create[] = {
	F(ipc_sess_create, connid, U64, 0),
	F(ipc_sess_create, id, STR, IPC_ID_MAX),
	F(ipc_sess_create, workspace, STR, IPC_PATH_MAX),
	F(ipc_sess_create, policy, STR, IPC_NAME_MAX),
	F(ipc_sess_create, flags, FLAGS, IPC_SESS_F_ALL),
};
static const struct ipc_field f_sess_r[] = {
	F(ipc_sess_r, status, U32, 0),
	F(ipc_sess_r, id, STR, IPC_ID_MAX),
	F(ipc_sess_r, error, STR, IPC_ERRMSG_MAX),
};
static const struct ipc_field f_sess_destroy[] = {
	F(ipc_sess_destroy, connid, U64, 0),
	F(ipc_sess_destroy, id, STR, IPC_ID_MAX),
};
static const struct ipc_field f_sess_update[] = {
	F(ipc_sess_update, connid, U64, 0),
	F(ipc_sess_update, id, STR, IPC_ID_MAX),
	F(ipc_sess_update, what, FLAGS, IPC_SESS_UPD_ALL),
	F(ipc_sess_update, cwd, STR, IPC_PATH_MAX),
	F(ipc_sess_update, env, STRV, IPC_SESS_ENV_MAX),
	F(ipc_sess_update, unset, STRV, IPC_SESS_ENV_MAX),
};
static const struct ipc_field f_sess_info[] = {
	F(ipc_sess_info, id, STR, IPC_ID_MAX),
	F(ipc_sess_info, owner_uid, U32, 0),
	F(ipc_sess_info, owner_key, STR, IPC_NAME_MAX),
	F(ipc_sess_info, workspace, STR, IPC_PATH_MAX),
	F(ipc_sess_info, mount_path, STR, IPC_PATH_MAX),
	F(ipc_sess_info, policy, STR, IPC_NAME_MAX),
	F(ipc_sess_info, cwd, STR, IPC_PATH_MAX),
	F(ipc_sess_info, created_ns, U64, 0),
	F(ipc_sess_info, updated_ns, U64, 0),
	F(ipc_sess_info, state, ENUM, IPC_SESS_STATE_MAX),
	F(ipc_sess_info, flags, FLAGS, IPC_SESS_F_ALL),
	F(ipc_sess_info, state_reason, STR, IPC_ERRMSG_MAX),
	F(ipc_sess_info, enforcement, STRV, 32),
};
static const struct ipc_field f_sess_gone[] = {
	F(ipc_sess_gone, id, STR, IPC_ID_MAX),
};
/* A message without payload still has a (zero-field) table. */
static const struct ipc_field f_none[] = { { 0, 0, 0, NULL } };

static const struct ipc_msgdef catalogue[] = {
	DEF(IPC_PING, ipc_ping, NONE, f_ping),
	DEF(IPC_PONG, ipc_ping, NONE, f_ping),
	DEF(IPC_D_READY, ipc_d_ready, NONE, f_d_ready),
	DEF(IPC_CONN_NEW, ipc_conn_new, REQUIRED, f_conn_new),
	DEF(IPC_CONN_GONE, ipc_conn_gone, NONE, f_conn_gone),
	DEF(IPC_AUTH_KEY, ipc_auth_key, NONE, f_auth_key),
	DEF(IPC_AUTH_KEY_R, ipc_auth_key_r, NONE, f_auth_key_r),
	DEF(IPC_D_CONF, ipc_d_conf, NONE, f_d_conf),
	DEF(IPC_SESS_CREATE, ipc_sess_create, NONE, f_sess_create),
	DEF(IPC_SESS_CREATE_R, ipc_sess_r, NONE, f_sess_r),
	DEF(IPC_SESS_DESTROY, ipc_sess_destroy, NONE, f_sess_destroy),
	DEF(IPC_SESS_DESTROY_R, ipc_sess_r, NONE, f_sess_r),
	DEF(IPC_SESS_UPDATE, ipc_sess_update, NONE, f_sess_update),
	DEF(IPC_SESS_UPDATE_R, ipc_sess_r, NONE, f_sess_r),
	DEF(IPC_SESS_INFO, ipc_sess_info, NONE, f_sess_info),
	DEF(IPC_SESS_GONE, ipc_sess_gone, NONE, f_sess_gone),
	{ IPC_SESS_SYNCED, "IPC_SESS_SYNCED", IPC_FD_NONE, 0, f_none, 0 },
};

/* The catalogue is sorted by number (a unit test checks): binary search. */
const struct ipc_msgdef *
ipc_msg_def(uint32_t type)
{
	size_t	 lo = 0, hi = nitems(catalogue);

	while (lo < hi) {
		size_t	 mid = lo + (hi - lo) / 2;

		if (catalogue[mid].type == type)
			return &catalogue[mid];
		if (catalogue[mid].type < type)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* For tests: the i-th entry, or NULL past the end. */
const struct ipc_msgdef *
ipc_msg_def_at(size_t i)
{
	return i < nitems(catalogue) ? &catalogue[i] : NULL;
}

const char *
ipc_msg_name(uint32_t type)
{
	const struct ipc_msgdef	*d = ipc_msg_def(type);

	return d != NULL ? d->name : "unknown";
}

int
ipc_msg_fdspec(uint32_t type)
{
	const struct ipc_msgdef	*d = ipc_msg_def(type);

	return d != NULL ? d->fdspec : -1;
}
