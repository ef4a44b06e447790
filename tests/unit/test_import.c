/* test_import.c - model import and hls4ml configs: the 3-layer jet-tagging MLP from Keras (JSON +
 * HDF5) and from ONNX give the same float outputs; ONNX variants built here (Gemm transB, alpha,
 * beta, MatMul + Add, raw_data, double, Constant); bad input (truncated and mutated files,
 * unsupported layers, shape mismatches) is a clear error and never a crash; every hls4ml
 * config of the shared example folder loads and lists what it ignores; activation layers and
 * case-insensitive names map as hls4ml maps them; burn's hls4ml form round-trips. */
#define _POSIX_C_SOURCE 200809L
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/config.h"
#include "gen/import.h"
#include "gen/project.h"
#include "kernels/csim.h"
#include "onnx.pb-c.h"
#include "tests/unit/t.h"

static char shared[1024], tmpdir[256];

/* libhdf5 itself leaks a few hundred bytes on some damaged files (allocations of its own on its
 * error paths, seen in the mutation test below): the sanitizer build's leak check should not
 * count those against burn. */
const char *__lsan_default_suppressions(void);
const char *__lsan_default_suppressions(void)
{
	return "leak:libhdf5\n";
}

static const char *sh(const char *rel)
{
	static char buf[8][1200];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/external/hls4ml-example-models/%s", shared, rel);
	return buf[k];
}

static const char *tmp(const char *name)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", tmpdir, name);
	return buf[k];
}

static void put(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("cannot write %s\n", path);
		exit(2);
	}
}

static unsigned char *slurp(const char *path, size_t *len)
{
	char *buf;
	berr e;
	if (read_file(path, 1 << 28, &buf, len, &e) != 0) {
		printf("%s\n", e.msg);
		exit(2);
	}
	return (unsigned char *)buf;
}

/* Float forward pass of a model on x (n_in of the first layer); out gets the last n_out. */
static void forward(const model *m, const double *x, double *out)
{
	double a[256], b[256];
	memcpy(a, x, sizeof(double) * (size_t)m->layers[0].n_in);
	for (int k = 0; k < m->n_layers; k++) {
		const layer *l = &m->layers[k];
		for (int j = 0; j < l->n_out; j++) {
			double s = l->b ? l->b[j] : 0;
			for (int i = 0; i < l->n_in; i++)
				s += a[i] * l->w[i * l->n_out + j];
			b[j] = l->act == ACT_RELU && !(s > 0) ? 0 : s;
		}
		memcpy(a, b, sizeof(double) * (size_t)l->n_out);
	}
	int n = m->layers[m->n_layers - 1].n_out;
	if (m->softmax)
		csim_softmax(a, 1, n);
	memcpy(out, a, sizeof(double) * (size_t)n);
}

static bool has(const char *s, const char *what)
{
	return s && strstr(s, what) != NULL;
}

/* ---- Keras and ONNX of the shared 3-layer model ---- */

static void test_jet_models(void)
{
	model k, o;
	berr e = {{0}};
	int rc = keras_import(sh("keras/KERAS_3layer.json"), sh("keras/KERAS_3layer_weights.h5"), &k, &e);
	CHECK(rc == 0, "keras import: %s", e.msg);
	if (rc != 0)
		return;
	rc = onnx_import(sh("onnx/three_layer_keras.onnx"), true, &o, &e);
	CHECK(rc == 0, "onnx import: %s", e.msg);
	if (rc != 0) {
		model_free(&k);
		return;
	}
	static const int dims[] = {16, 64, 32, 32, 5};
	CHECK(k.n_layers == 4 && o.n_layers == 4, "layers %d %d", k.n_layers, o.n_layers);
	for (int i = 0; i < 4 && k.n_layers == 4 && o.n_layers == 4; i++) {
		CHECK(k.layers[i].n_in == dims[i] && k.layers[i].n_out == dims[i + 1], "keras dims %d", i);
		CHECK(o.layers[i].n_in == dims[i] && o.layers[i].n_out == dims[i + 1], "onnx dims %d", i);
		CHECK(k.layers[i].act == (i < 3 ? ACT_RELU : ACT_LINEAR), "keras act %d", i);
		CHECK(o.layers[i].act == k.layers[i].act, "onnx act %d", i);
		CHECK(k.layers[i].bias && o.layers[i].bias, "bias %d", i);
	}
	CHECK(k.softmax && o.softmax, "softmax at the end");
	CHECK(strcmp(k.layers[0].name, "fc1_relu") == 0 && strcmp(k.layers[3].name, "output_softmax") == 0,
	      "keras names %s %s", k.layers[0].name, k.layers[3].name);
	CHECK(strcmp(k.layers[0].act_name, "fc1_relu_relu") == 0, "keras act name %s", k.layers[0].act_name);
	CHECK(strcmp(k.input_name, "input_1") == 0, "keras input %s", k.input_name);
	CHECK(strcmp(k.softmax_name, "output_softmax_softmax") == 0, "keras softmax %s", k.softmax_name);
	CHECK(strcmp(o.layers[0].name, "_class__keras_layers_core_Dense__") == 0, "onnx name %s",
	      o.layers[0].name);
	CHECK(strcmp(o.layers[1].act_name, "Relu1") == 0, "onnx act name %s", o.layers[1].act_name);
	CHECK(strcmp(o.input_name, "input_1_0") == 0 && strcmp(o.softmax_name, "Softmax") == 0,
	      "onnx input %s softmax %s", o.input_name, o.softmax_name);
	CHECK(k.layers[0].w && fabs(k.layers[0].w[0] - 0.273134738) < 1e-7, "keras w[0] %g",
	      k.layers[0].w ? k.layers[0].w[0] : 0);
	CHECK(k.layers[3].b && fabs(k.layers[3].b[0] + 0.321016222) < 1e-7, "keras output bias");
	/* Same float outputs on the same inputs (to 1e-6), logits and probabilities. */
	double worst = 0, wlog = 0;
	srand(7);
	for (int v = 0; v < 200 && k.n_layers == 4 && o.n_layers == 4; v++) {
		double x[16], yk[5], yo[5];
		for (int i = 0; i < 16; i++)
			x[i] = 4.0 * rand() / RAND_MAX - 2.0;
		forward(&k, x, yk);
		forward(&o, x, yo);
		for (int j = 0; j < 5; j++)
			worst = fmax(worst, fabs(yk[j] - yo[j]));
		k.softmax = o.softmax = false;
		forward(&k, x, yk);
		forward(&o, x, yo);
		k.softmax = o.softmax = true;
		for (int j = 0; j < 5; j++)
			wlog = fmax(wlog, fabs(yk[j] - yo[j]));
	}
	CHECK(worst <= 1e-6 && wlog <= 1e-6, "keras vs onnx: %g (probabilities), %g (logits)", worst,
	      wlog);
	/* Without weights: the shapes only. */
	model k2, o2;
	CHECK(keras_import(sh("keras/KERAS_3layer.json"), NULL, &k2, &e) == 0 && k2.n_layers == 4 &&
		      !k2.layers[0].w,
	      "keras json only: %s", e.msg);
	CHECK(onnx_import(sh("onnx/three_layer_keras.onnx"), false, &o2, &e) == 0 &&
		      o2.n_layers == 4 && !o2.layers[0].w,
	      "onnx no weights: %s", e.msg);
	model_free(&k2);
	model_free(&o2);
	model_free(&k);
	model_free(&o);
}

