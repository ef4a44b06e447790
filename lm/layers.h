/* layers.h - the transformer's layers as free functions with explicit shapes (llm.c style).
 * Row-major float tensors; N is a number of rows (B*T). Each *_fwd writes its outputs; each
 * *_bwd ADDS into the gradients it is given (+=), so a caller zeroes them once per backward.
 * A NULL gradient pointer skips that gradient. Matrix products go through lm_gemm (lm/mat.h). */
#ifndef BURN_LM_LAYERS_H
#define BURN_LM_LAYERS_H

/* out (B,T,C)[b,t,:] = wte (V,C)[inp[b,t],:] + wpe (>=T,C)[t,:]; inp (B,T). */
void lm_embed_fwd(float *out, const int *inp, const float *wte, const float *wpe, int B, int T,
		  int C);
/* dwte[inp[b,t],:] += dout[b,t,:]; dwpe[t,:] += dout[b,t,:]. */
void lm_embed_bwd(float *dwte, float *dwpe, const float *dout, const int *inp, int B, int T,
		  int C);

/* LayerNorm of each of N rows of C: out = (inp - mean) * rstd * w + b, rstd = 1/sqrt(var+1e-5);
 * mean and rstd (N) are kept for the backward pass. */
void lm_layernorm_fwd(float *out, float *mean, float *rstd, const float *inp, const float *w,
		      const float *b, int N, int C);
/* Backward of lm_layernorm_fwd: dinp (N,C), dw (C), db (C) += ... */
void lm_layernorm_bwd(float *dinp, float *dw, float *db, const float *dout, const float *inp,
		      const float *w, const float *mean, const float *rstd, int N, int C);

/* out (N,OC) = inp (N,IC) @ w^T + b; w (OC,IC), b (OC) or NULL. */
void lm_linear_fwd(float *out, const float *inp, const float *w, const float *b, int N, int IC,
		   int OC);
/* dinp (N,IC) += dout @ w; dw (OC,IC) += dout^T @ inp; db (OC) += column sums of dout. */
void lm_linear_bwd(float *dinp, float *dw, float *db, const float *dout, const float *inp,
		   const float *w, int N, int IC, int OC);

/* An unmerged LoRA adapter on a linear layer: u (N,r) = inp (N,IC) @ A^T, then
 * out (N,OC; row stride ldo) += s * u @ Bm^T, with A (r,IC), Bm (OC,r), s = alpha/r. */
void lm_lora_fwd(float *out, int ldo, float *u, const float *inp, const float *A, const float *Bm,
		 float s, int N, int IC, int OC, int r);
/* Backward of lm_lora_fwd: dBm += s * dout^T @ u; du (N,r) = s * dout @ Bm (overwritten:
 * scratch); dA += du^T @ inp; dinp += du @ A. dout has row stride ldo. */
void lm_lora_bwd(float *dinp, float *dA, float *dBm, float *du, const float *dout, int ldo,
		 const float *inp, const float *u, const float *A, const float *Bm, float s, int N,
		 int IC, int OC, int r);

/* Causal multi-head self-attention. qkv (B,T,3C) holds q | k | v of each position (head h in
 * columns h*hs..h*hs+hs-1 of each third, hs = C/NH); att (B,NH,T,T) gets the softmax weights of
 * scale * q k^T, scale = 1/sqrt(hs), zero above the diagonal; out (B,T,C) = att @ v per head. */
void lm_attention_fwd(float *out, float *att, const float *qkv, int B, int T, int C, int NH);
/* Backward of lm_attention_fwd: dqkv (B,T,3C) += ...; datt (B,NH,T,T) is scratch. */
void lm_attention_bwd(float *dqkv, float *datt, const float *dout, const float *qkv,
		      const float *att, int B, int T, int C, int NH);

/* out[i] = max(inp[i], 0) for n elements. */
void lm_relu_fwd(float *out, const float *inp, long n);
/* dinp[i] += inp[i] > 0 ? dout[i] : 0. */
void lm_relu_bwd(float *dinp, const float *dout, const float *inp, long n);

/* out = a + b, n elements (the residual connection). */
void lm_residual_fwd(float *out, const float *a, const float *b, long n);
/* da += dout; db += dout. */
void lm_residual_bwd(float *da, float *db, const float *dout, long n);

/* Softmax of N rows of V logits into probs; losses[n] = -log probs[n, tgt[n]], or 0 where
 * tgt[n] < 0 (ignored). The exponentials are summed in double. */
void lm_crossentropy_fwd(float *probs, float *losses, const float *logits, const int *tgt, int N,
			 int V);
/* dlogits[n,:] += wl[n] * (probs[n,:] - onehot(tgt[n])) for rows with tgt[n] >= 0: the
 * gradient of sum_n wl[n] * losses[n]. */
void lm_crossentropy_bwd(float *dlogits, const float *probs, const int *tgt, const float *wl,
			 int N, int V);

#endif
