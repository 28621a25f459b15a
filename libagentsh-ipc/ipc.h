/*
 * libagentsh-ipc: framed messages between agentsh's processes.
 *
 * One message is one SOCK_SEQPACKET record: a fixed header, a payload of
 * at most IPC_MAX_PAYLOAD bytes and at most one descriptor.  A channel
 * only accepts descriptors when it was opened with IPC_CHAN_FDPASS, and
 * only on message types the catalogue (ipc_msg.h) says carry one.
 */
#ifndef AGENTSH_IPC_H
#define AGENTSH_IPC_H

#include <sys/queue.h>
#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

struct event_base;
struct event;

struct ipc_hdr {
	uint32_t	 type;
	uint32_t	 len;		/* header + payload */
	uint32_t	 peerid;	/* request id, echoed in the answer */
	uint32_t	 pid;		/* sender's pid, informational only */
};

#define IPC_HDR_SIZE	 sizeof(struct ipc_hdr)
#define IPC_MAX_MSG	 (128 * 1024)
#define IPC_MAX_PAYLOAD	 (IPC_MAX_MSG - IPC_HDR_SIZE)
/* Never let fd passing run the process out of descriptors. */
#define IPC_FD_RESERVE	 8

struct ipc_msg {
	struct ipc_hdr	 hdr;
	int		 fd;		/* -1 if none; owned by the message */
	uint8_t		*data;		/* payload, NUL-guarded: data[len] == 0 */
	size_t		 datalen;
};

struct ipc_obuf {
	TAILQ_ENTRY(ipc_obuf) entry;
	int		 fd;		/* closed once sent */
	size_t		 len;
	uint8_t		 buf[];		/* header + payload */
};
TAILQ_HEAD(ipc_obufq, ipc_obuf);

#define IPC_CHAN_FDPASS	 0x01		/* descriptors may arrive/leave */

struct ipc_chan;
typedef void	 (*ipc_msg_cb)(struct ipc_chan *, struct ipc_msg *, void *);
/* err == 0: the peer closed; else an errno (EBADMSG, EPROTO, ...). */
typedef void	 (*ipc_err_cb)(struct ipc_chan *, int err, const char *why,
		    void *);

struct ipc_chan {
	int		 fd;
	unsigned int	 flags;
	uint32_t	 pid;
	struct ipc_obufq outq;
	size_t		 outq_bytes;
	size_t		 outq_max;	/* 0: unbounded */
	char		 why[128];	/* reason for the last read error */

	/* libevent integration (ipc_event.c) */
	struct event	*ev_read;
	struct event	*ev_write;
	ipc_msg_cb	 msg_cb;
	ipc_err_cb	 err_cb;
	void		*cb_arg;
	int		 dead;
	int		*alive;		/* set while a read callback runs */
	uint8_t		*rbuf;		/* IPC_MAX_MSG, allocated on first read */
};

/* ipc.c */
int	 ipc_socketpair(int fds[2]);
int	 ipc_chan_init(struct ipc_chan *, int fd, unsigned int flags);
void	 ipc_chan_clear(struct ipc_chan *);
int	 ipc_compose(struct ipc_chan *, uint32_t type, uint32_t peerid, int fd,
	    const void *data, size_t len);
int	 ipc_flush(struct ipc_chan *);
int	 ipc_read(struct ipc_chan *, struct ipc_msg *);
void	 ipc_msg_clear(struct ipc_msg *);
int	 ipc_msg_take_fd(struct ipc_msg *);
int	 ipc_send_sync(struct ipc_chan *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t len, int timeout_ms);
int	 ipc_recv_sync(struct ipc_chan *, struct ipc_msg *, int timeout_ms);
int	 ipc_fd_headroom(void);
uint64_t ipc_now_ns(void);		/* CLOCK_REALTIME, nanoseconds */

/* ipc_event.c */
int	 ipc_ev_attach(struct ipc_chan *, struct event_base *, ipc_msg_cb,
	    ipc_err_cb, void *);
void	 ipc_ev_detach(struct ipc_chan *);
int	 ipc_ev_send(struct ipc_chan *, uint32_t type, uint32_t peerid,
	    int fd, const void *data, size_t len);
int	 ipc_send(struct ipc_chan *, uint32_t type, uint32_t peerid, int fd,
	    const void *st);

/* ipc_spawn.c: fork + exec a helper with fd 3 = IPC, fd 4 = log */
struct ipc_spawn {
	const char	 *path;
	char *const	 *argv;
	char *const	 *envp;
	int		  ipc_fd;	/* becomes 3, -1: /dev/null */
	int		  log_fd;	/* becomes 4, -1: /dev/null */
	const int	 *extra_fds;	/* become 5, 6, ... */
	int		  nextra;
	int		  keep_stderr;	/* else stderr is /dev/null */
	/* 0: fork(2).  Else clone3(2) with these flags (CLONE_NEW*, and
	 * CLONE_INTO_CGROUP with cgroup_fd, a cgroup2 directory). */
	uint64_t	  clone_flags;
	int		  cgroup_fd;
	/* Runs in the child after the descriptors are in place, before
	 * exec; returns -1 with errno to abort the exec. */
	int		(*child_setup)(void *);
	void		 *setup_arg;
};
pid_t	 ipc_spawn(const struct ipc_spawn *);
int	 ipc_find_binary(const char *name, const char *installed_dir,
	    char *buf, size_t len);

#endif /* AGENTSH_IPC_H */
