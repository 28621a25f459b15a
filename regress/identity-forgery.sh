# A compromised agentshd cannot obtain an identity the monitor did not
# issue.  A regress-only stand-in tries, one attempt per start: a made-up
# connection id, a root connection that has closed, and (each of which
# must get it killed) its own fd 3, a listener and a socketpair end
# presented as a client, a message only the monitor may send, and a message
# type that does not exist.  The monitor carries on throughout.
# timeout: 120
. "$(dirname "$0")/test-exec.sh"
require_root

[ -x "$BIN/fake-agentshd" ] || fail "fake-agentshd is not built"
state="$OBJ/fake.state"
echo 0 >"$state"
chmod 666 "$state"
suite_config
export AGENTSH_REGRESS_FAKE_AGENTSHD="$BIN/fake-agentshd"
export AGENTSH_REGRESS_FAKE_STATE="$state" AGENTSH_REGRESS_FAST_RESTART=1
suite_start --no-wait
mpid=$(suite_pid)

wait_log 10 'fake: invented connection id: status 401' ||
    { suite_log; fail "an invented connection id was not refused"; }
pkill -KILL -u "$SUITE_USER"
wait_log 15 'fake: attempt 1' || { suite_log; fail "no second start"; }
# a root connection that the fake sees, then sees close
sleep 0.5
curl -s --max-time 1 --unix-socket "$SUITE_SOCK" http://x/health >/dev/null
wait_log 10 'fake: closed root connection: status 401' ||
    { suite_log; fail "a closed root connection kept its identity"; }
grep -q 'fake: closed root connection: status 2' "$SUITE/monitor.log" &&
    fail "a session was created under a closed connection"
pkill -KILL -u "$SUITE_USER"

fd_kills() {
	[ "$(grep -c 'killed: protocol error: descriptor on message type' \
	    "$SUITE/monitor.log")" -ge "$1" ]
}
for n in 2 3 4; do
	wait_log 20 "fake: attempt $n" || { suite_log; fail "no start $n"; }
	wait_for 10 fd_kills $((n - 1)) ||
	    { suite_log; fail "attempt $n: a descriptor from agentshd was accepted"; }
done
wait_log 30 'fake: attempt 5' || { suite_log; fail "no start 5"; }
wait_log 10 'killed: unpermitted message IPC_SESS_INFO' ||
    { suite_log; fail "a monitor-only message from agentshd was accepted"; }
wait_log 40 'fake: attempt 6' || { suite_log; fail "no start 6"; }
wait_log 10 'killed: protocol error: unknown message type' ||
    { suite_log; fail "an unknown message type was accepted"; }

kill -0 "$mpid" || fail "the monitor died"
grep -q 'fake: .*status 20' "$SUITE/monitor.log" && fail "a forged request succeeded"
# and a real agentshd still serves afterwards
suite_stop
unset AGENTSH_REGRESS_FAKE_AGENTSHD
suite_start
api GET /health
expect_eq "health with the real agentshd" "$status" 200
exit 0
