/* test_synthrep.c - the report parsers of gen/synthrep.c: real Yosys stat -json and netlists
 * (tests/data/synth, written by Yosys 0.23 from the designs there), hand-written samples of
 * Vitis HLS and Vivado reports, the cell mapping, logic depth, malformed input (every
 * truncation, random mutations, deep nesting, wrong types), and the result writer. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/result.h"
#include "gen/synthrep.h"
#include "tests/unit/t.h"

static char *load(const char *name, size_t *len)
{
	const char *src = getenv("BURN_SRC");
	char path[1024];
	snprintf(path, sizeof path, "%s/tests/data/synth/%s", src ? src : ".", name);
	char *buf = NULL;
	berr e;
	if (read_file(path, SR_MAX_BYTES, &buf, len, &e) != 0) {
		printf("FAIL cannot read %s: %s\n", path, e.msg);
		exit(1);
	}
	return buf;
}

typedef int (*parser)(const char *, size_t, synthrep *, berr *);

static int parse_str(parser f, const char *s, synthrep *r, berr *e)
{
	sr_init(r);
	return f(s, strlen(s), r, e);
}

static long cell(const synthrep *r, const char *type)
{
	for (int k = 0; k < r->n_cells; k++)
		if (strcmp(r->cells[k].type, type) == 0)
			return r->cells[k].n;
	return -1;
}

static void test_stat_real(void)
{
	synthrep r;
	berr e;
	size_t n;
	char *s = load("mac4.stat.json", &n);
	sr_init(&r);
	CHECK(sr_yosys_stat(s, n, &r, &e) == 0, "%s", e.msg);
	/* LUT2 4 + LUT3 1 + LUT4 1 + LUT5 1 + LUT6 32 + INV 5 */
	CHECK(r.lut == 44, "mac4 lut %ld", r.lut);
	CHECK(r.ff == 131, "mac4 ff %ld (FDRE 127 + FDSE 4)", r.ff);
	CHECK(r.dsp == 4, "mac4 dsp %ld", r.dsp);
	CHECK(r.bram18 == 0 && r.lutram == 0 && r.carry == 0, "mac4 bram %ld lutram %ld carry %ld",
	      r.bram18, r.lutram, r.carry);
	CHECK(cell(&r, "BUFG") == 1, "cells keep the clock buffer");
	CHECK(strncmp(r.version, "Yosys 0.23", 10) == 0, "version '%s'", r.version);
	free(s);

	s = load("mix.stat.json", &n);
	sr_init(&r);
	CHECK(sr_yosys_stat(s, n, &r, &e) == 0, "%s", e.msg);
	CHECK(r.bram18 == 1 && r.ramb18 == 1 && r.ramb36 == 0, "mix bram18 %ld", r.bram18);
	CHECK(r.lutram == 8, "mix lutram %ld (2 RAM32M of 4 LUTs)", r.lutram);
	CHECK(r.carry == 3 && r.ff == 9 && r.lut == 1, "mix carry %ld ff %ld lut %ld", r.carry, r.ff,
	      r.lut);
	free(s);
}

