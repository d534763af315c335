/* Harmonic analyses against physics:
 *  - athermal moduli vs finite strains of the minimised glass relaxed after
 *    each strain: G = d sigma_xy / d gamma (simple shear of particles and
 *    box), B = -dp/d ln V (dilation), in 2D (reference snapshot) and 3D;
 *  - participation ratio limits (uniform 1, single particle 1/N);
 *  - f-sum rule of S_L, S_T with all modes (exact to rounding);
 *  - modes: dense vs ARPACK on a glass, residuals, translations excluded;
 *  - DOS code path: diag + GOE spectrum vs Pastur's equation;
 *  - A_g and band detection on a synthetic ensemble with a known answer. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "glassvib/dyn.h"
#include "glassvib/spectrum.h"
#include "testlib.h"

static void minimise(const gv_model *m, gv_system *s) {
  gv_min_params p;
  gv_min_params_default(&p);
  p.ftol = 1e-9;
  p.max_iter = 50000;
  gv_min_result r;
  int st = gv_minimize_system(m, s, &p, &r);
  CHECK(st == GV_OK, "minimisation failed (%d, max force %g after %ld iterations): %s", st, r.max_grad,
        (long)r.iterations, gv_error_message());
}

/* Deform particles and box by F = I + gamma A (A row-major d x d). */
static void deform(gv_system *s, const double *A, double gamma) {
  const int d = s->dim;
  double h[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) {
      h[a][b] = s->box.h[a][b];
      for (int c = 0; c < d; c++) h[a][b] += gamma * A[a * d + c] * s->box.h[c][b];
    }
  for (long i = 0; i < s->n; i++) {
    double x[GV_MAX_DIM];
    for (int a = 0; a < d; a++) {
      x[a] = s->x[i * d + a];
      for (int c = 0; c < d; c++) x[a] += gamma * A[a * d + c] * s->x[i * d + c];
    }
    memcpy(s->x + i * d, x, d * sizeof *x);
  }
  CHECK_OK(gv_box_init(&s->box, d, h));
}

/* dU/dgamma along A of the relaxed configuration strained by gamma. */
static double relaxed_slope(const gv_model *m, const gv_system *s0, const double *A, double gamma,
                            const double *Aprobe) {
  gv_system *s = NULL;
  CHECK_OK(gv_system_copy(&s, s0));
  deform(s, A, gamma);
  minimise(m, s);
  gv_hessian *H = NULL;
  double dU = NAN;
  CHECK_OK(gv_hessian_create(&H, m, s, 0.0));
  if (H) CHECK_OK(gv_moduli_affine(H, s, Aprobe, &dU, NULL, NULL));
  gv_hessian_destroy(&H);
  gv_system_destroy(&s);
  return dU;
}

