/* author.c - burn author: runs a round's strategy, validates and deduplicates what it offers,
 * and writes the round's candidate list. The step is cached like any other. */
#include "author/author.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "author/command.h"
#include "author/lmauthor.h"
#include "lm/ckpt.h"
#include "gen/cmds.h"
#include "gen/opts.h"
#include "gen/step.h"

/* Bump when the strategies' output for the same inputs changes. */
enum { AUTHOR_VERSION = 2 };

const char usage_author[] =
	"usage: burn author FACET --round R -o OUT.json [--lm-base F [--lm-adapter F]]\n"
	"                   [RESULTS.json ...]\n"
	"\n"
	"Proposes round R's candidate configs with the project's search strategy, from the\n"
	"project facet and the results of every earlier round (the repair loop: failures and\n"
	"their error text are in those results). Writes the candidate list as JSON.\n"
	"A build step of the generated manifest; cached by the content hash of its inputs.\n"
	"  --lm-base F     the lm and lm-ttt strategies' base model (burn author-pretrain)\n"
	"  --lm-adapter F  lm-ttt: the LoRA adapters trained on the earlier rounds (author-train)\n"
	"  --command-dir D the command strategy: a relative program path (with a '/') is\n"
	"                  relative to D, the project file's folder (not part of the key)\n";

void cand_id_of(const char *text, size_t len, bool valid, char out[CAND_ID_LEN + 1])
{
	XXH128_hash_t h = XXH3_128bits_withSeed(text, len, valid ? 0 : 1);
	snprintf(out, CAND_ID_LEN + 1, "%016llx%016llx", (unsigned long long)h.high64,
		 (unsigned long long)h.low64);
}

static bool known(const author_ctx *ctx, const char *id)
{
	return history_has(ctx->h, id) || cands_find(&ctx->out, id) >= 0;
}

static void push(author_ctx *ctx, const char *id, bool valid, const char *origin, const char *text,
		 const char *error)
{
	cand_list *l = &ctx->out;
	l->c = xreallocarray(l->c, (size_t)l->n + 1, sizeof *l->c);
	candidate *c = &l->c[l->n++];
	memcpy(c->id, id, CAND_ID_LEN + 1);
	c->valid = valid;
	/* origin is one line of printable text */
	c->origin = xstrndup(origin, strnlen(origin, 200));
	for (char *s = c->origin; *s; s++)
		if ((unsigned char)*s < 0x20)
			*s = ' ';
	c->config = xstrdup(text);
	c->error = error ? xstrdup(error) : NULL;
}

bool author_offer(author_ctx *ctx, const config *c, const char *origin)
{
	ctx->offers++;
	if (author_full(ctx))
		return false;
	strbuf b = {0};
	config_write_canonical(c, ctx->p, &b);
	char id[CAND_ID_LEN + 1];
	cand_id_of(b.s, b.len, true, id);
	bool fresh = !known(ctx, id);
	if (fresh)
		push(ctx, id, true, origin, b.s, NULL);
	sb_free(&b);
	return fresh;
}

void author_top_up(author_ctx *ctx)
{
	/* Strategies that run out of ideas are topped up at random, so every round has its
	 * budget of evaluations; a bounded number of tries keeps a tiny space from looping. */
	for (int tries = 0; !author_full(ctx) && tries < 100 * (int)ctx->want; tries++) {
		config c;
		author_random_config(ctx, &c);
		author_offer(ctx, &c, "random: top-up");
		config_free(&c);
	}
}

bool author_offer_text(author_ctx *ctx, const char *text, size_t len, const char *origin)
{
	if (len > MAX_CONFIG_BYTES || memchr(text, '\0', len)) {
		ctx->offers++;
		return false;
	}
	config c;
	berr e;
	if (config_parse("candidate", text, len, ctx->p, &c, &e) == 0) {
		bool ok = author_offer(ctx, &c, origin);
		config_free(&c);
		return ok;
	}
	ctx->offers++;
	if (author_full(ctx))
		return false;
	char id[CAND_ID_LEN + 1];
	char *t = xstrndup(text, len);
	cand_id_of(t, len, false, id);
	bool fresh = !known(ctx, id);
	if (fresh)
		push(ctx, id, false, origin, t, e.msg);
	free(t);
	return fresh;
}

