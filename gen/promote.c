/* promote.c - burn promote: picks the round's candidates that get hardware feedback (RTL,
 * co-simulation, synthesis): the top k by estimated reward among the valid ones not promoted
 * in an earlier round, or every valid one with --top-k all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/records.h"

const char usage_promote[] =
	"usage: burn promote --round R --top-k K|all -o PROMOTED.json ESTIMATES.json [RESULTS.json ...]\n"
	"\n"
	"Writes the list of round R's candidates promoted to RTL co-simulation and synthesis: the\n"
	"K best by estimated reward (ties: the earlier in the round's list) among those that\n"
	"built and are not already promoted in an earlier round (RESULTS.json of earlier rounds).\n";

static const history *sort_h;

/* Higher reward first; equal rewards keep the list order. */
static int by_reward(const void *a, const void *b)
{
	int i = *(const int *)a, j = *(const int *)b;
	double ri = sort_h->r[i].reward, rj = sort_h->r[j].reward;
	if (ri != rj)
		return ri > rj ? -1 : 1;
	return i - j;
}

int cmd_promote(int argc, char **argv)
{
	const char *out = NULL, *est = NULL, *k_arg = NULL;
	long round = -1;
	history earlier = {0}, h = {0};
	berr e;
	const char **rest = xcalloc((size_t)argc, sizeof *rest);
	int nrest = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--top-k") == 0 && i + 1 < argc)
			k_arg = argv[++i];
		else if (strcmp(argv[i], "--round") == 0 && i + 1 < argc) {
			if (parse_long(argv[++i], &round) != 0 || round < 0)
				die(EXIT_BADINPUT, "promote: bad round '%s'", argv[i]);
		} else if (argv[i][0] == '-')
			die(EXIT_BADINPUT, "promote: unknown option '%s'", argv[i]);
		else if (!est)
			est = argv[i];
		else
			rest[nrest++] = argv[i];
	}
	long k = 0;
	bool all = k_arg && strcmp(k_arg, "all") == 0;
	if (!out || !est || !k_arg || round < 0 || (!all && (parse_long(k_arg, &k) != 0 || k < 0))) {
		fputs(usage_promote, stderr);
		free(rest);
		return EXIT_BADINPUT;
	}
	if (history_read(est, &h, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	for (int i = 0; i < nrest; i++)
		if (history_read(rest[i], &earlier, &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	int *idx = xcalloc((size_t)h.n + 1, sizeof *idx);
	int n = 0;
	for (int i = 0; i < h.n; i++) {
		const record *r = &h.r[i];
		bool done_before = false;
		for (int j = 0; j < earlier.n && !done_before; j++)
			done_before = strcmp(earlier.r[j].id, r->id) == 0 && earlier.r[j].fidelity &&
				      strcmp(earlier.r[j].fidelity, "estimate") != 0;
		bool dup = false;
		for (int j = 0; j < n && !dup; j++)
			dup = strcmp(h.r[idx[j]].id, r->id) == 0;
		if (r->valid && r->tier != TIER_FAILED && !done_before && !dup)
			idx[n++] = i;
	}
	sort_h = &h;
	qsort(idx, (size_t)n, sizeof *idx, by_reward);
	if (!all && n > k)
		n = (int)k;
	cand_list pl = {.round = round, .strategy = xstrdup("promote")};
	pl.c = xcalloc((size_t)n + 1, sizeof *pl.c);
	for (int i = 0; i < n; i++) {
		const record *r = &h.r[idx[i]];
		candidate *c = &pl.c[pl.n++];
		memcpy(c->id, r->id, sizeof c->id);
		c->valid = true;
		c->origin = xstrdup(r->origin ? r->origin : "");
		c->config = xstrdup(r->config);
	}
	strbuf b = {0};
	cands_write(&pl, &b);
	if (write_file_atomic(out, b.s, b.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	sb_free(&b);
	cands_free(&pl);
	free(idx);
	free(rest);
	history_free(&h);
	history_free(&earlier);
	return 0;
}
