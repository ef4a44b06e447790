#!/bin/sh
# lm_author.sh - the LM author end to end on the toy project with the tiny recipe: the
# pretraining step is cached and byte-identical across caches; an lm-ttt sweep runs under
# one ninja (base model, an adapter trained between rounds, authors sampling from base +
# adapter), a second ninja is a no-op, and the same seed in a fresh folder and a fresh cache
# gives the same base, adapters and candidates; lm (frozen) runs too; search.lm_grammar turns
# the grammar mask off and is in the author's key; bad input is refused.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
mkdir -p "$TMP/p"

# project NAME SEARCH: a toy project with the search section SEARCH.
project() {
	sed -e "s|^search:.*|search: $2|" "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$TMP/p/$1.yaml"
}

# pretraining: a cached step, byte-identical without the cache
mkdir -p "$TMP/a" "$TMP/b"
expect_ok "pretrain tiny" "$BURN" author-pretrain --recipe tiny -o "$TMP/a/base.lmw"
expect_grep "pretrain: a miss first" "^miss" "$TMP/a/base.lmw.cache"
expect_ok "pretrain again" "$BURN" author-pretrain --recipe tiny -o "$TMP/b/base.lmw"
expect_grep "pretrain: then a hit" "^hit" "$TMP/b/base.lmw.cache"
expect_exit 2 "pretrain: unknown recipe" "$BURN" author-pretrain --recipe huge -o "$TMP/x.lmw"

# lm-ttt under one ninja
project ttt "{strategy: lm-ttt, lm_recipe: tiny, rounds: 3, per_round: 4, seed: 1}"
expect_ok "lm-ttt: gen" "$BURN" gen "$TMP/p/ttt.yaml" -o "$TMP/ttt"
expect_ok "lm-ttt: one ninja" ninja -C "$TMP/ttt"
expect_eq "lm-ttt: 12 results" "$(($(wc -l <"$TMP/ttt/results.csv") - 1))" 12
expect_grep "lm-ttt: the base is the cached one" "^hit" "$TMP/ttt/lm/base.lmw.cache"
expect_ok "lm-ttt: adapters for rounds 1 and 2" test -s "$TMP/ttt/rounds/1/adapter.lora" -a \
	-s "$TMP/ttt/rounds/2/adapter.lora"
expect_ok "lm-ttt: round 2's author reads its adapter" \
	sh -c "ninja -C '$TMP/ttt' -t commands rounds/2/candidates.json | grep -q -- '--lm-adapter rounds/2/adapter.lora'"
expect_grep "lm-ttt: round 0 starts from the default" '"origin": "lm: default start"' \
	"$TMP/ttt/rounds/0/candidates.json"
expect_grep "lm-ttt: the author's counts are in its output" '"samples": [1-9]' \
	"$TMP/ttt/rounds/1/candidates.json"
ninja -C "$TMP/ttt" >"$TMP/n2" 2>&1
expect_grep "lm-ttt: second ninja is a no-op" "^ninja: no work to do.$" "$TMP/n2"

# same seed, fresh folder and cache (the base is pretrained again): same files
BURN_CACHE="$TMP/cache3"
export BURN_CACHE
expect_ok "lm-ttt: gen again" "$BURN" gen "$TMP/p/ttt.yaml" -o "$TMP/ttt-b"
expect_ok "lm-ttt: ninja again" ninja -C "$TMP/ttt-b"
same=yes
for f in lm/base.lmw rounds/1/adapter.lora rounds/2/adapter.lora rounds/0/candidates.json \
	rounds/1/candidates.json rounds/2/candidates.json results.csv; do
	cmp -s "$TMP/ttt/$f" "$TMP/ttt-b/$f" || { same=no; echo "differs: $f"; }
done
expect_eq "lm-ttt: same seed, same base, adapters, candidates and results" "$same" yes
export BURN_CACHE="$TMP/cache"

# lm: the frozen base, no train edges
project lm "{strategy: lm, lm_recipe: tiny, rounds: 2, per_round: 4, seed: 2}"
expect_ok "lm: gen" "$BURN" gen "$TMP/p/lm.yaml" -o "$TMP/lm"
expect_ok "lm: ninja" ninja -C "$TMP/lm"
expect_eq "lm: 8 results" "$(($(wc -l <"$TMP/lm/results.csv") - 1))" 8
expect_eq "lm: no adapters" "$(find "$TMP/lm" -name '*.lora' | wc -l)" 0

# search.command given relative to the project file (not to the build folder)
mkdir -p "$TMP/p/bin"
cp "$BURN_SRC/tests/fake/author_echo" "$TMP/p/bin/echo_author"
project rel "{strategy: command, command: [bin/echo_author], rounds: 1, per_round: 4, seed: 1}"
expect_ok "relative command: gen" "$BURN" gen "$TMP/p/rel.yaml" -o "$TMP/rel"
expect_ok "relative command: ninja" ninja -C "$TMP/rel"
expect_grep "relative command: found next to the project" '"origin": "command: item' \
	"$TMP/rel/rounds/0/candidates.json"
