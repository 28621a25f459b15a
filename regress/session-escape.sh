# Escapes from a session (issue 7): a probe run inside a session, as a
# root owner and as an ordinary owner, tries each way out and must fail,
# asserted from inside by its errno.  Each has a positive control: the same
# owner and probe in a session with only the layer under test switched off
# (AGENTSH_REGRESS_*) succeeds, or, where another layer stands behind it,
# is stopped by that layer with its own errno, the chain ending in "ok".
# timeout: 300
. "$(dirname "$0")/test-exec.sh"
require_root
require_cmd jq curl setpriv ip

# the layers of the space are under test here, not the policy
SUITE_POLICY=agent-observe
P="$BIN/session-probe"
[ -x "$P" ] || fail "session-probe is not built (make check builds it)"
U=$(make_user ags)

# --- fixtures outside every session ---------------------------------------
mkdir -p "$OBJ/uws" "$OBJ/u"
chown "$U:$U" "$OBJ/uws" "$OBJ/u"
bg() {	# bg NAME CMD...: a host process, killed at exit
	local name=$1
	shift
	"$@" </dev/null >"$OBJ/$name.out" 2>&1 &
	on_exit kill $!
}
# processes to look for and to signal (argv[0] names them)
start_victims() {
	bash -c "exec -a agentsh-host-$$ sleep 600" </dev/null >/dev/null 2>&1 &
	HOSTPID=$!
	on_exit kill $HOSTPID
	setpriv --reuid="$U" --regid="$U" --clear-groups \
	    bash -c "exec -a agentsh-uvictim-$$ sleep 600" </dev/null \
	    >/dev/null 2>&1 &
	UVICTIM=$!
	on_exit kill $UVICTIM
}
start_victims
bg abstract "$P" serve-abstract "agentsh-abs-$$"
bg rootsock "$P" serve-unix "$OBJ/root.sock"
bg usersock setpriv --reuid="$U" --regid="$U" --clear-groups \
    "$P" serve-unix "$OBJ/u/user.sock"
OTHERPORT=$(free_port)
bg tcp "$P" serve-tcp 127.0.0.1 "$OTHERPORT"
wait_for 5 test -S "$OBJ/root.sock" -a -S "$OBJ/u/user.sock" ||
    fail "listeners did not start"
wait_for 5 grep -q listening "$OBJ/tcp.out" || fail "tcp listener"
chmod 600 "$OBJ/root.sock" "$OBJ/u/user.sock"
echo data >"$OBJ/root.file"
chmod 644 "$OBJ/root.file"
touch "$OBJ/u/user.file"
chown "$U:$U" "$OBJ/u/user.file"
chmod 644 "$OBJ/u/user.file"

# --- rounds ----------------------------------------------------------------
CUR=""
# round [SWITCH...]: a fresh suite with exactly these layers switched off,
# a session "r" owned by root and "u" owned by $U.
round() {
	local s
	if [ -n "$(suite_pid)" ]; then
		api DELETE /api/v1/sessions/r
		api DELETE /api/v1/sessions/u
		suite_stop
	fi
	CUR="${*:-none}"
	trace "round: switches $CUR"
	for s in "$@"; do export "AGENTSH_REGRESS_$s=1"; done
	suite_start
	for s in "$@"; do unset "AGENTSH_REGRESS_$s"; done
	api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"r\"}"
	expect_eq "[$CUR] root owner's session" "$status" 201
	ENF_R=$(echo "$body" | jq -c .enforcement)
	CURL_AS=$U api POST /api/v1/sessions \
	    "{\"workspace\":\"$OBJ/uws\",\"id\":\"u\"}"
	expect_eq "[$CUR] ordinary owner's session" "$status" 201
	ENF_U=$(echo "$body" | jq -c .enforcement)
}

