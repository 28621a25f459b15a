/*
 * A session's space: its cgroups, its init and the namespaces the init
 * lives in (DESIGN.md section 2).
 *
 * Building one, the monitor
 *   - makes <base>/sessions/<id> and its init leaf;
 *   - has a child with the owner's credentials open the workspace
 *     (O_PATH, so the owner's own access decides), clones that directory
 *     into a detached mount (open_tree), nosuid and nodev, and for a root
 *     owner idmapped to the session's user namespace, whose root is an
 *     unprivileged host id (sessions.userns_uid_base), so files keep
 *     their host owners;
 *   - starts agentsh-unixwrap --init with clone3: new mount, IPC, UTS,
 *     PID and cgroup namespaces, born in sessions/<id> so its cgroup
 *     namespace is rooted there; before its exec it moves into the init
 *     leaf;
 *   - sends it the workspace, the user namespace and the set-up, and
 *     waits for its answer.
 * The init is an untrusted peer once it has answered: it may only report
 * on the commands the monitor gave it (mon_exec.c), and anything else
 * kills it.  An init that dies marks its session broken; it is never
 * started again behind the owner's back.  Destroying a session, or
 * stopping the monitor, kills the whole cgroup: the session's mounts
 * live in its own mount namespace and go with its last process.
 */
#include "compat.h"

#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <linux/sched.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "monitor.h"
#include "mon_space.h"
#include "pathnames.h"

#define SETUP_TIMEOUT_MS	 15000
#define OPEN_TIMEOUT_MS		 5000
#define CG_EMPTY_WAIT_MS	 3000

/* Regress-only switches the monitor applies itself (beside IPC_INIT_F_*). */
#define SW_NO_USERNS		 0x010000
#define SW_NO_PIDNS		 0x020000
#define SW_NO_CGROUPNS		 0x040000

enum {
	PHASE_SETUP = 0,
	PHASE_SERVE,
	PHASE_MAX
};

static void	init_setup_r(struct mon_peer *, struct ipc_msg *, void *);

static const struct mon_dispatch init_setup[] = {
	{ IPC_INIT_SETUP_R,	MON_PERMIT | MON_ONCE,	init_setup_r },
	{ 0, 0, NULL }
};

static const struct mon_dispatch init_serve[] = {
	{ IPC_INIT_EXEC_R,	MON_PERMIT,		mon_exec_init_exec_r },
	{ IPC_INIT_EXITED,	MON_PERMIT,		mon_exec_init_exited },
	{ 0, 0, NULL }
};

static const struct mon_dispatch *const init_table[PHASE_MAX] = {
	init_setup, init_serve
};

struct mon_space *
mon_space_of(struct mon_peer *p)
{
	return (struct mon_space *)(void *)((char *)p -
	    offsetof(struct mon_space, init));
}

/*
 * The regress-only switches (AGENTSH_REGRESS_*), each turning off exactly
 * one layer for the escape tests' positive controls.  Compiled only into
 * regress builds, and loud when on.
 */
static uint32_t
regress_switches(void)
{
	uint32_t	 sw = 0;
#ifdef AGENTSH_REGRESS
	static const struct {
		const char	*env;
		uint32_t	 flag;
		const char	*what;
	} tbl[] = {
		{ "AGENTSH_REGRESS_NO_FILTER", IPC_INIT_F_NO_FILTER,
		    "no session filter" },
		{ "AGENTSH_REGRESS_NO_LANDLOCK", IPC_INIT_F_NO_LANDLOCK,
		    "no Landlock scoping" },
		{ "AGENTSH_REGRESS_NO_MASKS", IPC_INIT_F_NO_MASKS,
		    "agentsh's directories not masked" },
		{ "AGENTSH_REGRESS_NO_MEMFD_NOEXEC", IPC_INIT_F_NO_MEMFD_NOEXEC,
		    "vm.memfd_noexec not set" },
		{ "AGENTSH_REGRESS_HOST_DEV", IPC_INIT_F_HOST_DEV,
		    "the host's /dev instead of a private one" },
		{ "AGENTSH_REGRESS_RW_PROCSYS", IPC_INIT_F_RW_PROCSYS,
		    "/proc/sys writable" },
		{ "AGENTSH_REGRESS_RW_CGROUP", IPC_INIT_F_RW_CGROUP,
		    "the session's cgroup2 writable" },
		{ "AGENTSH_REGRESS_NO_USERNS", SW_NO_USERNS,
		    "a root owner's commands run as HOST ROOT" },
		{ "AGENTSH_REGRESS_NO_PIDNS", SW_NO_PIDNS,
		    "no PID namespace" },
		{ "AGENTSH_REGRESS_NO_CGROUPNS", SW_NO_CGROUPNS,
		    "no cgroup namespace" },
	};

	for (size_t i = 0; i < nitems(tbl); i++)
		if (getenv(tbl[i].env) != NULL) {
			log_warnx("regress: %s: %s", tbl[i].env, tbl[i].what);
			sw |= tbl[i].flag;
		}
#endif
	return sw;
}

