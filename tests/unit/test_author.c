/* test_author.c - the built-in strategies: both start from the default, same inputs give the
 * same offers, every offer is a valid config, the heuristic widens after an accuracy miss,
 * raises RF over budget, narrows when feasible, and keeps away from failed configs. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "author/author.h"
#include "gen/estimate.h"
#include "gen/reward.h"
#include "tests/unit/t.h"

static layer L[4];
static project P;

/* A block on a PYNQ-Z2 (xc7z020: 220 DSP48E1) with the toy project's settings. */
static void mkproject(int n, const int (*dims)[2])
{
	memset(&P, 0, sizeof P);
	memset(L, 0, sizeof L);
	snprintf(P.name, sizeof P.name, "t");
	for (int i = 0; i < n; i++) {
		snprintf(L[i].name, sizeof L[i].name, "fc%d", i + 1);
		L[i].n_in = dims[i][0];
		L[i].n_out = dims[i][1];
		L[i].bias = true;
		L[i].act = i + 1 < n ? ACT_RELU : ACT_LINEAR;
	}
	P.layers = L;
	P.n_layers = n;
	snprintf(P.part.name, sizeof P.part.name, "pynq-z2");
	snprintf(P.part.family, sizeof P.part.family, "xc7");
	P.part.lut = 53200;
	P.part.ff = 106400;
	P.part.dsp = 220;
	P.part.bram18 = 280;
	P.part.dsp_a = 25;
	P.part.dsp_b = 18;
	P.clock_ns = 10;
	P.eps_max = 0.05;
	P.search = (search_spec){.strategy = STRAT_HEURISTIC, .rounds = 4, .per_round = 8, .seed = 1};
	P.reward = (reward_spec){.w_latency = 1, .w_lut = 0.25, .w_ff = 0.1, .w_dsp = 0.25,
				 .w_bram = 0.25};
	P.has = HAS_BLOCK | HAS_PART | HAS_CLOCK | HAS_EPS | HAS_SEARCH | HAS_REWARD;
}

static const int toy[2][2] = {{16, 32}, {32, 8}};