static void check_moduli(const gv_model *m, gv_system *s, const char *tag) {
  const int d = s->dim;
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, m, s, 0.0));
  gv_moduli mo;
  CHECK_OK(gv_moduli_compute(H, s, NULL, &mo));
  const double V = gv_box_volume(&s->box);
  double A[16] = {0};
  /* shear in the (x, y) plane: sigma_xy = (1/V) dU/dgamma */
  A[0 * d + 1] = 1.0;
  const double gam = 2e-5;
  double sp = relaxed_slope(m, s, A, gam, A), sm = relaxed_slope(m, s, A, -gam, A);
  double G_fd = (sp - sm) / (2 * gam * V);
  CHECK_CLOSE(mo.G_planes[0], G_fd, 2e-3, 0);
  CHECK(mo.G < mo.G_affine, "%s: non-affine relaxation must soften G (%g vs affine %g)", tag, mo.G, mo.G_affine);
  /* dilation: p = -(1/(d V)) dU/deta, B = -dp/deta / d (eta = ln of the linear scale) */
  double Id[16] = {0};
  for (int a = 0; a < d; a++) Id[a * d + a] = 1.0;
  const double eta = 2e-5;
  double s1 = relaxed_slope(m, s, Id, expm1(eta), Id), s2 = relaxed_slope(m, s, Id, expm1(-eta), Id);
  double V1 = V * exp(d * eta), V2 = V * exp(-d * eta);
  double p1 = -s1 / (d * V1), p2 = -s2 / (d * V2);
  double B_fd = -(p1 - p2) / (2 * eta * d);
  CHECK_CLOSE(mo.B, B_fd, 2e-3, 0);
  /* pressure equals the virial pressure of gv_compute */
  gv_eval ev;
  CHECK_OK(gv_compute(m, s, NULL, NULL, &ev));
  CHECK_CLOSE(mo.pressure, ev.pressure, 1e-10, 1e-12);
  CHECK_CLOSE(mo.c_T, sqrt(mo.G / mo.density), 1e-14, 0);
  CHECK_CLOSE(mo.c_L, sqrt((mo.B + 2.0 * (d - 1) * mo.G / d) / mo.density), 1e-14, 0);
  CHECK(mo.c_D > mo.c_T && mo.c_D < mo.c_L, "%s: Debye velocity between c_T and c_L", tag);
  printf("%s: G %.6f (fd %.6f, affine %.4f)  B %.6f (fd %.6f)  p %.5f  c_T %.4f c_L %.4f omega_D %.4f\n", tag,
         mo.G_planes[0], G_fd, mo.G_affine, mo.B, B_fd, mo.pressure, mo.c_T, mo.c_L, mo.omega_D);
  gv_hessian_destroy(&H);
}

static void test_moduli(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/reference_snapshots/ipl2D_snap.dat", tl_shared_dir());
  gv_glass g;
  CHECK_OK(gv_glass_read(path, "ipl", 2, &g));
  if (!g.sys) return;
  minimise(&g.model, g.sys);
  check_moduli(&g.model, g.sys, "ipl 2D N=400");
  CHECK_CLOSE(g.sys->n / gv_box_volume(&g.sys->box), 0.86, 1e-9, 0);
  gv_glass_free(&g);
  /* a 3D glass quenched from a random configuration, cinf taper */
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  CHECK_OK(gv_model_set_smoothing(&m, GV_SMOOTH_CINF));
  gv_system *s = NULL;
  CHECK_OK(gv_system_create_random(&s, &m, 250, 2385));
  if (!s) return;
  minimise(&m, s);
  check_moduli(&m, s, "ipl 3D N=250 cinf");
  gv_system_destroy(&s);
}

