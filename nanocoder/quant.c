/* quant.c - the whole model with integer matrix products (kernels/gemv.h). */
#include "nanocoder/quant.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/json.h"
#include "gen/rng.h"
#include "kernels/gemv.h"
#include "lm/ckpt.h"
#include "lm/layers.h"
#include "lm/mat.h"
#include "lm/sample.h"
#include "nanocoder/corpus.h"
#include "nanocoder/eval.h"
#include "nanocoder/tokens.h"

/* One linear layer y = W x + b, W (rows, cols) row-major. */
typedef struct {
	int rows, cols;
	const float *w, *b; /* the float weights (m's) and bias (NULL: none) */
	int8_t *q8;         /* W8A8 */
	float *s8;
	gemv_w4 w4;         /* W4A8 */
} qlin;

enum { QL_QKV, QL_PROJ, QL_FC, QL_FCPROJ, QL_PER_LAYER };

struct nc_qmodel {
	const lm_model *m;
	nc_qkind kind;
	int group;
	qlin *lin;  /* (layers, 4) then the head */
	int ncap;   /* T the buffers hold */
	float *x, *ln, *mean, *rstd, *qkv, *att, *atty, *tmp, *h;
	int8_t *xq;
	int32_t *acc32;
	int64_t *acc64;
};

static void qlin_free(qlin *l)
{
	free(l->q8);
	free(l->s8);
	free(l->w4.q);
	free(l->w4.scale);
	free(l->w4.exp);
	free(l->w4.zero);
}

static int qlin_init(qlin *l, const float *w, const float *b, int rows, int cols, nc_qkind kind,
		     int group, berr *e)
{
	*l = (qlin){.rows = rows, .cols = cols, .w = w, .b = b};
	if (kind == NC_Q_W8A8) {
		l->q8 = xmalloc((size_t)rows * cols);
		l->s8 = xcalloc((size_t)rows, sizeof *l->s8);
		return gemv_quant_w8(w, rows, cols, l->q8, l->s8, e);
	}
	if (kind == NC_Q_W4A8) {
		if (gemv_w4_check(rows, cols, group, e) != 0)
			return -1;
		size_t qb, ng;
		gemv_w4_sizes(rows, cols, group, &qb, &ng);
		l->w4 = (gemv_w4){.rows = rows, .cols = cols, .group = group};
		l->w4.q = xcalloc(qb, 1);
		l->w4.scale = xcalloc(ng, sizeof *l->w4.scale);
		l->w4.exp = xcalloc((size_t)rows, sizeof *l->w4.exp);
		l->w4.zero = NULL; /* symmetric */
		return gemv_quant_w4(w, &l->w4, e);
	}
	return 0;
}

/* out[t] (stride ldo) = W x[t] + b for t < T. */
static int qlin_fwd(nc_qmodel *q, const qlin *l, const float *x, int T, float *out, int ldo,
		    berr *e)
{
	for (int t = 0; t < T; t++) {
		const float *xt = x + (size_t)t * l->cols;
		float *y = out + (size_t)t * ldo;
		if (q->kind == NC_Q_FLOAT) {
			for (int r = 0; r < l->rows; r++) {
				const float *wr = l->w + (size_t)r * l->cols;
				double s = 0;
				for (int c = 0; c < l->cols; c++)
					s += (double)wr[c] * xt[c];
				y[r] = (float)s;
			}
		} else {
			float xs;
			if (gemv_quant_a8(xt, l->cols, q->xq, &xs, e) != 0)
				return -1;
			if (q->kind == NC_Q_W8A8) {
				if (gemv_w8a8(l->q8, q->xq, l->rows, l->cols, q->acc32, e) != 0)
					return -1;
				gemv_dequant_w8a8(q->acc32, l->s8, xs, l->rows, y);
			} else {
				if (gemv_w4a8(&l->w4, q->xq, q->acc64, e) != 0)
					return -1;
				gemv_dequant_w4a8(&l->w4, q->acc64, xs, y);
			}
		}
		if (l->b)
			for (int r = 0; r < l->rows; r++)
				y[r] += l->b[r];
	}
	return 0;
}

