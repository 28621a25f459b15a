/*
 * agentsh audit: verify an audit log's integrity chain (CONTRACT.md
 * section 5), print a key's fingerprint.
 *
 *   agentsh audit verify [options] FILE
 *	ok: N entries, chain head seq=S hash=H		exit 0
 *	FILE:LINE: KIND: DETAIL				exit 1
 *   errors that stop the check (no key, unreadable file)	exit 2
 */
#include "compat.h"

#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "agentsh.h"
#include "pathnames.h"
#include "audit.h"

#define EXIT_BAD	1	/* the log did not verify */

struct vctx {
	char		**names;	/* the files, oldest first */
	size_t		  n;
};

struct aopts {
	const char	*keyfile;
	const char	*keyenv;
	enum audit_alg	 alg;
	int		 rotated;
	int		 sidecar;
	int		 head;
	int64_t		 seq;
	char		 hash[AUDIT_HASH_HEX_MAX + 1];
};

static void __attribute__((noreturn))
audit_usage(int status)
{
	FILE	*f = status == 0 ? stdout : stderr;

	fprintf(f,
"usage: agentsh audit verify [--key-file F | --key-env VAR]\n"
"           [--algorithm hmac-sha256|hmac-sha512] [--rotated]\n"
"           [--head SEQ[:HASH]] [--no-sidecar] FILE\n"
"       agentsh audit key-fingerprint [--key-file F | --key-env VAR]\n"
"\n"
"verify checks every line of FILE: JSON, sequence, prev_hash and the\n"
"HMAC entry_hash.  It prints \"ok: N entries, chain head seq=S hash=H\"\n"
"and exits 0, or names the first bad line as FILE:LINE: KIND: DETAIL\n"
"(KIND: edited, deleted, reordered, truncated, wrong key, malformed,\n"
"unsigned, unsupported) and exits 1; 2 when it cannot check at all.\n"
"\n"
"  --key-file F     the key file (default %s)\n"
"  --key-env VAR    the key is the value of VAR\n"
"  --algorithm A    hmac-sha256 (default) or hmac-sha512\n"
"  --rotated        also FILE.N ... FILE.1 before FILE, as one chain\n"
"  --head SEQ[:HASH]  the chain head known from elsewhere (syslog): a log\n"
"                   that ends before it was cut\n"
"  --no-sidecar     do not compare with the head in FILE%s\n",
	    _PATH_AGENTSH_AUDITKEY, AUDIT_SIDECAR_SUFFIX);
	exit(status);
}

static struct audit_key *
load_key(const char *file, const char *env, enum audit_alg alg)
{
	struct audit_key	*k;
	char			 msg[512];

	if (file != NULL && env != NULL)
		errx(EXIT_USAGE, "--key-file and --key-env exclude each other");
	if (file == NULL && env == NULL) {
		if (access(_PATH_AGENTSH_AUDITKEY, F_OK) == -1)
			errx(EXIT_USAGE, "no key: give --key-file or --key-env "
			    "(%s does not exist)", _PATH_AGENTSH_AUDITKEY);
		file = _PATH_AGENTSH_AUDITKEY;
	}
	if ((k = audit_key_load(file, env, alg, msg, sizeof(msg))) == NULL)
		errx(EXIT_USAGE, "%s", msg);
	return k;
}

/* "SEQ" or "SEQ:HASH". */
static int
parse_head(const char *s, int64_t *seq, char *hash, size_t hashlen)
{
	const char	*errstr, *colon = strchr(s, ':');
	char		 num[32];
	size_t		 n = colon != NULL ? (size_t)(colon - s) : strlen(s);

	if (n == 0 || n >= sizeof(num))
		return -1;
	memcpy(num, s, n);
	num[n] = '\0';
	*seq = strtonum(num, 0, INT64_MAX, &errstr);
	if (errstr != NULL)
		return -1;
	hash[0] = '\0';
	if (colon != NULL && strlcpy(hash, colon + 1, hashlen) >= hashlen)
		return -1;
	return 0;
}

static void
note(void *arg, size_t file, uint64_t line, const char *code,
    const char *reason)
{
	struct vctx	*c = arg;

	if (strcmp(code, "initial") == 0)
		return;
	warnx("note: %s:%" PRIu64 ": the chain restarts (%s): %s",
	    c->names[file], line, code[0] != '\0' ? code : "no reason code",
	    reason);
}

