/* KHGPS model: gradient and Hessian vs finite differences, coupling statistics,
 * the deterministic one-triangle J x kernel (vs a dense double sum, for 1 and 2
 * threads, sizes that exercise the column chunks), minimum reached (gradient,
 * positive Hessian), mixed-precision Krylov low-eigenvalue path vs dense dsyevd,
 * the J = 0 limit (Cardano root), the collapse function and omega_x at J = 0,
 * thread-count reproducibility, the vectorised Box-Muller draw vs libm, all
 * eigenvalues (two-stage LAPACK) vs dsyevd, the 16-bit first CG phase and the
 * own float triangular solves (n >= 1024) on several seeds and couplings. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include <lapacke.h>

#include "glassvib/models.h"
#include "testlib.h"

static double energy_at(const float *A, size_t n, const double *kappa, double h, const double *x) {
  double *Jx = malloc(n * sizeof *Jx);
  gv_khgps_couplings_apply(A, n, x, Jx);
  double e = gv_khgps_energy_grad(n, kappa, h, x, Jx, NULL);
  free(Jx);
  return e;
}

static void test_derivatives(void) {
  const size_t n = 37;
  const double h = 0.013, J = 0.31, k0 = 1.7;
  float *A = calloc(n * n, sizeof *A);
  double kappa[37], x[37], g[37], Jx[37], xp[37], gp[37], gm[37];
  double *M = malloc(n * n * sizeof *M);
  gv_khgps_kappa_fill(kappa, n, k0, 3, 2);
  gv_khgps_couplings_fill(A, n, J, 3, 2);
  gv_rng r;
  gv_rng_init(&r, 4, 0, GV_RNG_ANALYSIS);
  for (size_t i = 0; i < n; i++) x[i] = 0.8 * (gv_rng_uniform(&r) - 0.5);
  gv_khgps_couplings_apply(A, n, x, Jx);
  gv_khgps_energy_grad(n, kappa, h, x, Jx, g);
  /* energy: compare with a direct double sum over pairs */
  double e = 0;
  for (size_t i = 0; i < n; i++) {
    e += 0.5 * kappa[i] * x[i] * x[i] + pow(x[i], 4) / 24 - h * x[i];
    for (size_t j = 0; j < i; j++) e += A[i + j * n] * x[i] * x[j];
  }
  CHECK_CLOSE(gv_khgps_energy_grad(n, kappa, h, x, Jx, NULL), e, 1e-13, 1e-15);
  const double eps = 1e-5;
  double maxerr = 0;
  for (size_t i = 0; i < n; i++) {
    memcpy(xp, x, sizeof xp);
    xp[i] = x[i] + eps;
    double ep = energy_at(A, n, kappa, h, xp);
    xp[i] = x[i] - eps;
    double em = energy_at(A, n, kappa, h, xp);
    double fd = (ep - em) / (2 * eps);
    double err = fabs(fd - g[i]) / (fabs(g[i]) + 1e-3);
    if (err > maxerr) maxerr = err;
  }
  CHECK(maxerr < 1e-7, "gradient vs finite differences: max rel err %g", maxerr);
  gv_khgps_hessian_dense(A, n, kappa, x, M);
  maxerr = 0;
  for (size_t j = 0; j < n; j++) {
    memcpy(xp, x, sizeof xp);
    xp[j] = x[j] + eps;
    gv_khgps_couplings_apply(A, n, xp, Jx);
    gv_khgps_energy_grad(n, kappa, h, xp, Jx, gp);
    xp[j] = x[j] - eps;
    gv_khgps_couplings_apply(A, n, xp, Jx);
    gv_khgps_energy_grad(n, kappa, h, xp, Jx, gm);
    for (size_t i = 0; i < n; i++) {
      double fd = (gp[i] - gm[i]) / (2 * eps);
      double err = fabs(fd - M[i + j * n]);
      if (err > maxerr) maxerr = err;
      if (M[i + j * n] != M[j + i * n]) maxerr = INFINITY;
    }
  }
  CHECK(maxerr < 1e-8, "Hessian vs finite differences: max abs err %g", maxerr);
  free(A);
  free(M);
}

