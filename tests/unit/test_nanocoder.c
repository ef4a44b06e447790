/* test_nanocoder.c - NanoCoder's parts that need no training run: the corpus walk (order,
 * exclusions, cap, split, manifest, determinism), the BPE tokenizer (chunking, a known first
 * merge, deterministic merges, round trips on text and random bytes, the file and each of its
 * corruption errors), the baselines (unigram, n-gram, gzip conditioned on the training split),
 * the sliding-window scorer against a direct computation, the integer (W8A8, INT4) forward
 * pass against lm_forward, and the exported MLP block against the model's own MLP. Works in a
 * mkdtemp folder. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/rng.h"
#include "lm/bpe.h"
#include "lm/mat.h"
#include "lm/model.h"
#include "lm/tok.h"
#include "nanocoder/corpus.h"
#include "nanocoder/eval.h"
#include "nanocoder/export.h"
#include "nanocoder/quant.h"
#include "gen/tensor.h"
#include "nanocoder/tokens.h"
#include "tests/unit/t.h"

static char *tmpdir;

static char *tpath(const char *rel)
{
	return path_join(tmpdir, rel);
}

static void put(const char *rel, const char *text)
{
	char *p = tpath(rel), *d = dir_of(p);
	berr e;
	CHECK(mkdirs(d, &e) == 0, "%s", e.msg);
	CHECK(write_file_atomic(p, text, strlen(text), false, &e) == 0, "%s", e.msg);
	free(p);
	free(d);
}

static char *slurp(const char *rel, size_t *len)
{
	char *p = tpath(rel), *buf = NULL;
	berr e;
	size_t n = 0;
	if (read_file(p, 1 << 26, &buf, &n, &e) != 0)
		printf("FAIL read %s: %s\n", p, e.msg);
	free(p);
	if (len)
		*len = n;
	return buf;
}

static void test_corpus(void)
{
	CHECK(nc_corpus_excluded("test/test_os.py"), "test/");
	CHECK(nc_corpus_excluded("lib2to3/tests/data/x.py"), "lib2to3/tests");
	CHECK(nc_corpus_excluded("idlelib/idle_test/htest.py"), "idle_test");
	CHECK(nc_corpus_excluded("ctypes/test/__init__.py"), "ctypes/test");
	CHECK(nc_corpus_excluded("pydoc_data/topics.py"), "pydoc_data");
	CHECK(nc_corpus_excluded("config-3.11-x86_64-linux-gnu/python-config.py"), "config-");
	CHECK(nc_corpus_excluded("_sysconfigdata__linux_x86_64-linux-gnu.py"), "sysconfigdata");
	CHECK(!nc_corpus_excluded("test_utils.py"), "a file called test_*.py at the top is kept");
	CHECK(!nc_corpus_excluded("unittest/case.py"), "unittest/ is kept");
	CHECK(!nc_corpus_excluded("email/mime/text.py"), "nested folders are kept");

	put("src/b.py", "bbbbbbbbbb\n");            /* 11 */
	put("src/a.py", "aaaaaaaaaaaaaaaaaaa\n");   /* 20 */
	put("src/pkg/c.py", "cccccccccccccccccccccccccccccccccccccccc\n"); /* 41 */
	put("src/pkg/tests/t.py", "should not appear\n");
	put("src/test/t.py", "should not appear\n");
	put("src/notes.txt", "not python\n");
	put("src/z.py", "zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz\n");
	char *src = tpath("src"), *out = tpath("corp"), *out2 = tpath("corp2");
	nc_corpus_info info, info2;
	berr e;
	/* cap 100 takes a.py, b.py, pkg/c.py (72 bytes) and stops before z.py (74 more) */
	CHECK(nc_corpus_build(src, 100, 10, out, &info, &e) == 0, "%s", e.msg);
	CHECK(info.nfiles == 3, "files %zu", info.nfiles);
	CHECK(info.bytes == 72, "bytes %zu", info.bytes);
	CHECK(info.train_bytes == 72 - 7, "train %zu (10%% of 72 is 7 held out)", info.train_bytes);
	size_t nt, nh;
	char *tr = slurp("corp/train.txt", &nt), *he = slurp("corp/heldout.txt", &nh);
	CHECK(tr && he && nt == 65 && nh == 7, "split %zu + %zu", nt, nh);
	CHECK(tr && strncmp(tr, "aaaaaaaaaaaaaaaaaaa\nbbbbbbbbbb\nccc", 34) == 0,
	      "sorted by path: a.py, b.py, pkg/c.py");
	CHECK(tr && !strstr(tr, "appear") && he && !strstr(he, "appear"), "test folders left out");
	char *man = slurp("corp/manifest.json", NULL);
	CHECK(man && strstr(man, "\"path\": \"pkg/c.py\"") && !strstr(man, "z.py"),
	      "the manifest lists the files taken");
	CHECK(man && strstr(man, info.sha256), "the manifest records the content hash");
	CHECK(nc_corpus_build(src, 100, 10, out2, &info2, &e) == 0, "%s", e.msg);
	CHECK(strcmp(info.sha256, info2.sha256) == 0, "same files, same hash");
	char *man2 = slurp("corp2/manifest.json", NULL);
	CHECK(man && man2 && strcmp(man, man2) == 0, "same files, same manifest");
	CHECK(nc_corpus_build(src, 1000, 10, out2, &info2, &e) == 0 && info2.nfiles == 4,
	      "a larger cap takes z.py too");
	CHECK(strcmp(info.sha256, info2.sha256) != 0, "other content, other hash");
	char *missing = tpath("nope");
	CHECK(nc_corpus_build(missing, 100, 10, out2, &info2, &e) != 0 &&
	      strstr(e.msg, "nope: cannot open folder"), "a missing source is an error: %s", e.msg);
	CHECK(nc_corpus_build(src, 100, 0, out2, &info2, &e) != 0, "held-out 0%% refused");
	free(missing);
	free(man);
	free(man2);
	free(tr);
	free(he);
	free(src);
	free(out);
	free(out2);
}

