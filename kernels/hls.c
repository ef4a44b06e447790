/* hls.c - the HLS C++ project of a candidate (docs/HLS.md). The C++ computes exactly what
 * burn csim computes (kernels/dense.h): per output, the bias cast to the accumulator, then the
 * products in input order each added at full precision and cast to the accumulator, then the
 * cast to the result and ReLU. The strategies differ only in pragmas, modelled on hls4ml's
 * dense_latency (pipeline at II = ReuseFactor, complete partitioning, a multiplier limit) and
 * dense_resource (a ReuseFactor-long pipelined loop of ceil(N/RF) products per iteration over
 * weights reshaped into one wide word per iteration). Weights are written already quantized to
 * their type, so the HLS tool's own rounding of constants plays no part. */
#include "kernels/hls.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/act.h"
#include "kernels/fixed.h"

static long long cdiv(long long a, long long b)
{
	return (a + b - 1) / b;
}

/* A C identifier (not is_ident: no '.' or '-'), at most 63 characters. */
static bool c_ident(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63 || (s[0] >= '0' && s[0] <= '9'))
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static strbuf *add_file(hls_project *h, const char *path)
{
	h->files = xreallocarray(h->files, (size_t)h->n + 1, sizeof *h->files);
	hls_file *f = &h->files[h->n++];
	f->path = xstrdup(path);
	memset(&f->text, 0, sizeof f->text);
	return &f->text;
}

static const char *ctype(const fx_type *t, char *buf, size_t n)
{
	return fx_format(t, buf, n);
}

/* Writes n values as a C initializer, 8 per line, each value exactly (%.17g of a double). */
static void put_values(strbuf *b, const double *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		sb_printf(b, "%s%.17g", i == 0 ? "\n\t" : i % 8 == 0 ? ",\n\t" : ", ", v[i]);
	sb_puts(b, "\n");
}

static void emit_defines(strbuf *b, const project *p, const config *c)
{
	char t[96];
	const layer *last = &p->layers[p->n_layers - 1];
	sb_puts(b, "// defines.h - sizes and ap_fixed types of the candidate (written by burn hlsproj).\n"
		   "#ifndef DEFINES_H_\n#define DEFINES_H_\n\n"
		   "#include \"ap_fixed.h\"\n#include \"ap_int.h\"\n\n");
	sb_printf(b, "#define N_INPUT %d\n#define N_OUTPUT %d\n", p->layers[0].n_in, last->n_out);
	for (int k = 0; k < p->n_layers; k++)
		sb_printf(b, "#define N_IN_%d %d\n#define N_OUT_%d %d\n", k + 1, p->layers[k].n_in, k + 1,
			  p->layers[k].n_out);
	sb_printf(b, "\ntypedef %s input_t;\n", ctype(&c->input, t, sizeof t));
	for (int k = 0; k < p->n_layers; k++) {
		const layer_cfg *l = &c->layers[k];
		sb_printf(b, "// layer %d: %s\n", k + 1, p->layers[k].name);
		sb_printf(b, "typedef %s weight%d_t;\n", ctype(&l->weight, t, sizeof t), k + 1);
		sb_printf(b, "typedef %s bias%d_t;\n", ctype(&l->bias, t, sizeof t), k + 1);
		sb_printf(b, "typedef %s accum%d_t;\n", ctype(&l->accum, t, sizeof t), k + 1);
		sb_printf(b, "typedef %s result%d_t;\n", ctype(&l->result, t, sizeof t), k + 1);
		if (p->layers[k].kind == LK_GATE) {
			sb_printf(b, "// %s: SiLU of result%d_t through a sigmoid table\n",
				  p->layers[k].ew_name, k + 1);
			sb_printf(b, "typedef %s act%d_t;\n", ctype(&l->act, t, sizeof t), k + 1);
			sb_printf(b, "typedef %s table%d_t;\n", ctype(&l->table, t, sizeof t), k + 1);
		} else if (p->layers[k].kind == LK_UP) {
			sb_printf(b, "// %s: act%d_t * result%d_t\n", p->layers[k].ew_name, k, k + 1);
			sb_printf(b, "typedef %s mul%d_t;\n", ctype(&l->mul, t, sizeof t), k + 1);
		}
	}
	sb_printf(b, "typedef result%d_t result_t;\n\n#endif\n", p->n_layers);
}

