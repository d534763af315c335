/* Local shear moduli and the elastic heterogeneity they measure: the input
 * that heterogeneous-elasticity theories (SCBA, Born, GBA) take by hand.
 *
 * The relaxed shear curvature of moduli.c splits exactly over pairs: with the
 * affine pair derivative u_ij = A r_ij, the pair stiffness
 * K_ij u = phi'' n (n.u) + (phi'/r)(u - n (n.u)) and the non-affine field
 * X = M^+ Xi (Xi_i = sum_j K_ij u_ij),
 *   d^2U/dgamma^2 - Xi.X = sum_pairs g_ij,
 *   g_ij = phi'' (n.u)^2 + (phi'/r)(u.u - (n.u)^2) - K_ij u_ij . (X_i - X_j),
 * since Xi.X = sum_pairs K_ij u_ij . (X_i - X_j). Each particle takes half of
 * its pairs, g_i = (1/2) sum_j g_ij, and the local modulus of a box b is
 * G_b = sum_{i in b} g_i / V_b: the box's stress response to the global shear
 * with the glass's own non-affine relaxation (Mizuno, Mossa, Barrat, PRE 87,
 * 042306 (2013), with particle instead of Irving-Kirkwood assignment). The
 * box average of G_b is G exactly (a sum rule the tests check).
 *
 * Coarse-graining on k^d boxes of side w = L/k gives Var(G_w). For the
 * exponential covariance of the Born/GBA medium, <dmu(r) dmu(r')> =
 * eps^2 mu^2 exp(-|r - r'|/a) (theory.md), the box average has
 *   Var(G_w)/G^2 = eps^2 f_d(w/a),  f_d(x) = E exp(-x |P - Q|),
 * P, Q uniform in the unit d-cube: f_d(0) = 1, f_d(x) -> S_d Gamma(d) x^-d
 * (S_d the area of the unit sphere). With |P - Q| = rho along direction n,
 *   f_d(x) = int_0^sqrt(d) drho rho^(d-1) exp(-x rho) K(rho),
 *   K(rho) = int_{S^(d-1)} dn prod_k max(0, 1 - rho |n_k|)
 * (the cube's set covariance prod_k (1 - |s_k|) averaged over directions).
 * (eps^2, a) are fitted in log space to the measured Var(G_w); their product
 * eps^2 a^d S_d Gamma(d) = lim w^d Var(G_w)/G^2 is the disorder volume that
 * sets the Rayleigh coefficient. Units: G in eps/lambda^d, w and a in lambda. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "linalg/alloc.h"
#include "moduli_pair.h"

enum { NDIR = 4096, NRHO = 1024, NLOG = 600 };

/* Direction-averaged set covariance of the unit cube on rho in [0, sqrt(d)]. */
static void cube_covariance_table(int d, double *K) {
  static double dir[NDIR][GV_MAX_DIM];
  gv_rng r;
  gv_rng_init(&r, 20130402, 0, 0x6d6f6475u);
  for (int k = 0; k < NDIR; k++) {
    double nn = 0;
    for (int a = 0; a < d; a++) dir[k][a] = gv_rng_normal(&r), nn += dir[k][a] * dir[k][a];
    for (int a = 0; a < d; a++) dir[k][a] = fabs(dir[k][a]) / sqrt(nn);
  }
  const double area = 2 * pow(M_PI, d / 2.0) / tgamma(d / 2.0);
  for (int j = 0; j < NRHO; j++) {
    double rho = sqrt((double)d) * j / (NRHO - 1), sum = 0;
    for (int k = 0; k < NDIR; k++) {
      double p = 1;
      for (int a = 0; a < d && p > 0; a++) p *= fmax(0.0, 1 - rho * dir[k][a]);
      sum += p;
    }
    K[j] = area * sum / NDIR;
  }
}

static double table_at(const double *K, int d, double rho) {
  double t = rho / sqrt((double)d) * (NRHO - 1);
  int j = (int)t;
  if (j >= NRHO - 1) return K[NRHO - 1];
  return K[j] + (t - j) * (K[j + 1] - K[j]);
}

