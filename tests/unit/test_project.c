/* test_project.c - the project loader: the example projects, deterministic random data, .npy
 * and .safetensors round trips (numpy's own files too), and every kind of bad input, each
 * checked to name file:line:column and the key. BURN_SRC (set by tests/run.sh) is the source tree. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/project.h"
#include "gen/tensor.h"
#include "tests/unit/t.h"

static const char *src = BURN_DATADIR; /* the source tree when BURN_SRC is not set */

/* A path in the source tree. */
static const char *S(const char *name)
{
	static char buf[4][512];
	static int k;
	k = (k + 1) % 4;
	snprintf(buf[k], sizeof buf[k], "%s/%s", src, name);
	return buf[k];
}

static void save(const char *name, const double *x, int ndim, const long *shape, bool f64)
{
	berr e;
	if (npy_save(t_path(name), x, ndim, shape, f64, &e) != 0) {
		printf("FAIL %s\n", e.msg);
		exit(1);
	}
}

/* Writes text as t_path(name) and loads it. */
static int load_text(const char *name, const char *text, bool data, project *p, berr *e)
{
	t_put(name, text);
	return project_load(t_path(name), data, p, e);
}

/* Loading text must fail with a message holding every string of want. */
static void bad_case(int line, const char *name, const char *text, const char *const *want)
{
	project p;
	berr e = {{0}};
	int rc = load_text(name, text, true, &p, &e);
	CHECK(rc != 0, "line %d: %s loaded", line, name);
	for (const char *const *w = want; *w; w++)
		CHECK(strstr(e.msg, *w) != NULL, "line %d: message \"%s\" lacks \"%s\"", line, e.msg, *w);
	CHECK(strchr(e.msg, '\n') == NULL, "line %d: message has several lines: %s", line, e.msg);
	if (rc == 0)
		project_free(&p);
}

#define BAD(name, text, ...) bad_case(__LINE__, name, text, (const char *const[]){__VA_ARGS__, NULL})

static const char *ok_tail = "part: pynq-z2\nclock_ns: 10\n";

/* ---- the example projects ---- */

static double mean_of(const double *x, size_t n)
{
	double s = 0;
	for (size_t i = 0; i < n; i++)
		s += x[i];
	return s / (double)n;
}

static double std_of(const double *x, size_t n)
{
	double m = mean_of(x, n), s = 0;
	for (size_t i = 0; i < n; i++)
		s += (x[i] - m) * (x[i] - m);
	return sqrt(s / (double)n);
}

static void test_examples(void)
{
	static const struct {
		const char *file;
		int n_in, hidden, n_out;
		long macs;
	} ex[] = {
		{"projects/toy-ffn-z2.yaml", 16, 32, 8, 768},
		{"projects/nanocoder-v1-mlp-z2.yaml", 128, 512, 128, 131072},
		{"projects/nanocoder-v2-mlp-z2.yaml", 256, 1024, 256, 524288},
	};
	for (size_t i = 0; i < sizeof ex / sizeof ex[0]; i++) {
		project p;
		berr e = {{0}};
		int rc = project_load(S(ex[i].file), true, &p, &e);
		CHECK(rc == 0, "%s: %s", ex[i].file, e.msg);
		if (rc != 0)
			continue;
		unsigned all = HAS_BLOCK | HAS_WEIGHTS | HAS_CALIB | HAS_PART | HAS_CLOCK | HAS_EPS |
			       HAS_SEARCH | HAS_REWARD;
		CHECK(p.has == all, "%s: has = %#x", ex[i].file, p.has);
		CHECK(project_require(&p, all, &e) == 0, "%s", e.msg);
		CHECK(p.n_layers == 2, "%d layers", p.n_layers);
		CHECK(p.layers[0].n_in == ex[i].n_in && p.layers[0].n_out == ex[i].hidden &&
			      p.layers[1].n_in == ex[i].hidden && p.layers[1].n_out == ex[i].n_out,
		      "%s: shapes", ex[i].file);
		CHECK(p.layers[0].act == ACT_RELU && p.layers[1].act == ACT_LINEAR, "activations");
		CHECK(p.layers[0].bias && p.layers[0].b && p.layers[1].b, "biases loaded");
		CHECK(project_macs(&p) == ex[i].macs, "%s: macs %ld", ex[i].file, project_macs(&p));
		CHECK(strcmp(p.part.name, "pynq-z2") == 0 && p.part.lut == 53200 && p.part.ff == 106400 &&
			      p.part.dsp == 220 && p.part.bram18 == 280 && p.part.dsp_a == 25 &&
			      p.part.dsp_b == 18 && strcmp(p.part.family, "xc7") == 0 &&
			      p.part.lutram_bits == 17400L * 64 && strcmp(p.part.mem_kind, "ddr3") == 0,
		      "pynq-z2 part");
		CHECK(p.clock_ns == 10 && p.eps_max == 0.05, "clock %g eps %g", p.clock_ns, p.eps_max);
		CHECK(p.search.strategy == STRAT_HEURISTIC && p.search.rounds == 4 &&
			      p.search.per_round == 8,
		      "search");
		CHECK(p.reward.w_latency == 1.0 && p.reward.w_ff == 0.1, "reward");
		CHECK(p.calib.n == 64 && p.calib.x != NULL, "calibration n %ld", p.calib.n);
		CHECK(p.n_inputs == 1 && strstr(p.inputs[0], "projects/parts/pynq-z2.yaml"),
		      "%s: inputs: %d", ex[i].file, p.n_inputs);
		CHECK(p.layers[0].w_tensor == NULL, "no tensor names for random weights");
		/* Weights ~ N(0, 1/n_in); calibration ~ N(0, 1). */
		const layer *l = &p.layers[0];
		size_t nw = (size_t)l->n_in * l->n_out;
		double sd = std_of(l->w, nw), want = 1 / sqrt(l->n_in);
		CHECK(fabs(sd / want - 1) < 0.1, "%s: weight std %g, want %g", ex[i].file, sd, want);
		CHECK(fabs(mean_of(l->w, nw)) < 0.2 * want, "weight mean %g", mean_of(l->w, nw));
		size_t nx = (size_t)p.calib.n * l->n_in;
		CHECK(fabs(std_of(p.calib.x, nx) - 1) < 0.1, "calibration std %g", std_of(p.calib.x, nx));
		project_free(&p);
	}

	part pt;
	berr e = {{0}};
	CHECK(part_load_named("aws-f2", NULL, &pt, &e) == 0, "%s", e.msg);
	CHECK(strcmp(pt.device, "xcvu47p-fsvh2892-2-e") == 0 && pt.lut == 1303680 && pt.ff == 2607360 &&
		      pt.dsp == 9024 && pt.bram18 == 4032 && pt.uram == 960 && pt.dsp_a == 27 &&
		      strcmp(pt.family, "xcup") == 0 && strcmp(pt.mem_kind, "hbm") == 0 &&
		      pt.mem_gbps == 460 && pt.mem_gib == 16,
	      "aws-f2 part");
	CHECK(part_load_named("pynq-z2", "/nonexistent", &pt, &e) == 0 && pt.mem_gbps == 2.1, "%s",
	      e.msg);
	CHECK(part_load_named("../projects/parts/pynq-z2", NULL, &pt, &e) != 0 &&
		      strstr(e.msg, "not a part name"),
	      "%s", e.msg);
	CHECK(part_load_named("pynq_z2", NULL, &pt, &e) != 0 && strstr(e.msg, "did you mean 'pynq-z2'"),
	      "%s", e.msg);
}

