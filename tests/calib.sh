#!/bin/sh
# calib.sh - `make calib`: the estimator against Yosys and Verilator (docs/ESTIMATE.md).
# Not part of `make check`: the first run synthesises every config (tens of minutes on the
# 2-core machine); `burn synth` and `burn rtlsim` results are cached by content hash, so a
# re-run after a change to the estimator takes seconds.
#
# For a fixed, seeded set of configs across the example projects (CALIB_SEED, default 1) it
# runs burn csim, rtlgen and synth (Yosys under nice, at most CALIB_JOBS = 2 at once) for every
# config, then rtlsim for every config, then estimate and reward (once with the estimate only,
# once with Yosys' resources and the measured cycles), then prints a table per config and the summary: sMAPE per resource, the exact
# latency count, the fit/no-fit agreement against the part's budget and the ranking quality
# (Spearman, Kendall tau-b, top-k overlap between the estimated and the hardware reward).
# Files: CALIB_DIR (default out/calib): ID/ per config, calib.tsv (one row per config),
# summary.txt. CALIB_ONLY=pattern restricts to config ids matching the grep pattern;
# CALIB_BURN=path runs another burn binary than bin/burn (a copy of it is used, so that
# rebuilding bin/burn during a run does not break it). CALIB_NO_RTLSIM=1 skips the Verilator
# runs (cycles are then not compared). `calib.sh --table` only rebuilds the table from the
# results already there.
set -u
src=$(cd "$(dirname "$0")/.." && pwd)
burn=${CALIB_BURN:-$src/bin/burn}
dir=${CALIB_DIR:-$src/out/calib}
seed=${CALIB_SEED:-1}
jobs=${CALIB_JOBS:-2}
export BURN_CACHE="${BURN_CACHE:-$dir/cache}"

# field FILE KEY: a top-level number of a result file ("" when absent or null)
field() {
	sed -n "s/^  \"$2\": \([-0-9.e+]*\),\{0,1\}\$/\1/p" "$1" 2>/dev/null | head -n 1
}
# partval PART KEY: a number of projects/parts/PART.yaml
partval() { sed -n "s/^$2: *\([0-9]*\).*/\1/p" "$src/projects/parts/$1.yaml" | head -n 1; }

# ---- one config: the steps, results in $dir/ID/ ------------------------------------------
# --one: csim, estimate, rtlgen, synth and the estimate-only reward; --sim: rtlsim and the
# hardware reward (a second pass, so that every config is synthesised first)
if [ "${1:-}" = --one ] || [ "${1:-}" = --sim ]; then
	mode=$1 id=$2 proj=$3
	d="$dir/$id"
	cd "$d" || exit 1
	t0=$(date +%s)
	if [ "$mode" = --one ]; then
		"$burn" csim "$proj" config.yaml -o csim.json --keep-going >>log 2>&1
		"$burn" rtlgen "$proj" config.yaml -o rtl --keep-going >>log 2>&1
		nice -n 10 "$burn" synth "$proj" rtl -o synth.json --keep-going --timeout 3600 >>log 2>&1
		echo "$id: synth $(( $(date +%s) - t0 )) s ($(cut -c1-4 synth.json.cache 2>/dev/null))"
	else
		nice -n 10 "$burn" rtlsim "$proj" config.yaml rtl -o rtlsim.json --keep-going \
			--timeout 3600 >>log 2>&1
		echo "$id: rtlsim $(( $(date +%s) - t0 )) s ($(cut -c1-4 rtlsim.json.cache 2>/dev/null))"
	fi
	exit 0
fi

