/*
 * Regress only: an event source the monitor starts when
 * AGENTSH_REGRESS_EVENT_SOURCE names this program; fd 3 is its channel to
 * the audit writer.  It polls $AGENTSH_REGRESS_EVENT_CTL for a request
 * "SESSION COUNT COMMAND", removes it, sends COUNT file_open events for
 * that session and command, then drained(command), and writes COUNT and
 * the elapsed seconds to CTL.done.  Sending waits when the writer does:
 * that is the back-pressure under test.
 */
#include "compat.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ipc.h"
#include "ipc_msg.h"

static int
run(struct ipc_chan *ch, const char *sid, long count, const char *cid)
{
	struct ipc_event	 ev;
	struct ipc_drained	 dr = { sid, cid };
	char			 path[64], field[64];
	const char		*argv[] = { "cat", path, NULL };
	const char		*fields[] = { field };
	uint8_t			*buf;
	size_t			 len;

	for (long i = 0; i < count; i++) {
		memset(&ev, 0, sizeof(ev));
		ev.ts_ns = ipc_now_ns();
		ev.src_seq = (uint64_t)i + 1;
		ev.source = IPC_SRC_REGRESS;
		ev.type = "file_open";
		ev.session_id = sid;
		ev.command_id = cid;
		ev.pid = 4242;
		ev.ppid = 1;
		ev.depth = 1;
		ev.decision = IPC_DEC_ALLOW;
		ev.effective = IPC_DEC_ALLOW;
		ev.rule = "allow-workspace";
		ev.message = "";
		(void)snprintf(path, sizeof(path), "/workspace/file-%ld", i);
		ev.path = path;
		ev.operation = "read";
		ev.domain = ev.remote = ev.filename = "";
		ev.unwrapped_from = ev.payload_command = "";
		ev.argv.n = 2;
		ev.argv.v = argv;
		(void)snprintf(field, sizeof(field), "i:n=%ld", i);
		ev.fields.n = 1;
		ev.fields.v = fields;
		if (ipc_encode(IPC_EVENT, &ev, &buf, &len) == -1)
			return -1;
		if (ipc_send_sync(ch, IPC_EVENT, 0, -1, buf, len, -1) == -1) {
			free(buf);
			return -1;
		}
		free(buf);
	}
	if (ipc_encode(IPC_DRAINED, &dr, &buf, &len) == -1)
		return -1;
	if (ipc_send_sync(ch, IPC_DRAINED, 0, -1, buf, len, -1) == -1)
		return -1;
	free(buf);
	return 0;
}

int
main(void)
{
	const char	*ctl = getenv("AGENTSH_REGRESS_EVENT_CTL");
	struct ipc_chan	 ch;
	char		 sid[IPC_ID_MAX + 1], cid[IPC_ID_MAX + 1], done[4096];
	long		 count;
	FILE		*f;

	if (ctl == NULL || ipc_chan_init(&ch, 3, 0) == -1) {
		fprintf(stderr, "event-source: not started by the monitor\n");
		return 1;
	}
	for (;;) {
		uint64_t	 t0;

		if ((f = fopen(ctl, "r")) == NULL) {
			struct pollfd	 p = { 3, POLLRDHUP, 0 };

			/* The writer went away: so does its source. */
			if (poll(&p, 1, 50) == 1 && (p.revents &
			    (POLLRDHUP | POLLHUP)))
				return 0;
			continue;
		}
		if (fscanf(f, "%128s %ld %128s", sid, &count, cid) != 3) {
			fclose(f);
			usleep(50000);
			continue;
		}
		fclose(f);
		(void)unlink(ctl);
		t0 = ipc_now_ns();
		if (run(&ch, sid, count, cid) == -1) {
			perror("event-source: send");
			return 1;
		}
		(void)snprintf(done, sizeof(done), "%s.done", ctl);
		if ((f = fopen(done, "w")) != NULL) {
			fprintf(f, "%ld %.3f\n", count,
			    (double)(ipc_now_ns() - t0) / 1e9);
			fclose(f);
		}
	}
}
