/* test_command.c - external authors: the prompt (burn-author/1) holds the task, the history
 * summary and the format; the output reader takes JSON lists and YAML documents with junk
 * around them and counts what it made of them; commands run with stdin and stdout pipes,
 * a time limit and an output bound; the command strategy end to end with fake authors (tests/
 * fake/author_*), including tools/openai_author.py against a fake OpenAI-compatible server;
 * and the trainer command. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "author/command.h"
#include "gen/ydoc.h"
#include "tests/unit/t.h"

static project P;
static char src[1024];
static char tmp[256];

/* tests/fake/NAME in the source tree. */
static const char *fake(const char *name)
{
	static char buf[4][1200];
	static int k;
	char *b = buf[k++ % 4];
	snprintf(b, sizeof buf[0], "%s/tests/fake/%s", src, name);
	return b;
}

static void ctx_init(author_ctx *ctx, const history *h, long round, long want)
{
	static const history empty;
	memset(ctx, 0, sizeof *ctx);
	ctx->p = &P;
	ctx->h = h ? h : &empty;
	ctx->round = round;
	ctx->want = want;
	rng_seed(&ctx->rng, 1, (uint64_t)round);
	ctx->out.round = round;
	ctx->out.strategy = xstrdup("command");
}

/* A record of config text with the given tier and numbers. */
static void add_record(history *h, const char *cfg, reward_tier tier, double reward, double err,
		       long round, const char *error)
{
	h->r = xreallocarray(h->r, (size_t)h->n + 1, sizeof *h->r);
	h->cap = h->n + 1;
	record *r = &h->r[h->n++];
	memset(r, 0, sizeof *r);
	config c;
	berr e;
	bool valid = config_parse("r", cfg, strlen(cfg), &P, &c, &e) == 0;
	strbuf b = {0};
	if (valid) {
		config_write_canonical(&c, &P, &b);
		config_free(&c);
	} else {
		sb_puts(&b, cfg);
	}
	cand_id_of(b.s, b.len, valid, r->id);
	r->config = b.s;
	r->valid = valid;
	r->round = round;
	r->origin = xstrdup("test");
	r->tier = tier;
	r->reward = reward;
	r->max_err = err;
	r->lut = 1000, r->ff = 2000, r->dsp = 40, r->bram18 = 0;
	r->latency_cycles = 30, r->latency_ns = 300;
	r->fidelity = xstrdup("estimate");
	if (error) {
		r->failed_step = xstrdup("csim");
		r->error = xstrdup(error);
	}
}

static const char *const CFG_A = "Model: {Precision: 'ap_fixed<12,4>', ReuseFactor: 16}\n";
static const char *const CFG_B = "Model: {Precision: 'ap_fixed<14,5>', ReuseFactor: 8}\n";
static const char *const CFG_C = "Model: {Precision: 'ap_fixed<8,3>', ReuseFactor: 16}\n";
static const char *const CFG_BAD = "Model: {Precision: 'ap_fixd<8,3>'}\n";

static void mkhistory(history *h)
{
	memset(h, 0, sizeof *h);
	add_record(h, CFG_A, TIER_FEASIBLE, 3.8, 0.02, 0, NULL);
	add_record(h, CFG_B, TIER_FEASIBLE, 3.85, 0.01, 0, NULL);
	add_record(h, CFG_C, TIER_ACCURACY, 1.4, 0.2, 1, NULL);
	add_record(h, CFG_BAD, TIER_FAILED, 0, NAN, 1, "candidate:1:20: key 'Model.Precision': bad type");
}

/* ---- the prompt ---- */

