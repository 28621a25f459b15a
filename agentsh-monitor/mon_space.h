/*
 * A session's space while it runs: its init (a peer of the monitor), its
 * cgroups and the commands running in it.  mon_space.c builds and tears
 * it down, mon_exec.c runs commands in it, mon_apiguard.c keeps the
 * sessions subtree away from the API's TCP port.
 */
#ifndef AGENTSH_MON_SPACE_H
#define AGENTSH_MON_SPACE_H

#include <sys/queue.h>

#include <limits.h>
#include <stdint.h>

#include "monitor.h"

/* Layers in force for a space (mon_space_enforcement names them). */
#define MON_LAYER_NAMESPACES	 0x01
#define MON_LAYER_FILTER	 0x02
#define MON_LAYER_LANDLOCK	 0x04

struct mon_space;

/* A command the init runs for agentshd's request 'token'. */
struct mon_cmd {
	TAILQ_ENTRY(mon_cmd)	 entry;
	struct mon_space	*sp;
	uint64_t		 n;		/* cmd-<n>, the init's id */
	char			 id[IPC_ID_MAX + 1];	/* command_id */
	uint32_t		 token;		/* agentshd's peerid */
	uint64_t		 connid;	/* whose request it is */
	uint64_t		 started_ns;
	int			 running;	/* the init said it runs */
	int			 timed_out;
	int			 killed;	/* POST /kill */
	pid_t			 pid;		/* in the session's PID namespace */
	char			 argv0[IPC_NAME_MAX + 1];	/* for events */
	struct event		*ev_timeout;
};
TAILQ_HEAD(mon_cmd_list, mon_cmd);

struct mon_space {
	struct mon_session	*s;
	struct mon_peer		 init;
	char			 name[IPC_ID_MAX + 8];	/* for logs */
	char			 cgdir[PATH_MAX];	/* sessions/<id> */
	uint32_t		 layers;	/* MON_LAYER_* */
	uint32_t		 initflags;	/* IPC_INIT_F_* it was given */
	int			 ready;		/* set-up answered, ok */
	int			 stopping;	/* we end it: not "broken" */
	char			 failure[IPC_ERRMSG_MAX];
	uint64_t		 next_cmd;
	struct mon_cmd_list	 cmds;
};

/* mon_space.c */
struct mon_space *mon_space_of(struct mon_peer *);
int	 mon_space_start(struct mon_session *, char *err, size_t errlen);
void	 mon_space_stop(struct mon_session *, const char *why);
void	 mon_space_stop_all(void);
int	 mon_space_reaped(pid_t, int status);
size_t	 mon_space_enforcement(const struct mon_session *, const char **,
	    size_t);
int	 mon_space_cgroup_kill(const char *dir);
int	 mon_space_cgroup_remove(const char *dir);

/* mon_exec.c */
void	 mon_exec_request(struct mon_conn *, uint32_t token,
	    const struct ipc_exec *);
void	 mon_exec_init_exec_r(struct mon_peer *, struct ipc_msg *, void *);
void	 mon_exec_init_exited(struct mon_peer *, struct ipc_msg *, void *);
void	 mon_exec_abort_all(struct mon_space *, const char *why);
void	 mon_exec_kill(struct mon_conn *, uint32_t token,
	    const struct ipc_exec_kill *);
void	 mon_exec_answer_error(uint32_t token, int status, const char *id,
	    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* mon_apiguard.c */
int	 mon_apiguard_start(void);
void	 mon_apiguard_stop(void);
int	 mon_apiguard_active(void);
int	 mon_apiguard_refresh(void);

#endif /* AGENTSH_MON_SPACE_H */
