# Commands through the API (issue 8): the ExecResponse's fields and exit
# codes for allowed, denied, failing and unstartable commands; what a
# command gets (environment, directory, stdin, argv[0]) and gives back
# (byte-exact output, binary and over 1 MiB, paged); timeouts and kills
# that take the whole tree; 50 commands at once in one session.
# timeout: 240
. "$(dirname "$0")/test-exec.sh"
require_root
require_cmd jq curl sha256sum base64

suite_config
# A secret in the server's own environment must not reach a command.
export AGENTSH_REGRESS_SECRET=s3cr3t-$$
suite_start
unset AGENTSH_REGRESS_SECRET
mkdir -p "$SUITE/ws/sub"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"e\"}"
expect_eq "create e (default policy)" "$status" 201
api POST /api/v1/sessions \
    "{\"workspace\":\"$SUITE/ws\",\"id\":\"o\",\"policy\":\"agent-observe\"}"
expect_eq "create o (agent-observe)" "$status" 201

# exec SID JSON: POST .../exec; sets $status, $body, $rc, $out, $err.
exec_json() {
	api POST "/api/v1/sessions/$1/exec" "$2"
	rc=$(printf '%s' "$body" | jq -r '.result.exit_code // empty')
	out=$(printf '%s' "$body" | jq -r '.result.stdout // empty' | tr -d '\0')
	err=$(printf '%s' "$body" | jq -r '.result.stderr // empty' | tr -d '\0')
}
jf() {	# jf [-r] FILTER: a field of $body
	printf '%s' "$body" | jq -c "$@"
}

# --- an allowed command: every field of the ExecResponse --------------------
exec_json e '{"command":"sh","args":["-c","echo hi; echo oops >&2; exit 3"],
    "include_events":"all"}'
expect_eq "allowed: status" "$status" 200
expect_eq "exit code passes through" "$rc" 3
expect_eq "stdout" "$(jf .result.stdout)" '"hi\n"'
expect_eq "stderr" "$(jf .result.stderr)" '"oops\n"'
expect_match "command_id" "$(jf .command_id)" \
    '^"cmd-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"$'
CID=$(jf -r .command_id)
expect_eq "session_id" "$(jf .session_id)" '"e"'
expect_match "timestamp" "$(jf .timestamp)" '^"20[0-9-]+T[0-9:.]+Z"$'
expect_eq "request echo" "$(jf '.request | {command, args}')" \
    '{"command":"sh","args":["-c","echo hi; echo oops >&2; exit 3"]}'
expect_eq "result keys" "$(jf '.result | keys')" \
    '["duration_ms","exit_code","stderr","stderr_total_bytes","stderr_truncated","stdout","stdout_total_bytes","stdout_truncated"]'
expect_eq "totals" "$(jf '[.result.stdout_total_bytes, .result.stderr_total_bytes, .result.stdout_truncated]')" \
    '[3,5,false]'
expect_eq "top-level keys" "$(jf 'keys')" \
    '["command_id","enforcement","events","guidance","request","resources","result","session_id","timestamp"]'
expect_eq "events: types" "$(jf '[.events.other[].type]')" \
    '["command_policy","command_started","command_finished"]'
expect_eq "events: counts" "$(jf '[.events.other_count, .events.blocked_operations_count, .events.truncated]')" \
    '[3,0,false]'
expect_eq "command_policy" "$(jf '.events.other[0] | [.policy.decision, .policy.rule, .command_id == "'"$CID"'"]')" \
    '["allow","allow-shells",true]'
expect_eq "command_finished" "$(jf '.events.other[2].fields | [.exit_code, (.duration_ms >= 0), (.memory_peak_kb > 0)]')" \
    '[3,true,true]'
expect_eq "resources" "$(jf '.resources | [(.cpu_user_ms >= 0), (.cpu_system_ms >= 0), (.memory_peak_kb > 0)]')" \
    '[true,true,true]'
