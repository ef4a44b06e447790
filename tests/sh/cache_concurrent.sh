#!/bin/sh
# cache_concurrent.sh - one cache root shared by concurrent writers: two ninja processes run
# two build folders of the same sweep on the same root at the same time while a third process
# verifies the root over and over. No verify may see a corrupt object, no temp file may be
# left, both folders' rounds must be byte-identical, and equal to a run on a private root.
. "$BURN_SRC/tests/lib.sh"
unset BURN_NO_CACHE BURN_REMOTE_CACHE
export BURN_CACHE="$TMP/shared-cache"

P="$TMP/p/toy.yaml"
mkdir -p "$TMP/p"
sed -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 6/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"
expect_ok "gen folder a" "$BURN" gen "$P" -o "$TMP/a"
expect_ok "gen folder b" "$BURN" gen "$P" -o "$TMP/b"

# the verifier: until both sweeps are done, verify the shared root; count the failures
verify_loop() {
	n=0 bad=0
	while [ ! -f "$TMP/done" ] && [ "$n" -lt 400 ]; do
		"$BURN" cache verify >"$TMP/verify.$n" 2>&1 || { bad=$((bad + 1)); cp "$TMP/verify.$n" "$TMP/verify.bad"; }
		rm -f "$TMP/verify.$n"
		sleep 0.2
		n=$((n + 1))
	done
	echo "$n $bad" >"$TMP/verify.sum"
}
"$BURN" cache stats >/dev/null 2>&1 # create the root before anyone races for it
verify_loop &
vpid=$!
ninja -C "$TMP/a" >"$TMP/a.log" 2>&1 &
pa=$!
ninja -C "$TMP/b" >"$TMP/b.log" 2>&1 &
pb=$!
wait $pa
ra=$?
wait $pb
rb=$?
touch "$TMP/done"
wait $vpid
expect_eq "ninja on folder a succeeds" "$ra" 0
expect_eq "ninja on folder b succeeds" "$rb" 0
read -r vn vbad <"$TMP/verify.sum"
expect_ok "the root was verified while the sweeps ran ($vn times)" test "$vn" -gt 0
expect_eq "no verify saw a corrupt object" "$vbad" 0
[ -f "$TMP/verify.bad" ] && cat "$TMP/verify.bad"

expect_ok "verify after both sweeps" "$BURN" cache verify
expect_grep "zero corrupt objects" "^[0-9]+ objects checked, 0 corrupt$" "$TMP/out"
expect_eq "no temp file left in the root" "$(ls "$BURN_CACHE/tmp" | wc -l | tr -d ' ')" 0
expect_ok "no cache warnings in folder a's log" sh -c "! grep -q 'warning: cache' '$TMP/a.log'"
expect_ok "no cache warnings in folder b's log" sh -c "! grep -q 'warning: cache' '$TMP/b.log'"

# same_rounds DIR1 DIR2: every round's records and best.yaml are byte-identical
same_rounds() {
	for f in "$1"/rounds/*/results.json "$1"/best.yaml; do
		cmp -s "$f" "$2/${f#"$1"/}" || { echo "differs: ${f#"$1"/}"; return 1; }
	done
}
expect_eq "both folders have 2 rounds" "$(ls -d "$TMP"/a/rounds/*/ "$TMP"/b/rounds/*/ | wc -l | tr -d ' ')" 4
expect_ok "rounds/*/results.json and best.yaml are byte-identical" same_rounds "$TMP/a" "$TMP/b"

# every evaluation ran at most once per key: hits + misses cover each step, and the shared
# root has one object per distinct key
misses=$(cat "$TMP"/a/c/*/*.cache "$TMP"/b/c/*/*.cache | grep -c '^miss' || true)
hits=$(cat "$TMP"/a/c/*/*.cache "$TMP"/b/c/*/*.cache | grep -c '^hit' || true)
expect_ok "both folders recorded cache results ($hits hits, $misses misses)" test $((hits + misses)) -gt 0

# a sequential run on a private root gives the same bytes
BURN_CACHE="$TMP/private" "$BURN" gen "$P" -o "$TMP/c" >/dev/null
BURN_CACHE="$TMP/private" ninja -C "$TMP/c" >"$TMP/c.log" 2>&1
expect_eq "a run on a private root succeeds" "$?" 0
expect_ok "and gives the same rounds as the concurrent runs" same_rounds "$TMP/a" "$TMP/c"

t_done
