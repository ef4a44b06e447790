/* import_keras.c - a Keras model as a block: the architecture JSON (read with ydoc: JSON is
 * YAML) gives the chain, the HDF5 weights file (read with libhdf5) the kernels and biases.
 * Supported layers: InputLayer, Dense (linear, relu, or softmax at the end), Activation and
 * ReLU (relu, linear), Softmax at the end, Dropout (an identity at inference). docs/IMPORT.md. */
#define _POSIX_C_SOURCE 200809L
#include "gen/import.h"

#include <errno.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gen/tensor.h"
#include "gen/ydoc.h"

#define LEN(a) (sizeof(a) / sizeof((a)[0]))

enum {
	H5_MAX_NAMES = 16,       /* entries of a layer's weight_names attribute */
	H5_MAX_NAME_LEN = 1024,  /* bytes of one of them */
};

/* ---- the architecture JSON ---- */

/* The scalar text of m[key], or NULL when absent or not a scalar. */
static const char *jstr(const ynode *m, const char *key)
{
	const ynode *v = ymap_get(m, key);
	return v && v->kind == YN_SCALAR ? v->str : NULL;
}

static bool is_null(const ynode *v)
{
	return !v || (v->kind == YN_SCALAR && !v->quoted && strcmp(v->str, "null") == 0);
}

/* The layer list of the JSON's root, and whether the model is a Sequential. */
static int find_layers(const ydoc *d, const ynode **layers, bool *sequential, berr *e)
{
	const ynode *root = d->root;
	if (!root || root->kind != YN_MAP)
		return yerr(e, d, root, NULL, "expected a Keras model JSON (an object with class_name "
					      "and config)");
	const char *cls = jstr(root, "class_name");
	const ynode *cfg = ymap_get(root, "config");
	if (!cls || !cfg)
		return yerr(e, d, root, NULL, "expected a Keras model JSON (an object with class_name "
					      "and config), as model.to_json() writes it");
	*sequential = strcmp(cls, "Sequential") == 0;
	if (!*sequential && strcmp(cls, "Model") != 0 && strcmp(cls, "Functional") != 0)
		return yerr(e, d, root, "class_name", "model class '%.64s' is not supported (Sequential, "
						      "Model or Functional)", cls);
	/* Keras 2.0-2.2 wrote a Sequential's config as the layer list itself. */
	*layers = cfg->kind == YN_SEQ ? cfg : ymap_get(cfg, "layers");
	if (!*layers || (*layers)->kind != YN_SEQ)
		return yerr(e, d, cfg, "config.layers", "expected the list of layers");
	if ((*layers)->n > KERAS_MAX_LAYERS)
		return yerr(e, d, *layers, "config.layers", "%zu layers, more than the limit of %d",
			    (*layers)->n, (int)KERAS_MAX_LAYERS);
	return 0;
}

/* The width of a [null, N] input shape; 0 if v is no such list. */
static long vector_width(const ynode *v)
{
	long n;
	if (!v || v->kind != YN_SEQ || v->n != 2 || !is_null(v->items[0]) ||
	    v->items[1]->kind != YN_SCALAR || parse_long(v->items[1]->str, &n) != 0)
		return 0;
	return n;
}

/* The single layer a functional layer's inbound_nodes names (Keras 2 or 3), "" for none;
 * -1 when it takes more than one input. */
static int inbound_name(const ynode *ly, const char **name)
{
	*name = "";
	const ynode *in = ymap_get(ly, "inbound_nodes");
	if (!in || in->kind != YN_SEQ || in->n == 0)
		return 0;
	if (in->n > 1)
		return -1; /* a shared layer, called more than once */
	const ynode *node = in->items[0];
	if (node->kind == YN_SEQ) { /* Keras 2: [[name, node_index, tensor_index, kwargs], ...] */
		if (node->n != 1)
			return -1;
		const ynode *t = node->items[0];
		if (t->kind == YN_SEQ && t->n >= 1 && t->items[0]->kind == YN_SCALAR)
			*name = t->items[0]->str;
		return 0;
	}
	/* Keras 3: {args: [{class_name: __keras_tensor__, config: {keras_history: [name, ...]}}]} */
	const ynode *args = ymap_get(node, "args");
	if (!args || args->kind != YN_SEQ)
		return 0;
	if (args->n != 1)
		return -1;
	const ynode *hist = ymap_get(ymap_get(args->items[0], "config"), "keras_history");
	if (hist && hist->kind == YN_SEQ && hist->n >= 1 && hist->items[0]->kind == YN_SCALAR)
		*name = hist->items[0]->str;
	return 0;
}