/* Runs a strategy for one round as burn author does (without the random top-up). */
static void run(const project *p, search_strategy st, long round, long seed, long want,
		const history *h, cand_list *out)
{
	static const history empty;
	author_ctx ctx = {.p = p, .h = h ? h : &empty, .round = round, .want = want};
	rng_seed(&ctx.rng, (uint64_t)seed, (uint64_t)round);
	ctx.out.round = round;
	ctx.out.strategy = xstrdup(st == STRAT_RANDOM ? "random" : "heuristic");
	if (st == STRAT_RANDOM)
		author_random(&ctx);
	else
		author_heuristic(&ctx);
	*out = ctx.out;
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

static char *canon(const config *c)
{
	strbuf b = {0};
	config_write_canonical(c, &P, &b);
	return b.s;
}

/* Parses a candidate (exits on error: the strategy wrote a bad config). */
static void parse(const candidate *k, config *c)
{
	berr e;
	if (config_parse("cand", k->config, strlen(k->config), &P, c, &e) != 0) {
		printf("candidate does not parse: %s\n%s\n", e.msg, k->config);
		exit(1);
	}
}

static bool type_ok(const fx_type *t)
{
	return t->w >= 2 && t->w <= 64 && t->i >= -16 && t->i <= 48;
}

/* Checks every candidate of l: valid, parses, types in range, RF in [1, n_in*n_out], origin one
 * line with the strategy's prefix, ids distinct. */
static void check_valid(const cand_list *l, const char *prefix)
{
	int bad = 0;
	for (int k = 0; k < l->n; k++) {
		const candidate *c = &l->c[k];
		config x;
		parse(c, &x);
		bool ok = c->valid && x.n_layers == P.n_layers && type_ok(&x.input);
		for (int i = 0; i < x.n_layers; i++) {
			const layer_cfg *y = &x.layers[i];
			long n = (long)P.layers[i].n_in * P.layers[i].n_out;
			ok = ok && type_ok(&y->weight) && type_ok(&y->bias) && type_ok(&y->accum) &&
			     type_ok(&y->result) && y->reuse >= 1 && y->reuse <= n;
		}
		ok = ok && strchr(c->origin, '\n') == NULL && strncmp(c->origin, prefix, strlen(prefix)) == 0;
		for (int j = 0; j < k; j++)
			ok = ok && strcmp(l->c[j].id, c->id) != 0;
		char *t = canon(&x);
		ok = ok && strcmp(t, c->config) == 0; /* canonical text round-trips */
		free(t);
		if (!ok && bad++ < 3)
			printf("bad candidate %d (%s):\n%s\n", k, c->origin, c->config);
		config_free(&x);
	}
	CHECK(bad == 0, "%d of %d candidates invalid", bad, l->n);
}

/* Appends a record of c to h with the given max_err; tier and reward come from the estimate
 * and the reward, as burn reward would give them at estimate fidelity (built false: failed). */
static void add_record(history *h, const config *c, bool built, double max_err, const double *lerr,
		       long round)
{
	h->r = xreallocarray(h->r, (size_t)h->n + 1, sizeof *h->r);
	record *r = &h->r[h->n++];
	memset(r, 0, sizeof *r);
	r->config = canon(c);
	cand_id_of(r->config, strlen(r->config), true, r->id);
	r->round = round;
	r->origin = xstrdup("test");
	r->valid = true;
	estimate est;
	berr e;
	if (estimate_run(&P, c, &est, &e) != 0) {
		printf("estimate: %s\n", e.msg);
		exit(1);
	}
	reward_input in = {.built = built, .max_err = max_err, .lut = (double)est.total.lut,
			   .ff = (double)est.total.ff, .dsp = (double)est.total.dsp,
			   .bram18 = (double)est.total.bram18, .latency_ns = est.latency_ns};
	reward_output out;
	reward_eval(&in, &P.part, P.clock_ns, P.eps_max, &P.reward, project_macs(&P), &out);
	r->tier = out.tier;
	r->reward = out.reward;
	r->max_err = max_err;
	r->lut = in.lut, r->ff = in.ff, r->dsp = in.dsp, r->bram18 = in.bram18;
	r->latency_cycles = (double)est.total.latency;
	r->latency_ns = est.latency_ns;
	r->fidelity = xstrdup("estimate");
	if (!built) {
		r->failed_step = xstrdup("csim");
		r->error = xstrdup("csim: something broke");
	}
	r->n_layers = c->n_layers;
	r->layer_err = xcalloc((size_t)c->n_layers, sizeof *r->layer_err);
	for (int i = 0; i < c->n_layers; i++)
		r->layer_err[i] = lerr ? lerr[i] : max_err;
	estimate_free(&est);
}

static long total_dsp(const config *c)
{
	estimate est;
	berr e;
	if (estimate_run(&P, c, &est, &e) != 0)
		return -1;
	long d = est.total.dsp;
	estimate_free(&est);
	return d;
}

/* Configs differ by: sum of |dW| + |dI| and one per differing sign, mode, RF or Strategy. */
static int dist(const config *a, const config *b)
{
	const fx_type *ta[1 + 4 * 4], *tb[1 + 4 * 4];
	int n = 0, d = 0;
	ta[n] = &a->input, tb[n++] = &b->input;
	for (int i = 0; i < a->n_layers; i++) {
		const layer_cfg *x = &a->layers[i], *y = &b->layers[i];
		ta[n] = &x->weight, tb[n++] = &y->weight;
		ta[n] = &x->bias, tb[n++] = &y->bias;
		ta[n] = &x->accum, tb[n++] = &y->accum;
		ta[n] = &x->result, tb[n++] = &y->result;
		d += (x->reuse != y->reuse) + (x->strategy != y->strategy);
	}
	for (int k = 0; k < n; k++)
		d += abs(ta[k]->w - tb[k]->w) + abs(ta[k]->i - tb[k]->i) + (ta[k]->sign != tb[k]->sign) +
		     (ta[k]->q != tb[k]->q) + (ta[k]->o != tb[k]->o);
	return d;
}

static void test_round0(void)
{
	mkproject(2, toy);
	config d;
	config_default(&P, &d);
	char *dt = canon(&d);
	cand_list a, b;
	for (int st = 0; st < 2; st++) {
		const char *prefix = st ? "random:" : "heuristic:";
		run(&P, (search_strategy)st, 0, 1, 8, NULL, &a);
		CHECK(a.n == 8, "%s round 0: %d candidates", prefix, a.n);
		CHECK(a.n > 0 && strcmp(a.c[0].config, dt) == 0, "%s round 0 starts with the default",
		      prefix);
		check_valid(&a, prefix);
		run(&P, (search_strategy)st, 0, 1, 8, NULL, &b);
		CHECK(same_lists(&a, &b), "%s: same seed, same offers", prefix);
		cands_free(&b);
		/* a later round of the same seed does not start with the default */
		history h = {0};
		add_record(&h, &d, true, 0.001, NULL, 0);
		run(&P, (search_strategy)st, 1, 1, 8, &h, &b);
		CHECK(b.n == 8, "%s round 1: %d candidates", prefix, b.n);
		for (int k = 0; k < b.n; k++)
			CHECK(strcmp(b.c[k].config, dt) != 0, "%s round 1 re-offers the default", prefix);
		check_valid(&b, prefix);
		history_free(&h);
		cands_free(&b);
		cands_free(&a);
	}

	/* The heuristic's first guesses: after the default, RFs that fit the part's DSPs. */
	run(&P, STRAT_HEURISTIC, 0, 1, 8, NULL, &a);
	int fits = 0;
	for (int k = 1; k < a.n; k++) {
		config x;
		parse(&a.c[k], &x);
		long dsp = total_dsp(&x);
		fits += dsp >= 0 && dsp <= P.part.dsp;
		config_free(&x);
	}
	CHECK(fits >= 5, "only %d of the first guesses fit the DSP budget", fits);
	config x;
	parse(&a.c[1], &x);
	CHECK(x.layers[0].reuse > 1 && total_dsp(&x) <= P.part.dsp,
	      "2nd offer fits the default to the part: RF %ld, DSP %ld", x.layers[0].reuse,
	      total_dsp(&x));
	CHECK(strstr(a.c[1].origin, "RF") != NULL, "origin names the RF change: %s", a.c[1].origin);
	config_free(&x);
	/* The heuristic ignores the seed until it runs out of moves. */
	run(&P, STRAT_HEURISTIC, 0, 99, 8, NULL, &b);
	CHECK(same_lists(&a, &b), "heuristic's systematic offers do not depend on the seed");
	cands_free(&b);
	cands_free(&a);

	/* Random: a different seed gives different configs after the common default. */
	run(&P, STRAT_RANDOM, 0, 1, 8, NULL, &a);
	run(&P, STRAT_RANDOM, 0, 2, 8, NULL, &b);
	int same = 0;
	for (int k = 1; k < a.n && k < b.n; k++)
		same += strcmp(a.c[k].id, b.c[k].id) == 0;
	CHECK(a.n == 8 && b.n == 8 && same == 0, "seeds 1 and 2 share %d random configs", same);
	CHECK(strcmp(b.c[0].config, dt) == 0, "seed 2 starts with the default too");
	cands_free(&a);
	cands_free(&b);
	free(dt);
	config_free(&d);
}

/* A config with every type t (accum exact enough) and RF rf. */
static void uniform(config *c, const char *t, const char *acc, long rf0, long rf1)
{
	char y[512];
	snprintf(y, sizeof y,
		 "Model:\n  Precision: {default: '%s', accum: '%s'}\n  ReuseFactor: 1\n"
		 "LayerName:\n  fc1: {ReuseFactor: %ld}\n  fc2: {ReuseFactor: %ld}\n",
		 t, acc, rf0, rf1);
	berr e;
	if (config_parse("t", y, strlen(y), &P, c, &e) != 0) {
		printf("bad test config: %s\n", e.msg);
		exit(2);
	}
}

/* Fractional bits of every type of c minus those of b (only for the sign of changes). */
static void frac_delta(const config *c, const config *b, int *wider, int *narrower)
{
	*wider = *narrower = 0;
	const fx_type *tc[9], *tb[9];
	int n = 0;
	tc[n] = &c->input, tb[n++] = &b->input;
	for (int i = 0; i < c->n_layers; i++) {
		tc[n] = &c->layers[i].weight, tb[n++] = &b->layers[i].weight;
		tc[n] = &c->layers[i].bias, tb[n++] = &b->layers[i].bias;
		tc[n] = &c->layers[i].accum, tb[n++] = &b->layers[i].accum;
		tc[n] = &c->layers[i].result, tb[n++] = &b->layers[i].result;
	}
	for (int k = 0; k < n; k++) {
		*wider += fx_frac(tc[k]) > fx_frac(tb[k]) || tc[k]->i > tb[k]->i;
		*narrower += fx_frac(tc[k]) < fx_frac(tb[k]) || tc[k]->i < tb[k]->i;
	}
}

/* True if some type of c has another sign, quantization or overflow mode than in b. */
static bool modes_differ(const config *c, const config *b)
{
	const fx_type *tc[9], *tb[9];
	int n = 0;
	tc[n] = &c->input, tb[n++] = &b->input;
	for (int i = 0; i < c->n_layers; i++) {
		tc[n] = &c->layers[i].weight, tb[n++] = &b->layers[i].weight;
		tc[n] = &c->layers[i].bias, tb[n++] = &b->layers[i].bias;
		tc[n] = &c->layers[i].accum, tb[n++] = &b->layers[i].accum;
		tc[n] = &c->layers[i].result, tb[n++] = &b->layers[i].result;
	}
	for (int k = 0; k < n; k++)
		if (tc[k]->sign != tb[k]->sign || tc[k]->q != tb[k]->q || tc[k]->o != tb[k]->o)
			return true;
	return false;
}

static void test_accuracy(void)
{
	mkproject(2, toy);
	config b;
	uniform(&b, "ap_fixed<8,3>", "ap_fixed<24,10>", 4, 4);
	/* fc2 adds most of the error */
	double lerr[2] = {0.01, 0.2};
	history h = {0};
	add_record(&h, &b, true, 0.2, lerr, 0);
	CHECK(h.r[0].tier == TIER_ACCURACY, "record tier %d", h.r[0].tier);
	cand_list a, a2;
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h, &a);
	CHECK(a.n == 8, "%d candidates", a.n);
	check_valid(&a, "heuristic:");
	config x;
	parse(&a.c[0], &x);
	int w, nr;
	frac_delta(&x, &b, &w, &nr);
	CHECK(w > 0 && nr == 0, "first offer widens (%d wider, %d narrower): %s", w, nr, a.c[0].origin);
	CHECK(fx_frac(&x.layers[1].weight) > fx_frac(&b.layers[1].weight) &&
	      fx_frac(&x.layers[1].result) > fx_frac(&b.layers[1].result) &&
	      fx_frac(&x.layers[1].accum) > fx_frac(&b.layers[1].accum),
	      "fc2 (largest error growth) widened first: weight, result, accum");
	CHECK(fx_frac(&x.layers[0].weight) == fx_frac(&b.layers[0].weight), "fc1 left alone first");
	CHECK(strstr(a.c[0].origin, "fc2") != NULL, "origin names fc2: %s", a.c[0].origin);
	config_free(&x);
	/* nothing offered is narrower-or-equal everywhere than the miss */
	int worse = 0;
	for (int k = 0; k < a.n; k++) {
		parse(&a.c[k], &x);
		frac_delta(&x, &b, &w, &nr);
		/* a change of rounding or overflow mode is not narrower */
		if (w == 0 && !modes_differ(&x, &b)) {
			worse++;
			printf("no wider: %s\n", a.c[k].origin);
		}
		config_free(&x);
	}
	CHECK(worse == 0, "%d offers are no wider than the accuracy miss", worse);
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h, &a2);
	CHECK(same_lists(&a, &a2), "same history and seed, same offers");
	cands_free(&a2);
	run(&P, STRAT_HEURISTIC, 1, 7, 8, &h, &a2);
	CHECK(same_lists(&a, &a2), "systematic moves do not depend on the seed");
	cands_free(&a2);
	cands_free(&a);

	/* Now fc1 adds most: it is widened first (with the input). */
	h.r[0].layer_err[0] = 0.15;
	h.r[0].layer_err[1] = 0.16;
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h, &a);
	parse(&a.c[0], &x);
	CHECK(fx_frac(&x.layers[0].weight) > fx_frac(&b.layers[0].weight) &&
	      fx_frac(&x.input) > fx_frac(&b.input), "fc1 and the input widened first: %s",
	      a.c[0].origin);
	config_free(&x);
	cands_free(&a);

	/* A huge error looks like overflow: integer bits first. */
	h.r[0].max_err = 5;
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h, &a);
	parse(&a.c[0], &x);
	CHECK(x.layers[1].result.i > b.layers[1].result.i, "overflow: more integer bits first: %s",
	      a.c[0].origin);
	config_free(&x);
	cands_free(&a);
	history_free(&h);
	config_free(&b);
}

