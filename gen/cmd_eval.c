/* cmd_eval.c - the evaluation steps of one candidate: burn csim, burn estimate, burn reward.
 * Each writes one JSON result. With --keep-going a failure of the candidate (an invalid config,
 * an error in its evaluation) is written as {"status": "failed", "error": ...} and the step
 * exits 0, so a sweep goes on; a bad project still stops it (exit 2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/config.h"
#include "gen/estimate.h"
#include "gen/json.h"
#include "gen/project.h"
#include "gen/reward.h"
#include "gen/result.h"
#include "gen/step.h"
#include "gen/ydoc.h"
#include "kernels/csim.h"

const char usage_csim[] =
	"usage: burn csim PROJECT CONFIG [-o OUT.json] [--keep-going]\n"
	"\n"
	"Bit-accurate fixed-point forward pass of PROJECT's block under the candidate CONFIG\n"
	"(hls4ml HLSConfig YAML) on the project's calibration inputs, beside a float reference\n"
	"computed with OpenBLAS. Writes JSON: max and mean absolute error of the block output,\n"
	"per-layer errors, and overflow/quantization counts per layer.\n"
	"\n"
	"  -o OUT.json     write the result there (atomically) instead of stdout\n"
	"  --keep-going    an invalid CONFIG is recorded as a failed result, exit 0\n";

const char usage_estimate[] =
	"usage: burn estimate PROJECT CONFIG [-o OUT.json] [--keep-going]\n"
	"\n"
	"Analytical resources (DSP, LUT, FF, BRAM18) and latency (cycles, ns) of CONFIG on the\n"
	"project's FPGA part and clock; the model is described in docs/ESTIMATE.md.\n"
	"\n"
	"  -o OUT.json     write the result there (atomically) instead of stdout\n"
	"  --keep-going    an invalid CONFIG is recorded as a failed result, exit 0\n";

const char usage_reward[] =
	"usage: burn reward PROJECT --csim CSIM.json --estimate EST.json [--rtlsim RTLSIM.json]\n"
	"                   [--synth SYNTH.json] [--hls HLS.json] [--vivado VIVADO.json] [-o OUT.json]\n"
	"\n"
	"Lexicographic reward of an evaluated candidate (docs/REWARD.md): failed < accuracy miss\n"
	"(max error > eps_max) < over budget < feasible; feasible designs score on latency and\n"
	"budget-normalised resources with the project's reward weights.\n"
	"\n"
	"  --csim F        result of burn csim\n"
	"  --estimate F    result of burn estimate\n"
	"  --rtlsim F      result of burn rtlsim: a co-simulation mismatch fails the candidate,\n"
	"                  and its measured cycles give the latency\n"
	"  --synth F       result of burn synth (Yosys): its resources replace the estimate's\n"
	"  --hls F         result of burn hls: its resources replace Yosys's, and its worst-case\n"
	"                  latency replaces rtlsim's cycles (docs/HLS.md)\n"
	"  --vivado F      result of burn vivado: its resources replace all others\n"
	"                  (the record's fidelity says which steps' numbers were used)\n"
	"  -o OUT.json     write the record there (atomically) instead of stdout\n";

/* Versions of the cached steps: bump one when its output for the same inputs changes. */
enum { CSIM_VERSION = 1, ESTIMATE_VERSION = 4, REWARD_VERSION = 1 };

typedef struct {
	const char *pos[4];
	int npos;
	const char *out;
	const char *csim, *estimate, *synth, *rtlsim, *hls, *vivado;
	bool keep_going;
} args;

