/* corpus.c - walking a Python library folder into a sorted, capped, split corpus. */
#include "nanocoder/corpus.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cache/sha256.h"
#include "gen/json.h"

/* Largest single source file read (the biggest stdlib file is under 1 MB). */
enum { NC_MAX_FILE = 64 << 20, NC_MAX_FILES = 1 << 20, NC_MAX_DEPTH = 32 };

typedef struct {
	char **v;
	size_t n, cap;
} pathlist;

static void pl_add(pathlist *p, char *s)
{
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 256;
		p->v = xreallocarray(p->v, p->cap, sizeof *p->v);
	}
	p->v[p->n++] = s;
}

static void pl_free(pathlist *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	*p = (pathlist){0};
}

int nc_corpus_excluded(const char *rel)
{
	static const char *const dirs[] = {"test", "tests", "idle_test", "__pycache__",
					   "site-packages", "dist-packages", "pydoc_data"};
	const char *s = rel;
	for (;;) {
		const char *slash = strchr(s, '/');
		if (!slash)
			break; /* the last component is the file name */
		size_t n = (size_t)(slash - s);
		for (size_t i = 0; i < sizeof dirs / sizeof *dirs; i++)
			if (strlen(dirs[i]) == n && memcmp(s, dirs[i], n) == 0)
				return 1;
		if (n > 7 && memcmp(s, "config-", 7) == 0)
			return 1; /* config-3.11-<arch>: the build's Makefile and python-config */
		s = slash + 1;
	}
	/* Generated per architecture, so not the same on every machine. */
	return strncmp(s, "_sysconfigdata", 14) == 0;
}

static int is_py(const char *name)
{
	size_t n = strlen(name);
	return n > 3 && strcmp(name + n - 3, ".py") == 0;
}

/* Adds every regular .py file under root/rel (relative paths) to out; symlinks are skipped. */
static int walk(const char *root, const char *rel, int depth, pathlist *out, berr *e)
{
	if (depth > NC_MAX_DEPTH)
		return errf(e, "%s/%s: folders nested deeper than %d", root, rel, NC_MAX_DEPTH);
	char *dir = *rel ? path_join(root, rel) : xstrdup(root);
	DIR *d = opendir(dir);
	if (!d) {
		errf(e, "%s: cannot open folder: %s", dir, strerror(errno));
		free(dir);
		return -1;
	}
	int rc = 0;
	struct dirent *de;
	while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		char *r = *rel ? path_join(rel, de->d_name) : xstrdup(de->d_name);
		char *full = path_join(root, r);
		struct stat st;
		if (lstat(full, &st) != 0) {
			rc = errf(e, "%s: %s", full, strerror(errno));
			free(r);
		} else if (S_ISDIR(st.st_mode)) {
			rc = walk(root, r, depth + 1, out, e);
			free(r);
		} else if (S_ISREG(st.st_mode) && is_py(de->d_name)) {
			if (out->n >= NC_MAX_FILES)
				rc = errf(e, "%s: more than %d .py files", root, NC_MAX_FILES);
			pl_add(out, r);
		} else {
			free(r);
		}
		free(full);
	}
	if (rc == 0 && errno != 0)
		rc = errf(e, "%s: cannot read folder: %s", dir, strerror(errno));
	closedir(d);
	free(dir);
	return rc;
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int nc_corpus_build(const char *src, size_t cap, int heldout_pct, const char *outdir,
		    nc_corpus_info *info, berr *e)
{
	if (heldout_pct < 1 || heldout_pct > 90)
		return errf(e, "held-out share %d%% is outside 1..90", heldout_pct);
	pathlist all = {0};
	if (walk(src, "", 0, &all, e) != 0) {
		pl_free(&all);
		return -1;
	}
	qsort(all.v, all.n, sizeof *all.v, cmp_path);
	strbuf text = {0}, man = {0};
	jw w;
	jw_init(&w, &man);
	jw_obj(&w);
	jw_kstr(&w, "source", src);
	jw_kstr(&w, "package", NC_CORPUS_PACKAGE);
	jw_klong(&w, "cap_bytes", (long long)cap);
	jw_klong(&w, "heldout_percent", heldout_pct);
	jw_key(&w, "files");
	jw_arr(&w);
	*info = (nc_corpus_info){0};
	bool full = false;
	int rc = -1;
	for (size_t i = 0; i < all.n; i++) {
		if (full || nc_corpus_excluded(all.v[i])) {
			info->nskipped++;
			continue;
		}
		char *path = path_join(src, all.v[i]), *buf;
		size_t len;
		int r = read_file(path, NC_MAX_FILE, &buf, &len, e);
		free(path);
		if (r != 0)
			goto out;
		if (text.len + len > cap) {
			full = true; /* a prefix of the sorted list, so the cut is easy to state */
			info->nskipped++;
			free(buf);
			continue;
		}
		char hex[65];
		sha256_hex(buf, len, hex);
		jw_obj(&w);
		jw_kstr(&w, "path", all.v[i]);
		jw_klong(&w, "bytes", (long long)len);
		jw_kstr(&w, "sha256", hex);
		jw_end_obj(&w);
		sb_add(&text, buf, len);
		free(buf);
		info->nfiles++;
	}
	jw_end_arr(&w);
	if (text.len < 20) {
		errf(e, "%s: only %zu bytes of .py source outside test folders (wanted a corpus)", src,
		     text.len);
		goto out;
	}
	info->bytes = text.len;
	info->train_bytes = text.len - text.len * (size_t)heldout_pct / 100;
	sha256_hex(text.s, text.len, info->sha256);
	char th[65], hh[65];
	sha256_hex(text.s, info->train_bytes, th);
	sha256_hex(text.s + info->train_bytes, text.len - info->train_bytes, hh);
	jw_klong(&w, "nfiles", (long long)info->nfiles);
	jw_klong(&w, "nskipped", (long long)info->nskipped);
	jw_klong(&w, "bytes", (long long)info->bytes);
	jw_klong(&w, "train_bytes", (long long)info->train_bytes);
	jw_klong(&w, "heldout_bytes", (long long)(info->bytes - info->train_bytes));
	jw_kstr(&w, "sha256", info->sha256);
	jw_kstr(&w, "train_sha256", th);
	jw_kstr(&w, "heldout_sha256", hh);
	jw_end_obj(&w);
	sb_puts(&man, "\n");
	if (mkdirs(outdir, e) != 0)
		goto out;
	char *p1 = path_join(outdir, "train.txt"), *p2 = path_join(outdir, "heldout.txt"),
	     *p3 = path_join(outdir, "manifest.json");
	rc = write_file_atomic(p1, text.s, info->train_bytes, true, e);
	if (rc == 0)
		rc = write_file_atomic(p2, text.s + info->train_bytes,
				       text.len - info->train_bytes, true, e);
	if (rc == 0)
		rc = write_file_atomic(p3, man.s, man.len, true, e);
	free(p1);
	free(p2);
	free(p3);
out:
	sb_free(&text);
	sb_free(&man);
	pl_free(&all);
	return rc;
}

int nc_corpus_read(const char *dir, const char *name, char **buf, size_t *len, berr *e)
{
	char *p = path_join(dir, name);
	int rc = read_file(p, (size_t)1 << 30, buf, len, e);
	free(p);
	return rc;
}
