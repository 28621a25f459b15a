/*
 * agentsh-unixwrap: the session init (--init) and, later, the supervisor
 * (-S).  The init is pid 1 of a session: the monitor starts it in fresh
 * namespaces, it builds the session's view of the system while it still
 * holds its capabilities, drops every privilege, installs the session
 * filter and then forks each command the monitor asks for.
 */
#ifndef AGENTSH_UNIXWRAP_H
#define AGENTSH_UNIXWRAP_H

#include <sys/types.h>

#include <linux/filter.h>

#include <stddef.h>
#include <stdint.h>

#include "ipc.h"
#include "ipc_msg.h"

/* Layers the init reports as in force (IPC_INIT_SETUP_R.layers). */
#define UW_LAYER_FILTER		 "filter"
#define UW_LAYER_LANDLOCK	 "landlock-scope"

/* What the monitor sent before IPC_INIT_SETUP, and the set-up itself. */
struct uw_setup {
	int			 workspace_fd;	/* detached mount tree */
	int			 userns_fd;	/* -1: none */
	char			*id;
	char			*mount_path;
	char			*cgroup_path;
	uint32_t		 flags;		/* IPC_INIT_F_* */
	uid_t			 uid;
	gid_t			 gid;
	gid_t			*groups;
	size_t			 ngroups;
	char			**masks;
	size_t			 nmasks;
};

/* uw_init.c */
int	 uw_init_main(int verbose);

/* uw_mounts.c: the session's file system view, built under a fresh root
 * and entered with pivot_root(2).  -1 with a message in err. */
int	 uw_mounts_build(const struct uw_setup *, char *err, size_t errlen);
int	 uw_mounts_pivot(char *err, size_t errlen);

/* uw_landlock.c */
int	 uw_landlock_abi(void);
int	 uw_landlock_scope(char *err, size_t errlen);

/* uw_filter.c: the session filter. */
int	 uw_filter_build(struct sock_fprog *, char *err, size_t errlen);
void	 uw_filter_free(struct sock_fprog *);
int	 uw_filter_install(const struct sock_fprog *, char *err,
	    size_t errlen);

/* uw_serve.c: forking commands on the monitor's requests. */
int	 uw_send(struct ipc_chan *, uint32_t type, uint32_t peerid,
	    const void *st);
void	 uw_serve(struct ipc_chan *) __attribute__((noreturn));

#endif /* AGENTSH_UNIXWRAP_H */
