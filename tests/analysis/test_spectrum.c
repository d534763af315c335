/* Spectral statistics: histogram normalisation, exponent and A_g estimators on
 * synthetic power laws, level-spacing ratios (GOE vs Poisson), and the DOS of
 * diag(K) + GOE against Pastur's equation. */
#include <lapacke.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/spectrum.h"
#include "testlib.h"

static void test_hist(void) {
  double x[] = {0.15, 0.25, 0.26, 0.9, 1.5, -1, 0.5};
  gv_spectrum_hist *h = NULL;
  CHECK_OK(gv_spectrum_hist_create(&h, x, 7, 0.1, 1.0, 3, 0, 10.0));
  CHECK(h->counts[0] == 3 && h->counts[1] == 1 && h->counts[2] == 1, "counts %lld %lld %lld",
        h->counts[0], h->counts[1], h->counts[2]);
  CHECK(h->below == 1 && h->above == 1, "outside counts");
  CHECK_CLOSE(h->density[0], 3.0 / (10.0 * 0.3), 1e-12, 0);
  CHECK_CLOSE(h->error[0], sqrt(3.0) / (10.0 * 0.3), 1e-12, 0);
  gv_spectrum_hist_destroy(&h);
  CHECK(h == NULL, "destroy clears");
  /* log bins: edges geometric, total integral = fraction binned */
  double y[1000];
  gv_rng r;
  gv_rng_init(&r, 7, 0, GV_RNG_ANALYSIS);
  for (int i = 0; i < 1000; i++) y[i] = exp(-6 * gv_rng_uniform(&r));
  CHECK_OK(gv_spectrum_hist_create(&h, y, 1000, exp(-6.0), 1.0, 12, 1, 0));
  double integ = 0;
  for (size_t b = 0; b < h->nbins; b++) integ += h->density[b] * (h->edges[b + 1] - h->edges[b]);
  CHECK_CLOSE(integ, 1.0, 1e-12, 0);
  CHECK_CLOSE(h->edges[1] / h->edges[0], h->edges[12] / h->edges[11], 1e-12, 0);
  gv_spectrum_hist_destroy(&h);
  CHECK(gv_spectrum_hist_create(&h, y, 1000, 0.0, 1.0, 12, 1, 0) == GV_EINVAL, "log bins need lo > 0");
  gv_error_clear();
  double bad[2] = {0.5, NAN};
  CHECK(gv_spectrum_hist_create(&h, bad, 2, 0.1, 1, 3, 0, 0) == GV_ENUMERIC, "NaN rejected");
  gv_error_clear();
}

static void test_fits(void) {
  /* x with density ~ x^s on [0, 1]: x = u^(1/(s+1)); 40% of "modes" elsewhere */
  const size_t n = 60000;
  const double s = 3.7;
  double *x = malloc(n * sizeof *x);
  gv_rng r;
  gv_rng_init(&r, 11, 1, GV_RNG_ANALYSIS);
  for (size_t i = 0; i < n; i++) x[i] = pow(gv_rng_uniform(&r), 1.0 / (s + 1));
  gv_spectrum_fit f;
  CHECK_OK(gv_spectrum_fit_exponent(x, n, n / 0.6, 0.05, 0.8, &f));
  CHECK(fabs(f.value_alt - s) < 4 * f.err_alt, "MLE exponent %g +- %g vs %g", f.value_alt, f.err_alt, s);
  CHECK(fabs(f.value - s) < 0.05, "LS exponent %g vs %g", f.value, s);
  CHECK(f.err > 0 && f.err < 0.05, "exponent error %g", f.err);
  /* A_g: D = 5 omega^4 on [0, 1] for n of n_norm = n/0.6 modes -> A_g = 0.6 * 5 */
  double *w = malloc(n * sizeof *w);
  for (size_t i = 0; i < n; i++) w[i] = pow(gv_rng_uniform(&r), 0.2);
  CHECK_OK(gv_spectrum_fit_ag(w, n, n / 0.6, 0, 0.5, &f));
  CHECK(fabs(f.value - 3.0) < 4 * f.err, "A_g %g +- %g vs 3", f.value, f.err);
  CHECK(fabs(f.value_alt - 3.0) < 4 * f.err_alt, "A_g (5F/w^5) %g +- %g vs 3", f.value_alt, f.err_alt);
  CHECK(f.n_used > 1000 && f.n_used < 3000, "window count %zu", f.n_used);
  CHECK(gv_spectrum_fit_ag(w, n, 0, 2.0, 3.0, &f) == GV_EINVAL, "empty window");
  gv_error_clear();
  /* cumulative */
  double xs[4], F[4], in[4] = {3, 1, 2, 0.5};
  CHECK_OK(gv_spectrum_cumulative(in, 4, 8, xs, F));
  CHECK(xs[0] == 0.5 && xs[3] == 3 && F[3] == 0.5, "cumulative");
  free(x);
  free(w);
}