/* ---- ONNX models built here ---- */

static void *arena[4096];
static int n_arena;

static void *A(size_t n)
{
	void *p = xcalloc(1, n);
	if (n_arena < 4096)
		arena[n_arena++] = p;
	return p;
}

static char *S(const char *s)
{
	char *p = A(strlen(s) + 1);
	memcpy(p, s, strlen(s));
	return p;
}

static void arena_free(void)
{
	while (n_arena > 0)
		free(arena[--n_arena]);
}

enum { F_FLOAT, F_RAW32, F_RAW64, F_DOUBLE };

static Onnx__TensorProto *tens(const char *name, int r, int c, const double *v, int how)
{
	Onnx__TensorProto *t = A(sizeof *t);
	onnx__tensor_proto__init(t);
	t->name = S(name);
	t->n_dims = c ? 2 : 1;
	t->dims = A(2 * sizeof *t->dims);
	t->dims[0] = r;
	t->dims[1] = c;
	size_t n = (size_t)r * (size_t)(c ? c : 1);
	t->has_data_type = 1;
	t->data_type = how == F_RAW64 || how == F_DOUBLE ? ONNX__TENSOR_PROTO__DATA_TYPE__DOUBLE
							   : ONNX__TENSOR_PROTO__DATA_TYPE__FLOAT;
	if (how == F_FLOAT) {
		t->n_float_data = n;
		t->float_data = A(n * sizeof(float));
		for (size_t i = 0; i < n; i++)
			t->float_data[i] = (float)v[i];
	} else if (how == F_DOUBLE) {
		t->n_double_data = n;
		t->double_data = A(n * sizeof(double));
		memcpy(t->double_data, v, n * sizeof(double));
	} else {
		size_t w = how == F_RAW32 ? 4 : 8;
		unsigned char *b = A(n * w);
		for (size_t i = 0; i < n; i++) {
			uint64_t bits;
			if (w == 4) {
				float f = (float)v[i];
				uint32_t u;
				memcpy(&u, &f, 4);
				bits = u;
			} else {
				memcpy(&bits, &v[i], 8);
			}
			for (size_t j = 0; j < w; j++)
				b[i * w + j] = (unsigned char)(bits >> (8 * j));
		}
		t->has_raw_data = 1;
		t->raw_data.len = n * w;
		t->raw_data.data = b;
	}
	return t;
}

static Onnx__NodeProto *node(const char *op, const char *name, const char *in0, const char *in1,
			     const char *in2, const char *out)
{
	Onnx__NodeProto *n = A(sizeof *n);
	onnx__node_proto__init(n);
	n->op_type = S(op);
	n->name = S(name);
	n->input = A(3 * sizeof(char *));
	const char *ins[3] = {in0, in1, in2};
	for (int i = 0; i < 3 && ins[i]; i++)
		n->input[n->n_input++] = S(ins[i]);
	n->n_output = 1;
	n->output = A(sizeof(char *));
	n->output[0] = S(out);
	n->attribute = A(4 * sizeof *n->attribute);
	return n;
}

static void attr(Onnx__NodeProto *n, const char *name, bool is_int, double v)
{
	Onnx__AttributeProto *a = A(sizeof *a);
	onnx__attribute_proto__init(a);
	a->name = S(name);
	a->has_type = 1;
	if (is_int) {
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT;
		a->has_i = 1;
		a->i = (int64_t)v;
	} else {
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT;
		a->has_f = 1;
		a->f = (float)v;
	}
	n->attribute[n->n_attribute++] = a;
}

static Onnx__ValueInfoProto *vinfo(const char *name, int width)
{
	Onnx__ValueInfoProto *v = A(sizeof *v);
	onnx__value_info_proto__init(v);
	v->name = S(name);
	Onnx__TypeProto *tp = A(sizeof *tp);
	onnx__type_proto__init(tp);
	Onnx__TypeProto__Tensor *tt = A(sizeof *tt);
	onnx__type_proto__tensor__init(tt);
	Onnx__TensorShapeProto *shp = A(sizeof *shp);
	onnx__tensor_shape_proto__init(shp);
	shp->n_dim = 2;
	shp->dim = A(2 * sizeof *shp->dim);
	for (int i = 0; i < 2; i++) {
		Onnx__TensorShapeProto__Dimension *d = A(sizeof *d);
		onnx__tensor_shape_proto__dimension__init(d);
		d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
		d->dim_value = i ? width : 1;
		shp->dim[i] = d;
	}
	tt->has_elem_type = 1;
	tt->elem_type = 1;
	tt->shape = shp;
	tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
	tp->tensor_type = tt;
	v->type = tp;
	return v;
}

