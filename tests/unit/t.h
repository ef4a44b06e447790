/* t.h - a minimal unit-test harness: CHECK prints "ok"/"FAIL" lines; t_done() prints the
 * totals and returns the exit status. tests/run.sh adds the counts up. */
#ifndef BURN_T_H
#define BURN_T_H

#include <stdio.h>

static int t_pass, t_fail;

#define CHECK(cond, ...)                                                        \
	do {                                                                    \
		if (cond) {                                                     \
			t_pass++;                                               \
		} else {                                                        \
			t_fail++;                                               \
			printf("FAIL %s:%d: %s: ", __FILE__, __LINE__, #cond); \
			printf(__VA_ARGS__);                                    \
			printf("\n");                                           \
		}                                                               \
	} while (0)

static inline int t_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
