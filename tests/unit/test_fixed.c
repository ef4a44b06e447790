/* test_fixed.c - kernels/fixed against hand-worked vendor cases and a slow exact reference. */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "kernels/fixed.h"
#include "tests/unit/t.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

static fx_type T(int w, int i, bool sign, fx_qmode q, fx_omode o)
{
	return (fx_type){.w = w, .i = i, .sign = sign, .q = q, .o = o};
}

static const char *rs(fx_raw r)
{
	static char buf[8][48];
	static int k;
	k = (k + 1) % 8;
	return fx_rawstr(r, buf[k], sizeof buf[k]);
}

static const char *ts(const fx_type *t)
{
	static char buf[8][96];
	static int k;
	k = (k + 1) % 8;
	return fx_format(t, buf[k], sizeof buf[k]);
}

/* ---- the reference: exact rationals num / 2^s and the rules written out arithmetically ---- */

static i128 floordiv(i128 n, i128 d)
{
	i128 q = n / d;
	if ((n % d != 0) && ((n < 0) != (d < 0)))
		q--;
	return q;
}

/* (t)(num / 2^s) for num / 2^s small enough that num * 2^F fits comfortably in 120 bits. */
static fx_raw ref_q(const fx_type *t, i128 num, int s, bool *ovf, bool *qnt)
{
	int f = t->w - t->i;
	i128 n = num, d = 1;
	if (f - s >= 0)
		n = num * ((i128)1 << (f - s));
	else
		d = (i128)1 << (s - f);
	i128 fl = floordiv(n, d), rem = n - fl * d; /* 0 <= rem < d */
	bool neg = num < 0;
	i128 r = fl;
	int tie = rem == 0 ? -2 : (2 * rem < d ? -1 : (2 * rem == d ? 0 : 1));
	switch (t->q) {
	case FX_TRN:
		break;
	case FX_TRN_ZERO: /* towards zero */
		if (neg && rem)
			r = fl + 1;
		break;
	default: /* nearest; ties by mode */
		if (tie == 1)
			r = fl + 1;
		else if (tie == 0) {
			if (t->q == FX_RND)
				r = fl + 1;
			else if (t->q == FX_RND_ZERO)
				r = neg ? fl + 1 : fl;
			else if (t->q == FX_RND_MIN_INF)
				r = fl;
			else if (t->q == FX_RND_INF)
				r = neg ? fl : fl + 1;
			else
				r = (fl % 2 == 0) ? fl : fl + 1;
		}
	}
	*qnt = rem != 0;
	i128 two_w = (i128)1 << t->w;
	i128 lo = t->sign ? -two_w / 2 : 0, hi = t->sign ? two_w / 2 - 1 : two_w - 1;
	bool sym_min = t->sign && t->o == FX_SAT_SYM && r == lo;
	*ovf = r < lo || r > hi || sym_min;
	if (!*ovf)
		return r;
	i128 wrapped = r - floordiv(r - lo, two_w) * two_w; /* r mod 2^W, into [lo, hi] */
	switch (t->o) {
	case FX_WRAP:
		return wrapped;
	case FX_SAT_ZERO:
		return 0;
	case FX_WRAP_SM:
		if (t->sign) {
			/* first dropped bit of the unrounded value vs the new sign */
			bool ld = floordiv(fl, two_w) % 2 != 0;
			bool ro = wrapped < 0;
			return ld == ro ? wrapped : -wrapped - 1;
		}
		goto saturate; /* the vendor saturates an unsigned one */
	default:
	saturate:
		if (r > hi)
			return hi;
		if (t->o == FX_SAT_SYM && t->sign && t->w > 1)
			return lo + 1;
		return lo;
	}
}

/* All types with W <= maxw, some I, every mode: the sweep targets. */
static int small_types(fx_type *out, int maxw)
{
	int n = 0;
	for (int s = 0; s < 2; s++)
		for (int w = 1; w <= maxw; w++) {
			int is[] = {-1, 0, 1, w, w + 1};
			for (int k = 0; k < 5; k++)
				for (int q = 0; q < 7; q++)
					for (int o = 0; o < 5; o++) {
						if (!s && o == FX_WRAP_SM)
							continue;
						out[n++] = T(w, is[k], s, q, o);
					}
		}
	return n;
}

enum { SCALE = 24 };

/* raw of t as num / 2^SCALE */
static i128 num_of(const fx_type *t, fx_raw r)
{
	return r * ((i128)1 << (SCALE - (t->w - t->i)));
}

static long sweep_bad, sweep_n;

/* Compares one result and its stats with the reference; prints the first few misses. */
static void check_one(const char *op, const fx_type *to, fx_raw got, fx_stats *st, i128 num,
		      int s, const char *desc)
{
	bool ovf, qnt;
	fx_raw want = ref_q(to, num, s, &ovf, &qnt);
	bool ok = got == want && st->overflow == (uint64_t)ovf && st->quantized == (uint64_t)qnt;
	sweep_n++;
	if (!ok && sweep_bad++ < 10)
		printf("FAIL %s -> %s %s: got %s (ovf %d q %d), want %s (ovf %d q %d)\n", op,
		       ts(to), desc, rs(got), (int)st->overflow, (int)st->quantized, rs(want), ovf,
		       qnt);
}

/* One CHECK for a whole sweep. */
static void sweep_done(const char *name)
{
	CHECK(sweep_bad == 0, "%s: %ld of %ld results wrong", name, sweep_bad, sweep_n);
	printf("sweep %s: %ld results checked\n", name, sweep_n);
	sweep_bad = sweep_n = 0;
}

/* ---- parser ---- */

