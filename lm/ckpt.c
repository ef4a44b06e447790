/* ckpt.c - model, adapter and training-state files (docs/LM.md: "Checkpoint format"). */
#include "lm/ckpt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "lm/mat.h"

/* Magic numbers, 8 bytes each. */
static const char magic_model[8] = {'B', 'R', 'N', 'L', 'M', 'M', 'O', 'D'};
static const char magic_lora[8] = {'B', 'R', 'N', 'L', 'M', 'L', 'R', 'A'};
static const char magic_state[8] = {'B', 'R', 'N', 'L', 'M', 'S', 'T', 'A'};

enum {
	CFG_LEN = 7 * 4,                   /* the lm_config fields, u32 each */
	LCFG_LEN = 3 * 4 + 8,              /* rank, alpha, targets, base checksum */
	HP_LEN = 5 * 4,                    /* beta1, beta2, eps, weight decay, clip */
	MODEL_HDR = 8 + 4 + CFG_LEN + 8,   /* magic, version, config, count */
	LORA_HDR = 8 + 4 + CFG_LEN + LCFG_LEN + 8,
	STATE_HDR = 8 + 4 + CFG_LEN + 3 * 4 + LCFG_LEN + 8 + 32 + HP_LEN + 8,
	SUM_LEN = 8, /* XXH3-64 of every byte before it */
	MAX_FILE = 1 << 30,
};

/* ---- bytes ---- */

typedef struct {
	unsigned char *b;
	size_t len, cap;
} wbuf;

static void w_bytes(wbuf *w, const void *p, size_t n)
{
	if (w->len + n > w->cap)
		die(EXIT_INTERNAL, "checkpoint buffer overflow (%zu + %zu > %zu)", w->len, n, w->cap);
	memcpy(w->b + w->len, p, n);
	w->len += n;
}

