/*
 * Commands in a session (DESIGN.md section 4).  agentshd prechecked the
 * command against the session's policy and built its environment; it asks
 * under a connection id and names the command.  The monitor checks the
 * caller owns the session, builds its space if it is not up (after a
 * restart),
 * makes the command's cgroup cmd-<n> and opens its cgroup.procs for the
 * init, makes the stdout and stderr pipes, gives the write ends to the
 * init and the read ends to agentshd, and answers once the init reports
 * the command's end.  What is left of the command then (background
 * processes holding its output open) is killed with its cgroup.
 *
 * The init is untrusted: it may only answer for commands the monitor gave
 * it, each once, in order (started, then exited); anything else kills it.
 */
#include "compat.h"

#include <sys/stat.h>
#include <sys/wait.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "mon_space.h"
#include "audit_event.h"

#define EXEC_ENV_MAX	 (IPC_EXEC_ENV_MAX + 2)

static void
answer(uint32_t token, struct ipc_exec_r *r)
{
	if (r->error == NULL)
		r->error = "";
	if (r->id == NULL)
		r->id = "";
	if (r->command_id == NULL)
		r->command_id = "";
	(void)mon_peer_send(&mon->agentshd, IPC_EXEC_R, token, -1, r);
}

void
mon_exec_answer_error(uint32_t token, int status, const char *id,
    const char *fmt, ...)
{
	struct ipc_exec_r	 r;
	char			 msg[IPC_ERRMSG_MAX];
	va_list			 ap;

	va_start(ap, fmt);
	(void)vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	memset(&r, 0, sizeof(r));
	r.status = (uint32_t)status;
	r.error = msg;
	r.id = id;
	answer(token, &r);
}

static int
env_name_ok(const char *kv, size_t len)
{
	if (len == 0 || (!isalpha((unsigned char)kv[0]) && kv[0] != '_'))
		return 0;
	for (size_t i = 1; i < len; i++)
		if (!isalnum((unsigned char)kv[i]) && kv[i] != '_')
			return 0;
	return 1;
}

/* Sets "NAME=value" in env (n entries), replacing one of the same name. */
static void
env_set(const char **env, size_t *n, const char *kv)
{
	size_t	 l = strcspn(kv, "=");

	for (size_t i = 0; i < *n; i++)
		if (strncmp(env[i], kv, l) == 0 && env[i][l] == '=') {
			env[i] = kv;
			return;
		}
	env[(*n)++] = kv;
}

/*
 * The command's environment: what agentshd built with the policy (the
 * session's defaults, the request's, env_inject), then the two variables
 * every command gets, which the monitor sets itself.  Entries point into
 * the request; 'own' holds the one made here.
 */
static const char **
exec_env(const struct mon_session *s, const struct ipc_exec *ex,
    char **own, char *err, size_t errlen)
{
	const char	**env;
	struct passwd	*pw;
	size_t		 n = 0, i;

	if ((env = calloc(EXEC_ENV_MAX + 2, sizeof(*env))) == NULL)
		fatal("calloc");
	for (i = 0; i < ex->env.n; i++) {
		const char	*kv = ex->env.v[i], *eq = strchr(kv, '=');

		if (eq == NULL || !env_name_ok(kv, (size_t)(eq - kv))) {
			(void)snprintf(err, errlen, "env: '%.*s' is not a "
			    "variable name", (int)(eq ? eq - kv : 64), kv);
			free(env);
			return NULL;
		}
		env_set(env, &n, kv);
	}
	if (asprintf(&own[0], "AGENTSH_SESSION_ID=%s", s->id) == -1)
		fatal("asprintf");
	env_set(env, &n, "AGENTSH_IN_SESSION=1");
	env_set(env, &n, own[0]);
	/* HOME, when the request and the session left it out. */
	for (i = 0; i < n; i++)
		if (strncmp(env[i], "HOME=", 5) == 0)
			break;
	if (i == n && (pw = getpwuid(s->owner_uid)) != NULL) {
		if (asprintf(&own[1], "HOME=%s", pw->pw_dir) == -1)
			fatal("asprintf");
		env_set(env, &n, own[1]);
	}
	return env;
}

/* cmd- and a UUID, as agentshd names commands, and new in the space. */
static int
cmd_id_ok(const struct mon_space *sp, const char *id)
{
	const struct mon_cmd	*c;
	size_t			 n = strlen(id);

	if (n != 40 || strncmp(id, "cmd-", 4) != 0)
		return 0;
	for (size_t i = 4; i < n; i++)
		if (!isxdigit((unsigned char)id[i]) && id[i] != '-')
			return 0;
	TAILQ_FOREACH(c, &sp->cmds, entry)
		if (strcmp(c->id, id) == 0)
			return 0;
	return 1;
}

