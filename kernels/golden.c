/* golden.c - burn golden: checks kernels/fixed and kernels/dense against golden vectors
 * computed with the vendor's ap_fixed headers. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen/cmds.h"
#include "gen/util.h"
#include "kernels/dense.h"
#include "kernels/fixed.h"
#include "kernels/golden.h"

const char usage_golden[] =
	"usage: burn golden [--show N] FILE\n"
	"\n"
	"Checks the fixed-point arithmetic (ap_fixed casts and the dense kernel) against\n"
	"golden vectors made with the vendor's ap_fixed headers. Prints the first failures in\n"
	"full (type, input, expected, got), then a last line \"N passed, M failed\".\n"
	"Exit status: 0 all passed, 1 some failed, 2 FILE malformed (the message says\n"
	"FILE:LINE) or bad usage.\n"
	"\n"
	"  --show N   print the first N failures in full (default 5)\n"
	"\n"
	"FILE holds cases, one per quant line or dense block; blank lines and lines starting\n"
	"with # are skipped. Doubles are C99 hex floats (or decimal); RAW is the stored integer,\n"
	"value = RAW * 2^-(W-I).\n"
	"  quant TYPE X RAW           (TYPE)X must store RAW\n"
	"  dense ID n_in=N n_out=M relu=0|1\n"
	"  types data=T weight=T bias=T accum=T result=T\n"
	"  x N doubles                inputs, cast to data\n"
	"  w N*M doubles              w[i*M+j] (input i, output j), cast to weight\n"
	"  b M doubles                biases, cast to bias (leave the line out for none)\n"
	"  y M RAWs                   expected outputs of type result\n"
	"A dense block computes acc[j] = (accum)b[j]; for i in order acc[j] =\n"
	"(accum)(acc[j] + x[i]*w[i*M+j]) with the full-precision product; y[j] =\n"
	"(result)acc[j]; with relu, y[j] = 0 where !(y[j] > 0).\n"
	"TYPE is ap_fixed<W,I[,Q[,O]]>, ap_ufixed<...>, ap_int<W> or ap_uint<W>.\n";

enum { MAX_VALUES = 1 << 26, SHOW_VALUES = 16 };

/* The file, walked line by line. */
typedef struct {
	const char *path;
	char *next;  /* start of the next line, NULL at the end */
	int lineno;  /* number of the line last returned */
	berr *e;
	int show;    /* failures still to print in full */
} golden;

/* Returns the next line that is not blank or a comment, NUL-terminated; NULL at the end. */
static char *nextline(golden *g)
{
	while (g->next && *g->next) {
		char *l = g->next;
		char *nl = strchr(l, '\n');
		if (nl) {
			*nl = '\0';
			g->next = nl + 1;
		} else {
			g->next = NULL;
		}
		g->lineno++;
		size_t n = strlen(l);
		if (n && l[n - 1] == '\r')
			l[--n] = '\0';
		char *p = l + strspn(l, " \t");
		if (*p && *p != '#')
			return p;
	}
	return NULL;
}

/* Cuts the next word off *p (a type's <...> may hold spaces); NULL at the end of the line. */
static char *word(char **p)
{
	char *s = *p + strspn(*p, " \t");
	if (!*s)
		return NULL;
	char *q = s;
	while (*q && *q != ' ' && *q != '\t') {
		if (*q == '<') {
			char *gt = strchr(q, '>');
			q = gt ? gt : q + strlen(q) - 1;
		}
		q++;
	}
	if (*q)
		*q++ = '\0';
	*p = q;
	return s;
}

static int bad(golden *g, const char *what, const char *tok)
{
	return errf(g->e, "%s:%d: %s '%s'", g->path, g->lineno, what, tok);
}

static int parse_type(golden *g, const char *tok, fx_type *t)
{
	char msg[160];
	if (fx_parse(tok, t, msg, sizeof msg) < 0)
		return errf(g->e, "%s:%d: bad type '%s': %s", g->path, g->lineno, tok, msg);
	return 0;
}

static int parse_x(golden *g, const char *tok, double *x)
{
	char *end;
	errno = 0;
	*x = strtod(tok, &end);
	if (end == tok || *end || isnan(*x))
		return bad(g, "not a number", tok);
	return 0;
}

