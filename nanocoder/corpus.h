/* corpus.h - the NanoCoder corpus: the .py files of a Python standard library folder (Debian's
 * /usr/lib/python3.11), sorted by path, test folders left out, cut to a byte cap, written as a
 * training split (the first 90% of the bytes) and a held-out split (the last 10%), with a
 * manifest naming every file and the SHA-256 of the content. docs/NANOCODER.md. */
#ifndef BURN_NC_CORPUS_H
#define BURN_NC_CORPUS_H

#include <stddef.h>

#include "gen/util.h"

/* Where the corpus comes from by default, and the package that ships it. */
#define NC_CORPUS_SRC "/usr/lib/python3.11"
#define NC_CORPUS_PACKAGE "libpython3.11-stdlib"
/* The default cap: 8 MiB of source. */
#define NC_CORPUS_CAP ((size_t)8 << 20)

/* What a corpus build produced. */
typedef struct {
	size_t nfiles;      /* files taken */
	size_t nskipped;    /* .py files left out as tests or by the cap */
	size_t bytes;       /* total bytes */
	size_t train_bytes; /* bytes of train.txt; the rest is heldout.txt */
	char sha256[65];    /* SHA-256 of the concatenated content */
} nc_corpus_info;

/* True if the relative path rel (of a .py file) lies in a folder the corpus leaves out: test
 * suites (test/, tests/, idle_test/), caches, site-packages, build configuration, and
 * pydoc_data/ (the HTML documentation dumped into strings: prose, not code). */
int nc_corpus_excluded(const char *rel);

/* Builds the corpus from the .py files under src (sorted by path in byte order, excluded
 * folders left out, stopping before the first file that would pass cap bytes) into outdir:
 * train.txt, heldout.txt (the last heldout_pct percent of the bytes) and manifest.json. */
int nc_corpus_build(const char *src, size_t cap, int heldout_pct, const char *outdir,
		    nc_corpus_info *info, berr *e);

/* Reads outdir/NAME (train.txt or heldout.txt) of a built corpus into *buf. */
int nc_corpus_read(const char *dir, const char *name, char **buf, size_t *len, berr *e);

#endif
