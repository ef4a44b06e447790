/* cmd_rtl.c - burn rtlgen: a candidate's Verilog and ROM images (kernels/rtl.c) in a folder;
 * burn rtlsim: that folder co-simulated with Verilator on the calibration inputs and compared
 * bit for bit with burn's own fixed-point simulation (docs/RTL.md).
 *
 * Verilator builds are cached by gen/verilate.h, keyed by the Verilog, the testbench, the
 * Verilator version and its flags (the ROM images are read when the simulation starts, so a
 * design that differs only in its weights is built once). The rtlsim result
 * itself is cached as a step (gen/step.h). A tool that is missing, crashes or times out is a
 * failed candidate with the reason and is not cached; a co-simulation mismatch is a failed
 * candidate and is. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache.h"
#include "gen/cmds.h"
#include "gen/config.h"
#include "gen/json.h"
#include "gen/opts.h"
#include "gen/proc.h"
#include "gen/project.h"
#include "gen/result.h"
#include "gen/step.h"
#include "gen/verilate.h"
#include "kernels/csim.h"
#include "kernels/rtl.h"

const char usage_rtlgen[] =
	"usage: burn rtlgen FACET CONFIG -o DIR [--keep-going]\n"
	"\n"
	"Writes the synthesizable Verilog-2005 of FACET's block (a project or its csim facet, with\n"
	"weights) under the candidate CONFIG into DIR: burn_top.v (top module burn_top), one\n"
	"burn_lK.v per layer, burn_lK_w.hex weight ROM images ($readmemh), and rtl.json (status,\n"
	"ports, per-layer lanes/slot/stages, expected cycles). Files whose bytes do not change keep\n"
	"their time stamps; other .v/.hex files in DIR are removed. docs/RTL.md has the design.\n"
	"\n"
	"  -o DIR          the RTL folder (created)\n"
	"  --keep-going    an invalid CONFIG or a design beyond the emitter's limits is recorded\n"
	"                  in rtl.json as failed, exit 0\n";

const char usage_rtlsim[] =
	"usage: burn rtlsim FACET CONFIG RTLDIR -o OUT.json [--keep-going] [--timeout S]\n"
	"\n"
	"Builds RTLDIR (written by burn rtlgen from the same FACET and CONFIG) with Verilator and a\n"
	"generated C++ testbench, streams every calibration vector through it and compares every\n"
	"output bit for bit with burn's fixed-point simulation. Writes JSON with the cycles of one\n"
	"inference measured in simulation (cycles, ii_cycles) or, on a mismatch, a failed result\n"
	"naming the first differing output. Verilator builds are cached under the cache root\n"
	"(verilator/KEY/); the tool's output goes to OUT's name with .log.\n"
	"\n"
	"  -o OUT.json     the result (atomically)\n"
	"  --keep-going    a failed candidate (mismatch, tool error, timeout) exits 0\n"
	"  --timeout S     limit for the Verilator build plus the simulation (default 900)\n";

/* Bump when the result for the same inputs changes. */
enum { RTLSIM_VERSION = 1 };
#define RTLSIM_DEFAULT_TIMEOUT 900.0
#define RTLSIM_MAX_FILE ((size_t)256 << 20)

/* Verilator's command line before the optimisation flag and the file names (TOOLS.md). */
static const char *const verilator_args[] = {
	"verilator", "--cc", "--exe", "--build", "-j", "2", "--x-assign", "fast", "--x-initial",
	"fast", "-Wno-fatal", "--top-module", "burn_top", "--Mdir", "obj_dir", "-o", "Vburn_top",
	"-MAKEFLAGS",
};
enum { N_VERILATOR_ARGS = sizeof verilator_args / sizeof verilator_args[0] };

/* The model's C++ is built at -O0 when the simulation is short (most of the time goes into
 * g++: -O0 builds in ~60% of -O2's time, and simulates ~3x slower), at -O2 when it is long. */
