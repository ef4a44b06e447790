/* fixed.h - ap_fixed / ap_ufixed / ap_int / ap_uint semantics, bit-exact with the vendor headers.
 *
 * A value of type T is stored as its raw integer: value = raw * 2^-(W-I). Signed types hold
 * raw in [-2^(W-1), 2^(W-1)-1], unsigned ones in [0, 2^W-1]; W is 1..64 and I any integer in
 * [FX_I_MIN, FX_I_MAX]. Raw values are int64_t for signed types; for unsigned W = 64 the raw is
 * carried in an fx_raw (128-bit), which is what every function here takes and returns.
 * Raws passed in must be in their type's range and types must satisfy fx_valid.
 *
 * Every assignment is exact: the full-precision value (of a double, a product, a sum) is
 * rounded by the target's quantization mode and fitted by its overflow mode, with the vendor's
 * quirks: AP_SAT_SYM turns the signed minimum into -max (W > 1), and AP_WRAP_SM inverts the
 * wrapped bits when the first dropped bit differs from the new sign bit. ap_int<W> is taken
 * as ap_fixed<W,W,AP_TRN,AP_WRAP>; the vendor's ap_int conversions from non-integers
 * truncate towards zero instead (same results for integer values, which is what ap_int holds
 * in practice). A subnormal double is converted from its exact value (the vendor constructor
 * mistakes it for a normal one, which only shows with more than ~1020 fractional bits).
 * The fx_stats pointers may be NULL. This module does no I/O. */
#ifndef BURN_FIXED_H
#define BURN_FIXED_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef __int128 fx_raw;

/* Quantization modes, in ap_fixed's names. */
typedef enum {
	FX_RND,         /* round half towards +inf */
	FX_RND_ZERO,    /* round half towards zero */
	FX_RND_MIN_INF, /* round half towards -inf */
	FX_RND_INF,     /* round half away from zero */
	FX_RND_CONV,    /* round half to even */
	FX_TRN,         /* truncate towards -inf (default) */
	FX_TRN_ZERO,    /* truncate towards zero */
} fx_qmode;

/* Overflow modes. */
typedef enum {
	FX_SAT,      /* saturate to min/max */
	FX_SAT_ZERO, /* overflow gives zero */
	FX_SAT_SYM,  /* saturate symmetrically (signed min is -max) */
	FX_WRAP,     /* drop the high bits (default) */
	FX_WRAP_SM,  /* sign-magnitude wrap */
} fx_omode;

enum { FX_W_MAX = 64, FX_I_MIN = -1024, FX_I_MAX = 1088 };

typedef struct {
	int w;       /* total bits, 1..64 */
	int i;       /* integer bits (may be negative or > w) */
	bool sign;   /* ap_fixed/ap_int: true; ap_ufixed/ap_uint: false */
	fx_qmode q;
	fx_omode o;
} fx_type;

/* Overflow/quantization events seen by assignments (for per-layer counts); each assignment
 * adds at most one to each. */
typedef struct {
	uint64_t overflow;  /* rounded value out of range, so the overflow mode applied (AP_SAT_SYM:
			     * the signed minimum counts too) */
	uint64_t quantized; /* value lost low bits (rounding/truncation happened) */
} fx_stats;

/* Number of fractional bits (W - I). */
static inline int fx_frac(const fx_type *t) { return t->w - t->i; }

/* Parses a type string as hls4ml users write it: "ap_fixed<16,6>", "fixed<16,6,RND,SAT>",
 * "ap_ufixed<8,3>", "ufixed<8,3>", "ap_int<8>", "int<8>", "ap_uint<4>", "uint<4>", modes with
 * or without the AP_ prefix, spaces allowed. An optional 5th parameter N (saturation bits)
 * is accepted only as 0. On error returns -1 and writes a one-line reason into err. */
int fx_parse(const char *s, fx_type *t, char *err, size_t errlen);

/* Writes the canonical spelling: "ap_fixed<W,I,AP_Q,AP_O>" (always four parameters), or
 * "ap_int<W>" / "ap_uint<W>" for integer types (I = W, AP_TRN_ZERO, AP_WRAP: ap_int converts like a C++ integer). Returns buf. */
char *fx_format(const fx_type *t, char *buf, size_t n);

/* True if a and b denote the same type. */
bool fx_equal(const fx_type *a, const fx_type *b);

/* True if t is a type fx_parse could return (W, I and modes in range; no ap_ufixed with
 * AP_WRAP_SM, which the vendor refuses). */
bool fx_valid(const fx_type *t);

/* Writes raw in decimal (e.g. "-124"; an fx_raw is too wide for printf). Returns buf. */
char *fx_rawstr(fx_raw raw, char *buf, size_t n);

/* (T)x for a double x, exactly as ap_fixed's constructor from double. +-inf count as
 * +-2^1024, as in the vendor's constructor (so they saturate or wrap as the overflow mode
 * says); NaN is an error for the caller to avoid (it gets the vendor's arbitrary value). */
fx_raw fx_from_double(const fx_type *t, double x, fx_stats *st);

/* The value of raw as a double (exact when it fits in 53 bits, else correctly rounded to
 * nearest-even, subnormals included; beyond the double range gives +-inf). */
double fx_to_double(const fx_type *t, fx_raw raw);

/* Casts a value of type from (raw r) to type to, applying to's quantization and overflow. */
fx_raw fx_cast(const fx_type *to, const fx_type *from, fx_raw r, fx_stats *st);

/* (to)(a * b): the full-precision product of two fixed-point values assigned to type to. */
fx_raw fx_mul(const fx_type *to, const fx_type *ta, fx_raw a, const fx_type *tb, fx_raw b,
	      fx_stats *st);

/* acc = (acc_t)(acc + a * b): multiply-accumulate with the product in full precision and the
 * sum assigned back to acc's type (its quantization and overflow modes apply). */
fx_raw fx_mac(const fx_type *acc_t, fx_raw acc, const fx_type *ta, fx_raw a, const fx_type *tb,
	      fx_raw b, fx_stats *st);

/* (to)(a + b) for values of types ta and tb. */
fx_raw fx_add(const fx_type *to, const fx_type *ta, fx_raw a, const fx_type *tb, fx_raw b,
	      fx_stats *st);

/* Compares two values exactly: -1, 0 or 1 as a < b, a == b, a > b. */
int fx_cmp(const fx_type *ta, fx_raw a, const fx_type *tb, fx_raw b);

/* Smallest and largest raw of t. */
fx_raw fx_raw_min(const fx_type *t);
fx_raw fx_raw_max(const fx_type *t);

/* Names of the modes ("AP_RND", ...), for messages and canonical strings. */
const char *fx_qname(fx_qmode q);
const char *fx_oname(fx_omode o);

#endif
