/* synthrep.c - reports of Yosys, Vitis HLS and Vivado read into one struct, and the writer of
 * their result files. Two small scanners do the reading: a JSON one (for `stat -json` and
 * `write_json`) and an XML one (for csynth.xml), both with a callback per value, bounded
 * nesting and no allocation beyond what a caller keeps. */
#include "gen/synthrep.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/json.h"
#include "gen/result.h"

void sr_init(synthrep *r)
{
	memset(r, 0, sizeof *r);
	long *figs[] = {&r->lut, &r->ff, &r->dsp, &r->bram18, &r->ramb18, &r->ramb36, &r->uram,
			&r->lutram, &r->srl, &r->carry, &r->muxf, &r->logic_depth, &r->depth_lut,
			&r->depth_carry, &r->depth_muxf, &r->latency_best, &r->latency_worst,
			&r->ii_min, &r->ii_max};
	for (size_t k = 0; k < sizeof figs / sizeof figs[0]; k++)
		*figs[k] = SR_NONE;
	r->clock_ns_est = r->target_clock_ns = r->wns_ns = NAN;
}

/* Copies at most cap-1 bytes of s[0..n) into out, NUL-terminated; control bytes become '?'. */
static void copy_name(char *out, size_t cap, const char *s, size_t n)
{
	if (n > cap - 1)
		n = cap - 1;
	for (size_t k = 0; k < n; k++)
		out[k] = (unsigned char)s[k] < 0x20 || s[k] == 0x7f ? '?' : s[k];
	out[n] = '\0';
}

/* ---- JSON scanner ------------------------------------------------------------------------ */

enum { JKEY_MAX = 128, JSTR_MAX = 256 };

typedef enum { JV_OBJ, JV_ARR, JV_STR, JV_NUM, JV_LIT } jkind;

typedef struct {
	char key[JKEY_MAX]; /* member name of this value in its object ("" in an array) */
	bool key_cut;       /* the name was longer than JKEY_MAX - 1 bytes */
	long idx;           /* index in its array, or -1 */
} jframe;

typedef struct jparser jparser;
struct jparser {
	const char *s;
	size_t n, i;
	int depth;                      /* frames in path: path[depth-1] is the current value */
	jframe path[SR_MAX_DEPTH + 1];
	void *u;
	/* Called for every value, when it starts (JV_OBJ, JV_ARR) or when it has been read;
	 * str/slen hold a string (cut to JSTR_MAX - 1 bytes), num a number. Nonzero stops. */
	int (*on_value)(jparser *p, jkind k, const char *str, size_t slen, double num);
	/* Called when an object or array ends; nonzero stops. */
	int (*on_end)(jparser *p, jkind k);
	berr *e;
	bool stopped;                   /* a callback stopped the scan (e already set) */
};

static int jfail(jparser *p, const char *what)
{
	return errf(p->e, "malformed JSON at byte %zu: %s", p->i, what);
}

static void jws(jparser *p)
{
	while (p->i < p->n && (p->s[p->i] == ' ' || p->s[p->i] == '\t' || p->s[p->i] == '\n' ||
			       p->s[p->i] == '\r'))
		p->i++;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Reads a string at p->i (which is '"') into out (cap bytes, NUL-terminated); *len gets the
 * decoded length, which may exceed cap - 1 (the rest is dropped). Non-ASCII escapes become
 * '?'. */
static int jstring(jparser *p, char *out, size_t cap, size_t *len)
{
	size_t k = 0;
	p->i++;
	for (;;) {
		if (p->i >= p->n)
			return jfail(p, "unterminated string");
		unsigned char c = (unsigned char)p->s[p->i++];
		if (c == '"')
			break;
		if (c < 0x20)
			return jfail(p, "control character in a string");
		if (c == '\\') {
			if (p->i >= p->n)
				return jfail(p, "unterminated string");
			char x = p->s[p->i++];
			switch (x) {
			case '"': c = '"'; break;
			case '\\': c = '\\'; break;
			case '/': c = '/'; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				if (p->n - p->i < 4)
					return jfail(p, "short \\u escape");
				int v = 0;
				for (int d = 0; d < 4; d++) {
					int h = hexval(p->s[p->i++]);
					if (h < 0)
						return jfail(p, "bad \\u escape");
					v = v * 16 + h;
				}
				c = v < 0x80 ? (unsigned char)v : '?';
				break;
			}
			default:
				return jfail(p, "bad escape in a string");
			}
		}
		if (k + 1 < cap)
			out[k] = (char)c;
		k++;
	}
	out[k + 1 < cap ? k : cap - 1] = '\0';
	*len = k;
	return 0;
}

static int jnumber(jparser *p, double *out)
{
	size_t b = p->i;
	if (p->i < p->n && p->s[p->i] == '-')
		p->i++;
	if (p->i >= p->n)
		return jfail(p, "bad number");
	if (p->s[p->i] == '0') {
		p->i++;
	} else if (p->s[p->i] >= '1' && p->s[p->i] <= '9') {
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
	} else {
		return jfail(p, "bad number");
	}
	if (p->i < p->n && p->s[p->i] == '.') {
		p->i++;
		size_t d = p->i;
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
		if (p->i == d)
			return jfail(p, "bad number");
	}
	if (p->i < p->n && (p->s[p->i] == 'e' || p->s[p->i] == 'E')) {
		p->i++;
		if (p->i < p->n && (p->s[p->i] == '+' || p->s[p->i] == '-'))
			p->i++;
		size_t d = p->i;
		while (p->i < p->n && p->s[p->i] >= '0' && p->s[p->i] <= '9')
			p->i++;
		if (p->i == d)
			return jfail(p, "bad number");
	}
	char buf[64];
	if (p->i - b >= sizeof buf)
		return jfail(p, "number too long");
	memcpy(buf, p->s + b, p->i - b);
	buf[p->i - b] = '\0';
	*out = strtod(buf, NULL);
	return 0;
}

static int jvalue(jparser *p);

/* Calls a callback; a nonzero return stops the scan. */
static int jcall(jparser *p, int rc)
{
	if (rc != 0)
		p->stopped = true;
	return rc;
}

/* Pushes the frame of a child value; the caller fills its key or index. */
static jframe *jpush(jparser *p)
{
	jframe *f = &p->path[p->depth++];
	f->key[0] = '\0';
	f->key_cut = false;
	f->idx = -1;
	return f;
}

