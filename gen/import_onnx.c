/* import_onnx.c - an ONNX model as a block. The protobuf is decoded by protobuf-c with code
 * generated at build time from the system's onnx.proto (Debian's libonnx-dev); before that, a
 * schema-guided walk over the wire bytes checks that every length stays inside its message and
 * that messages nest at most ONNX_MAX_DEPTH deep, and decoding runs under a memory budget.
 * Supported nodes: Gemm (transB, alpha, beta), MatMul with an optional Add (the bias), Relu,
 * Softmax at the end, Identity, Dropout and Flatten of a vector (identities), Constant (a
 * weight). docs/IMPORT.md. */
#define _POSIX_C_SOURCE 200809L
#include "gen/import.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/tensor.h"
#include "onnx.pb-c.h"

enum {
	ONNX_MAX_DEPTH = 32,       /* nesting of messages */
	ONNX_MAX_INITS = 1 << 16,  /* initializers and Constant nodes */
};

/* ---- the wire format, checked before protobuf-c decodes it ---- */

/* Reads a varint at *i (at most 10 bytes); -1 if it runs past len or is too long. */
static int varint(const uint8_t *p, size_t len, size_t *i, uint64_t *v)
{
	*v = 0;
	for (int s = 0; s < 70; s += 7) {
		if (*i >= len)
			return -1;
		uint8_t b = p[(*i)++];
		*v |= (uint64_t)(b & 0x7f) << s;
		if (!(b & 0x80))
			return 0;
	}
	return -1;
}

/* Walks a message's fields: every length inside the buffer, nested messages (as the schema
 * says) checked the same way, at most ONNX_MAX_DEPTH deep. Returns 0, or -1 with why set. */
static int wire_check(const uint8_t *p, size_t len, const ProtobufCMessageDescriptor *d, int depth,
		      const char **why)
{
	if (depth > ONNX_MAX_DEPTH) {
		*why = "messages nested too deep";
		return -1;
	}
	size_t i = 0;
	while (i < len) {
		uint64_t key, v;
		if (varint(p, len, &i, &key) != 0 || (key >> 3) == 0 || (key >> 3) > 0x1fffffff) {
			*why = "a bad field key (truncated or damaged)";
			return -1;
		}
		switch (key & 7) {
		case 0:
			if (varint(p, len, &i, &v) != 0) {
				*why = "a truncated number";
				return -1;
			}
			break;
		case 1:
		case 5: {
			size_t w = (key & 7) == 1 ? 8 : 4;
			if (len - i < w) {
				*why = "a truncated number";
				return -1;
			}
			i += w;
			break;
		}
		case 2: {
			if (varint(p, len, &i, &v) != 0 || v > len - i) {
				*why = "a length past the end of its message (truncated or damaged)";
				return -1;
			}
			const ProtobufCFieldDescriptor *f =
				d ? protobuf_c_message_descriptor_get_field(d, (unsigned)(key >> 3)) : NULL;
			if (f && f->type == PROTOBUF_C_TYPE_MESSAGE &&
			    wire_check(p + i, (size_t)v, f->descriptor, depth + 1, why) != 0)
				return -1;
			i += (size_t)v;
			break;
		}
		default:
			*why = "a field of an unknown wire type (not an ONNX file, or damaged)";
			return -1;
		}
	}
	return 0;
}

/* protobuf-c's allocations, under a budget. */
typedef struct {
	size_t used, limit;
} budget;

static void *budget_alloc(void *data, size_t size)
{
	budget *b = data;
	if (size > b->limit - b->used)
		return NULL;
	b->used += size;
	return malloc(size);
}

static void budget_free(void *data, void *ptr)
{
	(void)data;
	free(ptr);
}

/* ---- the graph ---- */

typedef struct {
	const char *file;
	const Onnx__GraphProto *g;
	model *m;
	berr *e;
	const Onnx__TensorProto **inits; /* initializers, then Constant nodes' values */
	const char **init_names;         /* their names (a Constant's is its node's output) */
	size_t n_inits;
} og;

static const char *str_or(const char *s, const char *dflt)
{
	return s && *s ? s : dflt;
}

static const Onnx__TensorProto *find_init(const og *G, const char *name)
{
	for (size_t i = 0; name && i < G->n_inits; i++)
		if (G->init_names[i] && strcmp(G->init_names[i], name) == 0)
			return G->inits[i];
	return NULL;
}

