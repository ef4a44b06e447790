/* test_lm.c - the small transformer of lm/: BLAS against the naive kernel, finite-difference
 * gradient checks of every layer, of the whole model and of the LoRA adapters, LoRA identities
 * (B = 0 and adapters off reproduce the base bitwise; a frozen base), the loss mask, AdamW,
 * clipping and the schedule, checkpoints and every corruption error, resume after a kill equal
 * to an uninterrupted run, overfitting a tiny text, determinism, sampling and sequence
 * log-probabilities, the byte tokenizer. Works in a mkdtemp folder.
 *
 * Gradient checks: central differences (f(x+h) - f(x-h)) / ((x+h) - (x-h)), h = 1e-2, of
 * every entry of every input and parameter, on the naive kernel (dot products in double) with
 * the rest of the math in float. Per layer, f = sum of a random fixed upstream gradient times
 * the layer's output, summed in double; for the whole model, f = the summed cross-entropy.
 * The error of a tensor is ||analytic - numeric|| / (||analytic|| + ||numeric||), held to
 * TOL_LAYER and TOL_MODEL below. Where a ReLU changes side between x-h and x+h the step
 * shrinks (the function has a kink there); the whole-model checks keep the MLP's
 * pre-activations away from zero instead. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xxhash.h>

#include "gen/rng.h"
#include "lm/ckpt.h"
#include "lm/layers.h"
#include "lm/mat.h"
#include "lm/model.h"
#include "lm/optim.h"
#include "lm/sample.h"
#include "lm/tok.h"
#include "lm/train.h"
#include "tests/unit/t.h"

/* Largest accepted normwise relative error of a gradient (see the header comment). A layer
 * alone is smooth and small: its float rounding noise stays near 1e-5, and a gradient 1 % off
 * gives 5e-3, far above TOL_LAYER. Through the whole model the rounding noise of the float
 * forward pass, divided by the step, reaches ~2e-3 on tensors with small gradients; TOL_MODEL
 * sits above that and catches wiring errors (a gradient in the wrong layer or missing a path
 * gives errors near 1). Both are checked to have that power. */
#define TOL_LAYER 1e-4
#define TOL_MODEL 5e-3
#define FD_H 1e-2f

static char *tmpdir;

static char *tpath(const char *rel)
{
	return path_join(tmpdir, rel);
}

static void fill(float *x, size_t n, float scale, rng *r)
{
	for (size_t i = 0; i < n; i++)
		x[i] = scale * (float)(2 * rng_unit(r) - 1);
}

static float *randv(size_t n, float scale, rng *r)
{
	float *x = xcalloc(n ? n : 1, sizeof *x);
	fill(x, n, scale, r);
	return x;
}

static float *zeros(size_t n)
{
	return xcalloc(n ? n : 1, sizeof(float));
}

static double dot(const float *a, const float *b, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)a[i] * b[i];
	return s;
}

/* ---- the finite-difference harness ---- */

/* A scalar function of some float arrays, and (optionally) a fingerprint of its ReLU pattern. */
typedef struct {
	double (*f)(void *ctx);
	uint64_t (*pattern)(void *ctx);
	void *ctx;
} fd_fn;

typedef struct {
	double err;  /* normwise relative error */
	int checked; /* entries compared */
	int shrunk;  /* entries compared with a smaller step (a ReLU changed side at h) */
	int skipped; /* entries skipped: a ReLU changes side even at h/64 */
} fd_res;

/* Compares the analytic gradient g of fn with respect to x (n entries) with central
 * differences. Every entry is checked (the tests keep n small). Where a ReLU changes side
 * between x-h and x+h the step is divided by 4, up to three times, then the entry skipped. */
static fd_res fd_check(fd_fn fn, float *x, const float *g, size_t n, float h0)
{
	fd_res r = {0};
	double dd = 0, aa = 0, nn = 0;
	fn.f(fn.ctx); /* the pattern at x itself */
	uint64_t p0 = fn.pattern ? fn.pattern(fn.ctx) : 0;
	for (size_t i = 0; i < n; i++) {
		float x0 = x[i], h = h0;
		double num = NAN;
		for (int k = 0; k < 4; k++, h /= 4) {
			float xp = x0 + h, xm = x0 - h;
			x[i] = xp;
			double fp = fn.f(fn.ctx);
			uint64_t pp = fn.pattern ? fn.pattern(fn.ctx) : 0;
			x[i] = xm;
			double fm = fn.f(fn.ctx);
			uint64_t pm = fn.pattern ? fn.pattern(fn.ctx) : 0;
			x[i] = x0;
			if (pp == p0 && pm == p0) {
				num = (fp - fm) / ((double)xp - xm);
				r.shrunk += k > 0;
				break;
			}
		}
		if (isnan(num)) {
			r.skipped++;
			continue;
		}
		dd += (num - g[i]) * (num - g[i]);
		aa += (double)g[i] * g[i];
		nn += num * num;
		r.checked++;
	}
	double den = sqrt(aa) + sqrt(nn);
	r.err = den > 0 ? sqrt(dd) / den : 0;
	return r;
}

static double worst_layer, worst_model; /* the largest errors seen, for the summary */

static void report(const char *what, fd_res r, double tol)
{
	double *worst = tol == TOL_LAYER ? &worst_layer : &worst_model;
	printf("grad %-24s err %.2e over %3d entries (%d with a smaller step, %d skipped)\n",
	       what, r.err, r.checked, r.shrunk, r.skipped);
	if (r.err > *worst)
		*worst = r.err;
	CHECK(r.err < tol, "%s: gradient error %.3e >= %.0e", what, r.err, tol);
	CHECK(r.checked > 0, "%s: nothing checked", what);
	CHECK(r.skipped * 10 <= r.checked + r.skipped, "%s: %d of %d skipped", what, r.skipped,
	      r.checked + r.skipped);
}

/* ---- lm_gemm: BLAS against the reference ---- */

static void test_gemm(void)
{
	rng r;
	rng_seed(&r, 11, 0);
	int worst_bad = 0;
	double worst = 0;
	for (int it = 0; it < 60; it++) {
		bool ta = it & 1, tb = it & 2;
		int M = 1 + (int)rng_below(&r, 70), N = 1 + (int)rng_below(&r, 70),
		    K = 1 + (int)rng_below(&r, 70);
		int ar = ta ? K : M, ac = ta ? M : K, br = tb ? N : K, bc = tb ? K : N;
		int lda = ac + (int)rng_below(&r, 3), ldb = bc + (int)rng_below(&r, 3),
		    ldc = N + (int)rng_below(&r, 3);
		float alpha = it % 3 == 0 ? 1.0f : -0.7f;
		float beta = it % 4 == 0 ? 0.0f : it % 4 == 1 ? 1.0f : 0.5f;
		float *A = randv((size_t)ar * lda, 1, &r), *B = randv((size_t)br * ldb, 1, &r);
		float *C0 = randv((size_t)M * ldc, 1, &r);
		if (beta == 0) /* beta 0 must not read C */
			for (int i = 0; i < M * ldc; i++)
				C0[i] = NAN;
		float *C1 = xmalloc((size_t)M * ldc * sizeof *C1), *C2 = xmalloc((size_t)M * ldc * sizeof *C2);
		memcpy(C1, C0, (size_t)M * ldc * sizeof *C1);
		memcpy(C2, C0, (size_t)M * ldc * sizeof *C2);
		lm_gemm_blas(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C1, ldc);
		lm_gemm_naive(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C2, ldc);
		for (int i = 0; i < M; i++)
			for (int j = 0; j < N; j++) {
				/* bound: K products of magnitude <= 1 in float */
				double tol = 2e-7 * (K + 2), d = fabs((double)C1[i * ldc + j] - C2[i * ldc + j]);
				if (!(d <= tol))
					worst_bad++;
				if (d > worst)
					worst = d;
			}
		for (int i = 0; i < M; i++) /* the padding columns are untouched */
			for (int j = N; j < ldc; j++)
				if (memcmp(&C1[i * ldc + j], &C0[i * ldc + j], 4) ||
				    memcmp(&C2[i * ldc + j], &C0[i * ldc + j], 4))
					worst_bad++;
		free(A);
		free(B);
		free(C0);
		free(C1);
		free(C2);
	}
	printf("gemm: BLAS vs naive, 60 random shapes, max |diff| %.2e\n", worst);
	CHECK(worst_bad == 0, "%d entries of BLAS and naive gemm differ beyond 2e-7*(K+2)",
	      worst_bad);
}

