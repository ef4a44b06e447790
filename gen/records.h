/* records.h - evaluated candidates as the author, the report and `burn status` see them: one
 * record per candidate per round, in rounds/R/results.json (written by burn collect). */
#ifndef BURN_RECORDS_H
#define BURN_RECORDS_H

#include "gen/cands.h"
#include "gen/json.h"
#include "gen/reward.h"

typedef struct {
	char id[CAND_ID_LEN + 1];
	long round;            /* the round whose list proposed it */
	char *origin;          /* strategy note */
	bool valid;            /* the config validated */
	char *config;          /* canonical config (or the raw text of an invalid one) */
	reward_tier tier;
	double reward, max_err, mean_err;
	double lut, ff, dsp, bram18, latency_cycles, latency_ns;
	char *fidelity;        /* "estimate" (later "synth") */
	char *failed_step;     /* NULL unless it failed */
	char *error;           /* failure text (the tail), or NULL */
	int n_layers;
	double *layer_err;     /* per-layer max error from csim (n_layers), may be NULL */
} record;

typedef struct {
	int n, cap;
	record *r;
} history;

/* Appends the records of a round results file to h. */
int history_read(const char *path, history *h, berr *e);

/* Writes a round results file: {"round": R, "records": [...]}. */
void history_write(const history *h, long round, strbuf *b);

/* Fills rec from a candidate and its reward.json (read back with result_read). */
int record_from_reward(record *rec, const candidate *c, long round, const char *reward_path, berr *e);

/* Fills rec for a listed candidate that has no result yet (tier failed, error "pending"). */
void record_pending(record *rec, const candidate *c, long round);

/* Writes a record's common fields (id, round, origin, valid, tier, reward, errors,
 * resources, latency) into the object w is in. */
void record_write_fields(jw *w, const record *r);

/* Frees what one record holds. */
void record_free(record *r);

/* Index of the best record (highest reward; ties go to the earliest), or -1 if empty. */
int history_best(const history *h);

/* True if h holds a record with this id. */
bool history_has(const history *h, const char *id);

/* Tier from its name; TIER_FAILED for an unknown name. */
reward_tier tier_from_name(const char *s);

/* Frees h (and every record in it). */
void history_free(history *h);

#endif
