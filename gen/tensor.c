/* tensor.c - tensors read as doubles from .npy and .safetensors files, a .npy writer, and
 * seeded random tensors. The parsers never read outside the bytes they were given. */
#define _POSIX_C_SOURCE 200809L
#include "gen/tensor.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/rng.h"

/* Random tensors must come out bit-identical everywhere: no fused multiply-adds. (GCC keeps
 * them off by itself in ISO C mode, -std=c11.) */
#if defined(__clang__)
#pragma STDC FP_CONTRACT OFF
#endif

/* ---- elements ---- */

static uint16_t le16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t le64(const unsigned char *p)
{
	return le32(p) | (uint64_t)le32(p + 4) << 32;
}

static double half_value(uint16_t h)
{
	int ex = h >> 10 & 31, m = h & 1023;
	double v;
	if (ex == 31)
		v = m ? NAN : INFINITY;
	else if (ex == 0)
		v = ldexp(m, -24);
	else
		v = ldexp(m | 1024, ex - 25);
	return (h & 0x8000) ? -v : v;
}

static double f32_value(uint32_t u)
{
	float f;
	memcpy(&f, &u, sizeof f);
	return f;
}

size_t tensor_dtype_size(tensor_dtype dt)
{
	static const size_t sz[] = {[DT_F16] = 2, [DT_BF16] = 2, [DT_F32] = 4, [DT_F64] = 8};
	return sz[dt];
}

const char *tensor_dtype_name(tensor_dtype dt)
{
	static const char *const nm[] = {[DT_F16] = "F16", [DT_BF16] = "BF16", [DT_F32] = "F32",
					  [DT_F64] = "F64"};
	return nm[dt];
}

void tensor_decode(tensor_dtype dt, const unsigned char *raw, size_t n, double *out)
{
	for (size_t i = 0; i < n; i++) {
		switch (dt) {
		case DT_F16:
			out[i] = half_value(le16(raw + 2 * i));
			break;
		case DT_BF16:
			out[i] = f32_value((uint32_t)le16(raw + 2 * i) << 16);
			break;
		case DT_F32:
			out[i] = f32_value(le32(raw + 4 * i));
			break;
		case DT_F64: {
			uint64_t u = le64(raw + 8 * i);
			memcpy(&out[i], &u, sizeof u);
			break;
		}
		}
	}
}

bool tensor_find_nonfinite(const tensor *t, size_t *at)
{
	for (size_t i = 0; i < t->n; i++)
		if (!isfinite(t->data[i])) {
			*at = i;
			return true;
		}
	return false;
}

const char *tensor_shape_str(int ndim, const long *shape, char *buf, size_t n)
{
	size_t len = 0;
	len += (size_t)snprintf(buf, n, "[");
	for (int d = 0; d < ndim && len < n; d++)
		len += (size_t)snprintf(buf + len, n - len, "%s%ld", d ? ", " : "", shape[d]);
	if (len < n)
		snprintf(buf + len, n - len, "]");
	return buf;
}

const char *tensor_index_str(const tensor *t, size_t at, char *buf, size_t n)
{
	long idx[TENSOR_MAX_DIMS];
	for (int d = t->ndim - 1; d >= 0; d--) {
		size_t dim = t->shape[d] > 0 ? (size_t)t->shape[d] : 1;
		idx[d] = (long)(at % dim);
		at /= dim;
	}
	return tensor_shape_str(t->ndim, idx, buf, n);
}

void tensor_free(tensor *t)
{
	free(t->data);
	memset(t, 0, sizeof *t);
}

/* Multiplies the dimensions; false if the product overflows size_t. */
static bool shape_count(int ndim, const long *shape, size_t *n)
{
	size_t c = 1;
	for (int d = 0; d < ndim; d++) {
		size_t v = (size_t)shape[d];
		if (v && c > SIZE_MAX / v)
			return false;
		c *= v;
	}
	*n = c;
	return true;
}

/* ---- .npy ---- */

/* The header dict, a Python literal: {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), } */
typedef struct {
	const char *s;
	size_t i, n;
} cur;

static int peekc(const cur *c)
{
	return c->i < c->n ? (unsigned char)c->s[c->i] : -1;
}

static void skip_ws(cur *c)
{
	while (c->i < c->n && (c->s[c->i] == ' ' || c->s[c->i] == '\t' || c->s[c->i] == '\n' ||
			       c->s[c->i] == '\r'))
		c->i++;
}

