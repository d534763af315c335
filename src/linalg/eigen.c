/* Eigenpairs of a symmetric (Hessian) matrix M.
 *
 * Dense (all modes): LAPACK dsyevd on M + c sum_a t_a t_a^T, where t_a are the
 * unit translation vectors and c exceeds every eigenvalue (Gershgorin bound):
 * the translations are exact eigenvectors of M with eigenvalue 0, so the
 * deflation moves exactly them to the top of the spectrum and leaves every
 * other eigenpair unchanged; the top `dim` pairs are then dropped.
 *
 * Sparse (lowest k): shift-invert on OP = P (M - sigma I)^-1 P with sigma below
 * the spectrum: the largest nu = 1/(lambda - sigma) are the lowest lambda =
 * sigma + 1/nu. P removes the translations, which OP maps to 0, so they never
 * appear. The inverse is one CHOLMOD factorisation. Two solvers of OP's top k:
 * thick-restart block Lanczos (eig_block.c; default: its solves take many
 * right-hand sides at once) and implicitly restarted Lanczos (ARPACK
 * dsaupd/dseupd, Lehoucq, Sorensen, Yang, ARPACK Users' Guide, SIAM 1998, mode 1,
 * which = "LM"; one right-hand side per solve). Residuals ||M v - lambda v||
 * are recomputed with M itself. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <arpack/arpack.h>
#include <lapacke.h>

#include "glassvib/linalg.h"
#include "linalg/alloc.h"

extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));
#include "linalg/eig_internal.h"

#define ZERO_TOL_REL 1e-9 /* |lambda| below this x max|diag| counts as zero */
#define SHIFT_REL 1e-5    /* automatic shift: -SHIFT_REL x mean diagonal */
#define RES_BLOCK 8       /* residual vectors per pass over M */

void gv_linalg_eigopts_default(gv_eigopts *o) {
  memset(o, 0, sizeof *o);
  o->dim = 0;
  o->sigma = NAN;
  o->tol = 0;
  o->ncv = 0;
  o->maxiter = 1000;
  o->want_vectors = 1;
  o->seed = GV_DEFAULT_SEED;
}

void gv_linalg_eigen_free(gv_eigen *e) {
  if (!e) return;
  free(e->lambda);
  free(e->vec);
  free(e->residual);
  memset(e, 0, sizeof *e);
}

int gv_linalg_dense_syev(int64_t n, double *A, double *w) {
  if (n <= 0) return GV_OK;
  if (n > 2000000000LL) return GV_ERROR(GV_EINVAL, "dense eigen: order %lld too large", (long long)n);
  lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'L', (lapack_int)n, A, (lapack_int)n, w);
  if (info < 0) return GV_ERROR(GV_ENOMEM, "LAPACKE_dsyevd: workspace allocation failed (%d)", (int)info);
  if (info > 0) return GV_ERROR(GV_ENUMERIC, "LAPACKE_dsyevd did not converge (%d)", (int)info);
  return GV_OK;
}

static double gershgorin_bound(const gv_sparse *M) {
  double b = 0;
  for (int64_t j = 0; j < M->n; j++) {
    double s = 0;
    for (int64_t p = M->colptr[j]; p < M->colptr[j + 1]; p++) s += fabs(M->val[p]);
    if (s > b) b = s;
  }
  return b;
}

/* Explicit residuals ||M v_j - lambda_j v_j|| and the negative-mode count.
 * M is read once per RES_BLOCK vectors (the product is memory-bound: M is
 * 40 MB at N = 16000, read 100 times before), rows split over threads; M
 * symmetric, so row i of M is column i. */
