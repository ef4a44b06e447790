/* model.h - a GPT-Neo-style decoder-only transformer: token + learned position embedding, L
 * blocks of pre-LayerNorm causal multi-head self-attention and a ReLU MLP, a final LayerNorm
 * and an LM head tied to the token embedding. Optional unmerged LoRA adapters on the q, k, v,
 * out, up and down projections. docs/LM.md has the shapes and the parameter layout.
 *
 * Memory follows llm.c: the parameters are one allocation with a pointer per tensor into it;
 * their gradients another; the LoRA adapters and their gradients a second pair; activations
 * and their gradients one allocation each, sized for the largest (B, T) seen so far. */
#ifndef BURN_LM_MODEL_H
#define BURN_LM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen/util.h"

/* A target that is left out of the loss. */
enum { LM_IGNORE = -1 };

/* The shape of a model. */
typedef struct {
	int vocab;  /* V: number of tokens */
	int ctx;    /* maximum sequence length T (rows of the position embedding) */
	int hidden; /* C: width of the residual stream */
	int heads;  /* NH: attention heads; hidden % heads == 0 */
	int layers; /* L: transformer blocks */
	int mlp;    /* M: width of the MLP's hidden layer */
	int tok;    /* the tokenizer (LM_TOK_* in lm/tok.h); recorded, not used by the math */
} lm_config;

/* The LoRA projections, as bits of lm_lora_config.targets. */
enum {
	LM_LORA_Q = 1 << 0,
	LM_LORA_K = 1 << 1,
	LM_LORA_V = 1 << 2,
	LM_LORA_O = 1 << 3,
	LM_LORA_UP = 1 << 4,
	LM_LORA_DOWN = 1 << 5,
	LM_LORA_ALL = (1 << 6) - 1,
	LM_LORA_NPROJ = 6
};

/* The shape of a set of LoRA adapters: y = W x + (alpha/rank) * B (A x). */
typedef struct {
	int rank;         /* r >= 1 */
	float alpha;      /* scale numerator */
	unsigned targets; /* LM_LORA_* bits: which projections carry an adapter */
} lm_lora_config;

/* One named tensor of a parameter block: where it lives and whether AdamW decays it. */
typedef struct {
	const char *name;
	size_t off, n; /* offset and length in floats */
	bool decay;    /* weight decay applies (matrices and embeddings, not LayerNorm or biases) */
} lm_tensor;

enum { LM_NPARAM = 16 };

/* The base parameters: pointers into one block, in this (file) order. */
typedef struct {
	float *wte;      /* (V, C) token embedding, also the LM head */
	float *wpe;      /* (ctx, C) position embedding */
	float *ln1w;     /* (L, C) */
	float *ln1b;     /* (L, C) */
	float *qkvw;     /* (L, 3C, C): rows 0..C-1 q, C..2C-1 k, 2C..3C-1 v */
	float *qkvb;     /* (L, 3C) */
	float *attprojw; /* (L, C, C) the out projection */
	float *attprojb; /* (L, C) */
	float *ln2w;     /* (L, C) */
	float *ln2b;     /* (L, C) */
	float *fcw;      /* (L, M, C) up */
	float *fcb;      /* (L, M) */
	float *fcprojw;  /* (L, C, M) down */
	float *fcprojb;  /* (L, C) */
	float *lnfw;     /* (C) */
	float *lnfb;     /* (C) */
} lm_params;

/* The LoRA parameters: for projection p (0 q, 1 k, 2 v, 3 out, 4 up, 5 down), a[p] is
 * (L, r, in_p) and b[p] is (L, out_p, r); both empty when p is not a target. */
typedef struct {
	float *a[LM_LORA_NPROJ];
	float *b[LM_LORA_NPROJ];
} lm_lora_params;

/* Activations of one forward pass over (B, T), and (the same layout) their gradients. */
typedef struct {
	float *encoded;            /* (B, T, C) */
	float *ln1;                /* (L, B, T, C) */
	float *ln1_mean, *ln1_rstd; /* (L, B, T) */
	float *qkv;                /* (L, B, T, 3C) */
	float *att;                /* (L, B, NH, T, T) softmax weights */
	float *atty;               /* (L, B, T, C) attention output before the out projection */
	float *attproj;            /* (L, B, T, C) */
	float *res1;               /* (L, B, T, C) after attention */
	float *ln2;                /* (L, B, T, C) */
	float *ln2_mean, *ln2_rstd; /* (L, B, T) */
	float *fch;                /* (L, B, T, M) */
	float *fch_relu;           /* (L, B, T, M) */
	float *fcproj;             /* (L, B, T, C) */
	float *res2;               /* (L, B, T, C) after the MLP: the block's output */
	float *lnf;                /* (B, T, C) */
	float *lnf_mean, *lnf_rstd; /* (B, T) */
	float *logits;             /* (B, T, V) */
	float *probs;              /* (B, T, V) */
	float *losses;             /* (B, T) -log p(target), 0 where ignored */
	float *wloss;              /* (B, T) weight of each position in the loss */
	float *lora_u;             /* (6, L, B, T, r) A x of each adapter */
} lm_acts;

