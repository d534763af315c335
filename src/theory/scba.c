/* Heterogeneous elasticity in the self-consistent Born approximation (HET-SCBA).
 *
 * Scalar theory (seed 004; theory.md), units bare velocity 1, Debye wavenumber k_D = 1:
 *   chi(k,z) = 1 / (-z^2 + k^2 X(z)),  X(z) = 1 - Sigma(z),  z = omega + i0,
 *   Sigma(z) = 3 gamma int_0^1 dk k^4 chi(k,z),
 *   g(omega) = (2 omega / pi) Im 3 int_0^1 dk k^2 chi(k,z)       (normalised to 1).
 * Static limit Sigma(0) = gamma / (1 - Sigma(0)) = [1 - sqrt(1 - 4 gamma)]/2, gamma_c = 1/4.
 *
 * Vector theory (W. Schirmacher, G. Ruocco, T. Scopigno, PRL 98, 025501 (2007);
 * A. Marruzzo, W. Schirmacher, A. Fratalocchi, G. Ruocco, Sci. Rep. 3, 1407 (2013)):
 * only the shear modulus fluctuates, the bulk modulus K = c_L^2 - (4/3) c_T^2 stays fixed
 * (rho = 1), so with a shear self-energy Sigma(z)
 *   X_T = c_T^2 - Sigma,  X_L = c_L^2 - (4/3) Sigma,  chi_P = 1/(-z^2 + k^2 X_P),
 *   Sigma = 3 gamma c_T^4 int_0^1 dk k^4 [ (2/3) chi_L + chi_T ],
 *   g = (2 omega/pi) Im int_0^1 dk k^2 [ chi_L + 2 chi_T ].
 * The weights follow from the deviatoric projection of the local strain-strain response
 * Lambda_{mnpq} = <k_m k_p G_nq>: P_dev Lambda P_dev = alpha_2 P_dev with
 * alpha_2 = (2 <k^2 chi_L> + 3 <k^2 chi_T>)/15 in d = 3; gamma absorbs 2<dG^2>/5 G_0^2.
 * Dropping chi_L gives back the scalar equation (gamma_c -> 1/4 as c_L/c_T -> infinity).
 *
 * The k integrals are done in closed form: with s = z^2/X, zeta = sqrt(s) (Re zeta >= 0),
 *   int_0^1 k^4/(X k^2 - z^2) = f(s)/X,  f(s) = 1/3 + s + s^2 L(s),
 *   int_0^1 k^2/(X k^2 - z^2) = h(s)/X,  h(s) = 1 + s L(s),
 *   L(s) = int_0^1 dk/(k^2 - s) = -arcoth(zeta)/zeta,
 * on the retarded sheet arcoth(zeta) = artanh(zeta) - i pi/2 for |Re zeta| < 1 (the
 * continuation from Im zeta > 0), and by the 1/s series for |zeta| > 2 (no cancellation).
 * The self-consistent equation F(Sigma) = 0 is holomorphic in Sigma: complex Newton with
 * the exact derivative, damping, and continuation in omega from the static solution with
 * adaptive sub-steps; the retarded continuation of L makes the advanced (Im Sigma < 0)
 * solution a non-root, and any step landing there is rejected.
 */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_min.h>

#include "glassvib/core.h"
#include "glassvib/theory.h"

typedef struct {
  double gamma, wl, bl, cl2, ct2, ct4;
} scba_model;

static void model_init(const gv_scba_params *p, scba_model *m) {
  m->gamma = p->gamma;
  if (p->vector) {
    m->wl = 2.0 / 3.0;
    m->bl = 4.0 / 3.0;
    m->cl2 = p->cl * p->cl;
    m->ct2 = p->ct * p->ct;
  } else {
    m->wl = 0.0;
    m->bl = 0.0;
    m->cl2 = 1.0;
    m->ct2 = 1.0;
  }
  m->ct4 = m->ct2 * m->ct2;
}

int gv_scba_validate(const gv_scba_params *p) {
  if (!p) return GV_ERROR(GV_EINVAL, "no SCBA parameters");
  if (!isfinite(p->gamma) || p->gamma < 0)
    return GV_ERROR(GV_EINVAL, "disorder gamma = %g must be finite and >= 0", p->gamma);
  if (p->vector) {
    if (!(p->cl > 0) || !(p->ct > 0) || !isfinite(p->cl) || !isfinite(p->ct))
      return GV_ERROR(GV_EINVAL, "velocities must be positive (c_L = %g, c_T = %g)", p->cl, p->ct);
    /* Fixed bulk modulus K = c_L^2 - (4/3) c_T^2 must be positive for a stable solid; the
     * weaker c_T < c_L is what the interface promises, K > 0 is what the physics needs. */
    if (p->ct >= p->cl)
      return GV_ERROR(GV_EINVAL, "c_T = %g must be smaller than c_L = %g", p->ct, p->cl);
    if (p->cl * p->cl - 4.0 / 3.0 * p->ct * p->ct <= 0)
      return GV_ERROR(GV_EINVAL, "bulk modulus c_L^2 - 4/3 c_T^2 = %g must be positive",
                      p->cl * p->cl - 4.0 / 3.0 * p->ct * p->ct);
  }
  return GV_OK;
}

