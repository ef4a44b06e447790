/* config.h - a candidate config in the shape of hls4ml's HLSConfig: Model defaults,
 * LayerType.Dense, and LayerName.<layer> with Precision {default, weight, bias, accum, result},
 * ReuseFactor and Strategy, resolved in hls4ml's lookup order (docs/CONFIG.md).
 * The input data type is LayerName.input.Precision.result (hls4ml's input layer), or Model's. */
#ifndef BURN_CONFIG_H
#define BURN_CONFIG_H

#include "gen/project.h"
#include "kernels/fixed.h"

/* Limits on what a config may ask for: ReuseFactor, file size, key and value lengths. */
enum {
	MAX_REUSE = LIM_REUSE,
	CONFIG_MAX_BYTES = LIM_CONFIG_BYTES,
	CONFIG_MAX_KEY = 64,
	CONFIG_MAX_VALUE = 256,
};

typedef enum { HLS_LATENCY, HLS_RESOURCE } hls_strategy;

/* Where a layer's weights live (WeightFormat, docs/CONFIG.md): an on-chip ROM of weight-typed
 * values (WF_ROM, the default), or quantised by kernels/gemv.h and streamed from the part's
 * external memory: int8 per output channel (WF_W8), or INT4 in groups of 32, 64, 128 inputs. */
typedef enum { WF_ROM, WF_W8, WF_INT4_G32, WF_INT4_G64, WF_INT4_G128, WF_COUNT } weight_format;

typedef struct {
	fx_type weight, bias, accum, result;
	long reuse;              /* ReuseFactor >= 1 */
	hls_strategy strategy;
	weight_format wfmt;      /* WF_ROM unless the config says otherwise */
	/* The elementwise layer after a swiglu projection (layer.ew_name; zero elsewhere):
	 * after gate, its SiLU (LayerName.<group>_silu): result type, sigmoid table type and size;
	 * after up, the product silu(gate) * up (LayerName.<group>_mul): its result type in mul. */
	fx_type act, table;
	long table_size;
	fx_type mul;
} layer_cfg;

typedef struct {
	fx_type input;           /* data type the calibration inputs are cast to */
	int n_layers;            /* equals the block's layer count */
	layer_cfg *layers;       /* in block order */
} config;

/* Loads a config YAML (optionally wrapped in "HLSConfig:") and validates it against the block:
 * every layer named must exist, every layer gets a full setting (from LayerName or Model).
 * Errors name file:line:column and the key. */
int config_load(const char *path, const project *p, config *c, berr *e);

/* Same, from text; name is used in messages. */
int config_parse(const char *name, const char *text, size_t len, const project *p, config *c,
		 berr *e);

/* Reads the HLSConfig of an hls4ml conversion config (the whole file, or only its HLSConfig)
 * as hls4ml would for the project's block: layer names match case-insensitively, as hls4ml
 * lower-cases them; a model's input layer name, or "input", is the input; an activation
 * layer's result type (LayerName.<activation layer>) becomes its dense layer's result. Keys
 * burn does not use (Trace, softmax tables, OutputDir, Part, other layer types, names of no
 * layer, ...) are not errors: each is listed in notes (if not NULL) as one line
 * "FILE:LINE:COL: ignored 'KEY': why". Bad values of the keys burn reads are errors, as in
 * config_load. docs/IMPORT.md. */
int config_load_hls4ml(const char *path, const project *p, config *c, strbuf *notes, berr *e);

/* Same, from text; name is used in messages. */
int config_parse_hls4ml(const char *name, const char *text, size_t len, const project *p,
			config *c, strbuf *notes, berr *e);

/* The default starting config every strategy uses: ap_fixed<16,6> input, weight, bias and
 * result; accum as hls4ml's 'auto' infers it for the layer (lossless: e.g. ap_fixed<37,17> for
 * 16 inputs with bias); ReuseFactor 1; Latency. */
void config_default(const project *p, config *c);

/* Writes the canonical form to out: fully expanded per layer, keys sorted, type strings
 * normalised. Identical configs give identical bytes; this is what gets hashed. */
void config_write_canonical(const config *c, const project *p, strbuf *out);

/* Writes the config as an hls4ml HLSConfig YAML (Model defaults + LayerName), for pasting
 * into an hls4ml project. */
void config_write_hls4ml(const config *c, const project *p, strbuf *out);

/* hls4ml's rule for ReuseFactor under the Resource strategy. Returns true if valid; else
 * writes the nearest valid values below and above rf into *lo / *hi (0 if none). */
bool hls4ml_rf_valid(int n_in, int n_out, long rf, long *lo, long *hi);

/* Appends one line per layer whose RF hls4ml would reject, with the nearest valid ones.
 * Returns the number of such layers. */
int config_check_hls4ml(const config *c, const project *p, strbuf *report);

/* The type of layer i's input under c: the block input or the result of the layer before,
 * for up the gate's input, for down the product's type (c->layers[i-1].mul). */
const fx_type *config_input_type(const config *c, const project *p, int i);

/* The name of a weight format as the config spells it ("rom", "w8", "int4_g32", ...). */
const char *config_wfmt_name(weight_format f);

/* The INT4 group size of a weight format (32, 64, 128), 0 for rom and w8. */
int config_wfmt_group(weight_format f);

/* Checks that a layer of n_in inputs and n_out outputs can use format f (the GEMV kernels'
 * shape limits; INT4 groups must divide n_in). Returns 0, or -1 with the reason in e. */
int config_wfmt_fits(weight_format f, int n_in, int n_out, berr *e);

/* True if layer i of p cannot keep its weights on chip, so authors should propose a streamed
 * WeightFormat: its weights at 8 bits (the narrowest the authors propose) need more bits than
 * the part's BRAM18s hold, and the part has external memory (memory: gbps). */
bool config_wfmt_wanted(const project *p, int i);

/* The INT4 format with the largest group (128, 64, 32) that divides n_in; WF_W8 if none. */
weight_format config_wfmt_int4(int n_in);

/* An error naming the first layer of c with streamed weights (WeightFormat other than rom),
 * which what (e.g. "the RTL emitter") does not support; 0 if every layer is rom. */
int config_rom_only(const config *c, const project *p, const char *what, berr *e);

/* True if a and b are the same config. */
bool config_equal(const config *a, const config *b);

/* Frees c's storage. */
void config_free(config *c);

#endif