static const Onnx__AttributeProto *find_attr(const Onnx__NodeProto *n, const char *name)
{
	for (size_t i = 0; i < n->n_attribute; i++)
		if (n->attribute[i]->name && strcmp(n->attribute[i]->name, name) == 0)
			return n->attribute[i];
	return NULL;
}

static long attr_int(const Onnx__NodeProto *n, const char *name, long dflt)
{
	const Onnx__AttributeProto *a = find_attr(n, name);
	return a && a->has_i ? (long)a->i : dflt;
}

static double attr_float(const Onnx__NodeProto *n, const char *name, double dflt)
{
	const Onnx__AttributeProto *a = find_attr(n, name);
	return a && a->has_f ? (double)a->f : dflt;
}

/* The node's name for messages and as a layer name: its name, or OpType_index. */
static const char *node_name(const Onnx__NodeProto *n, size_t idx, char *buf, size_t cap)
{
	if (n->name && *n->name)
		snprintf(buf, cap, "%.200s", n->name);
	else
		snprintf(buf, cap, "%.64s_%zu", str_or(n->op_type, "node"), idx);
	return buf;
}

/* The element count of t's dims, or -1 when a dim is negative or the count is too large. */
static long tensor_count(const Onnx__TensorProto *t)
{
	long n = 1;
	if (t->n_dims > TENSOR_MAX_DIMS)
		return -1;
	for (size_t i = 0; i < t->n_dims; i++) {
		if (t->dims[i] < 0 || t->dims[i] > MAX_LAYER_WEIGHTS)
			return -1;
		n *= (long)t->dims[i];
		if (n > MAX_LAYER_WEIGHTS)
			return -1;
	}
	return n;
}

static const char *dims_str(const Onnx__TensorProto *t, char *buf, size_t cap)
{
	long sh[TENSOR_MAX_DIMS];
	int nd = t->n_dims > TENSOR_MAX_DIMS ? TENSOR_MAX_DIMS : (int)t->n_dims;
	for (int i = 0; i < nd; i++)
		sh[i] = (long)t->dims[i];
	return tensor_shape_str(nd, sh, buf, cap);
}

/* Decodes initializer t (n elements) into a new array. */
static int tensor_values(og *G, const Onnx__TensorProto *t, const char *lname, size_t n, double **out)
{
	const char *tn = str_or(t->name, "?");
	*out = NULL;
	if (t->has_data_location && t->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL)
		return errf(G->e, "%s: layer '%s': tensor '%.200s' keeps its data in an external file, "
				  "which burn does not read (save the model with the data inside)",
			    G->file, lname, tn);
	tensor_dtype dt;
	switch (t->data_type) {
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT: dt = DT_F32; break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE: dt = DT_F64; break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT16: dt = DT_F16; break;
	case ONNX__TENSOR_PROTO__DATA_TYPE__BFLOAT16: dt = DT_BF16; break;
	default:
		return errf(G->e, "%s: layer '%s': tensor '%.200s' has data type %d; burn reads FLOAT, "
				  "DOUBLE, FLOAT16 and BFLOAT16", G->file, lname, tn, (int)t->data_type);
	}
	double *x = xreallocarray(NULL, n ? n : 1, sizeof *x);
	size_t have;
	if (t->has_raw_data) {
		have = t->raw_data.len / tensor_dtype_size(dt);
		if (t->raw_data.len == n * tensor_dtype_size(dt))
			tensor_decode(dt, t->raw_data.data, n, x);
	} else if (dt == DT_F32) {
		have = t->n_float_data;
		for (size_t i = 0; i < n && have == n; i++)
			x[i] = t->float_data[i];
	} else if (dt == DT_F64) {
		have = t->n_double_data;
		for (size_t i = 0; i < n && have == n; i++)
			x[i] = t->double_data[i];
	} else { /* 16-bit types travel in int32_data, one value per element */
		have = t->n_int32_data;
		for (size_t i = 0; i < n && have == n; i++) {
			unsigned char b[2] = {(unsigned char)(t->int32_data[i] & 0xff),
					      (unsigned char)((t->int32_data[i] >> 8) & 0xff)};
			tensor_decode(dt, b, 1, &x[i]);
		}
	}
	if (have != n || (t->has_raw_data && t->raw_data.len % tensor_dtype_size(dt))) {
		free(x);
		return errf(G->e, "%s: layer '%s': tensor '%.200s' holds %zu values, its shape needs %zu",
			    G->file, lname, tn, have, n);
	}
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i])) {
			const char *what = isnan(x[i]) ? "NaN" : "an infinity";
			free(x);
			return errf(G->e, "%s: layer '%s': tensor '%.200s' has %s at flat index %zu",
				    G->file, lname, tn, what, i);
		}
	*out = x;
	return 0;
}

