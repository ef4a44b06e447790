# lm_bench.sh - burn lm-bench on a tiny config: the table and the JSON name the throughput
# and the sgemm reference; bad options exit 2 with a one-line error.
. "$BURN_SRC/tests/lib.sh"

expect_ok "lm-bench on a tiny config" "$BURN" lm-bench --layers 1 --hidden 16 --heads 2 --ctx 8 --batch 2 --steps 2 --threads 1
expect_grep "it counts the parameters" "^params +[0-9]+$" "$TMP/out"
expect_grep "it reports tokens/s" "^tokens/s +[0-9]+$" "$TMP/out"
expect_grep "it reports the sgemm reference" "^sgemm 1024\^3 +[0-9.]+ GFLOP/s$" "$TMP/out"
expect_grep "it reports the fraction of sgemm" "^fraction +[0-9.]+ of the 1024\^3 sgemm rate" "$TMP/out"
# V=259 C=16 L=1 M=64 ctx=8: wte 4144 + wpe 128 + ln1 32 + qkv 816 + out 272 + ln2 32
# + up 1088 + down 1040 + lnf 32 = 7584
expect_grep "the parameter count of that config" "^params +7584$" "$TMP/out"

expect_ok "lm-bench --json" "$BURN" lm-bench --layers 1 --hidden 16 --heads 2 --ctx 8 --batch 2 --steps 1 --threads 1 --json
expect_grep "JSON tokens_per_s" '"tokens_per_s": [0-9]' "$TMP/out"
expect_grep "JSON fraction_of_sgemm" '"fraction_of_sgemm": [0-9]' "$TMP/out"
expect_grep "JSON params" '"params": 7584' "$TMP/out"

expect_exit 2 "an unknown option" "$BURN" lm-bench --layer 2
expect_grep "names the option" "unknown option '--layer'" "$TMP/out"
expect_exit 2 "a bad number" "$BURN" lm-bench --steps x
expect_grep "says what it wants" "--steps wants a whole number" "$TMP/out"
expect_exit 2 "heads that do not divide hidden" "$BURN" lm-bench --hidden 10 --heads 4
expect_grep "says why" "heads 4 must be >= 1 and divide hidden 10" "$TMP/out"
expect_ok "lm-bench --help" "$BURN" lm-bench --help
expect_grep "help names the options" "--threads N" "$TMP/out"
t_done
