# agentshd's seccomp jail: a regress-only switch makes it call execve,
# ptrace and socket(AF_NETLINK) after entering the jail; each call must get
# it killed by SIGSYS, which the monitor logs.  Positive control: with the
# jail switched off the same calls run.
# timeout: 240
. "$(dirname "$0")/test-exec.sh"
require_root

for what in execve ptrace netlink; do
	trace "jailed: $what"
	rm -f "$SUITE/monitor.log"
	suite_config
	AGENTSH_REGRESS_JAILBREAK=$what suite_start --no-wait
	wait_log 20 'agentshd\[[0-9]+\] died of SIGSYS' ||
	    { suite_log; fail "$what: agentshd was not killed by SIGSYS"; }
	grep -q "regress: $what ran" "$SUITE/monitor.log" &&
	    fail "$what ran inside the jail"
	grep -q 'will be restarted' "$SUITE/monitor.log" ||
	    fail "$what: the monitor did not plan a restart"
	suite_stop

	trace "jail off (positive control): $what"
	rm -f "$SUITE/monitor.log"
	AGENTSH_REGRESS_NOJAIL=1 AGENTSH_REGRESS_JAILBREAK=$what suite_start
	wait_log 10 "regress: $what ran" ||
	    { suite_log; fail "$what did not run even without the jail"; }
	grep -q 'died of' "$SUITE/monitor.log" &&
	    fail "$what: agentshd died without its jail"
	api GET /health
	expect_eq "$what: health without the jail" "$status" 200
	suite_stop
done
exit 0
