/* test_lmauthor.c - the LM author: the config language round-trips every config through
 * gen/config.c, bad completions are refused with the token named, prompts fit the context and
 * carry feedback, the error proxy reacts to precision and overflow, synthetic examples decode
 * to valid configs, the SFT/DPO gradient matches finite differences, fine-tuning moves the
 * model the right way, sampling is repeatable, the strategy repairs what it cannot parse and
 * never re-offers a config known to fail. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "author/lmauthor.h"
#include "author/lmsynth.h"
#include "lm/kv.h"
#include "lm/mat.h"
#include "lm/pref.h"
#include "tests/unit/t.h"

static layer L[4];
static project P;

static void mkproject(int n, const int (*dims)[2])
{
	memset(&P, 0, sizeof P);
	memset(L, 0, sizeof L);
	snprintf(P.name, sizeof P.name, "t");
	for (int i = 0; i < n; i++) {
		snprintf(L[i].name, sizeof L[i].name, "fc%d", i + 1);
		L[i].n_in = dims[i][0];
		L[i].n_out = dims[i][1];
		L[i].bias = i != 1;
		L[i].act = i + 1 < n ? ACT_RELU : ACT_LINEAR;
	}
	P.layers = L;
	P.n_layers = n;
	P.has = HAS_BLOCK | HAS_PART | HAS_CLOCK | HAS_EPS | HAS_SEARCH | HAS_REWARD;
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
	P.reward = (reward_spec){1.0, 0.25, 0.1, 0.25, 0.25, 0};
	P.search = (search_spec){.strategy = STRAT_LM, .rounds = 4, .per_round = 6, .seed = 1,
				 .lm_recipe = LM_RECIPE_TINY, .lm_grammar = true};
}

static const int dims3[3][2] = {{16, 64}, {64, 32}, {32, 5}};

/* encode -> decode -> config_parse gives the same config back */
static bool roundtrip(const config *c, const project *p)
{
	ll_seq s = {0};
	ll_encode_config(c, &s);
	strbuf y = {0};
	int ok;
	berr e;
	int used = ll_decode_config(s.v, s.n, p, &y, &ok, &e);
	bool same = false;
	config back;
	if (used == s.n && ok == p->n_layers &&
	    config_parse("rt", y.s, y.len, p, &back, &e) == 0) {
		same = config_equal(c, &back);
		config_free(&back);
	}
	if (!same)
		printf("roundtrip failed: %s\n%s", e.msg, y.s ? y.s : "");
	sb_free(&y);
	ll_free(&s);
	return same;
}

static int count_str(const char *s, const char *w)
{
	int n = 0;
	for (const char *q = s; (q = strstr(q, w)) != NULL; q += strlen(w))
		n++;
	return n;
}

static bool has_tok(const ll_seq *s, int tok)
{
	for (int i = 0; i < s->n; i++)
		if (s->v[i] == tok)
			return true;
	return false;
}

static void test_language(void)
{
	mkproject(3, dims3);
	config c;
	config_default(&P, &c);
	CHECK(roundtrip(&c, &P), "the default config");
	config_free(&c);
	author_ctx ctx = {.p = &P};
	rng_seed(&ctx.rng, 3, 0);
	int same = 0;
	for (int i = 0; i < 300; i++) {
		author_random_config(&ctx, &c);
		c.layers[i % 3].reuse = 1 + (long)(i * 7919) % 2048; /* numbers of 1..4 tokens */
		c.layers[(i + 1) % 3].result.i = -3 + i % 9;     /* negative integer bits too */
		if (c.layers[(i + 1) % 3].result.w <= c.layers[(i + 1) % 3].result.i)
			c.layers[(i + 1) % 3].result.w = c.layers[(i + 1) % 3].result.i + 2;
		same += roundtrip(&c, &P);
		config_free(&c);
	}
	CHECK(same == 300, "%d of 300 random configs round-trip", same);

	/* numbers: every size of the encoding */
	long nums[] = {0, 7, 99, 100, 4096, 9999, 10000, 131072, 999999, 1000000, 67108864, -1, -99,
		       -100};
	for (size_t k = 0; k < sizeof nums / sizeof nums[0]; k++) {
		config_default(&P, &c);
		c.layers[0].reuse = nums[k] < 0 ? 1 : nums[k];
		c.layers[1].weight.i = nums[k] < 0 ? (int)nums[k] : 2;
		ll_seq s = {0};
		ll_encode_config(&c, &s);
		strbuf y = {0};
		int ok;
		berr e;
		int used = ll_decode_config(s.v, s.n, &P, &y, &ok, &e);
		char want[64];
		snprintf(want, sizeof want, nums[k] < 0 ? "ap_fixed<16,%ld," : "ReuseFactor: %ld\n",
			 nums[k]);
		CHECK(used == s.n && strstr(y.s, want), "number %ld: %s", nums[k], y.s);
		sb_free(&y);
		ll_free(&s);
		config_free(&c);
	}

	/* WeightFormat: every format round-trips (a streamed one on a part with memory), rom
	 * writes no key (rom configs keep their YAML), and the prompt names the memory */
	mkproject(3, dims3);
	P.part.mem_gbps = 19.2;
	for (int f = 0; f < WF_COUNT; f++) {
		config_default(&P, &c);
		c.layers[1].wfmt = (weight_format)f; /* 64 x 32: groups 32 and 64 divide 64 */
		if (f != WF_INT4_G128)
			CHECK(roundtrip(&c, &P), "WeightFormat %s round-trips",
			      config_wfmt_name(c.layers[1].wfmt));
		ll_seq s = {0};
		ll_encode_config(&c, &s);
		strbuf y = {0};
		int ok;
		berr e;
		ll_decode_config(s.v, s.n, &P, &y, &ok, &e);
		CHECK(count_str(y.s, "WeightFormat") == (f != WF_ROM), "%s: %s",
		      config_wfmt_name((weight_format)f), y.s);
		sb_free(&y);
		ll_free(&s);
		config_free(&c);
	}
	ll_seq pm = {0};
	berr pe;
	CHECK(ll_prompt_entries(&P, NULL, 0, 512, &pm, &pe) == 0 && pm.n > 2, "prompt");
	int mem_at = -1;
	for (int i = 0; i < pm.n; i++)
		if (pm.v[i] == LL_MEM)
			mem_at = i;
	CHECK(mem_at > 0 && mem_at + 1 < pm.n && pm.v[mem_at + 1] == LL_N0 + 19,
	      "the prompt has MEM 19 (GB/s)");
	ll_free(&pm);
	P.part.mem_gbps = 0;
	CHECK(ll_prompt_entries(&P, NULL, 0, 512, &pm, &pe) == 0 && !has_tok(&pm, LL_MEM),
	      "no MEM without external memory");
	ll_free(&pm);

	/* a completion cut short, and one with a wrong token, name the token */
	config_default(&P, &c);
	ll_seq s = {0};
	ll_encode_config(&c, &s);
	strbuf y = {0};
	int ok;
	berr e;
	CHECK(ll_decode_config(s.v, s.n - 1, &P, &y, &ok, &e) < 0 && ok == 3 &&
		      strstr(e.msg, "ends where EOS"), "cut before EOS: %s (ok %d)", e.msg, ok);
	sb_free(&y);
	int pos = 0, seen = 0;
	for (int i = 0; i < s.n; i++)
		if (s.v[i] == LL_L && ++seen == 2)
			pos = i;
	s.v[pos + 1] = LL_LATENCY; /* layer 2's weight sign */
	CHECK(ll_decode_config(s.v, s.n, &P, &y, &ok, &e) < 0 && ok == 1 &&
		      strstr(e.msg, "'Latency' where a type's sign"), "wrong token: %s", e.msg);
	sb_free(&y);
	ll_free(&s);
	/* a width the parser refuses decodes (the grammar is fine) and config_parse names it */
	c.layers[2].accum.w = 70;
	ll_encode_config(&c, &s);
	CHECK(ll_decode_config(s.v, s.n, &P, &y, &ok, &e) == s.n, "W 70 decodes");
	config bad;
	CHECK(config_parse("candidate", y.s, y.len, &P, &bad, &e) != 0 && strstr(e.msg, "fc3"),
	      "W 70 refused by the parser: %s", e.msg);
	sb_free(&y);
	ll_free(&s);
	config_free(&c);
}

