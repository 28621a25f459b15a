/*
 * The listeners and the identity of each client.  The monitor accepts,
 * reads who the peer is (SO_PEERCRED and SO_PEERPIDFD on the Unix socket;
 * sessions.run_as for TCP until an API key binds another), and hands the
 * connection to agentshd under a connection id.  It keeps a duplicate of
 * each connection to notice the hang-up: an identity never outlives its
 * connection, and agentshd can only name ids the monitor issued.
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD	 77
#endif

#define MON_MAX_CONNS	 1024


static int
open_unix(const char *path, mode_t perm)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	char			 dir[PATH_MAX], *slash;
	mode_t			 old;
	int			 fd, probe;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path)) {
		log_warnx("server.unix_socket.path: %s is too long", path);
		return -1;
	}
	(void)strlcpy(dir, path, sizeof(dir));
	if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
		*slash = '\0';
		if (mkdir(dir, 0755) == -1 && errno != EEXIST) {
			log_warn("mkdir %s", dir);
			return -1;
		}
	}
	/* A stale socket goes; a live one means another server runs. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			log_warnx("%s exists and is not a socket", path);
			return -1;
		}
		if ((probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0))
		    != -1) {
			if (connect(probe, (struct sockaddr *)&sun,
			    sizeof(sun)) == 0) {
				close(probe);
				log_warnx("another agentsh server is listening "
				    "on %s", path);
				return -1;
			}
			close(probe);
		}
		(void)unlink(path);
	}
	if ((fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		log_warn("socket");
		return -1;
	}
	old = umask(0077);
	if (bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1) {
		umask(old);
		log_warn("bind %s", path);
		close(fd);
		return -1;
	}
	umask(old);
	/* Open to every local user: who they are is read, not assumed. */
	if (chmod(path, perm) == -1 || listen(fd, 128) == -1) {
		log_warn("%s", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int
open_tcp(const char *addr)
{
	struct addrinfo	 hints, *res = NULL;
	char		 host[256], *port;
	int		 fd = -1, one = 1, e;

	if (strlcpy(host, addr, sizeof(host)) >= sizeof(host) ||
	    (port = strrchr(host, ':')) == NULL) {
		log_warnx("server.http.addr: bad address '%s'", addr);
		return -1;
	}
	*port++ = '\0';
	if (host[0] == '[') {
		size_t	 l = strlen(host);

		if (l < 2 || host[l - 1] != ']') {
			log_warnx("server.http.addr: bad address '%s'", addr);
			return -1;
		}
		host[l - 1] = '\0';
		memmove(host, host + 1, l - 1);
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
	if ((e = getaddrinfo(host[0] ? host : NULL, port, &hints, &res)) != 0) {
		log_warnx("server.http.addr %s: %s", addr, gai_strerror(e));
		return -1;
	}
	if ((fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC |
	    SOCK_NONBLOCK, 0)) == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, 128) == -1) {
		log_warn("listen on %s", addr);
		if (fd != -1)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

static void
hup_cb(evutil_socket_t fd, short what, void *arg)
{
	mon_conn_drop(arg, 1);
}

static void
peer_name(int fd, char *buf, size_t len)
{
	struct sockaddr_storage	 ss;
	socklen_t		 sl = sizeof(ss);
	char			 h[INET6_ADDRSTRLEN], p[8];

	(void)strlcpy(buf, "?", len);
	if (getpeername(fd, (struct sockaddr *)&ss, &sl) == 0 &&
	    getnameinfo((struct sockaddr *)&ss, sl, h, sizeof(h), p,
	    sizeof(p), NI_NUMERICHOST | NI_NUMERICSERV) == 0)
		(void)snprintf(buf, len, ss.ss_family == AF_INET6 ?
		    "[%s]:%s" : "%s:%s", h, p);
}

/*
 * Whether a Unix peer is a process inside a session (it must never reach
 * the API).  The pidfd pins the identity: the cgroup read through /proc
 * belongs to it only if it is still alive afterwards.
 */
static int
peer_in_session(pid_t pid, int pidfd)
{
	int	 in;

	if (pid <= 0)
		return 1;
	in = mon_cgroup_of_pid_in_sessions(pid);
	if (pidfd != -1 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0)
	    == -1)
		return 1;	/* gone, or recycled: refuse */
	return in != 0;
}

static void
accept_cb(evutil_socket_t lfd, short what, void *arg)
{
	enum ipc_conn_kind	 kind = (enum ipc_conn_kind)(intptr_t)arg;
	struct ipc_conn_new	 cn;
	struct mon_conn		*c;
	struct ucred		 cred;
	socklen_t		 sl;
	int			 fd, pidfd = -1;

	if ((fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK))
	    == -1) {
		if (errno != EAGAIN && errno != ECONNABORTED)
			log_warn("accept");
		return;
	}
	if (mon->nconns >= MON_MAX_CONNS) {
		log_warnx("connection refused: %d connections open", mon->nconns);
		close(fd);
		return;
	}
	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_warn("calloc");
		close(fd);
		return;
	}
	c->kind = kind;
	c->role = IPC_ROLE_AGENT;
	if (kind == IPC_CONN_UNIX) {
		sl = sizeof(cred);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &sl) == -1) {
			log_warn("SO_PEERCRED");
			goto refuse;
		}
		sl = sizeof(pidfd);
		if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &sl) == -1)
			pidfd = -1;	/* kernels before 6.5 */
		if (peer_in_session(cred.pid, pidfd)) {
			log_warnx("connection refused: pid %d is inside a "
			    "session", (int)cred.pid);
			goto refuse;
		}
		if (pidfd != -1)
			close(pidfd);
		pidfd = -1;
		c->uid = cred.uid;
		c->gid = cred.gid;
		c->pid = cred.pid;
		if (cred.uid == 0)
			c->role = IPC_ROLE_ADMIN;
		(void)snprintf(c->peer, sizeof(c->peer), "uid %u pid %d",
		    (unsigned int)cred.uid, (int)cred.pid);
	} else {
		c->uid = mon->run_as_uid;
		c->gid = mon->run_as_gid;
		c->pid = -1;
		peer_name(fd, c->peer, sizeof(c->peer));
	}
	if ((c->fd = fcntl(fd, F_DUPFD_CLOEXEC, 3)) == -1) {
		log_warn("dup");
		goto refuse;
	}
	c->id = mon->next_connid++;
	if ((c->ev_hup = event_new(mon->base, c->fd, EV_CLOSED | EV_PERSIST,
	    hup_cb, c)) == NULL || event_add(c->ev_hup, NULL) == -1) {
		log_warnx("hang-up event");
		goto refuse;
	}
	TAILQ_INSERT_TAIL(&mon->conns, c, entry);
	mon->nconns++;

	memset(&cn, 0, sizeof(cn));
	cn.connid = c->id;
	cn.kind = kind;
	cn.uid = c->uid;
	cn.gid = c->gid;
	cn.pid = c->pid;
	cn.role = c->role;
	cn.peer = c->peer;
	log_debug("connection %llu: %s", (unsigned long long)c->id, c->peer);
	if (mon_peer_send(&mon->agentshd, IPC_CONN_NEW, 0, fd, &cn) == -1)
		mon_conn_drop(c, 0);
	return;