static void test_couplings(void) {
  /* statistics: mean 0, variance J^2/n; kernel equals a plain dense product for
   * n not a multiple of the block size */
  const size_t n = 300;
  const double J = 0.73;
  float *A = calloc(n * n, sizeof *A);
  double *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
  gv_khgps_couplings_fill(A, n, J, 17, 5);
  double s = 0, s2 = 0;
  size_t cnt = 0;
  for (size_t j = 0; j < n; j++)
    for (size_t i = j + 1; i < n; i++) {
      s += A[i + j * n];
      s2 += A[i + j * n] * A[i + j * n];
      cnt++;
    }
  double var = s2 / cnt, sd_var = var * sqrt(2.0 / cnt);
  CHECK(fabs(var - J * J / n) < 4 * sd_var, "coupling variance %g vs %g", var, J * J / n);
  CHECK(fabs(s / cnt) < 4 * sqrt(var / cnt), "coupling mean %g", s / cnt);
  for (size_t i = 0; i < n; i++) x[i] = sin(1.0 + 0.37 * i);
  gv_khgps_couplings_apply(A, n, x, y);
  double maxerr = 0;
  for (size_t i = 0; i < n; i++) {
    double ref = 0;
    for (size_t j = 0; j < n; j++) {
      if (j == i) continue;
      double a = i > j ? A[i + j * n] : A[j + i * n];
      ref += a * x[j];
    }
    if (fabs(ref - y[i]) > maxerr) maxerr = fabs(ref - y[i]);
  }
  CHECK(maxerr < 1e-13, "J x kernel vs dense: %g", maxerr);
  /* a sample's couplings do not depend on the thread count */
  float *B = calloc(n * n, sizeof *B);
  int nt = omp_get_max_threads();
  omp_set_num_threads(1);
  gv_khgps_couplings_fill(B, n, J, 17, 5);
  omp_set_num_threads(nt);
  CHECK(memcmp(A, B, n * n * sizeof *A) == 0, "couplings depend on thread count");
  free(A);
  free(B);
  free(x);
  free(y);
}

/* The vectorised Box-Muller of gv_khgps_couplings_fill (own ln, sin, cos
 * polynomials) against the libm formula J_{i,2p} = sigma sqrt(-2 ln u1) cos(2 pi u2),
 * J_{i,2p+1} = ... sin(...), (u1, u2) consecutive uniforms of row i's block, for
 * n = 777 (> 512: threaded, odd and even rows): the float couplings may differ
 * only where the double values straddle a float rounding boundary (a last-bit
 * difference, rare), and 1 vs 2 threads give identical bits. */
static void test_box_muller(void) {
  const size_t n = 777;
  const double J = 0.2385, sigma = J / sqrt((double)n);
  const uint64_t seed = 2385, sample = 3;
  float *A = calloc(n * n, sizeof *A), *B = calloc(n * n, sizeof *B);
  gv_khgps_couplings_fill(A, n, J, seed, sample);
  size_t ndiff = 0, cnt = 0;
  double maxrel = 0;
  for (size_t i = 1; i < n; i++) {
    gv_rng r;
    gv_rng_init(&r, seed, sample, GV_RNG_KHGPS_COUPLING);
    gv_rng_seek(&r, (uint64_t)i, 0);
    for (size_t j = 0; j < i; j += 2) {
      double u1 = gv_rng_uniform(&r), u2 = gv_rng_uniform(&r);
      double rad = sigma * sqrt(-2.0 * log(u1)), ang = 2.0 * M_PI * u2;
      float ref[2] = {(float)(rad * cos(ang)), (float)(rad * sin(ang))};
      for (size_t c = 0; c < 2 && j + c < i; c++) {
        float a = A[i + (j + c) * n];
        cnt++;
        if (a != ref[c]) {
          ndiff++;
          maxrel = fmax(maxrel, fabs((double)a - ref[c]) / fabs((double)ref[c]));
        }
      }
    }
  }
  CHECK(ndiff <= cnt / 10000, "vectorised Box-Muller: %zu of %zu couplings differ from libm", ndiff, cnt);
  CHECK(maxrel <= ldexp(1.0, -23), "vectorised Box-Muller: max relative difference %g", maxrel);
  int nt = omp_get_max_threads();
  omp_set_num_threads(nt > 1 ? 1 : 2);
  gv_khgps_couplings_fill(B, n, J, seed, sample);
  omp_set_num_threads(nt);
  CHECK(memcmp(A, B, n * n * sizeof *A) == 0, "couplings (n = 777) depend on the thread count");
  free(A);
  free(B);
}

