/* The affine terms of one pair under x -> (I + gamma A) x (moduli.c and
 * moduli_local.c): u = A r, n = r/|r|, der = {phi, phi', phi''};
 *   d1   = phi' n.u                                  (dU/dgamma share)
 *   born = phi'' (n.u)^2 + (phi'/r)(u.u - (n.u)^2)   (d^2U/dgamma^2 share)
 *   Ku   = phi'' n (n.u) + (phi'/r)(u - n (n.u))     (the pair's Xi = d^2U/dx dgamma) */
#ifndef GV_ANALYSIS_MODULI_PAIR_H
#define GV_ANALYSIS_MODULI_PAIR_H

#include "glassvib/geom.h"

static inline void gv_moduli_pair_terms(int d, const double *A, const double *r, double dist,
                                        const double *der, double *Ku, double *d1, double *born) {
  double u[GV_MAX_DIM], nu = 0, uu = 0;
  for (int a = 0; a < d; a++) {
    u[a] = 0;
    for (int b = 0; b < d; b++) u[a] += A[a * d + b] * r[b];
    nu += r[a] * u[a] / dist;
    uu += u[a] * u[a];
  }
  for (int a = 0; a < d; a++) Ku[a] = der[2] * r[a] / dist * nu + der[1] / dist * (u[a] - r[a] / dist * nu);
  *d1 = der[1] * nu;
  *born = der[2] * nu * nu + der[1] / dist * (uu - nu * nu);
}

#endif
