/* opts.h - a subcommand's options from a table: `--name VALUE` options and flags, in any order
 * (and, for step commands, positional words), each error one line on stderr naming the command
 * and the option. */
#ifndef BURN_OPTS_H
#define BURN_OPTS_H

/* One option: a value (val set) or a flag (flag set). */
typedef struct {
	const char *name;  /* as typed: "--model", "-o" */
	const char **val;  /* gets the word after the option (the last one, if given twice) */
	int *flag;         /* set to 1 when the option is given */
} optdef;

/* Parses argv[0..argc) against the n options of o. On an unknown option or a missing value
 * prints "burn: CMD: ..." (with a pointer to `burn WORD --help`, WORD being CMD's first word)
 * and returns -1. */
int opts_parse(const char *cmd, int argc, char **argv, const optdef *o, int n);

/* The arguments of a step command (burn rtlgen, rtlsim, synth, ...): words that do not start
 * with '-' are positional, up to npos of them into pos; the rest are options of o, as for
 * opts_parse. Errors are one line, "burn CMD: unknown option '--x'" (or "too many arguments",
 * "option '-o' needs a value"), followed by usage. Returns the number of positional words, or
 * -1 after an error. */
int opts_step(const char *cmd, int argc, char **argv, const optdef *o, int n, const char **pos,
	      int npos, const char *usage);

/* Parses s as a positive number of seconds into *v (left as is when s is NULL); -1 after
 * printing "burn CMD: --timeout 'S' is not a positive number of seconds". */
int opts_seconds(const char *cmd, const char *s, double *v);

/* Parses s as a whole number lo..hi into *v (left as is when s is NULL); -1 after printing
 * "burn: CMD: NAME wants a whole number LO..HI, got 'S'". */
int opts_long(const char *cmd, const char *name, const char *s, long lo, long hi, long *v);

/* 0 if v is set; else -1 after printing "burn: CMD: NAME is required". */
int opts_need(const char *cmd, const char *name, const char *v);

#endif
