/* Slow checks on real model systems (label slow):
 *  - the 3D reference liquid quenches to max force < 1e-10, and the result is a
 *    true minimum (a random kick relaxes back to the same energy);
 *  - gv_prepare is bitwise reproducible with 1 and 2 threads (N above the
 *    threading thresholds). */
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

static void test_reference_3d(void) {
  gv_glass g;
  double n;
  gv_min_params p;
  gv_min_params_default(&p);
  gv_min_result r;
  /* 3D liquid -> inherent state; then a true minimum: kicks relax back */
  read_ref("ipl3D_snap_with_velocities.dat", "ipl", 3, &g);
  n = (double)g.sys->n;
  CHECK_OK(gv_glass_evaluate(&g));
  double e_liquid = g.state.energy;
  CHECK_CLOSE(e_liquid, 12775.45261, 1e-8, 0);
  CHECK_OK(gv_minimize_system(&g.model, g.sys, &p, &r));
  CHECK_OK(gv_glass_evaluate(&g));
  double e_is = g.state.energy;
  CHECK(g.state.max_force <= 1e-10, "ipl3D inherent state: max force %g", g.state.max_force);
  CHECK(e_is < e_liquid - 0.5 * n, "quench lowered E/N from %g to %g only", e_liquid / n, e_is / n);
  printf("ipl3D liquid -> IS: E/N %.10f -> %.10f, %ld iterations (%ld FIRE), %ld evaluations\n", e_liquid / n,
         e_is / n, r.iterations, r.fire_iterations, r.evaluations);
  gv_rng rng;
  gv_rng_init(&rng, 5, 0, GV_RNG_ANALYSIS);
  size_t nd = (size_t)g.sys->n * 3;
  for (int k = 0; k < 1; k++) {
    gv_system *c = NULL;
    CHECK_OK(gv_system_copy(&c, g.sys));
    for (size_t i = 0; i < nd; i++) c->x[i] += 1e-3 * gv_rng_normal(&rng);
    gv_eval ev;
    CHECK_OK(gv_compute(&g.model, c, NULL, NULL, &ev));
    CHECK(ev.energy > e_is, "a random kick lowered the energy: not a minimum");
    CHECK_OK(gv_minimize_system(&g.model, c, &p, &r));
    CHECK_CLOSE(r.energy, e_is, 1e-12, 0);
    gv_system_destroy(&c);
  }
  gv_glass_free(&g);
}

static void prepare_with(int threads, gv_glass *g) {
  omp_set_num_threads(threads);
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 2));
  gv_prepare_params p;
  gv_prepare_params_default(&p);
  p.tp = 1.3;
  p.equil_time = 0.5;
  p.seed = 4242;
  p.min.ftol = 1e-7; /* bitwise comparison: a looser tolerance keeps the test short */
  gv_glass_init(g);
  CHECK_OK(gv_prepare(&m, 2100, &p, g, NULL));
}

static void test_determinism(void) {
  gv_glass a, b;
  prepare_with(1, &a);
  prepare_with(2, &b);
  size_t nd = (size_t)a.sys->n * 2;
  CHECK(memcmp(a.sys->x, b.sys->x, nd * sizeof(double)) == 0, "positions differ between 1 and 2 threads");
  CHECK(a.state.energy == b.state.energy, "energies differ: %.17g %.17g", a.state.energy, b.state.energy);
  CHECK(a.state.max_force <= 1e-7 && a.state.converged, "prepared glass not converged: %g", a.state.max_force);
  printf("determinism: 2D IPL N = 2100, E/N %.12f identical with 1 and 2 threads\n", a.state.energy / a.sys->n);
  gv_glass_free(&a);
  gv_glass_free(&b);
  omp_set_num_threads(2);
}

int main(void) {
  double t = gv_wall_time();
  test_reference_3d();
  printf("  (%.1f s)\n", gv_wall_time() - t);
  test_determinism();
  printf("  (%.1f s)\n", gv_wall_time() - t);
  return tl_finish();
}