/* Maps a Keras activation name to the chain's kinds; -1 if burn has no such activation. */
static int activation_kind(const char *s)
{
	if (strcmp(s, "linear") == 0)
		return CHAIN_LINEAR;
	if (strcmp(s, "relu") == 0)
		return CHAIN_RELU;
	if (strcmp(s, "softmax") == 0)
		return CHAIN_SOFTMAX;
	return -1;
}

/* True when a ReLU layer's options make it a plain max(x, 0). */
static bool plain_relu(const ynode *cfg)
{
	const char *s;
	double x;
	if (!is_null(ymap_get(cfg, "max_value")))
		return false;
	if ((s = jstr(cfg, "negative_slope")) && (parse_double(s, &x) != 0 || x != 0))
		return false;
	if ((s = jstr(cfg, "threshold")) && (parse_double(s, &x) != 0 || x != 0))
		return false;
	return true;
}

/* Checks a Softmax's axis is the last one (-1, or 1 of a [batch, n] tensor). */
static bool last_axis(const ynode *cfg)
{
	const char *s = jstr(cfg, "axis");
	long a;
	return !s || (parse_long(s, &a) == 0 && (a == -1 || a == 1));
}

typedef struct {
	const ydoc *d;
	model *m;
	berr *e;
	long width;              /* the input width, once known */
	const char *prev;        /* the previous layer's Keras name */
	char (*keras_name)[256]; /* per dense layer: its Keras name (the HDF5 group) */
} kjson;