static void test_budget(void)
{
	mkproject(2, toy);
	config b;
	config_default(&P, &b);
	history h = {0};
	add_record(&h, &b, true, 0.001, NULL, 0); /* RF 1: 768 multipliers on 220 DSPs */
	CHECK(h.r[0].tier == TIER_BUDGET, "record tier %d", h.r[0].tier);
	cand_list a;
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h, &a);
	CHECK(a.n == 8, "%d candidates", a.n);
	check_valid(&a, "heuristic:");
	config x;
	parse(&a.c[0], &x);
	bool up = true, more = false;
	for (int i = 0; i < 2; i++) {
		up = up && x.layers[i].reuse >= b.layers[i].reuse;
		more = more || x.layers[i].reuse > b.layers[i].reuse;
	}
	CHECK(up && more, "first offer raises RF: %ld %ld", x.layers[0].reuse, x.layers[1].reuse);
	CHECK(total_dsp(&x) <= P.part.dsp, "and fits the DSPs: %ld", total_dsp(&x));
	int w, nr;
	frac_delta(&x, &b, &w, &nr);
	CHECK(w == 0 && nr == 0, "first offer keeps the precision");
	CHECK(strstr(a.c[0].origin, "over budget") != NULL, "origin: %s", a.c[0].origin);
	/* raised on the layer that uses the most DSPs (fc1: 512 of the 768 multipliers) */
	CHECK(x.layers[0].reuse > 1, "fc1 RF raised");
	config_free(&x);
	int fit = 0;
	for (int k = 0; k < a.n; k++) {
		parse(&a.c[k], &x);
		fit += total_dsp(&x) <= P.part.dsp;
		config_free(&x);
	}
	CHECK(fit >= a.n - 2, "only %d of %d offers fit the DSPs", fit, a.n);
	cands_free(&a);
	history_free(&h);
	config_free(&b);
}

