/* export.h - one NanoCoder layer's MLP for the sweeps: its up and down projections as a
 * .safetensors file (F32, PyTorch's (out, in) layout) and real inputs of that MLP - the
 * LayerNorm output ln2 of the layer, captured while the model reads held-out text - as a .npy
 * calibration file. projects/nanocoder-v*-mlp-z2-trained.yaml read them. */
#ifndef BURN_NC_EXPORT_H
#define BURN_NC_EXPORT_H

#include <stddef.h>

#include "gen/util.h"
#include "lm/model.h"

/* Writes layer's MLP of m to path as safetensors: up.weight (M, C), up.bias (M), down.weight
 * (C, M), down.bias (C), all F32, with the model shape in __metadata__. */
int nc_export_mlp(const lm_model *m, int layer, const char *path, berr *e);

/* Runs m over ids (windows of ctx tokens from the start, at most 64 windows) and keeps rows
 * inputs of layer's MLP, evenly spaced over the positions read, in *x (rows, C); *pos gets
 * each row's token position (may be NULL). -1 with e set if ids are fewer than a window. */
int nc_capture_mlp_inputs(lm_model *m, int layer, const int *ids, size_t n, int rows,
			  double **x, size_t **pos, berr *e);

/* burn nanocoder export (argv without the subcommand). */
int nc_cmd_export(int argc, char **argv);

#endif
