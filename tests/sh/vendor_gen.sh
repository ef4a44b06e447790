#!/bin/sh
# vendor_gen.sh - the vendor flow in a sweep (hardware.vendor, docs/HLS.md): burn gen finds the
# fake vitis_hls and vivado of tests/fake/ on PATH, and real ninja sends each round's promoted
# candidate through hlsproj, hls and vivado; the reward takes Vivado's resources and HLS's
# latency and says so (fidelity "hls+vivado"). Without the tools (auto) no such edges appear,
# and a user who installs them later gets them by running burn gen again; vendor: on without
# them is an error naming the key; a tool that fails is a failed candidate, not a stopped sweep.
# The fake tools write the same sample reports for every design: this checks burn's side only.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
export FAKE_TOOL_LOG="$TMP/tools.log"
unset FAKE_MODE BURN_HLS_CSIM
FAKES="$BURN_SRC/tests/fake"
cd "$TMP" || exit 1
: >"$FAKE_TOOL_LOG"
# PATH without the fakes (the vendor tools are not installable here, so none are on it)
BARE=$PATH
fake() { PATH="$FAKES:$BARE" "$@"; }
field() { sed -n "s/^  \"$2\": \(.*\)\$/\1/p" "$1" | sed 's/,$//' | head -n 1; }
ids() { grep -o '"id": "[0-9a-f]*"' "$1" | cut -d'"' -f4; }
# project HW-SECTION: toy-ffn-z2, 2 rounds of 3, with that hardware section
project() {
	sed -e "s/^search: .*/search: {strategy: heuristic, rounds: 2, per_round: 3, seed: 1}\nhardware: $1/" \
		"$BURN_SRC/projects/toy-ffn-z2.yaml"
}
project '{top_k: 1, rtlsim: false, synth: false}' >toy.yaml

# ---- the tools on PATH (auto): the sweep uses them ---------------------------------------------
expect_ok "gen with the fake tools on PATH" fake "$BURN" gen toy.yaml -o b
expect_grep "the manifest records what gen found, for its regeneration" \
	'^regen_flags = --vendor-tools vitis_hls,vivado$' b/build.ninja
fake ninja -C b >run1 2>&1
expect_eq "one ninja runs the sweep" "$?" 0
expect_ok "results.csv written" test -s b/results.csv
for r in 0 1; do
	id=$(ids "b/rounds/$r/promoted.json")
	expect_eq "round $r promoted one candidate" "$(echo "$id" | wc -w)" 1
	c="c/$id"
	expect_grep "round $r: an hlsproj edge" "^build $c/hls/hlsproj.json: hlsproj facets/hls.yaml $c/config.yaml\$" b/build.ninja
	expect_grep "round $r: an hls edge on the project" "^build $c/hls.json: hls $c/hls/hlsproj.json\$" b/build.ninja
	expect_grep "round $r: a vivado edge after hls" "^build $c/vivado.json: vivado $c/hls.json \| $c/hls/hlsproj.json\$" b/build.ninja
	expect_grep "round $r: the reward reads both" "^  hw = --hls $c/hls.json --vivado $c/vivado.json \$" b/build.ninja
	expect_grep "round $r: the HLS project is there" '^set top burn_top$' "b/$c/hls/build_prj.tcl"
	expect_grep "round $r: hlsproj.json has the files' digest" '"digest": "[0-9a-f]{32}"' "b/$c/hls/hlsproj.json"
	expect_grep "round $r: hls ok" '"status": "ok"' "b/$c/hls.json"
	expect_grep "round $r: vivado ok" '"status": "ok"' "b/$c/vivado.json"
	# the numbers of the samples: Vivado's resources, HLS's worst-case latency
	expect_grep "round $r: the fidelity says which" '"fidelity": "hls\+vivado"' "b/$c/hw_reward.json"
	expect_eq "round $r: Vivado's LUTs (LUT as Logic)" "$(field "b/$c/hw_reward.json" lut)" 8780
	expect_eq "round $r: Vivado's FFs" "$(field "b/$c/hw_reward.json" ff)" 4210
	expect_eq "round $r: Vivado's BRAM18" "$(field "b/$c/hw_reward.json" bram18)" 5
	expect_eq "round $r: HLS's worst-case latency" "$(field "b/$c/hw_reward.json" latency_cycles)" 14
	expect_eq "round $r: at the project's clock" "$(field "b/$c/hw_reward.json" latency_ns)" 140
	expect_grep "round $r: the estimate beside it" '"est_lut": [0-9]' "b/$c/hw_reward.json"
	expect_grep "round $r: the round's results carry it" '"fidelity": "hls\+vivado"' "b/rounds/$r/results.json"
	expect_grep "round $r: results.csv has the row with its fidelity" "^$r,$id,.*,8780,4210,128,5,14,140,hls\\+vivado," b/results.csv
