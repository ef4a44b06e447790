/* dashboard.c - burn dashboard: reads sweep folders and writes one static HTML page comparing
 * them (dashboard.h). The page holds no timestamp and no path but the folders as given, so the
 * same sweeps always give the same bytes. */
#include "gen/dashboard.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen/cmds.h"
#include "gen/svg.h"
#include "gen/ydoc.h"

const char usage_dashboard[] =
	"usage: burn dashboard -o OUT.html [--title TITLE] SWEEP_DIR...\n"
	"\n"
	"Writes one static HTML page (no external resources) comparing the sweeps in the given\n"
	"build folders: best reward vs number of evaluations per strategy (median and min-max band\n"
	"over the seeds of a strategy), the latency vs resource-cost Pareto front of the feasible\n"
	"designs, each strategy's best design against the part budget (LUT, FF, DSP, BRAM18), and\n"
	"a sortable table of every evaluated candidate. A sweep's strategy comes from its round\n"
	"lists, its seed from facets/author.yaml, its part budget from facets/reward.yaml; finished\n"
	"rounds only, so it also works on a sweep in progress. Left untouched when unchanged.\n"
	"docs/DASHBOARD.md describes each plot.\n"
	"\n"
	"  -o OUT.html     the page to write\n"
	"  --title TITLE   its title (default: the projects' names)\n";

static const char *const res_names[DASH_NRES] = {"LUT", "FF", "DSP", "BRAM18"};

/* ---- reading a sweep ---- */

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* A scalar string of m[key], or NULL. */
static const char *scalar(const ynode *m, const char *key)
{
	const ynode *v = ymap_get(m, key);
	return v && v->kind == YN_SCALAR ? v->str : NULL;
}

/* Records of each id's first appearance, in order. */
typedef struct {
	const char *id;
	int i;
} id_at;

static int cmp_id_at(const void *a, const void *b)
{
	const id_at *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->i > y->i) - (x->i < y->i);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;
	return (x > y) - (x < y);
}

static void find_evals(dash_sweep *s)
{
	int n = s->h.n;
	id_at *v = xcalloc((size_t)(n ? n : 1), sizeof *v);
	for (int i = 0; i < n; i++)
		v[i] = (id_at){s->h.r[i].id, i};
	qsort(v, (size_t)n, sizeof *v, cmp_id_at);
	s->eval = xcalloc((size_t)(n ? n : 1), sizeof *s->eval);
	s->n_eval = 0;
	for (int i = 0; i < n; i++)
		if (i == 0 || strcmp(v[i].id, v[i - 1].id) != 0)
			s->eval[s->n_eval++] = v[i].i;
	qsort(s->eval, (size_t)s->n_eval, sizeof *s->eval, cmp_int);
	free(v);
	s->best = -1;
	for (int k = 0; k < s->n_eval; k++) {
		const record *r = &s->h.r[s->eval[k]];
		if (s->best < 0 || r->reward > s->h.r[s->best].reward)
			s->best = s->eval[k];
	}
}

int dash_load(const char *dir, dash_sweep *s, berr *e)
{
	memset(s, 0, sizeof *s);
	s->dir = xstrdup(dir);
	s->best = -1;
	strbuf p = {0};
	int rc = -1;
	project pr;
	ydoc d;

	sb_printf(&p, "%s/facets/reward.yaml", dir);
	if (!is_file(p.s)) {
		errf(e, "%s: not a sweep folder (no facets/reward.yaml; run burn gen and ninja first)", dir);
		goto err0;
	}
	if (project_load(p.s, false, &pr, e) != 0)
		goto err0;
	if (project_require(&pr, HAS_PART | HAS_REWARD, e) != 0) {
		project_free(&pr);
		goto err0;
	}
	snprintf(s->part, sizeof s->part, "%s", pr.part.name);
	double budget[] = {(double)pr.part.lut, (double)pr.part.ff, (double)pr.part.dsp,
			   (double)pr.part.bram18};
	double weight[] = {pr.reward.w_lut, pr.reward.w_ff, pr.reward.w_dsp, pr.reward.w_bram};
	memcpy(s->budget, budget, sizeof budget);
	memcpy(s->weight, weight, sizeof weight);
	project_free(&pr);

	p.len = 0;
	sb_printf(&p, "%s/facets/author.yaml", dir);
	if (ydoc_load(p.s, &d, e) != 0)
		goto err0;
	const ynode *search = ymap_get(d.root, "search");
	const char *st = scalar(search, "strategy"), *seed = scalar(search, "seed");
	s->strategy = xstrdup(st ? st : "?");
	if (seed && parse_long(seed, &s->seed) != 0)
		s->seed = 0;
	ydoc_free(&d);

	p.len = 0;
	sb_printf(&p, "%s/facets/hlsgen.yaml", dir);
	s->name = NULL;
	if (is_file(p.s)) {
		if (ydoc_load(p.s, &d, e) != 0)
			goto err0;
		const char *nm = scalar(d.root, "name");
		s->name = xstrdup(nm ? nm : "");
		ydoc_free(&d);
	}
	if (!s->name)
		s->name = xstrdup("");

	p.len = 0;
	sb_printf(&p, "%s/rounds/0/candidates.json", dir);
	if (is_file(p.s)) {
		if (ydoc_load(p.s, &d, e) != 0)
			goto err0;
		const char *cs = scalar(d.root, "strategy");
		if (cs && *cs) {
			free(s->strategy);
			s->strategy = xstrdup(cs);
		}
		ydoc_free(&d);
	}

	for (int r = 0;; r++) {
		p.len = 0;
		sb_printf(&p, "%s/rounds/%d/results.json", dir, r);
		if (!is_file(p.s))
			break;
		if (history_read(p.s, &s->h, e) != 0)
			goto err0;
		s->n_rounds = r + 1;
	}
	find_evals(s);
	rc = 0;
err0:
	sb_free(&p);
	return rc;
}