static int jcontainer(jparser *p, bool obj)
{
	if (p->depth >= SR_MAX_DEPTH)
		return jfail(p, "nested too deep");
	if (p->on_value && jcall(p, p->on_value(p, obj ? JV_OBJ : JV_ARR, NULL, 0, 0)) != 0)
		return -1;
	p->i++;
	jws(p);
	char close = obj ? '}' : ']';
	if (p->i < p->n && p->s[p->i] == close) {
		p->i++;
	} else {
		for (long idx = 0;; idx++) {
			jws(p);
			jframe *f = jpush(p);
			if (obj) {
				if (p->i >= p->n || p->s[p->i] != '"')
					return jfail(p, "expected a member name");
				size_t len;
				if (jstring(p, f->key, sizeof f->key, &len) != 0)
					return -1;
				f->key_cut = len >= sizeof f->key;
				jws(p);
				if (p->i >= p->n || p->s[p->i] != ':')
					return jfail(p, "expected ':'");
				p->i++;
			} else {
				f->idx = idx;
			}
			if (jvalue(p) != 0)
				return -1;
			p->depth--;
			jws(p);
			if (p->i < p->n && p->s[p->i] == ',') {
				p->i++;
				continue;
			}
			if (p->i < p->n && p->s[p->i] == close) {
				p->i++;
				break;
			}
			return jfail(p, obj ? "expected ',' or '}'" : "expected ',' or ']'");
		}
	}
	if (p->on_end && jcall(p, p->on_end(p, obj ? JV_OBJ : JV_ARR)) != 0)
		return -1;
	return 0;
}

static int jvalue(jparser *p)
{
	jws(p);
	if (p->i >= p->n)
		return jfail(p, "unexpected end");
	char c = p->s[p->i];
	if (c == '{' || c == '[')
		return jcontainer(p, c == '{');
	if (c == '"') {
		char buf[JSTR_MAX];
		size_t len;
		if (jstring(p, buf, sizeof buf, &len) != 0)
			return -1;
		if (p->on_value && jcall(p, p->on_value(p, JV_STR, buf, len < sizeof buf ? len : sizeof buf - 1, 0)) != 0)
			return -1;
		return 0;
	}
	if (c == '-' || (c >= '0' && c <= '9')) {
		double x = 0;
		if (jnumber(p, &x) != 0)
			return -1;
		if (p->on_value && jcall(p, p->on_value(p, JV_NUM, NULL, 0, x)) != 0)
			return -1;
		return 0;
	}
	static const char *const lits[] = {"true", "false", "null"};
	for (size_t k = 0; k < 3; k++) {
		size_t l = strlen(lits[k]);
		if (p->n - p->i >= l && memcmp(p->s + p->i, lits[k], l) == 0) {
			p->i += l;
			if (p->on_value && jcall(p, p->on_value(p, JV_LIT, lits[k], l, 0)) != 0)
				return -1;
			return 0;
		}
	}
	return jfail(p, "unexpected character");
}

/* Scans one JSON document. */
static int jscan(jparser *p, const char *text, size_t len, berr *e)
{
	p->s = text;
	p->n = len;
	p->i = 0;
	p->depth = 0;
	p->e = e;
	p->stopped = false;
	if (len > SR_MAX_BYTES)
		return errf(e, "report of %zu bytes is too large", len);
	jpush(p);
	if (jvalue(p) != 0)
		return -1;
	jws(p);
	if (p->i != p->n)
		return jfail(p, "trailing bytes after the document");
	return 0;
}

/* True if the frame at depth d (0 = root) is the member named key. */
static bool jat(const jparser *p, int d, const char *key)
{
	return d < p->depth && !p->path[d].key_cut && p->path[d].idx < 0 &&
	       strcmp(p->path[d].key, key) == 0;
}

/* ---- Yosys stat -json ---------------------------------------------------------------------- */

/* Which Yosys cells count as what (docs/SYNTH.md). LUTs as memory per primitive: a RAMnXmD
 * uses m LUTs per 64 bits of each port (UG474, UG574). */
static const struct {
	const char *type;
	int luts;
} lutram_cells[] = {
	{"RAM16X1S", 1}, {"RAM16X1S_1", 1}, {"RAM16X1D", 2}, {"RAM16X1D_1", 2},
	{"RAM32X1S", 1}, {"RAM32X1S_1", 1}, {"RAM32X1D", 2}, {"RAM32X1D_1", 2},
	{"RAM64X1S", 1}, {"RAM64X1S_1", 1}, {"RAM64X1D", 2}, {"RAM64X1D_1", 2},
	{"RAM128X1S", 2}, {"RAM128X1S_1", 2}, {"RAM128X1D", 4}, {"RAM256X1S", 4},
	{"RAM256X1D", 8}, {"RAM512X1S", 8}, {"RAM32X2S", 2}, {"RAM64X2S", 2},
	{"RAM32M", 4}, {"RAM64M", 4}, {"RAM32M16", 8}, {"RAM64M8", 8},
};

static bool has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* Maps r->cells to the resource figures. */
static void map_cells(synthrep *r)
{
	r->lut = r->ff = r->dsp = r->ramb18 = r->ramb36 = r->uram = r->lutram = r->srl = 0;
	r->carry = r->muxf = 0;
	for (int k = 0; k < r->n_cells; k++) {
		const char *t = r->cells[k].type;
		long n = r->cells[k].n;
		if ((has_prefix(t, "LUT") && t[3] >= '1' && t[3] <= '6' &&
		     (t[4] == '\0' || strcmp(t + 4, "_2") == 0)) || strcmp(t, "INV") == 0)
			r->lut += n;
		else if (has_prefix(t, "FD") || has_prefix(t, "LD"))
			r->ff += n;
		else if (has_prefix(t, "DSP48"))
			r->dsp += n;
		else if (has_prefix(t, "RAMB18") || has_prefix(t, "FIFO18"))
			r->ramb18 += n;
		else if (has_prefix(t, "RAMB36") || has_prefix(t, "FIFO36"))
			r->ramb36 += n;
		else if (has_prefix(t, "URAM288"))
			r->uram += n;
		else if (strcmp(t, "SRL16E") == 0 || strcmp(t, "SRLC16E") == 0 ||
			 strcmp(t, "SRLC32E") == 0 || strcmp(t, "SRL16") == 0) {
			r->srl += n;
			r->lutram += n;
		} else if (strcmp(t, "CARRY4") == 0 || strcmp(t, "CARRY8") == 0)
			r->carry += n;
		else if (strcmp(t, "MUXF7") == 0 || strcmp(t, "MUXF8") == 0 || strcmp(t, "MUXF9") == 0)
			r->muxf += n;
		else
			for (size_t m = 0; m < sizeof lutram_cells / sizeof lutram_cells[0]; m++)
				if (strcmp(t, lutram_cells[m].type) == 0)
					r->lutram += n * lutram_cells[m].luts;
	}
	r->bram18 = r->ramb18 + 2 * r->ramb36;
}

