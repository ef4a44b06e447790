/* rope.h - fixed-point rotary position embedding (docs/KERNELS.md): each pair of a head's
 * vector is rotated by pos * base^(-2i/dim), with cos/sin from a table in Q1.14. Pure
 * arithmetic, no I/O. */
#ifndef BURN_ROPE_H
#define BURN_ROPE_H

#include <stdbool.h>
#include <stdint.h>

#include "gen/util.h"

/* Fills cs[2*i], cs[2*i+1] with round(cos, sin(pos * base^(-2i/dim)) * 2^14) for
 * i in [0, dim/2); the angle is reduced modulo 2 pi in double first. dim even, in [2, 1024]. */
int rope_table(int dim, double base, long pos, int16_t *cs, berr *e);

/* Rotates one head vector x of dim int16 values by the table cs: pair i is (x[2i], x[2i+1])
 * (interleaved, as in the original RoFormer) or (x[i], x[i + dim/2]) when half (the
 * "rotate_half" layout of Llama and Qwen). y0 = (x0*c - x1*s + 2^13) >> 14, y1 =
 * (x0*s + x1*c + 2^13) >> 14, saturated to int16. */
void rope_apply(const int16_t *x, int dim, const int16_t *cs, bool half, int16_t *y);

#endif
