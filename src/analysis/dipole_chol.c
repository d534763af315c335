/* Sparse pseudo-inverse solver for many right-hand sides (force-dipole
 * responses, seed 003; nonlinear-mode preconditioning): X = M^+ B, B and X
 * orthogonal to the translations of the periodic Hessian M.
 *
 * One CHOLMOD supernodal Cholesky factorisation of M + eps I (eps = 1e-12 x
 * the mean diagonal makes the singular periodic M factorisable; its relative
 * bias on X is eps/lambda_min ~ 1e-9 and is removed by the refinement below),
 * then blocks of b right-hand sides per cholmod_l_solve2 call: in a
 * supernodal factor the block solve is BLAS-3 (dtrsm/dgemm on n x b panels),
 * so the factor is streamed from memory once per block instead of once per
 * vector. Blocks run on OpenMP threads, each with its own cholmod_common and
 * workspaces (the factor is only read); BLAS inside is kept single-threaded
 * while the block loop is threaded (nested parallelism oversubscribes).
 * After each solve the translations are projected out of X and the residual
 * |P(B - M X)| / |B| is checked column by column; columns above rtol get one
 * more correction solve (a refinement sweep), up to 4 sweeps.
 *
 * Why not a sparse right-hand side (cholmod_solve2 with Bset)? A dipole has
 * six non-zeros, so L^-1 P d touches only the elimination-tree path of two
 * particles, but CHOLMOD's Bset path handles a single column and the kappa of
 * seed 003 needs |M^+ d|^2, i.e. the full backward solve, which is dense; for
 * a 3D nested-dissection factor the path still holds about a third of L.
 * Instead the fused kernel below orders the pairs along the elimination tree
 * and skips the zero part of the forward solve inside BLAS-3 blocks, then
 * does the (dense) backward solve blockwise: 1.7x less CPU per pair than
 * blocked cholmod_solve2 at N = 16000 (docs/qlm.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include <cblas.h>
#include <cholmod.h>

#include "glassvib/linalg.h"
#include "linalg/cholmod_view.h"
#include "glassvib/qlm.h"

extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

#define GV_DIPOLE_BLOCK 128 /* default right-hand sides per CHOLMOD call */

typedef struct {
  gv_sparse *M;
  cholmod_common cc;
  cholmod_factor *L;
  long n;
  int dim;
  int block;
  double rtol;
  double shift;
} chol_ctx;


static void chol_destroy(void *c) {
  chol_ctx *d = c;
  if (!d) return;
  if (d->L) cholmod_l_free_factor(&d->L, &d->cc);
  cholmod_l_finish(&d->cc);
  gv_linalg_sparse_destroy(&d->M);
  free(d);
}

static void project(double *x, long n, int dim) { gv_linalg_project_translations(x, n, dim); }

/* One block of m columns: X = P L^-T L^-1 P B with refinement. Work arrays
 * R, D (n*m) and the CHOLMOD workspaces belong to the calling thread. */
