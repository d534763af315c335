/* Born / GBA: closed-form residues vs direct (p, t) integration (GSL adaptive), the
 * delta-function form of Im Sigma, the q -> 0 limit (non-local -> local), the analytic
 * Rayleigh coefficients, Im Sigma >= 0, Kramers-Kronig, the resummed variant against the
 * first-order one at weak disorder, quadrature convergence, the DHO fit. */
#include <complex.h>
#include <stdlib.h>

#include <gsl/gsl_integration.h>

#include "glassvib/theory.h"
#include "testlib.h"

/* ------------------------------------------------ direct (p, t) integration */
typedef struct {
  double k, a, t;
  double complex p0;
  int order, im;
  gsl_integration_workspace *wp;
  int ch; /* 0 LL, 1 LT/TL, 2 TT */
} dctx;

static double wch(int ch, double t) {
  double t2 = t * t;
  return ch == 0 ? 4 * t2 * t2 : ch == 1 ? 4 * t2 * (1 - t2) : 1 - 3 * t2 + 4 * t2 * t2;
}
static double pf(double p, void *v) {
  dctx *c = v;
  double Q = 1 / (c->a * c->a) + c->k * c->k + p * p - 2 * c->k * p * c->t;
  double complex d = c->p0 * c->p0 - p * p;
  double complex r = c->order == 1 ? p * p * p * p / (d * Q * Q) : pow(p, 6) / (d * d * Q * Q);
  return c->im ? cimag(r) : creal(r);
}
static double tf(double t, void *v) {
  dctx *c = v;
  c->t = t;
  gsl_function F = {pf, c};
  double r, e;
  gsl_integration_qagiu(&F, 0, 1e-13, 1e-12, 4000, c->wp, &r, &e);
  return wch(c->ch, t) * r;
}
/* int dt W_ch int_0^inf dp (order 1 or 2 integrand) */
static double complex direct(double k, double a, double complex p0, int order, int ch) {
  gsl_integration_workspace *wt = gsl_integration_workspace_alloc(4000);
  dctx c = {k, a, 0, p0, order, 0, gsl_integration_workspace_alloc(4000), ch};
  gsl_function F = {tf, &c};
  double re, im, e;
  gsl_integration_qag(&F, -1, 1, 1e-13, 1e-11, 4000, 6, wt, &re, &e);
  c.im = 1;
  gsl_integration_qag(&F, -1, 1, 1e-13, 1e-11, 4000, 6, wt, &im, &e);
  gsl_integration_workspace_free(c.wp);
  gsl_integration_workspace_free(wt);
  return re + I * im;
}

static void test_residues_vs_direct(void) {
  const double cl = 2.385, ct = 1.31, a = 0.637, A = 0.0473;
  const double qs[] = {0.731, 2.11}; /* q a ~ 0.47 and 1.34 */
  for (int kind = GV_BORN_NONLOCAL; kind <= GV_GBA_FIRST; kind++) {
    gv_born_params p = {cl, ct, A, a, (gv_born_kind)kind, 1e-12};
    double vl, vt;
    CHECK_OK(gv_born_intermediate_velocities(&p, &vl, &vt));
    for (int iq = 0; iq < 2; iq++) {
      double q = qs[iq];
      gv_born_plan *pl = NULL;
      CHECK_OK(gv_born_plan_create(&p, q, &pl));
      if (!pl) return;
      /* w - i eta with finite eta: the p-integrand is smooth on the real axis. */
      double complex w = 0.93 * vl * q * (1 - 0.27 * I);
      gv_born_sigma s;
      gv_born_plan_eval_complex(pl, w, &s);
      double pre = 2 / M_PI * A / a * q * q;
      double complex dL = 0, dT = 0;
      if (kind == GV_GBA_FIRST) {
        double complex bl = (gv_born_b(a, w / cl) - gv_born_b(a, 0)) / (cl * cl);
        double complex bt = (gv_born_b(a, w / ct) - gv_born_b(a, 0)) / (ct * ct);
        dL = A / a * (0.8 * bl + 8.0 / 15 * bt);
        dT = A / (2 * a) * (0.8 * bt + 8.0 / 15 * bl);
      }
      double complex pL = w / vl, pT = w / vt;
      double complex LL = pre / (vl * vl) * direct(q, a, pL, 1, 0);
      double complex TL = pre / (vl * vl) * direct(q, a, pL, 1, 1);
      double complex LT = pre / (vt * vt) * direct(q, a, pT, 1, 1);
      double complex TT = pre / (vt * vt) * direct(q, a, pT, 1, 2);
      if (kind == GV_GBA_FIRST) {
        LL += pre * dL / pow(vl, 4) * direct(q, a, pL, 2, 0);
        TL += pre * dL / pow(vl, 4) * direct(q, a, pL, 2, 1);
        LT += pre * dT / pow(vt, 4) * direct(q, a, pT, 2, 1);
        TT += pre * dT / pow(vt, 4) * direct(q, a, pT, 2, 2);
      }
      CHECK_CLOSE(cabs(s.LL - LL) / cabs(LL), 0, 0, 1e-9);
      CHECK_CLOSE(cabs(s.LT - LT) / cabs(LT), 0, 0, 1e-9);
      CHECK_CLOSE(cabs(s.TT - TT) / cabs(TT), 0, 0, 1e-9);
      CHECK_CLOSE(cabs(s.TL - TL) / cabs(TL), 0, 0, 1e-9);
      gv_born_plan_destroy(&pl);
    }
  }
}