/* Packs a model of the nodes and initializers (input "x" of width, output out). */
static unsigned char *pack(Onnx__NodeProto **nodes, size_t nn, Onnx__TensorProto **inits, size_t ni,
			   int width, const char *out, size_t *len)
{
	Onnx__GraphProto g;
	onnx__graph_proto__init(&g);
	g.name = S("g");
	g.n_node = nn;
	g.node = nodes;
	g.n_initializer = ni;
	g.initializer = inits;
	Onnx__ValueInfoProto *in = vinfo("x", width), *o = vinfo(out, 0);
	g.n_input = 1;
	g.input = &in;
	g.n_output = 1;
	g.output = &o;
	Onnx__ModelProto m;
	onnx__model_proto__init(&m);
	m.has_ir_version = 1;
	m.ir_version = 7;
	m.graph = &g;
	*len = onnx__model_proto__get_packed_size(&m);
	unsigned char *buf = xmalloc(*len + 1);
	onnx__model_proto__pack(&m, buf);
	return buf;
}

static void test_onnx_built(void)
{
	/* x (3) -> Gemm(transB, alpha 0.5, beta 2, C) -> Relu -> MatMul -> Add(B first) -> Softmax */
	double w1t[2 * 3] = {1, -2, 0.5, 0.25, 3, -1}; /* [n_out 2, n_in 3] */
	double c1[2] = {0.5, -0.25}, w2[2 * 2] = {1, 2, -1, 0.5}, b2[2] = {0.125, -0.5};
	Onnx__TensorProto *inits[] = {tens("W1", 2, 3, w1t, F_RAW32), tens("C1", 2, 0, c1, F_FLOAT),
				      tens("W2", 2, 2, w2, F_RAW64), tens("B2", 2, 0, b2, F_DOUBLE)};
	Onnx__NodeProto *nodes[] = {
		node("Gemm", "dense.1", "x", "W1", "C1", "h1"), node("Relu", "act1", "h1", NULL, NULL, "a1"),
		node("MatMul", "", "a1", "W2", NULL, "h2"), node("Add", "add", "B2", "h2", NULL, "h3"),
		node("Softmax", "sm", "h3", NULL, NULL, "y"),
	};
	attr(nodes[0], "transB", true, 1);
	attr(nodes[0], "alpha", false, 0.5);
	attr(nodes[0], "beta", false, 2);
	size_t len;
	unsigned char *buf = pack(nodes, 5, inits, 4, 3, "y", &len);
	model m;
	berr e = {{0}};
	int rc = onnx_import_mem("built.onnx", buf, len, true, &m, &e);
	CHECK(rc == 0, "built onnx: %s", e.msg);
	if (rc == 0) {
		CHECK(m.n_layers == 2 && m.softmax, "layers %d softmax %d", m.n_layers, m.softmax);
		CHECK(strcmp(m.layers[0].name, "dense_1") == 0, "'.' becomes '_': %s", m.layers[0].name);
		CHECK(strcmp(m.layers[1].name, "MatMul_2") == 0, "unnamed node: %s", m.layers[1].name);
		CHECK(m.layers[0].act == ACT_RELU && m.layers[1].act == ACT_LINEAR, "acts");
		/* w[i][j] = alpha * W1t[j][i]; b = beta * C */
		CHECK(m.layers[0].w[1 * 2 + 0] == 0.5 * -2 && m.layers[0].w[2 * 2 + 1] == 0.5 * -1,
		      "transB and alpha: %g %g", m.layers[0].w[2], m.layers[0].w[5]);
		CHECK(m.layers[0].b[0] == 1.0 && m.layers[0].b[1] == -0.5, "beta: %g", m.layers[0].b[0]);
		CHECK(m.layers[1].bias && m.layers[1].b[1] == -0.5 && m.layers[1].w[1] == 2,
		      "MatMul + Add (bias first)");
		double x[3] = {1, 0.5, -1}, y[2];
		forward(&m, x, y);
		/* h1 = 0.5 * [1-1-0.5, 0.25+1.5+1] + [1, -0.5] = [0.75, 0.875]; relu same;
		 * h3 = [0.75*1 + 0.875*-1 + 0.125, 0.75*2 + 0.875*0.5 - 0.5] = [0, 1.4375] */
		double e1 = exp(1.4375), p0 = 1 / (1 + e1);
		CHECK(fabs(y[0] - p0) < 1e-12 && fabs(y[1] - (1 - p0)) < 1e-12, "values %g %g", y[0], y[1]);
		model_free(&m);
	}
	/* A weight from a Constant node, and a Gemm without C followed by an Add. */
	{
		Onnx__NodeProto *cn = node("Constant", "k", NULL, NULL, NULL, "Wk");
		Onnx__AttributeProto *a = A(sizeof *a);
		onnx__attribute_proto__init(a);
		a->name = S("value");
		a->has_type = 1;
		a->type = ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR;
		a->t = tens("", 3, 2, w1t, F_FLOAT); /* [3, 2] read row-major */
		cn->attribute[cn->n_attribute++] = a;
		Onnx__TensorProto *bi[] = {tens("Bk", 1, 2, c1, F_FLOAT)};
		Onnx__NodeProto *cnodes[] = {cn, node("Gemm", "g", "x", "Wk", NULL, "h"),
					     node("Add", "a", "h", "Bk", NULL, "y")};
		size_t clen;
		unsigned char *cb = pack(cnodes, 3, bi, 1, 3, "y", &clen);
		rc = onnx_import_mem("const.onnx", cb, clen, true, &m, &e);
		CHECK(rc == 0 && m.n_layers == 1 && m.layers[0].w[3] == w1t[3] && m.layers[0].b[1] == c1[1],
		      "Constant weight, Gemm + Add bias [1, n]: %s", e.msg);
		if (rc == 0)
			model_free(&m);
		free(cb);
	}
	/* Every truncation and many single-byte changes: an error or a model, never a crash. */
	int bad = 0, ok = 0;
	for (size_t cut = 0; cut < len; cut++) {
		model t;
		if (onnx_import_mem("cut.onnx", buf, cut, true, &t, &e) == 0) {
			ok++;
			model_free(&t);
		} else {
			bad++;
		}
	}
	CHECK(bad > 0 && strstr(e.msg, "cut.onnx"), "truncations rejected: %d ok, %d bad", ok, bad);
	unsigned char *mut = xmalloc(len);
	srand(11);
	for (int it = 0; it < 3000; it++) {
		memcpy(mut, buf, len);
		for (int k = 0; k < 1 + it % 3; k++)
			mut[rand() % len] = (unsigned char)rand();
		model t;
		if (onnx_import_mem("mut.onnx", mut, len, true, &t, &e) == 0)
			model_free(&t);
	}
	CHECK(1, "mutations survived");
	free(mut);
	free(buf);

	/* A softmax before a dense layer, an unsupported op, a shape mismatch, a non-constant W. */
	struct {
		const char *what, *op2, *in2, *want;
	} cases[] = {
		{"softmax first", "Softmax", NULL, "comes after the softmax"},
		{"conv", "Conv", "W2", "node 'n2' (Conv) is not supported"},
		{"mismatch", "MatMul", "W3", "takes 3 inputs, but the layer before ('n1') gives 2"},
		{"dynamic weight", "MatMul", "x", "is not a constant"},
	};
	for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
		double w3[3 * 2] = {1, 2, 3, 4, 5, 6};
		Onnx__TensorProto *in2[] = {tens("W1", 3, 2, w1t, F_FLOAT), tens("W2", 2, 2, w2, F_FLOAT),
					    tens("W3", 3, 2, w3, F_FLOAT)};
		bool sm_first = c == 0;
		Onnx__NodeProto *n2[] = {node("MatMul", "n1", "x", "W1", NULL, "h1"),
					 sm_first ? node("Softmax", "sm", "h1", NULL, NULL, "h2")
						  : node(cases[c].op2, "n2", "h1", cases[c].in2, NULL, "h2"),
					 node("MatMul", "n3", "h2", "W2", NULL, "y")};
		buf = pack(n2, sm_first ? 3 : 2, in2, 3, 3, sm_first ? "y" : "h2", &len);
		memset(&e, 0, sizeof e);
		rc = onnx_import_mem("bad.onnx", buf, len, true, &m, &e);
		CHECK(rc != 0 && has(e.msg, cases[c].want) && has(e.msg, "bad.onnx"), "%s: %s",
		      cases[c].what, e.msg);
		if (rc == 0)
			model_free(&m);
		free(buf);
	}
	/* Messages nested deeper than any ONNX file: refused before protobuf-c recurses. From the
	 * outside: model.graph (tag 0x3a), then graph.node (0x0a), node.attribute (0x2a),
	 * attribute.g (0x32), again and again; built inside out, 2 bytes a level. */
	static const unsigned char cycle[] = {0x0a, 0x2a, 0x32};
	unsigned char deep[128];
	size_t n = 0;
	for (int lvl = 58; lvl >= 0; lvl--) {
		memmove(deep + 2, deep, n);
		deep[0] = lvl ? cycle[(lvl - 1) % 3] : 0x3a;
		deep[1] = (unsigned char)n;
		n += 2;
	}
	rc = onnx_import_mem("deep.onnx", deep, n, true, &m, &e);
	CHECK(rc != 0 && has(e.msg, "nested too deep"), "deeply nested file refused: %s", e.msg);
	arena_free();
}

