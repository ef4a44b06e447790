/* estimate.c - the analytical resource and latency model of the RTL burn emits: the folding
 * and cycles come from kernels/rtl.c's rtl_fold, the DSP and memory mapping from Yosys' rules,
 * LUTs and FFs from structure counts with fitted coefficients (docs/ESTIMATE.md). No I/O. */
#include "gen/estimate.h"

#include "kernels/gemv_roof.h"
#include "kernels/rtl.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Model constants. The DSP and memory rules are Yosys' own (synth_xilinx, memory_libmap);
 * the LUT/FF coefficients below were fitted to Yosys runs of the emitted RTL (docs/ESTIMATE.md,
 * tests/data/calib/, tests/unit/test_estimate.c refits them). */
enum {
	DSP_ACC_BITS = 48,            /* DSP48E1/E2 P register */
	LUT_MIN_OPERAND = 2,          /* mul2dsp DSP_A/B_MINWIDTH: narrower operands stay in LUTs */
	LUT_MIN_PRODUCT = 9,          /* mul2dsp DSP_Y_MINWIDTH: products below 9 bits stay in LUTs */
	ROM_LOGIC_BITS_PER_COST = 64, /* memory_libmap -logic-cost-rom 1/64 per bit ... */
	ROM_BRAM18_COST = 129,        /* ... against 129 per RAMB18 (brams_xc4v.txt) */
	CTRL_COPIES = 4,              /* slot and phase counters: the counter and 3 delayed copies */
};

const double est_lut_coef[EST_N_TERMS] = {
	[EST_T_BANK] = 0, [EST_T_BANK_MUX] = 1.08, [EST_T_ROM_REG] = 0, [EST_T_ROM_LUT] = 1.11,
	[EST_T_LANE_REG] = 0, [EST_T_SOFT_MUL] = 0.5, [EST_T_SPLIT_ADD] = 1,
	[EST_T_ACC_FABRIC] = 2.10, [EST_T_ACC_CHAIN] = 1.53, [EST_T_QUANT] = 0,
	[EST_T_QUANT_MODE] = 0, [EST_T_RESULT] = 0.21, [EST_T_RESULT_MODE] = 0.65, [EST_T_OUT] = 0,
	[EST_T_OPMUX] = 1, [EST_T_BIAS_MUX] = 0.46, [EST_T_CTRL] = 1.36,
};
const double est_ff_coef[EST_N_TERMS] = {
	[EST_T_BANK] = 0.93, [EST_T_BANK_MUX] = 0, [EST_T_ROM_REG] = 0.82, [EST_T_ROM_LUT] = 0,
	[EST_T_LANE_REG] = 1, [EST_T_SOFT_MUL] = 0, [EST_T_SPLIT_ADD] = 0,
	[EST_T_ACC_FABRIC] = 0.88, [EST_T_ACC_CHAIN] = 0.52, [EST_T_QUANT] = 0,
	[EST_T_QUANT_MODE] = 0, [EST_T_RESULT] = 0, [EST_T_RESULT_MODE] = 0, [EST_T_OUT] = 1.91,
	[EST_T_OPMUX] = 0, [EST_T_BIAS_MUX] = 0, [EST_T_CTRL] = 0.78,
};

static const char *const term_names[EST_N_TERMS] = {
	[EST_T_BANK] = "bank", [EST_T_BANK_MUX] = "bank_mux", [EST_T_ROM_REG] = "rom_reg",
	[EST_T_ROM_LUT] = "rom_lut", [EST_T_LANE_REG] = "lane_reg", [EST_T_SOFT_MUL] = "soft_mul",
	[EST_T_SPLIT_ADD] = "split_add", [EST_T_ACC_FABRIC] = "acc_fabric",
	[EST_T_ACC_CHAIN] = "acc_chain", [EST_T_QUANT] = "quant",
	[EST_T_QUANT_MODE] = "quant_mode", [EST_T_RESULT] = "result",
	[EST_T_RESULT_MODE] = "result_mode", [EST_T_OUT] = "out", [EST_T_OPMUX] = "opmux",
	[EST_T_BIAS_MUX] = "bias_mux", [EST_T_CTRL] = "ctrl",
};