int cmd_author(int argc, char **argv)
{
	const char *out = NULL, *lm_base = NULL, *lm_adapter = NULL, *command_dir = NULL, *round_s = NULL;
	long round = -1;
	const optdef opts[] = {{"-o", &out, NULL},
			    {"--lm-base", &lm_base, NULL},
			    {"--lm-adapter", &lm_adapter, NULL},
			    {"--command-dir", &command_dir, NULL},
			    {"--round", &round_s, NULL}};
	/* the facet, then every earlier round's results */
	const char **pos = xcalloc((size_t)argc, sizeof *pos);
	int npos = opts_step("author", argc - 1, argv + 1, opts, 5, pos, argc, usage_author);
	if (npos < 0 || opts_long("author", "--round", round_s, 0, 1000000, &round) != 0) {
		free(pos);
		return EXIT_BADINPUT;
	}
	const char *facet = npos > 0 ? pos[0] : NULL;
	const char **results = pos + (npos > 0);
	int nres = npos > 0 ? npos - 1 : 0;
	if (!facet || !out || round < 0) {
		fputs(usage_author, stderr);
		free(pos);
		return EXIT_BADINPUT;
	}
	berr e;
	project p;
	if (project_load(facet, false, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_PART | HAS_CLOCK | HAS_EPS | HAS_SEARCH, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	bool lm = p.search.strategy == STRAT_LM || p.search.strategy == STRAT_LM_TTT;
	if (lm && !lm_base)
		die(EXIT_BADINPUT, "author: strategy %s needs --lm-base",
		    search_strategy_name(p.search.strategy));

	step s;
	const char *outs[] = {out};
	step_begin(&s, "author", AUTHOR_VERSION, 1, outs);
	if (step_key_file(&s, "facet", facet, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	char rbuf[32];
	snprintf(rbuf, sizeof rbuf, "%ld", round);
	step_key_bytes(&s, "round", rbuf, strlen(rbuf));
	for (int i = 0; i < nres; i++)
		if (step_key_file(&s, "results", results[i], &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	if (lm) { /* the sampling settings live in the recipe */
		strbuf tt = {0};
		lma_ttt_text(lma_recipe_get(p.search.lm_recipe), &tt);
		step_key_bytes(&s, "lm-recipe", tt.s, tt.len);
		sb_free(&tt);
	}
	if ((lm && step_key_file(&s, "lm-base", lm_base, &e) != 0) ||
	    (lm && lm_adapter && step_key_file(&s, "lm-adapter", lm_adapter, &e) != 0))
		die(EXIT_BADINPUT, "%s", e.msg);
	if (step_lookup(&s)) {
		project_free(&p);
		free(pos);
		return 0;
	}

	history h = {0};
	for (int i = 0; i < nres; i++)
		if (history_read(results[i], &h, &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	author_ctx ctx = {.p = &p, .h = &h, .round = round, .want = p.search.per_round};
	bool cached = true; /* a failed external author is not cached: a rerun asks it again */
	rng_seed(&ctx.rng, (uint64_t)p.search.seed, (uint64_t)round);
	ctx.out.round = round;
	ctx.out.strategy = xstrdup(search_strategy_name(p.search.strategy));
	switch (p.search.strategy) {
	case STRAT_HEURISTIC:
		author_heuristic(&ctx);
		break;
	case STRAT_RANDOM:
		author_random(&ctx);
		break;
	case STRAT_RF:
		author_rf(&ctx, p.search.pool);
		break;
	case STRAT_LM:
	case STRAT_LM_TTT: {
		const lma_recipe *rc = lma_recipe_get(p.search.lm_recipe);
		lm_model *m = lm_load(lm_base, &rc->cfg, &e);
		if (!m || (lm_adapter && lm_load_lora(lm_adapter, m, &e) != 0))
			die(EXIT_BADINPUT, "author: %s", e.msg);
		lma_stats st;
		author_lm(&ctx, m, rc, &st);
		lm_free(m);
		static const char *const keys[] = {"samples", "syntax_bad", "repaired", "invalid",
			"repeats", "known_failed", "accepted", "prompt_tokens"};
		long vals[] = {st.samples, st.syntax_bad, st.repaired, st.invalid, st.repeats,
			       st.known_failed, st.accepted, st.prompt_tokens};
		for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++) {
			ctx.out.stat_key[ctx.out.n_stats] = keys[k];
			ctx.out.stat_val[ctx.out.n_stats++] = vals[k];
		}
		break;
	}
	case STRAT_COMMAND: {
		author_cmd_opts o = {.timeout_s = p.search.timeout_s,
				     .max_output = (size_t)p.search.max_output};
		author_cmd_stats st;
		/* a relative program path (with a '/') is relative to the project's folder */
		char **cmd = p.search.command;
		char *resolved = NULL;
		size_t na = 0;
		while (cmd[na])
			na++;
		char **av = xcalloc(na + 1, sizeof *av);
		memcpy(av, cmd, na * sizeof *av);
		if (command_dir && cmd[0][0] != '/' && strchr(cmd[0], '/'))
			av[0] = resolved = path_join(command_dir, cmd[0]);
		int crc = author_command(&ctx, av, &o, &st, &e);
		free(resolved);
		free(av);
		if (crc != 0) {
			warn("%s; the round is topped up at random", e.msg);
			cached = false;
		}
		break;
	}
	default:
		die(EXIT_INTERNAL, "author: unknown strategy");
	}
	author_top_up(&ctx);
	strbuf b = {0};
	cands_write(&ctx.out, &b);
	if (write_file_atomic(out, b.s, b.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	step_finish(&s, cached);
	sb_free(&b);
	cands_free(&ctx.out);
	history_free(&h);
	project_free(&p);
	free(pos);
	return 0;
}
