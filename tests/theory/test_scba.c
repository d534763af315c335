/* HET-SCBA: exact static limit, gamma_c, the self-consistent equation against direct
 * numerical k-integration, normalisation of g, Im Sigma >= 0, Kramers-Kronig, the analytic
 * Rayleigh coefficient, the vector theory's gamma_c and its scalar limit. */
#include <complex.h>
#include <stdlib.h>

#include <gsl/gsl_integration.h>

#include "glassvib/theory.h"
#include "testlib.h"

static void test_static(void) {
  const double gs[] = {0.0385, 0.2385, 0.2499};
  for (int i = 0; i < 3; i++) {
    gv_scba_params p = {gs[i], 0, 0, 0};
    double s0;
    CHECK_OK(gv_scba_static(&p, &s0));
    CHECK_CLOSE(s0, (1 - sqrt(1 - 4 * gs[i])) / 2, 1e-13, 0);
  }
  gv_scba_params p = {0.2, 0, 0, 0};
  double gc;
  CHECK_OK(gv_scba_gamma_c(&p, &gc));
  CHECK_CLOSE(gc, 0.25, 1e-15, 0);
  p.gamma = 0.25;
  double s0;
  CHECK(gv_scba_static(&p, &s0) == GV_EUNSTABLE, "gamma = gamma_c must be rejected");
  p.gamma = 0.3;
  double w[3] = {0, 0.1, 0.2};
  double complex s[3];
  CHECK(gv_scba_solve(&p, w, 3, s) == GV_EUNSTABLE, "gamma > gamma_c must be rejected");
}

/* Direct k-integration of 3 gamma c_T^4 int k^4 [wl chi_L + chi_T] at a given Sigma. */
typedef struct {
  double complex X;
  double w;
  int im;
} kctx;
static double kf(double k, void *v) {
  kctx *c = v;
  double complex r = k * k * k * k / (c->X * k * k - c->w * c->w);
  return c->im ? cimag(r) : creal(r);
}
static double complex kint_num(double complex X, double w) {
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
  double re, im, err;
  kctx c = {X, w, 0};
  gsl_function F = {kf, &c};
  gsl_integration_qag(&F, 0, 1, 1e-14, 1e-12, 2000, 6, ws, &re, &err);
  c.im = 1;
  gsl_integration_qag(&F, 0, 1, 1e-14, 1e-12, 2000, 6, ws, &im, &err);
  gsl_integration_workspace_free(ws);
  return re + I * im;
}

static void test_equation(void) {
  /* Scalar and vector: the solution satisfies the equation with the k-integral done
   * numerically (Im X < 0 keeps the integrand smooth away from the band edges). */
  gv_scba_params ps = {0.2385, 0, 0, 0}, pv = {0.1385, 1, 2.385, 1.17};
  enum { N = 801 };
  double *w = malloc(N * sizeof *w);
  double complex *s = malloc(N * sizeof *s);
  for (int v = 0; v < 2; v++) {
    gv_scba_params *p = v ? &pv : &ps;
    double wmax = v ? 1.4 * pv.cl : 1.4;
    for (int i = 0; i < N; i++) w[i] = wmax * i / (N - 1);
    CHECK_OK(gv_scba_solve(p, w, N, s));
    double ct2 = v ? pv.ct * pv.ct : 1, cl2 = pv.cl * pv.cl;
    int neg = 0;
    for (int i = 0; i < N; i++)
      if (cimag(s[i]) < 0) neg++;
    CHECK(neg == 0, "Im Sigma < 0 at %d points", neg);
    int checked = 0;
    for (int i = 20; i < N; i += 60) {
      if (cimag(s[i]) < 0.02 * ct2) continue; /* near-real: integrand too sharp for qag */
      double complex rhs = 3 * p->gamma * ct2 * ct2 * kint_num(ct2 - s[i], w[i]);
      if (v) rhs += 3 * p->gamma * ct2 * ct2 * (2.0 / 3.0) * kint_num(cl2 - 4.0 / 3.0 * s[i], w[i]);
      CHECK_CLOSE(cabs(rhs - s[i]), 0, 0, 1e-10);
      checked++;
    }
    CHECK(checked >= 4, "only %d points checked", checked);
  }
  free(w);
  free(s);
}

