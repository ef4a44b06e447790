/* test_config.c - config parsing, hls4ml lookup order, errors with positions, canonical and
 * hls4ml forms, config_default, and hls4ml's ReuseFactor rule. */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gen/config.h"
#include "tests/unit/t.h"

static layer L[3];
static project P;

/* A block of three dense layers: fc1 16->64 (bias), fc2 64->32 (bias), out 32->5 (no bias). */
static void mkproj(void)
{
	memset(&P, 0, sizeof P);
	memset(L, 0, sizeof L);
	snprintf(P.name, sizeof P.name, "mlp");
	const char *names[] = {"fc1", "fc2", "out"};
	int dims[][2] = {{16, 64}, {64, 32}, {32, 5}};
	for (int i = 0; i < 3; i++) {
		snprintf(L[i].name, sizeof L[i].name, "%s", names[i]);
		L[i].n_in = dims[i][0];
		L[i].n_out = dims[i][1];
		L[i].act = i < 2 ? ACT_RELU : ACT_LINEAR;
		L[i].bias = i < 2;
	}
	P.layers = L;
	P.n_layers = 3;
	P.has = HAS_BLOCK;
}

static bool teq(const fx_type *a, const char *s)
{
	fx_type b = t_type(s);
	return fx_equal(a, &b);
}

static const char *tstr(const fx_type *t)
{
	static char buf[4][96];
	static int k;
	k = (k + 1) % 4;
	return fx_format(t, buf[k], sizeof buf[k]);
}

static int parse(const char *text, config *c, berr *e)
{
	return config_parse("t.yml", text, strlen(text), &P, c, e);
}

/* The text must fail with a message starting with where and containing what. */
static void expect_err(int line, const char *text, const char *where, const char *what)
{
	config c;
	berr e = {{0}};
	int rc = parse(text, &c, &e);
	CHECK(rc != 0, "line %d: parsed although it should fail", line);
	CHECK(strncmp(e.msg, where, strlen(where)) == 0, "line %d: message '%s' does not start with '%s'",
	      line, e.msg, where);
	CHECK(strstr(e.msg, what) != NULL, "line %d: message '%s' lacks '%s'", line, e.msg, what);
	CHECK(c.layers == NULL && c.n_layers == 0, "line %d: failed parse left storage", line);
	if (rc == 0)
		config_free(&c);
}

