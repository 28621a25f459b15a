# Smoke-runs every libFuzzer harness for a few seconds on its seed corpus.
# A crash, leak, sanitizer report or timeout fails the test.
# timeout: 300
. "$(dirname "$0")/test-exec.sh"

cd "$REGRESS_TOP" || fail "no tree"
secs=${FUZZ_SECONDS:-4}
n=0
for f in regress/fuzz/*_fuzz; do
	[ -x "$f" ] || continue
	name=$(basename "$f" _fuzz)
	seeds="regress/fuzz/corpus/$name"
	[ -d "$seeds" ] || fail "$f has no seed corpus in $seeds"
	n=$((n + 1))
	# New inputs go to a scratch directory, never into the tree.
	mkdir -p "$OBJ/$name"
	trace "$f for ${secs}s"
	"$f" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
	    -artifact_prefix="$OBJ/" "$OBJ/$name" "$seeds" \
	    >"$OBJ/$name.log" 2>&1 || {
		tail -n 40 "$OBJ/$name.log"
		ls "$OBJ"/crash-* "$OBJ"/leak-* "$OBJ"/timeout-* 2>/dev/null
		fail "$f found a failing input"
	}
	grep -E '^(Done|#[0-9]+.*DONE)' "$OBJ/$name.log" | tail -n 1
done
[ $n -gt 0 ] || fail "no fuzz harnesses built: run 'make fuzz'"
