/* opts.c - a subcommand's options from a table (gen/opts.h). */
#include "gen/opts.h"

#include <stdio.h>
#include <string.h>

#include "gen/util.h"

int opts_parse(const char *cmd, int argc, char **argv, const opt *o, int n)
{
	for (int i = 0; i < argc; i++) {
		int k = -1;
		for (int j = 0; j < n; j++)
			if (strcmp(argv[i], o[j].name) == 0)
				k = j;
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
