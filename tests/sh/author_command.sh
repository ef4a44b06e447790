#!/bin/sh
# author_command.sh - the rf and command strategies through burn gen and real ninja on the
# toy project: rf's rounds after the first are chosen by its model; an external author
# (tests/fake/author_echo) reads the prompt and its configs become candidates, the invalid
# one a failure with its error; a hanging author is stopped and the round topped up at
# random; tools/openai_author.py against a fake OpenAI-compatible server end to end.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
FAKE="$BURN_SRC/tests/fake"
mkdir -p "$TMP/p"

# project NAME SEARCH: a toy project with the search section SEARCH.
project() {
	sed -e "s|^search:.*|search: $2|" "$BURN_SRC/projects/toy-ffn-z2.yaml" >"$TMP/p/$1.yaml"
}

# rf: three rounds; after round 0 the offers come from the model
project rf "{strategy: rf, rounds: 3, per_round: 4, seed: 1, pool: 300}"
expect_ok "rf: gen" "$BURN" gen "$TMP/p/rf.yaml" -o "$TMP/rf"
expect_ok "rf: ninja" ninja -C "$TMP/rf"
expect_eq "rf: 12 results" "$(($(wc -l <"$TMP/rf/results.csv") - 1))" 12
expect_grep "rf: round 0 starts from the default" '"origin": "rf: default start"' "$TMP/rf/rounds/0/candidates.json"
expect_grep "rf: round 2 chosen by the model" '"origin": "rf: EI' "$TMP/rf/rounds/2/candidates.json"
ninja -C "$TMP/rf" >"$TMP/rf2" 2>&1
expect_grep "rf: second ninja is a no-op" "^ninja: no work to do.$" "$TMP/rf2"
expect_ok "rf: same seed in a fresh folder" "$BURN" gen "$TMP/p/rf.yaml" -o "$TMP/rf-b"
BURN_NO_CACHE=1 ninja -C "$TMP/rf-b" >/dev/null 2>&1
expect_ok "rf: same candidates without the cache" cmp "$TMP/rf/rounds/2/candidates.json" "$TMP/rf-b/rounds/2/candidates.json"

# command: the echo's configs, the default first, the invalid one a failure
project echo "{strategy: command, command: [$FAKE/author_echo], rounds: 2, per_round: 4, seed: 1}"
expect_ok "echo: gen" "$BURN" gen "$TMP/p/echo.yaml" -o "$TMP/echo"
expect_ok "echo: ninja" ninja -C "$TMP/echo"
C0="$TMP/echo/rounds/0/candidates.json"
expect_grep "echo: default first" '"origin": "command: default start"' "$C0"
expect_grep "echo: the author's why" '"origin": "command: item 2: 8-bit weights, RF 32"' "$C0"
expect_grep "echo: the invalid config is a candidate" 'ap_fixd' "$C0"
expect_grep "echo: its failure reaches the results" 'failed' "$TMP/echo/results.csv"
expect_eq "echo: 8 results" "$(($(wc -l <"$TMP/echo/results.csv") - 1))" 8
expect_grep "echo: round 1 topped up at random (the echo repeats itself)" '"origin": "random: top-up"' \
	"$TMP/echo/rounds/1/candidates.json"

# a hanging author: stopped at the time limit, the round still gets its candidates
project hang "{strategy: command, command: [$FAKE/author_hang, --partial], timeout_s: 1, rounds: 1, per_round: 4, seed: 1}"
expect_ok "hang: gen" "$BURN" gen "$TMP/p/hang.yaml" -o "$TMP/hang"
ninja -C "$TMP/hang" >"$TMP/hang.out" 2>&1
expect_eq "hang: ninja succeeds" "$?" 0
expect_grep "hang: the error is said" "timed out after 1 s" "$TMP/hang.out"
expect_eq "hang: 4 results" "$(($(wc -l <"$TMP/hang/results.csv") - 1))" 4
expect_grep "hang: the config printed before it hung is used" 'ap_fixed<11,4' "$TMP/hang/rounds/0/candidates.json"

# tools/openai_author.py and a fake OpenAI-compatible server on 127.0.0.1
if command -v python3 >/dev/null 2>&1; then
	project llm "{strategy: command, command: [$FAKE/author_openai, --log, $TMP/requests.jsonl], rounds: 2, per_round: 4, seed: 1}"
	expect_ok "llm: gen" "$BURN" gen "$TMP/p/llm.yaml" -o "$TMP/llm"
	expect_ok "llm: ninja" ninja -C "$TMP/llm"
	expect_grep "llm: the model's configs are candidates" '"origin": "command: item 1: fake-model: 10-bit' \
		"$TMP/llm/rounds/0/candidates.json"
	expect_grep "llm: the server saw the results of round 0 in round 1" 'Results so far: 4 configs' "$TMP/requests.jsonl"
else
	fail "python3 (for tools/openai_author.py) is not installed"
fi
t_done
