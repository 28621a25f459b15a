/*
 * What a `sh -c SCRIPT` runs: a small reader of the shell language that
 * turns a script into its simple commands (argv after quote removal), so
 * each can be decided like a command of its own.
 *
 * It follows quoting ('..', "..", \), lists and pipelines (; & && || |
 * |& newlines), redirections (the targets are files, decided by the file
 * layer), assignments before a command, grouping ( ) { }, ! and the
 * keywords of if/while/until/for.  It gives up -- the script is "opaque"
 * and sandbox.seccomp.shellc.opaque decides -- on anything that runs code
 * it cannot see: command substitution, process substitution, backquotes,
 * here-documents, case, function definitions, arithmetic commands, and a
 * command name that only exists after expansion ($x, globs, braces, ~).
 * An argument that expands at run time is kept as written and flagged, so
 * the caller can tell whether a rule's args_patterns would depend on it.
 */
#include "compat.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pol_local.h"

enum tokkind { T_WORD, T_OP, T_NL, T_EOF };

struct tok {
	enum tokkind	 kind;
	char		*s;		/* word after quote removal, or op */
	int		 quoted;	/* some part was quoted or escaped */
	int		 uncertain;	/* expands at run time */
	long		 eq;		/* first unquoted '=', or -1 */
	int		 ionum;		/* the 2 of 2>file */
};

struct lexer {
	const char	*s;
	size_t		 n, i;
	int		 zsh;
	const char	*opaque;	/* set: stop */
	char		*buf;		/* word being built */
	size_t		 len, cap;
};

static int
buf_add(struct lexer *lx, char c)
{
	char	*nb;

	if (lx->len + 2 > lx->cap) {
		size_t	 nc = lx->cap ? lx->cap * 2 : 64;

		if ((nb = realloc(lx->buf, nc)) == NULL)
			return -1;
		lx->buf = nb;
		lx->cap = nc;
	}
	lx->buf[lx->len++] = c;
	lx->buf[lx->len] = '\0';
	return 0;
}

static int
is_opchar(char c)
{
	return c == ';' || c == '&' || c == '|' || c == '<' || c == '>' ||
	    c == '(' || c == ')' || c == '\n';
}

/* ${...}: skips to the matching brace; code inside makes it opaque. */
static void
skip_braced(struct lexer *lx)
{
	int	 depth = 1;

	lx->i += 2;	/* "${" */
	while (lx->i < lx->n && depth > 0) {
		char	 c = lx->s[lx->i];

		if (c == '\\' && lx->i + 1 < lx->n) {
			lx->i += 2;
			continue;
		}
		if (c == '`' || (c == '$' && lx->i + 1 < lx->n &&
		    lx->s[lx->i + 1] == '(')) {
			lx->opaque = "command substitution";
			return;
		}
		if (c == '{')
			depth++;
		else if (c == '}')
			depth--;
		lx->i++;
	}
	if (depth > 0)
		lx->opaque = "unterminated ${";
}

/*
 * At a '$': command substitution and arithmetic make the script opaque;
 * parameters make the word uncertain.  The expansion is kept in the word
 * as written.  Returns -1 on ENOMEM.
 */
static int
lex_dollar(struct lexer *lx, struct tok *t, int indq)
{
	char	 n = lx->i + 1 < lx->n ? lx->s[lx->i + 1] : '\0';
	size_t	 start = lx->i;

	if (n == '(') {
		lx->opaque = "command substitution $(...)";
		return 0;
	}
	if (n == '{') {
		t->uncertain = 1;
		skip_braced(lx);
	} else if (!indq && (n == '\'' || n == '"')) {
		/* $'..' and $"..": a quoted, uncertain word. */
		char	 q = n;

		t->uncertain = 1;
		t->quoted = 1;
		lx->i += 2;
		while (lx->i < lx->n && lx->s[lx->i] != q) {
			if (lx->s[lx->i] == '\\')
				lx->i++;
			else if (q == '"' && (lx->s[lx->i] == '`' ||
			    lx->s[lx->i] == '$')) {
				lx->opaque = "expansion inside $\"...\"";
				return 0;
			}
			lx->i++;
		}
		if (lx->i >= lx->n) {
			lx->opaque = "unterminated quote";
			return 0;
		}
		lx->i++;
	} else if (isalpha((unsigned char)n) || n == '_') {
		t->uncertain = 1;
		lx->i++;
		while (lx->i < lx->n && (isalnum((unsigned char)lx->s[lx->i]) ||
		    lx->s[lx->i] == '_'))
			lx->i++;
	} else if (isdigit((unsigned char)n) ||
	    (n != '\0' && strchr("@*#?-$!", n))) {
		t->uncertain = 1;
		lx->i += 2;
	} else
		lx->i++;	/* a lone '$' is itself */
	if (lx->opaque != NULL)
		return 0;
	for (size_t k = start; k < lx->i && k < lx->n; k++)
		if (buf_add(lx, lx->s[k]) == -1)
			return -1;
	return 0;
}

