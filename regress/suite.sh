# Sourced by test-exec.sh: run a private instance of the suite (DESIGN.md
# section 7).  Everything lives under $OBJ/suite: config, data, sockets,
# logs; a free loopback port; the test's own cgroup subtree; system users
# with names of its own.  All of it is removed when the test ends.  The
# binaries come from the staged, world-readable $REGRESS_STAGE/bin.
#
#   suite_config [YAML...]	write the config (extra top-level YAML lines
#				replace the defaults' sections of the same name);
#				$SUITE_POLICY names the default policy
#   suite_start			start the monitor (-d), wait until it serves
#   suite_stop			stop it (SIGTERM) and wait
#   agentsh ARGS...		the staged CLI, pointed at this instance
#   api METHOD PATH [JSON]	curl over the Unix socket; sets $status, $body
#   api_tcp METHOD PATH [JSON]	the same over TCP
#   make_user NAME		an ordinary user, removed at exit
#   run_in SID CMD [ARG...]	POST .../sessions/SID/exec; sets $status,
#				$body, and $out, $err, $rc (the command's)

SUITE="$OBJ/suite"

_stage_binaries() {
	[ -n "${REGRESS_STAGE:-}" ] && [ -d "$REGRESS_STAGE/bin" ] && return 0
	# Run outside regress/run: stage into our own directory.
	REGRESS_STAGE="$OBJ/stage"
	mkdir -p "$REGRESS_STAGE/bin" "$REGRESS_STAGE/etc"
	for b in "$REGRESS_TOP"/agentsh/agentsh "$REGRESS_TOP"/agentsh-monitor/agentsh-monitor \
	    "$REGRESS_TOP"/agentshd/agentshd "$REGRESS_TOP"/agentsh-unixwrap/agentsh-unixwrap \
	    "$REGRESS_TOP"/regress/helpers/*; do
		[ -f "$b" ] && [ -x "$b" ] && install -m 755 "$b" "$REGRESS_STAGE/bin/"
	done
	[ -d "$REGRESS_TOP/etc/policies" ] && cp -R "$REGRESS_TOP/etc/policies" "$REGRESS_STAGE/etc/"
	chmod -R a+rX "$REGRESS_STAGE"
	export REGRESS_STAGE
}
_stage_binaries
BIN="$REGRESS_STAGE/bin"

free_port() {
	local p
	for _ in $(seq 100); do
		p=$((20000 + RANDOM % 40000))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return 0; }
	done
	fail "no free port"
}

# Short, unique names: useradd limits them to 32 characters.
_suite_id=$(printf '%04x%04x' $((RANDOM)) $(($$ % 65536)))
SUITE_USER="agt${_suite_id}"
SUITE_AUDIT_USER="aga${_suite_id}"

_remove_user() {
	local u=$1
	getent passwd "$u" >/dev/null || return 0
	pkill -KILL -u "$u" 2>/dev/null
	userdel "$u" 2>/dev/null || userdel -f "$u" 2>/dev/null
	getent group "$u" >/dev/null && groupdel "$u" 2>/dev/null
	return 0
}

# make_user NAME: an ordinary login-less user for the test, removed at exit.
# It is called as U=$(make_user x), in a subshell whose on_exit would be
# lost: the names go to a list the test's own exit reads.
make_user() {
	local u="$1$_suite_id"
	useradd --no-create-home --home-dir /nonexistent --shell /bin/sh \
	    --user-group "$u" >/dev/null 2>&1 || fail "useradd $u"
	echo "$u" >>"$OBJ/made-users"
	echo "$u"
}
_remove_made_users() {
	local u
	[ -f "$OBJ/made-users" ] || return 0
	while read -r u; do
		_remove_user "$u"
	done <"$OBJ/made-users"
}
on_exit _remove_made_users

suite_config() {
	# log/ is the audit writer's: the monitor makes it, 0700, its own.
	mkdir -p "$SUITE/etc" "$SUITE/run" "$SUITE/data" "$SUITE/sessions" \
	    "$SUITE/ws"
	chmod 755 "$SUITE" "$SUITE/run" "$SUITE/ws"
	SUITE_PORT=${SUITE_PORT:-$(free_port)}
	SUITE_SOCK="$SUITE/run/agentsh.sock"
	SUITE_CGROUP=""
	if [ -n "${REGRESS_CGROUP:-}" ]; then
		SUITE_CGROUP="$REGRESS_CGROUP/agentsh"
	else
		local cg2
		cg2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/self/mounts)
		[ -n "$cg2" ] && SUITE_CGROUP="$cg2/agentsh-t.$$"
	fi
	[ -n "$SUITE_CGROUP" ] && on_exit _cg_remove "$SUITE_CGROUP"
	on_exit _remove_user "$SUITE_USER"
	on_exit _remove_user "$SUITE_AUDIT_USER"
	{
		echo "server:"
		echo "  http:"
		echo "    addr: \"127.0.0.1:$SUITE_PORT\""
		echo "  unix_socket:"
		echo "    path: \"$SUITE_SOCK\""
		echo "privsep:"
		echo "  user: $SUITE_USER"
		echo "  audit_user: $SUITE_AUDIT_USER"
		echo "sessions:"
		echo "  base_dir: \"$SUITE/sessions\""
		echo "policies:"
		echo "  dir: \"$REGRESS_STAGE/etc/policies\""
		[ -n "${SUITE_POLICY:-}" ] && echo "  default: $SUITE_POLICY"
		echo "audit:"
		echo "  output: \"$SUITE/log/audit.jsonl\""
		echo "  integrity:"
		echo "    key_file: \"$SUITE/etc/audit.key\""
		if [ -n "$SUITE_CGROUP" ]; then
			echo "sandbox:"
			echo "  cgroups:"
			echo "    base_path: \"$SUITE_CGROUP\""
		fi
	} >"$SUITE/etc/config.yaml"
	# Extra sections replace the generated ones of the same name.
	local extra
	for extra in "$@"; do
		printf '%s\n' "$extra" >>"$SUITE/etc/config.extra"
	done
	if [ -f "$SUITE/etc/config.extra" ]; then
		awk -v extra="$SUITE/etc/config.extra" '
			BEGIN { while ((getline l < extra) > 0) {
				x = x l "\n"
				if (l ~ /^[a-z_]+:/) { sub(/:.*/, "", l); drop[l] = 1 } } }
			/^[a-z_]+:/ { k = $0; sub(/:.*/, "", k); skip = (k in drop) }
			!skip { print }
			END { printf "%s", x }' "$SUITE/etc/config.yaml" >"$SUITE/etc/config.new"
		mv "$SUITE/etc/config.new" "$SUITE/etc/config.yaml"
		rm -f "$SUITE/etc/config.extra"
	fi
	chmod 644 "$SUITE/etc/config.yaml"
	export AGENTSH_DATA_DIR="$SUITE/data"
	export AGENTSH_SERVER="unix://$SUITE_SOCK"
	export AGENTSH_CONFIG="$SUITE/etc/config.yaml"
}

