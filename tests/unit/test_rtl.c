/* test_rtl.c - the RTL emitter: folding geometry (lanes, slot, stages), latency, ROM images
 * against the quantized weights, constants when D = 1, the exact-accumulator test, bank
 * pruning, deterministic text, the limits. Bit-exactness itself is tested by co-simulation
 * (tests/sh/rtlsim.sh). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/rtl.h"
#include "tests/unit/t.h"

static layer Ls[3];
static double W[3][80 * 64], Bv[3][64];
static project P;

/* A block of n layers (dims[k] = {n_in, n_out}) with fixed pseudo-random weights. */
static void mkblock(int n, const int (*dims)[2])
{
	memset(&P, 0, sizeof P);
	memset(Ls, 0, sizeof Ls);
	unsigned s = 12345;
	for (int k = 0; k < n; k++) {
		snprintf(Ls[k].name, sizeof Ls[k].name, "fc%d", k + 1);
		Ls[k].n_in = dims[k][0];
		Ls[k].n_out = dims[k][1];
		Ls[k].act = k + 1 < n ? ACT_RELU : ACT_LINEAR;
		Ls[k].bias = true;
		for (int i = 0; i < dims[k][0] * dims[k][1]; i++) {
			s = s * 1103515245u + 12345u;
			W[k][i] = ((double)(s >> 8 & 0xffff) / 65536.0 - 0.5) * 2.0;
		}
		for (int j = 0; j < dims[k][1]; j++) {
			s = s * 1103515245u + 12345u;
			Bv[k][j] = ((double)(s >> 8 & 0xffff) / 65536.0 - 0.5);
		}
		Ls[k].w = W[k];
		Ls[k].b = Bv[k];
	}
	P.layers = Ls;
	P.n_layers = n;
	P.has = HAS_BLOCK | HAS_WEIGHTS;
}

static layer_cfg LC[3];

/* A config: every layer with these types and its own RF. */
static void mkconfig(config *c, const char *in, const char *w, const char *acc, const char *res,
		     const long *rf)
{
	memset(c, 0, sizeof *c);
	c->input = t_type(in);
	c->n_layers = P.n_layers;
	c->layers = LC;
	for (int k = 0; k < P.n_layers; k++) {
		LC[k].weight = t_type(w);
		LC[k].bias = t_type(w);
		LC[k].accum = t_type(acc);
		LC[k].result = t_type(res);
		LC[k].reuse = rf[k];
		LC[k].strategy = HLS_RESOURCE;
	}
}

static const rtl_file *find(const rtl_design *d, const char *name)
{
	for (int i = 0; i < d->n_files; i++)
		if (strcmp(d->files[i].name, name) == 0)
			return &d->files[i];
	return NULL;
}

/* Lanes, slot, stages and bank words of an 8x4 layer for several RFs. */
static void test_geometry(void)
{
	static const int dims[][2] = {{8, 4}};
	mkblock(1, dims);
	struct {
		long rf, P, D, G, bank;
	} cases[] = {
		{1, 32, 1, 8, 36},  /* one product per lane; 8-lane chains; the skew triangle */
		{2, 16, 2, 4, 20},  /* RF | n_in: 4 stages of 2 */
		{3, 11, 3, 4, 0},   /* straddling lanes */
		{8, 4, 8, 1, 8},    /* one row per lane */
		{12, 3, 11, 2, 0},  /* a slot longer than a row, straddling */
		{32, 1, 32, 1, 8},  /* one multiplier */
		{1000, 1, 32, 1, 8}, /* RF beyond n_in*n_out: the same */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		config c;
		long rf[] = {cases[i].rf};
		mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<6,1>", "ap_fixed<20,6>", "ap_fixed<8,3>", rf);
		rtl_design d;
		berr e;
		int rc = rtl_emit(&P, &c, &d, &e);
		CHECK(rc == 0, "rf %ld: %s", cases[i].rf, e.msg);
		if (rc != 0)
			continue;
		const rtl_layer *l = &d.layers[0];
		CHECK(l->lanes == cases[i].P && l->slot == cases[i].D && l->stages == cases[i].G,
		      "rf %ld: P %ld D %ld G %ld, want %ld %ld %ld", cases[i].rf, l->lanes, l->slot,
		      l->stages, cases[i].P, cases[i].D, cases[i].G);
		CHECK(l->latency == l->stages * l->slot + 5, "rf %ld: latency %ld", cases[i].rf,
		      l->latency);
		CHECK(d.latency == l->latency && d.ii == l->slot, "rf %ld: design latency %ld ii %ld",
		      cases[i].rf, d.latency, d.ii);
		if (cases[i].bank)
			CHECK(l->bank_regs == cases[i].bank, "rf %ld: %ld bank words, want %ld",
			      cases[i].rf, l->bank_regs, cases[i].bank);
		CHECK(l->bank_regs >= 8 && l->bank_regs <= l->stages * 8, "rf %ld: %ld bank words",
		      cases[i].rf, l->bank_regs);
		/* a ROM image exactly when a lane does more than one product */
		CHECK((find(&d, "burn_l0_w.hex") != NULL) == (l->slot > 1), "rf %ld: hex file",
		      cases[i].rf);
		CHECK(l->rom_width == (l->slot > 1 ? l->lanes * 6 : 0), "rf %ld: rom width %ld",
		      cases[i].rf, l->rom_width);
		rtl_free(&d);
	}
}

