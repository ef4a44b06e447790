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

extern const char usage_golden[], usage_csim[], usage_estimate[], usage_reward[], usage_config[];

/* True if argv has -h or --help; prints usage to stdout when so. */
int want_help(int argc, char **argv, const char *usage);

#endif
