/* cands.h - a round's candidate list (rounds/R/candidates.json), written by the author step
 * and read by the generator and hlsgen. */
#ifndef BURN_CANDS_H
#define BURN_CANDS_H

#include "gen/limits.h"
#include "gen/util.h"

enum { CAND_ID_LEN = 32, MAX_PER_ROUND = LIM_PER_ROUND, MAX_CONFIG_BYTES = LIM_CONFIG_BYTES };

typedef struct {
	char id[CAND_ID_LEN + 1]; /* xxh3-128 hex of the canonical config (or of the raw text) */
	bool valid;               /* the config parsed and validated against the block */
	char *origin;             /* which strategy proposed it and why (one line) */
	char *config;             /* canonical config YAML, or the raw text if invalid */
	char *error;              /* why it is invalid, or NULL */
} candidate;

enum { CANDS_MAX_STATS = 16 };

typedef struct {
	long round;
	char *strategy;
	int n;
	candidate *c;
	/* counts an author reports about its round (written as "author_stats"; not read back) */
	int n_stats;
	const char *stat_key[CANDS_MAX_STATS];
	long stat_val[CANDS_MAX_STATS];
} cand_list;

/* Reads a candidate list; ids are checked to be 32 lowercase hex digits. */
int cands_read(const char *path, cand_list *l, berr *e);

/* Writes l as JSON. */
void cands_write(const cand_list *l, strbuf *b);

/* Index of id in l, or -1. */
int cands_find(const cand_list *l, const char *id);

/* Frees l. */
void cands_free(cand_list *l);

/* True if s is a candidate id (32 lowercase hex digits). */
bool cand_id_ok(const char *s);

#endif
