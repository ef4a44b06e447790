/* fixed.c - ap_fixed arithmetic, bit-exact with the vendor headers.
 *
 * Every assignment (from a double, a cast, a product, a sum) is done the same way: the exact
 * value v is cut at the target's binary point into fl = floor(v * 2^F) and the residual
 * v * 2^F - fl in [0, 1), kept as its first bit (half) and whether anything is below it
 * (sticky). The quantization mode turns that and the sign of v into an increment of fl; the
 * overflow mode then fits fl + inc into W bits. The exact value lives in an __int128 when the
 * operands are small and aligned closely (the fast path) and in a fixed-size two's-complement
 * big integer otherwise (binary points hundreds of bits apart, 64x64-bit unsigned products).
 *
 * Vendor behaviours kept (ap_fixed_base.h, operator= and the double constructor):
 * - AP_SAT_SYM maps the exact minimum of a signed type to -max (min + 1), as an overflow;
 *   with W = 1 there is no -max and min stays.
 * - AP_WRAP_SM on overflow keeps the wrapped bits when bit W of fl (the first dropped bit,
 *   before rounding) equals the new sign bit, else inverts them.
 * - Overflow is judged on the rounded value: a carry out of the top bit is an overflow. */
#include "kernels/fixed.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gen/util.h"

typedef __int128 i128;
typedef unsigned __int128 u128;

/* The exact value cut at the target's binary point. */
typedef struct {
	u128 lo;     /* fl modulo 2^128 */
	bool big;    /* fl outside [-2^126, 2^126): beyond every type's range */
	bool neg;    /* the exact value is < 0 */
	bool half;   /* residual >= 1/2 */
	bool sticky; /* residual has bits below the half bit */
} cut;

/* Number of bits of a two's-complement integer that holds every raw of t. */
static int sbits(const fx_type *t)
{
	return t->w + !t->sign;
}

fx_raw fx_raw_min(const fx_type *t)
{
	return t->sign ? -((i128)1 << (t->w - 1)) : 0;
}

fx_raw fx_raw_max(const fx_type *t)
{
	return t->sign ? ((i128)1 << (t->w - 1)) - 1 : ((i128)1 << t->w) - 1;
}

/* Cuts n / 2^k, for any k (k < 0 multiplies). */
static cut cut_i128(i128 n, int k)
{
	cut c = {0};
	c.neg = n < 0;
	if (k <= 0) {
		int s = -k;
		if (n == 0)
			return c;
		if (s >= 127) {
			c.big = true;
			c.lo = s < 128 ? (u128)n << s : 0;
			return c;
		}
		i128 top = n >> (126 - s);
		c.big = top != 0 && top != -1;
		c.lo = (u128)n << s;
		return c;
	}
	if (k >= 128) {
		/* fl is 0 or -1; the half bit and everything above the raw bits are sign bits */
		c.lo = c.neg ? ~(u128)0 : 0;
		c.half = c.neg;
		c.sticky = k == 128 ? ((u128)n & (~(u128)0 >> 1)) != 0 : n != 0;
		return c;
	}
	c.lo = (u128)(n >> k);
	c.half = (n >> (k - 1)) & 1;
	c.sticky = k >= 2 && ((u128)n & (((u128)1 << (k - 1)) - 1)) != 0;
	return c;
}

/* ---- the slow path: a two's-complement integer of BN_LIMBS 64-bit limbs ----
 * Worst case: a MAC aligns a 129-bit product (F up to 2176) and a 64-bit accumulator
 * (F down to -1087) 3263 bits apart, 3394 bits in all. */
enum { BN_LIMBS = 64, BN_BITS = BN_LIMBS * 64 };

typedef struct {
	uint64_t l[BN_LIMBS];
} bn;

static bool bn_isneg(const bn *a)
{
	return a->l[BN_LIMBS - 1] >> 63;
}

static void bn_set(bn *a, i128 v)
{
	a->l[0] = (uint64_t)v;
	a->l[1] = (uint64_t)((u128)v >> 64);
	memset(a->l + 2, v < 0 ? 0xff : 0, sizeof a->l - 2 * sizeof a->l[0]);
}

