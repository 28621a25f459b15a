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

	/* agentshd <-> monitor: running commands in a session */
	IPC_EXEC		= 0x0140,
	IPC_EXEC_R		= 0x0141,
	IPC_EXEC_OUTPUT		= 0x0142,
	IPC_EXEC_KILL		= 0x0144,
	IPC_EXEC_KILL_R		= 0x0145,

	/* monitor <-> session init (agentsh-unixwrap --init) */
	IPC_INIT_SETUP		= 0x0200,
	IPC_INIT_SETUP_R	= 0x0201,
	IPC_INIT_WORKSPACE	= 0x0202,
	IPC_INIT_USERNS		= 0x0204,
	IPC_INIT_FD		= 0x0206,
	IPC_INIT_EXEC		= 0x0208,
	IPC_INIT_EXEC_R		= 0x0209,
	IPC_INIT_EXITED		= 0x020a,

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
	struct ipc_strv	 env;		/* exec defaults, "NAME=value" */
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

/* POST /sessions/{id}/exec: run one command in the session. */
#define IPC_EXEC_ARGS_MAX	 4096
/* Where a bare command name is searched when its environment has no PATH;
 * agentshd's precheck decides the same places the init looks in. */
#define IPC_EXEC_DEFAULT_PATH	 "/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
	"/usr/bin:/sbin:/bin"
/*
 * The places a bare name is looked for, one per call, as the init looks
 * and the precheck decides: *pp walks a PATH value (start it at the value,
 * or IPC_EXEC_DEFAULT_PATH); only absolute entries count.  1 with
 * "dir/name" in buf, 0 at the end.
 */
int	 ipc_exec_path_next(const char **pp, const char *name, char *buf,
	    size_t len);

#define IPC_EXEC_ENV_MAX	 1024
#define IPC_EXEC_F_STDIN	 0x01	/* agentshd writes its stdin */
#define IPC_EXEC_REQ_F_ALL	 0x01

/*
 * A command agentshd prechecked.  agentshd names it (the id its events
 * carry) and gives the environment the policy built; the monitor adds
 * AGENTSH_IN_SESSION and AGENTSH_SESSION_ID itself.
 */
struct ipc_exec {
	uint64_t	 connid;
	const char	*id;		/* the session */
	const char	*command_id;	/* "cmd-" and a UUID */
	const char	*command;
	const char	*argv0;		/* "" = the command */
	struct ipc_strv	 args;
	struct ipc_strv	 env;		/* "NAME=value", the whole of it */
	const char	*cwd;		/* "" = the session's */
	uint64_t	 timeout_ms;	/* 0 = none */
	uint32_t	 flags;		/* IPC_EXEC_F_* */
};

/* POST /kill/{cmd}: the command's whole cgroup is killed. */
struct ipc_exec_kill {
	uint64_t	 connid;
	const char	*id;		/* the session */
	const char	*command_id;
};

/* IPC_EXEC_R flags */
#define IPC_EXEC_F_TIMED_OUT	 0x01	/* killed at its timeout */
#define IPC_EXEC_F_NOT_STARTED	 0x02	/* could not be started: error says why */
#define IPC_EXEC_F_KILLED	 0x04	/* its session went away under it */
#define IPC_EXEC_F_ALL		 0x07

/* The command has ended (or never started: status >= 300, or flags). */
struct ipc_exec_r {
	uint32_t	 status;	/* HTTP status */
	const char	*error;
	const char	*id;		/* the session */
	const char	*command_id;
	int32_t		 exit_code;
	uint32_t	 flags;		/* IPC_EXEC_F_* */
	uint64_t	 duration_ms;
	uint64_t	 cpu_user_ms;
	uint64_t	 cpu_system_ms;
	uint64_t	 maxrss_kb;
};

/* The read end of a command's stdout or stderr (carries the fd); sent
 * with the request's peerid before its IPC_EXEC_R. */
enum ipc_stream {
	IPC_STREAM_STDOUT = 0,
	IPC_STREAM_STDERR,
	IPC_STREAM_STDIN,	/* the write end, for agentshd */
	IPC_STREAM_MAX
};

struct ipc_exec_output {
	const char	*command_id;
	uint32_t	 stream;	/* enum ipc_stream */
};

