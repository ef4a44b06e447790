/* test_swiglu.c - the SwiGLU MLP block: the swiglu entry of a project, its config layers
 * (<name>_silu, <name>_mul), the SiLU table kernel against an independent computation and an
 * error bound, csim against a plain double forward pass, the estimate of the elementwise
 * layers, and the random author's configs. Prints the SiLU table's measured max error per
 * precision (docs/PROJECT.md quotes them). */
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
#include "kernels/act.h"
#include "kernels/csim.h"
#include "kernels/dense.h"
#include "tests/unit/t.h"

static int load_text(const char *name, const char *text, bool data, project *p, berr *e)
{
	t_put(name, text);
	return project_load(t_path(name), data, p, e);
}

/* A 16 -> 32 -> 16 swiglu followed by a dense layer, on a PYNQ-Z2. */
static const char *tiny =
	"block:\n"
	"  layers:\n"
	"    - {name: mlp, type: swiglu, n_in: 16, n_hidden: 32, n_out: 16, bias: true}\n"
	"    - {name: head, n_in: 16, n_out: 4}\n"
	"weights: {source: random, seed: 7}\n"
	"calibration: {source: random, seed: 8, n: 24}\n"
	"part: pynq-z2\n"
	"clock_ns: 10\n"
	"eps_max: 0.05\n";

