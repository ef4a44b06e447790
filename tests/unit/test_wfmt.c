/* test_wfmt.c - streamed weight formats (WeightFormat: rom | w8 | int4_g32/64/128,
 * docs/CONFIG.md): the config key and its errors, the canonical and hls4ml forms, csim of a
 * streamed layer against an independent recomputation from the gemv quantisers, its
 * determinism, the estimate of a streamed layer (engine resources, roofline latency), the
 * writers that refuse streamed layers, and the random author's draws. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "author/author.h"
#include "gen/config.h"
#include "gen/estimate.h"
#include "gen/project.h"
#include "kernels/csim.h"
#include "kernels/gemv.h"
#include "tests/unit/t.h"

/* 64 -> 32 ReLU -> 8 on a PYNQ-Z2 (2.1 GB/s DDR3) at 10 ns. */
static const char *proj =
	"block:\n"
	"  layers:\n"
	"    - {name: fc1, n_in: 64, n_out: 32, activation: relu}\n"
	"    - {name: fc2, n_in: 32, n_out: 8}\n"
	"weights: {source: random, seed: 5}\n"
	"calibration: {source: random, seed: 6, n: 16}\n"
	"part: pynq-z2\n"
	"clock_ns: 10\n"
	"eps_max: 0.05\n";

/* One layer 64 -> 8 with a bias, no activation. */
static const char *one =
	"block:\n"
	"  layers:\n"
	"    - {name: fc, n_in: 64, n_out: 8}\n"
	"weights: {source: random, seed: 9}\n"
	"calibration: {source: random, seed: 10, n: 5}\n"
	"part: pynq-z2\n"
	"clock_ns: 10\n"
	"eps_max: 0.05\n";

static int load(const char *name, const char *text, project *p)
{
	berr e;
	t_put(name, text);
	if (project_load(t_path(name), true, p, &e) != 0) {
		CHECK(0, "%s", e.msg);
		return -1;
	}
	return 0;
}

static int parse(const project *p, const char *text, config *c, berr *e)
{
	return config_parse("c.yaml", text, strlen(text), p, c, e);
}

static void test_config(void)
{
	project p;
	berr e;
	config c, d, r;
	if (load("p.yaml", proj, &p) != 0)
		return;
	config_default(&p, &d);
	CHECK(d.layers[0].wfmt == WF_ROM && d.layers[1].wfmt == WF_ROM, "default is rom");
	strbuf b = {0};
	config_write_canonical(&d, &p, &b);
	CHECK(!strstr(b.s, "WeightFormat"), "rom is not written: existing bytes unchanged");
	sb_free(&b);

	int rc = parse(&p, "Model: {WeightFormat: W8}\nLayerName:\n  fc1: {WeightFormat: int4_g64}\n",
		       &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc == 0) {
		CHECK(c.layers[0].wfmt == WF_INT4_G64, "layer beats Model");
		CHECK(c.layers[1].wfmt == WF_W8, "Model's default, any case");
		config_write_canonical(&c, &p, &b);
		CHECK(strstr(b.s, "WeightFormat: int4_g64") && strstr(b.s, "WeightFormat: w8"),
		      "canonical: %s", b.s);
		rc = config_parse("canon", b.s, b.len, &p, &r, &e);
		CHECK(rc == 0 && config_equal(&c, &r), "canonical round trip: %s", e.msg);
		if (rc == 0)
			config_free(&r);
		CHECK(!config_equal(&c, &d), "a format change is a different config");
		sb_free(&b);
		config_write_hls4ml(&c, &p, &b);
		CHECK(strstr(b.s, "BurnTTT extension") != NULL, "hls4ml form marks the key: %s", b.s);
		rc = config_parse("hls", b.s, b.len, &p, &r, &e);
		CHECK(rc == 0 && config_equal(&c, &r), "hls4ml form round trip: %s", e.msg);
		if (rc == 0)
			config_free(&r);
		sb_free(&b);
		rc = config_rom_only(&c, &p, "the RTL emitter", &e);
		CHECK(rc != 0 && strstr(e.msg, "fc1") && strstr(e.msg, "not supported by the RTL emitter"),
		      "%s", e.msg);
		config_free(&c);
	}
	rc = parse(&p, "LayerName:\n  fc1:\n    WeightFormat: int5\n", &c, &e);
	CHECK(rc != 0 && strstr(e.msg, "c.yaml:3:19") && strstr(e.msg, "LayerName.fc1.WeightFormat") &&
		      strstr(e.msg, "not a weight format"),
	      "bad value: %s", e.msg);
	rc = parse(&p, "LayerName:\n  fc2: {WeightFormat: int4_g64}\n", &c, &e);
	CHECK(rc != 0 && strstr(e.msg, "c.yaml:2:") && strstr(e.msg, "LayerName.fc2.WeightFormat") &&
		      strstr(e.msg, "multiple of the group size 64"),
	      "group must divide n_in: %s", e.msg);
	rc = parse(&p, "Model: {WeightFormat: int4_g64}\n", &c, &e);
	CHECK(rc != 0 && strstr(e.msg, "Model.WeightFormat") && strstr(e.msg, "fc2"),
	      "Model's format checked per layer: %s", e.msg);
	rc = parse(&p, "LayerName:\n  fc1: {Weightformat: w8}\n", &c, &e);
	CHECK(rc != 0 && strstr(e.msg, "did you mean 'WeightFormat'"), "suggestion: %s", e.msg);
	config_free(&d);
	project_free(&p);
}

