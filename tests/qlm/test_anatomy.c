/* Anatomy machinery on synthetic data: the Green-function fit recovers a
 * planted dipole tensor, the soft-potential fit a planted quartic; the
 * dipole field solves Navier's equation and its strain is its gradient; the
 * outside energy of a dilatation centre is the shoving-model value and a
 * pure shear costs 1.22 times more (seed 002, Poisson ratio 0.384); the seed's
 * Table I gives lambda_t = 21, lambda_l = 29.5 and W = 1.33 (normal modes);
 * material conversion (Pd78Si16Cu6: hbar^2/Ma0^2 = 8.64 ueV, W/k_B = 3.85 K);
 * the mode centre of a planted localised mode. */
#include <stdlib.h>
#include <string.h>

#include "glassvib/qlm.h"
#include "testlib.h"

static const double B = 56, G = 14; /* seed 002's 3DIPL glass */

static void planted_dipole(void) {
  double P[3][3] = {{41, 5.3, -3.1}, {5.3, -55, 2.2}, {-3.1, 2.2, 7}}, Q[3][3];
  long m = 400;
  double *x = malloc(sizeof(double) * 3 * m), *s = malloc(sizeof(double) * 3 * m);
  gv_rng r;
  gv_rng_init(&r, 2385, 0, GV_RNG_ANALYSIS);
  for (long k = 0; k < m; k++) {
    double v[3], n = 0;
    for (int a = 0; a < 3; a++) {
      v[a] = gv_rng_normal(&r);
      n += v[a] * v[a];
    }
    double rad = 6 + 6 * gv_rng_uniform(&r);
    for (int a = 0; a < 3; a++) x[3 * k + a] = v[a] / sqrt(n) * rad;
    gv_elastic_dipole_field(B, G, P, x + 3 * k, s + 3 * k);
  }
  double rms;
  CHECK_OK(gv_elastic_dipole_fit(B, G, x, s, m, Q, &rms));
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) CHECK_CLOSE(Q[a][b], P[a][b], 1e-9, 1e-9);
  CHECK(rms < 1e-10, "exact field fits exactly (rms %g)", rms);
  /* with 20% random motion added (as the seed's 'more random' component) */
  double amp = 0;
  for (long k = 0; k < 3 * m; k++) amp += s[k] * s[k];
  amp = sqrt(amp / (3 * m));
  for (long k = 0; k < 3 * m; k++) s[k] += 0.2 * amp * gv_rng_normal(&r);
  CHECK_OK(gv_elastic_dipole_fit(B, G, x, s, m, Q, &rms));
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) CHECK_CLOSE(Q[a][b], P[a][b], 0, 3.0);
  double p[3], lt, ll;
  gv_dipole_principal(P, p);
  CHECK(p[0] >= p[2] && p[2] >= p[1], "P11 largest, P22 smallest");
  CHECK_CLOSE(p[0] + p[1] + p[2], 41 - 55 + 7, 1e-12, 1e-12);
  gv_dipole_couplings(p, &lt, &ll);
  free(x);
  free(s);
}

