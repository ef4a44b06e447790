/* result.h - the one writer (and reader) of step result files: csim, estimate, reward. */
#ifndef BURN_RESULT_H
#define BURN_RESULT_H

#include "gen/estimate.h"
#include "gen/project.h"
#include "gen/ydoc.h"
#include "kernels/csim.h"

/* Longest error text kept in a result (the tail of it). */
enum { RESULT_ERROR_MAX = 2000 };

/* A result file read back: its top-level fields. */
typedef struct {
	ydoc doc;
	const char *step;    /* "csim", "estimate", ... */
	bool ok;             /* status == "ok" */
	const char *error;   /* failure text, or NULL */
} step_result;

/* Writes {"step": STEP, "status": "failed", "error": TAIL-OF-MSG}. */
void result_write_failed(strbuf *b, const char *step, const char *msg);

/* Writes the csim result. */
void result_write_csim(strbuf *b, const project *p, const csim_result *r);

/* Writes the estimate result. */
void result_write_estimate(strbuf *b, const project *p, const estimate *est);

/* The hardware results of a promoted candidate; NULL where the step did not run. */
typedef struct {
	const step_result *rtlsim, *synth, *hls, *vivado;
} hw_results;

/* Combines csim and estimate results, and the hardware results hw (NULL: none), into the
 * candidate's reward record: the best fidelity it has decides the resources (vivado > hls >
 * synth > estimate) and the latency (hls's worst case > rtlsim's cycles > estimate), and the
 * record's "fidelity" says which ("estimate", or the latency's and the resources' steps joined
 * by '+', e.g. "rtlsim+synth", "hls+vivado"). A step that failed fails the candidate. */
void result_write_reward(strbuf *b, const project *p, const step_result *cs, const step_result *es,
			 const hw_results *hw);

/* Reads a result file; a file that is not a result is an error naming it. */
int result_read(const char *path, step_result *r, berr *e);

/* Top-level number field of r, or dflt if absent or not a number. */
double result_num(const step_result *r, const char *key, double dflt);

/* Frees r. */
void result_free(step_result *r);

#endif
