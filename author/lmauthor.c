/* lmauthor.c - the LM config author: recipes, pretraining, test-time training, sampling and
 * the lm / lm-ttt strategies (lmauthor.h), and the build steps burn author-pretrain and
 * burn author-train. */
#include "author/lmauthor.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "author/lmsynth.h"
#include "gen/cmds.h"
#include "gen/opts.h"
#include "gen/step.h"
#include "lm/ckpt.h"
#include "lm/kv.h"
#include "lm/mat.h"
#include "lm/optim.h"
#include "lm/pref.h"
#include "lm/sample.h"

/* Bump when the steps' output for the same inputs changes. */
enum { PRETRAIN_VERSION = 3, TRAIN_VERSION = 2 };

static const lma_recipe recipes[LM_RECIPE_N] = {
	[LM_RECIPE_BASE] = {
		.name = "base",
		.cfg = {.vocab = LL_VOCAB, .ctx = 512, .hidden = 64, .heads = 4, .layers = 2,
			.mlp = 256, .tok = LM_TOK_BURNCFG},
		.seed = 1, .threads = 1, .steps = 1000, .tasks = 4, .per_task = 4,
		.lr = 2e-3f, .lr_min = 2e-4f, .warmup = 60,
		.rank = 8, .alpha = 16, .ttt_steps = 6, .ttt_lr = 5e-3f, .beta = 0.5f,
		.sft_weight = 1, .sft_top = 4, .dpo_pairs = 4,
		.temperature = 1.0f, .grammar = true, .project_mask = true,
	},
	[LM_RECIPE_TINY] = {
		.name = "tiny",
		.cfg = {.vocab = LL_VOCAB, .ctx = 512, .hidden = 32, .heads = 2, .layers = 1,
			.mlp = 64, .tok = LM_TOK_BURNCFG},
		.seed = 1, .threads = 1, .steps = 60, .tasks = 2, .per_task = 4,
		.lr = 3e-3f, .lr_min = 3e-4f, .warmup = 5,
		.rank = 4, .alpha = 8, .ttt_steps = 8, .ttt_lr = 3e-3f, .beta = 0.5f,
		.sft_weight = 1, .sft_top = 4, .dpo_pairs = 8,
		.temperature = 1.0f, .grammar = true, .project_mask = true,
	},
};

const lma_recipe *lma_recipe_get(lm_recipe_id id)
{
	return (unsigned)id < LM_RECIPE_N ? &recipes[id] : &recipes[LM_RECIPE_BASE];
}

void lma_recipe_text(const lma_recipe *r, strbuf *b)
{
	const lm_config *c = &r->cfg;
	sb_printf(b, "recipe %s\nmodel vocab %d ctx %d hidden %d heads %d layers %d mlp %d tok %d\n",
		  r->name, c->vocab, c->ctx, c->hidden, c->heads, c->layers, c->mlp, c->tok);
	sb_printf(b, "pretrain seed %llu threads %d steps %ld tasks %d per_task %d lr %.9g "
		     "lr_min %.9g warmup %ld\n",
		  (unsigned long long)r->seed, r->threads, r->steps, r->tasks, r->per_task,
		  (double)r->lr, (double)r->lr_min, r->warmup);
}

