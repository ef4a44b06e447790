# nanocoder.sh - NanoCoder end to end on a 1 MB corpus from the Python standard library:
# the corpus is deterministic; a tiny model trains (300 steps) to a held-out loss far below the
# unigram baseline; the cache serves the same model file to a second run; a run killed with
# SIGKILL resumes and ends bit-identical to the uninterrupted one; sampling; the exported MLP
# block sweeps with burn gen + ninja.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
B="$BURN"

if [ ! -f /usr/lib/python3.11/argparse.py ]; then
	fail "the corpus needs /usr/lib/python3.11 (Debian package libpython3.11-stdlib: ./configure --install-deps installs it)"
	t_done
	exit 1
fi

expect_ok "corpus of 1 MB" "$B" nanocoder corpus --cap 1000000 -o "$TMP/corpus"
expect_grep "it reports files and bytes" "^corpus .* files \(.* left out\), [0-9]+ bytes: train [0-9]+, held out [0-9]+$" "$TMP/out"
expect_ok "train and held-out splits" test -s "$TMP/corpus/train.txt" -a -s "$TMP/corpus/heldout.txt"
expect_grep "the manifest has the hash" '"sha256": "[0-9a-f]{64}"' "$TMP/corpus/manifest.json"
expect_ok "the same corpus again" "$B" nanocoder corpus --cap 1000000 -o "$TMP/corpus2"
expect_ok "same bytes" cmp "$TMP/corpus/train.txt" "$TMP/corpus2/train.txt"
expect_ok "same manifest" cmp "$TMP/corpus/manifest.json" "$TMP/corpus2/manifest.json"
if grep -q '"path": "[^"]*/tests\?/' "$TMP/corpus/manifest.json"; then fail "no test folders in the corpus"; else pass "no test folders in the corpus"; fi

expect_exit 2 "an unknown config" "$B" nanocoder train --config v3 --corpus "$TMP/corpus" -o "$TMP/x"
expect_grep "names the configs" "unknown config 'v3' \(the configs are v1, v2 and tiny\)" "$TMP/out"
expect_exit 2 "v2 without its tokenizer" "$B" nanocoder train --config v2 --corpus "$TMP/corpus" -o "$TMP/x"
expect_grep "asks for --tok" "give its tokenizer with --tok FILE" "$TMP/out"
expect_exit 2 "an unknown subcommand" "$B" nanocoder fly
expect_exit 2 "a bad number" "$B" nanocoder train --config tiny --corpus "$TMP/corpus" -o "$TMP/x" --steps zero
expect_grep "says what it wants" "steps wants a whole number" "$TMP/out"

T="--config tiny --corpus $TMP/corpus --threads 1"
# shellcheck disable=SC2086
expect_ok "train tiny (300 steps)" "$B" nanocoder train $T -o "$TMP/A"
expect_grep "progress lines" "^step 300/300  loss [0-9.]+  lr [0-9.e+-]+  [0-9]+ tok/s  ETA 0m00s$" "$TMP/out"
expect_ok "model.bin written" test -s "$TMP/A/model.bin"
expect_grep "train.json has the throughput" '"fraction_of_sgemm": [0-9]' "$TMP/A/train.json"
expect_ok "no state left behind" test ! -e "$TMP/A/state.bin"

# shellcheck disable=SC2086
expect_ok "the same recipe again, elsewhere" "$B" nanocoder train $T -o "$TMP/A2"
expect_grep "comes from the cache" "restored from the cache" "$TMP/out"
expect_ok "the same model file" cmp "$TMP/A/model.bin" "$TMP/A2/model.bin"

# A run killed by SIGKILL after its first checkpoint resumes, and ends bit-identical.
# shellcheck disable=SC2086
BURN_NO_CACHE=1 "$B" nanocoder train $T -o "$TMP/K" >"$TMP/k1" 2>&1 &
pid=$!
i=0
while [ ! -e "$TMP/K/state.bin" ] && [ $i -lt 600 ] && kill -0 $pid 2>/dev/null; do
	sleep 0.1; i=$((i + 1))
done
kill -9 $pid 2>/dev/null
wait $pid 2>/dev/null
expect_ok "killed with a checkpoint on disk and no model" test -e "$TMP/K/state.bin" -a ! -e "$TMP/K/model.bin"
# shellcheck disable=SC2086
BURN_NO_CACHE=1 "$B" nanocoder train $T -o "$TMP/K" >"$TMP/k2" 2>&1
expect_eq "the resumed run finishes" "$?" 0
expect_grep "it resumed" "resuming .*state.bin at step [0-9]+ of 300" "$TMP/k2"
expect_ok "resumed model == uninterrupted model, bit for bit" cmp "$TMP/A/model.bin" "$TMP/K/model.bin"

