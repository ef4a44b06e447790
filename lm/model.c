/* model.c - the decoder: parameter and activation layout, init, forward, backward, LoRA. */
#include "lm/model.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "gen/rng.h"
#include "lm/layers.h"

/* Limits that keep every index and size product far from overflow. */
enum { MAX_DIM = 1 << 16, MAX_VOCAB = 1 << 20, MAX_LAYERS = 256 };

static const char *const param_names[LM_NPARAM] = {
	"wte", "wpe", "ln1w", "ln1b", "qkvw", "qkvb", "attprojw", "attprojb",
	"ln2w", "ln2b", "fcw", "fcb", "fcprojw", "fcprojb", "lnfw", "lnfb"};
static const bool param_decay[LM_NPARAM] = {1, 1, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0, 1, 0, 0, 0};
static const char *const lora_names[2 * LM_LORA_NPROJ] = {
	"lora.q.A", "lora.q.B", "lora.k.A", "lora.k.B", "lora.v.A", "lora.v.B",
	"lora.out.A", "lora.out.B", "lora.up.A", "lora.up.B", "lora.down.A", "lora.down.B"};

int lm_config_check(const lm_config *c, berr *e)
{
	if (c->vocab < 1 || c->vocab > MAX_VOCAB)
		return errf(e, "vocab %d is out of range 1..%d", c->vocab, MAX_VOCAB);
	if (c->ctx < 1 || c->ctx > MAX_DIM)
		return errf(e, "context %d is out of range 1..%d", c->ctx, MAX_DIM);
	if (c->hidden < 1 || c->hidden > MAX_DIM)
		return errf(e, "hidden %d is out of range 1..%d", c->hidden, MAX_DIM);
	if (c->heads < 1 || c->hidden % c->heads != 0)
		return errf(e, "heads %d must be >= 1 and divide hidden %d", c->heads, c->hidden);
	if (c->layers < 1 || c->layers > MAX_LAYERS)
		return errf(e, "layers %d is out of range 1..%d", c->layers, MAX_LAYERS);
	if (c->mlp < 1 || c->mlp > 4 * MAX_DIM)
		return errf(e, "mlp width %d is out of range 1..%d", c->mlp, 4 * MAX_DIM);
	if (c->tok < 0)
		return errf(e, "tokenizer kind %d is negative", c->tok);
	return 0;
}

int lm_lora_config_check(const lm_lora_config *lc, berr *e)
{
	if (lc->rank < 1 || lc->rank > 4096)
		return errf(e, "LoRA rank %d is out of range 1..4096", lc->rank);
	if (!isfinite(lc->alpha))
		return errf(e, "LoRA alpha is not a finite number");
	if (lc->targets == 0 || (lc->targets & ~(unsigned)LM_LORA_ALL))
		return errf(e, "LoRA targets 0x%x: want a non-empty set of q, k, v, out, up, down",
			    lc->targets);
	return 0;
}

static void param_sizes(const lm_config *c, size_t s[LM_NPARAM])
{
	size_t V = (size_t)c->vocab, C = (size_t)c->hidden, L = (size_t)c->layers,
	       M = (size_t)c->mlp;
	size_t sz[LM_NPARAM] = {V * C,     (size_t)c->ctx * C, L * C,     L * C,
				L * 3 * C * C, L * 3 * C,   L * C * C, L * C,
				L * C,     L * C,         L * M * C, L * M,
				L * C * M, L * C,         C,         C};
	memcpy(s, sz, sizeof sz);
}

size_t lm_config_nparams(const lm_config *c)
{
	size_t s[LM_NPARAM], n = 0;
	param_sizes(c, s);
	for (int i = 0; i < LM_NPARAM; i++)
		n += s[i];
	return n;
}

/* Input and output width of LoRA projection p. */
static void proj_dims(const lm_config *c, int p, int *in, int *out)
{
	*in = p == 5 ? c->mlp : c->hidden;
	*out = p == 4 ? c->mlp : c->hidden;
}