expect_eq "guidance" "$(jf '.guidance | [.status, .blocked]')" '["failed",false]'
expect_eq "enforcement says precheck only" \
    "$(jf '.enforcement | [.per_exec, (.layers | index("precheck") != null)]')" \
    '[false,true]'
exec_json e '{"command":"true"}'
expect_eq "exit 0: guidance" "$(jf '[.guidance.status, .result.exit_code]')" '["ok",0]'
# include_events defaults to all; none keeps the counts only
exec_json e '{"command":"true","include_events":"none"}'
expect_eq "include_events none" "$(jf '[(.events.other | length), .events.other_count, .events.truncated]')" \
    '[0,3,true]'
# the events are in the store too, under the command's id
agentsh events query --session e --command "$CID" >"$OBJ/ev.json"
expect_eq "stored events" "$(jq -c '[.[].type] | sort' "$OBJ/ev.json")" \
    '["command_finished","command_policy","command_started"]'

# --- denied at precheck: 403, 126, nothing runs ------------------------------
exec_json e '{"command":"rm","args":["-rf","/workspace/sub"]}'
expect_eq "denied: status" "$status" 403
expect_eq "denied: exit code" "$rc" 126
expect_eq "denied: error" "$(jf '.result.error | [.code, .policy_rule]')" \
    '["E_POLICY_DENIED","block-recursive-rm"]'
expect_match "denied: message" "$(jf -r .result.error.message)" 'Recursive forced delete is blocked'
expect_eq "denied: guidance" "$(jf '.guidance | [.status, .blocked, .blocked_operation, .policy_rule]')" \
    '["blocked",true,"exec","block-recursive-rm"]'
expect_eq "denied: suggestions" "$(jf '.guidance.suggestions | length > 0')" true
expect_eq "denied: the blocked event" "$(jf '[.events.blocked_operations[].type, .events.blocked_operations_count]')" \
    '["command_policy",1]'
expect_eq "denied: no command_started" "$(jf '[.events.other[].type]')" '[]'
[ -d "$SUITE/ws/sub" ] || fail "a denied rm -rf ran"
# a command no rule names (default deny)
exec_json e '{"command":"/usr/bin/nc","args":["-l"]}'
expect_eq "default deny: status, code" "$status $rc" "403 126"
expect_eq "default deny: rule" "$(jf -r .result.error.policy_rule)" default-deny-commands
expect_match "default deny: message names it" "$(jf -r .result.error.message)" '/usr/bin/nc'
# an opaque script: what eval runs cannot be read, and nothing intercepts it
exec_json e '{"command":"sh","args":["-c","eval \"touch /workspace/opaque\""]}'
expect_eq "opaque sh -c: status, code" "$status $rc" "403 126"
expect_eq "opaque sh -c: rule" "$(jf -r .result.error.policy_rule)" shellc-opaque-script
[ -e "$SUITE/ws/opaque" ] && fail "the opaque script ran"
# a script whose every command is allowed runs; one that hides a denied one
# inside does not
exec_json e '{"command":"sh","args":["-c","echo a | tr a b"]}'
expect_eq "readable script" "$status $out" "200 b"
exec_json e '{"command":"sh","args":["-c","echo x; rm -rf /workspace/sub"]}'
expect_eq "script with a denied command" "$status $rc" "403 126"
[ -d "$SUITE/ws/sub" ] || fail "a denied rm -rf inside sh -c ran"

# --- could not start: 127 -----------------------------------------------------
exec_json o '{"command":"/nonexistent/cmd"}'
expect_eq "not found: status, code" "$status $rc" "200 127"
expect_eq "not found: error code" "$(jf -r .result.error.code)" E_COMMAND_FAILED
expect_match "not found: message" "$(jf -r .result.error.message)" '/nonexistent/cmd'
exec_json o "{\"command\":\"$SUITE/ws\"}"
expect_eq "a directory: code" "$rc" 127

