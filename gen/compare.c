/* compare.c - burn compare: one build that runs a project's sweep once per (strategy, seed) on
 * the same budget and a dashboard of them all.
 *
 * Each sweep gets a copy of the project, DIR/STRATEGY-sSEED/project.yaml, that differs only in
 * `search` (its strategy and seed). The copy is the original's YAML tree written back with
 * libyaml's emitter (comments are lost, values are not), with every path made absolute (the
 * copy lives in another folder) and a part that only the original's folder holds written
 * inline. It is then loaded and checked against the original: the same files, the same part,
 * block, bounds and budget; a path key this file does not know about would show up there as a
 * different input, and stops it with a clear message instead of a wrong sweep.
 *
 * DIR/build.ninja runs each sweep with a nested `ninja -C DIR/SUB` (Ninja only regenerates
 * the top-level manifest, and each sweep regenerates its own many times), one at a time in
 * the console pool so its progress shows, then `burn dashboard` over all of them. The
 * manifest and the copies are regenerated when the project or a file it loads changes. */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "gen/cmds.h"
#include "gen/graph.h"
#include "gen/project.h"
#include "gen/ydoc.h"

const char usage_compare[] =
	"usage: burn compare --project P.yaml --strategies S1,S2,... --seeds N1,N2,... -o DIR\n"
	"                    [--title TITLE]\n"
	"\n"
	"Writes DIR/build.ninja, which runs P's sweep once per strategy and seed, every one with\n"
	"P's budget (search.rounds x search.per_round) and everything else of P unchanged, into\n"
	"DIR/STRATEGY-sSEED/, then writes DIR/report.html comparing them (burn dashboard).\n"
	"`ninja -C DIR` runs it all; a second run does nothing; editing P re-runs what it touches.\n"
	"\n"
	"  --project P.yaml   the project (its search section is replaced per sweep)\n"
	"  --strategies LIST  comma-separated search strategies, e.g. heuristic,random\n"
	"  --seeds LIST       comma-separated seeds (non-negative integers), e.g. 1,2,3\n"
	"  -o DIR             the build folder (created)\n"
	"  --title TITLE      the dashboard's title (default: the project and its strategies)\n";

enum { MAX_SWEEPS = 256 };

/* Keys of a project whose values are paths relative to the project's folder. */
static const char *const path_keys[] = {"block.onnx", "block.keras.json", "block.keras.h5",
					"weights.file", "calibration.file", "search.start"};

static bool is_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

static char *abs_or_die(const char *p)
{
	char buf[PATH_MAX];
	if (!realpath(p, buf))
		die(EXIT_BADINPUT, "%s: %s", p, strerror(errno));
	return xstrdup(buf);
}

/* The path of the running burn binary. */
static char *self_path(void)
{
	char buf[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
	if (n <= 0)
		die(EXIT_INTERNAL, "cannot find the burn binary: %s", strerror(errno));
	buf[n] = '\0';
	return xstrdup(buf);
}

/* Appends s as one single-quoted shell word. */
static void shq(strbuf *b, const char *s)
{
	sb_puts(b, "'");
	for (; *s; s++)
		sb_puts(b, *s == '\'' ? "'\\''" : (char[2]){*s, 0});
	sb_puts(b, "'");
}

/* Splits a comma-separated list into l (empty items are errors). */
static void split(const char *what, const char *s, strlist *l)
{
	const char *p = s;
	for (;;) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		if (n == 0)
			die(EXIT_BADINPUT, "compare: %s '%s' has an empty item", what, s);
		char *item = xstrndup(p, n);
		for (int i = 0; i < l->n; i++)
			if (strcmp(l->v[i], item) == 0)
				die(EXIT_BADINPUT, "compare: %s lists '%s' twice", what, item);
		sl_addf(l, "%s", item);
		free(item);
		if (!c)
			break;
		p = c + 1;
	}
}

/* ---- the project copy ---- */

