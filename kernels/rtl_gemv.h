/* rtl_gemv.h - the GEMV engines' RTL side (the Verilog in kernels/rtl_gemv/, docs/KERNELS.md): engine
 * parameters, the stimulus file their Verilator testbench reads and the parsing of what it
 * writes. Text only, no I/O. */
#ifndef BURN_RTL_GEMV_H
#define BURN_RTL_GEMV_H

#include "kernels/gemv.h"

/* Largest cols each engine is built for (NanoCoder v2's MLP; Qwen2.5-1.5B's intermediate). */
enum { GEMV_RTL_W8_MAXCOLS = 1024, GEMV_RTL_W4_MAXCOLS = 8960 };

/* One engine parameterisation: a Verilator build, a Yosys run. */
typedef struct {
	bool w4;   /* gemv_w4a8, else gemv_w8a8 */
	int p;     /* MAC lanes: W8 a power of two in [2, 64]; W4 16, 32 or 64 */
	int group; /* W4 group size: 32, 64 or 128 */
} gemv_engine;

/* Checks an engine's parameters. */
int gemv_engine_check(const gemv_engine *g, berr *e);

/* The engine's top module name ("gemv_w8a8" or "gemv_w4a8"). */
const char *gemv_engine_top(const gemv_engine *g);

/* Appends Verilog parameter settings NAME=VALUE, one per call of put (P, LP, G, LG, XDEPTH). */
void gemv_engine_params(const gemv_engine *g, void (*put)(void *ctx, const char *name, long v),
			void *ctx);

/* Appends the testbench stimulus of W8A8 rows [row0, row0+nrows) of w (rows x cols) with
 * activations x and requantisers rq to b. */
int gemv_rtl_stim_w8(strbuf *b, const gemv_engine *g, const int8_t *w, int cols, int row0,
		     int nrows, const int8_t *x, const gemv_rq *rq, unsigned stall, berr *e);

/* Appends the testbench stimulus of W4A8 rows [row0, row0+nrows) of m with activations x. */
int gemv_rtl_stim_w4(strbuf *b, const gemv_engine *g, const gemv_w4 *m, int row0, int nrows,
		     const int8_t *x, unsigned stall, berr *e);

/* What the testbench wrote. */
typedef struct {
	int64_t *acc;  /* nrows accumulators */
	int8_t *y;     /* W8: nrows outputs (NULL for W4) */
	long cycles;   /* first weight beat to last result */
	long xcycles;  /* the activation load */
} gemv_rtl_out;

/* Parses the testbench's output for nrows rows; -1 with e naming the line if malformed. */
int gemv_rtl_parse(const char *text, bool w4, int nrows, gemv_rtl_out *o, berr *e);

/* Frees what gemv_rtl_parse allocated. */
void gemv_rtl_out_free(gemv_rtl_out *o);

#endif
