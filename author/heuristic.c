/* heuristic.c - the heuristic author: a deterministic designer that works like a careful
 * hls4ml user. Round 0 offers the default and first guesses whose ReuseFactors fit the part;
 * later rounds move from the best configs so far: widen the layer that loses accuracy, raise
 * the RF of the layers over budget, and trade precision and RF for cost while the error
 * margin allows. The analytical estimate (gen/estimate.h) ranks the moves. The moves, their
 * order and the ranges are in docs/STRATEGIES.md. */
#include "author/author.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/estimate.h"
#include "gen/reward.h"

enum {
	W_MIN = 2,            /* narrowest type the heuristic writes */
	I_MIN = -8,           /* integer bits it keeps within [I_MIN, I_MAX] */
	I_MAX = 40,
	OVERFLOW_RATIO = 16,  /* max_err above this many eps_max: suspect overflow, not rounding */
	RF_SWEEPS = 8,        /* coordinate-descent sweeps of rf_tune() */
	TRIES_PER_WANT = 20,  /* perturbation and random attempts per wanted candidate */
	WHY_LEN = 192,
};

/* The resources of the budget, in the order of the record and estimate fields. */
enum { R_LUT, R_FF, R_DSP, R_BRAM, NRES };

/* A proposed config, why, and its place in the offer order (prio, then seq). */
typedef struct {
	config c;
	char why[WHY_LEN];
	double prio;
	int seq;
} move;

/* A config of the history, parsed back from its canonical text. */
typedef struct {
	const record *r;
	config c;
} seen;

/* The designer's state for one round. */
typedef struct {
	author_ctx *ctx;
	const project *p;
	long macs;
	long **ladder;        /* per layer: the RFs hls4ml accepts, ascending */
	int *nladder;
	double scale[NRES];   /* record / estimate of the best record (1 at estimate fidelity) */
	seen *seen;           /* parsed history, best first */
	int nseen;
	move *mv;
	int nmv;
} hstate;

/* ---- types ---- */

/* x within [lo, hi]. */
static int clamp_int(int x, int lo, int hi)
{
	return x < lo ? lo : x > hi ? hi : x;
}

/* Sets t's fractional bits to f, keeping its integer bits, within the limits. */
static void set_frac(fx_type *t, int f)
{
	t->w = clamp_int(t->i + f, W_MIN, FX_W_MAX);
}

/* Adds d fractional bits to t (removes them for d < 0). */
static void add_frac(fx_type *t, int d)
{
	set_frac(t, fx_frac(t) + d);
}

/* Adds d integer bits to t, keeping its fractional bits (the width follows). */
static void add_int(fx_type *t, int d)
{
	int f = fx_frac(t);
	int i = clamp_int(t->i + d, I_MIN, I_MAX);
	if (i + f > FX_W_MAX || i + f < W_MIN)
		return;
	t->i = i;
	t->w = i + f;
}

/* ceil(log2(n)) for n >= 1. */
static int clog2(long n)
{
	int b = 0;
	while (b < 62 && (1L << b) < n)
		b++;
	return b;
}

/* An accumulator that holds every sum of n_in products plus the bias exactly (hls4ml's 'auto'
 * rule), with fractional bits dropped if it would pass 64 bits. */
static fx_type exact_accum(const fx_type *in, const fx_type *w, const fx_type *b, bool has_bias,
			   int n_in)
{
	int frac = fx_frac(in) + fx_frac(w);
	int ints = in->i + w->i + clog2(n_in < 1 ? 1 : n_in);
	if (has_bias) {
		ints = (ints > b->i ? ints : b->i) + 1;
		frac = frac > fx_frac(b) ? frac : fx_frac(b);
	}
	ints = clamp_int(ints, 1, I_MAX);
	frac = clamp_int(frac, 0, FX_W_MAX - ints);
	return (fx_type){.w = ints + frac, .i = ints, .sign = true, .q = FX_TRN, .o = FX_WRAP};
}

/* "<16,6>" for a signed type with the default modes, "u<8,3,RND,SAT>" and so on. */
static const char *tstr(const fx_type *t, char *buf, size_t n)
{
	if (t->q == FX_TRN && t->o == FX_WRAP)
		snprintf(buf, n, "%s<%d,%d>", t->sign ? "" : "u", t->w, t->i);
	else
		snprintf(buf, n, "%s<%d,%d,%s,%s>", t->sign ? "" : "u", t->w, t->i,
			 fx_qname(t->q) + 3, fx_oname(t->o) + 3);
	return buf;
}

/* The type feeding layer i: the block input or the previous layer's result (a swiglu up:
 * the gate's input; down: the product's type). */
static fx_type *in_type(const project *p, config *c, int i)
{
	return (fx_type *)config_input_type(c, p, i);
}

/* ---- configs ---- */

/* A deep copy of src into dst (dst's old storage is not freed). */
static void cfg_copy(config *dst, const config *src)
{
	*dst = *src;
	dst->layers = xcalloc((size_t)(src->n_layers > 0 ? src->n_layers : 1), sizeof *dst->layers);
	memcpy(dst->layers, src->layers, (size_t)src->n_layers * sizeof *src->layers);
}

/* Distance of two configs of the same block: bits of width and integer difference plus one
 * per differing sign, mode, RF, Strategy or WeightFormat. Stops counting past limit. */
static int cfg_dist(const config *a, const config *b, int limit)
{
	if (a->n_layers != b->n_layers)
		return limit + 1;
	int d = 0;
	for (int i = -1; i < a->n_layers && d <= limit; i++) {
		const fx_type *ta[4], *tb[4];
		int nt;
		if (i < 0) {
			ta[0] = &a->input;
			tb[0] = &b->input;
			nt = 1;
		} else {
			const layer_cfg *x = &a->layers[i], *y = &b->layers[i];
			ta[0] = &x->weight, ta[1] = &x->bias, ta[2] = &x->accum, ta[3] = &x->result;
			tb[0] = &y->weight, tb[1] = &y->bias, tb[2] = &y->accum, tb[3] = &y->result;
			nt = 4;
			d += (x->reuse != y->reuse) + (x->strategy != y->strategy) +
			     (x->wfmt != y->wfmt);
		}
		for (int k = 0; k < nt; k++)
			d += abs(ta[k]->w - tb[k]->w) + abs(ta[k]->i - tb[k]->i) +
			     (ta[k]->sign != tb[k]->sign) + (ta[k]->q != tb[k]->q) + (ta[k]->o != tb[k]->o);
	}
	return d;
}

/* True if x has no more integer and no more fractional bits than m in every type, with the
 * same signs, modes and weight formats: x then rounds and overflows at least as much as m. */
static bool narrower_or_equal(const config *x, const config *m)
{
	if (x->n_layers != m->n_layers)
		return false;
	for (int i = -1; i < x->n_layers; i++) {
		const fx_type *tx[4], *tm[4];
		int nt = 1;
		if (i < 0) {
			tx[0] = &x->input;
			tm[0] = &m->input;
		} else {
			const layer_cfg *a = &x->layers[i], *b = &m->layers[i];
			if (a->wfmt != b->wfmt) /* another arithmetic: not comparable by widths */
				return false;
			tx[0] = &a->weight, tx[1] = &a->bias, tx[2] = &a->accum, tx[3] = &a->result;
			tm[0] = &b->weight, tm[1] = &b->bias, tm[2] = &b->accum, tm[3] = &b->result;
			nt = 4;
		}
		for (int k = 0; k < nt; k++)
			if (tx[k]->sign != tm[k]->sign || tx[k]->q != tm[k]->q || tx[k]->o != tm[k]->o ||
			    tx[k]->i > tm[k]->i || fx_frac(tx[k]) > fx_frac(tm[k]))
				return false;
	}
	return true;
}

