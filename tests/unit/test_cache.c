/* test_cache.c - the content-addressed cache: key stability, objects, restore with restat,
 * corruption, concurrent writers, gc. Works in a mkdtemp folder. */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cache/cache.h"
#include "tests/unit/t.h"

static char *tmpdir; /* $TMPDIR/burn-test-cache-XXXXXX (t_scratch) */

/* Returns tmpdir/rel in a new string. */
static char *tpath(const char *rel)
{
	return path_join(tmpdir, rel);
}

static void write_bytes(const char *path, const void *data, size_t len)
{
	berr e;
	if (write_file_atomic(path, data, len, false, &e) != 0) {
		printf("FAIL setup: %s\n", e.msg);
		exit(1);
	}
}

static void set_mtime(const char *path, time_t sec, long nsec)
{
	struct timespec ts[2] = {{sec, nsec}, {sec, nsec}};
	if (utimensat(AT_FDCWD, path, ts, 0) != 0) {
		printf("FAIL setup: utimensat %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static bool exists(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0;
}

/* Number of entries (besides . and ..) in dir. */
static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *de;
	while ((de = readdir(d)))
		n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Opens a cache at tmpdir/rel (a fresh folder per test). */
static void open_at(cache *c, const char *rel)
{
	char *root = tpath(rel);
	berr e;
	if (cache_open(c, root, &e) != 0) {
		printf("FAIL setup: %s\n", e.msg);
		exit(1);
	}
	free(root);
}

/* stderr goes to a file between capture_start and capture_end, which returns what was said. */
static int saved_stderr = -1;
static char *capture_path;

static void capture_start(void)
{
	fflush(stderr);
	if (!capture_path)
		capture_path = tpath("stderr.txt");
	int fd = open(capture_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	saved_stderr = dup(2);
	if (fd < 0 || saved_stderr < 0 || dup2(fd, 2) < 0) {
		printf("FAIL setup: cannot capture stderr\n");
		exit(1);
	}
	close(fd);
}

static char *capture_end(void)
{
	fflush(stderr);
	dup2(saved_stderr, 2);
	close(saved_stderr);
	char *s;
	berr e;
	if (read_file(capture_path, 1 << 20, &s, NULL, &e) != 0)
		return xstrdup(e.msg);
	return s;
}

static ckey key_str(const char *step, int version, const char *label, const char *data)
{
	khash h;
	kh_init(&h, step, version);
	kh_add_str(&h, label, data);
	return kh_final(&h);
}

static bool key_eq(ckey a, ckey b)
{
	return memcmp(a.b, b.b, 16) == 0;
}

static void test_keys(void)
{
	khash h;
	kh_init(&h, "csim", 1);
	kh_add(&h, "config", "precision: ap_fixed<16,6>\n", 26);
	kh_add_str(&h, "tool", "verilator 5.006");
	ckey k = kh_final(&h);
	char hex[33];
	ckey_hex(&k, hex);
	/* A change of these values loses every cached result in the world: on purpose only. */
	CHECK(strcmp(hex, "dc834bbae92f90df288fcd341746150d") == 0, "fixed input's key: %s", hex);
	kh_init(&h, "", 0);
	k = kh_final(&h);
	ckey_hex(&k, hex);
	CHECK(strcmp(hex, "f923437f3a2da4b36af778cc71635f36") == 0, "empty step's key: %s", hex);

	ckey base = key_str("csim", 1, "ab", "c");
	CHECK(key_eq(base, key_str("csim", 1, "ab", "c")), "same input, same key");
	CHECK(!key_eq(base, key_str("csim", 2, "ab", "c")), "the version is in the key");
	CHECK(!key_eq(base, key_str("csimx", 1, "ab", "c")), "the step is in the key");
	CHECK(!key_eq(base, key_str("csim", 1, "a", "bc")), "label/data boundary is in the key");
	CHECK(!key_eq(base, key_str("csim", 1, "ab", "")), "data is in the key");
	CHECK(!key_eq(key_str("cs", 1, "x", ""), key_str("c", 1, "x", "")), "step bytes hashed");

	kh_init(&h, "s", 1); /* two fields vs one field with the same bytes */
	kh_add(&h, "d", "ab", 2);
	kh_add(&h, "d", "c", 1);
	ckey two = kh_final(&h);
	kh_init(&h, "s", 1);
	kh_add(&h, "d", "abc", 3);
	CHECK(!key_eq(two, kh_final(&h)), "field boundaries are in the key");
	kh_init(&h, "s", 1); /* field order matters */
	kh_add(&h, "d", "c", 1);
	kh_add(&h, "d", "ab", 2);
	CHECK(!key_eq(two, kh_final(&h)), "field order is in the key");

	/* a file adds its bytes, as kh_add would, wherever it lives */
	char *f1 = tpath("in1.txt"), *f2 = tpath("other-name.yaml");
	write_bytes(f1, "weights\0\1\2", 10);
	write_bytes(f2, "weights\0\1\2", 10);
	berr e;
	ckey kf[3];
	for (int i = 0; i < 3; i++) {
		kh_init(&h, "s", 1);
		if (i < 2)
			CHECK(kh_add_file(&h, "w", i ? f2 : f1, &e) == 0, "kh_add_file: %s", e.msg);
		else
			kh_add(&h, "w", "weights\0\1\2", 10);
		kf[i] = kh_final(&h);
	}
	CHECK(key_eq(kf[0], kf[1]), "a file's key does not depend on its path");
	CHECK(key_eq(kf[0], kf[2]), "kh_add_file is kh_add of the file's bytes");
	char *missing = tpath("no-such-file");
	kh_init(&h, "s", 1);
	CHECK(kh_add_file(&h, "w", missing, &e) == -1 && strstr(e.msg, "no-such-file"),
		"a missing input is an error naming it: %s", e.msg);
	kh_free(&h);
	CHECK(h.st == NULL, "kh_free clears the builder");
	kh_init(&h, "s", 1);
	CHECK(kh_add_file(&h, "w", tmpdir, &e) == -1 && strstr(e.msg, "regular"),
		"a folder is not an input file: %s", e.msg);
	kh_free(&h);
	free(f1);
	free(f2);
	free(missing);

	ckey p;
	ckey_hex(&base, hex);
	CHECK(ckey_parse(hex, &p) == 0 && key_eq(p, base), "hex round trip");
	for (char *s = hex; *s; s++)
		if (*s >= 'a' && *s <= 'f')
			*s = (char)(*s - 'a' + 'A');
	CHECK(ckey_parse(hex, &p) == 0 && key_eq(p, base), "upper-case hex parses");
	CHECK(ckey_parse("0123456789abcdef0123456789abcde", &p) == -1, "31 digits rejected");
	CHECK(ckey_parse("0123456789abcdef0123456789abcdef0", &p) == -1, "33 digits rejected");
	CHECK(ckey_parse("0123456789abcdef0123456789abcdeg", &p) == -1, "non-hex rejected");
	CHECK(ckey_parse("", &p) == -1, "empty rejected");
}

/* Sets or unsets an environment variable. */
static void env(const char *name, const char *value)
{
	if (value)
		setenv(name, value, 1);
	else
		unsetenv(name);
}

static void test_open(void)
{
	const char *names[] = {"BURN_CACHE", "XDG_CACHE_HOME", "HOME", "BURN_NO_CACHE"};
	char *saved[4];
	for (int i = 0; i < 4; i++)
		saved[i] = getenv(names[i]) ? xstrdup(getenv(names[i])) : NULL;
	cache c;
	berr e;
	char *want = tpath("env-root");
	env("BURN_NO_CACHE", NULL);
	env("BURN_CACHE", want);
	CHECK(cache_open(&c, NULL, &e) == 0 && strcmp(c.root, want) == 0 && !c.off,
		"BURN_CACHE picks the root: %s", c.root ? c.root : e.msg);
	cache_close(&c);
	char *objs = tpath("env-root/objects"), *tmp = tpath("env-root/tmp"),
	     *tag = tpath("env-root/CACHEDIR.TAG");
	CHECK(exists(objs) && exists(tmp) && exists(tag), "the root's folders are created");
	free(objs);
	free(tmp);
	free(tag);
	free(want);

	char *xdg = tpath("xdg");
	want = tpath("xdg/burn");
	env("BURN_CACHE", "");
	env("XDG_CACHE_HOME", xdg);
	CHECK(cache_open(&c, NULL, &e) == 0 && strcmp(c.root, want) == 0,
		"XDG_CACHE_HOME/burn is next: %s", c.root ? c.root : e.msg);
	cache_close(&c);
	free(want);
	free(xdg);

	char *home = tpath("home");
	want = tpath("home/.cache/burn");
	env("XDG_CACHE_HOME", "relative/ignored");
	env("HOME", home);
	CHECK(cache_open(&c, NULL, &e) == 0 && strcmp(c.root, want) == 0,
		"HOME/.cache/burn is last (a relative XDG_CACHE_HOME is ignored): %s",
		c.root ? c.root : e.msg);
	cache_close(&c);
	free(want);
	free(home);
	env("HOME", NULL);
	env("XDG_CACHE_HOME", NULL);
	CHECK(cache_open(&c, NULL, &e) == -1 && strstr(e.msg, "BURN_CACHE"),
		"no root at all is an error: %s", e.msg);
	char *file = tpath("a-file");
	write_bytes(file, "x", 1);
	char *below = tpath("a-file/cache");
	CHECK(cache_open(&c, below, &e) == -1 && strstr(e.msg, "a-file"),
		"an unusable root is an error: %s", e.msg);
	free(file);
	free(below);

	/* BURN_NO_CACHE: lookups miss, stores do nothing, no folder is made */
	open_at(&c, "off");
	ckey k = key_str("s", 1, "x", "y");
	cache_file f = {"out.json", "{}", 2};
	CHECK(cache_put(&c, &k, &f, 1, &e) == 0, "put: %s", e.msg);
	cache_close(&c);
	env("BURN_NO_CACHE", "1");
	char *offroot = tpath("off"), *offroot2 = tpath("off2");
	CHECK(cache_open(&c, offroot2, &e) == 0 && c.off && !exists(offroot2),
		"BURN_NO_CACHE: open creates nothing");
	cache_close(&c);
	CHECK(cache_open(&c, offroot, &e) == 0 && c.off, "BURN_NO_CACHE sets off");
	cache_file *got;
	int n;
	CHECK(cache_get(&c, &k, &got, &n, &e) == 0 && n == 0, "off: a stored key misses");
	ckey k2 = key_str("s", 1, "x", "z");
	CHECK(cache_put(&c, &k2, &f, 1, &e) == 0, "off: put succeeds");
	char *p2 = cache_path(&c, &k2);
	CHECK(!exists(p2), "off: put stores nothing");
	free(p2);
	const char *nm[] = {"out.json"};
	char *outp = tpath("off-out.json");
	const char *pp[] = {outp};
	CHECK(cache_restore(&c, &k, 1, nm, pp, &e) == 0 && !exists(outp), "off: restore misses");
	CHECK(cache_store(&c, &k2, 1, nm, pp, &e) == 0, "off: store does not even read");
	cache_close(&c);
	env("BURN_NO_CACHE", "0");
	CHECK(cache_open(&c, offroot, &e) == 0 && !c.off, "BURN_NO_CACHE=0 is on");
	CHECK(cache_get(&c, &k, &got, &n, &e) == 1, "on again: hit");
	cache_files_free(got, n);
	cache_close(&c);
	free(offroot);
	free(offroot2);
	free(outp);
	for (int i = 0; i < 4; i++) {
		env(names[i], saved[i]);
		free(saved[i]);
	}
}

static void test_roundtrip(void)
{
	cache c;
	berr e;
	open_at(&c, "rt");
	size_t big_len = 1 << 20;
	char *big = xmalloc(big_len);
	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)(i * 131 + (i >> 9));
	cache_file in[] = {
		{"csim.json", "{\"max_err\": 0.5}\n", 17},
		{"empty.txt", "", 0},
		{"bin.dat", "a\0b\0\xff", 5},
		{"big.bin", big, big_len},
	};
	ckey k = key_str("csim", 1, "cfg", "a");
	CHECK(cache_put(&c, &k, in, 4, &e) == 0, "put: %s", e.msg);
	cache_file *out;
	int n;
	CHECK(cache_get(&c, &k, &out, &n, &e) == 1 && n == 4, "get hits with 4 files (n=%d)", n);
	for (int i = 0; i < n && i < 4; i++) {
		CHECK(strcmp(out[i].name, in[i].name) == 0, "name %d: %s", i, out[i].name);
		CHECK(out[i].len == in[i].len && memcmp(out[i].data, in[i].data, in[i].len) == 0,
			"data of %s", in[i].name);
		CHECK(out[i].data[out[i].len] == '\0', "data of %s is NUL-terminated", in[i].name);
	}
	cache_files_free(out, n);

	ckey other = key_str("csim", 1, "cfg", "b");
	CHECK(cache_get(&c, &other, &out, &n, &e) == 0 && out == NULL && n == 0, "miss");

	ckey none = key_str("csim", 1, "cfg", "none");
	CHECK(cache_put(&c, &none, NULL, 0, &e) == 0, "put of no files: %s", e.msg);
	CHECK(cache_get(&c, &none, &out, &n, &e) == 1 && n == 0, "an empty object hits");
	cache_files_free(out, n);

	in[0].data = "{\"max_err\": 0.25}\n";
	in[0].len = 18;
	CHECK(cache_put(&c, &k, in, 1, &e) == 0, "put again: %s", e.msg);
	CHECK(cache_get(&c, &k, &out, &n, &e) == 1 && n == 1 && out[0].len == 18,
		"a second put replaces the object");
	cache_files_free(out, n);

	const char *bad[] = {"../x", ".hidden", "a/b", "", "sp ace", "new\nline", "..", "."};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cache_file f = {(char *)bad[i], "x", 1};
		CHECK(cache_put(&c, &other, &f, 1, &e) == -1 && strstr(e.msg, "plain file name"),
			"name '%s' refused: %s", bad[i], e.msg);
	}
	char longname[300];
	memset(longname, 'a', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	cache_file lf = {longname, "x", 1};
	CHECK(cache_put(&c, &other, &lf, 1, &e) == -1, "a 299-byte name is refused");
	longname[CACHE_MAX_NAME] = '\0';
	CHECK(cache_put(&c, &other, &lf, 1, &e) == 0, "a 255-byte name is fine: %s", e.msg);
	cache_file dup[] = {{"a.json", "1", 1}, {"a.json", "2", 1}};
	CHECK(cache_put(&c, &other, dup, 2, &e) == -1 && strstr(e.msg, "twice"),
		"duplicate names refused: %s", e.msg);
	cache_file huge = {"huge.bin", big, CACHE_MAX_OBJECT}; /* only its length is looked at */
	CHECK(cache_put(&c, &other, &huge, 1, &e) == -1 && strstr(e.msg, "too large"),
		"an object over the limit is refused: %s", e.msg);
	cache_file halves[] = {{"a", big, CACHE_MAX_OBJECT / 2}, {"b", big, CACHE_MAX_OBJECT / 2}};
	CHECK(cache_put(&c, &other, halves, 2, &e) == -1 && strstr(e.msg, "too large"),
		"two halves with framing are over the limit: %s", e.msg);
	CHECK(cache_put(&c, &other, in, CACHE_MAX_FILES + 1, &e) == -1, "too many files refused");
	CHECK(cache_put(&c, &other, in, -1, &e) == -1, "a negative count is refused");
	char *tmp = tpath("rt/tmp");
	CHECK(count_entries(tmp) == 0, "no temp file is left behind (%d)", count_entries(tmp));
	free(tmp);
	free(big);
	cache_close(&c);
}

static void test_restore(void)
{
	cache c;
	berr e;
	open_at(&c, "rs");
	char *a = tpath("rs-a.json"), *b = tpath("rs-b.txt");
	write_bytes(a, "{\"lut\": 123}\n", 13);
	write_bytes(b, "log\n", 4);
	const char *names[] = {"a.json", "b.txt"};
	const char *ins[] = {a, b};
	ckey k = key_str("estimate", 3, "cfg", "r");
	CHECK(cache_store(&c, &k, 2, names, ins, &e) == 0, "store: %s", e.msg);

	char *oa = tpath("out-a.json"), *ob = tpath("out-b.txt");
	const char *outs[] = {oa, ob};
	CHECK(cache_restore(&c, &k, 2, names, outs, &e) == 1, "restore hits: %s", e.msg);
	char *s = NULL;
	size_t len = 0;
	CHECK(read_file(oa, 1000, &s, &len, &e) == 0 && len == 13 &&
		      memcmp(s, "{\"lut\": 123}\n", 13) == 0,
		"first output restored");
	free(s);
	CHECK(read_file(ob, 1000, &s, &len, &e) == 0 && len == 4 && memcmp(s, "log\n", 4) == 0,
		"second output restored");
	free(s);

	/* restat: identical bytes leave the file alone */
	set_mtime(oa, 978307200, 123456789); /* 2001-01-01 */
	struct stat before, after;
	stat(oa, &before);
	CHECK(cache_restore(&c, &k, 2, names, outs, &e) == 1, "restore again: %s", e.msg);
	stat(oa, &after);
	CHECK(after.st_mtim.tv_sec == before.st_mtim.tv_sec &&
	      after.st_mtim.tv_nsec == before.st_mtim.tv_nsec && after.st_ino == before.st_ino,
		"an identical output keeps its mtime and inode");
	write_bytes(oa, "stale", 5);
	set_mtime(oa, 978307200, 0);
	CHECK(cache_restore(&c, &k, 2, names, outs, &e) == 1, "restore over a stale file");
	stat(oa, &after);
	CHECK(after.st_mtim.tv_sec > 978307200 && after.st_size == 13,
		"a different output is rewritten");

	/* a name the object lacks is a miss, and nothing is written */
	const char *names3[] = {"a.json", "c.json"};
	char *oc = tpath("out-c.json"), *oa2 = tpath("out-a2.json");
	const char *outs3[] = {oa2, oc};
	CHECK(cache_restore(&c, &k, 2, names3, outs3, &e) == 0, "a missing output is a miss");
	CHECK(!exists(oa2) && !exists(oc), "a partial hit writes nothing");
	ckey k2 = key_str("estimate", 3, "cfg", "other");
	CHECK(cache_restore(&c, &k2, 2, names, outs3, &e) == 0 && !exists(oa2),
		"a miss writes nothing");

	/* a hit is the object's use for LRU */
	char *obj = cache_path(&c, &k);
	set_mtime(obj, 978307200, 0);
	cache_file *f;
	int n;
	CHECK(cache_get(&c, &k, &f, &n, &e) == 1, "get");
	cache_files_free(f, n);
	struct stat st;
	stat(obj, &st);
	CHECK(st.st_mtim.tv_sec >= time(NULL) - 60, "a hit touches the object's mtime");

	/* an unreadable input is an error, and nothing is stored */
	char *gone = tpath("no-such-output");
	const char *ins_bad[] = {a, gone};
	CHECK(cache_store(&c, &k2, 2, names, ins_bad, &e) == -1 && strstr(e.msg, "no-such-output"),
		"store of a missing file fails naming it: %s", e.msg);
	CHECK(cache_get(&c, &k2, &f, &n, &e) == 0, "and stores nothing");
	free(gone);
	free(obj);
	free(oc);
	free(oa2);
	free(a);
	free(b);
	free(oa);
	free(ob);
	cache_close(&c);
}

/* Appends a little-endian integer of n bytes. */
static void le(strbuf *b, uint64_t v, int n)
{
	for (int i = 0; i < n; i++) {
		char ch = (char)(v >> (8 * i));
		sb_add(b, &ch, 1);
	}
}

/* Builds an object by hand: header for key k and nfiles, body as given, then a valid checksum. */
static void craft(strbuf *b, const ckey *k, uint32_t nfiles, const char *body, size_t blen)
{
	b->len = 0;
	sb_add(b, "BRNCACHE", 8);
	le(b, CACHE_FORMAT, 4);
	sb_add(b, (const char *)k->b, 16);
	le(b, nfiles, 4);
	sb_add(b, body, blen);
	XXH128_canonical_t sum;
	XXH128_canonicalFromHash(&sum, XXH3_128bits(b->s, b->len));
	sb_add(b, (const char *)sum.digest, 16);
}

/* Gets k, expecting a corrupt object: a miss, a warning naming the key and why, removal. */
static void expect_corrupt(cache *c, const ckey *k, const char *why, const char *what)
{
	char hex[33];
	ckey_hex(k, hex);
	char *path = cache_path(c, k);
	berr e;
	CHECK(cache_check(path, k, &e) == 1 && strstr(e.msg, why), "%s: check says corrupt: %s",
		what, e.msg);
	cache_file *f = NULL;
	int n = 0;
	capture_start();
	int rc = cache_get(c, k, &f, &n, &e);
	char *said = capture_end();
	CHECK(rc == 0 && f == NULL, "%s: a corrupt object is a miss (rc %d)", what, rc);
	CHECK(strstr(said, hex) && strstr(said, "corrupt") && strstr(said, why),
		"%s: the warning names the key and '%s': %s", what, why, said);
	CHECK(!exists(path), "%s: the corrupt object is removed", what);
	free(said);
	free(path);
}

static void test_corrupt(void)
{
	cache c;
	berr e;
	open_at(&c, "bad");
	ckey k = key_str("csim", 1, "cfg", "corrupt");
	cache_file in[] = {{"csim.json", "{\"max_err\": 0.125}\n", 19}, {"log.txt", "ok\n", 3}};
	char *path = cache_path(&c, &k);
	size_t size = 32 + (12 + 9 + 19) + (12 + 7 + 3) + 16;
	struct stat st;
	CHECK(cache_put(&c, &k, in, 2, &e) == 0 && stat(path, &st) == 0 &&
		      (size_t)st.st_size == size,
		"object size is as documented (%zu)", size);
	size_t offs[] = {0, 9, 13, 30, 33, 40, 60, size - 20, size - 1};
	for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
		CHECK(cache_put(&c, &k, in, 2, &e) == 0, "put: %s", e.msg);
		char *s;
		size_t len;
		read_file(path, 1 << 20, &s, &len, &e);
		s[offs[i]] ^= 0x10;
		write_bytes(path, s, len);
		free(s);
		char what[64];
		snprintf(what, sizeof what, "byte %zu flipped", offs[i]);
		expect_corrupt(&c, &k, offs[i] < 8 ? "magic" : "checksum", what);
	}
	size_t cuts[] = {size - 1, size - 16, 40, 32, 7, 0};
	for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
		CHECK(cache_put(&c, &k, in, 2, &e) == 0, "put: %s", e.msg);
		CHECK(truncate(path, (off_t)cuts[i]) == 0, "truncate");
		char what[64];
		snprintf(what, sizeof what, "truncated to %zu", cuts[i]);
		expect_corrupt(&c, &k, cuts[i] < 48 ? "truncated" : "checksum", what);
	}
	CHECK(cache_put(&c, &k, in, 2, &e) == 0, "put: %s", e.msg);
	FILE *f = fopen(path, "ab");
	fputs("extra", f);
	fclose(f);
	expect_corrupt(&c, &k, "checksum", "bytes appended");

	/* objects with a valid checksum but a bad structure */
	strbuf b = {0}, body = {0};
	char *dir = dir_of(path);
	mkdirs(dir, &e);
	free(dir);
	le(&body, 7, 4);
	sb_add(&body, "../evil", 7);
	le(&body, 1, 8);
	sb_add(&body, "x", 1);
	craft(&b, &k, 1, body.s, body.len);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "plain file name", "an unsafe name");

	craft(&b, &k, 100000, "", 0);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "limit", "a huge file count");

	craft(&b, &k, 2, "", 0);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "past the end", "a file count beyond the data");

	body.len = 0;
	le(&body, 1, 4);
	sb_add(&body, "a", 1);
	le(&body, UINT64_MAX, 8);
	craft(&b, &k, 1, body.s, body.len);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "past the end", "a huge data length");

	body.len = 0;
	le(&body, 0xffffffffu, 4);
	craft(&b, &k, 1, body.s, body.len);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "past the end", "a huge name length");

	body.len = 0;
	for (int i = 0; i < 2; i++) {
		le(&body, 1, 4);
		sb_add(&body, "a", 1);
		le(&body, 0, 8);
	}
	craft(&b, &k, 2, body.s, body.len);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "twice", "a duplicate name");

	body.len = 0;
	le(&body, 1, 4);
	sb_add(&body, "a", 1);
	le(&body, 0, 8);
	sb_add(&body, "junk", 4);
	craft(&b, &k, 1, body.s, body.len);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "stray", "bytes after the last file");

	ckey k2 = key_str("csim", 1, "cfg", "elsewhere");
	craft(&b, &k2, 0, "", 0);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "misplaced", "another key's object");

	craft(&b, &k, 0, "", 0);
	b.s[8] = 9; /* format 9, checksum recomputed */
	b.len -= 16;
	XXH128_canonical_t sum;
	XXH128_canonicalFromHash(&sum, XXH3_128bits(b.s, b.len));
	sb_add(&b, (const char *)sum.digest, 16);
	write_bytes(path, b.s, b.len);
	expect_corrupt(&c, &k, "format 9", "an unknown format");

	craft(&b, &k, 0, "", 0);
	write_bytes(path, b.s, b.len);
	cache_file *out;
	int n;
	CHECK(cache_get(&c, &k, &out, &n, &e) == 1 && n == 0, "a hand-made sound object reads");
	cache_files_free(out, n);
	CHECK(cache_check(path, &k, &e) == 0, "and checks sound");

	CHECK(unlink(path) == 0 && mkdir(path, 0755) == 0, "setup: a folder where the object goes");
	CHECK(cache_check(path, &k, &e) == 1 && strstr(e.msg, "regular"), "check: %s", e.msg);
	capture_start();
	int rc = cache_get(&c, &k, &out, &n, &e);
	char *said = capture_end();
	CHECK(rc == 0 && strstr(said, "regular") && strstr(said, "cannot remove"),
		"a folder in place of an object is a miss, with a warning: %s", said);
	free(said);
	rmdir(path);
	sb_free(&b);
	sb_free(&body);
	free(path);
	cache_close(&c);
}