/* ---- per-layer gradient checks ---- */

enum { B_ = 2, T_ = 5, C_ = 8, NH_ = 2, V_ = 11, M_ = 12, R_ = 3 };

typedef struct {
	int kind;
	float *x, *w, *b, *w2, *b2, *out, *hid, *hid2, *mean, *rstd, *g;
	float *A, *Bm, *u;
	int *tok, *tgt;
	float *wl;
	int N, IC, OC, ldo;
} lctx;

enum { L_EMBED, L_LN, L_LINEAR, L_ATT, L_MLP, L_HEAD, L_CE, L_LORA };

static double layer_f(void *p)
{
	lctx *c = p;
	switch (c->kind) {
	case L_EMBED:
		lm_embed_fwd(c->out, c->tok, c->w, c->b, B_, T_, C_);
		return dot(c->out, c->g, (size_t)B_ * T_ * C_);
	case L_LN:
		lm_layernorm_fwd(c->out, c->mean, c->rstd, c->x, c->w, c->b, c->N, C_);
		return dot(c->out, c->g, (size_t)c->N * C_);
	case L_LINEAR:
		lm_linear_fwd(c->out, c->x, c->w, c->b, c->N, c->IC, c->OC);
		return dot(c->out, c->g, (size_t)c->N * c->OC);
	case L_ATT:
		lm_attention_fwd(c->out, c->hid, c->x, B_, T_, C_, NH_);
		return dot(c->out, c->g, (size_t)B_ * T_ * C_);
	case L_MLP:
		lm_linear_fwd(c->hid, c->x, c->w, c->b, c->N, C_, M_);
		lm_relu_fwd(c->hid2, c->hid, (long)c->N * M_);
		lm_linear_fwd(c->out, c->hid2, c->w2, c->b2, c->N, M_, C_);
		return dot(c->out, c->g, (size_t)c->N * C_);
	case L_HEAD: { /* tied head + loss: logits = x wte^T, mean cross-entropy */
		lm_linear_fwd(c->hid, c->x, c->w, NULL, c->N, C_, V_);
		lm_crossentropy_fwd(c->hid2, c->out, c->hid, c->tgt, c->N, V_);
		return dot(c->out, c->wl, (size_t)c->N);
	}
	case L_CE:
		lm_crossentropy_fwd(c->hid2, c->out, c->x, c->tgt, c->N, V_);
		return dot(c->out, c->wl, (size_t)c->N);
	case L_LORA: /* a base output (x w^T) into a slice of a wider row, plus the adapter */
		memset(c->out, 0, (size_t)c->N * c->ldo * sizeof(float));
		for (int n = 0; n < c->N; n++)
			for (int o = 0; o < c->OC; o++)
				c->out[n * c->ldo + 1 + o] = c->hid[n * c->OC + o];
		lm_lora_fwd(c->out + 1, c->ldo, c->u, c->x, c->A, c->Bm, 0.75f, c->N, c->IC, c->OC,
			    R_);
		return dot(c->out, c->g, (size_t)c->N * c->ldo);
	}
	return 0;
}

static uint64_t layer_pattern(void *p)
{
	lctx *c = p;
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < c->N * M_; i++)
		h = (h ^ (c->hid[i] > 0)) * 1099511628211ULL;
	return h;
}