static void test_parse(void)
{
	struct {
		const char *s;
		int w, i;
		bool sign;
		fx_qmode q;
		fx_omode o;
	} ok[] = {
		{"ap_fixed<16,6>", 16, 6, 1, FX_TRN, FX_WRAP},
		{"fixed<16,6,RND,SAT>", 16, 6, 1, FX_RND, FX_SAT},
		{"ap_fixed<16, 6, AP_RND_CONV, AP_SAT>", 16, 6, 1, FX_RND_CONV, FX_SAT},
		{"  ap_fixed < 16 , 6 , AP_RND_CONV , AP_SAT >  ", 16, 6, 1, FX_RND_CONV, FX_SAT},
		{"ufixed<8,3>", 8, 3, 0, FX_TRN, FX_WRAP},
		{"ap_ufixed<8,3>", 8, 3, 0, FX_TRN, FX_WRAP},
		{"int<8>", 8, 8, 1, FX_TRN_ZERO, FX_WRAP},
		{"ap_int<8>", 8, 8, 1, FX_TRN_ZERO, FX_WRAP},
		{"uint<4>", 4, 4, 0, FX_TRN_ZERO, FX_WRAP},
		{"ap_uint<4>", 4, 4, 0, FX_TRN_ZERO, FX_WRAP},
		{"ap_uint<64>", 64, 64, 0, FX_TRN_ZERO, FX_WRAP},
		{"ap_fixed<8,-2,AP_RND_MIN_INF,AP_SAT_ZERO>", 8, -2, 1, FX_RND_MIN_INF, FX_SAT_ZERO},
		{"ap_fixed<8,10,TRN_ZERO,SAT>", 8, 10, 1, FX_TRN_ZERO, FX_SAT},
		{"ap_fixed<9,3,AP_TRN,AP_WRAP_SM>", 9, 3, 1, FX_TRN, FX_WRAP_SM},
		{"ap_fixed<6,1,RND_ZERO,SAT_SYM>", 6, 1, 1, FX_RND_ZERO, FX_SAT_SYM},
		{"ap_fixed<10,10,AP_RND_INF>", 10, 10, 1, FX_RND_INF, FX_WRAP},
		{"ap_fixed<16,6,AP_RND,AP_SAT,0>", 16, 6, 1, FX_RND, FX_SAT},
		{"ap_fixed<16,6,rnd,sat>", 16, 6, 1, FX_RND, FX_SAT},
		{"ap_fixed<1,1>", 1, 1, 1, FX_TRN, FX_WRAP},
		{"ap_fixed<64,-1024>", 64, -1024, 1, FX_TRN, FX_WRAP},
		{"ap_ufixed<64,1088>", 64, 1088, 0, FX_TRN, FX_WRAP},
		{"ap_fixed<\t12,+4>", 12, 4, 1, FX_TRN, FX_WRAP},
	};
	for (size_t k = 0; k < sizeof ok / sizeof ok[0]; k++) {
		fx_type t;
		char err[160] = "";
		int r = fx_parse(ok[k].s, &t, err, sizeof err);
		CHECK(r == 0, "'%s' rejected: %s", ok[k].s, err);
		if (r == 0) {
			fx_type want = T(ok[k].w, ok[k].i, ok[k].sign, ok[k].q, ok[k].o);
			CHECK(fx_equal(&t, &want), "'%s' parsed as %s", ok[k].s, ts(&t));
			CHECK(fx_valid(&t), "'%s' not valid", ok[k].s);
		}
	}
	struct {
		const char *s, *msg;
	} bad[] = {
		{"ap_fixed<0,3>", "width 0 out of range"},
		{"ap_fixed<70,3>", "width 70 out of range"},
		{"ap_fixed<-3,3>", "width -3 out of range"},
		{"ap_int<65>", "width 65"},
		{"ap_fixed<16,2000>", "integer bits 2000 out of range"},
		{"ap_fixed<16,-1025>", "integer bits -1025"},
		{"ap_fixed<16,6,AP_RDN>", "did you mean AP_RND?"},
		{"ap_fixed<16,6,AP_RND,AP_STA>", "did you mean AP_SAT?"},
		{"ap_fixed<16,6,AP_SAT>", "overflow mode"},
		{"ap_fixed<16,6,AP_RND,AP_RND>", "quantization mode"},
		{"ap_fixed<16,6,AP_RND,AP_SAT,3>", "N=3"},
		{"ap_fixed<16,6,AP_RND,AP_SAT,0,1>", "too many"},
		{"ap_int<8,3>", "too many"},
		{"ap_fixed<16>", "integer bits"},
		{"ap_fixed<16,6", "missing '>'"},
		{"ap_fixed<16,6>x", "trailing"},
		{"ap_fixed<16,6> >", "trailing"},
		{"ap_fixed<16.5,6>", "unexpected '.'"},
		{"ap_fixed<16,,6>", "unexpected ','"},
		{"ap_fixed<>", "unexpected '>'"},
		{"ap_fixed16,6>", "unknown type"},
		{"ap_fixd<16,6>", "did you mean ap_fixed?"},
		{"float", "unknown type"},
		{"", "not a type"},
		{"<16,6>", "not a type"},
		{"ap_fixed<99999999999999999999,3>", "too large"},
		{"ap_fixed<16,99999999999999999999>", "too large"},
		{"ap_fixed<x,3>", "width: 'x' is not a number"},
		{"ap_fixed<16,6,7>", "expected a quantization mode name"},
		{"ap_ufixed<8,3,AP_TRN,AP_WRAP_SM>", "does not support AP_WRAP_SM"},
		{"ap_fixed(16,6)", "expected '<'"},
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		fx_type t = T(5, 5, true, FX_RND, FX_SAT);
		fx_type keep = t;
		char err[160] = "";
		int r = fx_parse(bad[k].s, &t, err, sizeof err);
		CHECK(r == -1, "'%s' accepted as %s", bad[k].s, ts(&t));
		CHECK(strstr(err, bad[k].msg) != NULL, "'%s': error '%s' lacks '%s'", bad[k].s, err,
		      bad[k].msg);
		CHECK(strchr(err, '\n') == NULL && err[0], "'%s': error not one line: '%s'", bad[k].s,
		      err);
		CHECK(fx_equal(&t, &keep), "'%s': type changed on error", bad[k].s);
	}
	/* a NULL error sink is fine */
	fx_type t;
	CHECK(fx_parse("ap_fixed<0,0>", &t, NULL, 0) == -1, "NULL err");
}

static void test_format(void)
{
	char buf[96];
	fx_type t = T(16, 6, true, FX_TRN, FX_WRAP);
	CHECK(strcmp(fx_format(&t, buf, sizeof buf), "ap_fixed<16,6,AP_TRN,AP_WRAP>") == 0, "%s",
	      buf);
	t = T(8, 8, true, FX_TRN_ZERO, FX_WRAP);
	CHECK(strcmp(fx_format(&t, buf, sizeof buf), "ap_int<8>") == 0, "%s", buf);
	t = T(4, 4, false, FX_TRN_ZERO, FX_WRAP);
	CHECK(strcmp(fx_format(&t, buf, sizeof buf), "ap_uint<4>") == 0, "%s", buf);
	t = T(8, 8, true, FX_TRN, FX_WRAP); /* truncating towards -inf: not an ap_int */
	CHECK(strcmp(fx_format(&t, buf, sizeof buf), "ap_fixed<8,8,AP_TRN,AP_WRAP>") == 0, "%s", buf);
	/* ap_int converts like a C++ integer: -2.5 -> -2, 2.7 -> 2 */
	fx_type ai;
	char perr_[96];
	CHECK(fx_parse("ap_int<8>", &ai, perr_, sizeof perr_) == 0, "%s", perr_);
	CHECK(fx_from_double(&ai, -2.5, NULL) == -2, "ap_int<8>(-2.5)");
	CHECK(fx_from_double(&ai, 2.7, NULL) == 2, "ap_int<8>(2.7)");
	t = T(8, 8, true, FX_RND, FX_WRAP);
	CHECK(strcmp(fx_format(&t, buf, sizeof buf), "ap_fixed<8,8,AP_RND,AP_WRAP>") == 0, "%s",
	      buf);
	t = T(8, -2, false, FX_RND_CONV, FX_SAT_SYM);
	CHECK(strcmp(fx_format(&t, buf, sizeof buf), "ap_ufixed<8,-2,AP_RND_CONV,AP_SAT_SYM>") ==
		      0, "%s", buf);
	CHECK(strcmp(fx_qname(FX_RND_MIN_INF), "AP_RND_MIN_INF") == 0, "qname");
	CHECK(strcmp(fx_oname(FX_WRAP_SM), "AP_WRAP_SM") == 0, "oname");
	/* round trip over many types */
	int bad = 0, n = 0;
	int ws[] = {1, 2, 7, 8, 16, 33, 63, 64};
	int is[] = {FX_I_MIN, -100, -1, 0, 1, 6, 8, 64, 65, 1000, FX_I_MAX};
	for (int s = 0; s < 2; s++)
		for (int a = 0; a < 8; a++)
			for (int b = 0; b < 11; b++)
				for (int q = 0; q < 7; q++)
					for (int o = 0; o < 5; o++) {
						if (!s && o == FX_WRAP_SM)
							continue;
						fx_type x = T(ws[a], is[b], s, q, o), y;
						char err[160];
						n++;
						if (fx_parse(fx_format(&x, buf, sizeof buf), &y, err,
							     sizeof err) != 0 ||
						    !fx_equal(&x, &y))
							bad++;
					}
	CHECK(bad == 0, "%d of %d types do not survive format+parse", bad, n);
	t = T(8, 8, true, FX_TRN, FX_WRAP);
	fx_type u = T(8, 8, true, FX_TRN, FX_SAT);
	CHECK(!fx_equal(&t, &u), "equal ignores o");
	u = T(8, 8, false, FX_TRN, FX_WRAP);
	CHECK(!fx_equal(&t, &u), "equal ignores sign");
	u = T(0, 8, true, FX_TRN, FX_WRAP);
	CHECK(!fx_valid(&u), "W=0 valid");
	u = T(8, 3, false, FX_TRN, FX_WRAP_SM);
	CHECK(!fx_valid(&u), "ufixed WRAP_SM valid");
	CHECK(strcmp(fx_rawstr(-((i128)1 << 63), buf, sizeof buf), "-9223372036854775808") == 0,
	      "%s", buf);
	CHECK(strcmp(fx_rawstr(((i128)1 << 64) - 1, buf, sizeof buf), "18446744073709551615") == 0,
	      "%s", buf);
	CHECK(strcmp(fx_rawstr(0, buf, sizeof buf), "0") == 0, "%s", buf);
}

/* ---- hand-worked cases: the vendor's documented examples and edges ---- */

static fx_raw q(const char *type, double x)
{
	fx_type t;
	if (fx_parse(type, &t, NULL, 0) != 0) {
		CHECK(0, "bad type %s", type);
		return -999;
	}
	return fx_from_double(&t, x, NULL);
}

