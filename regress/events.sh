# The first real events (session_created/updated/destroyed) through the
# pipeline: in the store, in the HMAC-chained audit log (which verifies),
# and through the queries with their filters and limits; a caller sees its
# own sessions' events only.
. "$(dirname "$0")/test-exec.sh"
require_root

u1=$(make_user agu1)
suite_start
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"ev-a\"}"
expect_eq create "$status" 201
api PATCH /api/v1/sessions/ev-a '{"cwd":"/workspace/sub","env":{"SECRET_VALUE":"hunter2"}}'
expect_eq patch "$status" 200
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"ev-b\"}"
api DELETE /api/v1/sessions/ev-b
expect_eq destroy "$status" 204

wait_for 10 grep -q session_destroyed "$SUITE/log/audit.jsonl" ||
    fail "session_destroyed never reached the audit log"

api GET /api/v1/sessions/ev-a/history
expect_eq history "$status" 200
expect_eq "history types (newest first)" \
    "$(echo "$body" | jq -r '[.[].type] | join(",")')" session_updated,session_created
ev=$(echo "$body" | jq -c '.[1]')
expect_eq "event source" "$(echo "$ev" | jq -r .source)" monitor
expect_eq "event session" "$(echo "$ev" | jq -r .session_id)" ev-a
expect_match "event id" "$(echo "$ev" | jq -r .id)" '^[0-9a-f-]{36}$'
expect_match "event timestamp" "$(echo "$ev" | jq -r .timestamp)" '^20[0-9-]+T[0-9:.]+Z$'
expect_eq "event fields" "$(echo "$ev" | jq -r .fields.policy)" default
upd=$(echo "$body" | jq -c '.[0]')
expect_eq "updated names the variable" "$(echo "$upd" | jq -r .fields.env_set)" SECRET_VALUE
grep -q hunter2 "$SUITE/log/audit.jsonl" && fail "an env value reached the audit log"

# Filters, order, limits.
api GET "/api/v1/sessions/ev-a/history?order=asc&limit=1"
expect_eq "asc limit 1" "$(echo "$body" | jq -r '.[0].type')" session_created
api GET "/api/v1/sessions/ev-a/history?offset=1"
expect_eq "offset" "$(echo "$body" | jq -r '[.[].type] | join(",")')" session_created
api GET "/api/v1/sessions/ev-a/history?type=session_created"
expect_eq "type filter" "$(echo "$body" | jq length)" 1
api GET "/api/v1/sessions/ev-a/history?since=1h&until=$(date -u -d '+1 min' +%Y-%m-%dT%H:%M:%SZ)"
expect_eq "since/until" "$(echo "$body" | jq length)" 2
api GET "/api/v1/sessions/ev-a/history?until=2000-01-01T00:00:00Z"
expect_eq "until in the past" "$(echo "$body" | jq length)" 0
api GET "/api/v1/sessions/ev-a/history?limit=1001"
expect_eq "limit over the maximum" "$status" 400
expect_match "names the maximum" "$body" "1000"
api GET "/api/v1/sessions/ev-a/history?decision=maybe"
expect_eq "bad decision" "$status" 400
api GET "/api/v1/sessions/ev-a/history?colour=red"
expect_eq "unknown parameter" "$status" 400
expect_match "names it" "$body" colour
api GET "/api/v1/sessions/ev-a/history?type=nonsense"
expect_eq "unknown type" "$status" 400
api GET "/api/v1/sessions/ev-a/history?since=yesterday"
expect_eq "bad since" "$status" 400
api GET "/api/v1/events/search?type=session_destroyed"
expect_eq "search finds a destroyed session's events" "$(echo "$body" | jq -r '.[0].session_id')" ev-b

# Another user sees none of it.
CURL_AS=$u1 api GET /api/v1/events/search
expect_eq "u1 search" "$(echo "$body" | jq length)" 0
CURL_AS=$u1 api GET /api/v1/sessions/ev-a/history
expect_eq "u1 history of root's session" "$status" 404

# The CLI: tail prints new events as they come.
agentsh events tail ev-a >"$OBJ/tail.out" 2>&1 &
tpid=$!
on_exit "kill $tpid 2>/dev/null"
sleep 0.5
api PATCH /api/v1/sessions/ev-a '{"cwd":"/workspace/tail"}'
wait_for 10 grep -q '"cwd":"/workspace/tail"' "$OBJ/tail.out" ||
    fail "events tail did not print the new event: $(cat "$OBJ/tail.out")"
expect_eq "tail line is JSON" "$(head -n 1 "$OBJ/tail.out" | jq -r .type)" session_updated
kill $tpid
api PATCH /api/v1/sessions/ev-a '{"cwd":"/workspace/sub"}'

n=$(agentsh session logs ev-a | wc -l)
expect_eq "session logs lines" "$n" 4
expect_eq "session logs --type exec" "$(agentsh session logs ev-a --type exec | wc -l)" 0
expect_eq "events query" "$(agentsh events query --session ev-a --type session_updated | jq length)" 3

# The audit log verifies, and says where it ends.
suite_stop
out=$("$BIN/agentsh" audit verify --key-file "$SUITE/etc/audit.key" "$SUITE/log/audit.jsonl") ||
    fail "audit verify: $out"
expect_match "verify" "$out" "^ok"
[ "$(stat -c '%U %a' "$SUITE/etc/audit.key")" = "root 600" ] ||
    fail "the generated key is not root 0600"
[ "$(stat -c '%U %a' "$SUITE/log")" = "$SUITE_AUDIT_USER 700" ] ||
    fail "the log directory is not the writer's, 0700"
exit 0
