/* Anharmonic contractions vs finite differences of the energy along a
 * direction (7-point stencils in long double), the vectors vs polarisation
 * identities, translation invariance, 2D and 3D. */
#include <omp.h>
#include <string.h>

#include "testlib.h"
#include "toy.h"

static long double energy_along(const gv_pairset *ps, const toy_pot *t, const double *z,
                                 long double s) {
  int dim = ps->dim;
  long double e = 0;
  for (long k = 0; k < ps->npairs; k++) {
    long double r2 = 0;
    for (int a = 0; a < dim; a++) {
      long double d = ps->r[k * dim + a] +
                      s * ((long double)z[ps->pi[k] * dim + a] - z[ps->pj[k] * dim + a]);
      r2 += d * d;
    }
    e += toy_phi_ld(t, sqrtl(r2));
  }
  return e;
}

static void run(int dim, long n, uint64_t seed) {
  toy_pot t = {2.385, 0.37, -0.21, 0.013};
  double *x = malloc(sizeof(double) * n * dim);
  gv_pairset *ps = NULL;
  CHECK_OK(toy_cluster(dim, n, dim == 3 ? 2.7 : 4.0, 0.85, seed, &t, x, &ps));
  long nd = n * dim;
  double *z = malloc(sizeof(double) * nd), *w = malloc(sizeof(double) * nd);
  double *Mz = malloc(sizeof(double) * nd), *T = malloc(sizeof(double) * nd),
         *Q = malloc(sizeof(double) * nd);
  gv_rng r;
  gv_rng_init(&r, seed, 1, GV_RNG_ANALYSIS);
  for (long i = 0; i < nd; i++) {
    z[i] = gv_rng_normal(&r) * 0.3;
    w[i] = gv_rng_normal(&r);
  }
  gv_anharm h;
  CHECK_OK(gv_anharmonic_contract(ps, z, Mz, T, Q, &h));
  /* finite differences of U(x + s z) */
  const long double hh = 2e-3L;
  long double f[7];
  for (int m = -3; m <= 3; m++) f[m + 3] = energy_along(ps, &t, z, m * hh);
  long double d2 = (2 * f[0] - 27 * f[1] + 270 * f[2] - 490 * f[3] + 270 * f[4] - 27 * f[5] + 2 * f[6]) /
                   (180 * hh * hh);
  long double d3 = (f[0] - 8 * f[1] + 13 * f[2] - 13 * f[4] + 8 * f[5] - f[6]) / (8 * hh * hh * hh);
  long double d4 = (-f[0] + 12 * f[1] - 39 * f[2] + 56 * f[3] - 39 * f[4] + 12 * f[5] - f[6]) /
                   (6 * hh * hh * hh * hh);
  CHECK_CLOSE(h.kappa, (double)d2, 1e-7, 1e-9);
  CHECK_CLOSE(h.tau, (double)d3, 1e-6, 1e-7);
  CHECK_CLOSE(h.chi, (double)d4, 1e-5, 1e-6);
  /* z.vectors = scalars */
  double s2 = 0, s3 = 0, s4 = 0;
  for (long i = 0; i < nd; i++) {
    s2 += z[i] * Mz[i];
    s3 += z[i] * T[i];
    s4 += z[i] * Q[i];
  }
  CHECK_CLOSE(s2, h.kappa, 1e-12, 1e-12);
  CHECK_CLOSE(s3, h.tau, 1e-12, 1e-12);
  CHECK_CLOSE(s4, h.chi, 1e-12, 1e-12);
  /* polarisation: d/de tau(z + e w) = 3 w.T, d/de chi(z + e w) = 4 w.Q, d/de kappa = 2 w.Mz */
  double e = 1e-5, *zp = malloc(sizeof(double) * nd), *zm = malloc(sizeof(double) * nd);
  for (long i = 0; i < nd; i++) {
    zp[i] = z[i] + e * w[i];
    zm[i] = z[i] - e * w[i];
  }
  gv_anharm hp, hm;
  CHECK_OK(gv_anharmonic_contract(ps, zp, NULL, NULL, NULL, &hp));
  CHECK_OK(gv_anharmonic_contract(ps, zm, NULL, NULL, NULL, &hm));
  double wm = 0, wt = 0, wq = 0;
  for (long i = 0; i < nd; i++) {
    wm += w[i] * Mz[i];
    wt += w[i] * T[i];
    wq += w[i] * Q[i];
  }
  CHECK_CLOSE((hp.kappa - hm.kappa) / (2 * e), 2 * wm, 1e-7, 1e-8);
  CHECK_CLOSE((hp.tau - hm.tau) / (2 * e), 3 * wt, 1e-7, 1e-8);
  CHECK_CLOSE((hp.chi - hm.chi) / (2 * e), 4 * wq, 1e-7, 1e-8);
  /* translation invariance: every vector sums to zero per component */
  for (int a = 0; a < dim; a++) {
    double sm = 0, st = 0, sq = 0, scale = 0;
    for (long i = 0; i < n; i++) {
      sm += Mz[i * dim + a];
      st += T[i * dim + a];
      sq += Q[i * dim + a];
      scale += fabs(Q[i * dim + a]) + fabs(Mz[i * dim + a]);
    }
    CHECK(fabs(sm) < 1e-12 * scale && fabs(st) < 1e-12 * scale && fabs(sq) < 1e-12 * scale,
          "vectors must sum to zero (translation invariance), dim %d comp %d", dim, a);
  }
  /* thread-count independence (bitwise) */
  double *Q1 = malloc(sizeof(double) * nd);
  gv_anharm h1;
  int nt = omp_get_max_threads();
  omp_set_num_threads(1);
  CHECK_OK(gv_anharmonic_contract(ps, z, NULL, NULL, Q1, &h1));
  omp_set_num_threads(nt > 1 ? nt : 2);
  CHECK(memcmp(Q1, Q, sizeof(double) * nd) == 0 && h1.chi == h.chi,
        "results must not depend on the number of threads");
  omp_set_num_threads(nt);
  free(Q1);
  free(zp);
  free(zm);
  free(x);
  free(z);
  free(w);
  free(Mz);
  free(T);
  free(Q);
  gv_pairset_destroy(&ps);
}

int main(void) {
  run(3, 24, 11);
  run(2, 18, 12);
  /* bad input: a pair with zero distance */
  gv_pairset *ps = NULL;
  long pi[1] = {0}, pj[1] = {1};
  double rv[3] = {0, 0, 0}, dp[5] = {1, 1, 1, 1, 1};
  CHECK(gv_pairset_create(&ps, 3, 2, 1, pi, pj, rv, dp) == GV_EINVAL && !ps, "zero distance rejected");
  return tl_finish();
}