static void test_modes(void)
{
	struct {
		const char *t;
		double x;
		long raw;
	} c[] = {
		/* quantization: ap_fixed<W,I> with 1 fraction bit, value = raw / 2 */
		{"ap_fixed<6,5,AP_RND>", 1.25, 3},
		{"ap_fixed<6,5,AP_RND>", -1.25, -2},
		{"ap_fixed<6,5,AP_RND>", 1.75, 4},
		{"ap_fixed<6,5,AP_RND>", -1.75, -3},
		{"ap_fixed<6,5,AP_RND_ZERO>", 1.25, 2},
		{"ap_fixed<6,5,AP_RND_ZERO>", -1.25, -2},
		{"ap_fixed<6,5,AP_RND_ZERO>", 1.2500001, 3},
		{"ap_fixed<6,5,AP_RND_ZERO>", -1.2500001, -3},
		{"ap_fixed<6,5,AP_RND_MIN_INF>", 1.25, 2},
		{"ap_fixed<6,5,AP_RND_MIN_INF>", -1.25, -3},
		{"ap_fixed<6,5,AP_RND_MIN_INF>", 1.2500001, 3},
		{"ap_fixed<6,5,AP_RND_MIN_INF>", -1.2499999, -2},
		{"ap_fixed<6,5,AP_RND_INF>", 1.25, 3},
		{"ap_fixed<6,5,AP_RND_INF>", -1.25, -3},
		{"ap_fixed<6,5,AP_RND_INF>", -1.2499999, -2},
		{"ap_fixed<6,5,AP_RND_CONV>", 1.25, 2},
		{"ap_fixed<6,5,AP_RND_CONV>", 1.75, 4},
		{"ap_fixed<6,5,AP_RND_CONV>", 0.75, 2},
		{"ap_fixed<6,5,AP_RND_CONV>", 0.25, 0},
		{"ap_fixed<6,5,AP_RND_CONV>", -1.25, -2},
		{"ap_fixed<6,5,AP_RND_CONV>", -1.75, -4},
		{"ap_fixed<6,5,AP_RND_CONV>", 1.2500001, 3},
		{"ap_fixed<6,5,AP_TRN>", 1.25, 2},
		{"ap_fixed<6,5,AP_TRN>", -1.25, -3},
		{"ap_fixed<6,5,AP_TRN>", -0.0001, -1},
		{"ap_fixed<6,5,AP_TRN_ZERO>", 1.25, 2},
		{"ap_fixed<6,5,AP_TRN_ZERO>", -1.25, -2},
		{"ap_fixed<6,5,AP_TRN_ZERO>", -0.0001, 0},
		{"ap_fixed<6,5,AP_RND>", -0.25, 0},
		{"ap_fixed<6,5,AP_RND_INF>", -0.25, -1},
		/* overflow on ap_fixed<4,4>: the vendor's documented 19.0 / -19.0 / 31.0 */
		{"ap_fixed<4,4,AP_RND,AP_SAT>", 19, 7},
		{"ap_fixed<4,4,AP_RND,AP_SAT>", -19, -8},
		{"ap_fixed<4,4,AP_RND,AP_SAT_ZERO>", 19, 0},
		{"ap_fixed<4,4,AP_RND,AP_SAT_ZERO>", -19, 0},
		{"ap_fixed<4,4,AP_RND,AP_SAT_SYM>", 19, 7},
		{"ap_fixed<4,4,AP_RND,AP_SAT_SYM>", -19, -7},
		{"ap_fixed<4,4,AP_RND,AP_SAT_SYM>", -8, -7},
		{"ap_fixed<4,4,AP_RND,AP_SAT_SYM>", -7, -7},
		{"ap_fixed<4,4,AP_RND,AP_WRAP>", 31, -1},
		{"ap_fixed<4,4,AP_RND,AP_WRAP>", -19, -3},
		{"ap_fixed<4,4,AP_RND,AP_WRAP_SM>", 19, -4},
		{"ap_fixed<4,4,AP_RND,AP_WRAP_SM>", -19, 2},
		{"ap_fixed<4,4,AP_RND,AP_WRAP_SM>", 7.5, 7},   /* rounds to 8: carry into the sign */
		{"ap_fixed<4,4,AP_RND,AP_WRAP_SM>", 15.5, 0},  /* rounds to 16: first dropped bit 0 */
		{"ap_fixed<4,4,AP_RND,AP_WRAP_SM>", 8, 7},     /* 1000: ld 0 != ro 1, inverted */
		{"ap_fixed<4,4,AP_RND,AP_WRAP_SM>", -9, -8},   /* 0111: ld 1 != ro 0, inverted */
		{"ap_fixed<4,4,AP_RND,AP_WRAP_SM>", 24, -8},   /* 11000: ld 1 == ro 1, kept */
		{"ap_fixed<4,4,AP_TRN,AP_WRAP_SM>", 7.9, 7},   /* in range: untouched */
		/* edges of the range, rounding into overflow */
		{"ap_fixed<8,3,AP_RND,AP_SAT>", 3.96875, 127},
		{"ap_fixed<8,3,AP_RND,AP_SAT>", 3.984375, 127},
		{"ap_fixed<8,3,AP_RND,AP_WRAP>", 3.984375, -128},
		{"ap_fixed<8,3,AP_RND,AP_SAT>", -4, -128},
		{"ap_fixed<8,3,AP_RND,AP_SAT>", -4.015625, -128},
		{"ap_fixed<8,3,AP_RND,AP_SAT>", -4.015625 - 1e-9, -128},
		{"ap_fixed<8,3,AP_RND,AP_SAT_SYM>", -4, -127},
		{"ap_fixed<8,3,AP_RND,AP_SAT_SYM>", -3.984375, -127},
		{"ap_ufixed<8,3,AP_RND,AP_SAT>", -0.01, 0},
		{"ap_ufixed<8,3,AP_RND,AP_SAT>", -0.015625, 0},
		{"ap_ufixed<8,3,AP_RND,AP_SAT>", -0.0078125, 0},
		{"ap_ufixed<8,3,AP_RND_INF,AP_SAT>", -0.0078125, 0},
		{"ap_ufixed<8,3,AP_TRN,AP_SAT>", -0.0078125, 0},
		{"ap_ufixed<8,3,AP_TRN,AP_WRAP>", -0.0078125, 255},
		{"ap_ufixed<8,3,AP_RND,AP_SAT>", 7.99, 255},
		{"ap_ufixed<8,3,AP_RND,AP_SAT>", 8, 255},
		{"ap_ufixed<8,3,AP_RND,AP_SAT_SYM>", 9, 255},
		{"ap_ufixed<8,3,AP_RND,AP_SAT_SYM>", -9, 0},
		{"ap_ufixed<8,3,AP_RND,AP_SAT_ZERO>", 9, 0},
		{"ap_ufixed<8,3,AP_RND,AP_WRAP>", 9, 32},
		/* W = 1 */
		{"ap_fixed<1,1,AP_RND,AP_SAT>", 0.4, 0},
		{"ap_fixed<1,1,AP_RND,AP_SAT>", -0.6, -1},
		{"ap_fixed<1,1,AP_RND,AP_SAT>", 5, 0},
		{"ap_fixed<1,1,AP_RND,AP_SAT>", -5, -1},
		{"ap_fixed<1,1,AP_RND,AP_SAT_SYM>", -5, -1},
		{"ap_fixed<1,1,AP_RND,AP_SAT_SYM>", -1, -1},
		{"ap_fixed<1,1,AP_TRN,AP_WRAP>", 3, -1},
		{"ap_fixed<1,1,AP_TRN,AP_WRAP_SM>", 1, 0},
		{"ap_ufixed<1,1,AP_RND,AP_SAT>", 0.5, 1},
		{"ap_ufixed<1,1,AP_RND,AP_SAT>", 7, 1},
		{"ap_ufixed<1,0,AP_RND_CONV,AP_SAT>", 0.25, 0},
		{"ap_ufixed<1,0,AP_RND_CONV,AP_SAT>", 0.75, 1},
		{"ap_ufixed<1,0,AP_RND_CONV,AP_WRAP>", 0.75, 0},
		/* negative I and I > W */
		{"ap_fixed<8,-2,AP_RND,AP_SAT>", 0.03, 31},
		{"ap_fixed<8,-2,AP_RND,AP_SAT>", 0.2, 127},
		{"ap_fixed<8,-2,AP_RND,AP_SAT>", -0.2, -128},
		{"ap_fixed<4,-2,AP_TRN,AP_WRAP>", 0.125 + 0.0625, -4},
		{"ap_fixed<8,10,AP_RND,AP_SAT>", 5, 1},
		{"ap_fixed<8,10,AP_RND,AP_SAT>", 6, 2},
		{"ap_fixed<8,10,AP_RND_CONV,AP_SAT>", 6, 2},
		{"ap_fixed<8,10,AP_RND_CONV,AP_SAT>", 10, 2},
		{"ap_fixed<8,10,AP_TRN,AP_WRAP>", 1000, -6},
		{"ap_fixed<8,10,AP_TRN,AP_SAT>", 1000, 127},
		{"ap_fixed<8,10,AP_TRN,AP_WRAP>", -3, -1},
		{"ap_fixed<8,10,AP_TRN_ZERO,AP_WRAP>", -3, 0},
		/* zeros */
		{"ap_fixed<8,3,AP_RND_INF,AP_SAT_SYM>", 0.0, 0},
		{"ap_fixed<8,3,AP_TRN,AP_WRAP>", -0.0, 0},
	};
	for (size_t k = 0; k < sizeof c / sizeof c[0]; k++) {
		fx_raw got = q(c[k].t, c[k].x);
		CHECK(got == c[k].raw, "(%s)%.17g = %s, want %ld", c[k].t, c[k].x, rs(got), c[k].raw);
	}
}

