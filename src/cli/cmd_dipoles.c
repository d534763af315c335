/* glassvib dipoles: force-dipole responses z = M^+ d of the pairs of one glass
 * or an ensemble, their stiffnesses kappa = (d.z)/(z.z) and statistics
 * (seed 003; docs/qlm.md). One sparse factorisation per glass, many solves.
 * Several glasses (or a directory): one sample per glass through the ensemble
 * engine (MPI ranks, resumable run directory KAPPA.tsv.parts), rows pooled in
 * input order (docs/cluster.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/ensemble_models.h"
#include "glassvib/glassvib.h"
#include "glassvib/qlm.h"
#include "glassvib/spectrum.h"

typedef struct {
  long pair;
  double kappa;
} soft;

static int cmp_soft(const void *x, const void *y) {
  const soft *a = x, *b = y;
  if (a->kappa != b->kappa) return (a->kappa > b->kappa) - (a->kappa < b->kappa);
  return (a->pair > b->pair) - (a->pair < b->pair); /* ties: a fixed order */
}

/* --fields: the K softest responses of the first glass as unit displacement
 * fields (its factorisation is redone here, on the root, after the merge). */
static int write_fields(const char *glass, const gv_ensemble_dipoles_params *p, const gv_ensemble_dipole_rows *t,
                        long nsave, const char *fields, gv_h5 **h5) {
  int status = GV_OK;
  gv_glass g;
  gv_glass_init(&g);
  gv_pairset *ps = NULL;
  gv_qlm_solver *S = NULL;
  gv_dipole_result *r2 = NULL;
  soft *sv = NULL;
  long *keep = NULL, n0 = 0;
  double *zk = NULL, *kk = NULL;
  int *pp = NULL;
  for (long q = 0; q < t->n && t->sample[q] == 0; q++) n0++;
  long K = nsave < n0 ? nsave : n0;
  if (K < 1) return GV_ERROR(GV_EINVAL, "--fields: the first glass has no selected pair");
  GV_ALLOC(sv, n0);
  for (long q = 0; q < n0; q++) sv[q].pair = t->pair[q], sv[q].kappa = t->kappa[q];
  qsort(sv, (size_t)n0, sizeof *sv, cmp_soft);
  GV_ALLOC(keep, K);
  for (long q = 0; q < K; q++) keep[q] = sv[q].pair;
  GV_TRY(gv_glass_read(glass, p->model, p->dim, &g));
  GV_TRY(gv_pairset_create_model(&ps, &g.model, g.sys, 0.0));
  GV_TRY(gv_qlm_sparse_solver_create(&S, ps));
  const long nd = ps->n * ps->dim;
  GV_ALLOC(zk, (size_t)nd * K);
  GV_ALLOC(kk, K);
  GV_ALLOC(pp, 2 * K);
  GV_TRY(gv_dipole_responses(ps, S, keep, K, 0, keep, K, zk, &r2));
  for (long q = 0; q < K; q++) {
    double nz = 0;
    for (long c = 0; c < nd; c++) nz += zk[q * nd + c] * zk[q * nd + c];
    nz = sqrt(nz);
    for (long c = 0; c < nd; c++) zk[q * nd + c] /= nz;
    kk[q] = r2->kappa[q];
    pp[2 * q] = (int)ps->pi[keep[q]];
    pp[2 * q + 1] = (int)ps->pj[keep[q]];
  }
  size_t dv[2] = {(size_t)K, (size_t)nd}, dk[1] = {(size_t)K}, dp[2] = {(size_t)K, 2};
  GV_TRY(gv_h5_create(h5, fields)); /* committed by the caller after the other outputs */
  GV_TRY(gv_h5_write_doubles(*h5, "/responses/vectors", zk, 2, dv));
  GV_TRY(gv_h5_write_doubles(*h5, "/responses/kappa", kk, 1, dk));
  GV_TRY(gv_h5_write_ints(*h5, "/responses/pairs", pp, 2, dp));
  GV_TRY(gv_h5_set_string(*h5, "/responses", "glass", glass));
  GV_TRY(gv_h5_set_int(*h5, "/responses", "dim", ps->dim));
  GV_TRY(gv_h5_set_double(*h5, "/responses", "max_force", p->max_force));
  GV_TRY(gv_h5_write_provenance(*h5, "dipole-responses", p->seed));
cleanup:
  free(sv);
  free(keep);
  free(zk);
  free(kk);
  free(pp);
  gv_dipole_result_destroy(&r2);
  gv_qlm_solver_destroy(&S);
  gv_pairset_destroy(&ps);
  gv_glass_free(&g);
  return status;
}

