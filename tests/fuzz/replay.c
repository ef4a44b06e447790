/* replay.c - runs a fuzz harness without libFuzzer, for make check: feeds it every file of
 * tests/fuzz/corpus/TARGET/ and tests/fuzz/crashes/TARGET/ (the seeds and every crash input
 * found so far), or the files named on the command line. A crash aborts the process, which
 * the test driver counts as a failure; otherwise prints "test_fuzz_TARGET: N passed, 0 failed". */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"

#ifndef FUZZ_TARGET
#error "compile with -DFUZZ_TARGET='\"name\"'"
#endif

static int nfiles;

static void run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		perror(path);
		exit(1);
	}
	size_t cap = 1 << 16, n = 0;
	unsigned char *buf = malloc(cap);
	size_t r;
	while (buf && (r = fread(buf + n, 1, cap - n, f)) > 0) {
		n += r;
		if (n == cap)
			buf = realloc(buf, cap *= 2);
	}
	if (!buf || ferror(f)) {
		fprintf(stderr, "%s: read error\n", path);
		exit(1);
	}
	fclose(f);
	/* an exact-size copy, so ASan sees reads past the end as libFuzzer would */
	unsigned char *exact = malloc(n ? n : 1);
	if (!exact)
		exit(1);
	memcpy(exact, buf, n);
	free(buf);
	LLVMFuzzerTestOneInput(exact, n);
	free(exact);
	printf("ok   %s\n", path);
	fflush(stdout);
	nfiles++;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void run_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return;
	char **names = NULL;
	size_t n = 0;
	struct dirent *de;
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof *names);
		if (!names || !(names[n] = strdup(de->d_name)))
			exit(1);
		n++;
	}
	closedir(d);
	qsort(names, n, sizeof *names, cmp);
	for (size_t i = 0; i < n; i++) {
		char p[4096];
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		run_file(p);
		free(names[i]);
	}
	free(names);
}

int main(int argc, char **argv)
{
	if (argc > 1) {
		for (int i = 1; i < argc; i++)
			run_file(argv[i]);
	} else {
		const char *src = getenv("BURN_SRC");
		if (!src) {
			fprintf(stderr, "set BURN_SRC to the source folder\n");
			return 1;
		}
		char d[4096];
		snprintf(d, sizeof d, "%s/tests/fuzz/corpus/%s", src, FUZZ_TARGET);
		run_dir(d);
		int seeds = nfiles;
		snprintf(d, sizeof d, "%s/tests/fuzz/crashes/%s", src, FUZZ_TARGET);
		run_dir(d);
		if (seeds == 0) {
			fprintf(stderr, "FAIL no seed inputs in tests/fuzz/corpus/%s\n", FUZZ_TARGET);
			printf("test_fuzz_%s: %d passed, 1 failed\n", FUZZ_TARGET, nfiles);
			return 1;
		}
	}
	printf("test_fuzz_%s: %d passed, 0 failed\n", FUZZ_TARGET, nfiles);
	return 0;
}