static void test_prompt(void)
{
	history h;
	mkhistory(&h);
	author_ctx ctx;
	ctx_init(&ctx, &h, 2, 8);
	strbuf b = {0};
	author_prompt(&ctx, &b);
	ydoc d;
	berr e;
	CHECK(ydoc_parse("prompt", b.s, b.len, &d, &e) == 0, "prompt parses: %s", e.msg);
	const ynode *r = d.root;
	const ynode *x = ymap_get(r, "protocol");
	CHECK(x && strcmp(x->str, AUTHOR_PROTOCOL) == 0, "protocol");
	CHECK((x = ymap_get(r, "want")) && strcmp(x->str, "8") == 0, "want");
	CHECK((x = ymap_get(r, "round")) && strcmp(x->str, "2") == 0, "round");
	const ynode *task = ymap_get(r, "task");
	const ynode *layers = ymap_get(ymap_get(task, "block"), "layers");
	CHECK(layers && layers->n == 2 && strcmp(ymap_get(layers->items[0], "name")->str, "fc1") == 0 &&
	      strcmp(ymap_get(layers->items[1], "n_in")->str, "32") == 0, "block layers");
	CHECK((x = ymap_get(task, "eps_max")) && atof(x->str) == 0.05, "eps_max");
	CHECK((x = ymap_get(ymap_get(task, "part"), "dsp")) && strcmp(x->str, "220") == 0, "part DSPs");
	CHECK((x = ymap_get(ymap_get(task, "reward"), "latency_ref_ns")) && atof(x->str) == 7680,
	      "derived latency normaliser (768 MACs x 10 ns)");
	const ynode *fmt = ymap_get(r, "config_format");
	x = ymap_get(fmt, "default");
	config c;
	CHECK(x && config_parse("default", x->str, strlen(x->str), &P, &c, &e) == 0, "default parses");
	if (x)
		config_free(&c);
	const ynode *hist = ymap_get(r, "history");
	CHECK((x = ymap_get(hist, "records")) && strcmp(x->str, "4") == 0, "records");
	const ynode *best = ymap_get(hist, "best");
	CHECK(best && best->n == 3 && atof(ymap_get(best->items[0], "reward")->str) == 3.85 &&
	      atof(ymap_get(best->items[2], "reward")->str) == 1.4, "best sorted by reward");
	const ynode *fail = ymap_get(hist, "failures");
	CHECK(fail && fail->n == 1 && strstr(ymap_get(fail->items[0], "error")->str, "bad type") &&
	      strcmp(ymap_get(fail->items[0], "config")->str, CFG_BAD) == 0,
	      "the failure with its error and raw text");
	const ynode *last = ymap_get(hist, "last_round");
	CHECK(last && last->n == 0, "last round: every record shown already");
	CHECK(ymap_get(r, "reply") != NULL, "reply instructions");
	ydoc_free(&d);
	sb_free(&b);

	/* training input: every record, with its details */
	author_train_input(&P, &h, 2, &b);
	CHECK(ydoc_parse("train", b.s, b.len, &d, &e) == 0, "%s", e.msg);
	x = ymap_get(d.root, "records");
	CHECK(x && x->n == 4 && ymap_get(x->items[3], "failed_step") != NULL, "4 records in training input");
	CHECK((x = ymap_get(d.root, "protocol")) && strcmp(x->str, AUTHOR_TRAIN_PROTOCOL) == 0,
	      "train protocol");
	ydoc_free(&d);
	sb_free(&b);
	cands_free(&ctx.out);

	/* an empty history */
	ctx_init(&ctx, NULL, 0, 4);
	author_prompt(&ctx, &b);
	CHECK(ydoc_parse("prompt", b.s, b.len, &d, &e) == 0, "empty history: %s", e.msg);
	ydoc_free(&d);
	sb_free(&b);
	cands_free(&ctx.out);
	history_free(&h);
}

/* ---- reading outputs ---- */

static author_cmd_stats parse(const char *out, long want, const history *h, cand_list *l)
{
	author_ctx ctx;
	ctx_init(&ctx, h, 1, want);
	author_cmd_stats st;
	author_offer_output(&ctx, out, strlen(out), "command:", &st);
	*l = ctx.out;
	return st;
}

