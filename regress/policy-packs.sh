# Every policy pack validates, and decides a table of operations as its
# header says it should, through `agentsh policy eval`.
# timeout: 120
. "$(dirname "$0")/test-exec.sh"

require_cmd jq
AGENTSH=${REGRESS_STAGE:+$REGRESS_STAGE/bin/agentsh}
[ -x "${AGENTSH:-}" ] || AGENTSH=$REGRESS_TOP/agentsh/agentsh
PACKS=${REGRESS_STAGE:+$REGRESS_STAGE/etc/policies}
[ -d "${PACKS:-}" ] || PACKS=$REGRESS_TOP/etc/policies
# NAME resolves in the server's policies.dir: a config that says where.
printf 'policies:\n  dir: "%s"\n' "$PACKS" >"$OBJ/config.yaml"
chmod 644 "$OBJ/config.yaml"
export AGENTSH_CONFIG=$OBJ/config.yaml
VARS="--var PROJECT_ROOT=/ws --var WORKSPACE=/ws --var HOME=/home/u"

want="default dev-safe ci-strict agent-sandbox agent-default agent-observe
agent-strict code-edit dev-server data-science mcp-tool"
for p in $want; do
	[ -f "$PACKS/$p.yaml" ] || fail "pack $p is missing"
	head -n 5 "$PACKS/$p.yaml" | grep -q '^# For: ' ||
	    fail "pack $p does not say who it is for"
	out=$(cd "$OBJ" && $AGENTSH policy validate $VARS "$p" 2>&1) ||
	    fail "pack $p does not validate: $out"
	expect_eq "validate $p" "$out" ok
	# what show prints loads again to the same thing
	(cd "$OBJ" && $AGENTSH policy show $VARS "$p") >"$OBJ/$p.show" ||
	    fail "show $p"
	(cd "$OBJ" && $AGENTSH policy show $VARS "$OBJ/$p.show") \
	    >"$OBJ/$p.show2" || fail "show of show $p"
	cmp -s "$OBJ/$p.show" "$OBJ/$p.show2" || fail "show $p: not stable"
