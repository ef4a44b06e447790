/* train.c - the training step and the random-window batcher. */
#include "lm/train.h"

int lm_train_step(lm_model *m, lm_adamw *o, const int *inputs, const int *targets, int B, int T,
		  float lr, float *loss, double *gnorm, berr *e)
{
	lm_block b = lm_trainable(m);
	if (b.n == 0)
		return errf(e, "training step without a training mode (lm_set_mode)");
	if (o->n != b.n)
		return errf(e, "optimizer state holds %zu parameters, the trained block %zu", o->n,
			    b.n);
	if (!targets)
		return errf(e, "training step without targets");
	if (lm_forward(m, inputs, targets, B, T, e) != 0)
		return -1;
	lm_zero_grad(m);
	if (lm_backward(m, e) != 0)
		return -1;
	double norm = lm_clip_grads(b.grads, b.n, o->hp.grad_clip);
	lm_adamw_update(o, &b, lr);
	*loss = m->loss;
	if (gnorm)
		*gnorm = norm;
	return 0;
}

void lm_batch_random(const int *data, size_t n, int B, int T, rng *r, int *inputs, int *targets)
{
	for (int b = 0; b < B; b++) {
		size_t off = (size_t)rng_below(r, n - (size_t)T);
		for (int t = 0; t < T; t++) {
			inputs[b * T + t] = data[off + t];
			targets[b * T + t] = data[off + t + 1];
		}
	}
}
