/* serve.c - burn cache serve: a bazel-remote compatible HTTP/1.1 cache server on a folder. */
#define _POSIX_C_SOURCE 200809L
#include "cache/serve.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cache/http.h"
#include "cache/remote.h"
#include "cache/sha256.h"

/* The SHA-256 of no bytes: bazel-remote always has this blob, so clients use it as a ping. */
static const char empty_sha[] =
	"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

int serve_parse_path(const char *path, char kind[4], char hex[65])
{
	const char *seg[4];
	size_t len[4];
	int n = 0;
	const char *p = path;
	if (*p != '/')
		return -1;
	while (*p == '/') {
		if (n == 3)
			return -1;
		seg[n] = ++p;
		while (*p && *p != '/')
			p++;
		len[n] = (size_t)(p - seg[n]);
		if (len[n] == 0)
			return -1;
		n++;
	}
	if (*p || n < 2)
		return -1;
	if (n == 3) { /* an instance name: ignored, but it must be plain */
		if (len[0] > 64 || (seg[0][0] == '.'))
			return -1;
		for (size_t i = 0; i < len[0]; i++) {
			char c = seg[0][i];
			if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.'))
				return -1;
		}
	}
	const char *k = seg[n - 2], *h = seg[n - 1];
	size_t kl = len[n - 2];
	if (!((kl == 2 && memcmp(k, "ac", 2) == 0) || (kl == 3 && memcmp(k, "cas", 3) == 0)))
		return -1;
	if (!is_sha256_hex(h, len[n - 1]))
		return -1;
	memcpy(kind, k, kl);
	kind[kl] = '\0';
	memcpy(hex, h, 64);
	hex[64] = '\0';
	return 0;
}

/* ---- one connection (in its own process) ---- */

typedef struct {
	int fd;
	const serve_opts *o;
	int64_t end; /* the connection's deadline */
} conn;

static int64_t io_deadline(const conn *c)
{
	int64_t t = http_now_ms() + SERVE_IO_TIMEOUT * 1000;
	return t < c->end ? t : c->end;
}

static const char *reason(int status)
{
	switch (status) {
	case 100: return "Continue";
	case 200: return "OK";
	case 400: return "Bad Request";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 431: return "Request Header Fields Too Large";
	case 503: return "Service Unavailable";
	default: return "Internal Server Error";
	}
}

/* Sends a head (and a short text body unless head_only); -1 if the client is gone. */
static int respond(conn *c, int status, const char *text, uint64_t len, bool head_only)
{
	char h[256];
	uint64_t blen = text ? strlen(text) : len;
	int n = snprintf(h, sizeof h, "HTTP/1.1 %d %s\r\nContent-Length: %llu\r\n"
		"Content-Type: %s\r\nConnection: close\r\n\r\n", status, reason(status),
		(unsigned long long)blen, text ? "text/plain" : "application/octet-stream");
	berr e;
	if (http_send_all(c->fd, h, (size_t)n, io_deadline(c), &e) != 0)
		return -1;
	if (text && !head_only && blen)
		return http_send_all(c->fd, text, blen, io_deadline(c), &e);
	return 0;
}

/* ROOT/KIND/ab/<62 hex> in a new string. */
static char *blob_path(const serve_opts *o, const char *kind, const char *hex)
{
	strbuf b = {0};
	sb_printf(&b, "%s/%s/%.2s/%s", o->root, kind, hex, hex + 2);
	return b.s;
}

/* Sends the blob at path (GET) or only its head (HEAD). */
static int send_blob(conn *c, const char *kind, const char *hex, bool head_only, int *status)
{
	if (strcmp(kind, "cas") == 0 && strcmp(hex, empty_sha) == 0) {
		*status = 200;
		return respond(c, 200, NULL, 0, true);
	}
	char *path = blob_path(c->o, kind, hex);
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	int rc = -1;
	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		*status = fd < 0 && errno == ENOENT ? 404 : 500;
		rc = respond(c, *status, *status == 404 ? "not found\n" : "cannot read\n", 0,
			head_only);
		goto out;
	}
	(void)futimens(fd, NULL); /* last use, for whoever trims the folder */
	*status = 200;
	if (respond(c, 200, NULL, (uint64_t)st.st_size, true) != 0 || head_only) {
		rc = head_only ? 0 : -1;
		goto out;
	}
	char buf[65536];
	uint64_t left = (uint64_t)st.st_size;
	berr e;
	while (left) {
		ssize_t r = read(fd, buf, left < sizeof buf ? (size_t)left : sizeof buf);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0) /* the file shrank: the client sees a short body */
			goto out;
		if (http_send_all(c->fd, buf, (size_t)r, io_deadline(c), &e) != 0)
			goto out;
		left -= (uint64_t)r;
	}
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(path);
	return rc;
}

