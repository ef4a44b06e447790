#!/bin/sh
# synth.sh - burn synth with the real Yosys on two small hand-written designs
# (tests/data/synth/mac4: 4 DSP lanes and a $readmemh ROM; mix: a RAMB18, LUT RAM and a carry
# chain), both families, the cache (a second run restores the result without Yosys), and the
# failures that must become failed candidates: a syntax error, a timeout, a crash (a fake
# yosys that kills itself), a malformed stat.json, Yosys missing, a bad RTL folder.
# When `burn rtlgen` exists it also synthesises emitted blocks and compares the DSPs with the
# estimator's: one per multiplier from a ROM (RF 3, 5, 32), fewer with constant weights (RF 1).
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
D="$BURN_SRC/tests/data/synth"
Z2="$BURN_SRC/projects/toy-ffn-z2.yaml"
cd "$TMP" || exit 1
mkdir -p bin empty

# field FILE KEY: the number (or null) of a top-level key of a result file
field() { sed -n "s/^  \"$2\": \(.*\),\{0,1\}\$/\1/p" "$1" | sed 's/,$//' | head -n 1; }

# ---- usage and bad input: exit 2 ----------------------------------------------------------
expect_exit 2 "no -o" "$BURN" synth "$Z2" "$D/mac4"
expect_exit 2 "a negative timeout" "$BURN" synth "$Z2" "$D/mac4" -o x.json --timeout -1
expect_exit 2 "an unknown option" "$BURN" synth "$Z2" "$D/mac4" -o x.json --fast
printf 'name: nopart\nclock_ns: 10\n' >nopart.yaml
expect_exit 2 "a facet without a part" "$BURN" synth nopart.yaml "$D/mac4" -o x.json
expect_grep "the error names the part section" "part" "$TMP/out"

# ---- Yosys missing -------------------------------------------------------------------------
PATH="$TMP/empty" "$BURN" synth "$Z2" "$D/mac4" -o missing/synth.json --keep-going >"$TMP/out" 2>&1
expect_eq "no yosys: exit 0 with --keep-going" "$?" 0
expect_grep "no yosys: a failed result" '"status": "failed"' missing/synth.json
expect_grep "no yosys: it says so" 'yosys not found' missing/synth.json
PATH="$TMP/empty" "$BURN" synth "$Z2" "$D/mac4" -o missing/synth.json >"$TMP/out" 2>&1
expect_eq "no yosys: exit 1 without --keep-going" "$?" 1

if ! command -v yosys >/dev/null 2>&1; then
	echo "yosys is not installed: the synthesis runs are skipped"
	t_done
	exit $?
fi

# ---- a real run: mac4 on xc7 --------------------------------------------------------------
start=$(date +%s)
expect_ok "mac4 synthesises" "$BURN" synth "$Z2" "$D/mac4" -o a/synth.json --keep-going
echo "mac4 xc7: $(( $(date +%s) - start )) s"
expect_grep "mac4: status ok" '"status": "ok"' a/synth.json
expect_grep "mac4: the tool and its version" '"tool_version": "Yosys [0-9]' a/synth.json
expect_eq "mac4: one DSP48E1 per lane" "$(field a/synth.json dsp)" 4
expect_grep "mac4: DSP48E1 cells" '"DSP48E1": 4' a/synth.json
expect_eq "mac4: no block RAM (a 4-word ROM is logic)" "$(field a/synth.json bram18)" 0
expect_grep "mac4: LUTs counted" '"lut": [1-9][0-9]*,' a/synth.json
expect_grep "mac4: flip-flops counted" '"ff": [1-9][0-9]*,' a/synth.json
expect_grep "mac4: a logic depth" '"logic_depth": [1-9][0-9]*,' a/synth.json
expect_grep "mac4: the family" '"part": "xc7"' a/synth.json
expect_grep "mac4: the time it took" '"seconds": [0-9.]+' a/synth.json
expect_grep "a cache miss is recorded" '^miss [0-9a-f]{32}$' a/synth.json.cache
expect_grep "the script maps for the part's family" '^synth_xilinx -flatten -family xc7 -noiopad -top burn_top$' a/yosys/synth.ys
expect_grep "the script writes a machine-readable stat" 'tee -q -o stat.json stat -json' a/yosys/synth.ys
expect_ok "the ROM file is copied beside the Verilog" cmp "$D/mac4/mac4_w.hex" a/yosys/mac4_w.hex
expect_ok "Yosys wrote its stat" test -s a/yosys/stat.json