/* Parses a decimal raw integer and checks it against t's range. */
static int parse_raw(golden *g, const char *tok, const fx_type *t, fx_raw *out)
{
	const char *p = tok;
	bool neg = *p == '-';
	if (*p == '-' || *p == '+')
		p++;
	if (!*p)
		return bad(g, "not an integer", tok);
	fx_raw v = 0;
	for (; *p; p++) {
		if (*p < '0' || *p > '9')
			return bad(g, "not an integer", tok);
		if (v > ((fx_raw)1 << 100))
			return bad(g, "integer too large", tok);
		v = v * 10 + (*p - '0');
	}
	v = neg ? -v : v;
	if (v < fx_raw_min(t) || v > fx_raw_max(t)) {
		char ts[96];
		return errf(g->e, "%s:%d: raw %s out of the range of %s", g->path, g->lineno, tok,
			    fx_format(t, ts, sizeof ts));
	}
	*out = v;
	return 0;
}

static void print_raw(fx_raw r)
{
	char buf[48];
	fputs(fx_rawstr(r, buf, sizeof buf), stdout);
}

/* One quant line: 1 passed, 0 failed, -1 malformed. */
static int do_quant(golden *g, char *p)
{
	char *ts = word(&p), *xs = word(&p), *rs = word(&p);
	if (!rs)
		return errf(g->e, "%s:%d: quant wants TYPE X RAW", g->path, g->lineno);
	if (word(&p))
		return errf(g->e, "%s:%d: quant wants TYPE X RAW, got more", g->path, g->lineno);
	fx_type t;
	double x;
	fx_raw want;
	if (parse_type(g, ts, &t) < 0 || parse_x(g, xs, &x) < 0 || parse_raw(g, rs, &t, &want) < 0)
		return -1;
	fx_raw got = fx_from_double(&t, x, NULL);
	if (got == want)
		return 1;
	if (g->show > 0) {
		g->show--;
		char tb[96];
		printf("FAIL %s:%d: quant %s x=%a (%.17g): expected raw ", g->path, g->lineno,
		       fx_format(&t, tb, sizeof tb), x, x);
		print_raw(want);
		printf(" (%.17g), got raw ", fx_to_double(&t, want));
		print_raw(got);
		printf(" (%.17g)\n", fx_to_double(&t, got));
	}
	return 0;
}

/* Reads a "key=value" word into *v (1 .. max). */
static int keyint(golden *g, const char *tok, const char *key, long max, long *v)
{
	size_t n = strlen(key);
	if (strncmp(tok, key, n) != 0 || tok[n] != '=')
		return 0;
	if (parse_long(tok + n + 1, v) < 0 || *v < 0 || *v > max)
		return errf(g->e, "%s:%d: %s wants an integer 0..%ld, got '%s'", g->path, g->lineno,
			    key, max, tok + n + 1);
	return 1;
}

/* Reads the line that must come next in a dense block, with its keyword. */
static char *expect_line(golden *g, const char *kw, const char *id)
{
	char *l = nextline(g);
	if (!l) {
		errf(g->e, "%s:%d: dense %s ends early: '%s' line missing", g->path, g->lineno, id, kw);
		return NULL;
	}
	char *w = word(&l);
	if (strcmp(w, kw) != 0) {
		errf(g->e, "%s:%d: dense %s: expected a '%s' line, got '%s'", g->path, g->lineno,
		     id, kw, w);
		return NULL;
	}
	return l;
}

/* Reads exactly n doubles of line p and casts them to t. */
static int values(golden *g, char *p, const char *name, long n, const fx_type *t, fx_raw *out,
		  double *orig)
{
	long k = 0;
	for (char *tok; (tok = word(&p)); k++) {
		double x;
		if (k == n)
			return errf(g->e, "%s:%d: %s has more than %ld values", g->path, g->lineno,
				    name, n);
		if (parse_x(g, tok, &x) < 0)
			return -1;
		orig[k] = x;
		out[k] = fx_from_double(t, x, NULL);
	}
	if (k != n)
		return errf(g->e, "%s:%d: %s has %ld values, wants %ld", g->path, g->lineno, name, k,
			    n);
	return 0;
}

static void print_doubles(const char *name, const double *v, long n)
{
	printf("  %-6s", name);
	for (long k = 0; k < n && k < SHOW_VALUES; k++)
		printf(" %a", v[k]);
	if (n > SHOW_VALUES)
		printf(" ... (%ld more)", n - SHOW_VALUES);
	printf("\n");
}

static void print_raws(const char *name, const fx_raw *v, long n)
{
	printf("  %-6s", name);
	for (long k = 0; k < n && k < SHOW_VALUES; k++) {
		putchar(' ');
		print_raw(v[k]);
	}
	if (n > SHOW_VALUES)
		printf(" ... (%ld more)", n - SHOW_VALUES);
	printf("\n");
}

