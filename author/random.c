/* random.c - the random author: the seeded control every other strategy is measured against.
 * Round 0 starts from the default config like every strategy; everything else is drawn from
 * ctx->rng alone, in integer arithmetic, so a seed gives the same configs on every machine.
 * The ranges are in docs/STRATEGIES.md. */
#include "author/author.h"

#include <stdio.h>
#include <string.h>

/* Ranges of the draws (inclusive). Integer bits are drawn first, the width from
 * max(range low, I + 1) so every type keeps at least one fractional bit. */
enum {
	IN_W_LO = 6, IN_W_HI = 18, IN_I_LO = 1, IN_I_HI = 8,        /* input */
	WT_W_LO = 4, WT_W_HI = 18, WT_I_LO = 0, WT_I_HI = 4,        /* weight */
	BI_W_LO = 4, BI_W_HI = 18, BI_I_LO = 0, BI_I_HI = 6,        /* bias */
	RS_W_LO = 6, RS_W_HI = 20, RS_I_LO = 2, RS_I_HI = 8,        /* result */
	AC_GUARD_HI = 8,    /* accum: fractional bits beyond the result's, 0..8 */
	AC_INT_EXTRA = 2,   /* accum: integer bits beyond the result's, 1..clog2(n_in)+2 */
	TB_W_LO = 6, TB_W_HI = 18, TB_I_LO = 1, TB_I_HI = 2,        /* swiglu: sigmoid table */
	TB_LOG2_LO = 6, TB_LOG2_HI = 12,   /* swiglu: table_size 64 .. 4096 */
	TRIES_PER_WANT = 100,
};

/* Uniform integer in [lo, hi]. */
static int draw(author_ctx *ctx, int lo, int hi)
{
	return lo + (int)rng_below(&ctx->rng, (uint64_t)(hi - lo + 1));
}

/* ceil(log2(n)) for n >= 1. */
static int clog2(long n)
{
	int b = 0;
	while (b < 62 && (1L << b) < n)
		b++;
	return b;
}

/* A quantization mode: TRN or RND 45% each, one of the other five 10%. */
static fx_qmode draw_q(author_ctx *ctx)
{
	static const fx_qmode other[] = {FX_RND_ZERO, FX_RND_MIN_INF, FX_RND_INF, FX_RND_CONV,
					 FX_TRN_ZERO};
	int k = draw(ctx, 0, 99);
	if (k < 45)
		return FX_TRN;
	if (k < 90)
		return FX_RND;
	return other[rng_below(&ctx->rng, 5)];
}

/* An overflow mode: WRAP 50%, SAT 40%, SAT_ZERO, SAT_SYM or WRAP_SM 10%. */
static fx_omode draw_o(author_ctx *ctx)
{
	static const fx_omode other[] = {FX_SAT_ZERO, FX_SAT_SYM, FX_WRAP_SM};
	int k = draw(ctx, 0, 99);
	if (k < 50)
		return FX_WRAP;
	if (k < 90)
		return FX_SAT;
	return other[rng_below(&ctx->rng, 3)];
}

/* A signed type with I in [ilo, ihi] and W in [max(wlo, I + 1), whi]. */
static fx_type draw_type(author_ctx *ctx, int wlo, int whi, int ilo, int ihi)
{
	fx_type t = {.sign = true};
	t.i = draw(ctx, ilo, ihi);
	t.w = draw(ctx, wlo > t.i + 1 ? wlo : t.i + 1, whi);
	t.q = draw_q(ctx);
	t.o = draw_o(ctx);
	return t;
}

/* A ReuseFactor in [1, n], log-uniform by octaves: an octave [2^k, 2^(k+1)) that meets the
 * range is picked uniformly, then an RF uniformly inside it (cut at n). */
static long draw_rf(author_ctx *ctx, long n)
{
	int top = 0;
	while (top < 62 && (2L << top) <= n)
		top++;
	int k = draw(ctx, 0, top);
	long lo = 1L << k, hi = (2L << k) - 1;
	if (hi > n)
		hi = n;
	return lo + (long)rng_below(&ctx->rng, (uint64_t)(hi - lo + 1));
}

/* The valid Resource RF nearest rf (the smaller on a tie), as hls4ml's
 * set_closest_reuse_factor picks it. */
