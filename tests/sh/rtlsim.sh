#!/bin/sh
# rtlsim.sh - burn rtlgen and burn rtlsim: the emitted RTL, co-simulated with Verilator, equals
# burn csim bit for bit for every quantization and overflow mode (with accumulators and results
# that really saturate and wrap), RF = 1, RF < n_in, RF >= n_in, straddling lanes, Latency and
# Resource, unsigned types, a layer without bias; the measured latency equals rtl.json's and
# burn estimate's; a
# corrupted ROM image is a failed candidate naming the first differing output; the Verilator
# build and the step are cached; a timeout and a missing Verilator are failed results; the
# toy project's default config (the promoted-candidate path) co-simulates.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
cd "$TMP" || exit 1
if ! command -v verilator >/dev/null 2>&1; then
	echo "verilator not installed: only the missing-tool case is tested"
fi

# An 8 -> 4 ReLU -> 3 block (fc2 without bias), 16 calibration vectors.
cat >small.yaml <<'EOF'
name: rtl-small
block:
  layers:
    - {name: fc1, type: dense, n_in: 8, n_out: 4, activation: relu, bias: true}
    - {name: fc2, type: dense, n_in: 4, n_out: 3, activation: linear, bias: false}
weights: {source: random, seed: 3, distribution: normal, scale: 0.8}
calibration: {source: random, seed: 4, n: 16, distribution: normal, scale: 1.5}
part: pynq-z2
clock_ns: 10
eps_max: 1.0
EOF

# cfg NAME INPUT W1 B1 ACC1 RES1 RF1 STRATEGY1 W2 ACC2 RES2 RF2 STRATEGY2
cfg() {
	cat >"$1.yaml" <<EOF
LayerName:
  input: {Precision: {result: '$2'}}
  fc1:
    Precision: {weight: '$3', bias: '$4', accum: '$5', result: '$6'}
    ReuseFactor: $7
    Strategy: $8
  fc2:
    Precision: {weight: '$9', accum: '${10}', result: '${11}'}
    ReuseFactor: ${12}
    Strategy: ${13}
EOF
}
# Narrow accumulators and results, so that each layer's casts overflow (csim counts them):
# a: AP_RND/AP_SAT, AP_RND_CONV/AP_WRAP, AP_RND/AP_SAT; fc1 RF 1 (32 lanes, 8-stage chains),
#    fc2 RF 2 < n_in (2-stage chains), Latency and Resource
cfg a 'ap_fixed<8,3,AP_RND,AP_SAT>' 'ap_fixed<6,1>' 'ap_fixed<6,1>' 'ap_fixed<10,1,AP_RND,AP_SAT>' \
	'ap_fixed<9,1,AP_RND_CONV,AP_WRAP>' 1 Latency 'ap_fixed<6,1>' 'ap_fixed<12,0,AP_RND_CONV,AP_WRAP>' \
	'ap_fixed<8,-1,AP_RND,AP_SAT>' 2 Resource
# b: AP_RND_ZERO/AP_SAT_ZERO, AP_RND_MIN_INF/AP_SAT (unsigned result), AP_SAT_SYM twice;
#    fc1 RF 3 (lanes straddle rows, 4 stages), fc2 RF 12 (one multiplier does every row)
cfg b 'ap_fixed<8,3>' 'ap_fixed<6,1,AP_RND,AP_SAT>' 'ap_fixed<6,1>' 'ap_fixed<10,1,AP_RND_ZERO,AP_SAT_ZERO>' \
	'ap_ufixed<8,1,AP_RND_MIN_INF,AP_SAT>' 3 Latency 'ap_fixed<6,1>' \
	'ap_fixed<10,0,AP_RND_MIN_INF,AP_SAT_SYM>' 'ap_fixed<6,-1,AP_RND_ZERO,AP_SAT_SYM>' 12 Latency
# c: AP_RND_INF/AP_WRAP_SM, AP_TRN_ZERO/AP_WRAP_SM, AP_TRN_ZERO/AP_WRAP, AP_RND_INF/AP_SAT_ZERO;
#    unsigned input and fc2 weights; RF = n_in (a row per lane) and RF 5 (rows of 4 per lane)
cfg c 'ap_ufixed<7,2,AP_TRN,AP_SAT>' 'ap_fixed<6,1>' 'ap_fixed<6,1>' 'ap_fixed<10,1,AP_RND_INF,AP_WRAP_SM>' \
	'ap_fixed<8,0,AP_TRN_ZERO,AP_WRAP_SM>' 8 Resource 'ap_ufixed<5,0>' 'ap_fixed<11,0,AP_TRN_ZERO,AP_WRAP>' \
	'ap_fixed<7,-1,AP_RND_INF,AP_SAT_ZERO>' 5 Resource
