#!/bin/bash
# agentsh audit verify on logs written by libagentsh-audit (regress/
# audit_mklog): an intact log passes; an edited, deleted, reordered or
# truncated line, a wrong key, a cut-off tail are each named at their line
# with exit 1; restarts, crashes and rotation keep one verifiable chain.
# timeout: 120
. "$(dirname "$0")/test-exec.sh"

AGENTSH=$REGRESS_TOP/agentsh/agentsh
[ -n "${REGRESS_STAGE:-}" ] && [ -x "$REGRESS_STAGE/bin/agentsh" ] &&
    AGENTSH=$REGRESS_STAGE/bin/agentsh
MKLOG=$REGRESS_TOP/regress/audit_mklog
[ -x "$AGENTSH" ] || fail "no $AGENTSH: run 'make'"
[ -x "$MKLOG" ] || fail "no $MKLOG: run 'make unittests'"

KEY=$OBJ/key
printf 'test-secret-key-32-bytes-long!!!\n' >"$KEY"
printf 'another-secret-key-of-32-bytes!!\n' >"$OBJ/otherkey"

# verify ARGS...: sets out and rc.
verify() {
	out=$("$AGENTSH" audit verify "$@" 2>"$OBJ/stderr")
	rc=$?
}

# expect_bad FILE LINE KIND [ARGS...]
expect_bad() {
	local file=$1 line=$2 kind=$3
	shift 3
	verify --key-file "$KEY" "$@" "$file"
	expect_eq "exit status for $kind" "$rc" 1
	expect_match "verdict" "$out" "^$file:$line: $kind: "
}

# fresh DIR COUNT [MKLOG ARGS...]: a new log of COUNT events (COUNT + 1
# lines with the initial restart entry).
fresh() {
	local d=$1 n=$2
	shift 2
	rm -rf "$d"
	mkdir -p "$d"
	"$MKLOG" -k "$KEY" "$@" "$d" "$n" >/dev/null || fail "audit_mklog"
}

L=$OBJ/log/audit.jsonl

trace "intact"
fresh "$OBJ/log" 20
verify --key-file "$KEY" "$L"
expect_eq "intact exit" "$rc" 0
expect_match "intact" "$out" \
    '^ok: 21 entries, chain head seq=20 hash=[0-9a-f]{64}$'
head20=$(printf '%s' "$out" | sed 's/.*hash=//')

trace "the key from the environment, its fingerprint"
AUDIT_TEST_KEY='test-secret-key-32-bytes-long!!!' \
    "$AGENTSH" audit verify --key-env AUDIT_TEST_KEY "$L" >/dev/null ||
    fail "--key-env"
fp=$("$AGENTSH" audit key-fingerprint --key-file "$KEY")
expect_eq "fingerprint" "$fp" "sha256:9ebe9a98722a72c6e4014259c4143e7a"

trace "edited"
sed -i '7s/"pid":1005/"pid":1006/' "$L"
expect_bad "$L" 7 edited

trace "deleted"
fresh "$OBJ/log" 20
sed -i '5d' "$L"
expect_bad "$L" 5 deleted

trace "the first lines removed: only the rotated files could tell"
fresh "$OBJ/log" 20
sed -i '1,2d' "$L"
verify --key-file "$KEY" "$L"
expect_eq "head removed" "$rc" 0
grep -q 'its first lines may have been removed' "$OBJ/stderr" ||
    fail "no note about the missing start: $(cat "$OBJ/stderr")"

trace "reordered"
fresh "$OBJ/log" 20
sed -i '5{h;d};6G' "$L"
expect_bad "$L" 5 reordered

trace "truncated mid-line"
fresh "$OBJ/log" 20
truncate -s -10 "$L"
expect_bad "$L" 21 truncated