static void lora_sizes(const lm_config *c, const lm_lora_config *lc, size_t s[2 * LM_LORA_NPROJ])
{
	for (int p = 0; p < LM_LORA_NPROJ; p++) {
		int in, out;
		proj_dims(c, p, &in, &out);
		bool on = lc->targets & (1u << p);
		s[2 * p] = on ? (size_t)c->layers * lc->rank * in : 0;
		s[2 * p + 1] = on ? (size_t)c->layers * out * lc->rank : 0;
	}
}

/* Points ptrs[i] at consecutive regions of mem of sizes s[i]; fills the tensor table. */
static void point(float *mem, const size_t *s, float **const *ptrs, int n, lm_tensor *t,
		  const char *const *names, const bool *decay)
{
	size_t off = 0;
	for (int i = 0; i < n; i++) {
		if (ptrs[i])
			*ptrs[i] = mem ? mem + off : NULL;
		if (t)
			t[i] = (lm_tensor){names[i], off, s[i], decay ? decay[i] : true};
		off += s[i];
	}
}

static void point_params(lm_params *p, float *mem, const lm_config *c, lm_tensor *t)
{
	size_t s[LM_NPARAM];
	param_sizes(c, s);
	float **const ptrs[LM_NPARAM] = {&p->wte,  &p->wpe,     &p->ln1w,    &p->ln1b,
					 &p->qkvw, &p->qkvb,    &p->attprojw, &p->attprojb,
					 &p->ln2w, &p->ln2b,    &p->fcw,     &p->fcb,
					 &p->fcprojw, &p->fcprojb, &p->lnfw,  &p->lnfb};
	point(mem, s, ptrs, LM_NPARAM, t, param_names, param_decay);
}

static void point_lora(lm_lora_params *p, float *mem, const lm_config *c,
		       const lm_lora_config *lc, lm_tensor *t)
{
	size_t s[2 * LM_LORA_NPROJ];
	lora_sizes(c, lc, s);
	float **ptrs[2 * LM_LORA_NPROJ];
	for (int i = 0; i < LM_LORA_NPROJ; i++) {
		ptrs[2 * i] = &p->a[i];
		ptrs[2 * i + 1] = &p->b[i];
	}
	point(mem, s, (float **const *)ptrs, 2 * LM_LORA_NPROJ, t, lora_names, NULL);
}

/* ---- activations ---- */

enum { NACTS = 24 };

static void act_sizes(const lm_model *m, int B, int T, size_t s[NACTS])
{
	const lm_config *c = &m->cfg;
	size_t N = (size_t)B * T, C = (size_t)c->hidden, L = (size_t)c->layers,
	       M = (size_t)c->mlp, V = (size_t)c->vocab, NH = (size_t)c->heads;
	size_t r = m->has_lora ? (size_t)m->lcfg.rank : 0;
	size_t sz[NACTS] = {N * C,      L * N * C, L * N,  L * N,     L * N * 3 * C,
			    L * B * NH * T * T, L * N * C, L * N * C, L * N * C, L * N * C,
			    L * N,      L * N,     L * N * M, L * N * M, L * N * C,
			    L * N * C,  N * C,     N,      N,         N * V,
			    N * V,      N,         N,      LM_LORA_NPROJ * L * N * r};
	memcpy(s, sz, sizeof sz);
}

/* The addresses of a's pointers, in layout order. */
static void act_ptrs(lm_acts *a, float **ptrs[NACTS])
{
	float **const p[NACTS] = {
		&a->encoded, &a->ln1,      &a->ln1_mean, &a->ln1_rstd, &a->qkv,    &a->att,
		&a->atty,    &a->attproj,  &a->res1,     &a->ln2,      &a->ln2_mean, &a->ln2_rstd,
		&a->fch,     &a->fch_relu, &a->fcproj,   &a->res2,     &a->lnf,    &a->lnf_mean,
		&a->lnf_rstd, &a->logits,  &a->probs,    &a->losses,   &a->wloss,  &a->lora_u};
	memcpy(ptrs, p, sizeof p);
}

static void point_acts(lm_acts *a, float *mem, const size_t *s)
{
	float **ptrs[NACTS];
	act_ptrs(a, ptrs);
	point(mem, s, (float **const *)ptrs, NACTS, NULL, NULL, NULL);
}

