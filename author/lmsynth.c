/* lmsynth.c - synthetic tasks, the error proxy and the teacher for pretraining (lmsynth.h). */
#include "author/lmsynth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "author/author.h"
#include "gen/estimate.h"
#include "gen/reward.h"

enum {
	TEACH_ITERS = 60,   /* greedy steps of the teacher */
	LOCAL_ITERS = 8,    /* greedy steps of a label that improves on the prompt's best */
	TEACH_TOP = 3,      /* distinct best configs a completion is drawn from */
	MAX_FEEDBACK = 4,   /* feedback entries in a synthetic prompt (0..4) */
};

static double unif(rng *r, double lo, double hi) { return lo + (hi - lo) * rng_unit(r); }
static double logu(rng *r, double lo, double hi) { return exp(unif(r, log(lo), log(hi))); }

void lms_task_draw(rng *r, lms_task *t)
{
	memset(t, 0, sizeof *t);
	project *p = &t->p;
	snprintf(p->name, sizeof p->name, "synthetic");
	p->has = HAS_BLOCK | HAS_PART | HAS_CLOCK | HAS_EPS | HAS_REWARD | HAS_SEARCH;
	p->n_layers = 1 + (int)rng_below(r, 4);
	p->layers = xcalloc((size_t)p->n_layers, sizeof *p->layers);
	int dim = (int)lround(logu(r, 4, 512));
	for (int l = 0; l < p->n_layers; l++) {
		layer *ly = &p->layers[l];
		snprintf(ly->name, sizeof ly->name, "fc%d", l + 1);
		ly->n_in = dim;
		ly->n_out = dim = (int)lround(logu(r, 4, 512));
		ly->act = l + 1 < p->n_layers ? ACT_RELU : ACT_LINEAR;
		ly->bias = rng_below(r, 10) != 0;
	}
	part *pt = &p->part;
	snprintf(pt->name, sizeof pt->name, "synthetic");
	snprintf(pt->device, sizeof pt->device, "synthetic");
	bool e2 = rng_below(r, 3) == 0;
	snprintf(pt->family, sizeof pt->family, "%s", e2 ? "xcup" : "xc7");
	pt->lut = lround(logu(r, 1e4, 1.3e6));
	pt->ff = 2 * pt->lut;
	pt->dsp = lround((double)pt->lut / unif(r, 120, 300));
	pt->bram18 = lround((double)pt->lut / unif(r, 90, 330));
	pt->lutram_bits = pt->lut * 20;
	pt->dsp_a = e2 ? 27 : 25;
	pt->dsp_b = 18;
	/* one part in three has external memory, so streamed WeightFormats are possible: DDR4
	 * (one channel) or HBM (32 pseudo-channels) */
	snprintf(pt->mem_kind, sizeof pt->mem_kind, "none");
	pt->mem_channels = 1;
	if (rng_below(r, 3) == 0) {
		bool hbm = rng_below(r, 2) == 0;
		snprintf(pt->mem_kind, sizeof pt->mem_kind, "%s", hbm ? "hbm" : "ddr4");
		pt->mem_gbps = hbm ? logu(r, 200, 460) : logu(r, 10, 40);
		pt->mem_gib = hbm ? 16 : 4;
		pt->mem_channels = hbm ? 32 : 1;
	}
	p->clock_ns = logu(r, 2, 10);
	p->eps_max = logu(r, 0.002, 0.2);
	reward_spec *w = &p->reward;
	w->w_latency = 0.05 * lround(unif(r, 0.5, 1.5) / 0.05);
	w->w_lut = 0.05 * lround(unif(r, 0, 0.5) / 0.05);
	w->w_ff = 0.05 * lround(unif(r, 0, 0.3) / 0.05);
	w->w_dsp = 0.05 * lround(unif(r, 0, 0.5) / 0.05);
	w->w_bram = 0.05 * lround(unif(r, 0, 0.5) / 0.05);
	p->search.per_round = 8;
	p->search.rounds = 4;
	t->err_scale = logu(r, 0.125, 8);
	t->mag_scale = logu(r, 0.5, 4);
}

void lms_task_free(lms_task *t)
{
	free(t->p.layers);
	t->p.layers = NULL;
}

