// tb_softmax.cpp - the Verilator testbench of softmax_unit.v. Stimulus: "NV STALL", then per
// vector its length and scores (decimal int32). Writes one probability (Q0.15) per line, an
// "L" after a vector's last one if out_last was set there, then "cycles C". The exp table is
// read by the design from softmax_exp.hex in the working folder. With a non-zero stall seed
// the source and the sink pause at pseudo-random cycles.
#include <vector>
#include "tb_common.h"
#include "Vsoftmax_unit.h"

int main(int argc, char **argv)
{
	unsigned nv, seed;
	FILE *f = tb_open_unit("tb_softmax", argc, argv, &nv, &seed);
	if (!f)
		return 2;
	std::vector<int> xs, last;
	for (unsigned v = 0; v < nv; v++) {
		unsigned n;
		if (fscanf(f, "%u", &n) != 1 || n == 0)
			return fail("bad vector length");
		for (unsigned i = 0; i < n; i++) {
			int x;
			if (fscanf(f, "%d", &x) != 1)
				return fail("short stimulus");
			xs.push_back(x);
			last.push_back(i + 1 == n);
		}
	}
	fclose(f);
	FILE *o = tb_create(argv[2]);
	if (!o)
		return 2;
	Vsoftmax_unit *top = new Vsoftmax_unit;
	tb_reset_stream(top, 3);
	long cycles = tb_stream(
		top, xs.size(), xs.size(), 100L * (long)xs.size() + 1000L * nv + 100, seed,
		[&](size_t i) {
			top->in_data = (uint32_t)xs[i];
			top->in_last = last[i];
		},
		[&]() { fprintf(o, "%u%s\n", (unsigned)top->out_data, top->out_last ? " L" : ""); });
	if (cycles < 0)
		return fail("timed out");
	delete top;
	return tb_finish(o, cycles, -1);
}