static void test_extremes(void)
{
	fx_type t;
	fx_stats st = {0};
	/* inf is 2^1024 */
	CHECK(q("ap_fixed<8,3,AP_RND,AP_SAT>", INFINITY) == 127, "inf sat");
	CHECK(q("ap_fixed<8,3,AP_RND,AP_SAT>", -INFINITY) == -128, "-inf sat");
	CHECK(q("ap_fixed<8,3,AP_RND,AP_SAT_SYM>", -INFINITY) == -127, "-inf sat sym");
	CHECK(q("ap_fixed<8,3,AP_RND,AP_SAT_ZERO>", INFINITY) == 0, "inf sat zero");
	CHECK(q("ap_fixed<8,3,AP_RND,AP_WRAP>", INFINITY) == 0, "inf wrap");
	CHECK(q("ap_ufixed<8,3,AP_RND,AP_SAT>", -INFINITY) == 0, "-inf ufixed");
	CHECK(q("ap_fixed<64,1088,AP_TRN,AP_WRAP>", INFINITY) == 1, "inf is 2^1024");
	CHECK(q("ap_fixed<64,1088,AP_TRN,AP_WRAP>", -INFINITY) == -1, "-inf");
	CHECK(q("ap_fixed<64,1030,AP_TRN,AP_WRAP>", INFINITY) == (i128)1 << 58, "inf at F=-966");
	CHECK(q("ap_fixed<64,1000,AP_TRN,AP_WRAP>", INFINITY) == 0, "inf at F=-936 wraps");
	/* huge doubles */
	CHECK(q("ap_fixed<64,1088,AP_TRN,AP_WRAP>", DBL_MAX) == 0, "DBL_MAX trn");
	CHECK(q("ap_fixed<64,1088,AP_RND,AP_WRAP>", DBL_MAX) == 1, "DBL_MAX rnd");
	CHECK(q("ap_fixed<64,1088,AP_RND,AP_WRAP>", -DBL_MAX) == -1, "-DBL_MAX rnd");
	CHECK(q("ap_ufixed<64,1024,AP_TRN,AP_WRAP>", DBL_MAX) == (i128)0xfffffffffffff800ull,
	      "DBL_MAX exact");
	CHECK(q("ap_ufixed<64,1024,AP_RND,AP_SAT>", 0x1p1023) == ((i128)1 << 63), "2^1023");
	CHECK(q("ap_fixed<64,1088,AP_RND,AP_WRAP>", 0x1p1000) == 0, "2^1000 below lsb 2^1024: rnd");
	CHECK(q("ap_fixed<64,1088,AP_TRN,AP_WRAP>", -0x1p1000) == -1, "-2^1000 trn");
	CHECK(q("ap_fixed<64,1088,AP_TRN_ZERO,AP_WRAP>", -0x1p1000) == 0, "-2^1000 trn zero");
	CHECK(q("ap_fixed<16,6,AP_RND,AP_SAT>", 1e300) == 32767, "1e300 sat");
	CHECK(q("ap_fixed<16,6,AP_TRN,AP_WRAP>", 1e300) == 0, "1e300 wrap: low bits zero");
	CHECK(q("ap_fixed<16,6,AP_TRN,AP_WRAP>", 0x1.0001p16) == 1024, "2^16+1 wraps to 1");
	/* tiny doubles, subnormals included (exact values) */
	CHECK(q("ap_fixed<64,-1024,AP_TRN,AP_WRAP>", 0x1p-1074) == ((i128)1 << 14), "min subnormal");
	CHECK(q("ap_fixed<64,-1024,AP_TRN,AP_WRAP>", 0x0.0008p-1022) == (i128)1 << 53, "subn");
	CHECK(q("ap_fixed<64,-1024,AP_TRN,AP_WRAP>", 0x0.8p-1022) == 0, "2^65 wraps");
	CHECK(q("ap_fixed<64,-1024,AP_TRN,AP_WRAP>", -0x1p-1074) == -((i128)1 << 14), "-subn");
	CHECK(q("ap_fixed<64,-1024,AP_TRN,AP_SAT>", 1.0) == ((i128)1 << 63) - 1, "1.0 sat");
	CHECK(q("ap_fixed<64,-1024,AP_TRN,AP_WRAP>", 1.0) == 0, "1.0 wrap");
	CHECK(q("ap_fixed<16,6,AP_TRN,AP_WRAP>", 0x1p-1074) == 0, "tiny trn");
	CHECK(q("ap_fixed<16,6,AP_TRN,AP_WRAP>", -0x1p-1074) == -1, "-tiny trn");
	CHECK(q("ap_fixed<16,6,AP_RND,AP_WRAP>", -0x1p-1074) == 0, "-tiny rnd");
	CHECK(q("ap_fixed<16,6,AP_RND_INF,AP_WRAP>", -0x1p-1074) == 0, "-tiny rnd inf");
	CHECK(q("ap_fixed<16,6,AP_TRN_ZERO,AP_WRAP>", -0x1p-1074) == 0, "-tiny trn zero");
	CHECK(q("ap_fixed<16,6,AP_TRN,AP_SAT>", -1e-300) == -1, "-1e-300 trn");
	CHECK(q("ap_ufixed<16,6,AP_TRN,AP_SAT>", -1e-300) == 0, "-1e-300 ufixed sat");
	CHECK(q("ap_ufixed<16,6,AP_TRN,AP_WRAP>", -1e-300) == 65535, "-1e-300 ufixed wrap");
	/* W = 64: the full range of both signednesses */
	CHECK(q("ap_fixed<64,64,AP_TRN,AP_SAT>", 0x1p63) == (((i128)1 << 63) - 1), "2^63 sat");
	CHECK(q("ap_fixed<64,64,AP_TRN,AP_WRAP>", 0x1p63) == -((i128)1 << 63), "2^63 wrap");
	CHECK(q("ap_fixed<64,64,AP_TRN,AP_SAT>", -0x1p63) == -((i128)1 << 63), "-2^63");
	CHECK(q("ap_fixed<64,64,AP_TRN,AP_SAT_SYM>", -0x1p63) == -((i128)1 << 63) + 1, "-2^63 sym");
	CHECK(q("ap_ufixed<64,64,AP_TRN,AP_SAT>", 0x1p64) == ((i128)1 << 64) - 1, "2^64 sat");
	CHECK(q("ap_ufixed<64,64,AP_TRN,AP_WRAP>", 0x1p64) == 0, "2^64 wrap");
	CHECK(q("ap_ufixed<64,64,AP_TRN,AP_WRAP>", 0x1.fffffffffffffp63) ==
		      (i128)0xfffffffffffff800ull, "2^64-2^11");
	CHECK(q("ap_ufixed<64,64,AP_TRN,AP_WRAP>", -1.0) == ((i128)1 << 64) - 1, "-1 wrap u64");
	/* stats */
	fx_parse("ap_fixed<8,3,AP_RND,AP_SAT>", &t, NULL, 0);
	fx_from_double(&t, 1.0, &st);
	CHECK(st.overflow == 0 && st.quantized == 0, "exact: %d %d", (int)st.overflow,
	      (int)st.quantized);
	fx_from_double(&t, 1.01, &st);
	CHECK(st.overflow == 0 && st.quantized == 1, "rounded: %d %d", (int)st.overflow,
	      (int)st.quantized);
	fx_from_double(&t, 100, &st);
	CHECK(st.overflow == 1 && st.quantized == 1, "overflow: %d %d", (int)st.overflow,
	      (int)st.quantized);
	fx_from_double(&t, 3.99, &st); /* rounds up past max */
	CHECK(st.overflow == 2 && st.quantized == 2, "round overflow: %d %d", (int)st.overflow,
	      (int)st.quantized);
	fx_parse("ap_fixed<8,3,AP_RND,AP_WRAP>", &t, NULL, 0);
	fx_from_double(&t, -100, &st);
	CHECK(st.overflow == 3 && st.quantized == 2, "wrap counts: %d %d", (int)st.overflow,
	      (int)st.quantized);
	fx_parse("ap_fixed<8,3,AP_RND,AP_SAT_SYM>", &t, NULL, 0);
	fx_from_double(&t, -4, &st);
	CHECK(st.overflow == 4, "sat sym min counts: %d", (int)st.overflow);
}