static void emit_dense(strbuf *b)
{
	sb_puts(b,
		"// burn_dense.h - the dense layer of burn's C simulation (kernels/dense.h) in HLS C++,\n"
		"// written by burn hlsproj. For each output j: acc = (accum_t) bias[j]; then for\n"
		"// i = 0 .. n_in-1 in order acc = acc + x[i] * w[i*n_out + j] (full-precision product, sum\n"
		"// cast to accum_t); y[j] = (res_T) acc, then ReLU. Both strategies compute exactly\n"
		"// that; they differ in pragmas, modelled on hls4ml's dense_latency and dense_resource.\n"
		"#ifndef BURN_DENSE_H_\n#define BURN_DENSE_H_\n\n"
		"#include \"ap_fixed.h\"\n\n"
		"namespace burn {\n\n"
		"struct dense_config {\n"
		"\tstatic const unsigned n_in = 1;\n"
		"\tstatic const unsigned n_out = 1;\n"
		"\tstatic const unsigned reuse_factor = 1;\n"
		"\tstatic const unsigned n_mult = 1;   // multipliers: ceil(n_in * n_out / reuse_factor)\n"
		"\tstatic const unsigned n_cycles = 1; // products per multiplier: ceil(n_in * n_out / n_mult)\n"
		"\tstatic const bool relu = false;\n"
		"};\n\n"
		"template <class res_T, class acc_T>\n"
		"res_T finish(acc_T acc, bool relu)\n"
		"{\n"
		"#pragma HLS INLINE\n"
		"\tres_T y = (res_T)acc;\n"
		"\tif (relu && !(y > 0))\n"
		"\t\ty = 0;\n"
		"\treturn y;\n"
		"}\n\n"
		"// Latency: the whole layer in one pipeline of II = ReuseFactor, all arrays in registers,\n"
		"// at most n_mult multipliers (hls4ml's dense_latency).\n"
		"template <class data_T, class res_T, typename CONFIG_T>\n"
		"void dense_latency(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
		"\t\t   const typename CONFIG_T::weight_t w[CONFIG_T::n_in * CONFIG_T::n_out],\n"
		"\t\t   const typename CONFIG_T::bias_t b[CONFIG_T::n_out])\n"
		"{\n"
		"#pragma HLS PIPELINE II = CONFIG_T::reuse_factor\n"
		"#pragma HLS FUNCTION_INSTANTIATE variable = w, b\n"
		"#pragma HLS ARRAY_PARTITION variable = b complete\n"
		"#pragma HLS ALLOCATION operation instances = mul limit = CONFIG_T::n_mult\n"
		"\ttypename CONFIG_T::accum_t acc[CONFIG_T::n_out];\n"
		"#pragma HLS ARRAY_PARTITION variable = acc complete\n"
		"Bias:\n"
		"\tfor (unsigned j = 0; j < CONFIG_T::n_out; j++)\n"
		"\t\tacc[j] = (typename CONFIG_T::accum_t)b[j];\n"
		"Product:\n"
		"\tfor (unsigned i = 0; i < CONFIG_T::n_in; i++) {\n"
		"\t\tdata_T xi = x[i];\n"
		"\tOutput:\n"
		"\t\tfor (unsigned j = 0; j < CONFIG_T::n_out; j++)\n"
		"\t\t\tacc[j] += xi * w[i * CONFIG_T::n_out + j];\n"
		"\t}\n"
		"Result:\n"
		"\tfor (unsigned j = 0; j < CONFIG_T::n_out; j++)\n"
		"\t\ty[j] = finish<res_T>(acc[j], CONFIG_T::relu);\n"
		"}\n\n"
		"// Resource: n_cycles iterations of a pipelined loop, each doing n_mult products, over\n"
		"// weights reshaped so that one iteration reads one wide word (a ROM n_mult weights wide\n"
		"// and n_cycles deep, in block RAM when deep enough); hls4ml's dense_resource. Product\n"
		"// t = i * n_out + j is done in iteration t / n_mult, so each output still sums its\n"
		"// products in input order.\n"
		"template <class data_T, class res_T, typename CONFIG_T>\n"
		"void dense_resource(const data_T x[CONFIG_T::n_in], res_T y[CONFIG_T::n_out],\n"
		"\t\t    const typename CONFIG_T::weight_t w[CONFIG_T::n_in * CONFIG_T::n_out],\n"
		"\t\t    const typename CONFIG_T::bias_t b[CONFIG_T::n_out])\n"
		"{\n"
		"#pragma HLS FUNCTION_INSTANTIATE variable = w, b\n"
		"#pragma HLS ARRAY_RESHAPE variable = w cyclic factor = CONFIG_T::n_mult\n"
		"#pragma HLS ARRAY_PARTITION variable = x complete\n"
		"#pragma HLS ARRAY_PARTITION variable = b complete\n"
		"\ttypename CONFIG_T::accum_t acc[CONFIG_T::n_out];\n"
		"#pragma HLS ARRAY_PARTITION variable = acc complete\n"
		"Bias:\n"
		"\tfor (unsigned j = 0; j < CONFIG_T::n_out; j++) {\n"
		"#pragma HLS UNROLL\n"
		"\t\tacc[j] = (typename CONFIG_T::accum_t)b[j];\n"
		"\t}\n"
		"Reuse:\n"
		"\tfor (unsigned c = 0; c < CONFIG_T::n_cycles; c++) {\n"
		"#pragma HLS PIPELINE II = 1\n"
		"\tMult:\n"
		"\t\tfor (unsigned m = 0; m < CONFIG_T::n_mult; m++) {\n"
		"#pragma HLS UNROLL\n"
		"\t\t\tunsigned t = c * CONFIG_T::n_mult + m;\n"
		"\t\t\tif (t < CONFIG_T::n_in * CONFIG_T::n_out)\n"
		"\t\t\t\tacc[t % CONFIG_T::n_out] += x[t / CONFIG_T::n_out] * w[t];\n"
		"\t\t}\n"
		"\t}\n"
		"Result:\n"
		"\tfor (unsigned j = 0; j < CONFIG_T::n_out; j++) {\n"
		"#pragma HLS UNROLL\n"
		"\t\ty[j] = finish<res_T>(acc[j], CONFIG_T::relu);\n"
		"\t}\n"
		"}\n\n"
		"} // namespace burn\n\n#endif\n");
}

