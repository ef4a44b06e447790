/* act.h - the elementwise fixed-point operations of a SwiGLU MLP: SiLU through a sigmoid
 * table (the shape of hls4ml's table-based activations: table_size entries of type table_t
 * over [-8, 8)), and the elementwise product. Pure arithmetic, no I/O. docs/PROJECT.md. */
#ifndef BURN_ACT_H
#define BURN_ACT_H

#include "kernels/fixed.h"

/* The table covers [-SILU_RANGE, SILU_RANGE); table_size is a power of two in
 * [SILU_TABLE_MIN, SILU_TABLE_MAX]; hls4ml's default table is 1024 entries of ap_fixed<18,8>. */
enum { SILU_RANGE = 8, SILU_TABLE_MIN = 16, SILU_TABLE_MAX = 65536, SILU_TABLE_DEFAULT = 1024 };

/* The types of one SiLU: input x, sigmoid table entries, output y, and the table's size. */
typedef struct {
	fx_type in, table, result;
	int table_size;
} silu_types;

/* True if n is a table size silu_fx accepts (a power of two in range). */
bool silu_size_ok(long n);

/* Fills table (table_size raws of t->table) with the sigmoid at the centre of each bin:
 * entry i holds (table_t) sigmoid((i - N/2 + 1/2) * 16/N). */
void silu_table(const silu_types *t, fx_raw *table);

/* y[k] = silu(x[k]) for n raws of t->in, into raws of t->result: with the bin index
 * i = floor(x * N/16) + N/2 (an exact shift), x >= 8 gives (result) x, x < -8 gives 0, and
 * otherwise (result)(x * table[i]) with the product in full precision. st counts the result
 * casts (may be NULL). */
void silu_fx(const silu_types *t, const fx_raw *table, int n, const fx_raw *x, fx_raw *y,
	     fx_stats *st);

/* silu(x) = x / (1 + exp(-x)) in double, the reference. */
double silu_ref(double x);

/* The largest |silu_fx(x) - silu_ref(x)| over the representable inputs of t->in (every one
 * when there are at most 2^20, else 2^20 evenly spaced ones); *at gets the input where it
 * occurs (may be NULL). The error of the table and of the result cast, not of x's own
 * quantisation. */
double silu_max_err(const silu_types *t, double *at);

/* y[k] = (to)(a[k] * b[k]) for n raws, the product in full precision; st counts the casts. */
void mul_fx(const fx_type *to, const fx_type *ta, const fx_raw *a, const fx_type *tb,
	    const fx_raw *b, int n, fx_raw *y, fx_stats *st);

#endif
