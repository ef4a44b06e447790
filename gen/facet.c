/* facet.c - burn facet: cuts a project into one canonical file per kind of step
 * (docs/GENERATOR.md). A facet holds exactly the sections its steps read, in a fixed order and
 * spelling, with no paths: weights and calibration from files are copied into DIR/data as
 * float64 .npy files. A facet whose bytes do not change is left untouched (restat). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cache/cache.h"
#include "gen/cmds.h"
#include "gen/json.h"
#include "gen/project.h"
#include "gen/tensor.h"

const char usage_facet[] =
	"usage: burn facet PROJECT.yaml -o DIR\n"
	"\n"
	"Writes DIR/csim.yaml, estimate.yaml, hlsgen.yaml, reward.yaml and author.yaml: the\n"
	"project cut down to what each kind of step reads, in canonical form (and DIR/data/*.npy\n"
	"for weights or calibration inputs that come from files). A build step of the generated\n"
	"manifest: editing one part of a project re-runs only the steps that read it.\n";

/* What a facet holds, beyond the HAS_* sections. */
enum {
	F_WEIGHTS = 1 << 16, /* the block's weights (not only its shapes) */
	F_CALIB = 1 << 17,   /* the calibration inputs */
	F_NAME = 1 << 18,    /* the project's name (kept out of cached steps' facets, so projects
			      * that differ only in name share their cached results) */
};

static void put_double(strbuf *b, const char *key, double x)
{
	sb_printf(b, "%s: %.17g\n", key, x);
}

static void write_block(strbuf *b, const project *p)
{
	sb_puts(b, "block:\n  layers:\n");
	for (int k = 0; k < p->n_layers; k++) {
		const layer *l = &p->layers[k];
		if (l->kind == LK_GATE && k + 2 < p->n_layers) {
			sb_printf(b, "    - {name: %s, type: swiglu, n_in: %d, n_hidden: %d, n_out: %d, "
				     "bias: %s}\n",
				  l->group, l->n_in, l->n_out, p->layers[k + 2].n_out,
				  l->bias ? "true" : "false");
			k += 2;
			continue;
		}
		sb_printf(b, "    - {name: %s, type: dense, n_in: %d, n_out: %d, activation: %s, bias: %s}\n",
			  l->name, l->n_in, l->n_out, l->act == ACT_RELU ? "relu" : "linear",
			  l->bias ? "true" : "false");
	}
	if (p->softmax)
		sb_puts(b, "  output: softmax\n");
}

static const char *dist_name(distribution d)
{
	return d == DIST_UNIFORM ? "uniform" : "normal";
}

/* Encodes layer k's weight (bias: its bias) tensor as the canonical .npy of DIR/data. */
static void layer_npy(const project *p, int k, bool bias, strbuf *b)
{
	const layer *l = &p->layers[k];
	long shape[2] = {l->n_in, l->n_out};
	if (bias)
		npy_encode(b, l->b, 1, &shape[1], true);
	else
		npy_encode(b, l->w, 2, shape, true);
}

static void write_weights(strbuf *b, const project *p)
{
	const weights_spec *w = &p->weights;
	if (w->source == SRC_RANDOM) {
		sb_printf(b, "weights: {source: random, seed: %ld, distribution: %s, scale: %.17g}\n", w->seed,
			  dist_name(w->dist), w->scale);
		return;
	}
	/* the data's digest, as a comment: the facet's bytes change when the data does, so the
	 * steps that read it re-run (the data files are not inputs of their edges) */
	khash h;
	kh_init(&h, "facet-weights", 1);
	for (int k = 0; k < p->n_layers; k++)
		for (int bias = 0; bias < 2; bias++) {
			if (bias && !p->layers[k].b)
				continue;
			strbuf t = {0};
			layer_npy(p, k, bias, &t);
			kh_add(&h, p->layers[k].name, t.s, t.len);
			sb_free(&t);
		}
	ckey key = kh_final(&h);
	char hex[33];
	ckey_hex(&key, hex);
	sb_printf(b, "# weights digest %s\nweights: {source: npy, file: data, layout: in_out}\n", hex);
}

