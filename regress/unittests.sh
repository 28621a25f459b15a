# The Check suites under regress/unittests/, one module after another.
# timeout: 600
. "$(dirname "$0")/test-exec.sh"

cd "$REGRESS_TOP" || fail "no tree"
n=0
for t in regress/unittests/*/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.c|*.o|*.d) continue ;; esac
	n=$((n + 1))
	trace "$t"
	# Check forks per test; a crash or abort is reported as a failure.
	CK_DEFAULT_TIMEOUT=${CK_DEFAULT_TIMEOUT:-60} "$t" ||
	    fail "unit suite $t failed"
done
[ $n -gt 0 ] || fail "no unit test binaries: run 'make unittests'"
