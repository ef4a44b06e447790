/* test_reward.c - reward tiers, scores, the docs/REWARD.md worked example, NaN handling, and
 * the property that no feasible design ever scores below an infeasible one. */
#define _POSIX_C_SOURCE 200809L
#include <float.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "gen/reward.h"
#include "tests/unit/t.h"

static part PT;
static reward_spec W = {.w_latency = 1, .w_lut = 1, .w_ff = 0.5, .w_dsp = 1, .w_bram = 1};
enum { MACS = 3232 }; /* 16->64->32->5 */
static const double CLOCK = 10, EPS = 0.01;

static void set_part(void)
{
	memset(&PT, 0, sizeof PT);
	PT.lut = 53200;
	PT.ff = 106400;
	PT.dsp = 220;
	PT.bram18 = 280;
}

/* The worked example's feasible candidate. */
static reward_input good(void)
{
	return (reward_input){.built = true, .max_err = 0.004, .lut = 10640, .ff = 21280, .dsp = 110,
			      .bram18 = 28, .latency_ns = 3232};
}

static reward_output eval(const reward_input *in)
{
	reward_output o;
	reward_eval(in, &PT, CLOCK, EPS, &W, MACS, &o);
	return o;
}

static bool near(double a, double b)
{
	return fabs(a - b) < 1e-12;
}

static void test_example(void)
{
	reward_input in = good();
	reward_output o = eval(&in);
	/* cost = 3232/32320 + 10640/53200 + 0.5*21280/106400 + 110/220 + 28/280 = 1.0 */
	CHECK(o.tier == TIER_FEASIBLE && near(o.cost, 1.0) && near(o.score, 0.5) && near(o.reward, 3.5),
	      "feasible: tier %d cost %.17g score %.17g reward %.17g", o.tier, o.cost, o.score, o.reward);
	CHECK(strcmp(o.why, "feasible") == 0, "why %s", o.why);
	in.max_err = 0.02;
	o = eval(&in);
	CHECK(o.tier == TIER_ACCURACY && near(o.score, 0.5) && near(o.reward, 1.5), "accuracy: %d %g",
	      o.tier, o.reward);
	CHECK(strstr(o.why, "accuracy"), "why %s", o.why);
	in = good();
	in.dsp = 330;
	in.lut = 60000;
	o = eval(&in);
	CHECK(o.tier == TIER_BUDGET && near(o.score, 1 / 1.5) && near(o.reward, 2 + 1 / 1.5) &&
		      strstr(o.why, "DSP"),
	      "budget: %d %g %s", o.tier, o.reward, o.why);
	in = good();
	in.built = false;
	o = eval(&in);
	CHECK(o.tier == TIER_FAILED && o.reward == 0 && o.score == 0, "failed: %d %g", o.tier, o.reward);
	/* a given latency normaliser replaces the derived one */
	in = good();
	reward_spec w2 = W;
	w2.latency_ref_ns = 3232;
	reward_eval(&in, &PT, CLOCK, EPS, &w2, MACS, &o);
	CHECK(near(o.cost, 1.9), "latency_ref_ns: cost %g", o.cost);
	/* exactly at eps and at the budget is still feasible */
	in = good();
	in.max_err = EPS;
	in.dsp = 220;
	o = eval(&in);
	CHECK(o.tier == TIER_FEASIBLE, "at the limits: tier %d", o.tier);
}

