/* test_rf.c - the rf author and its parts: the forest fits a known function and is the same
 * for the same seed; the feature encoder's layout; rf starts from the default, offers valid
 * configs, the same ones for the same seed, never the numerics csim failed on; learns the
 * synthesis/estimate ratio; and, on the toy project evaluated with the real csim, proposes
 * better configs than random and finds better designs in a sweep. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "author/author.h"
#include "author/features.h"
#include "author/forest.h"
#include "gen/estimate.h"
#include "gen/reward.h"
#include "kernels/csim.h"
#include "tests/unit/t.h"

enum { S_RANDOM, S_HEURISTIC, S_RF };
static const char *const sname[] = {"random", "heuristic", "rf"};

static project P;       /* the toy project, with its weights and calibration */
static bool have_p;
static long pool = 600; /* rf pool in the tests (AUTHOR_RF_POOL in sweeps) */

/* ---- the forest ---- */

static double target(const double *x)
{
	return 3 * x[0] + (x[1] > 0.5 ? 2 : 0) + sin(6 * x[2]);
}

/* n rows of 5 features in [0, 1): three matter, two are noise. */
static void draw_rows(rng *g, int n, double *x, double *y)
{
	for (int k = 0; k < n; k++) {
		for (int j = 0; j < 5; j++)
			x[k * 5 + j] = rng_unit(g);
		y[k] = target(&x[k * 5]);
	}
}

static void test_forest(void)
{
	enum { N = 400, M = 200 };
	static double x[N * 5], y[N], tx[M * 5], ty[M];
	rng g;
	rng_seed(&g, 7, 0);
	draw_rows(&g, N, x, y);
	draw_rows(&g, M, tx, ty);
	forest f, f2, f3;
	rng a, b, c;
	rng_seed(&a, 1, 0);
	rng_seed(&b, 1, 0);
	rng_seed(&c, 2, 0);
	CHECK(forest_fit(&f, x, y, N, 5, NULL, &forest_defaults, &a) == 0, "fit");
	forest_fit(&f2, x, y, N, 5, NULL, &forest_defaults, &b);
	forest_fit(&f3, x, y, N, 5, NULL, &forest_defaults, &c);
	double mean = 0, ss = 0, se = 0;
	for (int k = 0; k < M; k++)
		mean += ty[k] / M;
	int same = 0, differ = 0;
	for (int k = 0; k < M; k++) {
		double p = forest_mean(&f, &tx[k * 5]);
		ss += (ty[k] - mean) * (ty[k] - mean);
		se += (ty[k] - p) * (ty[k] - p);
		same += p == forest_mean(&f2, &tx[k * 5]);
		differ += p != forest_mean(&f3, &tx[k * 5]);
	}
	double r2 = 1 - se / ss;
	printf("forest: R^2 %.3f on held-out rows, %d nodes in %d trees\n", r2, f.n_nodes, f.n_trees);
	CHECK(r2 > 0.9, "R^2 %.3f", r2);
	CHECK(same == M, "same seed, same forest: %d of %d predictions equal", same, M);
	CHECK(differ > M / 2, "another seed, another forest: %d of %d differ", differ, M);
	/* the trees differ (bootstrap, feature subsets) */
	int spread = 0;
	for (int k = 0; k < M; k++)
		spread += forest_tree(&f, 0, &tx[k * 5]) != forest_tree(&f, 1, &tx[k * 5]);
	CHECK(spread > M / 4, "trees 0 and 1 differ on %d rows", spread);
	forest_free(&f2);
	forest_free(&f3);

	/* features masked out are never split on */
	bool use[5] = {false, true, true, true, true};
	forest_fit(&f2, x, y, N, 5, use, &forest_defaults, &a);
	int moved = 0;
	for (int k = 0; k < M; k++) {
		double r[5];
		memcpy(r, &tx[k * 5], sizeof r);
		double p0 = forest_mean(&f2, r);
		r[0] = 1 - r[0];
		moved += forest_mean(&f2, r) != p0;
	}
	CHECK(moved == 0, "masked feature changed %d predictions", moved);
	int on0 = 0;
	for (int i = 0; i < f2.n_nodes; i++)
		on0 += f2.node[i].feat == 0;
	CHECK(on0 == 0, "%d nodes split on the masked feature", on0);
	forest_free(&f2);
	forest_free(&f);

	/* a constant target; one row; depth 0 is the mean */
	double cy[N];
	for (int k = 0; k < N; k++)
		cy[k] = 1.5;
	forest_fit(&f, x, cy, N, 5, NULL, &forest_defaults, &a);
	CHECK(forest_mean(&f, tx) == 1.5 && f.n_nodes == f.n_trees, "constant: %g, %d nodes",
	      forest_mean(&f, tx), f.n_nodes);
	forest_free(&f);
	forest_fit(&f, x, y, 1, 5, NULL, &forest_defaults, &a);
	CHECK(fabs(forest_mean(&f, tx) - y[0]) < 1e-12, "one row: its target");
	forest_free(&f);
	CHECK(forest_fit(&f, x, y, 0, 5, NULL, &forest_defaults, &a) == -1 && forest_mean(&f, tx) == 0,
	      "no rows: an error, predictions 0");
	forest_free(&f);
	forest_params stump = forest_defaults;
	stump.max_depth = 0;
	forest_fit(&f, x, y, N, 5, NULL, &stump, &a);
	CHECK(f.n_nodes == f.n_trees, "depth 0: one leaf per tree");
	forest_free(&f);
}