static int chol_block(chol_ctx *d, cholmod_common *cc, long m, const double *B, double *X,
                      double *R, double *D, cholmod_dense **Xw, cholmod_dense **Y,
                      cholmod_dense **E, double *worst) {
  long n = d->n;
  double bn[512];
  int todo[512];
  memcpy(R, B, sizeof(double) * n * m);
  for (long c = 0; c < m; c++) {
    project(R + c * n, n, d->dim);
    double s = 0;
    for (long i = 0; i < n; i++) s += R[c * n + i] * R[c * n + i];
    bn[c] = sqrt(s);
    todo[c] = 1;
  }
  memset(X, 0, sizeof(double) * n * m);
  double w = 0;
  for (int sweep = 0; sweep < 4; sweep++) {
    cholmod_dense b;
    memset(&b, 0, sizeof b);
    b.nrow = (size_t)n;
    b.ncol = (size_t)m;
    b.nzmax = (size_t)(n * m);
    b.d = (size_t)n;
    b.x = R;
    b.xtype = CHOLMOD_REAL;
    b.dtype = CHOLMOD_DOUBLE;
    if (*Xw && (*Xw)->ncol != (size_t)m) cholmod_l_free_dense(Xw, cc);
    if (!cholmod_l_solve2(CHOLMOD_A, d->L, &b, NULL, Xw, NULL, Y, E, cc) || !*Xw) return GV_ENUMERIC;
    const double *Z = (*Xw)->x;
    w = 0;
    int again = 0;
    for (long c = 0; c < m; c++) {
      if (!todo[c]) continue;
      double *x = X + c * n, *dd = D + c * n, *r = R + c * n;
      memcpy(dd, Z + c * n, sizeof(double) * n);
      project(dd, n, d->dim);
      for (long i = 0; i < n; i++) x[i] += dd[i];
      gv_linalg_sparse_matvec(d->M, x, dd);
      const double *bb = B + c * n;
      for (long i = 0; i < n; i++) r[i] = bb[i] - dd[i];
      project(r, n, d->dim);
      double s = 0;
      for (long i = 0; i < n; i++) s += r[i] * r[i];
      double rel = bn[c] > 0 ? sqrt(s) / bn[c] : 0;
      if (!isfinite(rel)) return GV_ENUMERIC;
      if (rel > w) w = rel;
      if (rel > d->rtol) again = 1;
      else todo[c] = 0;
    }
    if (!again) break;
    for (long c = 0; c < m; c++)
      if (!todo[c]) memset(R + c * n, 0, sizeof(double) * n);
  }
  *worst = w;
  return w > d->rtol ? GV_NOT_CONVERGED : GV_OK;
}

/* OpenMP threads for nblk independent column blocks: at most one block each. */
static int threads_for(long nblk) {
  int nthr = 1;
#ifdef _OPENMP
  nthr = omp_get_max_threads();
  if (nthr > nblk) nthr = (int)nblk;
#endif
  return nthr < 1 ? 1 : nthr;
}

static int chol_solve(void *ctx, const double *B, double *X, long nrhs) {
  chol_ctx *d = ctx;
  long n = d->n, blk = d->block;
  long nblk = (nrhs + blk - 1) / blk;
  int nthr = threads_for(nblk);
  int bad = 0;
  double worst = 0;
  int blas = openblas_get_num_threads ? openblas_get_num_threads() : 1;
  /* BLAS single-threaded: threads go over blocks (its own threads would only spin on these panels) */
  if (openblas_set_num_threads) openblas_set_num_threads(1);
#pragma omp parallel num_threads(nthr) reduction(max : worst)
  {
    cholmod_common ccl, *cc = &ccl;
    int own = 1;
#ifdef _OPENMP
    if (omp_get_num_threads() == 1) own = 0;
#else
    own = 0;
#endif
    if (own) {
      cholmod_l_start(cc);
      cc->print = 0;
      cc->error_handler = NULL;
    } else {
      cc = &d->cc;
    }
    cholmod_dense *Xw = NULL, *Y = NULL, *E = NULL;
    double *R = malloc(sizeof(double) * n * blk), *D = malloc(sizeof(double) * n * blk);
    if (!R || !D) {
#pragma omp atomic write
      bad = GV_ENOMEM;
    }
#pragma omp for schedule(dynamic, 1)
    for (long b = 0; b < nblk; b++) {
      if (bad) continue;
      long c0 = b * blk, m = nrhs - c0 < blk ? nrhs - c0 : blk;
      double w = 0;
      int st = chol_block(d, cc, m, B + c0 * n, X + c0 * n, R, D, &Xw, &Y, &E, &w);
      if (w > worst) worst = w;
      if (st < 0) {
#pragma omp atomic write
        bad = st;
      }
    }
    free(R);
    free(D);
    cholmod_l_free_dense(&Xw, cc);
    cholmod_l_free_dense(&Y, cc);
    cholmod_l_free_dense(&E, cc);
    if (own) cholmod_l_finish(cc);
  }
  if (openblas_set_num_threads) openblas_set_num_threads(blas);
  if (bad == GV_ENOMEM) return GV_ERROR(GV_ENOMEM, "sparse solve: out of memory for %ld-column blocks", blk);
  if (bad) return GV_ERROR(GV_ENUMERIC, "sparse solve: CHOLMOD solve failed or non-finite residual");
  if (worst > d->rtol)
    return GV_ERROR(GV_ENUMERIC, "sparse solve: relative residual %.3g above %.1g after refinement", worst,
                    d->rtol);
  return GV_OK;
}