/* Reads one word at lx->i (not at blank or operator). */
static int
lex_word(struct lexer *lx, struct tok *t)
{
	size_t	 start = lx->i;

	lx->len = 0;
	if (buf_add(lx, 'x') == -1)	/* allocate */
		return -1;
	lx->len = 0;
	lx->buf[0] = '\0';
	t->kind = T_WORD;
	t->quoted = t->uncertain = 0;
	t->eq = -1;
	while (lx->i < lx->n && lx->opaque == NULL) {
		char	 c = lx->s[lx->i];

		if (c == ' ' || c == '\t' || is_opchar(c))
			break;
		if (c == '\\') {
			if (lx->i + 1 >= lx->n) {
				lx->i++;
				if (buf_add(lx, '\\') == -1)
					return -1;
				continue;
			}
			if (lx->s[lx->i + 1] == '\n') {
				lx->i += 2;
				continue;
			}
			t->quoted = 1;
			if (buf_add(lx, lx->s[lx->i + 1]) == -1)
				return -1;
			lx->i += 2;
			continue;
		}
		if (c == '\'') {
			t->quoted = 1;
			lx->i++;
			while (lx->i < lx->n && lx->s[lx->i] != '\'')
				if (buf_add(lx, lx->s[lx->i++]) == -1)
					return -1;
			if (lx->i >= lx->n) {
				lx->opaque = "unterminated quote";
				break;
			}
			lx->i++;
			continue;
		}
		if (c == '"') {
			t->quoted = 1;
			lx->i++;
			while (lx->i < lx->n && lx->s[lx->i] != '"' &&
			    lx->opaque == NULL) {
				char	 d = lx->s[lx->i];

				if (d == '\\' && lx->i + 1 < lx->n &&
				    strchr("$`\"\\\n", lx->s[lx->i + 1])) {
					if (lx->s[lx->i + 1] != '\n' &&
					    buf_add(lx, lx->s[lx->i + 1]) == -1)
						return -1;
					lx->i += 2;
				} else if (d == '`') {
					lx->opaque = "command substitution "
					    "`...`";
				} else if (d == '$') {
					if (lex_dollar(lx, t, 1) == -1)
						return -1;
				} else {
					if (buf_add(lx, d) == -1)
						return -1;
					lx->i++;
				}
			}
			if (lx->opaque == NULL && lx->i >= lx->n)
				lx->opaque = "unterminated quote";
			lx->i++;
			continue;
		}
		if (c == '`') {
			lx->opaque = "command substitution `...`";
			break;
		}
		if (c == '$') {
			if (lex_dollar(lx, t, 0) == -1)
				return -1;
			continue;
		}
		if (c == '*' || c == '?' || c == '[')
			t->uncertain = 1;
		else if (c == '{' && lx->i > start)
			t->uncertain = 1;	/* brace expansion */
		else if (c == '{' && lx->i + 1 < lx->n &&
		    !isspace((unsigned char)lx->s[lx->i + 1]) &&
		    !is_opchar(lx->s[lx->i + 1]))
			t->uncertain = 1;
		else if ((c == '~' || (c == '=' && lx->zsh)) &&
		    lx->i == start)
			t->uncertain = 1;	/* ~user, zsh's =cmd */
		if (c == '=' && t->eq < 0)
			t->eq = (long)lx->len;
		if (buf_add(lx, c) == -1)
			return -1;
		lx->i++;
	}
	if ((t->s = strdup(lx->buf)) == NULL)
		return -1;
	/* 2>file, {fd}>file: the descriptor belongs to the redirection */
	if (!t->quoted && lx->i < lx->n && (lx->s[lx->i] == '<' ||
	    lx->s[lx->i] == '>') && lx->len > 0 &&
	    (strspn(t->s, "0123456789") == lx->len ||
	    (t->s[0] == '{' && t->s[lx->len - 1] == '}')))
		t->ionum = 1;
	return 0;
}

