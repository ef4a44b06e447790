#!/bin/sh
# faults.sh - fault injection (BURN_FAULT, gen/util.h) in the main commands: the Nth
# allocation fails, or the Nth file write fails with ENOSPC. Each run must either succeed
# with exactly the reference output, or exit 1/2 with a "burn: " message (no signal, no
# sanitizer report), and leave no half-written file: every file in its (emptied) output
# folder must be byte-identical to the reference run's, no temp file may remain, and the
# cache root must verify clean (after write faults). Writes: every N up to the count.
# Allocations: N = 1..6 and 6 more seeded samples over the counted range (FAULT_ALL=1: every
# N; slow, see docs/RELIABILITY.md; FAULT_CMDS="csim report" picks commands). A failed
# OUT.cache sidecar write (a note saying hit or miss, which only results.csv reads) is a
# warning, not an error.
. "$BURN_SRC/tests/lib.sh"
unset BURN_REMOTE_CACHE BURN_NO_CACHE BURN_FAULT
W="$TMP/w"
P="$TMP/p/toy.yaml"
mkdir -p "$TMP/p"
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 3/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"
export BURN_CACHE="$TMP/cache-setup"
"$BURN" gen "$P" -o "$W" >/dev/null 2>&1 && ninja -C "$W" >"$TMP/setup.log" 2>&1 ||
	{ fail "setup sweep: $(tail -n 5 "$TMP/setup.log")"; t_done; exit 1; }
id=$(ls "$W/c" | head -n 1)
O="$TMP/o"
ROOT="$TMP/cache"
export BURN_CACHE="$ROOT"

# The commands, each writing into $O (and the cache root $ROOT).
cmd_gen() { "$BURN" gen "$P" -o "$O"; }
cmd_facet() { "$BURN" facet "$P" -o "$O"; }
cmd_author() { "$BURN" author --round 1 -o "$O/candidates.json" "$W/facets/author.yaml" "$W/rounds/0/results.json"; }
cmd_hlsgen() { "$BURN" hlsgen "$W/facets/hlsgen.yaml" "$W/rounds/0/candidates.json" --id "$id" -o "$O"; }
cmd_csim() { "$BURN" csim "$W/facets/csim.yaml" "$W/c/$id/config.yaml" -o "$O/csim.json" --keep-going; }
cmd_estimate() { "$BURN" estimate "$W/facets/estimate.yaml" "$W/c/$id/config.yaml" -o "$O/estimate.json" --keep-going; }
cmd_reward() { "$BURN" reward "$W/facets/reward.yaml" --csim "$W/c/$id/csim.json" --estimate "$W/c/$id/estimate.json" -o "$O/reward.json"; }
cmd_collect() { "$BURN" collect "$W/rounds/0/candidates.json" --cdir "$W/c" -o "$O/results.json"; }
cmd_report() { "$BURN" report --facet "$W/facets/hlsgen.yaml" -o "$O" "$W/rounds/0/results.json" "$W/rounds/1/results.json"; }
CMDS="${FAULT_CMDS:-gen facet author hlsgen csim estimate reward collect report}"

fresh() { rm -rf "$O" "$ROOT"; mkdir -p "$O"; }

# check_run NAME FAULT RC: the run's outcome is sound (see the header)
bad_runs=0
check_run() {
	name=$1 f=$2 rc=$3 why= kind=${2%%=*}
	if grep -qE 'Sanitizer|runtime error|LeakSanitizer' "$TMP/err"; then
		why="sanitizer report"
	elif [ "$rc" -ne 0 ] && [ "$rc" -ne 1 ] && [ "$rc" -ne 2 ]; then
		why="exit $rc (a signal?)"
	elif [ "$rc" -ne 0 ] && ! grep -qE '^burn: .*(out of memory|No space left on device)' "$TMP/err"; then
		why="exit $rc without a clear message"
	elif [ -n "$(find "$O" -name '*.tmp.*')" ]; then
		why="temp file left: $(find "$O" -name '*.tmp.*' | head -n 1)"
	elif [ -d "$ROOT/tmp" ] && [ -n "$(ls "$ROOT/tmp")" ]; then
		why="cache temp file left"
	else
		(cd "$O" && find . -type f) | while read -r fl; do
			if ! cmp -s "$O/$fl" "$TMP/ref-$name/$fl"; then echo "$fl"; fi
		done >"$TMP/diff"
		if [ -s "$TMP/diff" ]; then
			why="output not identical to the reference: $(head -n 1 "$TMP/diff")"
		elif [ "$rc" -eq 0 ]; then
			# a success must have written every output; only an OUT.cache sidecar (a
			# note saying hit or miss) may be missing, with a warning
			(cd "$TMP/ref-$name" && find . -type f) | while read -r fl; do
				[ -f "$O/$fl" ] && continue
				case "$fl" in
				*.cache) grep -q "warning: .*$(basename "$fl").*No space left" "$TMP/err" || echo "$fl" ;;
				*) echo "$fl" ;;
				esac
			done >"$TMP/missing"
			[ -s "$TMP/missing" ] && why="exit 0 but $(head -n 1 "$TMP/missing") missing"
		fi
	fi
	if [ -z "$why" ] && [ "$kind" = write ] && [ -d "$ROOT/objects" ]; then
		"$BURN" cache --root "$ROOT" verify >"$TMP/verify" 2>&1 || why="cache verify: $(tail -n 1 "$TMP/verify")"
	fi
	if [ -n "$why" ]; then
		bad_runs=$((bad_runs + 1))
		[ "$bad_runs" -le 10 ] && echo "  $name BURN_FAULT=$f: $why; stderr: $(tail -n 2 "$TMP/err")"
		return 1
	fi
	return 0
}