/* ---- deterministic random data ---- */

static const char *two_layers =
	"block:\n"
	"  layers:\n"
	"    - {name: fc1, n_in: 16, n_out: 32, activation: relu}\n"
	"    - {name: fc2, n_in: 32, n_out: 8}\n";

static bool same(const double *a, const double *b, size_t n)
{
	return memcmp(a, b, n * sizeof *a) == 0;
}

static void test_random(void)
{
	project a, b;
	berr e = {{0}};
	CHECK(project_load(S("projects/toy-ffn-z2.yaml"), true, &a, &e) == 0, "%s", e.msg);
	CHECK(project_load(S("projects/toy-ffn-z2.yaml"), true, &b, &e) == 0, "%s", e.msg);
	CHECK(same(a.layers[0].w, b.layers[0].w, 16 * 32) && same(a.layers[1].b, b.layers[1].b, 8) &&
		      same(a.calib.x, b.calib.x, 64 * 16),
	      "same seed, same bytes");
	/* The same bits on every machine: these were computed once and must never change. */
	CHECK(a.layers[0].w[0] == -0x1.bacea39446044p-3 && a.layers[0].w[1] == 0x1.303fce0457a41p-2 &&
		      a.layers[0].b[0] == 0x1.853707a6caf0bp-3 && a.calib.x[0] == 0x1.26775c87cb58dp+0,
	      "golden values: %a %a %a %a", a.layers[0].w[0], a.layers[0].w[1], a.layers[0].b[0],
	      a.calib.x[0]);

	/* A different seed gives different weights; adding a layer changes no other layer. */
	strbuf t = {0};
	sb_printf(&t, "%sweights: {seed: 2}\n", two_layers);
	project c;
	CHECK(load_text("seed2.yaml", t.s, true, &c, &e) == 0, "%s", e.msg);
	CHECK(!same(a.layers[0].w, c.layers[0].w, 16 * 32) && !same(a.layers[1].w, c.layers[1].w, 32 * 8),
	      "seed 2 differs");
	project_free(&c);
	sb_free(&t);
	sb_printf(&t, "%s    - {name: fc3, n_in: 8, n_out: 4}\nweights: {seed: 1}\n", two_layers);
	CHECK(load_text("three.yaml", t.s, true, &c, &e) == 0, "%s", e.msg);
	CHECK(c.n_layers == 3 && same(a.layers[0].w, c.layers[0].w, 16 * 32) &&
		      same(a.layers[1].w, c.layers[1].w, 32 * 8) && same(a.layers[1].b, c.layers[1].b, 8),
	      "a third layer leaves the others alone");
	project_free(&c);
	sb_free(&t);

	/* Uniform weights with a fixed scale; calibration without bias or n. */
	sb_printf(&t, "%sweights: {distribution: uniform, scale: 0.5, seed: 3}\n"
		      "calibration: {distribution: uniform, scale: 2}\n", two_layers);
	CHECK(load_text("uniform.yaml", t.s, true, &c, &e) == 0, "%s", e.msg);
	double lo = 1, hi = -1;
	for (int i = 0; i < 16 * 32; i++) {
		lo = fmin(lo, c.layers[0].w[i]);
		hi = fmax(hi, c.layers[0].w[i]);
	}
	CHECK(lo >= -0.5 && hi < 0.5 && lo < -0.45 && hi > 0.45, "uniform range [%g, %g]", lo, hi);
	CHECK(c.calib.n == 64 && fabs(std_of(c.calib.x, 64 * 16) - 2 / sqrt(3)) < 0.1,
	      "uniform calibration std %g", std_of(c.calib.x, 64 * 16));
	project_free(&c);
	sb_free(&t);
	project_free(&a);
	project_free(&b);

	/* The normal sampler is normal: moments and the one-sigma mass. */
	size_t n = 200000;
	double *x = xreallocarray(NULL, n, sizeof *x);
	tensor_random(x, n, 7, STREAM_CALIB, 0, true, 1.0);
	size_t in1 = 0;
	double m4 = 0;
	for (size_t i = 0; i < n; i++) {
		in1 += fabs(x[i]) < 1;
		m4 += x[i] * x[i] * x[i] * x[i];
	}
	CHECK(fabs(mean_of(x, n)) < 0.01 && fabs(std_of(x, n) - 1) < 0.01, "normal mean %g std %g",
	      mean_of(x, n), std_of(x, n));
	CHECK(fabs((double)in1 / n - 0.6827) < 0.005, "normal mass within 1 sigma %g", (double)in1 / n);
	CHECK(fabs(m4 / n - 3) < 0.1, "normal 4th moment %g", m4 / n);
	double *y = xreallocarray(NULL, 7, sizeof *y);
	tensor_random(y, 7, 7, STREAM_CALIB, 0, true, 1.0);
	CHECK(same(x, y, 7), "a shorter fill is a prefix of a longer one");
	tensor_random(y, 7, 7, STREAM_CALIB, 1, true, 1.0);
	CHECK(!same(x, y, 7), "another stream differs");
	free(x);
	free(y);
}

/* ---- .npy ---- */

static int load_ref(const char *name, tensor *t, berr *e)
{
	char path[512];
	snprintf(path, sizeof path, "%s/tests/data/project/npy/%s", src, name);
	return npy_load(path, 1000, t, e);
}

