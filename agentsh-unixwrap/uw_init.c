/*
 * The session init's set-up, in DESIGN.md section 2's order.  It starts
 * as host root in the namespaces the monitor made (PID, mount, IPC, UTS,
 * cgroup), already in its cgroup, with the workspace and, for a root
 * owner, the session's user namespace on its IPC channel.  While it holds
 * its capabilities it builds the session's file system view; then it
 * gives up everything and serves.
 *
 * One departure from the listed order: a root owner's user namespace is
 * entered (setns) before the capability sets are cleared, because
 * entering a user namespace resets the bounding set and the securebits.
 * The namespace is entered last of all host-root work, so the session's
 * mount, PID, IPC, UTS and cgroup namespaces stay owned by the host's
 * user namespace: in-session root holds no capability over them.
 */
#include "compat.h"

#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/capability.h>
#include <linux/securebits.h>

#include "agentsh-unixwrap.h"
#include "ipc_log.h"

#define SETUP_TIMEOUT_MS	 30000

static char *
xstrdup(const char *s)
{
	char	*p;

	if ((p = strdup(s)) == NULL)
		fatal("strdup");
	return p;
}

/* Reads the monitor's set-up: the descriptors first, then the setup. */
static void
receive_setup(struct ipc_chan *ch, struct uw_setup *su)
{
	struct ipc_init_setup	 st;
	struct ipc_msg		 m;
	char			 why[160];
	int			 done = 0;

	su->workspace_fd = su->userns_fd = -1;
	while (!done) {
		if (ipc_recv_sync(ch, &m, SETUP_TIMEOUT_MS) != 1)
			fatalx("no set-up from the monitor: %s", ch->why);
		switch (m.hdr.type) {
		case IPC_INIT_WORKSPACE:
			if (su->workspace_fd != -1)
				fatalx("two workspaces");
			su->workspace_fd = ipc_msg_take_fd(&m);
			break;
		case IPC_INIT_USERNS:
			if (su->userns_fd != -1)
				fatalx("two user namespaces");
			su->userns_fd = ipc_msg_take_fd(&m);
			break;
		case IPC_INIT_SETUP:
			if (ipc_decode(IPC_INIT_SETUP, m.data, m.datalen, &st,
			    why, sizeof(why)) == -1)
				fatalx("bad set-up: %s", why);
			su->id = xstrdup(st.id);
			su->mount_path = xstrdup(st.mount_path);
			su->cgroup_path = xstrdup(st.cgroup_path);
			su->flags = st.flags;
			su->uid = st.uid;
			su->gid = st.gid;
			if (st.groups.len % sizeof(uint32_t) != 0)
				fatalx("bad set-up: groups");
			su->ngroups = st.groups.len / sizeof(uint32_t);
			if ((su->groups = calloc(su->ngroups + 1,
			    sizeof(gid_t))) == NULL ||
			    (su->masks = calloc(st.masks.n + 1,
			    sizeof(char *))) == NULL)
				fatal("calloc");
			for (size_t i = 0; i < su->ngroups; i++) {
				uint32_t	 g;

				memcpy(&g, st.groups.p + i * sizeof(g),
				    sizeof(g));
				su->groups[i] = (gid_t)g;
			}
			for (uint32_t i = 0; i < st.masks.n; i++)
				su->masks[su->nmasks++] =
				    xstrdup(st.masks.v[i]);
			ipc_decoded_free(IPC_INIT_SETUP, &st);
			done = 1;
			break;
		default:
			fatalx("unexpected %s during set-up",
			    ipc_msg_name(m.hdr.type));
		}
		ipc_msg_clear(&m);
	}
	if (su->workspace_fd == -1)
		fatalx("no workspace");
	if ((su->flags & IPC_INIT_F_USERNS) != (su->userns_fd != -1))
		fatalx("user namespace flag and descriptor disagree");
}

static int
write_sysctl(const char *path, const char *val)
{
	int	 fd, rc = 0;

	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -1;
	close(fd);
	return rc;
}