seed=9
for name in $CMDS; do
	fresh
	BURN_FAULT=count "cmd_$name" >/dev/null 2>"$TMP/err"
	rc=$?
	counts=$(sed -n 's/^burn: fault counts: \([0-9]*\) allocations, \([0-9]*\) writes$/\1 \2/p' "$TMP/err")
	if [ "$rc" -ne 0 ] || [ -z "$counts" ]; then
		fail "$name: reference run (exit $rc): $(tail -n 2 "$TMP/err")"
		continue
	fi
	rm -rf "$TMP/ref-$name"
	cp -r "$O" "$TMP/ref-$name"
	set -- $counts
	na=$1 nw=$2
	# allocations: 1..6, then 6 seeded samples in 7..na (every N with FAULT_ALL=1)
	if [ "${FAULT_ALL:-0}" = 1 ]; then
		ns=$(seq 1 "$na")
	else
		ns="$(seq 1 6) $(awk -v n="$na" -v s="$seed" 'BEGIN { srand(s); if (n > 6) for (i = 0; i < 6; i++) print 7 + int(rand() * (n - 6)) }' | sort -n | uniq)"
	fi
	seed=$((seed + 1))
	runs=0 ok0=0 failed_before=$bad_runs
	for n in $ns; do
		fresh
		BURN_FAULT=alloc=$n "cmd_$name" >/dev/null 2>"$TMP/err"
		rc=$?
		check_run "$name" "alloc=$n" "$rc"
		runs=$((runs + 1))
		[ "$rc" -eq 0 ] && ok0=$((ok0 + 1))
	done
	# one past the last allocation: the run succeeds
	fresh
	BURN_FAULT=alloc=$((na + 1)) "cmd_$name" >/dev/null 2>"$TMP/err"
	rc=$?
	check_run "$name" "alloc=$((na + 1))" "$rc"
	expect_eq "$name: succeeds once the failing allocation is past its $na" "$rc" 0
	expect_eq "$name: $runs failed allocations (of $na): clear error, no partial output, no leak" \
		"$((bad_runs - failed_before))" 0
	# writes: every N
	failed_before=$bad_runs wruns=0 wfail=0
	for n in $(seq 1 "$nw"); do
		fresh
		BURN_FAULT=write=$n "cmd_$name" >/dev/null 2>"$TMP/err"
		rc=$?
		check_run "$name" "write=$n" "$rc"
		wruns=$((wruns + 1))
		[ "$rc" -ne 0 ] && wfail=$((wfail + 1))
	done
	expect_eq "$name: $wruns failed writes ($wfail fatal, the rest cache or sidecar writes that only warn): clear error, nothing half-written" \
		"$((bad_runs - failed_before))" 0
done

# A failed write of an output names the file and the cause; a failed cache store is a
# warning and the step's result is still written.
fresh
BURN_NO_CACHE=1 BURN_FAULT=write=1 "$BURN" estimate "$W/facets/estimate.yaml" "$W/c/$id/config.yaml" -o "$O/estimate.json" --keep-going >/dev/null 2>"$TMP/err"
expect_eq "estimate: an output write failure exits 1" "$?" 1
expect_grep "estimate: the message names the file and ENOSPC" "estimate.json.*No space left on device" "$TMP/err"
fresh
BURN_FAULT=write=1 "$BURN" csim "$W/facets/csim.yaml" "$W/c/$id/config.yaml" -o "$O/csim.json" --keep-going >/dev/null 2>"$TMP/err"
rc=$?
expect_grep "csim: a failed cache store is reported" "warning: .*cache.*No space left on device" "$TMP/err"
expect_eq "csim: ... and the step still succeeds" "$rc" 0
expect_ok "csim: ... with its result written" cmp "$O/csim.json" "$TMP/ref-csim/csim.json"
expect_eq "csim: ... and no object stored" "$(find "$ROOT/objects" -type f 2>/dev/null | wc -l | tr -d ' ')" 0
expect_exit 2 "a malformed BURN_FAULT is a usage error" env BURN_FAULT=alloc=x "$BURN" config default "$P" -o "$O/x.yaml"
t_done