# expect OWNER WANT ATTEMPT [ARG...]: the probe's line must be WANT.
expect() {
	local who=$1 want=$2
	shift 2
	if [ "$who" = u ]; then
		CURL_AS=$U run_in u "$P" "$@"
	else
		run_in r "$P" "$@"
	fi
	[ "$status" = 200 ] || fail "[$CUR] $who $*: HTTP $status $body"
	[ "$out" = "$want" ] ||
	    fail "[$CUR] $who $*: got '$out' (stderr '$err'), want '$want'"
}
both() {
	expect r "$@"
	expect u "$@"
}
# lacks LAYER: the sessions' enforcement must not claim it.
lacks() {
	echo "$ENF_R $ENF_U" | grep -q "\"$1\"" &&
	    fail "[$CUR] enforcement still lists $1: $ENF_R $ENF_U"
	return 0
}
# A process that has exited is gone, or a zombie of this shell.
dead() {
	[ ! -e "/proc/$1" ] || grep -q '^[0-9]* (.*) Z' "/proc/$1/stat"
}
alive() {
	! dead "$1"
}

# --- every layer in place ---------------------------------------------------
round
expect_eq "enforcement (root owner)" "$ENF_R" \
    '["namespaces","filter","landlock-scope","api-guard","precheck"]'
expect_eq "enforcement (ordinary owner)" "$ENF_U" "$ENF_R"
# the session filter
both "errno EPERM" unshare-user
both "errno EPERM" unshare-mnt
both "errno EPERM" clone-user
both "errno EPERM" mount-tmpfs /tmp
both "errno EPERM" keyctl
both "errno EPERM" io-uring
both "errno EPERM" seccomp-listener
both "errno EPERM" tiocsti
# vm.memfd_noexec=2 (the filter also refuses MFD_EXEC)
both "errno EACCES" memfd-exec
# host root is nobody's here: read-only /proc/sys and cgroup2 behind it
both "errno EACCES" open-write /proc/sys/kernel/core_pattern
both "errno EACCES" cgroup-leave
expect r "errno EACCES" connect-unix "$OBJ/root.sock"
expect u "errno EACCES" connect-unix "$OBJ/root.sock"
both "errno EACCES" write-file "$OBJ/root.file"
expect_eq "the root-owned file" "$(cat "$OBJ/root.file")" data
# the ordinary owner's own socket and file: the probes can succeed
expect u "ok" connect-unix "$OBJ/u/user.sock"
expect u "ok" write-file "$OBJ/u/user.file"
# the cgroup namespace: only the session's own tree is in sight
run_in r "$P" cgroup-self
expect_match "cgroup seen inside" "$out" '^cgroup /cmd-[0-9]+$'
# the PID namespace
both "errno ESRCH" see-host "agentsh-host-$$"
expect r "errno ESRCH" kill "$HOSTPID"
expect u "errno ESRCH" kill "$UVICTIM"
alive "$HOSTPID" && alive "$UVICTIM" || fail "a host process was killed"
# private /dev
both "errno ENOENT" open-rdwr /dev/loop0
# Landlock: abstract Unix sockets outside the session
both "errno EPERM" connect-abstract "agentsh-abs-$$"
# agentsh's directories are masked: the API's socket is not there
both "errno ENOENT" connect-unix "$SUITE_SOCK"
# the API guard, on every spelling of a local address; other ports pass
for a in 127.0.0.1 127.0.0.2 0.0.0.0 ::ffff:127.0.0.1 ::1 ::; do
	both "errno EPERM" connect-tcp "$a" "$SUITE_PORT"
done
both "ok" connect-tcp 127.0.0.1 "$OTHERPORT"

# --- positive controls, one layer off at a time -------------------------------
round NO_FILTER
lacks filter
for a in unshare-user unshare-mnt clone-user keyctl io-uring \
    seccomp-listener tiocsti; do
	both "ok" "$a"
done
both "ok" mount-tmpfs /tmp

round NO_MEMFD_NOEXEC
both "ok" memfd-exec

round NO_USERNS
echo "$ENF_R" | grep -q namespaces &&
    fail "[$CUR] the root owner's session claims its namespaces"
expect_match "[$CUR] the ordinary owner's session" "$ENF_U" namespaces
expect r "errno EROFS" open-write /proc/sys/kernel/core_pattern
expect r "errno EROFS" cgroup-leave
expect r "ok" connect-unix "$OBJ/root.sock"
expect r "ok" write-file "$OBJ/root.file"
expect_eq "the root-owned file, changed" "$(tr -d '\n' <"$OBJ/root.file")" \
    datax
