/* remote.c - read-through, write-back remote cache over bazel-remote's HTTP API:
 * GET/PUT /ac/<64 hex> holds an ActionResult naming one CAS blob, GET/PUT /cas/<sha256> the
 * object's bytes. Every download is checked against its digest before anyone sees it. */
#define _POSIX_C_SOURCE 200809L
#include "cache/remote.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cache/sha256.h"

bool is_sha256_hex(const char *s, size_t n)
{
	if (n != 64)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

void remote_ac_key(const unsigned char key[16], char out[65])
{
	static const char domain[] = "BurnTTT cache action v1\n";
	sha256_ctx c;
	unsigned char d[32];
	sha256_init(&c);
	sha256_update(&c, domain, sizeof domain - 1);
	sha256_update(&c, key, 16);
	sha256_final(&c, d);
	sha256_tohex(d, out);
}

/* ---- ActionResult (protobuf) ---- */

/* Field numbers of the Remote Execution API v2 messages we use. */
enum {
	AR_OUTPUT_FILES = 2, /* ActionResult.output_files: repeated OutputFile */
	OF_PATH = 1,         /* OutputFile.path: string */
	OF_DIGEST = 2,       /* OutputFile.digest: Digest */
	DG_HASH = 1,         /* Digest.hash: string */
	DG_SIZE = 2,         /* Digest.size_bytes: int64 */
	WT_VARINT = 0, WT_I64 = 1, WT_LEN = 2, WT_I32 = 5,
};

static size_t put_varint(unsigned char *p, uint64_t v)
{
	size_t n = 0;
	do {
		p[n] = (unsigned char)(v & 0x7f);
		v >>= 7;
		if (v)
			p[n] |= 0x80;
		n++;
	} while (v);
	return n;
}

size_t ac_encode(const char sha[65], uint64_t size, unsigned char *out, size_t cap)
{
	unsigned char dg[80], of[100];
	size_t dn = 0, on = 0, n = 0;
	dg[dn++] = DG_HASH << 3 | WT_LEN;
	dg[dn++] = 64;
	memcpy(dg + dn, sha, 64);
	dn += 64;
	dg[dn++] = DG_SIZE << 3 | WT_VARINT;
	dn += put_varint(dg + dn, size);
	of[on++] = OF_PATH << 3 | WT_LEN;
	of[on++] = sizeof REMOTE_AC_PATH - 1;
	memcpy(of + on, REMOTE_AC_PATH, sizeof REMOTE_AC_PATH - 1);
	on += sizeof REMOTE_AC_PATH - 1;
	of[on++] = OF_DIGEST << 3 | WT_LEN;
	of[on++] = (unsigned char)dn; /* < 128: one byte */
	memcpy(of + on, dg, dn);
	on += dn;
	if (cap < on + 2)
		return 0;
	out[n++] = AR_OUTPUT_FILES << 3 | WT_LEN;
	out[n++] = (unsigned char)on;
	memcpy(out + n, of, on);
	return n + on;
}

/* A protobuf reader over p[0..n). */
typedef struct {
	const unsigned char *p;
	size_t n, pos;
} pbr;

static int pb_varint(pbr *r, uint64_t *v, berr *e)
{
	*v = 0;
	for (int i = 0; i < 10; i++) {
		if (r->pos >= r->n)
			return errf(e, "truncated varint");
		unsigned char b = r->p[r->pos++];
		if (i == 9 && b > 1)
			return errf(e, "varint overflows 64 bits");
		*v |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return 0;
	}
	return errf(e, "varint too long");
}

/* Reads the next field's number and wire type; for WT_LEN also its bytes, for WT_VARINT its
 * value; other types are skipped. 0 read, 1 at the end, -1 malformed. */
static int pb_field(pbr *r, uint32_t *num, int *wt, const unsigned char **data, size_t *len,
	uint64_t *val, berr *e)
{
	if (r->pos == r->n)
		return 1;
	uint64_t tag;
	if (pb_varint(r, &tag, e) != 0)
		return -1;
	*num = (uint32_t)(tag >> 3);
	*wt = (int)(tag & 7);
	if (tag >> 3 == 0 || tag >> 3 > 536870911u)
		return errf(e, "bad field number");
	switch (*wt) {
	case WT_VARINT:
		return pb_varint(r, val, e);
	case WT_I64:
	case WT_I32: {
		size_t w = *wt == WT_I64 ? 8 : 4;
		if (r->n - r->pos < w)
			return errf(e, "truncated fixed-width field");
		r->pos += w;
		return 0;
	}
	case WT_LEN: {
		uint64_t l;
		if (pb_varint(r, &l, e) != 0)
			return -1;
		if (l > r->n - r->pos)
			return errf(e, "field length %llu past the end", (unsigned long long)l);
		*data = r->p + r->pos;
		*len = (size_t)l;
		r->pos += (size_t)l;
		return 0;
	}
	default:
		return errf(e, "unsupported wire type %d", *wt);
	}
}

/* Parses a Digest. */
static int parse_digest(const unsigned char *p, size_t n, char sha[65], uint64_t *size,
	bool *have_hash, berr *e)
{
	pbr r = {p, n, 0};
	*have_hash = false;
	*size = 0;
	for (;;) {
		uint32_t num;
		int wt, rc;
		const unsigned char *d = NULL;
		size_t dl = 0;
		uint64_t v = 0;
		if ((rc = pb_field(&r, &num, &wt, &d, &dl, &v, e)) != 0)
			return rc < 0 ? -1 : 0;
		if (num == DG_HASH) {
			if (wt != WT_LEN || !is_sha256_hex((const char *)d, dl))
				return errf(e, "digest hash is not 64 lowercase hex digits");
			memcpy(sha, d, 64);
			sha[64] = '\0';
			*have_hash = true;
		} else if (num == DG_SIZE) {
			if (wt != WT_VARINT)
				return errf(e, "digest size is not a varint");
			*size = v;
		}
	}
}

int ac_decode(const unsigned char *p, size_t n, char sha[65], uint64_t *size, berr *e)
{
	pbr r = {p, n, 0};
	bool found = false;
	for (;;) {
		uint32_t num;
		int wt, rc;
		const unsigned char *d = NULL;
		size_t dl = 0;
		uint64_t v = 0;
		if ((rc = pb_field(&r, &num, &wt, &d, &dl, &v, e)) < 0)
			return -1;
		if (rc == 1)
			break;
		if (num != AR_OUTPUT_FILES)
			continue;
		if (wt != WT_LEN)
			return errf(e, "output_files is not a message");
		/* an OutputFile: is it ours, and what is its digest? */
		pbr of = {d, dl, 0};
		bool ours = false, have_digest = false, have_hash = false;
		char fsha[65] = "";
		uint64_t fsize = 0;
		for (;;) {
			const unsigned char *fd = NULL;
			size_t fl = 0;
			if ((rc = pb_field(&of, &num, &wt, &fd, &fl, &v, e)) < 0)
				return -1;
			if (rc == 1)
				break;
			if (num == OF_PATH && wt == WT_LEN)
				ours = fl == sizeof REMOTE_AC_PATH - 1 &&
				       memcmp(fd, REMOTE_AC_PATH, fl) == 0;
			else if (num == OF_DIGEST && wt == WT_LEN) {
				if (parse_digest(fd, fl, fsha, &fsize, &have_hash, e) != 0)
					return -1;
				have_digest = true;
			} else if (num == OF_PATH || num == OF_DIGEST)
				return errf(e, "output file field %u has the wrong type", num);
		}
		if (ours) {
			if (!have_digest || !have_hash)
				return errf(e, "output file %s has no digest", REMOTE_AC_PATH);
			memcpy(sha, fsha, 65);
			*size = fsize;
			found = true;
		}
	}
	if (!found)
		return errf(e, "no output file %s", REMOTE_AC_PATH);
	return 0;
}

/* ---- the remote ---- */

remote *remote_open(const char *root)
{
	const char *url = getenv("BURN_REMOTE_CACHE");
	if (!url || !url[0])
		return NULL;
	remote *r = xcalloc(1, sizeof *r);
	berr e;
	if (http_url_parse(url, &r->u, &e) != 0) {
		warn("BURN_REMOTE_CACHE: %s; not using a remote cache", e.msg);
		free(r);
		return NULL;
	}
	r->url = xstrdup(url);
	r->timeout_ms = REMOTE_TIMEOUT_MS;
	const char *t = getenv("BURN_REMOTE_TIMEOUT");
	double secs;
	if (t && t[0]) {
		if (parse_double(t, &secs) == 0 && secs > 0 && secs <= 600)
			r->timeout_ms = secs * 1000 < 1 ? 1 : (int)(secs * 1000);
		else
			warn("BURN_REMOTE_TIMEOUT '%s' is not a number of seconds in (0, 600]; "
			     "using %d", t, REMOTE_TIMEOUT_MS / 1000);
	}
	r->down_marker = path_join(root, "remote-down");
	struct stat st;
	if (stat(r->down_marker, &st) == 0 && st.st_mtime > time(NULL) - REMOTE_BACKOFF &&
	    st.st_mtime <= time(NULL) + 5) {
		remote_close(r);
		return NULL;
	}
	return r;
}

void remote_close(remote *r)
{
	if (!r)
		return;
	free(r->url);
	free(r->down_marker);
	free(r);
}

void remote_failed(remote *r, const char *what, const berr *why)
{
	berr e;
	if (write_file_atomic(r->down_marker, r->url, strlen(r->url), false, &e) != 0)
		warn("%s", e.msg);
	warn("remote cache %s: %s: %s; using the local cache only for %d s", r->url, what,
		why->msg, REMOTE_BACKOFF);
}

/* A request to PREFIX/KIND/HEX. */
static int call(remote *r, const char *method, const char *kind, const char *hex,
	const void *body, size_t blen, size_t max, http_resp *resp, berr *e)
{
	char path[80];
	snprintf(path, sizeof path, "/%s/%s", kind, hex);
	return http_request(&r->u, method, path, body, blen, max, r->timeout_ms, resp, e);
}

int remote_get(remote *r, const unsigned char key[16], char **obj, size_t *len, berr *e)
{
	*obj = NULL;
	*len = 0;
	char ack[65], sha[65];
	remote_ac_key(key, ack);
	http_resp resp;
	if (call(r, "GET", "ac", ack, NULL, 0, REMOTE_MAX_AC, &resp, e) != 0)
		return -1;
	int rc = -1;
	if (resp.status == 404) {
		rc = 0;
		goto out;
	}
	if (resp.status != 200) {
		errf(e, "GET /ac/%s: HTTP %d", ack, resp.status);
		goto out;
	}
	uint64_t size;
	berr de;
	if (ac_decode((unsigned char *)resp.body, resp.len, sha, &size, &de) != 0) {
		errf(e, "GET /ac/%s: not an ActionResult of burn: %s", ack, de.msg);
		goto out;
	}
	if (size > REMOTE_MAX_OBJECT) {
		errf(e, "object of %llu bytes, more than the limit of %zu MiB",
			(unsigned long long)size, REMOTE_MAX_OBJECT >> 20);
		goto out;
	}
	http_resp_free(&resp);
	if (call(r, "GET", "cas", sha, NULL, 0, (size_t)size, &resp, e) != 0)
		return -1;
	if (resp.status == 404) { /* an entry whose blob was evicted: a miss */
		rc = 0;
		goto out;
	}
	if (resp.status != 200) {
		errf(e, "GET /cas/%s: HTTP %d", sha, resp.status);
		goto out;
	}
	char got[65];
	sha256_hex(resp.body, resp.len, got);
	if (resp.len != size || strcmp(got, sha) != 0) {
		errf(e, "content of /cas/%s does not match its digest (%zu bytes, sha256 %s)", sha,
			resp.len, got);
		rc = -2;
		goto out;
	}
	*obj = resp.body;
	*len = resp.len;
	resp.body = NULL;
	rc = 1;
out:
	http_resp_free(&resp);
	return rc;
}

int remote_put(remote *r, const unsigned char key[16], const void *obj, size_t len, berr *e)
{
	if (len > REMOTE_MAX_OBJECT)
		return errf(e, "object of %zu bytes is over the remote limit of %zu MiB", len,
			REMOTE_MAX_OBJECT >> 20);
	char ack[65], sha[65];
	remote_ac_key(key, ack);
	sha256_hex(obj, len, sha);
	unsigned char ac[128];
	size_t an = ac_encode(sha, len, ac, sizeof ac);
	http_resp resp;
	if (call(r, "PUT", "cas", sha, obj, len, 4096, &resp, e) != 0)
		return -1;
	int st = resp.status;
	http_resp_free(&resp);
	if (st < 200 || st > 299)
		return errf(e, "PUT /cas/%s: HTTP %d", sha, st) * 2; /* -2: it answered */
	if (call(r, "PUT", "ac", ack, ac, an, 4096, &resp, e) != 0)
		return -1;
	st = resp.status;
	http_resp_free(&resp);
	if (st < 200 || st > 299)
		return errf(e, "PUT /ac/%s: HTTP %d", ack, st) * 2;
	return 0;
}
