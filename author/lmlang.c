/* lmlang.c - the LM author's config language: tokens, prompt, completion (lmlang.h). */
#include "author/lmlang.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ll_push(ll_seq *s, int t)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 256;
		s->v = xreallocarray(s->v, (size_t)s->cap, sizeof *s->v);
	}
	s->v[s->n++] = t;
}

void ll_push_num(ll_seq *s, long v)
{
	if (v < 0) {
		ll_push(s, LL_NEG);
		v = -v;
	}
	if (v > 99999999)
		v = 99999999;
	if (v < 100) {
		ll_push(s, LL_N0 + (int)v);
		return;
	}
	int k = v < 10000 ? 2 : v < 1000000 ? 3 : 4;
	ll_push(s, LL_X2 + k - 2);
	long div = 1;
	for (int i = 1; i < k; i++)
		div *= 100;
	for (; div; div /= 100)
		ll_push(s, LL_N0 + (int)(v / div % 100));
}

void ll_free(ll_seq *s)
{
	free(s->v);
	*s = (ll_seq){0};
}

/* A type: sign, q, o, W (1 token), I (at most 2: LL_NEG and a number below 100). */
enum { TYPE_MAX = 6, LAYER_MAX = 1 + 4 * TYPE_MAX + 1 + 5 + 1 };

int ll_completion_max(int n_layers)
{
	return 1 + TYPE_MAX + n_layers * LAYER_MAX + 1;
}

static void push_type(ll_seq *s, const fx_type *t)
{
	ll_push(s, t->sign ? LL_SIGNED : LL_UNSIGNED);
	ll_push(s, LL_Q0 + (int)t->q);
	ll_push(s, LL_O0 + (int)t->o);
	ll_push_num(s, t->w);
	ll_push_num(s, t->i);
}

void ll_encode_config(const config *c, ll_seq *s)
{
	ll_push(s, LL_INPUT);
	push_type(s, &c->input);
	for (int l = 0; l < c->n_layers; l++) {
		const layer_cfg *lc = &c->layers[l];
		ll_push(s, LL_L);
		push_type(s, &lc->weight);
		push_type(s, &lc->bias);
		push_type(s, &lc->accum);
		push_type(s, &lc->result);
		ll_push(s, lc->strategy == HLS_RESOURCE ? LL_RESOURCE : LL_LATENCY);
		ll_push_num(s, lc->reuse);
		ll_push(s, LL_WF0 + (int)lc->wfmt);
	}
	ll_push(s, LL_EOS);
}

const char *ll_token_name(int t, char buf[16])
{
	static const char *const kw[] = {"X2", "X3", "X4", "-", "TASK", "LAYER", "relu", "linear",
		"bias", "nobias", "PART", "CLOCK", "EPS", "WEIGHTS", "BEST", "FAIL", "ERR", "ENDERR",
		"nan", "failed", "accuracy", "budget", "feasible", "ANSWER", "INPUT", "L", "s", "u"};
	if (t >= 0 && t < 256)
		snprintf(buf, 16, "byte%d", t);
	else if (t == LL_BOS || t == LL_EOS || t == LL_PAD)
		snprintf(buf, 16, "%s", t == LL_BOS ? "BOS" : t == LL_EOS ? "EOS" : "PAD");
	else if (t >= LL_N0 && t < LL_N0 + 100)
		snprintf(buf, 16, "%d", t - LL_N0);
	else if (t >= LL_X2 && t <= LL_UNSIGNED)
		snprintf(buf, 16, "%s", kw[t - LL_X2]);
	else if (t >= LL_Q0 && t < LL_Q0 + 7)
		snprintf(buf, 16, "%s", fx_qname((fx_qmode)(t - LL_Q0)));
	else if (t >= LL_O0 && t < LL_O0 + 5)
		snprintf(buf, 16, "%s", fx_oname((fx_omode)(t - LL_O0)));
	else if (t == LL_LATENCY || t == LL_RESOURCE)
		snprintf(buf, 16, "%s", t == LL_LATENCY ? "Latency" : "Resource");
	else if (t >= LL_WF0 && t < LL_WF0 + WF_COUNT)
		snprintf(buf, 16, "%s", config_wfmt_name((weight_format)(t - LL_WF0)));
	else if (t == LL_MEM)
		snprintf(buf, 16, "MEM");
	else
		snprintf(buf, 16, "?%d", t);
	return buf;
}

