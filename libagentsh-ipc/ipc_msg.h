/*
 * The message catalogue: every IPC message agentsh's processes exchange.
 *
 * Requests (and one-way notices) are even, answers odd; an answer is its
 * request's number + 1 and echoes the request's peerid.  Numbers are never
 * reused or renumbered.  Each message has exactly one payload struct below
 * and one entry in ipc_msg.c; PROTOCOL.ipc at the top of the tree says who
 * sends it, what it carries and what answers it.
 */
#ifndef AGENTSH_IPC_MSG_H
#define AGENTSH_IPC_MSG_H

#include <stdint.h>

#include "ipc_codec.h"

enum ipc_type {
	/* any channel */
	IPC_PING		= 0x0002,
	IPC_PONG		= 0x0003,

	/* agentshd <-> monitor */
	IPC_D_READY		= 0x0100,
	IPC_CONN_NEW		= 0x0102,
	IPC_CONN_GONE		= 0x0104,
	IPC_AUTH_KEY		= 0x0106,
	IPC_AUTH_KEY_R		= 0x0107,
	IPC_D_CONF		= 0x0108,
	IPC_SESS_CREATE		= 0x0110,
	IPC_SESS_CREATE_R	= 0x0111,
	IPC_SESS_DESTROY	= 0x0112,
	IPC_SESS_DESTROY_R	= 0x0113,
	IPC_SESS_UPDATE		= 0x0114,
	IPC_SESS_UPDATE_R	= 0x0115,
	IPC_SESS_INFO		= 0x0116,
	IPC_SESS_GONE		= 0x0118,
	IPC_SESS_SYNCED		= 0x011a,
};

/* Limits on strings that cross a channel. */
#define IPC_ID_MAX		 128
#define IPC_PATH_MAX		 4096
#define IPC_NAME_MAX		 256
#define IPC_ERRMSG_MAX		 1024
#define IPC_KEY_MAX		 512

struct ipc_ping {
	uint64_t	 cookie;
};

/* agentshd has entered its jail and will now read client bytes. */
struct ipc_d_ready {
	uint32_t	 version;
};

/* The monitor's first message to agentshd: what it needs from config.yaml
 * (agentshd never reads the configuration itself). */
#define IPC_D_AUTH_NONE		 0
#define IPC_D_AUTH_API_KEY	 1

struct ipc_d_conf {
	const char	*data_dir;	/* LMDB environment, owned by agentshd */
	uint64_t	 max_request_size;
	uint32_t	 read_timeout_ms;
	uint32_t	 write_timeout_ms;
	uint32_t	 idle_timeout_ms;
	uint32_t	 max_conns;
	uint32_t	 auth_type;	/* IPC_D_AUTH_* */
	const char	*api_key_header;
};

enum ipc_conn_kind {
	IPC_CONN_UNIX = 0,
	IPC_CONN_TCP,
	IPC_CONN_KIND_MAX
};

enum ipc_role {
	IPC_ROLE_AGENT = 0,
	IPC_ROLE_APPROVER,
	IPC_ROLE_ADMIN,
	IPC_ROLE_MAX
};

/*
 * A client connection the monitor accepted, with the identity it read
 * (Unix: SO_PEERCRED; TCP: sessions.run_as until an API key binds one).
 */
struct ipc_conn_new {
	uint64_t	 connid;
	uint32_t	 kind;		/* enum ipc_conn_kind */
	uint32_t	 uid;
	uint32_t	 gid;
	int32_t		 pid;
	uint32_t	 role;		/* enum ipc_role */
	const char	*peer;		/* printable peer address */
};

struct ipc_conn_gone {
	uint64_t	 connid;
};

/* agentshd found an API key header on a connection; the monitor judges it. */
struct ipc_auth_key {
	uint64_t	 connid;
	const char	*key;
};

struct ipc_auth_key_r {
	uint64_t	 connid;
	uint32_t	 ok;		/* 0 or 1 */
	uint32_t	 role;		/* enum ipc_role */
	uint32_t	 uid;		/* whom the connection now acts as */
	const char	*key_id;
};

#define IPC_SESS_F_REAL_PATHS	 0x01
#define IPC_SESS_F_ALL		 0x01

struct ipc_sess_create {
	uint64_t	 connid;
	const char	*id;		/* "" = the monitor picks one */
	const char	*workspace;
	const char	*policy;	/* "" = policies.default */
	uint32_t	 flags;		/* IPC_SESS_F_* */
};

/* Answer to every session request: an HTTP status and, if not 2xx, why. */
struct ipc_sess_r {
	uint32_t	 status;
	const char	*id;
	const char	*error;
};

struct ipc_sess_destroy {
	uint64_t	 connid;
	const char	*id;
};

/* PATCH /sessions/{id}: the defaults later execs start from. */
#define IPC_SESS_UPD_CWD	 0x01
#define IPC_SESS_UPD_ENV	 0x02
#define IPC_SESS_UPD_ALL	 0x03
#define IPC_SESS_ENV_MAX	 256

struct ipc_sess_update {
	uint64_t	 connid;
	const char	*id;
	uint32_t	 what;		/* IPC_SESS_UPD_* */
	const char	*cwd;
	struct ipc_strv	 env;		/* "NAME=value" to set */
	struct ipc_strv	 unset;		/* names to remove */
};

enum ipc_sess_state {
	IPC_SESS_READY = 0,
	IPC_SESS_BROKEN,
	IPC_SESS_STATE_MAX
};

/* The monitor's record of a session, copied to agentshd for queries. */
struct ipc_sess_info {
	const char	*id;
	uint32_t	 owner_uid;
	const char	*owner_key;	/* API key id, "" for uid owners */
	const char	*workspace;	/* host path */
	const char	*mount_path;	/* where commands see it */
	const char	*policy;
	const char	*cwd;		/* default working directory */
	uint64_t	 created_ns;	/* CLOCK_REALTIME */
	uint64_t	 updated_ns;
	uint32_t	 state;		/* enum ipc_sess_state */
	uint32_t	 flags;		/* IPC_SESS_F_* */
	const char	*state_reason;
	struct ipc_strv	 enforcement;	/* layers enforcing its policy */
};

struct ipc_sess_gone {
	const char	*id;
};

#endif /* AGENTSH_IPC_MSG_H */
