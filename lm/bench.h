/* bench.h - training throughput of a model config next to the sgemm throughput measured in
 * the same run (burn lm-bench; docs/LM.md records the numbers). */
#ifndef BURN_LM_BENCH_H
#define BURN_LM_BENCH_H

#include <stddef.h>

#include "lm/model.h"

typedef struct {
	size_t nparams;
	double step_seconds;  /* mean wall time of one training step */
	double tokens_per_s;  /* B*T / step_seconds */
	double tokens_per_cpu_s; /* B*T / the process's CPU time per step (all threads) */
	double gemm_flops;    /* lm_gemm FLOPs of one step (2MNK summed over its calls) */
	double gemm_gflops;   /* gemm_flops / step_seconds */
	double gemm_share;    /* fraction of the step's time spent inside lm_gemm */
	double sgemm_gflops;  /* one large square sgemm (1024^3), the machine's reference */
	double shaped_gflops; /* sgemm of the model's MLP shape (B*T x M x C) */
	double load;          /* 1-minute load average at the end (-1 if unknown): the cores
			       * may be shared */
} lm_bench_result;

/* Trains config c from seed 1 on random bytes for steps timed steps (after one warm-up) with
 * batch B and T = ctx, OpenBLAS on threads threads; then times the reference sgemms. */
int lm_bench(const lm_config *c, int B, int steps, int threads, lm_bench_result *out, berr *e);

/* GFLOP/s of one sgemm C (M x N) = A (M x K) B^T (N x K) on the current OpenBLAS threads,
 * best of reps runs after a warm-up: the machine's reference rate. */
double lm_sgemm_gflops(int M, int N, int K, int reps);

#endif
