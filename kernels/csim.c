/* csim.c - bit-accurate fixed-point forward pass of a block under a config, beside a float
 * reference computed with OpenBLAS. No I/O.
 *
 * Order of operations per dense layer (the same as the golden file's dense case and, later,
 * the RTL): acc[j] = (accum) b[j]; for each input i in order, for each output j:
 * acc[j] = (accum)(acc[j] + x[i] * w[i][j]) with the product in full precision; then
 * y[j] = (result) acc[j], and ReLU sets y[j] = 0 unless y[j] > 0. A final softmax (project.softmax)
 * has no fixed-point form yet: it is applied in double to the block's output and to the
 * reference alike. */
#include "kernels/csim.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/dense.h"

void csim_float_ref(const project *p, double **ys)
{
	long n = p->calib.n;
	const double *x = p->calib.x;
	for (int k = 0; k < p->n_layers; k++) {
		const layer *l = &p->layers[k];
		double *y = xreallocarray(NULL, (size_t)n * (size_t)l->n_out, sizeof *y);
		for (long v = 0; v < n; v++)
			for (int j = 0; j < l->n_out; j++)
				y[v * l->n_out + j] = l->b ? l->b[j] : 0.0;
		cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, l->n_out, l->n_in, 1.0, x,
			    l->n_in, l->w, l->n_out, 1.0, y, l->n_out);
		if (l->act == ACT_RELU)
			for (long i = 0; i < n * l->n_out; i++)
				if (!(y[i] > 0))
					y[i] = 0;
		ys[k] = y;
		x = y;
	}
}

static void add_stats(fx_stats *a, const fx_stats *b)
{
	a->overflow += b->overflow;
	a->quantized += b->quantized;
}

int csim_run(const project *p, const config *c, csim_result *r, berr *e)
{
	memset(r, 0, sizeof *r);
	if (c->n_layers != p->n_layers)
		return errf(e, "config has %d layers, block has %d", c->n_layers, p->n_layers);
	if (!p->calib.x || p->calib.n < 1)
		return errf(e, "no calibration inputs loaded");
	long n = p->calib.n;
	int L = p->n_layers;
	r->n_vectors = n;
	r->n_layers = L;
	r->n_out = p->layers[L - 1].n_out;
	r->layers = xcalloc((size_t)L, sizeof *r->layers);

	double **ref = xcalloc((size_t)L, sizeof *ref);
	csim_float_ref(p, ref);

	/* Quantized weights and biases, once per layer. */
	fx_raw **qw = xcalloc((size_t)L, sizeof *qw), **qb = xcalloc((size_t)L, sizeof *qb);
	int maxdim = p->layers[0].n_in;
	for (int k = 0; k < L; k++) {
		const layer *l = &p->layers[k];
		const layer_cfg *lc = &c->layers[k];
		size_t nw = (size_t)l->n_in * (size_t)l->n_out;
		qw[k] = xreallocarray(NULL, nw, sizeof **qw);
		for (size_t i = 0; i < nw; i++)
			qw[k][i] = fx_from_double(&lc->weight, l->w[i], NULL);
		if (l->b) {
			qb[k] = xreallocarray(NULL, (size_t)l->n_out, sizeof **qb);
			for (int j = 0; j < l->n_out; j++)
				qb[k][j] = fx_from_double(&lc->bias, l->b[j], NULL);
		}
		if (l->n_out > maxdim)
			maxdim = l->n_out;
	}

	fx_raw *a = xreallocarray(NULL, (size_t)maxdim, sizeof *a);
	fx_raw *b = xreallocarray(NULL, (size_t)maxdim, sizeof *b);
	r->y_fixed = xreallocarray(NULL, (size_t)n * (size_t)r->n_out, sizeof *r->y_fixed);
	double *sum = xcalloc((size_t)L, sizeof *sum);

	for (long v = 0; v < n; v++) {
		const layer *l0 = &p->layers[0];
		for (int i = 0; i < l0->n_in; i++)
			a[i] = fx_from_double(&c->input, p->calib.x[v * l0->n_in + i], &r->layers[0].in);
		const fx_type *in_t = &c->input;
		for (int k = 0; k < L; k++) {
			const layer *l = &p->layers[k];
			const layer_cfg *lc = &c->layers[k];
			dense_types t = {
				.data = *in_t, .weight = lc->weight, .bias = lc->bias, .accum = lc->accum,
				.result = lc->result, .relu = l->act == ACT_RELU, .has_bias = l->b != NULL,
			};
			fx_stats acc = {0}, res = {0};
			dense_fx(&t, l->n_in, l->n_out, a, qw[k], qb[k], b, &acc, &res);
			add_stats(&r->layers[k].acc, &acc);
			add_stats(&r->layers[k].res, &res);
			csim_layer *cl = &r->layers[k];
			for (int j = 0; j < l->n_out; j++) {
				double y = fx_to_double(&lc->result, b[j]);
				double err = fabs(y - ref[k][v * l->n_out + j]);
				if (err > cl->max_err || isnan(err))
					cl->max_err = err;
				sum[k] += err;
				if (k == L - 1)
					r->y_fixed[v * l->n_out + j] = y;
			}
			fx_raw *t2 = a;
			a = b;
			b = t2;
			in_t = &lc->result;
		}
	}
	for (int k = 0; k < L; k++)
		r->layers[k].mean_err = sum[k] / ((double)n * p->layers[k].n_out);
	r->max_err = r->layers[L - 1].max_err;
	r->mean_err = r->layers[L - 1].mean_err;
	r->y_float = ref[L - 1];
	if (p->softmax) {
		/* No fixed-point softmax yet: both outputs go through the same float one. */
		r->softmax = true;
		csim_softmax(r->y_fixed, n, r->n_out);
		csim_softmax(r->y_float, n, r->n_out);
		double total = 0;
		r->max_err = 0;
		for (long i = 0; i < n * r->n_out; i++) {
			double err = fabs(r->y_fixed[i] - r->y_float[i]);
			if (err > r->max_err || isnan(err))
				r->max_err = err;
			total += err;
		}
		r->mean_err = total / ((double)n * r->n_out);
	}
	for (long i = 0; i < n * r->n_out; i++)
		if (fabs(r->y_float[i]) > r->max_ref)
			r->max_ref = fabs(r->y_float[i]);
	for (int k = 0; k < L; k++) {
		if (k != L - 1)
			free(ref[k]);
		free(qw[k]);
		free(qb[k]);
	}
	free(ref);
	free(qw);
	free(qb);
	free(a);
	free(b);
	free(sum);
	return 0;
}