static void test_modes_and_sqw(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/reference_snapshots/ipl2D_snap.dat", tl_shared_dir());
  gv_glass g;
  CHECK_OK(gv_glass_read(path, "ipl", 2, &g));
  if (!g.sys) return;
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, &g.model, g.sys, 0.0));
  gv_eigopts o;
  gv_linalg_eigopts_default(&o);
  o.dim = 2;
  gv_modes all, low;
  CHECK_OK(gv_modes_compute(H, g.sys, 0, &o, &all, NULL));
  CHECK(all.k == 2 * 400 - 2 && all.complete, "all modes: %d", all.k);
  CHECK(all.n_zero_modes == 2 && all.n_negative == 0, "zero %d negative %d", all.n_zero_modes, all.n_negative);
  gv_linalg_factor *F = NULL;
  CHECK_OK(gv_modes_compute(H, g.sys, 30, &o, &low, &F));
  CHECK(F != NULL, "factor handed over");
  CHECK(low.k == 30 && !low.complete, "lowest 30: %d", low.k);
  double worst = 0;
  for (int j = 0; j < low.k; j++) {
    worst = fmax(worst, fabs(low.omega[j] - all.omega[j]) / all.omega[j]);
    /* participation is insensitive to the sign and to rotations within
     * exact degeneracies (none in a glass) */
    CHECK_CLOSE(low.participation[j], all.participation[j], 1e-6, 0);
  }
  CHECK(worst < 1e-10, "ARPACK vs LAPACK frequencies differ by %g", worst);
  CHECK(low.max_residual < 1e-9 && all.max_residual < 1e-9, "residuals %g %g", low.max_residual, all.max_residual);
  /* the kept factor gives the same shear modulus as a fresh one */
  gv_moduli m1, m2;
  CHECK_OK(gv_moduli_compute(H, g.sys, F, &m1));
  CHECK_OK(gv_moduli_compute(H, g.sys, NULL, &m2));
  CHECK_CLOSE(m1.G, m2.G, 1e-8, 0);
  gv_linalg_factor_destroy(&F);
  /* f-sum rule with all modes */
  gv_sqw_opts so;
  gv_sqw_opts_default(&so);
  so.temperature = 0.385;
  double q[3] = {0.4, 2.385, 7.0};
  gv_sqw sq;
  CHECK_OK(gv_sqw_compute(g.sys, &all, q, 3, &so, &sq));
  for (int k = 0; k < 3; k++) {
    double tq2 = so.temperature * sq.q[k] * sq.q[k];
    CHECK_CLOSE((sq.sum_L[k] + sq.trans_L[k]) / tq2, 1.0, 1e-9, 0);
    CHECK_CLOSE((sq.sum_T[k] + sq.trans_T[k]) / tq2, 1.0, 1e-9, 0);
    CHECK(sq.nvec[k] >= 1 && fabs(sq.q[k] - q[k]) < 2 * M_PI / 21.0, "shell %g for %g", sq.q[k], q[k]);
    /* the broadened spectrum integrates (trapezoid) to ~ the mode weights */
    printf("sqw q=%.4f (%d vectors): sum rule L %.12f T %.12f (translations %.2e)\n", sq.q[k], sq.nvec[k],
           (sq.sum_L[k] + sq.trans_L[k]) / tq2, (sq.sum_T[k] + sq.trans_T[k]) / tq2, sq.trans_L[k] / tq2);
  }
  /* at small q the longitudinal weight sits at higher frequency than the transverse (c_L > c_T) */
  double wl = 0, wt = 0, nl = 0, nt = 0;
  for (int w = 0; w < sq.nomega; w++) {
    wl += sq.omega[w] * sq.SL[w], nl += sq.SL[w];
    wt += sq.omega[w] * sq.ST[w], nt += sq.ST[w];
  }
  CHECK(wl / nl > wt / nt, "mean frequency of S_L (%g) should exceed that of S_T (%g) at small q", wl / nl, wt / nt);
  gv_sqw_free(&sq);
  gv_modes_free(&all);
  gv_modes_free(&low);
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
}

static void test_participation(void) {
  const long n = 50;
  double *v = calloc(n * 3, sizeof *v);
  for (long i = 0; i < n * 3; i++) v[i] = (i % 3 == 1) ? 2.385 : 0;
  CHECK_CLOSE(gv_analysis_participation(v, n, 3), 1.0, 1e-14, 0);
  memset(v, 0, n * 3 * sizeof *v);
  v[7] = -0.3;
  CHECK_CLOSE(gv_analysis_participation(v, n, 3), 1.0 / n, 1e-14, 0);
  free(v);
}

/* diag(K) + GOE(J^2/N): eigenvalue histogram vs Pastur's equation. */
static void test_pastur(void) {
  const int n = 1200;
  const double J = 0.6, ab[2] = {1.0, 3.0};
  double *A = calloc((size_t)n * n, sizeof *A), *w = calloc(n, sizeof *w);
  gv_rng r;
  gv_rng_init(&r, 2385, 0, GV_RNG_ANALYSIS);
  for (int i = 0; i < n; i++) {
    A[(size_t)i * n + i] = ab[0] + (ab[1] - ab[0]) * gv_rng_uniform(&r);
    for (int j = 0; j < i; j++) A[(size_t)i * n + j] = A[(size_t)j * n + i] = J / sqrt((double)n) * gv_rng_normal(&r);
  }
  CHECK_OK(gv_linalg_dense_syev(n, A, w));
  gv_spectrum_hist *h = NULL;
  CHECK_OK(gv_spectrum_hist_create(&h, w, n, 0.0, 4.0, 20, 0, 0));
  if (h) {
    double *rho = calloc(h->nbins, sizeof *rho);
    CHECK_OK(gv_spectrum_pastur_density(gv_spectrum_resolvent_uniform, (void *)ab, J, h->centre, h->nbins, rho));
    double chi2 = 0;
    int nb = 0;
    for (size_t b = 0; b < h->nbins; b++) {
      if (h->counts[b] < 10) continue;
      double sig = h->error[b] + 0.02 * rho[b];
      chi2 += pow((h->density[b] - rho[b]) / sig, 2);
      nb++;
    }
    CHECK(nb >= 10 && chi2 / nb < 4.0, "Pastur: chi2/bin %g over %d bins", chi2 / nb, nb);
    printf("Pastur diag+GOE (N=%d, J=%g): chi2/bin = %.3f over %d bins\n", n, J, chi2 / nb, nb);
    free(rho);
  }
  gv_spectrum_hist_destroy(&h);
  free(A);
  free(w);
}