/* Kills every process in the cgroup and below. */
int
mon_space_cgroup_kill(const char *dir)
{
	if (mon_file_write(dir, "cgroup.kill", "1") == -1 && errno != ENOENT) {
		log_warn("%s/cgroup.kill", dir);
		return -1;
	}
	return 0;
}

static int
cg_populated(const char *dir)
{
	char	 path[PATH_MAX], line[64];
	FILE	*f;
	int	 pop = 0;

	(void)snprintf(path, sizeof(path), "%s/cgroup.events", dir);
	if ((f = fopen(path, "re")) == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, "populated ", 10) == 0)
			pop = line[10] == '1';
	fclose(f);
	return pop;
}

/* Removes a cgroup and those below it once their processes are gone. */
int
mon_space_cgroup_remove(const char *dir)
{
	struct dirent	*de;
	DIR		*d;
	char		 sub[PATH_MAX];
	int		 rc = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_type != DT_DIR || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", dir,
		    de->d_name) < sizeof(sub) &&
		    mon_space_cgroup_remove(sub) == -1)
			rc = -1;
	}
	closedir(d);
	/* cgroup.kill delivers SIGKILL; the processes take a moment. */
	for (int i = 0; i < CG_EMPTY_WAIT_MS / 10 && cg_populated(dir); i++)
		usleep(10000);
	if (rmdir(dir) == -1 && errno != ENOENT) {
		log_warn("rmdir %s", dir);
		rc = -1;
	}
	return rc;
}

/*
 * A user namespace mapping in-session ids 0..count-1 to the host's
 * sessions.userns_uid_base.., made by a short-lived child: kept as a
 * descriptor for the workspace's idmapped mount and for the init to
 * enter.  setgroups is denied in it.
 */
