/* svg.c - a small SVG plot writer (see svg.h). Coordinates are printed with two decimals and
 * no trailing zeros; nothing depends on the time, the locale or the address of anything. */
#include "gen/svg.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const palette[] = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
				      "#E69F00", "#56B4E9", "#8C6D00", "#000000"};

const char *svg_color(int i)
{
	int n = (int)(sizeof palette / sizeof palette[0]);
	return palette[((i % n) + n) % n];
}

/* Length of the valid UTF-8 sequence at s (1..4), or 0 if it is not one. */
static int utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	int n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
		: s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
	for (int i = 1; i < n; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	/* overlong 3- and 4-byte forms, surrogates, and above U+10FFFF */
	if (n == 3 && ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] >= 0xa0)))
		return 0;
	if (n == 4 && ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90)))
		return 0;
	return n;
}

void svg_escape(strbuf *b, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	while (*u) {
		switch (*u) {
		case '&': sb_puts(b, "&amp;"); u++; continue;
		case '<': sb_puts(b, "&lt;"); u++; continue;
		case '>': sb_puts(b, "&gt;"); u++; continue;
		case '"': sb_puts(b, "&quot;"); u++; continue;
		case '\'': sb_puts(b, "&#39;"); u++; continue;
		default: break;
		}
		if (*u < 0x20 || *u == 0x7f) {
			if (*u == '\t' || *u == '\n')
				sb_add(b, (const char *)u, 1);
			u++;
			continue;
		}
		int n = utf8_len(u);
		if (n == 0) {
			sb_puts(b, "\xef\xbf\xbd"); /* U+FFFD */
			u++;
			continue;
		}
		sb_add(b, (const char *)u, (size_t)n);
		u += n;
	}
}

/* Appends x with two decimals, without trailing zeros and without "-0". */
static void num(strbuf *b, double x)
{
	char t[64];
	if (!isfinite(x))
		x = 0;
	snprintf(t, sizeof t, "%.2f", x);
	char *dot = strchr(t, '.');
	if (dot) {
		char *end = t + strlen(t) - 1;
		while (end > dot && *end == '0')
			*end-- = '\0';
		if (end == dot)
			*end = '\0';
	}
	sb_puts(b, strcmp(t, "-0") == 0 ? "0" : t);
}

/* The smallest of 1, 2, 5 times a power of ten that is >= raw (raw > 0). */
static double nice_up(double raw)
{
	double p = pow(10, floor(log10(raw)));
	double m = raw / p;
	return (m <= 1 + 1e-9 ? 1 : m <= 2 + 1e-9 ? 2 : m <= 5 + 1e-9 ? 5 : 10) * p;
}

/* The largest of 1, 2, 5 times a power of ten that is <= v (v > 0). */
static double nice_down(double v)
{
	double p = pow(10, floor(log10(v)));
	double m = v / p;
	return (m >= 5 - 1e-9 ? 5 : m >= 2 - 1e-9 ? 2 : 1) * p;
}

void svg_fit(svg_scale *s, const double *v, int n, bool log, bool zero)
{
	double lo = INFINITY, hi = -INFINITY;
	for (int i = 0; i < n; i++) {
		if (!isfinite(v[i]) || (log && v[i] <= 0))
			continue;
		lo = fmin(lo, v[i]);
		hi = fmax(hi, v[i]);
	}
	s->log = log;
	if (log) {
		if (lo > hi)
			lo = 1, hi = 10;
		if (lo == hi)
			lo /= 2, hi *= 2;
		s->lo = nice_down(lo);
		s->hi = nice_up(hi);
		return;
	}
	if (lo > hi) {
		s->lo = 0, s->hi = 1;
		return;
	}
	if (zero)
		lo = fmin(lo, 0), hi = fmax(hi, 0);
	if (lo == hi) {
		double d = lo == 0 ? 1 : fabs(lo) * 0.1;
		lo -= d, hi += d;
	}
	double pad = (hi - lo) * 0.04;
	if (!(zero && lo == 0))
		lo -= pad;
	if (!(zero && hi == 0))
		hi += pad;
	double step = nice_up((hi - lo) / 20);
	s->lo = floor(lo / step + 1e-9) * step;
	s->hi = ceil(hi / step - 1e-9) * step;
	if (zero && lo >= 0 && s->lo < 0)
		s->lo = 0;
}