static void add(history *h, const config *c, long round, reward_tier tier, double reward,
		double max_err, const char *error)
{
	h->r = xreallocarray(h->r, (size_t)h->n + 1, sizeof *h->r);
	record *r = &h->r[h->n++];
	memset(r, 0, sizeof *r);
	strbuf b = {0};
	if (c) {
		config_write_canonical(c, &P, &b);
		cand_id_of(b.s, b.len, true, r->id);
		r->config = b.s;
		r->valid = true;
	} else {
		r->config = xstrdup("LayerName: {bad");
		cand_id_of(r->config, strlen(r->config), false, r->id);
	}
	r->round = round;
	r->origin = xstrdup("test");
	r->tier = tier;
	r->reward = reward;
	r->max_err = max_err;
	r->dsp = 100;
	r->lut = 5000;
	r->latency_cycles = 40;
	r->error = error ? xstrdup(error) : NULL;
}

static int count(const ll_seq *s, int tok)
{
	int n = 0;
	for (int i = 0; i < s->n; i++)
		n += s->v[i] == tok;
	return n;
}

static void test_prompt(void)
{
	mkproject(3, dims3);
	history h = {0};
	ll_seq s = {0};
	berr e;
	CHECK(ll_prompt(&P, &h, 512, &s, &e) == 0 && s.v[0] == LL_BOS && s.v[s.n - 1] == LL_ANSWER &&
		      count(&s, LL_LAYER) == 3 && count(&s, LL_BEST) == 0,
	      "empty history: task only (%d tokens)", s.n);
	int task = s.n;
	ll_free(&s);
	config c[6];
	for (int i = 0; i < 6; i++) {
		config_default(&P, &c[i]);
		c[i].layers[0].reuse = 1 + i;
		add(&h, &c[i], i / 3, i == 4 ? TIER_FAILED : TIER_BUDGET, 2.1 + 0.1 * i, 0.01,
		    i == 4 ? "csim: crashed" : NULL);
	}
	add(&h, NULL, 1, TIER_FAILED, 0, NAN,
	    "candidate:3:7: LayerName.fc1.Precision.weight: width 70 is over 64");
	CHECK(ll_prompt(&P, &h, 2048, &s, &e) == 0 && count(&s, LL_BEST) == LL_MAX_BEST &&
		      count(&s, LL_FAIL) == 2 && count(&s, LL_T_BUDGET) == LL_MAX_BEST,
	      "4 best and 2 failures (%d best, %d fail)", count(&s, LL_BEST), count(&s, LL_FAIL));
	/* the error text, without the place, in bytes */
	strbuf txt = {0};
	for (int i = 0; i < s.n; i++)
		if (s.v[i] < 256)
			sb_add(&txt, (char[1]){(char)s.v[i]}, 1);
	CHECK(txt.s && strstr(txt.s, "LayerName.fc1.Precision.weight: width 70") &&
		      strstr(txt.s, "csim: crashed") && !strstr(txt.s, "candidate:3"),
	      "error texts: %s", txt.s ? txt.s : "");
	sb_free(&txt);
	/* best last: the entry before ANSWER is the best record's (reward 2.6, score 60) */
	int last = -1;
	for (int i = 0; i < s.n; i++)
		if (s.v[i] == LL_BEST)
			last = i;
	CHECK(last > 0 && s.v[last + 2] == LL_N0 + 60, "the best entry comes last");
	int full = s.n;
	ll_free(&s);
	/* a short context drops entries, failures first */
	int ctx = full + ll_completion_max(3) - 50;
	CHECK(ll_prompt(&P, &h, ctx, &s, &e) == 0 && s.n + ll_completion_max(3) <= ctx &&
		      count(&s, LL_FAIL) < 2 && count(&s, LL_BEST) == LL_MAX_BEST,
	      "ctx %d: %d tokens, %d failures", ctx, s.n, count(&s, LL_FAIL));
	ll_free(&s);
	CHECK(ll_prompt(&P, &h, task + 10, &s, &e) != 0 && strstr(e.msg, "too short"),
	      "a context too short for the task: %s", e.msg);
	ll_free(&s);
	for (int i = 0; i < 6; i++)
		config_free(&c[i]);
	history_free(&h);
}