/* Dense GOE(J^2/n) + diag(K) with K uniform on [ka, kb]; eigenvalues into ev. */
static void random_matrix(size_t n, double J, double ka, double kb, uint64_t sample, double *ev) {
  double *M = malloc(n * n * sizeof *M);
  gv_rng r;
  gv_rng_init(&r, 5, sample, GV_RNG_ANALYSIS);
  for (size_t j = 0; j < n; j++) {
    M[j + j * n] = ka + (kb - ka) * gv_rng_uniform(&r);
    for (size_t i = j + 1; i < n; i++) M[i + j * n] = M[j + i * n] = J / sqrt((double)n) * gv_rng_normal(&r);
  }
  LAPACKE_dsyevd(LAPACK_COL_MAJOR, 'N', 'L', (lapack_int)n, M, (lapack_int)n, ev);
  free(M);
}

static void test_level_ratio(void) {
  const size_t n = 400;
  double *ev = malloc(2 * n * sizeof *ev);
  random_matrix(n, 1.0, 0, 0, 1, ev); /* pure GOE */
  random_matrix(n, 1.0, 0, 0, 2, ev + n);
  size_t off[3] = {0, n, 2 * n};
  gv_spectrum_ratio rr;
  CHECK_OK(gv_spectrum_level_ratio(ev, off, 2, -1.5, 1.5, &rr));
  CHECK(fabs(rr.r_mean - GV_SPECTRUM_R_GOE) < 4 * rr.r_err + 0.005, "GOE <r> = %g +- %g", rr.r_mean, rr.r_err);
  /* Poisson: independent uniform levels */
  const size_t m = 20000;
  double *u = malloc(m * sizeof *u);
  gv_rng r;
  gv_rng_init(&r, 9, 0, GV_RNG_ANALYSIS);
  for (size_t i = 0; i < m; i++) u[i] = gv_rng_uniform(&r);
  CHECK_OK(gv_spectrum_level_ratio(u, NULL, m, 1, 0, &rr));
  CHECK(fabs(rr.r_mean - GV_SPECTRUM_R_POISSON) < 4 * rr.r_err, "Poisson <r> = %g +- %g", rr.r_mean, rr.r_err);
  free(u);
  free(ev);
}

static void test_pastur(void) {
  /* J = 0: the density of K itself; constant K: Wigner semicircle of radius 2J */
  double ab[2] = {0.4, 1.9};
  double lam = 1.1, rho;
  CHECK_OK(gv_spectrum_pastur_density(gv_spectrum_resolvent_uniform, ab, 0.0, &lam, 1, &rho));
  CHECK_CLOSE(rho, 1.0 / 1.5, 1e-6, 0);
  double K0 = 0.3;
  gv_spectrum_empirical emp = {&K0, 1};
  const double J = 0.385;
  for (double l = -0.4; l <= 1.0; l += 0.1) {
    double ex = (fabs(l - K0) < 2 * J) ? sqrt(4 * J * J - (l - K0) * (l - K0)) / (2 * M_PI * J * J) : 0;
    CHECK_OK(gv_spectrum_pastur_density(gv_spectrum_resolvent_empirical, &emp, J, &l, 1, &rho));
    CHECK_CLOSE(rho, ex, 1e-5, 2e-4);
  }
  /* histogram of diag(U[0.4,1.9]) + GOE(J^2/n) eigenvalues vs Pastur */
  const size_t n = 1000, ns = 3;
  double *ev = malloc(n * ns * sizeof *ev);
  for (size_t s = 0; s < ns; s++) random_matrix(n, J, ab[0], ab[1], 10 + s, ev + s * n);
  gv_spectrum_hist *h = NULL;
  CHECK_OK(gv_spectrum_hist_create(&h, ev, n * ns, -0.2, 2.5, 27, 0, 0));
  double chi2 = 0;
  int dof = 0;
  for (size_t b = 0; b < h->nbins; b++) {
    /* bin average of the Pastur density (Simpson on 9 points) */
    double a = h->edges[b], c = h->edges[b + 1], acc = 0;
    for (int k = 0; k <= 8; k++) {
      double l = a + (c - a) * k / 8.0, r;
      gv_spectrum_pastur_density(gv_spectrum_resolvent_uniform, ab, J, &l, 1, &r);
      acc += r * ((k == 0 || k == 8) ? 1 : (k % 2 ? 4 : 2));
    }
    double pred = acc / 24.0;
    double expected_counts = pred * (double)(n * ns) * (c - a);
    if (expected_counts < 20) continue; /* edges: finite-n tails */
    double z = (h->density[b] - pred) / (sqrt(expected_counts) / ((double)(n * ns) * (c - a)));
    chi2 += z * z;
    dof++;
  }
  /* eigenvalue fluctuations are sub-Poissonian (rigid spectrum), so chi2/dof < ~1.5
   * unless the density is wrong */
  CHECK(dof >= 15 && chi2 / dof < 2.0, "Pastur vs histogram: chi2/dof = %g (dof %d)", chi2 / dof, dof);
  gv_spectrum_hist_destroy(&h);
  free(ev);
}

int main(void) {
  test_hist();
  test_fits();
  test_level_ratio();
  test_pastur();
  return tl_finish();
}