static void bn_setu(bn *a, u128 v)
{
	memset(a->l, 0, sizeof a->l);
	a->l[0] = (uint64_t)v;
	a->l[1] = (uint64_t)(v >> 64);
}

/* a <<= s, s >= 0; the value must stay inside the limbs (true for valid types). */
static void bn_shl(bn *a, int s)
{
	if (s < 0 || s > BN_BITS - 192)
		abort(); /* a type outside [FX_I_MIN, FX_I_MAX] got here */
	int q = s / 64, r = s % 64;
	for (int i = BN_LIMBS - 1; i >= 0; i--) {
		uint64_t hi = i - q >= 0 ? a->l[i - q] : 0;
		uint64_t lo = i - q - 1 >= 0 ? a->l[i - q - 1] : 0;
		a->l[i] = r ? hi << r | lo >> (64 - r) : hi;
	}
}

static void bn_add(bn *a, const bn *b)
{
	unsigned carry = 0;
	for (int i = 0; i < BN_LIMBS; i++) {
		uint64_t s = a->l[i] + b->l[i];
		unsigned c1 = s < a->l[i];
		uint64_t t = s + carry;
		unsigned c2 = t < s;
		a->l[i] = t;
		carry = c1 | c2;
	}
}

/* Limb i, with zeros below the number and sign bits above it. */
static uint64_t bn_limb(const bn *a, long i)
{
	if (i < 0)
		return 0;
	if (i >= BN_LIMBS)
		return bn_isneg(a) ? ~(uint64_t)0 : 0;
	return a->l[i];
}

/* Bits pos .. pos+63 of a, for any pos. */
static uint64_t bn_get64(const bn *a, long pos)
{
	long q = pos >= 0 ? pos / 64 : -((-pos + 63) / 64);
	int r = (int)(pos - q * 64);
	uint64_t lo = bn_limb(a, q);
	return r ? lo >> r | bn_limb(a, q + 1) << (64 - r) : lo;
}

/* True if any of bits 0 .. n-1 is set. */
static bool bn_any(const bn *a, long n)
{
	if (n >= BN_BITS)
		n = BN_BITS;
	long i = 0;
	for (; (i + 1) * 64 <= n; i++)
		if (a->l[i])
			return true;
	int r = (int)(n - i * 64);
	return r > 0 && (a->l[i] & ((~(uint64_t)0) >> (64 - r))) != 0;
}

/* True if every bit at pos and above equals the sign (zeros count below bit 0). */
static bool bn_uniform(const bn *a, long pos)
{
	bool neg = bn_isneg(a);
	uint64_t fill = neg ? ~(uint64_t)0 : 0;
	if (pos < 0) {
		if (neg)
			return false;
		pos = 0;
	}
	for (long p = pos; p < BN_BITS; p += 64)
		if (bn_get64(a, p) != fill)
			return false;
	return true;
}

/* Cuts a / 2^k. */
static cut cut_bn(const bn *a, long k)
{
	cut c = {0};
	c.neg = bn_isneg(a);
	c.lo = (u128)bn_get64(a, k) | (u128)bn_get64(a, k + 64) << 64;
	c.big = !bn_uniform(a, k + 126);
	c.half = k >= 1 && (bn_get64(a, k - 1) & 1);
	c.sticky = k >= 2 && bn_any(a, k - 1);
	return c;
}

/* ---- assignment: rounding and overflow ---- */

/* Whether the quantization mode adds one to fl. */
static bool round_up(fx_qmode q, const cut *c)
{
	switch (q) {
	case FX_RND:
		return c->half;
	case FX_RND_ZERO:
		return c->half && (c->neg || c->sticky);
	case FX_RND_MIN_INF:
		return c->half && c->sticky;
	case FX_RND_INF:
		return c->half && (!c->neg || c->sticky);
	case FX_RND_CONV:
		return c->half && ((c->lo & 1) || c->sticky);
	case FX_TRN_ZERO:
		return c->neg && (c->half || c->sticky);
	case FX_TRN:
		break;
	}
	return false;
}

