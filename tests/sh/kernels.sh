#!/bin/sh
# kernels.sh - burn kernels check: usage errors; the quick golden subset (Qwen INT4 and
# NanoCoder W8A8 cases) passes C vs float and RTL bit-exact, with simulated cycles in the JSON;
# a missing Verilator fails the RTL checks and says so. With KERNELS_FULL=1 (make
# kernels-check) also: an engine with a broken rounding constant is caught, naming the first
# differing row. Verilator builds are cached in build/kernels-cache (one per engine, reused by
# later runs), so only the first run pays for them (~30 s each).
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$BURN_SRC/build/kernels-cache"

expect_exit 2 "an unknown suite is bad input" "$BURN" kernels check --suite nope
expect_grep "which names the suites" "unknown suite 'nope' \(qwen-int4, nanocoder-w8a8 or all\)" "$TMP/out"
expect_exit 2 "an unknown option is bad input" "$BURN" kernels check --fast
expect_exit 2 "an unknown subcommand is bad input" "$BURN" kernels chek
expect_ok "help" "$BURN" kernels --help

expect_ok "quick, C vs float only" "$BURN" kernels check --quick --no-rtl
expect_grep "says the RTL is skipped" "^--no-rtl: the RTL checks are skipped" "$TMP/out"
expect_grep "5 cases" "^5 passed, 0 failed$" "$TMP/out"

# no Verilator in PATH: the RTL checks fail, and the output says why
expect_exit 1 "without Verilator the RTL checks fail" env PATH=/nonexistent "$BURN" kernels check --quick --case v1-qkv
expect_grep "says Verilator is missing" "^verilator not found in PATH" "$TMP/out"
expect_grep "the case fails for it" "^FAIL nanocoder-w8a8/v1-qkv-s0: RTL: verilator not found" "$TMP/out"

if ! command -v verilator >/dev/null 2>&1; then
	fail "verilator not installed: the RTL checks of the quick suite cannot run"
	t_done
	exit
fi
expect_ok "quick suite with RTL" "$BURN" kernels check --quick -o "$TMP/k.json"
cp "$TMP/out" "$TMP/quick.out"
expect_grep "all pass" "^5 passed, 0 failed$" "$TMP/quick.out"
expect_grep "INT4 tile, bit-exact" "^ok   qwen-int4/k-g32-s0 .*RTL bit-exact, RTL tile rows [0-9]+-[0-9]+ of 256, [0-9]+ cycles" "$TMP/quick.out"
expect_grep "W8A8 saturating case, bit-exact" "^ok   nanocoder-w8a8/v1-proj-s1-sat .*RTL bit-exact, [0-9]+ cycles" "$TMP/quick.out"
# without stalls an INT4 tile of 64 rows x 1536/64 steps takes 1536 cycles plus the pipeline
tr -d ' \n' <"$TMP/k.json" >"$TMP/k1.json"
c=$(grep -o '"name":"qwen-int4/k-g32-s0"[^}]*' "$TMP/k1.json" | grep -o '"cycles":[0-9]*' | cut -d: -f2)
if [ -n "$c" ] && [ "$c" -ge 1536 ] && [ "$c" -le 1560 ]; then pass "full-rate INT4 engine ($c cycles)"; else fail "INT4 cycles '$c' not in [1536, 1560]"; fi
c=$(grep -o '"name":"nanocoder-w8a8/v1-qkv-s0"[^}]*' "$TMP/k1.json" | grep -o '"cycles":[0-9]*' | cut -d: -f2)
if [ -n "$c" ] && [ "$c" -ge 3072 ] && [ "$c" -le 3090 ]; then pass "full-rate W8A8 engine ($c cycles)"; else fail "W8A8 cycles '$c' not in [3072, 3090]"; fi

# softmax and RoPE error report; their RTL co-simulated against C
expect_ok "softmax/RoPE report with RoPE RTL" "$BURN" kernels attn
expect_grep "RoPE RTL bit-exact" "^RoPE RTL \(kernels/rtl_gemv/rope_rot.v\): [0-9]+ pairs bit-exact" "$TMP/out"
expect_grep "softmax RTL bit-exact" "^softmax RTL \(kernels/rtl_gemv/softmax_unit.v\): 8 vectors, 2550 scores bit-exact" "$TMP/out"
expect_grep "softmax table rows" "^\| 2\^-8 \| 4096 \(d < 16\) \| 0\.000[0-9]+ \|" "$TMP/out"

if [ "${KERNELS_FULL:-0}" = 1 ]; then
	# a requantiser that rounds with 2^shift instead of 2^(shift-1) must be caught
	cp -r "$BURN_SRC/kernels/rtl_gemv" "$TMP/rtl"
	sed -i 's/(sd - 6.d1)/sd/' "$TMP/rtl/gemv_w8a8.v"
	if grep -q '<<< sd)' "$TMP/rtl/gemv_w8a8.v"; then pass "fault injected"; else fail "fault not injected"; fi
	expect_exit 1 "a broken engine fails" env BURN_GEMV_RTL="$TMP/rtl" "$BURN" kernels check --quick --case v1-proj
	expect_grep "naming the first differing row" "^FAIL nanocoder-w8a8/v1-proj-s1-sat: RTL vs C: row [0-9]+: RTL y -?[0-9]+, C -?[0-9]+" "$TMP/out"
	# a RoPE unit that truncates instead of rounding must be caught too
	sed -i 's/34.sd8192/34'"'"'sd0/g' "$TMP/rtl/rope_rot.v"
	if grep -q "sd0;" "$TMP/rtl/rope_rot.v"; then pass "RoPE fault injected"; else fail "RoPE fault not injected"; fi
	expect_exit 1 "a broken RoPE unit fails" env BURN_GEMV_RTL="$TMP/rtl" "$BURN" kernels attn
	expect_grep "naming the pair" "^RoPE RTL: FAIL: pair [0-9]+ .*RTL -?[0-9]+ -?[0-9]+, C -?[0-9]+ -?[0-9]+" "$TMP/out"
	# and a softmax unit that truncates its output
	sed -i "s/64'h80000000/64'h0/" "$TMP/rtl/softmax_unit.v"
	if grep -q "64'h0;" "$TMP/rtl/softmax_unit.v"; then pass "softmax fault injected"; else fail "softmax fault not injected"; fi
	expect_exit 1 "a broken softmax unit fails" env BURN_GEMV_RTL="$TMP/rtl" "$BURN" kernels attn
	expect_grep "naming the score" "^softmax RTL: FAIL: vector [0-9]+ score [0-9]+ \(x -?[0-9]+\): RTL [0-9]+, C [0-9]+" "$TMP/out"
fi
t_done
