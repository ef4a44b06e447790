/* test_cache_remote.c - the remote cache's pieces: SHA-256 against FIPS 180-4 examples, URL,
 * head, chunked-body, ActionResult and path parsers on good, bad and randomly mutated input
 * (a bounded fuzz run: the sanitizer build catches any read past a buffer), the HTTP client
 * against scripted servers on 127.0.0.1 (chunked, interim 100, truncated, oversized, silent),
 * and read-through/write-back of a cache against `burn cache serve`'s loop in a child. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "cache/http.h"
#include "cache/remote.h"
#include "cache/serve.h"
#include "cache/sha256.h"
#include "tests/unit/t.h"

static char *tmpdir;

/* ---- SHA-256 ---- */

static void test_sha256(void)
{
	char hex[65];
	sha256_hex("", 0, hex);
	CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0,
		"empty: %s", hex);
	sha256_hex("abc", 3, hex);
	CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0,
		"abc: %s", hex);
	const char *m = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	sha256_hex(m, strlen(m), hex);
	CHECK(strcmp(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1") == 0,
		"448 bits: %s", hex);
	/* a million 'a' fed in uneven pieces: the block buffering */
	char *a = xmalloc(1000000);
	memset(a, 'a', 1000000);
	sha256_ctx c;
	unsigned char d[32];
	sha256_init(&c);
	size_t off = 0, step = 1;
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;
		sha256_update(&c, a + off, n);
		off += n;
		step = step * 7 % 131 + 1;
	}
	sha256_final(&c, d);
	sha256_tohex(d, hex);
	CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0,
		"million a: %s", hex);
	/* 55, 56 and 64 bytes: the padding's edge cases agree with one-shot hashing */
	for (size_t n = 54; n <= 65; n++) {
		char one[65], two[65];
		sha256_hex(a, n, one);
		sha256_init(&c);
		sha256_update(&c, a, n / 2);
		sha256_update(&c, a + n / 2, n - n / 2);
		sha256_final(&c, d);
		sha256_tohex(d, two);
		CHECK(strcmp(one, two) == 0, "%zu bytes in two pieces", n);
	}
	free(a);
}

/* ---- URLs ---- */

