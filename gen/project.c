/* project.c - the project model: reads a project (or facet) YAML, checks every section, and
 * loads the weight and calibration data it names, or imports the block from a Keras or ONNX
 * model (gen/import.h). The format is described in docs/PROJECT.md and docs/IMPORT.md. */
#define _POSIX_C_SOURCE 200809L
#include "gen/cands.h"
#include "gen/project.h"

#include <dirent.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen/config.h"
#include "gen/import.h"
#include "gen/tensor.h"
#include "gen/ydoc.h"

#ifndef BURN_DATADIR
#error "BURN_DATADIR must name the source or data folder holding projects/parts (the Makefile sets it)"
#endif

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

enum { MAX_ROUNDS = LIM_ROUNDS }; /* Ninja restarts a build at most 100 times: docs/GENERATOR.md */

static const char *const top_keys[] = {"name", "block", "weights", "calibration", "part", "clock_ns",
				       "eps_max", "search", "reward", "run", "hardware"};
static const char *const block_keys[] = {"layers", "keras", "onnx", "output"};
static const char *const keras_keys[] = {"json", "h5"};
static const char *const outputs[] = {"linear", "softmax"};
static const char *const layer_keys[] = {"name", "type", "n_in", "n_out", "activation", "bias",
					 "weight_tensor", "bias_tensor"};
static const char *const layer_types[] = {"dense", "swiglu"};
static const char *const swiglu_keys[] = {"name", "type", "n_in", "n_hidden", "n_out", "bias"};
static const char *const activations[] = {[ACT_LINEAR] = "linear", [ACT_RELU] = "relu"};
static const char *const weights_keys[] = {"source", "seed", "distribution", "scale", "file", "layout"};
static const char *const calib_keys[] = {"source", "seed", "n", "distribution", "scale", "file"};
static const char *const sources[] = {[SRC_RANDOM] = "random", [SRC_NPY] = "npy",
				      [SRC_SAFETENSORS] = "safetensors"};
static const char *const dists[] = {[DIST_NORMAL] = "normal", [DIST_UNIFORM] = "uniform"};
static const char *const layouts[] = {"in_out", "out_in"};
static const char *const part_keys[] = {"name", "device", "family", "lut", "ff", "dsp", "bram18",
					"uram", "lutram_bits", "dsp_a", "dsp_b", "memory"};
static const char *const memory_keys[] = {"kind", "gbps", "gib", "channels"};
static const char *const families[] = {"xc7", "xcup"};
static const char *const memory_kinds[] = {"none", "ddr3", "ddr4", "lpddr4", "hbm"};
static const char *const search_keys[] = {"strategy", "rounds", "per_round", "seed", "start", "pool",
	"command", "timeout_s", "max_output", "train_command", "train_timeout_s", "lm_recipe",
	"lm_grammar"};
static const char *const strategies[] = {[STRAT_HEURISTIC] = "heuristic", [STRAT_RANDOM] = "random",
	[STRAT_RF] = "rf", [STRAT_COMMAND] = "command", [STRAT_LM] = "lm", [STRAT_LM_TTT] = "lm-ttt"};
static const char *const lm_recipes[] = {[LM_RECIPE_BASE] = "base", [LM_RECIPE_TINY] = "tiny"};
static const char *const reward_keys[] = {"latency", "lut", "ff", "dsp", "bram", "latency_ref_ns"};
static const char *const run_keys[] = {"launcher", "csim_jobs"};
static const char *const hw_keys[] = {"top_k", "rtlsim", "synth", "synth_timeout_s", "synth_jobs",
				     "vendor", "vendor_timeout_s"};
static const char *const vendor_modes[] = {[VENDOR_AUTO] = "auto", [VENDOR_ON] = "on", [VENDOR_OFF] = "off"};
static const char *const section_names[] = {"block", "weights", "calibration", "part", "clock_ns",
					    "eps_max", "search", "reward", "run", "hardware"};

typedef struct {
	ydoc d;
	project *p;
	berr *e;
	bool load_data;        /* read weight and calibration data (a model's weights too) */
	const ynode *w_file;   /* weights.file, where weight-file errors point */
	const ynode *c_file;   /* calibration.file */
	const ynode *c_n;      /* calibration.n, when given */
	const ynode **w_node;  /* per layer: its weight_tensor value, or NULL */
	const ynode **b_node;  /* per layer: its bias_tensor value, or NULL */
} loader;

static void add_input(project *p, const char *path)
{
	for (int i = 0; i < p->n_inputs; i++)
		if (strcmp(p->inputs[i], path) == 0)
			return;
	p->inputs = xreallocarray(p->inputs, (size_t)p->n_inputs + 1, sizeof *p->inputs);
	p->inputs[p->n_inputs++] = xstrdup(path);
}

/* Reads m[key] as an identifier into dst (size cap); kind names it in messages. */
static int get_ident(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
		     const char *kind, char *dst, size_t cap, berr *e)
{
	const char *s = NULL;
	char kb[256];
	if (yget_str(d, m, ctx, key, required, &s, e) != 0)
		return -1;
	if (!s)
		return 0;
	if (!is_ident(s) || strlen(s) >= cap)
		return yerr(e, d, ymap_get(m, key), ykey(kb, sizeof kb, ctx, key),
			    "'%s' is not a valid %s (letters, digits, '_', '.', '-', starting with a "
			    "letter or '_', at most %zu characters)",
			    s, kind, cap - 1 < 63 ? cap - 1 : 63);
	snprintf(dst, cap, "%s", s);
	return 0;
}

/* ---- parts ---- */

static int parse_memory(const ydoc *d, const ynode *m, const char *ctx, part *out, berr *e)
{
	char kb[256];
	int kind = 0;
	if (ymap_check(d, m, ctx, memory_keys, LEN(memory_keys), e) != 0 ||
	    yget_enum(d, m, ctx, "kind", true, memory_kinds, LEN(memory_kinds), &kind, e) != 0 ||
	    yget_double(d, m, ctx, "gbps", kind != 0, 0, 1e6, &out->mem_gbps, e) != 0 ||
	    yget_double(d, m, ctx, "gib", kind != 0, 0, 1e6, &out->mem_gib, e) != 0)
		return -1;
	out->mem_channels = 1;
	if (yget_long(d, m, ctx, "channels", false, 1, 1024, &out->mem_channels, e) != 0)
		return -1;
	if (kind != 0 && out->mem_gbps <= 0)
		return yerr(e, d, ymap_get(m, "gbps"), ykey(kb, sizeof kb, ctx, "gbps"),
			    "must be positive for memory kind '%s'", memory_kinds[kind]);
	snprintf(out->mem_kind, sizeof out->mem_kind, "%s", memory_kinds[kind]);
	return 0;
}

