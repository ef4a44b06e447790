/* cmd_nanocoder.c - burn nanocoder: corpus, bpe, train, eval, sample, quant, export. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/json.h"
#include "gen/opts.h"
#include "gen/proc.h"
#include "lm/bpe.h"
#include "nanocoder/corpus.h"
#include "nanocoder/eval.h"
#include "nanocoder/export.h"
#include "nanocoder/quant.h"
#include "nanocoder/train.h"

const char usage_nanocoder[] =
	"usage: burn nanocoder COMMAND [OPTIONS]\n"
	"\n"
	"NanoCoder, a tiny GPT-Neo-style code model trained from scratch on the Python standard\n"
	"library (docs/NANOCODER.md).\n"
	"\n"
	"  corpus [--src DIR] [--cap BYTES] [--heldout PCT] [-o DIR]\n"
	"      the .py files of DIR (default " NC_CORPUS_SRC "), sorted, test folders left out,\n"
	"      cut to BYTES (default 8388608): DIR/train.txt, heldout.txt (last PCT%, default 10),\n"
	"      manifest.json (default -o out/nanocoder/corpus)\n"
	"  bpe --corpus DIR [--vocab N] -o FILE\n"
	"      a BPE tokenizer of N ids (default 4096) learnt on DIR/train.txt\n"
	"  train --config v1|v2|tiny --corpus DIR [--tok FILE] -o DIR [--steps N] [--threads N]\n"
	"        [--stop-after N] [--quiet]\n"
	"      trains (or restores from the cache) DIR/model.bin; resumes DIR/state.bin after a kill\n"
	"  eval --model FILE --corpus DIR [--tok FILE] [--max-bytes N] [--stride N] [--threads N]\n"
	"       [--no-gzip] [--no-ngram] [--json]\n"
	"      held-out bits per byte, next to gzip -9 conditioned on the training split, an order-3\n"
	"      byte n-gram and the unigram baseline\n"
	"  sample --model FILE [--tok FILE] [--prompt TEXT] [--tokens N] [--temperature T]\n"
	"         [--top-k K] [--seed N]\n"
	"  quant --model FILE --corpus DIR [--tok FILE] [--max-bytes N] [--greedy N] [--json]\n"
	"      bits per byte of the model run in integers (W8A8, INT4 groups 32/64/128) beside\n"
	"      float, and greedy-decoding agreement with float over N tokens (default 1000)\n"
	"  export --model FILE --corpus DIR [--tok FILE] [--layer L] [--rows N] -o DIR\n"
	"      layer L's MLP as DIR/mlp.safetensors and N real MLP inputs captured on held-out text\n"
	"      as DIR/calib.npy (default 256), for projects/nanocoder-*-trained.yaml\n";

/* The SHA-256 of the corpus this code was measured on (docs/NANOCODER.md): Debian 12's
 * libpython3.11-stdlib 3.11.2-6+deb12u6, default cap and split. */
#define NC_REFERENCE_SHA256 "c8256e4753e2512ee594b88b900171dc2b31c3e67ad40c4b6251e9dcaabce455"

static int do_corpus(int argc, char **argv)
{
	const char *src = NC_CORPUS_SRC, *cap_s = NULL, *pct_s = NULL,
		   *out = "out/nanocoder/corpus";
	optdef o[] = {{"--src", &src, NULL}, {"--cap", &cap_s, NULL}, {"--heldout", &pct_s, NULL},
		{"-o", &out, NULL}};
	long cap = (long)NC_CORPUS_CAP, pct = 10;
	if (opts_parse("nanocoder corpus", argc, argv, o, 4) != 0 ||
	    opts_long("nanocoder corpus", "--cap", cap_s, 100, 1L << 30, &cap) != 0 ||
	    opts_long("nanocoder corpus", "--heldout", pct_s, 1, 90, &pct) != 0)
		return EXIT_BADINPUT;
	nc_corpus_info info;
	berr e;
	if (nc_corpus_build(src, (size_t)cap, (int)pct, out, &info, &e) != 0) {
		fprintf(stderr, "burn: nanocoder corpus: %s\n", e.msg);
		return EXIT_BADINPUT;
	}
	printf("corpus   %s: %zu files (%zu left out), %zu bytes: train %zu, held out %zu\n", out,
	       info.nfiles, info.nskipped, info.bytes, info.train_bytes,
	       info.bytes - info.train_bytes);
	printf("sha256   %s\n", info.sha256);
	char *ver = NULL;
	if (strcmp(src, NC_CORPUS_SRC) == 0) {
		/* The package version, as dpkg knows it (NULL off Debian). */
		char *argv2[] = {"dpkg-query", "-W", "-f", "${Version}\n", NC_CORPUS_PACKAGE, NULL};
		proc_result pr;
		berr pe;
		if (proc_run(argv2, NULL, NULL, 30, &pr, &pe) == 0 && pr.status == 0) {
			ver = xstrdup(pr.tail);
			ver[strcspn(ver, "\n")] = 0;
		}
		printf("package  %s %s\n", NC_CORPUS_PACKAGE, ver ? ver : "(version unknown: no dpkg)");
		if (cap == (long)NC_CORPUS_CAP && pct == 10 &&
		    strcmp(info.sha256, NC_REFERENCE_SHA256) != 0)
			printf("NOTE     this corpus differs from the one the numbers in "
			       "docs/NANOCODER.md were measured on\n"
			       "         (sha256 %s, libpython3.11-stdlib 3.11.2-6+deb12u6): another "
			       "package version;\n"
			       "         results on it are not comparable with those numbers\n",
			       NC_REFERENCE_SHA256);
	}
	free(ver);
	return 0;
}

