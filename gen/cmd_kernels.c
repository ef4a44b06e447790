/* cmd_kernels.c - burn kernels: the golden suites of the quantised GEMV kernels checked three
 * ways (C integer golden vs an OpenBLAS float reference within the quantisation bound, RTL vs
 * C bit for bit), and Yosys resources of the GEMV engines (docs/KERNELS.md).
 *
 * The engines' Verilator builds are cached as burn rtlsim's are (gen/verilate.h): one build
 * per engine parameterisation, the key hashing the Verilator version, its arguments and the
 * bytes of the Verilog and testbench. */
#define _XOPEN_SOURCE 700 /* mkdtemp */
#include <cblas.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/json.h"
#include "gen/proc.h"
#include "gen/project.h"
#include "gen/rng.h"
#include "gen/synthrep.h"
#include "gen/verilate.h"
#include "kernels/gemv_roof.h"
#include "kernels/gemv_suite.h"
#include "kernels/rope.h"
#include "kernels/rtl_gemv.h"
#include "kernels/softmax.h"

const char usage_kernels[] =
	"usage: burn kernels check [--suite qwen-int4|nanocoder-w8a8|all] [--quick] [--no-rtl]\n"
	"                          [--case SUBSTRING] [-o OUT.json] [--timeout S]\n"
	"       burn kernels synth --engine w8a8|w4a8 --lanes P [--group G] -o OUT.json\n"
	"                          [--family xc7|xcup] [--timeout S]\n"
	"       burn kernels roofline [-o OUT.json] [--timeout S]\n"
	"       burn kernels attn\n"
	"\n"
	"check: runs the golden GEMV cases (docs/KERNELS.md): the Qwen2.5-1.5B INT4 groupwise\n"
	"suite (168 cases) and the NanoCoder W8A8 suite (49 cases). Each case is checked three\n"
	"ways: the C integer kernel's dequantised output against an OpenBLAS float reference\n"
	"within the bound derived from the quantisation, and the Verilator simulation of the\n"
	"RTL engine against the C integers bit for bit (large shapes: a tile of rows, named in the\n"
	"case's line). Prints one line per case and ends with \"N passed, M failed\".\n"
	"\n"
	"  --suite S       qwen-int4, nanocoder-w8a8 or all (default all)\n"
	"  --quick         a few cases of each suite (what make check runs)\n"
	"  --no-rtl        skip the RTL check (said so in the output)\n"
	"  --case SUB      only the cases whose name contains SUB\n"
	"  -o OUT.json     per-case results (errors, bounds, simulated cycles), atomically\n"
	"  --timeout S     limit per Verilator build or simulation (default 600)\n"
	"\n"
	"synth: out-of-context Yosys synthesis (synth_xilinx -noiopad, under the given family) of\n"
	"one engine parameterisation; writes its LUT/FF/DSP/BRAM counts as JSON.\n"
	"\n"
	"roofline: for each configuration (NanoCoder v1/v2 on a PYNQ-Z2 with W8A8 engines,\n"
	"Qwen2.5-1.5B on an AWS F2 with INT4 engines), the compute-bound (MACs / lanes x clock)\n"
	"and memory-bound (weight bytes per token / bandwidth) latency of a whole decoder pass,\n"
	"and the latency of the engines' simulated cycles on every GEMV of that pass (checked\n"
	"bit-exact against C); prints a Markdown table.\n"
	"\n"
	"attn: the error of the fixed-point softmax (exp table + reciprocal) and RoPE kernels\n"
	"against double precision, as Markdown tables, and the RoPE unit's RTL co-simulated\n"
	"bit-exact against C (exits 1 if it differs or Verilator is missing).\n";

#define KDEFAULT_TIMEOUT 600.0

/* Verilator's command line before the parameters, defines and files (TOOLS.md). */
static const char *const vl_args[] = {
	"verilator", "--cc", "--exe", "--build", "-j", "2", "--x-assign", "fast", "--x-initial",
	"fast", "-Wno-fatal", "-Wno-lint", "-Wno-style", "--Mdir", "obj_dir", "-o", "Vtop",
	"-MAKEFLAGS", "OPT_FAST=-O1",
};
enum { N_VL_ARGS = sizeof vl_args / sizeof vl_args[0] };

/* The folder of the engines' Verilog and testbench; $BURN_GEMV_RTL overrides it (tests use it
 * to check that a broken engine is caught). */
static const char *rtl_dir(void)
{
	const char *d = getenv("BURN_GEMV_RTL");
	return d && *d ? d : BURN_DATADIR "/kernels/rtl_gemv";
}

/* One source file of an engine, read from rtl_dir. */
typedef struct {
	const char *name;
	char *data;
	size_t len;
} kfile;

/* Makes a scratch folder $TMPDIR/PREFIX-XXXXXX for this run (dies if it cannot). */
static char *new_scratch(const char *prefix)
{
	const char *td = getenv("TMPDIR");
	strbuf b = {0};
	sb_printf(&b, "%s/%s-XXXXXX", td && *td ? td : "/tmp", prefix);
	if (!mkdtemp(b.s))
		die(EXIT_INTERNAL, "%s: cannot create a scratch folder: %s", b.s, strerror(errno));
	return b.s;
}

/* Removes a scratch folder of this run and frees its name; a failure is a warning. */
static void drop_scratch(char *dir)
{
	berr e;
	if (rm_tree(dir, &e) != 0)
		warn("%s", e.msg);
	free(dir);
}

/* Most files of a design. */
enum { KMAX_FILES = 4 };

/* A design to simulate or synthesise: a GEMV engine (g set) or the RoPE unit (g NULL). Its
 * files are the Verilog, then the testbench and the header the testbenches share. */
typedef struct {
	const gemv_engine *g;
	const char *top;
	const char *files[KMAX_FILES];
	int nf;
	const char *extra[8]; /* further Verilator arguments (parameters) */
	int nextra;
} kdesign;

static kdesign design_gemv(const gemv_engine *g)
{
	return (kdesign){g, gemv_engine_top(g),
			 {"gemv_lib.v", g->w4 ? "gemv_w4a8.v" : "gemv_w8a8.v", "tb_gemv.cpp", "tb_common.h"},
			 4, {NULL}, 0};
}

static kdesign design_rope(void)
{
	return (kdesign){NULL, "rope_rot", {"rope_rot.v", "tb_rope.cpp", "tb_common.h"}, 3, {NULL}, 0};
}

/* The softmax unit as sm_check builds it: 8 fractional bits, table step 2^-6, 1,024 entries
 * (range 16), vectors up to 1,024 scores. */
