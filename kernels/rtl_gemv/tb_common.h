// tb_common.h - what the Verilator testbenches of this folder (tb_gemv.cpp, tb_rope.cpp,
// tb_softmax.cpp) share: the command line (STIMULUS OUT), errors, the pseudo-random stalls of
// sources and sinks, the clock, and the output file. A testbench exits 0 when it wrote its
// output, 2 on any error (one line on stderr naming the testbench). burn kernels copies this
// header into each build folder (gen/cmd_kernels.c), so it is part of the build's key.
#ifndef TB_COMMON_H
#define TB_COMMON_H

#include <cstdint>
#include <cstdio>
#include "verilated.h"

static const char *tb_name = "tb";

// Prints "NAME: MSG" on stderr; returns the exit status of a failed run.
static inline int fail(const char *msg)
{
	fprintf(stderr, "%s: %s\n", tb_name, msg);
	return 2;
}

// Checks the command line (Vtop STIMULUS OUT) and opens the stimulus; NULL after an error.
static inline FILE *tb_open(const char *name, int argc, char **argv)
{
	tb_name = name;
	Verilated::commandArgs(argc, argv);
	if (argc != 3) {
		fail("usage: Vtop STIMULUS OUT");
		return NULL;
	}
	FILE *f = fopen(argv[1], "r");
	if (!f)
		fail("cannot open the stimulus");
	return f;
}

// The stalls: with a non-zero seed, a source or sink pauses in about 3 of 10 cycles.
static uint64_t lfsr = 1;
static inline void stall_seed(unsigned seed)
{
	lfsr = seed ? seed : 1;
}
static inline bool stall(unsigned seed)
{
	if (!seed)
		return false;
	lfsr ^= lfsr << 13;
	lfsr ^= lfsr >> 7;
	lfsr ^= lfsr << 17;
	return (lfsr % 10) < 3;
}

// One clock cycle of top.
template <class T> static void tick(T *top)
{
	top->clk = 1;
	top->eval();
	top->clk = 0;
	top->eval();
}

// Holds top in reset for n cycles with its input stream idle and its output not ready (the
// units with in_valid/in_ready and out_valid/out_ready streams).
template <class T> static void tb_reset_stream(T *top, int n)
{
	top->rst = 1;
	top->in_valid = 0;
	top->out_ready = 0;
	for (int i = 0; i < n; i++)
		tick(top);
	top->rst = 0;
}

// tb_open, then the header "N STALL" that the units' stimuli (RoPE, softmax) start with:
// *n and *seed set, the stalls seeded. NULL after an error.
static inline FILE *tb_open_unit(const char *name, int argc, char **argv, unsigned *n,
				 unsigned *seed)
{
	FILE *f = tb_open(name, argc, argv);
	if (f && fscanf(f, "%u %u", n, seed) != 2) {
		fail("bad stimulus");
		fclose(f);
		return NULL;
	}
	if (f)
		stall_seed(*seed);
	return f;
}

// Streams n_in inputs into a unit (in_valid/in_ready; drive(i) sets input i's data) and takes
// n_out outputs (out_valid/out_ready; take() writes one), source and sink stalling at random
// with a non-zero seed. The cycles it took, or -1 after more than limit cycles.
template <class T, class D, class E>
static long tb_stream(T *top, size_t n_in, size_t n_out, long limit, unsigned seed, D drive,
		      E take)
{
	size_t in = 0, out = 0;
	long cycles = 0;
	while (out < n_out) {
		if (cycles > limit)
			return -1;
		top->in_valid = in < n_in && !stall(seed);
		if (in < n_in)
			drive(in);
		top->out_ready = !stall(seed);
		top->eval();
		bool inf = top->in_valid && top->in_ready;
		if (top->out_valid && top->out_ready) {
			take();
			out++;
		}
		in += inf;
		tick(top);
		cycles++;
	}
	return cycles;
}

// Creates the output file; NULL after an error.
static inline FILE *tb_create(const char *path)
{
	FILE *o = fopen(path, "w");
	if (!o)
		fail("cannot write the output");
	return o;
}

// Writes "cycles C" (and "xcycles X" unless X < 0) and closes the output; the exit status.
static inline int tb_finish(FILE *o, long cycles, long xcycles)
{
	fprintf(o, "cycles %ld\n", cycles);
	if (xcycles >= 0)
		fprintf(o, "xcycles %ld\n", xcycles);
	return fclose(o) == 0 ? 0 : fail("cannot write the output");
}

#endif
