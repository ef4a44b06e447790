#!/bin/sh
# sweep.sh - the generator end to end with real ninja on the toy project: one ninja runs every
# round, a second is a no-op, each edit re-runs only the steps that read it (counted in
# ninja -v output), the cache serves a fresh build folder and a clone at another path, and the
# launcher reaches the command line.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"

P="$TMP/p/toy.yaml"
mkdir -p "$TMP/p"
sed -e 's/rounds: 4, per_round: 8/rounds: 3, per_round: 4/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"
D="$TMP/b1"

# count RULE LOG: how many commands of burn subcommand RULE ninja -v ran.
count() { grep -c "burn $1 " "$2" || true; }

expect_ok "gen writes build.ninja" "$BURN" gen "$P" -o "$D"
expect_grep "rules are included, not pasted" "^include .*rules/burn.ninja" "$D/build.ninja"
ninja -C "$D" -v >"$TMP/run1" 2>&1
expect_eq "first ninja succeeds" "$?" 0
expect_eq "three authors ran" "$(count author "$TMP/run1")" 3
expect_ok "results.csv written" test -s "$D/results.csv"
expect_eq "one row per candidate (3 rounds x 4)" "$(($(wc -l <"$D/results.csv") - 1))" 12
expect_grep "best.yaml is an hls4ml config" "^LayerName:" "$D/best.yaml"
expect_eq "csim ran once per candidate" "$(count csim "$TMP/run1")" 12

ninja -C "$D" >"$TMP/run2" 2>&1
expect_grep "second ninja is a no-op" "^ninja: no work to do.$" "$TMP/run2"

# eps_max: only rewards (and what follows from changed rewards) re-run; no csim or estimate
# of an existing candidate.
ids_before=$(ls "$D/c" | sort)
sed -i 's/^eps_max: .*/eps_max: 0.2/' "$P"
ninja -C "$D" -v >"$TMP/run3" 2>&1
expect_eq "eps_max edit: ninja succeeds" "$?" 0
old_csim=0
for id in $ids_before; do
	grep -q "burn csim .*c/$id/" "$TMP/run3" && old_csim=$((old_csim + 1))
	grep -q "burn estimate .*c/$id/" "$TMP/run3" && old_csim=$((old_csim + 1))
done
expect_eq "eps_max edit: no csim/estimate of existing candidates" "$old_csim" 0
expect_ok "eps_max edit: rewards re-ran" grep -q "burn reward " "$TMP/run3"

# the part's clock: estimate and reward re-run, csim does not
sed -i 's/^clock_ns: .*/clock_ns: 8/' "$P"
ninja -C "$D" -v >"$TMP/run4" 2>&1
old_csim=0
for id in $ids_before; do
	grep -q "burn csim .*c/$id/" "$TMP/run4" && old_csim=$((old_csim + 1))
done
expect_eq "clock edit: no csim of existing candidates" "$old_csim" 0
expect_ok "clock edit: estimates re-ran" grep -q "burn estimate " "$TMP/run4"

# the weights: csim re-runs; the estimate facet holds the weights too (a layer at RF 1
# multiplies by constants Yosys folds, docs/ESTIMATE.md), so ninja re-runs the estimates, but
# only a candidate that reads them has them in its key (an RF-1 layer, or an accumulator its
# types alone do not prove exact; this sweep's other candidates are exact by their types): the
# others are cache hits and their estimate.json keeps its bytes and time (restat)
for id in $ids_before; do
	cp -p "$D/c/$id/estimate.json" "$TMP/est.$id"
done
sed -i '/^weights:/,/^calibration:/s/  seed: 1/  seed: 7/' "$P"
ninja -C "$D" -v >"$TMP/run5" 2>&1
rf1_miss=0 rf1=0 other_hit=0 other=0 other_same=0
for id in $ids_before; do
	grep -q "burn estimate .*c/$id/" "$TMP/run5" || continue
	if grep -q "ReuseFactor: 1$" "$D/c/$id/config.yaml"; then
		rf1=$((rf1 + 1))
		grep -q '^miss' "$D/c/$id/estimate.json.cache" && rf1_miss=$((rf1_miss + 1))
	else
		other=$((other + 1))
		grep -q '^hit' "$D/c/$id/estimate.json.cache" && other_hit=$((other_hit + 1))
		[ "$D/c/$id/estimate.json" -nt "$TMP/est.$id" ] || other_same=$((other_same + 1))
	fi
