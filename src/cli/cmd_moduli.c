/* glassvib moduli: athermal shear and bulk moduli with non-affine corrections,
 * pressure, sound speeds and Debye frequency of an inherent state. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"

int gv_cmd_moduli(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0, force = 0;
  long long threads = 0, dim = 0;
  double max_force = 1e-4;
  const char *model = NULL;
  gv_arg args[] = {
      {"force", 0, GV_ARG_FLAG, &force, NULL, "analyse a glass that is not at a force minimum (flagged)", GV_NO_RANGE, 0, 0},
      {"max-force", 0, GV_ARG_DOUBLE, &max_force, "F", "inherent-state test: max force component (default 1e-4)", 0, 1e9, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"moduli", "GLASS.h5 [--json]",
                      "Athermal elastic moduli (Lemaitre and Maloney 2006): shear modulus G averaged "
                      "over the d(d-1)/2 simple-shear planes and bulk modulus B (dilation, with the "
                      "pressure term), both with the non-affine correction -Xi.M^+.Xi/V; pressure; "
                      "c_T = sqrt(G/rho), c_L = sqrt((B + 2(d-1)G/d)/rho); Debye frequency. "
                      "Units eps/lambda^d, lambda sqrt(eps/m)/lambda. JSON keys: G, B, c_T, c_L, "
                      "omega_D, pressure (and G_err, G_affine, B_affine, G_planes, density, k_D, c_D).",
                      1, 1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  gv_glass g;
  gv_glass_init(&g);
  gv_hessian *H = NULL;
  gv_moduli mo;
  GV_TRY(gv_glass_read(pos[0], model, (int)dim, &g));
  GV_TRY(gv_analysis_check_inherent(&g, max_force, force));
  GV_TRY(gv_hessian_create(&H, &g.model, g.sys, 0.0));
  GV_TRY(gv_moduli_compute(H, g.sys, NULL, &mo));
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_num(&j, "G", mo.G);
    gv_json_num(&j, "B", mo.B);
    gv_json_num(&j, "c_T", mo.c_T);
    gv_json_num(&j, "c_L", mo.c_L);
    gv_json_num(&j, "omega_D", mo.omega_D);
    gv_json_num(&j, "pressure", mo.pressure);
    gv_json_num(&j, "G_err", mo.G_err);
    gv_json_num(&j, "G_affine", mo.G_affine);
    gv_json_num(&j, "B_affine", mo.B_affine);
    gv_json_array_num(&j, "G_planes", mo.G_planes, (size_t)mo.n_planes);
    gv_json_num(&j, "density", mo.density);
    gv_json_num(&j, "k_D", mo.k_D);
    gv_json_num(&j, "c_D", mo.c_D);
    gv_json_num(&j, "solve_residual", mo.solve_residual);
    gv_json_end(&j);
  } else {
    printf("# glassvib moduli %s (units: eps/lambda^%d; velocities lambda sqrt(eps/m)/lambda)\n", pos[0], mo.dim);
    printf("G        %.10g +- %.3g (affine %.10g)\n", mo.G, mo.G_err, mo.G_affine);
    printf("B        %.10g (affine %.10g)\n", mo.B, mo.B_affine);
    printf("pressure %.10g\nc_T      %.10g\nc_L      %.10g\nomega_D  %.10g\n", mo.pressure, mo.c_T, mo.c_L, mo.omega_D);
  }
cleanup:
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
  return status < 0 ? gv_cli_fail("moduli", status) : 0;
}
