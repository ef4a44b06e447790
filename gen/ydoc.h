/* ydoc.h - a YAML document as a tree of nodes with their positions (libyaml underneath). */
#ifndef BURN_YDOC_H
#define BURN_YDOC_H

#include "gen/limits.h"
#include "gen/util.h"

typedef enum { YN_SCALAR, YN_MAP, YN_SEQ } yn_kind;

typedef struct ynode ynode;
struct ynode {
	yn_kind kind;
	int line, col;   /* 1-based position of the node's start */
	char *str;       /* scalar text (YN_SCALAR) */
	bool quoted;     /* the scalar was quoted (so "1" is a string) */
	size_t n;        /* number of items, or of key/value pairs */
	ynode **items;   /* sequence items, or mapping values */
	ynode **keys;    /* mapping keys (scalar nodes), parallel to items */
};

typedef struct {
	char *file;   /* name used in messages */
	ynode *root;  /* NULL for an empty document */
} ydoc;

/* Largest YAML file burn reads, and deepest nesting. */
enum { YDOC_MAX_BYTES = LIM_YAML_BYTES, YDOC_MAX_DEPTH = LIM_YAML_DEPTH };

/* Parses a YAML file into d; aliases, duplicate keys and non-scalar keys are errors. */
int ydoc_load(const char *path, ydoc *d, berr *e);
/* Parses YAML text (name is used in messages). */
int ydoc_parse(const char *name, const char *text, size_t len, ydoc *d, berr *e);
/* Frees the tree. */
void ydoc_free(ydoc *d);

/* Formats "FILE:LINE:COL: key 'KEY': MSG" into e; returns -1. */
int yerr(berr *e, const ydoc *d, const ynode *at, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* Value of key in mapping m, or NULL (m may be NULL). */
ynode *ymap_get(const ynode *m, const char *key);
/* Checks m is a mapping whose keys are all in allowed; an unknown key is an error with a
 * "did you mean" suggestion. ctx is the key path of m for messages ("" at top). */
int ymap_check(const ydoc *d, const ynode *m, const char *ctx, const char *const *allowed, size_t n,
	       berr *e);

/* Typed reads of m[key]. A missing key leaves *out unchanged and returns 0 unless required.
 * ctx is the key path of m for messages. Ranges are inclusive. */
int yget_long(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	      long lo, long hi, long *out, berr *e);
int yget_double(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
		double lo, double hi, double *out, berr *e);
int yget_bool(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	      bool *out, berr *e);
/* *out points into the tree (valid while d lives). */
int yget_str(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	     const char **out, berr *e);
/* Reads m[key] as one of choices; *out is its index. */
int yget_enum(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	      const char *const *choices, size_t n, int *out, berr *e);

/* Helper to build "ctx.key" paths: writes into buf and returns it. */
const char *ykey(char *buf, size_t n, const char *ctx, const char *key);

#endif