static void test_output(void)
{
	cand_list l;
	/* a JSON list with junk around; strings, an object with why, an invalid config, a repeat */
	const char *o1 =
		"[INFO] loading\nHere:\n[\n \"Model: {Precision: 'ap_fixed<12,4>', ReuseFactor: 16}\\n\",\n"
		" {\"why\": \"narrow\", \"config\": \"Model:\\n  Precision: 'ap_fixed<10,4>'\\n  ReuseFactor: 32\\n\"},\n"
		" {\"Model\": {\"Precision\": \"ap_fixed<9,4>\", \"ReuseFactor\": 64}},\n"
		" \"Model: {Precision: 'ap_fixd<8,3>'}\",\n"
		" \"Model: {Precision: 'ap_fixed<12,4>', ReuseFactor: 16}\\n\"\n]\nbye\n";
	author_cmd_stats st = parse(o1, 8, NULL, &l);
	CHECK(st.items == 5 && st.accepted == 4 && st.invalid == 1 && st.repeats == 1 && st.junk,
	      "json: %d items, %d accepted, %d invalid, %d repeats, junk %d", st.items, st.accepted,
	      st.invalid, st.repeats, st.junk);
	CHECK(l.n == 4 && l.c[0].valid && l.c[1].valid && l.c[2].valid && !l.c[3].valid,
	      "valid, valid, valid, invalid");
	CHECK(l.n == 4 && strcmp(l.c[1].origin, "command: item 2: narrow") == 0, "origin: %s",
	      l.n > 1 ? l.c[1].origin : "");
	CHECK(l.n == 4 && l.c[3].error && strstr(l.c[3].error, "ap_fixd"), "error names the bad type: %s",
	      l.n == 4 && l.c[3].error ? l.c[3].error : "");
	CHECK(l.n == 4 && strstr(l.c[3].config, "ap_fixd") != NULL, "invalid keeps its raw text");
	cands_free(&l);

	/* the round fills up: the rest is unused */
	st = parse(o1, 2, NULL, &l);
	CHECK(l.n == 2 && st.unused == 3, "full after 2: %d unused", st.unused);
	cands_free(&l);

	/* already evaluated: a repeat */
	history h;
	mkhistory(&h);
	st = parse("[\"Model: {Precision: 'ap_fixed<12,4>', ReuseFactor: 16}\"]", 4, &h, &l);
	CHECK(l.n == 0 && st.repeats == 1 && !st.junk, "a config from the history is a repeat");
	cands_free(&l);
	st = parse("[\"Model: {Precision: 'ap_fixd<8,3>'}\\n\"]", 4, &h, &l);
	CHECK(l.n == 0 && st.repeats == 1, "a known failure is not proposed again");
	cands_free(&l);
	history_free(&h);

	/* escapes: \u00e9 in a comment, \t, \/ */
	st = parse("[\"# caf\\u00e9 \\ud83d\\ude00\\nModel: {Precision: 'ap_fixed<12,4>',\\tReuseFactor: 16}\"]", 4,
		   NULL, &l);
	CHECK(l.n == 1 && l.c[0].valid, "escaped string decodes to a valid config");
	cands_free(&l);

	/* YAML documents in a Markdown fence */
	st = parse("Here you go:\n```yaml\nModel: {Precision: 'ap_fixed<10,4>', ReuseFactor: 8}\n---\n"
		   "# narrower\nModel: {Precision: 'ap_fixed<9,4>', ReuseFactor: 64}\n```\n", 4, NULL, &l);
	CHECK(st.items == 3 && l.n == 3 && !l.c[0].valid && l.c[1].valid && l.c[2].valid,
	      "yaml: %d items, %d candidates (the chatter is an invalid one)", st.items, l.n);
	CHECK(l.n == 3 && strcmp(l.c[2].origin, "command: document 3") == 0, "origin %s",
	      l.n == 3 ? l.c[2].origin : "");
	cands_free(&l);

	/* cut off: complete items are used, the cut one is not */
	st = parse("[\n\"Model: {Precision: 'ap_fixed<10,4>', ReuseFactor: 8}\",\n\"Model: {Prec", 4, NULL, &l);
	CHECK(l.n == 1 && st.junk && st.items == 1, "cut-off list: %d candidates", l.n);
	cands_free(&l);

	/* nothing, blanks, comments */
	st = parse("", 4, NULL, &l);
	CHECK(l.n == 0 && st.items == 0, "empty output");
	cands_free(&l);
	st = parse("\n# nothing\n---\n   \n", 4, NULL, &l);
	CHECK(l.n == 0 && st.items == 0, "blank documents");
	cands_free(&l);
	st = parse("[]", 4, NULL, &l);
	CHECK(l.n == 0 && st.items == 0 && !st.junk, "empty list");
	cands_free(&l);
	/* items that are not configs, and a list that stops making sense */
	st = parse("[\"ok\", 42, null}", 4, NULL, &l);
	CHECK(st.items == 3 && l.n == 3 && !l.c[0].valid && st.junk, "odd items: %d, junk %d", st.items,
	      st.junk);
	cands_free(&l);
	/* a NUL byte: not even a candidate */
	st = parse("[\"Model: {Precision: 'ap_fixed<10,4>'}\\u0000\"]", 4, NULL, &l);
	CHECK(l.n == 0 && st.dropped == 1, "NUL byte: %d candidates, %d dropped", l.n, st.dropped);
	cands_free(&l);
	/* an origin cannot carry a newline into the candidate list */
	st = parse("[{\"config\": \"Model: {Precision: 'ap_fixed<10,4>'}\", \"why\": \"a\\nb\"}]", 4, NULL, &l);
	CHECK(l.n == 1 && !strchr(l.c[0].origin, '\n'), "origin one line");
	cands_free(&l);
}

