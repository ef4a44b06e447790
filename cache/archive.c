/* archive.c - burn cache export/import: the cache's objects in one checksummed stream.
 *
 *   "BURNARCH" u32 ARCHIVE_VERSION u32 CACHE_FORMAT
 *   per object: 'O' key[16] u64 length, the object's bytes (exactly its file)
 *   'E' u64 number of objects, XXH3-128 (canonical) of every byte before it
 *
 * All integers little-endian. Objects carry their own checksum and key, so each is checked on
 * its own; the trailer catches a truncated or spliced archive. */
#define _POSIX_C_SOURCE 200809L
#include "cache/archive.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char arch_magic[8] = {'B', 'U', 'R', 'N', 'A', 'R', 'C', 'H'};
enum { ARCH_HDR = 16, REC_HDR = 1 + 16 + 8, TRAILER = 1 + 8 + 16 };

static void le(unsigned char *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_le(const unsigned char *b, int n)
{
	uint64_t v = 0;
	for (int i = n - 1; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

/* A checksummed output stream; ok drops at the first failed write. */
typedef struct {
	FILE *f;
	XXH3_state_t *st;
	bool ok;
} astream;

static void aw(astream *w, const void *p, size_t n)
{
	if (n && XXH3_128bits_update(w->st, p, n) == XXH_ERROR)
		die(EXIT_INTERNAL, "xxhash update failed");
	if (w->ok && n && fwrite(p, 1, n, w->f) != n)
		w->ok = false;
}

static int by_key(const void *a, const void *b)
{
	return memcmp(((const cache_obj *)a)->key.b, ((const cache_obj *)b)->key.b, 16);
}

int cache_export(cache *c, const char *file, FILE *report, archive_stats *st, berr *e)
{
	memset(st, 0, sizeof *st);
	cache_obj *o;
	size_t n;
	if (cache_list(c, &o, &n, e) != 0)
		return -1;
	if (n)
		qsort(o, n, sizeof *o, by_key);
	bool to_stdout = strcmp(file, "-") == 0;
	char *tmp = NULL;
	astream w = {NULL, XXH3_createState(), true};
	int rc = -1;
	if (!w.st || XXH3_128bits_reset(w.st) == XXH_ERROR)
		die(EXIT_INTERNAL, "out of memory (hash state)");
	if (to_stdout) {
		w.f = stdout;
	} else {
		strbuf t = {0};
		sb_printf(&t, "%s.tmp.XXXXXX", file);
		int fd = mkstemp(t.s);
		if (fd < 0) {
			errf(e, "%s: cannot create: %s", t.s, strerror(errno));
			sb_free(&t);
			goto out;
		}
		tmp = t.s;
		if (fchmod(fd, 0644) != 0 || !(w.f = fdopen(fd, "wb"))) {
			errf(e, "%s: %s", tmp, strerror(errno));
			close(fd);
			goto out;
		}
	}
	unsigned char h[ARCH_HDR];
	memcpy(h, arch_magic, 8);
	le(h + 8, ARCHIVE_VERSION, 4);
	le(h + 12, CACHE_FORMAT, 4);
	aw(&w, h, ARCH_HDR);
	for (size_t i = 0; i < n && w.ok; i++) {
		char *buf, hex[33];
		size_t len;
		berr why;
		ckey_hex(&o[i].key, hex);
		int cr = cache_read_object(o[i].path, &o[i].key, &buf, &len, &why);
		if (cr != 0) {
			if (cr == 1 || strstr(why.msg, "no such object") == NULL) {
				fprintf(report, "corrupt %s: %s; not exported\n", hex, why.msg);
				st->corrupt++;
			}
			continue; /* absent: gc removed it meanwhile */
		}
		unsigned char r[REC_HDR];
		r[0] = 'O';
		memcpy(r + 1, o[i].key.b, 16);
		le(r + 17, len, 8);
		aw(&w, r, REC_HDR);
		aw(&w, buf, len);
		free(buf);
		st->objects++;
		st->bytes += len;
	}
	unsigned char t[TRAILER];
	t[0] = 'E';
	le(t + 1, st->objects, 8);
	aw(&w, t, 9);
	XXH128_canonical_t sum;
	XXH128_canonicalFromHash(&sum, XXH3_128bits_digest(w.st));
	if (w.ok && fwrite(sum.digest, 1, 16, w.f) != 16)
		w.ok = false;
	if (!w.ok || fflush(w.f) != 0) {
		errf(e, "%s: write error: %s", to_stdout ? "standard output" : tmp, strerror(errno));
		goto out;
	}
	if (!to_stdout) {
		FILE *f = w.f;
		w.f = NULL;
		if (cache_commit_tmp(f, tmp, file, e) != 0)
			goto out;
		free(tmp);
		tmp = NULL;
	}
	rc = 0;
out:
	if (w.f && !to_stdout)
		fclose(w.f);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	XXH3_freeState(w.st);
	cache_objs_free(o, n);
	return rc;
}

/* A checksummed input stream. */
typedef struct {
	FILE *f;
	XXH3_state_t *st;
	uint64_t off;
} arstream;

/* Reads exactly n bytes; 0, or -1 at the end of the file (short) or on an error (e set). */
static int ar(arstream *r, void *p, size_t n, const char *file, berr *e)
{
	size_t got = n ? fread(p, 1, n, r->f) : 0;
	if (got != n) {
		if (ferror(r->f))
			return errf(e, "%s: read error: %s", file, strerror(errno));
		return errf(e, "%s: truncated at byte %llu", file,
			(unsigned long long)(r->off + got));
	}
	if (n && XXH3_128bits_update(r->st, p, n) == XXH_ERROR)
		die(EXIT_INTERNAL, "xxhash update failed");
	r->off += n;
	return 0;
}

int cache_import(cache *c, const char *file, FILE *report, archive_stats *st, berr *e)
{
	memset(st, 0, sizeof *st);
	bool from_stdin = strcmp(file, "-") == 0;
	const char *name = from_stdin ? "standard input" : file;
	arstream r = {from_stdin ? stdin : fopen(file, "rb"), XXH3_createState(), 0};
	if (!r.st || XXH3_128bits_reset(r.st) == XXH_ERROR)
		die(EXIT_INTERNAL, "out of memory (hash state)");
	if (!r.f) {
		XXH3_freeState(r.st);
		return errf(e, "%s: cannot open: %s", file, strerror(errno));
	}
	int rc = -1;
	char *buf = NULL;
	unsigned char h[ARCH_HDR];
	size_t hg = fread(h, 1, ARCH_HDR, r.f);
	if (hg < 8 || memcmp(h, arch_magic, 8) != 0) {
		if (ferror(r.f))
			errf(e, "%s: read error: %s", name, strerror(errno));
		else
			errf(e, "%s: not a burn cache archive", name);
		goto out;
	}
	if (hg < ARCH_HDR) {
		errf(e, "%s: truncated at byte %zu", name, hg);
		goto out;
	}
	if (XXH3_128bits_update(r.st, h, ARCH_HDR) == XXH_ERROR)
		die(EXIT_INTERNAL, "xxhash update failed");
	r.off = ARCH_HDR;
	if (get_le(h + 8, 4) != ARCHIVE_VERSION || get_le(h + 12, 4) != CACHE_FORMAT) {
		errf(e, "%s: archive version %llu of cache format %llu; this burn reads version %d "
			"of format %d", name, (unsigned long long)get_le(h + 8, 4),
			(unsigned long long)get_le(h + 12, 4), ARCHIVE_VERSION, CACHE_FORMAT);
		goto out;
	}
	size_t records = 0;
	for (;;) {
		unsigned char tag;
		if (ar(&r, &tag, 1, name, e) != 0)
			goto out;
		if (tag == 'E')
			break;
		if (tag != 'O') {
			errf(e, "%s: damaged at byte %llu (not a record)", name,
				(unsigned long long)r.off - 1);
			goto out;
		}
		unsigned char rh[REC_HDR - 1];
		if (ar(&r, rh, sizeof rh, name, e) != 0)
			goto out;
		ckey k;
		memcpy(k.b, rh, 16);
		uint64_t len = get_le(rh + 16, 8);
		char hex[33];
		ckey_hex(&k, hex);
		if (len > CACHE_MAX_OBJECT) {
			errf(e, "%s: damaged at byte %llu (object %s of %llu bytes)", name,
				(unsigned long long)r.off, hex, (unsigned long long)len);
			goto out;
		}
		buf = xmalloc(len ? (size_t)len : 1);
		if (ar(&r, buf, (size_t)len, name, e) != 0)
			goto out;
		records++;
		char *p = cache_path(c, &k), *old;
		size_t oldlen;
		berr why;
		int have = cache_read_object(p, &k, &old, &oldlen, &why);
		free(p);
		if (have == 0) {
			free(old);
			st->present++;
		} else {
			int pr = cache_put_object(c, &k, buf, (size_t)len, &why);
			if (pr < 0) {
				errf(e, "%s", why.msg);
				goto out;
			}
			if (pr == 1) {
				fprintf(report, "corrupt %s: %s; skipped\n", hex, why.msg);
				st->corrupt++;
			} else {
				st->objects++;
				st->bytes += len;
			}
		}
		free(buf);
		buf = NULL;
	}
	unsigned char cnt[8], sum[16];
	if (ar(&r, cnt, 8, name, e) != 0)
		goto out;
	XXH128_canonical_t want;
	XXH128_canonicalFromHash(&want, XXH3_128bits_digest(r.st));
	size_t got = fread(sum, 1, 16, r.f);
	if (got != 16) {
		errf(e, "%s: truncated in its trailer", name);
		goto out;
	}
	if (get_le(cnt, 8) != records) {
		errf(e, "%s: the trailer counts %llu objects, the archive holds %zu", name,
			(unsigned long long)get_le(cnt, 8), records);
		goto out;
	}
	if (memcmp(sum, want.digest, 16) != 0) {
		errf(e, "%s: archive checksum mismatch (damaged)", name);
		goto out;
	}
	if (fgetc(r.f) != EOF) {
		errf(e, "%s: stray bytes after the trailer", name);
		goto out;
	}
	rc = 0;
out:
	free(buf);
	if (!from_stdin)
		fclose(r.f);
	XXH3_freeState(r.st);
	return rc;
}