static void test_url(void)
{
	http_url u;
	berr e;
	CHECK(http_url_parse("http://127.0.0.1:9092", &u, &e) == 0 &&
		      strcmp(u.host, "127.0.0.1") == 0 && strcmp(u.port, "9092") == 0 &&
		      u.prefix[0] == '\0', "host and port");
	CHECK(http_url_parse("http://cache.example/team-a/", &u, &e) == 0 &&
		      strcmp(u.port, "80") == 0 && strcmp(u.prefix, "/team-a") == 0,
		"default port, prefix without its trailing slash");
	CHECK(http_url_parse("http://[::1]:8080", &u, &e) == 0 && strcmp(u.host, "::1") == 0,
		"IPv6");
	const char *bad[] = {"https://h", "ftp://h", "http://", "http://h:0", "http://h:65536",
		"http://h:99999999", "http://u@h", "http://h/x?y", "http://h#f", "http://[::1",
		"http://h:80x", "h:80", "http://h x"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(http_url_parse(bad[i], &u, &e) == -1, "refuses %s", bad[i]);
}

/* ---- heads ---- */

static int resp(const char *s, http_head *h)
{
	berr e;
	size_t n = http_head_end(s, strlen(s));
	if (!n)
		return -2;
	return http_parse_response(s, n, h, &e);
}

static void test_heads(void)
{
	http_head h;
	CHECK(resp("HTTP/1.1 200 OK\r\nContent-Length: 12\r\n\r\n", &h) == 0 && h.status == 200 &&
		      h.content_length == 12 && !h.chunked, "a plain response");
	CHECK(resp("HTTP/1.0 404 Not Found\n\n", &h) == 0 && h.status == 404 &&
		      h.content_length == -1, "bare newlines, no length");
	CHECK(resp("HTTP/1.1 200 OK\r\ntransfer-encoding:  Chunked \r\nX-A: b\r\n\r\n", &h) == 0 &&
		      h.chunked, "chunked, any case, spaces");
	CHECK(resp("HTTP/1.1 204\r\n\r\n", &h) == 0 && h.status == 204, "no reason phrase");
	const char *bad[] = {
		"HTTP/2 200 OK\r\n\r\n",
		"HTTP/1.1 20 OK\r\n\r\n",
		"HTTP/1.1 099 X\r\n\r\n",
		"HTTP/1.1 200OK\r\n\r\n",
		"ICY 200 OK\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 1 2\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length: 9999999999999999999999\r\n\r\n",
		"HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n",
		"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n",
		"HTTP/1.1 200 OK\r\n folded\r\n\r\n",
		"HTTP/1.1 200 OK\r\nNoColon\r\n\r\n",
		"HTTP/1.1 200 OK\r\n: empty name\r\n\r\n",
		"HTTP/1.1 200 OK\r\nX: a\001b\r\n\r\n",
		"HTTP/1.1 200 O\001K\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
		CHECK(resp(bad[i], &h) == -1, "refuses response %zu", i);
	CHECK(http_head_end("HTTP/1.1 200 OK\r\nX: y\r\n", 23) == 0, "an unfinished head");

	http_req r;
	berr e;
	const char *ok = "PUT /cas/ab HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n"
			 "Expect: 100-continue\r\n\r\n";
	CHECK(http_parse_request(ok, strlen(ok), &r, &e) == 0 && strcmp(r.method, "PUT") == 0 &&
		      strcmp(r.path, "/cas/ab") == 0 && r.content_length == 5 && r.expect_continue,
		"a PUT with Expect");
	const char *badr[] = {
		"GET /x HTTP/2\r\n\r\n",
		"GET x HTTP/1.1\r\n\r\n",
		"GET  /x HTTP/1.1\r\n\r\n",
		"get /x HTTP/1.1\r\n\r\n",
		"GETTINGLONG /x HTTP/1.1\r\n\r\n",
		"GET /x HTTP/1.1 extra\r\n\r\n",
		"GET /x\r\n\r\n",
		"GET /\001 HTTP/1.1\r\n\r\n",
		"PUT /x HTTP/1.1\r\nExpect: 200-ok\r\n\r\n",
		"PUT /x HTTP/1.1\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n",
	};
	for (size_t i = 0; i < sizeof badr / sizeof badr[0]; i++)
		CHECK(http_parse_request(badr[i], strlen(badr[i]), &r, &e) == -1,
			"refuses request %zu", i);
	char longpath[HTTP_MAX_PATH + 40];
	strcpy(longpath, "GET /");
	memset(longpath + 5, 'a', HTTP_MAX_PATH);
	strcpy(longpath + 5 + HTTP_MAX_PATH, " HTTP/1.1\r\n\r\n");
	CHECK(http_parse_request(longpath, strlen(longpath), &r, &e) == -1, "a path too long");
}

/* ---- chunked bodies ---- */

/* Decodes s, fed bytes at a time (step), into out; the step result. */
static int dechunk(const char *s, size_t step, size_t max, char *out, size_t *outlen)
{
	size_t n = strlen(s), fed = 0;
	char *buf = xmalloc(n + 1);
	http_chunked c = {0};
	berr e;
	int rc = 0;
	while (rc == 0 && fed < n) {
		size_t add = step < n - fed ? step : n - fed;
		memcpy(buf + fed, s + fed, add); /* in place: bytes past c.in are still raw */
		fed += add;
		rc = http_chunked_step(&c, buf, fed, max, &e);
	}
	memcpy(out, buf, c.out);
	*outlen = c.out;
	free(buf);
	return rc;
}

static void test_chunked(void)
{
	const char *body = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
	char out[64];
	size_t n;
	for (size_t step = 1; step <= strlen(body); step++) {
		int rc = dechunk(body, step, 100, out, &n);
		CHECK(rc == 1 && n == 12 && memcmp(out, "hello, world", 12) == 0,
			"fed %zu bytes at a time", step);
	}
	CHECK(dechunk("5\r\nhel", 100, 100, out, &n) == 0, "needs more");
	CHECK(dechunk("5\r\nhello\r\n0\r\n\r\n", 100, 4, out, &n) == -1, "over max");
	CHECK(dechunk("x\r\n", 100, 100, out, &n) == -1, "bad size");
	CHECK(dechunk("\r\n", 100, 100, out, &n) == -1, "empty size");
	CHECK(dechunk("5\r\nhelloXX0\r\n\r\n", 100, 100, out, &n) == -1, "no CRLF after data");
	CHECK(dechunk("fffffffffffffffff\r\n", 100, 1000, out, &n) == -1, "a size too large");
	char *longline = xmalloc(4000);
	memset(longline, '0', 3998);
	longline[3998] = '1';
	longline[3999] = '\0';
	CHECK(dechunk(longline, 100, 1000, out, &n) == -1, "a size line without end");
	free(longline);
}

/* ---- ActionResult, paths ---- */

static void test_ac(void)
{
	char sha[65], got[65];
	sha256_hex("x", 1, sha);
	unsigned char buf[128];
	size_t n = ac_encode(sha, 1093, buf, sizeof buf);
	uint64_t size = 0;
	berr e;
	CHECK(n > 0 && ac_decode(buf, n, got, &size, &e) == 0 && strcmp(got, sha) == 0 &&
		      size == 1093, "encode, decode");
	size_t ok_prefixes = 0;
	for (size_t k = 0; k < n; k++)
		ok_prefixes += ac_decode(buf, k, got, &size, &e) == 0;
	CHECK(ok_prefixes == 0, "every truncation is refused (%zu accepted)", ok_prefixes);
	/* unknown fields before and after ours are skipped; another output file is ignored */
	unsigned char ext[256];
	size_t m = 0;
	ext[m++] = 4 << 3 | 0; /* exit_code = 0 */
	ext[m++] = 0;
	ext[m++] = 2 << 3 | 2; /* an output file "other" without digest */
	ext[m++] = 7;
	ext[m++] = 1 << 3 | 2;
	ext[m++] = 5;
	memcpy(ext + m, "other", 5);
	m += 5;
	memcpy(ext + m, buf, n);
	m += n;
	ext[m++] = 9 << 3 | 1; /* a fixed64 */
	memset(ext + m, 0, 8);
	m += 8;
	CHECK(ac_decode(ext, m, got, &size, &e) == 0 && strcmp(got, sha) == 0,
		"unknown fields skipped");
	unsigned char g[2] = {3 << 3 | 3, 0}; /* a group: refused */
	CHECK(ac_decode(g, 2, got, &size, &e) == -1, "groups are refused");
	CHECK(ac_decode((const unsigned char *)"", 0, got, &size, &e) == -1, "empty: no file");
	unsigned char vl[12] = {8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1};
	CHECK(ac_decode(vl, sizeof vl, got, &size, &e) == -1, "an overlong varint");

	char kind[4], hex[65];
	const char *h64 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
	char p[128];
	snprintf(p, sizeof p, "/cas/%s", h64);
	CHECK(serve_parse_path(p, kind, hex) == 0 && strcmp(kind, "cas") == 0 &&
		      strcmp(hex, h64) == 0, "cas path");
	snprintf(p, sizeof p, "/team.a/ac/%s", h64);
	CHECK(serve_parse_path(p, kind, hex) == 0 && strcmp(kind, "ac") == 0, "instance, ac");
	const char *badp[] = {"/", "/cas", "/cas/", "/cas/abc", "//cas/x", "/x/y/cas/e3",
		"/../cas/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
		"/cas/E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
		"/cas/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855/",
		"/cas/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855?x",
		"/acx/e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"};
	for (size_t i = 0; i < sizeof badp / sizeof badp[0]; i++)
		CHECK(serve_parse_path(badp[i], kind, hex) == -1, "refuses path %s", badp[i]);
}

/* ---- a bounded fuzz run ---- */

static uint64_t rng = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Mutates a copy of seed (n bytes) into buf (cap): flips, inserts, deletes, splices bytes. */
static size_t mutate(const unsigned char *seed, size_t n, unsigned char *buf, size_t cap)
{
	size_t m = n < cap ? n : cap;
	memcpy(buf, seed, m);
	int edits = 1 + (int)(rnd() % 6);
	static const unsigned char interesting[] = {0, '\r', '\n', ' ', ':', ';', '0', 'f', 0x80,
		0xff, 0x7f, 2 << 3 | 2, 0x12, '/', 'a'};
	for (int k = 0; k < edits; k++) {
		size_t at = m ? rnd() % m : 0;
		switch (rnd() % 5) {
		case 0:
			if (m)
				buf[at] ^= (unsigned char)(1u << (rnd() % 8));
			break;
		case 1:
			if (m)
				buf[at] = interesting[rnd() % sizeof interesting];
			break;
		case 2:
			if (m < cap) {
				memmove(buf + at + 1, buf + at, m - at);
				buf[at] = (unsigned char)rnd();
				m++;
			}
			break;
		case 3:
			if (m) {
				memmove(buf + at, buf + at + 1, m - at - 1);
				m--;
			}
			break;
		default:
			m = at; /* truncate */
		}
	}
	return m;
}

static void test_fuzz(void)
{
	const char *heads[] = {
		"HTTP/1.1 200 OK\r\nContent-Length: 12\r\nTransfer-Encoding: chunked\r\n\r\n",
		"PUT /x/cas/e3b0 HTTP/1.1\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n"};
	const char *chunk = "5\r\nhello\r\n7;ext=1\r\n, world\r\n0\r\nTrailer: x\r\n\r\n";
	char sha[65];
	sha256_hex("y", 1, sha);
	unsigned char ac[128];
	size_t acn = ac_encode(sha, 77, ac, sizeof ac);
	enum { ROUNDS = 20000, CAP = 256 };
	unsigned char buf[CAP];
	int survived = 0;
	berr e;
	for (int i = 0; i < ROUNDS; i++) {
		http_head h;
		http_req r;
		size_t n = mutate((const unsigned char *)heads[0], strlen(heads[0]), buf, CAP);
		/* exact-size copies, so a read past the end is an ASan error */
		char *s = xmalloc(n ? n : 1);
		memcpy(s, buf, n);
		size_t hl = http_head_end(s, n);
		if (hl)
			(void)http_parse_response(s, hl, &h, &e);
		free(s);
		n = mutate((const unsigned char *)heads[1], strlen(heads[1]), buf, CAP);
		s = xmalloc(n ? n : 1);
		memcpy(s, buf, n);
		if ((hl = http_head_end(s, n)))
			(void)http_parse_request(s, hl, &r, &e);
		free(s);
		n = mutate((const unsigned char *)chunk, strlen(chunk), buf, CAP);
		s = xmalloc(n ? n : 1);
		memcpy(s, buf, n);
		http_chunked c = {0};
		int cr = http_chunked_step(&c, s, n, 64, &e);
		if (cr == 1 && c.out > 64)
			t_fail++, printf("FAIL fuzz: chunked decoded %zu > 64 bytes\n", c.out);
		free(s);
		n = mutate(ac, acn, buf, CAP);
		unsigned char *u = xmalloc(n ? n : 1);
		memcpy(u, buf, n);
		char got[65];
		uint64_t size;
		if (ac_decode(u, n, got, &size, &e) == 0 && !is_sha256_hex(got, strlen(got)))
			t_fail++, printf("FAIL fuzz: ac_decode returned a bad digest\n");
		free(u);
		char path[CAP + 1], kind[4], hex[65];
		char pseed[80];
		snprintf(pseed, sizeof pseed, "/i/cas/%s", sha);
		n = mutate((const unsigned char *)pseed, strlen(pseed), buf, CAP);
		memcpy(path, buf, n);
		path[n] = '\0';
		if (serve_parse_path(path, kind, hex) == 0 && !is_sha256_hex(hex, strlen(hex)))
			t_fail++, printf("FAIL fuzz: serve_parse_path returned a bad hex\n");
		survived++;
	}
	CHECK(survived == ROUNDS, "%d mutated inputs per parser", ROUNDS);
}

/* ---- the client against scripted servers ---- */

/* Listens on 127.0.0.1, any port; returns the socket and sets *port. */
static int listen_any(int *port)
{
	int fd = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {0};
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	socklen_t al = sizeof a;
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 4) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
		printf("FAIL setup: listen: %s\n", strerror(errno));
		exit(1);
	}
	*port = ntohs(a.sin_port);
	return fd;
}

