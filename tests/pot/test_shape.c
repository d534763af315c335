/* Shape functions f^(k)(x), k = 0..4, of every model x taper:
 *  - taper coefficients against the published numbers (models.md) and the
 *    closed form against the linear solve;
 *  - each derivative against a 5-point finite difference of the one below;
 *  - f and its first q derivatives vanish at x_c with the right order
 *    (f^(k) ~ (x_c - x)^(q+1-k)), f^(q+1) does not;
 *  - cinf: every derivative -> 0 at x_c, f = untapered below x_on. */
#include <string.h>

#include "testlib.h"

static const char *models[] = {"ipl", "poly", "poly-nbc", "kablj"};
static const int smooths[] = {0, 1, 2, 3, 4, GV_SMOOTH_CINF};

static void test_coefficients(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "poly-nbc", 3));
  CHECK_CLOSE(m.c[0], -1.92415, 3e-6, 0);
  CHECK_CLOSE(m.c[1], 2.11106, 3e-6, 0);
  CHECK_CLOSE(m.c[2], -0.591097, 3e-6, 0);
  CHECK_OK(gv_model_init(&m, "ipl", 2));
  CHECK_CLOSE(m.c[0], -1.1106337662511796, 1e-13, 0);
  CHECK_CLOSE(m.c[1], 1.2676152372297063, 1e-13, 0);
  CHECK_CLOSE(m.c[2], -0.4960406072849211, 1e-13, 0);
  CHECK_CLOSE(m.c[3], 0.06605118264157323, 1e-13, 0);
  CHECK_OK(gv_model_init(&m, "kablj", 3));
  CHECK_CLOSE(m.c[0], -4 * (pow(2.5, -12) - pow(2.5, -6)), 1e-14, 0); /* q = 0: shift */
  CHECK_OK(gv_model_set_smoothing(&m, 2));
  CHECK_CLOSE(m.c[0], 0.161960951808, 1e-10, 0);
  CHECK_CLOSE(m.c[1], -0.03880620392448, 1e-10, 0);
  CHECK_CLOSE(m.c[2], 0.0024805046747136, 1e-10, 0);
  /* Closed form = linear solve for the IPL family, all q. */
  for (int mi = 0; mi < 3; mi++)
    for (int q = 0; q <= 4; q++) {
      double a[5], b[5];
      CHECK_OK(gv_model_init(&m, models[mi], 3));
      CHECK_OK(gv_model_taper_closed_form(&m, q, a));
      CHECK_OK(gv_model_taper_solve(&m, q, b));
      for (int l = 0; l <= q; l++) CHECK_CLOSE(a[l], b[l], 1e-10, 1e-12);
    }
  int sm;
  CHECK(gv_model_parse_smoothing("cinf", &sm) == 0 && sm == GV_SMOOTH_CINF, "parse cinf");
  CHECK(gv_model_parse_smoothing("5", &sm) == GV_EINVAL, "q = 5 rejected");
  CHECK(gv_model_init(&m, "lj", 3) == GV_EINVAL, "unknown model rejected");
  CHECK(gv_model_init(&m, "ipl", 5) == GV_EINVAL, "5D rejected");
}

static double deriv5(const gv_model *m, double x, double h, int k) {
  double d[5], fm2, fm1, fp1, fp2;
  gv_model_shape(m, x - 2 * h, k, d); fm2 = d[k];
  gv_model_shape(m, x - h, k, d); fm1 = d[k];
  gv_model_shape(m, x + h, k, d); fp1 = d[k];
  gv_model_shape(m, x + 2 * h, k, d); fp2 = d[k];
  return (fm2 - 8 * fm1 + 8 * fp1 - fp2) / (12 * h);
}