nc_qmodel *nc_qmodel_new(const lm_model *m, nc_qkind kind, int group, berr *e)
{
	const lm_config *c = &m->cfg;
	int L = c->layers, C = c->hidden, M = c->mlp;
	nc_qmodel *q = xcalloc(1, sizeof *q);
	q->m = m;
	q->kind = kind;
	q->group = group;
	q->lin = xcalloc((size_t)L * QL_PER_LAYER + 1, sizeof *q->lin);
	const lm_params *p = &m->p;
	for (int l = 0; l < L; l++) {
		qlin *ql = q->lin + (size_t)l * QL_PER_LAYER;
		size_t ll = (size_t)l;
		if (qlin_init(&ql[QL_QKV], p->qkvw + ll * 3 * C * C, p->qkvb + ll * 3 * C, 3 * C, C,
			      kind, group, e) != 0 ||
		    qlin_init(&ql[QL_PROJ], p->attprojw + ll * C * C, p->attprojb + ll * C, C, C,
			      kind, group, e) != 0 ||
		    qlin_init(&ql[QL_FC], p->fcw + ll * M * C, p->fcb + ll * M, M, C, kind, group,
			      e) != 0 ||
		    qlin_init(&ql[QL_FCPROJ], p->fcprojw + ll * C * M, p->fcprojb + ll * C, C, M,
			      kind, group, e) != 0) {
			nc_qmodel_free(q);
			return NULL;
		}
	}
	if (qlin_init(&q->lin[(size_t)L * QL_PER_LAYER], p->wte, NULL, c->vocab, C, kind, group,
		      e) != 0) {
		nc_qmodel_free(q);
		return NULL;
	}
	int maxw = 3 * C > M ? 3 * C : M;
	maxw = maxw > c->vocab ? maxw : c->vocab;
	q->xq = xcalloc((size_t)maxw, 1);
	q->acc32 = xcalloc((size_t)maxw, sizeof *q->acc32);
	q->acc64 = xcalloc((size_t)maxw, sizeof *q->acc64);
	return q;
}

void nc_qmodel_free(nc_qmodel *q)
{
	if (!q)
		return;
	if (q->lin)
		for (int i = 0; i < q->m->cfg.layers * QL_PER_LAYER + 1; i++)
			qlin_free(&q->lin[i]);
	free(q->lin);
	free(q->x);
	free(q->ln);
	free(q->mean);
	free(q->rstd);
	free(q->qkv);
	free(q->att);
	free(q->atty);
	free(q->tmp);
	free(q->h);
	free(q->xq);
	free(q->acc32);
	free(q->acc64);
	free(q);
}

