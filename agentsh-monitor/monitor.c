/*
 * agentsh-monitor: main, start-up in a fixed order, signals, shutdown.
 *
 * Start-up: configuration, system users, directories, cgroup subtree,
 * listeners, the session record, then agentshd; listeners accept only
 * while agentshd is ready to take connections.
 */
#include "compat.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "monitor.h"
#include "auditw.h"
#include "mon_space.h"
#include "keys.h"
#include "pathnames.h"

struct monitor	*mon;

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: agentsh-monitor [-dnv] [-f config]\n"
	    "       agentsh-monitor -A [-v]  (the audit writer, started by the "
	    "monitor)\n");
	exit(2);
}

/* "<prefix><random UUID v4>": session and command ids. */
void
mon_uuid(char *buf, size_t len, const char *prefix)
{
	uint8_t	 u[16];

	randombytes_buf(u, sizeof(u));
	u[6] = (u[6] & 0x0f) | 0x40;	/* version 4 */
	u[8] = (u[8] & 0x3f) | 0x80;	/* RFC 4122 variant */
	(void)snprintf(buf, len, "%s%02x%02x%02x%02x-%02x%02x-%02x%02x-"
	    "%02x%02x-%02x%02x%02x%02x%02x%02x", prefix, u[0], u[1], u[2],
	    u[3], u[4], u[5], u[6], u[7], u[8], u[9], u[10], u[11], u[12],
	    u[13], u[14], u[15]);
}

/* Tells systemd (Type=notify) that the suite serves. */
static void
notify_ready(void)
{
	const char		*path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un	 sun;
	socklen_t		 len;
	int			 fd;

	if (path == NULL || (path[0] != '/' && path[0] != '@'))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	if (strlcpy(sun.sun_path, path, sizeof(sun.sun_path)) >=
	    sizeof(sun.sun_path))
		return;
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';
	len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) +
	    strlen(path));
	if ((fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0)) == -1)
		return;
	(void)sendto(fd, "READY=1", 7, MSG_NOSIGNAL, (struct sockaddr *)&sun,
	    len);
	close(fd);
}

/* Called once agentshd says it is jailed and serving. */
void
mon_agentshd_ready(void)
{
	static int	 notified;

	if (!notified) {
		notify_ready();
		notified = 1;
		log_info("ready: unix %s, http %s",
		    mon->conf.unix_enabled ? mon->conf.unix_path : "off",
		    mon->conf.http_addr);
	}
}

static void
sigchld_cb(evutil_socket_t sig, short what, void *arg)
{
	pid_t	 pid;
	int	 status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (mon->agentshd.pid == pid)
			mon_peer_reaped(&mon->agentshd, status);
		else if (mon->auditw.pid == pid)
			mon_peer_reaped(&mon->auditw, status);
		else
			(void)mon_space_reaped(pid, status);
	}
}

static void
stop_cb(evutil_socket_t sig, short what, void *arg)
{
	if (mon->stopping)
		return;
	mon->stopping = 1;
	log_info("received %s, stopping", strsignal((int)sig));
	mon_listen_close();
	mon_conn_drop_all();
	mon_space_stop_all();
	mon_peer_stop(&mon->agentshd);
	event_base_loopexit(mon->base, NULL);
}

static void
hup_cb(evutil_socket_t sig, short what, void *arg)
{
	log_info("SIGHUP: configuration is read at start; restart the "
	    "service to apply changes");
}

/* Directories the suite owns, made with the modes and owners it needs. */
static int
make_dir(const char *path, mode_t mode, uid_t uid, gid_t gid)
{
	struct stat	 st;

	if (mkdir(path, mode) == -1 && errno != EEXIST) {
		log_warn("mkdir %s", path);
		return -1;
	}
	if (lstat(path, &st) == -1 || !S_ISDIR(st.st_mode)) {
		log_warnx("%s: not a directory", path);
		return -1;
	}
	if (chown(path, uid, gid) == -1 || chmod(path, mode) == -1) {
		log_warn("%s", path);
		return -1;
	}
	return 0;
}

static int
setup_dirs(void)
{
	const char	*e = getenv("AGENTSH_DATA_DIR");
	char		 db[PATH_MAX];

	if (e != NULL && *e != '\0') {
		if (e[0] != '/')
			fatalx("AGENTSH_DATA_DIR must be an absolute path");
		(void)strlcpy(mon->data_dir, e, sizeof(mon->data_dir));
	} else
		(void)strlcpy(mon->data_dir, _PATH_AGENTSH_DATADIR,
		    sizeof(mon->data_dir));
	if (make_dir(mon->data_dir, 0755, 0, 0) == -1)
		return -1;
	/* agentshd's store: its own, nobody else's */
	if ((size_t)snprintf(db, sizeof(db), "%s/db", mon->data_dir) >=
	    sizeof(db))
		return -1;
	if (make_dir(db, 0700, mon->d_uid, mon->d_gid) == -1)
		return -1;
	/* the monitor's record of sessions: root only */
	if (make_dir(mon->conf.sessions_base_dir, 0700, 0, 0) == -1)
		return -1;
	return 0;
}

