#!/bin/sh
# hostile.sh - untrusted author output (docs/RELIABILITY.md). A command author prints
# hostile candidates (shell syntax, ../ paths, newlines, NUL and non-UTF-8 bytes, absurd sizes
# and types, deep nesting); a hand-edited candidates.json and config.yaml lie about ids and
# validity; a project asks for 10^9-element layers; files of 1 GB are offered. Each is
# rejected with a clear error (or becomes a failed candidate whose error the next round
# sees); no hostile string reaches build.ninja; nothing outside the build folder is touched
# (a sentinel beside it survives, no new file appears outside it); an author that hangs
# (ignoring SIGTERM) or floods stdout is stopped within its bounds.
. "$BURN_SRC/tests/lib.sh"
unset BURN_REMOTE_CACHE BURN_NO_CACHE BURN_FAULT
BOX="$TMP/box"
mkdir -p "$BOX/p" "$TMP/outside"
export BURN_CACHE="$BOX/cache"
echo "keep me" >"$TMP/outside/sentinel"
echo "keep me too" >"$TMP/sentinel"
touch "$TMP/marker"
sleep 1 # mtimes: anything created after the marker is newer

# The hostile author: a JSON list of configs, each trying something.
cat >"$BOX/hostile_author" <<'PY'
#!/usr/bin/env python3
import json, sys
sys.stdin.read()
S = "$(touch PWNED_DOLLAR); `touch PWNED_TICK`; touch PWNED_SEMI"
items = [
    "LayerName:\n  '%s':\n    ReuseFactor: 2\n" % S.replace("'", "''"),
    {"config": "Model: {Precision: 'ap_fixed<16,6>; rm -rf ~', Strategy: '`touch PWNED_TICK2`'}", "why": S},
    "LayerName:\n  ../../etc/passwd: {ReuseFactor: 2}\n",
    "LayerName:\n  \"fc1\\nfc2\": {ReuseFactor: 2}\n",
    "Model: {ReuseFactor: 1000000000}\n",
    "Model: {ReuseFactor: 0}\n",
    "Model: {ReuseFactor: 1099511627776}\n",
    "Model: {ReuseFactor: -4}\n",
    "Model: {Precision: 'ap_fixed<65,6>'}\n",
    "Model: {Precision: 'ap_fixed<1000000000,1>'}\n",
    "Model: {Precision: 'ap_fixed<16,99999999999999999999>'}\n",
    "Model: " + "[" * 5000 + "]" * 5000 + "\n",
    "Model: {Precision: 'ap_fixed<16,6>'}\nInclude: /etc/passwd\n",
    "Model: {ReuseFactor: 8}\n" + "#" + "x" * 2000000 + "\n",
]
out = json.dumps(items)
# a config holding a NUL byte and one holding bytes that are not UTF-8
out = out[:-1] + ', "Model: {ReuseFactor: 4}\\u0000$(touch PWNED_NUL)"' + "]"
sys.stdout.buffer.write(out.encode()[:-1] + b', "LayerName: {\\"fc\xff\xfe1\\": {ReuseFactor: 2}}"]')
PY
chmod +x "$BOX/hostile_author"
sed -e "s|^search:.*|search: {strategy: command, command: [$BOX/hostile_author], rounds: 1, per_round: 17, seed: 1}|" \
	"$BURN_SRC/projects/toy-ffn-z2.yaml" >"$BOX/p/h.yaml"
D="$BOX/d"
cd "$BOX" || exit 1
expect_ok "hostile author: gen" "$BURN" gen "$BOX/p/h.yaml" -o "$D"
ninja -C "$D" >"$BOX/h.log" 2>&1
expect_eq "hostile author: the sweep completes (hostile configs are failed candidates)" "$?" 0
C0="$D/rounds/0/candidates.json"
n_bad=$(grep -c '"valid": false' "$C0")
expect_ok "hostile author: $n_bad invalid candidates in round 0 (at least 13)" test "$n_bad" -ge 13
expect_eq "hostile author: no valid candidate but the default and the topped-up ones" \
	"$(grep -c '"origin": "command: item' "$C0")" "$n_bad"
expect_grep "shell syntax in a layer name: an error naming the key" \
	"LayerName.*no layer|no such layer|not a layer" "$C0"