/* Parses the common options; returns -1 (after printing) on a usage error. */
static int parse_args(int argc, char **argv, int npos, const char *usage, args *a)
{
	memset(a, 0, sizeof *a);
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **slot = NULL;
		if (strcmp(s, "-o") == 0 || strcmp(s, "--output") == 0)
			slot = &a->out;
		else if (strcmp(s, "--csim") == 0)
			slot = &a->csim;
		else if (strcmp(s, "--estimate") == 0)
			slot = &a->estimate;
		else if (strcmp(s, "--synth") == 0)
			slot = &a->synth;
		else if (strcmp(s, "--rtlsim") == 0)
			slot = &a->rtlsim;
		else if (strcmp(s, "--hls") == 0)
			slot = &a->hls;
		else if (strcmp(s, "--vivado") == 0)
			slot = &a->vivado;
		else if (strcmp(s, "--keep-going") == 0) {
			a->keep_going = true;
			continue;
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "burn %s: unknown option '%s'\n%s", argv[0], s, usage);
			return -1;
		} else {
			if (a->npos >= 4) {
				fprintf(stderr, "burn %s: too many arguments\n%s", argv[0], usage);
				return -1;
			}
			a->pos[a->npos++] = s;
			continue;
		}
		if (i + 1 >= argc) {
			fprintf(stderr, "burn %s: option '%s' needs a value\n%s", argv[0], s, usage);
			return -1;
		}
		*slot = argv[++i];
	}
	if (a->npos != npos) {
		fprintf(stderr, "burn %s: expected %d argument%s\n%s", argv[0], npos, npos == 1 ? "" : "s",
			usage);
		return -1;
	}
	return 0;
}