/* ---- decoding a completion ---- */

typedef struct {
	const int *t;
	int n, pos;
	berr *e;
} reader;

static int bad(reader *r, const char *want)
{
	char b[16];
	if (r->pos >= r->n)
		return errf(r->e, "completion: token %d: the completion ends where %s was expected",
			    r->pos, want);
	return errf(r->e, "completion: token %d: '%s' where %s was expected", r->pos,
		    ll_token_name(r->t[r->pos], b), want);
}

static int next_is(reader *r, int tok)
{
	if (r->pos < r->n && r->t[r->pos] == tok) {
		r->pos++;
		return 1;
	}
	return 0;
}

static int read_num(reader *r, long *v, const char *what)
{
	bool neg = next_is(r, LL_NEG);
	if (r->pos >= r->n)
		return bad(r, what);
	int t = r->t[r->pos];
	if (t >= LL_N0 && t < LL_N0 + 100) {
		r->pos++;
		*v = neg ? -(t - LL_N0) : t - LL_N0;
		return 0;
	}
	if (t < LL_X2 || t > LL_X4)
		return bad(r, what);
	r->pos++;
	int k = t - LL_X2 + 2;
	long x = 0;
	for (int i = 0; i < k; i++) {
		if (r->pos >= r->n || r->t[r->pos] < LL_N0 || r->t[r->pos] >= LL_N0 + 100)
			return bad(r, "a base-100 digit");
		x = 100 * x + (r->t[r->pos++] - LL_N0);
	}
	*v = neg ? -x : x;
	return 0;
}

static int read_type(reader *r, strbuf *y, const char *key)
{
	bool sign;
	if (next_is(r, LL_SIGNED))
		sign = true;
	else if (next_is(r, LL_UNSIGNED))
		sign = false;
	else
		return bad(r, "a type's sign");
	if (r->pos >= r->n || r->t[r->pos] < LL_Q0 || r->t[r->pos] >= LL_Q0 + 7)
		return bad(r, "a quantization mode");
	fx_qmode q = (fx_qmode)(r->t[r->pos++] - LL_Q0);
	if (r->pos >= r->n || r->t[r->pos] < LL_O0 || r->t[r->pos] >= LL_O0 + 5)
		return bad(r, "an overflow mode");
	fx_omode o = (fx_omode)(r->t[r->pos++] - LL_O0);
	long w, i;
	if (read_num(r, &w, "a width") != 0 || read_num(r, &i, "integer bits") != 0)
		return -1;
	sb_printf(y, "%s: %s<%ld,%ld,%s,%s>\n", key, sign ? "ap_fixed" : "ap_ufixed", w, i,
		  fx_qname(q), fx_oname(o));
	return 0;
}

