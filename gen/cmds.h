/* cmds.h - the burn subcommands. Each takes argc/argv (argv[0] is the command name) and
 * returns the exit status: 0 success, 1 failure of the work, 2 bad input or usage. */
#ifndef BURN_CMDS_H
#define BURN_CMDS_H

typedef struct {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary; /* one line for "burn --help" */
	const char *usage;   /* full help for "burn CMD --help" */
} burn_cmd;

int cmd_golden(int argc, char **argv);   /* kernels/golden.c */
int cmd_csim(int argc, char **argv);     /* gen/cmd_eval.c */
int cmd_estimate(int argc, char **argv); /* gen/cmd_eval.c */
int cmd_reward(int argc, char **argv);   /* gen/cmd_eval.c */
int cmd_config(int argc, char **argv);   /* gen/cmd_config.c */
int cmd_cache(int argc, char **argv);    /* cache/cmd_cache.c */
int cmd_gen(int argc, char **argv);      /* gen/gen.c */
int cmd_facet(int argc, char **argv);    /* gen/facet.c */
int cmd_author(int argc, char **argv);   /* author/author.c */
int cmd_hlsgen(int argc, char **argv);   /* gen/hlsgen.c */
int cmd_collect(int argc, char **argv);  /* gen/collect.c */
int cmd_promote(int argc, char **argv);  /* gen/promote.c */
int cmd_export(int argc, char **argv);   /* gen/export.c */
int cmd_report(int argc, char **argv);   /* gen/report.c */
int cmd_status(int argc, char **argv);   /* gen/report.c */
int cmd_synth(int argc, char **argv);    /* gen/cmd_synth.c */
int cmd_rtlgen(int argc, char **argv);   /* gen/cmd_rtl.c */
int cmd_rtlsim(int argc, char **argv);   /* gen/cmd_rtl.c */
extern const char usage_rtlgen[], usage_rtlsim[]; /* gen/cmd_rtl.c */
int cmd_hlsproj(int argc, char **argv);  /* gen/cmd_hls.c */
int cmd_hls(int argc, char **argv);      /* gen/cmd_hls.c */
int cmd_vivado(int argc, char **argv);   /* gen/cmd_hls.c */

extern const char usage_golden[], usage_csim[], usage_estimate[], usage_reward[], usage_config[],
	usage_cache[], usage_gen[], usage_facet[], usage_author[], usage_hlsgen[],
	usage_collect[], usage_promote[], usage_export[], usage_report[], usage_status[];
extern const char usage_synth[], usage_hlsproj[], usage_hls[], usage_vivado[]; /* cmd_synth.c, cmd_hls.c */

int cmd_launch(int argc, char **argv);   /* gen/launch.c */
extern const char usage_launch[];       /* gen/launch.c */
int cmd_lm_bench(int argc, char **argv); /* lm/cmd_lm.c */
extern const char usage_lm_bench[];     /* lm/cmd_lm.c */
int cmd_nanocoder(int argc, char **argv); /* nanocoder/cmd_nanocoder.c */
extern const char usage_nanocoder[];     /* nanocoder/cmd_nanocoder.c */
int cmd_author_pretrain(int argc, char **argv); /* author/lmauthor.c */
int cmd_author_train(int argc, char **argv);    /* author/lmauthor.c */
extern const char usage_author_pretrain[], usage_author_train[]; /* author/lmauthor.c */
int cmd_author_bench(int argc, char **argv);    /* author/lmbench.c */
extern const char usage_author_bench[];         /* author/lmbench.c */
int cmd_dashboard(int argc, char **argv); /* gen/dashboard.c */
int cmd_compare(int argc, char **argv);   /* gen/compare.c */
extern const char usage_dashboard[], usage_compare[]; /* gen/dashboard.c, gen/compare.c */
int cmd_kernels(int argc, char **argv);  /* gen/cmd_kernels.c */
extern const char usage_kernels[];      /* gen/cmd_kernels.c */
/* True if argv has -h or --help; prints usage to stdout when so. */
int want_help(int argc, char **argv, const char *usage);

#endif
