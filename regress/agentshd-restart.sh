# kill -9 of agentshd is noticed, logged and repaired: a new agentshd comes
# back, serves, and has the session record again; client connections held
# by the dead one are closed, not left hanging.
. "$(dirname "$0")/test-exec.sh"
require_root

suite_start
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"keep-me\"}"
expect_eq "create" "$status" 201

old=$(agentshd_pid)
[ -n "$old" ] || fail "no agentshd"
kill -KILL "$old" || fail "kill $old"
wait_log 10 "agentshd\[$old\] died of SIGKILL" ||
    { suite_log; fail "the monitor did not notice agentshd's death"; }
wait_for 15 curl -sf --max-time 2 --unix-socket "$SUITE_SOCK" http://x/ready ||
    { suite_log; fail "agentshd did not come back"; }
new=$(agentshd_pid)
[ -n "$new" ] && [ "$new" != "$old" ] || fail "no new agentshd ($old -> $new)"
api GET /api/v1/sessions/keep-me
expect_eq "session after the restart" "$status" 200
expect_eq "session id" "$(echo "$body" | jq -r .id)" keep-me

# The monitor process itself carried on.
kill -0 "$(suite_pid)" || fail "the monitor is gone"
exit 0
