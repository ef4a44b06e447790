/* train.c - NanoCoder recipes and the cached, resumable training run. */
#include "nanocoder/train.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gen/json.h"
#include "gen/rng.h"
#include "gen/step.h"
#include "lm/bench.h"
#include "lm/ckpt.h"
#include "lm/mat.h"
#include "lm/optim.h"
#include "lm/tok.h"
#include "lm/train.h"
#include "nanocoder/tokens.h"

/* Bumped when the training loop changes what a recipe produces. */
enum { NC_TRAIN_VERSION = 1 };

static const nc_recipe recipes[] = {
	{"v1",
	 {.vocab = LM_BYTE_VOCAB, .ctx = 256, .hidden = 128, .heads = 4, .layers = 8, .mlp = 512,
	  .tok = LM_TOK_BYTE},
	 16, 3600, 100, 2e-3f, 2e-4f, 1, 100, 10},
	{"v2",
	 {.vocab = 4096, .ctx = 256, .hidden = 256, .heads = 8, .layers = 8, .mlp = 1024,
	  .tok = LM_TOK_BPE},
	 16, 4000, 100, 1e-3f, 1e-4f, 1, 100, 10},
	{"tiny",
	 {.vocab = LM_BYTE_VOCAB, .ctx = 64, .hidden = 48, .heads = 4, .layers = 2, .mlp = 192,
	  .tok = LM_TOK_BYTE},
	 8, 300, 30, 3e-3f, 3e-4f, 1, 50, 50},
};

int nc_recipe_get(const char *name, nc_recipe *r, berr *e)
{
	for (size_t i = 0; i < sizeof recipes / sizeof *recipes; i++)
		if (strcmp(recipes[i].name, name) == 0) {
			*r = recipes[i];
			return 0;
		}
	return errf(e, "unknown config '%s' (the configs are v1, v2 and tiny)", name);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* The recipe as canonical text (floats in hex), hashed into the cache key. */
static void recipe_text(const nc_recipe *r, int threads, strbuf *sb)
{
	const lm_config *c = &r->cfg;
	sb_printf(sb,
		  "vocab=%d ctx=%d hidden=%d heads=%d layers=%d mlp=%d tok=%d batch=%d steps=%ld "
		  "warmup=%ld lr_max=%a lr_min=%a seed=%llu threads=%d kernel=blas",
		  c->vocab, c->ctx, c->hidden, c->heads, c->layers, c->mlp, c->tok, r->batch,
		  r->steps, r->warmup, (double)r->lr_max, (double)r->lr_min,
		  (unsigned long long)r->seed, threads);
}

/* A loss curve: mean training loss over each logging interval. */
typedef struct {
	long *at;
	double *loss;
	size_t n, cap;
} curve;

static void curve_add(curve *c, long at, double loss)
{
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 64;
		c->at = xreallocarray(c->at, c->cap, sizeof *c->at);
		c->loss = xreallocarray(c->loss, c->cap, sizeof *c->loss);
	}
	c->at[c->n] = at;
	c->loss[c->n++] = loss;
}

/* Reads loss.tsv written by an earlier run, keeping the points up to step upto. */
static void curve_load(curve *c, const char *path, long upto)
{
	char *buf;
	size_t len;
	berr e;
	if (read_file(path, 64 << 20, &buf, &len, &e) != 0)
		return; /* no curve yet: the resumed run's curve starts at the resume step */
	char *s = buf;
	while (*s) {
		char *end;
		long st = strtol(s, &end, 10);
		if (end == s || *end != '\t')
			break;
		double l = strtod(end + 1, &s);
		if (st > upto)
			break;
		curve_add(c, st, l);
		s += strspn(s, "\n");
	}
	free(buf);
}

static int curve_save(const curve *c, const char *path, berr *e)
{
	strbuf sb = {0};
	for (size_t i = 0; i < c->n; i++)
		sb_printf(&sb, "%ld\t%.6f\n", c->at[i], c->loss[i]);
	int rc = write_file_atomic(path, sb.s ? sb.s : "", sb.len, false, e);
	sb_free(&sb);
	return rc;
}

static void fmt_dur(double s, char *buf, size_t n)
{
	long t = (long)(s + 0.5);
	if (t >= 3600)
		snprintf(buf, n, "%ldh%02ldm", t / 3600, t / 60 % 60);
	else
		snprintf(buf, n, "%ldm%02lds", t / 60, t % 60);
}

/* progress.json beside a checkpoint: where the run is and its throughput in this process
 * (the matrix products' rate over the wall time, against the sgemm rate measured at start). */
