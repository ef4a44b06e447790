/* project.h - the project model: block, weights, calibration inputs, FPGA part, bounds, search
 * and reward settings, loaded from a project YAML (or a facet of one: any subset of its sections). */
#ifndef BURN_PROJECT_H
#define BURN_PROJECT_H

#include "gen/limits.h"
#include "gen/util.h"

/* Limits on what a project may ask for. */
enum {
	MAX_LAYERS = LIM_LAYERS,
	MAX_LAYER_DIM = LIM_LAYER_DIM,         /* n_in and n_out */
	MAX_LAYER_WEIGHTS = LIM_LAYER_WEIGHTS, /* n_in * n_out */
	MAX_CALIB_VECTORS = LIM_CALIB_VECTORS,
	MAX_CALIB_VALUES = LIM_CALIB_VALUES,   /* n * n_in of the first layer */
	MAX_NAME = LIM_NAME,
	MAX_CSIM_JOBS = 1024,
};

typedef enum { ACT_LINEAR, ACT_RELU } activation;

/* What a layer is: a plain dense layer (fed by the layer before), or one of the three
 * projections of a SwiGLU MLP, y = down(silu(gate(x)) * up(x)) (docs/PROJECT.md): gate and
 * up both read the block input of the swiglu entry, down reads the elementwise product. A
 * swiglu entry of block.layers becomes three consecutive layers gate, up, down. */
typedef enum { LK_DENSE, LK_GATE, LK_UP, LK_DOWN } layer_kind;

typedef struct {
	char name[MAX_NAME];   /* layer name, an identifier; "input" is reserved */
	layer_kind kind;
	char group[MAX_NAME];  /* swiglu projections: the name of the swiglu entry, else "" */
	char ew_name[MAX_NAME]; /* the elementwise layer after this one, named in configs:
				 * <group>_silu after gate, <group>_mul after up; else "" */
	int n_in, n_out;
	activation act;
	bool bias;
	char *w_tensor;        /* tensor name/file for weights from a file, or NULL */
	char *b_tensor;        /* same for the bias */
	double *w;             /* n_in*n_out, w[i*n_out + j] (input i, output j) */
	double *b;             /* n_out, or NULL without bias */
	char act_name[MAX_NAME]; /* hls4ml's name of the separate activation layer of an imported
				  * model (e.g. fc1_relu_relu, Relu), or "" */
} layer;

/* Where weights come from; SRC_MODEL: the block's model file (block.keras or block.onnx). */
typedef enum { SRC_RANDOM, SRC_NPY, SRC_SAFETENSORS, SRC_MODEL } tensor_source;
typedef enum { DIST_NORMAL, DIST_UNIFORM } distribution;

typedef struct {
	tensor_source source;
	long seed;
	distribution dist;
	double scale;          /* std dev (normal) or half-width (uniform); 0 = 1/sqrt(n_in) */
	char *file;            /* safetensors file or folder for .npy files, resolved path */
	bool out_in;           /* file tensors are [n_out, n_in] (PyTorch) instead of [n_in, n_out] */
} weights_spec;

typedef struct {
	tensor_source source;  /* SRC_RANDOM or SRC_NPY */
	long seed;
	long n;                /* number of vectors */
	distribution dist;
	double scale;
	char *file;            /* .npy of shape [n, n_in] */
	double *x;             /* n * n_in of the first layer, loaded */
} calib_spec;

typedef struct {
	char name[MAX_NAME];   /* e.g. "pynq-z2" */
	char device[MAX_NAME]; /* e.g. "xc7z020clg400-1" */
	char family[16];       /* Yosys synth_xilinx family: "xc7" or "xcup" */
	long lut, ff, dsp, bram18, uram, lutram_bits;
	int dsp_a, dsp_b;      /* DSP multiplier operand widths (25x18 for DSP48E1, 27x18 for E2) */
	double mem_gbps;       /* off-chip memory bandwidth (DDR or HBM) */
	double mem_gib;        /* off-chip memory size */
	char mem_kind[16];     /* "ddr3", "ddr4", "hbm" */
	long mem_channels;     /* independent channels sharing mem_gbps (HBM pseudo-channels), 1 if unset */
} part;

typedef enum { STRAT_HEURISTIC, STRAT_RANDOM, STRAT_RF, STRAT_COMMAND, STRAT_LM, STRAT_LM_TTT,
	STRAT_N } search_strategy;

/* The LM author's pretraining recipes (author/lmauthor.c has their settings). */
typedef enum { LM_RECIPE_BASE, LM_RECIPE_TINY, LM_RECIPE_N } lm_recipe_id;

typedef struct {
	search_strategy strategy;
	long rounds;
	long per_round;
	long seed;
	char *start;           /* an hls4ml config file (resolved path) to evaluate as round 0's
				* first candidate (config_load_hls4ml), or NULL */
	long pool;             /* rf: candidates scored per round (0: AUTHOR_RF_POOL) */
	char **command;        /* command: the author's argv, NULL-terminated, or NULL */
	double timeout_s;      /* command: time limit (0: AUTHOR_CMD_TIMEOUT_S) */
	long max_output;       /* command: stdout bound in bytes (0: AUTHOR_CMD_MAX_OUTPUT) */
	char **train_command;  /* the trainer's argv, NULL-terminated, or NULL */
	double train_timeout_s;
	lm_recipe_id lm_recipe; /* lm, lm-ttt: the base model's recipe (default base) */
	bool lm_grammar;        /* lm, lm-ttt: sample inside the completion grammar (default true) */
} search_spec;