/* True if the block has a swiglu entry. */
static bool has_swiglu(const project *p)
{
	for (int k = 0; k < p->n_layers; k++)
		if (p->layers[k].kind != LK_DENSE)
			return true;
	return false;
}

static void emit_swiglu(strbuf *b)
{
	sb_printf(b,
		"// burn_swiglu.h - the elementwise layers of a SwiGLU MLP as burn's C simulation computes\n"
		"// them (kernels/act.h), written by burn hlsproj. SiLU: x >= %d gives (res_T) x, x < -%d\n"
		"// gives 0, otherwise (res_T)(x * table[i]) with i = floor(x * table_size / %d) +\n"
		"// table_size / 2 (the full-precision product; table[i] is the sigmoid at the centre of\n"
		"// bin i). The product: (res_T)(a[j] * b[j]) at full precision.\n"
		"#ifndef BURN_SWIGLU_H_\n#define BURN_SWIGLU_H_\n\n"
		"#include \"ap_fixed.h\"\n\n"
		"namespace burn {\n\n"
		"struct silu_config {\n"
		"\tstatic const unsigned n = 1;\n"
		"\tstatic const unsigned table_size = 1024;\n"
		"\tstatic const unsigned reuse_factor = 1;\n"
		"};\n\n"
		"template <class data_T, class res_T, typename CONFIG_T>\n"
		"void silu(const data_T x[CONFIG_T::n], res_T y[CONFIG_T::n],\n"
		"\t  const typename CONFIG_T::table_t table[CONFIG_T::table_size])\n"
		"{\n"
		"#pragma HLS PIPELINE II = CONFIG_T::reuse_factor\n"
		"Silu:\n"
		"\tfor (unsigned j = 0; j < CONFIG_T::n; j++) {\n"
		"\t\tdata_T v = x[j];\n"
		"\t\tif (v >= %d) {\n"
		"\t\t\ty[j] = (res_T)v;\n"
		"\t\t} else if (v < -%d) {\n"
		"\t\t\ty[j] = 0;\n"
		"\t\t} else {\n"
		"\t\t\t// AP_TRN: the floor of the exact scaled value (|v| < %d, so it fits)\n"
		"\t\t\tconst ap_ufixed<17, 17> scale = (int)(CONFIG_T::table_size / %d);\n"
		"\t\t\tap_fixed<32, 32, AP_TRN, AP_WRAP> bin = v * scale;\n"
		"\t\t\ty[j] = (res_T)(v * table[bin.to_int() + CONFIG_T::table_size / 2]);\n"
		"\t\t}\n"
		"\t}\n"
		"}\n\n"
		"template <class a_T, class b_T, class res_T, unsigned N, unsigned RF>\n"
		"void mul(const a_T a[N], const b_T b[N], res_T y[N])\n"
		"{\n"
		"#pragma HLS PIPELINE II = RF\n"
		"Mul:\n"
		"\tfor (unsigned j = 0; j < N; j++)\n"
		"\t\ty[j] = (res_T)(a[j] * b[j]);\n"
		"}\n\n"
		"} // namespace burn\n\n#endif\n",
		SILU_RANGE, SILU_RANGE, 2 * SILU_RANGE, SILU_RANGE, SILU_RANGE, SILU_RANGE,
		2 * SILU_RANGE);
}

