/* cmd_synth.c - burn synth: out-of-context Yosys synthesis of a candidate's RTL for the
 * project's FPGA family, read back into a result file (docs/SYNTH.md). The RTL folder's files
 * are copied into a scratch folder where Yosys runs (so $readmemh finds its .hex files); the
 * result is cached on the bytes of those files, the family and the Yosys version. A Yosys
 * error, crash or timeout, or a report that does not parse, is a failed candidate with the
 * log's tail, never a stopped sweep and never a made-up number. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/cmds.h"
#include "gen/opts.h"
#include "gen/proc.h"
#include "gen/project.h"
#include "gen/result.h"
#include "gen/step.h"
#include "gen/synthrep.h"

const char usage_synth[] =
	"usage: burn synth FACET RTLDIR -o OUT.json [--timeout S] [--keep-going] [--work DIR]\n"
	"\n"
	"Synthesises the Verilog in RTLDIR (every .v file; top module burn_top; other files such\n"
	"as $readmemh .hex ROMs are copied beside them) out of context with Yosys\n"
	"`synth_xilinx -family F -noiopad`, F being the family of FACET's part (xc7 or xcup), and\n"
	"writes LUT, FF, DSP, BRAM18, LUTRAM, CARRY and MUXF counts and the logic depth of the\n"
	"longest path as JSON (docs/SYNTH.md). Cached on the RTL bytes, family and Yosys version.\n"
	"\n"
	"  -o OUT.json     the result (atomically); Yosys runs in DIR/yosys beside it\n"
	"  --timeout S     stop Yosys after S seconds (default 1800): a failed result\n"
	"  --keep-going    exit 0 when the candidate fails (the result says why)\n"
	"  --work DIR      scratch folder for Yosys (default: OUT's folder/yosys)\n";

/* Bump when the result for the same inputs changes (the script, the mapping, the schema). */
enum { SYNTH_VERSION = 1, SYNTH_MAX_FILES = 4096 };
#define SYNTH_MAX_FILE ((size_t)256 << 20)
#define SYNTH_DEFAULT_TIMEOUT 1800.0

/* One file of the RTL folder, held in memory. */
typedef struct {
	char *name;
	char *data;
	size_t len;
} rtl_file;

/* File names that can go into a Yosys script and a cache object unquoted. */
static bool safe_name(const char *s)
{
	if (!s[0] || s[0] == '.' || strlen(s) > 200)
		return false;
	for (const char *c = s; *c; c++)
		if (!((*c >= 'a' && *c <= 'z') || (*c >= 'A' && *c <= 'Z') || (*c >= '0' && *c <= '9') ||
		      *c == '_' || *c == '.' || *c == '-' || *c == '+'))
			return false;
	return true;
}

/* The scratch folder's own files: never taken from the RTL folder. */
static bool reserved_name(const char *s)
{
	return strcmp(s, "synth.ys") == 0 || strcmp(s, "yosys.log") == 0 ||
	       strcmp(s, "stat.json") == 0 || strcmp(s, "netlist.json") == 0;
}

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);
	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const rtl_file *)a)->name, ((const rtl_file *)b)->name);
}

static void free_files(rtl_file *f, int n)
{
	for (int i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].data);
	}
	free(f);
}

/* Reads every regular file of dir (sorted by name); -1 with e set when the folder cannot be
 * used (missing, a bad name, no .v file, too big). */
