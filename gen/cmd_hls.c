/* cmd_hls.c - the HLS flow for those who have the vendor's tools (docs/HLS.md):
 *   burn hlsproj  writes a candidate's HLS C++ project (kernels/hls.h);
 *   burn hls      runs vitis_hls on it and reads <top>_csynth.xml;
 *   burn vivado   runs an out-of-context Vivado synthesis of the exported RTL and reads its
 *                 utilization and timing reports.
 * The results have the schema of burn synth (gen/synthrep.h). vitis_hls and vivado are not
 * installed here: these steps are tested only against the fake tools in tests/fake/. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/cmds.h"
#include "gen/config.h"
#include "gen/json.h"
#include "gen/proc.h"
#include "gen/project.h"
#include "gen/result.h"
#include "gen/step.h"
#include "gen/synthrep.h"
#include "kernels/csim.h"
#include "kernels/hls.h"

const char usage_hlsproj[] =
	"usage: burn hlsproj PROJECT CONFIG -o DIR [--top NAME] [--keep-going]\n"
	"\n"
	"Writes the HLS C++ project of CONFIG for PROJECT's block into DIR, in the layout hls4ml\n"
	"users know: firmware/NAME.cpp (the top function, with the pragmas of each layer's\n"
	"Strategy and ReuseFactor), defines.h (ap_fixed types), parameters.h, weights/w1.h ...,\n"
	"NAME_test.cpp and tb_data/ (the calibration inputs and burn csim's outputs to compare\n"
	"with), build_prj.tcl (vitis_hls) and vivado_synth.tcl. Also DIR/hlsproj.json. PROJECT\n"
	"needs the block, weights, calibration, part and clock. docs/HLS.md.\n"
	"\n"
	"  -o DIR          the project folder\n"
	"  --top NAME      top function name (default burn_top)\n"
	"  --keep-going    an invalid CONFIG is recorded in DIR/hlsproj.json, exit 0\n";

const char usage_hls[] =
	"usage: burn hls DIR -o OUT.json [--timeout S] [--csim] [--rtl] [--keep-going]\n"
	"\n"
	"Runs `vitis_hls -f build_prj.tcl` in DIR (a project of burn hlsproj) and reads\n"
	"<top>_prj/solution1/syn/report/<top>_csynth.xml: latency, interval, estimated clock,\n"
	"BRAM_18K, DSP, FF, LUT, URAM, in the result schema of burn synth. Cached on the project's\n"
	"files and the tool's version. Untested with the real tool (docs/HLS.md).\n"
	"\n"
	"  -o OUT.json     the result (atomically)\n"
	"  --timeout S     stop vitis_hls after S seconds (default 7200): a failed result\n"
	"  --csim          also run the C simulation (BURN_HLS_CSIM=1 for build_prj.tcl)\n"
	"  --rtl           the exported RTL must be in DIR afterwards (burn vivado reads it): a\n"
	"                  cached result counts only when it is; else vitis_hls runs again\n"
	"  --keep-going    exit 0 when the candidate fails (the result says why)\n";

const char usage_vivado[] =
	"usage: burn vivado DIR -o OUT.json [--timeout S] [--keep-going]\n"
	"\n"
	"Runs `vivado -mode batch -source vivado_synth.tcl` in DIR after burn hls: out-of-context\n"
	"synthesis of the exported RTL for the part's device, then reads reports/utilization.rpt\n"
	"and reports/timing_summary.rpt into the result schema of burn synth. Cached on the RTL,\n"
	"the script and the tool's version. Untested with the real tool (docs/HLS.md).\n"
	"\n"
	"  -o OUT.json     the result (atomically)\n"
	"  --timeout S     stop vivado after S seconds (default 7200): a failed result\n"
	"  --keep-going    exit 0 when the candidate fails (the result says why)\n";

enum { HLS_VERSION = 1, VIVADO_VERSION = 1, MAX_PROJECT_FILES = 4096 };
#define PROJECT_MAX_FILE ((size_t)512 << 20)

typedef struct {
	const char *pos[2];
	int npos;
	const char *out, *top;
	double timeout;
	bool keep_going, csim, rtl;
} hargs;

/* Parses the options of hlsproj (npos 2), hls and vivado (npos 1). */
static int parse_hargs(int argc, char **argv, int npos, const char *usage, hargs *a)
{
	memset(a, 0, sizeof *a);
	a->timeout = LIM_VENDOR_TIMEOUT_S;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--keep-going") == 0) {
			a->keep_going = true;
		} else if (strcmp(s, "--csim") == 0 && npos == 1) {
			a->csim = true;
		} else if (strcmp(s, "--rtl") == 0 && npos == 1) {
			a->rtl = true;
		} else if (strcmp(s, "-o") == 0 || strcmp(s, "--timeout") == 0 ||
			   (strcmp(s, "--top") == 0 && npos == 2)) {
			if (i + 1 >= argc) {
				fprintf(stderr, "burn %s: option '%s' needs a value\n%s", argv[0], s, usage);
				return -1;
			}
			const char *v = argv[++i];
			if (s[1] == 'o')
				a->out = v;
			else if (s[2] == 't' && s[3] == 'o')
				a->top = v;
			else if (parse_double(v, &a->timeout) != 0 || !(a->timeout > 0)) {
				fprintf(stderr, "burn %s: --timeout '%s' is not a positive number of seconds\n",
					argv[0], v);
				return -1;
			}
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "burn %s: unknown option '%s'\n%s", argv[0], s, usage);
			return -1;
		} else if (a->npos < npos) {
			a->pos[a->npos++] = s;
		} else {
			fprintf(stderr, "burn %s: too many arguments\n%s", argv[0], usage);
			return -1;
		}
	}
	if (a->npos != npos || !a->out) {
		fprintf(stderr, "burn %s: missing arguments\n%s", argv[0], usage);
		return -1;
	}
	return 0;
}