enum { SMU_FRAC = 8, SMU_SB = 6, SMU_TN = 1024, SMU_NMAX = 1024 };
static kdesign design_softmax(void)
{
	return (kdesign){NULL, "softmax_unit", {"softmax_unit.v", "tb_softmax.cpp", "tb_common.h"}, 3,
			 {"-GFRAC=8", "-GSB=6", "-GTN=1024", "-GLT=10", "-GNMAX=1024", "-GLN=10"}, 6};
}

/* Reads the design's Verilog and testbench into f[0..d->nf). */
static int read_sources(const kdesign *d, kfile f[KMAX_FILES], berr *e)
{
	for (int i = 0; i < d->nf; i++)
		f[i].name = d->files[i];
	for (int i = 0; i < d->nf; i++) {
		char *p = path_join(rtl_dir(), f[i].name);
		int rc = read_file(p, (size_t)1 << 20, &f[i].data, &f[i].len, e);
		free(p);
		if (rc != 0) {
			for (int j = 0; j < i; j++)
				free(f[j].data);
			return -1;
		}
	}
	return 0;
}

/* A growing argv. */
typedef struct {
	char **v;
	int n;
	char **own_list;
	int n_own;
} argvec;

static void av_add(argvec *a, const char *s)
{
	a->v = xreallocarray(a->v, (size_t)a->n + 2, sizeof *a->v);
	a->v[a->n++] = (char *)s;
	a->v[a->n] = NULL;
}

static void av_addf(argvec *a, const char *s)
{
	a->own_list = xreallocarray(a->own_list, (size_t)a->n_own + 1, sizeof *a->own_list);
	a->own_list[a->n_own++] = xstrdup(s);
	av_add(a, a->own_list[a->n_own - 1]);
}

static void av_free(argvec *a)
{
	for (int i = 0; i < a->n_own; i++)
		free(a->own_list[i]);
	free(a->own_list);
	free(a->v);
	memset(a, 0, sizeof *a);
}

static void put_gparam(void *ctx, const char *name, long v)
{
	char buf[64];
	snprintf(buf, sizeof buf, "-G%s=%ld", name, v);
	av_addf(ctx, buf);
}

/* The Verilator command line of design d (without the files). */
static void engine_args(const kdesign *d, argvec *a)
{
	const gemv_engine *g = d->g;
	for (int i = 0; i < N_VL_ARGS; i++)
		av_add(a, vl_args[i]);
	av_add(a, "--top-module");
	av_add(a, d->top);
	if (g)
		gemv_engine_params(g, put_gparam, a);
	for (int i = 0; i < d->nextra; i++)
		av_add(a, d->extra[i]);
	if (g && g->w4) {
		av_add(a, "-CFLAGS");
		av_add(a, "-DGEMV_W4");
	}
}

/* An engine's simulator (gen/verilate.h). */
typedef struct {
	gemv_engine g;
	vl_build vb;
} kbuild;

/* Finds design d's simulator in the cache or builds it (without a cache, under scratch). */
static int engine_build(const kdesign *d, const char *version, const char *scratch,
			const char *log, double timeout, kbuild *kb, berr *e)
{
	memset(kb, 0, sizeof *kb);
	if (d->g)
		kb->g = *d->g;
	kfile f[KMAX_FILES];
	if (read_sources(d, f, e) != 0)
		return -1;
	argvec a = {0};
	engine_args(d, &a);
	vl_file vf[KMAX_FILES];
	for (int i = 0; i < d->nf; i++) {
		size_t n = strlen(f[i].name);
		bool header = n > 2 && strcmp(f[i].name + n - 2, ".h") == 0;
		vf[i] = (vl_file){f[i].name, f[i].data, f[i].len, !header};
	}
	vl_spec s = {(const char *const *)a.v, a.n, "Vtop", vf, d->nf, version};
	berr be;
	int rc = vl_get(&s, scratch, log, timeout, &kb->vb, &be);
	if (rc != 0)
		errf(e, "%s P=%d: %s", d->top, d->g ? d->g->p : 0, be.msg);
	av_free(&a);
	for (int i = 0; i < d->nf; i++)
		free(f[i].data);
	return rc;
}

/* The options of burn kernels check. */
typedef struct {
	const char *suite, *only, *out;
	bool quick, no_rtl;
	double timeout;
} kargs;

/* The RTL check of one case: simulates its tile and compares with the C integers. Returns 0
 * with *diff set (empty when bit-exact), -1 with e set if the simulation could not run. */
static int rtl_case(const gemv_case *c, const gemv_run *r, const kbuild *kb, const char *scratch,
		    double timeout, strbuf *diff, long *cycles, berr *e)
{
	strbuf stim = {0};
	int rc = -1;
	int st = c->w4 ? gemv_rtl_stim_w4(&stim, &kb->g, &r->m, c->row0, c->nrows, r->x8, c->stall, e)
		       : gemv_rtl_stim_w8(&stim, &kb->g, r->w8, c->cols, c->row0, c->nrows, r->x8,
					  r->rq, c->stall, e);
	char *sp = path_join(scratch, "stim.txt"), *op = path_join(scratch, "out.txt");
	char *lp = path_join(scratch, "sim.log");
	char *text = NULL;
	size_t len;
	gemv_rtl_out o = {0};
	if (st != 0 || write_file_atomic(sp, stim.s, stim.len, false, e) != 0)
		goto out;
	remove(op);
	char *argv[] = {kb->vb.bin, sp, op, NULL};
	proc_result pr;
	if (proc_run(argv, NULL, lp, timeout, &pr, e) != 0)
		goto out;
	if (pr.status != 0) {
		char buf[64];
		errf(e, "simulation %s: %s", proc_describe(&pr, buf, sizeof buf),
		     pr.tail[0] ? pr.tail : "(no output)");
		goto out;
	}
	if (read_file(op, (size_t)64 << 20, &text, &len, e) != 0 ||
	    gemv_rtl_parse(text, c->w4, c->nrows, &o, e) != 0)
		goto out;
	for (int i = 0; i < c->nrows && !diff->len; i++) {
		int row = c->row0 + i;
		int64_t want = c->w4 ? r->acc64[row] : r->acc32[row];
		if (o.acc[i] != want)
			sb_printf(diff, "row %d: RTL acc %lld, C %lld", row, (long long)o.acc[i],
				  (long long)want);
		else if (!c->w4 && o.y[i] != r->y8[row])
			sb_printf(diff, "row %d: RTL y %d, C %d", row, o.y[i], r->y8[row]);
	}
	*cycles = o.cycles;
	rc = 0;
out:
	gemv_rtl_out_free(&o);
	free(text);
	free(sp);
	free(op);
	free(lp);
	sb_free(&stim);
	return rc;
}

