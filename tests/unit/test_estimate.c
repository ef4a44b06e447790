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
#include "gen/project.h"
#include "kernels/rtl.h"
#include "tests/unit/t.h"

/* The checked-in calibration data (tests/data/calib/yosys.tsv): rows synthesised, rows
 * co-simulated, and the sMAPE bounds (percent) over all rows, D = 1 included */
#define CAL_MIN_ROWS 32
#define CAL_MIN_CYCLES 12
#define CAL_LUT_SMAPE 10.5
#define CAL_FF_SMAPE 3.5
#define CAL_DSP_SMAPE 0.5
#define CAL_BRAM_SMAPE 1.0
/* leave-one-out sMAPE bounds (percent): each row predicted by a refit on the others */
#define CAL_LUT_LOO 18.5
#define CAL_FF_LOO 6.5

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

/* A config from YAML text for the current block (exits on error: a bug in the test). */
static void cfg(const char *y, config *c)
{
	berr e;
	if (config_parse("t.yml", y, strlen(y), &P, c, &e) != 0) {
		printf("bad test config: %s\n", e.msg);
		exit(2);
	}
}

/* The DSP and BRAM18 counts of the four synth_xilinx -family xc7 runs of TOOLS.md (a
 * hand-written block: its LUTs and FFs are not this RTL's, so only Yosys' mapping rules are
 * checked here). */
static void test_tools_points(void)
{
	struct {
		int n_in, n_out;
		long rf;
		const char *weight;
		long dsp, bram;
	} pt[] = {
		{16, 16, 1, "ap_fixed<16,6>", 256, 0},
		{64, 64, 16, "ap_fixed<16,6>", 256, 0},
		{128, 512, 298, "ap_fixed<8,3>", 220, 49},
		{128, 512, 2048, "ap_fixed<8,3>", 32, 29},
	};
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
		CHECK(t->mults == pt[k].dsp, "%ld multipliers", t->mults);
		CHECK(t->dsp == pt[k].dsp, "DSP %ld, Yosys %ld", t->dsp, pt[k].dsp);
		CHECK(t->bram18 == pt[k].bram, "BRAM18 %ld, Yosys %ld", t->bram18, pt[k].bram);
		CHECK(t->ii == pt[k].rf, "II %ld", t->ii);
		CHECK(est.latency_ns == (double)t->latency * P.clock_ns, "latency_ns");
		if (k == 1)
			CHECK(t->lutram_bits == 256L * 16 * 16, "64x64 RF 16: the 16-deep ROM is logic (%ld)",
			      t->lutram_bits);
		estimate_free(&est);
		config_free(&c);
	}
}

/* ---- the calibration data: Yosys and Verilator runs of the emitted RTL ---------------------- */

enum { CAL_MAX = 128, CAL_COLS = 32 };

typedef struct {
	char id[16], proj[48], rf[16], strat[16], tin[48], tw[48], tacc[48], tres[48];
	double lut, ff, dsp, bram, cycles;
	double budget[4];   /* the part's LUT, FF, DSP, BRAM18 */
	double t[EST_N_TERMS];
	estimate est;
} cal_row;

/* Splits a tab-separated line in place; returns the number of fields. */
static int split_tabs(char *line, char **f, int max)
{
	int n = 0;
	char *s = line;
	while (n < max) {
		f[n++] = s;
		char *t = strchr(s, '\t');
		if (!t)
			break;
		*t = 0;
		s = t + 1;
	}
	return n;
}

static int col(char **hdr, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(hdr[i], name) == 0)
			return i;
	printf("calibration data: no column %s\n", name);
	exit(2);
}

/* Least squares of sum_k c_k a_ik ~ y_i on the relative error (rows weighted by 1/y_i), with
 * c_k >= 0 and the terms in fixed[] (>= 0) held, by cyclic coordinate descent until no
 * coefficient moves by 1e-7; row skip (-1: none) is left out (for leave-one-out). */
