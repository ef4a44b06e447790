/* rtl.c - the RTL emitter (docs/RTL.md has the architecture and the timing).
 *
 * A layer's n_in*n_out products are taken output-major (t = j*n_in + i) and cut into P lanes
 * of D consecutive products; lane L does products L*D .. L*D+D-1, one per cycle, on its own
 * multiplier, so one inference takes a slot of D cycles. csim accumulates every output in
 * input order with the accumulator's rounding and overflow after each addition, so a row that
 * spans several lanes is handed on: the lane holding its first piece works on an inference in
 * one slot, the lane holding the next piece on the same inference one slot later, starting
 * from the first lane's accumulator. Every row's last piece runs at the same stage (G-1, G
 * the most lanes a row spans), so all outputs of an inference appear in the same slot. The
 * stages work on G consecutive inferences at once, each reading its own copy of the inputs
 * (a bank per stage, rotating one word per cycle so each lane taps a fixed register; banks
 * pass their words on at the slot boundary; words nobody reads again are not kept).
 *
 * Pipeline of a lane, by the cycle c (0..D-1) of the slot a product is issued in:
 *   c    operand register (bank tap) and ROM word register (the weights of every lane)
 *   c+1  product register
 *   c+2  accumulator <- (accum)(start ? init : acc) + product)
 *   c+3  result cast and ReLU of a finished row, shifted into the lane's output chain
 * and the layer's output register takes every chain at cycle D+3 of the slot after. */
#include "kernels/rtl.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef __int128 i128;
typedef unsigned __int128 u128;

/* Pipeline depth from a slot boundary to the output register (see the header comment). */
enum { CAPTURE_DELAY = 4 };

/* Shape of one layer's folding. */
typedef struct {
	long n_in, n_out, n;   /* n = n_in * n_out products */
	long P, D, G;          /* lanes, cycles per slot, stages */
} geom;

/* What one lane does in its slot. Cycles [0, split) run at stage skew_a reading bank tap_a,
 * cycles [split, len) at skew_b reading tap_b (a row that goes on into the next lane). */
typedef struct {
	long len;              /* products: D, or fewer in the last lane */
	long t0;               /* its first product */
	long off;              /* input index of its first product */
	long row0;             /* row of its first product: the first row it finishes, if any */
	bool cont;             /* its first product continues a row from lane L-1 */
	long split;
	long skew_a, skew_b, tap_a, tap_b;
	long n_starts;         /* rows starting here, every n_in cycles from first_start */
	long first_start;
	long n_ends;           /* rows finished here (row0, row0+1, ...), every n_in cycles */
	long first_end;
} lane;

static long cdiv(long a, long b)
{
	return (a + b - 1) / b;
}

static long modl(long a, long m)
{
	long r = a % m;
	return r < 0 ? r + m : r;
}

static long gcdl(long a, long b)
{
	while (b) {
		long t = a % b;
		a = b;
		b = t;
	}
	return a;
}

/* Bits of a counter that holds 0 .. n-1 (at least 1). */
static int cbits(long n)
{
	int b = 1;
	while (b < 62 && (1L << b) < n)
		b++;
	return b;
}

/* Lane of row j's last product. */
static long last_lane(const geom *g, long j)
{
	return (j * g->n_in + g->n_in - 1) / g->D;
}

static void lane_at(const geom *g, long L, lane *ln)
{
	memset(ln, 0, sizeof *ln);
	long t0 = L * g->D, n_in = g->n_in;
	ln->t0 = t0;
	ln->len = g->n - t0 < g->D ? g->n - t0 : g->D;
	ln->off = t0 % n_in;
	ln->row0 = t0 / n_in;
	ln->cont = ln->off != 0;
	ln->split = ln->len;
	ln->skew_a = g->G - 1;
	long rlast = (t0 + ln->len - 1) / n_in;
	if (last_lane(g, rlast) != L) { /* the lane ends inside a row that goes on */
		long skew = g->G - 1 - (last_lane(g, rlast) - L);
		long cs = rlast * n_in - t0;
		if (cs <= 0)
			ln->skew_a = skew;
		else
			ln->split = cs;
		ln->skew_b = skew;
	} else {
		ln->skew_b = ln->skew_a;
	}
	ln->tap_a = modl((L - ln->skew_a) * g->D, n_in);
	ln->tap_b = modl((L - ln->skew_b) * g->D, n_in);
	long s0 = cdiv(t0, n_in);
	ln->n_starts = cdiv(t0 + ln->len, n_in) - s0;
	ln->first_start = s0 * n_in - t0;
	ln->n_ends = (t0 + ln->len) / n_in - t0 / n_in;
	ln->first_end = ln->row0 * n_in + n_in - 1 - t0;
}

int rtl_fold_layer(long n_in, long n_out, long reuse, rtl_fold *f, berr *e)
{
	memset(f, 0, sizeof *f);
	if (n_in < 1 || n_out < 1 || reuse < 1 || n_in > LONG_MAX / n_out)
		return errf(e, "a %ld x %ld layer at ReuseFactor %ld cannot be folded", n_in, n_out,
			    reuse);
	long n = n_in * n_out, rf = reuse < n ? reuse : n;
	long P = cdiv(n, rf), D = cdiv(n, P), G = 1;
	f->lanes = P;
	f->slot = D;
	/* row j's products are t = j*n_in .. j*n_in + n_in - 1: lanes l0 .. l1 */
	long prev_end = -1, prev_start = -1, starts_here = 0;
	for (long j = 0; j < n_out; j++) {
		long l0 = j * n_in / D, l1 = (j * n_in + n_in - 1) / D;
		if (l1 - l0 + 1 > G)
			G = l1 - l0 + 1;
		if (l1 != prev_end)
			f->end_lanes++;
		prev_end = l1;
		if (l0 != prev_start) {
			f->start_lanes++;
			starts_here = 0;
		}
		prev_start = l0;
		if (++starts_here == 2)
			f->multi_start_lanes++;
		if (l1 > l0 && j * n_in > l0 * D)
			f->two_stage_lanes++;
	}
	f->stages = G;
	f->latency = G * D + CAPTURE_DELAY + 1;
	/* Every piece of row j runs at stage G-1-(l1-L) in lane L, so its product t is issued
	 * at cycle (G-1-l1)*D + t of the chain: input i of row j at (G-1-l1)*D + j*n_in + i. */
	long kmax = LONG_MIN;
	for (long j = 0; j < n_out; j++) {
		long l1 = (j * n_in + n_in - 1) / D, k = (G - 1 - l1) * D + j * n_in;
		if (k > kmax)
			kmax = k;
	}
	f->last_read = kmax;
	/* bank s register p holds input q = (p + s*D) mod n_in at the slot start, the last
	 * input it will ever hold first: it is kept while kmax + q >= s*D (bank_kept) */
	for (long st = 0; st < G; st++) {
		long lo = st * D - kmax;
		f->bank_regs += n_in - (lo < 0 ? 0 : lo > n_in ? n_in : lo);
	}
	long step = n_in / gcdl(D, n_in); /* lanes L with L*D a multiple of n_in: every step-th */
	f->cont_lanes = P - ((P - 1) / step + 1);
	return 0;
}