static void test_npy(void)
{
	tensor t;
	berr e = {{0}};
	/* numpy's own files */
	static const char *const a23[] = {"f4_2x3.npy", "v2_f4_2x3.npy", "v3_f4_2x3.npy"};
	for (int v = 0; v < 3; v++) {
		int rc = load_ref(a23[v], &t, &e);
		CHECK(rc == 0, "%s", e.msg);
		if (rc != 0)
			continue;
		bool ok = t.ndim == 2 && t.shape[0] == 2 && t.shape[1] == 3 && t.n == 6;
		for (int i = 0; ok && i < 6; i++)
			ok = t.data[i] == (i - 2.5) / 4;
		CHECK(ok, "%s: values", a23[v]);
		tensor_free(&t);
	}
	CHECK(load_ref("f8_3.npy", &t, &e) == 0 && t.ndim == 1 && t.n == 3 && t.data[0] == 0.1 &&
		      t.data[1] == -2.5 && t.data[2] == 1e300,
	      "f8: %s", e.msg);
	tensor_free(&t);
	CHECK(load_ref("f2_2x2.npy", &t, &e) == 0 && t.n == 4 && t.data[0] == 1 && t.data[1] == -0.5 &&
		      t.data[2] == 65504 && t.data[3] == ldexp(1, -24),
	      "f2: %s", e.msg);
	tensor_free(&t);
	CHECK(load_ref("scalar_f8.npy", &t, &e) == 0 && t.ndim == 0 && t.n == 1 && t.data[0] == 3.5,
	      "scalar: %s", e.msg);
	tensor_free(&t);
	CHECK(load_ref("empty_0x4.npy", &t, &e) == 0 && t.ndim == 2 && t.n == 0 && t.shape[1] == 4,
	      "empty: %s", e.msg);
	tensor_free(&t);
	CHECK(load_ref("nan_f4_2x3.npy", &t, &e) == 0, "%s", e.msg);
	size_t at;
	char ib[64];
	CHECK(tensor_find_nonfinite(&t, &at) && at == 4 &&
		      strcmp(tensor_index_str(&t, at, ib, sizeof ib), "[1, 1]") == 0,
	      "NaN found at %zu", at);
	tensor_free(&t);
	static const struct {
		const char *file, *msg;
	} rej[] = {
		{"fortran_2x3.npy", "Fortran-order"},
		{"be_f4_2x3.npy", "big-endian"},
		{"i4_3.npy", "dtype '<i4' is not supported"},
		{"structured.npy", "structured dtypes"},
	};
	for (size_t i = 0; i < sizeof rej / sizeof rej[0]; i++) {
		int rc = load_ref(rej[i].file, &t, &e);
		CHECK(rc != 0 && strstr(e.msg, rej[i].msg) && strstr(e.msg, rej[i].file), "%s: %s",
		      rej[i].file, e.msg);
	}
	CHECK(npy_load(t_path("nonexistent.npy"), 10, &t, &e) != 0 && strstr(e.msg, "nonexistent.npy") &&
		      strstr(e.msg, "cannot open"),
	      "%s", e.msg);

	/* Round trips through npy_save. */
	double x[15];
	for (int i = 0; i < 15; i++)
		x[i] = (i - 7) * 0.1 + 1e-9;
	long s35[] = {3, 5}, s15[] = {15};
	for (int f64 = 0; f64 < 2; f64++) {
		for (int nd = 0; nd < 3; nd++) {
			const long *shape = nd == 2 ? s35 : s15;
			save("rt.npy", x, nd, shape, f64);
			int rc = npy_load(t_path("rt.npy"), 100, &t, &e);
			CHECK(rc == 0, "%s", e.msg);
			if (rc != 0)
				continue;
			size_t n = nd == 0 ? 1 : 15;
			bool ok = t.ndim == nd && t.n == n;
			for (size_t i = 0; ok && i < n; i++)
				ok = t.data[i] == (f64 ? x[i] : (double)(float)x[i]);
			CHECK(ok, "round trip f64=%d ndim=%d", f64, nd);
			tensor_free(&t);
		}
	}
	CHECK(npy_load(t_path("rt.npy"), 14, &t, &e) != 0 && strstr(e.msg, "limit of 14"), "%s", e.msg);

	/* Damaged files: every truncation fails cleanly, and byte flips never read out of bounds. */
	strbuf b = {0};
	npy_encode(&b, x, 2, s35, false);
	const unsigned char *u = (const unsigned char *)b.s;
	int fails = 0;
	for (size_t len = 0; len < b.len; len++)
		fails += npy_parse("cut.npy", u, len, 100, &t, &e) != 0;
	CHECK(fails == (int)b.len, "%d of %zu truncations rejected", fails, b.len);
	CHECK(npy_parse("cut.npy", u, b.len - 1, 100, &t, &e) != 0 && strstr(e.msg, "truncated"), "%s",
	      e.msg);
	unsigned char *m = xmalloc(b.len + 8);
	memcpy(m, b.s, b.len);
	memset(m + b.len, 0, 8);
	CHECK(npy_parse("long.npy", m, b.len + 8, 100, &t, &e) != 0 && strstr(e.msg, "8 unexpected bytes"),
	      "%s", e.msg);
	for (size_t i = 0; i < 128; i++)
		for (int v = 0; v < 256; v += 17) {
			memcpy(m, b.s, b.len);
			m[i] = (unsigned char)v;
			if (npy_parse("flip.npy", m, b.len, 100, &t, &e) == 0)
				tensor_free(&t);
		}
	free(m);
	sb_free(&b);
	static const struct {
		const char *hdr, *msg;
	} hd[] = {
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999, 99999999999, 99999999), }",
		 "larger than the limit"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (1,1,1,1,1,1,1,1,1), }", "more than 8"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (-1,), }", "bad dimension"},
		{"{'descr': '<f4', 'fortran_order': False}", "lacks 'shape'"},
		{"{'descr': '<f4', 'descr': '<f4', }", "repeated key 'descr'"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (1,), 'x': 1}", "unexpected or repeated"},
		{"{'descr': '<f4, 'fortran_order': False, 'shape': (1,), }", "'<f4, ' is not supported"},
		{"['descr']", "not a dict"},
		{"{'descr': '<f4', 'fortran_order': False, 'shape': (0,), } x", "after the dict"},
		{"{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }", "'<c8' is not supported"},
	};
	for (size_t i = 0; i < sizeof hd / sizeof hd[0]; i++) {
		strbuf f = {0};
		size_t hl = strlen(hd[i].hdr);
		sb_add(&f, "\x93NUMPY\x01\x00", 8);
		char l2[2] = {(char)(hl & 0xff), (char)(hl >> 8)};
		sb_add(&f, l2, 2);
		sb_add(&f, hd[i].hdr, hl);
		int rc = npy_parse("h.npy", (const unsigned char *)f.s, f.len, 100, &t, &e);
		CHECK(rc != 0 && strstr(e.msg, hd[i].msg), "header %zu: %s", i, e.msg);
		if (rc == 0)
			tensor_free(&t);
		sb_free(&f);
	}
	CHECK(npy_parse("v9.npy", (const unsigned char *)"\x93NUMPY\x09\x00\x00\x00", 10, 100, &t, &e) != 0 &&
		      strstr(e.msg, "version 9.0"),
	      "%s", e.msg);
	CHECK(npy_parse("m.npy", (const unsigned char *)"PK\x03\x04 not npy", 14, 100, &t, &e) != 0 &&
		      strstr(e.msg, "not a .npy file"),
	      "%s", e.msg);
}