/* ---- running commands ---- */

static void test_run(void)
{
	author_cmd_result r;
	berr e;
	/* a large input through cat: both pipes at once, no deadlock */
	size_t n = 3 << 20;
	char *in = xmalloc(n);
	for (size_t k = 0; k < n; k++)
		in[k] = (char)('a' + k % 26);
	char *cat[] = {"cat", NULL};
	author_cmd_opts o = {.timeout_s = 20, .max_output = 8 << 20};
	CHECK(author_cmd_run(cat, in, n, &o, 10, &r, &e) == 0, "%s", e.msg);
	CHECK(r.status == 0 && r.out_len == n && memcmp(r.out, in, n) == 0 && !r.input_cut,
	      "cat echoes 3 MiB: status %d, %zu bytes", r.status, r.out_len);
	author_cmd_result_free(&r);

	/* it does not read its stdin */
	char *tru[] = {"true", NULL};
	CHECK(author_cmd_run(tru, in, n, NULL, 10, &r, &e) == 0 && r.status == 0 && r.input_cut,
	      "true: status %d, input cut %d", r.status, r.input_cut);
	author_cmd_result_free(&r);
	free(in);

	/* time limit */
	char *slp[] = {"sleep", "30", NULL};
	o = (author_cmd_opts){.timeout_s = 0.5};
	CHECK(author_cmd_run(slp, "x", 1, &o, 10, &r, &e) == 0, "%s", e.msg);
	CHECK(r.timed_out && r.status == -1 && r.seconds < 4, "sleep: timed out %d after %.1f s",
	      r.timed_out, r.seconds);
	author_cmd_result_free(&r);

	/* output bound */
	char *yes[] = {"yes", NULL};
	o = (author_cmd_opts){.timeout_s = 20, .max_output = 100000};
	CHECK(author_cmd_run(yes, NULL, 0, &o, 10, &r, &e) == 0, "%s", e.msg);
	CHECK(r.flooded && r.out_len == 100000 && r.status == -1 && r.seconds < 4,
	      "yes: flooded %d, %zu bytes, %.1f s", r.flooded, r.out_len, r.seconds);
	author_cmd_result_free(&r);

	/* exit status, stderr, no such program */
	char *sh3[] = {"sh", "-c", "echo oops >&2; exit 3", NULL};
	CHECK(author_cmd_run(sh3, NULL, 0, NULL, 10, &r, &e) == 0 && r.status == 3 &&
	      strcmp(r.err_tail, "oops\n") == 0, "exit 3, stderr '%s'", r.err_tail);
	author_cmd_result_free(&r);
	char *none[] = {"/nonexistent/author", NULL};
	CHECK(author_cmd_run(none, NULL, 0, NULL, 10, &r, &e) == 0 && r.status == 127 &&
	      strstr(r.err_tail, "cannot run /nonexistent/author"), "not found: %d '%s'", r.status,
	      r.err_tail);
	author_cmd_result_free(&r);
	char *empty[] = {NULL};
	CHECK(author_cmd_run(empty, NULL, 0, NULL, 10, &r, &e) == -1, "empty argv refused");

	/* arguments are not a shell's: no expansion, no splitting */
	char *echo[] = {"echo", "$HOME; `id` *", NULL};
	CHECK(author_cmd_run(echo, NULL, 0, NULL, 10, &r, &e) == 0 &&
	      strcmp(r.out, "$HOME; `id` *\n") == 0, "argv reaches it verbatim: '%s'", r.out);
	author_cmd_result_free(&r);

	/* stderr to a log, in a given folder */
	char log[300];
	snprintf(log, sizeof log, "%s/cmd.log", tmp);
	char *pwd[] = {"sh", "-c", "pwd; echo to-log >&2", NULL};
	o = (author_cmd_opts){.cwd = tmp, .log_path = log};
	CHECK(author_cmd_run(pwd, NULL, 0, &o, 10, &r, &e) == 0 && strstr(r.out, tmp) != NULL,
	      "runs in cwd: %s", r.out);
	author_cmd_result_free(&r);
	char *buf = NULL;
	size_t len = 0;
	CHECK(read_file(log, 1 << 20, &buf, &len, &e) == 0 && strcmp(buf, "to-log\n") == 0,
	      "stderr in the log");
	free(buf);
}