/* Default parameters with the model's n, h, J, kappa0 and seed set. */
static gv_khgps_params params(size_t n, double h, double J, double kappa0, uint64_t seed) {
  gv_khgps_params p;
  gv_khgps_params_default(&p);
  p.n = n, p.h = h, p.J = J, p.kappa0 = kappa0, p.seed = seed;
  return p;
}

/* Minimise one sample (threads as given) and return its dense double Hessian at the
 * minimum (n x n, caller frees), built from the same float couplings. */
static double *hessian_at_minimum(const gv_khgps_params *p, int threads, gv_khgps_sample *s) {
  gv_khgps_work *w = NULL;
  CHECK_OK(gv_khgps_work_alloc(&w, p->n, 0));
  CHECK_OK(gv_khgps_sample_run(w, p, threads, s));
  const size_t n = p->n;
  float *A = malloc(n * n * sizeof *A);
  double *M = malloc(n * n * sizeof *M);
  gv_khgps_couplings_fill(A, n, p->J, p->seed, threads);
  gv_khgps_hessian_dense(A, n, s->kappa, s->x, M);
  free(A);
  gv_khgps_work_free(&w);
  return M;
}

/* nlow = 0 (all eigenvalues, LAPACK two-stage dsyevd_2stage) against one-stage
 * dsyevd on the dense double Hessian at the same minimum (n = 300). */
static void test_all_eigenvalues(void) {
  gv_khgps_params p = params(300, 0.0123, 0.157, 1.07, 41);
  gv_khgps_sample s = {0};
  double *M = hessian_at_minimum(&p, 2, &s);
  const size_t n = p.n;
  double *e = malloc(n * sizeof *e);
  CHECK(LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, M, (lapack_int)n, e) == 0, "dsyevd");
  double maxd = 0;
  for (size_t i = 0; i < n; i++) maxd = fmax(maxd, fabs(e[i] - s.eig[i]));
  CHECK(s.neig == n && maxd < 1e-13 * fabs(e[n - 1]), "two-stage vs dsyevd: max |diff| %g (lambda_max %g)", maxd, e[n - 1]);
  CHECK(e[0] > 0 && s.n_negative == 0, "lowest eigenvalue %g at the minimum", e[0]);
  free(M);
  free(e);
  gv_khgps_sample_free(&s);
}

/* n = 1283 > 512: several column chunks, OpenMP path, 4-column body and tails */
static void test_kernel_chunks(void) {
  const size_t n = 1283;
  float *A = malloc(n * n * sizeof *A);
  double *x = malloc(n * sizeof *x), *y1 = malloc(n * sizeof *y1), *y2 = malloc(n * sizeof *y2);
  gv_khgps_couplings_fill(A, n, 0.413, 29, 1);
  for (size_t i = 0; i < n; i++) x[i] = cos(0.3 + 1.7 * i) - 0.2;
  int nt = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK_OK(gv_khgps_couplings_apply(A, n, x, y1));
  omp_set_num_threads(2);
  CHECK_OK(gv_khgps_couplings_apply(A, n, x, y2));
  omp_set_num_threads(nt);
  CHECK(memcmp(y1, y2, n * sizeof *y1) == 0, "J x differs between 1 and 2 threads");
  double maxerr = 0, ymax = 0;
  for (size_t i = 0; i < n; i++) {
    long double ref = 0; /* extended-precision reference from the stored floats */
    for (size_t j = 0; j < n; j++)
      if (j != i) ref += (long double)(i > j ? A[i + j * n] : A[j + i * n]) * x[j];
    maxerr = fmax(maxerr, fabs((double)ref - y1[i]));
    ymax = fmax(ymax, fabs(y1[i]));
  }
  CHECK(maxerr < 1e-14 * (1 + ymax), "chunked J x vs extended-precision sum: %g", maxerr);
  free(A);
  free(x);
  free(y1);
  free(y2);
}

static void test_single_root(void) {
  const double ks[] = {0, 1e-9, 0.013, 0.7, 3.1, 250.0};
  const double hs[] = {0.01, -0.37, 2.385, 1e-7};
  for (int a = 0; a < 6; a++)
    for (int b = 0; b < 4; b++) {
      double k = ks[a], h = hs[b], x = gv_khgps_single_root(k, h);
      double res = k * x + x * x * x / 6 - h;
      CHECK(fabs(res) <= 1e-14 * (fabs(h) + fabs(k * x)), "root residual %g (kappa %g, h %g)", res, k, h);
    }
}