static bool take(cur *c, const char *word)
{
	size_t l = strlen(word);
	if (c->n - c->i < l || memcmp(c->s + c->i, word, l) != 0)
		return false;
	c->i += l;
	return true;
}

/* A quoted Python string without escapes, into out (size cap). */
static bool py_string(cur *c, char *out, size_t cap)
{
	int q = peekc(c);
	if (q != '\'' && q != '"')
		return false;
	c->i++;
	size_t len = 0;
	for (;;) {
		int ch = peekc(c);
		if (ch < 0x20 || ch > 0x7e || ch == '\\')
			return false;
		c->i++;
		if (ch == q)
			break;
		if (len + 1 >= cap)
			return false;
		out[len++] = (char)ch;
	}
	out[len] = '\0';
	return true;
}

static bool py_dim(cur *c, long *v)
{
	if (peekc(c) < '0' || peekc(c) > '9')
		return false;
	long x = 0;
	while (peekc(c) >= '0' && peekc(c) <= '9') {
		if (x > (LONG_MAX - 9) / 10)
			return false;
		x = x * 10 + (peekc(c) - '0');
		c->i++;
	}
	if (peekc(c) == 'L') /* Python 2 longs, from old numpy */
		c->i++;
	*v = x;
	return true;
}

static int npy_shape(const char *name, cur *c, int *ndim, long *shape, berr *e)
{
	int nd = 0;
	if (peekc(c) != '(')
		return errf(e, "%s: .npy header: 'shape' is not a tuple", name);
	c->i++;
	skip_ws(c);
	if (peekc(c) == ')') {
		c->i++;
		*ndim = 0;
		return 0;
	}
	for (;;) {
		if (nd == TENSOR_MAX_DIMS)
			return errf(e, "%s: .npy header: more than %d dimensions", name,
				    TENSOR_MAX_DIMS);
		if (!py_dim(c, &shape[nd]))
			return errf(e, "%s: .npy header: bad dimension in 'shape'", name);
		nd++;
		skip_ws(c);
		if (peekc(c) == ')')
			break;
		if (peekc(c) != ',')
			return errf(e, "%s: .npy header: bad 'shape' tuple", name);
		c->i++;
		skip_ws(c);
		if (peekc(c) == ')')
			break;
	}
	c->i++;
	*ndim = nd;
	return 0;
}

static int npy_dtype(const char *name, const char *descr, tensor_dtype *dt, berr *e)
{
	if (strcmp(descr, "<f2") == 0)
		*dt = DT_F16;
	else if (strcmp(descr, "<f4") == 0)
		*dt = DT_F32;
	else if (strcmp(descr, "<f8") == 0)
		*dt = DT_F64;
	else if (descr[0] == '>' && descr[1] == 'f')
		return errf(e, "%s: big-endian data ('%s') is not supported; save it as '<%s' "
			       "(numpy: a.astype('<%s'))", name, descr, descr + 1, descr + 1);
	else
		return errf(e, "%s: dtype '%s' is not supported (expected float32 '<f4', float64 '<f8' "
			       "or float16 '<f2')", name, descr);
	return 0;
}