/* Reads one layer entry of the list. */
static int read_layer(kjson *K, const ynode *ly, size_t idx, bool sequential)
{
	const ydoc *d = K->d;
	model *m = K->m;
	char err[256], ctx[64];
	snprintf(ctx, sizeof ctx, "config.layers[%zu]", idx);
	const char *cls = jstr(ly, "class_name");
	const ynode *cfg = ymap_get(ly, "config");
	const char *name = cfg ? jstr(cfg, "name") : NULL;
	if (!name)
		name = jstr(ly, "name");
	if (!cls || !cfg || cfg->kind != YN_MAP || !name || !*name)
		return yerr(K->e, d, ly, ctx, "expected a layer with class_name, config and a name");
	if (strlen(name) > 200)
		return yerr(K->e, d, ly, ctx, "layer name longer than 200 characters");
	if (!sequential) {
		const char *from;
		if (inbound_name(ly, &from) != 0 || (idx > 0 && strcmp(from, K->prev) != 0))
			return yerr(K->e, d, ly, ctx,
				    "layer '%s' (%.64s) does not take its input from the layer before "
				    "it ('%s'): burn imports a chain of layers", name, cls, K->prev);
	}
	K->prev = name;
	static const char *const supported[] = {"InputLayer", "Dense", "Activation", "ReLU",
						"Softmax", "Dropout"};
	size_t si = 0;
	while (si < LEN(supported) && strcmp(cls, supported[si]) != 0)
		si++;
	if (si == LEN(supported))
		return yerr(K->e, d, ly, ctx,
			    "layer '%s' (%.64s) is not supported: burn imports Dense, Activation (relu, "
			    "linear, softmax), ReLU, Softmax at the end, Dropout and InputLayer", name, cls);
	/* The input width: an InputLayer, or the first layer's batch_input_shape (Keras 2) or
	 * build_config.input_shape (Keras 3). */
	const ynode *shape = ymap_get(cfg, "batch_input_shape");
	if (!shape)
		shape = ymap_get(cfg, "batch_shape");
	if (!shape)
		shape = ymap_get(ymap_get(ly, "build_config"), "input_shape");
	if (strcmp(cls, "InputLayer") == 0) {
		if (m->n_layers > 0 || K->width)
			return yerr(K->e, d, ly, ctx, "a second InputLayer ('%s'): burn imports a chain "
						      "with one input", name);
		K->width = vector_width(shape);
		if (K->width < 1)
			return yerr(K->e, d, shape ? shape : ly, ctx,
				    "InputLayer '%s': the input shape must be [null, N] (a vector of N "
				    "values)", name);
		import_name(name, "input", m->input_name, sizeof m->input_name);
		return 0;
	}
	if (m->n_layers == 0 && !K->width && shape) {
		K->width = vector_width(shape);
		if (K->width < 1)
			return yerr(K->e, d, shape, ctx, "layer '%s' (%.64s): the input shape must be "
							 "[null, N] (a vector of N values)", name, cls);
		if (!m->input_name[0]) { /* hls4ml names a Sequential's implicit input so */
			char in[300];
			snprintf(in, sizeof in, "%s_input", name);
			import_name(in, "input", m->input_name, sizeof m->input_name);
		}
	}
	int kind;
	if (strcmp(cls, "Dense") == 0) {
		const char *units = jstr(cfg, "units"), *act = jstr(cfg, "activation");
		const char *bias = jstr(cfg, "use_bias");
		long n_out;
		if (!units || parse_long(units, &n_out) != 0)
			return yerr(K->e, d, cfg, ctx, "Dense '%s': expected an integer 'units'", name);
		if (!act && ymap_get(cfg, "activation"))
			return yerr(K->e, d, ymap_get(cfg, "activation"), ctx,
				    "Dense '%s': its activation is not a name (a quantizer or a custom "
				    "object?); burn imports relu, linear and a final softmax", name);
		kind = activation_kind(act ? act : "linear");
		if (kind < 0)
			return yerr(K->e, d, ymap_get(cfg, "activation"), ctx,
				    "Dense '%s': activation '%.64s' is not supported (burn imports relu, "
				    "linear and a final softmax)", name, act);
		if (bias && strcmp(bias, "true") != 0 && strcmp(bias, "false") != 0)
			return yerr(K->e, d, ymap_get(cfg, "use_bias"), ctx,
				    "Dense '%s': use_bias must be true or false", name);
		if (m->n_layers == 0 && K->width < 1)
			return yerr(K->e, d, ly, ctx, "Dense '%s': the JSON gives no input shape "
						      "(batch_input_shape) before the first layer", name);
		long n_in = m->n_layers ? m->layers[m->n_layers - 1].n_out : K->width;
		if (chain_dense(m, name, n_in, n_out, !bias || strcmp(bias, "true") == 0, err,
				sizeof err) != 0)
			return yerr(K->e, d, ly, ctx, "layer '%s' (Dense): %s", name, err);
		int k = m->n_layers - 1;
		snprintf(K->keras_name[k], sizeof K->keras_name[k], "%s", name);
		/* hls4ml gives a Dense's activation a layer of its own, named <dense>_<activation> */
		char an[300];
		snprintf(an, sizeof an, "%s_%s", name, act ? act : "linear");
		if (chain_act(m, (chain_kind)kind, an, err, sizeof err) != 0)
			return yerr(K->e, d, ly, ctx, "layer '%s' (Dense): %s", name, err);
		return 0;
	}
	if (strcmp(cls, "Activation") == 0) {
		const char *act = jstr(cfg, "activation");
		kind = act ? activation_kind(act) : -1;
		if (kind < 0)
			return yerr(K->e, d, ly, ctx, "layer '%s' (Activation): activation '%.64s' is not "
						      "supported (burn imports relu, linear and a final "
						      "softmax)", name, act ? act : "?");
	} else if (strcmp(cls, "ReLU") == 0) {
		if (!plain_relu(cfg))
			return yerr(K->e, d, ly, ctx, "layer '%s' (ReLU): only max(x, 0) is supported (no "
						      "max_value, negative_slope or threshold)", name);
		kind = CHAIN_RELU;
	} else if (strcmp(cls, "Softmax") == 0) {
		if (!last_axis(cfg))
			return yerr(K->e, d, ly, ctx, "layer '%s' (Softmax): only the last axis is "
						      "supported", name);
		kind = CHAIN_SOFTMAX;
	} else { /* Dropout: an identity at inference */
		m->n_skipped++;
		return 0;
	}
	if (chain_act(m, (chain_kind)kind, name, err, sizeof err) != 0)
		return yerr(K->e, d, ly, ctx, "layer '%s' (%s): %s", name, cls, err);
	return 0;
}

/* ---- the HDF5 weights ---- */

/* Collects the innermost message of HDF5's error stack. */
static herr_t h5_walk(unsigned n, const H5E_error2_t *err, void *data)
{
	char *buf = data;
	if (n == 0 && err->desc)
		snprintf(buf, 256, "%s", err->desc);
	return 0;
}

