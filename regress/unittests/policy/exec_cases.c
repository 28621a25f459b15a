/*
 * What a command really is: every transparent wrapper and its flag forms,
 * nested wrappers, the dynamic loader, `sh -c` scripts that must be
 * allowed and ones that must be denied, the opaque modes, and the child
 * environment.
 */
#include "compat.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pol_local.h"
#include "tpol.h"

/* A policy that denies wget and curl, allows the wrappers, shells and a
 * few tools, and looks at rm's arguments. */
static const char wrap_yaml[] =
    "version: 1\nname: wrap\ncommand_rules:\n"
    "  - {name: deny-net, commands: [wget, curl], decision: deny}\n"
    "  - {name: no-rmrf, commands: [rm], args_patterns: [\"-[a-z]*r[a-z]*f|"
    "-[a-z]*f[a-z]*r\"], decision: deny}\n"
    "  - {name: approve-push, commands: [git], args_patterns: [\"^push\"],\n"
    "     decision: approve}\n"
    "  - {name: wrappers, commands: [env, nice, nohup, time, xargs, sudo,\n"
    "     doas, strace, ltrace, busybox, \"ld-linux*\"], decision: allow}\n"
    "  - {name: shells, commands: [sh, bash, dash, zsh], decision: allow}\n"
    "  - {name: tools, commands: [ls, cat, echo, make, git, rm, grep, find,\n"
    "     true, test, wc, head, sort, python3, id], decision: allow}\n";

#define W(want, rule, payload, ...)					\
	{ NULL, NULL, NULL, { __VA_ARGS__, NULL }, 0, 1,		\
	    POL_OPAQUE_ENFORCE, want, rule, payload }

