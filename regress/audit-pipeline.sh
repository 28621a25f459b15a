# The audit writer under attack and failure: agentshd cannot read the key
# (not the file, not the writer's memory); an event agentshd forges in
# another source's name is refused and gets it stopped; kill -9 of agentshd
# mid-stream loses nothing (the writer replays what was not stored);
# kill -9 of the writer mid-stream leaves a log that verifies up to where
# it ends and a chain that goes on; the monitor's own events survive a dead
# writer; a restart resumes the chain.
# timeout: 300
. "$(dirname "$0")/test-exec.sh"
require_root

N=30000
suite_config
export AGENTSH_REGRESS_EVENT_SOURCE="$BIN/event-source" \
    AGENTSH_REGRESS_EVENT_CTL="$OBJ/ctl" AGENTSH_REGRESS_FAST_RESTART=1
suite_start
writer() {
	pgrep -P "$(suite_pid)" -u "$SUITE_AUDIT_USER" | head -n 1
}
w=$(writer)
[ -n "$w" ] || fail "no audit writer running as $SUITE_AUDIT_USER"
expect_eq "writer CapEff" "$(awk '/^CapEff:/ {print $2}' /proc/$w/status)" 0000000000000000
expect_eq "writer Seccomp" "$(awk '/^Seccomp:/ {print $2}' /proc/$w/status)" 2
expect_eq "writer non-dumpable" "$(stat -c %U /proc/$w/status)" root

# agentshd's uid can read neither the key nor the writer's memory.
for f in "$SUITE/etc/audit.key" /proc/$w/mem /proc/$w/environ /proc/$w/fd/6; do
	setpriv --reuid="$SUITE_USER" --regid="$SUITE_USER" --clear-groups \
	    cat "$f" >/dev/null 2>&1 && fail "agentshd's user can read $f"
done
# positive control: root can read the key, so the file is there
cat "$SUITE/etc/audit.key" >/dev/null || fail "no key file"

api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"pipe\"}"

# kill -9 of agentshd in the middle of a stream.
echo "pipe $N cmd-a" >"$OBJ/ctl"
sleep 0.3
kill -KILL "$(agentshd_pid)"
wait_for 120 test -f "$OBJ/ctl.done" || fail "source a did not finish"
wait_log 60 'events of pipe/cmd-a complete' || fail "no barrier for cmd-a"
wait_for 30 curl -sf --max-time 2 --unix-socket "$SUITE_SOCK" http://x/ready
n=$(agentsh session logs pipe | jq -r 'select(.command_id == "cmd-a") | .fields.n' | sort -n | uniq | wc -l)
expect_eq "no event lost across agentshd's death" "$n" "$N"
grep -q 'replayed' "$SUITE/monitor.log" || trace "(nothing needed replaying)"

# kill -9 of the writer in the middle of a stream.
rm -f "$OBJ/ctl.done"
echo "pipe $N cmd-b" >"$OBJ/ctl"
sleep 0.3
old=$(writer)
kill -KILL "$old"
wait_log 10 "audit-writer\[$old\] died of SIGKILL" || fail "writer death not noticed"
wait_for 10 sh -c "[ -n \"\$(pgrep -P $(suite_pid) -u $SUITE_AUDIT_USER)\" ]" ||
    fail "the writer did not come back"
# The monitor's own events wait for the writer and are not lost.
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"after-crash\"}"
expect_eq "create after the writer crash" "$status" 201
wait_for 10 grep -q '"after-crash"' "$SUITE/log/audit.jsonl" ||
    fail "session_created of after-crash never reached the log"

# A forged event from agentshd is refused and gets agentshd stopped.
suite_stop
rm -f "$SUITE/monitor.log"
AGENTSH_REGRESS_FORGE_EVENT=1 suite_start --no-wait
wait_log 15 'refused agentshd: event on the agentshd channel claims source supervisor' ||
    { suite_log; fail "the forged event was not refused"; }
wait_log 10 'agentshd\[[0-9]+\] killed: the audit writer refused its events' ||
    fail "the forger was not stopped"
suite_stop
grep -q 'forged-by-agentshd' "$SUITE/log/audit.jsonl" && fail "the forged event was logged"

# Restart: the chain resumes; the whole log verifies.
unset AGENTSH_REGRESS_FORGE_EVENT
rm -f "$SUITE/monitor.log"
suite_start
wait_log 10 'chain resumed' || { suite_log; fail "the chain was not resumed"; }
suite_stop
out=$("$BIN/agentsh" audit verify --key-file "$SUITE/etc/audit.key" "$SUITE/log/audit.jsonl") ||
    fail "audit verify after the crashes: $out"
trace "$out"
exit 0