/* command_started and command_finished are the monitor's to tell. */
static void
cmd_event(const struct mon_cmd *c, const char *type, const char *const *f,
    size_t nf)
{
	struct ipc_event	 ev;

	audit_event_init(&ev, type);
	ev.session_id = c->sp->s->id;
	ev.command_id = c->id;
	ev.pid = c->pid > 0 ? c->pid : -1;
	ev.depth = 0;
	ev.filename = c->argv0;
	ev.fields.n = (uint32_t)nf;
	ev.fields.v = (const char **)f;
	mon_event_emit(&ev);
}

/* The monitor has nothing more for the command. */
static void
cmd_drained(const struct mon_cmd *c)
{
	mon_event_drained(c->sp->s->id, c->id);
}

/* command_finished: how it ended, what it cost; then drained. */
static void
cmd_finished(const struct mon_cmd *c, const struct ipc_exec_r *r, int sig)
{
	char		 f[8][64];
	const char	*fv[8];
	size_t		 n = 0;

	(void)snprintf(f[n++], sizeof(f[0]), "i:exit_code=%d", r->exit_code);
	if (sig > 0)
		(void)snprintf(f[n++], sizeof(f[0]), "s:signal=SIG%s",
		    sigabbrev_np(sig) != NULL ? sigabbrev_np(sig) : "?");
	(void)snprintf(f[n++], sizeof(f[0]), "i:duration_ms=%llu",
	    (unsigned long long)r->duration_ms);
	(void)snprintf(f[n++], sizeof(f[0]), "i:cpu_user_ms=%llu",
	    (unsigned long long)r->cpu_user_ms);
	(void)snprintf(f[n++], sizeof(f[0]), "i:cpu_system_ms=%llu",
	    (unsigned long long)r->cpu_system_ms);
	(void)snprintf(f[n++], sizeof(f[0]), "i:memory_peak_kb=%llu",
	    (unsigned long long)r->maxrss_kb);
	if (r->flags & IPC_EXEC_F_TIMED_OUT)
		(void)snprintf(f[n++], sizeof(f[0]), "b:timed_out=true");
	if (r->flags & (IPC_EXEC_F_KILLED | IPC_EXEC_F_NOT_STARTED))
		(void)snprintf(f[n++], sizeof(f[0]), "s:outcome=%s",
		    (r->flags & IPC_EXEC_F_KILLED) ? "killed" : "not_started");
	for (size_t i = 0; i < n; i++)
		fv[i] = f[i];
	cmd_event(c, "command_finished", fv, n);
	cmd_drained(c);
}

static struct mon_cmd *
cmd_find(struct mon_space *sp, uint64_t n)
{
	struct mon_cmd	*c;

	TAILQ_FOREACH(c, &sp->cmds, entry)
		if (c->n == n)
			return c;
	return NULL;
}

/* Fits: the space's cgroup path was checked to leave room. */
static void
cmd_cgdir(const struct mon_cmd *c, char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/cmd-%llu", c->sp->cgdir,
	    (unsigned long long)c->n) >= len)
		fatalx("cgroup path too long");
}

/* The command is over: what is left of it dies, its cgroup goes. */
static void
cmd_done(struct mon_cmd *c)
{
	char	 dir[PATH_MAX];

	cmd_cgdir(c, dir, sizeof(dir));
	(void)mon_space_cgroup_kill(dir);
	(void)mon_space_cgroup_remove(dir);
	if (c->ev_timeout != NULL)
		event_free(c->ev_timeout);
	TAILQ_REMOVE(&c->sp->cmds, c, entry);
	free(c);
}

static void
timeout_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mon_cmd	*c = arg;
	char		 dir[PATH_MAX];

	log_info("session %s: command %s timed out", c->sp->s->id, c->id);
	c->timed_out = 1;
	cmd_cgdir(c, dir, sizeof(dir));
	/* The init reports the exit; the answer follows from there. */
	(void)mon_space_cgroup_kill(dir);
}