static void test_stat_mapping(void)
{
	synthrep r;
	berr e;
	const char *s =
		"{\"creator\": \"Yosys 9.9\", \"modules\": {\"\\\\burn_top\": {\"num_cells\": 1}},"
		" \"design\": {\"num_cells\": 99, \"num_cells_by_type\": {"
		"\"LUT1\": 1, \"LUT6\": 10, \"LUT6_2\": 2, \"INV\": 3, \"LUT7\": 100,"
		"\"FDRE\": 5, \"FDCE\": 2, \"FDRE_1\": 1, \"LDCE\": 1,"
		"\"DSP48E2\": 7, \"RAMB18E2\": 3, \"RAMB36E2\": 2, \"FIFO36E1\": 1, \"URAM288\": 4,"
		"\"RAM64M\": 2, \"RAM32X1D\": 3, \"RAM128X1D\": 1, \"SRLC32E\": 5, \"SRL16E\": 1,"
		"\"CARRY8\": 6, \"CARRY4\": 1, \"MUXF7\": 2, \"MUXF8\": 1, \"MUXF9\": 1,"
		"\"BUFG\": 1, \"$_DFF_P_\": 3}}}";
	CHECK(parse_str(sr_yosys_stat, s, &r, &e) == 0, "%s", e.msg);
	CHECK(r.lut == 16, "LUT1..6, LUT6_2 and INV are LUTs (not LUT7): %ld", r.lut);
	CHECK(r.ff == 9, "FD* and LD* are registers: %ld", r.ff);
	CHECK(r.dsp == 7, "dsp %ld", r.dsp);
	CHECK(r.ramb18 == 3 && r.ramb36 == 3 && r.bram18 == 9, "ramb18 %ld ramb36 %ld bram18 %ld",
	      r.ramb18, r.ramb36, r.bram18);
	CHECK(r.uram == 4, "uram %ld", r.uram);
	CHECK(r.srl == 6, "srl %ld", r.srl);
	CHECK(r.lutram == 2 * 4 + 3 * 2 + 4 + 6, "lutram counts LUTs: %ld", r.lutram);
	CHECK(r.carry == 7 && r.muxf == 4, "carry %ld muxf %ld", r.carry, r.muxf);
	CHECK(cell(&r, "$_DFF_P_") == 3, "an unmapped cell is kept in cells");
	CHECK(strcmp(r.version, "Yosys 9.9") == 0, "version %s", r.version);

	/* no "design": the only module's counts */
	CHECK(parse_str(sr_yosys_stat, "{\"modules\": {\"\\\\top\": {\"num_cells_by_type\": {\"FDRE\": 2}}}}",
			&r, &e) == 0 && r.ff == 2, "one module: %s", e.msg);
	CHECK(parse_str(sr_yosys_stat,
			"{\"modules\": {\"a\": {\"num_cells_by_type\": {\"FDRE\": 2}}, \"b\": {}}}", &r,
			&e) != 0 && strstr(e.msg, "2 modules"), "two modules and no totals: %s", e.msg);
	CHECK(parse_str(sr_yosys_stat, "{\"design\": {\"num_cells_by_type\": {}}}", &r, &e) == 0 &&
	      r.lut == 0 && r.dsp == 0, "an empty design counts zero");
	CHECK(parse_str(sr_yosys_stat, "{\"design\": {\"num_cells_by_type\": {\"A\\u0042\": 1}}}", &r,
			&e) == 0 && cell(&r, "AB") == 1, "\\u escapes in names");
	CHECK(parse_str(sr_yosys_stat, "{\"design\": {\"num_cells_by_type\": {\"FDRE\": 1, \"FDRE\": 2}}}",
			&r, &e) == 0 && r.ff == 3, "a repeated type adds up");
}

static void test_stat_malformed(void)
{
	synthrep r;
	berr e;
	static const char *const bad[] = {
		"",
		"   ",
		"[]",
		"42",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": \"7\"}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": -1}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": 1.5}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": 1e300}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": {}}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": 1}}} x",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": 1,}}}",
		"{\"design\": {\"num_cells_by_type\": {FDRE: 1}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FD\nRE\": 1}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FD\\qRE\": 1}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": 01}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": 1}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\" 1}}}",
		"{\"design\": {\"num_cells_by_type\": {\"FDRE\": tru}}}",
		"{\"a\": \"\\u12\"}",
		"{}",
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++) {
		e.msg[0] = '\0';
		CHECK(parse_str(sr_yosys_stat, bad[k], &r, &e) != 0 && e.msg[0], "bad stat %zu accepted", k);
	}
	/* nesting deeper than SR_MAX_DEPTH */
	char deep[1000];
	size_t n = (size_t)sprintf(deep, "{\"a\": ");
	for (int i = 0; i < 200; i++)
		deep[n++] = '[';
	for (int i = 0; i < 200; i++)
		deep[n++] = ']';
	deep[n++] = '}';
	deep[n] = '\0';
	CHECK(parse_str(sr_yosys_stat, deep, &r, &e) != 0 && strstr(e.msg, "deep"), "deep: %s", e.msg);
	/* more cell types than kept */
	strbuf b = {0};
	sb_puts(&b, "{\"design\": {\"num_cells_by_type\": {");
	for (int i = 0; i < SR_MAX_CELLTYPES + 1; i++)
		sb_printf(&b, "%s\"T%d\": 1", i ? ", " : "", i);
	sb_puts(&b, "}}}");
	CHECK(parse_str(sr_yosys_stat, b.s, &r, &e) != 0 && strstr(e.msg, "cell types"), "%s", e.msg);
	sb_free(&b);
	/* a long type name is cut, not overflowed */
	sb_puts(&b, "{\"design\": {\"num_cells_by_type\": {\"");
	for (int i = 0; i < 5000; i++)
		sb_puts(&b, "X");
	sb_puts(&b, "\": 1}}}");
	CHECK(parse_str(sr_yosys_stat, b.s, &r, &e) == 0 && r.n_cells == 1 &&
	      strlen(r.cells[0].type) == SR_MAX_NAME - 1, "long name: %s", e.msg);
	sb_free(&b);
}

