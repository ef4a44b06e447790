/* lmauthor.h - the LM config author: pretraining recipes (burn author-pretrain), test-time
 * training of LoRA adapters on a sweep's own results (burn author-train: SFT + DPO), and the
 * strategies lm (frozen base) and lm-ttt (base + the adapter trained after the last round).
 * docs/LM_AUTHOR.md. */
#ifndef BURN_AUTHOR_LMAUTHOR_H
#define BURN_AUTHOR_LMAUTHOR_H

#include <stdio.h>

#include "author/author.h"
#include "author/lmlang.h"
#include "lm/model.h"

/* A recipe: the model, its pretraining, its test-time training and its sampling. */
typedef struct {
	const char *name;
	lm_config cfg;
	uint64_t seed;
	int threads;          /* OpenBLAS threads (the bytes of the result depend on it) */
	long steps;           /* pretraining steps */
	int tasks, per_task;  /* a batch: tasks x examples per task */
	float lr, lr_min;
	long warmup;
	/* test-time training */
	int rank;
	float alpha;
	long ttt_steps;
	float ttt_lr, beta, sft_weight;
	int sft_top, dpo_pairs;
	/* sampling */
	float temperature;
	bool grammar;         /* constrained decoding: logits masked to the completion grammar */
	bool project_mask;    /* ... the project-aware grammar (ll_gram_init_project) */
	float copy;           /* copy-biased decoding: each slot keeps the best config's value
			       * with this probability (0: off; needs grammar) */
} lma_recipe;

/* The recipe of id. */
const lma_recipe *lma_recipe_get(lm_recipe_id id);

/* Appends the canonical text of r's model and pretraining fields (the pretraining key). */
void lma_recipe_text(const lma_recipe *r, strbuf *b);
/* Appends the canonical text of r's test-time training and sampling fields (in the train
 * step's key; the author's key has the facet, and the base and adapter bytes). */
void lma_ttt_text(const lma_recipe *r, strbuf *b);

/* Pretrains the base model of recipe r on synthetic tasks and writes it to out; progress
 * lines go to log (if not NULL). -1 with e set on failure. */
int lma_pretrain(const lma_recipe *r, const char *out, FILE *log, berr *e);

/* Trains LoRA adapters (recipe r's shape) on base for project p's results h so far and writes
 * them to out: SFT on the best records (weights exp(4 (reward - best))), each after the prompt
 * its round's author saw, and DPO on (better, worse) pairs of one round; the reference
 * log-probabilities are the base's (adapters off). seed picks the adapters' initial A. The
 * trained adapters stay on base (turned on); out may be NULL (not saved). */
int lma_train(const lma_recipe *r, lm_model *base, const project *p, const history *h,
	      uint64_t seed, const char *out, FILE *log, berr *e);

/* What the LM author did in a round (written into the candidate list's author_stats). */
typedef struct {
	long samples;        /* completions drawn */
	long syntax_bad;     /* completions that did not fit the grammar (0 with recipe.grammar) */
	long repaired;       /* of those, completed from the best config so far and offered */
	long invalid;        /* offered completions the config parser refused (failed candidates) */
	long repeats;        /* offers dropped: evaluated before or drawn earlier this round */
	long known_failed;   /* of the repeats, configs whose evaluation had failed */
	long accepted;       /* candidates from the LM (the rest of the round is random top-up) */
	long prompt_tokens;
} lma_stats;

/* The lm / lm-ttt strategy: round 0 offers config_default() first; then completions sampled
 * from m (with its adapters as loaded) after the round's prompt, in batches at a rising
 * temperature until the round is full or 8 x want samples were drawn. */
void author_lm(author_ctx *ctx, lm_model *m, const lma_recipe *r, lma_stats *st);

/* lma_sample, copy-biased: at the start of every grammar slot a row keeps anchor's value
 * for that slot (copied token by token) with probability keep (one extra RNG draw per slot),
 * else samples it from the model; a copied token the grammar refuses (an anchor the
 * project-aware mask does not allow) ends the copy. Without g, anchor or keep > 0 it is
 * lma_sample. */
int lma_sample_copy(lm_model *m, const int *prompt, int np, int n, int max_new,
		    float temperature, const ll_gram *g, const ll_seq *anchor, float keep, rng *r,
		    ll_seq *out, berr *e);

/* Draws n completions after prompt (np tokens) from m, all at once (one batch row each),
 * each up to max_new tokens or its LL_EOS; out[i] gets completion i. With g (not NULL) every
 * row starts from a copy of g and samples only among the tokens it allows (the other logits
 * masked to -inf), so each completion fits the grammar; the RNG draws are the same either
 * way (one per token). -1 with e set. */
int lma_sample(lm_model *m, const int *prompt, int np, int n, int max_new, float temperature,
	       const ll_gram *g, rng *r, ll_seq *out, berr *e);

#endif