static void test_proxy(void)
{
	lms_task t = {.err_scale = 1, .mag_scale = 1};
	mkproject(3, dims3);
	t.p = P;
	config c;
	config_default(&P, &c);
	double e16 = lms_proxy_err(&t, &c);
	for (int l = 0; l < 3; l++)
		c.layers[l].weight.w -= 8; /* ap_fixed<8,6> weights */
	double e8 = lms_proxy_err(&t, &c);
	CHECK(e16 > 0 && e8 > 4 * e16, "fewer weight bits, more error: %g -> %g", e16, e8);
	config_free(&c);
	config_default(&P, &c);
	c.input = (fx_type){.w = 8, .i = 1, .sign = true, .q = FX_TRN, .o = FX_WRAP}; /* |x| < 0.5 */
	double wrap = lms_proxy_err(&t, &c);
	c.input.o = FX_SAT;
	double sat = lms_proxy_err(&t, &c);
	CHECK(wrap > sat && sat > 1, "an input that overflows: wrap %g > sat %g > 1", wrap, sat);
	config_free(&c);
	config_default(&P, &c);
	t.err_scale = 4;
	CHECK(fabs(lms_proxy_err(&t, &c) - 4 * e16) < 1e-12 * e16, "err_scale multiplies");
	config_free(&c);

	/* synthetic examples: prompts fit, completions decode to configs the parser accepts */
	rng r;
	rng_seed(&r, 7, 0);
	int good = 0, n = 0;
	for (int k = 0; k < 6; k++) {
		lms_task st;
		lms_task_draw(&r, &st);
		ll_seq pr[2] = {0}, co[2] = {0};
		berr e;
		if (lms_examples(&r, &st, 512, 2, pr, co, &e) == 0)
			for (int i = 0; i < 2; i++) {
				n++;
				strbuf y = {0};
				int ok;
				config x;
				if (pr[i].v[pr[i].n - 1] == LL_ANSWER &&
				    pr[i].n + co[i].n <= 512 &&
				    ll_decode_config(co[i].v, co[i].n, &st.p, &y, &ok, &e) == co[i].n &&
				    config_parse("c", y.s, y.len, &st.p, &x, &e) == 0) {
					good++;
					config_free(&x);
				}
				sb_free(&y);
				ll_free(&pr[i]);
				ll_free(&co[i]);
			}
		lms_task_free(&st);
	}
	CHECK(n >= 10 && good == n, "%d of %d synthetic examples are valid", good, n);
}

static lm_model *tiny_model_v(uint64_t seed, int ctx, int vocab)
{
	lm_config c = {.vocab = vocab, .ctx = ctx, .hidden = 16, .heads = 2, .layers = 1,
		       .mlp = 32, .tok = LM_TOK_BURNCFG};
	berr e;
	return lm_new(&c, seed, &e);
}

static lm_model *tiny_model(uint64_t seed, int ctx) { return tiny_model_v(seed, ctx, LL_VOCAB); }

/* DPO + SFT loss of the current parameters, as lm_pref_step defines it */
static double pref_loss(lm_model *m, const lm_sft_ex *sft, int ns, const lm_dpo_pair *d, int nd,
			float beta)
{
	double lp[8], loss = 0, ws = 0;
	berr e;
	lm_completion_logprobs(m, sft, ns, lp, &e);
	for (int i = 0; i < ns; i++)
		ws += sft[i].w;
	for (int i = 0; i < ns; i++)
		loss += -lp[i] / sft[i].nc * sft[i].w / ws;
	for (int i = 0; i < nd; i++) {
		lm_sft_ex rows[2] = {{d[i].prompt, d[i].win, d[i].np, d[i].nw, 1},
				     {d[i].prompt, d[i].lose, d[i].np, d[i].nl, 1}};
		double q[2];
		lm_completion_logprobs(m, rows, 2, q, &e);
		double z = beta * ((q[0] - d[i].ref_win) - (q[1] - d[i].ref_lose));
		loss += log1p(exp(-z)) / nd;
	}
	return loss;
}