static int
lookup_run_as(void)
{
	struct passwd	*pw;

	if ((pw = getpwnam(mon->conf.run_as)) == NULL) {
		log_warnx("sessions.run_as: no such user '%s'",
		    mon->conf.run_as);
		return -1;
	}
	mon->run_as_uid = pw->pw_uid;
	mon->run_as_gid = pw->pw_gid;
	return 0;
}

int
main(int argc, char *argv[])
{
	static struct monitor	 m;
	const char		*cfgpath = NULL;
	char			 err[1024];
	int			 ch, checkonly = 0, writer = 0;

	argv = compat_init_setproctitle(argc, argv);
	mon = &m;
	m.unix_fd = m.tcp_fd = -1;
	TAILQ_INIT(&m.conns);
	TAILQ_INIT(&m.sessions);
	m.next_connid = 1;

	while ((ch = getopt(argc, argv, "Adf:nv")) != -1) {
		switch (ch) {
		case 'A':
			writer = 1;
			break;
		case 'd':
			m.foreground = 1;
			break;
		case 'f':
			cfgpath = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'v':
			m.verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();
	/* A role, not the monitor: it reads nothing but its descriptors. */
	if (writer)
		auditw_main(m.verbose);

	config_defaults(&m.conf);
	if (config_load(&m.conf, cfgpath, err, sizeof(err)) == -1) {
		fprintf(stderr, "agentsh-monitor: %s\n", err);
		return 1;
	}
	if (checkonly) {
		if (m.verbose)
			config_print(&m.conf, stdout);
		printf("configuration OK\n");
		return 0;
	}
	if (geteuid() != 0)
		errx(1, "must be started as root (it creates sessions and "
		    "starts jailed helpers)");

	log_init(m.foreground ? LOG_TO_STDERR : LOG_TO_SYSLOG, m.verbose,
	    "agentsh-monitor");
	log_info("starting (config %s)", m.conf.path != NULL ? m.conf.path :
	    "built-in defaults");
	if (ipc_find_binary(AGENTSHD_NAME, AGENTSH_SBINDIR, err,
	    sizeof(err)) == -1)
		fatal("cannot find %s", AGENTSHD_NAME);
	if (m.conf.auth_type == CFG_AUTH_API_KEY) {
		if ((m.keys = keys_load(m.conf.api_keys_file, err,
		    sizeof(err))) == NULL)
			fatalx("%s", err);
	}
	if (mon_users_ensure() == -1 || lookup_run_as() == -1)
		fatalx("cannot set up the system users");
	if (setup_dirs() == -1)
		fatalx("cannot set up the data directories");
	if (mon_cgroup_setup() == -1)
		fatalx("cannot set up the cgroup subtree");
	if (mon_audit_setup() == -1)
		fatalx("cannot set up the audit log");
	/* Before any session exists: none may reach the API over TCP. */
	if (mon_apiguard_start() == -1)
		fatalx("cannot load the API guard");

	signal(SIGPIPE, SIG_IGN);
	if ((m.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	m.ev_sigchld = evsignal_new(m.base, SIGCHLD, sigchld_cb, NULL);
	m.ev_sigterm = evsignal_new(m.base, SIGTERM, stop_cb, NULL);
	m.ev_sigint = evsignal_new(m.base, SIGINT, stop_cb, NULL);
	m.ev_sighup = evsignal_new(m.base, SIGHUP, hup_cb, NULL);
	if (m.ev_sigchld == NULL || m.ev_sigterm == NULL ||
	    m.ev_sigint == NULL || m.ev_sighup == NULL ||
	    evsignal_add(m.ev_sigchld, NULL) == -1 ||
	    evsignal_add(m.ev_sigterm, NULL) == -1 ||
	    evsignal_add(m.ev_sigint, NULL) == -1 ||
	    evsignal_add(m.ev_sighup, NULL) == -1)
		fatalx("signal events");

	if (mon_listen_open() == -1)
		fatalx("cannot open the listeners");
	if (mon_sessions_load() == -1)
		fatalx("cannot load the session records");

	/* The writer first: the first events need somewhere to go. */
	mon_peer_init(&m.auditw, MON_PEER_AUDITW, "audit-writer",
	    mon_audit_start);
	if (m.auditw.start(&m.auditw) == -1)
		fatalx("cannot start the audit writer");
	mon_peer_init(&m.agentshd, MON_PEER_AGENTSHD, AGENTSHD_NAME,
	    mon_agentshd_start);
	if (m.agentshd.start(&m.agentshd) == -1)
		fatalx("cannot start agentshd");

	setproctitle("monitor");
	event_base_dispatch(m.base);

	mon_listen_close();
	mon_conn_drop_all();
	mon_space_stop_all();
	mon_peer_stop(&m.agentshd);
	/* Last: it writes out and syncs everything it was given. */
	mon_peer_stop(&m.auditw);
	mon_audit_free();
	mon_sessions_free();
	mon_apiguard_stop();
	keys_free(m.keys);
	config_free(&m.conf);
	log_info("stopped");
	return 0;
}