/* -------------------------------------------------- closed-form k integrals */
/* f = int k^4/(k^2 - s), fp = df/ds, h = int k^2/(k^2 - s), retarded sheet. */
static void kfun(double complex s, double complex *f, double complex *fp, double complex *h) {
  if (s == 0) {
    *f = 1.0 / 3.0;
    *fp = 1.0;
    *h = 1.0;
    return;
  }
  double complex zeta = csqrt(s);
  if (cabs(zeta) > 2.0) {
    double complex u = 1.0 / s, un = u, F = 0, FP = 0, H = 0;
    for (int n = 0; n < 60; n++) { /* |u| < 1/4: 60 terms reach 1e-36 */
      F -= un / (2 * n + 5);
      H -= un / (2 * n + 3);
      FP += (n + 1) * un * u / (2 * n + 5);
      un *= u;
    }
    *f = F;
    *fp = FP;
    *h = H;
    return;
  }
  double complex acoth;
  if (fabs(creal(zeta)) < 1.0)
    acoth = catanh(zeta) - I * (M_PI / 2); /* retarded continuation across (-1, 1) */
  else
    acoth = 0.5 * clog((zeta + 1.0) / (zeta - 1.0));
  double complex L = -acoth / zeta;
  *f = 1.0 / 3.0 + s + s * s * L;
  /* s^2 L'(s) = -s (L + 1/(1 - s))/2, from L' = -(L + 1/(1-s))/(2s). */
  *fp = 1.0 + 2.0 * s * L - 0.5 * s * (L + 1.0 / (1.0 - s));
  *h = 1.0 + s * L;
}

/* I4 = int_0^1 k^4/(X k^2 - z^2), dI4 = dI4/dX, I2 = int_0^1 k^2/(X k^2 - z^2). */
static void kint(double complex X, double w, double complex *I4, double complex *dI4,
                 double complex *I2) {
  double complex s = w * w / X, f, fp, h;
  kfun(s, &f, &fp, &h);
  *I4 = f / X;
  /* I4 = f(z^2/X)/X  =>  dI4/dX = -(f + s f')/X^2; note f' here is df/ds. */
  *dI4 = -(f + s * fp) / (X * X);
  *I2 = h / X;
}

/* Residual F(Sigma) and its derivative. */
static void residual(const scba_model *m, double w, double complex sig, double complex *F,
                     double complex *dF) {
  double complex I4T, dT, I2T, I4L = 0, dL = 0, I2L;
  kint(m->ct2 - sig, w, &I4T, &dT, &I2T);
  if (m->wl > 0) kint(m->cl2 - m->bl * sig, w, &I4L, &dL, &I2L);
  double pre = 3.0 * m->gamma * m->ct4;
  *F = sig - pre * (m->wl * I4L + I4T);
  *dF = 1.0 + pre * (m->wl * m->bl * dL + dT);
}

/* Damped complex Newton from guess; returns 0 on convergence to an acceptable root. */
static int newton(const scba_model *m, double w, double complex guess, double complex *out) {
  double complex sig = guess, F, dF;
  residual(m, w, sig, &F, &dF);
  double scale = m->ct2;
  for (int it = 0; it < 80; it++) {
    if (!isfinite(creal(F)) || !isfinite(cimag(F)) || dF == 0) return -1;
    double complex step = -F / dF;
    double lam = 1.0, nF = cabs(F);
    double complex trial = sig, Ft = F, dFt = dF;
    int ok = 0;
    for (int k = 0; k < 30; k++) {
      trial = sig + lam * step;
      /* Keep the moduli away from zero (no physical root there). */
      if (creal(m->ct2 - trial) > 0 && (m->wl == 0 || creal(m->cl2 - m->bl * trial) > 0)) {
        residual(m, w, trial, &Ft, &dFt);
        if (isfinite(creal(Ft)) && isfinite(cimag(Ft)) && cabs(Ft) < (1 - 0.1 * lam) * nF) {
          ok = 1;
          break;
        }
      }
      lam *= 0.5;
    }
    if (!ok) {
      if (nF < 1e-13 * scale) break; /* already at rounding level */
      return -1;
    }
    sig = trial;
    F = Ft;
    dF = dFt;
    if (cabs(lam * step) < 1e-14 * scale || cabs(F) < 1e-15 * scale) break;
  }
  if (cabs(F) > 1e-10 * scale) return -1;
  /* Retarded branch: Im Sigma >= 0 (rounding allowed). */
  if (cimag(sig) < -1e-12 * scale) return -1;
  if (cimag(sig) < 0) sig = creal(sig);
  *out = sig;
  return 0;
}