static void test_pref(void)
{
	lm_set_kernel(LM_KERNEL_NAIVE);
	/* The gradient check's model keeps the 401-token vocabulary it was written for (its
	 * tokens are all below 401): the vocabulary changes the random base weights, and with
	 * some (402, 406, 416 tried) the float32 central differences (h 1e-3, ReLU kinks) land
	 * at a rel error of 6e-3..1.5e-2, above this check's 5e-3. */
	lm_model *m = tiny_model_v(11, 96, 401);
	berr e;
	lm_lora_config lc = {.rank = 2, .alpha = 4, .targets = LM_LORA_ALL};
	CHECK(lm_lora_add(m, &lc, 5, &e) == 0 && lm_set_mode(m, LM_TRAIN_LORA, &e) == 0, "lora");
	lm_block b = lm_trainable(m);
	rng r;
	rng_seed(&r, 9, 9);
	for (size_t i = 0; i < b.n; i++) /* B nonzero, so every gradient is */
		b.params[i] = (float)(0.2 * (rng_unit(&r) - 0.5));
	int prompt[12], w1[6], l1[7], w2[5], l2[5];
	for (int i = 0; i < 12; i++)
		prompt[i] = LL_N0 + (int)rng_below(&r, 100);
	for (int i = 0; i < 6; i++)
		w1[i] = LL_N0 + (int)rng_below(&r, 100);
	for (int i = 0; i < 7; i++)
		l1[i] = LL_N0 + (int)rng_below(&r, 100);
	for (int i = 0; i < 5; i++) {
		w2[i] = LL_Q0 + (int)rng_below(&r, 7);
		l2[i] = LL_O0 + (int)rng_below(&r, 5);
	}
	lm_sft_ex sft[2] = {{prompt, w1, 12, 6, 1.0f}, {prompt + 4, w2, 8, 5, 0.5f}};
	lm_dpo_pair d[2] = {{prompt, w1, l1, 12, 6, 7, -30, -31}, {prompt + 2, w2, l2, 10, 5, 5, -20, -19}};
	float beta = 0.5f;
	lm_adamw_hp hp = lm_adamw_defaults();
	hp.grad_clip = 0;
	lm_adamw o;
	lm_adamw_init(&o, &hp, b.n);
	lm_pref_stats st;
	static const char *const what[] = {"SFT", "DPO", "SFT+DPO"};
	for (int v = 0; v < 3; v++) {
		int ns = v != 1 ? 2 : 0, nd = v != 0 ? 2 : 0;
		CHECK(lm_pref_step(m, &o, sft, ns, 1, d, nd, beta, 0, &st, &e) == 0, "step: %s",
		      e.msg);
		double L0 = pref_loss(m, sft, ns, d, nd, beta);
		CHECK(fabs(L0 - (st.sft_loss + st.dpo_loss)) < 1e-4, "%s: reported loss %g vs %g",
		      what[v], st.sft_loss + st.dpo_loss, L0);
		/* finite differences on 40 entries spread over the adapters */
		double num2 = 0, den2 = 0, an2 = 0;
		for (int k = 0; k < 40; k++) {
			size_t i = (size_t)k * (b.n / 40);
			float x = b.params[i], h = 1e-3f;
			b.params[i] = x + h;
			double lp = pref_loss(m, sft, ns, d, nd, beta);
			b.params[i] = x - h;
			double lm = pref_loss(m, sft, ns, d, nd, beta);
			b.params[i] = x;
			double fd = (lp - lm) / ((double)(x + h) - (double)(x - h));
			num2 += (fd - b.grads[i]) * (fd - b.grads[i]);
			den2 += fd * fd;
			an2 += (double)b.grads[i] * b.grads[i];
		}
		double rel = sqrt(num2) / (sqrt(den2) + sqrt(an2));
		CHECK(an2 > 0 && rel < 5e-3, "%s gradient vs finite differences: rel error %.2e",
		      what[v], rel);
		if (v == 1) { /* power: the DPO loss at another beta does not match this gradient */
			num2 = den2 = 0;
			for (int k = 0; k < 40; k++) {
				size_t i = (size_t)k * (b.n / 40);
				float x = b.params[i], h = 1e-3f;
				b.params[i] = x + h;
				double lp = pref_loss(m, sft, ns, d, nd, 1.2f * beta);
				b.params[i] = x - h;
				double lm = pref_loss(m, sft, ns, d, nd, 1.2f * beta);
				b.params[i] = x;
				double fd = (lp - lm) / ((double)(x + h) - (double)(x - h));
				num2 += (fd - b.grads[i]) * (fd - b.grads[i]);
				den2 += fd * fd;
			}
			rel = sqrt(num2) / (sqrt(den2) + sqrt(an2));
			CHECK(rel > 2e-2, "a 20%% different beta is caught: rel error %.2e", rel);
		}
	}
	/* training: the DPO margin grows and the SFT loss falls */
	double first = st.dpo_loss, sft0 = st.sft_loss;
	for (int s = 0; s < 30; s++)
		lm_pref_step(m, &o, sft, 2, 1, d, 2, beta, 1e-2f, &st, &e);
	CHECK(st.dpo_loss < first && st.dpo_acc == 1 && st.sft_loss < sft0,
	      "after 30 steps: dpo %g -> %g (acc %g), sft %g -> %g", first, st.dpo_loss, st.dpo_acc,
	      sft0, st.sft_loss);
	lm_adamw_free(&o);
	lm_free(m);
	lm_set_kernel(LM_KERNEL_BLAS);
}