enum { STAT_MAX_COUNT = 1L << 40 };

typedef struct {
	synthrep *r;
	sr_cell design[SR_MAX_CELLTYPES], module[SR_MAX_CELLTYPES];
	int n_design, n_module;
	bool have_design;
	long modules;             /* modules seen */
} stat_ctx;

static int stat_add(jparser *p, sr_cell *list, int *n, double v)
{
	const jframe *f = &p->path[p->depth - 1];
	if (!(v >= 0 && v <= STAT_MAX_COUNT && v == floor(v)))
		return errf(p->e, "stat: cell count of '%s' is not a count", f->key);
	char type[SR_MAX_NAME];
	copy_name(type, sizeof type, f->key, strlen(f->key));
	for (int k = 0; k < *n; k++)
		if (strcmp(list[k].type, type) == 0) {
			list[k].n += (long)v;
			return 0;
		}
	if (*n >= SR_MAX_CELLTYPES)
		return errf(p->e, "stat: more than %d cell types", SR_MAX_CELLTYPES);
	snprintf(list[*n].type, sizeof list[*n].type, "%s", type);
	list[(*n)++].n = (long)v;
	return 0;
}

static int stat_value(jparser *p, jkind k, const char *str, size_t slen, double num)
{
	stat_ctx *c = p->u;
	int d = p->depth;
	if (d == 1 && k != JV_OBJ)
		return errf(p->e, "stat: not a Yosys stat -json report");
	if (d == 2 && jat(p, 1, "creator") && k == JV_STR)
		copy_name(c->r->version, sizeof c->r->version, str, slen);
	if (d == 2 && jat(p, 1, "design") && k == JV_OBJ)
		c->have_design = true;
	if (d == 3 && jat(p, 1, "modules") && k == JV_OBJ)
		c->modules++;
	bool design = d == 4 && jat(p, 1, "design") && jat(p, 2, "num_cells_by_type");
	bool module = d == 5 && jat(p, 1, "modules") && jat(p, 3, "num_cells_by_type") &&
		      c->modules == 1;
	if (!design && !module)
		return 0;
	if (k != JV_NUM)
		return errf(p->e, "stat: cell count of '%s' is not a number", p->path[d - 1].key);
	return design ? stat_add(p, c->design, &c->n_design, num)
		      : stat_add(p, c->module, &c->n_module, num);
}

int sr_yosys_stat(const char *text, size_t len, synthrep *r, berr *e)
{
	stat_ctx *c = xcalloc(1, sizeof *c);
	c->r = r;
	jparser p = {.u = c, .on_value = stat_value};
	int rc = jscan(&p, text, len, e);
	if (rc == 0 && !c->have_design && c->modules != 1)
		rc = errf(e, "stat: no \"design\" totals and %ld modules", c->modules);
	if (rc == 0) {
		const sr_cell *list = c->have_design ? c->design : c->module;
		int n = c->have_design ? c->n_design : c->n_module;
		memcpy(r->cells, list, (size_t)n * sizeof *list);
		r->n_cells = n;
		map_cells(r);
	}
	free(c);
	return rc;
}

/* ---- Yosys write_json netlist: logic depth ------------------------------------------------- */

/* The combinational cells a path runs through, and their class. */
enum { CAT_NONE, CAT_LUT, CAT_CARRY, CAT_MUXF };

static int comb_category(const char *type)
{
	if ((has_prefix(type, "LUT") && type[3] >= '1' && type[3] <= '6' &&
	     (type[4] == '\0' || strcmp(type + 4, "_2") == 0)) || strcmp(type, "INV") == 0)
		return CAT_LUT;
	if (strcmp(type, "CARRY4") == 0 || strcmp(type, "CARRY8") == 0)
		return CAT_CARRY;
	if (strcmp(type, "MUXF7") == 0 || strcmp(type, "MUXF8") == 0 || strcmp(type, "MUXF9") == 0)
		return CAT_MUXF;
	return CAT_NONE;
}

/* Output ports of those cells (every other port is an input). */
static bool comb_output(const char *port)
{
	return strcmp(port, "O") == 0 || strcmp(port, "CO") == 0 || strcmp(port, "O5") == 0 ||
	       strcmp(port, "O6") == 0;
}

typedef struct {
	int cat;
	size_t in0, n_in;        /* inputs: bits[in0 .. in0+n_in) of ins */
	size_t out0, n_out;
} dnode;

typedef struct {
	long long *v;
	size_t n, cap;
} llvec;

static void llpush(llvec *a, long long x)
{
	if (a->n == a->cap) {
		a->cap = a->cap ? 2 * a->cap : 256;
		a->v = xreallocarray(a->v, a->cap, sizeof *a->v);
	}
	a->v[a->n++] = x;
}

typedef struct {
	synthrep *r;
	/* the module being read */
	dnode *nodes;
	size_t n_nodes, cap_nodes;
	llvec ins, outs;
	/* the cell being read */
	char type[SR_MAX_NAME];
	llvec cin, cout;          /* its bits by direction (as if it were combinational) */
	bool port_out;            /* the connection array being read is an output port */
	long best, best_lut, best_carry, best_muxf;
	bool loop;
} depth_ctx;

/* Where the frames of a netlist sit: root, "modules", M, "cells", C, "connections", PORT. */
static bool in_cell(const jparser *p)
{
	return p->depth >= 5 && jat(p, 1, "modules") && jat(p, 3, "cells");
}