/* Continue the solution from (w0, s0) to w1, halving the step where needed. */
static int advance(const scba_model *m, double w0, double complex s0, double complex ds0,
                   double w1, double complex *s1, int depth) {
  double complex guess = s0 + ds0 * (w1 - w0), res;
  double jump = 0.05 * m->ct2;
  if (newton(m, w1, guess, &res) == 0 && cabs(res - s0) <= jump) {
    *s1 = res;
    return 0;
  }
  if (guess != s0 && newton(m, w1, s0, &res) == 0 && cabs(res - s0) <= jump) {
    *s1 = res;
    return 0;
  }
  if (depth > 48) return -1;
  double wm = 0.5 * (w0 + w1);
  double complex sm;
  if (advance(m, w0, s0, ds0, wm, &sm, depth + 1)) return -1;
  double complex dsm = (wm > w0) ? (sm - s0) / (wm - w0) : 0;
  return advance(m, wm, sm, dsm, w1, s1, depth + 1);
}

/* --------------------------------------------------------- static problem */
typedef struct {
  const scba_model *m;
} gfun_ctx;

/* gamma(Sigma0) for which Sigma0 is a static fixed point. */
static double gamma_of_sigma(const scba_model *m, double s) {
  double xt = m->ct2 - s, xl = m->cl2 - m->bl * s;
  double den = m->ct4 * ((m->wl > 0 ? m->wl / xl : 0) + 1.0 / xt);
  return s / den;
}

static double neg_gamma(double s, void *ctx) { return -gamma_of_sigma(((gfun_ctx *)ctx)->m, s); }

static double sigma_max(const scba_model *m) {
  double smax = m->ct2;
  if (m->wl > 0 && m->cl2 / m->bl < smax) smax = m->cl2 / m->bl;
  return smax;
}

/* Location and value of the maximum of gamma(Sigma0). */
static int gamma_c_locate(const scba_model *m, double *s_star, double *gc) {
  if (m->wl == 0) { /* scalar: Sigma (1 - Sigma) */
    *s_star = 0.5 * m->ct2;
    *gc = 0.25;
    return GV_OK;
  }
  double smax = sigma_max(m);
  /* Bracket the maximum on a coarse grid, then Brent. */
  int nb = 400, ibest = 1;
  double best = -1;
  for (int i = 1; i < nb; i++) {
    double g = gamma_of_sigma(m, smax * i / nb);
    if (g > best) {
      best = g;
      ibest = i;
    }
  }
  double lo = smax * (ibest - 1) / nb, hi = smax * (ibest + 1) / nb, x = smax * ibest / nb;
  if (ibest == 1) lo = 1e-12 * smax;
  gfun_ctx ctx = {m};
  gsl_function F = {neg_gamma, &ctx};
  gsl_min_fminimizer *mz = gsl_min_fminimizer_alloc(gsl_min_fminimizer_brent);
  if (!mz) return GV_ERROR(GV_ENOMEM, "out of memory");
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  int st = gsl_min_fminimizer_set(mz, &F, x, lo, hi);
  for (int it = 0; it < 200 && st == GSL_SUCCESS; it++) {
    gsl_min_fminimizer_iterate(mz);
    x = gsl_min_fminimizer_x_minimum(mz);
    lo = gsl_min_fminimizer_x_lower(mz);
    hi = gsl_min_fminimizer_x_upper(mz);
    if (gsl_min_test_interval(lo, hi, 1e-15, 1e-13) == GSL_SUCCESS) break;
  }
  gsl_min_fminimizer_free(mz);
  gsl_set_error_handler(old);
  *s_star = x;
  *gc = gamma_of_sigma(m, x);
  return GV_OK;
}

int gv_scba_gamma_c(const gv_scba_params *p, double *gamma_c) {
  int status = gv_scba_validate(p);
  if (status) return status;
  scba_model m;
  model_init(p, &m);
  double s;
  return gamma_c_locate(&m, &s, gamma_c);
}