static void test_onnx_shared_truncated(void)
{
	size_t len;
	unsigned char *buf = slurp(sh("onnx/three_layer_keras.onnx"), &len);
	int bad = 0;
	berr e;
	for (size_t cut = 0; cut < len; cut += 37) {
		model m;
		if (onnx_import_mem("t.onnx", buf, cut, true, &m, &e) == 0)
			model_free(&m);
		else
			bad++;
	}
	CHECK(bad == (int)((len + 36) / 37), "every truncated copy of the model is an error (%d)", bad);
	put(tmp("half.onnx"), buf, len / 2);
	model m;
	CHECK(onnx_import(tmp("half.onnx"), true, &m, &e) != 0 && has(e.msg, "half.onnx") &&
		      has(e.msg, "not a valid ONNX file"),
	      "truncated file: %s", e.msg);
	free(buf);
}

/* ---- Keras ---- */

static const char *seq_json =
	"{\"class_name\": \"Sequential\", \"config\": {\"name\": \"s\", \"layers\": ["
	"{\"class_name\": \"InputLayer\", \"config\": {\"batch_input_shape\": [null, 16], \"name\": \"fc1_input\"}},"
	"{\"class_name\": \"Dense\", \"config\": {\"name\": \"fc1\", \"units\": 64, \"activation\": \"linear\", \"use_bias\": true}},"
	"{\"class_name\": \"Activation\", \"config\": {\"name\": \"relu1\", \"activation\": \"relu\"}},"
	"{\"class_name\": \"Dropout\", \"config\": {\"name\": \"drop\", \"rate\": 0.1}},"
	"{\"class_name\": \"Dense\", \"config\": {\"name\": \"fc2\", \"units\": 32, \"activation\": \"linear\"}},"
	"{\"class_name\": \"ReLU\", \"config\": {\"name\": \"relu2\", \"max_value\": null, \"negative_slope\": 0.0, \"threshold\": 0.0}},"
	"{\"class_name\": \"Dense\", \"config\": {\"name\": \"fc3\", \"units\": 32, \"activation\": \"linear\"}},"
	"{\"class_name\": \"Activation\", \"config\": {\"name\": \"relu3\", \"activation\": \"relu\"}},"
	"{\"class_name\": \"Dense\", \"config\": {\"name\": \"output\", \"units\": 5, \"activation\": \"linear\"}},"
	"{\"class_name\": \"Activation\", \"config\": {\"name\": \"softmax\", \"activation\": \"softmax\"}}"
	"]}}";

