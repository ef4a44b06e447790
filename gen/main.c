/* main.c - the burn command line: dispatches to subcommands. */
#include <stdio.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/util.h"

static const burn_cmd cmds[] = {
	{"gen", cmd_gen, "write the Ninja build of a project's sweep", usage_gen},
	{"export", cmd_export, "hand the best design to Vivado or FuseSoC (RTL, .core, .xdc)", usage_export},
	{"status", cmd_status, "summarise a sweep's rounds, best design and cache hits", usage_status},
	{"compare", cmd_compare, "write a build running a project's sweep per strategy and seed", usage_compare},
	{"dashboard", cmd_dashboard, "write an HTML page comparing sweeps (plots, table)", usage_dashboard},
	{"golden", cmd_golden, "check ap_fixed golden vectors", usage_golden},
	{"csim", cmd_csim, "bit-accurate fixed-point C simulation of a block under a config", usage_csim},
	{"estimate", cmd_estimate, "analytical resources and latency of a config on a part", usage_estimate},
	{"reward", cmd_reward, "lexicographic reward of an evaluated candidate", usage_reward},
	{"rtlgen", cmd_rtlgen, "Verilog and ROM images of a candidate (burn_top)", usage_rtlgen},
	{"rtlsim", cmd_rtlsim, "Verilator co-simulation of a candidate's RTL against csim", usage_rtlsim},
	{"synth", cmd_synth, "Yosys out-of-context synthesis of a candidate's RTL", usage_synth},
	{"hlsproj", cmd_hlsproj, "write a candidate's HLS C++ project (hls4ml layout)", usage_hlsproj},
	{"hls", cmd_hls, "run vitis_hls on an HLS project, read csynth.xml", usage_hls},
	{"vivado", cmd_vivado, "out-of-context Vivado synthesis of the HLS project's RTL", usage_vivado},
	{"config", cmd_config, "validate, canonicalise and export candidate configs", usage_config},
	{"cache", cmd_cache, "inspect, verify and trim the content-addressed cache", usage_cache},
	{"launch", cmd_launch, "run a step under a launcher (srun); a killed job is a failed result", usage_launch},
	{"facet", cmd_facet, "(build step) split a project into per-step facets", usage_facet},
	{"author", cmd_author, "(build step) propose a round's candidates", usage_author},
	{"author-pretrain", cmd_author_pretrain, "(build step) pretrain the LM author's base model", usage_author_pretrain},
	{"author-bench", cmd_author_bench, "run search strategies in one process over seeds (the strategy benchmark)", usage_author_bench},
	{"author-train", cmd_author_train, "(build step) fine-tune the LM author's LoRA adapters on a sweep's results", usage_author_train},
	{"hlsgen", cmd_hlsgen, "(build step) validate a candidate, write its config and sources", usage_hlsgen},
	{"collect", cmd_collect, "(build step) gather a round's results", usage_collect},
	{"promote", cmd_promote, "(build step) pick a round's candidates for RTL and synthesis", usage_promote},
	{"report", cmd_report, "(build step) write results.csv, results.json, best.yaml", usage_report},
	{"nanocoder", cmd_nanocoder, "NanoCoder: corpus, BPE, train, eval, sample, quantise, export", usage_nanocoder},
	{"kernels", cmd_kernels, "golden checks of the quantised GEMV kernels and engines (C, float, RTL)", usage_kernels},
	{"lm-bench", cmd_lm_bench, "training throughput of the small transformer (lm/) vs sgemm", usage_lm_bench},
};
enum { NCMDS = sizeof cmds / sizeof cmds[0] };

static void usage(FILE *f)
{
	fprintf(f, "usage: burn COMMAND [ARGS]   (burn COMMAND --help for its options)\n\ncommands:\n");
	for (size_t i = 0; i < NCMDS; i++)
		fprintf(f, "  %-10s %s\n", cmds[i].name, cmds[i].summary);
	fprintf(f, "\n  --version  print the version\n  --help     this text\n");
}

int want_help(int argc, char **argv, const char *text)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			fputs(text, stdout);
			return 1;
		}
	}
	return 0;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return EXIT_BADINPUT;
	}
	const char *c = argv[1];
	if (strcmp(c, "--version") == 0 || strcmp(c, "version") == 0) {
		printf("burn %s\n", BURN_VERSION);
		return 0;
	}
	if (strcmp(c, "--help") == 0 || strcmp(c, "-h") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(c, "help") == 0) {
		if (argc < 3) {
			usage(stdout);
			return 0;
		}
		c = argv[2];
		for (size_t i = 0; i < NCMDS; i++)
			if (strcmp(c, cmds[i].name) == 0) {
				fputs(cmds[i].usage, stdout);
				return 0;
			}
	}
	for (size_t i = 0; i < NCMDS; i++)
		if (strcmp(c, cmds[i].name) == 0) {
			if (want_help(argc - 1, argv + 1, cmds[i].usage))
				return 0;
			return cmds[i].run(argc - 1, argv + 1);
		}
	const char *names[NCMDS];
	for (size_t i = 0; i < NCMDS; i++)
		names[i] = cmds[i].name;
	const char *sug = closest_word(c, names, NCMDS);
	if (sug)
		fprintf(stderr, "burn: unknown command '%s' (did you mean '%s'?)\n", c, sug);
	else
		fprintf(stderr, "burn: unknown command '%s' (see burn --help)\n", c);
	return EXIT_BADINPUT;
}