static void nnls_rel(cal_row *r, int n, int which, const double *fixed, int skip, double *c)
{
	static double a[CAL_MAX][EST_N_TERMS], y[CAL_MAX];
	for (int i = 0; i < n; i++) {
		double yy = which ? r[i].ff : r[i].lut;
		double wgt = i == skip ? 0 : 1;
		for (int k = 0; k < EST_N_TERMS; k++)
			a[i][k] = wgt * r[i].t[k] / yy;
		y[i] = wgt;
	}
	for (int k = 0; k < EST_N_TERMS; k++)
		c[k] = fixed[k] >= 0 ? fixed[k] : 0;
	for (int it = 0; it < 20000; it++) {
		double moved = 0;
		for (int k = 0; k < EST_N_TERMS; k++) {
			if (fixed[k] >= 0)
				continue;
			double num = 0, den = 0;
			for (int i = 0; i < n; i++) {
				double res = y[i];
				for (int m = 0; m < EST_N_TERMS; m++)
					if (m != k)
						res -= c[m] * a[i][m];
				num += a[i][k] * res;
				den += a[i][k] * a[i][k];
			}
			double ck = den > 0 && num > 0 ? num / den : 0;
			moved = fmax(moved, fabs(ck - c[k]));
			c[k] = ck;
		}
		if (moved < 1e-7)
			break;
	}
}

/* The LUT (which 0) or FF (1) count coefficients c give row r. */
static double fitted(const cal_row *r, const double *c)
{
	double e = 0;
	for (int k = 0; k < EST_N_TERMS; k++)
		e += c[k] * r->t[k];
	return e;
}

static double smape(double e, double y)
{
	return e + y == 0 ? 0 : 2 * fabs(e - y) / (e + y);
}

/* Opens tests/data/calib/NAME under $BURN_SRC (a failed check when it cannot). */
static FILE *open_calib(const char *name)
{
	const char *src = getenv("BURN_SRC");
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/calib/%s", src ? src : ".", name);
	FILE *f = fopen(path, "r");
	CHECK(f != NULL, "cannot open %s", path);
	return f;
}

/* Every row of tests/data/calib/yosys.tsv (written by tests/calib.sh): the estimate against
 * Yosys' counts and the cycles Verilator measured; the fitted coefficients refitted. */
