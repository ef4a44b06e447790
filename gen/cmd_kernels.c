/* cmd_kernels.c - burn kernels: the golden suites of the quantised GEMV kernels checked three
 * ways (C integer golden vs an OpenBLAS float reference within the quantisation bound, RTL vs
 * C bit for bit), and Yosys resources of the GEMV engines (docs/KERNELS.md).
 *
 * The engines' Verilator builds are cached as burn rtlsim's are (gen/cmd_rtl.c): one build per
 * engine parameterisation, under the cache root in verilator/KEY/, the key hashing the
 * Verilator version, its arguments and the bytes of the Verilog and testbench. */
#define _XOPEN_SOURCE 700 /* nftw */
#include <cblas.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "cache/cache.h"
#include "gen/cmds.h"
#include "gen/json.h"
#include "gen/proc.h"
#include "gen/synthrep.h"
#include "kernels/gemv_suite.h"
#include "kernels/rtl_gemv.h"

const char usage_kernels[] =
	"usage: burn kernels check [--suite qwen-int4|nanocoder-w8a8|all] [--quick] [--no-rtl]\n"
	"                          [--case SUBSTRING] [-o OUT.json] [--timeout S]\n"
	"       burn kernels synth --engine w8a8|w4a8 --lanes P [--group G] -o OUT.json\n"
	"                          [--family xc7|xcup] [--timeout S]\n"
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
	"one engine parameterisation; writes its LUT/FF/DSP/BRAM counts as JSON.\n";

/* Bump when a build's or result's meaning changes for the same inputs. */
enum { KBUILD_VERSION = 1 };
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

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

