/* lmsynth.h - synthetic tasks for pretraining the LM author: random blocks and parts, a
 * csim-free error proxy (quantisation-noise and overflow bounds from the precisions), and a
 * teacher (greedy search on the estimate and the proxy) that labels each task with good
 * configs. No I/O; every draw comes from the caller's rng. docs/LM_AUTHOR.md. */
#ifndef BURN_AUTHOR_LMSYNTH_H
#define BURN_AUTHOR_LMSYNTH_H

#include "author/lmlang.h"
#include "gen/rng.h"

/* A synthetic task: a project (block shapes, part, clock, eps_max, reward weights; no
 * weights or data) and the hidden factors of its error proxy, which only the feedback in a
 * prompt reveals. */
typedef struct {
	project p;
	double err_scale;  /* multiplies the proxy's error (log-uniform in [1/8, 8]) */
	double mag_scale;  /* multiplies the signal magnitudes (log-uniform in [1/2, 4]) */
} lms_task;

/* Draws a task: 1..4 dense layers (dims log-uniform in 4..512, ReLU but the last), a part
 * with log-uniform budgets, clock, eps_max and reward weights. Free with lms_task_free. */
void lms_task_draw(rng *r, lms_task *t);
/* Frees t's project. */
void lms_task_free(lms_task *t);

/* The proxy of csim's max_err for config c on task t (inputs ~ N(0,1), weights ~
 * N(0, 1/n_in), scaled by t's hidden factors): rounding noise of every type carried through
 * the chain, plus the error of every value a type cannot hold (saturated or wrapped). */
double lms_proxy_err(const lms_task *t, const config *c);

/* Evaluates c on t: the estimate, the proxy max_err and the reward, as a prompt entry
 * (without c). Returns the reward; 0 and tier failed if the estimate refuses c. */
double lms_eval(const lms_task *t, const config *c, ll_entry *out);

/* Runs the teacher on task t once and appends n training examples of it to prompts[i] and
 * completions[i]: a prompt with 0..4 feedback entries (random configs and points of the
 * teacher's path, evaluated on the proxy; sometimes an invalid config's parse error) and a
 * completion (the teacher's best config, or 2 times in 5 its 2nd or 3rd best). Returns 0, or
 * -1 with e set if the task does not fit in ctx tokens. */
int lms_examples(rng *r, const lms_task *t, int ctx, int n, ll_seq *prompts,
		 ll_seq *completions, berr *e);

#endif