/* Reads a part mapping (a part file's root when ctx is "", or a project's inline part). */
static int parse_part(const ydoc *d, const ynode *m, const char *ctx, part *out, berr *e)
{
	char kb[256];
	int fam = 0;
	memset(out, 0, sizeof *out);
	snprintf(out->mem_kind, sizeof out->mem_kind, "none");
	if (ymap_check(d, m, ctx, part_keys, LEN(part_keys), e) != 0 ||
	    get_ident(d, m, ctx, "name", true, "part name", out->name, sizeof out->name, e) != 0 ||
	    get_ident(d, m, ctx, "device", true, "device name", out->device, sizeof out->device,
		      e) != 0 ||
	    yget_enum(d, m, ctx, "family", true, families, LEN(families), &fam, e) != 0 ||
	    yget_long(d, m, ctx, "lut", true, 1, 100000000, &out->lut, e) != 0 ||
	    yget_long(d, m, ctx, "ff", true, 1, 100000000, &out->ff, e) != 0 ||
	    yget_long(d, m, ctx, "dsp", true, 0, 10000000, &out->dsp, e) != 0 ||
	    yget_long(d, m, ctx, "bram18", true, 0, 10000000, &out->bram18, e) != 0 ||
	    yget_long(d, m, ctx, "uram", false, 0, 10000000, &out->uram, e) != 0 ||
	    yget_long(d, m, ctx, "lutram_bits", false, 0, 1L << 40, &out->lutram_bits, e) != 0)
		return -1;
	snprintf(out->family, sizeof out->family, "%s", families[fam]);
	long a = fam == 0 ? 25 : 27, b = 18;
	if (yget_long(d, m, ctx, "dsp_a", false, 2, 64, &a, e) != 0 ||
	    yget_long(d, m, ctx, "dsp_b", false, 2, 64, &b, e) != 0)
		return -1;
	out->dsp_a = (int)a;
	out->dsp_b = (int)b;
	const ynode *mem = ymap_get(m, "memory");
	if (mem && parse_memory(d, mem, ykey(kb, sizeof kb, ctx, "memory"), out, e) != 0)
		return -1;
	return 0;
}

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Appends the part names (*.yaml) found in dir to names. */
static void list_parts(const char *dir, char ***names, size_t *n)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return;
	struct dirent *de;
	while ((de = readdir(dp)) != NULL && *n < 256) {
		size_t l = strlen(de->d_name);
		if (l > 5 && strcmp(de->d_name + l - 5, ".yaml") == 0) {
			*names = xreallocarray(*names, *n + 1, sizeof **names);
			(*names)[(*n)++] = xstrndup(de->d_name, l - 5);
		}
	}
	closedir(dp);
}

/* Finds the file of part name: project_dir/parts, then $BURN_PARTS, then the data folder.
 * Sets *path (to free) or returns -1 with a message that has no position. */
static int part_lookup(const char *name, const char *project_dir, char **path, berr *e)
{
	*path = NULL;
	if (!is_ident(name))
		return errf(e, "'%s' is not a part name (an identifier: letters, digits, '_', '.', "
			       "'-'; not a path): give the name of a file in a parts folder, or the "
			       "part itself as a mapping",
			    name);
	const char *env = getenv("BURN_PARTS");
	const char *dirs[3];
	char *owned[3] = {NULL, NULL, NULL};
	size_t nd = 0;
	if (project_dir)
		dirs[nd++] = owned[0] = path_join(project_dir, "parts");
	if (env && *env)
		dirs[nd++] = env;
	dirs[nd++] = BURN_DATADIR "/projects/parts";
	strbuf tried = {0};
	for (size_t i = 0; i < nd && !*path; i++) {
		strbuf f = {0};
		sb_printf(&f, "%s/%s.yaml", dirs[i], name);
		sb_printf(&tried, "%s%s", i ? ", " : "", f.s);
		if (is_file(f.s))
			*path = f.s;
		else
			sb_free(&f);
	}
	int rc = 0;
	if (!*path) {
		char **names = NULL;
		size_t n = 0;
		for (size_t i = 0; i < nd; i++)
			list_parts(dirs[i], &names, &n);
		const char *sug = closest_word(name, (const char *const *)names, n);
		rc = errf(e, "part '%s' not found (looked for %s)%s%s%s", name, tried.s,
			  sug ? "; did you mean '" : "", sug ? sug : "", sug ? "'?" : "");
		for (size_t i = 0; i < n; i++)
			free(names[i]);
		free(names);
	}
	sb_free(&tried);
	free(owned[0]);
	return rc;
}

/* Loads a part file; its name key must equal want (the name it was looked up by). */
static int part_load_file(const char *path, const char *want, part *out, berr *e)
{
	ydoc d;
	if (ydoc_load(path, &d, e) != 0)
		return -1;
	int rc = parse_part(&d, d.root, "", out, e);
	if (rc == 0 && want && strcmp(out->name, want) != 0)
		rc = yerr(e, &d, ymap_get(d.root, "name"), "name",
			  "'%s' does not match the file name '%s.yaml'", out->name, want);
	ydoc_free(&d);
	return rc;
}

int part_load_named(const char *name, const char *project_dir, part *out, berr *e)
{
	char *path;
	memset(out, 0, sizeof *out);
	if (part_lookup(name, project_dir, &path, e) != 0)
		return -1;
	int rc = part_load_file(path, name, out, e);
	free(path);
	return rc;
}

static int parse_part_section(loader *L, const ynode *v)
{
	project *p = L->p;
	if (v->kind == YN_MAP)
		return parse_part(&L->d, v, "part", &p->part, L->e);
	if (v->kind != YN_SCALAR)
		return yerr(L->e, &L->d, v, "part", "expected a part name or a mapping of part keys");
	berr e2;
	char *path;
	if (part_lookup(v->str, p->dir, &path, &e2) != 0)
		return yerr(L->e, &L->d, v, "part", "%s", e2.msg);
	int rc = part_load_file(path, v->str, &p->part, L->e);
	if (rc == 0)
		add_input(p, path);
	free(path);
	return rc;
}

/* ---- the block ---- */

/* Checks that name (of block.layers[item], at node nn) is not "input" and not used by any of
 * the first k layers (nor their elementwise layers). */
static int check_name(loader *L, const ynode *nn, const char *ctx, const char *name, int k)
{
	char kb[256];
	ykey(kb, sizeof kb, ctx, "name");
	if (strcmp(name, "input") == 0)
		return yerr(L->e, &L->d, nn, kb,
			    "'input' is reserved (hls4ml's name for the block's input)");
	for (int j = 0, item = -1; j < k; j++) {
		const layer *o = &L->p->layers[j];
		item += o->kind == LK_DENSE || o->kind == LK_GATE; /* the entry layer j came from */
		if (strcmp(o->name, name) == 0 || strcmp(o->ew_name, name) == 0)
			return yerr(L->e, &L->d, nn, kb, "layer name '%s' is already used by "
				    "block.layers[%d]", name, item);
	}
	return 0;
}

/* Checks that a layer of n_in inputs can follow the first k layers. */
static int check_chain(loader *L, const ynode *m, const char *ctx, long n_in, int k)
{
	char kb[256];
	if (k > 0 && n_in != L->p->layers[k - 1].n_out)
		return yerr(L->e, &L->d, ymap_get(m, "n_in"), ykey(kb, sizeof kb, ctx, "n_in"),
			    "%ld does not match n_out %d of the previous layer '%s': layers must chain",
			    n_in, L->p->layers[k - 1].n_out, L->p->layers[k - 1].name);
	return 0;
}

/* Reads a swiglu entry (block.layers[item], mapping m) into layers k, k+1, k+2: gate and up
 * (n_in -> n_hidden) and down (n_hidden -> n_out), named <name>_gate, _up, _down, with the
 * elementwise layers <name>_silu and <name>_mul between them. */