static void test_strategy(void)
{
	mkproject(3, dims3);
	lm_model *m = tiny_model(3, 512); /* untrained: its samples are mostly not configs */
	const lma_recipe *rc = lma_recipe_get(LM_RECIPE_TINY);
	/* sampling is repeatable per seed */
	int prompt[4] = {LL_BOS, LL_TASK, LL_ANSWER, LL_INPUT};
	ll_seq a[3] = {0}, b[3] = {0};
	rng r1, r2;
	rng_seed(&r1, 4, 4);
	rng_seed(&r2, 4, 4);
	berr e;
	CHECK(lma_sample(m, prompt, 4, 3, 40, 1, NULL, &r1, a, &e) == 0 &&
		      lma_sample(m, prompt, 4, 3, 40, 1, NULL, &r2, b, &e) == 0, "sample");
	bool same = true;
	for (int i = 0; i < 3; i++) {
		same &= a[i].n == b[i].n && a[i].n > 0 &&
			memcmp(a[i].v, b[i].v, (size_t)a[i].n * sizeof(int)) == 0;
		ll_free(&a[i]);
		ll_free(&b[i]);
	}
	CHECK(same, "same seed, same samples");

	/* a history: the default evaluated and built; c1 failed */
	history h = {0};
	config d, c1;
	config_default(&P, &d);
	config_default(&P, &c1);
	c1.layers[0].reuse = 4;
	add(&h, &d, 0, TIER_BUDGET, 2.5, 0.01, NULL);
	add(&h, &c1, 0, TIER_FAILED, 0, NAN, "estimate: failed");
	author_ctx ctx = {.p = &P, .h = &h, .round = 1, .want = 6};
	rng_seed(&ctx.rng, 1, 1);
	/* the runner refuses a config whose evaluation failed, and one already evaluated */
	CHECK(!author_offer(&ctx, &c1, "again") && !author_offer(&ctx, &d, "again") &&
		      ctx.out.n == 0, "known configs are refused");
	lma_stats st;
	lma_recipe free_rc = *rc; /* unconstrained decoding: the samples are mostly not configs */
	free_rc.grammar = false;
	author_lm(&ctx, m, &free_rc, &st);
	CHECK(st.samples > 0 && st.syntax_bad > 0 && st.repaired == st.syntax_bad,
	      "untrained model: %ld samples, %ld syntax errors, %ld repaired", st.samples,
	      st.syntax_bad, st.repaired);
	CHECK(st.accepted == ctx.out.n && st.accepted + st.repeats <= st.samples &&
		      st.known_failed <= st.repeats, "accounting: %ld accepted, %ld repeats",
	      st.accepted, st.repeats);
	bool fresh = true;
	for (int i = 0; i < ctx.out.n; i++)
		fresh &= !history_has(&h, ctx.out.c[i].id) &&
			 strncmp(ctx.out.c[i].origin, "lm: sample", 10) == 0;
	CHECK(fresh, "every accepted config is new and from the LM");
	cands_free(&ctx.out);

	/* the same model with the grammar mask: no syntax errors, nothing repaired */
	CHECK(rc->grammar, "the tiny recipe decodes with the grammar");
	author_ctx cg = {.p = &P, .h = &h, .round = 1, .want = 6};
	rng_seed(&cg.rng, 1, 1);
	author_lm(&cg, m, rc, &st);
	CHECK(st.samples > 0 && st.syntax_bad == 0 && st.repaired == 0 && st.accepted > 0,
	      "masked: %ld samples, %ld syntax errors, %ld repaired, %ld accepted (%ld invalid)",
	      st.samples, st.syntax_bad, st.repaired, st.accepted, st.invalid);
	CHECK(st.accepted == cg.out.n && st.accepted + st.repeats <= st.samples &&
		      st.invalid <= st.accepted, "masked accounting: %ld accepted, %ld invalid",
	      st.accepted, st.invalid);
	fresh = true;
	for (int i = 0; i < cg.out.n; i++)
		fresh &= !history_has(&h, cg.out.c[i].id) &&
			 strncmp(cg.out.c[i].origin, "lm: sample", 10) == 0 &&
			 !strstr(cg.out.c[i].origin, "repaired");
	CHECK(fresh, "masked: every accepted config is new, sampled and not repaired");
	cands_free(&cg.out);
	config_free(&d);
	config_free(&c1);
	history_free(&h);
	lm_free(m);
}

/* walks s through a fresh grammar: every token allowed (by ll_gram_allows and by the mask),
 * complete after the last; returns the index of the first refused token or -1 */
/* walks s through a copy of g0 (as gram_walk) */
static int gram_walk_from(const ll_seq *s, const ll_gram *g0)
{
	ll_gram g = *g0;
	uint64_t mask[LL_MASK_WORDS];
	for (int i = 0; i < s->n; i++) {
		int cnt = ll_gram_mask(&g, mask);
		int t = s->v[i];
		if (cnt < 1 || !((mask[t / 64] >> (t % 64)) & 1) || ll_gram_done(&g) ||
		    ll_gram_push(&g, t) != 0)
			return i;
	}
	return ll_gram_done(&g) && ll_gram_mask(&g, mask) == 0 ? -1 : s->n;
}

static int gram_walk(const ll_seq *s, int n_layers)
{
	ll_gram g;
	ll_gram_init(&g, n_layers);
	return gram_walk_from(s, &g);
}

/* the mask never excludes the next token of an encoded config; it refuses what is out of
 * the domain; masked sampling from a tiny model gives completions that all decode */
