/* act.c - SiLU by a sigmoid table, and the elementwise product, in exact fixed point. */
#include "kernels/act.h"

#include <math.h>
#include <stdlib.h>

#include "gen/util.h"

bool silu_size_ok(long n)
{
	return n >= SILU_TABLE_MIN && n <= SILU_TABLE_MAX && (n & (n - 1)) == 0;
}

static int log2i(long n)
{
	int b = 0;
	while ((1L << b) < n)
		b++;
	return b;
}

double silu_ref(double x)
{
	return x / (1.0 + exp(-x));
}

void silu_table(const silu_types *t, fx_raw *table)
{
	int n = t->table_size;
	for (int i = 0; i < n; i++) {
		double xc = ((double)i - n / 2 + 0.5) * (2.0 * SILU_RANGE) / n;
		table[i] = fx_from_double(&t->table, 1.0 / (1.0 + exp(-xc)), NULL);
	}
}

/* floor(x * N / 16) for x = raw * 2^-f with |x| < 8 (so the result is in [-N/2, N/2)). */
static long bin_of(fx_raw raw, int f, int lg)
{
	if (raw == 0)
		return 0;
	int sh = f - (lg - 4); /* x * N/16 = raw * 2^-sh */
	if (sh >= 0)
		return (long)(raw >> (sh > 100 ? 100 : sh)); /* arithmetic shift: floor */
	return (long)(raw * ((fx_raw)1 << -sh)); /* |raw| < 2^(3+f) here, so -sh < lg */
}

void silu_fx(const silu_types *t, const fx_raw *table, int n, const fx_raw *x, fx_raw *y,
	     fx_stats *st)
{
	static const fx_type edge = {.w = 5, .i = 5, .sign = true, .q = FX_TRN, .o = FX_WRAP};
	int N = t->table_size, lg = log2i(N), f = fx_frac(&t->in);
	for (int k = 0; k < n; k++) {
		if (fx_cmp(&t->in, x[k], &edge, SILU_RANGE) >= 0) {
			y[k] = fx_cast(&t->result, &t->in, x[k], st);
		} else if (fx_cmp(&t->in, x[k], &edge, -SILU_RANGE) < 0) {
			y[k] = fx_cast(&t->result, &edge, 0, st);
		} else {
			long i = bin_of(x[k], f, lg) + N / 2;
			y[k] = fx_mul(&t->result, &t->in, x[k], &t->table, table[i], st);
		}
	}
}

double silu_max_err(const silu_types *t, double *at)
{
	fx_raw lo = fx_raw_min(&t->in), hi = fx_raw_max(&t->in);
	fx_raw span = hi - lo, step = span >> 20 ? span >> 20 : 1;
	fx_raw *table = xreallocarray(NULL, (size_t)t->table_size, sizeof *table);
	silu_table(t, table);
	double worst = 0, where = 0;
	for (fx_raw r = lo;; r += step) {
		if (r > hi)
			r = hi;
		fx_raw y;
		silu_fx(t, table, 1, &r, &y, NULL);
		double x = fx_to_double(&t->in, r);
		double err = fabs(fx_to_double(&t->result, y) - silu_ref(x));
		if (err > worst) {
			worst = err;
			where = x;
		}
		if (r == hi)
			break;
	}
	free(table);
	if (at)
		*at = where;
	return worst;
}

void mul_fx(const fx_type *to, const fx_type *ta, const fx_raw *a, const fx_type *tb,
	    const fx_raw *b, int n, fx_raw *y, fx_stats *st)
{
	for (int k = 0; k < n; k++)
		y[k] = fx_mul(to, ta, a[k], tb, b[k], st);
}