static void test_layer_grads(void)
{
	rng r;
	rng_seed(&r, 21, 0);
	int N = B_ * T_;
	fd_fn fn = {layer_f, NULL, NULL};

	{ /* embedding: tokens repeat, so rows of dwte accumulate */
		lctx c = {.kind = L_EMBED};
		int tok[B_ * T_] = {1, 3, 1, 0, 10, 3, 3, 7, 1, 2};
		c.tok = tok;
		c.w = randv(V_ * C_, 1, &r);
		c.b = randv(T_ * C_, 1, &r);
		c.out = zeros(N * C_);
		c.g = randv(N * C_, 1, &r);
		float *dw = zeros(V_ * C_), *db = zeros(T_ * C_);
		lm_embed_bwd(dw, db, c.g, tok, B_, T_, C_);
		fn.ctx = &c;
		report("embedding wte", fd_check(fn, c.w, dw, V_ * C_, FD_H), TOL_LAYER);
		report("embedding wpe", fd_check(fn, c.b, db, T_ * C_, FD_H), TOL_LAYER);
		free(c.w), free(c.b), free(c.out), free(c.g), free(dw), free(db);
	}
	{ /* LayerNorm */
		lctx c = {.kind = L_LN, .N = N};
		c.x = randv(N * C_, 2, &r);
		c.w = randv(C_, 1, &r);
		c.b = randv(C_, 1, &r);
		c.out = zeros(N * C_);
		c.mean = zeros(N);
		c.rstd = zeros(N);
		c.g = randv(N * C_, 1, &r);
		float *dx = zeros(N * C_), *dw = zeros(C_), *db = zeros(C_);
		layer_f(&c);
		lm_layernorm_bwd(dx, dw, db, c.g, c.x, c.w, c.mean, c.rstd, N, C_);
		fn.ctx = &c;
		report("layernorm input", fd_check(fn, c.x, dx, N * C_, FD_H), TOL_LAYER);
		report("layernorm weight", fd_check(fn, c.w, dw, C_, FD_H), TOL_LAYER);
		report("layernorm bias", fd_check(fn, c.b, db, C_, FD_H), TOL_LAYER);
		free(c.x), free(c.w), free(c.b), free(c.out), free(c.mean), free(c.rstd), free(c.g);
		free(dx), free(dw), free(db);
	}
	{ /* linear */
		lctx c = {.kind = L_LINEAR, .N = N, .IC = C_, .OC = M_};
		c.x = randv(N * C_, 1, &r);
		c.w = randv(M_ * C_, 1, &r);
		c.b = randv(M_, 1, &r);
		c.out = zeros(N * M_);
		c.g = randv(N * M_, 1, &r);
		float *dx = zeros(N * C_), *dw = zeros(M_ * C_), *db = zeros(M_);
		lm_linear_bwd(dx, dw, db, c.g, c.x, c.w, N, C_, M_);
		fn.ctx = &c;
		report("linear input", fd_check(fn, c.x, dx, N * C_, FD_H), TOL_LAYER);
		report("linear weight", fd_check(fn, c.w, dw, M_ * C_, FD_H), TOL_LAYER);
		report("linear bias", fd_check(fn, c.b, db, M_, FD_H), TOL_LAYER);
		free(c.x), free(c.w), free(c.b), free(c.out), free(c.g), free(dx), free(dw), free(db);
	}
	{ /* causal multi-head attention */
		lctx c = {.kind = L_ATT, .N = N};
		c.x = randv(N * 3 * C_, 1.5f, &r);
		c.hid = zeros(B_ * NH_ * T_ * T_);
		c.out = zeros(N * C_);
		c.g = randv(N * C_, 1, &r);
		float *dx = zeros(N * 3 * C_), *datt = zeros(B_ * NH_ * T_ * T_);
		layer_f(&c);
		/* causality: the first position attends only to itself */
		CHECK(fabsf(c.hid[0] - 1) < 1e-6f && c.hid[1] == 0, "att[0] = %g %g", c.hid[0],
		      c.hid[1]);
		lm_attention_bwd(dx, datt, c.g, c.x, c.hid, B_, T_, C_, NH_);
		fn.ctx = &c;
		report("attention qkv", fd_check(fn, c.x, dx, N * 3 * C_, FD_H), TOL_LAYER);
		for (int i = 0; i < N * 3 * C_; i++) /* power: a gradient 1 % off is rejected */
			dx[i] *= 1.01f;
		fd_res bad = fd_check(fn, c.x, dx, N * 3 * C_, FD_H);
		printf("grad attention qkv * 1.01: err %.2e (must be >= %.0e)\n", bad.err, TOL_LAYER);
		CHECK(bad.err >= TOL_LAYER, "a 1%% gradient error passes (err %.2e)", bad.err);
		free(c.x), free(c.hid), free(c.out), free(c.g), free(dx), free(datt);
	}
	{ /* MLP: up, ReLU, down */
		lctx c = {.kind = L_MLP, .N = N};
		c.x = randv(N * C_, 1, &r);
		c.w = randv(M_ * C_, 0.5f, &r);
		c.b = randv(M_, 0.5f, &r);
		c.w2 = randv(C_ * M_, 0.5f, &r);
		c.b2 = randv(C_, 0.5f, &r);
		c.hid = zeros(N * M_);
		c.hid2 = zeros(N * M_);
		c.out = zeros(N * C_);
		c.g = randv(N * C_, 1, &r);
		float *dx = zeros(N * C_), *dw = zeros(M_ * C_), *db = zeros(M_);
		float *dw2 = zeros(C_ * M_), *db2 = zeros(C_), *dh = zeros(N * M_), *dh2 = zeros(N * M_);
		layer_f(&c);
		lm_linear_bwd(dh2, dw2, db2, c.g, c.hid2, c.w2, N, M_, C_);
		lm_relu_bwd(dh, dh2, c.hid, (long)N * M_);
		lm_linear_bwd(dx, dw, db, dh, c.x, c.w, N, C_, M_);
		fd_fn fr = {layer_f, layer_pattern, &c};
		report("mlp input", fd_check(fr, c.x, dx, N * C_, FD_H), TOL_LAYER);
		report("mlp up weight", fd_check(fr, c.w, dw, M_ * C_, FD_H), TOL_LAYER);
		report("mlp up bias", fd_check(fr, c.b, db, M_, FD_H), TOL_LAYER);
		report("mlp down weight", fd_check(fr, c.w2, dw2, C_ * M_, FD_H), TOL_LAYER);
		report("mlp down bias", fd_check(fr, c.b2, db2, C_, FD_H), TOL_LAYER);
		free(c.x), free(c.w), free(c.b), free(c.w2), free(c.b2), free(c.hid), free(c.hid2);
		free(c.out), free(c.g), free(dx), free(dw), free(db), free(dw2), free(db2), free(dh);
		free(dh2);
	}
	{ /* loss alone, then the tied head + loss; two targets ignored */
		int tgt[B_ * T_] = {3, LM_IGNORE, 0, 10, 5, 5, LM_IGNORE, 1, 2, 9};
		float wl[B_ * T_];
		for (int i = 0; i < N; i++)
			wl[i] = tgt[i] < 0 ? 0 : 1.0f / 8;
		lctx c = {.kind = L_CE, .N = N, .tgt = tgt, .wl = wl};
		c.x = randv(N * V_, 3, &r);
		c.hid2 = zeros(N * V_);
		c.out = zeros(N);
		float *dl = zeros(N * V_);
		layer_f(&c);
		lm_crossentropy_bwd(dl, c.hid2, tgt, wl, N, V_);
		fn.ctx = &c;
		report("cross-entropy logits", fd_check(fn, c.x, dl, N * V_, FD_H), TOL_LAYER);
		bool zero_rows = true;
		for (int v = 0; v < V_; v++)
			zero_rows &= dl[1 * V_ + v] == 0 && dl[6 * V_ + v] == 0;
		CHECK(zero_rows, "ignored positions get a logit gradient");
		free(c.x), free(dl);

		c.kind = L_HEAD;
		c.x = randv(N * C_, 1, &r);
		c.w = randv(V_ * C_, 1, &r);
		c.hid = zeros(N * V_);
		float *dx = zeros(N * C_), *dw = zeros(V_ * C_);
		dl = zeros(N * V_);
		layer_f(&c);
		lm_crossentropy_bwd(dl, c.hid2, tgt, wl, N, V_);
		lm_linear_bwd(dx, dw, NULL, dl, c.x, c.w, N, C_, V_);
		report("head+loss input", fd_check(fn, c.x, dx, N * C_, FD_H), TOL_LAYER);
		report("head+loss wte (tied)", fd_check(fn, c.w, dw, V_ * C_, FD_H), TOL_LAYER);
		free(c.x), free(c.w), free(c.hid), free(c.hid2), free(c.out), free(dx), free(dw);
		free(dl);
	}
	{ /* LoRA adapter into a slice of wider rows (as for q, k, v) */
		lctx c = {.kind = L_LORA, .N = N, .IC = C_, .OC = M_, .ldo = M_ + 3};
		c.x = randv(N * C_, 1, &r);
		c.A = randv(R_ * C_, 1, &r);
		c.Bm = randv(M_ * R_, 1, &r);
		c.hid = randv(N * M_, 1, &r);
		c.u = zeros(N * R_);
		c.out = zeros(N * c.ldo);
		c.g = randv(N * c.ldo, 1, &r);
		float *dx = zeros(N * C_), *dA = zeros(R_ * C_), *dB = zeros(M_ * R_), *du = zeros(N * R_);
		layer_f(&c);
		lm_lora_bwd(dx, dA, dB, du, c.g + 1, c.ldo, c.x, c.u, c.A, c.Bm, 0.75f, N, C_, M_, R_);
		fn.ctx = &c;
		report("lora input", fd_check(fn, c.x, dx, N * C_, FD_H), TOL_LAYER);
		report("lora A", fd_check(fn, c.A, dA, R_ * C_, FD_H), TOL_LAYER);
		report("lora B", fd_check(fn, c.Bm, dB, M_ * R_, FD_H), TOL_LAYER);
		free(c.x), free(c.A), free(c.Bm), free(c.hid), free(c.u), free(c.out), free(c.g);
		free(dx), free(dA), free(dB), free(du);
	}
}

/* ---- whole-model gradient checks ---- */

static const lm_config tiny = {.vocab = V_, .ctx = 8, .hidden = C_, .heads = NH_, .layers = 2,
			       .mlp = M_, .tok = 0};

typedef struct {
	lm_model *m;
	const int *in, *tgt;
} mctx;

/* Whole-model checks use the summed (not mean) loss: larger gradients over the same
 * rounding noise. */
static const float ones[B_ * T_] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

static double model_f(void *p)
{
	mctx *c = p;
	berr e;
	if (lm_forward_weighted(c->m, c->in, c->tgt, ones, B_, T_, &e) != 0)
		printf("FAIL forward: %s\n", e.msg);
	return c->m->loss;
}

static uint64_t model_pattern(void *p)
{
	mctx *c = p;
	uint64_t h = 1469598103934665603ULL;
	long n = (long)c->m->cfg.layers * B_ * T_ * c->m->cfg.mlp;
	for (long i = 0; i < n; i++)
		h = (h ^ (c->m->a.fch[i] > 0)) * 1099511628211ULL;
	return h;
}

static const int fd_in[B_ * T_] = {1, 4, 4, 9, 0, 10, 2, 3, 7, 7};
static const int fd_tgt[B_ * T_] = {4, 4, 9, LM_IGNORE, 6, 2, 3, 7, 7, 1};

/* Makes the model less symmetric than its init so every path carries gradient. */
static void perturb(float *x, size_t n, float s, rng *r)
{
	for (size_t i = 0; i < n; i++)
		x[i] += s * (float)(2 * rng_unit(r) - 1);
}

/* Keeps the MLP pre-activations away from the ReLU kink (biases +-1.5..2, halved up
 * weights), so steps of +-h rarely flip a unit; the per-layer MLP check covers the kink. */
static void keep_off_kinks(lm_model *m)
{
	size_t nw = (size_t)m->cfg.layers * m->cfg.mlp * m->cfg.hidden;
	for (size_t i = 0; i < nw; i++)
		m->p.fcw[i] *= 0.5f;
	for (int i = 0; i < m->cfg.layers * m->cfg.mlp; i++)
		m->p.fcb[i] = (i % 2 ? 1 : -1) * (1.5f + 0.5f * (float)(i % 5) / 4);
}

