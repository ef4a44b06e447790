/* reward.h - the lexicographic reward: failed < accuracy miss < over budget < feasible
 * (definition in docs/REWARD.md). No I/O. */
#ifndef BURN_REWARD_H
#define BURN_REWARD_H

#include "gen/project.h"

typedef enum { TIER_FAILED = 0, TIER_ACCURACY = 1, TIER_BUDGET = 2, TIER_FEASIBLE = 3 } reward_tier;

/* What the reward step knows of one evaluated candidate. */
typedef struct {
	bool built;          /* every step it depends on succeeded */
	double max_err;      /* max abs error of the block output (csim) */
	double lut, ff, dsp, bram18;
	double latency_ns;
} reward_input;

typedef struct {
	reward_tier tier;
	double score;        /* within the tier, in [0, 1) */
	double reward;       /* tier + score: a higher tier always wins */
	double cost;         /* feasible tier: weighted latency + normalised resources */
	const char *why;     /* short reason for the tier ("accuracy: max_err > eps_max", ...) */
} reward_output;

/* Scores one candidate. macs is project_macs() (for the derived latency normaliser). NaN,
 * infinite or negative inputs never reach the feasible tier; the outputs are always finite. */
void reward_eval(const reward_input *in, const part *pt, double clock_ns, double eps_max,
		 const reward_spec *w, long macs, reward_output *out);

/* Name of a tier: "failed", "accuracy", "budget", "feasible". */
const char *reward_tier_name(reward_tier t);

#endif