static void test_minimum_and_limits(void) {
  gv_khgps_params p = params(300, 0.0137, 0.21, 1.3, 99);
  gv_khgps_work *w = NULL;
  gv_khgps_sample s = {0}, s2 = {0};
  CHECK_OK(gv_khgps_work_alloc(&w, p.n, 0));
  CHECK_OK(gv_khgps_sample_run(w, &p, 3, &s));
  CHECK(s.grad_max <= p.gtol, "gradient %g above tolerance", s.grad_max);
  CHECK(s.n_negative == 0 && s.eig[0] > 0, "Hessian not positive: lowest %g", s.eig[0]);
  /* recompute the gradient independently from the stored x */
  float *A = calloc(p.n * p.n, sizeof *A);
  double *Jx = malloc(p.n * sizeof *Jx), *g = malloc(p.n * sizeof *g);
  gv_khgps_couplings_fill(A, p.n, p.J, p.seed, 3);
  gv_khgps_couplings_apply(A, p.n, s.x, Jx);
  gv_khgps_energy_grad(p.n, s.kappa, p.h, s.x, Jx, g);
  double gm = 0;
  for (size_t i = 0; i < p.n; i++) gm = fmax(gm, fabs(g[i]));
  CHECK(gm <= 10 * p.gtol, "independent gradient %g", gm);
  /* Krylov path: the 12 lowest eigenvalues agree with dsyevd */
  gv_khgps_work *w2 = NULL;
  p.nlow = 12;
  CHECK_OK(gv_khgps_work_alloc(&w2, p.n, p.nlow));
  CHECK_OK(gv_khgps_sample_run(w2, &p, 3, &s2));
  CHECK(s2.neig == 12, "neig %zu", s2.neig);
  double maxrel = 0;
  for (size_t k = 0; k < 12; k++) maxrel = fmax(maxrel, fabs(s2.eig[k] - s.eig[k]) / s.eig[k]);
  CHECK(maxrel < 1e-9, "Krylov vs dense eigenvalues: max rel diff %g", maxrel);
  gv_khgps_sample_free(&s2);
  gv_khgps_work_free(&w2);
  gv_khgps_sample_free(&s);

  /* J = 0: independent oscillators, x_i from Cardano, eigenvalues kappa_i + x_i^2/2 */
  p.J = 0;
  p.nlow = 0;
  CHECK_OK(gv_khgps_sample_run(w, &p, 8, &s));
  double maxdx = 0;
  double *lam = malloc(p.n * sizeof *lam);
  for (size_t i = 0; i < p.n; i++) {
    double xa = gv_khgps_single_root(s.kappa[i], p.h);
    maxdx = fmax(maxdx, fabs(s.x[i] - xa));
    lam[i] = s.kappa[i] + 0.5 * xa * xa;
  }
  CHECK(maxdx < 1e-9, "J = 0 positions vs analytic root: %g", maxdx);
  for (size_t i = 1; i < p.n; i++)
    for (size_t j = i; j > 0 && lam[j - 1] > lam[j]; j--) {
      double t = lam[j]; lam[j] = lam[j - 1]; lam[j - 1] = t;
    }
  double maxde = 0;
  for (size_t i = 0; i < p.n; i++) maxde = fmax(maxde, fabs(s.eig[i] - lam[i]));
  CHECK(maxde < 1e-10, "J = 0 eigenvalues vs kappa + x^2/2: %g", maxde);
  gv_khgps_sample_free(&s);
  /* the low tail of the same sample: converged (not a clustered-Krylov failure), exact */
  gv_khgps_work *w7 = NULL;
  CHECK_OK(gv_khgps_work_alloc(&w7, p.n, 7));
  p.nlow = 7;
  CHECK(gv_khgps_sample_run(w7, &p, 8, &s) == GV_OK, "J = 0 low tail did not converge");
  maxde = 0;
  for (size_t i = 0; i < 7; i++) maxde = fmax(maxde, fabs(s.eig[i] - lam[i]));
  CHECK(maxde < 1e-10 && s.eig_bound == 0, "J = 0 lowest 7 vs kappa + x^2/2: %g (bound %g)", maxde, s.eig_bound);
  gv_khgps_sample_free(&s);
  gv_khgps_work_free(&w7);
  gv_khgps_work_free(&w);
  free(A);
  free(Jx);
  free(g);
  free(lam);
}