static const char *const ops[] = {
	"<<<", "&>>", "<<-", ";;", "&&", "||", "|&", ">>", "<<", ">|",
	"<>", "<&", ">&", "&>", "((", ";", "&", "|", "<", ">", "(", ")",
};

/* Next token; comments and blanks skipped. */
static int
lex_next(struct lexer *lx, struct tok *t)
{
	memset(t, 0, sizeof(*t));
	t->eq = -1;
	for (;;) {
		while (lx->i < lx->n && (lx->s[lx->i] == ' ' ||
		    lx->s[lx->i] == '\t'))
			lx->i++;
		if (lx->i + 1 < lx->n && lx->s[lx->i] == '\\' &&
		    lx->s[lx->i + 1] == '\n') {
			lx->i += 2;
			continue;
		}
		if (lx->i < lx->n && lx->s[lx->i] == '#') {
			while (lx->i < lx->n && lx->s[lx->i] != '\n')
				lx->i++;
			continue;
		}
		break;
	}
	if (lx->i >= lx->n) {
		t->kind = T_EOF;
		return 0;
	}
	if (lx->s[lx->i] == '\n') {
		t->kind = T_NL;
		lx->i++;
		return 0;
	}
	if (is_opchar(lx->s[lx->i])) {
		for (size_t k = 0; k < nitems(ops); k++) {
			size_t	 l = strlen(ops[k]);

			if (lx->n - lx->i >= l &&
			    strncmp(lx->s + lx->i, ops[k], l) == 0) {
				t->kind = T_OP;
				if ((t->s = strdup(ops[k])) == NULL)
					return -1;
				lx->i += l;
				if ((strcmp(ops[k], "<") == 0 ||
				    strcmp(ops[k], ">") == 0) &&
				    lx->i < lx->n && lx->s[lx->i] == '(')
					lx->opaque = "process substitution";
				return 0;
			}
		}
	}
	return lex_word(lx, t);
}

static void
tok_clear(struct tok *t)
{
	free(t->s);
	t->s = NULL;
}

/* ------------------------------------------------------------------ */

static int
is_redir(const char *op)
{
	return strcmp(op, "<") == 0 || strcmp(op, ">") == 0 ||
	    strcmp(op, ">>") == 0 || strcmp(op, ">|") == 0 ||
	    strcmp(op, "<>") == 0 || strcmp(op, "<&") == 0 ||
	    strcmp(op, ">&") == 0 || strcmp(op, "&>") == 0 ||
	    strcmp(op, "&>>") == 0 || strcmp(op, "<<<") == 0;
}

static int
is_control(const char *op)
{
	return strcmp(op, ";") == 0 || strcmp(op, "&") == 0 ||
	    strcmp(op, "&&") == 0 || strcmp(op, "||") == 0 ||
	    strcmp(op, "|") == 0 || strcmp(op, "|&") == 0;
}

static int
is_assignment(const struct tok *t)
{
	return t->eq > 0 && pol_var_name_valid(t->s, (size_t)t->eq);
}

/* Keywords that only shape control flow: the commands between them run. */
static int
is_flow_keyword(const char *w)
{
	static const char *const kw[] = {
		"if", "then", "elif", "else", "fi", "while", "until", "do",
		"done", "!", "{", "}",
	};

	for (size_t i = 0; i < nitems(kw); i++)
		if (strcmp(w, kw[i]) == 0)
			return 1;
	return 0;
}

static int
push_cmd(struct pol_shscript *sc, char **argv, size_t argc, int unc)
{
	struct pol_shcmd *nc;

	if ((nc = reallocarray(sc->cmd, sc->ncmd + 1, sizeof(*nc))) == NULL)
		return -1;
	sc->cmd = nc;
	nc[sc->ncmd].argv = argv;
	nc[sc->ncmd].argc = argc;
	nc[sc->ncmd].args_uncertain = unc;
	sc->ncmd++;
	return 0;
}

