/* optim.c - AdamW, clipping, learning-rate schedule. */
#include "lm/optim.h"

#include <math.h>
#include <stdlib.h>

lm_adamw_hp lm_adamw_defaults(void)
{
	return (lm_adamw_hp){.beta1 = 0.9f, .beta2 = 0.95f, .eps = 1e-8f, .weight_decay = 0.1f,
			     .grad_clip = 1.0f};
}

void lm_adamw_init(lm_adamw *o, const lm_adamw_hp *hp, size_t n)
{
	*o = (lm_adamw){.hp = *hp, .n = n};
	o->mem = xcalloc(2 * (n ? n : 1), sizeof(float));
	o->m = o->mem;
	o->v = o->mem + n;
}

void lm_adamw_free(lm_adamw *o)
{
	free(o->mem);
	o->mem = o->m = o->v = NULL;
	o->n = 0;
}

double lm_grad_norm(const float *g, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += (double)g[i] * g[i];
	return sqrt(s);
}

double lm_clip_grads(float *g, size_t n, double max_norm)
{
	double norm = lm_grad_norm(g, n);
	if (max_norm > 0 && norm > max_norm) {
		float s = (float)(max_norm / norm);
		for (size_t i = 0; i < n; i++)
			g[i] *= s;
	}
	return norm;
}

void lm_adamw_update(lm_adamw *o, const lm_block *b, float lr)
{
	const lm_adamw_hp *h = &o->hp;
	o->step++;
	float c1 = (float)(1.0 - pow(h->beta1, (double)o->step));
	float c2 = (float)(1.0 - pow(h->beta2, (double)o->step));
	for (int t = 0; t < b->nt; t++) {
		const lm_tensor *ts = &b->t[t];
		float wd = ts->decay ? h->weight_decay : 0;
		for (size_t i = ts->off; i < ts->off + ts->n; i++) {
			float g = b->grads[i];
			float m = h->beta1 * o->m[i] + (1 - h->beta1) * g;
			float v = h->beta2 * o->v[i] + (1 - h->beta2) * g * g;
			o->m[i] = m;
			o->v[i] = v;
			float mh = m / c1, vh = v / c2;
			b->params[i] -= lr * (mh / (sqrtf(vh) + h->eps) + wd * b->params[i]);
		}
	}
}

float lm_lr_cosine(long step, long warmup, long total, float lr_max, float lr_min)
{
	if (step < warmup)
		return lr_max * (float)(step + 1) / (float)warmup;
	if (step >= total || total <= warmup)
		return lr_min;
	double r = (double)(step - warmup) / (double)(total - warmup);
	return lr_min + (float)(0.5 * (1.0 + cos(3.141592653589793 * r))) * (lr_max - lr_min);
}
