/* ckpt.h - checkpoints: a base model file, a LoRA adapter file and a training-state file
 * (trained parameters + AdamW moments + step + data RNG) to resume after a kill. Each has a
 * magic number, a format version, the config, and an XXH3-64 checksum; docs/LM.md has the
 * byte layout. Files are written atomically (temp + rename). A file that does not fit gets
 * an error naming the path and what is wrong: not an LM file, the wrong kind of LM file,
 * another format version, truncated, trailing bytes, checksum mismatch, config mismatch. */
#ifndef BURN_LM_CKPT_H
#define BURN_LM_CKPT_H

#include <stdint.h>

#include "gen/rng.h"
#include "gen/util.h"
#include "lm/model.h"
#include "lm/optim.h"

enum { LM_CKPT_VERSION = 1 };

/* XXH3-64 of the base parameters' little-endian bytes: names the base an adapter or a LoRA
 * training state belongs to. */
uint64_t lm_params_checksum(const lm_model *m);

/* Writes m's config and base parameters to path. */
int lm_save(const char *path, const lm_model *m, berr *e);
/* A new model (inference mode, no adapters) from a base model file; with want, its config
 * must equal *want. NULL with e set on any mismatch or I/O error. */
lm_model *lm_load(const char *path, const lm_config *want, berr *e);

/* Writes m's adapters (their config and the base's checksum) to path; m needs adapters. */
int lm_save_lora(const char *path, const lm_model *m, berr *e);
/* Replaces m's adapters by those of path and turns them on. The file's base config and base
 * checksum must match m (an adapter belongs to one base model). */
int lm_load_lora(const char *path, lm_model *m, berr *e);

/* Writes what resuming needs: the trained block (base parameters, or the adapters with the
 * base's checksum), o's step, hyperparameters and moments, the data RNG *data (may be NULL),
 * and the matrix kernel and OpenBLAS thread count in use (results depend on both). */
int lm_save_state(const char *path, const lm_model *m, const lm_adamw *o, const rng *data,
		  berr *e);
/* Restores a state file into m (same config; for LoRA the same base, adapters are created
 * as needed), o (zeroed or initialised before; re-initialised here) and *data (may be NULL);
 * sets m's training mode, the matrix kernel and the OpenBLAS thread count to the file's, so
 * the resumed run continues bit-exactly. */
int lm_load_state(const char *path, lm_model *m, lm_adamw *o, rng *data, berr *e);

#endif