/* ---- .safetensors ---- */

/* Appends a .safetensors file: the JSON header (padded with spaces to 8 bytes) and data. */
static void st_build(strbuf *out, const char *json, const void *data, size_t n)
{
	size_t hl = strlen(json), pad = (8 - hl % 8) % 8;
	unsigned char len[8];
	for (int i = 0; i < 8; i++)
		len[i] = (unsigned char)((uint64_t)(hl + pad) >> (8 * i));
	sb_add(out, (const char *)len, 8);
	sb_add(out, json, hl);
	for (size_t i = 0; i < pad; i++)
		sb_add(out, " ", 1);
	sb_add(out, data, n);
}

static void le_f32(unsigned char *p, float f)
{
	uint32_t u;
	memcpy(&u, &f, 4);
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

static void le_f64(unsigned char *p, double d)
{
	uint64_t u;
	memcpy(&u, &d, 8);
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(u >> (8 * i));
}

static const char *st_json =
	"{\"__metadata__\": {\"format\": \"pt\", \"n\": [1, 2.5e-3, {\"x\": null}]},"
	" \"a\": {\"dtype\": \"F32\", \"shape\": [2, 2], \"data_offsets\": [0, 16]},"
	" \"h\": {\"dtype\": \"F16\", \"shape\": [4], \"data_offsets\": [16, 24]},"
	" \"b\\u00e9\": {\"dtype\": \"BF16\", \"shape\": [2], \"data_offsets\": [24, 28]},"
	" \"d\": {\"shape\": [], \"dtype\": \"F64\", \"data_offsets\": [28, 36], \"extra\": true}}";

static void st_data(unsigned char *d)
{
	le_f32(d, 1);
	le_f32(d + 4, -2);
	le_f32(d + 8, 0.5f);
	le_f32(d + 12, 3);
	static const unsigned char h[] = {0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c}; /* 1 -2 2^-24 inf */
	memcpy(d + 16, h, 8);
	static const unsigned char bf[] = {0x80, 0x3f, 0xa0, 0xc0}; /* 1 -5 */
	memcpy(d + 24, bf, 4);
	le_f64(d + 28, 0.1);
}

static void test_safetensors(void)
{
	unsigned char data[36];
	st_data(data);
	strbuf f = {0};
	st_build(&f, st_json, data, sizeof data);
	t_put_bytes("m.safetensors", f.s, f.len);
	st_file sf;
	tensor t;
	berr e = {{0}};
	for (int mem = 0; mem < 2; mem++) {
		int rc = mem ? st_open_mem("m.safetensors", (const unsigned char *)f.s, f.len, &sf, &e)
			     : st_open(t_path("m.safetensors"), &sf, &e);
		CHECK(rc == 0, "%s", e.msg);
		if (rc != 0)
			continue;
		CHECK(sf.n == 4, "%zu tensors", sf.n);
		CHECK(st_read(&sf, "a", 4, &t, &e) == 0 && t.ndim == 2 && t.shape[0] == 2 && t.data[0] == 1 &&
			      t.data[1] == -2 && t.data[2] == 0.5 && t.data[3] == 3,
		      "F32: %s", e.msg);
		tensor_free(&t);
		CHECK(st_read(&sf, "h", 4, &t, &e) == 0 && t.data[0] == 1 && t.data[1] == -2 &&
			      t.data[2] == ldexp(1, -24) && isinf(t.data[3]),
		      "F16: %s", e.msg);
		tensor_free(&t);
		CHECK(st_read(&sf, "b\xc3\xa9", 4, &t, &e) == 0 && t.data[0] == 1 && t.data[1] == -5,
		      "BF16 with a \\u name: %s", e.msg);
		tensor_free(&t);
		CHECK(st_read(&sf, "d", 4, &t, &e) == 0 && t.ndim == 0 && t.n == 1 && t.data[0] == 0.1,
		      "F64 scalar: %s", e.msg);
		tensor_free(&t);
		CHECK(st_read(&sf, "a", 3, &t, &e) != 0 && strstr(e.msg, "more than the limit of 3"), "%s",
		      e.msg);
		CHECK(st_read(&sf, "zz", 4, &t, &e) != 0 && strstr(e.msg, "no tensor named 'zz'"), "%s",
		      e.msg);
		st_close(&sf);
	}

	/* Every truncation is refused; byte flips in the header never read out of bounds. */
	int fails = 0;
	for (size_t len = 0; len < f.len; len++)
		fails += st_open_mem("cut", (const unsigned char *)f.s, len, &sf, &e) != 0;
	CHECK(fails == (int)f.len, "%d of %zu truncations rejected", fails, f.len);
	unsigned char *m = xmalloc(f.len);
	for (size_t i = 0; i < f.len - sizeof data; i++)
		for (int v = 0; v < 256; v += 5) {
			memcpy(m, f.s, f.len);
			m[i] = (unsigned char)v;
			if (st_open_mem("flip", m, f.len, &sf, &e) == 0) {
				for (size_t k = 0; k < sf.n; k++)
					if (st_read(&sf, sf.t[k].name, 1000, &t, &e) == 0)
						tensor_free(&t);
				st_close(&sf);
			}
		}
	free(m);
	sb_free(&f);

	static const struct {
		const char *json, *msg;
	} bad[] = {
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 100]}}", "outside the"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [8, 0]}}", "outside the"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [0, 8]}}", "needs 3 x 4"},
		{"{\"a\": {\"dtype\": \"I32\", \"shape\": [2], \"data_offsets\": [0, 8]}}",
		 "dtype 'I32', which is not supported"},
		{"{\"a\": {\"dtype\": \"F32\", \"data_offsets\": [0, 8]}}", "lacks 'shape'"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"shape\": [2], \"data_offsets\": [0, 8]}}",
		 "appears twice"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]},"
		 " \"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}}",
		 "listed twice"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [1,1,1,1,1,1,1,1,1], \"data_offsets\": [0, 4]}}",
		 "array longer than 8"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2.0], \"data_offsets\": [0, 8]}}",
		 "expected an integer"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [02], \"data_offsets\": [0, 8]}}", "leading zero"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [99999999999999999999], \"data_offsets\": [0, 8]}}",
		 "number too large"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [4294967296, 4294967296, 4294967296],"
		 " \"data_offsets\": [0, 8]}}",
		 "too large"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0]}}", "[begin, end]"},
		{"{\"a\\ud800\": {}}", "lone high surrogate"},
		{"{\"a\\u0000\": {}}", "NUL"},
		{"{\"a\": {}}", "empty object"},
		{"{\"a\": []}", "expected an object"},
		{"[]", "not a JSON object"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}} x", "after the JSON"},
		{"{\"__metadata__\": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}",
		 "nesting deeper"},
		{"{\"__metadata__\": {\"k\": tru}}", "expected a JSON value"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8]}", "expected ',' or '}'"},
		{"{\"a\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [0, 8],}}", "expected a string"},
		{"{\"a\x01\": {}}", "control character"},
	};
	unsigned char zeros[8] = {0};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		strbuf b = {0};
		st_build(&b, bad[i].json, zeros, sizeof zeros);
		int rc = st_open_mem("bad.safetensors", (const unsigned char *)b.s, b.len, &sf, &e);
		CHECK(rc != 0 && strstr(e.msg, bad[i].msg) && strstr(e.msg, "bad.safetensors"),
		      "case %zu: %s", i, e.msg);
		if (rc == 0)
			st_close(&sf);
		sb_free(&b);
	}
	unsigned char big[16] = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f, '{', '}'};
	CHECK(st_open_mem("big", big, sizeof big, &sf, &e) != 0 && strstr(e.msg, "larger than the limit"),
	      "%s", e.msg);
	unsigned char shorth[12] = {100, 0, 0, 0, 0, 0, 0, 0, '{', '}', ' ', ' '};
	CHECK(st_open_mem("short", shorth, sizeof shorth, &sf, &e) != 0 && strstr(e.msg, "truncated"),
	      "%s", e.msg);
	CHECK(st_open(t_path("none.safetensors"), &sf, &e) != 0 && strstr(e.msg, "cannot open"), "%s", e.msg);
}

