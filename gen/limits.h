/* limits.h - every bound burn enforces on what it reads, runs or is asked to build, in one
 * place. Exceeding one is an error naming the file (and line, column and key where there is
 * one) and the limit; docs/RELIABILITY.md lists them with the tests that prove them. The
 * modules' own names (MAX_LAYER_DIM, SR_MAX_BYTES, ...) are defined from these. */
#ifndef BURN_LIMITS_H
#define BURN_LIMITS_H

enum {
	/* The block (project files) */
	LIM_LAYERS = 64,                /* layers of a block */
	LIM_LAYER_DIM = 65536,          /* n_in and n_out of a layer */
	LIM_LAYER_WEIGHTS = 1 << 26,    /* n_in * n_out of a layer */
	LIM_CALIB_VECTORS = 1 << 16,    /* calibration vectors */
	LIM_CALIB_VALUES = 1 << 26,     /* calibration vectors * n_in of the first layer */
	LIM_NAME = 64,                  /* bytes of a layer, part or project name (with the NUL) */
	/* The search */
	LIM_ROUNDS = 90,                /* Ninja restarts a build at most 100 times */
	LIM_PER_ROUND = 100000,         /* candidates per round (and in one candidates.json) */
	/* A candidate config */
	LIM_CONFIG_BYTES = 1 << 20,     /* bytes of one config (file, or text from an author) */
	LIM_REUSE = 1 << 26,            /* ReuseFactor */
	/* Files read */
	LIM_YAML_BYTES = 64 << 20,      /* any YAML or JSON file read through gen/ydoc */
	LIM_YAML_DEPTH = 64,            /* nesting in one */
	LIM_REPORT_BYTES = 512 << 20,   /* a tool's report or netlist (Yosys, Vitis HLS, Vivado) */
	/* External author commands */
	LIM_AUTHOR_OUTPUT = 4 << 20,    /* stdout bytes read by default (search.max_output) */
	LIM_AUTHOR_OUTPUT_MAX = 1 << 30, /* largest search.max_output a project may set */
};

/* Run time of a step. External tools run under a wall-clock limit (then SIGTERM, and
 * SIGKILL 2 s later); burn's own steps are bounded by the work they may be given. */
#define LIM_AUTHOR_TIMEOUT_S 300.0          /* default search.timeout_s */
#define LIM_AUTHOR_TIMEOUT_MAX_S 86400.0    /* largest search.timeout_s */
#define LIM_TRAIN_TIMEOUT_S 3600.0          /* default search.train_timeout_s */
#define LIM_TRAIN_TIMEOUT_MAX_S 604800.0    /* largest search.train_timeout_s */
#define LIM_SYNTH_TIMEOUT_S 1800.0          /* default hardware.synth_timeout_s */
#define LIM_SYNTH_TIMEOUT_MAX_S 604800.0    /* largest hardware.synth_timeout_s */
#define LIM_VENDOR_TIMEOUT_S 7200.0         /* default hardware.vendor_timeout_s, burn hls/vivado --timeout */
/* Multiply-accumulates of one csim: calibration vectors * the block's MACs. At the 113 M
 * MAC/s of docs/PERFORMANCE.md this is about 10 minutes of one core. */
#define LIM_CSIM_MACS (1LL << 36)

#endif