/* What a backward pass computes gradients for. */
typedef enum {
	LM_TRAIN_NONE, /* inference only */
	LM_TRAIN_BASE, /* every base parameter; adapters (if any) are left alone */
	LM_TRAIN_LORA  /* the LoRA A and B only; the base is frozen (no gradient, no update) */
} lm_train_mode;

typedef struct {
	lm_config cfg;
	size_t nparams;
	lm_tensor ptensors[LM_NPARAM];
	float *params_mem, *grads_mem; /* grads_mem only in LM_TRAIN_BASE */
	lm_params p, g;

	bool has_lora; /* adapters allocated */
	bool lora_on;  /* adapters applied in the forward pass */
	lm_lora_config lcfg;
	size_t nlora;
	lm_tensor ltensors[2 * LM_LORA_NPROJ];
	float *lora_mem, *lora_grads_mem; /* lora_grads_mem only in LM_TRAIN_LORA */
	lm_lora_params lp, lg;

	lm_train_mode mode;
	int maxB, maxT; /* activations are allocated for B*T <= maxB*maxT with B <= maxB, T <= maxT */
	size_t nacts;
	float *acts_mem, *dacts_mem;
	lm_acts a, da;
	int *tokens; /* (2, maxB, maxT): inputs and targets of the last forward pass */

	int B, T;        /* shape of the last forward pass */
	bool has_loss;   /* it had targets */
	float loss;      /* its loss: sum of wloss * losses */
	int loss_count;  /* its number of positions with a target */
} lm_model;

/* A parameter block being trained (base or LoRA) with its gradients and tensor table. */
typedef struct {
	float *params, *grads;
	size_t n;
	const lm_tensor *t;
	int nt;
} lm_block;

/* Checks that c describes a model this code can build; -1 with e set if not. */
int lm_config_check(const lm_config *c, berr *e);
/* Checks a LoRA shape; -1 with e set if not. */
int lm_lora_config_check(const lm_lora_config *lc, berr *e);
/* Number of base parameters of c. */
size_t lm_config_nparams(const lm_config *c);

/* A new model with parameters drawn from seed (GPT-2 init: N(0, 0.02), projections into the
 * residual stream N(0, 0.02/sqrt(2L)), biases 0, LayerNorm 1 and 0); NULL with e set if c is
 * invalid. Inference mode, no adapters. */
lm_model *lm_new(const lm_config *c, uint64_t seed, berr *e);
/* Frees m and everything it owns (m may be NULL). */
void lm_free(lm_model *m);

/* Adds (or replaces) LoRA adapters: A uniform in +-1/sqrt(in) from seed, B zero; turns them
 * on. -1 with e set if lc is invalid. */
int lm_lora_add(lm_model *m, const lm_lora_config *lc, uint64_t seed, berr *e);
/* Applies the adapters in the forward pass (on) or not (off: the base model exactly). */
void lm_lora_enable(lm_model *m, bool on);

/* Sets what backward computes gradients for, allocating them; LM_TRAIN_LORA needs adapters
 * (-1 with e set if there are none) and turns them on. */
int lm_set_mode(lm_model *m, lm_train_mode mode, berr *e);
/* The parameter block the current mode trains (n == 0 in LM_TRAIN_NONE). */
lm_block lm_trainable(lm_model *m);
/* Zeroes the gradients of the trainable block. */
void lm_zero_grad(lm_model *m);

/* Allocates activations for passes up to (B, T) now (forward passes grow them as needed;
 * this avoids regrowing one token at a time, e.g. in generation). */
void lm_reserve(lm_model *m, int B, int T);

/* Forward pass over inputs (B, T) in [0, V). With targets (B, T; LM_IGNORE leaves a position
 * out) also the loss, kept in m->loss: the mean cross-entropy over the positions with a
 * target (0 if none). -1 with e set on bad shapes or tokens. Logits are in m->a.logits. */
int lm_forward(lm_model *m, const int *inputs, const int *targets, int B, int T, berr *e);
/* lm_forward with a loss of sum_{b,t} weights[b,t] * -log p(targets[b,t]) over the
 * positions with a target (for losses other than the mean, e.g. DPO). */
int lm_forward_weighted(lm_model *m, const int *inputs, const int *targets, const float *weights,
			int B, int T, berr *e);
/* Backward pass of the last forward (which needs targets): adds the gradient of m->loss to
 * the trainable block's gradients (call lm_zero_grad first). -1 with e set if there is no
 * loss or no training mode. */
int lm_backward(lm_model *m, berr *e);

#endif