static void put_file(const char *path, const strbuf *b)
{
	berr e;
	char *d = dir_of(path);
	if (mkdirs(d, &e) != 0 || write_file_atomic(path, b->s, b->len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(d);
}

/* ---- burn hlsproj ---------------------------------------------------------------------------- */

static int hlsproj_failed(const hargs *a, const char *msg)
{
	if (!a->keep_going) {
		fprintf(stderr, "burn: %s\n", msg);
		return EXIT_BADINPUT;
	}
	strbuf b = {0};
	result_write_failed(&b, "hlsproj", msg);
	sb_puts(&b, "\n");
	char *p = path_join(a->out, "hlsproj.json");
	put_file(p, &b);
	free(p);
	sb_free(&b);
	return 0;
}

int cmd_hlsproj(int argc, char **argv)
{
	hargs a;
	if (parse_hargs(argc, argv, 2, usage_hlsproj, &a) != 0)
		return EXIT_BADINPUT;
	project p;
	config c;
	berr e;
	if (project_load(a.pos[0], true, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_WEIGHTS | HAS_CALIB | HAS_PART | HAS_CLOCK, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (config_load(a.pos[1], &p, &c, &e) != 0) {
		int rc = hlsproj_failed(&a, e.msg);
		project_free(&p);
		return rc;
	}
	int rc = 0;
	csim_result r;
	hls_project h;
	if (csim_run(&p, &c, &r, &e) != 0) {
		rc = hlsproj_failed(&a, e.msg);
		goto out0;
	}
	hls_options o = {.top = a.top, .expected = r.y_fixed};
	if (hls_emit(&p, &c, &o, &h, &e) != 0) {
		rc = hlsproj_failed(&a, e.msg);
		goto out1;
	}
	strbuf b = {0};
	jw w;
	jw_init(&w, &b);
	jw_obj(&w);
	jw_kstr(&w, "step", "hlsproj");
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "top", a.top ? a.top : "burn_top");
	jw_kstr(&w, "part", p.part.device);
	jw_kdouble(&w, "clock_ns", p.clock_ns);
	/* The digest of every file's name and bytes: hlsproj.json changes whenever a file does,
	 * so the sweep's hls edge, which depends on it (with restat), runs again exactly then. */
	khash kh;
	kh_init(&kh, "hlsproj", 1);
	jw_key(&w, "files");
	jw_arr(&w);
	for (int i = 0; i < h.n; i++) {
		char *path = path_join(a.out, h.files[i].path);
		put_file(path, &h.files[i].text);
		free(path);
		jw_str(&w, h.files[i].path);
		kh_add_str(&kh, "name", h.files[i].path);
		kh_add(&kh, "file", h.files[i].text.s ? h.files[i].text.s : "", h.files[i].text.len);
	}
	jw_end_arr(&w);
	ckey digest = kh_final(&kh);
	char hex[33];
	ckey_hex(&digest, hex);
	jw_kstr(&w, "digest", hex);
	jw_end_obj(&w);
	sb_puts(&b, "\n");
	char *jp = path_join(a.out, "hlsproj.json");
	put_file(jp, &b);
	free(jp);
	sb_free(&b);
	hls_project_free(&h);
out1:
	csim_free(&r);
out0:
	config_free(&c);
	project_free(&p);
	return rc;
}

/* ---- running a tool ------------------------------------------------------------------------ */

/* Reads "set top NAME" from a burn-written TCL script; NULL with e set if absent. */
static char *tcl_top(const char *path, berr *e)
{
	char *text;
	size_t len;
	if (read_file(path, 1 << 20, &text, &len, e) != 0)
		return NULL;
	char *top = NULL;
	for (char *line = text; line && *line;) {
		char *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		if (strncmp(line, "set top ", 8) == 0) {
			top = xstrdup(line + 8);
			break;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(text);
	bool ok = top && top[0];
	for (char *s = top; ok && *s; s++)
		ok = (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_';
	if (!ok) {
		free(top);
		errf(e, "%s: no 'set top NAME' line (not written by burn hlsproj?)", path);
		return NULL;
	}
	return top;
}

static int by_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Adds the bytes of every regular file under dir (recursively, in name order, with its path
 * relative to the project) to the step's key. Returns the number of files, -1 on error. */
static int key_tree(step *s, const char *root, const char *rel, int depth, berr *e)
{
	char *dir = path_join(root, rel);
	DIR *d = opendir(dir);
	if (!d) {
		int rc = errno == ENOENT ? 0 : errf(e, "%s: %s", dir, strerror(errno));
		free(dir);
		return rc;
	}
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		names = xreallocarray(names, n + 1, sizeof *names);
		names[n++] = xstrdup(de->d_name);
	}
	closedir(d);
	free(dir);
	qsort(names, n, sizeof *names, by_str);
	int count = 0;
	for (size_t i = 0; i < n && count >= 0; i++) {
		char *r = path_join(rel, names[i]), *full = path_join(root, r);
		struct stat st;
		if (stat(full, &st) == 0 && S_ISDIR(st.st_mode) && depth < 8) {
			int k = key_tree(s, root, r, depth + 1, e);
			count = k < 0 ? -1 : count + k;
		} else if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			char *data;
			size_t len;
			if (count >= MAX_PROJECT_FILES) {
				count = errf(e, "%s: more than %d files", root, MAX_PROJECT_FILES);
			} else if (read_file(full, PROJECT_MAX_FILE, &data, &len, e) != 0) {
				count = -1;
			} else {
				step_key_bytes(s, "name", r, strlen(r));
				step_key_bytes(s, "file", data, len);
				free(data);
				count++;
			}
		}
		free(r);
		free(full);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return count;
}

/* True if dir is a folder holding at least one entry. */
static bool dir_has_files(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return false;
	struct dirent *de;
	bool any = false;
	while (!any && (de = readdir(d)) != NULL)
		any = de->d_name[0] != '.';
	closedir(d);
	return any;
}

/* What a tool step runs and reads. */
typedef struct {
	const char *step, *tool, *version_flag;
	int version;
	const char *script;           /* the TCL file in DIR */
	const char *const *tree;      /* files and folders of DIR that make up the key ("%s": top) */
	int n_tree;
	int required;                 /* the tree entry that must be a folder with files */
	const char *const *argv;      /* the command; "%s" nowhere */
	const char *log;              /* burn's capture of its output, in DIR */
	const char *reports[2];       /* report paths in DIR ("%s": top); the second may be NULL */
	bool second_optional;
	const char *rtl;              /* what --rtl needs in DIR afterwards ("%s": top), or NULL */
} tool_step;

/* Formats a path pattern with the top name. */
static char *fmt_top(const char *pat, const char *top)
{
	strbuf b = {0};
	sb_printf(&b, pat, top, top);
	return b.s;
}

/* Parses the reports of step t into r; -1 with the problem in msg. */
static int read_reports(const tool_step *t, const char *dir, const char *top, synthrep *r,
			strbuf *msg)
{
	for (int k = 0; k < 2 && t->reports[k]; k++) {
		char *rel = fmt_top(t->reports[k], top), *path = path_join(dir, rel);
		char *text = NULL;
		size_t len = 0;
		berr e;
		int rc = 0;
		if (read_file(path, SR_MAX_BYTES, &text, &len, &e) != 0) {
			if (!(k == 1 && t->second_optional && access(path, F_OK) != 0)) {
				sb_printf(msg, "%s finished but its report is missing: %s", t->tool, e.msg);
				rc = -1;
			}
		} else {
			int prc = strcmp(t->step, "hls") == 0 ? sr_csynth_xml(text, len, r, &e)
				  : k == 0			? sr_vivado_util(text, len, r, &e)
								: sr_vivado_timing(text, len, r, &e);
			if (prc != 0) {
				sb_printf(msg, "%s: %s", rel, e.msg);
				rc = -1;
			}
		}
		free(text);
		free(rel);
		free(path);
		if (rc != 0)
			return -1;
	}
	return 0;
}

/* Writes a failed result for the candidate; returns the exit status (0 with --keep-going). */
static int tool_failed(const hargs *a, const tool_step *t, const char *version, const char *msg,
		       double seconds)
{
	strbuf res = {0};
	sr_write_failed(&res, t->step, t->tool, version, msg, seconds);
	put_file(a->out, &res);
	sb_free(&res);
	if (!a->keep_going)
		fprintf(stderr, "burn %s: %s\n", t->step, msg);
	return a->keep_going ? 0 : EXIT_INTERNAL;
}

static int run_tool(int argc, char **argv, const char *usage, const tool_step *t)
{
	hargs a;
	if (parse_hargs(argc, argv, 1, usage, &a) != 0)
		return EXIT_BADINPUT;
	const char *dir = a.pos[0];
	berr e;
	char *out_dir = dir_of(a.out);
	if (mkdirs(out_dir, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(out_dir);
	strbuf res = {0}, msg = {0};
	int rc = 0;
	char *version = NULL;
	char *script = path_join(dir, t->script);
	char *top = tcl_top(script, &e);
	free(script);
	if (!top) {
		/* a candidate whose project could not be written: hlsproj.json says why */
		sb_puts(&msg, e.msg);
		char *hj = path_join(dir, "hlsproj.json");
		step_result hr;
		berr e2;
		if (access(hj, F_OK) == 0 && result_read(hj, &hr, &e2) == 0) {
			if (!hr.ok && hr.error)
				sb_printf(&msg, "; hlsproj.json says failed: %s", hr.error);
			result_free(&hr);
		}
		free(hj);
		rc = tool_failed(&a, t, NULL, msg.s, 0);
		goto out0;
	}
	version = proc_version(t->tool, t->version_flag);
	if (!version) {
		sb_printf(&msg, "%s not found in PATH (or `%s %s` failed): this step needs the vendor's tool",
			  t->tool, t->tool, t->version_flag);
		rc = tool_failed(&a, t, NULL, msg.s, 0);
		goto out1;
	}

	/* the folder the tool reads must be there (hlsproj's firmware, hls's exported RTL) */
	char *req_rel = fmt_top(t->tree[t->required], top), *req = path_join(dir, req_rel);
	bool have = dir_has_files(req);
	free(req_rel);
	free(req);
	if (!have) {
		sb_printf(&msg, "%s: no %s to read (run %s first)", dir, t->tree[t->required],
			  strcmp(t->step, "hls") == 0 ? "burn hlsproj" : "burn hls");
		rc = tool_failed(&a, t, version, msg.s, 0);
		goto out1;
	}

	step s;
	step_begin(&s, t->step, t->version, 1, &a.out);
	step_key_bytes(&s, "tool", version, strlen(version));
	step_key_bytes(&s, "csim", a.csim ? "1" : "0", 1);
	for (int k = 0; k < t->n_tree; k++) {
		char *rel = fmt_top(t->tree[k], top), *full = path_join(dir, rel);
		struct stat st;
		if (stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
			if (step_key_file(&s, rel, full, &e) != 0)
				die(EXIT_INTERNAL, "%s", e.msg);
		} else if (key_tree(&s, dir, rel, 0, &e) < 0) {
			die(EXIT_INTERNAL, "%s", e.msg);
		}
		free(rel);
		free(full);
	}
	/* The cache holds the result, not the exported RTL: with --rtl, a hit counts only when the
	 * RTL is still in DIR (the sweep's vivado step reads it). */
	bool want_rtl = false;
	if (a.rtl && t->rtl) {
		char *rel = fmt_top(t->rtl, top), *full = path_join(dir, rel);
		want_rtl = !dir_has_files(full);
		free(rel);
		free(full);
	}
	if (want_rtl)
		step_skip_lookup(&s);
	else if (step_lookup(&s))
		goto out1;

	/* an old report must not pass for this run's */
	for (int k = 0; k < 2 && t->reports[k]; k++) {
		char *rel = fmt_top(t->reports[k], top), *path = path_join(dir, rel);
		unlink(path);
		free(rel);
		free(path);
	}
	char *log = path_join(dir, t->log);
	unlink(log);
	if (a.csim)
		setenv("BURN_HLS_CSIM", "1", 1);
	else
		unsetenv("BURN_HLS_CSIM");
	proc_result pr;
	if (proc_run((char *const *)t->argv, dir, log, a.timeout, &pr, &e) != 0)
		die(EXIT_INTERNAL, "%s: %s", t->tool, e.msg);
	free(log);
	synthrep r;
	sr_init(&r);
	char buf[128];
	bool ok = false;
	if (pr.timed_out || pr.signal || pr.status != 0) {
		sb_printf(&msg, "%s %s", t->tool, proc_describe(&pr, buf, sizeof buf));
		sr_add_tail(&msg, pr.tail);
	} else {
		ok = read_reports(t, dir, top, &r, &msg) == 0;
	}
	if (ok) {
		sr_write(&res, t->step, t->tool, version, &r, pr.seconds);
		put_file(a.out, &res);
	} else {
		rc = tool_failed(&a, t, version, msg.s, pr.seconds);
	}
	/* only results are cached: a vendor tool fails for reasons outside its inputs too (a
	 * licence, a full disk, a timeout, the OOM killer) */
	step_finish(&s, ok);
out1:
	free(version);
out0:
	free(top);
	sb_free(&res);
	sb_free(&msg);
	return rc;
}

int cmd_hls(int argc, char **argv)
{
	static const char *const tree[] = {"build_prj.tcl", "%s_test.cpp", "firmware", "tb_data"};
	static const char *const args[] = {"vitis_hls", "-f", "build_prj.tcl", NULL};
	tool_step t = {
		.step = "hls", .tool = "vitis_hls", .version_flag = "-version", .version = HLS_VERSION,
		.script = "build_prj.tcl", .tree = tree, .n_tree = 4, .required = 2, .argv = args,
		.log = "burn_vitis_hls.log",
		.reports = {"%s_prj/solution1/syn/report/%s_csynth.xml", NULL},
		.rtl = "%s_prj/solution1/syn/verilog",
	};
	return run_tool(argc, argv, usage_hls, &t);
}

int cmd_vivado(int argc, char **argv)
{
	static const char *const tree[] = {"vivado_synth.tcl", "%s_prj/solution1/syn/verilog"};
	static const char *const args[] = {"vivado", "-mode", "batch", "-source", "vivado_synth.tcl", NULL};
	tool_step t = {
		.step = "vivado", .tool = "vivado", .version_flag = "-version", .version = VIVADO_VERSION,
		.script = "vivado_synth.tcl", .tree = tree, .n_tree = 2, .required = 1, .argv = args,
		.log = "burn_vivado.log",
		.reports = {"reports/utilization.rpt", "reports/timing_summary.rpt"},
		.second_optional = true,
	};
	return run_tool(argc, argv, usage_vivado, &t);
}
