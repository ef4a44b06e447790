/* svg.h - a small SVG plot writer: a plot area with linear or log10 axes, nice ticks and a
 * grid, polylines, filled bands, points, bars, reference lines and a legend, appended to a
 * strbuf. Every text is escaped (values from results are data, never markup) and every number
 * is printed with a fixed precision, so the same calls always give the same bytes. No I/O. */
#ifndef BURN_SVG_H
#define BURN_SVG_H

#include "gen/util.h"

/* One axis: the data range shown, linear or log10 (then lo > 0). */
typedef struct {
	double lo, hi;
	bool log;
} svg_scale;

typedef struct {
	strbuf *out;
	double width, height;            /* the canvas, px */
	double left, right, top, bottom; /* the plot area, px (left < right, top < bottom) */
	svg_scale x, y;
	const char *const *xcats;        /* category labels at x = 0..n_xcats-1, or NULL */
	int n_xcats;
} svg_plot;

enum { SVG_MAX_TICKS = 64 };

/* Appends s with &, <, >, " and ' escaped as character references, control characters other
 * than tab and newline dropped and invalid UTF-8 replaced by U+FFFD: safe in XML and HTML text
 * and in quoted attributes. */
void svg_escape(strbuf *b, const char *s);

/* Fits s to the finite values of v (the positive ones for log), widened to nice numbers (and
 * to include 0 with zero, for a linear axis). An empty or one-point range gets a margin. */
void svg_fit(svg_scale *s, const double *v, int n, bool log, bool zero);

/* Writes up to cap tick positions within s (at most about max for a linear axis: multiples of
 * a 1, 2 or 5 step; decades for log, with 2x and 5x when the range spans few); returns the
 * count. *step gets the linear step (0 for log), which svg_tick_label uses. */
int svg_ticks(const svg_scale *s, int max, double *ticks, int cap, double *step);

/* Formats a tick value short and exact for its step: "0.25", "3", "1.5k", "20k", "2M". */
void svg_tick_label(double v, double step, char *buf, size_t n);

/* Opens an <svg> of width x height px with an aria label; the plot area gets the margins
 * (left, right, top, bottom px). Set the scales before drawing. */
void svg_begin(svg_plot *p, strbuf *out, double width, double height, const double margin[4],
	       const char *label);
/* Closes the <svg>. */
void svg_end(svg_plot *p);

/* Pixel position of a data value on the x or y axis (clamped to the plot area). */
double svg_px(const svg_plot *p, double x);
double svg_py(const svg_plot *p, double y);

/* Draws the frame, grid, ticks, tick labels and axis titles (categories on x when xcats). */
void svg_axes(svg_plot *p, const char *xlabel, const char *ylabel);

/* A polyline through the points; a non-finite point breaks it. dash may be NULL. */
void svg_line(svg_plot *p, const double *x, const double *y, int n, const char *color,
	      double width, const char *dash);
/* A filled band between ylo and yhi over x (a polygon), with opacity. */
void svg_band(svg_plot *p, const double *x, const double *ylo, const double *yhi, int n,
	      const char *color, double opacity);
/* A circle of radius r px; filled, or an outline; with a tooltip tip (may be NULL). With ring,
 * a dark outline marks it. Non-finite points are skipped. */
void svg_point(svg_plot *p, double x, double y, double r, const char *color, bool ring,
	       const char *tip);
/* A rectangle between data corners (x0, y0) and (x1, y1), with a tooltip (may be NULL). */
void svg_rect(svg_plot *p, double x0, double y0, double x1, double y1, const char *color,
	      const char *tip);
/* A horizontal reference line at y across the plot, labelled at its right end (label may be
 * NULL). */
void svg_hline(svg_plot *p, double y, const char *color, const char *dash, const char *label);
/* Text at a data position, anchored start, middle or end, nudged by (dx, dy) px. */
void svg_text(svg_plot *p, double x, double y, double dx, double dy, const char *anchor,
	      const char *text);
/* Where a legend goes: a corner of the plot area, or beside it in the right margin. */
typedef enum { SVG_TOP_LEFT, SVG_TOP_RIGHT, SVG_BOTTOM_RIGHT, SVG_BOTTOM_LEFT, SVG_OUTSIDE } svg_corner;

/* A legend box: a swatch and a name per entry (names longer than the room are cut with an
 * ellipsis when outside). */
void svg_legend(svg_plot *p, const char *const *names, const char *const *colors, int n,
		svg_corner at);

/* The i-th colour of the palette (Okabe-Ito: distinguishable with colour-blindness). */
const char *svg_color(int i);

#endif
