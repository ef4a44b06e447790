#!/bin/sh
# crash.sh - crash safety of a sweep and its cache (docs/RELIABILITY.md):
#  1. a step SIGKILLed at a named point (BURN_FAULT=kill=POINT: while writing a csim result,
#     half-way through a cache object, while an author writes its candidate list), then a
#     plain `ninja` re-run: it completes, the results equal an uninterrupted run's, and
#     `burn cache verify` finds no corrupt object;
#  2. the whole ninja process group SIGKILLed at seeded random times (four per seed), then a
#     run to the end: same checks;
#  3. a cache object with one flipped byte, and a truncated one: verify reports both, the
#     sweep recomputes them (with a warning) and stores sound objects again;
#  4. a full disk: an injected ENOSPC in a sweep's writes, and (as root, when a tmpfs can be
#     mounted) a 64 KB tmpfs as the cache root and as the build folder: a clear error or
#     warning, no torn output, no corrupt object, and a re-run with space completes.
. "$BURN_SRC/tests/lib.sh"
unset BURN_REMOTE_CACHE BURN_NO_CACHE BURN_FAULT
P="$TMP/p/toy.yaml"
mkdir -p "$TMP/p"
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 3/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"

# same_results DIR REF: every round's records, best.yaml and every candidate's results are
# byte-identical (results.json and results.csv also say which steps hit the cache).
same_results() {
	for f in "$2"/rounds/*/results.json "$2"/rounds/*/candidates.json "$2"/best.yaml \
		"$2"/c/*/csim.json "$2"/c/*/estimate.json "$2"/c/*/reward.json; do
		cmp -s "$f" "$1/${f#"$2"/}" || { echo "differs: ${f#"$2"/}"; return 1; }
	done
	[ "$(ls "$1/c" | wc -l)" -eq "$(ls "$2/c" | wc -l)" ] || { echo "candidate count differs"; return 1; }
}

# verify_clean ROOT DESC: verify finds no corrupt object
verify_clean() {
	"$BURN" cache --root "$1" verify >"$TMP/verify" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && grep -Eq '^[0-9]+ objects checked, 0 corrupt$' "$TMP/verify"; then
		pass "$2: cache verify: $(tail -n 1 "$TMP/verify")"
	else
		fail "$2: cache verify (exit $rc): $(tail -n 3 "$TMP/verify")"
	fi
}

# The reference: an uninterrupted sweep on its own cache root.
REF="$TMP/ref"
BURN_CACHE="$TMP/cache-ref" "$BURN" gen "$P" -o "$REF" >/dev/null 2>&1
t0=$(date +%s%N)
BURN_CACHE="$TMP/cache-ref" ninja -C "$REF" >"$TMP/ref.log" 2>&1
expect_eq "reference sweep completes" "$?" 0
ref_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
expect_eq "reference sweep has 2 rounds" "$(ls "$REF/rounds" | wc -l | tr -d ' ')" 2

# 1. killed at named points
for point in write:csim.json cache-put write:candidates.json; do
	D="$TMP/k-$point" ROOT="$TMP/cache-k-$point"
	export BURN_CACHE="$ROOT"
	"$BURN" gen "$P" -o "$D" >/dev/null 2>&1
	BURN_FAULT=kill=$point ninja -C "$D" >"$TMP/k.log" 2>&1
	rc=$?
	expect_ok "kill at $point: the step was killed and ninja failed" \
		sh -c "[ $rc -ne 0 ] && grep -q 'FAILED' '$TMP/k.log'"
	if [ "$point" = cache-put ]; then
		expect_ok "kill at $point: a half-written object stays a temp file, never an object" \
			sh -c "[ -n \"\$(ls '$ROOT/tmp')\" ]"
		"$BURN" cache --root "$ROOT" verify >"$TMP/verify" 2>&1
		expect_grep "kill at $point: verify sees no corrupt object before the re-run" \
			'^[0-9]+ objects checked, 0 corrupt$' "$TMP/verify"
	fi
	ninja -C "$D" >"$TMP/k2.log" 2>&1
	expect_eq "kill at $point: the re-run completes" "$?" 0
	expect_ok "kill at $point: the results equal the uninterrupted run's" same_results "$D" "$REF"
	verify_clean "$ROOT" "kill at $point"
	expect_ok "kill at $point: the re-run removed the killed writer's temp file" \
		sh -c "[ -z \"\$(find '$D' -name '*.tmp.*')\" ]"
done
# a stale temp file (from the cache-put kill) is removed by gc once older than an hour
ROOT="$TMP/cache-k-cache-put"
for f in "$ROOT"/tmp/*; do touch -d '2 hours ago' "$f"; done
"$BURN" cache --root "$ROOT" gc --max-size 1G >/dev/null 2>&1
expect_eq "gc removes the killed writer's stale temp file" "$(ls "$ROOT/tmp" | wc -l | tr -d ' ')" 0

# 2. the whole build SIGKILLed at seeded random times until one run finishes
for seed in 1 2; do
	D="$TMP/r-$seed" ROOT="$TMP/cache-r-$seed"
	export BURN_CACHE="$ROOT"
	"$BURN" gen "$P" -o "$D" >/dev/null 2>&1
	kills=0 done=0 tries=0 scale=1
	# kill times: seeded fractions (0.05-0.6) of the uninterrupted sweep's wall time, so a fast
	# machine is interrupted as surely as a slow one
	fracs=$(awk -v s="$seed" 'BEGIN { srand(s); for (i = 0; i < 40; i++) printf "%.3f\n", 0.05 + rand() * 0.55 }')
	for frac in $fracs; do
		[ "$kills" -ge 4 ] && break # four random kills per seed, then let it finish
		tries=$((tries + 1))
		delay=$(awk -v f="$frac" -v m="$ref_ms" -v k="$scale" 'BEGIN { d = f * m * k / 1000; if (d < 0.01) d = 0.01; printf "%.3f", d }')
		setsid ninja -C "$D" >"$TMP/r.log" 2>&1 &
		pid=$!
		sleep "$delay"
		if kill -0 "$pid" 2>/dev/null; then
			kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
			wait "$pid" 2>/dev/null
			kills=$((kills + 1))
		elif wait "$pid"; then
			[ "$kills" -gt 0 ] && { done=1; break; }
			# finished before the first kill: start again from nothing, killing sooner
			rm -rf "$D" "$ROOT"
			"$BURN" gen "$P" -o "$D" >/dev/null 2>&1
			scale=$(awk -v k="$scale" 'BEGIN { printf "%.3f", k / 2 }')
		fi
	done
	[ "$done" = 1 ] || { ninja -C "$D" >"$TMP/r.log" 2>&1 && done=1; }
	expect_eq "seed $seed: the sweep completes after $kills SIGKILLs of the whole build" "$done" 1
	expect_ok "seed $seed: at least one run was killed mid-build" test "$kills" -gt 0
	expect_ok "seed $seed: the results equal the uninterrupted run's" same_results "$D" "$REF"
	verify_clean "$ROOT" "seed $seed"
	expect_ok "seed $seed: a further ninja has no work to do" sh -c "ninja -C '$D' | grep -q 'no work to do'"
done

# 3. a flipped byte and a truncated object
ROOT="$TMP/cache-r-1" D="$TMP/r-1"
export BURN_CACHE="$ROOT"
id=$(ls "$D/c" | head -n 1)
key_csim=$(sed -n 's/^[a-z]* \([0-9a-f]*\).*/\1/p' "$D/c/$id/csim.json.cache")
key_est=$(sed -n 's/^[a-z]* \([0-9a-f]*\).*/\1/p' "$D/c/$id/estimate.json.cache")
obj=$("$BURN" cache --root "$ROOT" path "$key_csim")
size=$(wc -c <"$obj")
printf '\377' | dd of="$obj" bs=1 seek=$((size / 2)) conv=notrunc 2>/dev/null
obj2=$("$BURN" cache --root "$ROOT" path "$key_est")
truncate -s 40 "$obj2"
"$BURN" cache --root "$ROOT" verify >"$TMP/verify" 2>&1
expect_eq "verify exits 1 on corrupt objects" "$?" 1
expect_grep "verify names the flipped object: checksum" "corrupt $key_csim: .*checksum" "$TMP/verify"
expect_grep "verify names the truncated object" "corrupt $key_est" "$TMP/verify"
rm -f "$D/c/$id/csim.json" "$D/c/$id/estimate.json"
ninja -C "$D" >"$TMP/c.log" 2>&1
expect_eq "the sweep re-runs the two steps" "$?" 0
expect_grep "the csim step reports the corrupt object" "warning: cache: object $key_csim is corrupt.*removed" "$TMP/c.log"
expect_grep "the estimate step reports the truncated object" "warning: cache: object $key_est is corrupt" "$TMP/c.log"
expect_grep "csim recomputed (miss)" "^miss $key_csim" "$D/c/$id/csim.json.cache"
expect_ok "the recomputed results equal the reference" same_results "$D" "$REF"
verify_clean "$ROOT" "after the recompute"

# 4. a full disk: an injected ENOSPC on the 2nd write of every step
D="$TMP/f" ROOT="$TMP/cache-f"
export BURN_CACHE="$ROOT"
"$BURN" gen "$P" -o "$D" >/dev/null 2>&1
BURN_FAULT=write=2 ninja -C "$D" >"$TMP/f.log" 2>&1
expect_ok "ENOSPC: the sweep stops" test "$?" -ne 0
expect_grep "ENOSPC: a clear error naming a file" "burn: .*: (write error: )?No space left on device" "$TMP/f.log"
"$BURN" cache --root "$ROOT" verify >"$TMP/verify" 2>&1
expect_grep "ENOSPC: no corrupt object" '^[0-9]+ objects checked, 0 corrupt$' "$TMP/verify"
expect_ok "ENOSPC: no temp file left in the build folder" sh -c "[ -z \"\$(find '$D' -name '*.tmp.*')\" ]"
ninja -C "$D" >"$TMP/f2.log" 2>&1
expect_eq "ENOSPC: a re-run with space completes" "$?" 0
expect_ok "ENOSPC: the results equal the reference" same_results "$D" "$REF"

# ... and a real full file system, when this runs as root and may mount a tmpfs
M="$TMP/mnt"
mkdir -p "$M"
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=64k tmpfs "$M" 2>/dev/null; then
	trap 'umount "$M" 2>/dev/null; rm -rf "$TMP"' EXIT
	# the cache root on a full disk: stores fail with a warning, the sweep completes
	D="$TMP/t1"
	export BURN_CACHE="$M/cache"
	"$BURN" gen "$P" -o "$D" >/dev/null 2>&1
	ninja -C "$D" >"$TMP/t1.log" 2>&1
	expect_eq "tmpfs cache root: the sweep completes" "$?" 0
	expect_grep "tmpfs cache root: full-disk stores are reported" "warning: .*No space left on device" "$TMP/t1.log"
	expect_ok "tmpfs cache root: the results equal the reference" same_results "$D" "$REF"
	verify_clean "$M/cache" "tmpfs cache root"
	expect_eq "tmpfs cache root: no temp file left" "$(ls "$M/cache/tmp" | wc -l | tr -d ' ')" 0
	rm -rf "$M/cache"
	# the build folder on a full disk: the sweep stops with a clear error; with room, it completes
	export BURN_CACHE="$TMP/cache-t2"
	"$BURN" gen "$P" -o "$M/d" >/dev/null 2>&1
	ninja -C "$M/d" >"$TMP/t2.log" 2>&1
	expect_ok "tmpfs build folder: the sweep stops" test "$?" -ne 0
	expect_grep "tmpfs build folder: a clear error" "burn: .*No space left on device" "$TMP/t2.log"
	expect_ok "tmpfs build folder: no temp file left" sh -c "[ -z \"\$(find '$M/d' -name '*.tmp.*')\" ]"
	for f in $(cd "$M/d" && find c rounds -name '*.json' 2>/dev/null); do
		cmp -s "$M/d/$f" "$REF/$f" || { [ "${f##*/}" = results.json ] || echo "$f"; }
	done >"$TMP/torn"
	expect_eq "tmpfs build folder: every result written is whole (equal to the reference)" "$(cat "$TMP/torn")" ""
	mount -o remount,size=8m "$M"
	ninja -C "$M/d" >"$TMP/t3.log" 2>&1
	expect_eq "tmpfs build folder: with room, the re-run completes" "$?" 0
	expect_ok "tmpfs build folder: the results equal the reference" same_results "$M/d" "$REF"
	umount "$M"
else
	echo "note: no tmpfs (not root, or mount not permitted): the full disk is tested by the injected ENOSPC above only"
fi
t_done
