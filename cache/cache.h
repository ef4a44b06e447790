/* cache.h - the content-addressed cache of step outputs. A step hashes exactly its inputs
 * (kh_*) into a key; cache_restore brings back the outputs stored under that key, or the
 * step computes them and cache_store keeps them. Objects live in ROOT/objects/ab/<30 hex>;
 * docs/CACHE.md describes the key, the object format and the `burn cache` command. */
#ifndef BURN_CACHE_H
#define BURN_CACHE_H

#include <stdbool.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <xxhash.h>

#include "gen/util.h"

/* Object format version; it is hashed into every key, so formats never share a path. */
#define CACHE_FORMAT 1
/* Largest object (all its files with their framing), in bytes. */
#define CACHE_MAX_OBJECT ((size_t)256 << 20)
/* Most files in one object, and longest file name. */
#define CACHE_MAX_FILES 256
#define CACHE_MAX_NAME 255
/* Temp files older than this (seconds) are debris of a killed writer; gc removes them. */
#define CACHE_STALE_TMP 3600
/* Tool builds kept beside the objects (Verilator simulators, gen/verilate.h): folders
 * ROOT/CACHE_BUILDS/<32 hex>/, each made in ROOT/CACHE_BUILDS/CACHE_BUILD_TMP<suffix> and
 * renamed into place; a use touches the folder's mtime. gc trims them with the objects. */
#define CACHE_BUILDS "verilator"
#define CACHE_BUILD_TMP "tmp-"

/* A key: XXH3-128 of a step's name, version and inputs, in canonical (big-endian) order. */
typedef struct {
	unsigned char b[16];
} ckey;

/* A key being built: kh_init, then kh_add*, then kh_final (or kh_free on an error path). */
typedef struct {
	XXH3_state_t *st;
} khash;

/* Starts a key for version step_version of step. */
void kh_init(khash *h, const char *step, int step_version);
/* Adds one input field; its label and length are hashed too, so boundaries are unambiguous. */
void kh_add(khash *h, const char *label, const void *data, size_t len);
/* Adds a NUL-terminated string field (a tool version, an option). */
void kh_add_str(khash *h, const char *label, const char *s);
/* Adds a file's bytes (never its path), as kh_add would; -1 with e set if it cannot be read
 * (the builder is then spoilt: kh_free it). */
int kh_add_file(khash *h, const char *label, const char *path, berr *e);
/* Returns the key and frees the builder. */
ckey kh_final(khash *h);
/* Frees a builder that will not be finished. */
void kh_free(khash *h);

/* Writes k as 32 lowercase hex digits and a NUL. */
void ckey_hex(const ckey *k, char out[33]);
/* Parses 32 hex digits into k; -1 if hex is not exactly that. */
int ckey_parse(const char *hex, ckey *k);

struct remote;

/* An open cache. With BURN_NO_CACHE set (not "" or "0") off is true: gets miss, puts do
 * nothing. With BURN_REMOTE_CACHE set, remote is the HTTP cache that a local miss asks and a
 * store also uploads to (cache/remote.h); NULL without one, or after it failed. */
typedef struct {
	char *root;
	bool off;
	struct remote *remote;
	bool remote_hit; /* the last cache_get hit came from the remote */
} cache;

/* Opens the cache at root, or if root is NULL at $BURN_CACHE, else $XDG_CACHE_HOME/burn, else
 * $HOME/.cache/burn; creates its folders unless the cache is off. Steps open it this way; the
 * remote named by $BURN_REMOTE_CACHE is opened too. */
int cache_open(cache *c, const char *root, berr *e);
/* Opens the cache as cache_open does, but never a remote (for burn cache's own commands). */
int cache_open_local(cache *c, const char *root, berr *e);
/* Frees what cache_open allocated. */
void cache_close(cache *c);
/* Returns the path of k's object (which may not exist) in a new string. */
char *cache_path(const cache *c, const ckey *k);

/* One named output of a step. data has len bytes, followed by a NUL when returned by cache_get. */
typedef struct {
	char *name;
	char *data;
	size_t len;
} cache_file;

/* Stores n files under k, atomically (temp file, fsync, rename). Names must be plain file names
 * ([A-Za-z0-9_.+-], not starting with '.'), distinct; the object at most CACHE_MAX_OBJECT. */
int cache_put(cache *c, const ckey *k, const cache_file *files, int n, berr *e);
/* Finishes a temp file written through f: fsync, close (f is closed in every case), then
 * rename it to dst. The caller removes tmp on an error. */
int cache_commit_tmp(FILE *f, const char *tmp, const char *dst, berr *e);
/* Looks k up: 1 hit (*files, *n set; free with cache_files_free), 0 miss, -1 error. A corrupt
 * object is reported (warn), removed and counted as a miss. A hit touches the object's mtime.
 * A local miss asks the remote, if any: a sound remote object is stored locally and is a hit
 * (remote_hit set); an unreachable remote or a corrupt remote object is a warning and a miss. */
int cache_get(cache *c, const ckey *k, cache_file **files, int *n, berr *e);
/* Frees the files returned by cache_get. */
void cache_files_free(cache_file *f, int n);

/* Restores the outputs names[i] of k to paths[i], leaving files with identical bytes untouched
 * (for Ninja's restat): 1 hit (all restored), 0 miss (nothing written), -1 error. */
int cache_restore(cache *c, const ckey *k, int n, const char *const *names,
	const char *const *paths, berr *e);
/* Stores the files at paths[i] under k, as names[i]. */
int cache_store(cache *c, const ckey *k, int n, const char *const *names,
	const char *const *paths, berr *e);

/* One object found by cache_list. */
typedef struct {
	ckey key;
	char *path;
	uint64_t size;
	struct timespec mtime;
} cache_obj;

/* Lists the objects under the root (other files are skipped), in no particular order. */
int cache_list(const cache *c, cache_obj **objs, size_t *n, berr *e);
/* Frees what cache_list returned. */
void cache_objs_free(cache_obj *o, size_t n);
/* Checks the object at path for key k: 0 sound, 1 corrupt (reason in e), -1 unreadable. */
int cache_check(const char *path, const ckey *k, berr *e);
/* Reads and checks the object at path for key k: 0 sound (*buf, *len: its bytes; free them),
 * 1 corrupt (reason in e), -1 unreadable or absent (e set). */
int cache_read_object(const char *path, const ckey *k, char **buf, size_t *len, berr *e);
/* Checks the object bytes obj for key k and stores them as they are (temp file, rename): 0
 * stored, 1 corrupt (reason in e, nothing stored), -1 error. Never uploads. */
int cache_put_object(cache *c, const ckey *k, const void *obj, size_t len, berr *e);

/* What cache_gc did. */
typedef struct {
	size_t objects, removed, tmp_removed;
	uint64_t bytes, freed; /* bytes: total before gc */
	size_t builds, builds_removed, tmp_builds_removed; /* the same for tool builds */
	uint64_t build_bytes, build_freed;
} cache_gc_stats;

/* Removes the least recently used objects and tool builds, in one order, until their total
 * size is at most max_bytes; and temp files and unfinished build folders older than
 * CACHE_STALE_TMP; fills st. */
int cache_gc(cache *c, uint64_t max_bytes, cache_gc_stats *st, berr *e);

#endif
