/*
 * The catalogue's field tables: what each message's payload holds, in wire
 * order.  Adding a message: a number in ipc_msg.h, a struct, a table here, a
 * section in PROTOCOL.ipc.
 */
#include "compat.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include "ipc.h"
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
	F(ipc_d_conf, shellc_opaque, ENUM, 4),
	F(ipc_d_conf, env_inject, STRV, IPC_SESS_ENV_MAX),
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
	F(ipc_sess_info, env, STRV, IPC_SESS_ENV_MAX),
};
static const struct ipc_field f_sess_gone[] = {
	F(ipc_sess_gone, id, STR, IPC_ID_MAX),
};
static const struct ipc_field f_sess_policy[] = {
	F(ipc_sess_policy, id, STR, IPC_ID_MAX),
};
#define EVENT_FIELDS(st, pre) \
	F(st, pre ts_ns, U64, 0), \
	F(st, pre src_seq, U64, 0), \
	F(st, pre source, ENUM, IPC_SRC_MAX), \
	F(st, pre type, STR, IPC_EV_TYPE_MAX), \
	F(st, pre session_id, STR, IPC_ID_MAX), \
	F(st, pre command_id, STR, IPC_ID_MAX), \
	F(st, pre pid, I32, 0), \
	F(st, pre ppid, I32, 0), \
	F(st, pre depth, I32, 0), \
	F(st, pre decision, ENUM, IPC_DEC_MAX), \
	F(st, pre effective, ENUM, IPC_DEC_MAX), \
	F(st, pre rule, STR, IPC_NAME_MAX), \
	F(st, pre message, STR, IPC_ERRMSG_MAX), \
	F(st, pre path, STR, IPC_PATH_MAX), \
	F(st, pre operation, STR, IPC_NAME_MAX), \
	F(st, pre domain, STR, IPC_NAME_MAX), \
	F(st, pre remote, STR, IPC_NAME_MAX), \
	F(st, pre filename, STR, IPC_PATH_MAX), \
	F(st, pre unwrapped_from, STR, IPC_PATH_MAX), \
	F(st, pre payload_command, STR, IPC_PATH_MAX), \
	F(st, pre argv, STRV, IPC_EV_ARGV_MAX), \
	F(st, pre fields, STRV, IPC_EV_FIELDS_MAX)

static const struct ipc_field f_event[] = {
	EVENT_FIELDS(ipc_event, ),
};
static const struct ipc_field f_ev_batch[] = {
	F(ipc_ev_batch, last_seq, U64, 0),
	F(ipc_ev_batch, count, U32, 0),
	F(ipc_ev_batch, entries, BYTES, IPC_MAX_PAYLOAD),
};
static const struct ipc_field f_drained[] = {
	F(ipc_drained, session_id, STR, IPC_ID_MAX),
	F(ipc_drained, command_id, STR, IPC_ID_MAX),
};
static const struct ipc_field f_ev_barrier[] = {
	F(ipc_ev_barrier, session_id, STR, IPC_ID_MAX),
	F(ipc_ev_barrier, command_id, STR, IPC_ID_MAX),
	F(ipc_ev_barrier, complete, ENUM, 2),
};
static const struct ipc_field f_ev_ack[] = {
	F(ipc_ev_ack, seq, U64, 0),
};
static const struct ipc_field f_w_conf[] = {
	F(ipc_w_conf, log_name, STR, IPC_NAME_MAX),
	F(ipc_w_conf, max_size, U64, 0),
	F(ipc_w_conf, max_backups, U32, 0),
	F(ipc_w_conf, algorithm, ENUM, 2),
	F(ipc_w_conf, flags, FLAGS, IPC_W_F_ALL),
};
static const struct ipc_field f_w_ready[] = {
	F(ipc_w_ready, resumed, ENUM, 2),
	F(ipc_w_ready, new_chain, ENUM, 2),
	F(ipc_w_ready, reason, STR, IPC_ERRMSG_MAX),
	F(ipc_w_ready, head_seq, I64, 0),
	F(ipc_w_ready, head_hash, STR, IPC_NAME_MAX),
};
static const struct ipc_field f_w_source[] = {
	F(ipc_w_source, source, ENUM, IPC_SRC_MAX),
	F(ipc_w_source, name, STR, IPC_NAME_MAX),
};
static const struct ipc_field f_w_expect[] = {
	F(ipc_w_expect, session_id, STR, IPC_ID_MAX),
	F(ipc_w_expect, command_id, STR, IPC_ID_MAX),
	F(ipc_w_expect, sources, FLAGS, (1U << IPC_SRC_MAX) - 1),
};
static const struct ipc_field f_w_ack[] = {
	F(ipc_w_ack, src_seq, U64, 0),
};
static const struct ipc_field f_w_offender[] = {
	F(ipc_w_offender, source, ENUM, IPC_SRC_MAX),
	F(ipc_w_offender, reason, STR, IPC_ERRMSG_MAX),
};

