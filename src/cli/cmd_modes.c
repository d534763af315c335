/* glassvib modes: the lowest K (block Lanczos shift-invert on one CHOLMOD factor) or all (LAPACK)
 * normal modes of an inherent state, with participation ratios, residuals and
 * the shear modulus / first plane-wave frequency used by `glassvib dos`.
 * Several glasses (or a directory of them): one sample per glass through the
 * ensemble engine (MPI ranks, resumable run directory OUT.parts), mode files
 * OUT_000.h5 ... in input order (docs/cluster.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/ensemble_models.h"
#include "glassvib/glassvib.h"

/* Several glasses: the ensemble engine; per-glass summary lines or one JSON object. */
static int modes_ensemble(const gv_ensemble_modes_params *p, char **glasses, long M, const char *out, int json,
                          int quiet, double t0) {
  int status = GV_OK;
  gv_ensemble_modes_item *it = calloc((size_t)M, sizeof *it);
  if (!it) return GV_ERROR(GV_ENOMEM, "out of memory");
  gv_ensemble_stats st;
  status = gv_ensemble_modes_run(p, (const char *const *)glasses, M, out, it, quiet ? NULL : "modes", &st);
  if (status < 0 || !gv_ensemble_is_root()) goto done;
  if (status == GV_ENSEMBLE_PENDING) {
    fprintf(stderr, "glassvib modes: %ld glasses are still being analysed by other processes; the last one to "
            "finish reports\n", st.pending);
    status = GV_OK;
    goto done;
  }
  const int not_converged = status == GV_NOT_CONVERGED;
  long nconv = 0, nzero = 0, nneg = 0, ntot = 0;
  double maxres = 0;
  for (long k = 0; k < M; k++) {
    nconv += it[k].converged != 0;
    nzero += it[k].n_zero_modes;
    nneg += it[k].n_negative;
    ntot += it[k].k;
    if (it[k].max_residual > maxres) maxres = it[k].max_residual;
  }
  double wall = gv_wall_time() - t0;
  char path[4096];
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    /* issue-3 keys, ensemble-level: modes of all glasses in input order, totals, worst residual */
    gv_json_array_begin(&j, "omega");
    for (long k = 0; k < M; k++)
      for (int q = 0; q < it[k].k; q++) gv_json_num(&j, NULL, it[k].omega[q]);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "participation");
    for (long k = 0; k < M; k++)
      for (int q = 0; q < it[k].k; q++) gv_json_num(&j, NULL, it[k].participation[q]);
    gv_json_array_end(&j);
    gv_json_int(&j, "n_zero_modes", nzero);
    gv_json_num(&j, "max_residual", maxres);
    gv_json_num(&j, "wall_s", wall);
    gv_json_int(&j, "n_samples", M);
    gv_json_int(&j, "computed", st.computed);
    gv_json_int(&j, "resumed", st.resumed);
    gv_json_int(&j, "n_modes", ntot);
    gv_json_int(&j, "n_negative", nneg);
    gv_json_bool(&j, "converged", nconv == M);
    gv_json_array_begin(&j, "glasses");
    for (long k = 0; k < M; k++) gv_json_str(&j, NULL, glasses[k]);
    gv_json_array_end(&j);
    if (out) {
      gv_json_array_begin(&j, "outputs");
      for (long k = 0; k < M; k++) {
        gv_ensemble_member_path(out, k, M, path, sizeof path);
        gv_json_str(&j, NULL, path);
      }
      gv_json_array_end(&j);
    }
    gv_json_array_begin(&j, "modes_per_sample");
    for (long k = 0; k < M; k++) gv_json_int(&j, NULL, it[k].k);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "omega_min");
    for (long k = 0; k < M; k++) gv_json_num(&j, NULL, it[k].k > 0 ? it[k].omega[0] : NAN);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "G");
    for (long k = 0; k < M; k++) gv_json_num(&j, NULL, it[k].G);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "c_T");
    for (long k = 0; k < M; k++) gv_json_num(&j, NULL, it[k].c_T);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "omega_phonon");
    for (long k = 0; k < M; k++) gv_json_num(&j, NULL, it[k].omega_phonon);
    gv_json_array_end(&j);
    gv_json_end(&j);
  } else {
    for (long k = 0; k < M; k++) {
      if (out) gv_ensemble_member_path(out, k, M, path, sizeof path);
      printf("%s%s%s  %d modes, omega %.6g .. %.6g, lowest e = %.3g, max residual %.2e%s\n", glasses[k],
             out ? " -> " : "", out ? path : "", it[k].k, it[k].k ? it[k].omega[0] : NAN,
             it[k].k ? it[k].omega[it[k].k - 1] : NAN, it[k].k ? it[k].participation[0] : NAN, it[k].max_residual,
             it[k].converged ? "" : " (NOT converged)");
    }
    printf("%ld glasses (%ld analysed, %ld resumed), %ld modes, max residual %.3g, wall %.2f s\n", M, st.computed,
           st.resumed, ntot, maxres, wall);
  }
  if (not_converged) {
    status = GV_ERROR(GV_NOT_CONVERGED, "ARPACK did not converge every mode of %ld of %ld glasses (written, "
                      "flagged)", M - nconv, M);
    goto done;
  }
  status = GV_OK;
  gv_ensemble_modes_finish(p, (const char *const *)glasses, M, out); /* mode files committed: drop OUT.parts */