int gv_cmd_dipoles(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0, force = 0, check = 0;
  long long threads = 0, dim = 0, nsave = 0, nbins = 30;
  double max_force = 1e-3, state_tol = 1e-4, fit_lo = 0, fit_hi = 0;
  uint64_t seed = GV_DEFAULT_SEED;
  const char *model = NULL, *out = NULL, *pairs = "all", *hist = NULL, *fields = NULL;
  gv_arg args[] = {
      {"max-force", 0, GV_ARG_DOUBLE, &max_force, "F", "keep pairs with |f_ij| < F (default 1e-3, seed 003; <= 0: all pairs)", -1, 1e9, 0, 0},
      {"pairs", 0, GV_ARG_STRING, &pairs, "all|N", "all eligible pairs (default) or a random subset of N per glass", GV_NO_RANGE, 0, 0},
      GV_ARG_OUT(&out, "per-pair table KAPPA.tsv (sample, i, j, r, f, kappa, a, b); several glasses: run directory KAPPA.tsv.parts while running"),
      {"hist", 0, GV_ARG_STRING, &hist, "FILE", "p(kappa) in logarithmic bins (TSV)", GV_NO_RANGE, 0, 0},
      {"bins", 0, GV_ARG_INT, &nbins, "NB", "bins of the p(kappa) histogram (default 30)", 2, 10000, 0, 0},
      {"fit-lo", 0, GV_ARG_DOUBLE, &fit_lo, "K", "lower end of the eta fit window (default: kappa_min)", 0, 1e300, 0, 0},
      {"fit-hi", 0, GV_ARG_DOUBLE, &fit_hi, "K", "upper end of the eta fit window (default: 20% quantile)", 0, 1e300, 0, 0},
      {"fields", 0, GV_ARG_STRING, &fields, "FILE.h5", "write the softest --save responses of the first glass as displacement fields", GV_NO_RANGE, 0, 0},
      {"save", 0, GV_ARG_INT, &nsave, "K", "number of responses for --fields (default 0)", 0, 1e6, 0, 0},
      {"check-residual", 0, GV_ARG_FLAG, &check, NULL, "compute |M z - d|/|d| for every response", GV_NO_RANGE, 0, 0},
      {"force", 0, GV_ARG_FLAG, &force, NULL, "analyse a glass that is not at a force minimum", GV_NO_RANGE, 0, 0},
      {"state-tol", 0, GV_ARG_DOUBLE, &state_tol, "F", "inherent-state test: max force component (default 1e-4)", 0, 1e9, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_SEED(&seed),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"dipoles", "GLASS.h5 [GLASS2.h5 ... | DIR] [--max-force F] [--pairs all|N] [-o KAPPA.tsv] [--json]",
                      "Force-dipole responses (Rainone, Bouchbinder, Lerner 2020, seed 003): for each "
                      "selected pair d = d phi_ij/dx, z = M^+ d (one CHOLMOD factorisation per glass, "
                      "many solves, translations gauged out), kappa = (d.M^+.d)/(d.M^+2.d). Several "
                      "glasses (or a directory) are pooled in input order, one glass per sample over MPI "
                      "ranks (mpirun), resumable. p(kappa) ~ kappa^eta is fitted by maximum likelihood in the "
                      "stated window. Units: kappa in eps/lambda^2. JSON keys: n_pairs, kappa_mean, "
                      "kappa_median, kappa_min, eta, wall_s (and eta_err, eta_ls, fit_lo, fit_hi, n_fit, "
                      "kappa_max, n_samples, max_residual; several glasses: computed, resumed, "
                      "n_pairs_per_sample, kappa_min_per_sample, kappa_min_mean, kappa_min_err).",
                      1, -1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  long nrand = 0;
  double *kap = NULL, max_resid = 0;
  gv_outfile fo = {0}, fh = {0};
  gv_h5 *h5 = NULL;
  gv_spectrum_hist *H = NULL;
  gv_ensemble_dipole_rows rows;
  memset(&rows, 0, sizeof rows);
  char **glasses = NULL;
  long nglass = 0;
  double *kmin = NULL;
  long *npk = NULL;
  gv_ensemble_stats est;
  memset(&est, 0, sizeof est);
  if (strcmp(pairs, "all") != 0) {
    char *end;
    double v = strtod(pairs, &end);
    if (*end || !(v >= 1) || v != floor(v)) {
      fprintf(stderr, "glassvib dipoles: --pairs expects 'all' or a positive integer, got '%s'\n", pairs);
      return 2;
    }
    nrand = (long)v;
  }
  if (fields && nsave < 1) {
    fprintf(stderr, "glassvib dipoles: --fields needs --save K with K >= 1\n");
    return 2;
  }
  if (gv_ensemble_comm_init() != GV_OK) return gv_cli_fail("dipoles", GV_EIO);
  if (!gv_ensemble_is_root()) quiet = 1, gv_log_set_level(GV_LOG_QUIET); /* MPI ranks > 0: rank 0 reports */
  gv_ensemble_dipoles_params p = {max_force, nrand, seed, check, state_tol, force, model, (int)dim};
  /* fail early on unwritable outputs (nothing is created yet) */
  if (out) GV_TRY(gv_check_writable(out));
  if (hist) GV_TRY(gv_check_writable(hist));
  if (fields) GV_TRY(gv_check_writable(fields));
  double t0 = gv_wall_time();
  struct stat sb;
  int single = npos == 1 && !(stat(pos[0], &sb) == 0 && S_ISDIR(sb.st_mode));
  if (single) {
    /* one glass: rank 0 alone (under mpirun the other ranks have nothing to do) */
    if (!gv_ensemble_is_root()) goto cleanup;
    GV_TRY(gv_ensemble_file_list(pos, 1, 1, NULL, &glasses, &nglass));
    GV_TRY(gv_ensemble_dipoles_glass(glasses[0], &p, 0, &rows));
    est.computed = 1;
  } else {
    GV_TRY(gv_ensemble_file_list(pos, npos, 1, "glass", &glasses, &nglass));
    status = gv_ensemble_dipoles_run(&p, (const char *const *)glasses, nglass, out, &rows, quiet ? NULL : "dipoles",
                                     &est);
    if (status < 0 || !gv_ensemble_is_root()) goto cleanup;
    if (status == GV_ENSEMBLE_PENDING) {
      fprintf(stderr, "glassvib dipoles: %ld glasses are still being analysed by other processes; the last one to "
              "finish writes the outputs\n", est.pending);
      status = GV_OK;
      goto cleanup;
    }
  }
  double wall = gv_wall_time() - t0;
  const long nrows = rows.n;
  GV_ALLOC(kap, nrows);
  GV_ALLOC(kmin, nglass);
  GV_ALLOC(npk, nglass);
  for (long k = 0; k < nglass; k++) kmin[k] = INFINITY;
  for (long q = 0; q < nrows; q++) {
    kap[q] = rows.kappa[q];
    long k = rows.sample[q];
    npk[k]++;
    if (rows.kappa[q] < kmin[k]) kmin[k] = rows.kappa[q];
    if (check && rows.resid[q] > max_resid) max_resid = rows.resid[q];
  }
  /* per-glass minimum: its mean and standard error over the glasses that have pairs */
  double km_mean = 0, km_var = 0;
  long km_n = 0;
  for (long k = 0; k < nglass; k++)
    if (npk[k] > 0) km_mean += kmin[k], km_n++;
  km_mean = km_n ? km_mean / (double)km_n : NAN;
  for (long k = 0; k < nglass; k++)
    if (npk[k] > 0) km_var += (kmin[k] - km_mean) * (kmin[k] - km_mean);
  double km_err = km_n > 1 ? sqrt(km_var / (double)(km_n - 1) / (double)km_n) : NAN;
  gv_dipole_stats st;
  GV_TRY(gv_dipole_statistics(kap, nrows, fit_lo, fit_hi, &st));
  char cm[512];
  snprintf(cm, sizeof cm,
           "glasses: %ld, pairs: %ld, max_force: %g, pairs per glass: %s, seed: %llu\n"
           "kappa_mean %.10g kappa_median %.10g kappa_min %.10g eta %.6g +- %.3g (MLE) in [%.6g, %.6g] (%ld values)",
           nglass, nrows, max_force, pairs, (unsigned long long)seed, st.mean, st.median, st.min, st.eta,
           st.eta_err, st.fit_lo, st.fit_hi, st.n_fit);
  if (out) {
    GV_TRY(gv_outfile_open(&fo, out));
    const char *cols[] = {"sample", "i", "j", "r[lambda]", "f[eps/lambda]", "kappa[eps/lambda^2]",
                          "a=d.M+.d[eps]", "b=d.M+2.d[lambda^2]", "n_x", "n_y", "n_z", "n_w"};
    int dimo = rows.dim;
    gv_tsv_header(fo.fp, "glassvib dipoles: force-dipole stiffnesses (n = (x_i - x_j)/r, minimum image)", cm,
                  cols, 8 + dimo);
    for (long q = 0; q < nrows; q++) {
      fprintf(fo.fp, "%ld\t%ld\t%ld\t%.10g\t%.6e\t%.10g\t%.10g\t%.10g", rows.sample[q], rows.i[q], rows.j[q],
              rows.r[q], rows.f[q], rows.kappa[q], rows.a[q], rows.b[q]);
      for (int a = 0; a < dimo; a++) fprintf(fo.fp, "\t%.12g", rows.nvec[q * GV_MAX_DIM + a]);
      fprintf(fo.fp, "\n");
    }
  }
  if (hist) {
    double lo = st.min * 0.999, hi = st.max * 1.001;
    GV_TRY(gv_spectrum_hist_create(&H, kap, (size_t)nrows, lo, hi > lo ? hi : lo * 2, (size_t)nbins, 1, 0));
    GV_TRY(gv_outfile_open(&fh, hist));
    const char *cols[] = {"kappa[eps/lambda^2]", "p(kappa)", "err", "count"};
    gv_tsv_header(fh.fp, "glassvib dipoles: p(kappa) in logarithmic bins", cm, cols, 4);
    for (size_t b = 0; b < H->nbins; b++)
      fprintf(fh.fp, "%.8g\t%.8g\t%.4g\t%lld\n", H->centre[b], H->density[b], H->error[b], H->counts[b]);
  }
  if (fields) GV_TRY(write_fields(glasses[0], &p, &rows, (long)nsave, fields, &h5));
  if (out) GV_TRY(gv_outfile_commit(&fo));
  if (hist) GV_TRY(gv_outfile_commit(&fh));
  if (h5) GV_TRY(gv_h5_close(&h5, 1));
  if (!single) gv_ensemble_dipoles_finish(&p, (const char *const *)glasses, nglass, out); /* outputs committed */
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_int(&j, "n_pairs", nrows);
    gv_json_num(&j, "kappa_mean", st.mean);
    gv_json_num(&j, "kappa_median", st.median);
    gv_json_num(&j, "kappa_min", st.min);
    gv_json_num(&j, "eta", st.eta);
    gv_json_num(&j, "wall_s", wall);
    gv_json_num(&j, "eta_err", st.eta_err);
    gv_json_num(&j, "eta_ls", st.eta_ls);
    gv_json_num(&j, "fit_lo", st.fit_lo);
    gv_json_num(&j, "fit_hi", st.fit_hi);
    gv_json_int(&j, "n_fit", st.n_fit);
    gv_json_num(&j, "kappa_max", st.max);
    gv_json_int(&j, "n_samples", nglass);
    if (check) gv_json_num(&j, "max_residual", max_resid);
    if (!single) {
      gv_json_int(&j, "computed", est.computed);
      gv_json_int(&j, "resumed", est.resumed);
      gv_json_array_begin(&j, "n_pairs_per_sample");
      for (long k = 0; k < nglass; k++) gv_json_int(&j, NULL, npk[k]);
      gv_json_array_end(&j);
      gv_json_array_begin(&j, "kappa_min_per_sample");
      for (long k = 0; k < nglass; k++) gv_json_num(&j, NULL, npk[k] ? kmin[k] : NAN);
      gv_json_array_end(&j);
      gv_json_num(&j, "kappa_min_mean", km_mean);
      gv_json_num(&j, "kappa_min_err", km_err);
    }
    gv_json_end(&j);
  } else {
    printf("# glassvib dipoles: %ld pairs from %ld glass(es) (|f| < %g), %.3f s\n", nrows, nglass, max_force, wall);
    if (!single) printf("glasses      %ld analysed, %ld resumed\n", est.computed, est.resumed);
    printf("kappa_mean   %.10g\nkappa_median %.10g\nkappa_min    %.10g\nkappa_max    %.10g\n", st.mean,
           st.median, st.min, st.max);
    if (!single) printf("kappa_min per glass: mean %.6g +- %.2g (%ld glasses)\n", km_mean, km_err, km_n);
    printf("eta          %.4f +- %.4f (MLE; LS %.4f) in [%.6g, %.6g], %ld values\n", st.eta, st.eta_err,
           st.eta_ls, st.fit_lo, st.fit_hi, st.n_fit);
    if (check) printf("max |Mz-d|/|d| %.3g\n", max_resid);
  }
cleanup:
  gv_outfile_abort(&fo);
  gv_outfile_abort(&fh);
  if (h5) gv_h5_close(&h5, 0);
  gv_spectrum_hist_destroy(&H);
  free(kap);
  free(kmin);
  free(npk);
  gv_ensemble_dipole_rows_free(&rows);
  gv_ensemble_file_list_free(&glasses, nglass);
  return status < 0 ? gv_cli_fail("dipoles", status) : 0;
}
