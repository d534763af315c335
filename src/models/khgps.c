/* The KHGPS model (Rainone, Urbani, Zamponi, Lerner, Bouchbinder, SciPost Phys.
 * Core 4, 008 (2021); seed 001):
 *   H = 1/2 sum_i kappa_i x_i^2 + 1/24 sum_i x_i^4 + sum_{i<j} J_ij x_i x_j - h sum_i x_i
 *   dH/dx_i = kappa_i x_i + x_i^3/6 + (J x)_i - h
 *   M_ij = J_ij + delta_ij (kappa_i + x_i^2/2)
 * Units A = 1 (stiffness A x0^2, force A x0^3, energy A x0^4).
 *
 * One sample = draw kappa and J from the sample's streams, minimise from x = 0,
 * then the Hessian spectrum. Storage: ONE column-major n x n double matrix.
 * Its strict lower triangle holds J for the whole run; the upper triangle and
 * diagonal receive the Cholesky factor U of M (M = U^T U) or the Hessian handed
 * to dsyevd, so J never needs a second copy (8 n^2 bytes: 2.05 GB at n = 16000).
 *
 * Minimiser: preconditioned Polak-Ribiere(+) conjugate gradients with an EXACT
 * line search: along d, H(x + t d) is a quartic polynomial whose coefficients
 * need only J d, so every iteration costs one matrix-vector product. When the
 * gradient is small, Newton-chord steps with a Cholesky factor of M finish the
 * job to machine precision (refactorising only when the chord iteration slows
 * down); a last factorisation at the converged x proves M positive definite and
 * is reused by the eigensolver (if x moved by less than the tolerance since the
 * last factorisation, that one is kept: its Hessian differs only on the
 * diagonal, by at most eig_bound, which bounds the eigenvalue error by Weyl).
 *
 * Eigenvalues: all of them by dsyevd (tridiagonalisation, (4/3) n^3 flops, half
 * of them memory-bound BLAS-2), or the nlow lowest by block Krylov iteration on
 * M^-1 with the Cholesky factor (n^3/3 flops in BLAS-3, plus blocked triangular
 * solves): the low tail of M is the top of the spectrum of M^-1, well separated,
 * so a Krylov space of a few nlow converges it; Ritz values are accepted when
 * their error bound min(r, r^2/gap) is below 1e-9 relative. The test compares
 * both paths (agreement 1e-9 relative). */
#include "glassvib/models.h"

#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/spectrum.h"

/* Fortran BLAS dgemm (OpenBLAS). Not cblas_dgemm: GSL's reference libgslcblas
 * also exports cblas_* and precedes OpenBLAS on the link line, so cblas_* calls
 * would run an unoptimised triple loop. The trailing size_t are the hidden
 * lengths of the character arguments. */
extern void dgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k,
                   const double *alpha, const double *a, const int *lda, const double *b,
                   const int *ldb, const double *beta, double *c, const int *ldc, size_t, size_t);
static void gemm(char ta, char tb, size_t m, size_t n, size_t k, double alpha, const double *a,
                 size_t lda, const double *b, size_t ldb, double beta, double *c, size_t ldc) {
  const int M = (int)m, N = (int)n, K = (int)k, LA = (int)lda, LB = (int)ldb, LC = (int)ldc;
  dgemm_(&ta, &tb, &M, &N, &K, &alpha, a, &LA, b, &LB, &beta, c, &LC, 1, 1);
}

/* OpenBLAS thread control, if the BLAS in use is OpenBLAS (weak: optional). */
extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

struct gv_khgps_work {
  size_t n, nlow;
  double *A;                     /* n x n, column-major */
  double *x, *g, *Jx, *d, *Jd, *z, *zold, *gold, *kappa, *tmp;
  double *V, *W;                 /* Krylov basis and M^-1 V (n x mmax) */
  size_t mmax, block;
};

void gv_khgps_params_default(gv_khgps_params *p) {
  memset(p, 0, sizeof *p);
  p->gtol = 1e-10;
  p->nlow = 0;
  p->max_iter = 200000;
  p->seed = GV_DEFAULT_SEED;
}