/* f_d(x): trapezoid rule in log rho, where the integrand decays fast at both ends. */
static double box_factor(const double *K, int d, double x) {
  double y0 = log(1e-6 * fmin(1.0, 1.0 / fmax(x, 1e-300))), y1 = log(sqrt((double)d));
  double h = (y1 - y0) / (NLOG - 1), sum = 0;
  for (int k = 0; k < NLOG; k++) {
    double rho = exp(y0 + k * h);
    double v = pow(rho, d) * exp(-x * rho) * table_at(K, d, rho);
    sum += (k == 0 || k == NLOG - 1) ? 0.5 * v : v;
  }
  return sum * h;
}

double gv_moduli_box_factor(int dim, double x) {
  static double K[GV_MAX_DIM + 1][NRHO];
  static int have[GV_MAX_DIM + 1];
  if (dim < 1 || dim > GV_MAX_DIM || !(x >= 0)) return NAN;
  int fresh = 0;
#pragma omp critical(gv_moduli_box_table)
  if (!have[dim]) {
    cube_covariance_table(dim, K[dim]);
    have[dim] = fresh = 1;
  }
  (void)fresh;
  return box_factor(K[dim], dim, x);
}

/* Per-particle share g_i of the relaxed shear curvature for deformation A. */
static int particle_shares(const gv_hessian *H, const gv_system *s, const double *A, const double *X,
                           double *g) {
  const long n = H->n;
  const int d = H->dim;
  int bad = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(| : bad)
  for (long i = 0; i < n; i++) {
    double gi = 0;
    for (long q = H->nstart[i]; q < H->nstart[i + 1]; q++) {
      long j = H->nbr[q];
      double r[GV_MAX_DIM], Ku[GV_MAX_DIM], der[3], d1, born, relax = 0;
      double dist = gv_hessian_pair_vector(s, i, j, r);
      if (!gv_model_pair(H->model, s, i, j, dist, 2, der)) continue;
      gv_moduli_pair_terms(d, A, r, dist, der, Ku, &d1, &born);
      for (int a = 0; a < d; a++) relax += Ku[a] * (X[i * d + a] - X[j * d + a]);
      gi += 0.5 * (born - relax); /* each pair is seen from both ends */
    }
    g[i] = gi;
    bad |= !isfinite(gi);
  }
  return bad ? GV_ERROR(GV_ENUMERIC, "local moduli: non-finite pair term") : GV_OK;
}

/* Fit log Var/G^2 = log eps^2 + log f_d(w/a) over a log grid of a. */
void gv_moduli_local_fit(gv_moduli_local *o) {
  const int d = o->dim;
  o->eps2 = o->a = o->fit_rms = NAN;
  double best = INFINITY;
  int m = 0;
  for (int k = 0; k < o->nw; k++) m += o->var[k] > 0;
  if (m < 2) return;
  for (int t = 0; t <= 240; t++) {
    double a = 0.02 * pow(10.0, 3.0 * t / 240); /* 0.02 .. 20 lambda */
    double lf[GV_MODULI_LOCAL_MAX], mean = 0;
    for (int k = 0; k < o->nw; k++)
      if (o->var[k] > 0) {
        lf[k] = log(o->var[k] / (o->G * o->G)) - log(gv_moduli_box_factor(d, o->w[k] / a));
        mean += lf[k] / m;
      }
    double ss = 0;
    for (int k = 0; k < o->nw; k++)
      if (o->var[k] > 0) ss += (lf[k] - mean) * (lf[k] - mean);
    if (ss < best) best = ss, o->a = a, o->eps2 = exp(mean), o->fit_rms = sqrt(ss / m);
  }
  const double area = 2 * pow(M_PI, d / 2.0) / tgamma(d / 2.0);
  o->disorder_volume = o->eps2 * pow(o->a, d) * area * tgamma(d);
}

