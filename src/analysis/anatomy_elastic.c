/* Elastic dipole fields and soft-potential numbers of seed 002 (U. Buchenau,
 * "Strain field of soft modes in glasses", 2020):
 *   G_ij(r) = [delta_ij (1+f)/r + x_i x_j (1-f)/r^3] / (8 pi G),  f = 3G/(3B+4G)   (Eqs. 3, 4)
 *   s_i(r)  = - sum_jk dG_ij/dx_k P_jk                                           (Eq. 5)
 *   lambda_t^2 = (P11^2 + P22^2 + P33^2 - P11 P22 - P22 P33 - P33 P11)/15           (Eq. 8)
 *   lambda_l^2 = (P11 + P22 + P33)^2 + (16/9) lambda_t^2                           (Eq. 9)
 *   D4 A0^4 = hbar^2/(2 A0^2) = W:  W = hbar^(4/3) D4^(1/3)/2^(2/3),
 *                                    A0 = hbar^(1/3)/(2^(1/6) D4^(1/6))              (Eqs. 10, 11)
 *   E(A) = E(0) + D1 A + D2 A^2 + D3 A^3 + D4 A^4                                   (Eq. 2)
 * Elastic energy density w = (1/2)[(B - 2G/3)(tr eps)^2 + 2 G eps:eps].
 * Units: P in E0/A (A = M^(1/2) a0 the normal-coordinate unit); B, G in E0/a0^3. */
#include <gsl/gsl_integration.h>
#include <lapacke.h>
#include <math.h>
#include <string.h>

#include "glassvib/qlm.h"

/* dG_ij/dx_k (times 8 pi G) at x. */
static void dgreen(double f, const double x[3], double d[3][3][3]) {
  double r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2], r = sqrt(r2), r3 = r2 * r, r5 = r3 * r2;
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 3; k++)
        d[i][j][k] = -(1 + f) * (i == j) * x[k] / r3 +
                     (1 - f) * ((i == k) * x[j] + (j == k) * x[i]) / r3 -
                     3 * (1 - f) * x[i] * x[j] * x[k] / r5;
}

/* d^2 G_ij/dx_k dx_l (times 8 pi G). */
static double ddgreen(double f, const double x[3], int i, int j, int k, int l) {
  double r2 = x[0] * x[0] + x[1] * x[1] + x[2] * x[2], r = sqrt(r2), r3 = r2 * r, r5 = r3 * r2,
         r7 = r5 * r2;
  double v = -(1 + f) * (i == j) * ((k == l) / r3 - 3 * x[k] * x[l] / r5);
  v += (1 - f) * ((i == k) * (j == l) + (j == k) * (i == l)) / r3;
  v -= 3 * (1 - f) * ((i == k) * x[j] + (j == k) * x[i]) * x[l] / r5;
  v -= 3 * (1 - f) * ((i == l) * x[j] * x[k] + (j == l) * x[i] * x[k] + (k == l) * x[i] * x[j]) / r5;
  v += 15 * (1 - f) * x[i] * x[j] * x[k] * x[l] / r7;
  return v;
}

void gv_elastic_dipole_field(double B, double G, const double P[3][3], const double x[3],
                             double s[3]) {
  double f = 3 * G / (3 * B + 4 * G), c = 1 / (8 * M_PI * G), d[3][3][3];
  dgreen(f, x, d);
  for (int i = 0; i < 3; i++) {
    double v = 0;
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 3; k++) v += d[i][j][k] * P[j][k];
    s[i] = -c * v;
  }
}

void gv_elastic_dipole_strain(double B, double G, const double P[3][3], const double x[3],
                              double eps[3][3]) {
  double f = 3 * G / (3 * B + 4 * G), c = 1 / (8 * M_PI * G), gr[3][3];
  /* gr[i][l] = d s_i / d x_l */
  for (int i = 0; i < 3; i++)
    for (int l = 0; l < 3; l++) {
      double v = 0;
      for (int j = 0; j < 3; j++)
        for (int k = 0; k < 3; k++) v += ddgreen(f, x, i, j, k, l) * P[j][k];
      gr[i][l] = -c * v;
    }
  for (int i = 0; i < 3; i++)
    for (int l = 0; l < 3; l++) eps[i][l] = 0.5 * (gr[i][l] + gr[l][i]);
}

