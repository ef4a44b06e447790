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

static void put_string(strbuf *o, const char *s)
{
	sb_puts(o, "\"");
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
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
