/* softmax.c - fixed-point softmax: max subtraction, exp table, one reciprocal. */
#include <math.h>
#include <stdlib.h>

#include "kernels/softmax.h"

int sm_table_make(sm_table *t, int step_bits, int n, berr *e)
{
	if (step_bits < 0 || step_bits > 12)
		return errf(e, "softmax: table step bits %d out of [0, 12]", step_bits);
	if (n < 1 || n > 65536)
		return errf(e, "softmax: table size %d out of [1, 65536]", n);
	t->step_bits = step_bits;
	t->n = n;
	t->e = xcalloc((size_t)n, sizeof *t->e);
	for (int k = 0; k < n; k++)
		t->e[k] = (uint32_t)floor(exp(-ldexp(k, -step_bits)) * 65536 + 0.5);
	return 0;
}

void sm_table_free(sm_table *t)
{
	free(t->e);
	t->e = NULL;
}

int sm_softmax(const sm_table *t, const int32_t *x, int n, int frac, uint16_t *y, berr *e)
{
	if (n < 1 || n > 65536)
		return errf(e, "softmax: length %d out of [1, 65536]", n);
	if (frac < t->step_bits || frac > 24)
		return errf(e, "softmax: %d fractional bits, need [%d, 24]", frac, t->step_bits);
	int32_t mx = x[0];
	for (int i = 1; i < n; i++)
		if (x[i] > mx)
			mx = x[i];
	int sh = frac - t->step_bits;
	int64_t half = sh ? (int64_t)1 << (sh - 1) : 0;
	uint64_t s = 0;
	uint32_t *ev = xmalloc((size_t)n * sizeof *ev);
	for (int i = 0; i < n; i++) {
		int64_t k = (((int64_t)mx - x[i]) + half) >> sh; /* d >= 0 */
		ev[i] = k < t->n ? t->e[k] : 0;
		s += ev[i];
	}
	/* s >= e[0] = 65536 (the maximum's own term), so R <= 2^31 */
	uint64_t r = ((uint64_t)1 << 47) / s;
	for (int i = 0; i < n; i++)
		y[i] = (uint16_t)(((uint64_t)ev[i] * r + ((uint64_t)1 << 31)) >> 32);
	free(ev);
	return 0;
}
