# A session's policy is compiled by the monitor with the session's
# variables (as commands see them) and reaches agentshd, which decides
# with it: POST /policy/test.  A policy that does not compile refuses the
# session, naming file and line; one broken after a restart marks the
# session failed, with the reason.
. "$(dirname "$0")/test-exec.sh"
require_root

u1=$(make_user agu1)
pol="$OBJ/policies"
mkdir -p "$pol"
cp "$REGRESS_STAGE"/etc/policies/*.yaml "$pol/"
cat >"$pol/needs-var.yaml" <<'YAML'
version: 1
name: needs-var
file_rules:
  - name: odd
    paths: ["${NOT_A_SESSION_VARIABLE}/**"]
    operations: [write]
    decision: allow
YAML
cat >"$pol/tmp-writes.yaml" <<'YAML'
version: 1
name: tmp-writes
file_rules:
  - name: ws
    paths: ["${WORKSPACE}/**"]
    operations: ["*"]
    decision: allow
YAML
chmod -R a+rX "$pol"
suite_config "policies:
  dir: \"$pol\""
suite_start
mkdir -p "$SUITE/ws/proj/.git" "$SUITE/ws/proj/src"

api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws/proj/src\",\"id\":\"p1\"}"
expect_eq create "$status" 201
test_op() {
	api POST /api/v1/policy/test "$1"
}
test_op '{"session_id":"p1","op":"file","path":"/workspace/a.txt","operation":"write"}'
expect_eq "workspace write" "$(echo "$body" | jq -r .decision)" allow
test_op '{"session_id":"p1","operation":"write","path":"/etc/passwd"}'
expect_eq "original form, write outside" "$(echo "$body" | jq -r .decision)" deny
test_op '{"session_id":"p1","op":"exec","argv":["rm","-rf","/"],"depth":0}'
expect_eq "rm -rf" "$(echo "$body" | jq -r .decision)" deny
test_op '{"session_id":"p1","op":"exec","argv":["sh","-c","ls -la && git status"],"depth":0}'
expect_eq "a plain sh -c" "$(echo "$body" | jq -r .decision)" allow
test_op '{"session_id":"p1","op":"exec","argv":["sh","-c","eval \"$X\""],"depth":0}'
expect_eq "an opaque sh -c" "$(echo "$body" | jq -r .decision)" deny
expect_match "says why" "$(echo "$body" | jq -r .message)" "not intercepted"
test_op '{"op":"file","path":"/x","operation":"read"}'
expect_eq "no session_id" "$status" 400
test_op '{"session_id":"p1","op":"teleport"}'
expect_eq "bad op" "$status" 400
CURL_AS=$u1 test_op '{"session_id":"p1","op":"dns","host":"example.com"}'
expect_eq "another user's session" "$status" 404

api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"policy\":\"needs-var\"}"
expect_eq "a policy that does not compile" "$status" 400
expect_match "names file and line" "$body" "needs-var.yaml:5"

api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"p2\",\"policy\":\"tmp-writes\"}"
expect_eq "create p2" "$status" 201
suite_stop
# Break p2's policy while the suite is down.
echo "  - {name: broken, paths: [\"[\"], operations: [read], decision: allow}" >>"$pol/tmp-writes.yaml"
suite_start
api GET /api/v1/sessions/p2
expect_eq "p2 after restart" "$(echo "$body" | jq -r .state)" failed
expect_match "reason names the file" "$(echo "$body" | jq -r .state_reason)" "tmp-writes.yaml"
test_op '{"session_id":"p2","op":"file","path":"/workspace/a","operation":"write"}'
expect_eq "no decisions without a policy" "$status" 409
test_op '{"session_id":"p1","op":"file","path":"/workspace/a.txt","operation":"write"}'
expect_eq "p1 still decides after restart" "$(echo "$body" | jq -r .decision)" allow
exit 0