static void test_edges(void)
{
	reward_input in = good();
	reward_output o;
	/* cost 0: all weights zero, or nothing used */
	reward_spec zero = {0};
	reward_eval(&in, &PT, CLOCK, EPS, &zero, MACS, &o);
	CHECK(o.tier == TIER_FEASIBLE && o.score < 1 && o.reward < 4 && o.reward > 3.999,
	      "cost 0: score %.17g reward %.17g", o.score, o.reward);
	/* NaN max_err is an accuracy miss, never feasible */
	in.max_err = NAN;
	o = eval(&in);
	CHECK(o.tier == TIER_ACCURACY && o.score == 0 && o.reward == 1, "NaN max_err: %d %g", o.tier,
	      o.reward);
	in.max_err = INFINITY;
	o = eval(&in);
	CHECK(o.tier == TIER_ACCURACY && o.score == 0, "inf max_err");
	in.max_err = -1;
	o = eval(&in);
	CHECK(o.tier == TIER_ACCURACY, "negative max_err: %d", o.tier);
	/* NaN eps: nothing passes */
	in = good();
	reward_eval(&in, &PT, CLOCK, NAN, &W, MACS, &o);
	CHECK(o.tier == TIER_ACCURACY, "NaN eps: %d", o.tier);
	/* eps 0: only exact designs pass, misses score 0 */
	reward_eval(&in, &PT, CLOCK, 0, &W, MACS, &o);
	CHECK(o.tier == TIER_ACCURACY && o.score == 0, "eps 0");
	in.max_err = 0;
	reward_eval(&in, &PT, CLOCK, 0, &W, MACS, &o);
	CHECK(o.tier == TIER_FEASIBLE, "exact with eps 0");
	/* NaN or negative resources and latency: failed */
	double *fields[] = {&in.lut, &in.ff, &in.dsp, &in.bram18, &in.latency_ns};
	for (int k = 0; k < 5; k++) {
		double bad[] = {NAN, INFINITY, -1};
		for (int j = 0; j < 3; j++) {
			in = good();
			*fields[k] = bad[j];
			o = eval(&in);
			CHECK(o.tier == TIER_FAILED && isfinite(o.reward), "field %d = %g: tier %d", k, bad[j],
			      o.tier);
		}
	}
	/* a part without DSPs: any DSP use is over budget with score 0 */
	in = good();
	PT.dsp = 0;
	o = eval(&in);
	CHECK(o.tier == TIER_BUDGET && o.score == 0 && o.reward == 2, "no DSPs: %d %g", o.tier, o.reward);
	in.dsp = 0;
	o = eval(&in);
	CHECK(o.tier == TIER_FEASIBLE && isfinite(o.cost), "no DSPs used: %d", o.tier);
	set_part();
	/* negative and NaN weights count as 0: the score never reaches 1 */
	reward_spec neg = {.w_latency = -5, .w_lut = NAN, .w_ff = -1, .w_dsp = -INFINITY, .w_bram = 0};
	in = good();
	reward_eval(&in, &PT, CLOCK, EPS, &neg, MACS, &o);
	CHECK(o.tier == TIER_FEASIBLE && o.score < 1 && o.cost == 0, "bad weights: score %g cost %g",
	      o.score, o.cost);
	/* no usable latency normaliser (macs 0, clock NaN) */
	reward_eval(&in, &PT, NAN, EPS, &W, 0, &o);
	CHECK(o.tier == TIER_FEASIBLE && isfinite(o.reward) && isfinite(o.cost), "no normaliser: %g",
	      o.reward);
	/* a tiny normaliser: cost overflows, the score stays finite */
	reward_spec tiny = W;
	tiny.latency_ref_ns = 1e-320;
	in.latency_ns = 1e300;
	reward_eval(&in, &PT, CLOCK, EPS, &tiny, MACS, &o);
	CHECK(o.tier == TIER_FEASIBLE && isfinite(o.cost) && o.score >= 0 && o.reward >= 3,
	      "overflowing cost: %g %g", o.cost, o.reward);
	/* within a tier, less is better */
	reward_input a = good(), b = good();
	b.lut = a.lut + 1;
	CHECK(eval(&a).reward > eval(&b).reward, "one LUT more scores lower");
	a.max_err = b.max_err = 0.5;
	b.max_err = 0.6;
	CHECK(eval(&a).reward > eval(&b).reward, "closer to eps scores higher");
	CHECK(strcmp(reward_tier_name(TIER_FAILED), "failed") == 0 &&
		      strcmp(reward_tier_name(TIER_ACCURACY), "accuracy") == 0 &&
		      strcmp(reward_tier_name(TIER_BUDGET), "budget") == 0 &&
		      strcmp(reward_tier_name(TIER_FEASIBLE), "feasible") == 0 &&
		      strcmp(reward_tier_name((reward_tier)9), "failed") == 0,
	      "tier names");
}

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) * 0x1p-53;
}