static const char pysrc[] =
	"def add(a, b):\n    return a + b\n\n\nclass Point:\n    def __init__(self, x, y):\n"
	"        self.x = x\n        self.y = y\n\n    def norm(self):\n        return (self.x ** 2"
	" + self.y ** 2) ** 0.5\n\n\ndef main():\n    p = Point(3, 4)\n    print(p.norm())\n"
	"    if p.x == 3:\n        return add(p.x, p.y)\n    return None\n";

static void test_chunks(void)
{
	const char *s = "    x = foo_bar(1)\n        return  y\n";
	size_t n = strlen(s);
	const char *want[] = {"   ", " x", " =", " foo_bar", "(", "1", ")", "\n        ",
			      "return", " ", " y", "\n"};
	size_t pos = 0, k = 0;
	int ok = 1;
	while (pos < n) {
		size_t end = lm_bpe_chunk_end(s, n, pos);
		if (end <= pos || k >= sizeof want / sizeof *want || strlen(want[k]) != end - pos ||
		    memcmp(want[k], s + pos, end - pos) != 0) {
			ok = 0;
			printf("chunk %zu: '%.*s'\n", k, (int)(end - pos), s + pos);
			break;
		}
		pos = end;
		k++;
	}
	CHECK(ok && k == sizeof want / sizeof *want, "chunks of an indented line (%zu)", k);
}