static void emit_parameters(strbuf *b, const project *p, const config *c)
{
	sb_puts(b, "// parameters.h - per-layer configuration (written by burn hlsproj).\n"
		   "#ifndef PARAMETERS_H_\n#define PARAMETERS_H_\n\n"
		   "#include \"burn_dense.h\"\n#include \"defines.h\"\n\n");
	if (has_swiglu(p))
		sb_puts(b, "#include \"burn_swiglu.h\"\n");
	for (int k = 0; k < p->n_layers; k++) {
		sb_printf(b, "#include \"weights/w%d.h\"\n#include \"weights/b%d.h\"\n", k + 1, k + 1);
		if (p->layers[k].kind == LK_GATE)
			sb_printf(b, "#include \"weights/t%d.h\"\n", k + 1);
	}
	for (int k = 0; k < p->n_layers; k++) {
		const layer *ly = &p->layers[k];
		const layer_cfg *l = &c->layers[k];
		long long n = (long long)ly->n_in * ly->n_out;
		long long rf = l->reuse < n ? l->reuse : n;
		long long mults = cdiv(n, rf), cycles = cdiv(n, mults);
		sb_printf(b,
			  "\n// layer %d: %s, %d -> %d, %s, ReuseFactor %ld, Strategy %s\n"
			  "struct config%d : burn::dense_config {\n"
			  "\tstatic const unsigned n_in = %d;\n"
			  "\tstatic const unsigned n_out = %d;\n"
			  "\tstatic const unsigned reuse_factor = %lld;\n"
			  "\tstatic const unsigned n_mult = %lld;\n"
			  "\tstatic const unsigned n_cycles = %lld;\n"
			  "\tstatic const bool relu = %s;\n"
			  "\ttypedef weight%d_t weight_t;\n"
			  "\ttypedef bias%d_t bias_t;\n"
			  "\ttypedef accum%d_t accum_t;\n"
			  "};\n",
			  k + 1, ly->name, ly->n_in, ly->n_out, ly->act == ACT_RELU ? "relu" : "linear",
			  l->reuse, l->strategy == HLS_RESOURCE ? "Resource" : "Latency", k + 1, ly->n_in,
			  ly->n_out, rf, mults, cycles, ly->act == ACT_RELU ? "true" : "false", k + 1, k + 1,
			  k + 1);
		if (ly->kind == LK_GATE)
			sb_printf(b,
				  "// %s: SiLU of layer %d's %d outputs, a %ld-entry sigmoid table\n"
				  "struct silu_config%d : burn::silu_config {\n"
				  "\tstatic const unsigned n = %d;\n"
				  "\tstatic const unsigned table_size = %ld;\n"
				  "\tstatic const unsigned reuse_factor = %lld;\n"
				  "\ttypedef table%d_t table_t;\n"
				  "};\n",
				  ly->ew_name, k + 1, ly->n_out, l->table_size, k + 1, ly->n_out, l->table_size,
				  rf, k + 1);
	}
	sb_puts(b, "\n#endif\n");
}