/* ---- ReuseFactor ladders ---- */

/* qsort order of longs, ascending. */
static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

/* Appends rf to the ladder v (k used, cap allocated) if hls4ml accepts it for ly. */
static void ladder_push(const layer *ly, long rf, long **v, int *k, int *cap)
{
	long lo, hi;
	if (!hls4ml_rf_valid(ly->n_in, ly->n_out, rf, &lo, &hi))
		return;
	if (*k == *cap) {
		*cap = *cap ? 2 * *cap : 16;
		*v = xreallocarray(*v, (size_t)*cap, sizeof **v);
	}
	(*v)[(*k)++] = rf;
}

/* Every layer's hls4ml-valid RFs, ascending. hls4ml's rule admits the divisors of n_in below
 * n_in and n_in times the divisors of n_out; those are enumerated and each is checked with
 * hls4ml_rf_valid(). 1 and n_in*n_out always pass, so no ladder is empty. */
static void ladders_build(hstate *s)
{
	int n = s->p->n_layers;
	s->ladder = xcalloc((size_t)n, sizeof *s->ladder);
	s->nladder = xcalloc((size_t)n, sizeof *s->nladder);
	for (int i = 0; i < n; i++) {
		const layer *ly = &s->p->layers[i];
		long *v = NULL;
		int k = 0, cap = 0;
		long a = ly->n_in > 0 ? ly->n_in : 1, b = ly->n_out > 0 ? ly->n_out : 1;
		for (long d = 1; d * d <= a; d++)
			if (a % d == 0) {
				if (d < a)
					ladder_push(ly, d, &v, &k, &cap);
				if (a / d != d && a / d < a)
					ladder_push(ly, a / d, &v, &k, &cap);
			}
		for (long d = 1; d * d <= b; d++)
			if (b % d == 0) {
				ladder_push(ly, a * d, &v, &k, &cap);
				if (b / d != d)
					ladder_push(ly, a * (b / d), &v, &k, &cap);
			}
		if (k == 0) { /* a degenerate shape: RF 1 at least */
			v = xreallocarray(v, 1, sizeof *v);
			v[k++] = 1;
		}
		qsort(v, (size_t)k, sizeof *v, cmp_long);
		s->ladder[i] = v;
		s->nladder[i] = k;
	}
}

/* The next ladder RF of layer i above rf (dir > 0) or below it (dir < 0); 0 if none. */
static long rf_step(const hstate *s, int i, long rf, int dir)
{
	const long *v = s->ladder[i];
	int n = s->nladder[i];
	if (dir > 0) {
		for (int k = 0; k < n; k++)
			if (v[k] > rf)
				return v[k];
	} else {
		for (int k = n - 1; k >= 0; k--)
			if (v[k] < rf)
				return v[k];
	}
	return 0;
}

/* The ladder RF of layer i nearest rf (the smaller on a tie, as hls4ml picks it). */
static long rf_snap(const hstate *s, int i, long rf)
{
	long lo = rf_step(s, i, rf + 1, -1), hi = rf_step(s, i, rf - 1, 1);
	if (lo == rf || !hi)
		return lo ? lo : hi;
	if (!lo)
		return hi;
	return hi - rf < rf - lo ? hi : lo;
}

/* ---- prediction ---- */

/* Scores totals: the reward they would get if the accuracy bound were met (resources scaled
 * to the best record's fidelity), and the overage, the sum over resources of how far past
 * headroom x budget they go. */
static void score(const hstate *s, const double *est, double latency_ns, double headroom,
		  double *reward, double *over)
{
	const project *p = s->p;
	double budget[NRES] = {(double)p->part.lut, (double)p->part.ff, (double)p->part.dsp,
			       (double)p->part.bram18};
	double used[NRES];
	*over = 0;
	for (int r = 0; r < NRES; r++) {
		used[r] = est[r] * s->scale[r];
		double b = budget[r] * headroom;
		if (used[r] > b)
			*over += b > 0 ? used[r] / b - 1 : used[r];
	}
	reward_input in = {.built = true, .max_err = 0, .lut = used[R_LUT], .ff = used[R_FF],
			   .dsp = used[R_DSP], .bram18 = used[R_BRAM], .latency_ns = latency_ns};
	reward_output out;
	reward_eval(&in, &p->part, p->clock_ns, p->eps_max, &p->reward, s->macs, &out);
	*reward = out.reward;
}

/* Predicts c (see score) from the estimate. -1 if the estimate cannot run. */
static int predict(const hstate *s, const config *c, double headroom, double *reward, double *over)
{
	estimate est;
	berr e;
	*reward = -1;
	*over = INFINITY;
	if (estimate_run(s->p, c, &est, &e) != 0)
		return -1;
	double t[NRES] = {(double)est.total.lut, (double)est.total.ff, (double)est.total.dsp,
			  (double)est.total.bram18};
	score(s, t, est.latency_ns, headroom, reward, over);
	estimate_free(&est);
	return 0;
}

/* Predicted reward of c (see predict), -1 if it cannot be estimated. */
static double pred(const hstate *s, const config *c)
{
	double r, o;
	predict(s, c, 1, &r, &o);
	return r;
}

/* The estimate of layer i of c alone: estimate_run() on a one-layer view of the block. An RF
 * touches only its own layer, so fit() and rf_tune() re-estimate one layer per trial. A
 * swiglu up is viewed with its gate (its SiLU and product run at their pace), and gets what
 * it adds to the block's total latency (gate and up overlap); lcache_set re-estimates it when
 * the gate's RF changes. */
static int layer_est(const hstate *s, const config *c, int i, layer_estimate *out)
{
	int first = s->p->layers[i].kind == LK_UP && i > 0 ? i - 1 : i;
	project one = *s->p;
	one.layers = &s->p->layers[first];
	one.n_layers = i - first + 1;
	config v = {.input = *config_input_type(c, s->p, first), .n_layers = i - first + 1,
		    .layers = &c->layers[first]};
	estimate est;
	berr e;
	if (estimate_run(&one, &v, &est, &e) != 0)
		return -1;
	*out = est.layers[i - first];
	if (first < i)
		out->latency = est.total.latency - est.layers[0].latency;
	estimate_free(&est);
	return 0;
}

/* True if layer i's estimate depends on layer j's RF besides its own (a swiglu up on its
 * gate's). */
static bool est_follows(const project *p, int i, int j)
{
	return i == j + 1 && p->layers[i].kind == LK_UP;
}

/* Per-layer estimates of a config, summed as estimate_run() sums them. */
typedef struct {
	int n;
	layer_estimate *l;
} lcache;

