# A caller sees and acts on its own sessions only (root on all); an
# anonymous TCP client is sessions.run_as; a workspace is checked with its
# owner's credentials.
. "$(dirname "$0")/test-exec.sh"
require_root

u1=$(make_user agu1)
u2=$(make_user agu2)
mkdir -p "$OBJ/ws1" "$OBJ/secret"
chown "$u1:$u1" "$OBJ/ws1"
chmod 700 "$OBJ/ws1" "$OBJ/secret"
suite_start

CURL_AS=$u1 api POST /api/v1/sessions "{\"workspace\":\"$OBJ/ws1\",\"id\":\"u1-s\"}"
expect_eq "u1 creates" "$status" 201
expect_eq "owner uid" "$(echo "$body" | jq -r .owner.uid)" "$(id -u "$u1")"

CURL_AS=$u1 api POST /api/v1/sessions "{\"workspace\":\"$OBJ/secret\"}"
expect_eq "u1 on a workspace it cannot read" "$status" 400
expect_match "names the workspace" "$body" "secret"

CURL_AS=$u2 api GET /api/v1/sessions
expect_eq "u2 lists" "$status" 200
expect_eq "u2 sees none of u1's" "$(echo "$body" | jq length)" 0
CURL_AS=$u2 api GET /api/v1/sessions/u1-s
expect_eq "u2 reads u1's session" "$status" 404
CURL_AS=$u2 api DELETE /api/v1/sessions/u1-s
expect_eq "u2 destroys u1's session" "$status" 404
CURL_AS=$u2 api PATCH /api/v1/sessions/u1-s '{"cwd":"/tmp"}'
expect_eq "u2 patches u1's session" "$status" 404

api GET /api/v1/sessions/u1-s
expect_eq "root reads any session" "$status" 200

# anonymous TCP: sessions.run_as (nobody)
api_tcp POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"anon\"}"
expect_eq "anonymous TCP creates" "$status" 201
expect_eq "anonymous owner is run_as" "$(echo "$body" | jq -r .owner.uid)" "$(id -u nobody)"
CURL_AS=$u1 api GET /api/v1/sessions
expect_eq "u1 sees only its own" "$(echo "$body" | jq -r '[.[].id] | join(",")')" u1-s
api_tcp GET /api/v1/sessions
expect_eq "anonymous sees only its own" "$(echo "$body" | jq -r '[.[].id] | join(",")')" anon

CURL_AS=$u1 api PATCH /api/v1/sessions/u1-s '{"cwd":"/workspace/src","env":{"FOO":"bar"}}'
expect_eq "owner patches" "$status" 200
expect_eq "cwd set" "$(echo "$body" | jq -r .cwd)" /workspace/src
CURL_AS=$u1 api DELETE /api/v1/sessions/u1-s
expect_eq "owner destroys" "$status" 204
exit 0