static void print_dense_failure(golden *g, int line, const char *id, const dense_types *t,
				long n_in, long n_out, const double *xd, const double *wd,
				const double *bd, const fx_raw *x, const fx_raw *w, const fx_raw *b,
				const fx_raw *want, const fx_raw *got)
{
	long ndiff = 0, first = -1;
	for (long j = 0; j < n_out; j++)
		if (want[j] != got[j] && ndiff++ == 0)
			first = j;
	char d[96], wt[96], bt[96], at[96], rt[96];
	printf("FAIL %s:%d: dense %s n_in=%ld n_out=%ld relu=%d: %ld of %ld outputs differ\n",
	       g->path, line, id, n_in, n_out, t->relu, ndiff, n_out);
	printf("  types data=%s weight=%s bias=%s accum=%s result=%s\n",
	       fx_format(&t->data, d, sizeof d), fx_format(&t->weight, wt, sizeof wt),
	       t->has_bias ? fx_format(&t->bias, bt, sizeof bt) : "(none)",
	       fx_format(&t->accum, at, sizeof at), fx_format(&t->result, rt, sizeof rt));
	print_doubles("x", xd, n_in);
	print_raws("x raw", x, n_in);
	print_doubles("w", wd, n_in * n_out);
	print_raws("w raw", w, n_in * n_out);
	if (t->has_bias) {
		print_doubles("b", bd, n_out);
		print_raws("b raw", b, n_out);
	}
	print_raws("want", want, n_out);
	print_raws("got", got, n_out);
	printf("  first difference: y[%ld] expected ", first);
	print_raw(want[first]);
	printf(" (%.17g), got ", fx_to_double(&t->result, want[first]));
	print_raw(got[first]);
	printf(" (%.17g)\n", fx_to_double(&t->result, got[first]));
}

/* Parses the "types" line into t. */
static int parse_types(golden *g, char *p, const char *id, dense_types *t)
{
	static const char *const keys[] = {"data", "weight", "bias", "accum", "result"};
	fx_type *dst[] = {&t->data, &t->weight, &t->bias, &t->accum, &t->result};
	bool seen[5] = {0};
	for (char *tok; (tok = word(&p));) {
		char *eq = strchr(tok, '=');
		int k = 0;
		if (eq) {
			*eq = '\0';
			while (k < 5 && strcmp(tok, keys[k]) != 0)
				k++;
		}
		if (!eq || k == 5)
			return errf(g->e, "%s:%d: dense %s: expected data=, weight=, bias=, accum= "
					  "or result=, got '%s'", g->path, g->lineno, id, tok);
		if (seen[k])
			return errf(g->e, "%s:%d: dense %s: %s= given twice", g->path, g->lineno, id,
				    tok);
		seen[k] = true;
		if (parse_type(g, eq + 1, dst[k]) < 0)
			return -1;
	}
	for (int k = 0; k < 5; k++)
		if (!seen[k])
			return errf(g->e, "%s:%d: dense %s: %s= missing", g->path, g->lineno, id,
				    keys[k]);
	return 0;
}