static const struct xcase wrappers[] = {
	/* env */
	W(POL_DENY, "deny-net", "wget", "env", "wget", "http://x"),
	W(POL_DENY, "deny-net", "wget", "env", "-i", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "-", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "-u", "HOME", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "-uHOME", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "--unset=HOME", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "--unset", "HOME", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "-C", "/tmp", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "--chdir=/tmp", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "A=1", "B=2", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "-i", "A=1", "--", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "--ignore-env", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "-S", "wget -q", "http://x"),
	W(POL_DENY, "deny-net", "wget", "env", "-Swget -q"),
	W(POL_DENY, "deny-net", "wget", "env", "--split-string=-i wget"),
	W(POL_DENY, "transparent-unparsable", "", "env", "-S", "'wget' x"),
	W(POL_DENY, "transparent-unparsable", "", "env", "--frobnicate", "wget"),
	W(POL_DENY, "transparent-unparsable", "", "env", "-u"),
	W(POL_ALLOW, "wrappers", "", "env"),
	W(POL_ALLOW, "wrappers", "", "env", "-i", "A=1"),
	W(POL_ALLOW, "wrappers", "", "env", "--version"),
	/* nice */
	W(POL_DENY, "deny-net", "wget", "nice", "wget"),
	W(POL_DENY, "deny-net", "wget", "nice", "-n", "10", "wget"),
	W(POL_DENY, "deny-net", "wget", "nice", "-n10", "wget"),
	W(POL_DENY, "deny-net", "wget", "nice", "-10", "wget"),
	W(POL_DENY, "deny-net", "wget", "nice", "--adjustment=5", "wget"),
	W(POL_DENY, "deny-net", "wget", "nice", "--adj", "5", "wget"),
	W(POL_ALLOW, "wrappers", "ls", "nice", "-n", "10", "ls"),
	/* nohup, time */
	W(POL_DENY, "deny-net", "wget", "nohup", "wget"),
	W(POL_DENY, "deny-net", "wget", "nohup", "--", "wget"),
	W(POL_ALLOW, "wrappers", "", "nohup", "--help"),
	W(POL_DENY, "deny-net", "wget", "time", "-p", "wget"),
	W(POL_DENY, "deny-net", "wget", "time", "-f", "%e", "-o", "t", "wget"),
	W(POL_DENY, "deny-net", "wget", "time", "--format=%e", "-a", "wget"),
	/* xargs */
	W(POL_DENY, "deny-net", "wget", "xargs", "wget"),
	W(POL_DENY, "deny-net", "wget", "xargs", "-0", "-n1", "-P", "4", "wget"),
	W(POL_DENY, "deny-net", "wget", "xargs", "-I", "{}", "wget", "{}"),
	W(POL_DENY, "deny-net", "wget", "xargs", "-I{}", "wget", "{}"),
	W(POL_DENY, "deny-net", "wget", "xargs", "-i", "wget"),
	W(POL_DENY, "deny-net", "wget", "xargs", "-d", "\\n", "--max-args=2", "wget"),
	W(POL_DENY, "no-rmrf", "rm", "xargs", "rm", "-rf"),
	W(POL_ALLOW, "wrappers", "echo", "xargs"),	/* runs echo */
	W(POL_ALLOW, "wrappers", "echo", "xargs", "-0"),
	/* sudo, doas */
	W(POL_DENY, "deny-net", "wget", "sudo", "wget"),
	W(POL_DENY, "deny-net", "wget", "sudo", "-u", "x", "wget"),
	W(POL_DENY, "deny-net", "wget", "sudo", "-ux", "wget"),
	W(POL_DENY, "deny-net", "wget", "sudo", "-E", "-H", "-u", "x", "wget"),
	W(POL_DENY, "deny-net", "wget", "sudo", "--preserve-env=PATH", "wget"),
	W(POL_DENY, "deny-net", "wget", "sudo", "A=1", "wget"),
	W(POL_DENY, "deny-net", "sh", "sudo", "-s", "wget", "http://x"),
	W(POL_DENY, "deny-net", "sh", "sudo", "-i", "curl", "x"),
	W(POL_ALLOW, "wrappers", "sh", "sudo", "-i"),
	W(POL_ALLOW, "wrappers", "", "sudo", "-l"),
	W(POL_ALLOW, "wrappers", "", "sudo", "-e", "/etc/hosts"),
	W(POL_DENY, "deny-net", "wget", "doas", "wget"),
	W(POL_DENY, "deny-net", "wget", "doas", "-n", "-u", "x", "wget"),
	W(POL_ALLOW, "wrappers", "sh", "doas", "-s"),
	/* strace, ltrace */
	W(POL_DENY, "deny-net", "wget", "strace", "-f", "-o", "f", "wget"),
	W(POL_DENY, "deny-net", "wget", "strace", "-ff", "-e", "trace=open", "wget"),
	W(POL_DENY, "deny-net", "wget", "strace", "-fo", "f", "wget"),
	W(POL_DENY, "deny-net", "wget", "strace", "--output=f", "--follow-forks", "wget"),
	W(POL_DENY, "deny-net", "wget", "strace", "-s", "100", "-tt", "wget"),
	W(POL_ALLOW, "wrappers", "", "strace", "-p", "42"),
	W(POL_DENY, "deny-net", "wget", "ltrace", "-f", "-o", "f", "wget"),
	W(POL_DENY, "deny-net", "wget", "ltrace", "-e", "malloc", "wget"),
	/* busybox */
	W(POL_DENY, "deny-net", "wget", "busybox", "wget", "http://x"),
	W(POL_ALLOW, "wrappers", "", "busybox", "--list"),
	W(POL_DENY, "deny-net", "sh", "busybox", "sh", "-c", "wget x"),
	/* nested */
	W(POL_DENY, "deny-net", "wget", "sudo", "-u", "x", "nice", "-n", "5", "env", "-i", "wget"),
	W(POL_DENY, "deny-net", "wget", "nohup", "time", "-p", "xargs", "-0", "wget"),
	W(POL_DENY, "deny-net", "wget", "env", "env", "env", "env", "wget"),
	W(POL_DENY, "transparent-depth-exceeded", NULL, "env", "env", "env", "env", "env", "env", "wget"),
	W(POL_DENY, "no-rmrf", "sh", "sudo", "sh", "-c", "rm -rf /"),
	W(POL_APPROVE, "approve-push", "git", "env", "git", "push"),
	/* the loader */
	W(POL_DENY, "loader-exec", "", "/lib64/ld-linux-x86-64.so.2", "/bin/ls"),
	W(POL_DENY, "loader-exec", "", "/lib64/ld-linux-x86-64.so.2", "--preload", "x.so", "/bin/ls"),
	W(POL_DENY, "loader-exec", "", "/lib/ld-musl-x86_64.so.1", "/bin/ls"),
	W(POL_ALLOW, "wrappers", "", "/lib64/ld-linux-x86-64.so.2", "--list", "/bin/ls"),
	W(POL_ALLOW, "wrappers", "", "/lib64/ld-linux-x86-64.so.2", "--verify", "/bin/ls"),
	W(POL_ALLOW, "wrappers", "", "/lib64/ld-linux-x86-64.so.2", "--help"),
	W(POL_DENY, "loader-exec", "/lib64/ld-linux-x86-64.so.2", "env", "/lib64/ld-linux-x86-64.so.2", "/bin/ls"),
	/* plain commands */
	W(POL_ALLOW, "tools", "", "ls", "-la"),
	W(POL_DENY, "no-rmrf", "", "rm", "-fr", "x"),
	W(POL_ALLOW, "tools", "", "rm", "-f", "x"),
	W(POL_DENY, "default-deny-commands", "", "unknown"),
	W(POL_ALLOW, "shells", "", "/bin/bash.real"),
};

