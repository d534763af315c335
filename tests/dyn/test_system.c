/* Dynamics and minimisation on real model systems:
 *  - NVE (gamma = 0) on a small 3D IPL liquid: energy fluctuation ~ dt^2, no drift;
 *  - Langevin on a 2D IPL liquid: <K> = d N T / 2 and Var(K) = d N T^2 / 2;
 *  - the 2D reference inherent state stays put under minimisation (E/N, p of models.md);
 *  (the 3D quench and the thread-count determinism of gv_prepare are in
 *  test_slow_system.c). */
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "testlib.h"

static void read_ref(const char *name, const char *model, int dim, gv_glass *g) {
  char path[1024];
  snprintf(path, sizeof path, "%s/reference_snapshots/%s", tl_shared_dir(), name);
  CHECK_OK(gv_glass_read(path, model, dim, g));
}

/* A liquid: random start, overlaps relieved, short Langevin run at T. */
static gv_system *liquid(const gv_model *m, long n, double T, uint64_t seed) {
  gv_system *s = NULL;
  CHECK_OK(gv_system_create_random(&s, m, n, seed));
  gv_min_params p;
  gv_min_params_default(&p);
  p.finisher = GV_MIN_FIRE;
  p.ftol = 1.0;
  gv_min_result r;
  gv_minimize_system(m, s, &p, &r);
  CHECK(r.max_grad <= 1.0, "overlap relief: max force %g", r.max_grad);
  return s;
}

static double nve_sd(const gv_model *m, const gv_system *s0, const double *v0, double dt, double tmax,
                     double *drift) {
  gv_system *s = NULL;
  CHECK_OK(gv_system_copy(&s, s0));
  size_t nd = (size_t)s->n * s->dim;
  double *v = malloc(nd * sizeof(double));
  memcpy(v, v0, nd * sizeof(double));
  gv_neighbors *nl = NULL;
  CHECK_OK(gv_dyn_neighbors_create(&nl, m, s));
  gv_dyn_sysctx ctx = {.model = m, .sys = s, .nl = nl};
  gv_md_params p;
  gv_md_params_default(&p);
  p.dt = dt;
  p.gamma = 0;
  gv_md *md = NULL;
  CHECK_OK(gv_md_create(&md, nd, gv_dyn_system_force, &ctx, s->x, v, &p));
  long nsteps = lround(tmax / dt), q = nsteps / 4;
  double s1 = 0, s2 = 0, first = 0, last = 0;
  for (long t = 0; t < nsteps; t++) {
    if (gv_md_step(md, 0) != GV_OK) break;
    double h = gv_md_kinetic(md) + gv_md_potential(md);
    s1 += h;
    s2 += h * h;
    if (t < q) first += h;
    if (t >= nsteps - q) last += h;
  }
  *drift = fabs(last - first) / q;
  double mean = s1 / nsteps;
  gv_md_destroy(&md);
  gv_neighbors_destroy(&nl);
  gv_system_destroy(&s);
  free(v);
  return sqrt(fmax(0, s2 / nsteps - mean * mean));
}

static void test_nve(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  gv_system *s = liquid(&m, 250, 1.0, 7);
  size_t nd = (size_t)s->n * 3;
  double *v = malloc(nd * sizeof(double));
  /* thermalise at T = 0.9 so that NVE starts from a typical liquid state */
  {
    gv_neighbors *nl = NULL;
    CHECK_OK(gv_dyn_neighbors_create(&nl, &m, s));
    gv_dyn_sysctx ctx = {.model = &m, .sys = s, .nl = nl};
    gv_dyn_maxwell(v, s->n, 3, 0.9, 3, 0);
    gv_md_params p;
    gv_md_params_default(&p);
    gv_md *md = NULL;
    CHECK_OK(gv_md_create(&md, nd, gv_dyn_system_force, &ctx, s->x, v, &p));
    for (int t = 0; t < 400; t++) gv_md_step(md, 0.9);
    gv_md_destroy(&md);
    gv_neighbors_destroy(&nl);
  }
  double d1, d2, d3;
  double s1 = nve_sd(&m, s, v, 0.004, 4, &d1), s2 = nve_sd(&m, s, v, 0.002, 4, &d2),
         s3 = nve_sd(&m, s, v, 0.001, 4, &d3);
  printf("IPL NVE: sd(H)/N = %.3e %.3e %.3e (dt 0.004 0.002 0.001; ratios %.2f %.2f), drift/N %.1e %.1e\n",
         s1 / s->n, s2 / s->n, s3 / s->n, s1 / s2, s2 / s3, d1 / s->n, d2 / s->n);
  CHECK(s1 / s2 > 3.3 && s1 / s2 < 4.7, "dt^2 scaling of sd(H): ratio %g", s1 / s2);
  CHECK(s2 / s3 > 3.3 && s2 / s3 < 4.7, "dt^2 scaling of sd(H): ratio %g", s2 / s3);
  CHECK(s1 / s->n < 3e-4, "energy fluctuation per particle %g at dt = 0.004", s1 / s->n);
  CHECK(d1 < 2 * s1 && d2 < 2 * s2, "energy drift %g %g beyond the fluctuation", d1, d2);
  free(v);
  gv_system_destroy(&s);
}