void lma_ttt_text(const lma_recipe *r, strbuf *b)
{
	sb_printf(b, "ttt rank %d alpha %.9g steps %ld lr %.9g beta %.9g sft_weight %.9g sft_top %d "
		     "dpo_pairs %d threads %d\nsample temperature %.9g grammar %d project_mask %d",
		  r->rank, (double)r->alpha, r->ttt_steps, (double)r->ttt_lr, (double)r->beta,
		  (double)r->sft_weight, r->sft_top, r->dpo_pairs, r->threads,
		  (double)r->temperature, r->grammar ? 1 : 0, r->project_mask ? 1 : 0);
	if (r->copy > 0) /* absent = 0: keys of recipes without copying stay as they were */
		sb_printf(b, " copy %.9g", (double)r->copy);
	sb_puts(b, "\n");
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* ---- pretraining ---- */

int lma_pretrain(const lma_recipe *r, const char *out, FILE *log, berr *e)
{
	lm_set_kernel(LM_KERNEL_BLAS);
	lm_set_threads(r->threads);
	lm_model *m = lm_new(&r->cfg, r->seed, e);
	if (!m)
		return -1;
	int rc = -1;
	lm_adamw o = {0};
	int nb = r->tasks * r->per_task;
	ll_seq *pr = xcalloc((size_t)nb, sizeof *pr), *co = xcalloc((size_t)nb, sizeof *co);
	lm_sft_ex *ex = xcalloc((size_t)nb, sizeof *ex);
	if (lm_set_mode(m, LM_TRAIN_BASE, e) != 0)
		goto out;
	lm_adamw_hp hp = lm_adamw_defaults();
	lm_adamw_init(&o, &hp, lm_trainable(m).n);
	double t0 = now_s(), avg = 0;
	for (long s = 0; s < r->steps; s++) {
		rng g;
		rng_seed(&g, r->seed, 1000 + (uint64_t)s);
		for (int i = 0; i < nb; i++) {
			ll_free(&pr[i]);
			ll_free(&co[i]);
		}
		for (int k = 0; k < r->tasks; k++) {
			lms_task t;
			lms_task_draw(&g, &t);
			int first = k * r->per_task;
			berr e2;
			if (lms_examples(&g, &t, r->cfg.ctx, r->per_task, pr + first, co + first,
					 &e2) != 0)
				k--; /* a task too large for the context: draw another */
			lms_task_free(&t);
		}
		for (int i = 0; i < nb; i++)
			ex[i] = (lm_sft_ex){pr[i].v, co[i].v, pr[i].n, co[i].n, 1};
		float lr = lm_lr_cosine(s, r->warmup, r->steps, r->lr, r->lr_min);
		lm_pref_stats st;
		if (lm_pref_step(m, &o, ex, nb, 1, NULL, 0, 0, lr, &st, e) != 0)
			goto out;
		avg = s == 0 ? st.sft_loss : 0.95 * avg + 0.05 * st.sft_loss;
		if (log && (s % 50 == 0 || s + 1 == r->steps))
			fprintf(log, "pretrain %s: step %ld/%ld loss %.4f (avg %.4f) lr %.2e %.1f s\n",
				r->name, s + 1, r->steps, st.sft_loss, avg, (double)lr, now_s() - t0);
	}
	rc = lm_save(out, m, e);
out:
	for (int i = 0; i < nb; i++) {
		ll_free(&pr[i]);
		ll_free(&co[i]);
	}
	free(pr);
	free(co);
	free(ex);
	lm_adamw_free(&o);
	lm_free(m);
	return rc;
}

/* ---- test-time training ---- */

/* The records of h from rounds before `round`: a prefix, as results files come in order. */
static history history_before(const history *h, long round)
{
	history v = {0};
	v.r = h->r;
	while (v.n < h->n && h->r[v.n].round < round)
		v.n++;
	return v;
}

typedef struct {
	ll_seq prompt;   /* the prompt round k's author saw */
	bool ok;
} round_prompt;

int lma_train(const lma_recipe *r, lm_model *base, const project *p, const history *h,
	      uint64_t seed, const char *out, FILE *log, berr *e)
{
	lm_set_kernel(LM_KERNEL_BLAS);
	lm_set_threads(r->threads);
	lm_lora_config lc = {.rank = r->rank, .alpha = r->alpha, .targets = LM_LORA_ALL};
	if (lm_lora_add(base, &lc, seed, e) != 0 || lm_set_mode(base, LM_TRAIN_LORA, e) != 0)
		return -1;
	long maxr = 0;
	for (int i = 0; i < h->n; i++)
		if (h->r[i].round > maxr)
			maxr = h->r[i].round;
	round_prompt *rp = xcalloc((size_t)maxr + 1, sizeof *rp);
	ll_seq *comp = xcalloc((size_t)(h->n ? h->n : 1), sizeof *comp);
	bool *usable = xcalloc((size_t)(h->n ? h->n : 1), sizeof *usable);
	for (int i = 0; i < h->n; i++) {
		const record *rec = &h->r[i];
		config c;
		berr e2;
		if (!rec->valid ||
		    config_parse("record", rec->config, strlen(rec->config), p, &c, &e2) != 0)
			continue;
		ll_encode_config(&c, &comp[i]);
		config_free(&c);
		round_prompt *q = &rp[rec->round];
		if (!q->ok && q->prompt.n == 0) {
			history before = history_before(h, rec->round);
			q->ok = ll_prompt(p, &before, base->cfg.ctx, &q->prompt, &e2) == 0;
			if (!q->ok)
				ll_push(&q->prompt, LL_BOS); /* marks "tried" */
		}
		usable[i] = q->ok && q->prompt.n + comp[i].n - 1 <= base->cfg.ctx;
	}
	/* SFT: the best sft_top usable records that built, weighted by their reward */
	lm_sft_ex *sft = xcalloc((size_t)r->sft_top, sizeof *sft);
	int ns = 0;
	bool *taken = xcalloc((size_t)(h->n ? h->n : 1), sizeof *taken);
	double best = -1;
	for (; ns < r->sft_top; ns++) {
		int bi = -1;
		for (int i = 0; i < h->n; i++)
			if (usable[i] && !taken[i] && h->r[i].tier != TIER_FAILED &&
			    (bi < 0 || h->r[i].reward > h->r[bi].reward))
				bi = i;
		if (bi < 0)
			break;
		taken[bi] = true;
		if (ns == 0)
			best = h->r[bi].reward;
		const ll_seq *q = &rp[h->r[bi].round].prompt;
		sft[ns] = (lm_sft_ex){q->v, comp[bi].v, q->n, comp[bi].n,
				      (float)exp(4 * (h->r[bi].reward - best))};
	}
	/* DPO: pairs of one round (one prompt), the largest reward gaps first */
	lm_dpo_pair *dpo = xcalloc((size_t)r->dpo_pairs, sizeof *dpo);
	int nd = 0;
	for (; nd < r->dpo_pairs; nd++) {
		int bw = -1, bl = -1;
		double gap = 0.05;
		for (int i = 0; i < h->n; i++) {
			if (!usable[i])
				continue;
			for (int j = 0; j < h->n; j++) {
				if (!usable[j] || h->r[j].round != h->r[i].round)
					continue;
				double g = h->r[i].reward - h->r[j].reward;
				bool used = false;
				for (int k = 0; k < nd; k++)
					used |= dpo[k].win == comp[i].v && dpo[k].lose == comp[j].v;
				if (!used && g > gap) {
					gap = g;
					bw = i;
					bl = j;
				}
			}
		}
		if (bw < 0)
			break;
		const ll_seq *q = &rp[h->r[bw].round].prompt;
		dpo[nd] = (lm_dpo_pair){.prompt = q->v, .np = q->n, .win = comp[bw].v,
					.nw = comp[bw].n, .lose = comp[bl].v, .nl = comp[bl].n};
	}
	int rc = 0;
	lm_adamw o = {0};
	if (nd > 0) { /* the reference: the base alone */
		lm_sft_ex *rows = xcalloc(2 * (size_t)nd, sizeof *rows);
		double *lp = xcalloc(2 * (size_t)nd, sizeof *lp);
		for (int i = 0; i < nd; i++) {
			rows[2 * i] = (lm_sft_ex){dpo[i].prompt, dpo[i].win, dpo[i].np, dpo[i].nw, 1};
			rows[2 * i + 1] = (lm_sft_ex){dpo[i].prompt, dpo[i].lose, dpo[i].np, dpo[i].nl, 1};
		}
		lm_lora_enable(base, false);
		rc = lm_completion_logprobs(base, rows, 2 * nd, lp, e);
		lm_lora_enable(base, true);
		for (int i = 0; i < nd; i++) {
			dpo[i].ref_win = lp[2 * i];
			dpo[i].ref_lose = lp[2 * i + 1];
		}
		free(rows);
		free(lp);
	}
	if (rc == 0 && (ns > 0 || nd > 0)) {
		lm_adamw_hp hp = lm_adamw_defaults();
		hp.weight_decay = 0;
		lm_adamw_init(&o, &hp, lm_trainable(base).n);
		for (long s = 0; s < r->ttt_steps && rc == 0; s++) {
			float lr = lm_lr_cosine(s, 0, r->ttt_steps, r->ttt_lr, r->ttt_lr / 10);
			lm_pref_stats st;
			rc = lm_pref_step(base, &o, sft, ns, r->sft_weight, dpo, nd, r->beta, lr, &st, e);
			if (rc == 0 && log && (s == 0 || s + 1 == r->ttt_steps))
				fprintf(log, "train: step %ld/%ld sft %d loss %.4f, dpo %d loss %.4f "
					     "acc %.2f, grad norm %.3f\n",
					s + 1, r->ttt_steps, ns, st.sft_loss, nd, st.dpo_loss, st.dpo_acc,
					st.gnorm);
		}
	} else if (rc == 0 && log)
		fprintf(log, "train: no usable records yet; the adapter stays at zero\n");
	if (rc == 0 && out)
		rc = lm_save_lora(out, base, e);
	lm_adamw_free(&o);
	for (long k = 0; k <= maxr; k++)
		ll_free(&rp[k].prompt);
	for (int i = 0; i < h->n; i++)
		ll_free(&comp[i]);
	free(rp);
	free(comp);
	free(usable);
	free(taken);
	free(sft);
	free(dpo);
	return rc;
}

/* ---- sampling and the strategy ---- */

/* The token index where each grammar slot of completion a starts (n_layers layers), and one
 * past its end at starts[slots]; -1 if a does not walk through the grammar. */
static int anchor_slots(const ll_seq *a, int n_layers, int *starts, int max)
{
	ll_gram g;
	ll_gram_init(&g, n_layers);
	int k = 0;
	for (int i = 0; i < a->n; i++) {
		if (g.left == 0 && !g.neg) { /* a slot starts here */
			if (k >= max)
				return -1;
			starts[k++] = i;
		}
		if (ll_gram_push(&g, a->v[i]) != 0)
			return -1;
	}
	if (!ll_gram_done(&g) || k >= max)
		return -1;
	starts[k] = a->n;
	return k;
}

int lma_sample(lm_model *m, const int *prompt, int np, int n, int max_new, float temperature,
	       const ll_gram *g, rng *r, ll_seq *out, berr *e)
{
	return lma_sample_copy(m, prompt, np, n, max_new, temperature, g, NULL, 0, r, out, e);
}

int lma_sample_copy(lm_model *m, const int *prompt, int np, int n, int max_new,
		    float temperature, const ll_gram *g, const ll_seq *anchor, float keep, rng *r,
		    ll_seq *out, berr *e)
{
	int V = m->cfg.vocab;
	if (np + max_new > m->cfg.ctx)
		max_new = m->cfg.ctx - np;
	if (np < 1 || max_new < 1 || n < 1)
		return errf(e, "sampling: prompt of %d tokens leaves no room in the context %d", np,
			    m->cfg.ctx);
	/* the anchor's slots (copying needs the grammar to know where a slot starts) */
	int *starts = NULL, nslots = -1;
	if (g && anchor && keep > 0) {
		starts = xmalloc(((size_t)anchor->n + 2) * sizeof *starts);
		nslots = anchor_slots(anchor, g->n_layers, starts, anchor->n + 1);
	}
	lm_kv kv;
	if (lm_kv_init(&kv, m, n, np + max_new, e) != 0) {
		free(starts);
		return -1;
	}
	int *tok = xmalloc((size_t)n * sizeof *tok);
	int *copy_at = xmalloc((size_t)n * sizeof *copy_at), *copy_end = xmalloc((size_t)n * sizeof *copy_end);
	bool *done = xcalloc((size_t)n, sizeof *done);
	ll_gram *gs = g ? xmalloc((size_t)n * sizeof *gs) : NULL;
	float *masked = g ? xmalloc((size_t)V * sizeof *masked) : NULL;
	for (int i = 0; i < n; i++) {
		copy_at[i] = copy_end[i] = 0;
		if (g)
			gs[i] = *g;
	}
	const float *lg;
	int rc = lm_kv_prefill(m, &kv, prompt, np, &lg, e), live = n;
	for (int s = 0; rc == 0 && s < max_new && live > 0; s++) {
		for (int i = 0; i < n; i++) {
			tok[i] = LL_PAD;
			if (done[i])
				continue;
			const float *row = lg + (size_t)i * V;
			/* copying: at a slot's start, keep the anchor's value with probability keep */
			if (nslots > 0 && gs[i].left == 0 && !gs[i].neg && gs[i].slot < nslots) {
				copy_at[i] = copy_end[i] = 0;
				if (rng_unit(r) < keep) {
					copy_at[i] = starts[gs[i].slot];
					copy_end[i] = starts[gs[i].slot + 1];
				}
			}
			if (copy_at[i] < copy_end[i] && ll_gram_allows(&gs[i], anchor->v[copy_at[i]])) {
				tok[i] = anchor->v[copy_at[i]++];
			} else {
				copy_at[i] = copy_end[i] = 0;
				if (gs) {
					int allowed = 0;
					for (int v = 0; v < V; v++) {
						bool ok = ll_gram_allows(&gs[i], v);
						masked[v] = ok ? row[v] : -INFINITY;
						allowed += ok;
					}
					if (allowed == 0) { /* the grammar is complete */
						done[i] = true;
						live--;
						continue;
					}
					row = masked;
				}
				tok[i] = lm_sample(row, V, temperature, 0, r);
			}
			if (gs && ll_gram_push(&gs[i], tok[i]) != 0) {
				rc = errf(e, "sampling: token %d drawn outside the grammar", tok[i]);
				break;
			}
			ll_push(&out[i], tok[i]);
			if (tok[i] == LL_EOS) {
				done[i] = true;
				live--;
			}
		}
		if (rc == 0 && live > 0 && s + 1 < max_new)
			rc = lm_kv_step(m, &kv, tok, &lg, e);
	}
	lm_kv_free(&kv);
	free(tok);
	free(copy_at);
	free(copy_end);
	free(done);
	free(gs);
	free(masked);
	free(starts);
	return rc;
}

/* Repair by substitution: walks the grammar with base's values beside a cursor in sample s.
 * A slot whose token(s) at the cursor fit is taken from the sample; a slot that does not
 * fit takes base's value and skips one sample token (unless that token is a marker: INPUT,
 * L or EOS, which the walk meets later). Returns how many slots came from base. */
typedef struct {
	const int *s;
	int n, pos, fixed;
	ll_seq *out;
} fixer;

static bool is_marker(int t) { return t == LL_INPUT || t == LL_L || t == LL_EOS; }

static void fix_skip(fixer *f)
{
	f->fixed++;
	if (f->pos < f->n && !is_marker(f->s[f->pos]))
		f->pos++;
}

static void fix_marker(fixer *f, int tok)
{
	if (f->pos < f->n && f->s[f->pos] == tok)
		f->pos++;
	else
		f->fixed++;
	ll_push(f->out, tok);
}

static void fix_range(fixer *f, int lo, int hi, int dflt)
{
	if (f->pos < f->n && f->s[f->pos] >= lo && f->s[f->pos] <= hi)
		ll_push(f->out, f->s[f->pos++]);
	else {
		fix_skip(f);
		ll_push(f->out, dflt);
	}
}

static void fix_num(fixer *f, long dflt)
{
	int at = f->pos;
	bool neg = at < f->n && f->s[at] == LL_NEG;
	at += neg;
	int len = 0;
	if (at < f->n && f->s[at] >= LL_N0 && f->s[at] < LL_N0 + 100)
		len = 1;
	else if (at < f->n && f->s[at] >= LL_X2 && f->s[at] <= LL_X4) {
		int k = f->s[at] - LL_X2 + 2;
		len = 1 + k;
		for (int i = 1; i <= k; i++)
			if (at + i >= f->n || f->s[at + i] < LL_N0 || f->s[at + i] >= LL_N0 + 100)
				len = 0;
	}
	if (len > 0) {
		for (int i = f->pos; i < at + len; i++)
			ll_push(f->out, f->s[i]);
		f->pos = at + len;
	} else {
		fix_skip(f);
		ll_push_num(f->out, dflt);
	}
}

static void fix_type(fixer *f, const fx_type *t)
{
	fix_range(f, LL_SIGNED, LL_UNSIGNED, t->sign ? LL_SIGNED : LL_UNSIGNED);
	fix_range(f, LL_Q0, LL_Q0 + 6, LL_Q0 + (int)t->q);
	fix_range(f, LL_O0, LL_O0 + 4, LL_O0 + (int)t->o);
	fix_num(f, t->w);
	fix_num(f, t->i);
}

static int repair(const int *s, int n, const config *base, ll_seq *out)
{
	fixer f = {s, n, 0, 0, out};
	fix_marker(&f, LL_INPUT);
	fix_type(&f, &base->input);
	for (int l = 0; l < base->n_layers; l++) {
		const layer_cfg *lc = &base->layers[l];
		fix_marker(&f, LL_L);
		fix_type(&f, &lc->weight);
		fix_type(&f, &lc->bias);
		fix_type(&f, &lc->accum);
		fix_type(&f, &lc->result);
		fix_range(&f, LL_LATENCY, LL_RESOURCE,
			  lc->strategy == HLS_RESOURCE ? LL_RESOURCE : LL_LATENCY);
		fix_num(&f, lc->reuse);
		fix_range(&f, LL_WF0, LL_WF0 + WF_COUNT - 1, LL_WF0 + (int)lc->wfmt);
	}
	ll_push(out, LL_EOS);
	return f.fixed;
}

/* Offers decoded YAML; counts the outcome. */
static void offer_yaml(author_ctx *ctx, const strbuf *y, const char *origin, lma_stats *st)
{
	config c;
	berr e;
	bool valid = config_parse("candidate", y->s, y->len, ctx->p, &c, &e) == 0;
	char id[CAND_ID_LEN + 1];
	if (valid) {
		strbuf canon = {0};
		config_write_canonical(&c, ctx->p, &canon);
		cand_id_of(canon.s, canon.len, true, id);
		sb_free(&canon);
		config_free(&c);
	} else
		cand_id_of(y->s, y->len, false, id);
	if (author_offer_text(ctx, y->s, y->len, origin)) {
		st->accepted++;
		st->invalid += !valid;
		return;
	}
	if (author_full(ctx))
		return;
	st->repeats++;
	for (int i = 0; i < ctx->h->n; i++)
		if (strcmp(ctx->h->r[i].id, id) == 0 && ctx->h->r[i].tier == TIER_FAILED) {
			st->known_failed++;
			break;
		}
}

enum { SAMPLE_ROUNDS = 4, SAMPLE_FACTOR = 8 };

void author_lm(author_ctx *ctx, lm_model *m, const lma_recipe *r, lma_stats *st)
{
	memset(st, 0, sizeof *st);
	const project *p = ctx->p;
	config base;
	if (ctx->round == 0 || ctx->h->n == 0) {
		config_default(p, &base);
		author_offer(ctx, &base, "lm: default start");
	} else {
		int b = history_best(ctx->h);
		berr e2;
		if (b < 0 || !ctx->h->r[b].valid ||
		    config_parse("record", ctx->h->r[b].config, strlen(ctx->h->r[b].config), p, &base,
				 &e2) != 0)
			config_default(p, &base);
	}
	ll_seq prompt = {0};
	berr e;
	if (ll_prompt(p, ctx->h, m->cfg.ctx, &prompt, &e) != 0) {
		warn("lm author: %s; the round is topped up at random", e.msg);
		config_free(&base);
		return;
	}
	st->prompt_tokens = prompt.n;
	int max_new = ll_completion_max(p->n_layers);
	bool grammar = r->grammar && p->search.lm_grammar;
	ll_seq anchor = {0}; /* copy-biased decoding: the best config so far (or the default) */
	ll_encode_config(&base, &anchor);
	ll_gram g;
	if (r->project_mask)
		ll_gram_init_project(&g, p);
	else
		ll_gram_init(&g, p->n_layers);
	for (int k = 0; k < SAMPLE_ROUNDS && !author_full(ctx) &&
			st->samples < SAMPLE_FACTOR * ctx->want; k++) {
		long need = ctx->want - ctx->out.n;
		int n = (int)(2 * need < 4 ? 4 : 2 * need > 32 ? 32 : 2 * need);
		float temp = r->temperature * (1 + 0.25f * (float)k);
		ll_seq *out = xcalloc((size_t)n, sizeof *out);
		if (lma_sample_copy(m, prompt.v, prompt.n, n, max_new, temp, grammar ? &g : NULL,
				    &anchor, r->copy, &ctx->rng, out, &e) != 0) {
			warn("lm author: %s; the round is topped up at random", e.msg);
			for (int i = 0; i < n; i++)
				ll_free(&out[i]);
			free(out);
			break;
		}
		for (int i = 0; i < n; i++) {
			st->samples++;
			strbuf y = {0};
			int layers_ok;
			char origin[96];
			if (ll_decode_config(out[i].v, out[i].n, p, &y, &layers_ok, &e) >= 0) {
				snprintf(origin, sizeof origin, "lm: sample %ld (temperature %.2f)",
					 st->samples, (double)temp);
				offer_yaml(ctx, &y, origin, st);
			} else {
				st->syntax_bad++;
				ll_seq fixed = {0};
				int nfix = repair(out[i].v, out[i].n, &base, &fixed);
				sb_free(&y);
				if (ll_decode_config(fixed.v, fixed.n, p, &y, &layers_ok, &e) >= 0) {
					st->repaired++;
					snprintf(origin, sizeof origin,
						 "lm: sample %ld repaired (%d slots from the best so far)",
						 st->samples, nfix);
					offer_yaml(ctx, &y, origin, st);
				}
				ll_free(&fixed);
			}
			sb_free(&y);
			ll_free(&out[i]);
		}
		free(out);
	}
	ll_gram_free(&g);
	ll_free(&anchor);
	ll_free(&prompt);
	config_free(&base);
}

/* ---- the build steps ---- */

const char usage_author_pretrain[] =
	"usage: burn author-pretrain [--recipe base|tiny] -o OUT.lmw\n"
	"\n"
	"Pretrains the LM author's base model on synthetic tasks (random blocks and parts,\n"
	"labelled by the analytical estimate and a csim-free error proxy) and writes it to OUT.\n"
	"A build step of lm and lm-ttt sweeps; cached by the recipe (same recipe, same bytes).\n"
	"  --steps N       train N steps instead of the recipe's (part of the key)\n"
	"  --print-recipe  print the recipe's settings and exit\n";

int cmd_author_pretrain(int argc, char **argv)
{
	const char *out = NULL, *name = "base";
	bool print = false;
	long steps = -1;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--recipe") == 0 && i + 1 < argc)
			name = argv[++i];
		else if (strcmp(argv[i], "--print-recipe") == 0)
			print = true;
		else if (strcmp(argv[i], "--steps") == 0 && i + 1 < argc) {
			if (parse_long(argv[++i], &steps) != 0 || steps < 1 || steps > 10000000)
				die(EXIT_BADINPUT, "author-pretrain: bad --steps '%s'", argv[i]);
		}
		else
			die(EXIT_BADINPUT, "author-pretrain: unexpected argument '%s'", argv[i]);
	}
	const lma_recipe *found = NULL;
	for (int k = 0; k < LM_RECIPE_N; k++)
		if (strcmp(name, lma_recipe_get((lm_recipe_id)k)->name) == 0)
			found = lma_recipe_get((lm_recipe_id)k);
	if (!found)
		die(EXIT_BADINPUT, "author-pretrain: unknown recipe '%s' (base or tiny)", name);
	lma_recipe rr = *found, *r = &rr;
	if (steps > 0)
		rr.steps = steps;
	strbuf text = {0};
	lma_recipe_text(r, &text);
	if (print) {
		fputs(text.s, stdout);
		sb_free(&text);
		return 0;
	}
	if (!out) {
		fputs(usage_author_pretrain, stderr);
		sb_free(&text);
		return EXIT_BADINPUT;
	}
	step s;
	const char *outs[] = {out};
	step_begin(&s, "author-pretrain", PRETRAIN_VERSION, 1, outs);
	step_key_bytes(&s, "recipe", text.s, text.len);
	sb_free(&text);
	if (step_lookup(&s))
		return 0;
	berr e;
	if (lma_pretrain(r, out, stderr, &e) != 0)
		die(EXIT_INTERNAL, "author-pretrain: %s", e.msg);
	step_finish(&s, true);
	return 0;
}