/* Estimates every layer of c into lc; -1 if the estimate cannot run. */
static int lcache_fill(const hstate *s, const config *c, lcache *lc)
{
	lc->n = c->n_layers;
	lc->l = xcalloc((size_t)(lc->n > 0 ? lc->n : 1), sizeof *lc->l);
	for (int i = 0; i < lc->n; i++)
		if (layer_est(s, c, i, &lc->l[i]) != 0)
			return -1;
	return 0;
}

/* Scores the cached layers (see score). */
static void lcache_score(const hstate *s, const lcache *lc, double headroom, double *reward,
			 double *over)
{
	double t[NRES] = {0}, lat = 0;
	for (int i = 0; i < lc->n; i++) {
		const layer_estimate *l = &lc->l[i];
		t[R_LUT] += (double)l->lut;
		t[R_FF] += (double)l->ff;
		t[R_DSP] += (double)l->dsp;
		t[R_BRAM] += (double)l->bram18;
		lat += (double)l->latency;
	}
	score(s, t, lat * s->p->clock_ns, headroom, reward, over);
}

/* Scores c with layer i at RF rf (the cache holds c's other layers), restoring both. */
static void lcache_try(const hstate *s, config *c, lcache *lc, int i, long rf, double headroom,
		       double *reward, double *over)
{
	long old = c->layers[i].reuse;
	bool next = i + 1 < lc->n && est_follows(s->p, i + 1, i);
	layer_estimate keep = lc->l[i], keep_next = next ? lc->l[i + 1] : keep;
	c->layers[i].reuse = rf;
	if (layer_est(s, c, i, &lc->l[i]) != 0 || (next && layer_est(s, c, i + 1, &lc->l[i + 1]) != 0)) {
		*reward = -1;
		*over = INFINITY;
	} else {
		lcache_score(s, lc, headroom, reward, over);
	}
	c->layers[i].reuse = old;
	lc->l[i] = keep;
	if (next)
		lc->l[i + 1] = keep_next;
}

/* Sets layer i's RF to rf and re-estimates it. */
static void lcache_set(const hstate *s, config *c, lcache *lc, int i, long rf)
{
	c->layers[i].reuse = rf;
	layer_est(s, c, i, &lc->l[i]);
	if (i + 1 < lc->n && est_follows(s->p, i + 1, i))
		layer_est(s, c, i + 1, &lc->l[i + 1]);
}

/* Raises (or lowers) RFs along the ladders, one step at a time, always the step that cuts the
 * overage most (ties: the better predicted reward, then the earlier layer), until c fits
 * headroom x budget. Returns true if it fits. */
static bool fit(const hstate *s, config *c, double headroom)
{
	int n = c->n_layers, limit = 8;
	for (int i = 0; i < n; i++)
		limit += 2 * s->nladder[i];
	lcache lc;
	bool fits = false;
	if (lcache_fill(s, c, &lc) != 0)
		goto out;
	for (int it = 0; it < limit; it++) {
		double r0, o0;
		lcache_score(s, &lc, headroom, &r0, &o0);
		if (o0 <= 0) {
			fits = true;
			break;
		}
		int bi = -1;
		long brf = 0;
		double bo = o0, br = -1;
		for (int i = 0; i < n; i++)
			for (int dir = 1; dir >= -1; dir -= 2) {
				long rf = rf_step(s, i, c->layers[i].reuse, dir);
				if (!rf)
					continue;
				double r, o;
				lcache_try(s, c, &lc, i, rf, headroom, &r, &o);
				if (o < bo || (bi >= 0 && o == bo && r > br)) {
					bi = i, brf = rf, bo = o, br = r;
				}
			}
		if (bi < 0)
			break;
		lcache_set(s, c, &lc, bi, brf);
	}
out:
	free(lc.l);
	return fits;
}

/* Picks the RFs of layers first..last from their ladders to maximise the predicted reward
 * (coordinate descent: one layer at a time, a few sweeps; only strict gains move). */
static void rf_tune_range(const hstate *s, config *c, int first, int last)
{
	lcache lc;
	double best, o;
	if (lcache_fill(s, c, &lc) != 0)
		goto out;
	lcache_score(s, &lc, 1, &best, &o);
	for (int sweep = 0; sweep < RF_SWEEPS; sweep++) {
		bool moved = false;
		for (int i = first; i <= last && i < c->n_layers; i++) {
			long keep = c->layers[i].reuse;
			for (int k = 0; k < s->nladder[i]; k++) {
				double r;
				lcache_try(s, c, &lc, i, s->ladder[i][k], 1, &r, &o);
				if (r > best) {
					best = r;
					keep = s->ladder[i][k];
					moved = true;
				}
			}
			lcache_set(s, c, &lc, i, keep);
		}
		if (!moved)
			break;
	}
out:
	free(lc.l);
}

/* Tunes every layer's RF (see rf_tune_range). */
static void rf_tune(const hstate *s, config *c)
{
	rf_tune_range(s, c, 0, c->n_layers - 1);
}

/* Appends " (RF fc1 1->4, fc2 1->2)" to why for the RFs c changed from base; nothing if none. */
static void rf_note(const hstate *s, const config *base, const config *c, char *why, size_t n)
{
	size_t len = strlen(why);
	int shown = 0, more = 0;
	for (int i = 0; i < c->n_layers; i++) {
		if (c->layers[i].reuse == base->layers[i].reuse)
			continue;
		if (shown == 3) {
			more++;
			continue;
		}
		if (len + 2 < n)
			len += (size_t)snprintf(why + len, n - len, "%s%s %ld->%ld", shown ? ", " : " (RF ",
						s->p->layers[i].name, base->layers[i].reuse,
						c->layers[i].reuse);
		shown++;
	}
	if (shown && len + 2 < n)
		snprintf(why + len, n - len, more ? ", +%d more)" : ")", more);
}

/* ---- the move list ---- */

/* Adds a move (taking c) at priority prio, its origin "heuristic: " + the formatted text. */
static void add(hstate *s, config *c, double prio, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void add(hstate *s, config *c, double prio, const char *fmt, ...)
{
	s->mv = xreallocarray(s->mv, (size_t)s->nmv + 1, sizeof *s->mv);
	move *m = &s->mv[s->nmv];
	m->c = *c;
	m->prio = prio;
	m->seq = s->nmv++;
	int k = snprintf(m->why, sizeof m->why, "heuristic: ");
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m->why + k, sizeof m->why - (size_t)k, fmt, ap);
	va_end(ap);
}

