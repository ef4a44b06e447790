/* forest.c - regression random forest: CART trees grown on bootstrap samples, splitting on the
 * feature and threshold (from a random subset of the features) that most reduce the squared
 * error, down to a depth and a leaf size. Sorting breaks ties by row index and gains by the
 * order the features were drawn, so the same rng gives the same forest on every machine. */
#include "author/forest.h"

#include <stdlib.h>
#include <string.h>

#include "gen/util.h"

const forest_params forest_defaults = {.n_trees = 64, .max_depth = 12, .min_leaf = 2, .mtry = 0};

/* One value of one row, for sorting a node's rows by a feature. */
typedef struct {
	double v, y;
	int row;
} cell;

/* The state of growing one forest. */
typedef struct {
	forest *f;
	const double *x, *y;
	int d;
	int *feats;     /* usable features */
	int nfeats;
	int mtry;
	const forest_params *fp;
	rng *g;
	cell *cells;    /* scratch, n */
	int *tmp;       /* scratch, n */
} grower;

/* qsort order of cells: value, then row. */
static int cmp_cell(const void *a, const void *b)
{
	const cell *p = a, *q = b;
	if (p->v != q->v)
		return p->v < q->v ? -1 : 1;
	return (p->row > q->row) - (p->row < q->row);
}

/* Appends a leaf node; returns its index. */
static int new_node(forest *f, double value)
{
	if (f->n_nodes == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 256;
		f->node = xreallocarray(f->node, (size_t)f->cap, sizeof *f->node);
	}
	f->node[f->n_nodes] = (forest_node){.feat = -1, .value = value};
	return f->n_nodes++;
}

/* Grows the subtree of rows idx[0..m) at depth; returns its node. */
static int grow(grower *gr, int *idx, int m, int depth)
{
	const forest_params *fp = gr->fp;
	double sum = 0, sum2 = 0;
	for (int k = 0; k < m; k++) {
		double v = gr->y[idx[k]];
		sum += v;
		sum2 += v * v;
	}
	int node = new_node(gr->f, sum / m);
	double sse = sum2 - sum * sum / m;
	if (depth >= fp->max_depth || m < 2 * fp->min_leaf || !(sse > 1e-12 * (sum2 + 1e-300)))
		return node;

	/* Features in a random order; the first mtry that vary in this node are tried. */
	for (int k = gr->nfeats - 1; k > 0; k--) {
		int j = (int)rng_below(gr->g, (uint64_t)k + 1);
		int t = gr->feats[k];
		gr->feats[k] = gr->feats[j];
		gr->feats[j] = t;
	}
	int best_feat = -1, tried = 0;
	double best_gain = 1e-12 * sse, best_thr = 0;
	for (int q = 0; q < gr->nfeats && tried < gr->mtry; q++) {
		int f = gr->feats[q];
		cell *c = gr->cells;
		for (int k = 0; k < m; k++)
			c[k] = (cell){.v = gr->x[(size_t)idx[k] * (size_t)gr->d + (size_t)f],
				      .y = gr->y[idx[k]], .row = idx[k]};
		qsort(c, (size_t)m, sizeof *c, cmp_cell);
		if (c[0].v == c[m - 1].v)
			continue; /* constant here: does not count as tried */
		tried++;
		double left = 0;
		for (int k = 0; k < m - 1; k++) {
			left += c[k].y;
			int nl = k + 1, nr = m - nl;
			if (c[k].v == c[k + 1].v || nl < fp->min_leaf || nr < fp->min_leaf)
				continue;
			double right = sum - left;
			double gain = left * left / nl + right * right / nr - sum * sum / m;
			if (gain > best_gain) {
				best_gain = gain;
				best_feat = f;
				best_thr = c[k].v + (c[k + 1].v - c[k].v) / 2;
				if (!(best_thr < c[k + 1].v)) /* adjacent doubles: keep the split exact */
					best_thr = c[k].v;
			}
		}
	}
	if (best_feat < 0)
		return node;

	/* Stable partition: rows going left first, in their order. */
	int nl = 0, nr = 0;
	for (int k = 0; k < m; k++)
		if (gr->x[(size_t)idx[k] * (size_t)gr->d + (size_t)best_feat] <= best_thr)
			idx[nl++] = idx[k];
		else
			gr->tmp[nr++] = idx[k];
	memcpy(idx + nl, gr->tmp, (size_t)nr * sizeof *idx);
	int l = grow(gr, idx, nl, depth + 1);
	int r = grow(gr, idx + nl, nr, depth + 1);
	forest_node *nd = &gr->f->node[node]; /* node may have moved */
	nd->feat = best_feat;
	nd->thr = best_thr;
	nd->left = l;
	nd->right = r;
	return node;
}

int forest_fit(forest *f, const double *x, const double *y, int n, int d, const bool *use,
	       const forest_params *fp, rng *g)
{
	memset(f, 0, sizeof *f);
	if (n < 1 || d < 1 || fp->n_trees < 1)
		return -1;
	grower gr = {.f = f, .x = x, .y = y, .d = d, .fp = fp, .g = g};
	gr.feats = xcalloc((size_t)d, sizeof *gr.feats);
	for (int k = 0; k < d; k++)
		if (!use || use[k])
			gr.feats[gr.nfeats++] = k;
	gr.mtry = fp->mtry > 0 ? fp->mtry : gr.nfeats / 3;
	if (gr.mtry < 1)
		gr.mtry = 1;
	gr.cells = xcalloc((size_t)n, sizeof *gr.cells);
	gr.tmp = xcalloc((size_t)n, sizeof *gr.tmp);
	int *idx = xcalloc((size_t)n, sizeof *idx);
	f->n_trees = fp->n_trees;
	f->n_feat = d;
	f->root = xcalloc((size_t)f->n_trees, sizeof *f->root);
	for (int t = 0; t < f->n_trees; t++) {
		for (int k = 0; k < n; k++) /* bootstrap: n rows drawn with replacement */
			idx[k] = (int)rng_below(g, (uint64_t)n);
		f->root[t] = grow(&gr, idx, n, 0);
	}
	free(idx);
	free(gr.tmp);
	free(gr.cells);
	free(gr.feats);
	return 0;
}

double forest_tree(const forest *f, int t, const double *x)
{
	if (!f->root || t < 0 || t >= f->n_trees)
		return 0;
	const forest_node *nd = &f->node[f->root[t]];
	while (nd->feat >= 0)
		nd = &f->node[x[nd->feat] <= nd->thr ? nd->left : nd->right];
	return nd->value;
}

double forest_mean(const forest *f, const double *x)
{
	if (f->n_trees < 1)
		return 0;
	double s = 0;
	for (int t = 0; t < f->n_trees; t++)
		s += forest_tree(f, t, x);
	return s / f->n_trees;
}

void forest_free(forest *f)
{
	free(f->root);
	free(f->node);
	memset(f, 0, sizeof *f);
}
