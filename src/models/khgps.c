/* The KHGPS model (Rainone, Urbani, Zamponi, Lerner, Bouchbinder, SciPost Phys.
 * Core 4, 008 (2021); seed 001):
 *   H = 1/2 sum_i kappa_i x_i^2 + 1/24 sum_i x_i^4 + sum_{i<j} J_ij x_i x_j - h sum_i x_i
 *   dH/dx_i = kappa_i x_i + x_i^3/6 + (J x)_i - h
 *   M_ij = J_ij + delta_ij (kappa_i + x_i^2/2)
 * Units A = 1 (stiffness A x0^2, force A x0^3, energy A x0^4).
 *
 * One sample = draw kappa and J, minimise from x = 0, then the Hessian spectrum.
 * Storage: ONE column-major n x n FLOAT matrix (1.02 GB at n = 16000). Its strict
 * lower triangle holds J for the whole run; the upper triangle and diagonal take
 * the single-precision Cholesky factor U of M (M ~ U^T U). J_ij are drawn in
 * double and rounded to float: the rounded values ARE the sample's couplings, and
 * every product J v is accumulated in double, so energies, gradients and
 * eigenvalues are those of that coupling matrix to double precision. (Rounding
 * changes J by a random matrix of norm <= 2^-24 * 2J; for a quasi-localised mode
 * the first-order eigenvalue shift v^T dJ v is ~1e-10 J: far below anything a
 * D(omega) histogram resolves; docs/meanfield.md.)
 *
 * Minimiser: preconditioned Polak-Ribiere(+) conjugate gradients with an EXACT
 * line search: along d, H(x + t d) is a quartic polynomial whose coefficients
 * need only J d, so every iteration costs ONE product J v (read from one triangle,
 * 2 n^2 bytes). For n >= 1024 a first CG phase minimises the Hamiltonian with a
 * 16-bit copy J16 of J (steps of sigma/4096, kept in the upper triangle until the
 * factor overwrites it: n^2 bytes per product, in the L3 cache at n = 4000) down
 * to the expected gradient error |(J - J16) x|, then CG continues on the float J.
 * At a moderate gradient, Newton-chord steps whose direction solves
 * M_f d = -g with the float Cholesky factor M_f = U^T U (spotrf, n^3/3 flops in
 * single precision) and the exact line search finish to the tolerance: the float
 * factor only changes the direction (relative error ~ cond(M) 2^-24), not the
 * fixed point, so the gradient converges to the double-precision tolerance.
 *
 * Eigenvalues: all of them by dsyevd_2stage on a double copy of M (two-stage
 * tridiagonalisation, (4/3) n^3 flops mostly BLAS-3; nlow = 0), or the nlow lowest:
 * (1) block Krylov on M_f^-1 with the float factor (the low tail of M is the top
 * of the spectrum of M^-1, lambda ~ 1e-3 against a bulk up to kappa0 + 2J, so a
 * few blocks converge it; own triangular solves, 16 right-hand sides per SIMD
 * row, the factor read once per solve), then (2) an exact Rayleigh-Ritz step with the
 * double-precision M (one block product J Y, multi-vector J x kernel) and Davidson
 * steps (basis [Y, M_f^-1 R]) while the error estimate r^T M_f^-1 r (the
 * second-order eigenvalue error from the residual's components outside the
 * subspace; measured 2-5x above the true error) exceeds 1e-8 relative.
 * Matrix-free Lanczos on M would need ~sqrt(width/gap) ~ 10^2 products per wanted
 * value; the factorisation costs ~n/6 products' worth of flops in BLAS-3 (single
 * precision) and is needed by the Newton steps anyway. The tests compare both
 * paths (agreement < 1e-8 relative; measured 1e-10-1e-9).
 *
 * Threads: OpenMP only inside a sample (OpenBLAS single-threaded): the J x and
 * block kernels (a CG run is one parallel region), a blocked Cholesky
 * (spotrf/strsm/ssyrk/sgemm on 256-blocks, the panel and trailing update split by
 * column blocks, one region), solves split by factor columns/rows, gemms split
 * along C's larger dimension; short spin barriers (kh_barrier) inside the regions.
 * OpenBLAS's idle workers spin ~0.1 s after each call and would take the second
 * core from the OpenMP kernels. Every result is bitwise independent of the thread
 * count (fixed chunking and summation orders). */
#include "glassvib/models.h"

#include <gsl/gsl_sort_double.h>
#include <lapacke.h>
#include <math.h>
#include <omp.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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

/* Single-precision BLAS/LAPACK for the blocked Cholesky and the solves. */
extern void spotrf_(const char *uplo, const int *n, float *a, const int *lda, int *info, size_t);
extern void strsm_(const char *side, const char *uplo, const char *ta, const char *diag, const int *m, const int *n,
                   const float *alpha, const float *a, const int *lda, float *b, const int *ldb, size_t, size_t,
                   size_t, size_t);
extern void ssyrk_(const char *uplo, const char *ta, const int *n, const int *k, const float *alpha, const float *a,
                   const int *lda, const float *beta, float *c, const int *ldc, size_t, size_t);
extern void sgemm_(const char *ta, const char *tb, const int *m, const int *n, const int *k, const float *alpha,
                   const float *a, const int *lda, const float *b, const int *ldb, const float *beta, float *c,
                   const int *ldc, size_t, size_t);

/* gemm with tb = 'N', the larger dimension of C split over the OpenMP threads
 * (single-threaded BLAS in each: see sample_run on why OpenBLAS's own threads are
 * not used). Rows when C is tall (V^T W blocks, V C updates: each thread then reads
 * its part of the long operand instead of all of it), columns otherwise. OpenBLAS
 * computes every C entry the same way whatever the split (checked bitwise for these
 * shapes; the tests compare 1 and 2 threads bitwise). */
