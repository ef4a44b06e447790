/* test_gemv.c - the quantised GEMV kernels (kernels/gemv.h): quantisers, the integer GEMV
 * against a naive sum, the requantiser's rounding and saturation, INT4 packing and its
 * quantisation error bound. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/rng.h"
#include "kernels/gemv.h"
#include "tests/unit/t.h"

static float frand(rng *g)
{
	return (float)(rng_unit(g) * 2 - 1);
}

static void test_round_and_a8(void)
{
	CHECK(gemv_round(2.5) == 3 && gemv_round(-2.5) == -3 && gemv_round(0.49) == 0,
	      "half away from zero");
	float x[4] = {1.27f, -0.635f, 0.0f, 0.005f};
	int8_t q[4];
	float s;
	berr e;
	CHECK(gemv_quant_a8(x, 4, q, &s, &e) == 0, "%s", e.msg);
	CHECK(fabsf(s - 0.01f) < 1e-7f, "scale %g", s);
	CHECK(q[0] == 127 && q[1] == -64 && q[2] == 0 && q[3] == 1, "%d %d %d %d", q[0], q[1],
	      q[2], q[3]);
	float z[3] = {0, 0, 0};
	CHECK(gemv_quant_a8(z, 3, q, &s, &e) == 0 && s == 1.0f && q[0] == 0, "all zero");
	z[1] = NAN;
	CHECK(gemv_quant_a8(z, 3, q, &s, &e) == -1 && strstr(e.msg, "activation 1"), "%s", e.msg);
	CHECK(gemv_quant_a8(z, 0, q, &s, &e) == -1, "empty vector");
}

static void test_w8a8(void)
{
	enum { R = 5, C = 37 };
	rng g;
	rng_seed(&g, 11, 0);
	float w[R * C], x[C], scale[R], xs, y[R];
	int8_t qw[R * C], qx[C];
	int32_t acc[R];
	berr e;
	for (int i = 0; i < R * C; i++)
		w[i] = frand(&g) * (1 + i % 3);
	for (int i = 0; i < C; i++)
		x[i] = frand(&g) * 4;
	CHECK(gemv_quant_w8(w, R, C, qw, scale, &e) == 0, "%s", e.msg);
	CHECK(gemv_quant_a8(x, C, qx, &xs, &e) == 0, "%s", e.msg);
	CHECK(gemv_w8a8(qw, qx, R, C, acc, &e) == 0, "%s", e.msg);
	int bad = 0, maxq = 0;
	for (int r = 0; r < R; r++) {
		long a = 0;
		for (int c = 0; c < C; c++) {
			a += (long)qw[r * C + c] * qx[c];
			if (abs(qw[r * C + c]) > maxq)
				maxq = abs(qw[r * C + c]);
			/* each weight within half a step of its quantised value */
			if (fabs(w[r * C + c] - qw[r * C + c] * (double)scale[r]) > scale[r] * 0.5001)
				bad++;
		}
		if (a != acc[r])
			bad++;
	}
	CHECK(bad == 0, "%d wrong", bad);
	CHECK(maxq == 127, "the largest weight of a row maps to 127 (got %d)", maxq);
	gemv_dequant_w8a8(acc, scale, xs, R, y);
	/* against the float product, within sum |dw||x| + |w||dx| + |dw||dx| */
	bad = 0;
	for (int r = 0; r < R; r++) {
		double ref = 0, bound = 1e-5;
		for (int c = 0; c < C; c++) {
			ref += (double)w[r * C + c] * x[c];
			bound += scale[r] / 2 * fabs(x[c]) + fabs(w[r * C + c]) * xs / 2 +
				 scale[r] * xs / 4;
		}
		if (fabs(y[r] - ref) > bound)
			bad++;
	}
	CHECK(bad == 0, "%d rows outside the bound", bad);
	int8_t big[2] = {-128, -128};
	int32_t a1;
	CHECK(gemv_w8a8(big, big, 1, 2, &a1, &e) == 0 && a1 == 32768, "%d", a1);
	CHECK(gemv_w8a8(big, big, 1, GEMV_MAX_COLS + 1, &a1, &e) == -1 && strstr(e.msg, "cols"),
	      "%s", e.msg);
}

