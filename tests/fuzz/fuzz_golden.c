/* fuzz_golden.c - the golden-file reader (kernels/golden.c golden_check) on arbitrary bytes:
 * a malformed file must give an error naming a line, never a crash. Failures are not printed
 * (show 0). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels/golden.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	if (!text)
		abort();
	memcpy(text, data, size);
	text[size] = '\0';
	long pass, fail;
	berr e;
	if (golden_check("fuzz.golden", text, 0, &pass, &fail, &e) == 0)
		FUZZ_ASSERT(pass >= 0 && fail >= 0 && pass + fail > 0);
	else
		FUZZ_ASSERT(strncmp(e.msg, "fuzz.golden:", 12) == 0);
	free(text);
	return 0;
}
