/* serve.h - `burn cache serve`: a small HTTP cache server speaking bazel-remote's REST API
 * (GET, HEAD and PUT on /ac/<64 hex> and /cas/<sha256>), for a team's shared remote cache and
 * for the tests. One process per connection, bounded heads and bodies, a time limit per
 * connection; content is checked against its digest on upload. */
#ifndef BURN_SERVE_H
#define BURN_SERVE_H

#include <stdbool.h>
#include <stdint.h>

/* Each connection's wait for the network, and the hard limit of one connection, in seconds. */
#define SERVE_IO_TIMEOUT 10
#define SERVE_CONN_LIMIT 120

typedef struct {
	const char *root;        /* storage: ROOT/ac/ab/<62 hex>, ROOT/cas/ab/<62 hex> */
	const char *bind;        /* address to listen on; "127.0.0.1" by default */
	int port;                /* 0: any free port */
	const char *port_file;   /* written (atomically) with the port once listening, or NULL */
	uint64_t max_blob;       /* largest body accepted by PUT */
	double idle_timeout;     /* exit after this many seconds without a request; 0: never */
	int max_clients;         /* connections served at once; more get 503 */
	bool verbose;            /* one line per request on stderr */
} serve_opts;

/* Serves until SIGINT/SIGTERM or the idle timeout; 0, or 1 with a message printed. */
int cache_serve(const serve_opts *o);

/* Splits a request path "[/INSTANCE]/ac|cas/<64 hex>" into kind ("ac" or "cas") and hex; -1
 * if it is not one. */
int serve_parse_path(const char *path, char kind[4], char hex[65]);

#endif