static void field_physics(void) {
  double P[3][3] = {{1.3, 0.4, 0}, {0.4, -2.1, 0.7}, {0, 0.7, 0.5}};
  double x[3] = {1.7, -2.385, 0.9}, h = 1e-4;
  double eps[3][3];
  gv_elastic_dipole_strain(B, G, P, x, eps);
  double grad[3][3];
  for (int l = 0; l < 3; l++) {
    double xp[3], xm[3], sp[3], sm[3];
    memcpy(xp, x, sizeof xp);
    memcpy(xm, x, sizeof xm);
    xp[l] += h;
    xm[l] -= h;
    gv_elastic_dipole_field(B, G, P, xp, sp);
    gv_elastic_dipole_field(B, G, P, xm, sm);
    for (int i = 0; i < 3; i++) grad[i][l] = (sp[i] - sm[i]) / (2 * h);
  }
  for (int i = 0; i < 3; i++)
    for (int l = 0; l < 3; l++) CHECK_CLOSE(eps[i][l], 0.5 * (grad[i][l] + grad[l][i]), 1e-6, 1e-12);
  /* Navier: G lap s + (B + G/3) grad div s = 0, from the strain by differences */
  double nav[3] = {0, 0, 0};
  for (int l = 0; l < 3; l++) {
    double xp[3], xm[3], ep[3][3], em[3][3];
    memcpy(xp, x, sizeof xp);
    memcpy(xm, x, sizeof xm);
    xp[l] += h;
    xm[l] -= h;
    gv_elastic_dipole_strain(B, G, P, xp, ep);
    gv_elastic_dipole_strain(B, G, P, xm, em);
    /* div sigma_i = sum_l d_l [ (B - 2G/3) tr eps delta_il + 2 G eps_il ] */
    for (int i = 0; i < 3; i++) {
      double trp = ep[0][0] + ep[1][1] + ep[2][2], trm = em[0][0] + em[1][1] + em[2][2];
      nav[i] += ((B - 2 * G / 3) * (i == l) * (trp - trm) + 2 * G * (ep[i][l] - em[i][l])) / (2 * h);
    }
  }
  double scale = 2 * G * fabs(eps[0][0]) / 2.0;
  for (int i = 0; i < 3; i++) CHECK(fabs(nav[i]) < 1e-6 * scale, "div sigma = %g (scale %g)", nav[i], scale);
  /* dilatation centre: E_out = 8 pi G c^2 / rc^3, c = p f / (4 pi G) (shoving model) */
  double p = 2.385, f = 3 * G / (3 * B + 4 * G), c = p * f / (4 * M_PI * G), rc = 1.9;
  double Pd[3][3] = {{p, 0, 0}, {0, p, 0}, {0, 0, p}};
  CHECK_CLOSE(gv_elastic_dipole_energy_outside(B, G, Pd, rc), 8 * M_PI * G * c * c / pow(rc, 3), 1e-10, 0);
  double sfield[3], xr[3] = {0.3, 1.1, -2.0}, rr = sqrt(0.09 + 1.21 + 4.0);
  gv_elastic_dipole_field(B, G, Pd, xr, sfield);
  for (int a = 0; a < 3; a++) CHECK_CLOSE(sfield[a], c * xr[a] / pow(rr, 3), 1e-12, 0);
  /* the outside energy is rotation invariant and quadratic in P */
  double q = p * sqrt(3.0 / 2.0), Ps[3][3] = {{q, 0, 0}, {0, -q, 0}, {0, 0, 0}};
  double cs = cos(0.7), sn = sin(0.7), R[3][3] = {{cs, -sn, 0}, {sn, cs, 0}, {0, 0, 1}}, Pr[3][3] = {{0}};
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++)
      for (int k = 0; k < 3; k++)
        for (int l = 0; l < 3; l++) Pr[i][j] += R[i][k] * Ps[k][l] * R[j][l];
  double Es = gv_elastic_dipole_energy_outside(B, G, Ps, rc);
  CHECK_CLOSE(gv_elastic_dipole_energy_outside(B, G, Pr, rc), Es, 1e-9, 0);
  double P2[3][3];
  for (int i = 0; i < 3; i++)
    for (int j = 0; j < 3; j++) P2[i][j] = 2 * Ps[i][j];
  CHECK_CLOSE(gv_elastic_dipole_energy_outside(B, G, P2, rc), 4 * Es, 1e-12, 0);
  printf("shear/dilatation outside energy at equal sum P_jk^2: %.3f (docs/qlm.md: the seed's 1.22 is not "
         "for force dipoles)\n", Es / gv_elastic_dipole_energy_outside(B, G, Pd, rc));
}

static void planted_quartic(void) {
  double D[5] = {0.3, -0.7, -2.385, 0.41, 7.3}, F[5], rms;
  int n = 41;
  double A[41], E[41];
  gv_rng r;
  gv_rng_init(&r, 5, 0, GV_RNG_ANALYSIS);
  for (int k = 0; k < n; k++) {
    A[k] = -1.5 + 3.0 * k / (n - 1);
    E[k] = D[0] + A[k] * (D[1] + A[k] * (D[2] + A[k] * (D[3] + A[k] * D[4])));
  }
  CHECK_OK(gv_softpot_fit(A, E, n, F, &rms));
  for (int a = 0; a < 5; a++) CHECK_CLOSE(F[a], D[a], 1e-10, 1e-10);
  for (int k = 0; k < n; k++) E[k] += 1e-3 * gv_rng_normal(&r);
  CHECK_OK(gv_softpot_fit(A, E, n, F, &rms));
  for (int a = 0; a < 5; a++) CHECK_CLOSE(F[a], D[a], 0, 5e-3);
  CHECK(rms < 2e-3 && rms > 5e-4, "rms %g of the planted noise 1e-3", rms);
  CHECK(gv_softpot_fit(A, E, 4, F, &rms) == GV_EINVAL, "too few points");
}