/* ---- the error proxy ---- */

static double step_of(const fx_type *t) { return ldexp(1, -(t->w - t->i)); }

static bool trn_family(const fx_type *t) { return t->q == FX_TRN || t->q == FX_TRN_ZERO; }

/* RMS of the rounding error of one assignment (truncation carries its mean too). */
static double qrms(const fx_type *t) { return step_of(t) * (trn_family(t) ? 0.577 : 0.289); }

/* The error when values of magnitude up to M (negative ones too if neg) meet t's range. */
static double ovf(const fx_type *t, double M, bool neg)
{
	double hi = t->sign ? ldexp(1, t->i - 1) : ldexp(1, t->i);
	bool sat = t->o == FX_SAT || t->o == FX_SAT_SYM, zero = t->o == FX_SAT_ZERO;
	double e = 0;
	/* a wrapped value lands anywhere in the range: up to M + hi away */
	if (neg && !t->sign)
		e = sat || zero ? M : M + hi;
	if (M > hi) {
		double o = sat ? M - hi : zero ? M : M + hi;
		if (o > e)
			e = o;
	}
	return e;
}

double lms_proxy_err(const lms_task *t, const config *c)
{
	const project *p = &t->p;
	const double K = 4.0; /* max over the calibration vectors, in RMS units */
	double xr = t->mag_scale;
	double er = fmin(qrms(&c->input), xr), eo = ovf(&c->input, K * xr, true);
	int in_frac = fx_frac(&c->input);
	for (int l = 0; l < p->n_layers && l < c->n_layers; l++) {
		const layer *ly = &p->layers[l];
		const layer_cfg *lc = &c->layers[l];
		double n = ly->n_in, sw = 1 / sqrt(n);
		double Mw = sw * sqrt(2 * log(n * ly->n_out + 2));
		double sb = ly->bias ? sw : 0;
		double pr = sqrt(xr * xr + sb * sb);
		double ew = fmin(qrms(&lc->weight), sw) + ovf(&lc->weight, Mw, true);
		if (lc->wfmt != WF_ROM) {
			/* streamed (kernels/gemv.h): int8 weights per output row or INT4 per group
			 * (the weight type is unused), and the input cast to int8 per vector */
			int grp = config_wfmt_group(lc->wfmt);
			double Mg = sw * sqrt(2 * log((grp ? grp : n) + 2.0));
			ew = 0.289 * Mg / (grp ? 7.0 : 127.0);
			double ea = 0.289 * K * xr / 127;
			er = sqrt(er * er + ea * ea);
		}
		double noise = er * er + n * xr * xr * ew * ew;
		if (ly->bias) {
			double eb = fmin(qrms(&lc->bias), sb) + ovf(&lc->bias, 3.5 * sb, true);
			noise += eb * eb;
		}
		int prod_frac = in_frac + fx_frac(&lc->weight);
		if (fx_frac(&lc->accum) < prod_frac) {
			double sa = step_of(&lc->accum);
			noise += n * qrms(&lc->accum) * qrms(&lc->accum);
			if (trn_family(&lc->accum))
				noise += (n * sa / 2) * (n * sa / 2) / 4;
		}
		int acc_frac = fx_frac(&lc->accum) < prod_frac ? fx_frac(&lc->accum) : prod_frac;
		if (fx_frac(&lc->result) < acc_frac)
			noise += qrms(&lc->result) * qrms(&lc->result);
		bool relu = ly->act == ACT_RELU;
		bool rsat = lc->result.o != FX_WRAP && lc->result.o != FX_WRAP_SM;
		eo = eo * 1.5 + ovf(&lc->accum, 1.2 * K * pr, true) +
		     ovf(&lc->result, K * pr, !(relu && rsat));
		er = sqrt(noise);
		xr = pr;
		if (relu) {
			xr = pr / sqrt(2);
			er *= 0.75;
		}
		in_frac = fx_frac(&lc->result);
	}
	return t->err_scale * 3.5 * er + eo;
}