void dash_free(dash_sweep *s)
{
	free(s->dir);
	free(s->name);
	free(s->strategy);
	free(s->eval);
	history_free(&s->h);
	memset(s, 0, sizeof *s);
}

double dash_rcost(const dash_sweep *s, const record *r)
{
	double used[DASH_NRES] = {r->lut, r->ff, r->dsp, r->bram18};
	double w[DASH_NRES], wsum = 0;
	for (int k = 0; k < DASH_NRES; k++) {
		w[k] = isfinite(s->weight[k]) && s->weight[k] > 0 ? s->weight[k] : 0;
		wsum += w[k];
	}
	double c = 0;
	for (int k = 0; k < DASH_NRES; k++) {
		if (isnan(used[k]))
			return NAN;
		if (s->budget[k] > 0)
			c += (wsum > 0 ? w[k] : 1) * used[k] / s->budget[k];
	}
	return c;
}

typedef struct {
	double x, y;
	int i;
} xy_at;

static int cmp_xy(const void *a, const void *b)
{
	const xy_at *p = a, *q = b;
	if (p->x != q->x)
		return p->x < q->x ? -1 : 1;
	if (p->y != q->y)
		return p->y < q->y ? -1 : 1;
	return (p->i > q->i) - (p->i < q->i);
}

int dash_pareto(const double *x, const double *y, int n, bool *on_front)
{
	xy_at *v = xcalloc((size_t)(n > 0 ? n : 1), sizeof *v);
	int m = 0;
	for (int i = 0; i < n; i++) {
		on_front[i] = false;
		if (isfinite(x[i]) && isfinite(y[i]))
			v[m++] = (xy_at){x[i], y[i], i};
	}
	qsort(v, (size_t)m, sizeof *v, cmp_xy);
	/* By x, then y: a point is on the front if its y is below every y seen at a smaller x
	 * (the first point of each x has the smallest y there; equal points share its fate). */
	double best = INFINITY;
	int count = 0;
	for (int i = 0; i < m;) {
		int j = i;
		while (j < m && v[j].x == v[i].x)
			j++;
		if (v[i].y < best) {
			for (int k = i; k < j && v[k].y == v[i].y; k++) {
				on_front[v[k].i] = true;
				count++;
			}
			best = v[i].y;
		}
		i = j;
	}
	free(v);
	return count;
}

/* ---- the page ---- */

/* Sweeps that share a strategy, in the order the strategies first appear. */
typedef struct {
	const char *strategy;
	int n;
	int *sw;     /* indices of its sweeps, by seed */
} sgroup;

static int group_sweeps(const dash_sweep *s, int n, sgroup **out)
{
	sgroup *g = xcalloc((size_t)(n ? n : 1), sizeof *g);
	int ng = 0;
	for (int i = 0; i < n; i++) {
		int k = 0;
		while (k < ng && strcmp(g[k].strategy, s[i].strategy) != 0)
			k++;
		if (k == ng) {
			g[ng].strategy = s[i].strategy;
			g[ng].sw = xcalloc((size_t)n, sizeof *g[ng].sw);
			ng++;
		}
		/* insert by seed (stable) */
		int j = g[k].n++;
		while (j > 0 && s[g[k].sw[j - 1]].seed > s[i].seed) {
			g[k].sw[j] = g[k].sw[j - 1];
			j--;
		}
		g[k].sw[j] = i;
	}
	*out = g;
	return ng;
}

static void groups_free(sgroup *g, int ng)
{
	for (int i = 0; i < ng; i++)
		free(g[i].sw);
	free(g);
}

static void esc(strbuf *b, const char *s)
{
	svg_escape(b, s);
}

/* A number for a person: fmt, or "" when not finite. */
static void hnum(strbuf *b, const char *fmt, double x)
{
	if (isfinite(x))
		sb_printf(b, fmt, x);
}

/* A table cell holding a number, with its exact value for sorting. */
static void td_num(strbuf *b, const char *fmt, double x)
{
	if (!isfinite(x)) {
		sb_puts(b, "<td class=\"n\" data-v=\"\"></td>");
		return;
	}
	sb_printf(b, "<td class=\"n\" data-v=\"%.17g\">", x);
	hnum(b, fmt, x);
	sb_puts(b, "</td>");
}

static void td_str(strbuf *b, const char *s)
{
	sb_puts(b, "<td>");
	esc(b, s);
	sb_puts(b, "</td>");
}

static void sweep_label(const dash_sweep *s, strbuf *b)
{
	sb_printf(b, "%s s%ld", s->strategy, s->seed);
}

static const double margin[4] = {72, 200, 16, 50}; /* left, right (the legend), top, bottom */

/* Appends the step function v[0..n-1] (value at evaluation k+1) to the vertex arrays, with a
 * vertex wherever any of lo/med/hi changes. */
