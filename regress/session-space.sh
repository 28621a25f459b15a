# A session's space (issue 7): what session create builds, commands run
# in it, and its end.  The init is pid 1 of its own namespaces in the
# session's init cgroup; a root owner's commands are in-session root, an
# unprivileged host id; an ordinary owner's are that user; the workspace
# keeps its host owners; destroy leaves no process, cgroup or mount; an
# init that dies leaves the session broken, never silently rebuilt; a
# restart of the suite rebuilds a session on first use.
# timeout: 180
. "$(dirname "$0")/test-exec.sh"
require_root
require_cmd jq curl

U=$(make_user agv)
UID_U=$(id -u "$U")
# the layers of the space are under test here, not the policy
SUITE_POLICY=agent-observe
suite_config
[ -n "$SUITE_CGROUP" ] || skip "no cgroup2 hierarchy"
CG="$SUITE_CGROUP/sessions"
BASE=100000000		# sessions.userns_uid_base's default
mkdir -p "$OBJ/uws"
chown "$U:$U" "$OBJ/uws"
touch "$SUITE/ws/hostfile"
chown 1234:1234 "$SUITE/ws/hostfile"
mounts_before=$(grep -c "$SUITE" /proc/self/mountinfo)
suite_start

init_of() {
	cat "$CG/$1/init/cgroup.procs" 2>/dev/null
}
ns_differs() {	# ns_differs PID NS...
	local ns
	for ns in "${@:2}"; do
		[ "$(readlink "/proc/$1/ns/$ns")" != "$(readlink /proc/self/ns/$ns)" ] ||
		    fail "the init shares our $ns namespace"
	done
}
state_of() {
	api GET "/api/v1/sessions/$1"
	echo "$body" | jq -r .state
}

# --- a root owner's session -------------------------------------------------
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"r\"}"
expect_eq "create" "$status" 201
expect_eq "enforcement" "$(echo "$body" | jq -c .enforcement)" \
    '["namespaces","filter","landlock-scope","api-guard","precheck"]'
init=$(init_of r)
[ -n "$init" ] && [ "$(echo "$init" | wc -l)" -eq 1 ] ||
    fail "not one process in the init cgroup: '$init'"
expect_eq "the init" "$(tr '\0' ' ' <"/proc/$init/cmdline" | sed 's/ *$//')" \
    "agentsh-unixwrap: init r"
ns_differs "$init" pid mnt ipc uts cgroup user
expect_eq "the init's host uid" "$(stat -c %u "/proc/$init")" "$BASE"

run_in r /bin/sh -c 'id -u; id -g; cat /.agentsh-session; \
    echo "$AGENTSH_IN_SESSION $AGENTSH_SESSION_ID"; pwd; \
    tr "\0" " " </proc/1/cmdline | sed "s/ *\$//"; echo; \
    stat -c %u /workspace/hostfile'
expect_eq "exec" "$status" 200
expect_eq "inside a root owner's session" "$out" "0
0
r
1 r
/workspace
agentsh-unixwrap: init r
1234"
# the workspace is idmapped: what in-session root makes is host root's;
# elsewhere it is the unprivileged id
run_in r /bin/sh -c "touch /workspace/made /tmp/agentsh-space.$$"
expect_eq "touch" "$rc" 0
expect_eq "host owner, workspace" "$(stat -c %u "$SUITE/ws/made")" 0
expect_eq "host owner, /tmp" "$(stat -c %u "/tmp/agentsh-space.$$")" "$BASE"
rm -f "/tmp/agentsh-space.$$"
run_in r /bin/sh -c 'touch /anything'
[ "$rc" != 0 ] || fail "a file was made at the top of the session's root"
expect_match "the root is read-only" "$err" "Read-only"
run_in r /bin/sh -c 'exec cat /proc/self/cgroup'
expect_match "a command's cgroup" "$out" '^0::/cmd-[0-9]+$'
# agentsh's own directories are empty there (they are not on the host)
dirs="$SUITE/run $SUITE/data $SUITE/sessions $SUITE/log $SUITE/etc \
    $REGRESS_STAGE/etc/policies"
for d in $dirs; do
	[ -n "$(ls -A "$d")" ] || fail "$d is empty on the host"
done
run_in r /bin/sh -c "for d in $dirs; do ls -A \$d; done; echo end"
expect_eq "agentsh's directories, inside" "$out" end
# its cgroup went with it
ls -d "$CG"/r/cmd-* 2>/dev/null && fail "a command's cgroup is left"
agentsh session info r | jq -e '.enforcement | index("filter")' >/dev/null ||
    fail "agentsh session info does not show the filter"

# --- an ordinary owner's session ---------------------------------------------
CURL_AS=$U api POST /api/v1/sessions "{\"workspace\":\"$OBJ/uws\",\"id\":\"u\"}"
expect_eq "create (ordinary owner)" "$status" 201
uinit=$(init_of u)
expect_eq "its init's host uid" "$(stat -c %u "/proc/$uinit")" "$UID_U"
ns_differs "$uinit" pid mnt ipc uts cgroup
expect_eq "no user namespace" "$(readlink "/proc/$uinit/ns/user")" \
    "$(readlink /proc/self/ns/user)"
