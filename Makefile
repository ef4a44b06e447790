# BurnTTT - builds bin/burn. Run ./configure first (make runs it when config.mk is missing).
.SUFFIXES:

-include config.mk

VERSION = 0.1.0
WARN = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wno-unused-parameter
STD = -std=c11 -D_POSIX_C_SOURCE=200809L
# -O1: clang 14 with both sanitizers at -O2 misreports an __int128 path in kernels/fixed.c
# (each sanitizer alone, and gcc with both, are clean at -O2).
SANITIZERS = -O1 -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
SAN_FLAGS = $(if $(SAN),$(SANITIZERS))
BUILD = $(if $(SAN),build-san,build)
ALL_CFLAGS = $(STD) $(WARN) $(CFLAGS) $(SAN_FLAGS) -I. -I$(BUILD)/onnx $(BLAS_CFLAGS) $(HDF5_CFLAGS) \
	-DBURN_VERSION='"$(VERSION)"' \
	-DBURN_DATADIR='"$(CURDIR)"' -DBURN_LAUNCHER='"$(LAUNCHER)"'
LIBS = $(YAML_LIBS) $(XXHASH_LIBS) $(BLAS_LIBS) $(HDF5_LIBS) $(PROTOBUF_C_LIBS) -lm

LIB_SRCS = $(filter-out gen/main.c,$(wildcard gen/*.c kernels/*.c cache/*.c author/*.c lm/*.c))
ONNX_OBJ = $(BUILD)/onnx/onnx.pb-c.o
LIB_OBJS = $(LIB_SRCS:%.c=$(BUILD)/%.o) $(ONNX_OBJ)
HDRS = $(wildcard gen/*.h kernels/*.h cache/*.h author/*.h lm/*.h)
TEST_SRCS = $(wildcard tests/unit/test_*.c)
TEST_BINS = $(TEST_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
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

tests: $(TEST_BINS)

# make check: every test; ends with "N passed, M failed". SAN=1 builds and runs under
# AddressSanitizer + UndefinedBehaviorSanitizer.
check: $(BIN) $(TEST_BINS)
	@BURN="$(CURDIR)/$(BIN)" UNIT_DIR="$(CURDIR)/$(BUILD)/tests" sh tests/run.sh

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

# The estimator against Yosys and Verilator on a fixed set of configs (not part of check:
# tens of minutes the first time; results are cached). docs/ESTIMATE.md.
calib: bin/burn
	@sh tests/calib.sh

clean:
	rm -rf build build-san bin

distclean: clean
	rm -f config.mk config.ninja

install: bin/burn
	mkdir -p $(DESTDIR)$(PREFIX)/bin
	cp bin/burn $(DESTDIR)$(PREFIX)/bin/burn

.PHONY: all check bench calib clean distclean install tests sweep

# make check-slurm: opt-in; as root, installs (apt-get) and starts a single-node Slurm, runs a
# sweep through `burn launch -- srun` and checks it against a local run (tests/sh/slurm.sh).
check-slurm: $(BIN)
	@BURN="$(CURDIR)/$(BIN)" BURN_SRC="$(CURDIR)" BURN_SLURM_TEST=1 sh tests/sh/slurm.sh
.PHONY: check-slurm
