/* rf.c - the rf author: a random-forest surrogate trained on this sweep's results, choosing
 * each round's candidates from a large pool by their expected improvement.
 *
 * The reward is lexicographic, and only one of its inputs is unknown before evaluation: the
 * resources and latency come from the analytical estimate (exactly, at estimate fidelity),
 * the accuracy only from csim. So the forest learns log2(max_err) from the numeric features
 * (types and modes; ReuseFactor and Strategy never change the arithmetic), and a candidate's
 * reward is predicted by reward_eval() itself, once per tree: the tier threshold is then
 * handled by the true reward function, and the spread of the trees gives the chance of
 * meeting eps_max. When records come from synthesis, further forests learn the log ratio of
 * measured to estimated resources and latency. Design notes in docs/STRATEGIES.md. */
#include "author/author.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "author/features.h"
#include "author/forest.h"
#include "gen/estimate.h"
#include "gen/reward.h"

enum {
	RF_POOL_MIN = 16,
	RF_POOL_MAX = 100000,
	RF_PARENTS = 8,     /* the best records mutated and crossed */
	RF_MIN_ROWS = 2,    /* fewer records that built: no model, random draws */
	RF_MIN_CORR = 4,    /* records at a measured fidelity needed to learn the corrections */
	RF_HEUR_MAX = 256,  /* most candidates taken from the heuristic's moves */
	RF_EDITS = 3,       /* most edits in one mutation */
	W_LO = 2, W_HI = FX_W_MAX, I_LO = -8, I_HI = 40, /* the types a mutation writes */
	NOTE_LEN = 160,
};

/* log2(max_err) (feat_log2) is learned within [LOG_ERR_LO, LOG_ERR_HI]: 0 and NaN errors
 * are clamped. */
#define LOG_ERR_LO (-30.0)
#define LOG_ERR_HI 10.0

/* An expected improvement below this is rounding noise: no improvement. */
#define EI_MIN 1e-9

/* What the corrections learn, measured / estimated. */
enum { C_LUT, C_FF, C_DSP, C_BRAM, C_LAT, NCORR };

/* A candidate of the pool. */
typedef struct {
	config c;
	uint64_t sig;          /* its numerics (numerics_sig) */
	char note[NOTE_LEN];   /* where it came from */
	double ei, mean, pmeet, err;
	bool exact;            /* its numerics were measured already */
	bool heur;             /* one of the heuristic's moves (seq is then its rank) */
	int seq;
} pcand;

/* Numerics measured so far: their max_err, or that csim failed on them. */
typedef struct {
	uint64_t sig;
	double max_err;
	bool failed;
} measured;

/* A record that built, for choosing parents. */
typedef struct {
	const record *r;
	config c;
	int order;
} parent;

typedef struct {
	author_ctx *ctx;
	const project *p;
	int nf;                 /* features per config */
	long macs;
	double best;            /* best reward so far */
	forest acc;             /* log2 max_err */
	forest corr[NCORR];     /* log2 (measured+1)/(estimated+1), when has_corr */
	bool has_corr;
	measured *ms;
	int nms;
	parent *par;
	int npar;
	pcand *pool;
	int npool, cap;
	uint64_t *set;          /* ids of the pool (first 16 hex digits), open addressing */
	size_t setcap;
	int rows;               /* accuracy training rows */
} rstate;

/* ---- the numerics of a config ---- */

/* A hash of every type of c (not RF or Strategy): configs with the same one have the same
 * csim result. */
static uint64_t numerics_sig(const config *c)
{
	int v[5 * (1 + 4 * MAX_LAYERS)];
	int n = 0;
	const fx_type *t = &c->input;
	for (int s = 0; s < 1 + 4 * c->n_layers && s < 1 + 4 * MAX_LAYERS; s++) {
		if (s > 0) {
			const layer_cfg *l = &c->layers[(s - 1) / 4];
			const fx_type *lt[4] = {&l->weight, &l->bias, &l->accum, &l->result};
			t = lt[(s - 1) % 4];
		}
		v[n++] = t->w;
		v[n++] = t->i;
		v[n++] = t->sign;
		v[n++] = (int)t->q;
		v[n++] = (int)t->o;
	}
	return XXH3_64bits(v, (size_t)n * sizeof *v);
}

/* The measurement of numerics sig, or NULL. */
static const measured *measured_find(const rstate *s, uint64_t sig)
{
	for (int k = 0; k < s->nms; k++)
		if (s->ms[k].sig == sig)
			return &s->ms[k];
	return NULL;
}