/* weights/tK.h: the sigmoid table of gate layer k's SiLU, quantized to tableK_t. */
static void emit_table(hls_project *h, const layer *ly, const layer_cfg *l, int k)
{
	silu_types st = {.in = l->result, .table = l->table, .result = l->act,
			 .table_size = (int)l->table_size};
	fx_raw *raw = xreallocarray(NULL, (size_t)st.table_size, sizeof *raw);
	double *q = xreallocarray(NULL, (size_t)st.table_size, sizeof *q);
	silu_table(&st, raw);
	for (int i = 0; i < st.table_size; i++)
		q[i] = fx_to_double(&l->table, raw[i]);
	char path[64], guard[32];
	snprintf(path, sizeof path, "firmware/weights/t%d.h", k + 1);
	snprintf(guard, sizeof guard, "T%d_H_", k + 1);
	strbuf *b = add_file(h, path);
	sb_printf(b, "// t%d.h - the sigmoid table of %s: t%d[i] = sigmoid((i - %d + 0.5) * %d / %d),\n"
		     "// quantized to table%d_t (written by burn hlsproj).\n"
		     "#ifndef %s\n#define %s\n\nstatic const table%d_t t%d[%d] = {",
		  k + 1, ly->ew_name, k + 1, st.table_size / 2, 2 * SILU_RANGE, st.table_size, k + 1,
		  guard, guard, k + 1, k + 1, st.table_size);
	put_values(b, q, (size_t)st.table_size);
	sb_puts(b, "};\n\n#endif\n");
	free(raw);
	free(q);
}

static void emit_weights(hls_project *h, const project *p, const config *c)
{
	for (int k = 0; k < p->n_layers; k++) {
		const layer *ly = &p->layers[k];
		const layer_cfg *l = &c->layers[k];
		size_t n = (size_t)ly->n_in * (size_t)ly->n_out;
		double *q = xmalloc((n > (size_t)ly->n_out ? n : (size_t)ly->n_out) * sizeof *q);
		char path[64], guard[32];
		for (size_t i = 0; i < n; i++)
			q[i] = fx_to_double(&l->weight, fx_from_double(&l->weight, ly->w[i], NULL));
		snprintf(path, sizeof path, "firmware/weights/w%d.h", k + 1);
		snprintf(guard, sizeof guard, "W%d_H_", k + 1);
		strbuf *b = add_file(h, path);
		sb_printf(b, "// w%d.h - weights of layer %d (%s), w%d[i * %d + j] for input i, output j,\n"
			     "// quantized to weight%d_t (written by burn hlsproj).\n"
			     "#ifndef %s\n#define %s\n\nstatic const weight%d_t w%d[%zu] = {",
			  k + 1, k + 1, ly->name, k + 1, ly->n_out, k + 1, guard, guard, k + 1, k + 1, n);
		put_values(b, q, n);
		sb_puts(b, "};\n\n#endif\n");
		for (int j = 0; j < ly->n_out; j++)
			q[j] = ly->bias && ly->b ? fx_to_double(&l->bias, fx_from_double(&l->bias, ly->b[j], NULL)) : 0;
		snprintf(path, sizeof path, "firmware/weights/b%d.h", k + 1);
		snprintf(guard, sizeof guard, "B%d_H_", k + 1);
		b = add_file(h, path);
		sb_printf(b, "// b%d.h - biases of layer %d (%s), quantized to bias%d_t%s (written by burn hlsproj).\n"
			     "#ifndef %s\n#define %s\n\nstatic const bias%d_t b%d[%d] = {",
			  k + 1, k + 1, ly->name, k + 1, ly->bias ? "" : "; the layer has none: zeros", guard,
			  guard, k + 1, k + 1, ly->n_out);
		put_values(b, q, (size_t)ly->n_out);
		sb_puts(b, "};\n\n#endif\n");
		free(q);
		if (ly->kind == LK_GATE)
			emit_table(h, ly, l, k);
	}
}

