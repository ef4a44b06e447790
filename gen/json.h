/* json.h - a small JSON writer for result files (read back with ydoc: the output is also YAML). */
#ifndef BURN_JSON_H
#define BURN_JSON_H

#include "gen/util.h"

typedef struct {
	strbuf *out;
	int depth;
	bool first[32];   /* no item written yet at this depth */
	bool after_key;
} jw;

/* Starts a writer appending to out. */
void jw_init(jw *w, strbuf *out);
/* Opens/closes an object or array (as a value, after a key inside an object). */
void jw_obj(jw *w);
void jw_end_obj(jw *w);
void jw_arr(jw *w);
void jw_end_arr(jw *w);
/* Writes a key inside an object; the next call writes its value. */
void jw_key(jw *w, const char *k);
/* Values. Non-finite doubles are written as null. */
void jw_str(jw *w, const char *s);
void jw_long(jw *w, long long v);
void jw_double(jw *w, double v);
void jw_bool(jw *w, bool v);
void jw_null(jw *w);

/* Shorthands for key + value. */
void jw_kstr(jw *w, const char *k, const char *s);
void jw_klong(jw *w, const char *k, long long v);
void jw_kdouble(jw *w, const char *k, double v);
void jw_kbool(jw *w, const char *k, bool v);

#endif