int ll_decode_config(const int *t, int n, const project *p, strbuf *yaml, int *layers_ok,
		     berr *e)
{
	reader r = {t, n, 0, e};
	*layers_ok = 0;
	sb_puts(yaml, "LayerName:\n  input:\n    Precision:\n      ");
	if (!next_is(&r, LL_INPUT))
		return bad(&r, "INPUT");
	if (read_type(&r, yaml, "result") != 0)
		return -1;
	static const char *const keys[] = {"weight", "bias", "accum", "result"};
	for (int l = 0; l < p->n_layers; l++) {
		if (!next_is(&r, LL_L))
			return bad(&r, "L (the next layer)");
		sb_printf(yaml, "  %s:\n    Precision:\n", p->layers[l].name);
		for (int k = 0; k < 4; k++) {
			sb_puts(yaml, "      ");
			if (read_type(&r, yaml, keys[k]) != 0)
				return -1;
		}
		const char *strat;
		if (next_is(&r, LL_LATENCY))
			strat = "Latency";
		else if (next_is(&r, LL_RESOURCE))
			strat = "Resource";
		else
			return bad(&r, "a Strategy");
		long rf;
		if (read_num(&r, &rf, "a ReuseFactor") != 0)
			return -1;
		sb_printf(yaml, "    ReuseFactor: %ld\n    Strategy: %s\n", rf, strat);
		if (r.pos >= r.n || r.t[r.pos] < LL_WF0 || r.t[r.pos] >= LL_WF0 + WF_COUNT)
			return bad(&r, "a WeightFormat");
		weight_format f = (weight_format)(r.t[r.pos++] - LL_WF0);
		if (f != WF_ROM) /* rom is the default: a rom config keeps its YAML */
			sb_printf(yaml, "    WeightFormat: %s\n", config_wfmt_name(f));
		++*layers_ok;
	}
	if (!next_is(&r, LL_EOS))
		return bad(&r, "EOS (the block has no more layers)");
	return r.pos;
}

/* ---- the completion grammar (constrained decoding) ---- */

enum { K_INPUT, K_L, K_EOS, K_DONE, K_SIGN, K_Q, K_O, K_W, K_I, K_STRAT, K_RF, K_WF };

/* The slot layout: INPUT and its 5 type fields, then per layer L, 4 types of 5 fields, the
 * Strategy, the ReuseFactor and the WeightFormat (24 slots), then EOS. */
enum { G_LAYER0 = 6, G_PER_LAYER = 24 };

static int slot_kind(const ll_gram *g)
{
	static const int field[] = {K_SIGN, K_Q, K_O, K_W, K_I};
	int end = G_LAYER0 + g->n_layers * G_PER_LAYER;
	if (g->slot == 0)
		return K_INPUT;
	if (g->slot < G_LAYER0)
		return field[g->slot - 1];
	if (g->slot == end)
		return K_EOS;
	if (g->slot > end)
		return K_DONE;
	int o = (g->slot - G_LAYER0) % G_PER_LAYER;
	return o == 0 ? K_L : o <= 20 ? field[(o - 1) % 5] : o == 21 ? K_STRAT : o == 22 ? K_RF
	     : K_WF;
}

/* The layer of the slot in progress (valid inside a layer). */
static int slot_layer(const ll_gram *g) { return (g->slot - G_LAYER0) / G_PER_LAYER; }

static bool is_digit(int t) { return t >= LL_N0 && t < LL_N0 + 100; }

void ll_gram_init(ll_gram *g, int n_layers)
{
	*g = (ll_gram){.n_layers = n_layers};
}

static int cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;
	return (x > y) - (x < y);
}

void ll_gram_init_project(ll_gram *g, const project *p)
{
	ll_gram_init(g, p->n_layers);
	ll_layer_rules *R = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *R);
	for (int l = 0; l < p->n_layers; l++) {
		const layer *ly = &p->layers[l];
		long n = (long)ly->n_in * ly->n_out, lo, hi;
		R[l].max_rf = n < MAX_REUSE ? n : MAX_REUSE;
		/* every RF hls4ml accepts divides n_in * n_out: walk the divisor pairs */
		int cap = 0;
		for (long d = 1; d * d <= n; d++) {
			if (n % d)
				continue;
			long pair[2] = {d, n / d};
			for (int k = 0; k < (pair[0] == pair[1] ? 1 : 2); k++)
				if (pair[k] <= R[l].max_rf &&
				    hls4ml_rf_valid(ly->n_in, ly->n_out, pair[k], &lo, &hi)) {
					if (R[l].n_res == cap) {
						cap = cap ? 2 * cap : 16;
						R[l].res_rf = xreallocarray(R[l].res_rf, (size_t)cap,
									    sizeof *R[l].res_rf);
					}
					R[l].res_rf[R[l].n_res++] = pair[k];
				}
		}
		qsort(R[l].res_rf, (size_t)R[l].n_res, sizeof *R[l].res_rf, cmp_long);
		R[l].wf_ok[WF_ROM] = true;
		for (int f = WF_W8; f < WF_COUNT; f++) {
			berr e;
			R[l].wf_ok[f] = p->part.mem_gbps > 0 &&
					config_wfmt_fits((weight_format)f, ly->n_in, ly->n_out, &e) == 0;
		}
	}
	g->rules = g->owned = R;
}