done
expect_ok "weights edit: estimates of candidates without an RF-1 layer ran ($other)" test "$other" -gt 0
expect_eq "weights edit: they are cache hits" "$other_hit" "$other"
expect_eq "weights edit: their estimate.json is untouched" "$other_same" "$other"
expect_ok "weights edit: an RF-1 candidate among them" test "$rf1" -gt 0
expect_eq "weights edit: every RF-1 candidate's estimate is a miss ($rf1)" "$rf1_miss" "$rf1"
expect_ok "weights edit: csim re-ran" grep -q "burn csim " "$TMP/run5"
ninja -C "$D" >"$TMP/run6" 2>&1
expect_grep "after the edits, ninja is a no-op again" "^ninja: no work to do.$" "$TMP/run6"

# more rounds: only the new rounds' authors run
sed -i 's/rounds: 3, per_round: 4/rounds: 5, per_round: 4/' "$P"
ninja -C "$D" -v >"$TMP/run7" 2>&1
expect_eq "rounds 3->5: two authors ran" "$(count author "$TMP/run7")" 2
expect_ok "rounds 3->5: they were rounds 3 and 4" grep -q "author .*--round 4" "$TMP/run7"
expect_eq "rounds 3->5: no old round re-authored" "$(grep -c 'author .*--round [012] ' "$TMP/run7")" 0
expect_eq "rounds 3->5: 20 rows" "$(($(wc -l <"$D/results.csv") - 1))" 20

# a fresh build folder with the same cache evaluates nothing: every step is a hit
D2="$TMP/b2"
"$BURN" gen "$P" -o "$D2" >/dev/null
ninja -C "$D2" >"$TMP/run8" 2>&1
expect_eq "fresh dir: ninja succeeds" "$?" 0
misses=$(cat "$D2"/c/*/*.cache | grep -c '^miss' || true)
hits=$(cat "$D2"/c/*/*.cache | grep -c '^hit' || true)
expect_eq "fresh dir: no cache misses" "$misses" 0
expect_ok "fresh dir: hits recorded" test "$hits" -gt 0
same_rounds() { # DIR1 DIR2: every round's records and best.yaml are byte-identical
	for f in "$1"/rounds/*/results.json best.yaml; do
		f=${f#"$1"/}
		cmp -s "$1/$f" "$2/$f" || return 1
	done
}
expect_ok "fresh dir: same results" same_rounds "$D" "$D2"

# the same project cloned to another path: all hits too
mkdir -p "$TMP/clone/deep/er"
cp "$P" "$TMP/clone/deep/er/toy.yaml"
D3="$TMP/clone/b3"
"$BURN" gen "$TMP/clone/deep/er/toy.yaml" -o "$D3" >/dev/null
ninja -C "$D3" >"$TMP/run9" 2>&1
misses=$(cat "$D3"/c/*/*.cache | grep -c '^miss' || true)
expect_eq "clone at another path: no cache misses" "$misses" 0
expect_ok "clone: same results" same_rounds "$D" "$D3"

# status prints a table
expect_ok "status runs" "$BURN" status "$D"
expect_grep "status shows the best design" "^best: " "$TMP/out"

# the launcher reaches the command line: a logging launcher wraps csim
cat >"$TMP/launch" <<'L'
#!/bin/sh
echo "$*" >>"$LAUNCH_LOG"
exec "$@"
L
chmod +x "$TMP/launch"
export LAUNCH_LOG="$TMP/launch.log"
D4="$TMP/b4"
BURN_CACHE="$TMP/cache4" "$BURN" gen "$P" -o "$D4" --launcher "$TMP/launch" >/dev/null
expect_grep "launcher is in the manifest" "^launcher = $TMP/launch" "$D4/build.ninja"
BURN_CACHE="$TMP/cache4" ninja -C "$D4" >/dev/null 2>&1
expect_grep "csim ran through the launcher" "burn csim " "$LAUNCH_LOG"
expect_grep "the launcher survives regeneration" "^launcher = $TMP/launch" "$D4/build.ninja"

t_done