static void test_grammar(void)
{
	static const int dims[4][2] = {{16, 64}, {64, 32}, {32, 8}, {8, 5}};
	int ok = 0, total = 0;
	for (int nl = 1; nl <= 4; nl++) {
		mkproject(nl, dims);
		author_ctx ctx = {.p = &P};
		rng_seed(&ctx.rng, 11, (uint64_t)nl);
		for (int i = 0; i < 200; i++, total++) {
			config c;
			author_random_config(&ctx, &c);
			int l = (int)rng_below(&ctx.rng, (uint64_t)nl);
			/* RFs of every encoded length, up to the limit; integer bits -99..99 */
			static const long rfs[] = {1, 99, 100, 9999, 10000, 999999, 1000000,
						   MAX_REUSE};
			if (i % 3 == 0)
				c.layers[l].reuse = rfs[rng_below(&ctx.rng, 8)];
			if (i % 4 == 1) {
				c.layers[l].accum.i = (int)rng_below(&ctx.rng, 199) - 99;
				c.layers[l].accum.w = 1 + (int)rng_below(&ctx.rng, FX_W_MAX);
			}
			ll_seq s = {0};
			ll_encode_config(&c, &s);
			int at = gram_walk(&s, nl);
			if (at < 0)
				ok++;
			else {
				char b[16];
				printf("grammar refused token %d ('%s') of a %d-layer config\n", at,
				       at < s.n ? ll_token_name(s.v[at], b) : "end", nl);
			}
			ll_free(&s);
			config_free(&c);
		}
	}
	CHECK(ok == total, "%d of %d encoded random configs fit the mask at every token", ok,
	      total);

	/* out of the domain: W 0 and 65, "-0", RF 0, a leading zero digit, RF above the limit */
	mkproject(1, dims);
	config c;
	config_default(&P, &c);
	ll_seq s = {0};
	ll_encode_config(&c, &s);
	ll_gram g;
	ll_gram_init(&g, 1);
	for (int i = 0; i < 4; i++) /* INPUT sign q o: next is W */
		ll_gram_push(&g, s.v[i]);
	CHECK(!ll_gram_allows(&g, LL_N0) && !ll_gram_allows(&g, LL_N0 + FX_W_MAX + 1) &&
		      !ll_gram_allows(&g, LL_NEG) && ll_gram_allows(&g, LL_N0 + FX_W_MAX),
	      "W is 1..%d", FX_W_MAX);
	ll_gram_push(&g, s.v[4]);
	CHECK(ll_gram_allows(&g, LL_N0) && ll_gram_push(&g, LL_NEG) == 0 &&
		      !ll_gram_allows(&g, LL_N0) && ll_gram_allows(&g, LL_N0 + 99) &&
		      !ll_gram_allows(&g, LL_NEG), "I: 0, or - and 1..99");
	int rf_at = s.n - 3; /* ... Strategy RF WeightFormat EOS */
	ll_gram_init(&g, 1);
	for (int i = 0; i < rf_at; i++)
		ll_gram_push(&g, s.v[i]);
	int pushed = ll_gram_push(&g, LL_X4);
	CHECK(!ll_gram_allows(&g, LL_N0) && ll_gram_allows(&g, LL_N0 + 67) &&
		      !ll_gram_allows(&g, LL_N0 + 68), "RF: no leading zero, at most %d", MAX_REUSE);
	pushed |= ll_gram_push(&g, LL_N0 + 67) | ll_gram_push(&g, LL_N0 + 10) |
		  ll_gram_push(&g, LL_N0 + 88);
	CHECK(pushed == 0 && ll_gram_allows(&g, LL_N0 + 64) && !ll_gram_allows(&g, LL_N0 + 65) &&
		      ll_gram_push(&g, LL_N0 + 65) == -1 && ll_gram_push(&g, LL_N0 + 64) == 0 &&
		      ll_gram_allows(&g, LL_WF0) && !ll_gram_allows(&g, LL_LATENCY) &&
		      !ll_gram_allows(&g, LL_EOS),
	      "RF 67108864 fits, 67108865 does not; a WeightFormat follows");
	ll_gram_init(&g, 1);
	for (int i = 0; i < rf_at; i++)
		ll_gram_push(&g, s.v[i]);
	CHECK(!ll_gram_allows(&g, LL_N0) && !ll_gram_allows(&g, LL_NEG) &&
		      ll_gram_allows(&g, LL_X2), "RF 0 and negative RFs are refused");
	ll_free(&s);
	config_free(&c);

	/* masked sampling from a tiny untrained model: every completion decodes, repeatably */
	mkproject(3, dims3);
	lm_model *m = tiny_model(5, 512);
	ll_seq prompt = {0};
	berr e;
	CHECK(ll_prompt_entries(&P, NULL, 0, 512, &prompt, &e) == 0, "prompt");
	int parsed = 0, same = 0, n = 24;
	float temps[] = {1.0f, 2.0f};
	for (int k = 0; k < 2; k++) {
		ll_seq a[24] = {0}, b[24] = {0};
		rng r1, r2;
		rng_seed(&r1, 6, (uint64_t)k);
		rng_seed(&r2, 6, (uint64_t)k);
		ll_gram_init(&g, 3);
		int max_new = ll_completion_max(3);
		CHECK(lma_sample(m, prompt.v, prompt.n, n, max_new, temps[k], &g, &r1, a, &e) == 0 &&
			      lma_sample(m, prompt.v, prompt.n, n, max_new, temps[k], &g, &r2, b,
					 &e) == 0, "masked sample: %s", e.msg);
		for (int i = 0; i < n; i++) {
			strbuf y = {0};
			int lok;
			parsed += ll_decode_config(a[i].v, a[i].n, &P, &y, &lok, &e) == a[i].n;
			same += a[i].n == b[i].n &&
				memcmp(a[i].v, b[i].v, (size_t)a[i].n * sizeof(int)) == 0;
			sb_free(&y);
			ll_free(&a[i]);
			ll_free(&b[i]);
		}
	}
	CHECK(parsed == 2 * n, "%d of %d masked samples decode", parsed, 2 * n);
	CHECK(same == 2 * n, "%d of %d masked samples repeat with the same seed", same, 2 * n);
	ll_free(&prompt);
	lm_free(m);
}