/* n = 900 (OpenMP paths), 24 lowest: Krylov on the float factor + exact
 * Rayleigh-Ritz vs dsyevd of the double Hessian; the reported bound must cover
 * the actual difference. */
static void test_krylov_large(void) {
  gv_khgps_params p = params(900, 0.0113, 0.173, 0.93, 7);
  gv_khgps_work *w = NULL, *w2 = NULL;
  gv_khgps_sample s = {0}, s2 = {0};
  CHECK_OK(gv_khgps_work_alloc(&w, p.n, 0));
  CHECK_OK(gv_khgps_sample_run(w, &p, 1, &s));
  p.nlow = 24;
  CHECK_OK(gv_khgps_work_alloc(&w2, p.n, p.nlow));
  int st = gv_khgps_sample_run(w2, &p, 1, &s2);
  CHECK(st == GV_OK, "Krylov sample status %d", st);
  CHECK(memcmp(s.x, s2.x, p.n * sizeof(double)) == 0, "the minimum must not depend on nlow");
  double maxabs = 0, maxrel = 0;
  for (size_t k = 0; k < 24; k++) {
    maxabs = fmax(maxabs, fabs(s2.eig[k] - s.eig[k]));
    maxrel = fmax(maxrel, fabs(s2.eig[k] - s.eig[k]) / s.eig[k]);
  }
  CHECK(maxrel < 1e-8, "Krylov vs dense (n = 900): max rel diff %g", maxrel);
  CHECK(maxabs <= s2.eig_bound + 1e-13, "bound %g does not cover the difference %g", s2.eig_bound, maxabs);
  CHECK(s2.grad_max <= p.gtol && s2.n_negative == 0, "minimum: max|g| %g, negatives %d", s2.grad_max, s2.n_negative);
  gv_khgps_sample_free(&s);
  gv_khgps_sample_free(&s2);
  gv_khgps_work_free(&w);
  gv_khgps_work_free(&w2);
}

/* n = 1100 (>= 1024: the first CG phase runs on the 16-bit copy of J, then the
 * float-J CG and the Newton stage finish), several (h, J, seed) from the weak to
 * the strong-coupling side: the minimum is a true one of the float couplings
 * (independent double-accumulated gradient, positive Hessian), the same x with
 * nlow = 0 and nlow = 12, the 12 lowest by Krylov + exact Rayleigh-Ritz (own
 * triangular solves with the float factor) agree with dsyevd_2stage to 1e-8 and
 * within the reported bound; 1 and 2 threads, and a call from inside a one-thread
 * parallel region (run on a thread of its own), give bitwise the same sample. */