static void test_bpe(void)
{
	berr e;
	/* "ab" is the most frequent pair (3 times; " a" twice): the first merge */
	lm_bpe *b = lm_bpe_train("ab ab ab cd", 11, 260, &e);
	CHECK(b != NULL, "%s", e.msg);
	if (b) {
		int x, y;
		lm_bpe_merge(b, 0, &x, &y);
		CHECK(x == 'a' && y == 'b', "first merge (%d, %d)", x, y);
		CHECK(lm_bpe_vocab(b) == 260 && lm_bpe_bos(b) == 257 && lm_bpe_pad(b) == 259,
		      "ids: 256 bytes, 1 merge, 3 specials");
		size_t len;
		const char *t = lm_bpe_token(b, 256, &len);
		CHECK(t && len == 2 && memcmp(t, "ab", 2) == 0, "token 256 is 'ab'");
		CHECK(!lm_bpe_token(b, 257, &len) && len == 0, "a special has no text");
		lm_bpe_free(b);
	}
	/* ties go to the smaller pair: "xy" and "qr" both twice, 'q' < 'x' */
	b = lm_bpe_train("xy,qr,xy,qr", 11, 260, &e);
	if (b) {
		int x, y;
		lm_bpe_merge(b, 0, &x, &y);
		CHECK(x == 'q' && y == 'r', "tie broken towards the smaller pair: (%c, %c)", x, y);
		lm_bpe_free(b);
	}
	CHECK(!lm_bpe_train("abcdef", 6, 300, &e) && strstr(e.msg, "pairs that occur twice"),
	      "too little text for the vocabulary: %s", e.msg);
	CHECK(!lm_bpe_train("abab", 4, 100, &e) && strstr(e.msg, "outside"), "vocab too small");

	/* a repeated Python text */
	strbuf text = {0};
	for (int i = 0; i < 40; i++)
		sb_puts(&text, pysrc);
	lm_bpe *b1 = lm_bpe_train(text.s, text.len, 300, &e), *b2 = NULL;
	CHECK(b1 != NULL, "%s", e.msg);
	b2 = lm_bpe_train(text.s, text.len, 300, &e);
	if (!b1 || !b2)
		goto out;
	int same = 1;
	for (int i = 0; i < 300 - 259; i++) {
		int a1, c1, a2, c2;
		lm_bpe_merge(b1, i, &a1, &c1);
		lm_bpe_merge(b2, i, &a2, &c2);
		same &= a1 == a2 && c1 == c2;
	}
	CHECK(same, "the same text gives the same merges");
	size_t n;
	int *ids = lm_bpe_encode(b1, text.s, text.len, &n);
	CHECK(n * 2 < text.len, "%zu bytes -> %zu tokens: merges compress the text", text.len, n);
	strbuf dec = {0};
	CHECK(lm_bpe_decode(b1, ids, n, &dec, &e) == 0 && dec.len == text.len &&
	      memcmp(dec.s, text.s, text.len) == 0, "decode(encode(text)) == text");
	sb_free(&dec);
	/* every chunk's tokens: no merge crosses a chunk boundary */
	int bad = 0;
	size_t pos = 0, k = 0;
	while (pos < text.len && k < n) {
		size_t end = lm_bpe_chunk_end(text.s, text.len, pos), got = 0;
		while (got < end - pos && k < n) {
			size_t tl;
			lm_bpe_token(b1, ids[k++], &tl);
			got += tl;
		}
		bad += got != end - pos;
		pos = end;
	}
	CHECK(!bad && k == n, "tokens stop at chunk boundaries (%d bad)", bad);
	/* random bytes, including NUL, newlines and bytes >= 0x80 */
	rng r;
	rng_seed(&r, 5, 0);
	for (int trial = 0; trial < 20; trial++) {
		size_t len = (size_t)rng_below(&r, 300);
		char *s = xmalloc(len + 1);
		for (size_t i = 0; i < len; i++)
			s[i] = trial % 2 ? (char)rng_below(&r, 256) : pysrc[rng_below(&r, 40)];
		size_t m;
		int *x = lm_bpe_encode(b1, s, len, &m);
		strbuf d = {0};
		int okd = lm_bpe_decode(b1, x, m, &d, &e) == 0;
		CHECK(okd && d.len == len && (len == 0 || memcmp(d.s, s, len) == 0),
		      "round trip of %zu random bytes (trial %d)", len, trial);
		sb_free(&d);
		free(x);
		free(s);
	}
	int badid[2] = {5, 300};
	strbuf d = {0};
	CHECK(lm_bpe_decode(b1, badid, 2, &d, &e) != 0 && strstr(e.msg, "token 300 at 1"),
	      "an id outside the vocabulary: %s", e.msg);
	sb_free(&d);

	/* the file */
	char *p = tpath("tok.bin");
	CHECK(lm_bpe_save(b1, p, &e) == 0, "%s", e.msg);
	lm_bpe *b3 = lm_bpe_load(p, &e);
	CHECK(b3 != NULL, "%s", e.msg);
	if (b3) {
		size_t m;
		int *x = lm_bpe_encode(b3, text.s, text.len, &m);
		CHECK(m == n && memcmp(x, ids, n * sizeof *ids) == 0, "a loaded tokenizer encodes "
								       "the same");
		free(x);
		lm_bpe_free(b3);
	}
	size_t flen;
	char *f = slurp("tok.bin", &flen);
	CHECK(f && flen == 20 + 8 * (300 - 259) + 8, "file size %zu", flen);
	struct {
		const char *what;
		size_t off;
		int cut;
		const char *msg;
	} bad_cases[] = {
		{"bad magic", 0, 0, "not a BurnTTT BPE tokenizer file"},
		{"version", 8, 0, "format version"},
		{"truncated", 0, 30, "truncated"},
		{"a flipped merge byte", 24, 0, "checksum mismatch"},
		{"a short header", 0, 5, "shorter than any BPE tokenizer header"},
	};
	for (size_t i = 0; f && i < sizeof bad_cases / sizeof *bad_cases; i++) {
		char *g = xmalloc(flen);
		memcpy(g, f, flen);
		size_t gl = flen;
		if (bad_cases[i].cut)
			gl = (size_t)bad_cases[i].cut;
		else
			g[bad_cases[i].off] ^= 0x5a;
		char *q = tpath("bad.bin");
		CHECK(write_file_atomic(q, g, gl, false, &e) == 0, "%s", e.msg);
		lm_bpe *z = lm_bpe_load(q, &e);
		CHECK(!z && strstr(e.msg, bad_cases[i].msg) && strstr(e.msg, "bad.bin"),
		      "%s: %s", bad_cases[i].what, e.msg);
		lm_bpe_free(z);
		free(q);
		free(g);
	}
	free(f);
	free(p);
	free(ids);
out:
	sb_free(&text);
	lm_bpe_free(b1);
	lm_bpe_free(b2);
}