int gv_khgps_params_check(const gv_khgps_params *p) {
  if (p->n < 2) return GV_ERROR(GV_EINVAL, "khgps: N = %zu, need N >= 2", p->n);
  if (!isfinite(p->h)) return GV_ERROR(GV_EINVAL, "khgps: h must be finite");
  if (!(p->J >= 0) || !isfinite(p->J)) return GV_ERROR(GV_EINVAL, "khgps: J = %g, need J >= 0", p->J);
  if (!(p->kappa0 >= 0) || !isfinite(p->kappa0))
    return GV_ERROR(GV_EINVAL, "khgps: kappa0 = %g, need kappa0 >= 0", p->kappa0);
  if (!(p->gtol > 0)) return GV_ERROR(GV_EINVAL, "khgps: gradient tolerance must be positive");
  if (p->nlow > p->n) return GV_ERROR(GV_EINVAL, "khgps: nlow = %zu exceeds N = %zu", p->nlow, p->n);
  return GV_OK;
}

void gv_khgps_sample_free(gv_khgps_sample *s) {
  if (!s) return;
  free(s->kappa);
  free(s->x);
  free(s->eig);
  memset(s, 0, sizeof *s);
}

void gv_khgps_work_free(gv_khgps_work **w) {
  if (!w || !*w) return;
  gv_khgps_work *k = *w;
  free(k->A);
  free(k->x); free(k->g); free(k->Jx); free(k->d); free(k->Jd);
  free(k->z); free(k->zold); free(k->gold); free(k->kappa); free(k->tmp);
  free(k->V); free(k->W);
  free(k);
  *w = NULL;
}

int gv_khgps_work_alloc(gv_khgps_work **out, size_t n, size_t nlow) {
  int status = GV_OK;
  gv_khgps_work *w = NULL;
  if (!out || n < 2) return GV_ERROR(GV_EINVAL, "khgps workspace: need n >= 2");
  if (n > 200000) return GV_ERROR(GV_EINVAL, "khgps workspace: n = %zu is beyond dense storage", n);
  GV_ALLOC(w, 1);
  w->n = n;
  w->nlow = nlow >= n ? 0 : nlow;
  w->A = malloc(n * n * sizeof *w->A);
  if (!w->A) {
    status = GV_ERROR(GV_ENOMEM, "khgps: cannot allocate the %zu x %zu matrix (%.2f GB)", n, n,
                      8.0 * (double)n * (double)n / 1e9);
    goto cleanup;
  }
  GV_ALLOC(w->x, n); GV_ALLOC(w->g, n); GV_ALLOC(w->Jx, n); GV_ALLOC(w->d, n);
  GV_ALLOC(w->Jd, n); GV_ALLOC(w->z, n); GV_ALLOC(w->zold, n); GV_ALLOC(w->gold, n);
  GV_ALLOC(w->kappa, n); GV_ALLOC(w->tmp, n);
  if (w->nlow) {
    w->block = w->nlow < 32 ? 16 : 48;
    size_t m = 6 * w->nlow + 4 * w->block;
    if (m < w->nlow + 16 * w->block) m = w->nlow + 16 * w->block;
    m = (m + w->block - 1) / w->block * w->block;
    if (m > n) m = n / w->block * w->block;
    if (m < w->nlow + w->block) { /* too small for Krylov: use the dense path */
      w->nlow = 0;
    } else {
      w->mmax = m;
      const size_t nm = n * m;
      GV_ALLOC(w->V, nm);
      GV_ALLOC(w->W, nm);
    }
  }
  *out = w;
  w = NULL;
cleanup:
  gv_khgps_work_free(&w);
  return status;
}

/* ------------------------------------------------------------ disorder */
void gv_khgps_kappa_fill(double *kappa, size_t n, double kappa0, uint64_t seed, uint64_t sample) {
  gv_rng r;
  gv_rng_init(&r, seed, sample, GV_RNG_KHGPS_KAPPA);
  for (size_t i = 0; i < n; i++) kappa[i] = kappa0 * gv_rng_uniform(&r);
}