# ---- the config set -------------------------------------------------------------------------
# One line per config: ID PROJECT RF STRATEGY INPUT WEIGHT ACCUM RESULT, drawn with a
# Park-Miller generator in awk (the same in every awk) from per-project lists. Small blocks
# everywhere (Yosys on the 128x512 nanocoder layers is minutes even at high RF), a few
# nanocoder configs at high RF.
configs() {
	awk -v seed="$seed" '
	function rnd(n) { x = (x * 16807) % 2147483647; return int(x / 2147483647 * n) }
	function pick(s,   a, n) { n = split(s, a, " "); return a[rnd(n) + 1] }
	function fx(w, i, m) { return "ap_fixed<" w "," i m ">" }
	function one(id, proj, rf,   xw, ww, rw, aw, acc, st, q, res) {
		xw = pick("4 6 8 8 10 12 14 16 16 18")
		ww = pick("3 4 6 8 8 10 12 14 16 18")
		rw = pick("6 8 10 12 16 16")
		st = pick("Latency Resource")
		q = pick("- ,AP_RND ,AP_RND_CONV,AP_SAT ,AP_RND,AP_SAT")
		if (q == "-") q = ""
		res = fx(rw, int(rw / 2), q)
		if (rnd(2)) acc = "auto"
		else {
			aw = xw + ww + pick("-6 -2 0 2 4")
			if (aw < 8) aw = 8
			if (aw > 40) aw = 40
			q = pick("- ,AP_RND ,AP_RND,AP_SAT ,AP_TRN,AP_SAT")
			acc = fx(aw, int(aw / 2) - 2, q == "-" ? "" : q)
		}
		printf "%s %s %s %s %s %s %s %s\n", id, proj, rf, st, fx(xw, int(xw / 2) - 1, ""),
			fx(ww, 2, ""), acc, res
	}
	BEGIN {
		x = 12345 + seed * 7919
		for (k = 0; k < 10; k++) rnd(2)
		one("toy00", "toy-ffn-z2", 1)
		for (k = 1; k <= 15; k++)
			one(sprintf("toy%02d", k), "toy-ffn-z2", pick("2 4 8 8 16 16 32 32 64 128 256 512"))
		for (k = 0; k < 8; k++)
			one(sprintf("jetz%02d", k), "jet-tagging-3layer-z2", pick("16 32 32 64 64 128 256 1024"))
		for (k = 0; k < 5; k++)
			one(sprintf("jetf%02d", k), "jet-tagging-3layer-f2", pick("16 32 64 128 512"))
		one("nano00", "nanocoder-v1-mlp-z2", 2048)
		one("nano01", "nanocoder-v1-mlp-z2", 4096)
		one("nano02", "nanocoder-v1-mlp-z2", 8192)
	}'
}

command -v yosys >/dev/null 2>&1 || { echo "calib: yosys is not installed" >&2; exit 1; }
[ -n "${CALIB_NO_RTLSIM:-}" ] || command -v verilator >/dev/null 2>&1 ||
	{ echo "calib: verilator is not installed (or set CALIB_NO_RTLSIM=1)" >&2; exit 1; }
[ -x "$burn" ] || { echo "calib: build bin/burn first" >&2; exit 1; }
mkdir -p "$dir" || exit 1
configs | grep -e "${CALIB_ONLY:-.}" >"$dir/configs.txt"
while read -r id proj rf st tin tw tacc tres; do
	mkdir -p "$dir/$id"
	cat >"$dir/$id/config.yaml.tmp" <<EOF
# calib.sh config $id (seed $seed)
Model:
  Precision: {default: '$tres', weight: '$tw', bias: '$tw', accum: '$tacc', result: '$tres'}
  ReuseFactor: $rf
  Strategy: $st
LayerName:
  input: {Precision: {result: '$tin'}}
EOF
	if cmp -s "$dir/$id/config.yaml.tmp" "$dir/$id/config.yaml"; then
		rm -f "$dir/$id/config.yaml.tmp"
	else
		mv "$dir/$id/config.yaml.tmp" "$dir/$id/config.yaml"
	fi
done <"$dir/configs.txt"

# a copy of the binary, so that rebuilding bin/burn during a run does not break it
mkdir -p "$dir/bin" && cp "$burn" "$dir/bin/burn.tmp" && mv "$dir/bin/burn.tmp" "$dir/bin/burn" ||
	exit 1
export CALIB_BURN="$dir/bin/burn"
burn=$CALIB_BURN
start=$(date +%s)
if [ "${1:-}" != --table ]; then
	echo "calib: $(wc -l <"$dir/configs.txt") configs in $dir, $jobs at once"
	awk -v src="$src" '{ print $1, src "/projects/" $2 ".yaml" }' "$dir/configs.txt" |
		xargs -P "$jobs" -n 2 sh "$0" --one
	[ -n "${CALIB_NO_RTLSIM:-}" ] ||
		awk -v src="$src" '{ print $1, src "/projects/" $2 ".yaml" }' "$dir/configs.txt" |
		xargs -P "$jobs" -n 2 sh "$0" --sim
fi
wall=$(( $(date +%s) - start ))