static int depth_value(jparser *p, jkind k, const char *str, size_t slen, double num)
{
	depth_ctx *c = p->u;
	int d = p->depth;
	if (d == 1 && k != JV_OBJ)
		return errf(p->e, "netlist: not a Yosys JSON netlist");
	if (!in_cell(p))
		return 0;
	if (d == 5 && k == JV_OBJ) {
		c->type[0] = '\0';
		c->cin.n = c->cout.n = 0;
	} else if (d == 6 && jat(p, 5, "type")) {
		if (k != JV_STR)
			return errf(p->e, "netlist: a cell type is not a string");
		copy_name(c->type, sizeof c->type, str, slen);
	} else if (d == 7 && jat(p, 5, "connections")) {
		if (k != JV_ARR)
			return errf(p->e, "netlist: connection '%s' is not a list of bits",
				    p->path[6].key);
		c->port_out = comb_output(p->path[6].key);
	} else if (d == 8 && jat(p, 5, "connections")) {
		if (k == JV_STR)
			return 0; /* a constant: "0", "1", "x", "z" */
		if (k != JV_NUM || !(num >= 0 && num <= 9007199254740992.0) || num != floor(num))
			return errf(p->e, "netlist: a bit of connection '%s' is not a net number",
				    p->path[6].key);
		llpush(c->port_out ? &c->cout : &c->cin, (long long)num);
	}
	return 0;
}

/* A map from net bit to the node driving it: open addressing, linear probing. */
typedef struct {
	long long *key;
	size_t *node;
	size_t mask;
} bitmap;

static size_t bm_hash(long long k)
{
	unsigned long long x = (unsigned long long)k * 0x9E3779B97F4A7C15ull;
	return (size_t)(x ^ (x >> 29));
}

static void bm_init(bitmap *m, size_t n)
{
	size_t cap = 16;
	while (cap < 2 * n + 1)
		cap *= 2;
	m->key = xmalloc(cap * sizeof *m->key);
	m->node = xmalloc(cap * sizeof *m->node);
	for (size_t i = 0; i < cap; i++)
		m->key[i] = -1;
	m->mask = cap - 1;
}

static void bm_put(bitmap *m, long long k, size_t node)
{
	size_t i = bm_hash(k) & m->mask;
	while (m->key[i] != -1) {
		if (m->key[i] == k)
			return; /* two drivers: keep the first */
		i = (i + 1) & m->mask;
	}
	m->key[i] = k;
	m->node[i] = node;
}

/* The node driving bit k, or SIZE_MAX. */
static size_t bm_get(const bitmap *m, long long k)
{
	size_t i = bm_hash(k) & m->mask;
	while (m->key[i] != -1) {
		if (m->key[i] == k)
			return m->node[i];
		i = (i + 1) & m->mask;
	}
	return SIZE_MAX;
}

/* Longest path through the module's combinational nodes (iterative DFS, no recursion). */
static void module_depth(depth_ctx *c)
{
	size_t n = c->n_nodes;
	if (n == 0)
		return;
	bitmap m;
	bm_init(&m, c->outs.n);
	for (size_t i = 0; i < n; i++)
		for (size_t b = 0; b < c->nodes[i].n_out; b++)
			bm_put(&m, c->outs.v[c->nodes[i].out0 + b], i);
	long *depth = xcalloc(n, sizeof *depth);
	size_t *pred = xmalloc(n * sizeof *pred);
	unsigned char *state = xcalloc(n, 1);  /* 0 new, 1 on the stack, 2 done */
	size_t *stack = xmalloc(n * sizeof *stack), *next = xmalloc(n * sizeof *next);
	for (size_t root = 0; root < n && !c->loop; root++) {
		if (state[root])
			continue;
		size_t sp = 0;
		stack[sp] = root;
		next[sp++] = 0;
		state[root] = 1;
		depth[root] = 0;
		pred[root] = SIZE_MAX;
		while (sp > 0 && !c->loop) {
			size_t v = stack[sp - 1];
			const dnode *nd = &c->nodes[v];
			if (next[sp - 1] < nd->n_in) {
				size_t u = bm_get(&m, c->ins.v[nd->in0 + next[sp - 1]++]);
				if (u == SIZE_MAX)
					continue;
				if (state[u] == 1) {
					c->loop = true;
				} else if (state[u] == 0) {
					state[u] = 1;
					depth[u] = 0;
					pred[u] = SIZE_MAX;
					stack[sp] = u;
					next[sp++] = 0;
				} else if (depth[u] > depth[v]) {
					depth[v] = depth[u];
					pred[v] = u;
				}
				continue;
			}
			depth[v] += 1; /* itself */
			state[v] = 2;
			sp--;
			if (sp > 0) {
				size_t w = stack[sp - 1];
				if (depth[v] > depth[w]) {
					depth[w] = depth[v];
					pred[w] = v;
				}
			}
		}
	}
	if (!c->loop) {
		size_t top = 0;
		for (size_t i = 1; i < n; i++)
			if (depth[i] > depth[top])
				top = i;
		if (depth[top] > c->best) {
			c->best = depth[top];
			c->best_lut = c->best_carry = c->best_muxf = 0;
			for (size_t v = top; v != SIZE_MAX; v = pred[v]) {
				int cat = c->nodes[v].cat;
				if (cat == CAT_LUT)
					c->best_lut++;
				else if (cat == CAT_CARRY)
					c->best_carry++;
				else
					c->best_muxf++;
			}
		}
	}
	free(depth);
	free(pred);
	free(state);
	free(stack);
	free(next);
	free(m.key);
	free(m.node);
}

static int depth_end(jparser *p, jkind k)
{
	depth_ctx *c = p->u;
	int d = p->depth;
	if (d == 5 && k == JV_OBJ && in_cell(p)) {
		int cat = comb_category(c->type);
		if (cat == CAT_NONE)
			return 0;
		if (c->n_nodes == c->cap_nodes) {
			c->cap_nodes = c->cap_nodes ? 2 * c->cap_nodes : 256;
			c->nodes = xreallocarray(c->nodes, c->cap_nodes, sizeof *c->nodes);
		}
		dnode *nd = &c->nodes[c->n_nodes++];
		nd->cat = cat;
		nd->in0 = c->ins.n;
		nd->n_in = c->cin.n;
		nd->out0 = c->outs.n;
		nd->n_out = c->cout.n;
		for (size_t i = 0; i < c->cin.n; i++)
			llpush(&c->ins, c->cin.v[i]);
		for (size_t i = 0; i < c->cout.n; i++)
			llpush(&c->outs, c->cout.v[i]);
	} else if (d == 3 && k == JV_OBJ && jat(p, 1, "modules")) {
		/* net numbers are per module: finish this one */
		module_depth(c);
		c->n_nodes = 0;
		c->ins.n = c->outs.n = 0;
	}
	return 0;
}