# --- what the command gets -----------------------------------------------------
exec_json e '{"command":"env","env":{"FOO":"bar baz"}}'
expect_eq "env: status" "$status" 200
echo "$out" | grep -qx 'AGENTSH_IN_SESSION=1' || fail "no AGENTSH_IN_SESSION=1: $out"
echo "$out" | grep -qx 'AGENTSH_SESSION_ID=e' || fail "no AGENTSH_SESSION_ID=e: $out"
echo "$out" | grep -qx 'FOO=bar baz' || fail "the request's env is missing: $out"
echo "$out" | grep -q '^PATH=/' || fail "no PATH: $out"
echo "$out" | grep -q 'AGENTSH_REGRESS_SECRET\|s3cr3t' &&
    fail "the server's environment leaked into a command: $out"
exec_json e '{"command":"env","env":{"AGENTSH_SESSION_ID":"other"}}'
echo "$out" | grep -qx 'AGENTSH_SESSION_ID=e' ||
    fail "a request overrode AGENTSH_SESSION_ID: $out"
exec_json e '{"command":"pwd","working_dir":"sub"}'
expect_eq "working_dir (relative)" "$out" /workspace/sub
exec_json e '{"command":"pwd","working_dir":"/workspace/sub"}'
expect_eq "working_dir (absolute)" "$out" /workspace/sub
exec_json e '{"command":"pwd"}'
expect_eq "working_dir (default)" "$out" /workspace
exec_json e '{"command":"pwd","working_dir":"nope"}'
expect_eq "a missing working_dir" "$status $rc" "200 127"
expect_match "a missing working_dir: message" "$(jf -r .result.error.message)" \
    'working directory: No such file'
exec_json e '{"command":"pwd","working_dir":"../.."}'
expect_eq "working_dir cannot leave the session" "$out" /
exec_json e '{"command":"cat","stdin":"line one\nline two\n"}'
expect_eq "stdin" "$(jf .result.stdout)" '"line one\nline two\n"'
exec_json e '{"command":"cat"}'
expect_eq "no stdin: EOF at once" "$status $rc $(jf .result.stdout)" '200 0 ""'
exec_json o '{"command":"cat","args":["/proc/self/cmdline"],"argv0":"my-cat"}'
expect_eq "argv0" "$(jf -r .result.stdout | tr '\0' ' ')" "my-cat /proc/self/cmdline "
exec_json e '{"command":"cat","args":["/proc/self/cmdline"],"argv0":"my-cat"}'
expect_eq "argv0 is decided too: the default policy knows no my-cat" "$status $rc" "403 126"

# --- output: binary, large, paged back byte-exact -------------------------------
exec_json e '{"command":"printf","args":["\\000\\001\\377\\n\\200abc"],"output_encoding":"base64"}'
expect_eq "binary: encoding" "$(jf -r .result.output_encoding)" base64
expect_eq "binary: bytes" "$(jf -r .result.stdout | base64 -d | od -An -tx1 | tr -s ' ')" \
    " 00 01 ff 0a 80 61 62 63"
exec_json e '{"command":"printf","args":["\\377"]}'
expect_eq "binary as text: replaced, not dropped" "$(jf .result.stdout_total_bytes)" 1
# 3 MiB of pseudo-random bytes on stdout, 1.5 MiB on stderr
gen='head -c 3145728 /dev/urandom | tee /workspace/big.out; head -c 1572864 /dev/urandom | tee /workspace/big.err >&2'
exec_json o "$(jq -cn --arg s "$gen" '{command:"sh",args:["-c",$s],output_encoding:"base64"}')"
expect_eq "big: status" "$status $rc" "200 0"
expect_eq "big: sizes" "$(jf '[.result.stdout_total_bytes, .result.stderr_total_bytes, .result.stdout_truncated, .result.stderr_truncated]')" \
    '[3145728,1572864,true,true]'
expect_eq "big: the response keeps 1 MiB" "$(jf -r .result.stdout | base64 -d | wc -c)" 1048576
jf -r .result.stdout | base64 -d | cmp -s - <(head -c 1048576 "$SUITE/ws/big.out") ||
    fail "the first MiB in the response is not the command's"