static int
cap_last(void)
{
	char	 buf[16];
	int	 fd, n, v;

	if ((fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY |
	    O_CLOEXEC)) == -1)
		return CAP_LAST_CAP;
	n = (int)read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return CAP_LAST_CAP;
	buf[n] = '\0';
	v = atoi(buf);
	return v > 0 && v < 64 ? v : CAP_LAST_CAP;
}

/* Clears the bounding and ambient sets and locks the securebits. */
static int
drop_bounds(char *err, size_t errlen)
{
	unsigned long	 bits = SECBIT_NOROOT | SECBIT_NOROOT_LOCKED |
	    SECBIT_NO_SETUID_FIXUP | SECBIT_NO_SETUID_FIXUP_LOCKED |
	    SECBIT_KEEP_CAPS_LOCKED | SECBIT_NO_CAP_AMBIENT_RAISE |
	    SECBIT_NO_CAP_AMBIENT_RAISE_LOCKED;
	int		 last = cap_last();

	for (int cap = 0; cap <= last; cap++)
		if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) == -1 &&
		    errno != EINVAL) {
			(void)snprintf(err, errlen, "dropping capability %d "
			    "from the bounding set: %s", cap, strerror(errno));
			return -1;
		}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) == -1) {
		(void)snprintf(err, errlen, "clearing the ambient set: %s",
		    strerror(errno));
		return -1;
	}
	if (prctl(PR_SET_SECUREBITS, bits, 0, 0, 0) == -1) {
		(void)snprintf(err, errlen, "locking the securebits: %s",
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Empties the permitted, effective and inheritable sets. */
static int
drop_caps(char *err, size_t errlen)
{
	struct __user_cap_header_struct	 h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct	 d[2];

	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d) == -1) {
		(void)snprintf(err, errlen, "capset: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Takes the owner's ids: in-session root in the user namespace for a
 * root owner, the owner's own ids and groups otherwise. */
static int
take_ids(const struct uw_setup *su, char *err, size_t errlen)
{
	if (!(su->flags & IPC_INIT_F_USERNS) &&
	    setgroups(su->ngroups, su->groups) == -1) {
		(void)snprintf(err, errlen, "setgroups: %s", strerror(errno));
		return -1;
	}
	if (setresgid(su->gid, su->gid, su->gid) == -1 ||
	    setresuid(su->uid, su->uid, su->uid) == -1) {
		(void)snprintf(err, errlen, "taking uid %u gid %u: %s",
		    (unsigned int)su->uid, (unsigned int)su->gid,
		    strerror(errno));
		return -1;
	}
	return 0;
}

/* Enters the session's user namespace, with no supplementary group of
 * the host's left (setgroups is denied inside). */
static int
enter_userns(const struct uw_setup *su, char *err, size_t errlen)
{
	if (setgroups(0, NULL) == -1 || setns(su->userns_fd, CLONE_NEWUSER)
	    == -1) {
		(void)snprintf(err, errlen, "entering the user namespace: %s",
		    strerror(errno));
		return -1;
	}
	close(su->userns_fd);
	return 0;
}

static int
setup(struct uw_setup *su, char *err, size_t errlen, const char **layers,
    size_t *nlayers)
{
	struct sock_fprog	 prog = { 0, NULL };
	int			 rc = -1, r;

#ifndef AGENTSH_REGRESS
	if (!(su->flags & IPC_INIT_F_USERNS) && su->uid == 0) {
		(void)snprintf(err, errlen, "refusing to run commands as host "
		    "root");
		return -1;
	}
#endif
	/* No controlling terminal: nothing to inject keystrokes into. */
	if (setsid() == -1) {
		(void)snprintf(err, errlen, "setsid: %s", strerror(errno));
		return -1;
	}
	umask(0);
	/* Without a PID namespace (regress) orphans still come to us. */
	(void)prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
	if (!(su->flags & IPC_INIT_F_NO_FILTER) &&
	    uw_filter_build(&prog, err, errlen) == -1)
		return -1;
	if (uw_mounts_build(su, err, errlen) == -1)
		goto out;
	close(su->workspace_fd);
	su->workspace_fd = -1;
	/* Written before the pivot, through the old root's /proc (it
	 * applies to the writer's PID namespace: this session's). */
	if (su->flags & IPC_INIT_F_NO_MEMFD_NOEXEC)
		log_warnx("regress: vm.memfd_noexec left as it is");
	else if (getpid() != 1)
		/* Not our own PID namespace (regress): it would be the host's. */
		log_warnx("no PID namespace: vm.memfd_noexec left alone");
	else if (write_sysctl("/proc/sys/vm/memfd_noexec", "2") == -1) {
		(void)snprintf(err, errlen, "vm.memfd_noexec: %s",
		    strerror(errno));
		goto out;
	}
	if (uw_mounts_pivot(err, errlen) == -1)
		goto out;
	if (su->flags & IPC_INIT_F_NO_LANDLOCK)
		log_warnx("regress: no Landlock scoping");
	else if ((r = uw_landlock_scope(err, errlen)) == -1)
		goto out;
	else if (r == 1)
		log_warnx("Landlock ABI %d: abstract socket and signal "
		    "scoping need ABI 6; the session runs without them",
		    uw_landlock_abi());
	else
		layers[(*nlayers)++] = UW_LAYER_LANDLOCK;

	if ((su->flags & IPC_INIT_F_USERNS) &&
	    enter_userns(su, err, errlen) == -1)
		goto out;
	if (drop_bounds(err, errlen) == -1)
		goto out;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == -1) {
		(void)snprintf(err, errlen, "PR_SET_NO_NEW_PRIVS: %s",
		    strerror(errno));
		goto out;
	}
	if (take_ids(su, err, errlen) == -1 || drop_caps(err, errlen) == -1)
		goto out;
	/* A change of ids clears it: the init goes with the monitor. */
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (su->uid != 0 && setuid(0) != -1) {
		(void)snprintf(err, errlen, "could take uid 0 back");
		goto out;
	}
	/* Commands cannot read this process's memory nor ptrace it. */
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		(void)snprintf(err, errlen, "PR_SET_DUMPABLE: %s",
		    strerror(errno));
		goto out;
	}
	if (su->flags & IPC_INIT_F_NO_FILTER)
		log_warnx("regress: no session filter");
	else if (uw_filter_install(&prog, err, errlen) == -1)
		goto out;
	else
		layers[(*nlayers)++] = UW_LAYER_FILTER;
	umask(022);
	rc = 0;
out:
	uw_filter_free(&prog);
	return rc;
}

int
uw_init_main(int verbose)
{
	struct ipc_init_setup_r	 r;
	struct ipc_chan		 ch;
	struct uw_setup		 su;
	const char		*layers[4];
	size_t			 nlayers = 0;
	char			 err[IPC_ERRMSG_MAX];
	sigset_t		 chld;

	/* Only the monitor ends a session (cgroup.kill): a stray signal
	 * from the host, say systemd's SIGTERM to the whole unit, must not
	 * leave it broken.  Commands get every signal back at SIG_DFL. */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &chld, NULL) == -1)
		fatal("sigprocmask");
	if (ipc_chan_init(&ch, 3, IPC_CHAN_FDPASS) == -1)
		fatal("fd 3");
	memset(&su, 0, sizeof(su));
	receive_setup(&ch, &su);
	setproctitle("init %s", su.id);
	log_procname("init");

	memset(&r, 0, sizeof(r));
	err[0] = '\0';
	if (setup(&su, err, sizeof(err), layers, &nlayers) == -1) {
		log_warnx("set-up failed: %s", err);
		r.ok = 0;
		r.error = err;
		if (uw_send(&ch, IPC_INIT_SETUP_R, 0, &r) == -1)
			log_warn("reporting the failure");
		_exit(1);
	}
	r.ok = 1;
	r.error = "";
	r.layers.n = (uint32_t)nlayers;
	r.layers.v = layers;
	if (uw_send(&ch, IPC_INIT_SETUP_R, 0, &r) == -1)
		fatal("reporting set-up");
	log_debug("session %s ready, workspace at %s", su.id, su.mount_path);
	uw_serve(&ch);
}