/* The low W bits of x, sign-extended for signed types. */
static fx_raw low_bits(const fx_type *t, u128 x)
{
	u128 mask = ~(u128)0 >> (128 - t->w);
	x &= mask;
	if (t->sign && (x >> (t->w - 1) & 1))
		x |= ~mask;
	return (fx_raw)x;
}

/* Fits fl + inc, known to be outside t's range (or the signed minimum under AP_SAT_SYM), by
 * t's overflow mode. */
static fx_raw overflow(const fx_type *t, const cut *c, bool inc, fx_stats *st)
{
	if (st)
		st->overflow++;
	u128 bits = c->lo + inc;
	bool above = !c->neg && (c->big || (i128)bits > fx_raw_max(t));
	switch (t->o) {
	case FX_WRAP:
		return low_bits(t, bits);
	case FX_SAT_ZERO:
		return 0;
	case FX_WRAP_SM:
		if (t->sign) {
			bool ro = bits >> (t->w - 1) & 1;
			bool ld = c->lo >> t->w & 1;
			return low_bits(t, ld == ro ? bits : ~bits);
		}
		break; /* the vendor saturates an unsigned AP_WRAP_SM (and refuses to build it) */
	case FX_SAT:
	case FX_SAT_SYM:
		break;
	}
	if (above)
		return fx_raw_max(t);
	if (!t->sign)
		return 0;
	return fx_raw_min(t) + (t->o == FX_SAT_SYM && t->w > 1);
}

/* True if q is t's to keep: in range, and not the signed minimum under AP_SAT_SYM. */
static bool in_range(const fx_type *t, i128 q, i128 min, i128 max)
{
	return q <= max && (q > min || (q == min && (t->o != FX_SAT_SYM || !t->sign)));
}

/* Assigns the cut value to t: quantization, then overflow. */
static fx_raw fit(const fx_type *t, const cut *c, fx_stats *st)
{
	bool inc = round_up(t->q, c);
	if (st && (c->half || c->sticky))
		st->quantized++;
	if (!c->big) {
		i128 q = (i128)c->lo + inc;
		if (in_range(t, q, fx_raw_min(t), fx_raw_max(t)))
			return q;
	}
	return overflow(t, c, inc, st);
}

/* fit() for a type of at most 62 bits and fl within +-2^62, in 64-bit arithmetic: the MAC's
 * common case. */
static fx_raw fit_small(const fx_type *t, int64_t fl, bool half, bool sticky, fx_stats *st)
{
	cut c = {.lo = (u128)(i128)fl, .neg = fl < 0, .half = half, .sticky = sticky};
	bool inc = round_up(t->q, &c);
	if (st && (half || sticky))
		st->quantized++;
	int64_t q = fl + inc;
	int64_t min = t->sign ? -((int64_t)1 << (t->w - 1)) : 0;
	int64_t max = t->sign ? ((int64_t)1 << (t->w - 1)) - 1 : ((int64_t)1 << t->w) - 1;
	if (in_range(t, q, min, max))
		return q;
	return overflow(t, &c, inc, st);
}

/* ---- operations ---- */

fx_raw fx_from_double(const fx_type *t, double x, fx_stats *st)
{
	uint64_t u;
	memcpy(&u, &x, sizeof u);
	bool neg = u >> 63;
	int ex = (int)(u >> 52 & 0x7ff);
	uint64_t man = u & (((uint64_t)1 << 52) - 1);
	int e;
	if (ex == 0 && man == 0)
		return 0;
	if (ex == 0x7ff) { /* inf is 2^1024; NaN is (1.frac) * 2^1024, as the vendor does */
		man |= (uint64_t)1 << 52;
		e = 1024 - 52;
	} else if (ex == 0) { /* subnormal: its exact value */
		e = -1074;
	} else {
		man |= (uint64_t)1 << 52;
		e = ex - 1075;
	}
	i128 n = neg ? -(i128)man : (i128)man;
	cut c = cut_i128(n, -(e + fx_frac(t)));
	return fit(t, &c, st);
}

