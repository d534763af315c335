/* Anatomy and nonlinear modes on a real (small) 3D IPL glass quenched here:
 * when the core holds every particle, the soft-potential fit of the core
 * energy must give D1 = 0 (force balance), D2 = kappa/2, |D3| = |tau|/6 and
 * D4 = chi/24 of the anharmonic contractions (pot + hessian + anatomy agree);
 * the mode centre sits on the mode; the quartic nonlinear mode started from
 * the lowest harmonic mode is stationary and stays close to it. */
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "glassvib/hessian.h"
#include "glassvib/linalg.h"
#include "glassvib/qlm.h"
#include "testlib.h"

int main(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  long n = 160;
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 3, n, 0, 1, 0));
  double L = cbrt(n / m.density);
  gv_box_init_cubic(&s->box, 3, L);
  gv_rng r;
  gv_rng_init(&r, 2385, 0, GV_RNG_POSITIONS);
  double t0 = gv_wall_time();
  /* a jittered simple-cubic start (no overlaps: the minimiser is quick) */
  long side = (long)ceil(cbrt((double)n));
  double a0 = L / side;
  for (long i = 0; i < n; i++) {
    long c[3] = {i / (side * side), (i / side) % side, i % side};
    for (int a = 0; a < 3; a++) s->x[3 * i + a] = a0 * (c[a] + 0.5 + 0.3 * (gv_rng_uniform(&r) - 0.5));
    s->type[i] = gv_rng_uniform(&r) < 0.5;
  }
  gv_min_params mp;
  gv_min_params_default(&mp);
  mp.ftol = 1e-11;
  gv_min_result mr;
  int st = gv_minimize_system(&m, s, &mp, &mr);
  CHECK(st == 0, "minimise: status %d %s", st, gv_error_message());
  double t1 = gv_wall_time();
  gv_pairset *ps = NULL;
  CHECK_OK(gv_pairset_create_model(&ps, &m, s, 0.6));
  long nd = 3 * n;
  double *M = malloc(sizeof(double) * nd * nd), *w = malloc(sizeof(double) * nd), *u = calloc(nd, sizeof(double));
  for (long q = 0; q < nd; q++) {
    u[q] = 1;
    gv_anharmonic_contract(ps, u, M + q * nd, NULL, NULL, NULL);
    u[q] = 0;
  }
  CHECK_OK(gv_linalg_dense_syev(nd, M, w));
  CHECK(fabs(w[0]) < 1e-8 && fabs(w[2]) < 1e-8 && w[3] > 1e-4, "3 translations then a stable spectrum: %g %g",
        w[2], w[3]);
  const double *e = M + 3 * nd;
  /* cross-check: M.v of the pair set (qlm) vs the harmonic module's Hessian */
  {
    gv_hessian *Hh = NULL;
    CHECK_OK(gv_hessian_create(&Hh, &m, s, 0.3));
    double *v = malloc(sizeof(double) * nd), *y1 = malloc(sizeof(double) * nd), *y2 = malloc(sizeof(double) * nd);
    for (long q = 0; q < nd; q++) v[q] = gv_rng_normal(&r);
    CHECK_OK(gv_anharmonic_contract(ps, v, y1, NULL, NULL, NULL));
    if (Hh) CHECK_OK(gv_hessian_apply(Hh, s, v, y2));
    double e2 = 0, n2 = 0;
    for (long q = 0; q < nd; q++) e2 += (y1[q] - y2[q]) * (y1[q] - y2[q]), n2 += y2[q] * y2[q];
    CHECK(sqrt(e2 / n2) < 1e-12, "qlm and hessian modules disagree on M.v: %g", sqrt(e2 / n2));
    free(v);
    free(y1);
    free(y2);
    gv_hessian_destroy(&Hh);
  }
  printf("minimise %.2f s, Hessian + eigen %.2f s\n", t1 - t0, gv_wall_time() - t1);
  gv_anharm h;
  CHECK_OK(gv_anharmonic_contract(ps, e, NULL, NULL, NULL, &h));
  CHECK_CLOSE(h.kappa, w[3], 1e-9, 0);
  gv_anatomy_opts o;
  gv_anatomy_opts_default(&o);
  o.amax = 0.02;
  o.npts = 21;
  o.rc_max = 0.88 * L; /* beyond half the diagonal: the core holds everything */
  o.rc_step = 0.05;
  o.shell_in = 1.5;
  o.shell_out = 0.45 * L;
  o.B = 56;
  o.G = 14;
  o.rc = o.rc_max - 1e-9;
  gv_anatomy *an = NULL;
  CHECK_OK(gv_anatomy_run(&m, s, ps, e, &o, &an));
  if (an) {
    printf("kappa %.8g tau %.6g chi %.6g | D1 %.3g D2 %.8g D3 %.6g D4 %.6g (n_core %ld of %ld)\n", h.kappa, h.tau,
           h.chi, an->D[1], an->D[2], an->D[3], an->D[4], an->n_core, n);
    CHECK(an->n_core == n, "the core holds every particle");
    CHECK_CLOSE(an->D[1], 0, 0, 1e-6);
    CHECK_CLOSE(an->D[2], h.kappa / 2, 1e-4, 1e-8);
    CHECK_CLOSE(an->D[3], fabs(h.tau) / 6, 2e-3, 1e-6);
    CHECK_CLOSE(an->D[4], h.chi / 24, 2e-2, 1e-6);
    CHECK(an->Ne > 1 && an->Ne < n, "Ne = %g", an->Ne);
    gv_anatomy_destroy(&an);
  }
  /* quartic nonlinear mode from the lowest harmonic mode */
  double *z = malloc(sizeof(double) * nd);
  memcpy(z, e, sizeof(double) * nd);
  gv_qlm_solver *S = NULL;
  CHECK_OK(gv_qlm_sparse_solver_create(&S, ps));
  gv_nlmode_opts no;
  gv_nlmode_opts_default(&no);
  no.precond = S;
  gv_nlmode_result nr;
  CHECK_OK(gv_nlmode_find(ps, &no, z, &nr));
  double ov = 0;
  for (long q = 0; q < nd; q++) ov += z[q] * e[q];
  printf("quartic mode: kappa %.6g (harmonic %.6g), residual %.2e, overlap %.4f, e %.3f, %ld iterations\n",
         nr.kappa, w[3], nr.residual, fabs(ov), nr.participation, nr.iterations);
  CHECK(nr.residual < 1e-6, "stationarity residual %g", nr.residual);
  CHECK(nr.kappa >= w[3] * (1 - 1e-9), "a unit vector's kappa is at least the lowest eigenvalue");
  gv_qlm_solver_destroy(&S);
  free(z);
  free(M);
  free(w);
  free(u);
  gv_pairset_destroy(&ps);
  gv_system_destroy(&s);
  return tl_finish();
}