/* Writes a Keras 3 style .weights.h5 (layers/<name>/vars/0, 1) for the model m's shapes, with
 * w = scale * (i + 1) / 64 everywhere; vlen: also a variable-length weight_names layout. */
static int write_h5(const char *path, const model *m, bool keras3, double scale)
{
	hid_t f = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
	if (f < 0)
		return -1;
	for (int k = 0; k < m->n_layers; k++) {
		const layer *l = &m->layers[k];
		char g[300], d0[400], d1[400];
		hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
		H5Pset_create_intermediate_group(lcpl, 1);
		if (keras3) {
			snprintf(g, sizeof g, "/layers/%s/vars", l->name);
			snprintf(d0, sizeof d0, "%s/0", g);
			snprintf(d1, sizeof d1, "%s/1", g);
		} else {
			snprintf(g, sizeof g, "/%s", l->name);
			snprintf(d0, sizeof d0, "%s/%s/kernel:0", g, l->name);
			snprintf(d1, sizeof d1, "%s/%s/bias:0", g, l->name);
		}
		hid_t grp = H5Gcreate2(f, g, lcpl, H5P_DEFAULT, H5P_DEFAULT);
		if (!keras3) { /* variable-length weight_names */
			char n0[300], n1[300];
			snprintf(n0, sizeof n0, "%s/kernel:0", l->name);
			snprintf(n1, sizeof n1, "%s/bias:0", l->name);
			const char *names[2] = {n0, n1};
			hsize_t two = 2;
			hid_t st = H5Tcopy(H5T_C_S1);
			H5Tset_size(st, H5T_VARIABLE);
			hid_t sp = H5Screate_simple(1, &two, NULL);
			hid_t a = H5Acreate2(grp, "weight_names", st, sp, H5P_DEFAULT, H5P_DEFAULT);
			H5Awrite(a, st, names);
			H5Aclose(a);
			H5Sclose(sp);
			H5Tclose(st);
		}
		H5Gclose(grp);
		hsize_t wd[2] = {(hsize_t)l->n_in, (hsize_t)l->n_out}, bd[1] = {(hsize_t)l->n_out};
		size_t nw = (size_t)l->n_in * (size_t)l->n_out;
		float *w = xcalloc(nw, sizeof *w);
		for (size_t i = 0; i < nw; i++)
			w[i] = (float)(scale * (double)((i % 64) + 1) / 64.0);
		hid_t ws = H5Screate_simple(2, wd, NULL), bs = H5Screate_simple(1, bd, NULL);
		hid_t dw = H5Dcreate2(f, d0, H5T_IEEE_F32LE, ws, lcpl, H5P_DEFAULT, H5P_DEFAULT);
		hid_t db = H5Dcreate2(f, d1, H5T_IEEE_F32LE, bs, lcpl, H5P_DEFAULT, H5P_DEFAULT);
		H5Dwrite(dw, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w);
		H5Dwrite(db, H5T_NATIVE_FLOAT, H5S_ALL, H5S_ALL, H5P_DEFAULT, w);
		H5Dclose(dw);
		H5Dclose(db);
		H5Sclose(ws);
		H5Sclose(bs);
		H5Pclose(lcpl);
		free(w);
	}
	return H5Fclose(f);
}

