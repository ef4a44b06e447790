#!/usr/bin/env python3
"""make_seeds.py - writes the seed corpora of the fuzz harnesses into tests/fuzz/corpus/.
Run from the source folder; the output is checked in (so make check replays the same seeds).
Seeds are small valid (and a few nearly valid) inputs of each format; harnesses whose first
byte picks a reader get that byte prepended."""
import json, os, struct, sys

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")
src = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

def put(target, name, data):
    d = os.path.join(root, target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def read(rel):
    with open(os.path.join(src, rel), "rb") as f:
        return f.read()

# project
for p in ["projects/toy-ffn-z2.yaml", "projects/nanocoder-v1-mlp-z2.yaml",
          "projects/jet-tagging-3layer-z2.yaml"]:
    put("project", os.path.basename(p), read(p))
put("project", "facet-estimate.yaml", """block:
  layers:
    - {name: fc1, type: dense, n_in: 4, n_out: 2, activation: relu, bias: false}
part: {name: custom, device: xc7z020clg400-1, family: xc7, lut: 53200, ff: 106400, dsp: 220,
       bram18: 280, uram: 0, lutram_bits: 0}
clock_ns: 5
""")
put("project", "command.yaml", """name: cmd
block: {layers: [{name: a, type: dense, n_in: 2, n_out: 2}]}
weights: {source: random, seed: 1}
calibration: {source: random, seed: 2, n: 4}
part: pynq-z2
clock_ns: 10
eps_max: 0.1
search: {strategy: command, rounds: 2, per_round: 2, seed: 1, command: [python3, a.py],
         timeout_s: 5, max_output: 1000}
run: {launcher: "srun -N1", csim_jobs: 2}
hardware: {top_k: 1, rtlsim: true, synth: false}
""")

# config: byte 0 even = burn config, odd = hls4ml config
default = """LayerName:
  input:
    Precision:
      result: ap_fixed<16,6,AP_TRN,AP_WRAP>
  fc1:
    Precision:
      accum: ap_fixed<37,17,AP_TRN,AP_WRAP>
      bias: ap_fixed<16,6,AP_TRN,AP_WRAP>
      result: ap_fixed<16,6,AP_TRN,AP_WRAP>
      weight: ap_fixed<16,6,AP_TRN,AP_WRAP>
    ReuseFactor: 1
    Strategy: Latency
  fc2:
    Precision:
      accum: ap_fixed<38,18,AP_TRN,AP_WRAP>
      bias: ap_fixed<16,6,AP_TRN,AP_WRAP>
      result: ap_fixed<16,6,AP_TRN,AP_WRAP>
      weight: ap_fixed<16,6,AP_TRN,AP_WRAP>
    ReuseFactor: 1
    Strategy: Latency
"""
short = """Model: {Precision: ap_fixed<16,6>, ReuseFactor: 1, Strategy: Latency}
LayerName:
  fc1: {Precision: {weight: 'ap_fixed<8,3,AP_RND,AP_SAT>', result: ufixed<10,4>}, ReuseFactor: 16, Strategy: Resource}
  fc2: {ReuseFactor: 32}
"""
hls = """HLSConfig:
  Model: {Precision: 'ap_fixed<16,6>', ReuseFactor: 4, Strategy: Resource, BramFactor: 1000000000, TraceOutput: false}
  LayerType:
    Dense: {Precision: {accum: 'ap_fixed<32,12>'}}
  LayerName:
    Input: {Precision: {result: 'ap_fixed<12,4>'}}
    FC1: {Precision: {weight: 'ap_fixed<8,2>', bias: auto}, ReuseFactor: 8}
    fc1_relu: {Precision: {result: 'ap_ufixed<8,3>'}}
    fc2: {Trace: true}
OutputDir: my-prj
Part: xc7z020clg400-1
"""
put("config", "default", b"\0" + default.encode())
put("config", "short", b"\0" + short.encode())
put("config", "hls4ml", b"\1" + hls.encode())
put("config", "hls4ml-plain", b"\1" + default.encode())

# fixed: type strings
for i, s in enumerate(["ap_fixed<16,6>", "fixed<16,6,RND,SAT>", "ap_ufixed<8,3,AP_RND_CONV,AP_SAT_SYM>",
                       "ufixed<8,3>", "ap_int<8>", "int<64>", "ap_uint<4>", "uint<64>",
                       "ap_fixed< 18 , -4 , AP_RND_ZERO , AP_WRAP_SM , 0 >", "ap_fixed<64,1088>",
                       "ap_fixed<1,-1024,AP_TRN_ZERO,AP_SAT_ZERO>", "auto"]):
    put("fixed", "t%02d" % i, s)

# tensor: byte 0 odd = .npy, even = .safetensors
for n in sorted(os.listdir(os.path.join(src, "tests/data/project/npy"))):
    put("tensor", "npy-" + n, b"\1" + read("tests/data/project/npy/" + n))

def safetensors(tensors, meta=None):
    hdr, data = {}, b""
    if meta is not None:
        hdr["__metadata__"] = meta
    for name, (dt, shape, raw) in tensors.items():
        hdr[name] = {"dtype": dt, "shape": shape, "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    h = json.dumps(hdr).encode()
    h += b" " * (-len(h) % 8)
    return struct.pack("<Q", len(h)) + h + data

put("tensor", "st-f32", b"\0" + safetensors({"fc1.weight": ("F32", [2, 3], struct.pack("<6f", *range(6))),
                                            "fc1.bias": ("F32", [2], struct.pack("<2f", 1, -1))},
                                           {"format": "pt"}))
put("tensor", "st-mixed", b"\0" + safetensors({"a": ("F16", [2], struct.pack("<2e", 1.5, -2)),
                                              "b": ("BF16", [1, 1], b"\x80\x3f"),
                                              "c": ("F64", [], struct.pack("<d", 3.25)),
                                              "d": ("F32", [0, 4], b"")}))

# golden
put("golden", "quant", """# quant cases
quant ap_fixed<8,3,AP_TRN,AP_WRAP> 0x1.84e37c5de9752p+3 -124
quant ap_fixed<8,3,AP_TRN,AP_WRAP> -0x1.15p+2 117
quant ap_ufixed<6,2,AP_RND,AP_SAT> 1.25 20
quant ap_int<8> 300 44
quant ap_uint<64> 1e30 0
""")
put("golden", "dense", """dense d0 n_in=2 n_out=2 relu=1
types data=ap_fixed<8,3> weight=ap_fixed<8,2> bias=ap_fixed<8,3> accum=ap_fixed<16,6> result=ap_fixed<8,3>
x 2 0x1p-1 -0x1.8p+0
w 4 0.5 0.25 -1 0.125
b 2 0 0.5
y 2 32 0
dense d1 n_in=1 n_out=1 relu=0
types data=ap_fixed<8,3> weight=ap_fixed<8,2> bias=ap_fixed<8,3> accum=ap_fixed<16,6> result=ap_fixed<8,3>
x 1 1
w 1 1
y 1 32
""")

# synthrep: byte 0 % 5 = stat, netlist, csynth, util, timing
for b, f in [(0, "mac4.stat.json"), (0, "mix.stat.json"), (1, "mix.netlist.json"),
             (2, "sample_csynth.xml"), (3, "sample_util.rpt"), (3, "sample_util_xcup.rpt"),
             (4, "sample_timing.rpt")]:
    put("synthrep", "%d-%s" % (b, f), bytes([b]) + read("tests/data/synth/" + f))

# cands
cfg = default
ex = {"round": 1, "strategy": "heuristic", "candidates": [
    {"id": "89f6c7d2eae2e6c493ba000d95228592", "valid": True, "origin": "heuristic: x", "config": cfg},
    {"id": "0123456789abcdef0123456789abcdef", "valid": False, "origin": "command item 2",
     "config": "LayerName: {fc9: {}}\n", "error": "candidate:1:12: key 'LayerName.fc9': no such layer"}]}
put("cands", "list.json", json.dumps(ex, indent=2))
put("cands", "empty.json", '{"round": 0, "strategy": "random", "candidates": []}')

# command: an external author's output
put("command", "array.json", json.dumps([default, short, {"config": short.replace("16", "8"), "why": "smaller"},
                                         {"LayerName": {"fc1": {"ReuseFactor": 2}}}]))
put("command", "yaml-docs", "some log line\n---\n" + short + "---\n" + default.replace("Latency", "Resource"))
put("command", "junk", "[INFO] starting\n[\"Model: {ReuseFactor: 4}\", 17, null, [1,2]\n")