/* Writes the finished JSON to a->out (atomically) or stdout. */
static int emit(const args *a, strbuf *b)
{
	berr e;
	if (!a->out) {
		if (fwrite(b->s, 1, b->len, stdout) != b->len || fflush(stdout) != 0)
			die(EXIT_INTERNAL, "cannot write to standard output");
		return 0;
	}
	if (write_file_atomic(a->out, b->s, b->len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	return 0;
}

/* Starts the cache step of a command that writes a.out: the key covers the project (or
 * facet) file, every file it loads, and the other files named. Returns true on a hit. */
static bool cached(step *s, const args *a, const char *name, int version, const project *p,
		   const char *const *files, int n)
{
	berr e;
	step_begin(s, name, version, 1, &a->out);
	if (step_key_file(s, "project", a->pos[0], &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	for (int i = 0; i < p->n_inputs; i++) {
		if (step_key_file(s, "input", p->inputs[i], &e) != 0) {
			/* say where the project names the file: its loader's error does */
			project q;
			berr e2;
			if (project_load(a->pos[0], true, &q, &e2) != 0)
				die(EXIT_BADINPUT, "%s", e2.msg);
			project_free(&q);
			die(EXIT_BADINPUT, "%s", e.msg);
		}
	}
	for (int i = 0; i < n; i++)
		if (step_key_file(s, "file", files[i], &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	return step_lookup(s);
}

/* True if input path holds p's weights (a .npy of its weights folder, its safetensors file). */
static bool weight_input(const project *p, const char *path)
{
	const weights_spec *w = &p->weights;
	size_t n = w->file ? strlen(w->file) : 0;
	if (w->source == SRC_NPY)
		return n > 0 && strncmp(path, w->file, n) == 0 && path[n] == '/';
	return w->source == SRC_SAFETENSORS && n > 0 && strcmp(path, w->file) == 0;
}

/* Starts the estimate's cache step. The weights are part of the key only when the config
 * reads them (a layer at RF 1, or an accumulator the types do not prove exact:
 * estimate_needs_weights): otherwise the key leaves out the
 * project's top-level `weights:` section (and the comment lines before it, the facet's data
 * digest) and the weight data files, so that a weights edit finds the estimates of the other
 * candidates in the cache. Returns true on a hit. */
static bool cached_estimate(step *s, const args *a, const project *p, bool weights)
{
	if (weights)
		return cached(s, a, "estimate", ESTIMATE_VERSION, p, &a->pos[1], 1);
	berr e;
	char *text;
	size_t len;
	if (read_file(a->pos[0], YDOC_MAX_BYTES, &text, &len, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	strbuf kept = {0}, comments = {0};
	bool skip = false;
	for (char *l = text; l < text + len;) {
		char *nl = memchr(l, '\n', (size_t)(text + len - l));
		size_t n = nl ? (size_t)(nl - l) + 1 : (size_t)(text + len - l);
		if (skip && (l[0] == ' ' || l[0] == '\t' || l[0] == '\n' || l[0] == '#')) {
			l += n; /* the section's own lines */
			continue;
		}
		skip = false;
		if (l[0] == '#') {
			sb_add(&comments, l, n); /* kept unless a weights section follows */
		} else {
			skip = n >= 8 && strncmp(l, "weights:", 8) == 0;
			if (!skip && comments.len)
				sb_add(&kept, comments.s, comments.len);
			comments.len = 0;
			if (!skip)
				sb_add(&kept, l, n);
		}
		l += n;
	}
	if (comments.len)
		sb_add(&kept, comments.s, comments.len);
	free(text);
	step_begin(s, "estimate", ESTIMATE_VERSION, 1, &a->out);
	step_key_bytes(s, "project-without-weights", kept.s ? kept.s : "", kept.len);
	sb_free(&kept);
	sb_free(&comments);
	for (int i = 0; i < p->n_inputs; i++)
		if (!weight_input(p, p->inputs[i]) && step_key_file(s, "input", p->inputs[i], &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	if (step_key_file(s, "file", a->pos[1], &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	return step_lookup(s);
}

/* A candidate failure: recorded with --keep-going, else reported with exit 2. */
static int candidate_failed(const args *a, const char *stepname, const char *msg)
{
	if (!a->keep_going) {
		fprintf(stderr, "burn: %s\n", msg);
		return EXIT_BADINPUT;
	}
	strbuf b = {0};
	result_write_failed(&b, stepname, msg);
	emit(a, &b);
	sb_free(&b);
	return 0;
}

int cmd_csim(int argc, char **argv)
{
	args a;
	if (parse_args(argc, argv, 2, usage_csim, &a) != 0)
		return EXIT_BADINPUT;
	project p;
	config c;
	berr e;
	step s;
	if (project_load(a.pos[0], false, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_CALIB, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	bool use_cache = a.out != NULL;
	if (use_cache && cached(&s, &a, "csim", CSIM_VERSION, &p, &a.pos[1], 1)) {
		project_free(&p);
		return 0;
	}
	project_free(&p);
	if (project_load(a.pos[0], true, &p, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	int rc = 0;
	csim_result r;
	if (config_load(a.pos[1], &p, &c, &e) != 0) {
		rc = candidate_failed(&a, "csim", e.msg);
	} else if (csim_run(&p, &c, &r, &e) != 0) {
		config_free(&c);
		rc = candidate_failed(&a, "csim", e.msg);
	} else {
		strbuf b = {0};
		result_write_csim(&b, &p, &r);
		emit(&a, &b);
		sb_free(&b);
		csim_free(&r);
		config_free(&c);
	}
	if (use_cache)
		step_finish(&s, rc == 0);
	project_free(&p);
	return rc;
}

int cmd_estimate(int argc, char **argv)
{
	args a;
	if (parse_args(argc, argv, 2, usage_estimate, &a) != 0)
		return EXIT_BADINPUT;
	project p;
	config c;
	berr e;
	step s;
	if (project_load(a.pos[0], false, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_PART | HAS_CLOCK, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	/* a layer at ReuseFactor 1 multiplies by constant weights, which Yosys folds by value,
	 * and the RTL decides from the weights whether an accumulator the types do not prove
	 * exact is a plain adder: then the weights are an input (loaded, and in the cache key) */
	int crc = config_load(a.pos[1], &p, &c, &e);
	bool weights = crc == 0 && estimate_needs_weights(&p, &c);
	bool use_cache = a.out != NULL;
	if (use_cache && cached_estimate(&s, &a, &p, weights)) {
		if (crc == 0)
			config_free(&c);
		project_free(&p);
		return 0;
	}
	int rc = 0;
	estimate est;
	if (weights) {
		config_free(&c);
		project_free(&p);
		if (project_load(a.pos[0], true, &p, &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
		crc = config_load(a.pos[1], &p, &c, &e);
	}
	if (crc != 0) {
		rc = candidate_failed(&a, "estimate", e.msg);
	} else if (estimate_run(&p, &c, &est, &e) != 0) {
		config_free(&c);
		rc = candidate_failed(&a, "estimate", e.msg);
	} else {
		strbuf b = {0};
		result_write_estimate(&b, &p, &est);
		emit(&a, &b);
		sb_free(&b);
		estimate_free(&est);
		config_free(&c);
	}
	if (use_cache)
		step_finish(&s, rc == 0);
	project_free(&p);
	return rc;
}

int cmd_reward(int argc, char **argv)
{
	args a;
	if (parse_args(argc, argv, 1, usage_reward, &a) != 0)
		return EXIT_BADINPUT;
	if (!a.csim || !a.estimate) {
		fprintf(stderr, "burn reward: --csim and --estimate are required\n%s", usage_reward);
		return EXIT_BADINPUT;
	}
	project p;
	berr e;
	step s;
	if (project_load(a.pos[0], false, &p, &e) != 0 ||
	    project_require(&p, HAS_BLOCK | HAS_PART | HAS_CLOCK | HAS_EPS, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	const char *files[6] = {a.csim, a.estimate};
	int nf = 2;
	if (a.rtlsim)
		files[nf++] = a.rtlsim;
	if (a.synth)
		files[nf++] = a.synth;
	if (a.hls)
		files[nf++] = a.hls;
	if (a.vivado)
		files[nf++] = a.vivado;
	if (a.out && cached(&s, &a, "reward", REWARD_VERSION, &p, files, nf)) {
		project_free(&p);
		return 0;
	}
	step_result cs, es, rs = {0}, ss = {0}, hs = {0}, vs = {0};
	if (result_read(a.csim, &cs, &e) != 0 || result_read(a.estimate, &es, &e) != 0 ||
	    (a.rtlsim && result_read(a.rtlsim, &rs, &e) != 0) ||
	    (a.synth && result_read(a.synth, &ss, &e) != 0) ||
	    (a.hls && result_read(a.hls, &hs, &e) != 0) ||
	    (a.vivado && result_read(a.vivado, &vs, &e) != 0))
		die(EXIT_BADINPUT, "%s", e.msg);
	/* each file must be the result of the step its option names: the record's fidelity
	 * comes from those names */
	const struct {
		const char *path, *step;
		const step_result *r;
	} want[] = {{a.rtlsim, "rtlsim", &rs}, {a.synth, "synth", &ss}, {a.hls, "hls", &hs},
		    {a.vivado, "vivado", &vs}};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
		if (want[i].path && strcmp(want[i].r->step, want[i].step) != 0)
			die(EXIT_BADINPUT, "reward: %s is a result of burn %s, not of burn %s (--%s)",
			    want[i].path, want[i].r->step, want[i].step, want[i].step);
	strbuf b = {0};
	hw_results hw = {a.rtlsim ? &rs : NULL, a.synth ? &ss : NULL, a.hls ? &hs : NULL,
			 a.vivado ? &vs : NULL};
	result_write_reward(&b, &p, &cs, &es, &hw);
	emit(&a, &b);
	if (a.out)
		step_finish(&s, true);
	sb_free(&b);
	result_free(&cs);
	result_free(&es);
	result_free(&rs);
	result_free(&ss);
	result_free(&hs);
	result_free(&vs);
	project_free(&p);
	return 0;
}
