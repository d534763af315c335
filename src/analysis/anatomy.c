/* Soft-mode anatomy (U. Buchenau, seed 002; every numbered equation):
 *  Eq. 1   mode centre R0 = sum_i r_i e_i^2 / sum_i e_i^2 over a 3.5 a0 sphere, iterated;
 *  Eq. 2   core energy E(A) for a core radius r_c: all pairs with at least one
 *          particle inside r_c, configuration x + A e (A the normal coordinate,
 *          unit masses), fitted by E0 + D1 A + D2 A^2 + D3 A^3 + D4 A^4; D2(r_c), D4(r_c);
 *  Eqs. 3-5 elastic dipole tensor P fitted to e on the shell r_in <= r <= r_out
 *          (isotropic Green function with the glass's own B and G), principal values,
 *          <e^2>_shell r_s^4 for the mode and for the fitted elastic field;
 *  Eq. 6   random-motion factor f_r: D2(r_c) = kappa/2 - E_el(>r_c) - f_r sum_{r_i>r_c} e_ir^2
 *          (e_ir = e_i - s_i(P), E_el(>r_c) the dipole field's elastic energy outside r_c),
 *          least squares over r_c >= the core radius;
 *  Eqs. 8, 9 lambda_t, lambda_l;  N e from the participation ratio;
 *  Eqs. 10, 11 W and A0 from D4;
 *  Sec. II F  creation energy E_s and inside displacement Delta A of Table I
 *          (core relaxed at fixed outer mode displacement; src/analysis/anatomy_creation.c);
 *  Secs. II A-D side numbers: the centre sphere's share of e^2, Fig. 1's rigid minima,
 *          Fig. 2's elastic-only D2(r_c), the random motion's share of the outside
 *          restoring force and its radial share, omega_r = sqrt(2 f_r) vs omega_D;
 *  Eq. 12  Gamma(omega) = (3 pi/2) lambda_t^2/(M v_l^2) g_exc(omega): reported as the
 *          dimensionless gamma_coef = (3 pi/2) lambda_t^2/(M v_l^2 omega_D^2), so that
 *          Gamma(omega) = gamma_coef omega_D^2 g_exc(omega) in any units (the seed scales
 *          lambda_t^2/(M v_l^2) with omega_D^2 to go to a metallic glass).
 * Units: a0 = lambda, M = m, E0 = eps (model units). 3D only. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/qlm.h"

void gv_anatomy_opts_default(gv_anatomy_opts *o) {
  o->center_radius = 3.5;
  o->center_iterations = 3;
  o->amax = 0.5;
  o->npts = 41;
  o->rc_min = 1.0;
  o->rc_max = 5.0;
  o->rc_step = 0.1;
  o->rc = 0;
  o->shell_in = 6.0;
  o->shell_out = 0; /* 0: 0.4 L */
  o->shell_width = 0.5;
  o->B = o->G = NAN;
  o->creation = 1;
  gv_creation_opts_default(&o->cr);
}

void gv_anatomy_destroy(gv_anatomy **a) {
  if (!a || !*a) return;
  free((*a)->rc_scan);
  free((*a)->D2_scan);
  free((*a)->D4_scan);
  free((*a)->D2_model);
  free((*a)->shell_r);
  free((*a)->shell_e2r4);
  free((*a)->shell_el_e2r4);
  gv_creation_free(&(*a)->cr);
  free(*a);
  *a = NULL;
}

static double e2_of(const double *e, long i, int dim) {
  double a = 0;
  for (int q = 0; q < dim; q++) a += e[i * dim + q] * e[i * dim + q];
  return a;
}

/* minimum-image vector x_i - c */
static void rel(const gv_system *s, long i, const double *c, double *d) {
  for (int a = 0; a < s->dim; a++) d[a] = s->x[i * s->dim + a] - c[a];
  gv_box_minimum_image(&s->box, d);
}

