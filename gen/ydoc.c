/* ydoc.c - a YAML document as a tree of nodes with their positions (libyaml underneath). */
#define _POSIX_C_SOURCE 200809L
#include "gen/ydoc.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

static ynode *mknode(yn_kind k, const yaml_mark_t *m)
{
	ynode *n = xcalloc(1, sizeof *n);
	n->kind = k;
	n->line = (int)m->line + 1;
	n->col = (int)m->column + 1;
	return n;
}

static void freenode(ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++) {
		freenode(n->items[i]);
		if (n->keys)
			freenode(n->keys[i]);
	}
	free(n->items);
	free(n->keys);
	free(n->str);
	free(n);
}

static void addchild(ynode *p, ynode *k, ynode *v)
{
	p->items = xreallocarray(p->items, p->n + 1, sizeof *p->items);
	if (p->kind == YN_MAP) {
		p->keys = xreallocarray(p->keys, p->n + 1, sizeof *p->keys);
		p->keys[p->n] = k;
	}
	p->items[p->n++] = v;
}

typedef struct {
	yaml_parser_t p;
	const char *name;
	berr *e;
} pstate;

static int perr(pstate *s, const yaml_mark_t *m, const char *msg)
{
	return errf(s->e, "%s:%zu:%zu: %s", s->name, m->line + 1, m->column + 1, msg);
}

static int next(pstate *s, yaml_event_t *ev)
{
	if (!yaml_parser_parse(&s->p, ev)) {
		const char *prob = s->p.problem ? s->p.problem : "malformed YAML";
		return errf(s->e, "%s:%zu:%zu: malformed YAML: %s%s%s", s->name,
			    s->p.problem_mark.line + 1, s->p.problem_mark.column + 1, prob,
			    s->p.context ? " " : "", s->p.context ? s->p.context : "");
	}
	return 0;
}

/* Parses one node whose first event is ev (consumed). */
static int parse_node(pstate *s, yaml_event_t *ev, int depth, ynode **out)
{
	*out = NULL;
	if (depth > YDOC_MAX_DEPTH) {
		perr(s, &ev->start_mark, "nesting too deep");
		yaml_event_delete(ev);
		return -1;
	}
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		perr(s, &ev->start_mark, "YAML aliases are not supported");
		yaml_event_delete(ev);
		return -1;
	case YAML_SCALAR_EVENT: {
		ynode *n = mknode(YN_SCALAR, &ev->start_mark);
		n->str = xstrndup((const char *)ev->data.scalar.value, ev->data.scalar.length);
		if (strlen(n->str) != ev->data.scalar.length) {
			perr(s, &ev->start_mark, "NUL byte in a scalar");
			freenode(n);
			yaml_event_delete(ev);
			return -1;
		}
		n->quoted = ev->data.scalar.style == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
			    ev->data.scalar.style == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
		yaml_event_delete(ev);
		*out = n;
		return 0;
	}
	case YAML_SEQUENCE_START_EVENT:
	case YAML_MAPPING_START_EVENT: {
		bool ismap = ev->type == YAML_MAPPING_START_EVENT;
		ynode *n = mknode(ismap ? YN_MAP : YN_SEQ, &ev->start_mark);
		yaml_event_delete(ev);
		for (;;) {
			yaml_event_t e2;
			if (next(s, &e2) != 0)
				goto fail;
			if (e2.type == YAML_SEQUENCE_END_EVENT || e2.type == YAML_MAPPING_END_EVENT) {
				yaml_event_delete(&e2);
				break;
			}
			ynode *k = NULL, *v = NULL;
			if (ismap) {
				if (e2.type != YAML_SCALAR_EVENT) {
					perr(s, &e2.start_mark, "mapping keys must be plain strings");
					yaml_event_delete(&e2);
					goto fail;
				}
				if (parse_node(s, &e2, depth + 1, &k) != 0)
					goto fail;
				if (ymap_get(n, k->str)) {
					errf(s->e, "%s:%d:%d: key '%s' appears twice", s->name, k->line,
					     k->col, k->str);
					freenode(k);
					goto fail;
				}
				yaml_event_t e3;
				if (next(s, &e3) != 0) {
					freenode(k);
					goto fail;
				}
				if (parse_node(s, &e3, depth + 1, &v) != 0) {
					freenode(k);
					goto fail;
				}
			} else if (parse_node(s, &e2, depth + 1, &v) != 0) {
				goto fail;
			}
			addchild(n, k, v);
		}
		*out = n;
		return 0;
	fail:
		freenode(n);
		return -1;
	}
	default:
		perr(s, &ev->start_mark, "unexpected YAML event");
		yaml_event_delete(ev);
		return -1;
	}
}

