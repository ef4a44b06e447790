#!/bin/sh
# cli.sh - the evaluation commands from the command line: csim and estimate on every example
# project, bad input (a clear one-line error naming the file and place, exit 2, no output file
# left behind), failures recorded as data with --keep-going, and a corrupt cache object
# detected and recomputed.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
cd "$TMP" || exit 1

for p in toy-ffn-z2 nanocoder-v1-mlp-z2 nanocoder-v2-mlp-z2; do
	P="$BURN_SRC/projects/$p.yaml"
	expect_ok "$p: default config" "$BURN" config default "$P" -o "$p.cfg.yaml"
	expect_ok "$p: csim" "$BURN" csim "$P" "$p.cfg.yaml" -o "$p.csim.json"
	expect_grep "$p: csim status ok" '"status": "ok"' "$p.csim.json"
	expect_grep "$p: csim reports max_err" '"max_err": [0-9]' "$p.csim.json"
	expect_ok "$p: estimate" "$BURN" estimate "$P" "$p.cfg.yaml" -o "$p.est.json"
	expect_grep "$p: estimate reports DSPs" '"dsp": [0-9]+' "$p.est.json"
	expect_ok "$p: reward" "$BURN" reward "$P" --csim "$p.csim.json" --estimate "$p.est.json" -o "$p.rw.json"
	expect_grep "$p: reward has a tier" '"tier": "(failed|accuracy|budget|feasible)"' "$p.rw.json"
done

# bad_project NAME YAML-TEXT PATTERN: csim on it exits 2 with a one-line error matching
# PATTERN (file:line:col and key), and leaves no output or temp file.
P0="$BURN_SRC/projects/toy-ffn-z2.yaml"
bad_project() {
	printf '%s\n' "$2" >"bad-$1.yaml"
	rm -f out.json
	"$BURN" csim "bad-$1.yaml" toy-ffn-z2.cfg.yaml -o out.json >/dev/null 2>err.txt
	rc=$?
	expect_eq "$1: exit status 2" "$rc" 2
	expect_eq "$1: one line of error" "$(wc -l <err.txt)" 1
	expect_grep "$1: error names the place" "$3" err.txt
	expect_eq "$1: no output left" "$(ls out.json* 2>/dev/null | wc -l)" 0
}
good=$(sed -n '/^block:/,$p' "$P0" | sed '/^part:/d')
bad_project malformed "block: [unclosed" "bad-malformed.yaml:[0-9]+:[0-9]+: malformed YAML"
bad_project n_in_zero "$(echo "$good" | sed 's/n_in: 16/n_in: 0/')" "bad-n_in_zero.yaml:[0-9]+:[0-9]+: key 'block.layers\[0\].n_in'"
bad_project absurd "$(echo "$good" | sed 's/n_in: 16/n_in: 100000000/')" "key 'block.layers\[0\].n_in'.*range"
bad_project unknown_key "$(echo "$good" | sed 's/^eps_max:/eps_mx:/')" "key 'eps_mx': unknown key \(did you mean 'eps_max'\?\)"
bad_project missing_npy "$(echo "$good" | sed 's/  source: random/  source: npy\n  file: nowhere/' | sed '0,/  source: npy/!b' )" "nowhere"
# a truncated .npy weight file
mkdir -p w
printf '\223NUMPY\001\000' >w/fc1.weight.npy
for t in fc1.bias fc2.weight fc2.bias; do cp w/fc1.weight.npy w/$t.npy; done
bad_project truncated_npy "$(echo "$good" | sed '/^weights:/,/^calibration:/{s/  source: random/  source: npy/;s/  seed: 1/  file: w/;/distribution/d;/scale/d}')" "w/fc1.weight.npy"

# bad type strings in a config: a clear error with the key; exit 2 without --keep-going
bad_config() {
	sed "s/weight: ap_fixed<16,6,AP_TRN,AP_WRAP>/weight: $2/" toy-ffn-z2.cfg.yaml >"bad-$1.cfg.yaml"
	rm -f out.json
	"$BURN" csim "$P0" "bad-$1.cfg.yaml" -o out.json >/dev/null 2>err.txt
	expect_eq "config $1: exit 2" "$?" 2
	expect_grep "config $1: names file, line and key" "bad-$1.cfg.yaml:[0-9]+:[0-9]+: key 'LayerName.fc1.Precision.weight'" err.txt
	expect_eq "config $1: no output left" "$(ls out.json* 2>/dev/null | wc -l)" 0
}
bad_config w0 "ap_fixed<0,3>"
bad_config w70 "ap_fixed<70,3>"
bad_config garbage "ap_fixxed<8,3>"

# --keep-going: the failure is data (status failed, the error text), exit 0; reward: failed
expect_ok "keep-going csim of an invalid config exits 0" "$BURN" csim "$P0" bad-w70.cfg.yaml -o f.csim.json --keep-going
expect_grep "failed csim is recorded" '"status": "failed"' f.csim.json
expect_grep "with the error text" '"error": ".*ap_fixed<70,3>' f.csim.json
expect_ok "keep-going estimate" "$BURN" estimate "$P0" bad-w70.cfg.yaml -o f.est.json --keep-going
expect_ok "reward of a failed candidate" "$BURN" reward "$P0" --csim f.csim.json --estimate f.est.json -o f.rw.json
expect_grep "its tier is failed" '"tier": "failed"' f.rw.json

# a corrupt cache object is detected, reported and recomputed
rm -f c1.json*
"$BURN" csim "$P0" toy-ffn-z2.cfg.yaml -o c1.json >/dev/null 2>&1
expect_grep "first run is a miss" '^miss' c1.json.cache
obj=$("$BURN" cache path "$(cut -d' ' -f2 c1.json.cache)")
expect_ok "the object exists" test -f "$obj"
printf 'X' | dd of="$obj" bs=1 seek=100 conv=notrunc 2>/dev/null
cp c1.json c1.ref
rm -f c1.json
"$BURN" csim "$P0" toy-ffn-z2.cfg.yaml -o c1.json >/dev/null 2>err.txt
expect_grep "the corruption is reported" "corrupt" err.txt
expect_grep "and the step recomputed" '^miss' c1.json.cache
expect_ok "with the same result" cmp c1.json c1.ref
"$BURN" csim "$P0" toy-ffn-z2.cfg.yaml -o c1.json >/dev/null 2>&1
expect_grep "then it hits again" '^hit' c1.json.cache
expect_ok "cache verify finds nothing corrupt" "$BURN" cache verify

# every subcommand has --help
for c in $("$BURN" --help | awk '/^  [a-z]/ && !/--/ {print $1}'); do
	expect_ok "burn $c --help" "$BURN" "$c" --help
done
expect_exit 2 "unknown command exits 2" "$BURN" csmi
expect_grep "with a suggestion" "did you mean 'csim'" "$TMP/out"

t_done