typedef struct {
	yaml_emitter_t em;
	const char *srcdir;       /* the original's folder, absolute */
	const ynode *part_inline; /* the part file's tree, written instead of the part's name */
	const char *name;         /* the project's name */
	const char *strategy;
	long seed;
	char err[256];
} copier;

static int to_strbuf(void *data, unsigned char *buf, size_t n)
{
	sb_add(data, (const char *)buf, n);
	return 1;
}

static void emit(copier *c, yaml_event_t *ev, int ok)
{
	if (c->err[0])
		return;
	if (!ok || !yaml_emitter_emit(&c->em, ev))
		snprintf(c->err, sizeof c->err, "YAML emitter: %s",
			 c->em.problem ? c->em.problem : "cannot write the event");
}

static void scalar(copier *c, const char *s, bool quoted)
{
	yaml_event_t ev;
	int ok = yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)s, (int)strlen(s), 1, 1,
					      quoted ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
						     : YAML_ANY_SCALAR_STYLE);
	emit(c, &ev, ok);
}

static void map_start(copier *c, bool flow)
{
	yaml_event_t ev;
	int ok = yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1,
						     flow ? YAML_FLOW_MAPPING_STYLE : YAML_BLOCK_MAPPING_STYLE);
	emit(c, &ev, ok);
}

static void map_end(copier *c)
{
	yaml_event_t ev;
	emit(c, &ev, yaml_mapping_end_event_initialize(&ev));
}

static bool is_path_key(const char *ctx)
{
	for (size_t i = 0; i < sizeof path_keys / sizeof path_keys[0]; i++)
		if (strcmp(ctx, path_keys[i]) == 0)
			return true;
	return false;
}

/* A small mapping or sequence of scalars is written in flow style, as projects usually are. */
static bool flat(const ynode *n)
{
	if (n->n == 0 || n->n > 8)
		return false;
	for (size_t i = 0; i < n->n; i++)
		if (n->items[i]->kind != YN_SCALAR || strchr(n->items[i]->str, '\n'))
			return false;
	return true;
}

static void emit_node(copier *c, const ynode *n, const char *ctx)
{
	if (n->kind == YN_SCALAR) {
		if (is_path_key(ctx) && *n->str) {
			char *p = path_join(c->srcdir, n->str);
			char buf[PATH_MAX];
			scalar(c, realpath(p, buf) ? buf : p, n->quoted);
			free(p);
		} else {
			scalar(c, n->str, n->quoted);
		}
		return;
	}
	yaml_event_t ev;
	if (n->kind == YN_SEQ) {
		int ok = yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1,
							      flat(n) ? YAML_FLOW_SEQUENCE_STYLE
								      : YAML_BLOCK_SEQUENCE_STYLE);
		emit(c, &ev, ok);
		for (size_t i = 0; i < n->n; i++)
			emit_node(c, n->items[i], ctx);
		emit(c, &ev, yaml_sequence_end_event_initialize(&ev));
		return;
	}
	map_start(c, flat(n));
	for (size_t i = 0; i < n->n; i++) {
		strbuf k = {0};
		sb_printf(&k, "%s%s%s", ctx, *ctx ? "." : "", n->keys[i]->str);
		scalar(c, n->keys[i]->str, n->keys[i]->quoted);
		emit_node(c, n->items[i], k.s);
		sb_free(&k);
	}
	map_end(c);
}

/* search: the original's keys but strategy and seed, then this sweep's strategy and seed. */
static void emit_search(copier *c, const ynode *m)
{
	scalar(c, "search", false);
	map_start(c, true);
	for (size_t i = 0; m && m->kind == YN_MAP && i < m->n; i++) {
		const char *k = m->keys[i]->str;
		if (strcmp(k, "strategy") == 0 || strcmp(k, "seed") == 0)
			continue;
		strbuf ctx = {0};
		sb_printf(&ctx, "search.%s", k);
		scalar(c, k, m->keys[i]->quoted);
		emit_node(c, m->items[i], ctx.s);
		sb_free(&ctx);
	}
	char seed[32];
	snprintf(seed, sizeof seed, "%ld", c->seed);
	scalar(c, "strategy", false);
	scalar(c, c->strategy, false);
	scalar(c, "seed", false);
	scalar(c, seed, false);
	map_end(c);
}

