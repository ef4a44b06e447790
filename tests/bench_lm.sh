#!/bin/sh
# bench_lm.sh - `make bench-lm`: how many evaluations each search strategy needs to reach 95%
# of the best reward known for a project, over several seeds, at estimate fidelity (csim +
# the analytical estimate, no RTL). Not part of make check: it runs thousands of evaluations,
# the base model's pretraining (cached) and, for lm-ttt, a LoRA training per round.
#
# `burn author-bench` runs the strategies in one process on the same evaluation as a sweep
# (a ninja sweep of the same project and seed gives the same rewards in the same order; the
# process starts and restarts of hundreds of small sweeps would cost more than the work).
# The best known reward is the best of every run here, a long random run and a long
# heuristic run. The two projects run in parallel (nice -n 10, one thread each); the summary
# (tests/bench_lm_report.py) goes to stdout and DIR/summary.md. docs/PERFORMANCE.md has a run.
#
# Settings (environment): BENCH_LM_DIR (out/bench-lm), BENCH_LM_PROJECTS (nanocoder-v1-mlp-z2
# jet-tagging-3layer-z2), BENCH_LM_STRATEGIES (heuristic,random,rf,lm,lm-ttt),
# BENCH_LM_SEEDS (1,...,10), BENCH_LM_ROUNDS (5), BENCH_LM_PER_ROUND (8), BENCH_LM_RANDOM_N
# (1000: the long random run), BENCH_LM_SKIP_LONG (1: skip the long runs), BENCH_LM_BURN
# (bin/burn; a copy keeps a long run on one binary while the tree is rebuilt), BENCH_LM_FLAGS
# (more author-bench options for lm and lm-ttt, e.g. --copy 0.9). A run whose CSV
# (DIR/PROJECT/STRATEGY-sSEED.csv) exists is not run again.
set -eu
src=$(cd "$(dirname "$0")/.." && pwd)
burn=${BENCH_LM_BURN:-$src/bin/burn}
out=${BENCH_LM_DIR:-$src/out/bench-lm}
projects=${BENCH_LM_PROJECTS:-"nanocoder-v1-mlp-z2 jet-tagging-3layer-z2"}
strategies=${BENCH_LM_STRATEGIES:-heuristic,random,rf,lm,lm-ttt}
seeds=${BENCH_LM_SEEDS:-1,2,3,4,5,6,7,8,9,10}
rounds=${BENCH_LM_ROUNDS:-5}
per=${BENCH_LM_PER_ROUND:-8}
random_n=${BENCH_LM_RANDOM_N:-1000}
export BURN_CACHE=${BURN_CACHE:-$out/cache}
export OPENBLAS_NUM_THREADS=1
mkdir -p "$out/lm"

base=
case ",$strategies," in *,lm,*|*,lm-ttt,*)
	echo "== the base model (burn author-pretrain --recipe base; cached) =="
	t0=$(date +%s)
	nice -n 10 "$burn" author-pretrain --recipe base -o "$out/lm/base.lmw" 2>"$out/pretrain.log"
	echo "   $(($(date +%s) - t0)) s wall ($(cut -d' ' -f1 "$out/lm/base.lmw.cache"))"
	base="--base $out/lm/base.lmw"
esac

# run PROJECT: every strategy and seed (one author-bench each, seeds outermost, so a run cut
# short has the same seeds of every strategy), then the long runs; merged into PROJECT.csv.
run() {
	p=$1
	mkdir -p "$out/$p"
	t0=$(date +%s)
	for seed in $(echo "$seeds" | tr ',' ' '); do
		for s in $(echo "$strategies" | tr ',' ' '); do
			b=
			case $s in lm|lm-ttt) b="$base ${BENCH_LM_FLAGS:-}" ;; esac
			[ -s "$out/$p/$s-s$seed.csv" ] ||
			nice -n 10 "$burn" author-bench "$src/projects/$p.yaml" --strategies "$s" \
				--seeds "$seed" --rounds "$rounds" --per-round "$per" $b \
				-o "$out/$p/$s-s$seed.csv" 2>>"$out/$p.log"
		done
	done
	echo "== $p: $strategies x seeds $seeds, $rounds x $per: $(($(date +%s) - t0)) s wall"
	if [ "${BENCH_LM_SKIP_LONG:-0}" != 1 ]; then
		t0=$(date +%s)
		nice -n 10 "$burn" author-bench "$src/projects/$p.yaml" --strategies random \
			--seeds 99 --rounds 1 --per-round "$random_n" -o "$out/$p-long-random.csv" \
			2>>"$out/$p.log"
		nice -n 10 "$burn" author-bench "$src/projects/$p.yaml" --strategies heuristic \
			--seeds 99 --rounds 12 --per-round 8 -o "$out/$p-long-heuristic.csv" \
			2>>"$out/$p.log"
		echo "== $p: long runs (random x $random_n, heuristic 12 x 8): $(($(date +%s) - t0)) s wall"
	fi
	merge "$p"
}

# merge PROJECT: OUT/PROJECT.csv and OUT/PROJECT.csv.lm from the per-run files.
merge() {
	m=$1
	for ext in csv csv.lm; do
		set -- "$out/$m"/*."$ext"
		[ -e "$1" ] || continue
		{ head -n 1 "$1"; for f in "$@"; do tail -n +2 "$f"; done; } >"$out/$m.$ext"
	done
}

pids=
for p in $projects; do
	run "$p" &
	pids="$pids $!"
done
for pid in $pids; do wait "$pid"; done
python3 "$src/tests/bench_lm_report.py" "$out" $projects | tee "$out/summary.md"