static void measured_add(rstate *s, uint64_t sig, double max_err, bool failed)
{
	if (measured_find(s, sig))
		return; /* the first record of the numerics counts */
	s->ms = xreallocarray(s->ms, (size_t)s->nms + 1, sizeof *s->ms);
	s->ms[s->nms++] = (measured){.sig = sig, .max_err = max_err, .failed = failed};
}

/* The learned target of an error: its log2, clamped; NaN and infinite count as the worst. */
static double log_err(double e)
{
	if (!(e == e) || isinf(e))
		return LOG_ERR_HI;
	if (e <= 0)
		return LOG_ERR_LO;
	double l = feat_log2(e);
	return l < LOG_ERR_LO ? LOG_ERR_LO : l > LOG_ERR_HI ? LOG_ERR_HI : l;
}

/* ---- configs ---- */

static void cfg_copy(config *dst, const config *src)
{
	*dst = *src;
	dst->layers = xcalloc((size_t)(src->n_layers > 0 ? src->n_layers : 1), sizeof *dst->layers);
	memcpy(dst->layers, src->layers, (size_t)src->n_layers * sizeof *src->layers);
}

/* Slot s of c: 0 is the input, then each layer's weight, bias, accum and result. */
static fx_type *slot_type(config *c, int s)
{
	if (s == 0)
		return &c->input;
	layer_cfg *l = &c->layers[(s - 1) / 4];
	fx_type *lt[4] = {&l->weight, &l->bias, &l->accum, &l->result};
	return lt[(s - 1) % 4];
}

static const char *slot_name(const project *p, int s, char *buf, size_t n)
{
	static const char *const names[4] = {"weight", "bias", "accum", "result"};
	if (s == 0)
		snprintf(buf, n, "input");
	else
		snprintf(buf, n, "%s.%s", p->layers[(s - 1) / 4].name, names[(s - 1) % 4]);
	return buf;
}

/* Sets t to width w and integer bits i if they are in the range mutations keep to. */
static bool set_wi(fx_type *t, int w, int i)
{
	if (w < W_LO || w > W_HI || i < I_LO || i > I_HI)
		return false;
	t->w = w;
	t->i = i;
	return true;
}

/* Doubles (dir > 0) or halves layer i's RF, within [1, n_in*n_out]; a Resource layer takes
 * the nearest RF hls4ml accepts in that direction. */
static long rf_move(const layer *ly, const layer_cfg *l, int dir)
{
	long n = (long)ly->n_in * ly->n_out;
	long rf = dir > 0 ? l->reuse * 2 : l->reuse / 2;
	rf = rf < 1 ? 1 : rf > n ? n : rf;
	long lo, hi;
	if (l->strategy == HLS_RESOURCE && !hls4ml_rf_valid(ly->n_in, ly->n_out, rf, &lo, &hi))
		rf = dir > 0 ? (hi ? hi : lo) : (lo ? lo : hi);
	return rf > 0 ? rf : 1;
}

/* One random edit of c: a type's fractional bits by 1 or 2, its integer bits by 1, its
 * rounding or overflow mode, a layer's RF doubled or halved, or a type taken from a random
 * config. Appends what it did to note. */