/* The initializer input k of node nd, which must exist. */
static int weight_input(og *G, const Onnx__NodeProto *nd, size_t k, const char *lname,
			const Onnx__TensorProto **t)
{
	*t = k < nd->n_input ? find_init(G, nd->input[k]) : NULL;
	if (!*t)
		return errf(G->e, "%s: node '%s' (%s): input %zu ('%.200s') is not a constant "
				  "(initializer): burn imports layers with fixed weights",
			    G->file, lname, nd->op_type, k, k < nd->n_input ? nd->input[k] : "");
	return 0;
}

/* Reads a bias initializer of n_out values (shape [n_out], [1, n_out], or one value to
 * broadcast), times scale, into l->b. */
static int read_bias(og *G, const Onnx__TensorProto *t, layer *l, double scale)
{
	char sb[160];
	long n = tensor_count(t);
	bool ok = n == l->n_out || n == 1;
	if (ok && t->n_dims == 2)
		ok = t->dims[0] == 1;
	if (ok && t->n_dims > 2)
		ok = false;
	if (!ok)
		return errf(G->e, "%s: layer '%s': bias '%.200s' has shape %s, expected [%d]", G->file,
			    l->name, str_or(t->name, "?"), dims_str(t, sb, sizeof sb), l->n_out);
	double *v;
	if (tensor_values(G, t, l->name, (size_t)n, &v) != 0)
		return -1;
	l->bias = true;
	l->b = xreallocarray(NULL, (size_t)l->n_out, sizeof *l->b);
	for (int j = 0; j < l->n_out; j++)
		l->b[j] = scale * v[n == 1 ? 0 : j];
	free(v);
	return 0;
}

/* Adds the dense layer of a Gemm or MatMul node: W is [n_in, n_out] (or [n_out, n_in] with
 * trans), scaled by alpha. */
static int add_dense(og *G, const Onnx__NodeProto *nd, const char *lname, const Onnx__TensorProto *w,
		     bool trans, double alpha, long width)
{
	char err[256], sb[160];
	if (w->n_dims != 2 || tensor_count(w) < 1)
		return errf(G->e, "%s: node '%s' (%s): weight '%.200s' has shape %s, expected a matrix",
			    G->file, lname, nd->op_type, str_or(w->name, "?"), dims_str(w, sb, sizeof sb));
	long n_in = (long)w->dims[trans ? 1 : 0], n_out = (long)w->dims[trans ? 0 : 1];
	if (G->m->n_layers == 0 && width > 0 && width != n_in)
		return errf(G->e, "%s: node '%s' (%s): weight '%.200s' has shape %s, but the graph's "
				  "input has %ld values", G->file, lname, nd->op_type,
			    str_or(w->name, "?"), dims_str(w, sb, sizeof sb), width);
	if (chain_dense(G->m, lname, n_in, n_out, false, err, sizeof err) != 0)
		return errf(G->e, "%s: node '%s' (%s): %s", G->file, lname, nd->op_type, err);
	layer *l = &G->m->layers[G->m->n_layers - 1];
	double *v;
	if (tensor_values(G, w, l->name, (size_t)(n_in * n_out), &v) != 0)
		return -1;
	l->w = xreallocarray(NULL, (size_t)(n_in * n_out), sizeof *l->w);
	for (long i = 0; i < n_in; i++)
		for (long j = 0; j < n_out; j++)
			l->w[i * n_out + j] = alpha * (trans ? v[j * n_in + i] : v[i * n_out + j]);
	free(v);
	return 0;
}

/* The width of the graph's one data input (the last dim of its shape), 0 if not given. */
static int graph_input(og *G, const char **name, long *width)
{
	*name = NULL;
	*width = 0;
	for (size_t i = 0; i < G->g->n_input; i++) {
		const Onnx__ValueInfoProto *v = G->g->input[i];
		if (!v->name || find_init(G, v->name))
			continue; /* before IR version 4, initializers are listed as inputs too */
		if (*name)
			return errf(G->e, "%s: the graph has more than one input ('%.200s', '%.200s'): "
					  "burn imports a chain with one input", G->file, *name, v->name);
		*name = v->name;
		const Onnx__TypeProto *tp = v->type;
		if (tp && tp->value_case == ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE && tp->tensor_type &&
		    tp->tensor_type->shape && tp->tensor_type->shape->n_dim >= 1) {
			const Onnx__TensorShapeProto *s = tp->tensor_type->shape;
			if (s->n_dim > 2)
				return errf(G->e, "%s: the graph's input '%.200s' has %zu dimensions: burn "
						  "imports a vector input ([batch, n])", G->file, v->name,
					    s->n_dim);
			const Onnx__TensorShapeProto__Dimension *dm = s->dim[s->n_dim - 1];
			if (dm->value_case == ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE)
				*width = (long)dm->dim_value;
		}
	}
	if (!*name)
		return errf(G->e, "%s: the graph has no input", G->file);
	return 0;
}