/* Working directory: the session's, or relative to it, or absolute. */
static int
exec_cwd(const struct mon_session *s, const char *cwd, char *buf,
    size_t len)
{
	int	 n;

	if (cwd[0] == '\0')
		n = snprintf(buf, len, "%s", s->cwd);
	else if (cwd[0] == '/')
		n = snprintf(buf, len, "%s", cwd);
	else
		n = snprintf(buf, len, "%s/%s", s->cwd, cwd);
	return n < 0 || (size_t)n >= len || buf[0] != '/' ? -1 : 0;
}

void
mon_exec_request(struct mon_conn *c, uint32_t token, const struct ipc_exec *ex)
{
	struct ipc_exec_output	 eo;
	struct ipc_init_exec	 ie;
	struct ipc_init_fd	 f;
	struct mon_session	*s;
	struct mon_space	*sp;
	struct mon_cmd		*cmd = NULL;
	const char		**argv = NULL, **env = NULL;
	char			 err[IPC_ERRMSG_MAX], cwd[PATH_MAX];
	char			 dir[PATH_MAX], procs[PATH_MAX + 16];
	char			*own[2] = { NULL, NULL };
	int			 fds[IPC_INIT_SLOT_MAX], out[2] = { -1, -1 };
	int			 in[2] = { -1, -1 };
	int			 errp[2] = { -1, -1 }, r = 0;
	uint64_t		 tmo;

	for (int i = 0; i < IPC_INIT_SLOT_MAX; i++)
		fds[i] = -1;
	if ((s = mon_session_find(ex->id)) == NULL ||
	    !mon_session_visible(c, s)) {
		mon_exec_answer_error(token, 404, ex->id, "session %s not "
		    "found", ex->id);
		return;
	}
	if (s->state == IPC_SESS_BROKEN) {
		mon_exec_answer_error(token, 409, s->id, "session %s is broken: "
		    "%s", s->id, s->state_reason ? s->state_reason : "?");
		return;
	}
	if (ex->command[0] == '\0') {
		mon_exec_answer_error(token, 400, s->id, "command: required");
		return;
	}
	if (s->space != NULL && !cmd_id_ok(s->space, ex->command_id)) {
		mon_exec_answer_error(token, 400, s->id, "command_id: not a new "
		    "command id");
		return;
	}
	if (exec_cwd(s, ex->cwd, cwd, sizeof(cwd)) == -1) {
		mon_exec_answer_error(token, 400, s->id, "working_dir: too "
		    "long");
		return;
	}
	if ((env = exec_env(s, ex, own, err, sizeof(err))) == NULL) {
		mon_exec_answer_error(token, 400, s->id, "%s", err);
		return;
	}
	/* After a restart the space is built on first use. */
	if (s->space == NULL) {
		if (mon_space_start(s, err, sizeof(err)) == -1) {
			mon_session_set_broken(s, err);
			mon_exec_answer_error(token, 409, s->id, "session %s "
			    "cannot be used: %s", s->id, err);
			goto out;
		}
		mon_agentshd_session_info(s);
	}
	sp = s->space;
	if (!cmd_id_ok(sp, ex->command_id)) {
		mon_exec_answer_error(token, 400, s->id, "command_id: not a new "
		    "command id");
		goto out;
	}
	if ((argv = calloc(ex->args.n + 2, sizeof(*argv))) == NULL ||
	    (cmd = calloc(1, sizeof(*cmd))) == NULL)
		fatal("calloc");
	argv[0] = ex->argv0[0] != '\0' ? ex->argv0 : ex->command;
	for (uint32_t i = 0; i < ex->args.n; i++)
		argv[i + 1] = ex->args.v[i];
	cmd->sp = sp;
	cmd->n = ++sp->next_cmd;
	cmd->token = token;
	cmd->connid = c->id;
	cmd->started_ns = ipc_now_ns();
	(void)strlcpy(cmd->id, ex->command_id, sizeof(cmd->id));
	(void)strlcpy(cmd->argv0, ex->command, sizeof(cmd->argv0));
	TAILQ_INSERT_TAIL(&sp->cmds, cmd, entry);

	cmd_cgdir(cmd, dir, sizeof(dir));
	(void)snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (mkdir(dir, 0755) == -1 ||
	    (fds[IPC_INIT_SLOT_CGROUP] = open(procs, O_WRONLY | O_CLOEXEC))
	    == -1 ||
	    pipe2(in, O_CLOEXEC) == -1 ||
	    pipe2(out, O_CLOEXEC) == -1 || pipe2(errp, O_CLOEXEC) == -1) {
		log_warn("session %s: command %s", s->id, cmd->id);
		mon_exec_answer_error(token, 500, s->id, "cannot set up the "
		    "command: %s", strerror(errno));
		cmd_done(cmd);
		goto out;
	}
	/* No stdin asked for: its write end closes now, the command reads
	 * end of file. */
	fds[IPC_INIT_SLOT_STDIN] = in[0];
	fds[IPC_INIT_SLOT_STDOUT] = out[1];
	fds[IPC_INIT_SLOT_STDERR] = errp[1];
	in[0] = out[1] = errp[1] = -1;
	if (!(ex->flags & IPC_EXEC_F_STDIN)) {
		close(in[1]);
		in[1] = -1;
	}
	/* Each descriptor is the channel's once sent (closed after). */
	for (int i = 0; i < IPC_INIT_SLOT_MAX; i++) {
		f.cmd = cmd->n;
		f.slot = (uint32_t)i;
		if (r == 0)
			r = mon_peer_send(&sp->init, IPC_INIT_FD, 0, fds[i], &f);
		else
			close(fds[i]);
		fds[i] = -1;
	}
	memset(&ie, 0, sizeof(ie));
	ie.cmd = cmd->n;
	ie.path = ex->command;
	ie.argv.n = ex->args.n + 1;
	ie.argv.v = argv;
	for (ie.env.n = 0; env[ie.env.n] != NULL; ie.env.n++)
		;
	ie.env.v = env;
	ie.cwd = cwd;
	if (r == 0)
		r = mon_peer_send(&sp->init, IPC_INIT_EXEC, 0, -1, &ie);
	if (r == -1) {
		mon_exec_answer_error(token, 500, s->id, "the session init is "
		    "not reachable");
		cmd_done(cmd);
		goto out;
	}
	eo.command_id = cmd->id;
	if (in[1] != -1) {
		eo.stream = IPC_STREAM_STDIN;
		(void)mon_peer_send(&mon->agentshd, IPC_EXEC_OUTPUT, token,
		    in[1], &eo);
		in[1] = -1;
	}
	eo.stream = IPC_STREAM_STDOUT;
	(void)mon_peer_send(&mon->agentshd, IPC_EXEC_OUTPUT, token, out[0],
	    &eo);
	eo.stream = IPC_STREAM_STDERR;
	(void)mon_peer_send(&mon->agentshd, IPC_EXEC_OUTPUT, token, errp[0],
	    &eo);
	out[0] = errp[0] = -1;
	if ((tmo = ex->timeout_ms) != 0) {
		struct timeval	 tv = { (time_t)(tmo / 1000),
		    (suseconds_t)(tmo % 1000) * 1000 };

		if ((cmd->ev_timeout = evtimer_new(mon->base, timeout_cb,
		    cmd)) == NULL || evtimer_add(cmd->ev_timeout, &tv) == -1)
			fatalx("evtimer");
	}
	log_info("session %s: command %s (%s) for %s", s->id, cmd->id,
	    ex->command, c->peer);
out:
	for (int i = 0; i < 2; i++) {
		if (in[i] != -1)
			close(in[i]);
		if (out[i] != -1)
			close(out[i]);
		if (errp[i] != -1)
			close(errp[i]);
	}
	for (int i = 0; i < IPC_INIT_SLOT_MAX; i++)
		if (fds[i] != -1)
			close(fds[i]);
	free(own[0]);
	free(own[1]);
	free(env);
	free(argv);
}