# ---- the estimates and rewards (seconds), then the table -----------------------------------
while read -r id proj rf st tin tw tacc tres; do
	d="$dir/$id" p="$src/projects/$proj.yaml"
	# not through the step cache: its key does not cover the estimator's code, which is
	# what this script measures while it changes
	"$burn" estimate "$p" "$d/config.yaml" >"$d/est.json.tmp" 2>>"$d/log" &&
		mv "$d/est.json.tmp" "$d/est.json"
	"$burn" reward "$p" --csim "$d/csim.json" --estimate "$d/est.json" \
		-o "$d/reward-est.json" >>"$d/log" 2>&1
	set -- --synth "$d/synth.json"
	[ -s "$d/rtlsim.json" ] && set -- "$@" --rtlsim "$d/rtlsim.json"
	if [ -s "$d/synth.json" ]; then
		"$burn" reward "$p" --csim "$d/csim.json" --estimate "$d/est.json" "$@" \
			-o "$d/reward-hw.json" >>"$d/log" 2>&1
	fi
done <"$dir/configs.txt"

tsv="$dir/calib.tsv"
printf 'id\tproject\trf\tstrategy\tinput\tweight\taccum\tresult' >"$tsv.tmp"
printf '\test_lut\tys_lut\test_ff\tys_ff\test_dsp\tys_dsp\test_bram\tys_bram\tmults' >>"$tsv.tmp"
printf '\test_cycles\tsim_cycles\test_fit\tys_fit\test_reward\thw_reward\tsynth_s' >>"$tsv.tmp"
printf '\tpart_lut\tpart_ff\tpart_dsp\tpart_bram\n' >>"$tsv.tmp"
while read -r id proj rf st tin tw tacc tres; do
	d="$dir/$id"
	part=$(sed -n 's/^part: *\([a-z0-9-]*\).*/\1/p' "$src/projects/$proj.yaml")
	printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$id" "$proj" "$rf" "$st" "$tin" "$tw" "$tacc" \
		"$tres" >>"$tsv.tmp"
	for k in lut ff dsp bram18; do
		printf '\t%s\t%s' "$(field "$d/est.json" $k)" "$(field "$d/synth.json" $k)" >>"$tsv.tmp"
	done
	fit() {
		[ -n "$(field "$1" lut)" ] || { echo NA; return; }
		awk -v l="$(field "$1" lut)" -v f="$(field "$1" ff)" -v d="$(field "$1" dsp)" \
			-v b="$(field "$1" bram18)" -v L="$(partval "$part" lut)" \
			-v F="$(partval "$part" ff)" -v D="$(partval "$part" dsp)" \
			-v B="$(partval "$part" bram18)" \
			'BEGIN { print (l <= L && f <= F && d <= D && b <= B) ? 1 : 0 }'
	}
	printf '\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s' "$(field "$d/est.json" mults)" \
		"$(field "$d/est.json" latency_cycles)" "$(field "$d/rtlsim.json" cycles)" \
		"$(fit "$d/est.json")" "$(fit "$d/synth.json")" \
		"$(field "$d/reward-est.json" reward)" "$(field "$d/reward-hw.json" reward)" \
		"$(field "$d/synth.json" seconds)" >>"$tsv.tmp"
	printf '\t%s\t%s\t%s\t%s\n' "$(partval "$part" lut)" "$(partval "$part" ff)" \
		"$(partval "$part" dsp)" "$(partval "$part" bram18)" >>"$tsv.tmp"
done <"$dir/configs.txt"
mv "$tsv.tmp" "$tsv"

