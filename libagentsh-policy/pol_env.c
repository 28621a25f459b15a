/*
 * The child environment: a minimal base, the request filtered through
 * env_policy (or the command rule's env_* settings), the built-in secret
 * deny list, then env_inject; limits on the result.
 */
#include "compat.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pol_local.h"

/*
 * Names never passed on unless an allow list names them: credentials, and
 * variables that make a loader or an interpreter run code of the
 * caller's choosing.
 */
static const char *const secrets[] = {
	"AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN",
	"AWS_PROFILE", "GOOGLE_APPLICATION_CREDENTIALS", "GCP_SERVICE_ACCOUNT",
	"AZURE_CLIENT_SECRET", "AZURE_CLIENT_ID", "AZURE_TENANT_ID",
	"AZURE_SUBSCRIPTION_ID", "SSH_AUTH_SOCK", "SSH_AGENT_PID",
	"DOCKER_HOST", "DOCKER_TLS_VERIFY", "DOCKER_CERT_PATH", "KUBECONFIG",
	"GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "NPM_TOKEN",
	"VAULT_TOKEN",
	"PYTHONPATH", "PYTHONSTARTUP", "PYTHONHOME", "PYTHONUSERBASE",
	"RUBYLIB", "RUBYOPT", "PERL5LIB", "PERL5OPT", "PERLLIB", "NODE_PATH",
	"NODE_OPTIONS", "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "CDPATH",
	"GLOBIGNORE", "MAILPATH", "PROMPT_COMMAND", "GIT_ASKPASS",
	"SSH_ASKPASS", "GIT_SSH_COMMAND",
};

int
pol_env_is_secret(const char *name)
{
	/* Every LD_* and DYLD_* reaches the loader. */
	if (strncmp(name, "LD_", 3) == 0 || strncmp(name, "DYLD_", 5) == 0)
		return 1;
	for (size_t i = 0; i < nitems(secrets); i++)
		if (strcmp(name, secrets[i]) == 0)
			return 1;
	return 0;
}

struct envset {
	struct pol_kvv	 kv;
};

/* Sets or replaces. */
static int
env_put(struct envset *e, const char *k, size_t klen, const char *v)
{
	char	 key[1024];

	if (klen >= sizeof(key)) {
		errno = EINVAL;
		return -1;
	}
	memcpy(key, k, klen);
	key[klen] = '\0';
	return pol_kvv_set(&e->kv, key, v);
}

struct envpol {
	struct pol_glob	*const *allow;
	size_t		 nallow;
	struct pol_glob	*const *deny;
	size_t		 ndeny;
	int64_t		 max_keys, max_bytes;
	const char	*keys_from, *bytes_from;
	int		 block_iteration;
};

static int
globs_match(struct pol_glob *const *g, size_t n, const char *s)
{
	size_t	 l = strlen(s);

	for (size_t i = 0; i < n; i++)
		if (pol_glob_match(g[i], s, l))
			return 1;
	return 0;
}

static int
allowed(const struct envpol *ep, const char *name)
{
	if (globs_match(ep->deny, ep->ndeny, name))
		return 0;
	if (ep->nallow == 0)
		return !pol_env_is_secret(name);
	return globs_match(ep->allow, ep->nallow, name);
}

static int
base_key(const char *k, size_t n)
{
	return (n == 4 && strncmp(k, "PATH", 4) == 0) ||
	    (n == 4 && strncmp(k, "LANG", 4) == 0) ||
	    (n == 4 && strncmp(k, "TERM", 4) == 0) ||
	    (n == 4 && strncmp(k, "HOME", 4) == 0) ||
	    (n > 3 && strncmp(k, "LC_", 3) == 0);
}

static int
cmp_kv(const void *a, const void *b)
{
	const struct pol_kv *x = a, *y = b;

	return strcmp(x->key, y->key);
}

static int
add_inject(struct envset *e, const char *const *inj)
{
	const char	*eq;

	for (; inj != NULL && *inj != NULL; inj++) {
		if ((eq = strchr(*inj, '=')) == NULL || eq == *inj)
			continue;
		if (env_put(e, *inj, (size_t)(eq - *inj), eq + 1) == -1)
			return -1;
	}
	return 0;
}

int
pol_env_build(const struct pol *p, const struct pol_env_req *req,
    struct pol_env *out, char *err, size_t errlen)
{
	const struct pol_cmd_rule *r = NULL;
	struct envset	 e;
	struct envpol	 ep;
	const char	*eq;
	char		 rb[160];
	size_t		 bytes = 0;
	int		 saved;

