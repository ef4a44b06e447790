/* author.h - config authors: the strategies that propose each round's candidates, and the
 * runner (burn author) that validates, deduplicates and writes them. A strategy offers
 * configs in its order of preference until the runner has accepted as many as it needs. */
#ifndef BURN_AUTHOR_H
#define BURN_AUTHOR_H

#include "gen/cands.h"
#include "gen/config.h"
#include "gen/project.h"
#include "gen/records.h"
#include "gen/rng.h"

typedef struct author_ctx author_ctx;
struct author_ctx {
	const project *p;      /* block shapes, part, clock, eps_max, reward and search settings */
	const history *h;      /* every earlier round's records */
	long round;
	long want;             /* how many new candidates this round */
	rng rng;               /* seeded from (search.seed, round) */
	cand_list out;         /* accepted so far (the runner owns it) */
	long offers;           /* offers made (accepted or not) */
};

/* Offers a config; it is accepted when no earlier round or earlier offer has the same
 * canonical config. Returns true if accepted. origin is a short note ("heuristic: ..."). */
bool author_offer(author_ctx *ctx, const config *c, const char *origin);

/* Offers raw config text (from an external author); it is validated here, and an invalid
 * one is accepted as a failed candidate whose error the next round sees. */
bool author_offer_text(author_ctx *ctx, const char *text, size_t len, const char *origin);

/* Tops the round up with random configs (at most 100 x want tries), as the runner does after
 * every strategy. */
void author_top_up(author_ctx *ctx);

/* True once the round has all the candidates it wants. */
static inline bool author_full(const author_ctx *ctx) { return ctx->out.n >= ctx->want; }

/* The strategies. Each offers until author_full() or it has nothing more to offer. */
void author_heuristic(author_ctx *ctx);
void author_random(author_ctx *ctx);

/* Candidates the rf strategy scores per round when the project does not say. */
enum { AUTHOR_RF_POOL = 2000 };

/* The rf strategy: a random forest learns log2(max_err) from the results so far; the best
 * of a pool of `pool` candidates (the heuristic's moves, mutations and crossovers of the best
 * records, random configs) by expected improvement of the reward are offered. Round 0 and
 * rounds without two built records: the default, then random configs. pool <= 0:
 * AUTHOR_RF_POOL. */
void author_rf(author_ctx *ctx, long pool);

/* A random config of the block, seeded from ctx->rng (used by random, and as a fallback). */
void author_random_config(author_ctx *ctx, config *c);

/* The candidate id of a config text: xxh3-128 hex of the bytes (canonical text for valid ones). */
void cand_id_of(const char *text, size_t len, bool valid, char out[CAND_ID_LEN + 1]);

#endif
