/* bpe.c - BPE training (pair counts with a lazy max-heap and per-pair word lists), encoding
 * by merge rank, decoding, and the tokenizer file. */
#include "lm/bpe.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

struct lm_bpe {
	int nmerges;
	int *merges;      /* (nmerges, 2): id 256 + i = merges[2i] merges[2i+1] */
	char **tok;       /* bytes of each non-special id */
	size_t *toklen;
	uint64_t *hkey;   /* pair (a << 32 | b) + 1 -> rank, open addressing; 0 is empty */
	int *hval;
	size_t hcap;
};

static int is_word(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c >= 0x80;
}

static int is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

size_t lm_bpe_chunk_end(const char *s, size_t n, size_t pos)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = pos;
	unsigned char c = u[i];
	if (c == '\n') { /* a newline and the indentation after it */
		i++;
		while (i < n && (u[i] == ' ' || u[i] == '\t'))
			i++;
		return i;
	}
	if (c == ' ') {
		size_t k = i;
		while (k < n && u[k] == ' ')
			k++;
		int glued = k < n && !is_space(u[k]) && u[k] != '\n';
		if (k - i > 1 || !glued)
			return glued ? k - 1 : k; /* the last space goes with what follows */
		i++; /* one space, then a word or punctuation */
		c = u[i];
	} else if (is_space(c)) {
		while (i < n && u[i] == c)
			i++;
		return i;
	}
	if (is_word(c)) {
		while (i < n && is_word(u[i]))
			i++;
		return i;
	}
	while (i < n && !is_word(u[i]) && !is_space(u[i]) && u[i] != '\n')
		i++;
	return i;
}

/* ---- a map from 64-bit keys to ints (open addressing, linear probing) ---- */

typedef struct {
	uint64_t *k; /* stored as key + 1; 0 is empty */
	int *v;
	size_t cap, n;
} imap;

static size_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static void imap_init(imap *m, size_t cap)
{
	m->cap = cap;
	m->n = 0;
	m->k = xcalloc(cap, sizeof *m->k);
	m->v = xcalloc(cap, sizeof *m->v);
}

static void imap_free(imap *m)
{
	free(m->k);
	free(m->v);
}

/* The slot of key (empty if absent). */
static size_t imap_slot(const imap *m, uint64_t key)
{
	size_t i = mix(key) & (m->cap - 1);
	while (m->k[i] && m->k[i] != key + 1)
		i = (i + 1) & (m->cap - 1);
	return i;
}

static int imap_get(const imap *m, uint64_t key, int dflt)
{
	size_t i = imap_slot(m, key);
	return m->k[i] ? m->v[i] : dflt;
}

static void imap_put(imap *m, uint64_t key, int v)
{
	if (2 * (m->n + 1) > m->cap) {
		imap old = *m;
		imap_init(m, old.cap * 2);
		for (size_t i = 0; i < old.cap; i++)
			if (old.k[i]) {
				size_t j = imap_slot(m, old.k[i] - 1);
				m->k[j] = old.k[i];
				m->v[j] = old.v[i];
				m->n++;
			}
		imap_free(&old);
	}
	size_t i = imap_slot(m, key);
	if (!m->k[i]) {
		m->k[i] = key + 1;
		m->n++;
	}
	m->v[i] = v;
}

static uint64_t pkey(int a, int b)
{
	return (uint64_t)(uint32_t)a << 32 | (uint32_t)b;
}

/* ---- training ---- */

typedef struct {
	long count;
	int *words; /* words that held the pair when it was counted (may repeat or be stale) */
	size_t nw, cw;
} pairinfo;

typedef struct {
	long count;
	uint64_t key;
} hent;

typedef struct {
	imap idx; /* pair key -> index into p */
	pairinfo *p;
	size_t n, cap;
	hent *heap;
	size_t hn, hcap;
} pairs;

static int heap_less(const hent *x, const hent *y) /* x ranks below y */
{
	return x->count < y->count || (x->count == y->count && x->key > y->key);
}