/* Writes the copy of the project tree root into out. */
static int copy_project(copier *c, const ynode *root, strbuf *out, berr *e)
{
	yaml_event_t ev;
	c->err[0] = '\0';
	if (!yaml_emitter_initialize(&c->em))
		return errf(e, "compare: cannot start the YAML emitter");
	yaml_emitter_set_output(&c->em, to_strbuf, out);
	yaml_emitter_set_unicode(&c->em, 1);
	yaml_emitter_set_width(&c->em, -1);
	yaml_emitter_set_indent(&c->em, 2);
	emit(c, &ev, yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING));
	emit(c, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1));
	map_start(c, false);
	if (!ymap_get(root, "name")) {
		scalar(c, "name", false);
		scalar(c, c->name, false);
	}
	for (size_t i = 0; i < root->n; i++) {
		const char *k = root->keys[i]->str;
		const ynode *v = root->items[i];
		if (strcmp(k, "search") == 0) {
			emit_search(c, v);
			continue;
		}
		scalar(c, k, root->keys[i]->quoted);
		if (strcmp(k, "part") == 0 && v->kind == YN_SCALAR && c->part_inline)
			emit_node(c, c->part_inline, "part");
		else
			emit_node(c, v, k);
	}
	if (!ymap_get(root, "search"))
		emit_search(c, NULL);
	map_end(c);
	emit(c, &ev, yaml_document_end_event_initialize(&ev, 1));
	emit(c, &ev, yaml_stream_end_event_initialize(&ev));
	yaml_emitter_delete(&c->em);
	return c->err[0] ? errf(e, "compare: %s", c->err) : 0;
}

/* The realpath of every input of p (sorted, for comparing). */
static void real_inputs(const project *p, strlist *l)
{
	for (int i = 0; i < p->n_inputs; i++) {
		char buf[PATH_MAX];
		sl_addf(l, "%s", realpath(p->inputs[i], buf) ? buf : p->inputs[i]);
	}
}

static bool in_list(const strlist *l, const char *s)
{
	for (int i = 0; i < l->n; i++)
		if (strcmp(l->v[i], s) == 0)
			return true;
	return false;
}

static bool same_part(const part *a, const part *b)
{
	return strcmp(a->name, b->name) == 0 && strcmp(a->device, b->device) == 0 &&
	       strcmp(a->family, b->family) == 0 && a->lut == b->lut && a->ff == b->ff &&
	       a->dsp == b->dsp && a->bram18 == b->bram18 && a->uram == b->uram &&
	       a->lutram_bits == b->lutram_bits && a->dsp_a == b->dsp_a && a->dsp_b == b->dsp_b &&
	       strcmp(a->mem_kind, b->mem_kind) == 0 && a->mem_gbps == b->mem_gbps &&
	       a->mem_gib == b->mem_gib;
}

/* Checks the copy loads what the original loads, but for its search strategy and seed. */
static int check_copy(const project *o, const char *copy_path, const char *inlined_part, berr *e)
{
	project c;
	berr e2;
	if (project_load(copy_path, false, &c, &e2) != 0)
		return errf(e, "compare: the project copy does not load: %s", e2.msg);
	strlist oi = {0}, ci = {0};
	real_inputs(o, &oi);
	real_inputs(&c, &ci);
	int rc = 0;
	for (int i = 0; i < ci.n && rc == 0; i++)
		if (!in_list(&oi, ci.v[i]))
			rc = errf(e, "compare: %s loads %s, which %s does not (a path burn compare does "
				     "not know how to carry over?)", copy_path, ci.v[i], o->path);
	for (int i = 0; i < oi.n && rc == 0; i++)
		if (!in_list(&ci, oi.v[i]) && !(inlined_part && strcmp(oi.v[i], inlined_part) == 0))
			rc = errf(e, "compare: %s does not load %s as %s does (a path burn compare does "
				     "not know how to carry over?)", copy_path, oi.v[i], o->path);
	if (rc == 0 && (strcmp(c.name, o->name) != 0 || c.n_layers != o->n_layers ||
			c.clock_ns != o->clock_ns || c.eps_max != o->eps_max ||
			c.search.rounds != o->search.rounds || c.search.per_round != o->search.per_round ||
			memcmp(&c.reward, &o->reward, sizeof c.reward) != 0 || !same_part(&c.part, &o->part)))
		rc = errf(e, "compare: %s differs from %s beyond its search strategy and seed", copy_path,
			  o->path);
	sl_free(&oi);
	sl_free(&ci);
	project_free(&c);
	return rc;
}