/* ---- the command strategy with fakes ---- */

static void test_strategy(void)
{
	author_ctx ctx;
	author_cmd_stats st;
	berr e;
	char save[300];
	snprintf(save, sizeof save, "%s/prompt.json", tmp);

	/* round 0: the default first, then the echo's configs; it got the prompt */
	ctx_init(&ctx, NULL, 0, 8);
	char *echo[] = {(char *)fake("author_echo"), "--save", save, NULL};
	int rc = author_command(&ctx, echo, NULL, &st, &e);
	CHECK(rc == 0, "echo: %s", e.msg);
	CHECK(ctx.out.n == 4 && strcmp(ctx.out.c[0].origin, "command: default start") == 0,
	      "default + 3 candidates: %d", ctx.out.n);
	CHECK(st.items == 4 && st.accepted == 3 && st.invalid == 1 && st.repeats == 1 && st.junk,
	      "echo: %d items, %d accepted, %d invalid, %d repeats", st.items, st.accepted, st.invalid,
	      st.repeats);
	CHECK(ctx.out.n == 4 && strstr(ctx.out.c[2].origin, "8-bit weights") != NULL, "why: %s",
	      ctx.out.n == 4 ? ctx.out.c[2].origin : "");
	char *buf = NULL;
	size_t len = 0;
	ydoc d;
	CHECK(read_file(save, 1 << 22, &buf, &len, &e) == 0 && ydoc_parse("p", buf, len, &d, &e) == 0,
	      "the echo got a JSON prompt: %s", e.msg);
	if (buf) {
		const ynode *w = ymap_get(d.root, "want");
		CHECK(w && strcmp(w->str, "7") == 0, "want after the default: %s", w ? w->str : "-");
		ydoc_free(&d);
	}
	free(buf);
	cands_free(&ctx.out);

	/* yaml mode, a later round */
	history h;
	mkhistory(&h);
	ctx_init(&ctx, &h, 2, 8);
	char *yaml[] = {(char *)fake("author_echo"), "--mode", "yaml", NULL};
	CHECK(author_command(&ctx, yaml, NULL, &st, &e) == 0, "%s", e.msg);
	CHECK(ctx.out.n == 3 && !ctx.out.c[0].valid && ctx.out.c[1].valid && ctx.out.c[2].valid,
	      "yaml: %d candidates", ctx.out.n);
	cands_free(&ctx.out);

	/* prints nothing: an error, nothing offered */
	ctx_init(&ctx, &h, 2, 8);
	char *emp[] = {(char *)fake("author_echo"), "--mode", "empty", NULL};
	CHECK(author_command(&ctx, emp, NULL, &st, &e) == -1 && strstr(e.msg, "printed no configs"),
	      "empty: %s", e.msg);
	cands_free(&ctx.out);

	/* hangs after one config: timed out, the config is used */
	ctx_init(&ctx, &h, 2, 8);
	char *hang[] = {(char *)fake("author_hang"), "--partial", NULL};
	author_cmd_opts o = {.timeout_s = 1};
	rc = author_command(&ctx, hang, &o, &st, &e);
	CHECK(rc == -1 && strstr(e.msg, "timed out after 1 s") && strstr(e.msg, "1 configs read"),
	      "hang: %s", e.msg);
	CHECK(ctx.out.n == 1 && ctx.out.c[0].valid, "hang: the config before it hung: %d", ctx.out.n);
	cands_free(&ctx.out);

	/* leaves a child holding its stdout: ended, its output used */
	ctx_init(&ctx, &h, 2, 8);
	char *daemon[] = {(char *)fake("author_hang"), "--daemon", NULL};
	o = (author_cmd_opts){.timeout_s = 30};
	rc = author_command(&ctx, daemon, &o, &st, &e);
	CHECK(rc == 0 && ctx.out.n == 1, "daemon: rc %d, %d candidates: %s", rc, ctx.out.n, e.msg);
	cands_free(&ctx.out);

	/* floods: bounded, the first config used */
	ctx_init(&ctx, &h, 2, 8);
	char *flood[] = {(char *)fake("author_flood"), NULL};
	o = (author_cmd_opts){.timeout_s = 20, .max_output = 1 << 16};
	rc = author_command(&ctx, flood, &o, &st, &e);
	CHECK(rc == -1 && strstr(e.msg, "more than 65536 bytes"), "flood: %s", e.msg);
	CHECK(ctx.out.n >= 1 && ctx.out.c[0].valid, "flood: the first config used (%d candidates)",
	      ctx.out.n);
	cands_free(&ctx.out);

	/* not there */
	ctx_init(&ctx, &h, 2, 8);
	char *none[] = {"/nonexistent/author", NULL};
	rc = author_command(&ctx, none, NULL, &st, &e);
	CHECK(rc == -1 && strstr(e.msg, "exit 127") && strstr(e.msg, "cannot run"), "missing: %s",
	      e.msg);
	cands_free(&ctx.out);
	history_free(&h);
}

