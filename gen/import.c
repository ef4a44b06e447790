/* import.c - what the Keras and ONNX importers share: the rules that turn a model's layers, in
 * order, into burn's chain of dense layers (gen/import.h). */
#define _POSIX_C_SOURCE 200809L
#include "gen/import.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void model_free(model *m)
{
	for (int k = 0; k < m->n_layers && m->layers; k++) {
		free(m->layers[k].w);
		free(m->layers[k].b);
	}
	free(m->layers);
	memset(m, 0, sizeof *m);
}

void import_name(const char *s, const char *prefix, char *dst, size_t cap)
{
	size_t j = 0;
	if (cap == 0)
		return;
	if (!(s[0] == '_' || (s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z')))
		for (const char *p = prefix; *p && j + 1 < cap; p++)
			dst[j++] = *p;
	for (size_t i = 0; s[i] && j + 1 < cap; i++) {
		char c = s[i];
		bool ok = c == '_' || c == '-' || (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
			  (c >= 'a' && c <= 'z');
		dst[j++] = ok ? c : '_';
	}
	dst[j] = '\0';
}

/* Makes name unique among m's layers and not "input" by appending _2, _3, ... */
static void unique_name(const model *m, char *name, size_t cap)
{
	char base[MAX_NAME];
	snprintf(base, sizeof base, "%.50s", name);
	for (int n = 2;; n++) {
		bool clash = strcmp(name, "input") == 0;
		for (int k = 0; k < m->n_layers && !clash; k++)
			clash = strcmp(m->layers[k].name, name) == 0;
		if (!clash)
			return;
		char tmp[80];
		snprintf(tmp, sizeof tmp, "%s_%d", base, n);
		size_t len = strlen(tmp) < cap ? strlen(tmp) : cap - 1;
		memcpy(name, tmp, len);
		name[len] = '\0';
	}
}

int chain_dense(model *m, const char *name, long n_in, long n_out, bool bias, char *err, size_t n)
{
	if (m->softmax) {
		snprintf(err, n, "comes after the softmax: burn supports a softmax only at the end");
		return -1;
	}
	if (m->n_layers >= MAX_LAYERS) {
		snprintf(err, n, "more than %d dense layers", (int)MAX_LAYERS);
		return -1;
	}
	if (m->n_layers > 0) {
		const layer *prev = &m->layers[m->n_layers - 1];
		if (n_in != prev->n_out) {
			snprintf(err, n, "takes %ld inputs, but the layer before ('%s') gives %d", n_in,
				 prev->name, prev->n_out);
			return -1;
		}
	}
	if (n_in < 1 || n_in > MAX_LAYER_DIM || n_out < 1 || n_out > MAX_LAYER_DIM) {
		snprintf(err, n, "%ld inputs and %ld outputs: each must be 1 to %d", n_in, n_out,
			 (int)MAX_LAYER_DIM);
		return -1;
	}
	if (n_in * n_out > MAX_LAYER_WEIGHTS) {
		snprintf(err, n, "%ld x %ld = %ld weights, more than the limit of %d", n_in, n_out,
			 n_in * n_out, (int)MAX_LAYER_WEIGHTS);
		return -1;
	}
	m->layers = xreallocarray(m->layers, (size_t)m->n_layers + 1, sizeof *m->layers);
	layer *l = &m->layers[m->n_layers];
	memset(l, 0, sizeof *l);
	import_name(name, "dense", l->name, sizeof l->name);
	unique_name(m, l->name, sizeof l->name);
	l->n_in = (int)n_in;
	l->n_out = (int)n_out;
	l->bias = bias;
	l->act = ACT_LINEAR;
	m->n_layers++;
	return 0;
}

int chain_act(model *m, chain_kind kind, const char *name, char *err, size_t n)
{
	if (kind == CHAIN_LINEAR)
		return 0;
	if (m->n_layers == 0) {
		snprintf(err, n, "comes before the first dense layer: burn's blocks start with one");
		return -1;
	}
	if (m->softmax) {
		snprintf(err, n, "comes after the softmax: burn supports a softmax only at the end");
		return -1;
	}
	layer *l = &m->layers[m->n_layers - 1];
	if (kind == CHAIN_SOFTMAX) {
		m->softmax = true;
		import_name(name, "softmax", m->softmax_name, sizeof m->softmax_name);
		return 0;
	}
	l->act = ACT_RELU; /* relu after relu is relu */
	if (!l->act_name[0])
		import_name(name, "relu", l->act_name, sizeof l->act_name);
	return 0;
}