/* Reads hex digit ch as a number. */
static int hexval(char ch)
{
	return ch >= 'a' ? ch - 'a' + 10 : ch - '0';
}

/* The ROM image: word c, lane L holds the weight of product L*D + c (output-major), quantized
 * as csim does; lanes past the end hold 0. */
static void test_rom(void)
{
	static const int dims[][2] = {{5, 3}};
	mkblock(1, dims);
	long rfs[] = {4, 7, 15};
	for (size_t r = 0; r < 3; r++) {
		config c;
		mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<7,1,AP_RND,AP_SAT>", "ap_fixed<20,6>",
			 "ap_fixed<8,3>", &rfs[r]);
		rtl_design d;
		berr e;
		if (rtl_emit(&P, &c, &d, &e) != 0) {
			CHECK(0, "emit: %s", e.msg);
			continue;
		}
		long Pn = d.layers[0].lanes, D = d.layers[0].slot;
		const rtl_file *h = find(&d, "burn_l0_w.hex");
		CHECK(h != NULL, "rf %ld: no hex", rfs[r]);
		if (!h) {
			rtl_free(&d);
			continue;
		}
		const char *s = strchr(h->text.s, '\n') + 1; /* after the comment */
		long digits = (Pn * 7 + 3) / 4, words = 0, bad = 0;
		for (long cyc = 0; *s; cyc++, words++) {
			const char *nl = strchr(s, '\n');
			CHECK(nl - s == digits, "rf %ld word %ld: %ld digits, want %ld", rfs[r], cyc,
			      (long)(nl - s), digits);
			for (long L = 0; L < Pn; L++) {
				long t = L * D + cyc, v = 0;
				for (int b = 0; b < 7; b++) {
					long pos = L * 7 + b;
					int dig = hexval(s[digits - 1 - pos / 4]);
					v |= (long)(dig >> (pos % 4) & 1) << b;
				}
				if (v & 64)
					v -= 128;
				long want = 0;
				if (t < 15)
					want = (long)fx_from_double(&LC[0].weight,
								    W[0][(t % 5) * 3 + t / 5], NULL);
				bad += v != want;
			}
			s = nl + 1;
		}
		CHECK(words == D, "rf %ld: %ld words, want %ld", rfs[r], words, D);
		CHECK(bad == 0, "rf %ld: %ld weights differ", rfs[r], bad);
		rtl_free(&d);
	}
}

/* D = 1: the weights are constants in the Verilog; a lossless accumulator is a plain adder,
 * a narrow one gets a quantizer module. */
