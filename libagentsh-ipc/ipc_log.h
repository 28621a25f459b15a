/*
 * Logging for daemons (OpenBSD log.c's interface): to stderr in the
 * foreground, to syslog otherwise, or, in a jailed helper, as records on
 * fd 4 that the monitor checks and relays (OpenSSH's mm_log_handler).
 *
 * Log record: u32 length of the message, u32 level, the message bytes.
 */
#ifndef AGENTSH_IPC_LOG_H
#define AGENTSH_IPC_LOG_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#define LOG_REC_MSG_MAX		 1024	/* record stays under PIPE_BUF */
#define LOG_HELPER_FD		 4

enum log_target {
	LOG_TO_STDERR = 0,
	LOG_TO_SYSLOG,
	LOG_TO_FD,
};

void	 log_init(enum log_target, int verbose, const char *procname);
void	 log_setverbose(int);
int	 log_getverbose(void);
void	 log_procname(const char *);
void	 log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	 logit(int pri, const char *, ...) __attribute__((format(printf, 2, 3)));
void	 vlog(int pri, const char *, va_list) __attribute__((format(printf, 2, 0)));
__attribute__((noreturn, format(printf, 1, 2)))
void	 fatal(const char *, ...);
__attribute__((noreturn, format(printf, 1, 2)))
void	 fatalx(const char *, ...);

/* The monitor's side: reassembles records from a helper's log pipe. */
struct log_reader {
	uint8_t		 buf[2 * (8 + LOG_REC_MSG_MAX)];
	size_t		 len;
	char		 why[96];
};
typedef void	 (*log_emit_cb)(int level, const char *msg, void *);
/* 1: more may follow, 0: the helper closed its end, -1: bad record or
 * read error (why says which); the caller stops reading that helper. */
int	 log_reader_feed(struct log_reader *, int fd, log_emit_cb, void *);

#endif /* AGENTSH_IPC_LOG_H */
