/* eval.c - held-out bits per byte of the model and of the baselines; eval and sample. */
#include "nanocoder/eval.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/cmds.h"
#include "gen/json.h"
#include "gen/opts.h"
#include "gen/proc.h"
#include "gen/rng.h"
#include "lm/ckpt.h"
#include "lm/mat.h"
#include "lm/sample.h"
#include "nanocoder/corpus.h"
#include "nanocoder/tokens.h"

int nc_eval_bits(lm_model *m, const int *ids, size_t n, const size_t *toklen, int stride, int B,
		 double *bits, double *bytes, berr *e)
{
	int T = m->cfg.ctx;
	if (n < 2)
		return errf(e, "%zu tokens: nothing to score", n);
	if ((size_t)T > n - 1)
		T = (int)(n - 1);
	if (stride < 1 || stride > T)
		stride = T;
	if (B < 1)
		return errf(e, "batch %d < 1", B);
	int *in = xcalloc((size_t)B * T, sizeof *in), *tgt = xcalloc((size_t)B * T, sizeof *tgt);
	double nats = 0, nb = 0;
	size_t done = 0; /* targets ids[1..done] are scored */
	int rc = 0;
	while (done < n - 1 && rc == 0) {
		int nbat = 0;
		while (nbat < B && done < n - 1) {
			/* the window whose last target is the next one past done + stride, or the end */
			size_t last = done + (size_t)stride;
			if (last > n - 1)
				last = n - 1;
			if (last < (size_t)T)
				last = (size_t)T;
			size_t s = last - (size_t)T; /* inputs ids[s..s+T), targets ids[s+1..s+T] */
			for (int t = 0; t < T; t++) {
				size_t j = s + 1 + (size_t)t;
				in[nbat * T + t] = ids[s + (size_t)t];
				tgt[nbat * T + t] = j > done ? ids[j] : LM_IGNORE;
				if (j > done)
					nb += (double)toklen[ids[j]];
			}
			done = last;
			nbat++;
		}
		rc = lm_forward(m, in, tgt, nbat, T, e);
		for (int i = 0; rc == 0 && i < nbat * T; i++)
			nats += m->a.losses[i];
	}
	free(in);
	free(tgt);
	*bits = nats / log(2.0);
	*bytes = nb;
	return rc;
}

double nc_unigram_bpb(const char *train, size_t ntrain, const char *held, size_t nheld)
{
	double c[256] = {0};
	for (size_t i = 0; i < ntrain; i++)
		c[(unsigned char)train[i]]++;
	double bits = 0;
	for (size_t i = 0; i < nheld; i++)
		bits -= log2((c[(unsigned char)held[i]] + 1) / ((double)ntrain + 256));
	return nheld ? bits / (double)nheld : 0;
}

/* ---- the n-gram: counts of (order, context, byte) and of (order, context) ---- */

typedef struct {
	uint64_t *k; /* key + 1; 0 empty */
	uint32_t *c, *d; /* count; distinct followers (context entries only) */
	size_t cap, n;
} ctab;

static size_t cmix(uint64_t x)
{
	x ^= x >> 31;
	x *= 0x9e3779b97f4a7c15ULL;
	x ^= x >> 29;
	return (size_t)x;
}

static size_t ct_slot(const ctab *t, uint64_t key)
{
	size_t i = cmix(key) & (t->cap - 1);
	while (t->k[i] && t->k[i] != key + 1)
		i = (i + 1) & (t->cap - 1);
	return i;
}

static void ct_init(ctab *t, size_t cap)
{
	t->cap = cap;
	t->n = 0;
	t->k = xcalloc(cap, sizeof *t->k);
	t->c = xcalloc(cap, sizeof *t->c);
	t->d = xcalloc(cap, sizeof *t->d);
}

static void ct_free(ctab *t)
{
	free(t->k);
	free(t->c);
	free(t->d);
}

/* The entry of key, created (zero) if absent. */
static size_t ct_get(ctab *t, uint64_t key)
{
	if (2 * (t->n + 1) > t->cap) {
		ctab o = *t;
		ct_init(t, 2 * o.cap);
		for (size_t i = 0; i < o.cap; i++)
			if (o.k[i]) {
				size_t j = ct_slot(t, o.k[i] - 1);
				t->k[j] = o.k[i];
				t->c[j] = o.c[i];
				t->d[j] = o.d[i];
				t->n++;
			}
		ct_free(&o);
	}
	size_t i = ct_slot(t, key);
	if (!t->k[i]) {
		t->k[i] = key + 1;
		t->n++;
	}
	return i;
}

