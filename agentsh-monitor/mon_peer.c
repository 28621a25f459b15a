/*
 * Helpers the monitor starts: spawning with fixed descriptors, relaying
 * their log records, dispatching their messages from a permission table,
 * killing a peer that breaks the protocol, restarting with backoff.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "monitor.h"

#define BACKOFF_MAX_S	 30
#define STABLE_S	 60

struct child_setup_arg {
	uid_t		 uid;
	gid_t		 gid;
	const char	*cgroup;	/* cgroup.procs to join, or NULL */
};

/* In the child, before exec: join the cgroup while still root, then
 * become the helper's user for good. */
static int
child_setup(void *a)
{
	struct child_setup_arg	*arg = a;
	int			 fd;

	if (arg->cgroup != NULL) {
		if ((fd = open(arg->cgroup, O_WRONLY | O_CLOEXEC)) == -1)
			return -1;
		if (write(fd, "0", 1) != 1) {
			close(fd);
			return -1;
		}
		close(fd);
	}
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		return -1;
	if (arg->uid != 0) {
		if (setgroups(1, &arg->gid) == -1 ||
		    setresgid(arg->gid, arg->gid, arg->gid) == -1 ||
		    setresuid(arg->uid, arg->uid, arg->uid) == -1)
			return -1;
		/* No way back. */
		if (setuid(0) != -1) {
			errno = EPERM;
			return -1;
		}
	}
	return 0;
}

static void	peer_msg(struct ipc_chan *, struct ipc_msg *, void *);
static void	peer_err(struct ipc_chan *, int, const char *, void *);

static void
restart_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mon_peer	*p = arg;

	if (mon->stopping || p->running)
		return;
	log_info("restarting %s", p->name);
	if (p->start(p) == -1) {
		log_warnx("restarting %s failed; trying again in %ds",
		    p->name, p->backoff_s);
		struct timeval tv = { p->backoff_s, 0 };
		p->backoff_s = p->backoff_s * 2 > BACKOFF_MAX_S ?
		    BACKOFF_MAX_S : p->backoff_s * 2;
		event_add(p->ev_restart, &tv);
	}
}

void
mon_peer_init(struct mon_peer *p, enum mon_peer_kind kind, const char *name,
    int (*start)(struct mon_peer *))
{
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->name = name;
	p->start = start;
	p->logfd = -1;
	p->chan.fd = -1;
	p->backoff_s = 1;
	p->ev_restart = evtimer_new(mon->base, restart_cb, p);
	if (p->ev_restart == NULL)
		fatalx("evtimer_new");
}

static void
log_emit(int level, const char *msg, void *arg)
{
	struct mon_peer	*p = arg;

	logit(level, "%s[%d]: %s", p->name, (int)p->pid, msg);
}

static void
close_log(struct mon_peer *p)
{
	if (p->ev_log != NULL)
		event_free(p->ev_log);
	p->ev_log = NULL;
	if (p->logfd != -1)
		close(p->logfd);
	p->logfd = -1;
}

static void
log_cb(evutil_socket_t fd, short what, void *arg)
{
	struct mon_peer	*p = arg;
	int		 r;

	r = log_reader_feed(&p->logr, p->logfd, log_emit, p);
	if (r == 1)
		return;
	if (r == -1) {
		mon_peer_kill(p, p->logr.why);
		return;
	}
	close_log(p);
}

/* Environment for a helper: nothing of ours but the regress switches. */
static char **
helper_env(void)
{
	extern char	**environ;
	static char	*env[16];
	size_t		 n = 0;

#ifdef AGENTSH_REGRESS
	for (char **e = environ; *e != NULL && n < nitems(env) - 1; e++)
		if (strncmp(*e, "AGENTSH_REGRESS_", 16) == 0)
			env[n++] = *e;
#endif
	env[n] = NULL;
	return env;
}

int
mon_peer_spawn(struct mon_peer *p, const char *path, char *const *argv,
    uid_t uid, gid_t gid, const char *cgroup, unsigned int chanflags,
    const int *extra_fds, int nextra)
{
	struct child_setup_arg	 csa = { uid, gid, cgroup };
	struct ipc_spawn	 sp;

	memset(&sp, 0, sizeof(sp));
	sp.path = path;
	sp.argv = argv;
	sp.extra_fds = extra_fds;
	sp.nextra = nextra;
	sp.child_setup = child_setup;
	sp.setup_arg = &csa;
	return mon_peer_spawn_sp(p, &sp, chanflags);
}

