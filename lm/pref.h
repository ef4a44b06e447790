/* pref.h - fine-tuning on (prompt, completion) sequences: one step of weighted supervised
 * fine-tuning (SFT) plus direct preference optimisation (DPO) on (better, worse) pairs, for
 * whichever block the model's mode trains (LoRA adapters in test-time training). Only the
 * completion tokens carry loss. Domain-free: the LM author (author/lmauthor.c) builds the
 * sequences. */
#ifndef BURN_LM_PREF_H
#define BURN_LM_PREF_H

#include "lm/model.h"
#include "lm/optim.h"

/* One SFT example: a completion after a prompt, and its weight (>= 0). */
typedef struct {
	const int *prompt, *comp;
	int np, nc;
	float w;
} lm_sft_ex;

/* One DPO pair: the better and the worse completion of one prompt, and their reference
 * log-probabilities (the model with adapters off: lm_seq_logprob). */
typedef struct {
	const int *prompt, *win, *lose;
	int np, nw, nl;
	double ref_win, ref_lose;
} lm_dpo_pair;

/* What a step measured (before its update). */
typedef struct {
	double sft_loss;   /* sum_i w_i mean_t CE_i / sum_i w_i (0 without SFT examples) */
	double dpo_loss;   /* mean over pairs of -log sigmoid(z), z = beta (dwin - dlose) */
	double dpo_acc;    /* fraction of pairs with z > 0 */
	double gnorm;      /* gradient norm before clipping */
} lm_pref_stats;

/* One step: zeroes the gradients, adds the gradient of sft_weight * the SFT loss and of the
 * mean DPO loss (temperature beta), clips and updates with AdamW at lr. The prompts and
 * completions must fit the context (np + nc - 1 <= ctx). -1 with e set on bad input. */
int lm_pref_step(lm_model *m, lm_adamw *o, const lm_sft_ex *sft, int ns, float sft_weight,
		 const lm_dpo_pair *dpo, int nd, float beta, float lr, lm_pref_stats *st, berr *e);

/* lp[i] = log p(rows[i].comp | rows[i].prompt) under the model as it is set (adapters on or
 * off), from one batched forward pass (w is not used). -1 with e set on bad input. */
int lm_completion_logprobs(lm_model *m, const lm_sft_ex *rows, int n, double *lp, berr *e);

#endif
