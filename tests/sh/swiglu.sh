#!/bin/sh
# swiglu.sh - a SwiGLU MLP project swept end to end with real ninja (heuristic and random
# authors): every candidate builds, results.csv has the SiLU and product columns, best.yaml
# lists them, a second ninja is a no-op; the facets keep the swiglu entry; rtlgen records a
# clear "not supported" failure; bad swiglu configs are refused with file, line and key.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
P0="$BURN_SRC/projects/swiglu-tiny-z2.yaml"

for strat in heuristic random; do
	P="$TMP/$strat.yaml"
	sed -e "s/strategy: heuristic, rounds: 3, per_round: 6/strategy: $strat, rounds: 2, per_round: 5/" "$P0" >"$P"
	D="$TMP/b-$strat"
	expect_ok "$strat: gen" "$BURN" gen "$P" -o "$D"
	ninja -C "$D" >"$TMP/run1" 2>&1
	expect_eq "$strat: ninja succeeds" "$?" 0
	expect_eq "$strat: one row per candidate" "$(($(wc -l <"$D/results.csv") - 1))" 10
	expect_grep "$strat: SiLU and product columns" "mlp_gate.strategy,mlp_silu.result,mlp_silu.table,mlp_silu.table_size,mlp_up.weight" "$D/results.csv"
	expect_grep "$strat: product column" "mlp_up.strategy,mlp_mul.result,mlp_down.weight" "$D/results.csv"
	expect_eq "$strat: no candidate failed to build" "$(grep -c ',build,' "$D/results.csv")" 0
	expect_grep "$strat: best.yaml has the SiLU layer" "^  mlp_silu:" "$D/best.yaml"
	expect_grep "$strat: best.yaml has the product layer" "^  mlp_mul:" "$D/best.yaml"
	expect_grep "$strat: a csim result has the SiLU's table error" '"table_max_err"' "$(ls "$D"/c/*/csim.json | head -n 1)"
	ninja -C "$D" >"$TMP/run2" 2>&1
	expect_grep "$strat: second ninja is a no-op" "^ninja: no work to do.$" "$TMP/run2"
done
expect_grep "random: draws other table sizes" ",(64|128|256|512|2048|4096),\"?ap_" "$TMP/b-random/results.csv"

D="$TMP/b-heuristic"
expect_grep "csim facet keeps the swiglu entry" "type: swiglu, n_in: 16, n_hidden: 32, n_out: 16" "$D/facets/csim.yaml"
cfg=$(ls "$D"/c/*/config.yaml | head -n 1)
expect_ok "rtlgen --keep-going records the failure" "$BURN" rtlgen --keep-going "$D/facets/csim.yaml" "$cfg" -o "$TMP/rtl"
expect_grep "rtlgen: not supported by the RTL emitter" '"error": "swiglu .mlp.*not supported by the RTL emitter' "$TMP/rtl/rtl.json"
expect_exit 2 "rtlgen without --keep-going exits 2" "$BURN" rtlgen "$D/facets/csim.yaml" "$cfg" -o "$TMP/rtl2"

# The HLS project computes what csim computes: the default config and the sweep's best
# (compiled against the stand-in ap_fixed of tests/data/synth/ap_shim, not the vendor's).
"$BURN" config default "$P0" -o "$TMP/def.yaml"
printf "LayerName:\n  mlp_silu: {Precision: {table: 'ap_ufixed<12,0,AP_RND>'}, table_size: 256}\n  mlp_up: {ReuseFactor: 16, Strategy: Resource}\n  mlp_mul: {Precision: 'ap_fixed<12,4,AP_RND,AP_SAT>'}\n" >"$TMP/res.yaml"
"$BURN" config canon "$P0" "$TMP/res.yaml" -o "$TMP/res.canon.yaml"
expect_grep "the Resource config is read" "table_size: 256" "$TMP/res.canon.yaml"
SHIM="$BURN_SRC/tests/data/synth/ap_shim"
for c in def res; do
	expect_ok "$c: hlsproj" "$BURN" hlsproj "$P0" "$TMP/$c.yaml" -o "$TMP/hp-$c"
	expect_ok "$c: the SiLU table is a weights file" test -s "$TMP/hp-$c/firmware/weights/t1.h"
	expect_grep "$c: the top calls the SiLU and the product" "burn::mul<act1_t, result2_t, mul2_t" "$TMP/hp-$c/firmware/burn_top.cpp"
	if command -v g++ >/dev/null 2>&1; then
		expect_ok "$c: the C++ compiles (stand-in ap_fixed)" g++ -std=c++14 -O1 -Wno-unknown-pragmas \
			-I"$SHIM" -I"$TMP/hp-$c" -o "$TMP/hp-$c/tb" "$TMP/hp-$c/burn_top_test.cpp" "$TMP/hp-$c/firmware/burn_top.cpp"
		(cd "$TMP/hp-$c" && ./tb) >"$TMP/tb.out" 2>&1
		expect_grep "$c: every output equals burn csim's" '^32 vectors, 0 outputs differ from burn csim$' "$TMP/tb.out"
	else
		echo "g++ is not installed: the C++ check of $c is skipped"
	fi
done

printf 'LayerName:\n  mlp_silu:\n    table_size: 1000\n' >"$TMP/bad.yml"
expect_exit 2 "a table_size that is no power of two is refused" "$BURN" config check "$P0" "$TMP/bad.yml"
expect_grep "with file, line and key" "bad.yml:3:17: key 'LayerName.mlp_silu.table_size': 1000 is not a power of two" "$TMP/out"
printf 'name: x\nblock:\n  layers:\n    - {name: m, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4, activation: relu}\n' >"$TMP/badp.yaml"
expect_exit 2 "a swiglu entry takes no activation" "$BURN" config default "$TMP/badp.yaml"
expect_grep "named by file, line and key" "badp.yaml:4:63: key 'block.layers\[0\].activation': unknown key" "$TMP/out"
t_done
