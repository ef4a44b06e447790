#!/bin/sh
# wfmt.sh - streamed weight formats (WeightFormat, docs/CONFIG.md) end to end: bad values and
# shapes refused with file, line and key; csim of streamed layers deterministic; the estimate
# puts no weights in BRAM; the RTL emitter refuses a streamed layer clearly; and a sweep of a
# block too big for the Z2's BRAM proposes streamed candidates that are feasible.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
TINY="$BURN_SRC/projects/swiglu-tiny-z2.yaml"
TOY="$BURN_SRC/projects/toy-ffn-z2.yaml"

printf 'LayerName:\n  mlp_down:\n    WeightFormat: int4_g64\n' >"$TMP/g.yaml"
expect_exit 2 "group not dividing n_in: exit 2" "$BURN" config check "$TINY" "$TMP/g.yaml"
expect_grep "group error names file:line:col and key" "g.yaml:3:19: key 'LayerName.mlp_down.WeightFormat': layer 'mlp_down': int4_g64 needs the inputs \(32\) to be a multiple of the group size 64" "$TMP/out"
printf 'Model: {WeightFormat: int3}\n' >"$TMP/bad.yaml"
expect_exit 2 "bad WeightFormat: exit 2" "$BURN" config check "$TINY" "$TMP/bad.yaml"
expect_grep "bad WeightFormat message" "bad.yaml:1:23: key 'Model.WeightFormat': 'int3' is not a weight format \(rom, w8, int4_g32, int4_g64 or int4_g128\)" "$TMP/out"

printf 'Model: {Precision: {default: '"'"'ap_fixed<18,6>'"'"', accum: auto}, WeightFormat: w8}\n' >"$TMP/w8.yaml"
expect_ok "config canon of a w8 config" "$BURN" config canon "$TINY" "$TMP/w8.yaml" -o "$TMP/w8.canon.yaml"
expect_eq "canonical form lists the format per projection" "$(grep -c 'WeightFormat: w8' "$TMP/w8.canon.yaml")" 3
"$BURN" csim "$TINY" "$TMP/w8.yaml" >"$TMP/c1.json" 2>&1
"$BURN" csim "$TINY" "$TMP/w8.canon.yaml" >"$TMP/c2.json" 2>&1
expect_grep "csim of streamed projections runs" '"status": "ok"' "$TMP/c1.json"
expect_ok "csim is deterministic (and the canonical form computes the same)" cmp "$TMP/c1.json" "$TMP/c2.json"
expect_ok "estimate of a w8 config" "$BURN" estimate "$TINY" "$TMP/w8.yaml"
# gate and down: 0 (512 lanes = 8 W8 engines of 64, no BRAM in their Yosys row); up also
# carries the SiLU table's ROM.
expect_eq "estimate: no weight BRAM in gate and down" "$(grep -c '^      "bram18": 0,' "$TMP/out")" 2

printf 'LayerName:\n  fc1: {WeightFormat: w8}\n' >"$TMP/toyw8.yaml"
"$BURN" config default "$TOY" -o "$TMP/facet-dummy.yaml" >/dev/null 2>&1
expect_exit 2 "rtlgen refuses a streamed layer" "$BURN" rtlgen "$TOY" "$TMP/toyw8.yaml" -o "$TMP/rtl"
expect_grep "rtlgen says why" "layer fc1: WeightFormat w8 .* is not supported by the RTL emitter" "$TMP/out"

# 1024 -> 768: 6.3 Mbit at 8 bits, more than the Z2's 280 BRAM18 (5.2 Mbit).
cat >"$TMP/big.yaml" <<EOP
name: wfmt-big-z2
block:
  layers:
    - {name: fc, type: dense, n_in: 1024, n_out: 768, bias: true}
weights: {source: random, seed: 3, distribution: normal, scale: 0}
calibration: {source: random, seed: 4, n: 4, distribution: normal, scale: 1.0}
part: pynq-z2
clock_ns: 10
eps_max: 0.1
search: {strategy: heuristic, rounds: 1, per_round: 6, seed: 1}
reward: {latency: 1.0, lut: 0.25, ff: 0.1, dsp: 0.25, bram: 0.25, latency_ref_ns: 0}
EOP
D="$TMP/sweep"
expect_ok "gen the big block" "$BURN" gen "$TMP/big.yaml" -o "$D"
ninja -C "$D" >"$TMP/run1" 2>&1
expect_eq "ninja succeeds" "$?" 0
expect_eq "heuristic proposes w8 candidates" "$(grep -l 'WeightFormat: w8' "$D"/c/*/config.yaml | wc -l | tr -d ' ')" 2
expect_eq "and INT4 ones" "$(grep -l 'WeightFormat: int4_g128' "$D"/c/*/config.yaml | wc -l | tr -d ' ')" 2
expect_grep "a streamed candidate is feasible" '"tier": "feasible"' "$D/rounds/0/results.json"
best=$(grep -o '"best": *"[0-9a-f]*"' "$D/results.json" | grep -o '[0-9a-f]\{32\}')
expect_grep "the best design streams its weights" 'WeightFormat: (w8|int4_g128)' "$D/c/$best/config.yaml"
expect_grep "best.yaml carries the format as a BurnTTT extension" 'WeightFormat: .*BurnTTT extension' "$D/best.yaml"
ninja -C "$D" >"$TMP/run2" 2>&1
expect_grep "second ninja is a no-op" "^ninja: no work to do.$" "$TMP/run2"
t_done
