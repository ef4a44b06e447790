// tb_rope.cpp - the Verilator testbench of rope_rot.v. Stimulus: "N STALL" then N lines
// "x0 x1 c s" (decimal int16); writes N lines "y0 y1" and "cycles C". With a non-zero stall
// seed the source and the sink pause at pseudo-random cycles.
#include <cstdio>
#include <cstdint>
#include <vector>
#include "verilated.h"
#include "Vrope_rot.h"

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
	unsigned n, seed;
	if (!f || fscanf(f, "%u %u", &n, &seed) != 2) {
		fprintf(stderr, "tb_rope: bad stimulus\n");
		return 2;
	}
	lfsr = seed ? seed : 1;
	std::vector<int> v(4 * (size_t)n);
	for (auto &x : v)
		if (fscanf(f, "%d", &x) != 1) {
			fprintf(stderr, "tb_rope: short stimulus\n");
			return 2;
		}
	fclose(f);
	FILE *o = fopen(argv[2], "w");
	if (!o)
		return 2;
	Vrope_rot *top = new Vrope_rot;
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
	while (out < n) {
		if (cycles > 100L * n + 100) {
			fprintf(stderr, "tb_rope: timed out\n");
			return 2;
		}
		top->in_valid = in < n && !stall(seed);
		if (in < n) {
			top->x0 = (uint16_t)v[4 * in];
			top->x1 = (uint16_t)v[4 * in + 1];
			top->c = (uint16_t)v[4 * in + 2];
			top->s = (uint16_t)v[4 * in + 3];
		}
		top->out_ready = !stall(seed);
		top->eval();
		bool inf = top->in_valid && top->in_ready;
		if (top->out_valid && top->out_ready) {
			fprintf(o, "%d %d\n", (int16_t)top->y0, (int16_t)top->y1);
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
