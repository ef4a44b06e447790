/* archive.h - the whole cache as one file, for CI caches and moving results between machines
 * (`burn cache export FILE`, `burn cache import FILE`; the format is in docs/CACHE.md). Every
 * object is checked when it is exported and again when it is imported. */
#ifndef BURN_ARCHIVE_H
#define BURN_ARCHIVE_H

#include <stdio.h>

#include "cache/cache.h"

/* Archive format version. */
#define ARCHIVE_VERSION 1

/* What an export or import did. */
typedef struct {
	size_t objects;   /* written to the archive, or imported */
	size_t present;   /* import: already in the cache, left as they were */
	size_t corrupt;   /* skipped */
	uint64_t bytes;   /* object bytes written or imported */
} archive_stats;

/* Writes every sound object of c to file ("-": standard output) in key order, atomically (a
 * temp file beside it, fsync, rename). A corrupt object is skipped and named on report. */
int cache_export(cache *c, const char *file, FILE *report, archive_stats *st, berr *e);

/* Reads an archive ("-": standard input) into c; each object is checked and stored atomically,
 * a corrupt one is skipped and named on report. -1 with e set if the archive is not one,
 * is damaged past recovery or truncated (the objects before stay imported). */
int cache_import(cache *c, const char *file, FILE *report, archive_stats *st, berr *e);

#endif