double gv_elastic_dipole_energy_outside(double B, double G, const double P[3][3], double rc) {
  /* The strain decays as r^-3, so w ~ r^-6 and int_rc^inf r^2 dr r^-6 = 1/(3 rc^3):
   * E = (1/(3 rc^3)) int dOmega w(n) with w evaluated at unit distance. */
  enum { NT = 32, NP = 64 };
  gsl_integration_glfixed_table *t = gsl_integration_glfixed_table_alloc(NT);
  if (!t) return NAN;
  double lam = B - 2 * G / 3, sum = 0;
  for (int a = 0; a < NT; a++) {
    double ct, wt;
    gsl_integration_glfixed_point(-1, 1, (size_t)a, &ct, &wt, t);
    double st = sqrt(1 - ct * ct);
    for (int b = 0; b < NP; b++) {
      double ph = 2 * M_PI * b / NP, x[3] = {st * cos(ph), st * sin(ph), ct}, e[3][3];
      gv_elastic_dipole_strain(B, G, P, x, e);
      double tr = e[0][0] + e[1][1] + e[2][2], ee = 0;
      for (int i = 0; i < 3; i++)
        for (int j = 0; j < 3; j++) ee += e[i][j] * e[i][j];
      sum += wt * (2 * M_PI / NP) * 0.5 * (lam * tr * tr + 2 * G * ee);
    }
  }
  gsl_integration_glfixed_table_free(t);
  return sum / (3 * rc * rc * rc);
}

/* Basis of symmetric tensors: P = sum_q p_q E_q with q: 11, 22, 33, 12, 13, 23. */
static const int EI[6] = {0, 1, 2, 0, 0, 1}, EJ[6] = {0, 1, 2, 1, 2, 2};

int gv_elastic_dipole_fit(double B, double G, const double *x, const double *s, long m,
                          double P[3][3], double *rms) {
  if (m < 3) return GV_ERROR(GV_EINVAL, "dipole fit: %ld points is too few", m);
  if (!(B > 0 && G > 0)) return GV_ERROR(GV_EINVAL, "dipole fit: moduli B = %g, G = %g must be positive", B, G);
  /* Normal equations (6 x 6) accumulated over points: cheap and well conditioned here. */
  double A[36] = {0}, rhs[6] = {0}, ss = 0;
  for (long k = 0; k < m; k++) {
    double col[6][3];
    for (int q = 0; q < 6; q++) {
      double E[3][3] = {{0}};
      E[EI[q]][EJ[q]] = 1;
      E[EJ[q]][EI[q]] = 1;
      gv_elastic_dipole_field(B, G, E, x + 3 * k, col[q]);
    }
    for (int a = 0; a < 6; a++) {
      for (int b = 0; b < 6; b++)
        for (int i = 0; i < 3; i++) A[a * 6 + b] += col[a][i] * col[b][i];
      for (int i = 0; i < 3; i++) rhs[a] += col[a][i] * s[3 * k + i];
    }
    for (int i = 0; i < 3; i++) ss += s[3 * k + i] * s[3 * k + i];
  }
  lapack_int ipiv[6];
  if (LAPACKE_dsysv(LAPACK_ROW_MAJOR, 'U', 6, 1, A, 6, ipiv, rhs, 1))
    return GV_ERROR(GV_ENUMERIC, "dipole fit: singular normal equations");
  memset(P, 0, sizeof(double) * 9);
  for (int q = 0; q < 6; q++) {
    P[EI[q]][EJ[q]] = rhs[q];
    P[EJ[q]][EI[q]] = rhs[q];
  }
  if (rms) {
    double e2 = 0;
    for (long k = 0; k < m; k++) {
      double f[3];
      gv_elastic_dipole_field(B, G, P, x + 3 * k, f);
      for (int i = 0; i < 3; i++) e2 += (f[i] - s[3 * k + i]) * (f[i] - s[3 * k + i]);
    }
    *rms = ss > 0 ? sqrt(e2 / ss) : 0; /* relative to the data */
  }
  return GV_OK;
}

void gv_dipole_principal(const double P[3][3], double p[3]) {
  double A[9], w[3];
  memcpy(A, P, sizeof A);
  LAPACKE_dsyev(LAPACK_ROW_MAJOR, 'N', 'U', 3, A, 3, w);
  /* ascending w: P11 = largest, P22 = smallest, P33 = middle (seed 002) */
  p[0] = w[2];
  p[1] = w[0];
  p[2] = w[1];
}

