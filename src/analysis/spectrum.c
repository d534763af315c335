/* Spectral statistics of a pooled set of frequencies (docs/spectrum.md).
 *
 *  D_b = n_b / (n_norm w_b)  (per-mode density; Poisson error sqrt(n_b)/(n_norm w_b))
 *  F(x) = #{x_k <= x} / n_norm
 *  s: D ~ x^s  <=>  F ~ x^(s+1); least squares on log F vs log x, and the
 *     maximum-likelihood exponent of p(x) ~ x^s truncated to [lo, hi]:
 *     mean(log x) = E_s[log x], var(s) = 1 / (n Var_s[log x]) (Fisher).
 *  A_g: D = A_g w^4 -> n_win = n_norm A_g (hi^5 - lo^5) / 5.
 *  r_k = min(s_k, s_k+1) / max(s_k, s_k+1); <r> = 0.5307 GOE, 0.3863 Poisson
 *     (Atas, Bogomolny, Giraud, Roux, PRL 110, 084101 (2013)).
 *  Pastur: G(z) = < 1/(z - K - J^2 G(z)) >_K, rho = -Im G(lambda + i0)/pi
 *     (Pastur, Theor. Math. Phys. 10, 67 (1972)).
 * Units: those of the input values. */
#include "glassvib/spectrum.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* ------------------------------------------------------------ histograms */
void gv_spectrum_hist_destroy(gv_spectrum_hist **h) {
  if (!h || !*h) return;
  free((*h)->edges);
  free((*h)->centre);
  free((*h)->density);
  free((*h)->error);
  free((*h)->counts);
  free(*h);
  *h = NULL;
}

int gv_spectrum_hist_create(gv_spectrum_hist **out, const double *x, size_t n, double lo,
                            double hi, size_t nbins, int log_bins, double n_norm) {
  int status = GV_OK;
  gv_spectrum_hist *h = NULL;
  if (!out) return GV_ERROR(GV_EINVAL, "histogram: NULL output");
  *out = NULL;
  if (nbins < 1) return GV_ERROR(GV_EINVAL, "histogram: need at least one bin");
  if (!(isfinite(lo) && isfinite(hi) && hi > lo))
    return GV_ERROR(GV_EINVAL, "histogram: range [%g, %g] is empty or not finite", lo, hi);
  if (log_bins && !(lo > 0))
    return GV_ERROR(GV_EINVAL, "histogram: logarithmic bins need lo > 0 (got %g)", lo);
  if (n && !x) return GV_ERROR(GV_EINVAL, "histogram: NULL data");
  if (!gv_is_finite_array(x, n)) return GV_ERROR(GV_ENUMERIC, "histogram: non-finite value in data");
  if (n_norm < 0 || !isfinite(n_norm)) return GV_ERROR(GV_EINVAL, "histogram: bad n_norm %g", n_norm);
  if (n_norm == 0) n_norm = (double)n;
  if (n_norm == 0) n_norm = 1;

  GV_ALLOC(h, 1);
  h->nbins = nbins;
  h->log_bins = log_bins;
  h->n_norm = n_norm;
  GV_ALLOC(h->edges, nbins + 1);
  GV_ALLOC(h->centre, nbins);
  GV_ALLOC(h->density, nbins);
  GV_ALLOC(h->error, nbins);
  GV_ALLOC(h->counts, nbins);
  const double llo = log_bins ? log(lo) : lo, lhi = log_bins ? log(hi) : hi;
  const double step = (lhi - llo) / (double)nbins;
  for (size_t b = 0; b <= nbins; b++) {
    double e = llo + step * (double)b;
    h->edges[b] = log_bins ? exp(e) : e;
  }
  h->edges[0] = lo;
  h->edges[nbins] = hi;
  for (size_t k = 0; k < n; k++) {
    double v = x[k];
    if (v < lo) { h->below++; continue; }
    if (v > hi) { h->above++; continue; }
    double t = ((log_bins ? log(v) : v) - llo) / step;
    size_t b = t >= (double)nbins ? nbins - 1 : (size_t)t;
    /* Guard against rounding at edges computed with exp(). */
    while (b > 0 && v < h->edges[b]) b--;
    while (b + 1 < nbins && v >= h->edges[b + 1]) b++;
    h->counts[b]++;
  }
  for (size_t b = 0; b < nbins; b++) {
    double w = h->edges[b + 1] - h->edges[b];
    h->centre[b] = log_bins ? sqrt(h->edges[b] * h->edges[b + 1]) : 0.5 * (h->edges[b] + h->edges[b + 1]);
    h->density[b] = (double)h->counts[b] / (n_norm * w);
    h->error[b] = sqrt((double)h->counts[b]) / (n_norm * w);
  }
  *out = h;
  h = NULL;
cleanup:
  gv_spectrum_hist_destroy(&h);
  return status;
}

