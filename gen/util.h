/* util.h - errors, checked allocation, string buffers, atomic file output. */
#ifndef BURN_UTIL_H
#define BURN_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Exit statuses of the burn binary. */
enum { EXIT_BADINPUT = 2, EXIT_INTERNAL = 1 };

/* An error carried back to the caller: one line, already naming file and place. */
typedef struct {
	char msg[1024];
} berr;

/* Formats an error message into e (if e is not NULL); always returns -1. */
int errf(berr *e, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "burn: MSG" to stderr and exits with status code. */
_Noreturn void die(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Prints "burn: warning: MSG" to stderr. */
void warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* malloc/calloc/realloc/strdup that die on out-of-memory and check size overflow. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xreallocarray(void *p, size_t n, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);

/* A growable byte buffer, always NUL-terminated. */
typedef struct {
	char *s;
	size_t len, cap;
} strbuf;

/* Appends n bytes to b. */
void sb_add(strbuf *b, const char *s, size_t n);
/* Appends a NUL-terminated string to b. */
void sb_puts(strbuf *b, const char *s);
/* Appends formatted text to b. */
void sb_printf(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Frees b's storage and resets it. */
void sb_free(strbuf *b);

/* Reads a whole file into *buf (NUL-terminated), at most max bytes; -1 with e set on error. */
int read_file(const char *path, size_t max, char **buf, size_t *len, berr *e);

/* Writes len bytes to path through a temp file in the same folder and rename(2):
 * readers see the old file or the new one, never a torn one. With keep_same, an
 * existing file with identical bytes is left untouched (its mtime too). After the rename it
 * removes temp files of path left by killed writers (path.tmp.PID of a dead PID). */
int write_file_atomic(const char *path, const void *data, size_t len, bool keep_same, berr *e);

/* Creates dir and its parents (like mkdir -p). */
int mkdirs(const char *dir, berr *e);

/* Removes path and, if it is a folder, everything in it (like rm -rf; links are removed, not
 * followed). An absent path is fine; -1 with e set at the first entry it cannot remove. */
int rm_tree(const char *path, berr *e);

/* Returns the folder part of path in a new string ("." if none). */
char *dir_of(const char *path);

/* Joins dir and rel (rel returned as is when absolute or dir is "."). */
char *path_join(const char *dir, const char *rel);

/* Parses a whole decimal integer / real number; -1 if s is not one. */
int parse_long(const char *s, long *out);
int parse_double(const char *s, double *out);

/* Levenshtein distance of two short strings (for "did you mean"). */
int edit_distance(const char *a, const char *b);

/* Returns the candidate closest to word within distance 3, or NULL. */
const char *closest_word(const char *word, const char *const *cands, size_t n);

/* True if s is a safe identifier: [A-Za-z_][A-Za-z0-9_.-]*, 1..63 chars. */
bool is_ident(const char *s);

/* Test-only fault injection (docs/RELIABILITY.md), compiled in always and inert unless the
 * environment variable BURN_FAULT is set to a comma-separated list of:
 *   alloc=N     the Nth allocation of the process (x* wrappers, strbuf) fails: out of memory
 *   write=N     the Nth file write (write_file_atomic, cache objects) fails with ENOSPC
 *   kill=POINT  the process SIGKILLs itself the first time it reaches POINT: write:FILE
 *               (FILE's temp file written, not yet renamed) or cache-put (half an object
 *               written to its temp file)
 *   count       print "burn: fault counts: A allocations, W writes" to stderr at exit */
/* True if this allocation is the one BURN_FAULT says must fail (counts every call). */
bool fault_alloc(void);
/* True if this write is the one BURN_FAULT says must fail (counts every call); sets errno. */
bool fault_write(void);
/* Kills the process with SIGKILL if BURN_FAULT names point (e.g. "cache-put"). */
void fault_point(const char *point);

#endif
