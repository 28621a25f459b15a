# The CLI: agentsh server runs the suite in the foreground; session
# create/list/info/update/destroy print JSON (errors on stderr, non-zero
# exit); --help on every verb; the Unix socket when it exists, never a
# silent fall-back to TCP.
. "$(dirname "$0")/test-exec.sh"
require_root

"$BIN/agentsh" --version | grep -Eq '^agentsh [0-9]' || fail "--version"
for v in "" server session "session create" "session list" "session info" \
    "session update" "session destroy" "session logs" events "events tail" \
    "events query" policy audit; do
	# shellcheck disable=SC2086
	out=$("$BIN/agentsh" $v --help 2>&1) || fail "agentsh $v --help failed"
	expect_match "agentsh $v --help" "$out" "usage:"
done
"$BIN/agentsh" nosuchverb >/dev/null 2>&1
expect_eq "unknown verb exit" "$?" 2

suite_config
# agentsh server runs the monitor in the foreground.
"$BIN/agentsh" server --config "$SUITE/etc/config.yaml" >"$SUITE/monitor.log" 2>&1 &
spid=$!
on_exit "kill $spid 2>/dev/null"
wait_for 20 curl -sf --max-time 2 --unix-socket "$SUITE_SOCK" http://x/ready ||
    { cat "$SUITE/monitor.log"; fail "agentsh server did not come up"; }
[ "$(readlink /proc/$spid/exe)" = "$BIN/agentsh-monitor" ] ||
    fail "agentsh server is not the monitor in the foreground"

cd "$SUITE/ws" || fail "cd"
out=$(agentsh session create) || fail "session create"
expect_match "create prints" "$out" '^Session session-[0-9a-f-]+ started$'
json=$(agentsh session create --json --id cli-one --policy default) ||
    fail "session create --json"
expect_eq "create --json id first" "$(echo "$json" | jq -r 'keys_unsorted[0]')" id
expect_eq "create --json workspace" "$(echo "$json" | jq -r .workspace)" "$SUITE/ws"
expect_eq "list" "$(agentsh session list | jq -r '[.[].id] | map(select(. == "cli-one")) | length')" 1
expect_eq "info" "$(agentsh session info cli-one | jq -r .policy)" default
out=$(agentsh session update cli-one --cwd /workspace/sub --env A=1 --unset B) ||
    fail "session update"
expect_eq "update cwd" "$(echo "$out" | jq -r .cwd)" /workspace/sub
expect_eq "destroy" "$(agentsh session destroy cli-one)" ok

err=$(agentsh session info cli-one 2>&1 >/dev/null)
expect_eq "info of a destroyed session exits 1" "$?" 1
expect_match "error names the session" "$err" "cli-one"
err=$(agentsh session create --workspace /nonexistent 2>&1)
[ $? -ne 0 ] || fail "a missing workspace was accepted"

# Server choice: a socket that exists but is dead is an error naming it,
# not a reason to use TCP.
kill $spid
wait $spid 2>/dev/null
python3 - "$SUITE/run/dead.sock" <<'PY' || fail "cannot make a dead socket"
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
PY
err=$(AGENTSH_SERVER=unix://$SUITE/run/dead.sock "$BIN/agentsh" session list 2>&1)
expect_eq "dead socket exit" "$?" 1
expect_match "dead socket named" "$err" "dead\.sock"
exit 0