static void test_model_grads(void)
{
	berr e;
	rng r;
	rng_seed(&r, 31, 0);
	lm_model *m = lm_new(&tiny, 5, &e);
	perturb(m->params_mem, m->nparams, 0.3f, &r);
	keep_off_kinks(m);
	CHECK(lm_set_mode(m, LM_TRAIN_BASE, &e) == 0, "%s", e.msg);
	CHECK(lm_forward_weighted(m, fd_in, fd_tgt, ones, B_, T_, &e) == 0, "%s", e.msg);
	lm_zero_grad(m);
	CHECK(lm_backward(m, &e) == 0, "%s", e.msg);
	float *g = xmalloc(m->nparams * sizeof *g);
	memcpy(g, m->grads_mem, m->nparams * sizeof *g);
	mctx c = {m, fd_in, fd_tgt};
	fd_fn fn = {model_f, model_pattern, &c};
	double sum_sq = 0, tot_sq = 0;
	for (int t = 0; t < LM_NPARAM; t++) {
		const lm_tensor *ts = &m->ptensors[t];
		char name[64];
		snprintf(name, sizeof name, "model %s", ts->name);
		fd_res res = fd_check(fn, m->params_mem + ts->off, g + ts->off, ts->n, FD_H);
		report(name, res, TOL_MODEL);
		sum_sq += dot(g + ts->off, g + ts->off, ts->n);
		(void)tot_sq;
	}
	CHECK(sum_sq > 0, "model gradient is zero");

	/* power: layer 1's qkvw gradient in layer 0's place is rejected */
	const lm_tensor *q = &m->ptensors[4];
	size_t half = q->n / 2;
	memcpy(g + q->off, g + q->off + half, half * sizeof *g);
	fd_res bad = fd_check(fn, m->params_mem + q->off, g + q->off, half, FD_H);
	printf("grad qkvw of the wrong layer: err %.2e (must be >= %.0e)\n", bad.err, TOL_MODEL);
	CHECK(bad.err >= TOL_MODEL, "a misplaced gradient passes the check (err %.2e)", bad.err);
	free(g);

	/* LoRA: all six projections with B made non-zero, base frozen */
	lm_lora_config lc = {.rank = 2, .alpha = 3, .targets = LM_LORA_ALL};
	CHECK(lm_lora_add(m, &lc, 9, &e) == 0, "%s", e.msg);
	perturb(m->lora_mem, m->nlora, 0.4f, &r);
	for (size_t i = 0; i < m->ltensors[9].n; i++) /* the up adapter's B: off the kinks too */
		m->lora_mem[m->ltensors[9].off + i] *= 0.1f;
	CHECK(lm_set_mode(m, LM_TRAIN_LORA, &e) == 0, "%s", e.msg);
	float *base_g = xmalloc(m->nparams * sizeof *base_g);
	for (size_t i = 0; i < m->nparams; i++)
		m->grads_mem[i] = base_g[i] = 123.0f; /* sentinel: LoRA training leaves it alone */
	CHECK(lm_forward_weighted(m, fd_in, fd_tgt, ones, B_, T_, &e) == 0, "%s", e.msg);
	lm_zero_grad(m);
	CHECK(lm_backward(m, &e) == 0, "%s", e.msg);
	CHECK(memcmp(base_g, m->grads_mem, m->nparams * sizeof *base_g) == 0,
	      "LoRA backward touched the base gradients");
	free(base_g);
	g = xmalloc(m->nlora * sizeof *g);
	memcpy(g, m->lora_grads_mem, m->nlora * sizeof *g);
	for (int t = 0; t < 2 * LM_LORA_NPROJ; t++) {
		const lm_tensor *ts = &m->ltensors[t];
		char name[64];
		snprintf(name, sizeof name, "model %s", ts->name);
		report(name, fd_check(fn, m->lora_mem + ts->off, g + ts->off, ts->n, FD_H),
		       TOL_MODEL);
	}
	free(g);
	lm_free(m);

	/* a model trained only in LoRA mode never allocates base gradients */
	m = lm_new(&tiny, 5, &e);
	CHECK(lm_set_mode(m, LM_TRAIN_LORA, &e) != 0 && strstr(e.msg, "adapters"),
	      "LoRA mode without adapters: %s", e.msg);
	lm_lora_add(m, &lc, 9, &e);
	CHECK(lm_set_mode(m, LM_TRAIN_LORA, &e) == 0, "%s", e.msg);
	CHECK(m->grads_mem == NULL && m->lora_grads_mem != NULL, "LoRA mode allocates base grads");
	lm_free(m);
}

/* ---- BLAS and naive kernels on the whole model ---- */

static double rel_diff(const float *a, const float *b, size_t n)
{
	double d = 0, s = 0;
	for (size_t i = 0; i < n; i++) {
		d += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
		s += (double)a[i] * a[i];
	}
	return s > 0 ? sqrt(d / s) : sqrt(d);
}

static void test_kernels_model(void)
{
	berr e;
	lm_config c = {.vocab = 40, .ctx = 24, .hidden = 32, .heads = 4, .layers = 2, .mlp = 64};
	enum { B = 3, T = 24 };
	int in[B * T], tgt[B * T];
	rng r;
	rng_seed(&r, 41, 0);
	for (int i = 0; i < B * T; i++) {
		in[i] = (int)rng_below(&r, 40);
		tgt[i] = i % 5 == 0 ? LM_IGNORE : (int)rng_below(&r, 40);
	}
	float *logits[2], *grads[2], loss[2];
	lm_model *m = lm_new(&c, 3, &e);
	lm_set_mode(m, LM_TRAIN_BASE, &e);
	size_t nl = (size_t)B * T * c.vocab;
	for (int k = 0; k < 2; k++) {
		lm_set_kernel(k ? LM_KERNEL_NAIVE : LM_KERNEL_BLAS);
		CHECK(lm_forward(m, in, tgt, B, T, &e) == 0, "%s", e.msg);
		lm_zero_grad(m);
		lm_backward(m, &e);
		logits[k] = xmalloc(nl * sizeof(float));
		memcpy(logits[k], m->a.logits, nl * sizeof(float));
		grads[k] = xmalloc(m->nparams * sizeof(float));
		memcpy(grads[k], m->grads_mem, m->nparams * sizeof(float));
		loss[k] = m->loss;
	}
	lm_set_kernel(LM_KERNEL_BLAS);
	double dl = rel_diff(logits[1], logits[0], nl), dg = rel_diff(grads[1], grads[0], m->nparams);
	printf("model on BLAS vs naive: logits %.2e, gradients %.2e, loss %.9g vs %.9g\n", dl, dg,
	       loss[0], loss[1]);
	CHECK(dl < 1e-5, "logits differ by %.3e", dl);
	CHECK(dg < 1e-4, "gradients differ by %.3e", dg);
	CHECK(fabsf(loss[0] - loss[1]) < 1e-5f * fabsf(loss[1]), "loss %g vs %g", loss[0], loss[1]);
	for (int k = 0; k < 2; k++)
		free(logits[k]), free(grads[k]);
	lm_free(m);
}

/* ---- LoRA identities ---- */

static void test_lora_identity(void)
{
	berr e;
	lm_config c = {.vocab = 30, .ctx = 16, .hidden = 16, .heads = 2, .layers = 2, .mlp = 32};
	enum { B = 2, T = 16 };
	int in[B * T], tgt[B * T];
	for (int i = 0; i < B * T; i++)
		in[i] = (i * 7 + 3) % 30, tgt[i] = (i * 11 + 1) % 30;
	lm_model *m = lm_new(&c, 8, &e);
	size_t nl = (size_t)B * T * c.vocab;
	lm_forward(m, in, tgt, B, T, &e);
	float *base = xmalloc(nl * sizeof *base), base_loss = m->loss;
	memcpy(base, m->a.logits, nl * sizeof *base);

	lm_lora_config lc = {.rank = 4, .alpha = 8, .targets = LM_LORA_ALL};
	CHECK(lm_lora_add(m, &lc, 1, &e) == 0, "%s", e.msg);
	CHECK(m->lora_on, "adapters are on after lm_lora_add");
	lm_forward(m, in, tgt, B, T, &e);
	CHECK(memcmp(base, m->a.logits, nl * sizeof *base) == 0 && m->loss == base_loss,
	      "adapters with B = 0 change the logits");
	rng r;
	rng_seed(&r, 2, 0);
	for (int p = 0; p < LM_LORA_NPROJ; p++) /* make every B non-zero */
		fill(m->lora_mem + m->ltensors[2 * p + 1].off, m->ltensors[2 * p + 1].n, 0.5f, &r);
	lm_forward(m, in, tgt, B, T, &e);
	CHECK(memcmp(base, m->a.logits, nl * sizeof *base) != 0, "adapters with B != 0 change nothing");
	float on_loss = m->loss;
	lm_lora_enable(m, false);
	lm_forward(m, in, tgt, B, T, &e);
	CHECK(memcmp(base, m->a.logits, nl * sizeof *base) == 0 && m->loss == base_loss,
	      "adapters off differs from the base model");
	lm_lora_enable(m, true);
	lm_forward(m, in, tgt, B, T, &e);
	CHECK(m->loss == on_loss, "adapters back on: loss %g, was %g", m->loss, on_loss);

	/* LoRA training: base parameters bitwise frozen, adapters move */
	float *p0 = xmalloc(m->nparams * sizeof *p0), *l0 = xmalloc(m->nlora * sizeof *l0);
	memcpy(p0, m->params_mem, m->nparams * sizeof *p0);
	memcpy(l0, m->lora_mem, m->nlora * sizeof *l0);
	lm_set_mode(m, LM_TRAIN_LORA, &e);
	lm_adamw o;
	lm_adamw_hp hp = lm_adamw_defaults();
	lm_adamw_init(&o, &hp, m->nlora);
	float loss;
	for (int s = 0; s < 3; s++)
		CHECK(lm_train_step(m, &o, in, tgt, B, T, 1e-2f, &loss, NULL, &e) == 0, "%s", e.msg);
	CHECK(memcmp(p0, m->params_mem, m->nparams * sizeof *p0) == 0, "LoRA training moved the base");
	CHECK(memcmp(l0, m->lora_mem, m->nlora * sizeof *l0) != 0, "LoRA training did not move the adapters");
	/* a targets subset: only those adapters exist */
	lm_lora_config sub = {.rank = 2, .alpha = 2, .targets = LM_LORA_Q | LM_LORA_DOWN};
	CHECK(lm_lora_add(m, &sub, 1, &e) == 0, "%s", e.msg);
	CHECK(m->ltensors[2].n == 0 && m->ltensors[0].n == 2u * 2 * 16 &&
		      m->ltensors[10].n == 2u * 2 * 32,
	      "subset sizes %zu %zu %zu", m->ltensors[2].n, m->ltensors[0].n, m->ltensors[10].n);
	lm_lora_config badl = {.rank = 0, .alpha = 1, .targets = 1};
	CHECK(lm_lora_add(m, &badl, 1, &e) != 0 && strstr(e.msg, "rank"), "rank 0: %s", e.msg);
	lm_adamw_free(&o);
	free(p0), free(l0), free(base);
	lm_free(m);
}