static void test_constants_and_exact(void)
{
	static const int dims[][2] = {{3, 2}};
	mkblock(1, dims);
	config c;
	long rf[] = {1};
	mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<6,1>", "ap_fixed<20,8>", "ap_fixed<8,3>", rf);
	rtl_design d;
	berr e;
	CHECK(rtl_emit(&P, &c, &d, &e) == 0, "%s", e.msg);
	const rtl_file *v = find(&d, "burn_l0.v");
	CHECK(v && d.n_files == 2, "%d files", d.n_files);
	char want[64];
	long w0 = (long)fx_from_double(&LC[0].weight, W[0][0], NULL) & 63;
	snprintf(want, sizeof want, "wire signed [5:0] w0 = 6'h%lx;", w0);
	CHECK(v && strstr(v->text.s, want), "no '%s'", want);
	CHECK(d.layers[0].exact_accum, "a 20-bit accumulator of 3 products is exact");
	CHECK(v && !strstr(v->text.s, "module burn_l0_qa"), "exact: no accumulator quantizer");
	rtl_free(&d);
	/* 8 fractional bits cannot hold the 8 of the products' 10: rounding */
	mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<6,1>", "ap_fixed<12,4,AP_RND,AP_SAT>",
		 "ap_fixed<8,3>", rf);
	CHECK(rtl_emit(&P, &c, &d, &e) == 0, "%s", e.msg);
	v = find(&d, "burn_l0.v");
	CHECK(!d.layers[0].exact_accum, "a rounding accumulator is not exact");
	CHECK(v && strstr(v->text.s, "module burn_l0_qa"), "rounding: a quantizer");
	CHECK(v && strstr(v->text.s, "wire inc = half;"), "AP_RND adds the half bit");
	rtl_free(&d);
	/* no rounding, but the range is too small for the sums: overflow logic */
	mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<6,1>", "ap_fixed<12,2,AP_TRN,AP_SAT_SYM>",
		 "ap_fixed<8,3>", rf);
	CHECK(rtl_emit(&P, &c, &d, &e) == 0, "%s", e.msg);
	v = find(&d, "burn_l0.v");
	CHECK(!d.layers[0].exact_accum, "a saturating accumulator is not exact");
	CHECK(v && strstr(v->text.s, "wire keep = fits & ~("), "AP_SAT_SYM: the minimum overflows");
	rtl_free(&d);
}

/* rtl_accum_exact without the weights is a bound: over random types, scales and weights, an
 * accumulator the types prove exact is exact by every set of weights, and rtl_emit's
 * exact_accum is rtl_accum_exact of the loaded weights. */
static void test_exact_bound(void)
{
	static const int dims[][2] = {{5, 3}};
	static const char *acc[] = {"ap_fixed<14,4>", "ap_fixed<16,6,AP_TRN,AP_SAT_SYM>",
				    "ap_ufixed<14,6>", "ap_fixed<20,8>", "ap_fixed<12,5,AP_RND>"};
	static const char *in[] = {"ap_fixed<6,2>", "ap_ufixed<6,2>", "ap_fixed<8,4>"};
	int bound_only = 0, both = 0, bad = 0, differ = 0;
	unsigned r = 7;
	for (int t = 0; t < 300; t++) {
		mkblock(1, dims);
		r = r * 1103515245u + 12345u;
		double scale = ldexp(1, -(int)(r >> 16) % 6);
		for (int i = 0; i < 15; i++)
			W[0][i] *= scale;
		for (int j = 0; j < 3; j++)
			Bv[0][j] *= scale;
		config c;
		long rf[] = {1 + (long)(r >> 8) % 4};
		mkconfig(&c, in[t % 3], "ap_fixed<6,2>", acc[(t / 3) % 5], "ap_fixed<8,3>", rf);
		layer bare = Ls[0];
		bare.w = NULL;
		bare.b = NULL;
		bool by_types = rtl_accum_exact(&bare, &c.input, &LC[0]);
		bool by_weights = rtl_accum_exact(&Ls[0], &c.input, &LC[0]);
		bad += by_types && !by_weights;
		bound_only += by_types;
		both += by_weights;
		rtl_design d;
		berr e;
		if (rtl_emit(&P, &c, &d, &e) == 0) {
			differ += d.layers[0].exact_accum != by_weights;
			rtl_free(&d);
		} else {
			differ++;
		}
	}
	CHECK(bad == 0, "%d layers exact by the types and not by their weights", bad);
	CHECK(differ == 0, "rtl_emit's exact_accum differs from rtl_accum_exact in %d layers", differ);
	CHECK(bound_only > 0 && both > bound_only && both < 300,
	      "exact by the types %d, by the weights %d of 300: the cases are not mixed", bound_only, both);
}

