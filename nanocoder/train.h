/* train.h - NanoCoder recipes (v1, v2, tiny) and their training run: a cached build step
 * (same recipe, corpus and tokenizer give the same model file, restored from cache/ when it
 * was built before), with a progress line, AdamW with warmup and cosine decay, clipping, and
 * a training-state checkpoint every few steps from which a killed run resumes bit-exactly. */
#ifndef BURN_NC_TRAIN_H
#define BURN_NC_TRAIN_H

#include <stdint.h>

#include "gen/util.h"
#include "lm/model.h"

/* A named training recipe: the model's shape and how it is trained. */
typedef struct {
	const char *name;  /* v1, v2 or tiny */
	lm_config cfg;     /* cfg.tok says which tokenizer (byte or BPE) */
	int batch;         /* sequences of cfg.ctx tokens per step */
	long steps;        /* optimizer steps */
	long warmup;       /* linear warmup steps, then cosine decay */
	float lr_max, lr_min;
	uint64_t seed;     /* initial weights and batch order */
	long ckpt_every;   /* steps between training-state checkpoints */
	long log_every;    /* steps between progress lines */
} nc_recipe;

/* The recipe called name; -1 with e set (listing the names) if there is none. */
int nc_recipe_get(const char *name, nc_recipe *r, berr *e);

/* Options of one training run. */
typedef struct {
	const char *corpus;  /* corpus folder (train.txt) */
	const char *tok;     /* BPE tokenizer file, for recipes with a BPE vocabulary */
	const char *outdir;  /* model.bin, train.json, and while running state.bin, run.key,
			      * loss.tsv, partial.bin, progress.json */
	int threads;         /* OpenBLAS threads (the bits depend on it; part of the key) */
	long stop_after;     /* > 0: stop (state saved) after this many steps in this process */
	int quiet;           /* no progress lines */
} nc_train_opts;

/* Trains r as o says. Returns 0 when model.bin is there (trained or from the cache), 1 when
 * stopped by stop_after (resume by running again), -1 with e set on error. */
int nc_train(const nc_recipe *r, const nc_train_opts *o, berr *e);

#endif
