# Sourced by every regress test: fail/skip/trace, a private temporary
# directory removed on exit, cleanup hooks, and (suite.sh) helpers that run
# a private instance of the suite.  Tests run under bash.
#
# Exit status: 0 pass, 77 skip (with "SKIP: reason" printed), else fail.

set -u

REGRESS_TOP=${REGRESS_TOP:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}
OBJ=$(mktemp -d "${TMPDIR:-/tmp}/agentsh-t.XXXXXX") || exit 1
chmod 755 "$OBJ"
_cleanups=()

# on_exit CMD...: run CMD when the test ends, last registered first.
on_exit() {
	_cleanups+=("$*")
}

_run_cleanups() {
	local rc=$? i
	trap - EXIT
	for ((i = ${#_cleanups[@]} - 1; i >= 0; i--)); do
		eval "${_cleanups[$i]}" >/dev/null 2>&1 || true
	done
	rm -rf "$OBJ"
	exit $rc
}
trap _run_cleanups EXIT
trap 'exit 130' INT TERM

trace() {
	echo "trace: $*"
}

fail() {
	echo "FAIL: $*"
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

require_root() {
	[ "$(id -u)" -eq 0 ] || skip "needs root"
}

require_cmd() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "needs $c"
	done
}

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
}

# expect_match WHAT GOT REGEX (extended)
expect_match() {
	printf '%s' "$2" | grep -Eq -- "$3" ||
	    fail "$1: '$2' does not match /$3/"
}

if [ -f "$REGRESS_TOP/regress/suite.sh" ]; then
	. "$REGRESS_TOP/regress/suite.sh"
fi
