# Sessions survive a restart of the whole suite; a destroyed one stays
# destroyed; the record is the monitor's, root-only.
. "$(dirname "$0")/test-exec.sh"
require_root

suite_start
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\"}"
expect_eq "create" "$status" 201
id=$(echo "$body" | jq -r .id)
expect_match "generated id" "$id" '^session-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'
expect_eq "first key is id" "$(echo "$body" | jq -r 'keys_unsorted[0]')" id
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"second\"}"
expect_eq "create second" "$status" 201
[ "$(stat -c '%U %a' "$SUITE/sessions")" = "root 700" ] ||
    fail "session record directory is not root 0700"
[ "$(stat -c '%U %a' "$SUITE/sessions/second.json")" = "root 600" ] ||
    fail "session record is not root 0600"

suite_stop
suite_start
api GET /api/v1/sessions
expect_eq "list after restart" "$status" 200
expect_eq "both sessions back" "$(echo "$body" | jq -r '[.[].id] | sort | join(",")')" \
    "$(printf '%s\n' "$id" second | sort | paste -sd,)"

api DELETE /api/v1/sessions/second
expect_eq "destroy" "$status" 204
suite_stop
suite_start
api GET /api/v1/sessions/second
expect_eq "destroyed stays destroyed" "$status" 404
api GET /api/v1/sessions/"$id"
expect_eq "the other survives" "$status" 200

# sessions.max_sessions: one more is refused, naming the limit.
suite_stop
suite_config 'sessions:
  base_dir: "'"$SUITE/sessions"'"
  max_sessions: 2'
suite_start
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"third\"}"
expect_eq "at the limit" "$status" 201
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"fourth\"}"
expect_eq "over max_sessions" "$status" 429
expect_match "names the limit" "$body" "max_sessions \\(2\\)"
exit 0