/* Walks the nodes in order, following the one data tensor from the input to the output. */
static int walk(og *G)
{
	const Onnx__GraphProto *g = G->g;
	model *m = G->m;
	const char *cur;
	long width;
	char nb[256], err[256];
	if (graph_input(G, &cur, &width) != 0)
		return -1;
	import_name(cur, "input", m->input_name, sizeof m->input_name);
	const char *dense_out = NULL; /* output of the last dense layer while it may take a bias */
	for (size_t k = 0; k < g->n_node; k++) {
		const Onnx__NodeProto *nd = g->node[k];
		const char *op = str_or(nd->op_type, "?");
		const char *lname = node_name(nd, k, nb, sizeof nb);
		if (strcmp(op, "Constant") == 0)
			continue; /* its value was collected with the initializers */
		if (nd->n_input < 1 || !nd->input[0] || nd->n_output < 1 || !nd->output[0])
			return errf(G->e, "%s: node '%s' (%.64s) has no input or no output", G->file,
				    lname, op);
		bool on_chain = strcmp(nd->input[0], cur) == 0;
		if (strcmp(op, "Add") == 0 && nd->n_input == 2 && strcmp(nd->input[1], cur) == 0)
			on_chain = true;
		if (!on_chain)
			return errf(G->e, "%s: node '%s' (%.64s) does not read the output of the node "
					  "before it ('%.200s'): burn imports a chain of layers",
				    G->file, lname, op, cur);
		const char *next = nd->output[0];
		if (strcmp(op, "Gemm") == 0) {
			const Onnx__TensorProto *w, *c = NULL;
			if (attr_int(nd, "transA", 0) != 0)
				return errf(G->e, "%s: node '%s' (Gemm): transA is not supported",
					    G->file, lname);
			if (weight_input(G, nd, 1, lname, &w) != 0)
				return -1;
			if (nd->n_input > 2 && nd->input[2] && *nd->input[2] &&
			    weight_input(G, nd, 2, lname, &c) != 0)
				return -1;
			if (add_dense(G, nd, lname, w, attr_int(nd, "transB", 0) != 0,
				      attr_float(nd, "alpha", 1.0), width) != 0)
				return -1;
			layer *l = &m->layers[m->n_layers - 1];
			if (c && read_bias(G, c, l, attr_float(nd, "beta", 1.0)) != 0)
				return -1;
			dense_out = c ? NULL : next;
		} else if (strcmp(op, "MatMul") == 0) {
			const Onnx__TensorProto *w;
			if (weight_input(G, nd, 1, lname, &w) != 0 ||
			    add_dense(G, nd, lname, w, false, 1.0, width) != 0)
				return -1;
			dense_out = next;
		} else if (strcmp(op, "Add") == 0) {
			const Onnx__TensorProto *b;
			if (!dense_out || strcmp(cur, dense_out) != 0)
				return errf(G->e, "%s: node '%s' (Add) does not follow a MatMul or a Gemm "
						  "without bias: burn imports Add only as a dense layer's "
						  "bias", G->file, lname);
			if (weight_input(G, nd, strcmp(nd->input[0], cur) == 0 ? 1 : 0, lname, &b) != 0 ||
			    read_bias(G, b, &m->layers[m->n_layers - 1], 1.0) != 0)
				return -1;
			dense_out = NULL;
		} else if (strcmp(op, "Relu") == 0 || strcmp(op, "Softmax") == 0) {
			bool sm = op[0] == 'S';
			long axis = attr_int(nd, "axis", -1);
			if (sm && axis != -1 && axis != 1)
				return errf(G->e, "%s: node '%s' (Softmax): axis %ld; burn imports a "
						  "softmax over the last axis", G->file, lname, axis);
			if (chain_act(m, sm ? CHAIN_SOFTMAX : CHAIN_RELU, lname, err, sizeof err) != 0)
				return errf(G->e, "%s: node '%s' (%s): %s", G->file, lname, op, err);
			dense_out = NULL;
		} else if (strcmp(op, "Identity") == 0 || strcmp(op, "Dropout") == 0 ||
			   (strcmp(op, "Flatten") == 0 && attr_int(nd, "axis", 1) == 1)) {
			m->n_skipped++;
		} else {
			return errf(G->e, "%s: node '%s' (%.64s) is not supported: burn imports Gemm, "
					  "MatMul (with Add as its bias), Relu, Softmax at the end, "
					  "Identity, Dropout and Flatten", G->file, lname, op);
		}
		cur = next;
	}
	if (m->n_layers == 0)
		return errf(G->e, "%s: the graph has no Gemm or MatMul node", G->file);
	if (g->n_output != 1 || !g->output[0]->name || strcmp(g->output[0]->name, cur) != 0)
		return errf(G->e, "%s: the chain ends in '%.200s', which is not the graph's one output",
			    G->file, cur);
	return 0;
}