/* One dense block: 1 passed, 0 failed, -1 malformed. */
static int do_dense(golden *g, char *p)
{
	int rc = -1, line = g->lineno;
	char *id = word(&p);
	if (!id)
		return errf(g->e, "%s:%d: dense wants ID n_in=N n_out=M relu=0|1", g->path,
			    g->lineno);
	long n_in = -1, n_out = -1, relu = -1;
	for (char *tok; (tok = word(&p));) {
		int r = keyint(g, tok, "n_in", MAX_VALUES, &n_in);
		if (!r)
			r = keyint(g, tok, "n_out", MAX_VALUES, &n_out);
		if (!r)
			r = keyint(g, tok, "relu", 1, &relu);
		if (r < 0)
			return -1;
		if (!r)
			return bad(g, "dense: unknown field", tok);
	}
	if (n_in < 1 || n_out < 1 || relu < 0)
		return errf(g->e, "%s:%d: dense %s wants n_in=N n_out=M relu=0|1 (N, M >= 1)",
			    g->path, g->lineno, id);
	if (n_in * n_out > MAX_VALUES)
		return errf(g->e, "%s:%d: dense %s: n_in*n_out above %d", g->path, g->lineno, id,
			    MAX_VALUES);
	dense_types t = {.relu = relu, .has_bias = true};
	char *l = expect_line(g, "types", id);
	if (!l || parse_types(g, l, id, &t) < 0)
		return -1;
	long nw = n_in * n_out;
	fx_raw *x = xcalloc((size_t)(n_in + nw + 3 * n_out), sizeof *x);
	fx_raw *w = x + n_in, *b = w + nw, *want = b + n_out, *got = want + n_out;
	double *xd = xcalloc((size_t)(n_in + nw + n_out), sizeof *xd);
	double *wd = xd + n_in, *bd = wd + nw;
	if (!(l = expect_line(g, "x", id)) || values(g, l, "x", n_in, &t.data, x, xd) < 0)
		goto out;
	if (!(l = expect_line(g, "w", id)) || values(g, l, "w", nw, &t.weight, w, wd) < 0)
		goto out;
	l = nextline(g);
	char *kw = l ? word(&l) : NULL;
	if (kw && strcmp(kw, "b") == 0) {
		if (values(g, l, "b", n_out, &t.bias, b, bd) < 0)
			goto out;
		l = nextline(g);
		kw = l ? word(&l) : NULL;
	} else {
		t.has_bias = false;
	}
	if (!kw || strcmp(kw, "y") != 0) {
		if (kw)
			errf(g->e, "%s:%d: dense %s: expected a 'b' or 'y' line, got '%s'", g->path,
			     g->lineno, id, kw);
		else
			errf(g->e, "%s:%d: dense %s ends early: 'y' line missing", g->path, g->lineno,
			     id);
		goto out;
	}
	long k = 0;
	for (char *tok; (tok = word(&l)); k++) {
		if (k == n_out) {
			errf(g->e, "%s:%d: y has more than %ld values", g->path, g->lineno, n_out);
			goto out;
		}
		if (parse_raw(g, tok, &t.result, &want[k]) < 0)
			goto out;
	}
	if (k != n_out) {
		errf(g->e, "%s:%d: y has %ld values, wants %ld", g->path, g->lineno, k, n_out);
		goto out;
	}
	dense_fx(&t, (int)n_in, (int)n_out, x, w, b, got, NULL, NULL);
	rc = memcmp(want, got, (size_t)n_out * sizeof *got) == 0;
	if (!rc && g->show > 0) {
		g->show--;
		print_dense_failure(g, line, id, &t, n_in, n_out, xd, wd, bd, x, w, b, want, got);
	}
out:
	free(xd);
	free(x);
	return rc;
}

int golden_check(const char *name, char *text, int show, long *pass, long *fail, berr *e)
{
	golden g = {.path = name, .next = text, .e = e, .show = show};
	*pass = *fail = 0;
	for (char *l; (l = nextline(&g));) {
		char *kw = word(&l);
		int r;
		if (strcmp(kw, "quant") == 0)
			r = do_quant(&g, l);
		else if (strcmp(kw, "dense") == 0)
			r = do_dense(&g, l);
		else
			r = bad(&g, "expected a quant or dense line, got", kw);
		if (r < 0)
			return -1;
		*pass += r;
		*fail += !r;
	}
	if (*pass + *fail == 0)
		return errf(e, "%s: no cases (expected quant lines or dense blocks)", name);
	return 0;
}

int cmd_golden(int argc, char **argv)
{
	const char *path = NULL;
	long show = 5;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--show") == 0 && i + 1 < argc) {
			if (parse_long(argv[++i], &show) < 0 || show < 0)
				die(EXIT_BADINPUT, "golden: --show wants a count, got '%s'", argv[i]);
		} else if (argv[i][0] == '-' && argv[i][1]) {
			die(EXIT_BADINPUT, "golden: unknown option '%s' (see burn golden --help)",
			    argv[i]);
		} else if (path) {
			die(EXIT_BADINPUT, "golden: one FILE only (see burn golden --help)");
		} else {
			path = argv[i];
		}
	}
	if (!path)
		die(EXIT_BADINPUT, "golden: FILE missing (usage: burn golden [--show N] FILE)");
	berr e;
	char *buf;
	if (read_file(path, (size_t)1 << 30, &buf, NULL, &e) < 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	long pass, fail;
	int rc = golden_check(path, buf, show > 1000000 ? 1000000 : (int)show, &pass, &fail, &e);
	free(buf);
	if (rc < 0)
		die(EXIT_BADINPUT, "%s", e.msg);
	printf("%ld passed, %ld failed\n", pass, fail);
	return fail ? 1 : 0;
}
