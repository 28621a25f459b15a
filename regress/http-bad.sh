# Bad HTTP requests get a 4xx with a JSON error naming what is wrong, and
# the server keeps serving: the same agentshd answers afterwards.
. "$(dirname "$0")/test-exec.sh"
require_root

SUITE_PORT=$(free_port)
suite_config 'server:
  http:
    addr: "127.0.0.1:'"$SUITE_PORT"'"
    max_request_size: "2KB"
  unix_socket:
    path: "'"$SUITE/run/agentsh.sock"'"'
suite_start
pid=$(agentshd_pid)

check() {	# check WHAT WANT_STATUS WANT_IN_ERROR
	expect_eq "$1: status" "$status" "$2"
	echo "$body" | jq -e '.error | type == "string"' >/dev/null ||
	    fail "$1: no JSON error in '$body'"
	[ -z "${3:-}" ] || expect_match "$1: error" "$(echo "$body" | jq -r .error)" "$3"
}

api POST /api/v1/sessions '{"workspace":'
check "truncated JSON" 400 "invalid JSON"
api POST /api/v1/sessions '[1,2]'
check "not an object" 400 "object"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"bogus\":1}"
check "unknown field" 400 "bogus"
api POST /api/v1/sessions '{"workspace":42}'
check "wrong type" 400 "workspace"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"real_paths\":\"yes\"}"
check "wrong type (bool)" 400 "real_paths"
api POST /api/v1/sessions '{"workspace":"relative/path"}'
check "relative workspace" 400 "absolute"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"bad id!\"}"
check "bad id" 400 "id"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"policy\":\"no-such-policy\"}"
check "unknown policy" 400 "no-such-policy"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"workspace\":\"/\"}"
check "duplicate key" 400 "duplicate"
api POST /api/v1/sessions "{\"workspace\":\"$(head -c 3000 /dev/zero | tr '\0' a)\"}"
check "body over max_request_size" 413
api GET /api/v1/sessions/nope
check "unknown session" 404 "nope"
api DELETE /api/v1/sessions/nope
check "destroy unknown session" 404
api GET /api/v1/nowhere
check "unknown endpoint" 404
api PUT /api/v1/sessions
check "wrong method" 405

# Raw garbage on the wire (TCP; bash's /dev/tcp).
raw() {
	local line
	exec 5<>"/dev/tcp/127.0.0.1/$SUITE_PORT" || fail "connect"
	printf "$1" >&5
	IFS= read -r -t 5 line <&5
	exec 5<&-
	printf '%s' "${line%$'\r'}"
}
expect_match "garbage request line" "$(raw 'HELLO\r\n\r\n')" '^HTTP/1\.[01] (400|501)'
expect_match "NUL in a header" "$(raw 'GET /health HTTP/1.1\r\nHost: x\r\nX: a\0b\r\n\r\n')" '^HTTP/1\.[01] 400'
expect_match "smuggling" "$(raw 'POST /api/v1/sessions HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n')" '^HTTP/1\.[01] 400'
expect_match "absolute-form target" "$(raw 'GET http://x/health HTTP/1.1\r\nHost: x\r\n\r\n')" '^HTTP/1\.[01] 400'

api GET /health
expect_eq "still serving" "$status" 200
[ "$(agentshd_pid)" = "$pid" ] || fail "agentshd was replaced ($pid -> $(agentshd_pid))"
grep -Eq 'died of|killed:' "$SUITE/monitor.log" && fail "a helper died: $(suite_log)"
exit 0
