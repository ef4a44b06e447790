/* test_gemv.c - the quantised GEMV kernels (kernels/gemv.h): quantisers, the integer GEMV
 * against a naive sum, the requantiser's rounding and saturation, INT4 packing and its
 * quantisation error bound. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/rng.h"
#include "kernels/gemv.h"
#include "kernels/gemv_roof.h"
#include "kernels/gemv_suite.h"
#include "kernels/rope.h"
#include "kernels/rtl_gemv.h"
#include "kernels/softmax.h"
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

static void test_rtl_text(void)
{
	berr e;
	/* W8: header, activation words (lane 0 in the low byte), weights, requantisers */
	gemv_engine g8 = {false, 4, 0};
	int8_t w[2 * 6] = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6}, x[6] = {16, -1, 0, 0, 0, 127};
	gemv_rq rq[2] = {{1 << 30, 31}, {1 << 30, 40}};
	strbuf b = {0};
	CHECK(gemv_rtl_stim_w8(&b, &g8, w, 6, 1, 1, x, rq, 0, &e) == 0, "%s", e.msg);
	CHECK(b.s && strcmp(b.s, "4 0 1 2 0\n0000ff10\n00007f00\nfcfdfeff\n0000fafb\n"
				 "1073741824 40\n") == 0, "got %s", b.s);
	sb_free(&b);
	CHECK(gemv_rtl_stim_w8(&b, &g8, w, GEMV_RTL_W8_MAXCOLS + 4, 0, 1, x, rq, 0, &e) == -1 &&
		      strstr(e.msg, "exceed"), "%s", e.msg);
	sb_free(&b);
	gemv_engine g4 = {true, 16, 32};
	CHECK(gemv_rtl_stim_w8(&b, &g4, w, 6, 0, 1, x, rq, 0, &e) == -1, "W8 stimulus, W4 engine");
	sb_free(&b);
	/* W4: a beat is the row's 32 packed bytes, the last byte first; group words z<<16 | m */
	uint8_t q[32];
	for (int i = 0; i < 32; i++)
		q[i] = (uint8_t)i;
	uint16_t sc[2] = {0x1234, 0xffff};
	int8_t ex[1] = {0}, x4[64] = {0};
	uint8_t z[2] = {3, 15};
	gemv_w4 m = {1, 64, 32, q, sc, ex, z};
	CHECK(gemv_rtl_stim_w4(&b, &g4, &m, 0, 1, x4, 7, &e) == 0, "%s", e.msg);
	CHECK(b.s && strstr(b.s, "16 32 1 4 7\n") == b.s, "header %s", b.s);
	CHECK(b.s && strstr(b.s, "\n1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100\n"
				 "00031234\n000fffff\n"), "beat and groups: %s", b.s);
	sb_free(&b);
	gemv_engine g4b = {true, 16, 64};
	CHECK(gemv_rtl_stim_w4(&b, &g4b, &m, 0, 1, x4, 0, &e) == -1 && strstr(e.msg, "group"),
	      "%s", e.msg);
	sb_free(&b);
	/* the testbench's output */
	gemv_rtl_out o;
	CHECK(gemv_rtl_parse("5 -3\n-7 127\ncycles 12\nxcycles 2\n", false, 2, &o, &e) == 0 &&
		      o.acc[1] == -7 && o.y[0] == -3 && o.cycles == 12 && o.xcycles == 2,
	      "%s", e.msg);
	gemv_rtl_out_free(&o);
	CHECK(gemv_rtl_parse("5 -3\ncycles 12\nxcycles 2\n", false, 2, &o, &e) == -1 &&
		      strstr(e.msg, "1 of 2 rows"), "%s", e.msg);
	CHECK(gemv_rtl_parse("5 300\n6 1\ncycles 12\nxcycles 2\n", false, 2, &o, &e) == -1 &&
		      strstr(e.msg, "line 1"), "%s", e.msg);
	CHECK(gemv_rtl_parse("140737488355327\ncycles 3\nxcycles 1\n", true, 1, &o, &e) == 0 &&
		      o.acc[0] == 140737488355327LL, "%s", e.msg);
	gemv_rtl_out_free(&o);
	CHECK(gemv_engine_check(&(gemv_engine){true, 8, 32}, &e) == -1 && strstr(e.msg, "16, 32"),
	      "%s", e.msg);
	CHECK(gemv_engine_check(&(gemv_engine){false, 12, 0}, &e) == -1, "lanes 12");
}