static int read_rtl(const char *dir, rtl_file **out, int *n_out, berr *e)
{
	*out = NULL;
	*n_out = 0;
	DIR *d = opendir(dir);
	if (!d)
		return errf(e, "%s: cannot open the RTL folder: %s", dir, strerror(errno));
	rtl_file *f = NULL;
	int n = 0, cap = 0, n_v = 0;
	struct dirent *de;
	int rc = 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *path = path_join(dir, de->d_name);
		struct stat st;
		bool reg = stat(path, &st) == 0 && S_ISREG(st.st_mode);
		if (!reg || reserved_name(de->d_name)) {
			free(path);
			continue;
		}
		if (!safe_name(de->d_name)) {
			free(path);
			rc = errf(e, "%s: file name '%s' is not [A-Za-z0-9_.+-]", dir, de->d_name);
			break;
		}
		if (n >= SYNTH_MAX_FILES) {
			free(path);
			rc = errf(e, "%s: more than %d files", dir, SYNTH_MAX_FILES);
			break;
		}
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			f = xreallocarray(f, (size_t)cap, sizeof *f);
		}
		f[n].name = xstrdup(de->d_name);
		if (read_file(path, SYNTH_MAX_FILE, &f[n].data, &f[n].len, e) != 0) {
			free(f[n].name);
			free(path);
			rc = -1;
			break;
		}
		n_v += ends_with(de->d_name, ".v");
		n++;
		free(path);
	}
	closedir(d);
	if (rc == 0 && n_v == 0) {
		/* rtlgen records a candidate it could not build in rtl.json and writes no Verilog */
		char *rj = path_join(dir, "rtl.json");
		step_result sr;
		berr e2;
		if (access(rj, F_OK) == 0 && result_read(rj, &sr, &e2) == 0) {
			rc = errf(e, "%s: no .v file; rtl.json says %s%s%s", dir, sr.ok ? "ok" : "failed",
				  sr.error ? ": " : "", sr.error ? sr.error : "");
			result_free(&sr);
		} else {
			rc = errf(e, "%s: no .v file", dir);
		}
		free(rj);
	}
	if (rc != 0) {
		free_files(f, n);
		return -1;
	}
	qsort(f, (size_t)n, sizeof *f, by_name);
	*out = f;
	*n_out = n;
	return 0;
}

/* The Yosys script: read every .v, map, count, and write the netlist for the depth. */
static void write_script(strbuf *b, const char *family, const rtl_file *f, int n)
{
	sb_puts(b, "# written by burn synth (docs/SYNTH.md)\nread_verilog");
	for (int i = 0; i < n; i++)
		if (ends_with(f[i].name, ".v"))
			sb_printf(b, " %s", f[i].name);
	sb_printf(b, "\nsynth_xilinx -flatten -family %s -noiopad -top burn_top\n", family);
	sb_puts(b, "tee -q -o stat.json stat -json\n"
		   "hierarchy -purge_lib\n"
		   "setattr -unset src\n"
		   "write_json netlist.json\n");
}

/* Removes the regular files of the scratch folder, so nothing of an earlier run is read. */
static void clear_work(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (!safe_name(de->d_name))
			continue;
		char *p = path_join(dir, de->d_name);
		struct stat st;
		if (lstat(p, &st) == 0 && S_ISREG(st.st_mode))
			unlink(p);
		free(p);
	}
	closedir(d);
}

typedef struct {
	const char *pos[2];
	int npos;
	const char *out, *work;
	double timeout;
	bool keep_going;
} synth_args;

static int parse_synth_args(int argc, char **argv, synth_args *a)
{
	memset(a, 0, sizeof *a);
	a->timeout = SYNTH_DEFAULT_TIMEOUT;
	const char *timeout_s = NULL;
	int keep_going = 0;
	optdef o[] = {{"-o", &a->out, NULL}, {"--keep-going", NULL, &keep_going},
		{"--timeout", &timeout_s, NULL}, {"--work", &a->work, NULL}};
	a->npos = opts_step("synth", argc - 1, argv + 1, o, 4, a->pos, 2, usage_synth);
	if (a->npos < 0 || opts_seconds("synth", timeout_s, &a->timeout) != 0)
		return -1;
	a->keep_going = keep_going;
	if (a->npos != 2 || !a->out) {
		fprintf(stderr, "burn synth: expected FACET RTLDIR -o OUT.json\n%s", usage_synth);
		return -1;
	}
	return 0;
}

