/*
 * config.yaml (CONTRACT.md section 4): the syntax of typed values:
 * durations, sizes, listen addresses, file modes and names.  The parsers
 * return 0, or -1 with a static reason in *why; the name checks return
 * whether the name is valid.
 */
#include "compat.h"

#include <sys/types.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cfgval.h"

int
cfgval_user(const char *s)
{
	size_t	 i, n = strlen(s);

	/* Portable user names, as useradd(8) takes them. */
	if (n == 0 || n > 32)
		return 0;
	if (!(s[0] == '_' || (s[0] >= 'a' && s[0] <= 'z') ||
	    (s[0] >= 'A' && s[0] <= 'Z')))
		return 0;
	for (i = 1; i < n; i++)
		if (!(s[i] == '_' || s[i] == '-' || s[i] == '.' ||
		    (s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') ||
		    (s[i] >= '0' && s[i] <= '9')))
			return 0;
	return 1;
}

int
cfgval_name(const char *s, size_t max, const char *extra, int digit_first)
{
	size_t	 i, n = strlen(s);

	if (n == 0 || n > max)
		return 0;
	for (i = 0; i < n; i++) {
		if ((s[i] >= 'a' && s[i] <= 'z') ||
		    (s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_')
			continue;
		if (s[i] >= '0' && s[i] <= '9' && (i > 0 || digit_first))
			continue;
		if (strchr(extra, s[i]) != NULL && s[i] != '\0')
			continue;
		return 0;
	}
	return 1;
}

/*
 * host:port with an IP literal host (IPv6 in brackets) and a port in
 * 1-65535.  *loopback says whether the host is a loopback address.
 */
int
cfgval_addr(const char *s, int *loopback, const char **why)
{
	char		 host[INET6_ADDRSTRLEN + 1];
	const char	*colon, *port;
	struct in_addr	 a4;
	struct in6_addr	 a6;
	size_t		 hl;
	const char	*e;

	if (s[0] == '[') {
		if ((colon = strchr(s, ']')) == NULL || colon[1] != ':') {
			*why = "expected [IPv6]:port";
			return -1;
		}
		hl = (size_t)(colon - s - 1);
		port = colon + 2;
		if (hl == 0 || hl >= sizeof(host)) {
			*why = "bad IPv6 address";
			return -1;
		}
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET6, host, &a6) != 1) {
			*why = "bad IPv6 address";
			return -1;
		}
		*loopback = IN6_IS_ADDR_LOOPBACK(&a6) ||
		    (IN6_IS_ADDR_V4MAPPED(&a6) && a6.s6_addr[12] == 127);
	} else {
		if ((colon = strrchr(s, ':')) == NULL) {
			*why = "expected host:port";
			return -1;
		}
		hl = (size_t)(colon - s);
		port = colon + 1;
		if (memchr(s, ':', hl) != NULL) {
			*why = "an IPv6 address goes in brackets: [::1]:port";
			return -1;
		}
		if (hl == 0) {
			*why = "missing host (0.0.0.0 or [::] listen on "
			    "every address)";
			return -1;
		}
		if (hl >= sizeof(host)) {
			*why = "host must be an IP address";
			return -1;
		}
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (inet_pton(AF_INET, host, &a4) != 1) {
			*why = "host must be an IP address (IPv4, or IPv6 in "
			    "brackets)";
			return -1;
		}
		*loopback = (ntohl(a4.s_addr) >> 24) == 127;
	}
	if (port[0] < '1' || port[0] > '9') {
		*why = "port must be a number in 1-65535";
		return -1;
	}
	(void)strtonum(port, 1, 65535, &e);
	if (e != NULL) {
		*why = "port must be a number in 1-65535";
		return -1;
	}
	return 0;
}

/*
 * Durations as the contract writes them, without units below a
 * millisecond: "0", or
 * NUMBER UNIT repeated, UNIT one of ms, s, m, h, NUMBER a decimal with
 * an optional fraction that must come to whole milliseconds.
 */
int
cfgval_duration(const char *s, long long *out, const char **why)
{
	static const struct {
		const char	*u;
		long long	 ms;
	} units[] = {
		{ "ms", 1 }, { "s", SEC_MS }, { "m", MIN_MS }, { "h", HOUR_MS },
	};
	long long	 total = 0, ip, frac, p10, v;
	size_t		 i, ul;
	int		 fd;

	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (s[0] == '-') {
		*why = "must not be negative";
		return -1;
	}
	if (s[0] == '\0' || strspn(s, "0123456789") == strlen(s)) {
		*why = "missing unit (e.g. 30s, 5m, 1h, 500ms)";
		return -1;
	}
	while (*s != '\0') {
		if (*s < '0' || *s > '9') {
			*why = "expected e.g. 500ms, 30s, 5m, 1h30m";
			return -1;
		}
		for (ip = 0; *s >= '0' && *s <= '9'; s++) {
			if (ip > 100000000000000LL) {
				*why = "too large";
				return -1;
			}
			ip = ip * 10 + (*s - '0');
		}
		frac = 0;
		p10 = 1;
		fd = 0;
		if (*s == '.') {
			s++;
			if (*s < '0' || *s > '9') {
				*why = "expected digits after '.'";
				return -1;
			}
			for (; *s >= '0' && *s <= '9'; s++) {
				if (++fd > 9) {
					*why = "too many decimals";
					return -1;
				}
				frac = frac * 10 + (*s - '0');
				p10 *= 10;
			}
		}
		/* The unit is the run of letters after the number. */
		ul = strspn(s, "abcdefghijklmnopqrstuvwxyz");
		for (i = 0; i < nitems(units); i++)
			if (strlen(units[i].u) == ul &&
			    strncmp(s, units[i].u, ul) == 0)
				break;
		if (i == nitems(units)) {
			*why = "unknown unit (use ms, s, m or h)";
			return -1;
		}
		s += ul;
		if (ip > LLONG_MAX / 4 / units[i].ms) {
			*why = "too large";
			return -1;
		}
		if ((frac * units[i].ms) % p10 != 0) {
			*why = "finer than a millisecond";
			return -1;
		}
		v = ip * units[i].ms + frac * units[i].ms / p10;
		if (total > LLONG_MAX / 2 - v) {
			*why = "too large";
			return -1;
		}
		total += v;
	}
	*out = total;
	return 0;
}

/* "1h30m", "500ms", "0": what cfgval_duration() reads back. */
void
cfgval_fmt_duration(char *b, size_t blen, long long ms)
{
	size_t	 o = 0;

	b[0] = '\0';
	if (ms == 0)
		(void)strlcpy(b, "0", blen);
	if (ms >= HOUR_MS)
		o += (size_t)snprintf(b + o, blen - o, "%lldh", ms / HOUR_MS);
	if (ms % HOUR_MS >= MIN_MS && o < blen)
		o += (size_t)snprintf(b + o, blen - o, "%lldm",
		    ms % HOUR_MS / MIN_MS);
	if (ms % MIN_MS >= SEC_MS && o < blen)
		o += (size_t)snprintf(b + o, blen - o, "%llds",
		    ms % MIN_MS / SEC_MS);
	if (ms % SEC_MS != 0 && o < blen)
		(void)snprintf(b + o, blen - o, "%lldms", ms % SEC_MS);
}

/* The largest unit that divides exactly: "10MB", "1MiB", "1000". */
void
cfgval_fmt_size(char *b, size_t blen, long long n)
{
	static const struct {
		const char	*u;
		long long	 m;
	} units[] = {
		{ "GiB", 1LL << 30 }, { "GB", 1000000000LL },
		{ "MiB", 1LL << 20 }, { "MB", 1000000LL },
		{ "KiB", 1LL << 10 }, { "KB", 1000LL },
	};
	size_t	 i;

	for (i = 0; i < nitems(units); i++)
		if (n > 0 && n % units[i].m == 0) {
			(void)snprintf(b, blen, "%lld%s", n / units[i].m,
			    units[i].u);
			return;
		}
	(void)snprintf(b, blen, "%lld", n);
}

/* Bytes, optionally with a unit, decimal or binary, in any case. */
int
cfgval_size(const char *s, long long *out, const char **why)
{
	static const struct {
		const char	*u;
		long long	 m;
	} units[] = {
		{ "", 1 }, { "B", 1 },
		{ "KB", 1000LL }, { "MB", 1000LL * 1000 },
		{ "GB", 1000LL * 1000 * 1000 },
		{ "KiB", 1024LL }, { "MiB", 1024LL * 1024 },
		{ "GiB", 1024LL * 1024 * 1024 },
	};
	const char	*u;
	long long	 n = 0;
	size_t		 i;

	if (s[0] == '-') {
		*why = "must not be negative";
		return -1;
	}
	if (s[0] < '0' || s[0] > '9') {
		*why = "expected bytes or a size like 10MB, 1MiB";
		return -1;
	}
	for (u = s; *u >= '0' && *u <= '9'; u++) {
		if (n > 1000000000000000LL) {
			*why = "too large";
			return -1;
		}
		n = n * 10 + (*u - '0');
	}
	/* One space may stand between the number and a unit. */
	if (*u == ' ' && *++u == '\0')
		u--;
	for (i = 0; i < nitems(units); i++)
		if (strcasecmp(u, units[i].u) == 0)
			break;
	if (i == nitems(units)) {
		*why = "unknown unit (use B, KB, MB, GB, KiB, MiB or GiB)";
		return -1;
	}
	if (n > LLONG_MAX / units[i].m) {
		*why = "too large";
		return -1;
	}
	*out = n * units[i].m;
	return 0;
}

/* Three or four octal digits, at most 0777: "0660", "600". */
int
cfgval_mode(const char *s, mode_t *out, const char **why)
{
	size_t	 len = strlen(s);
	long	 n;

	if ((len != 3 && len != 4) || strspn(s, "01234567") != len) {
		*why = "is not an octal mode like \"0660\"";
		return -1;
	}
	if ((n = strtol(s, NULL, 8)) > 0777) {
		*why = "is out of range (at most 0777)";
		return -1;
	}
	*out = (mode_t)n;
	return 0;
}