const char *estimate_term_name(int k)
{
	return k >= 0 && k < EST_N_TERMS ? term_names[k] : "?";
}

/* BRAM18 shapes (width x depth) Yosys can pick for a ROM, 36x512 down to 1x16384. */
static const int bram_shapes[][2] = {{36, 512}, {18, 1024}, {9, 2048}, {4, 4096}, {2, 8192},
				     {1, 16384}};

static long long cdiv(long long a, long long b)
{
	return (a + b - 1) / b;
}

/* ceil(log2(n)) for n >= 1. */
static int clog2(long long n)
{
	int b = 0;
	while (b < 62 && (1LL << b) < n)
		b++;
	return b;
}

static long clamp_long(double x)
{
	return x >= (double)LONG_MAX ? LONG_MAX : x < 0 ? 0 : (long)llround(x);
}

/* Fewest BRAM18 (RAMB18, or RAMB36 as two) holding a width x depth ROM (one address). */
static long long bram18_count(long long width, long long depth)
{
	long long best = -1;
	for (size_t k = 0; k < sizeof bram_shapes / sizeof bram_shapes[0]; k++) {
		long long n = cdiv(width, bram_shapes[k][0]) * cdiv(depth, bram_shapes[k][1]);
		if (best < 0 || n < best)
			best = n;
	}
	return best;
}

/* DSP slices of one a x b signed product, split as Yosys mul2dsp does: the wider operand on
 * port A (da bits), the other on B (db bits); an operand too wide is cut into db-bit slices
 * (DSP_A_MAXWIDTH_PARTIAL = 18 on xc7/xcup). */
static long long dsp_count(int a, int b, int da, int db)
{
	if (a < b) {
		int t = a;
		a = b;
		b = t;
	}
	if (a <= da && b <= db)
		return 1;
	long long n = 0;
	if (a > da) {
		for (int lo = 0; lo < a; lo += db)
			n += dsp_count(a - lo < db ? a - lo : db, b, da, db);
	} else {
		for (int lo = 0; lo < b; lo += db)
			n += dsp_count(a, b - lo < db ? b - lo : db, da, db);
	}
	return n;
}

/* Bits of m as a signed (sgn) or unsigned number: the fewest that hold it. */
static int raw_bits(fx_raw m, bool sgn)
{
	int b = sgn ? 1 : 0;
	if (sgn && m < 0)
		m = -(m + 1);
	while (m > 0 && b < 130) {
		m >>= 1;
		b++;
	}
	return b;
}

static int cmp_raw(const void *a, const void *b)
{
	fx_raw x = *(const fx_raw *)a, y = *(const fx_raw *)b;
	return (x > y) - (x < y);
}

/* DSP slices of one lane multiplying an input of type tx by the constant raw weight c (the
 * RTL at D = 1), as Yosys 0.23 maps it (measured, docs/ESTIMATE.md): a product by 0 or by
 * +-2^k is a shift; otherwise the constant's trailing zero bits are dropped (c = m * 2^k
 * multiplies by the odd m), and the product is unsigned (input bits x bits of m) when the
 * input is unsigned and m > 0, else signed (the signed input x the signed bits of m); it
 * stays in LUTs below 9 product bits or with an operand under 2 bits, as for any product. */
static long long const_dsp(const fx_type *tx, fx_raw c, const part *pt)
{
	if (c == 0)
		return 0;
	while ((c & 1) == 0)
		c >>= 1; /* an arithmetic shift: c != 0 */
	if (c == 1 || c == -1)
		return 0;
	bool uns = !tx->sign && c > 0;
	int a = uns ? tx->w : tx->w + !tx->sign, b = raw_bits(c, !uns);
	if (a < LUT_MIN_OPERAND || b < LUT_MIN_OPERAND || a + b < LUT_MIN_PRODUCT)
		return 0;
	return uns ? dsp_count(a + 1, b + 1, pt->dsp_a, pt->dsp_b) : dsp_count(a, b, pt->dsp_a, pt->dsp_b);
}

