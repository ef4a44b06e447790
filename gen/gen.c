/* gen.c - burn gen: writes DIR/build.ninja for a project's sweep.
 *
 * The manifest grows one round at a time. It always holds the author edge of the first round
 * whose candidate list does not exist yet, and build.ninja itself depends on that list; so
 * Ninja, which brings build.ninja up to date before anything else, runs the earlier rounds'
 * evaluations and that author, regenerates the manifest with the new round's edges and
 * restarts, until every round is there. docs/GENERATOR.md describes the graph. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/cands.h"
#include "gen/cmds.h"
#include "gen/graph.h"
#include "gen/project.h"

const char usage_gen[] =
	"usage: burn gen PROJECT.yaml -o DIR [--launcher CMD] [--backend ninja|make]\n"
	"\n"
	"Writes DIR/build.ninja for PROJECT's sweep; then `ninja -C DIR` runs every round:\n"
	"the author of each round proposes candidates, each candidate is validated (hlsgen),\n"
	"simulated bit-accurately (csim), estimated (estimate) and scored (reward), and the\n"
	"results land in DIR/results.csv, DIR/results.json and DIR/best.yaml. Every evaluation\n"
	"is cached by the content hash of its inputs ($BURN_CACHE, default ~/.cache/burn).\n"
	"\n"
	"  -o DIR          the build folder (created)\n"
	"  --launcher CMD  prefix for heavy steps, e.g. 'srun -N1 -n1' (overrides the project's\n"
	"                  run.launcher and configure's --launcher)\n"
	"  --subninja      write paths relative to the current folder, for a build.ninja here\n"
	"                  that includes DIR/build.ninja with subninja (docs/GENERATOR.md)\n"
	"  --backend make  write DIR/burn.mk (the same graph as GNU Make rules, includable from\n"
	"                  another Makefile with BURN_DIR set) and DIR/Makefile; run: make -C DIR\n";

/* The absolute path of the running burn binary. */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		die(EXIT_INTERNAL, "cannot find the burn binary: %s", strerror(errno));
	buf[n] = '\0';
	return xstrdup(buf);
}

static char *abs_path(const char *p)
{
	char buf[PATH_MAX];
	if (!realpath(p, buf))
		die(EXIT_BADINPUT, "%s: %s", p, strerror(errno));
	return xstrdup(buf);
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

typedef struct {
	char **ids;
	int n, cap;
} idset;

static bool idset_add(idset *s, const char *id)
{
	for (int i = 0; i < s->n; i++)
		if (strcmp(s->ids[i], id) == 0)
			return false;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 64;
		s->ids = xreallocarray(s->ids, (size_t)s->cap, sizeof *s->ids);
	}
	s->ids[s->n++] = xstrdup(id);
	return true;
}

static void idset_free(idset *s)
{
	for (int i = 0; i < s->n; i++)
		free(s->ids[i]);
	free(s->ids);
}

/* The evaluation edges of one candidate: validate, simulate, estimate, score. */
static void candidate_edges(graph *g, const char *P, const char *id, long round)
{
	gedge *e = graph_edge(g, "hlsgen");
	sl_addf(&e->outs, "%sc/%s/config.yaml", P, id);
	sl_addf(&e->ins, "%srounds/%ld/candidates.json", P, round);
	sl_addf(&e->deps, "%sfacets/hlsgen.yaml", P);
	edge_var(e, "id", "%s", id);
	edge_var(e, "dir", "%sc/%s", P, id);
	e = graph_edge(g, "csim");
	sl_addf(&e->outs, "%sc/%s/csim.json", P, id);
	sl_addf(&e->ins, "%sfacets/csim.yaml", P);
	sl_addf(&e->ins, "%sc/%s/config.yaml", P, id);
	e = graph_edge(g, "estimate");
	sl_addf(&e->outs, "%sc/%s/estimate.json", P, id);
	sl_addf(&e->ins, "%sfacets/estimate.yaml", P);
	sl_addf(&e->ins, "%sc/%s/config.yaml", P, id);
	e = graph_edge(g, "reward");
	sl_addf(&e->outs, "%sc/%s/reward.json", P, id);
	sl_addf(&e->ins, "%sc/%s/csim.json", P, id);
	sl_addf(&e->ins, "%sc/%s/estimate.json", P, id);
	sl_addf(&e->deps, "%sfacets/reward.yaml", P);
	edge_var(e, "csim", "%sc/%s/csim.json", P, id);
	edge_var(e, "estimate", "%sc/%s/estimate.json", P, id);
}

