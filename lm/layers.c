/* layers.c - embedding, LayerNorm, linear, LoRA, attention, ReLU, residual, cross-entropy. */
#include "lm/layers.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/util.h"
#include "lm/mat.h"

void lm_embed_fwd(float *out, const int *inp, const float *wte, const float *wpe, int B, int T,
		  int C)
{
	for (int b = 0; b < B; b++)
		for (int t = 0; t < T; t++) {
			float *o = out + ((long)b * T + t) * C;
			const float *we = wte + (long)inp[b * T + t] * C, *pe = wpe + (long)t * C;
			for (int i = 0; i < C; i++)
				o[i] = we[i] + pe[i];
		}
}

void lm_embed_bwd(float *dwte, float *dwpe, const float *dout, const int *inp, int B, int T,
		  int C)
{
	for (int b = 0; b < B; b++)
		for (int t = 0; t < T; t++) {
			const float *d = dout + ((long)b * T + t) * C;
			if (dwte) {
				float *dw = dwte + (long)inp[b * T + t] * C;
				for (int i = 0; i < C; i++)
					dw[i] += d[i];
			}
			if (dwpe) {
				float *dp = dwpe + (long)t * C;
				for (int i = 0; i < C; i++)
					dp[i] += d[i];
			}
		}
}

void lm_layernorm_fwd(float *out, float *mean, float *rstd, const float *inp, const float *w,
		      const float *b, int N, int C)
{
	for (int n = 0; n < N; n++) {
		const float *x = inp + (long)n * C;
		double s = 0;
		for (int i = 0; i < C; i++)
			s += x[i];
		float m = (float)(s / C);
		double v = 0;
		for (int i = 0; i < C; i++) {
			float d = x[i] - m;
			v += (double)d * d;
		}
		float r = (float)(1.0 / sqrt(v / C + 1e-5));
		float *o = out + (long)n * C;
		for (int i = 0; i < C; i++)
			o[i] = (x[i] - m) * r * w[i] + b[i];
		mean[n] = m;
		rstd[n] = r;
	}
}

void lm_layernorm_bwd(float *dinp, float *dw, float *db, const float *dout, const float *inp,
		      const float *w, const float *mean, const float *rstd, int N, int C)
{
	for (int n = 0; n < N; n++) {
		const float *x = inp + (long)n * C, *d = dout + (long)n * C;
		float m = mean[n], r = rstd[n];
		/* the two reductions of the LayerNorm gradient */
		double dn_mean = 0, dn_norm_mean = 0;
		for (int i = 0; i < C; i++) {
			float norm = (x[i] - m) * r;
			float dn = w[i] * d[i];
			dn_mean += dn;
			dn_norm_mean += (double)dn * norm;
		}
		float a = (float)(dn_mean / C), c = (float)(dn_norm_mean / C);
		for (int i = 0; i < C; i++) {
			float norm = (x[i] - m) * r;
			if (db)
				db[i] += d[i];
			if (dw)
				dw[i] += norm * d[i];
			if (dinp)
				dinp[(long)n * C + i] += (w[i] * d[i] - a - norm * c) * r;
		}
	}
}

void lm_linear_fwd(float *out, const float *inp, const float *w, const float *b, int N, int IC,
		   int OC)
{
	lm_gemm(false, true, N, OC, IC, 1, inp, IC, w, IC, 0, out, OC);
	if (b)
		for (int n = 0; n < N; n++)
			for (int o = 0; o < OC; o++)
				out[(long)n * OC + o] += b[o];
}

void lm_linear_bwd(float *dinp, float *dw, float *db, const float *dout, const float *inp,
		   const float *w, int N, int IC, int OC)
{
	if (dinp)
		lm_gemm(false, false, N, IC, OC, 1, dout, OC, w, IC, 1, dinp, IC);
	if (dw)
		lm_gemm(true, false, OC, IC, N, 1, dout, OC, inp, IC, 1, dw, IC);
	if (db) { /* column sums, row by row (cache order), in double */
		double *s = xcalloc((size_t)OC, sizeof *s);
		for (int n = 0; n < N; n++)
			for (int o = 0; o < OC; o++)
				s[o] += dout[(long)n * OC + o];
		for (int o = 0; o < OC; o++)
			db[o] += (float)s[o];
		free(s);
	}
}

void lm_lora_fwd(float *out, int ldo, float *u, const float *inp, const float *A, const float *Bm,
		 float s, int N, int IC, int OC, int r)
{
	lm_gemm(false, true, N, r, IC, 1, inp, IC, A, IC, 0, u, r);
	lm_gemm(false, true, N, OC, r, s, u, r, Bm, r, 1, out, ldo);
}

void lm_lora_bwd(float *dinp, float *dA, float *dBm, float *du, const float *dout, int ldo,
		 const float *inp, const float *u, const float *A, const float *Bm, float s, int N,
		 int IC, int OC, int r)
{
	if (dBm)
		lm_gemm(true, false, OC, r, N, s, dout, ldo, u, r, 1, dBm, r);
	if (!dA && !dinp)
		return;
	lm_gemm(false, false, N, r, OC, s, dout, ldo, Bm, r, 0, du, r);
	if (dA)
		lm_gemm(true, false, r, IC, N, 1, du, r, inp, IC, 1, dA, IC);
	if (dinp)
		lm_gemm(false, false, N, IC, r, 1, du, r, A, IC, 1, dinp, IC);
}

