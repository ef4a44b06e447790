/* tok.h - tokenizers. Now: byte-level, 256 byte tokens and three specials. The kind is
 * recorded in lm_config.tok so a checkpoint names its tokenizer; a BPE kind would add a merge
 * table to lm_tok (and to its own file) without changing callers. */
#ifndef BURN_LM_TOK_H
#define BURN_LM_TOK_H

#include <stddef.h>

#include "gen/util.h"

/* Tokenizer kinds (0 is "unspecified"). */
enum { LM_TOK_NONE = 0, LM_TOK_BYTE = 1 };

/* The byte tokenizer's ids: byte b is id b; then the specials. */
enum { LM_BYTE_BOS = 256, LM_BYTE_EOS = 257, LM_BYTE_PAD = 258, LM_BYTE_VOCAB = 259 };

typedef struct {
	int kind;
	int vocab;         /* number of ids */
	int bos, eos, pad; /* special ids */
} lm_tok;

/* Sets t up as a tokenizer of kind; -1 with e set for an unknown kind. */
int lm_tok_init(lm_tok *t, int kind, berr *e);
/* Encodes n bytes of s into ids (at most cap written); returns how many ids the whole text
 * needs (more than cap means it was cut, as with snprintf). */
size_t lm_tok_encode(const lm_tok *t, const char *s, size_t n, int *ids, size_t cap);
/* Appends the text of n ids to out, leaving the special tokens out; -1 with e set for an id
 * outside the vocabulary. */
int lm_tok_decode(const lm_tok *t, const int *ids, size_t n, strbuf *out, berr *e);
/* True if id is one of t's special tokens. */
int lm_tok_is_special(const lm_tok *t, int id);

#endif
