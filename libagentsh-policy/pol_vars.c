/*
 * Variables in file paths and domains: ${VAR} and ${VAR:-fallback}, and
 * the project-root detection that provides PROJECT_ROOT and GIT_ROOT.
 *
 * Only the variables the caller set are known; the process environment is
 * never consulted (the monitor's environment says nothing about a
 * session).  Values are literal: expanded into a glob, their *, ?, [ and
 * braces are escaped.
 */
#include "compat.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "pol_local.h"

struct pol_vars {
	struct pol_kvv	 kv;
};

struct pol_vars *
pol_vars_new(void)
{
	return calloc(1, sizeof(struct pol_vars));
}

void
pol_vars_free(struct pol_vars *v)
{
	if (v == NULL)
		return;
	pol_kvv_clear(&v->kv);
	free(v);
}

int
pol_vars_set(struct pol_vars *v, const char *name, const char *value)
{
	if (!pol_var_name_valid(name, strlen(name))) {
		errno = EINVAL;
		return -1;
	}
	return pol_kvv_set(&v->kv, name, value);
}

const char *
pol_vars_get(const struct pol_vars *v, const char *name)
{
	if (v == NULL)
		return NULL;
	return pol_kvv_get(&v->kv, name);
}

/*
 * Walks s; for each ${...} calls back with name and fallback.  Returns -1
 * on a syntax error with a message.
 */
struct expand {
	char	*out;
	size_t	 len, cap;
};

static int
out_add(struct expand *x, const char *s, size_t n)
{
	char	*no;

	if (x == NULL)
		return 0;
	if (x->len + n + 1 > x->cap) {
		size_t	 nc = (x->len + n + 1) * 2;

		if ((no = realloc(x->out, nc)) == NULL)
			return -1;
		x->out = no;
		x->cap = nc;
	}
	memcpy(x->out + x->len, s, n);
	x->len += n;
	x->out[x->len] = '\0';
	return 0;
}

/* The '}' closing the ${ at s[0..1]; nested ${...} are skipped. */
static const char *
var_close(const char *s)
{
	int	 depth = 0;

	for (; *s != '\0'; s++) {
		if (s[0] == '$' && s[1] == '{') {
			depth++;
			s++;
		} else if (*s == '}' && --depth == 0)
			return s;
	}
	return NULL;
}

static int
expand(const struct pol_vars *vars, const char *s, int escape,
    struct expand *x, char *err, size_t errlen, int level)
{
	const char	*p = s, *dollar, *close, *name, *fb, *val;
	size_t		 nlen;
	char		 nbuf[128], *esc, *sub;

	if (level > 8) {
		pol_errv_set(err, errlen, "variables nested too deep in '%s'",
		    s);
		errno = EINVAL;
		return -1;
	}
	while ((dollar = strstr(p, "${")) != NULL) {
		if (out_add(x, p, (size_t)(dollar - p)) == -1)
			return -1;
		name = dollar + 2;
		if ((close = var_close(dollar)) == NULL) {
			pol_errv_set(err, errlen, "unclosed '${' in '%s'", s);
			errno = EINVAL;
			return -1;
		}
		for (nlen = 0; name + nlen < close && name[nlen] != ':'; nlen++)
			;
		fb = name + nlen < close ? name + nlen : NULL;
		if (fb != NULL && fb[1] != '-')
			fb = NULL, nlen = (size_t)(close - name);
		if (!pol_var_name_valid(name, nlen) || nlen >= sizeof(nbuf)) {
			pol_errv_set(err, errlen, "bad variable name in '%s'",
			    s);
			errno = EINVAL;
			return -1;
		}
		memcpy(nbuf, name, nlen);
		nbuf[nlen] = '\0';
		/* The fallback may hold variables itself: check it always. */
		if (fb != NULL) {
			if ((sub = strndup(fb + 2, (size_t)(close - fb - 2))) ==
			    NULL)
				return -1;
			if ((val = pol_vars_get(vars, nbuf)) != NULL ||
			    x == NULL) {
				/* only check */
				if (expand(vars, sub, escape, NULL, err, errlen,
				    level + 1) == -1) {
					free(sub);
					return -1;
				}
			} else if (expand(vars, sub, escape, x, err, errlen,
			    level + 1) == -1) {
				free(sub);
				return -1;
			}
			free(sub);
		}
		if (x != NULL && (val = pol_vars_get(vars, nbuf)) != NULL) {
			if (escape) {
				if ((esc = pol_glob_escape(val)) == NULL)
					return -1;
				if (out_add(x, esc, strlen(esc)) == -1) {
					free(esc);
					return -1;
				}
				free(esc);
			} else if (out_add(x, val, strlen(val)) == -1)
				return -1;
		} else if (x != NULL && fb == NULL) {
			pol_errv_set(err, errlen, "undefined variable ${%s} "
			    "(and no ${%s:-fallback})", nbuf, nbuf);
			errno = EINVAL;
			return -1;
		}
		p = close + 1;
	}
	return out_add(x, p, strlen(p));
}