/* Cycle at which a layer with slot D accepts an input first shown at cycle n, without
 * stalls: the first slot boundary (c = D-1) at or after n. */
static long next_boundary(long n, long D)
{
	long r = modl(n - (D - 1), D);
	return r ? n + D - r : n;
}

long rtl_fold_chain(rtl_fold *f, int n)
{
	if (n < 1)
		return 0;
	long a0 = f[0].slot - 1, shown = a0 + f[0].latency;
	f[0].wait = 0;
	for (int k = 1; k < n; k++) {
		long a = next_boundary(shown, f[k].slot);
		f[k].wait = a - shown;
		shown = a + f[k].latency;
	}
	return shown - a0;
}

/* ---- text helpers ---- */

/* Appends "W'hHEX": the low w bits of raw. */
static void put_const(strbuf *b, int w, fx_raw raw)
{
	u128 v = (u128)raw;
	if (w < 128)
		v &= ((u128)1 << w) - 1;
	char hex[40];
	int n = 0;
	do {
		hex[n++] = "0123456789abcdef"[(int)(v & 15)];
		v >>= 4;
	} while (v);
	sb_printf(b, "%d'h", w);
	while (n > 0)
		sb_add(b, &hex[--n], 1);
}

/* Appends an expression of dst bits: the w-bit signal name (signed or not) times 2^shift,
 * extended or, when it does not fit, cut to its low dst bits. */
static void put_fit(strbuf *b, const char *name, int w, bool sgn, int dst, int shift)
{
	if (shift >= dst) {
		put_const(b, dst, 0);
		return;
	}
	int keep = dst - shift; /* bits of name that land in dst */
	sb_puts(b, "{");
	if (keep > w) {
		if (sgn)
			sb_printf(b, "{%d{%s[%d]}}, %s", keep - w, name, w - 1, name);
		else
			sb_printf(b, "%d'h0, %s", keep - w, name);
	} else if (keep == w) {
		sb_puts(b, name);
	} else {
		sb_printf(b, "%s[%d:0]", name, keep - 1);
	}
	if (shift > 0)
		sb_printf(b, ", %d'h0", shift);
	sb_puts(b, "}");
}

/* ---- the quantizer: fx_cast's rounding and overflow as logic ---- */

/* Widths of a quantizer from a ws-bit signed raw with fs fractional bits to t: the sign
 * extended input (wi) and the cut value (wf), wide enough that fl has bit W and r bit W+1. */
static void quant_widths(int ws, long fs, const fx_type *t, long *wi, long *wf)
{
	long k = fs - fx_frac(t);
	long need = k + t->w + 2;
	*wi = ws > need ? ws : need;
	*wf = *wi - k;
}

/* Emits module name: q = (t) s for s a ws-bit two's-complement raw with fs fractional bits,
 * exactly as kernels/fixed.c's fit(): fl = floor(s / 2^k), the half and sticky bits of the
 * residual, the quantization mode's increment, then the overflow mode when fl + inc does not
 * fit (or is the signed minimum under AP_SAT_SYM). */
static void emit_quant(strbuf *b, const char *name, int ws, long fs, const fx_type *t)
{
	long k = fs - fx_frac(t), wi, wf;
	int W = t->w;
	quant_widths(ws, fs, t, &wi, &wf);
	char tn[64];
	sb_printf(b, "// %s = (%s) s, s: %d-bit signed raw with %ld fractional bits\n", name,
		  fx_format(t, tn, sizeof tn), ws, fs);
	sb_printf(b, "module %s (\n\tinput wire [%d:0] s,\n\toutput wire [%d:0] q\n);\n", name,
		  ws - 1, W - 1);
	sb_printf(b, "\twire [%ld:0] se = ", wi - 1);
	put_fit(b, "s", ws, true, (int)wi, 0);
	sb_printf(b, ";\n\twire neg = s[%d];\n", ws - 1);
	if (k > 0) {
		sb_printf(b, "\twire [%ld:0] fl = se[%ld:%ld];\n", wf - 1, wi - 1, k);
		sb_printf(b, "\twire half = se[%ld];\n", k - 1);
		if (k >= 2)
			sb_printf(b, "\twire sticky = |se[%ld:0];\n", k - 2);
		else
			sb_puts(b, "\twire sticky = 1'b0;\n");
	} else if (k == 0) {
		sb_printf(b, "\twire [%ld:0] fl = se;\n", wf - 1);
	} else {
		sb_printf(b, "\twire [%ld:0] fl = {se, %ld'h0};\n", wf - 1, -k);
	}
	const char *inc = "1'b0";
	if (k > 0) {
		switch (t->q) {
		case FX_RND: inc = "half"; break;
		case FX_RND_ZERO: inc = "half & (neg | sticky)"; break;
		case FX_RND_MIN_INF: inc = "half & sticky"; break;
		case FX_RND_INF: inc = "half & (~neg | sticky)"; break;
		case FX_RND_CONV: inc = "half & (fl[0] | sticky)"; break;
		case FX_TRN_ZERO: inc = "neg & (half | sticky)"; break;
		case FX_TRN: break;
		}
	}
	sb_printf(b, "\twire inc = %s;\n", inc);
	sb_printf(b, "\twire [%ld:0] r = {fl[%ld], fl} + {%ld'h0, inc};\n", wf, wf - 1, wf);
	if (t->sign)
		sb_printf(b, "\twire fits = ~|r[%ld:%d] | &r[%ld:%d];\n", wf, W - 1, wf, W - 1);
	else
		sb_printf(b, "\twire fits = ~|r[%ld:%d];\n", wf, W);
	fx_raw mn = fx_raw_min(t), mx = fx_raw_max(t);
	fx_omode o = t->o;
	if (o == FX_WRAP_SM && !t->sign)
		o = FX_SAT; /* what fixed.c does (fx_valid refuses the type anyway) */
	switch (o) {
	case FX_WRAP:
		sb_printf(b, "\tassign q = r[%d:0];\n", W - 1);
		break;
	case FX_SAT_ZERO:
		sb_printf(b, "\tassign q = fits ? r[%d:0] : ", W - 1);
		put_const(b, W, 0);
		sb_puts(b, ";\n");
		break;
	case FX_SAT:
	case FX_SAT_SYM: {
		const char *keep = "fits";
		if (o == FX_SAT_SYM && t->sign && W > 1) {
			/* the signed minimum counts as an overflow and becomes -max */
			sb_printf(b, "\twire keep = fits & ~(r[%d] & ~|r[%d:0]);\n", W - 1, W - 2);
			keep = "keep";
			mn += 1;
		}
		sb_printf(b, "\tassign q = %s ? r[%d:0] : neg ? ", keep, W - 1);
		put_const(b, W, mn);
		sb_puts(b, " : ");
		put_const(b, W, mx);
		sb_puts(b, ";\n");
		break;
	}
	case FX_WRAP_SM:
		/* keep the wrapped bits when the first dropped bit equals the new sign, else invert */
		sb_printf(b, "\tassign q = fits | (fl[%d] == r[%d]) ? r[%d:0] : ~r[%d:0];\n", W, W - 1,
			  W - 1, W - 1);
		break;
	}
	sb_puts(b, "endmodule\n\n");
}

