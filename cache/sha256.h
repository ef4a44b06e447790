/* sha256.h - SHA-256 (FIPS 180-4), for the remote cache: bazel-remote names content by its
 * SHA-256 (/cas/<64 hex>), and every download is checked against it. */
#ifndef BURN_SHA256_H
#define BURN_SHA256_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
	uint32_t h[8];
	uint64_t len;             /* bytes hashed so far */
	unsigned char buf[64];    /* a partial block */
	size_t nbuf;
} sha256_ctx;

/* Starts a hash. */
void sha256_init(sha256_ctx *c);
/* Adds n bytes. */
void sha256_update(sha256_ctx *c, const void *p, size_t n);
/* Writes the 32-byte digest; c must be initialised again before reuse. */
void sha256_final(sha256_ctx *c, unsigned char out[32]);
/* The digest of n bytes at p as 64 lowercase hex digits and a NUL. */
void sha256_hex(const void *p, size_t n, char out[65]);
/* Writes 32 bytes as 64 lowercase hex digits and a NUL. */
void sha256_tohex(const unsigned char d[32], char out[65]);

#endif
