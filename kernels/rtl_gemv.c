/* rtl_gemv.c - stimulus and result text of the GEMV engines' Verilator testbench
 * (kernels/rtl_gemv/tb_gemv.cpp). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rtl_gemv.h"

static int log2i(int v)
{
	int l = 0;
	while ((1 << l) < v)
		l++;
	return l;
}

int gemv_engine_check(const gemv_engine *g, berr *e)
{
	if (g->p < 2 || g->p > 64 || (g->p & (g->p - 1)) != 0)
		return errf(e, "gemv engine: lanes %d is not a power of two in [2, 64]", g->p);
	if (g->w4 && g->p < 16)
		return errf(e, "gemv engine: INT4 lanes %d is not 16, 32 or 64", g->p);
	if (g->w4 && g->group != 32 && g->group != 64 && g->group != 128)
		return errf(e, "gemv engine: group size %d is not 32, 64 or 128", g->group);
	return 0;
}

const char *gemv_engine_top(const gemv_engine *g)
{
	return g->w4 ? "gemv_w4a8" : "gemv_w8a8";
}

void gemv_engine_params(const gemv_engine *g, void (*put)(void *ctx, const char *name, long v),
			void *ctx)
{
	int maxc = g->w4 ? GEMV_RTL_W4_MAXCOLS : GEMV_RTL_W8_MAXCOLS;
	put(ctx, "P", g->p);
	put(ctx, "LP", log2i(g->p));
	if (g->w4) {
		put(ctx, "G", g->group);
		put(ctx, "LG", log2i(g->group));
	}
	put(ctx, "XDEPTH", (maxc + g->p - 1) / g->p);
}

/* Appends n bytes as one hex token, the last byte first (lane n-1 in the top bits). */
static void put_hex(strbuf *b, const uint8_t *v, int n)
{
	static const char hx[] = "0123456789abcdef";
	char buf[260];
	int k = 0;
	for (int i = n - 1; i >= 0; i--) {
		buf[k++] = hx[v[i] >> 4];
		buf[k++] = hx[v[i] & 15];
	}
	buf[k++] = '\n';
	sb_add(b, buf, (size_t)k);
}

/* The activation words: ceil(cols / p) words of p bytes, zero padded. */
static void put_x(strbuf *b, int p, int cols, const int8_t *x)
{
	uint8_t word[64];
	for (int c0 = 0; c0 < cols; c0 += p) {
		for (int i = 0; i < p; i++)
			word[i] = c0 + i < cols ? (uint8_t)x[c0 + i] : 0;
		put_hex(b, word, p);
	}
}

static int check_rows(int rows, int row0, int nrows, int cols, int maxc, berr *e)
{
	if (row0 < 0 || nrows < 1 || row0 + nrows > rows)
		return errf(e, "gemv rtl: rows [%d, %d) outside [0, %d)", row0, row0 + nrows, rows);
	if (cols > maxc)
		return errf(e, "gemv rtl: %d cols exceed the engine's %d", cols, maxc);
	return 0;
}

int gemv_rtl_stim_w8(strbuf *b, const gemv_engine *g, const int8_t *w, int cols, int row0,
		     int nrows, const int8_t *x, const gemv_rq *rq, unsigned stall, berr *e)
{
	if (gemv_engine_check(g, e) != 0 || g->w4)
		return g->w4 ? errf(e, "gemv rtl: a W8A8 stimulus needs a W8A8 engine") : -1;
	if (check_rows(row0 + nrows, row0, nrows, cols, GEMV_RTL_W8_MAXCOLS, e) != 0)
		return -1;
	int p = g->p, beats = (cols + p - 1) / p;
	sb_printf(b, "%d 0 %d %d %u\n", p, nrows, beats, stall);
	put_x(b, p, cols, x);
	for (int r = row0; r < row0 + nrows; r++)
		put_x(b, p, cols, w + (size_t)r * cols);
	for (int r = row0; r < row0 + nrows; r++)
		sb_printf(b, "%ld %d\n", (long)rq[r].mult, rq[r].shift);
	return 0;
}