/* DSP slices of a layer at D = 1 with its weights: each lane multiplies one input by one
 * quantised weight, a constant, and lanes multiplying the same input by the same constant
 * share one multiplier (Yosys merges their equal operand registers and products). *nmul
 * gets the number of products left on DSPs. */
static long long const_layer_dsp(const layer *ly, const fx_type *tx, const fx_type *tw,
				 const part *pt, long long *nmul)
{
	long long dsp = 0;
	fx_raw *row = xcalloc((size_t)ly->n_out, sizeof *row);
	*nmul = 0;
	for (int i = 0; i < ly->n_in; i++) {
		for (int j = 0; j < ly->n_out; j++)
			row[j] = fx_from_double(tw, ly->w[(size_t)i * ly->n_out + j], NULL);
		qsort(row, (size_t)ly->n_out, sizeof *row, cmp_raw);
		for (int j = 0; j < ly->n_out; j++) {
			if (j > 0 && row[j] == row[j - 1])
				continue;
			long long n = const_dsp(tx, row[j], pt);
			dsp += n;
			*nmul += n > 0;
		}
	}
	free(row);
	return dsp;
}

/* Everything est_layer computes about one layer. */
typedef struct {
	rtl_fold f;
	long long dsp, bram, lutram;
	long long const_mults; /* D = 1 with weights: products left on DSPs after folding */
	bool soft;
	double t[EST_N_TERMS];
} layer_model;