/* The expected result raws of the one-layer project under a w8 config, recomputed here from
 * the weights as laid out in the project (n_in x n_out) and gemv's quantisers. */
static void expect_w8(const project *p, const config *c, fx_raw *y)
{
	const layer *l = &p->layers[0];
	int rows = l->n_out, cols = l->n_in;
	float *w = malloc((size_t)rows * cols * sizeof *w), *x = malloc((size_t)cols * sizeof *x);
	int8_t *q = malloc((size_t)rows * cols), *xq = malloc((size_t)cols);
	float *ws = malloc((size_t)rows * sizeof *ws), xs;
	berr e;
	for (int r = 0; r < rows; r++)
		for (int k = 0; k < cols; k++)
			w[r * cols + k] = (float)l->w[k * rows + r];
	if (gemv_quant_w8(w, rows, cols, q, ws, &e) != 0)
		CHECK(0, "%s", e.msg);
	for (long v = 0; v < p->calib.n; v++) {
		for (int k = 0; k < cols; k++)
			x[k] = (float)fx_to_double(&c->input,
						   fx_from_double(&c->input, p->calib.x[v * cols + k], NULL));
		if (gemv_quant_a8(x, cols, xq, &xs, &e) != 0)
			CHECK(0, "%s", e.msg);
		for (int r = 0; r < rows; r++) {
			long acc = 0;
			for (int k = 0; k < cols; k++)
				acc += (long)q[r * cols + k] * xq[k];
			float yf = (float)((double)acc * ws[r] * xs);
			double b = fx_to_double(&c->layers[0].bias,
						fx_from_double(&c->layers[0].bias, l->b[r], NULL));
			y[v * rows + r] = fx_from_double(&c->layers[0].result, (double)yf + b, NULL);
		}
	}
	free(w);
	free(x);
	free(q);
	free(xq);
	free(ws);
}

static void test_csim(void)
{
	project p;
	berr e;
	config c;
	if (load("one.yaml", one, &p) != 0)
		return;
	if (parse(&p, "Model: {Precision: 'ap_fixed<18,6,AP_RND,AP_SAT>', WeightFormat: w8}\n", &c,
		  &e) != 0) {
		CHECK(0, "%s", e.msg);
		return;
	}
	fx_raw *x, *y, *want = calloc((size_t)p.calib.n * 8, sizeof *want);
	if (csim_raw(&p, &c, &x, &y, &e) != 0) {
		CHECK(0, "%s", e.msg);
	} else {
		expect_w8(&p, &c, want);
		CHECK(memcmp(y, want, (size_t)p.calib.n * 8 * sizeof *y) == 0,
		      "csim of a w8 layer equals the recomputation");
		free(x);
		free(y);
	}
	free(want);
	config_free(&c);
	project_free(&p);

	/* Determinism and error vs float on the two-layer block, per format. */
	if (load("p.yaml", proj, &p) != 0)
		return;
	static const char *const fmts[] = {"rom", "w8", "int4_g32"};
	double err[3] = {0};
	for (int k = 0; k < 3; k++) {
		char text[200];
		snprintf(text, sizeof text,
			 "Model: {Precision: {default: 'ap_fixed<18,6>', accum: auto}, WeightFormat: %s}\n",
			 fmts[k]);
		if (parse(&p, text, &c, &e) != 0) {
			CHECK(0, "%s", e.msg);
			continue;
		}
		csim_result r1, r2;
		if (csim_run(&p, &c, &r1, &e) != 0 || csim_run(&p, &c, &r2, &e) != 0) {
			CHECK(0, "%s: %s", fmts[k], e.msg);
			config_free(&c);
			continue;
		}
		size_t m = (size_t)r1.n_vectors * (size_t)r1.n_out;
		CHECK(memcmp(r1.y_fixed, r2.y_fixed, m * sizeof *r1.y_fixed) == 0, "%s: deterministic",
		      fmts[k]);
		err[k] = r1.max_err;
		CHECK(r1.max_err > 0 && r1.max_err < 0.5 * r1.max_ref, "%s: max_err %g (max_ref %g)",
		      fmts[k], r1.max_err, r1.max_ref);
		printf("  %s: max_err %.5f, mean_err %.5f, max_ref %.3f\n", fmts[k], r1.max_err,
		       r1.mean_err, r1.max_ref);
		csim_free(&r1);
		csim_free(&r2);
		config_free(&c);
	}
	CHECK(err[0] < err[1] && err[1] < err[2], "error grows rom %g < w8 %g < int4 %g", err[0],
	      err[1], err[2]);
	project_free(&p);
}