/* Forks a server that answers one connection with reply (after reading the request head), or
 * with silence when reply is NULL. */
static pid_t scripted(int lfd, const char *reply, size_t rlen)
{
	pid_t pid = fork();
	if (pid != 0)
		return pid;
	alarm(10);
	int c = accept(lfd, NULL, NULL);
	char buf[4096];
	size_t n = 0;
	while (n < sizeof buf) {
		ssize_t r = read(c, buf + n, sizeof buf - n);
		if (r <= 0)
			break;
		n += (size_t)r;
		if (http_head_end(buf, n))
			break;
	}
	if (!reply) {
		sleep(5);
		_exit(0);
	}
	for (size_t off = 0; off < rlen;) {
		ssize_t w = write(c, reply + off, rlen - off);
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(c);
	_exit(0);
}

/* Runs one GET against a scripted reply; the request's result. */
static int get_with(const char *reply, size_t max, int timeout_ms, http_resp *r, berr *e)
{
	int port, lfd = listen_any(&port);
	pid_t pid = scripted(lfd, reply, reply ? strlen(reply) : 0);
	close(lfd);
	char url[64];
	snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
	http_url u;
	http_url_parse(url, &u, e);
	int rc = http_request(&u, "GET", "/cas/x", NULL, 0, max, timeout_ms, r, e);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	return rc;
}

static void test_client(void)
{
	http_resp r;
	berr e;
	int rc = get_with("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello", 100, 2000, &r, &e);
	CHECK(rc == 0 && r.status == 200 && r.len == 5 && strcmp(r.body, "hello") == 0,
		"content-length body (%s)", rc ? e.msg : "");
	http_resp_free(&r);
	rc = get_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nTransfer-Encoding: chunked"
		"\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", 100, 2000, &r, &e);
	CHECK(rc == 0 && r.status == 200 && r.len == 5 && strcmp(r.body, "abcde") == 0,
		"interim 100, then a chunked body (%s)", rc ? e.msg : "");
	http_resp_free(&r);
	rc = get_with("HTTP/1.0 200 OK\r\n\r\nuntil the end", 100, 2000, &r, &e);
	CHECK(rc == 0 && r.len == 13, "a body ended by the connection");
	http_resp_free(&r);
	rc = get_with("HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nno\n", 100, 2000, &r, &e);
	CHECK(rc == 0 && r.status == 404, "a 404 is an answer");
	http_resp_free(&r);
	CHECK(get_with("HTTP/1.1 200 OK\r\nContent-Length: 500\r\n\r\nx", 100, 2000, &r, &e) == -1 &&
		      strstr(e.msg, "limit"), "a declared body over max: %s", e.msg);
	CHECK(get_with("HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\nshort", 100, 2000, &r, &e) ==
			-1 && strstr(e.msg, "truncated"), "a truncated body: %s", e.msg);
	CHECK(get_with("HTTP/1.0 200 OK\r\n\r\n0123456789012345678901234567890123456789", 20,
		      2000, &r, &e) == -1, "an undeclared body over max");
	CHECK(get_with("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n40\r\n0123456789",
		      20, 2000, &r, &e) == -1, "a chunk over max");
	CHECK(get_with("SSH-2.0-OpenSSH\r\n\r\n", 100, 2000, &r, &e) == -1 &&
		      strstr(e.msg, "bad response"), "not HTTP: %s", e.msg);
	CHECK(get_with("", 100, 2000, &r, &e) == -1, "closed without a word");
	int64_t t0 = http_now_ms();
	rc = get_with(NULL, 100, 300, &r, &e);
	int64_t took = http_now_ms() - t0;
	CHECK(rc == -1 && strstr(e.msg, "timed out") && took < 2500,
		"a silent server times out (%lld ms): %s", (long long)took, e.msg);
	/* a head that never ends is cut at HTTP_MAX_HEAD */
	char *big = xmalloc(HTTP_MAX_HEAD + 200);
	strcpy(big, "HTTP/1.1 200 OK\r\n");
	size_t n = strlen(big);
	while (n < HTTP_MAX_HEAD + 100) {
		memcpy(big + n, "X-Pad: aaaaaaaa\r\n", 17);
		n += 17;
	}
	big[n] = '\0';
	CHECK(get_with(big, 100, 2000, &r, &e) == -1 && strstr(e.msg, "head longer"),
		"an endless head: %s", e.msg);
	free(big);
	http_url u;
	http_url_parse("http://127.0.0.1:1", &u, &e);
	CHECK(http_request(&u, "GET", "/x", NULL, 0, 10, 1000, &r, &e) == -1 &&
		      strstr(e.msg, "refused"), "nothing listening: %s", e.msg);
}

