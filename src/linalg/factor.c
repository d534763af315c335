/* Sparse Cholesky through CHOLMOD (SuiteSparse; Chen, Davis, Hager, Rajamanickam,
 * ACM TOMS 35, 22 (2008)): the fill-reducing ordering and symbolic analysis are
 * done once (gv_linalg_factor_create), numeric factorisations of A - sigma I are
 * repeated at will (cholmod_l_factorize_p with beta = -sigma).
 *
 * Pseudo-inverse solves of a periodic Hessian M (singular: translations t_a):
 * with A_s = M - sigma I (sigma < 0, positive definite) and P the projector on
 * the complement of the translations, iterative refinement
 *     x_0 = P A_s^-1 P b,   x_{k+1} = x_k + P A_s^-1 P (b - M x_k)
 * converges to M^+ b with rate |sigma| / (lambda_min + |sigma|) per sweep
 * (lambda_min = lowest non-trivial eigenvalue), so a tiny shift needs one or two
 * sweeps. Right-hand sides are split into fixed blocks handed to OpenMP threads,
 * each thread with its own cholmod_common (the factor is only read). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <cholmod.h>

#include "glassvib/linalg.h"
#include "linalg/cholmod_view.h"
#include "linalg/alloc.h"

#define BLOCK 48 /* most right-hand sides per CHOLMOD call (per-vector cost: 1 -> 16 -> 24 -> 48
                  * columns: 45 -> 10.5 -> 8.6 -> 7.4 ms at N = 16000 3D, flat beyond) */

#define PAR_MIN_WORK 1e5 /* rows x right-hand sides below which a solve runs serially */

/* OpenBLAS's own threads inside our OpenMP threads oversubscribe the cores
 * (measured: block solves 4x slower with 2 + 2 threads on 2 cores), so the
 * parallel solve runs OpenBLAS single-threaded. Weak: any other BLAS works. */
extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

struct gv_linalg_factor {
  cholmod_common cc;
  cholmod_factor *L;
  int64_t n, nnz;
  int dim;
  double sigma;
  int factored;
  /* serial-path workspaces kept across solves (cholmod_l_solve2 reuses them):
   * re-allocating n-sized buffers on every Lanczos step costs page faults */
  cholmod_dense *X, *Y, *E;
};


void gv_linalg_factor_destroy(gv_linalg_factor **F) {
  if (!F || !*F) return;
  if ((*F)->L) cholmod_l_free_factor(&(*F)->L, &(*F)->cc);
  cholmod_l_free_dense(&(*F)->X, &(*F)->cc);
  cholmod_l_free_dense(&(*F)->Y, &(*F)->cc);
  cholmod_l_free_dense(&(*F)->E, &(*F)->cc);
  cholmod_l_finish(&(*F)->cc);
  free(*F);
  *F = NULL;
}

int gv_linalg_factor_create(gv_linalg_factor **F, const gv_sparse *A, int dim) {
  int status = GV_OK;
  gv_linalg_factor *f = NULL;
  if (!A || A->n <= 0) return GV_ERROR(GV_EINVAL, "factor: empty matrix");
  if (dim < 0 || dim > 4 || (dim > 0 && A->n % dim))
    return GV_ERROR(GV_EINVAL, "factor: order %lld is not a multiple of dim %d", (long long)A->n, dim);
  GV_ALLOC(f, 1);
  cholmod_l_start(&f->cc);
  f->cc.print = 0;
  f->cc.error_handler = NULL;
  /* Supernodal LL' always: a simplicial LDL' would silently accept an
   * indefinite M - sigma I, and the eigen-solver relies on the failure to keep
   * the shift below the spectrum. */
  f->cc.supernodal = CHOLMOD_SUPERNODAL;
  f->n = A->n;
  f->nnz = A->nnz;
  f->dim = dim;
  f->sigma = NAN;
  cholmod_sparse s = gv_cholmod_view(A);
  f->L = cholmod_l_analyze(&s, &f->cc);
  if (!f->L || f->cc.status < CHOLMOD_OK) {
    status = GV_ERROR(f->cc.status == CHOLMOD_OUT_OF_MEMORY ? GV_ENOMEM : GV_ENUMERIC,
                      "CHOLMOD symbolic analysis failed (status %d)", f->cc.status);
    goto cleanup;
  }
  *F = f;
  return GV_OK;
cleanup:
  gv_linalg_factor_destroy(&f);
  return status;
}