int nc_qforward(nc_qmodel *q, const int *ids, int T, float *logits, berr *e)
{
	const lm_config *c = &q->m->cfg;
	const lm_params *p = &q->m->p;
	int C = c->hidden, M = c->mlp, NH = c->heads;
	if (T < 1 || T > c->ctx)
		return errf(e, "sequence of %d tokens (the model takes 1..%d)", T, c->ctx);
	for (int t = 0; t < T; t++)
		if (ids[t] < 0 || ids[t] >= c->vocab)
			return errf(e, "token %d at %d is outside the vocabulary 0..%d", ids[t], t,
				    c->vocab - 1);
	if (T > q->ncap) {
		size_t n = (size_t)T;
		q->x = xreallocarray(q->x, n * C, sizeof *q->x);
		q->ln = xreallocarray(q->ln, n * C, sizeof *q->ln);
		q->mean = xreallocarray(q->mean, n, sizeof *q->mean);
		q->rstd = xreallocarray(q->rstd, n, sizeof *q->rstd);
		q->qkv = xreallocarray(q->qkv, n * 3 * C, sizeof *q->qkv);
		q->att = xreallocarray(q->att, (size_t)NH * n * n, sizeof *q->att);
		q->atty = xreallocarray(q->atty, n * C, sizeof *q->atty);
		q->tmp = xreallocarray(q->tmp, n * C, sizeof *q->tmp);
		q->h = xreallocarray(q->h, n * M, sizeof *q->h);
		q->ncap = T;
	}
	lm_embed_fwd(q->x, ids, p->wte, p->wpe, 1, T, C);
	for (int l = 0; l < c->layers; l++) {
		const qlin *ql = q->lin + (size_t)l * QL_PER_LAYER;
		size_t lc = (size_t)l * C;
		lm_layernorm_fwd(q->ln, q->mean, q->rstd, q->x, p->ln1w + lc, p->ln1b + lc, T, C);
		if (qlin_fwd(q, &ql[QL_QKV], q->ln, T, q->qkv, 3 * C, e) != 0)
			return -1;
		lm_attention_fwd(q->atty, q->att, q->qkv, 1, T, C, NH);
		if (qlin_fwd(q, &ql[QL_PROJ], q->atty, T, q->tmp, C, e) != 0)
			return -1;
		lm_residual_fwd(q->x, q->x, q->tmp, (long)T * C);
		lm_layernorm_fwd(q->ln, q->mean, q->rstd, q->x, p->ln2w + lc, p->ln2b + lc, T, C);
		if (qlin_fwd(q, &ql[QL_FC], q->ln, T, q->h, M, e) != 0)
			return -1;
		lm_relu_fwd(q->h, q->h, (long)T * M);
		if (qlin_fwd(q, &ql[QL_FCPROJ], q->h, T, q->tmp, C, e) != 0)
			return -1;
		lm_residual_fwd(q->x, q->x, q->tmp, (long)T * C);
	}
	lm_layernorm_fwd(q->ln, q->mean, q->rstd, q->x, p->lnfw, p->lnfb, T, C);
	return qlin_fwd(q, &q->lin[(size_t)c->layers * QL_PER_LAYER], q->ln, T, logits, c->vocab,
			e);
}

/* -log2 softmax(row)[k], in double; *am gets the argmax (lowest id on a tie). */
static double nlog2p(const float *row, int V, int k, int *am)
{
	int best = 0;
	for (int i = 1; i < V; i++)
		if (row[i] > row[best])
			best = i;
	double s = 0;
	for (int i = 0; i < V; i++)
		s += exp((double)row[i] - row[best]);
	*am = best;
	return (log(s) - ((double)row[k] - row[best])) / log(2.0);
}

int nc_qeval_bits(nc_qmodel *q, const int *ids, size_t n, const size_t *toklen, int stride,
		  double *bits, double *bytes, int *argmax, berr *e)
{
	int T = q->m->cfg.ctx, V = q->m->cfg.vocab;
	if (n < 2)
		return errf(e, "%zu tokens: nothing to score", n);
	if ((size_t)T > n - 1)
		T = (int)(n - 1);
	if (stride < 1 || stride > T)
		stride = T;
	float *logits = xcalloc((size_t)T * V, sizeof *logits);
	double b = 0, nb = 0;
	size_t done = 0;
	while (done < n - 1) {
		size_t last = done + (size_t)stride;
		if (last > n - 1)
			last = n - 1;
		if (last < (size_t)T)
			last = (size_t)T;
		size_t s = last - (size_t)T;
		if (nc_qforward(q, ids + s, T, logits, e) != 0) {
			free(logits);
			return -1;
		}
		for (int t = 0; t < T; t++) {
			size_t j = s + 1 + (size_t)t;
			if (j <= done)
				continue;
			int am;
			b += nlog2p(logits + (size_t)t * V, V, ids[j], &am);
			nb += (double)toklen[ids[j]];
			if (argmax)
				argmax[j] = am;
		}
		done = last;
	}
	free(logits);
	*bits = b;
	*bytes = nb;
	return 0;
}

