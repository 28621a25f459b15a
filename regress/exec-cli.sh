# agentsh exec (issue 8): shell and JSON output, exit codes, what agentsh
# adds on stderr when a command is blocked, --stream delivering output
# before the command ends, session auto-create, autostart of a stopped
# server as root (and a clear refusal for anyone else), and the
# AGENTSH_IN_SESSION short cut, inside a session and outside one.
# timeout: 180
. "$(dirname "$0")/test-exec.sh"
require_root
require_cmd jq curl setpriv od

U=$(make_user agx)
suite_start
mkdir -p "$SUITE/ws/sub" "$OBJ/root2"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"e\"}"
expect_eq "create e" "$status" 201
api POST /api/v1/sessions \
    "{\"workspace\":\"$SUITE/ws\",\"id\":\"o\",\"policy\":\"agent-observe\"}"
expect_eq "create o" "$status" 201

# cli ARGS...: the CLI; sets $rc, $out, $err
cli() {
	agentsh "$@" >"$OBJ/out" 2>"$OBJ/err"
	rc=$?
	out=$(tr -d '\0' <"$OBJ/out")
	err=$(tr -d '\0' <"$OBJ/err")
}

# --- shell output -------------------------------------------------------------
cli exec e -- sh -c 'echo out; echo err >&2; exit 5'
expect_eq "shell: exit code" "$rc" 5
expect_eq "shell: stdout" "$out" out
expect_eq "shell: stderr (a failure is not a block)" "$err" "err
agentsh: command failed"
cli exec e -- true
expect_eq "success: nothing of agentsh's" "$rc|$out|$err" "0||"
cli exec e -- printf '\000\001\377\n\200'
expect_eq "binary stdout, byte-exact" "$(od -An -tx1 <"$OBJ/out" | tr -s ' ')" " 00 01 ff 0a 80"
cli exec e -- sh -c 'echo mine; echo more >&2; rm -rf /workspace/sub'
expect_eq "denied: exit code" "$rc" 126
expect_eq "denied: stdout" "$out" ""
expect_eq "denied: stderr" "$(head -n 1 "$OBJ/err")" \
    "agentsh: Recursive forced delete is blocked: rm -rf /workspace/sub (rule=block-recursive-rm)"
expect_match "denied: a hint follows" "$(sed -n 2p "$OBJ/err")" '^agentsh: (try|hint): '
[ -d "$SUITE/ws/sub" ] || fail "the denied command ran"
cli exec o -- sh -c 'echo own output; echo own error >&2; exec /nonexistent/x'
expect_eq "not found: exit code" "$rc" 127
expect_eq "not found: stderr keeps the command's own first" "$(head -n 1 "$OBJ/err")" "own error"
cli exec o -- /nonexistent/y
expect_eq "not started: exit code" "$rc" 127
expect_match "not started: says why" "$err" '^agentsh: cannot run /nonexistent/y: No such file'
cli exec --timeout 500ms o -- sleep 30
expect_eq "--timeout" "$rc" 124
cli exec --argv0 renamed o -- cat /proc/self/cmdline
expect_eq "--argv0" "$(tr '\0' ' ' <"$OBJ/out")" "renamed /proc/self/cmdline "
cli exec --pty e -- true
expect_eq "--pty is refused, not ignored" "$rc" 2
expect_match "--pty: says so" "$err" 'not supported'
cli exec --output yaml e -- true
expect_eq "bad --output" "$rc" 2
cli exec --help
expect_match "--help says what is enforced" "$out" 'top-level'

# --- JSON output --------------------------------------------------------------
cli exec --output json e -- sh -c 'echo hi; exit 3'
expect_eq "json: exit code" "$rc" 3
expect_eq "json: result" "$(jq -c '[.result.stdout, .result.exit_code, .session_id]' <"$OBJ/out")" '["hi\n",3,"e"]'
expect_eq "json: default events summary" "$(jq -c '[(.events.other | length), .events.truncated]' <"$OBJ/out")" '[0,true]'
AGENTSH_OUTPUT=json cli exec --events all e -- true
expect_eq "AGENTSH_OUTPUT, --events all" "$(jq -c '[.events.other[].type]' <"$OBJ/out")" \
    '["command_policy","command_started","command_finished"]'
AGENTSH_OUTPUT=json AGENTSH_EVENTS=blocked cli exec e -- rm -rf /workspace/sub
expect_eq "json denied: exit code" "$rc" 126
expect_eq "json denied" "$(jq -c '[.result.error.code, .events.blocked_operations_count]' <"$OBJ/out")" \
    '["E_POLICY_DENIED",1]'
AGENTSH_SESSION_ID=o cli exec e -- sh -c 'echo $AGENTSH_SESSION_ID'
expect_eq "AGENTSH_SESSION_ID wins" "$out" o

# --- --stream: output before the end -------------------------------------------
agentsh exec --stream o -- sh -c 'echo first; echo err1 >&2; sleep 4; echo second' \
    >"$OBJ/s.out" 2>"$OBJ/s.err" &