static void write_calib(strbuf *b, const project *p)
{
	const calib_spec *c = &p->calib;
	if (c->source == SRC_RANDOM)
		sb_printf(b, "calibration: {source: random, seed: %ld, n: %ld, distribution: %s, scale: %.17g}\n",
			  c->seed, c->n, dist_name(c->dist), c->scale);
	else
		sb_printf(b, "calibration: {source: npy, file: data/calib.npy, n: %ld}\n", c->n);
}

static void write_part(strbuf *b, const project *p)
{
	const part *t = &p->part;
	sb_printf(b, "part:\n  name: %s\n  device: %s\n  family: %s\n  lut: %ld\n  ff: %ld\n  dsp: %ld\n"
		     "  bram18: %ld\n  uram: %ld\n  lutram_bits: %ld\n  dsp_a: %d\n  dsp_b: %d\n",
		  t->name, t->device, t->family, t->lut, t->ff, t->dsp, t->bram18, t->uram, t->lutram_bits,
		  t->dsp_a, t->dsp_b);
	if (strcmp(t->mem_kind, "none") == 0 || t->mem_kind[0] == '\0')
		sb_puts(b, "  memory: {kind: none}\n");
	else
		sb_printf(b, "  memory: {kind: %s, gbps: %.17g, gib: %.17g, channels: %ld}\n", t->mem_kind,
			  t->mem_gbps, t->mem_gib, t->mem_channels);
	put_double(b, "clock_ns", p->clock_ns);
}

static void write_reward(strbuf *b, const project *p)
{
	put_double(b, "eps_max", p->eps_max);
	const reward_spec *r = &p->reward;
	sb_printf(b, "reward: {latency: %.17g, lut: %.17g, ff: %.17g, dsp: %.17g, bram: %.17g, "
		     "latency_ref_ns: %.17g}\n",
		  r->w_latency, r->w_lut, r->w_ff, r->w_dsp, r->w_bram, r->latency_ref_ns);
}

/* The search settings an author reads; not `rounds`, so adding rounds re-authors nothing. */
static void write_search(strbuf *b, const project *p)
{
	sb_printf(b, "search: {strategy: %s, per_round: %ld, seed: %ld",
		  search_strategy_name(p->search.strategy), p->search.per_round, p->search.seed);
	if (p->search.pool)
		sb_printf(b, ", pool: %ld", p->search.pool);
	if (p->search.strategy == STRAT_LM || p->search.strategy == STRAT_LM_TTT)
		sb_printf(b, ", lm_recipe: %s%s", lm_recipe_name(p->search.lm_recipe),
			  p->search.lm_grammar ? "" : ", lm_grammar: false"); /* absent = true */
	if (p->search.timeout_s > 0)
		sb_printf(b, ", timeout_s: %.17g", p->search.timeout_s);
	if (p->search.max_output)
		sb_printf(b, ", max_output: %ld", p->search.max_output);
	if (p->search.command) {
		sb_puts(b, ", command: [");
		for (char **a = p->search.command; *a; a++) {
			jw w;
			strbuf q = {0};
			jw_init(&w, &q);
			jw_str(&w, *a);
			sb_printf(b, "%s%s", a == p->search.command ? "" : ", ", q.s);
			sb_free(&q);
		}
		sb_puts(b, "]");
	}
	sb_puts(b, "}\n");
}

/* Writes the facet holding the sections in mask. */
static void facet_text(const project *p, unsigned mask, strbuf *b)
{
	sb_puts(b, "# facet written by burn facet; do not edit\n");
	if (mask & F_NAME)
		sb_printf(b, "name: %s\n", p->name);
	if (mask & HAS_BLOCK)
		write_block(b, p);
	if (mask & F_WEIGHTS)
		write_weights(b, p);
	if (mask & F_CALIB)
		write_calib(b, p);
	if (mask & HAS_PART)
		write_part(b, p);
	if (mask & HAS_EPS)
		write_reward(b, p);
	if (mask & HAS_SEARCH)
		write_search(b, p);
}