/* A write that fails half way (file size limit, as a full disk would) leaves no object and no
 * temp file, and says why. Runs in a child: the limit stays there. */
static void test_write_error(void)
{
	cache c;
	open_at(&c, "wfail");
	fflush(stdout);
	pid_t pid = fork();
	if (pid == 0) {
		struct rlimit rl = {4096, 4096};
		signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) != 0)
			_exit(3);
		char data[20000];
		memset(data, 'w', sizeof data);
		cache_file f = {"big.bin", data, sizeof data};
		ckey k = key_str("w", 1, "x", "y");
		berr e;
		int rc = cache_put(&c, &k, &f, 1, &e);
		char *p = cache_path(&c, &k);
		bool stored = exists(p);
		free(p);
		bool right = rc == -1 && strstr(e.msg, "write error") && !stored;
		if (!right)
			printf("child: %s\n", rc == 0 ? "put succeeded" : e.msg);
		fflush(stdout);
		_exit(right ? 0 : 1);
	}
	int status = 0;
	waitpid(pid, &status, 0);
	CHECK(pid > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
		"a failed write is an error and stores nothing (status %d)", status);
	char *tmp = tpath("wfail/tmp");
	CHECK(count_entries(tmp) == 0, "the failed write's temp file is removed");
	free(tmp);
	cache_close(&c);
}

