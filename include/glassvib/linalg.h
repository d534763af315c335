/* glassvib linalg: one small interface over LAPACK (dense), CHOLMOD (sparse
 * Cholesky: analyse once, factorise many, solve many right-hand sides) and
 * block Lanczos or ARPACK (lowest eigenpairs in shift-invert mode).
 *
 * Translations. The Hessian of a periodic glass has `dim` exact zero modes
 * (uniform translations t_a, a = 0..dim-1, t_a[i*dim+a] = 1/sqrt(N)). They are
 * handled here, once, for every caller:
 *  - eigenpairs: the translations are deflated explicitly (dense: moved to the
 *    top of the spectrum by M + c sum_a t_a t_a^T; sparse: projected out of
 *    the Krylov space, OP = P (M - sigma I)^-1 P with P = I - sum_a t_a t_a^T),
 *    so they are never reported as soft modes; eigenvalues are reported as
 *    they are (negative ones included, never hidden);
 *  - solves: gv_linalg_factor_solve returns x = M^+ b, the solution orthogonal
 *    to the translations ("translation gauge"), for b projected on their
 *    complement (a force dipole sums to zero, so it already is).
 *
 * Storage. A symmetric sparse matrix is kept in compressed sparse columns with
 * BOTH triangles stored and sorted row indices (so a column is also a row:
 * matrix-vector products are row-parallel without atomics), 64-bit indices.
 *
 * Usage for many solves with one factorisation (e.g. dipole responses):
 *   gv_linalg_factor *F = NULL;
 *   GV_TRY(gv_linalg_factor_create(&F, M, dim));      // symbolic analysis, once
 *   GV_TRY(gv_linalg_factor_numeric(F, M, sigma));    // numeric factor of M - sigma I
 *   GV_TRY(gv_linalg_factor_solve(F, M, nrhs, B, X, 1e-10, NULL)); // X = M^+ B
 *   gv_linalg_factor_destroy(&F);
 * B and X are column blocks: right-hand side r is B + r*n. Right-hand sides are
 * distributed over OpenMP threads in blocks; results do not depend on the
 * thread count. Use sigma slightly negative (e.g. -1e-8 times the mean
 * diagonal) for a periodic Hessian, which is singular: the factor of
 * M - sigma I exists and iterative refinement removes the shift's bias. */
#ifndef GLASSVIB_LINALG_H
#define GLASSVIB_LINALG_H

#include <stddef.h>
#include <stdint.h>

#include "glassvib/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gv_linalg_factor gv_linalg_factor; /* sparse Cholesky, below */

/* ------------------------------------------------------ sparse matrix */
typedef struct gv_sparse {
  int64_t n;       /* order (rows = columns) */
  int64_t nnz;     /* stored entries (both triangles) */
  int64_t *colptr; /* [n+1] */
  int64_t *rowind; /* [nnz], sorted within each column */
  double *val;     /* [nnz] */
} gv_sparse;

/* Allocate an n x n matrix with room for nnz entries (colptr zeroed). */
int gv_linalg_sparse_create(gv_sparse **A, int64_t n, int64_t nnz);
void gv_linalg_sparse_destroy(gv_sparse **A);
/* Build from triplets (duplicates are summed). The caller passes both
 * triangles of a symmetric matrix. */
int gv_linalg_sparse_from_triplets(gv_sparse **A, int64_t n, int64_t nt, const int64_t *row,
                                   const int64_t *col, const double *val);
/* y = A x (threaded; A must store both triangles). x and y must not alias. */
void gv_linalg_sparse_matvec(const gv_sparse *A, const double *x, double *y);
/* max |A_ij - A_ji| over stored entries (0 for an exactly symmetric matrix). */
double gv_linalg_sparse_asymmetry(const gv_sparse *A);
/* Mean of the diagonal (a scale for shifts). */
double gv_linalg_sparse_mean_diagonal(const gv_sparse *A);
/* Write in Matrix Market "coordinate real symmetric" format (lower triangle,
 * 1-based), atomically. `comment` (may be NULL) lines are written as '%' lines. */
int gv_linalg_sparse_write_mtx(const gv_sparse *A, const char *path, const char *comment);
/* Read a Matrix Market "coordinate real symmetric|general" file (tests, tools). */
int gv_linalg_sparse_read_mtx(gv_sparse **A, const char *path);

/* -------------------------------------------------------- translations */
/* Project out the dim uniform translations from x (n = N*dim entries):
 * x_i,a -= (1/N) sum_j x_j,a. dim <= 0: no-op. */
void gv_linalg_project_translations(double *x, int64_t n, int dim);
/* max_a ||A t_a|| for the unit translation vectors (0 for an exact zero mode). */
double gv_linalg_translation_residual(const gv_sparse *A, int dim);