/* ---- one layer ---- */

/* Types and numbers of one layer, as the emitter needs them. */
typedef struct {
	int k;                 /* layer index */
	const layer *ly;
	const layer_cfg *lc;
	const fx_type *tx;     /* its input type */
	geom g;
	int wx, wxe;           /* input bits, and as a signed operand (+1 when unsigned) */
	int ww, wwe;           /* weight bits, same */
	int wp;                /* product bits (signed) */
	long fp;               /* product fractional bits */
	int wa, wae;           /* accumulator bits, and as a signed value */
	int wr;
	long fs;               /* fractional bits of the aligned sum */
	int ws;                /* bits of the aligned sum */
	bool exact;
	rtl_fold fold;
	char mod[RTL_MAX_NAME];
} lspec;

/* Raw of the weight of input i, output j as the RTL multiplies by it (ly's weights loaded). */
static fx_raw raw_weight(const layer *ly, const layer_cfg *lc, long i, long j)
{
	return fx_from_double(&lc->weight, ly->w[(size_t)i * (size_t)ly->n_out + (size_t)j], NULL);
}

/* (accum) bias[j], as dense_fx starts the accumulator (0 without a bias). */
static fx_raw raw_bias(const layer *ly, const layer_cfg *lc, long j)
{
	if (!ly->b)
		return 0;
	fx_raw b = fx_from_double(&lc->bias, ly->b[j], NULL);
	return fx_cast(&lc->accum, &lc->bias, b, NULL);
}

static fx_raw weight_raw(const lspec *s, long t)
{
	return raw_weight(s->ly, s->lc, t % s->g.n_in, t / s->g.n_in);
}

static fx_raw bias_init(const lspec *s, long j)
{
	return raw_bias(s->ly, s->lc, j);
}

bool rtl_accum_exact(const layer *ly, const fx_type *tx, const layer_cfg *lc)
{
	const fx_type *tw = &lc->weight, *ta = &lc->accum;
	long fp = (long)fx_frac(tx) + fx_frac(tw);
	if (fp > fx_frac(ta))
		return false;
	long sh = fx_frac(ta) - fp;
	int wp = tx->w + !tx->sign + tw->w + !tw->sign;
	if (wp + sh + cbits((long)ly->n_in + 1) + 2 > 120 || ta->w > 100)
		return false;
	i128 scale = (i128)1 << sh;
	i128 amin = fx_raw_min(ta) + (ta->o == FX_SAT_SYM && ta->sign), amax = fx_raw_max(ta);
	i128 xmin = fx_raw_min(tx), xmax = fx_raw_max(tx);
	if (!ly->w) {
		/* any weight and bias of their types: every output alike; each product's range
		 * holds 0, so the partial sums' bounds only widen and the last one decides */
		i128 lo = 0, hi = 0;
		if (ly->bias) {
			fx_stats st = {0};
			lo = fx_cast(ta, &lc->bias, fx_raw_min(&lc->bias), &st);
			hi = fx_cast(ta, &lc->bias, fx_raw_max(&lc->bias), &st);
			if (st.overflow)
				return false; /* a bias cast that overflows may give any value */
		}
		i128 wmin = fx_raw_min(tw), wmax = fx_raw_max(tw);
		i128 c[4] = {wmin * xmin, wmin * xmax, wmax * xmin, wmax * xmax};
		i128 pmin = c[0], pmax = c[0];
		for (int k = 1; k < 4; k++) {
			pmin = c[k] < pmin ? c[k] : pmin;
			pmax = c[k] > pmax ? c[k] : pmax;
		}
		lo += pmin * scale * ly->n_in;
		hi += pmax * scale * ly->n_in;
		return lo >= amin && hi <= amax;
	}
	for (long j = 0; j < ly->n_out; j++) {
		i128 lo = raw_bias(ly, lc, j), hi = lo;
		for (long i = 0; i < ly->n_in; i++) {
			i128 w = raw_weight(ly, lc, i, j);
			i128 a = w * xmin * scale, b = w * xmax * scale;
			lo += a < b ? a : b;
			hi += a < b ? b : a;
			if (lo < amin || hi > amax)
				return false;
		}
	}
	return true;
}

/* Which input-bank registers are ever read again (docs/RTL.md: bank pruning): register p of
 * bank s holds input q = (p + s*D) mod n_in at the slot start and inputs after it later, so
 * it is kept while input q's last read (last_read + q) is at or after the slot start (s*D).
 * kept has G*n_in entries, [s*n_in + p]. */
static void bank_keep(const geom *g, long last_read, bool *kept, long *n_kept)
{
	long n_in = g->n_in;
	*n_kept = 0;
	for (long s = 0; s < g->G; s++)
		for (long p = 0; p < n_in; p++) {
			bool k = last_read + (p + s * g->D) % n_in >= s * g->D;
			kept[s * n_in + p] = k;
			*n_kept += k;
		}
}

/* "(cN == V)" for counter cN of the slot, "1'b1" when D = 1 (the counter is always 0). */
static void put_at(strbuf *b, const lspec *s, const char *cnt, long v)
{
	if (s->g.D == 1)
		sb_puts(b, v == 0 ? "1'b1" : "1'b0");
	else
		sb_printf(b, "(%s == %d'd%ld)", cnt, cbits(s->g.D), v);
}

/* The condition "a row starts (ends) at this lane's cycle": st for starts at stage 2, else
 * ends at stage 3. */
static void put_event(strbuf *b, const lspec *s, const lane *ln, bool st)
{
	const geom *g = &s->g;
	const char *c = st ? "c2" : "c3", *ph = st ? "p2" : "p3";
	long first = st ? ln->first_start : ln->first_end, n = st ? ln->n_starts : ln->n_ends;
	if (g->D <= g->n_in || n <= 1) {
		put_at(b, s, c, first);
		return;
	}
	sb_printf(b, "(%s == %d'd%ld)", ph, cbits(g->n_in), first % g->n_in);
	if (ln->len < g->D)
		sb_printf(b, " & (%s < %d'd%ld)", c, cbits(g->D), ln->len);
}

/* Appends the bank register name holding the operand of cycles at skew s, tap p. */
static void put_bank(strbuf *b, const lspec *s, long skew, long tap)
{
	if (s->wxe > s->wx)
		sb_printf(b, "{1'b0, b%ld_%ld}", skew, tap);
	else
		sb_printf(b, "b%ld_%ld", skew, tap);
}

