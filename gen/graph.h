/* graph.h - the build graph of a sweep: edges (rule, outputs, inputs, variables) that one
 * writer turns into a Ninja manifest (and another into a Makefile). Paths are kept as they
 * are; each writer escapes them for its own syntax. */
#ifndef BURN_GRAPH_H
#define BURN_GRAPH_H

#include "gen/util.h"

typedef struct {
	char **v;
	int n, cap;
} strlist;

typedef struct {
	char *rule;
	strlist outs;    /* explicit outputs */
	strlist ins;     /* explicit inputs ($in) */
	strlist deps;    /* implicit inputs (| in Ninja) */
	strlist keys, vals; /* edge variables */
} gedge;

typedef struct {
	strlist keys, vals;       /* top-level variables, in order */
	strlist pools;            /* pool names, depths in pool_depth */
	long pool_depth[16];
	char *include;            /* the rules file */
	int n, cap;
	gedge *e;
	strlist defaults;
} graph;

/* Appends a formatted string to l. */
void sl_addf(strlist *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees l's strings. */
void sl_free(strlist *l);

/* Adds a top-level variable. */
void graph_var(graph *g, const char *key, const char *val);
/* Declares a pool. */
void graph_pool(graph *g, const char *name, long depth);
/* Adds an edge of rule and returns it (valid until the next graph_edge). */
gedge *graph_edge(graph *g, const char *rule);
/* Sets an edge variable. */
void edge_var(gedge *e, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Writes g as a Ninja manifest. */
void graph_write_ninja(const graph *g, strbuf *b);

/* Writes g as a GNU Makefile fragment (burn.mk) with the same steps and commands: the rules'
 * commands are taken from the Ninja rules file (rules_text, named rules_name in messages) and
 * expanded per edge. Every path is prefixed with $(BURN_DIR)/ and every command runs in
 * $(BURN_DIR), so the fragment can be included from any Makefile. */
int graph_write_make(const graph *g, const char *rules_name, const char *rules_text, strbuf *b,
		     berr *e);

/* Frees g. */
void graph_free(graph *g);

#endif