static void emit_top(hls_project *h, const project *p, const config *c, const char *top)
{
	char path[128];
	bool all_latency = true;
	for (int k = 0; k < p->n_layers; k++)
		all_latency &= c->layers[k].strategy == HLS_LATENCY;
	snprintf(path, sizeof path, "firmware/%s.h", top);
	strbuf *b = add_file(h, path);
	sb_printf(b, "// %s.h - the block's top function (written by burn hlsproj).\n"
		     "#ifndef BURN_TOP_H_\n#define BURN_TOP_H_\n\n#include \"defines.h\"\n\n"
		     "void %s(input_t x[N_INPUT], result_t y[N_OUTPUT]);\n\n#endif\n", top, top);

	snprintf(path, sizeof path, "firmware/%s.cpp", top);
	b = add_file(h, path);
	sb_printf(b, "// %s.cpp - the block: %d dense layer%s (written by burn hlsproj; docs/HLS.md).\n"
		     "#include \"%s.h\"\n#include \"parameters.h\"\n\n"
		     "void %s(input_t x[N_INPUT], result_t y[N_OUTPUT])\n{\n"
		     "#pragma HLS ARRAY_RESHAPE variable = x complete dim = 0\n"
		     "#pragma HLS ARRAY_PARTITION variable = y complete dim = 0\n"
		     "#pragma HLS INTERFACE ap_vld port = x, y\n"
		     "%s\n",
		  top, p->n_layers, p->n_layers == 1 ? "" : "s", top, top,
		  all_latency ? "\t// every layer has Strategy Latency: one pipeline\n#pragma HLS PIPELINE"
			      : "\t// a layer has Strategy Resource: layers as dataflow processes\n"
				"#pragma HLS DATAFLOW");
	/* Each layer's input array and its type; a swiglu's up reads its gate's input, down the
	 * product. */
	char in[32] = "x", in_t[32] = "input_t", gin[32] = "", gin_t[32] = "";
	for (int k = 0; k < p->n_layers; k++) {
		const layer *ly = &p->layers[k];
		const layer_cfg *l = &c->layers[k];
		char out[32];
		if (ly->kind == LK_GATE) {
			snprintf(gin, sizeof gin, "%s", in);
			snprintf(gin_t, sizeof gin_t, "%s", in_t);
		} else if (ly->kind == LK_UP) {
			snprintf(in, sizeof in, "%s", gin);
			snprintf(in_t, sizeof in_t, "%s", gin_t);
		}
		if (k + 1 < p->n_layers) {
			snprintf(out, sizeof out, "layer%d_out", k + 1);
			sb_printf(b, "\tresult%d_t %s[N_OUT_%d];\n"
				     "#pragma HLS ARRAY_PARTITION variable = %s complete dim = 0\n",
				  k + 1, out, k + 1, out);
		} else {
			snprintf(out, sizeof out, "y");
		}
		sb_printf(b, "\tburn::dense_%s<%s, result%d_t, config%d>(%s, %s, w%d, b%d); // %s\n",
			  l->strategy == HLS_RESOURCE ? "resource" : "latency", in_t, k + 1, k + 1, in,
			  out, k + 1, k + 1, ly->name);
		snprintf(in, sizeof in, "%s", out);
		snprintf(in_t, sizeof in_t, "result%d_t", k + 1);
		if (ly->kind == LK_GATE) {
			sb_printf(b, "\tact%d_t silu%d_out[N_OUT_%d];\n"
				     "#pragma HLS ARRAY_PARTITION variable = silu%d_out complete dim = 0\n"
				     "\tburn::silu<result%d_t, act%d_t, silu_config%d>(%s, silu%d_out, t%d); // %s\n",
				  k + 1, k + 1, k + 1, k + 1, k + 1, k + 1, k + 1, out, k + 1, k + 1,
				  ly->ew_name);
		} else if (ly->kind == LK_UP) {
			long long n = (long long)ly->n_in * ly->n_out;
			sb_printf(b, "\tmul%d_t mul%d_out[N_OUT_%d];\n"
				     "#pragma HLS ARRAY_PARTITION variable = mul%d_out complete dim = 0\n"
				     "\tburn::mul<act%d_t, result%d_t, mul%d_t, N_OUT_%d, %lld>(silu%d_out, %s, "
				     "mul%d_out); // %s\n",
				  k + 1, k + 1, k + 1, k + 1, k, k + 1, k + 1, k + 1,
				  l->reuse < n ? (long long)l->reuse : n, k, out, k + 1, ly->ew_name);
			snprintf(in, sizeof in, "mul%d_out", k + 1);
			snprintf(in_t, sizeof in_t, "mul%d_t", k + 1);
		}
	}
	sb_puts(b, "}\n");
}