expect_grep "RF 10^9: out of range" "ReuseFactor.*(range|at most|limit)" "$C0"
expect_grep "W > 64: refused" "65" "$C0"
expect_grep "deep nesting: refused" "(deep|nest)" "$C0"
expect_grep "the results name the failures" "failed" "$D/results.csv"
expect_ok "the NUL-holding config was dropped" sh -c "! grep -q PWNED_NUL '$C0'"
expect_ok "the non-UTF-8 config was kept as a (failed) candidate and the list reads back" \
	"$BURN" hlsgen "$D/facets/hlsgen.yaml" "$C0" --id "$(sed -n 's/.*"id": "\([0-9a-f]*\)".*/\1/p' "$C0" | tail -n 1)" -o "$BOX/hl"
for s in 'PWNED' 'rm -rf' 'passwd' '`' '$(' ; do
	expect_ok "build.ninja holds no '$s'" sh -c "! grep -qF -- '$s' '$D/build.ninja'"
done
expect_ok "no file named PWNED* in the box, beside it, in /tmp or the source tree" \
	sh -c "[ -z \"\$(find '$TMP' '$BURN_SRC' /tmp -maxdepth 4 -name 'PWNED*' 2>/dev/null | head -n 1)\" ]"

# A hand-edited candidate list: a path as an id, a lying valid flag, a huge list.
L="$BOX/edited.json"
printf '{"round": 0, "candidates": [{"id": "../../outside/sentinel", "valid": true, "config": "x"}]}' >"$L"
expect_exit 2 "edited list: a path as an id is refused" "$BURN" hlsgen "$D/facets/hlsgen.yaml" "$L" --id 0123456789abcdef0123456789abcdef -o "$BOX/e1"
expect_grep "edited list: ... naming the file and the key" "edited.json:1:[0-9]+: .*id" "$TMP/out"
printf '{"round": 0, "candidates": [{"id": "0123456789abcdef0123456789abcdef", "valid": true, "config": "Model: {ReuseFactor: 0}"}]}' >"$L"
"$BURN" hlsgen "$D/facets/hlsgen.yaml" "$L" --id 0123456789abcdef0123456789abcdef -o "$BOX/e2" >"$TMP/out" 2>&1
rc=$?
if [ "$rc" -ne 0 ]; then
	expect_grep "edited list: a 'valid' config that is not is refused by hlsgen" "ReuseFactor" "$TMP/out"
else
	"$BURN" csim "$D/facets/csim.yaml" "$BOX/e2/config.yaml" -o "$BOX/e2/csim.json" --keep-going >/dev/null 2>&1
	expect_grep "edited list: a 'valid' config that is not fails its evaluation" '"status": "failed"' "$BOX/e2/csim.json"
fi
truncate -s 1G "$BOX/huge.json"
expect_exit 2 "a 1 GB candidate list is refused" "$BURN" hlsgen "$D/facets/hlsgen.yaml" "$BOX/huge.json" --id 0123456789abcdef0123456789abcdef -o "$BOX/e3"
expect_grep "... with the limit said" "larger than the limit" "$TMP/out"
truncate -s 1G "$BOX/huge.yaml"
"$BURN" csim "$D/facets/csim.yaml" "$BOX/huge.yaml" -o "$BOX/huge-csim.json" --keep-going >"$TMP/out" 2>&1
expect_grep "a 1 GB config.yaml is a failed csim with the limit said" "larger than the limit" "$BOX/huge-csim.json"
id0=$(ls "$D/c" | head -n 1)
printf 'LayerName:\n  "$(touch PWNED_CFG)": {ReuseFactor: 2}\n' >"$BOX/evil.yaml"
"$BURN" csim "$D/facets/csim.yaml" "$BOX/evil.yaml" -o "$BOX/evil-csim.json" --keep-going >/dev/null 2>&1
expect_grep "a hostile config.yaml is a failed csim naming the key" '"status": "failed".*|error.*PWNED_CFG' "$BOX/evil-csim.json"

# Projects that ask for absurd sizes.
for spec in "n_in: 1000000000" "n_in: -16" "n_in: 0" "n_in: 65536, n_out: 65536"; do
	sed -e "s|n_in: 16, n_out: 32|$spec, n_out: 32|" -e "s|n_out: 32, n_out: 32|n_out: 32|" \
		"$BURN_SRC/projects/toy-ffn-z2.yaml" >"$BOX/p/size.yaml"
	"$BURN" gen "$BOX/p/size.yaml" -o "$BOX/size" >"$BOX/size.out" 2>&1
	rc=$?
	expect_eq "project with '$spec': refused" "$rc" 2
	expect_grep "project with '$spec': error names file:line:col and the key" "size.yaml:[0-9]+:[0-9]+: .*n_(in|out)" "$BOX/size.out"
