# auth.type api_key: a TCP client needs a key from the root-owned keys
# file; the monitor judges it and binds it to the connection; a key without
# a role is 'agent', never 'admin'; an admin key sees every session.  A
# non-loopback listener without api_key is refused at start.
. "$(dirname "$0")/test-exec.sh"
require_root

keys="$SUITE/etc/api_keys.yaml"
mkdir -p "$SUITE/etc"
cat >"$keys" <<KEYS
- id: "agent-one"
  key: "sk-agent-one-0123456789"
  description: "an agent"
- id: "boss"
  key: "sk-admin-boss-0123456789"
  role: "admin"
KEYS
chmod 600 "$keys"
SUITE_PORT=$(free_port)
suite_config 'auth:
  type: api_key
  api_key:
    keys_file: "'"$keys"'"'
suite_start

api_tcp GET /api/v1/sessions
expect_eq "no key" "$status" 401
expect_match "names the header" "$body" "X-API-Key"
API_KEY=sk-wrong-key-000000000 api_tcp GET /api/v1/sessions
expect_eq "wrong key" "$status" 401
API_KEY=sk-agent-one-0123456789 api_tcp POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"by-key\"}"
expect_eq "agent key creates" "$status" 201
expect_eq "owner key id" "$(echo "$body" | jq -r .owner.key_id)" agent-one
api_tcp GET /health
expect_eq "health needs no key" "$status" 200

# an anonymous-looking Unix client is still its uid, keys or not
api GET /api/v1/sessions
expect_eq "root over the Unix socket" "$status" 200
expect_eq "root sees it" "$(echo "$body" | jq -r '.[0].id')" by-key

API_KEY=sk-admin-boss-0123456789 api_tcp GET /api/v1/sessions/by-key
expect_eq "admin key reads any session" "$status" 200
grep -q 'role 2' "$SUITE/monitor.log" || true

# An agent key with another key's session: not found.
API_KEY=sk-agent-one-0123456789 api_tcp POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"mine\"}"
API_KEY=sk-admin-boss-0123456789 api_tcp POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"bosses\"}"
API_KEY=sk-agent-one-0123456789 api_tcp GET /api/v1/sessions/bosses
expect_eq "agent key on an admin's session" "$status" 404
suite_stop

# A keys file others can read is refused at start (it holds secrets).
chmod 644 "$keys"
out=$("$BIN/agentsh-monitor" -n -f "$SUITE/etc/config.yaml" 2>&1)
"$BIN/agentsh-monitor" -d -f "$SUITE/etc/config.yaml" >"$OBJ/m.log" 2>&1 &
mp=$!
wait_for 10 grep -q . "$OBJ/m.log"
sleep 1
kill -0 $mp 2>/dev/null && { kill $mp; fail "started with a world-readable keys file"; }
expect_match "names the keys file" "$(cat "$OBJ/m.log")" "api_keys.yaml"

# Non-loopback without api_key: refused, naming the address.
cat >"$OBJ/open.yaml" <<CFG
server:
  http:
    addr: "0.0.0.0:$(free_port)"
CFG
chmod 644 "$OBJ/open.yaml"
out=$("$BIN/agentsh-monitor" -n -f "$OBJ/open.yaml" 2>&1) &&
    fail "a non-loopback listener without auth passed -n"
expect_match "refusal names the address" "$out" "0\.0\.0\.0"
exit 0
