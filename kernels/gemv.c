/* gemv.c - quantised matrix-vector kernels (W8A8, W4A8 groupwise): quantisers, exact integer
 * GEMV, dequantisers and the integer requantiser. Pure arithmetic, no I/O. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/gemv.h"

double gemv_round(double v)
{
	return v < 0 ? -floor(-v + 0.5) : floor(v + 0.5);
}

static int check_shape(int rows, int cols, berr *e)
{
	if (rows < 1 || rows > GEMV_MAX_ROWS)
		return errf(e, "gemv: rows %d out of range [1, %d]", rows, GEMV_MAX_ROWS);
	if (cols < 1 || cols > GEMV_MAX_COLS)
		return errf(e, "gemv: cols %d out of range [1, %d]", cols, GEMV_MAX_COLS);
	return 0;
}

static int8_t clamp8(double v, int lo, int hi)
{
	return (int8_t)(v < lo ? lo : v > hi ? hi : v);
}

int gemv_quant_a8(const float *x, int n, int8_t *q, float *scale, berr *e)
{
	if (n < 1 || n > GEMV_MAX_COLS)
		return errf(e, "gemv: vector length %d out of range [1, %d]", n, GEMV_MAX_COLS);
	double mx = 0;
	for (int i = 0; i < n; i++) {
		if (!isfinite(x[i]))
			return errf(e, "gemv: activation %d is not finite", i);
		if (fabs(x[i]) > mx)
			mx = fabs(x[i]);
	}
	float s = mx > 0 ? (float)(mx / 127) : 1.0f;
	if (!(s > 0)) /* max|x| below float's range after the division */
		s = 1.0f;
	for (int i = 0; i < n; i++)
		q[i] = clamp8(gemv_round(x[i] / (double)s), -127, 127);
	*scale = s;
	return 0;
}

int gemv_quant_w8(const float *w, int rows, int cols, int8_t *q, float *scale, berr *e)
{
	if (check_shape(rows, cols, e) != 0)
		return -1;
	for (int r = 0; r < rows; r++) {
		const float *wr = w + (size_t)r * cols;
		double mx = 0;
		for (int c = 0; c < cols; c++) {
			if (!isfinite(wr[c]))
				return errf(e, "gemv: weight [%d][%d] is not finite", r, c);
			if (fabs(wr[c]) > mx)
				mx = fabs(wr[c]);
		}
		float s = mx > 0 ? (float)(mx / 127) : 1.0f;
		if (!(s > 0))
			s = 1.0f;
		scale[r] = s;
		for (int c = 0; c < cols; c++)
			q[(size_t)r * cols + c] = clamp8(gemv_round(wr[c] / (double)s), -127, 127);
	}
	return 0;
}

int gemv_w8a8(const int8_t *w, const int8_t *x, int rows, int cols, int32_t *acc, berr *e)
{
	if (check_shape(rows, cols, e) != 0)
		return -1;
	for (int r = 0; r < rows; r++) {
		const int8_t *wr = w + (size_t)r * cols;
		int32_t a = 0; /* |a| <= 128 * 128 * 65536 = 2^30 */
		for (int c = 0; c < cols; c++)
			a += (int32_t)wr[c] * x[c];
		acc[r] = a;
	}
	return 0;
}

void gemv_dequant_w8a8(const int32_t *acc, const float *wscale, float xscale, int rows, float *y)
{
	for (int r = 0; r < rows; r++)
		y[r] = (float)((double)acc[r] * wscale[r] * xscale);
}

int gemv_rq_make(double real, gemv_rq *rq, berr *e)
{
	if (!(real >= 0) || !(real < 1073741824.0))
		return errf(e, "gemv: requantiser multiplier %g out of range [0, 2^30)", real);
	if (real == 0) {
		rq->mult = 0;
		rq->shift = 1;
		return 0;
	}
	int ex;
	double f = frexp(real, &ex); /* real = f * 2^ex, f in [0.5, 1) */
	int shift = 31 - ex;         /* f * 2^31 in [2^30, 2^31) */
	double m = gemv_round(f * 2147483648.0);
	if (m >= 2147483648.0) { /* f rounded up to 1 */
		m /= 2;
		shift--;
	}
	if (shift > 62)
		return errf(e, "gemv: requantiser multiplier %g too small (below 2^-32)", real);
	if (shift < 1)
		return errf(e, "gemv: requantiser multiplier %g too large", real);
	rq->mult = (int32_t)m;
	rq->shift = shift;
	return 0;
}

int8_t gemv_rq_apply(int32_t acc, gemv_rq rq)
{
	int64_t p = (int64_t)acc * rq.mult + ((int64_t)1 << (rq.shift - 1));
	/* >> of a negative int64 is implementation-defined in C: floor-divide explicitly */
	int64_t d = (int64_t)1 << rq.shift;
	int64_t y = p >= 0 ? p / d : -((-p + d - 1) / d);
	return (int8_t)(y < -128 ? -128 : y > 127 ? 127 : y);
}

int gemv_rq_rows(const float *wscale, float xscale, float yscale, int rows, gemv_rq *rq,
		 berr *e)
{
	if (!(yscale > 0) || !isfinite(yscale))
		return errf(e, "gemv: output scale %g is not a positive number", yscale);
	for (int r = 0; r < rows; r++)
		if (gemv_rq_make((double)wscale[r] * xscale / yscale, &rq[r], e) != 0)
			return errf(e, "gemv: row %d: requantiser multiplier %g out of range [2^-32, "
				    "2^30)", r, (double)wscale[r] * xscale / yscale);
	return 0;
}