static void emit_lane(strbuf *b, const lspec *s, long L)
{
	const geom *g = &s->g;
	lane ln;
	lane_at(g, L, &ln);
	int WA = s->wa;
	sb_printf(b, "\t// lane %ld: products %ld..%ld", L, ln.t0, ln.t0 + ln.len - 1);
	if (ln.split < ln.len)
		sb_printf(b, "; stage %ld, then stage %ld from cycle %ld", ln.skew_a, ln.skew_b,
			  ln.split);
	else
		sb_printf(b, "; stage %ld", ln.skew_a);
	sb_puts(b, "\n");
	sb_printf(b, "\treg signed [%d:0] xa%ld;\n\treg signed [%d:0] pr%ld;\n\treg [%d:0] ac%ld;\n",
		  s->wxe - 1, L, s->wp - 1, L, WA - 1, L);
	/* weight */
	sb_printf(b, "\twire signed [%d:0] w%ld = ", s->wwe - 1, L);
	if (g->D == 1) {
		put_const(b, s->wwe, weight_raw(s, L));
	} else {
		if (s->wwe > s->ww)
			sb_puts(b, "{1'b0, ");
		sb_printf(b, "wq[%ld:%ld]", (L + 1) * s->ww - 1, L * s->ww);
		if (s->wwe > s->ww)
			sb_puts(b, "}");
	}
	sb_puts(b, ";\n");
	/* where the accumulation starts: a bias, or the previous lane's partial sum */
	long bias_row = cdiv(ln.t0, g->n_in); /* the first row starting here */
	if (ln.n_starts > 1) {
		sb_printf(b, "\treg [%d:0] bi%ld;\n\talways @* begin\n\t\tcase (c2)\n", WA - 1, L);
		for (long r = 0; r < ln.n_starts; r++) {
			sb_printf(b, "\t\t%d'd%ld: bi%ld = ", cbits(g->D), ln.first_start + r * g->n_in,
				  L);
			put_const(b, WA, bias_init(s, bias_row + r));
			sb_puts(b, ";\n");
		}
		sb_printf(b, "\t\tdefault: bi%ld = ", L);
		put_const(b, WA, bias_init(s, bias_row));
		sb_puts(b, ";\n\t\tendcase\n\tend\n");
	}
	sb_printf(b, "\twire [%d:0] bs%ld = ", WA - 1, L);
	bool always_start = g->D == 1;
	if (!always_start) {
		sb_puts(b, "(");
		if (ln.cont)
			put_at(b, s, "c2", 0);
		if (ln.cont && ln.n_starts > 0)
			sb_puts(b, " | ");
		if (ln.n_starts > 0)
			put_event(b, s, &ln, true);
		sb_puts(b, ") ? ");
	}
	if (ln.cont && ln.n_starts > 0) {
		put_at(b, s, "c2", 0);
		sb_printf(b, " ? ac%ld : ", L - 1);
	} else if (ln.cont) {
		sb_printf(b, "ac%ld", L - 1);
	}
	if (ln.n_starts > 1)
		sb_printf(b, "bi%ld", L);
	else if (ln.n_starts == 1)
		put_const(b, WA, bias_init(s, bias_row));
	if (!always_start)
		sb_printf(b, " : ac%ld", L);
	sb_puts(b, ";\n");
	/* the accumulator's next value */
	if (s->exact) {
		sb_printf(b, "\twire [%d:0] pa%ld = ", WA - 1, L);
		char nm[32];
		snprintf(nm, sizeof nm, "pr%ld", L);
		put_fit(b, nm, s->wp, true, WA, (int)(fx_frac(&s->lc->accum) - s->fp));
		sb_printf(b, ";\n\twire [%d:0] qa%ld = bs%ld + pa%ld;\n", WA - 1, L, L, L);
	} else {
		char nm[32];
		sb_printf(b, "\twire [%d:0] sm%ld = ", s->ws - 1, L);
		snprintf(nm, sizeof nm, "bs%ld", L);
		put_fit(b, nm, WA, s->lc->accum.sign, s->ws, (int)(s->fs - fx_frac(&s->lc->accum)));
		sb_puts(b, " + ");
		snprintf(nm, sizeof nm, "pr%ld", L);
		put_fit(b, nm, s->wp, true, s->ws, (int)(s->fs - s->fp));
		sb_printf(b, ";\n\twire [%d:0] qa%ld;\n\t%s_qa uqa%ld (.s(sm%ld), .q(qa%ld));\n", WA - 1,
			  L, s->mod, L, L, L);
	}
	/* the result cast of finished rows, into the lane's output chain */
	if (ln.n_ends > 0) {
		int WR = s->wr;
		sb_printf(b, "\twire [%d:0] qr%ld;\n\t%s_qr uqr%ld (.s(", WR - 1, L, s->mod, L);
		if (s->wae > WA)
			sb_printf(b, "{1'b0, ac%ld}", L);
		else
			sb_printf(b, "ac%ld", L);
		sb_printf(b, "), .q(qr%ld));\n", L);
		sb_printf(b, "\twire [%d:0] y%ld = ", WR - 1, L);
		if (s->ly->act == ACT_RELU && s->lc->result.sign) {
			sb_printf(b, "qr%ld[%d] ? ", L, WR - 1);
			put_const(b, WR, 0);
			sb_printf(b, " : qr%ld;\n", L);
		} else {
			sb_printf(b, "qr%ld;\n", L);
		}
		sb_printf(b, "\treg [%ld:0] yc%ld;\n", ln.n_ends * WR - 1, L);
	}
	/* registers */
	sb_puts(b, "\talways @(posedge clk) if (en) begin\n");
	sb_printf(b, "\t\txa%ld <= ", L);
	if (ln.split < ln.len) {
		sb_printf(b, "(c < %d'd%ld) ? ", cbits(g->D), ln.split);
		put_bank(b, s, ln.skew_a, ln.tap_a);
		sb_puts(b, " : ");
		put_bank(b, s, ln.skew_b, ln.tap_b);
	} else {
		put_bank(b, s, ln.skew_a, ln.tap_a);
	}
	sb_printf(b, ";\n\t\tpr%ld <= xa%ld * w%ld;\n\t\tac%ld <= qa%ld;\n", L, L, L, L, L);
	if (ln.n_ends > 0) {
		sb_puts(b, "\t\tif (");
		put_event(b, s, &ln, false);
		if (ln.n_ends == 1)
			sb_printf(b, ") yc%ld <= y%ld;\n", L, L);
		else
			sb_printf(b, ") yc%ld <= {y%ld, yc%ld[%ld:%d]};\n", L, L, L,
				  ln.n_ends * s->wr - 1, s->wr);
	}
	sb_puts(b, "\tend\n");
}