/* ---- features ---- */

static void test_features(void)
{
	int n = feat_count(&P);
	CHECK(n == 6 + 2 * 26 + 8 + 5, "toy: %d features", n);
	char a[96], b[96];
	int dup = 0, impl = 0, est = 0;
	for (int i = 0; i < n; i++) {
		feat_name(&P, i, a, sizeof a);
		for (int j = 0; j < i; j++)
			dup += strcmp(a, feat_name(&P, j, b, sizeof b)) == 0;
		impl += feat_group(&P, i) == FEAT_IMPL;
		est += feat_group(&P, i) == FEAT_ESTIMATE;
	}
	CHECK(dup == 0, "%d duplicate names", dup);
	CHECK(impl == 4 && est == 5, "%d RF/Strategy and %d estimate features", impl, est);
	CHECK(strcmp(feat_name(&P, 6 + 2, a, sizeof a), "fc1.weight.F") == 0, "name: %s", a);
	CHECK(strcmp(feat_name(&P, n - 1, a, sizeof a), "est.latency") == 0, "name: %s", a);

	config c, d;
	config_default(&P, &c);
	config_default(&P, &d);
	d.layers[0].reuse = 8;
	d.layers[1].strategy = HLS_RESOURCE;
	estimate ec, ed;
	berr e;
	CHECK(estimate_run(&P, &c, &ec, &e) == 0 && estimate_run(&P, &d, &ed, &e) == 0, "%s", e.msg);
	double *x = xcalloc((size_t)n, sizeof *x), *y = xcalloc((size_t)n, sizeof *y);
	feat_encode(&P, &c, &ec, x);
	feat_encode(&P, &d, &ed, y);
	int numeric_moved = 0, impl_moved = 0;
	for (int i = 0; i < n; i++) {
		numeric_moved += feat_group(&P, i) == FEAT_NUMERIC && x[i] != y[i];
		impl_moved += feat_group(&P, i) == FEAT_IMPL && x[i] != y[i];
	}
	CHECK(numeric_moved == 0 && impl_moved == 2, "RF/Strategy change: %d numeric, %d impl moved",
	      numeric_moved, impl_moved);
	CHECK(x[6] == 16 && x[7] == 6 && x[8] == 10, "input <16,6>: %g %g %g", x[6], x[7], x[8]);
	CHECK(x[n - 5] == (double)ec.total.dsp / 220, "est.dsp %g", x[n - 5]);
	/* the default's accumulators are exact: they drop nothing and cannot overflow */
	CHECK(x[6 + 2 * 26 + 3] <= 0 && x[6 + 2 * 26 + 4] >= 0, "drop %g, headroom %g",
	      x[6 + 2 * 26 + 3], x[6 + 2 * 26 + 4]);
	feat_encode(&P, &c, NULL, y);
	CHECK(y[n - 5] == 0 && y[n - 1] == 0, "no estimate: estimate features 0");
	free(x);
	free(y);
	estimate_free(&ec);
	estimate_free(&ed);
	config_free(&c);
	config_free(&d);
}

/* ---- evaluation, as burn csim + estimate + reward at estimate fidelity ---- */