/* A random number of the kind a broken or hostile step could report. */
static double wild(double scale)
{
	double u = urand();
	if (u < 0.03)
		return NAN;
	if (u < 0.05)
		return INFINITY;
	if (u < 0.07)
		return -scale * urand();
	if (u < 0.10)
		return 0;
	if (u < 0.12)
		return DBL_MAX;
	if (u < 0.14)
		return DBL_MIN;
	return scale * 2 * urand();
}

static void test_property(void)
{
	double min_feasible = INFINITY, max_infeasible = -INFINITY;
	int bad_range = 0, bad_tier = 0, n_feasible = 0, n_other = 0;
	for (int k = 0; k < 200000; k++) {
		part pt = {0};
		pt.lut = (long)(urand() * 100000);
		pt.ff = (long)(urand() * 200000);
		pt.dsp = (long)(urand() * 2000);
		pt.bram18 = (long)(urand() * 500);
		reward_spec w = {wild(2), wild(2), wild(2), wild(2), wild(2), urand() < 0.5 ? 0 : wild(1e5)};
		reward_input in = {.built = urand() < 0.9,
				   .max_err = wild(0.02),
				   .lut = wild((double)pt.lut),
				   .ff = wild((double)pt.ff),
				   .dsp = wild((double)pt.dsp),
				   .bram18 = wild((double)pt.bram18),
				   .latency_ns = wild(1e5)};
		double eps = urand() < 0.05 ? NAN : wild(0.01);
		long macs = (long)(urand() * 1e6);
		double clock = wild(10);
		reward_output o;
		reward_eval(&in, &pt, clock, eps, &w, macs, &o);
		if (!isfinite(o.reward) || !isfinite(o.score) || isnan(o.cost) || !(o.score >= 0) ||
		    !(o.score < 1) || !(o.reward >= (double)o.tier) || !(o.reward < (double)o.tier + 1) ||
		    o.tier < TIER_FAILED || o.tier > TIER_FEASIBLE || !o.why)
			bad_range++;
		bool feasible = in.built && in.max_err >= 0 && in.max_err <= eps && in.lut >= 0 &&
				in.lut <= (double)pt.lut && in.ff >= 0 && in.ff <= (double)pt.ff &&
				in.dsp >= 0 && in.dsp <= (double)pt.dsp && in.bram18 >= 0 &&
				in.bram18 <= (double)pt.bram18 && in.latency_ns >= 0 &&
				isfinite(in.latency_ns) && isfinite(in.max_err);
		if (feasible != (o.tier == TIER_FEASIBLE))
			bad_tier++;
		if (o.tier == TIER_FEASIBLE) {
			n_feasible++;
			min_feasible = o.reward < min_feasible ? o.reward : min_feasible;
		} else {
			n_other++;
			max_infeasible = o.reward > max_infeasible ? o.reward : max_infeasible;
		}
	}
	CHECK(bad_range == 0, "%d outputs out of range or not finite", bad_range);
	CHECK(bad_tier == 0, "%d tiers disagree with the definition", bad_tier);
	CHECK(n_feasible > 1000 && n_other > 1000, "feasible %d, other %d", n_feasible, n_other);
	CHECK(min_feasible > max_infeasible,
	      "a feasible design (%.17g) scored below an infeasible one (%.17g)", min_feasible,
	      max_infeasible);
	/* and the top of each tier stays below the next tier's bottom */
	reward_input in = good();
	reward_spec zero = {0};
	reward_output top, bottom;
	reward_eval(&in, &PT, CLOCK, EPS, &zero, MACS, &top);
	in.lut = 1e300;
	reward_eval(&in, &PT, CLOCK, EPS, &W, MACS, &bottom);
	CHECK(top.reward < 4 && bottom.reward >= 2 && bottom.reward < 3, "tier edges %.17g %.17g",
	      top.reward, bottom.reward);
	in = good();
	in.max_err = nextafter(EPS, 1);
	reward_eval(&in, &PT, CLOCK, EPS, &W, MACS, &top);
	CHECK(top.tier == TIER_ACCURACY && top.reward < 2, "just over eps: %.17g", top.reward);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	set_part();
	test_example();
	test_edges();
	test_property();
	return t_done("test_reward");
}
