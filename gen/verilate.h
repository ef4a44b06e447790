/* verilate.h - cached Verilator builds: a simulator compiled from Verilog and a C++ testbench
 * by `verilator --cc --exe --build`, for burn rtlsim (gen/cmd_rtl.c) and burn kernels
 * (gen/cmd_kernels.c). A build is kept under the cache root in verilator/KEY/ (CACHE_BUILDS,
 * cache/cache.h; KEY hashes the Verilator version, its whole command line and the name and
 * bytes of every file), so a design is built once per cache. It is made in
 * verilator/tmp-XXXXXX and renamed into place when it succeeds; only the simulator and the
 * sources are kept. A hit touches the folder's mtime, by which `burn cache gc` trims the
 * builds together with the objects (cache/cache.c). */
#ifndef BURN_VERILATE_H
#define BURN_VERILATE_H

#include <stdbool.h>
#include <stddef.h>

#include "cache/cache.h"
#include "gen/util.h"

/* Bump when a build made from the same inputs changes. */
enum { VL_BUILD_VERSION = 2 };

/* One file of a build, written into its folder. */
typedef struct {
	const char *name;  /* a plain file name */
	const char *data;
	size_t len;
	bool arg;          /* named on Verilator's command line (false: a header it includes) */
} vl_file;

/* What to build. argv is Verilator's command line up to the file names; it must say
 * `--Mdir obj_dir -o BIN`, BIN being bin. */
typedef struct {
	const char *const *argv;
	int argc;
	const char *bin;
	const vl_file *files;
	int nf;
	const char *version; /* `verilator --version` */
} vl_spec;

/* A simulator, ready to run. */
typedef struct {
	char *bin;        /* its absolute path */
	char *scratch;    /* the folder of a build made without a cache (vl_free removes it) */
	bool cached;      /* found in the cache */
	double seconds;   /* the build's wall time (0 when cached) */
} vl_build;

/* Finds s's simulator in the cache or builds it there; without a cache (BURN_NO_CACHE, or a
 * root that cannot be opened: a warning) it builds in a new folder under scratch_dir. The
 * tool's output and a line per build or hit go to log (NULL: none). -1 with e set if the
 * build failed or timed out ("verilator build exit 1: <its output's tail>"). */
int vl_get(const vl_spec *s, const char *scratch_dir, const char *log, double timeout,
	   vl_build *b, berr *e);

/* Removes an uncached build's folder and frees b. */
void vl_free(vl_build *b);

#endif
