/*
 * agentsh-monitor: the privileged parent.  It owns the listening sockets
 * and the identity of every client, keeps the authoritative record of
 * sessions, starts the helpers and answers each one from a permission
 * table.  It parses no bytes a client sends.
 */
#ifndef AGENTSH_MONITOR_H
#define AGENTSH_MONITOR_H

#include <sys/queue.h>
#include <sys/types.h>

#include <limits.h>
#include <stdint.h>
#include <time.h>

#include <event2/event.h>

#include "ipc.h"
#include "ipc_log.h"
#include "ipc_msg.h"
#include "config.h"

struct mon_peer;
struct mon_space;
struct keys;

/* A client connection handed to agentshd; the monitor keeps a duplicate
 * to notice the hang-up, so the identity dies with the connection. */
struct mon_conn {
	TAILQ_ENTRY(mon_conn)	 entry;
	uint64_t		 id;
	int			 fd;		/* our duplicate */
	struct event		*ev_hup;
	enum ipc_conn_kind	 kind;
	uid_t			 uid;
	gid_t			 gid;
	pid_t			 pid;
	enum ipc_role		 role;
	char			 key_id[IPC_NAME_MAX + 1];
	char			 peer[IPC_NAME_MAX + 1];
};
TAILQ_HEAD(mon_conn_list, mon_conn);

/* Permission table entry (OpenSSH monitor.c): a message a peer may send
 * in a phase, and the handler that answers it. */
#define MON_PERMIT	 0x01
#define MON_ONCE	 0x02

struct mon_dispatch {
	uint32_t	 type;
	int		 flags;
	void		(*fn)(struct mon_peer *, struct ipc_msg *, void *st);
};

enum mon_peer_kind {
	MON_PEER_AGENTSHD = 0,
	MON_PEER_AUDITW,
	MON_PEER_INIT,		/* a session's init (mon_space.c) */
};

/* A helper process the monitor started and talks to. */
struct mon_peer {
	enum mon_peer_kind	 kind;
	const char		*name;
	pid_t			 pid;
	int			 running;
	struct ipc_chan		 chan;
	int			 logfd;
	struct event		*ev_log;
	struct log_reader	 logr;
	int			 phase;
	int			 ready;		/* past its start phase */
	const struct mon_dispatch *const *table;	/* per phase */
	int			 nphases;
	uint32_t		 used_once[8];		/* MON_ONCE seen */
	/* restart with backoff */
	int			 backoff_s;
	time_t			 started;
	struct event		*ev_restart;
	int			 (*start)(struct mon_peer *);
	/* set: called when it is reaped, instead of a restart */
	void			 (*on_exit)(struct mon_peer *, int status);
};

struct mon_session {
	TAILQ_ENTRY(mon_session) entry;
	char			 id[IPC_ID_MAX + 1];
	uid_t			 owner_uid;
	gid_t			 owner_gid;
	char			 owner_key[IPC_NAME_MAX + 1];
	char			*workspace;
	char			*mount_path;
	char			*policy;
	char			*cwd;		/* exec default (PATCH) */
	char			**env;		/* "K=V", NULL-terminated */
	size_t			 nenv;
	uint64_t		 created_ns;
	uint64_t		 updated_ns;
	enum ipc_sess_state	 state;
	uint32_t		 flags;
	char			*state_reason;
	uint8_t			*pol_blob;	/* the compiled policy */
	size_t			 pol_len;
	struct mon_space	*space;		/* its running init, or NULL */
};
TAILQ_HEAD(mon_session_list, mon_session);

struct monitor {
	struct mon_config	 conf;
	struct event_base	*base;
	int			 foreground;
	int			 verbose;
	char			 helper_dir[PATH_MAX];

	uid_t			 d_uid;		/* privsep user */
	gid_t			 d_gid;
	uid_t			 audit_uid;	/* privsep audit user */
	gid_t			 audit_gid;
	uid_t			 run_as_uid;	/* anonymous TCP clients */
	gid_t			 run_as_gid;

	char			 data_dir[PATH_MAX];
	char			 cg_mount[PATH_MAX];	/* a cgroup2 mount */
	char			 cg_base[PATH_MAX];	/* our subtree in it */
	char			 cg_base_rel[PATH_MAX];	/* as /proc shows it */