static void free_acts(lm_model *m)
{
	free(m->acts_mem);
	free(m->dacts_mem);
	free(m->tokens);
	m->acts_mem = m->dacts_mem = NULL;
	m->tokens = NULL;
	m->maxB = m->maxT = 0;
	m->nacts = 0;
	m->has_loss = false;
	memset(&m->a, 0, sizeof m->a);
	memset(&m->da, 0, sizeof m->da);
}

/* Makes room for a forward pass over (B, T). */
static void ensure_acts(lm_model *m, int B, int T)
{
	if (m->acts_mem && B <= m->maxB && T <= m->maxT)
		return;
	int nb = B > m->maxB ? B : m->maxB, nt = T > m->maxT ? T : m->maxT;
	free_acts(m);
	size_t s[NACTS], n = 0;
	act_sizes(m, nb, nt, s);
	for (int i = 0; i < NACTS; i++)
		n += s[i];
	m->acts_mem = xcalloc(n, sizeof(float));
	point_acts(&m->a, m->acts_mem, s);
	m->tokens = xcalloc(2 * (size_t)nb * nt, sizeof(int));
	m->maxB = nb;
	m->maxT = nt;
	m->nacts = n;
}

void lm_reserve(lm_model *m, int B, int T)
{
	if (B >= 1 && T >= 1 && T <= m->cfg.ctx)
		ensure_acts(m, B, T);
}

/* ---- init ---- */

/* A standard normal draw (Box-Muller on two uniforms). */
static double gauss(rng *r)
{
	double u = 1.0 - rng_unit(r), v = rng_unit(r);
	return sqrt(-2.0 * log(u)) * cos(6.283185307179586 * v);
}

static void fill_normal(float *x, size_t n, double std, rng *r)
{
	for (size_t i = 0; i < n; i++)
		x[i] = (float)(std * gauss(r));
}

static void fill_const(float *x, size_t n, float v)
{
	for (size_t i = 0; i < n; i++)
		x[i] = v;
}

lm_model *lm_new(const lm_config *c, uint64_t seed, berr *e)
{
	if (lm_config_check(c, e) != 0)
		return NULL;
	lm_model *m = xcalloc(1, sizeof *m);
	m->cfg = *c;
	m->nparams = lm_config_nparams(c);
	m->params_mem = xcalloc(m->nparams, sizeof(float));
	point_params(&m->p, m->params_mem, c, m->ptensors);
	rng r;
	rng_seed(&r, seed, 0x6c6d); /* stream "lm" */
	double std = 0.02, proj_std = 0.02 / sqrt(2.0 * c->layers);
	for (int i = 0; i < LM_NPARAM; i++) {
		const lm_tensor *t = &m->ptensors[i];
		float *x = m->params_mem + t->off;
		if (strcmp(t->name, "ln1w") == 0 || strcmp(t->name, "ln2w") == 0 ||
		    strcmp(t->name, "lnfw") == 0)
			fill_const(x, t->n, 1);
		else if (strcmp(t->name, "attprojw") == 0 || strcmp(t->name, "fcprojw") == 0)
			fill_normal(x, t->n, proj_std, &r);
		else if (t->decay)
			fill_normal(x, t->n, std, &r);
		/* biases and LayerNorm shifts stay 0 */
	}
	return m;
}

static void free_lora(lm_model *m)
{
	free(m->lora_mem);
	free(m->lora_grads_mem);
	m->lora_mem = m->lora_grads_mem = NULL;
	memset(&m->lp, 0, sizeof m->lp);
	memset(&m->lg, 0, sizeof m->lg);
	m->has_lora = m->lora_on = false;
	m->nlora = 0;
}

void lm_free(lm_model *m)
{
	if (!m)
		return;
	free_acts(m);
	free_lora(m);
	free(m->params_mem);
	free(m->grads_mem);
	free(m);
}

