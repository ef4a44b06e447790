/* kv.h - incremental decoding with a key/value cache: a prompt runs through the model once
 * (lm_forward), its keys and values are copied to every row, and each further token costs one
 * position per row instead of a pass over the whole window. Same math as lm_forward (LoRA
 * adapters included when on); the logits agree with a full forward pass to float rounding. */
#ifndef BURN_LM_KV_H
#define BURN_LM_KV_H

#include "lm/model.h"

typedef struct {
	int rows, cap;   /* rows decoded together; positions room */
	int len;         /* positions filled (the same for every row) */
	float *k, *v;    /* (L, rows, cap, C) */
	float *mem;      /* scratch for one step of `rows` positions */
	float *x, *ln, *qkv, *y, *proj, *h, *u, *mean, *rstd, *sc, *logits;
} lm_kv;

/* Allocates a cache for rows rows of up to cap <= ctx positions. -1 with e set if not. */
int lm_kv_init(lm_kv *kv, const lm_model *m, int rows, int cap, berr *e);
/* Frees kv. */
void lm_kv_free(lm_kv *kv);
/* Runs prompt (np tokens, 1 <= np <= cap) through m and fills every row's cache with it;
 * *logits then points at (rows, V) logits of the next token (the same in every row). */
int lm_kv_prefill(lm_model *m, lm_kv *kv, const int *prompt, int np, const float **logits,
		  berr *e);
/* Appends tok[r] to row r at position kv->len; *logits points at (rows, V) logits of the
 * token after it. -1 with e set when the cache is full or a token is out of range. */
int lm_kv_step(lm_model *m, lm_kv *kv, const int *tok, const float **logits, berr *e);

#endif