static void test_suites_and_roof(void)
{
	gemv_case *c;
	int n;
	berr e;
	CHECK(gemv_suite_cases("qwen-int4", false, &c, &n, &e) == 0 && n == 168, "%d", n);
	int zero = 0, tiles = 0;
	for (int i = 0; i < n; i++) {
		zero += c[i].zero;
		tiles += c[i].row0 >= 0 && c[i].row0 + c[i].nrows <= c[i].rows && c[i].nrows == 64;
	}
	CHECK(zero == 84 && tiles == 168, "%d with zero points, %d tiles", zero, tiles);
	free(c);
	CHECK(gemv_suite_cases("nanocoder-w8a8", false, &c, &n, &e) == 0 && n == 49, "%d", n);
	free(c);
	CHECK(gemv_suite_cases("all", true, &c, &n, &e) == 0 && n == 5, "%d", n);
	free(c);
	CHECK(gemv_suite_cases("qwen", false, &c, &n, &e) == -1 && strstr(e.msg, "unknown suite"),
	      "%s", e.msg);
	/* Qwen2.5-1.5B: 28 x 46,792,704 layer MACs + 151,936 x 1536 for the head */
	const roof_model *m = roof_model_get("qwen2.5-1.5b");
	double macs, bytes;
	gemv_engine g = {true, 64, 128};
	CHECK(m != NULL, "model");
	roof_totals(m, &g, &macs, &bytes);
	CHECK(macs == 28.0 * 46792704 + 151936.0 * 1536, "%.0f", macs);
	CHECK(bytes == macs / 2 + macs / 128 * 4, "%.0f", bytes);
	CHECK(roof_model_get("gpt") == NULL, "unknown model");
}

static void test_softmax_rope(void)
{
	berr e;
	sm_table t;
	CHECK(sm_table_make(&t, 6, 1024, &e) == 0 && t.e[0] == 65536 &&
		      t.e[64] == (uint32_t)floor(exp(-1) * 65536 + 0.5), "table");
	int32_t x[4] = {100, 100, 100, 100};
	uint16_t y[4];
	CHECK(sm_softmax(&t, x, 4, 8, y, &e) == 0 && y[0] == 8192 && y[3] == 8192, "%d", y[0]);
	int32_t x2[3] = {0, -256, 1 << 20}; /* one far above: 1, 0, 0 */
	CHECK(sm_softmax(&t, x2, 3, 8, y, &e) == 0 && y[2] == 32768 && y[0] == 0 && y[1] == 0,
	      "%d %d %d", y[0], y[1], y[2]);
	int32_t x3[2] = {256, 0}; /* e^1 / (e^1 + 1) = 0.7311 */
	CHECK(sm_softmax(&t, x3, 2, 8, y, &e) == 0 && fabs(y[0] / 32768.0 - 0.7311) < 2e-3 &&
		      fabs(y[1] / 32768.0 - 0.2689) < 2e-3, "%d %d", y[0], y[1]);
	CHECK(sm_softmax(&t, x3, 2, 4, y, &e) == -1 && strstr(e.msg, "fractional"), "%s", e.msg);
	CHECK(sm_table_make(&t, 13, 10, &e) == -1, "step bits");
	sm_table_free(&t);
	int16_t cs[8], v[8] = {256, -512, 1000, 7, 0, 32767, -32768, 3}, w[8];
	CHECK(rope_table(8, 10000, 0, cs, &e) == 0 && cs[0] == 16384 && cs[1] == 0, "pos 0");
	rope_apply(v, 8, cs, false, w);
	CHECK(memcmp(v, w, sizeof v) == 0, "position 0 is the identity");
	CHECK(rope_table(8, 10000, 1, cs, &e) == 0 && cs[0] == (int16_t)floor(cos(1) * 16384 + 0.5),
	      "%d", cs[0]);
	rope_apply(v, 8, cs, true, w);
	/* pair 0 of rotate_half is (v[0], v[4]), rotated by 1 radian */
	CHECK(fabs(w[0] - (256 * cos(1) - 0 * sin(1))) <= 1 && fabs(w[4] - 256 * sin(1)) <= 1,
	      "%d %d", w[0], w[4]);
	rope_apply(v, 8, cs, false, w);
	CHECK(fabs(w[0] - (256 * cos(1) + 512 * sin(1))) <= 1 &&
		      fabs(w[1] - (256 * sin(1) - 512 * cos(1))) <= 1, "%d %d", w[0], w[1]);
	CHECK(rope_table(7, 10000, 1, cs, &e) == -1 && strstr(e.msg, "even"), "%s", e.msg);
}

int main(void)
{
	test_softmax_rope();
	test_rtl_text();
	test_suites_and_roof();
	test_round_and_a8();
	test_w8a8();
	test_requant();
	test_w4(true);
	test_w4(false);
	test_w4_packing();
	return t_done("test_gemv");
}
