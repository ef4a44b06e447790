/* fuzz_command.c - the reader of an external author's output (author/command.c
 * author_offer_output: a JSON array of configs or YAML documents) on arbitrary bytes, for
 * round 1 of the toy project. Every accepted candidate must have a safe id, and no more
 * than the round asked for may be accepted. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "author/command.h"
#include "tests/fuzz/fuzz.h"

static project proj;
static int loaded;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!loaded) {
		berr e;
		if (project_load(BURN_DATADIR "/projects/toy-ffn-z2.yaml", false, &proj, &e) != 0) {
			fprintf(stderr, "fuzz_command: %s\n", e.msg);
			abort();
		}
		loaded = 1;
	}
	history h = {0};
	author_ctx ctx = {.p = &proj, .h = &h, .round = 1, .want = 8};
	rng_seed(&ctx.rng, 1, 1);
	ctx.out.round = 1;
	ctx.out.strategy = xstrdup("command");
	author_cmd_stats st;
	memset(&st, 0, sizeof st);
	author_offer_output(&ctx, (const char *)data, size, "fuzz", &st);
	FUZZ_ASSERT(ctx.out.n <= ctx.want);
	FUZZ_ASSERT(st.accepted == ctx.out.n);
	for (int i = 0; i < ctx.out.n; i++) {
		FUZZ_ASSERT(cand_id_ok(ctx.out.c[i].id));
		FUZZ_ASSERT(ctx.out.c[i].valid == (ctx.out.c[i].error == NULL));
	}
	cands_free(&ctx.out);
	return 0;
}
