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
	"                  another Makefile with BURN_DIR set) and DIR/Makefile; run: make -C DIR\n"
	"  --vendor-tools LIST  the vendor tools to assume present (none, or vitis_hls and/or\n"
	"                  vivado, comma-separated) instead of looking on PATH; the manifest's\n"
	"                  own regeneration passes what the first burn gen found (docs/HLS.md)\n";

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

/* The vendor tools burn gen uses (hardware.vendor resolved against PATH). */
typedef struct {
	bool hls, vivado;
} vendor_use;

/* The hardware edges of a promoted candidate: RTL, co-simulation, Yosys synthesis, the
 * vendor flow (HLS project, Vitis HLS, Vivado), and the reward that uses them. */
static void hardware_edges(graph *g, const char *P, const project *p, const vendor_use *v,
			   const char *id)
{
	gedge *e;
	if (p->hw.rtlsim || p->hw.synth) {
		e = graph_edge(g, "rtlgen");
		sl_addf(&e->outs, "%sc/%s/rtl/rtl.json", P, id);
		sl_addf(&e->ins, "%sfacets/csim.yaml", P);
		sl_addf(&e->ins, "%sc/%s/config.yaml", P, id);
		edge_var(e, "dir", "%sc/%s/rtl", P, id);
	}
	if (v->hls) {
		e = graph_edge(g, "hlsproj");
		sl_addf(&e->outs, "%sc/%s/hls/hlsproj.json", P, id);
		sl_addf(&e->ins, "%sfacets/hls.yaml", P);
		sl_addf(&e->ins, "%sc/%s/config.yaml", P, id);
		edge_var(e, "dir", "%sc/%s/hls", P, id);
		e = graph_edge(g, "hls");
		sl_addf(&e->outs, "%sc/%s/hls.json", P, id);
		sl_addf(&e->ins, "%sc/%s/hls/hlsproj.json", P, id);
		edge_var(e, "dir", "%sc/%s/hls", P, id);
		edge_var(e, "timeout", "%g", p->hw.vendor_timeout_s);
		/* vivado reads the RTL vitis_hls exports, which the cache does not hold */
		edge_var(e, "hls_flags", "%s", v->vivado ? "--rtl" : "");
	}
	if (v->vivado) {
		e = graph_edge(g, "vivado");
		sl_addf(&e->outs, "%sc/%s/vivado.json", P, id);
		sl_addf(&e->ins, "%sc/%s/hls.json", P, id);
		/* its script comes from hlsproj; a changed one must run it even on an hls cache hit */
		sl_addf(&e->deps, "%sc/%s/hls/hlsproj.json", P, id);
		edge_var(e, "dir", "%sc/%s/hls", P, id);
		edge_var(e, "timeout", "%g", p->hw.vendor_timeout_s);
	}
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
	const struct {
		bool on;
		const char *step;
	} steps[] = {{p->hw.rtlsim, "rtlsim"}, {p->hw.synth, "synth"}, {v->hls, "hls"}, {v->vivado, "vivado"}};
	for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
		if (!steps[i].on)
			continue;
		sl_addf(&e->deps, "%sc/%s/%s.json", P, id, steps[i].step);
		sb_printf(&hw, "--%s %sc/%s/%s.json ", steps[i].step, P, id, steps[i].step);
	}
	edge_var(e, "hw", "%s", hw.s ? hw.s : "");
	sb_free(&hw);
}

/* True if PATH has an executable file named tool (what configure's `command -v` finds). */
static bool on_path(const char *tool)
{
	const char *path = getenv("PATH");
	if (!path)
		return false;
	char *copy = xstrdup(path), *save = NULL;
	bool found = false;
	for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
		char *f = path_join(d, tool);
		struct stat st;
		found = stat(f, &st) == 0 && S_ISREG(st.st_mode) && access(f, X_OK) == 0;
		free(f);
	}
	free(copy);
	return found;
}

/* Parses --vendor-tools: "none" or a comma-separated list of vitis_hls and vivado. */
static int parse_vendor_tools(const char *s, bool *hls, bool *vivado)
{
	*hls = *vivado = false;
	if (strcmp(s, "none") == 0)
		return 0;
	char *copy = xstrdup(s), *save = NULL;
	int rc = 0;
	for (char *t = strtok_r(copy, ",", &save); t && rc == 0; t = strtok_r(NULL, ",", &save)) {
		if (strcmp(t, "vitis_hls") == 0)
			*hls = true;
		else if (strcmp(t, "vivado") == 0)
			*vivado = true;
		else
			rc = -1;
	}
	free(copy);
	return rc == 0 && (*hls || *vivado) ? 0 : -1;
}

/* Resolves hardware.vendor against the tools found (on PATH now, or as recorded by the burn gen
 * that wrote the manifest: --vendor-tools). vendor: on without them is an error naming the key. */
static vendor_use resolve_vendor(const project *p, bool have_hls, bool have_vivado, bool recorded)
{
	vendor_use v = {false, false};
	if (p->hw.vendor == VENDOR_AUTO) {
		v.hls = have_hls;
		v.vivado = have_hls && have_vivado; /* vivado synthesises what vitis_hls exports */
	} else if (p->hw.vendor == VENDOR_ON) {
		if (!have_hls || !have_vivado)
			die(EXIT_BADINPUT, "%s:%d:%d: key 'hardware.vendor': on, but %s%s%s %s not on PATH%s; "
			    "install Vitis HLS and Vivado and source their settings64.sh, then run burn gen "
			    "again, or set vendor: auto (docs/HLS.md)",
			    p->path, p->hw.vendor_line, p->hw.vendor_col, have_hls ? "" : "vitis_hls",
			    !have_hls && !have_vivado ? " and " : "", have_vivado ? "" : "vivado",
			    !have_hls && !have_vivado ? "are" : "is",
			    recorded ? " (when burn gen wrote this manifest)" : "");
		v.hls = v.vivado = true;
	}
	return v;
}

int cmd_gen(int argc, char **argv)
{
	const char *proj = NULL, *dir = NULL, *launcher = NULL, *cli_launcher = NULL, *tools = NULL;
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
		else if (strcmp(argv[i], "--vendor-tools") == 0 && i + 1 < argc)
			tools = argv[++i];
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
	/* The vendor tools: looked for on PATH by the burn gen a user runs, then recorded in the
	 * regenerate command, so every regeneration writes the same manifest whatever PATH
	 * ninja runs with. A user who installs them later runs burn gen again. */
	bool have_hls, have_vivado;
	if (tools) {
		if (parse_vendor_tools(tools, &have_hls, &have_vivado) != 0)
			die(EXIT_BADINPUT, "gen: --vendor-tools '%s': expected none, or vitis_hls and/or "
					   "vivado separated by commas", tools);
	} else {
		have_hls = on_path("vitis_hls");
		have_vivado = on_path("vivado");
	}
	vendor_use vendor = resolve_vendor(&p, have_hls, have_vivado, tools != NULL);
	bool hw = (p.hw.top_k > 0 || p.hw.all) && (p.hw.rtlsim || p.hw.synth || vendor.hls);
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
	sb_printf(&flags, "%s--vendor-tools %s%s%s", flags.len && flags.s[flags.len - 1] != ' ' ? " " : "",
		  have_hls ? "vitis_hls" : have_vivado ? "" : "none", have_hls && have_vivado ? "," : "",
		  have_vivado ? "vivado" : "");
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
	const char *facets[] = {"csim", "estimate", "hlsgen", "reward", "author", "hls"};
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
					hardware_edges(&g, P, &p, &vendor, pl.c[i].id);
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