static void heap_push(pairs *ps, long count, uint64_t key)
{
	if (ps->hn == ps->hcap) {
		ps->hcap = ps->hcap ? 2 * ps->hcap : 1024;
		ps->heap = xreallocarray(ps->heap, ps->hcap, sizeof *ps->heap);
	}
	size_t i = ps->hn++;
	ps->heap[i] = (hent){count, key};
	while (i > 0 && heap_less(&ps->heap[(i - 1) / 2], &ps->heap[i])) {
		hent t = ps->heap[i];
		ps->heap[i] = ps->heap[(i - 1) / 2];
		ps->heap[(i - 1) / 2] = t;
		i = (i - 1) / 2;
	}
}

static hent heap_pop(pairs *ps)
{
	hent top = ps->heap[0];
	ps->heap[0] = ps->heap[--ps->hn];
	size_t i = 0;
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, big = i;
		if (l < ps->hn && heap_less(&ps->heap[big], &ps->heap[l]))
			big = l;
		if (r < ps->hn && heap_less(&ps->heap[big], &ps->heap[r]))
			big = r;
		if (big == i)
			break;
		hent t = ps->heap[i];
		ps->heap[i] = ps->heap[big];
		ps->heap[big] = t;
		i = big;
	}
	return top;
}

static pairinfo *pair_get(pairs *ps, int a, int b)
{
	uint64_t k = pkey(a, b);
	int i = imap_get(&ps->idx, k, -1);
	if (i < 0) {
		if (ps->n == ps->cap) {
			ps->cap = ps->cap ? 2 * ps->cap : 1024;
			ps->p = xreallocarray(ps->p, ps->cap, sizeof *ps->p);
		}
		i = (int)ps->n++;
		ps->p[i] = (pairinfo){0};
		imap_put(&ps->idx, k, i);
	}
	return &ps->p[i];
}

/* Adds delta (occurrences times the word's count) to pair (a, b) of word w. */
static void pair_add(pairs *ps, int a, int b, long delta, int w)
{
	pairinfo *p = pair_get(ps, a, b);
	p->count += delta;
	if (delta > 0) {
		if (p->nw == p->cw) {
			p->cw = p->cw ? 2 * p->cw : 4;
			p->words = xreallocarray(p->words, p->cw, sizeof *p->words);
		}
		p->words[p->nw++] = w;
	}
	heap_push(ps, p->count, pkey(a, b));
}

static void pairs_free(pairs *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->p[i].words);
	free(ps->p);
	free(ps->heap);
	imap_free(&ps->idx);
}

static void bpe_build_tokens(lm_bpe *b)
{
	int v = 256 + b->nmerges;
	b->tok = xcalloc((size_t)v, sizeof *b->tok);
	b->toklen = xcalloc((size_t)v, sizeof *b->toklen);
	for (int i = 0; i < 256; i++) {
		b->tok[i] = xmalloc(1);
		b->tok[i][0] = (char)i;
		b->toklen[i] = 1;
	}
	b->hcap = 16;
	while (b->hcap < 4 * (size_t)(b->nmerges + 1))
		b->hcap *= 2;
	b->hkey = xcalloc(b->hcap, sizeof *b->hkey);
	b->hval = xcalloc(b->hcap, sizeof *b->hval);
	for (int i = 0; i < b->nmerges; i++) {
		int x = b->merges[2 * i], y = b->merges[2 * i + 1], id = 256 + i;
		b->toklen[id] = b->toklen[x] + b->toklen[y];
		b->tok[id] = xmalloc(b->toklen[id]);
		memcpy(b->tok[id], b->tok[x], b->toklen[x]);
		memcpy(b->tok[id] + b->toklen[x], b->tok[y], b->toklen[y]);
		uint64_t k = pkey(x, y) + 1;
		size_t j = mix(k - 1) & (b->hcap - 1);
		while (b->hkey[j] && b->hkey[j] != k)
			j = (j + 1) & (b->hcap - 1);
		if (!b->hkey[j]) { /* a pair merged twice keeps its first rank */
			b->hkey[j] = k;
			b->hval[j] = i;
		}
	}
}

/* The rank of merge (x, y), or -1. */
static int bpe_rank(const lm_bpe *b, int x, int y)
{
	uint64_t k = pkey(x, y) + 1;
	size_t j = mix(k - 1) & (b->hcap - 1);
	while (b->hkey[j]) {
		if (b->hkey[j] == k)
			return b->hval[j];
		j = (j + 1) & (b->hcap - 1);
	}
	return -1;
}