void gemv_requant(const int32_t *acc, const gemv_rq *rq, int rows, int8_t *y)
{
	for (int r = 0; r < rows; r++)
		y[r] = gemv_rq_apply(acc[r], rq[r]);
}

int gemv_w4_check(int rows, int cols, int group, berr *e)
{
	if (check_shape(rows, cols, e) != 0)
		return -1;
	if (group < 2 || group > 128 || group % 2 != 0)
		return errf(e, "gemv: group size %d is not an even number in [2, 128]", group);
	if (cols % group != 0)
		return errf(e, "gemv: group size %d does not divide cols %d", group, cols);
	return 0;
}

void gemv_w4_sizes(int rows, int cols, int group, size_t *q_bytes, size_t *n_groups)
{
	*q_bytes = (size_t)rows * (size_t)cols / 2;
	*n_groups = (size_t)rows * (size_t)(cols / group);
}

double gemv_w4_scale(const gemv_w4 *m, int r, int g)
{
	return ldexp((double)m->scale[(size_t)r * (m->cols / m->group) + g], -m->exp[r]);
}

int gemv_w4_at(const gemv_w4 *m, int r, int c)
{
	uint8_t b = m->q[(size_t)r * (m->cols / 2) + c / 2];
	int q = c % 2 ? b >> 4 : b & 15;
	int z = m->zero ? m->zero[(size_t)r * (m->cols / m->group) + c / m->group] : 8;
	return q - z;
}

int gemv_quant_w4(const float *w, gemv_w4 *m, berr *e)
{
	if (gemv_w4_check(m->rows, m->cols, m->group, e) != 0)
		return -1;
	int cols = m->cols, G = m->group, ng = cols / G;
	bool sym = m->zero == NULL;
	double *s = xcalloc((size_t)ng, sizeof *s);
	int rc = 0;
	memset(m->q, 0, (size_t)m->rows * cols / 2);
	for (int r = 0; r < m->rows && rc == 0; r++) {
		const float *wr = w + (size_t)r * cols;
		double smax = 0;
		for (int g = 0; g < ng && rc == 0; g++) {
			double lo = 0, hi = 0;
			for (int c = g * G; c < (g + 1) * G; c++) {
				if (!isfinite(wr[c])) {
					rc = errf(e, "gemv: weight [%d][%d] is not finite", r, c);
					break;
				}
				if (wr[c] < lo)
					lo = wr[c];
				if (wr[c] > hi)
					hi = wr[c];
			}
			s[g] = sym ? fmax(-lo, hi) / 7 : (hi - lo) / 15;
			if (s[g] > smax)
				smax = s[g];
		}
		if (rc != 0)
			break;
		/* the largest exp with smax * 2^exp <= 65535, within int8 */
		int ex = 0;
		if (smax > 0) {
			int k;
			frexp(65535.0 / smax, &k); /* 65535/smax in [2^(k-1), 2^k) */
			ex = k - 1;
		}
		if (ex < -128 || ex > 127) {
			rc = errf(e, "gemv: row %d: group scales (max %g) out of the int8 exponent's "
				  "range", r, smax);
			break;
		}
		m->exp[r] = (int8_t)ex;
		for (int g = 0; g < ng; g++) {
			size_t gi = (size_t)r * ng + g;
			double mant = ceil(ldexp(s[g], ex));
			if (mant > 65535)
				mant = 65535; /* not reached: smax * 2^ex <= 65535 */
			m->scale[gi] = (uint16_t)mant;
			double sp = ldexp(mant, -ex);
			int z = 8;
			if (!sym) {
				double lo = 0;
				for (int c = g * G; c < (g + 1) * G; c++)
					if (wr[c] < lo)
						lo = wr[c];
				z = sp > 0 ? (int)gemv_round(-lo / sp) : 0;
				z = z < 0 ? 0 : z > 15 ? 15 : z;
				m->zero[gi] = (uint8_t)z;
			}
			for (int c = g * G; c < (g + 1) * G; c++) {
				double v = sp > 0 ? gemv_round(wr[c] / sp) + z : z;
				int q = (int)(v < 0 ? 0 : v > 15 ? 15 : v);
				if (sym && q < 1)
					q = 1; /* symmetric: q - 8 in [-7, 7] */
				m->q[(size_t)r * (cols / 2) + c / 2] |= (uint8_t)(c % 2 ? q << 4 : q);
			}
		}
	}
	free(s);
	return rc;
}

int gemv_w4a8(const gemv_w4 *m, const int8_t *x, int64_t *acc, berr *e)
{
	if (gemv_w4_check(m->rows, m->cols, m->group, e) != 0)
		return -1;
	int cols = m->cols, G = m->group, ng = cols / G;
	for (int r = 0; r < m->rows; r++) {
		const uint8_t *qr = m->q + (size_t)r * (cols / 2);
		int64_t a = 0;
		for (int g = 0; g < ng; g++) {
			size_t gi = (size_t)r * ng + g;
			int z = m->zero ? m->zero[gi] : 8;
			int32_t ag = 0; /* |ag| <= 15 * 128 * 128 */
			for (int c = g * G; c < (g + 1) * G; c += 2) {
				uint8_t b = qr[c / 2];
				ag += ((b & 15) - z) * x[c] + ((b >> 4) - z) * x[c + 1];
			}
			a += (int64_t)m->scale[gi] * ag;
		}
		acc[r] = a;
	}
	return 0;
}

void gemv_dequant_w4a8(const gemv_w4 *m, const int64_t *acc, float xscale, float *y)
{
	for (int r = 0; r < m->rows; r++)
		y[r] = (float)ldexp((double)acc[r] * xscale, -m->exp[r]);
}