static void
argv_free(char **argv, size_t argc)
{
	if (argv == NULL)
		return;
	for (size_t i = 0; i < argc; i++)
		free(argv[i]);
	free(argv);
}

int
pol_shell_parse(const char *script, int zsh, struct pol_shscript *sc)
{
	struct lexer	 lx;
	struct tok	 t;
	char		**argv = NULL, **nv;
	size_t		 argc = 0;
	int		 at_start = 1, unc = 0, after_cmd = 0, rc = -1;
	int		 depth = 0, words_until_sep = 0, need_target = 0;

	memset(sc, 0, sizeof(*sc));
	memset(&lx, 0, sizeof(lx));
	memset(&t, 0, sizeof(t));
	lx.s = script;
	lx.n = strlen(script);
	lx.zsh = zsh;

	for (;;) {
		tok_clear(&t);
		if (lex_next(&lx, &t) == -1)
			goto out;
		if (lx.opaque != NULL) {
			sc->opaque = lx.opaque;
			break;
		}
		if (need_target) {
			/* The file a redirection names. */
			if (t.kind != T_WORD) {
				sc->opaque = "redirection without a target";
				break;
			}
			need_target = 0;
			continue;
		}
		if (t.kind == T_WORD && (words_until_sep || t.ionum))
			continue;	/* for NAME in WORDS; 2>x */
		if (t.kind == T_EOF || t.kind == T_NL ||
		    (t.kind == T_OP && (is_control(t.s) ||
		    strcmp(t.s, ")") == 0))) {
			words_until_sep = 0;
			if (argc > 0) {
				if (push_cmd(sc, argv, argc, unc) == -1)
					goto out;
				argv = NULL;
				argc = 0;
				unc = 0;
			}
			if (t.kind == T_OP && strcmp(t.s, ")") == 0) {
				if (depth == 0) {
					sc->opaque = "unbalanced ')'";
					break;
				}
				depth--;
				after_cmd = 1;
				at_start = 0;
				continue;
			}
			if (t.kind == T_EOF)
				break;
			at_start = 1;
			after_cmd = 0;
			continue;
		}
		if (t.kind == T_OP && is_redir(t.s)) {
			need_target = 1;
			continue;
		}
		if (t.kind == T_OP) {
			if (strcmp(t.s, "(") == 0 && at_start && argc == 0) {
				depth++;
				continue;
			}
			if (strcmp(t.s, "<<") == 0 || strcmp(t.s, "<<-") == 0)
				sc->opaque = "here-document";
			else if (strcmp(t.s, "((") == 0)
				sc->opaque = "arithmetic command";
			else if (strcmp(t.s, ";;") == 0)
				sc->opaque = "case";
			else
				sc->opaque = "function definition or "
				    "misplaced '('";
			break;
		}
		/* A word. */
		if (after_cmd) {
			/* `( ... ) word`: a subshell takes redirections
			 * only. */
			if (t.s[0] == '}' && t.s[1] == '\0' && !t.quoted)
				continue;
			sc->opaque = "word after ')'";
			break;
		}
		if (at_start && argc == 0 && !t.quoted) {
			if (is_flow_keyword(t.s))
				continue;
			if (strcmp(t.s, "for") == 0 ||
			    strcmp(t.s, "select") == 0) {
				/* NAME, then optional "in WORDS" up to
				 * the separator; "do" follows. */
				tok_clear(&t);
				if (lex_next(&lx, &t) == -1)
					goto out;
				if (t.kind != T_WORD || lx.opaque != NULL ||
				    !pol_var_name_valid(t.s, strlen(t.s))) {
					sc->opaque = lx.opaque ? lx.opaque :
					    "for loop form";
					break;
				}
				words_until_sep = 1;
				continue;
			}
			if (strcmp(t.s, "case") == 0) {
				sc->opaque = "case";
				break;
			}
			if (strcmp(t.s, "function") == 0) {
				sc->opaque = "function definition";
				break;
			}
			if (strcmp(t.s, "coproc") == 0) {
				sc->opaque = "coproc";
				break;
			}
			if (strcmp(t.s, "[[") == 0) {
				sc->opaque = "[[ conditional";
				break;
			}
		}
		if (argc == 0 && is_assignment(&t))
			continue;	/* VAR=value before the command */
		if (argc == 0 && t.uncertain) {
			sc->opaque = "a command name that expands at run time";
			break;
		}
		if (argc > 0 && t.uncertain)
			unc = 1;
		if ((nv = reallocarray(argv, argc + 2, sizeof(*nv))) == NULL)
			goto out;
		argv = nv;
		argv[argc++] = t.s;
		argv[argc] = NULL;
		t.s = NULL;
		at_start = 0;
	}
	if (sc->opaque == NULL && depth != 0)
		sc->opaque = "unbalanced '('";
	if (sc->opaque == NULL && need_target)
		sc->opaque = "redirection without a target";
	rc = 0;
 out:
	tok_clear(&t);
	argv_free(argv, argc);
	free(lx.buf);
	if (rc == -1) {
		pol_shell_clear(sc);
		errno = ENOMEM;
	}
	return rc;
}