done
expect_grep "results.csv has a fidelity column" '^round,id,.*,latency_ns,fidelity,input,' b/results.csv
expect_grep "the others stay at the estimate" ',estimate,' b/results.csv
expect_grep "results.json carries the fidelity" '"fidelity": "hls\+vivado"' b/results.json
expect_eq "vitis_hls ran once per promoted candidate" "$(grep -c '^vitis_hls -f build_prj.tcl | cwd=hls | BURN_HLS_CSIM=$' "$FAKE_TOOL_LOG")" 2
expect_grep "vitis_hls ran the script's synthesis" '^  tcl: csynth_design$' "$FAKE_TOOL_LOG"
expect_grep "vivado ran out of context in the project" '^vivado -mode batch -source vivado_synth.tcl \| cwd=hls$' "$FAKE_TOOL_LOG"
# the fakes export the same stub RTL for every design: the second vivado is a cache hit
expect_eq "vivado: one run, one cache hit (same fake RTL)" \
	"$(grep -c '^vivado -mode' "$FAKE_TOOL_LOG") $(cat b/c/*/vivado.json.cache | grep -c '^hit ')" "1 1"
expect_grep "HLS ran in the synth pool" '^rule hls$' "$BURN_SRC/rules/burn.ninja"
expect_eq "hls and vivado run in the synth pool under the launcher" \
	"$(sed -n '/^rule \(hls\|vivado\)$/,/^$/p' "$BURN_SRC/rules/burn.ninja" | grep -c -e '^  pool = synth$' -e 'command = \$launcher \$burn \(hls\|vivado\) \$dir -o \$out --keep-going --timeout \$timeout')" 4
expect_grep "the project's vendor timeout (default 7200 s)" '^  timeout = 7200$' b/build.ninja
fake ninja -C b >run2 2>&1
expect_grep "a second ninja is a no-op" '^ninja: no work to do.$' run2
fake "$BURN" status b >status.out 2>&1
expect_grep "burn status says the best design's fidelity" '^best: .*\(fidelity (estimate|hls\+vivado)\)$' status.out

# regeneration writes the same manifest, whatever PATH ninja runs with
cp b/build.ninja manifest1
expect_ok "--regen without the tools on PATH" "$BURN" gen toy.yaml -o b --regen --vendor-tools vitis_hls,vivado
expect_ok "--regen: the same manifest" cmp manifest1 b/build.ninja
ninja -C b -t commands build.ninja | grep ' gen .* --regen ' | tail -n 1 >regen.cmd
expect_grep "ninja's regeneration passes what gen found" ' --regen --vendor-tools vitis_hls,vivado$' regen.cmd

# a fresh build folder on the warm cache: vivado is a hit, but vitis_hls must run again to
# export the RTL vivado would read (the cache holds results, not the exported RTL)
n=$(grep -c '^vitis_hls -f' "$FAKE_TOOL_LOG")
expect_ok "gen in a fresh folder" fake "$BURN" gen toy.yaml -o b2
expect_ok "ninja in a fresh folder" fake ninja -C b2
expect_eq "fresh folder: vitis_hls exported again for each promoted candidate" \
	"$(grep -c '^vitis_hls -f' "$FAKE_TOOL_LOG")" $((n + 2))
