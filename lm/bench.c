/* bench.c - lm_bench: training steps and reference sgemms, timed. */
#include "lm/bench.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "gen/rng.h"
#include "lm/mat.h"
#include "lm/optim.h"
#include "lm/train.h"

static double clock_s(clockid_t id)
{
	struct timespec ts;
	clock_gettime(id, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static double now(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

double lm_sgemm_gflops(int M, int N, int K, int reps)
{
	rng r;
	rng_seed(&r, 7, 0);
	size_t na = (size_t)M * K, nb = (size_t)N * K;
	float *a = xmalloc(na * sizeof *a), *b = xmalloc(nb * sizeof *b);
	float *c = xmalloc((size_t)M * N * sizeof *c);
	for (size_t i = 0; i < na; i++)
		a[i] = (float)rng_unit(&r) - 0.5f;
	for (size_t i = 0; i < nb; i++)
		b[i] = (float)rng_unit(&r) - 0.5f;
	double best = 1e30;
	lm_gemm_blas(false, true, M, N, K, 1, a, K, b, K, 0, c, N); /* warm-up */
	for (int i = 0; i < reps; i++) {
		double t0 = now();
		lm_gemm_blas(false, true, M, N, K, 1, a, K, b, K, 0, c, N);
		double t = now() - t0;
		best = t < best ? t : best;
	}
	free(a);
	free(b);
	free(c);
	return 2.0 * M * N * K / best / 1e9;
}

/* The 1-minute load average from /proc/loadavg, or -1. */
static double loadavg(void)
{
	double l = -1;
	FILE *f = fopen("/proc/loadavg", "r");
	if (f) {
		if (fscanf(f, "%lf", &l) != 1)
			l = -1;
		fclose(f);
	}
	return l;
}

int lm_bench(const lm_config *c, int B, int steps, int threads, lm_bench_result *out, berr *e)
{
	if (B < 1 || steps < 1 || threads < 1)
		return errf(e, "bench needs batch, steps and threads >= 1");
	lm_model *m = lm_new(c, 1, e);
	if (!m)
		return -1;
	int old_threads = lm_get_threads();
	lm_kernel old_kernel = lm_get_kernel();
	lm_set_threads(threads);
	lm_set_kernel(LM_KERNEL_BLAS);
	int T = c->ctx, rc = -1;
	size_t n = (size_t)B * T * 4 + T + 1;
	int *data = xmalloc(n * sizeof *data), *in = xmalloc((size_t)B * T * sizeof *in),
	    *tgt = xmalloc((size_t)B * T * sizeof *tgt);
	rng r;
	rng_seed(&r, 1, 1);
	for (size_t i = 0; i < n; i++)
		data[i] = (int)rng_below(&r, (uint64_t)c->vocab);
	lm_adamw o;
	lm_adamw_hp hp = lm_adamw_defaults();
	lm_adamw_init(&o, &hp, m->nparams);
	if (lm_set_mode(m, LM_TRAIN_BASE, e) != 0)
		goto out;
	float loss;
	lm_batch_random(data, n, B, T, &r, in, tgt);
	if (lm_train_step(m, &o, in, tgt, B, T, 1e-3f, &loss, NULL, e) != 0) /* warm-up */
		goto out;
	lm_gemm_stats_reset(true);
	double t0 = now(), c0 = clock_s(CLOCK_PROCESS_CPUTIME_ID);
	for (int s = 0; s < steps; s++) {
		lm_batch_random(data, n, B, T, &r, in, tgt);
		if (lm_train_step(m, &o, in, tgt, B, T, 1e-3f, &loss, NULL, e) != 0)
			goto out;
	}
	double wall = now() - t0, cpu = clock_s(CLOCK_PROCESS_CPUTIME_ID) - c0;
	lm_gemm_stats g = lm_gemm_stats_get();
	lm_gemm_stats_reset(false);
	*out = (lm_bench_result){
		.nparams = m->nparams,
		.step_seconds = wall / steps,
		.tokens_per_s = (double)B * T * steps / wall,
		.tokens_per_cpu_s = (double)B * T * steps / cpu,
		.gemm_flops = g.flops / steps,
		.gemm_gflops = g.flops / wall / 1e9,
		.gemm_share = g.seconds / wall,
		.sgemm_gflops = lm_sgemm_gflops(1024, 1024, 1024, 10),
		.shaped_gflops = lm_sgemm_gflops(B * T, c->mlp, c->hidden, 10),
	};
	out->load = loadavg();
	rc = 0;
out:
	lm_gemm_stats_reset(false);
	lm_set_threads(old_threads);
	lm_set_kernel(old_kernel);
	lm_adamw_free(&o);
	free(data);
	free(in);
	free(tgt);
	lm_free(m);
	return rc;
}