int gv_scba_static(const gv_scba_params *p, double *sigma0) {
  int status = gv_scba_validate(p);
  if (status) return status;
  scba_model m;
  model_init(p, &m);
  double s_star, gc;
  GV_TRY(gamma_c_locate(&m, &s_star, &gc));
  if (p->gamma >= gc)
    return GV_ERROR(GV_EUNSTABLE,
                    "disorder gamma = %g >= gamma_c = %.10g: the SCBA has no stable solution "
                    "(the effective modulus would vanish)",
                    p->gamma, gc);
  if (!p->vector) {
    /* Stable form of [1 - sqrt(1 - 4 gamma)]/2 for small gamma. */
    *sigma0 = 2 * p->gamma / (1 + sqrt(1 - 4 * p->gamma));
    return GV_OK;
  }
  /* gamma(Sigma) is increasing on (0, s_star): bisection-safe root of gamma(S) = gamma. */
  double lo = 0, hi = s_star;
  for (int it = 0; it < 200 && hi - lo > 1e-16 * s_star; it++) {
    double mid = 0.5 * (lo + hi);
    if (gamma_of_sigma(&m, mid) < p->gamma) lo = mid;
    else hi = mid;
  }
  /* Polish with Newton on F(S) = S - gamma c_T^4 [(2/3)/X_L + 1/X_T]. */
  double S = 0.5 * (lo + hi);
  for (int it = 0; it < 5; it++) {
    double xt = m.ct2 - S, xl = m.cl2 - m.bl * S;
    double F = S - p->gamma * m.ct4 * (m.wl / xl + 1 / xt);
    double dF = 1 - p->gamma * m.ct4 * (m.wl * m.bl / (xl * xl) + 1 / (xt * xt));
    if (dF <= 0) break;
    S -= F / dF;
  }
  *sigma0 = S;
  return GV_OK;
cleanup:
  return status;
}

int gv_scba_solve(const gv_scba_params *p, const double *omega, size_t n, double complex *sigma) {
  double s0;
  int status = gv_scba_static(p, &s0);
  if (status) return status;
  scba_model m;
  model_init(p, &m);
  double wprev = 0;
  double complex sprev = s0, dprev = 0;
  for (size_t i = 0; i < n; i++) {
    if (!isfinite(omega[i]) || omega[i] < 0 || (i > 0 && omega[i] <= omega[i - 1]))
      return GV_ERROR(GV_EINVAL, "frequency grid must be ascending and >= 0 (point %zu)", i);
    if (gv_interrupted()) return GV_ERROR(GV_EINTERRUPTED, "interrupted");
    double complex s;
    if (omega[i] == 0) {
      s = s0;
    } else if (advance(&m, wprev, sprev, dprev, omega[i], &s, 0)) {
      return GV_ERROR(GV_ENUMERIC, "SCBA continuation failed at omega = %g (gamma = %g)",
                      omega[i], p->gamma);
    }
    dprev = (omega[i] > wprev) ? (s - sprev) / (omega[i] - wprev) : 0;
    /* Near the band edge the slope diverges: do not extrapolate wildly. */
    if (cabs(dprev) * (omega[i] - wprev) > 0.02 * m.ct2) dprev = 0;
    sigma[i] = s;
    sprev = s;
    wprev = omega[i];
  }
  return GV_OK;
}

int gv_scba_rayleigh(const gv_scba_params *p, double *C, double *R_L, double *R_T) {
  double s0;
  int status = gv_scba_static(p, &s0);
  if (status) return status;
  scba_model m;
  model_init(p, &m);
  double xt = m.ct2 - s0, xl = m.cl2 - m.bl * s0;
  /* Im I4(X, w) ~ pi w^3 / (2 X^{5/2}); the self-consistent feedback through Im X gives the
   * denominator, which vanishes at gamma_c (the tangency condition). */
  double num = 1.5 * M_PI * m.gamma * m.ct4 * ((m.wl > 0 ? m.wl / pow(xl, 2.5) : 0) + 1 / pow(xt, 2.5));
  double den = 1 - m.gamma * m.ct4 * ((m.wl > 0 ? m.wl * m.bl / (xl * xl) : 0) + 1 / (xt * xt));
  double c = num / den;
  if (C) *C = c;
  if (R_T) *R_T = c / xt;
  if (R_L) *R_L = p->vector ? m.bl * c / xl : c / xt;
  return GV_OK;
}

