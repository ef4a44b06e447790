/* test_svg.c - the SVG plot writer (escaping, ticks and labels, scales, determinism, lines
 * broken at NaN) and the dashboard's Pareto front and resource cost. */
#include <math.h>
#include <string.h>

#include "gen/dashboard.h"
#include "gen/svg.h"
#include "tests/unit/t.h"

static char *esc(const char *s)
{
	static strbuf b;
	sb_free(&b);
	sb_puts(&b, "");
	svg_escape(&b, s);
	return b.s;
}

static void test_escape(void)
{
	CHECK(strcmp(esc("<a href=\"x\">&'"), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;") == 0, "%s",
	      esc("<a href=\"x\">&'"));
	CHECK(strcmp(esc("</svg><script>alert(1)</script>"),
		     "&lt;/svg&gt;&lt;script&gt;alert(1)&lt;/script&gt;") == 0, "script");
	CHECK(strcmp(esc("a\x01" "b\x7f" "c\td\ne"), "abc\td\ne") == 0, "control characters dropped");
	CHECK(strcmp(esc("ap_fixed<16,6> \xc2\xb5s \xe2\x80\x93 \xf0\x9f\x94\xa5"),
		     "ap_fixed&lt;16,6&gt; \xc2\xb5s \xe2\x80\x93 \xf0\x9f\x94\xa5") == 0,
	      "valid UTF-8 kept");
	CHECK(strcmp(esc("x\xffy"), "x\xef\xbf\xbdy") == 0, "a stray byte becomes U+FFFD");
	CHECK(strcmp(esc("\xc0\xaf"), "\xef\xbf\xbd\xef\xbf\xbd") == 0, "overlong '/' rejected");
	CHECK(strcmp(esc("\xe0\x80\xaf"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") == 0,
	      "3-byte overlong rejected");
	CHECK(strcmp(esc("\xed\xa0\x80"), "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") == 0,
	      "a surrogate rejected");
	CHECK(strcmp(esc("\xe2\x82"), "\xef\xbf\xbd\xef\xbf\xbd") == 0, "a cut sequence rejected");
	CHECK(strcmp(esc(""), "") == 0, "empty");
}

/* Ticks of s as one string of labels, e.g. "0 10 20 30". */
static const char *tick_string(const svg_scale *s, int max)
{
	static char out[512];
	double t[SVG_MAX_TICKS], step;
	int n = svg_ticks(s, max, t, SVG_MAX_TICKS, &step);
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		char lab[64];
		svg_tick_label(t[i], step, lab, sizeof lab);
		if (i)
			strcat(out, " ");
		strcat(out, lab);
	}
	return out;
}

static void test_ticks(void)
{
	svg_scale s = {0, 1, false};
	CHECK(strcmp(tick_string(&s, 6), "0 0.2 0.4 0.6 0.8 1.0") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){0, 35, false};
	CHECK(strcmp(tick_string(&s, 6), "0 10 20 30") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){2, 4, false};
	CHECK(strcmp(tick_string(&s, 6), "2.0 2.5 3.0 3.5 4.0") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){3.72, 3.91, false};
	CHECK(strcmp(tick_string(&s, 6), "3.75 3.80 3.85 3.90") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){-1, 1, false};
	CHECK(strcmp(tick_string(&s, 6), "-1.0 -0.5 0 0.5 1.0") == 0, "no -0: %s", tick_string(&s, 6));
	s = (svg_scale){0, 60000, false};
	CHECK(strcmp(tick_string(&s, 6), "0 10k 20k 30k 40k 50k 60k") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){0, 4e6, false};
	CHECK(strcmp(tick_string(&s, 6), "0 1M 2M 3M 4M") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){100, 20000, true};
	CHECK(strcmp(tick_string(&s, 6), "100 1k 10k") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){100, 5000, true};
	CHECK(strcmp(tick_string(&s, 6), "100 200 500 1k 2k 5k") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){200, 500, true};
	CHECK(strcmp(tick_string(&s, 6), "200 300 400 500") == 0, "%s", tick_string(&s, 6));
	s = (svg_scale){1e-3, 1e9, true};
	const char *t = tick_string(&s, 6);
	CHECK(strlen(t) > 0 && strlen(t) < 40, "12 decades thinned: %s", t);
	s = (svg_scale){1, 1, false};
	CHECK(strcmp(tick_string(&s, 6), "") == 0, "an empty range has no ticks");
	s = (svg_scale){NAN, 1, false};
	CHECK(strcmp(tick_string(&s, 6), "") == 0, "a NaN range has no ticks");
	s = (svg_scale){0, 1e-300, false};
	double tk[SVG_MAX_TICKS], step;
	int n = svg_ticks(&s, 6, tk, SVG_MAX_TICKS, &step);
	CHECK(n > 0 && n <= SVG_MAX_TICKS, "a tiny range: %d ticks", n);
	s = (svg_scale){0, 1000, false};
	n = svg_ticks(&s, 1000, tk, 5, &step);
	CHECK(n == 5, "cap respected: %d", n);

	char lab[64];
	svg_tick_label(15000, 5000, lab, sizeof lab);
	CHECK(strcmp(lab, "15k") == 0, "%s", lab);
	svg_tick_label(0.05, 0.01, lab, sizeof lab);
	CHECK(strcmp(lab, "0.05") == 0, "%s", lab);
	svg_tick_label(2000, 0, lab, sizeof lab);
	CHECK(strcmp(lab, "2k") == 0, "%s", lab);
	svg_tick_label(0.01, 0, lab, sizeof lab);
	CHECK(strcmp(lab, "0.01") == 0, "%s", lab);
}

static void test_fit(void)
{
	svg_scale s;
	double v[] = {3.7, NAN, 3.9, INFINITY};
	svg_fit(&s, v, 4, false, false);
	CHECK(s.lo < 3.7 && s.hi > 3.9 && s.lo > 3.5 && s.hi < 4.1, "[%g, %g]", s.lo, s.hi);
	svg_fit(&s, v, 4, false, true);
	CHECK(s.lo == 0 && s.hi > 3.9 && s.hi <= 4.5, "with zero: [%g, %g]", s.lo, s.hi);
	svg_fit(&s, v, 0, false, false);
	CHECK(s.lo == 0 && s.hi == 1, "empty: [%g, %g]", s.lo, s.hi);
	double one = 5;
	svg_fit(&s, &one, 1, false, false);
	CHECK(s.lo < 5 && s.hi > 5, "one point: [%g, %g]", s.lo, s.hi);
	double z = 0;
	svg_fit(&s, &z, 1, false, true);
	CHECK(s.lo <= 0 && s.hi > 0, "zero only: [%g, %g]", s.lo, s.hi);
	double lat[] = {190, 230, 4300, -1, 0};
	svg_fit(&s, lat, 5, true, false);
	CHECK(s.log && s.lo == 100 && s.hi == 5000, "log: [%g, %g]", s.lo, s.hi);
	svg_fit(&s, lat, 0, true, false);
	CHECK(s.lo == 1 && s.hi == 10, "empty log: [%g, %g]", s.lo, s.hi);
}

/* A small plot with every kind of mark; hostile text and NaNs included. */
static void draw(strbuf *b)
{
	svg_plot p;
	static const double margin[4] = {60, 150, 10, 40};
	svg_begin(&p, b, 600, 300, margin, "a <plot> & \"more\"");
	double x[] = {1, 2, NAN, 4, 5}, y[] = {1, 3, 2, 2.5, 3.5}, hi[] = {2, 4, 3, 3, 4};
	svg_fit(&p.x, x, 5, false, false);
	svg_fit(&p.y, hi, 5, false, true);
	svg_axes(&p, "x <b>", "y & z");
	svg_band(&p, x, y, hi, 5, "#0072B2", 0.2);
	svg_line(&p, x, y, 5, "#0072B2", 2, "4 2");
	svg_point(&p, 2, 3, 4, "#D55E00", true, "tip </title><script>x</script>");
	svg_point(&p, NAN, 3, 4, "#D55E00", false, NULL);
	svg_rect(&p, 1, 0, 2, 1.5, "#009E73", "bar & co");
	svg_hline(&p, 3.5, "#C00000", "6 3", "budget <100%>");
	svg_text(&p, 3, 1, 0, -4, "middle", "'quoted'");
	const char *names[] = {"heuristic", "<evil>", "a-very-long-strategy-name-that-does-not-fit-in-the-margin"};
	const char *colors[] = {svg_color(0), svg_color(1), svg_color(2)};
	svg_legend(&p, names, colors, 3, SVG_OUTSIDE);
	svg_end(&p);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;
	for (const char *s = hay; (s = strstr(s, needle)); s++)
		n++;
	return n;
}

static void test_plot(void)
{
	strbuf a = {0}, b = {0};
	draw(&a);
	draw(&b);
	CHECK(a.len == b.len && memcmp(a.s, b.s, a.len) == 0, "the same calls give the same bytes");
	CHECK(strncmp(a.s, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 600 300\"", 61) == 0,
	      "opens an svg: %.80s", a.s);
	CHECK(strcmp(a.s + a.len - 7, "</svg>\n") == 0, "closes it");
	CHECK(strstr(a.s, "<script") == NULL && strstr(a.s, "<evil>") == NULL && strstr(a.s, "<b>") == NULL,
	      "no text becomes markup");
	CHECK(strstr(a.s, "&lt;script&gt;") && strstr(a.s, "&lt;evil&gt;") && strstr(a.s, "budget &lt;100%&gt;"),
	      "text is escaped");
	CHECK(strstr(a.s, "aria-label=\"a &lt;plot&gt; &amp; &quot;more&quot;\""), "label attribute escaped");
	CHECK(strstr(a.s, "nan") == NULL && strstr(a.s, "inf") == NULL && strstr(a.s, "NaN") == NULL,
	      "no NaN or infinity printed");
	CHECK(count(a.s, "<polyline") == 2, "a NaN breaks the line: %d polylines", count(a.s, "<polyline"));
	CHECK(count(a.s, "<circle") == 1, "a NaN point is skipped");
	CHECK(count(a.s, "<polygon") == 1, "one band");
	CHECK(strstr(a.s, "\xe2\x80\xa6"), "a long legend name is cut with an ellipsis");
	CHECK(strstr(a.s, "-0\"") == NULL && strstr(a.s, "-0,") == NULL, "no negative zero");
	/* tick labels of the y axis (0..4 with zero) */
	CHECK(strstr(a.s, ">0</text>") && strstr(a.s, ">4</text>"), "y ticks labelled");
	sb_free(&a);
	sb_free(&b);

	svg_plot p;
	static const double m[4] = {50, 50, 50, 50};
	strbuf c = {0};
	svg_begin(&p, &c, 300, 300, m, "scales");
	p.x = (svg_scale){10, 1000, true};
	p.y = (svg_scale){0, 10, false};
	CHECK(svg_px(&p, 10) == 50 && svg_px(&p, 1000) == 250 && fabs(svg_px(&p, 100) - 150) < 1e-9,
	      "log x: %g %g %g", svg_px(&p, 10), svg_px(&p, 1000), svg_px(&p, 100));
	CHECK(svg_py(&p, 0) == 250 && svg_py(&p, 10) == 50 && svg_py(&p, 5) == 150, "y goes up");
	CHECK(svg_px(&p, 1e9) == 250 && svg_py(&p, -5) == 250 && svg_px(&p, -1) == 50, "clamped");
	sb_free(&c);
}

static void test_pareto(void)
{
	/* latency, cost */
	double x[] = {100, 200, 150, 100, 300, 200, NAN, 50, 400, 50};
	double y[] = {0.5, 0.2, 0.6, 0.7, 0.1, 0.2, 0.0, 0.9, 0.1, 0.9};
	bool f[10];
	int n = dash_pareto(x, y, 10, f);
	/* front: (50,0.9) twice, (100,0.5), (200,0.2) twice, (300,0.1); not (400,0.1) */
	bool want[] = {true, true, false, false, true, true, false, true, false, true};
	bool ok = true;
	for (int i = 0; i < 10; i++)
		ok = ok && f[i] == want[i];
	CHECK(ok && n == 6, "front of 10 points: %d", n);
	CHECK(dash_pareto(x, y, 0, f) == 0, "no points, no front");
	double one_x = 5, one_y = 1;
	CHECK(dash_pareto(&one_x, &one_y, 1, f) == 1 && f[0], "one point is the front");

	dash_sweep s = {0};
	double budget[] = {100, 200, 10, 0};
	memcpy(s.budget, budget, sizeof budget);
	record r = {0};
	r.lut = 50, r.ff = 50, r.dsp = 5, r.bram18 = 3;
	CHECK(fabs(dash_rcost(&s, &r) - (0.5 + 0.25 + 0.5)) < 1e-12, "zero weights: plain sum (%g)",
	      dash_rcost(&s, &r));
	double w[] = {1, 0.1, 0.25, NAN};
	memcpy(s.weight, w, sizeof w);
	CHECK(fabs(dash_rcost(&s, &r) - (0.5 + 0.025 + 0.125)) < 1e-12, "the reward's weights (%g)",
	      dash_rcost(&s, &r));
	r.ff = NAN;
	CHECK(isnan(dash_rcost(&s, &r)), "NaN count: NaN cost");
}

int main(void)
{
	test_escape();
	test_ticks();
	test_fit();
	test_plot();
	test_pareto();
	return t_done("test_svg");
}