static const char *h5_why(char *buf)
{
	buf[0] = '\0';
	H5Ewalk2(H5E_DEFAULT, H5E_WALK_DOWNWARD, h5_walk, buf);
	if (!buf[0])
		snprintf(buf, 256, "unreadable");
	return buf;
}

typedef struct {
	const char *path;
	hid_t f;
	berr *e;
	char why[256];
} h5file;

/* Checks the file is there, not huge, and has HDF5's signature where the superblock may be
 * (offset 0, 512, 1024, ...), before libhdf5 reads it. */
static int h5_precheck(const char *path, berr *e)
{
	static const unsigned char sig[8] = {0x89, 'H', 'D', 'F', '\r', '\n', 0x1a, '\n'};
	FILE *f = fopen(path, "rb");
	if (!f)
		return errf(e, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
		fclose(f);
		return errf(e, "%s: not a regular file", path);
	}
	bool found = false;
	for (long off = 0; off + 8 <= (long)st.st_size && off <= (1L << 30) && !found;
	     off = off ? off * 2 : 512) {
		unsigned char b[8];
		if (fseek(f, off, SEEK_SET) != 0 || fread(b, 1, 8, f) != 8)
			break;
		found = memcmp(b, sig, 8) == 0;
	}
	fclose(f);
	if (!found)
		return errf(e, "%s: not an HDF5 file (no HDF5 signature)", path);
	return 0;
}

/* Reads a string attribute that is a list (or a scalar) of at most H5_MAX_NAMES strings.
 * *n = -1 when there is no such attribute. */
static int h5_names(h5file *H, hid_t obj, const char *where, const char *attr,
		    char names[][H5_MAX_NAME_LEN], int *n)
{
	*n = -1;
	htri_t has = H5Aexists(obj, attr);
	if (has < 0)
		return errf(H->e, "%s: %s: %s", H->path, where, h5_why(H->why));
	if (!has)
		return 0;
	int rc = -1;
	hid_t a = H5Aopen(obj, attr, H5P_DEFAULT), t = -1, s = -1, mt = -1;
	if (a < 0 || (t = H5Aget_type(a)) < 0 || (s = H5Aget_space(a)) < 0) {
		errf(H->e, "%s: %s: attribute %s: %s", H->path, where, attr, h5_why(H->why));
		goto out;
	}
	hssize_t np = H5Sget_simple_extent_npoints(s);
	int nd = H5Sget_simple_extent_ndims(s);
	if (np == 0) {
		*n = 0;
		rc = 0;
		goto out;
	}
	if (H5Tget_class(t) != H5T_STRING || nd < 0 || nd > 1 || np < 0 || np > H5_MAX_NAMES) {
		errf(H->e, "%s: %s: attribute %s is not a list of at most %d names", H->path, where,
		     attr, (int)H5_MAX_NAMES);
		goto out;
	}
	htri_t vlen = H5Tis_variable_str(t);
	size_t size = H5Tget_size(t);
	if (vlen < 0 || (!vlen && (size == 0 || size >= H5_MAX_NAME_LEN))) {
		errf(H->e, "%s: %s: attribute %s: names of %zu bytes, more than %d", H->path, where,
		     attr, size, (int)H5_MAX_NAME_LEN - 1);
		goto out;
	}
	/* Fixed-length names are read as stored, padded with NULs (not cut for a terminator). */
	if ((mt = H5Tcopy(H5T_C_S1)) < 0 || H5Tset_size(mt, vlen ? H5T_VARIABLE : size) < 0 ||
	    (!vlen && H5Tset_strpad(mt, H5T_STR_NULLPAD) < 0)) {
		errf(H->e, "%s: %s: %s", H->path, where, h5_why(H->why));
		goto out;
	}
	if (vlen) {
		char *v[H5_MAX_NAMES] = {0};
		if (H5Aread(a, mt, v) < 0) {
			errf(H->e, "%s: %s: attribute %s: %s", H->path, where, attr, h5_why(H->why));
			goto out;
		}
		for (hssize_t i = 0; i < np; i++) {
			snprintf(names[i], H5_MAX_NAME_LEN, "%s", v[i] ? v[i] : "");
			H5free_memory(v[i]);
		}
	} else {
		char *buf = xcalloc((size_t)np, size);
		if (H5Aread(a, mt, buf) < 0) {
			errf(H->e, "%s: %s: attribute %s: %s", H->path, where, attr, h5_why(H->why));
			free(buf);
			goto out;
		}
		for (hssize_t i = 0; i < np; i++)
			snprintf(names[i], H5_MAX_NAME_LEN, "%.*s", (int)size, buf + (size_t)i * size);
		free(buf);
	}
	*n = (int)np;
	rc = 0;
out:
	if (mt >= 0)
		H5Tclose(mt);
	if (s >= 0)
		H5Sclose(s);
	if (t >= 0)
		H5Tclose(t);
	if (a >= 0)
		H5Aclose(a);
	return rc;
}

