/* Damped-harmonic-oscillator fit of a Brillouin spectrum, as done for IXS data
 * (e.g. G. Monaco and V. M. Giordano, PNAS 106, 3659 (2009); seed 000):
 *   S(w) = I0 Gamma / ((w^2 - Omega^2)^2 + w^2 Gamma^2),
 * which is exactly (q^2/w)|Im G| for a self-energy Re Sigma = const, Im Sigma = w Gamma.
 * Least squares in the relative residual (S_fit - S)/S_max by GSL's trust-region
 * Levenberg-Marquardt with analytic Jacobian; parameters are fitted as logs so that
 * Omega, Gamma and I0 stay positive.
 */
#include <math.h>
#include <stdlib.h>

#include <gsl/gsl_blas.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_multifit_nlinear.h>
#include <gsl/gsl_vector.h>

#include "glassvib/core.h"
#include "glassvib/theory.h"

typedef struct {
  const double *w, *S;
  size_t n;
  double smax;
} dho_data;

static int dho_f(const gsl_vector *x, void *vd, gsl_vector *f) {
  dho_data *d = vd;
  double W = exp(gsl_vector_get(x, 0)), G = exp(gsl_vector_get(x, 1)), I0 = exp(gsl_vector_get(x, 2));
  for (size_t i = 0; i < d->n; i++) {
    double w = d->w[i], e = w * w - W * W, den = e * e + w * w * G * G;
    gsl_vector_set(f, i, (I0 * G / den - d->S[i]) / d->smax);
  }
  return GSL_SUCCESS;
}

static int dho_df(const gsl_vector *x, void *vd, gsl_matrix *J) {
  dho_data *d = vd;
  double W = exp(gsl_vector_get(x, 0)), G = exp(gsl_vector_get(x, 1)), I0 = exp(gsl_vector_get(x, 2));
  for (size_t i = 0; i < d->n; i++) {
    double w = d->w[i], e = w * w - W * W, den = e * e + w * w * G * G;
    double s = I0 * G / den;
    /* d s / d ln W = s * (4 e W^2)/den ; d s/d ln G = s (1 - 2 w^2 G^2/den); d s/d ln I0 = s */
    gsl_matrix_set(J, i, 0, s * 4 * e * W * W / den / d->smax);
    gsl_matrix_set(J, i, 1, s * (1 - 2 * w * w * G * G / den) / d->smax);
    gsl_matrix_set(J, i, 2, s / d->smax);
  }
  return GSL_SUCCESS;
}

int gv_dho_fit(const double *w, const double *S, size_t n, double Omega0, double Gamma0,
               double *Omega, double *Gamma, double *I0) {
  *Omega = *Gamma = NAN;
  if (I0) *I0 = NAN;
  if (n < 4) return GV_ERROR(GV_EINVAL, "DHO fit needs at least 4 points, got %zu", n);
  if (!(Omega0 > 0) || !(Gamma0 > 0)) return GV_ERROR(GV_EINVAL, "DHO fit needs a positive initial guess");
  dho_data d = {w, S, n, 0};
  for (size_t i = 0; i < n; i++)
    if (S[i] > d.smax) d.smax = S[i];
  if (!(d.smax > 0)) return GV_ERROR(GV_ENUMERIC, "DHO fit: spectrum is zero");
  /* Initial amplitude from the peak height S(Omega) = I0 / (Omega^2 Gamma). */
  double I00 = d.smax * Omega0 * Omega0 * Gamma0;
  gsl_multifit_nlinear_fdf fdf = {0};
  fdf.f = dho_f;
  fdf.df = dho_df;
  fdf.n = n;
  fdf.p = 3;
  fdf.params = &d;
  gsl_multifit_nlinear_parameters fp = gsl_multifit_nlinear_default_parameters();
  gsl_multifit_nlinear_workspace *ws =
      gsl_multifit_nlinear_alloc(gsl_multifit_nlinear_trust, &fp, n, 3);
  if (!ws) return GV_ERROR(GV_ENOMEM, "out of memory");
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  double x0[3] = {log(Omega0), log(Gamma0), log(I00)};
  gsl_vector_view xv = gsl_vector_view_array(x0, 3);
  int info = 0, status = GV_OK;
  int st = gsl_multifit_nlinear_init(&xv.vector, &fdf, ws);
  if (st == GSL_SUCCESS) st = gsl_multifit_nlinear_driver(500, 1e-12, 1e-12, 1e-14, NULL, NULL, &info, ws);
  gsl_set_error_handler(old);
  if (st != GSL_SUCCESS && st != GSL_EMAXITER) {
    status = GV_ERROR(GV_ENUMERIC, "DHO fit failed: %s", gsl_strerror(st));
  } else {
    const gsl_vector *x = ws->x;
    *Omega = exp(gsl_vector_get(x, 0));
    *Gamma = exp(gsl_vector_get(x, 1));
    if (I0) *I0 = exp(gsl_vector_get(x, 2));
    if (!isfinite(*Omega) || !isfinite(*Gamma)) status = GV_ERROR(GV_ENUMERIC, "DHO fit diverged");
    else if (st == GSL_EMAXITER) status = GV_NOT_CONVERGED;
  }
  gsl_multifit_nlinear_free(ws);
  return status;
}