static const struct ipc_field f_exec[] = {
	F(ipc_exec, connid, U64, 0),
	F(ipc_exec, id, STR, IPC_ID_MAX),
	F(ipc_exec, command_id, STR, IPC_ID_MAX),
	F(ipc_exec, command, STR, IPC_PATH_MAX),
	F(ipc_exec, argv0, STR, IPC_PATH_MAX),
	F(ipc_exec, args, STRV, IPC_EXEC_ARGS_MAX),
	F(ipc_exec, env, STRV, IPC_EXEC_ENV_MAX),
	F(ipc_exec, cwd, STR, IPC_PATH_MAX),
	F(ipc_exec, timeout_ms, U64, 0),
	F(ipc_exec, flags, FLAGS, IPC_EXEC_REQ_F_ALL),
};
static const struct ipc_field f_exec_kill[] = {
	F(ipc_exec_kill, connid, U64, 0),
	F(ipc_exec_kill, id, STR, IPC_ID_MAX),
	F(ipc_exec_kill, command_id, STR, IPC_ID_MAX),
};
static const struct ipc_field f_exec_r[] = {
	F(ipc_exec_r, status, U32, 0),
	F(ipc_exec_r, error, STR, IPC_ERRMSG_MAX),
	F(ipc_exec_r, id, STR, IPC_ID_MAX),
	F(ipc_exec_r, command_id, STR, IPC_ID_MAX),
	F(ipc_exec_r, exit_code, I32, 0),
	F(ipc_exec_r, flags, FLAGS, IPC_EXEC_F_ALL),
	F(ipc_exec_r, duration_ms, U64, 0),
	F(ipc_exec_r, cpu_user_ms, U64, 0),
	F(ipc_exec_r, cpu_system_ms, U64, 0),
	F(ipc_exec_r, maxrss_kb, U64, 0),
};
static const struct ipc_field f_exec_output[] = {
	F(ipc_exec_output, command_id, STR, IPC_ID_MAX),
	F(ipc_exec_output, stream, ENUM, IPC_STREAM_MAX),
};
static const struct ipc_field f_init_setup[] = {
	F(ipc_init_setup, id, STR, IPC_ID_MAX),
	F(ipc_init_setup, mount_path, STR, IPC_PATH_MAX),
	F(ipc_init_setup, cgroup_path, STR, IPC_PATH_MAX),
	F(ipc_init_setup, flags, FLAGS, IPC_INIT_F_ALL),
	F(ipc_init_setup, uid, U32, 0),
	F(ipc_init_setup, gid, U32, 0),
	F(ipc_init_setup, groups, BYTES, IPC_INIT_GROUPS_MAX * 4),
	F(ipc_init_setup, masks, STRV, IPC_INIT_MASKS_MAX),
};
static const struct ipc_field f_init_setup_r[] = {
	F(ipc_init_setup_r, ok, ENUM, 2),
	F(ipc_init_setup_r, error, STR, IPC_ERRMSG_MAX),
	F(ipc_init_setup_r, layers, STRV, 16),
};
static const struct ipc_field f_init_fd[] = {
	F(ipc_init_fd, cmd, U64, 0),
	F(ipc_init_fd, slot, ENUM, IPC_INIT_SLOT_MAX),
};
static const struct ipc_field f_init_exec[] = {
	F(ipc_init_exec, cmd, U64, 0),
	F(ipc_init_exec, path, STR, IPC_PATH_MAX),
	F(ipc_init_exec, argv, STRV, IPC_EXEC_ARGS_MAX + 1),
	F(ipc_init_exec, env, STRV, IPC_SESS_ENV_MAX * 2 + 2),
	F(ipc_init_exec, cwd, STR, IPC_PATH_MAX),
};
static const struct ipc_field f_init_exec_r[] = {
	F(ipc_init_exec_r, cmd, U64, 0),
	F(ipc_init_exec_r, pid, I32, 0),
	F(ipc_init_exec_r, error, I32, 0),
	F(ipc_init_exec_r, stage, ENUM, IPC_INIT_STAGE_MAX),
};
static const struct ipc_field f_init_exited[] = {
	F(ipc_init_exited, cmd, U64, 0),
	F(ipc_init_exited, status, I32, 0),
	F(ipc_init_exited, utime_us, U64, 0),
	F(ipc_init_exited, stime_us, U64, 0),
	F(ipc_init_exited, maxrss_kb, U64, 0),
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
	{ IPC_D_EVCHAN, "IPC_D_EVCHAN", IPC_FD_REQUIRED, 0, f_none, 0 },
	DEF(IPC_SESS_POLICY, ipc_sess_policy, REQUIRED, f_sess_policy),
	DEF(IPC_EXEC, ipc_exec, NONE, f_exec),
	DEF(IPC_EXEC_R, ipc_exec_r, NONE, f_exec_r),
	DEF(IPC_EXEC_OUTPUT, ipc_exec_output, REQUIRED, f_exec_output),
	DEF(IPC_EXEC_KILL, ipc_exec_kill, NONE, f_exec_kill),
	DEF(IPC_EXEC_KILL_R, ipc_sess_r, NONE, f_sess_r),
	DEF(IPC_INIT_SETUP, ipc_init_setup, NONE, f_init_setup),
	DEF(IPC_INIT_SETUP_R, ipc_init_setup_r, NONE, f_init_setup_r),
	{ IPC_INIT_WORKSPACE, "IPC_INIT_WORKSPACE", IPC_FD_REQUIRED, 0, f_none,
	    0 },
	{ IPC_INIT_USERNS, "IPC_INIT_USERNS", IPC_FD_REQUIRED, 0, f_none, 0 },
	DEF(IPC_INIT_FD, ipc_init_fd, REQUIRED, f_init_fd),
	DEF(IPC_INIT_EXEC, ipc_init_exec, NONE, f_init_exec),
	DEF(IPC_INIT_EXEC_R, ipc_init_exec_r, NONE, f_init_exec_r),
	DEF(IPC_INIT_EXITED, ipc_init_exited, NONE, f_init_exited),
	DEF(IPC_EVENT, ipc_event, NONE, f_event),
	DEF(IPC_DRAINED, ipc_drained, NONE, f_drained),
	DEF(IPC_EV_BATCH, ipc_ev_batch, NONE, f_ev_batch),
	DEF(IPC_EV_BARRIER, ipc_ev_barrier, NONE, f_ev_barrier),
	DEF(IPC_EV_ACK, ipc_ev_ack, NONE, f_ev_ack),
	DEF(IPC_W_CONF, ipc_w_conf, NONE, f_w_conf),
	DEF(IPC_W_READY, ipc_w_ready, NONE, f_w_ready),
	DEF(IPC_W_SOURCE, ipc_w_source, REQUIRED, f_w_source),
	DEF(IPC_W_EXPECT, ipc_w_expect, NONE, f_w_expect),
	DEF(IPC_W_ACK, ipc_w_ack, NONE, f_w_ack),
	DEF(IPC_W_OFFENDER, ipc_w_offender, NONE, f_w_offender),
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

static int
put(uint8_t *buf, size_t cap, size_t *len, const void *p, size_t n)
{
	if (n > cap - *len)
		return -1;
	memcpy(buf + *len, p, n);
	*len += n;
	return 0;
}

static int
put_str16(uint8_t *buf, size_t cap, size_t *len, const char *s)
{
	uint16_t	 n = (uint16_t)strlen(s);

	return put(buf, cap, len, &n, 2) == -1 ||
	    put(buf, cap, len, s, n) == -1 ? -1 : 0;
}

/* Appends one entry; -1 (nothing appended) when it does not fit. */
int
ipc_evb_add(uint8_t *buf, size_t cap, size_t *len,
    const struct ipc_evb_entry *e)
{
	size_t		 o = *len;
	uint32_t	 jl = (uint32_t)e->jsonlen;

	if (e->jsonlen > IPC_EVB_JSON_MAX ||
	    put(buf, cap, &o, &e->seq, 8) == -1 ||
	    put(buf, cap, &o, &e->ts_ns, 8) == -1 ||
	    put(buf, cap, &o, &e->decision, 1) == -1 ||
	    put_str16(buf, cap, &o, e->session_id) == -1 ||
	    put_str16(buf, cap, &o, e->type) == -1 ||
	    put_str16(buf, cap, &o, e->command_id) == -1 ||
	    put(buf, cap, &o, &jl, 4) == -1 ||
	    put(buf, cap, &o, e->json, e->jsonlen) == -1)
		return -1;
	*len = o;
	return 0;
}

static int
get(const struct ipc_bytes *b, size_t *off, void *p, size_t n)
{
	if (n > b->len - *off)
		return -1;
	memcpy(p, b->p + *off, n);
	*off += n;
	return 0;
}

/* A short string: within its bound, no NUL; copied and terminated. */
static int
get_str16(const struct ipc_bytes *b, size_t *off, char *out, size_t outlen)
{
	uint16_t	 n;

	if (get(b, off, &n, 2) == -1 || n >= outlen || n > b->len - *off ||
	    memchr(b->p + *off, '\0', n) != NULL)
		return -1;
	memcpy(out, b->p + *off, n);
	out[n] = '\0';
	*off += n;
	return 0;
}

int
ipc_evb_next(const struct ipc_bytes *b, size_t *off, struct ipc_evb_entry *e)
{
	uint32_t	 jl;

	if (*off == b->len)
		return 0;
	if (get(b, off, &e->seq, 8) == -1 || get(b, off, &e->ts_ns, 8) == -1 ||
	    get(b, off, &e->decision, 1) == -1 || e->decision >= IPC_DEC_MAX ||
	    get_str16(b, off, e->session_id, sizeof(e->session_id)) == -1 ||
	    get_str16(b, off, e->type, sizeof(e->type)) == -1 ||
	    get_str16(b, off, e->command_id, sizeof(e->command_id)) == -1 ||
	    get(b, off, &jl, 4) == -1 || jl == 0 || jl > IPC_EVB_JSON_MAX ||
	    jl > b->len - *off)
		return -1;
	e->json = (const char *)b->p + *off;
	e->jsonlen = jl;
	*off += jl;
	return 1;
}

int
ipc_exec_path_next(const char **pp, const char *name, char *buf, size_t len)
{
	const char	*p, *e;
	size_t		 dl;

	while ((p = *pp) != NULL) {
		e = strchrnul(p, ':');
		dl = (size_t)(e - p);
		*pp = *e != '\0' ? e + 1 : NULL;
		if (dl > 0 && *p == '/' && (size_t)snprintf(buf, len,
		    "%.*s/%s", (int)dl, p, name) < len)
			return 1;
	}
	return 0;
}