/* Models one layer whose input has type in_t. */
static int model_layer(const layer *ly, const fx_type *in_t, const layer_cfg *lc, const part *pt,
		       layer_model *m, berr *e)
{
	memset(m, 0, sizeof *m);
	if (rtl_fold_layer(ly->n_in, ly->n_out, lc->reuse, &m->f, e) != 0)
		return -1;
	double P = (double)m->f.lanes, D = (double)m->f.slot;
	int wx = in_t->w, ww = lc->weight.w, wa = lc->accum.w, wr = lc->result.w;
	int ea = wx + !in_t->sign, eb = ww + !lc->weight.sign, wp = ea + eb;
	bool absorbs = strcmp(pt->family, "xcup") != 0; /* TOOLS.md: E2 registers stay in fabric */

	/* multiplier: LUTs when narrow, else DSPs (signed-only: unsigned operands get a bit) */
	m->soft = wx < LUT_MIN_OPERAND || ww < LUT_MIN_OPERAND || wx + ww < LUT_MIN_PRODUCT;
	long long per = m->soft ? 0 : dsp_count(ea, eb, pt->dsp_a, pt->dsp_b);
	m->dsp = (long long)P * per;
	/* D = 1: the weights are constants Yosys folds by value (without them, as in an
	 * author's facet, P*per is an upper bound) */
	if (m->f.slot == 1 && ly->w)
		m->dsp = const_layer_dsp(ly, in_t, &lc->weight, pt, &m->const_mults);
	/* the RTL's own decision (kernels/rtl.h): from the weights when they are loaded, else
	 * the types' bound (estimate_needs_weights loads them whenever that bound fails) */
	bool exact = rtl_accum_exact(ly, in_t, lc);
	int fa = fx_frac(&lc->accum), fp = fx_frac(in_t) + fx_frac(&lc->weight);
	/* in the DSP's P register when it can be: on xc7, one DSP per product, an exact
	 * accumulator of at most 48 bits that adds the product unshifted (Yosys' xilinx_dsp
	 * packs the adder only when its operand is the multiplier's output, sign-extended: a
	 * product shifted up to the accumulator's fractional bits keeps a fabric adder), and a
	 * lane that accumulates (at D = 1 every lane adds its product to a constant or the
	 * previous lane's sum: Yosys leaves that in fabric) */
	bool acc_in_dsp = absorbs && !m->soft && per == 1 && exact && fa == fp &&
			  wa <= DSP_ACC_BITS && m->f.slot > 1;
	double *t = m->t;
	if (m->soft)
		t[EST_T_SOFT_MUL] = P * ea * eb;
	else
		t[EST_T_SPLIT_ADD] = P * (double)(per - 1) * wp;
	if (m->soft || per > 1 || !absorbs)
		t[EST_T_LANE_REG] = P * (ea + wp);
	if (m->f.slot == 1)
		t[EST_T_ACC_CHAIN] = P * wa;
	else if (!acc_in_dsp)
		t[EST_T_ACC_FABRIC] = P * wa;
	if (!exact) {
		int fs = fa > fp ? fa : fp;
		int wae = wa + !lc->accum.sign;
		int ws = (wae + fs - fa > wp + fs - fp ? wae + fs - fa : wp + fs - fp) + 1;
		t[EST_T_QUANT] = P * ws;
		t[EST_T_QUANT_MODE] = P * wa * ((fp > fa && lc->accum.q != FX_TRN) + (lc->accum.o != FX_WRAP));
	}
	/* weight ROM: P*W bits wide, D deep, one address; memory_libmap takes block RAM when it
	 * costs less than logic (D = 1: constants, no ROM) */
	if (D > 1) {
		double width = P * ww;
		long long nb = bram18_count((long long)width, (long long)D);
		if ((double)nb * ROM_BRAM18_COST < width * D / ROM_LOGIC_BITS_PER_COST) {
			m->bram = nb;
		} else {
			/* Yosys merges equal bit columns: of `width` columns of D random bits,
			 * 2^D * (1 - exp(-width / 2^D)) are distinct on average */
			double cols = width;
			if (D < 40) {
				double k = ldexp(1, (int)D);
				cols = k * -expm1(-width / k);
			}
			t[EST_T_ROM_REG] = cols;
			t[EST_T_ROM_LUT] = cols * (double)cdiv((long long)D, 64);
			m->lutram = (long long)(width * D);
		}
	}

	double bank = (double)m->f.bank_regs * wx;
	t[EST_T_BANK] = bank;
	if (D > 1)
		t[EST_T_BANK_MUX] = bank;
	double ends = (double)m->f.end_lanes;
	const fx_type *tr = &lc->result;
	t[EST_T_RESULT] = ends * wr;
	t[EST_T_RESULT_MODE] = ends * wr *
			       ((fx_frac(&lc->accum) > fx_frac(tr) && tr->q != FX_TRN) + (tr->o != FX_WRAP));
	t[EST_T_OUT] = (double)ly->n_out * wr;
	t[EST_T_OPMUX] = (double)m->f.two_stage_lanes * wx;
	t[EST_T_BIAS_MUX] = (double)m->f.multi_start_lanes * wa;
	int cb = D > 1 ? clog2((long long)D) : 0, pb = D > ly->n_in ? clog2(ly->n_in) : 0;
	t[EST_T_CTRL] = (double)CTRL_COPIES * (cb + pb) + (double)m->f.stages + 6;
	return 0;
}

/* Estimates one layer: the fold's cycles, Yosys' DSP and memory rules, fitted fabric. */
static void est_layer(const layer_model *m, layer_estimate *o)
{
	double lut = 0, ff = 0;
	for (int k = 0; k < EST_N_TERMS; k++) {
		lut += est_lut_coef[k] * m->t[k];
		ff += est_ff_coef[k] * m->t[k];
	}
	o->mults = m->f.lanes;
	o->dsp = clamp_long((double)m->dsp);
	o->lut = clamp_long(lut);
	o->ff = clamp_long(ff);
	o->bram18 = clamp_long((double)m->bram);
	o->lutram_bits = clamp_long((double)m->lutram);
	o->latency = m->f.wait + m->f.latency;
	o->ii = m->f.slot;
}

