/* features.c - the config -> feature vector encoder of the learned authors. Layout: the
 * input type, then per layer its four types and log2 RF and Strategy, then the summaries,
 * then the estimate. */
#include "author/features.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

enum {
	F_TYPE = 6,                    /* W, I, F, sign, round, saturate */
	F_LAYER = 4 * F_TYPE + 2,      /* weight, bias, accum, result; log2 RF, Resource */
	F_SUMMARY = 8,
	F_EST = 5,                     /* DSP, LUT, FF, BRAM18 / part; latency / serial latency */
};

static const char *const type_feat[F_TYPE] = {"W", "I", "F", "signed", "round", "saturate"};
static const char *const type_name[4] = {"weight", "bias", "accum", "result"};
static const char *const summary_name[F_SUMMARY] = {
	"min_weight_F",      /* the narrowest weight's fractional bits */
	"min_bias_F",
	"min_data_F",        /* input and results: the narrowest data path */
	"max_accum_drop",    /* product fractional bits an accumulator drops (F_in + F_w - F_acc) */
	"min_accum_headroom",/* I_acc - (I_in + I_w + ceil(log2 n_in)): < 0 may overflow */
	"min_result_I",
	"n_truncating",      /* input, accumulators and results that truncate */
	"n_wrapping",        /* ... that wrap on overflow */
};
static const char *const est_name[F_EST] = {"est.dsp", "est.lut", "est.ff", "est.bram18",
					    "est.latency"};

int feat_count(const project *p)
{
	return F_TYPE + p->n_layers * F_LAYER + F_SUMMARY + F_EST;
}

/* Rounding: 0 truncates towards -inf, 1/2 towards zero, 1 rounds to nearest. */
static double rounding(fx_qmode q)
{
	return q == FX_TRN ? 0 : q == FX_TRN_ZERO ? 0.5 : 1;
}

/* Saturation: 0 wraps, 1/2 overflows to zero, 1 saturates. */
static double saturation(fx_omode o)
{
	return o == FX_WRAP || o == FX_WRAP_SM ? 0 : o == FX_SAT_ZERO ? 0.5 : 1;
}

static void put_type(double *x, const fx_type *t)
{
	x[0] = t->w;
	x[1] = t->i;
	x[2] = fx_frac(t);
	x[3] = t->sign;
	x[4] = rounding(t->q);
	x[5] = saturation(t->o);
}

/* ceil(log2(n)) for n >= 1. */
static int clog2(long n)
{
	int b = 0;
	while (b < 62 && (1L << b) < n)
		b++;
	return b;
}

/* x / budget, or x when the part has none of it. */
static double share(double x, long budget)
{
	return budget > 0 ? x / (double)budget : x;
}

double feat_log2(double x)
{
	if (x != x)
		return x;
	if (!(x > 0))
		return -1100;
	if (isinf(x))
		return 1100;
	int ex;
	double m = frexp(x, &ex); /* x = m 2^ex, m in [1/2, 1) */
	return (double)(ex - 1) + (2 * m - 1);
}

double feat_exp2(double y)
{
	if (y != y)
		return y;
	if (y > 1100)
		y = 1100;
	if (y < -1100)
		y = -1100;
	double f = floor(y);
	return ldexp(1 + (y - f), (int)f);
}