refuse:
	if (pidfd != -1)
		close(pidfd);
	if (c->ev_hup != NULL)
		event_free(c->ev_hup);
	if (c->fd > 0)
		close(c->fd);
	free(c);
	close(fd);
}

int
mon_listen_open(void)
{
	if (mon->conf.unix_enabled) {
		if ((mon->unix_fd = open_unix(mon->conf.unix_path,
		    mon->conf.unix_permissions)) == -1)
			return -1;
		mon->ev_unix = event_new(mon->base, mon->unix_fd,
		    EV_READ | EV_PERSIST, accept_cb,
		    (void *)(intptr_t)IPC_CONN_UNIX);
	}
	if ((mon->tcp_fd = open_tcp(mon->conf.http_addr)) == -1)
		return -1;
	mon->ev_tcp = event_new(mon->base, mon->tcp_fd, EV_READ | EV_PERSIST,
	    accept_cb, (void *)(intptr_t)IPC_CONN_TCP);
	if ((mon->conf.unix_enabled && mon->ev_unix == NULL) ||
	    mon->ev_tcp == NULL)
		return -1;
	/* Accepting starts once agentshd is ready (mon_listen_enable). */
	return 0;
}

/* Connections queue in the backlog while agentshd is not serving. */
void
mon_listen_enable(int on)
{
	struct event	*evs[2] = { mon->ev_unix, mon->ev_tcp };

	for (int i = 0; i < 2; i++) {
		if (evs[i] == NULL)
			continue;
		if (on)
			event_add(evs[i], NULL);
		else
			event_del(evs[i]);
	}
}

void
mon_listen_close(void)
{
	if (mon->ev_unix != NULL)
		event_free(mon->ev_unix);
	if (mon->ev_tcp != NULL)
		event_free(mon->ev_tcp);
	mon->ev_unix = mon->ev_tcp = NULL;
	if (mon->unix_fd != -1) {
		close(mon->unix_fd);
		(void)unlink(mon->conf.unix_path);
	}
	if (mon->tcp_fd != -1)
		close(mon->tcp_fd);
	mon->unix_fd = mon->tcp_fd = -1;
}

struct mon_conn *
mon_conn_find(uint64_t id)
{
	struct mon_conn	*c;

	TAILQ_FOREACH(c, &mon->conns, entry)
		if (c->id == id)
			return c;
	return NULL;
}

/*
 * Checked again right before acting on a request: the hang-up event may
 * not have run yet when the client has already gone.
 */
int
mon_conn_alive(struct mon_conn *c)
{
	struct pollfd	 pfd = { c->fd, POLLRDHUP, 0 };

	if (poll(&pfd, 1, 0) == -1)
		return 0;
	return (pfd.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) == 0;
}

void
mon_conn_drop(struct mon_conn *c, int tell_agentshd)
{
	struct ipc_conn_gone	 g;

	if (tell_agentshd) {
		g.connid = c->id;
		(void)mon_peer_send(&mon->agentshd, IPC_CONN_GONE, 0, -1, &g);
	}
	TAILQ_REMOVE(&mon->conns, c, entry);
	mon->nconns--;
	event_free(c->ev_hup);
	close(c->fd);
	log_debug("connection %llu closed", (unsigned long long)c->id);
	free(c);
}

/* agentshd went away: it held the other end of every connection. */
void
mon_conn_drop_all(void)
{
	struct mon_conn	*c;

	while ((c = TAILQ_FIRST(&mon->conns)) != NULL)
		mon_conn_drop(c, 0);
}