/* sh -c: scripts orchestrators send, which must be allowed; and
 * scripts that hide a denied command, which must be denied. */
#define S(want, rule, script)						\
	{ NULL, NULL, NULL, { "/bin/sh", "-c", script, NULL }, 0, 0,	\
	    POL_OPAQUE_ENFORCE, want, rule, NULL }
#define SB(want, rule, flag, script)					\
	{ NULL, NULL, NULL, { "bash", flag, script, NULL }, 0, 0,	\
	    POL_OPAQUE_ENFORCE, want, rule, NULL }

static const struct xcase shellc[] = {
	S(POL_ALLOW, "shells", "cd /ws && make test"),
	S(POL_ALLOW, "shells", "make -j4 2>&1 | tee build.log"),
	S(POL_ALLOW, "shells", "ls -la > out.txt 2> err.txt"),
	S(POL_ALLOW, "shells", "ls >> out.txt; cat < in.txt"),
	S(POL_ALLOW, "shells", "echo done &> /dev/null"),
	S(POL_ALLOW, "shells", "git log --format='%h %s' -n 5"),
	S(POL_ALLOW, "shells", "git log --pretty=format:%H,%an,%ad"),
	S(POL_ALLOW, "shells", "grep -r 'TODO:' src/ || true"),
	S(POL_ALLOW, "shells", "python3 -c 'print(1)'"),
	S(POL_ALLOW, "shells", "echo user@host:22 a,b 50% x=y"),
	S(POL_ALLOW, "shells", "FOO=bar BAZ=\"a b\" make"),
	S(POL_ALLOW, "shells", "export A=1; make"),
	S(POL_ALLOW, "shells", "test -f x && cat x || echo none"),
	S(POL_ALLOW, "shells", "if test -d x; then ls x; else echo no; fi"),
	S(POL_ALLOW, "shells", "for f in a b c; do echo $f; done"),
	S(POL_ALLOW, "shells", "while true; do sleep 1; done"),
	S(POL_ALLOW, "shells", "(cd sub && make) && ls"),
	S(POL_ALLOW, "shells", "{ ls; echo; } > out"),
	S(POL_ALLOW, "shells", "! grep -q x file"),
	S(POL_ALLOW, "shells", "ls \\\n  -la"),
	S(POL_ALLOW, "shells", "ls # a comment"),
	S(POL_ALLOW, "shells", "command -v wget"),
	S(POL_ALLOW, "shells", "command -V curl >/dev/null"),
	S(POL_ALLOW, "shells", "cat <<< 'here string'"),
	S(POL_ALLOW, "shells", "find . -name '*.go' | xargs grep -l x"),
	S(POL_ALLOW, "shells", "echo \"$HOME\" '$HOME' \"a\\\"b\""),
	S(POL_ALLOW, "shells", "ls *.c"),	/* ls has no args_patterns */
	S(POL_ALLOW, "shells", "true\nls\n"),
	S(POL_ALLOW, "shells", "exec make"),
	S(POL_ALLOW, "shells", "exec > log 2>&1"),
	S(POL_ALLOW, "shells", "time make"),
	S(POL_ALLOW, "shells", ""),
	SB(POL_ALLOW, "shells", "-lc", "make"),
	SB(POL_ALLOW, "shells", "-ec", "make; ls"),
	SB(POL_ALLOW, "shells", "-xc", "make"),
	SB(POL_ALLOW, "shells", "-ic", "make"),
	SB(POL_ALLOW, "shells", "-uc", "make"),
	SB(POL_ALLOW, "shells", "-vc", "make"),
	SB(POL_ALLOW, "shells", "-sc", "make"),
	/* denied: the script hides a denied command */
	S(POL_DENY, "deny-net", "wget http://x"),
	S(POL_DENY, "deny-net", "ls && wget x"),
	S(POL_DENY, "deny-net", "false || curl x"),
	S(POL_DENY, "deny-net", "ls; curl x; ls"),
	S(POL_DENY, "deny-net", "echo x | curl -d @- http://x"),
	S(POL_DENY, "deny-net", "ls |& curl x"),
	S(POL_DENY, "deny-net", "curl x > /dev/null 2>&1 &"),
	S(POL_DENY, "deny-net", "(curl x)"),
	S(POL_DENY, "deny-net", "{ curl x; }"),
	S(POL_DENY, "deny-net", "if true; then curl x; fi"),
	S(POL_DENY, "deny-net", "for i in 1; do curl x; done"),
	S(POL_DENY, "deny-net", "! curl x"),
	S(POL_DENY, "deny-net", "A=1 curl x"),
	S(POL_DENY, "deny-net", "'curl' x"),
	S(POL_DENY, "deny-net", "\"cu\"rl x"),
	S(POL_DENY, "deny-net", "c\\url x"),
	S(POL_DENY, "deny-net", "/usr/bin/curl x"),
	S(POL_DENY, "deny-net", "exec curl x"),
	S(POL_DENY, "deny-net", "exec -a ls curl x"),
	S(POL_DENY, "deny-net", "command curl x"),
	S(POL_DENY, "deny-net", "command -p curl x"),
	S(POL_DENY, "deny-net", "nice -n 19 curl x"),
	S(POL_DENY, "deny-net", "env -i PATH=/bin curl x"),
	S(POL_DENY, "deny-net", "xargs -n1 curl < urls"),
	S(POL_DENY, "deny-net", "sudo -u nobody curl x"),
	S(POL_DENY, "deny-net", "bash -c 'curl x'"),
	S(POL_DENY, "deny-net", "sh -c \"sh -c 'curl x'\""),
	S(POL_DENY, "deny-net", "curl x; echo `ls`"),	/* before the opaque part */
	S(POL_DENY, "no-rmrf", "rm -rf /"),
	S(POL_DENY, "no-rmrf", "cd / && rm -fr *"),
	S(POL_APPROVE, "approve-push", "git push origin main"),
	SB(POL_DENY, "deny-net", "-lc", "curl x"),
	/* opaque: cannot be followed; denied where execs are not
	 * intercepted (enforce) */
	S(POL_DENY, "shellc-opaque-script", "echo $(curl x)"),
	S(POL_DENY, "shellc-opaque-script", "echo `id`"),
	S(POL_DENY, "shellc-opaque-script", "$CMD x"),
	S(POL_DENY, "shellc-opaque-script", "${CMD} x"),
	S(POL_DENY, "shellc-opaque-script", "eval \"$x\""),
	S(POL_DENY, "shellc-opaque-script", ". ./script.sh"),
	S(POL_DENY, "shellc-opaque-script", "source ./script.sh"),
	S(POL_DENY, "shellc-opaque-script", "cat <<EOF\nx\nEOF"),
	S(POL_DENY, "shellc-opaque-script", "diff <(ls a) <(ls b)"),
	S(POL_DENY, "shellc-opaque-script", "case x in x) ls;; esac"),
	S(POL_DENY, "shellc-opaque-script", "f() { ls; }; f"),
	S(POL_DENY, "shellc-opaque-script", "alias ls=curl; ls"),
	S(POL_DENY, "shellc-opaque-script", "trap 'curl x' EXIT"),
	S(POL_DENY, "shellc-opaque-script", "(( x = 1 ))"),
	S(POL_DENY, "shellc-opaque-script", "[[ -f x ]] && ls"),
	S(POL_DENY, "shellc-opaque-script", "~/bin/tool"),
	S(POL_DENY, "shellc-opaque-script", "/usr/bin/cur? x"),
	S(POL_DENY, "shellc-opaque-script", "{curl,x}"),
	S(POL_DENY, "shellc-opaque-script", "echo 'unterminated"),
	S(POL_DENY, "shellc-opaque-script", "rm $FLAGS /"),	/* rm's args matter */
	S(POL_DENY, "shellc-opaque-script", "hash -p /usr/bin/curl ls; ls"),
	SB(POL_DENY, "shellc-opaque-script", "-kc", "ls"),
	SB(POL_DENY, "shellc-opaque-script", "--frob", "ls"),
};

