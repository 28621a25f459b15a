/*
 * Helpers shared by the policy unit tests.
 */
#ifndef TPOL_H
#define TPOL_H

#include <check.h>

#include "policy.h"

/* Loads YAML with PROJECT_ROOT=WORKSPACE=/ws and HOME=/home/u; fails the
 * test when it does not load. */
struct pol	*tload(const char *yaml);
/* Returns NULL and the message in err. */
struct pol	*tload_err(const char *yaml, char *err, size_t errlen);

/* One exec case: argv is NULL-terminated. */
struct xcase {
	const char	*src;	/* "canyonroad/agentsh FILE:LINE" or NULL */
	const char	*ours;	/* why ours differs, or NULL */
	const char	*path;	/* NULL: argv[0] */
	const char	*argv[16];
	int		 depth;
	int		 intercepted;
	enum pol_opaque	 mode;
	enum pol_decision want;
	const char	*rule;	/* NULL: any */
	const char	*payload; /* NULL: not checked, "": not unwrapped */
};

struct xgroup {
	const char		*yaml;
	const struct xcase	*cases;
	size_t			 n;
};

void	 run_xgroup(const struct xgroup *);
void	 run_xcase(const struct pol *, const struct xcase *);

struct pol_env;
/* Whether the environment holds "K=V" exactly. */
int	 tenv_has(const struct pol_env *, const char *kv);

/* Counters of ported cases (each cites the original's file:line). */
extern int	 nported;

Suite	*ported_suite(void);
Suite	*exec_suite(void);

#endif /* TPOL_H */