/* Removes a folder and what it holds (a scratch folder of this run). */
static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Reads the engine's Verilog and the testbench into f[0..2]. */
static int read_sources(const gemv_engine *g, kfile f[3], berr *e)
{
	f[0].name = "gemv_lib.v";
	f[1].name = g->w4 ? "gemv_w4a8.v" : "gemv_w8a8.v";
	f[2].name = "tb_gemv.cpp";
	for (int i = 0; i < 3; i++) {
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

/* The Verilator command line of engine g (without the files). */
static void engine_args(const gemv_engine *g, argvec *a)
{
	for (int i = 0; i < N_VL_ARGS; i++)
		av_add(a, vl_args[i]);
	av_add(a, "--top-module");
	av_add(a, gemv_engine_top(g));
	gemv_engine_params(g, put_gparam, a);
	if (g->w4) {
		av_add(a, "-CFLAGS");
		av_add(a, "-DGEMV_W4");
	}
}

/* An engine's simulator: where it is and whether it was in the cache. */
typedef struct {
	gemv_engine g;
	char *bin;
	bool cached;
	double seconds;
} kbuild;

/* Builds engine g's simulator in the new folder dir. */
static int build_in(const char *dir, const gemv_engine *g, const kfile *f, const char *log,
		    double timeout, double *seconds, berr *e)
{
	argvec a = {0};
	engine_args(g, &a);
	int rc = -1;
	for (int i = 0; i < 3; i++) {
		char *dst = path_join(dir, f[i].name);
		int wrc = write_file_atomic(dst, f[i].data, f[i].len, false, e);
		free(dst);
		if (wrc != 0)
			goto out;
		av_add(&a, f[i].name);
	}
	proc_result pr;
	if (proc_run(a.v, dir, log, timeout, &pr, e) != 0)
		goto out;
	*seconds = pr.seconds;
	if (pr.status != 0) {
		char buf[64];
		errf(e, "verilator build of %s P=%d: %s: %s", gemv_engine_top(g), g->p,
		     proc_describe(&pr, buf, sizeof buf), pr.tail[0] ? pr.tail : "(no output)");
		goto out;
	}
	char *built = path_join(dir, "obj_dir/Vtop"), *kept = path_join(dir, "Vtop");
	char *objdir = path_join(dir, "obj_dir");
	if (rename(built, kept) == 0)
		rc = 0;
	else
		errf(e, "verilator built no %s: %s", built, strerror(errno));
	rm_tree(objdir);
	free(built);
	free(kept);
	free(objdir);
out:
	av_free(&a);
	return rc;
}

/* Finds engine g's simulator in the cache (ROOT/verilator/KEY/Vtop) or builds it there (in a
 * temp folder renamed into place); without a cache, in scratch (removed by the caller). */
static int engine_build(const gemv_engine *g, const char *version, const char *scratch,
			const char *log, double timeout, kbuild *kb, berr *e)
{
	memset(kb, 0, sizeof *kb);
	kb->g = *g;
	kfile f[3];
	if (read_sources(g, f, e) != 0)
		return -1;
	argvec a = {0};
	engine_args(g, &a);
	khash h;
	kh_init(&h, "gemv-verilator-build", KBUILD_VERSION);
	kh_add_str(&h, "version", version);
	for (int i = 0; i < a.n; i++)
		kh_add_str(&h, "arg", a.v[i]);
	for (int i = 0; i < 3; i++) {
		kh_add_str(&h, "name", f[i].name);
		kh_add(&h, "file", f[i].data, f[i].len);
	}
	av_free(&a);
	ckey key = kh_final(&h);
	char hex[33];
	ckey_hex(&key, hex);

	cache c;
	berr ce;
	int orc = cache_open(&c, NULL, &ce);
	bool use_cache = orc == 0 && !c.off;
	if (orc != 0)
		warn("kernels: Verilator builds not cached: %s", ce.msg);
	char *base = use_cache ? path_join(c.root, "verilator") : xstrdup(scratch);
	char *final = path_join(base, hex), *final_bin = path_join(final, "Vtop");
	char *tmp = path_join(base, "tmp-XXXXXX");
	int rc = -1;
	if (use_cache && access(final_bin, X_OK) == 0) {
		utimensat(AT_FDCWD, final, NULL, 0); /* its time stamp says when it was last used */
		kb->cached = true;
		rc = 0;
	} else if (mkdirs(base, e) != 0) {
		/* e is set */
	} else if (!mkdtemp(tmp)) {
		errf(e, "%s: cannot create a build folder: %s", base, strerror(errno));
	} else if (build_in(tmp, g, f, log, timeout, &kb->seconds, e) != 0) {
		rm_tree(tmp);
	} else if (rename(tmp, final) == 0 || access(final_bin, X_OK) == 0) {
		/* (if the rename failed, another run built the same engine meanwhile) */
		rm_tree(tmp);
		rc = 0;
	} else {
		errf(e, "%s: cannot move the build into place: %s", final, strerror(errno));
		rm_tree(tmp);
	}
	if (rc == 0) {
		kb->bin = final_bin;
		final_bin = NULL;
	}
	for (int i = 0; i < 3; i++)
		free(f[i].data);
	free(tmp);
	free(final_bin);
	free(final);
	free(base);
	if (orc == 0)
		cache_close(&c);
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
	char *argv[] = {kb->bin, sp, op, NULL};
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
			return (*b)[i].bin ? &(*b)[i] : (errf(e, "its engine did not build"), NULL);
	*b = xreallocarray(*b, (size_t)*n + 1, sizeof **b);
	kbuild *k = &(*b)[(*n)++];
	char *log = path_join(scratch, "verilator.log");
	printf("building %s P=%d%s%.0d with Verilator...\n", gemv_engine_top(g), g->p,
	       g->w4 ? " G=" : "", g->w4 ? g->group : 0);
	fflush(stdout);
	int rc = engine_build(g, version, scratch, log, timeout, k, e);
	free(log);
	if (rc != 0) {
		k->g = *g;
		k->bin = NULL;
		return NULL;
	}
	printf("  %s (%.1f s)\n", k->cached ? "found in the cache" : "built", k->seconds);
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
	const char *td = getenv("TMPDIR");
	char *scratch = path_join(td && *td ? td : "/tmp", "burn-kernels-XXXXXX");
	if (!mkdtemp(scratch))
		die(EXIT_INTERNAL, "%s: cannot create a scratch folder: %s", scratch, strerror(errno));
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
		free(builds[i].bin);
	free(builds);
	rm_tree(scratch);
	free(scratch);
	free(version);
	free(cases);
	sb_free(&js);
	return rc ? rc : fail ? 1 : 0;
}

int cmd_kernels(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "%s", usage_kernels);
		return EXIT_BADINPUT;
	}
	if (strcmp(argv[1], "check") == 0)
		return kernels_check(argc, argv);
	fprintf(stderr, "burn kernels: unknown subcommand '%s'\n%s", argv[1], usage_kernels);
	return EXIT_BADINPUT;
}