static void test_calibration(void)
{
	const char *src = getenv("BURN_SRC");
	FILE *f = open_calib("yosys.tsv");
	if (!f)
		return;
	static cal_row rows[CAL_MAX];
	int n = 0;
	char line[2048], *h[CAL_COLS], hdrbuf[2048];
	if (!fgets(hdrbuf, sizeof hdrbuf, f)) {
		fclose(f);
		CHECK(0, "yosys.tsv is empty");
		return;
	}
	hdrbuf[strcspn(hdrbuf, "\n")] = 0;
	int nh = split_tabs(hdrbuf, h, CAL_COLS);
	int c_id = col(h, nh, "id"), c_proj = col(h, nh, "project"), c_rf = col(h, nh, "rf");
	int c_st = col(h, nh, "strategy"), c_in = col(h, nh, "input"), c_w = col(h, nh, "weight");
	int c_acc = col(h, nh, "accum"), c_res = col(h, nh, "result");
	int c_lut = col(h, nh, "ys_lut"), c_ff = col(h, nh, "ys_ff"), c_dsp = col(h, nh, "ys_dsp");
	int c_bram = col(h, nh, "ys_bram"), c_cyc = col(h, nh, "sim_cycles");
	int c_part[4] = {col(h, nh, "part_lut"), col(h, nh, "part_ff"), col(h, nh, "part_dsp"),
			 col(h, nh, "part_bram")};
	project projs[8];
	char pnames[8][48];
	int np = 0, bad = 0;
	while (n < CAL_MAX && fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		char *v[CAL_COLS];
		if (split_tabs(line, v, CAL_COLS) != nh || !v[c_lut][0])
			continue; /* a config Yosys could not synthesise */
		cal_row *r = &rows[n];
		snprintf(r->id, sizeof r->id, "%s", v[c_id]);
		snprintf(r->proj, sizeof r->proj, "%s", v[c_proj]);
		r->lut = atof(v[c_lut]);
		r->ff = atof(v[c_ff]);
		r->dsp = atof(v[c_dsp]);
		r->bram = atof(v[c_bram]);
		r->cycles = v[c_cyc][0] ? atof(v[c_cyc]) : -1;
		for (int k = 0; k < 4; k++)
			r->budget[k] = atof(v[c_part[k]]);
		int pi = 0;
		while (pi < np && strcmp(pnames[pi], r->proj) != 0)
			pi++;
		berr e;
		if (pi == np) {
			char pp[1100];
			snprintf(pp, sizeof pp, "%s/projects/%s.yaml", src ? src : ".", r->proj);
			if (np == 8 || project_load(pp, true, &projs[np], &e) != 0) {
				printf("calibration: %s: %s\n", pp, np == 8 ? "too many" : e.msg);
				bad++;
				continue;
			}
			snprintf(pnames[np++], sizeof pnames[0], "%s", r->proj);
		}
		char y[1024];
		snprintf(y, sizeof y,
			 "Model:\n  Precision: {default: '%s', weight: '%s', bias: '%s', accum: '%s', "
			 "result: '%s'}\n  ReuseFactor: %s\n  Strategy: %s\nLayerName:\n  input: "
			 "{Precision: {result: '%s'}}\n",
			 v[c_res], v[c_w], v[c_w], v[c_acc], v[c_res], v[c_rf], v[c_st], v[c_in]);
		config c;
		if (config_parse(r->id, y, strlen(y), &projs[pi], &c, &e) != 0 ||
		    estimate_run(&projs[pi], &c, &r->est, &e) != 0 ||
		    estimate_terms(&projs[pi], &c, -1, r->t, &e) != 0) {
			printf("calibration: %s: %s\n", r->id, e.msg);
			bad++;
			continue;
		}
		config_free(&c);
		n++;
	}
	fclose(f);
	CHECK(bad == 0, "%d rows could not be estimated", bad);
	CHECK(n >= CAL_MIN_ROWS, "only %d calibration rows", n);

	double s[4] = {0}, worst[4] = {0};
	int cyc_n = 0, cyc_ok = 0, dsp_ok = 0, bram_ok = 0, fit_agree = 0, fit_ys = 0;
	printf("| id | LUT est/Yosys | FF est/Yosys | DSP est/Yosys | BRAM18 est/Yosys | cycles est/sim |\n");
	for (int i = 0; i < n; i++) {
		cal_row *r = &rows[i];
		layer_estimate *t = &r->est.total;
		double e4[4] = {(double)t->lut, (double)t->ff, (double)t->dsp, (double)t->bram18};
		double y4[4] = {r->lut, r->ff, r->dsp, r->bram};
		for (int k = 0; k < 4; k++) {
			double m = smape(e4[k], y4[k]);
			s[k] += m;
			worst[k] = m > worst[k] ? m : worst[k];
		}
		bool fe = true, fy = true; /* fits the part's budget, by the estimate and by Yosys */
		for (int k = 0; k < 4; k++) {
			fe = fe && e4[k] <= r->budget[k];
			fy = fy && y4[k] <= r->budget[k];
		}
		fit_agree += fe == fy;
		fit_ys += fy;
		dsp_ok += t->dsp == (long)r->dsp;
		bram_ok += t->bram18 == (long)r->bram;
		if (r->cycles >= 0) {
			cyc_n++;
			cyc_ok += t->latency == (long)r->cycles;
			CHECK(t->latency == (long)r->cycles, "%s: estimated latency %ld, rtlsim measured %.0f",
			      r->id, t->latency, r->cycles);
		}
		printf("| %s | %ld/%.0f | %ld/%.0f | %ld/%.0f | %ld/%.0f | %ld/%.0f |\n", r->id, t->lut,
		       r->lut, t->ff, r->ff, t->dsp, r->dsp, t->bram18, r->bram, t->latency, r->cycles);
		if (getenv("BURN_CALIB_TERMS")) {
			for (int k = 0; k < EST_N_TERMS; k++)
				if (r->t[k])
					printf(" %s %.0f", estimate_term_name(k), r->t[k]);
			printf("\n");
		}
	}
	const char *names[4] = {"LUT", "FF", "DSP", "BRAM18"};
	for (int k = 0; k < 4; k++)
		printf("sMAPE %s %.1f%% (worst %.1f%%)\n", names[k], 100 * s[k] / n, 100 * worst[k]);
	printf("DSP exact in %d of %d, BRAM18 in %d of %d, latency = rtlsim cycles in %d of %d\n",
	       dsp_ok, n, bram_ok, n, cyc_ok, cyc_n);
	printf("fit/no-fit against the part's budget: %d of %d agree (%d fit by Yosys)\n", fit_agree, n,
	       fit_ys);
	CHECK(fit_agree == n, "fit/no-fit disagrees in %d rows", n - fit_agree);
	CHECK(cyc_n >= CAL_MIN_CYCLES, "only %d rows with measured cycles", cyc_n);
	/* the bounds docs/ESTIMATE.md reports (a little slack for rounding the coefficients) */
	CHECK(100 * s[0] / n <= CAL_LUT_SMAPE, "LUT sMAPE %.1f%%", 100 * s[0] / n);
	CHECK(100 * s[1] / n <= CAL_FF_SMAPE, "FF sMAPE %.1f%%", 100 * s[1] / n);
	CHECK(100 * s[2] / n <= CAL_DSP_SMAPE, "DSP sMAPE %.1f%%", 100 * s[2] / n);
	CHECK(100 * s[3] / n <= CAL_BRAM_SMAPE, "BRAM18 sMAPE %.1f%%", 100 * s[3] / n);

	/* refit: the fitted coefficients (the others are held at the model's physical values:
	 * terms few rows exercise) next to a fresh least-squares fit on every row, and the
	 * leave-one-out sMAPE: each row predicted by a fit on the others */
	static const int fit_lut[] = {EST_T_BANK_MUX, EST_T_ROM_LUT, EST_T_ACC_FABRIC,
				      EST_T_ACC_CHAIN, EST_T_RESULT, EST_T_RESULT_MODE,
				      EST_T_BIAS_MUX, EST_T_CTRL};
	static const int fit_ff[] = {EST_T_BANK, EST_T_ROM_REG, EST_T_ACC_FABRIC, EST_T_ACC_CHAIN,
				     EST_T_OUT, EST_T_CTRL};
	for (int which = 0; which < 2; which++) {
		const double *model = which ? est_ff_coef : est_lut_coef;
		const int *fit_k = which ? fit_ff : fit_lut;
		int nf = which ? (int)(sizeof fit_ff / sizeof *fit_ff) : (int)(sizeof fit_lut / sizeof *fit_lut);
		double fixed[EST_N_TERMS], c[EST_N_TERMS], cl[EST_N_TERMS];
		for (int k = 0; k < EST_N_TERMS; k++)
			fixed[k] = model[k];
		for (int k = 0; k < nf; k++)
			fixed[fit_k[k]] = -1;
		nnls_rel(rows, n, which, fixed, -1, c);
		double fit = 0, mod = 0, loo = 0, worst_loo = 0, loo_e[CAL_MAX], loo_d = 0;
		int nd = 0;
		const char *worst_id = "";
		for (int i = 0; i < n; i++) {
			double y = which ? rows[i].ff : rows[i].lut;
			fit += smape(fitted(&rows[i], c), y);
			mod += smape(fitted(&rows[i], model), y);
			nnls_rel(rows, n, which, fixed, i, cl);
			loo_e[i] = fitted(&rows[i], cl);
			double m = smape(loo_e[i], y);
			loo += m;
			if (rows[i].t[EST_T_ACC_CHAIN] == 0) { /* D > 1 everywhere */
				loo_d += m;
				nd++;
			}
			if (m > worst_loo) {
				worst_loo = m;
				worst_id = rows[i].id;
			}
		}
		if (getenv("BURN_CALIB_TERMS"))
			for (int i = 0; i < n; i++)
				printf("  %s %s refit %+.0f%%, leave-one-out %+.0f%%\n", which ? "FF" : "LUT",
				       rows[i].id, 100 * (fitted(&rows[i], c) / (which ? rows[i].ff : rows[i].lut) - 1),
				       100 * (loo_e[i] / (which ? rows[i].ff : rows[i].lut) - 1));
		printf("%s on all %d rows: model sMAPE %.1f%%, refit %.1f%%, leave-one-out %.1f%% (worst %s "
		       "%.1f%%; %.1f%% on the %d rows with D > 1):", which ? "FF" : "LUT", n, 100 * mod / n,
		       100 * fit / n, 100 * loo / n, worst_id, 100 * worst_loo, 100 * loo_d / (nd ? nd : 1), nd);
		for (int k = 0; k < nf; k++)
			printf(" %s %.2f (model %.2f)", estimate_term_name(fit_k[k]), c[fit_k[k]],
			       model[fit_k[k]]);
		printf("\n");
		CHECK(mod <= fit + 0.02 * n, "%s: the model is more than 2 points of sMAPE off its refit",
		      which ? "FF" : "LUT");
		CHECK(loo <= (which ? CAL_FF_LOO : CAL_LUT_LOO) * n / 100, "%s: leave-one-out sMAPE %.1f%%",
		      which ? "FF" : "LUT", 100 * loo / n);
	}
	for (int i = 0; i < n; i++)
		estimate_free(&rows[i].est);
	for (int i = 0; i < np; i++)
		project_free(&projs[i]);
}

