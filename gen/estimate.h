/* estimate.h - analytical model of resources and latency of a config on a part
 * (derivation in docs/ESTIMATE.md). No I/O. */
#ifndef BURN_ESTIMATE_H
#define BURN_ESTIMATE_H

#include "gen/config.h"
#include "gen/project.h"

typedef struct {
	long mults;          /* parallel multipliers P = ceil(n_in*n_out/RF) (either strategy) */
	long dsp;            /* DSP slices */
	long lut, ff;
	long bram18;         /* 18 Kb block RAMs for weights */
	long lutram_bits;    /* weight ROM bits built from LUTs instead (a shallow ROM) */
	long latency;        /* cycles from first input to last output of this layer */
	long ii;             /* initiation interval: ceil(n_in*n_out/P) cycles, RF when RF divides it */
} layer_estimate;

typedef struct {
	int n_layers;
	layer_estimate *layers;
	layer_estimate total; /* sums; latency summed; ii = max */
	double latency_ns;    /* total.latency * clock */
} estimate;

/* Estimates a config on the project's part and clock (needs block, part, clock). Errors
 * (missing sections, layer count mismatch, a bad part) leave out empty. */
int estimate_run(const project *p, const config *c, estimate *out, berr *e);

/* Frees out's storage. */
void estimate_free(estimate *out);

#endif