static void test_requant(void)
{
	gemv_rq rq;
	berr e;
	CHECK(gemv_rq_make(0.5, &rq, &e) == 0 && rq.mult == (1 << 30) && rq.shift == 31,
	      "%d %d", rq.mult, rq.shift);
	/* halves round towards +infinity; saturation to [-128, 127] */
	CHECK(gemv_rq_apply(3, rq) == 2 && gemv_rq_apply(-3, rq) == -1, "%d %d",
	      gemv_rq_apply(3, rq), gemv_rq_apply(-3, rq));
	CHECK(gemv_rq_apply(1000, rq) == 127 && gemv_rq_apply(-1000, rq) == -128 &&
		      gemv_rq_apply(-256, rq) == -128 && gemv_rq_apply(-258, rq) == -128,
	      "saturation");
	CHECK(gemv_rq_apply(254, rq) == 127 && gemv_rq_apply(255, rq) == 127 &&
		      gemv_rq_apply(-257, rq) == -128,
	      "edges");
	CHECK(gemv_rq_make(0, &rq, &e) == 0 && gemv_rq_apply(123456, rq) == 0, "zero");
	CHECK(gemv_rq_make(-1, &rq, &e) == -1 && strstr(e.msg, "out of range"), "%s", e.msg);
	CHECK(gemv_rq_make(1e-12, &rq, &e) == -1 && strstr(e.msg, "too small"), "%s", e.msg);
	CHECK(gemv_rq_make(0.999999999999, &rq, &e) == 0 && rq.mult == (1 << 30) &&
		      rq.shift == 30, "rounded up to 1: %d %d", rq.mult, rq.shift);
	/* against double arithmetic: within one LSB, equal when away from a half */
	rng g;
	rng_seed(&g, 5, 0);
	int far = 0, near = 0;
	for (int i = 0; i < 20000; i++) {
		double real = ldexp(0.5 + rng_unit(&g) / 2, -(int)(rng_unit(&g) * 20));
		int32_t acc = (int32_t)((rng_unit(&g) * 2 - 1) * 2e5);
		if (gemv_rq_make(real, &rq, &e) != 0) {
			far++;
			continue;
		}
		double v = acc * real, want = floor(v + 0.5);
		want = want < -128 ? -128 : want > 127 ? 127 : want;
		int got = gemv_rq_apply(acc, rq);
		double frac = v - floor(v);
		if (fabs(frac - 0.5) > 1e-6 ? got != want : fabs(got - want) > 1)
			far++;
		near += got == want;
	}
	CHECK(far == 0, "%d differ from double rounding", far);
	CHECK(near > 19000, "%d equal", near);
	float ws[2] = {0.01f, 0.02f};
	gemv_rq rqs[2];
	CHECK(gemv_rq_rows(ws, 0.1f, 0.001f, 2, rqs, &e) == 0, "%s", e.msg);
	int32_t acc2[2] = {100, -100};
	int8_t y2[2];
	gemv_requant(acc2, rqs, 2, y2);
	CHECK(y2[0] == 100 && y2[1] == -128, "%d %d", y2[0], y2[1]);
	CHECK(gemv_rq_rows(ws, 0.1f, 0, 2, rqs, &e) == -1 && strstr(e.msg, "output scale"), "%s",
	      e.msg);
}

