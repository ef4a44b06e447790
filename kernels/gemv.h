/* gemv.h - quantised matrix-vector kernels: the golden models of the GEMV engines
 * (docs/KERNELS.md). Pure arithmetic, no I/O. Weights are row-major (rows = outputs,
 * cols = inputs); every buffer is the caller's; functions that can fail return 0, or -1
 * with e set.
 *
 * W8A8 (PYNQ-Z2 path): int8 weights in [-127, 127] with a float scale per row, int8
 * activations in [-127, 127] with one float scale per vector, exact int32 accumulation, and
 * an integer requantiser (mult, shift) per row to int8 outputs.
 *
 * W4A8 groupwise (AWS F2 path): 4-bit weights q in [0, 15] packed two per byte, in groups of
 * `group` (32, 64, 128) consecutive columns of a row; group g of row r has a zero point z
 * (8 when symmetric) and a scale m * 2^-exp[r] (m a 16-bit unsigned mantissa, exp one int8
 * exponent per row), so w = m * 2^-exp[r] * (q - z). Activations as for W8A8. The integer
 * result acc[r] = sum_g m_g * sum_{c in g} (q_c - z_g) * x_c is exact in int64 (< 2^47).
 *
 * Typical use (one token): gemv_quant_w8() once per matrix; then per vector gemv_quant_a8(),
 * gemv_w8a8(), gemv_dequant_w8a8() (float out) or gemv_requant() (int8 out). */
#ifndef BURN_GEMV_H
#define BURN_GEMV_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#include "gen/util.h"

/* The largest cols any kernel accepts (keeps the W8A8 int32 accumulator exact). */
enum { GEMV_MAX_COLS = 65536, GEMV_MAX_ROWS = 1 << 20 };

/* Round half away from zero to an integer (the rounding of every float quantiser here). */
double gemv_round(double v);

/* Quantises x[0..n) symmetrically to int8: scale = max|x| / 127 (1 if x is all zero),
 * q[i] = clamp(round(x[i] / scale), -127, 127). Fails on a non-finite x. */
int gemv_quant_a8(const float *x, int n, int8_t *q, float *scale, berr *e);

/* ---- W8A8 ---- */

/* Quantises w (rows x cols) per row: scale[r] = max_c |w[r][c]| / 127 (1 if the row is all
 * zero), q[r][c] = clamp(round(w / scale[r]), -127, 127). q gets rows*cols bytes. */
int gemv_quant_w8(const float *w, int rows, int cols, int8_t *q, float *scale, berr *e);

/* acc[r] = sum_c w[r*cols + c] * x[c], exact in int32 (cols <= GEMV_MAX_COLS). */
int gemv_w8a8(const int8_t *w, const int8_t *x, int rows, int cols, int32_t *acc, berr *e);

/* y[r] = acc[r] * wscale[r] * xscale, computed in double and rounded to float once. */
void gemv_dequant_w8a8(const int32_t *acc, const float *wscale, float xscale, int rows, float *y);

/* An integer requantiser: y = sat8((acc * mult + 2^(shift-1)) >> shift), the product and sum
 * in int64, >> arithmetic (so halves round towards +infinity), sat8 clamps to [-128, 127].
 * It stands for the real multiplier mult * 2^-shift. */
typedef struct {
	int32_t mult; /* in [2^30, 2^31) (0 for a zero multiplier) */
	int shift;    /* in [1, 62] */
} gemv_rq;

/* The requantiser closest to real (0 <= real < 2^30): mult = round(real * 2^shift) with the
 * shift that puts mult in [2^30, 2^31). Fails if real is out of range or too small
 * (< 2^-32, which would need shift > 62). */
int gemv_rq_make(double real, gemv_rq *rq, berr *e);

/* Applies one requantiser to one accumulator (see gemv_rq). */
int8_t gemv_rq_apply(int32_t acc, gemv_rq rq);

/* Per-row requantisers for outputs of scale yscale: real[r] = wscale[r] * xscale / yscale. */
int gemv_rq_rows(const float *wscale, float xscale, float yscale, int rows, gemv_rq *rq,
		 berr *e);

/* y[r] = gemv_rq_apply(acc[r], rq[r]) for r in [0, rows). */
void gemv_requant(const int32_t *acc, const gemv_rq *rq, int rows, int8_t *y);

/* ---- W4A8 groupwise ---- */

/* A packed INT4 matrix. Byte r*cols/2 + c/2 of q holds column c of row r: the low nibble when
 * c is even, the high nibble when odd. scale and zero have rows*(cols/group) entries, group g
 * of row r at r*(cols/group) + g. */
typedef struct {
	int rows, cols, group; /* group in {32, 64, 128} (any even divisor of cols is accepted) */
	uint8_t *q;            /* rows*cols/2 bytes */
	uint16_t *scale;       /* mantissas m */
	int8_t *exp;           /* rows exponents: group scale = m * 2^-exp[r] */
	uint8_t *zero;         /* zero points in [0, 15], or NULL: symmetric, every z = 8 */
} gemv_w4;

/* Checks shapes: rows, cols in range, group even, > 0, <= 128, dividing cols. */
int gemv_w4_check(int rows, int cols, int group, berr *e);

/* The buffer sizes of a rows x cols matrix in groups of group: packed bytes, groups. */
void gemv_w4_sizes(int rows, int cols, int group, size_t *q_bytes, size_t *n_groups);

/* Quantises w (rows x cols) into m (whose rows, cols, group and buffers the caller set;
 * m->zero NULL for symmetric). Per group the real scale is s = max|w| / 7 (symmetric) or
 * (max(w,0) - min(w,0)) / 15 (asymmetric, z = round(-min(w,0) / s')); per row exp is the
 * largest with max_g s * 2^exp <= 65535, m = ceil(s * 2^exp) and s' = m * 2^-exp >= s; then
 * q = clamp(round(w / s') + z, 0, 15). */
int gemv_quant_w4(const float *w, gemv_w4 *m, berr *e);

/* The scale of group g of row r: m * 2^-exp[r]. */
double gemv_w4_scale(const gemv_w4 *m, int r, int g);

/* The weight of row r, column c as the integers see it: q - z (in [-15, 15]). */
int gemv_w4_at(const gemv_w4 *m, int r, int c);

/* acc[r] = sum_g m_g * sum_{c in g} (q_c - z_g) * x[c], exact in int64. */
int gemv_w4a8(const gemv_w4 *m, const int8_t *x, int64_t *acc, berr *e);

/* y[r] = acc[r] * 2^-exp[r] * xscale (double, rounded to float once). */
void gemv_dequant_w4a8(const gemv_w4 *m, const int64_t *acc, float xscale, float *y);

#endif