/* True if path names a link (group or dataset) in the file; every parent must exist. */
static bool h5_has(hid_t f, const char *path)
{
	char buf[2048];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		bool ok = H5Lexists(f, buf, H5P_DEFAULT) > 0;
		*p = '/';
		if (!ok)
			return false;
	}
	return H5Lexists(f, buf, H5P_DEFAULT) > 0;
}

/* Reads dataset path into a new array of want[0] (x want[1]) doubles, checking its shape. */
static int h5_tensor(h5file *H, const char *path, const char *lname, const char *what, int nd,
		     const long *want, double **out)
{
	*out = NULL;
	int rc = -1;
	hid_t ds = H5Dopen2(H->f, path, H5P_DEFAULT), s = -1, t = -1;
	if (ds < 0) {
		errf(H->e, "%s: layer '%s': cannot read the %s '%s': %s", H->path, lname, what, path,
		     h5_why(H->why));
		goto out;
	}
	if ((s = H5Dget_space(ds)) < 0 || (t = H5Dget_type(ds)) < 0) {
		errf(H->e, "%s: layer '%s': %s '%s': %s", H->path, lname, what, path, h5_why(H->why));
		goto out;
	}
	hsize_t dims[8];
	int got = H5Sget_simple_extent_ndims(s);
	if (got < 0 || got > 8 || H5Sget_simple_extent_dims(s, dims, NULL) < 0) {
		errf(H->e, "%s: layer '%s': %s '%s' has an unreadable shape", H->path, lname, what, path);
		goto out;
	}
	bool same = got == nd;
	for (int i = 0; same && i < nd; i++)
		same = dims[i] == (hsize_t)want[i];
	if (!same) {
		char s1[160], s2[160];
		long sh[8];
		for (int i = 0; i < got; i++)
			sh[i] = dims[i] > (hsize_t)MAX_LAYER_WEIGHTS ? -1 : (long)dims[i];
		errf(H->e, "%s: layer '%s': %s '%s' has shape %s, but the JSON's layer needs %s", H->path,
		     lname, what, path, tensor_shape_str(got, sh, s1, sizeof s1),
		     tensor_shape_str(nd, want, s2, sizeof s2));
		goto out;
	}
	if (H5Tget_class(t) != H5T_FLOAT) {
		errf(H->e, "%s: layer '%s': %s '%s' is not floating point", H->path, lname, what, path);
		goto out;
	}
	size_t n = (size_t)want[0] * (size_t)(nd > 1 ? want[1] : 1);
	double *x = xreallocarray(NULL, n, sizeof *x);
	if (H5Dread(ds, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, x) < 0) {
		errf(H->e, "%s: layer '%s': cannot read the %s '%s': %s", H->path, lname, what, path,
		     h5_why(H->why));
		free(x);
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		if (!isfinite(x[i])) {
			errf(H->e, "%s: layer '%s': %s '%s' has %s at flat index %zu", H->path, lname, what,
			     path, isnan(x[i]) ? "NaN" : "an infinity", i);
			free(x);
			goto out;
		}
	*out = x;
	rc = 0;
out:
	if (t >= 0)
		H5Tclose(t);
	if (s >= 0)
		H5Sclose(s);
	if (ds >= 0)
		H5Dclose(ds);
	return rc;
}

/* True if weight name s is the one for what ("kernel" or "bias"): ".../kernel:0" or "kernel". */
static bool is_var(const char *s, const char *what)
{
	const char *slash = strrchr(s, '/');
	const char *base = slash ? slash + 1 : s;
	size_t n = strlen(what);
	return strncmp(base, what, n) == 0 && (base[n] == '\0' || base[n] == ':');
}

/* Reads dense layer k's kernel and bias; kname is its Keras name (the HDF5 group). */
static int h5_layer(h5file *H, model *m, int k, const char *kname)
{
	layer *l = &m->layers[k];
	char group[600], kpath[600 + H5_MAX_NAME_LEN + 8], bpath[600 + H5_MAX_NAME_LEN + 8];
	long wshape[2] = {l->n_in, l->n_out}, bshape[1] = {l->n_out};
	static const char *const roots[] = {"/model_weights/", "/"};
	for (size_t r = 0; r < LEN(roots); r++) {
		snprintf(group, sizeof group, "%s%s", roots[r], kname);
		if (!h5_has(H->f, group))
			continue;
		char names[H5_MAX_NAMES][H5_MAX_NAME_LEN];
		int n;
		hid_t g = H5Gopen2(H->f, group, H5P_DEFAULT);
		if (g < 0)
			return errf(H->e, "%s: layer '%s': group %s: %s", H->path, kname, group,
				    h5_why(H->why));
		int rc = h5_names(H, g, group, "weight_names", names, &n);
		H5Gclose(g);
		if (rc != 0)
			return -1;
		if (n < 0)
			continue;
		if (n != (l->bias ? 2 : 1))
			return errf(H->e, "%s: layer '%s': %d weights listed in %s, but a Dense layer %s "
					  "has %d", H->path, kname, n, group,
				    l->bias ? "with bias" : "without bias", l->bias ? 2 : 1);
		int ki = is_var(names[0], "kernel") || n == 1 ? 0 : 1, bi = 1 - ki;
		if (n == 2 && !(is_var(names[ki], "kernel") && is_var(names[bi], "bias")))
			ki = 0, bi = 1; /* unnamed: Keras saves the kernel first */
		snprintf(kpath, sizeof kpath, "%.599s/%.1023s", group, names[ki]);
		snprintf(bpath, sizeof bpath, "%.599s/%.1023s", group, names[bi]);
		goto found;
	}
	/* Keras 3 (.weights.h5): layers/<name>/vars/0 (kernel) and 1 (bias) */
	snprintf(group, sizeof group, "/layers/%s/vars", kname);
	if (!h5_has(H->f, group))
		return errf(H->e, "%s: no weights for layer '%s' (looked for /%s, /model_weights/%s "
				  "and /layers/%s/vars)", H->path, kname, kname, kname, kname);
	snprintf(kpath, sizeof kpath, "%s/0", group);
	snprintf(bpath, sizeof bpath, "%s/1", group);
found:
	if (h5_tensor(H, kpath, kname, "kernel", 2, wshape, &l->w) != 0)
		return -1;
	if (l->bias && h5_tensor(H, bpath, kname, "bias", 1, bshape, &l->b) != 0)
		return -1;
	return 0;
}

static int read_h5(const char *path, model *m, char (*knames)[256], berr *e)
{
	if (h5_precheck(path, e) != 0)
		return -1;
	h5file H = {.path = path, .e = e};
	H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
	H.f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
	if (H.f < 0)
		return errf(e, "%s: cannot open as HDF5 (truncated or damaged?): %s", path,
			    h5_why(H.why));
	int rc = 0;
	for (int k = 0; k < m->n_layers && rc == 0; k++)
		rc = h5_layer(&H, m, k, knames[k]);
	if (H5Fclose(H.f) < 0 && rc == 0)
		rc = errf(e, "%s: %s", path, h5_why(H.why));
	return rc;
}

int keras_import(const char *json, const char *h5, model *m, berr *e)
{
	memset(m, 0, sizeof *m);
	char *buf;
	size_t len;
	if (read_file(json, KERAS_MAX_JSON, &buf, &len, e) != 0)
		return -1;
	ydoc d;
	int rc = ydoc_parse(json, buf, len, &d, e);
	free(buf);
	if (rc != 0)
		return -1;
	const ynode *layers = NULL;
	bool sequential = false;
	kjson K = {.d = &d, .m = m, .e = e, .prev = ""};
	rc = find_layers(&d, &layers, &sequential, e);
	if (rc == 0)
		K.keras_name = xcalloc(MAX_LAYERS, sizeof *K.keras_name);
	for (size_t i = 0; rc == 0 && i < layers->n; i++)
		rc = read_layer(&K, layers->items[i], i, sequential);
	if (rc == 0 && m->n_layers == 0)
		rc = yerr(e, &d, layers, "config.layers", "the model has no Dense layer");
	if (rc == 0 && h5)
		rc = read_h5(h5, m, K.keras_name, e);
	free(K.keras_name);
	ydoc_free(&d);
	if (rc != 0)
		model_free(m);
	return rc;
}
