/* fuzz.h - helpers shared by the libFuzzer harnesses (tests/fuzz/fuzz_*.c). Each harness
 * defines LLVMFuzzerTestOneInput; `make fuzz` links it with libFuzzer, `make check` with
 * replay.c, which feeds it the seed corpus and every saved crash input. */
#ifndef BURN_FUZZ_H
#define BURN_FUZZ_H
#include <stddef.h>
#include <stdint.h>

/* The entry point libFuzzer (or replay.c) calls with one input. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Writes data to a file in a private temp folder (one per process, removed at exit) and
 * returns its path (the same path on every call, under name). Aborts on I/O errors. */
const char *fuzz_file(const char *name, const uint8_t *data, size_t size);

/* A private temp folder for the process (created on first use, removed at exit). */
const char *fuzz_dir(void);

/* Aborts with a message when cond is false: the fuzzer reports an input that breaks a
 * property the harness checks (not only crashes). */
#define FUZZ_ASSERT(cond) fuzz_assert((cond), #cond, __FILE__, __LINE__)
/* Implementation of FUZZ_ASSERT. */
void fuzz_assert(int ok, const char *what, const char *file, int line);
#endif