static void test_derivatives(void) {
  for (int mi = 0; mi < 4; mi++)
    for (int si = 0; si < 6; si++) {
      gv_model m;
      CHECK_OK(gv_model_init(&m, models[mi], 3));
      CHECK_OK(gv_model_set_smoothing(&m, smooths[si]));
      const double x0 = 0.8, x1 = m.x_c, h = 2e-4;
      double scale[5] = {0};
      const int np = 157;
      for (int p = 0; p <= np; p++) {
        double d[5], x = x0 + (x1 - x0) * p / (np + 1.0);
        gv_model_shape(&m, x, 4, d);
        for (int k = 0; k < 5; k++)
          if (fabs(d[k]) > scale[k]) scale[k] = fabs(d[k]);
      }
      double worst = 0;
      for (int p = 1; p <= np; p++) {
        double x = x0 + (x1 - x0 - 3 * h) * p / (np + 1.0);
        double d[5];
        gv_model_shape(&m, x, 4, d);
        for (int k = 0; k < 4; k++) {
          double fd = deriv5(&m, x, h, k);
          double err = fabs(fd - d[k + 1]) / scale[k + 1];
          if (err > worst) worst = err;
          if (err > 1e-7)
            tl_fail(__FILE__, __LINE__, "%s q=%d x=%.6f: f^(%d) = %.12g, finite difference %.12g", models[mi],
                    smooths[si], x, k + 1, d[k + 1], fd);
          tl_checks++;
        }
      }
      printf("%-8s smoothing %2d: worst FD error / scale %.2e\n", models[mi], smooths[si], worst);
      /* Beyond the cutoff: exactly zero. */
      double d[5];
      gv_model_shape(&m, m.x_c, 4, d);
      for (int k = 0; k < 5; k++) CHECK(d[k] == 0.0, "f^(%d)(x_c) = %g", k, d[k]);
      gv_model_shape(&m, m.x_c * 1.3, 4, d);
      for (int k = 0; k < 5; k++) CHECK(d[k] == 0.0, "f^(%d) beyond x_c = %g", k, d[k]);
      /* Order of contact at x_c. */
      if (smooths[si] >= 0) {
        int q = smooths[si];
        double a[5], b[5], dl = 1e-3 * m.x_c;
        gv_model_shape(&m, m.x_c - dl, 4, a);
        gv_model_shape(&m, m.x_c - 2 * dl, 4, b);
        for (int k = 0; k <= q; k++) {
          double order = log2(b[k] / a[k]); /* f^(k) ~ delta^(q+1-k) */
          CHECK_CLOSE(order, q + 1 - k, 0.02, 0);
        }
        if (q < 4) CHECK(a[q + 1] != 0 && fabs(log2(b[q + 1] / a[q + 1])) < 0.05, "f^(q+1) must tend to a nonzero limit at x_c");
      } else {
        double a[5];
        double w = m.x_c - m.x_on;
        gv_model_shape(&m, m.x_c - 0.005 * w, 4, a); /* psi(0.005) = e^-200 */
        for (int k = 0; k < 5; k++)
          CHECK(fabs(a[k]) < 1e-15 * scale[k], "cinf: f^(%d) near x_c = %g", k, a[k]);
        /* Below x_on the taper is exactly 1: compare with q = 0 minus its shift. */
        gv_model raw = m;
        CHECK_OK(gv_model_set_smoothing(&raw, 0));
        double u[5], x = 0.5 * (0.8 + m.x_on);
        gv_model_shape(&m, x, 4, a);
        gv_model_shape(&raw, x, 4, u);
        CHECK_CLOSE(a[0], u[0] - raw.c[0], 1e-14, 1e-14);
        for (int k = 1; k < 5; k++) CHECK_CLOSE(a[k], u[k], 1e-14, 1e-14);
      }
    }
}

/* Radial derivatives of a pair are lambda-scaled shape derivatives. */
static void test_pair(void) {
  gv_model m;
  gv_system *s = NULL;
  CHECK_OK(gv_model_init(&m, "kablj", 2));
  CHECK_OK(gv_system_create(&s, 2, 2, 0, 1, 0));
  s->type[0] = 0;
  s->type[1] = 1;
  double d[5], f[5], r = 1.2385;
  CHECK(gv_model_pair(&m, s, 0, 1, r, 4, d) == 1, "inside cutoff");
  gv_model_shape(&m, r / 0.8, 4, f);
  for (int k = 0; k < 5; k++) CHECK_CLOSE(d[k], 1.5 * f[k] / pow(0.8, k), 1e-14, 0);
  CHECK_CLOSE(gv_model_pair_cutoff(&m, s, 0, 1), 2.0, 1e-15, 0);
  CHECK(gv_model_pair(&m, s, 0, 1, 2.0001, 2, d) == 0 && d[0] == 0, "outside cutoff");
  gv_system_destroy(&s);
}

int main(void) {
  test_coefficients();
  test_derivatives();
  test_pair();
  return tl_finish();
}