static void write_or_die(const char *dir, const char *name, const strbuf *b)
{
	berr e;
	char *path = path_join(dir, name);
	if (write_file_atomic(path, b->s, b->len, true, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	free(path);
}

static void write_npy(const char *dir, const char *name, const double *x, int ndim, const long *shape)
{
	strbuf b = {0};
	npy_encode(&b, x, ndim, shape, true);
	write_or_die(dir, name, &b);
	sb_free(&b);
}

/* Copies file-based weights and calibration into dir/data as canonical .npy files. */
static void write_data(const project *p, const char *dir)
{
	berr e;
	char *data = path_join(dir, "data");
	if (mkdirs(data, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	if (p->weights.source != SRC_RANDOM) {
		for (int k = 0; k < p->n_layers; k++) {
			const layer *l = &p->layers[k];
			for (int bias = 0; bias < 2; bias++) {
				if (bias && !l->b)
					continue;
				char name[MAX_NAME + 16];
				snprintf(name, sizeof name, "%s.%s.npy", l->name, bias ? "bias" : "weight");
				strbuf b = {0};
				layer_npy(p, k, bias, &b);
				write_or_die(data, name, &b);
				sb_free(&b);
			}
		}
	}
	if (p->calib.source != SRC_RANDOM) {
		long shape[2] = {p->calib.n, p->layers[0].n_in};
		write_npy(data, "calib.npy", p->calib.x, 2, shape);
	}
	free(data);
}

int cmd_facet(int argc, char **argv)
{
	const char *proj = NULL, *dir = NULL;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (argv[i][0] == '-' || proj)
			die(EXIT_BADINPUT, "facet: unexpected argument '%s'", argv[i]);
		else
			proj = argv[i];
	}
	if (!proj || !dir) {
		fputs(usage_facet, stderr);
		return EXIT_BADINPUT;
	}
	berr e;
	project p;
	if (project_load(proj, false, &p, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	if (project_require(&p, HAS_BLOCK | HAS_CALIB | HAS_PART | HAS_CLOCK | HAS_EPS, &e) != 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	bool files = p.weights.source != SRC_RANDOM || p.calib.source != SRC_RANDOM;
	if (files) {
		project_free(&p);
		if (project_load(proj, true, &p, &e) != 0)
			die(EXIT_BADINPUT, "%s", e.msg);
	}
	if (mkdirs(dir, &e) != 0)
		die(EXIT_INTERNAL, "%s", e.msg);
	if (files)
		write_data(&p, dir);
	static const struct {
		const char *name;
		unsigned mask;
	} facets[] = {
		{"csim.yaml", HAS_BLOCK | F_WEIGHTS | F_CALIB},
		/* the weights: a layer at ReuseFactor 1 multiplies by constants Yosys folds */
		{"estimate.yaml", HAS_BLOCK | F_WEIGHTS | HAS_PART},
		{"hlsgen.yaml", HAS_BLOCK | F_NAME},
		{"reward.yaml", HAS_BLOCK | HAS_PART | HAS_EPS},
		{"author.yaml", HAS_BLOCK | HAS_PART | HAS_EPS | HAS_SEARCH},
		{"hls.yaml", HAS_BLOCK | F_WEIGHTS | F_CALIB | HAS_PART}, /* burn hlsproj: data, device, clock */
	};
	for (size_t i = 0; i < sizeof facets / sizeof facets[0]; i++) {
		strbuf b = {0};
		facet_text(&p, facets[i].mask, &b);
		write_or_die(dir, facets[i].name, &b);
		sb_free(&b);
	}
	project_free(&p);
	return 0;
}