static void test_baselines(void)
{
	strbuf tr = {0}, he = {0};
	for (int i = 0; i < 30; i++)
		sb_puts(&tr, pysrc);
	sb_puts(&he, pysrc);
	double u = nc_unigram_bpb(tr.s, tr.len, he.s, he.len);
	double n0 = nc_ngram_bpb(tr.s, tr.len, he.s, he.len, 0);
	double n3 = nc_ngram_bpb(tr.s, tr.len, he.s, he.len, 3);
	CHECK(fabs(u - n0) < 1e-12, "order 0 is the unigram (%g, %g)", u, n0);
	CHECK(u > 3 && u < 8, "unigram %g bits/byte", u);
	CHECK(n3 < 0.5 * u, "order 3 on seen text: %g, far below the unigram %g", n3, u);
	/* unigram by hand: a held-out of one byte seen c times in N */
	size_t c = 0;
	for (size_t i = 0; i < tr.len; i++)
		c += tr.s[i] == 'd';
	double want = -log2(((double)c + 1) / ((double)tr.len + 256));
	CHECK(fabs(nc_unigram_bpb(tr.s, tr.len, "d", 1) - want) < 1e-12, "unigram of 'd'");
	double g1, g2;
	berr e;
	CHECK(nc_gzip_cond_bits(tr.s, tr.len, he.s, he.len, tmpdir, &g1, &e) == 0, "gzip: %s",
	      e.msg);
	/* held-out text the training split already holds costs gzip little; random bytes cost
	 * about 8 bits each */
	char rnd[2000];
	rng r;
	rng_seed(&r, 9, 0);
	for (size_t i = 0; i < sizeof rnd; i++)
		rnd[i] = (char)rng_below(&r, 256);
	CHECK(nc_gzip_cond_bits(tr.s, tr.len, rnd, sizeof rnd, tmpdir, &g2, &e) == 0, "%s", e.msg);
	CHECK(g1 >= 0 && g1 / (double)he.len < 1.0, "seen text: %g bits/byte", g1 / (double)he.len);
	CHECK(g2 / (double)sizeof rnd > 7.9, "random bytes: %g bits/byte", g2 / (double)sizeof rnd);
	sb_free(&tr);
	sb_free(&he);
}