/* Im Sigma_XY on the real axis from the delta function of 1/(p0^2 - p^2 - i0):
 * Im Sigma_XY = (A/a)(k^2/v^2)(p0^3/2) int dt W [1/Q(p0)^2 + 1/Q(-p0)^2]. */
typedef struct {
  double k, a, p0;
  int ch;
} ictx;
static double imf(double t, void *v) {
  ictx *c = v;
  double b = 1 / (c->a * c->a) + c->k * c->k + c->p0 * c->p0, x = 2 * c->k * c->p0 * t;
  return wch(c->ch, t) * (1 / ((b - x) * (b - x)) + 1 / ((b + x) * (b + x)));
}
static void test_im_delta(void) {
  const double cl = 2.385, ct = 1.31, a = 0.637, A = 0.0473;
  gv_born_params p = {cl, ct, A, a, GV_BORN_NONLOCAL, 0};
  gsl_integration_workspace *ws = gsl_integration_workspace_alloc(2000);
  const double qs[] = {0.05, 1.3, 9.7};
  for (int iq = 0; iq < 3; iq++) {
    double q = qs[iq];
    gv_born_plan *pl = NULL;
    CHECK_OK(gv_born_plan_create(&p, q, &pl));
    if (!pl) break;
    CHECK(gv_born_plan_quad_err(pl) <= 1e-8, "quadrature error %g at q a = %g",
          gv_born_plan_quad_err(pl), q * a);
    for (double x = 0.2; x < 3; x += 0.37) {
      double w = x * ct * q;
      gv_born_sigma s;
      gv_born_plan_eval(pl, w, &s);
      double r, e;
      ictx c = {q, a, w / cl, 0};
      gsl_function F = {imf, &c};
      gsl_integration_qag(&F, -1, 1, 0, 1e-12, 2000, 6, ws, &r, &e);
      double LL = A / a * q * q / (cl * cl) * 0.5 * pow(w / cl, 3) * r;
      c.p0 = w / ct;
      c.ch = 2;
      gsl_integration_qag(&F, -1, 1, 0, 1e-12, 2000, 6, ws, &r, &e);
      double TT = A / a * q * q / (ct * ct) * 0.5 * pow(w / ct, 3) * r;
      CHECK_CLOSE(cimag(s.LL), LL, 1e-8, 0);
      CHECK_CLOSE(cimag(s.TT), TT, 1e-8, 0);
    }
    gv_born_plan_destroy(&pl);
  }
  gsl_integration_workspace_free(ws);
}