/* Emits the bank registers: bank s holds, at cycle c of the slot, input (p + s*D + c) mod n_in
 * in register p; it rotates by one each cycle and takes bank s-1's words (bank 0: in_data) at
 * the slot boundary. */
static void emit_banks(strbuf *b, const lspec *s, const bool *kept)
{
	const geom *g = &s->g;
	long n_in = g->n_in;
	for (long k = 0; k < g->G; k++)
		for (long p = 0; p < n_in; p++)
			if (kept[k * n_in + p])
				sb_printf(b, "\treg [%d:0] b%ld_%ld;\n", s->wx - 1, k, p);
	sb_puts(b, "\talways @(posedge clk) if (en) begin\n");
	for (long k = 0; k < g->G; k++)
		for (long p = 0; p < n_in; p++) {
			if (!kept[k * n_in + p])
				continue;
			long q = (p + 1) % n_in;
			bool rot = g->D > 1 && kept[k * n_in + q];
			bool from_prev = k == 0 || kept[(k - 1) * n_in + q];
			char src[64];
			if (k == 0)
				snprintf(src, sizeof src, "in_data[%ld:%ld]", (p + 1) * s->wx - 1, p * s->wx);
			else
				snprintf(src, sizeof src, "b%ld_%ld", k - 1, q);
			if (g->D == 1 && from_prev)
				sb_printf(b, "\t\tb%ld_%ld <= %s;\n", k, p, src);
			else if (g->D == 1)
				continue;
			else if (rot && from_prev)
				sb_printf(b, "\t\tb%ld_%ld <= bnd ? %s : b%ld_%ld;\n", k, p, src, k, q);
			else if (from_prev)
				sb_printf(b, "\t\tif (bnd) b%ld_%ld <= %s;\n", k, p, src);
			else if (rot)
				sb_printf(b, "\t\tif (!bnd) b%ld_%ld <= b%ld_%ld;\n", k, p, k, q);
		}
	sb_puts(b, "\tend\n");
}

/* Emits the layer's module (and its quantizers) into v and its ROM image into hex. */
static void emit_layer(strbuf *v, strbuf *hex, const lspec *s, const bool *kept,
		       const char *hexname)
{
	const geom *g = &s->g;
	const layer_cfg *lc = s->lc;
	char t1[64], t2[64], t3[64], t4[64], t5[64];
	sb_printf(v, "// %s: layer %s, %ld -> %ld%s, generated by burn rtlgen (docs/RTL.md)\n",
		  s->mod, s->ly->name, g->n_in, g->n_out, s->ly->act == ACT_RELU ? ", ReLU" : "");
	sb_printf(v, "// input %s, weight %s, bias %s, accum %s, result %s\n",
		  fx_format(s->tx, t1, sizeof t1), fx_format(&lc->weight, t2, sizeof t2),
		  fx_format(&lc->bias, t3, sizeof t3), fx_format(&lc->accum, t4, sizeof t4),
		  fx_format(&lc->result, t5, sizeof t5));
	sb_printf(v, "// ReuseFactor %ld (%s): %ld lanes x %ld cycles, %ld stages; latency %ld "
		     "cycles; %s accumulator\n\n",
		  lc->reuse, lc->strategy == HLS_RESOURCE ? "Resource" : "Latency", g->P, g->D, g->G,
		  g->G * g->D + CAPTURE_DELAY + 1, s->exact ? "exact (plain adder)" : "quantizing");
	char qn[RTL_MAX_NAME + 8];
	if (!s->exact) {
		snprintf(qn, sizeof qn, "%s_qa", s->mod);
		emit_quant(v, qn, s->ws, s->fs, &lc->accum);
	}
	snprintf(qn, sizeof qn, "%s_qr", s->mod);
	emit_quant(v, qn, s->wae, fx_frac(&lc->accum), &lc->result);

	long nx = g->n_in * s->wx, ny = g->n_out * s->wr;
	sb_printf(v, "module %s (\n\tinput wire clk,\n\tinput wire rst,\n\tinput wire in_valid,\n"
		     "\toutput wire in_ready,\n\tinput wire [%ld:0] in_data,\n\toutput reg out_valid,\n"
		     "\tinput wire out_ready,\n\toutput reg [%ld:0] out_data\n);\n",
		  s->mod, nx - 1, ny - 1);
	/* control: slot counter, phase within a row (when a slot holds several rows), valid
	 * bits of the stages, capture pipeline, stall */
	int cw = cbits(g->D), pw = cbits(g->n_in);
	bool phase = g->D > g->n_in && g->D > 1;
	sb_printf(v, "\treg [%ld:0] vld;\n\treg m1, m2, m3, m4;\n", g->G - 1);
	sb_puts(v, "\twire en = ~(m4 & out_valid & ~out_ready);\n");
	if (g->D > 1) {
		sb_printf(v, "\treg [%d:0] c, c1, c2, c3;\n\twire bnd = c == %d'd%ld;\n", cw - 1, cw,
			  g->D - 1);
		if (phase)
			sb_printf(v, "\treg [%d:0] p, p1, p2, p3;\n", pw - 1);
	} else {
		sb_puts(v, "\twire bnd = 1'b1;\n");
	}
	sb_puts(v, "\tassign in_ready = en & bnd;\n");
	sb_puts(v, "\talways @(posedge clk) begin\n\t\tif (rst) begin\n");
	sb_puts(v, "\t\t\tvld <= 0;\n\t\t\tm1 <= 1'b0;\n\t\t\tm2 <= 1'b0;\n\t\t\tm3 <= 1'b0;\n"
		   "\t\t\tm4 <= 1'b0;\n\t\t\tout_valid <= 1'b0;\n");
	if (g->D > 1)
		sb_puts(v, "\t\t\tc <= 0;\n");
	if (phase)
		sb_puts(v, "\t\t\tp <= 0;\n");
	sb_puts(v, "\t\tend else begin\n\t\t\tif (en) begin\n");
	if (g->D > 1)
		sb_printf(v, "\t\t\t\tc <= bnd ? %d'd0 : c + %d'd1;\n", cw, cw);
	if (phase)
		sb_printf(v, "\t\t\t\tp <= bnd | (p == %d'd%ld) ? %d'd0 : p + %d'd1;\n", pw,
			  g->n_in - 1, pw, pw);
	if (g->G > 1)
		sb_printf(v, "\t\t\t\tif (bnd) vld <= {vld[%ld:0], in_valid};\n", g->G - 2);
	else
		sb_puts(v, "\t\t\t\tif (bnd) vld <= in_valid;\n");
	sb_printf(v, "\t\t\t\tm1 <= bnd & vld[%ld];\n\t\t\t\tm2 <= m1;\n\t\t\t\tm3 <= m2;\n"
		     "\t\t\t\tm4 <= m3;\n\t\t\tend\n",
		  g->G - 1);
	sb_puts(v, "\t\t\tif (en & m4)\n\t\t\t\tout_valid <= 1'b1;\n\t\t\telse if (out_ready)\n"
		   "\t\t\t\tout_valid <= 1'b0;\n\t\tend\n\tend\n");
	if (g->D > 1) {
		sb_puts(v, "\talways @(posedge clk) if (en) begin\n\t\tc1 <= c;\n\t\tc2 <= c1;\n"
			   "\t\tc3 <= c2;\n");
		if (phase)
			sb_puts(v, "\t\tp1 <= p;\n\t\tp2 <= p1;\n\t\tp3 <= p2;\n");
		sb_puts(v, "\tend\n");
		/* the weight ROM: word c holds every lane's weight of cycle c, lane 0 lowest */
		long rw = g->P * s->ww;
		sb_printf(v, "\treg [%ld:0] rom [0:%ld];\n\tinitial $readmemh(\"%s\", rom);\n", rw - 1,
			  g->D - 1, hexname);
		sb_printf(v, "\treg [%ld:0] wq;\n\talways @(posedge clk) if (en) wq <= rom[c];\n",
			  rw - 1);
	}
	emit_banks(v, s, kept);
	for (long L = 0; L < g->P; L++)
		emit_lane(v, s, L);
	/* the output register takes every lane's chain once the slot's rows are all in */
	sb_puts(v, "\talways @(posedge clk) if (en & m4) out_data <= {");
	bool first = true;
	for (long L = g->P - 1; L >= 0; L--) {
		lane ln;
		lane_at(g, L, &ln);
		if (ln.n_ends == 0)
			continue;
		sb_printf(v, "%syc%ld", first ? "" : ", ", L);
		first = false;
	}
	sb_puts(v, "};\nendmodule\n");

	if (g->D > 1) {
		long rw = g->P * s->ww, digits = cdiv(rw, 4);
		sb_printf(hex, "// %s weights: %ld words of %ld lanes x %d bits, lane 0 in the low bits\n",
			  s->mod, g->D, g->P, s->ww);
		unsigned char *word = xmalloc((size_t)digits + 1);
		char *line = xmalloc((size_t)digits + 2);
		for (long c = 0; c < g->D; c++) {
			memset(word, 0, (size_t)digits + 1);
			for (long L = 0; L < g->P; L++) {
				long t = L * g->D + c;
				if (c >= (g->n - L * g->D < g->D ? g->n - L * g->D : g->D))
					continue;
				u128 raw = (u128)weight_raw(s, t);
				for (int bit = 0; bit < s->ww; bit++)
					if (raw >> bit & 1) {
						long pos = L * s->ww + bit;
						word[pos / 4] |= (unsigned char)(1u << (pos % 4));
					}
			}
			for (long d = 0; d < digits; d++)
				line[d] = "0123456789abcdef"[word[digits - 1 - d]];
			line[digits] = '\n';
			sb_add(hex, line, (size_t)digits + 1);
		}
		free(word);
		free(line);
	}
}