/* Two layers: the second accepts at its first slot boundary after the first's output. */
static void test_latency(void)
{
	static const int dims[][2] = {{8, 4}, {4, 3}};
	mkblock(2, dims);
	config c;
	long rf[] = {3, 5}; /* layer 0: P 11, D 3, G 4; layer 1: P 3, D 4, G 1 */
	mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<6,1>", "ap_fixed<20,6>", "ap_fixed<8,3>", rf);
	rtl_design d;
	berr e;
	CHECK(rtl_emit(&P, &c, &d, &e) == 0, "%s", e.msg);
	/* layer 0 accepts at cycle 2 and shows its output at 2 + 4*3 + 5 = 19; layer 1's
	 * boundaries are the cycles 3 mod 4: it accepts at 19, shows at 19 + 1*4 + 5 = 28 */
	CHECK(d.layers[0].latency == 17 && d.layers[1].latency == 9, "layer latencies %ld %ld",
	      d.layers[0].latency, d.layers[1].latency);
	CHECK(d.latency == 26, "latency %ld, want 26", d.latency);
	CHECK(d.ii == 4, "ii %ld", d.ii);
	CHECK(d.in_words == 8 && d.in_width == 8 && d.out_words == 3 && d.out_width == 8 &&
		      d.in_signed && d.out_signed, "ports");
	CHECK(d.n_files == 5 && strcmp(d.files[0].name, "burn_top.v") == 0, "files: %d, first %s",
	      d.n_files, d.files[0].name);
	const rtl_file *top = find(&d, "burn_top.v");
	CHECK(top && strstr(top->text.s, "input wire [63:0] in_data") &&
		      strstr(top->text.s, "output wire [23:0] out_data"), "top ports");
	/* the same input gives the same bytes */
	rtl_design d2;
	CHECK(rtl_emit(&P, &c, &d2, &e) == 0, "%s", e.msg);
	bool same = d.n_files == d2.n_files;
	for (int i = 0; same && i < d.n_files; i++)
		same = strcmp(d.files[i].name, d2.files[i].name) == 0 &&
		       d.files[i].text.len == d2.files[i].text.len &&
		       memcmp(d.files[i].text.s, d2.files[i].text.s, d.files[i].text.len) == 0;
	CHECK(same, "two emissions differ");
	rtl_free(&d);
	rtl_free(&d2);
}

static void test_limits(void)
{
	static const int dims[][2] = {{80, 64}};
	mkblock(1, dims);
	config c;
	long rf[] = {1};
	mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<6,1>", "ap_fixed<20,6>", "ap_fixed<8,3>", rf);
	rtl_design d;
	berr e;
	CHECK(rtl_emit(&P, &c, &d, &e) != 0 && strstr(e.msg, "4096") && d.n_files == 0,
	      "80x64 at RF 1 is over the lane limit: %s", e.msg);
	rf[0] = 2;
	mkconfig(&c, "ap_fixed<8,3>", "ap_fixed<6,1>", "ap_fixed<20,6>", "ap_fixed<8,3>", rf);
	CHECK(rtl_emit(&P, &c, &d, &e) == 0, "RF 2 fits: %s", e.msg);
	rtl_free(&d);
	/* types whose binary points are ~1000 bits apart */
	mkconfig(&c, "ap_fixed<8,-900>", "ap_fixed<6,1>", "ap_fixed<20,200>", "ap_fixed<8,3>", rf);
	CHECK(rtl_emit(&P, &c, &d, &e) != 0 && strstr(e.msg, "too far apart"), "%s", e.msg);
	/* a config for another block */
	static const int two[][2] = {{4, 4}, {4, 4}};
	mkblock(2, two);
	c.n_layers = 1;
	CHECK(rtl_emit(&P, &c, &d, &e) != 0 && strstr(e.msg, "layers"), "%s", e.msg);
	strbuf tb = {0};
	rtl_testbench(&tb);
	CHECK(tb.s && strstr(tb.s, "#include \"Vburn_top.h\"") && strstr(tb.s, "burn-tb 1"),
	      "testbench text");
	sb_free(&tb);
}

