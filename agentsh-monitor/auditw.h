/*
 * The audit writer: a role of agentsh-monitor (-A), started by the monitor
 * as privsep.audit_user, non-dumpable and jailed.  It is the event hub:
 * every source sends its events to it on its own channel; it checks them,
 * assigns the sequence, appends them to the HMAC-chained log, forwards
 * them to agentshd and tells agentshd when every source has drained a
 * command.  It holds the key (read from fd 5) and the log directory
 * (fd 6); it takes no network input.
 *
 * Descriptors: 3 the monitor's channel (the monitor's own events, and
 * new source channels by fd passing), 4 log records, 5 the key (read and
 * closed at start), 6 the log directory.
 */
#ifndef AGENTSH_AUDITW_H
#define AGENTSH_AUDITW_H

#define AUDITW_KEY_FD		 5
#define AUDITW_DIR_FD		 6

/* Records forwarded to agentshd and not yet acknowledged: past this the
 * writer stops reading its sources (they wait; nothing is dropped). */
#define AUDITW_UNACKED_MAX	 (64u * 1024 * 1024)
#define AUDITW_HEAD_LOG_S	 5

/* auditw.c */
__attribute__((noreturn)) void auditw_main(int verbose);

/* auditw_sandbox.c */
void	 auditw_sandbox_enter(void);

#endif /* AGENTSH_AUDITW_H */