static int parse_swiglu(loader *L, const ynode *m, const char *ctx, int k)
{
	const ydoc *d = &L->d;
	berr *e = L->e;
	char name[MAX_NAME];
	long n_in = 0, n_hidden = 0, n_out = 0;
	bool bias = false;
	if (ymap_check(d, m, ctx, swiglu_keys, LEN(swiglu_keys), e) != 0 ||
	    get_ident(d, m, ctx, "name", true, "swiglu name (at most 58 characters: its layers add "
		      "_gate, _up, _down, _silu, _mul)", name, MAX_NAME - 5, e) != 0 ||
	    yget_long(d, m, ctx, "n_in", true, 1, MAX_LAYER_DIM, &n_in, e) != 0 ||
	    yget_long(d, m, ctx, "n_hidden", true, 1, MAX_LAYER_DIM, &n_hidden, e) != 0 ||
	    yget_long(d, m, ctx, "n_out", true, 1, MAX_LAYER_DIM, &n_out, e) != 0 ||
	    yget_bool(d, m, ctx, "bias", false, &bias, e) != 0)
		return -1;
	if ((long long)n_in * n_hidden > MAX_LAYER_WEIGHTS ||
	    (long long)n_hidden * n_out > MAX_LAYER_WEIGHTS)
		return yerr(e, d, m, ctx, "%ld -> %ld -> %ld: a projection has more than the limit of "
			    "%d weights", n_in, n_hidden, n_out, (int)MAX_LAYER_WEIGHTS);
	if (check_chain(L, m, ctx, n_in, k) != 0)
		return -1;
	static const char *const proj[3] = {"gate", "up", "down"};
	static const char *const ew[3] = {"silu", "mul", ""};
	const ynode *nn = ymap_get(m, "name");
	for (int r = 0; r < 3; r++) {
		layer *l = &L->p->layers[k + r];
		snprintf(l->name, sizeof l->name, "%.58s_%.4s", name, proj[r]);
		if (ew[r][0])
			snprintf(l->ew_name, sizeof l->ew_name, "%.58s_%.4s", name, ew[r]);
		snprintf(l->group, sizeof l->group, "%s", name);
		if (check_name(L, nn, ctx, l->name, k + r) != 0 ||
		    (l->ew_name[0] && check_name(L, nn, ctx, l->ew_name, k + r) != 0))
			return -1;
		l->kind = (layer_kind)(LK_GATE + r);
		l->n_in = (int)(r < 2 ? n_in : n_hidden);
		l->n_out = (int)(r < 2 ? n_hidden : n_out);
		l->act = ACT_LINEAR; /* the gate's SiLU is an elementwise layer of its own */
		l->bias = bias;
	}
	return 0;
}

/* Reads block.layers[item] (mapping m) into layer k (a swiglu entry: layers k..k+2). */
static int parse_layer(loader *L, const ynode *m, int item, int k)
{
	const ydoc *d = &L->d;
	berr *e = L->e;
	layer *l = &L->p->layers[k];
	char ctx[64], kb[256];
	snprintf(ctx, sizeof ctx, "block.layers[%d]", item);
	int type = 0, act = ACT_LINEAR;
	if (m->kind == YN_MAP &&
	    yget_enum(d, m, ctx, "type", false, layer_types, LEN(layer_types), &type, e) != 0)
		return -1;
	if (type == 1)
		return parse_swiglu(L, m, ctx, k);
	if (ymap_check(d, m, ctx, layer_keys, LEN(layer_keys), e) != 0 ||
	    get_ident(d, m, ctx, "name", true, "layer name", l->name, sizeof l->name, e) != 0 ||
	    check_name(L, ymap_get(m, "name"), ctx, l->name, k) != 0)
		return -1;
	long n_in = 0, n_out = 0;
	if (yget_long(d, m, ctx, "n_in", true, 1, MAX_LAYER_DIM, &n_in, e) != 0 ||
	    yget_long(d, m, ctx, "n_out", true, 1, MAX_LAYER_DIM, &n_out, e) != 0 ||
	    yget_enum(d, m, ctx, "activation", false, activations, LEN(activations), &act, e) != 0)
		return -1;
	l->bias = true;
	if (yget_bool(d, m, ctx, "bias", false, &l->bias, e) != 0)
		return -1;
	if ((long long)n_in * n_out > MAX_LAYER_WEIGHTS)
		return yerr(e, d, m, ctx, "%ld x %ld = %lld weights, more than the limit of %d", n_in,
			    n_out, (long long)n_in * n_out, (int)MAX_LAYER_WEIGHTS);
	if (check_chain(L, m, ctx, n_in, k) != 0)
		return -1;
	l->n_in = (int)n_in;
	l->n_out = (int)n_out;
	l->act = (activation)act;
	const char *s = NULL;
	if (yget_str(d, m, ctx, "weight_tensor", false, &s, e) != 0)
		return -1;
	L->w_node[k] = ymap_get(m, "weight_tensor");
	s = NULL;
	if (yget_str(d, m, ctx, "bias_tensor", false, &s, e) != 0)
		return -1;
	L->b_node[k] = ymap_get(m, "bias_tensor");
	if (s && !l->bias)
		return yerr(e, d, L->b_node[k], ykey(kb, sizeof kb, ctx, "bias_tensor"),
			    "given, but the layer has bias: false");
	return 0;
}

/* Layers an entry of block.layers stands for: 3 for a swiglu entry, else 1. */
static int entry_layers(const ynode *m)
{
	const ynode *t = m->kind == YN_MAP ? ymap_get(m, "type") : NULL;
	return t && t->kind == YN_SCALAR && strcmp(t->str, "swiglu") == 0 ? 3 : 1;
}

/* Reads block.layers (ls) into the project's layers. */
static int parse_layers(loader *L, const ynode *ls)
{
	const ydoc *d = &L->d;
	berr *e = L->e;
	project *p = L->p;
	if (ls->kind != YN_SEQ)
		return yerr(e, d, ls, "block.layers", "expected a list of layers");
	if (ls->n == 0)
		return yerr(e, d, ls, "block.layers", "the block has no layers");
	size_t n = 0;
	for (size_t i = 0; i < ls->n; i++)
		n += (size_t)entry_layers(ls->items[i]);
	if (n > MAX_LAYERS)
		return yerr(e, d, ls, "block.layers", "%zu layers, more than the limit of %d (a swiglu "
			    "entry counts as 3)", n, (int)MAX_LAYERS);
	p->n_layers = (int)n;
	p->layers = xcalloc(n, sizeof *p->layers);
	L->w_node = xcalloc(n, sizeof *L->w_node);
	L->b_node = xcalloc(n, sizeof *L->b_node);
	for (int i = 0, k = 0; i < (int)ls->n; k += entry_layers(ls->items[i]), i++)
		if (parse_layer(L, ls->items[i], i, k) != 0)
			return -1;
	return 0;
}

/* Reads m[key] as a path, resolved against the project's folder, into *out. */
static int get_model_path(loader *L, const ynode *m, const char *ctx, const char *key, char **out)
{
	const char *s = NULL;
	char kb[256];
	if (yget_str(&L->d, m, ctx, key, true, &s, L->e) != 0)
		return -1;
	if (!*s || strchr(s, '\n'))
		return yerr(L->e, &L->d, ymap_get(m, key), ykey(kb, sizeof kb, ctx, key),
			    "expected a path, got '%s'", s);
	*out = path_join(L->p->dir, s);
	return 0;
}

