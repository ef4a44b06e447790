#!/bin/sh
# run.sh - runs every test (unit binaries in $UNIT_DIR, then tests/sh/*.sh) and prints the
# totals as "N passed, M failed". A test that dies without its summary line counts as failed.
# TESTS='pattern ...' runs only the tests whose name contains one of the patterns.
set -u
here=$(cd "$(dirname "$0")" && pwd)
: "${BURN:?set BURN to the burn binary}"
: "${UNIT_DIR:?set UNIT_DIR}"
export BURN
unset BURN_REMOTE_CACHE BURN_NO_CACHE
export BURN_SRC="$(dirname "$here")"
export SHARED="${SHARED:-$BURN_SRC/../shared}"
log_dir=${TEST_LOG_DIR:-$BURN_SRC/build/test-logs}
mkdir -p "$log_dir"
pass=0 fail=0 broken=

run_one() { # name command...
	name=$1; shift
	if [ -n "${TESTS:-}" ]; then
		hit=
		for pat in $TESTS; do case "$name" in *"$pat"*) hit=1 ;; esac; done
		[ -n "$hit" ] || return
	fi
	log="$log_dir/$name.log"
	start=$(date +%s)
	"$@" >"$log" 2>&1
	rc=$?
	sum=$(grep -aE '^[A-Za-z0-9_.-]+: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)
	if [ -z "$sum" ]; then
		p=0 f=1
		echo "FAIL $name: exited $rc without a summary (log: $log)"
		tail -n 15 "$log" | sed 's/^/    /'
	else
		p=$(echo "$sum" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\1/')
		f=$(echo "$sum" | sed -E 's/.*: ([0-9]+) passed, ([0-9]+) failed/\2/')
		if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
		if [ "$f" -ne 0 ]; then
			echo "FAIL $name: $p passed, $f failed ($(( $(date +%s) - start )) s, log: $log)"
			grep -aE '^FAIL' "$log" | head -n 10 | sed 's/^/    /'
		else
			echo "ok   $name: $p passed ($(( $(date +%s) - start )) s)"
		fi
	fi
	pass=$((pass + p))
	fail=$((fail + f))
}

for t in "$UNIT_DIR"/test_*; do
	[ -x "$t" ] || continue
	run_one "$(basename "$t")" "$t"
done
for t in "$here"/sh/*.sh; do
	[ -f "$t" ] || continue
	run_one "$(basename "$t" .sh)" sh "$t"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
