/* cmd_cache.c - burn cache: stats, verify, gc, path, export, import, push and serve. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/archive.h"
#include "cache/cache.h"
#include "cache/remote.h"
#include "cache/serve.h"
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
	"  gc --max-size SIZE  remove least recently used objects and Verilator builds until\n"
	"                      their total is at most SIZE (bytes, or with a K, M, G or T\n"
	"                      suffix: powers of 1024), and temp files older than an hour\n"
	"  path KEY            print the path of KEY's object; exits 1 if there is none\n"
	"  export FILE         write every sound object into one archive FILE (- for stdout),\n"
	"                      atomically; corrupt objects are named and left out\n"
	"  import FILE         add the objects of an archive (- for stdin); each is checked,\n"
	"                      corrupt ones are named and skipped. Exits 1 if any was corrupt\n"
	"                      or the archive is damaged or truncated\n"
	"  push                upload every object the remote cache lacks ($BURN_REMOTE_CACHE)\n"
	"  serve [OPTIONS]     serve the folder as a remote cache (bazel-remote's HTTP API:\n"
	"                      GET/HEAD/PUT /ac/<64 hex> and /cas/<sha256>), in ROOT/ac and\n"
	"                      ROOT/cas, until SIGINT/SIGTERM:\n"
	"      --port N            TCP port (default 8080; 0: any free one)\n"
	"      --bind ADDR         address to listen on (default 127.0.0.1; 0.0.0.0 for a team)\n"
	"      --port-file F       write the port to F once listening\n"
	"      --max-blob SIZE     largest upload accepted (default 64M)\n"
	"      --idle-timeout S    exit after S seconds without a request (default: never)\n"
	"      --max-clients N     connections served at once (default 32)\n"
	"      -v                  one line per request on stderr\n"
	"\n"
	"  --root DIR          use the cache at DIR\n"
	"\n"
	"With BURN_NO_CACHE=1 in the environment, steps bypass the cache: every lookup misses\n"
	"and nothing is stored (for benchmarks). burn cache still works on the folder.\n"
	"With BURN_REMOTE_CACHE=http://HOST:PORT[/PREFIX], steps also read through and write\n"
	"back to that remote cache (BURN_REMOTE_TIMEOUT: seconds per network wait, default 5).\n";

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
	const char *url = getenv("BURN_REMOTE_CACHE");
	if (url && url[0] && !c->off)
		printf("remote   %s\n", url);
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
	printf("removed %zu of %zu Verilator build%s, freed %s; %s left\n", st.builds_removed,
		st.builds, plural(st.builds), human(st.build_freed, hb, sizeof hb),
		human(st.build_bytes - st.build_freed, hl, sizeof hl));
	size_t stale = st.tmp_removed + st.tmp_builds_removed;
	printf("removed %zu stale temp file%s\n", stale, plural(stale));
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

static int do_export(cache *c, const char *file)
{
	archive_stats st;
	berr e;
	if (cache_export(c, file, stderr, &st, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		return 1;
	}
	fprintf(strcmp(file, "-") == 0 ? stderr : stdout, "exported %zu object%s, %llu bytes%s\n",
		st.objects, plural(st.objects), (unsigned long long)st.bytes,
		st.corrupt ? "; left out corrupt objects" : "");
	return st.corrupt ? 1 : 0;
}

static int do_import(cache *c, const char *file)
{
	archive_stats st;
	berr e;
	int rc = cache_import(c, file, stdout, &st, &e);
	printf("imported %zu object%s (%llu bytes), %zu already present, %zu corrupt skipped\n",
		st.objects, plural(st.objects), (unsigned long long)st.bytes, st.present,
		st.corrupt);
	if (rc != 0)
		fprintf(stderr, "burn: %s\n", e.msg);
	return rc != 0 || st.corrupt ? 1 : 0;
}

static int do_push(cache *c)
{
	remote *r = remote_open(c->root);
	if (!r) {
		fprintf(stderr, "burn: cache push: set BURN_REMOTE_CACHE to an http:// URL (a "
				"recent failure also pauses it for %d s)\n", REMOTE_BACKOFF);
		return 1;
	}
	cache_obj *o;
	size_t n, sent = 0, had = 0, bad = 0;
	berr e;
	if (cache_list(c, &o, &n, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		remote_close(r);
		return 1;
	}
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		char *buf, hex[33], ack[65];
		size_t len;
		ckey_hex(&o[i].key, hex);
		if (cache_read_object(o[i].path, &o[i].key, &buf, &len, &e) != 0) {
			printf("corrupt %s: %s; not pushed\n", hex, e.msg);
			bad++;
			continue;
		}
		remote_ac_key(o[i].key.b, ack);
		char path[80];
		snprintf(path, sizeof path, "/ac/%s", ack);
		http_resp resp;
		if (http_request(&r->u, "HEAD", path, NULL, 0, 0, r->timeout_ms, &resp, &e) != 0) {
			fprintf(stderr, "burn: remote cache %s: %s\n", r->url, e.msg);
			rc = 1;
		} else if (resp.status == 200) {
			had++;
		} else if (remote_put(r, o[i].key.b, buf, len, &e) != 0) {
			fprintf(stderr, "burn: remote cache %s: %s\n", r->url, e.msg);
			rc = 1;
		} else {
			sent++;
		}
		free(buf);
	}
	printf("pushed %zu object%s, %zu already there, %zu corrupt\n", sent, plural(sent), had,
		bad);
	cache_objs_free(o, n);
	remote_close(r);
	return rc || bad ? 1 : 0;
}

/* Options of burn cache that take a value. */
enum { O_ROOT, O_MAX_SIZE, O_PORT, O_BIND, O_PORT_FILE, O_MAX_BLOB, O_IDLE, O_CLIENTS, NOPTS };
static const char *const opt_names[NOPTS] = {"--root", "--max-size", "--port", "--bind",
	"--port-file", "--max-blob", "--idle-timeout", "--max-clients"};