static const char *layer_desc(const layer *l, char *buf, size_t n)
{
	snprintf(buf, n, "'%s' %d -> %d %s%s", l->name, l->n_in, l->n_out,
		 l->act == ACT_RELU ? "relu" : "linear", l->bias ? "" : " without bias");
	return buf;
}

/* Checks the block's own layers (when given beside a model) against the model's. */
static int match_layers(loader *L, const ynode *ls, const model *m, const char *key)
{
	const project *p = L->p;
	char d1[160], d2[160], kb[64];
	if (p->n_layers != m->n_layers)
		return yerr(L->e, &L->d, ls, "block.layers",
			    "%d layers, but the model (block.%s) has %d dense layers", p->n_layers, key,
			    m->n_layers);
	for (int k = 0; k < m->n_layers; k++) {
		const layer *a = &p->layers[k], *b = &m->layers[k];
		if (strcmp(a->name, b->name) || a->n_in != b->n_in || a->n_out != b->n_out ||
		    a->act != b->act || a->bias != b->bias) {
			snprintf(kb, sizeof kb, "block.layers[%d]", k);
			return yerr(L->e, &L->d, ls->items[k], kb,
				    "%s does not match the model (block.%s): its layer %d is %s",
				    layer_desc(a, d1, sizeof d1), key, k, layer_desc(b, d2, sizeof d2));
		}
	}
	return 0;
}

/* Imports block.keras or block.onnx: the layers and weights come from the model file. */
static int parse_model(loader *L, const ynode *b, const ynode *keras, const ynode *onnx)
{
	const ydoc *d = &L->d;
	berr *e = L->e;
	project *p = L->p;
	model_spec *ms = &p->model;
	const char *key = keras ? "keras" : "onnx";
	const ynode *at = keras ? keras : onnx;
	if (keras) {
		if (ymap_check(d, keras, "block.keras", keras_keys, LEN(keras_keys), e) != 0 ||
		    get_model_path(L, keras, "block.keras", "json", &ms->json) != 0 ||
		    get_model_path(L, keras, "block.keras", "h5", &ms->h5) != 0)
			return -1;
		ms->kind = MODEL_KERAS;
		add_input(p, ms->json);
		add_input(p, ms->h5);
	} else {
		if (onnx->kind != YN_SCALAR || !*onnx->str || strchr(onnx->str, '\n'))
			return yerr(e, d, onnx, "block.onnx", "expected the path of an ONNX file");
		ms->kind = MODEL_ONNX;
		ms->onnx = path_join(p->dir, onnx->str);
		add_input(p, ms->onnx);
	}
	model m;
	berr e2;
	int rc = keras ? keras_import(ms->json, L->load_data ? ms->h5 : NULL, &m, &e2)
		       : onnx_import(ms->onnx, L->load_data, &m, &e2);
	if (rc != 0)
		return yerr(e, d, keras ? ymap_get(keras, L->load_data ? "h5" : "json") : at,
			    keras ? "block.keras" : "block.onnx", "%s", e2.msg);
	const ynode *ls = ymap_get(b, "layers"), *out = ymap_get(b, "output");
	if (ls && (rc = parse_layers(L, ls)) == 0)
		rc = match_layers(L, ls, &m, key);
	if (rc == 0 && out && p->softmax != m.softmax)
		rc = yerr(e, d, out, "block.output", "'%s', but the model (block.%s) %s", out->str, key,
			  m.softmax ? "ends in a softmax" : "has no softmax at the end");
	if (rc != 0) {
		model_free(&m);
		return -1;
	}
	for (int k = 0; k < p->n_layers; k++) {
		free(p->layers[k].w_tensor);
		free(p->layers[k].b_tensor);
	}
	free(p->layers);
	p->n_layers = m.n_layers;
	p->layers = m.layers;
	p->softmax = m.softmax;
	snprintf(ms->input_name, sizeof ms->input_name, "%s", m.input_name);
	snprintf(ms->softmax_name, sizeof ms->softmax_name, "%s", m.softmax_name);
	p->weights.source = SRC_MODEL;
	p->has |= HAS_WEIGHTS;
	free(L->w_node);
	free(L->b_node);
	L->w_node = xcalloc((size_t)m.n_layers, sizeof *L->w_node);
	L->b_node = xcalloc((size_t)m.n_layers, sizeof *L->b_node);
	return 0;
}

static int parse_block(loader *L, const ynode *b)
{
	const ydoc *d = &L->d;
	berr *e = L->e;
	int out = 0;
	if (ymap_check(d, b, "block", block_keys, LEN(block_keys), e) != 0 ||
	    yget_enum(d, b, "block", "output", false, outputs, LEN(outputs), &out, e) != 0)
		return -1;
	L->p->softmax = out == 1;
	const ynode *ls = ymap_get(b, "layers"), *keras = ymap_get(b, "keras"),
		    *onnx = ymap_get(b, "onnx");
	if (keras && onnx)
		return yerr(e, d, onnx, "block.onnx", "give one model: block.keras or block.onnx");
	if (keras || onnx)
		return parse_model(L, b, keras, onnx);
	if (!ls)
		return yerr(e, d, b, "block.layers",
			    "missing required key (the block needs layers, or a model: keras or onnx)");
	return parse_layers(L, ls);
}

/* ---- weights and calibration settings ---- */

/* Reads m.file as a path resolved against the project's folder. */
static int get_path(loader *L, const ynode *m, const char *ctx, bool required, char **out)
{
	const char *s = NULL;
	char kb[256];
	if (yget_str(&L->d, m, ctx, "file", required, &s, L->e) != 0)
		return -1;
	if (!s)
		return 0;
	if (!*s || strchr(s, '\n'))
		return yerr(L->e, &L->d, ymap_get(m, "file"), ykey(kb, sizeof kb, ctx, "file"),
			    "expected a path, got '%s'", s);
	*out = path_join(L->p->dir, s);
	return 0;
}

static int parse_weights(loader *L, const ynode *m)
{
	const ydoc *d = &L->d;
	berr *e = L->e;
	weights_spec *w = &L->p->weights;
	int src = SRC_RANDOM, dist = DIST_NORMAL, layout = 0;
	if (ymap_check(d, m, "weights", weights_keys, LEN(weights_keys), e) != 0 ||
	    yget_enum(d, m, "weights", "source", false, sources, LEN(sources), &src, e) != 0 ||
	    yget_long(d, m, "weights", "seed", false, 0, LONG_MAX, &w->seed, e) != 0 ||
	    yget_enum(d, m, "weights", "distribution", false, dists, LEN(dists), &dist, e) != 0 ||
	    yget_double(d, m, "weights", "scale", false, 0, 1e6, &w->scale, e) != 0 ||
	    yget_enum(d, m, "weights", "layout", false, layouts, LEN(layouts), &layout, e) != 0)
		return -1;
	w->source = (tensor_source)src;
	w->dist = (distribution)dist;
	w->out_in = layout == 1;
	L->w_file = ymap_get(m, "file");
	if (src != SRC_RANDOM && get_path(L, m, "weights", true, &w->file) != 0)
		return -1;
	return 0;
}

