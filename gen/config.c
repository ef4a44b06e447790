/* config.c - candidate configs in hls4ml's HLSConfig shape: parse and validate against the
 * block, read hls4ml conversion configs as hls4ml would (config_load_hls4ml, docs/IMPORT.md),
 * canonical form, hls4ml export, hls4ml's ReuseFactor rule. Semantics in docs/CONFIG.md. */
#define _POSIX_C_SOURCE 200809L
#include "gen/config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "gen/ydoc.h"
#include "kernels/act.h"
#include "kernels/gemv.h"

/* Precision variables of a layer, in hls4ml's names; V_DEFAULT covers the others. */
enum { V_DEFAULT, V_WEIGHT, V_BIAS, V_ACCUM, V_RESULT, V_TABLE, NVARS };
static const char *const varnames[NVARS] = {"default", "weight", "bias", "accum", "result", "table"};
enum { NDENSE_VARS = V_TABLE }; /* a dense layer's variables: default .. result */

static const char *const top_keys[] = {"Model", "LayerType", "LayerName"};
static const char *const level_keys[] = {"Precision", "ReuseFactor", "Strategy", "WeightFormat"};
static const char *const wfmt_names[WF_COUNT] = {"rom", "w8", "int4_g32", "int4_g64", "int4_g128"};
static const char *const input_keys[] = {"Precision"};
static const char *const input_vars[] = {"default", "result"};
static const char *const type_keys[] = {"Dense"};
static const char *const strat_names[] = {"Latency", "Resource"};

/* How a document is read: burn's own config (strict: every key must be one burn reads), or an
 * hls4ml conversion config (config_load_hls4ml: keys burn does not use are listed in notes). */
typedef struct {
	bool hls4ml;
	strbuf *notes;              /* hls4ml: one line per ignored key (may be NULL) */
} pmode;

/* Why an hls4ml key burn does not read is ignored. */
static const struct {
	const char *key, *why;
} ignored_keys[] = {
	{"KerasJson", "the model comes from the project's block"},
	{"KerasH5", "the model comes from the project's block"},
	{"KerasModel", "the model comes from the project's block"},
	{"OnnxModel", "the model comes from the project's block"},
	{"PytorchModel", "the model comes from the project's block"},
	{"TensorFlowModel", "the model comes from the project's block"},
	{"InputShape", "the model comes from the project's block"},
	{"Part", "the part comes from the project"},
	{"XilinxPart", "the part comes from the project"},
	{"Board", "the part comes from the project"},
	{"ClockPeriod", "the clock comes from the project"},
	{"ClockUncertainty", "the clock comes from the project"},
	{"OutputDir", "an hls4ml project setting"},
	{"ProjectName", "an hls4ml project setting"},
	{"ProjectDir", "an hls4ml project setting"},
	{"Backend", "an hls4ml project setting"},
	{"IOType", "an hls4ml project setting (burn models io_parallel)"},
	{"InputData", "an hls4ml project setting"},
	{"OutputPredictions", "an hls4ml project setting"},
	{"WriterConfig", "an hls4ml project setting"},
	{"Stamp", "an hls4ml project setting"},
	{"Version", "an hls4ml project setting"},
	{"Trace", "tracing is an hls4ml debugging option"},
	{"TraceOutput", "tracing is an hls4ml debugging option"},
	{"exp_table_t", "softmax table settings: burn evaluates the softmax in float"},
	{"inv_table_t", "softmax table settings: burn evaluates the softmax in float"},
	{"table_size", "softmax table settings: burn evaluates the softmax in float"},
	{"table_t", "activation table settings: burn has no table-based activation"},
	{"exp_range", "softmax table settings: burn evaluates the softmax in float"},
	{"inv_range", "softmax table settings: burn evaluates the softmax in float"},
	{"Compression", "not modelled by burn"},
	{"BramFactor", "not modelled by burn"},
	{"TargetCycles", "not modelled by burn"},
	{"ConvImplementation", "not modelled by burn (no convolutions)"},
	{"PipelineStyle", "not modelled by burn"},
	{"PipelineInterval", "not modelled by burn"},
	{"ParallelizationFactor", "not modelled by burn (no convolutions)"},
	{"Flows", "hls4ml's optimizer flows are not part of the design burn evaluates"},
	{"Optimizers", "hls4ml's optimizer flows are not part of the design burn evaluates"},
	{"SkipOptimizers", "hls4ml's optimizer flows are not part of the design burn evaluates"},
};

/* Lists key (at node at, with key path path) as ignored in the notes, with why (or the reason
 * the table gives for its name). */
static void note(const pmode *pm, const ydoc *d, const ynode *at, const char *path,
		 const char *name, const char *why)
{
	if (!pm->notes)
		return;
	for (size_t i = 0; !why && i < sizeof ignored_keys / sizeof ignored_keys[0]; i++)
		if (strcmp(name, ignored_keys[i].key) == 0)
			why = ignored_keys[i].why;
	sb_printf(pm->notes, "%s:%d:%d: ignored '%s': %s\n", d->file, at ? at->line : 1,
		  at ? at->col : 1, path, why ? why : "not a key burn reads");
}

/* ymap_check, except that in hls4ml mode unknown keys are listed in the notes, not errors. */
static int check_keys(const ydoc *d, const ynode *m, const char *ctx, const char *const *allowed,
		      size_t n, const pmode *pm, berr *e)
{
	if (!pm->hls4ml)
		return ymap_check(d, m, ctx, allowed, n, e);
	if (!m || m->kind != YN_MAP)
		return yerr(e, d, m, ctx, "expected a mapping");
	char kb[256];
	for (size_t i = 0; i < m->n; i++) {
		size_t j = 0;
		while (j < n && strcmp(m->keys[i]->str, allowed[j]) != 0)
			j++;
		if (j == n)
			note(pm, d, m->keys[i], ykey(kb, sizeof kb, ctx, m->keys[i]->str),
			     m->keys[i]->str, NULL);
	}
	return 0;
}

/* True if key is one of the n names. */
static bool known(const char *key, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, names[i]) == 0)
			return true;
	return false;
}

/* One level of hls4ml's lookup (Model, LayerType.Dense, LayerName.<layer>): what it sets. */
typedef struct {
	bool has[NVARS], is_auto[NVARS];
	fx_type t[NVARS];
	const ynode *at[NVARS];     /* where each precision was written (for later errors) */
	char path[NVARS][192];      /* its key path */
	bool has_rf, has_strat, has_wf;
	long rf;
	hls_strategy strat;
	weight_format wf;
	const ynode *wf_at;         /* where WeightFormat was written, and its key path */
	char wf_path[192];
	bool has_tsize;             /* a SiLU layer's table_size */
	long tsize;
} level;