trace "whole lines cut off the end: the sidecar's head, or syslog's"
fresh "$OBJ/log" 20
sed -i '$d' "$L"
expect_bad "$L" 21 truncated
verify --key-file "$KEY" --no-sidecar "$L"
expect_eq "without the sidecar" "$rc" 0
expect_bad "$L" 21 truncated --no-sidecar --head "20:$head20"

trace "wrong key"
fresh "$OBJ/log" 20
verify --key-file "$OBJ/otherkey" "$L"
expect_eq "wrong key exit" "$rc" 1
expect_match "wrong key" "$out" "^$L:1: wrong key: "
verify --key-file "$KEY" --algorithm hmac-sha512 "$L"
expect_match "wrong algorithm" "$out" "^$L:1: wrong key: "

trace "hmac-sha512"
fresh "$OBJ/log" 5 -a hmac-sha512
verify --key-file "$KEY" --algorithm hmac-sha512 "$L"
expect_eq "sha512 exit" "$rc" 0
expect_match "sha512" "$out" 'hash=[0-9a-f]{128}$'

trace "a crash after write(2), then half a line, then a restart"
fresh "$OBJ/log" 5
"$MKLOG" -c -k "$KEY" "$OBJ/log" 5 >/dev/null || fail "crash writer"
verify --key-file "$KEY" "$L"
expect_match "after the crash" "$out" '^ok: 11 entries'
printf '{"timestamp":"2026' >>"$L"
expect_bad "$L" 12 truncated
r=$("$MKLOG" -k "$KEY" "$OBJ/log" 2) || fail "restart"
expect_eq "restart" "$r" "resumed"
verify --key-file "$KEY" "$L"
expect_match "after the restart" "$out" '^ok: 13 entries, chain head seq=12 '

trace "a new key: the old set is archived, the new one verifies"
r=$("$MKLOG" -k "$OBJ/otherkey" "$OBJ/log" 1) || fail "new key"
expect_eq "new key" "$r" "new_chain key_rotated"
verify --key-file "$OBJ/otherkey" "$L"
expect_match "new chain" "$out" '^ok: 2 entries'
verify --key-file "$KEY" "$(ls "$OBJ"/log/audit.jsonl.legacy.* | grep -v chain)"
expect_match "the archive" "$out" '^ok: 13 entries'

trace "rotation: one chain across files"
fresh "$OBJ/log" 300 -s 8000 -b 3
[ -f "$L.3" ] && [ ! -f "$L.4" ] || fail "rotation made $(ls "$OBJ/log")"
verify --key-file "$KEY" --rotated "$L"
expect_eq "rotated set" "$rc" 0
expect_match "rotated set" "$out" 'chain head seq=300 '
verify --key-file "$KEY" "$L"
expect_eq "the active file alone" "$rc" 0
grep -q 'starts mid-chain' "$OBJ/stderr" || fail "no mid-chain note"
sed -i '1d' "$L"
expect_bad "$L" 1 deleted --rotated

trace "integrity off: nothing to verify is a failure"
rm -rf "$OBJ/plain"
mkdir "$OBJ/plain"
"$MKLOG" -n "$OBJ/plain" 3 >/dev/null || fail "plain log"
expect_bad "$OBJ/plain/audit.jsonl" 1 unsigned

trace "usage and key errors"
"$AGENTSH" audit verify --help >/dev/null || fail "--help"
"$AGENTSH" audit verify >/dev/null 2>&1
expect_eq "no file" "$?" 2
"$AGENTSH" audit verify --bogus "$L" >/dev/null 2>&1
expect_eq "unknown option" "$?" 2
printf 'short\n' >"$OBJ/shortkey"
e=$("$AGENTSH" audit verify --key-file "$OBJ/shortkey" "$L" 2>&1)
expect_eq "short key exit" "$?" 2
expect_match "short key" "$e" 'key too short: got 5 bytes, need at least 32'
"$AGENTSH" audit verify --key-file "$KEY" "$OBJ/nonexistent" >/dev/null 2>&1
expect_eq "missing file" "$?" 2

exit 0
