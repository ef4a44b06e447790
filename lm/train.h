/* train.h - one training step and a random-window batcher: the loop a caller writes is
 *   lm_batch_random(...); lm_train_step(...); every k steps lm_save_state(...)
 * and it resumes bit-exactly from the state file (lm/ckpt.h). */
#ifndef BURN_LM_TRAIN_H
#define BURN_LM_TRAIN_H

#include <stddef.h>

#include "gen/rng.h"
#include "lm/model.h"
#include "lm/optim.h"

/* One step on a batch (B, T): forward, zero gradients, backward, clip by global norm, AdamW
 * at learning rate lr on the block m's mode trains. *loss gets the loss before the update and
 * *gnorm (if not NULL) the gradient norm before clipping. -1 with e set on bad input or if
 * o does not fit the block. */
int lm_train_step(lm_model *m, lm_adamw *o, const int *inputs, const int *targets, int B, int T,
		  float lr, float *loss, double *gnorm, berr *e);

/* Fills inputs and targets (B, T) with B windows of data (n >= T + 1 tokens) at offsets drawn
 * from r: targets are the inputs shifted by one. */
void lm_batch_random(const int *data, size_t n, int B, int T, rng *r, int *inputs, int *targets);

#endif
