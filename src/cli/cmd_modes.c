/* glassvib modes: the lowest K (ARPACK shift-invert on CHOLMOD) or all (LAPACK)
 * normal modes of an inherent state, with participation ratios, residuals and
 * the shear modulus / first plane-wave frequency used by `glassvib dos`. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"

int gv_cmd_modes(int argc, char **argv) {
  int status = GV_OK, json = 0, all = 0, vectors = 0, force = 0, quiet = 0, no_moduli = 0;
  long long lowest = 0, threads = 0, dim = 0, ncv = 0;
  double max_force = 1e-4, sigma = NAN, tol = 0, skin = 0.0;
  const char *out = NULL, *model = NULL;
  uint64_t seed = GV_DEFAULT_SEED;
  gv_arg args[] = {
      {"lowest", 0, GV_ARG_INT, &lowest, "K", "the K lowest non-trivial modes (ARPACK + CHOLMOD)", 1, 2e9, 0, 0},
      {"all", 0, GV_ARG_FLAG, &all, NULL, "all modes (dense LAPACK; N d <= ~20000)", GV_NO_RANGE, 0, 0},
      GV_ARG_OUT(&out, "write MODES.h5 (frequencies, participation, residuals[, vectors])"),
      {"vectors", 0, GV_ARG_FLAG, &vectors, NULL, "store the eigenvectors in MODES.h5", GV_NO_RANGE, 0, 0},
      {"force", 0, GV_ARG_FLAG, &force, NULL, "analyse a non-minimum or unstable glass anyway (flagged)", GV_NO_RANGE, 0, 0},
      {"max-force", 0, GV_ARG_DOUBLE, &max_force, "F", "inherent-state test: max force component (default 1e-4)", 0, 1e9, 0, 0},
      {"sigma", 0, GV_ARG_DOUBLE, &sigma, "S", "shift-invert shift <= 0 (default -1e-3 x mean diagonal)", -1e12, 0, 0, 0},
      {"ncv", 0, GV_ARG_INT, &ncv, "NCV", "Lanczos basis size (default max(2K+1, K+32))", 2, 1e6, 0, 0},
      {"tol", 0, GV_ARG_DOUBLE, &tol, "TOL", "ARPACK relative tolerance (default: machine precision)", 0, 1, 0, 0},
      {"no-moduli", 0, GV_ARG_FLAG, &no_moduli, NULL, "skip the shear modulus (c_T, phonon-band prediction)", GV_NO_RANGE, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_SEED(&seed),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"modes", "GLASS.h5 (--lowest K | --all) [-o MODES.h5] [--vectors] [--json]",
                      "Normal modes of an inherent state: omega = sqrt(eigenvalue of the Hessian) "
                      "(negative eigenvalues reported as negative omega and flagged), translations "
                      "excluded, participation ratio e = 1/(N sum_i |psi_i|^4), residuals "
                      "||M v - lambda v||. JSON keys: omega, participation, n_zero_modes, "
                      "max_residual, wall_s (and n_negative, c_T, G, omega_phonon).",
                      1, 1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  if (all == (lowest > 0)) {
    fprintf(stderr, "glassvib modes: give exactly one of --lowest K or --all\n");
    return 2;
  }
  gv_glass g;
  gv_glass_init(&g);
  gv_hessian *H = NULL;
  gv_linalg_factor *F = NULL;
  gv_modes m;
  memset(&m, 0, sizeof m);
  double t0 = gv_wall_time();
  if (out) GV_TRY(gv_check_writable(out));
  GV_TRY(gv_glass_read(pos[0], model, (int)dim, &g));
  GV_TRY(gv_analysis_check_inherent(&g, max_force, force));
  GV_TRY(gv_hessian_create(&H, &g.model, g.sys, skin));
  gv_eigopts o;
  gv_linalg_eigopts_default(&o);
  o.dim = g.sys->dim;
  o.sigma = sigma;
  o.tol = tol;
  o.ncv = (int)ncv;
  o.seed = seed;
  o.want_vectors = vectors;
  status = gv_modes_compute(H, g.sys, all ? 0 : (int)lowest, &o, &m, no_moduli ? NULL : &F);
  if (status < 0) goto cleanup;
  int not_converged = status == GV_NOT_CONVERGED;
  status = GV_OK;
  if (!no_moduli && m.n_negative == 0 && g.sys->dim >= 2) {
    gv_moduli mod;
    int st = gv_moduli_compute(H, g.sys, F, &mod);
    if (st < 0) {
      gv_log(GV_LOG_INFO, "warning: shear modulus not computed (%s)", gv_error_message());
      gv_error_clear();
    } else if (mod.G > 0) {
      m.G = mod.G;
      m.c_T = mod.c_T;
      m.omega_phonon = mod.c_T * m.q_min;
    }
  }
  m.wall_s = gv_wall_time() - t0;
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_array_num(&j, "omega", m.omega, (size_t)m.k);
    gv_json_array_num(&j, "participation", m.participation, (size_t)m.k);
    gv_json_int(&j, "n_zero_modes", m.n_zero_modes);
    gv_json_num(&j, "max_residual", m.max_residual);
    gv_json_num(&j, "wall_s", m.wall_s);
    gv_json_int(&j, "n_negative", m.n_negative);
    gv_json_int(&j, "n_translations", m.n_translations);
    gv_json_num(&j, "translation_residual", m.translation_residual);
    gv_json_str(&j, "method", m.method);
    gv_json_num(&j, "sigma", m.sigma);
    gv_json_num(&j, "factor_s", m.t_factor);
    gv_json_int(&j, "n_solves", m.n_op);
    gv_json_num(&j, "G", m.G);
    gv_json_num(&j, "c_T", m.c_T);
    gv_json_num(&j, "omega_phonon", m.omega_phonon);
    gv_json_bool(&j, "converged", !not_converged);
    gv_json_end(&j);
  } else if (m.k > 0) {
    printf("modes        %d (%s), %d zero modes (translations) excluded\n", m.k, m.method,
           m.n_zero_modes);
    printf("omega        %.6g .. %.6g   (lowest participation e = %.3g, N e = %.1f)\n", m.omega[0],
           m.omega[m.k - 1], m.participation[0], m.participation[0] * (double)g.sys->n);
    printf("residual     max ||Mv - lambda v|| = %.3g\n", m.max_residual);
    if (isfinite(m.omega_phonon)) printf("phonon band  predicted from c_T: omega ~ %.4g\n", m.omega_phonon);
    printf("wall time    %.2f s%s%s\n", m.wall_s, out ? ", written to " : "", out ? out : "");
  }
  if (m.n_negative > 0) {
    fprintf(stderr, "glassvib modes: the Hessian has %d negative eigenvalue(s) beyond the zero modes:", m.n_negative);
    for (int k = 0; k < m.k && k < 10; k++)
      if (m.lambda[k] < -m.zero_tol) fprintf(stderr, " omega = %.6g", m.omega[k]);
    fprintf(stderr, "%s\n", force ? " (written, flagged: --force)" : " (not an inherent state; --force to keep)");
    if (!force) {
      status = GV_EUNSTABLE;
      gv_error_set(status, __FILE__, __LINE__, "unstable Hessian: %d negative mode(s)", m.n_negative);
      goto done;
    }
  }
  if (out) GV_TRY(gv_modes_write(out, &m, &g, vectors));
  if (not_converged) {
    status = GV_NOT_CONVERGED;
    gv_error_set(status, __FILE__, __LINE__, "ARPACK converged %d of %lld modes", m.k, lowest);
  }
cleanup:
  if (status < 0 || status == GV_NOT_CONVERGED) rc = gv_cli_fail("modes", status);
  else rc = 0;
  goto end;
done:
  rc = 1;
end:
  gv_linalg_factor_destroy(&F);
  gv_modes_free(&m);
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
  return rc;
}