/* ---- weights and calibration from files ---- */

static const char *file_block =
	"block:\n"
	"  layers:\n"
	"    - {name: fc1, n_in: 4, n_out: 3, activation: relu}\n"
	"    - {name: fc2, n_in: 3, n_out: 2}\n";

static void test_files(void)
{
	char path[600];
	snprintf(path, sizeof path, "%s", t_path("w"));
	mkdir(path, 0755);
	snprintf(path, sizeof path, "%s", t_path("wt"));
	mkdir(path, 0755);
	double w1[12], b1[3], w2[6], b2[2], w1t[12], w2t[6], cx[20];
	for (int i = 0; i < 12; i++)
		w1[i] = i * 0.25 - 1;
	for (int i = 0; i < 6; i++)
		w2[i] = 0.5 - i * 0.125;
	for (int i = 0; i < 3; i++)
		b1[i] = i - 1.5;
	b2[0] = 0.25;
	b2[1] = -0.75;
	for (int i = 0; i < 4; i++)
		for (int j = 0; j < 3; j++)
			w1t[j * 4 + i] = w1[i * 3 + j];
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			w2t[j * 3 + i] = w2[i * 2 + j];
	for (int i = 0; i < 20; i++)
		cx[i] = i * 0.1;
	long s43[] = {4, 3}, s34[] = {3, 4}, s3[] = {3}, s32[] = {3, 2}, s23[] = {2, 3}, s2[] = {2},
	     s54[] = {5, 4};
	save("w/fc1.weight.npy", w1, 2, s43, true);
	save("w/fc1.bias.npy", b1, 1, s3, false);
	save("w/fc2.weight.npy", w2, 2, s32, true);
	save("w/fc2.bias.npy", b2, 1, s2, true);
	save("wt/fc1.weight.npy", w1t, 2, s34, true);
	save("wt/fc1.bias.npy", b1, 1, s3, true);
	save("wt/fc2.weight.npy", w2t, 2, s23, true);
	save("wt/fc2.bias.npy", b2, 1, s2, true);
	save("calib.npy", cx, 2, s54, true);

	project p;
	berr e = {{0}};
	strbuf t = {0};
	sb_printf(&t, "%sweights: {source: npy, file: w}\ncalibration: {source: npy, file: calib.npy}\n",
		  file_block);
	int rc = load_text("npy.yaml", t.s, true, &p, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc == 0) {
		CHECK(same(p.layers[0].w, w1, 12) && same(p.layers[1].w, w2, 6) &&
			      same(p.layers[1].b, b2, 2) && p.layers[0].b[2] == 0.5,
		      "npy weights in_out");
		CHECK(p.calib.n == 5 && same(p.calib.x, cx, 20), "npy calibration, n from the file");
		CHECK(strcmp(p.layers[0].w_tensor, "fc1.weight") == 0 &&
			      strcmp(p.layers[1].b_tensor, "fc2.bias") == 0,
		      "default tensor names");
		CHECK(p.n_inputs == 5 && strstr(p.inputs[0], "w/fc1.weight.npy") &&
			      strstr(p.inputs[4], "calib.npy"),
		      "inputs: %d", p.n_inputs);
		project_free(&p);
	}
	/* Without loading data the files are listed but not read. */
	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: nowhere}\n", file_block);
	rc = load_text("nodata.yaml", t.s, false, &p, &e);
	CHECK(rc == 0 && p.n_inputs == 4 && p.layers[0].w == NULL, "no data: %s", e.msg);
	if (rc == 0)
		project_free(&p);

	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: wt, layout: out_in}\n"
		      "calibration: {source: npy, file: calib.npy, n: 3}\n",
		  file_block);
	rc = load_text("npy_t.yaml", t.s, true, &p, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc == 0) {
		CHECK(same(p.layers[0].w, w1, 12) && same(p.layers[1].w, w2, 6), "npy weights out_in");
		CHECK(p.calib.n == 3 && same(p.calib.x, cx, 12), "the first n calibration vectors");
		project_free(&p);
	}

	/* A PyTorch-style .safetensors: [n_out, n_in] F32 weights, names given per layer. */
	unsigned char d[(12 + 3 + 6 + 2) * 4];
	for (int i = 0; i < 12; i++)
		le_f32(d + 4 * i, (float)w1t[i]);
	for (int i = 0; i < 3; i++)
		le_f32(d + 48 + 4 * i, (float)b1[i]);
	for (int i = 0; i < 6; i++)
		le_f32(d + 60 + 4 * i, (float)w2t[i]);
	for (int i = 0; i < 2; i++)
		le_f32(d + 84 + 4 * i, (float)b2[i]);
	strbuf f = {0};
	st_build(&f,
		 "{\"mlp.up.weight\": {\"dtype\": \"F32\", \"shape\": [3, 4], \"data_offsets\": [0, 48]},"
		 " \"mlp.up.bias\": {\"dtype\": \"F32\", \"shape\": [3], \"data_offsets\": [48, 60]},"
		 " \"mlp.down.weight\": {\"dtype\": \"F32\", \"shape\": [2, 3], \"data_offsets\": [60, 84]},"
		 " \"mlp.down.bias\": {\"dtype\": \"F32\", \"shape\": [2], \"data_offsets\": [84, 92]}}",
		 d, sizeof d);
	t_put_bytes("model.safetensors", f.s, f.len);
	sb_free(&f);
	const char *st_proj =
		"block:\n"
		"  layers:\n"
		"    - {name: up, n_in: 4, n_out: 3, weight_tensor: mlp.up.weight, bias_tensor: mlp.up.bias}\n"
		"    - {name: down, n_in: 3, n_out: 2, weight_tensor: %s, bias_tensor: mlp.down.bias}\n"
		"weights: {source: safetensors, file: model.safetensors, layout: %s}\n";
	sb_free(&t);
	sb_printf(&t, st_proj, "mlp.down.weight", "out_in");
	rc = load_text("st.yaml", t.s, true, &p, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc == 0) {
		CHECK(same(p.layers[0].w, w1, 12) && same(p.layers[1].w, w2, 6) &&
			      same(p.layers[0].b, b1, 3) && same(p.layers[1].b, b2, 2),
		      "safetensors weights");
		CHECK(p.n_inputs == 1 && strstr(p.inputs[0], "model.safetensors"), "inputs");
		project_free(&p);
	}
	sb_free(&t);
	sb_printf(&t, st_proj, "mlp.down.weigth", "out_in");
	BAD("st_name.yaml", t.s, "st_name.yaml:4:54: key 'block.layers[1].weight_tensor'",
	    "no tensor named 'mlp.down.weigth'", "did you mean 'mlp.down.weight'");
	sb_free(&t);
	sb_printf(&t, st_proj, "mlp.down.weight", "in_out");
	BAD("st_shape.yaml", t.s, "st_shape.yaml:3:52: key 'block.layers[0].weight_tensor'",
	    "has shape [3, 4], expected [4, 3]", "set weights.layout to out_in");

	/* Bad weight and calibration files. */
	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: missing}\n", file_block);
	BAD("missing.yaml", t.s, "missing.yaml:5:30: key 'weights.file'", "layer 'fc1'",
	    "missing/fc1.weight.npy: cannot open");
	mkdir(t_path("cut"), 0755);
	save("cut/fc1.weight.npy", w1, 2, s43, true);
	save("cut/fc1.bias.npy", b1, 1, s3, true);
	save("cut/fc2.weight.npy", w2, 2, s32, true);
	save("cut/fc2.bias.npy", b2, 1, s2, true);
	if (truncate(t_path("cut/fc2.weight.npy"), 128 + 40) != 0)
		CHECK(0, "truncate");
	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: cut}\n", file_block);
	BAD("cut.yaml", t.s, "cut.yaml:5:30: key 'weights.file'", "layer 'fc2'",
	    "cut/fc2.weight.npy: truncated: the data needs 48 bytes, the file has 40");
	save("cut/fc2.weight.npy", w2, 2, s23, true);
	BAD("cut.yaml", t.s, "cut.yaml:5:30: key 'weights.file'", "fc2.weight.npy: tensor 'fc2.weight' "
	    "has shape [2, 3], expected [3, 2] ([n_in, n_out] with layout in_out); it looks transposed");
	w2[3] = NAN;
	save("cut/fc2.weight.npy", w2, 2, s32, true);
	BAD("cut.yaml", t.s, "cut.yaml:5:30: key 'weights.file'", "fc2.weight.npy: tensor 'fc2.weight' has "
	    "NaN at index [1, 1]");
	w2[3] = 0;
	save("cut/fc2.weight.npy", w2, 2, s32, true);
	b2[1] = INFINITY;
	save("cut/fc2.bias.npy", b2, 1, s2, false);
	BAD("cut.yaml", t.s, "cut.yaml:5:30: key 'weights.file'", "fc2.bias.npy: tensor 'fc2.bias' has "
	    "+Inf at index [1]");
	b2[1] = -0.75;
	save("cut/fc2.bias.npy", b2, 2 - 1, s2, false);
	cx[6] = -INFINITY;
	save("calib_inf.npy", cx, 2, s54, false);
	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: cut}\ncalibration:\n  source: npy\n"
		      "  file: calib_inf.npy\n", file_block);
	BAD("calib_inf.yaml", t.s, "calib_inf.yaml:8:9: key 'calibration.file'",
	    "calib_inf.npy: the calibration inputs have -Inf at index [1, 2] (vector 1, input 2)");
	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: cut}\ncalibration:\n  source: npy\n"
		      "  file: calib_inf.npy\n  n: 1\n", file_block);
	rc = load_text("calib_first.yaml", t.s, true, &p, &e);
	CHECK(rc == 0 && p.calib.n == 1, "only the vectors used must be finite: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: cut}\ncalibration:\n  source: npy\n"
		      "  file: calib_inf.npy\n  n: 9\n", file_block);
	BAD("calib_n.yaml", t.s, "calib_n.yaml:9:6: key 'calibration.n'", "9 vectors asked for",
	    "holds 5");
	sb_free(&t);
	sb_printf(&t, "%sweights: {source: npy, file: cut}\ncalibration: {source: npy, file: w/fc1.bias.npy}\n",
		  file_block);
	BAD("calib_shape.yaml", t.s, "calib_shape.yaml:6:34: key 'calibration.file'",
	    "shape [3], expected [n, 4]");
	sb_free(&t);
}

