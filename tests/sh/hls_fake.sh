#!/bin/sh
# hls_fake.sh - the HLS flow (burn hlsproj, burn hls, burn vivado) end to end against the fake
# vitis_hls and vivado of tests/fake/, which log their arguments and the script's commands and
# write the sample reports of tests/data/synth. The real tools are not installable here: this
# checks burn's side (the emitted project and scripts, the command lines, the parsing, the
# cache, failures as data), not the vendor tools' behaviour. With g++, the emitted C++ is also
# compiled against a stand-in ap_fixed header (tests/data/synth/ap_shim, not the vendor's) and
# its testbench must reproduce burn csim's outputs bit for bit.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
export FAKE_TOOL_LOG="$TMP/tools.log"
unset FAKE_MODE BURN_HLS_CSIM
FAKES="$BURN_SRC/tests/fake"
Z2="$BURN_SRC/projects/toy-ffn-z2.yaml"
SHIM="$BURN_SRC/tests/data/synth/ap_shim"
cd "$TMP" || exit 1
: >"$FAKE_TOOL_LOG"

field() { sed -n "s/^  \"$2\": \(.*\)\$/\1/p" "$1" | sed 's/,$//' | head -n 1; }
# fake CMD...: runs burn with the fake tools first in PATH
fake() { PATH="$FAKES:$PATH" "$@"; }

# ---- burn hlsproj ---------------------------------------------------------------------------
expect_ok "default config" "$BURN" config default "$Z2" -o lat.yaml
expect_ok "hlsproj" "$BURN" hlsproj "$Z2" lat.yaml -o lat
for f in firmware/burn_top.cpp firmware/burn_top.h firmware/defines.h firmware/parameters.h \
	firmware/burn_dense.h firmware/weights/w1.h firmware/weights/b1.h firmware/weights/w2.h \
	firmware/weights/b2.h burn_top_test.cpp tb_data/tb_input_features.dat \
	tb_data/tb_output_predictions.dat build_prj.tcl vivado_synth.tcl hlsproj.json; do
	expect_ok "hlsproj writes $f" test -s "lat/$f"
done
expect_grep "hlsproj.json: ok" '"status": "ok"' lat/hlsproj.json
expect_grep "defines.h: the input type" '^typedef ap_fixed<16,6,AP_TRN,AP_WRAP> input_t;$' lat/firmware/defines.h
expect_grep "defines.h: the lossless accumulator of fc1" '^typedef ap_fixed<37,17,AP_TRN,AP_WRAP> accum1_t;$' lat/firmware/defines.h
expect_grep "defines.h: sizes" '^#define N_INPUT 16$' lat/firmware/defines.h
expect_grep "parameters.h: RF 1" 'reuse_factor = 1;' lat/firmware/parameters.h
expect_grep "parameters.h: 512 multipliers for fc1" 'n_mult = 512;' lat/firmware/parameters.h
expect_grep "parameters.h: fc1 has ReLU" 'relu = true;' lat/firmware/parameters.h
expect_grep "w1.h: 512 weights" 'static const weight1_t w1\[512\] = \{' lat/firmware/weights/w1.h
expect_grep "Latency: the top is one pipeline" '^#pragma HLS PIPELINE$' lat/firmware/burn_top.cpp
expect_grep "Latency: dense_latency" 'burn::dense_latency<input_t, result1_t, config1>' lat/firmware/burn_top.cpp
expect_grep "dense_latency: II = ReuseFactor" 'PIPELINE II = CONFIG_T::reuse_factor' lat/firmware/burn_dense.h
expect_grep "dense_latency: a multiplier limit" 'ALLOCATION operation instances = mul limit = CONFIG_T::n_mult' lat/firmware/burn_dense.h
expect_grep "build_prj.tcl: the part's device" '^set part xc7z020clg400-1$' lat/build_prj.tcl
expect_grep "build_prj.tcl: the clock" '^set clock_ns 10$' lat/build_prj.tcl
expect_grep "build_prj.tcl: create_clock" '^create_clock -period \$\{clock_ns\} -name default$' lat/build_prj.tcl
expect_grep "build_prj.tcl: set_top" '^set_top \$\{top\}$' lat/build_prj.tcl
expect_grep "build_prj.tcl: csynth_design" '^csynth_design$' lat/build_prj.tcl
expect_grep "build_prj.tcl: export_design" '^export_design -format ip_catalog' lat/build_prj.tcl
expect_grep "vivado_synth.tcl: out of context" '^synth_design -top \$top -part \$part -mode out_of_context$' lat/vivado_synth.tcl
expect_grep "vivado_synth.tcl: utilization report" '^report_utilization -file reports/utilization.rpt$' lat/vivado_synth.tcl
expect_grep "vivado_synth.tcl: timing report" '^report_timing_summary -file reports/timing_summary.rpt$' lat/vivado_synth.tcl
expect_eq "tb_data: 64 calibration vectors" "$(wc -l <lat/tb_data/tb_input_features.dat)" 64
expect_eq "tb_data: 16 inputs a line" "$(head -n 1 lat/tb_data/tb_input_features.dat | wc -w)" 16
expect_eq "tb_data: 8 expected outputs a line" "$(head -n 1 lat/tb_data/tb_output_predictions.dat | wc -w)" 8
# the same inputs give the same bytes (and keep their mtime, for restat)
touch -t 200101010000 lat/firmware/defines.h
expect_ok "hlsproj again" "$BURN" hlsproj "$Z2" lat.yaml -o lat
expect_eq "an unchanged file keeps its mtime" "$(date -r lat/firmware/defines.h +%Y)" 2001

