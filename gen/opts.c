/* opts.c - a subcommand's options from a table (gen/opts.h). */
#include "gen/opts.h"

#include <stdio.h>
#include <string.h>

#include "gen/util.h"

/* The index in o of the option named s, or -1. */
static int find(const optdef *o, int n, const char *s)
{
	int k = -1;
	for (int j = 0; j < n; j++)
		if (strcmp(s, o[j].name) == 0)
			k = j;
	return k;
}

int opts_parse(const char *cmd, int argc, char **argv, const optdef *o, int n)
{
	for (int i = 0; i < argc; i++) {
		int k = find(o, n, argv[i]);
		if (k < 0) {
			fprintf(stderr, "burn: %s: unknown option '%s' (see burn %.*s --help)\n", cmd,
				argv[i], (int)strcspn(cmd, " "), cmd);
			return -1;
		}
		if (o[k].flag) {
			*o[k].flag = 1;
		} else if (i + 1 >= argc) {
			fprintf(stderr, "burn: %s: %s wants a value\n", cmd, argv[i]);
			return -1;
		} else {
			*o[k].val = argv[++i];
		}
	}
	return 0;
}

int opts_step(const char *cmd, int argc, char **argv, const optdef *o, int n, const char **pos,
	      int npos, const char *usage)
{
	int np = 0;
	for (int i = 0; i < argc; i++) {
		const char *s = argv[i];
		int k = find(o, n, s);
		if (k >= 0 && o[k].flag) {
			*o[k].flag = 1;
		} else if (k >= 0) {
			if (i + 1 >= argc) {
				fprintf(stderr, "burn %s: option '%s' needs a value\n%s", cmd, s, usage);
				return -1;
			}
			*o[k].val = argv[++i];
		} else if (s[0] == '-' && s[1]) {
			fprintf(stderr, "burn %s: unknown option '%s'\n%s", cmd, s, usage);
			return -1;
		} else if (np < npos) {
			pos[np++] = s;
		} else {
			fprintf(stderr, "burn %s: too many arguments\n%s", cmd, usage);
			return -1;
		}
	}
	return np;
}

int opts_seconds(const char *cmd, const char *s, double *v)
{
	double x;
	if (!s)
		return 0;
	if (parse_double(s, &x) != 0 || !(x > 0)) {
		fprintf(stderr, "burn %s: --timeout '%s' is not a positive number of seconds\n", cmd, s);
		return -1;
	}
	*v = x;
	return 0;
}

int opts_long(const char *cmd, const char *name, const char *s, long lo, long hi, long *v)
{
	if (!s)
		return 0;
	long x;
	if (parse_long(s, &x) != 0 || x < lo || x > hi) {
		fprintf(stderr, "burn: %s: %s wants a whole number %ld..%ld, got '%s'\n", cmd, name,
			lo, hi, s);
		return -1;
	}
	*v = x;
	return 0;
}

int opts_need(const char *cmd, const char *name, const char *v)
{
	if (v)
		return 0;
	fprintf(stderr, "burn: %s: %s is required\n", cmd, name);
	return -1;
}
