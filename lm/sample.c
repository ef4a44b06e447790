/* sample.c - sampling, generation, sequence log-probability. */
#include "lm/sample.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
	float v;
	int i;
} scored;

/* Larger logit first; the lower id first on a tie (a total order: deterministic). */
static int by_logit(const void *a, const void *b)
{
	const scored *x = a, *y = b;
	if (x->v != y->v)
		return x->v > y->v ? -1 : 1;
	return (x->i > y->i) - (x->i < y->i);
}

int lm_sample(const float *logits, int V, float temperature, int top_k, rng *r)
{
	if (temperature <= 0 || top_k == 1) {
		int best = 0;
		for (int v = 1; v < V; v++)
			if (logits[v] > logits[best])
				best = v;
		return best;
	}
	int k = top_k <= 0 || top_k > V ? V : top_k;
	scored *s = xmalloc((size_t)V * sizeof *s);
	for (int v = 0; v < V; v++)
		s[v] = (scored){logits[v], v};
	qsort(s, (size_t)V, sizeof *s, by_logit);
	double sum = 0;
	double *p = xmalloc((size_t)k * sizeof *p);
	for (int j = 0; j < k; j++) {
		p[j] = exp(((double)s[j].v - s[0].v) / temperature);
		sum += p[j];
	}
	double u = rng_unit(r) * sum, c = 0;
	int tok = s[k - 1].i;
	for (int j = 0; j < k; j++) {
		c += p[j];
		if (u < c) {
			tok = s[j].i;
			break;
		}
	}
	free(p);
	free(s);
	return tok;
}

int lm_generate(lm_model *m, const int *prompt, int np, int max_new, float temperature,
		int top_k, int stop, rng *r, int *out, berr *e)
{
	if (np < 1 || max_new < 0)
		return errf(e, "generate needs a prompt of at least one token");
	int ctx = m->cfg.ctx, V = m->cfg.vocab;
	int *seq = xmalloc(((size_t)np + max_new) * sizeof *seq);
	memcpy(seq, prompt, (size_t)np * sizeof *seq);
	int n = np, made = 0;
	lm_reserve(m, 1, np + max_new < ctx ? np + max_new : ctx);
	while (made < max_new) {
		int T = n < ctx ? n : ctx;
		if (lm_forward(m, seq + n - T, NULL, 1, T, e) != 0) {
			free(seq);
			return -1;
		}
		int tok = lm_sample(m->a.logits + (long)(T - 1) * V, V, temperature, top_k, r);
		seq[n++] = out[made++] = tok;
		if (tok == stop)
			break;
	}
	free(seq);
	return made;
}

int lm_seq_logprob(lm_model *m, const int *prompt, int np, const int *comp, int nc, double *lp,
		   berr *e)
{
	if (np < 1 || nc < 1)
		return errf(e, "log-probability needs a prompt and a completion of >= 1 token");
	int T = np + nc - 1, V = m->cfg.vocab;
	if (T > m->cfg.ctx)
		return errf(e, "prompt + completion is %d tokens, more than context %d + 1",
			    np + nc, m->cfg.ctx);
	int *in = xmalloc((size_t)T * sizeof *in);
	memcpy(in, prompt, (size_t)np * sizeof *in);
	memcpy(in + np, comp, (size_t)(nc - 1) * sizeof *in);
	int rc = lm_forward(m, in, NULL, 1, T, e);
	free(in);
	if (rc != 0)
		return -1;
	double s = 0;
	for (int i = 0; i < nc; i++) {
		if (comp[i] < 0 || comp[i] >= V)
			return errf(e, "completion token %d is outside the vocabulary", comp[i]);
		const float *l = m->a.logits + (long)(np - 1 + i) * V;
		float mx = l[0];
		for (int v = 1; v < V; v++)
			mx = l[v] > mx ? l[v] : mx;
		double z = 0;
		for (int v = 0; v < V; v++)
			z += exp((double)l[v] - mx);
		s += (double)l[comp[i]] - mx - log(z);
	}
	*lp = s;
	return 0;
}