BIG=$(jf -r .command_id)
page_all() {	# page_all STREAM FILE: fetch every page of a stream
	local off=0 more=true
	: >"$2"
	while [ "$more" = true ]; do
		api GET "/api/v1/sessions/o/output/$BIG?stream=$1&offset=$off&limit=700000&encoding=base64"
		[ "$status" = 200 ] || fail "output page at $off: $status $body"
		printf '%s' "$body" | jq -r .data | base64 -d >>"$2"
		more=$(printf '%s' "$body" | jq -r .has_more)
		off=$(($(stat -c %s "$2")))
	done
}
page_all stdout "$OBJ/paged.out"
page_all stderr "$OBJ/paged.err"
expect_eq "paged stdout" "$(sha256sum <"$OBJ/paged.out")" "$(sha256sum <"$SUITE/ws/big.out")"
expect_eq "paged stderr" "$(sha256sum <"$OBJ/paged.err")" "$(sha256sum <"$SUITE/ws/big.err")"
agentsh output o "$BIG" >"$OBJ/cli.out" || fail "agentsh output"
expect_eq "agentsh output" "$(sha256sum <"$OBJ/cli.out")" "$(sha256sum <"$SUITE/ws/big.out")"
agentsh output --stream stderr --offset 1000 --limit 5000 o "$BIG" >"$OBJ/cli.err"
expect_eq "agentsh output --offset --limit" "$(sha256sum <"$OBJ/cli.err")" \
    "$(tail -c +1001 "$SUITE/ws/big.err" | head -c 5000 | sha256sum)"
api GET "/api/v1/sessions/o/output/$BIG?offset=3145728"
expect_eq "past the end" "$(jf '[.data, .has_more, .total_bytes]')" '["",false,3145728]'
api GET "/api/v1/sessions/o/output/$BIG?limit=0"
expect_eq "limit 0" "$status" 400
api GET "/api/v1/sessions/o/output/$BIG?limit=1048577"
expect_eq "limit over 1 MiB" "$status" 400
api GET "/api/v1/sessions/o/output/$BIG?stream=both"
expect_eq "bad stream" "$status" 400
api GET "/api/v1/sessions/e/output/$BIG"
expect_eq "another session's command" "$status" 404
api GET "/api/v1/sessions/o/output/cmd-nonexistent"
expect_eq "no such command" "$status" 404
exec_json e '{"command":"true"}'
api GET "/api/v1/sessions/e/output/$(jf -r .command_id)"
expect_eq "a silent command's output" "$status $(jf '[.data, .total_bytes]')" '200 ["",0]'
rm -f "$SUITE/ws/big.out" "$SUITE/ws/big.err"

# --- timeouts and kills take the whole tree ----------------------------------------
gone() {	# gone PATTERN: no process matches, within 5 s
	wait_for 5 sh -c "! pgrep -f '$1'" || fail "left running: $(pgrep -af "$1")"
}
exec_json o '{"command":"sh","args":["-c","(setsid sleep 3171 &); (sleep 3172 &); exec sleep 3173"],"timeout":"1s"}'
expect_eq "timeout: status, code" "$status $rc" "200 124"
expect_eq "timeout: error" "$(jf -r .result.error.code)" E_COMMAND_FAILED
expect_eq "timeout: event" "$(jf '.events.other[] | select(.type == "command_finished") | .fields.timed_out')" true
gone 'sleep 317[123]'
# a command that ignores SIGTERM is killed all the same
exec_json o '{"command":"sh","args":["-c","trap \"\" TERM; echo ready; while :; do sleep 1; done"],"timeout":"500ms"}'
expect_eq "SIGTERM ignored: code" "$rc" 124
expect_eq "SIGTERM ignored: output kept" "$out" ready
# kill: a running command, found through its first output on the stream
curl -sN --unix-socket "$SUITE_SOCK" -X POST -H 'Content-Type: application/json' \
    --data-binary '{"command":"sh","args":["-c","trap \"\" TERM; echo started; (setsid sleep 3174 &); exec sleep 3175"]}' \
    http://x/api/v1/sessions/o/exec/stream >"$OBJ/kill.sse" &