static void test_scorer(void)
{
	lm_config c = {.vocab = LM_BYTE_VOCAB, .ctx = 16, .hidden = 8, .heads = 2, .layers = 1,
		       .mlp = 16, .tok = LM_TOK_BYTE};
	berr e;
	lm_model *m = lm_new(&c, 3, &e);
	CHECK(m != NULL, "%s", e.msg);
	if (!m)
		return;
	lm_set_kernel(LM_KERNEL_NAIVE);
	size_t n = 70;
	int ids[70];
	for (size_t i = 0; i < n; i++)
		ids[i] = (unsigned char)pysrc[i];
	nc_tok t;
	CHECK(nc_tok_open(&t, &c, NULL, &e) == 0, "%s", e.msg);
	/* direct: each target j >= 1 scored once, by the forward pass of the window whose last
	 * target is the first of (stride-spaced ends, clamped to >= T) past it */
	for (int stride = 1; stride <= 16; stride += 5) {
		double bits, bytes;
		CHECK(nc_eval_bits(m, ids, n, t.len, stride, 3, &bits, &bytes, &e) == 0, "%s",
		      e.msg);
		CHECK(bytes == (double)(n - 1), "stride %d: scored %g bytes", stride, bytes);
		double want = 0;
		size_t done = 0;
		while (done < n - 1) {
			size_t last = done + (size_t)stride;
			if (last > n - 1)
				last = n - 1;
			if (last < 16)
				last = 16;
			size_t s = last - 16;
			int in[16], tg[16];
			for (int k = 0; k < 16; k++) {
				in[k] = ids[s + (size_t)k];
				tg[k] = ids[s + 1 + (size_t)k];
			}
			lm_forward(m, in, tg, 1, 16, &e);
			for (int k = 0; k < 16; k++)
				if (s + 1 + (size_t)k > done)
					want += m->a.losses[k];
			done = last;
		}
		want /= log(2.0);
		CHECK(fabs(bits - want) < 1e-9 * want, "stride %d: %.9g bits, direct %.9g", stride,
		      bits, want);
	}
	double b1, y1;
	CHECK(nc_eval_bits(m, ids, 1, t.len, 8, 2, &b1, &y1, &e) != 0, "one token: nothing to "
								      "score");
	nc_tok_close(&t);
	lm_set_kernel(LM_KERNEL_BLAS);
	lm_free(m);
}


/* A perturbed random model (C 64, M 128, 2 layers): the float path of nanocoder/quant.c
 * reproduces lm_forward; W8A8 stays close; INT4 (g32) drifts further than W8A8 and g64 stays
 * finite and bounded; the quantised scorer matches lm's; bad shapes are refused. */