/* The totals of c on the current block P (-1 DSPs on an error). */
static layer_estimate total(const config *c)
{
	estimate est;
	berr e;
	layer_estimate r = {.dsp = -1};
	if (estimate_run(&P, c, &est, &e) != 0) {
		printf("estimate failed: %s\n", e.msg);
		return r;
	}
	r = est.total;
	estimate_free(&est);
	return r;
}

/* Layers at ReuseFactor 1 with chosen weights (tests/data/calib/const_dsp.tsv: zeros, powers
 * of two, negatives, duplicates on one input, small constants, unsigned inputs), synthesised
 * with Yosys 0.23 for the PYNQ-Z2: the estimate's DSPs are Yosys' count; without the weights
 * it counts every lane (the upper bound), and at RF 2 (a ROM, no constants) too. */
static void test_const_weights(void)
{
	FILE *f = open_calib("const_dsp.tsv");
	if (!f)
		return;
	char line[2048], *h[CAL_COLS];
	int n = 0, nh = 0, c_dsp = 0;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = 0;
		if (nh == 0) {
			static char hdr[2048];
			memcpy(hdr, line, sizeof hdr);
			nh = split_tabs(hdr, h, CAL_COLS);
			c_dsp = col(h, nh, "ys_dsp");
			CHECK(col(h, nh, "raw_weights") == 5, "column order");
			continue;
		}
		char *v[CAL_COLS];
		int nv = split_tabs(line, v, CAL_COLS);
		CHECK(nv == nh, "%s: %d fields", v[0], nv);
		if (nv != nh)
			continue;
		int dims[1][2] = {{atoi(v[3]), atoi(v[4])}};
		mkblock(1, dims);
		L[0].bias = false;
		fx_type tw = t_type(v[2]);
		long nw = (long)dims[0][0] * dims[0][1], k = 0;
		double *w = calloc((size_t)nw, sizeof *w);
		CHECK(w != NULL, "out of memory");
		if (!w)
			break;
		for (char *t = strtok(v[5], " "); t && k < nw; t = strtok(NULL, " "))
			w[k++] = ldexp(atof(t), -fx_frac(&tw));
		CHECK(k == nw, "%s: %ld weights for %ld", v[0], k, nw);
		char y[512];
		snprintf(y, sizeof y,
			 "Model:\n  Precision: {default: '%s', weight: '%s', accum: 'ap_fixed<32,12>'}\n"
			 "  ReuseFactor: 1\n", v[1], v[2]);
		config c;
		cfg(y, &c);
		L[0].w = w;
		CHECK(estimate_needs_weights(&P, &c), "%s: RF 1 needs the weights", v[0]);
		layer_estimate with = total(&c);
		CHECK(with.dsp == atol(v[c_dsp]), "%s: %ld DSP estimated, Yosys %s", v[0], with.dsp,
		      v[c_dsp]);
		L[0].w = NULL;
		layer_estimate without = total(&c);
		CHECK(without.dsp == without.mults && with.dsp <= without.dsp,
		      "%s: without the weights %ld DSP for %ld multipliers", v[0], without.dsp,
		      without.mults);
		L[0].w = w;
		c.layers[0].reuse = 2;
		CHECK(!estimate_needs_weights(&P, &c), "%s: RF 2 reads a ROM", v[0]);
		layer_estimate rom = total(&c);
		CHECK(rom.dsp == rom.mults, "%s: RF 2: %ld DSP for %ld multipliers", v[0], rom.dsp,
		      rom.mults);
		L[0].w = NULL;
		free(w);
		config_free(&c);
		n++;
	}
	fclose(f);
	CHECK(n >= 12, "only %d layers in const_dsp.tsv", n);
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
	return total(c);
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
		c.input = t_type("ap_fixed<16,6>");
		char s[64];
		snprintf(s, sizeof s, "ap_fixed<%ld,%ld>", 2 + rnd(40), rnd(8));
		lc.weight = t_type(s);
		lc.bias = t_type("ap_fixed<16,6>");
		lc.accum = t_type(rnd(2) ? "ap_fixed<32,16>" : "ap_fixed<56,20>");
		lc.result = t_type("ap_fixed<16,6>");
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
		/* wider weights never lower the ROM's cost as Yosys weighs it (129 per BRAM18, 1/64
		 * per logic bit): the BRAM count alone may fall when a ROM goes back to logic */
		lc.reuse = 1 + rnd(n + 1);
		layer_estimate pw = {0};
		for (int w = 1; w <= 64; w++) {
			lc.weight.w = w;
			lc.weight.i = 1;
			layer_estimate cur = one(n_in, n_out, &c);
			if (w > 1)
				bad_bram += cur.bram18 * 64 * 129 + cur.lutram_bits <
					    pw.bram18 * 64 * 129 + pw.lutram_bits;
			pw = cur;
			runs++;
		}
	}
	CHECK(bad_dsp == 0, "DSP rose with RF %d times", bad_dsp);
	CHECK(bad_mults == 0, "multipliers rose with RF %d times", bad_mults);
	CHECK(bad_ii == 0, "II fell with RF %d times", bad_ii);
	CHECK(bad_bram == 0, "ROM cost fell with wider weights %d times", bad_bram);
	CHECK(runs > 1000, "only %d runs", runs);
}