lm_bpe *lm_bpe_train(const char *text, size_t n, int vocab, berr *e)
{
	if (vocab < LM_BPE_MIN_VOCAB || vocab > LM_BPE_MAX_VOCAB) {
		errf(e, "BPE vocabulary %d is outside %d..%d", vocab, LM_BPE_MIN_VOCAB,
		     LM_BPE_MAX_VOCAB);
		return NULL;
	}
	int want = vocab - 259;
	/* Unique chunks with their counts: a map from the chunk's XXH3 to a word index, and the
	 * chunk's first occurrence to tell hash collisions apart. */
	imap cidx;
	imap_init(&cidx, 1 << 16);
	size_t nw = 0, cw = 0;
	size_t *woff = NULL, *wlen = NULL, *wsrc = NULL;
	long *wcnt = NULL;
	for (size_t pos = 0; pos < n;) {
		size_t end = lm_bpe_chunk_end(text, n, pos), len = end - pos;
		uint64_t h = XXH3_64bits(text + pos, len);
		for (;;) { /* probe on collisions: h, h+1, ... */
			int w = imap_get(&cidx, h, -1);
			if (w < 0) {
				if (nw == cw) {
					cw = cw ? 2 * cw : 1024;
					woff = xreallocarray(woff, cw, sizeof *woff);
					wlen = xreallocarray(wlen, cw, sizeof *wlen);
					wsrc = xreallocarray(wsrc, cw, sizeof *wsrc);
					wcnt = xreallocarray(wcnt, cw, sizeof *wcnt);
				}
				wsrc[nw] = pos;
				wlen[nw] = len;
				wcnt[nw] = 1;
				imap_put(&cidx, h, (int)nw++);
				break;
			}
			if (wlen[w] == len && memcmp(text + wsrc[w], text + pos, len) == 0) {
				wcnt[w]++;
				break;
			}
			h++;
		}
		pos = end;
	}
	imap_free(&cidx);
	/* Symbols of every word, one flat array; a word shrinks in place as pairs merge. */
	size_t total = 0;
	for (size_t w = 0; w < nw; w++) {
		woff[w] = total;
		total += wlen[w];
	}
	int *sym = xcalloc(total ? total : 1, sizeof *sym);
	for (size_t w = 0; w < nw; w++)
		for (size_t i = 0; i < wlen[w]; i++)
			sym[woff[w] + i] = (unsigned char)text[wsrc[w] + i];
	free(wsrc);
	pairs ps = {0};
	imap_init(&ps.idx, 1 << 16);
	for (size_t w = 0; w < nw; w++)
		for (size_t i = 0; i + 1 < wlen[w]; i++)
			pair_add(&ps, sym[woff[w] + i], sym[woff[w] + i + 1], wcnt[w], (int)w);
	lm_bpe *b = xcalloc(1, sizeof *b);
	b->merges = xcalloc(2 * (size_t)(want ? want : 1), sizeof *b->merges);
	long *stamp = xcalloc(nw ? nw : 1, sizeof *stamp);
	for (int m = 0; m < want; m++) {
		hent top = {0, 0};
		pairinfo *p = NULL;
		while (ps.hn > 0) {
			top = heap_pop(&ps);
			p = pair_get(&ps, (int)(top.key >> 32), (int)(uint32_t)top.key);
			if (p->count == top.count && top.count > 0)
				break; /* current; anything else is a stale entry */
			p = NULL;
		}
		if (!p || top.count < 2) {
			errf(e, "the text has only %d pairs that occur twice or more (wanted %d merges "
				"for a vocabulary of %d)", m, want, vocab);
			goto fail;
		}
		int a = (int)(top.key >> 32), bb = (int)(uint32_t)top.key, id = 256 + m;
		b->merges[2 * m] = a;
		b->merges[2 * m + 1] = bb;
		b->nmerges = m + 1;
		/* The word list may grow while we walk it (a == bb merges add to it): copy it. */
		size_t nl = p->nw;
		int *list = xmalloc((nl ? nl : 1) * sizeof *list);
		memcpy(list, p->words, nl * sizeof *list);
		for (size_t j = 0; j < nl; j++) {
			int w = list[j];
			if (stamp[w] == m + 1)
				continue;
			stamp[w] = m + 1;
			int *s = sym + woff[w];
			size_t L = wlen[w], i;
			for (i = 0; i + 1 < L; i++)
				if (s[i] == a && s[i + 1] == bb)
					break;
			if (i + 1 >= L)
				continue; /* stale: the pair left this word in an earlier merge */
			for (i = 0; i + 1 < L; i++)
				pair_add(&ps, s[i], s[i + 1], -wcnt[w], w);
			size_t o = 0;
			for (i = 0; i < L; i++) {
				if (i + 1 < L && s[i] == a && s[i + 1] == bb) {
					s[o++] = id;
					i++;
				} else {
					s[o++] = s[i];
				}
			}
			wlen[w] = o;
			for (i = 0; i + 1 < o; i++)
				pair_add(&ps, s[i], s[i + 1], wcnt[w], w);
		}
		free(list);
		/* This pair is gone; its list is no longer needed. */
		p = pair_get(&ps, a, bb);
		free(p->words);
		p->words = NULL;
		p->nw = p->cw = 0;
	}
	free(stamp);
	pairs_free(&ps);
	free(sym);
	free(woff);
	free(wlen);
	free(wcnt);
	bpe_build_tokens(b);
	return b;
fail:
	free(stamp);
	pairs_free(&ps);
	free(sym);
	free(woff);
	free(wlen);
	free(wcnt);
	free(b->merges);
	free(b);
	return NULL;
}

