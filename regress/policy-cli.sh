# agentsh policy validate|show|eval|list|generate driven through the real
# binary: messages with file:line:col and key path, show against golden
# files and back, eval's JSON lines (a malformed line answered and the
# next one too), list, exit codes and --help on every sub-verb.
# timeout: 60
. "$(dirname "$0")/test-exec.sh"

require_cmd jq
AGENTSH=${REGRESS_STAGE:+$REGRESS_STAGE/bin/agentsh}
[ -x "${AGENTSH:-}" ] || AGENTSH=$REGRESS_TOP/agentsh/agentsh
G=$REGRESS_TOP/regress/policy
VARS="--var PROJECT_ROOT=/ws --var WORKSPACE=/ws --var HOME=/home/u"
mkdir -p "$OBJ/pol"
# NAME resolves in the server's policies.dir: a config that says where.
printf 'policies:\n  dir: "%s"\n' "$OBJ/pol" >"$OBJ/config.yaml"
chmod 644 "$OBJ/config.yaml"
export AGENTSH_CONFIG=$OBJ/config.yaml
cd "$OBJ" || fail "cd"

# --- validate
cp "$G/show-minimal.yaml" "$OBJ/pol/mini.yaml"
out=$($AGENTSH policy validate mini) || fail "validate NAME: $out"
expect_eq "validate NAME" "$out" ok
out=$($AGENTSH policy validate "$OBJ/pol/mini.yaml") || fail "validate FILE"
expect_eq "validate FILE" "$out" ok

cat >"$OBJ/bad.yaml" <<'Y'
version: 1
name: bad
command_rules:
  - name: a
    commands: [x]
    decision: deny
  - name: b
    decision: allow
    context:
      min_depth: deep
Y
out=$($AGENTSH policy validate "$OBJ/bad.yaml" 2>&1)
rc=$?
expect_eq "validate error exit" "$rc" 1
expect_eq "validate error" "$out" \
    "$OBJ/bad.yaml:10:18: command_rules[1].context.min_depth: expected an integer, got 'deep'"
printf 'version: 1\nname: x\nfile_rules:\n  - {name: r, paths: ["/a["], decision: deny}\n' >"$OBJ/glob.yaml"
out=$($AGENTSH policy validate "$OBJ/glob.yaml" 2>&1)
expect_eq "bad glob exit" "$?" 1
expect_match "bad glob" "$out" '^.*/glob.yaml:4:23: file_rules\[0\]\.paths\[0\]: .*unclosed'
printf 'version: 1\nname: x\nfile_rules: []\nfile_rule: []\n' >"$OBJ/key.yaml"
out=$($AGENTSH policy validate "$OBJ/key.yaml" 2>&1)
expect_match "unknown key" "$out" "key.yaml:4:1: unknown key 'file_rule'"
out=$($AGENTSH policy validate nosuch 2>&1)
expect_eq "missing NAME exit" "$?" 1
expect_match "missing NAME" "$out" "no policy 'nosuch' in $OBJ/pol"
out=$($AGENTSH policy validate 'bad/../name' 2>&1)
expect_eq "path exit" "$?" 1
printf 'version: 1\nname: x\nfile_rules:\n  - {name: r, paths: ["${NOPE}/a"], decision: deny}\n' >"$OBJ/var.yaml"
out=$($AGENTSH policy validate "$OBJ/var.yaml" 2>&1)
expect_match "undefined variable" "$out" 'var.yaml:4:23: file_rules\[0\]\.paths\[0\]: undefined variable \$\{NOPE\}'
out=$($AGENTSH policy validate --var NOPE=/n "$OBJ/var.yaml") ||
    fail "--var defines it: $out"