/* The estimator's accumulators are the RTL's (rtl_accum_exact): layers whose accumulator the
 * types alone do not prove exact, but the loaded weights do (small weights; non-negative
 * weights on unsigned inputs into an unsigned accumulator), and ones where neither does.
 * With the weights, the estimate drops the quantizer, and the fabric accumulator (the product
 * is unshifted, one DSP), exactly where rtl_emit builds a plain adder; without them it keeps
 * both, and estimate_needs_weights asks for them. */
static void test_exact_agrees(void)
{
	struct {
		const char *in, *w, *acc;
		double lo, hi; /* the weights and biases are drawn from [lo, hi) */
		bool exact;    /* by the weights */
	} cs[] = {
		/* 16 products of |x| <= 4, |w| <= 2 reach 128; an accumulator of +-32 holds
		 * 16 * 4 * 0.05 */
		{"ap_fixed<8,3>", "ap_fixed<8,2>", "ap_fixed<17,6>", -0.05, 0.05, true},
		{"ap_fixed<8,3>", "ap_fixed<8,2>", "ap_fixed<17,6>", -1.9, 1.9, false},
		/* an unsigned accumulator: the types allow negative weights, these are not */
		{"ap_ufixed<8,3>", "ap_fixed<8,2>", "ap_ufixed<18,7>", 0, 0.5, true},
		{"ap_ufixed<8,3>", "ap_fixed<8,2>", "ap_ufixed<18,7>", -0.5, 0.5, false},
		/* saturating and rounding modes do not matter when nothing overflows or rounds */
		{"ap_fixed<10,4>", "ap_fixed<6,1>", "ap_fixed<16,5,AP_RND,AP_SAT>", -0.08, 0.08, true},
	};
	int dims[1][2] = {{16, 12}};
	double w[16 * 12], b[12];
	for (size_t k = 0; k < sizeof cs / sizeof cs[0]; k++) {
		mkblock(1, dims);
		for (int i = 0; i < 16 * 12; i++)
			w[i] = cs[k].lo + (cs[k].hi - cs[k].lo) * (double)rnd(1000) / 1000;
		for (int j = 0; j < 12; j++)
			b[j] = cs[k].lo + (cs[k].hi - cs[k].lo) * (double)rnd(1000) / 1000;
		char y[512];
		snprintf(y, sizeof y,
			 "Model:\n  Precision: {default: '%s', weight: '%s', bias: '%s', accum: '%s'}\n"
			 "  ReuseFactor: 4\nLayerName:\n  input: {Precision: {result: '%s'}}\n",
			 cs[k].in, cs[k].w, cs[k].w, cs[k].acc, cs[k].in);
		config c;
		cfg(y, &c);
		berr e;
		double t0[EST_N_TERMS], t1[EST_N_TERMS];
		CHECK(estimate_needs_weights(&P, &c), "case %zu: the types do not prove exactness", k);
		CHECK(!rtl_accum_exact(&L[0], &c.input, &c.layers[0]), "case %zu: exact by the types", k);
		CHECK(estimate_terms(&P, &c, 0, t0, &e) == 0, "%s", e.msg);
		CHECK(t0[EST_T_QUANT] > 0 && t0[EST_T_ACC_FABRIC] > 0,
		      "case %zu: without the weights a quantizing fabric accumulator", k);
		L[0].w = w;
		L[0].b = b;
		rtl_design d;
		int rc = rtl_emit(&P, &c, &d, &e);
		CHECK(rc == 0, "case %zu: %s", k, e.msg);
		CHECK(rc != 0 || d.layers[0].exact_accum == cs[k].exact, "case %zu: the RTL's accumulator is %s",
		      k, rc == 0 && d.layers[0].exact_accum ? "exact" : "quantizing");
		if (rc == 0)
			rtl_free(&d);
		CHECK(estimate_terms(&P, &c, 0, t1, &e) == 0, "%s", e.msg);
		CHECK((t1[EST_T_QUANT] == 0) == cs[k].exact && (t1[EST_T_ACC_FABRIC] == 0) == cs[k].exact,
		      "case %zu: with the weights quant %.0f, acc_fabric %.0f", k, t1[EST_T_QUANT],
		      t1[EST_T_ACC_FABRIC]);
		layer_estimate without = {0}, with = total(&c);
		L[0].w = NULL;
		L[0].b = NULL;
		without = total(&c);
		CHECK(cs[k].exact ? with.lut < without.lut : with.lut == without.lut,
		      "case %zu: LUT %ld with the weights, %ld without", k, with.lut, without.lut);
		config_free(&c);
	}
	/* an accumulator the types prove exact needs no weights (hls4ml's auto) */
	mkblock(1, dims);
	config c;
	cfg("Model:\n  Precision: {default: 'ap_fixed<8,3>', weight: 'ap_fixed<8,2>', accum: auto}\n"
	    "  ReuseFactor: 4\n", &c);
	CHECK(!estimate_needs_weights(&P, &c), "auto accumulator: no weights needed");
	CHECK(rtl_accum_exact(&L[0], &c.input, &c.layers[0]), "auto accumulator: exact by the types");
	config_free(&c);
}