#define LONG_SIM_CYCLES 2000000L

typedef struct {
	const char *pos[3];
	int npos;
	const char *out;
	double timeout;
	bool keep_going;
} rargs;

static int parse_rargs(int argc, char **argv, int npos, bool timeout, const char *usage,
		       rargs *a)
{
	memset(a, 0, sizeof *a);
	a->timeout = RTLSIM_DEFAULT_TIMEOUT;
	const char *timeout_s = NULL;
	int keep_going = 0;
	optdef o[] = {{"-o", &a->out, NULL}, {"--keep-going", NULL, &keep_going},
		{"--timeout", &timeout_s, NULL}};
	a->npos = opts_step(argv[0], argc - 1, argv + 1, o, timeout ? 3 : 2, a->pos, npos, usage);
	if (a->npos < 0 || opts_seconds(argv[0], timeout_s, &a->timeout) != 0)
		return -1;
	a->keep_going = keep_going;
	if (a->npos != npos || !a->out) {
		fprintf(stderr, "burn %s: expected %d arguments and -o\n%s", argv[0], npos, usage);
		return -1;
	}
	return 0;
}

/* Writes b to path atomically, leaving identical bytes untouched; dies if it cannot. */
static void put_file(const char *path, const strbuf *b)
{
	berr e;
	if (write_file_atomic(path, b->s ? b->s : "", b->len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

/* ---- burn rtlgen ---- */

/* Removes DIR's .v and .hex files that the design does not have (so tools that read every
 * .v of the folder see only this design). */
static void remove_stale(const char *dir, const rtl_design *d)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp)) != NULL) {
		if (!ends_with(de->d_name, ".v") && !ends_with(de->d_name, ".hex"))
			continue;
		bool ours = false;
		for (int i = 0; d && i < d->n_files && !ours; i++)
			ours = strcmp(d->files[i].name, de->d_name) == 0;
		if (ours)
			continue;
		char *p = path_join(dir, de->d_name);
		if (unlink(p) != 0 && errno != ENOENT)
			warn("%s: cannot remove: %s", p, strerror(errno));
		free(p);
	}
	closedir(dp);
}

static void write_rtl_json(strbuf *b, const project *p, const config *c, const rtl_design *d)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "step", "rtlgen");
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "top", "burn_top");
	jw_key(&w, "files");
	jw_arr(&w);
	for (int i = 0; i < d->n_files; i++)
		jw_str(&w, d->files[i].name);
	jw_end_arr(&w);
	/* The content of every file, so rtl.json (what the rtlsim and synth edges depend on)
	 * changes whenever any of them does, a ROM image included. */
	jw_key(&w, "xxh3");
	jw_obj(&w);
	for (int i = 0; i < d->n_files; i++) {
		char hex[17];
		const strbuf *t = &d->files[i].text;
		snprintf(hex, sizeof hex, "%016llx",
			 (unsigned long long)XXH3_64bits(t->s ? t->s : "", t->len));
		jw_kstr(&w, d->files[i].name, hex);
	}
	jw_end_obj(&w);
	jw_kstr(&w, "ports", "clk rst in_valid in_ready in_data out_valid out_ready out_data");
	jw_klong(&w, "in_words", d->in_words);
	jw_klong(&w, "in_width", d->in_width);
	jw_kbool(&w, "in_signed", d->in_signed);
	jw_klong(&w, "out_words", d->out_words);
	jw_klong(&w, "out_width", d->out_width);
	jw_kbool(&w, "out_signed", d->out_signed);
	jw_klong(&w, "latency_cycles", d->latency);
	jw_klong(&w, "ii_cycles", d->ii);
	long lanes = 0;
	for (int k = 0; k < d->n_layers; k++)
		lanes += d->layers[k].lanes;
	jw_klong(&w, "mults", lanes);
	jw_key(&w, "layers");
	jw_arr(&w);
	for (int k = 0; k < d->n_layers; k++) {
		const rtl_layer *l = &d->layers[k];
		jw_obj(&w);
		jw_kstr(&w, "name", p->layers[k].name);
		jw_kstr(&w, "module", l->module);
		jw_klong(&w, "reuse", c->layers[k].reuse);
		jw_kstr(&w, "strategy", c->layers[k].strategy == HLS_RESOURCE ? "Resource" : "Latency");
		jw_klong(&w, "mults", l->lanes);
		jw_klong(&w, "slot_cycles", l->slot);
		jw_klong(&w, "stages", l->stages);
		jw_klong(&w, "latency_cycles", l->latency);
		jw_klong(&w, "bank_words", l->bank_regs);
		jw_klong(&w, "rom_width", l->rom_width);
		jw_kbool(&w, "exact_accum", l->exact_accum);
		jw_end_obj(&w);
	}
	jw_end_arr(&w);
	jw_end_obj(&w);
	sb_puts(b, "\n");
}