void gv_khgps_couplings_fill(double *A, size_t n, double J, uint64_t seed, uint64_t sample) {
  const double sigma = J / sqrt((double)n);
#pragma omp parallel for schedule(dynamic, 16) if (!omp_in_parallel())
  for (size_t i = 1; i < n; i++) {
    gv_rng r;
    gv_rng_init(&r, seed, sample, GV_RNG_KHGPS_COUPLING);
    gv_rng_seek(&r, (uint64_t)i, 0); /* row i's numbers: block i of the stream */
    for (size_t j = 0; j < i; j += 2) {
      /* Box-Muller: both outputs used, a pair per two entries of the row. */
      double u1 = gv_rng_uniform(&r), u2 = gv_rng_uniform(&r);
      double rad = sigma * sqrt(-2.0 * log(u1)), ang = 2.0 * M_PI * u2;
      A[i + j * n] = rad * cos(ang);
      if (j + 1 < i) A[i + (j + 1) * n] = rad * sin(ang);
    }
  }
}

/* y = J x from the strict lower triangle. Row/column block B (64 wide) is owned
 * by one thread: y_B = sum_{j < i} A_ij x_j (row strip, axpy by columns) +
 * sum_{i > j} A_ij x_i (column strip, dot products). Each entry of y is summed
 * in a fixed order, so the result does not depend on the thread count. */
#define KH_BLK 64
void gv_khgps_couplings_apply(const double *A, size_t n, const double *x, double *y) {
  const size_t nb = (n + KH_BLK - 1) / KH_BLK;
#pragma omp parallel for schedule(dynamic, 1) if (!omp_in_parallel() && n >= 512)
  for (size_t B = 0; B < nb; B++) {
    size_t i0 = B * KH_BLK, i1 = i0 + KH_BLK < n ? i0 + KH_BLK : n;
    double acc[KH_BLK];
    for (size_t i = i0; i < i1; i++) acc[i - i0] = 0;
    /* row strip: columns j < i1, rows i in [i0, i1) with i > j */
    for (size_t j = 0; j < i1; j++) {
      const double xj = x[j];
      const double *col = A + j * n;
      size_t start = j + 1 > i0 ? j + 1 : i0;
      for (size_t i = start; i < i1; i++) acc[i - i0] += col[i] * xj;
    }
    /* column strip: for j in the block, rows i > max(j, i1 - 1) (the diagonal
     * tile's lower part was counted in the row strip for the other index) */
    for (size_t j = i0; j < i1; j++) {
      const double *col = A + j * n;
      double s = 0;
      /* inside the diagonal tile: rows j+1 .. i1-1 */
      for (size_t i = j + 1; i < i1; i++) s += col[i] * x[i];
      double s2 = 0;
#pragma omp simd reduction(+ : s2)
      for (size_t i = i1; i < n; i++) s2 += col[i] * x[i];
      acc[j - i0] += s + s2;
    }
    for (size_t i = i0; i < i1; i++) y[i] = acc[i - i0];
  }
}

double gv_khgps_energy_grad(size_t n, const double *kappa, double h, const double *x,
                            const double *Jx, double *g) {
  double e = 0;
  for (size_t i = 0; i < n; i++) {
    double xi = x[i], x2 = xi * xi;
    e += 0.5 * kappa[i] * x2 + x2 * x2 / 24.0 + 0.5 * xi * Jx[i] - h * xi;
    if (g) g[i] = kappa[i] * xi + x2 * xi / 6.0 + Jx[i] - h;
  }
  return e;
}

void gv_khgps_hessian_dense(const double *A, size_t n, const double *kappa, const double *x,
                            double *M) {
  for (size_t j = 0; j < n; j++) {
    M[j + j * n] = kappa[j] + 0.5 * x[j] * x[j];
    for (size_t i = j + 1; i < n; i++) M[i + j * n] = M[j + i * n] = A[i + j * n];
  }
}