# d: AP_TRN/AP_WRAP, AP_TRN/AP_SAT, AP_RND/AP_WRAP, AP_RND_CONV/AP_SAT; RF > n_in with lanes
#    that straddle rows (fc1: 3 lanes of 11 products; fc2: 2 lanes of 6)
cfg d 'ap_fixed<8,3>' 'ap_fixed<6,1>' 'ap_fixed<6,1>' 'ap_fixed<12,3,AP_TRN,AP_WRAP>' \
	'ap_fixed<8,2,AP_TRN,AP_SAT>' 12 Resource 'ap_fixed<6,1>' 'ap_fixed<10,1,AP_RND,AP_WRAP>' \
	'ap_fixed<8,0,AP_RND_CONV,AP_SAT>' 6 Resource

# num KEY FILE: the first numeric value of "KEY" in a JSON file.
num() { sed -n "s/^ *\"$1\": \\([-0-9.]*\\),*\$/\\1/p" "$2" | head -n 1; }
# counts KEY FILE: the per-layer values of KEY, space-separated.
counts() { sed -n "s/^ *\"$1\": \\([0-9]*\\),*\$/\\1/p" "$2" | tr '\n' ' '; }

for c in a b c d; do
	expect_ok "$c: csim" "$BURN" csim small.yaml "$c.yaml" -o "$c.csim.json"
	acc=$(counts accum_overflow "$c.csim.json") res=$(counts result_overflow "$c.csim.json")
	expect_eq "$c: every accumulator and result cast overflows in csim (acc: $acc, res: $res)" \
		"$(echo "$acc$res" | grep -c '\b0\b')" 0
	expect_ok "$c: rtlgen" "$BURN" rtlgen small.yaml "$c.yaml" -o "rtl_$c"
	expect_grep "$c: rtl.json ok" '"status": "ok"' "rtl_$c/rtl.json"
	s=$(date +%s)
	expect_ok "$c: rtlsim" "$BURN" rtlsim small.yaml "$c.yaml" "rtl_$c" -o "$c.sim.json"
	echo "     ($c: rtlsim took $(($(date +%s) - s)) s; build $(num build_seconds "$c.sim.json") s, sim $(num sim_seconds "$c.sim.json") s)"
	expect_grep "$c: co-simulation equals csim bit for bit" '"mismatches": 0' "$c.sim.json"
	expect_grep "$c: all 48 outputs compared" '"outputs_compared": 48' "$c.sim.json"
	expect_eq "$c: measured latency is rtl.json's" "$(num cycles "$c.sim.json")" \
		"$(num latency_cycles "rtl_$c/rtl.json")"
	expect_ok "$c: estimate" "$BURN" estimate small.yaml "$c.yaml" -o "$c.est.json"
	expect_eq "$c: the estimated latency is the measured one" "$(num latency_cycles "$c.est.json")" \
		"$(num cycles "$c.sim.json")"
	expect_eq "$c: the estimated II is the RTL's" "$(num ii "$c.est.json")" \
		"$(num ii_cycles "rtl_$c/rtl.json")"
done
expect_grep "a: fc1 at RF 1 is 32 multipliers in 8 stages" '"stages": 8' rtl_a/rtl.json
expect_grep "a: one input per 2 cycles" '"ii_cycles": 2,' a.sim.json
expect_grep "b: fc2 at RF 12 is one multiplier" '"slot_cycles": 12' rtl_b/rtl.json
expect_ok "d: the weights are ROM images" test -s rtl_d/burn_l0_w.hex

# rtlgen leaves unchanged files untouched and removes what is not its design's
touch -d '2001-01-01' rtl_a/burn_top.v
echo "module stale; endmodule" >rtl_a/burn_l7.v
expect_ok "rtlgen again" "$BURN" rtlgen small.yaml a.yaml -o rtl_a
expect_eq "unchanged file keeps its time stamp" "$(date -r rtl_a/burn_top.v +%Y)" 2001
expect_ok "a stale .v file is removed" test ! -e rtl_a/burn_l7.v

# the same run again: the step's cache
expect_ok "a: rtlsim again" "$BURN" rtlsim small.yaml a.yaml rtl_a -o a.sim.json
expect_grep "a: second identical run is a cache hit" '^hit ' a.sim.json.cache

# other calibration inputs, the same Verilog: the step runs, the Verilator build is reused
sed 's/seed: 4/seed: 5/' small.yaml >small5.yaml
expect_ok "a, new inputs: rtlsim" "$BURN" rtlsim small5.yaml a.yaml rtl_a -o a5.sim.json
expect_grep "a, new inputs: the Verilator build comes from the cache" '"verilator_build": "cached"' a5.sim.json
expect_grep "a, new inputs: bit-exact" '"mismatches": 0' a5.sim.json

