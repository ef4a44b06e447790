/* csim.h - bit-accurate fixed-point forward pass of a block under a config, beside a float
 * reference computed with OpenBLAS. No I/O. */
#ifndef BURN_CSIM_H
#define BURN_CSIM_H

#include "gen/config.h"
#include "gen/project.h"
#include "kernels/fixed.h"

typedef struct {
	double max_err;       /* max |fixed - float| of this layer's output over all vectors */
	double mean_err;      /* mean of the same */
	fx_stats acc;         /* accumulator events (overflow = saturated or wrapped additions) */
	fx_stats res;         /* result cast events */
	fx_stats in;          /* input cast events (first layer: calibration inputs) */
	/* The elementwise layer after a swiglu gate (SiLU) or up (product), else zero: its
	 * output against the float one, the SiLU table's own error (against the exact SiLU of
	 * the same fixed-point input), and its result cast events. */
	double ew_max_err, ew_mean_err;
	double silu_table_err;
	fx_stats ew;
} csim_layer;

typedef struct {
	long n_vectors;
	int n_out;            /* outputs of the last layer */
	double max_err, mean_err;   /* block output vs the float reference */
	double max_ref;       /* max |float output|, for scale */
	int n_layers;
	csim_layer *layers;
	double *y_fixed;      /* n_vectors * n_out, the fixed-point outputs as doubles */
	double *y_float;      /* n_vectors * n_out, the float reference */
	bool softmax;         /* the block ends in a softmax (project.softmax), applied in double
			       * to both y_fixed and y_float: max_err, mean_err and max_ref are
			       * then about the probabilities (the layers' errors stay logits') */
} csim_result;

/* Runs the block of p (with its weights and calibration loaded) under config c. */
int csim_run(const project *p, const config *c, csim_result *r, berr *e);

/* Float reference of the block on the calibration inputs: per-layer outputs written to ys[k]
 * (n_vectors * n_out of layer k, allocated here). A swiglu gate's output is before its SiLU. */
void csim_float_ref(const project *p, double **ys);

/* Replaces each of the n rows of m values of y by its softmax, in double precision. */
void csim_softmax(double *y, long n, int m);

/* The same fixed-point forward pass as raws, for co-simulation: *x gets the calibration
 * inputs cast to c->input (n_vectors * n_in of the first layer), *y the last layer's outputs
 * (n_vectors * n_out, raws of its result type); both allocated here. */
int csim_raw(const project *p, const config *c, fx_raw **x, fx_raw **y, berr *e);

/* Frees r's storage. */
void csim_free(csim_result *r);

#endif