/* ------------------------------------------------------------ cumulative */
int gv_spectrum_cumulative(const double *x, size_t n, double n_norm, double *xs, double *F) {
  if (n && (!x || !xs)) return GV_ERROR(GV_EINVAL, "cumulative: NULL array");
  if (!gv_is_finite_array(x, n)) return GV_ERROR(GV_ENUMERIC, "cumulative: non-finite value");
  if (n_norm <= 0) n_norm = (double)(n ? n : 1);
  memmove(xs, x, n * sizeof *xs);
  qsort(xs, n, sizeof *xs, cmp_double);
  if (F)
    for (size_t k = 0; k < n; k++) F[k] = (double)(k + 1) / n_norm;
  return GV_OK;
}

/* --------------------------------------------------------------- fitting */
/* For w = log(hi) - log(x) in [0, D] with density ~ exp(-t w), t = s + 1:
 * mean and variance of w (stable for t D -> 0 and for negative t). */
static void trunc_exp_moments(double t, double D, double *mean, double *var) {
  double a = t * D;
  if (fabs(a) < 1e-5) {
    *mean = D / 2 - t * D * D / 12;
    *var = D * D / 12;
    return;
  }
  if (a > 700) { /* e^{-a} negligible */
    *mean = 1 / t;
    *var = 1 / (t * t);
    return;
  }
  double em1 = expm1(a); /* e^a - 1 */
  *mean = 1 / t - D / em1;
  /* Var = 1/t^2 - D^2 e^a / (e^a - 1)^2 */
  *var = 1 / (t * t) - D * D * (em1 + 1) / (em1 * em1);
  if (*var < 0) *var = D * D / 12 * 1e-12;
}

int gv_spectrum_fit_exponent(const double *x, size_t n, double n_norm, double lo, double hi,
                             gv_spectrum_fit *fit) {
  int status = GV_OK;
  double *xs = NULL;
  if (!fit || (n && !x)) return GV_ERROR(GV_EINVAL, "exponent fit: NULL argument");
  memset(fit, 0, sizeof *fit);
  if (!(lo > 0 && hi > lo && isfinite(hi)))
    return GV_ERROR(GV_EINVAL, "exponent fit: window [%g, %g] must satisfy 0 < lo < hi", lo, hi);
  if (n_norm <= 0) n_norm = (double)(n ? n : 1);
  if (!gv_is_finite_array(x, n)) return GV_ERROR(GV_ENUMERIC, "exponent fit: non-finite value");
  /* Only the window's values need sorting: a value's rank is the count below lo
   * plus its place among them (10^7 lattice realisations: ~10^4 in the window). */
  size_t first = 0, m = 0;
  for (size_t i = 0; i < n; i++) {
    if (x[i] < lo) first++;
    else if (x[i] <= hi) m++;
  }
  GV_ALLOC(xs, m ? m : 1);
  for (size_t i = 0, j = 0; i < n; i++)
    if (x[i] >= lo && x[i] <= hi) xs[j++] = x[i];
  qsort(xs, m, sizeof *xs, cmp_double);
  fit->lo = lo;
  fit->hi = hi;
  fit->n_used = m;
  if (m < 3) {
    status = GV_ERROR(GV_EINVAL, "exponent fit: only %zu values in the window [%g, %g]", m, lo, hi);
    goto cleanup;
  }
  /* Least squares of log F vs log x; F counts ties consistently as rank + 1. */
  double sx = 0, sy = 0, sxx = 0, sxy = 0, slog = 0;
  for (size_t k = 0; k < m; k++) {
    double lx = log(xs[k]), ly = log((double)(first + k + 1) / n_norm);
    sx += lx;
    sy += ly;
    sxx += lx * lx;
    sxy += lx * ly;
    slog += log(hi) - lx;
  }
  double dm = (double)m;
  double den = dm * sxx - sx * sx;
  if (!(den > 0)) {
    status = GV_ERROR(GV_ENUMERIC, "exponent fit: all values in the window are equal");
    goto cleanup;
  }
  fit->value = (dm * sxy - sx * sy) / den - 1;
  /* MLE: E_t[w] = mean(w), decreasing in t; bisection on t = s + 1. */
  double D = log(hi / lo), wbar = slog / dm;
  double tl = -200 / D, th = 200 / D, mean, var;
  for (int it = 0; it < 200; it++) {
    double tm = 0.5 * (tl + th);
    trunc_exp_moments(tm, D, &mean, &var);
    if (mean > wbar) tl = tm;
    else th = tm;
  }
  double t = 0.5 * (tl + th);
  trunc_exp_moments(t, D, &mean, &var);
  fit->value_alt = t - 1;
  fit->err_alt = 1 / sqrt(dm * var);
  fit->err = fit->err_alt;
cleanup:
  free(xs);
  return status;
}

