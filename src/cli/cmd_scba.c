/* glassvib scba: heterogeneous elasticity in the self-consistent Born approximation
 * (library: gv_scba_run in src/theory/scba.c; docs/continuum.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/theory.h"

int gv_cmd_scba(int argc, char **argv) {
  double gamma = NAN, cl = NAN, ct = NAN, wmax = NAN;
  long long points = 600, threads = 0;
  int vector = 0, json = 0, quiet = 0;
  const char *out = NULL, *moduli = NULL;
  gv_arg args[] = {
      {"gamma", 0, GV_ARG_DOUBLE, &gamma, "G", "disorder parameter gamma (dimensionless), 0 <= G < gamma_c", 0, 1e300, 1, 0},
      {"vector", 0, GV_ARG_FLAG, &vector, NULL, "vector theory (L + T, shear fluctuations at fixed bulk modulus)", GV_NO_RANGE, 0, 0},
      {"cl", 0, GV_ARG_DOUBLE, &cl, "CL", "bare longitudinal velocity (vector; units with k_D = 1)", GV_NO_RANGE, 0, 0},
      {"ct", 0, GV_ARG_DOUBLE, &ct, "CT", "bare transverse velocity (vector)", GV_NO_RANGE, 0, 0},
      {"from-moduli", 0, GV_ARG_STRING, &moduli, "FILE.json", "take c_L, c_T from `glassvib moduli --json` output (vector)", GV_NO_RANGE, 0, 0},
      {"omega-max", 0, GV_ARG_DOUBLE, &wmax, "W", "largest frequency of the grid (default 1.5, vector 1.5 c_L)", GV_NO_RANGE, 0, 0},
      {"points", 0, GV_ARG_INT, &points, "N", "grid points from 0 to W (default 600)", 16, 1e7, 0, 0},
      GV_ARG_OUT(&out, "write the table omega, Sigma, g, g/w^2, widths, velocities (TSV)"),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"scba", "--gamma G [--vector --cl CL --ct CT] [--omega-max W --points N] [-o SCBA.tsv] [--json]",
                      "Self-energy Sigma(omega), DOS g(omega), boson peak, Brillouin width and Rayleigh\n"
                      "coefficient of heterogeneous elasticity theory in the self-consistent Born\n"
                      "approximation (scalar, or vector with --vector). Units: bare velocity 1 (scalar)\n"
                      "and Debye wavenumber k_D = 1; see docs/continuum.md.",
                      0, 0};
  int rc = gv_cli_parse(&spec, args, argc, argv, NULL, NULL);
  if (rc == 1) return 0;
  if (rc) return 2;
  int status = GV_OK;
  double *w = NULL;
  gv_scba_result *r = NULL;
  gv_outfile f = {0};
  if (!vector && (args[2].given || args[3].given || moduli))
    return gv_cli_fail("scba", GV_ERROR(GV_EINVAL, "--cl/--ct/--from-moduli need --vector"));
  if (vector) {
    if (moduli) {
      double mcl, mct;
      status = gv_theory_read_moduli_json(moduli, &mcl, &mct);
      if (status) return gv_cli_fail("scba", status);
      if (!args[2].given) cl = mcl;
      if (!args[3].given) ct = mct;
    }
    if (isnan(cl) || isnan(ct))
      return gv_cli_fail("scba", GV_ERROR(GV_EINVAL, "--vector needs --cl and --ct (or --from-moduli)"));
  }
  gv_scba_params p = {gamma, vector, cl, ct};
  if ((status = gv_scba_validate(&p))) return gv_cli_fail("scba", status);
  if (isnan(wmax)) wmax = vector ? 1.5 * cl : 1.5;
  if (!(wmax > 0))
    return gv_cli_fail("scba", GV_ERROR(GV_EINVAL, "--omega-max %g: the frequency range is empty", wmax));
  if (out && (status = gv_check_writable(out))) return gv_cli_fail("scba", status);
  w = malloc((size_t)points * sizeof *w);
  if (!w) return gv_cli_fail("scba", GV_ERROR(GV_ENOMEM, "out of memory"));
  for (long long i = 0; i < points; i++) w[i] = wmax * (double)i / (double)(points - 1);
  double t0 = gv_wall_time();
  GV_TRY(gv_scba_run(&p, w, (size_t)points, &r));
  double t1 = gv_wall_time();
  /* Numerical Rayleigh coefficient from the lowest non-zero grid point (check of the
   * analytic one; meaningful when that point is deep in the Rayleigh regime). */
  double rfit = r->gamma_L[1] / pow(w[1], 4);
  if (out) {
    GV_TRY(gv_outfile_open(&f, out));
    char comments[1024];
    snprintf(comments, sizeof comments,
             "HET-SCBA %s theory, gamma = %.10g\n"
             "units: k_D = 1, rho = 1, %s; Sigma in velocity^2 (scalar: relative to the bare modulus)\n"
             "sigma0 = %.12g, gamma_c = %.12g, omega_bp = %.10g, bp_height = %.10g, "
             "debye_level = %.10g, rayleigh_coeff_L = %.10g, rayleigh_coeff_T = %.10g, norm = %.8f\n"
             "Gamma_P = -omega Im X_P / Re X_P (X_T = c_T^2 - Sigma, X_L = c_L^2 - 4/3 Sigma; scalar X = 1 - Sigma); "
             "v_P = 1 / Re(1/sqrt(X_P))",
             vector ? "vector" : "scalar", gamma, vector ? "velocities c_L, c_T as given" : "bare velocity 1",
             r->sigma0, r->gamma_c, r->omega_bp, r->bp_height, r->debye_level, r->rayleigh_L,
             r->rayleigh_T, r->norm);
    if (vector) {
      size_t len = strlen(comments);
      snprintf(comments + len, sizeof comments - len, "\nc_L = %.10g, c_T = %.10g%s%s", cl, ct,
               moduli ? ", from " : "", moduli ? moduli : "");
    }
    const char *cols[] = {"omega", "Re_Sigma", "Im_Sigma", "g", "g_over_omega2",
                          "Gamma_L", "Gamma_T", "v_L", "v_T"};
    gv_tsv_header(f.fp, "glassvib scba: self-consistent Born approximation", comments, cols, 9);
    for (size_t i = 0; i < r->n; i++)
      fprintf(f.fp, "%.10g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\t%.12g\n", w[i],
              creal(r->sigma[i]), cimag(r->sigma[i]), r->g[i], r->g_red[i], r->gamma_L[i],
              r->gamma_T[i], r->v_L[i], r->v_T[i]);
    GV_TRY(gv_outfile_commit(&f));
  }
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_num(&j, "sigma0", r->sigma0);
    gv_json_num(&j, "gamma_c", r->gamma_c);
    gv_json_num(&j, "omega_bp", r->omega_bp);
    gv_json_num(&j, "bp_height", r->bp_height);
    gv_json_num(&j, "rayleigh_coeff", r->rayleigh_L); /* vector: longitudinal (IXS) */
    gv_json_num(&j, "rayleigh_coeff_L", r->rayleigh_L);
    gv_json_num(&j, "rayleigh_coeff_T", r->rayleigh_T);
    gv_json_num(&j, "rayleigh_coeff_grid", rfit);
    gv_json_num(&j, "debye_level", r->debye_level);
    gv_json_num(&j, "norm", r->norm);
    gv_json_num(&j, "gamma", gamma);
    gv_json_bool(&j, "vector", vector);
    if (vector) {
      gv_json_num(&j, "c_L", cl);
      gv_json_num(&j, "c_T", ct);
    }
    gv_json_num(&j, "omega_max", wmax);
    gv_json_int(&j, "points", points);
    gv_json_num(&j, "seconds", t1 - t0);
    gv_json_end(&j);
  } else {
    printf("HET-SCBA (%s), gamma = %g (gamma_c = %.6g)\n", vector ? "vector" : "scalar", gamma, r->gamma_c);
    printf("  Sigma(0)        = %.10g\n", r->sigma0);
    printf("  boson peak      : omega_bp = %.6g, g/omega^2 = %.6g (Debye level %.6g)\n", r->omega_bp,
           r->bp_height, r->debye_level);
    printf("  Rayleigh        : Gamma_L ~ %.6g omega^4, Gamma_T ~ %.6g omega^4\n", r->rayleigh_L, r->rayleigh_T);
    printf("  normalisation   : int g = %.6f over [0, %g]\n", r->norm, wmax);
    if (out) printf("  wrote %s\n", out);
  }
  free(w);
  gv_scba_result_destroy(&r);
  return 0;
cleanup:
  gv_outfile_abort(&f);
  free(w);
  gv_scba_result_destroy(&r);
  return gv_cli_fail("scba", status);
}
