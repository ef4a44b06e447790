/* kv.c - incremental decoding with a key/value cache (kv.h). */
#include "lm/kv.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lm/layers.h"

int lm_kv_init(lm_kv *kv, const lm_model *m, int rows, int cap, berr *e)
{
	const lm_config *c = &m->cfg;
	memset(kv, 0, sizeof *kv);
	if (rows < 1 || cap < 1 || cap > c->ctx)
		return errf(e, "kv cache: %d rows of %d positions (context %d)", rows, cap, c->ctx);
	size_t C = (size_t)c->hidden, M = (size_t)c->mlp, V = (size_t)c->vocab, R = (size_t)rows;
	size_t r = m->has_lora ? (size_t)m->lcfg.rank : 1;
	kv->rows = rows;
	kv->cap = cap;
	kv->k = xcalloc((size_t)c->layers * R * cap * C, sizeof(float));
	kv->v = xcalloc((size_t)c->layers * R * cap * C, sizeof(float));
	size_t sizes[] = {R * C, R * C, 3 * R * C, R * C, R * C, R * M, R * r, R, R, (size_t)cap,
			  R * V};
	float **ptrs[] = {&kv->x, &kv->ln, &kv->qkv, &kv->y, &kv->proj, &kv->h, &kv->u, &kv->mean,
			  &kv->rstd, &kv->sc, &kv->logits};
	size_t total = 0;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
		total += sizes[i];
	kv->mem = xcalloc(total, sizeof(float));
	float *p = kv->mem;
	for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
		*ptrs[i] = p;
		p += sizes[i];
	}
	return 0;
}

void lm_kv_free(lm_kv *kv)
{
	free(kv->k);
	free(kv->v);
	free(kv->mem);
	memset(kv, 0, sizeof *kv);
}

static float *kslot(const lm_model *m, const lm_kv *kv, float *base, int l, int row, int t)
{
	size_t C = (size_t)m->cfg.hidden;
	return base + (((size_t)l * kv->rows + row) * kv->cap + t) * C;
}

int lm_kv_prefill(lm_model *m, lm_kv *kv, const int *prompt, int np, const float **logits,
		  berr *e)
{
	if (np < 1 || np > kv->cap)
		return errf(e, "kv cache: a prompt of %d tokens for %d positions", np, kv->cap);
	if (lm_forward(m, prompt, NULL, 1, np, e) != 0)
		return -1;
	int C = m->cfg.hidden, V = m->cfg.vocab;
	for (int l = 0; l < m->cfg.layers; l++) {
		const float *qkv = m->a.qkv + (size_t)l * np * 3 * C;
		for (int r = 0; r < kv->rows; r++)
			for (int t = 0; t < np; t++) {
				memcpy(kslot(m, kv, kv->k, l, r, t), qkv + (size_t)t * 3 * C + C,
				       (size_t)C * sizeof(float));
				memcpy(kslot(m, kv, kv->v, l, r, t), qkv + (size_t)t * 3 * C + 2 * C,
				       (size_t)C * sizeof(float));
			}
	}
	for (int r = 0; r < kv->rows; r++)
		memcpy(kv->logits + (size_t)r * V, m->a.logits + (size_t)(np - 1) * V,
		       (size_t)V * sizeof(float));
	kv->len = np;
	*logits = kv->logits;
	return 0;
}

/* Adapter p of layer l on N rows (as lm_forward applies it), when present and on. */
static void lora(const lm_model *m, lm_kv *kv, int p, int l, float *out, int ldo,
		 const float *inp, int N)
{
	if (!m->lora_on || !(m->lcfg.targets & (1u << p)))
		return;
	int in = p == 5 ? m->cfg.mlp : m->cfg.hidden, o = p == 4 ? m->cfg.mlp : m->cfg.hidden;
	int r = m->lcfg.rank;
	lm_lora_fwd(out, ldo, kv->u, inp, m->lp.a[p] + (size_t)l * r * in,
		    m->lp.b[p] + (size_t)l * o * r, m->lcfg.alpha / (float)r, N, in, o, r);
}