int gv_spectrum_fit_prefactor(const double *x, size_t n, double n_norm, double s, double lo,
                              double hi, gv_spectrum_fit *fit) {
  if (!fit || (n && !x)) return GV_ERROR(GV_EINVAL, "prefactor fit: NULL argument");
  memset(fit, 0, sizeof *fit);
  if (!(lo >= 0 && hi > lo && isfinite(hi)) || !(s > -1))
    return GV_ERROR(GV_EINVAL, "prefactor fit: need 0 <= lo < hi and s > -1 (lo %g, hi %g, s %g)",
                    lo, hi, s);
  if (n_norm <= 0) n_norm = (double)(n ? n : 1);
  size_t m = 0;
  for (size_t k = 0; k < n; k++)
    if (x[k] >= lo && x[k] <= hi) m++;
  fit->lo = lo;
  fit->hi = hi;
  fit->n_used = m;
  if (!m) return GV_ERROR(GV_EINVAL, "prefactor fit: no value in the window [%g, %g]", lo, hi);
  double w = (pow(hi, s + 1) - pow(lo, s + 1)) / (s + 1);
  fit->value = (double)m / (n_norm * w);
  fit->err = fit->value / sqrt((double)m);
  return GV_OK;
}

int gv_spectrum_fit_ag(const double *omega, size_t n, double n_norm, double lo, double hi,
                       gv_spectrum_fit *fit) {
  int status = GV_OK;
  double *xs = NULL;
  GV_TRY(gv_spectrum_fit_prefactor(omega, n, n_norm, 4.0, lo, hi, fit));
  if (n_norm <= 0) n_norm = (double)(n ? n : 1);
  GV_ALLOC(xs, n);
  GV_TRY(gv_spectrum_cumulative(omega, n, n_norm, xs, NULL));
  double acc = 0;
  size_t m = 0, nle = 0;
  for (size_t k = 0; k < n; k++) {
    if (xs[k] > hi) break;
    nle = k + 1;
    if (xs[k] >= lo && xs[k] > 0) {
      acc += 5.0 * ((double)(k + 1) / n_norm) / pow(xs[k], 5);
      m++;
    }
  }
  fit->value_alt = m ? acc / (double)m : NAN;
  fit->err_alt = m ? fit->value_alt / sqrt((double)nle) : NAN;
cleanup:
  free(xs);
  return status;
}

/* ------------------------------------------------------- level statistics */
int gv_spectrum_level_ratio(const double *x, const size_t *offsets, size_t nsamples, double lo,
                            double hi, gv_spectrum_ratio *out) {
  int status = GV_OK;
  double *buf = NULL;
  if (!out || !x) return GV_ERROR(GV_EINVAL, "level ratio: NULL argument");
  memset(out, 0, sizeof *out);
  size_t nsets = offsets ? nsamples : 1;
  size_t maxlen = 0;
  for (size_t s = 0; s < nsets; s++) {
    size_t len = offsets ? offsets[s + 1] - offsets[s] : nsamples;
    if (offsets && offsets[s + 1] < offsets[s])
      return GV_ERROR(GV_EINVAL, "level ratio: offsets must be non-decreasing");
    if (len > maxlen) maxlen = len;
  }
  GV_ALLOC(buf, maxlen);
  double sum = 0, sum2 = 0;
  size_t cnt = 0;
  int all = lo > hi;
  for (size_t s = 0; s < nsets; s++) {
    size_t off = offsets ? offsets[s] : 0;
    size_t len = offsets ? offsets[s + 1] - off : nsamples;
    size_t m = 0;
    for (size_t k = 0; k < len; k++) {
      double v = x[off + k];
      if (!isfinite(v)) {
        status = GV_ERROR(GV_ENUMERIC, "level ratio: non-finite level");
        goto cleanup;
      }
      if (all || (v >= lo && v <= hi)) buf[m++] = v;
    }
    qsort(buf, m, sizeof *buf, cmp_double);
    for (size_t k = 0; k + 2 < m; k++) {
      double s1 = buf[k + 1] - buf[k], s2 = buf[k + 2] - buf[k + 1];
      double mx = s1 > s2 ? s1 : s2, mn = s1 > s2 ? s2 : s1;
      if (!(mx > 0)) continue;
      double r = mn / mx;
      sum += r;
      sum2 += r * r;
      cnt++;
    }
  }
  if (!cnt) {
    status = GV_ERROR(GV_EINVAL, "level ratio: fewer than three levels in the window");
    goto cleanup;
  }
  out->n_ratios = cnt;
  out->r_mean = sum / (double)cnt;
  double var = cnt > 1 ? (sum2 - sum * sum / (double)cnt) / (double)(cnt - 1) : 0;
  out->r_err = sqrt(var > 0 ? var / (double)cnt : 0);
cleanup:
  free(buf);
  return status;
}