/* ---- loss mask and forward errors ---- */

static void test_loss_mask(void)
{
	berr e;
	lm_model *m = lm_new(&tiny, 4, &e);
	lm_forward(m, fd_in, fd_tgt, B_, T_, &e);
	double want = 0;
	int n = 0;
	for (int i = 0; i < B_ * T_; i++) {
		if (fd_tgt[i] < 0)
			continue;
		const float *l = m->a.logits + i * V_;
		double z = 0;
		for (int v = 0; v < V_; v++)
			z += exp((double)l[v]);
		want += log(z) - l[fd_tgt[i]];
		n++;
	}
	want /= n;
	CHECK(m->loss_count == 9 && fabs(m->loss - want) < 1e-6 * want, "loss %.9g, want %.9g (%d)",
	      m->loss, want, m->loss_count);
	float loss = m->loss;
	float w[B_ * T_];
	for (int i = 0; i < B_ * T_; i++)
		w[i] = 1.0f / 9;
	lm_forward_weighted(m, fd_in, fd_tgt, w, B_, T_, &e);
	CHECK(m->loss == loss, "weights 1/count: %g vs %g", m->loss, loss);

	int none[B_ * T_];
	for (int i = 0; i < B_ * T_; i++)
		none[i] = LM_IGNORE;
	lm_set_mode(m, LM_TRAIN_BASE, &e);
	lm_forward(m, fd_in, none, B_, T_, &e);
	lm_zero_grad(m);
	lm_backward(m, &e);
	CHECK(m->loss == 0 && m->loss_count == 0 && lm_grad_norm(m->grads_mem, m->nparams) == 0,
	      "all ignored: loss %g, grad norm %g", m->loss, lm_grad_norm(m->grads_mem, m->nparams));

	int bad[B_ * T_];
	memcpy(bad, fd_in, sizeof bad);
	bad[3] = V_;
	CHECK(lm_forward(m, bad, NULL, B_, T_, &e) != 0 && strstr(e.msg, "vocabulary"), "%s", e.msg);
	bad[3] = -2;
	CHECK(lm_forward(m, fd_in, bad, B_, T_, &e) != 0 && strstr(e.msg, "target"), "%s", e.msg);
	CHECK(lm_forward(m, fd_in, NULL, 1, 9, &e) != 0 && strstr(e.msg, "context"), "%s", e.msg);
	CHECK(lm_forward(m, fd_in, NULL, 1 << 28, 8, &e) != 0 && strstr(e.msg, "too large"), "%s",
	      e.msg);
	lm_forward(m, fd_in, NULL, B_, T_, &e);
	CHECK(lm_backward(m, &e) != 0 && strstr(e.msg, "targets"), "%s", e.msg);
	lm_config badc = tiny;
	badc.heads = 3;
	CHECK(lm_new(&badc, 1, &e) == NULL && strstr(e.msg, "divide"), "%s", e.msg);
	lm_free(m);
}

/* ---- optimizer ---- */

static void test_optim(void)
{
	/* one AdamW step against the formula, in double */
	float p[4] = {0.5f, -1.0f, 2.0f, 0.25f}, g[4] = {0.1f, -0.2f, 0.3f, 0.0f};
	lm_tensor t[2] = {{"w", 0, 2, true}, {"b", 2, 2, false}};
	lm_block b = {p, g, 4, t, 2};
	lm_adamw_hp hp = {.beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f};
	lm_adamw o;
	lm_adamw_init(&o, &hp, 4);
	float p0[4];
	memcpy(p0, p, sizeof p);
	lm_adamw_update(&o, &b, 0.01f);
	lm_adamw_update(&o, &b, 0.01f);
	bool ok = true;
	for (int i = 0; i < 4; i++) {
		double m = 0, v = 0, x = p0[i];
		for (int s = 1; s <= 2; s++) {
			m = 0.9 * m + 0.1 * g[i];
			v = 0.95 * v + 0.05 * (double)g[i] * g[i];
			double mh = m / (1 - pow(0.9, s)), vh = v / (1 - pow(0.95, s));
			x -= 0.01 * (mh / (sqrt(vh) + 1e-8) + (i < 2 ? 0.1 * x : 0));
		}
		ok &= fabs(x - p[i]) < 1e-6;
	}
	CHECK(ok && o.step == 2, "AdamW: %g %g %g %g", p[0], p[1], p[2], p[3]);
	lm_adamw_free(&o);

	/* weight decay spares LayerNorm and biases */
	berr e;
	lm_model *m = lm_new(&tiny, 1, &e);
	lm_set_mode(m, LM_TRAIN_BASE, &e);
	float *q0 = xmalloc(m->nparams * sizeof *q0);
	memcpy(q0, m->params_mem, m->nparams * sizeof *q0);
	lm_adamw_init(&o, &hp, m->nparams);
	lm_zero_grad(m);
	lm_block mb = lm_trainable(m);
	lm_adamw_update(&o, &mb, 0.5f);
	bool decayed = true, kept = true;
	for (int i = 0; i < LM_NPARAM; i++) {
		const lm_tensor *ts = &m->ptensors[i];
		for (size_t j = ts->off; j < ts->off + ts->n; j++) {
			if (ts->decay)
				decayed &= fabsf(m->params_mem[j] - 0.95f * q0[j]) <= 1e-7f;
			else
				kept &= m->params_mem[j] == q0[j];
		}
	}
	CHECK(decayed, "decayed tensors are not scaled by 1 - lr*wd");
	CHECK(kept, "LayerNorm or bias tensors were decayed");
	CHECK(!m->ptensors[2].decay && !m->ptensors[5].decay && m->ptensors[4].decay &&
		      m->ptensors[0].decay,
	      "decay flags");
	lm_adamw_free(&o);
	free(q0);
	lm_free(m);

	/* clipping by global norm */
	float cg[3] = {3, 4, 0};
	double n0 = lm_clip_grads(cg, 3, 1.0);
	CHECK(n0 == 5 && fabs(lm_grad_norm(cg, 3) - 1) < 1e-6, "clip: %g -> %g", n0,
	      lm_grad_norm(cg, 3));
	float cg2[2] = {0.3f, 0.4f};
	lm_clip_grads(cg2, 2, 1.0);
	CHECK(cg2[0] == 0.3f && cg2[1] == 0.4f, "clip below the limit changed the gradient");

	/* warmup + cosine */
	CHECK(fabsf(lm_lr_cosine(0, 10, 110, 1e-3f, 1e-4f) - 1e-4f) < 1e-9f, "warmup start");
	CHECK(lm_lr_cosine(9, 10, 110, 1e-3f, 1e-4f) == 1e-3f, "warmup end");
	CHECK(lm_lr_cosine(10, 10, 110, 1e-3f, 1e-4f) == 1e-3f, "peak");
	CHECK(fabsf(lm_lr_cosine(60, 10, 110, 1e-3f, 1e-4f) - 5.5e-4f) < 1e-8f, "midpoint %g",
	      lm_lr_cosine(60, 10, 110, 1e-3f, 1e-4f));
	CHECK(lm_lr_cosine(110, 10, 110, 1e-3f, 1e-4f) == 1e-4f &&
		      lm_lr_cosine(500, 10, 110, 1e-3f, 1e-4f) == 1e-4f,
	      "after the end");
	bool mono = true;
	for (long s = 10; s < 110; s++)
		mono &= lm_lr_cosine(s + 1, 10, 110, 1e-3f, 1e-4f) <= lm_lr_cosine(s, 10, 110, 1e-3f, 1e-4f);
	CHECK(mono, "cosine decay is not monotone");
}