static int npy_header(const char *name, const char *h, size_t hl, tensor_dtype *dt, int *ndim,
		      long *shape, berr *e)
{
	cur c = {h, 0, hl};
	bool has_descr = false, has_order = false, has_shape = false;
	skip_ws(&c);
	if (peekc(&c) != '{')
		return errf(e, "%s: .npy header is not a dict", name);
	c.i++;
	for (;;) {
		skip_ws(&c);
		if (peekc(&c) == '}')
			break;
		char key[32];
		if (!py_string(&c, key, sizeof key))
			return errf(e, "%s: .npy header: expected a quoted key", name);
		skip_ws(&c);
		if (peekc(&c) != ':')
			return errf(e, "%s: .npy header: expected ':' after '%s'", name, key);
		c.i++;
		skip_ws(&c);
		if (strcmp(key, "descr") == 0 && !has_descr) {
			char descr[32];
			if (peekc(&c) == '[')
				return errf(e, "%s: structured dtypes are not supported (expected "
					       "a plain float array)", name);
			if (!py_string(&c, descr, sizeof descr))
				return errf(e, "%s: .npy header: bad 'descr'", name);
			if (npy_dtype(name, descr, dt, e) != 0)
				return -1;
			has_descr = true;
		} else if (strcmp(key, "fortran_order") == 0 && !has_order) {
			if (take(&c, "True"))
				return errf(e, "%s: Fortran-order arrays are not supported; save a "
					       "C-order array (numpy: np.ascontiguousarray(a))", name);
			if (!take(&c, "False"))
				return errf(e, "%s: .npy header: 'fortran_order' must be True or "
					       "False", name);
			has_order = true;
		} else if (strcmp(key, "shape") == 0 && !has_shape) {
			if (npy_shape(name, &c, ndim, shape, e) != 0)
				return -1;
			has_shape = true;
		} else {
			return errf(e, "%s: .npy header: unexpected or repeated key '%s'", name, key);
		}
		skip_ws(&c);
		if (peekc(&c) == ',') {
			c.i++;
			continue;
		}
		if (peekc(&c) != '}')
			return errf(e, "%s: .npy header: expected ',' or '}'", name);
		break;
	}
	c.i++;
	skip_ws(&c);
	if (c.i != c.n)
		return errf(e, "%s: .npy header: unexpected text after the dict", name);
	if (!has_descr || !has_order || !has_shape)
		return errf(e, "%s: .npy header lacks '%s'", name,
			    !has_descr ? "descr" : !has_order ? "fortran_order" : "shape");
	return 0;
}

int npy_parse(const char *name, const unsigned char *buf, size_t len, size_t max_elems, tensor *t,
	      berr *e)
{
	memset(t, 0, sizeof *t);
	if (len < 10 || memcmp(buf, "\x93NUMPY", 6) != 0)
		return errf(e, "%s: not a .npy file (no \\x93NUMPY magic)", name);
	int major = buf[6];
	size_t hl, off;
	if (major == 1) {
		hl = le16(buf + 8);
		off = 10;
	} else if (major == 2 || major == 3) {
		if (len < 12)
			return errf(e, "%s: truncated .npy header", name);
		hl = le32(buf + 8);
		off = 12;
	} else {
		return errf(e, "%s: .npy format version %d.%d is not supported (1.0 to 3.0)", name,
			    major, buf[7]);
	}
	if (hl > NPY_MAX_HEADER)
		return errf(e, "%s: .npy header of %zu bytes is larger than the limit of %d", name, hl,
			    (int)NPY_MAX_HEADER);
	if (hl > len - off)
		return errf(e, "%s: truncated .npy header (%zu bytes, file has %zu)", name, hl,
			    len - off);
	tensor_dtype dt = DT_F32;
	int ndim = 0;
	long shape[TENSOR_MAX_DIMS];
	if (npy_header(name, (const char *)buf + off, hl, &dt, &ndim, shape, e) != 0)
		return -1;
	size_t n;
	if (!shape_count(ndim, shape, &n) || n > max_elems)
		return errf(e, "%s: array of shape %s is larger than the limit of %zu elements", name,
			    tensor_shape_str(ndim, shape, (char[160]){0}, 160), max_elems);
	size_t es = tensor_dtype_size(dt), avail = len - off - hl;
	if (n > SIZE_MAX / es)
		return errf(e, "%s: array too large", name);
	if (avail < n * es)
		return errf(e, "%s: truncated: the data needs %zu bytes, the file has %zu", name,
			    n * es, avail);
	if (avail > n * es)
		return errf(e, "%s: %zu unexpected bytes after the array data", name, avail - n * es);
	t->ndim = ndim;
	memcpy(t->shape, shape, sizeof shape);
	t->n = n;
	t->data = xreallocarray(NULL, n, sizeof *t->data);
	tensor_decode(dt, buf + off + hl, n, t->data);
	return 0;
}

int npy_load(const char *path, size_t max_elems, tensor *t, berr *e)
{
	memset(t, 0, sizeof *t);
	size_t max = 12 + NPY_MAX_HEADER;
	max = max_elems > (SIZE_MAX - max) / 8 ? SIZE_MAX : max + max_elems * 8;
	char *buf;
	size_t len;
	if (read_file(path, max, &buf, &len, e) != 0)
		return -1;
	int rc = npy_parse(path, (const unsigned char *)buf, len, max_elems, t, e);
	free(buf);
	return rc;
}

