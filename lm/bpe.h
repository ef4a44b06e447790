/* bpe.h - a byte-level BPE tokenizer trained in C: ids 0..255 are the bytes, then one id per
 * merge in the order the merges were learnt, then BOS, EOS and PAD. The text is first cut into
 * chunks (an identifier or number with at most one leading space, a newline with the
 * indentation after it, a run of spaces, a run of punctuation with at most one leading space),
 * and merges never cross a chunk. Training picks, at each step, the most frequent adjacent
 * pair (the smallest pair (a, b) on a tie), so the merge order is a function of the text. Any
 * bytes round-trip: decode(encode(s)) == s. The file has a magic number, a version and an
 * XXH3-64 checksum (docs/NANOCODER.md). */
#ifndef BURN_LM_BPE_H
#define BURN_LM_BPE_H

#include <stddef.h>

#include "gen/util.h"

/* The tokenizer kind recorded in lm_config.tok (beside LM_TOK_BYTE of lm/tok.h). */
enum { LM_TOK_BPE = 2 };

/* File format version and limits. */
enum { LM_BPE_VERSION = 1, LM_BPE_MIN_VOCAB = 259, LM_BPE_MAX_VOCAB = 1 << 20 };

typedef struct lm_bpe lm_bpe;

/* Learns vocab - 259 merges from n bytes of text (vocab counts the 256 bytes and the three
 * specials). NULL with e set if vocab is out of range or the text has too few distinct pairs. */
lm_bpe *lm_bpe_train(const char *text, size_t n, int vocab, berr *e);
/* Frees b (may be NULL). */
void lm_bpe_free(lm_bpe *b);

/* Writes b to path atomically. */
int lm_bpe_save(const lm_bpe *b, const char *path, berr *e);
/* Reads a tokenizer file; NULL with e set (naming path and what is wrong) if it is not one. */
lm_bpe *lm_bpe_load(const char *path, berr *e);

/* The number of ids (bytes + merges + 3 specials). */
int lm_bpe_vocab(const lm_bpe *b);
/* The special ids. */
int lm_bpe_bos(const lm_bpe *b);
int lm_bpe_eos(const lm_bpe *b);
int lm_bpe_pad(const lm_bpe *b);
/* The merge that made id 256 + i: its two parts in *a and *b. */
void lm_bpe_merge(const lm_bpe *b, int i, int *a, int *bb);
/* The bytes of token id (NULL and *len 0 for a special or an id outside the vocabulary). */
const char *lm_bpe_token(const lm_bpe *b, int id, size_t *len);

/* Splits s[0..n) at chunk boundaries: the end of the chunk starting at pos. */
size_t lm_bpe_chunk_end(const char *s, size_t n, size_t pos);
/* Encodes n bytes into a new array of ids; *nids gets its length. */
int *lm_bpe_encode(const lm_bpe *b, const char *s, size_t n, size_t *nids);
/* Appends the text of n ids to out (specials left out); -1 with e set for an id outside the
 * vocabulary. */
int lm_bpe_decode(const lm_bpe *b, const int *ids, size_t n, strbuf *out, berr *e);

#endif
