/* golden.h - the golden-vector checker behind burn golden (kernels/golden.c). */
#ifndef BURN_GOLDEN_H
#define BURN_GOLDEN_H
#include "gen/util.h"

/* Checks every case of a golden file held in text (modified in place; name is used in
 * messages): counts the cases that pass and fail, printing the first show failures in full.
 * Returns -1 with e naming name:LINE if the text is malformed or holds no case. */
int golden_check(const char *name, char *text, int show, long *pass, long *fail, berr *e);
#endif
