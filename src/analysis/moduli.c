/* Athermal elastic moduli of an inherent state (Lemaitre and Maloney,
 * J. Stat. Phys. 123, 415 (2006); Lutsko, J. Appl. Phys. 65, 2991 (1989)).
 *
 * For a deformation path x -> F(gamma) x of particles and box, with every
 * pair vector r = x_i - x_j moving as r(gamma), u = dr/dgamma, w = d^2r/dgamma^2:
 *   dU/dgamma     = sum_pairs phi' n.u
 *   d^2U/dgamma^2 = sum_pairs [phi'' (n.u)^2 + (phi'/r)(u.u - (n.u)^2) + phi' n.w]
 *   Xi_i = d^2U/dx_i dgamma = sum_j K_ij u_ij   (forces vanish at a minimum)
 * and the relaxed (non-affine) curvature is d^2U/dgamma^2 - Xi.M^+.Xi, the
 * pseudo-inverse taken on the complement of the translations (Xi sums to 0).
 *  - Simple shear in plane (a, b): F = I + gamma e_a e_b^T, u = r_b e_a, w = 0;
 *    under a hydrostatic pre-stress (1/V) d^2U/dgamma^2 is the shear modulus
 *    (the Wallace stress-strain coefficient B_abab = C_abab - p), averaged over
 *    the d(d-1)/2 planes.
 *  - Dilation F = e^eta I (V = V0 e^(d eta)): u = w = r; since dU/deta = -p d V,
 *    B = -V dp/dV = (1/(d^2 V)) d^2U/deta^2 + p.
 *  - p = -(1/(d V)) sum phi' r (athermal), rho = N/V (unit masses),
 *    c_T = sqrt(G/rho), c_L = sqrt((B + 2(d-1)G/d)/rho),
 *    Debye: d/c_D^d = 1/c_L^d + (d-1)/c_T^d, k_D = 2 pi (rho/V_d)^(1/d) with V_d
 *    the volume of the unit d-ball, omega_D = c_D k_D.
 * Units: G, B, p in eps/lambda^d; velocities in lambda sqrt(eps/m)/lambda. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "linalg/alloc.h"
#include "moduli_pair.h"

int gv_moduli_affine(const gv_hessian *H, const gv_system *s, const double *A, double *dU,
                     double *d2U, double *Xi) {
  const long n = H->n;
  const int d = H->dim;
  double *part = NULL; /* per-particle sums, added in index order: thread-count independent */
  int bad = 0;
  part = malloc(sizeof(double) * 2 * (size_t)(n > 0 ? n : 1));
  if (!part) return GV_ERROR(GV_ENOMEM, "affine derivatives: out of memory");
#pragma omp parallel for schedule(dynamic, 64) reduction(| : bad)
  for (long i = 0; i < n; i++) {
    double xi[GV_MAX_DIM] = {0}, s1 = 0, s2 = 0;
    for (long q = H->nstart[i]; q < H->nstart[i + 1]; q++) {
      long j = H->nbr[q];
      double r[GV_MAX_DIM], Ku[GV_MAX_DIM], der[3], d1, born;
      double dist = gv_hessian_pair_vector(s, i, j, r);
      if (!gv_model_pair(H->model, s, i, j, dist, 2, der)) continue;
      gv_moduli_pair_terms(d, A, r, dist, der, Ku, &d1, &born);
      for (int a = 0; a < d; a++) xi[a] += Ku[a];
      if (j > i) {
        s1 += d1;
        s2 += born;
      }
    }
    if (Xi)
      for (int a = 0; a < d; a++) Xi[i * d + a] = xi[a];
    for (int a = 0; a < d; a++) bad |= !isfinite(xi[a]);
    part[2 * i] = s1, part[2 * i + 1] = s2;
  }
  double s1 = 0, s2 = 0;
  for (long i = 0; i < n; i++) s1 += part[2 * i], s2 += part[2 * i + 1];
  free(part);
  if (dU) *dU = s1;
  if (d2U) *d2U = s2;
  if (bad || !isfinite(s1) || !isfinite(s2)) return GV_ERROR(GV_ENUMERIC, "non-finite affine derivative");
  return GV_OK;
}