enum { NPROC = 4, ROUNDS = 60, SHARED_KEYS = 6, OWN_KEYS = 10 };

/* The deterministic outputs for key number i: sizes from 1 byte to ~300 KB. */
static void outputs_of(int i, cache_file f[2], char *buf, size_t cap)
{
	size_t len = (size_t)(i * 7919) % (cap - 1) + 1;
	for (size_t j = 0; j < len; j++)
		buf[j] = (char)(i + j * 31);
	f[0] = (cache_file){"result.json", buf, len};
	f[1] = (cache_file){"key.txt", buf + len / 2, len / 3};
}

static ckey conc_key(int i)
{
	char s[16];
	snprintf(s, sizeof s, "%d", i);
	return key_str("conc", 1, "i", s);
}

/* One writer: puts shared and own keys over and over, reading them back between. */
static int writer(cache *c, int id)
{
	size_t cap = 300000;
	char *buf = xmalloc(cap), *want = xmalloc(cap);
	int bad = 0;
	for (int r = 0; r < ROUNDS; r++) {
		int i = r % 2 ? (r * 7 + id) % SHARED_KEYS : 100 + id * 100 + r / 2 % OWN_KEYS;
		cache_file f[2], w[2];
		outputs_of(i, f, buf, cap);
		ckey k = conc_key(i);
		berr e;
		if (cache_put(c, &k, f, 2, &e) != 0) {
			fprintf(stderr, "writer %d: %s\n", id, e.msg);
			bad++;
		}
		int j = (r * 3 + id) % SHARED_KEYS; /* read a shared key others may be writing */
		ckey kj = conc_key(j);
		cache_file *got;
		int n;
		int rc = cache_get(c, &kj, &got, &n, &e);
		outputs_of(j, w, want, cap);
		if (rc < 0 || (rc == 1 && (n != 2 || got[0].len != w[0].len ||
					   memcmp(got[0].data, w[0].data, w[0].len) != 0))) {
			fprintf(stderr, "writer %d: bad read of key %d\n", id, j);
			bad++;
		}
		if (rc == 1)
			cache_files_free(got, n);
	}
	free(buf);
	free(want);
	return bad ? 1 : 0;
}