/* The hardware edges of a promoted candidate: RTL, co-simulation, synthesis, and the
 * reward that uses them. */
static void hardware_edges(graph *g, const char *P, const project *p, const char *id)
{
	gedge *e = graph_edge(g, "rtlgen");
	sl_addf(&e->outs, "%sc/%s/rtl/rtl.json", P, id);
	sl_addf(&e->ins, "%sfacets/csim.yaml", P);
	sl_addf(&e->ins, "%sc/%s/config.yaml", P, id);
	edge_var(e, "dir", "%sc/%s/rtl", P, id);
	if (p->hw.rtlsim) {
		e = graph_edge(g, "rtlsim");
		sl_addf(&e->outs, "%sc/%s/rtlsim.json", P, id);
		sl_addf(&e->ins, "%sfacets/csim.yaml", P);
		sl_addf(&e->ins, "%sc/%s/config.yaml", P, id);
		sl_addf(&e->deps, "%sc/%s/rtl/rtl.json", P, id);
		edge_var(e, "dir", "%sc/%s/rtl", P, id);
	}
	if (p->hw.synth) {
		e = graph_edge(g, "synth");
		sl_addf(&e->outs, "%sc/%s/synth.json", P, id);
		sl_addf(&e->ins, "%sfacets/estimate.yaml", P);
		sl_addf(&e->deps, "%sc/%s/rtl/rtl.json", P, id);
		edge_var(e, "dir", "%sc/%s/rtl", P, id);
		edge_var(e, "timeout", "%g", p->hw.synth_timeout_s);
	}
	e = graph_edge(g, "hw_reward");
	sl_addf(&e->outs, "%sc/%s/hw_reward.json", P, id);
	sl_addf(&e->ins, "%sc/%s/csim.json", P, id);
	sl_addf(&e->ins, "%sc/%s/estimate.json", P, id);
	sl_addf(&e->deps, "%sfacets/reward.yaml", P);
	edge_var(e, "csim", "%sc/%s/csim.json", P, id);
	edge_var(e, "estimate", "%sc/%s/estimate.json", P, id);
	strbuf hw = {0};
	if (p->hw.rtlsim) {
		sl_addf(&e->deps, "%sc/%s/rtlsim.json", P, id);
		sb_printf(&hw, "--rtlsim c/%s/rtlsim.json ", id);
	}
	if (p->hw.synth) {
		sl_addf(&e->deps, "%sc/%s/synth.json", P, id);
		sb_printf(&hw, "--synth c/%s/synth.json ", id);
	}
	edge_var(e, "hw", "%s", hw.s ? hw.s : "");
	sb_free(&hw);
}