/* ------------------------------------------------ fused dipole kernel */
/* Forward solve L Y = P B for a block whose columns are sparse (a dipole has
 * six non-zeros): supernodes where the block is still zero are skipped, and
 * in the others only the range of non-zero columns is processed. With the
 * pairs ordered by their place in the elimination tree (postorder of the
 * factor), a block's columns fill the same paths and the forward solve
 * touches a fraction of L. */
static void super_lsolve_sparse(const cholmod_factor *L, double *Y, long n, long m, double *W) {
  const SuiteSparse_long *super = L->super, *pi = L->pi, *px = L->px, *Ls = L->s;
  const double *Lx = L->x;
  for (size_t sn = 0; sn < L->nsuper; sn++) {
    long k1 = super[sn], k2 = super[sn + 1], nscol = k2 - k1;
    long nsrow = pi[sn + 1] - pi[sn], nsrow2 = nsrow - nscol;
    long clo = -1, chi = -1;
    for (long c = 0; c < m; c++) {
      const double *y = Y + c * n + k1;
      for (long k = 0; k < nscol; k++)
        if (y[k] != 0) {
          if (clo < 0) clo = c;
          chi = c;
          break;
        }
    }
    if (clo < 0) continue;
    long mm = chi - clo + 1;
    double *Yb = Y + clo * n + k1;
    const double *L11 = Lx + px[sn];
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, (int)nscol, (int)mm, 1.0, L11,
                (int)nsrow, Yb, (int)n);
    if (nsrow2 > 0) {
      cblas_dgemm(CblasColMajor, CblasNoTrans, CblasNoTrans, (int)nsrow2, (int)mm, (int)nscol, 1.0, L11 + nscol,
                  (int)nsrow, Yb, (int)n, 0.0, W, (int)nsrow2);
      const SuiteSparse_long *rows = Ls + pi[sn] + nscol;
      for (long c = 0; c < mm; c++) {
        double *y = Y + (clo + c) * n;
        const double *w = W + c * nsrow2;
        for (long i = 0; i < nsrow2; i++) y[rows[i]] -= w[i];
      }
    }
  }
}

/* Backward solve L^T X = Y (dense block, in place). */
static void super_ltsolve(const cholmod_factor *L, double *Y, long n, long m, double *W) {
  const SuiteSparse_long *super = L->super, *pi = L->pi, *px = L->px, *Ls = L->s;
  const double *Lx = L->x;
  for (long sn = (long)L->nsuper - 1; sn >= 0; sn--) {
    long k1 = super[sn], k2 = super[sn + 1], nscol = k2 - k1;
    long nsrow = pi[sn + 1] - pi[sn], nsrow2 = nsrow - nscol;
    const double *L11 = Lx + px[sn];
    double *Yb = Y + k1;
    if (nsrow2 > 0) {
      const SuiteSparse_long *rows = Ls + pi[sn] + nscol;
      for (long c = 0; c < m; c++) {
        const double *y = Y + c * n;
        double *w = W + c * nsrow2;
        for (long i = 0; i < nsrow2; i++) w[i] = y[rows[i]];
      }
      cblas_dgemm(CblasColMajor, CblasTrans, CblasNoTrans, (int)nscol, (int)m, (int)nsrow2, -1.0, L11 + nscol,
                  (int)nsrow, W, (int)nsrow2, 1.0, Yb, (int)n);
    }
    cblas_dtrsm(CblasColMajor, CblasLeft, CblasLower, CblasTrans, CblasNonUnit, (int)nscol, (int)m, 1.0, L11,
                (int)nsrow, Yb, (int)n);
  }
}

