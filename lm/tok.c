/* tok.c - the byte-level tokenizer. */
#include "lm/tok.h"

int lm_tok_init(lm_tok *t, int kind, berr *e)
{
	if (kind != LM_TOK_BYTE)
		return errf(e, "unknown tokenizer kind %d (this burn knows 1, byte-level)", kind);
	*t = (lm_tok){.kind = kind, .vocab = LM_BYTE_VOCAB, .bos = LM_BYTE_BOS,
		      .eos = LM_BYTE_EOS, .pad = LM_BYTE_PAD};
	return 0;
}

size_t lm_tok_encode(const lm_tok *t, const char *s, size_t n, int *ids, size_t cap)
{
	(void)t;
	for (size_t i = 0; i < n && i < cap; i++)
		ids[i] = (unsigned char)s[i];
	return n;
}

int lm_tok_is_special(const lm_tok *t, int id)
{
	return id == t->bos || id == t->eos || id == t->pad;
}

int lm_tok_decode(const lm_tok *t, const int *ids, size_t n, strbuf *out, berr *e)
{
	for (size_t i = 0; i < n; i++) {
		if (ids[i] < 0 || ids[i] >= t->vocab)
			return errf(e, "token id %d at %zu is outside the vocabulary 0..%d", ids[i], i,
				    t->vocab - 1);
		if (ids[i] < 256) {
			char c = (char)(unsigned char)ids[i];
			sb_add(out, &c, 1);
		}
	}
	return 0;
}