void ll_gram_free(ll_gram *g)
{
	for (int l = 0; g->owned && l < g->n_layers; l++)
		free(g->owned[l].res_rf);
	free(g->owned);
	g->owned = NULL;
	g->rules = NULL;
}

/* True if the ReuseFactor of the layer in progress may take some value in [lo, hi]. */
static bool rf_any(const ll_gram *g, long lo, long hi)
{
	if (!g->rules)
		return lo <= MAX_REUSE && hi >= 1;
	const ll_layer_rules *R = &g->rules[slot_layer(g)];
	if (!g->resource)
		return lo <= R->max_rf && hi >= 1;
	int a = 0, b = R->n_res; /* the first accepted RF >= lo */
	while (a < b) {
		int m = (a + b) / 2;
		if (R->res_rf[m] < lo)
			a = m + 1;
		else
			b = m;
	}
	return a < R->n_res && R->res_rf[a] <= hi;
}

static long pow100(int k)
{
	long v = 1;
	while (k-- > 0)
		v *= 100;
	return v;
}

bool ll_gram_allows(const ll_gram *g, int t)
{
	if (g->left > 0) { /* a ReuseFactor's base-100 digits: no leading zero, a value allowed */
		if (!is_digit(t) || (g->val == 0 && t == LL_N0))
			return false;
		long v = g->val * 100 + (t - LL_N0), m = pow100(g->left - 1);
		return rf_any(g, v * m, (v + 1) * m - 1);
	}
	switch (slot_kind(g)) {
	case K_INPUT: return t == LL_INPUT;
	case K_L: return t == LL_L;
	case K_EOS: return t == LL_EOS;
	case K_DONE: return false;
	case K_SIGN: return t == LL_SIGNED || t == LL_UNSIGNED;
	case K_Q: return t >= LL_Q0 && t < LL_Q0 + 7;
	case K_O: return t >= LL_O0 && t < LL_O0 + 5 && (g->sign || t != LL_O0 + (int)FX_WRAP_SM);
	case K_W: return t >= LL_N0 + 1 && t <= LL_N0 + FX_W_MAX;
	case K_I: return g->neg ? t > LL_N0 && is_digit(t) : t == LL_NEG || is_digit(t);
	case K_STRAT: return t == LL_LATENCY || t == LL_RESOURCE;
	case K_RF:
		if (t > LL_N0 && is_digit(t))
			return rf_any(g, t - LL_N0, t - LL_N0);
		if (t >= LL_X2 && t <= LL_X4) {
			int k = t - LL_X2 + 2;
			return rf_any(g, pow100(k - 1), pow100(k) - 1);
		}
		return false;
	default: /* K_WF */
		return t >= LL_WF0 && t < LL_WF0 + WF_COUNT &&
		       (!g->rules || g->rules[slot_layer(g)].wf_ok[t - LL_WF0]);
	}
}

int ll_gram_mask(const ll_gram *g, uint64_t mask[LL_MASK_WORDS])
{
	int n = 0;
	memset(mask, 0, LL_MASK_WORDS * sizeof *mask);
	for (int t = 0; t < LL_VOCAB; t++)
		if (ll_gram_allows(g, t)) {
			mask[t / 64] |= (uint64_t)1 << (t % 64);
			n++;
		}
	return n;
}

