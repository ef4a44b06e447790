/* util.c - errors, checked allocation, string buffers, atomic file output. */
#define _POSIX_C_SOURCE 200809L
#include "gen/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int errf(berr *e, const char *fmt, ...)
{
	if (e) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(e->msg, sizeof e->msg, fmt, ap);
		va_end(ap);
	}
	return -1;
}

void die(int code, const char *fmt, ...)
{
	va_list ap;
	fputs("burn: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(code);
}

void warn(const char *fmt, ...)
{
	va_list ap;
	fputs("burn: warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- fault injection (BURN_FAULT) ---- */

static struct {
	int state;              /* 0: not read yet, 1: off, 2: on */
	unsigned long alloc_at, write_at; /* 0: never */
	unsigned long allocs, writes;
	bool count;
	char kill[256];         /* point to die at, or "" */
} fault;

static void fault_report(void)
{
	fprintf(stderr, "burn: fault counts: %lu allocations, %lu writes\n", fault.allocs,
		fault.writes);
}

/* Reads BURN_FAULT once; a malformed value is a usage error (tests only set it). */
static bool fault_on(void)
{
	if (fault.state)
		return fault.state == 2;
	fault.state = 1;
	const char *v = getenv("BURN_FAULT");
	if (!v || !*v)
		return false;
	fault.state = 2;
	char spec[512];
	if (strlen(v) >= sizeof spec)
		die(EXIT_BADINPUT, "BURN_FAULT: value too long");
	strcpy(spec, v);
	for (char *save = NULL, *it = strtok_r(spec, ",", &save); it; it = strtok_r(NULL, ",", &save)) {
		long n = 0;
		char *eq = strchr(it, '=');
		if (strcmp(it, "count") == 0) {
			fault.count = true;
		} else if (eq && strncmp(it, "alloc=", 6) == 0 && parse_long(eq + 1, &n) == 0 && n > 0) {
			fault.alloc_at = (unsigned long)n;
		} else if (eq && strncmp(it, "write=", 6) == 0 && parse_long(eq + 1, &n) == 0 && n > 0) {
			fault.write_at = (unsigned long)n;
		} else if (eq && strncmp(it, "kill=", 5) == 0 && eq[1] &&
			   strlen(eq + 1) < sizeof fault.kill) {
			strcpy(fault.kill, eq + 1);
		} else {
			die(EXIT_BADINPUT, "BURN_FAULT: bad item '%s' (alloc=N, write=N, kill=POINT, count)",
			    it);
		}
	}
	if (fault.count)
		atexit(fault_report);
	return true;
}

bool fault_alloc(void)
{
	if (!fault_on())
		return false;
	return ++fault.allocs == fault.alloc_at;
}

bool fault_write(void)
{
	if (!fault_on())
		return false;
	if (++fault.writes != fault.write_at)
		return false;
	errno = ENOSPC;
	return true;
}

void fault_point(const char *point)
{
	if (fault_on() && fault.kill[0] && strcmp(point, fault.kill) == 0) {
		fflush(NULL);
		kill(getpid(), SIGKILL);
	}
}

/* ---- allocation ---- */

void *xmalloc(size_t n)
{
	void *p = fault_alloc() ? NULL : malloc(n ? n : 1);
	if (!p)
		die(EXIT_INTERNAL, "out of memory (%zu bytes)", n);
	return p;
}

void *xcalloc(size_t n, size_t size)
{
	void *p = fault_alloc() ? NULL : calloc(n ? n : 1, size ? size : 1);
	if (!p)
		die(EXIT_INTERNAL, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

void *xreallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size)
		die(EXIT_INTERNAL, "allocation size overflow (%zu x %zu)", n, size);
	p = fault_alloc() ? NULL : realloc(p, (n && size) ? n * size : 1);
	if (!p)
		die(EXIT_INTERNAL, "out of memory (%zu x %zu bytes)", n, size);
	return p;
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t n)
{
	char *p = xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static void sb_reserve(strbuf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 256;
	while (cap < b->len + extra + 1) {
		if (cap > SIZE_MAX / 2)
			die(EXIT_INTERNAL, "string buffer too large");
		cap *= 2;
	}
	b->s = xreallocarray(b->s, cap, 1);
	b->cap = cap;
}

void sb_add(strbuf *b, const char *s, size_t n)
{
	sb_reserve(b, n);
	if (n)
		memcpy(b->s + b->len, s, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void sb_puts(strbuf *b, const char *s)
{
	sb_add(b, s, strlen(s));
}

void sb_printf(strbuf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		die(EXIT_INTERNAL, "bad format string");
	sb_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void sb_free(strbuf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}

int read_file(const char *path, size_t max, char **buf, size_t *len, berr *e)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return errf(e, "%s: cannot open: %s", path, strerror(errno));
	strbuf b = {0};
	char chunk[65536];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (b.len + n > max) {
			fclose(f);
			sb_free(&b);
			return errf(e, "%s: file larger than the limit of %zu bytes", path, max);
		}
		sb_add(&b, chunk, n);
	}
	if (ferror(f)) {
		int err = errno;
		fclose(f);
		sb_free(&b);
		return errf(e, "%s: read error: %s", path, strerror(err));
	}
	fclose(f);
	sb_add(&b, "", 0);
	*buf = b.s;
	if (len)
		*len = b.len;
	return 0;
}

static bool same_content(const char *path, const void *data, size_t len)
{
	struct stat st;
	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) || (size_t)st.st_size != len)
		return false;
	char *old;
	size_t olen;
	if (read_file(path, len + 1, &old, &olen, NULL) != 0)
		return false;
	bool same = olen == len && memcmp(old, data, len) == 0;
	free(old);
	return same;
}

/* Removes path's temp files (path.tmp.PID) left by writers that were killed: those whose
 * process no longer exists. Only one process writes a given output at a time (Ninja runs one
 * edge per output), so a temp file of a dead pid is litter, never work in progress. */
static void remove_stale_tmps(const char *path)
{
	char *dir = dir_of(path);
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	size_t bl = strlen(base);
	DIR *d = opendir(dir);
	if (!d) {
		free(dir);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		if (strncmp(n, base, bl) != 0 || strncmp(n + bl, ".tmp.", 5) != 0)
			continue;
		long pid;
		if (parse_long(n + bl + 5, &pid) != 0 || pid <= 0 || pid == (long)getpid() ||
		    pid > INT_MAX)
			continue;
		if (kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		char *p = path_join(dir, n);
		unlink(p);
		free(p);
	}
	closedir(d);
	free(dir);
}

int write_file_atomic(const char *path, const void *data, size_t len, bool keep_same, berr *e)
{
	if (keep_same && same_content(path, data, len))
		return 0;
	size_t plen = strlen(path);
	char *tmp = xmalloc(plen + 32);
	snprintf(tmp, plen + 32, "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		errf(e, "%s: cannot create: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	const char *p = data;
	size_t left = len;
	while (left > 0) {
		ssize_t w = fault_write() ? -1 : write(fd, p, left);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			errf(e, "%s: write error: %s", path, strerror(errno));
			goto fail;
		}
		p += w;
		left -= (size_t)w;
	}
	{
		const char *base = strrchr(path, '/');
		char point[300];
		snprintf(point, sizeof point, "write:%s", base ? base + 1 : path);
		fault_point(point);
	}
	if (fsync(fd) != 0 && errno != EINVAL) {
		errf(e, "%s: fsync: %s", path, strerror(errno));
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		errf(e, "%s: close: %s", path, strerror(errno));
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		errf(e, "%s: rename: %s", path, strerror(errno));
		goto fail;
	}
	free(tmp);
	remove_stale_tmps(path);
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return -1;
}

int mkdirs(const char *dir, berr *e)
{
	char *p = xstrdup(dir);
	for (char *s = p + 1; ; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0755) != 0 && errno != EEXIST) {
				errf(e, "%s: cannot create folder: %s", p, strerror(errno));
				free(p);
				return -1;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return 0;
}

int rm_tree(const char *path, berr *e)
{
	struct stat st;
	if (lstat(path, &st) != 0)
		return errno == ENOENT ? 0 : errf(e, "%s: cannot stat: %s", path, strerror(errno));
	if (S_ISDIR(st.st_mode)) {
		DIR *d = opendir(path);
		if (!d)
			return errf(e, "%s: cannot open folder: %s", path, strerror(errno));
		int rc = 0;
		struct dirent *de;
		while (rc == 0 && (errno = 0, de = readdir(d)) != NULL) {
			if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
				continue;
			char *p = path_join(path, de->d_name);
			rc = rm_tree(p, e);
			free(p);
		}
		if (rc == 0 && errno != 0)
			rc = errf(e, "%s: cannot read folder: %s", path, strerror(errno));
		closedir(d);
		if (rc != 0)
			return rc;
		if (rmdir(path) != 0 && errno != ENOENT)
			return errf(e, "%s: cannot remove: %s", path, strerror(errno));
		return 0;
	}
	if (unlink(path) != 0 && errno != ENOENT)
		return errf(e, "%s: cannot remove: %s", path, strerror(errno));
	return 0;
}

char *dir_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	if (!slash)
		return xstrdup(".");
	if (slash == path)
		return xstrdup("/");
	return xstrndup(path, (size_t)(slash - path));
}

char *path_join(const char *dir, const char *rel)
{
	if (rel[0] == '/' || strcmp(dir, ".") == 0 || dir[0] == '\0')
		return xstrdup(rel);
	strbuf b = {0};
	sb_printf(&b, "%s/%s", dir, rel);
	return b.s;
}

int parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

int parse_double(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end != '\0' || errno == ERANGE)
		return -1;
	*out = v;
	return 0;
}

int edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	if (la > 64 || lb > 64)
		return 99;
	int d[65][65];
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int c = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			if (d[i - 1][j] + 1 < c)
				c = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < c)
				c = d[i][j - 1] + 1;
			d[i][j] = c;
		}
	return d[la][lb];
}

const char *closest_word(const char *word, const char *const *cands, size_t n)
{
	const char *best = NULL;
	int bd = 4;
	for (size_t i = 0; i < n; i++) {
		int d = edit_distance(word, cands[i]);
		if (d < bd) {
			bd = d;
			best = cands[i];
		}
	}
	return best;
}

bool is_ident(const char *s)
{
	size_t n = strlen(s);
	if (n == 0 || n > 63)
		return false;
	if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z') || s[0] == '_'))
		return false;
	for (size_t i = 1; i < n; i++) {
		char c = s[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.' || c == '-'))
			return false;
	}
	return true;
}
