/* gemv_roof.h - the roofline of the GEMV engines for a whole decoder pass (docs/KERNELS.md):
 * the models' projection shapes, weight bytes per token, and compute- and memory-bound
 * latencies. Pure arithmetic, no I/O. */
#ifndef BURN_GEMV_ROOF_H
#define BURN_GEMV_ROOF_H

#include "kernels/rtl_gemv.h"

/* One GEMV of a decoder pass, done count times per token. */
typedef struct {
	const char *name;
	int rows, cols;
	int count; /* layers (1 for the LM head) */
} roof_mat;

/* A model's decoder pass: its GEMVs (attention scores and softmax are not counted). */
typedef struct {
	const char *name;
	const roof_mat *mats;
	int n;
} roof_model;

/* The models: "nanocoder-v1", "nanocoder-v2", "qwen2.5-1.5b"; NULL if unknown. */
const roof_model *roof_model_get(const char *name);

/* Weight-stream bytes of one rows x cols GEMV on engine g: W8 rows*cols plus 8 bytes of
 * requantiser per row; W4 rows*cols/2 plus 4 bytes (m, z) per group. */
double roof_bytes(const gemv_engine *g, int rows, int cols);

/* Sums over a model's pass: MACs and weight bytes per token. */
void roof_totals(const roof_model *m, const gemv_engine *g, double *macs, double *bytes);

#endif