char *
pol_vars_expand(const struct pol_vars *vars, const char *s, int escape,
    char *err, size_t errlen)
{
	struct expand	 x = { NULL, 0, 0 };

	if (out_add(&x, "", 0) == -1 ||
	    expand(vars, s, escape, &x, err, errlen, 0) == -1) {
		if (errno == ENOMEM)
			pol_errv_set(err, errlen, "out of memory");
		free(x.out);
		return NULL;
	}
	return x.out;
}

int
pol_vars_check(const char *s, char *err, size_t errlen)
{
	return expand(NULL, s, 0, NULL, err, errlen, 0);
}

/* ------------------------------------------------------------------ */

static const char *const default_markers[] = {
	".git", "go.mod", "package.json", "Cargo.toml", "pyproject.toml",
	NULL
};

const char *const *
pol_default_markers(void)
{
	return default_markers;
}

int
pol_detect_roots(const char *workspace, const char *const *markers,
    char **project_root, char **git_root, char *err, size_t errlen)
{
	char		 dir[PATH_MAX], probe[PATH_MAX], *slash;
	char		*proj = NULL, *git = NULL;
	struct stat	 st;
	int		 lang = 0;

	*project_root = NULL;
	if (git_root != NULL)
		*git_root = NULL;
	if (markers == NULL)
		markers = default_markers;
	if (realpath(workspace, dir) == NULL) {
		pol_errv_set(err, errlen, "%s: %s", workspace,
		    strerror(errno));
		return -1;
	}
	if ((proj = strdup(dir)) == NULL)
		goto nomem;
	for (;;) {
		for (size_t i = 0; markers[i] != NULL; i++) {
			if ((size_t)snprintf(probe, sizeof(probe), "%s/%s",
			    strcmp(dir, "/") == 0 ? "" : dir, markers[i]) >=
			    sizeof(probe))
				continue;
			if (stat(probe, &st) == -1)
				continue;
			if (strcmp(markers[i], ".git") == 0) {
				if (git == NULL &&
				    (git = strdup(dir)) == NULL)
					goto nomem;
				if (!lang) {
					free(proj);
					if ((proj = strdup(dir)) == NULL)
						goto nomem;
				}
			} else if (!lang) {
				free(proj);
				if ((proj = strdup(dir)) == NULL)
					goto nomem;
				lang = 1;
			}
		}
		/* .git marks the project boundary. */
		if (git != NULL || strcmp(dir, "/") == 0)
			break;
		slash = strrchr(dir, '/');
		if (slash == dir)
			dir[1] = '\0';
		else
			*slash = '\0';
	}
	*project_root = proj;
	if (git_root != NULL)
		*git_root = git;
	else
		free(git);
	return 0;
 nomem:
	free(proj);
	free(git);
	pol_errv_set(err, errlen, "out of memory");
	return -1;
}

int
pol_vars_session(struct pol_vars *v, const char *workspace,
    const char *home, int detect, const char *const *markers, char *err,
    size_t errlen)
{
	char	*proj = NULL, *git = NULL;
	int	 rc = -1;

	if (detect) {
		if (pol_detect_roots(workspace, markers, &proj, &git, err,
		    errlen) == -1)
			return -1;
	} else if ((proj = strdup(workspace)) == NULL) {
		pol_errv_set(err, errlen, "out of memory");
		return -1;
	}
	if (pol_vars_set(v, "WORKSPACE", workspace) == -1 ||
	    pol_vars_set(v, "PROJECT_ROOT", proj) == -1 ||
	    (git != NULL && pol_vars_set(v, "GIT_ROOT", git) == -1) ||
	    (home != NULL && pol_vars_set(v, "HOME", home) == -1)) {
		pol_errv_set(err, errlen, "out of memory");
		goto out;
	}
	rc = 0;
 out:
	free(proj);
	free(git);
	return rc;
}