int lm_kv_step(lm_model *m, lm_kv *kv, const int *tok, const float **logits, berr *e)
{
	const lm_config *c = &m->cfg;
	int N = kv->rows, C = c->hidden, M = c->mlp, V = c->vocab, NH = c->heads, hs = C / NH;
	int t = kv->len;
	if (t >= kv->cap)
		return errf(e, "kv cache: full (%d positions)", kv->cap);
	for (int r = 0; r < N; r++)
		if (tok[r] < 0 || tok[r] >= V)
			return errf(e, "kv cache: token %d is outside the vocabulary 0..%d", tok[r],
				    V - 1);
	const lm_params *p = &m->p;
	for (int r = 0; r < N; r++)
		for (int i = 0; i < C; i++)
			kv->x[(size_t)r * C + i] = p->wte[(size_t)tok[r] * C + i] + p->wpe[(size_t)t * C + i];
	float scale = 1.0f / sqrtf((float)hs);
	for (int l = 0; l < c->layers; l++) {
		lm_layernorm_fwd(kv->ln, kv->mean, kv->rstd, kv->x, p->ln1w + l * C, p->ln1b + l * C,
				 N, C);
		lm_linear_fwd(kv->qkv, kv->ln, p->qkvw + (size_t)l * 3 * C * C, p->qkvb + l * 3 * C,
			      N, C, 3 * C);
		for (int j = 0; j < 3; j++)
			lora(m, kv, j, l, kv->qkv + j * C, 3 * C, kv->ln, N);
		for (int r = 0; r < N; r++) {
			const float *q = kv->qkv + (size_t)r * 3 * C;
			memcpy(kslot(m, kv, kv->k, l, r, t), q + C, (size_t)C * sizeof(float));
			memcpy(kslot(m, kv, kv->v, l, r, t), q + 2 * C, (size_t)C * sizeof(float));
			for (int h = 0; h < NH; h++) {
				/* softmax over positions 0..t of scale * q.k, as lm_attention_fwd */
				float mx = -INFINITY;
				for (int s = 0; s <= t; s++) {
					const float *k = kslot(m, kv, kv->k, l, r, s) + h * hs;
					float d = 0;
					for (int i = 0; i < hs; i++)
						d += q[h * hs + i] * k[i];
					kv->sc[s] = d * scale;
					if (kv->sc[s] > mx)
						mx = kv->sc[s];
				}
				double sum = 0;
				for (int s = 0; s <= t; s++) {
					kv->sc[s] = expf(kv->sc[s] - mx);
					sum += kv->sc[s];
				}
				float *y = kv->y + (size_t)r * C + h * hs;
				memset(y, 0, (size_t)hs * sizeof *y);
				for (int s = 0; s <= t; s++) {
					float a = (float)(kv->sc[s] / sum);
					const float *v = kslot(m, kv, kv->v, l, r, s) + h * hs;
					for (int i = 0; i < hs; i++)
						y[i] += a * v[i];
				}
			}
		}
		lm_linear_fwd(kv->proj, kv->y, p->attprojw + (size_t)l * C * C, p->attprojb + l * C,
			      N, C, C);
		lora(m, kv, 3, l, kv->proj, C, kv->y, N);
		lm_residual_fwd(kv->x, kv->x, kv->proj, (long)N * C);
		lm_layernorm_fwd(kv->ln, kv->mean, kv->rstd, kv->x, p->ln2w + l * C, p->ln2b + l * C,
				 N, C);
		lm_linear_fwd(kv->h, kv->ln, p->fcw + (size_t)l * M * C, p->fcb + l * M, N, C, M);
		lora(m, kv, 4, l, kv->h, M, kv->ln, N);
		lm_relu_fwd(kv->h, kv->h, (long)N * M);
		lm_linear_fwd(kv->proj, kv->h, p->fcprojw + (size_t)l * C * M, p->fcprojb + l * C, N,
			      M, C);
		lora(m, kv, 5, l, kv->proj, C, kv->h, N);
		lm_residual_fwd(kv->x, kv->x, kv->proj, (long)N * C);
	}
	lm_layernorm_fwd(kv->ln, kv->mean, kv->rstd, kv->x, p->lnfw, p->lnfb, N, C);
	lm_linear_fwd(kv->logits, kv->ln, p->wte, NULL, N, C, V);
	kv->len = t + 1;
	*logits = kv->logits;
	return 0;
}