/* Keys: bit 63 set for a context entry; order in bits 40..41, context in bits 8..31 (the
 * last `order` bytes), the byte in bits 0..7. */
static uint64_t nkey(int k, uint32_t h, int c, int ctx)
{
	return (uint64_t)ctx << 63 | (uint64_t)k << 40 | (uint64_t)(h & 0xffffff) << 8 |
	       (uint64_t)(ctx ? 0 : c);
}

static uint32_t hist(const char *s, size_t i, int k)
{
	uint32_t h = 0;
	for (int j = k; j >= 1; j--)
		h = h << 8 | (unsigned char)s[i - (size_t)j];
	return h;
}

double nc_ngram_bpb(const char *train, size_t ntrain, const char *held, size_t nheld, int order)
{
	if (order < 0)
		order = 0;
	if (order > 3)
		order = 3;
	ctab t;
	ct_init(&t, 1 << 16);
	double uni[256] = {0};
	for (size_t i = 0; i < ntrain; i++) {
		int c = (unsigned char)train[i];
		uni[c]++;
		for (int k = 1; k <= order && (size_t)k <= i; k++) {
			uint32_t h = hist(train, i, k);
			size_t e = ct_get(&t, nkey(k, h, c, 0));
			int fresh = t.c[e] == 0;
			t.c[e]++;
			size_t x = ct_get(&t, nkey(k, h, 0, 1));
			t.c[x]++;
			t.d[x] += (uint32_t)fresh;
		}
	}
	double bits = 0;
	for (size_t i = 0; i < nheld; i++) {
		int c = (unsigned char)held[i];
		double p = (uni[c] + 1) / ((double)ntrain + 256);
		for (int k = 1; k <= order && (size_t)k <= i; k++) {
			uint32_t h = hist(held, i, k);
			size_t x = ct_slot(&t, nkey(k, h, 0, 1));
			if (!t.k[x])
				break; /* an unseen context: longer ones are unseen too */
			size_t y = ct_slot(&t, nkey(k, h, c, 0));
			double cc = t.k[y] ? t.c[y] : 0, n = t.c[x], d = t.d[x];
			p = (cc + d * p) / (n + d);
		}
		bits -= log2(p);
	}
	ct_free(&t);
	return nheld ? bits / (double)nheld : 0;
}

/* ---- gzip ---- */