int sr_yosys_depth(const char *text, size_t len, synthrep *r, berr *e)
{
	depth_ctx c = {.r = r};
	jparser p = {.u = &c, .on_value = depth_value, .on_end = depth_end};
	int rc = jscan(&p, text, len, e);
	if (rc == 0) {
		r->depth_loop = c.loop;
		if (c.loop) {
			r->logic_depth = r->depth_lut = r->depth_carry = r->depth_muxf = SR_NONE;
		} else {
			r->logic_depth = c.best;
			r->depth_lut = c.best_lut;
			r->depth_carry = c.best_carry;
			r->depth_muxf = c.best_muxf;
		}
	}
	free(c.nodes);
	free(c.ins.v);
	free(c.outs.v);
	free(c.cin.v);
	free(c.cout.v);
	return rc;
}

/* ---- XML scanner ---------------------------------------------------------------------------- */

enum { XTEXT_MAX = 256 };

typedef struct xparser xparser;
struct xparser {
	const char *s;
	size_t n, i;
	int depth;                                 /* open elements */
	char name[SR_MAX_DEPTH][SR_MAX_NAME];      /* their names (cut to SR_MAX_NAME - 1) */
	char text[XTEXT_MAX];                      /* the current element's own text */
	size_t tlen;
	void *u;
	/* Called when an element closes (it is still name[depth-1]) with its trimmed text. */
	int (*on_close)(xparser *x, const char *text);
	berr *e;
};

static int xfail(xparser *x, const char *what)
{
	return errf(x->e, "malformed XML at byte %zu: %s", x->i, what);
}

static bool xstarts(const xparser *x, const char *lit)
{
	size_t l = strlen(lit);
	return x->n - x->i >= l && memcmp(x->s + x->i, lit, l) == 0;
}

/* Moves past the next occurrence of lit; -1 if there is none. */
static int xskip_past(xparser *x, const char *lit)
{
	size_t l = strlen(lit);
	for (size_t j = x->i; j + l <= x->n; j++)
		if (memcmp(x->s + j, lit, l) == 0) {
			x->i = j + l;
			return 0;
		}
	return -1;
}

static bool xname_char(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == ':';
}