int lm_lora_add(lm_model *m, const lm_lora_config *lc, uint64_t seed, berr *e)
{
	if (lm_lora_config_check(lc, e) != 0)
		return -1;
	free_lora(m);
	free_acts(m); /* the adapters' activations change the layout */
	m->lcfg = *lc;
	m->has_lora = m->lora_on = true;
	size_t s[2 * LM_LORA_NPROJ];
	lora_sizes(&m->cfg, lc, s);
	for (int i = 0; i < 2 * LM_LORA_NPROJ; i++)
		m->nlora += s[i];
	m->lora_mem = xcalloc(m->nlora, sizeof(float));
	point_lora(&m->lp, m->lora_mem, &m->cfg, lc, m->ltensors);
	rng r;
	rng_seed(&r, seed, 0x6c6f7261); /* stream "lora" */
	for (int p = 0; p < LM_LORA_NPROJ; p++) {
		int in, out;
		proj_dims(&m->cfg, p, &in, &out);
		const lm_tensor *t = &m->ltensors[2 * p];
		double bound = 1.0 / sqrt((double)in);
		for (size_t i = 0; i < t->n; i++)
			m->lora_mem[t->off + i] = (float)(bound * (2.0 * rng_unit(&r) - 1.0));
		/* B stays zero: the adapted model starts as the base model */
	}
	if (m->mode == LM_TRAIN_LORA)
		m->lora_grads_mem = xcalloc(m->nlora, sizeof(float));
	point_lora(&m->lg, m->lora_grads_mem, &m->cfg, lc, NULL);
	return 0;
}

void lm_lora_enable(lm_model *m, bool on)
{
	m->lora_on = on && m->has_lora;
}

int lm_set_mode(lm_model *m, lm_train_mode mode, berr *e)
{
	if (mode == LM_TRAIN_LORA && !m->has_lora)
		return errf(e, "LoRA training needs adapters (lm_lora_add)");
	if (mode == LM_TRAIN_BASE && !m->grads_mem) {
		m->grads_mem = xcalloc(m->nparams, sizeof(float));
		point_params(&m->g, m->grads_mem, &m->cfg, NULL);
	}
	if (mode == LM_TRAIN_LORA) {
		if (!m->lora_grads_mem) {
			m->lora_grads_mem = xcalloc(m->nlora, sizeof(float));
			point_lora(&m->lg, m->lora_grads_mem, &m->cfg, &m->lcfg, NULL);
		}
		m->lora_on = true;
	}
	m->mode = mode;
	return 0;
}

lm_block lm_trainable(lm_model *m)
{
	if (m->mode == LM_TRAIN_BASE)
		return (lm_block){m->params_mem, m->grads_mem, m->nparams, m->ptensors, LM_NPARAM};
	if (m->mode == LM_TRAIN_LORA)
		return (lm_block){m->lora_mem, m->lora_grads_mem, m->nlora, m->ltensors,
				  2 * LM_LORA_NPROJ};
	return (lm_block){0};
}

void lm_zero_grad(lm_model *m)
{
	lm_block b = lm_trainable(m);
	if (b.n)
		memset(b.grads, 0, b.n * sizeof(float));
}

/* ---- forward ---- */

/* The LoRA scale alpha / r. */
static float lora_scale(const lm_model *m)
{
	return m->lcfg.alpha / (float)m->lcfg.rank;
}

static bool lora_has(const lm_model *m, int p)
{
	return m->lora_on && (m->lcfg.targets & (1u << p));
}

/* Offsets of layer l's A and B of projection p, and of its u activations (N rows). */
static size_t lora_aoff(const lm_model *m, int p, int l)
{
	int in, out;
	proj_dims(&m->cfg, p, &in, &out);
	return (size_t)l * m->lcfg.rank * in;
}

static size_t lora_boff(const lm_model *m, int p, int l)
{
	int in, out;
	proj_dims(&m->cfg, p, &in, &out);
	return (size_t)l * out * m->lcfg.rank;
}

static size_t lora_uoff(const lm_model *m, int p, int l, int N)
{
	return ((size_t)p * m->cfg.layers + l) * N * m->lcfg.rank;
}

