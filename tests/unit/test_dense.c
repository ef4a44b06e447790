/* test_dense.c - kernels/dense: layout, order of operations, per-step rounding, ReLU, stats. */
#include <math.h>
#include <string.h>

#include "kernels/dense.h"
#include "tests/unit/t.h"

static fx_type P(const char *s)
{
	fx_type t = {0};
	char err[160];
	if (fx_parse(s, &t, err, sizeof err) != 0)
		printf("FAIL bad type %s: %s\n", s, err);
	return t;
}

/* Casts n doubles to t. */
static void cast(const fx_type *t, const double *v, fx_raw *out, int n)
{
	for (int k = 0; k < n; k++)
		out[k] = fx_from_double(t, v[k], NULL);
}

/* Exact types: the kernel must equal a double computation, output by output. */
static void test_layout(void)
{
	dense_types t = {.data = P("ap_fixed<8,4>"), .weight = P("ap_fixed<8,4>"),
			 .bias = P("ap_fixed<8,4>"), .accum = P("ap_fixed<32,16>"),
			 .result = P("ap_fixed<32,16>"), .has_bias = true};
	enum { NI = 3, NO = 4 };
	double xd[NI] = {1.5, -2.25, 0.75};
	double wd[NI * NO] = {1, 2, 3, 4, -1, -0.5, 0.25, 0.125, 2.5, -3, 1.75, -0.0625};
	double bd[NO] = {0.5, -1, 0, 3.25};
	fx_raw x[NI], w[NI * NO], b[NO], y[NO];
	cast(&t.data, xd, x, NI);
	cast(&t.weight, wd, w, NI * NO);
	cast(&t.bias, bd, b, NO);
	fx_stats as = {0}, rs = {0};
	dense_fx(&t, NI, NO, x, w, b, y, &as, &rs);
	for (int j = 0; j < NO; j++) {
		double want = bd[j];
		for (int i = 0; i < NI; i++)
			want += xd[i] * wd[i * NO + j];
		double got = fx_to_double(&t.result, y[j]);
		CHECK(got == want, "y[%d] = %g, want %g", j, got, want);
	}
	CHECK(as.overflow == 0 && as.quantized == 0 && rs.overflow == 0 && rs.quantized == 0,
	      "exact layer counted events");
	/* ReLU on the same layer */
	t.relu = true;
	dense_fx(&t, NI, NO, x, w, b, y, NULL, NULL);
	for (int j = 0; j < NO; j++) {
		double want = bd[j];
		for (int i = 0; i < NI; i++)
			want += xd[i] * wd[i * NO + j];
		want = want > 0 ? want : 0;
		CHECK(fx_to_double(&t.result, y[j]) == want, "relu y[%d]", j);
	}
	/* no bias: b is not read */
	t.relu = false;
	t.has_bias = false;
	dense_fx(&t, NI, NO, x, w, NULL, y, NULL, NULL);
	for (int j = 0; j < NO; j++) {
		double want = 0;
		for (int i = 0; i < NI; i++)
			want += xd[i] * wd[i * NO + j];
		CHECK(fx_to_double(&t.result, y[j]) == want, "no-bias y[%d]", j);
	}
}