static int do_bpe(int argc, char **argv)
{
	const char *corpus = NULL, *vocab_s = NULL, *out = NULL;
	optdef o[] = {{"--corpus", &corpus, NULL}, {"--vocab", &vocab_s, NULL},
		{"-o", &out, NULL}};
	long vocab = 4096;
	const char *cmd = "nanocoder bpe";
	if (opts_parse(cmd, argc, argv, o, 3) != 0 || opts_need(cmd, "--corpus", corpus) != 0 ||
	    opts_need(cmd, "-o", out) != 0 ||
	    opts_long(cmd, "--vocab", vocab_s, LM_BPE_MIN_VOCAB, 65536, &vocab) != 0)
		return EXIT_BADINPUT;
	char *text;
	size_t len;
	berr e;
	if (nc_corpus_read(corpus, "train.txt", &text, &len, &e) != 0) {
		fprintf(stderr, "burn: nanocoder bpe: %s\n", e.msg);
		return EXIT_BADINPUT;
	}
	lm_bpe *b = lm_bpe_train(text, len, (int)vocab, &e);
	int rc = 0;
	if (!b || lm_bpe_save(b, out, &e) != 0) {
		fprintf(stderr, "burn: nanocoder bpe: %s\n", e.msg);
		rc = EXIT_BADINPUT;
	} else {
		size_t n;
		int *ids = lm_bpe_encode(b, text, len, &n);
		printf("bpe      %s: %d ids, %zu training bytes -> %zu tokens (%.3f bytes/token)\n",
		       out, lm_bpe_vocab(b), len, n, n ? (double)len / (double)n : 0.0);
		free(ids);
	}
	lm_bpe_free(b);
	free(text);
	return rc;
}

static int do_train(int argc, char **argv)
{
	const char *config = NULL, *corpus = NULL, *tok = NULL, *out = NULL, *steps_s = NULL,
		   *threads_s = NULL, *stop_s = NULL;
	int quiet = 0;
	optdef o[] = {{"--config", &config, NULL}, {"--corpus", &corpus, NULL},
		{"--tok", &tok, NULL}, {"-o", &out, NULL}, {"--steps", &steps_s, NULL},
		{"--threads", &threads_s, NULL}, {"--stop-after", &stop_s, NULL},
		{"--quiet", NULL, &quiet}};
	const char *cmd = "nanocoder train";
	if (opts_parse(cmd, argc, argv, o, 8) != 0 || opts_need(cmd, "--config", config) != 0 ||
	    opts_need(cmd, "--corpus", corpus) != 0 || opts_need(cmd, "-o", out) != 0)
		return EXIT_BADINPUT;
	nc_recipe r;
	berr e;
	if (nc_recipe_get(config, &r, &e) != 0) {
		fprintf(stderr, "burn: nanocoder train: %s\n", e.msg);
		return EXIT_BADINPUT;
	}
	long threads = 2, stop = 0;
	if (opts_long(cmd, "--steps", steps_s, 1, 100000000, &r.steps) != 0 ||
	    opts_long(cmd, "--threads", threads_s, 1, 64, &threads) != 0 ||
	    opts_long(cmd, "--stop-after", stop_s, 1, 100000000, &stop) != 0)
		return EXIT_BADINPUT;
	if (r.cfg.tok == LM_TOK_BPE && !tok) {
		fprintf(stderr, "burn: nanocoder train: config %s has a BPE vocabulary of %d: give "
				"its tokenizer with --tok FILE (burn nanocoder bpe)\n", config,
			r.cfg.vocab);
		return EXIT_BADINPUT;
	}
	if (r.warmup > r.steps / 2)
		r.warmup = r.steps / 2;
	nc_train_opts to = {corpus, tok, out, (int)threads, stop, quiet};
	int rc = nc_train(&r, &to, &e);
	if (rc < 0) {
		fprintf(stderr, "burn: nanocoder train: %s\n", e.msg);
		return EXIT_INTERNAL;
	}
	return rc == 1 ? 3 : 0;
}

int cmd_nanocoder(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage_nanocoder, argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_BADINPUT : 0;
	}
	static const struct {
		const char *name;
		int (*run)(int, char **);
	} subs[] = {{"corpus", do_corpus}, {"bpe", do_bpe}, {"train", do_train},
		    {"eval", nc_cmd_eval}, {"sample", nc_cmd_sample},
		    {"export", nc_cmd_export}, {"quant", nc_cmd_quant}};
	for (size_t i = 0; i < sizeof subs / sizeof *subs; i++)
		if (strcmp(argv[1], subs[i].name) == 0)
			return subs[i].run(argc - 2, argv + 2);
	fprintf(stderr, "burn: nanocoder: unknown command '%s' (corpus, bpe, train, eval, sample, "
			"quant, export)\n", argv[1]);
	return EXIT_BADINPUT;
}
