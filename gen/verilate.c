/* verilate.c - cached Verilator builds (gen/verilate.h). */
#define _XOPEN_SOURCE 700 /* mkdtemp, realpath, utimensat */
#include "gen/verilate.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gen/proc.h"

/* Removes dir; a failure leaves only a folder behind, so it is a warning. */
static void drop(const char *dir)
{
	berr e;
	if (rm_tree(dir, &e) != 0)
		warn("%s", e.msg);
}

/* Verilator's whole command line: s->argv, then the files that are arguments; NULL-ended. */
static char **command(const vl_spec *s)
{
	char **argv = xcalloc((size_t)s->argc + (size_t)s->nf + 1, sizeof *argv);
	int n = 0;
	for (int i = 0; i < s->argc; i++)
		argv[n++] = (char *)s->argv[i];
	for (int i = 0; i < s->nf; i++)
		if (s->files[i].arg)
			argv[n++] = (char *)s->files[i].name;
	return argv;
}

/* The build's key: the Verilator version, the command line, every file's name and bytes. */
static ckey build_key(const vl_spec *s, char *const *argv)
{
	khash h;
	kh_init(&h, "verilator-build", VL_BUILD_VERSION);
	kh_add_str(&h, "version", s->version);
	for (int i = 0; argv[i]; i++)
		kh_add_str(&h, "arg", argv[i]);
	for (int i = 0; i < s->nf; i++) {
		kh_add_str(&h, "name", s->files[i].name);
		kh_add(&h, "file", s->files[i].data, s->files[i].len);
	}
	return kh_final(&h);
}

/* Builds s's simulator in the new folder dir; keeps dir/BIN and the sources. */
static int build_in(const char *dir, const vl_spec *s, char *const *argv, const char *log,
		    double timeout, double *seconds, berr *e)
{
	for (int i = 0; i < s->nf; i++) {
		char *dst = path_join(dir, s->files[i].name);
		int rc = write_file_atomic(dst, s->files[i].data, s->files[i].len, false, e);
		free(dst);
		if (rc != 0)
			return -1;
	}
	proc_log(log, "building with Verilator in %s", dir);
	proc_result pr;
	if (proc_run(argv, dir, log, timeout, &pr, e) != 0)
		return -1;
	*seconds = pr.seconds;
	if (pr.status != 0) {
		char buf[64];
		return errf(e, "verilator build %s: %s", proc_describe(&pr, buf, sizeof buf),
			    pr.tail[0] ? pr.tail : "(no output)");
	}
	char *objdir = path_join(dir, "obj_dir");
	char *built = path_join(objdir, s->bin), *kept = path_join(dir, s->bin);
	int rc = 0;
	if (rename(built, kept) != 0)
		rc = errf(e, "verilator built no %s: %s", built, strerror(errno));
	drop(objdir);
	free(built);
	free(kept);
	free(objdir);
	return rc;
}

int vl_get(const vl_spec *s, const char *scratch_dir, const char *log, double timeout,
	   vl_build *b, berr *e)
{
	memset(b, 0, sizeof *b);
	char **argv = command(s);
	ckey key = build_key(s, argv);
	char hex[33];
	ckey_hex(&key, hex);

	cache c;
	berr ce;
	int orc = cache_open(&c, NULL, &ce);
	bool use_cache = orc == 0 && !c.off;
	if (orc != 0)
		warn("Verilator builds not cached: %s", ce.msg);
	char *base = use_cache ? path_join(c.root, CACHE_BUILDS) : xstrdup(scratch_dir);
	char *final = path_join(base, hex), *final_bin = path_join(final, s->bin);
	char *tmp = path_join(base, use_cache ? CACHE_BUILD_TMP "XXXXXX" : ".verilator-XXXXXX");
	const char *bin = NULL; /* where the simulator is, when there is one */
	if (use_cache && access(final_bin, X_OK) == 0) {
		proc_log(log, "Verilator build %s: found in the cache", final);
		utimensat(AT_FDCWD, final, NULL, 0); /* its mtime says when it was last used (gc) */
		b->cached = true;
		bin = final_bin;
	} else if (mkdirs(base, e) != 0) {
		/* e is set */
	} else if (!mkdtemp(tmp)) {
		errf(e, "%s: cannot create a build folder: %s", base, strerror(errno));
	} else if (build_in(tmp, s, argv, log, timeout, &b->seconds, e) != 0) {
		drop(tmp);
	} else if (!use_cache) {
		b->scratch = tmp;
		tmp = path_join(b->scratch, s->bin);
		bin = tmp;
	} else if (rename(tmp, final) == 0) {
		bin = final_bin;
	} else if (access(final_bin, X_OK) == 0) {
		/* another run built the same design meanwhile */
		drop(tmp);
		bin = final_bin;
	} else {
		errf(e, "%s: cannot move the build into place: %s", final, strerror(errno));
		drop(tmp);
	}
	int rc = -1;
	if (bin) {
		/* absolute, so that a simulation may run in any folder */
		b->bin = realpath(bin, NULL);
		rc = b->bin ? 0 : errf(e, "%s: %s", bin, strerror(errno));
	}
	if (rc != 0)
		vl_free(b);
	free(tmp);
	free(final_bin);
	free(final);
	free(base);
	free(argv);
	if (orc == 0)
		cache_close(&c);
	return rc;
}

void vl_free(vl_build *b)
{
	if (b->scratch)
		drop(b->scratch);
	free(b->scratch);
	free(b->bin);
	memset(b, 0, sizeof *b);
}
