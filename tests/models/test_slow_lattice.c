/* Slow: the exponent eta of p(kappa) ~ kappa^eta decreases with the dimension
 * (seed 003: 0.90, 0.80, 0.76 in 2D, 3D, 4D; -> 1/4 as d -> infinity).
 * 3 x 10^6 realisations each of d = 2 (L = 51) and 4 (L = 9) fitted on the same
 * window kappa in [1e-3, 3e-2] (the local slope falls with kappa, so a common
 * window is needed to compare dimensions), 2 x 10^5 of d = 10 (L = 3) with the
 * default window; checks eta(2) > eta(4) beyond 2 sigma of the difference and
 * that eta(10) lies between 1/4 and eta(2). (The approach to 1/4
 * is slow: the first shell has only 2d sites, and with 10^6 realisations eta(10)
 * is not resolved from eta(4); see docs/meanfield.md.) */
#include <math.h>
#include <stdlib.h>

#include "glassvib/models.h"
#include "testlib.h"

static double eta_of(int d, int L, size_t n, double lo, double hi, double *err) {
  gv_lattice *lat = NULL;
  double *k = malloc(n * sizeof *k);
  gv_lattice_analysis a = {0};
  CHECK_OK(gv_lattice_create(&lat, d, L));
  CHECK_OK(gv_lattice_sample(lat, 2024, 0, n, k));
  CHECK_OK(gv_lattice_analyse(k, n, lo, hi, &a));
  printf("d = %d, L = %d: eta = %.3f +- %.3f (kappa in [%.4g, %.4g], %zu values), <kappa> = %.5f\n", d, L, a.eta,
         a.eta_err, a.fit_lo, a.fit_hi, a.fit_n, a.kappa_mean);
  gv_lattice_destroy(&lat);
  free(k);
  *err = a.eta_err;
  return a.eta;
}

int main(void) {
  double e2, e4, e10, s2, s4, s10;
  e2 = eta_of(2, 51, 3000000, 1e-3, 3e-2, &s2);
  e4 = eta_of(4, 9, 3000000, 1e-3, 3e-2, &s4);
  e10 = eta_of(10, 3, 200000, 0, 0, &s10);
  CHECK(e2 - e4 > 2 * hypot(s2, s4), "eta(2) = %g not above eta(4) = %g", e2, e4);
  CHECK(e10 < e2 + 2 * hypot(s2, s10), "eta(10) = %g above eta(2) = %g", e10, e2);
  CHECK(e10 > 0.25 - 2 * s10, "eta(10) = %g below the d -> infinity limit 1/4", e10);
  return tl_finish();
}