void gv_dipole_couplings(const double p[3], double *lambda_t, double *lambda_l) {
  double t2 = (p[0] * p[0] + p[1] * p[1] + p[2] * p[2] - p[0] * p[1] - p[1] * p[2] - p[2] * p[0]) / 15;
  double tr = p[0] + p[1] + p[2];
  *lambda_t = sqrt(t2);
  *lambda_l = sqrt(tr * tr + 16.0 / 9.0 * t2);
}

int gv_softpot_fit(const double *A, const double *E, long npts, double D[5], double *rms) {
  if (npts < 5) return GV_ERROR(GV_EINVAL, "soft-potential fit needs >= 5 points (got %ld)", npts);
  /* Scale A to [-1, 1] for conditioning, fit, then unscale. */
  double amax = 0;
  for (long k = 0; k < npts; k++) amax = fmax(amax, fabs(A[k]));
  if (!(amax > 0)) return GV_ERROR(GV_EINVAL, "soft-potential fit: all A are zero");
  double N[25] = {0}, r[5] = {0};
  for (long k = 0; k < npts; k++) {
    double t = A[k] / amax, pw[5] = {1, t, t * t, t * t * t, t * t * t * t};
    for (int a = 0; a < 5; a++) {
      for (int b = 0; b < 5; b++) N[a * 5 + b] += pw[a] * pw[b];
      r[a] += pw[a] * E[k];
    }
  }
  lapack_int ipiv[5];
  if (LAPACKE_dsysv(LAPACK_ROW_MAJOR, 'U', 5, 1, N, 5, ipiv, r, 1))
    return GV_ERROR(GV_ENUMERIC, "soft-potential fit: singular (A values not distinct?)");
  for (int a = 0; a < 5; a++) D[a] = r[a] / pow(amax, a);
  if (rms) {
    double e2 = 0;
    for (long k = 0; k < npts; k++) {
      double a = A[k], v = D[0] + a * (D[1] + a * (D[2] + a * (D[3] + a * D[4])));
      e2 += (v - E[k]) * (v - E[k]);
    }
    *rms = sqrt(e2 / (double)npts);
  }
  return GV_OK;
}

void gv_softpot_W_A0(double D4, double *W, double *A0) {
  /* hbar = 1 in the seed's units (W in E0^(1/3)(hbar^2/M a0^2)^(2/3), A0 in
   * M^(1/2) a0 (hbar^2/(E0 M a0^2))^(1/6)) with D4 in E0/(M^2 a0^4). */
  *W = cbrt(D4) / pow(2.0, 2.0 / 3.0);
  *A0 = 1 / (pow(2.0, 1.0 / 6.0) * pow(D4, 1.0 / 6.0));
}

/* Physical constants (CODATA 2018). */
#define HBAR_JS 1.054571817e-34
#define AMU_KG 1.66053906660e-27
#define EV_J 1.602176634e-19

int gv_material_builtin(const char *name, gv_material *m) {
  memset(m, 0, sizeof *m);
  m->mass_amu = m->a0_nm = m->E0_eV = m->vl_ms = m->omegaD_meV = NAN;
  snprintf(m->name, sizeof m->name, "%s", name);
  if (!strcmp(name, "pd78si16cu6")) {
    /* seed 002 Sec. III A: 91.3 amu, a0 = 0.229 nm, E0 = 0.208 eV (from G = 31.8 GPa) */
    m->mass_amu = 91.3;
    m->a0_nm = 0.229;
    m->E0_eV = 0.208;
  } else if (!strcmp(name, "nizr2")) {
    /* seed 002 Sec. III B: v_l = 4790 m/s, hbar omega_D = 22.5 meV (with v_t^2/v_l^2 = 3/16) */
    m->vl_ms = 4790;
    m->omegaD_meV = 22.5;
  } else if (!strcmp(name, "none") || !strcmp(name, "custom")) {
  } else {
    return GV_ERROR(GV_EINVAL, "unknown material '%s' (pd78si16cu6, nizr2, custom)", name);
  }
  return GV_OK;
}

double gv_material_confinement_eV(const gv_material *m) {
  if (!(m->mass_amu > 0 && m->a0_nm > 0)) return NAN;
  double a0 = m->a0_nm * 1e-9, M = m->mass_amu * AMU_KG;
  return HBAR_JS * HBAR_JS / (M * a0 * a0) / EV_J;
}