double lms_eval(const lms_task *t, const config *c, ll_entry *out)
{
	memset(out, 0, sizeof *out);
	estimate est;
	berr e;
	if (estimate_run(&t->p, c, &est, &e) != 0) {
		out->tier = TIER_FAILED;
		return 0;
	}
	reward_input in = {.built = true, .max_err = lms_proxy_err(t, c),
			   .lut = (double)est.total.lut, .ff = (double)est.total.ff,
			   .dsp = (double)est.total.dsp, .bram18 = (double)est.total.bram18,
			   .latency_ns = est.latency_ns};
	reward_output ro;
	reward_eval(&in, &t->p.part, t->p.clock_ns, t->p.eps_max, &t->p.reward,
		    project_macs(&t->p), &ro);
	out->tier = ro.tier;
	out->reward = ro.reward;
	out->max_err = in.max_err;
	out->dsp = in.dsp;
	out->lut = in.lut;
	out->latency_cycles = (double)est.total.latency;
	estimate_free(&est);
	return ro.reward;
}

/* ---- the teacher ---- */

static void config_copy(config *dst, const config *src)
{
	*dst = *src;
	dst->layers = xcalloc((size_t)(src->n_layers > 0 ? src->n_layers : 1), sizeof *dst->layers);
	memcpy(dst->layers, src->layers, (size_t)src->n_layers * sizeof *src->layers);
}

/* The next ReuseFactor hls4ml accepts above (up) or below rf, about a factor 2 away. */
static long rf_step(const layer *ly, long rf, bool up)
{
	long n = (long)ly->n_in * ly->n_out, want = up ? rf * 2 : rf / 2, lo, hi;
	if (want < 1)
		want = 1;
	if (want > n)
		want = n;
	if (hls4ml_rf_valid(ly->n_in, ly->n_out, want, &lo, &hi))
		return want;
	long r = up ? (hi ? hi : lo) : (lo ? lo : hi);
	return r ? r : want;
}

static bool type_ok(const fx_type *t)
{
	return t->w >= 2 && t->w <= 40 && t->i >= -8 && t->i <= 40 && fx_valid(t);
}

enum { MOVES_LAYER = 4 }; /* RF up, RF down, Strategy, WeightFormat */

/* Applies move m (0..) to c; false if m does not apply. Per type 8 moves, per layer 4. */
static bool apply_move(const project *p, config *c, int m)
{
	int ntypes = 1 + 4 * c->n_layers;
	if (m < 8 * ntypes) {
		int k = m / 8, mv = m % 8;
		fx_type *t;
		if (k == 0)
			t = &c->input;
		else {
			layer_cfg *lc = &c->layers[(k - 1) / 4];
			fx_type *ts[] = {&lc->weight, &lc->bias, &lc->accum, &lc->result};
			t = ts[(k - 1) % 4];
			if ((k - 1) % 4 == 1 && !p->layers[(k - 1) / 4].bias)
				return false;
		}
		fx_type o = *t;
		switch (mv) {
		case 0: t->w += 1; break;                    /* one more fractional bit */
		case 1: t->w -= 1; break;                    /* one fewer */
		case 2: t->w += 1; t->i += 1; break;         /* one more integer bit */
		case 3: t->w -= 1; t->i -= 1; break;         /* one fewer */
		case 4: t->w -= 2; break;                    /* two fewer fractional bits */
		case 5: t->q = t->q == FX_RND ? FX_TRN : FX_RND; break;
		case 6: t->o = t->o == FX_SAT ? FX_WRAP : FX_SAT; break;
		case 7:
			if (k == 0 || (k - 1) % 4 != 3 || p->layers[(k - 1) / 4].act != ACT_RELU)
				return false;
			t->sign = !t->sign;
			if (!t->sign && t->o == FX_WRAP_SM)
				t->o = FX_WRAP;
			break;
		}
		if (!type_ok(t)) {
			*t = o;
			return false;
		}
		return true;
	}
	m -= 8 * ntypes;
	if (m >= MOVES_LAYER * c->n_layers)
		return false;
	layer_cfg *lc = &c->layers[m / MOVES_LAYER];
	const layer *ly = &p->layers[m / MOVES_LAYER];
	long rf = lc->reuse;
	switch (m % MOVES_LAYER) {
	case 0: lc->reuse = rf_step(ly, rf, true); break;
	case 1: lc->reuse = rf_step(ly, rf, false); break;
	case 3: /* the next WeightFormat the layer can use (streamed ones need memory) */
		if (!(p->part.mem_gbps > 0))
			return false;
		for (int k = 1; k < WF_COUNT; k++) {
			weight_format f = (weight_format)((lc->wfmt + k) % WF_COUNT);
			berr fe;
			if (config_wfmt_fits(f, ly->n_in, ly->n_out, &fe) == 0) {
				lc->wfmt = f;
				return true;
			}
		}
		return false;
	case 2:
		lc->strategy = lc->strategy == HLS_LATENCY ? HLS_RESOURCE : HLS_LATENCY;
		if (lc->strategy == HLS_RESOURCE) {
			long lo, hi;
			if (!hls4ml_rf_valid(ly->n_in, ly->n_out, lc->reuse, &lo, &hi))
				lc->reuse = lo ? lo : hi;
		}
		return true;
	}
	return lc->reuse != rf;
}

