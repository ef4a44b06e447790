/* dense.c - the fixed-point dense layer kernel. */
#include "kernels/dense.h"

#include <stdint.h>
#include <stdlib.h>

/* ceil(log2(n)) for n >= 1. */
static int clog2(long n)
{
	int b = 0;
	while (b < 62 && (1L << b) < n)
		b++;
	return b;
}

/* The exact shortcut: when every product lands on the accumulator's grid (no rounding) and
 * every sum fits 62 bits, y[j] = acc0[j] + sum of products in plain integers; if no partial
 * sum can leave the (signed) accumulator's range - the sum of the magnitudes stays within it -
 * each (accum) cast of fx_mac is the identity and this is what fx_mac computes, with no
 * events. Returns false (y undefined) when it does not apply. acc0: the casted biases. */
static bool dense_exact(const dense_types *t, int n_in, int n_out, const fx_raw *x, const fx_raw *w,
			const fx_raw *acc0, fx_raw *y)
{
	int s = fx_frac(&t->accum) - fx_frac(&t->data) - fx_frac(&t->weight);
	if (!t->accum.sign || t->accum.w > 63 || s < 0 ||
	    t->data.w + t->weight.w + s + clog2((long)n_in + 1) > 62)
		return false;
	int64_t max = (int64_t)(((uint64_t)1 << (t->accum.w - 1)) - 1);
	int64_t *acc = malloc((size_t)n_out * 2 * sizeof *acc);
	if (!acc)
		return false; /* the exact path below needs no memory */
	int64_t *mag = acc + n_out;
	for (int j = 0; j < n_out; j++) {
		acc[j] = (int64_t)acc0[j];
		mag[j] = acc[j] < 0 ? -acc[j] : acc[j];
	}
	for (int i = 0; i < n_in; i++) {
		int64_t xi = (int64_t)x[i] * ((int64_t)1 << s), ax = xi < 0 ? -xi : xi;
		if (xi == 0)
			continue;
		const fx_raw *wi = w + (size_t)i * (size_t)n_out;
		for (int j = 0; j < n_out; j++) {
			int64_t wj = (int64_t)wi[j];
			acc[j] += xi * wj;
			mag[j] += ax * (wj < 0 ? -wj : wj);
		}
	}
	bool ok = true;
	for (int j = 0; j < n_out && ok; j++)
		ok = mag[j] <= max;
	for (int j = 0; j < n_out && ok; j++)
		y[j] = acc[j];
	free(acc);
	return ok;
}

void dense_fx(const dense_types *t, int n_in, int n_out, const fx_raw *x, const fx_raw *w,
	      const fx_raw *b, fx_raw *y, fx_stats *acc_stats, fx_stats *res_stats)
{
	/* y holds the accumulators until the result cast; i outer walks w in memory order */
	for (int j = 0; j < n_out; j++)
		y[j] = t->has_bias ? fx_cast(&t->accum, &t->bias, b[j], acc_stats) : 0;
	if (!dense_exact(t, n_in, n_out, x, w, y, y)) {
		for (int i = 0; i < n_in; i++) {
			const fx_raw *wi = w + (size_t)i * (size_t)n_out;
			for (int j = 0; j < n_out; j++)
				y[j] = fx_mac(&t->accum, y[j], &t->data, x[i], &t->weight, wi[j],
					      acc_stats);
		}
	}
	for (int j = 0; j < n_out; j++) {
		y[j] = fx_cast(&t->result, &t->accum, y[j], res_stats);
		if (t->relu && !(y[j] > 0))
			y[j] = 0;
	}
}
