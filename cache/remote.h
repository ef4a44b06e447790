/* remote.h - the remote cache: a bazel-remote compatible HTTP cache that the local cache reads
 * through and writes back to (docs/CACHE.md, "Remote cache"). An object is stored whole as a
 * CAS blob under its SHA-256, and the action cache maps the key to it with a one-file
 * ActionResult (the Remote Execution API's protobuf). */
#ifndef BURN_REMOTE_H
#define BURN_REMOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cache/http.h"

/* Largest object sent to or accepted from a remote, and largest action cache entry. */
#define REMOTE_MAX_OBJECT ((size_t)64 << 20)
#define REMOTE_MAX_AC 4096
/* Default wait for the network (BURN_REMOTE_TIMEOUT), in milliseconds. */
#define REMOTE_TIMEOUT_MS 5000
/* After a failure to reach the remote, steps skip it for this many seconds. */
#define REMOTE_BACKOFF 60
/* The name of the one output file in our ActionResults. */
#define REMOTE_AC_PATH "burn-object"

typedef struct remote {
	char *url;          /* as given, for messages */
	http_url u;
	int timeout_ms;
	char *down_marker;  /* ROOT/remote-down: its mtime is the last failure */
} remote;

/* Opens the remote named by $BURN_REMOTE_CACHE for the cache at root: NULL if none is set, if
 * the value is unusable (warned), or while a recent failure backs it off (silently). */
remote *remote_open(const char *root);
/* Frees r (NULL is fine). */
void remote_close(remote *r);

/* The action cache key (64 hex digits) for an object key (16 bytes). */
void remote_ac_key(const unsigned char key[16], char out[65]);

/* Fetches the object for key: 1 found (*obj, *len: bytes whose SHA-256 and size were checked
 * against the action cache entry; free them), 0 not there, -1 with e set when the remote
 * failed (unreachable, timed out, a bad answer: back off), -2 with e set when the content
 * does not match its digest (a damaged object: recompute). */
int remote_get(remote *r, const unsigned char key[16], char **obj, size_t *len, berr *e);

/* Uploads an object: its CAS blob, then the action cache entry naming it. 0 done, -1 with e
 * set when the remote failed (back off), -2 with e set when it refused (a non-2xx status). */
int remote_put(remote *r, const unsigned char key[16], const void *obj, size_t len, berr *e);

/* Records that the remote failed (touches the back-off marker) and warns once with why. */
void remote_failed(remote *r, const char *what, const berr *why);

/* Encodes an ActionResult with one output file REMOTE_AC_PATH of digest (sha, size) into out
 * (cap bytes, at least 128); returns its length. */
size_t ac_encode(const char sha[65], uint64_t size, unsigned char *out, size_t cap);

/* Decodes an ActionResult (n bytes) and finds the digest of its output file REMOTE_AC_PATH;
 * -1 with e set if the bytes are not such a message. Unknown fields are skipped. */
int ac_decode(const unsigned char *p, size_t n, char sha[65], uint64_t *size, berr *e);

/* True if s is exactly 64 lowercase hex digits. */
bool is_sha256_hex(const char *s, size_t n);

#endif