static void emit_testbench(hls_project *h, const project *p, const char *top, bool expected)
{
	char path[128];
	snprintf(path, sizeof path, "%s_test.cpp", top);
	strbuf *b = add_file(h, path);
	sb_printf(b,
		  "// %s_test.cpp - testbench (written by burn hlsproj): reads the calibration inputs\n"
		  "// from tb_data/tb_input_features.dat (one vector per line), runs %s on each, writes\n"
		  "// the outputs to tb_data/csim_results.log and, when tb_data/tb_output_predictions.dat\n"
		  "// exists (burn csim's bit-accurate outputs), counts the outputs that differ from it.\n"
		  "// Exit status 1 when any differs.\n"
		  "#include <cstdio>\n#include <fstream>\n#include <iostream>\n#include <sstream>\n"
		  "#include <string>\n\n#include \"firmware/%s.h\"\n\n"
		  "int main()\n{\n"
		  "\tstd::ifstream fin(\"tb_data/tb_input_features.dat\");\n"
		  "\tstd::ifstream fpr(\"tb_data/tb_output_predictions.dat\");\n"
		  "\tstd::ofstream fout(\"tb_data/csim_results.log\");\n"
		  "\tif (!fin) {\n"
		  "\t\tstd::cerr << \"cannot open tb_data/tb_input_features.dat\" << std::endl;\n"
		  "\t\treturn 2;\n"
		  "\t}\n"
		  "\tlong vectors = 0, differ = 0;\n"
		  "\tstd::string line;\n"
		  "\twhile (std::getline(fin, line)) {\n"
		  "\t\tif (line.empty())\n"
		  "\t\t\tcontinue;\n"
		  "\t\tstd::istringstream in(line);\n"
		  "\t\tinput_t x[N_INPUT];\n"
		  "\t\tfor (int i = 0; i < N_INPUT; i++) {\n"
		  "\t\t\tdouble v = 0;\n"
		  "\t\t\tin >> v;\n"
		  "\t\t\tx[i] = v;\n"
		  "\t\t}\n"
		  "\t\tresult_t y[N_OUTPUT];\n"
		  "\t\t%s(x, y);\n"
		  "\t\tstd::string want;\n"
		  "\t\tbool check = fpr && std::getline(fpr, want);\n"
		  "\t\tstd::istringstream wi(want);\n"
		  "\t\tfor (int j = 0; j < N_OUTPUT; j++) {\n"
		  "\t\t\tdouble got = y[j].to_double(), w = 0;\n"
		  "\t\t\tchar buf[64];\n"
		  "\t\t\tstd::snprintf(buf, sizeof buf, \"%%.17g\", got);\n"
		  "\t\t\tfout << (j ? \" \" : \"\") << buf;\n"
		  "\t\t\tif (check && (wi >> w) && w != got)\n"
		  "\t\t\t\tdiffer++;\n"
		  "\t\t}\n"
		  "\t\tfout << \"\\n\";\n"
		  "\t\tvectors++;\n"
		  "\t}\n"
		  "\tstd::cout << vectors << \" vectors, \" << differ\n"
		  "\t\t  << \" outputs differ from burn csim%s\" << std::endl;\n"
		  "\treturn differ ? 1 : 0;\n"
		  "}\n",
		  top, top, top, top, expected ? "" : " (no expected outputs)");
}

static void emit_tb_data(hls_project *h, const project *p, const double *expected)
{
	const layer *l0 = &p->layers[0], *last = &p->layers[p->n_layers - 1];
	strbuf *b = add_file(h, "tb_data/tb_input_features.dat");
	for (long v = 0; v < p->calib.n; v++) {
		for (int i = 0; i < l0->n_in; i++)
			sb_printf(b, "%s%.17g", i ? " " : "", p->calib.x[v * l0->n_in + i]);
		sb_puts(b, "\n");
	}
	if (!expected)
		return;
	b = add_file(h, "tb_data/tb_output_predictions.dat");
	for (long v = 0; v < p->calib.n; v++) {
		for (int j = 0; j < last->n_out; j++)
			sb_printf(b, "%s%.17g", j ? " " : "", expected[v * last->n_out + j]);
		sb_puts(b, "\n");
	}
}