static int finish(const gv_sparse *M, gv_eigen *e, const double *vec, int nkeep) {
  const int64_t n = M->n;
  e->max_residual = 0;
  double zt = ZERO_TOL_REL * gershgorin_bound(M);
  e->n_negative = 0;
  for (int j = 0; j < nkeep; j++) e->residual[j] = 0;
  for (int j0 = 0; j0 < nkeep; j0 += RES_BLOCK) {
    const int nb = nkeep - j0 < RES_BLOCK ? nkeep - j0 : RES_BLOCK;
    const double *v = vec + (int64_t)j0 * n;
    double acc[RES_BLOCK] = {0};
#pragma omp parallel for schedule(static) reduction(+ : acc[:RES_BLOCK]) if (n > 20000)
    for (int64_t i = 0; i < n; i++) {
      double y[RES_BLOCK] = {0};
      for (int64_t p = M->colptr[i]; p < M->colptr[i + 1]; p++) {
        const double a = M->val[p];
        const int64_t r = M->rowind[p];
        for (int c = 0; c < nb; c++) y[c] += a * v[c * n + r];
      }
      for (int c = 0; c < nb; c++) {
        double d = y[c] - e->lambda[j0 + c] * v[c * n + i];
        acc[c] += d * d;
      }
    }
    for (int c = 0; c < nb; c++) e->residual[j0 + c] = sqrt(acc[c]);
  }
  for (int j = 0; j < nkeep; j++) {
    if (!(e->residual[j] <= e->max_residual)) e->max_residual = e->residual[j];
    if (e->lambda[j] < -zt) e->n_negative++;
  }
  if (!isfinite(e->max_residual)) return GV_ERROR(GV_ENUMERIC, "non-finite eigen-residual");
  return GV_OK;
}

int gv_linalg_eig_all(const gv_sparse *M, const gv_eigopts *opt, gv_eigen *out) {
  int status = GV_OK;
  gv_eigopts o;
  if (opt) o = *opt;
  else gv_linalg_eigopts_default(&o);
  const int64_t n = M->n;
  const int dim = o.dim > 0 ? o.dim : 0;
  double *A = NULL, *w = NULL;
  double t0 = gv_wall_time();
  memset(out, 0, sizeof *out);
  if (dim && n % dim) return GV_ERROR(GV_EINVAL, "eigen: order %lld not a multiple of dim %d", (long long)n, dim);
  if (n - dim < 1) return GV_ERROR(GV_EINVAL, "eigen: no non-trivial modes (n = %lld)", (long long)n);
  if ((double)n * (double)n * 8.0 > 64e9)
    return GV_ERROR(GV_EINVAL, "dense eigen-decomposition of order %lld needs %.0f GB: use --lowest K",
                    (long long)n, (double)n * n * 8 / 1e9);
  GV_NALLOC(A, n * n);
  GV_ALLOC(w, n);
  for (int64_t j = 0; j < n; j++)
    for (int64_t p = M->colptr[j]; p < M->colptr[j + 1]; p++) A[j * n + M->rowind[p]] = M->val[p];
  if (dim) {
    const int64_t np = n / dim;
    double c = 2.0 * gershgorin_bound(M) + 1.0;
    for (int64_t i = 0; i < np; i++)
      for (int64_t k = 0; k < np; k++)
        for (int a = 0; a < dim; a++) A[(i * dim + a) * n + k * dim + a] += c / (double)np;
  }
  GV_TRY(gv_linalg_dense_syev(n, A, w));
  const int nk = (int)(n - dim);
  out->n = n;
  out->k = nk;
  out->n_translations = dim;
  out->method = "lapack-dsyevd";
  out->sigma = NAN;
  GV_ALLOC(out->lambda, nk);
  GV_ALLOC(out->residual, nk);
  memcpy(out->lambda, w, (size_t)nk * sizeof *w);
  GV_TRY(finish(M, out, A, nk));
  out->translation_residual = gv_linalg_translation_residual(M, dim);
  if (o.want_vectors) {
    /* keep the first nk columns; shrink in place */
    double *v = realloc(A, (size_t)(n * nk) * sizeof *A);
    if (v || nk == 0) A = v ? v : A;
    out->vec = A;
    A = NULL;
  }
  out->t_total = gv_wall_time() - t0;
cleanup:
  free(A);
  free(w);
  if (status < 0) gv_linalg_eigen_free(out);
  return status;
}

typedef struct {
  int64_t i;
  double lam;
} order_t;
static int cmp_order(const void *a, const void *b) {
  double x = ((const order_t *)a)->lam, y = ((const order_t *)b)->lam;
  return (x > y) - (x < y);
}

int gv_linalg_eig_solver_parse(const char *name, int *solver) {
  if (!name || !strcmp(name, "auto")) *solver = GV_EIG_AUTO;
  else if (!strcmp(name, "block")) *solver = GV_EIG_BLOCK;
  else if (!strcmp(name, "arpack")) *solver = GV_EIG_ARPACK;
  else return GV_ERROR(GV_EINVAL, "unknown eigensolver '%s' (auto, block or arpack)", name);
  return GV_OK;
}

