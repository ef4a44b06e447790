/* hlsgen.c - burn hlsgen: takes one candidate out of a round's list, validates it against the
 * block and writes its folder: config.yaml (canonical) and hls4ml.yaml (for an hls4ml project).
 * An invalid candidate's raw text is written as config.yaml, so the evaluation steps record
 * the same error as a failed candidate and the sweep goes on. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/cands.h"
#include "gen/cmds.h"
#include "gen/config.h"

const char usage_hlsgen[] =
	"usage: burn hlsgen FACET CANDIDATES.json --id ID -o DIR\n"
	"\n"
	"Writes DIR/config.yaml (the candidate's canonical config) and DIR/hls4ml.yaml (the same\n"
	"in hls4ml's HLSConfig shape) for the candidate ID of a round's candidate list.\n";

int cmd_hlsgen(int argc, char **argv)
{
	const char *facet = NULL, *list = NULL, *id = NULL, *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--id") == 0 && i + 1 < argc)
			id = argv[++i];
		else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (argv[i][0] == '-')
			die(EXIT_BADINPUT, "hlsgen: unknown option '%s'", argv[i]);
		else if (!facet)
			facet = argv[i];
		else if (!list)
			list = argv[i];
		else
			die(EXIT_BADINPUT, "hlsgen: unexpected argument '%s'", argv[i]);
	}
	if (!facet || !list || !id || !dir) {
		fputs(usage_hlsgen, stderr);
		return EXIT_BADINPUT;
	}
	if (!cand_id_ok(id))
		die(EXIT_BADINPUT, "hlsgen: '%s' is not a candidate id", id);
	berr e;
	project p;
	cand_list cl;
	if (project_load(facet, false, &p, &e) != 0 || project_require(&p, HAS_BLOCK, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (cands_read(list, &cl, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	int k = cands_find(&cl, id);
	if (mkdirs(dir, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	char *cfg_path = path_join(dir, "config.yaml"), *hls_path = path_join(dir, "hls4ml.yaml");
	strbuf canon = {0}, hls = {0};
	config cfg;
	if (k < 0 && access(cfg_path, F_OK) == 0) {
		/* A stale edge: the round's author re-ran in this build and dropped the candidate,
		 * and the manifest is regenerated before the round is used (docs/GENERATOR.md).
		 * Its folder is left as it is, so nothing downstream re-runs. */
		goto done;
	} else if (k < 0) {
		sb_printf(&canon, "# stale: %s is no longer in %s\n", id, list);
		sb_puts(&hls, canon.s);
	} else if (config_parse(cfg_path, cl.c[k].config, strlen(cl.c[k].config), &p, &cfg, &e) == 0) {
		config_write_canonical(&cfg, &p, &canon);
		config_write_hls4ml(&cfg, &p, &hls);
		config_free(&cfg);
	} else {
		sb_puts(&canon, cl.c[k].config);
		sb_printf(&hls, "# invalid candidate: %s\n", e.msg);
	}
	if (write_file_atomic(cfg_path, canon.s, canon.len, true, &e) != 0 ||
	    write_file_atomic(hls_path, hls.s, hls.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
done:
	sb_free(&canon);
	sb_free(&hls);
	free(cfg_path);
	free(hls_path);
	cands_free(&cl);
	project_free(&p);
	return 0;
}