/* Writes n bytes (two parts) to a new temp file under dir; its path in *path. */
static int write_tmp(const char *dir, const char *a, size_t na, const char *b, size_t nb,
		     char **path, berr *e)
{
	char *p = path_join(dir, "burn-nc-gzip.XXXXXX");
	int fd = mkstemp(p);
	if (fd < 0) {
		errf(e, "%s: cannot create a temp file: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	const char *parts[2] = {a, b};
	size_t lens[2] = {na, nb};
	for (int k = 0; k < 2; k++)
		for (size_t off = 0; off < lens[k];) {
			ssize_t w = write(fd, parts[k] + off, lens[k] - off);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0) {
				errf(e, "%s: write failed: %s", p, strerror(errno));
				close(fd);
				unlink(p);
				free(p);
				return -1;
			}
			off += (size_t)w;
		}
	if (close(fd) != 0) {
		errf(e, "%s: close failed: %s", p, strerror(errno));
		unlink(p);
		free(p);
		return -1;
	}
	*path = p;
	return 0;
}

/* Bytes of gzip -9 -n's output for file in. */
static int gzip_size(const char *in, double *size, berr *e)
{
	char *out = xmalloc(strlen(in) + 4);
	sprintf(out, "%s.gz", in);
	unlink(out);
	char *argv[] = {"gzip", "-9", "-n", "-c", (char *)in, NULL};
	proc_result r;
	int rc = proc_run(argv, NULL, out, 600, &r, e);
	if (rc == 0 && r.status != 0) {
		char buf[128];
		rc = errf(e, "gzip -9 -n -c %s: %s: %s", in, proc_describe(&r, buf, sizeof buf),
			  r.tail);
	}
	struct stat st;
	if (rc == 0 && stat(out, &st) != 0)
		rc = errf(e, "%s: %s", out, strerror(errno));
	if (rc == 0)
		*size = (double)st.st_size;
	unlink(out);
	free(out);
	return rc;
}

int nc_gzip_cond_bits(const char *train, size_t ntrain, const char *held, size_t nheld,
		      const char *tmpdir, double *bits, berr *e)
{
	char *p1 = NULL, *p2 = NULL;
	double s1 = 0, s2 = 0;
	int rc = write_tmp(tmpdir, train, ntrain, "", 0, &p1, e);
	if (rc == 0)
		rc = write_tmp(tmpdir, train, ntrain, held, nheld, &p2, e);
	if (rc == 0)
		rc = gzip_size(p1, &s1, e);
	if (rc == 0)
		rc = gzip_size(p2, &s2, e);
	if (p1)
		unlink(p1);
	if (p2)
		unlink(p2);
	free(p1);
	free(p2);
	if (rc == 0)
		*bits = 8 * (s2 - s1);
	return rc;
}

/* ---- the commands ---- */

int nc_cmd_eval(int argc, char **argv)
{
	const char *model = NULL, *corpus = NULL, *tok = NULL, *max_s = NULL, *stride_s = NULL,
		   *threads_s = NULL;
	int nogzip = 0, nongram = 0, json = 0;
	optdef o[] = {{"--model", &model, NULL}, {"--corpus", &corpus, NULL},
		{"--tok", &tok, NULL}, {"--max-bytes", &max_s, NULL},
		{"--stride", &stride_s, NULL}, {"--threads", &threads_s, NULL},
		{"--no-gzip", NULL, &nogzip}, {"--no-ngram", NULL, &nongram},
		{"--json", NULL, &json}};
	long maxb = 0, stride = 0, threads = 2;
	if (opts_parse("nanocoder eval", argc, argv, o, 9) != 0 ||
	    opts_long("nanocoder eval", "--max-bytes", max_s, 1, 1L << 30, &maxb) != 0 ||
	    opts_long("nanocoder eval", "--stride", stride_s, 1, 1 << 20, &stride) != 0 ||
	    opts_long("nanocoder eval", "--threads", threads_s, 1, 64, &threads) != 0)
		return EXIT_BADINPUT;
	if (!model || !corpus) {
		fprintf(stderr, "burn: nanocoder eval: --model and --corpus are required\n");
		return EXIT_BADINPUT;
	}
	berr e;
	char *train = NULL, *held = NULL;
	size_t ntrain, nheld;
	int *ids = NULL, rc = EXIT_BADINPUT;
	nc_tok t = {0};
	lm_model *m = lm_load(model, NULL, &e);
	if (!m || nc_tok_open(&t, &m->cfg, tok, &e) != 0 ||
	    nc_corpus_read(corpus, "train.txt", &train, &ntrain, &e) != 0 ||
	    nc_corpus_read(corpus, "heldout.txt", &held, &nheld, &e) != 0)
		goto fail;
	if (maxb > 0 && (size_t)maxb < nheld)
		nheld = (size_t)maxb;
	lm_set_kernel(LM_KERNEL_BLAS);
	lm_set_threads((int)threads);
	size_t n;
	ids = nc_tok_encode(&t, held, nheld, &n);
	if (!stride)
		stride = m->cfg.ctx / 2;
	double bits, bytes, gz = 0;
	rc = EXIT_INTERNAL;
	if (nc_eval_bits(m, ids, n, t.len, (int)stride, 8, &bits, &bytes, &e) != 0)
		goto fail;
	const char *tmp = getenv("TMPDIR");
	if (!nogzip && nc_gzip_cond_bits(train, ntrain, held, nheld, tmp && *tmp ? tmp : "/tmp",
					 &gz, &e) != 0)
		goto fail;
	double bpb = bits / bytes, uni = nc_unigram_bpb(train, ntrain, held, nheld);
	double gzb = gz / (double)nheld, ng = nongram ? 0 : nc_ngram_bpb(train, ntrain, held, nheld, 3);
	if (json) {
		strbuf sb = {0};
		jw w;
		jw_init(&w, &sb);
		jw_obj(&w);
		jw_kstr(&w, "model", model);
		jw_klong(&w, "params", (long long)m->nparams);
		jw_klong(&w, "heldout_bytes", (long long)nheld);
		jw_klong(&w, "heldout_tokens", (long long)n);
		jw_kdouble(&w, "scored_bytes", bytes);
		jw_klong(&w, "stride", stride);
		jw_kdouble(&w, "model_bpb", bpb);
		jw_kdouble(&w, "unigram_bpb", uni);
		if (!nongram)
			jw_kdouble(&w, "ngram3_bpb", ng);
		if (!nogzip) {
			jw_kdouble(&w, "gzip9_bpb", gzb);
			jw_kdouble(&w, "model_over_gzip", bpb / gzb);
		}
		jw_end_obj(&w);
		printf("%s\n", sb.s);
		sb_free(&sb);
	} else {
		printf("held-out        %zu bytes, %zu tokens (%s), stride %ld\n", nheld, n,
		       t.bpe ? "BPE" : "bytes", stride);
		printf("model           %.4f bits/byte (%zu parameters)\n", bpb, m->nparams);
		if (!nogzip)
			printf("gzip -9         %.4f bits/byte (conditioned on the training split)\n",
			       gzb);
		if (!nongram)
			printf("order-3 n-gram  %.4f bits/byte (Witten-Bell)\n", ng);
		printf("unigram         %.4f bits/byte\n", uni);
		if (!nogzip)
			printf("model / gzip    %.3f\n", bpb / gzb);
	}
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "burn: nanocoder eval: %s\n", e.msg);
out:
	free(ids);
	free(train);
	free(held);
	nc_tok_close(&t);
	lm_free(m);
	return rc;
}