	memset(out, 0, sizeof(*out));
	memset(&e, 0, sizeof(e));
	memset(&ep, 0, sizeof(ep));
	ep.allow = p->env.allow_g;
	ep.nallow = p->env.allow.n;
	ep.deny = p->env.deny_g;
	ep.ndeny = p->env.deny.n;
	ep.max_keys = p->env.max_keys;
	ep.max_bytes = p->env.max_bytes;
	ep.keys_from = ep.bytes_from = "env_policy";
	ep.block_iteration = p->env.block_iteration;
	if (req->exec != NULL && req->exec->argc > 0) {
		const struct pol_exec_req *x = req->exec;

		if (pol_cmd_match(p, x->path ? x->path : x->argv[0], x->argv,
		    x->argc, x->depth, &r) == -1) {
			pol_errv_set(err, errlen, "args_patterns could not be "
			    "evaluated");
			errno = EINVAL;
			return -1;
		}
	}
	if (r != NULL) {
		snprintf(rb, sizeof(rb), "command rule %s", r->c.name);
		if (r->env_allow.n > 0) {
			ep.allow = r->env_allow_g;
			ep.nallow = r->env_allow.n;
		}
		if (r->env_deny.n > 0) {
			ep.deny = r->env_deny_g;
			ep.ndeny = r->env_deny.n;
		}
		if (r->env_max_keys > 0) {
			ep.max_keys = r->env_max_keys;
			ep.keys_from = rb;
		}
		if (r->env_max_bytes > 0) {
			ep.max_bytes = r->env_max_bytes;
			ep.bytes_from = rb;
		}
		if (r->env_block_iteration >= 0)
			ep.block_iteration = r->env_block_iteration;
		out->rule = r->c.name;
	}

	for (const char *const *b = req->base; b != NULL && *b != NULL; b++) {
		if ((eq = strchr(*b, '=')) == NULL || eq == *b ||
		    eq[1] == '\0' || !base_key(*b, (size_t)(eq - *b)))
			continue;
		if (env_put(&e, *b, (size_t)(eq - *b), eq + 1) == -1)
			goto fail;
	}
	if (pol_kvv_get(&e.kv, "PATH") == NULL &&
	    env_put(&e, "PATH", 4, "/usr/bin:/bin") == -1)
		goto fail;
	/* The base passes the same filter as the request. */
	for (size_t i = 0; i < e.kv.n; i++) {
		if (allowed(&ep, e.kv.v[i].key))
			continue;
		free(e.kv.v[i].key);
		free(e.kv.v[i].value);
		e.kv.v[i--] = e.kv.v[--e.kv.n];
	}
	for (const char *const *q = req->request; q != NULL && *q != NULL;
	    q++) {
		char	 name[1024];
		size_t	 kl;

		if ((eq = strchr(*q, '=')) == NULL || eq == *q ||
		    (kl = (size_t)(eq - *q)) >= sizeof(name)) {
			pol_errv_set(err, errlen, "bad environment entry "
			    "'%.64s' (NAME=VALUE)", *q);
			errno = EINVAL;
			goto fail;
		}
		memcpy(name, *q, kl);
		name[kl] = '\0';
		if (strncmp(name, "AGENTSH_", 8) != 0 && !allowed(&ep, name))
			continue;
		if (env_put(&e, *q, kl, eq + 1) == -1)
			goto fail;
	}
	/* Injected values are the administrator's: not filtered. */
	if (add_inject(&e, req->inject) == -1)
		goto fail;
	for (size_t i = 0; i < p->env_inject.n; i++)
		if (env_put(&e, p->env_inject.v[i].key,
		    strlen(p->env_inject.v[i].key),
		    p->env_inject.v[i].value) == -1)
			goto fail;

	for (size_t i = 0; i < e.kv.n; i++)
		bytes += strlen(e.kv.v[i].key) + strlen(e.kv.v[i].value) + 2;
	if (ep.max_keys > 0 && (int64_t)e.kv.n > ep.max_keys) {
		pol_errv_set(err, errlen, "environment has %zu variables, "
		    "more than %s max_keys %lld", e.kv.n, ep.keys_from,
		    (long long)ep.max_keys);
		errno = EINVAL;
		goto fail;
	}
	if (ep.max_bytes > 0 && (int64_t)bytes > ep.max_bytes) {
		pol_errv_set(err, errlen, "environment has %zu bytes, more "
		    "than %s max_bytes %lld", bytes, ep.bytes_from,
		    (long long)ep.max_bytes);
		errno = EINVAL;
		goto fail;
	}
	if (e.kv.n > 0)
		qsort(e.kv.v, e.kv.n, sizeof(e.kv.v[0]), cmp_kv);
	if ((out->env = calloc(e.kv.n + 1, sizeof(char *))) == NULL)
		goto fail;
	for (size_t i = 0; i < e.kv.n; i++) {
		if (asprintf(&out->env[i], "%s=%s", e.kv.v[i].key,
		    e.kv.v[i].value) == -1) {
			out->env[i] = NULL;
			goto fail;
		}
		out->n = i + 1;
	}
	out->bytes = bytes;
	out->block_iteration = ep.block_iteration;
	pol_kvv_clear(&e.kv);
	return 0;
 fail:
	saved = errno;
	if (saved == ENOMEM || saved == 0) {
		pol_errv_set(err, errlen, "out of memory");
		saved = ENOMEM;
	}
	pol_kvv_clear(&e.kv);
	pol_env_clear(out);
	errno = saved;
	return -1;
}

void
pol_env_clear(struct pol_env *env)
{
	if (env->env != NULL)
		for (size_t i = 0; i < env->n; i++)
			free(env->env[i]);
	free(env->env);
	memset(env, 0, sizeof(*env));
}
