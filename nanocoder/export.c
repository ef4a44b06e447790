/* export.c - a layer's MLP as .safetensors and captured MLP inputs as .npy. */
#include "nanocoder/export.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/tensor.h"
#include "lm/ckpt.h"
#include "lm/mat.h"
#include "nanocoder/corpus.h"
#include "nanocoder/tokens.h"

static void put_f32(strbuf *s, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t u;
		memcpy(&u, &x[i], 4);
		unsigned char c[4] = {(unsigned char)u, (unsigned char)(u >> 8),
				      (unsigned char)(u >> 16), (unsigned char)(u >> 24)};
		sb_add(s, (const char *)c, 4);
	}
}

int nc_export_mlp(const lm_model *m, int layer, const char *path, berr *e)
{
	const lm_config *c = &m->cfg;
	if (layer < 0 || layer >= c->layers)
		return errf(e, "layer %d: the model has layers 0..%d", layer, c->layers - 1);
	size_t C = (size_t)c->hidden, M = (size_t)c->mlp, L = (size_t)layer;
	const char *names[4] = {"up.weight", "up.bias", "down.weight", "down.bias"};
	const float *data[4] = {m->p.fcw + L * M * C, m->p.fcb + L * M, m->p.fcprojw + L * C * M,
				m->p.fcprojb + L * C};
	size_t len[4] = {M * C, M, C * M, C};
	long shape[4][2] = {{(long)M, (long)C}, {(long)M, 0}, {(long)C, (long)M}, {(long)C, 0}};
	int nd[4] = {2, 1, 2, 1};
	strbuf h = {0};
	sb_puts(&h, "{");
	size_t off = 0;
	for (int i = 0; i < 4; i++) {
		sb_printf(&h, "\"%s\":{\"dtype\":\"F32\",\"shape\":[%ld", names[i], shape[i][0]);
		if (nd[i] == 2)
			sb_printf(&h, ",%ld", shape[i][1]);
		sb_printf(&h, "],\"data_offsets\":[%zu,%zu]},", off, off + 4 * len[i]);
		off += 4 * len[i];
	}
	sb_printf(&h, "\"__metadata__\":{\"source\":\"burn nanocoder export\",\"layer\":\"%d\","
		      "\"hidden\":\"%d\",\"mlp\":\"%d\",\"layers\":\"%d\",\"vocab\":\"%d\"}}",
		  layer, c->hidden, c->mlp, c->layers, c->vocab);
	while ((8 + h.len) % 8)
		sb_puts(&h, " ");
	strbuf f = {0};
	uint64_t hl = h.len;
	unsigned char hb[8];
	for (int i = 0; i < 8; i++)
		hb[i] = (unsigned char)(hl >> (8 * i));
	sb_add(&f, (const char *)hb, 8);
	sb_add(&f, h.s, h.len);
	for (int i = 0; i < 4; i++)
		put_f32(&f, data[i], len[i]);
	int rc = write_file_atomic(path, f.s, f.len, true, e);
	sb_free(&h);
	sb_free(&f);
	return rc;
}

int nc_capture_mlp_inputs(lm_model *m, int layer, const int *ids, size_t n, int rows,
			  double **x, size_t **pos, berr *e)
{
	int T = m->cfg.ctx, C = m->cfg.hidden;
	if (layer < 0 || layer >= m->cfg.layers)
		return errf(e, "layer %d: the model has layers 0..%d", layer, m->cfg.layers - 1);
	if (rows < 1)
		return errf(e, "rows %d < 1", rows);
	if (n < (size_t)T)
		return errf(e, "%zu held-out tokens, fewer than one window of %d", n, T);
	size_t nwin = n / (size_t)T;
	if (nwin > 64)
		nwin = 64;
	size_t total = nwin * (size_t)T;
	if ((size_t)rows > total)
		return errf(e, "%d rows wanted, but the windows read hold only %zu positions", rows,
			    total);
	*x = xcalloc((size_t)rows * C, sizeof **x);
	if (pos)
		*pos = xcalloc((size_t)rows, sizeof **pos);
	/* row r is position floor(r * total / rows): evenly spaced, first one at 0 */
	int r = 0;
	for (size_t w = 0; w < nwin && r < rows; w++) {
		if (lm_forward(m, ids + w * (size_t)T, NULL, 1, T, e) != 0) {
			free(*x);
			if (pos)
				free(*pos);
			return -1;
		}
		const float *ln2 = m->a.ln2 + (size_t)layer * T * C; /* B = 1 */
		while (r < rows) {
			size_t p = (size_t)r * total / (size_t)rows;
			if (p >= (w + 1) * (size_t)T)
				break;
			size_t t = p - w * (size_t)T;
			for (int k = 0; k < C; k++)
				(*x)[(size_t)r * C + k] = ln2[t * C + (size_t)k];
			if (pos)
				(*pos)[r] = p;
			r++;
		}
	}
	return 0;
}