/* the cached decoder's logits match a full forward pass, with adapters on and off */
/* True if the project-aware grammar g (at layer l's ReuseFactor slot after strategy) admits
 * the tokens of rf. */
static bool gram_takes_rf(const ll_gram *g0, long rf)
{
	ll_gram g = *g0;
	ll_seq s = {0};
	ll_push_num(&s, rf);
	bool ok = true;
	for (int i = 0; i < s.n && ok; i++)
		ok = ll_gram_push(&g, s.v[i]) == 0;
	ok = ok && ll_gram_allows(&g, LL_WF0); /* the number is complete */
	ll_free(&s);
	return ok;
}

/* The project-aware mask: what a config may hold for this block and part. */
static void test_grammar_project(void)
{
	static const int dims[4][2] = {{16, 64}, {64, 32}, {32, 8}, {8, 5}};
	mkproject(4, dims);
	/* every random config (RFs valid for its strategy) and every streamed format that fits
	 * walks through the project's grammar */
	P.part.mem_gbps = 19.2;
	ll_gram pg;
	ll_gram_init_project(&pg, &P);
	author_ctx ctx = {.p = &P};
	rng_seed(&ctx.rng, 12, 0);
	int ok = 0;
	for (int i = 0; i < 300; i++) {
		config c;
		author_random_config(&ctx, &c);
		int l = i % 4;
		weight_format f = (weight_format)(i % WF_COUNT);
		berr fe;
		if (config_wfmt_fits(f, P.layers[l].n_in, P.layers[l].n_out, &fe) == 0)
			c.layers[l].wfmt = f;
		ll_seq s = {0};
		ll_encode_config(&c, &s);
		ok += gram_walk_from(&s, &pg) < 0;
		ll_free(&s);
		config_free(&c);
	}
	CHECK(ok == 300, "%d of 300 random configs fit the project's mask", ok);

	/* layer 1 (16 x 64): exactly RFs 1..1024 under Latency, hls4ml's under Resource */
	config c;
	config_default(&P, &c);
	ll_seq s = {0};
	ll_encode_config(&c, &s);
	int strat_at = -1, seen = 0;
	for (int i = 0; i < s.n; i++)
		if (s.v[i] == LL_L && ++seen == 2)
			strat_at = i - 3; /* layer 1's ... Strategy RF WeightFormat, then L */
	int wrong = 0, n_res = 0;
	for (int k = 0; k < 2; k++) {
		ll_gram g = pg;
		for (int i = 0; i < strat_at; i++)
			ll_gram_push(&g, s.v[i]);
		CHECK(ll_gram_push(&g, k ? LL_RESOURCE : LL_LATENCY) == 0, "strategy");
		for (long rf = 1; rf <= 1100; rf++) {
			long lo, hi;
			bool want = rf <= 1024 && (!k || hls4ml_rf_valid(16, 64, rf, &lo, &hi));
			n_res += k && want;
			wrong += gram_takes_rf(&g, rf) != want;
		}
		wrong += gram_takes_rf(&g, 4096) || gram_takes_rf(&g, 1000000);
	}
	CHECK(wrong == 0 && n_res > 2 && n_res < 1024,
	      "RFs admitted = the layer's valid ones (%d wrong; %d valid under Resource)", wrong,
	      n_res);
	/* WeightFormat: layer 1 has 16 inputs, so no INT4 group of 32..128 divides them */
	ll_gram g = pg;
	for (int i = 0; i < strat_at + 2; i++)
		ll_gram_push(&g, s.v[i]);
	CHECK(ll_gram_allows(&g, LL_WF0 + WF_ROM) && ll_gram_allows(&g, LL_WF0 + WF_W8) &&
		      !ll_gram_allows(&g, LL_WF0 + WF_INT4_G32) &&
		      !ll_gram_allows(&g, LL_WF0 + WF_INT4_G128),
	      "16 inputs: rom and w8, no INT4");
	ll_gram_free(&pg);
	P.part.mem_gbps = 0;
	ll_gram_init_project(&pg, &P);
	g = pg;
	for (int i = 0; i < strat_at + 2; i++)
		ll_gram_push(&g, s.v[i]);
	CHECK(ll_gram_allows(&g, LL_WF0 + WF_ROM) && !ll_gram_allows(&g, LL_WF0 + WF_W8),
	      "no external memory: rom only");
	/* an unsigned type cannot wrap sign-magnitude (fx_valid) */
	g = pg;
	ll_gram_push(&g, LL_INPUT);
	ll_gram_push(&g, LL_UNSIGNED);
	ll_gram_push(&g, LL_Q0);
	CHECK(!ll_gram_allows(&g, LL_O0 + FX_WRAP_SM) && ll_gram_allows(&g, LL_O0 + FX_WRAP),
	      "unsigned: no WRAP_SM");
	ll_free(&s);
	config_free(&c);

	/* masked samples of an untrained model under the project's mask parse, and hls4ml
	 * accepts every ReuseFactor */
	mkproject(3, dims3);
	ll_gram_free(&pg);
	ll_gram_init_project(&pg, &P);
	lm_model *m = tiny_model(7, 512);
	ll_seq prompt = {0};
	berr e;
	CHECK(ll_prompt_entries(&P, NULL, 0, 512, &prompt, &e) == 0, "prompt");
	ll_seq out[24] = {0};
	rng r;
	rng_seed(&r, 8, 0);
	CHECK(lma_sample(m, prompt.v, prompt.n, 24, ll_completion_max(3), 1.5f, &pg, &r, out,
			 &e) == 0, "sample: %s", e.msg);
	int parsed = 0, rf_bad = 0;
	for (int i = 0; i < 24; i++) {
		strbuf y = {0}, rep = {0};
		int lok;
		config x;
		if (ll_decode_config(out[i].v, out[i].n, &P, &y, &lok, &e) == out[i].n &&
		    config_parse("candidate", y.s, y.len, &P, &x, &e) == 0) {
			parsed++;
			rf_bad += config_check_hls4ml(&x, &P, &rep);
			config_free(&x);
		}
		sb_free(&y);
		sb_free(&rep);
		ll_free(&out[i]);
	}
	CHECK(parsed == 24 && rf_bad == 0, "%d of 24 project-masked samples parse, %d RFs hls4ml "
	      "refuses", parsed, rf_bad);

	/* copy-biased decoding: keep 1 copies the anchor exactly; keep 0.9 gives configs that
	 * parse and differ from it in few slots; same seed, same samples */
	config an;
	config_default(&P, &an);
	an.layers[1].reuse = 8;
	ll_seq aseq = {0};
	ll_encode_config(&an, &aseq);
	int exact = 0, near = 0, same = 0, changed = 0;
	for (int k = 0; k < 2; k++) {
		float keep = k ? 0.9f : 1.0f;
		ll_seq a[16] = {0}, b[16] = {0};
		rng r1, r2;
		rng_seed(&r1, 9, (uint64_t)k);
		rng_seed(&r2, 9, (uint64_t)k);
		CHECK(lma_sample_copy(m, prompt.v, prompt.n, 16, ll_completion_max(3), 1.0f, &pg, &aseq,
				      keep, &r1, a, &e) == 0 &&
			      lma_sample_copy(m, prompt.v, prompt.n, 16, ll_completion_max(3), 1.0f, &pg,
					      &aseq, keep, &r2, b, &e) == 0, "copy sample: %s", e.msg);
		for (int i = 0; i < 16; i++) {
			bool eq = a[i].n == aseq.n &&
				  memcmp(a[i].v, aseq.v, (size_t)aseq.n * sizeof(int)) == 0;
			same += a[i].n == b[i].n &&
				memcmp(a[i].v, b[i].v, (size_t)a[i].n * sizeof(int)) == 0;
			if (!k)
				exact += eq;
			else {
				strbuf y = {0};
				int lok;
				config x;
				if (ll_decode_config(a[i].v, a[i].n, &P, &y, &lok, &e) == a[i].n &&
				    config_parse("candidate", y.s, y.len, &P, &x, &e) == 0) {
					near++;
					changed += !config_equal(&x, &an);
					config_free(&x);
				}
				sb_free(&y);
			}
			ll_free(&a[i]);
			ll_free(&b[i]);
		}
	}
	CHECK(exact == 16, "keep 1: %d of 16 samples are the anchor", exact);
	CHECK(near == 16 && changed > 0, "keep 0.9: %d of 16 parse, %d differ from the anchor", near,
	      changed);
	CHECK(same == 32, "copy sampling repeats with the same seed (%d of 32)", same);
	ll_free(&aseq);
	config_free(&an);
	ll_free(&prompt);
	lm_free(m);
	ll_gram_free(&pg);
}

