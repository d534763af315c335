/* glassvib spectrum: model-agnostic statistics of a set of frequencies (or of
 * any positive values: eigenvalues, stiffnesses), possibly pooled from many
 * samples. Used by `glassvib dos` (glasses), `glassvib khgps` and
 * `glassvib lattice`. Documentation with equations: docs/spectrum.md.
 *
 *  - D(omega): histogram normalised per mode, D_b = n_b / (n_norm * width_b),
 *    so that sum_b D_b width_b = (modes in range) / n_norm. n_norm is the
 *    number of modes the density is normalised to (e.g. N d - d for a glass
 *    when only the lowest modes were computed, times the number of samples);
 *    pass 0 to use the number of values given. Errors: Poisson, sqrt(n_b).
 *  - F(omega) = int_0^omega D = #{omega_k <= omega} / n_norm (cumulative).
 *  - Exponent s of F(omega) ~ omega^(s+1), i.e. D ~ omega^s, in a window
 *    [lo, hi]: least-squares slope of log F vs log omega over the sorted values
 *    in the window (minus 1), and the maximum-likelihood exponent of a power law
 *    truncated to [lo, hi] with its Fisher error (the F points are correlated,
 *    so the Fisher error is the honest one; it is the one reported as `err`).
 *  - A_g from the plateau of D/omega^4 (count in the window) or of 5F/omega^5
 *    (average over the values in the window); window choice is the caller's.
 *  - <r>: mean ratio of consecutive level spacings, r_k = min(s_k, s_k+1) /
 *    max(s_k, s_k+1), computed per sample (never across sample boundaries);
 *    references 0.5307 (GOE), 0.3863 (Poisson).
 *  - Pastur's equation G(z) = < 1/(z - K - J^2 G(z)) >_K: the large-N
 *    eigenvalue density of diag(K) + GOE (off-diagonal variance J^2/N),
 *    rho(lambda) = -Im G(lambda + i0)/pi (L. A. Pastur, Theor. Math. Phys. 10,
 *    67 (1972)); a test of the eigen/DOS pipeline.
 *
 * All functions are thread-safe (no global state) and never modify inputs.
 */
#ifndef GLASSVIB_SPECTRUM_H
#define GLASSVIB_SPECTRUM_H

#include <complex.h>
#include <stddef.h>

#include "glassvib/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* GOE and Poisson references for the mean level-spacing ratio. */
#define GV_SPECTRUM_R_GOE 0.5307
#define GV_SPECTRUM_R_POISSON 0.3863

/* ------------------------------------------------------------ histograms */
typedef struct gv_spectrum_hist {
  size_t nbins;
  int log_bins;      /* 1: logarithmically spaced edges, 0: linear */
  double *edges;     /* nbins + 1 */
  double *centre;    /* nbins: arithmetic (linear) or geometric (log) bin centre */
  double *density;   /* nbins: D_b = counts_b / (n_norm * width_b) */
  double *error;     /* nbins: sqrt(counts_b) / (n_norm * width_b) */
  long long *counts; /* nbins */
  double n_norm;     /* normalisation used */
  size_t below, above; /* values outside [edges[0], edges[nbins]] (not binned) */
} gv_spectrum_hist;

/* Histogram of x[0..n) on [lo, hi] with nbins bins (log_bins requires lo > 0).
 * n_norm: number of modes to normalise to (0: n). Non-finite values -> GV_ENUMERIC.
 * Allocates *h (free with gv_spectrum_hist_destroy). Statuses: GV_EINVAL, GV_ENOMEM. */
int gv_spectrum_hist_create(gv_spectrum_hist **h, const double *x, size_t n, double lo, double hi,
                            size_t nbins, int log_bins, double n_norm);
void gv_spectrum_hist_destroy(gv_spectrum_hist **h);

/* ------------------------------------------------------------ cumulative */
/* Sorted copy of x in xs[0..n) (caller-allocated) and F[k] = (k + 1) / n_norm,
 * the fraction of modes <= xs[k] (n_norm 0: n). Either output may be NULL for F. */
int gv_spectrum_cumulative(const double *x, size_t n, double n_norm, double *xs, double *F);