int nc_cmd_export(int argc, char **argv)
{
	const char *model = NULL, *corpus = NULL, *tok = NULL, *layer_s = NULL, *rows_s = NULL,
		   *out = NULL;
	const char *names[] = {"--model", "--corpus", "--tok", "--layer", "--rows", "-o"};
	const char **vals[] = {&model, &corpus, &tok, &layer_s, &rows_s, &out};
	for (int i = 0; i < argc; i++) {
		int k = -1;
		for (int j = 0; j < 6; j++)
			if (strcmp(argv[i], names[j]) == 0)
				k = j;
		if (k < 0 || i + 1 >= argc) {
			fprintf(stderr, "burn: nanocoder export: %s '%s' (see burn nanocoder --help)\n",
				k < 0 ? "unknown option" : "a value is missing after", argv[i]);
			return EXIT_BADINPUT;
		}
		*vals[k] = argv[++i];
	}
	long layer = 0, rows = 256;
	if ((layer_s && (parse_long(layer_s, &layer) != 0 || layer < 0 || layer > 4096)) ||
	    (rows_s && (parse_long(rows_s, &rows) != 0 || rows < 1 || rows > 65536))) {
		fprintf(stderr, "burn: nanocoder export: --layer wants 0..4095 and --rows 1..65536\n");
		return EXIT_BADINPUT;
	}
	if (!model || !corpus || !out) {
		fprintf(stderr, "burn: nanocoder export: --model, --corpus and -o are required\n");
		return EXIT_BADINPUT;
	}
	berr e;
	nc_tok t = {0};
	char *held = NULL, *sp = NULL, *np = NULL;
	int *ids = NULL, rc = EXIT_BADINPUT;
	double *x = NULL;
	size_t nheld, n;
	lm_model *m = lm_load(model, NULL, &e);
	if (!m || nc_tok_open(&t, &m->cfg, tok, &e) != 0 ||
	    nc_corpus_read(corpus, "heldout.txt", &held, &nheld, &e) != 0 || mkdirs(out, &e) != 0)
		goto fail;
	ids = nc_tok_encode(&t, held, nheld, &n);
	lm_set_kernel(LM_KERNEL_BLAS);
	lm_set_threads(1);
	sp = path_join(out, "mlp.safetensors");
	np = path_join(out, "calib.npy");
	if (nc_export_mlp(m, (int)layer, sp, &e) != 0 ||
	    nc_capture_mlp_inputs(m, (int)layer, ids, n, (int)rows, &x, NULL, &e) != 0)
		goto fail;
	long shape[2] = {rows, m->cfg.hidden};
	if (npy_save(np, x, 2, shape, false, &e) != 0)
		goto fail;
	printf("export   %s: layer %ld MLP %d -> %d ReLU -> %d (up.weight, up.bias, down.weight, "
	       "down.bias; F32, out_in)\n", sp, layer, m->cfg.hidden, m->cfg.mlp, m->cfg.hidden);
	printf("export   %s: %ld MLP inputs (ln2 of layer %ld) captured on held-out text\n", np,
	       rows, layer);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "burn: nanocoder export: %s\n", e.msg);
out:
	free(x);
	free(sp);
	free(np);
	free(ids);
	free(held);
	nc_tok_close(&t);
	lm_free(m);
	return rc;
}