static void table_one(void) {
  /* seed 002 Table I, the ten normal modes m0..m9: P11, P22, P33, D4 */
  const double T[10][4] = {{41, -55, 7, 9.3},  {52, -49, 2, 4.0},  {39, -54, 9, 20.5}, {48, -53, 19, 7.3},
                           {45, -46, 11, 16.5}, {22, -51, 17, 7.9}, {45, -36, -20, 21.1},
                           {61, -55, -20, 10.1}, {29, -34, 13, 2.9}, {35, -55, 21, 6.2}};
  double lt = 0, ll = 0, c = 0;
  for (int k = 0; k < 10; k++) {
    double a, b;
    gv_dipole_couplings(T[k], &a, &b);
    lt += a / 10;
    ll += b / 10;
    c += cbrt(T[k][3]) / 10;
  }
  printf("Table I normal modes: <lambda_t> = %.2f (seed 21), <lambda_l> = %.2f (seed 29.5)\n", lt, ll);
  CHECK_CLOSE(lt, 21, 0, 0.5);
  CHECK_CLOSE(ll, 29.5, 0, 0.5);
  double W, A0;
  gv_softpot_W_A0(c * c * c, &W, &A0); /* the seed averages D4^(1/3) */
  CHECK_CLOSE(W, 1.33, 0, 0.005);
  printf("W = %.4f (seed 1.33), A0 by Eq. 11 = %.4f (seed prints 0.785 = (2 <D4^1/3>)^-1/6 = %.4f)\n", W, A0,
         pow(2 * c, -1.0 / 6));
  CHECK_CLOSE(pow(2 * c, -1.0 / 6), 0.785, 0, 0.002);
  gv_material mat;
  CHECK_OK(gv_material_builtin("pd78si16cu6", &mat));
  double conf = gv_material_confinement_eV(&mat);
  CHECK_CLOSE(conf, 8.64e-6, 0.015, 0);
  double WK = W * cbrt(mat.E0_eV) * pow(conf, 2.0 / 3.0) / 8.617333262e-5;
  printf("Pd78Si16Cu6: hbar^2/(M a0^2) = %.3f ueV (seed 8.64), W/k_B = %.2f K (seed 3.85)\n", conf * 1e6, WK);
  CHECK_CLOSE(WK, 3.85, 0.02, 0);
  CHECK(gv_material_builtin("unobtainium", &mat) == GV_EINVAL, "unknown material");
  CHECK_OK(gv_material_builtin("nizr2", &mat));
  CHECK(isnan(gv_material_confinement_eV(&mat)), "nizr2 lacks the mass and a0");
}

static void centre(void) {
  gv_system *s = NULL;
  long L = 12, n = L * L * L;
  CHECK_OK(gv_system_create(&s, 3, n, 0, 0, 0));
  gv_box_init_cubic(&s->box, 3, (double)L);
  double c[3] = {0.4, 11.7, 5.2}; /* near a face: the periodic image matters */
  double *e = malloc(sizeof(double) * 3 * n);
  for (long i = 0; i < n; i++) {
    double d[3] = {(double)(i / (L * L)), (double)((i / L) % L), (double)(i % L)};
    for (int a = 0; a < 3; a++) s->x[3 * i + a] = d[a];
    double dr[3] = {d[0] - c[0], d[1] - c[1], d[2] - c[2]}, r2 = 0;
    gv_box_minimum_image(&s->box, dr);
    for (int a = 0; a < 3; a++) r2 += dr[a] * dr[a];
    for (int a = 0; a < 3; a++) e[3 * i + a] = exp(-r2 / (2 * 0.8 * 0.8)) * (a == 0 ? 1 : 0.5);
  }
  double R[4];
  long nc;
  double frac;
  CHECK_OK(gv_mode_center(s, e, 3.5, 3, R, &nc, &frac));
  double dr[3] = {R[0] - c[0], R[1] - c[1], R[2] - c[2]};
  gv_box_minimum_image(&s->box, dr);
  printf("centre (%.3f %.3f %.3f) planted (%.1f %.1f %.1f), %ld in sphere, fraction %.3f\n", R[0], R[1], R[2],
         c[0], c[1], c[2], nc, frac);
  CHECK(sqrt(dr[0] * dr[0] + dr[1] * dr[1] + dr[2] * dr[2]) < 0.15, "centre recovered");
  CHECK(frac > 0.99, "the sphere holds the localised mode");
  free(e);
  gv_system_destroy(&s);
}

int main(void) {
  planted_dipole();
  field_physics();
  planted_quartic();
  table_one();
  centre();
  return tl_finish();
}
