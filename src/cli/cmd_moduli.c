/* glassvib moduli: athermal shear and bulk moduli with non-affine corrections,
 * pressure, sound speeds and Debye frequency of an inherent state. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"

/* --local K1,K2,.. or auto (boxes of side >= 1.5 lambda, at least 2 per side). */
static int local_moduli(const gv_hessian *H, const gv_system *s, const char *spec, gv_moduli_local *lo) {
  int boxes[GV_MODULI_LOCAL_MAX], nb = 0;
  if (strcmp(spec, "auto") == 0) {
    double L = gv_box_min_width(&s->box);
    for (int k = 2; k <= 64 && L / k >= 1.5 && nb < GV_MODULI_LOCAL_MAX; k++) boxes[nb++] = k;
    if (nb < 2) return GV_ERROR(GV_EINVAL, "--local auto: the box (width %.3g) is too small for two box sizes", L);
  } else {
    double *v = NULL;
    size_t n = 0;
    int st = gv_parse_double_list(spec, &v, &n);
    if (st) return GV_ERROR(GV_EINVAL, "--local '%s': give boxes per side K1,K2,... or auto", spec);
    for (size_t k = 0; k < n; k++)
      if (v[k] != floor(v[k]) || v[k] < 1 || v[k] > 64 || n > GV_MODULI_LOCAL_MAX) {
        free(v);
        return GV_ERROR(GV_EINVAL, "--local '%s': 1 to %d integers in 1..64", spec, GV_MODULI_LOCAL_MAX);
      } else {
        boxes[nb++] = (int)v[k];
      }
    free(v);
  }
  return gv_moduli_local_compute(H, s, NULL, boxes, nb, lo);
}

int gv_cmd_moduli(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0, force = 0;
  long long threads = 0, dim = 0;
  double max_force = 1e-4;
  const char *model = NULL, *local = NULL;
  gv_arg args[] = {
      {"local", 0, GV_ARG_STRING, &local, "K1,K2,..|auto",
       "also local shear moduli on K^d boxes and the elastic heterogeneity eps2, a they measure "
       "(auto: K = 2 .. L/(1.5 lambda))", GV_NO_RANGE, 0, 0},
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
                      "omega_D, pressure (and G_err, G_affine, B_affine, G_planes, density, k_D, c_D). "
                      "--local adds local_boxes, local_w, local_mean, local_var, eps2, a_corr, "
                      "disorder_volume, fit_rms: the variance of box-averaged local shear moduli "
                      "fitted with an exponential covariance eps2 G^2 exp(-r/a) (the Born/GBA "
                      "medium; gba/born --from-moduli take eps2 and a from it).",
                      1, 1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  gv_glass g;
  gv_glass_init(&g);
  gv_hessian *H = NULL;
  gv_moduli mo;
  gv_moduli_local lo;
  GV_TRY(gv_glass_read(pos[0], model, (int)dim, &g));
  GV_TRY(gv_analysis_check_inherent(&g, max_force, force));
  GV_TRY(gv_hessian_create(&H, &g.model, g.sys, 0.0));
  GV_TRY(gv_moduli_compute(H, g.sys, NULL, &mo));
  if (local) GV_TRY(local_moduli(H, g.sys, local, &lo));
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
    if (local) {
      double kb[GV_MODULI_LOCAL_MAX];
      for (int k = 0; k < lo.nw; k++) kb[k] = lo.boxes[k];
      gv_json_array_num(&j, "local_boxes", kb, (size_t)lo.nw);
      gv_json_array_num(&j, "local_w", lo.w, (size_t)lo.nw);
      gv_json_array_num(&j, "local_mean", lo.mean, (size_t)lo.nw);
      gv_json_array_num(&j, "local_var", lo.var, (size_t)lo.nw);
      gv_json_num(&j, "eps2", lo.eps2);
      gv_json_num(&j, "a_corr", lo.a);
      gv_json_num(&j, "disorder_volume", lo.disorder_volume);
      gv_json_num(&j, "fit_rms", lo.fit_rms);
    }
    gv_json_end(&j);
  } else {
    printf("# glassvib moduli %s (units: eps/lambda^%d; velocities lambda sqrt(eps/m)/lambda)\n", pos[0], mo.dim);
    printf("G        %.10g +- %.3g (affine %.10g)\n", mo.G, mo.G_err, mo.G_affine);
    printf("B        %.10g (affine %.10g)\n", mo.B, mo.B_affine);
    printf("pressure %.10g\nc_T      %.10g\nc_L      %.10g\nomega_D  %.10g\n", mo.pressure, mo.c_T, mo.c_L, mo.omega_D);
    if (local) {
      printf("# local shear moduli: boxes per side, box side w, mean and relative spread of G_box\n");
      for (int k = 0; k < lo.nw; k++)
        printf("local    %2d  w = %-8.4g <G_b> = %-10.6g sd/G = %.4g\n", lo.boxes[k], lo.w[k], lo.mean[k],
               sqrt(lo.var[k]) / fabs(lo.G));
      printf("eps2     %.6g (a = %.4g lambda, disorder volume eps2 a^d S_d Gamma(d) = %.4g lambda^%d, "
             "log-fit rms %.3g)\n", lo.eps2, lo.a, lo.disorder_volume, mo.dim, lo.fit_rms);
    }
  }
cleanup:
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
  return status < 0 ? gv_cli_fail("moduli", status) : 0;
}
