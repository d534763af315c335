/* Shared toy systems for the qlm tests: a smooth radial potential evaluated
 * analytically (independent of the pot module), clusters and lattices. */
#ifndef QLM_TOY_H
#define QLM_TOY_H
#include <math.h>
#include <stdlib.h>

#include "glassvib/qlm.h"

/* phi(r) = e0 r^-10 + c2 r^2 + c4 r^4 + c1 r, with derivatives k = 0..4. */
typedef struct { double e0, c1, c2, c4; } toy_pot;
static inline void toy_phi(const toy_pot *t, double r, double *d) {
  double ir = 1 / r, p = pow(r, -10);
  d[0] = t->e0 * p + t->c1 * r + t->c2 * r * r + t->c4 * r * r * r * r;
  d[1] = -10 * t->e0 * p * ir + t->c1 + 2 * t->c2 * r + 4 * t->c4 * r * r * r;
  d[2] = 110 * t->e0 * p * ir * ir + 2 * t->c2 + 12 * t->c4 * r * r;
  d[3] = -1320 * t->e0 * p * ir * ir * ir + 24 * t->c4 * r;
  d[4] = 17160 * t->e0 * p * ir * ir * ir * ir + 24 * t->c4;
}
static inline long double toy_phi_ld(const toy_pot *t, long double r) {
  return (long double)t->e0 * powl(r, -10) + t->c1 * r + t->c2 * r * r + t->c4 * r * r * r * r;
}

/* Random open cluster of n particles in a cube of side L with minimum
 * distance dmin; all pairs interact. */
static inline int toy_cluster(int dim, long n, double L, double dmin, uint64_t seed,
                              const toy_pot *t, double *x, gv_pairset **ps) {
  gv_rng r;
  gv_rng_init(&r, seed, 0, GV_RNG_ANALYSIS);
  for (long i = 0; i < n; i++) {
    for (int tries = 0;; tries++) {
      for (int a = 0; a < dim; a++) x[i * dim + a] = L * gv_rng_uniform(&r);
      int ok = 1;
      for (long j = 0; j < i && ok; j++) {
        double r2 = 0;
        for (int a = 0; a < dim; a++) r2 += pow(x[i * dim + a] - x[j * dim + a], 2);
        if (r2 < dmin * dmin) ok = 0;
      }
      if (ok) break;
      if (tries > 100000) return -1;
    }
  }
  long np = n * (n - 1) / 2, k = 0;
  long *pi = malloc(sizeof(long) * np), *pj = malloc(sizeof(long) * np);
  double *rv = malloc(sizeof(double) * np * dim), *dp = malloc(sizeof(double) * np * 5);
  for (long i = 0; i < n; i++)
    for (long j = i + 1; j < n; j++, k++) {
      pi[k] = i;
      pj[k] = j;
      double r2 = 0;
      for (int a = 0; a < dim; a++) {
        rv[k * dim + a] = x[i * dim + a] - x[j * dim + a];
        r2 += rv[k * dim + a] * rv[k * dim + a];
      }
      toy_phi(t, sqrt(r2), dp + 5 * k);
    }
  int st = gv_pairset_create(ps, dim, n, np, pi, pj, rv, dp);
  free(pi);
  free(pj);
  free(rv);
  free(dp);
  return st;
}

/* Periodic simple-cubic L^3 lattice (spacing a) of nearest-neighbour springs
 * phi(r) = (k/2)(r - l0)^2: phi'' = k, phi'/a = k (1 - l0/a). */
static inline int toy_sc_lattice(long L, double a, double k, double l0, gv_pairset **ps) {
  long n = L * L * L, np = 3 * n, q = 0;
  long *pi = malloc(sizeof(long) * np), *pj = malloc(sizeof(long) * np);
  double *rv = calloc(np * 3, sizeof(double)), *dp = calloc(np * 5, sizeof(double));
  for (long x = 0; x < L; x++)
    for (long y = 0; y < L; y++)
      for (long z = 0; z < L; z++) {
        long i = (x * L + y) * L + z;
        long nb[3] = {(((x + 1) % L) * L + y) * L + z, (x * L + (y + 1) % L) * L + z,
                      (x * L + y) * L + (z + 1) % L};
        for (int d = 0; d < 3; d++, q++) {
          long j = nb[d];
          /* r_ij = x_i - x_j = -a e_d; store with i < j ordering */
          double sg = i < j ? 1 : -1;
          pi[q] = i < j ? i : j;
          pj[q] = i < j ? j : i;
          rv[q * 3 + d] = -a * sg;
          dp[q * 5 + 0] = 0.5 * k * (a - l0) * (a - l0);
          dp[q * 5 + 1] = k * (a - l0);
          dp[q * 5 + 2] = k;
        }
      }
  int st = gv_pairset_create(ps, 3, n, np, pi, pj, rv, dp);
  free(pi);
  free(pj);
  free(rv);
  free(dp);
  return st;
}
#endif
