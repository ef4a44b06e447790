/* collect.c - burn collect: gathers one round's records (candidate, tier, reward, errors,
 * resources) from each candidate's reward.json into rounds/R/results.json. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/cmds.h"
#include "gen/records.h"

const char usage_collect[] =
	"usage: burn collect CANDIDATES.json -o RESULTS.json [--promoted PROMOTED.json] [--cdir DIR]\n"
	"\n"
	"Writes the round's records, in the order of its candidate list, from DIR/ID/reward.json\n"
	"of each candidate (DIR defaults to c), or DIR/ID/hw_reward.json for the candidates in\n"
	"PROMOTED.json (those with RTL co-simulation and synthesis results).\n";

int cmd_collect(int argc, char **argv)
{
	const char *list = NULL, *out = NULL, *cdir = "c", *promoted = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			out = argv[++i];
		else if (strcmp(argv[i], "--cdir") == 0 && i + 1 < argc)
			cdir = argv[++i];
		else if (strcmp(argv[i], "--promoted") == 0 && i + 1 < argc)
			promoted = argv[++i];
		else if (argv[i][0] == '-' || list)
			die(EXIT_BADINPUT, "collect: unexpected argument '%s'", argv[i]);
		else
			list = argv[i];
	}
	if (!list || !out) {
		fputs(usage_collect, stderr);
		return EXIT_BADINPUT;
	}
	berr e;
	cand_list cl, pl = {0};
	if (cands_read(list, &cl, &e) != 0 || (promoted && cands_read(promoted, &pl, &e) != 0))
		die(EXIT_BADINPUT, "%s", e.msg);
	history h = {.n = 0, .cap = cl.n, .r = xcalloc((size_t)cl.n + 1, sizeof(record))};
	for (int i = 0; i < cl.n; i++) {
		strbuf path = {0};
		bool hw = cands_find(&pl, cl.c[i].id) >= 0;
		sb_printf(&path, "%s/%s/%s.json", cdir, cl.c[i].id, hw ? "hw_reward" : "reward");
		if (access(path.s, F_OK) != 0) {
			/* Listed by an author that re-ran in this build, before the manifest had the
			 * candidate's edges: recorded as pending; the regenerated manifest evaluates it
			 * and collects the round again (docs/GENERATOR.md). */
			record_pending(&h.r[h.n], &cl.c[i], cl.round);
		} else if (record_from_reward(&h.r[h.n], &cl.c[i], cl.round, path.s, &e) != 0) {
			die(EXIT_INTERNAL, "%s", e.msg);
		}
		h.n++;
		sb_free(&path);
	}
	strbuf b = {0};
	history_write(&h, cl.round, &b);
	if (write_file_atomic(out, b.s, b.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	sb_free(&b);
	history_free(&h);
	cands_free(&cl);
	cands_free(&pl);
	return 0;
}