/* The same opaque script under each mode, with and without interception. */
#define OP(mode, icept, want, rule)					\
	{ NULL, NULL, NULL, { "sh", "-c", "echo $(id)", NULL }, 0, icept,\
	    mode, want, rule, NULL }
static const struct xcase opaque[] = {
	OP(POL_OPAQUE_ENFORCE, 1, POL_ALLOW, "shells"),
	OP(POL_OPAQUE_ENFORCE, 0, POL_DENY, "shellc-opaque-script"),
	OP(POL_OPAQUE_DENY, 1, POL_DENY, "shellc-opaque-script"),
	OP(POL_OPAQUE_DENY, 0, POL_DENY, "shellc-opaque-script"),
	OP(POL_OPAQUE_APPROVE, 1, POL_APPROVE, "shellc-opaque-script"),
	OP(POL_OPAQUE_APPROVE, 0, POL_APPROVE, "shellc-opaque-script"),
	OP(POL_OPAQUE_ALLOW, 1, POL_ALLOW, "shells"),
	OP(POL_OPAQUE_ALLOW, 0, POL_ALLOW, "shells"),
};

START_TEST(test_wrappers)
{
	struct pol	*p = tload(wrap_yaml);

	for (size_t i = 0; i < nitems(wrappers); i++)
		run_xcase(p, &wrappers[i]);
	for (size_t i = 0; i < nitems(shellc); i++)
		run_xcase(p, &shellc[i]);
	for (size_t i = 0; i < nitems(opaque); i++)
		run_xcase(p, &opaque[i]);
	pol_free(p);
}
END_TEST

