/* gemv_suite.c - the golden case suites of the GEMV kernels: case lists, seeded operands, the
 * integer kernels and the bound check against OpenBLAS. Pure arithmetic, no I/O. */
#include <cblas.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/rng.h"
#include "kernels/gemv_suite.h"

const char *const gemv_suites[] = {"qwen-int4", "nanocoder-w8a8", NULL};

/* A shape: name, rows (outputs), cols (inputs). */
typedef struct {
	const char *name;
	int rows, cols;
} shape;

/* Qwen2.5-1.5B: hidden 1536, intermediate 8960, 12 query heads and 2 KV heads of dim 128. */
static const shape qwen[] = {
	{"q", 1536, 1536}, {"k", 256, 1536},  {"v", 256, 1536},  {"o", 1536, 1536},
	{"gate", 8960, 1536}, {"up", 8960, 1536}, {"down", 1536, 8960},
};
/* NanoCoder v1 (hidden 128, MLP 512) and v2 (hidden 256, MLP 1024): fused qkv, attention
 * output projection, MLP up and down. */
static const shape nano[] = {
	{"v1-qkv", 384, 128},  {"v1-proj", 128, 128}, {"v1-up", 512, 128},  {"v1-down", 128, 512},
	{"v2-qkv", 768, 256},  {"v2-proj", 256, 256}, {"v2-up", 1024, 256}, {"v2-down", 256, 1024},
};
enum { N_QWEN = sizeof qwen / sizeof qwen[0], N_NANO = sizeof nano / sizeof nano[0] };
enum { QWEN_GROUPS = 3, QWEN_SEEDS = 8, NANO_SEEDS = 6, QWEN_TILE = 64 };
static const int qwen_groups[QWEN_GROUPS] = {32, 64, 128};

static uint64_t name_hash(const char *s)
{
	uint64_t h = 1469598103934665603ull; /* FNV-1a */
	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static void add_qwen(gemv_case *c, int si, int gi, int seed)
{
	const shape *s = &qwen[si];
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "qwen-int4/%s-g%d-s%d", s->name, qwen_groups[gi], seed);
	c->w4 = true;
	c->rows = s->rows;
	c->cols = s->cols;
	c->group = qwen_groups[gi];
	c->zero = seed % 2 == 1;
	c->seed = (uint64_t)seed;
	c->p = seed < 4 ? 64 : 32;
	c->nrows = s->rows < QWEN_TILE ? s->rows : QWEN_TILE;
	rng g;
	rng_seed(&g, c->seed, name_hash(c->name) ^ 1);
	c->row0 = (int)rng_below(&g, (uint64_t)(s->rows - c->nrows + 1));
	c->yfactor = 1;
	c->stall = seed % 4 == 3 ? (unsigned)seed + 1 : 0;
}

static void add_nano(gemv_case *c, int si, int seed, double yfactor, const char *suffix)
{
	const shape *s = &nano[si];
	memset(c, 0, sizeof *c);
	snprintf(c->name, sizeof c->name, "nanocoder-w8a8/%s-s%d%s", s->name, seed, suffix);
	c->rows = s->rows;
	c->cols = s->cols;
	c->seed = (uint64_t)seed;
	c->p = seed < 3 ? 16 : 32;
	c->row0 = 0;
	c->nrows = s->rows;
	c->yfactor = yfactor;
	c->stall = seed % 3 == 2 ? (unsigned)seed + 1 : 0;
}