typedef struct {
	double w_latency, w_lut, w_ff, w_dsp, w_bram;
	double latency_ref_ns; /* latency normaliser; 0 = derived (one multiplier, all MACs) */
} reward_spec;

typedef struct {
	char *launcher;        /* prefix for heavy steps ("srun -N1 -n1"), or NULL */
	long csim_jobs;        /* depth of the csim pool (default 2) */
} run_spec;

/* hardware.vendor: whether promoted candidates also go through Vitis HLS and Vivado. */
typedef enum {
	VENDOR_AUTO,           /* when burn gen finds vitis_hls (and vivado) on PATH */
	VENDOR_ON,             /* always; burn gen fails when the tools are not on PATH */
	VENDOR_OFF,            /* never */
} vendor_mode;

/* Multi-fidelity evaluation (docs/GENERATOR.md): after csim and the estimate, the top_k
 * candidates of each round by estimated reward (or every valid one with all) get RTL, a
 * Verilator co-simulation and Yosys synthesis, and (vendor) Vitis HLS and Vivado, and their
 * reward uses those numbers. */
typedef struct {
	long top_k;            /* candidates promoted per round (0: none) */
	bool all;              /* promote every valid candidate */
	bool rtlsim;           /* run the Verilator co-simulation on promoted candidates */
	bool synth;            /* run Yosys on promoted candidates */
	double synth_timeout_s;
	long synth_jobs;       /* depth of the synth pool */
	vendor_mode vendor;    /* Vitis HLS + Vivado on promoted candidates (docs/HLS.md) */
	double vendor_timeout_s; /* time limit of each vitis_hls and vivado run */
	int vendor_line, vendor_col; /* where the vendor key is (0: absent), for gen's errors */
} hw_spec;

/* top_k when a hardware section does not give it: the two best of each round */
#define HW_TOP_K_DEFAULT 2

/* The name of a vendor mode as projects spell it ("auto", "on", "off"). */
const char *vendor_mode_name(vendor_mode m);

/* Where a block's layers and weights come from: its own layers, or a model file. */
typedef enum { MODEL_NONE, MODEL_KERAS, MODEL_ONNX } model_kind;

typedef struct {
	model_kind kind;
	char *json, *h5;       /* Keras: architecture JSON and HDF5 weights (resolved paths) */
	char *onnx;            /* ONNX: the model file (resolved path) */
	char input_name[MAX_NAME];   /* hls4ml's name of the model's input layer, or "" */
	char softmax_name[MAX_NAME]; /* hls4ml's name of its softmax layer, or "" */
} model_spec;

/* Which sections a loaded file had. */
enum {
	HAS_BLOCK = 1, HAS_WEIGHTS = 2, HAS_CALIB = 4, HAS_PART = 8, HAS_CLOCK = 16,
	HAS_EPS = 32, HAS_SEARCH = 64, HAS_REWARD = 128, HAS_RUN = 256, HAS_HW = 512,
};

typedef struct {
	char *path;            /* the file it was loaded from */
	char *dir;             /* its folder (relative paths inside resolve against it) */
	char name[MAX_NAME];
	unsigned has;          /* HAS_* bits */
	int n_layers;
	layer *layers;
	weights_spec weights;
	calib_spec calib;
	part part;
	double clock_ns;
	double eps_max;
	search_spec search;
	reward_spec reward;
	run_spec run;
	hw_spec hw;
	/* Every file the project loads besides itself (weights, calibration, part file), as
	 * resolved paths: the generator's regenerate edge and the cache keys depend on them. */
	int n_inputs;
	char **inputs;
	/* A softmax after the last layer (block.output: softmax, or a model's final Softmax). It
	 * has no fixed-point implementation yet: csim applies it in float (double) to both the
	 * fixed-point output and the reference. */
	bool softmax;
	model_spec model;      /* block.keras / block.onnx, or kind MODEL_NONE */
} project;

/* Loads a project (or facet) YAML and its weight and calibration data. Errors name
 * file:line:column and the key. The data is loaded only when load_data is true. */
int project_load(const char *path, bool load_data, project *p, berr *e);

/* Checks that p has all sections in mask (HAS_*); else an error naming the file. */
int project_require(const project *p, unsigned mask, berr *e);

/* The name of a search strategy as projects spell it ("heuristic", "rf", ...). */
const char *search_strategy_name(search_strategy s);

/* The name of an LM recipe as projects spell it ("base", "tiny"). */
const char *lm_recipe_name(lm_recipe_id r);

/* Frees everything p holds. */
void project_free(project *p);

/* Loads an FPGA part by name from the parts folders (the project's "parts/" folder,
 * then $BURN_PARTS, then the installed data folder). */
int part_load_named(const char *name, const char *project_dir, part *out, berr *e);

/* 0 if the block is a chain of dense layers; else (a swiglu entry) an error saying that
 * what (e.g. "the RTL emitter") does not support it. */
int project_dense_chain(const project *p, const char *what, berr *e);

/* Total multiply-accumulates of one inference of the block. */
long project_macs(const project *p);

#endif