static int
make_userns(char *err, size_t errlen)
{
	struct clone_args	 ca;
	sigset_t		 all, old;
	char			 path[64], map[64];
	int			 p[2], fd = -1, ok = 1, st;
	pid_t			 pid;
	static const char *const files[] = { "uid_map", "setgroups",
	    "gid_map" };

	if (pipe2(p, O_CLOEXEC) == -1) {
		(void)snprintf(err, errlen, "pipe: %s", strerror(errno));
		return -1;
	}
	memset(&ca, 0, sizeof(ca));
	ca.flags = CLONE_NEWUSER;
	ca.exit_signal = SIGCHLD;
	sigfillset(&all);
	sigprocmask(SIG_SETMASK, &all, &old);
	pid = (pid_t)syscall(SYS_clone3, &ca, sizeof(ca));
	if (pid == 0) {
		char	 c;

		close(p[1]);
		/* Lives until the parent closes its end. */
		if (read(p[0], &c, 1) == -1)
			_exit(1);
		_exit(0);
	}
	sigprocmask(SIG_SETMASK, &old, NULL);
	close(p[0]);
	if (pid == -1) {
		(void)snprintf(err, errlen, "clone3(CLONE_NEWUSER): %s",
		    strerror(errno));
		close(p[1]);
		return -1;
	}
	(void)snprintf(map, sizeof(map), "0 %lu %lu\n",
	    (unsigned long)mon->conf.userns_uid_base,
	    (unsigned long)mon->conf.userns_uid_count);
	for (size_t i = 0; i < nitems(files) && ok; i++) {
		char	 dir[32];

		(void)snprintf(dir, sizeof(dir), "/proc/%d", (int)pid);
		if (mon_file_write(dir, files[i], i == 1 ? "deny" : map) == -1) {
			(void)snprintf(err, errlen, "writing %s: %s", files[i],
			    strerror(errno));
			ok = 0;
		}
	}
	(void)snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	if (ok && (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		(void)snprintf(err, errlen, "%s: %s", path, strerror(errno));
	close(p[1]);
	(void)waitpid(pid, &st, 0);
	return fd;
}

/*
 * The workspace as its owner may use it: a child with the owner's
 * credentials opens it (O_PATH: no symlink games decide for root) and
 * checks it can read and search it, then hands the descriptor over.
 */
static int
open_workspace(const struct mon_session *s, char *err, size_t errlen)
{
	struct ipc_chan	 ch;
	struct ipc_msg	 m;
	int		 sv[2], fd = -1, st, r;
	pid_t		 pid;

	if (ipc_socketpair(sv) == -1) {
		(void)snprintf(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) == -1) {
		(void)snprintf(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (mon_users_become(s->owner_uid, s->owner_gid) == -1)
			_exit(EPERM);
		if ((fd = open(s->workspace, O_PATH | O_DIRECTORY |
		    O_CLOEXEC)) == -1)
			_exit(errno);
		if (faccessat(fd, "", R_OK | X_OK, AT_EMPTY_PATH |
		    AT_EACCESS) == -1)
			_exit(errno);
		if (ipc_chan_init(&ch, sv[1], IPC_CHAN_FDPASS) == -1 ||
		    ipc_send_sync(&ch, IPC_INIT_WORKSPACE, 0, fd, NULL, 0,
		    OPEN_TIMEOUT_MS) == -1)
			_exit(EIO);
		_exit(0);
	}
	close(sv[1]);
	if (ipc_chan_init(&ch, sv[0], IPC_CHAN_FDPASS) == -1) {
		close(sv[0]);
		kill(pid, SIGKILL);
	} else {
		/* A hung file system must not hang the monitor. */
		r = ipc_recv_sync(&ch, &m, OPEN_TIMEOUT_MS);
		if (r == 1 && m.hdr.type == IPC_INIT_WORKSPACE)
			fd = ipc_msg_take_fd(&m);
		if (r == 1)
			ipc_msg_clear(&m);
		if (fd == -1)
			kill(pid, SIGKILL);
		ipc_chan_clear(&ch);
	}
	(void)waitpid(pid, &st, 0);
	if (fd == -1) {
		(void)snprintf(err, errlen, "workspace %s: %s", s->workspace,
		    WIFEXITED(st) && WEXITSTATUS(st) != 0 ?
		    strerror(WEXITSTATUS(st)) : "could not be opened");
		return -1;
	}
	return fd;
}

/* The detached mount the init attaches: nosuid, nodev, idmapped for a
 * root owner. */
static int
workspace_tree(const struct mon_session *s, int userns, char *err,
    size_t errlen)
{
	struct mount_attr	 ma;
	int			 dir, tree;

	if ((dir = open_workspace(s, err, errlen)) == -1)
		return -1;
	tree = open_tree(dir, "", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC |
	    AT_EMPTY_PATH);
	close(dir);
	if (tree == -1) {
		(void)snprintf(err, errlen, "workspace %s: open_tree: %s",
		    s->workspace, strerror(errno));
		return -1;
	}
	memset(&ma, 0, sizeof(ma));
	ma.attr_set = MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV;
	if (userns != -1) {
		ma.attr_set |= MOUNT_ATTR_IDMAP;
		ma.userns_fd = (uint64_t)userns;
	}
	if (mount_setattr(tree, "", AT_EMPTY_PATH, &ma, sizeof(ma)) == -1) {
		(void)snprintf(err, errlen, "workspace %s: %s%s", s->workspace,
		    userns != -1 ? "idmapped mount: " : "", strerror(errno));
		close(tree);
		return -1;
	}
	return tree;
}

/* Directories holding agentsh's own state, which no session may see: a
 * shared system directory is never one of them. */
static int
shared_dir(const char *p)
{
	static const char *const shared[] = { "/var/lib", "/var/log",
	    "/var/run", "/var/tmp", "/var/cache", "/usr/lib", "/usr/share",
	    "/usr/local", "/usr/local/etc", "/usr/local/var" };

	if (strcmp(p, "/") == 0 || strchr(p + 1, '/') == NULL)
		return 1;	/* "/" and every top-level directory */
	for (size_t i = 0; i < nitems(shared); i++)
		if (strcmp(p, shared[i]) == 0)
			return 1;
	return 0;
}

static void
add_mask(char **v, size_t *n, size_t max, const char *path, int dirof)
{
	char	 buf[PATH_MAX], res[PATH_MAX];

	if (path == NULL || path[0] != '/' ||
	    strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return;
	if (realpath(dirof ? dirname(buf) : buf, res) == NULL)
		return;		/* nothing there to hide */
	if (shared_dir(res)) {
		log_debug("%s: a shared directory, not masked in sessions",
		    res);
		return;
	}
	for (size_t i = 0; i < *n; i++)
		if (strcmp(v[i], res) == 0)
			return;
	if (*n < max && (v[*n] = strdup(res)) != NULL)
		(*n)++;
}

static size_t
mask_dirs(char **v, size_t max)
{
	const struct mon_config	*c = &mon->conf;
	size_t			 n = 0;

	add_mask(v, &n, max, c->unix_path, 1);
	add_mask(v, &n, max, mon->data_dir, 0);
	add_mask(v, &n, max, c->sessions_base_dir, 0);
	add_mask(v, &n, max, c->audit_output, 1);
	add_mask(v, &n, max, c->integrity_key_file, 1);
	add_mask(v, &n, max, c->path, 1);
	add_mask(v, &n, max, _PATH_AGENTSH_CONFDIR, 0);
	add_mask(v, &n, max, c->policies_dir, 0);
	add_mask(v, &n, max, c->api_keys_file, 1);
	return n;
}

/* Where the session sees its cgroup2: the host's place, if it is under
 * /sys/fs/cgroup, else /sys/fs/cgroup itself. */
static const char *
session_cgroup_path(void)
{
	static const char	 base[] = "/sys/fs/cgroup";

	if (strncmp(mon->cg_mount, base, sizeof(base) - 1) == 0 &&
	    (mon->cg_mount[sizeof(base) - 1] == '\0' ||
	    (mon->cg_mount[sizeof(base) - 1] == '/' &&
	    strchr(mon->cg_mount + sizeof(base), '/') == NULL)))
		return mon->cg_mount;
	return base;
}

struct init_child_arg {
	char		 procs[PATH_MAX];	/* sessions/<id>/init */
};

/* In the clone, before the exec: into the init leaf (its cgroup
 * namespace stays rooted at the session), and gone with the monitor. */
static int
init_child_setup(void *a)
{
	struct init_child_arg	*arg = a;
	int			 fd;

	if ((fd = open(arg->procs, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, "0", 1) != 1) {
		close(fd);
		return -1;
	}
	close(fd);
	return prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static void
init_setup_r(struct mon_peer *p, struct ipc_msg *m, void *st)
{
	struct ipc_init_setup_r	*r = st;
	struct mon_space	*sp = mon_space_of(p);
	uint32_t		 layers = 0;

	if (!r->ok) {
		(void)snprintf(sp->failure, sizeof(sp->failure),
		    "the session init could not set up: %s", r->error);
		return;
	}
	for (uint32_t i = 0; i < r->layers.n; i++) {
		if (strcmp(r->layers.v[i], "filter") == 0)
			layers |= MON_LAYER_FILTER;
		else if (strcmp(r->layers.v[i], "landlock-scope") == 0)
			layers |= MON_LAYER_LANDLOCK;
		else {
			mon_peer_kill(p, "unknown layer in its set-up answer");
			return;
		}
	}
	sp->layers |= layers;
	sp->ready = 1;
	p->phase = PHASE_SERVE;
}

static void
space_free(struct mon_space *sp)
{
	if (sp == NULL)
		return;
	if (sp->init.ev_restart != NULL)
		event_free(sp->init.ev_restart);
	free(sp);
}

/* Kills the space's processes, waits (bounded) for its init. */
static void
space_end(struct mon_space *sp, const char *why)
{
	int	 st;

	sp->stopping = 1;
	(void)mon_space_cgroup_kill(sp->cgdir);
	if (sp->init.running) {
		mon_peer_kill(&sp->init, NULL);
		for (int i = 0; i < CG_EMPTY_WAIT_MS / 10; i++) {
			if (waitpid(sp->init.pid, &st, WNOHANG) ==
			    sp->init.pid) {
				mon_peer_reaped(&sp->init, st);
				break;
			}
			usleep(10000);
		}
	}
	mon_exec_abort_all(sp, why);
	(void)mon_space_cgroup_remove(sp->cgdir);
}

/* The init died on its own: the session is broken, and stays so; unless
 * the suite is stopping (it is rebuilt on its next use then). */
static void
init_exit(struct mon_peer *p, int status)
{
	struct mon_space	*sp = mon_space_of(p);
	struct mon_session	*s = sp->s;
	char			 why[160];

	if (WIFSIGNALED(status))
		(void)snprintf(why, sizeof(why), "the session init died of %s",
		    mon_peer_signame(WTERMSIG(status)));
	else
		(void)snprintf(why, sizeof(why), "the session init exited "
		    "with status %d", WEXITSTATUS(status));
	if (sp->stopping) {
		log_debug("%s[%d]: %s", p->name, (int)p->pid, why);
		return;
	}
	space_end(sp, why);
	s->space = NULL;
	space_free(sp);
	if (mon->stopping)
		return;
	log_warnx("session %s: %s; it is now broken", s->id, why);
	mon_session_set_broken(s, why);
}

/* Builds the session's space; on failure nothing of it is left. */
int
mon_space_start(struct mon_session *s, char *err, size_t errlen)
{
	struct init_child_arg	 ica;
	struct ipc_init_setup	 su;
	struct ipc_spawn	 spw;
	struct mon_space	*sp;
	struct ipc_msg		 m;
	struct pollfd		 pfd;
	char			 path[PATH_MAX], *masks[IPC_INIT_MASKS_MAX];
	char			*argv[4];
	gid_t			*groups = NULL;
	uint32_t		 sw, *g32 = NULL;
	size_t			 nmasks = 0, ngroups = 0;
	int			 userns = -1, tree = -1, cgfd = -1, argc = 0;
	int			 r;

	if (s->space != NULL)
		return 0;
	err[0] = '\0';
	sw = regress_switches();
	if ((sp = calloc(1, sizeof(*sp))) == NULL)
		fatal("calloc");
	sp->s = s;
	TAILQ_INIT(&sp->cmds);
	(void)snprintf(sp->name, sizeof(sp->name), "init:%s", s->id);
	mon_peer_init(&sp->init, MON_PEER_INIT, sp->name, NULL);
	sp->init.on_exit = init_exit;
	sp->init.table = init_table;
	sp->init.nphases = PHASE_MAX;
	sp->initflags = sw & IPC_INIT_F_ALL;

	/* Room left for the leaves' names and their files. */
	if ((size_t)snprintf(sp->cgdir, sizeof(sp->cgdir), "%s/sessions/%s",
	    mon->cg_base, s->id) >= sizeof(sp->cgdir) - 64) {
		(void)snprintf(err, errlen, "cgroup path too long");
		goto fail;
	}
	/* Left over from a monitor that did not stop cleanly. */
	(void)mon_space_cgroup_kill(sp->cgdir);
	(void)mon_space_cgroup_remove(sp->cgdir);
	if ((size_t)snprintf(ica.procs, sizeof(ica.procs),
	    "%s/init/cgroup.procs", sp->cgdir) >= sizeof(ica.procs) ||
	    (size_t)snprintf(path, sizeof(path), "%s/init", sp->cgdir) >=
	    sizeof(path) ||
	    mkdir(sp->cgdir, 0755) == -1 || mkdir(path, 0755) == -1 ||
	    (cgfd = open(sp->cgdir, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		(void)snprintf(err, errlen, "cgroup %s: %s", sp->cgdir,
		    strerror(errno));
		goto fail;
	}
	if (s->owner_uid == 0 && !(sw & SW_NO_USERNS)) {
		if ((userns = make_userns(err, errlen)) == -1)
			goto fail;
		sp->initflags |= IPC_INIT_F_USERNS;
	}
	if ((tree = workspace_tree(s, userns, err, errlen)) == -1)
		goto fail;
	if (mon_apiguard_refresh() == -1) {
		(void)snprintf(err, errlen, "the API guard's address list "
		    "could not be refreshed");
		goto fail;
	}

	if (ipc_find_binary(AGENTSH_UNIXWRAP_NAME, AGENTSH_LIBEXECDIR, path,
	    sizeof(path)) == -1) {
		(void)snprintf(err, errlen, "%s: %s", AGENTSH_UNIXWRAP_NAME,
		    strerror(errno));
		goto fail;
	}
	argv[argc++] = "agentsh-unixwrap";
	argv[argc++] = "--init";
	if (mon->verbose)
		argv[argc++] = "-v";
	argv[argc] = NULL;
	memset(&spw, 0, sizeof(spw));
	spw.path = path;
	spw.argv = argv;
	spw.child_setup = init_child_setup;
	spw.setup_arg = &ica;
	spw.clone_flags = CLONE_NEWNS | CLONE_NEWIPC | CLONE_NEWUTS |
	    CLONE_INTO_CGROUP;
	if (!(sw & SW_NO_PIDNS))
		spw.clone_flags |= CLONE_NEWPID;
	if (!(sw & SW_NO_CGROUPNS))
		spw.clone_flags |= CLONE_NEWCGROUP;
	spw.cgroup_fd = cgfd;
	if (mon_peer_spawn_sp(&sp->init, &spw, IPC_CHAN_FDPASS) == -1) {
		(void)snprintf(err, errlen, "cannot start the session init: %s",
		    strerror(errno));
		goto fail;
	}
	close(cgfd);
	cgfd = -1;

	memset(&su, 0, sizeof(su));
	su.id = s->id;
	su.mount_path = s->mount_path;
	su.cgroup_path = session_cgroup_path();
	su.flags = sp->initflags;
	if (!(sp->initflags & IPC_INIT_F_USERNS)) {
		su.uid = s->owner_uid;
		su.gid = s->owner_gid;
		if ((groups = mon_users_groups(s->owner_uid, s->owner_gid,
		    &ngroups)) == NULL) {
			(void)snprintf(err, errlen, "the owner's groups: %s",
			    strerror(errno));
			goto fail;
		}
		if (ngroups > IPC_INIT_GROUPS_MAX)
			ngroups = IPC_INIT_GROUPS_MAX;
		if ((g32 = calloc(ngroups + 1, sizeof(*g32))) == NULL)
			fatal("calloc");
		for (size_t i = 0; i < ngroups; i++)
			g32[i] = (uint32_t)groups[i];
		su.groups.p = (const uint8_t *)g32;
		su.groups.len = (uint32_t)(ngroups * sizeof(*g32));
	}
	nmasks = mask_dirs(masks, nitems(masks));
	su.masks.n = (uint32_t)nmasks;
	su.masks.v = (const char **)masks;

	r = mon_peer_send(&sp->init, IPC_INIT_WORKSPACE, 0, tree, NULL);
	tree = -1;
	if (r == 0 && userns != -1) {
		r = mon_peer_send(&sp->init, IPC_INIT_USERNS, 0, userns, NULL);
		userns = -1;
	}
	if (r == 0)
		r = mon_peer_send(&sp->init, IPC_INIT_SETUP, 0, -1, &su);
	while (r == 0 && (r = ipc_flush(&sp->init.chan)) == 1) {
		pfd.fd = sp->init.chan.fd;
		pfd.events = POLLOUT;
		r = poll(&pfd, 1, SETUP_TIMEOUT_MS) == 1 ? 0 : -1;
	}
	if (r == -1) {
		(void)snprintf(err, errlen, "cannot send the set-up to the "
		    "session init");
		goto fail;
	}
	/* Its answer, before anything else: the set-up is synchronous. */
	while (!sp->ready && sp->failure[0] == '\0' && sp->init.running) {
		r = ipc_recv_sync(&sp->init.chan, &m, SETUP_TIMEOUT_MS);
		if (r != 1) {
			(void)snprintf(sp->failure, sizeof(sp->failure),
			    "the session init %s during set-up", r == 0 ?
			    "went away" : "did not answer");
			break;
		}
		mon_peer_dispatch(&sp->init, &m);
		ipc_msg_clear(&m);
	}
	if (!sp->ready) {
		(void)strlcpy(err, sp->failure[0] ? sp->failure :
		    "the session init failed", errlen);
		goto fail;
	}
	/* Every namespace and mount of the space in place (regress may
	 * leave one out): a root owner's needs its user namespace. */
	if ((sw & (SW_NO_PIDNS | SW_NO_CGROUPNS)) == 0 &&
	    (s->owner_uid != 0 || (sp->initflags & IPC_INIT_F_USERNS)) &&
	    (sp->initflags & (IPC_INIT_F_NO_MASKS | IPC_INIT_F_HOST_DEV |
	    IPC_INIT_F_RW_PROCSYS | IPC_INIT_F_RW_CGROUP |
	    IPC_INIT_F_NO_MEMFD_NOEXEC)) == 0)
		sp->layers |= MON_LAYER_NAMESPACES;
	s->space = sp;
	log_info("session %s: space built, init pid %d%s%s%s", s->id,
	    (int)sp->init.pid,
	    (sp->initflags & IPC_INIT_F_USERNS) ? ", user namespace" : "",
	    (sp->layers & MON_LAYER_FILTER) ? ", filter" : "",
	    (sp->layers & MON_LAYER_LANDLOCK) ? ", landlock scope" : "");
	goto out;
fail:
	log_warnx("session %s: %s", s->id, err);
	space_end(sp, err);
	space_free(sp);
	sp = NULL;
out:
	for (size_t i = 0; i < nmasks; i++)
		free(masks[i]);
	free(groups);
	free(g32);
	if (cgfd != -1)
		close(cgfd);
	if (tree != -1)
		close(tree);
	if (userns != -1)
		close(userns);
	return sp != NULL ? 0 : -1;
}

/* Ends a session's space on purpose (destroy, shutdown). */
void
mon_space_stop(struct mon_session *s, const char *why)
{
	struct mon_space	*sp = s->space;

	if (sp == NULL)
		return;
	log_info("session %s: stopping its space (%s)", s->id, why);
	space_end(sp, why);
	s->space = NULL;
	space_free(sp);
}

void
mon_space_stop_all(void)
{
	struct mon_session	*s;

	TAILQ_FOREACH(s, &mon->sessions, entry)
		mon_space_stop(s, "the server is stopping");
}

/* SIGCHLD: 1 if pid was a session's init. */
int
mon_space_reaped(pid_t pid, int status)
{
	struct mon_session	*s;

	TAILQ_FOREACH(s, &mon->sessions, entry)
		if (s->space != NULL && s->space->init.running &&
		    s->space->init.pid == pid) {
			mon_peer_reaped(&s->space->init, status);
			return 1;
		}
	return 0;
}

/* The layers enforcing the session's policy right now. */
size_t
mon_space_enforcement(const struct mon_session *s, const char **v,
    size_t max)
{
	const struct mon_space	*sp = s->space;
	size_t			 n = 0;

	if (sp == NULL || !sp->ready || max < 5)
		return 0;
	if (sp->layers & MON_LAYER_NAMESPACES)
		v[n++] = "namespaces";
	if (sp->layers & MON_LAYER_FILTER)
		v[n++] = "filter";
	if (sp->layers & MON_LAYER_LANDLOCK)
		v[n++] = "landlock-scope";
	if (mon_apiguard_active())
		v[n++] = "api-guard";
	/* agentshd decides every command it is asked to run before sending it. */
	v[n++] = "precheck";
	return n;
}