expect_eq "fresh folder: vivado was served from the cache" "$(cat b2/c/*/vivado.json.cache | grep -c '^hit ')" 2
expect_ok "fresh folder: the same results" cmp b/rounds/1/results.json b2/rounds/1/results.json
id=$(ids b/rounds/0/promoted.json)
expect_ok "hls --rtl with the RTL still there" fake "$BURN" hls "b/c/$id/hls" -o again/hls.json --rtl
expect_grep "hls --rtl with the RTL there: a cache hit" '^hit ' again/hls.json.cache

# ---- the reward's choice of numbers ---------------------------------------------------------
c="b/c/$id"
printf '{"step": "rtlsim", "status": "ok", "cycles": 99, "mismatches": 0}\n' >rtlsim.json
expect_ok "reward with rtlsim, hls and vivado" "$BURN" reward b/facets/reward.yaml --csim "$c/csim.json" \
	--estimate "$c/estimate.json" --rtlsim rtlsim.json --hls "$c/hls.json" --vivado "$c/vivado.json" -o r1.json
expect_eq "HLS's latency wins over rtlsim's cycles" "$(field r1.json latency_cycles)" 14
expect_eq "rtlsim's cycles are kept beside" "$(field r1.json rtlsim_cycles)" 99
expect_grep "the fidelity: HLS's latency, Vivado's resources" '"fidelity": "hls\+vivado"' r1.json
sed 's/"latency_cycles": 14/"latency_cycles": null/' "$c/hls.json" >undef.json
expect_ok "reward with an HLS latency of undef" "$BURN" reward b/facets/reward.yaml --csim "$c/csim.json" \
	--estimate "$c/estimate.json" --rtlsim rtlsim.json --hls undef.json --vivado "$c/vivado.json" -o r2.json
expect_eq "no HLS latency: rtlsim's cycles" "$(field r2.json latency_cycles)" 99
expect_grep "and the fidelity says so" '"fidelity": "rtlsim\+vivado"' r2.json
expect_ok "reward with hls alone" "$BURN" reward b/facets/reward.yaml --csim "$c/csim.json" \
	--estimate "$c/estimate.json" --hls "$c/hls.json" -o r3.json
expect_eq "hls alone: HLS's LUT estimate" "$(field r3.json lut)" 9876
expect_grep "hls alone: fidelity hls" '"fidelity": "hls"' r3.json
expect_exit 2 "a result given to the wrong option" "$BURN" reward b/facets/reward.yaml --csim "$c/csim.json" \
	--estimate "$c/estimate.json" --synth "$c/hls.json"
expect_grep "names the file and both steps" 'hls.json is a result of burn hls, not of burn synth' "$TMP/out"

# ---- a tool that fails: a failed candidate, the sweep goes on ---------------------------------
expect_ok "gen (failing tools)" fake "$BURN" gen toy.yaml -o bf
BURN_CACHE="$TMP/cache-fail" FAKE_MODE=fail PATH="$FAKES:$BARE" ninja -C bf >runf 2>&1
expect_eq "failing vitis_hls: ninja still succeeds" "$?" 0
expect_ok "failing vitis_hls: every round reported" test -s bf/results.csv
for r in 0 1; do
	id=$(ids "bf/rounds/$r/promoted.json")
	expect_grep "round $r: the candidate failed" '"tier": "failed"' "bf/c/$id/hw_reward.json"
	expect_grep "round $r: in the hls step" '"failed_step": "hls"' "bf/c/$id/hw_reward.json"
	expect_grep "round $r: with the tool's words" 'vitis_hls exit 1; log tail:.*fake synthesis failure' "bf/c/$id/hw_reward.json"