/* The built-in default when no level sets a precision: hls4ml's ap_fixed<16,6>. */
static const fx_type builtin_type = {.w = 16, .i = 6, .sign = true, .q = FX_TRN, .o = FX_WRAP};
/* A SiLU table's default type: hls4ml's table_t default for activation tables. */
static const fx_type table_type = {.w = 18, .i = 8, .sign = true, .q = FX_TRN, .o = FX_WRAP};

/* Copies s into buf for an error message: printable ASCII only, at most 48 characters. */
static const char *clean(const char *s, char *buf, size_t n)
{
	size_t j = 0;
	for (size_t i = 0; s[i] && j + 4 < n; i++) {
		if (j >= 48) {
			memcpy(buf + j, "...", 3);
			j += 3;
			break;
		}
		unsigned char ch = (unsigned char)s[i];
		buf[j++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	buf[j] = '\0';
	return buf;
}

/* Rejects keys that are not short printable names and overlong scalars, anywhere in the tree,
 * before any of them is echoed in a message. */
static int sweep(const ydoc *d, const ynode *n, berr *e)
{
	if (!n)
		return 0;
	if (n->kind == YN_SCALAR) {
		if (strlen(n->str) > CONFIG_MAX_VALUE)
			return yerr(e, d, n, NULL, "value longer than %d characters", CONFIG_MAX_VALUE);
		return 0;
	}
	for (size_t i = 0; i < n->n; i++) {
		if (n->kind == YN_MAP) {
			const char *k = n->keys[i]->str;
			size_t len = strlen(k);
			bool ok = len >= 1 && len <= CONFIG_MAX_KEY;
			for (size_t j = 0; ok && j < len; j++)
				ok = (unsigned char)k[j] >= 0x20 && (unsigned char)k[j] < 0x7f;
			if (!ok)
				return yerr(e, d, n->keys[i], NULL,
					    "a key must be a printable name of 1 to %d characters",
					    CONFIG_MAX_KEY);
		}
		if (sweep(d, n->items[i], e) != 0)
			return -1;
	}
	return 0;
}

/* Index of s in names (case-insensitive), or -1. */
static int find_nocase(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (strcasecmp(s, names[i]) == 0)
			return i;
	return -1;
}

/* Reads one precision value (a type string or "auto") into lv's variable var. */
static int read_type(const ydoc *d, const ynode *v, const char *path, int var, bool auto_ok,
		     level *lv, berr *e)
{
	char cb[64], err[256];
	if (v->kind != YN_SCALAR)
		return yerr(e, d, v, path, "expected a type string such as ap_fixed<16,6>");
	if (strcasecmp(v->str, "auto") == 0) {
		if (!auto_ok)
			return yerr(e, d, v, path, "'auto' is only supported for accum and result");
		lv->is_auto[var] = true;
	} else {
		if (fx_parse(v->str, &lv->t[var], err, sizeof err) != 0)
			return yerr(e, d, v, path, "bad type '%s': %s", clean(v->str, cb, sizeof cb), err);
		lv->is_auto[var] = false;
	}
	lv->has[var] = true;
	lv->at[var] = v;
	snprintf(lv->path[var], sizeof lv->path[var], "%s", path);
	return 0;
}

/* An error if a key of the Precision mapping v looks like the tail of a type string that YAML
 * split at a comma ({weight: ap_fixed<8,3>} unquoted). */
static int split_type(const ydoc *d, const ynode *v, const char *path, berr *e)
{
	char kb[256];
	for (size_t i = 0; v->kind == YN_MAP && i < v->n; i++) {
		const char *k = v->keys[i]->str;
		if (strchr(k, '>') || (k[0] >= '0' && k[0] <= '9'))
			return yerr(e, d, v->keys[i], ykey(kb, sizeof kb, path, k),
				    "looks like a piece of a type string that YAML split at a comma; "
				    "quote type strings inside { } ('ap_fixed<16,6>')");
	}
	return 0;
}

/* Reads a Precision node: a string (the level's default) or a mapping of variables.
 * The input layer (input true) takes only default and result, and no "auto". */
static int read_precision(const ydoc *d, const ynode *v, const char *path, bool input, level *lv,
			  const pmode *pm, berr *e)
{
	char kb[256];
	if (v->kind == YN_SCALAR)
		return read_type(d, v, path, V_DEFAULT, false, lv, e);
	if (split_type(d, v, path, e) != 0)
		return -1;
	if (input) {
		if (check_keys(d, v, path, input_vars, 2, pm, e) != 0)
			return -1;
	} else if (check_keys(d, v, path, varnames, NDENSE_VARS, pm, e) != 0) {
		return -1;
	}
	for (size_t i = 0; i < v->n; i++) {
		if (!(input ? known(v->keys[i]->str, input_vars, 2)
			    : known(v->keys[i]->str, varnames, NDENSE_VARS)))
			continue; /* listed in the notes */
		int var = 0;
		while (strcmp(varnames[var], v->keys[i]->str) != 0)
			var++;
		bool auto_ok = !input && (var == V_ACCUM || var == V_RESULT);
		if (read_type(d, v->items[i], ykey(kb, sizeof kb, path, varnames[var]), var, auto_ok, lv,
			      e) != 0)
			return -1;
	}
	return 0;
}

/* Reads Model, LayerType.Dense or LayerName.<layer> (or LayerName.input when input). */
static int read_level(const ydoc *d, const ynode *m, const char *path, bool input, level *lv,
		      const pmode *pm, berr *e)
{
	char kb[256], cb[64];
	if (input ? check_keys(d, m, path, input_keys, 1, pm, e)
		  : check_keys(d, m, path, level_keys, 4, pm, e))
		return -1;
	const ynode *pr = ymap_get(m, "Precision");
	if (pr && read_precision(d, pr, ykey(kb, sizeof kb, path, "Precision"), input, lv, pm, e) != 0)
		return -1;
	if (input)
		return 0;
	if (ymap_get(m, "ReuseFactor")) {
		if (yget_long(d, m, path, "ReuseFactor", false, 1, MAX_REUSE, &lv->rf, e) != 0)
			return -1;
		lv->has_rf = true;
	}
	const char *s = NULL;
	if (yget_str(d, m, path, "Strategy", false, &s, e) != 0)
		return -1;
	if (s) {
		int k = find_nocase(s, strat_names, 2);
		if (k < 0)
			return yerr(e, d, ymap_get(m, "Strategy"), ykey(kb, sizeof kb, path, "Strategy"),
				    "'%s' is not a strategy burn supports (Latency or Resource, any case)",
				    clean(s, cb, sizeof cb));
		lv->strat = k == 0 ? HLS_LATENCY : HLS_RESOURCE;
		lv->has_strat = true;
	}
	s = NULL;
	if (yget_str(d, m, path, "WeightFormat", false, &s, e) != 0)
		return -1;
	if (s) {
		int k = find_nocase(s, wfmt_names, WF_COUNT);
		lv->wf_at = ymap_get(m, "WeightFormat");
		ykey(lv->wf_path, sizeof lv->wf_path, path, "WeightFormat");
		if (k < 0)
			return yerr(e, d, lv->wf_at, lv->wf_path,
				    "'%s' is not a weight format (rom, w8, int4_g32, int4_g64 or "
				    "int4_g128)", clean(s, cb, sizeof cb));
		lv->wf = (weight_format)k;
		lv->has_wf = true;
	}
	return 0;
}

/* Reads LayerName.<group>_silu (silu) or LayerName.<group>_mul: Precision (a string, or
 * default and result, and for the SiLU table), and the SiLU's table_size. */
static int read_ew_level(const ydoc *d, const ynode *m, const char *path, bool silu, level *lv,
			 const pmode *pm, berr *e)
{
	static const char *const silu_keys[] = {"Precision", "table_size"};
	static const char *const silu_vars[] = {"default", "result", "table"};
	char kb[256], pb[256];
	if (check_keys(d, m, path, silu_keys, silu ? 2 : 1, pm, e) != 0)
		return -1;
	if (silu && ymap_get(m, "table_size")) {
		if (yget_long(d, m, path, "table_size", false, SILU_TABLE_MIN, SILU_TABLE_MAX,
			      &lv->tsize, e) != 0)
			return -1;
		if (!silu_size_ok(lv->tsize))
			return yerr(e, d, ymap_get(m, "table_size"), ykey(kb, sizeof kb, path, "table_size"),
				    "%ld is not a power of two (the table index is a shift of the input)",
				    lv->tsize);
		lv->has_tsize = true;
	}
	const ynode *pr = ymap_get(m, "Precision");
	if (!pr)
		return 0;
	ykey(pb, sizeof pb, path, "Precision");
	if (pr->kind == YN_SCALAR)
		return read_type(d, pr, pb, V_DEFAULT, false, lv, e);
	if (pr->kind != YN_MAP)
		return yerr(e, d, pr, pb, "expected a type string or a mapping of variables");
	if (split_type(d, pr, pb, e) != 0 || check_keys(d, pr, pb, silu_vars, silu ? 3 : 2, pm, e) != 0)
		return -1;
	static const int vars[] = {V_DEFAULT, V_RESULT, V_TABLE};
	for (int k = 0; k < (silu ? 3 : 2); k++) {
		const ynode *v = ymap_get(pr, silu_vars[k]);
		if (v && read_type(d, v, ykey(kb, sizeof kb, pb, silu_vars[k]), vars[k],
				   !silu && vars[k] == V_RESULT, lv, e) != 0)
			return -1;
	}
	return 0;
}

/* Finds the layer whose elementwise layer (SiLU, product) has this exact name; -1 if none. */
static int ew_index(const project *p, const char *name)
{
	for (int i = 0; i < p->n_layers; i++)
		if (p->layers[i].ew_name[0] && strcmp(p->layers[i].ew_name, name) == 0)
			return i;
	return -1;
}

/* Finds a block layer by exact name; -1 if none. */
static int layer_index(const project *p, const char *name)
{
	for (int i = 0; i < p->n_layers; i++)
		if (strcmp(p->layers[i].name, name) == 0)
			return i;
	return -1;
}

/* The error for a LayerName key that names no block layer. */
static int unknown_layer(const ydoc *d, const ynode *key, const char *ctx, const project *p,
			 berr *e)
{
	char kb[256], cb[64];
	const char *names[2 * MAX_LAYERS + 1];
	int n = 0;
	names[n++] = "input";
	for (int i = 0; i < p->n_layers; i++) {
		names[n++] = p->layers[i].name;
		if (p->layers[i].ew_name[0])
			names[n++] = p->layers[i].ew_name;
	}
	ykey(kb, sizeof kb, ctx, clean(key->str, cb, sizeof cb));
	const char *sug = closest_word(key->str, names, (size_t)n);
	if (sug)
		return yerr(e, d, key, kb, "no layer of that name in the block (did you mean '%s'?)", sug);
	strbuf all = {0};
	for (int i = 1; i < n && i <= 12; i++)
		sb_printf(&all, "%s%s", i > 1 ? ", " : "", names[i]);
	if (n > 13)
		sb_puts(&all, ", ...");
	yerr(e, d, key, kb, "no layer of that name in the block (its layers: %s; the input is 'input')",
	     all.s ? all.s : "none");
	sb_free(&all);
	return -1;
}

/* A resolved precision: the type, or auto, and where it came from (NULL: built in). */
typedef struct {
	fx_type t;
	bool is_auto;
	const level *from;
	int var;
} resolved;

/* hls4ml's lookup for one variable: name.var, name.default, type.var, type.default,
 * model.var, model.default, then the built-in default. */
static resolved lookup(const level *const *chain, int nchain, int var)
{
	for (int k = 0; k < nchain; k++) {
		const level *lv = chain[k];
		if (!lv)
			continue;
		int v = lv->has[var] ? var : lv->has[V_DEFAULT] ? V_DEFAULT : -1;
		if (v >= 0)
			return (resolved){lv->t[v], lv->is_auto[v], lv, v};
	}
	return (resolved){builtin_type, false, NULL, V_DEFAULT};
}

/* ceil(log2(n)) for n >= 1. */
static int clog2(long n)
{
	int b = 0;
	while (b < 62 && (1L << b) < n)
		b++;
	return b;
}

/* hls4ml's 'auto' accumulator of a dense layer (_infer_common_precision in
 * hls4ml/model/optimizer/passes/infer_precision.py): wide enough that no sum of n_in
 * products plus the bias can overflow or round. -1 if that exceeds the fx_type limits. */
static int auto_accum(const fx_type *in, const fx_type *w, const fx_type *b, bool has_bias,
		      int n_in, fx_type *out)
{
	int c = clog2(n_in < 1 ? 1 : n_in);
	int width = w->w + in->w + c;
	int integers = w->i + in->i + c;
	bool sign = w->sign || in->sign;
	int frac = width - integers;
	if (has_bias) {
		int a = integers + (b->sign && !sign), bb = b->i + (sign && !b->sign);
		integers = (a > bb ? a : bb) + 1;
		width = integers + (frac > b->w - b->i ? frac : b->w - b->i);
		sign = sign || b->sign;
	}
	*out = (fx_type){.w = width, .i = integers, .sign = sign, .q = FX_TRN, .o = FX_WRAP};
	if (width < 1 || width > FX_W_MAX || integers < FX_I_MIN || integers > FX_I_MAX)
		return -1;
	return 0;
}

const fx_type *config_input_type(const config *c, const project *p, int i)
{
	if (i > 0 && p->layers[i].kind == LK_UP)
		return config_input_type(c, p, i - 1);
	if (i > 0 && p->layers[i].kind == LK_DOWN)
		return &c->layers[i - 1].mul;
	return i == 0 ? &c->input : &c->layers[i - 1].result;
}

/* The type of a full-precision product a * b (hls4ml's inferred Multiply result); -1 if wider
 * than the fx_type limits. */
static int product_type(const fx_type *a, const fx_type *b, fx_type *out)
{
	*out = (fx_type){.w = a->w + b->w, .i = a->i + b->i, .sign = a->sign || b->sign,
			 .q = FX_TRN, .o = FX_WRAP};
	if (a->sign != b->sign) { /* an unsigned operand gains a sign bit */
		out->w++;
		out->i++;
	}
	return out->w > FX_W_MAX || out->i < FX_I_MIN || out->i > FX_I_MAX ? -1 : 0;
}

/* Resolves layer i's elementwise layer (its SiLU or product) from its level ew and Model. */
static int resolve_ew(const ydoc *d, const project *p, const level *model, const level *ew,
		      int i, config *c, berr *e)
{
	const level *chain[] = {ew, model};
	layer_cfg *l = &c->layers[i];
	resolved r = lookup(chain, 2, V_RESULT);
	if (p->layers[i].kind == LK_GATE) {
		if (r.is_auto) /* only Model's result can be auto here */
			return yerr(e, d, r.from->at[r.var], r.from->path[r.var],
				    "'auto' cannot type the SiLU '%s'; give LayerName.%s.Precision.result",
				    p->layers[i].ew_name, p->layers[i].ew_name);
		l->act = r.t;
		l->table = ew->has[V_TABLE] ? ew->t[V_TABLE] : table_type;
		l->table_size = ew->has_tsize ? ew->tsize : SILU_TABLE_DEFAULT;
		return 0;
	}
	if (!r.is_auto) {
		l->mul = r.t;
		return 0;
	}
	if (product_type(&c->layers[i - 1].act, &l->result, &l->mul) != 0)
		return yerr(e, d, r.from->at[r.var], r.from->path[r.var],
			    "'auto' gives '%s' a product of %d bits, more than %d; give a type",
			    p->layers[i].ew_name, l->mul.w, FX_W_MAX);
	return 0;
}

/* Resolves every layer's setting from the levels into c. */
static int resolve(const ydoc *d, const project *p, const level *model, const level *type,
		   const level *names, const level *acts, const level *ews, const level *input,
		   const pmode *pm, config *c, berr *e)
{
	const level *ichain[] = {input, model};
	resolved r = lookup(ichain, 2, V_RESULT);
	if (r.is_auto)
		return yerr(e, d, r.from->at[r.var], r.from->path[r.var],
			    "'auto' cannot type the input; give LayerName.input.Precision.result");
	c->input = r.t;
	for (int i = 0; i < p->n_layers; i++) {
		const level *chain[] = {&names[i], type, model};
		layer_cfg *l = &c->layers[i];
		fx_type in = *config_input_type(c, p, i);
		l->weight = lookup(chain, 3, V_WEIGHT).t;
		l->bias = lookup(chain, 3, V_BIAS).t;
		r = lookup(chain, 3, V_ACCUM);
		if (r.is_auto) {
			if (auto_accum(&in, &l->weight, &l->bias, p->layers[i].bias, p->layers[i].n_in,
				       &l->accum) != 0)
				return yerr(e, d, r.from->at[r.var], r.from->path[r.var],
					    "'auto' gives layer '%s' an accumulator of %d bits, more than "
					    "%d; give a type", p->layers[i].name, l->accum.w, FX_W_MAX);
		} else {
			l->accum = r.t;
		}
		r = lookup(chain, 3, V_RESULT);
		l->result = r.is_auto ? l->accum : r.t;
		/* hls4ml: the activation layer's result is what the next layer reads; burn has one
		 * result type, after the activation. */
		const level *al = acts ? &acts[i] : NULL;
		int av = al && al->has[V_RESULT] ? V_RESULT : al && al->has[V_DEFAULT] ? V_DEFAULT : -1;
		if (av >= 0) {
			char tb[96], msg[512];
			if (r.from == &names[i] && !fx_equal(&l->result, &al->t[av])) {
				snprintf(msg, sizeof msg,
					 "layer '%s' takes its result type %s from its activation layer "
					 "'%s' (burn has one result type, after the activation)",
					 p->layers[i].name, fx_format(&al->t[av], tb, sizeof tb),
					 p->layers[i].act_name);
				note(pm, d, r.from->at[r.var], r.from->path[r.var], "", msg);
			}
			l->result = al->t[av];
		}
		l->reuse = names[i].has_rf ? names[i].rf : type && type->has_rf ? type->rf
			 : model->has_rf ? model->rf : 1;
		l->strategy = names[i].has_strat ? names[i].strat : type && type->has_strat ? type->strat
			    : model->has_strat ? model->strat : HLS_LATENCY;
		const level *wl = names[i].has_wf ? &names[i] : type && type->has_wf ? type
				: model->has_wf ? model : NULL;
		l->wfmt = wl ? wl->wf : WF_ROM;
		berr fe = {0};
		if (wl && config_wfmt_fits(l->wfmt, p->layers[i].n_in, p->layers[i].n_out, &fe) != 0)
			return yerr(e, d, wl->wf_at, wl->wf_path, "layer '%s': %s", p->layers[i].name,
				    fe.msg);
		if (p->layers[i].ew_name[0] && resolve_ew(d, p, model, &ews[i], i, c, e) != 0)
			return -1;
	}
	return 0;
}

/* Case-insensitive equality, as hls4ml matches layer names (it lower-cases them). */
static bool same_name(const char *a, const char *b)
{
	return a[0] && strcasecmp(a, b) == 0;
}

/* hls4ml mode: what a LayerName key names. Returns 0 for a dense layer (*i set), 1 for the
 * activation layer of dense layer *i, 2 for the input, 3 for the softmax, 4 for the
 * elementwise layer (SiLU, product) after layer *i, -1 for nothing. */
static int hls4ml_layer(const project *p, const char *name, int *i)
{
	for (*i = 0; *i < p->n_layers; (*i)++)
		if (same_name(p->layers[*i].ew_name, name))
			return 4;
	for (*i = 0; *i < p->n_layers; (*i)++)
		if (same_name(p->layers[*i].name, name))
			return 0;
	for (*i = 0; *i < p->n_layers; (*i)++)
		if (same_name(p->layers[*i].act_name, name))
			return 1;
	if (same_name("input", name) || same_name(p->model.input_name, name))
		return 2;
	if (same_name(p->model.softmax_name, name))
		return 3;
	return -1;
}

/* hls4ml mode: reads LayerName.<act> of an activation layer: only its result type counts. */
static int read_act_level(const ydoc *d, const ynode *m, const char *path, level *lv,
			  const pmode *pm, berr *e)
{
	static const char *const act_keys[] = {"Precision"};
	static const char *const act_vars[] = {"default", "result"};
	char kb[256], pb[256];
	if (check_keys(d, m, path, act_keys, 1, pm, e) != 0)
		return -1;
	const ynode *pr = ymap_get(m, "Precision");
	if (!pr)
		return 0;
	ykey(pb, sizeof pb, path, "Precision");
	if (pr->kind == YN_SCALAR)
		return read_type(d, pr, pb, V_DEFAULT, false, lv, e);
	if (check_keys(d, pr, pb, act_vars, 2, pm, e) != 0)
		return -1;
	for (int k = 0; k < 2; k++) {
		const ynode *v = ymap_get(pr, act_vars[k]);
		if (v && read_type(d, v, ykey(kb, sizeof kb, pb, act_vars[k]), k ? V_RESULT : V_DEFAULT,
				   false, lv, e) != 0)
			return -1;
	}
	return 0;
}

/* The error or note for a LayerName key that names no layer. */
static int no_layer(const ydoc *d, const ynode *key, const char *ctx, const project *p,
		    const pmode *pm, berr *e)
{
	if (!pm->hls4ml)
		return unknown_layer(d, key, ctx, p, e);
	char kb[256], msg[256];
	const char *names[2 * MAX_LAYERS + 3];
	size_t n = 0;
	names[n++] = "input";
	if (p->model.input_name[0])
		names[n++] = p->model.input_name;
	if (p->model.softmax_name[0])
		names[n++] = p->model.softmax_name;
	for (int i = 0; i < p->n_layers; i++) {
		names[n++] = p->layers[i].name;
		if (p->layers[i].act_name[0])
			names[n++] = p->layers[i].act_name;
		if (p->layers[i].ew_name[0] && n < sizeof names / sizeof names[0])
			names[n++] = p->layers[i].ew_name;
	}
	const char *sug = closest_word(key->str, names, n);
	snprintf(msg, sizeof msg, "no layer of that name in the %s%s%s%s",
		 p->model.kind != MODEL_NONE ? "model" : "block", sug ? " (did you mean '" : "",
		 sug ? sug : "", sug ? "'?)" : "");
	note(pm, d, key, ykey(kb, sizeof kb, ctx, key->str), key->str, msg);
	return 0;
}

/* Parses the document's tree into c. */
static int parse_doc(const ydoc *d, const project *p, const pmode *pm, config *c, berr *e)
{
	char kb[256];
	if (sweep(d, d->root, e) != 0)
		return -1;
	const ynode *root = d->root;
	const char *ctx = "";
	if (!root)
		return errf(e, "%s: the config is empty (expected Model and/or LayerName)", d->file);
	if (root->kind != YN_MAP)
		return yerr(e, d, root, NULL, "expected a mapping with Model and/or LayerName");
	if (ymap_get(root, "HLSConfig")) {
		static const char *const wrap[] = {"HLSConfig"};
		if (check_keys(d, root, "", wrap, 1, pm, e) != 0)
			return -1;
		root = ymap_get(root, "HLSConfig");
		ctx = "HLSConfig";
	}
	if (pm->hls4ml && root->kind != YN_MAP)
		return yerr(e, d, root, ctx, "expected a mapping with Model, LayerType and LayerName");
	if (check_keys(d, root, ctx, top_keys, 3, pm, e) != 0)
		return -1;
	level model = {0}, type = {0}, input = {0};
	bool has_type = false;
	size_t nl = (size_t)(p->n_layers > 0 ? p->n_layers : 1);
	level *names = xcalloc(nl, sizeof *names), *acts = xcalloc(nl, sizeof *acts);
	level *ews = xcalloc(nl, sizeof *ews);
	int rc = -1;
	const ynode *m = ymap_get(root, "Model");
	if (m && read_level(d, m, ykey(kb, sizeof kb, ctx, "Model"), false, &model, pm, e) != 0)
		goto out;
	const ynode *lt = ymap_get(root, "LayerType");
	if (lt) {
		char tctx[256];
		ykey(tctx, sizeof tctx, ctx, "LayerType");
		if (!pm->hls4ml) {
			if (ymap_check(d, lt, tctx, type_keys, 1, e) != 0)
				goto out;
		} else if (lt->kind != YN_MAP) {
			yerr(e, d, lt, tctx, "expected a mapping of layer types");
			goto out;
		} else {
			for (size_t k = 0; k < lt->n; k++)
				if (strcmp(lt->keys[k]->str, "Dense") != 0)
					note(pm, d, lt->keys[k], ykey(kb, sizeof kb, tctx, lt->keys[k]->str),
					     lt->keys[k]->str,
					     "burn's blocks have Dense layers only (an activation layer's "
					     "type is read from LayerName.<activation layer>)");
		}
		const ynode *dn = ymap_get(lt, "Dense");
		if (dn) {
			if (read_level(d, dn, ykey(kb, sizeof kb, tctx, "Dense"), false, &type, pm,
				       e) != 0)
				goto out;
			has_type = true;
		}
	}
	const ynode *ln = ymap_get(root, "LayerName");
	if (ln) {
		char nctx[256];
		ykey(nctx, sizeof nctx, ctx, "LayerName");
		if (ln->kind != YN_MAP) {
			yerr(e, d, ln, nctx, "expected a mapping of layer names");
			goto out;
		}
		for (size_t k = 0; k < ln->n; k++) {
			const char *name = ln->keys[k]->str;
			ykey(kb, sizeof kb, nctx, name);
			int i = layer_index(p, name);
			int what = strcmp(name, "input") == 0 ? 2 : i >= 0 ? 0 : -1;
			if (what < 0 && (i = ew_index(p, name)) >= 0)
				what = 4;
			if (pm->hls4ml)
				what = hls4ml_layer(p, name, &i);
			if (what == 2) {
				if (read_level(d, ln->items[k], kb, true, &input, pm, e) != 0)
					goto out;
			} else if (what == 0) {
				if (read_level(d, ln->items[k], kb, false, &names[i], pm, e) != 0)
					goto out;
			} else if (what == 1) {
				if (read_act_level(d, ln->items[k], kb, &acts[i], pm, e) != 0)
					goto out;
			} else if (what == 4) {
				if (read_ew_level(d, ln->items[k], kb, p->layers[i].kind == LK_GATE,
						  &ews[i], pm, e) != 0)
					goto out;
			} else if (what == 3) {
				note(pm, d, ln->keys[k], kb, name,
				     "the softmax: burn evaluates it in float (no fixed-point types)");
			} else if (no_layer(d, ln->keys[k], nctx, p, pm, e) != 0) {
				goto out;
			}
		}
	}
	c->n_layers = p->n_layers;
	c->layers = xcalloc(nl, sizeof *c->layers);
	rc = resolve(d, p, &model, has_type ? &type : NULL, names, pm->hls4ml ? acts : NULL, ews,
		     &input, pm, c, e);
out:
	free(names);
	free(acts);
	free(ews);
	return rc;
}

int config_parse(const char *name, const char *text, size_t len, const project *p, config *c,
		 berr *e)
{
	memset(c, 0, sizeof *c);
	if (len > CONFIG_MAX_BYTES)
		return errf(e, "%s: config larger than %d bytes", name, CONFIG_MAX_BYTES);
	ydoc d;
	if (ydoc_parse(name, text, len, &d, e) != 0)
		return -1;
	int rc = parse_doc(&d, p, &(pmode){0}, c, e);
	ydoc_free(&d);
	if (rc != 0)
		config_free(c);
	return rc;
}

int config_parse_hls4ml(const char *name, const char *text, size_t len, const project *p,
			config *c, strbuf *notes, berr *e)
{
	memset(c, 0, sizeof *c);
	if (len > CONFIG_MAX_BYTES)
		return errf(e, "%s: config larger than %d bytes", name, CONFIG_MAX_BYTES);
	ydoc d;
	if (ydoc_parse(name, text, len, &d, e) != 0)
		return -1;
	pmode pm = {.hls4ml = true, .notes = notes};
	int rc = parse_doc(&d, p, &pm, c, e);
	ydoc_free(&d);
	if (rc != 0)
		config_free(c);
	return rc;
}

int config_load_hls4ml(const char *path, const project *p, config *c, strbuf *notes, berr *e)
{
	char *buf;
	size_t len;
	memset(c, 0, sizeof *c);
	if (read_file(path, CONFIG_MAX_BYTES, &buf, &len, e) != 0)
		return -1;
	int rc = config_parse_hls4ml(path, buf, len, p, c, notes, e);
	free(buf);
	return rc;
}

int config_load(const char *path, const project *p, config *c, berr *e)
{
	char *buf;
	size_t len;
	memset(c, 0, sizeof *c);
	if (read_file(path, CONFIG_MAX_BYTES, &buf, &len, e) != 0)
		return -1;
	int rc = config_parse(path, buf, len, p, c, e);
	free(buf);
	return rc;
}

void config_default(const project *p, config *c)
{
	memset(c, 0, sizeof *c);
	c->input = builtin_type;
	c->n_layers = p->n_layers;
	c->layers = xcalloc((size_t)(p->n_layers > 0 ? p->n_layers : 1), sizeof *c->layers);
	for (int i = 0; i < p->n_layers; i++) {
		layer_cfg *l = &c->layers[i];
		fx_type in = *config_input_type(c, p, i);
		l->weight = l->bias = l->result = builtin_type;
		if (auto_accum(&in, &l->weight, &l->bias, p->layers[i].bias, p->layers[i].n_in,
			       &l->accum) != 0)
			l->accum = (fx_type){.w = FX_W_MAX, .i = 32, .sign = true, .q = FX_TRN,
					     .o = FX_WRAP}; /* unreachable for 16-bit types */
		l->reuse = 1;
		l->strategy = HLS_LATENCY;
		if (p->layers[i].kind == LK_GATE) {
			l->act = builtin_type;
			l->table = table_type;
			l->table_size = SILU_TABLE_DEFAULT;
		} else if (p->layers[i].kind == LK_UP) {
			l->mul = builtin_type;
		}
	}
}

/* YAML 1.1 words a plain scalar key must not be (Python's yaml would read a bool or null). */
static bool yaml_special(const char *s)
{
	static const char *const w[] = {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "~"};
	for (size_t i = 0; i < sizeof w / sizeof w[0]; i++)
		if (strcasecmp(s, w[i]) == 0)
			return true;
	return false;
}

/* Appends a layer name as a YAML key: plain when it is a safe identifier, else quoted. */
static void put_name(strbuf *b, const char *name)
{
	if (is_ident(name) && !yaml_special(name)) {
		sb_puts(b, name);
		return;
	}
	sb_puts(b, "'");
	for (const char *s = name; *s; s++) {
		unsigned char ch = (unsigned char)*s;
		if (ch == '\'')
			sb_puts(b, "''");
		else
			sb_add(b, ch >= 0x20 && ch < 0x7f ? s : "?", 1);
	}
	sb_puts(b, "'");
}

/* The canonical spelling of t, or with short set, hls4ml's short one for default modes
 * (ap_fixed<16,6> rather than ap_fixed<16,6,AP_TRN,AP_WRAP>). */
static const char *type_str(const fx_type *t, bool short_form, char *buf, size_t n)
{
	fx_format(t, buf, n);
	if (short_form) {
		char *tail = strstr(buf, ",AP_TRN,AP_WRAP>");
		if (tail)
			strcpy(tail, ">");
	}
	return buf;
}

static const char *strat_name(hls_strategy s)
{
	return s == HLS_RESOURCE ? "Resource" : "Latency";
}

/* Writes layer i's elementwise layer (SiLU or product) in full, if it has one; short: hls4ml's
 * short type spellings. */
static void put_ew(strbuf *out, const config *c, const project *p, int i, bool short_form)
{
	const layer *ly = &p->layers[i];
	const layer_cfg *l = &c->layers[i];
	char tb[128];
	if (!ly->ew_name[0])
		return;
	sb_puts(out, "  ");
	put_name(out, ly->ew_name);
	sb_puts(out, ":\n    Precision:\n");
	if (ly->kind == LK_GATE) {
		sb_printf(out, "      result: %s\n", type_str(&l->act, short_form, tb, sizeof tb));
		sb_printf(out, "      table: %s\n", type_str(&l->table, short_form, tb, sizeof tb));
		sb_printf(out, "    table_size: %ld\n", l->table_size);
	} else {
		sb_printf(out, "      result: %s\n", type_str(&l->mul, short_form, tb, sizeof tb));
	}
}

void config_write_canonical(const config *c, const project *p, strbuf *out)
{
	char tb[128];
	sb_puts(out, "LayerName:\n  input:\n    Precision:\n");
	sb_printf(out, "      result: %s\n", type_str(&c->input, false, tb, sizeof tb));
	for (int i = 0; i < c->n_layers; i++) {
		const layer_cfg *l = &c->layers[i];
		sb_puts(out, "  ");
		put_name(out, p->layers[i].name);
		sb_puts(out, ":\n    Precision:\n");
		sb_printf(out, "      accum: %s\n", type_str(&l->accum, false, tb, sizeof tb));
		sb_printf(out, "      bias: %s\n", type_str(&l->bias, false, tb, sizeof tb));
		sb_printf(out, "      result: %s\n", type_str(&l->result, false, tb, sizeof tb));
		sb_printf(out, "      weight: %s\n", type_str(&l->weight, false, tb, sizeof tb));
		sb_printf(out, "    ReuseFactor: %ld\n", l->reuse);
		sb_printf(out, "    Strategy: %s\n", strat_name(l->strategy));
		if (l->wfmt != WF_ROM) /* absent = rom: configs without it keep their bytes */
			sb_printf(out, "    WeightFormat: %s\n", config_wfmt_name(l->wfmt));
		put_ew(out, c, p, i, false);
	}
}

/* The most common of n types (ties: the first seen). */
static fx_type most_common_type(const fx_type *t, int n)
{
	int best = 0, bestn = 0;
	for (int i = 0; i < n; i++) {
		int k = 0;
		for (int j = 0; j < n; j++)
			k += fx_equal(&t[i], &t[j]);
		if (k > bestn) {
			bestn = k;
			best = i;
		}
	}
	return t[best];
}

/* The type of variable var (V_WEIGHT...) of layer l. */
static const fx_type *var_of(const layer_cfg *l, int var)
{
	switch (var) {
	case V_WEIGHT: return &l->weight;
	case V_BIAS: return &l->bias;
	case V_ACCUM: return &l->accum;
	default: return &l->result;
	}
}

void config_write_hls4ml(const config *c, const project *p, strbuf *out)
{
	char tb[128], cb[64];
	int n = c->n_layers;
	fx_type *all = xcalloc((size_t)(4 * n + 1), sizeof *all);
	all[0] = c->input;
	for (int i = 0; i < n; i++)
		for (int v = V_WEIGHT; v <= V_RESULT; v++)
			all[1 + 4 * i + (v - V_WEIGHT)] = *var_of(&c->layers[i], v);
	fx_type def = most_common_type(all, 4 * n + 1);
	/* Model per-variable entries where a variable's most common type differs from def. */
	fx_type eff[NVARS];
	bool model_var[NVARS] = {0};
	bool any_var = false;
	for (int v = V_WEIGHT; v <= V_RESULT; v++) {
		eff[v] = def;
		if (n == 0)
			continue;
		for (int i = 0; i < n; i++)
			all[i] = *var_of(&c->layers[i], v);
		fx_type mc = most_common_type(all, n);
		if (!fx_equal(&mc, &def)) {
			eff[v] = mc;
			model_var[v] = any_var = true;
		}
	}
	long rf = 1;
	int nres = 0, bestn = 0;
	for (int i = 0; i < n; i++) {
		int k = 0;
		for (int j = 0; j < n; j++)
			k += c->layers[j].reuse == c->layers[i].reuse;
		if (k > bestn) {
			bestn = k;
			rf = c->layers[i].reuse;
		}
		nres += c->layers[i].strategy == HLS_RESOURCE;
	}
	hls_strategy strat = 2 * nres > n ? HLS_RESOURCE : HLS_LATENCY;

	sb_printf(out, "# hls4ml HLSConfig for block '%s', written by burn config hls4ml: put it\n",
		  clean(p->name, cb, sizeof cb));
	sb_puts(out, "# under HLSConfig: in a conversion config, or pass it as hls_config. Rename\n"
		     "# 'input' to the model's input layer (e.g. fc1_input), and the layers to the\n"
		     "# model's layer names where they differ.\n");
	sb_puts(out, "Model:\n");
	if (any_var) {
		sb_printf(out, "  Precision:\n    default: %s\n", type_str(&def, true, tb, sizeof tb));
		for (int v = V_WEIGHT; v <= V_RESULT; v++)
			if (model_var[v])
				sb_printf(out, "    %s: %s\n", varnames[v],
					  type_str(&eff[v], true, tb, sizeof tb));
	} else {
		sb_printf(out, "  Precision: %s\n", type_str(&def, true, tb, sizeof tb));
	}
	sb_printf(out, "  ReuseFactor: %ld\n  Strategy: %s\n", rf, strat_name(strat));
	/* The input is always listed: it has to be renamed to the model's input layer anyway. */
	sb_puts(out, "LayerName:\n  input:\n    Precision:\n");
	sb_printf(out, "      result: %s\n", type_str(&c->input, true, tb, sizeof tb));
	for (int i = 0; i < n; i++) {
		const layer_cfg *l = &c->layers[i];
		bool diff[NVARS] = {0}, anyd = false;
		for (int v = V_WEIGHT; v <= V_RESULT; v++)
			anyd |= diff[v] = !fx_equal(var_of(l, v), &eff[v]);
		if (!anyd && l->reuse == rf && l->strategy == strat && l->wfmt == WF_ROM) {
			put_ew(out, c, p, i, true);
			continue;
		}
		sb_puts(out, "  ");
		put_name(out, p->layers[i].name);
		sb_puts(out, ":\n");
		if (anyd) {
			sb_puts(out, "    Precision:\n");
			for (int v = V_WEIGHT; v <= V_RESULT; v++)
				if (diff[v])
					sb_printf(out, "      %s: %s\n", varnames[v],
						  type_str(var_of(l, v), true, tb, sizeof tb));
		}
		if (l->reuse != rf)
			sb_printf(out, "    ReuseFactor: %ld\n", l->reuse);
		if (l->strategy != strat)
			sb_printf(out, "    Strategy: %s\n", strat_name(l->strategy));
		if (l->wfmt != WF_ROM) /* a BurnTTT extension: hls4ml has no streamed weights */
			sb_printf(out, "    WeightFormat: %s  # BurnTTT extension (docs/CONFIG.md)\n",
				  config_wfmt_name(l->wfmt));
		put_ew(out, c, p, i, true);
	}
	free(all);
}

/* FPGABackend._validate_reuse_factor (hls4ml/backends/fpga/fpga_backend.py), in integers:
 * multfactor = min(n_in, rf); multiplier_limit = ceil(n_in*n_out / multfactor);
 * (multiplier_limit % n_out == 0 or rf >= n_in) and (rf % n_in == 0 or rf < n_in)
 * and n_in*n_out % rf == 0. */
static bool rf_ok(long long n_in, long long n_out, long long rf)
{
	long long n = n_in * n_out;
	long long mf = rf < n_in ? rf : n_in;
	long long limit = (n + mf - 1) / mf;
	bool ok = limit % n_out == 0 || rf >= n_in;
	ok = ok && (rf % n_in == 0 || rf < n_in);
	return ok && n % rf == 0;
}

bool hls4ml_rf_valid(int n_in, int n_out, long rf, long *lo, long *hi)
{
	*lo = *hi = 0;
	if (n_in < 1 || n_out < 1)
		return false;
	long long n = (long long)n_in * n_out;
	if (rf >= 1 && rf <= n && rf_ok(n_in, n_out, rf))
		return true;
	/* Every valid RF divides n_in*n_out: walk the divisor pairs. */
	for (long long d = 1; d * d <= n; d++) {
		if (n % d)
			continue;
		long long pair[2] = {d, n / d};
		for (int k = 0; k < 2; k++) {
			long long r = pair[k];
			if (!rf_ok(n_in, n_out, r))
				continue;
			if (r < rf && r > *lo)
				*lo = (long)r;
			if (r > rf && (*hi == 0 || r < *hi))
				*hi = (long)r;
		}
	}
	return false;
}

int config_check_hls4ml(const config *c, const project *p, strbuf *report)
{
	int bad = 0;
	for (int i = 0; i < c->n_layers && i < p->n_layers; i++) {
		const layer_cfg *l = &c->layers[i];
		const layer *ly = &p->layers[i];
		long lo, hi;
		if (l->strategy != HLS_RESOURCE || hls4ml_rf_valid(ly->n_in, ly->n_out, l->reuse, &lo, &hi))
			continue;
		/* set_closest_reuse_factor: the nearer one, the smaller on a tie. */
		long use = !hi ? lo : !lo ? hi : hi - l->reuse < l->reuse - lo ? hi : lo;
		sb_printf(report, "%s: ReuseFactor %ld is not valid for hls4ml's Resource strategy "
				  "(n_in %d, n_out %d); nearest valid: ", ly->name, l->reuse, ly->n_in,
			  ly->n_out);
		if (lo)
			sb_printf(report, "%ld below", lo);
		else
			sb_puts(report, "none below");
		if (hi)
			sb_printf(report, ", %ld above", hi);
		else
			sb_puts(report, ", none above");
		sb_printf(report, "; hls4ml would use %ld\n", use);
		bad++;
	}
	return bad;
}

const char *config_wfmt_name(weight_format f)
{
	return f >= 0 && f < WF_COUNT ? wfmt_names[f] : "?";
}

int config_wfmt_group(weight_format f)
{
	return f == WF_INT4_G32 ? 32 : f == WF_INT4_G64 ? 64 : f == WF_INT4_G128 ? 128 : 0;
}

int config_wfmt_fits(weight_format f, int n_in, int n_out, berr *e)
{
	if (f == WF_ROM)
		return 0;
	if (n_in > GEMV_MAX_COLS || n_out > GEMV_MAX_ROWS)
		return errf(e, "%s needs at most %d inputs and %d outputs (the layer has %d and %d)",
			    config_wfmt_name(f), GEMV_MAX_COLS, GEMV_MAX_ROWS, n_in, n_out);
	int g = config_wfmt_group(f);
	if (g && n_in % g != 0)
		return errf(e, "%s needs the inputs (%d) to be a multiple of the group size %d",
			    config_wfmt_name(f), n_in, g);
	return 0;
}

bool config_wfmt_wanted(const project *p, int i)
{
	double bits = 8.0 * p->layers[i].n_in * (double)p->layers[i].n_out;
	return p->part.mem_gbps > 0 && bits > (double)p->part.bram18 * 18432.0;
}

weight_format config_wfmt_int4(int n_in)
{
	return n_in % 128 == 0 ? WF_INT4_G128 : n_in % 64 == 0 ? WF_INT4_G64
	     : n_in % 32 == 0 ? WF_INT4_G32 : WF_W8;
}

int config_rom_only(const config *c, const project *p, const char *what, berr *e)
{
	for (int i = 0; i < c->n_layers && i < p->n_layers; i++)
		if (c->layers[i].wfmt != WF_ROM)
			return errf(e, "layer %s: WeightFormat %s (weights streamed from external "
				       "memory) is not supported by %s; use rom", p->layers[i].name,
				    config_wfmt_name(c->layers[i].wfmt), what);
	return 0;
}

bool config_equal(const config *a, const config *b)
{
	if (a->n_layers != b->n_layers || !fx_equal(&a->input, &b->input))
		return false;
	for (int i = 0; i < a->n_layers; i++) {
		const layer_cfg *x = &a->layers[i], *y = &b->layers[i];
		if (!fx_equal(&x->weight, &y->weight) || !fx_equal(&x->bias, &y->bias) ||
		    !fx_equal(&x->accum, &y->accum) || !fx_equal(&x->result, &y->result) ||
		    x->reuse != y->reuse || x->strategy != y->strategy || x->wfmt != y->wfmt ||
		    !fx_equal(&x->act, &y->act) ||
		    !fx_equal(&x->table, &y->table) || x->table_size != y->table_size ||
		    !fx_equal(&x->mul, &y->mul))
			return false;
	}
	return true;
}

void config_free(config *c)
{
	free(c->layers);
	c->layers = NULL;
	c->n_layers = 0;
}