/* ---- read-through and write-back against burn cache serve ---- */

static void test_remote_cache(void)
{
	int port, lfd = listen_any(&port);
	close(lfd); /* the server binds it again; a race with another process is unlikely */
	strbuf srv = {0}, pf = {0}, url = {0};
	sb_printf(&srv, "%s/srv", tmpdir);
	sb_printf(&pf, "%s/port", tmpdir);
	serve_opts o = {srv.s, "127.0.0.1", port, pf.s, 1 << 20, 20, 8, false};
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		if (!freopen("/dev/null", "w", stdout))
			_exit(1);
		_exit(cache_serve(&o));
	}
	struct stat st;
	struct timespec pause = {0, 20000000};
	for (int i = 0; i < 100 && stat(pf.s, &st) != 0; i++)
		nanosleep(&pause, NULL);
	CHECK(stat(pf.s, &st) == 0, "the server started");
	sb_printf(&url, "http://127.0.0.1:%d", port);
	setenv("BURN_REMOTE_CACHE", url.s, 1);
	setenv("BURN_REMOTE_TIMEOUT", "2", 1);

	strbuf r1 = {0}, r2 = {0};
	sb_printf(&r1, "%s/local1", tmpdir);
	sb_printf(&r2, "%s/local2", tmpdir);
	cache c1, c2;
	berr e;
	CHECK(cache_open(&c1, r1.s, &e) == 0 && c1.remote, "a cache with a remote");
	khash h;
	kh_init(&h, "t", 1);
	kh_add_str(&h, "x", "1");
	ckey k = kh_final(&h);
	cache_file f = {"out.json", "{\"n\": 1}\n", 9};
	CHECK(cache_put(&c1, &k, &f, 1, &e) == 0, "put (and upload)");
	cache_close(&c1);
	CHECK(cache_open(&c2, r2.s, &e) == 0, "a second, empty local cache");
	cache_file *got;
	int n;
	CHECK(cache_get(&c2, &k, &got, &n, &e) == 1 && c2.remote_hit && n == 1 &&
		      strcmp(got[0].data, "{\"n\": 1}\n") == 0, "read through the remote");
	cache_files_free(got, n);
	char *p = cache_path(&c2, &k);
	CHECK(stat(p, &st) == 0, "and kept locally");
	free(p);
	CHECK(cache_get(&c2, &k, &got, &n, &e) == 1 && !c2.remote_hit, "then a local hit");
	cache_files_free(got, n);
	kh_init(&h, "t", 1);
	kh_add_str(&h, "x", "absent");
	ckey k2 = kh_final(&h);
	CHECK(cache_get(&c2, &k2, &got, &n, &e) == 0, "a key nobody has: a miss");
	cache_close(&c2);

	kill(pid, SIGTERM);
	int status;
	waitpid(pid, &status, 0);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "the server stops on SIGTERM");
	/* now it is down: a miss, a back-off marker, and the next open skips the remote */
	strbuf r3 = {0};
	sb_printf(&r3, "%s/local3", tmpdir);
	cache c3;
	CHECK(cache_open(&c3, r3.s, &e) == 0 && c3.remote, "opened with the remote");
	CHECK(cache_get(&c3, &k, &got, &n, &e) == 0 && !c3.remote, "remote down: a miss");
	cache_close(&c3);
	CHECK(cache_open(&c3, r3.s, &e) == 0 && !c3.remote, "backed off after a failure");
	cache_close(&c3);
	unsetenv("BURN_REMOTE_CACHE");
	unsetenv("BURN_REMOTE_TIMEOUT");
	sb_free(&srv);
	sb_free(&pf);
	sb_free(&url);
	sb_free(&r1);
	sb_free(&r2);
	sb_free(&r3);
}

int main(void)
{
	tmpdir = xstrdup(t_scratch("remote"));
	unsetenv("BURN_NO_CACHE");
	unsetenv("BURN_REMOTE_CACHE");
	signal(SIGPIPE, SIG_IGN);
	test_sha256();
	test_url();
	test_heads();
	test_chunked();
	test_ac();
	test_fuzz();
	test_client();
	test_remote_cache();
	if (t_fail == 0)
		t_scratch_done();
	else
		printf("left %s for inspection\n", tmpdir);
	free(tmpdir);
	return t_done("test_cache_remote");
}