/* A netlist with one module and the given cells (JSON members). */
static char *netlist(const char *cells)
{
	strbuf b = {0};
	sb_printf(&b, "{\"creator\": \"Yosys\", \"modules\": {\"burn_top\": {\"ports\": {}, \"cells\": {%s}}}}",
		  cells);
	return b.s;
}

static void test_depth(void)
{
	synthrep r;
	berr e;
	size_t n;
	char *s = load("mix.netlist.json", &n);
	sr_init(&r);
	CHECK(sr_yosys_depth(s, n, &r, &e) == 0, "%s", e.msg);
	CHECK(r.logic_depth == 4 && r.depth_lut == 1 && r.depth_carry == 3 && r.depth_muxf == 0,
	      "mix: the 9-bit counter is an INV and 3 CARRY4: depth %ld (%ld/%ld/%ld)", r.logic_depth,
	      r.depth_lut, r.depth_carry, r.depth_muxf);
	free(s);

	/* port 2 -> LUT -> 3 -> CARRY4 -> 4 -> CARRY4 -> 5 -> MUXF7 -> 6 -> FDRE; a side LUT */
	char *t = netlist(
		"\"l\": {\"type\": \"LUT2\", \"connections\": {\"I0\": [2], \"I1\": [\"1\"], \"O\": [3]}},"
		"\"c1\": {\"type\": \"CARRY4\", \"connections\": {\"CI\": [\"0\"], \"S\": [3, 7, 7, 7], \"DI\": [\"0\", \"0\", \"0\", \"0\"], \"O\": [10, 11, 12, 13], \"CO\": [14, 15, 16, 4]}},"
		"\"c2\": {\"type\": \"CARRY4\", \"connections\": {\"CI\": [4], \"S\": [8, 8, 8, 8], \"O\": [20, 21, 22, 5], \"CO\": [23, 24, 25, 26]}},"
		"\"m\": {\"connections\": {\"I0\": [5], \"I1\": [9], \"S\": [2], \"O\": [6]}, \"type\": \"MUXF7\"},"
		"\"f\": {\"type\": \"FDRE\", \"connections\": {\"D\": [6], \"Q\": [7], \"C\": [1]}},"
		"\"side\": {\"type\": \"LUT6\", \"connections\": {\"I0\": [7], \"O\": [8]}}");
	CHECK(parse_str(sr_yosys_depth, t, &r, &e) == 0, "%s", e.msg);
	CHECK(r.logic_depth == 4 && r.depth_lut == 1 && r.depth_carry == 2 && r.depth_muxf == 1 &&
	      !r.depth_loop, "chain: depth %ld (%ld/%ld/%ld)", r.logic_depth, r.depth_lut, r.depth_carry,
	      r.depth_muxf);
	free(t);

	/* the flop ends the path: LUT -> FDRE -> LUT is depth 1 */
	t = netlist("\"a\": {\"type\": \"LUT1\", \"connections\": {\"I0\": [2], \"O\": [3]}},"
		    "\"f\": {\"type\": \"FDRE\", \"connections\": {\"D\": [3], \"Q\": [4]}},"
		    "\"b\": {\"type\": \"INV\", \"connections\": {\"I\": [4], \"O\": [5]}}");
	CHECK(parse_str(sr_yosys_depth, t, &r, &e) == 0 && r.logic_depth == 1, "flop cut: %ld",
	      r.logic_depth);
	free(t);

	/* a combinational loop: depth unknown */
	t = netlist("\"a\": {\"type\": \"LUT2\", \"connections\": {\"I0\": [2], \"I1\": [4], \"O\": [3]}},"
		    "\"b\": {\"type\": \"LUT1\", \"connections\": {\"I0\": [3], \"O\": [4]}}");
	CHECK(parse_str(sr_yosys_depth, t, &r, &e) == 0 && r.depth_loop && r.logic_depth == SR_NONE,
	      "loop: %ld", r.logic_depth);
	free(t);

	/* no logic at all */
	t = netlist("\"f\": {\"type\": \"FDRE\", \"connections\": {\"D\": [2], \"Q\": [3]}}");
	CHECK(parse_str(sr_yosys_depth, t, &r, &e) == 0 && r.logic_depth == 0, "flops only: %ld",
	      r.logic_depth);
	free(t);

	/* net numbers are per module: module b's net 3 is not module a's */
	const char *two =
		"{\"modules\": {"
		"\"a\": {\"cells\": {\"x\": {\"type\": \"LUT1\", \"connections\": {\"I0\": [2], \"O\": [3]}}}},"
		"\"b\": {\"cells\": {\"y\": {\"type\": \"LUT1\", \"connections\": {\"I0\": [3], \"O\": [4]}}}}}}";
	CHECK(parse_str(sr_yosys_depth, two, &r, &e) == 0 && r.logic_depth == 1, "two modules: %ld",
	      r.logic_depth);

	/* a long chain: no recursion limit */
	strbuf b = {0};
	for (int i = 0; i < 100000; i++)
		sb_printf(&b, "%s\"l%d\": {\"type\": \"LUT1\", \"connections\": {\"I0\": [%d], \"O\": [%d]}}",
			  i ? "," : "", i, i + 2, i + 3);
	t = netlist(b.s);
	CHECK(parse_str(sr_yosys_depth, t, &r, &e) == 0 && r.logic_depth == 100000, "chain of 100000: %ld",
	      r.logic_depth);
	free(t);
	sb_free(&b);

	static const char *const bad[] = {
		"[]",
		"{\"modules\": {\"m\": {\"cells\": {\"x\": {\"type\": 5}}}}}",
		"{\"modules\": {\"m\": {\"cells\": {\"x\": {\"type\": \"LUT1\", \"connections\": {\"O\": 3}}}}}}",
		"{\"modules\": {\"m\": {\"cells\": {\"x\": {\"type\": \"LUT1\", \"connections\": {\"O\": [-3]}}}}}}",
		"{\"modules\": {\"m\": {\"cells\": {\"x\": {\"type\": \"LUT1\", \"connections\": {\"O\": [2.5]}}}}}}",
		"{\"modules\": {\"m\": {\"cells\": {\"x\": {\"type\": \"LUT1\", \"connections\": {\"O\": [1e30]}}}}}}",
		"{\"modules\": {\"m\": {\"cells\": {\"x\": {\"type\": \"LUT1\", \"connections\": {\"O\": [[3]]}}}}}}",
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		CHECK(parse_str(sr_yosys_depth, bad[k], &r, &e) != 0, "bad netlist %zu accepted", k);
}

static void test_csynth(void)
{
	synthrep r;
	berr e;
	size_t n;
	char *s = load("sample_csynth.xml", &n);
	sr_init(&r);
	CHECK(sr_csynth_xml(s, n, &r, &e) == 0, "%s", e.msg);
	CHECK(r.lut == 9876 && r.ff == 4521 && r.dsp == 128 && r.bram18 == 2 && r.uram == 0,
	      "resources lut %ld ff %ld dsp %ld bram %ld uram %ld", r.lut, r.ff, r.dsp, r.bram18, r.uram);
	CHECK(r.latency_best == 13 && r.latency_worst == 14 && r.ii_min == 4 && r.ii_max == 5,
	      "latency %ld/%ld ii %ld/%ld", r.latency_best, r.latency_worst, r.ii_min, r.ii_max);
	CHECK(fabs(r.clock_ns_est - 6.912) < 1e-12 && fabs(r.target_clock_ns - 10) < 1e-12, "clock %g %g",
	      r.clock_ns_est, r.target_clock_ns);
	CHECK(strcmp(r.version, "2022.2") == 0 && strcmp(r.part, "xc7z020-clg400-1") == 0 &&
	      strcmp(r.top, "burn_top") == 0, "version %s part %s top %s", r.version, r.part, r.top);
	CHECK(r.lutram == SR_NONE && r.logic_depth == SR_NONE, "HLS does not report lutram or depth");
	free(s);

	/* older Vivado HLS: DSP48E, undef latency, attributes, comments, CDATA, a DOCTYPE */
	const char *old =
		"<?xml version=\"1.0\"?>\n<!DOCTYPE profile [<!ELEMENT profile ANY>]>\n"
		"<profile version='1'><!-- a > comment -->"
		"<PerformanceEstimates><SummaryOfOverallLatency>"
		"<Best-caseLatency>undef</Best-caseLatency><Worst-caseLatency>undef</Worst-caseLatency>"
		"<Interval-min><![CDATA[ 7 ]]></Interval-min><Interval-max>8</Interval-max>"
		"</SummaryOfOverallLatency></PerformanceEstimates>"
		"<AreaEstimates><Resources><BRAM_18K>0</BRAM_18K><DSP48E a=\"x>y\">3</DSP48E>"
		"<FF>10</FF><LUT>20</LUT><Empty/></Resources></AreaEstimates></profile>\n";
	CHECK(parse_str(sr_csynth_xml, old, &r, &e) == 0, "%s", e.msg);
	CHECK(r.dsp == 3 && r.latency_best == SR_NONE && r.latency_worst == SR_NONE && r.ii_min == 7 &&
	      r.ii_max == 8 && r.uram == SR_NONE && isnan(r.clock_ns_est), "old format: dsp %ld ii %ld",
	      r.dsp, r.ii_min);

	static const char *const bad[] = {
		"",
		"just text",
		"<notprofile><AreaEstimates/></notprofile>",
		"<profile><AreaEstimates><Resources><FF>1</FF><DSP>1</DSP><BRAM_18K>1</BRAM_18K></Resources></AreaEstimates></profile>",
		"<profile><AreaEstimates><Resources><LUT>-4</LUT></Resources></AreaEstimates></profile>",
		"<profile><AreaEstimates><Resources><LUT>lots</LUT></Resources></AreaEstimates></profile>",
		"<profile><AreaEstimates></Resources></AreaEstimates></profile>",
		"<profile><AreaEstimates>",
		"<profile></profile><profile></profile>",
		"<profile a=b></profile>",
		"<profile><!-- unterminated </profile>",
		"<profile><![CDATA[ x </profile>",
		"<profile><PerformanceEstimates><SummaryOfTimingAnalysis><EstimatedClockPeriod>fast</EstimatedClockPeriod></SummaryOfTimingAnalysis></PerformanceEstimates></profile>",
		"<profile>< /profile>",
		"text<profile></profile>",
	};
	for (size_t k = 0; k < sizeof bad / sizeof bad[0]; k++)
		CHECK(parse_str(sr_csynth_xml, bad[k], &r, &e) != 0, "bad csynth %zu accepted", k);
	strbuf b = {0};
	for (int i = 0; i < 100; i++)
		sb_puts(&b, "<a>");
	CHECK(parse_str(sr_csynth_xml, b.s, &r, &e) != 0 && strstr(e.msg, "deep"), "deep: %s", e.msg);
	sb_free(&b);
}

static void test_vivado(void)
{
	synthrep r;
	berr e;
	size_t n;
	char *s = load("sample_util.rpt", &n);
	sr_init(&r);
	CHECK(sr_vivado_util(s, n, &r, &e) == 0, "%s", e.msg);
	CHECK(r.lut == 8780 && r.lutram == 32 && r.srl == 8, "luts: logic %ld memory %ld srl %ld", r.lut,
	      r.lutram, r.srl);
	CHECK(r.ff == 4210 && r.dsp == 128, "ff %ld dsp %ld", r.ff, r.dsp);
	CHECK(r.bram18 == 5 && r.ramb36 == 2 && r.ramb18 == 1, "2.5 tiles = 5 BRAM18: %ld", r.bram18);
	CHECK(r.muxf == 46 && r.carry == 964 && r.uram == SR_NONE, "muxf %ld carry %ld uram %ld", r.muxf,
	      r.carry, r.uram);
	CHECK(strcmp(r.version, "Vivado v.2022.2") == 0 && strcmp(r.part, "xc7z020clg400-1") == 0 &&
	      strcmp(r.top, "burn_top") == 0, "version '%s' part '%s' top '%s'", r.version, r.part, r.top);
	free(s);

	s = load("sample_util_xcup.rpt", &n);
	sr_init(&r);
	CHECK(sr_vivado_util(s, n, &r, &e) == 0, "%s", e.msg);
	CHECK(r.lut == 20400 && r.ff == 41000 && r.dsp == 256 && r.bram18 == 32 && r.uram == 4 &&
	      r.carry == 612 && r.muxf == 10, "xcup: lut %ld ff %ld dsp %ld bram18 %ld uram %ld carry %ld",
	      r.lut, r.ff, r.dsp, r.bram18, r.uram, r.carry);
	free(s);

	/* an old report without the "LUT as Logic" split or the DSPs row */
	const char *old = "| Slice LUTs | 100 | 0 | 53200 | 0.19 |\n| LUT as Memory | 10 | 0 | 17400 | 0.06 |\n"
			  "| Slice Registers | 50 | 0 | 106400 | 0.05 |\n| RAMB18 | 3 | 0 | 280 | 1.07 |\n"
			  "| DSP48E1 | 2 | Block Arithmetic |\n";
	CHECK(parse_str(sr_vivado_util, old, &r, &e) == 0 && r.lut == 90 && r.lutram == 10 &&
	      r.bram18 == 3 && r.dsp == 2, "old: lut %ld bram %ld dsp %ld (%s)", r.lut, r.bram18, r.dsp, e.msg);

	CHECK(parse_str(sr_vivado_util, "", &r, &e) != 0, "empty util");
	CHECK(parse_str(sr_vivado_util, "| Slice LUTs | 1 |\n| Slice Registers | 2 |\n", &r, &e) != 0 &&
	      strstr(e.msg, "DSPs"), "missing DSPs: %s", e.msg);
	CHECK(parse_str(sr_vivado_util, "| Slice LUTs | x |\n", &r, &e) != 0, "non-number");

	s = load("sample_timing.rpt", &n);
	sr_init(&r);
	CHECK(sr_vivado_timing(s, n, &r, &e) == 0 && fabs(r.wns_ns - 1.234) < 1e-12, "wns %g (%s)", r.wns_ns,
	      e.msg);
	free(s);
	CHECK(parse_str(sr_vivado_timing, "    WNS(ns)  TNS(ns)\n    -------\n   -0.512  -3.1\n", &r, &e) == 0 &&
	      fabs(r.wns_ns + 0.512) < 1e-12, "negative slack %g", r.wns_ns);
	CHECK(parse_str(sr_vivado_timing, "WNS(ns) TNS(ns)\n-------\ninf inf\n", &r, &e) == 0 && isnan(r.wns_ns),
	      "no constrained paths");
	CHECK(parse_str(sr_vivado_timing, "WNS(ns)\n-------\nsoon\n", &r, &e) != 0, "bad WNS");
	CHECK(parse_str(sr_vivado_timing, "no table here\n", &r, &e) != 0, "no table");
}

/* Every prefix and many random mutations of each sample go through every parser: each
 * returns 0 or -1 with a message (the sanitizer build checks that nothing else happens). */
static void test_fuzz(void)
{
	static const char *const samples[] = {"mac4.stat.json", "mix.stat.json", "mix.netlist.json",
					      "sample_csynth.xml", "sample_util.rpt",
					      "sample_util_xcup.rpt", "sample_timing.rpt"};
	static const parser parsers[] = {sr_yosys_stat, sr_yosys_depth, sr_csynth_xml, sr_vivado_util,
					 sr_vivado_timing};
	uint64_t rng = 0x9E3779B97F4A7C15ull;
	long runs = 0, fails = 0;
	synthrep r;
	berr e;
	for (size_t k = 0; k < sizeof samples / sizeof samples[0]; k++) {
		size_t n;
		char *s = load(samples[k], &n);
		char *m = xmalloc(n + 64);
		/* prefixes (every one for small files, a spread for the netlist) */
		size_t step = n > 20000 ? n / 997 : 1;
		for (size_t cut = 0; cut < n; cut += step)
			for (size_t p = 0; p < 5; p++) {
				sr_init(&r);
				e.msg[0] = '\0';
				int rc = parsers[p](s, cut, &r, &e);
				runs++;
				if (rc != 0 && rc != -1)
					fails++;
				if (rc == -1 && !e.msg[0])
					fails++;
			}
		/* a truncated JSON document or XML tree is always an error */
		if (k <= 3) {
			sr_init(&r);
			CHECK(parsers[k <= 1 ? 0 : k == 2 ? 1 : 2](s, n / 2, &r, &e) != 0,
			      "%s cut in half accepted", samples[k]);
		}
		int trials = n > 20000 ? 60 : 400;
		for (int t = 0; t < trials; t++) {
			memcpy(m, s, n);
			int edits = 1 + (int)(rng % 8);
			for (int x = 0; x < edits; x++) {
				rng = rng * 6364136223846793005ull + 1442695040888963407ull;
				size_t at = (size_t)(rng >> 33) % n;
				static const char pool[] = "{}[]\":,<>/\\-0123456789eE.| \n\0x";
				m[at] = (rng >> 20) & 1 ? pool[(rng >> 8) % (sizeof pool - 1)] : (char)(rng >> 40);
			}
			for (size_t p = 0; p < 5; p++) {
				sr_init(&r);
				e.msg[0] = '\0';
				int rc = parsers[p](m, n, &r, &e);
				runs++;
				if ((rc != 0 && rc != -1) || (rc == -1 && !e.msg[0]))
					fails++;
			}
		}
		free(m);
		free(s);
	}
	CHECK(fails == 0, "%ld of %ld runs returned neither 0 nor an error", fails, runs);
}

static void test_write(void)
{
	synthrep r;
	sr_init(&r);
	r.lut = 10;
	r.ff = 20;
	r.dsp = 3;
	r.bram18 = 2;
	r.logic_depth = 5;
	r.depth_lut = 2;
	r.depth_carry = 3;
	r.depth_muxf = 0;
	r.n_cells = 1;
	snprintf(r.cells[0].type, sizeof r.cells[0].type, "FDRE");
	r.cells[0].n = 20;
	strbuf b = {0};
	sr_write(&b, "synth", "yosys", "Yosys 0.23", &r, 1.5);
	CHECK(strstr(b.s, "\"lut\": 10") && strstr(b.s, "\"uram\": null") &&
	      strstr(b.s, "\"latency_cycles\": null") && strstr(b.s, "\"wns_ns\": null") &&
	      strstr(b.s, "\"FDRE\": 20") && strstr(b.s, "\"carry\": 3"), "%s", b.s);
	/* it reads back as a result */
	char tmp[256];
	const char *td = getenv("TMPDIR");
	snprintf(tmp, sizeof tmp, "%s/test_synthrep.%ld.json", td && td[0] ? td : "/tmp", (long)getpid());
	FILE *f = fopen(tmp, "w");
	fwrite(b.s, 1, b.len, f);
	fclose(f);
	step_result sr;
	berr e;
	CHECK(result_read(tmp, &sr, &e) == 0 && sr.ok &&
	      strcmp(sr.step, "synth") == 0 && result_num(&sr, "dsp", -1) == 3 &&
	      isnan(result_num(&sr, "uram", NAN)), "read back: %s", e.msg);
	result_free(&sr);
	sb_free(&b);

	strbuf msg = {0};
	sb_puts(&msg, "HEAD");
	for (int i = 0; i < 5000; i++)
		sb_puts(&msg, "x");
	sb_puts(&msg, "TAIL \"quoted\"\n");
	sr_write_failed(&b, "synth", "yosys", NULL, msg.s, 2);
	f = fopen(tmp, "w");
	fwrite(b.s, 1, b.len, f);
	fclose(f);
	CHECK(result_read(tmp, &sr, &e) == 0 && !sr.ok && sr.error &&
	      strstr(sr.error, "TAIL \"quoted\"") && !strstr(sr.error, "HEAD") &&
	      strlen(sr.error) <= RESULT_ERROR_MAX, "failed result keeps the tail: %s", e.msg);
	result_free(&sr);
	remove(tmp);
	sb_free(&b);
	sb_free(&msg);
}

int main(void)
{
	test_stat_real();
	test_stat_mapping();
	test_stat_malformed();
	test_depth();
	test_csynth();
	test_vivado();
	test_fuzz();
	test_write();
	return t_done("test_synthrep");
}
