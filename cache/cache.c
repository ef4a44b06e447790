/* cache.c - the content-addressed cache: keys, objects, listing and gc. */
#define _POSIX_C_SOURCE 200809L
#include "cache/cache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cache/remote.h"

/* Object layout (docs/CACHE.md): header, files, checksum. All integers little-endian. */
static const char obj_magic[8] = {'B', 'R', 'N', 'C', 'A', 'C', 'H', 'E'};
enum {
	HDR_LEN = 8 + 4 + 16 + 4, /* magic, format, key, number of files */
	SUM_LEN = 16,             /* XXH3-128 of everything before it */
	FILE_HDR_LEN = 4 + 8,     /* name length, data length (around the name) */
};

static void put_u32(unsigned char *b, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static void put_u64(unsigned char *b, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
}

static uint32_t get_u32(const unsigned char *b)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static uint64_t get_u64(const unsigned char *b)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | b[i];
	return v;
}

static XXH3_state_t *new_state(void)
{
	XXH3_state_t *st = XXH3_createState();
	if (!st || XXH3_128bits_reset(st) == XXH_ERROR)
		die(EXIT_INTERNAL, "out of memory (hash state)");
	return st;
}

static void hash_bytes(XXH3_state_t *st, const void *p, size_t n)
{
	if (n && XXH3_128bits_update(st, p, n) == XXH_ERROR)
		die(EXIT_INTERNAL, "xxhash update failed");
}

/* The 16 canonical (big-endian) bytes of st's hash so far. */
static void hash_digest(XXH3_state_t *st, unsigned char out[16])
{
	XXH128_canonical_t c;
	XXH128_canonicalFromHash(&c, XXH3_128bits_digest(st));
	memcpy(out, c.digest, 16);
}

/* ---- keys ---- */

static void kh_u64(khash *h, uint64_t v)
{
	unsigned char b[8];
	put_u64(b, v);
	hash_bytes(h->st, b, 8);
}

void kh_init(khash *h, const char *step, int step_version)
{
	h->st = new_state();
	unsigned char v[8];
	put_u64(v, CACHE_FORMAT);
	kh_add(h, "burn-cache", v, 8);
	kh_add_str(h, "step", step);
	put_u64(v, (uint64_t)(int64_t)step_version);
	kh_add(h, "step-version", v, 8);
}

void kh_add(khash *h, const char *label, const void *data, size_t len)
{
	size_t ll = strlen(label);
	kh_u64(h, ll);
	hash_bytes(h->st, label, ll);
	kh_u64(h, len);
	hash_bytes(h->st, data, len);
}

void kh_add_str(khash *h, const char *label, const char *s)
{
	kh_add(h, label, s, strlen(s));
}

int kh_add_file(khash *h, const char *label, const char *path, berr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errf(e, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		errf(e, "%s: cannot stat: %s", path, strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		errf(e, "%s: not a regular file", path);
		goto fail;
	}
	size_t ll = strlen(label);
	kh_u64(h, ll);
	hash_bytes(h->st, label, ll);
	kh_u64(h, (uint64_t)st.st_size);
	char chunk[65536];
	uint64_t got = 0;
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			errf(e, "%s: read error: %s", path, strerror(errno));
			goto fail;
		}
		if (r == 0)
			break;
		hash_bytes(h->st, chunk, (size_t)r);
		got += (uint64_t)r;
	}
	close(fd);
	if (got != (uint64_t)st.st_size)
		return errf(e, "%s: changed while being hashed", path);
	return 0;
fail:
	close(fd);
	return -1;
}

ckey kh_final(khash *h)
{
	ckey k;
	hash_digest(h->st, k.b);
	kh_free(h);
	return k;
}

void kh_free(khash *h)
{
	XXH3_freeState(h->st);
	h->st = NULL;
}