/* ---- exhaustive sweeps of small types against the reference ---- */

static fx_type targets[2 * 4 * 5 * 35];

static void test_sweep_cast(int nt)
{
	fx_type src[] = {
		T(4, 2, true, FX_TRN, FX_WRAP), T(5, 1, true, FX_TRN, FX_WRAP),
		T(4, 4, false, FX_TRN, FX_WRAP), T(6, 0, true, FX_TRN, FX_WRAP),
		T(6, 7, true, FX_TRN, FX_WRAP), T(3, -1, false, FX_TRN, FX_WRAP),
		T(5, 5, true, FX_TRN, FX_WRAP), T(2, 1, true, FX_TRN, FX_WRAP),
		T(1, 1, true, FX_TRN, FX_WRAP), T(6, 3, false, FX_TRN, FX_WRAP),
	};
	for (size_t s = 0; s < sizeof src / sizeof src[0]; s++)
		for (fx_raw r = fx_raw_min(&src[s]); r <= fx_raw_max(&src[s]); r++)
			for (int k = 0; k < nt; k++) {
				fx_stats st = {0};
				fx_raw got = fx_cast(&targets[k], &src[s], r, &st);
				char d[128];
				snprintf(d, sizeof d, "from %s raw %s", ts(&src[s]), rs(r));
				check_one("cast", &targets[k], got, &st, num_of(&src[s], r), SCALE, d);
			}
	sweep_done("cast");
}

static void test_sweep_double(int nt)
{
	for (int k = 0; k < nt; k++)
		for (int n = -700; n <= 700; n++) {
			/* n/64 on and between the grids, and just off them */
			for (int off = -1; off <= 1; off++) {
				i128 num = (i128)n * 2 + off; /* num / 2^7 */
				double x = (double)num / 128.0;
				fx_stats st = {0};
				fx_raw got = fx_from_double(&targets[k], x, &st);
				char d[64];
				snprintf(d, sizeof d, "x=%.17g", x);
				check_one("double", &targets[k], got, &st, num, 7, d);
			}
		}
	sweep_done("from_double");
}

static void test_sweep_mul_add(int nt)
{
	fx_type src[] = {
		T(3, 1, true, FX_TRN, FX_WRAP), T(3, 3, false, FX_TRN, FX_WRAP),
		T(2, -1, true, FX_TRN, FX_WRAP), T(3, 4, true, FX_TRN, FX_WRAP),
		T(1, 0, false, FX_TRN, FX_WRAP),
	};
	int ns = sizeof src / sizeof src[0];
	for (int x = 0; x < ns; x++)
		for (int y = 0; y < ns; y++)
			for (fx_raw a = fx_raw_min(&src[x]); a <= fx_raw_max(&src[x]); a++)
				for (fx_raw b = fx_raw_min(&src[y]); b <= fx_raw_max(&src[y]); b++)
					for (int k = 0; k < nt; k++) {
						const fx_type *to = &targets[k];
						char d[128];
						snprintf(d, sizeof d, "%s raw %s, %s raw %s",
							 ts(&src[x]), rs(a), ts(&src[y]), rs(b));
						fx_stats st = {0};
						fx_raw got = fx_mul(to, &src[x], a, &src[y], b, &st);
						i128 na = num_of(&src[x], a), nb = num_of(&src[y], b);
						check_one("mul", to, got, &st, na * nb, 2 * SCALE, d);
						fx_stats st2 = {0};
						got = fx_add(to, &src[x], a, &src[y], b, &st2);
						check_one("add", to, got, &st2, na + nb, SCALE, d);
					}
	sweep_done("mul+add");
}

static void test_sweep_mac(int nt)
{
	fx_type src[] = {
		T(3, 1, true, FX_TRN, FX_WRAP),
		T(2, 2, false, FX_TRN, FX_WRAP),
		T(2, -1, true, FX_TRN, FX_WRAP),
	};
	int ns = sizeof src / sizeof src[0];
	for (int k = 0; k < nt; k++) {
		const fx_type *at = &targets[k];
		if (at->w > 3)
			continue;
		for (int x = 0; x < ns; x++)
			for (int y = x; y < ns; y++)
				for (fx_raw a = fx_raw_min(&src[x]); a <= fx_raw_max(&src[x]); a++)
					for (fx_raw b = fx_raw_min(&src[y]); b <= fx_raw_max(&src[y]); b++)
						for (fx_raw c = fx_raw_min(at); c <= fx_raw_max(at); c++) {
							fx_stats st = {0};
							fx_raw got = fx_mac(at, c, &src[x], a,
									    &src[y], b, &st);
							i128 v = num_of(at, c) * ((i128)1 << SCALE) +
								 num_of(&src[x], a) * num_of(&src[y], b);
							char d[128];
							snprintf(d, sizeof d, "acc %s + %s raw %s * %s raw %s",
								 rs(c), ts(&src[x]), rs(a), ts(&src[y]),
								 rs(b));
							check_one("mac", at, got, &st, v, 2 * SCALE, d);
						}
	}
	sweep_done("mac");
}

static void test_sweep_cmp(void)
{
	fx_type ty[] = {
		T(4, 2, true, FX_TRN, FX_WRAP), T(4, 4, false, FX_TRN, FX_WRAP),
		T(5, -1, true, FX_TRN, FX_WRAP), T(3, 6, true, FX_TRN, FX_WRAP),
	};
	int bad = 0, n = 0;
	for (int x = 0; x < 4; x++)
		for (int y = 0; y < 4; y++)
			for (fx_raw a = fx_raw_min(&ty[x]); a <= fx_raw_max(&ty[x]); a++)
				for (fx_raw b = fx_raw_min(&ty[y]); b <= fx_raw_max(&ty[y]); b++) {
					i128 na = num_of(&ty[x], a), nb = num_of(&ty[y], b);
					int want = (na > nb) - (na < nb);
					n++;
					if (fx_cmp(&ty[x], a, &ty[y], b) != want && bad++ < 5)
						CHECK(0, "cmp %s %s vs %s %s: want %d", ts(&ty[x]),
						      rs(a), ts(&ty[y]), rs(b), want);
				}
	CHECK(bad == 0, "%d of %d comparisons wrong", bad, n);
}

/* ---- wide and far-apart operands ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t rnd64(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random raw of t. */
static fx_raw rnd_raw(const fx_type *t)
{
	u128 span = (u128)(fx_raw_max(t) - fx_raw_min(t)) + 1;
	u128 r = (u128)rnd64();
	if (rnd64() % 4 == 0) /* favour the edges */
		r = rnd64() % 2 ? 0 : span - 1 - rnd64() % 2;
	return fx_raw_min(t) + (fx_raw)(r % span);
}

