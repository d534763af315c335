/* Lines every command that writes an inherent state prints (prepare, minimize), and
 * the refusal of an unconverged one: one place, so the wording stays the same. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "glassvib/glass.h"

void gv_cli_print_state(const gv_glass *g, double ftol, const char *how) {
  printf("energy per particle  %.12g\n", g->state.energy / (double)g->sys->n);
  printf("pressure             %.10g\n", g->state.pressure);
  printf("max force            %.3e (%s, ftol %.1e%s%s)\n", g->state.max_force,
         g->state.converged ? "converged" : "NOT converged", ftol, how ? ", " : "", how ? how : "");
}

int gv_cli_refuse_unconverged(const gv_glass *g, double ftol) {
  return GV_ERROR(GV_NOT_CONVERGED,
                  "max force %.3e did not reach --ftol %.1e (the glass was written with converged = 0; "
                  "pass --allow-unconverged or a larger --ftol to accept it)",
                  g->state.max_force, ftol);
}

int gv_cli_check_glass_out(const char *path) {
  int status = gv_check_writable(path);
  if (status < 0) return status;
  size_t l = strlen(path);
  int ok = (l > 3 && !strcmp(path + l - 3, ".h5")) || (l > 4 && !strcmp(path + l - 4, ".xyz")) ||
           (l > 5 && !strcmp(path + l - 5, ".data"));
  return ok ? GV_OK : GV_ERROR(GV_EINVAL, "%s: unknown output format (use .h5, .xyz or .data)", path);
}