static void test_canonical(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 2));
  const double T = 0.8365;
  gv_system *s = liquid(&m, 64, T, 11);
  size_t nd = (size_t)s->n * 2;
  double *v = malloc(nd * sizeof(double));
  gv_dyn_maxwell(v, s->n, 2, T, 5, 0);
  gv_neighbors *nl = NULL;
  CHECK_OK(gv_dyn_neighbors_create(&nl, &m, s));
  gv_dyn_sysctx ctx = {.model = &m, .sys = s, .nl = nl};
  gv_md_params p;
  gv_md_params_default(&p);
  p.dt = 0.004;
  p.seed = 2385;
  gv_md *md = NULL;
  CHECK_OK(gv_md_create(&md, nd, gv_dyn_system_force, &ctx, s->x, v, &p));
  for (int t = 0; t < 2500; t++) gv_md_step(md, T);
  enum { NB = 10 };
  const long per_block = 300, stride = 25; /* samples 0.1 apart, blocks of 30 time units */
  double mK[NB], vK[NB];
  for (int b = 0; b < NB; b++) {
    double a1 = 0, a2 = 0;
    for (long k = 0; k < per_block; k++) {
      for (long t = 0; t < stride; t++) gv_md_step(md, T);
      double K = gv_md_kinetic(md);
      a1 += K;
      a2 += K * K;
    }
    mK[b] = a1 / per_block;
    vK[b] = a2 / per_block - mK[b] * mK[b];
  }
  double exact[2] = {nd * T / 2, nd * T * T / 2}, est[2] = {0, 0}, err[2] = {0, 0};
  double *obs[2] = {mK, vK};
  for (int q = 0; q < 2; q++) {
    for (int b = 0; b < NB; b++) est[q] += obs[q][b] / NB;
    for (int b = 0; b < NB; b++) err[q] += (obs[q][b] - est[q]) * (obs[q][b] - est[q]);
    err[q] = sqrt(err[q] / (NB * (NB - 1.0)));
    printf("IPL 2D Langevin %s = %.4f +- %.4f (exact %.4f, %.1f sigma)\n", q ? "Var(K)" : "<K>   ", est[q], err[q],
           exact[q], (est[q] - exact[q]) / err[q]);
    CHECK(fabs(est[q] - exact[q]) < 4 * err[q], "%s = %g +- %g, exact %g", q ? "Var(K)" : "<K>", est[q], err[q],
          exact[q]);
    CHECK(err[q] < 0.08 * exact[q], "statistical error too large: %g", err[q]);
  }
  gv_md_destroy(&md);
  gv_neighbors_destroy(&nl);
  gv_system_destroy(&s);
  free(v);
}

static void test_reference_minima(void) {
  /* 2D inherent state of the reference: minimisation must not move it */
  gv_glass g;
  read_ref("ipl2D_snap.dat", "ipl", 2, &g);
  double n = (double)g.sys->n;
  gv_min_params p;
  gv_min_params_default(&p);
  gv_min_result r;
  CHECK_OK(gv_minimize_system(&g.model, g.sys, &p, &r));
  CHECK(r.max_grad <= 1e-10, "ipl2D reference: max force %g", r.max_grad);
  CHECK_OK(gv_glass_evaluate(&g));
  CHECK_CLOSE(g.state.energy / n, 3.8856026403, 1e-9, 0);
  CHECK_CLOSE(g.state.pressure, 19.4285, 1e-5, 0);
  printf("ipl2D reference: E/N %.10f p %.6f after %ld iterations\n", g.state.energy / n, g.state.pressure,
         r.iterations);
  gv_glass_free(&g);

}

int main(void) {
  double t = gv_wall_time();
  test_nve();
  printf("  (%.1f s)\n", gv_wall_time() - t);
  test_canonical();
  printf("  (%.1f s)\n", gv_wall_time() - t);
  test_reference_minima();
  printf("  (%.1f s)\n", gv_wall_time() - t);
  return tl_finish();
}