/* tools/openai_author.py against the fake server, through burn's command strategy. */
static void test_openai(void)
{
	char py[] = "python3";
	char *pyv[] = {py, "--version", NULL};
	author_cmd_result r;
	berr e;
	if (author_cmd_run(pyv, NULL, 0, NULL, 10, &r, &e) != 0 || r.status != 0) {
		printf("skip: no python3\n");
		author_cmd_result_free(&r);
		return;
	}
	author_cmd_result_free(&r);
	history h;
	mkhistory(&h);
	author_ctx ctx;
	ctx_init(&ctx, &h, 2, 4);
	char log[300];
	snprintf(log, sizeof log, "%s/requests.jsonl", tmp);
	char *argv[] = {(char *)fake("author_openai"), "--log", log, NULL};
	author_cmd_opts o = {.timeout_s = 60};
	author_cmd_stats st;
	int rc = author_command(&ctx, argv, &o, &st, &e);
	CHECK(rc == 0, "openai: %s", e.msg);
	CHECK(ctx.out.n == 3 && ctx.out.c[0].valid && ctx.out.c[1].valid && !ctx.out.c[2].valid,
	      "openai: %d candidates (2 valid, 1 invalid)", ctx.out.n);
	CHECK(ctx.out.n == 3 && strstr(ctx.out.c[1].origin, "fake-model: 8-bit weights with rounding"),
	      "origin %s", ctx.out.n == 3 ? ctx.out.c[1].origin : "");
	CHECK(ctx.out.n == 3 && ctx.out.c[2].error && strstr(ctx.out.c[2].error, "99"),
	      "the invalid one says why: %s", ctx.out.n == 3 && ctx.out.c[2].error ? ctx.out.c[2].error : "");
	char *buf = NULL;
	size_t len = 0;
	CHECK(read_file(log, 1 << 22, &buf, &len, &e) == 0, "%s", e.msg);
	if (buf) {
		CHECK(strstr(buf, "\"/v1/chat/completions\"") && strstr(buf, "fake-model") &&
		      strstr(buf, "ap_fixd") && strstr(buf, "Propose 4 new configs"),
		      "the request carries the model, the history and the want");
		int lines = 0;
		for (char *s = buf; *s; s++)
			lines += *s == '\n';
		CHECK(lines == 1, "one request: %d", lines);
	}
	free(buf);
	cands_free(&ctx.out);

	/* the server fails: an error naming it, nothing offered */
	ctx_init(&ctx, &h, 2, 4);
	char *bad[] = {(char *)fake("author_openai"), "--mode", "error", NULL};
	rc = author_command(&ctx, bad, &o, &st, &e);
	CHECK(rc == -1 && strstr(e.msg, "exit 1") && strstr(e.msg, "500"), "server error: %s", e.msg);
	CHECK(ctx.out.n == 0, "server error: %d candidates", ctx.out.n);
	cands_free(&ctx.out);
	history_free(&h);
}

