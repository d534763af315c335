/* glassvib hessian: write the analytic sparse Hessian of a glass as Matrix
 * Market (symmetric, lower triangle; SciPy: scipy.io.mmread). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/glassvib.h"
#include "glassvib/hessian.h"

int gv_cmd_hessian(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0;
  long long threads = 0, dim = 0;
  double skin = 0.0;
  const char *out = NULL, *model = NULL;
  gv_arg args[] = {
      GV_ARG_OUT(&out, "Matrix Market output H.mtx"),
      {"skin", 0, GV_ARG_DOUBLE, &skin, "S", "store pairs up to cutoff + S as explicit zeros (default 0)", 0, 10, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  args[0].required = 1;
  gv_cmd_spec spec = {"hessian", "GLASS.h5 -o H.mtx [--json]",
                      "Analytic Hessian d^2U/dx dx (unit masses) of a glass as a sparse symmetric "
                      "Matrix Market file; row/column i*dim+a is particle i, component a. Units "
                      "eps/lambda^2. JSON keys: n, nnz, asymmetry, translation_residual, wall_s.",
                      1, 1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  gv_glass g;
  gv_glass_init(&g);
  gv_hessian *H = NULL;
  double t0 = gv_wall_time();
  GV_TRY(gv_check_writable(out));
  GV_TRY(gv_glass_read(pos[0], model, (int)dim, &g));
  GV_TRY(gv_hessian_create(&H, &g.model, g.sys, skin));
  GV_TRY(gv_hessian_write_mtx(H, out));
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_int(&j, "n", (long long)H->M->n);
    gv_json_int(&j, "nnz", (long long)H->M->nnz);
    gv_json_num(&j, "asymmetry", gv_linalg_sparse_asymmetry(H->M));
    gv_json_num(&j, "translation_residual", gv_linalg_translation_residual(H->M, H->dim));
    gv_json_num(&j, "wall_s", gv_wall_time() - t0);
    gv_json_end(&j);
  }
cleanup:
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
  return status < 0 ? gv_cli_fail("hessian", status) : 0;
}