static void test_dos_kk_rayleigh(void) {
  for (int v = 0; v < 2; v++) {
    gv_scba_params p = v ? (gv_scba_params){0.1385, 1, 2.385, 1.17} : (gv_scba_params){0.2385, 0, 0, 0};
    enum { N = 16001 };
    double wmax = v ? 1.3 * p.cl : 1.3;
    double *w = malloc(N * sizeof *w);
    for (int i = 0; i < N; i++) w[i] = wmax * i / (N - 1);
    gv_scba_result *r = NULL;
    CHECK_OK(gv_scba_run(&p, w, N, &r));
    if (!r) return;
    CHECK_CLOSE(r->norm, 1.0, 2e-4, 0);
    CHECK(r->g[N - 1] == 0, "g must vanish above the band edge (g = %g)", r->g[N - 1]);
    /* Kramers-Kronig (z = w + i0, Sigma -> 0 at infinity, Im Sigma odd):
     * Re Sigma(w) = (2/pi) PV int_0^W w' Im Sigma(w') / (w'^2 - w^2) dw'. Subtract the
     * singularity, trapezoid on the fine grid. */
    double h = w[1] - w[0], worst = 0;
    for (int i0 = 1000; i0 < N - 1000; i0 += 1500) {
      double x = w[i0], fx = x * cimag(r->sigma[i0]), sum = 0;
      for (int i = 0; i < N; i++) {
        double f;
        if (i == i0) {
          /* limit of (w' Im S(w') - x Im S(x)) / (w'^2 - x^2): derivative / (2x) */
          f = ((w[i + 1] * cimag(r->sigma[i + 1])) - (w[i - 1] * cimag(r->sigma[i - 1]))) / (2 * h) / (2 * x);
        } else {
          f = (w[i] * cimag(r->sigma[i]) - fx) / (w[i] * w[i] - x * x);
        }
        sum += (i == 0 || i == N - 1 ? 0.5 : 1.0) * f * h;
      }
      double W = w[N - 1];
      sum += fx * log((W - x) / (W + x)) / (2 * x);
      double kk = 2 / M_PI * sum;
      double e = fabs(kk - creal(r->sigma[i0]));
      if (e > worst) worst = e;
    }
    double scale = v ? p.ct * p.ct : 1.0;
    CHECK(worst < 2e-4 * scale, "Kramers-Kronig mismatch %g (vector %d)", worst, v);
    /* Rayleigh: Gamma_L/omega^4 at the lowest frequencies -> analytic coefficient. */
    double R = r->gamma_L[10] / pow(w[10], 4);
    CHECK_CLOSE(R, r->rayleigh_L, 2e-3, 0);
    R = r->gamma_T[10] / pow(w[10], 4);
    CHECK_CLOSE(R, r->rayleigh_T, 2e-3, 0);
    /* Debye level of g/omega^2 at low frequency. */
    CHECK_CLOSE(r->g_red[10], r->debye_level, 2e-3, 0);
    CHECK(r->omega_bp > 0 && r->bp_height > r->debye_level, "boson peak above the Debye level");
    gv_scba_result_destroy(&r);
    free(w);
  }
}

static void test_vector(void) {
  /* gamma_c: the static solution exists just below it and not above; tangency there. */
  gv_scba_params p = {0, 1, 2.385, 1.17};
  double gc, s0;
  CHECK_OK(gv_scba_gamma_c(&p, &gc));
  CHECK(gc > 0 && gc < 0.25, "vector gamma_c = %g must lie in (0, 1/4)", gc);
  p.gamma = gc * (1 - 1e-6);
  CHECK_OK(gv_scba_static(&p, &s0));
  double ct2 = p.ct * p.ct, ct4 = ct2 * ct2, xt = ct2 - s0, xl = p.cl * p.cl - 4.0 / 3.0 * s0;
  CHECK_CLOSE(s0, p.gamma * ct4 * (2.0 / 3.0 / xl + 1 / xt), 1e-12, 0);
  double slope = p.gamma * ct4 * (8.0 / 9.0 / (xl * xl) + 1 / (xt * xt));
  CHECK_CLOSE(slope, 1.0, 0, 5e-3); /* dF/dSigma -> 0 at the edge (sqrt approach) */
  p.gamma = gc * (1 + 1e-6);
  CHECK(gv_scba_static(&p, &s0) == GV_EUNSTABLE, "gamma above vector gamma_c must fail");
  /* Weak disorder: Sigma0 = gamma c_T^4 [(2/3)/c_L^2 + 1/c_T^2] + O(gamma^2). */
  p.gamma = 1e-6;
  CHECK_OK(gv_scba_static(&p, &s0));
  CHECK_CLOSE(s0, 1e-6 * ct4 * (2.0 / 3.0 / (p.cl * p.cl) + 1 / ct2), 1e-5, 0);
  /* c_L -> infinity: gamma_c -> 1/4 and Sigma(w) -> the scalar one (c_T = 1). */
  gv_scba_params pv = {0.2385, 1, 3000.0, 1.0}, ps = {0.2385, 0, 0, 0};
  CHECK_OK(gv_scba_gamma_c(&pv, &gc));
  CHECK_CLOSE(gc, 0.25, 1e-5, 0);
  double w[6] = {0, 0.1, 0.3, 0.5, 0.7, 0.9};
  double complex sv[6], ss[6];
  CHECK_OK(gv_scba_solve(&pv, w, 6, sv));
  CHECK_OK(gv_scba_solve(&ps, w, 6, ss));
  for (int i = 0; i < 6; i++) CHECK_CLOSE(cabs(sv[i] - ss[i]), 0, 0, 1e-5);
  /* gamma_c falls as c_L/c_T decreases (the longitudinal channel adds softening). */
  double g1, g2;
  gv_scba_params a = {0, 1, 3.0, 1.0}, b = {0, 1, 1.6, 1.0};
  CHECK_OK(gv_scba_gamma_c(&a, &g1));
  CHECK_OK(gv_scba_gamma_c(&b, &g2));
  CHECK(g2 < g1 && g1 < 0.25, "gamma_c(1.6) = %g < gamma_c(3) = %g < 1/4", g2, g1);
}

static void test_boson_peak_moves(void) {
  /* The boson peak moves to lower frequency as gamma -> gamma_c. */
  const double gs[] = {0.1, 0.2, 0.24, 0.249};
  double prev = INFINITY;
  enum { N = 3001 };
  double *w = malloc(N * sizeof *w);
  for (int i = 0; i < N; i++) w[i] = 1.3 * i / (N - 1);
  for (int k = 0; k < 4; k++) {
    gv_scba_params p = {gs[k], 0, 0, 0};
    gv_scba_result *r = NULL;
    CHECK_OK(gv_scba_run(&p, w, N, &r));
    if (!r) break;
    CHECK(r->omega_bp < prev, "omega_bp(%g) = %g must decrease", gs[k], r->omega_bp);
    prev = r->omega_bp;
    gv_scba_result_destroy(&r);
  }
  free(w);
}

int main(void) {
  test_static();
  test_equation();
  test_dos_kk_rayleigh();
  test_vector();
  test_boson_peak_moves();
  return tl_finish();
}