double gv_khgps_single_root(double kappa, double h) {
  /* x^3 + p x + q = 0 with p = 6 kappa >= 0, q = -6 h: one real root,
   * x = -2 sqrt(p/3) sinh(asinh((3q/2p) sqrt(3/p)) / 3) (no cancellation). */
  double p = 6.0 * kappa, q = -6.0 * h, x;
  if (p <= 0) x = cbrt(-q);
  else {
    double s = sqrt(p / 3.0);
    x = -2.0 * s * sinh(asinh(1.5 * q / (p * s)) / 3.0);
  }
  /* one Newton polish on f = x^3 + p x + q */
  double f = x * x * x + p * x + q, df = 3 * x * x + p;
  if (df > 0) x -= f / df;
  return x;
}

/* ------------------------------------------------------------ line search */
/* phi(t) = H(x + t d) - H(x) = c1 t + c2 t^2 + c3 t^3 + c4 t^4, c1 < 0, c4 > 0.
 * Returns the first local minimum t > 0 (first sign change of phi' from - to +). */
static double quartic_first_min(double c1, double c2, double c3, double c4) {
  double a = 0, fa = c1; /* phi'(a) < 0 */
  /* critical points of phi' (roots of phi'' = 2c2 + 6c3 t + 12c4 t^2) split (0, inf) */
  double crit[2];
  int nc = 0;
  double A2 = 12 * c4, B2 = 6 * c3, C2 = 2 * c2, disc = B2 * B2 - 4 * A2 * C2;
  if (disc > 0) {
    double sq = sqrt(disc), q = -0.5 * (B2 + (B2 >= 0 ? sq : -sq));
    double r1 = q / A2, r2 = q != 0 ? C2 / q : r1;
    if (r1 > r2) { double tt = r1; r1 = r2; r2 = tt; }
    if (r1 > 0) crit[nc++] = r1;
    if (r2 > 0) crit[nc++] = r2;
  }
#define DPHI(t) (c1 + (t) * (2 * c2 + (t) * (3 * c3 + (t) * 4 * c4)))
  double b = -1;
  for (int k = 0; k < nc; k++) {
    if (DPHI(crit[k]) > 0) { b = crit[k]; break; }
    a = crit[k];
    fa = DPHI(a);
  }
  if (b < 0) { /* beyond the last critical point phi' increases to +inf */
    double step = a > 0 ? a : 1.0;
    b = a + step;
    while (DPHI(b) <= 0) { a = b; step *= 2; b = a + step; if (!isfinite(b)) return NAN; }
  }
  (void)fa;
  /* bisection + secant (Illinois) on [a, b], phi'(a) <= 0 < phi'(b) */
  double fl = DPHI(a), fr = DPHI(b);
  for (int it = 0; it < 200; it++) {
    double t = (fl < 0 && fr > 0) ? a - fl * (b - a) / (fr - fl) : 0.5 * (a + b);
    if (!(t > a && t < b)) t = 0.5 * (a + b);
    double ft = DPHI(t);
    if (ft > 0) { b = t; fr = ft; fl *= 0.5; }
    else { a = t; fl = ft; fr *= 0.5; }
    if (b - a <= 1e-15 * b) break;
  }
#undef DPHI
  return 0.5 * (a + b);
}

/* Line minimisation along d (Jd = J d given). Returns t (NAN on failure). */
static double line_min(size_t n, const double *kappa, const double *x, const double *g,
                       const double *d, const double *Jd) {
  double c1 = 0, c2 = 0, c3 = 0, c4 = 0;
  for (size_t i = 0; i < n; i++) {
    double di = d[i], d2 = di * di, xi = x[i];
    c1 += g[i] * di;
    c2 += (kappa[i] + 0.5 * xi * xi) * d2 + di * Jd[i];
    c3 += xi * d2 * di;
    c4 += d2 * d2;
  }
  c2 *= 0.5;
  c3 /= 6.0;
  c4 /= 24.0;
  if (!(c1 < 0) || !(c4 > 0)) return NAN;
  return quartic_first_min(c1, c2, c3, c4);
}