/*
 * The session init.  The monitor sends IPC_INIT_WORKSPACE (the detached
 * workspace mount), IPC_INIT_USERNS for a root owner, then IPC_INIT_SETUP;
 * the init builds the space and answers IPC_INIT_SETUP_R.  Then, per
 * command, one IPC_INIT_FD per slot and IPC_INIT_EXEC.
 */
#define IPC_INIT_F_USERNS	 0x0001	/* enter the user namespace sent */
/* regress only: leave one layer out (AGENTSH_REGRESS_*) */
#define IPC_INIT_F_NO_FILTER	 0x0002
#define IPC_INIT_F_NO_LANDLOCK	 0x0004
#define IPC_INIT_F_NO_MASKS	 0x0008
#define IPC_INIT_F_NO_MEMFD_NOEXEC 0x0010
#define IPC_INIT_F_HOST_DEV	 0x0020
#define IPC_INIT_F_RW_PROCSYS	 0x0040
#define IPC_INIT_F_RW_CGROUP	 0x0080
#define IPC_INIT_F_ALL		 0x00ff

#define IPC_INIT_GROUPS_MAX	 256
#define IPC_INIT_MASKS_MAX	 64

struct ipc_init_setup {
	const char	*id;		/* the session */
	const char	*mount_path;	/* where the workspace is mounted */
	const char	*cgroup_path;	/* where its cgroup2 is mounted */
	uint32_t	 flags;		/* IPC_INIT_F_* */
	uint32_t	 uid;		/* commands' ids (in the user namespace */
	uint32_t	 gid;		/* with IPC_INIT_F_USERNS) */
	struct ipc_bytes groups;	/* supplementary gids, u32 each */
	struct ipc_strv	 masks;		/* paths covered by an empty tmpfs */
};

struct ipc_init_setup_r {
	uint32_t	 ok;		/* 0 or 1 */
	const char	*error;		/* what failed, if !ok */
	struct ipc_strv	 layers;	/* in force: "filter", "landlock-scope" */
};

/* IPC_INIT_WORKSPACE and IPC_INIT_USERNS have no payload: the descriptor
 * (the detached workspace mount, or the session's user namespace) is all.
 * The monitor's workspace opener, a child with the owner's credentials,
 * hands its O_PATH directory to the monitor with IPC_INIT_WORKSPACE too. */

enum ipc_init_slot {
	IPC_INIT_SLOT_CGROUP = 0,	/* cmd-<n>/cgroup.procs, for writing */
	IPC_INIT_SLOT_STDIN,
	IPC_INIT_SLOT_STDOUT,
	IPC_INIT_SLOT_STDERR,
	IPC_INIT_SLOT_MAX
};

struct ipc_init_fd {
	uint64_t	 cmd;
	uint32_t	 slot;		/* enum ipc_init_slot */
};

struct ipc_init_exec {
	uint64_t	 cmd;
	const char	*path;		/* as given: searched in PATH if no '/' */
	struct ipc_strv	 argv;
	struct ipc_strv	 env;
	const char	*cwd;
};

struct ipc_init_exec_r {
	uint64_t	 cmd;
	int32_t		 pid;		/* in the session's PID namespace */
	int32_t		 error;		/* errno; 0: it runs */
	uint32_t	 stage;		/* what failed: IPC_INIT_STAGE_* */
};
#define IPC_INIT_STAGE_EXEC	0
#define IPC_INIT_STAGE_CWD	1	/* chdir to the working directory */
#define IPC_INIT_STAGE_MAX	2

struct ipc_init_exited {
	uint64_t	 cmd;
	int32_t		 status;	/* as wait(2) returns it */
	uint64_t	 utime_us;
	uint64_t	 stime_us;
	uint64_t	 maxrss_kb;
};

/* ipc_msg.c: batch entries */
int	 ipc_evb_add(uint8_t *buf, size_t cap, size_t *len,
	    const struct ipc_evb_entry *);
/* 1 with *e filled and *off advanced, 0 at the end, -1 if malformed. */
int	 ipc_evb_next(const struct ipc_bytes *, size_t *off,
	    struct ipc_evb_entry *);

#endif /* AGENTSH_IPC_MSG_H */
