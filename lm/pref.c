/* pref.c - SFT + DPO steps on (prompt, completion) sequences (pref.h). */
#include "lm/pref.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* A batch of rows prompt ++ completion, padded to the longest: inputs, targets (LM_IGNORE
 * outside the completions) and per-position weights. */
typedef struct {
	int B, T;
	int *in, *tgt;
	float *w;
	int *from, *len; /* where each row's completion targets are */
} batch;

static int pack(const lm_model *m, const int *const *pr, const int *np, const int *const *co,
		const int *nc, int n, batch *b, berr *e)
{
	memset(b, 0, sizeof *b);
	int T = 1;
	for (int i = 0; i < n; i++) {
		if (np[i] < 1 || nc[i] < 1 || np[i] + nc[i] - 1 > m->cfg.ctx)
			return errf(e, "sequence %d: prompt %d + completion %d tokens do not fit the "
				       "context %d", i, np[i], nc[i], m->cfg.ctx);
		if (np[i] + nc[i] - 1 > T)
			T = np[i] + nc[i] - 1;
	}
	b->B = n;
	b->T = T;
	b->in = xcalloc((size_t)n * T, sizeof *b->in);
	b->tgt = xmalloc((size_t)n * T * sizeof *b->tgt);
	b->w = xcalloc((size_t)n * T, sizeof *b->w);
	b->from = xmalloc((size_t)n * sizeof *b->from);
	b->len = xmalloc((size_t)n * sizeof *b->len);
	for (int i = 0; i < n; i++) {
		int *in = b->in + (size_t)i * T, *tg = b->tgt + (size_t)i * T;
		for (int t = 0; t < T; t++)
			tg[t] = LM_IGNORE;
		for (int t = 0; t < np[i] + nc[i] - 1; t++) {
			in[t] = t < np[i] ? pr[i][t] : co[i][t - np[i]];
			if (t >= np[i] - 1)
				tg[t] = co[i][t - np[i] + 1];
		}
		b->from[i] = np[i] - 1;
		b->len[i] = nc[i];
	}
	return 0;
}

static void batch_free(batch *b)
{
	free(b->in);
	free(b->tgt);
	free(b->w);
	free(b->from);
	free(b->len);
}

/* Per-row log-probabilities of the completions from the last forward pass's losses. */
static void rows_lp(const lm_model *m, const batch *b, double *lp)
{
	for (int i = 0; i < b->B; i++) {
		double s = 0;
		const float *l = m->a.losses + (size_t)i * b->T;
		for (int t = b->from[i]; t < b->from[i] + b->len[i]; t++)
			s -= l[t];
		lp[i] = s;
	}
}

static int pack_rows(const lm_model *m, const lm_sft_ex *rows, int n, batch *b, berr *e)
{
	const int **pr = xcalloc((size_t)n, sizeof *pr), **co = xcalloc((size_t)n, sizeof *co);
	int *np = xcalloc((size_t)n, sizeof *np), *nc = xcalloc((size_t)n, sizeof *nc);
	for (int i = 0; i < n; i++) {
		pr[i] = rows[i].prompt;
		co[i] = rows[i].comp;
		np[i] = rows[i].np;
		nc[i] = rows[i].nc;
	}
	int rc = pack(m, pr, np, co, nc, n, b, e);
	free(pr);
	free(co);
	free(np);
	free(nc);
	return rc;
}

int lm_completion_logprobs(lm_model *m, const lm_sft_ex *rows, int n, double *lp, berr *e)
{
	if (n < 1)
		return 0;
	batch b;
	if (pack_rows(m, rows, n, &b, e) != 0)
		return -1;
	for (size_t k = 0; k < (size_t)b.B * b.T; k++)
		b.w[k] = 1;
	int rc = lm_forward_weighted(m, b.in, b.tgt, b.w, b.B, b.T, e);
	if (rc == 0)
		rows_lp(m, &b, lp);
	batch_free(&b);
	return rc;
}