void ckey_hex(const ckey *k, char out[33])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		out[2 * i] = digits[k->b[i] >> 4];
		out[2 * i + 1] = digits[k->b[i] & 15];
	}
	out[32] = '\0';
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ckey_parse(const char *hex, ckey *k)
{
	if (strlen(hex) != 32)
		return -1;
	for (int i = 0; i < 16; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		k->b[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/* ---- the cache folder ---- */

static const char cachedir_tag[] =
	"Signature: 8a477f597d28d172789f06886806bc55\n"
	"# This file is a cache directory tag created by burn (BurnTTT).\n"
	"# For information about cache directory tags see https://bford.info/cachedir/\n";

/* Returns ROOT/rel in a new string. */
static char *under(const cache *c, const char *rel)
{
	strbuf b = {0};
	sb_printf(&b, "%s/%s", c->root, rel);
	return b.s;
}

int cache_open(cache *c, const char *root, berr *e)
{
	if (cache_open_local(c, root, e) != 0)
		return -1;
	if (!c->off)
		c->remote = remote_open(c->root);
	return 0;
}

int cache_open_local(cache *c, const char *root, berr *e)
{
	memset(c, 0, sizeof *c);
	const char *off = getenv("BURN_NO_CACHE");
	c->off = off && off[0] && strcmp(off, "0") != 0;
	const char *s;
	if (root) {
		if (!root[0])
			return errf(e, "cache: empty root folder name");
		c->root = xstrdup(root);
	} else if ((s = getenv("BURN_CACHE")) && s[0]) {
		c->root = xstrdup(s);
	} else if ((s = getenv("XDG_CACHE_HOME")) && s[0] == '/') {
		c->root = path_join(s, "burn");
	} else if ((s = getenv("HOME")) && s[0]) {
		c->root = path_join(s, ".cache/burn");
	} else {
		return errf(e, "cache: no folder for it: set BURN_CACHE or HOME");
	}
	if (c->off)
		return 0;
	/* the tag is written last: when it is there, so are the folders (one stat per step) */
	char *objs = under(c, "objects"), *tmp = under(c, "tmp"), *tag = under(c, "CACHEDIR.TAG");
	int rc = -1;
	struct stat st;
	if (stat(tag, &st) == 0) {
		rc = 0;
		goto out;
	}
	if (errno != ENOENT) {
		errf(e, "%s: cannot stat: %s", tag, strerror(errno));
		goto out;
	}
	if (mkdirs(objs, e) != 0 || mkdirs(tmp, e) != 0 ||
	    write_file_atomic(tag, cachedir_tag, sizeof cachedir_tag - 1, true, e) != 0)
		goto out;
	rc = 0;
out:
	free(objs);
	free(tmp);
	free(tag);
	if (rc != 0) {
		free(c->root);
		c->root = NULL;
	}
	return rc;
}

void cache_close(cache *c)
{
	free(c->root);
	c->root = NULL;
	remote_close(c->remote);
	c->remote = NULL;
}

char *cache_path(const cache *c, const ckey *k)
{
	char hex[33];
	ckey_hex(k, hex);
	strbuf b = {0};
	sb_printf(&b, "%s/objects/%.2s/%s", c->root, hex, hex + 2);
	return b.s;
}

/* True if s (n bytes) is a plain file name: [A-Za-z0-9_.+-]{1,255}, not starting with '.'. */
static bool safe_name(const char *s, size_t n)
{
	if (n == 0 || n > CACHE_MAX_NAME || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		bool letter = (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z');
		bool digit = ch >= '0' && ch <= '9';
		if (!letter && !digit && ch != '_' && ch != '.' && ch != '+' && ch != '-')
			return false;
	}
	return true;
}

/* ---- writing objects ---- */

/* A checksummed stream into a temp file; ok drops to false at the first short write. */
typedef struct {
	FILE *f;
	XXH3_state_t *st;
	bool ok;
	strbuf *copy; /* the bytes, for the remote, or NULL */
} owriter;

static void ow_put(owriter *w, const void *p, size_t n)
{
	hash_bytes(w->st, p, n);
	if (w->ok && n && (fault_write() || fwrite(p, 1, n, w->f) != n))
		w->ok = false;
	if (w->copy && n)
		sb_add(w->copy, p, n);
}

/* Creates a temp file for key hex in ROOT/tmp; -1 with e set. */
static int make_tmp(const cache *c, const char *hex, char **tmp, berr *e)
{
	strbuf b = {0};
	sb_printf(&b, "%s/tmp/%s.XXXXXX", c->root, hex);
	int fd = mkstemp(b.s);
	if (fd < 0 && errno == ENOENT) { /* the tmp folder was removed under us */
		char *dir = under(c, "tmp");
		int mk = mkdirs(dir, NULL);
		free(dir);
		if (mk == 0)
			fd = mkstemp(b.s);
	}
	if (fd < 0) {
		errf(e, "%s: cannot create: %s", b.s, strerror(errno));
		sb_free(&b);
		return -1;
	}
	*tmp = b.s;
	return fd;
}

/* Write-back: uploads a stored object to the remote; a failure is a warning. */
static void upload(cache *c, const ckey *k, const char *obj, size_t len)
{
	berr e;
	int rc = remote_put(c->remote, k->b, obj, len, &e);
	if (rc == -1) { /* unreachable: back off */
		remote_failed(c->remote, "upload", &e);
		remote_close(c->remote);
		c->remote = NULL;
	} else if (rc != 0) {
		char hex[33];
		ckey_hex(k, hex);
		warn("remote cache %s: object %s not uploaded: %s", c->remote->url, hex, e.msg);
	}
}

/* Stores len bytes as k's object: temp file, fsync, rename. */
static int put_raw(cache *c, const ckey *k, const void *obj, size_t len, berr *e)
{
	char hex[33];
	ckey_hex(k, hex);
	char *path = cache_path(c, k), *dir = dir_of(path), *tmp = NULL;
	int rc = -1, fd = -1;
	if (mkdirs(dir, e) != 0 || (fd = make_tmp(c, hex, &tmp, e)) < 0)
		goto out;
	if (fchmod(fd, 0644) != 0) {
		errf(e, "%s: chmod: %s", tmp, strerror(errno));
		goto out;
	}
	const char *p = obj;
	for (size_t left = len; left;) {
		ssize_t w = fault_write() ? -1 : write(fd, p, left);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			errf(e, "%s: write error: %s", tmp, w < 0 ? strerror(errno) : "no progress");
			goto out;
		}
		p += w;
		left -= (size_t)w;
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		errf(e, "%s: fsync: %s", tmp, strerror(errno));
		goto out;
	}
	int cr = close(fd);
	fd = -1;
	if (cr != 0) {
		errf(e, "%s: close: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		errf(e, "%s: rename to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	free(tmp);
	tmp = NULL;
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	free(dir);
	free(path);
	return rc;
}

int cache_commit_tmp(FILE *f, const char *tmp, const char *dst, berr *e)
{
	if (fsync(fileno(f)) != 0 && errno != EINVAL) {
		errf(e, "%s: fsync: %s", tmp, strerror(errno));
		fclose(f);
		return -1;
	}
	if (fclose(f) != 0)
		return errf(e, "%s: close: %s", tmp, strerror(errno));
	if (rename(tmp, dst) != 0)
		return errf(e, "%s: rename to %s: %s", tmp, dst, strerror(errno));
	return 0;
}

int cache_put(cache *c, const ckey *k, const cache_file *files, int n, berr *e)
{
	if (c->off)
		return 0;
	char hex[33];
	ckey_hex(k, hex);
	if (n < 0 || n > CACHE_MAX_FILES)
		return errf(e, "cache: %d files in one object (the limit is %d)", n,
			CACHE_MAX_FILES);
	uint64_t total = HDR_LEN + SUM_LEN;
	for (int i = 0; i < n; i++) {
		const char *name = files[i].name;
		size_t nl = strlen(name);
		if (!safe_name(name, nl))
			return errf(e, "cache: output name '%s' is not a plain file name", name);
		for (int j = 0; j < i; j++)
			if (strcmp(name, files[j].name) == 0)
				return errf(e, "cache: output name '%s' given twice", name);
		/* n <= 256 terms of at most 2^28 + 268: no overflow */
		if (files[i].len > CACHE_MAX_OBJECT)
			total += (uint64_t)CACHE_MAX_OBJECT + 1;
		else
			total += FILE_HDR_LEN + nl + files[i].len;
	}
	if (total > CACHE_MAX_OBJECT)
		return errf(e, "cache: outputs for key %s are too large to cache (over %zu MiB)",
			hex, CACHE_MAX_OBJECT >> 20);

	char *path = cache_path(c, k), *dir = dir_of(path), *tmp = NULL;
	int rc = -1, fd = -1;
	strbuf copy = {0};
	owriter w = {NULL, new_state(), true, NULL};
	if (c->remote && total <= REMOTE_MAX_OBJECT)
		w.copy = &copy;
	if (mkdirs(dir, e) != 0)
		goto out;
	if ((fd = make_tmp(c, hex, &tmp, e)) < 0)
		goto out;
	if (fchmod(fd, 0644) != 0) {
		errf(e, "%s: chmod: %s", tmp, strerror(errno));
		goto out;
	}
	if (!(w.f = fdopen(fd, "wb"))) {
		errf(e, "%s: fdopen: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	unsigned char b[HDR_LEN];
	memcpy(b, obj_magic, 8);
	put_u32(b + 8, CACHE_FORMAT);
	memcpy(b + 12, k->b, 16);
	put_u32(b + 28, (uint32_t)n);
	ow_put(&w, b, HDR_LEN);
	for (int i = 0; i < n; i++) {
		size_t nl = strlen(files[i].name);
		put_u32(b, (uint32_t)nl);
		ow_put(&w, b, 4);
		ow_put(&w, files[i].name, nl);
		put_u64(b, files[i].len);
		ow_put(&w, b, 8);
		ow_put(&w, files[i].data, files[i].len);
		if (i == 0 && w.ok && fflush(w.f) == 0)
			fault_point("cache-put"); /* test hook: die with half an object written */
	}
	unsigned char sum[SUM_LEN];
	hash_digest(w.st, sum);
	if (w.ok && (fault_write() || fwrite(sum, 1, SUM_LEN, w.f) != SUM_LEN))
		w.ok = false;
	if (w.copy)
		sb_add(w.copy, (const char *)sum, SUM_LEN);
	if (!w.ok || fflush(w.f) != 0) {
		errf(e, "%s: write error: %s", tmp, strerror(errno));
		goto out;
	}
	FILE *f = w.f;
	w.f = NULL;
	if (cache_commit_tmp(f, tmp, path, e) != 0)
		goto out;
	free(tmp);
	tmp = NULL;
	rc = 0;
	if (w.copy)
		upload(c, k, copy.s, copy.len);
out:
	if (w.f)
		fclose(w.f);
	if (fd >= 0)
		close(fd);
	if (tmp) {
		unlink(tmp);
		free(tmp);
	}
	XXH3_freeState(w.st);
	sb_free(&copy);
	free(dir);
	free(path);
	return rc;
}

/* ---- reading objects ---- */

enum { OBJ_ABSENT, OBJ_READ, OBJ_BAD };

/* Reads the object at path: OBJ_READ (*buf, *len, *st set), OBJ_ABSENT, OBJ_BAD (reason in e:
 * not a file, too large, shorter than stat said) or -1 (I/O error in e). */
static int read_obj(const char *path, char **buf, size_t *len, struct stat *st, berr *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return OBJ_ABSENT;
		return errf(e, "%s: cannot open: %s", path, strerror(errno));
	}
	int rc = -1;
	char *b = NULL;
	if (fstat(fd, st) != 0) {
		errf(e, "%s: cannot stat: %s", path, strerror(errno));
		goto out;
	}
	rc = OBJ_BAD;
	if (!S_ISREG(st->st_mode)) {
		errf(e, "not a regular file");
		goto out;
	}
	if ((uint64_t)st->st_size > CACHE_MAX_OBJECT) {
		errf(e, "%lld bytes, more than the limit of %zu MiB", (long long)st->st_size,
			CACHE_MAX_OBJECT >> 20);
		goto out;
	}
	size_t n = (size_t)st->st_size, got = 0;
	b = xmalloc(n);
	while (got < n) {
		ssize_t r = read(fd, b + got, n - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = errf(e, "%s: read error: %s", path, strerror(errno));
			goto out;
		}
		if (r == 0) {
			errf(e, "truncated while read (%zu of %zu bytes)", got, n);
			goto out;
		}
		got += (size_t)r;
	}
	*buf = b;
	*len = n;
	b = NULL;
	rc = OBJ_READ;
out:
	free(b);
	close(fd);
	return rc;
}

/* Checks an object's bytes against key k and, with files, copies them out; -1 (reason in e) if
 * it is corrupt. */
static int parse_obj(const unsigned char *buf, size_t len, const ckey *k, cache_file **files,
	int *nfiles, berr *e)
{
	if (len < HDR_LEN + SUM_LEN)
		return errf(e, "truncated (%zu bytes)", len);
	if (memcmp(buf, obj_magic, 8) != 0)
		return errf(e, "not a cache object (bad magic)");
	XXH128_canonical_t sum;
	XXH128_canonicalFromHash(&sum, XXH3_128bits(buf, len - SUM_LEN));
	if (memcmp(sum.digest, buf + len - SUM_LEN, SUM_LEN) != 0)
		return errf(e, "checksum mismatch (truncated or damaged)");
	uint32_t fmt = get_u32(buf + 8);
	if (fmt != CACHE_FORMAT)
		return errf(e, "object format %u, this burn reads format %d", fmt, CACHE_FORMAT);
	if (memcmp(buf + 12, k->b, 16) != 0) {
		ckey other;
		memcpy(other.b, buf + 12, 16);
		char hex[33];
		ckey_hex(&other, hex);
		return errf(e, "holds key %s (misplaced)", hex);
	}
	uint32_t n = get_u32(buf + 28);
	if (n > CACHE_MAX_FILES)
		return errf(e, "%u files (the limit is %d)", n, CACHE_MAX_FILES);
	size_t name_at[CACHE_MAX_FILES], name_len[CACHE_MAX_FILES];
	size_t data_at[CACHE_MAX_FILES], data_len[CACHE_MAX_FILES];
	size_t pos = HDR_LEN, end = len - SUM_LEN;
	for (uint32_t i = 0; i < n; i++) {
		if (end - pos < 4)
			return errf(e, "file %u: header past the end", i);
		uint32_t nl = get_u32(buf + pos);
		pos += 4;
		if (nl > end - pos)
			return errf(e, "file %u: name length %u past the end", i, nl);
		if (!safe_name((const char *)buf + pos, nl))
			return errf(e, "file %u: name is not a plain file name", i);
		for (uint32_t j = 0; j < i; j++)
			if (name_len[j] == nl && memcmp(buf + name_at[j], buf + pos, nl) == 0)
				return errf(e, "file %u: name given twice", i);
		name_at[i] = pos;
		name_len[i] = nl;
		pos += nl;
		if (end - pos < 8)
			return errf(e, "file %u: data length past the end", i);
		uint64_t dl = get_u64(buf + pos);
		pos += 8;
		if (dl > end - pos)
			return errf(e, "file %u: data length %llu past the end", i,
				(unsigned long long)dl);
		data_at[i] = pos;
		data_len[i] = (size_t)dl;
		pos += (size_t)dl;
	}
	if (pos != end)
		return errf(e, "%zu stray bytes after the last file", end - pos);
	if (!files)
		return 0;
	cache_file *f = xcalloc(n, sizeof *f);
	for (uint32_t i = 0; i < n; i++) {
		f[i].name = xstrndup((const char *)buf + name_at[i], name_len[i]);
		f[i].data = xmalloc(data_len[i] + 1);
		memcpy(f[i].data, buf + data_at[i], data_len[i]);
		f[i].data[data_len[i]] = '\0';
		f[i].len = data_len[i];
	}
	*files = f;
	*nfiles = (int)n;
	return 0;
}

/* Reports a corrupt object and removes it, unless it was replaced since it was read. */
static void drop_corrupt(const char *path, const ckey *k, const struct stat *was, const char *why)
{
	char hex[33];
	ckey_hex(k, hex);
	struct stat now;
	if (lstat(path, &now) != 0 || now.st_dev != was->st_dev || now.st_ino != was->st_ino)
		warn("cache: object %s was corrupt (%s); already replaced", hex, why);
	else if (unlink(path) != 0 && errno != ENOENT)
		warn("cache: object %s is corrupt (%s); cannot remove %s: %s", hex, why, path,
			strerror(errno));
	else
		warn("cache: object %s is corrupt (%s); removed it", hex, why);
}

/* Read-through: asks the remote for k after a local miss. A sound object is kept locally and
 * returned (1); anything else is a miss (0), with a warning if the remote failed. */
static int get_remote(cache *c, const ckey *k, cache_file **files, int *n)
{
	char *obj, hex[33];
	size_t len;
	berr e, why;
	ckey_hex(k, hex);
	int rc = remote_get(c->remote, k->b, &obj, &len, &e);
	if (rc == -1) { /* unreachable, slow or not speaking the protocol: back off */
		remote_failed(c->remote, "lookup", &e);
		remote_close(c->remote);
		c->remote = NULL;
		return 0;
	}
	if (rc == -2) {
		warn("remote cache %s: object %s: %s; recomputing", c->remote->url, hex, e.msg);
		return 0;
	}
	if (rc == 0)
		return 0;
	if (parse_obj((unsigned char *)obj, len, k, files, n, &why) != 0) {
		warn("remote cache %s: object %s is corrupt (%s); recomputing", c->remote->url,
			hex, why.msg);
		free(obj);
		return 0;
	}
	if (put_raw(c, k, obj, len, &e) != 0)
		warn("cache: %s (a remote hit not kept locally)", e.msg);
	free(obj);
	c->remote_hit = true;
	return 1;
}

int cache_put_object(cache *c, const ckey *k, const void *obj, size_t len, berr *e)
{
	if (parse_obj(obj, len, k, NULL, NULL, e) != 0)
		return 1;
	return put_raw(c, k, obj, len, e);
}

int cache_get(cache *c, const ckey *k, cache_file **files, int *n, berr *e)
{
	*files = NULL;
	*n = 0;
	c->remote_hit = false;
	if (c->off)
		return 0;
	char *path = cache_path(c, k), *buf = NULL;
	size_t len = 0;
	struct stat st;
	berr why;
	int rc = read_obj(path, &buf, &len, &st, &why);
	if (rc == OBJ_READ && parse_obj((unsigned char *)buf, len, k, files, n, &why) != 0)
		rc = OBJ_BAD;
	switch (rc) {
	case OBJ_READ:
		/* LRU stamp for gc; a read-only cache still serves hits, so a failure is ignored */
		(void)utimensat(AT_FDCWD, path, NULL, 0);
		rc = 1;
		break;
	case OBJ_BAD:
		drop_corrupt(path, k, &st, why.msg);
		rc = c->remote ? get_remote(c, k, files, n) : 0;
		break;
	case OBJ_ABSENT:
		rc = c->remote ? get_remote(c, k, files, n) : 0;
		break;
	default:
		errf(e, "cache: %s", why.msg);
		rc = -1;
	}
	free(buf);
	free(path);
	return rc;
}

void cache_files_free(cache_file *f, int n)
{
	if (!f)
		return;
	for (int i = 0; i < n; i++) {
		free(f[i].name);
		free(f[i].data);
	}
	free(f);
}

int cache_read_object(const char *path, const ckey *k, char **out, size_t *olen, berr *e)
{
	char *buf = NULL;
	size_t len = 0;
	struct stat st;
	*out = NULL;
	*olen = 0;
	int rc = read_obj(path, &buf, &len, &st, e);
	if (rc == OBJ_ABSENT)
		return errf(e, "%s: no such object", path);
	if (rc == OBJ_READ)
		rc = parse_obj((unsigned char *)buf, len, k, NULL, NULL, e) == 0 ? 0 : 1;
	else if (rc == OBJ_BAD)
		rc = 1;
	if (rc == 0) {
		*out = buf;
		*olen = len;
		buf = NULL;
	}
	free(buf);
	return rc;
}

int cache_check(const char *path, const ckey *k, berr *e)
{
	char *buf;
	size_t len;
	int rc = cache_read_object(path, k, &buf, &len, e);
	free(buf);
	return rc;
}

/* ---- step helpers ---- */

int cache_restore(cache *c, const ckey *k, int n, const char *const *names,
	const char *const *paths, berr *e)
{
	cache_file *f;
	int nf;
	int rc = cache_get(c, k, &f, &nf, e);
	if (rc <= 0)
		return rc;
	int *at = xcalloc((size_t)(n > 0 ? n : 1), sizeof *at);
	for (int i = 0; i < n; i++) {
		at[i] = -1;
		for (int j = 0; j < nf && at[i] < 0; j++)
			if (strcmp(f[j].name, names[i]) == 0)
				at[i] = j;
		if (at[i] < 0) { /* the object lacks an output: recompute, and the store fixes it */
			rc = 0;
			goto out;
		}
	}
	for (int i = 0; i < n; i++)
		if (write_file_atomic(paths[i], f[at[i]].data, f[at[i]].len, true, e) != 0) {
			rc = -1;
			goto out;
		}
	rc = 1;
out:
	free(at);
	cache_files_free(f, nf);
	return rc;
}

int cache_store(cache *c, const ckey *k, int n, const char *const *names,
	const char *const *paths, berr *e)
{
	if (c->off)
		return 0;
	if (n < 0 || n > CACHE_MAX_FILES)
		return errf(e, "cache: %d files in one object (the limit is %d)", n,
			CACHE_MAX_FILES);
	cache_file *f = xcalloc((size_t)(n > 0 ? n : 1), sizeof *f);
	int rc = -1, got = 0;
	for (; got < n; got++) {
		f[got].name = (char *)names[got];
		if (read_file(paths[got], CACHE_MAX_OBJECT, &f[got].data, &f[got].len, e) != 0)
			goto out;
	}
	rc = cache_put(c, k, f, n, e);
out:
	for (int i = 0; i < got; i++)
		free(f[i].data);
	free(f);
	return rc;
}

/* ---- listing and gc ---- */

/* True if s is exactly n lowercase hex digits. */
static bool is_hex(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return s[n] == '\0';
}

/* Opens dir; NULL with *absent true if it does not exist, NULL with e set on error. */
static DIR *open_dir(const char *dir, bool *absent, berr *e)
{
	DIR *d = opendir(dir);
	*absent = !d && errno == ENOENT;
	if (!d && !*absent)
		errf(e, "%s: cannot open folder: %s", dir, strerror(errno));
	return d;
}

/* Reads dir's next entry into *de: 1 got one, 0 at the end, -1 on error (e set). */
static int next_entry(DIR *d, const char *dir, struct dirent **de, berr *e)
{
	errno = 0;
	*de = readdir(d);
	if (*de)
		return 1;
	if (errno)
		return errf(e, "%s: cannot read folder: %s", dir, strerror(errno));
	return 0;
}

int cache_list(const cache *c, cache_obj **objs, size_t *n, berr *e)
{
	*objs = NULL;
	*n = 0;
	char *top = under(c, "objects");
	cache_obj *o = NULL;
	size_t no = 0, cap = 0;
	int rc = -1;
	bool absent;
	DIR *d = open_dir(top, &absent, e), *sd = NULL;
	char *sub = NULL;
	if (!d) {
		rc = absent ? 0 : -1;
		goto out;
	}
	struct dirent *de, *fe;
	int more, fmore;
	while ((more = next_entry(d, top, &de, e)) > 0) {
		if (!is_hex(de->d_name, 2))
			continue;
		free(sub);
		sub = path_join(top, de->d_name);
		char pre[3] = {de->d_name[0], de->d_name[1], '\0'};
		if (!(sd = open_dir(sub, &absent, e))) {
			if (absent)
				continue;
			goto out;
		}
		while ((fmore = next_entry(sd, sub, &fe, e)) > 0) {
			if (!is_hex(fe->d_name, 30))
				continue;
			char hex[33];
			memcpy(hex, pre, 2);
			memcpy(hex + 2, fe->d_name, 31);
			char *p = path_join(sub, fe->d_name);
			struct stat st;
			int sr = lstat(p, &st);
			if (sr != 0 && errno != ENOENT) {
				errf(e, "%s: cannot stat: %s", p, strerror(errno));
				free(p);
				goto out;
			}
			if (sr != 0 || !S_ISREG(st.st_mode)) { /* gone (gc) or not ours */
				free(p);
				continue;
			}
			if (no == cap) {
				cap = cap ? 2 * cap : 64;
				o = xreallocarray(o, cap, sizeof *o);
			}
			ckey_parse(hex, &o[no].key);
			o[no].path = p;
			o[no].size = (uint64_t)st.st_size;
			o[no].mtime = st.st_mtim;
			no++;
		}
		if (fmore < 0)
			goto out;
		closedir(sd);
		sd = NULL;
	}
	if (more < 0)
		goto out;
	rc = 0;
out:
	if (sd)
		closedir(sd);
	if (d)
		closedir(d);
	free(sub);
	free(top);
	if (rc != 0) {
		cache_objs_free(o, no);
		return -1;
	}
	*objs = o;
	*n = no;
	return 0;
}

void cache_objs_free(cache_obj *o, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(o[i].path);
	free(o);
}

/* Oldest mtime first; the key breaks ties so gc is deterministic. */
static int by_age(const void *pa, const void *pb)
{
	const cache_obj *a = pa, *b = pb;
	if (a->mtime.tv_sec != b->mtime.tv_sec)
		return a->mtime.tv_sec < b->mtime.tv_sec ? -1 : 1;
	if (a->mtime.tv_nsec != b->mtime.tv_nsec)
		return a->mtime.tv_nsec < b->mtime.tv_nsec ? -1 : 1;
	return memcmp(a->key.b, b->key.b, 16);
}

/* Removes temp files in ROOT/tmp older than CACHE_STALE_TMP; adds their count to *removed. */
static int gc_tmp(const cache *c, size_t *removed, berr *e)
{
	char *dir = under(c, "tmp");
	bool absent;
	DIR *d = open_dir(dir, &absent, e);
	int rc = absent ? 0 : -1;
	if (!d)
		goto out;
	time_t now = time(NULL);
	struct dirent *de;
	int more;
	while ((more = next_entry(d, dir, &de, e)) > 0) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = path_join(dir, de->d_name);
		struct stat st;
		bool stale = lstat(p, &st) == 0 && S_ISREG(st.st_mode) &&
			     st.st_mtim.tv_sec < now - CACHE_STALE_TMP;
		if (stale && unlink(p) != 0 && errno != ENOENT) {
			errf(e, "%s: cannot remove: %s", p, strerror(errno));
			free(p);
			goto out;
		}
		*removed += stale;
		free(p);
	}
	rc = more < 0 ? -1 : 0;
out:
	if (d)
		closedir(d);
	free(dir);
	return rc;
}

/* Adds the sizes of the regular files at or under path to *bytes (links not followed). */
static int tree_bytes(const char *path, uint64_t *bytes, berr *e)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : errf(e, "%s: cannot stat: %s", path, strerror(errno));
	if (S_ISREG(st.st_mode))
		*bytes += (uint64_t)st.st_size;
	if (!S_ISDIR(st.st_mode))
		return 0;
	bool absent;
	DIR *d = open_dir(path, &absent, e);
	if (!d)
		return absent ? 0 : -1;
	struct dirent *de;
	int more, rc = 0;
	while (rc == 0 && (more = next_entry(d, path, &de, e)) > 0) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		char *p = path_join(path, de->d_name);
		rc = tree_bytes(p, bytes, e);
		free(p);
	}
	closedir(d);
	return rc != 0 || more < 0 ? -1 : 0;
}

/* Removes a build folder: first renamed to a temp name (so no reader ever sees half of it, and
 * a gc killed midway leaves only a temp folder, removed by a later gc), then deleted. */
static int remove_build(const char *dir, const char *path, const char *name, berr *e)
{
	strbuf t = {0};
	sb_printf(&t, "%s/%sgc-%s", dir, CACHE_BUILD_TMP, name);
	int rc = rm_tree(t.s, e); /* what a gc killed while removing the same build left */
	if (rc != 0) {
		/* e is set */
	} else if (rename(path, t.s) != 0) {
		if (errno != ENOENT)
			rc = errf(e, "%s: cannot remove: %s", path, strerror(errno));
	} else {
		rc = rm_tree(t.s, e);
	}
	sb_free(&t);
	return rc;
}

/* Lists the tool builds (ROOT/CACHE_BUILDS/<32 hex>/) as objects: key from the name, size of
 * their files, the folder's mtime. Removes unfinished build folders (CACHE_BUILD_TMP...) older
 * than CACHE_STALE_TMP, counting them in *stale; leaves anything else alone. */
static int list_builds(const cache *c, cache_obj **builds, size_t *n, size_t *stale, berr *e)
{
	*builds = NULL;
	*n = 0;
	char *dir = under(c, CACHE_BUILDS);
	cache_obj *b = NULL;
	size_t nb = 0;
	bool absent;
	DIR *d = open_dir(dir, &absent, e);
	int rc = absent ? 0 : -1, more = 0;
	if (!d)
		goto out;
	time_t now = time(NULL);
	size_t ltmp = strlen(CACHE_BUILD_TMP);
	struct dirent *de;
	rc = 0;
	while (rc == 0 && (more = next_entry(d, dir, &de, e)) > 0) {
		bool build = is_hex(de->d_name, 32);
		if (!build && strncmp(de->d_name, CACHE_BUILD_TMP, ltmp) != 0)
			continue;
		char *p = path_join(dir, de->d_name);
		struct stat st;
		int sr = lstat(p, &st);
		if (sr != 0 && errno != ENOENT)
			rc = errf(e, "%s: cannot stat: %s", p, strerror(errno));
		if (sr != 0 || !S_ISDIR(st.st_mode)) { /* gone (gc), or not ours */
			free(p);
			continue;
		}
		if (!build) {
			if (st.st_mtim.tv_sec < now - CACHE_STALE_TMP) {
				rc = rm_tree(p, e);
				*stale += rc == 0;
			}
			free(p);
			continue;
		}
		b = xreallocarray(b, nb + 1, sizeof *b);
		ckey_parse(de->d_name, &b[nb].key);
		b[nb].path = p;
		b[nb].size = 0;
		b[nb].mtime = st.st_mtim;
		nb++;
		rc = tree_bytes(p, &b[nb - 1].size, e);
	}
	if (rc == 0 && more < 0)
		rc = -1;
	closedir(d);
out:
	free(dir);
	if (rc != 0) {
		cache_objs_free(b, nb);
		return -1;
	}
	*builds = b;
	*n = nb;
	return 0;
}

/* An entry gc may remove: an object or a tool build. */
typedef struct {
	const cache_obj *o;
	bool build;
} gc_ent;

static int ent_by_age(const void *pa, const void *pb)
{
	return by_age(((const gc_ent *)pa)->o, ((const gc_ent *)pb)->o);
}

int cache_gc(cache *c, uint64_t max_bytes, cache_gc_stats *st, berr *e)
{
	memset(st, 0, sizeof *st);
	cache_obj *o, *b;
	size_t n, nb;
	if (cache_list(c, &o, &n, e) != 0)
		return -1;
	if (list_builds(c, &b, &nb, &st->tmp_builds_removed, e) != 0) {
		cache_objs_free(o, n);
		return -1;
	}
	/* one least-recently-used order over objects and builds */
	gc_ent *all = xcalloc(n + nb + 1, sizeof *all);
	for (size_t i = 0; i < n; i++) {
		all[i] = (gc_ent){&o[i], false};
		st->bytes += o[i].size;
	}
	for (size_t i = 0; i < nb; i++) {
		all[n + i] = (gc_ent){&b[i], true};
		st->build_bytes += b[i].size;
	}
	if (n + nb)
		qsort(all, n + nb, sizeof *all, ent_by_age);
	st->objects = n;
	st->builds = nb;
	uint64_t total = st->bytes + st->build_bytes;
	char *bdir = under(c, CACHE_BUILDS);
	int rc = 0;
	for (size_t i = 0; i < n + nb && total > max_bytes; i++) {
		const cache_obj *x = all[i].o;
		if (all[i].build) {
			char hex[33];
			ckey_hex(&x->key, hex);
			if ((rc = remove_build(bdir, x->path, hex, e)) != 0)
				break;
			st->builds_removed++;
			st->build_freed += x->size;
		} else {
			if (unlink(x->path) != 0 && errno != ENOENT) {
				rc = errf(e, "%s: cannot remove: %s", x->path, strerror(errno));
				break;
			}
			st->removed++;
			st->freed += x->size;
		}
		total -= x->size;
	}
	free(bdir);
	free(all);
	cache_objs_free(o, n);
	cache_objs_free(b, nb);
	if (rc == 0)
		rc = gc_tmp(c, &st->tmp_removed, e);
	return rc;
}