int svg_ticks(const svg_scale *s, int max, double *ticks, int cap, double *step)
{
	int n = 0;
	*step = 0;
	if (!(s->hi > s->lo) || !isfinite(s->lo) || !isfinite(s->hi) || cap <= 0)
		return 0;
	if (max < 2)
		max = 2;
	if (!s->log) {
		double st = nice_up((s->hi - s->lo) / max);
		double k0 = ceil(s->lo / st - 1e-9), k1 = floor(s->hi / st + 1e-9);
		for (double k = k0; k <= k1 && n < cap; k++) {
			double t = k * st;
			ticks[n++] = fabs(t) < st * 1e-9 ? 0 : t;
		}
		*step = st;
		return n;
	}
	if (!(s->lo > 0))
		return 0;
	int d0 = (int)floor(log10(s->lo) + 1e-9), d1 = (int)ceil(log10(s->hi) - 1e-9);
	int decades = d1 - d0 > 0 ? d1 - d0 : 1;
	static const double m125[] = {1, 2, 5}, m1[] = {1}, m19[] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
	const double *m = decades <= 2 ? m125 : m1;
	int nm = decades <= 2 ? 3 : 1;
	int every = decades > max ? (decades + max - 1) / max : 1;
	for (int pass = 0; pass < 2; pass++) {
		n = 0;
		for (int d = d0; d <= d1; d++) {
			if ((d - d0) % every)
				continue;
			for (int i = 0; i < nm && n < cap; i++) {
				double t = m[i] * pow(10, d);
				if (t >= s->lo * (1 - 1e-9) && t <= s->hi * (1 + 1e-9))
					ticks[n++] = t;
			}
		}
		if (n >= 3 || m == m19)
			break;
		m = m19, nm = 9, every = 1; /* less than a decade: every digit */
	}
	return n;
}

void svg_tick_label(double v, double step, char *buf, size_t n)
{
	double mag = step > 0 ? step : fabs(v);
	const char *suffix = "";
	double scale = 1;
	if (mag >= 1e6 - 1e-6)
		scale = 1e6, suffix = "M";
	else if (mag >= 1e3 - 1e-9)
		scale = 1e3, suffix = "k";
	double x = v / scale;
	if (v == 0 || (step > 0 && fabs(v) < step * 1e-9)) {
		snprintf(buf, n, "0");
	} else if (step > 0) {
		double st = step / scale;
		int dec = st >= 1 - 1e-9 ? 0 : (int)ceil(-log10(st) - 1e-9);
		if (dec > 12)
			dec = 12;
		snprintf(buf, n, "%.*f%s", dec, x, suffix);
	} else {
		snprintf(buf, n, "%.3g%s", x, suffix);
	}
}

