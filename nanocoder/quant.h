/* quant.h - NanoCoder run with its matrix products in integers: every linear layer (q/k/v,
 * attention out, MLP up and down, and the tied LM head) through the GEMV golden kernels of
 * kernels/gemv.h, either W8A8 (int8 weights per row, int8 activations per token vector, exact
 * int32 sums) or W4A8 (INT4 weights in groups of 32, 64 or 128 columns, int8 activations,
 * exact int64 sums). The rest (embedding lookup, LayerNorm, softmax attention, ReLU, residual
 * adds) stays in float, as lm/ computes it. A "float" variant runs the same code with float
 * products, to check the wiring against lm_forward. */
#ifndef BURN_NC_QUANT_H
#define BURN_NC_QUANT_H

#include <stddef.h>

#include "gen/util.h"
#include "lm/model.h"

/* How the linear layers compute. */
typedef enum { NC_Q_FLOAT, NC_Q_W8A8, NC_Q_W4A8 } nc_qkind;

typedef struct nc_qmodel nc_qmodel;

/* Quantises m's linear layers (m must outlive the result); group is the INT4 group (32, 64,
 * 128) for NC_Q_W4A8. NULL with e set if a shape does not fit the kernels. */
nc_qmodel *nc_qmodel_new(const lm_model *m, nc_qkind kind, int group, berr *e);
/* Frees q. */
void nc_qmodel_free(nc_qmodel *q);

/* Forward pass over T (<= ctx) tokens: logits (T, V). -1 with e set on a bad token. */
int nc_qforward(nc_qmodel *q, const int *ids, int T, float *logits, berr *e);

/* nc_eval_bits for q (windows of ctx, stride): *bits of ids[1..n), *bytes they stand for;
 * with argmax non-NULL, argmax[j] gets q's top token before ids[j] (j = 1..n-1). */
int nc_qeval_bits(nc_qmodel *q, const int *ids, size_t n, const size_t *toklen, int stride,
		  double *bits, double *bytes, int *argmax, berr *e);

/* burn nanocoder quant (argv without the subcommand). */
int nc_cmd_quant(int argc, char **argv);

#endif