# the cache: the same RTL elsewhere is restored, Yosys does not run
start=$(date +%s)
expect_ok "the second run" "$BURN" synth "$Z2" "$D/mac4" -o b/synth.json --keep-going
expect_grep "the second run is a cache hit" '^hit [0-9a-f]{32}$' b/synth.json.cache
expect_ok "the hit restores the same bytes" cmp a/synth.json b/synth.json
expect_ok "Yosys did not run for the hit" test ! -d b/yosys
expect_ok "the hit took no Yosys time" test $(( $(date +%s) - start )) -le 2
# an identical existing result is left untouched (Ninja's restat)
touch -t 200101010000 b/synth.json
"$BURN" synth "$Z2" "$D/mac4" -o b/synth.json >/dev/null 2>&1
expect_eq "an identical result keeps its mtime" "$(date -r b/synth.json +%Y)" 2001
# a changed ROM file is a different key
cp -r "$D/mac4" mac4b
printf '1a2b3c4d\nf1e2d3c4\n5f6e7d8c\n9ab0c1d3\n' >mac4b/mac4_w.hex
"$BURN" synth "$Z2" mac4b -o c/synth.json --timeout 0.2 --keep-going >/dev/null 2>&1
expect_grep "a changed .hex file misses the cache" '"status": "failed"' c/synth.json

# ---- the other family ----------------------------------------------------------------------
sed 's/^part: pynq-z2$/part: aws-f2/' "$Z2" >f2.yaml
start=$(date +%s)
BURN_PARTS="$BURN_SRC/projects/parts" "$BURN" synth f2.yaml "$D/mac4" -o f2/synth.json --keep-going >"$TMP/out" 2>&1
echo "mac4 xcup: $(( $(date +%s) - start )) s"
expect_grep "xcup: status ok" '"status": "ok"' f2/synth.json
expect_grep "xcup: DSP48E2 cells" '"DSP48E2": 4' f2/synth.json
expect_grep "xcup: the family" '"part": "xcup"' f2/synth.json
expect_grep "xcup: -family xcup" '^synth_xilinx -flatten -family xcup ' f2/yosys/synth.ys

# ---- memories: mix --------------------------------------------------------------------------
start=$(date +%s)
expect_ok "mix synthesises" "$BURN" synth "$Z2" "$D/mix" -o mix/synth.json --keep-going
echo "mix xc7: $(( $(date +%s) - start )) s"
expect_eq "mix: a 36 x 512 ROM is one RAMB18" "$(field mix/synth.json bram18)" 1
expect_eq "mix: RAMB18 cells" "$(field mix/synth.json ramb18)" 1
expect_eq "mix: a 32 x 8 register file is 2 RAM32M = 8 LUTs of LUT RAM" "$(field mix/synth.json lutram)" 8
expect_eq "mix: a 9-bit counter is 3 CARRY4" "$(field mix/synth.json carry)" 3
expect_eq "mix: its path is an inverter and 3 CARRY4" "$(field mix/synth.json logic_depth)" 4

# ---- failures are data ----------------------------------------------------------------------
"$BURN" synth "$Z2" "$D/bad" -o bad/synth.json >"$TMP/out" 2>&1
expect_eq "a syntax error: exit 1 without --keep-going" "$?" 1
expect_grep "a syntax error: a failed result anyway" '"status": "failed"' bad/synth.json
expect_grep "a syntax error: Yosys' message in the error" 'syntax error' bad/synth.json
expect_ok "a syntax error with --keep-going" "$BURN" synth "$Z2" "$D/bad" -o bad2/synth.json --keep-going
expect_grep "a syntax error: the exit status" 'yosys exit 1' bad2/synth.json

# (a design of its own: the cache would answer for one synthesised above)
cp -r "$D/mix" mixt && echo "// a copy for the timeout test" >>mixt/burn_top.v
expect_ok "a timeout with --keep-going" "$BURN" synth "$Z2" mixt -o slow/synth.json --timeout 0.3 --keep-going
expect_grep "a timeout: a failed result" '"status": "failed"' slow/synth.json
expect_grep "a timeout: it says so" 'yosys timed out after' slow/synth.json
expect_grep "a timeout: with the log tail" 'log tail' slow/synth.json
expect_ok "a timeout: not cached" test ! -e slow/synth.json.cache
expect_ok "a timeout again" "$BURN" synth "$Z2" mixt -o slow2/synth.json --timeout 0.3 --keep-going
expect_grep "a timeout is not restored from the cache" 'timed out' slow2/synth.json