done
expect_eq "failing vitis_hls: nothing cached as ok" "$(cat bf/c/*/hls.json.cache 2>/dev/null | grep -c '^hit ')" 0

# ---- the tools absent (auto): no vendor edges; installed later: burn gen again ----------------
expect_ok "gen without the tools" "$BURN" gen toy.yaml -o n
expect_grep "the manifest records that none were found" '^regen_flags = --vendor-tools none$' n/build.ninja
expect_ok "ninja without the tools" ninja -C n
expect_eq "no hls, vivado or hlsproj edges" "$(grep -c -E '^build [^:]*: (hlsproj|hls|vivado) ' n/build.ninja)" 0
expect_eq "no vendor results" "$(ls n/c/*/hls.json 2>/dev/null | wc -l)" 0
expect_ok "gen with vivado alone (it synthesises what vitis_hls exports)" "$BURN" gen toy.yaml -o n --vendor-tools vivado
expect_eq "vivado alone: no vendor edges" "$(grep -c -E '^build [^:]*: (hlsproj|hls|vivado) ' n/build.ninja)" 0
# the user installs the tools and runs burn gen again
expect_ok "gen again with the tools installed" fake "$BURN" gen toy.yaml -o n
fake ninja -C n >runn 2>&1
expect_eq "ninja after the tools came" "$?" 0
id=$(ids n/rounds/0/promoted.json)
expect_grep "the promoted candidate now has the vendor numbers" '"fidelity": "hls\+vivado"' "n/c/$id/hw_reward.json"

# ---- vendor: off / on / a bad value -------------------------------------------------------------
project '{top_k: 1, rtlsim: false, synth: true, vendor: off}' >off.yaml
# (in the finished folder of the first sweep: its rounds and promotion lists are there)
expect_ok "vendor: off with the tools on PATH" fake "$BURN" gen off.yaml -o b
expect_grep "vendor: off: still the promotion" '^build rounds/1/promoted.json: promote ' b/build.ninja
expect_grep "vendor: off: and Yosys" '^build c/[0-9a-f]*/synth.json: synth ' b/build.ninja
expect_eq "vendor: off: no vendor edges" "$(grep -c -E '^build [^:]*: (hlsproj|hls|vivado) ' b/build.ninja)" 0
project '{top_k: 1, rtlsim: false, synth: false, vendor: on}' >on.yaml
expect_exit 2 "vendor: on without the tools" "$BURN" gen on.yaml -o on
hl=$(grep -n '^hardware:' on.yaml | cut -d: -f1)
expect_grep "names file, line and key, and the tools" \
	"on.yaml:$hl:[0-9]+: key 'hardware.vendor': on, but vitis_hls and vivado are not on PATH" "$TMP/out"
mkdir -p only-hls && ln -s "$FAKES/vitis_hls" only-hls/vitis_hls
PATH="$TMP/only-hls:$BARE" "$BURN" gen on.yaml -o on >"$TMP/out" 2>&1
expect_grep "vendor: on with vitis_hls alone names vivado" "key 'hardware.vendor': on, but vivado is not on PATH" "$TMP/out"
expect_ok "vendor: on with the tools" fake "$BURN" gen on.yaml -o on
project '{top_k: 1, vendor: yes}' >bad.yaml
expect_exit 2 "vendor: a bad value" "$BURN" gen bad.yaml -o bad
expect_grep "a bad value: file, line, key and the choices" \
	"bad.yaml:$hl:[0-9]+: key 'hardware.vendor': 'yes' is not one of auto, on, off" "$TMP/out"
project '{top_k: 1, vendor_timeout_s: 0}' >badt.yaml
expect_exit 2 "vendor_timeout_s: 0" "$BURN" gen badt.yaml -o bad
expect_grep "vendor_timeout_s: names the key" "key 'hardware.vendor_timeout_s'" "$TMP/out"
expect_exit 2 "--vendor-tools: an unknown tool" "$BURN" gen toy.yaml -o bad --vendor-tools quartus
t_done
