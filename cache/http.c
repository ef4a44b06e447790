/* http.c - a bounded HTTP/1.1 client over a TCP socket, and the head and chunked-body parsers
 * the client and `burn cache serve` share. */
#define _POSIX_C_SOURCE 200809L
#include "cache/http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int64_t http_now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- URLs ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

int http_url_parse(const char *s, http_url *u, berr *e)
{
	memset(u, 0, sizeof *u);
	if (strncmp(s, "http://", 7) != 0)
		return errf(e, "'%s' is not an http:// URL (only plain http is supported)", s);
	const char *p = s + 7, *host, *hend;
	if (*p == '[') { /* [IPv6] */
		host = ++p;
		while (*p && (is_alnum(*p) || *p == ':' || *p == '.'))
			p++;
		if (*p != ']')
			return errf(e, "'%s': bad IPv6 address", s);
		hend = p++;
	} else {
		host = p;
		while (is_alnum(*p) || *p == '-' || *p == '.' || *p == '_')
			p++;
		hend = p;
	}
	if (hend == host || (size_t)(hend - host) > HTTP_MAX_HOST)
		return errf(e, "'%s': no host name, or one too long", s);
	memcpy(u->host, host, (size_t)(hend - host));
	strcpy(u->port, "80");
	if (*p == ':') {
		p++;
		long port = 0;
		int nd = 0;
		while (is_digit(*p) && nd < 6) {
			port = port * 10 + (*p++ - '0');
			nd++;
		}
		if (nd == 0 || nd > 5 || port < 1 || port > 65535)
			return errf(e, "'%s': bad port", s);
		snprintf(u->port, sizeof u->port, "%ld", port);
	}
	const char *path = p;
	while (*p && (is_alnum(*p) || strchr("/-._~", *p)))
		p++;
	if (*p)
		return errf(e, "'%s': unexpected '%c' (no user names, queries or fragments)", s, *p);
	size_t pl = (size_t)(p - path);
	while (pl && path[pl - 1] == '/') /* "http://h/" and "http://h/x/" */
		pl--;
	if (pl && path[0] != '/')
		return errf(e, "'%s': the path must start with '/'", s);
	if (pl >= sizeof u->prefix - 80)
		return errf(e, "'%s': path prefix too long", s);
	memcpy(u->prefix, path, pl);
	return 0;
}

/* ---- heads ---- */

