/*
 * The suite's cgroup v2 subtree: <base>/monitor, <base>/helpers and
 * <base>/sessions/<id>/... (processes only in leaves).  cgroup v2 is used
 * for membership, kill and BPF attach; on hybrid hosts it may carry no
 * controllers at all, which is fine for those.  base is
 * sandbox.cgroups.base_path, or the service's own cgroup under systemd
 * (Delegate=yes), or <cgroup2 mount>/agentsh when started by hand.
 */
#include "compat.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/magic.h>

#include "monitor.h"
#include "pathnames.h"

#define CG2_PRIVATE_MOUNT	_PATH_AGENTSH_RUNDIR "/cgroup2"

/* mountinfo escapes blanks and backslashes as \ooo. */
static void
unescape(char *s)
{
	char	*d = s;

	for (; *s != '\0'; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else
			*d = *s;
	}
	*d = '\0';
}

/* Finds a cgroup2 mount and the hierarchy path at its root. */
static int
find_cg2(char *mnt, size_t mlen, char *root, size_t rlen)
{
	FILE	*f;
	char	*line = NULL, *sep, *fields[6], *save, *p;
	size_t	 cap = 0;
	int	 found = 0, i;

	if ((f = fopen("/proc/self/mountinfo", "re")) == NULL)
		return -1;
	while (!found && getline(&line, &cap, f) != -1) {
		if ((sep = strstr(line, " - ")) == NULL)
			continue;
		if (strncmp(sep + 3, "cgroup2 ", 8) != 0)
			continue;
		*sep = '\0';
		for (i = 0, p = strtok_r(line, " ", &save); p != NULL && i < 6;
		    p = strtok_r(NULL, " ", &save))
			fields[i++] = p;
		if (i < 5)
			continue;
		unescape(fields[3]);
		unescape(fields[4]);
		(void)strlcpy(root, fields[3], rlen);
		(void)strlcpy(mnt, fields[4], mlen);
		found = 1;
	}
	free(line);
	fclose(f);
	return found ? 0 : -1;
}

static int
is_cgroup2(const char *path)
{
	struct statfs	 sf;

	return statfs(path, &sf) == 0 && sf.f_type == CGROUP2_SUPER_MAGIC;
}

static int
mkdir_p(const char *path)
{
	char	 buf[PATH_MAX], *p;

	if (strlcpy(buf, path, sizeof(buf)) >= sizeof(buf))
		return -1;
	for (p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	return mkdir(buf, 0755) == -1 && errno != EEXIST ? -1 : 0;
}

static int
own_cgroup(char *buf, size_t len)
{
	FILE	*f;
	char	*line = NULL;
	size_t	 cap = 0;
	int	 rc = -1;

	if ((f = fopen("/proc/self/cgroup", "re")) == NULL)
		return -1;
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		if (strlcpy(buf, line + 3, len) < len)
			rc = 0;
		break;
	}
	free(line);
	fclose(f);
	return rc;
}

/* Writes val to dir/file (cgroup and /proc control files). */
int
mon_file_write(const char *dir, const char *file, const char *val)
{
	char	 path[PATH_MAX];
	int	 fd, rc = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, file) >=
	    sizeof(path))
		return -1;
	if ((fd = open(path, O_WRONLY | O_CLOEXEC)) == -1)
		return -1;
	if (write(fd, val, strlen(val)) != (ssize_t)strlen(val))
		rc = -1;
	close(fd);
	return rc;
}

