/* sample.h - drawing tokens (temperature, top-k, from a seeded RNG: same seed, same text) and
 * the log-probability of a completion given a prompt (what DPO compares). */
#ifndef BURN_LM_SAMPLE_H
#define BURN_LM_SAMPLE_H

#include "gen/rng.h"
#include "lm/model.h"

/* A token drawn from V logits: softmax(logits / temperature) over the top_k largest (top_k
 * <= 0 or >= V: all), one rng_unit draw. temperature <= 0 or top_k == 1 gives the argmax
 * (lowest id on a tie) and draws nothing. */
int lm_sample(const float *logits, int V, float temperature, int top_k, rng *r);

/* Appends up to max_new sampled tokens to prompt (np >= 1 tokens) into out, stopping after
 * token stop (if stop >= 0); the context is the last ctx tokens. Returns the number of tokens
 * written, or -1 with e set. Uses m's forward pass with adapters as they are set. */
int lm_generate(lm_model *m, const int *prompt, int np, int max_new, float temperature,
		int top_k, int stop, rng *r, int *out, berr *e);

/* *lp = sum over i of log p(comp[i] | prompt, comp[0..i-1]), the log-softmax evaluated in
 * double from the logits. Needs np >= 1, nc >= 1, np + nc - 1 <= ctx. -1 with e set if not. */
int lm_seq_logprob(lm_model *m, const int *prompt, int np, const int *comp, int nc, double *lp,
		   berr *e);

#endif
