/* Bench helper: where the time of `glassvib modes GLASS --lowest K` goes, phase
 * by phase (read the glass, assemble the Hessian, eigensolver incl. its own
 * factor / solve / Gram-Schmidt / ... breakdown on stderr, write the modes
 * file), wall and process CPU seconds (CPU is what to compare on a shared
 * machine). usage: phase_bench GLASS.h5 K [OUT.h5]
 * The eigensolver's internal phases are printed by its debug log (enabled
 * here); "eigen other" = eigensolver total - factor - block-Lanczos phases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"
#include "glassvib/hessian.h"

static double cpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: phase_bench GLASS.h5 K [OUT.h5]\n");
    return 2;
  }
  gv_log_set_level(GV_LOG_DEBUG);
  gv_glass g;
  gv_glass_init(&g);
  gv_hessian *H = NULL;
  gv_modes m;
  memset(&m, 0, sizeof m);
  double w[5], c[5];
  w[0] = gv_wall_time(), c[0] = cpu();
  int st = gv_glass_read(argv[1], NULL, 0, &g);
  w[1] = gv_wall_time(), c[1] = cpu();
  if (!st) st = gv_hessian_create(&H, &g.model, g.sys, 0.0);
  w[2] = gv_wall_time(), c[2] = cpu();
  gv_eigopts o;
  gv_linalg_eigopts_default(&o);
  if (!st) st = gv_modes_compute(H, g.sys, atoi(argv[2]), &o, &m, NULL);
  w[3] = gv_wall_time(), c[3] = cpu();
  if (st >= 0 && argc > 3) st = gv_modes_write(argv[3], &m, &g, 0);
  w[4] = gv_wall_time(), c[4] = cpu();
  if (st < 0) {
    fprintf(stderr, "phase_bench: %s\n", gv_error_message());
    return 1;
  }
  const char *name[4] = {"read glass", "Hessian", "eigen (modes)", "write modes"};
  printf("# N = %ld, K = %d, %s, %ld vector solves, factor %.3f s (wall), max residual %.2e\n", (long)g.sys->n,
         m.k, m.method, m.n_op, m.t_factor, m.max_residual);
  for (int i = 0; i < 4; i++) printf("%-14s wall %8.3f s  cpu %8.3f s\n", name[i], w[i + 1] - w[i], c[i + 1] - c[i]);
  printf("%-14s wall %8.3f s  cpu %8.3f s   factor share of wall %.2f\n", "total", w[4] - w[0], c[4] - c[0],
         m.t_factor / (w[4] - w[0]));
  gv_modes_free(&m);
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
  return 0;
}