/* Finds or builds the simulator of engine g among the n builds of this run. */
static const kbuild *get_build(kbuild **b, int *n, const gemv_engine *g, const char *version,
			       const char *scratch, double timeout, berr *e)
{
	for (int i = 0; i < *n; i++)
		if ((*b)[i].g.w4 == g->w4 && (*b)[i].g.p == g->p && (*b)[i].g.group == g->group)
			return (*b)[i].vb.bin ? &(*b)[i] : (errf(e, "its engine did not build"), NULL);
	*b = xreallocarray(*b, (size_t)*n + 1, sizeof **b);
	kbuild *k = &(*b)[(*n)++];
	char *log = path_join(scratch, "verilator.log");
	kdesign d = design_gemv(g);
	int rc = engine_build(&d, version, scratch, log, timeout, k, e);
	free(log);
	if (rc != 0) {
		k->g = *g;
		return NULL;
	}
	if (k->vb.cached)
		printf("Verilator build of %s P=%d%s%.0d: found in the cache\n", gemv_engine_top(g),
		       g->p, g->w4 ? " G=" : "", g->w4 ? g->group : 0);
	else
		printf("Verilator build of %s P=%d%s%.0d: built in %.1f s\n", gemv_engine_top(g),
		       g->p, g->w4 ? " G=" : "", g->w4 ? g->group : 0, k->vb.seconds);
	return k;
}

static int parse_kargs(int argc, char **argv, kargs *a)
{
	memset(a, 0, sizeof *a);
	a->suite = "all";
	a->timeout = KDEFAULT_TIMEOUT;
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--quick") == 0) {
			a->quick = true;
		} else if (strcmp(s, "--no-rtl") == 0) {
			a->no_rtl = true;
		} else if (!strcmp(s, "--suite") || !strcmp(s, "-o") || !strcmp(s, "--case") ||
			   !strcmp(s, "--timeout")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "burn kernels: option '%s' needs a value\n", s);
				return -1;
			}
			const char *v = argv[++i];
			if (s[1] == 'o')
				a->out = v;
			else if (s[2] == 's')
				a->suite = v;
			else if (s[2] == 'c')
				a->only = v;
			else if (parse_double(v, &a->timeout) != 0 || !(a->timeout > 0)) {
				fprintf(stderr, "burn kernels: --timeout '%s' is not a positive number "
						"of seconds\n", v);
				return -1;
			}
		} else {
			fprintf(stderr, "burn kernels check: unknown argument '%s'\n%s", s,
				usage_kernels);
			return -1;
		}
	}
	return 0;
}

static int kernels_check(int argc, char **argv)
{
	kargs a;
	if (parse_kargs(argc, argv, &a) != 0)
		return EXIT_BADINPUT;
	berr e;
	gemv_case *cases;
	int n;
	if (gemv_suite_cases(a.suite, a.quick, &cases, &n, &e) != 0) {
		fprintf(stderr, "burn kernels: %s\n", e.msg);
		return EXIT_BADINPUT;
	}
	openblas_set_num_threads(1);
	char *version = a.no_rtl ? NULL : proc_version("verilator", "--version");
	if (!a.no_rtl && !version)
		printf("verilator not found in PATH (or `verilator --version` failed): the RTL "
		       "checks cannot run and count as failed (install Verilator, or pass --no-rtl)\n");
	if (a.no_rtl)
		printf("--no-rtl: the RTL checks are skipped; only C vs float is checked\n");
	char *scratch = new_scratch("burn-kernels");
	kbuild *builds = NULL;
	int nb = 0, pass = 0, fail = 0;
	strbuf js = {0};
	jw w;
	jw_init(&w, &js);
	jw_obj(&w);
	jw_kstr(&w, "suite", a.suite);
	jw_kbool(&w, "quick", a.quick);
	jw_kbool(&w, "rtl", !a.no_rtl);
	jw_key(&w, "cases");
	jw_arr(&w);
	for (int i = 0; i < n; i++) {
		const gemv_case *c = &cases[i];
		if (a.only && !strstr(c->name, a.only))
			continue;
		gemv_run r;
		strbuf why = {0}, diff = {0};
		long cycles = -1;
		if (gemv_case_run(c, &r, &e) != 0) {
			sb_printf(&why, "C kernel: %s", e.msg);
		} else if (r.n_bad) {
			sb_printf(&why, "C vs float: %d rows outside the bound, first row %d: |err| "
				  "%.6g > bound %.6g", r.n_bad, r.first_bad, r.bad_err, r.bad_bound);
		}
		if (!why.len && !a.no_rtl) {
			gemv_engine g = {c->w4, c->p, c->w4 ? c->group : 0};
			const kbuild *kb = version ? get_build(&builds, &nb, &g, version, scratch,
							       a.timeout, &e) : NULL;
			if (!version)
				sb_puts(&why, "RTL: verilator not found");
			else if (!kb)
				sb_printf(&why, "RTL: %s", e.msg);
			else if (rtl_case(c, &r, kb, scratch, a.timeout, &diff, &cycles, &e) != 0)
				sb_printf(&why, "RTL: %s", e.msg);
			else if (diff.len)
				sb_printf(&why, "RTL vs C: %s", diff.s);
		}
		bool ok = !why.len;
		char tile[64] = "";
		if (!a.no_rtl && c->nrows < c->rows)
			snprintf(tile, sizeof tile, ", RTL tile rows %d-%d of %d", c->row0,
				 c->row0 + c->nrows - 1, c->rows);
		if (ok) {
			pass++;
			printf("ok   %s (%dx%d, max err %.3g = %.2f of bound%s%s", c->name, c->rows,
			       c->cols, r.max_err, r.max_ratio, a.no_rtl ? "" : ", RTL bit-exact",
			       tile);
			if (cycles >= 0)
				printf(", %ld cycles", cycles);
			printf(")\n");
		} else {
			fail++;
			printf("FAIL %s: %s%s\n", c->name, why.s, tile);
		}
		fflush(stdout);
		jw_obj(&w);
		jw_kstr(&w, "name", c->name);
		jw_kstr(&w, "kernel", c->w4 ? "w4a8" : "w8a8");
		jw_klong(&w, "rows", c->rows);
		jw_klong(&w, "cols", c->cols);
		if (c->w4) {
			jw_klong(&w, "group", c->group);
			jw_kbool(&w, "zero_points", c->zero);
		}
		jw_klong(&w, "lanes", c->p);
		jw_klong(&w, "rtl_row0", c->row0);
		jw_klong(&w, "rtl_rows", c->nrows);
		jw_klong(&w, "stall_seed", c->stall);
		jw_kdouble(&w, "max_err", r.max_err);
		jw_kdouble(&w, "max_err_over_bound", r.max_ratio);
		if (cycles >= 0)
			jw_klong(&w, "cycles", cycles);
		else
			jw_key(&w, "cycles"), jw_null(&w);
		jw_kstr(&w, "status", ok ? "ok" : "failed");
		if (!ok)
			jw_kstr(&w, "error", why.s);
		jw_end_obj(&w);
		gemv_run_free(&r);
		sb_free(&why);
		sb_free(&diff);
	}
	jw_end_arr(&w);
	jw_klong(&w, "passed", pass);
	jw_klong(&w, "failed", fail);
	jw_end_obj(&w);
	sb_puts(&js, "\n");
	int rc = 0;
	if (a.out && write_file_atomic(a.out, js.s, js.len, false, &e) != 0) {
		fprintf(stderr, "burn kernels: %s\n", e.msg);
		rc = EXIT_INTERNAL;
	}
	printf("%d passed, %d failed\n", pass, fail);
	for (int i = 0; i < nb; i++)
		vl_free(&builds[i].vb);
	free(builds);
	drop_scratch(scratch);
	free(version);
	free(cases);
	sb_free(&js);
	return rc ? rc : fail ? 1 : 0;
}

