/*
 * What a command really is: command_rules on the command itself, on every
 * transparent wrapper it runs through (env, nice, sudo, xargs, ...: their
 * options are parsed as the real tools parse them, so `nice -n 10 wget`
 * finds wget), and on the simple commands of `sh -c` scripts
 * (pol_shell.c).  The most restrictive decision wins.
 *
 * Inside a `sh -c` script only a rule that names a command escalates: a
 * command no rule names leaves the shell's own decision alone, as in the
 * original agentsh (per-exec enforcement decides it when it runs).  A
 * wrapper's payload, though, is decided in full, default included.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "pol_local.h"

#define MAX_UNWRAP	 5	/* transparent wrappers in a chain */
#define MAX_SHELL	 4	/* nested sh -c */

struct est {
	const struct pol	*p;
	const struct pol_ctx	*ctx;
	struct pol_result	*res;
	int			 have;
	int			 strict;
	int			 explicit;	/* res came from a rule */
	int			 inner;		/* inside sh -c */
	int			 shlevel;
	int			 err;
	void			**keep;		/* scratch, freed at the end */
	size_t			 nkeep;
};

static void *
keep(struct est *st, void *ptr)
{
	void	**nk;

	if (ptr == NULL) {
		st->err = ENOMEM;
		return NULL;
	}
	if ((nk = reallocarray(st->keep, st->nkeep + 1,
	    sizeof(*nk))) == NULL) {
		free(ptr);
		st->err = ENOMEM;
		return NULL;
	}
	st->keep = nk;
	st->keep[st->nkeep++] = ptr;
	return ptr;
}

static const char *
basename_of(const char *s)
{
	const char	*b = strrchr(s, '/');

	return b ? b + 1 : s;
}

/* Lowercased basename, and the same without a ".real" suffix. */
static int
names(const char *name, char *base, char *norm, size_t len)
{
	const char	*b = basename_of(name);
	size_t		 n = strlen(b);

	if (n >= len)
		return -1;
	for (size_t i = 0; i <= n; i++)
		base[i] = (char)tolower((unsigned char)b[i]);
	memcpy(norm, base, n + 1);
	if (n > 5 && strcmp(norm + n - 5, ".real") == 0)
		norm[n - 5] = '\0';
	return 0;
}

/* ------------------------------------------------------------------ */
/* Command rules */

static int
rule_names(const struct pol_cmd_rule *r, const char *name, const char *base,
    const char *norm)
{
	size_t	 bl = strlen(base), nl = strlen(norm);

	if (r->match_all)
		return 1;
	if (strchr(name, '/') != NULL) {
		for (size_t i = 0; i < r->npath; i++)
			if (strcmp(r->path[i], name) == 0)
				return 1;
		for (size_t i = 0; i < r->npglob; i++)
			if (pol_glob_match(r->pglob[i], name, strlen(name)))
				return 1;
	}
	for (size_t i = 0; i < r->nbase; i++)
		if (strcmp(r->base[i], base) == 0 ||
		    strcmp(r->base[i], norm) == 0)
			return 1;
	for (size_t i = 0; i < r->nbglob; i++)
		if (pol_glob_match(r->bglob[i], base, bl) ||
		    (nl != bl && pol_glob_match(r->bglob[i], norm, nl)))
			return 1;
	return 0;
}

static int
depth_ok(const struct pol_cmd_rule *r, int depth)
{
	return depth >= r->min_depth &&
	    (r->max_depth < 0 || depth <= r->max_depth);
}

/* argv[1..] joined by spaces; *heap says whether to free it. */
static char *
join_args(const char *const *argv, size_t argc, char *buf, size_t len,
    size_t *outlen, int *heap)
{
	size_t	 n = 0, o = 0;
	char	*s = buf;

	for (size_t i = 1; i < argc; i++)
		n += strlen(argv[i]) + 1;
	*heap = 0;
	if (n + 1 > len) {
		if ((s = malloc(n + 1)) == NULL)
			return NULL;
		*heap = 1;
	}
	for (size_t i = 1; i < argc; i++) {
		size_t	 l = strlen(argv[i]);

		if (i > 1)
			s[o++] = ' ';
		memcpy(s + o, argv[i], l);
		o += l;
	}
	s[o] = '\0';
	*outlen = o;
	return s;
}

/*
 * The first command rule for (name, argv) at depth, or NULL.  -1: a
 * regular expression could not be evaluated (ENOMEM or its match limit).
 */