double fx_to_double(const fx_type *t, fx_raw raw)
{
	if (raw == 0)
		return 0.0;
	bool neg = raw < 0;
	uint64_t m = neg ? (uint64_t)-(u128)raw : (uint64_t)raw; /* |raw| < 2^64 */
	int len = 64 - __builtin_clzll(m);
	int e = -fx_frac(t);         /* value = m * 2^e */
	int top = len - 1 + e;       /* exponent of the leading bit */
	int keep = top >= -1022 ? 53 : top + 1075; /* significant bits a double has there */
	int sh = len - keep;
	if (sh > len)
		return neg ? -0.0 : 0.0;
	if (sh > 0) { /* round to nearest, ties to even */
		u128 q = (u128)m >> sh, rem = m & (((u128)1 << sh) - 1), half = (u128)1 << (sh - 1);
		if (rem > half || (rem == half && (q & 1)))
			q++;
		m = (uint64_t)q;
		e += sh;
	}
	double d = ldexp((double)m, e);
	return neg ? -d : d;
}

fx_raw fx_cast(const fx_type *to, const fx_type *from, fx_raw r, fx_stats *st)
{
	cut c = cut_i128(r, fx_frac(from) - fx_frac(to));
	return fit(to, &c, st);
}

/* True if a * b needs the full 128 unsigned bits (two unsigned 64-bit raws); any other
 * product fits an __int128. */
static bool wide_product(const fx_type *ta, const fx_type *tb)
{
	return !ta->sign && !tb->sign && ta->w + tb->w > 127;
}

fx_raw fx_mul(const fx_type *to, const fx_type *ta, fx_raw a, const fx_type *tb, fx_raw b,
	      fx_stats *st)
{
	int k = fx_frac(ta) + fx_frac(tb) - fx_frac(to);
	cut c;
	if (!wide_product(ta, tb)) {
		c = cut_i128(a * b, k);
	} else {
		bn n;
		bn_setu(&n, (u128)a * (u128)b);
		c = cut_bn(&n, k);
	}
	return fit(to, &c, st);
}

/* Cuts x * 2^-fx + y * 2^-fy at 2^-fto, x and y of xbits and ybits signed bits; y may be
 * an unsigned 128-bit product (yu). */
static cut cut_sum(i128 x, int xbits, int fx, i128 y, bool yu, int ybits, int fy, int fto)
{
	int f = fx > fy ? fx : fy;
	int sx = f - fx, sy = f - fy;
	if (xbits + sx <= 125 && ybits + sy <= 125) {
		i128 n = (i128)((u128)x << sx) + (i128)((u128)y << sy);
		return cut_i128(n, f - fto);
	}
	bn n, m;
	bn_set(&n, x);
	bn_shl(&n, sx);
	if (yu)
		bn_setu(&m, (u128)y);
	else
		bn_set(&m, y);
	bn_shl(&m, sy);
	bn_add(&n, &m);
	return cut_bn(&n, (long)f - fto);
}

fx_raw fx_mac(const fx_type *acc_t, fx_raw acc, const fx_type *ta, fx_raw a, const fx_type *tb,
	      fx_raw b, fx_stats *st)
{
	int fc = fx_frac(acc_t), fp = fx_frac(ta) + fx_frac(tb);
	int pbits = ta->w + tb->w + (!ta->sign && !tb->sign);
	/* the common case: the aligned sum fits in 64 bits */
	int f = fp > fc ? fp : fc, sp = f - fp, sc = f - fc;
	if (pbits + sp <= 62 && sbits(acc_t) + sc <= 62) {
		int64_t n = (int64_t)((uint64_t)((int64_t)a * (int64_t)b) << sp) +
			    (int64_t)((uint64_t)(int64_t)acc << sc);
		if (sc == 0)
			return fit_small(acc_t, n, false, false, st);
		uint64_t below = (uint64_t)n & (((uint64_t)1 << sc) - 1);
		uint64_t halfbit = (uint64_t)1 << (sc - 1);
		return fit_small(acc_t, n >> sc, below >= halfbit, (below & (halfbit - 1)) != 0, st);
	}
	cut c;
	if (!wide_product(ta, tb))
		c = cut_sum(acc, sbits(acc_t), fc, a * b, false, pbits, fp, fc);
	else
		c = cut_sum(acc, sbits(acc_t), fc, (i128)((u128)a * (u128)b), true, 129, fp, fc);
	return fit(acc_t, &c, st);
}

