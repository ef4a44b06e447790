// tb_gemv.cpp - the Verilator testbench of both GEMV engines (kernels/rtl_gemv/*.v), compiled
// with -DGEMV_W4 for gemv_w4a8 and without for gemv_w8a8. It reads a stimulus file written by
// burn (kernels/rtl_gemv.c: gemv_rtl_stimulus), drives the streams with valid/ready, and
// writes one line per row ("acc" or "acc y") and "cycles N" (first weight beat to last
// result), then "xcycles N" (the activation load). With a non-zero stall seed the sources
// and the result sink pause at pseudo-random cycles, to exercise the handshakes.
//
// Stimulus: "P PARAM ROWS LEN STALL" then LEN hex activation words (8P bits), then per row the
// weight words (hex), then the side stream: W8 "mult shift" per row; W4 hex group words.
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>
#include "tb_common.h"
#ifdef GEMV_W4
#include "Vgemv_w4a8.h"
typedef Vgemv_w4a8 Top;
#else
#include "Vgemv_w8a8.h"
typedef Vgemv_w8a8 Top;
#endif

typedef std::vector<uint32_t> word;

static void setv(CData &d, const word &w) { d = (CData)w[0]; }
static void setv(SData &d, const word &w) { d = (SData)w[0]; }
static void setv(IData &d, const word &w) { d = w[0]; }
static void setv(QData &d, const word &w) { d = w[0] | (uint64_t)(w.size() > 1 ? w[1] : 0) << 32; }
template <std::size_t N> static void setv(VlWide<N> &d, const word &w)
{
	for (std::size_t i = 0; i < N; i++)
		d[i] = i < w.size() ? w[i] : 0;
}

// A hex token, most significant digit first, into 32-bit words (least significant first).
static bool read_hex(FILE *f, word &w)
{
	char buf[1100];
	if (fscanf(f, "%1099s", buf) != 1)
		return false;
	size_t n = strlen(buf);
	w.assign((n + 7) / 8, 0);
	for (size_t i = 0; i < n; i++) {
		char c = buf[n - 1 - i];
		int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
		if (v < 0)
			return false;
		w[i / 8] |= (uint32_t)v << (4 * (i % 8));
	}
	return true;
}

int main(int argc, char **argv)
{
	FILE *f = tb_open("tb_gemv", argc, argv);
	if (!f)
		return 2;
	unsigned p, param, rows, len, seed;
	if (fscanf(f, "%u %u %u %u %u", &p, &param, &rows, &len, &seed) != 5)
		return fail("bad stimulus header");
	stall_seed(seed);
	std::vector<word> xs(len), ws, ss;
	std::vector<std::pair<uint32_t, uint32_t>> qs;
	for (unsigned i = 0; i < len; i++)
		if (!read_hex(f, xs[i]))
			return fail("bad activation word");
#ifdef GEMV_W4
	unsigned beats_per_row = len * p / 64, groups_words = len * p / param; // K groups a word
	(void)groups_words;
	for (unsigned i = 0; i < rows * beats_per_row; i++) {
		word w;
		if (!read_hex(f, w))
			return fail("bad weight beat");
		ws.push_back(w);
	}
	word s;
	while (read_hex(f, s))
		ss.push_back(s);
#else
	for (unsigned i = 0; i < rows * len; i++) {
		word w;
		if (!read_hex(f, w))
			return fail("bad weight word");
		ws.push_back(w);
	}
	for (unsigned i = 0; i < rows; i++) {
		unsigned m, sh;
		if (fscanf(f, "%u %u", &m, &sh) != 2)
			return fail("bad requantiser");
		qs.push_back({m, sh});
	}
#endif
	fclose(f);

	Top *top = new Top;
	top->clk = 0;
	top->rst = 1;
#ifdef GEMV_W4
	top->steps = len;
	top->s_valid = 0;
#else
	top->beats = len;
	top->q_valid = 0;
#endif
	top->x_valid = 0;
	top->w_valid = 0;
	top->y_ready = 0;
	for (int i = 0; i < 4; i++)
		tick(top);
	top->rst = 0;
	long xcycles = 0;
	for (unsigned i = 0; i < len; i++) {
		top->x_valid = 1;
		setv(top->x_data, xs[i]);
		top->eval();
		tick(top);
		xcycles++;
	}
	top->x_valid = 0;

	FILE *o = tb_create(argv[2]);
	if (!o)
		return 2;
	size_t wi = 0, si = 0;
	unsigned out = 0;
	long cycles = 0, started = -1, limit = 1000 + 20L * (long)(ws.size() + rows + ss.size());
	while (out < rows) {
		if (cycles > limit) {
			fclose(o);
			return fail("timed out: the engine stopped producing results");
		}
		top->w_valid = wi < ws.size() && !stall(seed);
		if (wi < ws.size())
			setv(top->w_data, ws[wi]);
#ifdef GEMV_W4
		top->s_valid = si < ss.size() && !stall(seed);
		if (si < ss.size())
			setv(top->s_data, ss[si]);
#else
		top->q_valid = si < qs.size() && !stall(seed);
		if (si < qs.size()) {
			top->q_mult = qs[si].first;
			top->q_shift = qs[si].second;
		}
#endif
		top->y_ready = !stall(seed);
		top->eval();
		bool wf = top->w_valid && top->w_ready;
#ifdef GEMV_W4
		bool sf = top->s_valid && top->s_ready;
#else
		bool sf = top->q_valid && top->q_ready;
#endif
		if (top->y_valid && top->y_ready) {
#ifdef GEMV_W4
			int64_t a = (int64_t)(top->y_acc << 16) >> 16;
			fprintf(o, "%lld\n", (long long)a);
#else
			fprintf(o, "%d %d\n", (int)(int32_t)top->y_acc, (int)(int8_t)top->y_data);
#endif
			out++;
		}
		if (wf && started < 0)
			started = cycles;
		wi += wf;
		si += sf;
		tick(top);
		cycles++;
	}
	top->final();
	delete top;
	return tb_finish(o, cycles - (started < 0 ? 0 : started), xcycles);
}