START_TEST(test_exec_fields)
{
	struct pol	*p = tload(wrap_yaml);
	struct pol_result res;
	struct pol_ctx	 ctx = { 0, POL_OPAQUE_ENFORCE };
	const char	*a1[] = { "nice", "-n", "10", "wget", "http://x", NULL };
	const char	*a2[] = { "sh", "-c", "ls && curl x", NULL };
	const char	*a3[] = { "sh", "-c", "echo $(id)", NULL };
	struct pol_exec_req x = { "/usr/bin/nice", a1, 5, 1 };

	/* Which wrapper and payload decided. */
	ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), 0);
	ck_assert_int_eq(res.by, POL_BY_PAYLOAD);
	ck_assert_int_eq(res.unwrapped, 1);
	ck_assert_str_eq(res.unwrapped_from, "/usr/bin/nice");
	ck_assert_str_eq(res.payload_command, "wget");
	ck_assert_str_eq(res.decider, "wget");
	/* A simple command inside sh -c. */
	x.path = NULL;
	x.argv = a2;
	x.argc = 3;
	ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), 0);
	ck_assert_int_eq(res.by, POL_BY_SHELL);
	ck_assert_str_eq(res.decider, "curl");
	ck_assert_int_eq(res.unwrapped, 0);
	/* The opaque deny says why, and what would run it. */
	x.argv = a3;
	ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), 0);
	ck_assert_int_eq(res.by, POL_BY_ENGINE);
	ck_assert_int_eq(res.opaque, 1);
	ck_assert_ptr_nonnull(strstr(res.message, "command substitution"));
	ck_assert_ptr_nonnull(strstr(res.message, "not intercepted"));
	ctx.flags = POL_CTX_EXEC_INTERCEPTED;
	ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), 0);
	ck_assert_int_eq(res.decision, POL_ALLOW);
	ck_assert_int_eq(res.opaque, 1);
	/* No argv: an error, and a deny. */
	x.argc = 0;
	ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), -1);
	ck_assert_int_eq(res.decision, POL_DENY);
	pol_free(p);
}
END_TEST