int
pol_cmd_match(const struct pol *p, const char *name,
    const char *const *argv, size_t argc, int depth,
    const struct pol_cmd_rule **rulep)
{
	char		 base[512], norm[512], jbuf[4096], *joined = NULL;
	size_t		 jlen = 0;
	int		 heap = 0, rc = 0;

	*rulep = NULL;
	if (names(name, base, norm, sizeof(base)) == -1) {
		base[0] = norm[0] = '\0';	/* longer than any file name */
	}
	for (size_t i = 0; i < p->ncmd && *rulep == NULL; i++) {
		const struct pol_cmd_rule *r = &p->cmd[i];
		int	 ok = 0;

		if (!depth_ok(r, depth) || !rule_names(r, name, base, norm))
			continue;
		if (r->args.n == 0) {
			*rulep = r;
			break;
		}
		if (joined == NULL && (joined = join_args(argv, argc, jbuf,
		    sizeof(jbuf), &jlen, &heap)) == NULL) {
			rc = -1;
			break;
		}
		for (size_t j = 0; j < r->args.n && !ok; j++) {
			int	 m = pol_regex_match(p, &r->args.v[j], joined,
			    jlen);

			if (m == -1) {
				rc = -1;
				goto out;
			}
			ok = m;
		}
		if (ok)
			*rulep = r;
	}
 out:
	if (heap)
		free(joined);
	return rc;
}

/* Whether some rule that names the command looks at its arguments. */
static int
args_matter(const struct pol *p, const char *name, int depth)
{
	char	 base[512], norm[512];

	if (names(name, base, norm, sizeof(base)) == -1)
		return 1;
	for (size_t i = 0; i < p->ncmd; i++)
		if (p->cmd[i].args.n > 0 && depth_ok(&p->cmd[i], depth) &&
		    rule_names(&p->cmd[i], name, base, norm))
			return 1;
	return 0;
}

/* ------------------------------------------------------------------ */
/* Decisions */

static void
consider(struct est *st, enum pol_decision d, const char *rule,
    const struct pol_cmd_rule *r, enum pol_by by, int explicit,
    const char *who, const char *const *argv, size_t argc, const char *msg)
{
	struct pol_result	*res = st->res;
	struct pol_tmplvars	 tv;
	int			 s = pol_decision_strictness(d);

	if (st->inner && !explicit)
		return;
	/* Stricter wins; at equal strictness a rule that names the command
	 * says more than a default. */
	if (st->have && (s < st->strict || (s == st->strict &&
	    (st->explicit || !explicit))))
		return;
	st->have = 1;
	st->strict = s;
	st->explicit = explicit;
	pol_result_set(res, d, rule);
	res->by = by;
	res->timeout_ms = r ? r->c.timeout_ms : 0;
	res->redirect = POL_REDIR_NONE;
	res->cmd = NULL;
	if (r != NULL && d == POL_REDIRECT && r->has_redirect) {
		res->redirect = POL_REDIR_COMMAND;
		res->cmd = &r->redir;
	}
	if (by != POL_BY_COMMAND)
		strlcpy(res->decider, who, sizeof(res->decider));
	else
		res->decider[0] = '\0';
	if (r != NULL) {
		memset(&tv, 0, sizeof(tv));
		tv.command = who;
		tv.args = argc > 1 ? argv + 1 : NULL;
		tv.nargs = argc > 1 ? argc - 1 : 0;
		tv.remote_port = -1;
		pol_render(r->c.message, &tv, res->message,
		    sizeof(res->message));
	} else if (msg != NULL)
		strlcpy(res->message, msg, sizeof(res->message));
	else
		res->message[0] = '\0';
}