int gemv_rtl_stim_w4(strbuf *b, const gemv_engine *g, const gemv_w4 *m, int row0, int nrows,
		     const int8_t *x, unsigned stall, berr *e)
{
	if (gemv_engine_check(g, e) != 0 || !g->w4)
		return g->w4 ? -1 : errf(e, "gemv rtl: an INT4 stimulus needs an INT4 engine");
	if (check_rows(m->rows, row0, nrows, m->cols, GEMV_RTL_W4_MAXCOLS, e) != 0)
		return -1;
	if (m->group != g->group)
		return errf(e, "gemv rtl: the matrix's group size %d is not the engine's %d",
			    m->group, g->group);
	if (m->cols % 64 != 0)
		return errf(e, "gemv rtl: cols %d is not a multiple of 64 (a 256-bit beat)", m->cols);
	int p = g->p, cols = m->cols, ng = cols / m->group;
	int k = p > m->group ? p / m->group : 1;
	sb_printf(b, "%d %d %d %d %u\n", p, m->group, nrows, cols / p, stall);
	put_x(b, p, cols, x);
	for (int r = row0; r < row0 + nrows; r++)
		for (int c0 = 0; c0 < cols; c0 += 64)
			put_hex(b, m->q + (size_t)r * (cols / 2) + c0 / 2, 32);
	for (int r = row0; r < row0 + nrows; r++)
		for (int g0 = 0; g0 < ng; g0 += k) {
			uint8_t word[8] = {0};
			for (int j = 0; j < k; j++) {
				size_t gi = (size_t)r * ng + g0 + j;
				uint16_t s = m->scale[gi];
				int z = m->zero ? m->zero[gi] : 8;
				word[4 * j] = (uint8_t)(s & 255);
				word[4 * j + 1] = (uint8_t)(s >> 8);
				word[4 * j + 2] = (uint8_t)z;
			}
			put_hex(b, word, 4 * k);
		}
	return 0;
}

int gemv_rtl_parse(const char *text, bool w4, int nrows, gemv_rtl_out *o, berr *e)
{
	memset(o, 0, sizeof *o);
	o->acc = xcalloc((size_t)nrows, sizeof *o->acc);
	if (!w4)
		o->y = xcalloc((size_t)nrows, 1);
	o->cycles = o->xcycles = -1;
	const char *s = text;
	int line = 0, got = 0;
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t len = nl ? (size_t)(nl - s) : strlen(s);
		char buf[128];
		line++;
		if (len >= sizeof buf)
			goto bad;
		memcpy(buf, s, len);
		buf[len] = 0;
		long long a;
		int y, used = 0;
		if (sscanf(buf, "cycles %ld%n", &o->cycles, &used) == 1 && !buf[used]) {
		} else if (sscanf(buf, "xcycles %ld%n", &o->xcycles, &used) == 1 && !buf[used]) {
		} else if (got < nrows && w4 && sscanf(buf, "%lld%n", &a, &used) == 1 && !buf[used]) {
			o->acc[got++] = a;
		} else if (got < nrows && !w4 && sscanf(buf, "%lld %d%n", &a, &y, &used) == 2 &&
			   !buf[used] && y >= -128 && y <= 127) {
			o->acc[got] = a;
			o->y[got++] = (int8_t)y;
		} else if (len) {
			goto bad;
		}
		s += len + (nl ? 1 : 0);
	}
	if (got != nrows || o->cycles < 0 || o->xcycles < 0) {
		errf(e, "testbench output: %d of %d rows%s", got, nrows,
		     o->cycles < 0 ? ", no cycle count" : "");
		gemv_rtl_out_free(o);
		return -1;
	}
	return 0;
bad:
	errf(e, "testbench output line %d: not a result or cycle count", line);
	gemv_rtl_out_free(o);
	return -1;
}

void gemv_rtl_out_free(gemv_rtl_out *o)
{
	free(o->acc);
	free(o->y);
	memset(o, 0, sizeof *o);
}