int cmd_gen(int argc, char **argv)
{
	const char *proj = NULL, *dir = NULL, *launcher = NULL, *cli_launcher = NULL;
	bool regen = false, make = false, subninja = false;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--backend") == 0 && i + 1 < argc) {
			const char *be = argv[++i];
			if (strcmp(be, "make") != 0 && strcmp(be, "ninja") != 0)
				die(EXIT_BADINPUT, "gen: unknown backend '%s' (ninja or make)", be);
			make = strcmp(be, "make") == 0;
			continue;
		}
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(argv[i], "--launcher") == 0 && i + 1 < argc)
			launcher = cli_launcher = argv[++i];
		else if (strcmp(argv[i], "--regen") == 0)
			regen = true;
		else if (strcmp(argv[i], "--subninja") == 0)
			subninja = true;
		else if (argv[i][0] == '-' || proj) {
			fprintf(stderr, "burn gen: unexpected argument '%s'\n%s", argv[i], usage_gen);
			return EXIT_BADINPUT;
		} else
			proj = argv[i];
	}
	if (!proj || !dir) {
		fputs(usage_gen, stderr);
		return EXIT_BADINPUT;
	}
	berr e;
	project p;
	if (project_load(proj, false, &p, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (project_require(&p, HAS_BLOCK | HAS_CALIB | HAS_PART | HAS_CLOCK | HAS_EPS | HAS_SEARCH, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (mkdirs(dir, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);

	char *burn = self_path();
	char *projabs = abs_path(proj);
	char *rules = xstrdup(BURN_DATADIR "/rules/burn.ninja");
	if (!launcher)
		launcher = p.run.launcher ? p.run.launcher : BURN_LAUNCHER;
	if (strchr(launcher, '\n'))
		die(EXIT_BADINPUT, "the launcher must be one line");
	bool hw = (p.hw.top_k > 0 || p.hw.all) && (p.hw.rtlsim || p.hw.synth);
	if (subninja && (make || dir[0] == '/'))
		die(EXIT_BADINPUT, "gen: --subninja needs a Ninja manifest in a folder given relative "
				   "to the one the including build.ninja is in");
	/* Paths in the manifest: relative to DIR, or with --subninja to where ninja runs. */
	char *P = subninja ? xmalloc(strlen(dir) + 2) : xstrdup("");
	if (subninja)
		sprintf(P, "%s/", dir);

	graph g = {0};
	graph_var(&g, "burn", burn);
	graph_var(&g, "project", projabs);
	graph_var(&g, "b", subninja ? dir : ".");
	graph_var(&g, "launcher", launcher);
	/* A launcher given on the command line must survive regeneration: single-quoted. */
	strbuf flags = {0};
	if (subninja)
		sb_puts(&flags, "--subninja ");
	if (cli_launcher) {
		sb_puts(&flags, "--launcher '");
		for (const char *s = cli_launcher; *s; s++)
			sb_puts(&flags, *s == '\'' ? "'\\''" : (char[2]){*s, 0});
		sb_puts(&flags, "'");
	}
	graph_var(&g, "regen_flags", flags.s ? flags.s : "");
	sb_free(&flags);
	graph_pool(&g, "csim", p.run.csim_jobs);
	graph_pool(&g, "synth", p.hw.synth_jobs > 0 ? p.hw.synth_jobs : 1);
	g.include = xstrdup(rules);

	/* The project's own inputs: the file, the data it loads, the part file. */
	strlist deps = {0};
	sl_addf(&deps, "%s", projabs);
	for (int i = 0; i < p.n_inputs; i++) {
		char *a = abs_path(p.inputs[i]);
		sl_addf(&deps, "%s", a);
		free(a);
	}
	gedge *fe = graph_edge(&g, "facet");
	const char *facets[] = {"csim", "estimate", "hlsgen", "reward", "author"};
	for (size_t i = 0; i < sizeof facets / sizeof facets[0]; i++)
		sl_addf(&fe->outs, "%sfacets/%s.yaml", P, facets[i]);
	for (int i = 0; i < deps.n; i++)
		sl_addf(&fe->deps, "%s", deps.v[i]);
	sl_addf(&fe->deps, "%s", burn);

	/* Rounds, as far as their candidate lists (and promotion lists) exist. The regenerate
	 * edge depends on every list, so a missing one is built before anything else. */
	strlist regen_deps = {0}, results = {0};
	idset seen = {0}, promoted = {0};
	long r;
	bool complete = true;
	/* The LM strategies: the base model is a cached step of every sweep (keyed by its
	 * recipe); lm-ttt trains adapters on rounds 0..r-1 before round r's author. */
	bool lm = p.search.strategy == STRAT_LM || p.search.strategy == STRAT_LM_TTT;
	bool ttt = p.search.strategy == STRAT_LM_TTT;
	/* A relative command path (with a '/') is relative to the project file's folder: the
	 * author resolves it there at run time, so the facet and the cache key stay path-free. */
	char *command_dir = NULL;
	char **cmd = p.search.command;
	if (p.search.strategy == STRAT_COMMAND && cmd && cmd[0][0] != '/' && strchr(cmd[0], '/')) {
		char *d = dir_of(projabs);
		if (strchr(d, '\'') || strchr(d, '\n'))
			die(EXIT_BADINPUT, "%s: the project's folder name holds a quote or newline", proj);
		command_dir = d;
	}
	if (lm) {
		gedge *pe = graph_edge(&g, "author_pretrain");
		sl_addf(&pe->outs, "%slm/base.lmw", P);
		edge_var(pe, "recipe", "%s", lm_recipe_name(p.search.lm_recipe));
	}
	for (r = 0; r < p.search.rounds && complete; r++) {
		char lpath[PATH_MAX];
		if (ttt && r > 0) {
			gedge *t = graph_edge(&g, "author_train");
			sl_addf(&t->outs, "%srounds/%ld/adapter.lora", P, r);
			sl_addf(&t->ins, "%sfacets/author.yaml", P);
			for (int i = 0; i < results.n; i++)
				sl_addf(&t->ins, "%s", results.v[i]);
			sl_addf(&t->deps, "%slm/base.lmw", P);
			edge_var(t, "round", "%ld", r);
			edge_var(t, "base", "%slm/base.lmw", P);
		}
		gedge *a = graph_edge(&g, "author");
		sl_addf(&a->outs, "%srounds/%ld/candidates.json", P, r);
		sl_addf(&a->ins, "%sfacets/author.yaml", P);
		for (int i = 0; i < results.n; i++)
			sl_addf(&a->ins, "%s", results.v[i]);
		edge_var(a, "round", "%ld", r);
		if (lm) {
			sl_addf(&a->deps, "%slm/base.lmw", P);
			if (ttt && r > 0)
				sl_addf(&a->deps, "%srounds/%ld/adapter.lora", P, r);
			if (ttt && r > 0)
				edge_var(a, "author_flags", "--lm-base %slm/base.lmw --lm-adapter "
					 "%srounds/%ld/adapter.lora", P, P, r);
			else
				edge_var(a, "author_flags", "--lm-base %slm/base.lmw", P);
		} else if (command_dir)
			edge_var(a, "author_flags", "--command-dir '%s'", command_dir);
		else
			edge_var(a, "author_flags", "%s", "");
		sl_addf(&regen_deps, "%srounds/%ld/candidates.json", P, r);
		snprintf(lpath, sizeof lpath, "%s/rounds/%ld/candidates.json", dir, r);
		if (!exists(lpath)) {
			complete = false;
			break;
		}
		cand_list cl;
		if (cands_read(lpath, &cl, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
		for (int i = 0; i < cl.n; i++)
			if (idset_add(&seen, cl.c[i].id))
				candidate_edges(&g, P, cl.c[i].id, r);
		gedge *c = graph_edge(&g, "collect");
		sl_addf(&c->outs, "%srounds/%ld/%s", P, r, hw ? "estimates.json" : "results.json");
		for (int i = 0; i < cl.n; i++)
			sl_addf(&c->ins, "%sc/%s/reward.json", P, cl.c[i].id);
		sl_addf(&c->deps, "%srounds/%ld/candidates.json", P, r);
		edge_var(c, "round", "%ld", r);
		edge_var(c, "promoted", "%s", "");
		if (hw) {
			gedge *pr = graph_edge(&g, "promote");
			sl_addf(&pr->outs, "%srounds/%ld/promoted.json", P, r);
			sl_addf(&pr->ins, "%srounds/%ld/estimates.json", P, r);
			for (int i = 0; i < results.n; i++)
				sl_addf(&pr->ins, "%s", results.v[i]);
			edge_var(pr, "round", "%ld", r);
			if (p.hw.all)
				edge_var(pr, "k", "all");
			else
				edge_var(pr, "k", "%ld", p.hw.top_k);
			sl_addf(&regen_deps, "%srounds/%ld/promoted.json", P, r);
			snprintf(lpath, sizeof lpath, "%s/rounds/%ld/promoted.json", dir, r);
			cand_list pl;
			if (!exists(lpath)) {
				complete = false;
				cands_free(&cl);
				break;
			}
			if (cands_read(lpath, &pl, &e) != 0)
				die(EXIT_INTERNAL, "%s", e.msg);
			for (int i = 0; i < pl.n; i++)
				if (idset_add(&promoted, pl.c[i].id))
					hardware_edges(&g, P, &p, pl.c[i].id);
			gedge *fc = graph_edge(&g, "collect");
			sl_addf(&fc->outs, "%srounds/%ld/results.json", P, r);
			for (int i = 0; i < cl.n; i++)
				sl_addf(&fc->ins, "%sc/%s/%s.json", P, cl.c[i].id,
					cands_find(&pl, cl.c[i].id) >= 0 ? "hw_reward" : "reward");
			sl_addf(&fc->deps, "%srounds/%ld/candidates.json", P, r);
			sl_addf(&fc->deps, "%srounds/%ld/promoted.json", P, r);
			edge_var(fc, "round", "%ld", r);
			edge_var(fc, "promoted", "--promoted %srounds/%ld/promoted.json", P, r);
			cands_free(&pl);
		}
		cands_free(&cl);
		sl_addf(&results, "%srounds/%ld/results.json", P, r);
	}
	gedge *all;
	if (complete) {
		gedge *rep = graph_edge(&g, "report");
		sl_addf(&rep->outs, "%sresults.csv", P);
		sl_addf(&rep->outs, "%sresults.json", P);
		sl_addf(&rep->outs, "%sbest.yaml", P);
		for (int i = 0; i < results.n; i++)
			sl_addf(&rep->ins, "%s", results.v[i]);
		sl_addf(&rep->deps, "%sfacets/hlsgen.yaml", P);
		all = graph_edge(&g, "phony");
		sl_addf(&all->ins, "%sresults.csv", P);
	} else {
		all = graph_edge(&g, "phony");
		sl_addf(&all->ins, "%sfacets/author.yaml", P);
		for (int i = 0; i < results.n; i++)
			sl_addf(&all->ins, "%s", results.v[i]);
	}
	sl_addf(&all->outs, "%sall", P);
	if (!subninja)
		sl_addf(&g.defaults, "all");
	gedge *rg = graph_edge(&g, "regen");
	sl_addf(&rg->outs, "%sbuild.ninja", P);
	for (int i = 0; i < deps.n; i++)
		sl_addf(&rg->deps, "%s", deps.v[i]);
	sl_addf(&rg->deps, "%s", burn);
	sl_addf(&rg->deps, "%s", rules);
	for (int i = 0; i < regen_deps.n; i++)
		sl_addf(&rg->deps, "%s", regen_deps.v[i]);

	strbuf b = {0};
	char *out;
	if (make) {
		char *text;
		if (read_file(rules, 1 << 20, &text, NULL, &e) != 0 ||
		    graph_write_make(&g, rules, text, &b, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
		free(text);
		out = path_join(dir, "burn.mk");
		if (write_file_atomic(out, b.s, b.len, false, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
		char *mf = path_join(dir, "Makefile");
		static const char top[] = "# generated by burn gen --backend make\n"
					  "BURN_DIR = .\ninclude burn.mk\n.DEFAULT_GOAL := burn-all\n";
		if (write_file_atomic(mf, top, sizeof top - 1, true, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
		free(mf);
	} else {
		graph_write_ninja(&g, &b);
		out = path_join(dir, "build.ninja");
		if (write_file_atomic(out, b.s, b.len, false, &e) != 0)
			die(EXIT_INTERNAL, "%s", e.msg);
	}
	if (!regen)
		printf("wrote %s (%ld of %ld rounds known); run: %s -C %s\n", out, r, p.search.rounds,
		       make ? "make" : "ninja", dir);
	free(out);
	idset_free(&seen);
	idset_free(&promoted);
	sb_free(&b);
	sl_free(&deps);
	sl_free(&regen_deps);
	sl_free(&results);
	graph_free(&g);
	free(burn);
	free(projabs);
	free(command_dir);
	free(rules);
	free(P);
	project_free(&p);
	return 0;
}