int cmd_rtlgen(int argc, char **argv)
{
	rargs a;
	if (parse_rargs(argc, argv, 2, false, usage_rtlgen, &a) != 0)
		return EXIT_BADINPUT;
	project p;
	berr e;
	if (project_load(a.pos[0], true, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_WEIGHTS, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (mkdirs(a.out, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	char *json = path_join(a.out, "rtl.json");
	config c;
	rtl_design d;
	strbuf b = {0};
	int rc = 0;
	bool have_config = config_load(a.pos[1], &p, &c, &e) == 0;
	if (have_config && project_dense_chain(&p, "the RTL emitter", &e) == 0 &&
	    config_rom_only(&c, &p, "the RTL emitter", &e) == 0 && rtl_emit(&p, &c, &d, &e) == 0) {
		for (int i = 0; i < d.n_files; i++) {
			char *path = path_join(a.out, d.files[i].name);
			put_file(path, &d.files[i].text);
			free(path);
		}
		remove_stale(a.out, &d);
		write_rtl_json(&b, &p, &c, &d);
		put_file(json, &b);
		rtl_free(&d);
	} else if (a.keep_going) {
		remove_stale(a.out, NULL);
		result_write_failed(&b, "rtlgen", e.msg);
		sb_puts(&b, "\n");
		put_file(json, &b);
	} else {
		fprintf(stderr, "burn: %s\n", e.msg);
		rc = EXIT_BADINPUT;
	}
	if (have_config)
		config_free(&c);
	sb_free(&b);
	free(json);
	project_free(&p);
	return rc;
}

/* ---- burn rtlsim ---- */

/* One file of the RTL folder, in memory. */
typedef struct {
	char *name;
	char *data;
	size_t len;
} dfile;

static int by_name(const void *x, const void *y)
{
	return strcmp(((const dfile *)x)->name, ((const dfile *)y)->name);
}

static void dfiles_free(dfile *f, int n)
{
	for (int i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].data);
	}
	free(f);
}

/* Reads every regular file of dir, sorted by name. */
static int read_dir(const char *dir, dfile **out, int *n_out, berr *e)
{
	*out = NULL;
	*n_out = 0;
	DIR *dp = opendir(dir);
	if (!dp)
		return errf(e, "%s: cannot open the RTL folder: %s", dir, strerror(errno));
	dfile *f = NULL;
	int n = 0, rc = 0;
	struct dirent *de;
	while ((de = readdir(dp)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *path = path_join(dir, de->d_name);
		struct stat st;
		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			free(path);
			continue;
		}
		f = xreallocarray(f, (size_t)n + 1, sizeof *f);
		f[n].name = xstrdup(de->d_name);
		rc = read_file(path, RTLSIM_MAX_FILE, &f[n].data, &f[n].len, e);
		free(path);
		if (rc != 0) {
			free(f[n].name);
			break;
		}
		n++;
	}
	closedir(dp);
	if (rc != 0) {
		dfiles_free(f, n);
		return -1;
	}
	qsort(f, (size_t)n, sizeof *f, by_name);
	*out = f;
	*n_out = n;
	return 0;
}

/* The simulator of the .v files of f with testbench tb and Verilator's OPT_FAST=... opt, from
 * the cache or built (gen/verilate.h; without a cache, in a scratch folder under out_dir). */
static int build_sim(const dfile *f, int n, const char *version, const char *tb, const char *opt,
		     const char *out_dir, const char *log, double timeout, vl_build *vb, berr *e)
{
	const char *argv[N_VERILATOR_ARGS + 1];
	memcpy(argv, verilator_args, sizeof verilator_args);
	argv[N_VERILATOR_ARGS] = opt;
	vl_file *vf = xcalloc((size_t)n + 1, sizeof *vf);
	int nv = 0;
	for (int i = 0; i < n; i++)
		if (ends_with(f[i].name, ".v"))
			vf[nv++] = (vl_file){f[i].name, f[i].data, f[i].len, true};
	vf[nv++] = (vl_file){"burn_tb.cpp", tb, strlen(tb), true};
	vl_spec s = {argv, N_VERILATOR_ARGS + 1, "Vburn_top", vf, nv, version};
	int rc = vl_get(&s, out_dir, log, timeout, vb, e);
	free(vf);
	return rc;
}

/* Raw of type width w (signedness sgn) from its bit pattern. */
static fx_raw from_bits(unsigned long long u, int w, bool sgn)
{
	fx_raw r = (fx_raw)u;
	if (sgn && w < 64 && (u >> (w - 1) & 1))
		r -= (fx_raw)1 << w;
	else if (sgn && w == 64)
		r = (fx_raw)(long long)u;
	return r;
}

/* What the simulation measured. */
typedef struct {
	long n;              /* outputs read */
	long *accepted;      /* per vector: cycle its input was taken */
	long *shown;         /* per vector: cycle its output was valid */
	fx_raw *y;           /* n * n_out raws */
	long cycles;         /* total cycles */
	bool timed_out;
} simout;

static void simout_free(simout *s)
{
	free(s->accepted);
	free(s->shown);
	free(s->y);
	memset(s, 0, sizeof *s);
}

/* Parses the testbench's output file. */
static int read_simout(const char *path, long nv, int n_out, int w, bool sgn, simout *so,
		       berr *e)
{
	memset(so, 0, sizeof *so);
	FILE *f = fopen(path, "r");
	if (!f)
		return errf(e, "%s: the simulation wrote no output: %s", path, strerror(errno));
	so->accepted = xcalloc((size_t)nv, sizeof *so->accepted);
	so->shown = xcalloc((size_t)nv, sizeof *so->shown);
	so->y = xcalloc((size_t)nv * (size_t)n_out, sizeof *so->y);
	char tag[16];
	int rc = 0;
	while (fscanf(f, "%15s", tag) == 1) {
		if (strcmp(tag, "y") == 0) {
			long v, acc, cyc;
			if (fscanf(f, "%ld %ld %ld", &v, &acc, &cyc) != 3 || v != so->n || v >= nv) {
				rc = errf(e, "%s: malformed output line %ld", path, so->n + 1);
				break;
			}
			for (int j = 0; j < n_out && rc == 0; j++) {
				unsigned long long u;
				if (fscanf(f, "%llu", &u) != 1)
					rc = errf(e, "%s: short output line %ld", path, v + 1);
				else
					so->y[v * n_out + j] = from_bits(u, w, sgn);
			}
			so->accepted[v] = acc;
			so->shown[v] = cyc;
			so->n++;
		} else if (strcmp(tag, "end") == 0 || strcmp(tag, "timeout") == 0) {
			so->timed_out = tag[0] == 't';
			if (fscanf(f, "%ld", &so->cycles) != 1)
				rc = errf(e, "%s: malformed last line", path);
			break;
		} else {
			rc = errf(e, "%s: unexpected '%s'", path, tag);
			break;
		}
	}
	fclose(f);
	if (rc != 0)
		simout_free(so);
	return rc;
}

/* Writes the testbench's input file: header and the quantized inputs. */
static void write_siminput(strbuf *b, long nv, int n_in, int wi, int n_out, int wo, long maxc,
			   const fx_raw *x)
{
	sb_printf(b, "burn-tb 1 %ld %d %d %d %d %ld\n", nv, n_in, wi, n_out, wo, maxc);
	char buf[48];
	for (long v = 0; v < nv; v++) {
		for (int i = 0; i < n_in; i++)
			sb_printf(b, "%s%s", i ? " " : "", fx_rawstr(x[v * n_in + i], buf, sizeof buf));
		sb_puts(b, "\n");
	}
}

/* The rtlsim step after its cache lookup missed: fills res (ok or failed). Returns 0 when the
 * result may be cached, 1 when it must not (a tool missing, crashing or timing out). */
static int rtlsim_run(const rargs *a, const char *version, const dfile *files, int nf,
		      const char *log, strbuf *res)
{
	project p;
	config c;
	berr e;
	if (project_load(a->pos[0], true, &p, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	int rc = 0;
	fx_raw *x = NULL, *yref = NULL;
	step_result rtl;
	bool have_rtl = false, have_cfg = false;
	vl_build vb = {0};
	char *tmp = NULL;
	simout so = {0};
	strbuf msg = {0};

	if (config_load(a->pos[1], &p, &c, &e) != 0) {
		sb_puts(&msg, e.msg);
		goto done;
	}
	have_cfg = true;
	char *rj = path_join(a->pos[2], "rtl.json");
	int rr = result_read(rj, &rtl, &e);
	free(rj);
	if (rr != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	have_rtl = true;
	if (!rtl.ok) {
		sb_printf(&msg, "rtlgen failed: %s", rtl.error ? rtl.error : "(no reason given)");
		goto done;
	}
	int L = p.n_layers;
	int n_in = p.layers[0].n_in, n_out = p.layers[L - 1].n_out;
	int wi = c.input.w, wo = c.layers[L - 1].result.w;
	bool so_sgn = c.layers[L - 1].result.sign;
	if (result_num(&rtl, "in_words", -1) != n_in || result_num(&rtl, "in_width", -1) != wi ||
	    result_num(&rtl, "out_words", -1) != n_out || result_num(&rtl, "out_width", -1) != wo) {
		sb_printf(&msg, "%s does not hold this config's design (its ports differ): run burn "
				"rtlgen on the same FACET and CONFIG",
			  a->pos[2]);
		goto done;
	}
	if (csim_raw(&p, &c, &x, &yref, &e) != 0) {
		sb_puts(&msg, e.msg);
		goto done;
	}
	if (!version) {
		sb_puts(&msg, "verilator not found in PATH (or `verilator --version` failed): install "
			      "Verilator to co-simulate");
		rc = 1;
		goto done;
	}
	long nv = p.calib.n;
	long lat = (long)result_num(&rtl, "latency_cycles", 0);
	long ii = (long)result_num(&rtl, "ii_cycles", 1);
	long expect = lat + nv * (ii + 8);
	strbuf tb = {0};
	rtl_testbench(&tb);
	char *out_dir = dir_of(a->out);
	const char *opt = expect > LONG_SIM_CYCLES ? "OPT_FAST=-O2" : "OPT_FAST=-O0";
	proc_log(log, "burn rtlsim: Verilator with %s", opt);
	int brc = build_sim(files, nf, version, tb.s, opt, out_dir, log, a->timeout, &vb, &e);
	sb_free(&tb);
	if (brc != 0) {
		free(out_dir);
		sb_puts(&msg, e.msg);
		rc = 1; /* a build failure is the tool's or the machine's: not cached */
		goto done;
	}

	/* run it: inputs and outputs in a scratch folder, in the RTL folder (for $readmemh) */
	char *tmpl = path_join(out_dir, ".rtlsim-XXXXXX");
	free(out_dir);
	if (!mkdtemp(tmpl)) {
		die(EXIT_INTERNAL, "%s: cannot create a scratch folder: %s", tmpl, strerror(errno));
	}
	tmp = realpath(tmpl, NULL);
	free(tmpl);
	if (!tmp)
		die(EXIT_INTERNAL, "realpath: %s", strerror(errno));
	long maxc = 1000 + 4 * expect;
	strbuf in = {0};
	write_siminput(&in, nv, n_in, wi, n_out, wo, maxc, x);
	char *inp = path_join(tmp, "in.txt"), *outp = path_join(tmp, "out.txt");
	if (write_file_atomic(inp, in.s, in.len, false, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	sb_free(&in);
	char *argv[] = {vb.bin, inp, outp, NULL};
	proc_result pr;
	double left = a->timeout - vb.seconds;
	proc_log(log, "burn rtlsim: simulating %ld vectors", nv);
	if (proc_run(argv, a->pos[2], log, left > 1 ? left : 1, &pr, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	char buf[64];
	if (pr.timed_out || pr.signal) {
		sb_printf(&msg, "simulation %s", proc_describe(&pr, buf, sizeof buf));
		rc = 1;
	} else if (read_simout(outp, nv, n_out, wo, so_sgn, &so, &e) != 0) {
		sb_printf(&msg, "simulation %s: %s%s%s", proc_describe(&pr, buf, sizeof buf), e.msg,
			  pr.tail[0] ? ": " : "", pr.tail);
		rc = 1;
	} else if (so.timed_out || so.n < nv || pr.status != 0) {
		sb_printf(&msg, "simulation %s: %ld of %ld outputs after %ld cycles (the design "
				"stopped answering)%s%s",
			  proc_describe(&pr, buf, sizeof buf), so.n, nv, so.cycles,
			  pr.tail[0] ? ": " : "", pr.tail);
	} else {
		/* compare every output */
		long bad = 0, fv = -1, fj = -1;
		for (long v = 0; v < nv; v++)
			for (int j = 0; j < n_out; j++)
				if (so.y[v * n_out + j] != yref[v * n_out + j] && bad++ == 0) {
					fv = v;
					fj = j;
				}
		proc_log(log, "burn rtlsim: %ld cycles, %.2f s; %ld of %ld outputs differ", so.cycles,
			 pr.seconds, bad, nv * n_out);
		if (bad) {
			char b1[48], b2[48];
			const fx_type *ty = &c.layers[L - 1].result;
			fx_raw want = yref[fv * n_out + fj], got = so.y[fv * n_out + fj];
			sb_printf(&msg, "co-simulation mismatch: vector %ld output %ld: expected raw %s "
					"(%.17g), got raw %s (%.17g); %ld of %ld outputs differ",
				  fv, fj, fx_rawstr(want, b1, sizeof b1), fx_to_double(ty, want),
				  fx_rawstr(got, b2, sizeof b2), fx_to_double(ty, got), bad,
				  nv * (long)n_out);
		} else {
			jw w;
			jw_init(&w, res);
			jw_obj(&w);
			jw_kstr(&w, "step", "rtlsim");
			jw_kstr(&w, "status", "ok");
			long first = so.shown[0] - so.accepted[0];
			jw_klong(&w, "cycles", first);
			jw_klong(&w, "latency_cycles", first);
			jw_kdouble(&w, "ii_cycles",
				   nv > 1 ? (double)(so.shown[nv - 1] - so.shown[0]) / (double)(nv - 1)
					  : NAN);
			jw_klong(&w, "expected_latency_cycles", lat);
			jw_klong(&w, "expected_ii_cycles", ii);
			jw_klong(&w, "total_cycles", so.cycles);
			jw_klong(&w, "n_vectors", nv);
			jw_klong(&w, "outputs_compared", nv * (long)n_out);
			jw_klong(&w, "mismatches", 0);
			jw_kstr(&w, "verilator", version);
			jw_kstr(&w, "verilator_build", vb.cached ? "cached" : "built");
			jw_kdouble(&w, "build_seconds", vb.seconds);
			jw_kdouble(&w, "sim_seconds", pr.seconds);
			jw_end_obj(&w);
			sb_puts(res, "\n");
		}
	}
	free(inp);
	free(outp);
done:
	if (msg.len) {
		proc_log(log, "burn rtlsim: failed: %s", msg.s);
		result_write_failed(res, "rtlsim", msg.s);
		sb_puts(res, "\n");
	}
	sb_free(&msg);
	simout_free(&so);
	if (tmp && rm_tree(tmp, &e) != 0)
		warn("%s", e.msg);
	free(tmp);
	vl_free(&vb);
	if (have_rtl)
		result_free(&rtl);
	if (have_cfg)
		config_free(&c);
	free(x);
	free(yref);
	project_free(&p);
	return rc;
}

int cmd_rtlsim(int argc, char **argv)
{
	rargs a;
	if (parse_rargs(argc, argv, 3, true, usage_rtlsim, &a) != 0)
		return EXIT_BADINPUT;
	project p;
	berr e;
	if (project_load(a.pos[0], false, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_WEIGHTS | HAS_CALIB, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	char *out_dir = dir_of(a.out);
	if (mkdirs(out_dir, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(out_dir);
	char *version = proc_version("verilator", "--version");
	dfile *files;
	int nf;
	if (read_dir(a.pos[2], &files, &nf, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	strbuf tb = {0};
	rtl_testbench(&tb);

	step s;
	step_begin(&s, "rtlsim", RTLSIM_VERSION, 1, &a.out);
	if (step_key_file(&s, "project", a.pos[0], &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	for (int i = 0; i < p.n_inputs; i++)
		if (step_key_file(&s, "input", p.inputs[i], &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	if (step_key_file(&s, "config", a.pos[1], &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	for (int i = 0; i < nf; i++) {
		step_key_bytes(&s, "name", files[i].name, strlen(files[i].name));
		step_key_bytes(&s, "rtl", files[i].data, files[i].len);
	}
	const char *vs = version ? version : "(none)";
	step_key_bytes(&s, "verilator", vs, strlen(vs));
	step_key_bytes(&s, "testbench", tb.s, tb.len);
	for (int i = 0; i < N_VERILATOR_ARGS; i++)
		step_key_bytes(&s, "arg", verilator_args[i], strlen(verilator_args[i]));
	sb_free(&tb);
	project_free(&p);
	int rc = 0;
	if (!step_lookup(&s)) {
		/* the log: OUT's name with .log instead of .json */
		size_t n = strlen(a.out);
		char *log = xmalloc(n + 8);
		memcpy(log, a.out, n + 1);
		if (ends_with(log, ".json"))
			log[n - 5] = '\0';
		strcat(log, ".log");
		FILE *lf = fopen(log, "w");
		if (lf)
			fclose(lf);
		strbuf res = {0};
		int transient = rtlsim_run(&a, version, files, nf, log, &res);
		put_file(a.out, &res);
		step_finish(&s, transient == 0);
		if (!a.keep_going && strstr(res.s, "\"status\": \"failed\"")) {
			fprintf(stderr, "burn rtlsim: the candidate failed (%s; log: %s)\n", a.out, log);
			rc = EXIT_INTERNAL;
		}
		sb_free(&res);
		free(log);
	} else if (!a.keep_going) {
		step_result r;
		if (result_read(a.out, &r, &e) == 0) {
			if (!r.ok) {
				fprintf(stderr, "burn rtlsim: the candidate failed (%s)\n", a.out);
				rc = EXIT_INTERNAL;
			}
			result_free(&r);
		}
	}
	dfiles_free(files, nf);
	free(version);
	return rc;
}