/* Stores a PUT body as the blob kind/hex, atomically; the HTTP status. */
static int store_blob(const serve_opts *o, const char *kind, const char *hex, const char *body,
	size_t len, const char **why)
{
	if (strcmp(kind, "cas") == 0) {
		char got[65];
		sha256_hex(body, len, got);
		if (strcmp(got, hex) != 0) {
			*why = "content does not match its sha256\n";
			return 400;
		}
	} else {
		char sha[65];
		uint64_t size;
		berr e;
		if (ac_decode((const unsigned char *)body, len, sha, &size, &e) != 0) {
			*why = "not an ActionResult naming a burn object\n";
			return 400;
		}
	}
	char *path = blob_path(o, kind, hex), *dir = dir_of(path);
	strbuf tmp = {0};
	sb_printf(&tmp, "%s/tmp/%s.XXXXXX", o->root, hex);
	int status = 500, fd = -1;
	berr e;
	*why = "cannot store\n";
	if (mkdirs(dir, &e) != 0 || (fd = mkstemp(tmp.s)) < 0) {
		warn("serve: %s", fd < 0 ? strerror(errno) : e.msg);
		goto out;
	}
	if (fchmod(fd, 0644) != 0)
		goto out;
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, body + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto out;
		off += (size_t)w;
	}
	if (fsync(fd) != 0 && errno != EINVAL)
		goto out;
	int cr = close(fd);
	fd = -1;
	if (cr != 0 || rename(tmp.s, path) != 0)
		goto out;
	sb_free(&tmp);
	status = 200;
out:
	if (fd >= 0)
		close(fd);
	if (tmp.s) {
		unlink(tmp.s);
		sb_free(&tmp);
	}
	free(dir);
	free(path);
	return status;
}

/* Reads what the client still sends, briefly and boundedly, so an early answer (a 413) is not
 * lost to a connection reset. */
static void drain(conn *c)
{
	shutdown(c->fd, SHUT_WR);
	char buf[16384];
	int64_t end = http_now_ms() + 1000;
	berr e;
	for (int i = 0; i < 64; i++)
		if (http_recv_some(c->fd, buf, sizeof buf, end, &e) <= 0)
			break;
}

static void handle(conn *c)
{
	strbuf in = {0};
	char chunk[16384];
	size_t hl;
	int status = 0;
	http_req rq = {0};
	berr e;
	while (!(hl = http_head_end(in.s ? in.s : "", in.len))) {
		if (in.len >= HTTP_MAX_HEAD) {
			respond(c, status = 431, "request head too long\n", 0, false);
			goto done;
		}
		long got = http_recv_some(c->fd, chunk, sizeof chunk, io_deadline(c), &e);
		if (got <= 0) /* gone or silent: nothing to answer */
			goto done;
		sb_add(&in, chunk, (size_t)got);
	}
	if (hl > HTTP_MAX_HEAD) {
		respond(c, status = 431, "request head too long\n", 0, false);
		goto done;
	}
	if (http_parse_request(in.s, hl, &rq, &e) != 0) {
		respond(c, status = 400, "bad request\n", 0, false);
		goto done;
	}
	char kind[4], hex[65];
	bool get = strcmp(rq.method, "GET") == 0, head = strcmp(rq.method, "HEAD") == 0,
	     put = strcmp(rq.method, "PUT") == 0;
	if (!get && !head && !put) {
		respond(c, status = 405, "only GET, HEAD and PUT\n", 0, false);
		goto done;
	}
	if (serve_parse_path(rq.path, kind, hex) != 0) {
		respond(c, status = 404, "not found (paths are /ac/<64 hex> and /cas/<sha256>)\n",
			0, head);
		goto done;
	}
	if (!put) {
		send_blob(c, kind, hex, head, &status);
		goto done;
	}
	if (rq.chunked || rq.content_length < 0) {
		respond(c, status = 411, "PUT needs a Content-Length\n", 0, false);
		goto done;
	}
	if ((uint64_t)rq.content_length > c->o->max_blob) {
		respond(c, status = 413, "too large\n", 0, false);
		goto done;
	}
	if (rq.expect_continue && in.len == hl &&
	    http_send_all(c->fd, "HTTP/1.1 100 Continue\r\n\r\n", 25, io_deadline(c), &e) != 0)
		goto done;
	size_t want = (size_t)rq.content_length;
	/* the body: what came with the head, then the rest */
	char *body = xmalloc(want + 1);
	size_t have = in.len - hl < want ? in.len - hl : want;
	memcpy(body, in.s + hl, have);
	while (have < want) {
		long got = http_recv_some(c->fd, body + have, want - have, io_deadline(c), &e);
		if (got <= 0) {
			free(body);
			if (got < 0)
				respond(c, status = 408, "body too slow\n", 0, false);
			goto done;
		}
		have += (size_t)got;
	}
	const char *why = NULL;
	status = store_blob(c->o, kind, hex, body, want, &why);
	free(body);
	respond(c, status, status == 200 ? "" : why, 0, false);
done:
	if (c->o->verbose)
		fprintf(stderr, "burn cache serve: %s %s %d\n", rq.method[0] ? rq.method : "-",
			rq.path[0] ? rq.path : "-", status);
	sb_free(&in);
	drain(c);
}

