/* fuzz_config.c - the candidate config loaders (gen/config.c: config_parse and the hls4ml
 * reader config_parse_hls4ml) on arbitrary bytes, against the toy project's block. The first
 * byte picks the reader. A config that loads must survive a round trip: its canonical text
 * parses back to an equal config and gives the same bytes again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/config.h"
#include "tests/fuzz/fuzz.h"

static project proj;
static int loaded;

static void load_project(void)
{
	berr e;
	if (project_load(BURN_DATADIR "/projects/toy-ffn-z2.yaml", false, &proj, &e) != 0) {
		fprintf(stderr, "fuzz_config: %s\n", e.msg);
		abort();
	}
	loaded = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!loaded)
		load_project();
	if (size < 1)
		return 0;
	bool hls4ml = data[0] & 1;
	const char *text = (const char *)data + 1;
	size_t len = size - 1;
	config c;
	berr e;
	strbuf notes = {0};
	int rc = hls4ml ? config_parse_hls4ml("fuzz", text, len, &proj, &c, &notes, &e)
			: config_parse("fuzz", text, len, &proj, &c, &e);
	sb_free(&notes);
	if (rc != 0) {
		FUZZ_ASSERT(e.msg[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(c.n_layers == proj.n_layers);
	strbuf a = {0}, b = {0};
	config_write_canonical(&c, &proj, &a);
	config c2;
	if (config_parse("canonical", a.s, a.len, &proj, &c2, &e) != 0) {
		fprintf(stderr, "canonical text does not parse back: %s\n%s", e.msg, a.s);
		abort();
	}
	FUZZ_ASSERT(config_equal(&c, &c2));
	config_write_canonical(&c2, &proj, &b);
	FUZZ_ASSERT(a.len == b.len && memcmp(a.s, b.s, a.len) == 0);
	sb_free(&b);
	config_write_hls4ml(&c, &proj, &b);
	config_free(&c2);
	if (config_parse_hls4ml("hls4ml", b.s, b.len, &proj, &c2, NULL, &e) != 0) {
		fprintf(stderr, "hls4ml export does not parse back: %s\n%s", e.msg, b.s);
		abort();
	}
	FUZZ_ASSERT(config_equal(&c, &c2));
	config_free(&c2);
	sb_free(&a);
	sb_free(&b);
	config_free(&c);
	return 0;
}