typedef struct {
	config *path;    /* the configs the greedy walk went through, start first */
	double *path_r;
	int npath;
	config top[TEACH_TOP];
	double top_r[TEACH_TOP];
	int ntop;
} teacher;

static void top_add(teacher *T, const config *c, double r)
{
	for (int i = 0; i < T->ntop; i++)
		if (config_equal(&T->top[i], c))
			return;
	int at = T->ntop;
	while (at > 0 && T->top_r[at - 1] < r)
		at--;
	if (at >= TEACH_TOP)
		return;
	if (T->ntop == TEACH_TOP)
		config_free(&T->top[--T->ntop]);
	memmove(&T->top[at + 1], &T->top[at], (size_t)(T->ntop - at) * sizeof T->top[0]);
	memmove(&T->top_r[at + 1], &T->top_r[at], (size_t)(T->ntop - at) * sizeof T->top_r[0]);
	config_copy(&T->top[at], c);
	T->top_r[at] = r;
	T->ntop++;
}

/* Greedy best-improvement from cur (changed in place) for at most iters steps on t's
 * reward (r: cur's); every config evaluated goes into T's top list and every step onto its
 * path (if T->path). Returns the final reward. */
static double greedy(const lms_task *t, config *cur, double r, int iters, teacher *T)
{
	ll_entry en;
	int nmoves = 8 * (1 + 4 * cur->n_layers) + MOVES_LAYER * cur->n_layers;
	for (int it = 0; it < iters; it++) {
		int best = -1;
		double best_r = r + 1e-9;
		for (int m = 0; m < nmoves; m++) {
			config nb;
			config_copy(&nb, cur);
			if (apply_move(&t->p, &nb, m)) {
				double x = lms_eval(t, &nb, &en);
				top_add(T, &nb, x);
				if (x > best_r) {
					best_r = x;
					best = m;
				}
			}
			config_free(&nb);
		}
		if (best < 0)
			break;
		apply_move(&t->p, cur, best);
		r = best_r;
		if (T->path) {
			config_copy(&T->path[T->npath], cur);
			T->path_r[T->npath++] = r;
		}
	}
	return r;
}

static void teach(const lms_task *t, teacher *T)
{
	memset(T, 0, sizeof *T);
	config cur;
	config_default(&t->p, &cur);
	ll_entry en;
	double r = lms_eval(t, &cur, &en);
	T->path = xcalloc(TEACH_ITERS + 1, sizeof *T->path);
	T->path_r = xcalloc(TEACH_ITERS + 1, sizeof *T->path_r);
	config_copy(&T->path[0], &cur);
	T->path_r[T->npath++] = r;
	top_add(T, &cur, r);
	greedy(t, &cur, r, TEACH_ITERS, T);
	config_free(&cur);
}

static void teacher_free(teacher *T)
{
	for (int i = 0; i < T->npath; i++)
		config_free(&T->path[i]);
	for (int i = 0; i < T->ntop; i++)
		config_free(&T->top[i]);
	free(T->path);
	free(T->path_r);
}

/* An invalid completion's error, as the config parser words it: c with one width made 0 or
 * too wide. */