done
n=$(ls "$PACKS"/*.yaml | wc -l)
expect_eq "number of packs" "$n" 11
list=$(cd "$OBJ" && $AGENTSH policy list) || fail "policy list"
for p in $want; do
	printf '%s\n' "$list" | grep -q "^$p " || fail "list lacks $p"
done

# pack @@ operation @@ decision|rule
table() {
	cat <<'T'
default @@ {"op":"file","path":"/ws/src/a.c","operation":"write"} @@ allow|allow-workspace
default @@ {"op":"file","path":"/ws/src/a.c","operation":"delete"} @@ approve|approve-workspace-delete
default @@ {"op":"file","path":"/home/u/.ssh/id_ed25519","operation":"read"} @@ deny|deny-credentials
default @@ {"op":"file","path":"/ws/.env","operation":"read"} @@ deny|deny-secret-files
default @@ {"op":"file","path":"/etc/passwd","operation":"write"} @@ deny|default-deny-writes
default @@ {"op":"file","path":"/usr/lib/libc.so","operation":"read"} @@ allow|default-allow-reads
default @@ {"op":"connect","host":"registry.npmjs.org","ip":"104.16.1.1","port":443} @@ allow|allow-registries
default @@ {"op":"connect","host":"evil.example","ip":"203.0.113.9","port":443} @@ approve|approve-unknown-https
default @@ {"op":"connect","ip":"169.254.169.254","port":80} @@ deny|deny-metadata
default @@ {"op":"connect","ip":"192.168.1.10","port":22} @@ deny|deny-private
default @@ {"op":"exec","argv":["rm","-rf","/ws"]} @@ deny|block-recursive-rm
default @@ {"op":"exec","argv":["make","test"]} @@ allow|allow-dev-tools
default @@ {"op":"exec","argv":["sh","-c","cd /ws && make test 2>&1 | tee log"]} @@ allow|allow-shells
default @@ {"op":"exec","argv":["sh","-c","make && rm -rf /"]} @@ deny|block-recursive-rm
default @@ {"op":"exec","argv":["env","nice","-n","10","shutdown","now"]} @@ deny|block-system-admin
default @@ {"op":"exec","argv":["curl","https://x"]} @@ approve|approve-downloads
default @@ {"op":"exec","argv":["pip","install","x"]} @@ approve|approve-package-install
default @@ {"op":"exec","argv":["nmap","x"]} @@ deny|default-deny-commands
default @@ {"op":"signal","signal":"SIGKILL","target":"external"} @@ deny|deny-outside
default @@ {"op":"env","command":"make","env":{"AWS_SECRET_ACCESS_KEY":"x","CC":"gcc"}} @@ allow|allow-dev-tools
dev-safe @@ {"op":"exec","argv":["git","push","origin","main"]} @@ deny|no-push-to-main
dev-safe @@ {"op":"exec","argv":["git","push","-f","origin","topic"]} @@ deny|no-force-push
dev-safe @@ {"op":"exec","argv":["git","push","origin","topic"]} @@ allow|allow-everything-else
dev-safe @@ {"op":"exec","argv":["sudo","ls"]} @@ deny|block-system-admin
dev-safe @@ {"op":"file","path":"/ws/x","operation":"rmdir"} @@ approve|approve-project-delete
dev-safe @@ {"op":"connect","ip":"127.0.0.1","port":5432} @@ allow|allow-localhost
ci-strict @@ {"op":"file","path":"/ws/build/o","operation":"create"} @@ allow|allow-workspace
ci-strict @@ {"op":"file","path":"/home/u/.npmrc","operation":"read"} @@ deny|deny-home
ci-strict @@ {"op":"connect","host":"evil.example","ip":"203.0.113.9","port":443} @@ deny|default-deny-network
ci-strict @@ {"op":"exec","argv":["bash","-i"]} @@ deny|deny-interactive-shells
ci-strict @@ {"op":"exec","argv":["sh","-c","nc -l 4444"]} @@ deny|deny-network-tools
ci-strict @@ {"op":"exec","argv":["npm","test"]} @@ allow|allow-build-and-test
agent-sandbox @@ {"op":"file","path":"/ws/old.c","operation":"delete"} @@ soft_delete|soft-delete-workspace
agent-sandbox @@ {"op":"file","path":"/home/u/.aws/credentials","operation":"read"} @@ approve|approve-credentials
agent-sandbox @@ {"op":"exec","argv":["wget","http://x"]} @@ approve|approve-downloads
agent-sandbox @@ {"op":"exec","argv":["xargs","-0","sudo","id"]} @@ deny|deny-privilege
agent-sandbox @@ {"op":"connect","ip":"10.0.0.5","port":443} @@ deny|deny-private-and-metadata
agent-sandbox @@ {"op":"env","command":"ls","env":{"FOO":"x","LANG":"C"}} @@ allow|allow-everything-else
agent-default @@ {"op":"exec","argv":["git","reset","--hard","HEAD~3"]} @@ deny|block-git-history-rewrite
agent-default @@ {"op":"exec","argv":["bash","-lc","git push --force origin x"]} @@ deny|block-git-history-rewrite
agent-default @@ {"op":"exec","argv":["sudo","-u","root","id"]} @@ deny|deny-privilege-escalation
agent-default @@ {"op":"exec","argv":["apt-get","install","x"]} @@ approve|approve-system-packages
agent-default @@ {"op":"file","path":"/ws/.env","operation":"read"} @@ approve|approve-credentials
agent-default @@ {"op":"connect","host":"api.anthropic.com","ip":"160.79.104.10","port":443} @@ allow|allow-llm-providers
agent-default @@ {"op":"unix","path":"/var/run/docker.sock","operation":"connect"} @@ deny|deny-docker
agent-observe @@ {"op":"file","path":"/etc/shadow","operation":"write"} @@ audit|audit-all-files
agent-observe @@ {"op":"exec","argv":["sh","-c","rm -rf / && $(curl x)"]} @@ audit|audit-all-commands
agent-observe @@ {"op":"connect","ip":"10.0.0.1","port":25} @@ audit|audit-all-network
agent-observe @@ {"op":"dns","host":"anything.example"} @@ audit|audit-all-network
agent-observe @@ {"op":"unix","path":"@x","operation":"bind"} @@ audit|audit-all-sockets
agent-observe @@ {"op":"signal","signal":40,"target":"external"} @@ audit|audit-signals-outside
agent-strict @@ {"op":"exec","argv":["git","log","-n","3"]} @@ allow|git-read-only
agent-strict @@ {"op":"exec","argv":["git","commit","-m","x"]} @@ deny|deny-other-git
agent-strict @@ {"op":"exec","argv":["python3","x.py"]} @@ deny|default-deny-commands
agent-strict @@ {"op":"file","path":"/ws/a.c","operation":"write"} @@ deny|deny-all-writes
agent-strict @@ {"op":"connect","host":"github.com","ip":"140.82.112.3","port":443} @@ deny|deny-all-network
code-edit @@ {"op":"file","path":"/ws/a.go","operation":"delete"} @@ allow|edit-project
code-edit @@ {"op":"exec","argv":["git","push"]} @@ approve|no-push
code-edit @@ {"op":"connect","host":"proxy.golang.org","ip":"142.250.1.1","port":443} @@ allow|registries
code-edit @@ {"op":"connect","host":"example.com","ip":"93.184.216.34","port":443} @@ deny|default-deny-network
dev-server @@ {"op":"connect","ip":"127.0.0.1","port":3000} @@ allow|localhost
dev-server @@ {"op":"connect","host":"api.example.com","ip":"203.0.113.7","port":443} @@ approve|approve-other
dev-server @@ {"op":"unix","path":"/ws/run/app.sock","operation":"bind"} @@ allow|project-sockets
data-science @@ {"op":"connect","host":"huggingface.co","ip":"3.3.3.3","port":443} @@ allow|dataset-hosts
data-science @@ {"op":"exec","argv":["pip","install","pandas"]} @@ approve|approve-installs
data-science @@ {"op":"exec","argv":["jupyter","lab"]} @@ allow|everything-else
mcp-tool @@ {"op":"exec","argv":["node","server.js"]} @@ allow|interpreters
mcp-tool @@ {"op":"exec","argv":["curl","http://x"]} @@ deny|default-deny-commands
mcp-tool @@ {"op":"file","path":"/ws/.mcp/state.json","operation":"write"} @@ allow|state
mcp-tool @@ {"op":"file","path":"/ws/src/a.c","operation":"write"} @@ deny|read-only-elsewhere
T
}

for p in $want; do
	table | awk -F' @@ ' -v p="$p" '$1 == p { print $2 }' >"$OBJ/$p.in"
	table | awk -F' @@ ' -v p="$p" '$1 == p { print $3 }' >"$OBJ/$p.want"
	[ -s "$OBJ/$p.in" ] || fail "no decisions listed for $p"
	(cd "$OBJ" && $AGENTSH policy eval --policy "$p" $VARS \
	    --no-exec-intercept <"$OBJ/$p.in") >"$OBJ/$p.out" ||
	    fail "eval $p"
	jq -r '(.decision // "error") + "|" + (.rule // .error)' \
	    "$OBJ/$p.out" >"$OBJ/$p.got" || fail "eval $p: not JSON"
	diff -u "$OBJ/$p.want" "$OBJ/$p.got" ||
	    fail "pack $p decided differently (above: - want, + got)"
	trace "$p: $(wc -l <"$OBJ/$p.in") decisions as expected"
done
# The environment default strips secrets.
printf '%s\n' '{"op":"env","command":"make","env":{"AWS_SECRET_ACCESS_KEY":"x","CC":"gcc"}}' |
    (cd "$OBJ" && $AGENTSH policy eval --policy default $VARS) >"$OBJ/env.out"
expect_eq "env strips secrets" "$(jq -r '.env.AWS_SECRET_ACCESS_KEY // "absent"' "$OBJ/env.out")" absent
expect_eq "env keeps others" "$(jq -r '.env.CC' "$OBJ/env.out")" gcc
exit 0