int gv_linalg_eig_arpack_run(const gv_sparse *M, gv_linalg_factor *F, double sigma, int k,
                             const gv_eigopts *op, gv_eigen *out) {
  int status = GV_OK;
  const gv_eigopts o = *op;
  const int64_t n = M->n;
  const int dim = o.dim > 0 ? o.dim : 0;
  double *resid = NULL, *V = NULL, *workd = NULL, *workl = NULL, *d = NULL, *Z = NULL;
  int *select = NULL;
  order_t *ord = NULL;
  if (n > 2000000000LL) return GV_ERROR(GV_EINVAL, "eigen: order too large for ARPACK's int");
  int nev = k;
  int64_t neff = n - dim;
  int ncv = o.ncv > 0 ? o.ncv : (2 * k + 1 > k + 32 ? 2 * k + 1 : k + 32);
  if (ncv <= nev) ncv = nev + 1;
  if (ncv > neff) ncv = (int)neff;
  int lworkl = ncv * (ncv + 8);
  GV_ALLOC(resid, n);
  GV_NALLOC(V, (int64_t)ncv * n);
  GV_NALLOC(workd, 3 * n);
  GV_ALLOC(workl, lworkl);
  {
    gv_rng r;
    gv_rng_init(&r, o.seed, 0, GV_RNG_ANALYSIS);
    for (int64_t i = 0; i < n; i++) resid[i] = gv_rng_uniform(&r) - 0.5;
    gv_linalg_project_translations(resid, n, dim);
  }
  int iparam[11] = {0}, ipntr[14] = {0};
  iparam[0] = 1;             /* exact shifts */
  iparam[2] = o.maxiter > 0 ? o.maxiter : 1000;
  iparam[6] = 1;             /* mode 1: OP x provided by us */
  int ido = 0, info = 1;     /* info = 1: use resid as the start vector */
  double tol = o.tol > 0 ? o.tol : 0.0;
  long nop = 0;
  double t_solve = 0;
  gv_progress prog;
  /* ARPACK reports convergence only at the end: show solves against a
   * typical budget of ~2.5 ncv (capped below 100 %) */
  gv_progress_begin(&prog, "lanczos", 1.0);
  for (;;) {
    dsaupd_c(&ido, "I", (int)n, "LM", nev, tol, resid, ncv, V, (int)n, iparam, ipntr, workd, workl,
             lworkl, &info);
    if (ido == 1 || ido == -1) {
      double *x = workd + ipntr[0] - 1, *y = workd + ipntr[1] - 1;
      double ts = gv_wall_time();
      gv_linalg_project_translations(x, n, dim);
      GV_TRY(gv_linalg_factor_solve_shifted(F, 1, x, y));
      gv_linalg_project_translations(y, n, dim);
      t_solve += gv_wall_time() - ts;
      nop++;
      gv_progress_update(&prog, fmin(0.99, nop / (2.5 * ncv)));
      if (gv_interrupted()) {
        status = GV_ERROR(GV_EINTERRUPTED, "interrupted during the Lanczos iteration");
        goto cleanup;
      }
    } else {
      break;
    }
  }
  gv_progress_end(&prog);
  if (info < 0) {
    status = GV_ERROR(GV_ENUMERIC, "ARPACK dsaupd failed (info = %d)", info);
    goto cleanup;
  }
  int nconv = iparam[4];
  if (info == 1) gv_log(GV_LOG_INFO, "ARPACK: maximum iterations reached, %d of %d converged", nconv, k);
  if (nconv < 1) {
    status = GV_ERROR(GV_ENUMERIC, "ARPACK converged no eigenpair (info = %d)", info);
    goto cleanup;
  }
  GV_ALLOC(select, ncv);
  GV_ALLOC(d, nev);
  GV_NALLOC(Z, (int64_t)nev * n);
  dseupd_c(1, "A", select, d, Z, (int)n, 0.0, "I", (int)n, "LM", nev, tol, resid, ncv, V, (int)n,
           iparam, ipntr, workd, workl, lworkl, &info);
  if (info != 0) {
    status = GV_ERROR(GV_ENUMERIC, "ARPACK dseupd failed (info = %d)", info);
    goto cleanup;
  }
  /* back-transform, order ascending in lambda */
  int kk = nconv < nev ? nconv : nev;
  GV_ALLOC(ord, kk);
  for (int j = 0; j < kk; j++) {
    if (d[j] == 0 || !isfinite(d[j])) {
      status = GV_ERROR(GV_ENUMERIC, "ARPACK returned a zero or non-finite Ritz value");
      goto cleanup;
    }
    ord[j] = (order_t){j, sigma + 1.0 / d[j]};
  }
  qsort(ord, (size_t)kk, sizeof *ord, cmp_order);
  out->n = n;
  out->k = kk;
  out->iterations = iparam[2];
  out->n_op = nop;
  out->n_block_solves = nop;
  out->block_size = 1;
  out->t_solve = t_solve;
  out->method = "arpack-shift-invert-cholmod";
  GV_ALLOC(out->lambda, kk);
  GV_ALLOC(out->residual, kk);
  GV_NALLOC(out->vec, (int64_t)kk * n);
  for (int j = 0; j < kk; j++) {
    out->lambda[j] = ord[j].lam;
    double *x = out->vec + (int64_t)j * n;
    memcpy(x, Z + ord[j].i * n, (size_t)n * sizeof *x);
    /* unit norm (ARPACK's are, to rounding) */
    double s = 0;
    for (int64_t i = 0; i < n; i++) s += x[i] * x[i];
    s = 1.0 / sqrt(s);
    for (int64_t i = 0; i < n; i++) x[i] *= s;
  }
  if (kk < k) status = GV_NOT_CONVERGED;
cleanup:
  free(resid);
  free(V);
  free(workd);
  free(workl);
  free(d);
  free(Z);
  free(select);
  free(ord);
  return status;
}