/* A synthetic ensemble: QLMs with D = A_g w^4 below a band of extended modes at
 * omega_1 = c_T q_min; A_g and the band edge must come back. */
/* Synthetic modes in ascending omega (insertion sort, participation alongside), as a
 * modes file holds them, and lambda = omega^2. */
static void order_modes(gv_modes *m) {
  for (int a = 1; a < m->k; a++)
    for (int b = a; b > 0 && m->omega[b] < m->omega[b - 1]; b--) {
      double t = m->omega[b];
      m->omega[b] = m->omega[b - 1], m->omega[b - 1] = t;
      t = m->participation[b], m->participation[b] = m->participation[b - 1], m->participation[b - 1] = t;
    }
  for (int j = 0; j < m->k; j++) m->lambda[j] = m->omega[j] * m->omega[j];
}

static void test_dos_synthetic(void) {
  const int ns = 200, nq = 12, nb = 12, N = 1000, d = 3;
  const double Ag = 2.385e-3, w1 = 1.2;
  gv_modes *S = calloc(ns, sizeof *S);
  gv_rng r;
  gv_rng_init(&r, 77, 0, GV_RNG_ANALYSIS);
  const double nnorm = (double)N * d - d;
  /* expected QLM count below w1*0.9 per sample: A_g nnorm w^5/5 */
  const double wc = 0.9 * w1;
  double mean = Ag * nnorm * pow(wc, 5) / 5;
  long total_q = 0;
  for (int k = 0; k < ns; k++) {
    /* Poisson-ish count: round(mean + noise) kept simple: fixed nq-sized draw with thinning */
    int cnt = 0;
    double tmpw[64];
    for (int t = 0; t < nq * 4 && cnt < 64; t++)
      if (gv_rng_uniform(&r) < mean / (nq * 4)) tmpw[cnt++] = wc * pow(gv_rng_uniform(&r), 0.2);
    total_q += cnt;
    gv_modes *m = &S[k];
    m->dim = d, m->n = N, m->k = cnt + nb, m->n_translations = d, m->zero_tol = 1e-12;
    m->lambda = calloc(m->k, sizeof(double)), m->omega = calloc(m->k, sizeof(double));
    m->participation = calloc(m->k, sizeof(double));
    m->omega_phonon = w1;
    for (int j = 0; j < cnt; j++) m->omega[j] = tmpw[j], m->participation[j] = 0.02 + 0.05 * gv_rng_uniform(&r);
    for (int j = 0; j < nb; j++)
      m->omega[cnt + j] = w1 * (0.9 + 0.2 * gv_rng_uniform(&r)), m->participation[cnt + j] = 0.5;
    order_modes(m);
  }
  gv_dos_result res;
  CHECK_OK(gv_dos_analyse(S, ns, NULL, &res));
  CHECK(res.omega_min_phonon >= 0.9 * w1 - 1e-12 && res.omega_min_phonon < 0.95 * w1,
        "band edge %g (true band starts at %g)", res.omega_min_phonon, 0.9 * w1);
  CHECK(res.n_below == total_q, "modes below the band %ld, expected %ld", res.n_below, total_q);
  /* the count estimator uses the detected edge as the window: the true A_g
   * (window wc) rescaled by (wc/edge)^5 */
  double expect = Ag * pow(wc / res.omega_min_phonon, 5) * (total_q / (mean * ns));
  CHECK_CLOSE(res.A_g, expect, 1e-9, 0);
  CHECK(fabs(res.A_g_alt - Ag) < 4 * res.A_g_alt_err + 0.1 * Ag, "A_g (5F/w^5) %g vs %g +- %g", res.A_g_alt, Ag, res.A_g_alt_err);
  CHECK(fabs(res.s - 4) < 0.5, "exponent s (slope) %g, expected 4", res.s);
  CHECK(fabs(res.s_mle - 4) < 0.7, "exponent s (MLE) %g, expected 4", res.s_mle);
  printf("synthetic DOS: edge %.4f, A_g %.4e +- %.1e (5F/w^5 %.4e, true %.4e), s %.3f (MLE %.3f), <r> %.3f\n",
         res.omega_min_phonon, res.A_g, res.A_g_err, res.A_g_alt, Ag, res.s, res.s_mle, res.r_mean);
  for (int k = 0; k < ns; k++) gv_modes_free(&S[k]);
  free(S);
}