static int parse_calib(loader *L, const ynode *m)
{
	const ydoc *d = &L->d;
	berr *e = L->e;
	calib_spec *c = &L->p->calib;
	int src = SRC_RANDOM, dist = DIST_NORMAL;
	static const char *const calib_sources[] = {"random", "npy"};
	if (ymap_check(d, m, "calibration", calib_keys, LEN(calib_keys), e) != 0 ||
	    yget_enum(d, m, "calibration", "source", false, calib_sources, LEN(calib_sources), &src,
		      e) != 0 ||
	    yget_long(d, m, "calibration", "seed", false, 0, LONG_MAX, &c->seed, e) != 0 ||
	    yget_long(d, m, "calibration", "n", false, 1, MAX_CALIB_VECTORS, &c->n, e) != 0 ||
	    yget_enum(d, m, "calibration", "distribution", false, dists, LEN(dists), &dist, e) != 0 ||
	    yget_double(d, m, "calibration", "scale", false, 0, 1e6, &c->scale, e) != 0)
		return -1;
	c->source = (tensor_source)src;
	c->dist = (distribution)dist;
	L->c_n = ymap_get(m, "n");
	L->c_file = ymap_get(m, "file");
	if (c->scale <= 0)
		return yerr(e, d, ymap_get(m, "scale"), "calibration.scale", "must be positive");
	if (src == SRC_NPY) {
		if (get_path(L, m, "calibration", true, &c->file) != 0)
			return -1;
		if (!L->c_n)
			c->n = 0; /* all the file's vectors: known once it is read */
	}
	if (L->p->n_layers > 0 && c->n * L->p->layers[0].n_in > MAX_CALIB_VALUES)
		return yerr(e, d, L->c_n ? L->c_n : m, L->c_n ? "calibration.n" : "calibration",
			    "%ld vectors of %d inputs = %ld values, more than the limit of %d", c->n,
			    L->p->layers[0].n_in, c->n * L->p->layers[0].n_in, (int)MAX_CALIB_VALUES);
	if (L->p->n_layers > 0 && (long long)c->n * project_macs(L->p) > LIM_CSIM_MACS)
		return yerr(e, d, L->c_n ? L->c_n : m, L->c_n ? "calibration.n" : "calibration",
			    "%ld vectors of %ld multiply-accumulates = %lld, more than a csim may do "
			    "(the limit is %lld, docs/RELIABILITY.md)", c->n, project_macs(L->p),
			    (long long)c->n * project_macs(L->p), (long long)LIM_CSIM_MACS);
	return 0;
}

/* True if s may name a tensor: 1-255 printable bytes; for a .npy file name also no '/' and
 * no leading '.'. */
static bool tensor_name_ok(const char *s, bool as_file)
{
	size_t n = strlen(s);
	if (n == 0 || n > 255 || (as_file && s[0] == '.'))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c < 0x20 || c == 0x7f || (as_file && (c == '/' || c == '\\')))
			return false;
	}
	return true;
}

static char *npy_path(const char *dir, const char *tname)
{
	strbuf b = {0};
	sb_printf(&b, "%s/%s.npy", dir, tname);
	return b.s;
}

/* Gives each layer its tensor names (weights from files only) and lists the data files. */
static int name_tensors(loader *L)
{
	project *p = L->p;
	weights_spec *w = &p->weights;
	char kb[96];
	if ((p->has & HAS_BLOCK) && (p->has & HAS_WEIGHTS) && w->source != SRC_RANDOM &&
	    w->source != SRC_MODEL) {
		bool npy = w->source == SRC_NPY;
		if (w->source == SRC_SAFETENSORS)
			add_input(p, w->file);
		for (int k = 0; k < p->n_layers; k++) {
			layer *l = &p->layers[k];
			for (int bias = 0; bias < 2; bias++) {
				if (bias && !l->bias)
					continue;
				const ynode *v = bias ? L->b_node[k] : L->w_node[k];
				char *name;
				if (v) {
					name = xstrdup(v->str);
				} else {
					strbuf b = {0};
					sb_printf(&b, "%s.%s", l->name, bias ? "bias" : "weight");
					name = b.s;
				}
				if (bias)
					l->b_tensor = name;
				else
					l->w_tensor = name;
				if (!tensor_name_ok(name, npy)) {
					snprintf(kb, sizeof kb, "block.layers[%d].%s", k,
						 bias ? "bias_tensor" : "weight_tensor");
					return yerr(L->e, &L->d, v, kb,
						    "'%s' is not a usable tensor name%s", name,
						    npy ? " (it names a .npy file: no '/', no "
							  "leading '.')"
							: "");
				}
				if (npy) {
					char *path = npy_path(w->file, name);
					add_input(p, path);
					free(path);
				}
			}
		}
	}
	if ((p->has & HAS_CALIB) && p->calib.source == SRC_NPY)
		add_input(p, p->calib.file);
	return 0;
}

/* ---- the other sections ---- */

/* An argv list: a sequence of 1..64 non-empty one-line strings, NULL-terminated. */
static int parse_argv(loader *L, const ynode *m, const char *key, char ***out)
{
	const ynode *v = ymap_get(m, key);
	if (!v)
		return 0;
	char ctx[64];
	snprintf(ctx, sizeof ctx, "search.%s", key);
	if (v->kind != YN_SEQ || v->n < 1 || v->n > 64)
		return yerr(L->e, &L->d, v, ctx, "expected a list of 1 to 64 arguments");
	char **a = xcalloc(v->n + 1, sizeof *a);
	for (size_t k = 0; k < v->n; k++) {
		const ynode *x = v->items[k];
		if (x->kind != YN_SCALAR || !*x->str || strchr(x->str, '\n')) {
			for (size_t j = 0; j < k; j++)
				free(a[j]);
			free(a);
			return yerr(L->e, &L->d, x, ctx, "an argument must be a non-empty line");
		}
		a[k] = xstrdup(x->str);
	}
	*out = a;
	return 0;
}

static int parse_search(loader *L, const ynode *m)
{
	const ydoc *d = &L->d;
	search_spec *s = &L->p->search;
	int st = s->strategy, rec = s->lm_recipe;
	if (ymap_check(d, m, "search", search_keys, LEN(search_keys), L->e) != 0 ||
	    yget_enum(d, m, "search", "strategy", false, strategies, STRAT_N, &st, L->e) != 0 ||
	    yget_enum(d, m, "search", "lm_recipe", false, lm_recipes, LM_RECIPE_N, &rec, L->e) != 0 ||
	    yget_bool(d, m, "search", "lm_grammar", false, &s->lm_grammar, L->e) != 0 ||
	    yget_long(d, m, "search", "rounds", false, 1, MAX_ROUNDS, &s->rounds, L->e) != 0 ||
	    yget_long(d, m, "search", "per_round", false, 1, MAX_PER_ROUND, &s->per_round, L->e) != 0 ||
	    yget_long(d, m, "search", "seed", false, 0, LONG_MAX, &s->seed, L->e) != 0 ||
	    yget_long(d, m, "search", "pool", false, 16, 100000, &s->pool, L->e) != 0 ||
	    yget_double(d, m, "search", "timeout_s", false, 0, LIM_AUTHOR_TIMEOUT_MAX_S, &s->timeout_s, L->e) != 0 ||
	    yget_long(d, m, "search", "max_output", false, 1024, LIM_AUTHOR_OUTPUT_MAX, &s->max_output, L->e) != 0 ||
	    yget_double(d, m, "search", "train_timeout_s", false, 0, LIM_TRAIN_TIMEOUT_MAX_S, &s->train_timeout_s, L->e) != 0 ||
	    parse_argv(L, m, "command", &s->command) != 0 ||
	    parse_argv(L, m, "train_command", &s->train_command) != 0)
		return -1;
	s->strategy = (search_strategy)st;
	s->lm_recipe = (lm_recipe_id)rec;
	if (s->strategy == STRAT_COMMAND && !s->command)
		return yerr(L->e, d, m, "search.command", "strategy command needs search.command");
	const ynode *start = ymap_get(m, "start");
	if (!start)
		return 0;
	if (start->kind != YN_SCALAR || !*start->str || strchr(start->str, '\n'))
		return yerr(L->e, d, start, "search.start", "expected the path of an hls4ml config file");
	s->start = path_join(L->p->dir, start->str);
	add_input(L->p, s->start);
	if (!(L->p->has & HAS_BLOCK))
		return 0;
	/* Check it now, so a sweep does not start from a file that cannot be read. */
	config c;
	berr e2;
	if (config_load_hls4ml(s->start, L->p, &c, NULL, &e2) != 0)
		return yerr(L->e, d, start, "search.start", "%s", e2.msg);
	config_free(&c);
	return 0;
}