/* Appends " -set NAME V" to a chparam line. */
static void put_chparam(void *ctx, const char *name, long v)
{
	sb_printf(ctx, " -set %s %ld", name, v);
}

/* burn kernels synth: Yosys out of context on one engine parameterisation. */
static int kernels_synth(int argc, char **argv)
{
	gemv_engine g = {false, 0, 0};
	const char *out = NULL, *family = "xc7";
	double timeout = 3600;
	long v;
	for (int i = 2; i < argc; i++) {
		const char *s = argv[i];
		if (i + 1 >= argc) {
			fprintf(stderr, "burn kernels synth: '%s' needs a value\n%s", s, usage_kernels);
			return EXIT_BADINPUT;
		}
		const char *a = argv[++i];
		if (strcmp(s, "--engine") == 0 && (!strcmp(a, "w8a8") || !strcmp(a, "w4a8")))
			g.w4 = a[1] == '4';
		else if (strcmp(s, "--lanes") == 0 && parse_long(a, &v) == 0 && v > 0 && v <= 64)
			g.p = (int)v;
		else if (strcmp(s, "--group") == 0 && parse_long(a, &v) == 0 && v > 0 && v <= 128)
			g.group = (int)v;
		else if (strcmp(s, "--family") == 0 && (!strcmp(a, "xc7") || !strcmp(a, "xcup")))
			family = a;
		else if (strcmp(s, "--timeout") == 0 && parse_double(a, &timeout) == 0 && timeout > 0)
			;
		else if (strcmp(s, "-o") == 0)
			out = a;
		else {
			fprintf(stderr, "burn kernels synth: bad option or value '%s %s'\n%s", s, a,
				usage_kernels);
			return EXIT_BADINPUT;
		}
	}
	berr e = {{0}};
	if (!out || gemv_engine_check(&g, &e) != 0) {
		fprintf(stderr, "burn kernels synth: %s\n%s", out ? e.msg : "-o is required",
			usage_kernels);
		return EXIT_BADINPUT;
	}
	char *version = proc_version("yosys", "-V");
	if (!version) {
		fprintf(stderr, "burn kernels synth: yosys not found in PATH (or `yosys -V` failed)\n");
		return EXIT_INTERNAL;
	}
	kfile f[KMAX_FILES];
	kdesign d = design_gemv(&g);
	if (read_sources(&d, f, &e) != 0)
		die(EXIT_BADINPUT, "kernels synth: %s", e.msg);
	char *work = new_scratch("burn-ksynth");
	strbuf ys = {0}, res = {0};
	sb_printf(&ys, "# written by burn kernels synth\nread_verilog -defer %s %s\nchparam",
		  f[0].name, f[1].name);
	gemv_engine_params(&g, put_chparam, &ys);
	sb_printf(&ys, " %s\nsynth_xilinx -flatten -family %s -noiopad -top %s\n"
		  "tee -q -o stat.json stat -json\n", gemv_engine_top(&g), family,
		  gemv_engine_top(&g));
	int rc = EXIT_INTERNAL;
	for (int i = 0; i < 2; i++) {
		char *p = path_join(work, f[i].name);
		int wrc = write_file_atomic(p, f[i].data, f[i].len, false, &e);
		free(p);
		if (wrc != 0)
			goto out;
	}
	char *ysp = path_join(work, "synth.ys"), *log = path_join(work, "yosys.log");
	int wrc = write_file_atomic(ysp, ys.s, ys.len, false, &e);
	free(ysp);
	char *argv_y[] = {"yosys", "-Q", "-s", "synth.ys", NULL};
	proc_result pr;
	if (wrc != 0 || proc_run(argv_y, work, log, timeout, &pr, &e) != 0) {
		free(log);
		goto out;
	}
	free(log);
	synthrep r;
	sr_init(&r);
	char *stp = path_join(work, "stat.json"), *text = NULL;
	size_t len;
	if (pr.status != 0) {
		char buf[64];
		strbuf msg = {0};
		sb_printf(&msg, "yosys %s", proc_describe(&pr, buf, sizeof buf));
		sr_add_tail(&msg, pr.tail);
		sr_write_failed(&res, "kernels-synth", "yosys", version, msg.s, pr.seconds);
		sb_free(&msg);
	} else if (read_file(stp, SR_MAX_BYTES, &text, &len, &e) != 0 ||
		   sr_yosys_stat(text, len, &r, &e) != 0) {
		sr_write_failed(&res, "kernels-synth", "yosys", version, e.msg, pr.seconds);
	} else {
		sr_write(&res, "kernels-synth", "yosys", version, &r, pr.seconds);
		rc = 0;
	}
	free(stp);
	free(text);
	if (write_file_atomic(out, res.s, res.len, false, &e) != 0)
		rc = EXIT_INTERNAL;
	else
		printf("%s %s P=%d%s%.0d on %s: %s (%.0f s)\n", "synth", gemv_engine_top(&g), g.p,
		       g.w4 ? " G=" : "", g.w4 ? g.group : 0, family, rc ? "failed" : "ok",
		       pr.seconds);
out:
	if (rc == EXIT_INTERNAL && e.msg[0])
		fprintf(stderr, "burn kernels synth: %s\n", e.msg);
	for (int i = 0; i < d.nf; i++)
		free(f[i].data);
	drop_scratch(work);
	free(version);
	sb_free(&ys);
	sb_free(&res);
	return rc;
}

/* A roofline configuration: a model's decoder pass on engines of one kind on a part. */
typedef struct {
	const char *model, *part;
	double mhz;        /* assumed clock (not timing-closed) */
	gemv_engine g;
	int engines;       /* parallel engines, rows split among them (one per memory channel) */
} roof_cfg;

