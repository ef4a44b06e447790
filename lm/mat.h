/* mat.h - the one matrix product behind every layer: C = alpha * op(A) op(B) + beta * C on
 * row-major float matrices, through OpenBLAS cblas_sgemm or a naive reference kernel. A
 * process-wide switch picks the kernel, so tests can run a whole model on the reference. */
#ifndef BURN_LM_MAT_H
#define BURN_LM_MAT_H

#include <stdbool.h>
#include <stdint.h>

typedef enum { LM_KERNEL_BLAS, LM_KERNEL_NAIVE } lm_kernel;

/* Counters of lm_gemm calls since lm_gemm_stats_reset (kept only while enabled). */
typedef struct {
	uint64_t calls;
	double flops;   /* 2*M*N*K per call */
	double seconds; /* wall time inside lm_gemm */
} lm_gemm_stats;

/* Selects the kernel lm_gemm uses from now on (LM_KERNEL_BLAS at start). */
void lm_set_kernel(lm_kernel k);
/* The kernel lm_gemm uses. */
lm_kernel lm_get_kernel(void);

/* Sets the number of OpenBLAS threads (n >= 1). */
void lm_set_threads(int n);
/* The number of OpenBLAS threads. */
int lm_get_threads(void);

/* C (M x N, row stride ldc) = alpha * op(A) op(B) + beta * C, op(X) = X or X^T by ta/tb.
 * op(A) is M x K, op(B) is K x N; A and B are row-major with row strides lda, ldb. With
 * beta == 0, C is only written. Dispatches to the selected kernel. */
void lm_gemm(bool ta, bool tb, int M, int N, int K, float alpha, const float *A, int lda,
	     const float *B, int ldb, float beta, float *C, int ldc);
/* lm_gemm through cblas_sgemm. */
void lm_gemm_blas(bool ta, bool tb, int M, int N, int K, float alpha, const float *A, int lda,
		  const float *B, int ldb, float beta, float *C, int ldc);
/* lm_gemm by three loops, each dot product summed in double in order k = 0..K-1, then
 * alpha * sum + beta * C rounded once to float: the reference. */
void lm_gemm_naive(bool ta, bool tb, int M, int N, int K, float alpha, const float *A, int lda,
		   const float *B, int ldb, float beta, float *C, int ldc);

/* Starts (on) or stops (off) counting lm_gemm calls, and zeroes the counters. */
void lm_gemm_stats_reset(bool on);
/* The counters so far. */
lm_gemm_stats lm_gemm_stats_get(void);

#endif
