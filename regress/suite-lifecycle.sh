# The suite starts and stops cleanly; agentshd runs as the privsep user
# with no capabilities, no new privileges and its seccomp filter, in the
# helpers cgroup; the monitor runs as root in its own leaf.
. "$(dirname "$0")/test-exec.sh"
require_root

suite_start
api GET /health
expect_eq "health over the Unix socket" "$status" 200
expect_eq "health body" "$body" ok
api_tcp GET /health
expect_eq "health over TCP" "$status" 200
api GET /ready
expect_eq "ready" "$status" 200

pid=$(agentshd_pid)
[ -n "$pid" ] || fail "no agentshd running as $SUITE_USER"
uid=$(id -u "$SUITE_USER")
st=/proc/$pid/status
expect_match "agentshd uid" "$(grep '^Uid:' $st)" "^Uid:[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid[[:space:]]+$uid$"
expect_eq "agentshd CapEff" "$(awk '/^CapEff:/ {print $2}' $st)" 0000000000000000
expect_eq "agentshd CapPrm" "$(awk '/^CapPrm:/ {print $2}' $st)" 0000000000000000
expect_eq "agentshd Seccomp" "$(awk '/^Seccomp:/ {print $2}' $st)" 2
expect_eq "agentshd NoNewPrivs" "$(awk '/^NoNewPrivs:/ {print $2}' $st)" 1
# a non-dumpable process's /proc files belong to root, not to its user
expect_eq "agentshd non-dumpable" "$(stat -c %U /proc/$pid/status)" root
# fds: 0-2 /dev/null (stderr may be the monitor's), 3 IPC, 4 log
[ -S /proc/$pid/fd/3 ] || [ -e /proc/$pid/fd/3 ] || fail "agentshd has no fd 3"
[ -p /proc/$pid/fd/4 ] || fail "agentshd fd 4 is not its log pipe"

if [ -n "$SUITE_CGROUP" ]; then
	expect_match "agentshd cgroup" "$(cat /proc/$pid/cgroup)" "/helpers$"
	mpid=$(suite_pid)
	expect_match "monitor cgroup" "$(grep '^0::' /proc/$mpid/cgroup)" "/monitor$"
fi
[ "$(stat -c %a "$SUITE_SOCK")" = 666 ] || fail "socket mode is not 0666"

suite_stop
[ -e "$SUITE_SOCK" ] && fail "the socket outlived the monitor"
pgrep -u "$SUITE_USER" >/dev/null && fail "processes of $SUITE_USER outlived the suite"
grep -q 'stopped' "$SUITE/monitor.log" || fail "no orderly stop in the log"
grep -Eq 'died of|killed:' "$SUITE/monitor.log" && fail "a helper died on the way: $(suite_log)"
exit 0