int
mon_cgroup_setup(void)
{
	char	 root[PATH_MAX], own[PATH_MAX], sub[PATH_MAX];
	const char *subs[] = { "monitor", "helpers", "sessions" };
	size_t	 ml, rl;

	if (find_cg2(mon->cg_mount, sizeof(mon->cg_mount), root,
	    sizeof(root)) == -1) {
		/* A host without cgroup2 mounted: mount one of our own. */
		if (mkdir_p(CG2_PRIVATE_MOUNT) == -1 ||
		    mount("cgroup2", CG2_PRIVATE_MOUNT, "cgroup2",
		    MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1) {
			log_warn("no cgroup2 hierarchy, and mounting one at %s "
			    "failed", CG2_PRIVATE_MOUNT);
			return -1;
		}
		(void)strlcpy(mon->cg_mount, CG2_PRIVATE_MOUNT,
		    sizeof(mon->cg_mount));
		(void)strlcpy(root, "/", sizeof(root));
	}
	if (mon->conf.cgroups_base_path != NULL) {
		if (strlcpy(mon->cg_base, mon->conf.cgroups_base_path,
		    sizeof(mon->cg_base)) >= sizeof(mon->cg_base))
			return -1;
	} else if (getenv("INVOCATION_ID") != NULL &&
	    own_cgroup(own, sizeof(own)) == 0) {
		/* systemd with Delegate=yes: our unit's cgroup is ours. */
		rl = strcmp(root, "/") == 0 ? 0 : strlen(root);
		if ((size_t)snprintf(mon->cg_base, sizeof(mon->cg_base), "%s%s",
		    mon->cg_mount, own + rl) >= sizeof(mon->cg_base))
			return -1;
	} else if ((size_t)snprintf(mon->cg_base, sizeof(mon->cg_base),
	    "%s/agentsh", mon->cg_mount) >= sizeof(mon->cg_base))
		return -1;

	ml = strlen(mon->cg_mount);
	if (strncmp(mon->cg_base, mon->cg_mount, ml) != 0 ||
	    (mon->cg_base[ml] != '/' && mon->cg_base[ml] != '\0')) {
		log_warnx("sandbox.cgroups.base_path %s is not inside the "
		    "cgroup2 hierarchy at %s", mon->cg_base, mon->cg_mount);
		return -1;
	}
	/* The path as /proc/<pid>/cgroup shows it. */
	if ((size_t)snprintf(mon->cg_base_rel, sizeof(mon->cg_base_rel),
	    "%s%s", strcmp(root, "/") == 0 ? "" : root, mon->cg_base + ml) >=
	    sizeof(mon->cg_base_rel))
		return -1;
	if (mon->cg_base_rel[0] == '\0')
		(void)strlcpy(mon->cg_base_rel, "/", sizeof(mon->cg_base_rel));

	if (mkdir_p(mon->cg_base) == -1 || !is_cgroup2(mon->cg_base)) {
		log_warn("cgroup subtree %s", mon->cg_base);
		return -1;
	}
	for (size_t i = 0; i < nitems(subs); i++) {
		if ((size_t)snprintf(sub, sizeof(sub), "%s/%s", mon->cg_base,
		    subs[i]) >= sizeof(sub))
			return -1;
		if (mkdir(sub, 0755) == -1 && errno != EEXIST) {
			log_warn("mkdir %s", sub);
			return -1;
		}
	}
	/* Processes live in leaves only: the monitor moves into its own. */
	if ((size_t)snprintf(sub, sizeof(sub), "%s/monitor", mon->cg_base) >=
	    sizeof(sub))
		return -1;
	if (mon_file_write(sub, "cgroup.procs", "0") == -1) {
		log_warn("joining %s", sub);
		return -1;
	}
	log_info("cgroup subtree %s", mon->cg_base);
	return 0;
}

int
mon_cgroup_helpers_dir(char *buf, size_t len)
{
	if ((size_t)snprintf(buf, len, "%s/helpers/cgroup.procs",
	    mon->cg_base) >= len) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return 0;
}

/* 1 if pid's cgroup is in our sessions subtree (or unreadable), else 0. */
int
mon_cgroup_of_pid_in_sessions(pid_t pid)
{
	char	 path[64], *line = NULL, prefix[PATH_MAX];
	FILE	*f;
	size_t	 cap = 0, pl;
	int	 in = 1;

	(void)snprintf(path, sizeof(path), "/proc/%d/cgroup", (int)pid);
	if ((f = fopen(path, "re")) == NULL)
		return 1;
	pl = (size_t)snprintf(prefix, sizeof(prefix), "%s/sessions",
	    strcmp(mon->cg_base_rel, "/") == 0 ? "" : mon->cg_base_rel);
	while (getline(&line, &cap, f) != -1) {
		if (strncmp(line, "0::", 3) != 0)
			continue;
		line[strcspn(line, "\n")] = '\0';
		in = strncmp(line + 3, prefix, pl) == 0 &&
		    (line[3 + pl] == '\0' || line[3 + pl] == '/');
		break;
	}
	free(line);
	fclose(f);
	return in;
}
