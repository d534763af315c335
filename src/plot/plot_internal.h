/* Internal interface of the plot module: input tables, the figure under
 * construction (data blocks + gnuplot script body) and the figure builders. */
#ifndef GV_PLOT_INTERNAL_H
#define GV_PLOT_INTERNAL_H

#include <stdio.h>

#include "glassvib/io.h"
#include "glassvib/plot.h"

/* A glassvib TSV table: '#' header lines then numbers. */
typedef struct pl_table {
  char title[256];  /* first header line without "# " */
  char cmd[32];     /* the command from "glassvib <cmd>: ..." ("" if none) */
  char *header;     /* every header line (without "# "), '\n'-separated */
  int ncol;
  char **cols;      /* column names from the last header line (ncol of them) */
  size_t nrow;
  double *v;        /* row-major nrow x ncol */
} pl_table;

enum { PL_TSV = 1, PL_H5 = 2 };

typedef struct pl_input {
  const char *path;
  int type;         /* PL_TSV or PL_H5 */
  char kind[32];    /* TSV: "dos", "sqw", "gba-map", "gba-poles", ...; H5: provenance kind */
  pl_table t;       /* TSV only */
} pl_input;

int pl_table_read(const char *path, pl_table *t);
void pl_table_free(pl_table *t);
/* Column whose name starts with `prefix` followed by '\0', '[' or '=' (-1 if none). */
int pl_table_col(const pl_table *t, const char *prefix);
static inline double pl_at(const pl_table *t, size_t r, int c) { return t->v[r * (size_t)t->ncol + (size_t)c]; }
/* Number after `key` in the header ("key 1.5", "key = 1.5", "key: 1.5"); 0 if found. */
int pl_header_num(const pl_table *t, const char *key, double *v);
/* The two numbers of "in [a, b]" after `key` in the header; 0 if found. */
int pl_header_range(const pl_table *t, const char *key, double *lo, double *hi);

/* The figure being built. Data go to `data` in blocks (gnuplot `index`),
 * separated by two blank lines; the script body refers to the file as
 * `datafile`. */
typedef struct pl_fig {
  FILE *data;
  int nblocks;
  char *gp;
  size_t len, cap;
  int oom;
  int panels;           /* 1 or 2: default image size */
  const gv_plot_opts *o;
  char title[512];
} pl_fig;

/* Start a new data block; returns its gnuplot index. `desc` and `cols` become
 * '#' lines. */
int pl_block(pl_fig *f, const char *desc, const char *cols);
void pl_gp(pl_fig *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append a string as a gnuplot double-quoted literal (escapes " and \). */
void pl_gp_str(pl_fig *f, const char *s);
/* Turn a raw unit ("sqrt(eps/m)/lambda") into gnuplot enhanced text. */
const char *pl_unit(const char *raw, char *buf, size_t n);
/* The unit inside the brackets of column c ("" if none). */
const char *pl_col_unit(const pl_table *t, int c, char *buf, size_t n);
/* Short label of an input for legends: file name without directory. */
const char *pl_base(const char *path);
/* "key ... +- E" on the key's line: the error E; 0 if found. */
int pl_header_pm(const pl_table *t, const char *key, double *err);
/* Put "set xlabel/ylabel" in front of the body built so far (NULL: skip). */
void pl_gp_prepend_labels(pl_fig *f, const char *xl, const char *yl);
/* Common script lines: title and key. */
void pl_gp_title(pl_fig *f, const char *deflt);
/* Colour of series k (a gnuplot "lc rgb" string). */
const char *pl_color(int k);

/* Figure builders. */
typedef int (*pl_builder)(pl_fig *f, pl_input *in, int nin);
int pl_fig_dos(pl_fig *f, pl_input *in, int nin);
int pl_fig_dos_exponent(pl_fig *f, pl_input *in, int nin);
int pl_fig_participation(pl_fig *f, pl_input *in, int nin);
int pl_fig_levels(pl_fig *f, pl_input *in, int nin);
int pl_fig_pkappa(pl_fig *f, pl_input *in, int nin);
int pl_fig_khgps_collapse(pl_fig *f, pl_input *in, int nin);
int pl_fig_ag_vs_j(pl_fig *f, pl_input *in, int nin);
int pl_fig_scba(pl_fig *f, pl_input *in, int nin);
int pl_fig_sqw_map(pl_fig *f, pl_input *in, int nin);
int pl_fig_sqw_cuts(pl_fig *f, pl_input *in, int nin);
int pl_fig_poles(pl_fig *f, pl_input *in, int nin);
int pl_fig_field(pl_fig *f, pl_input *in, int nin);
int pl_fig_glass(pl_fig *f, pl_input *in, int nin);
int pl_fig_shells(pl_fig *f, pl_input *in, int nin);
int pl_fig_core(pl_fig *f, pl_input *in, int nin);

/* Legend of a KHGPS file "h = .., J = .., kappa0 = .." and its parameters (NULL: skip). */
int pl_khgps_label(gv_h5 *h, char *buf, size_t n, double *J, double *kappa0, double *hh);
/* HDF5 helpers: read a whole dataset of doubles; error names file and path. */
int pl_h5_doubles(gv_h5 *h, const char *path, double **v, size_t *n, int *rank, size_t *dims);

#endif