/* ---- bad project files ---- */

static void test_errors(void)
{
	BAD("bad_yaml.yaml", "block:\n  layers: [\n", "bad_yaml.yaml:3:1:", "malformed YAML");
	BAD("empty.yaml", "", "empty.yaml:1:1:", "the file is empty");
	BAD("notmap.yaml", "- a\n- b\n", "notmap.yaml:1:1:", "expected a mapping");
	BAD("unknown.yaml", "clok_ns: 10\n", "unknown.yaml:1:1: key 'clok_ns'",
	    "unknown key (did you mean 'clock_ns'?)");
	BAD("unknown2.yaml",
	    "block:\n  layers:\n    - name: a\n      n_inn: 4\n      n_out: 4\n",
	    "unknown2.yaml:4:7: key 'block.layers[0].n_inn'", "did you mean 'n_in'?");
	BAD("nin0.yaml", "block:\n  layers:\n    - name: a\n      n_in: 0\n      n_out: 4\n",
	    "nin0.yaml:4:13: key 'block.layers[0].n_in'", "0 is out of range [1, 65536]");
	BAD("ninabc.yaml", "block:\n  layers:\n    - name: a\n      n_in: abc\n      n_out: 4\n",
	    "ninabc.yaml:4:13: key 'block.layers[0].n_in'", "expected an integer, got 'abc'");
	BAD("nobig.yaml", "block:\n  layers:\n    - name: a\n      n_in: 1000000\n      n_out: 4\n",
	    "nobig.yaml:4:13: key 'block.layers[0].n_in'", "1000000 is out of range");
	BAD("noout.yaml", "block:\n  layers:\n    - name: a\n      n_in: 4\n",
	    "noout.yaml:3:7: key 'block.layers[0].n_out'", "missing required key");
	BAD("toomany.yaml", "block:\n  layers:\n    - name: a\n      n_in: 65536\n      n_out: 65536\n",
	    "toomany.yaml:3:7: key 'block.layers[0]'",
	    "65536 x 65536 = 4294967296 weights, more than the limit of 67108864");
	strbuf t = {0};
	sb_puts(&t, "block:\n  layers:\n");
	for (int i = 0; i < 65; i++)
		sb_printf(&t, "    - {name: l%d, n_in: 2, n_out: 2}\n", i);
	BAD("layers65.yaml", t.s, "layers65.yaml:3:5: key 'block.layers'", "65 layers, more than the limit of 64");
	sb_free(&t);
	BAD("nolayers.yaml", "block:\n  layers: []\n", "nolayers.yaml:2:11: key 'block.layers'", "no layers");
	BAD("layersmap.yaml", "block:\n  layers: {a: 1}\n", "layersmap.yaml:2:11: key 'block.layers'",
	    "expected a list of layers");
	BAD("chain.yaml",
	    "block:\n  layers:\n    - {name: fc1, n_in: 16, n_out: 32}\n    - {name: fc2, n_in: 16, n_out: 8}\n",
	    "chain.yaml:4:25: key 'block.layers[1].n_in'",
	    "16 does not match n_out 32 of the previous layer 'fc1'");
	BAD("dup.yaml", "block:\n  layers:\n    - {name: fc1, n_in: 2, n_out: 2}\n    - {name: fc1, n_in: 2, n_out: 2}\n",
	    "dup.yaml:4:14: key 'block.layers[1].name'", "already used by block.layers[0]");
	BAD("input.yaml", "block:\n  layers:\n    - {name: input, n_in: 2, n_out: 2}\n",
	    "input.yaml:3:14: key 'block.layers[0].name'", "'input' is reserved");
	BAD("lname.yaml", "block:\n  layers:\n    - {name: 1fc, n_in: 2, n_out: 2}\n",
	    "lname.yaml:3:14: key 'block.layers[0].name'", "'1fc' is not a valid layer name");
	BAD("ltype.yaml", "block:\n  layers:\n    - {name: c, type: conv2d, n_in: 2, n_out: 2}\n",
	    "ltype.yaml:3:23: key 'block.layers[0].type'", "'conv2d' is not one of dense");
	BAD("act.yaml", "block:\n  layers:\n    - {name: c, n_in: 2, n_out: 2, activation: rleu}\n",
	    "act.yaml:3:48: key 'block.layers[0].activation'", "did you mean 'relu'?");
	BAD("nobias.yaml",
	    "block:\n  layers:\n    - {name: c, n_in: 2, n_out: 2, bias: false, bias_tensor: c.b}\n",
	    "nobias.yaml:3:62: key 'block.layers[0].bias_tensor'", "the layer has bias: false");
	BAD("wfile.yaml", "block:\n  layers:\n    - {name: c, n_in: 2, n_out: 2}\nweights:\n  source: npy\n",
	    "wfile.yaml:5:3: key 'weights.file'", "missing required key");
	BAD("wsrc.yaml", "weights: {source: onnx}\n", "wsrc.yaml:1:19: key 'weights.source'",
	    "'onnx' is not one of random, npy, safetensors");
	BAD("seed.yaml", "weights: {seed: -1}\n", "seed.yaml:1:17: key 'weights.seed'", "out of range");
	BAD("noweights.yaml", "block:\n  layers:\n    - {name: c, n_in: 2, n_out: 2}\n",
	    "noweights.yaml:1:1:", "no 'weights' section");
	BAD("calnoblock.yaml", "calibration: {n: 4}\n", "calnoblock.yaml:1:14: key 'calibration'",
	    "needs the 'block' section");
	BAD("caln.yaml", "calibration: {n: 100000}\n", "caln.yaml:1:18: key 'calibration.n'",
	    "100000 is out of range [1, 65536]");
	BAD("calvals.yaml",
	    "block:\n  layers:\n    - {name: c, n_in: 65536, n_out: 1}\nweights: {}\ncalibration: {n: 65536}\n",
	    "calvals.yaml:5:18: key 'calibration.n'", "more than the limit of 67108864");
	BAD("calscale.yaml", "calibration: {scale: 0}\n", "calscale.yaml:1:22: key 'calibration.scale'",
	    "must be positive");
	BAD("calsrc.yaml", "calibration: {source: safetensors}\n",
	    "calsrc.yaml:1:23: key 'calibration.source'", "is not one of random, npy");
	BAD("clock.yaml", "clock_ns: 0\n", "clock.yaml:1:11: key 'clock_ns'", "out of range");
	BAD("eps.yaml", "eps_max: [1]\n", "eps.yaml:1:10: key 'eps_max'", "expected a single value");
	BAD("rounds.yaml", "search: {rounds: 91}\n", "rounds.yaml:1:18: key 'search.rounds'",
	    "91 is out of range [1, 90]");
	BAD("strat.yaml", "search: {strategy: heuristc}\n", "strat.yaml:1:20: key 'search.strategy'",
	    "did you mean 'heuristic'?");
	BAD("reward.yaml", "reward: {lut: -1}\n", "reward.yaml:1:15: key 'reward.lut'", "out of range");
	BAD("rewardk.yaml", "reward: {latncy: 1}\n", "rewardk.yaml:1:10: key 'reward.latncy'",
	    "did you mean 'latency'?");
	BAD("jobs.yaml", "run: {csim_jobs: 0}\n", "jobs.yaml:1:18: key 'run.csim_jobs'", "out of range");
	BAD("launcher.yaml", "run: {launcher: \"a\\nb\"}\n", "launcher.yaml:1:17: key 'run.launcher'",
	    "one line");
	BAD("pname.yaml", "name: my project\n", "pname.yaml:1:7: key 'name'",
	    "'my project' is not a valid project name");

	/* Parts */
	BAD("part_unknown.yaml", "part: pynq-z3\n", "part_unknown.yaml:1:7: key 'part'",
	    "part 'pynq-z3' not found", "did you mean 'pynq-z2'?");
	BAD("part_path.yaml", "part: ../projects/parts/pynq-z2\n", "part_path.yaml:1:7: key 'part'",
	    "is not a part name");
	BAD("part_abs.yaml", "part: /etc/passwd\n", "part_abs.yaml:1:7: key 'part'", "is not a part name");
	BAD("part_seq.yaml", "part: [a]\n", "part_seq.yaml:1:7: key 'part'", "expected a part name");
	BAD("part_inline.yaml", "part: {name: x, device: d, family: xc8, lut: 1, ff: 1, dsp: 0, bram18: 0}\n",
	    "part_inline.yaml:1:36: key 'part.family'", "did you mean 'xc7'?");
	BAD("part_mem.yaml",
	    "part:\n  name: x\n  device: d\n  family: xc7\n  lut: 1\n  ff: 1\n  dsp: 0\n  bram18: 0\n"
	    "  memory: {kind: ddr4, gbps: 0, gib: 1}\n",
	    "part_mem.yaml:9:30: key 'part.memory.gbps'", "must be positive");
	BAD("part_lut.yaml", "part: {name: x, device: d, family: xc7, ff: 1, dsp: 0, bram18: 0}\n",
	    "part_lut.yaml:1:7: key 'part.lut'", "missing required key");

	/* A part in the project's own parts/ folder, and one through $BURN_PARTS. */
	mkdir(t_path("parts"), 0755);
	t_put("parts/myboard.yaml", "name: myboard\ndevice: xc7a35t\nfamily: xc7\nlut: 20800\nff: 41600\n"
				  "dsp: 90\nbram18: 100\n");
	t_put("parts/wrong.yaml", "name: other\ndevice: xc7a35t\nfamily: xc7\nlut: 1\nff: 1\ndsp: 0\nbram18: 0\n");
	t_put("parts/broken.yaml", "name: broken\ndevice: xc7a35t\nfamily: xc7\nlut: 1\nff: 1\ndsp: 0\nbram: 0\n");
	project p;
	berr e = {{0}};
	int rc = load_text("local_part.yaml", "part: myboard\n", false, &p, &e);
	CHECK(rc == 0 && p.part.dsp == 90 && p.part.dsp_a == 25 && p.part.uram == 0 &&
		      strcmp(p.part.mem_kind, "none") == 0 && p.has == HAS_PART && p.n_inputs == 1,
	      "local part: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	BAD("part_wrong.yaml", "part: wrong\n", "parts/wrong.yaml:1:7: key 'name'",
	    "'other' does not match the file name 'wrong.yaml'");
	BAD("part_broken.yaml", "part: broken\n", "parts/broken.yaml:7:1: key 'bram'",
	    "unknown key (did you mean");
	mkdir(t_path("env"), 0755);
	t_put("env/envboard.yaml", "name: envboard\ndevice: xcu55c\nfamily: xcup\nlut: 1303680\nff: 2607360\n"
				 "dsp: 9024\nbram18: 4032\nuram: 960\nmemory: {kind: hbm, gbps: 460, gib: 16}\n");
	setenv("BURN_PARTS", t_path("env"), 1);
	rc = load_text("env_part.yaml", "part: envboard\n", false, &p, &e);
	CHECK(rc == 0 && p.part.dsp_a == 27 && p.part.mem_gbps == 460, "$BURN_PARTS part: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	unsetenv("BURN_PARTS");

	/* Facets: any subset of the sections loads, and project_require names what is missing. */
	rc = load_text("facet.yaml", "part: pynq-z2\nclock_ns: 5\n", true, &p, &e);
	CHECK(rc == 0 && p.has == (HAS_PART | HAS_CLOCK) && p.clock_ns == 5, "facet: %s", e.msg);
	CHECK(strcmp(p.name, "facet") == 0, "name from the file: %s", p.name);
	if (rc == 0) {
		CHECK(project_require(&p, HAS_BLOCK | HAS_PART | HAS_EPS, &e) != 0 &&
			      strstr(e.msg, "facet.yaml: missing sections 'block', 'eps_max'"),
		      "%s", e.msg);
		project_free(&p);
	}
	rc = load_text("facet2.yaml", "name: s\nsearch: {strategy: random}\nrun: {launcher: srun -N1}\n",
		       true, &p, &e);
	CHECK(rc == 0 && p.has == (HAS_SEARCH | HAS_RUN) && p.search.strategy == STRAT_RANDOM &&
		      p.search.rounds == 4 && p.search.per_round == 8 && p.run.csim_jobs == 2 &&
		      strcmp(p.run.launcher, "srun -N1") == 0 && strcmp(p.name, "s") == 0 &&
		      p.reward.w_lut == 0.25,
	      "facet with defaults: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	sb_printf(&t, "%s%s", two_layers, ok_tail);
	rc = load_text("shapes.yaml", t.s, false, &p, &e);
	CHECK(rc == 0 && p.has == (HAS_BLOCK | HAS_PART | HAS_CLOCK) && p.layers[0].w == NULL &&
		      project_macs(&p) == 16 * 32 + 32 * 8,
	      "block shapes only: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	sb_free(&t);
}

int main(void)
{
	const char *s = getenv("BURN_SRC");
	if (s && *s)
		src = s;
	t_scratch("project");
	test_examples();
	test_random();
	test_npy();
	test_safetensors();
	test_files();
	test_errors();
	t_scratch_done();
	return t_done("test_project");
}