int gv_linalg_factor_numeric(gv_linalg_factor *F, const gv_sparse *A, double sigma) {
  if (A->n != F->n || A->nnz != F->nnz)
    return GV_ERROR(GV_EINVAL, "factor: matrix pattern differs from the analysed one");
  if (!isfinite(sigma)) return GV_ERROR(GV_EINVAL, "factor: shift %g is not finite", sigma);
  cholmod_sparse s = gv_cholmod_view(A);
  double beta[2] = {-sigma, 0.0};
  F->factored = 0;
  int ok = cholmod_l_factorize_p(&s, beta, NULL, 0, F->L, &F->cc);
  if (!ok || F->cc.status == CHOLMOD_OUT_OF_MEMORY)
    return GV_ERROR(GV_ENOMEM, "CHOLMOD numeric factorisation failed (status %d)", F->cc.status);
  if (F->cc.status == CHOLMOD_NOT_POSDEF)
    return GV_ERROR(GV_EUNSTABLE,
                    "M - sigma I (sigma = %g) is not positive definite (column %ld of %lld): "
                    "the matrix has eigenvalues below the shift",
                    sigma, (long)F->L->minor, (long long)F->n);
  if (F->cc.status < CHOLMOD_OK)
    return GV_ERROR(GV_ENUMERIC, "CHOLMOD numeric factorisation failed (status %d)", F->cc.status);
  F->sigma = sigma;
  F->factored = 1;
  return GV_OK;
}

double gv_linalg_factor_sigma(const gv_linalg_factor *F) { return F->sigma; }

/* Solve one block of m <= BLOCK columns with a given common (thread-private). */
static int solve_block(gv_linalg_factor *F, cholmod_common *cc, int64_t m, const double *B,
                       double *X, cholmod_dense **Xw, cholmod_dense **Y, cholmod_dense **E) {
  cholmod_dense b;
  memset(&b, 0, sizeof b);
  b.nrow = (size_t)F->n;
  b.ncol = (size_t)m;
  b.nzmax = (size_t)(F->n * m);
  b.d = (size_t)F->n;
  b.x = (void *)B;
  b.xtype = CHOLMOD_REAL;
  b.dtype = CHOLMOD_DOUBLE;
  /* X workspace reused only if its shape matches (solve2 reallocates otherwise) */
  if (*Xw && (*Xw)->ncol != (size_t)m) cholmod_l_free_dense(Xw, cc);
  int ok = cholmod_l_solve2(CHOLMOD_A, F->L, &b, NULL, Xw, NULL, Y, E, cc);
  if (!ok || !*Xw) return GV_ENUMERIC;
  memcpy(X, (*Xw)->x, (size_t)(F->n * m) * sizeof(double));
  return GV_OK;
}

/* Solve all columns: split into nblk near-equal blocks of <= BLOCK columns,
 * nblk a multiple of the thread count, so every thread gets the same number
 * of columns (24 right-hand sides on 2 threads: 12 + 12, not 16 + 8, whose
 * time is that of the 16-column half). */
static int solve_all(gv_linalg_factor *F, int64_t nrhs, const double *B, double *X) {
  int64_t nblk = (nrhs + BLOCK - 1) / BLOCK;
  int bad = 0;
  int avail = omp_get_max_threads();
  /* small solves stay serial: a parallel region costs more than they do */
  if ((double)F->n * (double)nrhs < PAR_MIN_WORK) avail = 1;
  int nthr = (int)(nrhs < avail ? nrhs : avail);
  if (nthr < 1) nthr = 1;
  if (nthr > 1) nblk = (nblk + nthr - 1) / nthr * nthr;
  if (nthr > nblk) nthr = (int)nblk;
#define COL0(b) ((b) * nrhs / nblk)
  if (nthr == 1) {
    for (int64_t b = 0; b < nblk && !bad; b++) {
      int64_t c0 = COL0(b), m = COL0(b + 1) - c0;
      if (solve_block(F, &F->cc, m, B + c0 * F->n, X + c0 * F->n, &F->X, &F->Y, &F->E)) bad = 1;
    }
  } else {
    int ob = openblas_get_num_threads && openblas_set_num_threads ? openblas_get_num_threads() : 1;
    if (ob > 1) openblas_set_num_threads(1);
#pragma omp parallel num_threads(nthr)
    {
      cholmod_common cc;
      cholmod_l_start(&cc);
      cc.print = 0;
      cc.error_handler = NULL;
      cholmod_dense *Xw = NULL, *Y = NULL, *E = NULL;
#pragma omp for schedule(static, 1)
      for (int64_t b = 0; b < nblk; b++) {
        int64_t c0 = COL0(b), m = COL0(b + 1) - c0;
        if (solve_block(F, &cc, m, B + c0 * F->n, X + c0 * F->n, &Xw, &Y, &E)) {
#pragma omp atomic write
          bad = 1;
        }
      }
      cholmod_l_free_dense(&Xw, &cc);
      cholmod_l_free_dense(&Y, &cc);
      cholmod_l_free_dense(&E, &cc);
      cholmod_l_finish(&cc);
    }
    if (ob > 1) openblas_set_num_threads(ob);
  }
#undef COL0
  return bad ? GV_ERROR(GV_ENUMERIC, "CHOLMOD solve failed") : GV_OK;
}

