/* fuzz_cands.c - the candidate list reader (gen/cands.c cands_read: rounds/R/candidates.json,
 * which a user may hand-edit) on arbitrary bytes. Every id read must be a safe candidate id
 * (it names a folder), and a list that reads must be written and read back the same. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cands.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file("candidates.json", data, size);
	cand_list l;
	berr e;
	if (cands_read(path, &l, &e) != 0) {
		FUZZ_ASSERT(e.msg[0] != '\0');
		return 0;
	}
	FUZZ_ASSERT(l.n >= 0 && l.n <= MAX_PER_ROUND);
	for (int i = 0; i < l.n; i++)
		FUZZ_ASSERT(cand_id_ok(l.c[i].id));
	strbuf b = {0};
	cands_write(&l, &b);
	const char *p2 = fuzz_file("candidates2.json", (const uint8_t *)b.s, b.len);
	cand_list l2;
	if (cands_read(p2, &l2, &e) != 0) {
		fprintf(stderr, "written list does not read back: %s\n", e.msg);
		abort();
	}
	FUZZ_ASSERT(l2.n == l.n);
	for (int i = 0; i < l.n; i++)
		FUZZ_ASSERT(strcmp(l.c[i].id, l2.c[i].id) == 0 && l.c[i].valid == l2.c[i].valid);
	strbuf b2 = {0};
	cands_write(&l2, &b2);
	FUZZ_ASSERT(b.len == b2.len && memcmp(b.s, b2.s, b.len) == 0);
	sb_free(&b);
	sb_free(&b2);
	cands_free(&l2);
	cands_free(&l);
	return 0;
}