/* --------------------------------------------------------- eigenpairs */
typedef struct gv_eigopts {
  int dim;          /* > 0: deflate the dim translations (periodic Hessian); 0: none */
  double sigma;     /* shift below the spectrum (<= 0); NaN = automatic (default) */
  double tol;       /* relative tolerance on Ritz pairs of OP: ||OP v - nu v|| <= tol nu
                       (0 = default: ARPACK machine precision, block 1e-11) */
  int ncv;          /* Lanczos basis size (0 = automatic: ARPACK max(2k+1, k+32),
                       block max(4k, k + 6 blocks); <= n) */
  int maxiter;      /* restarts (default 1000) */
  int want_vectors; /* keep eigenvectors in the result (default 1) */
  uint64_t seed;    /* starting vector of the Lanczos iteration (reproducible) */
  gv_linalg_factor **keep_factor; /* non-NULL: receive the factor of M - sigma I
                                     (sparse path; caller destroys), else freed */
  int solver;       /* lowest-k solver: GV_EIG_AUTO (default = block), GV_EIG_BLOCK, GV_EIG_ARPACK */
  int block;        /* block solver: right-hand sides per solve (0 = automatic: 24) */
} gv_eigopts;
enum { GV_EIG_AUTO = 0, GV_EIG_BLOCK = 1, GV_EIG_ARPACK = 2 };
/* "auto", "block" or "arpack" -> GV_EIG_*; GV_EINVAL otherwise. */
int gv_linalg_eig_solver_parse(const char *name, int *solver);
void gv_linalg_eigopts_default(gv_eigopts *o);

typedef struct gv_eigen {
  int64_t n;            /* matrix order */
  int k;                /* number of eigenpairs stored */
  double *lambda;       /* [k] ascending, translations excluded */
  double *vec;          /* [k*n] (vector j at vec + j*n, unit norm) or NULL */
  double *residual;     /* [k] ||M v - lambda v|| (computed explicitly) */
  double max_residual;  /* max of residual */
  int n_negative;       /* eigenvalues < -zero_tol */
  int n_translations;   /* deflated translations (dim or 0) */
  double translation_residual; /* max_a ||M t_a|| of the deflated translations */
  double sigma;         /* shift used (sparse path) */
  int iterations;       /* restarts (sparse path) */
  long n_op;            /* OP applications (vector solves) */
  long n_block_solves;  /* block solver: solves with block_size right-hand sides */
  int block_size;       /* block solver: right-hand sides per solve (ARPACK: 1) */
  double t_solve;       /* seconds in the triangular solves */
  double t_factor;      /* seconds in the numeric factorisation */
  double t_total;       /* seconds in total */
  const char *method;   /* "lapack-dsyevd", "block-lanczos-shift-invert-cholmod" or
                           "arpack-shift-invert-cholmod" */
} gv_eigen;
void gv_linalg_eigen_free(gv_eigen *e); /* frees arrays, zeroes the struct */

/* All n - dim eigenpairs of M (dense LAPACK dsyevd; O(n^2) memory, O(n^3) time). */
int gv_linalg_eig_all(const gv_sparse *M, const gv_eigopts *opt, gv_eigen *out);
/* The k lowest non-trivial eigenpairs of OP = P (M - sigma I)^-1 P with one
 * CHOLMOD factorisation of M - sigma I: by default (GV_EIG_AUTO, GV_EIG_BLOCK)
 * thick-restart block Lanczos whose solves take 24 right-hand sides at once
 * (eig_block.c says why); GV_EIG_ARPACK: ARPACK mode 1, which = "LM", one
 * right-hand side per solve. Both give the same pairs (to the tolerance).
 * sigma is chosen below the spectrum (automatic: -1e-5 x mean diagonal; if the
 * factorisation finds M - sigma I indefinite, -1e-3 x mean diagonal, then x 8 per
 * attempt until it is positive definite, so negative eigenvalues are found and
 * reported). GV_EINVAL if k > n - dim.
 * Returns GV_NOT_CONVERGED (> 0, result usable, out->k = pairs converged) if
 * the solver stops early. */
int gv_linalg_eig_lowest(const gv_sparse *M, int k, const gv_eigopts *opt, gv_eigen *out);

/* ------------------------------------- sparse Cholesky: plan once, factor many */
/* Symbolic analysis (fill-reducing ordering) of A's pattern. dim > 0 declares
 * the translations of a periodic Hessian (used by gv_linalg_factor_solve). */
int gv_linalg_factor_create(gv_linalg_factor **F, const gv_sparse *A, int dim);
/* Numeric factorisation of A - sigma I (same pattern as at create). Returns
 * GV_EUNSTABLE (message names the failing column) if not positive definite. */
int gv_linalg_factor_numeric(gv_linalg_factor *F, const gv_sparse *A, double sigma);
/* X = (A - sigma I)^-1 B for nrhs columns (no projection, no refinement). */
int gv_linalg_factor_solve_shifted(gv_linalg_factor *F, int64_t nrhs, const double *B,
                                   double *X);
/* X = A^+ B: projects B and X on the complement of the translations and
 * refines (x += (A - sigma I)^-1 P (b - A x)) until ||b - A x|| <= rtol ||b||
 * (at most 50 sweeps). A is the matrix given to _numeric (borrowed).
 * *max_rel_residual (may be NULL) receives the worst relative residual.
 * Returns GV_NOT_CONVERGED if some column missed rtol. Threaded over columns. */
int gv_linalg_factor_solve(gv_linalg_factor *F, const gv_sparse *A, int64_t nrhs,
                           const double *B, double *X, double rtol, double *max_rel_residual);
double gv_linalg_factor_sigma(const gv_linalg_factor *F);
void gv_linalg_factor_destroy(gv_linalg_factor **F);

/* -------------------------------------------------------- dense helper */
/* Eigen-decomposition of a dense symmetric n x n matrix A (row-major = column-
 * major, symmetric): on return A holds the eigenvectors (vector j in row j,
 * i.e. A + j*n) and w the ascending eigenvalues. LAPACKE dsyevd. */
int gv_linalg_dense_syev(int64_t n, double *A, double *w);

#ifdef __cplusplus
}
#endif
#endif
