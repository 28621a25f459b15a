/*
 * The session's view of the file system, built by the init in its own
 * mount namespace while it is still host root, then entered with
 * pivot_root(2):
 *
 *   /		a tmpfs, read-only once built, holding a bind of each of the
 *		host's top-level entries (so the host's tree is left alone:
 *		nothing is created on it, not even a mount point)
 *   workspace	the detached mount the monitor sent, at /workspace or its
 *		real path
 *   /dev	a tmpfs with null, zero, full, random, urandom and tty, a
 *		new devpts instance and a tmpfs for shm; no other device
 *   /proc	a fresh procfs (of the session's PID namespace), /proc/sys
 *		read-only
 *   /sys	a fresh sysfs, read-only; under /sys/fs/cgroup a read-only
 *		tmpfs and a fresh cgroup2 (the session's cgroup namespace)
 *		read-only; no v1 hierarchy is mounted
 *   masks	an empty read-only tmpfs over each of agentsh's directories
 *   marker	_PATH_AGENTSH_SESSION_MARKER, holding the session id
 *
 * Every mount point the init creates is in its own tmpfs; host paths it
 * mounts on (the workspace's real path, the masks) are resolved inside
 * the new root without following symbolic links.
 */
#include "compat.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/openat2.h>

#include "agentsh-unixwrap.h"
#include "ipc_log.h"
#include "pathnames.h"

#define UW_MAX_TOPLEVEL	 256

/* Where the new root is put together before pivot_root. */
static char	 stage[PATH_MAX];

struct toplevel {
	char		 name[NAME_MAX + 1];
	int		 tree;		/* detached clone, or -1 */
	char		*link;		/* symlink target, or NULL */
	int		 isdir;
};

static int	mfail(char *, size_t, const char *, ...)
		    __attribute__((format(printf, 3, 4)));

/* Formats "what: strerror(errno)" into err; returns -1. */
static int
mfail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list	 ap;
	char	 what[PATH_MAX + 64];
	int	 e = errno;

	va_start(ap, fmt);
	(void)vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	(void)snprintf(err, errlen, "%s: %s", what, strerror(e));
	errno = e;
	return -1;
}