static void test_keras(void)
{
	model m;
	berr e = {{0}};
	put(tmp("seq.json"), seq_json, strlen(seq_json));
	int rc = keras_import(tmp("seq.json"), NULL, &m, &e);
	CHECK(rc == 0, "sequential with activation layers: %s", e.msg);
	if (rc == 0) {
		CHECK(m.n_layers == 4 && m.softmax && m.n_skipped == 1, "layers %d softmax %d skipped %d",
		      m.n_layers, m.softmax, m.n_skipped);
		CHECK(strcmp(m.layers[0].act_name, "relu1") == 0 && strcmp(m.layers[1].act_name, "relu2") == 0,
		      "activation names");
		CHECK(m.layers[3].act == ACT_LINEAR && strcmp(m.softmax_name, "softmax") == 0, "softmax");
		CHECK(strcmp(m.input_name, "fc1_input") == 0, "input %s", m.input_name);
		/* Keras 3 and Keras 2 (variable-length names) weight files built here */
		for (int k3 = 0; k3 < 2; k3++) {
			const char *h5 = tmp(k3 ? "k3.weights.h5" : "k2.h5");
			CHECK(write_h5(h5, &m, k3, 0.5) >= 0, "write %s", h5);
			model w;
			rc = keras_import(tmp("seq.json"), h5, &w, &e);
			CHECK(rc == 0 && w.layers[1].w[1] == 0.5 * 2 / 64.0 && w.layers[3].b[4] == 0.5 * 5 / 64.0,
			      "%s: %s", h5, e.msg);
			if (rc == 0)
				model_free(&w);
		}
		model_free(&m);
	}
	struct {
		const char *what, *json, *want;
	} bad[] = {
		{"conv", "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Conv2D\", \"config\": {\"name\": \"conv1\", \"batch_input_shape\": [null, 8, 8, 1]}}]}",
		 "layer 'conv1' (Conv2D) is not supported"},
		{"tanh", "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 4, \"activation\": \"tanh\", \"batch_input_shape\": [null, 3]}}]}",
		 "activation 'tanh' is not supported"},
		{"relu first", "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"ReLU\", \"config\": {\"name\": \"r\", \"batch_input_shape\": [null, 3]}}]}",
		 "comes before the first dense layer"},
		{"relu6", "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 4, \"batch_input_shape\": [null, 3]}}, {\"class_name\": \"ReLU\", \"config\": {\"name\": \"r6\", \"max_value\": 6.0}}]}",
		 "layer 'r6' (ReLU): only max(x, 0)"},
		{"no shape", "{\"class_name\": \"Sequential\", \"config\": [{\"class_name\": \"Dense\", \"config\": {\"name\": \"d\", \"units\": 4}}]}",
		 "no input shape"},
		{"branch", "{\"class_name\": \"Model\", \"config\": {\"layers\": [{\"class_name\": \"InputLayer\", \"name\": \"in\", \"config\": {\"name\": \"in\", \"batch_input_shape\": [null, 3]}, \"inbound_nodes\": []}, {\"class_name\": \"Dense\", \"name\": \"a\", \"config\": {\"name\": \"a\", \"units\": 4}, \"inbound_nodes\": [[[\"in\", 0, 0, {}]]]}, {\"class_name\": \"Dense\", \"name\": \"b\", \"config\": {\"name\": \"b\", \"units\": 4}, \"inbound_nodes\": [[[\"in\", 0, 0, {}]]]}]}}",
		 "does not take its input from the layer before it ('a')"},
		{"not keras", "[1, 2, 3]", "expected a Keras model JSON"},
		{"bad json", "{\"class_name\": ", "malformed"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		put(tmp("bad.json"), bad[i].json, strlen(bad[i].json));
		memset(&e, 0, sizeof e);
		rc = keras_import(tmp("bad.json"), NULL, &m, &e);
		CHECK(rc != 0 && has(e.msg, bad[i].want) && has(e.msg, "bad.json"), "%s: %s", bad[i].what,
		      e.msg);
		if (rc == 0)
			model_free(&m);
	}
	/* A JSON whose units disagree with the HDF5 weights: a shape mismatch naming both. */
	size_t len;
	char *j = (char *)slurp(sh("keras/KERAS_3layer.json"), &len);
	char *u = strstr(j, "\"units\": 32");
	if (u)
		memcpy(u, "\"units\": 31", 11);
	put(tmp("units.json"), j, len);
	free(j);
	rc = keras_import(tmp("units.json"), sh("keras/KERAS_3layer_weights.h5"), &m, &e);
	CHECK(rc != 0 && has(e.msg, "layer 'fc2_relu'") && has(e.msg, "has shape [64, 32], but the JSON's layer needs [64, 31]"),
	      "units vs kernel: %s", e.msg);
	/* Truncated and non-HDF5 weight files. */
	unsigned char *h = slurp(sh("keras/KERAS_3layer_weights.h5"), &len);
	int refused = 0, tries = 0;
	for (size_t cut = 0; cut < len; cut += len / 23 + 1) {
		put(tmp("cut.h5"), h, cut);
		tries++;
		if (keras_import(sh("keras/KERAS_3layer.json"), tmp("cut.h5"), &m, &e) != 0)
			refused++;
		else
			model_free(&m);
	}
	CHECK(refused == tries && has(e.msg, "cut.h5"), "truncated HDF5 refused %d of %d: %s", refused,
	      tries, e.msg);
	put(tmp("text.h5"), "hello", 5);
	CHECK(keras_import(sh("keras/KERAS_3layer.json"), tmp("text.h5"), &m, &e) != 0 &&
		      has(e.msg, "not an HDF5 file"),
	      "not HDF5: %s", e.msg);
	CHECK(keras_import(sh("keras/KERAS_3layer.json"), tmp("missing.h5"), &m, &e) != 0 &&
		      has(e.msg, "missing.h5"),
	      "missing: %s", e.msg);
	/* Damaged bytes in the middle: an error or a model, never a crash. */
	srand(5);
	for (int it = 0; it < 40; it++) {
		unsigned char *c = xmalloc(len);
		memcpy(c, h, len);
		for (int k = 0; k < 4; k++)
			c[512 + rand() % (len - 512)] ^= (unsigned char)(1 + rand() % 255);
		put(tmp("mut.h5"), c, len);
		free(c);
		if (keras_import(sh("keras/KERAS_3layer.json"), tmp("mut.h5"), &m, &e) == 0)
			model_free(&m);
	}
	CHECK(1, "damaged HDF5 survived");
	free(h);
}

/* ---- projects and hls4ml configs ---- */

static int load_proj(const char *yaml, bool data, project *p, berr *e)
{
	put(tmp("p.yaml"), yaml, strlen(yaml));
	return project_load(tmp("p.yaml"), data, p, e);
}

static void test_project(void)
{
	char y[4096];
	project p;
	berr e = {{0}};
	snprintf(y, sizeof y,
		 "block:\n  keras: {json: %s, h5: %s}\ncalibration: {n: 8}\n",
		 sh("keras/KERAS_3layer.json"), sh("keras/KERAS_3layer_weights.h5"));
	int rc = load_proj(y, true, &p, &e);
	CHECK(rc == 0, "keras project: %s", e.msg);
	if (rc == 0) {
		CHECK(p.n_layers == 4 && p.softmax && p.weights.source == SRC_MODEL && p.layers[2].w &&
			      (p.has & HAS_WEIGHTS) && p.n_inputs == 2,
		      "keras project model");
		config c;
		config_default(&p, &c);
		csim_result r;
		CHECK(csim_run(&p, &c, &r, &e) == 0 && r.softmax, "csim: %s", e.msg);
		double s = 0;
		for (int j = 0; j < 5; j++)
			s += r.y_fixed[j];
		CHECK(fabs(s - 1) < 1e-12 && r.max_ref <= 1, "probabilities sum to %g", s);
		csim_free(&r);
		config_free(&c);
		project_free(&p);
	}
	snprintf(y, sizeof y, "block:\n  onnx: %s\n  output: softmax\n", sh("onnx/three_layer_keras.onnx"));
	rc = load_proj(y, false, &p, &e);
	CHECK(rc == 0 && p.n_layers == 4 && !p.layers[0].w && strcmp(p.model.input_name, "input_1_0") == 0,
	      "onnx project: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	/* Layers beside the model must match it. */
	snprintf(y, sizeof y,
		 "block:\n  onnx: %s\n  layers:\n    - {name: _class__keras_layers_core_Dense__, n_in: 16, n_out: 64, activation: relu}\n"
		 "    - {name: _class__keras_layers_core_Dense__1, n_in: 64, n_out: 16}\n",
		 sh("onnx/three_layer_keras.onnx"));
	CHECK(load_proj(y, false, &p, &e) != 0 && has(e.msg, "p.yaml:4:") && has(e.msg, "block.layers"),
	      "layer count mismatch: %s", e.msg);
	snprintf(y, sizeof y,
		 "block:\n  keras: {json: %s, h5: %s}\n  layers:\n"
		 "    - {name: fc1_relu, n_in: 16, n_out: 64, activation: relu}\n"
		 "    - {name: fc2_relu, n_in: 64, n_out: 16, activation: relu}\n"
		 "    - {name: fc3_relu, n_in: 16, n_out: 32, activation: relu}\n"
		 "    - {name: output_softmax, n_in: 32, n_out: 5}\n",
		 sh("keras/KERAS_3layer.json"), sh("keras/KERAS_3layer_weights.h5"));
	CHECK(load_proj(y, false, &p, &e) != 0 && has(e.msg, "key 'block.layers[1]'") &&
		      has(e.msg, "'fc2_relu' 64 -> 16 relu does not match the model") &&
		      has(e.msg, "'fc2_relu' 64 -> 32 relu"),
	      "shape mismatch: %s", e.msg);
	snprintf(y, sizeof y, "block:\n  onnx: %s\nweights: {seed: 1}\n", sh("onnx/three_layer_keras.onnx"));
	CHECK(load_proj(y, false, &p, &e) != 0 && has(e.msg, "the weights come from the block's model"),
	      "weights beside a model: %s", e.msg);
	snprintf(y, sizeof y, "block:\n  onnx: %s\n  output: linear\n", sh("onnx/three_layer_keras.onnx"));
	CHECK(load_proj(y, false, &p, &e) != 0 && has(e.msg, "ends in a softmax"), "output: %s", e.msg);
	snprintf(y, sizeof y, "block:\n  onnx: %s\n", tmp("half.onnx"));
	CHECK(load_proj(y, false, &p, &e) != 0 && has(e.msg, "p.yaml:2:9: key 'block.onnx'") &&
		      has(e.msg, "half.onnx"),
	      "truncated onnx in a project: %s", e.msg);
	/* A YAML block may end in a float softmax too. */
	rc = load_proj("block:\n  layers: [{name: a, n_in: 2, n_out: 3}]\n  output: softmax\n", false, &p, &e);
	CHECK(rc == 0 && p.softmax && p.model.kind == MODEL_NONE, "yaml softmax: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	/* search.start is checked when the project loads. */
	snprintf(y, sizeof y, "block:\n  onnx: %s\nsearch: {start: %s}\n", sh("onnx/three_layer_keras.onnx"),
		 sh("onnx-config.yml"));
	rc = load_proj(y, false, &p, &e);
	CHECK(rc == 0 && p.search.start && has(p.search.start, "onnx-config.yml") && p.n_inputs == 2,
	      "search.start: %s", e.msg);
	if (rc == 0)
		project_free(&p);
	const char *badrf = "HLSConfig:\n  Model:\n    ReuseFactor: 0\n";
	put(tmp("badrf.yml"), badrf, strlen(badrf));
	snprintf(y, sizeof y, "block:\n  onnx: %s\nsearch: {start: %s}\n", sh("onnx/three_layer_keras.onnx"),
		 tmp("badrf.yml"));
	CHECK(load_proj(y, false, &p, &e) != 0 && has(e.msg, "key 'search.start'") &&
		      has(e.msg, "badrf.yml:3:18: key 'HLSConfig.Model.ReuseFactor': 0 is out of range"),
	      "bad start file: %s", e.msg);
}

static void test_hls4ml_configs(void)
{
	static const char *files[] = {
		"keras-config.yml", "onnx-config.yml", "pytorch-config.yml", "tf-config.yml",
		"config-files/garnet_1layer_config.yml", "config-files/garnet_3layer_config.yml",
		"config-files/qkeras_3layer_config.yml", "config-files/qkeras_mnist_cnn_config.yml",
		"config-files/qkeras_mnist_dense_config.yml",
	};
	char y[4096];
	project pk, po, empty;
	berr e = {{0}};
	snprintf(y, sizeof y, "block:\n  keras: {json: %s, h5: %s}\n", sh("keras/KERAS_3layer.json"),
		 sh("keras/KERAS_3layer_weights.h5"));
	int rk = load_proj(y, false, &pk, &e);
	snprintf(y, sizeof y, "block:\n  onnx: %s\n", sh("onnx/three_layer_keras.onnx"));
	int ro = load_proj(y, false, &po, &e);
	CHECK(rk == 0 && ro == 0, "projects: %s", e.msg);
	if (rk || ro)
		return;
	memset(&empty, 0, sizeof empty);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		const project *ps[] = {&pk, &po, &empty};
		for (int k = 0; k < 3; k++) {
			config c;
			strbuf notes = {0};
			memset(&e, 0, sizeof e);
			int rc = config_load_hls4ml(sh(files[i]), ps[k], &c, &notes, &e);
			CHECK(rc == 0, "%s (project %d): %s", files[i], k, e.msg);
			CHECK(has(notes.s, "ignored 'OutputDir'") && has(notes.s, files[i]),
			      "%s: notes list OutputDir: %s", files[i], notes.s ? notes.s : "");
			if (strstr(files[i], "qkeras")) /* layers of models that are not here */
				CHECK(has(notes.s, "no layer of that name in the"),
				      "%s: unknown layers listed", files[i]);
			if (rc == 0 && k < 2 && strstr(files[i], "config-files") == NULL) {
				/* the example configs: ap_fixed<16,6> everywhere, RF 1, Latency */
				bool all = c.n_layers == 4 && c.input.w == 16 && c.input.i == 6;
				for (int l = 0; l < c.n_layers; l++)
					all = all && c.layers[l].weight.w == 16 && c.layers[l].accum.w == 16 &&
					      c.layers[l].result.i == 6 && c.layers[l].reuse == 1 &&
					      c.layers[l].strategy == HLS_LATENCY;
				CHECK(all, "%s maps onto the model", files[i]);
			}
			if (rc == 0)
				config_free(&c);
			sb_free(&notes);
		}
	}
	/* The qkeras 3-layer config onto a model with its layer names (fc1, relu1, ..., softmax). */
	model m;
	if (keras_import(tmp("seq.json"), NULL, &m, &e) == 0) {
		project q = {0};
		q.n_layers = m.n_layers;
		q.layers = m.layers;
		q.model.kind = MODEL_KERAS;
		snprintf(q.model.input_name, sizeof q.model.input_name, "%s", m.input_name);
		snprintf(q.model.softmax_name, sizeof q.model.softmax_name, "%s", m.softmax_name);
		config c;
		strbuf notes = {0};
		int rc = config_load_hls4ml(sh("config-files/qkeras_3layer_config.yml"), &q, &c, &notes, &e);
		CHECK(rc == 0, "qkeras 3-layer: %s", e.msg);
		if (rc == 0) {
			char t[96];
			CHECK(strcmp(fx_format(&c.layers[0].weight, t, sizeof t), "ap_fixed<6,1,AP_TRN,AP_WRAP>") == 0,
			      "fc1 weight %s", t);
			CHECK(strcmp(fx_format(&c.layers[2].result, t, sizeof t), "ap_fixed<7,1,AP_RND_CONV,AP_SAT>") == 0,
			      "fc3 result from relu3: %s", t);
			CHECK(strcmp(fx_format(&c.layers[3].result, t, sizeof t), "ap_fixed<16,6,AP_TRN,AP_WRAP>") == 0,
			      "output result %s", t);
			CHECK(!has(notes.s, "no layer of that name"), "every layer maps: %s", notes.s);
			CHECK(has(notes.s, "'HLSConfig.LayerName.softmax': the softmax") &&
				      has(notes.s, "'HLSConfig.LayerName.relu1.ReuseFactor'") &&
				      has(notes.s, "'HLSConfig.LayerName.fc1.Trace': tracing"),
			      "softmax and activation RF listed: %s", notes.s);
			config_free(&c);
		}
		sb_free(&notes);
		model_free(&m);
	}
	/* hls4ml lower-cases names; a Dense's own result yields to its activation layer's. */
	const char *txt = "HLSConfig:\n  Model: {Precision: 'ap_fixed<16, 6>', ReuseFactor: 4, Strategy: resource}\n"
			  "  LayerName:\n    FC1_RELU: {Precision: {weight: 'ap_fixed<8, 3, AP_RND, AP_SAT>', result: 'fixed<12,4>'}}\n"
			  "    fc1_relu_relu: {Precision: {result: 'ap_ufixed<10,4>'}, Trace: true}\n"
			  "    Input_1: {Precision: {result: 'ap_fixed<10,5>'}}\n";
	config c;
	strbuf notes = {0};
	int rc = config_parse_hls4ml("n.yml", txt, strlen(txt), &pk, &c, &notes, &e);
	CHECK(rc == 0, "names: %s", e.msg);
	if (rc == 0) {
		char t[96];
		CHECK(c.layers[0].weight.w == 8 && c.layers[0].weight.q == FX_RND && c.layers[0].reuse == 4 &&
			      c.layers[0].strategy == HLS_RESOURCE,
		      "FC1_RELU maps to fc1_relu");
		CHECK(strcmp(fx_format(&c.layers[0].result, t, sizeof t), "ap_ufixed<10,4,AP_TRN,AP_WRAP>") == 0,
		      "result from the activation layer: %s", t);
		CHECK(c.input.w == 10 && c.input.i == 5, "Input_1 is the input");
		CHECK(has(notes.s, "takes its result type ap_ufixed<10,4,AP_TRN,AP_WRAP> from its activation layer 'fc1_relu_relu'"),
		      "the dense's own result listed: %s", notes.s);
		/* burn's hls4ml form reads back through the importer to the same config */
		strbuf out = {0};
		config_write_hls4ml(&c, &pk, &out);
		config back;
		CHECK(config_parse_hls4ml("back.yml", out.s, out.len, &pk, &back, NULL, &e) == 0 &&
			      config_equal(&c, &back),
		      "round trip: %s\n%s", e.msg, out.s);
		config_free(&back);
		sb_free(&out);
		config_free(&c);
	}
	sb_free(&notes);
	/* Values burn reads must be right; they are errors with the place, as in config_load. */
	struct {
		const char *txt, *want;
	} bad[] = {
		{"HLSConfig:\n  Model: {ReuseFactor: 0}\n", "n.yml:2:24: key 'HLSConfig.Model.ReuseFactor'"},
		{"HLSConfig:\n  LayerName:\n    fc1_relu: {Strategy: Fast}\n", "'Fast' is not a strategy"},
		{"HLSConfig:\n  Model: {Precision: 'ap_fixd<16,6>'}\n", "unknown type 'ap_fixd'"},
		{"HLSConfig: [1]\n", "expected a mapping"},
		{"HLSConfig:\n  LayerType: [Dense]\n", "expected a mapping of layer types"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		memset(&e, 0, sizeof e);
		rc = config_parse_hls4ml("n.yml", bad[i].txt, strlen(bad[i].txt), &pk, &c, NULL, &e);
		CHECK(rc != 0 && has(e.msg, bad[i].want), "bad %zu: %s", i, e.msg);
		if (rc == 0)
			config_free(&c);
	}
	project_free(&pk);
	project_free(&po);
}

int main(void)
{
	const char *s = getenv("SHARED"), *src = getenv("BURN_SRC");
	if (s && *s)
		snprintf(shared, sizeof shared, "%s", s);
	else
		snprintf(shared, sizeof shared, "%s/../shared", src && *src ? src : BURN_DATADIR);
	snprintf(tmpdir, sizeof tmpdir, "%s/burn-test-import.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmpdir)) {
		printf("cannot make a temp folder\n");
		return 2;
	}
	test_jet_models();
	test_onnx_built();
	test_onnx_shared_truncated();
	test_keras();
	test_project();
	test_hls4ml_configs();
	char cmd[600];
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		printf("could not remove %s\n", tmpdir);
	return t_done("test_import");
}