int gv_moduli_local_compute(const gv_hessian *H, const gv_system *s, gv_linalg_factor *F,
                            const int *boxes, int nboxes, gv_moduli_local *out) {
  int status = GV_OK;
  const int d = H->dim;
  const long n = H->n;
  const int64_t nd = (int64_t)n * d;
  const int np = d * (d - 1) / 2;
  double *Xi = NULL, *X = NULL, *g = NULL, *Gb = NULL;
  int *cell = NULL;
  gv_linalg_factor *own = NULL;
  memset(out, 0, sizeof *out);
  if (d < 2) return GV_ERROR(GV_EINVAL, "local moduli need dim >= 2");
  if (nboxes < 1 || nboxes > GV_MODULI_LOCAL_MAX)
    return GV_ERROR(GV_EINVAL, "local moduli: 1 to %d box sizes, not %d", GV_MODULI_LOCAL_MAX, nboxes);
  long maxcells = 1;
  for (int k = 0; k < nboxes; k++) {
    if (boxes[k] < 1 || boxes[k] > 64)
      return GV_ERROR(GV_EINVAL, "local moduli: boxes per side must be 1..64, not %d", boxes[k]);
    long c = 1;
    for (int a = 0; a < d; a++) c *= boxes[k];
    if (c > maxcells) maxcells = c;
  }
  GV_NALLOC(Xi, nd * np);
  GV_NALLOC(X, nd * np);
  GV_NALLOC(g, (int64_t)n * np);
  GV_NALLOC(Gb, maxcells);
  GV_NALLOC(cell, n);
  double A[GV_MAX_DIM * GV_MAX_DIM];
  for (int a = 0, c = 0; a < d; a++)
    for (int b = a + 1; b < d; b++, c++) {
      memset(A, 0, sizeof A);
      A[a * d + b] = 1.0;
      GV_TRY(gv_moduli_affine(H, s, A, NULL, NULL, Xi + c * nd));
    }
  if (!F) {
    GV_TRY(gv_linalg_factor_create(&own, H->M, d));
    GV_TRY(gv_linalg_factor_numeric(own, H->M, -1e-8 * gv_linalg_sparse_mean_diagonal(H->M)));
    F = own;
  }
  status = gv_linalg_factor_solve(F, H->M, np, Xi, X, 1e-10, NULL);
  if (status < 0) goto cleanup;
  status = GV_OK;
  const double V = gv_box_volume(&s->box);
  double Gsum = 0;
  for (int a = 0, c = 0; a < d; a++)
    for (int b = a + 1; b < d; b++, c++) {
      memset(A, 0, sizeof A);
      A[a * d + b] = 1.0;
      GV_TRY(particle_shares(H, s, A, X + c * nd, g + c * n));
      double sum = 0;
      for (long i = 0; i < n; i++) sum += g[c * n + i];
      Gsum += sum / V;
    }
  out->dim = d;
  out->G = Gsum / np;
  out->nw = nboxes;
  for (int k = 0; k < nboxes; k++) {
    const int m = boxes[k];
    long nc = 1;
    for (int a = 0; a < d; a++) nc *= m;
    for (long i = 0; i < n; i++) {
      double x[GV_MAX_DIM], f[GV_MAX_DIM];
      memcpy(x, s->x + i * d, sizeof(double) * d);
      gv_box_to_fractional(&s->box, x, f);
      long idx = 0;
      for (int a = 0; a < d; a++) {
        double t = f[a] - floor(f[a]);
        int ia = (int)(t * m);
        idx = idx * m + (ia < m ? ia : m - 1);
      }
      cell[i] = (int)idx;
    }
    const double Vb = V / (double)nc;
    double mean = 0, var = 0;
    for (int c = 0; c < np; c++) {
      memset(Gb, 0, sizeof(double) * nc);
      for (long i = 0; i < n; i++) Gb[cell[i]] += g[c * n + i] / Vb;
      double mu = 0, v = 0;
      for (long b = 0; b < nc; b++) mu += Gb[b] / nc;
      for (long b = 0; b < nc; b++) v += (Gb[b] - mu) * (Gb[b] - mu);
      mean += mu / np;
      var += (nc > 1 ? v / (nc - 1) : 0) / np;
    }
    out->boxes[k] = m;
    out->w[k] = pow(Vb, 1.0 / d);
    out->mean[k] = mean;
    out->var[k] = var;
    out->n_boxes[k] = nc;
  }
  gv_moduli_local_fit(out);
cleanup:
  gv_linalg_factor_destroy(&own);
  free(Xi);
  free(X);
  free(g);
  free(Gb);
  free(cell);
  return status;
}