typedef struct {
  long key, p;
} dkey;
static int cmp_dkey(const void *x, const void *y) {
  const dkey *a = x, *b = y;
  return (a->key > b->key) - (a->key < b->key);
}

static int chol_dipoles(void *ctx, const gv_pairset *ps, const long *sel, long nsel, double *aout, double *bout,
                        double *rout) {
  int status = GV_OK;
  chol_ctx *d = ctx;
  const cholmod_factor *L = d->L;
  long n = d->n, blk = d->block;
  int dim = d->dim;
  dkey *ord = NULL;
  long *pinv = NULL;
  if (!L->is_super || !L->is_ll) return GV_ERROR(GV_ENUMERIC, "dipole kernel: expected a supernodal LL' factor");
  const SuiteSparse_long *Perm = L->Perm;
  GV_ALLOC(pinv, n);
  for (long k = 0; k < n; k++) pinv[Perm[k]] = k;
  /* order the pairs by their place in the elimination tree */
  GV_ALLOC(ord, nsel);
  for (long q = 0; q < nsel; q++) {
    long p = sel[q], i = ps->pi[p], j = ps->pj[p], key = n;
    for (int a = 0; a < dim; a++) {
      if (pinv[i * dim + a] < key) key = pinv[i * dim + a];
      if (pinv[j * dim + a] < key) key = pinv[j * dim + a];
    }
    ord[q].key = key;
    ord[q].p = q;
  }
  qsort(ord, (size_t)nsel, sizeof *ord, cmp_dkey);
  long maxr = 1;
  for (size_t sn = 0; sn < L->nsuper; sn++) {
    long r2 = (long)(((const SuiteSparse_long *)L->pi)[sn + 1] - ((const SuiteSparse_long *)L->pi)[sn]) -
              (long)(((const SuiteSparse_long *)L->super)[sn + 1] - ((const SuiteSparse_long *)L->super)[sn]);
    if (r2 > maxr) maxr = r2;
  }
  long nblk = (nsel + blk - 1) / blk;
  int nthr = threads_for(nblk);
  int blas = openblas_get_num_threads ? openblas_get_num_threads() : 1;
  /* BLAS single-threaded: threads go over blocks (its own threads would only spin on these panels) */
  if (openblas_set_num_threads) openblas_set_num_threads(1);
  int bad = 0;
  double worst = 0;
  gv_progress prog;
  gv_progress_begin(&prog, "dipoles", (double)nsel);
  long ndone = 0;
#pragma omp parallel num_threads(nthr) reduction(max : worst)
  {
    double *Y = malloc(sizeof(double) * n * blk), *W = malloc(sizeof(double) * maxr * blk);
    double *X = malloc(sizeof(double) * n), *MX = malloc(sizeof(double) * n), *B1 = malloc(sizeof(double) * n);
    double *R = malloc(sizeof(double) * n), *D = malloc(sizeof(double) * n);
    cholmod_common ccl;
    cholmod_l_start(&ccl);
    ccl.print = 0;
    ccl.error_handler = NULL;
    cholmod_dense *Xw = NULL, *Yw = NULL, *Ew = NULL;
    if (!Y || !W || !X || !MX || !B1 || !R || !D) {
#pragma omp atomic write
      bad = GV_ENOMEM;
    }
#pragma omp for schedule(dynamic, 1)
    for (long bk = 0; bk < nblk; bk++) {
      int stop;
#pragma omp atomic read
      stop = bad;
      if (stop) continue;
      if (gv_interrupted()) {
#pragma omp atomic write
        bad = GV_EINTERRUPTED;
        continue;
      }
      long c0 = bk * blk, m = nsel - c0 < blk ? nsel - c0 : blk;
      memset(Y, 0, sizeof(double) * n * m);
      for (long c = 0; c < m; c++) {
        long p = sel[ord[c0 + c].p], i = ps->pi[p], j = ps->pj[p];
        double s1 = ps->psi[4 * p];
        for (int a = 0; a < dim; a++) {
          Y[c * n + pinv[i * dim + a]] += s1 * ps->r[p * dim + a];
          Y[c * n + pinv[j * dim + a]] -= s1 * ps->r[p * dim + a];
        }
      }
      super_lsolve_sparse(L, Y, n, m, W);
      super_ltsolve(L, Y, n, m, W);
      for (long c = 0; c < m; c++) {
        long q = ord[c0 + c].p, p = sel[q], i = ps->pi[p], j = ps->pj[p];
        const double *y = Y + c * n;
        for (long k = 0; k < n; k++) X[Perm[k]] = y[k];
        gv_linalg_project_translations(X, n, dim);
        /* the dipole, its residual, a = d.z, b = z.z */
        memset(B1, 0, sizeof(double) * n);
        double s1 = ps->psi[4 * p], dd = 0;
        for (int a = 0; a < dim; a++) {
          B1[i * dim + a] = s1 * ps->r[p * dim + a];
          B1[j * dim + a] = -s1 * ps->r[p * dim + a];
          dd += 2 * B1[i * dim + a] * B1[i * dim + a];
        }
        gv_linalg_sparse_matvec(d->M, X, MX);
        for (long k = 0; k < n; k++) MX[k] = B1[k] - MX[k];
        gv_linalg_project_translations(MX, n, dim);
        double rr = 0;
        for (long k = 0; k < n; k++) rr += MX[k] * MX[k];
        double rel = dd > 0 ? sqrt(rr / dd) : 0;
        if (!(rel <= d->rtol)) {
          /* rare: refine this column through the general path */
          double w1 = 0;
          int st = chol_block(d, &ccl, 1, B1, X, R, D, &Xw, &Yw, &Ew, &w1);
          if (st < 0 || w1 > d->rtol) {
#pragma omp atomic write
            bad = GV_ENUMERIC;
          }
          rel = w1;
        }
        if (rel > worst) worst = rel;
        double a = 0, b = 0;
        for (int q2 = 0; q2 < dim; q2++) a += B1[i * dim + q2] * X[i * dim + q2] + B1[j * dim + q2] * X[j * dim + q2];
        for (long k = 0; k < n; k++) b += X[k] * X[k];
        aout[q] = a;
        bout[q] = b;
        rout[q] = rel;
      }
#pragma omp atomic
      ndone += m;
#ifdef _OPENMP
      if (omp_get_thread_num() == 0)
#endif
        gv_progress_update(&prog, (double)ndone);
    }
    free(Y);
    free(W);
    free(X);
    free(MX);
    free(B1);
    free(R);
    free(D);
    cholmod_l_free_dense(&Xw, &ccl);
    cholmod_l_free_dense(&Yw, &ccl);
    cholmod_l_free_dense(&Ew, &ccl);
    cholmod_l_finish(&ccl);
  }
  gv_progress_end(&prog);
  if (openblas_set_num_threads) openblas_set_num_threads(blas);
  if (bad == GV_ENOMEM) status = GV_ERROR(GV_ENOMEM, "dipole kernel: out of memory for %ld-column blocks", blk);
  else if (bad == GV_EINTERRUPTED) status = GV_ERROR(GV_EINTERRUPTED, "interrupted");
  else if (bad) status = GV_ERROR(GV_ENUMERIC, "dipole kernel: a response did not reach the residual %.1g", d->rtol);
cleanup:
  free(ord);
  free(pinv);
  return status;
}

