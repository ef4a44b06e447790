// tb_rope.cpp - the Verilator testbench of rope_rot.v. Stimulus: "N STALL" then N lines
// "x0 x1 c s" (decimal int16); writes N lines "y0 y1" and "cycles C". With a non-zero stall
// seed the source and the sink pause at pseudo-random cycles.
#include <vector>
#include "tb_common.h"
#include "Vrope_rot.h"

int main(int argc, char **argv)
{
	unsigned n, seed;
	FILE *f = tb_open_unit("tb_rope", argc, argv, &n, &seed);
	if (!f)
		return 2;
	std::vector<int> v(4 * (size_t)n);
	for (auto &x : v)
		if (fscanf(f, "%d", &x) != 1)
			return fail("short stimulus");
	fclose(f);
	FILE *o = tb_create(argv[2]);
	if (!o)
		return 2;
	Vrope_rot *top = new Vrope_rot;
	tb_reset_stream(top, 3);
	long cycles = tb_stream(
		top, n, n, 100L * n + 100, seed,
		[&](size_t i) {
			top->x0 = (uint16_t)v[4 * i];
			top->x1 = (uint16_t)v[4 * i + 1];
			top->c = (uint16_t)v[4 * i + 2];
			top->s = (uint16_t)v[4 * i + 3];
		},
		[&]() { fprintf(o, "%d %d\n", (int16_t)top->y0, (int16_t)top->y1); });
	if (cycles < 0)
		return fail("timed out");
	delete top;
	return tb_finish(o, cycles, -1);
}