/* Fills s for layer k; checks the limits. */
static int layer_spec(const project *p, const config *c, int k, const fx_type *tx, lspec *s,
		      berr *e)
{
	memset(s, 0, sizeof *s);
	s->k = k;
	s->ly = &p->layers[k];
	s->lc = &c->layers[k];
	s->tx = tx;
	snprintf(s->mod, sizeof s->mod, "burn_l%d", k);
	geom *g = &s->g;
	g->n_in = s->ly->n_in;
	g->n_out = s->ly->n_out;
	g->n = g->n_in * g->n_out;
	if (g->n < 1 || s->lc->reuse < 1)
		return errf(e, "layer %s: empty layer or ReuseFactor %ld", s->ly->name, s->lc->reuse);
	if (rtl_fold_layer(g->n_in, g->n_out, s->lc->reuse, &s->fold, e) != 0)
		return -1;
	g->P = s->fold.lanes;
	if (g->P > RTL_MAX_LANES)
		return errf(e, "layer %s: %ld multipliers (ReuseFactor %ld) is more than the RTL "
			       "emitter's limit of %d; raise the ReuseFactor",
			    s->ly->name, g->P, s->lc->reuse, RTL_MAX_LANES);
	g->D = s->fold.slot;
	g->G = s->fold.stages;
	long m = g->D < g->n_in ? g->D : g->n_in;
	if ((double)g->G * (double)g->n_in * (double)m > RTL_MAX_WORK)
		return errf(e, "layer %s: input banks of %ld stages x %ld words are too large for "
			       "the RTL emitter; raise the ReuseFactor", s->ly->name, g->G, g->n_in);
	const fx_type *tw = &s->lc->weight, *ta = &s->lc->accum;
	s->wx = tx->w;
	s->wxe = tx->w + !tx->sign;
	s->ww = tw->w;
	s->wwe = tw->w + !tw->sign;
	s->wp = s->wxe + s->wwe;
	s->fp = (long)fx_frac(tx) + fx_frac(tw);
	s->wa = ta->w;
	s->wae = ta->w + !ta->sign;
	s->wr = s->lc->result.w;
	long fa = fx_frac(ta);
	s->fs = fa > s->fp ? fa : s->fp;
	long wbase = s->wae + (s->fs - fa), wprod = s->wp + (s->fs - s->fp);
	long ws = (wbase > wprod ? wbase : wprod) + 1;
	long wi, wf, wi2, wf2;
	quant_widths((int)(ws < RTL_MAX_SUM_BITS ? ws : RTL_MAX_SUM_BITS), s->fs, ta, &wi, &wf);
	quant_widths(s->wae, fa, &s->lc->result, &wi2, &wf2);
	long widest = ws;
	long cand[] = {wi, wf + 1, wi2, wf2 + 1};
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (cand[i] > widest)
			widest = cand[i];
	if (widest > RTL_MAX_SUM_BITS)
		return errf(e, "layer %s: the fixed-point types are too far apart for the RTL "
			       "emitter (a %ld-bit adder; the limit is %d bits)",
			    s->ly->name, widest, RTL_MAX_SUM_BITS);
	s->ws = (int)ws;
	s->exact = rtl_accum_exact(s->ly, tx, s->lc);
	return 0;
}

static void add_file(rtl_design *d, const char *name, strbuf *text)
{
	d->files = xreallocarray(d->files, (size_t)d->n_files + 1, sizeof *d->files);
	rtl_file *f = &d->files[d->n_files++];
	snprintf(f->name, sizeof f->name, "%s", name);
	f->text = *text;
	memset(text, 0, sizeof *text);
}