static void pgemm(char ta, size_t m, size_t n, size_t k, double alpha, const double *a, size_t lda,
                  const double *b, size_t ldb, double beta, double *c, size_t ldc) {
  int nt = omp_in_parallel() ? 1 : omp_get_max_threads();
  if (nt < 2 || (m < 2 && n < 2) || (double)m * (double)n * (double)k < 1e7) {
    gemm(ta, 'N', m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    return;
  }
  if (m > n) {
    const size_t parts = (size_t)nt < m ? (size_t)nt : m;
#pragma omp parallel for schedule(static, 1) num_threads((int)parts)
    for (size_t t = 0; t < parts; t++) {
      const size_t i0 = m * t / parts, i1 = m * (t + 1) / parts;
      const double *at = ta == 'T' ? a + i0 * lda : a + i0;
      if (i1 > i0) gemm(ta, 'N', i1 - i0, n, k, alpha, at, lda, b, ldb, beta, c + i0, ldc);
    }
    return;
  }
  size_t parts = (size_t)nt < n ? (size_t)nt : n;
#pragma omp parallel for schedule(static, 1) num_threads((int)parts)
  for (size_t t = 0; t < parts; t++) {
    size_t j0 = n * t / parts, j1 = n * (t + 1) / parts;
    if (j1 > j0) gemm(ta, 'N', m, j1 - j0, k, alpha, a, lda, b + j0 * ldb, ldb, beta, c + j0 * ldc, ldc);
  }
}

/* OpenBLAS thread control, if the BLAS in use is OpenBLAS (weak: optional). */
extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

/* Hot kernels are compiled for AVX-512, AVX2+FMA and baseline x86-64 and picked
 * at load time (the default build has no -march=native). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define KH_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define KH_CLONES
#endif

/* Process CPU seconds (phase profile in the debug log). */
static double kh_cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Column chunks of the J x kernel: fixed by n alone (not by the thread count). */
#define KH_NCH_MAX 16
/* 16-bit first CG phase from this n on (below, J fits the caches anyway). */
#define KH_HALF_MIN_N 1024
/* 16-bit units per standard deviation J/sqrt(n) of J_ij (|J_ij| > 8 sigma, p ~ 1e-15, saturate) */
#define KH_HALF_ONE 4096.0
/* Right-hand sides per SIMD row of the float triangular solves (kh_usolve) */
#define KH_SW 16
/* Vectors per pass of the block kernel (kh_chunk_mv). */
#define KH_MB 8

struct gv_khgps_work {
  size_t n, nlow;
  float *A;                      /* n x n, column-major: J below, float factor above */
  double *Md;                    /* n x n double Hessian for dsyevd (nlow = 0 only) */
  double *x, *g, *Jx, *d, *Jd, *z, *zold, *gold, *kappa, *tmp;
  double *part;                  /* KH_NCH_MAX x n x KH_MB partial sums of the J x kernels */
  double *xb;                    /* n x KH_MB interleaved vectors of the block kernel */
  float *part16, *x16;           /* KH_NCH_MAX x n partial sums and x of the 16-bit kernel */
  long half_iter;                /* CG iterations of the 16-bit phase */
  double half_scale;             /* J16 = int16(J KH_HALF_ONE sqrt(n)/J) in the upper triangle; 0: none */
  float *fv;                     /* n x 2 KH_SW floats: right-hand sides of float solves */
  double *V, *W;                 /* Krylov basis and M_f^-1 V (n x mmax) */
  size_t mmax, block;
  long nmv;                      /* products J v in this sample */
  int blas_threads;              /* OpenBLAS threads for dsyevd_2stage (1: leave as is) */
  double tp[8];                  /* debug-log profile (process CPU s): cg, factor, minimise, krylov start, ritz, m, t0, draw */
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
  free(k->Md);
  free(k->x); free(k->g); free(k->Jx); free(k->d); free(k->Jd);
  free(k->z); free(k->zold); free(k->gold); free(k->kappa); free(k->tmp);
  free(k->part); free(k->xb); free(k->fv); free(k->part16); free(k->x16);
  free(k->V); free(k->W);
  free(k);
  *w = NULL;
}


/* Guard vectors: Ritz pairs computed beyond the nlow wanted, so the wanted ones
 * are not at the edge of the subspace (where convergence is slowest). */
static size_t kh_guard(size_t k) {
  size_t g = k / 4;
  return g < 8 ? 8 : g > 64 ? 64 : g;
}

int gv_khgps_work_alloc(gv_khgps_work **out, size_t n, size_t nlow) {
  int status = GV_OK;
  gv_khgps_work *w = NULL;
  if (!out || n < 2) return GV_ERROR(GV_EINVAL, "khgps workspace: need n >= 2");
  if (n > 200000) return GV_ERROR(GV_EINVAL, "khgps workspace: n = %zu is beyond dense storage", n);
  GV_ALLOC(w, 1);
  w->n = n;
  w->nlow = nlow >= n ? 0 : nlow;
  /* Not marked for transparent huge pages: with the THP defrag policy "madvise"
   * (Debian's default) a marked region is compacted synchronously; at n = 4000 the
   * first run after an idle spell took 0.35-0.39 s instead of 0.31-0.33 s, for a
   * gain of <= 0.02 s on warm runs and none measurable on ensembles. */
  w->A = malloc(n * n * sizeof *w->A);
  if (!w->A) {
    status = GV_ERROR(GV_ENOMEM, "khgps: cannot allocate the %zu x %zu float matrix (%.2f GB)", n, n,
                      4.0 * (double)n * (double)n / 1e9);
    goto cleanup;
  }
  GV_ALLOC(w->x, n); GV_ALLOC(w->g, n); GV_ALLOC(w->Jx, n); GV_ALLOC(w->d, n);
  GV_ALLOC(w->Jd, n); GV_ALLOC(w->z, n); GV_ALLOC(w->zold, n); GV_ALLOC(w->gold, n);
  GV_ALLOC(w->kappa, n); GV_ALLOC(w->tmp, n);
  const size_t np = KH_NCH_MAX * n * KH_MB, nxb = n * KH_MB;
  w->part = malloc(np * sizeof *w->part);
  if (!w->part) { status = GV_ERROR(GV_ENOMEM, "khgps: out of memory"); goto cleanup; }
  GV_ALLOC(w->xb, nxb);
  if (n >= KH_HALF_MIN_N) {
    const size_t np16 = KH_NCH_MAX * n;
    GV_ALLOC(w->part16, np16);
    GV_ALLOC(w->x16, n);
  }
  w->block = 1;
  if (w->nlow) {
    w->block = w->nlow < 32 ? 16 : 32;
    const size_t q = w->nlow + kh_guard(w->nlow);
    size_t m = 5 * q + 4 * w->block;
    if (m < q + 12 * w->block) m = q + 12 * w->block;
    m = (m + w->block - 1) / w->block * w->block;
    if (m > n) m = n / w->block * w->block;
    if (m < 2 * q || m < q + 2 * w->block) { /* too small for Krylov: use the dense path */
      w->nlow = 0;
      w->block = 1;
    } else {
      w->mmax = m;
      const size_t nm = n * m;
      w->V = malloc(nm * sizeof *w->V);
      w->W = malloc(nm * sizeof *w->W);
      if (!w->V || !w->W) { status = GV_ERROR(GV_ENOMEM, "khgps: out of memory"); goto cleanup; }
    }
  }
  const size_t nf = n * 2 * KH_SW;
  GV_ALLOC(w->fv, nf);
  if (!w->nlow) {
    w->Md = malloc(n * n * sizeof *w->Md);
    if (!w->Md) {
      status = GV_ERROR(GV_ENOMEM, "khgps: cannot allocate the %zu x %zu Hessian for all eigenvalues (%.2f GB); "
                        "use --nlow", n, n, 8.0 * (double)n * (double)n / 1e9);
      goto cleanup;
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

/* Box-Muller in plain double arithmetic (no libm calls), so a row's pairs
 * vectorise: ln u from u = 2^e m, m in [sqrt(1/2), sqrt(2)), ln m = 2 atanh(s),
 * s = (m - 1)/(m + 1), |s| <= 0.172 (odd series to s^21); cos, sin of 2 pi u from
 * the quadrant q = round(4u) and a = (4u - q) pi/2, |a| <= pi/4 (Taylor to a^19,
 * a^20; 4u - q is exact). Both are within ~2 ulp of libm, far below the float
 * rounding of J_ij that follows. */
KH_CLONES static void kh_box_muller(double *u, size_t npair, double sigma, double *y, float *z) {
#pragma omp simd
  for (size_t p = 0; p < npair; p++) {
    const double u1 = u[2 * p], u2 = u[2 * p + 1];
    /* ln u1 */
    uint64_t bits;
    memcpy(&bits, &u1, sizeof bits);
    double e = (double)(int32_t)(bits >> 52) - 1023.0;
    uint64_t mb = (bits & 0x000FFFFFFFFFFFFFULL) | 0x3FF0000000000000ULL;
    double m;
    memcpy(&m, &mb, sizeof m);
    const int big = m > 1.4142135623730951;
    m = big ? 0.5 * m : m;
    e = big ? e + 1.0 : e;
    const double f = m - 1.0, sv = f / (2.0 + f), zz = sv * sv;
    double t = 1.0 / 21;
    t = t * zz + 1.0 / 19; t = t * zz + 1.0 / 17; t = t * zz + 1.0 / 15; t = t * zz + 1.0 / 13;
    t = t * zz + 1.0 / 11; t = t * zz + 1.0 / 9; t = t * zz + 1.0 / 7; t = t * zz + 1.0 / 5;
    t = t * zz + 1.0 / 3;
    const double lnu = e * 6.93147180369123816490e-01 + (e * 1.90821492927058770002e-10 + (2.0 * sv + 2.0 * sv * zz * t));
    /* cos, sin of 2 pi u2 */
    const double t4 = 4.0 * u2, qd = (double)(int32_t)(t4 + 0.5), a = (t4 - qd) * 1.57079632679489661923, a2 = a * a;
    double sn = -1.0 / 121645100408832000.0;                       /* -1/19! */
    sn = sn * a2 + 1.0 / 355687428096000.0; sn = sn * a2 - 1.0 / 1307674368000.0;
    sn = sn * a2 + 1.0 / 6227020800.0; sn = sn * a2 - 1.0 / 39916800.0; sn = sn * a2 + 1.0 / 362880.0;
    sn = sn * a2 - 1.0 / 5040.0; sn = sn * a2 + 1.0 / 120.0; sn = sn * a2 - 1.0 / 6.0;
    sn = a + a * a2 * sn;
    double cs = 1.0 / 2432902008176640000.0;                       /* 1/20! */
    cs = cs * a2 - 1.0 / 6402373705728000.0; cs = cs * a2 + 1.0 / 20922789888000.0;
    cs = cs * a2 - 1.0 / 87178291200.0; cs = cs * a2 + 1.0 / 479001600.0; cs = cs * a2 - 1.0 / 3628800.0;
    cs = cs * a2 + 1.0 / 40320.0; cs = cs * a2 - 1.0 / 720.0; cs = cs * a2 + 1.0 / 24.0; cs = cs * a2 - 0.5;
    cs = 1.0 + a2 * cs;
    const int q = (int)qd & 3;
    const double c = q == 0 ? cs : q == 1 ? -sn : q == 2 ? -cs : sn;
    const double sgn = q == 0 ? sn : q == 1 ? cs : q == 2 ? -sn : -cs;
    u[2 * p] = c; /* u is consumed: it takes the (cos, sin) pair */
    u[2 * p + 1] = sgn;
    y[p] = -2.0 * lnu;
  }
  /* sqrt in its own loop: with errno semantics it would keep the loop above scalar */
  for (size_t p = 0; p < npair; p++) {
    const double rad = sigma * sqrt(y[p]);
    z[2 * p] = (float)(rad * u[2 * p]);
    z[2 * p + 1] = (float)(rad * u[2 * p + 1]);
  }
}

KH_CLONES static void kh_to_half(const float *z, size_t m, float scale, int16_t *h) {
#pragma omp simd
  for (size_t j = 0; j < m; j++) {
    float v = z[j] * scale;
    v = v > 32767.0f ? 32767.0f : v < -32767.0f ? -32767.0f : v;
    h[j] = (int16_t)(v + (v >= 0 ? 0.5f : -0.5f)); /* rounded to nearest */
  }
}

/* J in the strict lower triangle; with half_scale > 0 also row i of J, times
 * half_scale and rounded to int16, at the start of column i (float rows < i/2:
 * strictly upper). */
static void kh_couplings_fill(float *A, size_t n, double J, uint64_t seed, uint64_t sample, double half_scale) {
  const double sigma = J / sqrt((double)n);
#pragma omp parallel if (!omp_in_parallel() && n >= 512)
  {
    /* row i's numbers: block i of the stream; pair p = (u1, u2) = two
     * consecutive uniforms gives J_{i,2p} and J_{i,2p+1} */
    double *u = malloc((n + 2) * sizeof *u), *y = malloc((n / 2 + 1) * sizeof *y);
    float *z = malloc((n + 2) * sizeof *z);
#pragma omp for schedule(dynamic, 16)
    for (size_t i = 1; i < n; i++) {
      gv_rng r;
      gv_rng_init(&r, seed, sample, GV_RNG_KHGPS_COUPLING);
      gv_rng_seek(&r, (uint64_t)i, 0);
      const size_t npair = (i + 1) / 2;
      if (u && y && z) {
        for (size_t k = 0; k < 2 * npair; k++) u[k] = gv_rng_uniform(&r);
        kh_box_muller(u, npair, sigma, y, z);
        for (size_t j = 0; j < i; j++) A[i + j * n] = z[j];
        if (half_scale > 0) kh_to_half(z, i, (float)half_scale, (int16_t *)(void *)(A + i * n));
      } else { /* no scratch: the same numbers one pair at a time */
        for (size_t j = 0; j < i; j += 2) {
          double uu[2] = {gv_rng_uniform(&r), gv_rng_uniform(&r)}, yy;
          float zz[2];
          kh_box_muller(uu, 1, sigma, &yy, zz);
          A[i + j * n] = zz[0];
          if (j + 1 < i) A[i + (j + 1) * n] = zz[1];
          if (half_scale > 0) kh_to_half(zz, j + 1 < i ? 2 : 1, (float)half_scale, (int16_t *)(void *)(A + i * n) + j);
        }
      }
    }
    free(u);
    free(y);
    free(z);
  }
}

void gv_khgps_couplings_fill(float *A, size_t n, double J, uint64_t seed, uint64_t sample) {
  kh_couplings_fill(A, n, J, seed, sample, 0.0);
}

/* ------------------------------------------------------------ J x */
/* Chunk c owns columns [b[c], b[c+1]) of the strict lower triangle, chosen so the
 * chunks hold equal numbers of entries; column j area before it: j(n-1) - j(j-1)/2. */
static size_t kh_chunks(size_t n, size_t *b) {
  size_t nch = n / 256;
  if (nch < 1) nch = 1;
  if (nch > KH_NCH_MAX) nch = KH_NCH_MAX;
  const double tot = 0.5 * (double)n * (double)(n - 1), nn = (double)n - 0.5;
  b[0] = 0;
  for (size_t c = 1; c < nch; c++) {
    double t = tot * (double)c / (double)nch, disc = nn * nn - 2.0 * t;
    size_t j = (size_t)(nn - sqrt(disc > 0 ? disc : 0)) & ~(size_t)3;
    if (j < b[c - 1]) j = b[c - 1];
    if (j > n) j = n;
    b[c] = j;
  }
  b[nch] = n;
  return nch;
}

/* One chunk, one pass over its columns (the symmetric product reads each stored
 * entry once): rows i > j get a_ij x_j (axpy into the chunk's partial p), row j
 * gets sum_i a_ij x_i (dot). Four columns at a time share the loads of p and x. */
KH_CLONES static void kh_chunk(const float *A, size_t n, size_t j0, size_t j1, const double *x, double *p) {
  for (size_t i = j0; i < n; i++) p[i] = 0;
  size_t j = j0;
  for (; j + 4 <= j1; j += 4) {
    const float *c0 = A + j * n, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
    const double x0 = x[j], x1 = x[j + 1], x2 = x[j + 2], x3 = x[j + 3];
    double s0 = 0, s1 = 0, s2 = 0;
    for (size_t i = j + 1; i < j + 4; i++) { double a = c0[i]; p[i] += a * x0; s0 += a * x[i]; }
    for (size_t i = j + 2; i < j + 4; i++) { double a = c1[i]; p[i] += a * x1; s1 += a * x[i]; }
    { double a = c2[j + 3]; p[j + 3] += a * x2; s2 += a * x[j + 3]; }
    double t0 = 0, t1 = 0, t2 = 0, t3 = 0;
#pragma omp simd reduction(+ : t0, t1, t2, t3)
    for (size_t i = j + 4; i < n; i++) {
      const double a0 = c0[i], a1 = c1[i], a2 = c2[i], a3 = c3[i], xi = x[i];
      p[i] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
      t0 += a0 * xi;
      t1 += a1 * xi;
      t2 += a2 * xi;
      t3 += a3 * xi;
    }
    p[j] += s0 + t0;
    p[j + 1] += s1 + t1;
    p[j + 2] += s2 + t2;
    p[j + 3] += t3;
  }
  for (; j < j1; j++) {
    const float *c0 = A + j * n;
    const double x0 = x[j];
    double t0 = 0;
#pragma omp simd reduction(+ : t0)
    for (size_t i = j + 1; i < n; i++) {
      const double a0 = c0[i];
      p[i] += a0 * x0;
      t0 += a0 * x[i];
    }
    p[j] += t0;
  }
}

/* y = J x (defined after kh_apply_team, which does the work) */
static void kh_apply(const float *A, size_t n, const double *x, double *y, double *part);

/* The 16-bit copy J16 (upper columns: column i holds round(J_{i,j<i} s) as int16,
 * s = KH_HALF_ONE sqrt(n)/J, i.e. steps of sigma/4096): y = J16 x / s in float
 * arithmetic. Reads n^2 bytes instead of 2 n^2: at n = 4000 the 16 MB fit the L3
 * cache, the 32 MB float triangle does not (measured 0.41 vs 1.0 ms per product,
 * 2 threads). Used only by the first CG phase (kh_apply16_team). Same one-pass
 * symmetric scheme as kh_chunk on columns i in [i0, i1): rows j < i get
 * a_ji x_i, row i gets sum_j a_ji x_j. */
KH_CLONES static void kh_chunk16(const float *A, size_t n, size_t i0, size_t i1, const float *x, float *p) {
  for (size_t j = 0; j < i1; j++) p[j] = 0;
  size_t i = i0;
  for (; i + 4 <= i1; i += 4) {
    const int16_t *c0 = (const int16_t *)(const void *)(A + i * n), *c1 = (const int16_t *)(const void *)(A + (i + 1) * n),
                   *c2 = (const int16_t *)(const void *)(A + (i + 2) * n), *c3 = (const int16_t *)(const void *)(A + (i + 3) * n);
    const float x0 = x[i], x1 = x[i + 1], x2 = x[i + 2], x3 = x[i + 3];
    float t0 = 0, t1 = 0, t2 = 0, t3 = 0;
#pragma omp simd reduction(+ : t0, t1, t2, t3)
    for (size_t j = 0; j < i; j++) {
      const float a0 = c0[j], a1 = c1[j], a2 = c2[j], a3 = c3[j], xj = x[j];
      p[j] += a0 * x0 + a1 * x1 + a2 * x2 + a3 * x3;
      t0 += a0 * xj;
      t1 += a1 * xj;
      t2 += a2 * xj;
      t3 += a3 * xj;
    }
    /* the group's own corner: column i+k, rows i .. i+k-1 */
    { const float a = c1[i]; p[i] += a * x1; t1 += a * x[i]; }
    { const float a = c2[i], b = c2[i + 1]; p[i] += a * x2; p[i + 1] += b * x2; t2 += a * x[i] + b * x[i + 1]; }
    { const float a = c3[i], b = c3[i + 1], c = c3[i + 2];
      p[i] += a * x3; p[i + 1] += b * x3; p[i + 2] += c * x3; t3 += a * x[i] + b * x[i + 1] + c * x[i + 2]; }
    p[i] += t0;
    p[i + 1] += t1;
    p[i + 2] += t2;
    p[i + 3] += t3;
  }
  for (; i < i1; i++) {
    const int16_t *c0 = (const int16_t *)(const void *)(A + i * n);
    const float x0 = x[i];
    float t0 = 0;
#pragma omp simd reduction(+ : t0)
    for (size_t j = 0; j < i; j++) {
      const float a0 = c0[j];
      p[j] += a0 * x0;
      t0 += a0 * x[j];
    }
    p[i] += t0;
  }
}

int gv_khgps_couplings_apply(const float *A, size_t n, const double *x, double *y) {
  double *part = NULL;
  int status = GV_OK;
  const size_t np = KH_NCH_MAX * n;
  GV_ALLOC(part, np);
  kh_apply(A, n, x, y, part);
cleanup:
  free(part);
  return status;
}

/* Z = J Y for m vectors (n x m, leading dimension n), KH_MB vectors per pass
 * over J: the same one-pass symmetric scheme as kh_chunk with the KH_MB vectors
 * interleaved row by row (X[i KH_MB + c]), so each float a_ij read from memory
 * feeds 2 KH_MB double FMAs (a SIMD row each). Compute-bound (~2 n^2 KH_MB flops per
 * pass) instead of tiles converted to double for dgemm. Same fixed column chunks
 * and summation order as kh_apply: bitwise independent of the thread count. */
KH_CLONES static void kh_chunk_mv(const float *A, size_t n, size_t j0, size_t j1, const double *X, double *P) {
  for (size_t i = j0 * KH_MB; i < n * KH_MB; i++) P[i] = 0;
  size_t j = j0;
  /* four columns at a time: four independent dot accumulators per row (one
   * accumulator per column is a chain of FMA latencies: the 2-column version
   * ran at 4.5 ms per 8-vector pass at n = 4000, 2 threads) */
  for (; j + 4 <= j1; j += 4) {
    const float *c0 = A + j * n, *c1 = c0 + n, *c2 = c1 + n, *c3 = c2 + n;
    double x0[KH_MB], x1[KH_MB], x2[KH_MB], x3[KH_MB], t0[KH_MB], t1[KH_MB], t2[KH_MB], t3[KH_MB];
    for (int c = 0; c < KH_MB; c++) {
      x0[c] = X[j * KH_MB + c];
      x1[c] = X[(j + 1) * KH_MB + c];
      x2[c] = X[(j + 2) * KH_MB + c];
      x3[c] = X[(j + 3) * KH_MB + c];
      t0[c] = t1[c] = t2[c] = t3[c] = 0;
    }
    /* the group's own corner: row r in (j, j+4) against the columns j .. r-1 */
    for (size_t r = j + 1; r < j + 4; r++) {
      const double *xr = X + r * KH_MB;
      double *pr = P + r * KH_MB;
      const double a0 = c0[r];
      for (int c = 0; c < KH_MB; c++) { pr[c] += a0 * x0[c]; t0[c] += a0 * xr[c]; }
      if (r > j + 1) {
        const double a1 = c1[r];
        for (int c = 0; c < KH_MB; c++) { pr[c] += a1 * x1[c]; t1[c] += a1 * xr[c]; }
      }
      if (r > j + 2) {
        const double a2 = c2[r];
        for (int c = 0; c < KH_MB; c++) { pr[c] += a2 * x2[c]; t2[c] += a2 * xr[c]; }
      }
    }
    for (size_t i = j + 4; i < n; i++) {
      const double a0 = c0[i], a1 = c1[i], a2 = c2[i], a3 = c3[i];
      double *pi = P + i * KH_MB;
      const double *xi = X + i * KH_MB;
#pragma omp simd
      for (int c = 0; c < KH_MB; c++) {
        pi[c] += a0 * x0[c] + a1 * x1[c] + a2 * x2[c] + a3 * x3[c];
        t0[c] += a0 * xi[c];
        t1[c] += a1 * xi[c];
        t2[c] += a2 * xi[c];
        t3[c] += a3 * xi[c];
      }
    }
    for (int c = 0; c < KH_MB; c++) {
      P[j * KH_MB + c] += t0[c];
      P[(j + 1) * KH_MB + c] += t1[c];
      P[(j + 2) * KH_MB + c] += t2[c];
      P[(j + 3) * KH_MB + c] += t3[c];
    }
  }
  for (; j < j1; j++) {
    const float *c0 = A + j * n;
    double x0[KH_MB], t0[KH_MB];
    for (int c = 0; c < KH_MB; c++) { x0[c] = X[j * KH_MB + c]; t0[c] = 0; }
    for (size_t i = j + 1; i < n; i++) {
      const double a0 = c0[i];
      double *pi = P + i * KH_MB;
      const double *xi = X + i * KH_MB;
#pragma omp simd
      for (int c = 0; c < KH_MB; c++) {
        pi[c] += a0 * x0[c];
        t0[c] += a0 * xi[c];
      }
    }
    for (int c = 0; c < KH_MB; c++) P[j * KH_MB + c] += t0[c];
  }
}

/* Z = J Y (m columns, leading dimension n). part: KH_NCH_MAX * n * KH_MB doubles,
 * xb: n * KH_MB doubles of scratch. */
static void kh_block_apply(const float *A, size_t n, const double *Y, size_t m, double *Z, double *part,
                           double *xb) {
  size_t b[KH_NCH_MAX + 1];
  const size_t nch = kh_chunks(n, b);
  for (size_t c0 = 0; c0 < m; c0 += KH_MB) {
    const size_t mc = c0 + KH_MB <= m ? KH_MB : m - c0;
#pragma omp parallel if (!omp_in_parallel() && n >= 512)
    {
#pragma omp for schedule(static)
      for (size_t i = 0; i < n; i++)
        for (size_t c = 0; c < KH_MB; c++) xb[i * KH_MB + c] = c < mc ? Y[i + (c0 + c) * n] : 0.0;
#pragma omp for schedule(dynamic, 1)
      for (size_t c = 0; c < nch; c++) kh_chunk_mv(A, n, b[c], b[c + 1], xb, part + c * n * KH_MB);
#pragma omp for schedule(static)
      for (size_t i = 0; i < n; i++) {
        double s[KH_MB] = {0};
        for (size_t c = 0; c < nch && b[c] <= i; c++)
          for (size_t v = 0; v < KH_MB; v++) s[v] += part[(c * n + i) * KH_MB + v];
        for (size_t v = 0; v < mc; v++) Z[i + (c0 + v) * n] = s[v];
      }
    }
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

void gv_khgps_hessian_dense(const float *A, size_t n, const double *kappa, const double *x,
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

/* Barrier of a team inside one of this file's parallel regions (sense-reversing):
 * spins up to ~0.1 ms (a diagonal block of a solve takes ~20-40 us), then yields
 * the core (a loaded machine). A solve at n = 4000 has 64 barriers a few us apart;
 * with OMP_WAIT_POLICY=passive GOMP's barrier sleeps on a futex every time
 * (measured 3.4 ms per 16-vector solve instead of 2.5 ms). */
typedef struct {
  int count, sense;
} kh_barrier_t;
static void kh_barrier(kh_barrier_t *b, int nt, int *local_sense) {
  if (nt < 2) return;
  const int s = !*local_sense;
  *local_sense = s;
  if (__atomic_add_fetch(&b->count, 1, __ATOMIC_ACQ_REL) == nt) {
    __atomic_store_n(&b->count, 0, __ATOMIC_RELAXED);
    __atomic_store_n(&b->sense, s, __ATOMIC_RELEASE);
    return;
  }
  for (long spin = 0; __atomic_load_n(&b->sense, __ATOMIC_ACQUIRE) != s; spin++) {
    if (spin < 3000) { /* ~3000 pauses: 0.05-0.1 ms */
#if defined(__x86_64__) || defined(__i386__)
      __builtin_ia32_pause();
#endif
    } else {
      sched_yield();
    }
  }
}

/* Blocked right-looking Cholesky A = U^T U of the upper triangle (float,
 * column-major, leading dimension n; the strict lower triangle is NOT touched:
 * it holds J). Per block row k: spotrf of the diagonal block, then strsm of the
 * row panel and the trailing update (ssyrk on diagonal blocks, sgemm above them),
 * both split over OpenMP threads by column blocks, single-threaded BLAS inside.
 * Same flops as spotrf (n^3/3); returns spotrf's info (> 0: not positive definite). */
#define KH_CHOL_NB 256
static lapack_int kh_spotrf(float *A, size_t n) {
  const int N = (int)n;
  const size_t nb = KH_CHOL_NB;
  const float one = 1.0f, mone = -1.0f;
  lapack_int result = 0; /* written by thread 0 before a barrier */
  kh_barrier_t bar = {0, 0};
  /* one parallel region for all block steps (a region per step was 16 fork/joins
   * at n = 4000; inside an enclosing one-thread region, as in the ensemble engine,
   * every nested region also starts a new thread) */
#pragma omp parallel if (!omp_in_parallel() && n >= 1024)
  {
    const int nt = omp_get_num_threads(), tid = omp_get_thread_num();
    int sense = 0;
    for (size_t k0 = 0; k0 < n; k0 += nb) {
      const size_t k1 = k0 + nb < n ? k0 + nb : n;
      const int kb = (int)(k1 - k0);
      if (tid == 0) {
        int info = 0;
        spotrf_("U", &kb, A + k0 + k0 * n, &N, &info, 1);
        if (info) result = info > 0 ? (lapack_int)(info + (int)k0) : (lapack_int)info;
      }
      kh_barrier(&bar, nt, &sense);
      if (result || k1 == n) break;
      const size_t ncb = (n - k1 + nb - 1) / nb;
#pragma omp for schedule(static) nowait
      for (size_t jb = 0; jb < ncb; jb++) {
        const size_t j0 = k1 + jb * nb, j1 = j0 + nb < n ? j0 + nb : n;
        const int jn = (int)(j1 - j0);
        strsm_("L", "U", "T", "N", &kb, &jn, &one, A + k0 + k0 * n, &N, A + k0 + j0 * n, &N, 1, 1, 1, 1);
      }
      kh_barrier(&bar, nt, &sense);
#pragma omp for schedule(dynamic, 1) nowait
      for (size_t r = 0; r < ncb; r++) { /* largest updates first */
        const size_t jb = ncb - 1 - r, j0 = k1 + jb * nb, j1 = j0 + nb < n ? j0 + nb : n;
        const int jn = (int)(j1 - j0), mi = (int)(j0 - k1);
        if (mi > 0)
          sgemm_("T", "N", &mi, &jn, &kb, &mone, A + k0 + k1 * n, &N, A + k0 + j0 * n, &N, &one, A + k1 + j0 * n, &N,
                 1, 1);
        ssyrk_("U", "T", &jn, &kb, &mone, A + k0 + j0 * n, &N, &one, A + j0 + j0 * n, &N, 1, 1);
      }
      kh_barrier(&bar, nt, &sense);
    }
  }
  return result;
}

/* M_f: J mirrored into the upper triangle (64 x 64 tiles: the transpose stays in
 * L1), diagonal kappa + x^2/2, then the float Cholesky factor in place. Returns
 * spotrf's info (> 0: M_f not positive definite). */
static lapack_int kh_factor(gv_khgps_work *w) {
  const size_t n = w->n, t = 64, nt = (n + t - 1) / t;
  float *A = w->A;
  const double *kappa = w->kappa, *x = w->x;
#pragma omp parallel for schedule(dynamic, 1) if (!omp_in_parallel() && n >= 512)
  for (size_t jb = 0; jb < nt; jb++) {
    size_t j0 = jb * t, j1 = j0 + t < n ? j0 + t : n;
    for (size_t ib = 0; ib <= jb; ib++) {
      size_t i0 = ib * t, i1 = i0 + t < n ? i0 + t : n;
      for (size_t j = j0; j < j1; j++)
        for (size_t i = i0; i < i1 && i < j; i++) A[i + j * n] = A[j + i * n];
    }
    for (size_t j = j0; j < j1; j++) A[j + j * n] = (float)(kappa[j] + 0.5 * x[j] * x[j]);
  }
  return kh_spotrf(A, n);
}

/* Triangular solves with the float factor, M_f X = U^T U X = B, for KH_SW or
 * 2 KH_SW right-hand sides stored row by row (Y[i W + r], W = KH_SW nv): each
 * row is one or two SIMD vectors, so every factor entry read feeds W FMAs.
 * Forward U^T y = b left-looking by blocks of KH_SOLVE_NB columns (columns split
 * over the threads: y_j -= U(0:j0, j)^T Y(0:j0), contiguous column segments),
 * then the diagonal block by one thread; backward U x = y right-looking (the
 * diagonal block by one thread, then rows 0:j0 split over the threads). The
 * factor is read once per solve in all (spotrs with the right-hand sides split
 * over the threads read it once per thread, and OpenBLAS repacks it in every
 * call: measured 5.5 ms per 16-vector solve at n = 4000 against ~2 ms here).
 * Every y_j is summed in a fixed order (i ascending) whatever the thread split:
 * bitwise independent of the thread count. */
#define KH_SOLVE_NB 256
typedef float kh_v16 __attribute__((vector_size(64)));
typedef float kh_v16u __attribute__((vector_size(64), aligned(4), may_alias));
#define kh_vld(p) (*(const kh_v16u *)(const void *)(p))
#define kh_vst(p, v) (*(kh_v16u *)(void *)(p) = (v))

/* Y_j -= sum_{i < i1} U_ij Y_i for the columns j in [ja, jb); 8/nv columns at a time */
static inline __attribute__((always_inline)) void kh_fwd_cols_(const float *U, size_t n, size_t i1, size_t ja,
                                                               size_t jb, float *Y, const int nv) {
  const size_t W = (size_t)KH_SW * (size_t)nv;
  const int G = 8 / nv;
  size_t j = ja;
  for (; j + (size_t)G <= jb; j += (size_t)G) {
    kh_v16 a[8] = {0};
    const float *u = U + j * n;
    for (size_t i = 0; i < i1; i++) {
      const float *y = Y + i * W;
      for (int v = 0; v < nv; v++) {
        const kh_v16 yv = kh_vld(y + KH_SW * v);
        for (int c = 0; c < G; c++) a[c * nv + v] += u[i + (size_t)c * n] * yv;
      }
    }
    for (int c = 0; c < G; c++)
      for (int v = 0; v < nv; v++) {
        float *t = Y + (j + (size_t)c) * W + KH_SW * v;
        kh_vst(t, kh_vld(t) - a[c * nv + v]);
      }
  }
  for (; j < jb; j++) {
    kh_v16 a[2] = {0};
    const float *u = U + j * n;
    for (size_t i = 0; i < i1; i++)
      for (int v = 0; v < nv; v++) a[v] += u[i] * kh_vld(Y + i * W + KH_SW * v);
    for (int v = 0; v < nv; v++) {
      float *t = Y + j * W + KH_SW * v;
      kh_vst(t, kh_vld(t) - a[v]);
    }
  }
}

/* Y_i -= sum_{j in [j0, j1)} U_ij Y_j for the rows i in [ia, ib); 8/nv columns at a time */
static inline __attribute__((always_inline)) void kh_bwd_rows_(const float *U, size_t n, size_t j0, size_t j1,
                                                               size_t ia, size_t ib, float *Y, const int nv) {
  const size_t W = (size_t)KH_SW * (size_t)nv;
  const int G = 8 / nv;
  size_t j = j0;
  for (; j + (size_t)G <= j1; j += (size_t)G) {
    kh_v16 x[8];
    const float *u = U + j * n;
    for (int c = 0; c < G; c++)
      for (int v = 0; v < nv; v++) x[c * nv + v] = kh_vld(Y + (j + (size_t)c) * W + KH_SW * v);
    for (size_t i = ia; i < ib; i++)
      for (int v = 0; v < nv; v++) {
        float *t = Y + i * W + KH_SW * v;
        kh_v16 y = kh_vld(t);
        for (int c = 0; c < G; c++) y -= u[i + (size_t)c * n] * x[c * nv + v];
        kh_vst(t, y);
      }
  }
  for (; j < j1; j++) {
    const float *u = U + j * n;
    for (int v = 0; v < nv; v++) {
      const kh_v16 xv = kh_vld(Y + j * W + KH_SW * v);
      for (size_t i = ia; i < ib; i++) {
        float *t = Y + i * W + KH_SW * v;
        kh_vst(t, kh_vld(t) - u[i] * xv);
      }
    }
  }
}

/* diagonal blocks: forward y_j = (y_j - sum_{j0 <= i < j} U_ij y_i) / U_jj, j ascending;
 * backward x_j = y_j / U_jj, then y_i -= U_ij x_j (j0 <= i < j), j descending */
static inline __attribute__((always_inline)) void kh_diag_(const float *U, size_t n, size_t j0, size_t j1, float *Y,
                                                           const int nv, int backward) {
  const size_t W = (size_t)KH_SW * (size_t)nv;
  if (!backward) {
    for (size_t j = j0; j < j1; j++) {
      const float *u = U + j * n;
      for (int v = 0; v < nv; v++) { /* four partial sums: the FMA latency, not a chain */
        kh_v16 a0 = {0}, a1 = {0}, a2 = {0}, a3 = {0};
        size_t i = j0;
        for (; i + 4 <= j; i += 4) {
          a0 += u[i] * kh_vld(Y + i * W + KH_SW * v);
          a1 += u[i + 1] * kh_vld(Y + (i + 1) * W + KH_SW * v);
          a2 += u[i + 2] * kh_vld(Y + (i + 2) * W + KH_SW * v);
          a3 += u[i + 3] * kh_vld(Y + (i + 3) * W + KH_SW * v);
        }
        for (; i < j; i++) a0 += u[i] * kh_vld(Y + i * W + KH_SW * v);
        float *t = Y + j * W + KH_SW * v;
        kh_vst(t, (kh_vld(t) - ((a0 + a1) + (a2 + a3))) / u[j]);
      }
    }
  } else {
    for (size_t j = j1; j-- > j0;) {
      const float *u = U + j * n;
      for (int v = 0; v < nv; v++) {
        float *t = Y + j * W + KH_SW * v;
        const kh_v16 xv = kh_vld(t) / u[j];
        kh_vst(t, xv);
        for (size_t i = j0; i < j; i++) {
          float *s = Y + i * W + KH_SW * v;
          kh_vst(s, kh_vld(s) - u[i] * xv);
        }
      }
    }
  }
}

KH_CLONES static void kh_fwd_cols(const float *U, size_t n, size_t i1, size_t ja, size_t jb, float *Y, int nv) {
  if (nv == 1) kh_fwd_cols_(U, n, i1, ja, jb, Y, 1);
  else kh_fwd_cols_(U, n, i1, ja, jb, Y, 2);
}
KH_CLONES static void kh_bwd_rows(const float *U, size_t n, size_t j0, size_t j1, size_t ia, size_t ib, float *Y,
                                  int nv) {
  if (nv == 1) kh_bwd_rows_(U, n, j0, j1, ia, ib, Y, 1);
  else kh_bwd_rows_(U, n, j0, j1, ia, ib, Y, 2);
}
KH_CLONES static void kh_diag(const float *U, size_t n, size_t j0, size_t j1, float *Y, int nv, int backward) {
  if (nv == 1) kh_diag_(U, n, j0, j1, Y, 1, backward);
  else kh_diag_(U, n, j0, j1, Y, 2, backward);
}

/* out = M_f^-1 in for mc <= KH_SW nv columns (n x mc, leading dimension n; may
 * alias), through the float rows Y (W = KH_SW nv floats each; the factor in U's
 * upper triangle). One parallel region: rows converted by all threads, then the
 * two sweeps. */
static void kh_usolve(const float *U, size_t n, float *Y, int nv, const double *in, double *out, size_t mc) {
  const size_t nb = KH_SOLVE_NB, nblk = (n + nb - 1) / nb, W = (size_t)KH_SW * (size_t)nv;
  kh_barrier_t bar = {0, 0};
#pragma omp parallel if (!omp_in_parallel() && n >= 1024)
  {
    const int nti = omp_get_num_threads();
    const size_t nt = (size_t)nti, t = (size_t)omp_get_thread_num();
    const size_t r0 = n * t / nt, r1 = n * (t + 1) / nt;
    int sense = 0;
    for (size_t i = r0; i < r1; i++)
      for (size_t r = 0; r < W; r++) Y[i * W + r] = r < mc ? (float)in[i + r * n] : 0.0f;
    kh_barrier(&bar, nti, &sense);
    for (size_t K = 0; K < nblk; K++) {
      const size_t j0 = K * nb, j1 = j0 + nb < n ? j0 + nb : n;
      if (j0 > 0) {
        const size_t ja = j0 + (j1 - j0) * t / nt, jb = j0 + (j1 - j0) * (t + 1) / nt;
        kh_fwd_cols(U, n, j0, ja, jb, Y, nv);
        kh_barrier(&bar, nti, &sense);
      }
      if (t == 0) kh_diag(U, n, j0, j1, Y, nv, 0);
      kh_barrier(&bar, nti, &sense);
    }
    for (size_t K = nblk; K-- > 0;) {
      const size_t j0 = K * nb, j1 = j0 + nb < n ? j0 + nb : n;
      if (t == 0) kh_diag(U, n, j0, j1, Y, nv, 1);
      kh_barrier(&bar, nti, &sense);
      if (j0 > 0) {
        const size_t ia = j0 * t / nt, ib = j0 * (t + 1) / nt;
        kh_bwd_rows(U, n, j0, j1, ia, ib, Y, nv);
        kh_barrier(&bar, nti, &sense);
      }
    }
    for (size_t r = 0; r < mc; r++)
      for (size_t i = r0; i < r1; i++) out[i + r * n] = Y[i * W + r];
  }
}

/* out = M_f^-1 in for m vectors (n x m, leading dimension n; may alias), up to
 * 2 KH_SW at a time through float rows (w->fv). */
static int kh_fsolve(gv_khgps_work *w, const double *in, double *out, size_t m) {
  const size_t n = w->n;
  const size_t wmax = 2 * KH_SW;
  for (size_t c0 = 0; c0 < m; c0 += wmax) {
    const size_t mc = c0 + wmax < m ? wmax : m - c0;
    kh_usolve(w->A, n, w->fv, mc > KH_SW ? 2 : 1, in + c0 * n, out + c0 * n, mc);
  }
  return GV_OK;
}

/* ------------------------------------------------------------ minimiser */
/* Expected max-norm of the gradient error (J - J16) x of the 16-bit copy at the
 * current x: entries rounded to sigma/KH_HALF_ONE, uniform errors of variance
 * (sigma/KH_HALF_ONE)^2/12, so (J - J16) x has components of rms
 * J rms(x) / (KH_HALF_ONE sqrt(12)); their maximum over n ~ sqrt(2 ln n) rms.
 * Measured at n = 4000 (J = 0.1, h = 0.01): 3.6e-6 for 3.9e-6 predicted. Below it
 * the 16-bit phase no longer lowers the true gradient. */
static double kh_half_floor(const gv_khgps_work *w, const gv_khgps_params *p) {
  const size_t n = w->n;
  double r2 = 0;
  for (size_t i = 0; i < n; i++) r2 += w->x[i] * w->x[i];
  return p->J * sqrt(r2 / (double)n * log((double)n) / 6.0) / KH_HALF_ONE;
}

/* Team versions of the J x kernels (float: kh_chunk; 16-bit copy: kh_chunk16),
 * called by every thread of a parallel region that stays open over the whole CG
 * loop (kh_apply opens a region for one product): chunk c by thread c mod nt into
 * its own partial, rows split for the sums in chunk order (bitwise independent of
 * the split), kh_barrier in between. One region per CG
 * run instead of one per product: with OMP_WAIT_POLICY=passive every region start,
 * implicit barrier and join is a futex wake-up (measured at n = 4000, 2 threads:
 * 0.63 ms per 16-bit product in its own region, 0.41 ms with spinning threads). */
static void kh_apply_team(const float *A, size_t n, const double *x, double *y, double *part, int tid, int nt,
                          kh_barrier_t *bar, int *sense) {
  size_t b[KH_NCH_MAX + 1];
  const size_t nch = kh_chunks(n, b);
  for (size_t c = (size_t)tid; c < nch; c += (size_t)nt) kh_chunk(A, n, b[c], b[c + 1], x, part + c * n);
  kh_barrier(bar, nt, sense);
  const size_t i0 = n * (size_t)tid / (size_t)nt, i1 = n * (size_t)(tid + 1) / (size_t)nt;
  for (size_t i = i0; i < i1; i++) {
    double s = 0;
    for (size_t c = 0; c < nch && b[c] <= i; c++) s += part[c * n + i];
    y[i] = s;
  }
  kh_barrier(bar, nt, sense);
}

/* y = J x; part: KH_NCH_MAX * n scratch. Each y_i = sum over chunks in chunk order,
 * so the result does not depend on which thread computed which chunk. */
static void kh_apply(const float *A, size_t n, const double *x, double *y, double *part) {
  kh_barrier_t bar = {0, 0};
#pragma omp parallel if (!omp_in_parallel() && n >= 512)
  {
    int sense = 0;
    kh_apply_team(A, n, x, y, part, omp_get_thread_num(), omp_get_num_threads(), &bar, &sense);
  }
}

/* y = J16 x / s (w->half_scale = s); chunks: kh_chunks' boundaries mirrored
 * (column i of the copy holds i entries) */
static void kh_apply16_team(gv_khgps_work *w, const double *x, double *y, int tid, int nt, kh_barrier_t *bar,
                            int *sense) {
  const size_t n = w->n;
  size_t b[KH_NCH_MAX + 1], bu[KH_NCH_MAX + 1];
  const size_t nch = kh_chunks(n, b);
  for (size_t c = 0; c <= nch; c++) bu[c] = n - b[nch - c];
  const double inv = 1.0 / w->half_scale;
  float *xf = w->x16, *part = w->part16;
  const size_t i0 = n * (size_t)tid / (size_t)nt, i1 = n * (size_t)(tid + 1) / (size_t)nt;
  for (size_t i = i0; i < i1; i++) xf[i] = (float)x[i];
  kh_barrier(bar, nt, sense);
  for (size_t c = (size_t)tid; c < nch; c += (size_t)nt) kh_chunk16(w->A, n, bu[c], bu[c + 1], xf, part + c * n);
  kh_barrier(bar, nt, sense);
  for (size_t i = i0; i < i1; i++) {
    double s = 0;
    for (size_t c = 0; c < nch; c++)
      if (bu[c + 1] > i) s += part[c * n + i];
    y[i] = s * inv;
  }
  kh_barrier(bar, nt, sense);
}

/* Nonlinear CG until max|g| <= target (half: on J16, until the 16-bit floor);
 * returns GV_OK, GV_NOT_CONVERGED (max_iter), GV_EINTERRUPTED or GV_ENUMERIC.
 * One parallel region: the products by the team, the O(n) vector steps by
 * thread 0 (the others wait at a kh_barrier; ~20 us at n = 4000). */
static int cg_run(gv_khgps_work *w, const gv_khgps_params *p, double target, long *iter, int half) {
  const size_t n = w->n;
  double *x = w->x, *g = w->g, *Jx = w->Jx, *d = w->d, *Jd = w->Jd, *z = w->z, *gold = w->gold,
         *zold = w->zold;
  const double *kappa = w->kappa;
  const double shift = p->J + 1e-3 * (p->kappa0 > 0 ? p->kappa0 : 1.0);
  /* Control flags, written by thread 0 before a barrier and read by all after it;
   * one flag per barrier, so a late reader never sees the next iteration's write. */
  int status = GV_OK, done_top = 0, done_mid = 0, refresh = 0;
  kh_barrier_t bar = {0, 0};
#pragma omp parallel if (!omp_in_parallel() && n >= 512)
  {
    const int tid = omp_get_thread_num(), nt = omp_get_num_threads();
    int sense = 0, restart = 1;
#define KH_PROD(v, Jv)                                                                                            \
  (half ? kh_apply16_team(w, v, Jv, tid, nt, &bar, &sense)                                                       \
        : kh_apply_team(w->A, n, v, Jv, w->part, tid, nt, &bar, &sense))
    KH_PROD(x, Jx);
    if (tid == 0) {
      w->nmv++;
      gv_khgps_energy_grad(n, kappa, p->h, x, Jx, g);
    }
    for (long k = 0;; k++) {
      if (tid == 0) {
        if (max_abs(g, n) <= (half ? fmax(target, kh_half_floor(w, p)) : target)) done_top = 1;
        else if (*iter >= p->max_iter) status = GV_NOT_CONVERGED, done_top = 1;
        else if ((k & 63) == 63 && gv_interrupted())
          status = GV_ERROR(GV_EINTERRUPTED, "khgps: interrupted"), done_top = 1;
        else {
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
          }
        }
      }
      kh_barrier(&bar, nt, &sense);
      if (done_top) break;
      KH_PROD(d, Jd);
      if (tid == 0) {
        w->nmv++;
        double t = line_min(n, kappa, x, g, d, Jd);
        if (!isfinite(t)) {
          status = GV_ERROR(GV_ENUMERIC, "khgps: line search failed (iteration %ld)", *iter);
          done_mid = 1;
        } else {
          memcpy(gold, g, n * sizeof *g);
          memcpy(zold, z, n * sizeof *z);
          for (size_t i = 0; i < n; i++) {
            x[i] += t * d[i];
            Jx[i] += t * Jd[i];
          }
          (*iter)++;
          restart = ((*iter) % (long)(n < 50 ? n : 50) == 0);
          refresh = (*iter & 31) == 0; /* drop accumulated drift */
        }
      }
      kh_barrier(&bar, nt, &sense);
      if (done_mid) break;
      if (refresh) KH_PROD(x, Jx);
      if (tid == 0) {
        if (refresh) w->nmv++;
        gv_khgps_energy_grad(n, kappa, p->h, x, Jx, g);
      }
    }
#undef KH_PROD
  }
  return status;
}

/* ------------------------------------------------------------ eigen */
/* Orthonormal basis of the b columns of Q (Householder QR); tau: b doubles. */
static int orthonormalise(double *Q, size_t n, size_t b, double *tau) {
  lapack_int info = LAPACKE_dgeqrf(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)b, Q, (lapack_int)n, tau);
  if (info) return GV_ERROR(GV_ENUMERIC, "khgps: QR failed (info %d)", (int)info);
  info = LAPACKE_dorgqr(LAPACK_COL_MAJOR, (lapack_int)n, (lapack_int)b, (lapack_int)b, Q, (lapack_int)n, tau);
  if (info) return GV_ERROR(GV_ENUMERIC, "khgps: QR failed (info %d)", (int)info);
  return GV_OK;
}

/* Krylov stage (float operator, rigorous bound min(r, r^2/gap) relative) and
 * exact stage (error estimate e of stage 2, relative) tolerances. The Krylov
 * stage runs to the final tolerance: the exact stage's estimate then comes out
 * at ~0.9 times the Krylov bound (n = 4000: 8.5e-9 -> 7.6e-9; 1.9e-7 -> 1.7e-7),
 * i.e. the error of the Ritz vectors is the Krylov space's, not the float
 * factor's, and one more block (~3 ms at n = 4000) is cheaper than a Davidson
 * step (a block product and a solve, ~10 ms). Up to 3 Davidson steps aim at
 * KH_RITZ_TOL (true errors measured 2-5x below e, i.e. <= ~5e-9; 1e-10-2e-9 in
 * the tests); above KH_RITZ_FAIL the sample reports GV_NOT_CONVERGED. */
#define KH_RITZ_TOL_F 1e-8
#define KH_RITZ_TOL 1e-8
#define KH_RITZ_FAIL 1e-6

/* Z (n x m) = M X with the double-precision Hessian at w->x. */
static int kh_hess_block(gv_khgps_work *w, const double *X, size_t m, double *Z) {
  const size_t n = w->n;
  kh_block_apply(w->A, n, X, m, Z, w->part, w->xb);
  w->nmv += (long)m;
  for (size_t c = 0; c < m; c++)
    for (size_t i = 0; i < n; i++) Z[i + c * n] += (w->kappa[i] + 0.5 * w->x[i] * w->x[i]) * X[i + c * n];
  return GV_OK;
}

/* Lowest k eigenvalues of M (float factor of M_f in A's upper triangle); *bound
 * gets the largest error bound. */
static int krylov_low(gv_khgps_work *w, uint64_t seed, uint64_t sample, double *eig, size_t k,
                      double *bound) {
  int status = GV_OK;
  const size_t n = w->n, b = w->block, mmax = w->mmax, q = k + kh_guard(k);
  double *V = w->V, *W = w->W, *H = NULL, *G = NULL, *Hs = NULL, *th = NULL, *Y = NULL, *Z = NULL, *C = NULL,
         *S = NULL, *tau = NULL, *gs = NULL;
  lapack_int *isuppz = NULL;
  size_t *fail = NULL;
  const size_t nH = mmax * mmax, nY = n * q, nC = mmax * (b > q ? b : q), nt = mmax;
  GV_ALLOC(H, nH);
  GV_ALLOC(G, nH);
  GV_ALLOC(Hs, nH);
  GV_ALLOC(th, mmax);
  GV_ALLOC(Y, nY);
  GV_ALLOC(Z, nY);
  GV_ALLOC(C, nC);
  GV_ALLOC(tau, nt);
  const size_t ngs = mmax * k;
  GV_ALLOC(gs, ngs);
  GV_ALLOC(fail, k);
  const size_t nS = mmax * (q + 1);
  GV_ALLOC(S, nS);
  GV_ALLOC(isuppz, 2 * (q + 1));
  if (2 * q > mmax) { status = GV_ERROR(GV_EINVAL, "khgps: Krylov space too small for %zu eigenvalues", k); goto cleanup; }
  gv_rng r;
  gv_rng_init(&r, seed, sample, GV_RNG_ANALYSIS);
  for (size_t i = 0; i < n * b; i++) V[i] = gv_rng_uniform(&r) - 0.5;
  GV_TRY(orthonormalise(V, n, b, tau));
  size_t m = 0;
  int converged = 0;
  double last = INFINITY; /* bound at the previous check: check every other block until it is < 1e-3 */
  /* ---- stage 1: block Krylov on M_f^-1 (float solves). H = V^T W and G = W^T W
   * (W = M_f^-1 V) grow by the new block's rows and columns (G: upper triangle;
   * leading dimension mmax); a Ritz pair (theta, s) of the symmetrised H then has
   * the residual norm |W s - theta V s|^2 = s^T G s - theta^2 (V orthonormal,
   * s^T H s = theta), so the checks need no n-long vectors; Y = V S once at the end.
   * (H is not exactly symmetric: M_f^-1 is applied in float.) */
  while (!converged) {
    if (gv_interrupted()) { status = GV_ERROR(GV_EINTERRUPTED, "khgps: interrupted"); goto cleanup; }
    GV_TRY(kh_fsolve(w, V + m * n, W + m * n, b));
    pgemm('T', m + b, b, n, 1.0, V, n, W + m * n, n, 0.0, H + m * mmax, mmax);
    if (m) pgemm('T', b, m, n, 1.0, V + m * n, n, W, n, 0.0, H + m, mmax);
    pgemm('T', m + b, b, n, 1.0, W, n, W + m * n, n, 0.0, G + m * mmax, mmax);
    m += b;
    if ((m >= q + b && ((m / b) % 2 == 0 || last < 1e-3)) || m + b > mmax) {
      /* the top q + 1 Ritz pairs of M_f^-1 on span(V) (dsyevr, range 'I'): th[0] gives the gap below */
      for (size_t j = 0; j < m; j++) /* symmetrised: then s^T H s = theta exactly */
        for (size_t i = 0; i <= j; i++) Hs[i + j * m] = 0.5 * (H[i + j * mmax] + H[j + i * mmax]);
      lapack_int mf = 0;
      lapack_int info = LAPACKE_dsyevr(LAPACK_COL_MAJOR, 'V', 'I', 'U', (lapack_int)m, Hs, (lapack_int)m, 0.0, 0.0,
                                       (lapack_int)(m - q), (lapack_int)m, 0.0, &mf, th, S, (lapack_int)m, isuppz);
      if (info || mf != (lapack_int)(q + 1)) {
        status = GV_ERROR(GV_ENUMERIC, "khgps: Ritz problem failed (%d)", (int)info);
        goto cleanup;
      }
      /* error bound min(r, r^2/gap) of the k wanted (largest) Ritz values;
       * G's lower triangle from its upper one, then G S for the wanted columns */
      for (size_t j = 0; j < m; j++)
        for (size_t i = 0; i < j; i++) G[j + i * mmax] = G[i + j * mmax];
      gemm('N', 'N', m, k, m, 1.0, G, mmax, S + (1 + q - k) * m, m, 0.0, gs, m);
      double worst = 0;
      for (size_t c = q - k; c < q; c++) {
        const double t = th[1 + c], *sc = S + (1 + c) * m, *gc = gs + (c - (q - k)) * m;
        double sgs = 0;
        for (size_t i = 0; i < m; i++) sgs += sc[i] * gc[i];
        const double res = sqrt(fmax(sgs - t * t, 0.0));
        double gap = t - th[c];
        if (c + 1 < q) gap = fmin(gap, th[c + 2] - t);
        double errb = fmin(res, gap > 0 ? res * res / gap : res);
        if (errb / fabs(t) > worst) worst = errb / fabs(t);
      }
      converged = worst <= KH_RITZ_TOL_F;
      last = worst;
      gv_log(GV_LOG_DEBUG, "khgps krylov m=%zu worst relative Ritz error bound %.3g", m, worst);
      if (converged || m + b > mmax) break;
    }
    /* next block: W_last orthogonalised against V (two passes; the first pass's
     * coefficients V^T W_last are H's last block columns), then QR */
    double *Vn = V + m * n;
    memcpy(Vn, W + (m - b) * n, n * b * sizeof *Vn);
    for (int pass = 0; pass < 2; pass++) {
      if (pass == 0)
        for (size_t j = 0; j < b; j++) memcpy(C + j * m, H + (m - b + j) * mmax, m * sizeof *C);
      else
        pgemm('T', m, b, n, 1.0, V, n, Vn, n, 0.0, C, m);
      pgemm('N', n, b, m, -1.0, V, n, C, m, 1.0, Vn, n);
    }
    GV_TRY(orthonormalise(Vn, n, b, tau));
  }
  pgemm('N', n, q, m, 1.0, V, n, S + m, m, 0.0, Y, n);
  w->tp[3] = kh_cpu();
  /* ---- stage 2: exact Rayleigh-Ritz with the double-precision M on the q Ritz
   * vectors (columns of Y in ascending lambda order are Y[q-1], ..., Y[0]). For a
   * Ritz pair (theta, y) with residual r = M y - theta y, orthogonal to the other
   * Ritz vectors, theta - lambda = sum_j |r_j|^2 / (lambda_j - theta) + O(r^4), the
   * sum over eigenpairs j outside the subspace, i.e. above the guard Ritz values.
   * Estimate: e = (r^T M_f^-1 r) theta_q / (theta_q - theta) (theta_q: the largest
   * Ritz value kept; the factor covers modes just above it, where 1/lambda_j
   * underestimates 1/(lambda_j - theta)). Measured against dsyevd (N = 1000-3000)
   * e is 2-5 times ABOVE the true error. p = M_f^-1 r is also the Davidson
   * correction: while max e/theta > KH_RITZ_TOL the basis becomes [Y, P] (P: the
   * corrections of the wanted values still above the tolerance) and the exact
   * Rayleigh-Ritz is repeated. (The rigorous bound min(r, r^2/gap), Parlett
   * Thm 11.7.1, takes the gap to the NEIGHBOURING Ritz values and is 10^2-10^4
   * times too pessimistic for this clustered tail: it cost two extra steps.) */
  for (size_t c = 0; c < q; c++) memcpy(V + c * n, Y + (q - 1 - c) * n, n * sizeof *V);
  GV_TRY(kh_hess_block(w, V, q, W));
  size_t nb = q;
  double worst = INFINITY;
  for (int it = 0;; it++) {
    pgemm('T', nb, nb, n, 1.0, V, n, W, n, 0.0, H, nb);
    for (size_t i = 0; i < nb; i++)
      for (size_t j = 0; j < i; j++) {
        double s = 0.5 * (H[i + j * nb] + H[j + i * nb]);
        H[i + j * nb] = H[j + i * nb] = s;
      }
    lapack_int info = LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'V', 'U', (lapack_int)nb, H, (lapack_int)nb, th);
    if (info) { status = GV_ERROR(GV_ENUMERIC, "khgps: exact Ritz problem failed (%d)", (int)info); goto cleanup; }
    pgemm('N', n, q, nb, 1.0, V, n, H, nb, 0.0, Y, n); /* lowest q Ritz vectors of M */
    pgemm('N', n, q, nb, 1.0, W, n, H, nb, 0.0, Z, n); /* and M times them */
    for (size_t c = 0; c < k; c++) eig[c] = th[c];
    /* residuals R of the k wanted (into V's second half) and P = M_f^-1 R */
    memcpy(V, Y, n * q * sizeof *V);
    memcpy(W, Z, n * q * sizeof *W);
    double *Cn = V + q * n;
    for (size_t c = 0; c < k; c++)
      for (size_t i = 0; i < n; i++) Cn[i + c * n] = Z[i + c * n] - th[c] * Y[i + c * n];
    double *Pn = W + q * n; /* scratch until the block product below */
    GV_TRY(kh_fsolve(w, Cn, Pn, k));
    worst = 0;
    double wabs = 0, wres = 0;
    size_t nfail = 0;
    const double tq = th[q - 1];
    for (size_t c = 0; c < k; c++) {
      double rp = 0, rr = 0;
      const double *rc = Cn + c * n, *pc = Pn + c * n;
      for (size_t i = 0; i < n; i++) {
        rp += rc[i] * pc[i];
        rr += rc[i] * rc[i];
      }
      double est = fabs(rp) * (tq > th[c] ? tq / (tq - th[c]) : 1e6);
      if (est > wabs) wabs = est;
      if (est / fabs(th[c]) > worst) worst = est / fabs(th[c]);
      if (est / fabs(th[c]) > KH_RITZ_TOL) fail[nfail++] = c;
      if (sqrt(rr) > wres) wres = sqrt(rr);
    }
    *bound = wabs;
    gv_log(GV_LOG_DEBUG, "khgps exact Rayleigh-Ritz %d (%zu vectors): max residual %.3g, worst relative error estimate %.3g (%zu above %.0e)",
           it, nb, wres, worst, nfail, KH_RITZ_TOL);
    if (worst <= KH_RITZ_TOL || it == 3) break;
    /* Davidson step: basis [Y, P(fail)] */
    for (size_t f = 0; f < nfail; f++) memcpy(Cn + f * n, Pn + fail[f] * n, n * sizeof *Cn);
    for (int pass = 0; pass < 2; pass++) {
      pgemm('T', q, nfail, n, 1.0, V, n, Cn, n, 0.0, C, q);
      pgemm('N', n, nfail, q, -1.0, V, n, C, q, 1.0, Cn, n);
    }
    GV_TRY(orthonormalise(Cn, n, nfail, tau));
    GV_TRY(kh_hess_block(w, Cn, nfail, W + q * n));
    nb = q + nfail;
  }
  w->tp[4] = kh_cpu() - w->tp[3];
  w->tp[3] = 0;
  w->tp[5] = (double)m;
  if (worst > KH_RITZ_FAIL) {
    status = GV_NOT_CONVERGED;
    gv_log(GV_LOG_INFO, "khgps: eigenvalue error bound %.2g relative (target %.0e)", worst, KH_RITZ_TOL);
  }
cleanup:
  free(H); free(G); free(Hs); free(th); free(Y); free(Z); free(C); free(S); free(isuppz); free(tau); free(gs);
  free(fail);
  return status;
}

/* ------------------------------------------------------------ one sample */
static int sample_run(gv_khgps_work *w, const gv_khgps_params *p, uint64_t sample, gv_khgps_sample *out);

/* A sample on a thread of its own (see gv_khgps_sample_run). */
typedef struct {
  gv_khgps_work *w;
  const gv_khgps_params *p;
  uint64_t sample;
  gv_khgps_sample *out;
  int nthreads, status;
  char msg[512];
} kh_job;

static void *kh_job_main(void *arg) {
  kh_job *j = arg;
  omp_set_num_threads(j->nthreads); /* a new thread starts from the default ICVs */
  j->status = gv_khgps_sample_run(j->w, j->p, j->sample, j->out);
  if (j->status < 0) snprintf(j->msg, sizeof j->msg, "%s", gv_error_message());
  return NULL;
}

int gv_khgps_sample_run(gv_khgps_work *w, const gv_khgps_params *p, uint64_t sample,
                        gv_khgps_sample *out) {
  int status = GV_OK;
  if (!w || !p || !out) return GV_ERROR(GV_EINVAL, "khgps: NULL argument");
  GV_TRY(gv_khgps_params_check(p));
  if (p->n != w->n) return GV_ERROR(GV_EINVAL, "khgps: workspace for n = %zu, parameters n = %zu", w->n, p->n);
  /* Called inside an inactive (one-thread) OpenMP region, as the ensemble engine
   * does for large N: every parallel region of the sample would then be a nested
   * one, for which libgomp starts new threads and ends them with the region (56
   * thread creations per n = 4000 sample, ~0.07 s of the command's 0.38 s). On a
   * thread of its own the sample is at level 0 and its regions share one pool. */
  if (omp_get_level() > 0 && !omp_in_parallel() && omp_get_max_threads() > 1 && w->n >= KH_HALF_MIN_N) {
    kh_job j = {w, p, sample, out, omp_get_max_threads(), GV_OK, ""};
    pthread_t th;
    if (pthread_create(&th, NULL, kh_job_main, &j) == 0) {
      pthread_join(th, NULL);
      if (j.status < 0) return GV_ERROR(j.status, "%s", j.msg);
      return j.status;
    } /* no thread: run here */
  }
  /* Single-threaded BLAS inside a sample; the threads are OpenMP's (J x kernels,
   * blocked Cholesky, solves and gemms split by columns). Two thread pools on the
   * same cores fight: OpenBLAS's idle workers spin ~0.1 s (2^28 cycles) after
   * every call, stealing the core from the OpenMP kernel that follows, and GOMP's
   * spin in turn slows the next BLAS call. Small N (<= 2048) is then also
   * bitwise independent of how it was run (as in the ensemble drivers). The
   * all-eigenvalue dsyevd_2stage is the one call given OpenBLAS's threads. */
  int set = !omp_in_parallel() && openblas_set_num_threads && openblas_get_num_threads;
  int bt = set ? openblas_get_num_threads() : 1;
  if (set) openblas_set_num_threads(1);
  w->blas_threads = (set && w->n > 2048) ? bt : 1;
  status = sample_run(w, p, sample, out);
  if (set) openblas_set_num_threads(bt);
cleanup:
  return status;
}

static int sample_run(gv_khgps_work *w, const gv_khgps_params *p, uint64_t sample, gv_khgps_sample *out) {
  int status = GV_OK, result = GV_OK;
  const size_t n = w->n;
  const size_t k = w->nlow ? w->nlow : n;
  double t0 = gv_wall_time();
  memset(out, 0, sizeof *out);
  out->n = n;
  GV_ALLOC(out->kappa, n);
  GV_ALLOC(out->x, n);
  GV_ALLOC(out->eig, k);
  out->neig = k;
  w->nmv = 0;
  w->half_iter = 0;
  memset(w->tp, 0, sizeof w->tp);
  w->tp[6] = kh_cpu();

  gv_khgps_kappa_fill(w->kappa, n, p->kappa0, p->seed, sample);
  w->half_scale = (w->part16 && p->J > 0) ? KH_HALF_ONE * sqrt((double)n) / p->J : 0.0;
  kh_couplings_fill(w->A, n, p->J, p->seed, sample, w->half_scale);
  for (size_t i = 0; i < n; i++) w->x[i] = 0;
  out->wall_draw_s = gv_wall_time() - t0;
  w->tp[7] = kh_cpu() - w->tp[6];

  /* CG to a moderate gradient, then Newton-chord steps with the float Cholesky
   * factor; if M_f is not positive definite yet, tighten the CG target and retry. */
  /* 1e-8: the factor is then taken within ~1e-8/lambda_min of the final x, so it
   * is also a near-exact preconditioner for the eigenvalue stage (CG costs ~10
   * products per decade of gradient at these parameters). */
  double target = 1e-8 * (1.0 + fabs(p->h));
  if (target < p->gtol) target = p->gtol;
  long iter = 0;
  int factored = 0;
  if (w->half_scale > 0) {
    double tc = kh_cpu(), tw = gv_wall_time();
    int st = cg_run(w, p, target, &iter, 1);
    w->tp[0] += kh_cpu() - tc;
    gv_log(GV_LOG_DEBUG, "khgps 16-bit CG: %ld iterations, %.3f s CPU, %.3f s wall, stopped at the expected floor %.3g",
           iter, kh_cpu() - tc, gv_wall_time() - tw, kh_half_floor(w, p));
    if (st < 0) { status = st; goto cleanup; }
    w->half_iter = iter;
  }
  for (int attempt = 0; attempt < 8 && !factored; attempt++) {
    double tc = kh_cpu(), tw = gv_wall_time();
    long it0 = iter;
    int st = cg_run(w, p, target, &iter, 0);
    w->tp[0] += kh_cpu() - tc;
    gv_log(GV_LOG_DEBUG, "khgps float CG: %ld iterations, %.3f s CPU, %.3f s wall", iter - it0, kh_cpu() - tc,
           gv_wall_time() - tw);
    if (st < 0) { status = st; goto cleanup; }
    if (st == GV_NOT_CONVERGED) { result = GV_NOT_CONVERGED; }
    /* x <- x + t d, M_f(x_a) d = -g(x), t from the exact line search; refactor at
     * the current x when the gradient stops dropping fast. */
    int need_factor = 1;
    double gprev = INFINITY;
    for (int s = 0; s < 60; s++) {
      if (max_abs(w->g, n) <= p->gtol && factored) break;
      if (need_factor) {
        double tf = kh_cpu();
        lapack_int info = kh_factor(w);
        w->tp[1] += kh_cpu() - tf;
        if (info > 0) { factored = 0; break; } /* not positive definite: more CG */
        if (info < 0) { status = GV_ERROR(GV_ENUMERIC, "khgps: spotrf argument %d", (int)-info); goto cleanup; }
        factored = 1;
        out->newton_steps++;
        need_factor = 0;
      }
      for (size_t i = 0; i < n; i++) w->d[i] = -w->g[i];
      GV_TRY(kh_fsolve(w, w->d, w->d, 1));
      kh_apply(w->A, n, w->d, w->Jd, w->part);
      double t = line_min(n, w->kappa, w->x, w->g, w->d, w->Jd);
      if (!isfinite(t)) t = 0; /* already at the minimum to rounding */
      for (size_t i = 0; i < n; i++) w->x[i] += t * w->d[i];
      kh_apply(w->A, n, w->x, w->Jx, w->part);
      w->nmv += 2;
      gv_khgps_energy_grad(n, w->kappa, p->h, w->x, w->Jx, w->g);
      double gm = max_abs(w->g, n);
      gv_log(GV_LOG_DEBUG, "khgps newton %d: max|g| %.3g (t = %.6g)", s, gm, t);
      if (gm <= p->gtol) break;
      if (gm > 0.25 * gprev || t == 0) need_factor = 1;
      gprev = gm;
      if (s == 59) result = GV_NOT_CONVERGED;
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
  w->tp[2] = kh_cpu() - w->tp[6];
  if (w->nlow && p->J == 0) {
    /* uncoupled oscillators: M is diagonal, its eigenvalues are the diagonal (the
     * Krylov stage would struggle with their clustering and is not needed) */
    for (size_t i = 0; i < n; i++) w->z[i] = w->kappa[i] + 0.5 * w->x[i] * w->x[i];
    gsl_sort_smallest(out->eig, k, w->z, 1, n);
    out->eig_bound = 0;
    out->n_negative = 0;
    for (size_t c = 0; c < k; c++)
      if (out->eig[c] < 0) out->n_negative++;
  } else if (w->nlow) {
    int st = krylov_low(w, p->seed, sample, out->eig, k, &out->eig_bound);
    if (st < 0) { status = st; goto cleanup; }
    if (st > 0) result = st;
    out->n_negative = 0;
    for (size_t c = 0; c < k; c++)
      if (out->eig[c] < 0) out->n_negative++;
  } else {
    /* the exact double Hessian at the final x (lower triangle) */
    out->eig_bound = 0;
    double *Md = w->Md;
#pragma omp parallel for schedule(dynamic, 32) if (!omp_in_parallel() && n >= 512)
    for (size_t j = 0; j < n; j++) {
      Md[j + j * n] = w->kappa[j] + 0.5 * w->x[j] * w->x[j];
      for (size_t i = j + 1; i < n; i++) Md[i + j * n] = w->A[i + j * n];
    }
    if (w->blas_threads > 1) openblas_set_num_threads(w->blas_threads);
    lapack_int info = LAPACKE_dsyevd_2stage(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, Md, (lapack_int)n, out->eig);
    if (w->blas_threads > 1) openblas_set_num_threads(1);
    if (info) { status = GV_ERROR(GV_ENUMERIC, "khgps: dsyevd failed (info %d)", (int)info); goto cleanup; }
    for (size_t i = 0; i < n; i++)
      if (out->eig[i] < 0) out->n_negative++;
  }
  out->n_matvec = w->nmv;
  out->wall_s = gv_wall_time() - t0;
  {
    double tall = kh_cpu() - w->tp[6];
    gv_log(GV_LOG_DEBUG, "khgps CPU phases: draw %.3f cg %.3f (%ld it, %ld half) factor %.3f (%d) newton-other %.3f eig %.3f (krylov %.3f, m %.0f; ritz %.3f) total %.3f; nmv %ld",
           w->tp[7], w->tp[0], out->cg_iter, w->half_iter, w->tp[1], out->newton_steps, w->tp[2] - w->tp[7] - w->tp[0] - w->tp[1],
           tall - w->tp[2], tall - w->tp[2] - w->tp[4], w->tp[5], w->tp[4], tall, w->nmv);
  }
  out->wall_eig_s = out->wall_s - out->wall_min_s;
  return result;
cleanup:
  if (status < 0) gv_khgps_sample_free(out);
  return status;
}