static void test_local_limit_and_rayleigh(void) {
  const double cl = 2.385, ct = 1.31, a = 0.637, A = 0.0473;
  gv_born_params pn = {cl, ct, A, a, GV_BORN_NONLOCAL, 0}, plo = pn;
  plo.kind = GV_BORN_LOCAL;
  double q = 1e-4 / a;
  gv_born_plan *n = NULL, *l = NULL;
  CHECK_OK(gv_born_plan_create(&pn, q, &n));
  CHECK_OK(gv_born_plan_create(&plo, q, &l));
  if (!n || !l) return;
  const double ws[] = {0.0, 0.3, 1.7, 5.2, 21.0}; /* w a / c up to ~ 5: deep non-Rayleigh */
  for (int i = 0; i < 5; i++) {
    gv_born_sigma sn, sl;
    gv_born_plan_eval(n, ws[i], &sn);
    gv_born_plan_eval(l, ws[i], &sl);
    CHECK_CLOSE(cabs(sn.L - sl.L) / cabs(sl.L), 0, 0, 1e-7);
    CHECK_CLOSE(cabs(sn.T - sl.T) / cabs(sl.T), 0, 0, 1e-7);
    CHECK_CLOSE(cabs(sn.LT - sl.LT) / cabs(sl.LT), 0, 0, 1e-7);
    CHECK_CLOSE(cabs(sn.TL - sl.TL) / cabs(sl.TL), 0, 0, 1e-7);
  }
  gv_born_plan_destroy(&n);
  gv_born_plan_destroy(&l);
  /* Rayleigh law Gamma_P ~ R_P q^4 at q a << 1 for every approximation, and the departure
   * from it at q a ~ 1 (Gamma_L/q^4 falls below R_L). */
  for (int kind = 0; kind < 4; kind++) {
    gv_born_params p = {cl, ct, 0.0873, a, (gv_born_kind)kind, 0};
    double qq = 0.004 / a;
    gv_born_plan *pl = NULL;
    CHECK_OK(gv_born_plan_create(&p, qq, &pl));
    if (!pl) continue;
    double Om, Ga;
    CHECK_OK(gv_born_pole(pl, 0, &Om, &Ga));
    CHECK_CLOSE(Ga / pow(qq, 4), gv_born_rayleigh_coeff_L(&p), 2e-4, 0);
    CHECK_OK(gv_born_pole(pl, 1, &Om, &Ga));
    CHECK_CLOSE(Ga / pow(qq, 4), gv_born_rayleigh_coeff_T(&p), 2e-4, 0);
    gv_born_plan_destroy(&pl);
    CHECK_OK(gv_born_plan_create(&p, 1.0 / a, &pl));
    if (!pl) continue;
    CHECK_OK(gv_born_pole(pl, 0, &Om, &Ga));
    CHECK(Ga / pow(1.0 / a, 4) < 0.8 * gv_born_rayleigh_coeff_L(&p),
          "kind %d: Gamma_L/q^4 at q a = 1 must fall below the Rayleigh law", kind);
    gv_born_plan_destroy(&pl);
  }
}

static void test_im_positive(void) {
  const double cl = 2.292, ct = 1.238, a = 0.143, A = 0.5;
  for (int kind = 0; kind < 4; kind++) {
    gv_born_params p = {cl, ct, A, a, (gv_born_kind)kind, 1e-9};
    int bad = 0;
    double worst = 0;
    for (double qa = 0.01; qa < 12; qa *= 1.9) {
      gv_born_plan *pl = NULL;
      CHECK_OK(gv_born_plan_create(&p, qa / a, &pl));
      if (!pl) continue;
      for (double x = 0.01; x < 40; x *= 1.13) {
        gv_born_sigma s;
        gv_born_plan_eval(pl, x * ct / a, &s);
        double m = fmin(cimag(s.L), cimag(s.T)) / fmax(cabs(s.L), cabs(s.T));
        if (kind <= GV_BORN_NONLOCAL)
          m = fmin(m, fmin(fmin(cimag(s.LL), cimag(s.LT)), fmin(cimag(s.TT), cimag(s.TL))) / cabs(s.L));
        if (m < -1e-12) bad++;
        if (m < worst) worst = m;
      }
      gv_born_plan_destroy(&pl);
    }
    CHECK(bad == 0, "kind %d: Im Sigma < 0 at %d points (worst relative %g)", kind, bad, worst);
  }
}

/* Kramers-Kronig for w - i0 (analytic in the lower half plane, Sigma -> 0 at infinity):
 * Re Sigma(w) = -(2/pi) PV int_0^inf w' Im Sigma(w') / (w'^2 - w^2) dw'. */
