/* glassvib hessian: the analytic Hessian (dynamical matrix, unit masses)
 * M = d^2 U / dx dx of a pair-potential configuration, as a sparse matrix
 * (pattern built once from a neighbour list with a skin, values refilled), and
 * the matrix-free product M v beside it.
 *
 * Pair term, r = x_i - x_j (minimum image), n = r/|r|:
 *   K_ij = phi''(r) n n^T + (phi'(r)/r) (I - n n^T)        (d x d block)
 *   M_ij = -K_ij (i != j),   M_ii = sum_j K_ij.
 * Under periodic boundaries every block row sums to zero: the d uniform
 * translations are exact zero modes.
 *
 * Storage (gv_sparse, include/glassvib/linalg.h): compressed columns, both
 * triangles, rows sorted; column i*dim + a holds, for each partner j of i in
 * increasing order (i itself included), the rows j*dim + 0..dim-1. Pairs of the
 * neighbour list outside the cutoff are stored as explicit zeros, so positions
 * can move by up to skin/2 (e.g. under a small strain) and the same pattern —
 * and the same symbolic Cholesky analysis — is reused.
 * Units: eps / lambda^2 (stiffness; frequencies omega = sqrt(eigenvalue) in
 * sqrt(eps/m)/lambda). Third/fourth-order contractions: anharmonic.h (qlm). */
#ifndef GLASSVIB_HESSIAN_H
#define GLASSVIB_HESSIAN_H

#include "glassvib/linalg.h"
#include "glassvib/pot.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gv_hessian {
  int dim;
  long n;              /* particles */
  const gv_model *model; /* borrowed: must outlive the Hessian */
  gv_sparse *M;        /* current values (owned; replaced if the pattern is rebuilt) */
  gv_neighbors *nl;    /* owned half list (cutoff + skin) */
  /* Full neighbour list (both directions, i itself excluded), sorted by j:
   * partners of i are nbr[nstart[i] .. nstart[i+1]). Read-only for callers
   * (moduli, dipoles iterate pairs with it). */
  long *nstart, *nbr;
  int64_t *slot;       /* slot[p]: index of partner nbr[p] in i's sorted block list */
  int64_t *dslot;      /* dslot[i]: index of i itself in its block list */
  long pattern_builds; /* incremented when the pattern (and M) is rebuilt */
  long list_builds;    /* neighbour-list builds seen at the last pattern build */
} gv_hessian;

/* Build the neighbour list (skin >= 0, in lambda; 0.3 is a good default), the
 * pattern and the values for configuration s. Borrows m. */
int gv_hessian_create(gv_hessian **H, const gv_model *m, const gv_system *s, double skin);
/* Refill the values for the (moved) configuration s. If a particle moved by
 * more than skin/2 the neighbour list and pattern are rebuilt, H->M is
 * replaced and H->pattern_builds is incremented (re-analyse any factor). */
int gv_hessian_update(gv_hessian *H, const gv_system *s);
void gv_hessian_destroy(gv_hessian **H);

/* out = M v without storing M (uses H's neighbour list, not H->M; s must be
 * the configuration of the last create/update or one within skin/2 of it). */
int gv_hessian_apply(const gv_hessian *H, const gv_system *s, const double *v, double *out);

/* Per-pair geometry used across the harmonic analyses: r = x_i - x_j
 * (minimum image, written to r[dim]), returns |r|. */
double gv_hessian_pair_vector(const gv_system *s, long i, long j, double *r);

/* Write the Hessian as Matrix Market (symmetric, lower triangle), atomically. */
int gv_hessian_write_mtx(const gv_hessian *H, const char *path);

#ifdef __cplusplus
}
#endif
#endif