_cg_remove() {
	local d=$1 c
	[ -d "$d" ] || return 0
	[ -f "$d/cgroup.kill" ] && echo 1 >"$d/cgroup.kill" 2>/dev/null
	for c in "$d"/*/; do
		[ -d "$c" ] && _cg_remove "${c%/}"
	done
	for _ in $(seq 50); do
		grep -q '^populated 0' "$d/cgroup.events" 2>/dev/null && break
		sleep 0.1
	done
	rmdir "$d" 2>/dev/null
	return 0
}

# wait_for SECONDS CMD...: retry CMD every 0.1s until it succeeds.
wait_for() {
	local n=$(($1 * 10))
	shift
	while [ $n -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
		n=$((n - 1))
	done
	return 1
}

suite_pid() {
	cat "$SUITE/monitor.pid" 2>/dev/null
}

# suite_start [--no-wait]: start the monitor; unless --no-wait, wait until
# the API is ready.
suite_start() {
	[ -x "$BIN/agentsh-monitor" ] && [ -x "$BIN/agentshd" ] ||
	    fail "agentsh-monitor and agentshd are not built (run make)"
	[ -f "$SUITE/etc/config.yaml" ] || suite_config
	"$BIN/agentsh-monitor" -d -v -f "$SUITE/etc/config.yaml" \
	    >>"$SUITE/monitor.log" 2>&1 &
	echo $! >"$SUITE/monitor.pid"
	on_exit suite_stop
	[ "${1:-}" = --no-wait ] && return 0
	if ! wait_for 20 curl -sf --max-time 2 --unix-socket "$SUITE_SOCK" http://x/ready; then
		tail -n 30 "$SUITE/monitor.log"
		fail "the suite did not come up"
	fi
}

suite_stop() {
	local pid
	pid=$(suite_pid)
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null
	rm -f "$SUITE/monitor.pid"
	return 0
}

suite_log() {
	cat "$SUITE/monitor.log"
}

# wait_log SECONDS REGEX: wait until the monitor's log has a matching line.
wait_log() {
	wait_for "$1" grep -Eq -- "$2" "$SUITE/monitor.log"
}

# agentshd's pid: the monitor's child running as the privsep user.
agentshd_pid() {
	pgrep -P "$(suite_pid)" -u "$SUITE_USER" | head -n 1
}

agentsh() {
	"$BIN/agentsh" "$@"
}

# api METHOD PATH [BODY]: sets $status and $body.  $API_KEY adds the
# key header; $CURL_AS runs curl as that user.
api() {
	_api "$SUITE_SOCK" "http://localhost" "$@"
}

api_tcp() {
	_api "" "http://127.0.0.1:$SUITE_PORT" "$@"
}

_api() {
	local sock=$1 base=$2 method=$3 path=$4 data=${5:-}
	local out="$OBJ/api.out" args
	args=(-s -o "$out" -w '%{http_code}' -X "$method")
	[ -n "$sock" ] && args+=(--unix-socket "$sock")
	[ -n "${API_KEY:-}" ] && args+=(-H "X-API-Key: $API_KEY")
	[ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data-binary "$data")
	rm -f "$out"
	if [ -n "${CURL_AS:-}" ]; then
		touch "$out" && chmod 666 "$out"
		status=$(setpriv --reuid="$CURL_AS" --regid="$CURL_AS" --init-groups \
		    curl "${args[@]}" "$base$path")
	else
		status=$(curl "${args[@]}" "$base$path")
	fi
	body=$(cat "$out" 2>/dev/null)
}

# run_in SID CMD [ARG...]: runs CMD in session SID through the API.
run_in() {
	local sid=$1 cmd=$2 req
	shift 2
	req=$(jq -cn --arg c "$cmd" '{command: $c, args: $ARGS.positional}' \
	    --args -- "$@")
	api POST "/api/v1/sessions/$sid/exec" "$req"
	out=$(printf '%s' "$body" | jq -r '.result.stdout // empty' 2>/dev/null)
	err=$(printf '%s' "$body" | jq -r '.result.stderr // empty' 2>/dev/null)
	rc=$(printf '%s' "$body" | jq -r '.result.exit_code // empty' 2>/dev/null)
}