void npy_encode(strbuf *out, const double *data, int ndim, const long *shape, bool f64)
{
	strbuf h = {0};
	sb_printf(&h, "{'descr': '%s', 'fortran_order': False, 'shape': (", f64 ? "<f8" : "<f4");
	for (int d = 0; d < ndim; d++)
		sb_printf(&h, "%s%ld", d ? ", " : "", shape[d]);
	sb_puts(&h, ndim == 1 ? ",), }" : "), }");
	while ((10 + h.len + 1) % 64 != 0)
		sb_add(&h, " ", 1);
	sb_add(&h, "\n", 1);
	unsigned char pre[10] = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (unsigned char)(h.len & 0xff),
				 (unsigned char)(h.len >> 8)};
	sb_add(out, (const char *)pre, sizeof pre);
	sb_add(out, h.s, h.len);
	sb_free(&h);
	size_t n;
	if (!shape_count(ndim, shape, &n))
		die(EXIT_INTERNAL, "npy_encode: shape overflows");
	for (size_t i = 0; i < n; i++) {
		unsigned char b[8];
		uint64_t u;
		int w;
		if (f64) {
			memcpy(&u, &data[i], 8);
			w = 8;
		} else {
			float f = (float)data[i];
			uint32_t u32;
			memcpy(&u32, &f, 4);
			u = u32;
			w = 4;
		}
		for (int k = 0; k < w; k++)
			b[k] = (unsigned char)(u >> (8 * k));
		sb_add(out, (const char *)b, (size_t)w);
	}
}

int npy_save(const char *path, const double *data, int ndim, const long *shape, bool f64, berr *e)
{
	strbuf b = {0};
	npy_encode(&b, data, ndim, shape, f64);
	int rc = write_file_atomic(path, b.s, b.len, false, e);
	sb_free(&b);
	return rc;
}

/* ---- .safetensors: 8-byte little-endian header length, JSON header, data ---- */

typedef struct {
	cur c;
	const char *name;
	berr *e;
} jcur;

