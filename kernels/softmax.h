/* softmax.h - fixed-point softmax for attention scores (docs/KERNELS.md): max subtraction,
 * an exp table, one reciprocal per vector. Pure arithmetic, no I/O. */
#ifndef BURN_SOFTMAX_H
#define BURN_SOFTMAX_H

#include <stdint.h>

#include "gen/util.h"

/* The exp table: e[k] = round(exp(-k * 2^-step_bits) * 2^16) for k in [0, n), so distances
 * d >= n * 2^-step_bits give 0. */
typedef struct {
	int step_bits; /* table step 2^-step_bits */
	int n;         /* entries */
	uint32_t *e;   /* n entries in Q16 (e[0] = 65536) */
} sm_table;

/* Fills t (allocating t->e) with n entries of step 2^-step_bits (step_bits in [0, 12],
 * n in [1, 65536]). */
int sm_table_make(sm_table *t, int step_bits, int n, berr *e);

/* Frees the table's entries. */
void sm_table_free(sm_table *t);

/* y = softmax(x) for n scores x of frac fractional bits (x real = x * 2^-frac, frac in
 * [step_bits, 24]): d = max(x) - x; k = (d + half a step) >> (frac - step_bits) (round to
 * the nearest entry); e = table[k] (0 past the table); S = sum e (n <= 65536, so S < 2^33);
 * R = floor(2^47 / S); y = (e * R + 2^31) >> 32, a probability in Q0.15 (uint16, 32768 =
 * 1). */
int sm_softmax(const sm_table *t, const int32_t *x, int n, int frac, uint16_t *y, berr *e);

#endif