static int progress_save(const char *path, long at, const nc_recipe *r, long done, double wall,
			 double sgemm, berr *e)
{
	lm_gemm_stats g = lm_gemm_stats_get();
	strbuf sb = {0};
	jw w;
	jw_init(&w, &sb);
	jw_obj(&w);
	jw_kstr(&w, "config", r->name);
	jw_klong(&w, "step", at);
	jw_klong(&w, "steps", r->steps);
	jw_klong(&w, "steps_this_process", done);
	jw_kdouble(&w, "seconds_this_process", wall);
	jw_kdouble(&w, "tokens_per_s", (double)done * r->batch * r->cfg.ctx / wall);
	jw_kdouble(&w, "gemm_gflops", g.flops / wall / 1e9);
	jw_kdouble(&w, "sgemm_1024_gflops_at_start", sgemm);
	jw_kdouble(&w, "fraction_of_sgemm", g.flops / wall / 1e9 / sgemm);
	jw_end_obj(&w);
	sb_puts(&sb, "\n");
	int rc = write_file_atomic(path, sb.s, sb.len, false, e);
	sb_free(&sb);
	return rc;
}

int nc_train(const nc_recipe *r, const nc_train_opts *o, berr *e)
{
	const lm_config *cfg = &r->cfg;
	if (lm_config_check(cfg, e) != 0)
		return -1;
	if (o->threads < 1 || o->threads > 64)
		return errf(e, "threads %d is outside 1..64", o->threads);
	if (mkdirs(o->outdir, e) != 0)
		return -1;
	char *model = path_join(o->outdir, "model.bin"), *json = path_join(o->outdir, "train.json"),
	     *state = path_join(o->outdir, "state.bin"), *runkey = path_join(o->outdir, "run.key"),
	     *losses = path_join(o->outdir, "loss.tsv"),
	     *partial = path_join(o->outdir, "partial.bin"),
	     *progress = path_join(o->outdir, "progress.json"),
	     *trainp = path_join(o->corpus, "train.txt");
	const char *outs[2] = {model, json};
	int rc = -1;
	char *text = NULL;
	int *ids = NULL, *in = NULL, *tgt = NULL;
	lm_model *m = NULL;
	lm_adamw opt = {0};
	curve cv = {0};
	strbuf rt = {0};
	step s;
	step_begin(&s, "nanocoder-train", NC_TRAIN_VERSION, 2, outs);
	recipe_text(r, o->threads, &rt);
	step_key_bytes(&s, "recipe", rt.s, rt.len);
	if (step_key_file(&s, "train", trainp, e) != 0 ||
	    (cfg->tok == LM_TOK_BPE && o->tok && step_key_file(&s, "tokenizer", o->tok, e) != 0)) {
		kh_free(&s.kh);
		s.use_cache = false;
		cache_close(&s.c);
		goto out_nostep;
	}
	if (step_lookup(&s)) {
		if (!o->quiet)
			fprintf(stderr, "nanocoder: %s: restored from the cache (same recipe, corpus "
					"and tokenizer)\n", model);
		rc = 0;
		goto out;
	}
	char hex[33];
	ckey_hex(&s.key, hex);

	size_t len, n;
	if (read_file(trainp, (size_t)1 << 30, &text, &len, e) != 0)
		goto out;
	if (nc_encode(cfg, o->tok, text, len, &ids, &n, e) != 0)
		goto out;
	if (n < (size_t)cfg->ctx + 2) {
		errf(e, "%s: %zu tokens, fewer than one window of %d", trainp, n, cfg->ctx + 1);
		goto out;
	}
	lm_set_kernel(LM_KERNEL_BLAS);
	lm_set_threads(o->threads);
	m = lm_new(cfg, r->seed, e);
	if (!m || lm_set_mode(m, LM_TRAIN_BASE, e) != 0)
		goto out;
	lm_adamw_hp hp = lm_adamw_defaults();
	lm_adamw_init(&opt, &hp, m->nparams);
	rng drng;
	rng_seed(&drng, r->seed, 2);

	/* Resume when the state in outdir belongs to this very run (same key). */
	char *old = NULL;
	size_t oldlen;
	berr ignore;
	long start = 0;
	if (read_file(runkey, 64, &old, &oldlen, &ignore) == 0 && oldlen >= 32 &&
	    memcmp(old, hex, 32) == 0 && access(state, F_OK) == 0) {
		if (lm_load_state(state, m, &opt, &drng, e) != 0) {
			free(old);
			goto out;
		}
		start = opt.step;
		curve_load(&cv, losses, start);
		if (!o->quiet)
			fprintf(stderr, "nanocoder: resuming %s at step %ld of %ld\n", state, start,
				r->steps);
	} else {
		if ((unlink(state) != 0 && errno != ENOENT) ||
		    (unlink(losses) != 0 && errno != ENOENT)) {
			errf(e, "%s: cannot remove the state of another run: %s", o->outdir,
			     strerror(errno));
			free(old);
			goto out;
		}
		strbuf kl = {0};
		sb_printf(&kl, "%s\n", hex);
		int w = write_file_atomic(runkey, kl.s, kl.len, false, e);
		sb_free(&kl);
		if (w != 0) {
			free(old);
			goto out;
		}
	}
	free(old);

	int B = r->batch, T = cfg->ctx;
	in = xcalloc((size_t)B * T, sizeof *in);
	tgt = xcalloc((size_t)B * T, sizeof *tgt);
	double sgemm0 = lm_sgemm_gflops(1024, 1024, 1024, 3);
	lm_gemm_stats_reset(true);
	double t0 = now_s(), lsum = 0;
	long lcount = 0, done = 0;
	bool stopped = false;
	for (long st = start; st < r->steps; st++) {
		lm_batch_random(ids, n, B, T, &drng, in, tgt);
		float lr = lm_lr_cosine(st, r->warmup, r->steps, r->lr_max, r->lr_min), loss;
		if (lm_train_step(m, &opt, in, tgt, B, T, lr, &loss, NULL, e) != 0)
			goto out;
		lsum += loss;
		lcount++;
		done++;
		long k = st + 1;
		if (k % r->log_every == 0 || k == r->steps) {
			double el = now_s() - t0, tps = (double)done * B * T / el;
			char eta[32];
			fmt_dur((double)(r->steps - k) * el / (double)done, eta, sizeof eta);
			curve_add(&cv, k, lsum / (double)lcount);
			if (!o->quiet)
				fprintf(stderr,
					"step %ld/%ld  loss %.4f  lr %.2e  %.0f tok/s  ETA %s\n", k,
					r->steps, lsum / (double)lcount, (double)lr, tps, eta);
			lsum = 0;
			lcount = 0;
		}
		stopped = o->stop_after > 0 && done >= o->stop_after && k < r->steps;
		if (k % r->ckpt_every == 0 || stopped) {
			if (lm_save_state(state, m, &opt, &drng, e) != 0 ||
			    curve_save(&cv, losses, e) != 0 || lm_save(partial, m, e) != 0 ||
			    progress_save(progress, k, r, done, now_s() - t0, sgemm0, e) != 0)
				goto out;
		}
		if (stopped)
			break;
	}
	double wall = now_s() - t0;
	lm_gemm_stats g = lm_gemm_stats_get();
	lm_gemm_stats_reset(false);
	if (stopped) {
		if (!o->quiet)
			fprintf(stderr, "nanocoder: stopped after %ld steps at step %ld; run the same "
					"command again to resume\n", done, opt.step);
		rc = 1;
		goto out;
	}
	double sgemm1 = lm_sgemm_gflops(1024, 1024, 1024, 3), sgemm = 0.5 * (sgemm0 + sgemm1);
	if (lm_save(model, m, e) != 0)
		goto out;
	strbuf js = {0};
	jw w;
	jw_init(&w, &js);
	jw_obj(&w);
	jw_kstr(&w, "step", "nanocoder-train");
	jw_kstr(&w, "config", r->name);
	jw_kstr(&w, "recipe", rt.s);
	jw_klong(&w, "params", (long long)m->nparams);
	jw_klong(&w, "steps", r->steps);
	jw_klong(&w, "tokens_seen", (long long)r->steps * B * T);
	jw_klong(&w, "train_tokens", (long long)n);
	jw_kdouble(&w, "final_loss", cv.n ? cv.loss[cv.n - 1] : 0);
	jw_klong(&w, "resumed_at_step", start);
	jw_klong(&w, "steps_this_process", done);
	jw_kdouble(&w, "seconds_this_process", wall);
	jw_kdouble(&w, "tokens_per_s", done ? (double)done * B * T / wall : 0);
	jw_kdouble(&w, "gemm_gflops", done ? g.flops / wall / 1e9 : 0);
	jw_kdouble(&w, "sgemm_1024_gflops", sgemm);
	jw_kdouble(&w, "fraction_of_sgemm", done ? g.flops / wall / 1e9 / sgemm : 0);
	jw_klong(&w, "threads", o->threads);
	jw_key(&w, "curve");
	jw_arr(&w);
	for (size_t i = 0; i < cv.n; i++) {
		jw_arr(&w);
		jw_long(&w, cv.at[i]);
		jw_double(&w, cv.loss[i]);
		jw_end_arr(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
	sb_puts(&js, "\n");
	int wr = write_file_atomic(json, js.s, js.len, false, e);
	sb_free(&js);
	if (wr != 0)
		goto out;
	unlink(state);
	unlink(partial);
	unlink(progress);
	if (!o->quiet)
		fprintf(stderr, "nanocoder: %s: %zu parameters, %ld steps, final loss %.4f\n", model,
			m->nparams, r->steps, cv.n ? cv.loss[cv.n - 1] : 0.0);
	rc = 0;
out:
	step_finish(&s, rc == 0);
out_nostep:
	lm_gemm_stats_reset(false);
	sb_free(&rt);
	free(cv.at);
	free(cv.loss);
	lm_adamw_free(&opt);
	lm_free(m);
	free(in);
	free(tgt);
	free(ids);
	free(text);
	free(model);
	free(json);
	free(state);
	free(runkey);
	free(losses);
	free(partial);
	free(progress);
	free(trainp);
	return rc;
}
