/* csim.c - bit-accurate fixed-point forward pass of a block under a config, beside a float
 * reference computed with OpenBLAS. No I/O.
 *
 * Order of operations per dense layer (the same as the golden file's dense case and, later,
 * the RTL): acc[j] = (accum) b[j]; for each input i in order, for each output j:
 * acc[j] = (accum)(acc[j] + x[i] * w[i][j]) with the product in full precision; then
 * y[j] = (result) acc[j], and ReLU sets y[j] = 0 unless y[j] > 0. A swiglu entry's gate and up
 * read the same input; the gate's result goes through the SiLU table (kernels/act.h), the
 * product (mul)(silu * up) feeds down. A final softmax (project.softmax) has no fixed-point
 * form yet: it is applied in double to the block's output and to the reference alike.
 *
 * A layer with a streamed WeightFormat (w8, int4_gG: docs/CONFIG.md) runs through the GEMV
 * golden kernels instead (kernels/gemv.h): weights quantised once per layer, each input vector
 * quantised to int8 with its own scale, the exact integer GEMV, dequantised to double, plus
 * the bias (of the bias type), then cast to the result type with its modes (then ReLU). Its
 * accumulator type is unused: the integer accumulation is exact.
 *
 * The pass runs layer by layer over all vectors, so only one layer's quantized weights are
 * held at a time (a 1536 x 8960 projection is 220 MB of raws). */
#include "kernels/csim.h"

#include <cblas.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/act.h"
#include "kernels/dense.h"
#include "kernels/gemv.h"

/* y = x w + b for n vectors (x: n * l->n_in), into a new array. */
static double *float_dense(const layer *l, long n, const double *x)
{
	double *y = xreallocarray(NULL, (size_t)n * (size_t)l->n_out, sizeof *y);
	for (long v = 0; v < n; v++)
		for (int j = 0; j < l->n_out; j++)
			y[v * l->n_out + j] = l->b ? l->b[j] : 0.0;
	cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n, l->n_out, l->n_in, 1.0, x,
		    l->n_in, l->w, l->n_out, 1.0, y, l->n_out);
	return y;
}

void csim_float_ref(const project *p, double **ys)
{
	long n = p->calib.n;
	const double *x = p->calib.x, *gate_in = NULL;
	double *h = NULL;
	for (int k = 0; k < p->n_layers; k++) {
		const layer *l = &p->layers[k];
		if (l->kind == LK_GATE)
			gate_in = x;
		if (l->kind == LK_DOWN) { /* h = silu(gate) * up */
			size_t m = (size_t)n * (size_t)l->n_in;
			h = xreallocarray(NULL, m, sizeof *h);
			for (size_t i = 0; i < m; i++)
				h[i] = silu_ref(ys[k - 2][i]) * ys[k - 1][i];
			x = h;
		}
		double *y = float_dense(l, n, l->kind == LK_UP ? gate_in : x);
		if (l->act == ACT_RELU)
			for (long i = 0; i < n * l->n_out; i++)
				if (!(y[i] > 0))
					y[i] = 0;
		ys[k] = y;
		if (l->kind != LK_GATE && l->kind != LK_UP)
			x = y;
		free(h);
		h = NULL;
	}
}

static void add_stats(fx_stats *a, const fx_stats *b)
{
	a->overflow += b->overflow;
	a->quantized += b->quantized;
}

/* Adds |fixed - ref| over m values to *max and *sum. */
static void add_err(const fx_type *t, const fx_raw *y, const double *ref, size_t m, double *max,
		    double *sum)
{
	for (size_t i = 0; i < m; i++) {
		double err = fabs(fx_to_double(t, y[i]) - ref[i]);
		if (err > *max || isnan(err))
			*max = err;
		*sum += err;
	}
}

