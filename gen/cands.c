/* cands.c - a round's candidate list. */
#include "gen/cands.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/json.h"
#include "gen/ydoc.h"

bool cand_id_ok(const char *s)
{
	size_t n = 0;
	for (; s[n]; n++)
		if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
			return false;
	return n == CAND_ID_LEN;
}

static const char *const list_keys[] = {"round", "strategy", "candidates", "author_stats"};
static const char *const cand_keys[] = {"id", "valid", "origin", "config", "error"};

int cands_read(const char *path, cand_list *l, berr *e)
{
	memset(l, 0, sizeof *l);
	ydoc d;
	if (ydoc_load(path, &d, e) != 0)
		return -1;
	const ynode *root = d.root;
	const ynode *cs;
	const char *strategy = "";
	if (ymap_check(&d, root, "", list_keys, 4, e) != 0 ||
	    yget_long(&d, root, "", "round", true, 0, 1000000, &l->round, e) != 0 ||
	    yget_str(&d, root, "", "strategy", false, &strategy, e) != 0)
		goto fail;
	l->strategy = xstrdup(strategy);
	cs = ymap_get(root, "candidates");
	if (!cs || cs->kind != YN_SEQ) {
		yerr(e, &d, cs ? cs : root, "candidates", "expected a list of candidates");
		goto fail;
	}
	if (cs->n > MAX_PER_ROUND) {
		yerr(e, &d, cs, "candidates", "%zu candidates, more than the limit of %d", cs->n,
		     MAX_PER_ROUND);
		goto fail;
	}
	l->c = xcalloc(cs->n ? cs->n : 1, sizeof *l->c);
	for (size_t i = 0; i < cs->n; i++) {
		char ctx[64];
		snprintf(ctx, sizeof ctx, "candidates[%zu]", i);
		const ynode *m = cs->items[i];
		const char *id = NULL, *origin = "", *cfg = NULL, *err = NULL;
		bool valid = false;
		if (ymap_check(&d, m, ctx, cand_keys, 5, e) != 0 ||
		    yget_str(&d, m, ctx, "id", true, &id, e) != 0 ||
		    yget_bool(&d, m, ctx, "valid", true, &valid, e) != 0 ||
		    yget_str(&d, m, ctx, "origin", false, &origin, e) != 0 ||
		    yget_str(&d, m, ctx, "config", true, &cfg, e) != 0 ||
		    yget_str(&d, m, ctx, "error", false, &err, e) != 0)
			goto fail;
		if (!cand_id_ok(id)) {
			yerr(e, &d, ymap_get(m, "id"), ctx, "'%s' is not a candidate id", id);
			goto fail;
		}
		if (strlen(cfg) > MAX_CONFIG_BYTES) {
			yerr(e, &d, ymap_get(m, "config"), ctx, "config larger than %d bytes",
			     MAX_CONFIG_BYTES);
			goto fail;
		}
		candidate *c = &l->c[l->n++];
		memcpy(c->id, id, CAND_ID_LEN + 1);
		c->valid = valid;
		c->origin = xstrdup(origin);
		c->config = xstrdup(cfg);
		c->error = err ? xstrdup(err) : NULL;
	}
	ydoc_free(&d);
	return 0;
fail:
	ydoc_free(&d);
	cands_free(l);
	return -1;
}

void cands_write(const cand_list *l, strbuf *b)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_klong(&w, "round", l->round);
	jw_kstr(&w, "strategy", l->strategy ? l->strategy : "");
	if (l->n_stats > 0) {
		jw_key(&w, "author_stats");
		jw_obj(&w);
		for (int i = 0; i < l->n_stats && i < CANDS_MAX_STATS; i++)
			jw_klong(&w, l->stat_key[i], l->stat_val[i]);
		jw_end_obj(&w);
	}
	jw_key(&w, "candidates");
	jw_arr(&w);
	for (int i = 0; i < l->n; i++) {
		const candidate *c = &l->c[i];
		jw_obj(&w);
		jw_kstr(&w, "id", c->id);
		jw_kbool(&w, "valid", c->valid);
		jw_kstr(&w, "origin", c->origin ? c->origin : "");
		if (c->error)
			jw_kstr(&w, "error", c->error);
		jw_kstr(&w, "config", c->config);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
}

int cands_find(const cand_list *l, const char *id)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->c[i].id, id) == 0)
			return i;
	return -1;
}

void cands_free(cand_list *l)
{
	for (int i = 0; i < l->n; i++) {
		free(l->c[i].origin);
		free(l->c[i].config);
		free(l->c[i].error);
	}
	free(l->c);
	free(l->strategy);
	memset(l, 0, sizeof *l);
}