int nc_cmd_sample(int argc, char **argv)
{
	const char *model = NULL, *tok = NULL, *prompt = "def ", *n_s = NULL, *temp_s = NULL,
		   *k_s = NULL, *seed_s = NULL;
	optdef o[] = {{"--model", &model, NULL}, {"--tok", &tok, NULL},
		{"--prompt", &prompt, NULL}, {"--tokens", &n_s, NULL},
		{"--temperature", &temp_s, NULL}, {"--top-k", &k_s, NULL},
		{"--seed", &seed_s, NULL}};
	long ntok = 200, topk = 40, seed = 1;
	double temp = 0.8;
	if (opts_parse("nanocoder sample", argc, argv, o, 7) != 0 ||
	    opts_long("nanocoder sample", "--tokens", n_s, 1, 100000, &ntok) != 0 ||
	    opts_long("nanocoder sample", "--top-k", k_s, 0, 1 << 20, &topk) != 0 ||
	    opts_long("nanocoder sample", "--seed", seed_s, 0, 1L << 62, &seed) != 0)
		return EXIT_BADINPUT;
	if (temp_s && (parse_double(temp_s, &temp) != 0 || temp < 0 || temp > 100)) {
		fprintf(stderr, "burn: nanocoder sample: --temperature wants a number 0..100, got "
				"'%s'\n", temp_s);
		return EXIT_BADINPUT;
	}
	if (!model) {
		fprintf(stderr, "burn: nanocoder sample: --model is required\n");
		return EXIT_BADINPUT;
	}
	if (!*prompt) {
		fprintf(stderr, "burn: nanocoder sample: --prompt must not be empty\n");
		return EXIT_BADINPUT;
	}
	berr e;
	nc_tok t = {0};
	int *pids = NULL, *out = NULL, rc = EXIT_BADINPUT;
	strbuf sb = {0};
	lm_model *m = lm_load(model, NULL, &e);
	if (!m || nc_tok_open(&t, &m->cfg, tok, &e) != 0)
		goto fail;
	size_t np;
	pids = nc_tok_encode(&t, prompt, strlen(prompt), &np);
	out = xcalloc(np + (size_t)ntok, sizeof *out);
	rng r;
	rng_seed(&r, (uint64_t)seed, 3);
	rc = EXIT_INTERNAL;
	int got = lm_generate(m, pids, (int)np, (int)ntok, (float)temp, (int)topk, -1, &r, out, &e);
	if (got < 0)
		goto fail;
	if (nc_tok_decode(&t, out, (size_t)got, &sb, &e) != 0)
		goto fail;
	fwrite(prompt, 1, strlen(prompt), stdout);
	fwrite(sb.s ? sb.s : "", 1, sb.len, stdout);
	fputc('\n', stdout);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "burn: nanocoder sample: %s\n", e.msg);
out:
	sb_free(&sb);
	free(pids);
	free(out);
	nc_tok_close(&t);
	lm_free(m);
	return rc;
}