static double max_abs(const double *v, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) {
    double a = fabs(v[i]);
    if (a > m || a != a) m = a;
  }
  return m;
}

/* Copy J (strict lower) to the strict upper triangle and set the Hessian diagonal. */
static void hessian_upper(double *A, size_t n, const double *kappa, const double *x) {
#pragma omp parallel for schedule(dynamic, 32) if (!omp_in_parallel() && n >= 512)
  for (size_t j = 0; j < n; j++) {
    A[j + j * n] = kappa[j] + 0.5 * x[j] * x[j];
    for (size_t i = 0; i < j; i++) A[i + j * n] = A[j + i * n];
  }
}

/* ------------------------------------------------------------ minimiser */
/* Nonlinear CG until max|g| <= target; returns GV_OK, GV_NOT_CONVERGED (max_iter),
 * GV_EINTERRUPTED or GV_ENUMERIC. */
static int cg_run(gv_khgps_work *w, const gv_khgps_params *p, double target, long *iter) {
  const size_t n = w->n;
  double *x = w->x, *g = w->g, *Jx = w->Jx, *d = w->d, *Jd = w->Jd, *z = w->z, *gold = w->gold,
         *zold = w->zold;
  const double *kappa = w->kappa;
  const double shift = p->J + 1e-3 * (p->kappa0 > 0 ? p->kappa0 : 1.0);
  gv_khgps_couplings_apply(w->A, n, x, Jx);
  gv_khgps_energy_grad(n, kappa, p->h, x, Jx, g);
  int restart = 1;
  for (long k = 0;; k++) {
    if (max_abs(g, n) <= target) return GV_OK;
    if (*iter >= p->max_iter) return GV_NOT_CONVERGED;
    if ((k & 63) == 63 && gv_interrupted()) return GV_ERROR(GV_EINTERRUPTED, "khgps: interrupted");
    /* Jacobi preconditioner on the local stiffness (shifted by J: the scale of
     * the interaction part, so soft sites are not over-amplified). */
    double gz = 0, beta = 0;
    for (size_t i = 0; i < n; i++) {
      z[i] = g[i] / (kappa[i] + 0.5 * x[i] * x[i] + shift);
      gz += g[i] * z[i];
    }
    if (!restart) {
      double num = 0, den = 0;
      for (size_t i = 0; i < n; i++) {
        num += z[i] * (g[i] - gold[i]);
        den += zold[i] * gold[i];
      }
      beta = den > 0 ? num / den : 0;
      if (beta < 0) beta = 0; /* PR+ */
    }
    double dg = 0;
    for (size_t i = 0; i < n; i++) {
      d[i] = -z[i] + beta * d[i];
      dg += d[i] * g[i];
    }
    if (!(dg < 0)) { /* not a descent direction: restart along -z */
      for (size_t i = 0; i < n; i++) d[i] = -z[i];
      dg = -gz;
    }
    gv_khgps_couplings_apply(w->A, n, d, Jd);
    double t = line_min(n, kappa, x, g, d, Jd);
    if (!isfinite(t)) return GV_ERROR(GV_ENUMERIC, "khgps: line search failed (iteration %ld)", *iter);
    memcpy(gold, g, n * sizeof *g);
    memcpy(zold, z, n * sizeof *z);
    for (size_t i = 0; i < n; i++) {
      x[i] += t * d[i];
      Jx[i] += t * Jd[i];
    }
    (*iter)++;
    restart = ((*iter) % (long)(n < 50 ? n : 50) == 0);
    if ((*iter & 31) == 0) gv_khgps_couplings_apply(w->A, n, x, Jx); /* drop accumulated drift */
    gv_khgps_energy_grad(n, kappa, p->h, x, Jx, g);
  }
}

/* ------------------------------------------------------------ eigen */
static int orthonormalise(double *Q, size_t n, size_t b) {
  double tau[64];
  if (b > 64) return GV_ERROR(GV_EINVAL, "block too large");
  lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)b, Q, (lapack_int)n, tau);
  if (info) return GV_ERROR(GV_ENUMERIC, "khgps: QR failed (info %d)", (int)info);
  info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)b, (lapack_int)b, Q, (lapack_int)n, tau);
  if (info) return GV_ERROR(GV_ENUMERIC, "khgps: QR failed (info %d)", (int)info);
  return GV_OK;
}