/*
 * Starts a helper from a prepared ipc_spawn (path, argv, child_setup,
 * clone flags): fills in its IPC and log descriptors and the
 * environment, and attaches both to the event loop.
 */
int
mon_peer_spawn_sp(struct mon_peer *p, struct ipc_spawn *sp,
    unsigned int chanflags)
{
	int			 sv[2] = { -1, -1 }, lp[2] = { -1, -1 };
	pid_t			 pid;

	if (ipc_socketpair(sv) == -1 || pipe2(lp, O_CLOEXEC) == -1) {
		log_warn("%s: socketpair/pipe", p->name);
		goto fail;
	}
	sp->envp = helper_env();
	sp->ipc_fd = sv[1];
	sp->log_fd = lp[1];
	/* foreground: a helper's crash message reaches the operator */
	sp->keep_stderr = mon->foreground;
	if ((pid = ipc_spawn(sp)) == -1) {
		log_warn("%s: cannot start %s", p->name, sp->path);
		goto fail;
	}
	close(sv[1]);
	close(lp[1]);
	if (ipc_chan_init(&p->chan, sv[0], chanflags) == -1 ||
	    ipc_ev_attach(&p->chan, mon->base, peer_msg, peer_err, p) == -1)
		fatal("%s: channel", p->name);
	if (fcntl(lp[0], F_SETFL, O_NONBLOCK) == -1)
		fatal("%s: log pipe", p->name);
	p->logfd = lp[0];
	memset(&p->logr, 0, sizeof(p->logr));
	if ((p->ev_log = event_new(mon->base, p->logfd, EV_READ | EV_PERSIST,
	    log_cb, p)) == NULL || event_add(p->ev_log, NULL) == -1)
		fatalx("%s: log event", p->name);
	p->pid = pid;
	p->running = 1;
	p->phase = 0;
	p->ready = 0;
	memset(p->used_once, 0, sizeof(p->used_once));
	p->started = time(NULL);
	log_debug("%s started, pid %d", p->name, (int)pid);
	return 0;
fail:
	for (int i = 0; i < 2; i++) {
		if (sv[i] != -1)
			close(sv[i]);
		if (lp[i] != -1)
			close(lp[i]);
	}
	return -1;
}

/* Protocol violation or shutdown: the peer goes, the monitor stays. */
void
mon_peer_kill(struct mon_peer *p, const char *why)
{
	if (!p->running)
		return;
	if (why != NULL)
		log_warnx("%s[%d] killed: %s", p->name, (int)p->pid, why);
	(void)kill(p->pid, SIGKILL);
	ipc_chan_clear(&p->chan);
	if (p->kind == MON_PEER_AGENTSHD)
		mon_listen_enable(0);
	/* Keep the log open until the child is reaped: its last words. */
}

const char *
mon_peer_signame(int sig)
{
	static char	 buf[16];

	switch (sig) {
	case SIGSYS:
		return "SIGSYS (a system call outside its jail)";
	case SIGKILL:
		return "SIGKILL";
	case SIGSEGV:
		return "SIGSEGV";
	case SIGABRT:
		return "SIGABRT";
	case SIGTERM:
		return "SIGTERM";
	default:
		(void)snprintf(buf, sizeof(buf), "signal %d", sig);
		return buf;
	}
}

void
mon_peer_reaped(struct mon_peer *p, int status)
{
	struct timeval	 tv;

	/* Relay whatever the helper logged before it went. */
	for (int i = 0; i < 16 && p->logfd != -1; i++)
		if (log_reader_feed(&p->logr, p->logfd, log_emit, p) != 1)
			break;
	close_log(p);
	if (p->chan.fd != -1)
		ipc_chan_clear(&p->chan);
	p->running = 0;
	if (p->on_exit != NULL) {
		/* Not restarted: its owner decides what its end means. */
		p->on_exit(p, status);
		return;
	}
	if (WIFSIGNALED(status))
		logit(mon->stopping ? LOG_INFO : LOG_ERR, "%s[%d] died of %s",
		    p->name, (int)p->pid, mon_peer_signame(WTERMSIG(status)));
	else
		logit(mon->stopping ? LOG_INFO : LOG_ERR,
		    "%s[%d] exited with status %d", p->name, (int)p->pid,
		    WEXITSTATUS(status));
	p->pid = 0;
	p->phase = 0;
	p->ready = 0;
	if (p->kind == MON_PEER_AGENTSHD) {
		mon_listen_enable(0);
		mon_conn_drop_all();
	}
	if (mon->stopping)
		return;
	if (time(NULL) - p->started >= STABLE_S)
		p->backoff_s = 1;
	tv.tv_sec = p->backoff_s;
	tv.tv_usec = 0;
#ifdef AGENTSH_REGRESS
	/* Regress only: tests that kill helpers on purpose need no backoff. */
	if (getenv("AGENTSH_REGRESS_FAST_RESTART") != NULL) {
		tv.tv_sec = 0;
		tv.tv_usec = 200000;
	}
#endif
	log_info("%s will be restarted in %.1fs", p->name,
	    (double)tv.tv_sec + tv.tv_usec / 1e6);
	p->backoff_s = p->backoff_s * 2 > BACKOFF_MAX_S ? BACKOFF_MAX_S :
	    p->backoff_s * 2;
	event_add(p->ev_restart, &tv);
}