void gv_scba_result_destroy(gv_scba_result **r) {
  if (!r || !*r) return;
  gv_scba_result *x = *r;
  free(x->omega);
  free(x->sigma);
  free(x->g);
  free(x->g_red);
  free(x->gamma_L);
  free(x->gamma_T);
  free(x->v_L);
  free(x->v_T);
  free(x);
  *r = NULL;
}

int gv_scba_run(const gv_scba_params *p, const double *omega, size_t n, gv_scba_result **out) {
  int status = GV_OK;
  gv_scba_result *r = NULL;
  if (!out) return GV_ERROR(GV_EINVAL, "no output");
  *out = NULL;
  if (n < 2) return GV_ERROR(GV_EINVAL, "the frequency grid needs at least 2 points");
  GV_ALLOC(r, 1);
  r->n = n;
  GV_ALLOC(r->omega, n);
  GV_ALLOC(r->sigma, n);
  GV_ALLOC(r->g, n);
  GV_ALLOC(r->g_red, n);
  GV_ALLOC(r->gamma_L, n);
  GV_ALLOC(r->gamma_T, n);
  GV_ALLOC(r->v_L, n);
  GV_ALLOC(r->v_T, n);
  memcpy(r->omega, omega, n * sizeof *omega);
  GV_TRY(gv_scba_static(p, &r->sigma0));
  GV_TRY(gv_scba_gamma_c(p, &r->gamma_c));
  GV_TRY(gv_scba_rayleigh(p, NULL, &r->rayleigh_L, &r->rayleigh_T));
  GV_TRY(gv_scba_solve(p, omega, n, r->sigma));
  scba_model m;
  model_init(p, &m);
  double xt0 = m.ct2 - r->sigma0, xl0 = m.cl2 - m.bl * r->sigma0;
  r->debye_level = p->vector ? pow(xl0, -1.5) + 2 * pow(xt0, -1.5) : 3 * pow(xt0, -1.5);
  for (size_t i = 0; i < n; i++) {
    double w = omega[i];
    double complex sig = r->sigma[i], XT = m.ct2 - sig, XL = m.cl2 - m.bl * sig;
    double complex I4, dI4, I2T, I2L = 0;
    kint(XT, w, &I4, &dI4, &I2T);
    if (p->vector) kint(XL, w, &I4, &dI4, &I2L);
    double g = p->vector ? (2 * w / M_PI) * cimag(I2L + 2.0 * I2T) : (2 * w / M_PI) * 3 * cimag(I2T);
    if (g < 0 && g > -1e-14) g = 0;
    r->g[i] = g;
    r->g_red[i] = w > 0 ? g / (w * w) : r->debye_level;
    r->gamma_T[i] = -w * cimag(XT) / creal(XT);
    r->v_T[i] = 1.0 / creal(1.0 / csqrt(XT));
    if (p->vector) {
      r->gamma_L[i] = -w * cimag(XL) / creal(XL);
      r->v_L[i] = 1.0 / creal(1.0 / csqrt(XL));
    } else {
      r->gamma_L[i] = r->gamma_T[i];
      r->v_L[i] = r->v_T[i];
    }
  }
  r->norm = 0;
  for (size_t i = 1; i < n; i++) r->norm += 0.5 * (r->g[i] + r->g[i - 1]) * (omega[i] - omega[i - 1]);
  /* Boson peak: maximum of g/omega^2 over omega > 0, refined by a parabola. */
  size_t ib = 0;
  double best = -1;
  for (size_t i = 0; i < n; i++)
    if (omega[i] > 0 && r->g_red[i] > best) {
      best = r->g_red[i];
      ib = i;
    }
  r->omega_bp = omega[ib];
  r->bp_height = best;
  if (ib > 0 && ib + 1 < n && omega[ib - 1] > 0) {
    double x0 = omega[ib - 1], x1 = omega[ib], x2 = omega[ib + 1];
    double y0 = r->g_red[ib - 1], y1 = r->g_red[ib], y2 = r->g_red[ib + 1];
    double d1 = (y1 - y0) / (x1 - x0), d2 = (y2 - y1) / (x2 - x1);
    double c2 = (d2 - d1) / (x2 - x0);
    if (c2 < 0) {
      double xv = 0.5 * (x0 + x1) - d1 / (2 * c2);
      if (xv > x0 && xv < x2) {
        /* Newton form: y = y0 + d1 (x - x0) + c2 (x - x0)(x - x1). */
        double yv = y0 + d1 * (xv - x0) + c2 * (xv - x0) * (xv - x1);
        r->omega_bp = xv;
        r->bp_height = yv;
      }
    }
  }
  *out = r;
  return GV_OK;
cleanup:
  gv_scba_result_destroy(&r);
  return status;
}