void
pol_shell_clear(struct pol_shscript *sc)
{
	for (size_t i = 0; i < sc->ncmd; i++)
		argv_free(sc->cmd[i].argv, sc->cmd[i].argc);
	free(sc->cmd);
	sc->cmd = NULL;
	sc->ncmd = 0;
}

/* ------------------------------------------------------------------ */

int
pol_shell_known(const char *base)
{
	static const char *const shells[] = {
		"sh", "bash", "dash", "ash", "ksh", "mksh", "zsh", "posh",
		"yash",
	};

	for (size_t i = 0; i < nitems(shells); i++)
		if (strcmp(base, shells[i]) == 0)
			return 1;
	return 0;
}

enum pol_shform
pol_shell_form(const char *const *argv, size_t argc, const char **script,
    const char **why)
{
	static const char *const long_noarg[] = {
		"--norc", "--noprofile", "--posix", "--login", "--noediting",
		"--restricted", "--verbose", "--debugger", "--dump-strings",
		"--dump-po-strings", "--pretty-print",
	};
	size_t	 i;
	int	 have_c = 0;

	*script = NULL;
	*why = NULL;
	for (i = 1; i < argc; i++) {
		const char	*a = argv[i];
		size_t		 k;

		if (strcmp(a, "--") == 0 || strcmp(a, "-") == 0) {
			i++;
			break;
		}
		if (strncmp(a, "--", 2) == 0) {
			if (strcmp(a, "--help") == 0 ||
			    strcmp(a, "--version") == 0)
				return SHF_NO_SCRIPT;
			if (strcmp(a, "--rcfile") == 0 ||
			    strcmp(a, "--init-file") == 0) {
				i++;
				continue;
			}
			for (k = 0; k < nitems(long_noarg); k++)
				if (strcmp(a, long_noarg[k]) == 0)
					break;
			if (k == nitems(long_noarg)) {
				*why = "a shell option it does not know";
				return SHF_OPAQUE;
			}
			continue;
		}
		if ((a[0] != '-' && a[0] != '+') || a[1] == '\0')
			break;
		for (k = 1; a[k] != '\0'; k++) {
			char	 c = a[k];

			if (c == 'c' && a[0] == '-')
				have_c = 1;
			else if (c == 'o' || c == 'O') {
				/* The option name is the next argument. */
				if (a[k + 1] != '\0' || i + 1 >= argc) {
					*why = "a shell option form it cannot "
					    "follow";
					return SHF_OPAQUE;
				}
				i++;
				break;
			} else if (c == 'k') {
				/* keyword: NAME=VALUE anywhere is an
				 * assignment, which changes the argv */
				*why = "shell option -k";
				return SHF_OPAQUE;
			} else if (strchr("abBCDeEfhHilmnpPrstTuvx", c) ==
			    NULL) {
				*why = "a shell option it does not know";
				return SHF_OPAQUE;
			}
		}
	}
	if (!have_c || i >= argc)
		return SHF_NO_SCRIPT;
	*script = argv[i];
	return SHF_SCRIPT;
}