static char *invalid_error(rng *r, const lms_task *t, const config *c)
{
	ll_seq s = {0};
	config bad;
	config_copy(&bad, c);
	int l = (int)rng_below(r, (uint64_t)bad.n_layers);
	bad.layers[l].weight.w = rng_below(r, 2) ? 0 : 65 + (int)rng_below(r, 30);
	ll_encode_config(&bad, &s);
	strbuf y = {0};
	int ok;
	berr e;
	char *msg = NULL;
	if (ll_decode_config(s.v, s.n, &t->p, &y, &ok, &e) >= 0) {
		config x;
		if (config_parse("candidate", y.s, y.len, &t->p, &x, &e) == 0)
			config_free(&x);
		else
			msg = xstrdup(e.msg);
	}
	sb_free(&y);
	ll_free(&s);
	config_free(&bad);
	return msg;
}

/* One example from the teacher's result T. */
static int example(rng *r, const lms_task *t, const teacher *T_, int ctx, ll_seq *prompt,
		   ll_seq *completion, berr *e)
{
	const teacher T = *T_;
	int k = (int)rng_below(r, MAX_FEEDBACK + 1);
	config cf[MAX_FEEDBACK + 1];
	ll_entry ent[MAX_FEEDBACK + 1];
	int n = 0;
	char *fail_msg = NULL;
	if (k > 0 && rng_below(r, 4) == 0) {
		fail_msg = invalid_error(r, t, &T.path[0]);
		if (fail_msg) {
			cf[n].layers = NULL;
			ent[n] = (ll_entry){.c = NULL, .tier = TIER_FAILED, .error = fail_msg};
			n++;
			k--;
		}
	}
	int nfail = n;
	author_ctx actx = {.p = &t->p, .rng = *r};
	for (int i = 0; i < k; i++) {
		if (rng_below(r, 2) && T.npath > 0)
			config_copy(&cf[n], &T.path[rng_below(r, (uint64_t)T.npath)]);
		else
			author_random_config(&actx, &cf[n]);
		lms_eval(t, &cf[n], &ent[n]);
		ent[n].c = &cf[n];
		if (ent[n].tier == TIER_FAILED) { /* the estimate refused it: leave it out */
			config_free(&cf[n]);
			continue;
		}
		n++;
	}
	*r = actx.rng; /* the random configs' draws continue the caller's stream */
	/* best last, as ll_prompt orders a history */
	for (int i = nfail; i < n; i++)
		for (int j = i + 1; j < n; j++)
			if (ent[j].reward < ent[i].reward) {
				ll_entry te = ent[i];
				ent[i] = ent[j];
				ent[j] = te;
			}
	int rc = ll_prompt_entries(&t->p, ent, n, ctx, prompt, e);
	/* Two times in three a prompt with feedback is answered by an improvement of its best
	 * entry: greedy steps from it on the task's true reward (hidden factors included), so
	 * the answer depends on what the feedback says (a design short of the accuracy bound
	 * widens, one over budget folds), as a sweep's author must; else the teacher's best. */
	if (rc == 0 && n > nfail && rng_below(r, 3) != 0) {
		teacher L = {0};
		config cur;
		config_copy(&cur, ent[n - 1].c);
		double r0 = ent[n - 1].reward;
		bool better = greedy(t, &cur, r0, LOCAL_ITERS, &L) > r0;
		if (better)
			ll_encode_config(&cur, completion);
		config_free(&cur);
		teacher_free(&L);
		if (better)
			goto done;
	}
	if (rc == 0) {
		int pick = 0;
		if (T.ntop > 1 && rng_below(r, 5) >= 3)
			pick = 1 + (int)rng_below(r, (uint64_t)(T.ntop - 1));
		ll_encode_config(&T.top[pick], completion);
	}
done:
	for (int i = nfail; i < n; i++)
		config_free((config *)ent[i].c);
	free(fail_msg);
	return rc;
}

int lms_examples(rng *r, const lms_task *t, int ctx, int n, ll_seq *prompts,
		 ll_seq *completions, berr *e)
{
	teacher T;
	teach(t, &T);
	int rc = 0;
	for (int i = 0; i < n && rc == 0; i++)
		rc = example(r, t, &T, ctx, &prompts[i], &completions[i], e);
	teacher_free(&T);
	return rc;
}
