/* reward.c - the lexicographic reward: failed < accuracy miss < over budget < feasible, plus a
 * score in [0, 1) within the tier (definition and a worked example in docs/REWARD.md). */
#include "gen/reward.h"

#include <float.h>
#include <math.h>

/* Largest score: tier + SCORE_MAX stays exactly below tier + 1 for every tier (0..3). */
#define SCORE_MAX (1.0 - 0x1p-40)

static const char *const tier_names[] = {"failed", "accuracy", "budget", "feasible"};

const char *reward_tier_name(reward_tier t)
{
	return t >= TIER_FAILED && t <= TIER_FEASIBLE ? tier_names[t] : "failed";
}

/* A score in [0, SCORE_MAX]; NaN becomes 0. */
static double clamp_score(double s)
{
	if (!(s > 0))
		return 0;
	return s < SCORE_MAX ? s : SCORE_MAX;
}

/* A weight from the spec: NaN, negative and infinite weights count as 0. */
static double weight(double w)
{
	return w > 0 && isfinite(w) ? w : 0;
}

static void finish(reward_output *out, reward_tier t, double score, const char *why)
{
	out->tier = t;
	out->score = clamp_score(score);
	out->reward = (double)t + out->score;
	if (out->reward >= (double)t + 1) /* cannot happen with SCORE_MAX; belt and braces */
		out->reward = nextafter((double)t + 1, 0);
	out->why = why;
}

void reward_eval(const reward_input *in, const part *pt, double clock_ns, double eps_max,
		 const reward_spec *w, long macs, reward_output *out)
{
	out->cost = 0;
	const double used[4] = {in->lut, in->ff, in->dsp, in->bram18};
	const double budget[4] = {(double)pt->lut, (double)pt->ff, (double)pt->dsp, (double)pt->bram18};
	static const char *const over_why[4] = {"budget: LUT over the part", "budget: FF over the part",
						"budget: DSP over the part",
						"budget: BRAM18 over the part"};
	if (!in->built) {
		finish(out, TIER_FAILED, 0, "failed: a step it depends on failed");
		return;
	}
	for (int r = 0; r < 4; r++)
		if (!(used[r] >= 0) || !isfinite(used[r])) {
			finish(out, TIER_FAILED, 0, "failed: a resource count is not a number");
			return;
		}
	if (!(in->latency_ns >= 0) || !isfinite(in->latency_ns)) {
		finish(out, TIER_FAILED, 0, "failed: the latency is not a number");
		return;
	}
	if (!(in->max_err >= 0) || !isfinite(in->max_err) || isnan(eps_max)) {
		finish(out, TIER_ACCURACY, 0, "accuracy: max_err is not a number");
		return;
	}
	if (in->max_err > eps_max) {
		/* eps_max / max_err < 1 since max_err > eps_max; 0 when eps_max <= 0 */
		finish(out, TIER_ACCURACY, eps_max > 0 ? eps_max / in->max_err : 0,
		       "accuracy: max_err > eps_max");
		return;
	}
	double worst = 0;
	int wr = -1;
	for (int r = 0; r < 4; r++) {
		double ratio = used[r] <= budget[r] ? 0 : budget[r] > 0 ? used[r] / budget[r] : INFINITY;
		if (used[r] > budget[r] && ratio > worst) {
			worst = ratio;
			wr = r;
		}
	}
	if (wr >= 0) {
		finish(out, TIER_BUDGET, 1 / worst, over_why[wr]);
		return;
	}
	double ref = w->latency_ref_ns > 0 && isfinite(w->latency_ref_ns) ? w->latency_ref_ns
		   : (double)macs * clock_ns;
	if (!(ref > 0) || !isfinite(ref))
		ref = 1; /* no usable normaliser: latency counts in ns */
	const double wres[4] = {weight(w->w_lut), weight(w->w_ff), weight(w->w_dsp), weight(w->w_bram)};
	double cost = 0;
	if (weight(w->w_latency) > 0)
		cost += weight(w->w_latency) * (in->latency_ns / ref);
	for (int r = 0; r < 4; r++)
		if (wres[r] > 0 && budget[r] > 0)
			cost += wres[r] * (used[r] / budget[r]);
	if (!(cost <= DBL_MAX)) /* overflow (or NaN): the worst finite cost */
		cost = DBL_MAX;
	out->cost = cost;
	finish(out, TIER_FEASIBLE, 1 / (1 + cost), "feasible");
}