int gv_linalg_eig_lowest(const gv_sparse *M, int k, const gv_eigopts *opt, gv_eigen *out) {
  int status = GV_OK;
  gv_eigopts o;
  if (opt) o = *opt;
  else gv_linalg_eigopts_default(&o);
  const int64_t n = M->n;
  const int dim = o.dim > 0 ? o.dim : 0;
  gv_linalg_factor *F = NULL;
  double t0 = gv_wall_time();
  memset(out, 0, sizeof *out);
  if (o.keep_factor) *o.keep_factor = NULL;
  if (dim && n % dim) return GV_ERROR(GV_EINVAL, "eigen: order %lld not a multiple of dim %d", (long long)n, dim);
  if (k < 1) return GV_ERROR(GV_EINVAL, "eigen: K = %d must be positive", k);
  if ((int64_t)k > n - dim)
    return GV_ERROR(GV_EINVAL, "K = %d exceeds the %lld non-trivial modes of this system", k,
                    (long long)(n - dim));
  if (o.solver < GV_EIG_AUTO || o.solver > GV_EIG_ARPACK)
    return GV_ERROR(GV_EINVAL, "eigen: unknown solver %d", o.solver);
  /* Which sparse solver: the block one unless asked otherwise or its basis
   * (~4k + a block) does not fit in the n - dim dimensions (then ARPACK). */
  int use_block = o.solver != GV_EIG_ARPACK;
  if (use_block) {
    int b, mmax;
    gv_linalg_eig_block_sizes(k, n - dim, &o, &b, &mmax);
    if (mmax < k + b) {
      if (o.solver == GV_EIG_BLOCK)
        gv_log(GV_LOG_DEBUG, "block eigensolver: K = %d too large for order %lld, using ARPACK", k, (long long)n);
      use_block = 0;
    }
  }
  /* ARPACK needs nev < ncv <= n_eff; tiny problems go dense. */
  if (!use_block && ((int64_t)k + 2 > n - dim || n <= 200)) {
    gv_eigopts od = o;
    GV_TRY(gv_linalg_eig_all(M, &od, out));
    if (out->k > k) {
      out->k = k;
      double *r = realloc(out->lambda, (size_t)k * sizeof(double));
      if (r) out->lambda = r;
      if (out->vec) {
        r = realloc(out->vec, (size_t)(k * n) * sizeof(double));
        if (r) out->vec = r;
      }
      out->max_residual = 0;
      for (int j = 0; j < k; j++)
        if (out->residual[j] > out->max_residual) out->max_residual = out->residual[j];
      out->n_negative = 0;
      double zt = ZERO_TOL_REL * gershgorin_bound(M);
      for (int j = 0; j < k; j++) out->n_negative += out->lambda[j] < -zt;
    }
    return status;
  }

  /* 1. factorise M - sigma I with sigma below the spectrum: then OP is positive
   * (semi-)definite and its largest eigenvalues 1/(lambda - sigma) are exactly
   * the lowest lambda, i.e. the k wanted modes are the k closest to sigma. A
   * shift just below zero keeps the wanted part of OP's spectrum as spread out
   * as an LL' factor allows (the relative gaps (lambda_j+1 - lambda_j) /
   * (lambda_j - sigma) that set the Krylov convergence grow as sigma -> 0-).
   * -1e-5 x mean diagonal: ~1 % of the lowest glass mode even at N = 128000
   * (-1e-3 was comparable to lambda_1 at N = 16000 and cost 6 % more solves);
   * the translations' 1/|sigma| growth in a solve acts on rounding-level
   * components only and is projected out. Indefinite (negative modes): jump
   * to -1e-3 x mean diagonal, then x 8 per attempt. */
  double scale = gv_linalg_sparse_mean_diagonal(M);
  if (!(scale > 0)) scale = gershgorin_bound(M);
  if (!(scale > 0)) return GV_ERROR(GV_EINVAL, "eigen: zero matrix");
  double sigma = isfinite(o.sigma) ? o.sigma : -SHIFT_REL * scale;
  if (sigma > 0) return GV_ERROR(GV_EINVAL, "eigen: the shift sigma = %g must be <= 0", sigma);
  if (sigma == 0 && dim) sigma = -1e-10 * scale; /* translations make M singular */
  double ta = gv_wall_time();
  GV_TRY(gv_linalg_factor_create(&F, M, dim));
  double tf = gv_wall_time();
  ta = tf - ta;
  for (int attempt = 0;; attempt++) {
    status = gv_linalg_factor_numeric(F, M, sigma);
    if (status != GV_EUNSTABLE) break;
    /* negative eigenvalues below sigma: move the shift down until positive definite */
    if (attempt >= 12) {
      status = GV_ERROR(GV_EUNSTABLE, "no shift makes M - sigma I positive definite (last sigma %g)", sigma);
      goto cleanup;
    }
    gv_log(GV_LOG_INFO, "M - (%g) I is indefinite: negative eigenvalues; lowering the shift", sigma);
    sigma = fmin(sigma * 8.0, -1e-3 * scale);
    gv_error_clear();
  }
  if (status < 0) goto cleanup;
  out->t_factor = gv_wall_time() - tf;

  /* 2. the k largest eigenpairs of OP = P (M - sigma I)^-1 P */
  if (use_block) {
    /* Below ~30000 unknowns the block method's small dense products are too
     * small for threaded OpenBLAS (measured: N = 2000 3D, 1.10 -> 0.82 s wall). */
    int ob = openblas_get_num_threads && openblas_set_num_threads ? openblas_get_num_threads() : 1;
    int single = ob > 1 && M->n < 30000;
    if (single) openblas_set_num_threads(1);
    status = gv_linalg_eig_block_run(M, F, sigma, k, &o, out);
    if (single) openblas_set_num_threads(ob);
  } else status = gv_linalg_eig_arpack_run(M, F, sigma, k, &o, out);
  if (status < 0) goto cleanup;
  int conv_status = status;
  status = GV_OK;
  out->n_translations = dim;
  out->sigma = sigma;
  double tr = gv_wall_time();
  GV_TRY(finish(M, out, out->vec, out->k));
  gv_log(GV_LOG_DEBUG, "eigen: ordering + symbolic analysis %.3f s, factor %.3f s, residuals of %d pairs %.3f s (wall)",
         ta, out->t_factor, out->k, gv_wall_time() - tr);
  out->translation_residual = gv_linalg_translation_residual(M, dim);
  if (!o.want_vectors) {
    free(out->vec);
    out->vec = NULL;
  }
  if (o.keep_factor) {
    *o.keep_factor = F;
    F = NULL;
  }
  out->t_total = gv_wall_time() - t0;
  status = conv_status;
cleanup:
  gv_linalg_factor_destroy(&F);
  if (status < 0) gv_linalg_eigen_free(out);
  return status;
}