static void test_half_phase_and_solves(void) {
  const double hs[4] = {0.0107, 0.0031, 0.047, 0.093}, Js[4] = {0.053, 0.121, 0.197, 0.289};
  for (int c = 0; c < 4; c++) {
    gv_khgps_params p = params(1100, hs[c], Js[c], 1.03, 101 + (uint64_t)c);
    const size_t n = p.n;
    gv_khgps_work *w = NULL, *w2 = NULL;
    gv_khgps_sample s = {0}, s2 = {0}, s1 = {0};
    CHECK_OK(gv_khgps_work_alloc(&w, n, 0));
    CHECK_OK(gv_khgps_sample_run(w, &p, 5, &s));
    p.nlow = 12;
    CHECK_OK(gv_khgps_work_alloc(&w2, n, p.nlow));
    int st = gv_khgps_sample_run(w2, &p, 5, &s2);
    CHECK(st == GV_OK, "case %d: Krylov sample status %d", c, st);
    CHECK(memcmp(s.x, s2.x, n * sizeof(double)) == 0, "case %d: the minimum depends on nlow", c);
    CHECK(s2.grad_max <= p.gtol && s2.n_negative == 0 && s.eig[0] > 0,
          "case %d: max|g| %g, lowest eigenvalue %g", c, s2.grad_max, s.eig[0]);
    /* independent gradient at x* from the float couplings, double sums */
    float *A = malloc(n * n * sizeof *A);
    double *Jx = malloc(n * sizeof *Jx), *g = malloc(n * sizeof *g);
    gv_khgps_couplings_fill(A, n, p.J, p.seed, 5);
    CHECK_OK(gv_khgps_couplings_apply(A, n, s2.x, Jx));
    gv_khgps_energy_grad(n, s2.kappa, p.h, s2.x, Jx, g);
    double gm = 0;
    for (size_t i = 0; i < n; i++) gm = fmax(gm, fabs(g[i]));
    CHECK(gm <= 10 * p.gtol, "case %d: independent gradient %g", c, gm);
    double maxabs = 0, maxrel = 0;
    for (size_t k = 0; k < 12; k++) {
      maxabs = fmax(maxabs, fabs(s2.eig[k] - s.eig[k]));
      maxrel = fmax(maxrel, fabs(s2.eig[k] - s.eig[k]) / s.eig[k]);
    }
    CHECK(maxrel < 1e-8, "case %d: Krylov vs dense (n = 1100): max rel diff %g", c, maxrel);
    CHECK(maxabs <= s2.eig_bound + 1e-13, "case %d: bound %g does not cover the difference %g", c, s2.eig_bound,
          maxabs);
    if (c == 1) { /* inside a one-thread region (the ensemble engine's way): the same sample */
      gv_khgps_sample s3 = {0};
      int st3 = GV_OK;
#pragma omp parallel num_threads(1)
      st3 = gv_khgps_sample_run(w2, &p, 5, &s3);
      CHECK(st3 == st && memcmp(s3.x, s2.x, n * sizeof(double)) == 0 &&
                memcmp(s3.eig, s2.eig, 12 * sizeof(double)) == 0,
            "sample run inside a one-thread parallel region differs");
      gv_khgps_sample_free(&s3);
    }
    if (c == 2) {
      int nt = omp_get_max_threads();
      omp_set_num_threads(1);
      CHECK_OK(gv_khgps_sample_run(w2, &p, 5, &s1));
      omp_set_num_threads(nt < 2 ? 2 : nt);
      CHECK(memcmp(s1.x, s2.x, n * sizeof(double)) == 0 && memcmp(s1.eig, s2.eig, 12 * sizeof(double)) == 0,
            "16-bit CG phase / Krylov solves depend on the thread count");
      omp_set_num_threads(nt);
    }
    free(A);
    free(Jx);
    free(g);
    gv_khgps_sample_free(&s);
    gv_khgps_sample_free(&s1);
    gv_khgps_sample_free(&s2);
    gv_khgps_work_free(&w);
    gv_khgps_work_free(&w2);
  }
}

/* The single-precision storage claim: perturbing every J_ij by the size of its
 * float rounding (relative 2^-24, random sign) moves the eigenvalues of the
 * Hessian at the minimum by less than the Weyl bound 2^-24 * 2J (the norm of the
 * perturbation, semicircle edge) and the lowest one by far less than its value. */
static void test_float_rounding_effect(void) {
  gv_khgps_params p = params(400, 0.0097, 0.137, 1.09, 31);
  gv_khgps_sample s = {0};
  double *M = hessian_at_minimum(&p, 0, &s);
  const size_t n = p.n;
  double *e1 = malloc(n * sizeof *e1);
  gv_rng r;
  gv_rng_init(&r, 5, 0, GV_RNG_ANALYSIS);
  for (size_t j = 0; j < n; j++)
    for (size_t i = j + 1; i < n; i++) {
      double d = M[i + j * n] * ldexp(1.0, -24) * (gv_rng_uniform(&r) < 0.5 ? -1 : 1);
      M[i + j * n] += d;
      M[j + i * n] += d;
    }
  CHECK(LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, M, (lapack_int)n, e1) == 0, "dsyevd");
  double maxd = 0;
  for (size_t i = 0; i < n; i++) maxd = fmax(maxd, fabs(e1[i] - s.eig[i]));
  CHECK(maxd <= ldexp(1.0, -24) * 2 * p.J * 1.2, "rounding-size perturbation moved eigenvalues by %g", maxd);
  CHECK(fabs(e1[0] - s.eig[0]) < 1e-6 * s.eig[0], "lowest eigenvalue moved by %g (of %g)", fabs(e1[0] - s.eig[0]), s.eig[0]);
  free(M);
  free(e1);
  gv_khgps_sample_free(&s);
}

