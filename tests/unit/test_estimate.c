/* test_estimate.c - the analytical model against the Yosys runs of TOOLS.md, its monotonicity,
 * multiplier mapping, latency, totals and errors. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/config.h"
#include "gen/estimate.h"
#include "tests/unit/t.h"

static layer L[4];
static project P;

/* An xc7z020 (PYNQ-Z2) part. */
static void set_part(project *p)
{
	snprintf(p->part.name, sizeof p->part.name, "pynq-z2");
	snprintf(p->part.family, sizeof p->part.family, "xc7");
	p->part.lut = 53200;
	p->part.ff = 106400;
	p->part.dsp = 220;
	p->part.bram18 = 280;
	p->part.dsp_a = 25;
	p->part.dsp_b = 18;
	p->clock_ns = 10;
	p->has = HAS_BLOCK | HAS_PART | HAS_CLOCK;
}

/* A block of n dense layers with the given shapes, all with bias. */
static void mkblock(int n, const int (*dims)[2])
{
	memset(&P, 0, sizeof P);
	memset(L, 0, sizeof L);
	for (int i = 0; i < n; i++) {
		snprintf(L[i].name, sizeof L[i].name, "fc%d", i + 1);
		L[i].n_in = dims[i][0];
		L[i].n_out = dims[i][1];
		L[i].bias = true;
	}
	P.layers = L;
	P.n_layers = n;
	set_part(&P);
}

static fx_type T(const char *s)
{
	fx_type t;
	char err[128];
	if (fx_parse(s, &t, err, sizeof err) != 0) {
		printf("bad test type %s: %s\n", s, err);
		exit(2);
	}
	return t;
}

/* A config from YAML text for the current block (exits on error: a bug in the test). */
static void cfg(const char *y, config *c)
{
	berr e;
	if (config_parse("t.yml", y, strlen(y), &P, c, &e) != 0) {
		printf("bad test config: %s\n", e.msg);
		exit(2);
	}
}

static double rel(long got, long want)
{
	return want ? fabs((double)got - (double)want) / (double)want : (double)got;
}