/* Layer k over all n vectors: in (n * n_in raws of type in_t) -> a new array of results. */
static fx_raw *fixed_dense(const layer *l, const layer_cfg *lc, const fx_type *in_t, long n,
			   const fx_raw *in, csim_layer *cl)
{
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
		.data = *in_t, .weight = lc->weight, .bias = lc->bias, .accum = lc->accum,
		.result = lc->result, .relu = l->act == ACT_RELU, .has_bias = l->b != NULL,
	};
	fx_raw *out = xreallocarray(NULL, (size_t)n * (size_t)l->n_out, sizeof *out);
	for (long v = 0; v < n; v++) {
		fx_stats acc = {0}, res = {0};
		dense_fx(&t, l->n_in, l->n_out, in + v * l->n_in, qw, qb, out + v * l->n_out,
			 cl ? &acc : NULL, cl ? &res : NULL);
		if (cl) {
			add_stats(&cl->acc, &acc);
			add_stats(&cl->res, &res);
		}
	}
	free(qw);
	free(qb);
	return out;
}

/* Layer l with a streamed weight format over all n vectors (see the top of the file): in
 * (n * n_in raws of type in_t) -> a new array of results; NULL with e set if a GEMV kernel
 * refuses its operands. */
static fx_raw *streamed_dense(const layer *l, const layer_cfg *lc, const fx_type *in_t, long n,
			      const fx_raw *in, csim_layer *cl, berr *e)
{
	int rows = l->n_out, cols = l->n_in, group = config_wfmt_group(lc->wfmt);
	size_t nw = (size_t)rows * (size_t)cols;
	float *wt = xreallocarray(NULL, nw, sizeof *wt); /* rows = outputs, as gemv wants */
	float *xf = xreallocarray(NULL, (size_t)cols, sizeof *xf);
	float *yf = xreallocarray(NULL, (size_t)rows, sizeof *yf);
	int8_t *xq = xreallocarray(NULL, (size_t)cols, sizeof *xq);
	int8_t *w8 = NULL;
	float *wscale = NULL;
	int32_t *acc32 = NULL;
	int64_t *acc64 = NULL;
	gemv_w4 m = {.rows = rows, .cols = cols, .group = group};
	fx_raw *qb = NULL, *out = NULL;
	for (int r = 0; r < rows; r++)
		for (int c = 0; c < cols; c++)
			wt[(size_t)r * cols + c] = (float)l->w[(size_t)c * rows + r];
	if (group) {
		size_t qbytes, ngroups;
		if (gemv_w4_check(rows, cols, group, e) != 0)
			goto out;
		gemv_w4_sizes(rows, cols, group, &qbytes, &ngroups);
		m.q = xreallocarray(NULL, qbytes, 1);
		m.scale = xreallocarray(NULL, ngroups, sizeof *m.scale);
		m.exp = xreallocarray(NULL, (size_t)rows, sizeof *m.exp);
		acc64 = xreallocarray(NULL, (size_t)rows, sizeof *acc64);
		if (gemv_quant_w4(wt, &m, e) != 0)
			goto out;
	} else {
		w8 = xreallocarray(NULL, nw, sizeof *w8);
		wscale = xreallocarray(NULL, (size_t)rows, sizeof *wscale);
		acc32 = xreallocarray(NULL, (size_t)rows, sizeof *acc32);
		if (gemv_quant_w8(wt, rows, cols, w8, wscale, e) != 0)
			goto out;
	}
	if (l->b) {
		qb = xreallocarray(NULL, (size_t)rows, sizeof *qb);
		for (int j = 0; j < rows; j++)
			qb[j] = fx_from_double(&lc->bias, l->b[j], NULL);
	}
	out = xreallocarray(NULL, (size_t)n * (size_t)rows, sizeof *out);
	for (long v = 0; v < n; v++) {
		float xs;
		for (int c = 0; c < cols; c++)
			xf[c] = (float)fx_to_double(in_t, in[v * cols + c]);
		if (gemv_quant_a8(xf, cols, xq, &xs, e) != 0)
			goto fail;
		if (group) {
			if (gemv_w4a8(&m, xq, acc64, e) != 0)
				goto fail;
			gemv_dequant_w4a8(&m, acc64, xs, yf);
		} else {
			if (gemv_w8a8(w8, xq, rows, cols, acc32, e) != 0)
				goto fail;
			gemv_dequant_w8a8(acc32, wscale, xs, rows, yf);
		}
		fx_stats res = {0};
		fx_raw *y = out + v * rows;
		for (int j = 0; j < rows; j++) {
			double t = (double)yf[j] + (qb ? fx_to_double(&lc->bias, qb[j]) : 0.0);
			y[j] = fx_from_double(&lc->result, t, cl ? &res : NULL);
			if (l->act == ACT_RELU && !(y[j] > 0))
				y[j] = 0;
		}
		if (cl)
			add_stats(&cl->res, &res);
	}
	goto out;
fail:
	free(out);
	out = NULL;
out:
	free(wt);
	free(xf);
	free(yf);
	free(xq);
	free(w8);
	free(wscale);
	free(acc32);
	free(acc64);
	free(m.q);
	free(m.scale);
	free(m.exp);
	free(qb);
	return out;
}