static bool xspace(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Reads a name at x->i into out (cut); returns its length, 0 if none. */
static size_t xname(xparser *x, char *out)
{
	size_t b = x->i;
	while (x->i < x->n && xname_char(x->s[x->i]))
		x->i++;
	copy_name(out, SR_MAX_NAME, x->s + b, x->i - b);
	return x->i - b;
}

static void xtext(xparser *x, const char *s, size_t n)
{
	for (size_t k = 0; k < n && x->tlen + 1 < sizeof x->text; k++)
		x->text[x->tlen++] = s[k];
	x->text[x->tlen] = '\0';
}

static int xclose(xparser *x)
{
	size_t b = 0, e = x->tlen;
	while (b < e && xspace(x->text[b]))
		b++;
	while (e > b && xspace(x->text[e - 1]))
		e--;
	char t[XTEXT_MAX];
	memcpy(t, x->text + b, e - b);
	t[e - b] = '\0';
	int rc = x->on_close ? x->on_close(x, t) : 0;
	x->depth--;
	x->tlen = 0;
	x->text[0] = '\0';
	return rc;
}

static int xscan(xparser *x, const char *text, size_t len, berr *e)
{
	x->s = text;
	x->n = len;
	x->i = 0;
	x->depth = 0;
	x->tlen = 0;
	x->text[0] = '\0';
	x->e = e;
	if (len > SR_MAX_BYTES)
		return errf(e, "report of %zu bytes is too large", len);
	int roots = 0;
	while (x->i < x->n) {
		char c = x->s[x->i];
		if (c != '<') {
			if (x->depth == 0 && !xspace(c))
				return xfail(x, "text outside the root element");
			size_t b = x->i;
			while (x->i < x->n && x->s[x->i] != '<')
				x->i++;
			if (x->depth > 0)
				xtext(x, x->s + b, x->i - b);
			continue;
		}
		if (xstarts(x, "<?")) {
			if (xskip_past(x, "?>") != 0)
				return xfail(x, "unterminated <?");
		} else if (xstarts(x, "<!--")) {
			if (xskip_past(x, "-->") != 0)
				return xfail(x, "unterminated comment");
		} else if (xstarts(x, "<![CDATA[")) {
			if (x->depth == 0)
				return xfail(x, "CDATA outside the root element");
			size_t b = x->i + 9;
			if (xskip_past(x, "]]>") != 0)
				return xfail(x, "unterminated CDATA");
			xtext(x, x->s + b, x->i - 3 - b);
		} else if (xstarts(x, "<!")) {
			int nest = 0;
			for (x->i += 2; x->i < x->n; x->i++) {
				if (x->s[x->i] == '[')
					nest++;
				else if (x->s[x->i] == ']')
					nest--;
				else if (x->s[x->i] == '>' && nest <= 0)
					break;
			}
			if (x->i >= x->n)
				return xfail(x, "unterminated <!");
			x->i++;
		} else if (xstarts(x, "</")) {
			x->i += 2;
			char nm[SR_MAX_NAME];
			if (xname(x, nm) == 0)
				return xfail(x, "bad end tag");
			while (x->i < x->n && xspace(x->s[x->i]))
				x->i++;
			if (x->i >= x->n || x->s[x->i] != '>')
				return xfail(x, "bad end tag");
			x->i++;
			if (x->depth == 0 || strcmp(nm, x->name[x->depth - 1]) != 0)
				return xfail(x, "end tag does not match");
			if (xclose(x) != 0)
				return -1;
		} else {
			x->i++;
			if (x->depth == 0 && roots++ > 0)
				return xfail(x, "a second root element");
			if (x->depth >= SR_MAX_DEPTH)
				return xfail(x, "nested too deep");
			if (xname(x, x->name[x->depth]) == 0)
				return xfail(x, "bad start tag");
			x->depth++;
			x->tlen = 0;
			x->text[0] = '\0';
			/* attributes: name = "value" or 'value' */
			bool empty = false;
			for (;;) {
				while (x->i < x->n && xspace(x->s[x->i]))
					x->i++;
				if (x->i >= x->n)
					return xfail(x, "unterminated start tag");
				if (x->s[x->i] == '>') {
					x->i++;
					break;
				}
				if (xstarts(x, "/>")) {
					x->i += 2;
					empty = true;
					break;
				}
				char an[SR_MAX_NAME];
				if (xname(x, an) == 0)
					return xfail(x, "bad attribute");
				while (x->i < x->n && xspace(x->s[x->i]))
					x->i++;
				if (x->i >= x->n || x->s[x->i] != '=')
					return xfail(x, "bad attribute");
				x->i++;
				while (x->i < x->n && xspace(x->s[x->i]))
					x->i++;
				if (x->i >= x->n || (x->s[x->i] != '"' && x->s[x->i] != '\''))
					return xfail(x, "unquoted attribute value");
				char q = x->s[x->i++];
				while (x->i < x->n && x->s[x->i] != q)
					x->i++;
				if (x->i >= x->n)
					return xfail(x, "unterminated attribute value");
				x->i++;
			}
			if (empty && xclose(x) != 0)
				return -1;
		}
	}
	if (x->depth != 0)
		return xfail(x, "unclosed element");
	if (roots == 0)
		return xfail(x, "no root element");
	return 0;
}

/* True if the open elements but the innermost are exactly names (NULL-terminated). */
static bool xparent(const xparser *x, const char *const *names)
{
	int d = 0;
	for (; names[d]; d++)
		if (d >= x->depth - 1 || strcmp(x->name[d], names[d]) != 0)
			return false;
	return d == x->depth - 1;
}

/* ---- Vitis HLS csynth.xml ------------------------------------------------------------------ */

/* Parses a count: a non-negative integer, or "undef"/"-" (not reported: *out untouched). */
static int parse_count(xparser *x, const char *t, long *out)
{
	long v;
	if (strcmp(t, "undef") == 0 || strcmp(t, "-") == 0 || t[0] == '\0')
		return 0;
	if (parse_long(t, &v) != 0 || v < 0)
		return errf(x->e, "csynth.xml: <%s> is '%s', not a count", x->name[x->depth - 1], t);
	*out = v;
	return 0;
}

static int csynth_close(xparser *x, const char *t)
{
	synthrep *r = x->u;
	if (x->depth == 1 && strcmp(x->name[0], "profile") != 0)
		return errf(x->e, "csynth.xml: root element <%s>, not <profile>", x->name[0]);
	static const char *const lat[] = {"profile", "PerformanceEstimates", "SummaryOfOverallLatency", NULL};
	static const char *const tim[] = {"profile", "PerformanceEstimates", "SummaryOfTimingAnalysis", NULL};
	static const char *const res[] = {"profile", "AreaEstimates", "Resources", NULL};
	static const char *const usr[] = {"profile", "UserAssignments", NULL};
	static const char *const ver[] = {"profile", "ReportVersion", NULL};
	const char *const *parents[] = {lat, tim, res, usr, ver};
	const char *leaf = x->name[x->depth - 1];
	int which = -1;
	for (int k = 0; k < 5 && which < 0; k++)
		if (xparent(x, parents[k]))
			which = k;
	switch (which) {
	case 0:
		if (strcmp(leaf, "Best-caseLatency") == 0)
			return parse_count(x, t, &r->latency_best);
		if (strcmp(leaf, "Worst-caseLatency") == 0)
			return parse_count(x, t, &r->latency_worst);
		if (strcmp(leaf, "Interval-min") == 0)
			return parse_count(x, t, &r->ii_min);
		if (strcmp(leaf, "Interval-max") == 0)
			return parse_count(x, t, &r->ii_max);
		break;
	case 1:
		if (strcmp(leaf, "EstimatedClockPeriod") == 0) {
			double v;
			if (parse_double(t, &v) != 0 || !(v > 0) || !isfinite(v))
				return errf(x->e, "csynth.xml: <EstimatedClockPeriod> is '%s'", t);
			r->clock_ns_est = v;
		}
		break;
	case 2:
		if (strcmp(leaf, "BRAM_18K") == 0)
			return parse_count(x, t, &r->bram18);
		if (strcmp(leaf, "DSP") == 0 || strcmp(leaf, "DSP48E") == 0)
			return parse_count(x, t, &r->dsp);
		if (strcmp(leaf, "FF") == 0)
			return parse_count(x, t, &r->ff);
		if (strcmp(leaf, "LUT") == 0)
			return parse_count(x, t, &r->lut);
		if (strcmp(leaf, "URAM") == 0)
			return parse_count(x, t, &r->uram);
		break;
	case 3:
		if (strcmp(leaf, "Part") == 0)
			copy_name(r->part, sizeof r->part, t, strlen(t));
		else if (strcmp(leaf, "TopModelName") == 0)
			copy_name(r->top, sizeof r->top, t, strlen(t));
		else if (strcmp(leaf, "TargetClockPeriod") == 0) {
			double v;
			if (parse_double(t, &v) == 0 && v > 0 && isfinite(v))
				r->target_clock_ns = v;
		}
		break;
	case 4:
		if (strcmp(leaf, "Version") == 0)
			copy_name(r->version, sizeof r->version, t, strlen(t));
		break;
	}
	return 0;
}

int sr_csynth_xml(const char *text, size_t len, synthrep *r, berr *e)
{
	xparser *x = xcalloc(1, sizeof *x);
	x->u = r;
	x->on_close = csynth_close;
	int rc = xscan(x, text, len, e);
	free(x);
	if (rc != 0)
		return -1;
	const char *missing = r->lut == SR_NONE ? "LUT" : r->ff == SR_NONE ? "FF" :
			      r->dsp == SR_NONE ? "DSP" : r->bram18 == SR_NONE ? "BRAM_18K" : NULL;
	if (missing)
		return errf(e, "csynth.xml: no AreaEstimates/Resources/%s", missing);
	return 0;
}

/* ---- Vivado text reports -------------------------------------------------------------------- */

/* One line of a report: [b, e) without the newline. */
typedef struct {
	const char *s;
	size_t n, i;
} lines;

static bool next_line(lines *l, const char **b, size_t *len)
{
	if (l->i >= l->n)
		return false;
	*b = l->s + l->i;
	const char *nl = memchr(*b, '\n', l->n - l->i);
	*len = nl ? (size_t)(nl - *b) : l->n - l->i;
	l->i += *len + (nl ? 1 : 0);
	return true;
}

/* Trims spaces (and, with star, trailing '*') off [*b, *b + *n). */
static void trim(const char **b, size_t *n, bool star)
{
	while (*n && (xspace(**b)))
		(*b)++, (*n)--;
	while (*n && (xspace((*b)[*n - 1]) || (star && (*b)[*n - 1] == '*')))
		(*n)--;
}

static bool field_is(const char *b, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(b, lit, n) == 0;
}

/* Parses [b, b+n) as a non-negative number. */
static bool field_num(const char *b, size_t n, double *out)
{
	char buf[64];
	if (n == 0 || n >= sizeof buf)
		return false;
	memcpy(buf, b, n);
	buf[n] = '\0';
	return parse_double(buf, out) == 0 && *out >= 0 && *out < 1e15;
}

/* The rows read from a utilization report, first occurrence of each. */
enum {
	U_LUTS, U_LUT_LOGIC, U_LUT_MEM, U_SRL, U_REGS, U_F7, U_F8, U_F9, U_CARRY4, U_CARRY8,
	U_BRAM_TILE, U_RAMB36, U_RAMB18, U_URAM, U_DSPS, U_DSP48E1, U_DSP48E2, U_N
};
static const char *const util_rows[U_N][2] = {
	[U_LUTS] = {"Slice LUTs", "CLB LUTs"},
	[U_LUT_LOGIC] = {"LUT as Logic", NULL},
	[U_LUT_MEM] = {"LUT as Memory", NULL},
	[U_SRL] = {"LUT as Shift Register", NULL},
	[U_REGS] = {"Slice Registers", "CLB Registers"},
	[U_F7] = {"F7 Muxes", NULL},
	[U_F8] = {"F8 Muxes", NULL},
	[U_F9] = {"F9 Muxes", NULL},
	[U_CARRY4] = {"CARRY4", NULL},
	[U_CARRY8] = {"CARRY8", NULL},
	[U_BRAM_TILE] = {"Block RAM Tile", NULL},
	[U_RAMB36] = {"RAMB36/FIFO", NULL},
	[U_RAMB18] = {"RAMB18", NULL},
	[U_URAM] = {"URAM", NULL},
	[U_DSPS] = {"DSPs", NULL},
	[U_DSP48E1] = {"DSP48E1", NULL},
	[U_DSP48E2] = {"DSP48E2", NULL},
};

/* Copies a header value ("| Key : value") into out. */
static void header_value(const char *b, size_t n, const char *key, char *out, size_t cap)
{
	size_t kl = strlen(key);
	if (n < kl || memcmp(b, key, kl) != 0)
		return;
	b += kl;
	n -= kl;
	trim(&b, &n, false);
	if (n == 0 || *b != ':')
		return;
	b++, n--;
	trim(&b, &n, false);
	if (out[0] == '\0')
		copy_name(out, cap, b, n);
}

int sr_vivado_util(const char *text, size_t len, synthrep *r, berr *e)
{
	if (len > SR_MAX_BYTES)
		return errf(e, "report of %zu bytes is too large", len);
	double val[U_N];
	bool seen[U_N] = {false};
	lines l = {text, len, 0};
	const char *b;
	size_t n;
	while (next_line(&l, &b, &n)) {
		trim(&b, &n, false);
		if (n < 2 || b[0] != '|')
			continue;
		const char *f1 = b + 1, *bar = memchr(f1, '|', n - 1);
		size_t n1 = bar ? (size_t)(bar - f1) : n - 1;
		trim(&f1, &n1, false);
		if (!bar) {
			/* a header line: "| Tool Version : Vivado v.2022.2 (lin64) Build ..." */
			header_value(f1, n1, "Tool Version", r->version, sizeof r->version);
			header_value(f1, n1, "Device", r->part, sizeof r->part);
			header_value(f1, n1, "Design", r->top, sizeof r->top);
			continue;
		}
		trim(&f1, &n1, true);
		const char *f2 = bar + 1, *end = b + n;
		const char *bar2 = memchr(f2, '|', (size_t)(end - f2));
		size_t n2 = bar2 ? (size_t)(bar2 - f2) : (size_t)(end - f2);
		trim(&f2, &n2, false);
		double v;
		if (!field_num(f2, n2, &v))
			continue;
		for (int k = 0; k < U_N; k++)
			if (!seen[k] && (field_is(f1, n1, util_rows[k][0]) ||
					 (util_rows[k][1] && field_is(f1, n1, util_rows[k][1])))) {
				seen[k] = true;
				val[k] = v;
			}
	}
	/* "Tool Version : Vivado v.2022.2 (lin64) Build 3671981 ...": keep "Vivado v.2022.2" */
	char *sp = strchr(r->version, ' ');
	if (sp && (sp = strchr(sp + 1, ' ')))
		*sp = '\0';
	const char *missing = !seen[U_LUTS] && !seen[U_LUT_LOGIC] ? "Slice LUTs" :
			      !seen[U_REGS] ? "Slice Registers" :
			      !seen[U_DSPS] && !seen[U_DSP48E1] && !seen[U_DSP48E2] ? "DSPs" :
			      !seen[U_BRAM_TILE] && !seen[U_RAMB36] && !seen[U_RAMB18] ? "Block RAM Tile" :
			      NULL;
	if (missing)
		return errf(e, "utilization report: no '%s' row (not a Vivado report_utilization?)",
			    missing);
	if (seen[U_LUT_LOGIC])
		r->lut = (long)val[U_LUT_LOGIC];
	else
		r->lut = (long)val[U_LUTS] - (seen[U_LUT_MEM] ? (long)val[U_LUT_MEM] : 0);
	if (seen[U_LUT_MEM])
		r->lutram = (long)val[U_LUT_MEM];
	if (seen[U_SRL])
		r->srl = (long)val[U_SRL];
	r->ff = (long)val[U_REGS];
	r->dsp = seen[U_DSPS] ? (long)val[U_DSPS]
				: (long)((seen[U_DSP48E1] ? val[U_DSP48E1] : 0) +
					 (seen[U_DSP48E2] ? val[U_DSP48E2] : 0));
	if (seen[U_RAMB36])
		r->ramb36 = (long)val[U_RAMB36];
	if (seen[U_RAMB18])
		r->ramb18 = (long)val[U_RAMB18];
	if (seen[U_BRAM_TILE])
		r->bram18 = (long)llround(2 * val[U_BRAM_TILE]);
	else
		r->bram18 = (long)((seen[U_RAMB18] ? val[U_RAMB18] : 0) +
				   2 * (seen[U_RAMB36] ? val[U_RAMB36] : 0));
	if (seen[U_URAM])
		r->uram = (long)val[U_URAM];
	if (seen[U_F7] || seen[U_F8] || seen[U_F9])
		r->muxf = (long)((seen[U_F7] ? val[U_F7] : 0) + (seen[U_F8] ? val[U_F8] : 0) +
				 (seen[U_F9] ? val[U_F9] : 0));
	if (seen[U_CARRY4] || seen[U_CARRY8])
		r->carry = (long)((seen[U_CARRY4] ? val[U_CARRY4] : 0) +
				  (seen[U_CARRY8] ? val[U_CARRY8] : 0));
	return 0;
}

int sr_vivado_timing(const char *text, size_t len, synthrep *r, berr *e)
{
	if (len > SR_MAX_BYTES)
		return errf(e, "report of %zu bytes is too large", len);
	lines l = {text, len, 0};
	const char *b;
	size_t n;
	while (next_line(&l, &b, &n)) {
		trim(&b, &n, false);
		if (n < 7 || memcmp(b, "WNS(ns)", 7) != 0)
			continue;
		while (next_line(&l, &b, &n)) {
			trim(&b, &n, false);
			size_t dashes = 0;
			while (dashes < n && (b[dashes] == '-' || xspace(b[dashes])))
				dashes++;
			if (dashes == n)
				continue; /* blank, or the "-------" rule under the header */
			size_t t = 0;
			while (t < n && !xspace(b[t]))
				t++;
			char buf[64];
			if (t >= sizeof buf)
				return errf(e, "timing summary: bad WNS value");
			memcpy(buf, b, t);
			buf[t] = '\0';
			double v;
			if (parse_double(buf, &v) == 0 && isfinite(v) && fabs(v) < 1e9)
				r->wns_ns = v;
			else if (strcmp(buf, "inf") == 0 || strcmp(buf, "NA") == 0)
				r->wns_ns = NAN;
			else
				return errf(e, "timing summary: WNS is '%s', not a number", buf);
			return 0;
		}
		break;
	}
	return errf(e, "timing summary: no 'WNS(ns)' table (not a report_timing_summary?)");
}

/* ---- result files ---------------------------------------------------------------------------- */

static void kfig(jw *w, const char *key, long v)
{
	if (v == SR_NONE) {
		jw_key(w, key);
		jw_null(w);
	} else {
		jw_klong(w, key, v);
	}
}

static const char *tail_of(const char *msg)
{
	size_t n = strlen(msg);
	return n > RESULT_ERROR_MAX ? msg + n - RESULT_ERROR_MAX : msg;
}

void sr_write(strbuf *b, const char *step, const char *tool, const char *tool_version,
	      const synthrep *r, double seconds)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "step", step);
	jw_kstr(&w, "status", "ok");
	jw_kstr(&w, "tool", tool);
	jw_kstr(&w, "tool_version", tool_version ? tool_version : r->version);
	jw_kstr(&w, "part", r->part);
	kfig(&w, "lut", r->lut);
	kfig(&w, "ff", r->ff);
	kfig(&w, "dsp", r->dsp);
	kfig(&w, "bram18", r->bram18);
	kfig(&w, "ramb18", r->ramb18);
	kfig(&w, "ramb36", r->ramb36);
	kfig(&w, "uram", r->uram);
	kfig(&w, "lutram", r->lutram);
	kfig(&w, "srl", r->srl);
	kfig(&w, "carry", r->carry);
	kfig(&w, "muxf", r->muxf);
	kfig(&w, "logic_depth", r->logic_depth);
	jw_key(&w, "logic_depth_cells");
	if (r->logic_depth == SR_NONE) {
		jw_null(&w);
	} else {
		jw_obj(&w);
		jw_klong(&w, "lut", r->depth_lut);
		jw_klong(&w, "carry", r->depth_carry);
		jw_klong(&w, "muxf", r->depth_muxf);
		jw_end_obj(&w);
	}
	kfig(&w, "latency_cycles", r->latency_worst);
	kfig(&w, "latency_best", r->latency_best);
	kfig(&w, "ii", r->ii_max);
	kfig(&w, "ii_min", r->ii_min);
	jw_kdouble(&w, "latency_ns", r->latency_worst == SR_NONE ? NAN
				     : (double)r->latency_worst * r->target_clock_ns);
	jw_kdouble(&w, "target_clock_ns", r->target_clock_ns);
	jw_kdouble(&w, "clock_ns_est", r->clock_ns_est);
	jw_kdouble(&w, "wns_ns", r->wns_ns);
	jw_kdouble(&w, "seconds", seconds);
	if (r->n_cells > 0) {
		jw_key(&w, "cells");
		jw_obj(&w);
		for (int k = 0; k < r->n_cells; k++)
			jw_klong(&w, r->cells[k].type, r->cells[k].n);
		jw_end_obj(&w);
	}
	jw_end_obj(&w);
	sb_puts(b, "\n");
}

void sr_add_tail(strbuf *msg, const char *tail)
{
	size_t n = strlen(tail);
	const char *t = tail;
	if (n > 1200) {
		t = tail + n - 1200;
		const char *nl = strchr(t, '\n');
		if (nl && nl[1])
			t = nl + 1;
	}
	if (t[0])
		sb_printf(msg, "; log tail:\n%s", t);
}

void sr_write_failed(strbuf *b, const char *step, const char *tool, const char *tool_version,
		     const char *msg, double seconds)
{
	jw w;
	jw_init(&w, b);
	jw_obj(&w);
	jw_kstr(&w, "step", step);
	jw_kstr(&w, "status", "failed");
	jw_kstr(&w, "tool", tool);
	jw_kstr(&w, "tool_version", tool_version ? tool_version : "");
	jw_kstr(&w, "error", tail_of(msg));
	jw_kdouble(&w, "seconds", seconds);
	jw_end_obj(&w);
	sb_puts(b, "\n");
}
