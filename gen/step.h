/* step.h - running a build step through the content-addressed cache. A step builds its key
 * from the canonical bytes of exactly its inputs, looks it up, and either restores its outputs
 * (leaving identical files untouched, so Ninja's restat stops the rebuild) or computes them and
 * stores them. Each output OUT gets a sidecar OUT.cache saying "hit KEY" or "miss KEY". */
#ifndef BURN_STEP_H
#define BURN_STEP_H

#include "cache/cache.h"

typedef struct {
	const char *name;
	khash kh;
	int n_out;
	const char *const *outs;
	bool use_cache;      /* false when the cache could not be opened (warned) */
	cache c;
	ckey key;
	bool hit;
} step;

/* Starts a step's key: its name and version. outs are the paths it writes. */
void step_begin(step *s, const char *name, int version, int n_out, const char *const *outs);

/* Adds a file's bytes (not its path) to the key. */
int step_key_file(step *s, const char *label, const char *path, berr *e);

/* Adds bytes to the key. */
void step_key_bytes(step *s, const char *label, const void *data, size_t len);

/* Finishes the key and looks it up; true if the outputs were restored. */
bool step_lookup(step *s);

/* Finishes the key without looking it up: the step runs, and step_finish stores its outputs. */
void step_skip_lookup(step *s);

/* Closes the step; with ok, first stores the outputs it has written. */
void step_finish(step *s, bool ok);

#endif
