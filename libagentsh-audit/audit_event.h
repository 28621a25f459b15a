/*
 * Events as the audit writer and agentshd see them: which source may emit
 * which event type, the strict check of an event from a source, and its
 * JSON (CONTRACT.md section 5), rendered with Go's string escaping.
 */
#ifndef AGENTSH_AUDIT_EVENT_H
#define AGENTSH_AUDIT_EVENT_H

#include <stddef.h>
#include <stdint.h>

#include "audit_json.h"
#include "ipc_msg.h"

const char	*audit_source_name(enum ipc_ev_source);
const char	*audit_decision_name(enum ipc_decision);
int		 audit_decision_parse(const char *, enum ipc_decision *);
/* The category of a type for `session logs --type`: "file", "net",
 * "exec", "llm", or "other". */
const char	*audit_event_category(const char *type);
int		 audit_event_type_known(const char *type);
/* An event of 'type' with every member absent ("" or -1). */
void		 audit_event_init(struct ipc_event *, const char *type);

/*
 * Checks an event that arrived on a channel of source 'chan': it must
 * claim that source, be of a type that source may emit, and be well
 * formed.  -1 with a reason in why.
 */
int	 audit_event_check(const struct ipc_event *, enum ipc_ev_source chan,
	    char *why, size_t whylen);

/*
 * The event's JSON: id, timestamp, type, session_id, command_id, source,
 * pid, parent_pid, depth, policy{...}, path, operation, domain, remote,
 * filename, argv, unwrapped_from, payload_command, fields{...}; absent
 * members are left out (session_id and timestamp are always there).
 */
int	 audit_event_json(struct audit_buf *, const char *id,
	    const struct ipc_event *);

#endif /* AGENTSH_AUDIT_EVENT_H */
