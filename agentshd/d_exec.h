/*
 * A command agentshd runs for a client, from its precheck to its answer.
 */
#ifndef AGENTSHD_D_EXEC_H
#define AGENTSHD_D_EXEC_H

#include <sys/queue.h>

#include <stdint.h>

#include <jansson.h>

#include "ipc_msg.h"
#include "policy.h"

#define EXEC_OUTPUT_MAX		 (1024 * 1024)	/* per stream, in answers */
#define EXEC_EVENTS_MAX		 500		/* per list, in answers */
#define EXEC_BARRIER_WAIT_MS	 2000

struct http_req;

struct exec_out {
	int		 fd;
	struct event	*ev;
	uint8_t		*buf;		/* the first EXEC_OUTPUT_MAX bytes */
	size_t		 len;
	uint64_t	 total;		/* everything */
	int		 cut;		/* more than the store keeps */
	int		 done;
};

struct exec_in {
	int		 fd;
	struct event	*ev;
	char		*data;
	size_t		 len;
	size_t		 off;
};

struct d_exec {
	TAILQ_ENTRY(d_exec)	 entry;
	struct http_req		*req;		/* NULL once the client left */
	int			 stream;	/* answer as server-sent events */
	int			 b64;		/* output_encoding base64 */
	int			 streaming;	/* the event stream has begun */
	uint32_t		 token;
	char			 sid[IPC_ID_MAX + 1];
	char			 cid[IPC_ID_MAX + 1];
	uint64_t		 started_ns;
	json_t			*request;	/* what the client asked */
	const char		*include;	/* all|summary|blocked|none */
	char			*command;	/* what is run (after redirect) */
	uint64_t		 timeout_ms;	/* 0: none */
	char			*env_error;	/* the environment broke a limit */
	struct pol_result	 pre;		/* the precheck */
	char			*rule;		/* pre.rule: a copy, the policy
						 * may go before the answer */
	int			 ran;		/* sent to the monitor */
	/* the outcome */
	int			 have_result;
	uint32_t		 status;	/* the monitor's HTTP status */
	int32_t			 exit_code;
	uint32_t		 flags;		/* IPC_EXEC_F_* of the answer */
	char			*error;
	uint64_t		 duration_ms;
	uint64_t		 cpu_user_ms;
	uint64_t		 cpu_system_ms;
	uint64_t		 maxrss_kb;
	struct exec_out		 out[2];	/* stdout, stderr */
	struct exec_in		 in;
	/* its events */
	int			 barrier;
	struct event		*ev_wait;
	json_t			*evs[4];	/* file, network, blocked, other */
	int			 nevs[4];
	int			 evs_dropped;
};
TAILQ_HEAD(d_exec_list, d_exec);

/* d_exec.c */
void	 d_exec_start(struct d_exec *);
void	 d_exec_output(uint32_t token, const struct ipc_exec_output *, int fd);
void	 d_exec_result(uint32_t token, const struct ipc_exec_r *);
void	 d_exec_abort(struct http_req *);
void	 d_exec_event(const char *sid, const char *cid, const char *type,
	    int decision, const char *json, size_t len);
void	 d_exec_barrier(const char *sid, const char *cid);
struct d_exec *d_exec_new(struct http_req *, const char *sid, int stream);
void	 d_exec_free(struct d_exec *);

/* d_exec_resp.c */
json_t	*d_exec_response(const struct d_exec *, int *http_status);
json_t	*d_exec_bytes(const uint8_t *, size_t, int b64);

#endif /* AGENTSHD_D_EXEC_H */
