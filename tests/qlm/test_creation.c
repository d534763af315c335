/* Creation energy E_s and inside displacement Delta A (seed 002, Sec. II F).
 * Planted case with a known answer: two core coordinates y = (q, q2), the mode
 * on the core ec = (0.8, 0), so the inside displacement is s = q / 0.8, and
 *   E(A, y) = V(s) + k/2 (s - c A)^2 + k2/2 (q2 - 0.3 s)^2 + D1 A,
 *   V(s) = D2 s^2 + D3 s^3 + D4 s^4 (an asymmetric double well, D2 < 0).
 * Relaxing y at fixed A and removing D1 A, the minimum over A is at s = s_pm
 * (the minima of V), A_out = s_pm / c, so E_s = -V(s_pm), Delta A = s_pm;
 * the linear term must come out as D1. A stable core (D2 > 0) has no well.
 * Then a real 3D IPL glass: the creation code's core energy (own pair list)
 * agrees with the anatomy's Eq. 2 core energy (D1 and the rigid curve), the
 * relaxed energy never exceeds the rigid one, E_p(0) = E(0). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "glassvib/linalg.h"
#include "glassvib/qlm.h"
#include "testlib.h"

typedef struct {
  double D2, D3, D4, k, c, k2, D1;
} planted;

static int planted_fn(void *cx, double A, const double *y, double *E, double *g) {
  const planted *p = cx;
  double s = y[0] / 0.8, q2 = y[1];
  double V = p->D2 * s * s + p->D3 * s * s * s + p->D4 * s * s * s * s;
  double dV = 2 * p->D2 * s + 3 * p->D3 * s * s + 4 * p->D4 * s * s * s;
  *E = V + 0.5 * p->k * (s - p->c * A) * (s - p->c * A) + 0.5 * p->k2 * (q2 - 0.3 * s) * (q2 - 0.3 * s) + p->D1 * A;
  if (g) {
    double ds = dV + p->k * (s - p->c * A) - 0.3 * p->k2 * (q2 - 0.3 * s);
    g[0] = ds / 0.8;
    g[1] = p->k2 * (q2 - 0.3 * s);
  }
  return GV_OK;
}

static void planted_case(void) {
  planted p = {-1.3, 0.37, 0.83, 4.2, 1.5, 2.7, 0.55};
  double ec[2] = {0.8, 0};
  gv_creation_opts o;
  gv_creation_opts_default(&o);
  gv_creation c;
  CHECK_OK(gv_creation_scan(planted_fn, &p, 2, ec, &o, &c));
  double disc = sqrt(9 * p.D3 * p.D3 - 32 * p.D2 * p.D4);
  double s_pm[2] = {(-3 * p.D3 + disc) / (8 * p.D4), (-3 * p.D3 - disc) / (8 * p.D4)};
  CHECK_CLOSE(c.D1, p.D1, 1e-8, 1e-9);
  CHECK_CLOSE(c.E0, 0, 0, 1e-14);
  for (int d = 0; d < 2; d++) {
    double s = s_pm[d], Es = -(p.D2 * s * s + p.D3 * s * s * s + p.D4 * s * s * s * s);
    printf("direction %d: Es %.8f (planted %.8f)  dA %.6f (%.6f)  Aout %.6f (%.6f)\n", d, c.Es_dir[d], Es,
           c.dA_dir[d], s, c.Aout_dir[d], s / p.c);
    CHECK(c.found[d], "well %d found", d);
    CHECK_CLOSE(c.Es_dir[d], Es, 2e-3, 0);
    CHECK_CLOSE(c.dA_dir[d], s, 0, 5e-3);
    CHECK_CLOSE(c.Aout_dir[d], s / p.c, 0, 5e-3);
  }
  CHECK_CLOSE(c.Es, 0.5 * (c.Es_dir[0] + c.Es_dir[1]), 1e-14, 0);
  CHECK_CLOSE(c.dA, 0.5 * (fabs(c.dA_dir[0]) + fabs(c.dA_dir[1])), 1e-14, 0);
  CHECK(c.n_unconverged == 0, "%ld relaxations did not converge", c.n_unconverged);
  for (long k = 0; k < c.npts; k++) CHECK(c.E[k] <= c.E_rigid[k] + 1e-12, "relaxation lowers the energy at A = %g", c.A[k]);
  gv_creation_free(&c);
  /* a stable core: no well on either side */
  planted q = {0.9, 0.37, 0.83, 4.2, 1.5, 2.7, -0.2};
  CHECK_OK(gv_creation_scan(planted_fn, &q, 2, ec, &o, &c));
  CHECK(!c.found[0] && !c.found[1] && isnan(c.Es), "stable core: no creation energy (Es %g)", c.Es);
  gv_creation_free(&c);
  /* bad options */
  o.astep = 0;
  CHECK(gv_creation_scan(planted_fn, &p, 2, ec, &o, &c) == GV_EINVAL, "zero step rejected");
}