cat >res.yaml <<'EOF'
LayerName:
  input: {Precision: {result: 'ap_fixed<12,4,AP_RND,AP_SAT>'}}
  fc1:
    Precision: {weight: 'ap_fixed<8,2,AP_RND_CONV,AP_SAT_SYM>', bias: 'ap_fixed<8,2>', accum: 'ap_fixed<9,2,AP_RND,AP_SAT>', result: 'ap_fixed<10,4,AP_RND_ZERO,AP_SAT>'}
    ReuseFactor: 8
    Strategy: Resource
  fc2:
    Precision: {weight: 'ap_fixed<7,1>', bias: 'ap_ufixed<6,1,AP_RND_MIN_INF,AP_SAT>', accum: 'ap_fixed<9,1,AP_RND_INF,AP_WRAP>', result: 'ap_fixed<9,3,AP_TRN_ZERO,AP_SAT_ZERO>'}
    ReuseFactor: 3
    Strategy: Latency
EOF
expect_ok "hlsproj of a Resource config" "$BURN" hlsproj "$Z2" res.yaml -o res --top my_block
expect_ok "--top names the files" test -s res/firmware/my_block.cpp -a -s res/my_block_test.cpp
expect_grep "--top in the TCL" '^set top my_block$' res/build_prj.tcl
expect_grep "Resource: the top is a dataflow" '^#pragma HLS DATAFLOW$' res/firmware/my_block.cpp
expect_grep "Resource: dense_resource" 'burn::dense_resource<input_t, result1_t, config1>' res/firmware/my_block.cpp
expect_grep "Resource: weights reshaped by the multipliers" 'ARRAY_RESHAPE variable = w cyclic factor = CONFIG_T::n_mult' res/firmware/burn_dense.h
expect_grep "Resource: 64 multipliers for RF 8" 'n_mult = 64;' res/firmware/parameters.h
expect_grep "RF 3 of 256 products: 86 multipliers" 'n_mult = 86;' res/firmware/parameters.h
expect_grep "the types' modes are kept" 'typedef ap_ufixed<6,1,AP_RND_MIN_INF,AP_SAT,0>|typedef ap_ufixed<6,1,AP_RND_MIN_INF,AP_SAT> bias2_t;' res/firmware/defines.h

printf 'LayerName:\n  fc9: {ReuseFactor: 2}\n' >bad.yaml
expect_exit 2 "an invalid config: exit 2" "$BURN" hlsproj "$Z2" bad.yaml -o badp
expect_ok "an invalid config with --keep-going" "$BURN" hlsproj "$Z2" bad.yaml -o badp --keep-going
expect_grep "an invalid config: hlsproj.json says failed" '"status": "failed"' badp/hlsproj.json
expect_grep "an invalid config: and why" 'fc9' badp/hlsproj.json
expect_exit 2 "a top that is not an identifier" "$BURN" hlsproj "$Z2" lat.yaml -o x --top 'a b'

