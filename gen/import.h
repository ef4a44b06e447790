/* import.h - models from other tools as BurnTTT blocks: a Keras architecture JSON with its HDF5
 * weights (gen/import_keras.c, libhdf5) or an ONNX file (gen/import_onnx.c, protobuf-c code
 * generated from the system's onnx.proto) becomes a chain of dense layers with their weights,
 * ReLU or linear activations, and an optional softmax after the last layer. The readers take
 * untrusted bytes: every size is bounded and every read is checked. docs/IMPORT.md. */
#ifndef BURN_IMPORT_H
#define BURN_IMPORT_H

#include "gen/project.h"

/* Bounds on what the importers accept. */
enum {
	KERAS_MAX_JSON = 16 << 20,     /* bytes of a Keras architecture JSON */
	KERAS_MAX_LAYERS = 4096,       /* layers listed in it (Dropout and the like included) */
	ONNX_MAX_BYTES = 1 << 30,      /* bytes of an ONNX file */
	ONNX_MAX_NODES = 4096,
	IMPORT_MAX_STR = 4096,         /* bytes of a name or attribute string in a model file */
};

/* A model as burn sees it: the chain of dense layers and what hls4ml calls its parts. */
typedef struct {
	int n_layers;
	layer *layers;                 /* name, n_in, n_out, act, bias, act_name; w and b when
					* the weights were read, else NULL */
	bool softmax;                  /* a softmax after the last layer */
	char input_name[MAX_NAME];     /* hls4ml's name of the input layer (e.g. input_1) */
	char softmax_name[MAX_NAME];   /* hls4ml's name of the softmax layer, or "" */
	int n_skipped;                 /* layers that are identities at inference (Dropout, ...) */
} model;

/* Reads a Keras model: the architecture JSON (Sequential or a chain-shaped functional Model,
 * Keras 2 or 3) and, unless h5 is NULL, the weights from the HDF5 file (Keras 2's
 * save_weights/save layout, with or without model_weights, or Keras 3's .weights.h5). With h5
 * NULL the layers have no weights; n_in of the first layer then needs the JSON's input shape.
 * Errors name the file, the layer and its type. */
int keras_import(const char *json, const char *h5, model *m, berr *e);

/* Reads an ONNX model file: a chain of Gemm, or MatMul with an optional Add, with Relu,
 * Softmax at the end, and Identity/Dropout skipped; weights from initializers (float_data,
 * double_data or raw_data; FLOAT, DOUBLE, FLOAT16). With weights false they are dropped. */
int onnx_import(const char *path, bool weights, model *m, berr *e);

/* The same from bytes in memory; name is used in messages. */
int onnx_import_mem(const char *name, const unsigned char *buf, size_t len, bool weights, model *m,
		    berr *e);

/* Frees m's layers and weights and zeroes it. */
void model_free(model *m);

/* Turns s into a layer name burn accepts (hls4ml's spelling: '.' and other characters that are
 * not letters, digits, '_' or '-' become '_'; a name not starting with a letter or '_' gets
 * prefix, as hls4ml prefixes the class name) into dst, cut to cap - 1 bytes. */
void import_name(const char *s, const char *prefix, char *dst, size_t cap);

/* ---- for the importers: the chain rules, applied to the model's layers in order ---- */

typedef enum { CHAIN_LINEAR, CHAIN_RELU, CHAIN_SOFTMAX } chain_kind;

/* Appends a dense layer named name (made unique) of n_in x n_out to m. On error (after the
 * softmax, n_in not the previous n_out, sizes out of range) writes why into err (size n). */
int chain_dense(model *m, const char *name, long n_in, long n_out, bool bias, char *err, size_t n);

/* Applies an activation layer named name to the last dense layer: relu sets its activation
 * (and act_name), linear does nothing, softmax marks the end. Errors as chain_dense. */
int chain_act(model *m, chain_kind kind, const char *name, char *err, size_t n);

#endif