# a corrupted ROM image: a failed candidate that names the first differing output
cp -r rtl_d rtl_bad
awk 'NR > 1 { n = length($0); $0 = substr($0, 1, n - 1) (substr($0, n) == "0" ? "1" : "0") } { print }' \
	rtl_d/burn_l0_w.hex >rtl_bad/burn_l0_w.hex
expect_exit 1 "corrupt ROM: exit 1 without --keep-going" "$BURN" rtlsim small.yaml d.yaml rtl_bad -o bad.json
expect_ok "corrupt ROM: exit 0 with --keep-going" "$BURN" rtlsim small.yaml d.yaml rtl_bad -o bad.json --keep-going
expect_grep "corrupt ROM: failed" '"status": "failed"' bad.json
expect_grep "corrupt ROM: first differing output shown" \
	'co-simulation mismatch: vector [0-9]+ output [0-9]+: expected raw -?[0-9]+ .*got raw -?[0-9]+' bad.json
expect_grep "corrupt ROM: same Verilog, build from the cache" 'found in the cache' bad.log

# an invalid config: rtlgen records the failure, rtlsim passes it on
sed 's/ReuseFactor: 12/ReuseFactor: 0/' d.yaml >inv.yaml
expect_ok "invalid config: rtlgen --keep-going" "$BURN" rtlgen small.yaml inv.yaml -o rtl_inv --keep-going
expect_grep "invalid config: rtl.json failed" '"status": "failed"' rtl_inv/rtl.json
expect_ok "invalid config: no Verilog left" test -z "$(ls rtl_inv/*.v 2>/dev/null)"
expect_exit 2 "invalid config: rtlgen without --keep-going exits 2" "$BURN" rtlgen small.yaml inv.yaml -o rtl_inv2
expect_ok "invalid config: rtlsim --keep-going" "$BURN" rtlsim small.yaml inv.yaml rtl_inv -o inv.json --keep-going
expect_grep "invalid config: rtlsim failed" '"status": "failed"' inv.json

# a timeout (a fresh cache, so Verilator has to build): failed, and not cached
s=$(date +%s)
BURN_CACHE="$TMP/cache-t" "$BURN" rtlsim small.yaml c.yaml rtl_c -o to.json --keep-going --timeout 1 >/dev/null 2>&1
expect_grep "timeout: failed with the reason" '"error": "verilator build timed out after' to.json
expect_ok "timeout: stopped within seconds" test $(($(date +%s) - s)) -lt 20
rm -f to.log
BURN_CACHE="$TMP/cache-t" "$BURN" rtlsim small.yaml c.yaml rtl_c -o to.json --keep-going --timeout 1 >/dev/null 2>&1
expect_grep "timeout: not cached (the second run builds again)" 'building with Verilator' to.log
expect_eq "timeout: no build left behind" "$(ls "$TMP/cache-t/verilator" 2>/dev/null | wc -l)" 0

# no Verilator in PATH: a clear failed result, never a number
env PATH=/nonexistent "$BURN" rtlsim small.yaml c.yaml rtl_c -o nov.json --keep-going >/dev/null 2>&1
expect_grep "no verilator: failed" '"status": "failed"' nov.json
expect_grep "no verilator: says so" 'verilator not found' nov.json
expect_eq "no verilator: no cycles" "$(grep -c cycles nov.json)" 0

# the promoted-candidate path on the toy project's default config (16 -> 32 -> 8, RF 1)
T="$BURN_SRC/projects/toy-ffn-z2.yaml"
expect_ok "toy: default config" "$BURN" config default "$T" -o toy.yaml
expect_ok "toy: rtlgen" "$BURN" rtlgen "$T" toy.yaml -o rtl_toy --keep-going
s=$(date +%s)
expect_ok "toy: rtlsim" "$BURN" rtlsim "$T" toy.yaml rtl_toy -o toy.sim.json --keep-going
echo "     (toy: rtlsim took $(($(date +%s) - s)) s; build $(num build_seconds toy.sim.json) s, sim $(num sim_seconds toy.sim.json) s)"
expect_grep "toy: bit-exact on 64 vectors" '"outputs_compared": 512' toy.sim.json
expect_grep "toy: mismatches 0" '"mismatches": 0' toy.sim.json
expect_eq "toy: measured latency is rtl.json's" "$(num cycles toy.sim.json)" "$(num latency_cycles rtl_toy/rtl.json)"
"$BURN" estimate "$T" toy.yaml -o toy.est.json >/dev/null 2>&1
expect_eq "toy: the estimated latency is the measured one (58)" "$(num latency_cycles toy.est.json)" \
	"$(num cycles toy.sim.json)"
expect_grep "toy: exact accumulators (plain adders)" '"exact_accum": true' rtl_toy/rtl.json
t_done
