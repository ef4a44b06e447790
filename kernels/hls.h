/* hls.h - the HLS C++ project of one candidate config, in the layout hls4ml users know
 * (firmware/<top>.cpp, defines.h, parameters.h, weights/, a testbench, build_prj.tcl for
 * vitis_hls and vivado_synth.tcl for an out-of-context Vivado synthesis). docs/HLS.md has the
 * layout and what was tested. Pure text generation: no I/O. */
#ifndef BURN_HLS_H
#define BURN_HLS_H

#include "gen/config.h"
#include "gen/project.h"

/* One emitted file: its path relative to the project folder, and its text. */
typedef struct {
	char *path;
	strbuf text;
} hls_file;

typedef struct {
	int n;
	hls_file *files;
} hls_project;

typedef struct {
	const char *top;          /* top function and module name (an identifier) */
	/* Burn csim's fixed-point block outputs for the calibration inputs (n_vectors * n_out of
	 * the last layer), written as the testbench's expected outputs; NULL: none. */
	const double *expected;
} hls_options;

/* Emits the project of config c for p (block with weights and calibration loaded, part,
 * clock). Errors (a bad top name, a config that does not fit the block) leave out empty. */
int hls_emit(const project *p, const config *c, const hls_options *o, hls_project *out, berr *e);

/* The file at path in h, or NULL. */
const hls_file *hls_find(const hls_project *h, const char *path);

/* Frees h. */
void hls_project_free(hls_project *h);

#endif