static void edit(rstate *s, config *c, char *note, size_t n)
{
	author_ctx *ctx = s->ctx;
	rng *g = &ctx->rng;
	int slot = (int)rng_below(g, (uint64_t)(1 + 4 * c->n_layers));
	fx_type *t = slot_type(c, slot);
	char nm[MAX_NAME + 16], buf[MAX_NAME + 48];
	slot_name(s->p, slot, nm, sizeof nm);
	int d = rng_below(g, 2) ? 1 : -1;
	buf[0] = '\0';
	switch (rng_below(g, 6)) {
	case 0:
	case 1: {
		int k = (int)d * (1 + (int)rng_below(g, 2));
		if (set_wi(t, t->w + k, t->i))
			snprintf(buf, sizeof buf, "%s F%+d", nm, k);
		break;
	}
	case 2:
		if (set_wi(t, t->w + d, t->i + d))
			snprintf(buf, sizeof buf, "%s I%+d", nm, d);
		break;
	case 3:
		if (d > 0) {
			t->q = t->q == FX_TRN || t->q == FX_TRN_ZERO ? FX_RND : FX_TRN;
			snprintf(buf, sizeof buf, "%s %s", nm, fx_qname(t->q) + 3);
		} else {
			t->o = t->o == FX_WRAP || t->o == FX_WRAP_SM ? FX_SAT : FX_WRAP;
			snprintf(buf, sizeof buf, "%s %s", nm, fx_oname(t->o) + 3);
		}
		break;
	case 4: {
		int i = (int)rng_below(g, (uint64_t)c->n_layers);
		long old = c->layers[i].reuse;
		c->layers[i].reuse = rf_move(&s->p->layers[i], &c->layers[i], d);
		snprintf(buf, sizeof buf, "%s RF %ld->%ld", s->p->layers[i].name, old, c->layers[i].reuse);
		break;
	}
	default: {
		config donor;
		author_random_config(ctx, &donor);
		*t = *slot_type(&donor, slot);
		config_free(&donor);
		snprintf(buf, sizeof buf, "%s drawn", nm);
	}
	}
	if (buf[0]) {
		size_t len = strlen(note);
		snprintf(note + len, n - len, "%s%s", len && note[len - 1] != ' ' ? ", " : "", buf);
	}
}

/* ---- the pool ---- */

/* True (and remembered) if the id was not seen in the pool before. */
static bool pool_fresh(rstate *s, const char *id)
{
	uint64_t key = 0;
	for (int k = 0; k < 16; k++) {
		char ch = id[k];
		key = key << 4 | (uint64_t)(ch <= '9' ? ch - '0' : ch - 'a' + 10);
	}
	key |= 1; /* 0 marks an empty slot */
	size_t mask = s->setcap - 1;
	for (size_t h = (size_t)(key * 0x9e3779b97f4a7c15ULL >> 17) & mask;; h = (h + 1) & mask) {
		if (s->set[h] == key)
			return false;
		if (s->set[h] == 0) {
			s->set[h] = key;
			return true;
		}
	}
}

/* Adds c (taken) to the pool unless it was evaluated, is in the pool already, has numerics
 * csim failed on, or the pool's id set is full. */
static void pool_add(rstate *s, config *c, const char *note, bool heur)
{
	strbuf b = {0};
	config_write_canonical(c, s->p, &b);
	char id[CAND_ID_LEN + 1];
	cand_id_of(b.s, b.len, true, id);
	sb_free(&b);
	uint64_t sig = numerics_sig(c);
	const measured *m = measured_find(s, sig);
	if ((size_t)s->npool * 2 >= s->setcap || (s->ctx->h && history_has(s->ctx->h, id)) ||
	    (m && m->failed) ||
	    !pool_fresh(s, id)) {
		config_free(c);
		return;
	}
	if (s->npool == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->pool = xreallocarray(s->pool, (size_t)s->cap, sizeof *s->pool);
	}
	pcand *x = &s->pool[s->npool];
	memset(x, 0, sizeof *x);
	x->c = *c;
	x->sig = sig;
	x->heur = heur;
	x->seq = s->npool++;
	snprintf(x->note, sizeof x->note, "%s", note);
}

/* The heuristic's moves from the same history (its neighbourhood of the best records), from
 * a private run whose generator is seeded from ctx->rng. */
static void pool_heuristic(rstate *s, long n)
{
	author_ctx *ctx = s->ctx;
	author_ctx hc = {.p = ctx->p, .h = ctx->h, .round = ctx->round, .want = n};
	rng_seed(&hc.rng, rng_u64(&ctx->rng), (uint64_t)ctx->round);
	author_heuristic(&hc);
	for (int k = 0; k < hc.out.n; k++) {
		const candidate *k_c = &hc.out.c[k];
		config c;
		berr e;
		if (!k_c->valid ||
		    config_parse("heuristic", k_c->config, strlen(k_c->config), s->p, &c, &e) != 0)
			continue;
		pool_add(s, &c, k_c->origin, true);
	}
	cands_free(&hc.out);
}

/* A parent: the best with even odds, else one of the best RF_PARENTS. */
static int pick_parent(rstate *s)
{
	rng *g = &s->ctx->rng;
	return rng_below(g, 2) ? 0 : (int)rng_below(g, (uint64_t)s->npar);
}