int ll_gram_push(ll_gram *g, int t)
{
	if (!ll_gram_allows(g, t))
		return -1;
	if (g->left > 0) {
		g->val = g->val * 100 + (t - LL_N0);
		if (--g->left == 0) {
			g->val = 0;
			g->slot++;
		}
		return 0;
	}
	int k = slot_kind(g);
	if (k == K_I && t == LL_NEG) {
		g->neg = true;
		return 0;
	}
	if (k == K_RF && t >= LL_X2 && t <= LL_X4) {
		g->left = t - LL_X2 + 2;
		g->val = 0;
		return 0;
	}
	if (k == K_SIGN)
		g->sign = t == LL_SIGNED;
	if (k == K_STRAT)
		g->resource = t == LL_RESOURCE;
	g->neg = false;
	g->slot++;
	return 0;
}

bool ll_gram_done(const ll_gram *g)
{
	return slot_kind(g) == K_DONE;
}

/* ---- the prompt ---- */

/* A real number as a rounded log code: round(-4 log2(x)), so 0.05 is 17; 0 is 99. */
static void push_log(ll_seq *s, double x)
{
	if (!isfinite(x) || x < 0) {
		ll_push(s, LL_NAN);
		return;
	}
	if (x == 0) {
		ll_push_num(s, 99);
		return;
	}
	double c = -4 * log2(x);
	if (c > 99)
		c = 99;
	if (c < -99)
		c = -99;
	ll_push_num(s, lround(c));
}

static long clampl(double x, long lo, long hi)
{
	if (!isfinite(x))
		return hi;
	return x < lo ? lo : x > hi ? hi : lround(x);
}

static void push_task(const project *p, ll_seq *s)
{
	ll_push(s, LL_BOS);
	ll_push(s, LL_TASK);
	for (int l = 0; l < p->n_layers; l++) {
		ll_push(s, LL_LAYER);
		ll_push_num(s, p->layers[l].n_in);
		ll_push_num(s, p->layers[l].n_out);
		ll_push(s, p->layers[l].act == ACT_RELU ? LL_RELU : LL_LINEAR);
		ll_push(s, p->layers[l].bias ? LL_BIAS : LL_NOBIAS);
	}
	ll_push(s, LL_PART);
	ll_push_num(s, p->part.lut);
	ll_push_num(s, p->part.ff);
	ll_push_num(s, p->part.dsp);
	ll_push_num(s, p->part.bram18);
	if (p->part.mem_gbps > 0) { /* streamed WeightFormats are possible */
		ll_push(s, LL_MEM);
		ll_push_num(s, clampl(p->part.mem_gbps, 1, 99999));
	}
	ll_push(s, LL_CLOCK);
	ll_push_num(s, clampl(p->clock_ns * 10, 0, 99999));
	ll_push(s, LL_EPS);
	push_log(s, p->eps_max);
	ll_push(s, LL_WEIGHTS);
	const reward_spec *w = &p->reward;
	double ws[] = {w->w_latency, w->w_lut, w->w_ff, w->w_dsp, w->w_bram};
	for (int i = 0; i < 5; i++)
		ll_push_num(s, clampl(100 * ws[i], 0, 9999));
}

static void push_entry(const project *p, const ll_entry *en, ll_seq *s)
{
	if (en->tier == TIER_FAILED) {
		ll_push(s, LL_FAIL);
		if (en->c) {
			ll_seq c = {0};
			ll_encode_config(en->c, &c);
			for (int i = 0; i < c.n - 1; i++) /* without its LL_EOS */
				ll_push(s, c.v[i]);
			ll_free(&c);
		}
		ll_push(s, LL_ERR);
		const char *t = en->error ? en->error : "";
		/* "candidate:3:5: KEY: why" -> "KEY: why": the place is in the text, not the key */
		if (strncmp(t, "candidate:", 10) == 0) {
			const char *k = t + 10;
			for (int colons = 0; *k && colons < 2; k++)
				if (*k == ':')
					colons++;
			while (*k == ' ')
				k++;
			t = k;
		}
		for (int i = 0; t[i] && i < LL_ERR_BYTES; i++)
			ll_push(s, (unsigned char)t[i]);
		ll_push(s, LL_ENDERR);
		return;
	}
	ll_push(s, LL_BEST);
	static const int tiers[] = {LL_T_FAILED, LL_T_ACCURACY, LL_T_BUDGET, LL_T_FEASIBLE};
	ll_push(s, tiers[en->tier]);
	ll_push_num(s, clampl(floor(100 * (en->reward - (double)en->tier)), 0, 99));
	push_log(s, en->max_err);
	ll_push_num(s, clampl(100 * en->dsp / (p->part.dsp > 0 ? (double)p->part.dsp : 1), 0, 9999));
	ll_push_num(s, clampl(100 * en->lut / (p->part.lut > 0 ? (double)p->part.lut : 1), 0, 9999));
	ll_push_num(s, clampl(en->latency_cycles, 0, 99999999));
	ll_seq c = {0};
	ll_encode_config(en->c, &c);
	for (int i = 0; i < c.n - 1; i++)
		ll_push(s, c.v[i]);
	ll_free(&c);
}