/* Writes the result file; dies if it cannot. */
static void put_result(const char *path, const strbuf *b)
{
	berr e;
	if (write_file_atomic(path, b->s, b->len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
}

int cmd_synth(int argc, char **argv)
{
	synth_args a;
	if (parse_synth_args(argc, argv, &a) != 0)
		return EXIT_BADINPUT;
	project p;
	berr e;
	if (project_load(a.pos[0], false, &p, &e) != 0 || project_require(&p, HAS_PART, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	char family[sizeof p.part.family];
	snprintf(family, sizeof family, "%s", p.part.family);
	project_free(&p);
	if (strcmp(family, "xc7") != 0 && strcmp(family, "xcup") != 0)
		die(EXIT_BADINPUT, "%s: part family '%s' is not one burn synthesises (xc7, xcup)",
		    a.pos[0], family);

	char *out_dir = dir_of(a.out);
	if (mkdirs(out_dir, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(out_dir);
	strbuf res = {0}, msg = {0};
	int rc = 0;
	rtl_file *files = NULL;
	int n_files = 0;
	char *version = proc_version("yosys", "-V");
	if (!version) {
		/* not cached: installing Yosys must not leave this failure behind */
		sr_write_failed(&res, "synth", "yosys", NULL,
				"yosys not found in PATH (or `yosys -V` failed): install Yosys to synthesise", 0);
		put_result(a.out, &res);
		sb_free(&res);
		if (!a.keep_going)
			fprintf(stderr, "burn synth: yosys not found in PATH\n");
		return a.keep_going ? 0 : EXIT_INTERNAL;
	}
	if (read_rtl(a.pos[1], &files, &n_files, &e) != 0) {
		sr_write_failed(&res, "synth", "yosys", version, e.msg, 0);
		put_result(a.out, &res);
		if (!a.keep_going)
			fprintf(stderr, "burn synth: %s\n", e.msg);
		rc = a.keep_going ? 0 : EXIT_INTERNAL;
		goto out0;
	}

	strbuf script = {0};
	write_script(&script, family, files, n_files);
	step s;
	step_begin(&s, "synth", SYNTH_VERSION, 1, &a.out);
	step_key_bytes(&s, "family", family, strlen(family));
	step_key_bytes(&s, "yosys", version, strlen(version));
	step_key_bytes(&s, "script", script.s, script.len);
	for (int i = 0; i < n_files; i++) {
		step_key_bytes(&s, "name", files[i].name, strlen(files[i].name));
		step_key_bytes(&s, "file", files[i].data, files[i].len);
	}
	if (step_lookup(&s))
		goto out1;

	char *work = a.work ? xstrdup(a.work) : NULL;
	if (!work) {
		char *d = dir_of(a.out);
		work = path_join(d, "yosys");
		free(d);
	}
	if (mkdirs(work, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	clear_work(work);
	for (int i = 0; i < n_files; i++) {
		char *dst = path_join(work, files[i].name);
		if (write_file_atomic(dst, files[i].data, files[i].len, false, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
		free(dst);
	}
	char *ys = path_join(work, "synth.ys"), *log = path_join(work, "yosys.log");
	if (write_file_atomic(ys, script.s, script.len, false, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	char *argv_y[] = {"yosys", "-Q", "-s", "synth.ys", NULL};
	proc_result pr;
	if (proc_run(argv_y, work, log, a.timeout, &pr, &e) != 0)
		die(EXIT_INTERNAL, "yosys: %s", e.msg);

	bool ok = false;
	synthrep r;
	sr_init(&r);
	char buf[128];
	if (pr.timed_out || pr.signal || pr.status != 0) {
		sb_printf(&msg, "yosys %s", proc_describe(&pr, buf, sizeof buf));
		sr_add_tail(&msg, pr.tail);
	} else {
		char *stat_path = path_join(work, "stat.json"), *net_path = path_join(work, "netlist.json");
		char *text = NULL;
		size_t len = 0;
		if (read_file(stat_path, SR_MAX_BYTES, &text, &len, &e) != 0 ||
		    sr_yosys_stat(text, len, &r, &e) != 0) {
			sb_printf(&msg, "yosys stat.json: %s", e.msg);
		} else {
			free(text);
			text = NULL;
			if (read_file(net_path, SR_MAX_BYTES, &text, &len, &e) != 0 ||
			    sr_yosys_depth(text, len, &r, &e) != 0)
				sb_printf(&msg, "yosys netlist.json: %s", e.msg);
			else
				ok = true;
		}
		free(text);
		free(stat_path);
		free(net_path);
	}
	if (ok) {
		snprintf(r.part, sizeof r.part, "%s", family);
		sr_write(&res, "synth", "yosys", version, &r, pr.seconds);
	} else {
		sr_write_failed(&res, "synth", "yosys", version, msg.s, pr.seconds);
		if (!a.keep_going)
			fprintf(stderr, "burn synth: %s\n", msg.s);
		rc = a.keep_going ? 0 : EXIT_INTERNAL;
	}
	put_result(a.out, &res);
	/* only results are cached: a failure may not happen again (a timeout, the OOM killer,
	 * a full disk), and a quick one costs little to repeat */
	step_finish(&s, ok);
	free(ys);
	free(log);
	free(work);
	sb_free(&script);
	goto out0;
out1:
	sb_free(&script);
out0:
	free_files(files, n_files);
	free(version);
	sb_free(&res);
	sb_free(&msg);
	return rc;
}