static void emit_tcl(hls_project *h, const project *p, const char *top)
{
	strbuf *b = add_file(h, "build_prj.tcl");
	sb_printf(b,
		  "# build_prj.tcl - Vitis HLS project of one candidate (written by burn hlsproj;\n"
		  "# docs/HLS.md). Run in this folder: vitis_hls -f build_prj.tcl\n"
		  "# The C simulation runs when the environment has BURN_HLS_CSIM=1 (burn hls --csim).\n"
		  "# Untested with the real tool: burn's tests run it through a fake vitis_hls.\n"
		  "set top %s\n"
		  "set part %s\n"
		  "set clock_ns %.17g\n"
		  "open_project -reset ${top}_prj\n"
		  "set_top ${top}\n"
		  "add_files firmware/${top}.cpp -cflags \"-std=c++14\"\n"
		  "add_files -tb ${top}_test.cpp -cflags \"-std=c++14 -I.\"\n"
		  "add_files -tb tb_data\n"
		  "open_solution -reset solution1 -flow_target vivado\n"
		  "set_part ${part}\n"
		  "create_clock -period ${clock_ns} -name default\n"
		  "if {[info exists ::env(BURN_HLS_CSIM)] && $::env(BURN_HLS_CSIM) eq \"1\"} {\n"
		  "\tcsim_design\n"
		  "}\n"
		  "csynth_design\n"
		  "export_design -format ip_catalog -rtl verilog\n"
		  "exit\n",
		  top, p->part.device, p->clock_ns);

	b = add_file(h, "vivado_synth.tcl");
	sb_printf(b,
		  "# vivado_synth.tcl - out-of-context Vivado synthesis of the RTL that vitis_hls exported\n"
		  "# (written by burn hlsproj; docs/HLS.md). Run in this folder after build_prj.tcl:\n"
		  "#   vivado -mode batch -source vivado_synth.tcl\n"
		  "# Writes reports/utilization.rpt and reports/timing_summary.rpt.\n"
		  "# Untested with the real tool: burn's tests run it through a fake vivado.\n"
		  "set top %s\n"
		  "set part %s\n"
		  "set clock_ns %.17g\n"
		  "set rtl ${top}_prj/solution1/syn/verilog\n"
		  "file mkdir reports\n"
		  "# ROM initialisation files ($readmemh) are read relative to the working folder\n"
		  "foreach f [glob -nocomplain -directory $rtl *.dat] { file copy -force $f . }\n"
		  "read_verilog [glob -directory $rtl *.v]\n"
		  "set xdc [open burn_clock.xdc w]\n"
		  "puts $xdc \"create_clock -period $clock_ns -name ap_clk \\[get_ports ap_clk\\]\"\n"
		  "close $xdc\n"
		  "read_xdc -mode out_of_context burn_clock.xdc\n"
		  "synth_design -top $top -part $part -mode out_of_context\n"
		  "report_utilization -file reports/utilization.rpt\n"
		  "report_timing_summary -file reports/timing_summary.rpt\n"
		  "exit\n",
		  top, p->part.device, p->clock_ns);
}

int hls_emit(const project *p, const config *c, const hls_options *o, hls_project *out, berr *e)
{
	memset(out, 0, sizeof *out);
	const char *top = o && o->top ? o->top : "burn_top";
	if (!c_ident(top))
		return errf(e, "top name '%s' is not a C identifier", top);
	unsigned need = HAS_BLOCK | HAS_WEIGHTS | HAS_CALIB | HAS_PART | HAS_CLOCK;
	if ((p->has & need) != need || p->n_layers < 1)
		return errf(e, "%s: an HLS project needs the block, weights, calibration, part and clock",
			    p->path ? p->path : "project");
	if (!p->calib.x || p->calib.n < 1 || !p->layers[0].w)
		return errf(e, "%s: weights and calibration inputs are not loaded", p->path ? p->path : "project");
	if (c->n_layers != p->n_layers)
		return errf(e, "config has %d layers, the block %d", c->n_layers, p->n_layers);
	if (!p->part.device[0])
		return errf(e, "part %s has no device name", p->part.name);
	if (config_rom_only(c, p, "the HLS project writer", e) != 0)
		return -1;
	emit_defines(add_file(out, "firmware/defines.h"), p, c);
	emit_dense(add_file(out, "firmware/burn_dense.h"));
	if (has_swiglu(p))
		emit_swiglu(add_file(out, "firmware/burn_swiglu.h"));
	emit_parameters(add_file(out, "firmware/parameters.h"), p, c);
	emit_weights(out, p, c);
	emit_top(out, p, c, top);
	emit_testbench(out, p, top, o && o->expected);
	emit_tb_data(out, p, o ? o->expected : NULL);
	emit_tcl(out, p, top);
	return 0;
}

const hls_file *hls_find(const hls_project *h, const char *path)
{
	for (int i = 0; i < h->n; i++)
		if (strcmp(h->files[i].path, path) == 0)
			return &h->files[i];
	return NULL;
}

void hls_project_free(hls_project *h)
{
	for (int i = 0; i < h->n; i++) {
		free(h->files[i].path);
		sb_free(&h->files[i].text);
	}
	free(h->files);
	memset(h, 0, sizeof *h);
}