void lm_bpe_free(lm_bpe *b)
{
	if (!b)
		return;
	if (b->tok)
		for (int i = 0; i < 256 + b->nmerges; i++)
			free(b->tok[i]);
	free(b->tok);
	free(b->toklen);
	free(b->merges);
	free(b->hkey);
	free(b->hval);
	free(b);
}

int lm_bpe_vocab(const lm_bpe *b)
{
	return 256 + b->nmerges + 3;
}

int lm_bpe_bos(const lm_bpe *b)
{
	return 256 + b->nmerges;
}

int lm_bpe_eos(const lm_bpe *b)
{
	return 257 + b->nmerges;
}

int lm_bpe_pad(const lm_bpe *b)
{
	return 258 + b->nmerges;
}

void lm_bpe_merge(const lm_bpe *b, int i, int *a, int *bb)
{
	*a = b->merges[2 * i];
	*bb = b->merges[2 * i + 1];
}

const char *lm_bpe_token(const lm_bpe *b, int id, size_t *len)
{
	if (id < 0 || id >= 256 + b->nmerges) {
		*len = 0;
		return NULL;
	}
	*len = b->toklen[id];
	return b->tok[id];
}

int *lm_bpe_encode(const lm_bpe *b, const char *s, size_t n, size_t *nids)
{
	int *out = xcalloc(n ? n : 1, sizeof *out); /* never more ids than bytes */
	size_t no = 0;
	int *buf = NULL;
	size_t cap = 0;
	for (size_t pos = 0; pos < n;) {
		size_t end = lm_bpe_chunk_end(s, n, pos), L = end - pos;
		if (L > cap) {
			cap = L;
			buf = xreallocarray(buf, cap, sizeof *buf);
		}
		for (size_t i = 0; i < L; i++)
			buf[i] = (unsigned char)s[pos + i];
		for (;;) { /* apply the lowest-ranked merge present, everywhere, left to right */
			int best = -1;
			for (size_t i = 0; i + 1 < L; i++) {
				int r = bpe_rank(b, buf[i], buf[i + 1]);
				if (r >= 0 && (best < 0 || r < best))
					best = r;
			}
			if (best < 0)
				break;
			int x = b->merges[2 * best], y = b->merges[2 * best + 1];
			size_t o = 0;
			for (size_t i = 0; i < L; i++) {
				if (i + 1 < L && buf[i] == x && buf[i + 1] == y) {
					buf[o++] = 256 + best;
					i++;
				} else {
					buf[o++] = buf[i];
				}
			}
			L = o;
		}
		memcpy(out + no, buf, L * sizeof *buf);
		no += L;
		pos = end;
	}
	free(buf);
	*nids = no;
	return out;
}