void lm_attention_fwd(float *out, float *att, const float *qkv, int B, int T, int C, int NH)
{
	int hs = C / NH, C3 = 3 * C;
	float scale = 1.0f / sqrtf((float)hs);
	for (int b = 0; b < B; b++)
		for (int h = 0; h < NH; h++) {
			const float *q = qkv + (long)b * T * C3 + h * hs, *k = q + C, *v = q + 2 * C;
			float *a = att + ((long)b * NH + h) * T * T;
			/* pre-softmax scores, all T x T (the upper triangle is overwritten below) */
			lm_gemm(false, true, T, T, hs, scale, q, C3, k, C3, 0, a, T);
			for (int i = 0; i < T; i++) {
				float *row = a + (long)i * T;
				float mx = row[0];
				for (int j = 1; j <= i; j++)
					mx = row[j] > mx ? row[j] : mx;
				double sum = 0;
				for (int j = 0; j <= i; j++) {
					row[j] = expf(row[j] - mx);
					sum += row[j];
				}
				float inv = (float)(1.0 / sum);
				for (int j = 0; j <= i; j++)
					row[j] *= inv;
				for (int j = i + 1; j < T; j++)
					row[j] = 0;
			}
			lm_gemm(false, false, T, hs, T, 1, a, T, v, C3, 0, out + (long)b * T * C + h * hs,
				C);
		}
}

void lm_attention_bwd(float *dqkv, float *datt, const float *dout, const float *qkv,
		      const float *att, int B, int T, int C, int NH)
{
	int hs = C / NH, C3 = 3 * C;
	float scale = 1.0f / sqrtf((float)hs);
	for (int b = 0; b < B; b++)
		for (int h = 0; h < NH; h++) {
			const float *q = qkv + (long)b * T * C3 + h * hs, *k = q + C, *v = q + 2 * C;
			float *dq = dqkv + (long)b * T * C3 + h * hs, *dk = dq + C, *dv = dq + 2 * C;
			const float *a = att + ((long)b * NH + h) * T * T;
			float *da = datt + ((long)b * NH + h) * T * T;
			const float *d = dout + (long)b * T * C + h * hs;
			lm_gemm(false, true, T, T, hs, 1, d, C, v, C3, 0, da, T);
			lm_gemm(true, false, T, hs, T, 1, a, T, d, C, 1, dv, C3);
			/* softmax backward in place: dpre = att * (datt - sum_j att*datt) */
			for (int i = 0; i < T; i++) {
				const float *ar = a + (long)i * T;
				float *dr = da + (long)i * T;
				double dot = 0;
				for (int j = 0; j <= i; j++)
					dot += (double)ar[j] * dr[j];
				float fd = (float)dot;
				for (int j = 0; j <= i; j++)
					dr[j] = ar[j] * (dr[j] - fd);
				for (int j = i + 1; j < T; j++)
					dr[j] = 0;
			}
			lm_gemm(false, false, T, hs, T, scale, da, T, k, C3, 1, dq, C3);
			lm_gemm(true, false, T, hs, T, scale, da, T, q, C3, 1, dk, C3);
		}
}

void lm_relu_fwd(float *out, const float *inp, long n)
{
	for (long i = 0; i < n; i++)
		out[i] = inp[i] > 0 ? inp[i] : 0;
}

void lm_relu_bwd(float *dinp, const float *dout, const float *inp, long n)
{
	for (long i = 0; i < n; i++)
		if (inp[i] > 0)
			dinp[i] += dout[i];
}

void lm_residual_fwd(float *out, const float *a, const float *b, long n)
{
	for (long i = 0; i < n; i++)
		out[i] = a[i] + b[i];
}

void lm_residual_bwd(float *da, float *db, const float *dout, long n)
{
	for (long i = 0; i < n; i++) {
		if (da)
			da[i] += dout[i];
		if (db)
			db[i] += dout[i];
	}
}

void lm_crossentropy_fwd(float *probs, float *losses, const float *logits, const int *tgt, int N,
			 int V)
{
	for (int n = 0; n < N; n++) {
		const float *l = logits + (long)n * V;
		float *p = probs + (long)n * V;
		float mx = l[0];
		for (int v = 1; v < V; v++)
			mx = l[v] > mx ? l[v] : mx;
		double sum = 0;
		for (int v = 0; v < V; v++) {
			p[v] = expf(l[v] - mx);
			sum += p[v];
		}
		float inv = (float)(1.0 / sum);
		for (int v = 0; v < V; v++)
			p[v] *= inv;
		losses[n] = tgt[n] < 0 ? 0 : (float)(log(sum) + mx - l[tgt[n]]);
	}
}

void lm_crossentropy_bwd(float *dlogits, const float *probs, const int *tgt, const float *wl,
			 int N, int V)
{
	for (int n = 0; n < N; n++) {
		if (tgt[n] < 0)
			continue;
		const float *p = probs + (long)n * V;
		float *d = dlogits + (long)n * V, w = wl[n];
		for (int v = 0; v < V; v++)
			d[v] += w * (p[v] - (v == tgt[n] ? 1.0f : 0.0f));
	}
}