/* The fixed-point pass over the n vectors of x (raws of c->input), layer by layer; returns the
 * last layer's outputs. With r and ref (the float reference per layer), fills r's per-layer
 * errors and event counts. NULL with e set if a streamed layer's kernel fails. */
static fx_raw *forward(const project *p, const config *c, long n, fx_raw *x, csim_result *r,
		       double **ref, berr *e)
{
	fx_raw *cur = x, *silu = NULL, *prod = NULL;
	for (int k = 0; k < p->n_layers; k++) {
		const layer *l = &p->layers[k];
		const layer_cfg *lc = &c->layers[k];
		csim_layer *cl = r ? &r->layers[k] : NULL;
		size_t m = (size_t)n * (size_t)l->n_out;
		const fx_raw *in = l->kind == LK_DOWN ? prod : cur;
		fx_raw *y = lc->wfmt == WF_ROM
				    ? fixed_dense(l, lc, config_input_type(c, p, k), n, in, cl)
				    : streamed_dense(l, lc, config_input_type(c, p, k), n, in, cl, e);
		if (!y) {
			free(silu);
			free(prod);
			if (cur != x)
				free(cur);
			return NULL;
		}
		double sum = 0, ew_sum = 0;
		if (cl)
			add_err(&lc->result, y, ref[k], m, &cl->max_err, &sum);
		if (l->kind == LK_GATE) {
			silu_types st = {.in = lc->result, .table = lc->table, .result = lc->act,
					 .table_size = (int)lc->table_size};
			fx_raw *table = xreallocarray(NULL, (size_t)st.table_size, sizeof *table);
			silu_table(&st, table);
			silu = xreallocarray(NULL, m, sizeof *silu);
			silu_fx(&st, table, (int)m, y, silu, cl ? &cl->ew : NULL);
			free(table);
			for (size_t i = 0; cl && i < m; i++) {
				double s = fx_to_double(&lc->act, silu[i]);
				double e1 = fabs(s - silu_ref(ref[k][i]));
				double e2 = fabs(s - silu_ref(fx_to_double(&lc->result, y[i])));
				if (e1 > cl->ew_max_err || isnan(e1))
					cl->ew_max_err = e1;
				if (e2 > cl->silu_table_err || isnan(e2))
					cl->silu_table_err = e2;
				ew_sum += e1;
			}
			free(y);
		} else if (l->kind == LK_UP) {
			const layer_cfg *gc = &c->layers[k - 1];
			prod = xreallocarray(NULL, m, sizeof *prod);
			mul_fx(&lc->mul, &gc->act, silu, &lc->result, y, (int)m, prod, cl ? &cl->ew : NULL);
			for (size_t i = 0; cl && i < m; i++) {
				double e1 = fabs(fx_to_double(&lc->mul, prod[i]) -
						 silu_ref(ref[k - 1][i]) * ref[k][i]);
				if (e1 > cl->ew_max_err || isnan(e1))
					cl->ew_max_err = e1;
				ew_sum += e1;
			}
			free(silu);
			silu = NULL;
			free(y);
		} else {
			if (l->kind == LK_DOWN) {
				free(prod);
				prod = NULL;
			}
			if (cur != x)
				free(cur);
			cur = y;
		}
		if (cl) {
			cl->mean_err = sum / (double)m;
			cl->ew_mean_err = ew_sum / (double)m;
		}
	}
	free(silu);
	free(prod);
	return cur;
}