static void test_mult_mapping(void)
{
	config c = {0};
	layer_cfg lc = {0};
	c.n_layers = 1;
	c.layers = &lc;
	lc.bias = t_type("ap_fixed<8,3>");
	lc.accum = t_type("ap_fixed<24,10>");
	lc.result = t_type("ap_fixed<8,3>");
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
		c.input = t_type(m[k].in);
		lc.weight = t_type(m[k].w);
		layer_estimate r = one(8, 8, &c);
		CHECK(r.dsp == m[k].dsp_per_mult * r.mults, "%s x %s: %ld DSP for %ld multipliers", m[k].in,
		      m[k].w, r.dsp, r.mults);
		if (m[k].dsp_per_mult == 0)
			CHECK(r.lut > 0, "soft multiplier costs LUTs");
	}
	/* DSP48E2 (27x18) takes a 27-bit operand in one slice */
	c.input = t_type("ap_fixed<27,6>");
	lc.weight = t_type("ap_fixed<16,6>");
	int dims[1][2] = {{8, 8}};
	mkblock(1, dims);
	P.part.dsp_a = 27;
	estimate est;
	berr e;
	CHECK(estimate_run(&P, &c, &est, &e) == 0 && est.total.dsp == est.total.mults, "27x16 on E2");
	estimate_free(&est);
	/* an accumulator wider than the P register moves to fabric (both exact and aligned with
	 * the 20 fractional bits of the products) */
	c.input = t_type("ap_fixed<16,6>");
	lc.accum = t_type("ap_fixed<48,28>");
	layer_estimate narrow = one(8, 8, &c);
	lc.accum = t_type("ap_fixed<49,29>");
	layer_estimate wide = one(8, 8, &c);
	CHECK(wide.lut - narrow.lut >= wide.mults * 48, "fabric accumulators: %ld -> %ld LUT", narrow.lut,
	      wide.lut);
}

static void test_latency_totals(void)
{
	/* 16x16 RF 1: the RTL's 16-lane chains, 16 slots of 1 cycle plus 5 (kernels/rtl.c) */
	int d1[1][2] = {{16, 16}};
	mkblock(1, d1);
	config c;
	config_default(&P, &c);
	estimate est;
	berr e;
	CHECK(estimate_run(&P, &c, &est, &e) == 0, "%s", e.msg);
	CHECK(est.total.latency == 21 && est.total.ii == 1, "latency %ld ii %ld", est.total.latency,
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
	test_exact_agrees();
	test_latency_totals();
	test_large();
	test_const_weights();
	test_calibration();
	return t_done("test_estimate");
}
