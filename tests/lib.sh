# lib.sh - helpers for shell tests: ok/fail lines, expectations, a scratch folder.
# A test script sources this, calls the expect_* helpers and ends with t_done.
set -u
t_pass=0 t_fail=0
T_NAME=$(basename "$0" .sh)
TMP=$(mktemp -d "${TMPDIR:-/tmp}/burn-$T_NAME.XXXXXX")
trap '[ -n "${KEEP_TMP:-}" ] || rm -rf "$TMP"' EXIT

pass() { t_pass=$((t_pass + 1)); echo "ok   $*"; }
fail() { t_fail=$((t_fail + 1)); echo "FAIL $*"; }

# expect_ok DESC CMD...: CMD exits 0.
expect_ok() {
	d=$1; shift
	if "$@" >"$TMP/out" 2>&1; then pass "$d"; else fail "$d (exit $?): $(tail -n 3 "$TMP/out")"; fi
}

# expect_exit CODE DESC CMD...: CMD exits with CODE.
expect_exit() {
	c=$1 d=$2; shift 2
	"$@" >"$TMP/out" 2>&1
	rc=$?
	if [ "$rc" -eq "$c" ]; then pass "$d"; else fail "$d (exit $rc, wanted $c): $(tail -n 3 "$TMP/out")"; fi
}

# expect_grep DESC PATTERN FILE: FILE has a line matching the extended regex.
expect_grep() {
	if grep -Eq -- "$2" "$3"; then pass "$1"; else fail "$1: no '$2' in $3: $(head -c 300 "$3")"; fi
}

# expect_eq DESC GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1: got '$2', wanted '$3'"; fi
}

t_done() {
	echo "$T_NAME: $t_pass passed, $t_fail failed"
	[ "$t_fail" -eq 0 ]
}
