/* glassvib convert IN OUT [--model M --dim D] [--json]: convert a glass
 * between .h5, .xyz and .data (read also .dat), by extension. The state
 * (energy, pressure, max force) is recomputed and recorded in the output. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/glass.h"

int gv_cmd_convert(int argc, char **argv) {
  const char *model = NULL;
  long long dim = 0, threads = 0;
  int json = 0;
  gv_arg args[] = {
      {"model", 0, GV_ARG_STRING, &model, "M", "model of the input (needed for .dat; overrides others)", GV_NO_RANGE, 0, 0},
      {"dim", 0, GV_ARG_INT, &dim, "D", "dimension of the input (needed for .dat)", 2, 4, 0, 0},
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_END};
  gv_cmd_spec spec = {"convert", "IN OUT [--model M --dim D] [--json]",
                      "Convert a glass between formats chosen by extension: .h5 (native), .xyz (extended XYZ), "
                      ".data (LAMMPS, 2D/3D), and read-only .dat (Lerner-group format; needs --model and --dim). "
                      "The output is written atomically and carries the recomputed energy, pressure and max force.",
                      2, 2};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  double t0 = gv_wall_time();
  const char *in = pos[0], *out = pos[1];
  gv_glass g;
  gv_glass_init(&g);
  int status = gv_check_writable(out);
  if (!status) status = gv_glass_read(in, model, (int)dim, &g);
  if (!status) status = gv_glass_evaluate(&g);
  if (!status) status = gv_glass_write(out, &g);
  if (status) {
    gv_glass_free(&g);
    return gv_cli_fail("convert", status);
  }
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_str(&j, "input", in);
    gv_json_str(&j, "output", out);
    gv_json_str(&j, "model", g.model.name);
    gv_json_int(&j, "dim", g.sys->dim);
    gv_json_int(&j, "n", g.sys->n);
    gv_json_num(&j, "density", gv_system_density(g.sys));
    gv_json_num(&j, "energy_per_particle", g.state.energy / (double)g.sys->n);
    gv_json_num(&j, "pressure", g.state.pressure);
    gv_json_num(&j, "max_force", g.state.max_force);
    gv_json_int(&j, "seed", (long long)g.seed);
    gv_json_num(&j, "wall_s", gv_wall_time() - t0);
    gv_json_end(&j);
  }
  gv_glass_free(&g);
  return 0;
}