/* Checks what estimate_run and estimate_terms need. */
static int check_inputs(const project *p, const config *c, berr *e)
{
	unsigned need = HAS_BLOCK | HAS_PART | HAS_CLOCK;
	if ((p->has & need) != need)
		return errf(e, "%s: the estimate needs the block, part and clock sections",
			    p->path ? p->path : "project");
	if (c->n_layers != p->n_layers)
		return errf(e, "config has %d layers, the block %d", c->n_layers, p->n_layers);
	if (p->part.dsp_a < 2 || p->part.dsp_b < 2)
		return errf(e, "part %s: DSP operand widths %dx%d are too small", p->part.name,
			    p->part.dsp_a, p->part.dsp_b);
	if (!(p->clock_ns > 0) || !isfinite(p->clock_ns))
		return errf(e, "clock period %g ns is not a positive number", p->clock_ns);
	for (int i = 0; i < p->n_layers; i++) {
		const layer *ly = &p->layers[i];
		if (ly->n_in < 1 || ly->n_out < 1 || c->layers[i].reuse < 1)
			return errf(e, "layer %s: n_in %d, n_out %d, ReuseFactor %ld out of range",
				    ly->name, ly->n_in, ly->n_out, c->layers[i].reuse);
	}
	return 0;
}

/* Models every layer into m (n_layers entries) and chains their folds. */
static int model_all(const project *p, const config *c, layer_model *m, berr *e)
{
	if (check_inputs(p, c, e) != 0)
		return -1;
	for (int i = 0; i < p->n_layers; i++)
		if (model_layer(&p->layers[i], config_input_type(c, p, i), &c->layers[i], &p->part,
				&m[i], e) != 0)
			return -1;
	rtl_fold *f = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *f);
	for (int i = 0; i < p->n_layers; i++)
		f[i] = m[i].f;
	rtl_fold_chain(f, p->n_layers);
	for (int i = 0; i < p->n_layers; i++)
		m[i].f.wait = f[i].wait;
	free(f);
	return 0;
}

bool estimate_needs_weights(const project *p, const config *c)
{
	for (int i = 0; i < p->n_layers && i < c->n_layers; i++) {
		const layer_cfg *lc = &c->layers[i];
		if (lc->wfmt != WF_ROM)
			continue;
		/* D = ceil(N / ceil(N / RF)) is 1 exactly when RF = 1 or N = 1 */
		layer bare = p->layers[i];
		if (lc->reuse == 1 || (bare.n_in == 1 && bare.n_out == 1))
			return true;
		/* an accumulator the types alone do not prove exact may be exact by the weights */
		bare.w = NULL;
		bare.b = NULL;
		if (!rtl_accum_exact(&bare, config_input_type(c, p, i), lc))
			return true;
	}
	return false;
}

int estimate_terms(const project *p, const config *c, int k, double *terms, berr *e)
{
	memset(terms, 0, EST_N_TERMS * sizeof *terms);
	if (k >= p->n_layers)
		return errf(e, "layer %d of %d", k, p->n_layers);
	layer_model *m = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *m);
	int rc = model_all(p, c, m, e);
	for (int i = 0; rc == 0 && i < p->n_layers; i++)
		if (k < 0 || k == i)
			for (int t = 0; t < EST_N_TERMS; t++)
				terms[t] += m[i].t[t];
	free(m);
	return rc;
}

static long add_long(long a, long b)
{
	return a > LONG_MAX - b ? LONG_MAX : a + b;
}

/* One multiplier of an a x b product (signedness as for dense): adds its DSPs or LUTs to
 * *dsp / *lut and returns its pipeline stages. */
static int est_mult(const fx_type *a, const fx_type *b, const part *pt, long long lanes,
		    long long *dsp, long long *lut)
{
	int ea = a->w + !a->sign, eb = b->w + !b->sign;
	if (a->w < LUT_MIN_OPERAND || b->w < LUT_MIN_OPERAND || a->w + b->w < LUT_MIN_PRODUCT) {
		*lut += lanes * cdiv((long long)ea * eb, 2);
		return 1;
	}
	long long per = dsp_count(ea, eb, pt->dsp_a, pt->dsp_b);
	*dsp += lanes * per;
	*lut += lanes * (per - 1) * (ea + eb);
	return 2 + clog2(per);
}

/* The SiLU and the product after the up layer i of a swiglu entry (gate is layer i-1, with
 * estimate g): adds their cost to up's estimate o and returns the cycles by which gate and
 * up overlap (they read the same input at once), for the block's total. They keep pace with
 * the projections: E = ceil(n_hidden / II) lanes, each with its own sigmoid table (a ROM of
 * table_size words), a multiplier x * sigmoid and a multiplier silu * up, handling II values
 * in turn. */