/* Adds adapter p of layer l to out (row stride ldo) for input inp. */
static void lora_fwd(lm_model *m, int p, int l, float *out, int ldo, const float *inp, int N)
{
	if (!lora_has(m, p))
		return;
	int in, o;
	proj_dims(&m->cfg, p, &in, &o);
	lm_lora_fwd(out, ldo, m->a.lora_u + lora_uoff(m, p, l, N), inp,
		    m->lp.a[p] + lora_aoff(m, p, l), m->lp.b[p] + lora_boff(m, p, l), lora_scale(m),
		    N, in, o, m->lcfg.rank);
}

int lm_forward_weighted(lm_model *m, const int *inputs, const int *targets, const float *weights,
			int B, int T, berr *e)
{
	const lm_config *c = &m->cfg;
	if (B < 1 || T < 1 || T > c->ctx)
		return errf(e, "batch shape (%d, %d): want B >= 1 and 1 <= T <= context %d", B, T,
			    c->ctx);
	long N = (long)B * T;
	long widest = 3L * c->hidden > c->mlp ? 3L * c->hidden : c->mlp;
	widest = widest > c->vocab ? widest : c->vocab;
	widest = widest > (long)c->heads * T ? widest : (long)c->heads * T;
	if ((double)N * widest >= 2147483648.0)
		return errf(e, "batch shape (%d, %d) is too large: a matrix would pass 2^31 entries",
			    B, T);
	for (long i = 0; i < N; i++) {
		if (inputs[i] < 0 || inputs[i] >= c->vocab)
			return errf(e, "input token %d at %ld is outside the vocabulary 0..%d",
				    inputs[i], i, c->vocab - 1);
		if (targets && (targets[i] < LM_IGNORE || targets[i] >= c->vocab))
			return errf(e, "target %d at %ld is neither a token 0..%d nor ignored (%d)",
				    targets[i], i, c->vocab - 1, LM_IGNORE);
	}
	ensure_acts(m, B, T);
	int C = c->hidden, L = c->layers, NH = c->heads, M = c->mlp, V = c->vocab;
	int *in = m->tokens, *tgt = m->tokens + N;
	memcpy(in, inputs, (size_t)N * sizeof(int));
	if (targets)
		memcpy(tgt, targets, (size_t)N * sizeof(int));
	m->B = B;
	m->T = T;
	const lm_params *p = &m->p;
	lm_acts *a = &m->a;

	lm_embed_fwd(a->encoded, in, p->wte, p->wpe, B, T, C);
	const float *x = a->encoded;
	for (int l = 0; l < L; l++) {
		long nc = N * C;
		float *ln1 = a->ln1 + l * nc, *qkv = a->qkv + l * 3 * nc;
		float *att = a->att + (long)l * B * NH * T * T, *atty = a->atty + l * nc;
		float *attproj = a->attproj + l * nc, *res1 = a->res1 + l * nc;
		float *ln2 = a->ln2 + l * nc, *fch = a->fch + l * N * M;
		float *fch_relu = a->fch_relu + l * N * M, *fcproj = a->fcproj + l * nc;
		float *res2 = a->res2 + l * nc;

		lm_layernorm_fwd(ln1, a->ln1_mean + l * N, a->ln1_rstd + l * N, x,
				 p->ln1w + l * C, p->ln1b + l * C, (int)N, C);
		lm_linear_fwd(qkv, ln1, p->qkvw + (long)l * 3 * C * C, p->qkvb + l * 3 * C, (int)N,
			      C, 3 * C);
		for (int j = 0; j < 3; j++)
			lora_fwd(m, j, l, qkv + j * C, 3 * C, ln1, (int)N);
		lm_attention_fwd(atty, att, qkv, B, T, C, NH);
		lm_linear_fwd(attproj, atty, p->attprojw + (long)l * C * C, p->attprojb + l * C,
			      (int)N, C, C);
		lora_fwd(m, 3, l, attproj, C, atty, (int)N);
		lm_residual_fwd(res1, x, attproj, nc);
		lm_layernorm_fwd(ln2, a->ln2_mean + l * N, a->ln2_rstd + l * N, res1,
				 p->ln2w + l * C, p->ln2b + l * C, (int)N, C);
		lm_linear_fwd(fch, ln2, p->fcw + (long)l * M * C, p->fcb + l * M, (int)N, C, M);
		lora_fwd(m, 4, l, fch, M, ln2, (int)N);
		lm_relu_fwd(fch_relu, fch, N * M);
		lm_linear_fwd(fcproj, fch_relu, p->fcprojw + (long)l * C * M, p->fcprojb + l * C,
			      (int)N, M, C);
		lora_fwd(m, 5, l, fcproj, C, fch_relu, (int)N);
		lm_residual_fwd(res2, res1, fcproj, nc);
		x = res2;
	}
	lm_layernorm_fwd(a->lnf, a->lnf_mean, a->lnf_rstd, x, p->lnfw, p->lnfb, (int)N, C);
	lm_linear_fwd(a->logits, a->lnf, p->wte, NULL, (int)N, C, V);

	m->has_loss = targets != NULL;
	m->loss = 0;
	m->loss_count = 0;
	if (!targets)
		return 0;
	for (long i = 0; i < N; i++)
		m->loss_count += tgt[i] != LM_IGNORE;
	for (long i = 0; i < N; i++)
		a->wloss[i] = tgt[i] == LM_IGNORE ? 0
			      : weights        ? weights[i]
					       : 1.0f / (float)m->loss_count;
	lm_crossentropy_fwd(a->probs, a->losses, a->logits, tgt, (int)N, V);
	double loss = 0;
	for (long i = 0; i < N; i++)
		loss += (double)a->wloss[i] * a->losses[i];
	m->loss = (float)loss;
	return 0;
}