static int jerr(jcur *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int jerr(jcur *j, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return errf(j->e, "%s: safetensors header, byte %zu: %s", j->name, j->c.i + 8, msg);
}

static int hexval(int ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

static int j_hex4(jcur *j, unsigned *v)
{
	*v = 0;
	for (int k = 0; k < 4; k++) {
		int h = hexval(peekc(&j->c));
		if (h < 0)
			return jerr(j, "bad \\u escape");
		*v = *v << 4 | (unsigned)h;
		j->c.i++;
	}
	return 0;
}

static void put_utf8(strbuf *out, unsigned cp)
{
	char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | cp >> 6);
		b[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | cp >> 12);
		b[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		b[0] = (char)(0xf0 | cp >> 18);
		b[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	if (out)
		sb_add(out, b, n);
}

/* A JSON string, decoded into out (skipped if out is NULL), at most max bytes. */
static int j_string(jcur *j, strbuf *out, size_t max)
{
	if (peekc(&j->c) != '"')
		return jerr(j, "expected a string");
	j->c.i++;
	static const char esc[] = "\"\\/bfnrt", rep[] = "\"\\/\b\f\n\r\t";
	for (;;) {
		int ch = peekc(&j->c);
		if (ch < 0)
			return jerr(j, "unterminated string");
		if (ch < 0x20)
			return jerr(j, "control character in a string");
		j->c.i++;
		if (ch == '"')
			break;
		if (ch != '\\') {
			char b = (char)ch;
			if (out)
				sb_add(out, &b, 1);
		} else {
			int x = peekc(&j->c);
			const char *p = x > 0 ? strchr(esc, x) : NULL;
			j->c.i++;
			if (p) {
				if (out)
					sb_add(out, &rep[p - esc], 1);
			} else if (x == 'u') {
				unsigned cp, lo;
				if (j_hex4(j, &cp) != 0)
					return -1;
				if (cp >= 0xdc00 && cp <= 0xdfff)
					return jerr(j, "lone low surrogate in a string");
				if (cp >= 0xd800 && cp <= 0xdbff) {
					if (!take(&j->c, "\\u"))
						return jerr(j, "lone high surrogate in a string");
					if (j_hex4(j, &lo) != 0)
						return -1;
					if (lo < 0xdc00 || lo > 0xdfff)
						return jerr(j, "bad surrogate pair in a string");
					cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				}
				if (cp == 0 && out)
					return jerr(j, "NUL character in a name");
				put_utf8(out, cp);
			} else {
				return jerr(j, "bad escape in a string");
			}
		}
		if (out && out->len > max)
			return jerr(j, "string longer than %zu bytes", max);
	}
	return 0;
}

/* A JSON non-negative integer. */
static int j_uint(jcur *j, uint64_t *v)
{
	int ch = peekc(&j->c);
	if (ch < '0' || ch > '9')
		return jerr(j, "expected a non-negative integer");
	if (ch == '0' && j->c.i + 1 < j->c.n && j->c.s[j->c.i + 1] >= '0' && j->c.s[j->c.i + 1] <= '9')
		return jerr(j, "leading zero in a number");
	uint64_t x = 0;
	while ((ch = peekc(&j->c)) >= '0' && ch <= '9') {
		if (x > (UINT64_MAX - 9) / 10)
			return jerr(j, "number too large");
		x = x * 10 + (uint64_t)(ch - '0');
		j->c.i++;
	}
	ch = peekc(&j->c);
	if (ch == '.' || ch == 'e' || ch == 'E')
		return jerr(j, "expected an integer");
	*v = x;
	return 0;
}

static void j_digits(jcur *j)
{
	while (peekc(&j->c) >= '0' && peekc(&j->c) <= '9')
		j->c.i++;
}

/* Skips any JSON value. */
static int j_skip(jcur *j, int depth)
{
	if (depth > ST_MAX_DEPTH)
		return jerr(j, "nesting deeper than %d", ST_MAX_DEPTH);
	skip_ws(&j->c);
	int ch = peekc(&j->c);
	if (ch == '"')
		return j_string(j, NULL, 0);
	if (ch == '{' || ch == '[') {
		int close = ch == '{' ? '}' : ']';
		j->c.i++;
		skip_ws(&j->c);
		if (peekc(&j->c) == close) {
			j->c.i++;
			return 0;
		}
		for (;;) {
			skip_ws(&j->c);
			if (ch == '{') {
				if (j_string(j, NULL, 0) != 0)
					return -1;
				skip_ws(&j->c);
				if (peekc(&j->c) != ':')
					return jerr(j, "expected ':'");
				j->c.i++;
			}
			if (j_skip(j, depth + 1) != 0)
				return -1;
			skip_ws(&j->c);
			if (peekc(&j->c) == close) {
				j->c.i++;
				return 0;
			}
			if (peekc(&j->c) != ',')
				return jerr(j, "expected ',' or '%c'", close);
			j->c.i++;
		}
	}
	if (take(&j->c, "true") || take(&j->c, "false") || take(&j->c, "null"))
		return 0;
	if (ch == '-' || (ch >= '0' && ch <= '9')) {
		if (ch == '-')
			j->c.i++;
		if (peekc(&j->c) < '0' || peekc(&j->c) > '9')
			return jerr(j, "bad number");
		j_digits(j);
		if (peekc(&j->c) == '.') {
			j->c.i++;
			if (peekc(&j->c) < '0' || peekc(&j->c) > '9')
				return jerr(j, "bad number");
			j_digits(j);
		}
		if (peekc(&j->c) == 'e' || peekc(&j->c) == 'E') {
			j->c.i++;
			if (peekc(&j->c) == '+' || peekc(&j->c) == '-')
				j->c.i++;
			if (peekc(&j->c) < '0' || peekc(&j->c) > '9')
				return jerr(j, "bad number");
			j_digits(j);
		}
		return 0;
	}
	return jerr(j, "expected a JSON value");
}

/* A JSON array of non-negative integers, at most max of them. */
static int j_uint_array(jcur *j, uint64_t *v, int max, int *n)
{
	*n = 0;
	skip_ws(&j->c);
	if (peekc(&j->c) != '[')
		return jerr(j, "expected an array");
	j->c.i++;
	skip_ws(&j->c);
	if (peekc(&j->c) == ']') {
		j->c.i++;
		return 0;
	}
	for (;;) {
		skip_ws(&j->c);
		if (*n == max)
			return jerr(j, "array longer than %d", max);
		if (j_uint(j, &v[*n]) != 0)
			return -1;
		(*n)++;
		skip_ws(&j->c);
		if (peekc(&j->c) == ']') {
			j->c.i++;
			return 0;
		}
		if (peekc(&j->c) != ',')
			return jerr(j, "expected ',' or ']'");
		j->c.i++;
	}
}

static int st_dtype(jcur *j, const char *tname, const char *s, tensor_dtype *dt)
{
	static const char *const names[] = {"F16", "BF16", "F32", "F64"};
	static const tensor_dtype dts[] = {DT_F16, DT_BF16, DT_F32, DT_F64};
	for (size_t k = 0; k < 4; k++)
		if (strcmp(s, names[k]) == 0) {
			*dt = dts[k];
			return 0;
		}
	return errf(j->e, "%s: tensor '%s' has dtype '%s', which is not supported (F16, BF16, F32, "
			  "F64)", j->name, tname, s);
}

/* One tensor's {"dtype": ..., "shape": [...], "data_offsets": [b, e]}. */
static int st_entry_parse(jcur *j, st_entry *t, uint64_t data_len)
{
	bool has_dt = false, has_shape = false, has_off = false;
	skip_ws(&j->c);
	if (peekc(&j->c) != '{')
		return jerr(j, "tensor '%s': expected an object", t->name);
	j->c.i++;
	skip_ws(&j->c);
	if (peekc(&j->c) == '}')
		return jerr(j, "tensor '%s': empty object", t->name);
	for (;;) {
		strbuf key = {0};
		skip_ws(&j->c);
		if (j_string(j, &key, 64) != 0) {
			sb_free(&key);
			return -1;
		}
		skip_ws(&j->c);
		if (peekc(&j->c) != ':') {
			sb_free(&key);
			return jerr(j, "expected ':'");
		}
		j->c.i++;
		skip_ws(&j->c);
		const char *k = key.s ? key.s : "";
		int rc = 0;
		if (strcmp(k, "dtype") == 0 && !has_dt) {
			strbuf v = {0};
			rc = j_string(j, &v, 32);
			if (rc == 0)
				rc = st_dtype(j, t->name, v.s ? v.s : "", &t->dt);
			sb_free(&v);
			has_dt = true;
		} else if (strcmp(k, "shape") == 0 && !has_shape) {
			uint64_t dims[TENSOR_MAX_DIMS];
			rc = j_uint_array(j, dims, TENSOR_MAX_DIMS, &t->ndim);
			for (int d = 0; rc == 0 && d < t->ndim; d++) {
				if (dims[d] > (uint64_t)LONG_MAX)
					rc = jerr(j, "tensor '%s': dimension too large", t->name);
				t->shape[d] = (long)dims[d];
			}
			has_shape = true;
		} else if (strcmp(k, "data_offsets") == 0 && !has_off) {
			uint64_t off[2] = {0, 0};
			int n;
			rc = j_uint_array(j, off, 2, &n);
			if (rc == 0 && n != 2)
				rc = jerr(j, "tensor '%s': data_offsets must be [begin, end]", t->name);
			t->begin = off[0];
			t->end = off[1];
			has_off = true;
		} else if (strcmp(k, "dtype") == 0 || strcmp(k, "shape") == 0 ||
			   strcmp(k, "data_offsets") == 0) {
			rc = jerr(j, "tensor '%s': key '%s' appears twice", t->name, k);
		} else {
			rc = j_skip(j, 2);
		}
		sb_free(&key);
		if (rc != 0)
			return -1;
		skip_ws(&j->c);
		if (peekc(&j->c) == '}') {
			j->c.i++;
			break;
		}
		if (peekc(&j->c) != ',')
			return jerr(j, "expected ',' or '}'");
		j->c.i++;
	}
	if (!has_dt || !has_shape || !has_off)
		return jerr(j, "tensor '%s' lacks '%s'", t->name,
			    !has_dt ? "dtype" : !has_shape ? "shape" : "data_offsets");
	char sb[200];
	if (!shape_count(t->ndim, t->shape, &t->n))
		return errf(j->e, "%s: tensor '%s': shape %s is too large", j->name, t->name,
			    tensor_shape_str(t->ndim, t->shape, sb, sizeof sb));
	if (t->begin > t->end || t->end > data_len)
		return errf(j->e, "%s: tensor '%s': data_offsets [%llu, %llu] lie outside the %llu "
				  "data bytes (truncated file?)",
			    j->name, t->name, (unsigned long long)t->begin, (unsigned long long)t->end,
			    (unsigned long long)data_len);
	size_t es = tensor_dtype_size(t->dt);
	if (t->n > UINT64_MAX / es || t->end - t->begin != (uint64_t)t->n * es)
		return errf(j->e, "%s: tensor '%s': data_offsets hold %llu bytes, but shape %s of %s "
				  "needs %zu x %zu",
			    j->name, t->name, (unsigned long long)(t->end - t->begin),
			    tensor_shape_str(t->ndim, t->shape, sb, sizeof sb),
			    tensor_dtype_name(t->dt), t->n, es);
	return 0;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const st_entry *)a)->name, ((const st_entry *)b)->name);
}

