/*
 * The API guard's loader (DESIGN.md section 1): before the first session
 * exists, the monitor loads bpf/apiguard.bpf.c, tells it the API's port,
 * attaches its connect4 and connect6 programs to <base>/sessions through
 * BPF links (which always combine with other programs, as
 * BPF_F_ALLOW_MULTI does) and pins the links in bpffs.  Every process of
 * every session is then refused the API's TCP port on any spelling of a
 * local address.  The Unix socket is out of sight inside sessions (its
 * directory is masked) and the monitor refuses peers from sessions.
 *
 * The addresses the API listens on besides loopback (the one it binds,
 * or every local address when it binds a wildcard) are in a map,
 * refreshed before each session's space is built.
 */
#include "compat.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <linux/magic.h>
#include <linux/types.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "monitor.h"
#include "mon_space.h"
#include "bpf/apiguard.h"
#include "bpf/apiguard.skel.h"

#define BPFFS		 "/sys/fs/bpf"
#define PIN_DIR		 BPFFS "/agentsh"

static struct apiguard_bpf	*skel;
static struct bpf_link		*links[2];
static char			 pins[2][PATH_MAX];
static struct apiguard_addr	 bind_addr;
static int			 bind_wildcard;
static int			 active;

static int
libbpf_log(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	char	 buf[512];
	size_t	 n;

	if (level == LIBBPF_DEBUG)
		return 0;
	(void)vsnprintf(buf, sizeof(buf), fmt, ap);
	n = strlen(buf);
	while (n > 0 && buf[n - 1] == '\n')
		buf[--n] = '\0';
	log_debug("libbpf: %s", buf);
	return 0;
}

static int
ensure_bpffs(void)
{
	struct statfs	 sf;

	if (statfs(BPFFS, &sf) == 0 && sf.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", BPFFS, "bpf", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	    "mode=0700") == -1) {
		log_warn("mounting bpffs on %s", BPFFS);
		return -1;
	}
	log_info("mounted bpffs on %s", BPFFS);
	return 0;
}

static void
to_key(const struct sockaddr *sa, struct apiguard_addr *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		k->w[2] = htonl(0xffff);
		memcpy(&k->w[3], &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
	} else
		memcpy(k->w, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, 16);
}

/* server.http.addr (checked by the config parser): port and address. */
static int
parse_addr(const char *addr, uint16_t *port)
{
	struct sockaddr_in6	 s6;
	struct sockaddr_in	 s4;
	char			 host[256], *p;
	const char		*errstr;
	size_t			 l;

	if (strlcpy(host, addr, sizeof(host)) >= sizeof(host) ||
	    (p = strrchr(host, ':')) == NULL)
		return -1;
	*p++ = '\0';
	*port = (uint16_t)strtonum(p, 1, 65535, &errstr);
	if (errstr != NULL)
		return -1;
	if (host[0] == '[' && (l = strlen(host)) >= 2 && host[l - 1] == ']') {
		host[l - 1] = '\0';
		memmove(host, host + 1, l - 1);
	}
	memset(&s4, 0, sizeof(s4));
	memset(&s6, 0, sizeof(s6));
	if (host[0] == '\0') {
		bind_wildcard = 1;
	} else if (inet_pton(AF_INET, host, &s4.sin_addr) == 1) {
		s4.sin_family = AF_INET;
		bind_wildcard = s4.sin_addr.s_addr == INADDR_ANY;
		to_key((struct sockaddr *)&s4, &bind_addr);
	} else if (inet_pton(AF_INET6, host, &s6.sin6_addr) == 1) {
		s6.sin6_family = AF_INET6;
		bind_wildcard = IN6_IS_ADDR_UNSPECIFIED(&s6.sin6_addr);
		to_key((struct sockaddr *)&s6, &bind_addr);
	} else
		return -1;
	return 0;
}

static int
map_add(int mfd, const struct apiguard_addr *k)
{
	__u8	 one = 1;

	if (bpf_map_update_elem(mfd, k, &one, BPF_ANY) == -1) {
		log_warn("API guard: address map");
		return -1;
	}
	return 0;
}

/* The API's own address, and every local address if it binds a wildcard
 * (addresses come and go: read again before each session is built). */