int gemv_suite_cases(const char *suite, bool quick, gemv_case **out, int *n, berr *e)
{
	bool all = strcmp(suite, "all") == 0, q = all || strcmp(suite, "qwen-int4") == 0;
	bool nc = all || strcmp(suite, "nanocoder-w8a8") == 0;
	if (!q && !nc)
		return errf(e, "unknown suite '%s' (qwen-int4, nanocoder-w8a8 or all)", suite);
	gemv_case *c = xcalloc(N_QWEN * QWEN_GROUPS * QWEN_SEEDS + N_NANO * NANO_SEEDS + 1,
			       sizeof *c);
	int k = 0;
	if (q && quick) {
		add_qwen(&c[k++], 1, 0, 0); /* k, group 32, 64 lanes (2 groups a cycle) */
		add_qwen(&c[k++], 2, 0, 3); /* v, the same engine, zero points, stalls */
	} else if (q) {
		for (int si = 0; si < N_QWEN; si++)
			for (int gi = 0; gi < QWEN_GROUPS; gi++)
				for (int seed = 0; seed < QWEN_SEEDS; seed++)
					add_qwen(&c[k++], si, gi, seed);
	}
	if (nc && quick) {
		add_nano(&c[k++], 0, 0, 1, "");        /* v1 qkv, 16 lanes */
		add_nano(&c[k++], 3, 2, 1, "");        /* v1 down, 16 lanes, stalls */
		add_nano(&c[k++], 1, 1, 0.25, "-sat"); /* v1 proj, saturating outputs */
	} else if (nc) {
		for (int si = 0; si < N_NANO; si++)
			for (int seed = 0; seed < NANO_SEEDS; seed++)
				add_nano(&c[k++], si, seed, seed == 5 ? 0.5 : 1, "");
		add_nano(&c[k++], 7, 0, 0.25, "-sat"); /* v2 down, a quarter of the range */
	}
	*out = c;
	*n = k;
	return 0;
}

/* A standard normal deviate (Box-Muller). */
static double normal(rng *g)
{
	double u = rng_unit(g), v = rng_unit(g);
	return sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v);
}

/* Weights N(0, 1/cols) with one in 512 scaled by 8; activations N(0, 1) with one channel in
 * 64 scaled by 16 (the outlier channels of LLM activations). */
static void gen_operands(const gemv_case *c, float *w, float *x)
{
	rng g;
	uint64_t h = name_hash(c->name);
	rng_seed(&g, c->seed, h);
	double sd = 1 / sqrt((double)c->cols);
	size_t n = (size_t)c->rows * c->cols;
	for (size_t i = 0; i < n; i++) {
		double v = normal(&g) * sd;
		if (rng_below(&g, 512) == 0)
			v *= 8;
		w[i] = (float)v;
	}
	rng_seed(&g, c->seed, h ^ 2);
	for (int i = 0; i < c->cols; i++)
		x[i] = (float)(normal(&g) * (rng_below(&g, 64) == 0 ? 16 : 1));
}

/* Relative slack on the half-step error bounds: scales are rounded to float or a mantissa
 * before quantising, so a value can sit a few ulps past the half step. */
#define SLACK (1 + 1e-6)