static void test_estimate(void)
{
	project p;
	berr e;
	config c;
	estimate est;
	if (load("p.yaml", proj, &p) != 0)
		return;
	/* fc1: RF 128 -> P = 16 lanes, one engine: 32 rows x 4 beats + 4 (x load) = 132 compute
	 * cycles; memory: 64*32 + 8*32 = 2304 bytes (w8) or 1024 + 4*64 = 1280 (int4_g32) at
	 * 2.1 GB/s x 10 ns = 21 bytes a cycle: 110 or 61 cycles; + log2(16) + 5 pipeline. */
	static const char *const fmts[] = {"w8", "int4_g32"};
	static const long dsp[] = {20, 17}, bram[] = {0, 8};
	for (int k = 0; k < 2; k++) {
		char text[200];
		snprintf(text, sizeof text, "LayerName:\n  fc1: {ReuseFactor: 128, WeightFormat: %s}\n",
			 fmts[k]);
		if (parse(&p, text, &c, &e) != 0) {
			CHECK(0, "%s", e.msg);
			continue;
		}
		if (estimate_run(&p, &c, &est, &e) != 0) {
			CHECK(0, "%s", e.msg);
		} else {
			const layer_estimate *l = &est.layers[0];
			CHECK(l->mults == 16 && l->dsp == dsp[k] && l->bram18 == bram[k],
			      "%s: engine of 16 lanes: mults %ld dsp %ld bram %ld", fmts[k], l->mults,
			      l->dsp, l->bram18);
			CHECK(l->latency == 132 + 4 + 5, "%s: latency %ld", fmts[k], l->latency);
			estimate_free(&est);
		}
		config_free(&c);
	}
	/* Memory-bound: RF 16 -> 128 lanes = 2 engines of 64, 16 rows x 1 beat + 1 = 17 compute
	 * cycles, 110 memory cycles (DDR has one channel). */
	if (parse(&p, "LayerName:\n  fc1: {ReuseFactor: 16, WeightFormat: w8}\n", &c, &e) == 0) {
		if (estimate_run(&p, &c, &est, &e) == 0) {
			CHECK(est.layers[0].mults == 128 && est.layers[0].latency == 110 + 6 + 5,
			      "memory-bound: mults %ld latency %ld", est.layers[0].mults,
			      est.layers[0].latency);
			estimate_free(&est);
		} else {
			CHECK(0, "%s", e.msg);
		}
		p.part.mem_gbps = 0;
		CHECK(estimate_run(&p, &c, &est, &e) != 0 && strstr(e.msg, "no memory"),
		      "a part without memory: %s", e.msg);
		config_free(&c);
	} else {
		CHECK(0, "%s", e.msg);
	}
	project_free(&p);
}

static void test_random_author(void)
{
	project p;
	if (load("p.yaml", proj, &p) != 0)
		return;
	author_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.p = &p;
	int rom = 0, streamed = 0;
	/* Fits on chip: no format draws, every layer rom. */
	rng_seed(&ctx.rng, 4, 0);
	for (int k = 0; k < 20; k++) {
		config c;
		author_random_config(&ctx, &c);
		rom += c.layers[0].wfmt == WF_ROM && c.layers[1].wfmt == WF_ROM;
		config_free(&c);
	}
	CHECK(rom == 20, "%d of 20 draws all rom", rom);
	/* Without BRAM every layer is too big: each is drawn a format that fits it. */
	p.part.bram18 = 0;
	int kinds = 0;
	for (int k = 0; k < 40; k++) {
		config c;
		berr e;
		author_random_config(&ctx, &c);
		bool ok = true;
		for (int i = 0; i < 2; i++)
			ok = ok && c.layers[i].wfmt != WF_ROM &&
			     config_wfmt_fits(c.layers[i].wfmt, p.layers[i].n_in, p.layers[i].n_out, &e) == 0;
		streamed += ok;
		kinds |= 1 << c.layers[0].wfmt;
		config_free(&c);
	}
	CHECK(streamed == 40, "%d of 40 draws streamed with fitting formats", streamed);
	CHECK(kinds == (1 << WF_W8 | 1 << WF_INT4_G32 | 1 << WF_INT4_G64),
	      "fc1 (64 inputs) drew w8, int4_g32, int4_g64 and nothing else: mask %x", kinds);
	project_free(&p);
}

int main(void)
{
	t_scratch("wfmt");
	test_config();
	test_csim();
	test_estimate();
	test_random_author();
	t_scratch_done();
	return t_done("test_wfmt");
}