static void
engine_deny(struct est *st, const char *rule, const char *who,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
engine_deny(struct est *st, const char *rule, const char *who,
    const char *fmt, ...)
{
	char	 msg[POL_MSG_MAX];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	consider(st, POL_DENY, rule, NULL, POL_BY_ENGINE, 1, who, NULL, 0,
	    msg);
}

/* sandbox.seccomp.shellc.opaque decides a script it cannot follow. */
static void
opaque(struct est *st, const char *who, const char *why)
{
	char		 msg[POL_MSG_MAX];
	enum pol_opaque	 mode = st->ctx ? st->ctx->opaque : POL_OPAQUE_ENFORCE;
	int		 icept = st->ctx &&
	    (st->ctx->flags & POL_CTX_EXEC_INTERCEPTED);

	st->res->opaque = 1;
	/* With only allow and audit rules nothing inside could block. */
	if (!st->p->restrictive_cmd)
		return;
	switch (mode) {
	case POL_OPAQUE_ALLOW:
		return;
	case POL_OPAQUE_ENFORCE:
		if (icept)
			return;	/* every exec it makes is decided */
		snprintf(msg, sizeof(msg), "opaque shell script (%s): "
		    "sandbox.seccomp.shellc.opaque is enforce, which runs it "
		    "only where every exec is intercepted, and execs are not "
		    "intercepted here", why);
		break;
	case POL_OPAQUE_APPROVE:
		snprintf(msg, sizeof(msg), "opaque shell script (%s) needs "
		    "approval (sandbox.seccomp.shellc.opaque)", why);
		consider(st, POL_APPROVE, "shellc-opaque-script", NULL,
		    POL_BY_ENGINE, 1, who, NULL, 0, msg);
		return;
	default:
		snprintf(msg, sizeof(msg), "opaque shell script (%s) denied "
		    "by sandbox.seccomp.shellc.opaque", why);
		break;
	}
	consider(st, POL_DENY, "shellc-opaque-script", NULL, POL_BY_ENGINE, 1,
	    who, NULL, 0, msg);
}

/* ------------------------------------------------------------------ */
/* Transparent wrappers */

struct lopt {
	const char	*name;
	int		 arg;	/* 0 none, 1 required, 2 optional (=v) */
};

#define W_ASSIGN	0x01	/* NAME=VALUE operands come first */
#define W_NUMOPT	0x02	/* -N is an option (nice) */
#define W_ECHO		0x04	/* no command: runs echo (xargs) */
#define W_SHELLOPT	0x08	/* -s/-i run a shell (sudo, doas) */
#define W_DASH		0x10	/* a lone '-' is an option (env) */

struct wspec {
	const char		*name;
	const char		*sarg;	/* short options with an argument */
	const char		*sopt;	/* ... with an optional attached one */
	const char		*sflag;	/* ... without */
	const char		*nopay;	/* options after which nothing runs */
	const struct lopt	*lopts;
	unsigned int		 flags;
};

static const struct lopt env_l[] = {
	{ "ignore-environment", 0 }, { "null", 0 }, { "unset", 1 },
	{ "chdir", 1 }, { "split-string", 1 }, { "block-signal", 2 },
	{ "default-signal", 2 }, { "ignore-signal", 2 },
	{ "list-signal-handling", 0 }, { "debug", 0 }, { "help", 0 },
	{ "version", 0 }, { NULL, 0 }
};
static const struct lopt nice_l[] = {
	{ "adjustment", 1 }, { "help", 0 }, { "version", 0 }, { NULL, 0 }
};
static const struct lopt nohup_l[] = {
	{ "help", 0 }, { "version", 0 }, { NULL, 0 }
};
static const struct lopt time_l[] = {
	{ "format", 1 }, { "portability", 0 }, { "output", 1 },
	{ "append", 0 }, { "verbose", 0 }, { "quiet", 0 }, { "help", 0 },
	{ "version", 0 }, { NULL, 0 }
};
static const struct lopt xargs_l[] = {
	{ "null", 0 }, { "arg-file", 1 }, { "delimiter", 1 }, { "eof", 2 },
	{ "replace", 2 }, { "max-lines", 2 }, { "max-args", 1 },
	{ "interactive", 0 }, { "no-run-if-empty", 0 }, { "max-chars", 1 },
	{ "show-limits", 0 }, { "verbose", 0 }, { "exit", 0 },
	{ "max-procs", 1 }, { "process-slot-var", 1 }, { "open-tty", 0 },
	{ "help", 0 }, { "version", 0 }, { NULL, 0 }
};
static const struct lopt sudo_l[] = {
	{ "askpass", 0 }, { "auth-type", 1 }, { "background", 0 },
	{ "bell", 0 }, { "close-from", 1 }, { "chdir", 1 },
	{ "preserve-env", 2 }, { "edit", 0 }, { "group", 1 },
	{ "set-home", 0 }, { "help", 0 }, { "host", 1 }, { "login", 0 },
	{ "remove-timestamp", 0 }, { "reset-timestamp", 0 }, { "list", 0 },
	{ "non-interactive", 0 }, { "preserve-groups", 0 }, { "prompt", 1 },
	{ "chroot", 1 }, { "role", 1 }, { "stdin", 0 }, { "shell", 0 },
	{ "type", 1 }, { "command-timeout", 1 }, { "other-user", 1 },
	{ "user", 1 }, { "version", 0 }, { "validate", 0 },
	{ "login-class", 1 }, { NULL, 0 }
};
static const struct lopt strace_l[] = {
	{ "output", 1 }, { "output-separately", 0 }, { "trace", 1 },
	{ "trace-path", 1 }, { "signal", 1 }, { "status", 1 },
	{ "abbrev", 1 }, { "verbose", 1 }, { "raw", 1 }, { "read", 1 },
	{ "write", 1 }, { "quiet", 2 }, { "silent", 2 }, { "silence", 2 },
	{ "decode-fds", 2 }, { "decode-pids", 2 }, { "follow-forks", 0 },
	{ "summary-only", 0 }, { "summary", 0 }, { "summary-wall-clock", 0 },
	{ "summary-sort-by", 1 }, { "summary-columns", 1 },
	{ "summary-syscall-overhead", 1 }, { "attach", 1 }, { "env", 1 },
	{ "user", 1 }, { "string-limit", 1 }, { "columns", 1 },
	{ "timestamps", 2 }, { "absolute-timestamps", 2 },
	{ "relative-timestamps", 2 }, { "syscall-times", 2 },
	{ "instruction-pointer", 0 }, { "stack-trace", 0 },
	{ "daemonize", 2 }, { "seccomp-bpf", 0 }, { "failed-only", 0 },
	{ "successful-only", 0 }, { "no-abbrev", 0 }, { "kvm", 1 },
	{ "const-print-style", 1 }, { "detach-on", 1 },
	{ "interruptible", 1 }, { "inject", 1 }, { "fault", 1 },
	{ "tips", 2 }, { "namespace", 1 }, { "syscall-number", 0 },
	{ "debug", 0 }, { "help", 0 }, { "version", 0 }, { NULL, 0 }
};
static const struct lopt ltrace_l[] = {
	{ "align", 1 }, { "config", 1 }, { "demangle", 0 }, { "help", 0 },
	{ "indent", 1 }, { "library", 1 }, { "output", 1 },
	{ "no-signals", 0 }, { "where", 1 }, { "version", 0 }, { NULL, 0 }
};
static const struct lopt none_l[] = { { NULL, 0 } };
static const struct lopt command_l[] = { { NULL, 0 } };

static const struct wspec wspecs[] = {
	{ "env", "uCS", "", "i0v", "", env_l, W_ASSIGN | W_DASH },
	{ "nice", "n", "", "", "", nice_l, W_NUMOPT },
	{ "nohup", "", "", "", "", nohup_l, 0 },
	{ "time", "fo", "", "apqvV", "V", time_l, 0 },
	{ "xargs", "adEILnPs", "eil", "0oprtx", "", xargs_l, W_ECHO },
	{ "sudo", "aCcDgpRrTtUu", "h", "ABbEeHiKklNnPSsVv", "elKVv", sudo_l,
	    W_ASSIGN | W_SHELLOPT },
	{ "doas", "uC", "", "nsL", "CL", none_l, W_SHELLOPT },
	{ "strace", "abeEIoOpPsSuUX", "", "AcCdDfFhikMnqrtTvVwxyYzZ", "hV",
	    strace_l, 0 },
	{ "ltrace", "aADeFlnopsuwx", "", "bcCfhiLrStTV", "hV", ltrace_l, 0 },
	/* The shell's exec and command, also installed as programs. */
	{ "exec", "a", "", "cl", "", none_l, 0 },
	{ "command", "", "", "p", "vV", command_l, 0 },
};

enum uwres { UW_NONE = 0, UW_PAYLOAD, UW_FAIL };

static int
is_loader(const char *base)
{
	return strncmp(base, "ld-linux", 8) == 0 ||
	    strncmp(base, "ld-musl-", 8) == 0 || strcmp(base, "ld.so") == 0;
}

int
pol_is_transparent(const struct pol *p, const char *base)
{
	static const char *const builtin[] = {
		"env", "nice", "nohup", "sudo", "time", "xargs", "busybox",
		"doas", "strace", "ltrace", "exec", "command",
	};

	for (size_t i = 0; i < p->tc_remove.n; i++)
		if (strcasecmp(base, p->tc_remove.v[i]) == 0)
			return 0;
	for (size_t i = 0; i < p->tc_add.n; i++)
		if (strcasecmp(base, p->tc_add.v[i]) == 0)
			return 1;
	for (size_t i = 0; i < nitems(builtin); i++)
		if (strcmp(base, builtin[i]) == 0)
			return 1;
	return 0;
}

static const struct lopt *
find_long(const struct lopt *l, const char *name, size_t len)
{
	const struct lopt *hit = NULL;

	for (; l->name != NULL; l++) {
		if (strncmp(l->name, name, len) != 0)
			continue;
		if (strlen(l->name) == len)
			return l;
		if (hit != NULL)
			return NULL;	/* ambiguous abbreviation */
		hit = l;
	}
	return hit;
}

static int
is_assign(const char *s)
{
	const char	*eq = strchr(s, '=');

	return eq != NULL && eq != s && pol_var_name_valid(s, (size_t)(eq - s));
}

/* Splits an env -S string on blanks; escapes and quotes are refused. */
static char **
split_string(struct est *st, const char *s, size_t *n)
{
	char	**v, *copy, *tok, *save;

	*n = 0;
	if (strpbrk(s, "\\'\"$#") != NULL)
		return NULL;
	if ((copy = keep(st, strdup(s))) == NULL)
		return NULL;
	if ((v = keep(st, calloc(strlen(s) / 2 + 2, sizeof(*v)))) == NULL)
		return NULL;
	for (tok = strtok_r(copy, " \t\n", &save); tok != NULL;
	    tok = strtok_r(NULL, " \t\n", &save))
		v[(*n)++] = tok;
	return v;
}

/* env -S STRING: its words take its place, then the rest follows. */
static int
env_split(struct est *st, const char *sv, const char *const **av,
    size_t *ac, size_t next, int *restarts, const char **why)
{
	const char	**nav;
	char		**parts;
	size_t		  sn;

	if (++*restarts > 4) {
		*why = "nested env -S";
		return -1;
	}
	if ((parts = split_string(st, sv, &sn)) == NULL) {
		*why = "an env -S string with quotes or escapes";
		return -1;
	}
	if (next > *ac)
		next = *ac;
	if ((nav = keep(st, calloc(sn + *ac - next + 2,
	    sizeof(*nav)))) == NULL)
		return -1;
	nav[0] = (*av)[0];
	for (size_t k = 0; k < sn; k++)
		nav[1 + k] = parts[k];
	for (size_t k = next; k < *ac; k++)
		nav[1 + sn + k - next] = (*av)[k];
	*ac = sn + *ac - next + 1;
	*av = nav;
	return 0;
}

/*
 * Parses a wrapper's options like the tool does; on UW_PAYLOAD,
 * (*pargv, *pargc) is the command it runs.
 */
static enum uwres
unwrap(struct est *st, const char *base, const char *const *argv,
    size_t argc, const char *const **pargv, size_t *pargc, const char **why)
{
	const struct wspec *w = NULL;
	const char *const *av = argv;
	size_t	 ac = argc, i;
	int	 shell = 0, nopay = 0, restarts = 0;
	static const char *const sh_only[] = { "sh", NULL };
	static const char *const echo_only[] = { "echo", NULL };

	*why = NULL;
	if (strcmp(base, "busybox") == 0) {
		/* The applet is argv[1], or argv[0] when invoked by the
		 * applet's name through a link. */
		if (strcmp(basename_of(argv[0]), "busybox") != 0 &&
		    strcmp(basename_of(argv[0]), "busybox.real") != 0) {
			*pargv = argv;
			*pargc = argc;
			return UW_PAYLOAD;
		}
		if (argc < 2 || argv[1][0] == '-')
			return UW_NONE;	/* --list, --help, --install */
		*pargv = argv + 1;
		*pargc = argc - 1;
		return UW_PAYLOAD;
	}
	for (i = 0; i < nitems(wspecs); i++)
		if (strcmp(base, wspecs[i].name) == 0)
			w = &wspecs[i];
	if (w == NULL) {
		/* Added by transparent_commands: skip options and
		 * assignments, the first other word is the command. */
		for (i = 1; i < argc; i++) {
			if (strcmp(argv[i], "--") == 0) {
				i++;
				break;
			}
			if (argv[i][0] != '-' && !is_assign(argv[i]))
				break;
		}
		if (i >= argc)
			return UW_NONE;
		*pargv = argv + i;
		*pargc = argc - i;
		return UW_PAYLOAD;
	}
 restart:
	for (i = 1; i < ac; i++) {
		const char	*a = av[i];

		if (strcmp(a, "--") == 0) {
			i++;
			break;
		}
		if (strcmp(a, "-") == 0 && (w->flags & W_DASH))
			continue;
		if ((w->flags & W_NUMOPT) && a[0] == '-' &&
		    strspn(a + 1, "0123456789") == strlen(a + 1) && a[1])
			continue;
		if (strncmp(a, "--", 2) == 0) {
			const char	*eq = strchr(a, '=');
			size_t		 nl = eq ? (size_t)(eq - a - 2) :
			    strlen(a + 2);
			const struct lopt *l = find_long(w->lopts, a + 2, nl);

			if (l == NULL) {
				*why = "an option it does not know";
				return UW_FAIL;
			}
			if (strcmp(l->name, "help") == 0 ||
			    strcmp(l->name, "version") == 0 ||
			    strcmp(l->name, "edit") == 0 ||
			    strcmp(l->name, "list") == 0 ||
			    strcmp(l->name, "validate") == 0 ||
			    strcmp(l->name, "remove-timestamp") == 0)
				nopay = 1;
			if ((w->flags & W_SHELLOPT) &&
			    (strcmp(l->name, "shell") == 0 ||
			    strcmp(l->name, "login") == 0))
				shell = 1;
			if (strcmp(w->name, "env") == 0 &&
			    strcmp(l->name, "split-string") == 0) {
				const char *sv = eq ? eq + 1 :
				    (i + 1 < ac ? av[i + 1] : NULL);

				if (sv == NULL) {
					*why = "--split-string without a "
					    "string";
					return UW_FAIL;
				}
				if (env_split(st, sv, &av, &ac, i + (eq ? 1 :
				    2), &restarts, why) == -1)
					return UW_FAIL;
				goto restart;
			}
			if (l->arg == 1 && eq == NULL) {
				if (++i >= ac) {
					*why = "an option without its argument";
					return UW_FAIL;
				}
			} else if (l->arg == 0 && eq != NULL) {
				*why = "an option with an argument it does "
				    "not take";
				return UW_FAIL;
			}
			continue;
		}
		if (a[0] == '-' && a[1] != '\0') {
			for (size_t k = 1; a[k] != '\0'; k++) {
				char	 c = a[k];

				if (strchr(w->nopay, c) != NULL)
					nopay = 1;
				if ((w->flags & W_SHELLOPT) &&
				    (c == 's' || c == 'i'))
					shell = 1;
				if (strchr(w->sarg, c) != NULL) {
					const char *val = a[k + 1] ? a + k + 1 :
					    (i + 1 < ac ? av[i + 1] : NULL);

					if (val == NULL) {
						*why = "an option without its "
						    "argument";
						return UW_FAIL;
					}
					if (a[k + 1] == '\0')
						i++;
					if (strcmp(w->name, "env") == 0 &&
					    c == 'S') {
						if (env_split(st, val, &av,
						    &ac, i + 1, &restarts,
						    why) == -1)
							return UW_FAIL;
						goto restart;
					}
					break;
				}
				if (strchr(w->sopt, c) != NULL)
					break;	/* the rest is its argument */
				if (strchr(w->sflag, c) == NULL) {
					*why = "an option it does not know";
					return UW_FAIL;
				}
			}
			continue;
		}
		if ((w->flags & W_ASSIGN) && is_assign(a))
			continue;
		break;
	}
	if (st->err)
		return UW_FAIL;
	if (nopay)
		return UW_NONE;
	if (shell) {
		/* sudo -s CMD runs "$SHELL -c 'CMD'" */
		const char	**nav;
		size_t		  len = 0;
		char		 *s;

		if (i >= ac) {
			*pargv = sh_only;
			*pargc = 1;
			return UW_PAYLOAD;
		}
		for (size_t k = i; k < ac; k++)
			len += strlen(av[k]) + 1;
		if ((s = keep(st, calloc(1, len + 1))) == NULL ||
		    (nav = keep(st, calloc(4, sizeof(*nav)))) == NULL)
			return UW_FAIL;
		for (size_t k = i; k < ac; k++) {
			if (k > i)
				strlcat(s, " ", len + 1);
			strlcat(s, av[k], len + 1);
		}
		nav[0] = "sh";
		nav[1] = "-c";
		nav[2] = s;
		*pargv = nav;
		*pargc = 3;
		return UW_PAYLOAD;
	}
	if (i >= ac) {
		if (w->flags & W_ECHO) {
			*pargv = echo_only;
			*pargc = 1;
			return UW_PAYLOAD;
		}
		return UW_NONE;
	}
	*pargv = av + i;
	*pargc = ac - i;
	return UW_PAYLOAD;
}

/* The loader run as a program: only inspecting is allowed. */
static int
loader_runs_program(const char *const *argv, size_t argc)
{
	static const char *const witharg[] = {
		"--library-path", "--inhibit-rpath", "--audit", "--preload",
		"--argv0", "--glibc-hwcaps-prefix", "--glibc-hwcaps-mask",
	};
	int	 inspect = 0;

	for (size_t i = 1; i < argc; i++) {
		const char *a = argv[i];
		size_t	 k;

		if (strcmp(a, "--list") == 0 || strcmp(a, "--verify") == 0 ||
		    strcmp(a, "--help") == 0 || strcmp(a, "--version") == 0 ||
		    strcmp(a, "--list-tunables") == 0 ||
		    strcmp(a, "--list-diagnostics") == 0) {
			inspect = 1;
			continue;
		}
		if (strcmp(a, "--inhibit-cache") == 0)
			continue;
		for (k = 0; k < nitems(witharg); k++)
			if (strcmp(a, witharg[k]) == 0)
				break;
		if (k < nitems(witharg)) {
			i++;
			continue;
		}
		if (strncmp(a, "--", 2) == 0)
			continue;	/* --opt=value forms */
		return !inspect;	/* the program */
	}
	return 0;
}

/* ------------------------------------------------------------------ */

static void eval_cmd(struct est *, const char *, const char *const *,
    size_t, int, enum pol_by, int);

/* Builtins that run nothing. */
static int
noexec_builtin(const char *w)
{
	static const char *const b[] = {
		":", "cd", "export", "readonly", "unset", "set", "shift",
		"local", "declare", "typeset", "return", "exit", "break",
		"continue", "wait", "umask", "ulimit", "read", "getopts",
		"jobs", "fg", "bg", "disown", "times", "type", "shopt",
		"dirs", "pushd", "popd", "let", "mapfile", "readarray",
		"caller", "compgen", "complete", "compopt", "help", "history",
		"logout", "suspend", "bind", "unalias", "newgrp",
	};

	for (size_t i = 0; i < nitems(b); i++)
		if (strcmp(w, b[i]) == 0)
			return 1;
	return 0;
}

/* Builtins that run code the reader cannot see. */
static const char *
opaque_builtin(const char *const *argv, size_t argc)
{
	static const char *const b[] = {
		"eval", ".", "source", "trap", "alias", "enable", "fc",
	};

	for (size_t i = 0; i < nitems(b); i++)
		if (strcmp(argv[0], b[i]) == 0)
			return b[i];
	if (strcmp(argv[0], "hash") == 0)
		for (size_t i = 1; i < argc; i++)
			if (argv[i][0] == '-' && strchr(argv[i], 'p'))
				return "hash -p";
	return NULL;
}

/* One simple command of a script. */
static void
eval_inner(struct est *st, const char *const *argv, size_t argc, int unc,
    int depth)
{
	const char	*ob;
	char		 msg[128];

	/* exec [-cl] [-a NAME] CMD, command [-p] CMD, builtin NAME */
	while (argc > 0) {
		size_t	 i = 1;

		if (strcmp(argv[0], "exec") == 0) {
			while (i < argc && argv[i][0] == '-') {
				if (strcmp(argv[i], "--") == 0) {
					i++;
					break;
				}
				if (strchr(argv[i], 'a') != NULL)
					i++;	/* -a NAME */
				i++;
			}
		} else if (strcmp(argv[0], "command") == 0) {
			while (i < argc && argv[i][0] == '-') {
				if (strcmp(argv[i], "--") == 0) {
					i++;
					break;
				}
				if (strpbrk(argv[i], "vV") != NULL)
					return;	/* introspection */
				i++;
			}
		} else if (strcmp(argv[0], "builtin") == 0) {
			if (argc < 2 || (!noexec_builtin(argv[1]) &&
			    opaque_builtin(argv + 1, argc - 1) == NULL))
				return;	/* not a builtin: an error */
		} else
			break;
		argv += i;
		argc = argc > i ? argc - i : 0;
	}
	if (argc == 0 || noexec_builtin(argv[0]))
		return;
	if ((ob = opaque_builtin(argv, argc)) != NULL) {
		snprintf(msg, sizeof(msg), "the builtin '%s'", ob);
		opaque(st, argv[0], msg);
		return;
	}
	eval_cmd(st, NULL, argv, argc, depth, POL_BY_SHELL, 0);
	if (unc && args_matter(st->p, argv[0], depth))
		opaque(st, argv[0], "arguments that expand at run time");
}

static void
eval_shell(struct est *st, const char *who, const char *const *argv,
    size_t argc, int depth, int zsh)
{
	struct pol_shscript sc;
	enum pol_shform	 form;
	const char	*script, *why;

	form = pol_shell_form(argv, argc, &script, &why);
	if (form == SHF_OPAQUE) {
		opaque(st, who, why);
		return;
	}
	if (form != SHF_SCRIPT)
		return;
	if (st->shlevel >= MAX_SHELL) {
		engine_deny(st, "shellc-depth-exceeded", who, "sh -c nested "
		    "more than %d deep", MAX_SHELL);
		return;
	}
	if (pol_shell_parse(script, zsh, &sc) == -1) {
		st->err = ENOMEM;
		return;
	}
	/* What it could read first: a rule that names a command says more
	 * than "opaque". */
	st->inner++;
	st->shlevel++;
	for (size_t i = 0; i < sc.ncmd && !st->err; i++)
		eval_inner(st, (const char *const *)sc.cmd[i].argv,
		    sc.cmd[i].argc, sc.cmd[i].args_uncertain, depth + 1);
	st->inner--;
	st->shlevel--;
	if (sc.opaque != NULL)
		opaque(st, who, sc.opaque);
	pol_shell_clear(&sc);
}

static void
eval_cmd(struct est *st, const char *path, const char *const *argv,
    size_t argc, int depth, enum pol_by by, int uwlevel)
{
	const struct pol_cmd_rule *r;
	const char	*name = path ? path : argv[0], *why;
	const char *const *pargv;
	char		 base[512], norm[512];
	size_t		 pargc;
	enum uwres	 u;

	if (names(name, base, norm, sizeof(base)) == -1)
		base[0] = norm[0] = '\0';
	if (is_loader(base) && loader_runs_program(argv, argc))
		engine_deny(st, "loader-exec", name, "running the dynamic "
		    "loader as a program is denied: it opens the program "
		    "after any decision (only --list and --verify are "
		    "allowed)");
	if (pol_cmd_match(st->p, name, argv, argc, depth, &r) == -1) {
		engine_deny(st, "args-pattern-error", name, "args_patterns "
		    "could not be evaluated");
		return;
	}
	consider(st, r ? r->c.decision : POL_DENY, r ? r->c.name :
	    POL_RULE_DEFAULT_CMD, r, by, r != NULL, name, argv, argc, NULL);
	if (!is_loader(base) && pol_is_transparent(st->p, norm)) {
		if (uwlevel >= MAX_UNWRAP) {
			engine_deny(st, "transparent-depth-exceeded", name,
			    "more than %d wrappers in a row", MAX_UNWRAP);
			return;
		}
		u = unwrap(st, norm, argv, argc, &pargv, &pargc, &why);
		if (st->err)
			return;
		if (u == UW_FAIL) {
			engine_deny(st, "transparent-unparsable", name,
			    "cannot tell what '%s' runs: %s", basename_of(name),
			    why);
			return;
		}
		if (u == UW_NONE || pargc == 0)
			return;
		if (!st->inner) {
			st->res->unwrapped = 1;
			strlcpy(st->res->payload_command, pargv[0],
			    sizeof(st->res->payload_command));
		}
		if (!st->inner) {
			char	 pb[512], pn[512];

			if (names(pargv[0], pb, pn, sizeof(pb)) == -1)
				pn[0] = '\0';
			by = pol_is_transparent(st->p, pn) ? POL_BY_WRAPPER :
			    POL_BY_PAYLOAD;
		}
		eval_cmd(st, NULL, pargv, pargc, depth, by, uwlevel + 1);
		return;
	}
	if (pol_shell_known(norm))
		eval_shell(st, name, argv, argc, depth, strcmp(norm, "zsh") ==
		    0);
}

int
pol_eval_exec(const struct pol *p, const struct pol_ctx *ctx,
    const struct pol_exec_req *req, struct pol_result *res)
{
	struct est	 st;
	int		 rc = 0;

	pol_result_init(res);
	if (req->argc < 1 || req->argv == NULL || req->argv[0] == NULL) {
		pol_result_set(res, POL_DENY, POL_RULE_DEFAULT_CMD);
		errno = EINVAL;
		return -1;
	}
	memset(&st, 0, sizeof(st));
	st.p = p;
	st.ctx = ctx;
	st.res = res;
	eval_cmd(&st, req->path, req->argv, req->argc, req->depth,
	    POL_BY_COMMAND, 0);
	if (res->unwrapped)
		strlcpy(res->unwrapped_from, req->path ? req->path :
		    req->argv[0], sizeof(res->unwrapped_from));
	for (size_t i = 0; i < st.nkeep; i++)
		free(st.keep[i]);
	free(st.keep);
	if (st.err) {
		int	 opq = res->opaque;

		pol_result_init(res);
		res->opaque = opq;
		pol_result_set(res, POL_DENY, "evaluation-error");
		strlcpy(res->message, "out of memory", sizeof(res->message));
		res->by = POL_BY_ENGINE;
		errno = st.err;
		rc = -1;
	}
	return rc;
}