void feat_encode(const project *p, const config *c, const estimate *est, double *x)
{
	int n = p->n_layers < c->n_layers ? p->n_layers : c->n_layers;
	memset(x, 0, (size_t)feat_count(p) * sizeof *x);
	put_type(x, &c->input);
	double min_wf = INFINITY, min_bf = INFINITY, min_df = fx_frac(&c->input), max_drop = -INFINITY,
	       min_head = INFINITY, min_ri = INFINITY;
	int trn = c->input.q == FX_TRN || c->input.q == FX_TRN_ZERO;
	int wrap = c->input.o == FX_WRAP || c->input.o == FX_WRAP_SM;
	const fx_type *in = &c->input;
	for (int i = 0; i < n; i++) {
		const layer_cfg *l = &c->layers[i];
		double *y = x + F_TYPE + i * F_LAYER;
		const fx_type *t[4] = {&l->weight, &l->bias, &l->accum, &l->result};
		for (int k = 0; k < 4; k++)
			put_type(y + k * F_TYPE, t[k]);
		y[4 * F_TYPE] = feat_log2((double)(l->reuse > 0 ? l->reuse : 1));
		y[4 * F_TYPE + 1] = l->strategy == HLS_RESOURCE;
		min_wf = fmin(min_wf, fx_frac(&l->weight));
		if (p->layers[i].bias)
			min_bf = fmin(min_bf, fx_frac(&l->bias));
		min_df = fmin(min_df, fx_frac(&l->result));
		max_drop = fmax(max_drop, fx_frac(in) + fx_frac(&l->weight) - fx_frac(&l->accum));
		min_head = fmin(min_head, l->accum.i - (in->i + l->weight.i +
							clog2(p->layers[i].n_in > 0 ? p->layers[i].n_in : 1)));
		min_ri = fmin(min_ri, l->result.i);
		for (int k = 2; k < 4; k++) {
			trn += t[k]->q == FX_TRN || t[k]->q == FX_TRN_ZERO;
			wrap += t[k]->o == FX_WRAP || t[k]->o == FX_WRAP_SM;
		}
		in = &l->result;
	}
	double *s = x + F_TYPE + p->n_layers * F_LAYER;
	s[0] = isfinite(min_wf) ? min_wf : 0;
	s[1] = isfinite(min_bf) ? min_bf : 0;
	s[2] = min_df;
	s[3] = isfinite(max_drop) ? max_drop : 0;
	s[4] = isfinite(min_head) ? min_head : 0;
	s[5] = isfinite(min_ri) ? min_ri : 0;
	s[6] = trn;
	s[7] = wrap;
	if (est) {
		double *e = s + F_SUMMARY;
		double serial = (double)project_macs(p) * p->clock_ns;
		e[0] = share((double)est->total.dsp, p->part.dsp);
		e[1] = share((double)est->total.lut, p->part.lut);
		e[2] = share((double)est->total.ff, p->part.ff);
		e[3] = share((double)est->total.bram18, p->part.bram18);
		e[4] = serial > 0 ? est->latency_ns / serial : est->latency_ns;
	}
}

const char *feat_name(const project *p, int k, char *buf, size_t n)
{
	int layers = F_TYPE + p->n_layers * F_LAYER;
	if (k < 0 || k >= feat_count(p))
		snprintf(buf, n, "?");
	else if (k < F_TYPE)
		snprintf(buf, n, "input.%s", type_feat[k]);
	else if (k < layers) {
		int i = (k - F_TYPE) / F_LAYER, j = (k - F_TYPE) % F_LAYER;
		if (j < 4 * F_TYPE)
			snprintf(buf, n, "%s.%s.%s", p->layers[i].name, type_name[j / F_TYPE],
				 type_feat[j % F_TYPE]);
		else
			snprintf(buf, n, "%s.%s", p->layers[i].name, j == 4 * F_TYPE ? "log2_rf" : "resource");
	} else if (k < layers + F_SUMMARY)
		snprintf(buf, n, "%s", summary_name[k - layers]);
	else
		snprintf(buf, n, "%s", est_name[k - layers - F_SUMMARY]);
	return buf;
}

unsigned feat_group(const project *p, int k)
{
	int layers = F_TYPE + p->n_layers * F_LAYER;
	if (k >= F_TYPE && k < layers && (k - F_TYPE) % F_LAYER >= 4 * F_TYPE)
		return FEAT_IMPL;
	if (k >= layers + F_SUMMARY)
		return FEAT_ESTIMATE;
	return FEAT_NUMERIC;
}