/* A saturating accumulator makes the input order visible: 7 + 7 - 7 with max 7 is 0. */
static void test_order(void)
{
	dense_types t = {.data = P("ap_fixed<4,4>"), .weight = P("ap_fixed<4,4>"),
			 .bias = P("ap_fixed<4,4>"), .accum = P("ap_fixed<4,4,AP_TRN,AP_SAT>"),
			 .result = P("ap_fixed<8,8>")};
	fx_raw x[3] = {1, 1, 1}, w[3] = {7, 7, -7}, b[1] = {1}, y[1];
	fx_stats as = {0}, rs = {0};
	dense_fx(&t, 3, 1, x, w, NULL, y, &as, &rs);
	CHECK(y[0] == 0, "7 + 7 (sat 7) - 7 = %d, want 0", (int)y[0]);
	CHECK(as.overflow == 1, "one saturated addition, got %d", (int)as.overflow);
	fx_raw wr[3] = {-7, 7, 7};
	dense_fx(&t, 3, 1, x, wr, NULL, y, NULL, NULL);
	CHECK(y[0] == 7, "-7 + 7 + 7 = %d, want 7", (int)y[0]);
	t.has_bias = true;
	as = (fx_stats){0};
	dense_fx(&t, 3, 1, x, w, b, y, &as, NULL);
	CHECK(y[0] == 0, "1 + 7 (sat) + 7 (sat) - 7 = %d, want 0", (int)y[0]);
	CHECK(as.overflow == 2, "two saturated additions, got %d", (int)as.overflow);
	/* the bias is cast to accum first: 1.75 in an integer accumulator is 1 */
	t.bias = P("ap_fixed<8,4>");
	fx_raw b2[1] = {28}; /* 1.75 */
	fx_raw z[3] = {0, 0, 0};
	as = (fx_stats){0};
	dense_fx(&t, 3, 1, z, w, b2, y, &as, NULL);
	CHECK(y[0] == 1, "bias 1.75 -> %d, want 1", (int)y[0]);
	CHECK(as.quantized == 1 && as.overflow == 0, "bias cast counted: q %d o %d",
	      (int)as.quantized, (int)as.overflow);
}

/* The accumulator rounds at every addition: 0.5 + 0.5 + 0.5 with AP_RND and no fraction bits
 * is 1, 2, 3 (the exact sum 1.5 would round to 2). */
static void test_step_rounding(void)
{
	dense_types t = {.data = P("ap_fixed<8,4>"), .weight = P("ap_fixed<8,4>"),
			 .bias = P("ap_fixed<8,4>"), .accum = P("ap_fixed<8,8,AP_RND,AP_SAT>"),
			 .result = P("ap_fixed<8,8>")};
	fx_raw x[3] = {8, 8, 8}, w[3] = {16, 16, 16}, y[1]; /* 0.5 * 1.0 */
	fx_stats as = {0};
	dense_fx(&t, 3, 1, x, w, NULL, y, &as, NULL);
	CHECK(y[0] == 3, "per-step rounding gives %d, want 3", (int)y[0]);
	CHECK(as.quantized == 3, "three rounded additions, got %d", (int)as.quantized);
	/* result cast then ReLU: -0.375 rounds to 0 (RND), -0.625 to -1 then 0, 0.625 to 1 */
	dense_types r = {.data = P("ap_fixed<8,4>"), .weight = P("ap_fixed<8,4>"),
			 .bias = P("ap_fixed<8,4>"), .accum = P("ap_fixed<16,8>"),
			 .result = P("ap_fixed<8,8,AP_RND,AP_SAT>"), .relu = true};
	fx_raw one[1] = {16};
	fx_raw wv[3] = {fx_from_double(&r.weight, -0.375, NULL),
			fx_from_double(&r.weight, -0.625, NULL),
			fx_from_double(&r.weight, 0.625, NULL)};
	fx_raw yy[3];
	fx_stats rs = {0};
	dense_fx(&r, 1, 3, one, wv, NULL, yy, NULL, &rs);
	CHECK(yy[0] == 0 && yy[1] == 0 && yy[2] == 1, "relu after rounding: %d %d %d",
	      (int)yy[0], (int)yy[1], (int)yy[2]);
	CHECK(rs.quantized == 3, "result cast counted %d", (int)rs.quantized);
	r.relu = false;
	dense_fx(&r, 1, 3, one, wv, NULL, yy, NULL, NULL);
	CHECK(yy[0] == 0 && yy[1] == -1 && yy[2] == 1, "no relu: %d %d %d", (int)yy[0],
	      (int)yy[1], (int)yy[2]);
}

int main(void)
{
	test_layout();
	test_order();
	test_step_rounding();
	return t_done("test_dense");
}
