/* estimate.c - the analytical resource and latency model of a folded dense chain
 * (derivation and calibration in docs/ESTIMATE.md). No I/O. */
#include "gen/estimate.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemv_roof.h"

/* Model constants. The Yosys ones are read from its xc7 flow; the fabric ones were fitted
 * to the four synth_xilinx runs of TOOLS.md (docs/ESTIMATE.md has the table). */
enum {
	/* A weight ROM goes to RAMB18 from this depth on: where Yosys' memory_libmap cost of
	 * logic (-logic-cost-rom 1/64 per bit) passes that of RAMB18 (cost 129 per 36-bit
	 * column of 512 words): ceil(129 * 64 / 36). */
	ROM_BRAM_MIN_DEPTH = 230,
	DSP_ACC_BITS = 48,            /* DSP48E1/E2 P register */
	LUT_MIN_OPERAND = 2,          /* mul2dsp DSP_A/B_MINWIDTH: narrower operands stay in LUTs */
	LUT_MIN_PRODUCT = 9,          /* mul2dsp DSP_Y_MINWIDTH: products below 9 bits stay in LUTs */
	LUT_PER_LANE = 2,             /* clear/enable logic of a lane */
	LUT_PER_LAYER = 8,            /* start/done handshake; plus 2 per counter bit */
	FF_PER_LAYER = 4,             /* plus 1 per counter bit */
	FF_ROM_PER_BIT = 2,           /* ROM output register + operand register per weight bit */
	FF_TREE_PER_BIT = 2,          /* a merge adder's two pipeline registers per accum bit */
	FF_OUT_PER_ACC_BIT = 2,       /* per output: partial sum hold + round stage, per accum bit */
};

/* BRAM18 shapes (width x depth) Yosys can pick for a ROM, 36x512 down to 1x16384. */
static const int bram_shapes[][2] = {{36, 512}, {18, 1024}, {9, 2048}, {4, 4096}, {2, 8192},
				     {1, 16384}};

static long long cdiv(long long a, long long b)
{
	return (a + b - 1) / b;
}

static long long gcd(long long a, long long b)
{
	while (b) {
		long long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* ceil(log2(n)) for n >= 1. */
static int clog2(long long n)
{
	int b = 0;
	while (b < 62 && (1LL << b) < n)
		b++;
	return b;
}

static long clamp_long(long long x)
{
	return x > LONG_MAX ? LONG_MAX : x < 0 ? 0 : (long)x;
}

/* Fewest RAMB18 holding a width x depth ROM (one address for all lanes). */
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

/* Estimates one layer whose input has type in_t. */
static void est_layer(const layer *ly, const fx_type *in_t, const layer_cfg *lc, const part *pt,
		      layer_estimate *o)
{
	long long n_in = ly->n_in, n_out = ly->n_out, n = n_in * n_out;
	long long rf = lc->reuse;
	long long P = cdiv(n, rf);        /* lanes, one multiplier each */
	long long D = cdiv(n, P);         /* products per lane = cycles per inference (<= rf) */
	int wx = in_t->w, ww = lc->weight.w, wa = lc->accum.w, wr = lc->result.w;
	long long lut = 0, ff = 0, dsp = 0, bram = 0, lutram = 0;

	/* Multiplier: LUTs when narrow, else DSPs (signed-only: unsigned operands get a bit). */
	bool soft = wx < LUT_MIN_OPERAND || ww < LUT_MIN_OPERAND || wx + ww < LUT_MIN_PRODUCT;
	int ea = wx + !in_t->sign, eb = ww + !lc->weight.sign;
	long long per = soft ? 0 : dsp_count(ea, eb, pt->dsp_a, pt->dsp_b);
	int mult_stages;
	if (soft) {
		lut += P * cdiv((long long)ea * eb, 2);
		mult_stages = 1;
	} else {
		dsp += P * per;
		lut += P * (per - 1) * (ea + eb); /* adders joining the partial products */
		mult_stages = 2 + clog2(per);
	}
	/* Accumulator: in the DSP's P register when one DSP does the product and it fits. */
	if (D > 1 && (soft || per > 1 || wa > DSP_ACC_BITS)) {
		lut += P * wa;
		ff += P * wa;
	}
	lut += P * LUT_PER_LANE;

	/* Weight ROM: P*W bits wide, D deep, one address: RAMB18 when deep enough, else logic
	 * (one LUT6 per bit per 64 words). One word per lane (D == 1) is constants, no ROM. */
	if (D > 1) {
		long long width = P * ww;
		if (D >= ROM_BRAM_MIN_DEPTH) {
			bram = bram18_count(width, D);
		} else {
			lut += width * cdiv(D, 64);
			lutram = width * D;
		}
		ff += FF_ROM_PER_BIT * P * ww;
	}

	/* Merging partial sums: one adder per lane boundary that falls inside an output's row of
	 * n_in products (lane segments are D long in the flattened output-major order). */
	long long lcm = D / gcd(D, n_in) * n_in;
	long long merges = (P - 1) - (P - 1) * D / lcm;
	lut += merges * wa;
	ff += FF_TREE_PER_BIT * merges * wa;
	long long g = gcd(n_in, D);
	int tree_depth = clog2(cdiv(D - g + n_in, D)); /* most partial sums of one output */

	/* Input register, output stage (round, saturate, activation, register per output). */
	ff += n_in * wx;
	lut += n_out * (wa + cdiv(wr, 4));
	ff += n_out * (FF_OUT_PER_ACC_BIT * wa + cdiv(wr, 2));

	int cb = clog2(D + 1);
	lut += 2 * cb + LUT_PER_LAYER;
	ff += cb + FF_PER_LAYER;

	o->mults = clamp_long(P);
	o->dsp = clamp_long(dsp);
	o->lut = clamp_long(lut);
	o->ff = clamp_long(ff);
	o->bram18 = clamp_long(bram);
	o->lutram_bits = clamp_long(lutram);
	/* operand/ROM register, multiplier, accumulate, merge tree, output register */
	o->latency = clamp_long(D + 1 + mult_stages + (D > 1) + tree_depth + 1);
	o->ii = clamp_long(D);
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
	if (n >= ROM_BRAM_MIN_DEPTH)
		bram = lanes * bram18_count(wt, n);
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
	out->n_layers = p->n_layers;
	out->layers = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *out->layers);
	layer_estimate *t = &out->total;
	for (int i = 0; i < p->n_layers; i++) {
		layer_estimate *l = &out->layers[i];
		if (c->layers[i].wfmt != WF_ROM) {
			if (est_streamed(&p->layers[i], &c->layers[i], p, l, e) != 0) {
				estimate_free(out);
				return -1;
			}
		} else {
			est_layer(&p->layers[i], config_input_type(c, p, i), &c->layers[i], &p->part, l);
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
	out->latency_ns = (double)t->latency * p->clock_ns;
	return 0;
}

void estimate_free(estimate *out)
{
	free(out->layers);
	out->layers = NULL;
	out->n_layers = 0;
}
