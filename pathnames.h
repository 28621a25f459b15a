/*
 * Every fixed path the suite uses, in one place.  The runtime paths are the
 * contract's (CONTRACT.md); only where the binaries live depends on how the
 * tree was configured.
 */
#ifndef AGENTSH_PATHNAMES_H
#define AGENTSH_PATHNAMES_H

#define _PATH_AGENTSH_CONFDIR	"/etc/agentsh"
#define _PATH_AGENTSH_CONF	"/etc/agentsh/config.yaml"
#define _PATH_AGENTSH_POLICIES	"/etc/agentsh/policies"
#define _PATH_AGENTSH_KEYS	"/etc/agentsh/api_keys.yaml"
#define _PATH_AGENTSH_RUNDIR	"/run/agentsh"
#define _PATH_AGENTSH_SOCK	"/run/agentsh/agentsh.sock"
#define _PATH_AGENTSH_USER_SOCK	"agentsh.sock"	/* in $XDG_RUNTIME_DIR */
#define _PATH_AGENTSH_DATADIR	"/var/lib/agentsh"
#define _PATH_AGENTSH_SESSIONS	"/var/lib/agentsh/sessions"
#define _PATH_AGENTSH_AUDITKEY	"/var/lib/agentsh/audit.key"
#define _PATH_AGENTSH_LOGDIR	"/var/log/agentsh"
#define _PATH_AGENTSH_AUDITLOG	"/var/log/agentsh/audit.jsonl"
#define _PATH_DEVNULL		"/dev/null"
#define _PATH_USERADD		"/usr/sbin/useradd"
#define _PATH_PROC		"/proc"

/*
 * Inside every session: a file at the top of the session's read-only root,
 * made by the session init as host root before any command runs, holding
 * the session id and a newline.  Its presence tells 'agentsh exec' that
 * it already runs inside a session (a process can neither create nor
 * change it there).  Inside a root owner's session (a user namespace)
 * its owner shows as the overflow uid.
 */
#define _PATH_AGENTSH_SESSION_MARKER "/.agentsh-session"

/* Binaries: looked for beside the running one first (a staged test tree
 * keeps them together), then where 'make install' put them. */
#define AGENTSH_MONITOR_NAME	"agentsh-monitor"
#define AGENTSHD_NAME		"agentshd"
#define AGENTSH_UNIXWRAP_NAME	"agentsh-unixwrap"

#endif /* AGENTSH_PATHNAMES_H */
