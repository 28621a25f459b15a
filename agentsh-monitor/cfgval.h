/*
 * The syntax of typed values in config.yaml: parsed by config.c and
 * printed back by config_print() in a form these parsers read.
 */
#ifndef AGENTSH_MONITOR_CFGVAL_H
#define AGENTSH_MONITOR_CFGVAL_H

#include <sys/types.h>

#include <stddef.h>

#define SEC_MS		1000LL
#define MIN_MS		(60 * SEC_MS)
#define HOUR_MS		(60 * MIN_MS)
#define DAY_MS		(24 * HOUR_MS)

/* cfgval.c */
/* A portable user name: [A-Za-z_][A-Za-z0-9_.-]*, at most 32 bytes. */
int	 cfgval_user(const char *);
/*
 * 1 to max bytes of letters, '_', digits (not first unless digit_first)
 * and the characters in 'extra'.
 */
int	 cfgval_name(const char *, size_t max, const char *extra,
	    int digit_first);
/* IPv4:port or [IPv6]:port, an IP literal and a port in 1-65535. */
int	 cfgval_addr(const char *, int *loopback, const char **why);
/* "500ms", "30s", "1h30m", "1.5m", "0" to milliseconds. */
int	 cfgval_duration(const char *, long long *ms, const char **why);
void	 cfgval_fmt_duration(char *, size_t, long long ms);
/* Bytes, or with a unit: B, KB, MB, GB, KiB, MiB, GiB. */
int	 cfgval_size(const char *, long long *, const char **why);
void	 cfgval_fmt_size(char *, size_t, long long);
/* "0660": *why completes a sentence that starts with the value. */
int	 cfgval_mode(const char *, mode_t *, const char **why);

#endif /* AGENTSH_MONITOR_CFGVAL_H */
