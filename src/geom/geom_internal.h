/* Private state of the neighbour list, shared by geom and pot (gv_compute runs
 * on the spatially sorted copy of the list kept here). Not a public API. */
#ifndef GV_GEOM_INTERNAL_H
#define GV_GEOM_INTERNAL_H

#include <stdint.h>

#include "glassvib/geom.h"

/* Below this many particles, loops run serially: an OpenMP region costs more
 * than the work (and much more on a loaded machine). Results do not depend on
 * it (every reduction has a fixed order). */
#define GV_OMP_MIN_N 1024

/* Sorted pairs pack the partner (sorted index, < 2^24) and the periodic image
 * code (< 3^4 = 81) into 32 bits. */
#define GV_NL_IDX_BITS 24
#define GV_NL_IDX_MASK ((1u << GV_NL_IDX_BITS) - 1u)
#define GV_NL_MAX_N ((long)GV_NL_IDX_MASK)

typedef struct gv_nl_priv {
  gv_pair_cutoff_fn cutoff;
  const void *ctx;
  double skin_req;     /* requested skin (the effective one may be smaller in tiny boxes) */
  int dim;
  gv_box box_ref;      /* box at the last build */
  double *x_ref;       /* positions at the last build [n*dim] */
  double *s;           /* wrapped fractional coordinates at the last build, sorted order [n*dim] */
  int m[GV_MAX_DIM];   /* cells per axis (1 = no cell split along that axis) */
  long ncell;
  long *cell_start;    /* [2*(ncell+1)]: start of each cell in sorted order, then a cursor */
  long *cell_part;     /* perm: sorted index -> particle, particles in cell order [n] */
  long *cell_of;       /* [n+1] scratch */
  long ncell_cap;
  long nstencil;
  int stencil[81][GV_MAX_DIM];
  int built;
  long max_candidates; /* bound on one particle's partners at the last build */
  /* Sorted list (what gv_compute runs on). Sorted index k is particle
   * cell_part[k]; positions enter as xs_k = x_{perm k} + off_k (off: the
   * lattice vector that put the particle into the primary cell at the build,
   * fixed until the next build), and a pair (a, b) is stored once, in the row
   * of a, where b - a mod n lies in (0, n/2] ("ring-forward"), as
   * b | image << 24 with dr = xs_a - xs_b - shift[image]. */
  double *off;         /* [n*dim] */
  double *xw;          /* h s: wrapped Cartesian positions at the build, sorted [n*dim] */
  long *sstart;        /* [n+1] */
  uint32_t *spair;     /* [pair_cap] */
  double shift[81][GV_MAX_DIM];
  long window;         /* max ring distance b - a mod n over the pairs */
  long pair_cap;
  /* gv_compute scratch (sorted positions, forces, species/sizes, block sums) */
  double *xs, *fs, *ls;
  int *ts;
  double *blocksum;
  size_t blocksum_cap;
  /* one-pass build: per-block pair buffers */
  uint32_t **blk_buf;
  long *blk_cap;
  long *blk_window;
  long nblk_cap;
} gv_nl_priv;

#endif
