/* cmd_cache.c - burn cache: stats, verify, gc and path on the content-addressed cache. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/cache.h"
#include "gen/cmds.h"

const char usage_cache[] =
	"usage: burn cache [--root DIR] COMMAND [ARGS]\n"
	"\n"
	"Inspects, verifies and trims the content-addressed cache of step outputs\n"
	"(docs/CACHE.md). The cache is at --root DIR, else $BURN_CACHE, else\n"
	"$XDG_CACHE_HOME/burn, else ~/.cache/burn.\n"
	"\n"
	"commands:\n"
	"  stats               print the root, the number of objects and their total size\n"
	"  verify [--fix]      check every object (checksum, structure); print the corrupt ones\n"
	"                      by key, and with --fix remove them. Exits 1 if any was corrupt\n"
	"  gc --max-size SIZE  remove least recently used objects until their total is at most\n"
	"                      SIZE (bytes, or with a K, M, G or T suffix: powers of 1024), and\n"
	"                      temp files older than an hour\n"
	"  path KEY            print the path of KEY's object; exits 1 if there is none\n"
	"\n"
	"  --root DIR          use the cache at DIR\n"
	"\n"
	"With BURN_NO_CACHE=1 in the environment, steps bypass the cache: every lookup misses\n"
	"and nothing is stored (for benchmarks). burn cache still works on the folder.\n";

/* Prints a usage error as one line; returns exit status 2. */
static int bad_usage(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int bad_usage(const char *fmt, ...)
{
	va_list ap;
	fputs("burn: cache: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs(" (see burn cache --help)\n", stderr);
	return EXIT_BADINPUT;
}

/* Parses SIZE: digits, then optionally K, M, G or T (powers of 1024), then optionally B or iB. */
static int parse_size(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	const char *p = s;
	if (*p < '0' || *p > '9')
		return -1;
	for (; *p >= '0' && *p <= '9'; p++) {
		if (v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	int shift = 0;
	switch (*p) {
	case 'k': case 'K': shift = 10; break;
	case 'm': case 'M': shift = 20; break;
	case 'g': case 'G': shift = 30; break;
	case 't': case 'T': shift = 40; break;
	}
	if (shift) {
		p++;
		if (*p == 'i' && p[1] == 'B')
			p++;
	}
	if (*p == 'B' || *p == 'b')
		p++;
	if (*p != '\0' || (v && v > UINT64_MAX >> shift))
		return -1;
	*out = v << shift;
	return 0;
}

/* Formats n bytes for people: "1536 (1.5 KiB)". */
static const char *human(uint64_t n, char *buf, size_t size)
{
	static const char *const units[] = {"KiB", "MiB", "GiB", "TiB"};
	if (n < 1024) {
		snprintf(buf, size, "%llu", (unsigned long long)n);
		return buf;
	}
	double v = (double)n / 1024;
	int u = 0;
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, size, "%llu (%.1f %s)", (unsigned long long)n, v, units[u]);
	return buf;
}

/* The plural ending for a count. */
static const char *plural(size_t n)
{
	return n == 1 ? "" : "s";
}

static int do_stats(cache *c)
{
	cache_obj *o;
	size_t n;
	berr e;
	if (cache_list(c, &o, &n, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		return 1;
	}
	uint64_t total = 0;
	for (size_t i = 0; i < n; i++)
		total += o[i].size;
	cache_objs_free(o, n);
	char hb[64];
	printf("root     %s\n", c->root);
	printf("objects  %zu\n", n);
	printf("bytes    %s\n", human(total, hb, sizeof hb));
	if (c->off)
		printf("steps    bypass the cache (BURN_NO_CACHE is set)\n");
	return 0;
}

static int do_verify(cache *c, bool fix)
{
	cache_obj *o;
	size_t n, bad = 0, errors = 0;
	berr e;
	if (cache_list(c, &o, &n, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		return 1;
	}
	for (size_t i = 0; i < n; i++) {
		char hex[33];
		ckey_hex(&o[i].key, hex);
		int rc = cache_check(o[i].path, &o[i].key, &e);
		if (rc < 0) {
			fprintf(stderr, "burn: %s\n", e.msg);
			errors++;
		} else if (rc == 1) {
			bad++;
			if (!fix)
				printf("corrupt %s: %s\n", hex, e.msg);
			else if (unlink(o[i].path) == 0 || errno == ENOENT)
				printf("corrupt %s: %s; removed\n", hex, e.msg);
			else {
				printf("corrupt %s: %s; cannot remove: %s\n", hex, e.msg,
					strerror(errno));
				errors++;
			}
		}
	}
	printf("%zu object%s checked, %zu corrupt%s\n", n, plural(n), bad,
		fix && bad ? " (removed)" : "");
	cache_objs_free(o, n);
	return bad || errors ? 1 : 0;
}

static int do_gc(cache *c, uint64_t max)
{
	cache_gc_stats st;
	berr e;
	if (cache_gc(c, max, &st, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		return 1;
	}
	char hb[64], hl[64];
	printf("removed %zu of %zu object%s, freed %s; %s left\n", st.removed, st.objects,
		plural(st.objects), human(st.freed, hb, sizeof hb),
		human(st.bytes - st.freed, hl, sizeof hl));
	printf("removed %zu stale temp file%s\n", st.tmp_removed, plural(st.tmp_removed));
	return 0;
}

static int do_path(cache *c, const ckey *k)
{
	char *p = cache_path(c, k);
	struct stat st;
	int present = stat(p, &st) == 0;
	puts(p);
	free(p);
	return present ? 0 : 1;
}

int cmd_cache(int argc, char **argv)
{
	enum { STATS, VERIFY, GC, PATH, NSUBS };
	static const char *const subs[NSUBS] = {"stats", "verify", "gc", "path"};
	const char *root = NULL, *max_size = NULL, *sub = NULL, *arg = NULL;
	bool fix = false;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (strcmp(s, "--fix") == 0) {
			fix = true;
		} else if (strcmp(s, "--root") == 0 || strcmp(s, "--max-size") == 0) {
			if (i + 1 >= argc)
				return bad_usage("option '%s' needs a value", s);
			*(strcmp(s, "--root") == 0 ? &root : &max_size) = argv[++i];
		} else if (s[0] == '-' && s[1]) {
			return bad_usage("unknown option '%s'", s);
		} else if (!sub) {
			sub = s;
		} else if (!arg) {
			arg = s;
		} else {
			return bad_usage("unexpected argument '%s'", s);
		}
	}
	if (!sub)
		return bad_usage("which command? stats, verify, gc or path");
	int which = -1;
	for (int i = 0; i < NSUBS; i++)
		if (strcmp(sub, subs[i]) == 0)
			which = i;
	if (which < 0) {
		const char *sug = closest_word(sub, subs, NSUBS);
		if (!sug)
			return bad_usage("unknown command '%s'", sub);
		fprintf(stderr, "burn: cache: unknown command '%s' (did you mean '%s'?)\n", sub,
			sug);
		return EXIT_BADINPUT;
	}
	if (arg && which != PATH)
		return bad_usage("unexpected argument '%s'", arg);
	if (which == PATH && !arg)
		return bad_usage("path needs a KEY");
	if (fix && which != VERIFY)
		return bad_usage("--fix goes with verify");
	if (max_size && which != GC)
		return bad_usage("--max-size goes with gc");
	if (which == GC && !max_size)
		return bad_usage("gc needs --max-size SIZE");
	uint64_t max = 0;
	if (which == GC && parse_size(max_size, &max) != 0)
		return bad_usage("bad size '%s' (like 500M or 2G)", max_size);
	ckey k;
	if (which == PATH && ckey_parse(arg, &k) != 0)
		return bad_usage("'%s' is not a key (32 hex digits)", arg);

	cache c;
	berr e;
	if (cache_open(&c, root, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		return 1;
	}
	int rc;
	switch (which) {
	case STATS: rc = do_stats(&c); break;
	case VERIFY: rc = do_verify(&c, fix); break;
	case GC: rc = do_gc(&c, max); break;
	default: rc = do_path(&c, &k); break;
	}
	cache_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "burn: cannot write to standard output\n");
		return 1;
	}
	return rc;
}