expect_grep "relative command: the facet keeps the path as written" 'command: \["bin/echo_author"\]' \
	"$TMP/rel/facets/author.yaml"

# burn author-bench: the same rewards in the same order as a ninja sweep
project heur "{strategy: heuristic, rounds: 2, per_round: 4, seed: 3}"
"$BURN" gen "$TMP/p/heur.yaml" -o "$TMP/heur" >/dev/null && ninja -C "$TMP/heur" >/dev/null 2>&1
expect_ok "author-bench: heuristic, 2 x 4" "$BURN" author-bench "$TMP/p/heur.yaml" \
	--strategies heuristic --seeds 3 --rounds 2 --per-round 4 -o "$TMP/ab.csv"
rewards() { python3 -c 'import csv, sys; print(" ".join(r["reward"] for r in csv.DictReader(open(sys.argv[1]))))' "$1"; }
expect_eq "author-bench: same rewards as the sweep" "$(rewards "$TMP/ab.csv")" \
	"$(rewards "$TMP/heur/results.csv")"

# the grammar mask: no syntax errors with it, the tiny base's free samples mostly have some
project lmb "{strategy: lm, lm_recipe: tiny, rounds: 2, per_round: 4, seed: 2}"
col() { python3 -c 'import csv, sys; print(sum(int(r[sys.argv[2]]) for r in csv.DictReader(open(sys.argv[1]))))' "$1" "$2"; }
expect_ok "author-bench: lm, masked" "$BURN" author-bench "$TMP/p/lmb.yaml" --strategies lm \
	--seeds 2 --rounds 2 --per-round 4 --base "$TMP/a/base.lmw" -o "$TMP/lm_mask.csv"
expect_ok "author-bench: lm, --free-decoding" "$BURN" author-bench "$TMP/p/lmb.yaml" \
	--strategies lm --seeds 2 --rounds 2 --per-round 4 --base "$TMP/a/base.lmw" \
	--free-decoding -o "$TMP/lm_free.csv"
expect_eq "masked: 0 syntax errors" "$(col "$TMP/lm_mask.csv.lm" syntax_bad)" 0
ms=$(col "$TMP/lm_mask.csv.lm" samples) fb=$(col "$TMP/lm_free.csv.lm" syntax_bad)
if [ "$ms" -gt 0 ] && [ "$fb" -gt 0 ]; then pass "free decoding has syntax errors ($fb), masked $ms samples"
else fail "masked samples $ms, free syntax errors $fb"; fi

# search.lm_grammar: false samples without the mask (syntax errors, repaired) and is part of
# the author facet, so its key; absent (true) leaves the facet as it was
project lmf "{strategy: lm, lm_recipe: tiny, lm_grammar: false, rounds: 2, per_round: 4, seed: 2}"
expect_ok "lm_grammar false: author-bench" "$BURN" author-bench "$TMP/p/lmf.yaml" --strategies lm \
	--seeds 2 --rounds 2 --per-round 4 --base "$TMP/a/base.lmw" -o "$TMP/lm_off.csv"
expect_eq "lm_grammar false: the same syntax errors as --free-decoding" \
	"$(col "$TMP/lm_off.csv.lm" syntax_bad)" "$fb"
expect_ok "lm_grammar false: gen" "$BURN" gen "$TMP/p/lmf.yaml" -o "$TMP/lmf"
expect_ok "lm_grammar false: its facet" ninja -C "$TMP/lmf" facets/author.yaml
expect_grep "lm_grammar false: in the author facet" "lm_grammar: false" "$TMP/lmf/facets/author.yaml"
if grep -q lm_grammar "$TMP/lm/facets/author.yaml"; then fail "default facet names lm_grammar"
else pass "the default facet does not name lm_grammar"; fi
project lmg "{strategy: lm, lm_recipe: tiny, lm_grammar: maybe, rounds: 2, per_round: 4, seed: 2}"
expect_exit 2 "lm_grammar: not a boolean" "$BURN" gen "$TMP/p/lmg.yaml" -o "$TMP/lmg"
expect_grep "... naming file, line and key" "lmg.yaml:[0-9]+:[0-9]+:.*lm_grammar" "$TMP/out"

# bad input
project bad "{strategy: lm-ttt, lm_recipe: huge, rounds: 2, per_round: 4, seed: 1}"
expect_exit 2 "unknown lm_recipe refused" "$BURN" gen "$TMP/p/bad.yaml" -o "$TMP/bad"
expect_grep "... naming the key" "lm_recipe" "$TMP/out"
expect_exit 2 "author without --lm-base refused" "$BURN" author "$TMP/ttt/facets/author.yaml" \
	--round 0 -o "$TMP/x.json"
t_done
