/* records.c - evaluated candidates: read and write round results files. */
#include "gen/records.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/json.h"
#include "gen/result.h"
#include "gen/ydoc.h"

reward_tier tier_from_name(const char *s)
{
	for (int t = TIER_FAILED; t <= TIER_FEASIBLE; t++)
		if (strcmp(s, reward_tier_name((reward_tier)t)) == 0)
			return (reward_tier)t;
	return TIER_FAILED;
}

static record *history_push(history *h)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? 2 * h->cap : 64;
		h->r = xreallocarray(h->r, (size_t)h->cap, sizeof *h->r);
	}
	record *r = &h->r[h->n++];
	memset(r, 0, sizeof *r);
	return r;
}

static double num(const ydoc *d, const ynode *m, const char *key)
{
	const ynode *v = ymap_get(m, key);
	double x;
	(void)d;
	if (!v || v->kind != YN_SCALAR || parse_double(v->str, &x) != 0)
		return NAN;
	return x;
}

static char *str_or_null(const ynode *m, const char *key)
{
	const ynode *v = ymap_get(m, key);
	return v && v->kind == YN_SCALAR ? xstrdup(v->str) : NULL;
}

/* Reads the numbers of a reward record (a reward.json, or a record of a results file). */
static void read_reward_fields(const ydoc *d, const ynode *m, record *r)
{
	const ynode *t = ymap_get(m, "tier");
	r->tier = t && t->kind == YN_SCALAR ? tier_from_name(t->str) : TIER_FAILED;
	r->reward = num(d, m, "reward");
	r->max_err = num(d, m, "max_err");
	r->mean_err = num(d, m, "mean_err");
	r->lut = num(d, m, "lut");
	r->ff = num(d, m, "ff");
	r->dsp = num(d, m, "dsp");
	r->bram18 = num(d, m, "bram18");
	r->latency_cycles = num(d, m, "latency_cycles");
	r->latency_ns = num(d, m, "latency_ns");
	r->fidelity = str_or_null(m, "fidelity");
	r->failed_step = str_or_null(m, "failed_step");
	r->error = str_or_null(m, "error");
	const ynode *le = ymap_get(m, "layer_max_err");
	if (le && le->kind == YN_SEQ && le->n > 0 && le->n <= MAX_LAYERS) {
		r->n_layers = (int)le->n;
		r->layer_err = xcalloc(le->n, sizeof *r->layer_err);
		for (size_t i = 0; i < le->n; i++) {
			double x = NAN;
			if (le->items[i]->kind == YN_SCALAR)
				parse_double(le->items[i]->str, &x);
			r->layer_err[i] = x;
		}
	}
	if (isnan(r->reward))
		r->reward = 0;
}

int history_read(const char *path, history *h, berr *e)
{
	ydoc d;
	if (ydoc_load(path, &d, e) != 0)
		return -1;
	const ynode *recs = ymap_get(d.root, "records");
	if (!recs || recs->kind != YN_SEQ) {
		yerr(e, &d, d.root, "records", "not a round results file");
		ydoc_free(&d);
		return -1;
	}
	for (size_t i = 0; i < recs->n; i++) {
		const ynode *m = recs->items[i];
		const char *id = NULL, *cfg = NULL, *origin = "";
		long round = 0;
		bool valid = false;
		char ctx[48];
		snprintf(ctx, sizeof ctx, "records[%zu]", i);
		if (yget_str(&d, m, ctx, "id", true, &id, e) != 0 ||
		    yget_str(&d, m, ctx, "config", true, &cfg, e) != 0 ||
		    yget_str(&d, m, ctx, "origin", false, &origin, e) != 0 ||
		    yget_long(&d, m, ctx, "round", true, 0, 1000000, &round, e) != 0 ||
		    yget_bool(&d, m, ctx, "valid", true, &valid, e) != 0) {
			ydoc_free(&d);
			return -1;
		}
		if (!cand_id_ok(id)) {
			yerr(e, &d, m, ctx, "bad candidate id '%s'", id);
			ydoc_free(&d);
			return -1;
		}
		record *r = history_push(h);
		memcpy(r->id, id, CAND_ID_LEN + 1);
		r->round = round;
		r->valid = valid;
		r->origin = xstrdup(origin);
		r->config = xstrdup(cfg);
		read_reward_fields(&d, m, r);
	}
	ydoc_free(&d);
	return 0;
}