int gv_mode_center(const gv_system *s, const double *e, double radius, int iterations,
                   double center[GV_MAX_DIM], long *ncore, double *frac) {
  int dim = s->dim;
  long best = 0;
  double bm = -1, tot = 0;
  for (long i = 0; i < s->n; i++) {
    double a = e2_of(e, i, dim);
    tot += a;
    if (a > bm) bm = a, best = i;
  }
  if (!(tot > 0)) return GV_ERROR(GV_EINVAL, "mode centre: the mode is zero");
  for (int a = 0; a < dim; a++) center[a] = s->x[best * dim + a];
  long nin = 0;
  double win = 0;
  for (int it = 0; it <= iterations; it++) {
    double acc[GV_MAX_DIM] = {0};
    nin = 0;
    win = 0;
    for (long i = 0; i < s->n; i++) {
      double d[GV_MAX_DIM], r2 = 0;
      rel(s, i, center, d);
      for (int a = 0; a < dim; a++) r2 += d[a] * d[a];
      if (r2 > radius * radius) continue;
      double w = e2_of(e, i, dim);
      for (int a = 0; a < dim; a++) acc[a] += w * d[a];
      win += w;
      nin++;
    }
    if (it == iterations) break; /* last pass only counts */
    if (win > 0)
      for (int a = 0; a < dim; a++) center[a] += acc[a] / win;
  }
  gv_box_wrap(&s->box, center);
  if (ncore) *ncore = nin;
  if (frac) *frac = win / tot;
  return GV_OK;
}