/* Casts the calibration inputs to c->input: n * n_in raws; st counts the casts (may be NULL). */
static fx_raw *cast_inputs(const project *p, const config *c, fx_stats *st)
{
	size_t m = (size_t)p->calib.n * (size_t)p->layers[0].n_in;
	fx_raw *x = xreallocarray(NULL, m, sizeof *x);
	for (size_t i = 0; i < m; i++)
		x[i] = fx_from_double(&c->input, p->calib.x[i], st);
	return x;
}

/* The checks csim_run and csim_raw share. */
static int check(const project *p, const config *c, berr *e)
{
	if (c->n_layers != p->n_layers)
		return errf(e, "config has %d layers, block has %d", c->n_layers, p->n_layers);
	if (p->n_layers < 1 || !p->calib.x || p->calib.n < 1)
		return errf(e, "no calibration inputs loaded");
	for (int k = 0; k < p->n_layers; k++)
		if (p->layers[k].kind == LK_GATE && !silu_size_ok(c->layers[k].table_size))
			return errf(e, "layer %s: SiLU table_size %ld is not a power of two in [%d, %d]",
				    p->layers[k].ew_name, c->layers[k].table_size, SILU_TABLE_MIN,
				    SILU_TABLE_MAX);
	for (int k = 0; k < p->n_layers; k++) {
		berr fe = {0};
		if (config_wfmt_fits(c->layers[k].wfmt, p->layers[k].n_in, p->layers[k].n_out, &fe))
			return errf(e, "layer %s: %s", p->layers[k].name, fe.msg);
	}
	return 0;
}

int csim_run(const project *p, const config *c, csim_result *r, berr *e)
{
	memset(r, 0, sizeof *r);
	if (check(p, c, e) != 0)
		return -1;
	long n = p->calib.n;
	int L = p->n_layers;
	r->n_vectors = n;
	r->n_layers = L;
	r->n_out = p->layers[L - 1].n_out;
	r->layers = xcalloc((size_t)L, sizeof *r->layers);

	double **ref = xcalloc((size_t)L, sizeof *ref);
	csim_float_ref(p, ref);
	fx_raw *x = cast_inputs(p, c, &r->layers[0].in);
	fx_raw *y = forward(p, c, n, x, r, ref, e);
	if (!y) {
		free(x);
		for (int k = 0; k < L; k++)
			free(ref[k]);
		free(ref);
		csim_free(r);
		return -1;
	}
	size_t m = (size_t)n * (size_t)r->n_out;
	r->y_fixed = xreallocarray(NULL, m, sizeof *r->y_fixed);
	for (size_t i = 0; i < m; i++)
		r->y_fixed[i] = fx_to_double(&c->layers[L - 1].result, y[i]);
	free(y);
	free(x);

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
	for (int k = 0; k < L - 1; k++)
		free(ref[k]);
	free(ref);
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
	if (check(p, c, e) != 0)
		return -1;
	*xo = cast_inputs(p, c, NULL);
	*yo = forward(p, c, p->calib.n, *xo, NULL, NULL, e);
	if (!*yo) {
		free(*xo);
		*xo = NULL;
		return -1;
	}
	return 0;
}

void csim_free(csim_result *r)
{
	free(r->layers);
	free(r->y_fixed);
	free(r->y_float);
	memset(r, 0, sizeof *r);
}
