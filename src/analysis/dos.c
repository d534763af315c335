/* Vibrational density of states pooled over glass samples, and what is read
 * from it (seeds 003, 004; theory.md):
 *  - D(omega) normalised per mode of the whole system: n_norm = sum over
 *    samples of (N d - d), so partial spectra (lowest K modes) keep the
 *    physical normalisation; F(omega) = #{omega_k <= omega} / n_norm.
 *  - The first phonon band is DETECTED per sample: in a periodic box the lowest
 *    plane waves are transverse with |q| = q_min (2 pi/L for a cube), a band
 *    of 2d(d-1) extended modes near omega_1 = c_T q_min, broadened by disorder.
 *    Quasilocalised modes below it have small participation e; the band edge is
 *    the lowest mode with e >= e_phonon (default 0.3) and omega >= 0.7 omega_1
 *    (omega_1 from the sample's shear modulus, if known). The ensemble edge
 *    omega_min_phonon is the lowest sample edge (no phonon below it anywhere).
 *  - A_g from the omega^4 plateau below the edge: count estimator
 *    5 n / (n_norm omega_c^5) with Poisson error (and 5F/omega^5 averaged);
 *    exponent s of D ~ omega^s there: slope of log F vs log omega (MLE error);
 *    and s_own from each sample's own edge c_k (pooled MLE on [0, c_k]):
 *    s + 1 = n / sum log(c_k/omega), error (s + 1)/sqrt(n) (Hill's estimator).
 *  - Level statistics <r> per sample (GOE 0.5307, Poisson 0.3863).
 * The estimators themselves live in spectrum.c (meanfield helper). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "glassvib/spectrum.h"
#include "linalg/alloc.h"

void gv_dos_opts_default(gv_dos_opts *o) {
  o->nbins_lin = 60;
  o->nbins_log = 40;
  o->e_phonon = 0.3;
  o->omega_max = 0;
}

double gv_dos_band_edge(const gv_modes *m, double e_phonon) {
  double floor_w = isfinite(m->omega_phonon) ? 0.7 * m->omega_phonon : 0.0;
  for (int j = 0; j < m->k; j++) {
    if (!(m->lambda[j] > m->zero_tol)) continue;
    if (m->omega[j] >= floor_w && m->participation[j] >= e_phonon) return m->omega[j];
  }
  return NAN;
}

int gv_dos_analyse(const gv_modes *S, int ns, const gv_dos_opts *opt, gv_dos_result *r) {
  int status = GV_OK;
  gv_dos_opts o;
  double *w = NULL;
  size_t *off = NULL;
  if (opt) o = *opt;
  else gv_dos_opts_default(&o);
  memset(r, 0, sizeof *r);
  if (ns < 1) return GV_ERROR(GV_EINVAL, "dos: no mode files");
  long total = 0;
  for (int k = 0; k < ns; k++) total += S[k].k;
  GV_ALLOC(w, total);
  GV_ALLOC(off, ns + 1);
  r->n_samples = ns;
  r->omega_min_phonon = INFINITY;
  r->omega_phonon_predicted = INFINITY;
  int any_ct = 0;
  long nw = 0;
  double own_log = 0;
  for (int k = 0; k < ns; k++) {
    const gv_modes *m = &S[k];
    if (m->dim != S[0].dim) {
      status = GV_ERROR(GV_EINVAL, "dos: samples of different dimension (%d and %d)", S[0].dim, m->dim);
      goto cleanup;
    }
    off[k] = (size_t)nw;
    r->n_norm += (double)m->n * m->dim - m->n_translations;
    for (int j = 0; j < m->k; j++) {
      if (m->lambda[j] < -m->zero_tol) r->n_negative++;
      if (m->lambda[j] > m->zero_tol) w[nw++] = m->omega[j];
    }
    double e = gv_dos_band_edge(m, o.e_phonon);
    if (e < r->omega_min_phonon) r->omega_min_phonon = e;
    for (int j = 0; isfinite(e) && j < m->k; j++)
      if (m->lambda[j] > m->zero_tol && m->omega[j] < e) {
        own_log += log(e / m->omega[j]);
        r->n_below_own++;
      }
    if (isfinite(m->omega_phonon)) {
      any_ct = 1;
      if (m->omega_phonon < r->omega_phonon_predicted) r->omega_phonon_predicted = m->omega_phonon;
    }
  }
  off[ns] = (size_t)nw;
  r->n_modes = nw;
  if (!any_ct) r->omega_phonon_predicted = NAN;
  r->band_method = any_ct ? "participation+c_T" : "participation";
  if (!isfinite(r->omega_min_phonon)) {
    r->omega_min_phonon = NAN;
    r->band_method = "none (no extended mode among the computed ones: compute more modes)";
  }
  r->A_g = r->A_g_err = r->A_g_alt = r->A_g_alt_err = r->s = r->s_err = r->s_mle = NAN;
  r->r_mean = r->r_err = NAN;
  r->s_own = r->s_own_err = NAN;
  if (r->n_below_own >= 3 && own_log > 0) {
    r->s_own = (double)r->n_below_own / own_log - 1;
    r->s_own_err = (r->s_own + 1) / sqrt((double)r->n_below_own);
  }
  if (nw == 0) {
    status = GV_ERROR(GV_EINVAL, "dos: no positive modes in the input");
    goto cleanup;
  }
  if (isfinite(r->omega_min_phonon)) {
    double hi = nextafter(r->omega_min_phonon, 0.0);
    gv_spectrum_fit f;
    for (long j = 0; j < nw; j++) r->n_below += w[j] <= hi;
    if (r->n_below > 0 && gv_spectrum_fit_ag(w, (size_t)nw, r->n_norm, 0.0, hi, &f) == GV_OK) {
      r->A_g = f.value, r->A_g_err = f.err, r->A_g_alt = f.value_alt, r->A_g_alt_err = f.err_alt;
    }
    double lo = INFINITY;
    for (long j = 0; j < nw; j++) lo = fmin(lo, w[j]);
    if (r->n_below >= 3 && gv_spectrum_fit_exponent(w, (size_t)nw, r->n_norm, lo, hi, &f) == GV_OK) {
      r->s = f.value, r->s_err = f.err, r->s_mle = f.value_alt;
    }
    gv_error_clear();
  }
  gv_spectrum_ratio rr;
  if (gv_spectrum_level_ratio(w, off, (size_t)ns, 1.0, 0.0, &rr) == GV_OK) {
    r->r_mean = rr.r_mean, r->r_err = rr.r_err, r->n_ratios = (long)rr.n_ratios;
  }
  gv_error_clear();
cleanup:
  free(w);
  free(off);
  return status;
}