static void test_concurrent(void)
{
	cache c;
	open_at(&c, "conc");
	pid_t pids[NPROC];
	for (int p = 0; p < NPROC; p++) {
		fflush(stdout);
		pids[p] = fork();
		if (pids[p] == 0) {
			/* warnings (a torn object read as corrupt) go to a file the parent reads */
			char name[32];
			snprintf(name, sizeof name, "conc-%d.err", p);
			char *ep = tpath(name);
			if (!freopen(ep, "w", stderr))
				_exit(3);
			free(ep);
			int rc = writer(&c, p);
			fflush(stderr);
			_exit(rc);
		}
		CHECK(pids[p] > 0, "fork: %s", strerror(errno));
	}
	for (int p = 0; p < NPROC; p++) {
		int status = 0;
		if (pids[p] <= 0)
			continue;
		waitpid(pids[p], &status, 0);
		CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "writer %d: status %d", p,
			status);
		char name[32];
		snprintf(name, sizeof name, "conc-%d.err", p);
		char *ep = tpath(name), *said = NULL;
		berr e;
		CHECK(read_file(ep, 1 << 20, &said, NULL, &e) == 0 && said[0] == '\0',
			"writer %d said nothing on stderr: %s", p, said ? said : e.msg);
		free(said);
		free(ep);
	}
	cache_obj *o;
	size_t n;
	berr e;
	CHECK(cache_list(&c, &o, &n, &e) == 0, "list: %s", e.msg);
	CHECK(n == SHARED_KEYS + NPROC * OWN_KEYS, "%zu objects, wanted %d", n,
		SHARED_KEYS + NPROC * OWN_KEYS);
	size_t sound = 0;
	for (size_t i = 0; i < n; i++)
		sound += cache_check(o[i].path, &o[i].key, &e) == 0;
	CHECK(sound == n, "all objects intact (%zu of %zu)", sound, n);
	cache_objs_free(o, n);
	size_t cap = 300000;
	char *buf = xmalloc(cap);
	int right = 0, total = 0;
	for (int i = 0; i < 100 + NPROC * 100; i++) {
		if (i >= SHARED_KEYS && (i < 100 || i % 100 >= OWN_KEYS))
			continue;
		cache_file w[2], *got;
		int nf;
		outputs_of(i, w, buf, cap);
		ckey k = conc_key(i);
		total++;
		if (cache_get(&c, &k, &got, &nf, &e) == 1) {
			right += nf == 2 && got[0].len == w[0].len && got[1].len == w[1].len &&
				 memcmp(got[0].data, w[0].data, w[0].len) == 0 &&
				 memcmp(got[1].data, w[1].data, w[1].len) == 0;
			cache_files_free(got, nf);
		}
	}
	CHECK(right == total, "every key holds its own outputs (%d of %d)", right, total);
	free(buf);
	char *tmp = tpath("conc/tmp");
	CHECK(count_entries(tmp) == 0, "no temp files left (%d)", count_entries(tmp));
	free(tmp);
	cache_close(&c);
}

