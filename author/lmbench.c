/* lmbench.c - burn author-bench: runs search strategies round after round in one process, on
 * the same evaluation as a sweep at estimate fidelity (csim + the analytical estimate +
 * the reward, as burn csim/estimate/reward compute them), for several seeds, and writes every
 * evaluation as a CSV row. The strategies are the ones `burn author` runs, with the same
 * seeds per round and the same random top-up; lm-ttt trains its adapters before every round
 * r >= 1 as `burn author-train` does. What it saves is the process starts and Ninja's
 * restarts, which dominate a small sweep: tests/bench_lm.sh uses it for the benchmark of
 * docs/PERFORMANCE.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "author/lmauthor.h"
#include "gen/cmds.h"
#include "gen/estimate.h"
#include "gen/reward.h"
#include "kernels/csim.h"
#include "lm/ckpt.h"

const char usage_author_bench[] =
	"usage: burn author-bench PROJECT.yaml --strategies LIST --seeds LIST --rounds R\n"
	"                         --per-round K [--base BASE.lmw] [--free-decoding]\n"
	"                         [--plain-grammar] [--temperature T] [--copy P] -o OUT.csv\n"
	"\n"
	"Runs each strategy (heuristic, random, rf, lm, lm-ttt) for each seed over R rounds of K\n"
	"candidates in one process, evaluated as a sweep does at estimate fidelity (csim, the\n"
	"analytical estimate, the reward), and writes one CSV row per evaluation: strategy, seed,\n"
	"round, the evaluation's index, tier, reward, max_err, valid, origin. lm and lm-ttt need\n"
	"--base (burn author-pretrain); their per-round counts go to OUT.csv.lm (CSV).\n"
	"--free-decoding samples without the grammar mask (the recipe's grammar off);\n"
	"--plain-grammar with the project-free mask (no per-layer ReuseFactor or format rules);\n"
	"--temperature T samples at T instead of the recipe's first temperature;\n"
	"--copy P decodes copy-biased: each slot keeps the best config's value with probability P.\n";

/* One evaluation, as burn csim + estimate + reward at estimate fidelity. */
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
	if (!k->valid || config_parse("candidate", k->config, strlen(k->config), p, &c, &e) != 0) {
		r->tier = TIER_FAILED;
		r->failed_step = xstrdup("hlsgen");
		r->error = xstrdup(k->error ? k->error : e.msg);
		return;
	}
	csim_result cr;
	estimate est;
	if (csim_run(p, &c, &cr, &e) != 0 || estimate_run(p, &c, &est, &e) != 0) {
		r->tier = TIER_FAILED;
		r->failed_step = xstrdup("csim");
		r->error = xstrdup(e.msg);
		config_free(&c);
		return;
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
	if (out.tier == TIER_FAILED) {
		r->failed_step = xstrdup("reward");
		r->error = xstrdup(out.why ? out.why : "failed");
	}
	csim_free(&cr);
	estimate_free(&est);
	config_free(&c);
}

static void split(const char *s, strbuf *items)
{
	sb_puts(items, s);
	for (char *c = items->s; *c; c++)
		if (*c == ',')
			*c = '\0';
}

