/* fuzz_project.c - the project YAML loader (gen/project.c, gen/ydoc.c) on arbitrary bytes:
 * project_load must return 0 or an error, never crash, leak or read out of bounds. Data files
 * are not loaded (load_data false): fuzz_tensor covers their readers. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/project.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("project.yaml", data, size);
	project p;
	berr e;
	if (project_load(path, false, &p, &e) == 0) {
		FUZZ_ASSERT(p.n_layers >= 0 && p.n_layers <= MAX_LAYERS);
		for (int k = 0; k < p.n_layers; k++)
			FUZZ_ASSERT(p.layers[k].n_in >= 1 && p.layers[k].n_in <= MAX_LAYER_DIM &&
				    p.layers[k].n_out >= 1 && p.layers[k].n_out <= MAX_LAYER_DIM);
		project_free(&p);
	} else {
		FUZZ_ASSERT(e.msg[0] != '\0');
	}
	return 0;
}