int cmd_cache(int argc, char **argv)
{
	enum { STATS, VERIFY, GC, PATH, EXPORT, IMPORT, PUSH, SERVE, NSUBS };
	static const char *const subs[NSUBS] = {"stats", "verify", "gc", "path", "export",
		"import", "push", "serve"};
	const char *opt[NOPTS] = {0}, *sub = NULL, *arg = NULL;
	bool fix = false, verbose = false;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		int which = -1;
		for (int j = 0; j < NOPTS; j++)
			if (strcmp(s, opt_names[j]) == 0)
				which = j;
		if (strcmp(s, "--fix") == 0) {
			fix = true;
		} else if (strcmp(s, "-v") == 0) {
			verbose = true;
		} else if (which >= 0) {
			if (i + 1 >= argc)
				return bad_usage("option '%s' needs a value", s);
			opt[which] = argv[++i];
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
		return bad_usage("which command? stats, verify, gc, path, export, import, push or "
				 "serve");
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
	bool takes_arg = which == PATH || which == EXPORT || which == IMPORT;
	if (arg && !takes_arg)
		return bad_usage("unexpected argument '%s'", arg);
	if (takes_arg && !arg)
		return bad_usage("%s needs a %s", sub, which == PATH ? "KEY" : "FILE");
	if (fix && which != VERIFY)
		return bad_usage("--fix goes with verify");
	if (opt[O_MAX_SIZE] && which != GC)
		return bad_usage("--max-size goes with gc");
	for (int j = O_PORT; j < NOPTS; j++)
		if (opt[j] && which != SERVE)
			return bad_usage("%s goes with serve", opt_names[j]);
	if (verbose && which != SERVE)
		return bad_usage("-v goes with serve");
	if (which == GC && !opt[O_MAX_SIZE])
		return bad_usage("gc needs --max-size SIZE");
	uint64_t max = 0;
	if (which == GC && parse_size(opt[O_MAX_SIZE], &max) != 0)
		return bad_usage("bad size '%s' (like 500M or 2G)", opt[O_MAX_SIZE]);
	ckey k;
	if (which == PATH && ckey_parse(arg, &k) != 0)
		return bad_usage("'%s' is not a key (32 hex digits)", arg);
	serve_opts so = {NULL, "127.0.0.1", 8080, opt[O_PORT_FILE], REMOTE_MAX_OBJECT, 0, 32,
		verbose};
	if (which == SERVE) {
		long v;
		double d;
		if (opt[O_PORT] && (parse_long(opt[O_PORT], &v) != 0 || v < 0 || v > 65535))
			return bad_usage("bad port '%s'", opt[O_PORT]);
		if (opt[O_PORT])
			so.port = (int)v;
		if (opt[O_BIND])
			so.bind = opt[O_BIND];
		if (opt[O_MAX_BLOB] && parse_size(opt[O_MAX_BLOB], &so.max_blob) != 0)
			return bad_usage("bad size '%s' (like 64M)", opt[O_MAX_BLOB]);
		if (opt[O_IDLE] && (parse_double(opt[O_IDLE], &d) != 0 || !(d >= 0) || d > 1e7))
			return bad_usage("bad --idle-timeout '%s' (seconds)", opt[O_IDLE]);
		if (opt[O_IDLE])
			so.idle_timeout = d;
		if (opt[O_CLIENTS] && (parse_long(opt[O_CLIENTS], &v) != 0 || v < 1 || v > 1024))
			return bad_usage("bad --max-clients '%s' (1 to 1024)", opt[O_CLIENTS]);
		if (opt[O_CLIENTS])
			so.max_clients = (int)v;
	}

	cache c;
	berr e;
	if (cache_open_local(&c, opt[O_ROOT], &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		return 1;
	}
	int rc;
	switch (which) {
	case STATS: rc = do_stats(&c); break;
	case VERIFY: rc = do_verify(&c, fix); break;
	case GC: rc = do_gc(&c, max); break;
	case EXPORT: rc = do_export(&c, arg); break;
	case IMPORT: rc = do_import(&c, arg); break;
	case PUSH: rc = do_push(&c); break;
	case SERVE:
		so.root = c.root;
		rc = cache_serve(&so);
		break;
	default: rc = do_path(&c, &k); break;
	}
	cache_close(&c);
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "burn: cannot write to standard output\n");
		return 1;
	}
	return rc;
}