static int
staged(char *buf, size_t len, const char *rel)
{
	if ((size_t)snprintf(buf, len, "%s/%s", stage, rel) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* Opens a path inside the new root, refusing symbolic links anywhere. */
static int
open_in_root(int rootfd, const char *path, uint64_t flags)
{
	struct open_how	 how;

	memset(&how, 0, sizeof(how));
	how.flags = flags | O_CLOEXEC;
	how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS |
	    RESOLVE_NO_MAGICLINKS;
	while (*path == '/')
		path++;
	return (int)syscall(SYS_openat2, rootfd, *path ? path : ".", &how,
	    sizeof(how));
}

/* A new mount of fstype with string options (name, value pairs),
 * detached: mount it with move_mount. */
static int
new_fs(const char *fstype, const char *const *opts, unsigned int attrs)
{
	int	 fs, mnt = -1, e;

	if ((fs = fsopen(fstype, FSOPEN_CLOEXEC)) == -1)
		return -1;
	for (; opts != NULL && *opts != NULL; opts += 2)
		if (fsconfig(fs, FSCONFIG_SET_STRING, opts[0], opts[1], 0)
		    == -1)
			goto out;
	if (fsconfig(fs, FSCONFIG_CMD_CREATE, NULL, NULL, 0) == -1)
		goto out;
	mnt = fsmount(fs, FSMOUNT_CLOEXEC, attrs);
out:
	e = errno;
	close(fs);
	errno = e;
	return mnt;
}

/* Attaches a detached mount on an open directory (or file). */
static int
attach(int mnt, int target)
{
	return move_mount(mnt, "", target, "",
	    MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

/* Makes a mount read-only (and nosuid, nodev, noexec unless 'dev'). */
static int
seal_ro(int fd, int dev)
{
	struct mount_attr	 ma;

	memset(&ma, 0, sizeof(ma));
	ma.attr_set = MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID |
	    (dev ? 0 : MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC);
	return mount_setattr(fd, "", AT_EMPTY_PATH, &ma, sizeof(ma));
}

static void
toplevel_free(struct toplevel *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (t[i].tree != -1)
			close(t[i].tree);
		free(t[i].link);
	}
	free(t);
}

/*
 * Clones each of the host's top-level entries before the staging tmpfs
 * hides one of them.  /proc, /dev and /sys are made fresh instead (/dev
 * is cloned only when hostdev is set); 'skip' is the workspace's mount
 * point when it is a top-level name of its own.
 */
static struct toplevel *
toplevel_snapshot(size_t *np, int hostdev, const char *skip, char *err,
    size_t errlen)
{
	struct toplevel	*t;
	struct dirent	*de;
	struct stat	 st;
	DIR		*d;
	char		 path[PATH_MAX];
	size_t		 n = 0;
	ssize_t		 l;

	if ((t = calloc(UW_MAX_TOPLEVEL, sizeof(*t))) == NULL) {
		mfail(err, errlen, "calloc");
		return NULL;
	}
	if ((d = opendir("/")) == NULL) {
		mfail(err, errlen, "opendir /");
		free(t);
		return NULL;
	}
	while ((de = readdir(d)) != NULL) {
		const char	*nm = de->d_name;

		if (strcmp(nm, ".") == 0 || strcmp(nm, "..") == 0 ||
		    strcmp(nm, "proc") == 0 || strcmp(nm, "sys") == 0 ||
		    (strcmp(nm, "dev") == 0 && !hostdev) ||
		    (skip != NULL && strcmp(nm, skip) == 0))
			continue;
		if (n == UW_MAX_TOPLEVEL) {
			(void)snprintf(err, errlen, "more than %d entries in /",
			    UW_MAX_TOPLEVEL);
			goto bad;
		}
		(void)snprintf(path, sizeof(path), "/%s", nm);
		if (lstat(path, &st) == -1)
			continue;
		(void)strlcpy(t[n].name, nm, sizeof(t[n].name));
		t[n].tree = -1;
		if (S_ISLNK(st.st_mode)) {
			if ((t[n].link = calloc(1, PATH_MAX)) == NULL ||
			    (l = readlink(path, t[n].link, PATH_MAX - 1)) == -1) {
				mfail(err, errlen, "readlink %s", path);
				n++;
				goto bad;
			}
		} else if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
			t[n].isdir = S_ISDIR(st.st_mode);
			if ((t[n].tree = open_tree(AT_FDCWD, path,
			    OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE |
			    AT_SYMLINK_NOFOLLOW)) == -1) {
				/* e.g. an unbindable mount: hidden, not fatal */
				log_warnx("%s is not carried into the session: "
				    "%s", path, strerror(errno));
				continue;
			}
		} else
			continue;	/* sockets, devices: not carried over */
		n++;
	}
	closedir(d);
	*np = n;
	return t;
bad:
	closedir(d);
	toplevel_free(t, n);
	return NULL;
}

/* The staging mount point: a directory of the host tree (already cloned
 * above) that the new root's tmpfs covers in this namespace only. */
static int
pick_stage(char *err, size_t errlen)
{
	static const char *const cand[] = { "/tmp", "/mnt", "/run", "/var" };
	struct stat	 st;

	for (size_t i = 0; i < nitems(cand); i++)
		if (lstat(cand[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			(void)strlcpy(stage, cand[i], sizeof(stage));
			return 0;
		}
	(void)snprintf(err, errlen, "no directory to build the root on");
	return -1;
}

static int
populate_root(int rootfd, struct toplevel *t, size_t n, char *err,
    size_t errlen)
{
	int	 fd;

	for (size_t i = 0; i < n; i++) {
		if (t[i].link != NULL) {
			if (symlinkat(t[i].link, rootfd, t[i].name) == -1)
				return mfail(err, errlen, "symlink /%s",
				    t[i].name);
			continue;
		}
		if (t[i].isdir) {
			if (mkdirat(rootfd, t[i].name, 0755) == -1)
				return mfail(err, errlen, "mkdir /%s",
				    t[i].name);
		} else {
			if ((fd = openat(rootfd, t[i].name, O_WRONLY |
			    O_CREAT | O_EXCL | O_CLOEXEC, 0644)) == -1)
				return mfail(err, errlen, "create /%s",
				    t[i].name);
			close(fd);
		}
		if (move_mount(t[i].tree, "", rootfd, t[i].name,
		    MOVE_MOUNT_F_EMPTY_PATH) == -1)
			return mfail(err, errlen, "mounting /%s", t[i].name);
	}
	return 0;
}

static int
mount_workspace(int rootfd, const struct uw_setup *su, char *err,
    size_t errlen)
{
	int	 fd, rc;

	if ((fd = open_in_root(rootfd, su->mount_path, O_PATH | O_DIRECTORY))
	    == -1 && errno == ENOENT && strchr(su->mount_path + 1, '/') ==
	    NULL) {
		/* /workspace: a mount point of our own */
		if (mkdirat(rootfd, su->mount_path + 1, 0755) == -1)
			return mfail(err, errlen, "mkdir %s", su->mount_path);
		fd = open_in_root(rootfd, su->mount_path, O_PATH |
		    O_DIRECTORY);
	}
	if (fd == -1)
		return mfail(err, errlen, "workspace mount point %s",
		    su->mount_path);
	rc = attach(su->workspace_fd, fd);
	close(fd);
	if (rc == -1)
		return mfail(err, errlen, "mounting the workspace on %s",
		    su->mount_path);
	return 0;
}

static int
mount_proc(int rootfd, const struct uw_setup *su, char *err, size_t errlen)
{
	char	 p[PATH_MAX], ps[PATH_MAX];
	int	 fd;

	if (mkdirat(rootfd, "proc", 0555) == -1 || staged(p, sizeof(p),
	    "proc") == -1 || mount("proc", p, "proc", MS_NOSUID | MS_NODEV |
	    MS_NOEXEC, NULL) == -1)
		return mfail(err, errlen, "mounting /proc");
	if (su->flags & IPC_INIT_F_RW_PROCSYS) {
		log_warnx("regress: /proc/sys left writable");
		return 0;
	}
	/* /proc/sys read-only: a bind of itself, sealed */
	if (staged(ps, sizeof(ps), "proc/sys") == -1 ||
	    (fd = open_tree(AT_FDCWD, ps, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC))
	    == -1)
		return mfail(err, errlen, "cloning /proc/sys");
	if (seal_ro(fd, 0) == -1 || move_mount(fd, "", AT_FDCWD, ps,
	    MOVE_MOUNT_F_EMPTY_PATH) == -1) {
		close(fd);
		return mfail(err, errlen, "mounting /proc/sys read-only");
	}
	close(fd);
	return 0;
}

static int
mount_dev(int rootfd, char *err, size_t errlen)
{
	static const struct {
		const char	*name;
		unsigned int	 maj, min;
	} nodes[] = {
		{ "null", 1, 3 }, { "zero", 1, 5 }, { "full", 1, 7 },
		{ "random", 1, 8 }, { "urandom", 1, 9 }, { "tty", 5, 0 },
	};
	static const struct {
		const char	*name, *target;
	} links[] = {
		{ "ptmx", "pts/ptmx" }, { "fd", "/proc/self/fd" },
		{ "stdin", "/proc/self/fd/0" }, { "stdout", "/proc/self/fd/1" },
		{ "stderr", "/proc/self/fd/2" },
	};
	static const char *const devopts[] = { "mode", "0755", "size", "64k",
	    NULL };
	static const char *const ptsopts[] = { "ptmxmode", "0666",
	    "mode", "0620", NULL };
	static const char *const shmopts[] = { "mode", "1777", NULL };
	int	 mnt = -1, dev = -1, fd = -1, rc = -1;

	if (mkdirat(rootfd, "dev", 0755) == -1 ||
	    (fd = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_CLOEXEC))
	    == -1 ||
	    (mnt = new_fs("tmpfs", devopts, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NOEXEC)) == -1 || attach(mnt, fd) == -1) {
		mfail(err, errlen, "mounting /dev");
		goto out;
	}
	close(fd);
	fd = -1;
	if ((dev = openat(rootfd, "dev", O_PATH | O_DIRECTORY | O_CLOEXEC))
	    == -1) {
		mfail(err, errlen, "opening /dev");
		goto out;
	}
	for (size_t i = 0; i < nitems(nodes); i++)
		if (mknodat(dev, nodes[i].name, S_IFCHR | 0666,
		    makedev(nodes[i].maj, nodes[i].min)) == -1) {
			mfail(err, errlen, "mknod /dev/%s", nodes[i].name);
			goto out;
		}
	for (size_t i = 0; i < nitems(links); i++)
		if (symlinkat(links[i].target, dev, links[i].name) == -1) {
			mfail(err, errlen, "symlink /dev/%s", links[i].name);
			goto out;
		}
	close(mnt);
	mnt = -1;
	if (mkdirat(dev, "pts", 0755) == -1 ||
	    (fd = openat(dev, "pts", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (mnt = new_fs("devpts", ptsopts, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NOEXEC)) == -1 || attach(mnt, fd) == -1) {
		mfail(err, errlen, "mounting /dev/pts");
		goto out;
	}
	close(fd);
	close(mnt);
	fd = mnt = -1;
	if (mkdirat(dev, "shm", 01777) == -1 ||
	    (fd = openat(dev, "shm", O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (mnt = new_fs("tmpfs", shmopts, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) == -1 ||
	    attach(mnt, fd) == -1) {
		mfail(err, errlen, "mounting /dev/shm");
		goto out;
	}
	/* Nothing new in /dev itself; its nodes stay usable. */
	if (seal_ro(dev, 1) == -1) {
		mfail(err, errlen, "making /dev read-only");
		goto out;
	}
	rc = 0;
out:
	if (mnt != -1)
		close(mnt);
	if (fd != -1)
		close(fd);
	if (dev != -1)
		close(dev);
	return rc;
}

/* Only /sys/fs/cgroup itself or one directory below it. */
static int
valid_cgroup_path(const char *p)
{
	static const char	 base[] = "/sys/fs/cgroup";
	size_t			 bl = sizeof(base) - 1;

	if (strncmp(p, base, bl) != 0)
		return 0;
	if (p[bl] == '\0')
		return 1;
	if (p[bl] != '/' || p[bl + 1] == '\0')
		return 0;
	for (p += bl + 1; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
		    *p == '_' || *p == '-'))
			return 0;
	return 1;
}

static int
mount_sys(int rootfd, const struct uw_setup *su, char *err, size_t errlen)
{
	static const char *const tmpopts[] = { "mode", "0755", "size", "4k",
	    NULL };
	char	 p[PATH_MAX];
	int	 fd = -1, mnt = -1, cg = -1, rc = -1;
	const char *sub = NULL;

	if (!valid_cgroup_path(su->cgroup_path)) {
		(void)snprintf(err, errlen, "bad cgroup path %s",
		    su->cgroup_path);
		return -1;
	}
	if (su->cgroup_path[sizeof("/sys/fs/cgroup") - 1] == '/')
		sub = su->cgroup_path + sizeof("/sys/fs/cgroup");
	if (mkdirat(rootfd, "sys", 0555) == -1 || staged(p, sizeof(p),
	    "sys") == -1 || mount("sysfs", p, "sysfs", MS_RDONLY | MS_NOSUID |
	    MS_NODEV | MS_NOEXEC, NULL) == -1) {
		mfail(err, errlen, "mounting /sys");
		goto out;
	}
	if ((cg = open_in_root(rootfd, "/sys/fs/cgroup", O_PATH |
	    O_DIRECTORY)) == -1) {
		mfail(err, errlen, "/sys/fs/cgroup");
		goto out;
	}
	if (sub != NULL) {
		/* a hybrid host's layout: the v2 hierarchy in a directory */
		if ((mnt = new_fs("tmpfs", tmpopts, MOUNT_ATTR_NOSUID |
		    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC)) == -1 ||
		    attach(mnt, cg) == -1) {
			mfail(err, errlen, "mounting /sys/fs/cgroup");
			goto out;
		}
		close(mnt);
		mnt = -1;
		close(cg);
		if ((cg = open_in_root(rootfd, "/sys/fs/cgroup", O_PATH |
		    O_DIRECTORY)) == -1 || mkdirat(cg, sub, 0755) == -1 ||
		    seal_ro(cg, 0) == -1 ||
		    (fd = openat(cg, sub, O_PATH | O_DIRECTORY | O_CLOEXEC))
		    == -1) {
			mfail(err, errlen, "%s", su->cgroup_path);
			goto out;
		}
	} else {
		fd = cg;
		cg = -1;
	}
	if ((mnt = new_fs("cgroup2", NULL, MOUNT_ATTR_NOSUID |
	    MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC |
	    ((su->flags & IPC_INIT_F_RW_CGROUP) ? 0 : MOUNT_ATTR_RDONLY)))
	    == -1 || attach(mnt, fd) == -1) {
		mfail(err, errlen, "mounting cgroup2 on %s", su->cgroup_path);
		goto out;
	}
	if (su->flags & IPC_INIT_F_RW_CGROUP)
		log_warnx("regress: cgroup2 left writable");
	rc = 0;
out:
	if (mnt != -1)
		close(mnt);
	if (fd != -1)
		close(fd);
	if (cg != -1)
		close(cg);
	return rc;
}

/* Empty, read-only tmpfs over each of agentsh's own directories: a
 * read-only bind would still let a client connect to a socket in it. */
static int
mount_masks(int rootfd, const struct uw_setup *su, char *err, size_t errlen)
{
	static const char *const opts[] = { "mode", "0555", "size", "4k",
	    NULL };
	struct stat	 st;
	int		 fd, mnt;

	for (size_t i = 0; i < su->nmasks; i++) {
		const char	*m = su->masks[i];

		if (m[0] != '/' || strcmp(m, "/") == 0) {
			(void)snprintf(err, errlen, "bad mask path '%s'", m);
			return -1;
		}
		if ((fd = open_in_root(rootfd, m, O_PATH)) == -1) {
			if (errno == ENOENT)
				continue;	/* nothing there to hide */
			return mfail(err, errlen, "mask %s", m);
		}
		if (fstat(fd, &st) == -1 || !S_ISDIR(st.st_mode)) {
			close(fd);
			(void)snprintf(err, errlen, "mask %s: not a directory",
			    m);
			return -1;
		}
		if ((mnt = new_fs("tmpfs", opts, MOUNT_ATTR_RDONLY |
		    MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC))
		    == -1 || attach(mnt, fd) == -1) {
			if (mnt != -1)
				close(mnt);
			close(fd);
			return mfail(err, errlen, "mask over %s", m);
		}
		close(mnt);
		close(fd);
	}
	return 0;
}

static int
write_marker(int rootfd, const struct uw_setup *su, char *err, size_t errlen)
{
	char	 buf[IPC_ID_MAX + 2];
	int	 fd, n;

	n = snprintf(buf, sizeof(buf), "%s\n", su->id);
	if ((fd = openat(rootfd, _PATH_AGENTSH_SESSION_MARKER + 1, O_WRONLY |
	    O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0444)) == -1)
		return mfail(err, errlen, "%s", _PATH_AGENTSH_SESSION_MARKER);
	if (n < 0 || write(fd, buf, (size_t)n) != n) {
		close(fd);
		return mfail(err, errlen, "writing %s",
		    _PATH_AGENTSH_SESSION_MARKER);
	}
	close(fd);
	return 0;
}

int
uw_mounts_build(const struct uw_setup *su, char *err, size_t errlen)
{
	struct toplevel	*t = NULL;
	const char	*skip = NULL;
	size_t		 n = 0;
	int		 rootfd = -1, rc = -1, hostdev;

	hostdev = (su->flags & IPC_INIT_F_HOST_DEV) != 0;
	if (su->mount_path[0] != '/' || strcmp(su->mount_path, "/") == 0 ||
	    strstr(su->mount_path, "/../") != NULL) {
		(void)snprintf(err, errlen, "bad workspace path %s",
		    su->mount_path);
		return -1;
	}
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return mfail(err, errlen, "making mounts private");
	if (strchr(su->mount_path + 1, '/') == NULL)
		skip = su->mount_path + 1;
	if ((t = toplevel_snapshot(&n, hostdev, skip, err, errlen)) == NULL)
		return -1;
	if (pick_stage(err, errlen) == -1)
		goto out;
	if (mount("none", stage, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,"
	    "size=1m") == -1 ||
	    (rootfd = open(stage, O_PATH | O_DIRECTORY | O_CLOEXEC)) == -1) {
		mfail(err, errlen, "mounting the new root on %s", stage);
		goto out;
	}
	if (populate_root(rootfd, t, n, err, errlen) == -1 ||
	    mount_workspace(rootfd, su, err, errlen) == -1 ||
	    (!hostdev && mount_dev(rootfd, err, errlen) == -1) ||
	    mount_proc(rootfd, su, err, errlen) == -1 ||
	    mount_sys(rootfd, su, err, errlen) == -1)
		goto out;
	if (hostdev)
		log_warnx("regress: the host's /dev is visible");
	if (su->flags & IPC_INIT_F_NO_MASKS)
		log_warnx("regress: agentsh's directories are NOT masked");
	else if (mount_masks(rootfd, su, err, errlen) == -1)
		goto out;
	if (write_marker(rootfd, su, err, errlen) == -1)
		goto out;
	if (seal_ro(rootfd, 1) == -1) {
		mfail(err, errlen, "making / read-only");
		goto out;
	}
	rc = 0;
out:
	if (rootfd != -1)
		close(rootfd);
	toplevel_free(t, n);
	return rc;
}

/* Enters the new root; the host's tree is gone from this namespace. */
int
uw_mounts_pivot(char *err, size_t errlen)
{
	if (chdir(stage) == -1)
		return mfail(err, errlen, "chdir %s", stage);
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		return mfail(err, errlen, "pivot_root");
	if (umount2(".", MNT_DETACH) == -1)
		return mfail(err, errlen, "detaching the host's root");
	if (chdir("/") == -1)
		return mfail(err, errlen, "chdir /");
	return 0;
}