static void test_project(void)
{
	project p;
	berr e;
	int rc = load_text("p.yaml", tiny, true, &p, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc != 0)
		return;
	CHECK(p.n_layers == 4, "%d layers", p.n_layers);
	static const char *const names[] = {"mlp_gate", "mlp_up", "mlp_down", "head"};
	static const layer_kind kinds[] = {LK_GATE, LK_UP, LK_DOWN, LK_DENSE};
	static const int dims[][2] = {{16, 32}, {16, 32}, {32, 16}, {16, 4}};
	for (int k = 0; k < 4; k++) {
		const layer *l = &p.layers[k];
		CHECK(strcmp(l->name, names[k]) == 0, "layer %d is %s", k, l->name);
		CHECK(l->kind == kinds[k], "layer %d kind %d", k, l->kind);
		CHECK(l->n_in == dims[k][0] && l->n_out == dims[k][1], "layer %d: %d -> %d", k, l->n_in,
		      l->n_out);
		CHECK(l->w && (l->b != NULL) == l->bias, "layer %d data", k);
	}
	CHECK(strcmp(p.layers[0].ew_name, "mlp_silu") == 0, "%s", p.layers[0].ew_name);
	CHECK(strcmp(p.layers[1].ew_name, "mlp_mul") == 0, "%s", p.layers[1].ew_name);
	CHECK(p.layers[2].ew_name[0] == 0 && p.layers[3].ew_name[0] == 0, "no ew after down/head");
	CHECK(project_macs(&p) == 16 * 32 * 2 + 32 * 16 + 16 * 4, "macs %ld", project_macs(&p));
	CHECK(project_dense_chain(&p, "X", &e) != 0 && strstr(e.msg, "not supported by X"),
	      "dense chain check: %s", e.msg);
	/* gate and up draw from their own streams: different weights */
	CHECK(memcmp(p.layers[0].w, p.layers[1].w, 16 * 32 * sizeof(double)) != 0, "gate == up");
	project_free(&p);

	static const struct {
		const char *text, *want;
	} bad[] = {
		{"block: {layers: [{name: m, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4, activation: relu}]}\n",
		 "key 'block.layers[0].activation': unknown key"},
		{"block: {layers: [{name: m, type: swiglu, n_in: 4, n_out: 4}]}\n",
		 "key 'block.layers[0].n_hidden': missing"},
		{"block: {layers: [{name: a, n_in: 4, n_out: 5}, {name: m, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4}]}\n",
		 "key 'block.layers[1].n_in': 4 does not match n_out 5"},
		{"block: {layers: [{name: m_up, n_in: 4, n_out: 4}, {name: m, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4}]}\n",
		 "layer name 'm_up' is already used by block.layers[0]"},
		{"block: {layers: [{name: m, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4}, {name: m_mul, n_in: 4, n_out: 4}]}\n",
		 "layer name 'm_mul' is already used by block.layers[0]"},
		{"block: {layers: [{name: m, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4, weight_tensor: x}]}\n",
		 "key 'block.layers[0].weight_tensor': unknown key"},
		{"block: {layers: [{name: m, type: swiglu, n_in: 65536, n_hidden: 2048, n_out: 4}]}\n",
		 "more than the limit of 67108864 weights"},
		{"block: {layers: [{name: m, type: swiglux, n_in: 4, n_hidden: 8, n_out: 4}]}\n",
		 "block.layers[0].type"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		berr e2 = {{0}};
		rc = load_text("bad.yaml", bad[i].text, false, &p, &e2);
		CHECK(rc != 0, "bad case %zu loaded", i);
		CHECK(strstr(e2.msg, bad[i].want) && strstr(e2.msg, "bad.yaml:"),
		      "bad case %zu: \"%s\" lacks \"%s\"", i, e2.msg, bad[i].want);
		if (rc == 0)
			project_free(&p);
	}
	/* a 59-character name is one too long for its layers' names */
	char text[512], name[64];
	memset(name, 'a', 59);
	name[59] = 0;
	snprintf(text, sizeof text,
		 "block: {layers: [{name: %s, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4}]}\n", name);
	berr e3 = {{0}};
	rc = load_text("long.yaml", text, false, &p, &e3);
	CHECK(rc != 0 && strstr(e3.msg, "at most 58"), "long name: %s", e3.msg);
	if (rc == 0)
		project_free(&p);
	/* 21 swiglu entries are 63 layers; a 22nd is over the limit */
	strbuf b = {0};
	sb_puts(&b, "block:\n  layers:\n");
	for (int k = 0; k < 22; k++)
		sb_printf(&b, "    - {name: m%d, type: swiglu, n_in: 4, n_hidden: 8, n_out: 4}\n", k);
	rc = load_text("many.yaml", b.s, false, &p, &e3);
	CHECK(rc != 0 && strstr(e3.msg, "66 layers, more than the limit of 64"), "22 swiglus: %s",
	      e3.msg);
	if (rc == 0)
		project_free(&p);
	sb_free(&b);
}

static void test_config(void)
{
	project p;
	berr e;
	if (load_text("p.yaml", tiny, false, &p, &e) != 0) {
		CHECK(0, "%s", e.msg);
		return;
	}
	config d, c, c2;
	config_default(&p, &d);
	fx_type def = t_type("ap_fixed<16,6>");
	CHECK(fx_equal(&d.layers[0].act, &def) && fx_equal(&d.layers[1].mul, &def), "default ew types");
	fx_type tab = t_type("ap_fixed<18,8>");
	CHECK(fx_equal(&d.layers[0].table, &tab) && d.layers[0].table_size == 1024, "default table");
	/* auto accumulators: up reads the swiglu's input (16 inputs), down the product (32) */
	CHECK(d.layers[1].accum.w == 16 + 16 + 4 + 1, "up accum width %d", d.layers[1].accum.w);
	CHECK(d.layers[2].accum.w == 16 + 16 + 5 + 1, "down accum width %d", d.layers[2].accum.w);
	CHECK(config_input_type(&d, &p, 1) == &d.input, "up reads the block input");
	CHECK(config_input_type(&d, &p, 2) == &d.layers[1].mul, "down reads the product");
	CHECK(config_input_type(&d, &p, 3) == &d.layers[2].result, "head reads down");

	const char *y = "Model: {Precision: 'ap_fixed<14,5>', ReuseFactor: 4}\n"
			"LayerName:\n"
			"  mlp_gate: {ReuseFactor: 8, Strategy: Resource}\n"
			"  mlp_silu: {Precision: {result: 'ap_fixed<12,4>', table: 'ap_ufixed<10,0>'}, table_size: 256}\n"
			"  mlp_mul: {Precision: {result: auto}}\n"
			"  mlp_down: {Precision: {accum: auto}}\n";
	int rc = config_parse("c.yml", y, strlen(y), &p, &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc == 0) {
		fx_type a = t_type("ap_fixed<12,4>"), t = t_type("ap_ufixed<10,0>");
		CHECK(fx_equal(&c.layers[0].act, &a) && fx_equal(&c.layers[0].table, &t) &&
		      c.layers[0].table_size == 256, "silu settings");
		CHECK(c.layers[0].reuse == 8 && c.layers[0].strategy == HLS_RESOURCE &&
		      c.layers[1].reuse == 4, "per-projection RF and strategy");
		/* auto product: silu <12,4> x up result <14,5> */
		CHECK(c.layers[1].mul.w == 26 && c.layers[1].mul.i == 9, "auto mul <%d,%d>", c.layers[1].mul.w,
		      c.layers[1].mul.i);
		CHECK(c.layers[2].accum.w == 26 + 14 + 5 + 1, "down auto accum follows the product: %d",
		      c.layers[2].accum.w);
		/* canonical and hls4ml forms read back to the same config */
		for (int form = 0; form < 2; form++) {
			strbuf b = {0};
			if (form)
				config_write_hls4ml(&c, &p, &b);
			else
				config_write_canonical(&c, &p, &b);
			rc = config_parse("rt.yml", b.s, b.len, &p, &c2, &e);
			CHECK(rc == 0 && config_equal(&c, &c2), "form %d round trip: %s", form,
			      rc ? e.msg : "differs");
			CHECK(strstr(b.s, "  mlp_silu:\n") && strstr(b.s, "table_size: 256") &&
			      strstr(b.s, "  mlp_mul:\n"), "form %d lists the ew layers", form);
			if (rc == 0)
				config_free(&c2);
			sb_free(&b);
		}
		layer_cfg l3[4];
		memcpy(l3, c.layers, sizeof l3);
		config c3 = c;
		c3.layers = l3;
		CHECK(config_equal(&c, &c3), "a copy is equal");
		l3[0].table_size = 512;
		CHECK(!config_equal(&c, &c3), "table size is compared");
		l3[0].table_size = c.layers[0].table_size;
		l3[1].mul.i++;
		CHECK(!config_equal(&c, &c3), "product type is compared");
		config_free(&c);
	}
	static const struct {
		const char *text, *want;
	} bad[] = {
		{"LayerName: {mlp_silu: {table_size: 100}}\n",
		 "key 'LayerName.mlp_silu.table_size': 100 is not a power of two"},
		{"LayerName: {mlp_silu: {table_size: 8}}\n", "out of range"},
		{"LayerName: {mlp_mul: {table_size: 256}}\n", "key 'LayerName.mlp_mul.table_size': unknown key"},
		{"LayerName: {mlp_mul: {Precision: {table: 'ap_fixed<8,1>'}}}\n",
		 "key 'LayerName.mlp_mul.Precision.table': unknown key"},
		{"LayerName: {mlp_silu: {Precision: {result: auto}}}\n", "'auto' is only supported"},
		{"LayerName: {mlp_silu: {ReuseFactor: 2}}\n", "key 'LayerName.mlp_silu.ReuseFactor'"},
		{"LayerName: {mlp_sil: {}}\n", "did you mean 'mlp_silu'"},
		{"Model: {Precision: {result: auto}}\nLayerName: {input: {Precision: 'ap_fixed<16,6>'}}\n",
		 "'auto' cannot type the SiLU 'mlp_silu'"},
		{"LayerName: {mlp_mul: {Precision: {result: auto}}, mlp_silu: {Precision: 'ap_fixed<40,8>'}, mlp_up: {Precision: {result: 'ap_fixed<30,8>'}}}\n",
		 "'auto' gives 'mlp_mul' a product of 70 bits"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		berr e2 = {{0}};
		rc = config_parse("bad.yml", bad[i].text, strlen(bad[i].text), &p, &c, &e2);
		CHECK(rc != 0 && strstr(e2.msg, bad[i].want) && strstr(e2.msg, "bad.yml:"),
		      "bad config %zu: \"%s\" lacks \"%s\"", i, e2.msg, bad[i].want);
		if (rc == 0)
			config_free(&c);
	}
	/* hls4ml mode reads the elementwise layers case-insensitively */
	strbuf notes = {0};
	const char *h = "HLSConfig:\n  LayerName:\n    MLP_Silu: {Precision: {result: 'ap_fixed<10,3>'}}\n";
	rc = config_parse_hls4ml("h.yml", h, strlen(h), &p, &c, &notes, &e);
	fx_type a10 = t_type("ap_fixed<10,3>");
	CHECK(rc == 0 && fx_equal(&c.layers[0].act, &a10), "hls4ml mode: %s", rc ? e.msg : "type");
	if (rc == 0)
		config_free(&c);
	sb_free(&notes);
	config_free(&d);
	project_free(&p);
}

/* The SiLU of raw x computed independently in double: the bin, the table entry and the
 * product are all exact in double for these widths. */
static double silu_indep(const silu_types *t, double x)
{
	if (x >= SILU_RANGE)
		return fx_to_double(&t->result, fx_from_double(&t->result, x, NULL));
	if (x < -SILU_RANGE)
		return 0;
	int n = t->table_size;
	long i = (long)floor(x * n / (2.0 * SILU_RANGE)) + n / 2;
	double xc = ((double)i - n / 2 + 0.5) * (2.0 * SILU_RANGE) / n;
	double s = fx_to_double(&t->table, fx_from_double(&t->table, 1.0 / (1.0 + exp(-xc)), NULL));
	return fx_to_double(&t->result, fx_from_double(&t->result, x * s, NULL));
}

static void test_silu(void)
{
	silu_types t = {t_type("ap_fixed<16,6>"), t_type("ap_fixed<18,8>"), t_type("ap_fixed<16,6>"), 1024};
	CHECK(silu_size_ok(1024) && silu_size_ok(16) && !silu_size_ok(1000) && !silu_size_ok(8) &&
	      !silu_size_ok(131072), "table sizes");
	fx_raw *table = xreallocarray(NULL, SILU_TABLE_MAX, sizeof *table);
	/* every input of <16,6> (the bin a right shift of x), <12,10> and ufixed<10,5> (a left
	 * shift) against the independent computation */
	static const char *const ins[] = {"ap_fixed<16,6>", "ap_fixed<12,10>", "ap_ufixed<10,5>"};
	for (int k = 0; k < 3; k++) {
		silu_types u = t;
		u.in = t_type(ins[k]);
		silu_table(&u, table);
		long bad = 0;
		for (fx_raw r = fx_raw_min(&u.in); r <= fx_raw_max(&u.in); r++) {
			fx_raw y;
			silu_fx(&u, table, 1, &r, &y, NULL);
			double x = fx_to_double(&u.in, r);
			if (fx_to_double(&u.result, y) != silu_indep(&u, x) && bad++ < 3)
				printf("  silu(%g) = %g, independent %g\n", x,
				       fx_to_double(&u.result, y), silu_indep(&u, x));
		}
		CHECK(bad == 0, "%s: %ld inputs differ from the independent computation", ins[k], bad);
	}
	silu_table(&t, table);
	/* edges */
	fx_raw xs[4] = {0, 8 << 10, -(8 << 10), -(8 << 10) - 1}, ys[4];
	silu_fx(&t, table, 4, xs, ys, NULL);
	CHECK(ys[0] == 0 && ys[1] == 8 << 10 && ys[2] <= 0 && ys[3] == 0, "edges %lld %lld %lld %lld",
	      (long long)ys[0], (long long)ys[1], (long long)ys[2], (long long)ys[3]);

	/* The measured max error against the exact SiLU, per precision, and a bound: the bin's
	 * half-width times max |x s'(x)| (0.224), the clip at -8 (8 sigmoid(-8) = 0.00268), the
	 * table's quantization times the largest |x| in the table's range (8) and the result's
	 * quantization, each one ulp (TRN). */
	static const struct {
		const char *in, *table, *result;
		int n;
	} cases[] = {
		{"ap_fixed<16,6>", "ap_fixed<18,8>", "ap_fixed<16,6>", 1024},
		{"ap_fixed<16,6>", "ap_fixed<18,8>", "ap_fixed<16,6>", 256},
		{"ap_fixed<16,6>", "ap_fixed<18,8>", "ap_fixed<16,6>", 4096},
		{"ap_fixed<16,6>", "ap_ufixed<16,0,AP_RND,AP_SAT>", "ap_fixed<18,6>", 1024},
		{"ap_fixed<16,6>", "ap_ufixed<16,0,AP_RND,AP_SAT>", "ap_fixed<20,6,AP_RND>", 4096},
		{"ap_fixed<12,5>", "ap_fixed<10,2>", "ap_fixed<12,5>", 256},
		{"ap_fixed<8,4>", "ap_fixed<8,1>", "ap_fixed<8,4>", 64},
	};
	double prev = INFINITY;
	for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
		silu_types s = {t_type(cases[k].in), t_type(cases[k].table), t_type(cases[k].result), cases[k].n};
		double at, err = silu_max_err(&s, &at);
		double bound = 0.2241 * SILU_RANGE / s.table_size + 0.00269 +
			       SILU_RANGE * ldexp(1, -fx_frac(&s.table)) + ldexp(1, -fx_frac(&s.result));
		printf("silu max_err in %s table %s x %d result %s: %.6f at x = %g (bound %.6f)\n",
		       cases[k].in, cases[k].table, cases[k].n, cases[k].result, err, at, bound);
		CHECK(err > 0 && err <= bound, "case %zu: error %g, bound %g", k, err, bound);
		if (k == 2)
			CHECK(err <= prev, "4096 entries (%g) not better than 256 (%g)", err, prev);
		if (k == 1)
			prev = err;
	}
	free(table);

	fx_type a = t_type("ap_fixed<8,4>"), b = t_type("ap_fixed<8,2>"), o = t_type("ap_fixed<6,3,AP_TRN,AP_SAT>");
	fx_raw ma[2] = {3 << 4, -(7 << 4)}, mb[2] = {1 << 6, 1 << 5}, my[2];
	fx_stats st = {0};
	mul_fx(&o, &a, ma, &b, mb, 2, my, &st);
	CHECK(my[0] == 3 << 3 && my[1] == -(7 << 2) && st.overflow == 0, "mul %lld %lld",
	      (long long)my[0], (long long)my[1]);
	ma[0] = 7 << 4;
	mb[0] = 1 << 7; /* 7 * 2 = 14 > 4: saturates */
	mul_fx(&o, &a, ma, &b, mb, 1, my, &st);
	CHECK(my[0] == fx_raw_max(&o) && st.overflow == 1, "mul saturates");
}

/* The block in plain double: x -> silu(gate) * up -> down -> head. */
static void ref_forward(const project *p, const double *x, double *y)
{
	const layer *g = &p->layers[0], *u = &p->layers[1], *d = &p->layers[2], *h = &p->layers[3];
	double hid[32], mid[16];
	for (int j = 0; j < 32; j++) {
		double a = g->b[j], b = u->b[j];
		for (int i = 0; i < 16; i++) {
			a += x[i] * g->w[i * 32 + j];
			b += x[i] * u->w[i * 32 + j];
		}
		hid[j] = a / (1 + exp(-a)) * b;
	}
	for (int j = 0; j < 16; j++) {
		mid[j] = d->b[j];
		for (int i = 0; i < 32; i++)
			mid[j] += hid[i] * d->w[i * 16 + j];
	}
	for (int j = 0; j < 4; j++) {
		y[j] = h->b[j];
		for (int i = 0; i < 16; i++)
			y[j] += mid[i] * h->w[i * 4 + j];
	}
}

static void test_csim(void)
{
	project p;
	berr e;
	if (load_text("p.yaml", tiny, true, &p, &e) != 0) {
		CHECK(0, "%s", e.msg);
		return;
	}
	config d;
	config_default(&p, &d);
	csim_result r;
	int rc = csim_run(&p, &d, &r, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc != 0)
		return;
	double worst = 0;
	for (long v = 0; v < p.calib.n; v++) {
		double y[4];
		ref_forward(&p, p.calib.x + v * 16, y);
		for (int j = 0; j < 4; j++) {
			double dif = fabs(y[j] - r.y_float[v * 4 + j]);
			if (dif > worst)
				worst = dif;
		}
	}
	CHECK(worst < 1e-12, "float reference differs from a plain forward pass by %g", worst);
	CHECK(r.max_err > 0 && r.max_err < 0.05, "default max_err %g", r.max_err);
	CHECK(r.layers[0].ew_max_err > 0 && r.layers[0].silu_table_err > 0 &&
	      r.layers[0].silu_table_err < 0.01 && r.layers[1].ew_max_err > 0,
	      "ew errors %g %g %g", r.layers[0].ew_max_err, r.layers[0].silu_table_err,
	      r.layers[1].ew_max_err);
	CHECK(r.layers[2].ew_max_err == 0 && r.layers[3].ew.quantized == 0, "no ew after down");
	/* csim_raw gives the same outputs */
	fx_raw *x, *yr;
	rc = csim_raw(&p, &d, &x, &yr, &e);
	long diff = 0;
	for (long i = 0; rc == 0 && i < p.calib.n * 4; i++)
		diff += fx_to_double(&d.layers[3].result, yr[i]) != r.y_fixed[i];
	CHECK(rc == 0 && diff == 0, "csim_raw differs in %ld outputs", diff);
	if (rc == 0) {
		free(x);
		free(yr);
	}
	/* a narrow product type overflows and costs accuracy; so does a coarse SiLU table */
	config n1 = d, n2 = d;
	layer_cfg l1[4], l2[4];
	memcpy(l1, d.layers, sizeof l1);
	memcpy(l2, d.layers, sizeof l2);
	n1.layers = l1;
	n2.layers = l2;
	l1[1].mul = t_type("ap_fixed<6,1>");
	l2[0].table_size = 16;
	l2[0].table = t_type("ap_fixed<6,1>");
	csim_result r1, r2;
	CHECK(csim_run(&p, &n1, &r1, &e) == 0 && r1.layers[1].ew.overflow > 0 && r1.max_err > r.max_err,
	      "narrow mul: overflow %llu, err %g", (unsigned long long)r1.layers[1].ew.overflow,
	      r1.max_err);
	CHECK(csim_run(&p, &n2, &r2, &e) == 0 && r2.layers[0].silu_table_err > 0.1 &&
	      r2.max_err > r.max_err, "coarse table: %g, %g", r2.layers[0].silu_table_err, r2.max_err);
	csim_free(&r1);
	csim_free(&r2);
	l2[0].table_size = 100;
	CHECK(csim_run(&p, &n2, &r2, &e) != 0 && strstr(e.msg, "mlp_silu"), "bad size: %s", e.msg);
	csim_free(&r);
	config_free(&d);
	project_free(&p);
}

static void test_estimate(void)
{
	project p;
	berr e;
	if (load_text("p.yaml", tiny, false, &p, &e) != 0) {
		CHECK(0, "%s", e.msg);
		return;
	}
	config d;
	config_default(&p, &d);
	estimate est;
	CHECK(estimate_run(&p, &d, &est, &e) == 0, "%s", e.msg);
	/* 32 lanes at RF 1, each a 1024 x 18 table (one RAMB18) and two multipliers */
	CHECK(est.layers[1].bram18 == 32 && est.layers[0].bram18 == 0, "tables: %ld BRAM18",
	      est.layers[1].bram18);
	CHECK(est.layers[1].mults == 16 * 32 + 64, "up mults %ld", est.layers[1].mults);
	long sum = 0;
	for (int k = 0; k < 4; k++)
		sum += est.layers[k].latency;
	CHECK(est.total.latency == sum - est.layers[0].latency, "gate and up overlap: %ld vs %ld",
	      est.total.latency, sum);
	/* a higher RF folds the elementwise lanes too */
	layer_cfg l[4];
	memcpy(l, d.layers, sizeof l);
	config f = d;
	f.layers = l;
	l[0].reuse = l[1].reuse = 8;
	estimate e8;
	CHECK(estimate_run(&p, &f, &e8, &e) == 0 && e8.layers[1].bram18 == 4, "RF 8: %ld BRAM18",
	      e8.layers[1].bram18);
	l[0].table_size = 64; /* a small table goes to LUTs */
	estimate e9;
	CHECK(estimate_run(&p, &f, &e9, &e) == 0 && e9.layers[1].bram18 == 0 &&
	      e9.layers[1].lut > e8.layers[1].lut - 100, "small table: %ld BRAM18", e9.layers[1].bram18);
	estimate_free(&est);
	estimate_free(&e8);
	estimate_free(&e9);
	config_free(&d);
	project_free(&p);
}

/* dense_fx (with its exact integer shortcut) against the definition, one fx_mac at a time,
 * on random types and data: outputs and event counts equal. */
static void test_dense_shortcut(void)
{
	rng r;
	rng_seed(&r, 11, 0);
	int same = 0, trials = 400, exact_ok = 0;
	fx_raw x[40], w[40 * 8], b[8], y1[8], y2[8];
	for (int k = 0; k < trials; k++) {
		dense_types t = {.relu = rng_below(&r, 2), .has_bias = rng_below(&r, 2)};
		fx_type *ts[] = {&t.data, &t.weight, &t.bias, &t.accum, &t.result};
		for (int v = 0; v < 5; v++) {
			fx_type *ty = ts[v];
			ty->w = 2 + (int)rng_below(&r, v == 3 ? 62 : 20);
			ty->i = (int)rng_below(&r, (uint64_t)ty->w + 4) - 2;
			ty->sign = v == 3 ? rng_below(&r, 8) != 0 : rng_below(&r, 4) != 0;
			ty->q = rng_below(&r, 2) ? FX_TRN : FX_RND;
			ty->o = rng_below(&r, 2) ? FX_WRAP : FX_SAT;
		}
		int n_in = 1 + (int)rng_below(&r, 40), n_out = 1 + (int)rng_below(&r, 8);
		fx_raw *arrs[] = {x, w, b};
		int ns[] = {n_in, n_in * n_out, n_out};
		for (int a = 0; a < 3; a++) {
			fx_raw lo = fx_raw_min(ts[a]), span = fx_raw_max(ts[a]) - lo + 1;
			for (int i = 0; i < ns[a]; i++)
				arrs[a][i] = lo + (fx_raw)rng_below(&r, (uint64_t)span);
		}
		fx_stats a1 = {0}, r1 = {0}, a2 = {0}, r2 = {0};
		dense_fx(&t, n_in, n_out, x, w, b, y1, &a1, &r1);
		for (int j = 0; j < n_out; j++)
			y2[j] = t.has_bias ? fx_cast(&t.accum, &t.bias, b[j], &a2) : 0;
		for (int i = 0; i < n_in; i++)
			for (int j = 0; j < n_out; j++)
				y2[j] = fx_mac(&t.accum, y2[j], &t.data, x[i], &t.weight, w[i * n_out + j], &a2);
		for (int j = 0; j < n_out; j++) {
			y2[j] = fx_cast(&t.result, &t.accum, y2[j], &r2);
			if (t.relu && !(y2[j] > 0))
				y2[j] = 0;
		}
		same += memcmp(y1, y2, (size_t)n_out * sizeof *y1) == 0 && a1.overflow == a2.overflow &&
			a1.quantized == a2.quantized && r1.overflow == r2.overflow &&
			r1.quantized == r2.quantized;
		/* how often the shortcut's conditions hold (no rounding, no overflow events) */
		int sh = fx_frac(&t.accum) - fx_frac(&t.data) - fx_frac(&t.weight);
		exact_ok += t.accum.sign && sh >= 0 && a2.overflow == 0 && a2.quantized == 0;
	}
	CHECK(same == trials, "%d of %d random layers equal the definition", same, trials);
	CHECK(exact_ok > 40 && exact_ok < trials - 40, "%d of %d layers fit the shortcut: both paths "
	      "should be exercised", exact_ok, trials);
}

static void test_random_author(void)
{
	project p;
	berr e;
	if (load_text("p.yaml", tiny, false, &p, &e) != 0) {
		CHECK(0, "%s", e.msg);
		return;
	}
	author_ctx ctx;
	memset(&ctx, 0, sizeof ctx);
	ctx.p = &p;
	rng_seed(&ctx.rng, 3, 0);
	int ok = 0, sizes = 0;
	long seen = 0;
	for (int k = 0; k < 50; k++) {
		config c, c2;
		author_random_config(&ctx, &c);
		strbuf b = {0};
		config_write_canonical(&c, &p, &b);
		if (config_parse("r.yml", b.s, b.len, &p, &c2, &e) == 0) {
			ok += config_equal(&c, &c2) && silu_size_ok(c.layers[0].table_size) &&
			      c.layers[1].mul.w > 0 && c.layers[0].act.w > 0;
			config_free(&c2);
		}
		if (!(seen & c.layers[0].table_size)) {
			seen |= c.layers[0].table_size;
			sizes++;
		}
		sb_free(&b);
		config_free(&c);
	}
	CHECK(ok == 50, "%d of 50 random configs valid with SiLU and product types", ok);
	CHECK(sizes >= 4, "only %d table sizes drawn", sizes);
	project_free(&p);
}

int main(void)
{
	t_scratch("swiglu");
	test_project();
	test_config();
	test_silu();
	test_csim();
	test_estimate();
	test_dense_shortcut();
	test_random_author();
	t_scratch_done();
	return t_done("test_swiglu");
}