static void evaluate(const project *p, const candidate *k, long round, record *r)
{
	memset(r, 0, sizeof *r);
	memcpy(r->id, k->id, sizeof r->id);
	r->round = round;
	r->origin = xstrdup(k->origin);
	r->valid = k->valid;
	r->config = xstrdup(k->config);
	r->fidelity = xstrdup("estimate");
	r->max_err = r->mean_err = NAN;
	config c;
	berr e;
	if (!k->valid || config_parse("c", k->config, strlen(k->config), p, &c, &e) != 0) {
		r->tier = TIER_FAILED;
		r->failed_step = xstrdup("csim");
		r->error = xstrdup(k->error ? k->error : "invalid");
		return;
	}
	csim_result cr;
	estimate est;
	if (csim_run(p, &c, &cr, &e) != 0) {
		r->tier = TIER_FAILED;
		r->failed_step = xstrdup("csim");
		r->error = xstrdup(e.msg);
		config_free(&c);
		return;
	}
	if (estimate_run(p, &c, &est, &e) != 0) {
		printf("estimate: %s\n", e.msg);
		exit(1);
	}
	reward_input in = {.built = true, .max_err = cr.max_err, .lut = (double)est.total.lut,
			   .ff = (double)est.total.ff, .dsp = (double)est.total.dsp,
			   .bram18 = (double)est.total.bram18, .latency_ns = est.latency_ns};
	reward_output out;
	reward_eval(&in, &p->part, p->clock_ns, p->eps_max, &p->reward, project_macs(p), &out);
	r->tier = out.tier;
	r->reward = out.reward;
	r->max_err = cr.max_err;
	r->mean_err = cr.mean_err;
	r->lut = in.lut, r->ff = in.ff, r->dsp = in.dsp, r->bram18 = in.bram18;
	r->latency_ns = est.latency_ns;
	r->latency_cycles = (double)est.total.latency;
	r->n_layers = cr.n_layers;
	r->layer_err = xcalloc((size_t)cr.n_layers, sizeof *r->layer_err);
	for (int i = 0; i < cr.n_layers; i++)
		r->layer_err[i] = cr.layers[i].max_err;
	csim_free(&cr);
	estimate_free(&est);
	config_free(&c);
}

static void push_record(history *h, const record *r)
{
	h->r = xreallocarray(h->r, (size_t)h->n + 1, sizeof *h->r);
	h->r[h->n++] = *r;
	h->cap = h->n;
}

/* One round of a strategy as burn author runs it, topped up at random. */
static void author_round(const project *p, int st, long seed, long round, long want,
			 const history *h, cand_list *out)
{
	static const history empty;
	author_ctx ctx = {.p = p, .h = h ? h : &empty, .round = round, .want = want};
	rng_seed(&ctx.rng, (uint64_t)seed, (uint64_t)round);
	ctx.out.round = round;
	ctx.out.strategy = xstrdup(sname[st]);
	if (st == S_RF)
		author_rf(&ctx, pool);
	else if (st == S_HEURISTIC)
		author_heuristic(&ctx);
	else
		author_random(&ctx);
	for (int t = 0; !author_full(&ctx) && t < 100 * (int)want; t++) {
		config c;
		author_random_config(&ctx, &c);
		author_offer(&ctx, &c, "random: top-up");
		config_free(&c);
	}
	*out = ctx.out;
}

/* Runs a sweep of rounds x want; returns the best reward; best_at[r] after round r. */
static double sweep(int st, long seed, int rounds, long want, history *h, double *best_at)
{
	double best = 0;
	for (int r = 0; r < rounds; r++) {
		cand_list l;
		author_round(&P, st, seed, r, want, h, &l);
		for (int k = 0; k < l.n; k++) {
			record rec;
			evaluate(&P, &l.c[k], r, &rec);
			best = rec.reward > best ? rec.reward : best;
			push_record(h, &rec);
		}
		cands_free(&l);
		if (best_at)
			best_at[r] = best;
	}
	return best;
}

static bool same_lists(const cand_list *a, const cand_list *b)
{
	if (a->n != b->n)
		return false;
	for (int i = 0; i < a->n; i++)
		if (strcmp(a->c[i].id, b->c[i].id) != 0 || strcmp(a->c[i].origin, b->c[i].origin) != 0)
			return false;
	return true;
}