/* Orderly stop: SIGTERM, a moment to exit, then SIGKILL. */
void
mon_peer_stop(struct mon_peer *p)
{
	int	 status;

	if (p->ev_restart != NULL)
		event_del(p->ev_restart);
	if (!p->running)
		return;
	(void)kill(p->pid, SIGTERM);
	for (int i = 0; i < 50; i++) {
		if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
			mon_peer_reaped(p, status);
			return;
		}
		usleep(20000);
	}
	(void)kill(p->pid, SIGKILL);
	if (waitpid(p->pid, &status, 0) == p->pid)
		mon_peer_reaped(p, status);
}

int
mon_peer_send(struct mon_peer *p, uint32_t type, uint32_t peerid, int fd,
    const void *st)
{
	if (!p->running || p->chan.fd == -1) {
		if (fd != -1)
			close(fd);
		errno = EPIPE;
		return -1;
	}
	if (ipc_send(&p->chan, type, peerid, fd, st) == -1) {
		log_warn("%s: send %s", p->name, ipc_msg_name(type));
		return -1;
	}
	return 0;
}

static const struct mon_dispatch *
lookup(struct mon_peer *p, uint32_t type)
{
	const struct mon_dispatch	*d;

	if (p->phase >= p->nphases)
		return NULL;
	for (d = p->table[p->phase]; d->fn != NULL; d++)
		if (d->type == type)
			return (d->flags & MON_PERMIT) ? d : NULL;
	return NULL;
}

static void
peer_msg(struct ipc_chan *ch, struct ipc_msg *m, void *arg)
{
	mon_peer_dispatch(arg, m);
}

/* Answers one message from the peer's permission table. */
void
mon_peer_dispatch(struct mon_peer *p, struct ipc_msg *m)
{
	const struct mon_dispatch	*d;
	const struct ipc_msgdef		*def;
	char				 why[160], st[512];
	int				 bit;

	if ((d = lookup(p, m->hdr.type)) == NULL) {
		(void)snprintf(why, sizeof(why), "unpermitted message %s "
		    "(0x%04x) in phase %d", ipc_msg_name(m->hdr.type),
		    m->hdr.type, p->phase);
		mon_peer_kill(p, why);
		return;
	}
	if (d->flags & MON_ONCE) {
		bit = (int)(d - p->table[p->phase]);
		if (bit >= (int)(32 * nitems(p->used_once)))
			fatalx("%s: dispatch table too long", p->name);
		if (p->used_once[bit / 32] & (1U << (bit % 32))) {
			(void)snprintf(why, sizeof(why), "%s sent twice",
			    ipc_msg_name(m->hdr.type));
			mon_peer_kill(p, why);
			return;
		}
		p->used_once[bit / 32] |= 1U << (bit % 32);
	}
	def = ipc_msg_def(m->hdr.type);
	if (def->size > sizeof(st))
		fatalx("payload struct of %s too large", def->name);
	if (ipc_decode(m->hdr.type, m->data, m->datalen, st, why,
	    sizeof(why)) == -1) {
		char	 w2[220];

		(void)snprintf(w2, sizeof(w2), "bad %s: %s",
		    ipc_msg_name(m->hdr.type), why);
		mon_peer_kill(p, w2);
		return;
	}
	d->fn(p, m, st);
	ipc_decoded_free(m->hdr.type, st);
}

static void
peer_err(struct ipc_chan *ch, int err, const char *why, void *arg)
{
	struct mon_peer	*p = arg;
	char		 buf[200];

	if (err == 0) {
		/* Closed its end: it is exiting; SIGCHLD tells how. */
		ipc_chan_clear(&p->chan);
		return;
	}
	(void)snprintf(buf, sizeof(buf), "protocol error: %s", why);
	mon_peer_kill(p, buf);
}
