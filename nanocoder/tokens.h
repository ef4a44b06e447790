/* tokens.h - the tokenizer a NanoCoder model names in lm_config.tok: bytes (lm/tok.h) or a
 * BPE file (lm/bpe.h), behind one small interface for training, evaluation and sampling. */
#ifndef BURN_NC_TOKENS_H
#define BURN_NC_TOKENS_H

#include <stddef.h>

#include "gen/util.h"
#include "lm/bpe.h"
#include "lm/model.h"

typedef struct {
	int kind;     /* LM_TOK_BYTE or LM_TOK_BPE */
	int vocab;
	lm_bpe *bpe;  /* BPE only */
	size_t *len;  /* (vocab) bytes of text each id stands for; 0 for the specials */
} nc_tok;

/* Opens the tokenizer cfg names (the BPE file from path, which it then needs); checks that
 * its vocabulary is cfg's. -1 with e set if not. */
int nc_tok_open(nc_tok *t, const lm_config *cfg, const char *path, berr *e);
/* Frees what nc_tok_open allocated. */
void nc_tok_close(nc_tok *t);
/* The ids of n bytes of s, in a new array of *nids. */
int *nc_tok_encode(const nc_tok *t, const char *s, size_t n, size_t *nids);
/* Appends the text of n ids to out (specials left out); -1 with e set for a bad id. */
int nc_tok_decode(const nc_tok *t, const int *ids, size_t n, strbuf *out, berr *e);

/* Token ids of buf under cfg's tokenizer (BPE read from tok_path): nc_tok_open + encode. */
int nc_encode(const lm_config *cfg, const char *tok_path, const char *buf, size_t n, int **ids,
	      size_t *nids, berr *e);

#endif