static void glass_case(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  long n = 400;
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 3, n, 0, 1, 0));
  double L = cbrt(n / m.density);
  gv_box_init_cubic(&s->box, 3, L);
  gv_rng r;
  gv_rng_init(&r, 2385, 1, GV_RNG_POSITIONS);
  long side = (long)ceil(cbrt((double)n));
  double a0 = L / side;
  for (long i = 0; i < n; i++) {
    long cc[3] = {i / (side * side), (i / side) % side, i % side};
    for (int a = 0; a < 3; a++) s->x[3 * i + a] = a0 * (cc[a] + 0.5 + 0.3 * (gv_rng_uniform(&r) - 0.5));
    s->type[i] = gv_rng_uniform(&r) < 0.5;
  }
  gv_min_params mp;
  gv_min_params_default(&mp);
  mp.ftol = 1e-11;
  gv_min_result mr;
  CHECK_OK(gv_minimize_system(&m, s, &mp, &mr));
  gv_pairset *ps = NULL;
  CHECK_OK(gv_pairset_create_model(&ps, &m, s, 0.6));
  long nd = 3 * n;
  /* a soft direction: lowest eigenvector of the dense Hessian */
  double *M = calloc((size_t)(nd * nd), sizeof(double)), *w = malloc(sizeof(double) * nd);
  gv_sparse *Ms = NULL;
  CHECK_OK(gv_qlm_hessian_sparse(ps, &Ms));
  for (long col = 0; col < nd; col++)
    for (int64_t t = Ms->colptr[col]; t < Ms->colptr[col + 1]; t++) M[col * nd + Ms->rowind[t]] = Ms->val[t];
  gv_linalg_sparse_destroy(&Ms);
  CHECK_OK(gv_linalg_dense_syev(nd, M, w));
  const double *e = M + 3 * nd;
  double center[GV_MAX_DIM];
  CHECK_OK(gv_mode_center(s, e, 3.5, 3, center, NULL, NULL));
  gv_creation_opts o;
  gv_creation_opts_default(&o);
  o.rc = 1.6;
  o.amax = 1.2;
  o.astep = 0.1;
  gv_creation c;
  CHECK_OK(gv_softmode_creation(&m, s, e, center, &o, &c));
  /* the anatomy's Eq. 2 core energy at the same r_c (independent pair bookkeeping) */
  gv_anatomy_opts ao;
  gv_anatomy_opts_default(&ao);
  ao.amax = 0.02;
  ao.npts = 21;
  ao.rc_min = 1.0;
  ao.rc_max = 2.0;
  ao.rc_step = 0.05;
  ao.rc = 1.6;
  ao.shell_in = 1.5;
  ao.shell_out = 0.45 * L;
  ao.B = 56;
  ao.G = 14;
  ao.creation = 0;
  gv_anatomy *an = NULL;
  CHECK_OK(gv_anatomy_run(&m, s, ps, e, &ao, &an));
  if (an) {
    /* anatomy fixes the sign so that D3 >= 0: compare |D1| */
    printf("glass: %ld core atoms; D1 creation %.8g anatomy %.8g; Es %g dA %g (found %d %d), back %.2f, "
           "%ld unconverged\n", c.ncore, c.D1, an->D[1], c.Es, c.dA, c.found[0], c.found[1], c.back_frac, c.n_unconverged);
    CHECK(an->n_core == c.ncore, "same core (%ld vs %ld atoms)", an->n_core, c.ncore);
    CHECK_CLOSE(fabs(c.D1), fabs(an->D[1]), 1e-5, 1e-7);
    /* the reference energy: rigid curve at A = 0 and the Eq. 2 fit's E0 */
    long k0 = c.npts / 2;
    CHECK_CLOSE(c.E_rigid[k0], c.E0, 1e-14, 1e-12);
    CHECK_CLOSE(c.E0, an->D[0], 1e-10, 1e-9);
    gv_anatomy_destroy(&an);
  }
  CHECK_CLOSE(c.E[c.npts / 2], c.E0, 1e-12, 1e-10);
  for (long k = 0; k < c.npts; k++) CHECK(c.E[k] <= c.E_rigid[k] + 1e-10, "relaxed <= rigid at A = %g", c.A[k]);
  for (int d = 0; d < 2; d++)
    if (c.found[d]) CHECK(c.Es_dir[d] > 0, "a well lies below the reference (%g)", c.Es_dir[d]);
  CHECK(c.pairlist_ok, "pair list skin respected");
  CHECK(c.n_unconverged == 0, "%ld relaxations did not converge", c.n_unconverged);
  gv_creation_free(&c);
  /* bad input */
  o.rc = 0;
  CHECK(gv_softmode_creation(&m, s, e, center, &o, &c) == GV_EINVAL, "rc = 0 rejected");
  free(M);
  free(w);
  gv_pairset_destroy(&ps);
  gv_system_destroy(&s);
}

int main(void) {
  planted_case();
  glass_case();
  return tl_finish();
}
