/*
 * bench/audit-append: appends synthetic events through the audit writer
 * with integrity on (hmac-sha256) and prints events per second and the
 * append latency percentiles, on tmpfs and on disk.
 *
 *   audit-append [-n COUNT] [-a hmac-sha256|hmac-sha512] [-t DIR] [-d DIR]
 *
 * The loop is the audit writer's: append each event, and every 64 events
 * call the tick an event loop would (write the batch; fsync and update the
 * sidecar when 100 ms have passed).  A sample is one append plus, when it
 * falls there, that tick.  The total includes the final close (flush and
 * fsync).  As root it mounts its own tmpfs under a temporary directory
 * (and unmounts it); otherwise it uses /dev/shm.  The disk run uses
 * /var/tmp unless -d names a directory.
 */
#include "compat.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <err.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "audit.h"
#include "bench.h"

#define TMPFS_MAGIC_	0x01021994
#define TICK_EVERY	64

static void
rm_dir(const char *dir)
{
	static const char *names[] = { "audit.jsonl", "audit.jsonl.chain" };
	char		 p[PATH_MAX];

	for (size_t i = 0; i < nitems(names); i++) {
		snprintf(p, sizeof(p), "%s/%s", dir, names[i]);
		unlink(p);
	}
	for (int i = 1; i <= 5; i++) {
		snprintf(p, sizeof(p), "%s/audit.jsonl.%d", dir, i);
		unlink(p);
	}
}

static void
run(const char *label, const char *dir, long long n, enum audit_alg alg)
{
	struct audit_writer_conf c;
	struct audit_writer	*w;
	struct audit_key	*k;
	struct audit_buf	 ev = { 0 };
	struct statfs		 sfs;
	uint64_t		*lat, t0, t1, start, total;
	char			 msg[512];
	int			 dfd, next;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		err(1, "%s", dir);
	if (fstatfs(dfd, &sfs) == -1)
		err(1, "%s", dir);
	if ((k = audit_key_new("bench-key-of-thirty-two-bytes!!!", 32, alg,
	    msg, sizeof(msg))) == NULL)
		errx(1, "%s", msg);
	if ((lat = calloc((size_t)n, sizeof(*lat))) == NULL)
		err(1, NULL);
	audit_writer_conf_init(&c);
	c.dirfd = dfd;
	c.key = k;
	c.max_size = 0;		/* rotation is not what is measured */
	if ((w = audit_writer_open(&c, NULL, msg, sizeof(msg))) == NULL)
		errx(1, "%s: %s", dir, msg);

	start = now_ns();
	for (long long i = 0; i < n; i++) {
		audit_buf_reset(&ev);
		audit_buf_printf(&ev, "{\"id\":\"evt-%lld\",\"timestamp\":"
		    "\"2026-01-02T03:04:05.%09lldZ\",\"type\":\"file_open\","
		    "\"session_id\":\"session-6f1c2a9e-3b7d-4c1a-9e55-0d2b8f3a"
		    "7c41\",\"command_id\":\"cmd-%lld\",\"source\":\"fsd\","
		    "\"pid\":%lld,\"parent_pid\":4242,\"depth\":2,\"policy\":"
		    "{\"decision\":\"allow\",\"effective_decision\":\"allow\","
		    "\"rule\":\"allow-workspace\"},\"path\":\"/workspace/src/"
		    "module-%lld/file.c\",\"operation\":\"read\",\"fields\":"
		    "{\"flags\":\"O_RDONLY\",\"bytes\":%lld}}", i,
		    i % 1000000000, i / 16, 10000 + i % 30000, i % 97, i * 7);
		t0 = now_ns();
		if (audit_writer_append(w, ev.data, ev.len, msg,
		    sizeof(msg)) == -1)
			errx(1, "append: %s", msg);
		if (i % TICK_EVERY == TICK_EVERY - 1 &&
		    audit_writer_tick(w, &next, msg, sizeof(msg)) == -1)
			errx(1, "tick: %s", msg);
		t1 = now_ns();
		lat[i] = t1 - t0;
	}
	if (audit_writer_close(w, msg, sizeof(msg)) == -1)
		errx(1, "close: %s", msg);
	total = now_ns() - start;

	qsort(lat, (size_t)n, sizeof(*lat), cmp_u64);
	printf("audit-append %-6s %s (%s, %s): %lld events, %.0f events/s, "
	    "append p50 %.1f us, p99 %.1f us, p99.9 %.1f us, max %.1f us\n",
	    label, dir, sfs.f_type == TMPFS_MAGIC_ ? "tmpfs" : "not tmpfs",
	    audit_alg_name(alg), n, (double)n * 1e9 / (double)total,
	    lat[n / 2] / 1e3, lat[n * 99 / 100] / 1e3,
	    lat[n * 999 / 1000] / 1e3, lat[n - 1] / 1e3);
	fflush(stdout);
	rm_dir(dir);
	audit_buf_clear(&ev);
	free(lat);
	audit_key_free(k);
	close(dfd);
}

int
main(int argc, char *argv[])
{
	enum audit_alg	 alg = AUDIT_HMAC_SHA256;
	const char	*tdir = NULL, *ddir = NULL, *errstr;
	char		 mnt[] = "/tmp/audit-bench-tmpfs.XXXXXX";
	char		 disk[] = "/var/tmp/audit-bench.XXXXXX";
	long long	 n = 200000;
	int		 ch, mounted = 0;

	while ((ch = getopt(argc, argv, "a:d:n:t:")) != -1) {
		switch (ch) {
		case 'a':
			if (audit_alg_parse(optarg, &alg) == -1)
				errx(2, "-a %s: unsupported", optarg);
			break;
		case 'd':
			ddir = optarg;
			break;
		case 'n':
			n = strtonum(optarg, 1000, 100000000, &errstr);
			if (errstr != NULL)
				errx(2, "-n %s: %s", optarg, errstr);
			break;
		case 't':
			tdir = optarg;
			break;
		default:
			fprintf(stderr, "usage: audit-append [-n count] "
			    "[-a alg] [-t tmpfs-dir] [-d disk-dir]\n");
			return 2;
		}
	}

	if (tdir == NULL && geteuid() == 0 && mkdtemp(mnt) != NULL) {
		if (mount("audit-bench", mnt, "tmpfs", MS_NOSUID | MS_NODEV,
		    "size=2g,mode=0700") == 0) {
			tdir = mnt;
			mounted = 1;
		} else
			rmdir(mnt);
	}
	if (tdir == NULL)
		tdir = "/dev/shm";
	run("tmpfs", tdir, n, alg);
	if (mounted) {
		umount2(mnt, MNT_DETACH);
		rmdir(mnt);
	}

	if (ddir == NULL) {
		if (mkdtemp(disk) == NULL)
			err(1, "%s", disk);
		ddir = disk;
	}
	run("disk", ddir, n, alg);
	if (ddir == disk)
		rmdir(disk);
	return 0;
}
