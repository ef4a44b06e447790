#!/bin/sh
# promote.sh - multi-fidelity rounds under one ninja: the round's best candidate by
# estimated reward is promoted to RTL and a Verilator co-simulation (bit-exact with csim),
# its record then carries the measured latency and fidelity "rtlsim", the next round's author
# reads it, and a second ninja is a no-op. (Yosys is tested by synth.sh; a sweep with synth
# takes minutes, docs/GENERATOR.md.)
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
P="$TMP/toy.yaml"
sed -e 's/^search: .*/search: {strategy: heuristic, rounds: 2, per_round: 3, seed: 1}\nhardware: {top_k: 1, rtlsim: true, synth: false}/' \
	"$BURN_SRC/projects/toy-ffn-z2.yaml" >"$P"
D="$TMP/b"
expect_ok "gen" "$BURN" gen "$P" -o "$D"
ninja -C "$D" >"$TMP/run1" 2>&1
expect_eq "one ninja runs both rounds with promotion" "$?" 0
for r in 0 1; do
	expect_eq "round $r promoted one candidate" "$(grep -c '"id"' "$D/rounds/$r/promoted.json")" 1
	id=$(grep -o '"id": "[0-9a-f]*"' "$D/rounds/$r/promoted.json" | cut -d'"' -f4)
	expect_grep "round $r: its co-simulation matched csim" '"mismatches": 0' "$D/c/$id/rtlsim.json"
	expect_grep "round $r: its reward used it" '"fidelity": "rtlsim"' "$D/c/$id/hw_reward.json"
	expect_grep "round $r: the round's results carry it" '"fidelity": "rtlsim"' "$D/rounds/$r/results.json"
done
expect_grep "the others stay at the estimate" '"fidelity": "estimate"' "$D/rounds/0/results.json"
ninja -C "$D" >"$TMP/run2" 2>&1
expect_grep "second ninja is a no-op" "^ninja: no work to do.$" "$TMP/run2"
expect_ok "report written" test -s "$D/results.csv"
t_done