echo data >"$OBJ/root.file"
# an ordinary owner's commands never were root: nothing changes for it
expect u "errno EACCES" connect-unix "$OBJ/root.sock"

round NO_USERNS RW_PROCSYS
expect r "ok" open-write /proc/sys/kernel/core_pattern

round NO_USERNS RW_CGROUP
expect r "ok" cgroup-leave

round NO_CGROUPNS
run_in r "$P" cgroup-self
expect_match "cgroup seen without the namespace" "$out" \
    '^cgroup /.*/sessions/r/cmd-[0-9]+$'

round NO_PIDNS
both "ok" see-host "agentsh-host-$$"
expect r "errno EPERM" kill "$HOSTPID"
expect u "errno EPERM" kill "$UVICTIM"
alive "$HOSTPID" && alive "$UVICTIM" || fail "a host process was killed"

round NO_PIDNS NO_LANDLOCK
expect u "ok" kill "$UVICTIM"
wait_for 5 dead "$UVICTIM" || fail "the victim survived"
expect r "errno EPERM" kill "$HOSTPID"

round NO_PIDNS NO_LANDLOCK NO_USERNS
expect r "ok" kill "$HOSTPID"
wait_for 5 dead "$HOSTPID" || fail "the host process survived"
start_victims

round NO_LANDLOCK
lacks landlock-scope
both "ok" connect-abstract "agentsh-abs-$$"

round NO_MASKS
both "ok" connect-unix "$SUITE_SOCK"
run_in r /bin/ls "$SUITE/etc"
expect_match "[$CUR] the configuration's directory" "$out" config.yaml
# behind the masks the monitor still refuses a peer inside a session
CURL_AS=$U run_in u "$P" http-unix "$SUITE_SOCK"
expect_match "the API through its socket" "$out" '^errno '
grep -q 'inside a session' "$SUITE/monitor.log" ||
    fail "the monitor did not refuse the session's connection"

round NO_APIGUARD
lacks api-guard
for a in 127.0.0.1 0.0.0.0 ::ffff:127.0.0.1; do
	both "ok" connect-tcp "$a" "$SUITE_PORT"
done
# the API listens on 127.0.0.1 alone: the others reach the stack, no one
both "errno ECONNREFUSED" connect-tcp 127.0.0.2 "$SUITE_PORT"
both "errno ECONNREFUSED" connect-tcp ::1 "$SUITE_PORT"

round HOST_DEV
both "errno EACCES" open-rdwr /dev/loop0

round HOST_DEV NO_USERNS
expect r "ok" open-rdwr /dev/loop0

# --- an API on a wildcard address: every local address is guarded -----------
api DELETE /api/v1/sessions/r
api DELETE /api/v1/sessions/u
suite_stop
hostip=$(ip -4 -o addr show scope global | awk '{ print $4 }' |
    cut -d/ -f1 | head -n 1)
keys="$SUITE/etc/api_keys.yaml"
printf -- '- id: "t"\n  key: "sk-regress-0123456789abcdef"\n' >"$keys"
chmod 600 "$keys"
SUITE_PORT=$(free_port)
suite_config 'server:
  http:
    addr: "0.0.0.0:'"$SUITE_PORT"'"
  unix_socket:
    path: "'"$SUITE/run/agentsh.sock"'"' 'auth:
  type: api_key
  api_key:
    keys_file: "'"$keys"'"'
round
for a in 127.0.0.2 0.0.0.0 ::; do
	both "errno EPERM" connect-tcp "$a" "$SUITE_PORT"
done
[ -n "$hostip" ] && both "errno EPERM" connect-tcp "$hostip" "$SUITE_PORT"
round NO_APIGUARD
both "ok" connect-tcp 127.0.0.2 "$SUITE_PORT"
[ -n "$hostip" ] && both "ok" connect-tcp "$hostip" "$SUITE_PORT"
exit 0
