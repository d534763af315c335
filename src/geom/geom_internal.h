/* Private state of the neighbour list, shared by geom and pot (gv_compute uses
 * the transposed pair index and the pair scratch buffer). Not a public API. */
#ifndef GV_GEOM_INTERNAL_H
#define GV_GEOM_INTERNAL_H

#include "glassvib/geom.h"

/* Below this many particles, loops run serially: an OpenMP region costs more
 * than the work (and much more on a loaded machine). Results do not depend on
 * it (every reduction has a fixed order). */
#define GV_OMP_MIN_N 1024

typedef struct gv_nl_priv {
  gv_pair_cutoff_fn cutoff;
  const void *ctx;
  double skin_req;     /* requested skin (the effective one may be smaller in tiny boxes) */
  int dim;
  gv_box box_ref;      /* box at the last build */
  double *x_ref;       /* positions at the last build [n*dim] */
  double *s;           /* wrapped fractional coordinates at the last build [n*dim] */
  int m[GV_MAX_DIM];   /* cells per axis (1 = no cell split along that axis) */
  long ncell;
  long *cell_start;    /* [ncell+1] */
  long *cell_part;     /* particles sorted by cell [n] */
  long *cell_of;       /* [n] */
  long ncell_cap;
  long nstencil;
  int stencil[81][GV_MAX_DIM];
  long pair_cap;       /* capacity of j / tpos / pair buffer */
  long *tstart;        /* transpose: slots tstart[j]..tstart[j+1] hold the pairs whose second partner is j */
  long *tpos;          /* slot of pair k in that transposed order [pair_cap] */
  double *pairbuf;     /* scratch for gv_compute: one vector per pair [pair_cap*dim] */
  double *blocksum;    /* scratch for gv_compute's fixed-order block reduction */
  size_t blocksum_cap;
  int built;
  long max_candidates; /* bound on one particle's partners at the last build */
  long **blk_buf;      /* per-block pair buffers of the one-pass build [nblk_cap] */
  long *blk_cap;
  long nblk_cap;
} gv_nl_priv;

#endif
