# 100k events from a regress-only source that speaks the event channel and
# drained(), with a slow live subscriber attached: the store gets every
# event, the barrier comes after them, the subscriber is dropped with a
# subscriber_dropped event, and the log verifies.
# timeout: 300
. "$(dirname "$0")/test-exec.sh"
require_root

N=100000
suite_config
export AGENTSH_REGRESS_EVENT_SOURCE="$BIN/event-source" \
    AGENTSH_REGRESS_EVENT_CTL="$OBJ/ctl"
suite_start
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"flood\"}"
expect_eq create "$status" 201

# A subscriber reading 2 KB/s cannot keep up with the flood.
curl -sN --limit-rate 2k --unix-socket "$SUITE_SOCK" \
    http://x/api/v1/sessions/flood/events >"$OBJ/slow.out" 2>/dev/null &
on_exit "kill $! 2>/dev/null"
wait_for 5 grep -q 'event: ready' "$OBJ/slow.out" || fail "no ready frame"

echo "flood $N cmd-flood" >"$OBJ/ctl"
wait_for 120 test -f "$OBJ/ctl.done" || fail "the source did not finish"
wait_log 60 'events of flood/cmd-flood complete' ||
    { suite_log | tail; fail "no barrier"; }
trace "source: $(cat "$OBJ/ctl.done")"

n=$(agentsh session logs flood | jq -r 'select(.command_id == "cmd-flood") | .fields.n' | sort -n | uniq | wc -l)
expect_eq "events stored" "$n" "$N"

wait_log 30 'event subscriber of flood dropped' ||
    fail "the slow subscriber was not dropped"
api GET "/api/v1/sessions/flood/history?type=subscriber_dropped"
expect_eq "subscriber_dropped event" "$(echo "$body" | jq -r '.[0].source')" agentshd
grep -q 'died of' "$SUITE/monitor.log" && fail "a helper died: $(grep 'died of' "$SUITE/monitor.log")"

suite_stop
out=$("$BIN/agentsh" audit verify --key-file "$SUITE/etc/audit.key" "$SUITE/log/audit.jsonl") ||
    fail "audit verify: $out"
expect_eq "events in the log" "$(grep -c '"cmd-flood"' "$SUITE/log/audit.jsonl")" "$N"

# A store that cannot keep up: the sources wait, the stall is logged, and
# every event still arrives.
rm -f "$SUITE/monitor.log" "$OBJ/ctl.done"
AGENTSH_REGRESS_SLOW_STORE=50 AGENTSH_REGRESS_UNACKED_MAX=200000 suite_start
echo "flood 20000 cmd-slow" >"$OBJ/ctl"
wait_log 120 'events of flood/cmd-slow complete' || fail "no barrier (slow store)"
grep -q 'store stalled' "$SUITE/monitor.log" || fail "the stall was not logged"
grep -q 'store caught up' "$SUITE/monitor.log" || fail "no recovery logged"
n=$(agentsh session logs flood | jq -r 'select(.command_id == "cmd-slow") | .fields.n' | sort -n | uniq | wc -l)
expect_eq "events stored through a stall" "$n" 20000
exit 0