/* Nested sh -c beyond the bound is denied, not followed forever. */
START_TEST(test_shell_depth)
{
	struct pol	*p = tload(wrap_yaml);
	struct pol_result res;
	struct pol_ctx	 ctx = { POL_CTX_EXEC_INTERCEPTED, POL_OPAQUE_ALLOW };
	const char	*a[] = { "sh", "-c",
	    "sh -c \"sh -c 'sh -c \\\"sh -c ls\\\"'\"", NULL };
	struct pol_exec_req x = { NULL, a, 3, 0 };

	ck_assert_int_eq(pol_eval_exec(p, &ctx, &x, &res), 0);
	ck_assert_str_eq(res.rule, "shellc-depth-exceeded");
	pol_free(p);
}
END_TEST

/* A rule's regex that runs into its match limit fails closed. */
START_TEST(test_regex_limit)
{
	struct pol	*p = tload("version: 1\nname: t\ncommand_rules:\n"
	    "  - {name: evil, commands: [x], args_patterns: [\"(a+)+$\"],\n"
	    "     decision: allow}\n");
	struct pol_result res;
	char		 arg[64];
	const char	*a[] = { "x", arg, NULL };
	struct pol_exec_req x = { NULL, a, 2, 0 };

	memset(arg, 'a', sizeof(arg) - 2);
	arg[sizeof(arg) - 2] = 'b';
	arg[sizeof(arg) - 1] = '\0';
	pol_eval_exec(p, NULL, &x, &res);
	ck_assert_int_eq(res.decision, POL_DENY);
	pol_free(p);
}
END_TEST

/* The shell reader on its own: what it makes of a script. */
START_TEST(test_shell_parse)
{
	static const struct {
		const char	*script;
		const char	*want;	/* commands by ';', words by ' ' */
	} t[] = {
		{ "a b c", "a b c" },
		{ "a 'b c' \"d e\" f\\ g", "a b c d e f g" },
		{ "a && b || c ; d & e | f |& g", "a;b;c;d;e;f;g" },
		{ "X=1 Y='2 3' a", "a" },
		{ "X=1", "" },
		{ "a > f 2>&1 < g >> h", "a" },
		{ "a 2> /dev/null b", "a b" },
		{ "(a; (b)) && { c; }", "a;b;c" },
		{ "if a; then b; elif c; then d; else e; fi", "a;b;c;d;e" },
		{ "for x in 1 2 3; do a $x; done", "a $x" },
		{ "while a; do b; done", "a;b" },
		{ "a # b c\nd", "a;d" },
		{ "a \\\nb", "a b" },
		{ "\"a\"'b'c", "abc" },
		{ "echo a=b c:d e@f g,h 10%", "echo a=b c:d e@f g,h 10%" },
		{ "a \"x\\\"y\" 'x\\y'", "a x\"y x\\y" },
		{ "!a", "!a" },
		{ "a {b} }", "a {b} }" },
	};
	struct pol_shscript sc;
	char		 got[512];

	for (size_t i = 0; i < nitems(t); i++) {
		ck_assert_int_eq(pol_shell_parse(t[i].script, 0, &sc), 0);
		ck_assert_msg(sc.opaque == NULL, "%s: opaque: %s",
		    t[i].script, sc.opaque);
		got[0] = '\0';
		for (size_t c = 0; c < sc.ncmd; c++) {
			if (c > 0)
				strlcat(got, ";", sizeof(got));
			for (size_t w = 0; w < sc.cmd[c].argc; w++) {
				if (w > 0)
					strlcat(got, " ", sizeof(got));
				strlcat(got, sc.cmd[c].argv[w], sizeof(got));
			}
		}
		ck_assert_msg(strcmp(got, t[i].want) == 0, "%s: got '%s'",
		    t[i].script, got);
		pol_shell_clear(&sc);
	}
	/* uncertain arguments are flagged */
	ck_assert_int_eq(pol_shell_parse("ls *.c", 0, &sc), 0);
	ck_assert_int_eq(sc.cmd[0].args_uncertain, 1);
	pol_shell_clear(&sc);
	ck_assert_int_eq(pol_shell_parse("ls '*.c'", 0, &sc), 0);
	ck_assert_int_eq(sc.cmd[0].args_uncertain, 0);
	pol_shell_clear(&sc);
	/* zsh's =cmd expands to a path */
	ck_assert_int_eq(pol_shell_parse("=curl x", 1, &sc), 0);
	ck_assert_ptr_nonnull(sc.opaque);
	pol_shell_clear(&sc);
}
END_TEST