size_t http_head_end(const char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < n && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < n && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

/* Next line of buf[*pos..n) without its CRLF or LF: its start and length; false at the end or
 * on a line without a newline. */
static bool next_line(const char *buf, size_t n, size_t *pos, const char **line, size_t *len)
{
	const char *nl = *pos < n ? memchr(buf + *pos, '\n', n - *pos) : NULL;
	if (!nl)
		return false;
	*line = buf + *pos;
	*len = (size_t)(nl - *line);
	*pos += *len + 1;
	if (*len && (*line)[*len - 1] == '\r')
		(*len)--;
	return true;
}

static bool is_tchar(char c)
{
	return is_alnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True if the n bytes at s equal lowercase word, ignoring case. */
static bool ieq(const char *s, size_t n, const char *word)
{
	size_t wl = strlen(word);
	if (n != wl)
		return false;
	for (size_t i = 0; i < n; i++)
		if (lower(s[i]) != word[i])
			return false;
	return true;
}

/* The headers both kinds of head care about. */
typedef struct {
	int64_t content_length;
	bool chunked, expect_continue;
} hdrs;

/* Parses header lines from *pos to the blank line. */
static int parse_headers(const char *buf, size_t n, size_t pos, hdrs *h, berr *e)
{
	h->content_length = -1;
	h->chunked = h->expect_continue = false;
	bool seen_te = false;
	const char *l;
	size_t ll;
	for (;;) {
		if (!next_line(buf, n, &pos, &l, &ll))
			return errf(e, "head does not end with a blank line");
		if (ll == 0)
			break;
		if (l[0] == ' ' || l[0] == '\t')
			return errf(e, "folded header line");
		size_t c = 0;
		while (c < ll && is_tchar(l[c]))
			c++;
		if (c == 0 || c >= ll || l[c] != ':')
			return errf(e, "bad header line");
		const char *v = l + c + 1, *vend = l + ll;
		for (const char *q = v; q < vend; q++)
			if (((unsigned char)*q < 32 && *q != '\t') || *q == 127)
				return errf(e, "control character in a header");
		while (v < vend && (*v == ' ' || *v == '\t'))
			v++;
		while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
			vend--;
		size_t vl = (size_t)(vend - v);
		if (ieq(l, c, "content-length")) {
			if (h->content_length >= 0)
				return errf(e, "Content-Length given twice");
			if (vl == 0 || vl > 18)
				return errf(e, "bad Content-Length");
			int64_t cl = 0;
			for (size_t i = 0; i < vl; i++) {
				if (!is_digit(v[i]))
					return errf(e, "bad Content-Length");
				cl = cl * 10 + (v[i] - '0');
			}
			h->content_length = cl;
		} else if (ieq(l, c, "transfer-encoding")) {
			if (seen_te || !ieq(v, vl, "chunked"))
				return errf(e, "unsupported Transfer-Encoding");
			seen_te = h->chunked = true;
		} else if (ieq(l, c, "expect")) {
			if (!ieq(v, vl, "100-continue"))
				return errf(e, "unsupported Expect");
			h->expect_continue = true;
		}
	}
	if (pos != n)
		return errf(e, "bytes after the head's blank line");
	if (h->chunked && h->content_length >= 0)
		return errf(e, "both Content-Length and Transfer-Encoding");
	return 0;
}

int http_parse_response(const char *buf, size_t n, http_head *h, berr *e)
{
	size_t pos = 0;
	const char *l;
	size_t ll;
	if (!next_line(buf, n, &pos, &l, &ll))
		return errf(e, "no status line");
	/* HTTP/1.x SP DDD [SP reason] */
	if (ll < 12 || memcmp(l, "HTTP/1.", 7) != 0 || !is_digit(l[7]) || l[8] != ' ' ||
	    !is_digit(l[9]) || !is_digit(l[10]) || !is_digit(l[11]) || (ll > 12 && l[12] != ' '))
		return errf(e, "bad status line");
	for (size_t i = 12; i < ll; i++)
		if ((unsigned char)l[i] < 32 && l[i] != '\t')
			return errf(e, "control character in the status line");
	h->status = (l[9] - '0') * 100 + (l[10] - '0') * 10 + (l[11] - '0');
	if (h->status < 100 || h->status > 599)
		return errf(e, "bad status %d", h->status);
	hdrs hd;
	if (parse_headers(buf, n, pos, &hd, e) != 0)
		return -1;
	h->content_length = hd.content_length;
	h->chunked = hd.chunked;
	return 0;
}

int http_parse_request(const char *buf, size_t n, http_req *r, berr *e)
{
	memset(r, 0, sizeof *r);
	size_t pos = 0;
	const char *l;
	size_t ll;
	if (!next_line(buf, n, &pos, &l, &ll))
		return errf(e, "no request line");
	/* METHOD SP PATH SP HTTP/1.x */
	size_t m = 0;
	while (m < ll && l[m] >= 'A' && l[m] <= 'Z')
		m++;
	if (m == 0 || m >= sizeof r->method || m >= ll || l[m] != ' ')
		return errf(e, "bad request line");
	memcpy(r->method, l, m);
	size_t ps = m + 1, pe = ps;
	while (pe < ll && l[pe] > 32 && l[pe] < 127)
		pe++;
	if (pe == ps || pe - ps > HTTP_MAX_PATH || l[ps] != '/')
		return errf(e, "bad request target");
	if (ll - pe != 9 || memcmp(l + pe, " HTTP/1.", 8) != 0 || !is_digit(l[pe + 8]))
		return errf(e, "bad request line");
	memcpy(r->path, l + ps, pe - ps);
	hdrs hd;
	if (parse_headers(buf, n, pos, &hd, e) != 0)
		return -1;
	r->content_length = hd.content_length;
	r->chunked = hd.chunked;
	r->expect_continue = hd.expect_continue;
	return 0;
}

/* ---- chunked bodies ---- */

enum { CH_SIZE, CH_DATA, CH_DATA_END, CH_TRAILER, CH_DONE };
enum { CH_MAX_LINE = 1024 };

int http_chunked_step(http_chunked *c, char *buf, size_t n, size_t max, berr *e)
{
	while (c->state != CH_DONE) {
		if (c->state == CH_DATA) {
			size_t avail = n - c->in;
			size_t take = avail < c->left ? avail : (size_t)c->left;
			if (take == 0)
				return 0;
			memmove(buf + c->out, buf + c->in, take);
			c->out += take;
			c->in += take;
			c->left -= take;
			if (c->left == 0)
				c->state = CH_DATA_END;
			continue;
		}
		const char *l;
		size_t ll, pos = c->in;
		if (!next_line(buf, n, &pos, &l, &ll)) {
			if (n - c->in > CH_MAX_LINE)
				return errf(e, "chunked body: line too long");
			return 0;
		}
		if (pos - c->in > CH_MAX_LINE)
			return errf(e, "chunked body: line too long");
		c->in = pos;
		if (c->state == CH_DATA_END) {
			if (ll != 0)
				return errf(e, "chunked body: no line end after a chunk");
			c->state = CH_SIZE;
		} else if (c->state == CH_TRAILER) {
			if (ll == 0)
				c->state = CH_DONE;
		} else { /* CH_SIZE: HEX [; extensions] */
			uint64_t size = 0;
			size_t i = 0;
			for (; i < ll; i++) {
				char ch = lower(l[i]);
				int d = is_digit(ch) ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
				if (d < 0)
					break;
				if (i >= 15)
					return errf(e, "chunked body: chunk size too large");
				size = size << 4 | (uint64_t)d;
			}
			if (i == 0 || (i < ll && l[i] != ';' && l[i] != ' ' && l[i] != '\t'))
				return errf(e, "chunked body: bad chunk size");
			if (size > max - c->out)
				return errf(e, "body larger than %zu bytes", max);
			c->left = size;
			c->state = size ? CH_DATA : CH_TRAILER;
		}
	}
	return 1;
}

/* ---- sockets ---- */

/* Waits until fd is ready for events, at most until deadline; -1 with e set on time out. */
static int wait_fd(int fd, short events, int64_t deadline, berr *e)
{
	for (;;) {
		int64_t left = deadline - http_now_ms();
		if (left <= 0)
			return errf(e, "timed out");
		struct pollfd p = {fd, events, 0};
		int r = poll(&p, 1, left > 1000000 ? 1000000 : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return errf(e, "poll: %s", strerror(errno));
	}
}

int http_send_all(int fd, const void *data, size_t n, int64_t deadline, berr *e)
{
	const char *p = data;
	while (n) {
		ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
		if (w > 0) {
			p += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
			if (wait_fd(fd, POLLOUT, deadline, e) != 0)
				return -1;
			continue;
		}
		return errf(e, "send: %s", w < 0 ? strerror(errno) : "no progress");
	}
	return 0;
}

long http_recv_some(int fd, void *p, size_t cap, int64_t deadline, berr *e)
{
	for (;;) {
		ssize_t r = recv(fd, p, cap, 0);
		if (r >= 0)
			return (long)r;
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return errf(e, "recv: %s", strerror(errno));
		if (wait_fd(fd, POLLIN, deadline, e) != 0)
			return -1;
	}
}

/* Connects to u within deadline; the socket is non-blocking. -1 with e set. */
static int dial(const http_url *u, int64_t deadline, berr *e)
{
	struct addrinfo hints = {0}, *res = NULL;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	int gr = getaddrinfo(u->host, u->port, &hints, &res);
	if (gr != 0)
		return errf(e, "%s: %s", u->host, gai_strerror(gr));
	int fd = -1;
	errf(e, "%s:%s: no address", u->host, u->port);
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			a->ai_protocol);
		if (fd < 0) {
			errf(e, "socket: %s", strerror(errno));
			continue;
		}
		int r = connect(fd, a->ai_addr, a->ai_addrlen);
		if (r != 0 && errno == EINPROGRESS) {
			berr we;
			if (wait_fd(fd, POLLOUT, deadline, &we) != 0) {
				errf(e, "connect to %s:%s: %s", u->host, u->port, we.msg);
				close(fd);
				fd = -1;
				continue;
			}
			int err = 0;
			socklen_t el = sizeof err;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0)
				err = errno;
			r = err ? -1 : 0;
			errno = err;
		}
		if (r == 0)
			break;
		errf(e, "connect to %s:%s: %s", u->host, u->port, strerror(errno));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* min(a, b) */
static int64_t earlier(int64_t a, int64_t b)
{
	return a < b ? a : b;
}

int http_request(const http_url *u, const char *method, const char *path, const void *body,
	size_t blen, size_t max, int timeout_ms, http_resp *r, berr *e)
{
	memset(r, 0, sizeof *r);
	bool head = strcmp(method, "HEAD") == 0, put = strcmp(method, "PUT") == 0;
	int64_t t0 = http_now_ms(), end = t0 + 10 * (int64_t)timeout_ms;
	int fd = dial(u, earlier(t0 + timeout_ms, end), e);
	if (fd < 0)
		return -1;
	int rc = -1;
	strbuf req = {0}, in = {0};
	bool v6 = strchr(u->host, ':') != NULL;
	sb_printf(&req, "%s %s%s HTTP/1.1\r\nHost: %s%s%s:%s\r\nUser-Agent: burn/%s\r\n"
		"Connection: close\r\n", method, u->prefix, path, v6 ? "[" : "", u->host,
		v6 ? "]" : "", u->port, BURN_VERSION);
	if (put)
		sb_printf(&req, "Content-Type: application/octet-stream\r\nContent-Length: %zu\r\n",
			blen);
	sb_puts(&req, "\r\n");
	if (http_send_all(fd, req.s, req.len, earlier(http_now_ms() + timeout_ms, end), e) != 0 ||
	    (put && http_send_all(fd, body, blen, earlier(http_now_ms() + timeout_ms, end), e) != 0))
		goto out;

	/* the head; 1xx interim responses are skipped */
	http_head h;
	size_t hl;
	char chunk[16384];
	for (;;) {
		while (!(hl = http_head_end(in.s ? in.s : "", in.len))) {
			if (in.len >= HTTP_MAX_HEAD) {
				errf(e, "response head longer than %d bytes", HTTP_MAX_HEAD);
				goto out;
			}
			long got = http_recv_some(fd, chunk, sizeof chunk,
				earlier(http_now_ms() + timeout_ms, end), e);
			if (got < 0)
				goto out;
			if (got == 0) {
				errf(e, "connection closed before the response head ended");
				goto out;
			}
			sb_add(&in, chunk, (size_t)got);
		}
		if (hl > HTTP_MAX_HEAD) {
			errf(e, "response head longer than %d bytes", HTTP_MAX_HEAD);
			goto out;
		}
		berr pe;
		if (http_parse_response(in.s, hl, &h, &pe) != 0) {
			errf(e, "bad response: %s", pe.msg);
			goto out;
		}
		if (h.status >= 200)
			break;
		memmove(in.s, in.s + hl, in.len - hl); /* interim: drop it */
		in.len -= hl;
		in.s[in.len] = '\0';
	}
	r->status = h.status;
	/* the body: everything after the head in in.s, and what is still to come */
	size_t have = in.len - hl;
	memmove(in.s, in.s + hl, have);
	in.len = have;
	in.s[have] = '\0';
	bool nobody = head || h.status == 204 || h.status == 304;
	if (nobody) {
		rc = 0;
		goto out;
	}
	if (h.content_length > (int64_t)max) {
		errf(e, "response body of %lld bytes, more than the limit of %zu",
			(long long)h.content_length, max);
		goto out;
	}
	http_chunked ch = {0};
	for (;;) {
		if (h.chunked) {
			int cr = http_chunked_step(&ch, in.s, in.len, max, e);
			if (cr < 0)
				goto out;
			/* drop the framing decoded so far: the buffer stays below max + a line */
			size_t rest = in.len - ch.in;
			memmove(in.s + ch.out, in.s + ch.in, rest);
			in.len = ch.out + rest;
			ch.in = ch.out;
			if (cr == 1) {
				in.len = ch.out;
				break;
			}
		} else if (h.content_length >= 0 && in.len >= (size_t)h.content_length) {
			in.len = (size_t)h.content_length; /* anything after it is ignored */
			break;
		} else if (h.content_length < 0 && in.len > max) {
			errf(e, "response body larger than %zu bytes", max);
			goto out;
		}
		long got = http_recv_some(fd, chunk, sizeof chunk,
			earlier(http_now_ms() + timeout_ms, end), e);
		if (got < 0)
			goto out;
		if (got == 0) {
			if (h.chunked || h.content_length >= 0) {
				errf(e, "connection closed %s", h.chunked ? "inside a chunked body" :
					"before the body ended (truncated)");
				goto out;
			}
			break; /* the body ends with the connection */
		}
		if (in.len > max + CH_MAX_LINE + sizeof chunk) { /* cannot happen; a guard */
			errf(e, "response body larger than %zu bytes", max);
			goto out;
		}
		sb_add(&in, chunk, (size_t)got);
	}
	r->body = in.s ? in.s : xstrdup("");
	r->len = in.len;
	r->body[r->len] = '\0';
	in.s = NULL;
	rc = 0;
out:
	close(fd);
	sb_free(&req);
	sb_free(&in);
	if (rc != 0)
		r->status = 0;
	return rc;
}

void http_resp_free(http_resp *r)
{
	free(r->body);
	r->body = NULL;
	r->len = 0;
}