int gv_moduli_compute(const gv_hessian *H, const gv_system *s, gv_linalg_factor *F,
                      gv_moduli *out) {
  int status = GV_OK;
  const int d = H->dim;
  const int64_t nd = (int64_t)H->n * d;
  const int np = d * (d - 1) / 2;
  const int nrhs = np + 1;
  double *Xi = NULL, *X = NULL;
  double d2[7], A[GV_MAX_DIM * GV_MAX_DIM];
  gv_linalg_factor *own = NULL;
  memset(out, 0, sizeof *out);
  if (d < 2) return GV_ERROR(GV_EINVAL, "moduli need dim >= 2");
  GV_NALLOC(Xi, nd * nrhs);
  GV_NALLOC(X, nd * nrhs);
  const double V = gv_box_volume(&s->box);
  /* shear planes a < b */
  int c = 0;
  for (int a = 0; a < d; a++)
    for (int b = a + 1; b < d; b++, c++) {
      memset(A, 0, sizeof A);
      A[a * d + b] = 1.0;
      GV_TRY(gv_moduli_affine(H, s, A, NULL, &d2[c], Xi + c * nd));
    }
  /* dilation */
  double dUe;
  memset(A, 0, sizeof A);
  for (int a = 0; a < d; a++) A[a * d + a] = 1.0;
  GV_TRY(gv_moduli_affine(H, s, A, &dUe, &d2[np], Xi + np * nd));
  d2[np] += dUe; /* the phi' n.w term, w = r */
  out->pressure = -dUe / (d * V);
  /* non-affine corrections */
  if (!F) {
    GV_TRY(gv_linalg_factor_create(&own, H->M, d));
    GV_TRY(gv_linalg_factor_numeric(own, H->M, -1e-8 * gv_linalg_sparse_mean_diagonal(H->M)));
    F = own;
  }
  status = gv_linalg_factor_solve(F, H->M, nrhs, Xi, X, 1e-10, &out->solve_residual);
  if (status < 0) goto cleanup;
  if (status == GV_NOT_CONVERGED)
    gv_log(GV_LOG_INFO, "moduli: non-affine solves reached relative residual %.2e only", out->solve_residual);
  status = GV_OK;
  double na[7];
  for (int r = 0; r < nrhs; r++) {
    double sum = 0;
    for (int64_t i = 0; i < nd; i++) sum += Xi[r * nd + i] * X[r * nd + i];
    na[r] = sum;
  }
  out->dim = d;
  out->n_planes = np;
  double gsum = 0, gaff = 0;
  for (int r = 0; r < np; r++) {
    out->G_planes[r] = (d2[r] - na[r]) / V;
    gsum += out->G_planes[r];
    gaff += d2[r] / V;
  }
  out->G = gsum / np;
  out->G_affine = gaff / np;
  if (np > 1) {
    double v = 0;
    for (int r = 0; r < np; r++) v += pow(out->G_planes[r] - out->G, 2);
    out->G_err = sqrt(v / (np - 1) / np);
  }
  out->B_affine = d2[np] / (d * d * V) + out->pressure;
  out->B = (d2[np] - na[np]) / (d * d * V) + out->pressure;
  out->density = (double)H->n / V;
  const double rho = out->density;
  out->c_T = out->G > 0 ? sqrt(out->G / rho) : NAN;
  double Ml = out->B + 2.0 * (d - 1) * out->G / d;
  out->c_L = Ml > 0 ? sqrt(Ml / rho) : NAN;
  double vd = pow(M_PI, d / 2.0) / tgamma(d / 2.0 + 1.0);
  out->k_D = 2 * M_PI * pow(rho / vd, 1.0 / d);
  out->c_D = pow(d / (pow(out->c_L, -d) + (d - 1) * pow(out->c_T, -d)), 1.0 / d);
  out->omega_D = out->c_D * out->k_D;
  if (!isfinite(out->G) || !isfinite(out->B))
    status = GV_ERROR(GV_ENUMERIC, "non-finite modulus (G = %g, B = %g)", out->G, out->B);
cleanup:
  gv_linalg_factor_destroy(&own);
  free(Xi);
  free(X);
  return status;
}