/* A long script is read in one pass. */
START_TEST(test_shell_long)
{
	struct pol	*p = tload(wrap_yaml);
	struct pol_result res;
	size_t		 n = 200000;
	char		*s = malloc(n + 16);
	const char	*a[] = { "sh", "-c", s, NULL };
	struct pol_exec_req x = { NULL, a, 3, 0 };

	for (size_t i = 0; i < n; i += 4)
		memcpy(s + i, "ls; ", 4);
	strlcpy(s + n - 8, "curl x", 16);
	ck_assert_int_eq(pol_eval_exec(p, NULL, &x, &res), 0);
	ck_assert_str_eq(res.rule, "deny-net");
	free(s);
	pol_free(p);
}
END_TEST

/* ------------------------------------------------------------------ */
/* The child environment */

static int
has_key(const struct pol_env *e, const char *k)
{
	size_t	 l = strlen(k);

	for (size_t i = 0; i < e->n; i++)
		if (strncmp(e->env[i], k, l) == 0 && e->env[i][l] == '=')
			return 1;
	return 0;
}

START_TEST(test_env_build)
{
	struct pol	*p = tload("version: 1\nname: t\n"
	    "env_policy: {deny: [\"*_SECRET\"], max_keys: 12}\n"
	    "env_inject: {BASH_ENV: /etc/agentsh/bashenv, X: policy}\n"
	    "command_rules:\n"
	    "  - {name: tight, commands: [make], decision: allow,\n"
	    "     env_allow: [PATH, \"CC*\"], env_max_bytes: 200,\n"
	    "     env_block_iteration: true}\n"
	    "  - {name: few, commands: [few], decision: allow, env_max_keys: 2}\n"
	    "  - {name: other, commands: [\"*\"], decision: allow}\n");
	static const char *const base[] = { "PATH=/usr/bin", "HOME=/root",
	    "LANG=C.UTF-8", "LC_ALL=C", "TERM=xterm", "SHELL=/bin/bash",
	    "AWS_SECRET_ACCESS_KEY=k", "EMPTY=", NULL };
	static const char *const req[] = { "FOO=bar", "APP_SECRET=s",
	    "LD_PRELOAD=/x.so", "SSH_AUTH_SOCK=/s", "CC=gcc", "X=request",
	    "AGENTSH_SESSION_ID=abc", "NODE_OPTIONS=--x", NULL };
	static const char *const inj[] = { "X=server", "Y=server", NULL };
	const char	*mk[] = { "make", "all", NULL };
	const char	*ot[] = { "ls", NULL };
	const char	*fw[] = { "few", NULL };
	struct pol_exec_req x = { NULL, ot, 1, 0 };
	struct pol_env_req r = { base, req, inj, &x };
	struct pol_env	 e;
	char		 err[512];

	ck_assert_int_eq(pol_env_build(p, &r, &e, err, sizeof(err)), 0);
	/* minimal base only */
	ck_assert(tenv_has(&e, "PATH=/usr/bin"));
	ck_assert(tenv_has(&e, "HOME=/root"));
	ck_assert(tenv_has(&e, "LANG=C.UTF-8"));
	ck_assert(tenv_has(&e, "LC_ALL=C"));
	ck_assert(tenv_has(&e, "TERM=xterm"));
	ck_assert(!has_key(&e, "SHELL"));
	ck_assert(!has_key(&e, "AWS_SECRET_ACCESS_KEY"));
	/* the request, filtered */
	ck_assert(tenv_has(&e, "FOO=bar"));
	ck_assert(!has_key(&e, "APP_SECRET"));		/* deny glob */
	ck_assert(!has_key(&e, "LD_PRELOAD"));		/* built-in */
	ck_assert(!has_key(&e, "SSH_AUTH_SOCK"));
	ck_assert(!has_key(&e, "NODE_OPTIONS"));
	ck_assert(tenv_has(&e, "AGENTSH_SESSION_ID=abc"));	/* kept */
	/* injections last, unfiltered; the policy's wins */
	ck_assert(tenv_has(&e, "BASH_ENV=/etc/agentsh/bashenv"));
	ck_assert(tenv_has(&e, "X=policy"));
	ck_assert(tenv_has(&e, "Y=server"));
	ck_assert_str_eq(e.rule, "other");
	ck_assert_int_eq(e.block_iteration, 0);
	/* sorted */
	for (size_t i = 1; i < e.n; i++)
		ck_assert(strcmp(e.env[i - 1], e.env[i]) < 0);
	pol_env_clear(&e);

	/* A command rule narrows it. */
	x.argv = mk;
	x.argc = 2;
	ck_assert_int_eq(pol_env_build(p, &r, &e, err, sizeof(err)), 0);
	ck_assert_str_eq(e.rule, "tight");
	ck_assert(tenv_has(&e, "CC=gcc"));
	ck_assert(!has_key(&e, "FOO"));
	ck_assert(!has_key(&e, "HOME"));
	ck_assert(tenv_has(&e, "AGENTSH_SESSION_ID=abc"));
	ck_assert_int_eq(e.block_iteration, 1);
	pol_env_clear(&e);

	/* Limits name themselves. */
	x.argv = fw;
	x.argc = 1;
	ck_assert_int_eq(pol_env_build(p, &r, &e, err, sizeof(err)), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(err, "more than command rule few "
	    "max_keys 2"));
	pol_free(p);

	p = tload("version: 1\nname: t\nenv_policy: {max_bytes: 30}\n");
	x.argv = ot;
	ck_assert_int_eq(pol_env_build(p, &r, &e, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "more than env_policy max_bytes "
	    "30"));
	/* A request entry that is not NAME=VALUE. */
	{
		static const char *const badreq[] = { "NOEQUALS", NULL };
		struct pol_env_req r2 = { NULL, badreq, NULL, NULL };

		ck_assert_int_eq(pol_env_build(p, &r2, &e, err, sizeof(err)),
		    -1);
		ck_assert_ptr_nonnull(strstr(err, "NAME=VALUE"));
	}
	pol_free(p);

	/* No base PATH: a default. */
	p = tload("version: 1\nname: t\n");
	{
		struct pol_env_req r3 = { NULL, NULL, NULL, NULL };

		ck_assert_int_eq(pol_env_build(p, &r3, &e, err, sizeof(err)),
		    0);
		ck_assert(tenv_has(&e, "PATH=/usr/bin:/bin"));
		ck_assert_uint_eq(e.n, 1);
		pol_env_clear(&e);
	}
	ck_assert_int_eq(pol_env_is_secret("LD_ANYTHING"), 1);
	ck_assert_int_eq(pol_env_is_secret("DOCKER_HOST"), 1);
	ck_assert_int_eq(pol_env_is_secret("HOME"), 0);
	pol_free(p);
}
END_TEST

