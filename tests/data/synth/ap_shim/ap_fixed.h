// ap_fixed.h - a stand-in for the vendor's ap_fixed.h, for burn's tests only: tests/sh/
// hls_fake.sh compiles the C++ that burn hlsproj writes with it, runs the testbench and checks
// that its outputs equal burn csim's. It is NOT the vendor's header. A value is held in a
// double, so it is exact only while every value, product and sum fits in 53 bits; the
// quantization and overflow modes are written from their definitions (burn's kernels/fixed.c
// has the bit-exact, golden-tested ones). AP_WRAP_SM is not supported (it aborts).
#ifndef BURN_AP_FIXED_SHIM_H
#define BURN_AP_FIXED_SHIM_H

#include <cmath>
#include <cstdio>
#include <cstdlib>

enum ap_q_mode { AP_RND, AP_RND_ZERO, AP_RND_MIN_INF, AP_RND_INF, AP_RND_CONV, AP_TRN, AP_TRN_ZERO };
enum ap_o_mode { AP_SAT, AP_SAT_ZERO, AP_SAT_SYM, AP_WRAP, AP_WRAP_SM };

// A full-precision intermediate: the product of two fixed-point values.
struct ap_shim_exact {
	double v;
};

// x cast to a W-bit type with I integer bits, signed S, modes Q and O.
inline double ap_shim_cast(double x, int W, int I, bool S, int Q, int O)
{
	double scale = std::ldexp(1.0, W - I), t = x * scale, fl = std::floor(t), fr = t - fl, r = fl;
	switch (Q) {
	case AP_TRN: r = fl; break;
	case AP_TRN_ZERO: r = std::trunc(t); break;
	case AP_RND: r = fr >= 0.5 ? fl + 1 : fl; break;
	case AP_RND_ZERO: r = fr > 0.5 || (fr == 0.5 && t < 0) ? fl + 1 : fl; break;
	case AP_RND_MIN_INF: r = fr > 0.5 ? fl + 1 : fl; break;
	case AP_RND_INF: r = fr > 0.5 || (fr == 0.5 && t > 0) ? fl + 1 : fl; break;
	case AP_RND_CONV: r = fr > 0.5 || (fr == 0.5 && std::fmod(fl, 2.0) != 0) ? fl + 1 : fl; break;
	}
	double lo = S ? -std::ldexp(1.0, W - 1) : 0, hi = S ? std::ldexp(1.0, W - 1) - 1 : std::ldexp(1.0, W) - 1;
	switch (O) {
	case AP_SAT: r = r < lo ? lo : r > hi ? hi : r; break;
	case AP_SAT_ZERO: r = r < lo || r > hi ? 0 : r; break;
	case AP_SAT_SYM: r = r < (S && W > 1 ? -hi : lo) ? (S && W > 1 ? -hi : lo) : r > hi ? hi : r; break;
	case AP_WRAP: {
		double m = std::ldexp(1.0, W);
		r = std::fmod(r - lo, m);
		if (r < 0)
			r += m;
		r += lo;
		break;
	}
	case AP_WRAP_SM:
		std::fprintf(stderr, "ap_fixed shim: AP_WRAP_SM is not supported\n");
		std::abort();
	}
	return r / scale;
}

#define BURN_AP_SHIM_TYPE(NAME, SIGNED)                                                        \
	template <int W, int I, ap_q_mode Q = AP_TRN, ap_o_mode O = AP_WRAP, int N = 0>           \
	struct NAME {                                                                             \
		double v;                                                                         \
		NAME() : v(0) {}                                                                  \
		NAME(double x) : v(ap_shim_cast(x, W, I, SIGNED, Q, O)) {}                        \
		NAME(int x) : v(ap_shim_cast(x, W, I, SIGNED, Q, O)) {}                           \
		NAME(ap_shim_exact x) : v(ap_shim_cast(x.v, W, I, SIGNED, Q, O)) {}               \
		template <class T>                                                                \
		NAME(const T &x) : v(ap_shim_cast(x.to_double(), W, I, SIGNED, Q, O)) {}          \
		double to_double() const { return v; }                                            \
		NAME &operator+=(ap_shim_exact x)                                                 \
		{                                                                                 \
			v = ap_shim_cast(v + x.v, W, I, SIGNED, Q, O);                            \
			return *this;                                                             \
		}                                                                                 \
		bool operator>(int x) const { return v > x; }                                     \
		bool operator>=(int x) const { return v >= x; }                                   \
		bool operator<(int x) const { return v < x; }                                     \
		int to_int() const { return (int)v; } /* exact for the integer values used */    \
		template <class T>                                                                \
		ap_shim_exact operator*(const T &x) const { return ap_shim_exact{v * x.to_double()}; } \
	};

BURN_AP_SHIM_TYPE(ap_fixed, true)
BURN_AP_SHIM_TYPE(ap_ufixed, false)

#endif