int gv_linalg_factor_solve_shifted(gv_linalg_factor *F, int64_t nrhs, const double *B,
                                   double *X) {
  if (!F->factored) return GV_ERROR(GV_EINVAL, "factor: solve before a numeric factorisation");
  if (nrhs <= 0) return GV_OK;
  return solve_all(F, nrhs, B, X);
}

int gv_linalg_factor_solve(gv_linalg_factor *F, const gv_sparse *A, int64_t nrhs,
                           const double *B, double *X, double rtol, double *max_rel_residual) {
  int status = GV_OK;
  const int64_t n = F->n;
  double *R = NULL, *D = NULL, *bnorm = NULL;
  int *done = NULL;
  double worst = 0;
  if (!F->factored) return GV_ERROR(GV_EINVAL, "factor: solve before a numeric factorisation");
  if (A->n != n) return GV_ERROR(GV_EINVAL, "factor: matrix order differs");
  if (nrhs <= 0) return GV_OK;
  if (!(rtol > 0)) rtol = 1e-10;
  GV_NALLOC(R, n * nrhs);
  GV_NALLOC(D, n * nrhs);
  GV_ALLOC(bnorm, nrhs);
  GV_ALLOC(done, nrhs);
  memcpy(R, B, (size_t)(n * nrhs) * sizeof *R);
  for (int64_t c = 0; c < nrhs; c++) {
    gv_linalg_project_translations(R + c * n, n, F->dim);
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += R[c * n + i] * R[c * n + i];
    bnorm[c] = sqrt(s);
    memset(X + c * n, 0, (size_t)n * sizeof *X);
  }
  for (int sweep = 0; sweep < 50; sweep++) {
    GV_TRY(solve_all(F, nrhs, R, D));
    worst = 0;
    int all = 1;
#pragma omp parallel for schedule(dynamic, 1) reduction(max : worst) reduction(&& : all)
    for (int64_t c = 0; c < nrhs; c++) {
      double *x = X + c * n, *d = D + c * n, *r = R + c * n;
      gv_linalg_project_translations(d, n, F->dim);
      for (int64_t i = 0; i < n; i++) x[i] += d[i];
      /* r = P (b - A x) */
      gv_linalg_sparse_matvec(A, x, d);
      const double *b = B + c * n;
      for (int64_t i = 0; i < n; i++) r[i] = b[i] - d[i];
      gv_linalg_project_translations(r, n, F->dim);
      double s = 0;
      for (int64_t i = 0; i < n; i++) s += r[i] * r[i];
      double rel = bnorm[c] > 0 ? sqrt(s) / bnorm[c] : 0.0;
      if (!isfinite(rel)) rel = INFINITY;
      if (rel > worst) worst = rel;
      if (rel > rtol) all = 0;
      done[c] = rel <= rtol;
    }
    if (!isfinite(worst)) {
      status = GV_ERROR(GV_ENUMERIC, "factor solve: non-finite residual");
      goto cleanup;
    }
    if (all) break;
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "interrupted during solves");
      goto cleanup;
    }
    /* Converged columns get a zero correction (R = 0 solves to D = 0 cheaply enough). */
    for (int64_t c = 0; c < nrhs; c++)
      if (done[c]) memset(R + c * n, 0, (size_t)n * sizeof *R);
  }
  if (worst > rtol) status = GV_NOT_CONVERGED;
cleanup:
  if (max_rel_residual) *max_rel_residual = worst;
  free(R);
  free(D);
  free(bnorm);
  free(done);
  return status;
}