fx_raw fx_add(const fx_type *to, const fx_type *ta, fx_raw a, const fx_type *tb, fx_raw b,
	      fx_stats *st)
{
	cut c = cut_sum(a, sbits(ta), fx_frac(ta), b, false, sbits(tb), fx_frac(tb), fx_frac(to));
	return fit(to, &c, st);
}

int fx_cmp(const fx_type *ta, fx_raw a, const fx_type *tb, fx_raw b)
{
	if ((a < 0) != (b < 0) || a == 0 || b == 0) {
		int sa = (a > 0) - (a < 0), sb = (b > 0) - (b < 0);
		if (sa != sb)
			return sa < sb ? -1 : 1;
		return 0;
	}
	/* same sign, both nonzero: the sign of a - b, exactly */
	cut c = cut_sum(a, sbits(ta), fx_frac(ta), -b, false, sbits(tb) + 1, fx_frac(tb), 0);
	if (c.neg)
		return -1;
	return c.big || c.lo || c.half || c.sticky ? 1 : 0;
}

/* ---- names, parsing, printing ---- */

static const char *const qnames[] = {
	[FX_RND] = "AP_RND",
	[FX_RND_ZERO] = "AP_RND_ZERO",
	[FX_RND_MIN_INF] = "AP_RND_MIN_INF",
	[FX_RND_INF] = "AP_RND_INF",
	[FX_RND_CONV] = "AP_RND_CONV",
	[FX_TRN] = "AP_TRN",
	[FX_TRN_ZERO] = "AP_TRN_ZERO",
};
static const char *const onames[] = {
	[FX_SAT] = "AP_SAT",
	[FX_SAT_ZERO] = "AP_SAT_ZERO",
	[FX_SAT_SYM] = "AP_SAT_SYM",
	[FX_WRAP] = "AP_WRAP",
	[FX_WRAP_SM] = "AP_WRAP_SM",
};
enum { NQ = sizeof qnames / sizeof qnames[0], NO = sizeof onames / sizeof onames[0] };

const char *fx_qname(fx_qmode q)
{
	return (unsigned)q < NQ ? qnames[q] : "AP_?";
}

const char *fx_oname(fx_omode o)
{
	return (unsigned)o < NO ? onames[o] : "AP_?";
}

bool fx_equal(const fx_type *a, const fx_type *b)
{
	return a->w == b->w && a->i == b->i && a->sign == b->sign && a->q == b->q && a->o == b->o;
}

bool fx_valid(const fx_type *t)
{
	return t->w >= 1 && t->w <= FX_W_MAX && t->i >= FX_I_MIN && t->i <= FX_I_MAX &&
	       (unsigned)t->q < NQ && (unsigned)t->o < NO && (t->sign || t->o != FX_WRAP_SM);
}

char *fx_format(const fx_type *t, char *buf, size_t n)
{
	if (t->i == t->w && t->q == FX_TRN_ZERO && t->o == FX_WRAP)
		snprintf(buf, n, "ap_%sint<%d>", t->sign ? "" : "u", t->w);
	else
		snprintf(buf, n, "ap_%sfixed<%d,%d,%s,%s>", t->sign ? "" : "u", t->w, t->i,
			 fx_qname(t->q), fx_oname(t->o));
	return buf;
}