/* ---- training runs: resume, determinism, overfitting ---- */

static const char text[] = "the quick brown fox jumps over the lazy dog. ";

/* The byte tokens of text repeated reps times. */
static int *corpus(size_t *n, int reps)
{
	size_t k = sizeof text - 1;
	int *d = xmalloc(k * reps * sizeof *d);
	for (int r = 0; r < reps; r++)
		for (size_t i = 0; i < k; i++)
			d[r * k + i] = (unsigned char)text[i];
	*n = k * reps;
	return d;
}

static const lm_config small = {.vocab = LM_BYTE_VOCAB, .ctx = 16, .hidden = 32, .heads = 2,
				.layers = 2, .mlp = 64, .tok = LM_TOK_BYTE};

typedef struct {
	lm_model *m;
	lm_adamw o;
	rng data;
} run;

/* A fresh run: model from seed 1 (LoRA adapters from seed 2 when lora). */
static void run_new(run *u, bool lora)
{
	berr e;
	u->m = lm_new(&small, 1, &e);
	lm_adamw_hp hp = lm_adamw_defaults();
	if (lora) {
		lm_lora_config lc = {.rank = 4, .alpha = 8, .targets = LM_LORA_ALL};
		lm_lora_add(u->m, &lc, 2, &e);
	}
	lm_set_mode(u->m, lora ? LM_TRAIN_LORA : LM_TRAIN_BASE, &e);
	lm_adamw_init(&u->o, &hp, lm_trainable(u->m).n);
	rng_seed(&u->data, 3, 0);
}

static void run_free(run *u)
{
	lm_adamw_free(&u->o);
	lm_free(u->m);
}

enum { RB = 4, TOTAL = 8 };

/* Trains until o.step == until; the learning rate follows the schedule of o.step. */
static float run_to(run *u, const int *data, size_t n, long until)
{
	int in[RB * 16], tgt[RB * 16];
	float loss = 0;
	berr e;
	while (u->o.step < until) {
		lm_batch_random(data, n, RB, 16, &u->data, in, tgt);
		float lr = lm_lr_cosine(u->o.step, 2, TOTAL, 3e-3f, 3e-4f);
		if (lm_train_step(u->m, &u->o, in, tgt, RB, 16, lr, &loss, NULL, &e) != 0) {
			CHECK(0, "train step: %s", e.msg);
			break;
		}
	}
	return loss;
}

static void test_resume(bool lora)
{
	const char *what = lora ? "LoRA" : "base";
	size_t n;
	int *data = corpus(&n, 4);
	berr e;
	run a;
	run_new(&a, lora);
	run_to(&a, data, n, TOTAL);

	run b;
	run_new(&b, lora);
	run_to(&b, data, n, 3);
	char *mp = tpath("resume-model.bin"), *sp = tpath("resume-state.bin");
	CHECK(lm_save(mp, b.m, &e) == 0, "%s", e.msg);
	CHECK(lm_save_state(sp, b.m, &b.o, &b.data, &e) == 0, "%s", e.msg);
	run_free(&b); /* the kill */

	int threads = lm_get_threads();
	lm_set_threads(threads > 1 ? 1 : 2); /* the state file restores the thread count */
	run c = {0};
	c.m = lm_load(mp, &small, &e);
	CHECK(c.m != NULL, "%s", e.msg);
	if (c.m) {
		CHECK(lm_load_state(sp, c.m, &c.o, &c.data, &e) == 0, "%s", e.msg);
		CHECK(c.o.step == 3 && c.m->mode == (lora ? LM_TRAIN_LORA : LM_TRAIN_BASE) &&
			      lm_get_threads() == threads,
		      "%s resume: step %ld mode %d threads %d", what, c.o.step, c.m->mode,
		      lm_get_threads());
		run_to(&c, data, n, TOTAL);
		lm_block ba = lm_trainable(a.m), bc = lm_trainable(c.m);
		CHECK(ba.n == bc.n && memcmp(ba.params, bc.params, ba.n * sizeof(float)) == 0,
		      "%s: resumed parameters differ from the uninterrupted run", what);
		CHECK(memcmp(a.o.mem, c.o.mem, 2 * ba.n * sizeof(float)) == 0,
		      "%s: resumed AdamW moments differ", what);
		CHECK(memcmp(a.m->params_mem, c.m->params_mem, a.m->nparams * sizeof(float)) == 0,
		      "%s: resumed base parameters differ", what);
		CHECK(memcmp(&a.data, &c.data, sizeof a.data) == 0, "%s: data RNG differs", what);
		run_free(&c);
	}
	run_free(&a);
	unlink(mp);
	unlink(sp);
	free(mp), free(sp), free(data);
}

/* Same seed and thread count: the same bytes. Another OpenBLAS thread count: other bytes
 * (printed, not checked; the state file records the thread count for that reason). */
static void test_determinism(void)
{
	size_t n;
	int *data = corpus(&n, 4);
	float *p[3];
	size_t np = 0;
	int threads = lm_get_threads();
	for (int k = 0; k < 3; k++) {
		lm_set_threads(k < 2 ? threads : threads > 1 ? 1 : 2);
		run u;
		run_new(&u, false);
		run_to(&u, data, n, TOTAL);
		np = u.m->nparams;
		p[k] = xmalloc(np * sizeof(float));
		memcpy(p[k], u.m->params_mem, np * sizeof(float));
		run_free(&u);
	}
	CHECK(memcmp(p[0], p[1], np * sizeof(float)) == 0, "two runs from the same seed differ");
	printf("determinism: same seed, %d threads: bitwise equal; %d vs %d threads: %s\n", threads,
	       threads, threads > 1 ? 1 : 2,
	       memcmp(p[0], p[2], np * sizeof(float)) ? "different bytes" : "equal bytes");
	lm_set_threads(threads);
	for (int k = 0; k < 3; k++)
		free(p[k]);
	free(data);
}

static void test_overfit(void)
{
	size_t n;
	int *data = corpus(&n, 4);
	run u;
	run_new(&u, false);
	u.o.hp.weight_decay = 0;
	int in[RB * 16], tgt[RB * 16];
	float first = 0, loss = 0;
	berr e;
	for (int s = 0; s < 150; s++) {
		lm_batch_random(data, n, RB, 16, &u.data, in, tgt);
		lm_train_step(u.m, &u.o, in, tgt, RB, 16, lm_lr_cosine(s, 10, 150, 1e-2f, 1e-3f),
			      &loss, NULL, &e);
		if (s == 0)
			first = loss;
	}
	printf("overfit: loss %.3f -> %.3f in 150 steps\n", first, loss);
	CHECK(first > 5 && loss < 0.5f, "loss %g -> %g: the tiny model did not learn the text",
	      first, loss);

	/* it now completes the text greedily */
	const char *prompt = "the quick brown ";
	int pt[16], out[8];
	for (int i = 0; i < 16; i++)
		pt[i] = (unsigned char)prompt[i];
	rng r;
	rng_seed(&r, 1, 0);
	int got = lm_generate(u.m, pt, 16, 8, 0, 0, -1, &r, out, &e);
	char s[9] = {0};
	for (int i = 0; i < got && i < 8; i++)
		s[i] = (char)out[i];
	printf("overfit: \"%s\" -> \"%s\"\n", prompt, s);
	CHECK(got == 8 && strcmp(s, "fox jump") == 0, "greedy completion \"%s\"", s);
	run_free(&u);
	free(data);
}