# a crashing yosys: a fake earlier in PATH that answers -V and kills itself
cat >bin/yosys <<'EOF'
#!/bin/sh
if [ "$1" = -V ]; then echo "Yosys 0.23 (fake that crashes)"; exit 0; fi
echo "ABC: starting the mapping"
kill -SEGV $$
EOF
chmod +x bin/yosys
PATH="$TMP/bin:$PATH" "$BURN" synth "$Z2" "$D/mac4" -o crash/synth.json >"$TMP/out" 2>&1
expect_eq "a crash: exit 1 without --keep-going" "$?" 1
expect_grep "a crash: a failed result" '"status": "failed"' crash/synth.json
expect_grep "a crash: the signal" 'killed by signal 11' crash/synth.json
expect_grep "a crash: the log tail" 'ABC: starting the mapping' crash/synth.json
expect_ok "a crash: not cached" test ! -e crash/synth.json.cache

# a yosys that exits 0 but leaves a malformed stat.json
cat >bin/yosys <<'EOF'
#!/bin/sh
if [ "$1" = -V ]; then echo "Yosys 0.23 (fake with a bad stat)"; exit 0; fi
printf '{"design": {"num_cells_by_type": {"LUT6": 12' >stat.json
echo '{"modules": {}}' >netlist.json
EOF
PATH="$TMP/bin:$PATH" "$BURN" synth "$Z2" "$D/mac4" -o badstat/synth.json --keep-going >"$TMP/out" 2>&1
expect_eq "a malformed stat.json: exit 0 with --keep-going" "$?" 0
expect_grep "a malformed stat.json: a failed result" '"status": "failed"' badstat/synth.json
expect_grep "a malformed stat.json: it says where" 'stat.json: malformed JSON' badstat/synth.json
expect_ok "a malformed stat.json: no number made up" sh -c "! grep -q '\"lut\"' badstat/synth.json"
# an old stat.json in the scratch folder is not read after a run that wrote none
mkdir -p stale/yosys && cp "$D/mac4.stat.json" stale/yosys/stat.json
cat >bin/yosys <<'EOF'
#!/bin/sh
if [ "$1" = -V ]; then echo "Yosys 0.23 (fake that writes nothing)"; exit 0; fi
exit 0
EOF
PATH="$TMP/bin:$PATH" "$BURN" synth "$Z2" "$D/mac4" -o stale/synth.json --keep-going >"$TMP/out" 2>&1
expect_grep "a stale stat.json is not read" '"status": "failed"' stale/synth.json

# bad RTL folders
expect_ok "a missing RTL folder" "$BURN" synth "$Z2" nowhere -o norl/synth.json --keep-going
expect_grep "a missing RTL folder: failed" 'cannot open the RTL folder' norl/synth.json
mkdir -p nov && echo 00 >nov/rom.hex
expect_ok "no .v file" "$BURN" synth "$Z2" nov -o nov/synth.json --keep-going
expect_grep "no .v file: failed" 'no .v file' nov/synth.json
mkdir -p norl2 && printf '{"step": "rtlgen", "status": "failed", "error": "beyond the emitter"}\n' >norl2/rtl.json
expect_ok "an RTL folder rtlgen could not fill" "$BURN" synth "$Z2" norl2 -o norl2/synth.json --keep-going
expect_grep "an RTL folder rtlgen could not fill: its reason" 'rtl.json says failed: beyond the emitter' norl2/synth.json
mkdir -p oddname && cp "$D/mac4/burn_top.v" "oddname/a b.v"
expect_ok "an odd file name" "$BURN" synth "$Z2" oddname -o oddname/synth.json --keep-going
expect_grep "an odd file name: failed" 'is not \[A-Za-z0-9_.\+-\]' oddname/synth.json

# ---- burn rtlgen output, when the RTL emitter is there --------------------------------------
if "$BURN" --help 2>/dev/null | grep -q '^  rtlgen '; then
	cat >rtl.yaml <<'EOF'
LayerName:
  input: {Precision: {result: 'ap_fixed<8,3>'}}
  fc1: {Precision: {weight: 'ap_fixed<8,3>', bias: 'ap_fixed<8,3>', accum: 'ap_fixed<24,10>', result: 'ap_fixed<8,3>'}, ReuseFactor: 32, Strategy: Resource}
  fc2: {Precision: {weight: 'ap_fixed<8,3>', bias: 'ap_fixed<8,3>', accum: 'ap_fixed<24,10>', result: 'ap_fixed<8,3>'}, ReuseFactor: 32, Strategy: Resource}
