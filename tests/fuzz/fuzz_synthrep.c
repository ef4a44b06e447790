/* fuzz_synthrep.c - the synthesis report parsers (gen/synthrep.c) on arbitrary bytes. The
 * first byte picks the parser: Yosys stat JSON, Yosys netlist JSON (logic depth), Vitis HLS
 * csynth.xml, Vivado utilization, Vivado timing summary. What parses must be written by
 * sr_write without trouble, and no figure may be negative except "not reported". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/synthrep.h"
#include "tests/fuzz/fuzz.h"

typedef int (*parser)(const char *, size_t, synthrep *, berr *);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const parser parsers[] = {sr_yosys_stat, sr_yosys_depth, sr_csynth_xml,
					 sr_vivado_util, sr_vivado_timing};
	if (size < 1)
		return 0;
	parser f = parsers[data[0] % (sizeof parsers / sizeof parsers[0])];
	/* the parsers take text of len bytes; give them an exact copy (no terminator) */
	size_t len = size - 1;
	char *text = malloc(len ? len : 1);
	if (!text)
		abort();
	memcpy(text, data + 1, len);
	synthrep *r = malloc(sizeof *r);
	if (!r)
		abort();
	sr_init(r);
	berr e;
	if (f(text, len, r, &e) == 0) {
		const long figs[] = {r->lut, r->ff, r->dsp, r->bram18, r->ramb18, r->ramb36, r->uram,
				     r->lutram, r->srl, r->carry, r->muxf, r->logic_depth};
		for (size_t i = 0; i < sizeof figs / sizeof figs[0]; i++)
			FUZZ_ASSERT(figs[i] >= 0 || figs[i] == SR_NONE);
		FUZZ_ASSERT(r->n_cells >= 0 && r->n_cells <= SR_MAX_CELLTYPES);
		FUZZ_ASSERT(memchr(r->version, '\0', sizeof r->version) != NULL);
		FUZZ_ASSERT(memchr(r->part, '\0', sizeof r->part) != NULL);
		FUZZ_ASSERT(memchr(r->top, '\0', sizeof r->top) != NULL);
		strbuf b = {0};
		sr_write(&b, "synth", "yosys", NULL, r, 1.0);
		FUZZ_ASSERT(b.len > 0);
		sb_free(&b);
	} else {
		FUZZ_ASSERT(e.msg[0] != '\0');
	}
	free(r);
	free(text);
	return 0;
}