/* ---- checkpoints ---- */

static void put(const char *path, const void *b, size_t n)
{
	berr e;
	if (write_file_atomic(path, b, n, false, &e) != 0)
		printf("FAIL write %s: %s\n", path, e.msg);
}

/* Loads path as a base model and checks that it fails with an error containing want. */
static void expect_load_err(const char *path, const lm_config *cfg, const char *want)
{
	berr e = {{0}};
	lm_model *m = lm_load(path, cfg, &e);
	CHECK(m == NULL && strstr(e.msg, want) && strstr(e.msg, path), "want \"%s\", got \"%s\"",
	      want, e.msg);
	lm_free(m);
}

static void test_ckpt(void)
{
	berr e;
	char *mp = tpath("m.bin"), *lp = tpath("a.bin"), *bp = tpath("bad.bin");
	lm_model *m = lm_new(&tiny, 6, &e);
	CHECK(lm_save(mp, m, &e) == 0, "%s", e.msg);
	lm_model *l = lm_load(mp, NULL, &e);
	CHECK(l && memcmp(&l->cfg, &m->cfg, sizeof m->cfg) == 0 &&
		      memcmp(l->params_mem, m->params_mem, m->nparams * sizeof(float)) == 0,
	      "model round trip: %s", l ? "differs" : e.msg);
	CHECK(lm_params_checksum(l) == lm_params_checksum(m), "checksum of equal parameters");
	lm_free(l);

	char *buf;
	size_t len;
	read_file(mp, 1 << 26, &buf, &len, &e);
	CHECK(len == 8 + 4 + 28 + 8 + 4 * m->nparams + 8, "model file is %zu bytes", len);
	CHECK(memcmp(buf, "BRNLMMOD", 8) == 0 && buf[8] == 1, "magic and version");

	char *nope = tpath("nope.bin");
	expect_load_err(nope, NULL, "cannot open");
	free(nope);
	put(bp, buf, 0);
	expect_load_err(bp, NULL, "truncated");
	put(bp, buf, 30);
	expect_load_err(bp, NULL, "header alone needs");
	put(bp, buf, len - 1);
	expect_load_err(bp, NULL, "truncated");
	put(bp, buf, len / 2);
	expect_load_err(bp, NULL, "the header promises");
	char *more = xmalloc(len + 3);
	memcpy(more, buf, len);
	put(bp, more, len + 3);
	expect_load_err(bp, NULL, "trailing bytes");
	free(more);
	buf[0] = 'X';
	put(bp, buf, len);
	expect_load_err(bp, NULL, "not a BurnTTT LM");
	buf[0] = 'B';
	buf[8] = 2;
	put(bp, buf, len);
	expect_load_err(bp, NULL, "format version 2; this burn reads version 1");
	buf[8] = 1;
	buf[100] ^= 0x40;
	put(bp, buf, len);
	expect_load_err(bp, NULL, "checksum mismatch");
	buf[100] ^= 0x40;
	lm_config want = tiny;
	want.hidden = 16;
	want.layers = 3;
	put(bp, buf, len);
	expect_load_err(bp, &want, "config mismatch: the file has hidden 8 (wanted 16), layers 2 (wanted 3)");
	/* a valid checksum over an impossible config */
	buf[12 + 3 * 4] = 3; /* heads 3 does not divide hidden 8 */
	uint64_t h = XXH3_64bits(buf, len - 8);
	for (int i = 0; i < 8; i++)
		buf[len - 8 + i] = (char)(h >> (8 * i));
	put(bp, buf, len);
	expect_load_err(bp, NULL, "bad config");
	free(buf);

	/* adapters */
	CHECK(lm_save_lora(lp, m, &e) != 0 && strstr(e.msg, "no LoRA"), "%s", e.msg);
	lm_lora_config lc = {.rank = 2, .alpha = 4, .targets = LM_LORA_ALL & ~LM_LORA_V};
	lm_lora_add(m, &lc, 3, &e);
	rng r;
	rng_seed(&r, 4, 0);
	fill(m->lora_mem, m->nlora, 0.1f, &r);
	CHECK(lm_save_lora(lp, m, &e) == 0, "%s", e.msg);
	expect_load_err(lp, NULL, "is a LoRA adapter file, not a base model file");
	l = lm_load(mp, NULL, &e);
	CHECK(lm_load_lora(lp, l, &e) == 0, "%s", e.msg);
	CHECK(l->has_lora && l->lora_on && l->lcfg.rank == 2 && l->lcfg.targets == lc.targets &&
		      l->nlora == m->nlora &&
		      memcmp(l->lora_mem, m->lora_mem, m->nlora * sizeof(float)) == 0,
	      "adapter round trip");
	lm_forward(m, fd_in, fd_tgt, B_, T_, &e);
	float lm_loss = m->loss;
	lm_forward(l, fd_in, fd_tgt, B_, T_, &e);
	CHECK(l->loss == lm_loss, "loaded adapters give loss %g, saved %g", l->loss, lm_loss);
	CHECK(lm_load_lora(mp, l, &e) != 0 && strstr(e.msg, "is a base model file, not a LoRA"),
	      "%s", e.msg);
	lm_free(l);
	l = lm_new(&tiny, 7, &e); /* same shape, other weights */
	CHECK(lm_load_lora(lp, l, &e) != 0 && strstr(e.msg, "another base model"), "%s", e.msg);
	CHECK(!l->has_lora, "a refused adapter file was half applied");
	lm_free(l);
	lm_config other = tiny;
	other.mlp = 16;
	l = lm_new(&other, 6, &e);
	CHECK(lm_load_lora(lp, l, &e) != 0 && strstr(e.msg, "config mismatch: the file has mlp 12 (this model 16)"),
	      "%s", e.msg);
	lm_free(l);
	read_file(lp, 1 << 26, &buf, &len, &e);
	put(bp, buf, len - 4);
	l = lm_load(mp, NULL, &e);
	CHECK(lm_load_lora(bp, l, &e) != 0 && strstr(e.msg, "truncated"), "%s", e.msg);
	buf[9] = 1; /* version 257 */
	put(bp, buf, len);
	CHECK(lm_load_lora(bp, l, &e) != 0 && strstr(e.msg, "version 257"), "%s", e.msg);
	buf[9] = 0;
	buf[len - 20] ^= 1;
	put(bp, buf, len);
	CHECK(lm_load_lora(bp, l, &e) != 0 && strstr(e.msg, "checksum"), "%s", e.msg);
	free(buf);
	lm_free(l);

	/* training state */
	lm_adamw o;
	lm_adamw_hp hp = lm_adamw_defaults();
	lm_adamw_init(&o, &hp, m->nlora);
	CHECK(lm_save_state(bp, m, &o, NULL, &e) != 0 && strstr(e.msg, "training mode"), "%s", e.msg);
	lm_set_mode(m, LM_TRAIN_LORA, &e);
	CHECK(lm_save_state(bp, m, &o, NULL, &e) == 0, "%s", e.msg);
	l = lm_new(&tiny, 7, &e);
	lm_adamw o2 = {0};
	CHECK(lm_load_state(bp, l, &o2, NULL, &e) != 0 && strstr(e.msg, "another base model"), "%s",
	      e.msg);
	lm_free(l);
	l = lm_new(&other, 6, &e);
	CHECK(lm_load_state(bp, l, &o2, NULL, &e) != 0 && strstr(e.msg, "config mismatch"), "%s",
	      e.msg);
	CHECK(lm_load_state(lp, l, &o2, NULL, &e) != 0 && strstr(e.msg, "is a LoRA adapter file, not a training state"),
	      "%s", e.msg);
	lm_free(l);
	read_file(bp, 1 << 26, &buf, &len, &e);
	put(lp, buf, len - 1);
	l = lm_load(mp, NULL, &e);
	CHECK(lm_load_state(lp, l, &o2, NULL, &e) != 0 && strstr(e.msg, "truncated"), "%s", e.msg);
	CHECK(lm_load_state(bp, l, &o2, NULL, &e) == 0 && o2.n == m->nlora && l->mode == LM_TRAIN_LORA &&
		      memcmp(l->lora_mem, m->lora_mem, m->nlora * sizeof(float)) == 0,
	      "state round trip: %s", e.msg);
	free(buf);
	lm_free(l);
	lm_adamw_free(&o);
	lm_adamw_free(&o2);
	lm_free(m);

	/* no temp files are left behind */
	int left = 0;
	DIR *d = opendir(tmpdir);
	for (struct dirent *de; d && (de = readdir(d));)
		left += strstr(de->d_name, ".tmp") != NULL;
	if (d)
		closedir(d);
	CHECK(d && left == 0, "%d temp files left", left);
	unlink(mp), unlink(lp), unlink(bp);
	free(mp), free(lp), free(bp);
}