static long est_swiglu_ew(const project *p, const config *c, int i, const layer_estimate *g,
			  layer_estimate *o)
{
	const layer_cfg *gc = &c->layers[i - 1], *uc = &c->layers[i];
	long long ii = g->ii > o->ii ? g->ii : o->ii;
	long long lanes = cdiv(p->layers[i].n_out, ii < 1 ? 1 : ii);
	long long n = gc->table_size, wt = gc->table.w, lut = 0, ff = 0, dsp = 0, bram = 0;
	long long nb = bram18_count(wt, n); /* memory_libmap's choice, as for a weight ROM */
	if ((double)nb * ROM_BRAM18_COST < (double)wt * (double)n / ROM_LOGIC_BITS_PER_COST)
		bram = lanes * nb;
	else
		lut += lanes * wt * cdiv(n, 64);
	int st1 = est_mult(&gc->result, &gc->table, &p->part, lanes, &dsp, &lut);
	int st2 = est_mult(&gc->act, &uc->result, &p->part, lanes, &dsp, &lut);
	/* range compare and index of x, the two result casts; registers on x, table word, casts */
	int wx = gc->result.w, wa = gc->act.w, wm = uc->mul.w;
	lut += lanes * (wx + clog2(n) + cdiv(wa, 4) + cdiv(wm, 4) + wa);
	ff += lanes * (wx + wt + wa + wm);
	long overlap = g->latency < o->latency ? g->latency : o->latency;
	o->mults = add_long(o->mults, clamp_long(2 * lanes));
	o->dsp = add_long(o->dsp, clamp_long(dsp));
	o->lut = add_long(o->lut, clamp_long(lut));
	o->ff = add_long(o->ff, clamp_long(ff));
	o->bram18 = add_long(o->bram18, clamp_long(bram));
	/* ROM read, x * sigmoid, silu * up, output register; II values per lane */
	o->latency = add_long(o->latency, clamp_long(ii + st1 + st2 + 1));
	return overlap;
}

/* A layer whose weights stream from the part's external memory (WeightFormat w8, int4_gG;
 * docs/CONFIG.md) runs on GEMV engines (docs/KERNELS.md), not a folded dense layer: the
 * ReuseFactor asks for P = ceil(n_in*n_out / RF) MAC lanes, built as E = ceil(P / 64) engines
 * of p lanes (the smallest measured lane count >= P / E). Resources are E times the engine's
 * Yosys 0.23 counts (docs/PERFORMANCE.md, "Quantised GEMV kernels": W8A8 on xc7 with a
 * 1,024-column activation RAM, INT4 on xcup with an 8,960-column one; for INT4 the row of the
 * same lanes, and of the same group where both were measured). No BRAM holds weights; the
 * BRAM18 counted is the engines' activation RAM. Latency is the roofline of
 * kernels/gemv_roof.h: max(compute, memory) cycles, compute = the rows split over the E
 * engines at ceil(n_in / p) cycles a row plus the activation load, memory = the weight-stream
 * bytes (roof_bytes) over the bandwidth of the min(E, channels) channels the engines use. */
