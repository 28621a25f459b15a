# Lints every man page: mandoc warnings and errors fail the test.
# timeout: 60
. "$(dirname "$0")/test-exec.sh"

cd "$REGRESS_TOP" || fail "no tree"
require_cmd mandoc
n=0
for m in man/*.[1-9]; do
	[ -f "$m" ] || continue
	n=$((n + 1))
	out=$(mandoc -Tlint -W warning "$m" 2>&1) || fail "$m: $out"
	[ -z "$out" ] || fail "$m: $out"
done
[ $n -gt 0 ] || fail "no man pages in man/"
trace "$n man pages lint clean"