/* The part file of the original's own parts folder, if the project names its part and that
 * folder holds it: the copy, in another folder, must carry it inline. */
static char *own_part_file(const ydoc *d, const char *srcdir)
{
	const ynode *v = ymap_get(d->root, "part");
	if (!v || v->kind != YN_SCALAR || !is_ident(v->str))
		return NULL;
	strbuf p = {0};
	sb_printf(&p, "%s/parts/%s.yaml", srcdir, v->str);
	if (is_file(p.s)) {
		char *r = abs_or_die(p.s);
		sb_free(&p);
		return r;
	}
	sb_free(&p);
	return NULL;
}

/* Writes DIR/SUB/project.yaml for one strategy and seed, and checks it. */
static void write_copy(const project *o, const ydoc *d, const char *srcdir, const ynode *part_tree,
		       const char *part_file, const char *dir, const char *sub, const char *strategy,
		       long seed)
{
	berr e;
	copier c = {.srcdir = srcdir, .part_inline = part_tree, .name = o->name,
		    .strategy = strategy, .seed = seed};
	strbuf text = {0}, path = {0};
	sb_printf(&text, "# written by burn compare from %s with search strategy %s, seed %ld;\n"
			 "# edit that file, not this one.\n",
		  o->path, strategy, seed);
	if (copy_project(&c, d->root, &text, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	sb_printf(&path, "%s/%s", dir, sub);
	if (mkdirs(path.s, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	sb_puts(&path, "/project.yaml");
	if (write_file_atomic(path.s, text.s, text.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	if (check_copy(o, path.s, part_file, &e) != 0) {
		unlink(path.s);
		die(EXIT_BADINPUT, "%s", e.msg);
	}
	sb_free(&text);
	sb_free(&path);
}

static const char rules_text[] =
	"# rules.ninja - written by burn compare: the rules of a build that runs one sweep\n"
	"# per strategy and seed (docs/DASHBOARD.md).\n"
	"\n"
	"# Rewrites build.ninja and the project copies when the project or a file it loads changes.\n"
	"rule compare\n"
	"  command = $burn compare $compare_args --regen\n"
	"  description = COMPARE build.ninja\n"
	"  generator = 1\n"
	"  restat = 1\n"
	"\n"
	"# One whole sweep: its own ninja runs every round (regenerating its own manifest). In the\n"
	"# console pool: one sweep at a time, each with every core, its progress on the terminal.\n"
	"rule sweep\n"
	"  command = $burn gen $in -o $dir --regen && ninja -C $dir\n"
	"  description = SWEEP $dir\n"
	"  pool = console\n"
	"  restat = 1\n"
	"\n"
	"rule dashboard\n"
	"  command = $burn dashboard -o $out --title $title $dirs\n"
	"  description = DASHBOARD $out\n"
	"  restat = 1\n";

int cmd_compare(int argc, char **argv)
{
	const char *proj = NULL, *dir = NULL, *title = NULL, *strat_arg = NULL, *seed_arg = NULL;
	bool regen = false;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (strcmp(a, "--project") == 0 && i + 1 < argc)
			proj = argv[++i];
		else if (strcmp(a, "--strategies") == 0 && i + 1 < argc)
			strat_arg = argv[++i];
		else if (strcmp(a, "--seeds") == 0 && i + 1 < argc)
			seed_arg = argv[++i];
		else if (strcmp(a, "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (strcmp(a, "--title") == 0 && i + 1 < argc)
			title = argv[++i];
		else if (strcmp(a, "--regen") == 0)
			regen = true;
		else {
			fprintf(stderr, "burn compare: unexpected argument '%s'\n%s", a, usage_compare);
			return EXIT_BADINPUT;
		}
	}
	if (!proj || !dir || !strat_arg || !seed_arg) {
		fputs(usage_compare, stderr);
		return EXIT_BADINPUT;
	}
	strlist strategies = {0}, seeds = {0};
	split("--strategies", strat_arg, &strategies);
	split("--seeds", seed_arg, &seeds);
	for (int i = 0; i < strategies.n; i++)
		if (!is_ident(strategies.v[i]))
			die(EXIT_BADINPUT, "compare: '%s' is not a strategy name", strategies.v[i]);
	long *seedv = xcalloc((size_t)seeds.n, sizeof *seedv);
	for (int i = 0; i < seeds.n; i++)
		if (parse_long(seeds.v[i], &seedv[i]) != 0 || seedv[i] < 0)
			die(EXIT_BADINPUT, "compare: seed '%s' is not a non-negative integer", seeds.v[i]);
	if ((long)strategies.n * seeds.n > MAX_SWEEPS)
		die(EXIT_BADINPUT, "compare: %d sweeps; at most %d", strategies.n * seeds.n, MAX_SWEEPS);
	if (title && strchr(title, '\n'))
		die(EXIT_BADINPUT, "compare: the title must be one line");

	berr e;
	project o;
	char *projabs = abs_or_die(proj);
	if (strchr(projabs, '\n'))
		die(EXIT_BADINPUT, "compare: the project's path has a newline");
	if (project_load(projabs, false, &o, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (project_require(&o, HAS_BLOCK | HAS_CALIB | HAS_PART | HAS_CLOCK | HAS_EPS, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	ydoc d, partdoc = {0};
	if (ydoc_load(projabs, &d, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	char *srcdir = dir_of(projabs);
	char *part_file = own_part_file(&d, srcdir);
	if (part_file && ydoc_load(part_file, &partdoc, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (mkdirs(dir, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);

	/* the copies */
	strlist subs = {0};
	for (int i = 0; i < strategies.n; i++)
		for (int j = 0; j < seeds.n; j++) {
			sl_addf(&subs, "%s-s%ld", strategies.v[i], seedv[j]);
			write_copy(&o, &d, srcdir, part_file ? partdoc.root : NULL, part_file, dir,
				   subs.v[subs.n - 1], strategies.v[i], seedv[j]);
		}

	/* the manifest: paths relative to DIR */
	char *burn = self_path();
	strbuf args = {0}, t = {0};
	sb_puts(&args, "--project ");
	shq(&args, projabs);
	sb_printf(&args, " --strategies %s --seeds ", strat_arg);
	for (int j = 0; j < seeds.n; j++)
		sb_printf(&args, "%s%ld", j ? "," : "", seedv[j]);
	sb_puts(&args, " -o .");
	if (title) {
		sb_puts(&t, title);
		sb_puts(&args, " --title ");
		shq(&args, title);
	} else {
		sb_printf(&t, "%s: ", o.name);
		for (int i = 0; i < strategies.n; i++)
			sb_printf(&t, "%s%s", i ? " vs " : "", strategies.v[i]);
		sb_printf(&t, " (seed%s ", seeds.n > 1 ? "s" : "");
		for (int j = 0; j < seeds.n; j++)
			sb_printf(&t, "%s%ld", j ? ", " : "", seedv[j]);
		sb_puts(&t, ")");
	}

	graph g = {0};
	graph_var(&g, "burn", burn);
	graph_var(&g, "compare_args", args.s);
	g.include = xstrdup("rules.ninja");
	strlist deps = {0};
	sl_addf(&deps, "%s", projabs);
	for (int i = 0; i < o.n_inputs; i++) {
		char *a = abs_or_die(o.inputs[i]);
		sl_addf(&deps, "%s", a);
		free(a);
	}
	gedge *ge = graph_edge(&g, "compare");
	sl_addf(&ge->outs, "build.ninja");
	sl_addf(&ge->outs, "rules.ninja");
	for (int i = 0; i < subs.n; i++)
		sl_addf(&ge->outs, "%s/project.yaml", subs.v[i]);
	for (int i = 0; i < deps.n; i++)
		sl_addf(&ge->deps, "%s", deps.v[i]);
	sl_addf(&ge->deps, "%s", burn);
	static const char *const facets[] = {"author", "reward", "hlsgen"};
	for (int i = 0; i < subs.n; i++) {
		gedge *se = graph_edge(&g, "sweep");
		sl_addf(&se->outs, "%s/results.csv", subs.v[i]);
		sl_addf(&se->outs, "%s/results.json", subs.v[i]);
		for (size_t f = 0; f < sizeof facets / sizeof facets[0]; f++)
			sl_addf(&se->outs, "%s/facets/%s.yaml", subs.v[i], facets[f]);
		sl_addf(&se->ins, "%s/project.yaml", subs.v[i]);
		sl_addf(&se->deps, "%s", burn);
		sl_addf(&se->deps, "%s", BURN_DATADIR "/rules/burn.ninja");
		for (int k = 1; k < deps.n; k++)
			sl_addf(&se->deps, "%s", deps.v[k]);
		edge_var(se, "dir", "%s", subs.v[i]);
	}
	gedge *de = graph_edge(&g, "dashboard");
	sl_addf(&de->outs, "report.html");
	strbuf dirs = {0}, tq = {0};
	for (int i = 0; i < subs.n; i++) {
		sl_addf(&de->ins, "%s/results.json", subs.v[i]);
		for (size_t f = 0; f < sizeof facets / sizeof facets[0]; f++)
			sl_addf(&de->deps, "%s/facets/%s.yaml", subs.v[i], facets[f]);
		sb_printf(&dirs, "%s%s", i ? " " : "", subs.v[i]);
	}
	sl_addf(&de->deps, "%s", burn);
	shq(&tq, t.s);
	edge_var(de, "title", "%s", tq.s);
	edge_var(de, "dirs", "%s", dirs.s);
	sl_addf(&g.defaults, "report.html");

	strbuf b = {0};
	graph_write_ninja(&g, &b);
	static const char gen_head[] = "# generated by burn gen;";
	strbuf mf = {0};
	if (strncmp(b.s, gen_head, sizeof gen_head - 1) == 0) {
		sb_puts(&mf, "# generated by burn compare;");
		sb_puts(&mf, b.s + sizeof gen_head - 1);
	} else {
		sb_puts(&mf, b.s);
	}
	char *rules = path_join(dir, "rules.ninja"), *out = path_join(dir, "build.ninja");
	if (write_file_atomic(rules, rules_text, sizeof rules_text - 1, true, &e) != 0 ||
	    write_file_atomic(out, mf.s, mf.len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	if (!regen)
		printf("wrote %s (%d sweep%s: %d strateg%s x %d seed%s); run: ninja -C %s\n", out,
		       subs.n, subs.n == 1 ? "" : "s", strategies.n, strategies.n == 1 ? "y" : "ies",
		       seeds.n, seeds.n == 1 ? "" : "s", dir);
	free(rules);
	free(out);
	sb_free(&b);
	sb_free(&mf);
	sb_free(&args);
	sb_free(&t);
	sb_free(&tq);
	sb_free(&dirs);
	graph_free(&g);
	sl_free(&deps);
	sl_free(&subs);
	sl_free(&strategies);
	sl_free(&seeds);
	free(seedv);
	free(burn);
	free(part_file);
	free(srcdir);
	free(projabs);
	if (partdoc.root || partdoc.file)
		ydoc_free(&partdoc);
	ydoc_free(&d);
	project_free(&o);
	return 0;
}