# --- show: golden files, and show of show is the same
for f in "$G"/*.yaml; do
	b=$(basename "$f" .yaml)
	$AGENTSH policy show $VARS "$f" >"$OBJ/$b.out" || fail "show $b"
	diff -u "$G/$b.ok" "$OBJ/$b.out" || fail "show $b differs from $b.ok"
	$AGENTSH policy show $VARS "$OBJ/$b.out" >"$OBJ/$b.out2" ||
	    fail "show's output does not load: $b"
	cmp -s "$OBJ/$b.out" "$OBJ/$b.out2" || fail "show $b is not stable"
done

# --- eval: JSON lines, a bad line is answered and the next one too
cp "$G/show-all.yaml" "$OBJ/pol/all.yaml"
cat >"$OBJ/in.jsonl" <<'J'
{"op":"file","path":"/ws/a","operation":"delete"}
{"op":"file","path":"/tmp/x.log","operation":"write"}
not json at all
{"op":"exec","argv":["wget","-q","http://x"]}
{"op":"teleport"}
{"op":"exec","argv":["env","-i","nice","-n","5","rm","-r","x"],"path":"/usr/bin/env","depth":1}
{"op":"exec","argv":["sh","-c","ls; curl x"],"depth":0}

{"op":"connect","host":"API.GitHub.com","ip":"140.82.112.5","port":443}
{"op":"connect","ip":"10.9.9.9","port":80}
{"op":"connect","host":"pypi.org","port":443}
{"op":"dns","host":"api.internal"}
{"op":"signal","signal":"SIGKILL","target":"children"}
{"op":"signal","signal":1,"target":"external","target_comm":"nginx-worker","cannot_block":true}
{"op":"unix","path":"/var/run/docker.sock","operation":"connect"}
{"op":"file","path":"relative","operation":"read"}
{"op":"file","path":"/x","operation":"read","extra":1}
["an","array"]
{"op":"env","command":"make","env":{"PATH":"/bin","CC":"gcc","CC_SECRET":"s","X":"y"}}
J
$AGENTSH policy eval --policy all $VARS <"$OBJ/in.jsonl" >"$OBJ/out.jsonl" ||
    fail "eval"
expect_eq "one answer per non-empty line" "$(wc -l <"$OBJ/out.jsonl")" 18
jq -c . "$OBJ/out.jsonl" >/dev/null || fail "eval printed something not JSON"
line() { sed -n "$1p" "$OBJ/out.jsonl"; }
expect_eq "approve delete" "$(line 1 | jq -r '.decision+" "+.rule+" "+.message+" "+.timeout')" \
    "approve del Delete /ws/a? 1m30s"
expect_eq "file redirect" "$(line 2 | jq -r '.redirect.path')" "/ws/.scratch/tmp/x.log"
expect_match "bad json" "$(line 3 | jq -r .error)" "^bad JSON"
expect_eq "after a bad line" "$(line 4 | jq -r '.rule+" "+.redirect.command+" "+(.redirect.args|join(","))+" "+.redirect.environment.FETCH_MODE')" \
    "fetch agentsh-fetch --audit,two words strict"
expect_eq "unknown op" "$(line 5 | jq -r .error)" 'unknown op "teleport"'
expect_eq "unwrapped" "$(line 6 | jq -r '.rule+" "+.decided_by+" "+.unwrapped_from+" "+.payload_command')" \
    "rm payload /usr/bin/env rm"
expect_eq "sh -c, no rule for sh" "$(line 7 | jq -r '.decision+" "+.rule+" "+.decided_by')" \
    "deny default-deny-commands command"
expect_eq "domain" "$(line 8 | jq -r .rule)" gh
expect_eq "cidr" "$(line 9 | jq -r .message)" "10.9.9.9:80 is private"
expect_eq "connect redirect" "$(line 10 | jq -r '.redirect.redirect_to+" "+.redirect.tls.sni')" \
    "mirror.internal:8443 mirror.internal"
expect_eq "dns redirect" "$(line 11 | jq -r '.redirect.resolve_to+" "+.redirect.visibility')" \
    "10.1.1.1 silent"
expect_eq "signal redirect" "$(line 12 | jq -r '.redirect.signal')" SIGTERM
expect_eq "signal fallback" "$(line 13 | jq -r '.decision+" "+.rule')" "audit nginx"
expect_eq "unix" "$(line 14 | jq -r .rule)" docker
expect_match "relative path" "$(line 15 | jq -r .error)" absolute
expect_eq "unknown key" "$(line 16 | jq -r .error)" 'unknown key "extra"'
expect_eq "not an object" "$(line 17 | jq -r .error)" "expected a JSON object"
expect_eq "env" "$(line 18 | jq -c '[.rule, .env.CC, .env.CC_SECRET, .env.X, .block_iteration]')" \
    '["env-narrow","gcc",null,null,true]'

# the opaque mode and interception on the command line
echo '{"op":"exec","argv":["sh","-c","echo $(id)"]}' >"$OBJ/op.jsonl"
cat >"$OBJ/pol/op.yaml" <<'Y'
version: 1
name: op
command_rules:
  - {name: no-curl, commands: [curl], decision: deny}
  - {name: sh, commands: [sh], decision: allow}
Y
expect_eq "enforce, intercepted" "$($AGENTSH policy eval --policy op <"$OBJ/op.jsonl" | jq -r .decision)" allow
expect_eq "enforce, not intercepted" "$($AGENTSH policy eval --policy op --no-exec-intercept <"$OBJ/op.jsonl" | jq -r .decision)" deny
expect_eq "approve" "$($AGENTSH policy eval --policy op --opaque approve <"$OBJ/op.jsonl" | jq -r .decision)" approve
echo '{"op":"exec","argv":["sh","-c","ls; curl x"]}' |
    $AGENTSH policy eval --policy op >"$OBJ/sh.out" || fail "eval sh -c"
expect_eq "sh -c" "$(jq -r '.decision+" "+.decided_by+" "+.decided_by_command' "$OBJ/sh.out")" \
    "deny shell curl"
$AGENTSH policy eval --policy op --opaque bogus </dev/null 2>/dev/null
expect_eq "bad --opaque" "$?" 2

# --- list
cp "$G/show-all.yaml" "$OBJ/pol/zz.yml"
echo 'version: [' >"$OBJ/pol/broken.yaml"
touch "$OBJ/pol/.hidden.yaml" "$OBJ/pol/notes.txt"
out=$($AGENTSH policy list) || fail "list"
expect_eq "list names" "$(printf '%s\n' "$out" | awk '{print $1}' | tr '\n' ' ')" \
    "all broken mini op zz "
expect_match "list description" "$(printf '%s\n' "$out" | grep '^all ')" \
    'Golden input for'
expect_match "list broken" "$(printf '%s\n' "$out" | grep '^broken ')" \
    'does not load'

# --- usage, --help, generate
for v in validate show eval list; do
	$AGENTSH policy $v --help >/dev/null || fail "policy $v --help"
done
$AGENTSH policy --help >/dev/null || fail "policy --help"
$AGENTSH policy >/dev/null 2>&1
expect_eq "no sub-verb" "$?" 2
$AGENTSH policy frobnicate >/dev/null 2>&1
expect_eq "unknown sub-verb" "$?" 2
$AGENTSH policy validate >/dev/null 2>&1
expect_eq "validate without file" "$?" 2
$AGENTSH policy show a b >/dev/null 2>&1
expect_eq "show with two" "$?" 2
$AGENTSH policy eval </dev/null >/dev/null 2>&1
expect_eq "eval without --policy" "$?" 2
$AGENTSH policy validate --var novalue mini >/dev/null 2>&1
expect_eq "bad --var" "$?" 2
out=$($AGENTSH policy generate latest 2>&1)
expect_eq "generate exit" "$?" 2
expect_match "generate" "$out" "not supported yet"
exit 0