EOF
	if "$BURN" rtlgen "$Z2" rtl.yaml -o rtl >"$TMP/out" 2>&1; then
		start=$(date +%s)
		expect_ok "rtlgen output synthesises" "$BURN" synth "$Z2" rtl -o rtl-synth/synth.json --keep-going
		echo "toy-ffn-z2 at RF 32 (rtlgen): $(( $(date +%s) - start )) s"
		"$BURN" estimate "$Z2" rtl.yaml -o rtl-est.json >/dev/null 2>&1
		expect_grep "rtlgen output: status ok" '"status": "ok"' rtl-synth/synth.json
		expect_eq "rtlgen output: Yosys DSPs = the estimator's multipliers" \
			"$(field rtl-synth/synth.json dsp)" "$(field rtl-est.json mults)"
	else
		echo "burn rtlgen failed (skipped): $(tail -n 3 "$TMP/out")"
	fi
	# an 8 -> 4 -> 3 block at RF 3 (lanes straddle outputs, a ROM of 3 words) and RF 5 with
	# 18-bit operands on the PYNQ-Z2: one DSP48E1 per estimated multiplier
	cat >small.yaml <<'EOF2'
name: synth-small
block:
  layers:
    - {name: fc1, type: dense, n_in: 8, n_out: 4, activation: relu, bias: true}
    - {name: fc2, type: dense, n_in: 4, n_out: 3, activation: linear, bias: false}
weights: {source: random, seed: 3, distribution: normal, scale: 0.8}
calibration: {source: random, seed: 4, n: 4, distribution: normal, scale: 1.5}
part: pynq-z2
clock_ns: 10
eps_max: 1.0
EOF2
	for rf in 3 5; do
		printf "Model:\n  Precision: {default: 'ap_fixed<18,6>', weight: 'ap_fixed<18,2>', accum: 'ap_fixed<40,12>'}\n  ReuseFactor: $rf\n" >small$rf.yaml
		"$BURN" rtlgen small.yaml small$rf.yaml -o small$rf >/dev/null 2>&1
		"$BURN" estimate small.yaml small$rf.yaml -o small$rf.est.json >/dev/null 2>&1
		expect_ok "8->4->3 at RF $rf synthesises" "$BURN" synth small.yaml small$rf -o small$rf.synth.json
		expect_eq "8->4->3 at RF $rf, 18-bit operands: Yosys DSPs = estimated multipliers" \
			"$(field small$rf.synth.json dsp)" "$(field small$rf.est.json mults)"
		expect_eq "8->4->3 at RF $rf: estimated DSPs = multipliers" \
			"$(field small$rf.est.json dsp)" "$(field small$rf.est.json mults)"
	done
	# RF 1: every lane multiplies by a constant weight, which Yosys folds by value (0 and
	# +-2^k are shifts, equal products on one input merge); 4-bit weights make many such
	# lanes. 10 x 4-bit operands: the estimate's DSPs (from the weights) are Yosys' count.
	printf "Model:\n  Precision: {default: 'ap_fixed<10,4>', weight: 'ap_fixed<4,2>', accum: 'ap_fixed<24,10>'}\n  ReuseFactor: 1\n" >small1.yaml
	"$BURN" rtlgen small.yaml small1.yaml -o small1 >/dev/null 2>&1
	"$BURN" estimate small.yaml small1.yaml -o small1.est.json >/dev/null 2>&1
	start=$(date +%s)
	expect_ok "8->4->3 at RF 1 synthesises" "$BURN" synth small.yaml small1 -o small1.synth.json
	echo "8->4->3 at RF 1: $(( $(date +%s) - start )) s"
	expect_eq "8->4->3 at RF 1, constant weights: Yosys DSPs = estimated DSPs" \
		"$(field small1.synth.json dsp)" "$(field small1.est.json dsp)"
	expect_ok "8->4->3 at RF 1: the constants save DSPs ($(field small1.est.json dsp) of $(field small1.est.json mults))" \
		test "$(field small1.est.json dsp)" -lt "$(field small1.est.json mults)"
else
	echo "burn rtlgen is not there yet: its synthesis is skipped"
fi

t_done