int gemv_case_run(const gemv_case *c, gemv_run *r, berr *e)
{
	memset(r, 0, sizeof *r);
	r->first_bad = -1;
	int rows = c->rows, cols = c->cols;
	size_t n = (size_t)rows * cols;
	float *w = xmalloc(n * sizeof *w), *x = xmalloc((size_t)cols * sizeof *x);
	int rc = -1;
	gen_operands(c, w, x);
	r->x8 = xmalloc((size_t)cols);
	r->y = xmalloc((size_t)rows * sizeof *r->y);
	r->ref = xmalloc((size_t)rows * sizeof *r->ref);
	if (gemv_quant_a8(x, cols, r->x8, &r->xs, e) != 0)
		goto out;
	if (c->w4) {
		size_t nq, ng;
		if (gemv_w4_check(rows, cols, c->group, e) != 0)
			goto out;
		gemv_w4_sizes(rows, cols, c->group, &nq, &ng);
		r->m = (gemv_w4){rows, cols, c->group, xmalloc(nq), xmalloc(ng * sizeof(uint16_t)),
				 xmalloc((size_t)rows), c->zero ? xmalloc(ng) : NULL};
		r->acc64 = xmalloc((size_t)rows * sizeof *r->acc64);
		if (gemv_quant_w4(w, &r->m, e) != 0 || gemv_w4a8(&r->m, r->x8, r->acc64, e) != 0)
			goto out;
		gemv_dequant_w4a8(&r->m, r->acc64, r->xs, r->y);
	} else {
		r->w8 = xmalloc(n);
		r->ws = xmalloc((size_t)rows * sizeof *r->ws);
		r->rq = xmalloc((size_t)rows * sizeof *r->rq);
		r->acc32 = xmalloc((size_t)rows * sizeof *r->acc32);
		r->y8 = xmalloc((size_t)rows);
		if (gemv_quant_w8(w, rows, cols, r->w8, r->ws, e) != 0 ||
		    gemv_w8a8(r->w8, r->x8, rows, cols, r->acc32, e) != 0)
			goto out;
		gemv_dequant_w8a8(r->acc32, r->ws, r->xs, rows, r->y);
		double ymax = 0;
		for (int i = 0; i < rows; i++)
			ymax = fmax(ymax, fabs(r->y[i]));
		r->ys = (float)(ymax > 0 ? ymax / 127 * c->yfactor : 1);
		if (gemv_rq_rows(r->ws, r->xs, r->ys, rows, r->rq, e) != 0)
			goto out;
		gemv_requant(r->acc32, r->rq, rows, r->y8);
	}
	cblas_sgemv(CblasRowMajor, CblasNoTrans, rows, cols, 1.0f, w, cols, x, 1, 0.0f, r->ref, 1);

	/* the bound of row i: sum_c dw*|x| + |w|*dx + dw*dx (quantisation), plus the float
	 * reference's accumulation error gamma_cols * sum |w||x| and the final rounding */
	double dx = r->xs / 2.0 * SLACK, u = ldexp(1, -24), gamma = cols * u / (1 - cols * u);
	for (int i = 0; i < rows; i++) {
		const float *wr = w + (size_t)i * cols;
		double q = 0, a = 0, dw = 0;
		for (int j = 0; j < cols; j++) {
			if (c->w4 ? j % c->group == 0 : j == 0)
				dw = (c->w4 ? gemv_w4_scale(&r->m, i, j / c->group) : r->ws[i]) / 2 *
				     SLACK;
			double ax = fabs(x[j]), aw = fabs(wr[j]);
			q += dw * ax + aw * dx + dw * dx;
			a += aw * ax;
		}
		double bound = q + gamma * a + (fabs(r->ref[i]) + fabs(r->y[i])) * u + 1e-30;
		double err = fabs((double)r->y[i] - r->ref[i]);
		bool bad = !(err <= bound);
		if (!c->w4) {
			/* the requantiser against double arithmetic: within half an LSB plus the
			 * multiplier's rounding (2^-31 relative), saturated to [-128, 127] */
			double real = (double)r->ws[i] * r->xs / r->ys, v = r->acc32[i] * real;
			double want = fmin(127, fmax(-128, v));
			if (!(fabs(r->y8[i] - want) <= 0.5 + fabs(v) * ldexp(1, -30)))
				bad = true;
		}
		if (err > r->max_err)
			r->max_err = err;
		if (err / bound > r->max_ratio)
			r->max_ratio = err / bound;
		if (bad && r->n_bad++ == 0) {
			r->first_bad = i;
			r->bad_err = err;
			r->bad_bound = bound;
		}
	}
	rc = 0;
out:
	free(w);
	free(x);
	return rc;
}

void gemv_run_free(gemv_run *r)
{
	free(r->x8);
	free(r->w8);
	free(r->ws);
	free(r->rq);
	free(r->acc32);
	free(r->y8);
	free(r->m.q);
	free(r->m.scale);
	free(r->m.exp);
	free(r->m.zero);
	free(r->acc64);
	free(r->y);
	free(r->ref);
	memset(r, 0, sizeof *r);
}