static void test_train(void)
{
	history h;
	mkhistory(&h);
	char save[300];
	snprintf(save, sizeof save, "%s/train.json", tmp);
	char *argv[] = {(char *)fake("author_train"), save, NULL};
	strbuf log = {0};
	berr e;
	CHECK(author_train(&P, &h, 2, argv, NULL, &log, &e) == 0, "train: %s", e.msg);
	CHECK(log.s && strstr(log.s, "trained on"), "trainer output logged: %s", log.s ? log.s : "");
	sb_free(&log);
	char *buf = NULL;
	size_t len = 0;
	ydoc d;
	CHECK(read_file(save, 1 << 22, &buf, &len, &e) == 0 && ydoc_parse("t", buf, len, &d, &e) == 0,
	      "trainer got JSON: %s", e.msg);
	if (buf) {
		const ynode *x = ymap_get(d.root, "records");
		CHECK(x && x->n == 4, "4 records");
		ydoc_free(&d);
	}
	free(buf);
	char *fail[] = {(char *)fake("author_train"), "--fail", NULL};
	CHECK(author_train(&P, &h, 2, fail, NULL, NULL, &e) == -1 && strstr(e.msg, "exit 4") &&
	      strstr(e.msg, "no GPU here"), "failing trainer: %s", e.msg);
	author_cmd_opts o = {.timeout_s = 0.5};
	char *hang[] = {(char *)fake("author_hang"), NULL};
	CHECK(author_train(&P, &h, 2, hang, &o, NULL, &e) == -1 && strstr(e.msg, "timed out"),
	      "hanging trainer: %s", e.msg);
	history_free(&h);
}

int main(void)
{
	const char *s = getenv("BURN_SRC");
	snprintf(src, sizeof src, "%s", s ? s : ".");
	if (src[0] != '/') { /* fakes are run from other folders too */
		char cwd[512];
		if (getcwd(cwd, sizeof cwd)) {
			strbuf t = {0};
			sb_printf(&t, "%s/%s", cwd, src);
			snprintf(src, sizeof src, "%s", t.s);
			sb_free(&t);
		}
	}
	snprintf(tmp, sizeof tmp, "%s/burn-test-command.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(tmp)) {
		printf("mkdtemp failed\n");
		return 1;
	}
	char path[1200];
	snprintf(path, sizeof path, "%s/projects/toy-ffn-z2.yaml", src);
	berr e;
	int rc = project_load(path, false, &P, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return t_done("test_command");
	test_prompt();
	test_output();
	test_run();
	test_strategy();
	test_openai();
	test_train();
	project_free(&P);
	char *rm[] = {"rm", "-rf", tmp, NULL};
	author_cmd_result r;
	if (author_cmd_run(rm, NULL, 0, NULL, 30, &r, &e) == 0)
		author_cmd_result_free(&r);
	return t_done("test_command");
}
