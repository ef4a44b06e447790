#!/bin/sh
# bench.sh - `make bench`: speed, measured as ratios against a baseline run in the same
# command, and absolute times for this machine. Results go to stdout; docs/PERFORMANCE.md
# records a run. BENCH_N sets the candidates of the generator benchmark (default 10000).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
burn="$src/bin/burn"
N=${BENCH_N:-10000}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/burn-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export BURN_CACHE="$tmp/cache"

now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { print b - a }'; }
calc() { awk "BEGIN { print $1 }"; }
# loop K CMD...: time of K runs of CMD, in seconds
loop() {
	k=$1; shift
	t0=$(now)
	i=0
	while [ $i -lt "$k" ]; do "$@" >/dev/null 2>&1; i=$((i + 1)); done
	elapsed "$t0" "$(now)"
}

echo "== startup and cache hits (200 runs each, interleaved twice) =="
p="$src/projects/nanocoder-v1-mlp-z2.yaml"
"$burn" config default "$p" -o "$tmp/cfg.yaml"
"$burn" csim "$p" "$tmp/cfg.yaml" -o "$tmp/csim.json" --keep-going
grep -q miss "$tmp/csim.json.cache"
v1=$(loop 200 "$burn" --version)
h1=$(loop 200 "$burn" csim "$p" "$tmp/cfg.yaml" -o "$tmp/csim.json" --keep-going)
v2=$(loop 200 "$burn" --version)
h2=$(loop 200 "$burn" csim "$p" "$tmp/cfg.yaml" -o "$tmp/csim.json" --keep-going)
grep -q hit "$tmp/csim.json.cache"
v=$(calc "($v1 + $v2) / 400 * 1000")
h=$(calc "($h1 + $h2) / 400 * 1000")
printf 'burn --version:               %.2f ms\n' "$v"
printf 'csim cache hit (nanocoder-v1): %.2f ms\n' "$h"
printf 'ratio hit / --version:        %.2f (bound: 2.0)\n' "$(calc "$h / $v")"

echo "== csim of one nanocoder-v1 candidate, 64 vectors (cache off, 5 runs) =="
t=$(BURN_NO_CACHE=1 loop 5 "$burn" csim "$p" "$tmp/cfg.yaml" -o "$tmp/c2.json")
ms=$(calc "$t / 5 * 1000")
macs=$((131072 * 64))
printf 'csim: %.1f ms per run (including %.1f ms of process start), %.1f M fixed-point MAC/s\n' \
	"$ms" "$v" "$(calc "$macs / (($ms - $v) / 1000) / 1000000")"

echo "== generator: $N candidates =="
sed -e "s/search: .*/search: {strategy: random, rounds: 1, per_round: $N, seed: 1}/" \
	"$src/projects/toy-ffn-z2.yaml" >"$tmp/big.yaml"
"$burn" gen "$tmp/big.yaml" -o "$tmp/big" >/dev/null
t0=$(now)
ninja -C "$tmp/big" rounds/0/candidates.json >/dev/null
printf 'author of %d candidates + first regeneration: %.2f s\n' "$N" "$(elapsed "$t0" "$(now)")"
t0=$(now)
(cd "$tmp/big" && "$burn" gen "$tmp/big.yaml" -o . --regen)
printf 'burn gen of the %d-candidate manifest: %.2f s (bound: 1 s)\n' "$N" "$(elapsed "$t0" "$(now)")"
echo "edges: $(grep -c '^build ' "$tmp/big/build.ninja")"
t0=$(now)
ninja -C "$tmp/big" >/dev/null
printf 'full sweep of %d candidates (csim, estimate, reward each; -j%s): %.1f s\n' "$N" "$(nproc)" \
	"$(elapsed "$t0" "$(now)")"
t0=$(now)
out=$(ninja -C "$tmp/big")
printf 'ninja no-op on it: %.2f s (bound: 1 s)\n' "$(elapsed "$t0" "$(now)")"
echo "$out" | grep -q "no work to do"