/* n mutations of the best records: 1 to RF_EDITS edits each. */
static void pool_mutations(rstate *s, long n)
{
	for (long t = 0; t < n && s->npar > 0; t++) {
		int k = pick_parent(s);
		config c;
		cfg_copy(&c, &s->par[k].c);
		char note[NOTE_LEN];
		snprintf(note, sizeof note, "mutate #%d (%.4f): ", k + 1, s->par[k].r->reward);
		int edits = 1 + (int)rng_below(&s->ctx->rng, RF_EDITS);
		for (int j = 0; j < edits; j++)
			edit(s, &c, note, sizeof note);
		pool_add(s, &c, note, false);
	}
}

/* n crossovers of two of the best records: the input type and each layer's settings from
 * either, at even odds. */
static void pool_crossovers(rstate *s, long n)
{
	rng *g = &s->ctx->rng;
	for (long t = 0; t < n && s->npar > 1; t++) {
		int a = pick_parent(s), b = (int)rng_below(g, (uint64_t)s->npar);
		if (a == b)
			continue;
		config c;
		cfg_copy(&c, &s->par[a].c);
		const config *o = &s->par[b].c;
		if (rng_below(g, 2))
			c.input = o->input;
		for (int i = 0; i < c.n_layers; i++)
			if (rng_below(g, 2))
				c.layers[i] = o->layers[i];
		char note[NOTE_LEN];
		snprintf(note, sizeof note, "cross #%d x #%d", a + 1, b + 1);
		pool_add(s, &c, note, false);
	}
}

static void pool_random(rstate *s, long n)
{
	for (long t = 0; t < n; t++) {
		config c;
		author_random_config(s->ctx, &c);
		pool_add(s, &c, "random draw", false);
	}
}

/* ---- learning ---- */

/* qsort order of parents: reward (best first), then the earlier record. */
static int cmp_parent(const void *a, const void *b)
{
	const parent *x = a, *y = b;
	if (x->r->reward != y->r->reward)
		return x->r->reward > y->r->reward ? -1 : 1;
	return (x->order > y->order) - (x->order < y->order);
}

/* The measured value of correction k of r (NaN if the record lacks it). */
static double measured_of(const record *r, int k)
{
	const double v[NCORR] = {r->lut, r->ff, r->dsp, r->bram18, r->latency_ns};
	return v[k];
}

static double estimated_of(const estimate *est, int k)
{
	const double v[NCORR] = {(double)est->total.lut, (double)est->total.ff, (double)est->total.dsp,
				 (double)est->total.bram18, est->latency_ns};
	return v[k];
}

/* Reads the history: the measured numerics, the parents, and the training rows; fits the
 * forests. */