void csim_softmax(double *y, long n, int m)
{
	for (long v = 0; v < n; v++) {
		double *row = y + v * m, top = row[0], sum = 0;
		for (int j = 1; j < m; j++)
			if (row[j] > top)
				top = row[j];
		for (int j = 0; j < m; j++)
			sum += row[j] = exp(row[j] - top);
		for (int j = 0; j < m; j++)
			row[j] /= sum;
	}
}

int csim_raw(const project *p, const config *c, fx_raw **xo, fx_raw **yo, berr *e)
{
	*xo = *yo = NULL;
	if (c->n_layers != p->n_layers)
		return errf(e, "config has %d layers, block has %d", c->n_layers, p->n_layers);
	if (!p->calib.x || p->calib.n < 1)
		return errf(e, "no calibration inputs loaded");
	long n = p->calib.n;
	size_t n_in = (size_t)p->layers[0].n_in;
	fx_raw *x = xreallocarray(NULL, (size_t)n * n_in, sizeof *x), *y = NULL;
	for (size_t i = 0; i < (size_t)n * n_in; i++)
		x[i] = fx_from_double(&c->input, p->calib.x[i], NULL);
	/* layer by layer over all vectors: one layer's quantized weights at a time */
	for (int k = 0; k < p->n_layers; k++) {
		const layer *l = &p->layers[k];
		const layer_cfg *lc = &c->layers[k];
		size_t nw = (size_t)l->n_in * (size_t)l->n_out;
		fx_raw *qw = xreallocarray(NULL, nw, sizeof *qw), *qb = NULL;
		for (size_t i = 0; i < nw; i++)
			qw[i] = fx_from_double(&lc->weight, l->w[i], NULL);
		if (l->b) {
			qb = xreallocarray(NULL, (size_t)l->n_out, sizeof *qb);
			for (int j = 0; j < l->n_out; j++)
				qb[j] = fx_from_double(&lc->bias, l->b[j], NULL);
		}
		dense_types t = {
			.data = k ? c->layers[k - 1].result : c->input, .weight = lc->weight,
			.bias = lc->bias, .accum = lc->accum, .result = lc->result,
			.relu = l->act == ACT_RELU, .has_bias = l->b != NULL,
		};
		const fx_raw *in = k ? y : x;
		fx_raw *out = xreallocarray(NULL, (size_t)n * (size_t)l->n_out, sizeof *out);
		for (long v = 0; v < n; v++)
			dense_fx(&t, l->n_in, l->n_out, in + v * l->n_in, qw, qb, out + v * l->n_out,
				 NULL, NULL);
		free(y);
		y = out;
		free(qw);
		free(qb);
	}
	*xo = x;
	*yo = y;
	return 0;
}

void csim_free(csim_result *r)
{
	free(r->layers);
	free(r->y_fixed);
	free(r->y_float);
	memset(r, 0, sizeof *r);
}