	int			 unix_fd;
	int			 tcp_fd;
	struct event		*ev_unix;
	struct event		*ev_tcp;

	uint64_t		 next_connid;
	struct mon_conn_list	 conns;
	int			 nconns;
	struct mon_session_list	 sessions;
	int			 nsessions;

	struct mon_peer		 agentshd;
	struct mon_peer		 auditw;
	int			 audit_dirfd;	/* the log directory */
	unsigned char		*audit_key;	/* NULL: integrity off */
	size_t			 audit_keylen;
	pid_t			 linked_d;	/* agentshd and writer pids */
	pid_t			 linked_w;	/* last joined by a channel */
	struct keys		*keys;		/* auth.api_key.keys_file */

	struct event		*ev_sigchld;
	struct event		*ev_sigterm;
	struct event		*ev_sigint;
	struct event		*ev_sighup;
	int			 stopping;
};

extern struct monitor	*mon;

/* monitor.c */
void		 mon_uuid(char *, size_t, const char *prefix);

/* mon_peer.c */
void	 mon_peer_init(struct mon_peer *, enum mon_peer_kind, const char *,
	    int (*)(struct mon_peer *));
int	 mon_peer_spawn(struct mon_peer *, const char *path, char *const *argv,
	    uid_t, gid_t, const char *cgroup, unsigned int chanflags,
	    const int *extra_fds, int nextra);
int	 mon_peer_spawn_sp(struct mon_peer *, struct ipc_spawn *,
	    unsigned int chanflags);
void	 mon_peer_dispatch(struct mon_peer *, struct ipc_msg *);
const char *mon_peer_signame(int);
void	 mon_peer_kill(struct mon_peer *, const char *why);
void	 mon_peer_reaped(struct mon_peer *, int status);
void	 mon_peer_stop(struct mon_peer *);
int	 mon_peer_send(struct mon_peer *, uint32_t type, uint32_t peerid,
	    int fd, const void *st);

/* mon_agentshd.c */
int	 mon_agentshd_start(struct mon_peer *);
void	 mon_agentshd_ready(void);
void	 mon_agentshd_session_info(const struct mon_session *);
void	 mon_agentshd_session_gone(const char *);

/* mon_audit.c */
int	 mon_audit_setup(void);
int	 mon_audit_start(struct mon_peer *);
void	 mon_audit_link(void);
void	 mon_audit_free(void);
void	 mon_event_emit(struct ipc_event *);
void	 mon_event_drained(const char *sid, const char *cid);
void	 mon_event_session(const char *type, const struct mon_session *,
	    const char *const *fields, size_t nfields);

/* mon_listen.c */
int	 mon_listen_open(void);
void	 mon_listen_close(void);
void	 mon_listen_enable(int);
struct mon_conn	*mon_conn_find(uint64_t);
int	 mon_conn_alive(struct mon_conn *);
void	 mon_conn_drop(struct mon_conn *, int tell_agentshd);
void	 mon_conn_drop_all(void);

/* mon_sessions.c */
struct mon_session *mon_session_find(const char *);
int	 mon_session_visible(const struct mon_conn *,
	    const struct mon_session *);
int	 mon_sessions_load(void);
void	 mon_sessions_sync(void);
void	 mon_sessions_free(void);
int	 mon_session_create(struct mon_conn *, const struct ipc_sess_create *,
	    char *id, size_t idlen, char *err, size_t errlen);
int	 mon_session_destroy(struct mon_conn *, const char *id, char *err,
	    size_t errlen);
int	 mon_session_update(struct mon_conn *, const struct ipc_sess_update *,
	    char *err, size_t errlen);
void	 mon_session_set_broken(struct mon_session *, const char *why);

/* mon_policy.c */
int	 mon_policy_compile(struct mon_session *, char *err, size_t errlen);
void	 mon_policy_send(const struct mon_session *);

/* mon_users.c */
int	 mon_users_ensure(void);
gid_t	*mon_users_groups(uid_t, gid_t, size_t *);
int	 mon_users_become(uid_t, gid_t);

/* mon_cgroup.c */
int	 mon_cgroup_setup(void);
int	 mon_cgroup_helpers_dir(char *, size_t);
int	 mon_cgroup_of_pid_in_sessions(pid_t);
int	 mon_file_write(const char *dir, const char *file, const char *val);

#endif /* AGENTSH_MONITOR_H */