expect_ok "eval on 20 kB of held-out code" "$B" nanocoder eval --model "$TMP/A/model.bin" --corpus "$TMP/corpus" --max-bytes 20000 --threads 1 --json
cp "$TMP/out" "$TMP/eval.json"
m=$(sed -n 's/.*"model_bpb": \([0-9.e+-]*\).*/\1/p' "$TMP/eval.json")
u=$(sed -n 's/.*"unigram_bpb": \([0-9.e+-]*\).*/\1/p' "$TMP/eval.json")
g=$(sed -n 's/.*"gzip9_bpb": \([0-9.e+-]*\).*/\1/p' "$TMP/eval.json")
if awk -v m="$m" -v u="$u" 'BEGIN { exit !(m != "" && m + 0.75 < u) }'; then
	pass "held-out $m bits/byte, well below the unigram $u"
else
	fail "held-out $m bits/byte is not 0.75 below the unigram $u"
fi
if awk -v g="$g" 'BEGIN { exit !(g > 0.5 && g < 8) }'; then pass "gzip -9 measured ($g bits/byte)"; else fail "gzip -9: '$g'"; fi

expect_ok "sample" "$B" nanocoder sample --model "$TMP/A/model.bin" --prompt 'def ' --tokens 40 --seed 3
expect_grep "the text starts with the prompt" "^def " "$TMP/out"
cp "$TMP/out" "$TMP/s1"
"$B" nanocoder sample --model "$TMP/A/model.bin" --prompt 'def ' --tokens 40 --seed 3 >"$TMP/s2" 2>&1
expect_ok "same seed, same text" cmp "$TMP/s1" "$TMP/s2"

# Integer inference: W8A8 stays within 0.05 bits/byte of float; hidden 48 has no INT4 groups.
expect_ok "quant on 3 kB, 100 greedy tokens" "$B" nanocoder quant --model "$TMP/A/model.bin" --corpus "$TMP/corpus" --max-bytes 3000 --greedy 100 --json
cp "$TMP/out" "$TMP/q.json"
f=$(sed -n '/"float"/,/}/s/.*"bpb": \([0-9.e+-]*\).*/\1/p' "$TMP/q.json")
w=$(sed -n '/"W8A8"/,/}/s/.*"bpb": \([0-9.e+-]*\).*/\1/p' "$TMP/q.json")
l=$(sed -n 's/.*"lm_float_bpb": \([0-9.e+-]*\).*/\1/p' "$TMP/q.json")
if awk -v f="$f" -v w="$w" -v l="$l" 'BEGIN { d = w - f; if (d < 0) d = -d; e = f - l; if (e < 0) e = -e; exit !(f != "" && w != "" && d < 0.05 && e < 1e-4) }'; then
	pass "W8A8 $w vs float $f bits/byte (lm_forward $l)"
else
	fail "W8A8 '$w' vs float '$f' (lm_forward '$l')"
fi
expect_grep "INT4 g32 is n/a for hidden 48" '"skipped": "the group does not divide hidden or mlp"' "$TMP/q.json"

# The exported block sweeps: layer 1's MLP (48 -> 192 -> 48) with 64 captured inputs.
expect_ok "export layer 1" "$B" nanocoder export --model "$TMP/A/model.bin" --corpus "$TMP/corpus" --layer 1 --rows 64 -o "$TMP/exp"
expect_ok "mlp.safetensors and calib.npy" test -s "$TMP/exp/mlp.safetensors" -a -s "$TMP/exp/calib.npy"
mkdir -p "$TMP/p"
sed -e 's/n_in: 128, n_out: 512/n_in: 48, n_out: 192/; s/n_in: 512, n_out: 128/n_in: 192, n_out: 48/' \
	-e "s#\.\./out/nanocoder/v1/export/#$TMP/exp/#" -e 's/rounds: 4, per_round: 8/rounds: 2, per_round: 3/' \
	"$BURN_SRC/projects/nanocoder-v1-mlp-z2-trained.yaml" >"$TMP/p/p.yaml"
expect_ok "burn gen on the exported block" "$B" gen "$TMP/p/p.yaml" -o "$TMP/sweep"
ninja -C "$TMP/sweep" >"$TMP/ninja.log" 2>&1
expect_eq "the sweep runs" "$?" 0
expect_eq "one row per candidate (2 rounds x 3)" "$(($(wc -l <"$TMP/sweep/results.csv") - 1))" 6
expect_grep "best.yaml is an hls4ml config" "^LayerName:" "$TMP/sweep/best.yaml"
expect_exit 2 "a layer the model lacks" "$B" nanocoder export --model "$TMP/A/model.bin" --corpus "$TMP/corpus" --layer 2 -o "$TMP/exp2"
expect_grep "says which layers there are" "layer 2: the model has layers 0..1" "$TMP/out"
t_done
