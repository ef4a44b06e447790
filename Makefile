# BurnTTT - builds bin/burn. Run ./configure first (make runs it when config.mk is missing).
.SUFFIXES:

-include config.mk

VERSION = 0.1.0
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
STD = -std=c11 -D_POSIX_C_SOURCE=200809L
# -O1: clang 14 with both sanitizers at -O2 misreports an __int128 path in kernels/fixed.c
# (each sanitizer alone, and gcc with both, are clean at -O2).
SANITIZERS = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
# FUZZ=1 (used by make fuzz): clang with libFuzzer's coverage hooks and both sanitizers.
FUZZ_SANITIZERS = -O1 -g -fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer \
	-fno-sanitize-recover=all
SAN_FLAGS = $(if $(FUZZ),$(FUZZ_SANITIZERS),$(if $(SAN),$(SANITIZERS)))
BUILD = $(if $(FUZZ),build-fuzz,$(if $(SAN),build-san,build))
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) $(SAN_FLAGS) -I. -I$(BUILD)/onnx $(BLAS_CFLAGS) $(HDF5_CFLAGS) \
	-DBURN_VERSION='"$(VERSION)"' \
	-DBURN_DATADIR='"$(CURDIR)"' -DBURN_LAUNCHER='"$(LAUNCHER)"'
LIBS = $(YAML_LIBS) $(XXHASH_LIBS) $(BLAS_LIBS) $(HDF5_LIBS) $(PROTOBUF_C_LIBS) -lm