curlpid=$!
wait_for 10 grep -q '^event: stdout' "$OBJ/kill.sse" || fail "no output from the stream: $(cat "$OBJ/kill.sse")"
KCID=$(sed -n 's/^data: //p' "$OBJ/kill.sse" | head -n 1 | jq -r .command_id)
pgrep -f 'sleep 3175' >/dev/null || fail "the command to kill is not running"
CURL_AS=$(make_user exk) api POST "/api/v1/sessions/o/kill/$KCID"
expect_eq "kill by another user" "$status" 404
pgrep -f 'sleep 3175' >/dev/null || fail "another user's kill killed it"
api POST "/api/v1/sessions/e/kill/$KCID"
expect_eq "kill through another session" "$status" 404
agentsh kill o "$KCID" || fail "agentsh kill"
wait $curlpid
done=$(sed -n '/^event: done/{n;s/^data: //p}' "$OBJ/kill.sse")
expect_eq "killed: done frame" "$(echo "$done" | jq -c '[.command_id == "'"$KCID"'", .exit_code]')" '[true,137]'
gone 'sleep 317[45]'
api POST "/api/v1/sessions/o/kill/$KCID"
expect_eq "kill of a finished command" "$status" 404
api POST "/api/v1/sessions/o/kill/cmd-nonexistent"
expect_eq "kill of no command" "$status" 404

# a client that goes away takes its command with it
curl -s --max-time 1 --unix-socket "$SUITE_SOCK" -X POST -H 'Content-Type: application/json' \
    --data-binary '{"command":"sh","args":["-c","(setsid sleep 3176 &); touch /workspace/abandoned; exec sleep 3177"]}' \
    -o /dev/null http://x/api/v1/sessions/o/exec
[ -e "$SUITE/ws/abandoned" ] || fail "the abandoned command did not start"
gone 'sleep 317[67]'

# --- 50 at once in one session --------------------------------------------------------
pids=""
for i in $(seq 50); do
	curl -s --unix-socket "$SUITE_SOCK" -X POST -H 'Content-Type: application/json' \
	    --data-binary "{\"command\":\"sh\",\"args\":[\"-c\",\"sleep 0.5; echo n$i; exit $((i % 7))\"]}" \
	    -o "$OBJ/c$i.json" -w '%{http_code}\n' http://x/api/v1/sessions/e/exec >"$OBJ/c$i.code" &
	pids="$pids $!"
done
wait $pids	# not the suite's monitor
for i in $(seq 50); do
	expect_eq "concurrent $i" "$(cat "$OBJ/c$i.code") $(jq -c '[.result.stdout, .result.exit_code]' "$OBJ/c$i.json")" \
	    "200 [\"n$i\\n\",$((i % 7))]"
done
expect_eq "50 distinct command ids" "$(jq -r .command_id "$OBJ"/c*.json | sort -u | wc -l)" 50

# --- bad requests --------------------------------------------------------------------------
api POST /api/v1/sessions/e/exec '{"args":["x"]}'
expect_eq "no command" "$status" 400
api POST /api/v1/sessions/e/exec '{"command":"true","timeout":"soon"}'
expect_eq "bad timeout" "$status" 400
api POST /api/v1/sessions/e/exec '{"command":"true","env":{"A":1}}'
expect_eq "env value not a string" "$status" 400
api POST /api/v1/sessions/e/exec '{"command":"true","include_events":"some"}'
expect_eq "bad include_events" "$status" 400
api POST /api/v1/sessions/nope/exec '{"command":"true"}'
expect_eq "unknown session" "$status" 404
api GET /api/v1/sessions/e/exec
expect_eq "GET on exec" "$status" 405
# and the suite is still whole
exec_json e '{"command":"echo","args":["still here"]}'
expect_eq "after it all" "$out" "still here"