/* Ritz values are accepted when their error bound min(r, r^2/gap) is below
 * KH_RITZ_TOL relative. */
#define KH_RITZ_TOL 1e-9
/* Lowest k eigenvalues of M = U^T U (factor in A's upper triangle). */
static int krylov_low(gv_khgps_work *w, uint64_t seed, uint64_t sample, double *eig, size_t k) {
  int status = GV_OK;
  const size_t n = w->n, b = w->block, mmax = w->mmax;
  double *V = w->V, *W = w->W, *H = NULL, *th = NULL, *Y = NULL, *Z = NULL, *C = NULL, *S = NULL;
  lapack_int *isuppz = NULL;
  const size_t nH = mmax * mmax, nY = n * k, nC = mmax * b;
  GV_ALLOC(H, nH);
  GV_ALLOC(th, mmax);
  GV_ALLOC(Y, nY);
  GV_ALLOC(Z, nY);
  GV_ALLOC(C, nC);
  const size_t nS = mmax * (k + 1);
  GV_ALLOC(S, nS);
  GV_ALLOC(isuppz, 2 * (k + 1));
  gv_rng r;
  gv_rng_init(&r, seed, sample, GV_RNG_ANALYSIS);
  for (size_t i = 0; i < n * b; i++) V[i] = gv_rng_uniform(&r) - 0.5;
  GV_TRY(orthonormalise(V, n, b));
  size_t m = 0;
  int converged = 0;
  while (!converged) {
    if (gv_interrupted()) { status = GV_ERROR(GV_EINTERRUPTED, "khgps: interrupted"); goto cleanup; }
    double *Vb = V + m * n, *Wb = W + m * n;
    memcpy(Wb, Vb, n * b * sizeof *Wb);
    lapack_int info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', (lapack_int)n, (lapack_int)b, w->A,
                                     (lapack_int)n, Wb, (lapack_int)n);
    if (info) { status = GV_ERROR(GV_ENUMERIC, "khgps: dpotrs failed (%d)", (int)info); goto cleanup; }
    m += b;
    if ((m >= k + b && ((m / b) % 2 == 0 || m >= 2 * k)) || m + b > mmax) {
      /* Rayleigh-Ritz for M^-1 on span(V): H = V^T W (symmetrised) */
      gemm('T', 'N', m, m, n, 1.0, V, n, W, n, 0.0, H, m);
      for (size_t i = 0; i < m; i++)
        for (size_t j = 0; j < i; j++) {
          double s = 0.5 * (H[i + j * m] + H[j + i * m]);
          H[i + j * m] = H[j + i * m] = s;
        }
      /* only the top k + 1 Ritz pairs (dsyevr, range 'I'): the extra one gives the
       * gap below the lowest wanted value */
      lapack_int mf = 0;
      info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', (lapack_int)m, H, (lapack_int)m, 0.0, 0.0,
                            (lapack_int)(m - k), (lapack_int)m, 0.0, &mf, th, S, (lapack_int)m, isuppz);
      if (info || mf != (lapack_int)(k + 1)) {
        status = GV_ERROR(GV_ENUMERIC, "khgps: Ritz problem failed (%d)", (int)info);
        goto cleanup;
      }
      /* th[0] = theta_{m-k-1}, th[1..k] = the wanted top k (ascending); vectors in S */
      gemm('N', 'N', n, k, m, 1.0, V, n, S + m, m, 0.0, Y, n);
      gemm('N', 'N', n, k, m, 1.0, W, n, S + m, m, 0.0, Z, n);
      /* accept when every wanted Ritz value is accurate: |theta - theta_true| <=
       * min(r, r^2/gap) (Parlett, The Symmetric Eigenvalue Problem, Thm 11.7.1),
       * gap = distance to the nearest other Ritz value */
      converged = 1;
      double worst = 0;
      for (size_t c = 0; c < k; c++) {
        double t = th[1 + c], res = 0;
        const double *y = Y + c * n, *zz = Z + c * n;
        for (size_t i = 0; i < n; i++) {
          double e = zz[i] - t * y[i];
          res += e * e;
        }
        res = sqrt(res);
        double gap = t - th[c];
        if (c + 1 < k) gap = fmin(gap, th[c + 2] - t);
        double errb = fmin(res, gap > 0 ? res * res / gap : res);
        if (errb / fabs(t) > worst) worst = errb / fabs(t);
      }
      if (!(worst <= KH_RITZ_TOL)) converged = 0;
      gv_log(GV_LOG_DEBUG, "krylov m=%zu worst relative Ritz error bound %.3g", m, worst);
      if (converged || m + b > mmax) {
        for (size_t c = 0; c < k; c++) eig[c] = 1.0 / th[k - c]; /* ascending lambda */
        if (!converged) {
          status = GV_NOT_CONVERGED;
          gv_log(GV_LOG_INFO, "khgps: Krylov basis exhausted (%zu) before %zu eigenvalues converged", m, k);
        }
        break;
      }
    }
    /* next block: W_last orthogonalised against V (two passes), then QR */
    double *Vn = V + m * n;
    memcpy(Vn, W + (m - b) * n, n * b * sizeof *Vn);
    for (int pass = 0; pass < 2; pass++) {
      gemm('T', 'N', m, b, n, 1.0, V, n, Vn, n, 0.0, C, m);
      gemm('N', 'N', n, b, m, -1.0, V, n, C, m, 1.0, Vn, n);
    }
    GV_TRY(orthonormalise(Vn, n, b));
  }