int cmd_author_bench(int argc, char **argv)
{
	const char *proj = NULL, *out = NULL, *base = NULL, *strats = NULL, *seeds = NULL;
	long rounds = 0, per = 0;
	bool free_decoding = false, plain_grammar = false;
	double temperature = 0, copy = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--free-decoding") == 0)
			free_decoding = true;
		else if (strcmp(argv[i], "--plain-grammar") == 0)
			plain_grammar = true;
		else if (strcmp(argv[i], "--copy") == 0 && i + 1 < argc) {
			if (parse_double(argv[++i], &copy) != 0 || !(copy >= 0) || copy > 1)
				die(EXIT_BADINPUT, "author-bench: --copy wants a probability in [0, 1], "
						   "not '%s'", argv[i]);
		} else if (strcmp(argv[i], "--temperature") == 0 && i + 1 < argc) {
			if (parse_double(argv[++i], &temperature) != 0 || !(temperature > 0) ||
			    temperature > 10)
				die(EXIT_BADINPUT, "author-bench: --temperature wants a number in (0, 10], "
						   "not '%s'", argv[i]);
		}
		else if (strcmp(argv[i], "--base") == 0 && i + 1 < argc)
			base = argv[++i];
		else if (strcmp(argv[i], "--strategies") == 0 && i + 1 < argc)
			strats = argv[++i];
		else if (strcmp(argv[i], "--seeds") == 0 && i + 1 < argc)
			seeds = argv[++i];
		else if (strcmp(argv[i], "--rounds") == 0 && i + 1 < argc) {
			if (parse_long(argv[++i], &rounds) != 0 || rounds < 1 || rounds > 1000)
				die(EXIT_BADINPUT, "author-bench: bad --rounds '%s'", argv[i]);
		} else if (strcmp(argv[i], "--per-round") == 0 && i + 1 < argc) {
			if (parse_long(argv[++i], &per) != 0 || per < 1 || per > 100000)
				die(EXIT_BADINPUT, "author-bench: bad --per-round '%s'", argv[i]);
		} else if (argv[i][0] == '-' || proj)
			die(EXIT_BADINPUT, "author-bench: unexpected argument '%s'", argv[i]);
		else
			proj = argv[i];
	}
	if (!proj || !out || !strats || !seeds || rounds < 1 || per < 1) {
		fputs(usage_author_bench, stderr);
		return EXIT_BADINPUT;
	}
	berr e;
	project p;
	if (project_load(proj, true, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_CALIB | HAS_PART | HAS_CLOCK | HAS_EPS, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	strbuf sl = {0}, dl = {0}, csv = {0}, lmcsv = {0};
	split(strats, &sl);
	split(seeds, &dl);
	sb_puts(&csv, "strategy,seed,round,index,tier,reward,max_err,valid,origin\n");
	sb_puts(&lmcsv, "strategy,seed,round,samples,syntax_bad,repaired,invalid,repeats,"
			"known_failed,accepted,prompt_tokens\n");
	for (const char *st = sl.s; st < sl.s + sl.len + 1 && *st; st += strlen(st) + 1) {
		search_strategy s = STRAT_N;
		for (int k = 0; k < STRAT_N; k++)
			if (strcmp(st, search_strategy_name((search_strategy)k)) == 0)
				s = (search_strategy)k;
		if (s == STRAT_N || s == STRAT_COMMAND)
			die(EXIT_BADINPUT, "author-bench: strategy '%s' (heuristic, random, rf, lm, "
					   "lm-ttt)", st);
		bool lm = s == STRAT_LM || s == STRAT_LM_TTT;
		if (lm && !base)
			die(EXIT_BADINPUT, "author-bench: %s needs --base", st);
		for (const char *sd = dl.s; sd < dl.s + dl.len + 1 && *sd; sd += strlen(sd) + 1) {
			long seed;
			if (parse_long(sd, &seed) != 0 || seed < 0)
				die(EXIT_BADINPUT, "author-bench: bad seed '%s'", sd);
			p.search.strategy = s;
			p.search.seed = seed;
			p.search.per_round = per;
			lma_recipe rcopy = *lma_recipe_get(p.search.lm_recipe);
			rcopy.grammar &= !free_decoding;
			rcopy.project_mask &= !plain_grammar;
			if (temperature > 0)
				rcopy.temperature = (float)temperature;
			if (copy >= 0)
				rcopy.copy = (float)copy;
			const lma_recipe *rc = &rcopy;
			history h = {0};
			long index = 0;
			for (long r = 0; r < rounds; r++) {
				author_ctx ctx = {.p = &p, .h = &h, .round = r, .want = per};
				rng_seed(&ctx.rng, (uint64_t)seed, (uint64_t)r);
				lma_stats ls = {0};
				if (s == STRAT_HEURISTIC)
					author_heuristic(&ctx);
				else if (s == STRAT_RANDOM)
					author_random(&ctx);
				else if (s == STRAT_RF)
					author_rf(&ctx, p.search.pool);
				else {
					lm_model *m = lm_load(base, &rc->cfg, &e);
					if (!m)
						die(EXIT_BADINPUT, "author-bench: %s", e.msg);
					if (s == STRAT_LM_TTT && r > 0 &&
					    lma_train(rc, m, &p, &h, (uint64_t)seed * 1000003u + (uint64_t)r,
						      NULL, NULL, &e) != 0)
						die(EXIT_INTERNAL, "author-bench: %s", e.msg);
					author_lm(&ctx, m, rc, &ls);
					lm_free(m);
					sb_printf(&lmcsv, "%s,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld,%ld\n", st,
						  seed, r, ls.samples, ls.syntax_bad, ls.repaired,
						  ls.invalid, ls.repeats, ls.known_failed, ls.accepted,
						  ls.prompt_tokens);
				}
				author_top_up(&ctx);
				for (int i = 0; i < ctx.out.n; i++) {
					h.r = xreallocarray(h.r, (size_t)h.n + 1, sizeof *h.r);
					record *rec = &h.r[h.n++];
					evaluate(&p, &ctx.out.c[i], r, rec);
					h.cap = h.n;
					/* the origin's strategy prefix ("lm", "random" for top-ups) */
					char origin[64];
					snprintf(origin, sizeof origin, "%s", rec->origin);
					origin[strcspn(origin, ":,\"\n")] = '\0';
					sb_printf(&csv, "%s,%ld,%ld,%ld,%s,%.10g,%.6g,%d,%s\n", st, seed, r,
						  ++index, reward_tier_name(rec->tier), rec->reward,
						  rec->max_err, rec->valid, origin);
				}
				cands_free(&ctx.out);
			}
			int b = history_best(&h);
			fprintf(stderr, "author-bench: %s seed %ld: best %.4f\n", st, seed,
				b >= 0 ? h.r[b].reward : 0.0);
			history_free(&h);
		}
	}
	if (write_file_atomic(out, csv.s, csv.len, false, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	char *lmp = xmalloc(strlen(out) + 4);
	sprintf(lmp, "%s.lm", out);
	if (write_file_atomic(lmp, lmcsv.s, lmcsv.len, false, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(lmp);
	sb_free(&sl);
	sb_free(&dl);
	sb_free(&csv);
	sb_free(&lmcsv);
	project_free(&p);
	return 0;
}