/* ---- the listener ---- */

static volatile sig_atomic_t stop;

static void on_stop(int sig)
{
	(void)sig;
	stop = 1;
}

/* Opens the listening socket on o->bind:o->port; -1 with a message printed. */
static int listen_on(const serve_opts *o)
{
	char port[16];
	snprintf(port, sizeof port, "%d", o->port);
	struct addrinfo hints = {0}, *res;
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV;
	int gr = getaddrinfo(o->bind, port, &hints, &res);
	if (gr != 0) {
		fprintf(stderr, "burn: cache serve: %s: %s\n", o->bind, gai_strerror(gr));
		return -1;
	}
	int fd = socket(res->ai_family, res->ai_socktype | SOCK_CLOEXEC, res->ai_protocol), one = 1;
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) != 0 || listen(fd, 64) != 0) {
		fprintf(stderr, "burn: cache serve: %s port %d: %s\n", o->bind, o->port,
			strerror(errno));
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return fd;
}

/* The port fd listens on. */
static int bound_port(int fd)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof ss;
	if (getsockname(fd, (struct sockaddr *)&ss, &sl) != 0)
		return -1;
	if (ss.ss_family == AF_INET)
		return ntohs(((struct sockaddr_in *)&ss)->sin_port);
	return ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
}

int cache_serve(const serve_opts *o)
{
	berr e;
	const char *sub[] = {"ac", "cas", "tmp"};
	for (int i = 0; i < 3; i++) {
		char *d = path_join(o->root, sub[i]);
		int rc = mkdirs(d, &e);
		free(d);
		if (rc != 0) {
			fprintf(stderr, "burn: cache serve: %s\n", e.msg);
			return 1;
		}
	}
	int lfd = listen_on(o);
	if (lfd < 0)
		return 1;
	int port = bound_port(lfd);
	struct sigaction sa = {0};
	sa.sa_handler = on_stop;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	printf("burn cache serve: %s on http://%s%s%s:%d\n", o->root,
		strchr(o->bind, ':') ? "[" : "", o->bind, strchr(o->bind, ':') ? "]" : "", port);
	fflush(stdout);
	if (o->port_file) {
		char pb[16];
		int pn = snprintf(pb, sizeof pb, "%d\n", port);
		if (write_file_atomic(o->port_file, pb, (size_t)pn, false, &e) != 0) {
			fprintf(stderr, "burn: cache serve: %s\n", e.msg);
			close(lfd);
			return 1;
		}
	}
	int children = 0;
	int64_t last = http_now_ms();
	while (!stop) {
		while (children > 0 && waitpid(-1, NULL, WNOHANG) > 0)
			children--;
		if (o->idle_timeout > 0 && children == 0 &&
		    http_now_ms() - last > (int64_t)(o->idle_timeout * 1000))
			break;
		struct pollfd p = {lfd, POLLIN, 0};
		int pr = poll(&p, 1, 200);
		if (pr <= 0)
			continue;
		int cfd = accept(lfd, NULL, NULL);
		if (cfd < 0)
			continue;
		last = http_now_ms();
		int fl = fcntl(cfd, F_GETFL);
		if (fl < 0 || fcntl(cfd, F_SETFL, fl | O_NONBLOCK) != 0) {
			close(cfd);
			continue;
		}
		conn c = {cfd, o, http_now_ms() + SERVE_CONN_LIMIT * 1000};
		if (children >= o->max_clients) {
			c.end = http_now_ms() + 100;
			respond(&c, 503, "busy\n", 0, false);
			close(cfd);
			continue;
		}
		pid_t pid = fork();
		if (pid == 0) {
			close(lfd);
			signal(SIGINT, SIG_DFL);
			signal(SIGTERM, SIG_DFL);
			alarm(SERVE_CONN_LIMIT + 5); /* a last resort against a stuck connection */
			handle(&c);
			close(cfd);
			fflush(stderr);
			_exit(0);
		}
		if (pid < 0)
			respond(&c, 503, "cannot fork\n", 0, false);
		else
			children++;
		close(cfd);
	}
	close(lfd);
	while (children > 0 && waitpid(-1, NULL, 0) > 0)
		children--;
	return 0;
}
