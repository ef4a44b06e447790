#!/bin/sh
# run.sh - runs each fuzz target named on the command line under libFuzzer for $FUZZ_TIME
# seconds (default 600), one after the other, at nice 15 with one job each. Called by
# `make fuzz` after it built build-fuzz/fuzz/TARGET. Each target's working corpus is
# build-fuzz/corpus/TARGET, seeded from tests/fuzz/corpus/TARGET; a crash input lands in
# build-fuzz/crashes/TARGET/ (copy it to tests/fuzz/crashes/TARGET/ once fixed: make check
# replays that folder). Prints and appends to build-fuzz/report.txt one line per target:
#   TARGET: S s, N execs, C corpus inputs, K crashes
# FUZZ_JOBS=2 runs two targets at a time. Exit status 1 if any target found a crash.
set -u
here=$(cd "$(dirname "$0")" && pwd)
src=$(dirname "$(dirname "$here")")
b="$src/build-fuzz"
time=${FUZZ_TIME:-600}
jobs=${FUZZ_JOBS:-1}
status=0

run_target() { # target
	t=$1
	bin="$b/fuzz/$t"
	[ -x "$bin" ] || { echo "$t: $bin missing (make fuzz builds it)"; return 1; }
	mkdir -p "$b/corpus/$t" "$b/crashes/$t" "$b/logs"
	cp -n "$here/corpus/$t"/* "$b/corpus/$t/" 2>/dev/null
	log="$b/logs/$t.log"
	start=$(date +%s)
	# -rss_limit_mb: a parser that allocates more than 2 GB for an input is a finding;
	# -timeout: one input taking more than 60 s is a finding (a hang; 60 s, not less: on this
	# shared machine a load of 20 stalled ordinary inputs for 13 s).
	nice -n 15 "$bin" -max_total_time="$time" -rss_limit_mb=2048 -timeout=60 \
		-artifact_prefix="$b/crashes/$t/" -print_final_stats=1 \
		"$b/corpus/$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	corpus=$(ls "$b/corpus/$t" | wc -l)
	crashes=$(ls "$b/crashes/$t" | grep -vc "^slow-unit-")
	line="$t: $secs s, ${execs:-?} execs, $corpus corpus inputs, $crashes crashes (exit $rc; log $log)"
	echo "$line"
	echo "$(date -u +%Y-%m-%dT%H:%MZ) $line" >>"$b/report.txt"
	[ "$rc" -eq 0 ] && [ "$crashes" -eq 0 ]
}

if [ "$jobs" -le 1 ]; then
	for t in "$@"; do run_target "$t" || status=1; done
else
	# two at a time: start pairs, wait for both
	set -- "$@"
	while [ $# -gt 0 ]; do
		run_target "$1" & p1=$!
		shift
		p2=
		if [ $# -gt 0 ]; then run_target "$1" & p2=$!; shift; fi
		wait "$p1" || status=1
		[ -n "$p2" ] && { wait "$p2" || status=1; }
	done
fi
exit $status