int ydoc_parse(const char *name, const char *text, size_t len, ydoc *d, berr *e)
{
	memset(d, 0, sizeof *d);
	pstate s = {.name = name, .e = e};
	if (!yaml_parser_initialize(&s.p))
		return errf(e, "%s: cannot initialise the YAML parser", name);
	yaml_parser_set_input_string(&s.p, (const unsigned char *)text, len);
	int rc = -1;
	ynode *root = NULL;
	yaml_event_t ev;
	/* stream start, document start (or stream end for an empty file) */
	if (next(&s, &ev) != 0)
		goto out;
	yaml_event_delete(&ev);
	if (next(&s, &ev) != 0)
		goto out;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		rc = 0;
		goto out;
	}
	yaml_event_delete(&ev);
	if (next(&s, &ev) != 0)
		goto out;
	if (parse_node(&s, &ev, 0, &root) != 0)
		goto out;
	if (next(&s, &ev) != 0) /* document end */
		goto out;
	yaml_event_delete(&ev);
	if (next(&s, &ev) != 0)
		goto out;
	if (ev.type != YAML_STREAM_END_EVENT) {
		perr(&s, &ev.start_mark, "only one YAML document per file is allowed");
		yaml_event_delete(&ev);
		goto out;
	}
	yaml_event_delete(&ev);
	rc = 0;
out:
	yaml_parser_delete(&s.p);
	if (rc == 0) {
		d->file = xstrdup(name);
		d->root = root;
	} else {
		freenode(root);
	}
	return rc;
}

int ydoc_load(const char *path, ydoc *d, berr *e)
{
	char *buf;
	size_t len;
	memset(d, 0, sizeof *d);
	if (read_file(path, YDOC_MAX_BYTES, &buf, &len, e) != 0)
		return -1;
	int rc = ydoc_parse(path, buf, len, d, e);
	free(buf);
	return rc;
}

void ydoc_free(ydoc *d)
{
	freenode(d->root);
	free(d->file);
	d->root = NULL;
	d->file = NULL;
}

int yerr(berr *e, const ydoc *d, const ynode *at, const char *key, const char *fmt, ...)
{
	if (!e)
		return -1;
	char msg[768];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	int line = at ? at->line : 1, col = at ? at->col : 1;
	if (key && *key)
		snprintf(e->msg, sizeof e->msg, "%s:%d:%d: key '%s': %s", d->file, line, col, key, msg);
	else
		snprintf(e->msg, sizeof e->msg, "%s:%d:%d: %s", d->file, line, col, msg);
	return -1;
}

ynode *ymap_get(const ynode *m, const char *key)
{
	if (!m || m->kind != YN_MAP)
		return NULL;
	for (size_t i = 0; i < m->n; i++)
		if (strcmp(m->keys[i]->str, key) == 0)
			return m->items[i];
	return NULL;
}

const char *ykey(char *buf, size_t n, const char *ctx, const char *key)
{
	if (ctx && *ctx)
		snprintf(buf, n, "%s.%s", ctx, key);
	else
		snprintf(buf, n, "%s", key);
	return buf;
}