void svg_begin(svg_plot *p, strbuf *out, double width, double height, const double margin[4],
	       const char *label)
{
	memset(p, 0, sizeof *p);
	p->out = out;
	p->width = width;
	p->height = height;
	p->left = margin[0];
	p->right = width - margin[1];
	p->top = margin[2];
	p->bottom = height - margin[3];
	p->x = (svg_scale){0, 1, false};
	p->y = (svg_scale){0, 1, false};
	sb_puts(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 ");
	num(out, width);
	sb_puts(out, " ");
	num(out, height);
	sb_puts(out, "\" width=\"");
	num(out, width);
	sb_puts(out, "\" height=\"");
	num(out, height);
	sb_puts(out, "\" role=\"img\" aria-label=\"");
	svg_escape(out, label ? label : "");
	sb_puts(out, "\" font-family=\"sans-serif\" font-size=\"12\">\n");
}

void svg_end(svg_plot *p)
{
	sb_puts(p->out, "</svg>\n");
}

static double frac(const svg_scale *s, double v)
{
	double lo = s->lo, hi = s->hi;
	if (s->log) {
		if (!(v > 0) || !(lo > 0) || !(hi > 0))
			return 0;
		v = log10(v), lo = log10(lo), hi = log10(hi);
	}
	if (!(hi > lo))
		return 0.5;
	double f = (v - lo) / (hi - lo);
	return f < 0 ? 0 : f > 1 ? 1 : f;
}

double svg_px(const svg_plot *p, double x)
{
	return p->left + frac(&p->x, x) * (p->right - p->left);
}

double svg_py(const svg_plot *p, double y)
{
	return p->bottom - frac(&p->y, y) * (p->bottom - p->top);
}

/* <text x y ...>escaped</text>; extra attributes (already safe) may be NULL. */
static void text_at(strbuf *b, double x, double y, const char *anchor, const char *extra, const char *s)
{
	sb_puts(b, "<text x=\"");
	num(b, x);
	sb_puts(b, "\" y=\"");
	num(b, y);
	sb_printf(b, "\" text-anchor=\"%s\"", anchor);
	if (extra)
		sb_printf(b, " %s", extra);
	sb_puts(b, ">");
	svg_escape(b, s);
	sb_puts(b, "</text>\n");
}

static void seg(strbuf *b, double x1, double y1, double x2, double y2, const char *attrs)
{
	sb_puts(b, "<line x1=\"");
	num(b, x1);
	sb_puts(b, "\" y1=\"");
	num(b, y1);
	sb_puts(b, "\" x2=\"");
	num(b, x2);
	sb_puts(b, "\" y2=\"");
	num(b, y2);
	sb_printf(b, "\" %s/>\n", attrs);
}

void svg_axes(svg_plot *p, const char *xlabel, const char *ylabel)
{
	strbuf *b = p->out;
	double t[SVG_MAX_TICKS], step;
	char lab[64];
	sb_puts(b, "<g class=\"axes\">\n<rect x=\"");
	num(b, p->left);
	sb_puts(b, "\" y=\"");
	num(b, p->top);
	sb_puts(b, "\" width=\"");
	num(b, p->right - p->left);
	sb_puts(b, "\" height=\"");
	num(b, p->bottom - p->top);
	sb_puts(b, "\" fill=\"#fff\" stroke=\"#888\"/>\n");
	int ny = svg_ticks(&p->y, 6, t, SVG_MAX_TICKS, &step);
	for (int i = 0; i < ny; i++) {
		double y = svg_py(p, t[i]);
		seg(b, p->left, y, p->right, y, "stroke=\"#e3e3e3\"");
		seg(b, p->left - 4, y, p->left, y, "stroke=\"#888\"");
		svg_tick_label(t[i], step, lab, sizeof lab);
		text_at(b, p->left - 7, y + 4, "end", "fill=\"#333\"", lab);
	}
	if (p->xcats) {
		for (int i = 0; i < p->n_xcats; i++)
			text_at(b, svg_px(p, i), p->bottom + 17, "middle", "fill=\"#333\"", p->xcats[i]);
	} else {
		int nx = svg_ticks(&p->x, 7, t, SVG_MAX_TICKS, &step);
		for (int i = 0; i < nx; i++) {
			double x = svg_px(p, t[i]);
			seg(b, x, p->top, x, p->bottom, "stroke=\"#e3e3e3\"");
			seg(b, x, p->bottom, x, p->bottom + 4, "stroke=\"#888\"");
			svg_tick_label(t[i], step, lab, sizeof lab);
			text_at(b, x, p->bottom + 17, "middle", "fill=\"#333\"", lab);
		}
	}
	if (xlabel && *xlabel)
		text_at(b, (p->left + p->right) / 2, p->bottom + 36, "middle", "fill=\"#111\"", xlabel);
	if (ylabel && *ylabel) {
		strbuf attr = {0};
		double x = p->left - 48, y = (p->top + p->bottom) / 2;
		sb_puts(&attr, "fill=\"#111\" transform=\"rotate(-90 ");
		num(&attr, x);
		sb_puts(&attr, " ");
		num(&attr, y);
		sb_puts(&attr, ")\"");
		text_at(b, x, y, "middle", attr.s, ylabel);
		sb_free(&attr);
	}
	sb_puts(b, "</g>\n");
}

static void point_list(strbuf *b, const svg_plot *p, double x, double y, bool first)
{
	if (!first)
		sb_puts(b, " ");
	num(b, svg_px(p, x));
	sb_puts(b, ",");
	num(b, svg_py(p, y));
}

static bool finite2(double x, double y)
{
	return isfinite(x) && isfinite(y);
}

void svg_line(svg_plot *p, const double *x, const double *y, int n, const char *color,
	      double width, const char *dash)
{
	strbuf *b = p->out;
	int i = 0;
	while (i < n) {
		while (i < n && !finite2(x[i], y[i]))
			i++;
		if (i >= n)
			break;
		sb_puts(b, "<polyline fill=\"none\" stroke=\"");
		svg_escape(b, color);
		sb_puts(b, "\" stroke-width=\"");
		num(b, width);
		sb_puts(b, "\" stroke-linejoin=\"round\"");
		if (dash) {
			sb_puts(b, " stroke-dasharray=\"");
			svg_escape(b, dash);
			sb_puts(b, "\"");
		}
		sb_puts(b, " points=\"");
		for (bool first = true; i < n && finite2(x[i], y[i]); i++, first = false)
			point_list(b, p, x[i], y[i], first);
		sb_puts(b, "\"/>\n");
	}
}

void svg_band(svg_plot *p, const double *x, const double *ylo, const double *yhi, int n,
	      const char *color, double opacity)
{
	strbuf *b = p->out;
	int m = 0;
	for (int i = 0; i < n; i++)
		m += finite2(x[i], ylo[i]) && isfinite(yhi[i]);
	if (m < 2)
		return;
	sb_puts(b, "<polygon stroke=\"none\" fill=\"");
	svg_escape(b, color);
	sb_puts(b, "\" fill-opacity=\"");
	num(b, opacity);
	sb_puts(b, "\" points=\"");
	bool first = true;
	for (int i = 0; i < n; i++)
		if (finite2(x[i], ylo[i]) && isfinite(yhi[i])) {
			point_list(b, p, x[i], yhi[i], first);
			first = false;
		}
	for (int i = n - 1; i >= 0; i--)
		if (finite2(x[i], ylo[i]) && isfinite(yhi[i]))
			point_list(b, p, x[i], ylo[i], false);
	sb_puts(b, "\"/>\n");
}

static void tip_of(strbuf *b, const char *tip)
{
	if (tip) {
		sb_puts(b, "<title>");
		svg_escape(b, tip);
		sb_puts(b, "</title>");
	}
}

void svg_point(svg_plot *p, double x, double y, double r, const char *color, bool ring,
	       const char *tip)
{
	if (!finite2(x, y))
		return;
	strbuf *b = p->out;
	sb_puts(b, "<circle cx=\"");
	num(b, svg_px(p, x));
	sb_puts(b, "\" cy=\"");
	num(b, svg_py(p, y));
	sb_puts(b, "\" r=\"");
	num(b, r);
	sb_puts(b, "\" fill=\"");
	svg_escape(b, color);
	sb_puts(b, ring ? "\" stroke=\"#111\" stroke-width=\"1.5\">"
			: "\" fill-opacity=\"0.55\" stroke=\"#fff\" stroke-width=\"0.5\">");
	tip_of(b, tip);
	sb_puts(b, "</circle>\n");
}

void svg_rect(svg_plot *p, double x0, double y0, double x1, double y1, const char *color,
	      const char *tip)
{
	if (!finite2(x0, y0) || !finite2(x1, y1))
		return;
	strbuf *b = p->out;
	double px0 = svg_px(p, x0), px1 = svg_px(p, x1), py0 = svg_py(p, y0), py1 = svg_py(p, y1);
	sb_puts(b, "<rect x=\"");
	num(b, fmin(px0, px1));
	sb_puts(b, "\" y=\"");
	num(b, fmin(py0, py1));
	sb_puts(b, "\" width=\"");
	num(b, fabs(px1 - px0));
	sb_puts(b, "\" height=\"");
	num(b, fabs(py1 - py0));
	sb_puts(b, "\" fill=\"");
	svg_escape(b, color);
	sb_puts(b, "\">");
	tip_of(b, tip);
	sb_puts(b, "</rect>\n");
}

void svg_hline(svg_plot *p, double y, const char *color, const char *dash, const char *label)
{
	if (!isfinite(y))
		return;
	strbuf *b = p->out;
	strbuf attr = {0};
	sb_puts(&attr, "stroke=\"");
	svg_escape(&attr, color);
	sb_puts(&attr, "\" stroke-width=\"1.5\"");
	if (dash) {
		sb_puts(&attr, " stroke-dasharray=\"");
		svg_escape(&attr, dash);
		sb_puts(&attr, "\"");
	}
	double py = svg_py(p, y);
	seg(b, p->left, py, p->right, py, attr.s);
	sb_free(&attr);
	if (label) {
		sb_puts(&attr, "fill=\"");
		svg_escape(&attr, color);
		sb_puts(&attr, "\" font-size=\"11\"");
		text_at(b, p->right - 4, py - 4, "end", attr.s, label);
		sb_free(&attr);
	}
}

void svg_text(svg_plot *p, double x, double y, double dx, double dy, const char *anchor,
	      const char *text)
{
	if (!finite2(x, y))
		return;
	const char *a = strcmp(anchor, "middle") == 0 ? "middle" : strcmp(anchor, "end") == 0 ? "end"
											     : "start";
	text_at(p->out, svg_px(p, x) + dx, svg_py(p, y) + dy, a, "fill=\"#222\" font-size=\"11\"", text);
}

void svg_legend(svg_plot *p, const char *const *names, const char *const *colors, int n,
		svg_corner at)
{
	if (n <= 0)
		return;
	strbuf *b = p->out;
	size_t longest = 0;
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]);
		longest = len > longest ? len : longest;
	}
	size_t room = 60;
	if (at == SVG_OUTSIDE) {
		double avail = p->width - p->right - 16 - 30;
		room = avail > 6.8 ? (size_t)(avail / 6.8) : 1;
	}
	if (longest > room)
		longest = room;
	double w = 30 + 6.8 * (double)longest, h = 8 + 18.0 * n;
	bool right = at == SVG_TOP_RIGHT || at == SVG_BOTTOM_RIGHT;
	bool bottom = at == SVG_BOTTOM_RIGHT || at == SVG_BOTTOM_LEFT;
	double x = right ? p->right - w - 8 : p->left + 8, y = bottom ? p->bottom - h - 8 : p->top + 8;
	if (at == SVG_OUTSIDE)
		x = p->right + 12, y = p->top;
	sb_puts(b, "<g class=\"legend\">\n<rect x=\"");
	num(b, x);
	sb_puts(b, "\" y=\"");
	num(b, y);
	sb_puts(b, "\" width=\"");
	num(b, w);
	sb_puts(b, "\" height=\"");
	num(b, h);
	sb_puts(b, "\" fill=\"#fff\" fill-opacity=\"0.9\" stroke=\"#ccc\"/>\n");
	for (int i = 0; i < n; i++) {
		double yy = y + 6 + 18.0 * i;
		sb_puts(b, "<rect x=\"");
		num(b, x + 8);
		sb_puts(b, "\" y=\"");
		num(b, yy + 2);
		sb_puts(b, "\" width=\"12\" height=\"12\" fill=\"");
		svg_escape(b, colors[i]);
		sb_puts(b, "\"/>\n");
		if (strlen(names[i]) > room) {
			/* cut at a character boundary, then an ellipsis */
			size_t cut = room > 1 ? room - 1 : 1;
			while (cut > 0 && (names[i][cut] & 0xc0) == 0x80)
				cut--;
			char *t = xstrndup(names[i], cut);
			strbuf s = {0};
			sb_printf(&s, "%s\xe2\x80\xa6", t);
			text_at(b, x + 26, yy + 12.5, "start", "fill=\"#111\"", s.s);
			sb_free(&s);
			free(t);
		} else {
			text_at(b, x + 26, yy + 12.5, "start", "fill=\"#111\"", names[i]);
		}
	}
	sb_puts(b, "</g>\n");
}