int
mon_apiguard_refresh(void)
{
	struct ifaddrs		*ifa, *i;
	struct apiguard_addr	 k;
	int			 mfd, rc = 0;

	if (!active)
		return 0;
	mfd = bpf_map__fd(skel->maps.local_addrs);
	if (!bind_wildcard)
		return map_add(mfd, &bind_addr);
	if (getifaddrs(&ifa) == -1) {
		log_warn("getifaddrs");
		return -1;
	}
	for (i = ifa; i != NULL && rc == 0; i = i->ifa_next) {
		if (i->ifa_addr == NULL || (i->ifa_addr->sa_family != AF_INET &&
		    i->ifa_addr->sa_family != AF_INET6))
			continue;
		to_key(i->ifa_addr, &k);
		rc = map_add(mfd, &k);
	}
	freeifaddrs(ifa);
	return rc;
}

/* Pins are named after our cgroup subtree: test instances run side by
 * side, each with its own. */
static void
pin_names(void)
{
	uint64_t	 h = 1469598103934665603ULL;	/* FNV-1a */

	for (const char *p = mon->cg_base; *p != '\0'; p++)
		h = (h ^ (uint8_t)*p) * 1099511628211ULL;
	(void)snprintf(pins[0], sizeof(pins[0]), "%s/guard-%016llx-connect4",
	    PIN_DIR, (unsigned long long)h);
	(void)snprintf(pins[1], sizeof(pins[1]), "%s/guard-%016llx-connect6",
	    PIN_DIR, (unsigned long long)h);
}

int
mon_apiguard_start(void)
{
	struct bpf_program	*progs[2];
	char			 cg[PATH_MAX];
	uint16_t		 port;
	int			 cgfd = -1;

#ifdef AGENTSH_REGRESS
	if (getenv("AGENTSH_REGRESS_NO_APIGUARD") != NULL) {
		log_warnx("regress: AGENTSH_REGRESS_NO_APIGUARD: sessions CAN "
		    "reach the API's TCP port");
		return 0;
	}
#endif
	if (parse_addr(mon->conf.http_addr, &port) == -1) {
		log_warnx("API guard: bad server.http.addr %s",
		    mon->conf.http_addr);
		return -1;
	}
	if (ensure_bpffs() == -1)
		return -1;
	libbpf_set_print(libbpf_log);
	if ((skel = apiguard_bpf__open()) == NULL) {
		log_warn("API guard: opening the BPF object");
		return -1;
	}
	skel->rodata->api_port = port;
	if (apiguard_bpf__load(skel) != 0) {
		log_warn("API guard: loading the BPF programs");
		goto fail;
	}
	if ((size_t)snprintf(cg, sizeof(cg), "%s/sessions", mon->cg_base) >=
	    sizeof(cg) ||
	    (cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_warn("API guard: %s", cg);
		goto fail;
	}
	pin_names();
	if (mkdir(PIN_DIR, 0700) == -1 && errno != EEXIST) {
		log_warn("API guard: %s", PIN_DIR);
		goto fail;
	}
	progs[0] = skel->progs.apiguard_connect4;
	progs[1] = skel->progs.apiguard_connect6;
	for (int i = 0; i < 2; i++) {
		if ((links[i] = bpf_program__attach_cgroup(progs[i], cgfd)) ==
		    NULL) {
			log_warn("API guard: attaching to %s", cg);
			goto fail;
		}
		/* A pin left by a monitor that died: its link goes now. */
		(void)unlink(pins[i]);
		if (bpf_link__pin(links[i], pins[i]) != 0) {
			log_warn("API guard: pinning %s", pins[i]);
			goto fail;
		}
	}
	close(cgfd);
	active = 1;
	if (mon_apiguard_refresh() == -1)
		goto fail;
	log_info("API guard on %s: port %u refused at every local address",
	    cg, (unsigned int)port);
	return 0;
fail:
	if (cgfd != -1)
		close(cgfd);
	mon_apiguard_stop();
	return -1;
}

void
mon_apiguard_stop(void)
{
	for (int i = 0; i < 2; i++) {
		if (links[i] == NULL)
			continue;
		(void)bpf_link__unpin(links[i]);
		bpf_link__destroy(links[i]);
		links[i] = NULL;
	}
	apiguard_bpf__destroy(skel);
	skel = NULL;
	active = 0;
}

int
mon_apiguard_active(void)
{
	return active;
}