# ---- the emitted C++ computes what burn csim computes -----------------------------------------
if command -v g++ >/dev/null 2>&1; then
	# (pd, not d: lib.sh's helpers use d)
	for p in lat:burn_top res:my_block; do
		pd=${p%%:*} top=${p#*:}
		expect_ok "$pd: the C++ compiles (with the stand-in ap_fixed)" \
			g++ -std=c++14 -O1 -Wno-unknown-pragmas -I"$SHIM" -I"$pd" -o "$pd/tb" "$pd/${top}_test.cpp" "$pd/firmware/$top.cpp"
		(cd "$pd" && ./tb) >"$TMP/tb.out" 2>&1
		expect_eq "$pd: the testbench passes" "$?" 0
		expect_grep "$pd: every output equals burn csim's" '^64 vectors, 0 outputs differ from burn csim$' "$TMP/tb.out"
	done
	"$BURN" csim "$Z2" res.yaml >res.csim.json 2>&1
	expect_grep "the Resource config saturates its accumulator (an order-sensitive case)" '"accum_overflow": [1-9]' res.csim.json
	# a wrong expected value is caught
	sed '1s/^[^ ]*/1234.5/' res/tb_data/tb_output_predictions.dat >res/tb_data/p && mv res/tb_data/p res/tb_data/tb_output_predictions.dat
	(cd res && ./tb) >"$TMP/tb.out" 2>&1
	expect_eq "a differing output fails the testbench" "$?" 1
	expect_grep "and is counted" '^64 vectors, 1 outputs differ' "$TMP/tb.out"
else
	echo "g++ is not installed: the C++ checks are skipped"
fi

# ---- burn hls against the fake vitis_hls ----------------------------------------------------
expect_ok "hls" fake "$BURN" hls lat -o h1/hls.json
expect_grep "hls: vitis_hls -f build_prj.tcl in the project folder" '^vitis_hls -f build_prj.tcl \| cwd=lat \| BURN_HLS_CSIM=$' "$FAKE_TOOL_LOG"
expect_grep "hls: the version is asked for the key" '^vitis_hls -version' "$FAKE_TOOL_LOG"
expect_grep "hls: the script opens the project" 'tcl: open_project -reset \$\{top\}_prj' "$FAKE_TOOL_LOG"
expect_grep "hls: the script sets the part" 'tcl: set_part \$\{part\}' "$FAKE_TOOL_LOG"
expect_grep "hls: status ok" '"status": "ok"' h1/hls.json
expect_grep "hls: tool" '"tool": "vitis_hls"' h1/hls.json
expect_grep "hls: tool version" '"tool_version": "Vitis HLS .*v2022.2' h1/hls.json
expect_eq "hls: LUT" "$(field h1/hls.json lut)" 9876
expect_eq "hls: FF" "$(field h1/hls.json ff)" 4521
expect_eq "hls: DSP" "$(field h1/hls.json dsp)" 128
expect_eq "hls: BRAM_18K" "$(field h1/hls.json bram18)" 2
expect_eq "hls: URAM" "$(field h1/hls.json uram)" 0
expect_eq "hls: worst latency" "$(field h1/hls.json latency_cycles)" 14
expect_eq "hls: best latency" "$(field h1/hls.json latency_best)" 13
expect_eq "hls: interval" "$(field h1/hls.json ii)" 5
expect_eq "hls: latency in ns at the target clock" "$(field h1/hls.json latency_ns)" 140
expect_grep "hls: estimated clock" '"clock_ns_est": 6.91' h1/hls.json
expect_eq "hls: what HLS does not report is null" "$(field h1/hls.json logic_depth)" null
expect_grep "hls: a cache miss" '^miss ' h1/hls.json.cache
n=$(wc -l <"$FAKE_TOOL_LOG")
expect_ok "hls again" fake "$BURN" hls lat -o h2/hls.json
expect_grep "hls again: a cache hit" '^hit ' h2/hls.json.cache
expect_eq "hls again: vitis_hls did not synthesise" "$(grep -c '^vitis_hls -f' "$FAKE_TOOL_LOG")" 1
expect_ok "hls again: the same result" cmp h1/hls.json h2/hls.json
expect_ok "hls --csim" fake "$BURN" hls lat -o h3/hls.json --csim
expect_grep "hls --csim: BURN_HLS_CSIM=1 for the script" 'cwd=lat \| BURN_HLS_CSIM=1$' "$FAKE_TOOL_LOG"
expect_grep "hls --csim: a different key" '^miss ' h3/hls.json.cache
expect_ok "hls of the --top project" fake "$BURN" hls res -o h4/hls.json
expect_ok "the fake wrote my_block's report" test -s res/my_block_prj/solution1/syn/report/my_block_csynth.xml

# ---- burn vivado against the fake vivado ---------------------------------------------------
expect_ok "vivado" fake "$BURN" vivado lat -o v1/vivado.json
expect_grep "vivado: -mode batch -source vivado_synth.tcl in the project folder" '^vivado -mode batch -source vivado_synth.tcl \| cwd=lat$' "$FAKE_TOOL_LOG"
expect_grep "vivado: the script synthesises out of context" 'tcl: synth_design -top \$top -part \$part -mode out_of_context' "$FAKE_TOOL_LOG"
expect_grep "vivado: status ok" '"status": "ok"' v1/vivado.json
expect_grep "vivado: tool" '"tool": "vivado"' v1/vivado.json
expect_eq "vivado: LUT as logic" "$(field v1/vivado.json lut)" 8780
expect_eq "vivado: LUT as memory" "$(field v1/vivado.json lutram)" 32
expect_eq "vivado: registers" "$(field v1/vivado.json ff)" 4210
expect_eq "vivado: DSPs" "$(field v1/vivado.json dsp)" 128
expect_eq "vivado: 2.5 BRAM tiles = 5 BRAM18" "$(field v1/vivado.json bram18)" 5
expect_eq "vivado: CARRY4" "$(field v1/vivado.json carry)" 964
expect_eq "vivado: worst slack" "$(field v1/vivado.json wns_ns)" 1.234
expect_grep "vivado: the device of the report" '"part": "xc7z020clg400-1"' v1/vivado.json
expect_ok "vivado again" fake "$BURN" vivado lat -o v2/vivado.json
expect_grep "vivado again: a cache hit" '^hit ' v2/vivado.json.cache
FAKE_MODE=notiming fake "$BURN" vivado res -o v3/vivado.json >"$TMP/out" 2>&1
expect_grep "vivado without a timing report: ok" '"status": "ok"' v3/vivado.json
expect_eq "vivado without a timing report: no slack" "$(field v3/vivado.json wns_ns)" null

# ---- failures are data ----------------------------------------------------------------------
# fail TOOL MODE PATTERN: the step fails as a candidate (exit 0 with --keep-going, a failed
# result matching PATTERN), nothing cached
fail_case() {
	cmd=$1 mode=$2 pat=$3
	rm -rf "f-$cmd-$mode"
	cp -r res "f-$cmd-$mode-prj"
	echo "// $mode" >>"f-$cmd-$mode-prj/firmware/parameters.h"   # a key of its own
	FAKE_MODE=$mode fake "$BURN" "$cmd" "f-$cmd-$mode-prj" -o "f-$cmd-$mode/r.json" --timeout 2 --keep-going >"$TMP/out" 2>&1
	expect_eq "$cmd $mode: exit 0 with --keep-going" "$?" 0
	expect_grep "$cmd $mode: a failed result" '"status": "failed"' "f-$cmd-$mode/r.json"
	expect_grep "$cmd $mode: says why" "$pat" "f-$cmd-$mode/r.json"
}
fail_case hls fail 'vitis_hls exit 1; log tail:.*fake synthesis failure'
fail_case hls crash 'vitis_hls killed by signal 11'
fail_case hls hang 'vitis_hls timed out after'
fail_case hls garbage 'csynth.xml: malformed XML'
fail_case hls noreport 'its report is missing'
fail_case vivado fail 'vivado exit 1; log tail:.*fake failure'
fail_case vivado garbage "no 'Slice Registers' row|utilization.rpt"
expect_ok "a timed-out hls is not cached" test ! -e f-hls-hang/r.json.cache
expect_ok "a failed vivado is not cached (a licence may be missing for a while)" test ! -e f-vivado-fail/r.json.cache
# (res is cached as ok from above: a copy of its own)
cp -r res res2 && echo "// copy" >>res2/firmware/parameters.h
FAKE_MODE=fail fake "$BURN" hls res2 -o nokeep/r.json >"$TMP/out" 2>&1
expect_eq "a failure without --keep-going exits 1" "$?" 1
expect_grep "and still writes the result" '"status": "failed"' nokeep/r.json

mkdir -p empty
PATH="$TMP/empty" "$BURN" hls lat -o none/hls.json --keep-going >"$TMP/out" 2>&1
expect_grep "no vitis_hls: a failed result saying so" 'vitis_hls not found in PATH' none/hls.json
PATH="$TMP/empty" "$BURN" vivado lat -o none/vivado.json --keep-going >"$TMP/out" 2>&1
expect_grep "no vivado: a failed result saying so" 'vivado not found in PATH' none/vivado.json
cp -r lat fresh && rm -rf fresh/burn_top_prj
fake "$BURN" vivado fresh -o fresh/vivado.json --keep-going >"$TMP/out" 2>&1
expect_grep "vivado before hls: run burn hls first" 'run burn hls first' fresh/vivado.json
expect_exit 1 "hls of a folder without build_prj.tcl" fake "$BURN" hls empty -o x.json
expect_grep "hls of a folder without build_prj.tcl: a failed result" 'build_prj.tcl: cannot open' x.json
fake "$BURN" hls badp -o badp/hls.json --keep-going >"$TMP/out" 2>&1
expect_eq "hls of a candidate hlsproj could not write: exit 0 with --keep-going" "$?" 0
expect_grep "hls of a candidate hlsproj could not write: hlsproj's reason" "hlsproj.json says failed: .*fc9" badp/hls.json
expect_exit 2 "hls without -o" fake "$BURN" hls lat

t_done