static void free_entries(st_file *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->t[i].name);
	free(f->t);
	f->t = NULL;
	f->n = 0;
}

int st_parse_header(const char *name, const char *json, size_t len, uint64_t data_len, st_file *f,
		    berr *e)
{
	jcur j = {{json, 0, len}, name, e};
	size_t cap = 0;
	f->n = 0;
	f->t = NULL;
	skip_ws(&j.c);
	if (peekc(&j.c) != '{') {
		jerr(&j, "the header is not a JSON object");
		goto fail;
	}
	j.c.i++;
	skip_ws(&j.c);
	if (peekc(&j.c) == '}')
		j.c.i++;
	else
		for (;;) {
			strbuf key = {0};
			skip_ws(&j.c);
			if (j_string(&j, &key, ST_MAX_NAME) != 0) {
				sb_free(&key);
				goto fail;
			}
			skip_ws(&j.c);
			if (peekc(&j.c) != ':') {
				sb_free(&key);
				jerr(&j, "expected ':'");
				goto fail;
			}
			j.c.i++;
			if (!key.s)
				sb_add(&key, "", 0);
			if (strcmp(key.s, "__metadata__") == 0) {
				sb_free(&key);
				if (j_skip(&j, 1) != 0)
					goto fail;
			} else {
				if (f->n == cap) {
					cap = cap ? 2 * cap : 16;
					f->t = xreallocarray(f->t, cap, sizeof *f->t);
				}
				st_entry *t = &f->t[f->n++];
				memset(t, 0, sizeof *t);
				t->name = key.s;
				if (st_entry_parse(&j, t, data_len) != 0)
					goto fail;
			}
			skip_ws(&j.c);
			if (peekc(&j.c) == '}') {
				j.c.i++;
				break;
			}
			if (peekc(&j.c) != ',') {
				jerr(&j, "expected ',' or '}'");
				goto fail;
			}
			j.c.i++;
		}
	/* The format pads the header with spaces. */
	skip_ws(&j.c);
	if (j.c.i != len) {
		jerr(&j, "unexpected bytes after the JSON object");
		goto fail;
	}
	if (f->n > 1)
		qsort(f->t, f->n, sizeof *f->t, cmp_entry);
	for (size_t i = 1; i < f->n; i++)
		if (strcmp(f->t[i - 1].name, f->t[i].name) == 0) {
			errf(e, "%s: tensor '%s' is listed twice", name, f->t[i].name);
			goto fail;
		}
	return 0;
fail:
	free_entries(f);
	return -1;
}