LIB_SRCS = $(filter-out gen/main.c,$(wildcard gen/*.c kernels/*.c cache/*.c author/*.c lm/*.c nanocoder/*.c))
ONNX_OBJ = $(BUILD)/onnx/onnx.pb-c.o
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o) $(ONNX_OBJ)
HDRS = $(wildcard gen/*.h kernels/*.h cache/*.h author/*.h lm/*.h nanocoder/*.h)
TEST_SRCS = $(wildcard tests/unit/test_*.c)
# Fuzz harnesses (tests/fuzz/fuzz_*.c): make check replays their seeds and saved crash
# inputs through test_fuzz_* binaries; make fuzz runs them under libFuzzer.
FUZZ_TARGETS = $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_COMMON = tests/fuzz/replay.c tests/fuzz/common.c tests/fuzz/fuzz.h
TEST_BINS = $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%) $(FUZZ_TARGETS:%=$(BUILD)/tests/test_fuzz_%)
BIN = $(if $(SAN),$(BUILD)/burn,bin/burn)

all: $(BIN)

config.mk:
	./configure --install-deps-if-root

$(BIN): $(BUILD)/gen/main.o $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $(BUILD)/gen/main.o $(LIB_OBJS) $(LIBS)

$(BUILD)/%.o: %.c $(HDRS) config.mk
	@mkdir -p $(dir $@)
	@echo "CC   $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

# The ONNX reader's C code, generated from the system's onnx.proto (never copied into the tree).
$(BUILD)/onnx/onnx.pb-c.c: $(ONNX_PROTO) config.mk
	@mkdir -p $(dir $@)
	@echo "PROTOC-C $(ONNX_PROTO)"
	@$(PROTOC_C) --proto_path=$(dir $(ONNX_PROTO)) --c_out=$(dir $@) $(ONNX_PROTO)
$(BUILD)/onnx/onnx.pb-c.h: $(BUILD)/onnx/onnx.pb-c.c ;
$(ONNX_OBJ): $(BUILD)/onnx/onnx.pb-c.c
	@echo "CC   $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<
$(BUILD)/gen/import_onnx.o $(BUILD)/tests/test_import: $(BUILD)/onnx/onnx.pb-c.h

$(BUILD)/tests/%: tests/unit/%.c tests/unit/t.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

$(BUILD)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c $(FUZZ_COMMON) $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -DFUZZ_TARGET='"$*"' -o $@ $< tests/fuzz/replay.c \
		tests/fuzz/common.c $(LIB_OBJS) $(LIBS)

tests: $(TEST_BINS)

# make fuzz: builds the harnesses with clang + libFuzzer into build-fuzz/ and runs each for
# FUZZ_TIME seconds (FUZZ_TARGETS='a b' picks some); report in build-fuzz/report.txt.
FUZZ_TIME = 600
fuzz:
	@$(MAKE) --no-print-directory FUZZ=1 CC=clang fuzz-bins
	@FUZZ_TIME=$(FUZZ_TIME) sh tests/fuzz/run.sh $(FUZZ_TARGETS)

fuzz-bins: $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)

$(BUILD)/fuzz/%: tests/fuzz/fuzz_%.c tests/fuzz/common.c tests/fuzz/fuzz.h $(LIB_OBJS)
	@mkdir -p $(dir $@)
	@echo "LINK $@"
	@$(CC) $(ALL_CFLAGS) $(LDFLAGS) -fsanitize=fuzzer -o $@ $< tests/fuzz/common.c \
		$(LIB_OBJS) $(LIBS)

# make check: every test; ends with "N passed, M failed". SAN=1 builds and runs under
# AddressSanitizer + UndefinedBehaviorSanitizer.
check: $(BIN) $(TEST_BINS)
	@BURN="$(CURDIR)/$(BIN)" UNIT_DIR="$(CURDIR)/$(BUILD)/tests" TEST_LOG_DIR="$(CURDIR)/$(BUILD)/test-logs" \
		sh tests/run.sh

# The default sweep: configure (installing what is missing, as root), build, and sweep the
# NanoCoder v1 MLP block on a PYNQ-Z2.
SWEEP_PROJECT = projects/nanocoder-v1-mlp-z2.yaml
SWEEP_DIR = out/nanocoder-v1-mlp-z2
sweep: bin/burn
	bin/burn gen $(SWEEP_PROJECT) -o $(SWEEP_DIR)
	ninja -C $(SWEEP_DIR)
	bin/burn status $(SWEEP_DIR)

bench: bin/burn
	@sh tests/bench.sh

# The search strategies' benchmark (docs/PERFORMANCE.md, "LM author"): long; not in check.
bench-lm: bin/burn
	@sh tests/bench_lm.sh

# The estimator against Yosys and Verilator on a fixed set of configs (not part of check:
# tens of minutes the first time; results are cached). docs/ESTIMATE.md.
calib: bin/burn
	@sh tests/calib.sh

clean:
	rm -rf build build-san build-fuzz bin

distclean: clean
	rm -f config.mk config.ninja

install: bin/burn
	mkdir -p $(DESTDIR)$(PREFIX)/bin
	cp bin/burn $(DESTDIR)$(PREFIX)/bin/burn

.PHONY: all check bench bench-lm calib clean distclean install tests sweep fuzz fuzz-bins

# make check-slurm: opt-in; as root, installs (apt-get) and starts a single-node Slurm, runs a
# sweep through `burn launch -- srun` and checks it against a local run (tests/sh/slurm.sh).
check-slurm: $(BIN)
	@BURN="$(CURDIR)/$(BIN)" BURN_SRC="$(CURDIR)" BURN_SLURM_TEST=1 sh tests/sh/slurm.sh
.PHONY: check-slurm

# make kernels-check: the full GEMV golden suites (168 Qwen2.5-1.5B INT4 cases, 49 NanoCoder
# W8A8 cases; C vs OpenBLAS float within the quantisation bound, RTL vs C bit-exact) and the
# RTL fault-injection test (docs/KERNELS.md).
kernels-check: $(BIN)
	@BURN_CACHE="$${BURN_CACHE:-$(CURDIR)/build/kernels-cache}" nice -n 10 $(BIN) kernels check -o build/kernels-check.json
	@BURN="$(CURDIR)/$(BIN)" BURN_SRC="$(CURDIR)" KERNELS_FULL=1 sh tests/sh/kernels.sh
.PHONY: kernels-check