spid=$!
wait_for 3 grep -qx first "$OBJ/s.out" || fail "--stream: nothing within 3 s"
kill -0 $spid 2>/dev/null || fail "--stream: the client ended before the command"
grep -qx second "$OBJ/s.out" && fail "--stream: the end came at once"
wait $spid
expect_eq "--stream: exit code" "$?" 0
expect_eq "--stream: stdout" "$(cat "$OBJ/s.out")" "first
second"
expect_eq "--stream: stderr" "$(cat "$OBJ/s.err")" err1
cli exec --stream o -- sh -c 'exit 7'
expect_eq "--stream: exit code passes through" "$rc" 7
cli exec --stream e -- rm -rf /workspace/sub
expect_eq "--stream: denied" "$rc" 126
cli exec --stream --output json o -- echo x
expect_eq "--stream json: frames" "$(jq -c '[.stream // "done", .data // .exit_code]' <"$OBJ/out" | tr '\n' ' ')" \
    '["stdout","x\n"] ["done",0] '

# --- output and kill ----------------------------------------------------------------
CID=$(agentsh exec --output json o -- sh -c 'seq 1 20000' | jq -r .command_id)
cli output o "$CID"
expect_eq "agentsh output" "$out" "$(seq 1 20000)"
cli output --stream stderr o "$CID"
expect_eq "agentsh output: empty stderr" "$rc|$out" "0|"
cli output o cmd-nonexistent
expect_eq "agentsh output: unknown command" "$rc" 1
expect_match "agentsh output: says so" "$err" 'not found'
cli kill o cmd-nonexistent
expect_eq "agentsh kill: unknown command" "$rc" 1

# --- session auto-create --------------------------------------------------------------
(cd "$OBJ/root2" && agentsh exec fresh -- pwd) >"$OBJ/out" 2>"$OBJ/err" ||
    fail "auto-create: $(cat "$OBJ/err")"
api GET /api/v1/sessions/fresh
expect_eq "auto-created on \$PWD" "$(echo "$body" | jq -r .workspace)" "$OBJ/root2"
AGENTSH_SESSION_ROOT="$SUITE/ws" cli exec fresh2 -- true
api GET /api/v1/sessions/fresh2
expect_eq "auto-created on AGENTSH_SESSION_ROOT" "$(echo "$body" | jq -r .workspace)" "$SUITE/ws"
cli exec --root "$OBJ/root2" fresh3 -- true
api GET /api/v1/sessions/fresh3
expect_eq "auto-created on --root" "$(echo "$body" | jq -r .workspace)" "$OBJ/root2"
AGENTSH_NO_AUTO=1 cli exec fresh4 -- true
expect_eq "AGENTSH_NO_AUTO: no auto-create" "$rc" 1
expect_match "AGENTSH_NO_AUTO: says so" "$err" 'session fresh4 not found'
api GET /api/v1/sessions/fresh4
expect_eq "fresh4 was not created" "$status" 404

# --- AGENTSH_IN_SESSION --------------------------------------------------------------
AGENTSH_IN_SESSION=1 cli exec e -- touch "$OBJ/should-not-exist"
expect_eq "AGENTSH_IN_SESSION outside a session" "$rc" 126
expect_match "AGENTSH_IN_SESSION outside: says why" "$err" 'not inside an agentsh session'
[ -e "$OBJ/should-not-exist" ] && fail "the command ran outside any session"
run_in o "$BIN/agentsh" exec -- sh -c 'echo direct $AGENTSH_SESSION_ID; exit 4'
expect_eq "inside a session: runs directly" "$status $rc $out" "200 4 direct o"

# --- autostart ------------------------------------------------------------------------------
suite_stop
wait_for 5 sh -c "! [ -S '$SUITE_SOCK' ] || ! curl -s --unix-socket '$SUITE_SOCK' http://x/health" ||
    fail "the suite did not stop"
# an ordinary user is told to start it
setpriv --reuid="$U" --regid="$U" --clear-groups env AGENTSH_SERVER="$AGENTSH_SERVER" \
    AGENTSH_CONFIG="$AGENTSH_CONFIG" "$BIN/agentsh" exec e -- true >"$OBJ/out" 2>"$OBJ/err"
expect_eq "autostart as a user: refused" "$?" 1
expect_match "autostart as a user: says what to do" "$(cat "$OBJ/err")" 'start it as root'
AGENTSH_NO_AUTO=1 cli exec e -- true
expect_eq "AGENTSH_NO_AUTO: no autostart" "$rc" 1
# root, cold: the server comes up and the command runs
automon() {	# the monitor listening on our socket
	ss -Hxlp 2>/dev/null | grep -F " $SUITE_SOCK " |
	    grep -o 'agentsh-monitor",pid=[0-9]*' | sed 's/.*pid=//' | sort -u
}
stop_automon() {
	local p
	for p in $(automon); do
		kill -TERM "$p"
		for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$p" 2>/dev/null
	done
	return 0
}
on_exit stop_automon
cli exec e -- echo "after a cold start"
expect_eq "autostart: exit code" "$rc" 0
expect_eq "autostart: output" "$out" "after a cold start"
expect_eq "autostart: said so" "$err" "agentsh: auto-starting server (config $AGENTSH_CONFIG)"
[ -n "$(automon)" ] || fail "no auto-started monitor"
cli exec e -- true
expect_eq "autostart: once only" "$rc|$err" "0|"