/* ---- sampling and log-probabilities ---- */

static void test_sample(void)
{
	rng r;
	rng_seed(&r, 51, 0);
	float l[5] = {0.5f, 2.0f, -1.0f, 2.0f, 1.0f};
	CHECK(lm_sample(l, 5, 0, 0, &r) == 1, "argmax takes the lowest id on a tie");
	CHECK(lm_sample(l, 5, 1, 1, &r) == 1, "top-1 is the argmax");
	int cnt[5] = {0};
	enum { ND = 20000 };
	for (int i = 0; i < ND; i++)
		cnt[lm_sample(l, 5, 1, 3, &r)]++;
	CHECK(cnt[2] == 0 && cnt[0] == 0, "top-3 drew outside the top 3: %d %d", cnt[0], cnt[2]);
	double z = exp(2.0) * 2 + exp(1.0);
	CHECK(fabs(cnt[4] / (double)ND - exp(1.0) / z) < 0.015, "top-3 frequency of id 4 %g, want %g",
	      cnt[4] / (double)ND, exp(1.0) / z);
	memset(cnt, 0, sizeof cnt);
	for (int i = 0; i < ND; i++)
		cnt[lm_sample(l, 5, 0.5f, 0, &r)]++;
	z = 0;
	for (int v = 0; v < 5; v++)
		z += exp(2.0 * l[v]);
	bool ok = true;
	for (int v = 0; v < 5; v++)
		ok &= fabs(cnt[v] / (double)ND - exp(2.0 * l[v]) / z) < 0.015;
	CHECK(ok, "temperature 0.5 frequencies %d %d %d %d %d", cnt[0], cnt[1], cnt[2], cnt[3], cnt[4]);

	/* generation: same seed, same tokens; stop token */
	berr e;
	lm_model *m = lm_new(&small, 2, &e);
	int prompt[3] = {'a', 'b', 'c'}, o1[40], o2[40];
	rng r1, r2;
	rng_seed(&r1, 9, 0);
	rng_seed(&r2, 9, 0);
	int n1 = lm_generate(m, prompt, 3, 40, 1.0f, 20, -1, &r1, o1, &e);
	int n2 = lm_generate(m, prompt, 3, 40, 1.0f, 20, -1, &r2, o2, &e);
	CHECK(n1 == 40 && n2 == 40 && memcmp(o1, o2, sizeof o1) == 0, "same seed, other tokens");
	rng_seed(&r2, 10, 0);
	lm_generate(m, prompt, 3, 40, 1.0f, 20, -1, &r2, o2, &e);
	CHECK(memcmp(o1, o2, sizeof o1) != 0, "another seed gave the same 40 tokens");
	rng_seed(&r1, 9, 0);
	int n3 = lm_generate(m, prompt, 3, 40, 1.0f, 20, o1[5], &r1, o2, &e);
	CHECK(n3 <= 6 && o2[n3 - 1] == o1[5], "stop token: %d tokens", n3);

	/* sequence log-probability: against the masked loss, and the chain rule */
	int pr[4] = {'x', 'y', 'z', ' '}, co[5] = {'h', 'e', 'l', 'l', 'o'};
	double lp, lp1, lp2;
	CHECK(lm_seq_logprob(m, pr, 4, co, 5, &lp, &e) == 0, "%s", e.msg);
	int in[8] = {'x', 'y', 'z', ' ', 'h', 'e', 'l', 'l'};
	int tg[8] = {LM_IGNORE, LM_IGNORE, LM_IGNORE, 'h', 'e', 'l', 'l', 'o'};
	lm_forward(m, in, tg, 1, 8, &e);
	CHECK(m->loss_count == 5 && fabs(lp + 5.0 * m->loss) < 1e-5 * fabs(lp),
	      "log-prob %.9g vs -5*loss %.9g", lp, -5.0 * m->loss);
	int pr2[5] = {'x', 'y', 'z', ' ', 'h'};
	lm_seq_logprob(m, pr, 4, co, 1, &lp1, &e);
	lm_seq_logprob(m, pr2, 5, co + 1, 4, &lp2, &e);
	CHECK(fabs(lp - (lp1 + lp2)) < 1e-6 * fabs(lp), "chain rule: %.12g vs %.12g", lp, lp1 + lp2);
	CHECK(lp < 0 && lp > -5 * log(259.0) - 5, "log-prob %g out of range", lp);
	/* adapters off = the reference policy for DPO */
	lm_lora_config lc = {.rank = 2, .alpha = 2, .targets = LM_LORA_ALL};
	lm_lora_add(m, &lc, 1, &e);
	fill(m->lora_mem, m->nlora, 0.3f, &r);
	double lpl, lpoff;
	lm_seq_logprob(m, pr, 4, co, 5, &lpl, &e);
	lm_lora_enable(m, false);
	lm_seq_logprob(m, pr, 4, co, 5, &lpoff, &e);
	CHECK(lpoff == lp && lpl != lp, "adapters off log-prob %.9g, base %.9g, on %.9g", lpoff, lp,
	      lpl);
	int longp[17] = {0};
	CHECK(lm_seq_logprob(m, longp, 17, co, 1, &lp, &e) != 0 && strstr(e.msg, "context"), "%s",
	      e.msg);
	lm_free(m);
}

/* ---- tokenizer ---- */

static void test_tok(void)
{
	berr e;
	lm_tok t;
	CHECK(lm_tok_init(&t, 7, &e) != 0 && strstr(e.msg, "unknown tokenizer"), "%s", e.msg);
	CHECK(lm_tok_init(&t, LM_TOK_BYTE, &e) == 0 && t.vocab == 259 && t.bos == 256 &&
		      t.eos == 257 && t.pad == 258,
	      "byte tokenizer ids");
	char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (char)i;
	int ids[260];
	CHECK(lm_tok_encode(&t, all, 256, ids, 260) == 256, "encode count");
	bool ok = true;
	for (int i = 0; i < 256; i++)
		ok &= ids[i] == i;
	CHECK(ok, "byte b is id b");
	ids[256] = t.eos;
	int with_bos[258];
	with_bos[0] = t.bos;
	memcpy(with_bos + 1, ids, 257 * sizeof(int));
	strbuf sb = {0};
	CHECK(lm_tok_decode(&t, with_bos, 258, &sb, &e) == 0 && sb.len == 256 &&
		      memcmp(sb.s, all, 256) == 0,
	      "round trip of every byte, specials left out");
	CHECK(lm_tok_is_special(&t, 257) && !lm_tok_is_special(&t, 255), "is_special");
	int badid = 300;
	CHECK(lm_tok_decode(&t, &badid, 1, &sb, &e) != 0 && strstr(e.msg, "outside"), "%s", e.msg);
	CHECK(lm_tok_encode(&t, "hello", 5, ids, 2) == 5 && ids[0] == 'h' && ids[1] == 'e',
	      "encode into a short buffer");
	sb_free(&sb);
}

int main(void)
{
	const char *td = getenv("TMPDIR");
	char *t = xmalloc(strlen(td ? td : "/tmp") + 32);
	sprintf(t, "%s/burn-test-lm.XXXXXX", td ? td : "/tmp");
	tmpdir = mkdtemp(t);
	if (!tmpdir) {
		printf("FAIL mkdtemp %s\n", t);
		return 1;
	}
	test_gemm();
	lm_set_kernel(LM_KERNEL_NAIVE); /* gradient checks on the double-accumulating reference */
	test_layer_grads();
	test_model_grads();
	lm_set_kernel(LM_KERNEL_BLAS);
	test_kernels_model();
	test_lora_identity();
	test_loss_mask();
	test_optim();
	test_resume(false);
	test_resume(true);
	test_determinism();
	test_overfit();
	test_ckpt();
	test_sample();
	test_tok();
	printf("gradient checks: worst error %.2e per layer (threshold %.0e), %.2e whole model "
	       "(threshold %.0e)\n", worst_layer, TOL_LAYER, worst_model, TOL_MODEL);
	rmdir(tmpdir);
	free(t);
	return t_done("test_lm");
}