int rtl_emit(const project *p, const config *c, rtl_design *d, berr *e)
{
	memset(d, 0, sizeof *d);
	if (c->n_layers != p->n_layers || p->n_layers < 1)
		return errf(e, "config has %d layers, the block %d", c->n_layers, p->n_layers);
	for (int k = 0; k < p->n_layers; k++)
		if (!p->layers[k].w)
			return errf(e, "layer %s: no weights loaded", p->layers[k].name);
	int L = p->n_layers;
	lspec *sp = xcalloc((size_t)L, sizeof *sp);
	const fx_type *tx = &c->input;
	for (int k = 0; k < L; k++) {
		if (layer_spec(p, c, k, tx, &sp[k], e) != 0) {
			free(sp);
			return -1;
		}
		tx = &c->layers[k].result;
	}
	d->n_layers = L;
	d->layers = xcalloc((size_t)L, sizeof *d->layers);
	for (int k = 0; k < L; k++) {
		lspec *s = &sp[k];
		const geom *g = &s->g;
		bool *kept = xcalloc((size_t)(g->G * g->n_in), sizeof *kept);
		rtl_layer *rl = &d->layers[k];
		bank_keep(g, s->fold.last_read, kept, &rl->bank_regs);
		if ((rl->bank_regs > RTL_MAX_BANK_REGS &&
		     errf(e, "layer %s: %ld input words in %ld stages is more than the RTL "
			     "emitter's limit of %d; raise the ReuseFactor",
			  s->ly->name, rl->bank_regs, g->G, RTL_MAX_BANK_REGS)) ||
		    (g->D > 1 && (size_t)(g->P * s->ww / 4 + 2) * (size_t)g->D > RTL_MAX_HEX_BYTES &&
		     errf(e, "layer %s: its weight ROM image would exceed %zu MiB", s->ly->name,
			  RTL_MAX_HEX_BYTES >> 20))) {
			free(kept);
			free(sp);
			rtl_free(d);
			return -1;
		}
		snprintf(rl->module, sizeof rl->module, "%s", s->mod);
		rl->lanes = g->P;
		rl->slot = g->D;
		rl->stages = g->G;
		rl->latency = s->fold.latency;
		rl->rom_width = g->D > 1 ? g->P * s->ww : 0;
		rl->exact_accum = s->exact;
		strbuf v = {0}, hex = {0};
		char vname[RTL_MAX_NAME + 8], hname[RTL_MAX_NAME + 8];
		snprintf(vname, sizeof vname, "%s.v", s->mod);
		snprintf(hname, sizeof hname, "%s_w.hex", s->mod);
		emit_layer(&v, &hex, s, kept, hname);
		free(kept);
		add_file(d, vname, &v);
		if (hex.len)
			add_file(d, hname, &hex);
		if (g->D > d->ii)
			d->ii = g->D;
	}
	/* one lone input, accepted at the first boundary of layer 0 */
	rtl_fold *folds = xcalloc((size_t)L, sizeof *folds);
	for (int k = 0; k < L; k++)
		folds[k] = sp[k].fold;
	d->latency = rtl_fold_chain(folds, L);
	free(folds);
	d->in_words = (int)sp[0].g.n_in;
	d->in_width = c->input.w;
	d->in_signed = c->input.sign;
	d->out_words = (int)sp[L - 1].g.n_out;
	d->out_width = c->layers[L - 1].result.w;
	d->out_signed = c->layers[L - 1].result.sign;

	strbuf top = {0};
	sb_puts(&top, "// burn_top: the block as a chain of folded dense layers, generated by burn "
		      "rtlgen (docs/RTL.md)\n");
	sb_printf(&top, "// in_data: %d words of %d bits (word i at bits [i*%d +: %d]); out_data: "
			"%d words of %d bits\n",
		  d->in_words, d->in_width, d->in_width, d->in_width, d->out_words, d->out_width);
	sb_printf(&top, "// one input per %ld cycles when streaming; a lone input takes %ld cycles\n",
		  d->ii, d->latency);
	sb_printf(&top, "module burn_top (\n\tinput wire clk,\n\tinput wire rst,\n"
			"\tinput wire in_valid,\n\toutput wire in_ready,\n\tinput wire [%d:0] in_data,\n"
			"\toutput wire out_valid,\n\tinput wire out_ready,\n\toutput wire [%d:0] out_data\n"
			");\n",
		  d->in_words * d->in_width - 1, d->out_words * d->out_width - 1);
	for (int k = 0; k + 1 < L; k++)
		sb_printf(&top, "\twire v%d, r%d;\n\twire [%ld:0] d%d;\n", k, k,
			  sp[k].g.n_out * sp[k].wr - 1, k);
	for (int k = 0; k < L; k++) {
		char iv[16], ir[16], id[16], ov[16], orr[16], od[16];
		snprintf(iv, sizeof iv, k ? "v%d" : "in_valid", k - 1);
		snprintf(ir, sizeof ir, k ? "r%d" : "in_ready", k - 1);
		snprintf(id, sizeof id, k ? "d%d" : "in_data", k - 1);
		snprintf(ov, sizeof ov, k < L - 1 ? "v%d" : "out_valid", k);
		snprintf(orr, sizeof orr, k < L - 1 ? "r%d" : "out_ready", k);
		snprintf(od, sizeof od, k < L - 1 ? "d%d" : "out_data", k);
		sb_printf(&top, "\t%s u%d (.clk(clk), .rst(rst), .in_valid(%s), .in_ready(%s), "
				".in_data(%s),\n\t\t.out_valid(%s), .out_ready(%s), .out_data(%s));\n",
			  sp[k].mod, k, iv, ir, id, ov, orr, od);
	}
	sb_puts(&top, "endmodule\n");
	/* burn_top.v first */
	d->files = xreallocarray(d->files, (size_t)d->n_files + 1, sizeof *d->files);
	memmove(d->files + 1, d->files, (size_t)d->n_files * sizeof *d->files);
	d->n_files++;
	snprintf(d->files[0].name, sizeof d->files[0].name, "burn_top.v");
	d->files[0].text = top;
	free(sp);
	return 0;
}

void rtl_free(rtl_design *d)
{
	for (int i = 0; i < d->n_files; i++)
		sb_free(&d->files[i].text);
	free(d->files);
	free(d->layers);
	memset(d, 0, sizeof *d);
}