static const roof_cfg roof_cfgs[] = {
	{"nanocoder-v1", "pynq-z2", 100, {false, 8, 0}, 1},
	{"nanocoder-v1", "pynq-z2", 100, {false, 16, 0}, 1},
	{"nanocoder-v1", "pynq-z2", 100, {false, 32, 0}, 1},
	{"nanocoder-v1", "pynq-z2", 100, {false, 64, 0}, 1},
	{"nanocoder-v2", "pynq-z2", 100, {false, 8, 0}, 1},
	{"nanocoder-v2", "pynq-z2", 100, {false, 16, 0}, 1},
	{"nanocoder-v2", "pynq-z2", 100, {false, 32, 0}, 1},
	{"nanocoder-v2", "pynq-z2", 100, {false, 64, 0}, 1},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 16, 128}, 1},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 32, 64}, 1},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 64, 32}, 1},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 64, 128}, 1},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 16, 128}, 32},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 32, 64}, 32},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 64, 32}, 32},
	{"qwen2.5-1.5b", "aws-f2", 250, {true, 64, 128}, 32},
};
enum { N_ROOF = sizeof roof_cfgs / sizeof roof_cfgs[0], ROOF_SIM_ROWS = 16384 };

/* A simulated GEMV, kept so that equal ones are simulated once. */
typedef struct {
	gemv_engine g;
	int rows, cols;
	long cycles, xcycles;
} roof_sim;

/* Simulates a rows x cols GEMV of seeded random operands on engine kb, checks it against the
 * C kernel bit for bit, and returns its cycles (weights) and xcycles (activation load). */
static int roof_simulate(const kbuild *kb, int rows, int cols, const char *scratch,
			 double timeout, long *cycles, long *xcycles, berr *e)
{
	rng g;
	rng_seed(&g, (uint64_t)rows * 65537 + (uint64_t)cols, (uint64_t)kb->g.p);
	int8_t *x = xmalloc((size_t)cols);
	for (int i = 0; i < cols; i++)
		x[i] = (int8_t)((int)rng_below(&g, 255) - 127);
	size_t n = (size_t)rows * cols;
	strbuf stim = {0};
	int64_t *acc = xcalloc((size_t)rows, sizeof *acc);
	int8_t *y8 = NULL, *w8 = NULL;
	gemv_rq *rq = NULL;
	gemv_w4 m = {0};
	int rc = -1;
	if (kb->g.w4) {
		size_t nq, ng;
		if (gemv_w4_check(rows, cols, kb->g.group, e) != 0)
			goto out;
		gemv_w4_sizes(rows, cols, kb->g.group, &nq, &ng);
		m = (gemv_w4){rows, cols, kb->g.group, xmalloc(nq), xmalloc(ng * 2), xmalloc((size_t)rows),
			      xmalloc(ng)};
		for (size_t i = 0; i < nq; i++)
			m.q[i] = (uint8_t)rng_below(&g, 256);
		for (size_t i = 0; i < ng; i++) {
			m.scale[i] = (uint16_t)rng_below(&g, 65536);
			m.zero[i] = (uint8_t)rng_below(&g, 16);
		}
		memset(m.exp, 0, (size_t)rows);
		if (gemv_w4a8(&m, x, acc, e) != 0 ||
		    gemv_rtl_stim_w4(&stim, &kb->g, &m, 0, rows, x, 0, e) != 0)
			goto out;
	} else {
		w8 = xmalloc(n);
		rq = xmalloc((size_t)rows * sizeof *rq);
		y8 = xmalloc((size_t)rows);
		int32_t *a32 = xmalloc((size_t)rows * sizeof *a32);
		for (size_t i = 0; i < n; i++)
			w8[i] = (int8_t)((int)rng_below(&g, 255) - 127);
		for (int r = 0; r < rows; r++)
			gemv_rq_make(ldexp(0.5 + rng_unit(&g) / 2, -12), &rq[r], e);
		int crc = gemv_w8a8(w8, x, rows, cols, a32, e);
		gemv_requant(a32, rq, rows, y8);
		for (int r = 0; r < rows; r++)
			acc[r] = a32[r];
		free(a32);
		if (crc != 0 || gemv_rtl_stim_w8(&stim, &kb->g, w8, cols, 0, rows, x, rq, 0, e) != 0)
			goto out;
	}
	char *sp = path_join(scratch, "roof-stim.txt"), *op = path_join(scratch, "roof-out.txt");
	char *text = NULL;
	size_t len;
	gemv_rtl_out o = {0};
	char *argv[] = {kb->vb.bin, sp, op, NULL};
	proc_result pr;
	if (write_file_atomic(sp, stim.s, stim.len, false, e) != 0 ||
	    proc_run(argv, NULL, NULL, timeout, &pr, e) != 0) {
		/* e is set */
	} else if (pr.status != 0) {
		char buf[64];
		errf(e, "simulation %s: %s", proc_describe(&pr, buf, sizeof buf), pr.tail);
	} else if (read_file(op, (size_t)64 << 20, &text, &len, e) == 0 &&
		   gemv_rtl_parse(text, kb->g.w4, rows, &o, e) == 0) {
		rc = 0;
		for (int r = 0; r < rows && rc == 0; r++)
			if (o.acc[r] != acc[r] || (!kb->g.w4 && o.y[r] != y8[r]))
				rc = errf(e, "%dx%d: RTL differs from C at row %d", rows, cols, r);
		*cycles = o.cycles;
		*xcycles = o.xcycles;
	}
	gemv_rtl_out_free(&o);
	free(text);
	free(sp);
	free(op);
out:
	free(x);
	free(acc);
	free(y8);
	free(w8);
	free(rq);
	free(m.q);
	free(m.scale);
	free(m.exp);
	free(m.zero);
	sb_free(&stim);
	return rc;
}

/* burn kernels roofline: per configuration, the compute- and memory-bound latency of a whole
 * decoder pass, and what the simulated engines achieve. */