static void test_feasible(void)
{
	mkproject(2, toy);
	config b;
	uniform(&b, "ap_fixed<16,6>", "ap_fixed<32,12>", 8, 8);
	history h = {0};
	add_record(&h, &b, true, 0.002, NULL, 0);
	CHECK(h.r[0].tier == TIER_FEASIBLE, "record tier %d", h.r[0].tier);
	cand_list a;
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h, &a);
	CHECK(a.n == 8, "%d candidates", a.n);
	check_valid(&a, "heuristic:");
	int narrowed = 0, widened = 0, rf_only = 0;
	for (int k = 0; k < a.n; k++) {
		config x;
		parse(&a.c[k], &x);
		int w, nr;
		frac_delta(&x, &b, &w, &nr);
		narrowed += nr > 0 && w == 0;
		widened += w > 0;
		rf_only += w == 0 && nr == 0;
		config_free(&x);
	}
	CHECK(narrowed >= 3, "feasible: %d narrowing offers", narrowed);
	CHECK(widened == 0, "feasible: %d widening offers", widened);
	CHECK(rf_only >= 1, "feasible: %d RF/Strategy offers", rf_only);
	/* the margin is wide (0.002 of 0.05, 2^4.6): floor(4.6) - 1 = 3 bits at a time */
	int steps = 0;
	for (int k = 0; k < a.n; k++) {
		config x;
		parse(&a.c[k], &x);
		steps += fx_frac(&x.layers[0].weight) == fx_frac(&b.layers[0].weight) - 3;
		config_free(&x);
	}
	CHECK(steps >= 1, "three-bit narrowing with a wide margin");
	cands_free(&a);
	/* A narrow margin (0.03 of 0.05): dropping a weight bit would double the error past
	 * eps_max, so the safe moves (accum and integer trims) come first, a one-bit weight
	 * narrowing later, never two bits. */
	h.r[0].max_err = 0.03;
	run(&P, STRAT_HEURISTIC, 1, 1, 40, &h, &a);
	steps = 0;
	int more = 0, first = -1;
	for (int k = 0; k < a.n; k++) {
		config x;
		parse(&a.c[k], &x);
		int d = fx_frac(&b.layers[0].weight) - fx_frac(&x.layers[0].weight);
		if (strstr(a.c[k].origin, "perturb") || strstr(a.c[k].origin, "random"))
			d = 0; /* only the systematic moves */
		steps += d == 1;
		more += d > 1;
		if (d == 1 && first < 0)
			first = k;
		config_free(&x);
	}
	CHECK(steps >= 1 && more == 0, "narrow margin: one bit at a time (%d, %d)", steps, more);
	CHECK(first >= 4, "narrow margin: safe moves first (weight narrowed at offer %d)", first);
	h.r[0].max_err = 0.002;

	/* Two narrowings that each kept the bound are combined. */
	{
		history hc = {0};
		config n1, n2;
		uniform(&n1, "ap_fixed<16,6>", "ap_fixed<32,12>", 8, 8);
		n1.layers[0].accum.w = 26; /* fc1 accum <26,12> */
		uniform(&n2, "ap_fixed<16,6>", "ap_fixed<32,12>", 8, 8);
		n2.layers[1].weight = (fx_type){15, 5, true, FX_TRN, FX_WRAP}; /* fc2 weight <15,5> */
		add_record(&hc, &b, true, 0.002, NULL, 0);
		add_record(&hc, &n1, true, 0.002, NULL, 1);
		add_record(&hc, &n2, true, 0.002, NULL, 1);
		cand_list ac;
		run(&P, STRAT_HEURISTIC, 2, 1, 8, &hc, &ac);
		int comb = -1;
		for (int k = 0; k < ac.n && comb < 0; k++)
			if (strstr(ac.c[k].origin, "combine"))
				comb = k;
		CHECK(comb >= 0 && comb <= 2, "combine offered early: %d", comb);
		if (comb >= 0) {
			config x;
			parse(&ac.c[comb], &x);
			CHECK(x.layers[0].accum.w <= 26 && x.layers[1].weight.i <= 5 &&
			      fx_frac(&x.layers[1].weight) <= 10,
			      "combine holds both narrowings: %s", ac.c[comb].config);
			config_free(&x);
		}
		cands_free(&ac);
		history_free(&hc);
		config_free(&n1);
		config_free(&n2);
	}

	/* a second, worse record adds its own neighbours */
	config b2;
	uniform(&b2, "ap_fixed<12,5>", "ap_fixed<28,12>", 16, 16);
	add_record(&h, &b2, true, 0.2, NULL, 0); /* accuracy miss */
	cand_list a2;
	run(&P, STRAT_HEURISTIC, 1, 1, 16, &h, &a2);
	CHECK(a2.n == 16, "%d candidates", a2.n);
	int from2 = 0;
	for (int k = 0; k < a2.n; k++)
		from2 += strstr(a2.c[k].origin, "accuracy miss") != NULL;
	CHECK(from2 >= 1, "neighbours of the 2nd best offered: %d", from2);
	CHECK(a2.n >= 3 && strstr(a2.c[0].origin, "accuracy miss") == NULL,
	      "the best's moves come first: %s", a2.c[0].origin);
	cands_free(&a2);
	cands_free(&a);
	history_free(&h);
	config_free(&b);
	config_free(&b2);
}

