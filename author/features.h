/* features.h - a config as a vector of numbers, for the learned authors (the random forest;
 * a language model's training data): per type its width, integer and fractional bits, sign,
 * rounding and saturation; per layer log2 ReuseFactor and Strategy; summaries of the
 * numerics (the narrowest weight, the bits an accumulator drops, its integer headroom); and
 * the analytical estimate normalised by the part. Every config of a block gives a vector of
 * the same length, feat_count(). No I/O. The list is in docs/STRATEGIES.md. */
#ifndef BURN_FEATURES_H
#define BURN_FEATURES_H

#include "gen/config.h"
#include "gen/estimate.h"
#include "gen/project.h"

/* What a feature depends on. csim depends only on FEAT_NUMERIC ones: ReuseFactor and
 * Strategy change the hardware, never the arithmetic. */
enum {
	FEAT_NUMERIC = 1,   /* types and their modes, and summaries of them */
	FEAT_IMPL = 2,      /* log2 ReuseFactor, Strategy */
	FEAT_ESTIMATE = 4,  /* the analytical estimate / the part's budget */
};

/* Number of features of a config of p's block. */
int feat_count(const project *p);

/* Writes the features of c (of p's block) to x[0 .. feat_count(p)); est is c's estimate, or
 * NULL to write 0 for the estimate features. */
void feat_encode(const project *p, const config *c, const estimate *est, double *x);

/* The name of feature k ("fc1.weight.F", "min_weight_F", "est.dsp"), written to buf. */
const char *feat_name(const project *p, int k, char *buf, size_t n);

/* The group (FEAT_*) of feature k. */
unsigned feat_group(const project *p, int k);

/* A log2 made of exact operations (frexp, ldexp, +, *): exact at powers of 2, linear in
 * between, increasing. Learned targets and features use it instead of libm's log, whose last
 * bits may differ between C libraries, so a seed gives the same offers on every machine.
 * x <= 0 gives -1100; NaN gives NaN. */
double feat_log2(double x);

/* The inverse of feat_log2 (for y >= -1074). */
double feat_exp2(double y);

#endif