/* --------------------------------------------------------------- fitting */
typedef struct gv_spectrum_fit {
  double value;     /* the estimate (exponent s, or A_g) */
  double err;       /* one-sigma uncertainty */
  double value_alt; /* second estimator: exponent -> MLE; A_g -> the other plateau */
  double err_alt;
  double lo, hi;    /* window used */
  size_t n_used;    /* values inside the window */
} gv_spectrum_fit;

/* Exponent s of D(x) ~ x^s from the values of x in [lo, hi] (0 < lo < hi):
 * value = (least-squares slope of log F vs log x) - 1, err = Fisher error of the
 * truncated-power-law maximum likelihood, value_alt/err_alt = that MLE.
 * n_norm as above (only the slope is used, so it does not affect s).
 * Fewer than 3 values in the window -> GV_EINVAL. */
int gv_spectrum_fit_exponent(const double *x, size_t n, double n_norm, double lo, double hi,
                             gv_spectrum_fit *fit);

/* A_g of D(omega) = A_g omega^4 in the window [lo, hi] (0 <= lo < hi):
 * value = plateau of D/omega^4: 5 n_win / (n_norm (hi^5 - lo^5)), err = value/sqrt(n_win);
 * value_alt = mean of 5 F(omega_k)/omega_k^5 over omega_k in the window (F counts all
 * modes <= omega_k, including those below lo), err_alt = value_alt/sqrt(n(<= hi)).
 * No value in the window -> GV_EINVAL. */
int gv_spectrum_fit_ag(const double *omega, size_t n, double n_norm, double lo, double hi,
                       gv_spectrum_fit *fit);

/* General power-law prefactor: D(omega) = A omega^s in [lo, hi] with s given
 * (s > -1): value = (s + 1) n_win / (n_norm (hi^(s+1) - lo^(s+1))), err = value/sqrt(n_win). */
int gv_spectrum_fit_prefactor(const double *x, size_t n, double n_norm, double s, double lo,
                              double hi, gv_spectrum_fit *fit);

/* ------------------------------------------------------- level statistics */
typedef struct gv_spectrum_ratio {
  double r_mean;   /* <r> over all ratios of all samples */
  double r_err;    /* standard error of the mean */
  size_t n_ratios; /* number of ratios used */
} gv_spectrum_ratio;

/* Mean spacing ratio of the levels x (eigenvalues or frequencies; sorted
 * internally per sample). offsets[0..nsamples] delimit samples in x
 * (offsets[s] .. offsets[s+1]); offsets NULL: one sample of n = nsamples values.
 * Only levels with lo <= x <= hi enter (pass lo > hi for all). Degenerate
 * spacings (both zero) are skipped. No ratio -> GV_EINVAL. */
int gv_spectrum_level_ratio(const double *x, const size_t *offsets, size_t nsamples, double lo,
                            double hi, gv_spectrum_ratio *out);

/* ------------------------------------------------------- Pastur equation */
/* Resolvent of the diagonal distribution, R(w) = < 1/(w - K) >_K (Im w > 0). */
typedef double complex (*gv_spectrum_resolvent_fn)(double complex w, void *ctx);

/* Solve G = R(z - J^2 G) at z = lambda + i eta (eta > 0 small, e.g. 1e-9) for
 * the branch with Im G < 0 (damped fixed point with continuation in eta).
 * Writes G; returns GV_NOT_CONVERGED (G still the best iterate) if tol is not met. */
int gv_spectrum_pastur_solve(gv_spectrum_resolvent_fn R, void *ctx, double J, double lambda,
                             double eta, double complex *G);
/* Eigenvalue density rho(lambda_k) = -Im G / pi for k < n (lambda sorted or not). */
int gv_spectrum_pastur_density(gv_spectrum_resolvent_fn R, void *ctx, double J,
                               const double *lambda, size_t n, double *rho);

/* Ready-made resolvents: K uniform on [a, b] (ctx: double[2] = {a, b}), and an
 * empirical set of diagonal values (ctx: gv_spectrum_empirical). */
double complex gv_spectrum_resolvent_uniform(double complex w, void *ctx);
typedef struct gv_spectrum_empirical {
  const double *K;
  size_t n;
} gv_spectrum_empirical;
double complex gv_spectrum_resolvent_empirical(double complex w, void *ctx);

#ifdef __cplusplus
}
#endif
#endif
