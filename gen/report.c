/* report.c - burn report (results.csv, results.json, best.yaml of a sweep) and burn status
 * (a short table for a person at a terminal). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen/cmds.h"
#include "gen/config.h"
#include "gen/json.h"
#include "gen/records.h"

const char usage_report[] =
	"usage: burn report --facet FACET -o DIR ROUND-RESULTS.json ...\n"
	"\n"
	"Writes DIR/results.csv and DIR/results.json (one row per evaluated candidate: round,\n"
	"id, per-layer types and ReuseFactor, errors, resources, latency, tier, reward and which\n"
	"steps were cache hits) and DIR/best.yaml (the best config in hls4ml's HLSConfig form).\n";

const char usage_status[] =
	"usage: burn status DIR\n"
	"\n"
	"Prints, per round of the sweep in DIR: candidates, failures, best reward so far and its\n"
	"tier, and how many steps were served from the cache.\n";

static const char *const cached_steps[] = {"csim", "estimate", "reward"};
enum { N_CACHED = 3 };

/* "hit", "miss" or "" from the sidecar of c/ID/STEP.json. */
static const char *hit_of(const char *dir, const char *id, const char *stepname)
{
	strbuf p = {0};
	sb_printf(&p, "%s/c/%s/%s.json.cache", dir, id, stepname);
	char *buf;
	const char *res = "";
	if (read_file(p.s, 256, &buf, NULL, NULL) == 0) {
		res = strncmp(buf, "hit", 3) == 0 ? "hit" : strncmp(buf, "miss", 4) == 0 ? "miss" : "";
		free(buf);
	}
	sb_free(&p);
	return res;
}

static void csv_field(strbuf *b, const char *s, bool last)
{
	if (strpbrk(s, ",\"\n\r")) {
		sb_puts(b, "\"");
		for (; *s; s++)
			sb_add(b, *s == '"' ? "\"\"" : s, *s == '"' ? 2 : 1);
		sb_puts(b, "\"");
	} else {
		sb_puts(b, s);
	}
	sb_puts(b, last ? "\n" : ",");
}

static void csv_num(strbuf *b, double x)
{
	char t[32];
	if (isnan(x))
		t[0] = '\0';
	else
		snprintf(t, sizeof t, "%.10g", x);
	csv_field(b, t, false);
}

/* Keeps the first record of each id. */
static void dedupe(history *h)
{
	int k = 0;
	for (int i = 0; i < h->n; i++) {
		bool dup = false;
		for (int j = 0; j < k && !dup; j++)
			dup = strcmp(h->r[j].id, h->r[i].id) == 0;
		if (dup) {
			record_free(&h->r[i]);
			continue;
		}
		h->r[k++] = h->r[i];
	}
	h->n = k;
}

