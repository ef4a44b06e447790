/* gemv_suite.h - the golden case suites of the GEMV kernels (docs/KERNELS.md): seeded
 * weights and activations of real projection shapes, the integer kernels of kernels/gemv.h,
 * and their check against an OpenBLAS float reference within a bound derived from the
 * quantisation. Pure arithmetic, no I/O. */
#ifndef BURN_GEMV_SUITE_H
#define BURN_GEMV_SUITE_H

#include "kernels/gemv.h"

/* One golden case. */
typedef struct {
	char name[64];     /* "qwen-int4/gate-g64-s3", "nanocoder-w8a8/v1-qkv-s0" */
	bool w4;           /* INT4 groupwise (W4A8), else W8A8 */
	int rows, cols;
	int group;         /* W4 group size (0 for W8) */
	bool zero;         /* W4 with zero points (asymmetric) */
	uint64_t seed;
	int p;             /* the RTL engine's MAC lanes */
	int row0, nrows;   /* the rows the RTL check simulates (a tile when nrows < rows) */
	double yfactor;    /* W8: output scale = max|y| / 127 * yfactor (< 1 makes some saturate) */
	unsigned stall;    /* non-zero: the RTL testbench pauses streams pseudo-randomly (its seed) */
} gemv_case;

/* The suite names, NULL-terminated: "qwen-int4", "nanocoder-w8a8". */
extern const char *const gemv_suites[];

/* The cases of suite (or of every suite for "all"), in a new array; quick keeps a few. */
int gemv_suite_cases(const char *suite, bool quick, gemv_case **out, int *n, berr *e);

/* A case computed in C: its quantised operands, integer results and the float check. */
typedef struct {
	int8_t *x8;        /* activations, cols */
	float xs;          /* their scale */
	int8_t *w8;        /* W8: weights, rows*cols */
	float *ws;         /* W8: row scales */
	gemv_rq *rq;       /* W8: row requantisers */
	float ys;          /* W8: output scale */
	int32_t *acc32;    /* W8: accumulators */
	int8_t *y8;        /* W8: requantised outputs */
	gemv_w4 m;         /* W4: the packed matrix */
	int64_t *acc64;    /* W4: accumulators */
	float *y;          /* dequantised outputs */
	float *ref;        /* OpenBLAS sgemv on the float operands */
	double max_err;    /* max_r |y - ref| */
	double max_ratio;  /* max_r |y - ref| / bound_r (<= 1 passes) */
	int n_bad;         /* rows outside their bound, plus W8 outputs off the requantiser's */
	int first_bad;     /* the first such row, or -1 */
	double bad_err, bad_bound; /* its error and bound */
} gemv_run;

/* Generates the case's operands from its seed, runs the integer kernel and the float
 * reference, and checks each row against its bound (docs/KERNELS.md derives it). */
int gemv_case_run(const gemv_case *c, gemv_run *r, berr *e);

/* Frees what gemv_case_run allocated. */
void gemv_run_free(gemv_run *r);

#endif