static void test_quant(void)
{
	lm_config c = {.vocab = LM_BYTE_VOCAB, .ctx = 32, .hidden = 64, .heads = 4, .layers = 2,
		       .mlp = 128, .tok = LM_TOK_BYTE};
	berr e;
	lm_model *m = lm_new(&c, 11, &e);
	CHECK(m != NULL, "%s", e.msg);
	if (!m)
		return;
	/* larger weights than the init, so the layers matter */
	rng r;
	rng_seed(&r, 12, 0);
	for (size_t i = 0; i < m->nparams; i++)
		m->params_mem[i] += (float)(0.05 * (rng_unit(&r) - 0.5));
	int T = 32, ids[32];
	for (int t = 0; t < T; t++)
		ids[t] = (unsigned char)pysrc[t];
	lm_set_kernel(LM_KERNEL_NAIVE);
	CHECK(lm_forward(m, ids, NULL, 1, T, &e) == 0, "%s", e.msg);
	size_t nl = (size_t)T * c.vocab;
	float *ref = xmalloc(nl * sizeof *ref), *lg = xmalloc(nl * sizeof *lg);
	memcpy(ref, m->a.logits, nl * sizeof *ref);
	double rn = 0;
	for (size_t i = 0; i < nl; i++)
		rn += (double)ref[i] * ref[i];
	rn = sqrt(rn);
	double err[5];
	nc_qkind kinds[5] = {NC_Q_FLOAT, NC_Q_W8A8, NC_Q_W4A8, NC_Q_W4A8, NC_Q_W4A8};
	int groups[5] = {0, 0, 32, 64, 64};
	for (int v = 0; v < 4; v++) {
		nc_qmodel *q = nc_qmodel_new(m, kinds[v], groups[v], &e);
		CHECK(q != NULL, "variant %d: %s", v, e.msg);
		if (!q)
			continue;
		CHECK(nc_qforward(q, ids, T, lg, &e) == 0, "%s", e.msg);
		double d = 0;
		int finite = 1;
		for (size_t i = 0; i < nl; i++) {
			d += ((double)lg[i] - ref[i]) * ((double)lg[i] - ref[i]);
			finite &= isfinite(lg[i]);
		}
		err[v] = sqrt(d) / rn;
		CHECK(finite, "variant %d: finite logits", v);
		nc_qmodel_free(q);
	}
	CHECK(err[0] < 1e-5, "float path == lm_forward: relative error %.3g", err[0]);
	CHECK(err[1] > 1e-6 && err[1] < 0.05, "W8A8: relative error %.3g", err[1]);
	CHECK(err[2] > err[1], "INT4 g32 (%.3g) drifts more than W8A8 (%.3g)", err[2], err[1]);
	CHECK(err[3] < 0.5, "INT4 g64 stays usable: %.3g", err[3]);
	/* its scorer agrees with lm's on bits for the float path */
	nc_tok t;
	CHECK(nc_tok_open(&t, &c, NULL, &e) == 0, "%s", e.msg);
	int seq[80];
	for (int i = 0; i < 80; i++)
		seq[i] = (unsigned char)pysrc[i];
	nc_qmodel *q = nc_qmodel_new(m, NC_Q_FLOAT, 0, &e);
	double b1 = 0, y1 = -1, b2 = 0, y2 = -2;
	int am[80] = {0};
	CHECK(q && nc_qeval_bits(q, seq, 80, t.len, 16, &b1, &y1, am, &e) == 0, "%s", e.msg);
	CHECK(nc_eval_bits(m, seq, 80, t.len, 16, 2, &b2, &y2, &e) == 0, "%s", e.msg);
	CHECK(y1 == y2 && fabs(b1 - b2) < 1e-4 * b2, "quant scorer %g bits vs lm %g", b1, b2);
	CHECK(nc_qforward(q, seq, 33, lg, &e) != 0 && strstr(e.msg, "1..32"), "too long: %s",
	      e.msg);
	CHECK(!nc_qmodel_new(m, NC_Q_W4A8, 48, &e), "group 48 does not divide 64: refused");
	nc_qmodel_free(q);
	nc_tok_close(&t);
	lm_set_kernel(LM_KERNEL_BLAS);
	free(ref);
	free(lg);
	lm_free(m);
}

/* The exported MLP, read back with the project readers (gen/tensor.h), applied to the captured
 * inputs, gives the model's own MLP output at those positions. */
