// tb_softmax.cpp - the Verilator testbench of softmax_unit.v. Stimulus: "NV STALL", then per
// vector its length and scores (decimal int32). Writes one probability (Q0.15) per line, an
// "L" after a vector's last one if out_last was set there, then "cycles C". The exp table is
// read by the design from softmax_exp.hex in the working folder. With a non-zero stall seed
// the source and the sink pause at pseudo-random cycles.
#include <cstdio>
#include <cstdint>
#include <vector>
#include "verilated.h"
#include "Vsoftmax_unit.h"

static uint64_t lfsr = 1;
static bool stall(unsigned seed)
{
	if (!seed)
		return false;
	lfsr ^= lfsr << 13;
	lfsr ^= lfsr >> 7;
	lfsr ^= lfsr << 17;
	return (lfsr % 10) < 3;
}

int main(int argc, char **argv)
{
	Verilated::commandArgs(argc, argv);
	if (argc != 3) {
		fprintf(stderr, "usage: Vtop STIMULUS OUT\n");
		return 2;
	}
	FILE *f = fopen(argv[1], "r");
	unsigned nv, seed;
	if (!f || fscanf(f, "%u %u", &nv, &seed) != 2) {
		fprintf(stderr, "tb_softmax: bad stimulus\n");
		return 2;
	}
	lfsr = seed ? seed : 1;
	std::vector<int> xs, last;
	for (unsigned v = 0; v < nv; v++) {
		unsigned n;
		if (fscanf(f, "%u", &n) != 1 || n == 0) {
			fprintf(stderr, "tb_softmax: bad vector length\n");
			return 2;
		}
		for (unsigned i = 0; i < n; i++) {
			int x;
			if (fscanf(f, "%d", &x) != 1) {
				fprintf(stderr, "tb_softmax: short stimulus\n");
				return 2;
			}
			xs.push_back(x);
			last.push_back(i + 1 == n);
		}
	}
	fclose(f);
	FILE *o = fopen(argv[2], "w");
	if (!o)
		return 2;
	Vsoftmax_unit *top = new Vsoftmax_unit;
	auto tick = [&]() {
		top->clk = 1;
		top->eval();
		top->clk = 0;
		top->eval();
	};
	top->rst = 1;
	top->in_valid = 0;
	top->out_ready = 0;
	for (int i = 0; i < 3; i++)
		tick();
	top->rst = 0;
	size_t in = 0, out = 0;
	long cycles = 0;
	while (out < xs.size()) {
		if (cycles > 100L * (long)xs.size() + 1000L * nv + 100) {
			fprintf(stderr, "tb_softmax: timed out\n");
			return 2;
		}
		top->in_valid = in < xs.size() && !stall(seed);
		if (in < xs.size()) {
			top->in_data = (uint32_t)xs[in];
			top->in_last = last[in];
		}
		top->out_ready = !stall(seed);
		top->eval();
		bool inf = top->in_valid && top->in_ready;
		if (top->out_valid && top->out_ready) {
			fprintf(o, "%u%s\n", (unsigned)top->out_data, top->out_last ? " L" : "");
			out++;
		}
		in += inf;
		tick();
		cycles++;
	}
	fprintf(o, "cycles %ld\n", cycles);
	delete top;
	return fclose(o) == 0 ? 0 : 2;
}