awk -F '\t' -v wall="$wall" -v topk="${CALIB_TOPK:-5}" '
function smape(e, y) { return (e + y == 0) ? 0 : 2 * (e > y ? e - y : y - e) / (e + y) }
function pct(x) { return sprintf("%+.0f%%", x) }
function rel(e, y) { return y == 0 ? (e == 0 ? "=" : "+inf") : pct(100 * (e - y) / y) }
# ranks with ties averaged: r[i] for v[1..n]
function rank(v, n, r,   i, j, k, idx, t) {
	for (i = 1; i <= n; i++) idx[i] = i
	for (i = 2; i <= n; i++) {  # insertion sort of the indices by value
		t = idx[i]
		for (j = i - 1; j >= 1 && v[idx[j]] > v[t]; j--) idx[j + 1] = idx[j]
		idx[j + 1] = t
	}
	for (i = 1; i <= n; i = j) {
		for (j = i; j <= n && v[idx[j]] == v[idx[i]]; j++);
		for (k = i; k < j; k++) r[idx[k]] = (i + j - 1) / 2
	}
}
function pearson(a, b, n,   i, ma, mb, sab, saa, sbb) {
	for (i = 1; i <= n; i++) { ma += a[i]; mb += b[i] }
	ma /= n; mb /= n
	for (i = 1; i <= n; i++) {
		sab += (a[i] - ma) * (b[i] - mb); saa += (a[i] - ma)^2; sbb += (b[i] - mb)^2
	}
	return (saa > 0 && sbb > 0) ? sab / sqrt(saa * sbb) : 0
}
function kendall(a, b, n,   i, j, s, x, y, c, d, ta, tb) {
	for (i = 1; i < n; i++) for (j = i + 1; j <= n; j++) {
		x = a[i] - a[j]; y = b[i] - b[j]
		if (x == 0 && y == 0) continue
		if (x == 0) { ta++; continue }
		if (y == 0) { tb++; continue }
		if (x * y > 0) c++; else d++
	}
	return (c + d + ta) * (c + d + tb) > 0 ? (c - d) / sqrt((c + d + ta) * (c + d + tb)) : 0
}
NR == 1 { next }
{
	id = $1
	printf "%-7s %-22s RF %5s %-8s %s x %s acc %s res %s\n", id, $2, $3, $4, $5, $6, $7, $8
	if ($10 == "") { printf "        synthesis failed: see %s/log\n", id; nfail++; next }
	n++
	split("LUT FF DSP BRAM18", name, " ")
	line = "       "
	for (k = 1; k <= 4; k++) {
		e = $(7 + 2 * k); y = $(8 + 2 * k)
		s[k] += smape(e, y)
		line = line sprintf(" %s %s/%s (%s)", name[k], e, y, rel(e, y))
	}
	print line sprintf("  cycles %s/%s  fit %s/%s  reward %s/%s  yosys %ss", $18, $19, $20, $21,
		$22, $23, $24)
	if ($19 != "") { nc++; if ($18 == $19) cyc_ok++ }
	if ($20 == $21) agree++
	fits += $21
	er[n] = $22; hr[n] = $23; ids[n] = id
	# the resource term of the reward (weights 0.25 LUT, 0.1 FF, 0.25 DSP, 0.25 BRAM18 of every
	# example project, normalised by the part): estimate and Yosys
	ec[n] = 0.25 * $9 / $25 + 0.1 * $11 / $26 + 0.25 * $13 / $27 + ($28 ? 0.25 * $15 / $28 : 0)
	yc[n] = 0.25 * $10 / $25 + 0.1 * $12 / $26 + 0.25 * $14 / $27 + ($28 ? 0.25 * $16 / $28 : 0)
	if ($2 == "toy-ffn-z2") { nt++; et[nt] = ec[n]; yt[nt] = yc[n] }
	el[n] = -$9; yl[n] = -$10
}
function report(what, a, b, n,   ra, rb, i, k, ov, ta, tb) {
	rank(a, n, ra); rank(b, n, rb)
	k = topk < n ? topk : n
	for (i = 1; i <= n; i++) { ta[i] = ra[i] > n - k; tb[i] = rb[i] > n - k }
	for (i = 1; i <= n; i++) ov += ta[i] && tb[i]
	printf "%s (%d): Spearman %.3f  Kendall tau-b %.3f  top-%d overlap %d/%d\n", what, n,
		pearson(ra, rb, n), kendall(a, b, n), k, ov, k
}
END {
	printf "\n%d configs synthesised (%d failed), wall %d s\n", n, nfail, wall
	if (n == 0) exit 1
	printf "sMAPE  LUT %.1f%%  FF %.1f%%  DSP %.1f%%  BRAM18 %.1f%%\n", 100 * s[1] / n,
		100 * s[2] / n, 100 * s[3] / n, 100 * s[4] / n
	printf "latency: estimate = rtlsim cycles in %d of %d co-simulated configs\n", cyc_ok, nc
	printf "fit/no-fit (part budget): %d of %d agree (%d fit by Yosys)\n", agree, n, fits
	report("reward ranking, estimate vs Yosys + rtlsim", er, hr, n)
	for (i = 1; i <= n; i++) { ec[i] = -ec[i]; yc[i] = -yc[i] }
	report("resource cost ranking (lowest first), all configs", ec, yc, n)
	for (i = 1; i <= nt; i++) { et[i] = -et[i]; yt[i] = -yt[i] }
	report("resource cost ranking, toy block only", et, yt, nt)
	report("LUT ranking, all configs", el, yl, n)
}' "$tsv" | tee "$dir/summary.txt"