static void test_kv(void)
{
	lm_model *m = tiny_model(21, 64);
	berr e;
	lm_lora_config lc = {.rank = 2, .alpha = 4, .targets = LM_LORA_ALL};
	lm_lora_add(m, &lc, 3, &e);
	lm_block lb = {.params = m->lora_mem, .n = m->nlora};
	rng r;
	rng_seed(&r, 2, 2);
	for (size_t i = 0; i < lb.n; i++)
		lb.params[i] = (float)(0.3 * (rng_unit(&r) - 0.5));
	int V = m->cfg.vocab;
	for (int on = 0; on < 2; on++) {
		lm_lora_enable(m, on);
		int seq[3][20];
		for (int k = 0; k < 3; k++)
			for (int i = 0; i < 20; i++)
				seq[k][i] = i < 8 ? 300 + i : (int)rng_below(&r, (uint64_t)V);
		lm_kv kv;
		const float *lg;
		CHECK(lm_kv_init(&kv, m, 3, 20, &e) == 0 &&
			      lm_kv_prefill(m, &kv, seq[0], 8, &lg, &e) == 0, "prefill");
		double worst = 0;
		for (int t = 8; t < 20; t++) {
			float *got = xmalloc(3 * (size_t)V * sizeof *got);
			memcpy(got, lg, 3 * (size_t)V * sizeof *got);
			for (int k = 0; k < 3; k++) {
				lm_forward(m, seq[k], NULL, 1, t, &e);
				const float *want = m->a.logits + (size_t)(t - 1) * V;
				for (int v = 0; v < V; v++) {
					double d = fabs(want[v] - got[(size_t)k * V + v]);
					worst = d > worst ? d : worst;
				}
			}
			free(got);
			int tok[3] = {seq[0][t], seq[1][t], seq[2][t]};
			if (t + 1 < 20)
				lm_kv_step(m, &kv, tok, &lg, &e);
		}
		CHECK(worst < 1e-4, "adapters %s: kv logits within %.2e of a full pass",
		      on ? "on" : "off", worst);
		int tok[3] = {0, 0, 0};
		CHECK(kv.len == 19 && lm_kv_step(m, &kv, tok, &lg, &e) == 0 &&
			      lm_kv_step(m, &kv, tok, &lg, &e) != 0 && strstr(e.msg, "full"),
		      "a full cache: %s", e.msg);
		lm_kv_free(&kv);
	}
	lm_free(m);
}

int main(void)
{
	test_kv();
	test_language();
	test_grammar();
	test_grammar_project();
	test_prompt();
	test_proxy();
	test_pref();
	test_strategy();
	return t_done("test_lmauthor");
}