static int parse_reward(loader *L, const ynode *m)
{
	const ydoc *d = &L->d;
	reward_spec *r = &L->p->reward;
	double *dst[] = {&r->w_latency, &r->w_lut, &r->w_ff, &r->w_dsp, &r->w_bram, &r->latency_ref_ns};
	if (ymap_check(d, m, "reward", reward_keys, LEN(reward_keys), L->e) != 0)
		return -1;
	for (size_t i = 0; i < LEN(reward_keys); i++)
		if (yget_double(d, m, "reward", reward_keys[i], false, 0, 1e9, dst[i], L->e) != 0)
			return -1;
	return 0;
}

static int parse_run(loader *L, const ynode *m)
{
	const ydoc *d = &L->d;
	run_spec *r = &L->p->run;
	const char *s = NULL;
	if (ymap_check(d, m, "run", run_keys, LEN(run_keys), L->e) != 0 ||
	    yget_str(d, m, "run", "launcher", false, &s, L->e) != 0 ||
	    yget_long(d, m, "run", "csim_jobs", false, 1, MAX_CSIM_JOBS, &r->csim_jobs, L->e) != 0)
		return -1;
	if (s && (strchr(s, '\n') || strchr(s, '\r') || strlen(s) > 4096))
		return yerr(L->e, d, ymap_get(m, "launcher"), "run.launcher",
			    "must be one line of at most 4096 characters");
	if (s && *s)
		r->launcher = xstrdup(s);
	return 0;
}

/* hardware: {top_k: N|all, rtlsim: bool, synth: bool, synth_timeout_s: S, synth_jobs: N,
 *            vendor: auto|on|off, vendor_timeout_s: S} */
static int parse_hw(loader *L, const ynode *m)
{
	const ydoc *d = &L->d;
	hw_spec *h = &L->p->hw;
	if (ymap_check(d, m, "hardware", hw_keys, LEN(hw_keys), L->e) != 0)
		return -1;
	/* A hardware section promotes the best two of each round unless it says otherwise. */
	h->top_k = HW_TOP_K_DEFAULT;
	const ynode *k = ymap_get(m, "top_k");
	if (k && k->kind == YN_SCALAR && strcmp(k->str, "all") == 0)
		h->all = true;
	else if (yget_long(d, m, "hardware", "top_k", false, 0, MAX_PER_ROUND, &h->top_k, L->e) != 0)
		return -1;
	if (yget_bool(d, m, "hardware", "rtlsim", false, &h->rtlsim, L->e) != 0 ||
	    yget_bool(d, m, "hardware", "synth", false, &h->synth, L->e) != 0 ||
	    yget_double(d, m, "hardware", "synth_timeout_s", false, 1, LIM_SYNTH_TIMEOUT_MAX_S, &h->synth_timeout_s,
			L->e) != 0 ||
	    yget_long(d, m, "hardware", "synth_jobs", false, 1, 64, &h->synth_jobs, L->e) != 0 ||
	    yget_double(d, m, "hardware", "vendor_timeout_s", false, 1, LIM_SYNTH_TIMEOUT_MAX_S,
			&h->vendor_timeout_s, L->e) != 0)
		return -1;
	/* (scalars are kept as text: on and off are words here, not YAML 1.1 booleans) */
	int mode = (int)h->vendor;
	if (yget_enum(d, m, "hardware", "vendor", false, vendor_modes, LEN(vendor_modes), &mode, L->e) != 0)
		return -1;
	h->vendor = (vendor_mode)mode;
	const ynode *v = ymap_get(m, "vendor");
	if (v) {
		h->vendor_line = v->line;
		h->vendor_col = v->col;
	}
	return 0;
}

const char *vendor_mode_name(vendor_mode m)
{
	return m >= VENDOR_AUTO && m <= VENDOR_OFF ? vendor_modes[m] : "auto";
}

/* The name a project gets without a name key: its file name without ".yaml". */
static void default_name(project *p)
{
	const char *base = strrchr(p->path, '/');
	base = base ? base + 1 : p->path;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".yaml") == 0)
		n -= 5;
	else if (n > 4 && strcmp(base + n - 4, ".yml") == 0)
		n -= 4;
	char *s = xstrndup(base, n);
	snprintf(p->name, sizeof p->name, "%s", is_ident(s) ? s : "project");
	free(s);
}

static int parse_all(loader *L)
{
	const ydoc *d = &L->d;
	const ynode *root = d->root;
	project *p = L->p;
	berr *e = L->e;
	if (!root)
		return yerr(e, d, NULL, "",
			    "the file is empty: expected a mapping of project sections");
	if (ymap_check(d, root, "", top_keys, LEN(top_keys), e) != 0)
		return -1;
	default_name(p);
	if (get_ident(d, root, "", "name", false, "project name", p->name, sizeof p->name, e) != 0)
		return -1;
	const ynode *v;
	if ((v = ymap_get(root, "block"))) {
		p->has |= HAS_BLOCK;
		if (parse_block(L, v) != 0)
			return -1;
	}
	if ((v = ymap_get(root, "weights"))) {
		if (p->model.kind != MODEL_NONE)
			return yerr(e, d, v, "weights", "the weights come from the block's model "
							"(block.%s): remove the weights section",
				    p->model.kind == MODEL_KERAS ? "keras" : "onnx");
		p->has |= HAS_WEIGHTS;
		if (parse_weights(L, v) != 0)
			return -1;
	}
	if ((v = ymap_get(root, "calibration"))) {
		p->has |= HAS_CALIB;
		if (parse_calib(L, v) != 0)
			return -1;
	}
	if ((v = ymap_get(root, "part"))) {
		p->has |= HAS_PART;
		if (parse_part_section(L, v) != 0)
			return -1;
	}
	if (ymap_get(root, "clock_ns")) {
		p->has |= HAS_CLOCK;
		if (yget_double(d, root, "", "clock_ns", true, 0.01, 1e6, &p->clock_ns, e) != 0)
			return -1;
	}
	if (ymap_get(root, "eps_max")) {
		p->has |= HAS_EPS;
		if (yget_double(d, root, "", "eps_max", true, 0, 1e9, &p->eps_max, e) != 0)
			return -1;
	}
	if ((v = ymap_get(root, "search"))) {
		p->has |= HAS_SEARCH;
		if (parse_search(L, v) != 0)
			return -1;
	}
	if ((v = ymap_get(root, "reward"))) {
		p->has |= HAS_REWARD;
		if (parse_reward(L, v) != 0)
			return -1;
	}
	if ((v = ymap_get(root, "run"))) {
		p->has |= HAS_RUN;
		if (parse_run(L, v) != 0)
			return -1;
	}
	if ((v = ymap_get(root, "hardware"))) {
		p->has |= HAS_HW;
		if (parse_hw(L, v) != 0)
			return -1;
	}
	return name_tensors(L);
}