typedef struct {
  const gv_born_plan *pl;
  double x, fx;
} kkctx;
static double kkf(double y, void *v) {
  kkctx *c = v;
  gv_born_sigma s;
  gv_born_plan_eval(c->pl, y, &s);
  return (y * cimag(s.L) - c->fx) / (y * y - c->x * c->x);
}
static void test_kramers_kronig(void) {
  const double cl = 2.385, ct = 1.31, a = 0.637, A = 0.0473;
  for (int kind = GV_BORN_NONLOCAL; kind <= GV_GBA_RESUMMED; kind += 2) {
    gv_born_params p = {cl, ct, A, a, (gv_born_kind)kind, 1e-10};
    double q = 1.1 / a;
    gv_born_plan *pl = NULL;
    CHECK_OK(gv_born_plan_create(&p, q, &pl));
    if (!pl) return;
    gsl_integration_workspace *ws = gsl_integration_workspace_alloc(4000);
    double W = 4000 * cl * q;
    for (double x = 0.5 * ct * q; x < 2 * cl * q; x *= 1.7) {
      gv_born_sigma s;
      gv_born_plan_eval(pl, x, &s);
      kkctx c = {pl, x, x * cimag(s.L)};
      gsl_function F = {kkf, &c};
      double pts[5] = {0, x, 2 * x, 50 * cl * q, W}, r, e;
      gsl_integration_qagp(&F, pts, 5, 1e-12, 1e-9, 4000, ws, &r, &e);
      r += c.fx * log((W - x) / (W + x)) / (2 * x);
      /* tail: Im Sigma ~ C / w at large w */
      gv_born_sigma sw;
      gv_born_plan_eval(pl, W, &sw);
      r += W * cimag(sw.L) / W;
      double kk = -2 / M_PI * r;
      CHECK_CLOSE(kk, creal(s.L), 1e-4, 1e-6 * cabs(s.L));
    }
    gsl_integration_workspace_free(ws);
    gv_born_plan_destroy(&pl);
  }
}

static void test_resummed_vs_first_order(void) {
  /* The resummed dressing agrees with the first-order one to O(A^3) (the second order of
   * the dressing is O(A^3) in Sigma): the difference must shrink as A^3. */
  const double cl = 2.385, ct = 1.31, a = 0.637, q = 1.3 / a, w = 0.9 * ct * q;
  double d[2];
  const double As[2] = {0.02, 0.01};
  for (int i = 0; i < 2; i++) {
    gv_born_params p1 = {cl, ct, As[i], a, GV_GBA_FIRST, 1e-12}, p2 = p1;
    p2.kind = GV_GBA_RESUMMED;
    gv_born_plan *a1 = NULL, *a2 = NULL;
    CHECK_OK(gv_born_plan_create(&p1, q, &a1));
    CHECK_OK(gv_born_plan_create(&p2, q, &a2));
    if (!a1 || !a2) return;
    gv_born_sigma s1, s2;
    gv_born_plan_eval(a1, w, &s1);
    gv_born_plan_eval(a2, w, &s2);
    d[i] = cabs(s1.T - s2.T);
    gv_born_plan_destroy(&a1);
    gv_born_plan_destroy(&a2);
  }
  double ratio = d[0] / d[1];
  CHECK(ratio > 7 && ratio < 9, "resummed - first-order must scale as A^3: ratio %g", ratio);
}

static void test_dho_and_validation(void) {
  /* A DHO spectrum is fitted back exactly. */
  enum { N = 300 };
  double w[N], S[N], Om, Ga, I0;
  for (int i = 0; i < N; i++) {
    w[i] = 0.5 + 2.0 * i / N;
    double e = w[i] * w[i] - 1.385 * 1.385;
    S[i] = 2.7 * 0.173 / (e * e + w[i] * w[i] * 0.173 * 0.173);
  }
  CHECK_OK(gv_dho_fit(w, S, N, 1.3, 0.3, &Om, &Ga, &I0));
  CHECK_CLOSE(Om, 1.385, 1e-8, 0);
  CHECK_CLOSE(Ga, 0.173, 1e-7, 0);
  CHECK_CLOSE(I0, 2.7, 1e-7, 0);
  /* Bad parameters. */
  gv_born_params p = {1.0, 2.0, 0.1, 1.0, GV_BORN_NONLOCAL, 0};
  CHECK(gv_born_validate(&p) == GV_EINVAL, "c_T >= c_L must be rejected");
  p = (gv_born_params){2.0, 1.0, -0.1, 1.0, GV_BORN_NONLOCAL, 0};
  CHECK(gv_born_validate(&p) == GV_EINVAL, "A < 0 must be rejected");
  p = (gv_born_params){2.0, 1.0, 0.1, 0.0, GV_BORN_NONLOCAL, 0};
  CHECK(gv_born_validate(&p) == GV_EINVAL, "a <= 0 must be rejected");
  p = (gv_born_params){2.0, 1.0, 5.0, 1.0, GV_GBA_FIRST, 0};
  CHECK(gv_born_validate(&p) == GV_EUNSTABLE, "negative renormalised velocity must be rejected");
}

int main(void) {
  gv_log_set_level(GV_LOG_QUIET);
  test_residues_vs_direct();
  test_im_delta();
  test_local_limit_and_rayleigh();
  test_im_positive();
  test_kramers_kronig();
  test_resummed_vs_first_order();
  test_dho_and_validation();
  return tl_finish();
}
