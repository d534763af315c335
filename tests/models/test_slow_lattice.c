/* Slow: how eta of p(kappa) ~ kappa^eta depends on the dimension in the lattice
 * model exactly as written in seed 003 (Eqs. 8-10), and its d -> infinity limit
 * (Eqs. 14-15). What the model does (docs/meanfield.md, 10^7 realisations per d):
 * the local exponent is not constant (it tends to 1 as kappa -> 0 and rises
 * steeply above 0.1) and is flattest near kappa ~ 0.03; there, eta falls from 2D to
 * 3D (seed 0.90 -> 0.80; here 0.96 -> 0.88 in [0.005, 0.05]) but 3D and 4D agree
 * (seed 0.80 -> 0.76; here 0.856 vs 0.851 in [0.01, 0.05]); the seed's further
 * decrease is carried by the first shell of 2d neighbours, whose idealisation
 * (gv_lattice_create_star: centre + 2d unit weights) goes to 1/4 only slowly
 * (0.87, 0.73, 0.59, 0.46 for d = 8, 16, 64, 256), and the 8D lattice already
 * coincides with it. Checked here, each with fixed seeds:
 *  1. eta(2D, L = 101) > eta(3D, L = 21) by > 2 sigma in [0.005, 0.05], each from
 *     3 x 10^7 realisations: the difference (~0.04) is only ~2 sigma of a single
 *     10^7 run (seeds 101-103 gave 2D 0.931, 0.952, 0.930 and 3D 0.911, 0.879, 0.904,
 *     each +- 0.015; pooled 0.938 vs 0.898, 4.7 sigma),
 *     so one run per dimension could pass or fail by luck;
 *  2. |eta(3D) - eta(4D, L = 11)| < 3 sigma in [0.01, 0.05];
 *  3. star: eta(d) decreases by > 3 sigma per step over d = 4, 16, 64, 256, and
 *     1/4 < eta(256) (the limit is approached from above);
 *  4. 8D lattice (L = 3) = star of 16 neighbours within 3 sigma. */
#include <math.h>
#include <stdlib.h>

#include "glassvib/models.h"
#include "testlib.h"

static double eta_of(gv_lattice *lat, const char *what, size_t n, uint64_t seed, double lo, double hi, double *err) {
  double *k = malloc(n * sizeof *k);
  gv_lattice_analysis a = {0};
  CHECK_OK(gv_lattice_sample(lat, seed, 0, n, k));
  CHECK_OK(gv_lattice_analyse(k, n, lo, hi, &a));
  printf("%-22s eta = %.3f +- %.3f in [%g, %g] (%zu of %zu), <kappa> = %.5f\n", what, a.eta, a.eta_err, a.fit_lo,
         a.fit_hi, a.fit_n, n, a.kappa_mean);
  gv_lattice_destroy(&lat);
  free(k);
  *err = a.eta_err;
  return a.eta;
}

static gv_lattice *lattice(int d, int L) {
  gv_lattice *lat = NULL;
  CHECK_OK(gv_lattice_create(&lat, d, L));
  return lat;
}
static gv_lattice *star(int d) {
  gv_lattice *lat = NULL;
  CHECK_OK(gv_lattice_create_star(&lat, 2 * d));
  return lat;
}

int main(void) {
  double s2, s3, s3b, s4, s8, e;
  double e2 = eta_of(lattice(2, 101), "2D, L = 101", 30000000, 21, 0.005, 0.05, &s2);
  double e3 = eta_of(lattice(3, 21), "3D, L = 21", 30000000, 31, 0.005, 0.05, &s3);
  CHECK(e2 - e3 > 2 * hypot(s2, s3), "eta(2D) = %g not above eta(3D) = %g", e2, e3);
  /* the same 3D realisations in the default window, against 4D */
  double e3b = eta_of(lattice(3, 21), "3D, L = 21", 10000000, 31, 0, 0, &s3b);
  double e4 = eta_of(lattice(4, 11), "4D, L = 11", 5000000, 41, 0, 0, &s4);
  CHECK(fabs(e3b - e4) < 3 * hypot(s3b, s4), "eta(3D) = %g and eta(4D) = %g differ", e3b, e4);
  /* d -> infinity */
  const int ds[4] = {4, 16, 64, 256};
  double prev = INFINITY, sprev = 0, estar8 = NAN, sstar8 = 0;
  for (int i = 0; i < 4; i++) {
    char name[64];
    snprintf(name, sizeof name, "star, d = %d", ds[i]);
    double s, es = eta_of(star(ds[i]), name, 16000000, 51 + (uint64_t)i, 0, 0, &s);
    CHECK(prev - es > 3 * hypot(s, sprev), "star eta(d = %d) = %g not below eta(d = %d) = %g", ds[i], es,
          i ? ds[i - 1] : 0, prev);
    if (ds[i] == 256) CHECK(es > 0.25, "star eta(256) = %g below the d -> infinity limit 1/4", es);
    prev = es;
    sprev = s;
  }
  estar8 = eta_of(star(8), "star, d = 8", 4000000, 61, 0, 0, &sstar8);
  e = eta_of(lattice(8, 3), "8D, L = 3", 2000000, 71, 0, 0, &s8);
  CHECK(fabs(e - estar8) < 3 * hypot(s8, sstar8), "8D lattice eta %g vs first-shell limit %g", e, estar8);
  return tl_finish();
}
