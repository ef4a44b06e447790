/* tensor.h - tensors read as doubles from .npy and .safetensors files, a .npy writer, and the
 * seeded random tensors behind random weights and calibration inputs. The parsers take
 * untrusted bytes: every size is bounded and every read is checked. */
#ifndef BURN_TENSOR_H
#define BURN_TENSOR_H

#include "gen/util.h"

/* Bounds on what the readers accept. */
enum {
	TENSOR_MAX_DIMS = 8,
	NPY_MAX_HEADER = 1 << 20,      /* bytes of a .npy header dict */
	ST_MAX_HEADER = 16 << 20,      /* bytes of a .safetensors JSON header */
	ST_MAX_NAME = 1024,            /* bytes of a tensor name */
	ST_MAX_DEPTH = 32,             /* JSON nesting in a .safetensors header */
};

/* Element types the readers decode (all little-endian IEEE formats). */
typedef enum { DT_F16, DT_BF16, DT_F32, DT_F64 } tensor_dtype;

typedef struct {
	int ndim;                      /* 0 for a scalar */
	long shape[TENSOR_MAX_DIMS];
	size_t n;                      /* number of elements: the product of shape */
	double *data;                  /* n values in C (row-major) order */
} tensor;

/* Bytes of one element of dt. */
size_t tensor_dtype_size(tensor_dtype dt);

/* Name of dt as safetensors spells it ("F16", "BF16", "F32", "F64"). */
const char *tensor_dtype_name(tensor_dtype dt);

/* Converts n little-endian values of type dt at raw into doubles (any host byte order). */
void tensor_decode(tensor_dtype dt, const unsigned char *raw, size_t n, double *out);

/* Finds the first NaN or infinite value of t: true and its flat index in *at, else false. */
bool tensor_find_nonfinite(const tensor *t, size_t *at);

/* Writes flat index at of t as a multi-index "[i, j]" into buf (size n); returns buf. */
const char *tensor_index_str(const tensor *t, size_t at, char *buf, size_t n);

/* Writes t's shape as "[a, b]" into buf (size n); returns buf. */
const char *tensor_shape_str(int ndim, const long *shape, char *buf, size_t n);

/* Frees t's data and zeroes it. */
void tensor_free(tensor *t);

/* Parses a whole .npy file held in buf (versions 1-3, '<f2' '<f4' '<f8', C order) into t,
 * refusing more than max_elems elements. name is used in messages. */
int npy_parse(const char *name, const unsigned char *buf, size_t len, size_t max_elems, tensor *t,
	      berr *e);

/* Reads a .npy file into t (see npy_parse). */
int npy_load(const char *path, size_t max_elems, tensor *t, berr *e);

/* Appends data (shape[ndim], C order) to out as a version 1.0 .npy, '<f8' if f64 else '<f4'. */
void npy_encode(strbuf *out, const double *data, int ndim, const long *shape, bool f64);

/* Writes data as a .npy file (see npy_encode), atomically. */
int npy_save(const char *path, const double *data, int ndim, const long *shape, bool f64, berr *e);

/* One tensor listed in a .safetensors header. */
typedef struct {
	char *name;
	tensor_dtype dt;
	int ndim;
	long shape[TENSOR_MAX_DIMS];
	size_t n;                      /* number of elements */
	uint64_t begin, end;           /* byte range inside the data section */
} st_entry;

/* A .safetensors file with its header parsed; tensors are read on demand. */
typedef struct {
	char *name;                    /* path or name used in messages */
	int fd;                        /* open file, or -1 when the bytes are in mem */
	const unsigned char *mem;      /* the whole file in memory (st_open_mem), or NULL */
	uint64_t data_start;           /* 8 + header length */
	uint64_t data_len;             /* bytes of the data section */
	size_t n;
	st_entry *t;
} st_file;

/* Parses a safetensors JSON header of len bytes whose data section has data_len bytes:
 * fills f's entries (f's other fields are left alone). */
int st_parse_header(const char *name, const char *json, size_t len, uint64_t data_len, st_file *f,
		    berr *e);

/* Opens a .safetensors file and parses its header. */
int st_open(const char *path, st_file *f, berr *e);

/* Same for a whole file held in memory (buf must outlive f); name is used in messages. */
int st_open_mem(const char *name, const unsigned char *buf, size_t len, st_file *f, berr *e);

/* The entry named name, or NULL. */
const st_entry *st_find(const st_file *f, const char *name);

/* Reads tensor name into t, refusing more than max_elems elements. */
int st_read(st_file *f, const char *name, size_t max_elems, tensor *t, berr *e);

/* Closes f and frees its entries. */
void st_close(st_file *f);

/* Kinds of random stream, so each (seed, kind, index) gives an independent stream. */
enum { STREAM_WEIGHT = 1, STREAM_BIAS = 2, STREAM_CALIB = 3 };

/* Fills x[n] from the stream (seed, kind << 32 | index) of gen/rng.h: standard normal values
 * times scale (Marsaglia's polar method), or uniform ones in [-scale, scale). Uses only
 * IEEE-exact operations, so every machine gets the same bits. */
void tensor_random(double *x, size_t n, uint64_t seed, uint32_t kind, uint32_t index, bool normal,
		   double scale);

#endif