/* ---- data ---- */

static const char *nonfinite_name(double x)
{
	return isnan(x) ? "NaN" : x > 0 ? "+Inf" : "-Inf";
}

/* Loads one layer's weight (or bias) tensor from the weight file(s) into l->w (l->b). */
static int load_tensor(loader *L, int k, bool bias, st_file *sf)
{
	project *p = L->p;
	layer *l = &p->layers[k];
	const weights_spec *w = &p->weights;
	const char *tname = bias ? l->b_tensor : l->w_tensor;
	const ynode *at = bias ? L->b_node[k] : L->w_node[k];
	char key[96];
	if (at) {
		snprintf(key, sizeof key, "block.layers[%d].%s", k,
			 bias ? "bias_tensor" : "weight_tensor");
	} else {
		at = L->w_file;
		snprintf(key, sizeof key, "weights.file");
	}
	long want[2];
	int wnd = bias ? 1 : 2;
	if (bias)
		want[0] = l->n_out;
	else if (w->out_in)
		want[0] = l->n_out, want[1] = l->n_in;
	else
		want[0] = l->n_in, want[1] = l->n_out;
	size_t want_n = bias ? (size_t)l->n_out : (size_t)l->n_in * (size_t)l->n_out;

	tensor t = {0};
	berr e2;
	char *path = w->source == SRC_NPY ? npy_path(w->file, tname) : xstrdup(w->file);
	int rc = -1;
	char s1[160], s2[160];
	if (w->source == SRC_SAFETENSORS) {
		const st_entry *en = st_find(sf, tname);
		if (!en) {
			const char **names = xcalloc(sf->n, sizeof *names);
			for (size_t i = 0; i < sf->n; i++)
				names[i] = sf->t[i].name;
			const char *sug = closest_word(tname, names, sf->n);
			yerr(L->e, &L->d, at, key, "layer '%s': %s: no tensor named '%s'%s%s%s",
			     l->name, path, tname, sug ? " (did you mean '" : "", sug ? sug : "",
			     sug ? "'?)" : "");
			free(names);
			goto out;
		}
		/* Check the shape before reading any data. */
		t.ndim = en->ndim;
		memcpy(t.shape, en->shape, sizeof t.shape);
	} else if (npy_load(path, MAX_LAYER_WEIGHTS, &t, &e2) != 0) {
		yerr(L->e, &L->d, at, key, "layer '%s': %s", l->name, e2.msg);
		goto out;
	}
	bool same = t.ndim == wnd;
	for (int i = 0; same && i < wnd; i++)
		same = t.shape[i] == want[i];
	if (!same) {
		bool transposed =
			!bias && t.ndim == 2 && t.shape[0] == want[1] && t.shape[1] == want[0];
		yerr(L->e, &L->d, at, key,
		     "layer '%s': %s: tensor '%s' has shape %s, expected %s (%s)%s", l->name, path,
		     tname, tensor_shape_str(t.ndim, t.shape, s1, sizeof s1),
		     tensor_shape_str(wnd, want, s2, sizeof s2),
		     bias ? "n_out" : w->out_in ? "[n_out, n_in] with layout out_in"
						: "[n_in, n_out] with layout in_out",
		     transposed ? w->out_in ? "; it looks transposed: set weights.layout to in_out"
					    : "; it looks transposed: set weights.layout to out_in"
				: "");
		goto out;
	}
	if (w->source == SRC_SAFETENSORS && st_read(sf, tname, want_n, &t, &e2) != 0) {
		yerr(L->e, &L->d, at, key, "layer '%s': %s", l->name, e2.msg);
		goto out;
	}
	size_t bad;
	if (tensor_find_nonfinite(&t, &bad)) {
		yerr(L->e, &L->d, at, key, "layer '%s': %s: tensor '%s' has %s at index %s", l->name,
		     path, tname, nonfinite_name(t.data[bad]),
		     tensor_index_str(&t, bad, s1, sizeof s1));
		goto out;
	}
	double *dst = xreallocarray(NULL, want_n, sizeof *dst);
	if (!bias && w->out_in) {
		for (int i = 0; i < l->n_in; i++)
			for (int j = 0; j < l->n_out; j++)
				dst[(size_t)i * l->n_out + j] = t.data[(size_t)j * l->n_in + i];
	} else {
		memcpy(dst, t.data, want_n * sizeof *dst);
	}
	if (bias)
		l->b = dst;
	else
		l->w = dst;
	rc = 0;
out:
	tensor_free(&t);
	free(path);
	return rc;
}

static int load_weights(loader *L)
{
	project *p = L->p;
	const weights_spec *w = &p->weights;
	if (w->source == SRC_MODEL)
		return 0; /* read with the model (parse_model) */
	st_file sf = {.fd = -1};
	if (w->source == SRC_SAFETENSORS) {
		berr e2;
		if (st_open(w->file, &sf, &e2) != 0)
			return yerr(L->e, &L->d, L->w_file, "weights.file", "%s", e2.msg);
	}
	int rc = 0;
	for (int k = 0; k < p->n_layers && rc == 0; k++) {
		layer *l = &p->layers[k];
		size_t nw = (size_t)l->n_in * (size_t)l->n_out;
		if (w->source == SRC_RANDOM) {
			double scale = w->scale > 0 ? w->scale : 1.0 / sqrt((double)l->n_in);
			bool normal = w->dist == DIST_NORMAL;
			l->w = xreallocarray(NULL, nw, sizeof *l->w);
			tensor_random(l->w, nw, (uint64_t)w->seed, STREAM_WEIGHT, (uint32_t)k, normal,
				      scale);
			if (l->bias) {
				l->b = xreallocarray(NULL, (size_t)l->n_out, sizeof *l->b);
				tensor_random(l->b, (size_t)l->n_out, (uint64_t)w->seed, STREAM_BIAS,
					      (uint32_t)k, normal, scale);
			}
			continue;
		}
		rc = load_tensor(L, k, false, &sf);
		if (rc == 0 && l->bias)
			rc = load_tensor(L, k, true, &sf);
	}
	if (w->source == SRC_SAFETENSORS)
		st_close(&sf);
	return rc;
}