static long closest_rf(const layer *ly, long rf)
{
	long lo, hi;
	if (hls4ml_rf_valid(ly->n_in, ly->n_out, rf, &lo, &hi))
		return rf;
	if (!hi)
		return lo ? lo : 1;
	if (!lo)
		return hi;
	return hi - rf < rf - lo ? hi : lo;
}

void author_random_config(author_ctx *ctx, config *c)
{
	const project *p = ctx->p;
	memset(c, 0, sizeof *c);
	c->n_layers = p->n_layers;
	c->layers = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *c->layers);
	c->input = draw_type(ctx, IN_W_LO, IN_W_HI, IN_I_LO, IN_I_HI);
	for (int i = 0; i < p->n_layers; i++) {
		const layer *ly = &p->layers[i];
		layer_cfg *l = &c->layers[i];
		l->weight = draw_type(ctx, WT_W_LO, WT_W_HI, WT_I_LO, WT_I_HI);
		l->bias = draw_type(ctx, BI_W_LO, BI_W_HI, BI_I_LO, BI_I_HI);
		l->result = draw_type(ctx, RS_W_LO, RS_W_HI, RS_I_LO, RS_I_HI);
		/* After a ReLU the result is never negative: a quarter of them go unsigned. */
		if (ly->act == ACT_RELU && draw(ctx, 0, 3) == 0) {
			l->result.sign = false;
			if (l->result.o == FX_WRAP_SM) /* the vendor library refuses it unsigned */
				l->result.o = FX_WRAP;
		}
		/* The accumulator holds the sum: more integer bits than the result, and some
		 * guard bits below it. */
		fx_type *a = &l->accum;
		int frac = fx_frac(&l->result) + draw(ctx, 0, AC_GUARD_HI);
		a->i = l->result.i + draw(ctx, 1, clog2(ly->n_in) + AC_INT_EXTRA);
		a->w = a->i + frac;
		if (a->w > FX_W_MAX)
			a->w = FX_W_MAX;
		a->sign = true;
		a->q = draw_q(ctx);
		a->o = draw_o(ctx);
		long n = (long)ly->n_in * ly->n_out;
		l->reuse = draw_rf(ctx, n > 0 ? n : 1);
		l->strategy = draw(ctx, 0, 1) ? HLS_RESOURCE : HLS_LATENCY;
		if (l->strategy == HLS_RESOURCE)
			l->reuse = closest_rf(ly, l->reuse);
		/* A swiglu gate's SiLU (result, table type and size), an up's product (result):
		 * drawn only for swiglu blocks, so other blocks keep their streams. */
		if (ly->kind == LK_GATE) {
			l->act = draw_type(ctx, RS_W_LO, RS_W_HI, RS_I_LO, RS_I_HI);
			l->table = draw_type(ctx, TB_W_LO, TB_W_HI, TB_I_LO, TB_I_HI);
			l->table_size = 1L << draw(ctx, TB_LOG2_LO, TB_LOG2_HI);
		} else if (ly->kind == LK_UP) {
			l->mul = draw_type(ctx, RS_W_LO, RS_W_HI, RS_I_LO, RS_I_HI);
		}
		/* A layer too big for on-chip ROM streams its weights: w8 or INT4 of a group
		 * dividing n_in, uniformly. Drawn only for such layers, so the draws of blocks
		 * that fit on chip are unchanged. */
		if (config_wfmt_wanted(p, i)) {
			weight_format opt[WF_COUNT];
			int k = 0;
			berr fe;
			for (int f = WF_W8; f < WF_COUNT; f++)
				if (config_wfmt_fits((weight_format)f, ly->n_in, ly->n_out, &fe) == 0)
					opt[k++] = (weight_format)f;
			if (k)
				l->wfmt = opt[draw(ctx, 0, k - 1)];
		}
	}
}

void author_random(author_ctx *ctx)
{
	if (ctx->round == 0) {
		config d;
		config_default(ctx->p, &d);
		author_offer(ctx, &d, "random: default start");
		config_free(&d);
	}
	char why[64];
	for (long k = 0; !author_full(ctx) && k < TRIES_PER_WANT * ctx->want; k++) {
		config c;
		author_random_config(ctx, &c);
		snprintf(why, sizeof why, "random: draw %ld", k + 1);
		author_offer(ctx, &c, why);
		config_free(&c);
	}
}
