/*
 * agentshd: the front daemon.  It runs as the privsep user with no
 * capabilities inside a seccomp jail, parses every byte clients send, and
 * asks the monitor for anything that needs privilege or identity.
 */
#ifndef AGENTSHD_H
#define AGENTSHD_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stdint.h>

#include <event2/event.h>
#include <jansson.h>

#include "ipc.h"
#include "ipc_msg.h"

struct http_req;
struct pol;
struct http_server;
struct store;

enum d_key_state {
	D_KEY_NONE = 0,		/* none presented yet */
	D_KEY_PENDING,		/* asked the monitor */
	D_KEY_BOUND,
	D_KEY_REFUSED,
};

/* A request parked until the monitor answered something about it. */
struct d_parked {
	TAILQ_ENTRY(d_parked)	 entry;
	struct http_req		*req;
};
TAILQ_HEAD(d_parked_list, d_parked);

/* A client connection and the identity the monitor read for it. */
struct d_conn {
	TAILQ_ENTRY(d_conn)	 entry;
	uint64_t		 id;
	enum ipc_conn_kind	 kind;
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	enum ipc_role		 role;
	char			 key_id[IPC_NAME_MAX + 1];
	char			 peer[IPC_NAME_MAX + 1];
	enum d_key_state	 key_state;
	char			*key;		/* the key bound, to compare */
	struct d_parked_list	 waiting;	/* for the key verdict */
};
TAILQ_HEAD(d_conn_list, d_conn);

/* agentshd's copy of a session record (queries only). */
struct d_session {
	TAILQ_ENTRY(d_session)	 entry;
	char			*id;
	uid_t			 owner_uid;
	char			*owner_key;
	char			*workspace;
	char			*mount_path;
	char			*policy;
	char			*cwd;
	uint64_t		 created_ns;
	uint64_t		 updated_ns;
	enum ipc_sess_state	 state;
	uint32_t		 flags;
	char			*state_reason;
	char			**enforcement;
	size_t			 nenforcement;
	char			**env;		/* exec defaults (PATCH) */
	size_t			 nenv;
	struct pol		*pol;		/* its compiled policy, or NULL */
};
TAILQ_HEAD(d_session_list, d_session);

/* A request waiting for the monitor's answer, matched by peerid. */
struct d_pending {
	TAILQ_ENTRY(d_pending)	 entry;
	uint32_t		 token;
	uint32_t		 answer;	/* expected message type */
	struct http_req		*req;
};
TAILQ_HEAD(d_pending_list, d_pending);

struct agentshd {
	struct event_base	*base;
	struct ipc_chan		 mon;
	struct http_server	*http;
	struct store		*store;
	uint32_t		 auth_type;
	char			*key_header;
	uint32_t		 shellc_opaque;	/* enum pol_opaque */
	char			**env_inject;	/* "NAME=value" */
	size_t			 nenv_inject;
	int			 synced;	/* the monitor sent its record */
	uint32_t		 next_token;
	struct d_conn_list	 conns;
	struct d_session_list	 sessions;
	struct d_pending_list	 pending;
	struct event		*ev_term;
};

extern struct agentshd	*d;

/* agentshd.c */
uint32_t d_request_monitor(struct http_req *, uint32_t type, uint32_t answer,
	    const void *st);
struct http_req *d_pending_req(uint32_t token, uint32_t answer);

/* d_conn.c */
struct d_conn	*d_conn_find(uint64_t);
void	 d_conn_new(const struct ipc_conn_new *, int fd);
void	 d_conn_gone(uint64_t);
void	 d_conn_key_answer(const struct ipc_auth_key_r *);
int	 d_conn_authorize(struct http_req *);
void	 d_conn_forget_req(struct http_req *);

/* d_sessions.c */
void	 d_session_info(const struct ipc_sess_info *);
void	 d_session_gone(const char *);
struct d_session *d_session_find(const char *);
int	 d_session_visible(const struct d_conn *, const struct d_session *);
json_t	*d_session_json(const struct d_session *);
void	 d_sessions_free(void);
void	 d_session_policy(const char *id, int fd);

/* api_policy.c */
void	 api_policy_test(struct http_req *);

/* d_events.c */
void	 d_events_attach(int fd);
void	 d_events_commit(void);
void	 d_event_emit(struct ipc_event *);
void	 d_event_emit_as(struct ipc_event *, enum ipc_ev_source);
void	 d_event_send(uint32_t type, const void *st);
void	 d_events_subscribe(struct http_req *, const char *sid);
int	 d_events_forget(struct http_req *);
void	 d_events_drop_sub(struct http_req *, const char *why);

/* api_events.c */
void	 api_events(struct http_req *, const char *sid, const char *what);
void	 api_events_search(struct http_req *);

/* api.c */
void	 api_dispatch(struct http_req *);
void	 api_answer(struct http_req *, uint32_t type, const void *st);
void	 api_reply_json(struct http_req *, int status, json_t *);
char	*api_time_rfc3339(uint64_t ns, char *buf, size_t len);
json_t	*api_body_object(struct http_req *, const char *const *allowed);
const char *api_body_string(struct http_req *, json_t *, const char *key,
	    int *bad);

/* api_exec.c */
int	 api_exec_route(struct http_req *, const char *path);
void	 api_kill_answer(struct http_req *, const struct ipc_sess_r *);

/* store.c */
struct store_event {
	uint64_t	 ts;
	uint64_t	 seq;
	const char	*sid;		/* not NUL-terminated: sidlen */
	size_t		 sidlen;
	uint8_t		 decision;	/* enum ipc_decision */
	const char	*type;
	size_t		 typelen;
	const char	*cmd;
	size_t		 cmdlen;
	const char	*json;
	size_t		 jsonlen;
	uid_t		 owner_uid;	/* searches across sessions only */
	const char	*owner_key;	/* NULL: owner unknown */
};
typedef int	(*store_walk_fn)(const struct store_event *, void *);

struct store	*store_open(const char *dir, char *err, size_t errlen);
void	 store_close(struct store *);
int	 store_put_session(struct store *, const char *id, const char *json);
int	 store_del_session(struct store *, const char *id);
int	 store_owner_put(struct store *, const char *sid, uid_t,
	    const char *key_id);
int	 store_event_put(struct store *, const char *sid, uint64_t ts,
	    uint64_t seq, const char *type, const char *cmd, uint8_t decision,
	    const void *json, size_t jlen);
size_t	 store_events_pending(const struct store *);
int	 store_events_commit(struct store *);
int	 store_events_walk(struct store *, const char *sid, uint64_t since,
	    uint64_t until, int desc, store_walk_fn, void *);
struct audit_buf;
#define STORE_OUTPUT_CUT	 UINT64_MAX	/* the offset of the length marker */
#define STORE_OUTPUT_KEEP	 (64ULL << 20)	/* per stream of a command */
#define STORE_OUTPUT_COMMIT	 (8U << 20)	/* batch output before a commit */
int	 store_output_put(struct store *, const char *sid, const char *cid,
	    int stream, uint64_t off, const void *, size_t);
int	 store_output_read(struct store *, const char *sid, const char *cid,
	    int stream, uint64_t off, size_t max, struct audit_buf *,
	    uint64_t *total, uint64_t *kept);
size_t	 store_output_pending(const struct store *);
int	 store_output_del(struct store *, const char *sid);

/* sandbox.c */
void	 agentshd_sandbox_enter(void);

#endif /* AGENTSHD_H */
