/* http.h - a small, bounded HTTP/1.1 client and the parsers the remote cache and its server
 * share. Only plain http:// (no TLS, no proxies, no redirects). Every length that comes from
 * the network is checked against a limit before it is used; the parsers work on buffers, so
 * they can be tested (and fuzzed) without a socket. */
#ifndef BURN_HTTP_H
#define BURN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "gen/util.h"

/* Longest request or response head (start line and headers), in bytes. */
#define HTTP_MAX_HEAD 16384
/* Longest request path, host name and URL path prefix. */
#define HTTP_MAX_PATH 512
#define HTTP_MAX_HOST 255

/* A parsed http://HOST[:PORT][/PREFIX] URL. */
typedef struct {
	char host[HTTP_MAX_HOST + 1]; /* name or address; an IPv6 address without brackets */
	char port[6];                 /* decimal, 1..65535; "80" when not given */
	char prefix[HTTP_MAX_PATH];   /* "" or "/a/b": prepended to request paths */
} http_url;

/* Parses an http:// URL; -1 with e set if it is not one (https, user info, query, ...). */
int http_url_parse(const char *s, http_url *u, berr *e);

/* A response's start line and the headers that matter. */
typedef struct {
	int status;             /* 100..599 */
	int64_t content_length; /* -1 when absent */
	bool chunked;           /* Transfer-Encoding: chunked */
} http_head;

/* Finds the end of a head (the blank line) in buf: the length of the head including it, or 0
 * if it is not complete yet. */
size_t http_head_end(const char *buf, size_t n);

/* Parses a response head of n bytes (as http_head_end measured it); -1 with e set if it is
 * malformed: a bad status line, a bad or repeated Content-Length, a transfer coding other
 * than chunked, a header line without a colon, a control character. */
int http_parse_response(const char *buf, size_t n, http_head *h, berr *e);

/* A request's start line and the headers that matter. */
typedef struct {
	char method[8];              /* GET, HEAD, PUT, ... (uppercase letters) */
	char path[HTTP_MAX_PATH + 1];
	int64_t content_length;      /* -1 when absent */
	bool chunked;
	bool expect_continue;        /* Expect: 100-continue */
} http_req;

/* Parses a request head of n bytes; -1 with e set if malformed (as http_parse_response). */
int http_parse_request(const char *buf, size_t n, http_req *r, berr *e);

/* Decoding a chunked body in place: buf[0..out) holds the decoded bytes, buf[in..n) what is
 * still to decode. */
typedef struct {
	size_t in, out;
	uint64_t left; /* bytes left in the current chunk */
	int state;     /* internal */
} http_chunked;

/* Decodes what it can of buf[c->in..n); 1 when the body (and its trailers) ended, 0 if more
 * bytes are needed, -1 with e set if malformed or the body would exceed max bytes. */
int http_chunked_step(http_chunked *c, char *buf, size_t n, size_t max, berr *e);

/* A response read by http_request. */
typedef struct {
	int status;
	char *body; /* len bytes and a NUL; NULL for HEAD */
	size_t len;
} http_resp;

/* Sends one request (method GET, HEAD or PUT; path without the URL's prefix; body only for
 * PUT) with Connection: close, and reads the response, whose body may have at most max bytes.
 * timeout_ms bounds each wait for the network, and ten times it the whole exchange. Returns 0
 * with r filled (whatever the status), -1 with e set when the server cannot be reached, times
 * out, or answers something that is not a bounded HTTP/1.x response. */
int http_request(const http_url *u, const char *method, const char *path, const void *body,
	size_t blen, size_t max, int timeout_ms, http_resp *r, berr *e);

/* Frees r's body. */
void http_resp_free(http_resp *r);

/* Milliseconds on a monotonic clock. */
int64_t http_now_ms(void);

/* Writes all n bytes to fd (a socket) before deadline_ms (http_now_ms); -1 with e set. */
int http_send_all(int fd, const void *p, size_t n, int64_t deadline_ms, berr *e);

/* Reads at most cap bytes from fd, waiting at most until deadline_ms: bytes read, 0 at the
 * end, -1 with e set on an error or time out. */
long http_recv_some(int fd, void *p, size_t cap, int64_t deadline_ms, berr *e);

#endif