static void test_w4(bool sym)
{
	enum { R = 7, C = 256 };
	int G = sym ? 64 : 32;
	size_t nq, ng;
	gemv_w4_sizes(R, C, G, &nq, &ng);
	CHECK(nq == R * C / 2 && ng == (size_t)R * (C / G), "sizes");
	gemv_w4 m = {R, C, G, xmalloc(nq), xmalloc(ng * 2), xmalloc(R), NULL};
	if (!sym)
		m.zero = xmalloc(ng);
	float *w = xmalloc(sizeof(float) * R * C), x[C], y[R], xs;
	int8_t qx[C];
	int64_t acc[R];
	rng g;
	rng_seed(&g, sym ? 1 : 2, 0);
	for (int i = 0; i < R * C; i++)
		w[i] = frand(&g) * (float)(1 + (i / G) % 5) + (sym ? 0 : 0.3f);
	for (int i = 0; i < C; i++)
		x[i] = frand(&g);
	berr e;
	CHECK(gemv_quant_w4(w, &m, &e) == 0, "%s", e.msg);
	int bad = 0, zmin = 99, zmax = -99, big = 0;
	for (int r = 0; r < R; r++)
		for (int c = 0; c < C; c++) {
			double s = gemv_w4_scale(&m, r, c / G);
			int v = gemv_w4_at(&m, r, c);
			if (fabs(w[r * C + c] - s * v) > s * (sym ? 0.5 : 1) * 1.0001)
				bad++;
			if (v < zmin)
				zmin = v;
			if (v > zmax)
				zmax = v;
			if (m.scale[r * (C / G) + c / G] > 32767)
				big++;
		}
	CHECK(bad == 0, "%d weights outside the error bound", bad);
	if (sym)
		CHECK(zmin == -7 && zmax == 7, "symmetric range %d..%d", zmin, zmax);
	CHECK(big > 0, "the row's largest scale uses the mantissa's top bit");
	CHECK(gemv_quant_a8(x, C, qx, &xs, &e) == 0, "%s", e.msg);
	CHECK(gemv_w4a8(&m, qx, acc, &e) == 0, "%s", e.msg);
	bad = 0;
	for (int r = 0; r < R; r++) {
		int64_t a = 0;
		for (int gi = 0; gi < C / G; gi++) {
			int64_t ag = 0;
			for (int c = gi * G; c < (gi + 1) * G; c++)
				ag += gemv_w4_at(&m, r, c) * qx[c];
			a += ag * m.scale[r * (C / G) + gi];
		}
		bad += a != acc[r];
	}
	CHECK(bad == 0, "%d rows differ from the naive sum", bad);
	gemv_dequant_w4a8(&m, acc, xs, y);
	bad = 0;
	for (int r = 0; r < R; r++) {
		double ref = 0, bound = 1e-5;
		for (int c = 0; c < C; c++) {
			double s = gemv_w4_scale(&m, r, c / G), dw = s * (sym ? 0.5 : 1);
			ref += (double)w[r * C + c] * x[c];
			bound += dw * fabs(x[c]) + fabs(w[r * C + c]) * xs / 2 + dw * xs / 2;
		}
		bad += fabs(y[r] - ref) > bound;
	}
	CHECK(bad == 0, "%d rows outside the bound", bad);
	free(w);
	free(m.q);
	free(m.scale);
	free(m.exp);
	free(m.zero);
}

static void test_w4_packing(void)
{
	/* one row of 4 columns, group 2, symmetric: nibbles at known places */
	uint8_t q[2] = {0x9f, 0x18};
	uint16_t sc[2] = {3, 5};
	int8_t ex[1] = {1};
	gemv_w4 m = {1, 4, 2, q, sc, ex, NULL};
	CHECK(gemv_w4_at(&m, 0, 0) == 7 && gemv_w4_at(&m, 0, 1) == 1 && gemv_w4_at(&m, 0, 2) == 0 &&
		      gemv_w4_at(&m, 0, 3) == -7,
	      "low nibble first");
	int8_t x[4] = {1, 2, 3, 4};
	int64_t acc;
	berr e;
	CHECK(gemv_w4a8(&m, x, &acc, &e) == 0 && acc == 3 * (7 + 2) + 5 * (0 - 28), "%lld",
	      (long long)acc);
	float y;
	gemv_dequant_w4a8(&m, &acc, 2.0f, &y);
	CHECK(y == (float)(acc * 2.0 / 2), "%g", y);
	uint8_t z[2] = {0, 15};
	m.zero = z;
	CHECK(gemv_w4_at(&m, 0, 0) == 15 && gemv_w4_at(&m, 0, 3) == -14, "zero points");
	CHECK(gemv_w4_check(1, 96, 64, &e) == -1 && strstr(e.msg, "does not divide"), "%s", e.msg);
	CHECK(gemv_w4_check(1, 96, 3, &e) == -1 && strstr(e.msg, "even"), "%s", e.msg);
	CHECK(gemv_w4_check(0, 96, 32, &e) == -1 && strstr(e.msg, "rows"), "%s", e.msg);
	float wz[4] = {0, 0, 0, 0};
	CHECK(gemv_quant_w4(wz, &m, &e) == 0 && m.exp[0] == 0 && sc[0] == 0, "all-zero matrix");
}

int main(void)
{
	test_round_and_a8();
	test_w8a8();
	test_requant();
	test_w4(true);
	test_w4(false);
	test_w4_packing();
	return t_done("test_gemv");
}
