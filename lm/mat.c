/* mat.c - lm_gemm: OpenBLAS and the naive reference, the kernel switch, call counters. */
#include "lm/mat.h"

#include <cblas.h>
#include <time.h>

static lm_kernel kernel = LM_KERNEL_BLAS;
static bool counting;
static lm_gemm_stats stats;

void lm_set_kernel(lm_kernel k)
{
	kernel = k;
}

lm_kernel lm_get_kernel(void)
{
	return kernel;
}

void lm_set_threads(int n)
{
	openblas_set_num_threads(n < 1 ? 1 : n);
}

int lm_get_threads(void)
{
	return openblas_get_num_threads();
}

void lm_gemm_blas(bool ta, bool tb, int M, int N, int K, float alpha, const float *A, int lda,
		  const float *B, int ldb, float beta, float *C, int ldc)
{
	cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans,
		    M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
}

void lm_gemm_naive(bool ta, bool tb, int M, int N, int K, float alpha, const float *A, int lda,
		   const float *B, int ldb, float beta, float *C, int ldc)
{
	for (int i = 0; i < M; i++)
		for (int j = 0; j < N; j++) {
			double s = 0;
			for (int k = 0; k < K; k++) {
				float a = ta ? A[(long)k * lda + i] : A[(long)i * lda + k];
				float b = tb ? B[(long)j * ldb + k] : B[(long)k * ldb + j];
				s += (double)a * b;
			}
			float *c = &C[(long)i * ldc + j];
			double r = (double)alpha * s;
			if (beta != 0)
				r += (double)beta * *c;
			*c = (float)r;
		}
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void lm_gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float *A, int lda,
	     const float *B, int ldb, float beta, float *C, int ldc)
{
	if (M <= 0 || N <= 0)
		return;
	double t0 = counting ? now() : 0;
	if (kernel == LM_KERNEL_NAIVE)
		lm_gemm_naive(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
	else
		lm_gemm_blas(ta, tb, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc);
	if (counting) {
		stats.calls++;
		stats.flops += 2.0 * M * N * K;
		stats.seconds += now() - t0;
	}
}

void lm_gemm_stats_reset(bool on)
{
	counting = on;
	stats = (lm_gemm_stats){0};
}

lm_gemm_stats lm_gemm_stats_get(void)
{
	return stats;
}
