/* cmd_lm.c - burn lm-bench: training throughput of an LM config against sgemm. */
#include <stdio.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/json.h"
#include "lm/bench.h"
#include "lm/tok.h"

const char usage_lm_bench[] =
	"usage: burn lm-bench [--layers N] [--hidden N] [--heads N] [--mlp N] [--ctx N]\n"
	"                     [--batch N] [--steps N] [--threads N] [--json]\n"
	"\n"
	"Times training steps (forward, backward, AdamW) of the byte-level LM of lm/model.h on\n"
	"random bytes, and a 1024^3 sgemm and an sgemm of the model's MLP shape in the same run.\n"
	"Prints tokens/s, the FLOP rate of the step's matrix products and its fraction of the\n"
	"sgemm rate. The default config is the ~1.7M-parameter one of docs/LM.md.\n"
	"\n"
	"  --layers N     transformer blocks (default 8)\n"
	"  --hidden N     residual width (default 128)\n"
	"  --heads N      attention heads (default 4)\n"
	"  --mlp N        MLP width (default 4 * hidden)\n"
	"  --ctx N        context = sequence length of the batch (default 128)\n"
	"  --batch N      sequences per step (default 8)\n"
	"  --steps N      timed steps after one warm-up (default 5)\n"
	"  --threads N    OpenBLAS threads (default 2)\n"
	"  --json         print one JSON object instead of a table\n";

int cmd_lm_bench(int argc, char **argv)
{
	static const char *const names[] = {"--layers", "--hidden", "--heads", "--mlp",
					    "--ctx",    "--batch",  "--steps", "--threads"};
	long v[8] = {8, 128, 4, 0, 128, 8, 5, 2};
	bool json = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0) {
			json = true;
			continue;
		}
		int k = -1;
		for (int j = 0; j < 8; j++)
			if (strcmp(argv[i], names[j]) == 0)
				k = j;
		if (k < 0) {
			fprintf(stderr, "burn: lm-bench: unknown option '%s' (see burn lm-bench --help)\n",
				argv[i]);
			return EXIT_BADINPUT;
		}
		if (i + 1 >= argc || parse_long(argv[i + 1], &v[k]) != 0 || v[k] < 1 ||
		    v[k] > 1 << 20) {
			fprintf(stderr, "burn: lm-bench: %s wants a whole number 1..%d\n", names[k],
				1 << 20);
			return EXIT_BADINPUT;
		}
		i++;
	}
	lm_config c = {.vocab = LM_BYTE_VOCAB, .ctx = (int)v[4], .hidden = (int)v[1],
		       .heads = (int)v[2], .layers = (int)v[0],
		       .mlp = (int)(v[3] ? v[3] : 4 * v[1]), .tok = LM_TOK_BYTE};
	berr e;
	if (lm_config_check(&c, &e) != 0) {
		fprintf(stderr, "burn: lm-bench: %s\n", e.msg);
		return EXIT_BADINPUT;
	}
	lm_bench_result r;
	if (lm_bench(&c, (int)v[5], (int)v[6], (int)v[7], &r, &e) != 0) {
		fprintf(stderr, "burn: lm-bench: %s\n", e.msg);
		return EXIT_INTERNAL;
	}
	if (json) {
		strbuf sb = {0};
		jw w;
		jw_init(&w, &sb);
		jw_obj(&w);
		for (int j = 0; j < 8; j++)
			jw_klong(&w, names[j] + 2, j == 3 ? c.mlp : v[j]);
		jw_klong(&w, "params", (long long)r.nparams);
		jw_kdouble(&w, "step_seconds", r.step_seconds);
		jw_kdouble(&w, "tokens_per_s", r.tokens_per_s);
		jw_kdouble(&w, "tokens_per_cpu_s", r.tokens_per_cpu_s);
		jw_kdouble(&w, "gemm_flops_per_step", r.gemm_flops);
		jw_kdouble(&w, "gemm_gflops", r.gemm_gflops);
		jw_kdouble(&w, "gemm_share", r.gemm_share);
		jw_kdouble(&w, "sgemm_gflops", r.sgemm_gflops);
		jw_kdouble(&w, "shaped_sgemm_gflops", r.shaped_gflops);
		jw_kdouble(&w, "fraction_of_sgemm", r.gemm_gflops / r.sgemm_gflops);
		jw_kdouble(&w, "load_average", r.load);
		jw_end_obj(&w);
		printf("%s\n", sb.s);
		sb_free(&sb);
		return 0;
	}
	printf("config        V=%d ctx=%d C=%d heads=%d L=%d M=%d, batch %ld, %ld threads\n",
	       c.vocab, c.ctx, c.hidden, c.heads, c.layers, c.mlp, v[5], v[7]);
	printf("params        %zu\n", r.nparams);
	printf("step          %.1f ms\n", 1e3 * r.step_seconds);
	printf("tokens/s      %.0f\n", r.tokens_per_s);
	printf("tokens/cpu-s  %.0f (per second of CPU time, all threads)\n", r.tokens_per_cpu_s);
	printf("gemm FLOPs    %.3g per step, %.3g per token\n", r.gemm_flops,
	       r.gemm_flops / ((double)v[5] * c.ctx));
	printf("gemm GFLOP/s  %.1f (%.0f%% of the step's time in sgemm)\n", r.gemm_gflops,
	       100 * r.gemm_share);
	printf("sgemm 1024^3  %.1f GFLOP/s\n", r.sgemm_gflops);
	printf("sgemm %dx%dx%d %.1f GFLOP/s\n", (int)v[5] * c.ctx, c.mlp, c.hidden,
	       r.shaped_gflops);
	printf("fraction      %.3f of the 1024^3 sgemm rate, %.3f of the MLP-shaped one\n",
	       r.gemm_gflops / r.sgemm_gflops, r.gemm_gflops / r.shaped_gflops);
	printf("load average  %.2f (other work on the cores slows every number above)\n", r.load);
	return 0;
}
