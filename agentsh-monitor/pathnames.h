/*
 * Runtime paths of the suite.  They are part of the contract (CONTRACT.md
 * sections 1, 2 and 4), not of the build prefix.
 */
#ifndef AGENTSH_MONITOR_PATHNAMES_H
#define AGENTSH_MONITOR_PATHNAMES_H

#define _PATH_AGENTSH_CONFIG		"/etc/agentsh/config.yaml"
#define _PATH_AGENTSH_SOCKET		"/run/agentsh/agentsh.sock"
#define _PATH_AGENTSH_POLICIES		"/etc/agentsh/policies"
#define _PATH_AGENTSH_SESSIONS		"/var/lib/agentsh/sessions"
#define _PATH_AGENTSH_AUDIT_KEY		"/var/lib/agentsh/audit.key"
#define _PATH_AGENTSH_AUDIT_LOG		"/var/log/agentsh/audit.jsonl"

#endif /* AGENTSH_MONITOR_PATHNAMES_H */