static int kernels_roofline(int argc, char **argv)
{
	const char *out = NULL;
	double timeout = KDEFAULT_TIMEOUT;
	for (int i = 2; i < argc; i++) {
		if (i + 1 < argc && strcmp(argv[i], "-o") == 0) {
			out = argv[++i];
		} else if (i + 1 < argc && strcmp(argv[i], "--timeout") == 0 &&
			   parse_double(argv[i + 1], &timeout) == 0 && timeout > 0) {
			i++;
		} else {
			fprintf(stderr, "burn kernels roofline: bad argument '%s'\n%s", argv[i],
				usage_kernels);
			return EXIT_BADINPUT;
		}
	}
	char *version = proc_version("verilator", "--version");
	if (!version) {
		fprintf(stderr, "burn kernels roofline: verilator not found in PATH: the achieved "
				"figures need simulated cycles\n");
		return EXIT_INTERNAL;
	}
	char *scratch = new_scratch("burn-kroof");
	kbuild *builds = NULL;
	roof_sim *sims = NULL;
	int nb = 0, ns = 0, rc = 0;
	berr e;
	strbuf js = {0};
	jw w;
	jw_init(&w, &js);
	jw_obj(&w);
	jw_key(&w, "configs");
	jw_arr(&w);
	strbuf tab = {0};
	sb_puts(&tab, "| model | part | engine | lanes x engines | MHz | MB/token | GB/s | compute ms | "
		      "memory ms | roofline tok/s | simulated ms | achieved tok/s | fraction |\n"
		      "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (int ci = 0; ci < N_ROOF && rc == 0; ci++) {
		const roof_cfg *c = &roof_cfgs[ci];
		const roof_model *m = roof_model_get(c->model);
		part pt;
		if (part_load_named(c->part, NULL, &pt, &e) != 0) {
			fprintf(stderr, "burn kernels roofline: %s\n", e.msg);
			rc = EXIT_INTERNAL;
			break;
		}
		long chans = pt.mem_channels > 0 ? pt.mem_channels : 1;
		double bw = c->g.w4 ? pt.mem_gbps / chans * c->engines : pt.mem_gbps;
		if (c->engines > chans)
			bw = pt.mem_gbps;
		double f = c->mhz * 1e6, macs, bytes;
		roof_totals(m, &c->g, &macs, &bytes);
		double t_comp = macs / ((double)c->g.p * c->engines * f), t_mem = bytes / (bw * 1e9);
		double t_roof = t_comp > t_mem ? t_comp : t_mem, t_sim = 0, t_ach = 0;
		const kbuild *kb = get_build(&builds, &nb, &c->g, version, scratch, timeout, &e);
		if (!kb) {
			fprintf(stderr, "burn kernels roofline: %s\n", e.msg);
			rc = EXIT_INTERNAL;
			break;
		}
		bool scaled = false;
		for (int mi = 0; mi < m->n && rc == 0; mi++) {
			const roof_mat *mt = &m->mats[mi];
			int per = (mt->rows + c->engines - 1) / c->engines;
			int sr = per < ROOF_SIM_ROWS ? per : ROOF_SIM_ROWS;
			scaled |= sr < per;
			long cyc = -1, xc = -1;
			for (int k = 0; k < ns; k++)
				if (sims[k].g.w4 == c->g.w4 && sims[k].g.p == c->g.p &&
				    sims[k].g.group == c->g.group && sims[k].rows == sr &&
				    sims[k].cols == mt->cols) {
					cyc = sims[k].cycles;
					xc = sims[k].xcycles;
				}
			if (cyc < 0) {
				if (roof_simulate(kb, sr, mt->cols, scratch, timeout, &cyc, &xc, &e) != 0) {
					fprintf(stderr, "burn kernels roofline: %s %s: %s\n", c->model,
						mt->name, e.msg);
					rc = EXIT_INTERNAL;
					break;
				}
				sims = xreallocarray(sims, (size_t)ns + 1, sizeof *sims);
				sims[ns++] = (roof_sim){c->g, sr, mt->cols, cyc, xc};
			}
			/* a tile's cycles scaled to the engine's rows (the engines take a fixed
			 * number of cycles per row) */
			double cycles = (double)xc + (double)cyc * per / sr;
			double ts = cycles / f;
			double tm = roof_bytes(&c->g, per, mt->cols) / (bw / c->engines * 1e9);
			t_sim += ts * mt->count;
			t_ach += (ts > tm ? ts : tm) * mt->count;
		}
		if (rc != 0)
			break;
		char eng[48];
		snprintf(eng, sizeof eng, c->g.w4 ? "W4A8 G%d" : "W8A8", c->g.group);
		sb_printf(&tab, "| %s | %s | %s | %d x %d | %.0f | %.2f | %.1f | %.3f | %.3f | %.1f | "
			  "%.3f | %.1f | %.3f |%s\n", c->model, c->part, eng, c->g.p, c->engines,
			  c->mhz, bytes / 1e6, bw, t_comp * 1e3, t_mem * 1e3, 1 / t_roof,
			  t_sim * 1e3, 1 / t_ach, t_roof / t_ach, scaled ? " (LM head: a tile, scaled)" : "");
		jw_obj(&w);
		jw_kstr(&w, "model", c->model);
		jw_kstr(&w, "part", c->part);
		jw_kstr(&w, "kernel", c->g.w4 ? "w4a8" : "w8a8");
		jw_klong(&w, "lanes", c->g.p);
		if (c->g.w4)
			jw_klong(&w, "group", c->g.group);
		jw_klong(&w, "engines", c->engines);
		jw_kdouble(&w, "mhz", c->mhz);
		jw_kdouble(&w, "macs_per_token", macs);
		jw_kdouble(&w, "weight_bytes_per_token", bytes);
		jw_kdouble(&w, "bandwidth_gbps", bw);
		jw_kdouble(&w, "compute_bound_s", t_comp);
		jw_kdouble(&w, "memory_bound_s", t_mem);
		jw_kdouble(&w, "roofline_tokens_per_s", 1 / t_roof);
		jw_kdouble(&w, "simulated_s", t_sim);
		jw_kdouble(&w, "achieved_tokens_per_s", 1 / t_ach);
		jw_kdouble(&w, "fraction_of_roofline", t_roof / t_ach);
		jw_kbool(&w, "tile_scaled", scaled);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
	sb_puts(&js, "\n");
	if (rc == 0)
		fputs(tab.s, stdout);
	sb_free(&tab);
	if (rc == 0 && out && write_file_atomic(out, js.s, js.len, false, &e) != 0) {
		fprintf(stderr, "burn kernels roofline: %s\n", e.msg);
		rc = EXIT_INTERNAL;
	}
	for (int i = 0; i < nb; i++)
		vl_free(&builds[i].vb);
	free(builds);
	free(sims);
	drop_scratch(scratch);
	free(version);
	sb_free(&js);
	return rc;
}

/* Runs the simulator of a unit (softmax, RoPE) in folder dir on the stimulus st, written to
 * dir/stim.txt; *text gets what it wrote to dir/out.txt. -1 with e set if it failed. */
static int unit_sim(const kbuild *kb, const char *dir, const strbuf *st, char **text, berr *e)
{
	char *sp = path_join(dir, "stim.txt"), *op = path_join(dir, "out.txt");
	char *argv[] = {kb->vb.bin, "stim.txt", "out.txt", NULL};
	proc_result pr;
	size_t len;
	int rc = -1;
	if (write_file_atomic(sp, st->s, st->len, false, e) == 0 &&
	    proc_run(argv, dir, NULL, KDEFAULT_TIMEOUT, &pr, e) == 0) {
		if (pr.status != 0)
			errf(e, "simulation failed: %s", pr.tail);
		else
			rc = read_file(op, (size_t)16 << 20, text, &len, e);
	}
	free(sp);
	free(op);
	return rc;
}

/* Co-simulates softmax_unit.v against sm_softmax(): vectors of several lengths and spreads,
 * equal scores, extreme scores, with stalls; prints one line; 0 if bit-exact. */
static int softmax_rtl(rng *g, const char *version)
{
	static const int lens[] = {1, 2, 7, 128, 1024, 300, 64, 1024};
	static const double sds[] = {1, 3, 1, 3, 8, 0, 1e9, 1};
	enum { NV = sizeof lens / sizeof lens[0] };
	berr e;
	sm_table t;
	if (sm_table_make(&t, SMU_SB, SMU_TN, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	strbuf st = {0}, hex = {0};
	for (int k = 0; k < t.n; k++)
		sb_printf(&hex, "%05x\n", (unsigned)t.e[k]);
	int total = 0;
	for (int v = 0; v < NV; v++)
		total += lens[v];
	int32_t *x = xmalloc((size_t)total * sizeof *x);
	uint16_t *y = xmalloc((size_t)total * sizeof *y);
	sb_printf(&st, "%d 3\n", NV);
	for (int v = 0, o = 0; v < NV; o += lens[v], v++) {
		sb_printf(&st, "%d", lens[v]);
		for (int i = 0; i < lens[v]; i++) {
			double u = rng_unit(g), w = rng_unit(g);
			double r = sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * w) * sds[v] * 256;
			r = fmax(-2147483648.0, fmin(2147483647.0, floor(r + 0.5)));
			x[o + i] = sds[v] == 0 ? 777 : (int32_t)r; /* sd 0: all equal */
			sb_printf(&st, " %d", x[o + i]);
		}
		sb_puts(&st, "\n");
		if (sm_softmax(&t, x + o, lens[v], SMU_FRAC, y + o, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
	}
	char *scratch = new_scratch("burn-ksm");
	char *log = path_join(scratch, "verilator.log"), *hp = path_join(scratch, "softmax_exp.hex");
	char *text = NULL;
	kdesign d = design_softmax();
	kbuild kb = {0};
	strbuf why = {0};
	long cycles = -1;
	if (engine_build(&d, version, scratch, log, KDEFAULT_TIMEOUT, &kb, &e) != 0 ||
	    write_file_atomic(hp, hex.s, hex.len, false, &e) != 0 ||
	    unit_sim(&kb, scratch, &st, &text, &e) != 0) {
		sb_printf(&why, "%s", e.msg);
	} else {
		const char *q = text;
		for (int v = 0, o = 0; v < NV && !why.len; o += lens[v], v++)
			for (int i = 0; i < lens[v] && !why.len; i++) {
				unsigned a;
				char l[3] = "";
				int used = 0;
				if (sscanf(q, "%u%n", &a, &used) != 1) {
					sb_printf(&why, "output %d unreadable", o + i + 1);
					break;
				}
				q += used;
				if (*q == ' ') {
					sscanf(q, " %2s%n", l, &used);
					q += used;
				}
				if (*q == '\n')
					q++;
				bool want_last = i + 1 == lens[v];
				if (a != y[o + i])
					sb_printf(&why, "vector %d score %d (x %d): RTL %u, C %u", v, i,
						  x[o + i], a, y[o + i]);
				else if (want_last != (l[0] == 'L'))
					sb_printf(&why, "vector %d score %d: out_last %s", v, i,
						  want_last ? "missing" : "early");
			}
		if (!why.len && sscanf(q, "cycles %ld", &cycles) != 1)
			sb_puts(&why, "no cycle count");
	}
	if (why.len)
		printf("softmax RTL: FAIL: %s\n", why.s);
	else
		printf("softmax RTL (kernels/rtl_gemv/softmax_unit.v): %d vectors, %d scores "
		       "bit-exact with sm_softmax, %ld cycles with stalls\n", NV, total, cycles);
	int rc = why.len ? 1 : 0;
	vl_free(&kb.vb);
	free(text);
	free(log);
	free(hp);
	drop_scratch(scratch);
	sm_table_free(&t);
	sb_free(&st);
	sb_free(&hex);
	sb_free(&why);
	free(x);
	free(y);
	return rc;
}

/* Co-simulates rope_rot.v against rope_apply(): heads of the Qwen shape at several positions
 * plus saturating pairs, with stalls; prints one line; 0 if bit-exact. */
static int rope_rtl(rng *g)
{
	char *version = proc_version("verilator", "--version");
	if (!version) {
		printf("\nRoPE RTL: FAIL: verilator not found in PATH, rope_rot.v not co-simulated\n");
		return 1;
	}
	static const long poss[] = {0, 1, 100, 4095, 32767};
	enum { HEADS = 4, DIM = 128, NP = 5 * HEADS * DIM / 2 + 4 };
	int16_t *x0 = xmalloc(NP * sizeof *x0), *x1 = xmalloc(NP * sizeof *x1);
	int16_t *c = xmalloc(NP * sizeof *c), *s = xmalloc(NP * sizeof *s);
	int16_t *y0 = xmalloc(NP * sizeof *y0), *y1 = xmalloc(NP * sizeof *y1);
	int16_t cs[DIM], xv[DIM], yv[DIM];
	int k = 0;
	berr e;
	for (int pi = 0; pi < 5; pi++) {
		rope_table(DIM, 1e6, poss[pi], cs, &e);
		for (int h = 0; h < HEADS; h++) {
			for (int i = 0; i < DIM; i++)
				xv[i] = (int16_t)((int)rng_below(g, 65536) - 32768) / (h + 1);
			rope_apply(xv, DIM, cs, true, yv);
			for (int i = 0; i < DIM / 2; i++, k++) {
				x0[k] = xv[i];
				x1[k] = xv[i + DIM / 2];
				c[k] = cs[2 * i];
				s[k] = cs[2 * i + 1];
				y0[k] = yv[i];
				y1[k] = yv[i + DIM / 2];
			}
		}
	}
	/* pairs whose rotation leaves int16 (45 degrees of a corner): saturation */
	static const int16_t ext[4][4] = {{32767, 32767, 11585, 11585}, {-32768, -32768, 11585, 11585},
					  {32767, -32768, 11585, -11585}, {-32768, 32767, 16384, 0}};
	for (int j = 0; j < 4; j++, k++) {
		int16_t xp[2] = {ext[j][0], ext[j][1]}, cp[2] = {ext[j][2], ext[j][3]}, yp[2];
		rope_apply(xp, 2, cp, false, yp);
		x0[k] = xp[0], x1[k] = xp[1], c[k] = cp[0], s[k] = cp[1], y0[k] = yp[0], y1[k] = yp[1];
	}
	strbuf st = {0};
	sb_printf(&st, "%d 5\n", k);
	for (int i = 0; i < k; i++)
		sb_printf(&st, "%d %d %d %d\n", x0[i], x1[i], c[i], s[i]);
	char *scratch = new_scratch("burn-krope");
	char *log = path_join(scratch, "verilator.log"), *text = NULL;
	kdesign d = design_rope();
	kbuild kb = {0};
	strbuf why = {0};
	long cycles = -1;
	if (engine_build(&d, version, scratch, log, KDEFAULT_TIMEOUT, &kb, &e) != 0 ||
	    unit_sim(&kb, scratch, &st, &text, &e) != 0) {
		sb_printf(&why, "%s", e.msg);
	} else {
		const char *q = text;
		for (int i = 0; i < k && !why.len; i++) {
			int a, b, used = 0;
			if (sscanf(q, "%d %d\n%n", &a, &b, &used) != 2 || !used)
				sb_printf(&why, "output line %d unreadable", i + 1);
			else if (a != y0[i] || b != y1[i])
				sb_printf(&why, "pair %d (x %d %d, cs %d %d): RTL %d %d, C %d %d", i, x0[i],
					  x1[i], c[i], s[i], a, b, y0[i], y1[i]);
			q += used;
		}
		if (!why.len && sscanf(q, "cycles %ld", &cycles) != 1)
			sb_puts(&why, "no cycle count");
	}
	if (why.len)
		printf("\nRoPE RTL: FAIL: %s\n", why.s);
	else
		printf("\nRoPE RTL (kernels/rtl_gemv/rope_rot.v): %d pairs bit-exact with rope_apply, "
		       "%ld cycles with stalls\n", k, cycles);
	int rc = why.len ? 1 : 0;
	rc |= softmax_rtl(g, version);
	vl_free(&kb.vb);
	free(text);
	free(log);
	drop_scratch(scratch);
	free(version);
	sb_free(&st);
	sb_free(&why);
	free(x0), free(x1), free(c), free(s), free(y0), free(y1);
	return rc;
}

/* burn kernels attn: the error of the fixed-point softmax and RoPE against double. */
static int kernels_attn(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "burn kernels attn: takes no arguments\n%s", usage_kernels);
		return EXIT_BADINPUT;
	}
	berr e;
	rng g;
	rng_seed(&g, 1, 0);
	enum { N = 1024, TRIALS = 200 };
	int32_t *x = xmalloc(N * sizeof *x);
	uint16_t *y = xmalloc(N * sizeof *y);
	printf("softmax: %d vectors of %d scores, N(0, sd) with sd 1, 3, 8; scores with 8 "
	       "fractional bits; error of the Q0.15 probabilities against double\n\n"
	       "| table step | entries (range) | max abs err | mean abs err | max |sum - 1| |\n"
	       "|---|---|---|---|---|\n", TRIALS, N);
	static const int steps[][2] = {{4, 256}, {6, 1024}, {8, 4096}, {8, 1024}};
	for (size_t si = 0; si < sizeof steps / sizeof steps[0]; si++) {
		sm_table t;
		if (sm_table_make(&t, steps[si][0], steps[si][1], &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
		double mx = 0, sum_abs = 0, mx_sum = 0;
		long cnt = 0;
		rng_seed(&g, 1, 0);
		for (int tr = 0; tr < TRIALS; tr++) {
			double sd = tr % 3 == 0 ? 1 : tr % 3 == 1 ? 3 : 8, ref[N], m = -1e300, z = 0;
			for (int i = 0; i < N; i++) {
				double u = rng_unit(&g), v = rng_unit(&g);
				double r = sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v) * sd;
				x[i] = (int32_t)floor(r * 256 + 0.5);
				m = fmax(m, x[i] / 256.0);
			}
			for (int i = 0; i < N; i++)
				z += ref[i] = exp(x[i] / 256.0 - m);
			if (sm_softmax(&t, x, N, 8, y, &e) != 0)
				die(EXIT_INTERNAL, "%s", e.msg);
			double s = 0;
			for (int i = 0; i < N; i++) {
				double d = fabs(y[i] / 32768.0 - ref[i] / z);
				mx = fmax(mx, d);
				sum_abs += d;
				cnt++;
				s += y[i] / 32768.0;
			}
			mx_sum = fmax(mx_sum, fabs(s - 1));
		}
		printf("| 2^-%d | %d (d < %g) | %.3g | %.3g | %.3g |\n", steps[si][0], steps[si][1],
		       ldexp(steps[si][1], -steps[si][0]), mx, sum_abs / cnt, mx_sum);
		sm_table_free(&t);
	}
	free(x);
	free(y);
	printf("\nRoPE: Qwen2.5 heads (dim 128, base 1e6, rotate_half), int16 inputs with 8 "
	       "fractional bits, N(0, 4); error of each output against the double rotation of the "
	       "same int16 inputs, in LSB (2^-8)\n\n| position | max abs err (LSB) | "
	       "mean abs err (LSB) |\n|---|---|---|\n");
	static const long poss[] = {0, 1, 100, 4095, 32767};
	int16_t xs[128], ys[128], cs[128];
	for (size_t pi = 0; pi < sizeof poss / sizeof poss[0]; pi++) {
		if (rope_table(128, 1e6, poss[pi], cs, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
		double mx = 0, sa = 0;
		long cnt = 0;
		for (int tr = 0; tr < TRIALS; tr++) {
			for (int i = 0; i < 128; i++) {
				double u = rng_unit(&g), v = rng_unit(&g);
				double r = sqrt(-2 * log(1 - u)) * cos(6.283185307179586 * v) * 4;
				xs[i] = (int16_t)fmax(-32768, fmin(32767, floor(r * 256 + 0.5)));
			}
			rope_apply(xs, 128, cs, true, ys);
			for (int i = 0; i < 64; i++) {
				double a = fmod((double)poss[pi] * pow(1e6, -2.0 * i / 128),
						6.283185307179586);
				double x0 = xs[i], x1 = xs[i + 64];
				double r0 = x0 * cos(a) - x1 * sin(a), r1 = x0 * sin(a) + x1 * cos(a);
				double d0 = fabs(ys[i] - r0), d1 = fabs(ys[i + 64] - r1);
				mx = fmax(mx, fmax(d0, d1));
				sa += d0 + d1;
				cnt += 2;
			}
		}
		printf("| %ld | %.3f | %.3f |\n", poss[pi], mx, sa / cnt);
	}
	return rope_rtl(&g);
}

int cmd_kernels(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s", usage_kernels);
		return EXIT_BADINPUT;
	}
	if (strcmp(argv[1], "check") == 0)
		return kernels_check(argc, argv);
	if (strcmp(argv[1], "synth") == 0)
		return kernels_synth(argc, argv);
	if (strcmp(argv[1], "roofline") == 0)
		return kernels_roofline(argc, argv);
	if (strcmp(argv[1], "attn") == 0)
		return kernels_attn(argc, argv);
	fprintf(stderr, "burn kernels: unknown subcommand '%s'\n%s", argv[1], usage_kernels);
	return EXIT_BADINPUT;
}
