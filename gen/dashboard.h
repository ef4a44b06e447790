/* dashboard.h - burn dashboard: one static HTML page (inline CSS, SVG and a little JS, no
 * external resource) comparing sweeps: best reward vs evaluations per strategy with a band
 * over seeds, the latency-resource Pareto front, the best designs against the part budget and
 * a sortable table of every evaluated candidate. docs/DASHBOARD.md says how each is computed. */
#ifndef BURN_DASHBOARD_H
#define BURN_DASHBOARD_H

#include "gen/records.h"

enum { DASH_LUT, DASH_FF, DASH_DSP, DASH_BRAM, DASH_NRES };

/* What the dashboard knows of one sweep folder. */
typedef struct {
	char *dir;                 /* as given on the command line */
	char *name;                /* the project's name (facets/hlsgen.yaml), or "" */
	char *strategy;            /* rounds/0/candidates.json "strategy", else the author facet's */
	long seed;                 /* search.seed of facets/author.yaml (0 if absent) */
	char part[MAX_NAME];       /* the part's name */
	double budget[DASH_NRES];  /* the part's LUT, FF, DSP, BRAM18 */
	double weight[DASH_NRES];  /* the reward's resource weights (docs/REWARD.md) */
	history h;                 /* every finished round's records, in round order */
	int n_rounds;              /* finished rounds (rounds/R/results.json that exist) */
	int *eval;                 /* indices into h of the evaluations: each id's first record */
	int n_eval;
	int best;                  /* index into h of the best evaluation (highest reward, the
				    * earliest on ties), or -1 */
} dash_sweep;

/* Reads a sweep folder: its facets and every finished round's results. */
int dash_load(const char *dir, dash_sweep *s, berr *e);

/* Frees what s holds. */
void dash_free(dash_sweep *s);

/* The budget-normalised resource cost of a record: the resource terms of the reward's cost,
 * sum of weight * used / available (every weight 1 when all are 0); NaN if a count is. */
double dash_rcost(const dash_sweep *s, const record *r);

/* Marks on_front[i] for the points no other point dominates (another with x <= and y <=, one
 * of them strictly smaller); equal points are both on it; non-finite points never. Returns how
 * many are on the front. */
int dash_pareto(const double *x, const double *y, int n, bool *on_front);

/* Writes the page for n sweeps (title may be NULL: the projects' names). */
void dash_html(const dash_sweep *s, int n, const char *title, strbuf *out);

#endif