/* Reads len bytes at off of f's file (or memory) into dst. */
static int st_bytes(st_file *f, uint64_t off, size_t len, unsigned char *dst, berr *e)
{
	if (f->mem) {
		memcpy(dst, f->mem + off, len);
		return 0;
	}
	size_t got = 0;
	while (got < len) {
		ssize_t r = pread(f->fd, dst + got, len - got, (off_t)(off + got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return errf(e, "%s: read error: %s", f->name, strerror(errno));
		if (r == 0)
			return errf(e, "%s: truncated (the file shrank while being read)", f->name);
		got += (size_t)r;
	}
	return 0;
}

/* Reads and parses the header of a file of size bytes (f->fd or f->mem set). */
static int st_init(st_file *f, uint64_t size, berr *e)
{
	unsigned char pre[8];
	if (size < 8)
		return errf(e, "%s: too short for a .safetensors file (%llu bytes)", f->name,
			    (unsigned long long)size);
	if (st_bytes(f, 0, 8, pre, e) != 0)
		return -1;
	uint64_t hl = le64(pre);
	if (hl > ST_MAX_HEADER)
		return errf(e, "%s: .safetensors header length %llu is larger than the limit of %d "
			       "bytes (not a .safetensors file?)",
			    f->name, (unsigned long long)hl, (int)ST_MAX_HEADER);
	if (hl > size - 8)
		return errf(e, "%s: truncated: the header needs %llu bytes, the file has %llu", f->name,
			    (unsigned long long)hl, (unsigned long long)(size - 8));
	char *json = xmalloc((size_t)hl + 1);
	int rc = st_bytes(f, 8, (size_t)hl, (unsigned char *)json, e);
	if (rc == 0)
		rc = st_parse_header(f->name, json, (size_t)hl, size - 8 - hl, f, e);
	free(json);
	f->data_start = 8 + hl;
	f->data_len = size - 8 - hl;
	return rc;
}

int st_open(const char *path, st_file *f, berr *e)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		return errf(e, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) != 0) {
		errf(e, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		errf(e, "%s: not a regular file", path);
		close(fd);
		return -1;
	}
	f->fd = fd;
	f->name = xstrdup(path);
	if (st_init(f, (uint64_t)st.st_size, e) != 0) {
		st_close(f);
		return -1;
	}
	return 0;
}

int st_open_mem(const char *name, const unsigned char *buf, size_t len, st_file *f, berr *e)
{
	memset(f, 0, sizeof *f);
	f->fd = -1;
	f->mem = buf;
	f->name = xstrdup(name);
	if (st_init(f, len, e) != 0) {
		st_close(f);
		return -1;
	}
	return 0;
}

const st_entry *st_find(const st_file *f, const char *name)
{
	st_entry key = {.name = (char *)name};
	if (f->n == 0)
		return NULL;
	return bsearch(&key, f->t, f->n, sizeof *f->t, cmp_entry);
}

int st_read(st_file *f, const char *name, size_t max_elems, tensor *t, berr *e)
{
	memset(t, 0, sizeof *t);
	const st_entry *en = st_find(f, name);
	if (!en)
		return errf(e, "%s: no tensor named '%s'", f->name, name);
	if (en->n > max_elems)
		return errf(e, "%s: tensor '%s' has %zu elements, more than the limit of %zu", f->name,
			    name, en->n, max_elems);
	size_t bytes = (size_t)(en->end - en->begin);
	unsigned char *raw = xmalloc(bytes);
	if (st_bytes(f, f->data_start + en->begin, bytes, raw, e) != 0) {
		free(raw);
		return -1;
	}
	t->ndim = en->ndim;
	memcpy(t->shape, en->shape, sizeof t->shape);
	t->n = en->n;
	t->data = xreallocarray(NULL, en->n, sizeof *t->data);
	tensor_decode(en->dt, raw, en->n, t->data);
	free(raw);
	return 0;
}

void st_close(st_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free_entries(f);
	free(f->name);
	memset(f, 0, sizeof *f);
	f->fd = -1;
}

/* ---- random tensors ---- */

/* ln(x) for a positive finite x, from an exact frexp and + - * / only, so the result is the
 * same on every IEEE machine (libm's log may differ in the last bit between libraries). */
static double plain_log(double x)
{
	int k;
	double m = frexp(x, &k); /* x = m * 2^k, m in [0.5, 1) */
	if (m < 0.70710678118654752440) {
		m = m * 2;
		k--;
	}
	/* ln(m) = 2 atanh(z), z = (m - 1) / (m + 1), |z| < 0.172: 14 odd terms reach 1e-21. */
	double z = (m - 1) / (m + 1), z2 = z * z, sum = 0;
	for (int i = 27; i >= 1; i -= 2)
		sum = sum * z2 + 1.0 / i;
	return 2 * z * sum + k * 0.69314718055994530942;
}

void tensor_random(double *x, size_t n, uint64_t seed, uint32_t kind, uint32_t index, bool normal,
		   double scale)
{
	rng r;
	rng_seed(&r, seed, (uint64_t)kind << 32 | index);
	if (!normal) {
		for (size_t i = 0; i < n; i++)
			x[i] = scale * (2 * rng_unit(&r) - 1);
		return;
	}
	for (size_t i = 0; i < n;) {
		double u, v, s;
		do {
			u = 2 * rng_unit(&r) - 1;
			v = 2 * rng_unit(&r) - 1;
			s = u * u + v * v;
		} while (s >= 1 || s == 0);
		double f = sqrt(-2 * plain_log(s) / s);
		x[i++] = scale * (u * f);
		if (i < n)
			x[i++] = scale * (v * f);
	}
}