/* Evaluation from many threads on one policy. */
#include <pthread.h>

static struct pol *tp;

static void *
worker(void *arg)
{
	struct pol_result res;
	const char	*a[] = { "sh", "-c", "ls && curl x", NULL };
	struct pol_exec_req x = { NULL, a, 3, 0 };

	for (int i = 0; i < 2000; i++) {
		pol_eval_exec(tp, NULL, &x, &res);
		if (strcmp(res.rule, "deny-net") != 0)
			return (void *)1;
	}
	return NULL;
}

START_TEST(test_threads)
{
	pthread_t	 t[4];
	void		*rv;

	tp = tload(wrap_yaml);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, worker, NULL), 0);
	for (int i = 0; i < 4; i++) {
		ck_assert_int_eq(pthread_join(t[i], &rv), 0);
		ck_assert_ptr_null(rv);
	}
	pol_free(tp);
}
END_TEST

Suite *
exec_suite(void)
{
	Suite	*s = suite_create("exec");
	TCase	*tc = tcase_create("exec");

	tcase_set_timeout(tc, 60);
	tcase_add_test(tc, test_wrappers);
	tcase_add_test(tc, test_exec_fields);
	tcase_add_test(tc, test_shell_depth);
	tcase_add_test(tc, test_regex_limit);
	tcase_add_test(tc, test_shell_parse);
	tcase_add_test(tc, test_shell_long);
	tcase_add_test(tc, test_env_build);
	tcase_add_test(tc, test_threads);
	suite_add_tcase(s, tc);
	return s;
}