static void test_model_only(void)
{
	config c;
	berr e;
	int rc = parse("Model:\n  Precision: ap_fixed<8,3>\n  ReuseFactor: 4\n  Strategy: Resource\n",
		       &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	CHECK(c.n_layers == 3, "n_layers %d", c.n_layers);
	CHECK(teq(&c.input, "ap_fixed<8,3>"), "input %s", tstr(&c.input));
	for (int i = 0; i < 3; i++) {
		layer_cfg *l = &c.layers[i];
		CHECK(teq(&l->weight, "ap_fixed<8,3>") && teq(&l->bias, "ap_fixed<8,3>") &&
			      teq(&l->accum, "ap_fixed<8,3>") && teq(&l->result, "ap_fixed<8,3>"),
		      "layer %d types %s %s %s %s", i, tstr(&l->weight), tstr(&l->bias), tstr(&l->accum),
		      tstr(&l->result));
		CHECK(l->reuse == 4 && l->strategy == HLS_RESOURCE, "layer %d rf %ld strat %d", i, l->reuse,
		      l->strategy);
	}
	config_free(&c);

	/* An empty mapping: hls4ml's defaults everywhere (accum included), RF 1, Latency. */
	rc = parse("{}\n", &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc == 0) {
		CHECK(teq(&c.input, "ap_fixed<16,6>") && teq(&c.layers[1].accum, "ap_fixed<16,6>") &&
			      c.layers[2].reuse == 1 && c.layers[2].strategy == HLS_LATENCY,
		      "defaults %s %s", tstr(&c.input), tstr(&c.layers[1].accum));
		config_free(&c);
	}
}

static void test_overrides(void)
{
	config c;
	berr e;
	const char *y =
		"Model:\n"
		"  Precision: {default: 'ap_fixed<16,6>', accum: 'ap_fixed<32,12>'}\n"
		"  ReuseFactor: 2\n"
		"LayerName:\n"
		"  input:\n"
		"    Precision: {result: 'ap_fixed<12,4>'}\n"
		"  fc1:\n"
		"    Precision: {weight: 'ap_fixed<8,3>', bias: 'ap_fixed<8,3>', accum: "
		"'ap_fixed<24,10,AP_RND,AP_SAT>', result: 'ap_ufixed<16,6>'}\n"
		"    ReuseFactor: 4\n"
		"    Strategy: resource\n"
		"  out:\n"
		"    Precision: ap_fixed<10,4>\n"
		"    Strategy: LATENCY\n";
	int rc = parse(y, &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	CHECK(teq(&c.input, "ap_fixed<12,4>"), "input %s", tstr(&c.input));
	layer_cfg *a = &c.layers[0], *b = &c.layers[1], *o = &c.layers[2];
	CHECK(teq(&a->weight, "ap_fixed<8,3>") && teq(&a->bias, "ap_fixed<8,3>"), "fc1 w/b");
	CHECK(teq(&a->accum, "ap_fixed<24,10,AP_RND,AP_SAT>"), "fc1 accum %s", tstr(&a->accum));
	CHECK(teq(&a->result, "ap_ufixed<16,6>"), "fc1 result %s", tstr(&a->result));
	CHECK(a->reuse == 4 && a->strategy == HLS_RESOURCE, "fc1 rf %ld", a->reuse);
	/* fc2 takes Model: accum from Model.Precision.accum, the rest from its default */
	CHECK(teq(&b->weight, "ap_fixed<16,6>") && teq(&b->accum, "ap_fixed<32,12>") &&
		      teq(&b->result, "ap_fixed<16,6>"),
	      "fc2 %s %s", tstr(&b->weight), tstr(&b->accum));
	CHECK(b->reuse == 2 && b->strategy == HLS_LATENCY, "fc2 rf %ld", b->reuse);
	/* hls4ml order: the layer's own default beats Model's per-variable accum */
	CHECK(teq(&o->weight, "ap_fixed<10,4>") && teq(&o->accum, "ap_fixed<10,4>") &&
		      teq(&o->result, "ap_fixed<10,4>"),
	      "out %s %s", tstr(&o->weight), tstr(&o->accum));
	CHECK(o->reuse == 2 && o->strategy == HLS_LATENCY, "out rf %ld", o->reuse);
	config_free(&c);

	/* LayerType.Dense sits between LayerName and Model. */
	rc = parse("Model: {Precision: 'ap_fixed<16,6>', ReuseFactor: 8}\n"
		   "LayerType:\n  Dense: {Precision: {weight: 'ap_fixed<6,2>'}, ReuseFactor: 2, "
		   "Strategy: Resource}\n"
		   "LayerName:\n  fc2: {Precision: {weight: 'ap_fixed<4,2>'}, ReuseFactor: 1}\n",
		   &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc == 0) {
		CHECK(teq(&c.layers[0].weight, "ap_fixed<6,2>") && c.layers[0].reuse == 2 &&
			      c.layers[0].strategy == HLS_RESOURCE,
		      "LayerType fc1 %s", tstr(&c.layers[0].weight));
		CHECK(teq(&c.layers[1].weight, "ap_fixed<4,2>") && c.layers[1].reuse == 1 &&
			      teq(&c.layers[1].bias, "ap_fixed<16,6>"),
		      "LayerName over LayerType");
		CHECK(teq(&c.input, "ap_fixed<16,6>"), "LayerType does not type the input");
		config_free(&c);
	}
}

static void test_wrapper_spaces_case(void)
{
	config c, d;
	berr e;
	int rc = parse("HLSConfig:\n  Model:\n    Precision: ap_fixed< 12 , 4 , RND , SAT >\n"
		       "    Strategy: RESOURCE\n  LayerName:\n    fc2:\n      Precision:\n"
		       "        weight: ' ap_int < 6 > '\n",
		       &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	CHECK(teq(&c.layers[0].weight, "ap_fixed<12,4,AP_RND,AP_SAT>"), "spaces %s",
	      tstr(&c.layers[0].weight));
	CHECK(teq(&c.layers[1].weight, "ap_int<6>"), "spaces int %s", tstr(&c.layers[1].weight));
	CHECK(c.layers[2].strategy == HLS_RESOURCE, "RESOURCE");
	rc = parse("Model:\n  Precision: ap_fixed<12,4,AP_RND,AP_SAT>\n  Strategy: resource\n"
		   "LayerName:\n  fc2:\n    Precision:\n      weight: ap_int<6>\n",
		   &d, &e);
	CHECK(rc == 0 && config_equal(&c, &d), "wrapped and unwrapped differ: %s", e.msg);
	config_free(&c);
	if (rc == 0)
		config_free(&d);
	const char *cases[] = {"latency", "Latency", "LATENCY", "LaTeNcY"};
	for (int i = 0; i < 4; i++) {
		char y[128];
		snprintf(y, sizeof y, "Model:\n  Strategy: %s\n", cases[i]);
		rc = parse(y, &c, &e);
		CHECK(rc == 0 && c.layers[0].strategy == HLS_LATENCY, "%s: %s", cases[i], e.msg);
		if (rc == 0)
			config_free(&c);
	}
}

static void test_auto(void)
{
	config c;
	berr e;
	int rc = parse("Model:\n  Precision: {default: 'ap_fixed<16,6>', accum: auto, result: auto}\n"
		       "LayerName:\n  input: {Precision: 'ap_fixed<16,6>'}\n"
		       "  out: {Precision: {accum: 'ap_fixed<48,24>'}}\n",
		       &c, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	/* fc1: 16+16+ceil(log2 16)=36 bits, 6+6+4=16 integer; bias: max(16,6)+1=17, 17+20=37 */
	CHECK(teq(&c.layers[0].accum, "ap_fixed<37,17>"), "fc1 auto %s", tstr(&c.layers[0].accum));
	CHECK(teq(&c.layers[0].result, "ap_fixed<37,17>"), "fc1 result auto");
	/* fc2: input is fc1's result <37,17>: 37+16+6=59 bits, 17+6+6=29 int; bias -> 30, 60 */
	CHECK(teq(&c.layers[1].accum, "ap_fixed<60,30>"), "fc2 auto %s", tstr(&c.layers[1].accum));
	/* out: its own accum; result 'auto' (from Model) follows it */
	CHECK(teq(&c.layers[2].accum, "ap_fixed<48,24>") && teq(&c.layers[2].result, "ap_fixed<48,24>"),
	      "out %s %s", tstr(&c.layers[2].accum), tstr(&c.layers[2].result));
	config_free(&c);
	/* without it the third layer would need 60+16+5 bits */
	expect_err(__LINE__,
		   "Model:\n  Precision: {default: 'ap_fixed<16,6>', accum: auto, result: auto}\n"
		   "LayerName:\n  input: {Precision: 'ap_fixed<16,6>'}\n",
		   "t.yml:2:49: key 'Model.Precision.accum'", "more than 64");
	/* an unquoted type string inside { } is split at its comma by YAML: say so */
	expect_err(__LINE__, "Model:\n  Precision: {default: ap_fixed<16,6>}\n",
		   "t.yml:2:36: key 'Model.Precision.6>'", "quote type strings");
	config_default(&P, &c);
	CHECK(teq(&c.layers[0].accum, "ap_fixed<37,17>"), "default fc1 %s", tstr(&c.layers[0].accum));
	CHECK(teq(&c.layers[1].accum, "ap_fixed<39,19>"), "default fc2 %s", tstr(&c.layers[1].accum));
	CHECK(teq(&c.layers[2].accum, "ap_fixed<37,17>"), "default out (no bias) %s",
	      tstr(&c.layers[2].accum));
	CHECK(teq(&c.input, "ap_fixed<16,6>") && teq(&c.layers[2].result, "ap_fixed<16,6>") &&
		      c.layers[1].reuse == 1 && c.layers[1].strategy == HLS_LATENCY,
	      "default types");
	/* the default spelled with auto parses to the same config */
	config d;
	rc = parse("Model:\n  Precision: {default: 'ap_fixed<16,6>', accum: auto}\n  ReuseFactor: 1\n"
		   "  Strategy: Latency\n",
		   &d, &e);
	CHECK(rc == 0 && config_equal(&c, &d), "default != its auto spelling: %s", e.msg);
	if (rc == 0)
		config_free(&d);
	config_free(&c);
}

static void test_errors(void)
{
	expect_err(__LINE__, "LayerName:\n  fc3:\n    ReuseFactor: 2\n", "t.yml:2:3: key 'LayerName.fc3'",
		   "did you mean 'fc1'");
	expect_err(__LINE__, "LayerName:\n  dense_17:\n    ReuseFactor: 2\n",
		   "t.yml:2:3: key 'LayerName.dense_17'", "its layers: fc1, fc2, out");
	expect_err(__LINE__, "LayerName:\n  FC1: {ReuseFactor: 2}\n", "t.yml:2:3: key 'LayerName.FC1'",
		   "did you mean");
	expect_err(__LINE__, "Model:\n  Reusefactor: 2\n", "t.yml:2:3: key 'Model.Reusefactor'",
		   "did you mean 'ReuseFactor'");
	expect_err(__LINE__, "Modle:\n  ReuseFactor: 2\n", "t.yml:1:1: key 'Modle'",
		   "did you mean 'Model'");
	expect_err(__LINE__, "Model:\n  Precision: ap_fixd<16,6>\n", "t.yml:2:14: key 'Model.Precision'",
		   "bad type 'ap_fixd<16,6>'");
	expect_err(__LINE__, "Model:\n  Precision: ap_fixed<0,6>\n", "t.yml:2:14: key 'Model.Precision'",
		   "bad type");
	expect_err(__LINE__, "Model:\n  Precision: ap_fixed<65,6>\n",
		   "t.yml:2:14: key 'Model.Precision'", "bad type");
	expect_err(__LINE__, "LayerName:\n  fc2:\n    Precision:\n      weights: ap_fixed<8,3>\n",
		   "t.yml:4:7: key 'LayerName.fc2.Precision.weights'", "did you mean 'weight'");
	expect_err(__LINE__, "LayerName:\n  fc2:\n    Precision:\n      weight: [8, 3]\n",
		   "t.yml:4:15: key 'LayerName.fc2.Precision.weight'", "type string");
	expect_err(__LINE__, "Model:\n  ReuseFactor: 0\n", "t.yml:2:16: key 'Model.ReuseFactor'",
		   "out of range");
	expect_err(__LINE__, "LayerName:\n  out:\n    ReuseFactor: 67108865\n",
		   "t.yml:3:18: key 'LayerName.out.ReuseFactor'", "out of range");
	expect_err(__LINE__, "Model:\n  ReuseFactor: -3\n", "t.yml:2:16: key 'Model.ReuseFactor'",
		   "out of range");
	expect_err(__LINE__, "Model:\n  ReuseFactor: 1.5\n", "t.yml:2:16: key 'Model.ReuseFactor'",
		   "integer");
	expect_err(__LINE__, "Model:\n  ReuseFactor: '4'\n", "t.yml:2:16: key 'Model.ReuseFactor'",
		   "integer");
	expect_err(__LINE__, "Model:\n  ReuseFactor: 99999999999999999999999\n",
		   "t.yml:2:16: key 'Model.ReuseFactor'", "integer");
	expect_err(__LINE__, "Model:\n  Strategy: Fast\n", "t.yml:2:13: key 'Model.Strategy'",
		   "Latency or Resource");
	expect_err(__LINE__, "Model:\n  Strategy: resource_unrolled\n", "t.yml:2:13: key 'Model.Strategy'",
		   "Latency or Resource");
	expect_err(__LINE__, "LayerName:\n  input:\n    ReuseFactor: 2\n",
		   "t.yml:3:5: key 'LayerName.input.ReuseFactor'", "unknown key");
	expect_err(__LINE__, "LayerName:\n  input:\n    Precision: {weight: 'ap_fixed<8,3>'}\n",
		   "t.yml:3:17: key 'LayerName.input.Precision.weight'", "unknown key");
	expect_err(__LINE__, "LayerName:\n  input:\n    Precision: auto\n",
		   "t.yml:3:16: key 'LayerName.input.Precision'", "'auto' is only");
	expect_err(__LINE__, "Model:\n  Precision: {weight: auto}\n",
		   "t.yml:2:23: key 'Model.Precision.weight'", "'auto' is only");
	expect_err(__LINE__, "Model:\n  Precision: {result: auto}\n",
		   "t.yml:2:23: key 'Model.Precision.result'", "cannot type the input");
	expect_err(__LINE__, "HLSConfig:\n  Model: {}\nOutputDir: x\n", "t.yml:3:1: key 'OutputDir'",
		   "unknown key");
	expect_err(__LINE__, "HLSConfig:\n  Model:\n    Trace: true\n",
		   "t.yml:3:5: key 'HLSConfig.Model.Trace'", "unknown key");
	expect_err(__LINE__, "LayerType:\n  Conv2D: {}\n", "t.yml:2:3: key 'LayerType.Conv2D'",
		   "unknown key");
	expect_err(__LINE__, "LayerName:\n  - fc1\n", "t.yml:2:3: key 'LayerName'", "mapping");
	expect_err(__LINE__, "LayerName:\n  fc1: 4\n", "t.yml:2:8: key 'LayerName.fc1'", "mapping");
	expect_err(__LINE__, "Model:\n", "t.yml:1:7: key 'Model'", "mapping");
	expect_err(__LINE__, "ap_fixed<16,6>\n", "t.yml:1:1:", "expected a mapping");
	expect_err(__LINE__, "", "t.yml:", "empty");
	expect_err(__LINE__, "Model: {ReuseFactor: 2}\nModel: {ReuseFactor: 3}\n", "t.yml:2:1:", "twice");
	expect_err(__LINE__, "LayerName:\n  \"fc\\x01\": {}\n", "t.yml:2:3:", "printable name");
	/* no control bytes of a hostile key reach the message */
	config c;
	berr e = {{0}};
	parse("LayerName:\n  \"fc\\x1b[2J\": {}\n", &c, &e);
	CHECK(strchr(e.msg, 0x1b) == NULL, "escape byte echoed: %s", e.msg);
	char big[600];
	snprintf(big, sizeof big, "Model:\n  Precision: '%0300d'\n", 7);
	expect_err(__LINE__, big, "t.yml:2:14:", "longer than 256");
	char *huge = malloc(CONFIG_MAX_BYTES + 16);
	memset(huge, ' ', CONFIG_MAX_BYTES + 15);
	huge[CONFIG_MAX_BYTES + 15] = '\0';
	expect_err(__LINE__, huge, "t.yml:", "larger than");
	free(huge);
}

/* Canonical bytes of c. */
static char *canon(const config *c)
{
	strbuf b = {0};
	config_write_canonical(c, &P, &b);
	return b.s;
}

static void test_canonical(void)
{
	config a, b, r;
	berr e;
	const char *ya = "Model:\n  Precision: ap_fixed<12,4>\n  ReuseFactor: 4\nLayerName:\n"
			 "  out:\n    Strategy: Resource\n    ReuseFactor: 5\n";
	const char *yb = "# the same config, spelled differently\n"
			 "HLSConfig:\n  LayerName:\n    out: {ReuseFactor: 5, Strategy: resource}\n"
			 "    fc2: {ReuseFactor: 4, Precision: {accum: 'ap_fixed<12, 4, AP_TRN, AP_WRAP>'}}\n"
			 "  Model: {ReuseFactor: 4, Precision: {default: 'fixed<12,4>'}}\n";
	int rc = parse(ya, &a, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc)
		return;
	rc = parse(yb, &b, &e);
	CHECK(rc == 0, "%s", e.msg);
	if (rc) {
		config_free(&a);
		return;
	}
	CHECK(config_equal(&a, &b), "equal configs compare unequal");
	char *ca = canon(&a), *cb = canon(&b);
	CHECK(strcmp(ca, cb) == 0, "equal configs give different canonical bytes:\n%s\n---\n%s", ca, cb);
	const char *want =
		"LayerName:\n"
		"  input:\n"
		"    Precision:\n"
		"      result: ap_fixed<12,4,AP_TRN,AP_WRAP>\n"
		"  fc1:\n"
		"    Precision:\n"
		"      accum: ap_fixed<12,4,AP_TRN,AP_WRAP>\n"
		"      bias: ap_fixed<12,4,AP_TRN,AP_WRAP>\n"
		"      result: ap_fixed<12,4,AP_TRN,AP_WRAP>\n"
		"      weight: ap_fixed<12,4,AP_TRN,AP_WRAP>\n"
		"    ReuseFactor: 4\n"
		"    Strategy: Latency\n";
	CHECK(strncmp(ca, want, strlen(want)) == 0, "canonical form:\n%s", ca);
	CHECK(parse(ca, &r, &e) == 0, "canonical does not parse: %s", e.msg);
	CHECK(config_equal(&a, &r), "parse(canonical) != original");
	char *cr = canon(&r);
	CHECK(strcmp(ca, cr) == 0, "canonical not byte-stable");
	free(cr);
	config_free(&r);
	/* different configs give different bytes */
	b.layers[1].accum.q = FX_RND;
	char *cb2 = canon(&b);
	CHECK(strcmp(ca, cb2) != 0 && !config_equal(&a, &b), "a changed accum mode went unseen");
	free(ca);
	free(cb);
	free(cb2);
	config_free(&a);
	config_free(&b);
	config d;
	config_default(&P, &d);
	char *cd = canon(&d);
	CHECK(parse(cd, &r, &e) == 0 && config_equal(&d, &r), "default canonical round trip: %s", e.msg);
	free(cd);
	config_free(&r);
	config_free(&d);
}

/* parse(hls4ml(c)) == c. */
static void roundtrip_hls4ml(int line, const config *c)
{
	strbuf b = {0};
	config r;
	berr e;
	config_write_hls4ml(c, &P, &b);
	int rc = parse(b.s, &r, &e);
	CHECK(rc == 0, "line %d: hls4ml form does not parse: %s\n%s", line, e.msg, b.s);
	if (rc == 0) {
		CHECK(config_equal(c, &r), "line %d: parse(hls4ml) != original:\n%s", line, b.s);
		config_free(&r);
	}
	sb_free(&b);
}

static void test_hls4ml_form(void)
{
	config c;
	berr e;
	config_default(&P, &c);
	strbuf b = {0};
	config_write_hls4ml(&c, &P, &b);
	CHECK(strstr(b.s, "\nModel:\n  Precision:\n    default: ap_fixed<16,6>\n") &&
		      strstr(b.s, "  ReuseFactor: 1\n  Strategy: Latency\n") &&
		      strstr(b.s, "    accum: ap_fixed<37,17>\n") &&
		      strstr(b.s, "\nLayerName:\n  input:\n    Precision:\n      result: ap_fixed<16,6>\n") &&
		      strstr(b.s, "  fc2:\n    Precision:\n      accum: ap_fixed<39,19>\n"),
	      "hls4ml form of the default:\n%s", b.s);
	CHECK(strstr(b.s, "  fc1:") == NULL && strstr(b.s, "  out:") == NULL,
	      "layers written though they match Model:\n%s", b.s);
	sb_free(&b);
	roundtrip_hls4ml(__LINE__, &c);
	/* every layer different, input different, strategies and RFs mixed */
	c.input = t_type("ap_ufixed<10,2>");
	c.layers[0].weight = t_type("ap_fixed<6,1,AP_RND_CONV,AP_SAT>");
	c.layers[0].reuse = 16;
	c.layers[1].strategy = HLS_RESOURCE;
	c.layers[1].reuse = 7;
	c.layers[2].result = t_type("ap_int<12>");
	c.layers[2].bias = t_type("ap_uint<3>");
	roundtrip_hls4ml(__LINE__, &c);
	for (int i = 0; i < 3; i++) {
		c.layers[i].strategy = HLS_RESOURCE;
		c.layers[i].reuse = 3;
		c.layers[i].accum = t_type("ap_fixed<20,8>");
		c.layers[i].result = t_type("ap_fixed<20,8>");
	}
	roundtrip_hls4ml(__LINE__, &c);
	config_write_hls4ml(&c, &P, &b);
	CHECK(strstr(b.s, "\n  Strategy: Resource\n") && strstr(b.s, "\n  ReuseFactor: 3\n"),
	      "Model takes the common RF and strategy:\n%s", b.s);
	sb_free(&b);
	config_free(&c);
	/* a config from a file, the wrapped hls4ml form */
	char path[64];
	snprintf(path, sizeof path, "/tmp/burn-test-config.%ld.yml", (long)getpid());
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("HLSConfig:\n  Model:\n    Precision: ap_fixed<14,5>\n", f);
		fclose(f);
		int rc = config_load(path, &P, &c, &e);
		CHECK(rc == 0 && teq(&c.layers[1].weight, "ap_fixed<14,5>"), "config_load: %s", e.msg);
		if (rc == 0)
			config_free(&c);
		unlink(path);
	}
	CHECK(config_load("/nonexistent/burn.yml", &P, &c, &e) != 0 && strstr(e.msg, "/nonexistent"),
	      "missing file: %s", e.msg);
}

/* hls4ml's FPGABackend._validate_reuse_factor, transcribed as a reference. */
static bool ref_valid(long n_in, long n_out, long rf)
{
	long mf = n_in < rf ? n_in : rf;
	long limit = (long)ceil((double)(n_in * n_out) / (double)mf);
	bool a = limit % n_out == 0 || rf >= n_in;
	a = a && (rf % n_in == 0 || rf < n_in);
	return a && (n_in * n_out) % rf == 0;
}

static void test_rf_rule(void)
{
	/* get_valid_reuse_factors from hls4ml's Python for these shapes */
	struct {
		int n_in, n_out;
		long valid[20];
	} known[] = {
		{16, 16, {1, 2, 4, 8, 16, 32, 64, 128, 256}},
		{32, 5, {1, 2, 4, 8, 16, 32, 160}},
		{3, 5, {1, 3, 15}},
		{12, 10, {1, 2, 3, 4, 6, 12, 24, 60, 120}},
	};
	for (size_t k = 0; k < sizeof known / sizeof known[0]; k++) {
		long n = (long)known[k].n_in * known[k].n_out, lo, hi;
		int j = 0;
		for (long rf = 1; rf <= n; rf++) {
			bool want = known[k].valid[j] == rf;
			j += want;
			bool got = hls4ml_rf_valid(known[k].n_in, known[k].n_out, rf, &lo, &hi);
			CHECK(got == want, "%dx%d rf %ld: got %d", known[k].n_in, known[k].n_out, rf, got);
		}
	}
	/* nearest valid below/above, as computed with hls4ml's code */
	struct {
		int n_in, n_out;
		long rf, lo, hi;
	} near[] = {
		{16, 64, 24, 16, 32},     {128, 512, 298, 256, 512}, {64, 32, 48, 32, 64},
		{32, 5, 7, 4, 8},         {12, 10, 5, 4, 6},         {12, 10, 7, 6, 12},
		{128, 512, 100, 64, 128}, {16, 16, 300, 256, 0},
	};
	for (size_t k = 0; k < sizeof near / sizeof near[0]; k++) {
		long lo, hi;
		bool ok = hls4ml_rf_valid(near[k].n_in, near[k].n_out, near[k].rf, &lo, &hi);
		CHECK(!ok && lo == near[k].lo && hi == near[k].hi, "%dx%d rf %ld: %d lo %ld hi %ld",
		      near[k].n_in, near[k].n_out, near[k].rf, ok, lo, hi);
	}
	long lo, hi;
	CHECK(hls4ml_rf_valid(128, 512, 2048, &lo, &hi), "128x512 rf 2048 is valid");
	CHECK(!hls4ml_rf_valid(12, 10, 10, &lo, &hi), "12x10 rf 10 fails the multiplier-limit rule");
	/* the divisor walk agrees with a linear scan of the reference on many shapes */
	int mismatches = 0;
	for (int n_in = 1; n_in <= 24; n_in++)
		for (int n_out = 1; n_out <= 24; n_out += 1 + n_in % 3)
			for (long rf = 1; rf <= (long)n_in * n_out + 3; rf++) {
				long l, h, rl = 0, rh = 0;
				bool got = hls4ml_rf_valid(n_in, n_out, rf, &l, &h);
				bool want = rf <= (long)n_in * n_out && ref_valid(n_in, n_out, rf);
				if (!want) {
					for (long x = 1; x <= (long)n_in * n_out; x++) {
						if (!ref_valid(n_in, n_out, x))
							continue;
						if (x < rf)
							rl = x;
						else if (x > rf && !rh)
							rh = x;
					}
				}
				if (got != want || (!want && (l != rl || h != rh)))
					mismatches++;
			}
	CHECK(mismatches == 0, "%d mismatches against the reference", mismatches);
}

static void test_check_hls4ml(void)
{
	config c;
	config_default(&P, &c);
	strbuf r = {0};
	CHECK(config_check_hls4ml(&c, &P, &r) == 0 && r.len == 0, "default passes: %s", r.s);
	c.layers[0].reuse = 24; /* Latency: hls4ml does not check */
	CHECK(config_check_hls4ml(&c, &P, &r) == 0, "Latency layers are not checked");
	c.layers[0].strategy = HLS_RESOURCE; /* 16x64: 16 below, 32 above, tie -> 16 */
	c.layers[2].strategy = HLS_RESOURCE;
	c.layers[2].reuse = 7; /* 32x5: 4 below, 8 above -> 8 */
	int bad = config_check_hls4ml(&c, &P, &r);
	CHECK(bad == 2, "bad %d: %s", bad, r.s);
	CHECK(r.s && strstr(r.s, "fc1: ReuseFactor 24 is not valid for hls4ml's Resource strategy "
				 "(n_in 16, n_out 64); nearest valid: 16 below, 32 above; hls4ml would "
				 "use 16\n"),
	      "report:\n%s", r.s);
	CHECK(r.s && strstr(r.s, "out: ReuseFactor 7 ") && strstr(r.s, "hls4ml would use 8\n"),
	      "report:\n%s", r.s);
	sb_free(&r);
	c.layers[2].reuse = 1000; /* beyond n_in*n_out: nothing above */
	config_check_hls4ml(&c, &P, &r);
	CHECK(r.s && strstr(r.s, "160 below, none above; hls4ml would use 160"), "report:\n%s", r.s);
	sb_free(&r);
	config_free(&c);
}

int main(void)
{
	setvbuf(stdout, NULL, _IONBF, 0);
	mkproj();
	test_model_only();
	test_overrides();
	test_wrapper_spaces_case();
	test_auto();
	test_errors();
	test_canonical();
	test_hls4ml_form();
	test_rf_rule();
	test_check_hls4ml();
	return t_done("test_config");
}
