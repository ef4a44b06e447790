/* rng.h - a small deterministic random generator (xoshiro256** seeded by splitmix64): the same
 * seed gives the same numbers on every machine. */
#ifndef BURN_RNG_H
#define BURN_RNG_H

#include <stdint.h>

typedef struct {
	uint64_t s[4];
} rng;

/* Seeds r from a seed and a stream number (independent streams for one seed). */
void rng_seed(rng *r, uint64_t seed, uint64_t stream);
/* Next 64 random bits. */
uint64_t rng_u64(rng *r);
/* Uniform integer in [0, n) without modulo bias; n > 0. */
uint64_t rng_below(rng *r, uint64_t n);
/* Uniform double in [0, 1) with 53 random bits. */
double rng_unit(rng *r);

#endif