static void test_failed(void)
{
	mkproject(2, toy);
	config b;
	uniform(&b, "ap_fixed<16,6>", "ap_fixed<32,12>", 8, 8);
	history h = {0};
	add_record(&h, &b, true, 0.002, NULL, 0);
	cand_list a;
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h, &a);
	/* the first two offers failed to build */
	config f[2];
	for (int k = 0; k < 2; k++) {
		parse(&a.c[k], &f[k]);
		add_record(&h, &f[k], false, NAN, NULL, 1);
	}
	CHECK(h.r[1].tier == TIER_FAILED, "tier %d", h.r[1].tier);
	cand_list a2;
	run(&P, STRAT_HEURISTIC, 2, 1, 24, &h, &a2);
	CHECK(a2.n == 24, "%d candidates", a2.n);
	check_valid(&a2, "heuristic:");
	int near = 0;
	for (int k = 0; k < a2.n; k++) {
		config x;
		parse(&a2.c[k], &x);
		for (int j = 0; j < 2; j++)
			near += dist(&x, &f[j]) <= 1;
		config_free(&x);
	}
	CHECK(near == 0, "%d offers at or next to a failed config", near);
	cands_free(&a2);

	/* Everything failed: it restarts from the first guesses, never re-offering a failure. */
	history h2 = {0};
	config d;
	config_default(&P, &d);
	add_record(&h2, &d, false, NAN, NULL, 0);
	run(&P, STRAT_HEURISTIC, 1, 1, 8, &h2, &a2);
	CHECK(a2.n == 8, "%d candidates after total failure", a2.n);
	char *dt = canon(&d);
	for (int k = 0; k < a2.n; k++)
		CHECK(strcmp(a2.c[k].config, dt) != 0, "failed default re-offered");
	free(dt);
	cands_free(&a2);
	history_free(&h2);
	config_free(&d);
	for (int k = 0; k < 2; k++)
		config_free(&f[k]);
	cands_free(&a);
	history_free(&h);
	config_free(&b);
}