/* qsort order of moves: prio, then seq. */
static int cmp_move(const void *a, const void *b)
{
	const move *x = a, *y = b;
	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* True if c may be offered: not within one step of a config that failed to build, and not
 * narrower-or-equal everywhere than one that missed the accuracy bound. */
static bool admissible(const hstate *s, const config *c)
{
	for (int k = 0; k < s->nseen; k++) {
		const seen *x = &s->seen[k];
		if (x->r->tier == TIER_FAILED && cfg_dist(c, &x->c, 1) <= 1)
			return false;
		if (x->r->tier == TIER_ACCURACY && narrower_or_equal(c, &x->c))
			return false;
	}
	return true;
}

/* Offers c if admissible. */
static void offer(hstate *s, const config *c, const char *why)
{
	if (!author_full(s->ctx) && admissible(s, c))
		author_offer(s->ctx, c, why);
}

/* Offers the moves in order (prio, then seq) and frees them. */
static void flush(hstate *s)
{
	qsort(s->mv, (size_t)s->nmv, sizeof *s->mv, cmp_move);
	for (int k = 0; k < s->nmv; k++) {
		offer(s, &s->mv[k].c, s->mv[k].why);
		config_free(&s->mv[k].c);
	}
	free(s->mv);
	s->mv = NULL;
	s->nmv = 0;
}

/* ---- the moves ---- */

/* Where a base's moves land: prio = off + step * rank. */
typedef struct {
	double off, step;
} slot;

/* The priority of a base's move of the given rank. */
static double at(slot sl, double rank)
{
	return sl.off + sl.step * rank;
}

/* Widens layer i's weight, bias, accum and result (and the block input for layer 0) by d
 * fractional bits. */
static void widen_layer(config *c, int i, int d)
{
	layer_cfg *l = &c->layers[i];
	add_frac(&l->weight, d);
	add_frac(&l->bias, d);
	add_frac(&l->accum, d);
	add_frac(&l->result, d);
	if (i == 0)
		add_frac(&c->input, d);
}

/* Layers in the order their error grows, largest first. layer_err is cumulative (each layer's
 * output against the float chain), so a layer's own share is its growth over its input's.
 * Without per-layer errors: last layer first. */
static void error_order(const config *b, const record *r, int *order)
{
	int n = b->n_layers;
	double g[MAX_LAYERS];
	bool have = r && r->layer_err && r->n_layers == n;
	for (int i = 0; i < n; i++) {
		order[i] = n - 1 - i;
		double prev = i > 0 && have ? r->layer_err[i - 1] : 0;
		g[i] = have ? r->layer_err[i] - prev : 0;
		if (isnan(g[i]))
			g[i] = INFINITY;
	}
	if (!have)
		return;
	for (int a = 1; a < n; a++) /* insertion sort: stable, deterministic */
		for (int k = a; k > 0 && g[order[k]] > g[order[k - 1]]; k--) {
			int t = order[k];
			order[k] = order[k - 1];
			order[k - 1] = t;
		}
}

/* Fits c's RFs to the part (if it can), with tune also to the best predicted reward (RF and
 * Strategy never change the numerics, so this costs no accuracy), and adds it, noting the RF
 * changes against base. */
static void add_fitted(hstate *s, const config *base, config *c, double prio, const char *what,
		       bool tune)
{
	fit(s, c, 1);
	if (tune)
		rf_tune(s, c);
	char why[WHY_LEN];
	snprintf(why, sizeof why, "%s", what);
	rf_note(s, base, c, why, sizeof why);
	add(s, c, prio, "%s", why);
}

/* Moves for a base that missed the accuracy bound: widen, the layer whose error grows most
 * first; integer bits first when the error is so large it looks like overflow. */
static void moves_accuracy(hstate *s, const config *b, const record *r, slot sl)
{
	int n = b->n_layers, order[MAX_LAYERS];
	error_order(b, r, order);
	double eps = s->p->eps_max;
	double ratio = eps > 0 && r->max_err >= 0 ? r->max_err / eps : INFINITY;
	bool ovf = !(ratio < OVERFLOW_RATIO);
	int L = order[0];
	const char *ln = s->p->layers[L].name;
	char what[WHY_LEN];
	double k = 0;
	config c;

	if (ovf) {
		cfg_copy(&c, b);
		add_int(&c.input, 2);
		for (int i = 0; i < n; i++) {
			add_int(&c.layers[i].result, 2);
			add_int(&c.layers[i].accum, 2);
		}
		snprintf(what, sizeof what, "max_err %.3g is %.0fx eps_max (overflow?): 2 more integer "
			 "bits on the input, every result and accum", r->max_err, ratio);
		add_fitted(s, b, &c, at(sl, k++), what, true);
		cfg_copy(&c, b);
		add_int(&c.layers[L].result, 2);
		add_int(&c.layers[L].accum, 2);
		c.layers[L].result.o = FX_SAT;
		snprintf(what, sizeof what, "overflow? %s result and accum 2 more integer bits, result "
			 "saturates", ln);
		add_fitted(s, b, &c, at(sl, k++), what, true);
	}
	cfg_copy(&c, b);
	widen_layer(&c, L, 2);
	snprintf(what, sizeof what, "accuracy miss (max_err %.3g > %.3g): widen %s by 2 fractional "
		 "bits (weight, bias, accum, result)", r->max_err, eps, ln);
	add_fitted(s, b, &c, at(sl, k++), what, true);

	cfg_copy(&c, b);
	for (int i = 0; i < n; i++)
		widen_layer(&c, i, 2);
	add_fitted(s, b, &c, at(sl, k++), "accuracy miss: widen every layer and the input by 2 "
		   "fractional bits", true);

	cfg_copy(&c, b);
	c.layers[L].result.q = FX_RND;
	c.layers[L].result.o = FX_SAT;
	c.layers[L].weight.q = FX_RND;
	c.layers[L].bias.q = FX_RND;
	if (L == 0)
		c.input.q = FX_RND, c.input.o = FX_SAT;
	snprintf(what, sizeof what, "accuracy miss: round (RND) %s weights and result, saturate "
		 "the result", ln);
	add_fitted(s, b, &c, at(sl, k++), what, true);

	cfg_copy(&c, b);
	widen_layer(&c, L, 4);
	snprintf(what, sizeof what, "accuracy miss: widen %s by 4 fractional bits", ln);
	add_fitted(s, b, &c, at(sl, k++), what, true);

	if (n > 1) {
		cfg_copy(&c, b);
		widen_layer(&c, order[1], 2);
		snprintf(what, sizeof what, "accuracy miss: widen %s (2nd largest error growth) by 2 "
			 "fractional bits", s->p->layers[order[1]].name);
		add_fitted(s, b, &c, at(sl, k++), what, true);
	}
	if (!ovf) {
		cfg_copy(&c, b);
		add_int(&c.layers[L].result, 1);
		add_int(&c.layers[L].accum, 1);
		snprintf(what, sizeof what, "accuracy miss: one more integer bit on %s result and accum",
			 ln);
		add_fitted(s, b, &c, at(sl, k++), what, true);
	}
	/* Single variables of the worst layer. */
	static const char *const var[] = {"weight", "result", "accum"};
	for (int v = 0; v < 3; v++) {
		cfg_copy(&c, b);
		layer_cfg *l = &c.layers[L];
		fx_type *t = v == 0 ? &l->weight : v == 1 ? &l->result : &l->accum;
		if (v == 2) {
			/* only if the accumulator drops product bits */
			fx_type ex = exact_accum(in_type(s->p, &c, L), &l->weight, &l->bias,
						 s->p->layers[L].bias, s->p->layers[L].n_in);
			if (fx_frac(t) >= fx_frac(&ex)) {
				config_free(&c);
				continue;
			}
		}
		add_frac(t, 2);
		if (v == 0)
			add_frac(&l->accum, 2);
		snprintf(what, sizeof what, "accuracy miss: widen %s %s to %s", ln, var[v],
			 tstr(t, (char[48]){0}, 48));
		add_fitted(s, b, &c, at(sl, k++), what, true);
	}
	cfg_copy(&c, b);
	for (int i = 0; i < n; i++)
		widen_layer(&c, i, 4);
	add_fitted(s, b, &c, at(sl, k++), "accuracy miss: widen every layer and the input by 4 "
		   "fractional bits", true);
	cfg_copy(&c, b);
	for (int i = 0; i < n; i++)
		c.layers[i].weight.q = c.layers[i].bias.q = FX_RND;
	add_fitted(s, b, &c, at(sl, k++), "accuracy miss: round every weight and bias (free: they "
		   "are constants)", true);
}

/* Moves for a base over the part's budget: raise RFs on the layers that use the most, narrow
 * weights where that drops DSPs per product, try the Resource strategy. */
static void moves_budget(hstate *s, const config *b, const record *r, slot sl)
{
	int n = b->n_layers;
	char what[WHY_LEN];
	double k = 0;
	config c;

	/* the resource furthest over, as the record has it */
	static const char *const rname[NRES] = {"LUT", "FF", "DSP", "BRAM18"};
	const double used[NRES] = {r->lut, r->ff, r->dsp, r->bram18};
	const long have[NRES] = {s->p->part.lut, s->p->part.ff, s->p->part.dsp, s->p->part.bram18};
	int worst = R_DSP;
	double wr = 0;
	for (int q = 0; q < NRES; q++) {
		double ratio = have[q] > 0 ? used[q] / (double)have[q] : used[q] > 0 ? INFINITY : 0;
		if (ratio > wr) {
			wr = ratio;
			worst = q;
		}
	}
	cfg_copy(&c, b);
	fit(s, &c, 1);
	snprintf(what, sizeof what, "over budget (%s %.0f of %ld): raise RF to fit the part",
		 rname[worst], used[worst], have[worst]);
	rf_note(s, b, &c, what, sizeof what);
	config t;
	cfg_copy(&t, &c);
	add(s, &c, at(sl, k++), "%s", what);

	rf_tune(s, &t);
	snprintf(what, sizeof what, "over budget: RFs tuned on the estimate");
	rf_note(s, b, &t, what, sizeof what);
	add(s, &t, at(sl, k++), "%s", what);

	cfg_copy(&c, b);
	fit(s, &c, 0.85);
	snprintf(what, sizeof what, "over budget: raise RF to fit 85%% of the part");
	rf_note(s, b, &c, what, sizeof what);
	add(s, &c, at(sl, k++), "%s", what);

	/* Layers by DSPs used, most first: narrow the weight (or the layer's input) just enough
	 * that a product needs fewer DSPs (18 bits on a 25x18 DSP; under 9 bits total, LUTs). */
	estimate est;
	berr e;
	if (estimate_run(s->p, b, &est, &e) == 0) {
		int order[MAX_LAYERS];
		for (int i = 0; i < n; i++)
			order[i] = i;
		for (int a = 1; a < n; a++)
			for (int j = a; j > 0 && est.layers[order[j]].dsp > est.layers[order[j - 1]].dsp;
			     j--) {
				int tmp = order[j];
				order[j] = order[j - 1];
				order[j - 1] = tmp;
			}
		for (int j = 0; j < n && j < 3; j++) {
			int i = order[j];
			long d0 = est.layers[i].dsp;
			if (d0 == 0)
				break;
			for (int which = 0; which < 2; which++) {
				cfg_copy(&c, b);
				fx_type *ty = which ? in_type(s->p, &c, i) : &c.layers[i].weight;
				int w0 = ty->w, found = 0;
				for (int w = w0 - 1; w >= W_MIN && w >= w0 - 8 && !found; w--) {
					set_frac(ty, w - ty->i);
					estimate e2;
					if (estimate_run(s->p, &c, &e2, &e) == 0) {
						found = e2.layers[i].dsp < d0 ? w : 0;
						estimate_free(&e2);
					}
				}
				if (!found) {
					config_free(&c);
					continue;
				}
				snprintf(what, sizeof what, "over budget: narrow %s %s to %d bits so its "
					 "products need fewer DSPs", s->p->layers[i].name,
					 which ? "input" : "weight", found);
				add_fitted(s, b, &c, at(sl, k++), what, true);
			}
		}
		estimate_free(&est);
	}

	cfg_copy(&c, b);
	for (int i = 0; i < n; i++) {
		c.layers[i].strategy = HLS_RESOURCE;
		c.layers[i].reuse = rf_snap(s, i, c.layers[i].reuse);
	}
	add_fitted(s, b, &c, at(sl, k++), "over budget: Resource strategy on every layer", true);

	cfg_copy(&c, b);
	for (int i = 0; i < n; i++) {
		add_frac(&c.layers[i].weight, -2);
		add_frac(&c.layers[i].accum, -2);
	}
	add_fitted(s, b, &c, at(sl, k++), "over budget: 2 fewer bits on every weight", true);
}

/* Fractional bits to drop in one narrowing: each one roughly doubles the rounding error, so
 * floor(log2(eps_max / max_err)) - 1 (one bit kept as a safety margin), within [1, 4]. */
static int narrow_step(double eps, double max_err)
{
	if (!(eps > 0) || !(max_err > 0))
		return eps > 0 && max_err == 0 ? 4 : 1;
	int b = (int)floor(log2(eps / max_err)) - 1;
	return clamp_int(b, 1, 4);
}

/* A move of a feasible base, ranked by group (safe narrowings, risky ones, those that save
 * nothing), then predicted reward. */
typedef struct {
	config c;
	char why[WHY_LEN];
	int group;
	double r;
	int seq;
} narrowing;

/* qsort order of narrowings: group, predicted reward (best first), seq. */
static int cmp_narrowing(const void *a, const void *b)
{
	const narrowing *x = a, *y = b;
	if (x->group != y->group)
		return x->group < y->group ? -1 : 1;
	if (x->r != y->r)
		return x->r > y->r ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Narrowings of a layer: fractional bits of weight (with the accum), bias, result; the accum
 * towards the result's fractional bits; integer bits of weight, result, accum. */
enum { NW_WEIGHT, NW_BIAS, NW_RESULT, NW_ACCUM, NW_WEIGHT_INT, NW_RESULT_INT, NW_ACCUM_INT, NW_N };

/* Applies narrowing k to layer i of c (i = -1: the input, k = 0 fractional, 1 integer bits;
 * i = n_layers: everything, k = 0), st fractional bits at a time. Writes what it did, and in
 * *lost the fractional bits dropped on the main error path (weight, result, input): each
 * roughly doubles the error. Returns false if it changes nothing. */
static bool narrow(const hstate *s, config *c, int i, int k, int st, char *what, size_t n,
		   int *lost)
{
	static const char *const vname[NW_N] = {"weight", "bias", "result", "accum", "weight",
						 "result", "accum"};
	char tb[48];
	*lost = 0;
	if (i == c->n_layers) {
		int d = st > 1 ? st - 1 : 1;
		add_frac(&c->input, -d);
		for (int j = 0; j < c->n_layers; j++) {
			add_frac(&c->layers[j].weight, -d);
			add_frac(&c->layers[j].result, -d);
			add_frac(&c->layers[j].accum, -d);
		}
		*lost = d;
		snprintf(what, n, "%d fractional bit%s less on the input and every weight, accum and "
			 "result", d, d > 1 ? "s" : "");
		return true;
	}
	fx_type *t;
	if (i < 0) {
		t = &c->input;
		k = k ? NW_RESULT_INT : NW_RESULT;
	} else {
		layer_cfg *l = &c->layers[i];
		fx_type *vars[NW_N] = {&l->weight, &l->bias, &l->result, &l->accum, &l->weight,
				       &l->result, &l->accum};
		t = vars[k];
	}
	fx_type old = *t;
	switch (k) {
	case NW_WEIGHT:
		add_frac(t, -st);
		add_frac(&c->layers[i].accum, -st);
		*lost = st;
		break;
	case NW_BIAS: /* one term per output against n_in products: a small share */
		add_frac(t, -st);
		break;
	case NW_RESULT:
		add_frac(t, -st);
		*lost = st;
		break;
	case NW_ACCUM: { /* guard bits beyond the result's cost logic and buy little */
		int lo = fx_frac(&c->layers[i].result), f = fx_frac(t) - 2 * st;
		if (fx_frac(t) > lo)
			set_frac(t, f > lo ? f : lo);
		break;
	}
	case NW_WEIGHT_INT:
		if (t->i > 0)
			add_int(t, -1);
		break;
	case NW_RESULT_INT:
		if (t->i > 1)
			add_int(t, -1);
		break;
	default: { /* NW_ACCUM_INT: the sum needs more integer bits than the result, not many more */
		int lo = c->layers[i].result.i + 1;
		if (t->i > lo)
			add_int(t, t->i - 2 >= lo ? -2 : lo - t->i);
		break;
	}
	}
	if (fx_equal(t, &old))
		return false;
	snprintf(what, n, "narrow %s%s%s to %s", i < 0 ? "input" : s->p->layers[i].name,
		 i < 0 ? "" : " ", i < 0 ? "" : vname[k], tstr(t, tb, sizeof tb));
	return true;
}

/* Moves for a feasible base: tune RFs on the estimate, narrow precision where it saves the
 * most (the step set by the error margin), step single RFs, switch Strategy. */
static void moves_feasible(hstate *s, const config *b, const record *r, slot sl)
{
	int n = b->n_layers;
	double eps = s->p->eps_max;
	int st = narrow_step(eps, r->max_err);
	char what[WHY_LEN];
	config c, tuned;

	/* T: the best with its RFs tuned on the estimate. The numerics are the same, so it meets
	 * the bound too; the other moves start from it and are measured against it. */
	cfg_copy(&tuned, b);
	rf_tune(s, &tuned);
	const config *t0 = &tuned;
	double base_r = pred(s, t0);
	cfg_copy(&c, t0);
	snprintf(what, sizeof what, "feasible: RFs tuned on the estimate");
	rf_note(s, b, &c, what, sizeof what);
	add(s, &c, at(sl, 0), "%s", what);

	/* The narrowings, each with the RFs of the layers it touches (its own and the next)
	 * retuned. Safe ones first: those whose dropped bits, doubling the error per bit, would
	 * still keep max_err within eps_max; then the risky ones; then those that save nothing. */
	int cap = NW_N * n + 3, nn = 0;
	narrowing *nw = xcalloc((size_t)cap, sizeof *nw);
	char nwhat[128];
	for (int i = -1; i <= n; i++)
		for (int k = 0; k < (i < 0 ? 2 : i == n ? 1 : NW_N); k++) {
			int lost;
			cfg_copy(&c, t0);
			if (!narrow(s, &c, i, k, st, nwhat, sizeof nwhat, &lost)) {
				config_free(&c);
				continue;
			}
			config t2;
			cfg_copy(&t2, &c);
			if (i == n)
				rf_tune(s, &c);
			else
				rf_tune_range(s, &c, i < 0 ? 0 : i, i + 1);
			if (pred(s, &c) <= pred(s, &t2)) { /* keep the RFs unless tuning gains */
				config_free(&c);
				c = t2;
			} else {
				config_free(&t2);
			}
			narrowing *x = &nw[nn];
			snprintf(x->why, WHY_LEN, "feasible (max_err %.3g of %.3g): %s", r->max_err, eps,
				 nwhat);
			rf_note(s, b, &c, x->why, WHY_LEN);
			x->c = c;
			x->r = pred(s, &c);
			x->seq = nn++;
			bool risky = !(r->max_err * ldexp(1, lost) <= eps);
			x->group = x->r <= base_r ? 2 : risky;
		}
	qsort(nw, (size_t)nn, sizeof *nw, cmp_narrowing);
	for (int j = 0; j < nn; j++)
		add(s, &nw[j].c, at(sl, 1 + j + 20 * nw[j].group), "%s", nw[j].why);
	free(nw);

	/* Single RF steps from T, the best predicted first: down spends spare DSPs on latency,
	 * up saves them. T is a local optimum of the estimate, so at estimate fidelity these
	 * rank last; they matter when the records come from synthesis. */
	narrowing steps[2 * MAX_LAYERS];
	int ns = 0;
	for (int i = 0; i < n; i++)
		for (int dir = -1; dir <= 1; dir += 2) {
			long rf = rf_step(s, i, t0->layers[i].reuse, dir);
			if (!rf)
				continue;
			cfg_copy(&steps[ns].c, t0);
			steps[ns].c.layers[i].reuse = rf;
			steps[ns].r = pred(s, &steps[ns].c);
			steps[ns].group = 0;
			steps[ns].seq = ns;
			snprintf(steps[ns].why, WHY_LEN, "feasible: %s RF %ld->%ld (%s)",
				 s->p->layers[i].name, t0->layers[i].reuse, rf,
				 dir < 0 ? "lower latency" : "fewer resources");
			ns++;
		}
	qsort(steps, (size_t)ns, sizeof *steps, cmp_narrowing);
	for (int j = 0; j < ns; j++) /* those predicted no better than the base go last */
		add(s, &steps[j].c, at(sl, steps[j].r > base_r ? 3.5 + 2 * j : 60 + j), "%s",
		    steps[j].why);

	/* Strategy switches from T, one layer at a time, then all. */
	for (int i = 0; i <= n; i++) {
		cfg_copy(&c, t0);
		hls_strategy to = HLS_RESOURCE;
		if (i < n) {
			layer_cfg *l = &c.layers[i];
			to = l->strategy == HLS_RESOURCE ? HLS_LATENCY : HLS_RESOURCE;
			l->strategy = to;
			if (to == HLS_RESOURCE)
				l->reuse = rf_snap(s, i, l->reuse);
		} else {
			bool any = false;
			for (int j = 0; j < n; j++) {
				any |= c.layers[j].strategy != HLS_RESOURCE;
				c.layers[j].strategy = HLS_RESOURCE;
				c.layers[j].reuse = rf_snap(s, j, c.layers[j].reuse);
			}
			if (!any || n == 1) {
				config_free(&c);
				continue;
			}
		}
		if (i < n)
			snprintf(what, sizeof what, "feasible: %s Strategy %s", s->p->layers[i].name,
				 to == HLS_RESOURCE ? "Resource" : "Latency");
		else
			snprintf(what, sizeof what, "feasible: Resource strategy on every layer");
		rf_note(s, b, &c, what, sizeof what);
		add(s, &c, at(sl, 8 + 3 * i), "%s", what);
	}
	config_free(&tuned);
}

/* The narrower of a and b (the fewer integer and the fewer fractional bits), or a when their
 * signs or modes differ. */
static fx_type meet(const fx_type *a, const fx_type *b)
{
	if (a->sign != b->sign || a->q != b->q || a->o != b->o)
		return *a;
	fx_type t = *a;
	int f = fx_frac(a) < fx_frac(b) ? fx_frac(a) : fx_frac(b);
	t.i = a->i < b->i ? a->i : b->i;
	set_frac(&t, f);
	return t;
}

/* Narrows c to the meet of c and o in every type. */
static void meet_cfg(config *c, const config *o)
{
	c->input = meet(&c->input, &o->input);
	for (int i = 0; i < c->n_layers; i++) {
		layer_cfg *l = &c->layers[i];
		const layer_cfg *m = &o->layers[i];
		l->weight = meet(&l->weight, &m->weight);
		l->bias = meet(&l->bias, &m->bias);
		l->accum = meet(&l->accum, &m->accum);
		l->result = meet(&l->result, &m->result);
	}
}

/* Combines the best feasible config with the next feasible ones: the narrower of each type,
 * RFs retuned. Narrowings that each kept the bound on their own (found in the same round,
 * from the same parent) are merged instead of adopted one round at a time. */
static void moves_combine(hstate *s, const seen *best, slot sl)
{
	config all, c;
	cfg_copy(&all, &best->c);
	int used = 0;
	static const char *const nth[] = {"2nd", "3rd", "4th"};
	for (int k = 0; k < s->nseen && used < 3; k++) {
		const seen *x = &s->seen[k];
		if (x == best || x->r->tier != TIER_FEASIBLE || config_equal(&x->c, &best->c))
			continue;
		cfg_copy(&c, &best->c);
		meet_cfg(&c, &x->c);
		meet_cfg(&all, &x->c);
		rf_tune(s, &c);
		add(s, &c, at(sl, used == 0 ? 0.5 : 2.7 + used), "feasible: combine the best with the %s "
		    "best feasible (the narrower of each type)", nth[used]);
		used++;
	}
	if (used > 1) {
		rf_tune(s, &all);
		add(s, &all, at(sl, 1.5), "feasible: combine the best with the next %d feasible (the "
		    "narrower of each type)", used);
	} else {
		config_free(&all);
	}
}

/* The first guesses: the default, then precision levels with RFs fitted to the part. */
/* For blocks with layers too big for on-chip ROM (config_wfmt_wanted): starts that stream
 * those layers' weights from external memory, as w8 and as INT4 (the largest group dividing
 * n_in), at the default precision and at 18-bit results (2 more fractional bits), RFs fitted
 * and tuned on the estimate. They come early: without them no such design fits the part.
 * add() takes each config. */
static void moves_stream(hstate *s, const config *d, slot sl)
{
	const project *p = s->p;
	bool any = false;
	for (int i = 0; i < p->n_layers; i++)
		any |= config_wfmt_wanted(p, i);
	if (!any)
		return;
	for (int k = 0; k < 4; k++) {
		config c;
		cfg_copy(&c, d);
		for (int i = 0; i < p->n_layers; i++) {
			layer_cfg *l = &c.layers[i];
			if (config_wfmt_wanted(p, i))
				l->wfmt = k % 2 ? config_wfmt_int4(p->layers[i].n_in) : WF_W8;
			if (k >= 2) {
				widen_layer(&c, i, 2);
				if (p->layers[i].kind == LK_GATE)
					add_frac(&l->act, 2);
				else if (p->layers[i].kind == LK_UP)
					add_frac(&l->mul, 2);
				l->accum = exact_accum(in_type(p, &c, i), &l->weight, &l->bias,
						       p->layers[i].bias, p->layers[i].n_in);
			}
		}
		fit(s, &c, 1);
		rf_tune(s, &c);
		add(s, &c, at(sl, 0.5 + 0.25 * k), "large layers streamed as %s%s, RFs tuned on the estimate",
		    k % 2 ? "INT4" : "w8", k >= 2 ? ", 2 more fractional bits" : "");
	}
}

static void moves_start(hstate *s, slot sl)
{
	/* Precision levels: weights and biases, and activations (input and results); the
	 * accumulator holds sums exactly (hls4ml's 'auto'). */
	static const struct {
		const char *name;
		fx_type wt, act;
	} level[] = {
		{"12-bit weights", {12, 4, true, FX_RND, FX_WRAP}, {16, 6, true, FX_RND, FX_SAT}},
		{"8-bit weights", {8, 3, true, FX_RND, FX_WRAP}, {12, 5, true, FX_RND, FX_SAT}},
	};
	const project *p = s->p;
	int n = p->n_layers;
	config d, c;
	config_default(p, &d);
	cfg_copy(&c, &d);
	add(s, &c, at(sl, 0), "default start (ap_fixed<16,6>, ReuseFactor 1, Latency)");
	cfg_copy(&c, &d);
	add_fitted(s, &d, &c, at(sl, 1), "default precision, RF raised to fit the part", false);

	config lv[2];
	for (int k = 0; k < 2; k++) {
		cfg_copy(&lv[k], &d);
		lv[k].input = level[k].act;
		for (int i = 0; i < n; i++) {
			layer_cfg *l = &lv[k].layers[i];
			l->weight = l->bias = level[k].wt;
			l->result = level[k].act;
			if (p->layers[i].kind == LK_GATE) /* a swiglu's SiLU and product too */
				l->act = level[k].act;
			else if (p->layers[i].kind == LK_UP)
				l->mul = level[k].act;
			l->accum = exact_accum(in_type(p, &lv[k], i), &l->weight, &l->bias, p->layers[i].bias,
					       p->layers[i].n_in);
		}
		fit(s, &lv[k], 1);
		cfg_copy(&c, &lv[k]);
		char what[WHY_LEN];
		snprintf(what, sizeof what, "%s, activations %s, RF fitted to the part", level[k].name,
			 tstr(&level[k].act, (char[48]){0}, 48));
		rf_note(s, &d, &c, what, sizeof what);
		add(s, &c, at(sl, 2 + k), "%s", what);
	}
	cfg_copy(&c, &d);
	fit(s, &c, 1);
	rf_tune(s, &c);
	add(s, &c, at(sl, 4), "default precision, RFs tuned on the estimate");
	for (int k = 0; k < 2; k++) {
		rf_tune(s, &lv[k]);
		add(s, &lv[k], at(sl, 5 + k), "%s, RFs tuned on the estimate", level[k].name);
	}
	cfg_copy(&c, &d);
	for (int i = 0; i < n; i++)
		c.layers[i].strategy = HLS_RESOURCE;
	add_fitted(s, &d, &c, at(sl, 7), "default precision, Resource strategy, RF fitted", false);
	cfg_copy(&c, &d);
	fit(s, &c, 0.85);
	add(s, &c, at(sl, 8), "default precision, RF fitted to 85%% of the part");
	moves_stream(s, &d, sl);
	config_free(&d);
}

/* One random change of c: a type's fractional or integer bits by one or two, an RF step or a
 * Strategy switch, on a layer (or the input) drawn from ctx->rng. Writes what it did. */
static void mutate(hstate *s, config *c, char *note, size_t n)
{
	rng *g = &s->ctx->rng;
	int i = (int)rng_below(g, (uint64_t)c->n_layers);
	layer_cfg *l = &c->layers[i];
	const char *ln = s->p->layers[i].name;
	int d = rng_below(g, 2) ? 1 : -1;
	switch (rng_below(g, 8)) {
	case 0: add_frac(&l->weight, d); snprintf(note, n, "%s weight %+d", ln, d); break;
	case 1: add_frac(&l->result, d); snprintf(note, n, "%s result %+d", ln, d); break;
	case 2: add_frac(&l->accum, 2 * d); snprintf(note, n, "%s accum %+d", ln, 2 * d); break;
	case 3: add_frac(&l->bias, d); snprintf(note, n, "%s bias %+d", ln, d); break;
	case 4: add_frac(&c->input, d); snprintf(note, n, "input %+d", d); break;
	case 5: add_int(&l->result, d); snprintf(note, n, "%s result int %+d", ln, d); break;
	case 6: {
		long rf = rf_step(s, i, l->reuse, d);
		if (rf)
			l->reuse = rf;
		snprintf(note, n, "%s RF %ld", ln, l->reuse);
		break;
	}
	default:
		l->strategy = l->strategy == HLS_RESOURCE ? HLS_LATENCY : HLS_RESOURCE;
		if (l->strategy == HLS_RESOURCE)
			l->reuse = rf_snap(s, i, l->reuse);
		snprintf(note, n, "%s %s", ln, l->strategy == HLS_RESOURCE ? "Resource" : "Latency");
	}
}

/* Random neighbours of base (1 to 3 changes, refitted when over budget), then random configs,
 * each a bounded number of tries, until the round is full. */
static void fallback(hstate *s, const config *base)
{
	author_ctx *ctx = s->ctx;
	char why[WHY_LEN], note[MAX_NAME + 32];
	for (long t = 0; base && !author_full(ctx) && t < TRIES_PER_WANT * ctx->want; t++) {
		config c;
		cfg_copy(&c, base);
		int k = 1 + (int)rng_below(&ctx->rng, 3);
		int len = snprintf(why, sizeof why, "heuristic: perturb the best:");
		for (int j = 0; j < k; j++) {
			mutate(s, &c, note, sizeof note);
			len += snprintf(why + len, sizeof why - (size_t)len, "%s %s", j ? "," : "", note);
			if (len >= (int)sizeof why)
				len = (int)sizeof why - 1;
		}
		double r, o;
		if (predict(s, &c, 1, &r, &o) == 0 && o > 0)
			fit(s, &c, 1);
		offer(s, &c, why);
		config_free(&c);
	}
	for (long t = 0; !author_full(ctx) && t < TRIES_PER_WANT * ctx->want; t++) {
		config c;
		author_random_config(ctx, &c);
		offer(s, &c, "heuristic: random (no systematic move left)");
		config_free(&c);
	}
}

/* ---- the history ---- */

/* qsort order of the history: reward (best first, NaN last), then the earlier record. */
static int cmp_seen(const void *a, const void *b)
{
	const seen *x = a, *y = b;
	double rx = isnan(x->r->reward) ? -INFINITY : x->r->reward;
	double ry = isnan(y->r->reward) ? -INFINITY : y->r->reward;
	if (rx != ry)
		return rx > ry ? -1 : 1;
	return (x->r > y->r) - (x->r < y->r); /* ties: the earlier record */
}

/* Parses every valid record's config back; the ones that do not parse are skipped. */
static void history_load(hstate *s)
{
	const history *h = s->ctx->h;
	s->seen = xcalloc((size_t)(h && h->n > 0 ? h->n : 1), sizeof *s->seen);
	for (int k = 0; h && k < h->n; k++) {
		const record *r = &h->r[k];
		berr e;
		if (!r->valid || !r->config)
			continue;
		seen *x = &s->seen[s->nseen];
		if (config_parse("record", r->config, strlen(r->config), s->p, &x->c, &e) != 0)
			continue;
		x->r = r;
		s->nseen++;
	}
	qsort(s->seen, (size_t)s->nseen, sizeof *s->seen, cmp_seen);
}

/* The resource ratios record / estimate of the best record, within [1/2, 2]; 1 when either
 * side is zero (so at estimate fidelity they are all 1). */
static void calibrate(hstate *s, const seen *best)
{
	for (int r = 0; r < NRES; r++)
		s->scale[r] = 1;
	estimate est;
	berr e;
	if (!best || estimate_run(s->p, &best->c, &est, &e) != 0)
		return;
	double rec[NRES] = {best->r->lut, best->r->ff, best->r->dsp, best->r->bram18};
	double got[NRES] = {(double)est.total.lut, (double)est.total.ff, (double)est.total.dsp,
			    (double)est.total.bram18};
	for (int r = 0; r < NRES; r++)
		if (rec[r] > 0 && got[r] > 0 && isfinite(rec[r])) {
			double k = rec[r] / got[r];
			s->scale[r] = k < 0.5 ? 0.5 : k > 2 ? 2 : k;
		}
	estimate_free(&est);
}

/* Adds the moves of one base, by its tier. */
static void moves_of(hstate *s, const seen *x, slot sl)
{
	switch (x->r->tier) {
	case TIER_ACCURACY:
		moves_accuracy(s, &x->c, x->r, sl);
		break;
	case TIER_BUDGET:
		moves_budget(s, &x->c, x->r, sl);
		break;
	case TIER_FEASIBLE:
		moves_feasible(s, &x->c, x->r, sl);
		break;
	default:
		break;
	}
}

void author_heuristic(author_ctx *ctx)
{
	const project *p = ctx->p;
	if (p->n_layers < 1) {
		config d;
		config_default(p, &d);
		author_offer(ctx, &d, "heuristic: default start");
		config_free(&d);
		return;
	}
	hstate s = {.ctx = ctx, .p = p, .macs = project_macs(p)};
	ladders_build(&s);
	history_load(&s);

	/* The bases: the best three distinct configs that built. */
	const seen *base[3];
	int nb = 0;
	for (int k = 0; k < s.nseen && nb < 3; k++) {
		const seen *x = &s.seen[k];
		bool dup = false;
		for (int j = 0; j < nb; j++)
			dup |= config_equal(&x->c, &base[j]->c);
		if (x->r->tier != TIER_FAILED && !dup)
			base[nb++] = x;
	}
	calibrate(&s, nb ? base[0] : NULL);

	config start;
	config_default(p, &start);
	fit(&s, &start, 1);
	if (nb == 0) {
		moves_start(&s, (slot){0, 1});
	} else {
		/* The best's moves first; the 2nd and 3rd best's interleave after its first few. */
		static const slot slots[3] = {{0, 1}, {2.5, 2.5}, {3.5, 2.5}};
		for (int j = 0; j < nb; j++)
			moves_of(&s, base[j], slots[j]);
		if (base[0]->r->tier == TIER_FEASIBLE)
			moves_combine(&s, base[0], slots[0]);
	}
	flush(&s);
	fallback(&s, nb ? &base[0]->c : &start);

	config_free(&start);
	for (int k = 0; k < s.nseen; k++)
		config_free(&s.seen[k].c);
	free(s.seen);
	for (int i = 0; i < p->n_layers; i++)
		free(s.ladder[i]);
	free(s.ladder);
	free(s.nladder);
}