int lm_pref_step(lm_model *m, lm_adamw *o, const lm_sft_ex *sft, int ns, float sft_weight,
		 const lm_dpo_pair *dpo, int nd, float beta, float lr, lm_pref_stats *st, berr *e)
{
	memset(st, 0, sizeof *st);
	lm_block blk = lm_trainable(m);
	if (blk.n == 0)
		return errf(e, "fine-tuning needs a training mode (lm_set_mode)");
	if (o->n != blk.n)
		return errf(e, "optimizer state for %zu parameters, block has %zu", o->n, blk.n);
	lm_zero_grad(m);
	double wsum = 0;
	for (int i = 0; i < ns; i++)
		wsum += sft[i].w > 0 ? sft[i].w : 0;
	if (ns > 0 && wsum > 0) {
		batch b;
		if (pack_rows(m, sft, ns, &b, e) != 0)
			return -1;
		for (int i = 0; i < ns; i++) {
			float w = sft[i].w > 0 ? (float)(sft_weight * sft[i].w / (wsum * b.len[i])) : 0;
			for (int t = b.from[i]; t < b.from[i] + b.len[i]; t++)
				b.w[(size_t)i * b.T + t] = w;
		}
		int rc = lm_forward_weighted(m, b.in, b.tgt, b.w, b.B, b.T, e);
		if (rc == 0) {
			double *lp = xmalloc((size_t)ns * sizeof *lp);
			rows_lp(m, &b, lp);
			for (int i = 0; i < ns; i++)
				if (sft[i].w > 0)
					st->sft_loss += -lp[i] / b.len[i] * sft[i].w / wsum;
			free(lp);
			rc = lm_backward(m, e);
		}
		batch_free(&b);
		if (rc != 0)
			return -1;
	}
	if (nd > 0) {
		/* rows 2i: the better completion, 2i+1: the worse */
		int n = 2 * nd;
		lm_sft_ex *rows = xcalloc((size_t)n, sizeof *rows);
		for (int i = 0; i < nd; i++) {
			rows[2 * i] = (lm_sft_ex){dpo[i].prompt, dpo[i].win, dpo[i].np, dpo[i].nw, 1};
			rows[2 * i + 1] = (lm_sft_ex){dpo[i].prompt, dpo[i].lose, dpo[i].np, dpo[i].nl, 1};
		}
		batch b;
		if (pack_rows(m, rows, n, &b, e) != 0) {
			free(rows);
			return -1;
		}
		free(rows);
		for (size_t k = 0; k < (size_t)b.B * b.T; k++)
			b.w[k] = 1;
		double *lp = xmalloc((size_t)n * sizeof *lp);
		int rc = lm_forward_weighted(m, b.in, b.tgt, b.w, b.B, b.T, e);
		if (rc == 0) {
			rows_lp(m, &b, lp);
			memset(b.w, 0, (size_t)b.B * b.T * sizeof *b.w);
			for (int i = 0; i < nd; i++) {
				double z = beta * ((lp[2 * i] - dpo[i].ref_win) -
						   (lp[2 * i + 1] - dpo[i].ref_lose));
				/* -log sigmoid(z), stably; its gradient is -beta sigmoid(-z) d(...) */
				st->dpo_loss += (z > 0 ? log1p(exp(-z)) : -z + log1p(exp(z))) / nd;
				st->dpo_acc += (z > 0) / (double)nd;
				float c = (float)(beta / (1 + exp(z)) / nd);
				for (int r = 0; r < 2; r++) {
					int row = 2 * i + r;
					for (int t = b.from[row]; t < b.from[row] + b.len[row]; t++)
						b.w[(size_t)row * b.T + t] = r == 0 ? c : -c;
				}
			}
			/* the same batch again with the DPO weights: its loss's gradient is DPO's */
			rc = lm_forward_weighted(m, b.in, b.tgt, b.w, b.B, b.T, e);
			if (rc == 0)
				rc = lm_backward(m, e);
		}
		free(lp);
		batch_free(&b);
		if (rc != 0)
			return -1;
	}
	st->gnorm = lm_clip_grads(blk.grads, blk.n, o->hp.grad_clip);
	lm_adamw_update(o, &blk, lr);
	return 0;
}