void
mon_exec_init_exec_r(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_init_exec_r	*x = st;
	struct mon_space	*sp = mon_space_of(p);
	struct ipc_exec_r	 r;
	struct mon_cmd		*c;
	char			 msg[IPC_ERRMSG_MAX];

	if ((c = cmd_find(sp, x->cmd)) == NULL || c->running ||
	    x->error < 0 || x->error > 4095 || (x->error == 0 && x->pid <= 0)) {
		mon_peer_kill(p, "an exec answer that matches no command");
		return;
	}
	if (x->error == 0) {
		c->running = 1;
		c->pid = x->pid;
		cmd_event(c, "command_started", NULL, 0);
		return;
	}
	if (x->stage == IPC_INIT_STAGE_CWD)
		(void)snprintf(msg, sizeof(msg), "cannot run %s: working "
		    "directory: %s", c->argv0, strerror(x->error));
	else
		(void)snprintf(msg, sizeof(msg), "cannot run %s: %s",
		    c->argv0, strerror(x->error));
	memset(&r, 0, sizeof(r));
	r.status = 200;
	r.error = msg;
	r.id = sp->s->id;
	r.command_id = c->id;
	r.exit_code = 127;
	r.flags = IPC_EXEC_F_NOT_STARTED;
	r.duration_ms = (ipc_now_ns() - c->started_ns) / 1000000;
	answer(c->token, &r);
	cmd_finished(c, &r, 0);
	cmd_done(c);
}