CURL_AS=$U run_in u /bin/sh -c 'id -u; id -G; touch /workspace/made'
expect_eq "inside an ordinary owner's session" "$out" "$UID_U
$(id -G "$U")"
expect_eq "host owner" "$(stat -c %u "$OBJ/uws/made")" "$UID_U"

# --- real paths --------------------------------------------------------------
api POST /api/v1/sessions \
    "{\"workspace\":\"$SUITE/ws\",\"id\":\"rp\",\"real_paths\":true}"
expect_eq "create (real paths)" "$status" 201
run_in rp /bin/sh -c "pwd; ls $SUITE/ws/hostfile; test -e /workspace || echo none"
expect_eq "the workspace at its real path" "$out" "$SUITE/ws
$SUITE/ws/hostfile
none"
api DELETE /api/v1/sessions/rp
expect_eq "destroy rp" "$status" 204

# --- commands: exit codes, output, environment, directory, time -----------
run_in r /bin/sh -c 'echo out; echo err >&2; exit 3'
expect_eq "exit code" "$rc" 3
expect_eq "stdout" "$out" out
expect_eq "stderr" "$err" err
api POST /api/v1/sessions/r/exec \
    '{"command":"sh","args":["-c","echo $FOO; pwd"],"env":{"FOO":"bar","PATH":"/usr/bin:/bin"},"working_dir":"/tmp"}'
expect_eq "env and working_dir" "$(echo "$body" | jq -r .result.stdout)" "bar
/tmp"
run_in r /bin/sh -c 'head -c 1500000 /dev/zero | tr "\0" a; printf "\377" >&2'
expect_eq "output kept" "$(echo "$body" | jq -r '.result.stdout | length')" \
    1048576
expect_eq "and says so" "$(echo "$body" | jq -c '[.result.stdout_truncated,
    .result.stderr_truncated]')" '[true,false]'
expect_eq "bytes that are not UTF-8" "$err" "$(printf '\357\277\275')"
api POST /api/v1/sessions/r/exec '{"command":"agentsh-no-such-command"}'
expect_eq "not found: status" "$status" 200
expect_eq "not found: exit code" "$(echo "$body" | jq -r .result.exit_code)" 127
expect_match "not found: why" "$(echo "$body" | jq -r .result.error.message)" \
    "No such file"
api POST /api/v1/sessions/r/exec \
    '{"command":"/bin/sleep","args":["30"],"timeout":"300ms"}'
expect_eq "timeout: exit code" "$(echo "$body" | jq -r .result.exit_code)" 124
api POST /api/v1/sessions/r/exec '{"command":"true","bogus":1}'
expect_eq "unknown field" "$status" 400
CURL_AS=$U api POST /api/v1/sessions/r/exec '{"command":"true"}'
expect_eq "another owner's session" "$status" 404

# --- destroy leaves nothing behind ----------------------------------------------
mntns=$(readlink "/proc/$init/ns/mnt")
api DELETE /api/v1/sessions/r
expect_eq "destroy" "$status" 204
[ -e "/proc/$init" ] && fail "the init outlived its session"
[ -d "$CG/r" ] && fail "the session's cgroup is left"
for p in /proc/[0-9]*; do
	[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$mntns" ] &&
	    fail "${p#/proc/} is still in the session's mount namespace"
done
expect_eq "host mounts" "$(grep -c "$SUITE" /proc/self/mountinfo)" \
    "$mounts_before"

# --- an init that dies leaves its session broken -------------------------------
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"b\"}"
expect_eq "create b" "$status" 201
binit=$(init_of b)
kill -KILL "$binit"
wait_for 10 sh -c "curl -s --unix-socket '$SUITE_SOCK' \
    http://x/api/v1/sessions/b | grep -q '\"state\":\"failed\"'" ||
    fail "the session did not become broken"
api GET /api/v1/sessions/b
expect_match "why" "$(echo "$body" | jq -r .state_reason)" "died of SIGKILL"
expect_eq "no layer in force" "$(echo "$body" | jq -c .enforcement)" '[]'
[ -d "$CG/b" ] && fail "the broken session's cgroup is left"
run_in b /bin/true
expect_eq "exec in a broken session" "$status" 409
expect_match "says why" "$body" "died"

# --- a restart: every process goes with the monitor, sessions come back -------
suite_stop
[ -e "/proc/$uinit" ] && fail "a session's init outlived the monitor"
[ -d "$CG/u" ] && fail "a session's cgroup outlived the monitor"
suite_start
expect_eq "the broken session stays broken" "$(state_of b)" failed
run_in b /bin/true
expect_eq "and is not rebuilt" "$status" 409
api GET /api/v1/sessions/u
expect_eq "no space before first use" "$(echo "$body" | jq -c .enforcement)" '[]'
CURL_AS=$U run_in u /bin/sh -c 'ls /workspace/made'
expect_eq "rebuilt on first use" "$out" /workspace/made
[ -n "$(init_of u)" ] && [ "$(init_of u)" != "$uinit" ] ||
    fail "no new init for the rebuilt session"
api GET /api/v1/sessions/u
expect_eq "layers back" "$(echo "$body" | jq -c .enforcement)" \
    '["namespaces","filter","landlock-scope","api-guard","precheck"]'
api DELETE /api/v1/sessions/b
expect_eq "a broken session can be destroyed" "$status" 204
exit 0
