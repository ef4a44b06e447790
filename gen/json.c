/* json.c - a small JSON writer for result files. */
#include "gen/json.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void jw_init(jw *w, strbuf *out)
{
	memset(w, 0, sizeof *w);
	w->out = out;
	w->first[0] = true;
}

static void indent(jw *w)
{
	sb_puts(w->out, "\n");
	for (int i = 0; i < w->depth; i++)
		sb_puts(w->out, "  ");
}

/* Separator before a value (or key). */
static void pre(jw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			sb_puts(w->out, ",");
		indent(w);
	}
	w->first[w->depth] = false;
}

static void open(jw *w, const char *c)
{
	pre(w);
	sb_puts(w->out, c);
	if (w->depth + 1 >= (int)(sizeof w->first / sizeof w->first[0]))
		die(EXIT_INTERNAL, "JSON nesting too deep");
	w->depth++;
	w->first[w->depth] = true;
}

static void close_(jw *w, const char *c)
{
	bool empty = w->first[w->depth];
	w->depth--;
	if (!empty)
		indent(w);
	sb_puts(w->out, c);
	if (w->depth == 0)
		sb_puts(w->out, "\n");
}

void jw_obj(jw *w) { open(w, "{"); }
void jw_end_obj(jw *w) { close_(w, "}"); }
void jw_arr(jw *w) { open(w, "["); }
void jw_end_arr(jw *w) { close_(w, "]"); }

/* Length of the valid UTF-8 sequence at p (1-4) and its code point in *cp, or 0 if the
 * bytes there are not one (overlong, surrogate, out of range, cut short). */
static int utf8_seq(const unsigned char *p, unsigned long *cp)
{
	int n = p[0] >= 0xf0 ? 4 : p[0] >= 0xe0 ? 3 : 2;
	if (p[0] < 0xc2 || p[0] > 0xf4)
		return 0;
	unsigned long c = p[0] & (0x3f >> (n - 1));
	for (int i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		c = c << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && c < 0x800) || (n == 4 && (c < 0x10000 || c > 0x10ffff)) ||
	    (c >= 0xd800 && c <= 0xdfff))
		return 0;
	*cp = c;
	return n;
}

/* Writes s as a JSON string. Bytes that are not UTF-8 are written as \u00XX (so the file
 * stays valid UTF-8 and YAML readers take it), and so are the code points a YAML reader
 * would refuse (C1 controls, U+FFFE, U+FFFF) or fold as line breaks (U+0085, U+2028,
 * U+2029): every file burn writes reads back with the same strings. */
static void put_string(strbuf *o, const char *s)
{
	sb_puts(o, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p >= 0x80) {
			unsigned long cp;
			int n = utf8_seq(p, &cp);
			if (n == 0) {
				sb_printf(o, "\\u%04x", *p);
			} else if (cp <= 0x9f || cp == 0x2028 || cp == 0x2029 || cp == 0xfffe ||
				   cp == 0xffff) {
				sb_printf(o, "\\u%04lx", cp);
				p += n - 1;
			} else {
				sb_add(o, (const char *)p, (size_t)n);
				p += n - 1;
			}
			continue;
		}
		switch (*p) {
		case '"': sb_puts(o, "\\\""); break;
		case '\\': sb_puts(o, "\\\\"); break;
		case '\n': sb_puts(o, "\\n"); break;
		case '\t': sb_puts(o, "\\t"); break;
		case '\r': sb_puts(o, "\\r"); break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				sb_printf(o, "\\u%04x", *p);
			else
				sb_add(o, (const char *)p, 1);
		}
	}
	sb_puts(o, "\"");
}

void jw_key(jw *w, const char *k)
{
	pre(w);
	put_string(w->out, k);
	sb_puts(w->out, ": ");
	w->after_key = true;
}

void jw_str(jw *w, const char *s)
{
	pre(w);
	put_string(w->out, s);
}

void jw_long(jw *w, long long v)
{
	pre(w);
	sb_printf(w->out, "%lld", v);
}

void jw_double(jw *w, double v)
{
	pre(w);
	if (!isfinite(v))
		sb_puts(w->out, "null");
	else
		sb_printf(w->out, "%.17g", v);
}

void jw_bool(jw *w, bool v)
{
	pre(w);
	sb_puts(w->out, v ? "true" : "false");
}

void jw_null(jw *w)
{
	pre(w);
	sb_puts(w->out, "null");
}

void jw_kstr(jw *w, const char *k, const char *s) { jw_key(w, k); jw_str(w, s); }
void jw_klong(jw *w, const char *k, long long v) { jw_key(w, k); jw_long(w, v); }
void jw_kdouble(jw *w, const char *k, double v) { jw_key(w, k); jw_double(w, v); }
void jw_kbool(jw *w, const char *k, bool v) { jw_key(w, k); jw_bool(w, v); }
