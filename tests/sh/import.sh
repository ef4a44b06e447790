#!/bin/sh
# import.sh - models and hls4ml configs from the command line: every hls4ml config of the
# shared example folder imports (listing what it ignores) onto the Keras and the ONNX import of
# the 3-layer jet-tagging MLP; both imports simulate alike; burn's hls4ml form reads back; the
# jet-tagging project sweeps end to end; bad input (truncated HDF5 or ONNX, an unsupported
# layer, layers that do not match the model, a bad value in an hls4ml config) is one line of
# error and exit 2.
. "$BURN_SRC/tests/lib.sh"
export BURN_CACHE="$TMP/cache"
M="$SHARED/external/hls4ml-example-models"
PZ="$BURN_SRC/projects/jet-tagging-3layer-z2.yaml"
PF="$BURN_SRC/projects/jet-tagging-3layer-f2.yaml"
cd "$TMP" || exit 1

# Every config loads onto both models; the keys burn does not use are listed, not errors.
for f in "$M"/*.yml "$M"/config-files/*.yml; do
	n=$(basename "$f" .yml)
	expect_ok "$n: import onto the Keras model" "$BURN" config import "$PZ" "$f" -o "$n.k.yaml"
	expect_grep "$n: ignored keys listed" "^burn: note: .*$n.yml:[0-9]+:[0-9]+: ignored 'OutputDir'" "$TMP/out"
	case $n in qkeras_3layer_config) # a model that is not here: its layers are listed
		expect_grep "$n: unknown layers listed" "ignored 'HLSConfig.LayerName.fc1': no layer of that name in the model" "$TMP/out"
	esac
	expect_ok "$n: import onto the ONNX model" "$BURN" config import "$PF" "$f" -o "$n.o.yaml"
done

# The example config as a fixed design: same numbers from the Keras and the ONNX import.
expect_ok "csim keras-config on the Keras import" "$BURN" csim "$PZ" keras-config.k.yaml -o k.json
expect_ok "csim onnx-config on the ONNX import" "$BURN" csim "$PF" onnx-config.o.yaml -o o.json
expect_grep "csim says the softmax is float" '"softmax": "float' k.json
expect_eq "Keras and ONNX imports simulate alike" "$(grep -E '"(max|mean)_err"' k.json)" "$(grep -E '"(max|mean)_err"' o.json)"
expect_ok "default config (Keras)" "$BURN" config default "$PZ" -o dk.yaml
expect_ok "default config (ONNX)" "$BURN" config default "$PF" -o do.yaml
expect_ok "csim default (Keras)" "$BURN" csim "$PZ" dk.yaml -o dk.json
expect_ok "csim default (ONNX)" "$BURN" csim "$PF" do.yaml -o do.json
expect_eq "default configs simulate alike" "$(grep -E '"(max|mean)_err"' dk.json)" "$(grep -E '"(max|mean)_err"' do.json)"

# burn's hls4ml form reads back through the importer to the same config.
printf 'LayerName:\n  fc2_relu:\n    Precision: {weight: "ap_fixed<8,2>"}\n    ReuseFactor: 4\n    Strategy: Resource\n' >mine.yaml
expect_ok "canonical form" "$BURN" config canon "$PZ" mine.yaml -o mine.canon
expect_ok "hls4ml form" "$BURN" config hls4ml "$PZ" mine.yaml -o mine.hls4ml.yml
expect_ok "import of the hls4ml form" "$BURN" config import "$PZ" mine.hls4ml.yml -o mine.back
expect_eq "round trip" "$(cat mine.back)" "$(cat mine.canon)"

# The jet-tagging project sweeps end to end; a second run has nothing to do.
expect_ok "gen jet-tagging-3layer-z2" "$BURN" gen "$PZ" -o jt
expect_ok "sweep jet-tagging-3layer-z2" ninja -C jt
expect_eq "32 candidates evaluated" "$(($(wc -l <jt/results.csv) - 1))" 32
expect_grep "a best config in hls4ml form" "^Model:" jt/best.yaml
expect_grep "the csim facet ends in a softmax" "^  output: softmax" jt/facets/csim.yaml
ninja -C jt >again.txt 2>&1
expect_grep "second run: no work" "no work to do" again.txt

# bad_input NAME PATTERN CMD...: exit 2, one line of error matching PATTERN.
bad_input() {
	n=$1 pat=$2; shift 2
	"$@" >/dev/null 2>err.txt
	expect_eq "$n: exit status 2" "$?" 2
	expect_eq "$n: one line of error" "$(wc -l <err.txt)" 1
	expect_grep "$n: clear error" "$pat" err.txt
}
mkdir -p bad
head -c 20000 "$M/keras/KERAS_3layer_weights.h5" >bad/w.h5
head -c 9000 "$M/onnx/three_layer_keras.onnx" >bad/m.onnx
cp "$M/keras/KERAS_3layer.json" bad/m.json
printf 'block:\n  keras: {json: m.json, h5: w.h5}\ncalibration: {n: 4}\n' >bad/h5.yaml
printf 'block:\n  onnx: m.onnx\ncalibration: {n: 4}\n' >bad/onnx.yaml
sed 's/"Dense"/"Conv1D"/' "$M/keras/KERAS_3layer.json" >bad/conv.json
printf 'block:\n  keras: {json: conv.json, h5: w.h5}\n' >bad/conv.yaml
{
	printf 'block:\n  onnx: %s\n  layers:\n' "$M/onnx/three_layer_keras.onnx"
	printf '    - {name: _class__keras_layers_core_Dense__, n_in: 16, n_out: 32, activation: relu}\n'
	printf '    - {name: _class__keras_layers_core_Dense__1, n_in: 32, n_out: 32, activation: relu}\n'
	printf '    - {name: _class__keras_layers_core_Dense__2, n_in: 32, n_out: 32, activation: relu}\n'
	printf '    - {name: _class__keras_layers_core_Dense__3, n_in: 32, n_out: 5}\n'
} >bad/shape.yaml
printf 'HLSConfig:\n  LayerName:\n    fc1_relu: {ReuseFactor: many}\n' >bad/rf.yml
bad_input "truncated HDF5" "bad/h5.yaml:2:.*key 'block.keras'.*w.h5: cannot open as HDF5" "$BURN" csim bad/h5.yaml dk.yaml
bad_input "truncated ONNX" "bad/onnx.yaml:2:9: key 'block.onnx'.*m.onnx: not a valid ONNX file" "$BURN" config default bad/onnx.yaml
bad_input "unsupported layer" "layer 'fc1_relu' \(Conv1D\) is not supported" "$BURN" config default bad/conv.yaml
bad_input "layers vs model" "key 'block.layers\[0\]'.* 16 -> 32 relu does not match the model \(block.onnx\): its layer 0 is .* 16 -> 64 relu" "$BURN" config default bad/shape.yaml
bad_input "bad hls4ml value" "rf.yml:3:29: key 'HLSConfig.LayerName.fc1_relu.ReuseFactor': expected an integer" "$BURN" config import "$PZ" bad/rf.yml
expect_eq "no output left" "$(ls bad/*.tmp.* 2>/dev/null | wc -l)" 0

t_done