/* rtl_fold_layer against a walk over every lane and product (the emitter's former loops):
 * stages, bank words (a register kept while a later read needs what it holds), the lanes that
 * end, start, continue and split outputs, over many shapes and ReuseFactors. */
static void test_fold_brute(void)
{
	int shapes = 0, bad = 0;
	for (long n_in = 1; n_in <= 13; n_in++)
		for (long n_out = 1; n_out <= 9; n_out += 2)
			for (long rf = 1; rf <= n_in * n_out + 2; rf++) {
				rtl_fold f;
				berr e;
				if (rtl_fold_layer(n_in, n_out, rf, &f, &e) != 0) {
					bad++;
					continue;
				}
				long n = n_in * n_out, np = f.lanes, D = f.slot;
				long G = 1;
				for (long j = 0; j < n_out; j++) {
					long span = (j * n_in + n_in - 1) / D - j * n_in / D + 1;
					G = span > G ? span : G;
				}
				/* last read of every input, issuing product t of lane L at stage
				 * G-1-(last lane of t's row - L), cycle t - L*D of the slot */
				long last[16];
				for (long i = 0; i < n_in; i++)
					last[i] = -1;
				long ends = 0, starts = 0, multi = 0, cont = 0, two = 0;
				for (long L = 0; L < np; L++) {
					long t0 = L * D, len = n - t0 < D ? n - t0 : D, ns = 0;
					bool ended = false, split = false;
					for (long t = t0; t < t0 + len; t++) {
						long j = t / n_in, l1 = (j * n_in + n_in - 1) / D;
						long tau = (G - 1 - (l1 - L)) * D + t - t0;
						last[t % n_in] = tau > last[t % n_in] ? tau : last[t % n_in];
						ended |= t % n_in == n_in - 1;
						if (t % n_in == 0) {
							ns++;
							split |= t > t0 && l1 > L;
						}
					}
					ends += ended;
					starts += ns > 0;
					multi += ns > 1;
					cont += t0 % n_in != 0;
					two += split;
				}
				long banks = 0;
				long m = D < n_in ? D : n_in;
				for (long st = 0; st < G; st++)
					for (long p = 0; p < n_in; p++) {
						bool k = false;
						for (long c = 0; c < m && !k; c++)
							k = last[(p + st * D + c) % n_in] >= st * D + c;
						banks += k;
					}
				shapes++;
				if (f.stages != G || f.bank_regs != banks || f.end_lanes != ends ||
				    f.start_lanes != starts || f.multi_start_lanes != multi ||
				    f.cont_lanes != cont || f.two_stage_lanes != two ||
				    f.latency != G * D + 5) {
					if (bad++ < 5)
						printf("%ldx%ld rf %ld: G %ld/%ld banks %ld/%ld ends %ld/%ld "
						       "starts %ld/%ld multi %ld/%ld cont %ld/%ld two %ld/%ld\n",
						       n_in, n_out, rf, f.stages, G, f.bank_regs, banks,
						       f.end_lanes, ends, f.start_lanes, starts,
						       f.multi_start_lanes, multi, f.cont_lanes, cont,
						       f.two_stage_lanes, two);
				}
			}
	CHECK(bad == 0, "%d of %d shapes differ from the lane walk", bad, shapes);
	rtl_fold f;
	berr e;
	CHECK(rtl_fold_layer(0, 4, 1, &f, &e) != 0 && rtl_fold_layer(4, 4, 0, &f, &e) != 0,
	      "an empty layer and RF 0 are errors");
	/* a layer far beyond the emitter's limits still folds, quickly */
	CHECK(rtl_fold_layer(8192, 8192, 1, &f, &e) == 0 && f.lanes == 8192L * 8192 &&
		      f.stages == 8192 && f.slot == 1,
	      "8192x8192 at RF 1: P %ld G %ld", f.lanes, f.stages);
}

int main(void)
{
	test_fold_brute();
	test_geometry();
	test_rom();
	test_constants_and_exact();
	test_exact_bound();
	test_latency();
	test_limits();
	return t_done("test_rtl");
}