/* Every candidate parses, its types are in range, origins start with "rf:". */
static void check_valid(const cand_list *l)
{
	int bad = 0;
	for (int k = 0; k < l->n; k++) {
		config c;
		berr e;
		bool ok = l->c[k].valid && strncmp(l->c[k].origin, "rf:", 3) == 0 &&
			  config_parse("c", l->c[k].config, strlen(l->c[k].config), &P, &c, &e) == 0;
		if (ok) {
			for (int i = 0; i < c.n_layers; i++)
				ok = ok && c.layers[i].reuse >= 1 &&
				     c.layers[i].reuse <= (long)P.layers[i].n_in * P.layers[i].n_out &&
				     c.layers[i].weight.w >= 1 && c.layers[i].accum.w <= 64;
			config_free(&c);
		}
		if (!ok && bad++ < 3)
			printf("bad candidate %d (%s)\n", k, l->c[k].origin);
	}
	CHECK(bad == 0, "%d of %d candidates bad", bad, l->n);
}

static void test_round0(void)
{
	cand_list a, b;
	author_round(&P, S_RF, 1, 0, 8, NULL, &a);
	config d;
	config_default(&P, &d);
	strbuf t = {0};
	config_write_canonical(&d, &P, &t);
	CHECK(a.n == 8 && strcmp(a.c[0].config, t.s) == 0, "round 0 starts with the default");
	check_valid(&a);
	author_round(&P, S_RF, 1, 0, 8, NULL, &b);
	CHECK(same_lists(&a, &b), "round 0: same seed, same offers");
	cands_free(&b);
	author_round(&P, S_RF, 2, 0, 8, NULL, &b);
	CHECK(!same_lists(&a, &b), "round 0: another seed, other random draws");
	cands_free(&b);
	cands_free(&a);
	sb_free(&t);
	config_free(&d);
}

static void test_later_rounds(void)
{
	history h = {0};
	sweep(S_RANDOM, 3, 3, 8, &h, NULL);
	cand_list a, b;
	author_round(&P, S_RF, 1, 3, 8, &h, &a);
	CHECK(a.n == 8, "%d candidates", a.n);
	check_valid(&a);
	int model = 0;
	for (int k = 0; k < a.n; k++) {
		model += strstr(a.c[k].origin, "E[reward]") != NULL;
		CHECK(!history_has(&h, a.c[k].id), "offer %d was evaluated before", k);
	}
	CHECK(model == a.n, "%d of %d offers chosen by the model", model, a.n);
	printf("rf round 3, first offer: %s\n", a.c[0].origin);
	author_round(&P, S_RF, 1, 3, 8, &h, &b);
	CHECK(same_lists(&a, &b), "same history and seed, same offers");
	cands_free(&b);
	author_round(&P, S_RF, 9, 3, 8, &h, &b);
	CHECK(!same_lists(&a, &b), "another seed, other offers");
	cands_free(&b);
	cands_free(&a);

	/* csim failed on a config: nothing with its numerics is offered; a config that failed
	 * elsewhere (synthesis) blocks only itself */
	history h2 = {0};
	for (int k = 0; k < h.n; k++) {
		record r = h.r[k];
		r.origin = xstrdup(r.origin);
		r.config = xstrdup(r.config);
		r.fidelity = r.fidelity ? xstrdup(r.fidelity) : NULL;
		r.failed_step = r.failed_step ? xstrdup(r.failed_step) : NULL;
		r.error = r.error ? xstrdup(r.error) : NULL;
		r.layer_err = NULL;
		r.n_layers = 0;
		push_record(&h2, &r);
	}
	author_round(&P, S_RF, 1, 3, 8, &h2, &a);
	/* the first offer whose numerics are new (its max_err predicted, "~") */
	int j = 0;
	while (j < a.n - 1 && !strstr(a.c[j].origin, "max_err ~"))
		j++;
	CHECK(strstr(a.c[j].origin, "max_err ~") != NULL, "an offer with new numerics");
	config c0;
	berr e;
	CHECK(config_parse("c", a.c[j].config, strlen(a.c[j].config), &P, &c0, &e) == 0, "%s", e.msg);
	record f = {0};
	memcpy(f.id, a.c[j].id, sizeof f.id);
	f.round = 3;
	f.valid = true;
	f.origin = xstrdup("test");
	f.config = xstrdup(a.c[j].config);
	f.tier = TIER_FAILED;
	f.max_err = NAN;
	f.failed_step = xstrdup("csim");
	f.error = xstrdup("csim: test failure");
	push_record(&h2, &f);
	cands_free(&a);
	author_round(&P, S_RF, 1, 4, 16, &h2, &a);
	int same_numerics = 0;
	for (int k = 0; k < a.n; k++) {
		config c;
		if (config_parse("c", a.c[k].config, strlen(a.c[k].config), &P, &c, &e) != 0)
			continue;
		bool same = memcmp(&c.input, &c0.input, sizeof c.input) == 0;
		for (int i = 0; i < c.n_layers; i++) {
			const layer_cfg *x = &c.layers[i], *y = &c0.layers[i];
			same = same && memcmp(&x->weight, &y->weight, sizeof x->weight) == 0 &&
			       memcmp(&x->bias, &y->bias, sizeof x->bias) == 0 &&
			       memcmp(&x->accum, &y->accum, sizeof x->accum) == 0 &&
			       memcmp(&x->result, &y->result, sizeof x->result) == 0;
		}
		same_numerics += same && strncmp(a.c[k].origin, "rf:", 3) == 0;
		config_free(&c);
	}
	CHECK(same_numerics == 0, "%d offers share the numerics csim failed on", same_numerics);
	cands_free(&a);
	config_free(&c0);
	history_free(&h2);
	history_free(&h);
}

