/* t.h - a minimal unit-test harness: CHECK prints "ok"/"FAIL" lines; t_done() prints the
 * totals and returns the exit status. tests/run.sh adds the counts up. Also the helpers tests
 * share: a scratch folder with files in it, and fixed-point types from their names. */
#ifndef BURN_T_H
#define BURN_T_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/util.h"
#include "kernels/fixed.h"

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

/* The scratch folder's name (empty until t_scratch made it). */
static inline char *t_dir(void)
{
	static char dir[256];
	return dir;
}

/* Makes the scratch folder $TMPDIR/burn-test-SUITE-XXXXXX; exits 1 if it cannot. */
static inline const char *t_scratch(const char *suite)
{
	const char *td = getenv("TMPDIR");
	snprintf(t_dir(), 256, "%s/burn-test-%s-XXXXXX", td && *td ? td : "/tmp", suite);
	if (!mkdtemp(t_dir())) {
		printf("FAIL cannot create the scratch folder %s\n", t_dir());
		exit(1);
	}
	return t_dir();
}

/* Removes the scratch folder and all in it (a check). */
static inline void t_scratch_done(void)
{
	berr e;
	CHECK(rm_tree(t_dir(), &e) == 0, "remove the scratch folder: %s", e.msg);
}

/* The path of name in the scratch folder (one of 8 rotating buffers). */
static inline const char *t_path(const char *name)
{
	static char buf[8][512];
	static int k;
	k = (k + 1) % 8;
	snprintf(buf[k], sizeof buf[k], "%s/%s", t_dir(), name);
	return buf[k];
}

/* Writes n bytes as t_path(name); exits 1 if it cannot. */
static inline void t_put_bytes(const char *name, const void *data, size_t n)
{
	FILE *f = fopen(t_path(name), "wb");
	if (!f || fwrite(data, 1, n, f) != n || fclose(f) != 0) {
		printf("FAIL cannot write %s\n", t_path(name));
		exit(1);
	}
}

/* Writes text as t_path(name); exits 1 if it cannot. */
static inline void t_put(const char *name, const char *text)
{
	t_put_bytes(name, text, strlen(text));
}

/* The fixed-point type named s ("ap_fixed<8,3>"); exits 2 if s is not one. */
static inline fx_type t_type(const char *s)
{
	fx_type t;
	char err[128];
	if (fx_parse(s, &t, err, sizeof err) != 0) {
		printf("bad test type %s: %s\n", s, err);
		exit(2);
	}
	return t;
}

static inline int t_done(const char *suite)
{
	printf("%s: %d passed, %d failed\n", suite, t_pass, t_fail);
	return t_fail ? 1 : 0;
}

#endif