static int load_calib(loader *L)
{
	project *p = L->p;
	calib_spec *c = &p->calib;
	long n_in = p->layers[0].n_in;
	char s1[160];
	if (c->source == SRC_RANDOM) {
		size_t nx = (size_t)c->n * (size_t)n_in;
		c->x = xreallocarray(NULL, nx, sizeof *c->x);
		tensor_random(c->x, nx, (uint64_t)c->seed, STREAM_CALIB, 0, c->dist == DIST_NORMAL,
			      c->scale);
		return 0;
	}
	tensor t;
	berr e2;
	if (npy_load(c->file, MAX_CALIB_VALUES, &t, &e2) != 0)
		return yerr(L->e, &L->d, L->c_file, "calibration.file", "%s", e2.msg);
	int rc = -1;
	if (t.ndim != 2 || t.shape[1] != n_in || t.shape[0] < 1) {
		yerr(L->e, &L->d, L->c_file, "calibration.file",
		     "%s: shape %s, expected [n, %ld] (n vectors of the first layer's n_in inputs)",
		     c->file, tensor_shape_str(t.ndim, t.shape, s1, sizeof s1), n_in);
		goto out;
	}
	if (c->n == 0) {
		if (t.shape[0] > MAX_CALIB_VECTORS) {
			yerr(L->e, &L->d, L->c_file, "calibration.file",
			     "%s: %ld vectors, more than the limit of %d (set calibration.n to use the "
			     "first n)",
			     c->file, t.shape[0], (int)MAX_CALIB_VECTORS);
			goto out;
		}
		c->n = t.shape[0];
		if ((long long)c->n * project_macs(L->p) > LIM_CSIM_MACS) {
			yerr(L->e, &L->d, L->c_file, "calibration.file",
			     "%s: %ld vectors of %ld multiply-accumulates, more than a csim may do "
			     "(the limit is %lld; set calibration.n to use the first n)",
			     c->file, c->n, project_macs(L->p), (long long)LIM_CSIM_MACS);
			goto out;
		}
	} else if (t.shape[0] < c->n) {
		yerr(L->e, &L->d, L->c_n, "calibration.n", "%ld vectors asked for, but %s holds %ld",
		     c->n, c->file, t.shape[0]);
		goto out;
	}
	t.shape[0] = c->n; /* only the vectors used must be finite */
	t.n = (size_t)c->n * (size_t)n_in;
	size_t bad;
	if (tensor_find_nonfinite(&t, &bad)) {
		yerr(L->e, &L->d, L->c_file, "calibration.file",
		     "%s: the calibration inputs have %s at index %s (vector %zu, input %zu)", c->file,
		     nonfinite_name(t.data[bad]), tensor_index_str(&t, bad, s1, sizeof s1),
		     bad / (size_t)n_in, bad % (size_t)n_in);
		goto out;
	}
	c->x = xreallocarray(NULL, t.n, sizeof *c->x);
	memcpy(c->x, t.data, t.n * sizeof *c->x);
	rc = 0;
out:
	tensor_free(&t);
	return rc;
}

static int load_all(loader *L)
{
	project *p = L->p;
	if ((p->has & HAS_BLOCK) && !(p->has & HAS_WEIGHTS))
		return yerr(L->e, &L->d, L->d.root, "",
			    "the file has a 'block' but no 'weights' section: the weights cannot be "
			    "loaded");
	if ((p->has & HAS_CALIB) && !(p->has & HAS_BLOCK))
		return yerr(L->e, &L->d, ymap_get(L->d.root, "calibration"), "calibration",
			    "needs the 'block' section (the first layer's n_in is the input width)");
	if ((p->has & HAS_WEIGHTS) && (p->has & HAS_BLOCK) && load_weights(L) != 0)
		return -1;
	if ((p->has & HAS_CALIB) && load_calib(L) != 0)
		return -1;
	return 0;
}

/* ---- the interface ---- */

static void set_defaults(project *p)
{
	p->weights.source = SRC_RANDOM;
	p->weights.dist = DIST_NORMAL;
	p->calib.source = SRC_RANDOM;
	p->calib.n = 64;
	p->calib.dist = DIST_NORMAL;
	p->calib.scale = 1.0;
	p->search = (search_spec){.strategy = STRAT_HEURISTIC, .rounds = 4, .per_round = 8,
				  .lm_grammar = true};
	p->reward = (reward_spec){1.0, 0.25, 0.1, 0.25, 0.25, 0};
	p->run.csim_jobs = 2;
	p->hw = (hw_spec){.top_k = 0, .rtlsim = true, .synth = true, .synth_timeout_s = LIM_SYNTH_TIMEOUT_S,
			  .synth_jobs = 1, .vendor = VENDOR_AUTO, .vendor_timeout_s = LIM_VENDOR_TIMEOUT_S};
}

int project_load(const char *path, bool load_data, project *p, berr *e)
{
	memset(p, 0, sizeof *p);
	set_defaults(p);
	loader L = {.p = p, .e = e};
	if (ydoc_load(path, &L.d, e) != 0)
		return -1;
	p->path = xstrdup(path);
	p->dir = dir_of(path);
	L.load_data = load_data;
	int rc = parse_all(&L);
	if (rc == 0 && load_data)
		rc = load_all(&L);
	free(L.w_node);
	free(L.b_node);
	ydoc_free(&L.d);
	if (rc != 0)
		project_free(p);
	return rc;
}

const char *search_strategy_name(search_strategy s)
{
	return (unsigned)s < LEN(strategies) && strategies[s] ? strategies[s] : "?";
}

const char *lm_recipe_name(lm_recipe_id r)
{
	return (unsigned)r < LEN(lm_recipes) && lm_recipes[r] ? lm_recipes[r] : "?";
}

int project_require(const project *p, unsigned mask, berr *e)
{
	unsigned missing = mask & ~p->has;
	if (!missing)
		return 0;
	strbuf b = {0};
	int n = 0;
	for (size_t i = 0; i < LEN(section_names); i++)
		if (missing & (1u << i))
			sb_printf(&b, "%s'%s'", n++ ? ", " : "", section_names[i]);
	errf(e, "%s: missing %s %s (this step needs %s)", p->path ? p->path : "project",
	     n > 1 ? "sections" : "section", b.s, n > 1 ? "them" : "it");
	sb_free(&b);
	return -1;
}

void project_free(project *p)
{
	for (int k = 0; k < p->n_layers && p->layers; k++) {
		free(p->layers[k].w_tensor);
		free(p->layers[k].b_tensor);
		free(p->layers[k].w);
		free(p->layers[k].b);
	}
	free(p->layers);
	free(p->weights.file);
	free(p->calib.file);
	free(p->calib.x);
	free(p->run.launcher);
	free(p->search.start);
	for (char **a = p->search.command; a && *a; a++)
		free(*a);
	free(p->search.command);
	for (char **a = p->search.train_command; a && *a; a++)
		free(*a);
	free(p->search.train_command);
	free(p->model.json);
	free(p->model.h5);
	free(p->model.onnx);
	for (int i = 0; i < p->n_inputs; i++)
		free(p->inputs[i]);
	free(p->inputs);
	free(p->path);
	free(p->dir);
	memset(p, 0, sizeof *p);
}

int project_dense_chain(const project *p, const char *what, berr *e)
{
	for (int k = 0; k < p->n_layers; k++)
		if (p->layers[k].kind != LK_DENSE)
			return errf(e, "swiglu '%s' (layers %s_gate, _up, _down with its SiLU and product) "
				       "is not supported by %s, which builds chains of dense layers: "
				       "evaluate it with csim and estimate (keep hardware off)",
				    p->layers[k].group, p->layers[k].group, what);
	return 0;
}

long project_macs(const project *p)
{
	long m = 0;
	for (int k = 0; k < p->n_layers; k++)
		m += (long)p->layers[k].n_in * p->layers[k].n_out;
	return m;
}