/* Where the model sees no improvement (a strict bound that only the default came near), the
 * heuristic's moves come first. */
static void test_no_improvement(void)
{
	double eps = P.eps_max;
	P.eps_max = 0.005; /* the default's max_err is 0.018 */
	history h = {0};
	sweep(S_RF, 1, 1, 8, &h, NULL);
	cand_list a;
	author_round(&P, S_RF, 1, 1, 8, &h, &a);
	int heur = 0;
	for (int k = 0; k < 3 && k < a.n; k++)
		heur += strstr(a.c[k].origin, "EI 0,") && strstr(a.c[k].origin, "| heuristic:");
	CHECK(heur == 3, "the heuristic's moves first: %s", a.n ? a.c[0].origin : "");
	cands_free(&a);
	history_free(&h);
	P.eps_max = eps;
}

/* Records at synthesis fidelity whose DSPs are 3x the estimate: rf learns the ratio, so its
 * offers fit the part at the measured numbers, not just at the estimate's. */
static void test_corrections(void)
{
	history h = {0};
	sweep(S_RANDOM, 5, 4, 8, &h, NULL);
	for (int k = 0; k < h.n; k++) {
		record *r = &h.r[k];
		if (r->tier == TIER_FAILED)
			continue;
		free(r->fidelity);
		r->fidelity = xstrdup("synth");
		r->dsp *= 3;
		reward_input in = {.built = true, .max_err = r->max_err, .lut = r->lut, .ff = r->ff,
				   .dsp = r->dsp, .bram18 = r->bram18, .latency_ns = r->latency_ns};
		reward_output out;
		reward_eval(&in, &P.part, P.clock_ns, P.eps_max, &P.reward, project_macs(&P), &out);
		r->tier = out.tier;
		r->reward = out.reward;
	}
	cand_list a;
	author_round(&P, S_RF, 1, 4, 8, &h, &a);
	int fit = 0;
	for (int k = 0; k < a.n; k++) {
		config c;
		berr e;
		estimate est;
		if (config_parse("c", a.c[k].config, strlen(a.c[k].config), &P, &c, &e) != 0)
			continue;
		if (estimate_run(&P, &c, &est, &e) == 0) {
			fit += 3 * est.total.dsp <= P.part.dsp;
			estimate_free(&est);
		}
		config_free(&c);
	}
	CHECK(fit >= a.n - 2, "%d of %d offers fit at 3x the estimated DSPs", fit, a.n);
	cands_free(&a);
	history_free(&h);
}

/* ---- against random, with the real csim ---- */

/* The true rewards of one round of proposals after a history of random results. */
static double round_mean(int st, long seed, const history *h, long round, double *best)
{
	cand_list l;
	author_round(&P, st, seed, round, 8, h, &l);
	double sum = 0;
	*best = 0;
	for (int k = 0; k < l.n; k++) {
		record r;
		evaluate(&P, &l.c[k], round, &r);
		sum += r.reward;
		*best = r.reward > *best ? r.reward : *best;
		history one = {.n = 1, .cap = 1, .r = xcalloc(1, sizeof *one.r)};
		one.r[0] = r;
		history_free(&one);
	}
	int n = l.n;
	cands_free(&l);
	return n ? sum / n : 0;
}