const char usage_author_train[] =
	"usage: burn author-train FACET --base BASE.lmw --round R -o OUT.lora [RESULTS.json ...]\n"
	"\n"
	"Test-time training of the lm-ttt author: fine-tunes LoRA adapters on BASE with the\n"
	"results of rounds 0..R-1 (SFT on the best records, DPO on better/worse pairs of a round,\n"
	"the base with adapters off as the reference) and writes them to OUT; round R's author\n"
	"samples from BASE + OUT. A build step; cached by the facet, base and results bytes.\n";

int cmd_author_train(int argc, char **argv)
{
	const char *out = NULL, *basef = NULL, *round_s = NULL;
	long round = -1;
	const optdef o[] = {{"-o", &out, NULL}, {"--base", &basef, NULL}, {"--round", &round_s, NULL}};
	/* the facet, then the results of rounds 0..R-1 */
	const char **pos = xcalloc((size_t)argc, sizeof *pos);
	int npos = opts_step("author-train", argc - 1, argv + 1, o, 3, pos, argc, usage_author_train);
	if (npos < 0 || opts_long("author-train", "--round", round_s, 1, 1000000, &round) != 0) {
		free(pos);
		return EXIT_BADINPUT;
	}
	const char *facet = npos > 0 ? pos[0] : NULL;
	const char **results = pos + (npos > 0);
	int nres = npos > 0 ? npos - 1 : 0;
	if (!facet || !out || !basef || round < 1) {
		fputs(usage_author_train, stderr);
		free(pos);
		return EXIT_BADINPUT;
	}
	berr e;
	project p;
	if (project_load(facet, false, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_PART | HAS_CLOCK | HAS_EPS | HAS_SEARCH, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	const lma_recipe *r = lma_recipe_get(p.search.lm_recipe);
	step s;
	const char *outs[] = {out};
	step_begin(&s, "author-train", TRAIN_VERSION, 1, outs);
	strbuf tt = {0};
	lma_ttt_text(r, &tt);
	step_key_bytes(&s, "ttt", tt.s, tt.len);
	sb_free(&tt);
	char rbuf[32];
	snprintf(rbuf, sizeof rbuf, "%ld", round);
	step_key_bytes(&s, "round", rbuf, strlen(rbuf));
	if (step_key_file(&s, "facet", facet, &e) != 0 || step_key_file(&s, "base", basef, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	for (int i = 0; i < nres; i++)
		if (step_key_file(&s, "results", results[i], &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	if (step_lookup(&s)) {
		project_free(&p);
		free(pos);
		return 0;
	}
	history h = {0};
	for (int i = 0; i < nres; i++)
		if (history_read(results[i], &h, &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	lm_model *m = lm_load(basef, &r->cfg, &e);
	if (!m)
		die(EXIT_BADINPUT, "author-train: %s", e.msg);
	if (lma_train(r, m, &p, &h, (uint64_t)p.search.seed * 1000003u + (uint64_t)round, out,
		      stderr, &e) != 0)
		die(EXIT_INTERNAL, "author-train: %s", e.msg);
	step_finish(&s, true);
	lm_free(m);
	history_free(&h);
	project_free(&p);
	free(pos);
	return 0;
}
