/* rope.c - fixed-point rotary position embedding. */
#include <math.h>

#include "kernels/rope.h"

int rope_table(int dim, double base, long pos, int16_t *cs, berr *e)
{
	if (dim < 2 || dim > 1024 || dim % 2)
		return errf(e, "rope: head dim %d is not even in [2, 1024]", dim);
	if (!(base > 1) || pos < 0)
		return errf(e, "rope: base %g must exceed 1 and position %ld be >= 0", base, pos);
	for (int i = 0; i < dim / 2; i++) {
		double a = fmod((double)pos * pow(base, -2.0 * i / dim), 6.283185307179586);
		double c = floor(cos(a) * 16384 + 0.5), s = floor(sin(a) * 16384 + 0.5);
		cs[2 * i] = (int16_t)c; /* |cos| <= 1: at most 16384 */
		cs[2 * i + 1] = (int16_t)s;
	}
	return 0;
}

static int16_t sat16(int64_t v)
{
	return (int16_t)(v < -32768 ? -32768 : v > 32767 ? 32767 : v);
}

/* floor(v / 2^14) rounded half up, without >> of a negative number (implementation-defined) */
static int64_t rshift14(int64_t v)
{
	v += 8192;
	return v >= 0 ? v / 16384 : -((-v + 16383) / 16384);
}

void rope_apply(const int16_t *x, int dim, const int16_t *cs, bool half, int16_t *y)
{
	int h = dim / 2;
	for (int i = 0; i < h; i++) {
		int a = half ? i : 2 * i, b = half ? i + h : 2 * i + 1;
		int64_t c = cs[2 * i], s = cs[2 * i + 1], x0 = x[a], x1 = x[b];
		y[a] = sat16(rshift14(x0 * c - x1 * s));
		y[b] = sat16(rshift14(x0 * s + x1 * c));
	}
}