int record_from_reward(record *rec, const candidate *c, long round, const char *reward_path, berr *e)
{
	ydoc d;
	memset(rec, 0, sizeof *rec);
	if (ydoc_load(reward_path, &d, e) != 0)
		return -1;
	if (!d.root || d.root->kind != YN_MAP) {
		ydoc_free(&d);
		return errf(e, "%s: not a reward result", reward_path);
	}
	memcpy(rec->id, c->id, CAND_ID_LEN + 1);
	rec->round = round;
	rec->valid = c->valid;
	rec->origin = xstrdup(c->origin ? c->origin : "");
	rec->config = xstrdup(c->config);
	read_reward_fields(&d, d.root, rec);
	ydoc_free(&d);
	return 0;
}

void record_pending(record *rec, const candidate *c, long round)
{
	memset(rec, 0, sizeof *rec);
	memcpy(rec->id, c->id, CAND_ID_LEN + 1);
	rec->round = round;
	rec->valid = c->valid;
	rec->origin = xstrdup(c->origin ? c->origin : "");
	rec->config = xstrdup(c->config);
	rec->tier = TIER_FAILED;
	rec->max_err = rec->mean_err = rec->lut = rec->ff = rec->dsp = rec->bram18 = NAN;
	rec->latency_cycles = rec->latency_ns = NAN;
	rec->failed_step = xstrdup("pending");
	rec->error = xstrdup("pending: not evaluated yet (the manifest is being regenerated)");
}

void record_write_fields(jw *w, const record *r)
{
	jw_kstr(w, "id", r->id);
	jw_klong(w, "round", r->round);
	jw_kstr(w, "origin", r->origin ? r->origin : "");
	jw_kbool(w, "valid", r->valid);
	jw_kstr(w, "tier", reward_tier_name(r->tier));
	jw_kdouble(w, "reward", r->reward);
	jw_kdouble(w, "max_err", r->max_err);
	jw_kdouble(w, "mean_err", r->mean_err);
	jw_kdouble(w, "lut", r->lut);
	jw_kdouble(w, "ff", r->ff);
	jw_kdouble(w, "dsp", r->dsp);
	jw_kdouble(w, "bram18", r->bram18);
	jw_kdouble(w, "latency_cycles", r->latency_cycles);
	jw_kdouble(w, "latency_ns", r->latency_ns);
}

void record_free(record *r)
{
	free(r->origin);
	free(r->config);
	free(r->fidelity);
	free(r->failed_step);
	free(r->error);
	free(r->layer_err);
}

static void kopt(jw *w, const char *k, const char *v)
{
	if (v)
		jw_kstr(w, k, v);
}

void history_write(const history *h, long round, strbuf *b)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_klong(&w, "round", round);
	jw_key(&w, "records");
	jw_arr(&w);
	for (int i = 0; i < h->n; i++) {
		const record *r = &h->r[i];
		jw_obj(&w);
		record_write_fields(&w, r);
		kopt(&w, "fidelity", r->fidelity);
		kopt(&w, "failed_step", r->failed_step);
		kopt(&w, "error", r->error);
		if (r->layer_err) {
			jw_key(&w, "layer_max_err");
			jw_arr(&w);
			for (int k = 0; k < r->n_layers; k++)
				jw_double(&w, r->layer_err[k]);
			jw_end_arr(&w);
		}
		jw_kstr(&w, "config", r->config);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
}

int history_best(const history *h)
{
	int best = -1;
	for (int i = 0; i < h->n; i++)
		if (best < 0 || h->r[i].reward > h->r[best].reward)
			best = i;
	return best;
}

bool history_has(const history *h, const char *id)
{
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->r[i].id, id) == 0)
			return true;
	return false;
}

void history_free(history *h)
{
	for (int i = 0; i < h->n; i++)
		record_free(&h->r[i]);
	free(h->r);
	memset(h, 0, sizeof *h);
}