static void test_proposals(void)
{
	history h = {0};
	sweep(S_RANDOM, 11, 5, 8, &h, NULL); /* 40 random results */
	double rf = 0, rnd = 0, rf_best = 0, rnd_best = 0;
	enum { SEEDS = 5 };
	for (long s = 1; s <= SEEDS; s++) {
		double b1, b2;
		rf += round_mean(S_RF, s, &h, 5, &b1) / SEEDS;
		rnd += round_mean(S_RANDOM, s, &h, 5, &b2) / SEEDS;
		rf_best += b1 / SEEDS;
		rnd_best += b2 / SEEDS;
	}
	printf("after 40 random results, one round of 8 (mean of %d seeds): rf mean %.4f best %.4f, "
	       "random mean %.4f best %.4f\n", SEEDS, rf, rf_best, rnd, rnd_best);
	CHECK(rf > rnd + 0.5, "rf's proposals (%.4f) beat random's (%.4f) on average", rf, rnd);
	CHECK(rf_best > rnd_best, "rf's best proposal (%.4f) beats random's (%.4f)", rf_best,
	      rnd_best);
	history_free(&h);
}

/* Sweeps of every strategy (RF_ONLY set: rf alone): RF_SEEDS seeds (default 3) of RF_ROUNDS
 * rounds (default 6) of 8; RF_PROJECT names another project to sweep instead of the toy. */
static void test_sweeps(void)
{
	enum { WANT = 8, MAX_ROUNDS = 90 };
	const char *env_s = getenv("RF_SEEDS"), *env_r = getenv("RF_ROUNDS");
	long SEEDS = env_s ? atol(env_s) : 3, ROUNDS = env_r ? atol(env_r) : 6;
	SEEDS = SEEDS < 1 ? 1 : SEEDS;
	ROUNDS = ROUNDS < 1 ? 1 : ROUNDS > MAX_ROUNDS ? MAX_ROUNDS : ROUNDS;
	double mean[3] = {0};
	for (int st = getenv("RF_ONLY") ? S_RF : 0; st < 3; st++) {
		for (long s = 1; s <= SEEDS; s++) {
			history h = {0};
			double at[MAX_ROUNDS];
			double b = sweep(st, s, (int)ROUNDS, WANT, &h, at);
			mean[st] += b / SEEDS;
			int feas = 0;
			for (int k = 0; k < h.n; k++)
				feas += h.r[k].tier == TIER_FEASIBLE;
			printf("sweep %-9s seed %ld: best %.4f (after each round:", sname[st], s, b);
			for (int r = 0; r < ROUNDS; r++)
				printf(" %.4f", at[r]);
			int bi = history_best(&h);
			printf("), %d of %d feasible", feas, h.n);
			if (bi >= 0)
				printf("; best: max_err %.3f, %.0f DSP, %.0f LUT, %.0f cycles",
				       h.r[bi].max_err, h.r[bi].dsp, h.r[bi].lut, h.r[bi].latency_cycles);
			printf("\n");
			history_free(&h);
		}
		printf("sweep %-9s mean best of %ld seeds: %.4f\n", sname[st], SEEDS, mean[st]);
	}
	CHECK(mean[S_RF] > mean[S_RANDOM], "rf (%.4f) beats random (%.4f) after %ld evaluations",
	      mean[S_RF], mean[S_RANDOM], ROUNDS * WANT);
}

int main(int argc, char **argv)
{
	const char *src = getenv("BURN_SRC");
	char path[1024];
	snprintf(path, sizeof path, "%s/projects/toy-ffn-z2.yaml", src ? src : ".");
	berr e;
	if (argc > 1)
		pool = atol(argv[1]);
	if (getenv("RF_PROJECT")) { /* measurements on another project: the sweeps only */
		have_p = project_load(getenv("RF_PROJECT"), true, &P, &e) == 0;
		CHECK(have_p, "%s", e.msg);
		if (have_p) {
			test_sweeps();
			project_free(&P);
		}
		return t_done("test_rf");
	}
	test_forest();
	have_p = project_load(path, true, &P, &e) == 0;
	CHECK(have_p, "%s", e.msg);
	if (!have_p)
		return t_done("test_rf");
	test_features();
	test_round0();
	test_later_rounds();
	test_no_improvement();
	test_corrections();
	test_proposals();
	test_sweeps();
	project_free(&P);
	return t_done("test_rf");
}