static void test_collapse(void) {
  /* f(q) = q^-1 int_0^q u^2 dq' against a direct trapezoid integral */
  const double qs[] = {0.37, 5.2};
  for (int a = 0; a < 2; a++) {
    double q = qs[a], acc = 0;
    const int m = 20000;
    for (int k = 0; k <= m; k++) {
      double qq = q * k / m, u = gv_khgps_single_root(qq, 1.0 / 6.0);
      acc += u * u * ((k == 0 || k == m) ? 0.5 : 1.0);
    }
    acc *= q / m;
    CHECK_CLOSE(gv_khgps_collapse_f(q), acc / q, 1e-7, 0);
  }
  CHECK_CLOSE(gv_khgps_collapse_f(1e4) * 1e4, 0.25, 2e-3, 0);
  /* J = 0 ensemble: omega_x = (6h)^(1/3) */
  const size_t n = 20000;
  const double h = 0.0213, k0 = 1.4;
  double *kap = malloc(n * sizeof *kap), *x = malloc(n * sizeof *x);
  gv_khgps_kappa_fill(kap, n, k0, 1, 1);
  for (size_t i = 0; i < n; i++) x[i] = gv_khgps_single_root(kap[i], h);
  double kg[40], xb[40], wx;
  size_t cnt[40];
  CHECK_OK(gv_khgps_partial_average(kap, x, n, 0, k0, 40, kg, xb, cnt));
  CHECK(cnt[39] == n, "all oscillators below kappa0");
  double mean = 0;
  for (size_t i = 0; i < n; i++) mean += x[i] * x[i];
  CHECK_CLOSE(xb[39], mean / n, 1e-12, 0);
  CHECK_OK(gv_khgps_omega_x(kg, xb, cnt, 40, &wx));
  CHECK_CLOSE(wx, cbrt(6 * h), 0.01, 0);
  free(kap);
  free(x);
}

static void test_threads(void) {
  gv_khgps_params p = params(160, 0.02, 0.15, 1.1, 1234);
  gv_khgps_sample a[4] = {{0}}, b[4] = {{0}}, c = {0};
  int nt = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK_OK(gv_khgps_ensemble_run(&p, 0, 4, a, NULL));
  omp_set_num_threads(2);
  CHECK_OK(gv_khgps_ensemble_run(&p, 0, 4, b, NULL));
  omp_set_num_threads(nt);
  for (int k = 0; k < 4; k++) {
    CHECK(memcmp(a[k].x, b[k].x, p.n * sizeof(double)) == 0, "x differs with thread count (sample %d)", k);
    CHECK(memcmp(a[k].eig, b[k].eig, p.n * sizeof(double)) == 0, "eig differs with thread count (sample %d)", k);
  }
  /* sample 2 on its own is sample 2 of the ensemble */
  gv_khgps_work *w = NULL;
  CHECK_OK(gv_khgps_work_alloc(&w, p.n, 0));
  CHECK_OK(gv_khgps_sample_run(w, &p, 2, &c));
  CHECK(memcmp(c.x, a[2].x, p.n * sizeof(double)) == 0, "single sample differs from ensemble member");
  gv_khgps_sample_free(&c);
  gv_khgps_work_free(&w);
  for (int k = 0; k < 4; k++) {
    gv_khgps_sample_free(&a[k]);
    gv_khgps_sample_free(&b[k]);
  }
  /* parameter validation */
  p.n = 1;
  CHECK(gv_khgps_params_check(&p) == GV_EINVAL, "N = 1 accepted");
  p.n = 10;
  p.J = -1;
  CHECK(gv_khgps_params_check(&p) == GV_EINVAL, "negative J accepted");
  p.J = 0.1;
  p.h = NAN;
  CHECK(gv_khgps_params_check(&p) == GV_EINVAL, "NaN h accepted");
  gv_error_clear();
}

int main(void) {
  test_derivatives();
  test_couplings();
  test_box_muller();
  test_all_eigenvalues();
  test_kernel_chunks();
  test_single_root();
  test_minimum_and_limits();
  test_krylov_large();
  test_half_phase_and_solves();
  test_float_rounding_effect();
  test_collapse();
  test_threads();
  return tl_finish();
}