/* Many candidates: the systematic moves run out, perturbations and random configs fill up. */
static void test_many(void)
{
	mkproject(2, toy);
	config b;
	uniform(&b, "ap_fixed<16,6>", "ap_fixed<32,12>", 8, 8);
	history h = {0};
	add_record(&h, &b, true, 0.002, NULL, 0);
	cand_list a, a2;
	run(&P, STRAT_HEURISTIC, 1, 3, 120, &h, &a);
	CHECK(a.n == 120, "%d of 120 candidates", a.n);
	check_valid(&a, "heuristic:");
	int pert = 0;
	for (int k = 0; k < a.n; k++)
		pert += strstr(a.c[k].origin, "perturb") != NULL;
	CHECK(pert > 0, "perturbations used: %d", pert);
	run(&P, STRAT_HEURISTIC, 1, 3, 120, &h, &a2);
	CHECK(same_lists(&a, &a2), "same seed, same 120 offers");
	cands_free(&a2);
	run(&P, STRAT_HEURISTIC, 1, 4, 120, &h, &a2);
	CHECK(!same_lists(&a, &a2), "another seed, other perturbations");
	cands_free(&a2);
	cands_free(&a);
	history_free(&h);
	config_free(&b);
}

/* author_random_config: the documented ranges. */
static void test_random_ranges(void)
{
	mkproject(2, toy);
	author_ctx ctx = {.p = &P, .want = 1};
	rng_seed(&ctx.rng, 5, 0);
	int bad = 0, res = 0, rnd = 0, trn = 0, sat = 0, rf1 = 0, rfbig = 0, lowf = 0;
	for (int k = 0; k < 2000; k++) {
		config c;
		author_random_config(&ctx, &c);
		bool ok = c.input.w >= 6 && c.input.w <= 18 && c.input.i >= 1 && c.input.i <= 8;
		for (int i = 0; i < c.n_layers; i++) {
			const layer_cfg *l = &c.layers[i];
			long n = (long)L[i].n_in * L[i].n_out, lo, hi;
			ok = ok && l->weight.w >= 4 && l->weight.w <= 18 && l->weight.i >= 0 &&
			     l->weight.i <= 4;
			ok = ok && l->bias.w >= 4 && l->bias.w <= 18 && l->bias.i >= 0 && l->bias.i <= 6;
			ok = ok && l->result.w >= 6 && l->result.w <= 20 && l->result.i >= 2 &&
			     l->result.i <= 8;
			ok = ok && l->accum.i > l->result.i && fx_frac(&l->accum) >= fx_frac(&l->result) &&
			     l->accum.w <= 64;
			ok = ok && fx_frac(&l->weight) >= 1 && fx_frac(&l->result) >= 1;
			ok = ok && l->reuse >= 1 && l->reuse <= n;
			if (l->strategy == HLS_RESOURCE) {
				res++;
				ok = ok && hls4ml_rf_valid(L[i].n_in, L[i].n_out, l->reuse, &lo, &hi);
			}
			rnd += l->weight.q == FX_RND;
			trn += l->weight.q == FX_TRN;
			sat += l->result.o == FX_SAT;
			rf1 += l->reuse == 1;
			rfbig += l->reuse > n / 2;
			lowf += fx_frac(&l->weight) <= 2;
		}
		bad += !ok;
		config_free(&c);
	}
	CHECK(bad == 0, "%d random configs out of range", bad);
	CHECK(res > 1500 && res < 2500, "Resource %d of 4000", res);
	CHECK(rnd > 1500 && trn > 1500 && rnd + trn < 4000, "RND %d TRN %d", rnd, trn);
	CHECK(sat > 1300 && sat < 2000, "SAT %d", sat);
	CHECK(rf1 > 100 && rfbig > 100, "RF 1: %d, RF > n/2: %d (log-uniform)", rf1, rfbig);
	CHECK(lowf > 0, "narrow weights drawn");
}

