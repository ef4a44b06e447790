/* step.c - running a build step through the content-addressed cache. */
#include "gen/step.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void step_begin(step *s, const char *name, int version, int n_out, const char *const *outs)
{
	memset(s, 0, sizeof *s);
	s->name = name;
	s->n_out = n_out;
	s->outs = outs;
	kh_init(&s->kh, name, version);
	berr e;
	if (cache_open(&s->c, NULL, &e) == 0)
		s->use_cache = true;
	else
		warn("%s: cache disabled: %s", name, e.msg);
}

int step_key_file(step *s, const char *label, const char *path, berr *e)
{
	return kh_add_file(&s->kh, label, path, e);
}

void step_key_bytes(step *s, const char *label, const void *data, size_t len)
{
	kh_add(&s->kh, label, data, len);
}

/* Output i's name inside a cache object: its file name. */
static const char *out_name(const char *path)
{
	const char *slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/* Writes "hit KEY", "hit KEY remote" (served by the remote cache) or "miss KEY". */
static void sidecar(const step *s, bool hit, bool remote)
{
	char hex[33];
	ckey_hex(&s->key, hex);
	char line[64];
	int n = snprintf(line, sizeof line, "%s %s%s\n", hit ? "hit" : "miss", hex,
		remote ? " remote" : "");
	for (int i = 0; i < s->n_out; i++) {
		char *p = xmalloc(strlen(s->outs[i]) + 8);
		sprintf(p, "%s.cache", s->outs[i]);
		berr e;
		if (write_file_atomic(p, line, (size_t)n, true, &e) != 0)
			warn("%s", e.msg);
		free(p);
	}
}

bool step_lookup(step *s)
{
	s->key = kh_final(&s->kh);
	if (!s->use_cache)
		return false;
	const char **names = xcalloc((size_t)s->n_out, sizeof *names);
	for (int i = 0; i < s->n_out; i++)
		names[i] = out_name(s->outs[i]);
	berr e;
	int rc = cache_restore(&s->c, &s->key, s->n_out, names, s->outs, &e);
	free(names);
	if (rc < 0) {
		warn("%s: cache lookup failed (recomputing): %s", s->name, e.msg);
		return false;
	}
	s->hit = rc == 1;
	if (s->hit) {
		sidecar(s, true, s->c.remote_hit);
		cache_close(&s->c);
		s->use_cache = false;
	}
	return s->hit;
}

void step_skip_lookup(step *s)
{
	s->key = kh_final(&s->kh);
}

void step_finish(step *s, bool ok)
{
	if (s->hit)
		return;
	if (s->use_cache && !ok) {
		cache_close(&s->c);
		s->use_cache = false;
		return;
	}
	if (s->use_cache) {
		const char **names = xcalloc((size_t)s->n_out, sizeof *names);
		for (int i = 0; i < s->n_out; i++)
			names[i] = out_name(s->outs[i]);
		berr e;
		if (cache_store(&s->c, &s->key, s->n_out, names, s->outs, &e) != 0)
			warn("%s: result not cached: %s", s->name, e.msg);
		free(names);
		cache_close(&s->c);
		s->use_cache = false;
	}
	sidecar(s, false, false);
}