int lm_forward(lm_model *m, const int *inputs, const int *targets, int B, int T, berr *e)
{
	return lm_forward_weighted(m, inputs, targets, NULL, B, T, e);
}

/* ---- backward ---- */

/* Backward of adapter p of layer l: dinp += ...; dA, dB += ... when training LoRA. */
static void lora_bwd(lm_model *m, int p, int l, float *dinp, const float *dout, int ldo,
		     const float *inp, int N)
{
	if (!lora_has(m, p))
		return;
	int in, o;
	proj_dims(&m->cfg, p, &in, &o);
	bool train = m->mode == LM_TRAIN_LORA;
	size_t ao = lora_aoff(m, p, l), bo = lora_boff(m, p, l), uo = lora_uoff(m, p, l, N);
	lm_lora_bwd(dinp, train ? m->lg.a[p] + ao : NULL, train ? m->lg.b[p] + bo : NULL,
		    m->da.lora_u + uo, dout, ldo, inp, m->a.lora_u + uo, m->lp.a[p] + ao,
		    m->lp.b[p] + bo, lora_scale(m), N, in, o, m->lcfg.rank);
}

int lm_backward(lm_model *m, berr *e)
{
	if (m->mode == LM_TRAIN_NONE)
		return errf(e, "backward needs a training mode (lm_set_mode)");
	if (!m->has_loss)
		return errf(e, "backward needs a forward pass with targets");
	const lm_config *c = &m->cfg;
	int B = m->B, T = m->T, C = c->hidden, L = c->layers, NH = c->heads, M = c->mlp,
	    V = c->vocab;
	long N = (long)B * T, nc = N * C;
	if (!m->dacts_mem) {
		size_t s[NACTS];
		act_sizes(m, m->maxB, m->maxT, s);
		m->dacts_mem = xcalloc(m->nacts, sizeof(float));
		point_acts(&m->da, m->dacts_mem, s);
	}
	{ /* zero the part of every accumulated activation gradient this (B, T) uses (datt
	   * and du are scratch, written before they are read) */
		size_t s[NACTS];
		act_sizes(m, B, T, s);
		float **d[NACTS];
		act_ptrs(&m->da, d);
		for (int i = 0; i < NACTS; i++)
			if (s[i] && *d[i] != m->da.att && *d[i] != m->da.lora_u)
				memset(*d[i], 0, s[i] * sizeof(float));
	}
	bool base = m->mode == LM_TRAIN_BASE;
	const lm_params *p = &m->p;
	const lm_acts *a = &m->a;
	lm_acts *da = &m->da;
	lm_params *g = &m->g;
	const int *in = m->tokens, *tgt = m->tokens + N;
#define G(name, off) (base ? g->name + (off) : NULL)

	lm_crossentropy_bwd(da->logits, a->probs, tgt, a->wloss, (int)N, V);
	lm_linear_bwd(da->lnf, G(wte, 0), NULL, da->logits, a->lnf, p->wte, (int)N, C, V);
	lm_layernorm_bwd(da->res2 + (L - 1) * nc, G(lnfw, 0), G(lnfb, 0), da->lnf,
			 a->res2 + (L - 1) * nc, p->lnfw, a->lnf_mean, a->lnf_rstd, (int)N, C);
	for (int l = L - 1; l >= 0; l--) {
		const float *x = l == 0 ? a->encoded : a->res2 + (l - 1) * nc;
		float *dx = l == 0 ? da->encoded : da->res2 + (l - 1) * nc;
		long ln = l * N, lnc = l * nc, lnm = l * N * M;
		long latt = (long)l * B * NH * T * T;

		lm_residual_bwd(da->res1 + lnc, da->fcproj + lnc, da->res2 + lnc, nc);
		lora_bwd(m, 5, l, da->fch_relu + lnm, da->fcproj + lnc, C, a->fch_relu + lnm,
			 (int)N);
		lm_linear_bwd(da->fch_relu + lnm, G(fcprojw, (long)l * C * M), G(fcprojb, l * C),
			      da->fcproj + lnc, a->fch_relu + lnm, p->fcprojw + (long)l * C * M,
			      (int)N, M, C);
		lm_relu_bwd(da->fch + lnm, da->fch_relu + lnm, a->fch + lnm, N * M);
		lora_bwd(m, 4, l, da->ln2 + lnc, da->fch + lnm, M, a->ln2 + lnc, (int)N);
		lm_linear_bwd(da->ln2 + lnc, G(fcw, (long)l * M * C), G(fcb, l * M), da->fch + lnm,
			      a->ln2 + lnc, p->fcw + (long)l * M * C, (int)N, C, M);
		lm_layernorm_bwd(da->res1 + lnc, G(ln2w, l * C), G(ln2b, l * C), da->ln2 + lnc,
				 a->res1 + lnc, p->ln2w + l * C, a->ln2_mean + ln, a->ln2_rstd + ln,
				 (int)N, C);
		lm_residual_bwd(dx, da->attproj + lnc, da->res1 + lnc, nc);
		lora_bwd(m, 3, l, da->atty + lnc, da->attproj + lnc, C, a->atty + lnc, (int)N);
		lm_linear_bwd(da->atty + lnc, G(attprojw, (long)l * C * C), G(attprojb, l * C),
			      da->attproj + lnc, a->atty + lnc, p->attprojw + (long)l * C * C,
			      (int)N, C, C);
		lm_attention_bwd(da->qkv + 3 * lnc, da->att + latt, da->atty + lnc,
				 a->qkv + 3 * lnc, a->att + latt, B, T, C, NH);
		for (int j = 0; j < 3; j++)
			lora_bwd(m, j, l, da->ln1 + lnc, da->qkv + 3 * lnc + j * C, 3 * C,
				 a->ln1 + lnc, (int)N);
		lm_linear_bwd(da->ln1 + lnc, G(qkvw, (long)l * 3 * C * C), G(qkvb, l * 3 * C),
			      da->qkv + 3 * lnc, a->ln1 + lnc, p->qkvw + (long)l * 3 * C * C,
			      (int)N, C, 3 * C);
		lm_layernorm_bwd(dx, G(ln1w, l * C), G(ln1b, l * C), da->ln1 + lnc, x,
				 p->ln1w + l * C, a->ln1_mean + ln, a->ln1_rstd + ln, (int)N, C);
	}
	if (base)
		lm_embed_bwd(g->wte, g->wpe, da->encoded, in, B, T, C);
#undef G
	return 0;
}
