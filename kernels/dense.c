/* dense.c - the fixed-point dense layer kernel. */
#include "kernels/dense.h"

void dense_fx(const dense_types *t, int n_in, int n_out, const fx_raw *x, const fx_raw *w,
	      const fx_raw *b, fx_raw *y, fx_stats *acc_stats, fx_stats *res_stats)
{
	/* y holds the accumulators until the result cast; i outer walks w in memory order */
	for (int j = 0; j < n_out; j++)
		y[j] = t->has_bias ? fx_cast(&t->accum, &t->bias, b[j], acc_stats) : 0;
	for (int i = 0; i < n_in; i++) {
		const fx_raw *wi = w + (size_t)i * (size_t)n_out;
		for (int j = 0; j < n_out; j++)
			y[j] = fx_mac(&t->accum, y[j], &t->data, x[i], &t->weight, wi[j], acc_stats);
	}
	for (int j = 0; j < n_out; j++) {
		y[j] = fx_cast(&t->result, &t->accum, y[j], res_stats);
		if (t->relu && !(y[j] > 0))
			y[j] = 0;
	}
}
