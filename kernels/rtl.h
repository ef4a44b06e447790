/* rtl.h - the RTL emitter: a block under a candidate config as synthesizable Verilog-2005, one
 * folded, pipelined dense module per layer chained into burn_top, plus the ROM images its
 * $readmemh reads, and the generic Verilator testbench. Bit-exact with kernels/dense.c (the
 * arithmetic of burn csim) for every quantization and overflow mode; docs/RTL.md describes
 * the architecture, ports and timing. Pure: it builds text, it does no I/O. */
#ifndef BURN_RTL_H
#define BURN_RTL_H

#include "gen/config.h"
#include "gen/project.h"
#include "kernels/fixed.h"

/* Limits on what the emitter writes; beyond them the candidate fails with a reason. */
enum {
	RTL_MAX_LANES = 4096,          /* multipliers per layer */
	RTL_MAX_BANK_REGS = 1 << 16,   /* input words held per layer (all stages) */
	RTL_MAX_SUM_BITS = 512,        /* widest aligned sum a quantizer takes */
	RTL_MAX_WORK = 1 << 26,        /* stages x inputs x min(slot, inputs): bank pruning work */
	RTL_MAX_NAME = 64,
};
#define RTL_MAX_HEX_BYTES ((size_t)64 << 20) /* one layer's ROM image */

/* The folding of one layer as rtl_emit builds it (docs/RTL.md): a pure function of the
 * layer's shape and ReuseFactor, no weights, so the estimator uses the same numbers. */
typedef struct {
	long lanes;       /* P = ceil(n_in*n_out/RF) multipliers */
	long slot;        /* D = ceil(n_in*n_out/P) cycles per slot: the initiation interval */
	long stages;      /* G: slots one output's accumulation spans */
	long latency;     /* G*D + 5: cycles from accepting an input to showing its output */
	long wait;        /* cycles a lone input waits at this layer for its slot boundary
			   * (set by rtl_fold_chain; 0 for the first layer) */
	long last_read;   /* input i is last read at cycle last_read + i after the slot start */
	long bank_regs;   /* input words held in the stage banks after pruning */
	long end_lanes;   /* lanes that finish outputs: a result cast and output chain each */
	long start_lanes; /* lanes that start outputs from a bias */
	long multi_start_lanes; /* lanes that start several outputs: a bias multiplexer */
	long cont_lanes;  /* lanes that continue a previous lane's output: a partial-sum input */
	long two_stage_lanes; /* lanes that run two stages: a 2:1 operand multiplexer */
} rtl_fold;

/* Folds an n_in x n_out layer at ReuseFactor reuse (>= 1; clamped to n_in*n_out) into f.
 * O(n_out + stages) time. Errors: an empty layer or a ReuseFactor below 1. */
int rtl_fold_layer(long n_in, long n_out, long reuse, rtl_fold *f, berr *e);

/* Chains n folded layers as burn_top does: sets every f[k].wait and returns the cycles from
 * accepting a lone input (in_valid from the first cycle after reset) to out_valid. */
long rtl_fold_chain(rtl_fold *f, int n);

/* True if no partial sum of any output of layer ly (input type tx, types lc) can round or
 * leave the accumulator's range (not even hit the signed minimum under AP_SAT_SYM), for any
 * input of type tx: then the accumulator is a plain adder (rtl_layer.exact_accum), which can
 * sit in a DSP's accumulator. With ly->w loaded the quantised weights and biases decide, as
 * rtl_emit does; with ly->w NULL any weight and bias of their types (a bound: true there
 * implies true for every set of weights). Conservative: false when the bounds would not fit
 * in 120 bits. O(n_in * n_out) with the weights, O(1) without. */
bool rtl_accum_exact(const layer *ly, const fx_type *tx, const layer_cfg *lc);

/* One emitted file: its name inside the RTL folder and its text. */
typedef struct {
	char name[RTL_MAX_NAME];
	strbuf text;
} rtl_file;

/* The hardware of one layer (docs/RTL.md). */
typedef struct {
	char module[RTL_MAX_NAME]; /* "burn_l0", ... */
	long lanes;       /* P = ceil(n_in*n_out/RF) multipliers */
	long slot;        /* D = ceil(n_in*n_out/P) cycles per slot: the initiation interval */
	long stages;      /* G: slots one output's accumulation spans (the systolic chain) */
	long latency;     /* cycles from accepting an input to showing its output: G*D + 5 */
	long bank_regs;   /* input words held in the stage banks after pruning */
	long rom_width;   /* P*W_weight bits per ROM word; 0: weights are constants (D = 1) */
	bool exact_accum; /* the accumulator can neither round nor overflow: a plain adder */
} rtl_layer;

/* A whole design. */
typedef struct {
	int n_layers;
	rtl_layer *layers;
	long latency;     /* cycles from accepting a lone input to out_valid, as the testbench
			   * drives it (in_valid from the first cycle after reset) */
	long ii;          /* cycles between inputs when streaming: the largest slot */
	int in_words, in_width, out_words, out_width; /* in_data / out_data: words x bits */
	bool in_signed, out_signed;
	int n_files;
	rtl_file *files;  /* burn_top.v, burn_lK.v, burn_lK_w.hex */
} rtl_design;

/* Emits the design of p's block (weights loaded) under c. Errors (a layer count mismatch, a
 * design beyond the RTL_MAX_* limits) leave d empty. */
int rtl_emit(const project *p, const config *c, rtl_design *d, berr *e);

/* Frees d's storage. */
void rtl_free(rtl_design *d);

/* Appends the C++ Verilator testbench (the same for every design): it streams the vectors of
 * an input file through burn_top and writes the raw outputs and the cycles of each vector
 * (format in docs/RTL.md). */
void rtl_testbench(strbuf *b);

#endif