done

# Limits (gen/limits.h) on the search, the author and csim's work: each a clear error.
limit_case() { # DESC KEY-REGEX SED-EXPR...
	desc=$1 key=$2
	shift 2
	sed "$@" "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$BOX/p/lim.yaml"
	"$BURN" gen "$BOX/p/lim.yaml" -o "$BOX/lim" >"$BOX/lim.out" 2>&1
	expect_eq "limit: $desc: refused" "$?" 2
	expect_grep "limit: $desc: error names file:line:col, key and limit" "lim.yaml:[0-9]+:[0-9]+: key '$key'.*(range|limit)" "$BOX/lim.out"
}
limit_case "100001 candidates per round" "search.per_round" -e 's/per_round: 8/per_round: 100001/'
limit_case "91 rounds" "search.rounds" -e 's/rounds: 4/rounds: 91/'
limit_case "author output bound over 1 GiB" "search.max_output" -e 's/seed: 1}/seed: 1, max_output: 2000000000}/'
limit_case "author time limit over a day" "search.timeout_s" -e 's/seed: 1}/seed: 1, timeout_s: 1e9}/'
limit_case "65 layers" "block.layers" -e '/- {name: fc2/{p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p;p}'
limit_case "a csim of 2.7e11 multiply-accumulates" "calibration.n" -e 's/  n: 64/  n: 16000/' \
	-e 's/n_in: 16, n_out: 32/n_in: 4096, n_out: 4096/' -e 's/n_in: 32, n_out: 8/n_in: 4096, n_out: 8/'

# An author that ignores SIGTERM and hangs, and one that floods stdout.
cat >"$BOX/stubborn" <<'SH'
#!/bin/sh
trap '' TERM
printf '["Model: {ReuseFactor: 4}",\n'
while :; do sleep 1; done
SH
chmod +x "$BOX/stubborn"
sed -e "s|^search:.*|search: {strategy: command, command: [$BOX/stubborn], timeout_s: 1, rounds: 1, per_round: 3, seed: 1}|" \
	"$BURN_SRC/projects/toy-ffn-z2.yaml" >"$BOX/p/stub.yaml"
"$BURN" gen "$BOX/p/stub.yaml" -o "$BOX/stub" >/dev/null 2>&1
start=$(date +%s)
ninja -C "$BOX/stub" >"$BOX/stub.log" 2>&1
rc=$? took=$(( $(date +%s) - start ))
expect_eq "stubborn author: the sweep completes" "$rc" 0
expect_ok "stubborn author: stopped by SIGKILL after the 1 s limit + 2 s grace (sweep took $took s)" test "$took" -lt 30
expect_grep "stubborn author: the timeout is said" "timed out" "$BOX/stub.log"
sed -e "s|^search:.*|search: {strategy: command, command: [$BURN_SRC/tests/fake/author_flood], max_output: 65536, rounds: 1, per_round: 3, seed: 1}|" \
	"$BURN_SRC/projects/toy-ffn-z2.yaml" >"$BOX/p/flood.yaml"
"$BURN" gen "$BOX/p/flood.yaml" -o "$BOX/flood" >/dev/null 2>&1
ninja -C "$BOX/flood" >"$BOX/flood.log" 2>&1
expect_eq "flooding author: the sweep completes" "$?" 0
expect_grep "flooding author: stopped at its output bound" "(more than|flood|65536)" "$BOX/flood.log"
expect_ok "flooding author: the candidate list stays small" test "$(wc -c <"$BOX/flood/rounds/0/candidates.json")" -lt 200000

# Nothing outside the build folder was touched.
cd "$TMP" || exit 1
expect_eq "the sentinel beside the box survives" "$(cat "$TMP/sentinel")" "keep me too"
expect_eq "the sentinel in a sibling folder survives" "$(cat "$TMP/outside/sentinel")" "keep me"
expect_eq "no new file outside the box" \
	"$(find "$TMP" -newer "$TMP/marker" ! -path "$BOX" ! -path "$BOX/*" ! -path "$TMP/out" ! -path "$TMP" | head -n 3)" ""
t_done