static const char testbench[] =
	"// burn_tb.cpp - burn rtlsim's Verilator testbench (kernels/rtl.c writes it; the same for\n"
	"// every design). Streams the input vectors through burn_top with in_valid/in_ready,\n"
	"// always ready for outputs, and writes each output with its cycles.\n"
	"// usage: Vburn_top IN.txt OUT.txt\n"
	"// IN.txt:  burn-tb 1 N_VEC N_IN W_IN N_OUT W_OUT MAX_CYCLES, then N_VEC*N_IN raws\n"
	"// OUT.txt: y V ACCEPT_CYCLE OUT_CYCLE RAW... per output (raws as unsigned W_OUT-bit\n"
	"//          numbers), then: end CYCLES (or: timeout CYCLES OUTPUTS)\n"
	"#include <cstdint>\n"
	"#include <cstdio>\n"
	"#include <vector>\n"
	"#include \"Vburn_top.h\"\n"
	"#include \"verilated.h\"\n"
	"\n"
	"typedef std::vector<uint32_t> bits;\n"
	"\n"
	"static void set_field(bits &b, long pos, long w, uint64_t v)\n"
	"{\n"
	"\tfor (long k = 0; k < w; k++, pos++) {\n"
	"\t\tuint32_t m = 1u << (pos & 31);\n"
	"\t\tif ((v >> k) & 1)\n"
	"\t\t\tb[pos >> 5] |= m;\n"
	"\t\telse\n"
	"\t\t\tb[pos >> 5] &= ~m;\n"
	"\t}\n"
	"}\n"
	"\n"
	"static uint64_t get_field(const bits &b, long pos, long w)\n"
	"{\n"
	"\tuint64_t v = 0;\n"
	"\tfor (long k = 0; k < w; k++, pos++)\n"
	"\t\tv |= (uint64_t)((b[pos >> 5] >> (pos & 31)) & 1) << k;\n"
	"\treturn v;\n"
	"}\n"
	"\n"
	"// ports of up to 64 bits are integers, wider ones VlWide arrays of 32-bit words\n"
	"template <typename T> static void put(T &port, const bits &b)\n"
	"{\n"
	"\tport = (T)((uint64_t)b[0] | (uint64_t)b[1] << 32);\n"
	"}\n"
	"template <std::size_t N> static void put(VlWide<N> &port, const bits &b)\n"
	"{\n"
	"\tfor (std::size_t i = 0; i < N; i++)\n"
	"\t\tport[i] = b[i];\n"
	"}\n"
	"template <typename T> static void get(const T &port, bits &b)\n"
	"{\n"
	"\tuint64_t v = port;\n"
	"\tb[0] = (uint32_t)v;\n"
	"\tb[1] = (uint32_t)(v >> 32);\n"
	"}\n"
	"template <std::size_t N> static void get(const VlWide<N> &port, bits &b)\n"
	"{\n"
	"\tfor (std::size_t i = 0; i < N; i++)\n"
	"\t\tb[i] = port[i];\n"
	"}\n"
	"\n"
	"int main(int argc, char **argv)\n"
	"{\n"
	"\tif (argc != 3) {\n"
	"\t\tfprintf(stderr, \"usage: %s IN.txt OUT.txt\\n\", argv[0]);\n"
	"\t\treturn 2;\n"
	"\t}\n"
	"\tFILE *in = fopen(argv[1], \"r\");\n"
	"\tint ver = 0;\n"
	"\tlong nv, ni, wi, no, wo, maxc;\n"
	"\tif (!in || fscanf(in, \"burn-tb %d %ld %ld %ld %ld %ld %ld\", &ver, &nv, &ni, &wi, &no,\n"
	"\t\t\t  &wo, &maxc) != 7 || ver != 1 || nv < 1 || ni < 1 || no < 1 || wi < 1 ||\n"
	"\t    wi > 64 || wo < 1 || wo > 64) {\n"
	"\t\tfprintf(stderr, \"%s: not a burn-tb 1 input file\\n\", argv[1]);\n"
	"\t\treturn 2;\n"
	"\t}\n"
	"\tstd::vector<long long> x((size_t)(nv * ni));\n"
	"\tfor (size_t k = 0; k < x.size(); k++)\n"
	"\t\tif (fscanf(in, \"%lld\", &x[k]) != 1) {\n"
	"\t\t\tfprintf(stderr, \"%s: short input\\n\", argv[1]);\n"
	"\t\t\treturn 2;\n"
	"\t\t}\n"
	"\tfclose(in);\n"
	"\tFILE *out = fopen(argv[2], \"w\");\n"
	"\tif (!out) {\n"
	"\t\tfprintf(stderr, \"%s: cannot create\\n\", argv[2]);\n"
	"\t\treturn 2;\n"
	"\t}\n"
	"\tVerilatedContext *ctx = new VerilatedContext;\n"
	"\tVburn_top *top = new Vburn_top{ctx};\n"
	"\tbits ib((size_t)((ni * wi + 31) / 32 + 2), 0), ob((size_t)((no * wo + 31) / 32 + 2), 0);\n"
	"\ttop->rst = 1;\n"
	"\ttop->in_valid = 0;\n"
	"\ttop->out_ready = 1;\n"
	"\ttop->clk = 0;\n"
	"\ttop->eval();\n"
	"\tfor (int k = 0; k < 4; k++) {\n"
	"\t\ttop->clk = 1;\n"
	"\t\ttop->eval();\n"
	"\t\ttop->clk = 0;\n"
	"\t\ttop->eval();\n"
	"\t}\n"
	"\ttop->rst = 0;\n"
	"\tstd::vector<long> accepted((size_t)nv, -1);\n"
	"\tlong next = 0, got = 0, cycle = 0;\n"
	"\twhile (got < nv) {\n"
	"\t\tif (cycle >= maxc) {\n"
	"\t\t\tfprintf(out, \"timeout %ld %ld\\n\", cycle, got);\n"
	"\t\t\tfclose(out);\n"
	"\t\t\tfprintf(stderr, \"no output after %ld cycles (%ld of %ld vectors out)\\n\", cycle,\n"
	"\t\t\t\tgot, nv);\n"
	"\t\t\treturn 3;\n"
	"\t\t}\n"
	"\t\tif (next < nv) {\n"
	"\t\t\tfor (long e = 0; e < ni; e++)\n"
	"\t\t\t\tset_field(ib, e * wi, wi, (uint64_t)x[(size_t)(next * ni + e)]);\n"
	"\t\t\tput(top->in_data, ib);\n"
	"\t\t}\n"
	"\t\ttop->in_valid = next < nv;\n"
	"\t\ttop->out_ready = 1;\n"
	"\t\ttop->clk = 0;\n"
	"\t\ttop->eval();\n"
	"\t\tbool take = top->in_valid && top->in_ready;\n"
	"\t\tif (top->out_valid) {\n"
	"\t\t\tget(top->out_data, ob);\n"
	"\t\t\tfprintf(out, \"y %ld %ld %ld\", got, accepted[(size_t)got], cycle);\n"
	"\t\t\tfor (long e = 0; e < no; e++)\n"
	"\t\t\t\tfprintf(out, \" %llu\", (unsigned long long)get_field(ob, e * wo, wo));\n"
	"\t\t\tfprintf(out, \"\\n\");\n"
	"\t\t\tgot++;\n"
	"\t\t}\n"
	"\t\tif (take)\n"
	"\t\t\taccepted[(size_t)next++] = cycle;\n"
	"\t\ttop->clk = 1;\n"
	"\t\ttop->eval();\n"
	"\t\tcycle++;\n"
	"\t}\n"
	"\tfprintf(out, \"end %ld\\n\", cycle);\n"
	"\ttop->final();\n"
	"\tdelete top;\n"
	"\tdelete ctx;\n"
	"\treturn fclose(out) == 0 ? 0 : 1;\n"
	"}\n";

void rtl_testbench(strbuf *b)
{
	sb_puts(b, testbench);
}