int gv_qlm_sparse_solver_create(gv_qlm_solver **out, const gv_pairset *ps) {
  int status = GV_OK;
  chol_ctx *d = NULL;
  gv_qlm_solver *s = NULL;
  *out = NULL;
  GV_ALLOC(d, 1);
  cholmod_l_start(&d->cc);
  d->cc.print = 0;
  d->cc.error_handler = NULL;
  d->cc.supernodal = CHOLMOD_SUPERNODAL; /* LL': BLAS-3 factor and block solves; fails on indefinite M */
  d->n = ps->n * ps->dim;
  d->dim = ps->dim;
  d->rtol = 1e-8;
  d->block = GV_DIPOLE_BLOCK;
  {
    const char *e = getenv("GV_DIPOLE_BLOCK"); /* benchmarking knob (docs/qlm.md) */
    if (e && atoi(e) > 0 && atoi(e) <= 512) d->block = atoi(e);
  }
  GV_TRY(gv_qlm_hessian_sparse(ps, &d->M));
  {
    const char *o = getenv("GV_DIPOLE_ORDERING"); /* benchmarking knob: amd, metis, nesdis */
    if (o) {
      d->cc.nmethods = 1;
      d->cc.method[0].ordering = !strcmp(o, "amd") ? CHOLMOD_AMD : !strcmp(o, "metis") ? CHOLMOD_METIS : CHOLMOD_NESDIS;
    }
  }
  cholmod_sparse A = gv_cholmod_view(d->M);
  d->L = cholmod_l_analyze(&A, &d->cc);
  if (!d->L || d->cc.status < CHOLMOD_OK) {
    status = GV_ERROR(d->cc.status == CHOLMOD_OUT_OF_MEMORY ? GV_ENOMEM : GV_ENUMERIC,
                      "CHOLMOD symbolic analysis failed (status %d)", d->cc.status);
    goto cleanup;
  }
  gv_log(GV_LOG_DEBUG, "dipole solver: n %ld, nnz(M) %ld, ordering %d, nnz(L) %.4g, factor flops %.4g", d->n,
         (long)d->M->nnz, d->cc.method[d->cc.selected].ordering, d->cc.lnz, d->cc.fl);
  /* M + eps I; if round-off makes a translation pivot fail, retry larger eps */
  double md = gv_linalg_sparse_mean_diagonal(d->M);
  const double shifts[3] = {1e-12, 1e-10, 1e-8};
  int ok = 0;
  for (int k = 0; k < 3 && !ok; k++) {
    double beta[2] = {shifts[k] * md, 0};
    int r = cholmod_l_factorize_p(&A, beta, NULL, 0, d->L, &d->cc);
    if (!r || d->cc.status == CHOLMOD_OUT_OF_MEMORY) {
      status = GV_ERROR(GV_ENOMEM, "CHOLMOD numeric factorisation failed (status %d)", d->cc.status);
      goto cleanup;
    }
    if (d->cc.status == CHOLMOD_OK) {
      ok = 1;
      d->shift = shifts[k] * md;
    }
  }
  if (!ok) {
    status = GV_ERROR(GV_EUNSTABLE,
                      "unstable glass: the Hessian is not positive definite beyond translations "
                      "(a negative mode; minimise it further) [CHOLMOD: not positive definite at column %ld of %ld]",
                      (long)d->L->minor, d->n);
    goto cleanup;
  }
  GV_ALLOC(s, 1);
  s->solve = chol_solve;
  s->ctx = d;
  s->ndof = d->n;
  s->block = d->block;
  s->destroy = chol_destroy;
  s->dipoles = getenv("GV_DIPOLE_GENERIC") ? NULL : chol_dipoles; /* env: benchmark the plain block solves */
  *out = s;
  return GV_OK;
cleanup:
  chol_destroy(d);
  free(s);
  return status;
}