/* ------------------------------------------------------- Pastur equation */
double complex gv_spectrum_resolvent_uniform(double complex w, void *ctx) {
  const double *ab = ctx;
  double a = ab[0], b = ab[1];
  /* int_a^b dK / (w - K) = log(w - a) - log(w - b); for Im w > 0 both
   * arguments lie in the upper half plane, so principal logs are continuous. */
  return (clog(w - a) - clog(w - b)) / (b - a);
}

double complex gv_spectrum_resolvent_empirical(double complex w, void *ctx) {
  const gv_spectrum_empirical *e = ctx;
  double complex acc = 0;
  for (size_t k = 0; k < e->n; k++) acc += 1.0 / (w - e->K[k]);
  return acc / (double)(e->n ? e->n : 1);
}

/* Solve at fixed z by damped fixed-point iterations polished by Newton's
 * method (complex derivative by central differences: R is analytic). */
static int pastur_at(gv_spectrum_resolvent_fn R, void *ctx, double J2, double complex z,
                     double complex *G) {
  double complex g = *G;
  const double tol = 1e-13;
  for (int it = 0; it < 4000; it++) {
    double complex gn = R(z - J2 * g, ctx);
    double complex gd = 0.5 * g + 0.5 * gn;
    double d = cabs(gd - g);
    g = gd;
    if (d <= tol * (1 + cabs(g))) break;
    if (it > 50 && d <= 1e-6 * (1 + cabs(g))) break; /* hand over to Newton */
  }
  for (int it = 0; it < 100; it++) {
    double complex w = z - J2 * g;
    double h = 1e-6 * (1 + cabs(w));
    double complex Rw = R(w, ctx);
    double complex dR = (R(w + h, ctx) - R(w - h, ctx)) / (2 * h);
    double complex F = g - Rw, dF = 1 + J2 * dR;
    if (cabs(F) <= tol * (1 + cabs(g))) {
      *G = g;
      return GV_OK;
    }
    double complex gn = g - F / dF;
    if (!(cimag(gn) < 0) || !isfinite(creal(gn)) || !isfinite(cimag(gn))) {
      /* Newton left the physical branch: a few more damped steps instead. */
      for (int k = 0; k < 200; k++) g = 0.5 * g + 0.5 * R(z - J2 * g, ctx);
      continue;
    }
    g = gn;
  }
  *G = g;
  return GV_NOT_CONVERGED;
}

int gv_spectrum_pastur_solve(gv_spectrum_resolvent_fn R, void *ctx, double J, double lambda,
                             double eta, double complex *G) {
  if (!R || !G) return GV_ERROR(GV_EINVAL, "Pastur: NULL argument");
  if (!(eta > 0) || !isfinite(lambda) || !isfinite(J))
    return GV_ERROR(GV_EINVAL, "Pastur: need finite lambda, J and eta > 0");
  double J2 = J * J;
  /* Continuation from a large imaginary part (where the map contracts fast)
   * down to eta, starting from the free resolvent. */
  double e = 1.0 + fabs(lambda);
  double complex g = R(lambda + I * e, ctx);
  int st = GV_OK;
  while (1) {
    st = pastur_at(R, ctx, J2, lambda + I * e, &g);
    if (e <= eta) break;
    e = e * 0.1 > eta ? e * 0.1 : eta;
  }
  *G = g;
  if (!isfinite(creal(g)) || !isfinite(cimag(g)))
    return GV_ERROR(GV_ENUMERIC, "Pastur: non-finite G at lambda = %g", lambda);
  return st;
}

int gv_spectrum_pastur_density(gv_spectrum_resolvent_fn R, void *ctx, double J,
                               const double *lambda, size_t n, double *rho) {
  if (n && (!lambda || !rho)) return GV_ERROR(GV_EINVAL, "Pastur: NULL array");
  int worst = GV_OK;
  for (size_t k = 0; k < n; k++) {
    double complex G;
    int st = gv_spectrum_pastur_solve(R, ctx, J, lambda[k], 1e-10, &G);
    if (st < 0) return st;
    if (st > 0) worst = st;
    rho[k] = -cimag(G) / M_PI;
    if (rho[k] < 0) rho[k] = 0;
  }
  return worst;
}