static int est_streamed(const layer *ly, const layer_cfg *lc, const project *p,
			layer_estimate *o, berr *e)
{
	/* engine, lanes, group (0: any) -> LUT, FF, DSP, BRAM18 (docs/PERFORMANCE.md) */
	static const struct {
		bool w4;
		int p, group;
		long lut, ff, dsp, bram18;
	} yosys[] = {
		{false, 8, 0, 653, 423, 12, 2},      {false, 16, 0, 733, 667, 20, 0},
		{false, 32, 0, 872, 987, 36, 0},     {false, 64, 0, 1153, 1587, 68, 0},
		{true, 16, 128, 706, 1041, 17, 8},   {true, 32, 64, 993, 1572, 33, 8},
		{true, 64, 32, 1584, 2786, 66, 15},  {true, 64, 128, 1569, 2615, 65, 15},
	};
	const part *pt = &p->part;
	if (!(pt->mem_gbps > 0) || !isfinite(pt->mem_gbps))
		return errf(e, "layer %s: WeightFormat %s streams weights from external memory, but "
			       "part %s has no memory: bandwidth (gbps)", ly->name,
			    config_wfmt_name(lc->wfmt), pt->name);
	gemv_engine g = {.w4 = config_wfmt_group(lc->wfmt) > 0, .group = config_wfmt_group(lc->wfmt)};
	long long n_in = ly->n_in, n_out = ly->n_out;
	long long P = cdiv(n_in * n_out, lc->reuse);
	long long E = cdiv(P, 64);
	if (E > n_out)
		E = n_out;
	long long want = cdiv(P, E);
	g.p = g.w4 ? 16 : 8;
	while (g.p < want && g.p < 64)
		g.p *= 2;
	int row = -1;
	for (size_t k = 0; k < sizeof yosys / sizeof yosys[0]; k++)
		if (yosys[k].w4 == g.w4 && yosys[k].p == g.p &&
		    (row < 0 || yosys[k].group == g.group))
			row = (int)k;
	long long ch = pt->mem_channels > 0 ? pt->mem_channels : 1;
	long long used = E < ch ? E : ch;
	double bytes_per_cycle = pt->mem_gbps * (double)used / (double)ch * p->clock_ns;
	double mem = ceil(roof_bytes(&g, (int)n_out, (int)n_in) / bytes_per_cycle);
	long long beats = cdiv(n_in, g.p);
	double compute = (double)(cdiv(n_out, E) * beats + beats);
	int lp = clog2(g.p);
	double cyc = (compute > mem ? compute : mem) + lp + 5; /* the pipeline once (KERNELS.md) */
	o->mults = clamp_long(E * g.p);
	o->dsp = clamp_long(E * yosys[row].dsp);
	o->lut = clamp_long(E * yosys[row].lut);
	o->ff = clamp_long(E * yosys[row].ff);
	o->bram18 = clamp_long(E * yosys[row].bram18);
	o->lutram_bits = 0;
	o->latency = cyc < (double)LONG_MAX ? (long)cyc : LONG_MAX;
	o->ii = (compute > mem ? compute : mem) < (double)LONG_MAX ? (long)(compute > mem ? compute : mem)
								  : LONG_MAX;
	return 0;
}

int estimate_run(const project *p, const config *c, estimate *out, berr *e)
{
	memset(out, 0, sizeof *out);
	layer_model *m = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *m);
	if (model_all(p, c, m, e) != 0) {
		free(m);
		return -1;
	}
	out->n_layers = p->n_layers;
	out->layers = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *out->layers);
	layer_estimate *t = &out->total;
	for (int i = 0; i < p->n_layers; i++) {
		layer_estimate *l = &out->layers[i];
		if (c->layers[i].wfmt != WF_ROM) {
			if (est_streamed(&p->layers[i], &c->layers[i], p, l, e) != 0) {
				free(m);
				estimate_free(out);
				return -1;
			}
		} else {
			est_layer(&m[i], l);
		}
		if (p->layers[i].kind == LK_UP && i > 0 && p->layers[i - 1].kind == LK_GATE)
			t->latency -= est_swiglu_ew(p, c, i, &out->layers[i - 1], l);
		t->mults = add_long(t->mults, l->mults);
		t->dsp = add_long(t->dsp, l->dsp);
		t->lut = add_long(t->lut, l->lut);
		t->ff = add_long(t->ff, l->ff);
		t->bram18 = add_long(t->bram18, l->bram18);
		t->lutram_bits = add_long(t->lutram_bits, l->lutram_bits);
		t->latency = add_long(t->latency, l->latency);
		if (l->ii > t->ii)
			t->ii = l->ii;
	}
	free(m);
	out->latency_ns = (double)t->latency * p->clock_ns;
	return 0;
}

void estimate_free(estimate *out)
{
	free(out->layers);
	out->layers = NULL;
	out->n_layers = 0;
}
