#!/bin/sh
# bench_lm.sh - `make bench-lm`: how many evaluations each search strategy needs to reach 95%
# of the best reward known for a project, over several seeds (estimator fidelity: csim +
# analytical estimate, no RTL). Not part of make check: it runs hundreds of evaluations and,
# for lm / lm-ttt, the base model's pretraining (cached) and a LoRA training per round.
#
# For each project it writes a budget variant next to the original (removed at the end), runs
# `burn compare` over the strategies and seeds (one ninja, nice -n 10, -j2), runs a long
# random sweep and a long heuristic sweep for the best known reward, then prints the summary
# (tests/bench_lm_report.py) to stdout and DIR/summary.md. docs/PERFORMANCE.md has a run.
#
# Settings (environment): BENCH_LM_DIR (out/bench-lm), BENCH_LM_PROJECTS (nanocoder-v1-mlp-z2
# jet-tagging-3layer-z2), BENCH_LM_STRATEGIES (heuristic,random,rf,lm,lm-ttt),
# BENCH_LM_SEEDS (1,...,10), BENCH_LM_ROUNDS (5), BENCH_LM_PER_ROUND (8), BENCH_LM_RANDOM_N
# (600: the long random run), BENCH_LM_JOBS (2), BENCH_LM_SKIP_LONG (1: skip the long runs).
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
burn="$src/bin/burn"
out=${BENCH_LM_DIR:-$src/out/bench-lm}
projects=${BENCH_LM_PROJECTS:-"nanocoder-v1-mlp-z2 jet-tagging-3layer-z2"}
strategies=${BENCH_LM_STRATEGIES:-heuristic,random,rf,lm,lm-ttt}
seeds=${BENCH_LM_SEEDS:-1,2,3,4,5,6,7,8,9,10}
rounds=${BENCH_LM_ROUNDS:-5}
per=${BENCH_LM_PER_ROUND:-8}
random_n=${BENCH_LM_RANDOM_N:-600}
jobs=${BENCH_LM_JOBS:-2}
export BURN_CACHE=${BURN_CACHE:-$out/cache}
mkdir -p "$out"
made=
trap 'for f in $made; do rm -f "$f"; done' EXIT

# variant NAME SEARCH: projects/.bench-lm-NAME-TAG.yaml, the project with that search section
# (in the original's folder, so its relative paths still work).
variant() {
	v="$src/projects/.bench-lm-$1-$2.yaml"
	sed -e "s|^search:.*|search: $3|" "$src/projects/$1.yaml" >"$v"
	made="$made $v"
	echo "$v"
}

for p in $projects; do
	echo "== $p: strategies $strategies, seeds $seeds, $rounds rounds x $per =="
	v=$(variant "$p" cmp "{strategy: heuristic, rounds: $rounds, per_round: $per, seed: 1}")
	"$burn" compare --project "$v" --strategies "$strategies" --seeds "$seeds" -o "$out/$p" \
		--title "$p: $rounds x $per evaluations"
	t0=$(date +%s)
	nice -n 10 ninja -C "$out/$p" -j "$jobs" >"$out/$p.log" 2>&1 || {
		tail -n 20 "$out/$p.log"; exit 1; }
	echo "   $(($(date +%s) - t0)) s wall"
	if [ "${BENCH_LM_SKIP_LONG:-0}" != 1 ]; then
		echo "== $p: best known reward: random x $random_n, heuristic 12 x 8 =="
		v=$(variant "$p" rand "{strategy: random, rounds: 1, per_round: $random_n, seed: 99}")
		"$burn" gen "$v" -o "$out/$p-long/random" >/dev/null
		t0=$(date +%s)
		nice -n 10 ninja -C "$out/$p-long/random" -j "$jobs" >"$out/$p-long-random.log" 2>&1
		echo "   random: $(($(date +%s) - t0)) s wall"
		v=$(variant "$p" heur "{strategy: heuristic, rounds: 12, per_round: 8, seed: 99}")
		"$burn" gen "$v" -o "$out/$p-long/heuristic" >/dev/null
		nice -n 10 ninja -C "$out/$p-long/heuristic" -j "$jobs" >"$out/$p-long-heur.log" 2>&1
	fi
done
python3 "$src/tests/bench_lm_report.py" "$out" $projects | tee "$out/summary.md"