static void learn(rstate *s)
{
	const history *h = s->ctx->h;
	const project *p = s->p;
	int nr = h ? h->n : 0;
	double *x = xcalloc((size_t)(nr > 0 ? nr : 1) * (size_t)s->nf, sizeof *x);
	double *y = xcalloc((size_t)(nr > 0 ? nr : 1), sizeof *y);
	double *cx = xcalloc((size_t)(nr > 0 ? nr : 1) * (size_t)s->nf, sizeof *cx);
	double *cy[NCORR];
	for (int k = 0; k < NCORR; k++)
		cy[k] = xcalloc((size_t)(nr > 0 ? nr : 1), sizeof *cy[k]);
	int ncorr = 0;
	s->par = xcalloc((size_t)(nr > 0 ? nr : 1), sizeof *s->par);
	s->best = 0;
	for (int k = 0; k < nr; k++) {
		const record *r = &h->r[k];
		if (r->reward > s->best)
			s->best = r->reward;
		if (!r->valid || !r->config)
			continue;
		bool dup = false;
		for (int j = 0; j < k && !dup; j++)
			dup = strcmp(h->r[j].id, r->id) == 0;
		config c;
		berr e;
		if (dup || config_parse("record", r->config, strlen(r->config), p, &c, &e) != 0)
			continue;
		uint64_t sig = numerics_sig(&c);
		bool csim_failed = r->tier == TIER_FAILED && r->failed_step &&
				   strcmp(r->failed_step, "csim") == 0;
		bool has_err = r->tier != TIER_FAILED || (r->failed_step && !csim_failed &&
							  isfinite(r->max_err));
		estimate est;
		bool est_ok = has_err && estimate_run(p, &c, &est, &e) == 0;
		if (csim_failed)
			measured_add(s, sig, NAN, true);
		if (est_ok) {
			measured_add(s, sig, r->max_err, false);
			feat_encode(p, &c, &est, x + (size_t)s->rows * (size_t)s->nf);
			y[s->rows++] = log_err(r->max_err);
			bool ok = r->fidelity && strcmp(r->fidelity, "estimate") != 0;
			for (int q = 0; q < NCORR && ok; q++)
				ok = isfinite(measured_of(r, q)) && measured_of(r, q) >= 0;
			if (ok) {
				memcpy(cx + (size_t)ncorr * (size_t)s->nf,
				       x + (size_t)(s->rows - 1) * (size_t)s->nf, (size_t)s->nf * sizeof *x);
				for (int q = 0; q < NCORR; q++)
					cy[q][ncorr] = feat_log2(measured_of(r, q) + 1) -
						       feat_log2(estimated_of(&est, q) + 1);
				ncorr++;
			}
			estimate_free(&est);
		}
		if (r->tier != TIER_FAILED)
			s->par[s->npar++] = (parent){.r = r, .c = c, .order = k};
		else
			config_free(&c);
	}
	qsort(s->par, (size_t)s->npar, sizeof *s->par, cmp_parent);
	while (s->npar > RF_PARENTS)
		config_free(&s->par[--s->npar].c);

	if (s->rows >= RF_MIN_ROWS) {
		/* accuracy: the numeric features only (RF and Strategy never change csim) */
		bool *use = xcalloc((size_t)s->nf, sizeof *use);
		for (int k = 0; k < s->nf; k++)
			use[k] = feat_group(p, k) == FEAT_NUMERIC;
		forest_fit(&s->acc, x, y, s->rows, s->nf, use, &forest_defaults, &s->ctx->rng);
		free(use);
	}
	if (ncorr >= RF_MIN_CORR) {
		for (int q = 0; q < NCORR; q++)
			forest_fit(&s->corr[q], cx, cy[q], ncorr, s->nf, NULL, &forest_defaults,
				   &s->ctx->rng);
		s->has_corr = true;
	}
	for (int k = 0; k < NCORR; k++)
		free(cy[k]);
	free(cx);
	free(x);
	free(y);
}

/* ---- scoring ---- */

/* Scores x: per tree its reward with that tree's max_err and the (corrected) estimate, then
 * the mean, the expected improvement over the best so far, and the chance of meeting
 * eps_max. Returns -1 if the estimate cannot run. */
static int score(rstate *s, pcand *x, double *feat)
{
	const project *p = s->p;
	estimate est;
	berr e;
	if (estimate_run(p, &x->c, &est, &e) != 0)
		return -1;
	feat_encode(p, &x->c, &est, feat);
	double v[NCORR];
	for (int q = 0; q < NCORR; q++)
		v[q] = estimated_of(&est, q);
	if (s->has_corr)
		for (int q = 0; q < NCORR; q++)
			v[q] = fmax(0, feat_exp2(feat_log2(v[q] + 1) + forest_mean(&s->corr[q], feat)) - 1);
	estimate_free(&est);
	reward_input in = {.built = true, .lut = v[C_LUT], .ff = v[C_FF], .dsp = v[C_DSP],
			   .bram18 = v[C_BRAM], .latency_ns = v[C_LAT]};
	const measured *m = measured_find(s, x->sig);
	x->exact = m != NULL;
	int nt = x->exact ? 1 : s->acc.n_trees;
	double sum = 0, gain = 0, meet = 0, lsum = 0;
	for (int t = 0; t < nt; t++) {
		double le = x->exact ? log_err(m->max_err) : forest_tree(&s->acc, t, feat);
		in.max_err = x->exact ? m->max_err : feat_exp2(le);
		reward_output out;
		reward_eval(&in, &p->part, p->clock_ns, p->eps_max, &p->reward, s->macs, &out);
		sum += out.reward;
		gain += out.reward > s->best ? out.reward - s->best : 0;
		meet += in.max_err <= p->eps_max;
		lsum += le;
	}
	x->mean = sum / nt;
	x->ei = gain / nt;
	x->pmeet = meet / nt;
	x->err = x->exact ? m->max_err : feat_exp2(lsum / nt);
	return 0;
}

/* qsort order of the pool: first the candidates predicted to improve on the best, by
 * expected improvement, then expected reward (highest first); then, where the model sees no
 * improvement, the heuristic's moves in its own order, then the rest by expected reward. */