int nc_cmd_quant(int argc, char **argv)
{
	const char *model = NULL, *corpus = NULL, *tok = NULL, *max_s = NULL, *greedy_s = NULL;
	int json = 0;
	const char *names[] = {"--model", "--corpus", "--tok", "--max-bytes", "--greedy"};
	const char **vals[] = {&model, &corpus, &tok, &max_s, &greedy_s};
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = 1;
			continue;
		}
		int k = -1;
		for (int j = 0; j < 5; j++)
			if (strcmp(argv[i], names[j]) == 0)
				k = j;
		if (k < 0 || i + 1 >= argc) {
			fprintf(stderr, "burn: nanocoder quant: %s '%s' (see burn nanocoder --help)\n",
				k < 0 ? "unknown option" : "a value is missing after", argv[i]);
			return EXIT_BADINPUT;
		}
		*vals[k] = argv[++i];
	}
	long maxb = 8192, greedy = 1000;
	if ((max_s && (parse_long(max_s, &maxb) != 0 || maxb < 2 || maxb > 1L << 30)) ||
	    (greedy_s && (parse_long(greedy_s, &greedy) != 0 || greedy < 1 || greedy > 100000))) {
		fprintf(stderr, "burn: nanocoder quant: --max-bytes wants 2..2^30 and --greedy "
				"1..100000\n");
		return EXIT_BADINPUT;
	}
	if (!model || !corpus) {
		fprintf(stderr, "burn: nanocoder quant: --model and --corpus are required\n");
		return EXIT_BADINPUT;
	}
	static const struct {
		const char *name;
		nc_qkind kind;
		int group;
	} var[] = {{"float", NC_Q_FLOAT, 0},	     {"W8A8", NC_Q_W8A8, 0},
		   {"INT4 g32", NC_Q_W4A8, 32},  {"INT4 g64", NC_Q_W4A8, 64},
		   {"INT4 g128", NC_Q_W4A8, 128}};
	enum { NV = sizeof var / sizeof *var };
	berr e;
	nc_tok t = {0};
	char *held = NULL;
	size_t nheld, n;
	int *ids = NULL, *seq = NULL, *ref = NULL, *am = NULL, rc = EXIT_BADINPUT;
	double bpb[NV] = {0}, agree[NV] = {0}, hagree[NV] = {0}, lmbpb = 0;
	int *href = NULL, *ham = NULL;
	int skip[NV] = {0};
	lm_model *m = lm_load(model, NULL, &e);
	if (!m || nc_tok_open(&t, &m->cfg, tok, &e) != 0 ||
	    nc_corpus_read(corpus, "heldout.txt", &held, &nheld, &e) != 0)
		goto fail;
	if ((size_t)maxb < nheld)
		nheld = (size_t)maxb;
	ids = nc_tok_encode(&t, held, nheld, &n);
	lm_set_kernel(LM_KERNEL_BLAS);
	lm_set_threads(1);
	/* the float model's greedy continuation of the first ctx/4 held-out tokens */
	int np = m->cfg.ctx / 4;
	if ((size_t)np > n)
		np = (int)n;
	if (np < 1) {
		errf(&e, "no held-out tokens for a prompt");
		goto fail;
	}
	seq = xcalloc((size_t)np + (size_t)greedy, sizeof *seq);
	memcpy(seq, ids, (size_t)np * sizeof *seq);
	rng r;
	rng_seed(&r, 1, 4);
	rc = EXIT_INTERNAL;
	if (lm_generate(m, seq, np, (int)greedy, 0, 1, -1, &r, seq + np, &e) != (int)greedy)
		goto fail;
	size_t ns = (size_t)np + (size_t)greedy;
	ref = xcalloc(ns, sizeof *ref);
	am = xcalloc(ns, sizeof *am);
	href = xcalloc(n, sizeof *href);
	ham = xcalloc(n, sizeof *ham);
	int stride = m->cfg.ctx / 2;
	double lb, ly;
	if (nc_eval_bits(m, ids, n, t.len, stride, 1, &lb, &ly, &e) != 0)
		goto fail;
	lmbpb = lb / ly;
	for (int v = 0; v < NV; v++) {
		int g = var[v].group;
		if (g && (m->cfg.hidden % g || m->cfg.mlp % g)) {
			skip[v] = 1; /* reported as n/a */
			continue;
		}
		nc_qmodel *q = nc_qmodel_new(m, var[v].kind, var[v].group, &e);
		double bits, bytes, b2, y2;
		if (!q)
			goto fail;
		int ok = nc_qeval_bits(q, ids, n, t.len, stride, &bits, &bytes, v ? ham : href,
				       &e) == 0 &&
			 nc_qeval_bits(q, seq, ns, t.len, stride, &b2, &y2, v ? am : ref, &e) == 0;
		nc_qmodel_free(q);
		if (!ok)
			goto fail;
		bpb[v] = bits / bytes;
		long same = 0;
		for (size_t j = (size_t)np; j < ns; j++)
			same += (v ? am[j] : ref[j]) == ref[j];
		agree[v] = (double)same / (double)greedy;
		same = 0;
		for (size_t j = 1; j < n; j++)
			same += (v ? ham[j] : href[j]) == href[j];
		hagree[v] = (double)same / (double)(n - 1);
		if (!json)
			fprintf(stderr, "nanocoder quant: %s done\n", var[v].name);
	}
	if (json) {
		strbuf sb = {0};
		jw w;
		jw_init(&w, &sb);
		jw_obj(&w);
		jw_kstr(&w, "model", model);
		jw_klong(&w, "heldout_bytes", (long long)nheld);
		jw_klong(&w, "greedy_tokens", greedy);
		jw_kdouble(&w, "lm_float_bpb", lmbpb);
		jw_key(&w, "variants");
		jw_arr(&w);
		for (int v = 0; v < NV; v++) {
			jw_obj(&w);
			jw_kstr(&w, "name", var[v].name);
			if (skip[v]) {
				jw_kstr(&w, "skipped", "the group does not divide hidden or mlp");
			} else {
				jw_kdouble(&w, "bpb", bpb[v]);
				jw_kdouble(&w, "greedy_agreement", agree[v]);
				jw_kdouble(&w, "heldout_top1_agreement", hagree[v]);
			}
			jw_end_obj(&w);
		}
		jw_end_arr(&w);
		jw_end_obj(&w);
		printf("%s\n", sb.s);
		sb_free(&sb);
	} else {
		printf("held-out %zu bytes; agreement of the top token with the float path's: over "
		       "the float model's %ld greedy tokens after a %d-token held-out prompt "
		       "(greedy), and over the held-out text (held-out)\n", nheld, greedy, np);
		printf("%-10s %10s %10s %10s %10s\n", "variant", "bits/byte", "vs float", "greedy",
		       "held-out");
		printf("%-10s %10.4f %10s %10s   (lm_forward, the trained model as is)\n", "float lm",
		       lmbpb, "", "");
		for (int v = 0; v < NV; v++)
			if (skip[v])
				printf("%-10s %10s   (group %d does not divide %d and %d)\n", var[v].name,
				       "n/a", var[v].group, m->cfg.hidden, m->cfg.mlp);
			else
				printf("%-10s %10.4f %+10.4f %9.1f%% %9.1f%%\n", var[v].name, bpb[v],
				       bpb[v] - bpb[0], 100 * agree[v], 100 * hagree[v]);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "burn: nanocoder quant: %s\n", e.msg);
out:
	free(ids);
	free(seq);
	free(ref);
	free(am);
	free(href);
	free(ham);
	free(held);
	nc_tok_close(&t);
	lm_free(m);
	return rc;
}
