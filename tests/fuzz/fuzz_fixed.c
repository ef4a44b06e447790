/* fuzz_fixed.c - the ap_fixed type-string parser (kernels/fixed.c fx_parse) on arbitrary
 * strings: a parsed type must be valid and its canonical spelling must parse back to the
 * same type. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/fixed.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size > 4096)
		return 0;
	char *s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	fx_type t, t2;
	char err[160], buf[96], buf2[96];
	if (fx_parse(s, &t, err, sizeof err) == 0) {
		FUZZ_ASSERT(fx_valid(&t));
		fx_format(&t, buf, sizeof buf);
		FUZZ_ASSERT(fx_parse(buf, &t2, err, sizeof err) == 0);
		FUZZ_ASSERT(fx_equal(&t, &t2));
		fx_format(&t2, buf2, sizeof buf2);
		FUZZ_ASSERT(strcmp(buf, buf2) == 0);
		/* the range functions must hold for every valid type */
		FUZZ_ASSERT(fx_raw_min(&t) <= 0 && fx_raw_max(&t) >= 0 && fx_raw_min(&t) < fx_raw_max(&t));
	} else {
		FUZZ_ASSERT(err[0] != '\0');
		FUZZ_ASSERT(memchr(err, '\0', sizeof err) != NULL);
	}
	free(s);
	return 0;
}