cleanup:
  free(H); free(th); free(Y); free(Z); free(C); free(S); free(isuppz);
  return status;
}

/* ------------------------------------------------------------ one sample */
int gv_khgps_sample_run(gv_khgps_work *w, const gv_khgps_params *p, uint64_t sample,
                        gv_khgps_sample *out) {
  int status = GV_OK, result = GV_OK;
  if (!w || !p || !out) return GV_ERROR(GV_EINVAL, "khgps: NULL argument");
  GV_TRY(gv_khgps_params_check(p));
  if (p->n != w->n) return GV_ERROR(GV_EINVAL, "khgps: workspace for n = %zu, parameters n = %zu", w->n, p->n);
  const size_t n = w->n;
  const size_t k = w->nlow ? w->nlow : n;
  double t0 = gv_wall_time();
  memset(out, 0, sizeof *out);
  out->n = n;
  GV_ALLOC(out->kappa, n);
  GV_ALLOC(out->x, n);
  GV_ALLOC(out->eig, k);
  out->neig = k;

  gv_khgps_kappa_fill(w->kappa, n, p->kappa0, p->seed, sample);
  gv_khgps_couplings_fill(w->A, n, p->J, p->seed, sample);
  for (size_t i = 0; i < n; i++) w->x[i] = 0;

  /* CG to a moderate gradient, then Newton with Cholesky; if the Hessian is
   * not yet positive definite, tighten the CG target and try again. */
  double target = 1e-6 * (1.0 + fabs(p->h));
  if (target < p->gtol) target = p->gtol;
  long iter = 0;
  int factored = 0;
  double bound = 0;
  for (int attempt = 0; attempt < 8 && !factored; attempt++) {
    int st = cg_run(w, p, target, &iter);
    if (st < 0) { status = st; goto cleanup; }
    if (st == GV_NOT_CONVERGED) { result = GV_NOT_CONVERGED; }
    /* Newton-chord: factor M at x_a, iterate x <- x - t M(x_a)^-1 g(x) (exact line
     * search) while the gradient drops fast, refactor when it does not; finally
     * refactor once at the converged x unless it is within the tolerance of x_a. */
    int need_factor = 1;
    double gprev = INFINITY;
    for (int s = 0; s < 60; s++) {
      if (need_factor) {
        hessian_upper(w->A, n, w->kappa, w->x);
        lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)n, w->A, (lapack_int)n);
        if (info > 0) { factored = 0; break; } /* not positive definite: more CG */
        if (info < 0) { status = GV_ERROR(GV_ENUMERIC, "khgps: dpotrf argument %d", (int)-info); goto cleanup; }
        factored = 1;
        out->newton_steps++;
        memcpy(w->tmp, w->x, n * sizeof *w->x); /* x_a */
        need_factor = 0;
      }
      for (size_t i = 0; i < n; i++) w->d[i] = -w->g[i];
      LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'U', (lapack_int)n, 1, w->A, (lapack_int)n, w->d, (lapack_int)n);
      gv_khgps_couplings_apply(w->A, n, w->d, w->Jd);
      double t = line_min(n, w->kappa, w->x, w->g, w->d, w->Jd);
      if (!isfinite(t)) t = 0; /* already at the minimum to rounding */
      for (size_t i = 0; i < n; i++) w->x[i] += t * w->d[i];
      gv_khgps_couplings_apply(w->A, n, w->x, w->Jx);
      gv_khgps_energy_grad(n, w->kappa, p->h, w->x, w->Jx, w->g);
      double gm = max_abs(w->g, n);
      if (gm <= p->gtol) break;
      if (gm > 0.25 * gprev || t == 0) need_factor = 1;
      gprev = gm;
      if (s == 59) result = GV_NOT_CONVERGED;
    }
    if (factored) {
      bound = 0;
      for (size_t i = 0; i < n; i++) {
        double dd = 0.5 * fabs(w->x[i] * w->x[i] - w->tmp[i] * w->tmp[i]);
        if (dd > bound) bound = dd;
      }
      if (bound > 1e-11 * (1.0 + p->kappa0 + p->J)) {
        hessian_upper(w->A, n, w->kappa, w->x); /* the Hessian at the final x */
        lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'U', (lapack_int)n, w->A, (lapack_int)n);
        if (info != 0) factored = 0;
        else { out->newton_steps++; bound = 0; }
      }
    }
    if (!factored) target *= 1e-2;
    if (target < p->gtol) target = p->gtol;
  }
  out->cg_iter = iter;
  out->energy = gv_khgps_energy_grad(n, w->kappa, p->h, w->x, w->Jx, NULL);
  out->grad_max = max_abs(w->g, n);
  if (!isfinite(out->energy) || !isfinite(out->grad_max)) {
    status = GV_ERROR(GV_ENUMERIC, "khgps: non-finite energy or gradient (sample %llu)",
                      (unsigned long long)sample);
    goto cleanup;
  }
  memcpy(out->kappa, w->kappa, n * sizeof *out->kappa);
  memcpy(out->x, w->x, n * sizeof *out->x);
  if (!factored) {
    status = GV_ERROR(GV_EUNSTABLE, "khgps: no positive-definite Hessian reached (sample %llu, max|g| %.3g)",
                      (unsigned long long)sample, out->grad_max);
    goto cleanup;
  }

  out->wall_min_s = gv_wall_time() - t0;
  if (w->nlow) {
    out->eig_bound = bound;
    int st = krylov_low(w, p->seed, sample, out->eig, k);
    if (st < 0) { status = st; goto cleanup; }
    if (st > 0) result = st;
    out->n_negative = 0; /* Cholesky succeeded: M is positive definite */
  } else {
    /* exact Hessian at the final x: no Weyl bound needed */
    out->eig_bound = 0;
    hessian_upper(w->A, n, w->kappa, w->x);
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'U', (lapack_int)n, w->A, (lapack_int)n, out->eig);
    if (info) { status = GV_ERROR(GV_ENUMERIC, "khgps: dsyevd failed (info %d)", (int)info); goto cleanup; }
    for (size_t i = 0; i < n; i++)
      if (out->eig[i] < 0) out->n_negative++;
  }
  out->wall_s = gv_wall_time() - t0;
  out->wall_eig_s = out->wall_s - out->wall_min_s;
  return result;
cleanup:
  if (status < 0) gv_khgps_sample_free(out);
  return status;
}
