/*
 * audit_mklog: writes an audit log with libagentsh-audit for
 * regress/audit-verify.sh.
 *
 *   audit_mklog [-n] [-c] [-a ALG] [-k KEYFILE] [-s MAXSIZE] [-b BACKUPS]
 *	DIR COUNT
 *
 * Appends COUNT events to DIR/audit.jsonl (their strings carry shell
 * metacharacters, '<', U+2028, control bytes and invalid UTF-8), writing
 * every ten as an event loop would, and prints
 * what opening found: "resumed", or "new_chain CODE".  -n writes without
 * integrity; -c writes without closing, as a writer killed after its
 * write(2) and before its fsync would leave the log.
 */
#include "compat.h"

#include <err.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"

static void __attribute__((noreturn))
usage(void)
{
	fprintf(stderr, "usage: audit_mklog [-n] [-c] [-a alg] [-k keyfile] "
	    "[-s maxsize] [-b backups] dir count\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static const char *paths[] = {
		"make && make install", "cmd 2>&1 | tee log", "a<b>c&d",
		"line\xe2\x80\xa8sep", "bell\a tab\t nul-ish\x01",
		"bad utf8 \xff\xfe", "caf\xc3\xa9",
	};
	struct audit_writer_conf c;
	struct audit_open_info	 info;
	struct audit_writer	*w;
	struct audit_key	*k = NULL;
	struct audit_buf	 ev = { 0 };
	enum audit_alg		 alg = AUDIT_HMAC_SHA256;
	const char		*keyfile = NULL, *errstr;
	char			 msg[512];
	long long		 count;
	int			 ch, plain = 0, crash = 0, dfd;

	audit_writer_conf_init(&c);
	while ((ch = getopt(argc, argv, "a:b:ck:ns:")) != -1) {
		switch (ch) {
		case 'a':
			if (audit_alg_parse(optarg, &alg) == -1)
				errx(2, "bad algorithm %s", optarg);
			break;
		case 'b':
			c.max_backups = (unsigned int)strtonum(optarg, 0, 1000,
			    &errstr);
			if (errstr != NULL)
				errx(2, "-b %s: %s", optarg, errstr);
			break;
		case 'c':
			crash = 1;
			break;
		case 'k':
			keyfile = optarg;
			break;
		case 'n':
			plain = 1;
			break;
		case 's':
			c.max_size = (uint64_t)strtonum(optarg, 0, INT64_MAX,
			    &errstr);
			if (errstr != NULL)
				errx(2, "-s %s: %s", optarg, errstr);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || (keyfile == NULL && !plain))
		usage();
	count = strtonum(argv[1], 0, 10000000, &errstr);
	if (errstr != NULL)
		errx(2, "count %s: %s", argv[1], errstr);
	if (!plain && (k = audit_key_load(keyfile, NULL, alg, msg,
	    sizeof(msg))) == NULL)
		errx(2, "%s", msg);
	if ((dfd = open(argv[0], O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		err(2, "%s", argv[0]);
	c.dirfd = dfd;
	c.key = k;
	if ((w = audit_writer_open(&c, &info, msg, sizeof(msg))) == NULL)
		errx(2, "open: %s", msg);
	if (info.new_chain)
		printf("new_chain %s\n", info.reason_code);
	else
		printf("resumed\n");
	for (long long i = 0; i < count; i++) {
		const char *p = paths[i % nitems(paths)];

		audit_buf_reset(&ev);
		if (audit_buf_printf(&ev, "{\"timestamp\":\"2026-01-02T03:04:"
		    "05.%09lldZ\",\"type\":\"file_open\",\"session_id\":"
		    "\"session-1\",\"pid\":%lld,\"path\":", i, 1000 + i) == -1 ||
		    audit_json_quote(&ev, p, strlen(p)) == -1 ||
		    audit_buf_adds(&ev, ",\"policy\":{\"decision\":\"allow\","
		    "\"rule\":\"allow-workspace\"},\"fields\":{\"n\":1.10}}") ==
		    -1)
			errx(2, "out of memory");
		if (audit_writer_append(w, ev.data, ev.len, msg,
		    sizeof(msg)) == -1)
			errx(2, "append: %s", msg);
		/* As an event loop would: write every few events. */
		if (i % 10 == 9 && audit_writer_flush(w, 0, msg,
		    sizeof(msg)) == -1)
			errx(2, "flush: %s", msg);
	}
	if (crash) {
		if (audit_writer_flush(w, 0, msg, sizeof(msg)) == -1)
			errx(2, "flush: %s", msg);
		_exit(0);
	}
	if (audit_writer_close(w, msg, sizeof(msg)) == -1)
		errx(2, "close: %s", msg);
	audit_buf_clear(&ev);
	audit_key_free(k);
	close(dfd);
	return 0;
}
