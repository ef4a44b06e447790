/* fuzz_tensor.c - the .npy and .safetensors readers (gen/tensor.c) on arbitrary bytes. The
 * first byte picks the reader: npy_parse, or st_open_mem and st_read of every tensor listed.
 * Read tensors must have as many values as their shape says. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/tensor.h"
#include "tests/fuzz/fuzz.h"

enum { MAX_ELEMS = 1 << 20 };

static void check(const tensor *t)
{
	size_t n = 1;
	FUZZ_ASSERT(t->ndim >= 0 && t->ndim <= TENSOR_MAX_DIMS);
	for (int i = 0; i < t->ndim; i++)
		n *= (size_t)t->shape[i];
	FUZZ_ASSERT(n == t->n && n <= MAX_ELEMS);
	volatile double s = 0;
	for (size_t i = 0; i < t->n; i++)
		s += t->data[i];
	(void)s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	const unsigned char *buf = data + 1;
	size_t len = size - 1;
	berr e;
	tensor t;
	if (data[0] & 1) {
		if (npy_parse("fuzz.npy", buf, len, MAX_ELEMS, &t, &e) == 0) {
			check(&t);
			tensor_free(&t);
		} else {
			FUZZ_ASSERT(e.msg[0] != '\0');
		}
		return 0;
	}
	st_file f;
	if (st_open_mem("fuzz.safetensors", buf, len, &f, &e) != 0) {
		FUZZ_ASSERT(e.msg[0] != '\0');
		return 0;
	}
	for (size_t i = 0; i < f.n; i++) {
		FUZZ_ASSERT(f.t[i].begin <= f.t[i].end && f.t[i].end <= f.data_len);
		FUZZ_ASSERT(st_find(&f, f.t[i].name) != NULL);
		if (st_read(&f, f.t[i].name, MAX_ELEMS, &t, &e) == 0) {
			check(&t);
			tensor_free(&t);
		}
	}
	st_close(&f);
	return 0;
}
