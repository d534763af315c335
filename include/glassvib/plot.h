/* glassvib plot: figures from glassvib output files, rendered by gnuplot.
 *
 * A figure is made in three steps, all through gv_plot_render:
 *   1. every input is identified: a TSV table by its title line
 *      ("# glassvib <command>: ...") and its column names, an HDF5 file by
 *      /provenance/kind ("modes", "khgps", "nlmodes", "glass", ...);
 *   2. a figure builder (one per kind, see gv_plot_kinds) reads the inputs
 *      and writes the numbers it plots into OUT.tsv (one gnuplot "index"
 *      block per curve) and a gnuplot script OUT.gp that reads OUT.tsv;
 *   3. gnuplot (pngcairo and svg terminals) runs OUT.gp and writes OUT.png
 *      and/or OUT.svg.
 * Every file is written under a temporary name and renamed only when gnuplot
 * succeeded and each image is non-empty; on any failure nothing is left.
 * OUT.gp re-renders the figure when run in the figure's directory
 * (`gnuplot OUT.gp`), so a user can restyle it. Axes are in model units
 * (docs/units.md) or the units the input states. See docs/plot.md. */
#ifndef GLASSVIB_PLOT_H
#define GLASSVIB_PLOT_H

#include <stddef.h>

#include "glassvib/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GV_PLOT_PNG 1
#define GV_PLOT_SVG 2

typedef struct gv_plot_opts {
  const char *out;       /* output base or OUT.png / OUT.svg (the extension is removed) */
  int formats;           /* GV_PLOT_PNG | GV_PLOT_SVG */
  const char *kind;      /* figure kind (gv_plot_kinds), NULL = detected from the first input */
  const char *title;     /* figure title, NULL = a default naming the kind */
  int mode;              /* field figures: index of the mode / response (default 0) */
  const char *normalize; /* sqw-cuts: "none" (default), "fsum" (int w^2 S dw = 1) or "peak" */
  int width, height;     /* image size in pixels (0: 1000 x 720, 1400 x 600 for two panels) */
  const char *gnuplot;   /* gnuplot executable (NULL: "gnuplot" on PATH) */
} gv_plot_opts;

/* Sets the defaults above (formats = PNG | SVG, mode 0). */
void gv_plot_opts_init(gv_plot_opts *o);

/* What was drawn. Paths are the final names. */
typedef struct gv_plot_result {
  char kind[32];
  char image_png[4096], image_svg[4096]; /* "" if that format was not asked */
  char data[4096], script[4096];
  int nseries;     /* curves / point sets drawn (gnuplot index blocks) */
  double wall_s;
} gv_plot_result;

/* One figure kind. */
typedef struct gv_plot_kind_info {
  const char *name;    /* "dos", "pkappa", ... */
  const char *inputs;  /* which files it accepts */
  const char *summary; /* what it draws */
} gv_plot_kind_info;

/* The table of figure kinds (static storage); *n receives its length. */
const gv_plot_kind_info *gv_plot_kinds(int *n);

/* Identify a glassvib output file and name the default figure kind for it
 * (kind, at most n bytes). GV_EIO if it cannot be opened, GV_EFORMAT if it is
 * not a glassvib table or HDF5 file that plot knows. */
int gv_plot_detect(const char *path, char *kind, size_t n);

/* Draw one figure from ninputs files. GV_EINVAL for a bad option, unknown kind
 * or an input that does not fit the kind; GV_EIO/GV_EFORMAT for unreadable
 * inputs or unwritable outputs; GV_ENOTSUP if gnuplot is missing. Nothing is
 * left on disk on failure. */
int gv_plot_render(const char *const *inputs, int ninputs, const gv_plot_opts *o,
                   gv_plot_result *r);

/* Locate the gnuplot executable (exe NULL = "gnuplot" on PATH); writes its path
 * to buf. GV_ENOTSUP with an install hint if it is missing. */
int gv_plot_find_gnuplot(const char *exe, char *buf, size_t n);

#ifdef __cplusplus
}
#endif
#endif