static void test_u64_products(void)
{
	/* ap_ufixed<64,I1> x ap_ufixed<64,I2>: a 128-bit unsigned product */
	int bad = 0, n = 0;
	for (int it = 0; it < 20000; it++) {
		fx_type ta = T(64, (int)(rnd64() % 200) - 100, rnd64() % 3 == 0, FX_TRN, FX_WRAP);
		fx_type tb = T(64, (int)(rnd64() % 200) - 100, rnd64() % 3 == 0, FX_TRN, FX_WRAP);
		int fp = 128 - ta.i - tb.i;
		int k = (int)(rnd64() % 130); /* target keeps product bits k and up */
		fx_type to = T(1 + (int)(rnd64() % 64), 0, rnd64() % 2, (fx_qmode)(rnd64() % 7),
			       (fx_omode)(rnd64() % 5));
		if (!to.sign && to.o == FX_WRAP_SM)
			to.o = FX_SAT;
		to.i = to.w - (fp - k);
		if (to.i < FX_I_MIN || to.i > FX_I_MAX)
			continue;
		fx_raw a = rnd_raw(&ta), b = rnd_raw(&tb);
		/* reference: |a*b| as 128 unsigned bits, cut at bit k, then the sign */
		bool pneg = (a < 0) != (b < 0) && a && b;
		u128 p = (u128)(a < 0 ? -a : a) * (u128)(b < 0 ? -b : b);
		u128 mag = k >= 128 ? 0 : p >> k;
		u128 rem = k == 0 ? 0 : (k >= 128 ? p : p & (((u128)1 << k) - 1));
		u128 half = k == 0 ? 0 : (k > 128 ? 0 : (u128)1 << (k - 1));
		int cls = rem == 0 ? 0 : (k > 128 || rem < half ? 1 : (rem == half ? 2 : 3));
		if (mag >> 120) /* beyond the reference's room (overflow for sure) */
			continue;
		i128 fl = (i128)mag;
		if (pneg) { /* floor(-x) = -ceil(x); the residual flips */
			fl = rem ? -fl - 1 : -fl;
			cls = cls ? 4 - cls : 0;
		}
		/* as num / 2^2 with num = fl * 4 + (0, 1, 2, 3), at F = 0 */
		bool ovf, qnt;
		fx_raw want;
		i128 num = fl * 4 + cls;
		fx_type to2 = to;
		to2.i = to.w; /* F = 0: num / 4 */
		want = ref_q(&to2, num, 2, &ovf, &qnt);
		fx_stats st = {0};
		fx_raw got = fx_mul(&to, &ta, a, &tb, b, &st);
		n++;
		if ((got != want || st.overflow != ovf || st.quantized != qnt) && bad++ < 5)
			CHECK(0, "%s raw %s * %s raw %s -> %s: got %s want %s", ts(&ta), rs(a), ts(&tb),
			      rs(b), ts(&to), rs(got), rs(want));
	}
	CHECK(bad == 0, "%d of %d u64 products wrong", bad, n);
	/* fixed points: (2^64-1)^2 */
	fx_type u = T(64, 64, false, FX_TRN, FX_WRAP);
	fx_raw m = fx_raw_max(&u);
	fx_type hi = T(64, 128, false, FX_TRN, FX_WRAP), hr = T(64, 128, false, FX_RND, FX_WRAP);
	CHECK(fx_mul(&hi, &u, m, &u, m, NULL) == m - 1, "top half of (2^64-1)^2 trn");
	CHECK(fx_mul(&hr, &u, m, &u, m, NULL) == m - 1, "top half of (2^64-1)^2 rnd");
	CHECK(fx_mul(&u, &u, m, &u, m, NULL) == 1, "low half of (2^64-1)^2");
	fx_type us = T(64, 64, false, FX_TRN, FX_SAT);
	CHECK(fx_mul(&us, &u, m, &u, m, NULL) == m, "(2^64-1)^2 saturates");
	fx_type s = T(64, 64, true, FX_TRN, FX_WRAP), big = T(64, 129, true, FX_TRN, FX_WRAP);
	CHECK(fx_mul(&big, &u, m, &u, m, NULL) == m / 2, "signed top of (2^64-1)^2: %s",
	      rs(fx_mul(&big, &u, m, &u, m, NULL)));
	fx_raw smin = fx_raw_min(&s);
	fx_type s128 = T(64, 128, true, FX_TRN, FX_WRAP);
	CHECK(fx_mul(&s128, &s, smin, &s, smin, NULL) == (i128)1 << 62, "(-2^63)^2");
	/* -2^63 * (2^64-1) = -2^127 + 2^63: at lsb 2^64 that is -2^63 + 1/2 */
	CHECK(fx_mul(&s128, &s, smin, &u, m, NULL) == smin, "-2^63 * (2^64-1) trn");
	s128.q = FX_RND;
	CHECK(fx_mul(&s128, &s, smin, &u, m, NULL) == smin + 1, "rnd: the tie goes up");
	s128.q = FX_RND_ZERO;
	CHECK(fx_mul(&s128, &s, smin, &u, m, NULL) == smin + 1, "rnd zero");
	s128.q = FX_RND_INF;
	CHECK(fx_mul(&s128, &s, smin, &u, m, NULL) == smin, "rnd inf");
	fx_type s127 = T(64, 127, true, FX_TRN, FX_WRAP);
	CHECK(fx_mul(&s127, &s, smin, &s, smin, NULL) == smin, "(-2^63)^2 at lsb 2^63 wraps");
	s127.o = FX_SAT;
	CHECK(fx_mul(&s127, &s, smin, &s, smin, NULL) == -(smin + 1), "(-2^63)^2 saturates");
	/* the MAC with such a product */
	fx_type acc = T(64, 130, false, FX_RND, FX_SAT);
	CHECK(fx_mac(&acc, 5, &u, m, &u, m, NULL) == (fx_raw)(5 + (((u128)m * m) >> 66) +
								       ((((u128)m * m) >> 65) & 1)),
	      "mac u64 product");
}

/* Sums whose binary points are hundreds of bits apart, against the reference with the far
 * small term replaced by +-2^-(F+10): the same floor and the same residual class. */
