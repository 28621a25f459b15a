# The precheck decides what really runs, and the output is kept within
# bounds and to its own session: a bare name is decided at every place
# the command's PATH could find it (a rule on /usr/bin/id holds for "id",
# also with a PATH of the request's), relative PATH entries are not
# searched, an argv0 is decided as the name the program sees; the CLI waits as long as the command may run and
# prints all of a large output;
# the store keeps 64 MiB of a stream and says so; a reused session id
# does not see the old session's output.
# timeout: 240
. "$(dirname "$0")/test-exec.sh"
require_root
require_cmd jq curl sha256sum

pol="$OBJ/policies"
mkdir -p "$pol"
cp "$REGRESS_STAGE"/etc/policies/*.yaml "$pol/"
cat >"$pol/paths.yaml" <<'YAML'
version: 1
name: paths
command_rules:
  - {name: no-id-by-path, commands: [/usr/bin/id], decision: deny,
     message: "id is not for agents"}
  - {name: no-rm, commands: [rm], decision: deny}
  - {name: the-rest, commands: ["*"], decision: allow}
YAML
chmod -R a+rX "$pol"
suite_config "policies:
  dir: \"$pol\"
  default: paths"
suite_start
mkdir -p "$SUITE/ws"
printf '#!/bin/sh\necho local\n' >"$SUITE/ws/mine"
chmod 755 "$SUITE/ws/mine"
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"p\"}"
expect_eq "create" "$status" 201

ex() {	# ex JSON: exec in p; sets $status, $body, $rc
	api POST /api/v1/sessions/p/exec "$1"
	rc=$(printf '%s' "$body" | jq -r '.result.exit_code // empty')
}
rule() { printf '%s' "$body" | jq -r '.guidance.policy_rule // empty'; }

# --- the precheck -------------------------------------------------------------
ex '{"command":"/usr/bin/id"}'
expect_eq "control: the path itself is denied" "$status|$rc|$(rule)" "403|126|no-id-by-path"
ex '{"command":"id"}'
expect_eq "a bare name found along PATH is decided there" "$status|$rc|$(rule)" \
    "403|126|no-id-by-path"
ex '{"command":"id","env":{"PATH":"/usr/bin"}}'
expect_eq "with a PATH of the request's" "$status|$rc|$(rule)" "403|126|no-id-by-path"
ex '{"command":"true"}'
expect_eq "control: a bare name no rule denies runs" "$status|$rc" "200|0"
ex '{"command":"/bin/true","argv0":"rm"}'
expect_eq "argv0 is decided as the name the program sees" "$status|$rc|$(rule)" \
    "403|126|no-rm"
ex '{"command":"/bin/true","argv0":"truthful"}'
expect_eq "control: a harmless argv0 runs" "$status|$rc" "200|0"
ex '{"command":"mine","working_dir":"/workspace","env":{"PATH":"."}}'
expect_eq "a relative PATH entry is not searched" "$rc" 127
ex '{"command":"mine","working_dir":"/workspace","env":{"PATH":"/workspace"}}'
expect_eq "control: an absolute one is" "$rc|$(printf '%s' "$body" | jq -r .result.stdout)" \
    "0|local"

# --- the CLI ------------------------------------------------------------------
agentsh --client-timeout 1s exec p -- sh -c 'sleep 3; echo waited' >"$OBJ/out" 2>"$OBJ/err"
expect_eq "the CLI waits for a command with no timeout" "$?|$(cat "$OBJ/out")" "0|waited"
agentsh --client-timeout 1s exec --timeout 3s p -- sleep 30 >"$OBJ/out" 2>"$OBJ/err"
expect_eq "and for its timeout, not the client's" "$?" 124
agentsh exec p -- seq 1 400000 >"$OBJ/out" 2>"$OBJ/err"
expect_eq "over 1 MiB: exit" "$?" 0
expect_eq "over 1 MiB: all of it, through the store" \
    "$(sha256sum <"$OBJ/out")" "$(seq 1 400000 | sha256sum)"
expect_eq "over 1 MiB: nothing else said" "$(cat "$OBJ/err")" ""

# --- what the store keeps ----------------------------------------------------
ex '{"command":"head","args":["-c","70000000","/dev/zero"],"include_events":"none"}'
expect_eq "a 70 MB stream runs" "$status|$rc" "200|0"
CID=$(printf '%s' "$body" | jq -r .command_id)
expect_eq "the answer counts all of it" "$(printf '%s' "$body" | jq -c '[.result.stdout_total_bytes, .result.stdout_truncated]')" \
    '[70000000,true]'
api GET "/api/v1/sessions/p/output/$CID?offset=67108800&limit=1000&encoding=base64"
expect_eq "the store keeps 64 MiB and says so" \
    "$(printf '%s' "$body" | jq -c '[.total_bytes, .truncated, .has_more, (.data | @base64d | length)]')" \
    '[70000000,true,false,64]'
agentsh output p "$CID" 2>"$OBJ/err" | wc -c >"$OBJ/n"
expect_eq "agentsh output: what is kept" "$(cat "$OBJ/n")" 67108864
expect_match "agentsh output: says the rest was not" "$(cat "$OBJ/err")" \
    'only the first 67108864 of 70000000 bytes were kept'

# --- a reused session id -------------------------------------------------------
ex '{"command":"echo","args":["secret of the first p"]}'
CID=$(printf '%s' "$body" | jq -r .command_id)
api GET "/api/v1/sessions/p/output/$CID"
expect_eq "control: the output is there" "$status|$(printf '%s' "$body" | jq -r .data)" \
    "200|secret of the first p"
api DELETE /api/v1/sessions/p
expect_eq "destroy" "$status" 204
api POST /api/v1/sessions "{\"workspace\":\"$SUITE/ws\",\"id\":\"p\"}"
expect_eq "the same id again" "$status" 201
api GET "/api/v1/sessions/p/output/$CID"
expect_eq "the old output is gone with its session" "$status" 404
api GET /health
expect_eq "still serving" "$status" 200
exit 0