static void test_gc(void)
{
	cache c;
	berr e;
	open_at(&c, "gc");
	char data[10000];
	memset(data, 'g', sizeof data);
	ckey k[5];
	char *paths[5];
	time_t t0 = time(NULL) - 10000;
	for (int i = 0; i < 5; i++) {
		char s[16];
		snprintf(s, sizeof s, "%d", i);
		k[i] = key_str("gc", 1, "i", s);
		cache_file f = {"out.bin", data, sizeof data};
		CHECK(cache_put(&c, &k[i], &f, 1, &e) == 0, "put: %s", e.msg);
		paths[i] = cache_path(&c, &k[i]);
		set_mtime(paths[i], t0 + i, 0);
	}
	cache_file *f;
	int n;
	CHECK(cache_get(&c, &k[0], &f, &n, &e) == 1, "a hit on the oldest makes it the newest");
	cache_files_free(f, n);
	char *stale = tpath("gc/tmp/0123.abcdef"), *fresh = tpath("gc/tmp/4567.abcdef");
	write_bytes(stale, "half an object", 14);
	write_bytes(fresh, "being written", 13);
	set_mtime(stale, time(NULL) - 2 * CACHE_STALE_TMP, 0);

	struct stat st;
	stat(paths[0], &st);
	uint64_t one = (uint64_t)st.st_size;
	cache_gc_stats gs;
	CHECK(cache_gc(&c, 2 * one + one / 2, &gs, &e) == 0, "gc: %s", e.msg);
	CHECK(gs.objects == 5 && gs.removed == 3 && gs.bytes == 5 * one && gs.freed == 3 * one,
		"gc removed 3 of 5 (%zu of %zu, freed %llu)", gs.removed, gs.objects,
		(unsigned long long)gs.freed);
	CHECK(exists(paths[0]) && exists(paths[4]), "the recently used objects stay");
	CHECK(!exists(paths[1]) && !exists(paths[2]) && !exists(paths[3]),
		"the least recently used go");
	CHECK(gs.tmp_removed == 1 && !exists(stale) && exists(fresh),
		"only the stale temp file is removed (%zu)", gs.tmp_removed);
	CHECK(cache_gc(&c, 2 * one, &gs, &e) == 0 && gs.removed == 0, "at the limit, nothing goes");
	CHECK(cache_gc(&c, 0, &gs, &e) == 0 && gs.removed == 2 && !exists(paths[0]),
		"gc to 0 empties");

	/* files that are not objects are left alone */
	char *junk1 = tpath("gc/objects/zz"), *junk2 = tpath("gc/objects/ab/short");
	mkdirs(junk1, &e);
	char *j2dir = dir_of(junk2);
	mkdirs(j2dir, &e);
	write_bytes(junk2, "x", 1);
	cache_obj *o;
	size_t no;
	CHECK(cache_list(&c, &o, &no, &e) == 0 && no == 0, "list skips what is not an object (%zu)",
		no);
	cache_objs_free(o, no);
	CHECK(cache_gc(&c, 0, &gs, &e) == 0 && exists(junk2), "gc leaves other files alone");
	free(j2dir);
	free(junk1);
	free(junk2);
	for (int i = 0; i < 5; i++)
		free(paths[i]);
	free(stale);
	free(fresh);
	cache_close(&c);

	cache empty;
	open_at(&empty, "gc-empty");
	char *objs = tpath("gc-empty/objects");
	rmdir(objs);
	CHECK(cache_list(&empty, &o, &no, &e) == 0 && no == 0, "a root without objects lists none");
	CHECK(cache_gc(&empty, 0, &gs, &e) == 0 && gs.objects == 0, "and gc is fine");
	free(objs);
	cache_close(&empty);
}

int main(void)
{
	tmpdir = xstrdup(t_scratch("cache"));
	unsetenv("BURN_NO_CACHE"); /* the tests want a working cache, */
	unsetenv("BURN_REMOTE_CACHE"); /* and only a local one */
	test_keys();
	test_open();
	test_roundtrip();
	test_restore();
	test_corrupt();
	test_write_error();
	test_concurrent();
	test_gc();
	free(capture_path);
	if (t_fail == 0)
		t_scratch_done();
	else
		printf("left %s for inspection\n", tmpdir);
	free(tmpdir);
	return t_done("test_cache");
}
