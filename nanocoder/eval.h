/* eval.h - how well NanoCoder compresses held-out code: the model's bits per byte (sliding
 * windows, each scored token seeing at least half a context), and beside it, from the same
 * bytes, gzip -9 conditioned on the training split, an order-3 byte n-gram (Witten-Bell) and
 * the unigram baseline. Also `burn nanocoder sample`. */
#ifndef BURN_NC_EVAL_H
#define BURN_NC_EVAL_H

#include <stddef.h>

#include "gen/util.h"
#include "lm/model.h"

/* Sums -log2 p of ids[1..n) under m, windows of m's ctx advancing by stride (1..ctx) with B
 * windows per forward pass: *bits, and in *bytes the text those ids stand for (toklen[id]
 * bytes each). -1 with e set on bad input. */
int nc_eval_bits(lm_model *m, const int *ids, size_t n, const size_t *toklen, int stride, int B,
		 double *bits, double *bytes, berr *e);

/* Bits per byte of held under the byte frequencies of train, add-one smoothed. */
double nc_unigram_bpb(const char *train, size_t ntrain, const char *held, size_t nheld);

/* Bits per byte of held under an order-`order` (0..3) byte n-gram of train, interpolated
 * Witten-Bell down to the add-one unigram. */
double nc_ngram_bpb(const char *train, size_t ntrain, const char *held, size_t nheld, int order);

/* gzip -9 -n of train, and of train followed by held (temp files under tmpdir): *bits gets
 * 8 * (size(gzip(train + held)) - size(gzip(train))). -1 with e set if gzip fails. */
int nc_gzip_cond_bits(const char *train, size_t ntrain, const char *held, size_t nheld,
		      const char *tmpdir, double *bits, berr *e);

/* burn nanocoder eval / sample (argv without the subcommand). */
int nc_cmd_eval(int argc, char **argv);
int nc_cmd_sample(int argc, char **argv);

#endif