int ll_prompt_entries(const project *p, const ll_entry *ent, int n, int ctx, ll_seq *s, berr *e)
{
	int room = ctx - ll_completion_max(p->n_layers);
	for (int first = 0; first <= n; first++) {
		ll_seq t = {0};
		push_task(p, &t);
		for (int i = first; i < n; i++)
			push_entry(p, &ent[i], &t);
		ll_push(&t, LL_ANSWER);
		if (t.n <= room) {
			for (int i = 0; i < t.n; i++)
				ll_push(s, t.v[i]);
			ll_free(&t);
			return 0;
		}
		ll_free(&t);
	}
	return errf(e, "the LM author's context (%d tokens) is too short for a %d-layer block", ctx,
		    p->n_layers);
}

int ll_prompt(const project *p, const history *h, int ctx, ll_seq *s, berr *e)
{
	ll_entry ent[LL_MAX_FAIL + LL_MAX_BEST];
	config cfgs[LL_MAX_FAIL + LL_MAX_BEST];
	bool has[LL_MAX_FAIL + LL_MAX_BEST] = {0};
	int n = 0;
	/* the most recent failures, oldest first */
	int fails[LL_MAX_FAIL], nf = 0;
	for (int i = h->n - 1; i >= 0 && nf < LL_MAX_FAIL; i--)
		if (h->r[i].tier == TIER_FAILED)
			fails[nf++] = i;
	for (int k = nf - 1; k >= 0; k--) {
		const record *r = &h->r[fails[k]];
		berr e2;
		has[n] = r->valid && config_parse("record", r->config, strlen(r->config), p, &cfgs[n],
						  &e2) == 0;
		ent[n] = (ll_entry){.c = has[n] ? &cfgs[n] : NULL, .tier = TIER_FAILED,
				    .error = r->error ? r->error : r->failed_step};
		n++;
	}
	/* the best distinct records that built, best last */
	int best[LL_MAX_BEST], nb = 0;
	for (int k = 0; k < LL_MAX_BEST; k++) {
		int bi = -1;
		for (int i = 0; i < h->n; i++) {
			const record *r = &h->r[i];
			if (r->tier == TIER_FAILED || !r->valid)
				continue;
			bool taken = false;
			for (int j = 0; j < nb; j++)
				taken |= strcmp(h->r[best[j]].id, r->id) == 0;
			if (!taken && (bi < 0 || r->reward > h->r[bi].reward))
				bi = i;
		}
		if (bi < 0)
			break;
		best[nb++] = bi;
	}
	for (int k = nb - 1; k >= 0; k--) {
		const record *r = &h->r[best[k]];
		berr e2;
		if (config_parse("record", r->config, strlen(r->config), p, &cfgs[n], &e2) != 0)
			continue;
		has[n] = true;
		ent[n] = (ll_entry){.c = &cfgs[n], .tier = r->tier, .reward = r->reward,
				    .max_err = r->max_err, .dsp = r->dsp, .lut = r->lut,
				    .latency_cycles = r->latency_cycles};
		n++;
	}
	int rc = ll_prompt_entries(p, ent, n, ctx, s, e);
	for (int i = 0; i < n; i++)
		if (has[i])
			config_free(&cfgs[i]);
	return rc;
}