/* A bigger block (nanocoder's MLP): the first guesses fit 131,072 MACs on 220 DSPs. */
static void test_big(void)
{
	static const int mlp[2][2] = {{128, 512}, {512, 128}};
	mkproject(2, mlp);
	cand_list a;
	run(&P, STRAT_HEURISTIC, 0, 1, 8, NULL, &a);
	CHECK(a.n == 8, "%d candidates", a.n);
	check_valid(&a, "heuristic:");
	config x;
	parse(&a.c[1], &x);
	long lo, hi;
	CHECK(total_dsp(&x) <= P.part.dsp && total_dsp(&x) > P.part.dsp / 4,
	      "fitted: %ld DSPs (RF %ld, %ld)", total_dsp(&x), x.layers[0].reuse, x.layers[1].reuse);
	CHECK(hls4ml_rf_valid(128, 512, x.layers[0].reuse, &lo, &hi) &&
	      hls4ml_rf_valid(512, 128, x.layers[1].reuse, &lo, &hi), "RFs hls4ml accepts");
	config_free(&x);
	cands_free(&a);
}

/* The toy project file, if the source tree is there, through project_load. */
static void test_project_file(void)
{
	const char *src = getenv("BURN_SRC");
	char path[1024];
	snprintf(path, sizeof path, "%s/projects/toy-ffn-z2.yaml", src ? src : ".");
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("skip: %s not found\n", path);
		return;
	}
	fclose(f);
	project p;
	berr e;
	int rc = project_load(path, false, &p, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	for (int st = 0; st < 2; st++) {
		cand_list a;
		run(&p, (search_strategy)st, 0, p.search.seed, p.search.per_round, NULL, &a);
		CHECK(a.n == p.search.per_round, "%s: %d candidates", st ? "random" : "heuristic", a.n);
		for (int k = 0; k < a.n; k++) {
			config c;
			CHECK(config_parse("c", a.c[k].config, strlen(a.c[k].config), &p, &c, &e) == 0,
			      "%s", e.msg);
			config_free(&c);
		}
		cands_free(&a);
	}
	project_free(&p);
}

int main(void)
{
	test_round0();
	test_accuracy();
	test_budget();
	test_feasible();
	test_failed();
	test_many();
	test_random_ranges();
	test_big();
	test_project_file();
	return t_done("test_author");
}