int lm_bpe_decode(const lm_bpe *b, const int *ids, size_t n, strbuf *out, berr *e)
{
	int v = lm_bpe_vocab(b);
	for (size_t i = 0; i < n; i++) {
		if (ids[i] < 0 || ids[i] >= v)
			return errf(e, "token %d at %zu is outside the vocabulary 0..%d", ids[i], i,
				    v - 1);
		if (ids[i] < 256 + b->nmerges)
			sb_add(out, b->tok[ids[i]], b->toklen[ids[i]]);
	}
	return 0;
}

/* ---- the file: magic, u32 version, u32 vocab, u32 nmerges, nmerges x (u32, u32), u64 XXH3 */

static const char bpe_magic[8] = {'B', 'R', 'N', 'L', 'M', 'B', 'P', 'E'};

static void put32(strbuf *s, uint32_t v)
{
	unsigned char c[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
			      (unsigned char)(v >> 24)};
	sb_add(s, (const char *)c, 4);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
	return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

int lm_bpe_save(const lm_bpe *b, const char *path, berr *e)
{
	strbuf s = {0};
	sb_add(&s, bpe_magic, 8);
	put32(&s, LM_BPE_VERSION);
	put32(&s, (uint32_t)lm_bpe_vocab(b));
	put32(&s, (uint32_t)b->nmerges);
	for (int i = 0; i < 2 * b->nmerges; i++)
		put32(&s, (uint32_t)b->merges[i]);
	uint64_t h = XXH3_64bits(s.s, s.len);
	put32(&s, (uint32_t)h);
	put32(&s, (uint32_t)(h >> 32));
	int rc = write_file_atomic(path, s.s, s.len, true, e);
	sb_free(&s);
	return rc;
}

lm_bpe *lm_bpe_load(const char *path, berr *e)
{
	char *buf;
	size_t len;
	if (read_file(path, (size_t)16 << 20, &buf, &len, e) != 0)
		return NULL;
	const unsigned char *u = (const unsigned char *)buf;
	lm_bpe *b = NULL;
	if (len < 12) {
		errf(e, "%s: truncated: %zu bytes, shorter than any BPE tokenizer header", path, len);
		goto out;
	}
	if (memcmp(u, bpe_magic, 8) != 0) {
		errf(e, "%s: not a BurnTTT BPE tokenizer file (bad magic number)", path);
		goto out;
	}
	uint32_t ver = get32(u + 8);
	if (ver != LM_BPE_VERSION) {
		errf(e, "%s: BPE tokenizer file format version %u; this burn reads version %d", path,
		     ver, LM_BPE_VERSION);
		goto out;
	}
	if (len < 20 + 8) {
		errf(e, "%s: truncated: %zu bytes, the header alone needs 28", path, len);
		goto out;
	}
	uint32_t vocab = get32(u + 12), nm = get32(u + 16);
	if (nm > LM_BPE_MAX_VOCAB || vocab != nm + 259) {
		errf(e, "%s: bad header: vocabulary %u with %u merges (wanted merges + 259)", path,
		     vocab, nm);
		goto out;
	}
	size_t want = 20 + 8 * (size_t)nm + 8;
	if (len != want) {
		errf(e, "%s: %s: %zu bytes, the header promises %zu", path,
		     len < want ? "truncated" : "trailing bytes", len, want);
		goto out;
	}
	if (XXH3_64bits(u, want - 8) != get64(u + want - 8)) {
		errf(e, "%s: checksum mismatch: the file is corrupt", path);
		goto out;
	}
	b = xcalloc(1, sizeof *b);
	b->nmerges = (int)nm;
	b->merges = xcalloc(2 * (size_t)(nm ? nm : 1), sizeof *b->merges);
	for (uint32_t i = 0; i < 2 * nm; i++) {
		uint32_t x = get32(u + 20 + 4 * (size_t)i);
		if (x >= 256 + i / 2) {
			errf(e, "%s: merge %u names token %u, which does not exist before it", path,
			     i / 2, x);
			free(b->merges);
			free(b);
			b = NULL;
			goto out;
		}
		b->merges[i] = (int)x;
	}
	bpe_build_tokens(b);
out:
	free(buf);
	return b;
}