/* Collects the initializers and the values of Constant nodes. */
static int collect_inits(og *G)
{
	const Onnx__GraphProto *g = G->g;
	if (g->n_initializer > ONNX_MAX_INITS || g->n_node > ONNX_MAX_NODES)
		return errf(G->e, "%s: %zu nodes and %zu initializers, more than burn reads (%d, %d)",
			    G->file, g->n_node, g->n_initializer, (int)ONNX_MAX_NODES,
			    (int)ONNX_MAX_INITS);
	G->inits = xcalloc(g->n_initializer + g->n_node + 1, sizeof *G->inits);
	G->init_names = xcalloc(g->n_initializer + g->n_node + 1, sizeof *G->init_names);
	for (size_t i = 0; i < g->n_initializer; i++) {
		G->init_names[G->n_inits] = g->initializer[i]->name;
		G->inits[G->n_inits++] = g->initializer[i];
	}
	for (size_t k = 0; k < g->n_node; k++) {
		const Onnx__NodeProto *nd = g->node[k];
		if (!nd->op_type || strcmp(nd->op_type, "Constant") != 0)
			continue;
		const Onnx__AttributeProto *a = find_attr(nd, "value");
		if (!a || !a->t || nd->n_output != 1 || !nd->output[0]) {
			char nb[256];
			return errf(G->e, "%s: node '%s' (Constant): only a tensor 'value' is supported",
				    G->file, node_name(nd, k, nb, sizeof nb));
		}
		G->init_names[G->n_inits] = nd->output[0];
		G->inits[G->n_inits++] = a->t;
	}
	return 0;
}

int onnx_import_mem(const char *name, const unsigned char *buf, size_t len, bool weights, model *m,
		    berr *e)
{
	memset(m, 0, sizeof *m);
	const char *why = NULL;
	if (len == 0)
		return errf(e, "%s: empty file, not an ONNX model", name);
	if (wire_check(buf, len, &onnx__model_proto__descriptor, 0, &why) != 0)
		return errf(e, "%s: not a valid ONNX file: %s", name, why);
	budget bud = {0, 4 * len + (64u << 20)};
	ProtobufCAllocator alloc = {budget_alloc, budget_free, &bud};
	Onnx__ModelProto *mp = onnx__model_proto__unpack(&alloc, len, buf);
	if (!mp)
		return errf(e, "%s: not a valid ONNX file (protobuf-c cannot decode it%s)", name,
			    bud.used >= bud.limit / 2 ? "; or it needs too much memory" : "");
	og G = {.file = name, .m = m, .e = e};
	int rc = -1;
	if (!mp->graph) {
		errf(e, "%s: the model has no graph", name);
		goto out;
	}
	G.g = mp->graph;
	if (collect_inits(&G) != 0 || walk(&G) != 0)
		goto out;
	if (!weights)
		for (int k = 0; k < m->n_layers; k++) {
			free(m->layers[k].w);
			free(m->layers[k].b);
			m->layers[k].w = m->layers[k].b = NULL;
		}
	rc = 0;
out:
	free(G.inits);
	free(G.init_names);
	onnx__model_proto__free_unpacked(mp, &alloc);
	if (rc != 0)
		model_free(m);
	return rc;
}

int onnx_import(const char *path, bool weights, model *m, berr *e)
{
	char *buf;
	size_t len;
	memset(m, 0, sizeof *m);
	if (read_file(path, ONNX_MAX_BYTES, &buf, &len, e) != 0)
		return -1;
	int rc = onnx_import_mem(path, (const unsigned char *)buf, len, weights, m, e);
	free(buf);
	return rc;
}