static void w_u32(wbuf *w, uint32_t v)
{
	unsigned char b[4];
	for (int i = 0; i < 4; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	w_bytes(w, b, 4);
}

static void w_u64(wbuf *w, uint64_t v)
{
	unsigned char b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (unsigned char)(v >> (8 * i));
	w_bytes(w, b, 8);
}

static void w_f32(wbuf *w, float f)
{
	uint32_t v;
	memcpy(&v, &f, 4);
	w_u32(w, v);
}

static void w_floats(wbuf *w, const float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		w_f32(w, x[i]);
}

typedef struct {
	const unsigned char *b;
	size_t len, pos;
} rbuf;

static uint32_t r_u32(rbuf *r)
{
	uint32_t v = 0;
	for (int i = 3; i >= 0; i--)
		v = v << 8 | r->b[r->pos + i];
	r->pos += 4;
	return v;
}

static uint64_t r_u64(rbuf *r)
{
	uint64_t v = 0;
	for (int i = 7; i >= 0; i--)
		v = v << 8 | r->b[r->pos + i];
	r->pos += 8;
	return v;
}

static float r_f32(rbuf *r)
{
	uint32_t v = r_u32(r);
	float f;
	memcpy(&f, &v, 4);
	return f;
}

static void r_floats(rbuf *r, float *x, size_t n)
{
	for (size_t i = 0; i < n; i++)
		x[i] = r_f32(r);
}

uint64_t lm_params_checksum(const lm_model *m)
{
	XXH3_state_t *st = XXH3_createState();
	if (!st || XXH3_64bits_reset(st) == XXH_ERROR)
		die(EXIT_INTERNAL, "out of memory (hash state)");
	unsigned char chunk[4096];
	wbuf w = {chunk, 0, sizeof chunk};
	for (size_t i = 0; i < m->nparams; i++) {
		if (w.len == w.cap) {
			if (XXH3_64bits_update(st, chunk, w.len) == XXH_ERROR)
				die(EXIT_INTERNAL, "xxhash update failed");
			w.len = 0;
		}
		w_f32(&w, m->params_mem[i]);
	}
	if (XXH3_64bits_update(st, chunk, w.len) == XXH_ERROR)
		die(EXIT_INTERNAL, "xxhash update failed");
	uint64_t h = XXH3_64bits_digest(st);
	XXH3_freeState(st);
	return h;
}

/* ---- common header parts ---- */

static void w_config(wbuf *w, const lm_config *c)
{
	int f[7] = {c->vocab, c->ctx, c->hidden, c->heads, c->layers, c->mlp, c->tok};
	for (int i = 0; i < 7; i++)
		w_u32(w, (uint32_t)f[i]);
}

static lm_config r_config(rbuf *r)
{
	int f[7];
	for (int i = 0; i < 7; i++) {
		uint32_t v = r_u32(r);
		f[i] = v > (uint32_t)INT32_MAX ? -1 : (int)v;
	}
	return (lm_config){f[0], f[1], f[2], f[3], f[4], f[5], f[6]};
}

/* "-1 with e set" naming every field where a and b differ; 0 if none does. */
static int config_diff(const char *path, const char *what, const lm_config *file,
		       const lm_config *have, berr *e)
{
	const char *names[7] = {"vocab", "ctx", "hidden", "heads", "layers", "mlp", "tok"};
	int a[7] = {file->vocab, file->ctx, file->hidden, file->heads, file->layers, file->mlp,
		    file->tok};
	int b[7] = {have->vocab, have->ctx, have->hidden, have->heads, have->layers, have->mlp,
		    have->tok};
	char msg[400] = "";
	size_t len = 0;
	for (int i = 0; i < 7; i++)
		if (a[i] != b[i] && len < sizeof msg)
			len += (size_t)snprintf(msg + len, sizeof msg - len, "%s%s %d (%s %d)",
						len ? ", " : "", names[i], a[i], what, b[i]);
	if (!len)
		return 0;
	return errf(e, "%s: config mismatch: the file has %s", path, msg);
}

static void w_lcfg(wbuf *w, const lm_lora_config *lc, uint64_t base_sum)
{
	w_u32(w, (uint32_t)lc->rank);
	w_f32(w, lc->alpha);
	w_u32(w, lc->targets);
	w_u64(w, base_sum);
}

static lm_lora_config r_lcfg(rbuf *r, uint64_t *base_sum)
{
	lm_lora_config lc;
	uint32_t rank = r_u32(r);
	lc.rank = rank > 1u << 30 ? -1 : (int)rank;
	lc.alpha = r_f32(r);
	lc.targets = r_u32(r);
	*base_sum = r_u64(r);
	return lc;
}

/* Appends the checksum and writes the file. */
static int finish(const char *path, wbuf *w, berr *e)
{
	w_u64(w, XXH3_64bits(w->b, w->len));
	if (w->len != w->cap)
		die(EXIT_INTERNAL, "checkpoint size %zu, computed %zu", w->len, w->cap);
	int rc = write_file_atomic(path, w->b, w->len, false, e);
	free(w->b);
	return rc;
}

static wbuf new_wbuf(size_t n)
{
	return (wbuf){xmalloc(n), 0, n};
}

/* Reads path and checks magic and version; -1 with e set (and nothing to free) if not. */
static int open_file(const char *path, const char magic[8], const char *kind, rbuf *r, berr *e)
{
	char *buf;
	size_t len;
	if (read_file(path, MAX_FILE, &buf, &len, e) != 0)
		return -1;
	*r = (rbuf){(const unsigned char *)buf, len, 0};
	const struct {
		const char *m, *name;
	} kinds[] = {{magic_model, "base model"}, {magic_lora, "LoRA adapter"},
		     {magic_state, "training state"}};
	if (len < 12) {
		errf(e, "%s: truncated: %zu bytes, shorter than any %s file header", path, len,
		     kind);
		goto fail;
	}
	if (memcmp(buf, magic, 8) != 0) {
		for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
			if (memcmp(buf, kinds[i].m, 8) == 0) {
				errf(e, "%s: is a %s file, not a %s file", path, kinds[i].name, kind);
				goto fail;
			}
		errf(e, "%s: not a BurnTTT LM %s file (bad magic number; want \"%.8s\")", path,
		     kind, magic);
		goto fail;
	}
	r->pos = 8;
	uint32_t version = r_u32(r);
	if (version != LM_CKPT_VERSION) {
		errf(e, "%s: %s file format version %u; this burn reads version %d", path, kind,
		     version, LM_CKPT_VERSION);
		goto fail;
	}
	return 0;
fail:
	free(buf);
	return -1;
}

/* Checks that the file is exactly hdr + 4*nfloats + checksum bytes and the checksum fits. */
static int check_body(const char *path, rbuf *r, size_t hdr, uint64_t nfloats, berr *e)
{
	if (r->len < hdr)
		return errf(e, "%s: truncated: %zu bytes, the header alone needs %zu", path, r->len,
			    hdr);
	if (nfloats > (MAX_FILE - hdr) / 4)
		return errf(e, "%s: corrupt header: %llu values is more than the file can hold",
			    path, (unsigned long long)nfloats);
	size_t want = hdr + 4 * (size_t)nfloats + SUM_LEN;
	if (r->len < want)
		return errf(e, "%s: truncated: %zu bytes, the header promises %zu", path, r->len,
			    want);
	if (r->len > want)
		return errf(e, "%s: %zu trailing bytes after the %zu the header promises", path,
			    r->len - want, want);
	rbuf s = {r->b, r->len, want - SUM_LEN};
	if (r_u64(&s) != XXH3_64bits(r->b, want - SUM_LEN))
		return errf(e, "%s: checksum mismatch: the file is corrupt", path);
	return 0;
}

/* Peeks the u64 count at offset off (the header length is checked first). */
static uint64_t count_at(const rbuf *r, size_t off, size_t hdr)
{
	if (r->len < hdr)
		return 0;
	rbuf c = {r->b, r->len, off};
	return r_u64(&c);
}

/* ---- base model ---- */

int lm_save(const char *path, const lm_model *m, berr *e)
{
	wbuf w = new_wbuf(MODEL_HDR + 4 * m->nparams + SUM_LEN);
	w_bytes(&w, magic_model, 8);
	w_u32(&w, LM_CKPT_VERSION);
	w_config(&w, &m->cfg);
	w_u64(&w, m->nparams);
	w_floats(&w, m->params_mem, m->nparams);
	return finish(path, &w, e);
}

lm_model *lm_load(const char *path, const lm_config *want, berr *e)
{
	rbuf r;
	lm_model *m = NULL;
	if (open_file(path, magic_model, "base model", &r, e) != 0)
		return NULL;
	uint64_t n = count_at(&r, MODEL_HDR - 8, MODEL_HDR);
	if (check_body(path, &r, MODEL_HDR, n, e) != 0)
		goto out;
	lm_config c = r_config(&r);
	berr ce;
	if (lm_config_check(&c, &ce) != 0) {
		errf(e, "%s: bad config: %s", path, ce.msg);
		goto out;
	}
	if (want && config_diff(path, "wanted", &c, want, e) != 0)
		goto out;
	if (r_u64(&r) != lm_config_nparams(&c)) {
		errf(e, "%s: corrupt header: %llu parameters, the config has %zu", path,
		     (unsigned long long)n, lm_config_nparams(&c));
		goto out;
	}
	m = lm_new(&c, 0, e);
	if (m)
		r_floats(&r, m->params_mem, m->nparams);
out:
	free((void *)r.b);
	return m;
}

/* ---- adapters ---- */

int lm_save_lora(const char *path, const lm_model *m, berr *e)
{
	if (!m->has_lora)
		return errf(e, "%s: the model has no LoRA adapters to save", path);
	wbuf w = new_wbuf(LORA_HDR + 4 * m->nlora + SUM_LEN);
	w_bytes(&w, magic_lora, 8);
	w_u32(&w, LM_CKPT_VERSION);
	w_config(&w, &m->cfg);
	w_lcfg(&w, &m->lcfg, lm_params_checksum(m));
	w_u64(&w, m->nlora);
	w_floats(&w, m->lora_mem, m->nlora);
	return finish(path, &w, e);
}

/* Checks an adapter header against m: config, LoRA shape, base checksum. */
static int check_adapter(const char *path, const lm_model *m, const lm_config *c,
			 const lm_lora_config *lc, uint64_t base_sum, berr *e)
{
	if (config_diff(path, "this model", c, &m->cfg, e) != 0)
		return -1;
	berr le;
	if (lm_lora_config_check(lc, &le) != 0)
		return errf(e, "%s: bad LoRA config: %s", path, le.msg);
	uint64_t have = lm_params_checksum(m);
	if (base_sum != have)
		return errf(e,
			    "%s: the adapters belong to another base model (base checksum "
			    "%016llx, this model's %016llx)",
			    path, (unsigned long long)base_sum, (unsigned long long)have);
	return 0;
}

int lm_load_lora(const char *path, lm_model *m, berr *e)
{
	rbuf r;
	int rc = -1;
	if (open_file(path, magic_lora, "LoRA adapter", &r, e) != 0)
		return -1;
	uint64_t n = count_at(&r, LORA_HDR - 8, LORA_HDR);
	if (check_body(path, &r, LORA_HDR, n, e) != 0)
		goto out;
	lm_config c = r_config(&r);
	uint64_t base_sum;
	lm_lora_config lc = r_lcfg(&r, &base_sum);
	if (check_adapter(path, m, &c, &lc, base_sum, e) != 0)
		goto out;
	if (lm_lora_add(m, &lc, 0, e) != 0)
		goto out;
	if (r_u64(&r) != m->nlora) {
		errf(e, "%s: corrupt header: %llu adapter values, the config has %zu", path,
		     (unsigned long long)n, m->nlora);
		goto out;
	}
	r_floats(&r, m->lora_mem, m->nlora);
	rc = 0;
out:
	free((void *)r.b);
	return rc;
}

/* ---- training state ---- */

int lm_save_state(const char *path, const lm_model *m, const lm_adamw *o, const rng *data,
		  berr *e)
{
	lm_block b = lm_trainable((lm_model *)m);
	if (!b.n)
		return errf(e, "%s: the model is not in a training mode", path);
	if (o->n != b.n)
		return errf(e, "%s: optimizer state holds %zu values, the trained block %zu", path,
			    o->n, b.n);
	wbuf w = new_wbuf(STATE_HDR + 3 * 4 * b.n + SUM_LEN);
	w_bytes(&w, magic_state, 8);
	w_u32(&w, LM_CKPT_VERSION);
	w_config(&w, &m->cfg);
	w_u32(&w, (uint32_t)m->mode);
	w_u32(&w, (uint32_t)lm_get_kernel());
	w_u32(&w, (uint32_t)lm_get_threads());
	lm_lora_config none = {0};
	bool lora = m->mode == LM_TRAIN_LORA;
	w_lcfg(&w, lora ? &m->lcfg : &none, lora ? lm_params_checksum(m) : 0);
	w_u64(&w, (uint64_t)o->step);
	for (int i = 0; i < 4; i++)
		w_u64(&w, data ? data->s[i] : 0);
	const lm_adamw_hp *h = &o->hp;
	float hp[5] = {h->beta1, h->beta2, h->eps, h->weight_decay, h->grad_clip};
	for (int i = 0; i < 5; i++)
		w_f32(&w, hp[i]);
	w_u64(&w, b.n);
	w_floats(&w, b.params, b.n);
	w_floats(&w, o->m, b.n);
	w_floats(&w, o->v, b.n);
	return finish(path, &w, e);
}

int lm_load_state(const char *path, lm_model *m, lm_adamw *o, rng *data, berr *e)
{
	rbuf r;
	int rc = -1;
	if (open_file(path, magic_state, "training state", &r, e) != 0)
		return -1;
	uint64_t n = count_at(&r, STATE_HDR - 8, STATE_HDR);
	if (n > UINT64_MAX / 3 || check_body(path, &r, STATE_HDR, 3 * n, e) != 0) {
		if (n > UINT64_MAX / 3)
			errf(e, "%s: corrupt header: %llu values", path, (unsigned long long)n);
		goto out;
	}
	lm_config c = r_config(&r);
	if (config_diff(path, "this model", &c, &m->cfg, e) != 0)
		goto out;
	uint32_t mode = r_u32(&r), kernel = r_u32(&r), threads = r_u32(&r);
	if (kernel > LM_KERNEL_NAIVE || threads < 1 || threads > 4096) {
		errf(e, "%s: corrupt header: kernel %u, %u threads", path, kernel, threads);
		goto out;
	}
	uint64_t base_sum;
	lm_lora_config lc = r_lcfg(&r, &base_sum);
	if (mode == LM_TRAIN_LORA) {
		if (check_adapter(path, m, &c, &lc, base_sum, e) != 0)
			goto out;
		if (!m->has_lora || m->lcfg.rank != lc.rank || m->lcfg.alpha != lc.alpha ||
		    m->lcfg.targets != lc.targets)
			if (lm_lora_add(m, &lc, 0, e) != 0)
				goto out;
	} else if (mode != LM_TRAIN_BASE) {
		errf(e, "%s: corrupt header: training mode %u", path, mode);
		goto out;
	}
	if (lm_set_mode(m, (lm_train_mode)mode, e) != 0)
		goto out;
	long step = (long)r_u64(&r);
	rng d;
	for (int i = 0; i < 4; i++)
		d.s[i] = r_u64(&r);
	lm_adamw_hp hp;
	hp.beta1 = r_f32(&r);
	hp.beta2 = r_f32(&r);
	hp.eps = r_f32(&r);
	hp.weight_decay = r_f32(&r);
	hp.grad_clip = r_f32(&r);
	lm_block b = lm_trainable(m);
	if (r_u64(&r) != b.n) {
		errf(e, "%s: corrupt header: %llu trained values, the model's block has %zu", path,
		     (unsigned long long)n, b.n);
		goto out;
	}
	lm_adamw_free(o);
	lm_adamw_init(o, &hp, b.n);
	o->step = step;
	r_floats(&r, b.params, b.n);
	r_floats(&r, o->m, b.n);
	r_floats(&r, o->v, b.n);
	if (data)
		*data = d;
	/* sgemm results depend on the kernel and on OpenBLAS's thread count (it splits the
	 * output by threads and edge tiles sum in another order): resume with the same ones */
	lm_set_kernel((lm_kernel)kernel);
	lm_set_threads((int)threads);
	rc = 0;
out:
	free((void *)r.b);
	return rc;
}