static void test_export(void)
{
	lm_config c = {.vocab = LM_BYTE_VOCAB, .ctx = 16, .hidden = 8, .heads = 2, .layers = 2,
		       .mlp = 24, .tok = LM_TOK_BYTE};
	berr e;
	lm_model *m = lm_new(&c, 21, &e);
	if (!m) {
		CHECK(0, "%s", e.msg);
		return;
	}
	rng r;
	rng_seed(&r, 22, 0);
	for (size_t i = 0; i < m->nparams; i++)
		m->params_mem[i] += (float)(0.2 * (rng_unit(&r) - 0.5));
	int ids[70];
	for (int i = 0; i < 70; i++)
		ids[i] = (unsigned char)pysrc[i];
	char *sp = tpath("mlp.safetensors");
	CHECK(nc_export_mlp(m, 1, sp, &e) == 0, "%s", e.msg);
	double *x = NULL;
	size_t *pos = NULL;
	int rows = 10;
	CHECK(nc_capture_mlp_inputs(m, 1, ids, 70, rows, &x, &pos, &e) == 0, "%s", e.msg);
	/* 70 tokens: 4 windows of 16 = 64 positions, rows at floor(r * 64 / 10) */
	CHECK(pos && pos[0] == 0 && pos[1] == 6 && pos[9] == 57, "evenly spaced positions");
	st_file f;
	tensor up = {0}, ub = {0}, dn = {0}, db = {0};
	CHECK(st_open(sp, &f, &e) == 0, "%s", e.msg);
	CHECK(st_read(&f, "up.weight", 1 << 20, &up, &e) == 0 && up.ndim == 2 &&
	      up.shape[0] == 24 && up.shape[1] == 8, "up.weight (24, 8): %s", e.msg);
	CHECK(st_read(&f, "up.bias", 1 << 20, &ub, &e) == 0 && ub.n == 24, "up.bias");
	CHECK(st_read(&f, "down.weight", 1 << 20, &dn, &e) == 0 && dn.shape[0] == 8 &&
	      dn.shape[1] == 24, "down.weight (8, 24)");
	CHECK(st_read(&f, "down.bias", 1 << 20, &db, &e) == 0 && db.n == 8, "down.bias");
	st_close(&f);
	double worst = 0;
	for (int k = 0; k < rows && up.data && dn.data && x && pos; k++) {
		size_t w = pos[k] / 16, t = pos[k] % 16;
		lm_forward(m, ids + w * 16, NULL, 1, 16, &e);
		const float *want = m->a.fcproj + ((size_t)1 * 16 + t) * 8; /* layer 1, B = 1 */
		const float *ln2 = m->a.ln2 + ((size_t)1 * 16 + t) * 8;
		for (int i = 0; i < 8; i++)
			worst = fmax(worst, fabs(x[(size_t)k * 8 + i] - ln2[i]));
		for (int o = 0; o < 8; o++) {
			double y = db.data[o];
			for (int j = 0; j < 24; j++) {
				double h = ub.data[j];
				for (int i = 0; i < 8; i++)
					h += up.data[j * 8 + i] * x[(size_t)k * 8 + i];
				y += dn.data[o * 24 + j] * (h > 0 ? h : 0);
			}
			worst = fmax(worst, fabs(y - want[o]));
		}
	}
	CHECK(worst < 1e-4, "exported block on captured inputs == the model's MLP (%.3g)", worst);
	CHECK(nc_capture_mlp_inputs(m, 1, ids, 70, 65, &x, &pos, &e) != 0 &&
	      strstr(e.msg, "only 64 positions"), "more rows than positions: %s", e.msg);
	CHECK(nc_export_mlp(m, 2, sp, &e) != 0 && strstr(e.msg, "layers 0..1"), "%s", e.msg);
	tensor_free(&up);
	tensor_free(&ub);
	tensor_free(&dn);
	tensor_free(&db);
	free(x);
	free(pos);
	free(sp);
	lm_free(m);
}

int main(void)
{
	const char *td = getenv("TMPDIR");
	char *t = xmalloc(strlen(td ? td : "/tmp") + 40);
	sprintf(t, "%s/burn-test-nanocoder.XXXXXX", td ? td : "/tmp");
	tmpdir = mkdtemp(t);
	if (!tmpdir) {
		printf("FAIL mkdtemp %s\n", t);
		return 1;
	}
	test_corpus();
	test_chunks();
	test_bpe();
	test_baselines();
	test_scorer();
	test_quant();
	test_export();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("note: could not remove %s\n", tmpdir);
	free(t);
	return t_done("test_nanocoder");
}