/* The four synth_xilinx -family xc7 runs of TOOLS.md. */
static void test_tools_points(void)
{
	struct {
		int n_in, n_out;
		long rf;
		const char *weight;
		long lut, ff, dsp, bram;
	} pt[] = {
		{16, 16, 1, "ap_fixed<16,6>", 9870, 19775, 256, 0},
		{64, 64, 16, "ap_fixed<16,6>", 14401, 30576, 256, 0},
		{128, 512, 298, "ap_fixed<8,3>", 25730, 60884, 220, 49},
		{128, 512, 2048, "ap_fixed<8,3>", 18465, 39078, 32, 29},
	};
	printf("| block | RF | P | DSP est/Yosys | BRAM18 est/Yosys | LUT est/Yosys | FF est/Yosys |\n");
	for (size_t k = 0; k < sizeof pt / sizeof pt[0]; k++) {
		int dims[1][2] = {{pt[k].n_in, pt[k].n_out}};
		mkblock(1, dims);
		char y[256];
		snprintf(y, sizeof y,
			 "Model:\n  Precision: {default: 'ap_fixed<16,6>', weight: '%s', accum: auto}\n"
			 "  ReuseFactor: %ld\n  Strategy: Resource\n",
			 pt[k].weight, pt[k].rf);
		config c;
		cfg(y, &c);
		estimate est;
		berr e;
		int rc = estimate_run(&P, &c, &est, &e);
		CHECK(rc == 0, "%s", e.msg);
		if (rc) {
			config_free(&c);
			continue;
		}
		layer_estimate *t = &est.total;
		printf("| %dx%d | %ld | %ld | %ld / %ld | %ld / %ld | %ld / %ld (%+.1f%%) | %ld / %ld "
		       "(%+.1f%%) |\n",
		       pt[k].n_in, pt[k].n_out, pt[k].rf, t->mults, t->dsp, pt[k].dsp, t->bram18,
		       pt[k].bram, t->lut, pt[k].lut, 100.0 * (double)(t->lut - pt[k].lut) / (double)pt[k].lut,
		       t->ff, pt[k].ff, 100.0 * (double)(t->ff - pt[k].ff) / (double)pt[k].ff);
		CHECK(t->mults == pt[k].dsp, "%ld multipliers", t->mults);
		CHECK(t->dsp == pt[k].dsp, "DSP %ld, Yosys %ld", t->dsp, pt[k].dsp);
		CHECK(t->bram18 == pt[k].bram, "BRAM18 %ld, Yosys %ld", t->bram18, pt[k].bram);
		CHECK(rel(t->lut, pt[k].lut) < 0.05, "LUT %ld, Yosys %ld", t->lut, pt[k].lut);
		CHECK(rel(t->ff, pt[k].ff) < 0.10, "FF %ld, Yosys %ld", t->ff, pt[k].ff);
		CHECK(t->ii == pt[k].rf, "II %ld", t->ii);
		CHECK(est.latency_ns == (double)t->latency * P.clock_ns, "latency_ns");
		if (k == 1)
			CHECK(t->lutram_bits == 256L * 16 * 16, "64x64 RF 16: the 16-deep ROM is logic (%ld)",
			      t->lutram_bits);
		estimate_free(&est);
		config_free(&c);
	}
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static long rnd(long n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (long)(rng % (uint64_t)n);
}

/* One layer estimate of a single-layer block. */
static layer_estimate one(int n_in, int n_out, const config *c)
{
	int dims[1][2] = {{n_in, n_out}};
	mkblock(1, dims);
	estimate est;
	berr e;
	layer_estimate r = {0};
	if (estimate_run(&P, c, &est, &e) != 0) {
		printf("estimate failed: %s\n", e.msg);
		r.dsp = -1;
		return r;
	}
	r = est.total;
	estimate_free(&est);
	return r;
}

static void test_monotone(void)
{
	int bad_dsp = 0, bad_mults = 0, bad_ii = 0, bad_bram = 0, runs = 0;
	for (int trial = 0; trial < 300; trial++) {
		int n_in = 1 + (int)rnd(300), n_out = 1 + (int)rnd(300);
		long n = (long)n_in * n_out;
		config c = {0};
		layer_cfg lc = {0};
		c.n_layers = 1;
		c.layers = &lc;
		c.input = T("ap_fixed<16,6>");
		char s[64];
		snprintf(s, sizeof s, "ap_fixed<%ld,%ld>", 2 + rnd(40), rnd(8));
		lc.weight = T(s);
		lc.bias = T("ap_fixed<16,6>");
		lc.accum = T(rnd(2) ? "ap_fixed<32,16>" : "ap_fixed<56,20>");
		lc.result = T("ap_fixed<16,6>");
		c.input.w = 2 + (int)rnd(30);
		/* raising RF never raises DSP or multipliers, never lowers II */
		layer_estimate prev = {0};
		for (long rf = 1; rf <= n + 2; rf += 1 + rnd(1 + n / 40)) {
			lc.reuse = rf;
			layer_estimate cur = one(n_in, n_out, &c);
			if (rf > 1) {
				bad_dsp += cur.dsp > prev.dsp;
				bad_mults += cur.mults > prev.mults;
				bad_ii += cur.ii < prev.ii;
			}
			prev = cur;
			runs++;
		}
		/* wider weights never lower BRAM */
		lc.reuse = 1 + rnd(n + 1);
		layer_estimate pw = {0};
		for (int w = 1; w <= 64; w++) {
			lc.weight.w = w;
			lc.weight.i = 1;
			layer_estimate cur = one(n_in, n_out, &c);
			if (w > 1)
				bad_bram += cur.bram18 < pw.bram18;
			pw = cur;
			runs++;
		}
	}
	CHECK(bad_dsp == 0, "DSP rose with RF %d times", bad_dsp);
	CHECK(bad_mults == 0, "multipliers rose with RF %d times", bad_mults);
	CHECK(bad_ii == 0, "II fell with RF %d times", bad_ii);
	CHECK(bad_bram == 0, "BRAM fell with wider weights %d times", bad_bram);
	CHECK(runs > 1000, "only %d runs", runs);
}

static void test_mult_mapping(void)
{
	config c = {0};
	layer_cfg lc = {0};
	c.n_layers = 1;
	c.layers = &lc;
	lc.bias = T("ap_fixed<8,3>");
	lc.accum = T("ap_fixed<24,10>");
	lc.result = T("ap_fixed<8,3>");
	lc.reuse = 4;
	struct {
		const char *in, *w;
		long dsp_per_mult;
	} m[] = {
		{"ap_fixed<4,2>", "ap_fixed<4,2>", 0},   /* 8-bit product: LUTs */
		{"ap_fixed<5,2>", "ap_fixed<4,2>", 1},   /* 9 bits: DSP */
		{"ap_fixed<16,6>", "ap_fixed<1,1>", 0},  /* 1-bit operand: LUTs */
		{"ap_fixed<25,6>", "ap_fixed<18,6>", 1}, /* 25x18 fits */
		{"ap_fixed<18,6>", "ap_fixed<25,6>", 1}, /* either way round */
		{"ap_ufixed<25,6>", "ap_fixed<18,6>", 2}, /* unsigned needs a 26th bit */
		{"ap_fixed<26,6>", "ap_fixed<18,6>", 2},
		{"ap_fixed<32,6>", "ap_fixed<32,6>", 4},
	};
	for (size_t k = 0; k < sizeof m / sizeof m[0]; k++) {
		c.input = T(m[k].in);
		lc.weight = T(m[k].w);
		layer_estimate r = one(8, 8, &c);
		CHECK(r.dsp == m[k].dsp_per_mult * r.mults, "%s x %s: %ld DSP for %ld multipliers", m[k].in,
		      m[k].w, r.dsp, r.mults);
		if (m[k].dsp_per_mult == 0)
			CHECK(r.lut > 0, "soft multiplier costs LUTs");
	}
	/* DSP48E2 (27x18) takes a 27-bit operand in one slice */
	c.input = T("ap_fixed<27,6>");
	lc.weight = T("ap_fixed<16,6>");
	int dims[1][2] = {{8, 8}};
	mkblock(1, dims);
	P.part.dsp_a = 27;
	estimate est;
	berr e;
	CHECK(estimate_run(&P, &c, &est, &e) == 0 && est.total.dsp == est.total.mults, "27x16 on E2");
	estimate_free(&est);
	/* an accumulator wider than the P register moves to fabric */
	c.input = T("ap_fixed<16,6>");
	lc.accum = T("ap_fixed<48,20>");
	layer_estimate narrow = one(8, 8, &c);
	lc.accum = T("ap_fixed<49,20>");
	layer_estimate wide = one(8, 8, &c);
	CHECK(wide.lut - narrow.lut >= wide.mults * 48, "fabric accumulators: %ld -> %ld LUT", narrow.lut,
	      wide.lut);
}

static void test_latency_totals(void)
{
	/* 16x16 RF 1: 1 cycle, operand register, multiplier (2), 16 partial sums -> 4 adder levels,
	 * output register */
	int d1[1][2] = {{16, 16}};
	mkblock(1, d1);
	config c;
	config_default(&P, &c);
	estimate est;
	berr e;
	CHECK(estimate_run(&P, &c, &est, &e) == 0, "%s", e.msg);
	CHECK(est.total.latency == 9 && est.total.ii == 1, "latency %ld ii %ld", est.total.latency,
	      est.total.ii);
	estimate_free(&est);
	config_free(&c);
	/* a chain: sums, max II, latency in ns */
	int d3[3][2] = {{16, 64}, {64, 32}, {32, 5}};
	mkblock(3, d3);
	cfg("Model: {ReuseFactor: 16}\nLayerName:\n  fc3: {ReuseFactor: 160}\n", &c);
	CHECK(estimate_run(&P, &c, &est, &e) == 0, "%s", e.msg);
	long lut = 0, ff = 0, dsp = 0, lat = 0, ii = 0;
	for (int i = 0; i < 3; i++) {
		lut += est.layers[i].lut;
		ff += est.layers[i].ff;
		dsp += est.layers[i].dsp;
		lat += est.layers[i].latency;
		ii = est.layers[i].ii > ii ? est.layers[i].ii : ii;
	}
	CHECK(est.n_layers == 3 && est.total.lut == lut && est.total.ff == ff && est.total.dsp == dsp &&
		      est.total.latency == lat && est.total.ii == ii && ii == 160,
	      "totals");
	CHECK(est.layers[0].mults == 64 && est.layers[2].mults == 1, "P %ld %ld", est.layers[0].mults,
	      est.layers[2].mults);
	CHECK(est.latency_ns == (double)lat * 10, "latency_ns %g", est.latency_ns);
	estimate_free(&est);
	/* RF beyond n_in*n_out: one multiplier running n_in*n_out cycles */
	c.layers[2].reuse = 1000;
	CHECK(estimate_run(&P, &c, &est, &e) == 0 && est.layers[2].mults == 1 && est.layers[2].ii == 160,
	      "rf > n: P %ld ii %ld", est.layers[2].mults, est.layers[2].ii);
	estimate_free(&est);

	/* errors */
	P.has = HAS_BLOCK | HAS_PART;
	CHECK(estimate_run(&P, &c, &est, &e) != 0 && strstr(e.msg, "clock") && est.layers == NULL,
	      "missing clock: %s", e.msg);
	P.has = HAS_BLOCK | HAS_PART | HAS_CLOCK;
	P.part.dsp_b = 0;
	CHECK(estimate_run(&P, &c, &est, &e) != 0 && strstr(e.msg, "DSP"), "bad part: %s", e.msg);
	P.part.dsp_b = 18;
	P.clock_ns = NAN;
	CHECK(estimate_run(&P, &c, &est, &e) != 0, "NaN clock");
	P.clock_ns = 10;
	P.n_layers = 2;
	CHECK(estimate_run(&P, &c, &est, &e) != 0 && strstr(e.msg, "layers"), "count: %s", e.msg);
	P.n_layers = 3;
	config_free(&c);
}

/* Large layers stay fast and do not overflow. */
static void test_large(void)
{
	int d[1][2] = {{8192, 8192}};
	mkblock(1, d);
	config c;
	config_default(&P, &c);
	estimate est;
	berr e;
	CHECK(estimate_run(&P, &c, &est, &e) == 0, "%s", e.msg);
	CHECK(est.total.mults == 8192L * 8192 && est.total.lut > 0 && est.total.ff > 0 &&
		      est.total.dsp == 8192L * 8192,
	      "RF 1 of 8192x8192: %ld multipliers", est.total.mults);
	estimate_free(&est);
	c.layers[0].reuse = MAX_REUSE;
	CHECK(estimate_run(&P, &c, &est, &e) == 0 && est.total.mults == 1 && est.total.bram18 > 0,
	      "RF max: %ld multipliers, %ld BRAM", est.total.mults, est.total.bram18);
	estimate_free(&est);
	config_free(&c);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	test_tools_points();
	test_monotone();
	test_mult_mapping();
	test_latency_totals();
	test_large();
	return t_done("test_estimate");
}