void
mon_exec_init_exited(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_init_exited	*x = st;
	struct mon_space	*sp = mon_space_of(p);
	struct ipc_exec_r	 r;
	struct mon_cmd		*c;
	int			 sig = 0;

	if ((c = cmd_find(sp, x->cmd)) == NULL || !c->running) {
		mon_peer_kill(p, "an exit report that matches no command");
		return;
	}
	memset(&r, 0, sizeof(r));
	r.status = 200;
	r.id = sp->s->id;
	r.command_id = c->id;
	if (c->timed_out) {
		r.exit_code = 124;
		r.flags |= IPC_EXEC_F_TIMED_OUT;
		r.error = "timed out";
	} else if (WIFEXITED(x->status))
		r.exit_code = WEXITSTATUS(x->status);
	else if (WIFSIGNALED(x->status))
		r.exit_code = 128 + (sig = WTERMSIG(x->status));
	else
		r.exit_code = 255;
	if (c->killed && !c->timed_out) {
		r.flags |= IPC_EXEC_F_KILLED;
		r.error = "killed on request";
	}
	r.duration_ms = (ipc_now_ns() - c->started_ns) / 1000000;
	r.cpu_user_ms = x->utime_us / 1000;
	r.cpu_system_ms = x->stime_us / 1000;
	r.maxrss_kb = x->maxrss_kb;
	log_info("session %s: command %s exited with %d", sp->s->id, c->id,
	    r.exit_code);
	answer(c->token, &r);
	cmd_finished(c, &r, sig);
	cmd_done(c);
}

/* The space is going: every command still in it is reported killed. */
void
mon_exec_abort_all(struct mon_space *sp, const char *why)
{
	struct ipc_exec_r	 r;
	struct mon_cmd		*c;

	while ((c = TAILQ_FIRST(&sp->cmds)) != NULL) {
		memset(&r, 0, sizeof(r));
		r.status = 200;
		r.error = why;
		r.id = sp->s->id;
		r.command_id = c->id;
		r.exit_code = 128 + SIGKILL;
		r.flags = IPC_EXEC_F_KILLED;
		r.duration_ms = (ipc_now_ns() - c->started_ns) / 1000000;
		answer(c->token, &r);
		cmd_finished(c, &r, SIGKILL);
		if (c->ev_timeout != NULL)
			event_free(c->ev_timeout);
		TAILQ_REMOVE(&sp->cmds, c, entry);
		free(c);
	}
}

/*
 * POST /kill/{cmd}: everything of the command dies with its cgroup.  conn
 * NULL: agentshd stops a command whose client went away, which it may do
 * only once that client's connection is gone.
 */
void
mon_exec_kill(struct mon_conn *conn, uint32_t token,
    const struct ipc_exec_kill *k)
{
	struct ipc_sess_r	 r = { 404, k->id, "" };
	struct mon_session	*s;
	struct mon_cmd		*c = NULL;
	char			 dir[PATH_MAX], msg[IPC_ERRMSG_MAX];

	if ((s = mon_session_find(k->id)) != NULL && s->space != NULL &&
	    (conn == NULL || mon_session_visible(conn, s)))
		TAILQ_FOREACH(c, &s->space->cmds, entry)
			if (strcmp(c->id, k->command_id) == 0)
				break;
	if (c != NULL && conn == NULL) {
		struct mon_conn	*cc = mon_conn_find(c->connid);

		/* Its client is still there: not agentshd's to stop. */
		if (cc != NULL && mon_conn_alive(cc))
			c = NULL;
	}
	if (c == NULL) {
		(void)snprintf(msg, sizeof(msg), "command %s is not running "
		    "in session %s", k->command_id, k->id);
		r.error = msg;
	} else {
		log_info("session %s: command %s killed for %s", s->id, c->id,
		    conn != NULL ? conn->peer : "a client that went away");
		c->killed = 1;
		cmd_cgdir(c, dir, sizeof(dir));
		(void)mon_space_cgroup_kill(dir);
		r.status = 200;
	}
	(void)mon_peer_send(&mon->agentshd, IPC_EXEC_KILL_R, token, -1, &r);
}
