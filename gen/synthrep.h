/* synthrep.h - reports of synthesis tools read into one struct, and the one writer of the
 * synth, hls and vivado result files: Yosys `stat -json` and `write_json` netlists, Vitis HLS
 * `<top>_csynth.xml`, Vivado `report_utilization` and `report_timing_summary` text.
 * The parsers are pure (bytes in, struct out, no I/O), bounded, and strict: a malformed report
 * is an error, never a made-up number. docs/SYNTH.md has the cell mapping. */
#ifndef BURN_SYNTHREP_H
#define BURN_SYNTHREP_H

#include "gen/limits.h"
#include "gen/util.h"

/* Limits on what the parsers accept. */
enum {
	SR_MAX_BYTES = LIM_REPORT_BYTES, /* largest report or netlist */
	SR_MAX_DEPTH = 64,         /* JSON / XML nesting */
	SR_MAX_CELLTYPES = 256,    /* distinct cell types kept from a stat */
	SR_MAX_NAME = 64,          /* cell type, version, part names (longer ones are cut) */
};

/* A figure the tool did not report (written as null). */
#define SR_NONE (-1L)

typedef struct {
	char type[SR_MAX_NAME];
	long n;
} sr_cell;

typedef struct {
	/* Resources. lut counts LUTs used as logic, lutram LUTs used as memory (distributed RAM
	 * and shift registers; Vivado's "Slice LUTs" is lut + lutram). bram18 is in BRAM18
	 * equivalents (RAMB18 + 2 * RAMB36). */
	long lut, ff, dsp, bram18, ramb18, ramb36, uram, lutram, srl, carry, muxf;
	/* Logic levels of the longest register-to-register path of a mapped netlist, as Vivado
	 * counts them (LUT, CARRY and MUXF cells), and how many of each are on it. */
	long logic_depth, depth_lut, depth_carry, depth_muxf;
	bool depth_loop;           /* the netlist has a combinational loop (depth unknown) */
	/* Performance (HLS): cycles, and the estimated clock period; Vivado's worst slack. */
	long latency_best, latency_worst, ii_min, ii_max;
	double clock_ns_est, target_clock_ns, wns_ns; /* NAN when not reported */
	char version[SR_MAX_NAME]; /* tool version from the report ("" if none) */
	char part[SR_MAX_NAME];    /* device from the report ("" if none) */
	char top[SR_MAX_NAME];     /* top function / design name ("" if none) */
	int n_cells;               /* Yosys: cell counts by type, as in the stat */
	sr_cell cells[SR_MAX_CELLTYPES];
} synthrep;

/* Sets every figure to "not reported". */
void sr_init(synthrep *r);

/* Reads Yosys `stat -json` output: the design's cell counts (its "design" totals, or its only
 * module's), mapped to resources as docs/SYNTH.md says. */
int sr_yosys_stat(const char *text, size_t len, synthrep *r, berr *e);

/* Reads a Yosys `write_json` netlist of a mapped design and sets logic_depth and depth_*:
 * the most LUT/INV, CARRY4/8 and MUXF7/8/9 cells on one path between registers, memories,
 * DSPs or ports (every other cell type ends a path). A loop sets depth_loop instead. */
int sr_yosys_depth(const char *text, size_t len, synthrep *r, berr *e);

/* Reads a Vitis HLS (or Vivado HLS) `<top>_csynth.xml`: latency, interval, estimated clock,
 * BRAM_18K, DSP (or DSP48E), FF, LUT, URAM; "undef" latencies stay "not reported". */
int sr_csynth_xml(const char *text, size_t len, synthrep *r, berr *e);

/* Reads a Vivado `report_utilization` text report (7-series "Slice" or UltraScale "CLB"
 * wording). */
int sr_vivado_util(const char *text, size_t len, synthrep *r, berr *e);

/* Reads the worst negative slack of a Vivado `report_timing_summary` text report into
 * wns_ns (NAN when the design has no constrained paths). */
int sr_vivado_timing(const char *text, size_t len, synthrep *r, berr *e);

/* Writes the result {"step": step, "status": "ok", "tool": tool, ...figures..., "seconds"};
 * figures not reported are null; latency_ns is the worst latency at the target clock when
 * both are known. tool_version NULL takes the report's. */
void sr_write(strbuf *b, const char *step, const char *tool, const char *tool_version,
	      const synthrep *r, double seconds);

/* Appends "; log tail:\n" and the last whole lines of a tool's output (about 1200 bytes at
 * most, so that the head of the message survives the cut to RESULT_ERROR_MAX) to msg. */
void sr_add_tail(strbuf *msg, const char *tail);

/* Writes {"step", "status": "failed", "tool", "tool_version", "error": tail of msg,
 * "seconds"}. */
void sr_write_failed(strbuf *b, const char *step, const char *tool, const char *tool_version,
		     const char *msg, double seconds);

#endif
