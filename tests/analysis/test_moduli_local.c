/* Local shear moduli and the heterogeneity fit against physics:
 *  - f_d(x) = E exp(-x|P - Q|) of the unit cube: f(0) = 1, the asymptote
 *    S_d Gamma(d) x^-d, and an independent Monte Carlo estimate;
 *  - sum rule: the box average of the local moduli is the global G of
 *    gv_moduli_compute for every box size (2D reference snapshot, 3D glass);
 *  - a perfect triangular crystal: every site is equivalent, so boxes holding
 *    the same number of sites have identical moduli (variance 0);
 *  - the fit recovers (eps2, a) from variances synthesised with f_d. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "glassvib/dyn.h"
#include "testlib.h"

static void test_box_factor(void) {
  for (int d = 2; d <= 4; d++) {
    CHECK_CLOSE(gv_moduli_box_factor(d, 0.0), 1.0, 2e-3, 0);
    const double area = 2 * pow(M_PI, d / 2.0) / tgamma(d / 2.0), x = 400.0;
    CHECK_CLOSE(gv_moduli_box_factor(d, x) * pow(x, d), area * tgamma(d), 2e-2, 0);
  }
  /* independent estimate: two uniform points of the unit cube, x = 1.7 */
  gv_rng r;
  gv_rng_init(&r, 2385, 1, 7);
  for (int d = 2; d <= 3; d++) {
    const long ns = 400000;
    double sum = 0;
    for (long k = 0; k < ns; k++) {
      double rr = 0;
      for (int a = 0; a < d; a++) {
        double t = gv_rng_uniform(&r) - gv_rng_uniform(&r);
        rr += t * t;
      }
      sum += exp(-1.7 * sqrt(rr));
    }
    CHECK_CLOSE(gv_moduli_box_factor(d, 1.7), sum / ns, 5e-3, 0);
  }
}

static void check_sum_rule(const gv_model *m, gv_system *s, const char *tag) {
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, m, s, 0.0));
  if (!H) return;
  gv_moduli mo;
  gv_moduli_local lo;
  int boxes[] = {1, 2, 3, 5};
  CHECK_OK(gv_moduli_compute(H, s, NULL, &mo));
  CHECK_OK(gv_moduli_local_compute(H, s, NULL, boxes, 4, &lo));
  CHECK_CLOSE(lo.G, mo.G, 1e-9, 0);
  for (int k = 0; k < 4; k++) CHECK_CLOSE(lo.mean[k], mo.G, 1e-9, 0);
  CHECK(lo.var[0] == 0, "%s: one box has no variance", tag);
  CHECK(lo.var[1] > 0 && lo.var[2] > lo.var[1] && lo.var[3] > lo.var[2],
        "%s: smaller boxes fluctuate more (%g %g %g)", tag, lo.var[1], lo.var[2], lo.var[3]);
  CHECK(lo.eps2 > 0 && lo.a > 0 && isfinite(lo.disorder_volume), "%s: fit (eps2 %g, a %g)", tag, lo.eps2, lo.a);
  gv_hessian_destroy(&H);
}

static void test_sum_rule(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/reference_snapshots/ipl2D_snap.dat", tl_shared_dir());
  gv_glass g;
  CHECK_OK(gv_glass_read(path, "ipl", 2, &g));
  if (!g.sys) return;
  gv_min_params p;
  gv_min_params_default(&p);
  gv_min_result r;
  CHECK_OK(gv_minimize_system(&g.model, g.sys, &p, &r));
  check_sum_rule(&g.model, g.sys, "ipl 2D N=400");
  gv_glass_free(&g);
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  gv_system *s = NULL;
  CHECK_OK(gv_system_create_random(&s, &m, 300, 2385));
  if (!s) return;
  CHECK_OK(gv_minimize_system(&m, s, &p, &r));
  check_sum_rule(&m, s, "ipl 3D N=300");
  gv_system_destroy(&s);
}

static void test_crystal(void) {
  const int nx = 12, ny = 12;
  const double a = sqrt(2 / (sqrt(3.0) * 0.86)), h = 0.5 * sqrt(3.0) * a;
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 2));
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 2, (long)nx * ny, 0, 1, 0));
  if (!s) return;
  double H0[GV_MAX_DIM][GV_MAX_DIM] = {{nx * a, 0}, {0, ny * h}};
  CHECK_OK(gv_box_init(&s->box, 2, H0));
  for (int j = 0; j < ny; j++)
    for (int i = 0; i < nx; i++) {
      long k = (long)j * nx + i;
      s->x[2 * k] = (i + 0.5 * (j % 2) + 0.25) * a;
      s->x[2 * k + 1] = (j + 0.5) * h;
      s->type[k] = 0;
    }
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, &m, s, 0.0));
  if (!H) return;
  gv_moduli mo;
  gv_moduli_local lo;
  int boxes[] = {2, 3, 4, 6};
  CHECK_OK(gv_moduli_compute(H, s, NULL, &mo));
  CHECK_OK(gv_moduli_local_compute(H, s, NULL, boxes, 4, &lo));
  CHECK(mo.G > 0, "triangular crystal is stable (G = %g)", mo.G);
  for (int k = 0; k < 4; k++)
    CHECK(lo.var[k] < 1e-20 * mo.G * mo.G, "crystal: boxes of %d^2 differ (var %g, G %g)", boxes[k], lo.var[k], mo.G);
  gv_hessian_destroy(&H);
  gv_system_destroy(&s);
}

static void test_fit(void) {
  for (int d = 2; d <= 3; d++) {
    gv_moduli_local o;
    memset(&o, 0, sizeof o);
    o.dim = d, o.G = 7.3, o.nw = 6;
    const double eps2 = 0.237, acorr = 1.83;
    for (int k = 0; k < o.nw; k++) {
      o.w[k] = 1.1 * pow(1.6, k);
      o.var[k] = eps2 * o.G * o.G * gv_moduli_box_factor(d, o.w[k] / acorr);
    }
    gv_moduli_local_fit(&o);
    /* the a grid has 80 points per decade: 1.5% resolution */
    CHECK_CLOSE(o.a, acorr, 0.03, 0);
    CHECK_CLOSE(o.eps2, eps2, 0.05, 0);
    CHECK(o.fit_rms < 0.02, "%dD fit rms %g", d, o.fit_rms);
  }
}

int main(void) {
  test_fit();
  test_box_factor();
  test_sum_rule();
  test_crystal();
  return tl_finish();
}