static int step_vertices(const double *lo, const double *med, const double *hi, int n, double *x,
			 double *ylo, double *ymed, double *yhi)
{
	int m = 0;
	for (int k = 0; k < n; k++) {
		bool change = k > 0 && (lo[k] != lo[k - 1] || med[k] != med[k - 1] || hi[k] != hi[k - 1]);
		if (change) {
			x[m] = k + 1, ylo[m] = lo[k - 1], ymed[m] = med[k - 1], yhi[m] = hi[k - 1];
			m++;
		}
		if (k == 0 || change || k == n - 1) {
			x[m] = k + 1, ylo[m] = lo[k], ymed[m] = med[k], yhi[m] = hi[k];
			m++;
		}
	}
	return m;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Best reward so far of sweep s after each evaluation: out[k] for k+1 evaluations. */
static void best_so_far(const dash_sweep *s, double *out)
{
	double best = -INFINITY;
	for (int k = 0; k < s->n_eval; k++) {
		double r = s->h.r[s->eval[k]].reward;
		if (r > best)
			best = r;
		out[k] = best;
	}
}

static void plot_progress(const dash_sweep *s, int n, const sgroup *g, int ng, strbuf *b)
{
	int nmax = 0;
	for (int i = 0; i < n; i++)
		nmax = s[i].n_eval > nmax ? s[i].n_eval : nmax;
	size_t cap = (size_t)(nmax ? nmax : 1);
	double **lo = xcalloc((size_t)ng, sizeof *lo), **med = xcalloc((size_t)ng, sizeof *med),
	       **hi = xcalloc((size_t)ng, sizeof *hi);
	int *len = xcalloc((size_t)ng, sizeof *len);
	double *all = xcalloc(3 * cap * (size_t)ng + 1, sizeof *all);
	int nall = 0;
	double *col = xcalloc((size_t)n + 1, sizeof *col);
	double **curve = xcalloc((size_t)n, sizeof *curve);
	for (int i = 0; i < n; i++) {
		curve[i] = xcalloc(cap, sizeof **curve);
		best_so_far(&s[i], curve[i]);
	}
	for (int k = 0; k < ng; k++) {
		lo[k] = xcalloc(cap, sizeof **lo);
		med[k] = xcalloc(cap, sizeof **med);
		hi[k] = xcalloc(cap, sizeof **hi);
		for (int t = 0; t < nmax; t++) {
			int m = 0;
			for (int j = 0; j < g[k].n; j++) {
				const dash_sweep *w = &s[g[k].sw[j]];
				if (t < w->n_eval)
					col[m++] = curve[g[k].sw[j]][t];
			}
			if (m == 0)
				break;
			qsort(col, (size_t)m, sizeof *col, cmp_double);
			lo[k][t] = col[0];
			hi[k][t] = col[m - 1];
			med[k][t] = m % 2 ? col[m / 2] : (col[m / 2 - 1] + col[m / 2]) / 2;
			all[nall++] = lo[k][t];
			all[nall++] = hi[k][t];
			len[k] = t + 1;
		}
	}
	svg_plot p;
	svg_begin(&p, b, 960, 380, margin, "Best reward vs number of evaluations");
	double xs[2] = {0, nmax > 5 ? nmax : 5}; /* whole evaluations: ticks at least 1 apart */
	svg_fit(&p.x, xs, 2, false, true);
	svg_fit(&p.y, all, nall, false, false);
	svg_axes(&p, "evaluations (distinct candidates, in round order)", "best reward so far");
	static const char *const tiers[] = {NULL, "inaccurate (tier 1 from here)",
					    "over budget (tier 2 from here)", "feasible (tier 3 from here)"};
	for (int t = 1; t <= 3; t++)
		if (t > p.y.lo && t < p.y.hi)
			svg_hline(&p, t, "#999", "4 3", tiers[t]);
	size_t vcap = 2 * cap + 2;
	double *vx = xcalloc(vcap, sizeof *vx), *vlo = xcalloc(vcap, sizeof *vlo),
	       *vmed = xcalloc(vcap, sizeof *vmed), *vhi = xcalloc(vcap, sizeof *vhi);
	const char **names = xcalloc((size_t)ng + 1, sizeof *names),
		   **colors = xcalloc((size_t)ng + 1, sizeof *colors);
	strbuf *nb = xcalloc((size_t)ng + 1, sizeof *nb);
	for (int k = 0; k < ng; k++) {
		int m = step_vertices(lo[k], med[k], hi[k], len[k], vx, vlo, vmed, vhi);
		if (g[k].n > 1)
			svg_band(&p, vx, vlo, vhi, m, svg_color(k), 0.18);
		if (m == 1) /* one evaluation: a point */
			svg_point(&p, vx[0], vmed[0], 3, svg_color(k), false, NULL);
		svg_line(&p, vx, vmed, m, svg_color(k), 2.2, NULL);
		sb_printf(&nb[k], "%s (%d seed%s)", g[k].strategy, g[k].n, g[k].n == 1 ? "" : "s");
		names[k] = nb[k].s;
		colors[k] = svg_color(k);
	}
	if (nmax == 0)
		svg_text(&p, (p.x.lo + p.x.hi) / 2, (p.y.lo + p.y.hi) / 2, 0, 0, "middle",
			 "no finished round yet");
	svg_legend(&p, names, colors, ng, SVG_OUTSIDE);
	svg_end(&p);
	for (int k = 0; k < ng; k++) {
		free(lo[k]);
		free(med[k]);
		free(hi[k]);
		sb_free(&nb[k]);
	}
	for (int i = 0; i < n; i++)
		free(curve[i]);
	free(curve);
	free(nb);
	free(names);
	free(colors);
	free(vx);
	free(vlo);
	free(vmed);
	free(vhi);
	free(lo);
	free(med);
	free(hi);
	free(len);
	free(all);
	free(col);
}

/* One feasible design as the Pareto plot sees it. */
typedef struct {
	int sweep, rec, grp;
	double lat, cost;
} design;

static void design_tip(const dash_sweep *s, const design *d, bool front, strbuf *t)
{
	const record *r = &s[d->sweep].h.r[d->rec];
	t->len = 0;
	sweep_label(&s[d->sweep], t);
	sb_printf(t, ", round %ld, %s%s\nlatency %.0f ns, resource cost %.4f, reward %.4f\n"
		     "LUT %.0f, FF %.0f, DSP %.0f, BRAM18 %.0f, max_err %.3g",
		  r->round, r->id, front ? " (on the front)" : "", d->lat, d->cost, r->reward, r->lut,
		  r->ff, r->dsp, r->bram18, r->max_err);
	if (r->origin && *r->origin)
		sb_printf(t, "\n%s", r->origin);
}

static void plot_pareto(const dash_sweep *s, int n, const int *group_of, int ng, const sgroup *g,
			strbuf *b, int *n_feasible, int *n_front)
{
	int cap = 1;
	for (int i = 0; i < n; i++)
		cap += s[i].n_eval;
	design *d = xcalloc((size_t)cap, sizeof *d);
	int m = 0;
	for (int i = 0; i < n; i++)
		for (int k = 0; k < s[i].n_eval; k++) {
			const record *r = &s[i].h.r[s[i].eval[k]];
			double c = dash_rcost(&s[i], r);
			if (r->tier != TIER_FEASIBLE || !isfinite(r->latency_ns) || !isfinite(c))
				continue;
			d[m++] = (design){i, s[i].eval[k], group_of[i], r->latency_ns, c};
		}
	/* The front over every point: the same design found by two sweeps is two equal points,
	 * both on the front or neither (with another fidelity or part its numbers may differ).
	 * The counts are of distinct designs (ids). */
	double *x = xcalloc((size_t)cap, sizeof *x), *y = xcalloc((size_t)cap, sizeof *y);
	bool *front = xcalloc((size_t)cap, sizeof *front);
	for (int i = 0; i < m; i++) {
		x[i] = d[i].lat;
		y[i] = d[i].cost;
	}
	dash_pareto(x, y, m, front);
	id_at *ids = xcalloc((size_t)cap, sizeof *ids);
	for (int pass = 0; pass < 2; pass++) {
		int k = 0, distinct = 0;
		for (int i = 0; i < m; i++)
			if (pass == 0 || front[i])
				ids[k++] = (id_at){s[d[i].sweep].h.r[d[i].rec].id, i};
		qsort(ids, (size_t)k, sizeof *ids, cmp_id_at);
		for (int i = 0; i < k; i++)
			distinct += i == 0 || strcmp(ids[i].id, ids[i - 1].id) != 0;
		*(pass == 0 ? n_feasible : n_front) = distinct;
	}
	free(ids);

	double lmin = INFINITY, lmax = -INFINITY;
	for (int i = 0; i < m; i++)
		lmin = fmin(lmin, x[i]), lmax = fmax(lmax, x[i]);
	svg_plot p;
	svg_begin(&p, b, 960, 380, margin, "Latency vs resource cost of the feasible designs");
	svg_fit(&p.x, x, m, m > 0 && lmin > 0 && lmax / lmin > 20, m > 0 && !(lmax / lmin > 20));
	svg_fit(&p.y, y, m, false, true);
	svg_axes(&p, p.x.log ? "latency (ns, log scale)" : "latency (ns)",
		 "resource cost (budget-normalised)");
	if (m == 0)
		svg_text(&p, p.x.log ? sqrt(p.x.lo * p.x.hi) : (p.x.lo + p.x.hi) / 2,
			 (p.y.lo + p.y.hi) / 2, 0, 0, "middle", "no feasible design yet");
	/* the front as a staircase: each front design to the next, across then down */
	int nf = 0;
	double *fx = xcalloc(2 * (size_t)cap, sizeof *fx), *fy = xcalloc(2 * (size_t)cap, sizeof *fy);
	xy_at *fp = xcalloc((size_t)cap, sizeof *fp);
	for (int i = 0; i < m; i++)
		if (front[i])
			fp[nf++] = (xy_at){x[i], y[i], i};
	qsort(fp, (size_t)nf, sizeof *fp, cmp_xy);
	int nv = 0;
	for (int i = 0; i < nf; i++) {
		if (nv > 0) {
			fx[nv] = fp[i].x;
			fy[nv] = fy[nv - 1];
			nv++;
		}
		fx[nv] = fp[i].x;
		fy[nv] = fp[i].y;
		nv++;
	}
	svg_line(&p, fx, fy, nv, "#222", 1.5, "5 3");
	strbuf tip = {0};
	for (int pass = 0; pass < 2; pass++) /* the front last, on top */
		for (int i = 0; i < m; i++)
			if (front[i] == (pass == 1)) {
				design_tip(s, &d[i], front[i], &tip);
				svg_point(&p, x[i], y[i], front[i] ? 5 : 3.5, svg_color(d[i].grp),
					  front[i], tip.s);
			}
	const char **names = xcalloc((size_t)ng + 1, sizeof *names),
		   **colors = xcalloc((size_t)ng + 1, sizeof *colors);
	for (int k = 0; k < ng; k++) {
		names[k] = g[k].strategy;
		colors[k] = svg_color(k);
	}
	names[ng] = "Pareto front (ringed)";
	colors[ng] = "#222";
	svg_legend(&p, names, colors, ng + 1, SVG_OUTSIDE);
	svg_end(&p);
	sb_free(&tip);
	free(names);
	free(colors);
	free(fx);
	free(fy);
	free(fp);
	free(x);
	free(y);
	free(front);
	free(d);
}

/* The best record of a group (highest reward, the first sweep's on ties), or NULL. */
static const record *group_best(const dash_sweep *s, const sgroup *g, int *sweep)
{
	const record *best = NULL;
	for (int j = 0; j < g->n; j++) {
		const dash_sweep *w = &s[g->sw[j]];
		if (w->best >= 0 && (!best || w->h.r[w->best].reward > best->reward)) {
			best = &w->h.r[w->best];
			*sweep = g->sw[j];
		}
	}
	return best;
}

static void plot_budget(const dash_sweep *s, const sgroup *g, int ng, strbuf *b)
{
	double *pct = xcalloc((size_t)(ng * DASH_NRES + 2), sizeof *pct);
	int np = 0;
	pct[np++] = 0;
	pct[np++] = 110;
	for (int k = 0; k < ng; k++) {
		int sw;
		const record *r = group_best(s, &g[k], &sw);
		if (!r)
			continue;
		double used[DASH_NRES] = {r->lut, r->ff, r->dsp, r->bram18};
		for (int q = 0; q < DASH_NRES; q++)
			if (s[sw].budget[q] > 0 && isfinite(used[q]))
				pct[np++] = 100 * used[q] / s[sw].budget[q];
	}
	svg_plot p;
	svg_begin(&p, b, 960, 340, margin, "Resources of each strategy's best design vs the part budget");
	p.xcats = res_names;
	p.n_xcats = DASH_NRES;
	p.x = (svg_scale){-0.5, DASH_NRES - 0.5, false};
	svg_fit(&p.y, pct, np, false, true);
	svg_axes(&p, NULL, "% of the part's budget");
	double w = 0.8 / (ng > 0 ? ng : 1);
	strbuf tip = {0};
	char lab[32];
	for (int k = 0; k < ng; k++) {
		int sw;
		const record *r = group_best(s, &g[k], &sw);
		if (!r)
			continue;
		double used[DASH_NRES] = {r->lut, r->ff, r->dsp, r->bram18};
		for (int q = 0; q < DASH_NRES; q++) {
			double x0 = q - 0.4 + k * w, v = NAN;
			if (s[sw].budget[q] > 0 && isfinite(used[q]))
				v = 100 * used[q] / s[sw].budget[q];
			tip.len = 0;
			sb_printf(&tip, "%s best (", g[k].strategy);
			sweep_label(&s[sw], &tip);
			sb_printf(&tip, ", %s): %s %.0f of %.0f", r->id, res_names[q], used[q], s[sw].budget[q]);
			if (isfinite(v))
				sb_printf(&tip, " (%.1f%%)", v);
			svg_rect(&p, x0 + 0.1 * w, 0, x0 + 0.9 * w, isfinite(v) ? v : 0, svg_color(k), tip.s);
			if (ng <= 4) {
				if (isfinite(v))
					snprintf(lab, sizeof lab, "%.0f%%", v);
				else
					snprintf(lab, sizeof lab, "n/a");
				svg_text(&p, x0 + w / 2, isfinite(v) ? v : 0, 0, -4, "middle", lab);
			}
		}
	}
	svg_hline(&p, 100, "#C00000", "6 3", "part budget (100%)");
	const char **names = xcalloc((size_t)ng + 1, sizeof *names),
		   **colors = xcalloc((size_t)ng + 1, sizeof *colors);
	for (int k = 0; k < ng; k++) {
		names[k] = g[k].strategy;
		colors[k] = svg_color(k);
	}
	svg_legend(&p, names, colors, ng, SVG_OUTSIDE);
	svg_end(&p);
	sb_free(&tip);
	free(names);
	free(colors);
	free(pct);
}

static const char css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1a1a1a;"
	"background:#f6f7f9;margin:0}\n"
	"main{max-width:1120px;margin:0 auto;padding:16px 24px 48px}\n"
	"h1{font-size:22px;margin:8px 0 4px}h2{font-size:17px;margin:0 0 8px}\n"
	"section{background:#fff;border:1px solid #dde1e6;border-radius:6px;padding:14px 18px;"
	"margin:14px 0}\n"
	".note{color:#555;font-size:13px;margin:6px 0 0}\n"
	"svg{max-width:100%;height:auto;display:block}\n"
	"table{border-collapse:collapse;font-size:13px;width:100%}\n"
	"th,td{padding:3px 8px;border-bottom:1px solid #eceef1;text-align:left;white-space:nowrap}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}\n"
	"td.o{white-space:normal;min-width:280px;max-width:460px;color:#444}\n"
	"thead th{background:#eef1f4;position:sticky;top:0}\n"
	"table.sortable th{cursor:pointer;user-select:none}\n"
	"table.sortable th:hover{background:#e1e6eb}\n"
	"th[aria-sort=ascending]::after{content:' \\25B2';font-size:10px}\n"
	"th[aria-sort=descending]::after{content:' \\25BC';font-size:10px}\n"
	".scroll{max-height:560px;overflow:auto;border:1px solid #eceef1}\n"
	".wide{overflow-x:auto}\n"
	".tier{display:inline-block;padding:0 6px;border-radius:8px;font-size:12px}\n"
	".t-feasible{background:#d8f0df}.t-budget{background:#fde9c8}"
	".t-accuracy{background:#fbd9d3}.t-failed{background:#e4e4e4}\n"
	".sw{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}\n"
	"code{font-size:12px}\n";

/* Sorts a table by the clicked column: numbers by data-v, text by its content; a second click
 * reverses; ties keep the previous order, so clicks compose. */
static const char js[] =
	"(function(){\n"
	"'use strict';\n"
	"function key(td,num){var v=td.getAttribute('data-v');if(v===null)v=td.textContent;\n"
	"  if(!num)return v;if(v==='')return null;var x=parseFloat(v);return isNaN(x)?null:x;}\n"
	"function sort(t,col,th){\n"
	"  var num=th.getAttribute('data-type')==='num';\n"
	"  var dir=th.getAttribute('aria-sort')==='ascending'?-1:1;\n"
	"  var hs=t.tHead.rows[0].cells;for(var i=0;i<hs.length;i++)hs[i].removeAttribute('aria-sort');\n"
	"  var body=t.tBodies[0],rows=[];\n"
	"  for(var r=0;r<body.rows.length;r++)rows.push({r:body.rows[r],i:r,k:key(body.rows[r].cells[col],num)});\n"
	"  rows.sort(function(a,b){\n"
	"    if(a.k===null||b.k===null){if(a.k===b.k)return a.i-b.i;return a.k===null?1:-1;}\n"
	"    var c=num?a.k-b.k:(a.k<b.k?-1:a.k>b.k?1:0);return c?dir*c:a.i-b.i;});\n"
	"  var f=document.createDocumentFragment();rows.forEach(function(x){f.appendChild(x.r);});\n"
	"  body.appendChild(f);th.setAttribute('aria-sort',dir>0?'ascending':'descending');}\n"
	"var ts=document.querySelectorAll('table.sortable');\n"
	"for(var i=0;i<ts.length;i++)(function(t){var hs=t.tHead.rows[0].cells;\n"
	"  for(var c=0;c<hs.length;c++)(function(th,col){th.tabIndex=0;\n"
	"    th.addEventListener('click',function(){sort(t,col,th);});\n"
	"    th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' '){e.preventDefault();sort(t,col,th);}});\n"
	"  })(hs[c],c);})(ts[i]);\n"
	"})();\n";

static void th(strbuf *b, const char *name, bool numeric, const char *tip)
{
	sb_printf(b, "<th%s scope=\"col\"", numeric ? " class=\"n\" data-type=\"num\"" : "");
	if (tip) {
		sb_puts(b, " title=\"");
		esc(b, tip);
		sb_puts(b, "\"");
	}
	sb_puts(b, ">");
	esc(b, name);
	sb_puts(b, "</th>");
}

static void tier_cell(strbuf *b, reward_tier t)
{
	const char *n = reward_tier_name(t);
	sb_printf(b, "<td data-v=\"%d\"><span class=\"tier t-%s\">%s</span></td>", (int)t, n, n);
}

static void swatch(strbuf *b, int group)
{
	sb_printf(b, "<span class=\"sw\" style=\"background:%s\"></span>", svg_color(group));
}

static void sweeps_table(const dash_sweep *s, int n, const int *group_of, strbuf *b)
{
	sb_puts(b, "<table class=\"sortable\" id=\"sweeps\"><thead><tr>");
	th(b, "sweep folder", false, NULL);
	th(b, "strategy", false, NULL);
	th(b, "seed", true, NULL);
	th(b, "part", false, NULL);
	th(b, "rounds", true, "finished rounds");
	th(b, "evaluations", true, "distinct candidates evaluated");
	th(b, "feasible", true, "evaluations in the feasible tier");
	th(b, "best reward", true, NULL);
	th(b, "best tier", false, NULL);
	th(b, "best id", false, NULL);
	sb_puts(b, "</tr></thead><tbody>\n");
	for (int i = 0; i < n; i++) {
		const dash_sweep *w = &s[i];
		int feas = 0;
		for (int k = 0; k < w->n_eval; k++)
			feas += w->h.r[w->eval[k]].tier == TIER_FEASIBLE;
		sb_puts(b, "<tr><td><code>");
		esc(b, w->dir);
		sb_puts(b, "</code></td><td>");
		swatch(b, group_of[i]);
		esc(b, w->strategy);
		sb_puts(b, "</td>");
		td_num(b, "%.0f", (double)w->seed);
		td_str(b, w->part);
		td_num(b, "%.0f", w->n_rounds);
		td_num(b, "%.0f", w->n_eval);
		td_num(b, "%.0f", feas);
		const record *r = w->best >= 0 ? &w->h.r[w->best] : NULL;
		td_num(b, "%.4f", r ? r->reward : NAN);
		if (r) {
			tier_cell(b, r->tier);
			sb_puts(b, "<td><code>");
			esc(b, r->id);
			sb_puts(b, "</code></td>");
		} else {
			sb_puts(b, "<td></td><td></td>");
		}
		sb_puts(b, "</tr>\n");
	}
	sb_puts(b, "</tbody></table>\n");
}

static void best_table(const dash_sweep *s, const sgroup *g, int ng, strbuf *b)
{
	sb_puts(b, "<div class=\"wide\"><table id=\"best\"><thead><tr>");
	th(b, "strategy", false, NULL);
	th(b, "found by", false, NULL);
	th(b, "id", false, NULL);
	th(b, "tier", false, NULL);
	th(b, "reward", true, NULL);
	th(b, "latency (ns)", true, NULL);
	for (int q = 0; q < DASH_NRES; q++)
		th(b, res_names[q], true, "used / the part's");
	sb_puts(b, "</tr></thead><tbody>\n");
	for (int k = 0; k < ng; k++) {
		int sw = -1;
		const record *r = group_best(s, &g[k], &sw);
		if (!r)
			continue;
		sb_puts(b, "<tr><td>");
		swatch(b, k);
		esc(b, g[k].strategy);
		sb_puts(b, "</td><td>");
		strbuf l = {0};
		sweep_label(&s[sw], &l);
		sb_printf(&l, ", round %ld", r->round);
		esc(b, l.s);
		sb_free(&l);
		sb_puts(b, "</td><td><code title=\"");
		esc(b, r->id);
		sb_puts(b, "\">");
		sb_add(b, r->id, 12);
		sb_puts(b, "</code></td>");
		tier_cell(b, r->tier);
		td_num(b, "%.4f", r->reward);
		td_num(b, "%.0f", r->latency_ns);
		double used[DASH_NRES] = {r->lut, r->ff, r->dsp, r->bram18};
		for (int q = 0; q < DASH_NRES; q++) {
			sb_puts(b, "<td class=\"n\">");
			hnum(b, "%.0f", used[q]);
			sb_printf(b, " / %.0f</td>", s[sw].budget[q]);
		}
		sb_puts(b, "</tr>\n");
	}
	sb_puts(b, "</tbody></table></div>\n");
}

static void candidates_table(const dash_sweep *s, int n, const int *group_of, strbuf *b)
{
	int rows = 0;
	for (int i = 0; i < n; i++)
		rows += s[i].n_eval;
	sb_printf(b, "<div class=\"scroll\"><table class=\"sortable\" id=\"candidates\" data-rows=\"%d\">"
		     "<thead><tr>", rows);
	th(b, "strategy", false, NULL);
	th(b, "seed", true, NULL);
	th(b, "round", true, "the round whose author first proposed it");
	th(b, "id", false, NULL);
	th(b, "tier", true, "failed < accuracy < budget < feasible");
	th(b, "reward", true, NULL);
	th(b, "max_err", true, "largest absolute output error vs the float reference");
	th(b, "LUT", true, NULL);
	th(b, "FF", true, NULL);
	th(b, "DSP", true, NULL);
	th(b, "BRAM18", true, NULL);
	th(b, "latency (ns)", true, NULL);
	th(b, "res. cost", true, "budget-normalised resource cost (docs/DASHBOARD.md)");
	th(b, "origin / error", false, NULL);
	sb_puts(b, "</tr></thead><tbody>\n");
	for (int i = 0; i < n; i++) {
		const dash_sweep *w = &s[i];
		for (int k = 0; k < w->n_eval; k++) {
			const record *r = &w->h.r[w->eval[k]];
			sb_puts(b, "<tr><td>");
			swatch(b, group_of[i]);
			esc(b, w->strategy);
			sb_puts(b, "</td>");
			td_num(b, "%.0f", (double)w->seed);
			td_num(b, "%.0f", (double)r->round);
			sb_puts(b, "<td><code title=\"");
			esc(b, r->id);
			sb_puts(b, "\">");
			sb_add(b, r->id, 12);
			sb_puts(b, "</code></td>");
			tier_cell(b, r->tier);
			td_num(b, "%.4f", r->reward);
			td_num(b, "%.3g", r->max_err);
			td_num(b, "%.0f", r->lut);
			td_num(b, "%.0f", r->ff);
			td_num(b, "%.0f", r->dsp);
			td_num(b, "%.0f", r->bram18);
			td_num(b, "%.0f", r->latency_ns);
			td_num(b, "%.4f", r->tier >= TIER_ACCURACY ? dash_rcost(w, r) : NAN);
			sb_puts(b, "<td class=\"o\">");
			esc(b, r->origin ? r->origin : "");
			if (r->error) {
				sb_puts(b, r->origin && *r->origin ? "<br>" : "");
				sb_puts(b, "<b>");
				esc(b, r->failed_step ? r->failed_step : "error");
				sb_puts(b, ":</b> ");
				esc(b, r->error);
			}
			sb_puts(b, "</td></tr>\n");
		}
	}
	sb_puts(b, "</tbody></table></div>\n");
}

void dash_html(const dash_sweep *s, int n, const char *title, strbuf *out)
{
	sgroup *g;
	int ng = group_sweeps(s, n, &g);
	int *group_of = xcalloc((size_t)(n ? n : 1), sizeof *group_of);
	for (int k = 0; k < ng; k++)
		for (int j = 0; j < g[k].n; j++)
			group_of[g[k].sw[j]] = k;
	strbuf t = {0};
	if (title) {
		sb_puts(&t, title);
	} else {
		for (int i = 0; i < n; i++) {
			bool seen = false;
			for (int j = 0; j < i && !seen; j++)
				seen = strcmp(s[i].name, s[j].name) == 0;
			if (!seen && *s[i].name)
				sb_printf(&t, "%s%s", t.len ? ", " : "", s[i].name);
		}
		sb_puts(&t, t.len ? ": sweeps compared" : "BurnTTT sweeps");
	}
	int evals = 0;
	for (int i = 0; i < n; i++)
		evals += s[i].n_eval;

	sb_puts(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		     "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
		     "style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
		     "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		     "<meta name=\"generator\" content=\"burn dashboard " BURN_VERSION "\">\n<title>");
	esc(out, t.s);
	sb_printf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<h1>", css);
	esc(out, t.s);
	sb_printf(out, "</h1>\n<p class=\"note\">%d sweep%s, %d strateg%s, %d evaluations. Written by "
		       "<code>burn dashboard</code>; docs/DASHBOARD.md explains each plot.</p>\n",
		  n, n == 1 ? "" : "s", ng, ng == 1 ? "y" : "ies", evals);

	sb_puts(out, "<section id=\"progress\">\n<h2>Best reward vs evaluations</h2>\n");
	plot_progress(s, n, g, ng, out);
	sb_puts(out, "<p class=\"note\">For each strategy, the best reward among a sweep's first n "
		     "evaluations (distinct candidates, in round order): the line is the median over "
		     "its seeds, the band the minimum to maximum (seeds that have reached n). The reward "
		     "is lexicographic (docs/REWARD.md): 3 and above is feasible.</p>\n</section>\n");

	int nfeas = 0, nfront = 0;
	sb_puts(out, "<section id=\"pareto\">\n<h2>Latency vs resources: the Pareto front</h2>\n");
	plot_pareto(s, n, group_of, ng, g, out, &nfeas, &nfront);
	sb_printf(out, "<p class=\"note\">%d feasible design%s (accurate and within the part's "
		       "budget), %d on the front. Resource cost: the reward's resource terms, "
		       "w<sub>LUT</sub>&middot;LUT/LUT<sub>part</sub> + w<sub>FF</sub>&middot;FF/FF<sub>part</sub> "
		       "+ w<sub>DSP</sub>&middot;DSP/DSP<sub>part</sub> + w<sub>BRAM</sub>&middot;BRAM18/BRAM18<sub>part</sub>. "
		       "A design is on the front when no other is at least as fast and as cheap and "
		       "strictly better in one. Hover a point for its numbers.</p>\n</section>\n",
		  nfeas, nfeas == 1 ? "" : "s", nfront);

	sb_puts(out, "<section id=\"budget\">\n<h2>Best design vs the part budget</h2>\n");
	plot_budget(s, g, ng, out);
	best_table(s, g, ng, out);
	sb_puts(out, "<p class=\"note\">Each strategy's best design (highest reward over its seeds): "
		     "its resources as a share of its part's. Above the red line is over budget.</p>\n"
		     "</section>\n");

	sb_puts(out, "<section id=\"sweeps-section\">\n<h2>Sweeps</h2>\n");
	sweeps_table(s, n, group_of, out);
	sb_puts(out, "</section>\n");

	sb_printf(out, "<section id=\"candidates-section\">\n<h2>Candidates (%d)</h2>\n"
		       "<p class=\"note\">Every evaluated candidate of every sweep, once per sweep. "
		       "Click a column header to sort; click again to reverse.</p>\n",
		  evals);
	candidates_table(s, n, group_of, out);
	sb_printf(out, "</section>\n</main>\n<script>\n%s</script>\n</body>\n</html>\n", js);
	sb_free(&t);
	free(group_of);
	groups_free(g, ng);
}

int cmd_dashboard(int argc, char **argv)
{
	const char *out = NULL, *title = NULL;
	int n = 0;
	char **dirs = xcalloc((size_t)argc, sizeof *dirs);
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--title") == 0 && i + 1 < argc)
			title = argv[++i];
		else if (strcmp(argv[i], "--") == 0)
			while (++i < argc)
				dirs[n++] = argv[i];
		else if (argv[i][0] == '-') {
			fprintf(stderr, "burn dashboard: unexpected argument '%s'\n%s", argv[i], usage_dashboard);
			free(dirs);
			return EXIT_BADINPUT;
		} else
			dirs[n++] = argv[i];
	}
	if (!out || n == 0) {
		fputs(usage_dashboard, stderr);
		free(dirs);
		return EXIT_BADINPUT;
	}
	berr e;
	dash_sweep *s = xcalloc((size_t)n, sizeof *s);
	for (int i = 0; i < n; i++)
		if (dash_load(dirs[i], &s[i], &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	strbuf b = {0};
	dash_html(s, n, title, &b);
	if (write_file_atomic(out, b.s, b.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	sb_free(&b);
	for (int i = 0; i < n; i++)
		dash_free(&s[i]);
	free(s);
	free(dirs);
	return 0;
}
