/* dense.h - the fixed-point dense layer kernel, as an HLS dense layer computes it (shared by
 * burn csim, burn golden and RTL cosimulation). Pure arithmetic, no I/O. */
#ifndef BURN_DENSE_H
#define BURN_DENSE_H

#include "kernels/fixed.h"

/* The five types of a dense layer, and its options. */
typedef struct {
	fx_type data;   /* inputs x */
	fx_type weight; /* weights w */
	fx_type bias;   /* biases b */
	fx_type accum;  /* the accumulator */
	fx_type result; /* outputs y */
	bool relu;      /* y = 0 where !(y > 0) */
	bool has_bias;  /* else the accumulator starts at 0 */
} dense_types;

/* y[j] = (result) acc[j], then ReLU if t->relu, where acc[j] starts as (accum) b[j] (or 0)
 * and, for i = 0 .. n_in-1 in order, acc[j] = (accum)(acc[j] + x[i] * w[i*n_out + j]) with
 * the product in full precision. x, w, b are raws of data, weight, bias; y gets n_out raws
 * of result. acc_stats counts the accumulator's events (bias cast and every addition),
 * res_stats the result cast; either may be NULL. b may be NULL without has_bias. */
void dense_fx(const dense_types *t, int n_in, int n_out, const fx_raw *x, const fx_raw *w,
	      const fx_raw *b, fx_raw *y, fx_stats *acc_stats, fx_stats *res_stats);

#endif
