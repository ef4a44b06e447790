/* tokens.c - byte or BPE tokens for NanoCoder. */
#include "nanocoder/tokens.h"

#include <stdlib.h>

#include "lm/tok.h"

int nc_tok_open(nc_tok *t, const lm_config *cfg, const char *path, berr *e)
{
	*t = (nc_tok){.kind = cfg->tok, .vocab = cfg->vocab};
	if (cfg->tok == LM_TOK_BYTE) {
		if (cfg->vocab != LM_BYTE_VOCAB)
			return errf(e, "a byte-level model has %d ids, this one %d", LM_BYTE_VOCAB,
				    cfg->vocab);
		t->len = xcalloc((size_t)cfg->vocab, sizeof *t->len);
		for (int i = 0; i < 256; i++)
			t->len[i] = 1;
		return 0;
	}
	if (cfg->tok != LM_TOK_BPE)
		return errf(e, "tokenizer kind %d is neither byte (%d) nor BPE (%d)", cfg->tok,
			    LM_TOK_BYTE, LM_TOK_BPE);
	if (!path)
		return errf(e, "this model has a BPE vocabulary: give its tokenizer with --tok FILE "
			       "(burn nanocoder bpe)");
	t->bpe = lm_bpe_load(path, e);
	if (!t->bpe)
		return -1;
	if (lm_bpe_vocab(t->bpe) != cfg->vocab) {
		errf(e, "%s: the tokenizer has %d ids, the model %d", path, lm_bpe_vocab(t->bpe),
		     cfg->vocab);
		nc_tok_close(t);
		return -1;
	}
	t->len = xcalloc((size_t)cfg->vocab, sizeof *t->len);
	for (int i = 0; i < cfg->vocab; i++)
		lm_bpe_token(t->bpe, i, &t->len[i]);
	return 0;
}

void nc_tok_close(nc_tok *t)
{
	lm_bpe_free(t->bpe);
	free(t->len);
	*t = (nc_tok){0};
}

int *nc_tok_encode(const nc_tok *t, const char *s, size_t n, size_t *nids)
{
	if (t->bpe)
		return lm_bpe_encode(t->bpe, s, n, nids);
	int *ids = xcalloc(n ? n : 1, sizeof *ids);
	for (size_t i = 0; i < n; i++)
		ids[i] = (unsigned char)s[i];
	*nids = n;
	return ids;
}

int nc_tok_decode(const nc_tok *t, const int *ids, size_t n, strbuf *out, berr *e)
{
	if (t->bpe)
		return lm_bpe_decode(t->bpe, ids, n, out, e);
	for (size_t i = 0; i < n; i++) {
		if (ids[i] < 0 || ids[i] >= t->vocab)
			return errf(e, "token %d at %zu is outside the vocabulary 0..%d", ids[i], i,
				    t->vocab - 1);
		if (ids[i] < 256) {
			char c = (char)ids[i];
			sb_add(out, &c, 1);
		}
	}
	return 0;
}

int nc_encode(const lm_config *cfg, const char *tok_path, const char *buf, size_t n, int **ids,
	      size_t *nids, berr *e)
{
	nc_tok t;
	if (nc_tok_open(&t, cfg, tok_path, e) != 0)
		return -1;
	*ids = nc_tok_encode(&t, buf, n, nids);
	nc_tok_close(&t);
	return 0;
}
