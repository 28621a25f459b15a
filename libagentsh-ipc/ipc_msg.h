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
	IPC_D_EVCHAN		= 0x011c,
	IPC_SESS_POLICY		= 0x011e,

	/* the event pipeline: sources -> audit writer -> agentshd */
	IPC_EVENT		= 0x0300,
	IPC_DRAINED		= 0x0302,
	IPC_EV_BATCH		= 0x0304,
	IPC_EV_BARRIER		= 0x0306,
	IPC_EV_ACK		= 0x0308,
	IPC_W_CONF		= 0x0310,
	IPC_W_READY		= 0x0312,
	IPC_W_SOURCE		= 0x0314,
	IPC_W_EXPECT		= 0x0316,
	IPC_W_ACK		= 0x0318,
	IPC_W_OFFENDER		= 0x031a,
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
	uint32_t	 shellc_opaque;	/* sandbox.seccomp.shellc.opaque */
	struct ipc_strv	 env_inject;	/* sandbox.env_inject, "NAME=value" */
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

/* A session's compiled policy, in a sealed memfd (the descriptor). */
struct ipc_sess_policy {
	const char	*id;
};

/*
 * Events.  A source sends typed events (no JSON on the privileged side) to
 * the audit writer on its own channel; the writer stamps the source from
 * the channel, refuses a claim of another one, assigns the sequence,
 * appends to the log and forwards a record to agentshd, which stores it,
 * renders the JSON of CONTRACT section 5 and acknowledges what it stored.
 */
enum ipc_ev_source {
	IPC_SRC_MONITOR = 0,
	IPC_SRC_AGENTSHD,
	IPC_SRC_SUPERVISOR,
	IPC_SRC_FSD,
	IPC_SRC_NETD,
	IPC_SRC_REGRESS,	/* regress-only peers */
	IPC_SRC_MAX
};

enum ipc_decision {
	IPC_DEC_NONE = 0,
	IPC_DEC_ALLOW,
	IPC_DEC_DENY,
	IPC_DEC_APPROVE,
	IPC_DEC_REDIRECT,
	IPC_DEC_AUDIT,
	IPC_DEC_SOFT_DELETE,
	IPC_DEC_MAX
};

#define IPC_EV_TYPE_MAX		 64
#define IPC_EV_ARGV_MAX		 1024
#define IPC_EV_FIELDS_MAX	 64

/*
 * One event.  Absent strings are "", absent numbers -1 (pid, ppid, depth)
 * or 0.  fields: typed extra members of the JSON "fields" object, each
 * "s:name=text", "i:name=123" or "b:name=true".
 */
struct ipc_event {
	uint64_t	 ts_ns;		/* when it happened, CLOCK_REALTIME */
	uint64_t	 src_seq;	/* the source's own counter (acks) */
	uint32_t	 source;	/* enum ipc_ev_source, as claimed */
	const char	*type;
	const char	*session_id;
	const char	*command_id;
	int32_t		 pid;
	int32_t		 ppid;
	int32_t		 depth;
	uint32_t	 decision;	/* enum ipc_decision */
	uint32_t	 effective;	/* enum ipc_decision */
	const char	*rule;
	const char	*message;
	const char	*path;
	const char	*operation;
	const char	*domain;
	const char	*remote;
	const char	*filename;
	const char	*unwrapped_from;
	const char	*payload_command;
	struct ipc_strv	 argv;
	struct ipc_strv	 fields;
};

/* A source has nothing more for a command. */
struct ipc_drained {
	const char	*session_id;
	const char	*command_id;
};

/*
 * The writer's forward of logged events to agentshd, many per message:
 * entries back to back in 'entries', each
 *	u64 seq, u64 ts_ns, u8 decision, u16 n + session_id,
 *	u16 n + type, u16 n + command_id, u32 n + the event's JSON
 * (ipc_evb_next() reads them, checking every length).
 */
struct ipc_ev_batch {
	uint64_t	 last_seq;
	uint32_t	 count;
	struct ipc_bytes entries;
};

struct ipc_evb_entry {
	uint64_t	 seq;
	uint64_t	 ts_ns;
	uint8_t		 decision;
	char		 session_id[IPC_ID_MAX + 1];
	char		 type[IPC_EV_TYPE_MAX + 1];
	char		 command_id[IPC_ID_MAX + 1];
	const char	*json;		/* into the message, not terminated */
	size_t		 jsonlen;
};

#define IPC_EVB_FLUSH		 (64 * 1024)	/* send a batch at this size */
#define IPC_EVB_JSON_MAX	 (96 * 1024)	/* bigger events are reduced */

/* Every source expected for a command has drained: events are complete. */
struct ipc_ev_barrier {
	const char	*session_id;
	const char	*command_id;
	uint32_t	 complete;	/* 0: given up waiting for some source */
};

/* agentshd stored every record up to seq. */
struct ipc_ev_ack {
	uint64_t	 seq;
};

/* The monitor's first message to the audit writer. */
#define IPC_W_F_INTEGRITY	 0x01
#define IPC_W_F_HEAD_LOG	 0x02	/* chain head to the log every few s */
#define IPC_W_F_ALL		 0x03

struct ipc_w_conf {
	const char	*log_name;	/* in the directory on fd 6 */
	uint64_t	 max_size;
	uint32_t	 max_backups;
	uint32_t	 algorithm;	/* enum audit_alg */
	uint32_t	 flags;		/* IPC_W_F_* */
};

struct ipc_w_ready {
	uint32_t	 resumed;
	uint32_t	 new_chain;
	const char	*reason;
	int64_t		 head_seq;
	const char	*head_hash;
};

/* A new source channel for the writer (the descriptor). */
struct ipc_w_source {
	uint32_t	 source;	/* enum ipc_ev_source */
	const char	*name;
};

/* The sources that will drain for a command (bit per ipc_ev_source). */
struct ipc_w_expect {
	const char	*session_id;
	const char	*command_id;
	uint32_t	 sources;
};

/* The writer has every event of its monitor channel up to src_seq. */
struct ipc_w_ack {
	uint64_t	 src_seq;
};

/* A source broke the event protocol: the monitor stops it. */
struct ipc_w_offender {
	uint32_t	 source;
	const char	*reason;
};

/* ipc_msg.c: batch entries */
int	 ipc_evb_add(uint8_t *buf, size_t cap, size_t *len,
	    const struct ipc_evb_entry *);
/* 1 with *e filled and *off advanced, 0 at the end, -1 if malformed. */
int	 ipc_evb_next(const struct ipc_bytes *, size_t *off,
	    struct ipc_evb_entry *);

#endif /* AGENTSH_IPC_MSG_H */