static void test_far_apart(void)
{
	int bad = 0, n = 0;
	for (int it = 0; it < 20000; it++) {
		fx_type to = T(1 + (int)(rnd64() % 64), 0, rnd64() % 2, (fx_qmode)(rnd64() % 7),
			       (fx_omode)(rnd64() % 5));
		if (!to.sign && to.o == FX_WRAP_SM)
			to.o = FX_SAT;
		int base = (int)(rnd64() % 1600) - 800;
		to.i = base;
		int ft = to.w - to.i;
		/* the big term: its lsb at or above the target's, so it is exact there */
		fx_type tb = T(1 + (int)(rnd64() % 40), 0, rnd64() % 2, FX_TRN, FX_WRAP);
		int fb = ft - (int)(rnd64() % 20);
		tb.i = tb.w - fb;
		/* the small term: far below the target's lsb */
		fx_type tsm = T(1 + (int)(rnd64() % 64), 0, rnd64() % 2, FX_TRN, FX_WRAP);
		int fs = ft + 130 + (int)(rnd64() % 300);
		tsm.i = tsm.w - fs;
		if (tb.i < FX_I_MIN || tb.i > FX_I_MAX || tsm.i < FX_I_MIN || tsm.i > FX_I_MAX)
			continue;
		fx_raw b = rnd_raw(&tb), s = rnd_raw(&tsm);
		/* reference: value * 2^ft = b * 2^(ft - fb) + sign(s) * 2^-10 */
		i128 num = (b * ((i128)1 << (ft - fb))) * 1024 + (s > 0) - (s < 0);
		bool ovf, qnt;
		fx_type t0 = to;
		t0.i = t0.w; /* F = 0 */
		fx_raw want = ref_q(&t0, num, 10, &ovf, &qnt);
		fx_stats st = {0};
		fx_raw got = rnd64() % 2 ? fx_add(&to, &tb, b, &tsm, s, &st)
					 : fx_add(&to, &tsm, s, &tb, b, &st);
		n++;
		if ((got != want || st.overflow != ovf || st.quantized != qnt) && bad++ < 5)
			CHECK(0, "%s raw %s + %s raw %s -> %s: got %s want %s", ts(&tb), rs(b),
			      ts(&tsm), rs(s), ts(&to), rs(got), rs(want));
		/* as a MAC: the small term as a product s * 1 */
		fx_type one = T(2, 2, false, FX_TRN, FX_WRAP);
		fx_raw bacc = fx_cast(&to, &tb, b, NULL);
		if (fx_cmp(&to, bacc, &tb, b) == 0) { /* b exactly representable in to */
			fx_stats st2 = {0};
			got = fx_mac(&to, bacc, &tsm, s, &one, 1, &st2);
			if ((got != want || st2.overflow != ovf || st2.quantized != qnt) && bad++ < 5)
				CHECK(0, "mac %s + %s raw %s: got %s want %s", ts(&to), ts(&tsm),
				      rs(s), rs(got), rs(want));
		}
		/* the far term alone decides the comparison when b is 0 */
		int c = fx_cmp(&tb, b, &tsm, s);
		int wc = b != 0 ? (b > 0 ? 1 : -1) : (s > 0 ? -1 : (s < 0 ? 1 : 0));
		if (c != wc && bad++ < 5)
			CHECK(0, "cmp %s %s vs %s %s: %d want %d", ts(&tb), rs(b), ts(&tsm), rs(s), c,
			      wc);
	}
	CHECK(bad == 0, "%d of %d far-apart sums wrong", bad, n);
	/* cancellation across ~1200 bits: 2^592 - 2^-608 */
	fx_type hi = T(8, 600, true, FX_TRN, FX_WRAP), lo = T(8, -600, true, FX_TRN, FX_WRAP);
	fx_type to = T(64, 600, true, FX_TRN, FX_WRAP); /* lsb 2^536 */
	CHECK(fx_add(&to, &hi, 1, &lo, -1, NULL) == ((i128)1 << 56) - 1, "2^592-tiny trn");
	to.q = FX_RND;
	CHECK(fx_add(&to, &hi, 1, &lo, -1, NULL) == (i128)1 << 56, "2^592-tiny rnd");
	to.q = FX_TRN_ZERO;
	CHECK(fx_add(&to, &hi, 1, &lo, -1, NULL) == ((i128)1 << 56) - 1, "2^592-tiny trn zero");
	to = T(8, -600, true, FX_TRN, FX_WRAP); /* the sum's low bits: -2^-608 wraps to -1 */
	CHECK(fx_add(&to, &hi, 1, &lo, -1, NULL) == -1, "wrap keeps low bits");
	to.o = FX_SAT;
	CHECK(fx_add(&to, &hi, 1, &lo, -1, NULL) == 127, "sat");
	CHECK(fx_add(&to, &hi, -1, &lo, -1, NULL) == -128, "sat neg");
	CHECK(fx_add(&to, &hi, 0, &lo, -1, NULL) == -1, "0 + small");
	CHECK(fx_cmp(&hi, 1, &lo, 127) == 1 && fx_cmp(&lo, 127, &hi, 1) == -1, "cmp far");
	CHECK(fx_cmp(&hi, -1, &lo, -127) == -1 && fx_cmp(&lo, -128, &hi, -1) == 1, "cmp far neg");
	fx_type w64 = T(64, 64, true, FX_TRN, FX_WRAP), w64f = T(64, -1000, true, FX_TRN, FX_WRAP);
	CHECK(fx_cmp(&w64, 0, &w64f, 0) == 0, "zeros equal");
	CHECK(fx_cmp(&w64, 1, &w64, 1) == 0, "same equal");
	fx_type a1 = T(8, 8, true, FX_TRN, FX_WRAP), a2 = T(16, 12, true, FX_TRN, FX_WRAP);
	CHECK(fx_cmp(&a1, 3, &a2, 48) == 0, "3 == 48/16");
	CHECK(fx_cmp(&a1, -3, &a2, -49) == 1, "-3 > -49/16");
	/* the extreme alignment: I = FX_I_MAX and FX_I_MIN products in one MAC */
	fx_type ht = T(64, FX_I_MAX, true, FX_RND, FX_SAT), lt = T(64, FX_I_MIN, true, FX_TRN, FX_WRAP);
	fx_raw got = fx_mac(&ht, 1, &lt, -1, &lt, 1, NULL);
	CHECK(got == 1, "huge acc + tiny negative product rounds back: %s", rs(got));
	ht.q = FX_TRN;
	CHECK(fx_mac(&ht, 1, &lt, -1, &lt, 1, NULL) == 0, "trn");
	fx_type lacc = T(64, FX_I_MIN, true, FX_TRN, FX_SAT);
	fx_type hb = T(64, FX_I_MAX, true, FX_TRN, FX_WRAP);
	CHECK(fx_mac(&lacc, 5, &hb, 1, &hb, -1, NULL) == fx_raw_min(&lacc), "tiny acc + huge");
	lacc.o = FX_WRAP;
	CHECK(fx_mac(&lacc, 5, &hb, 1, &hb, -1, NULL) == 5, "tiny acc + huge wraps to itself");
}

/* 64-bit operands whose binary points are 55..70 bits apart: the aligned sum is 120..135
 * bits, on both sides of what an __int128 holds. Reference at F = 0: a + floor(b / 2^s). */
static void test_i128_edge(void)
{
	int bad = 0, n = 0;
	for (int it = 0; it < 40000; it++) {
		int s = 55 + (int)(rnd64() % 16);
		fx_type ta = T(64, 64, rnd64() % 2, FX_TRN, FX_WRAP);
		fx_type tb = T(64, 64 - s, rnd64() % 2, FX_TRN, FX_WRAP);
		fx_type to = T(64, 64, rnd64() % 2, (fx_qmode)(rnd64() % 7), (fx_omode)(rnd64() % 5));
		if (!to.sign && to.o == FX_WRAP_SM)
			to.o = FX_SAT_SYM;
		fx_raw a = rnd_raw(&ta), b = rnd_raw(&tb);
		i128 bfl = b >> s, rem = b - bfl * ((i128)1 << s), half = (i128)1 << (s - 1);
		int cls = rem == 0 ? 0 : (rem < half ? 1 : (rem == half ? 2 : 3));
		bool ovf, qnt;
		fx_raw want = ref_q(&to, (a + bfl) * 4 + cls, 2, &ovf, &qnt);
		fx_stats st = {0};
		fx_raw got = fx_add(&to, &ta, a, &tb, b, &st);
		n++;
		if ((got != want || st.overflow != ovf || st.quantized != qnt) && bad++ < 5)
			CHECK(0, "%s %s + %s %s -> %s: got %s want %s", ts(&ta), rs(a), ts(&tb), rs(b),
			      ts(&to), rs(got), rs(want));
		/* the same as a MAC, b * 1 added to the accumulator a */
		fx_type one = T(1, 1, false, FX_TRN, FX_WRAP);
		if (fx_cmp(&ta, a, &to, fx_cast(&to, &ta, a, NULL)) == 0) {
			fx_stats st2 = {0};
			got = fx_mac(&to, fx_cast(&to, &ta, a, NULL), &tb, b, &one, 1, &st2);
			if ((got != want || st2.overflow != ovf || st2.quantized != qnt) && bad++ < 5)
				CHECK(0, "mac %s + %s %s: got %s want %s", rs(a), ts(&tb), rs(b),
				      rs(got), rs(want));
		}
	}
	CHECK(bad == 0, "%d of %d sums at the __int128 edge wrong", bad, n);
}

