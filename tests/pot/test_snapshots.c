/* The public reference configurations (shared/reference_snapshots, models.md)
 * reproduce their stored energies and pressures under our model definitions,
 * and the inherent states have (numerically) vanishing forces. */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static void snap(const char *file, const char *model, int dim, double e_per, double p_ref, double u_total,
                 double ftol) {
  char path[1024];
  snprintf(path, sizeof path, "%s/reference_snapshots/%s", tl_shared_dir(), file);
  gv_glass g;
  CHECK_OK(gv_glass_read(path, model, dim, &g));
  if (!g.sys) return;
  CHECK_OK(gv_glass_evaluate(&g));
  double n = (double)g.sys->n;
  printf("%s: N=%ld E/N=%.10f p=%.6f max|F|=%.3g\n", file, g.sys->n, g.state.energy / n, g.state.pressure,
         g.state.max_force);
  if (e_per == e_per) CHECK_CLOSE(g.state.energy / n, e_per, 1e-9, 0);
  if (p_ref == p_ref) CHECK_CLOSE(g.state.pressure, p_ref, 1e-5, 0);
  if (u_total == u_total) CHECK_CLOSE(g.state.energy, u_total, 1e-8, 0); /* the file has 8 digits */
  if (ftol > 0) CHECK(g.state.max_force < ftol, "%s: max force %g at a minimum", file, g.state.max_force);
  gv_glass_free(&g);
}

int main(void) {
  snap("ipl2D_snap.dat", "ipl", 2, 3.8856026403, 19.4285, NAN, 1e-6);
  snap("swap2D_snap.dat", "poly", 2, 2.8275169013, 10.8659, NAN, 1e-6);
  snap("ipl3D_snap_with_velocities.dat", "ipl", 3, NAN, NAN, 12775.45261, 0);
  return tl_finish();
}
