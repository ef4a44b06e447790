/* cmd_config.c - burn config: validate, canonicalise and export candidate configs. */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/config.h"
#include "gen/project.h"

const char usage_config[] =
	"usage: burn config check PROJECT CONFIG [--hls4ml]\n"
	"       burn config canon PROJECT CONFIG [-o OUT]\n"
	"       burn config hls4ml PROJECT CONFIG [-o OUT]\n"
	"       burn config default PROJECT [-o OUT]\n"
	"       burn config import PROJECT HLS4ML.yml [-o OUT]\n"
	"\n"
	"  check    validate CONFIG against the block of PROJECT; prints OK or the error\n"
	"           --hls4ml  also check each Resource layer's ReuseFactor against hls4ml's rule;\n"
	"                     exit 1 if hls4ml would reject one\n"
	"  canon    the canonical form: every layer fully expanded, keys sorted (what is hashed)\n"
	"  hls4ml   the Model and LayerName of an hls4ml HLSConfig, to paste into an hls4ml project\n"
	"  default  the config every search starts from\n"
	"  import   read the HLSConfig of an hls4ml conversion config (layer names as hls4ml\n"
	"           matches them); writes the canonical form, and lists on stderr every key\n"
	"           it ignores (Trace, softmax tables, OutputDir, ...). docs/IMPORT.md\n"
	"\n"
	"  -o OUT   write to OUT (atomically) instead of standard output\n"
	"\n"
	"Exit status: 0 success, 1 hls4ml would reject a ReuseFactor (check --hls4ml), 2 bad input.\n"
	"See docs/CONFIG.md.\n";

typedef struct {
	const char *sub;
	const char *pos[2];
	int npos;
	const char *out;
	bool hls4ml;
} cargs;

static int usage_error(const char *msg, const char *arg)
{
	fprintf(stderr, "burn: config: %s%s%s (see burn config --help)\n", msg, arg ? " " : "",
		arg ? arg : "");
	return EXIT_BADINPUT;
}

static int parse_cargs(int argc, char **argv, cargs *a)
{
	memset(a, 0, sizeof *a);
	bool dashdash = false;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i];
		if (!dashdash && strcmp(s, "--") == 0) {
			dashdash = true;
		} else if (!dashdash && strcmp(s, "-o") == 0) {
			if (i + 1 >= argc)
				return usage_error("-o needs a file name", NULL);
			a->out = argv[++i];
		} else if (!dashdash && strcmp(s, "--hls4ml") == 0) {
			a->hls4ml = true;
		} else if (!dashdash && s[0] == '-' && s[1] != '\0') {
			return usage_error("unknown option", s);
		} else if (!a->sub) {
			a->sub = s;
		} else if (a->npos < 2) {
			a->pos[a->npos++] = s;
		} else {
			return usage_error("too many arguments at", s);
		}
	}
	if (!a->sub)
		return usage_error("missing subcommand", NULL);
	int want = strcmp(a->sub, "default") == 0 ? 1 : 2;
	if (strcmp(a->sub, "check") && strcmp(a->sub, "canon") && strcmp(a->sub, "hls4ml") &&
	    strcmp(a->sub, "default") && strcmp(a->sub, "import"))
		return usage_error("unknown subcommand", a->sub);
	if (a->npos != want)
		return usage_error(want == 1 ? "expected PROJECT" : "expected PROJECT CONFIG", NULL);
	if (a->hls4ml && strcmp(a->sub, "check") != 0)
		return usage_error("--hls4ml goes with check", NULL);
	if (a->out && strcmp(a->sub, "check") == 0)
		return usage_error("check writes no file; -o goes with canon, hls4ml, default, import",
				   NULL);
	return 0;
}

/* Writes b to the -o file or standard output. */
static int emit(const cargs *a, const strbuf *b)
{
	const char *s = b->s ? b->s : "";
	if (a->out) {
		berr e;
		if (write_file_atomic(a->out, s, b->len, true, &e) != 0) {
			fprintf(stderr, "burn: %s\n", e.msg);
			return EXIT_BADINPUT;
		}
		return 0;
	}
	fwrite(s, 1, b->len, stdout);
	return fflush(stdout) == 0 ? 0 : EXIT_INTERNAL;
}

int cmd_config(int argc, char **argv)
{
	cargs a;
	if (parse_cargs(argc, argv, &a) != 0)
		return EXIT_BADINPUT;
	project p;
	config c;
	berr e;
	if (project_load(a.pos[0], false, &p, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		return EXIT_BADINPUT;
	}
	if (project_require(&p, HAS_BLOCK, &e) != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		project_free(&p);
		return EXIT_BADINPUT;
	}
	strbuf notes = {0};
	int lrc = 0;
	if (strcmp(a.sub, "default") == 0)
		config_default(&p, &c);
	else if (strcmp(a.sub, "import") == 0)
		lrc = config_load_hls4ml(a.pos[1], &p, &c, &notes, &e);
	else
		lrc = config_load(a.pos[1], &p, &c, &e);
	if (notes.s) /* what was ignored, also when the rest failed */
		for (char *line = notes.s, *nl; *line; line = nl + 1) {
			nl = strchr(line, '\n');
			fprintf(stderr, "burn: note: %.*s\n", (int)(nl - line), line);
		}
	sb_free(&notes);
	if (lrc != 0) {
		fprintf(stderr, "burn: %s\n", e.msg);
		project_free(&p);
		return EXIT_BADINPUT;
	}
	int rc = 0;
	strbuf b = {0};
	if (strcmp(a.sub, "check") == 0) {
		printf("OK\n");
		if (a.hls4ml) {
			int bad = config_check_hls4ml(&c, &p, &b);
			if (bad) {
				fputs(b.s, stdout);
				printf("hls4ml would change the ReuseFactor of %d layer%s\n", bad,
				       bad == 1 ? "" : "s");
				rc = 1;
			} else {
				printf("hls4ml: every ReuseFactor is valid\n");
			}
		}
		if (fflush(stdout) != 0)
			rc = EXIT_INTERNAL;
	} else {
		if (strcmp(a.sub, "hls4ml") == 0)
			config_write_hls4ml(&c, &p, &b);
		else
			config_write_canonical(&c, &p, &b);
		rc = emit(&a, &b);
	}
	sb_free(&b);
	config_free(&c);
	project_free(&p);
	return rc;
}