int gv_anatomy_run(const gv_model *m, const gv_system *s, const gv_pairset *ps, const double *e_in,
                   const gv_anatomy_opts *o, gv_anatomy **out) {
  int status = GV_OK;
  gv_anatomy *A = NULL;
  double *e = NULL, *dist = NULL, *pmin = NULL, *Es = NULL, *Asamp = NULL, *xs = NULL, *ss = NULL,
         *er2 = NULL;
  *out = NULL;
  if (s->dim != 3) return GV_ERROR(GV_ENOTSUP, "the soft-mode anatomy is 3D only (glass has dim %d)", s->dim);
  if (!(o->B > 0 && o->G > 0)) return GV_ERROR(GV_EINVAL, "anatomy needs the moduli B and G (got %g, %g)", o->B, o->G);
  if (ps->n != s->n || ps->dim != 3) return GV_ERROR(GV_EINVAL, "pair set does not match the glass");
  long n = s->n, nd = 3 * n;
  GV_ALLOC(A, 1);
  GV_ALLOC(e, nd);
  memcpy(e, e_in, sizeof(double) * nd);
  gv_qlm_remove_translations(e, n, 3);
  double nrm = 0;
  for (long q = 0; q < nd; q++) nrm += e[q] * e[q];
  if (!(nrm > 0) || !isfinite(nrm)) {
    status = GV_ERROR(GV_EINVAL, "the mode vector is zero or not finite");
    goto cleanup;
  }
  nrm = sqrt(nrm);
  for (long q = 0; q < nd; q++) e[q] /= nrm;
  /* Eq. 1 */
  double c4[GV_MAX_DIM];
  double frac;
  GV_TRY(gv_mode_center(s, e, o->center_radius, o->center_iterations, c4, &A->n_core_center, &frac));
  for (int a = 0; a < 3; a++) A->center[a] = c4[a];
  A->center_frac = frac;
  gv_anharm h;
  GV_TRY(gv_anharmonic_contract(ps, e, NULL, NULL, NULL, &h));
  A->kappa = h.kappa;
  A->participation = gv_participation(e, n, 3);
  double s4 = 0;
  for (long i = 0; i < n; i++) s4 += e2_of(e, i, 3) * e2_of(e, i, 3);
  A->Ne = 1 / s4;
  /* distances from the centre */
  GV_ALLOC(dist, n);
  GV_ALLOC(xs, nd);
  for (long i = 0; i < n; i++) {
    rel(s, i, A->center, xs + 3 * i);
    dist[i] = sqrt(xs[3 * i] * xs[3 * i] + xs[3 * i + 1] * xs[3 * i + 1] + xs[3 * i + 2] * xs[3 * i + 2]);
  }
  double Lmin = gv_box_min_width(&s->box);
  /* core energies use minimum-image pair vectors, so r_c may grow until the
   * core holds every particle (half the box diagonal) */
  double rcmax = o->rc_max;
  /* Eq. 2: energies of pairs touching the core, on a grid of A */
  long nrc = (long)floor((rcmax - o->rc_min) / o->rc_step + 1e-9) + 1;
  if (nrc < 1) {
    status = GV_ERROR(GV_EINVAL, "core-radius scan [%g, %g] is empty (box too small?)", o->rc_min, rcmax);
    goto cleanup;
  }
  int np = o->npts;
  A->nrc = nrc;
  GV_ALLOC(A->rc_scan, nrc);
  GV_ALLOC(A->D2_scan, nrc);
  GV_ALLOC(A->D4_scan, nrc);
  GV_ALLOC(A->D2_model, nrc);
  GV_ALLOC(pmin, ps->npairs);
  long nE = nrc * np;
  GV_ALLOC(Es, nE);
  GV_ALLOC(Asamp, np);
  for (int k = 0; k < np; k++) Asamp[k] = o->amax * (2.0 * k / (np - 1) - 1);
  for (long p = 0; p < ps->npairs; p++) pmin[p] = fmin(dist[ps->pi[p]], dist[ps->pj[p]]);
  for (long r = 0; r < nrc; r++) A->rc_scan[r] = o->rc_min + r * o->rc_step;
#pragma omp parallel for schedule(dynamic, 1)
  for (int k = 0; k < np; k++) {
    double a = Asamp[k];
    for (long p = 0; p < ps->npairs; p++) {
      if (pmin[p] >= rcmax) continue;
      long i = ps->pi[p], j = ps->pj[p];
      double r2 = 0, d[5];
      for (int q = 0; q < 3; q++) {
        double x = ps->r[p * 3 + q] + a * (e[i * 3 + q] - e[j * 3 + q]);
        r2 += x * x;
      }
      gv_model_pair(m, s, i, j, sqrt(r2), 0, d);
      /* add to every rc whose core contains the pair */
      long r0 = (long)floor((pmin[p] - o->rc_min) / o->rc_step) + 1; /* first rc > pmin */
      if (r0 < 0) r0 = 0;
      for (long r = r0; r < nrc; r++) Es[r * np + k] += d[0];
    }
  }
  for (long r = 0; r < nrc; r++) {
    double D[5], rms;
    GV_TRY(gv_softpot_fit(Asamp, Es + r * np, np, D, &rms));
    A->D2_scan[r] = D[2];
    A->D4_scan[r] = D[4];
  }
  /* core radius: where D4 saturates (within 10% of its value at the largest radius from there on) */
  long rsel = nrc - 1;
  if (o->rc > 0) {
    rsel = (long)floor((o->rc - o->rc_min) / o->rc_step + 0.5);
    if (rsel < 0 || rsel >= nrc) {
      status = GV_ERROR(GV_EINVAL, "--rc %g outside the scan [%g, %g]", o->rc, o->rc_min, rcmax);
      goto cleanup;
    }
  } else {
    double D4inf = A->D4_scan[nrc - 1];
    for (long r = nrc - 1; r >= 0; r--) {
      if (fabs(A->D4_scan[r] - D4inf) > 0.1 * fabs(D4inf)) break;
      rsel = r;
    }
  }
  A->rc = A->rc_scan[rsel];
  A->n_core = 0;
  for (long i = 0; i < n; i++)
    if (dist[i] < A->rc) A->n_core++;
  GV_TRY(gv_softpot_fit(Asamp, Es + rsel * np, np, A->D, &A->fit_rms));
  /* The sign of a mode is arbitrary; fix it so that D3 >= 0 (then D1, D3 and P
   * change sign together with e; D2, D4 do not). */
  if (A->D[3] < 0) {
    for (long q = 0; q < nd; q++) e[q] = -e[q];
    A->D[1] = -A->D[1];
    A->D[3] = -A->D[3];
  }
  /* Fig. 1: minima of the rigid-core energy D2 A^2 + D3 A^3 + D4 A^4 (linear term removed):
   * 4 D4 A^2 + 3 D3 A + 2 D2 = 0 */
  A->A_rigid[0] = A->A_rigid[1] = A->E_rigid_well[0] = A->E_rigid_well[1] = NAN;
  {
    double D2 = A->D[2], D3 = A->D[3], D4 = A->D[4], disc = 9 * D3 * D3 - 32 * D2 * D4;
    if (D4 > 0 && disc > 0) {
      double r1 = (-3 * D3 + sqrt(disc)) / (8 * D4), r2 = (-3 * D3 - sqrt(disc)) / (8 * D4);
      double roots[2] = {r1, r2};
      for (int k = 0; k < 2; k++) {
        double x = roots[k], Ex = D2 * x * x + D3 * x * x * x + D4 * x * x * x * x;
        int dir = x > 0 ? 0 : 1;
        if (12 * D4 * x * x + 6 * D3 * x + 2 * D2 > 0 && Ex < 0) {
          A->A_rigid[dir] = x;
          A->E_rigid_well[dir] = -Ex;
        }
      }
    }
  }
  /* Eqs. 3-5: fit P on the shell */
  double rin = o->shell_in, rout = o->shell_out > 0 ? o->shell_out : 0.4 * Lmin;
  if (!(rout > rin)) {
    status = GV_ERROR(GV_EINVAL, "dipole-fit shell [%g, %g] is empty: the box (L = %g) is too small", rin, rout, Lmin);
    goto cleanup;
  }
  long mfit = 0;
  GV_ALLOC(ss, nd);
  double *xf = NULL;
  for (long i = 0; i < n; i++)
    if (dist[i] >= rin && dist[i] <= rout) mfit++;
  if (mfit < 10) {
    status = GV_ERROR(GV_EINVAL, "only %ld particles in the dipole-fit shell [%g, %g]", mfit, rin, rout);
    goto cleanup;
  }
  long nxf = 3 * mfit;
  GV_ALLOC(xf, nxf);
  {
    long q = 0;
    for (long i = 0; i < n; i++)
      if (dist[i] >= rin && dist[i] <= rout) {
        memcpy(xf + 3 * q, xs + 3 * i, sizeof(double) * 3);
        memcpy(ss + 3 * q, e + 3 * i, sizeof(double) * 3);
        q++;
      }
  }
  status = gv_elastic_dipole_fit(o->B, o->G, xf, ss, mfit, A->P, &A->P_rms);
  free(xf);
  if (status < 0) goto cleanup;
  gv_dipole_principal(A->P, A->P_principal);
  A->planar_shear = (A->P_principal[0] - A->P_principal[1]) / sqrt(2.0);
  A->second_shear = (A->P_principal[0] + A->P_principal[1] - 2 * A->P_principal[2]) / sqrt(6.0);
  gv_dipole_couplings(A->P_principal, &A->lambda_t, &A->lambda_l);
  /* shells: <e^2>_shell r_s^4 for the mode and the fitted field */
  double w = o->shell_width;
  long nsh = (long)floor(0.5 * Lmin / w);
  A->nshell = nsh;
  GV_ALLOC(A->shell_r, nsh);
  GV_ALLOC(A->shell_e2r4, nsh);
  GV_ALLOC(A->shell_el_e2r4, nsh);
  GV_ALLOC(er2, n);
  double rad_num = 0, rad_den = 0;
  {
    long *cnt = NULL;
    GV_ALLOC(cnt, nsh);
    for (long i = 0; i < n; i++) {
      double f[3] = {0, 0, 0};
      if (dist[i] > 0.5) gv_elastic_dipole_field(o->B, o->G, A->P, xs + 3 * i, f);
      double el2 = f[0] * f[0] + f[1] * f[1] + f[2] * f[2];
      er2[i] = 0;
      double er_n = 0;
      for (int q = 0; q < 3; q++) {
        er2[i] += (e[3 * i + q] - f[q]) * (e[3 * i + q] - f[q]);
        if (dist[i] > 0) er_n += (e[3 * i + q] - f[q]) * xs[3 * i + q] / dist[i];
      }
      if (dist[i] > A->rc) rad_num += er_n * er_n, rad_den += er2[i];
      long b = (long)floor(dist[i] / w);
      if (b < nsh) {
        A->shell_e2r4[b] += e2_of(e, i, 3);
        A->shell_el_e2r4[b] += el2;
        cnt[b]++;
      }
    }
    for (long b = 0; b < nsh; b++) {
      double rs = (b + 0.5) * w;
      A->shell_r[b] = rs;
      if (cnt[b]) {
        A->shell_e2r4[b] *= pow(rs, 4) / cnt[b];
        A->shell_el_e2r4[b] *= pow(rs, 4) / cnt[b];
      }
    }
    free(cnt);
  }
  /* Eq. 6: f_r by least squares over r_c >= the core radius */
  {
    double sxy = 0, sxx = 0;
    double *Sout = NULL;
    GV_ALLOC(Sout, nrc);
    for (long r = 0; r < nrc; r++) {
      double S = 0;
      for (long i = 0; i < n; i++)
        if (dist[i] > A->rc_scan[r]) S += er2[i];
      Sout[r] = S;
      if (r >= rsel) {
        double y = A->kappa / 2 - gv_elastic_dipole_energy_outside(o->B, o->G, A->P, A->rc_scan[r]) -
                   A->D2_scan[r];
        sxy += y * S;
        sxx += S * S;
      }
    }
    A->f_r = sxx > 0 ? sxy / sxx : NAN;
    double Eel = gv_elastic_dipole_energy_outside(o->B, o->G, A->P, A->rc);
    A->D2_elastic_rc = A->kappa / 2 - Eel;
    A->random_share = A->f_r * Sout[rsel] / (A->f_r * Sout[rsel] + Eel);
    A->radial_frac = rad_den > 0 ? rad_num / rad_den : NAN;
    A->omega_r = A->f_r > 0 ? sqrt(2 * A->f_r) : NAN;
    for (long r = 0; r < nrc; r++)
      A->D2_model[r] = A->kappa / 2 -
                       gv_elastic_dipole_energy_outside(o->B, o->G, A->P, A->rc_scan[r]) -
                       A->f_r * Sout[r];
    free(Sout);
  }
  /* Eqs. 10, 11 */
  if (A->D[4] > 0) gv_softpot_W_A0(A->D[4], &A->W, &A->A0);
  else A->W = A->A0 = NAN;
  /* Eq. 12 coefficient: v_l and omega_D of the model glass (unit masses) */
  {
    double rho = (double)n / gv_box_volume(&s->box);
    double vt = sqrt(o->G / rho), vl = sqrt((o->B + 4 * o->G / 3) / rho);
    double vD = cbrt(3 / (1 / (vl * vl * vl) + 2 / (vt * vt * vt)));
    double wD = cbrt(6 * M_PI * M_PI * rho) * vD;
    A->gamma_coef = 1.5 * M_PI * A->lambda_t * A->lambda_t / (vl * vl * wD * wD);
    A->omega_D = wD;
  }
  /* Sec. II F: creation energy E_s and inside displacement Delta A */
  if (o->creation) {
    GV_TRY(gv_softmode_creation(m, s, e, A->center, &o->cr, &A->cr));
    A->has_creation = 1;
  }
  *out = A;
  A = NULL;
cleanup:
  gv_anatomy_destroy(&A);
  free(e);
  free(dist);
  free(pmin);
  free(Es);
  free(Asamp);
  free(xs);
  free(ss);
  free(er2);
  return status;
}