int ymap_check(const ydoc *d, const ynode *m, const char *ctx, const char *const *allowed, size_t n,
	       berr *e)
{
	if (!m || m->kind != YN_MAP)
		return yerr(e, d, m, ctx, "expected a mapping");
	for (size_t i = 0; i < m->n; i++) {
		const char *k = m->keys[i]->str;
		bool ok = false;
		for (size_t j = 0; j < n && !ok; j++)
			ok = strcmp(k, allowed[j]) == 0;
		if (ok)
			continue;
		char kb[256];
		const char *sug = closest_word(k, allowed, n);
		if (sug)
			return yerr(e, d, m->keys[i], ykey(kb, sizeof kb, ctx, k),
				    "unknown key (did you mean '%s'?)", sug);
		strbuf all = {0};
		for (size_t j = 0; j < n; j++)
			sb_printf(&all, "%s%s", j ? ", " : "", allowed[j]);
		yerr(e, d, m->keys[i], ykey(kb, sizeof kb, ctx, k), "unknown key (expected one of: %s)",
		     all.s ? all.s : "");
		sb_free(&all);
		return -1;
	}
	return 0;
}

static int scalar_of(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
		     const ynode **out, berr *e)
{
	char kb[256];
	*out = NULL;
	if (m && m->kind != YN_MAP)
		return yerr(e, d, m, ctx, "expected a mapping");
	const ynode *v = ymap_get(m, key);
	if (!v) {
		if (required)
			return yerr(e, d, m, ykey(kb, sizeof kb, ctx, key), "missing required key");
		return 0;
	}
	if (v->kind != YN_SCALAR)
		return yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "expected a single value");
	*out = v;
	return 0;
}

int yget_long(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	      long lo, long hi, long *out, berr *e)
{
	const ynode *v;
	char kb[256];
	if (scalar_of(d, m, ctx, key, required, &v, e) != 0)
		return -1;
	if (!v)
		return 0;
	long x;
	if (v->quoted || parse_long(v->str, &x) != 0)
		return yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "expected an integer, got '%s'",
			    v->str);
	if (x < lo || x > hi)
		return yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "%ld is out of range [%ld, %ld]", x,
			    lo, hi);
	*out = x;
	return 0;
}

int yget_double(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
		double lo, double hi, double *out, berr *e)
{
	const ynode *v;
	char kb[256];
	if (scalar_of(d, m, ctx, key, required, &v, e) != 0)
		return -1;
	if (!v)
		return 0;
	double x;
	if (v->quoted || parse_double(v->str, &x) != 0 || !isfinite(x))
		return yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "expected a finite number, got '%s'",
			    v->str);
	if (x < lo || x > hi)
		return yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "%g is out of range [%g, %g]", x, lo,
			    hi);
	*out = x;
	return 0;
}

int yget_bool(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	      bool *out, berr *e)
{
	const ynode *v;
	char kb[256];
	if (scalar_of(d, m, ctx, key, required, &v, e) != 0)
		return -1;
	if (!v)
		return 0;
	static const char *const t[] = {"true", "True", "TRUE", "yes", "on"};
	static const char *const f[] = {"false", "False", "FALSE", "no", "off"};
	if (!v->quoted) {
		for (size_t i = 0; i < 5; i++) {
			if (strcmp(v->str, t[i]) == 0) {
				*out = true;
				return 0;
			}
			if (strcmp(v->str, f[i]) == 0) {
				*out = false;
				return 0;
			}
		}
	}
	return yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "expected true or false, got '%s'", v->str);
}

int yget_str(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	     const char **out, berr *e)
{
	const ynode *v;
	if (scalar_of(d, m, ctx, key, required, &v, e) != 0)
		return -1;
	if (v)
		*out = v->str;
	return 0;
}

int yget_enum(const ydoc *d, const ynode *m, const char *ctx, const char *key, bool required,
	      const char *const *choices, size_t n, int *out, berr *e)
{
	const ynode *v;
	char kb[256];
	if (scalar_of(d, m, ctx, key, required, &v, e) != 0)
		return -1;
	if (!v)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (strcmp(v->str, choices[i]) == 0) {
			*out = (int)i;
			return 0;
		}
	const char *sug = closest_word(v->str, choices, n);
	strbuf all = {0};
	for (size_t i = 0; i < n; i++)
		sb_printf(&all, "%s%s", i ? ", " : "", choices[i]);
	if (sug)
		yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "'%s' is not one of %s (did you mean '%s'?)",
		     v->str, all.s, sug);
	else
		yerr(e, d, v, ykey(kb, sizeof kb, ctx, key), "'%s' is not one of %s", v->str, all.s);
	sb_free(&all);
	return -1;
}