char *fx_rawstr(fx_raw r, char *buf, size_t n)
{
	char tmp[48];
	int i = sizeof tmp;
	u128 m = r < 0 ? -(u128)r : (u128)r;
	tmp[--i] = '\0';
	do {
		tmp[--i] = (char)('0' + (int)(m % 10));
		m /= 10;
	} while (m);
	if (r < 0)
		tmp[--i] = '-';
	snprintf(buf, n, "%s", tmp + i);
	return buf;
}

/* A type-string scanner: position and error sink. */
typedef struct {
	const char *p;
	char *err;
	size_t errlen;
} scan;

static int perr(scan *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int perr(scan *s, const char *fmt, ...)
{
	if (s->err && s->errlen) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(s->err, s->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static void skipws(scan *s)
{
	while (*s->p == ' ' || *s->p == '\t')
		s->p++;
}

static bool isword(int c)
{
	return isalnum(c) || c == '_';
}

/* Reads an identifier or a number, up to 31 characters, into tok. */
static int token(scan *s, char *tok, size_t n)
{
	skipws(s);
	const char *b = s->p;
	if (*s->p == '+' || *s->p == '-')
		s->p++;
	while (isword((unsigned char)*s->p))
		s->p++;
	size_t len = (size_t)(s->p - b);
	if (len == 0) {
		if (*s->p == '\0')
			return perr(s, "unexpected end, a parameter is missing");
		return perr(s, "unexpected '%c' where a parameter should be", *s->p);
	}
	if (len >= n)
		return perr(s, "'%.*s...' is too long", 16, b);
	memcpy(tok, b, len);
	tok[len] = '\0';
	return 0;
}

/* Parses a decimal integer token. */
static int number(scan *s, const char *tok, const char *what, long *out)
{
	const char *p = tok;
	bool neg = *p == '-';
	if (*p == '+' || *p == '-')
		p++;
	if (!*p)
		return perr(s, "%s: '%s' is not a number", what, tok);
	long v = 0;
	for (; *p; p++) {
		if (!isdigit((unsigned char)*p))
			return perr(s, "%s: '%s' is not a number", what, tok);
		if (v > (100000000L - (*p - '0')) / 10)
			return perr(s, "%s: '%s' is too large", what, tok);
		v = v * 10 + (*p - '0');
	}
	*out = neg ? -v : v;
	return 0;
}

/* Looks a mode name up (with or without AP_, any case) in names; -1 if absent. */
static int lookup(const char *tok, const char *const *names, int n, char *full, size_t fn)
{
	const char *t = tok;
	if (strncasecmp(t, "AP_", 3) == 0)
		t += 3;
	size_t i = 0;
	i += (size_t)snprintf(full, fn, "AP_");
	for (; *t && i + 1 < fn; t++)
		full[i++] = (char)toupper((unsigned char)*t);
	full[i] = '\0';
	for (int k = 0; k < n; k++)
		if (strcmp(full, names[k]) == 0)
			return k;
	return -1;
}

static int mode(scan *s, const char *tok, bool quant, int *out)
{
	char full[40];
	const char *const *names = quant ? qnames : onames;
	int n = quant ? NQ : NO;
	int k = lookup(tok, names, n, full, sizeof full);
	if (k >= 0) {
		*out = k;
		return 0;
	}
	const char *kind = quant ? "quantization" : "overflow";
	if (!isalpha((unsigned char)tok[0]))
		return perr(s, "expected a %s mode name, got '%s'", kind, tok);
	if (lookup(tok, quant ? onames : qnames, quant ? NO : NQ, full, sizeof full) >= 0)
		return perr(s, "%s is %s mode, expected %s mode here (ap_fixed<W,I,Q,O>)", full,
			    quant ? "an overflow" : "a quantization", kind);
	const char *sug = closest_word(full, names, (size_t)n);
	if (sug)
		return perr(s, "unknown %s mode '%s' (did you mean %s?)", kind, tok, sug);
	return perr(s, "unknown %s mode '%s'", kind, tok);
}

int fx_parse(const char *str, fx_type *t, char *err, size_t errlen)
{
	static const char *const kinds[] = {"ap_fixed", "ap_ufixed", "ap_int", "ap_uint",
					    "fixed",    "ufixed",    "int",    "uint"};
	scan s = {str, err, errlen};
	char tok[32];
	skipws(&s);
	const char *b = s.p;
	while (isword((unsigned char)*s.p))
		s.p++;
	size_t len = (size_t)(s.p - b);
	int kind = -1;
	for (int k = 0; k < 8; k++)
		if (strlen(kinds[k]) == len && strncmp(b, kinds[k], len) == 0)
			kind = k % 4;
	if (kind < 0) {
		if (len == 0 || len >= sizeof tok)
			return perr(&s, "not a type (expected ap_fixed<W,I>, ap_ufixed<W,I>, "
					"ap_int<W> or ap_uint<W>)");
		memcpy(tok, b, len);
		tok[len] = '\0';
		const char *sug = closest_word(tok, kinds, 8);
		if (sug)
			return perr(&s, "unknown type '%s' (did you mean %s?)", tok, sug);
		return perr(&s, "unknown type '%s' (expected ap_fixed, ap_ufixed, ap_int or "
				"ap_uint)", tok);
	}
	bool isfixed = kind < 2;
	/* ap_int converts like a C++ integer: fractions truncate towards zero (the vendor's
	 * ap_int_base from double or from ap_fixed), so it is ap_fixed<W,W,AP_TRN_ZERO,AP_WRAP>. */
	fx_type r = {.sign = kind % 2 == 0, .q = isfixed ? FX_TRN : FX_TRN_ZERO, .o = FX_WRAP};
	skipws(&s);
	if (*s.p != '<')
		return perr(&s, "expected '<' after %s", kinds[kind]);
	s.p++;
	int maxp = isfixed ? 5 : 1;
	long w = 0, i = 0;
	for (int np = 0;; np++) {
		if (np == maxp)
			return perr(&s, "too many parameters: %s takes at most %d", kinds[kind],
				    maxp);
		if (token(&s, tok, sizeof tok) < 0)
			return -1;
		int m;
		switch (np) {
		case 0:
			if (number(&s, tok, "width", &w) < 0)
				return -1;
			if (w < 1 || w > FX_W_MAX)
				return perr(&s, "width %ld out of range 1..%d", w, FX_W_MAX);
			break;
		case 1:
			if (number(&s, tok, "integer bits", &i) < 0)
				return -1;
			if (i < FX_I_MIN || i > FX_I_MAX)
				return perr(&s, "integer bits %ld out of range %d..%d", i,
					    FX_I_MIN, FX_I_MAX);
			break;
		case 2:
			if (mode(&s, tok, true, &m) < 0)
				return -1;
			r.q = (fx_qmode)m;
			break;
		case 3:
			if (mode(&s, tok, false, &m) < 0)
				return -1;
			r.o = (fx_omode)m;
			break;
		case 4: {
			long nsat;
			if (number(&s, tok, "saturation bits", &nsat) < 0)
				return -1;
			if (nsat != 0)
				return perr(&s, "saturation bits N=%ld not supported (only 0)",
					    nsat);
			break;
		}
		}
		skipws(&s);
		if (*s.p == ',') {
			s.p++;
			continue;
		}
		if (*s.p == '>') {
			if (isfixed && np == 0)
				return perr(&s, "%s needs the integer bits: %s<W,I>", kinds[kind],
					    kinds[kind]);
			s.p++;
			break;
		}
		if (*s.p == '\0')
			return perr(&s, "missing '>'");
		return perr(&s, "unexpected '%c' after '%s'", *s.p, tok);
	}
	skipws(&s);
	if (*s.p)
		return perr(&s, "trailing characters after '>': '%.20s'", s.p);
	r.w = (int)w;
	r.i = isfixed ? (int)i : (int)w;
	if (!r.sign && r.o == FX_WRAP_SM)
		return perr(&s, "ap_ufixed does not support AP_WRAP_SM (the vendor library "
				"refuses it)");
	*t = r;
	return 0;
}
