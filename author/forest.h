/* forest.h - a regression random forest (CART trees on bootstrap samples, a random subset of
 * the features tried at each split), the surrogate model of the rf author. Deterministic:
 * every random choice comes from the rng passed in. No I/O. */
#ifndef BURN_FOREST_H
#define BURN_FOREST_H

#include <stdbool.h>

#include "gen/rng.h"

typedef struct {
	int n_trees;     /* trees in the forest */
	int max_depth;   /* a node this deep is a leaf (the root has depth 0) */
	int min_leaf;    /* rows a leaf holds at least (counting bootstrap repeats) */
	int mtry;        /* features tried per split; 0: a third of the usable ones (at least 1) */
} forest_params;

/* A tree node: a leaf when feat < 0, else rows with x[feat] <= thr go left. */
typedef struct {
	int feat;
	double thr;
	int left, right;
	double value;    /* mean target of the node's rows */
} forest_node;

typedef struct {
	int n_trees, n_feat;
	int *root;            /* per tree, its root's index in node */
	int n_nodes, cap;
	forest_node *node;    /* every tree's nodes */
} forest;

/* The defaults of the rf author: 64 trees, depth 12, 2 rows a leaf, mtry a third. */
extern const forest_params forest_defaults;

/* Fits f to n rows of d features (x row-major, n*d) and their targets y. Features k with
 * use[k] false are never split on (use NULL: all may be). Returns -1 if n < 1 or d < 1
 * (f is then empty: every prediction is 0). */
int forest_fit(forest *f, const double *x, const double *y, int n, int d, const bool *use,
	       const forest_params *fp, rng *g);

/* Tree t's prediction for the row x (d features). */
double forest_tree(const forest *f, int t, const double *x);

/* The forest's prediction: the mean of its trees'. */
double forest_mean(const forest *f, const double *x);

/* Frees f's storage. */
void forest_free(forest *f);

#endif