/* Random operands of all widths, cross-checked against the reference where it has room. */
static void test_random_wide(void)
{
	int bad = 0, n = 0, nmac = 0;
	for (int it = 0; it < 100000; it++) {
		fx_type ta = T(1 + (int)(rnd64() % 40), 0, rnd64() % 2, FX_TRN, FX_WRAP);
		fx_type tb = T(1 + (int)(rnd64() % 40), 0, rnd64() % 2, FX_TRN, FX_WRAP);
		fx_type to = T(1 + (int)(rnd64() % 64), 0, rnd64() % 2, (fx_qmode)(rnd64() % 7),
			       (fx_omode)(rnd64() % 5));
		if (!to.sign && to.o == FX_WRAP_SM)
			to.o = FX_WRAP;
		int fa = (int)(rnd64() % 40) - 10, fb = (int)(rnd64() % 40) - 10;
		int fo = (int)(rnd64() % 60) - 10;
		ta.i = ta.w - fa;
		tb.i = tb.w - fb;
		to.i = to.w - fo;
		fx_raw a = rnd_raw(&ta), b = rnd_raw(&tb), c = rnd_raw(&to);
		/* everything as num / 2^40 (a product as num / 2^80) */
		i128 na = a * ((i128)1 << (40 - fa)), nb = b * ((i128)1 << (40 - fb));
		bool ovf, qnt;
		char d[160];
		snprintf(d, sizeof d, "a=%s %s b=%s %s c=%s", ts(&ta), rs(a), ts(&tb), rs(b), rs(c));
		fx_stats st = {0};
		fx_raw got = fx_cast(&to, &ta, a, &st);
		fx_raw want = ref_q(&to, na, 40, &ovf, &qnt);
		n++;
		if ((got != want || st.overflow != ovf || st.quantized != qnt) && bad++ < 5)
			CHECK(0, "cast %s -> %s: got %s want %s", d, ts(&to), rs(got), rs(want));
		st = (fx_stats){0};
		got = fx_add(&to, &ta, a, &tb, b, &st);
		want = ref_q(&to, na + nb, 40, &ovf, &qnt);
		if ((got != want || st.overflow != ovf || st.quantized != qnt) && bad++ < 5)
			CHECK(0, "add %s -> %s: got %s want %s", d, ts(&to), rs(got), rs(want));
		/* products: the reference needs ~(40+40) + 80 bits; keep the widths small */
		if (ta.w + tb.w <= 40) {
			i128 np = a * b; /* num / 2^(fa+fb) */
			int sp = fa + fb;
			st = (fx_stats){0};
			got = fx_mul(&to, &ta, a, &tb, b, &st);
			want = ref_q(&to, np, sp, &ovf, &qnt);
			if ((got != want || st.overflow != ovf || st.quantized != qnt) && bad++ < 5)
				CHECK(0, "mul %s -> %s: got %s want %s", d, ts(&to), rs(got),
				      rs(want));
			/* mac: c and a*b over their common denominator 2^S */
			int S = fo > sp ? fo : sp;
			if (to.w + 1 + S - fo <= 110 && ta.w + tb.w + 1 + S - sp <= 110) {
				i128 num = c * ((i128)1 << (S - fo)) + np * ((i128)1 << (S - sp));
				st = (fx_stats){0};
				got = fx_mac(&to, c, &ta, a, &tb, b, &st);
				want = ref_q(&to, num, S, &ovf, &qnt);
				nmac++;
				if ((got != want || st.overflow != ovf || st.quantized != qnt) &&
				    bad++ < 5)
					CHECK(0, "mac %s -> %s: got %s want %s", d, ts(&to), rs(got),
					      rs(want));
			}
		}
		int cw = (na > nb) - (na < nb);
		if (fx_cmp(&ta, a, &tb, b) != cw && bad++ < 5)
			CHECK(0, "cmp %s: want %d", d, cw);
	}
	CHECK(bad == 0, "%d of %d random wide cases wrong", bad, n);
	CHECK(nmac > 10000, "only %d random MACs checked", nmac);
}

static void test_to_double(void)
{
	fx_type t = T(16, 6, true, FX_TRN, FX_WRAP);
	CHECK(fx_to_double(&t, 1024) == 1.0, "1.0");
	CHECK(fx_to_double(&t, -32768) == -32.0, "-32");
	CHECK(fx_to_double(&t, 1) == 0x1p-10, "lsb");
	CHECK(fx_to_double(&t, 0) == 0.0, "0");
	fx_type u = T(64, 64, false, FX_TRN, FX_WRAP);
	CHECK(fx_to_double(&u, ((i128)1 << 64) - 1) == 0x1p64, "2^64-1 rounds to 2^64");
	CHECK(fx_to_double(&u, ((i128)1 << 53) + 1) == 0x1p53, "tie to even down");
	CHECK(fx_to_double(&u, ((i128)1 << 53) + 3) == 0x1p53 + 4, "tie to even up");
	CHECK(fx_to_double(&u, ((i128)1 << 54) + 3) == 0x1p54 + 4, "above half");
	fx_type s = T(64, 64, true, FX_TRN, FX_WRAP);
	CHECK(fx_to_double(&s, -((i128)1 << 63)) == -0x1p63, "-2^63");
	CHECK(fx_to_double(&s, -(((i128)1 << 53) + 1)) == -0x1p53, "neg tie");
	/* subnormal results: lsb 2^-1074 and 2^-1075 */
	fx_type sub = T(64, -1010, true, FX_TRN, FX_WRAP); /* F = 1074 */
	CHECK(fx_to_double(&sub, 1) == 0x1p-1074, "min subnormal");
	CHECK(fx_to_double(&sub, 12345) == 12345 * 0x1p-1074, "subnormal exact");
	fx_type sub2 = T(8, -1067, true, FX_TRN, FX_WRAP); /* F = 1075 */
	CHECK(fx_to_double(&sub2, 1) == 0.0, "2^-1075 ties to 0");
	CHECK(fx_to_double(&sub2, 3) == 0x1p-1073, "3*2^-1075 ties to even 2^-1073");
	CHECK(fx_to_double(&sub2, 5) == 0x1p-1073, "5*2^-1075 ties to even");
	CHECK(fx_to_double(&sub2, -3) == -0x1p-1073, "-3*2^-1075");
	fx_type sub3 = T(64, -1024, true, FX_TRN, FX_WRAP); /* F = 1088 */
	CHECK(fx_to_double(&sub3, 0x4001) == 0x1p-1074, "0x4001 * 2^-1088 rounds");
	CHECK(fx_to_double(&sub3, 0x2000) == 0.0, "half of min subnormal -> 0");
	CHECK(fx_to_double(&sub3, 0x2001) == 0x1p-1074, "above half -> min subnormal");
	CHECK(fx_to_double(&sub3, ((i128)1 << 63) - 1) == 0x1p-1025, "max of lowest type");
	fx_type top = T(64, 1088, true, FX_TRN, FX_WRAP);
	CHECK(fx_to_double(&top, ((i128)1 << 63) - 1) == INFINITY, "2^1087 range overflows");
	CHECK(fx_to_double(&top, 1) == INFINITY, "2^1024");
	CHECK(fx_to_double(&top, -1) == -INFINITY, "-2^1024");
	fx_type top2 = T(64, 1087, true, FX_TRN, FX_WRAP);
	CHECK(fx_to_double(&top2, 1) == 0x1p1023, "2^1023");
	/* round trip: every double of a type comes back */
	int bad = 0;
	for (int k = 0; k < 10000; k++) {
		fx_type r = T(1 + (int)(rnd64() % 53), 0, rnd64() % 2, FX_TRN, FX_WRAP);
		r.i = (int)(rnd64() % 2000) - 1000;
		fx_raw x = rnd_raw(&r);
		double d = fx_to_double(&r, x);
		if (fx_from_double(&r, d, NULL) != x)
			bad++;
	}
	CHECK(bad == 0, "%d of 10000 raws do not survive to_double and back", bad);
}

static void bench_mac(void)
{
	fx_type d = T(16, 6, true, FX_TRN, FX_WRAP), a = T(32, 16, true, FX_TRN, FX_WRAP);
	fx_type rs16 = T(16, 6, true, FX_RND, FX_SAT), as = T(24, 10, true, FX_RND_CONV, FX_SAT);
	enum { N = 1024, R = 2000 };
	static fx_raw x[N], w[N];
	for (int k = 0; k < N; k++) {
		x[k] = rnd_raw(&d);
		w[k] = rnd_raw(&d);
	}
	const fx_type *accs[] = {&a, &as};
	const fx_type *ds[] = {&d, &rs16};
	const char *names[] = {"ap_fixed<16,6> x ap_fixed<16,6> -> ap_fixed<32,16>",
			       "ap_fixed<16,6,RND,SAT> x same -> ap_fixed<24,10,RND_CONV,SAT>"};
	for (int v = 0; v < 2; v++) {
		fx_stats st = {0};
		fx_raw acc = 0;
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (int r = 0; r < R; r++)
			for (int k = 0; k < N; k++)
				acc = fx_mac(accs[v], acc, ds[v], x[k], ds[v], w[k], &st);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		double ns = ((double)(t1.tv_sec - t0.tv_sec) * 1e9 + (double)(t1.tv_nsec - t0.tv_nsec)) /
			    ((double)N * R);
		printf("bench fx_mac %s: %.1f ns/MAC (acc %s, %llu overflows)\n", names[v], ns,
		       rs(acc), (unsigned long long)st.overflow);
	}
}

int main(void)
{
	test_parse();
	test_format();
	test_modes();
	test_extremes();
	int nt = small_types(targets, 4);
	test_sweep_cast(nt);
	test_sweep_double(nt);
	test_sweep_mul_add(nt);
	test_sweep_mac(nt);
	test_sweep_cmp();
	test_u64_products();
	test_far_apart();
	test_random_wide();
	test_i128_edge();
	test_to_double();
	bench_mac();
	return t_done("test_fixed");
}