done:
  gv_ensemble_modes_items_free(it, M);
  free(it);
  return status;
}

int gv_cmd_modes(int argc, char **argv) {
  int status = GV_OK, json = 0, all = 0, vectors = 0, force = 0, quiet = 0, no_moduli = 0;
  long long lowest = 0, threads = 0, dim = 0, ncv = 0;
  double max_force = 1e-4, sigma = NAN, tol = 0;
  const char *out = NULL, *model = NULL, *solver = "auto";
  long long block = 0;
  uint64_t seed = GV_DEFAULT_SEED;
  gv_arg args[] = {
      {"lowest", 0, GV_ARG_INT, &lowest, "K", "the K lowest non-trivial modes (shift-invert on one CHOLMOD factorisation)", 1, 2e9, 0, 0},
      {"all", 0, GV_ARG_FLAG, &all, NULL, "all modes (dense LAPACK; N d <= ~20000)", GV_NO_RANGE, 0, 0},
      GV_ARG_OUT(&out, "write MODES.h5 (frequencies, participation, residuals[, vectors]); several glasses: MODES_000.h5 ... in input order, run directory MODES.h5.parts while running"),
      {"vectors", 0, GV_ARG_FLAG, &vectors, NULL, "store the eigenvectors in MODES.h5", GV_NO_RANGE, 0, 0},
      {"force", 0, GV_ARG_FLAG, &force, NULL, "analyse a non-minimum or unstable glass anyway (flagged)", GV_NO_RANGE, 0, 0},
      {"max-force", 0, GV_ARG_DOUBLE, &max_force, "F", "inherent-state test: max force component (default 1e-4)", 0, 1e9, 0, 0},
      {"sigma", 0, GV_ARG_DOUBLE, &sigma, "S", "shift-invert shift <= 0 (default -1e-5 x mean diagonal)", -1e12, 0, 0, 0},
      {"ncv", 0, GV_ARG_INT, &ncv, "NCV", "Lanczos basis size (default: block max(4K, K + 6 blocks), arpack max(2K+1, K+32))", 2, 1e6, 0, 0},
      {"tol", 0, GV_ARG_DOUBLE, &tol, "TOL", "relative tolerance of the Ritz pairs (default: ARPACK machine precision, block 1e-11)", 0, 1, 0, 0},
      {"solver", 0, GV_ARG_STRING, &solver, "S", "lowest-K solver: auto (default, = block), block (block Lanczos), arpack", GV_NO_RANGE, 0, 0},
      {"block", 0, GV_ARG_INT, &block, "B", "block solver: right-hand sides per solve (default 24)", 1, 4096, 0, 0},
      {"no-moduli", 0, GV_ARG_FLAG, &no_moduli, NULL, "skip the shear modulus (c_T, phonon-band prediction)", GV_NO_RANGE, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_SEED(&seed),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"modes", "GLASS.h5 [GLASS2.h5 ... | DIR] (--lowest K | --all) [-o MODES.h5] [--vectors] [--json]",
                      "Normal modes of an inherent state: omega = sqrt(eigenvalue of the Hessian) "
                      "(negative eigenvalues reported as negative omega and flagged), translations "
                      "excluded, participation ratio e = 1/(N sum_i |psi_i|^4), residuals "
                      "||M v - lambda v||. Several glasses or a directory: one glass per sample over "
                      "MPI ranks (mpirun), resumable; -o M.h5 writes M_000.h5 ... in input order. "
                      "JSON keys: omega, participation, n_zero_modes, max_residual, wall_s (and "
                      "n_negative, c_T, G, omega_phonon; several glasses: all glasses' modes in input "
                      "order, total n_zero_modes, worst max_residual, per-glass arrays).",
                      1, -1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  if (all == (lowest > 0)) {
    fprintf(stderr, "glassvib modes: give exactly one of --lowest K or --all\n");
    return 2;
  }
  int solver_id = 0;
  if (gv_linalg_eig_solver_parse(solver, &solver_id) != GV_OK) {
    fprintf(stderr, "glassvib modes: --solver %s: expected auto, block or arpack\n", solver);
    return 2;
  }
  if (gv_ensemble_comm_init() != GV_OK) return gv_cli_fail("modes", GV_EIO);
  if (!gv_ensemble_is_root()) quiet = 1, gv_log_set_level(GV_LOG_QUIET); /* MPI ranks > 0: rank 0 reports */
  gv_ensemble_modes_params p;
  memset(&p, 0, sizeof p);
  p.lowest = all ? 0 : (int)lowest;
  gv_linalg_eigopts_default(&p.eig);
  p.eig.sigma = sigma;
  p.eig.tol = tol;
  p.eig.ncv = (int)ncv;
  p.eig.seed = seed;
  p.eig.solver = solver_id;
  p.eig.block = (int)block;
  p.vectors = vectors;
  p.max_force = max_force;
  p.force = force;
  p.no_moduli = no_moduli;
  p.model = model;
  p.dim = (int)dim;
  gv_glass g;
  gv_glass_init(&g);
  gv_modes m;
  memset(&m, 0, sizeof m);
  char **glasses = NULL;
  long nglass = 0;
  double t0 = gv_wall_time();
  if (out) GV_TRY(gv_check_writable(out));
  {
    struct stat sb;
    int single = npos == 1 && !(stat(pos[0], &sb) == 0 && S_ISDIR(sb.st_mode));
    if (!single) {
      GV_TRY(gv_ensemble_file_list(pos, npos, 1, "glass", &glasses, &nglass));
      status = modes_ensemble(&p, glasses, nglass, out, json, quiet, t0);
      goto cleanup;
    }
  }
  /* one glass: computed by rank 0 alone (under mpirun the other ranks have nothing to do) */
  if (!gv_ensemble_is_root()) goto cleanup;
  status = gv_ensemble_modes_glass(pos[0], &p, &m, &g);
  if (status < 0 && !(status == GV_EUNSTABLE && m.k > 0)) goto cleanup;
  int not_converged = status == GV_NOT_CONVERGED;
  status = GV_OK;
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
  gv_ensemble_file_list_free(&glasses, nglass);
  gv_modes_free(&m);
  gv_glass_free(&g);
  return rc;
}