/* The files of the set, oldest first: FILE.N ... FILE.1, FILE. */
static void
collect(struct vctx *c, const char *file, int rotated)
{
	struct stat	 st;
	unsigned int	 last = 0;
	char		 p[PATH_MAX];

	if (rotated) {
		for (;;) {
			if (snprintf(p, sizeof(p), "%s.%u", file, last + 1) >=
			    (int)sizeof(p))
				errx(2, "%s: name too long", file);
			if (stat(p, &st) == -1)
				break;
			last++;
		}
	}
	if ((c->names = calloc(last + 1, sizeof(*c->names))) == NULL)
		err(2, NULL);
	for (unsigned int i = last; i >= 1; i--)
		if (asprintf(&c->names[c->n++], "%s.%u", file, i) == -1)
			err(2, NULL);
	if ((c->names[c->n++] = strdup(file)) == NULL)
		err(2, NULL);
}

/*
 * The sidecar beside FILE, when it is for this key: its head is what the
 * log must reach.  Not tied to the file's inode: a log rewritten with its
 * tail cut off is a new inode, and is what this is for.  The writer
 * updates the sidecar only after the log is fsync'd, so it is never ahead
 * of an intact log.
 */
static int
sidecar_head(const char *file, const struct audit_key *k, int64_t *seq,
    char *hash, size_t hashlen)
{
	struct audit_sidecar	 sc;
	char			*d1, *d2, msg[256];
	int			 dfd, rv = 0;

	if ((d1 = strdup(file)) == NULL || (d2 = strdup(file)) == NULL)
		err(2, NULL);
	if ((dfd = open(dirname(d1), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		goto out;
	if (audit_sidecar_read(dfd, basename(d2), &sc, msg, sizeof(msg)) ==
	    -1) {
		if (errno != ENOENT)
			warnx("note: %s%s not used: %s", file,
			    AUDIT_SIDECAR_SUFFIX, msg);
		goto out;
	}
	if (strcmp(sc.fingerprint, audit_key_fingerprint(k)) == 0) {
		*seq = sc.sequence;
		strlcpy(hash, sc.hash, hashlen);
		rv = 1;
	}
out:
	if (dfd != -1)
		close(dfd);
	free(d1);
	free(d2);
	return rv;
}

/*
 * A set that starts after sequence 0 without a restart entry: either its
 * older files were rotated away, or its first lines were removed.  Only
 * the rotated files can tell, so say which.
 */
static void
mid_chain_note(const struct vctx *c, const char *file, int rotated,
    int64_t first)
{
	struct stat	 st;
	char		 p[PATH_MAX];

	if (rotated)
		warnx("note: %s starts mid-chain at seq %" PRId64 "; the "
		    "files before it were rotated away", c->names[0], first);
	else if (snprintf(p, sizeof(p), "%s.1", file) < (int)sizeof(p) &&
	    stat(p, &st) == 0)
		warnx("note: %s starts mid-chain at seq %" PRId64 "; --rotated "
		    "checks that %s ends where it starts", file, first, p);
	else
		warnx("note: %s starts mid-chain at seq %" PRId64 " and there "
		    "is no %s.1 before it: its first lines may have been "
		    "removed", file, first, file);
}

/*
 * The options of both subcommands (key-fingerprint takes only the key
 * ones).  Returns the index of the first operand.
 */
static int
parse_opts(int argc, char **argv, struct aopts *o, int verify)
{
	static const struct option longopts[] = {
		{ "key-file",	required_argument, NULL, 'f' },
		{ "key-env",	required_argument, NULL, 'e' },
		{ "algorithm",	required_argument, NULL, 'a' },
		{ "rotated",	no_argument,	   NULL, 'r' },
		{ "head",	required_argument, NULL, 'H' },
		{ "no-sidecar",	no_argument,	   NULL, 'n' },
		{ "help",	no_argument,	   NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(o, 0, sizeof(*o));
	o->alg = AUDIT_HMAC_SHA256;
	o->sidecar = 1;
	optind = 0;	/* a fresh scan: permuting, whatever came before */
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (!verify && ch != 'f' && ch != 'e' && ch != 'h')
			audit_usage(EXIT_USAGE);
		switch (ch) {
		case 'f':
			o->keyfile = optarg;
			break;
		case 'e':
			o->keyenv = optarg;
			break;
		case 'a':
			if (audit_alg_parse(optarg, &o->alg) == -1)
				errx(EXIT_USAGE, "--algorithm: unsupported "
				    "'%s': use hmac-sha256 or hmac-sha512",
				    optarg);
			break;
		case 'r':
			o->rotated = 1;
			break;
		case 'H':
			if (parse_head(optarg, &o->seq, o->hash,
			    sizeof(o->hash)) == -1)
				errx(EXIT_USAGE, "--head: want SEQ or SEQ:HASH, "
				    "not '%s'", optarg);
			o->head = 1;
			break;
		case 'n':
			o->sidecar = 0;
			break;
		case 'h':
			audit_usage(0);
		default:
			audit_usage(EXIT_USAGE);
		}
	}
	return optind;
}

static int
audit_verify(int argc, char **argv)
{
	struct audit_verifier	*v;
	struct audit_key	*k;
	struct audit_vresult	 r;
	struct aopts		 o;
	struct vctx		 c = { NULL, 0 };
	const char		*file;
	char			 msg[256];
	int			 fd, rv;

	rv = parse_opts(argc, argv, &o, 1);
	if (argc - rv != 1)
		audit_usage(EXIT_USAGE);
	file = argv[rv];

	k = load_key(o.keyfile, o.keyenv, o.alg);
	collect(&c, file, o.rotated);
	if ((v = audit_verifier_new(k)) == NULL)
		err(2, NULL);
	audit_verifier_set_note(v, note, &c);
	if (!o.head && o.sidecar)
		o.head = sidecar_head(file, k, &o.seq, o.hash, sizeof(o.hash));
	if (o.head)
		audit_verifier_expect_head(v, o.seq, o.hash);
	for (size_t i = 0; i < c.n; i++) {
		if ((fd = open(c.names[i], O_RDONLY | O_CLOEXEC)) == -1)
			err(2, "%s", c.names[i]);
		rv = audit_verifier_add(v, fd, msg, sizeof(msg));
		close(fd);
		if (rv == -1)
			errx(2, "%s: %s", c.names[i], msg);
		if (rv == 1)
			break;
	}
	audit_verifier_result(v, &r);
	if (r.kind != AUDIT_V_OK) {
		printf("%s:%" PRIu64 ": %s: %s\n", c.names[r.file], r.line,
		    audit_vkind_name(r.kind), r.detail);
		rv = EXIT_BAD;
	} else {
		if (r.mid_chain)
			mid_chain_note(&c, file, o.rotated, r.first_sequence);
		if (r.have_head)
			printf("ok: %" PRIu64 " entries, chain head seq=%"
			    PRId64 " hash=%s\n", r.entries, r.head_sequence,
			    r.head_hash);
		else
			printf("ok: 0 entries\n");
		rv = 0;
	}
	for (size_t i = 0; i < c.n; i++)
		free(c.names[i]);
	free(c.names);
	audit_verifier_free(v);
	audit_key_free(k);
	return rv;
}

static int
audit_fingerprint_cmd(int argc, char **argv)
{
	struct audit_key	*k;
	struct aopts		 o;

	if (parse_opts(argc, argv, &o, 0) != argc)
		audit_usage(EXIT_USAGE);
	k = load_key(o.keyfile, o.keyenv, AUDIT_HMAC_SHA256);
	printf("%s\n", audit_key_fingerprint(k));
	audit_key_free(k);
	return 0;
}

int
cmd_audit(int argc, char **argv)
{
	if (argc < 2)
		audit_usage(EXIT_USAGE);
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
		audit_usage(0);
	/* Each subcommand runs its own getopt from its name on. */
	if (strcmp(argv[1], "verify") == 0)
		return audit_verify(argc - 1, argv + 1);
	if (strcmp(argv[1], "key-fingerprint") == 0)
		return audit_fingerprint_cmd(argc - 1, argv + 1);
	warnx("audit: unknown subcommand '%s'", argv[1]);
	audit_usage(EXIT_USAGE);
}