static int cmp_pcand(const void *a, const void *b)
{
	const pcand *x = a, *y = b;
	bool gx = x->ei > EI_MIN, gy = y->ei > EI_MIN;
	if (gx != gy)
		return gx ? -1 : 1;
	if (gx && x->ei != y->ei)
		return x->ei > y->ei ? -1 : 1;
	if (!gx && x->heur != y->heur)
		return x->heur ? -1 : 1;
	if ((gx || !x->heur) && x->mean != y->mean)
		return x->mean > y->mean ? -1 : 1;
	return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Offers the pool in order: first one candidate per numerics (configs with the same types
 * share one csim result, so a second one teaches nothing about accuracy), then the rest. */
static void offer_pool(rstate *s)
{
	author_ctx *ctx = s->ctx;
	uint64_t *used = xcalloc((size_t)(s->npool > 0 ? s->npool : 1), sizeof *used);
	bool *done = xcalloc((size_t)(s->npool > 0 ? s->npool : 1), sizeof *done);
	int nused = 0;
	for (int pass = 0; pass < 2; pass++)
		for (int k = 0; k < s->npool && !author_full(ctx); k++) {
			pcand *x = &s->pool[k];
			bool seen = false;
			for (int j = 0; j < nused && !seen; j++)
				seen = used[j] == x->sig;
			if (done[k] || (pass == 0 && seen))
				continue;
			strbuf why = {0};
			sb_printf(&why, "rf: EI %.4g, E[reward] %.4f, P(max_err<=eps) %.2f, max_err %s%.3g | %s",
				  x->ei > EI_MIN ? x->ei : 0, x->mean, x->pmeet, x->exact ? "" : "~", x->err,
				  x->note);
			done[k] = true;
			if (author_offer(ctx, &x->c, why.s) && !seen)
				used[nused++] = x->sig;
			sb_free(&why);
		}
	free(used);
	free(done);
}

/* No model yet: the default, then random draws. */
static void no_model(author_ctx *ctx)
{
	config d;
	config_default(ctx->p, &d);
	author_offer(ctx, &d, "rf: default start");
	config_free(&d);
	char why[80];
	for (long k = 0; !author_full(ctx) && k < 100 * ctx->want; k++) {
		config c;
		author_random_config(ctx, &c);
		snprintf(why, sizeof why, "rf: random draw %ld (too few results to learn from)", k + 1);
		author_offer(ctx, &c, why);
		config_free(&c);
	}
}

void author_rf(author_ctx *ctx, long pool)
{
	const project *p = ctx->p;
	if (pool <= 0)
		pool = AUTHOR_RF_POOL;
	pool = pool < RF_POOL_MIN ? RF_POOL_MIN : pool > RF_POOL_MAX ? RF_POOL_MAX : pool;
	if (p->n_layers < 1 || ctx->round == 0) {
		no_model(ctx);
		return;
	}
	rstate s = {.ctx = ctx, .p = p, .nf = feat_count(p), .macs = project_macs(p)};
	learn(&s);
	if (s.rows < RF_MIN_ROWS) {
		no_model(ctx);
	} else {
		s.setcap = 1;
		while (s.setcap < 4 * (size_t)pool)
			s.setcap *= 2;
		s.set = xcalloc(s.setcap, sizeof *s.set);
		long nh = pool / 8 < ctx->want ? ctx->want : pool / 8;
		pool_heuristic(&s, nh < RF_HEUR_MAX ? nh : RF_HEUR_MAX);
		pool_mutations(&s, pool / 2);
		pool_crossovers(&s, pool / 8);
		pool_random(&s, pool - s.npool);
		double *feat = xcalloc((size_t)s.nf, sizeof *feat);
		int n = 0;
		for (int k = 0; k < s.npool; k++) {
			if (score(&s, &s.pool[k], feat) == 0)
				s.pool[n++] = s.pool[k];
			else
				config_free(&s.pool[k].c);
		}
		s.npool = n;
		free(feat);
		qsort(s.pool, (size_t)s.npool, sizeof *s.pool, cmp_pcand);
		offer_pool(&s);
	}
	for (int k = 0; k < s.npool; k++)
		config_free(&s.pool[k].c);
	free(s.pool);
	free(s.set);
	for (int k = 0; k < s.npar; k++)
		config_free(&s.par[k].c);
	free(s.par);
	free(s.ms);
	forest_free(&s.acc);
	for (int q = 0; q < NCORR; q++)
		forest_free(&s.corr[q]);
}
