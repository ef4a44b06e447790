/* optim.h - AdamW with weight decay per tensor, gradient clipping by global norm, and a
 * warmup + cosine learning-rate schedule. Every reduction runs in a fixed order, in double,
 * so a run is bitwise repeatable. */
#ifndef BURN_LM_OPTIM_H
#define BURN_LM_OPTIM_H

#include <stddef.h>

#include "lm/model.h"

/* AdamW hyperparameters (the learning rate is given per step). */
typedef struct {
	float beta1, beta2, eps;
	float weight_decay; /* decoupled, only on tensors with decay set */
	float grad_clip;    /* maximum global gradient norm; <= 0: no clipping */
} lm_adamw_hp;

/* AdamW state for a block of n parameters: moments m and v in one allocation. */
typedef struct {
	lm_adamw_hp hp;
	long step; /* updates done so far */
	size_t n;
	float *mem; /* 2n floats: m then v */
	float *m, *v;
} lm_adamw;

/* Defaults: beta1 0.9, beta2 0.95, eps 1e-8, weight decay 0.1, clip 1.0. */
lm_adamw_hp lm_adamw_defaults(void);
/* Zeroed state for n parameters. */
void lm_adamw_init(lm_adamw *o, const lm_adamw_hp *hp, size_t n);
/* Frees o's moments. */
void lm_adamw_free(lm_adamw *o);

/* The L2 norm of n gradients, summed in double in index order. */
double lm_grad_norm(const float *g, size_t n);
/* Scales g so its norm is at most max_norm (when max_norm > 0); returns the norm before. */
double lm_clip_grads(float *g, size_t n, double max_norm);
/* One AdamW update of the block's parameters from its gradients at learning rate lr:
 * m = b1 m + (1-b1) g; v = b2 v + (1-b2) g^2; p -= lr (mhat / (sqrt(vhat) + eps) + wd p),
 * with mhat, vhat bias-corrected and wd only on tensors with decay. */
void lm_adamw_update(lm_adamw *o, const lm_block *b, float lr);

/* Learning rate at step (0-based): linear warmup to lr_max over warmup steps, then cosine
 * decay to lr_min at step total (and lr_min after). */
float lm_lr_cosine(long step, long warmup, long total, float lr_max, float lr_min);

#endif
