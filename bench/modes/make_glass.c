/* Bench helper (used only if `glassvib prepare` is unavailable): a 3D IPL
 * inherent state from a random configuration (instant quench from T = inf),
 * minimised with the library's FIRE + L-BFGS to max force 1e-8, written as
 * .h5. usage: make_glass N SEED OUT.h5 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "glassvib/glassvib.h"

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: make_glass N SEED OUT.h5\n");
    return 2;
  }
  long n = atol(argv[1]);
  uint64_t seed = strtoull(argv[2], NULL, 10);
  gv_glass g;
  gv_glass_init(&g);
  int st = gv_model_init(&g.model, "ipl", 3);
  if (!st) st = gv_system_create_random(&g.sys, &g.model, n, seed);
  gv_min_params p;
  gv_min_params_default(&p);
  p.ftol = 1e-8; /* harmonic analysis needs no more; 1e-10 sits at the rounding floor in 3D */
  p.max_iter = 200000;
  gv_min_result r;
  if (!st) st = gv_minimize_system(&g.model, g.sys, &p, &r);
  if (st < 0) {
    fprintf(stderr, "make_glass: %s\n", gv_error_message());
    return 1;
  }
  g.seed = seed;
  snprintf(g.protocol.kind, sizeof g.protocol.kind, "minimize");
  g.protocol.ftol = 1e-8;
  snprintf(g.protocol.minimizer, sizeof g.protocol.minimizer, "fire2+lbfgs");
  if (gv_glass_evaluate(&g) || gv_glass_write(argv[3], &g)) {
    fprintf(stderr, "make_glass: %s\n", gv_error_message());
    return 1;
  }
  printf("N=%ld E/N=%.10f p=%.6f max_force=%.2e\n", n, g.state.energy / n, g.state.pressure, g.state.max_force);
  gv_glass_free(&g);
  return 0;
}
