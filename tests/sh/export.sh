#!/bin/sh
# export.sh - burn export hands a sweep's best design to Vivado/FuseSoC: the RTL it writes
# is the design burn rtlgen writes for that candidate, with a CAPI2 core and the clock.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
sed -e 's/rounds: 4, per_round: 8/rounds: 1, per_round: 3/' "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$TMP/toy.yaml"
"$BURN" gen "$TMP/toy.yaml" -o "$TMP/b" >/dev/null
expect_ok "sweep" ninja -C "$TMP/b"
expect_ok "export the best design" "$BURN" export "$TMP/b" -o "$TMP/x"
best=$(grep -o '"best": "[0-9a-f]*"' "$TMP/b/results.json" | cut -d'"' -f4)
expect_grep "the core names burn_top" "^    toplevel: burn_top" "$TMP/x/burn_top.core"
expect_grep "the core is CAPI2" "^CAPI=2:" "$TMP/x/burn_top.core"
expect_grep "the clock constraint" "create_clock -period 10 -name clk" "$TMP/x/burn_top.xdc"
"$BURN" rtlgen "$TMP/b/facets/csim.yaml" "$TMP/b/c/$best/config.yaml" -o "$TMP/r" >/dev/null
for f in "$TMP"/r/*.v "$TMP"/r/*.hex; do
	expect_ok "$(basename "$f") is rtlgen's" cmp "$f" "$TMP/x/rtl/$(basename "$f")"
done
expect_ok "the hls4ml config is there" grep -q "^LayerName:" "$TMP/x/hls4ml.yaml"
expect_exit 2 "a folder that is no sweep exits 2" "$BURN" export "$TMP" -o "$TMP/y"
t_done