int cmd_report(int argc, char **argv)
{
	const char *facet = NULL, *dir = NULL;
	history h = {0};
	berr e;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--facet") == 0 && i + 1 < argc)
			facet = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (argv[i][0] == '-')
			die(EXIT_BADINPUT, "report: unknown option '%s'", argv[i]);
		else if (history_read(argv[i], &h, &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	}
	if (!facet || !dir) {
		fputs(usage_report, stderr);
		return EXIT_BADINPUT;
	}
	project p;
	if (project_load(facet, false, &p, &e) != 0 || project_require(&p, HAS_BLOCK, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	dedupe(&h);

	strbuf csv = {0}, js = {0};
	const char *head[] = {"round", "id", "origin", "valid", "tier", "reward", "max_err", "mean_err",
			      "lut", "ff", "dsp", "bram18", "latency_cycles", "latency_ns", "fidelity", "input"};
	for (size_t i = 0; i < sizeof head / sizeof head[0]; i++)
		csv_field(&csv, head[i], false);
	for (int k = 0; k < p.n_layers; k++) {
		const char *f[] = {"weight", "bias", "accum", "result", "reuse", "strategy"};
		for (int j = 0; j < 6; j++) {
			char t[128];
			snprintf(t, sizeof t, "%s.%s", p.layers[k].name, f[j]);
			csv_field(&csv, t, false);
		}
		/* a swiglu gate's SiLU, an up's product */
		static const char *const ew[] = {"result", "table", "table_size"};
		for (int j = 0; p.layers[k].ew_name[0] && j < (p.layers[k].kind == LK_GATE ? 3 : 1); j++) {
			char t[128];
			snprintf(t, sizeof t, "%s.%s", p.layers[k].ew_name, ew[j]);
			csv_field(&csv, t, false);
		}
	}
	for (int s = 0; s < N_CACHED; s++) {
		char t[32];
		snprintf(t, sizeof t, "%s_cache", cached_steps[s]);
		csv_field(&csv, t, false);
	}
	csv_field(&csv, "error", true);

	jw w;
	jw_init(&w, &js);
	jw_obj(&w);
	int best = -1;
	for (int i = 0; i < h.n; i++)
		if (h.r[i].valid && (best < 0 || h.r[i].reward > h.r[best].reward))
			best = i;
	if (best >= 0)
		jw_kstr(&w, "best", h.r[best].id);
	else
		jw_key(&w, "best"), jw_null(&w);
	jw_key(&w, "records");
	jw_arr(&w);
	config best_cfg = {0};
	bool have_best = false;
	for (int i = 0; i < h.n; i++) {
		const record *r = &h.r[i];
		char t[32];
		snprintf(t, sizeof t, "%ld", r->round);
		csv_field(&csv, t, false);
		csv_field(&csv, r->id, false);
		csv_field(&csv, r->origin ? r->origin : "", false);
		csv_field(&csv, r->valid ? "true" : "false", false);
		csv_field(&csv, reward_tier_name(r->tier), false);
		double nums[] = {r->reward, r->max_err, r->mean_err, r->lut, r->ff, r->dsp,
				 r->bram18, r->latency_cycles, r->latency_ns};
		for (size_t j = 0; j < sizeof nums / sizeof nums[0]; j++)
			csv_num(&csv, nums[j]);
		csv_field(&csv, r->fidelity ? r->fidelity : "", false);
		config c;
		bool ok = r->valid && config_parse("record", r->config, strlen(r->config), &p, &c, NULL) == 0;
		char ty[96];
		csv_field(&csv, ok ? fx_format(&c.input, ty, sizeof ty) : "", false);
		for (int k = 0; k < p.n_layers; k++) {
			int n_ew = !p.layers[k].ew_name[0] ? 0 : p.layers[k].kind == LK_GATE ? 3 : 1;
			if (!ok) {
				for (int j = 0; j < 6 + n_ew; j++)
					csv_field(&csv, "", false);
				continue;
			}
			const layer_cfg *lc = &c.layers[k];
			csv_field(&csv, fx_format(&lc->weight, ty, sizeof ty), false);
			csv_field(&csv, fx_format(&lc->bias, ty, sizeof ty), false);
			csv_field(&csv, fx_format(&lc->accum, ty, sizeof ty), false);
			csv_field(&csv, fx_format(&lc->result, ty, sizeof ty), false);
			snprintf(ty, sizeof ty, "%ld", lc->reuse);
			csv_field(&csv, ty, false);
			csv_field(&csv, lc->strategy == HLS_RESOURCE ? "Resource" : "Latency", false);
			if (n_ew == 3) {
				csv_field(&csv, fx_format(&lc->act, ty, sizeof ty), false);
				csv_field(&csv, fx_format(&lc->table, ty, sizeof ty), false);
				snprintf(ty, sizeof ty, "%ld", lc->table_size);
				csv_field(&csv, ty, false);
			} else if (n_ew == 1) {
				csv_field(&csv, fx_format(&lc->mul, ty, sizeof ty), false);
			}
		}
		jw_obj(&w);
		record_write_fields(&w, r);
		if (r->fidelity) /* which steps' numbers these are (docs/GENERATOR.md) */
			jw_kstr(&w, "fidelity", r->fidelity);
		jw_key(&w, "cache");
		jw_obj(&w);
		for (int s = 0; s < N_CACHED; s++) {
			const char *hs = hit_of(dir, r->id, cached_steps[s]);
			csv_field(&csv, hs, false);
			jw_kstr(&w, cached_steps[s], hs);
		}
		jw_end_obj(&w);
		if (r->error)
			jw_kstr(&w, "error", r->error);
		jw_kstr(&w, "config", r->config);
		jw_end_obj(&w);
		csv_field(&csv, r->error ? r->error : "", true);
		if (ok && i == best) {
			best_cfg = c;
			have_best = true;
		} else if (ok) {
			config_free(&c);
		}
	}
	jw_end_arr(&w);
	jw_end_obj(&w);

	strbuf by = {0};
	if (have_best) {
		sb_printf(&by, "# best of %d candidates: %s, tier %s, reward %.6f\n", h.n, h.r[best].id,
			  reward_tier_name(h.r[best].tier), h.r[best].reward);
		config_write_hls4ml(&best_cfg, &p, &by);
		config_free(&best_cfg);
	} else {
		sb_printf(&by, "# no valid candidate among %d\n", h.n);
	}
	char *pc = path_join(dir, "results.csv"), *pj = path_join(dir, "results.json"),
	     *pb = path_join(dir, "best.yaml");
	if (write_file_atomic(pc, csv.s, csv.len, true, &e) != 0 ||
	    write_file_atomic(pj, js.s, js.len, true, &e) != 0 ||
	    write_file_atomic(pb, by.s, by.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(pc);
	free(pj);
	free(pb);
	sb_free(&csv);
	sb_free(&js);
	sb_free(&by);
	history_free(&h);
	project_free(&p);
	return 0;
}

int cmd_status(int argc, char **argv)
{
	if (argc != 2) {
		fputs(usage_status, stderr);
		return EXIT_BADINPUT;
	}
	const char *dir = argv[1];
	berr e;
	printf("%-6s %6s %7s %9s %9s %-9s %12s  %s\n", "round", "cands", "failed", "feasible",
	       "best", "tier", "cache hits", "best id");
	history all = {0};
	int rounds = 0;
	for (long r = 0;; r++) {
		strbuf p = {0};
		sb_printf(&p, "%s/rounds/%ld/results.json", dir, r);
		struct stat st;
		if (stat(p.s, &st) != 0) {
			sb_free(&p);
			break;
		}
		int before = all.n;
		if (history_read(p.s, &all, &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
		sb_free(&p);
		rounds++;
		int failed = 0, feasible = 0, hits = 0, steps = 0;
		for (int i = before; i < all.n; i++) {
			failed += all.r[i].tier == TIER_FAILED;
			feasible += all.r[i].tier == TIER_FEASIBLE;
			for (int s = 0; s < N_CACHED; s++) {
				const char *hs = hit_of(dir, all.r[i].id, cached_steps[s]);
				steps += *hs != '\0';
				hits += strcmp(hs, "hit") == 0;
			}
		}
		int b = history_best(&all);
		char hb[32];
		snprintf(hb, sizeof hb, "%d/%d", hits, steps);
		printf("%-6ld %6d %7d %9d %9.4f %-9s %12s  %s\n", r, all.n - before, failed, feasible,
		       b >= 0 ? all.r[b].reward : 0.0, b >= 0 ? reward_tier_name(all.r[b].tier) : "-", hb,
		       b >= 0 ? all.r[b].id : "-");
	}
	if (rounds == 0)
		printf("(no finished rounds in %s yet)\n", dir);
	int b = history_best(&all);
	if (b >= 0) {
		const record *r = &all.r[b];
		printf("\nbest: %s (round %ld, %s), reward %.4f, max_err %.4g, DSP %.0f, LUT %.0f, FF %.0f, "
		       "BRAM18 %.0f, latency %.0f cycles (fidelity %s)\n",
		       r->id, r->round, r->origin ? r->origin : "", r->reward, r->max_err, r->dsp, r->lut,
		       r->ff, r->bram18, r->latency_cycles, r->fidelity ? r->fidelity : "estimate");
	}
	history_free(&all);
	return 0;
}