/* s_own: samples with their OWN band edges c_k (uniform in [0.8, 1.2]) and soft modes with
 * D ~ omega^s on [0, c_k] (s = 3.3, 20 c_k^(s+1) of them on average): the pooled maximum
 * likelihood below each edge recovers s within 3 sigma and keeps every soft mode, while the
 * fit below the lowest edge of all samples keeps only a fraction. */
static void test_dos_own_edges(void) {
  const int ns = 300, nb = 8, N = 500, d = 3;
  const double s_true = 3.3;
  gv_modes *S = calloc(ns, sizeof *S);
  gv_rng r;
  gv_rng_init(&r, 78, 0, GV_RNG_ANALYSIS);
  long total_q = 0;
  for (int k = 0; k < ns; k++) {
    double c = 0.8 + 0.4 * gv_rng_uniform(&r);
    int cnt = (int)lround(20 * pow(c, s_true + 1) * (0.5 + gv_rng_uniform(&r)));
    gv_modes *m = &S[k];
    m->dim = d, m->n = N, m->k = cnt + nb, m->n_translations = d, m->zero_tol = 1e-12;
    m->lambda = calloc(m->k, sizeof(double)), m->omega = calloc(m->k, sizeof(double));
    m->participation = calloc(m->k, sizeof(double));
    m->omega_phonon = NAN;
    for (int j = 0; j < cnt; j++) m->omega[j] = c * pow(gv_rng_uniform(&r), 1 / (s_true + 1)), m->participation[j] = 0.05;
    for (int j = 0; j < nb; j++) m->omega[cnt + j] = c * (1 + 0.05 * j), m->participation[cnt + j] = 0.5;
    total_q += cnt;
    order_modes(m);
  }
  gv_dos_result res;
  CHECK_OK(gv_dos_analyse(S, ns, NULL, &res));
  CHECK(res.n_below_own == total_q, "modes below their own edges %ld, expected %ld", res.n_below_own, total_q);
  CHECK(res.n_below < total_q / 2, "below the lowest edge %ld of %ld: the test does not separate the fits", res.n_below, total_q);
  CHECK(fabs(res.s_own - s_true) < 3 * res.s_own_err, "s_own %g +- %g, expected %g", res.s_own, res.s_own_err, s_true);
  CHECK(res.s_own_err < 0.1, "s_own error %g from %ld modes", res.s_own_err, res.n_below_own);
  printf("own edges: s_own %.3f +- %.3f (%ld modes; true %.2f); below the lowest edge %ld modes, s %.3f\n", res.s_own,
         res.s_own_err, res.n_below_own, s_true, res.n_below, res.s);
  for (int k = 0; k < ns; k++) gv_modes_free(&S[k]);
  free(S);
}

int main(void) {
  test_participation();
  test_pastur();
  test_dos_synthetic();
  test_dos_own_edges();
  test_modes_and_sqw();
  test_moduli();
  return tl_finish();
}
