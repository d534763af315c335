/* glassvib dipoles: force-dipole responses z = M^+ d of the pairs of one glass
 * or an ensemble, their stiffnesses kappa = (d.z)/(z.z) and statistics
 * (seed 003; docs/qlm.md). One sparse factorisation per glass, many solves. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"
#include "glassvib/qlm.h"
#include "glassvib/spectrum.h"

typedef struct {
  long sample, i, j;
  double r, f, kappa, a, b, n[GV_MAX_DIM];
} row;

static int cmp_kappa(const void *x, const void *y) {
  double a = ((const row *)x)->kappa, b = ((const row *)y)->kappa;
  return (a > b) - (a < b);
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
      GV_ARG_OUT(&out, "per-pair table KAPPA.tsv (sample, i, j, r, f, kappa, a, b)"),
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
  gv_cmd_spec spec = {"dipoles", "GLASS.h5 [GLASS2.h5 ...] [--max-force F] [--pairs all|N] [-o KAPPA.tsv] [--json]",
                      "Force-dipole responses (Rainone, Bouchbinder, Lerner 2020, seed 003): for each "
                      "selected pair d = d phi_ij/dx, z = M^+ d (one CHOLMOD factorisation per glass, "
                      "many solves, translations gauged out), kappa = (d.M^+.d)/(d.M^+2.d). Several "
                      "glasses are pooled. p(kappa) ~ kappa^eta is fitted by maximum likelihood in the "
                      "stated window. Units: kappa in eps/lambda^2. JSON keys: n_pairs, kappa_mean, "
                      "kappa_median, kappa_min, eta, wall_s (and eta_err, eta_ls, fit_lo, fit_hi, n_fit, "
                      "kappa_max, n_samples, max_residual).",
                      1, -1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  long nrand = 0;
  row *rows = NULL;
  long nrows = 0, cap = 0;
  double *kap = NULL, max_resid = 0;
  gv_glass g;
  gv_glass_init(&g);
  gv_pairset *ps = NULL;
  gv_qlm_solver *S = NULL;
  gv_dipole_result *res = NULL;
  long *sel = NULL;
  gv_outfile fo = {0}, fh = {0};
  gv_h5 *h5 = NULL;
  double *zk = NULL;
  long *keep = NULL;
  gv_spectrum_hist *H = NULL;
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
  /* fail early on unwritable outputs (nothing is created yet) */
  if (out) GV_TRY(gv_check_writable(out));
  if (hist) GV_TRY(gv_check_writable(hist));
  if (fields) GV_TRY(gv_check_writable(fields));
  double t0 = gv_wall_time();
  for (int gi = 0; gi < npos; gi++) {
    gv_glass_free(&g);
    gv_glass_init(&g);
    GV_TRY(gv_glass_read(pos[gi], model, (int)dim, &g));
    GV_TRY(gv_analysis_check_inherent(&g, state_tol, force));
    gv_pairset_destroy(&ps);
    GV_TRY(gv_pairset_create_model(&ps, &g.model, g.sys, 0.0));
    gv_qlm_solver_destroy(&S);
    status = gv_qlm_sparse_solver_create(&S, ps);
    if (status < 0) {
      gv_error_context(status, "%s", pos[gi]);
      goto cleanup;
    }
    free(sel);
    sel = NULL;
    long nsel = 0;
    GV_TRY(gv_dipole_select(ps, max_force, nrand, seed + (uint64_t)gi, &sel, &nsel));
    gv_dipole_result_destroy(&res);
    GV_TRY(gv_dipole_responses(ps, S, sel, nsel, check, NULL, 0, NULL, &res));
    if (nrows + nsel > cap) {
      cap = 2 * (nrows + nsel);
      row *nr = realloc(rows, sizeof(row) * cap);
      if (!nr) {
        status = GV_ERROR(GV_ENOMEM, "out of memory");
        goto cleanup;
      }
      rows = nr;
    }
    for (long q = 0; q < nsel; q++) {
      long p = res->pair[q];
      row *w = rows + nrows++;
      w->sample = gi;
      w->i = ps->pi[p];
      w->j = ps->pj[p];
      double r2 = 0;
      for (int a = 0; a < ps->dim; a++) r2 += ps->r[p * ps->dim + a] * ps->r[p * ps->dim + a];
      w->r = sqrt(r2);
      for (int a = 0; a < GV_MAX_DIM; a++) w->n[a] = a < ps->dim ? ps->r[p * ps->dim + a] / w->r : 0;
      w->f = res->force[q];
      w->kappa = res->kappa[q];
      w->a = res->a[q];
      w->b = res->b[q];
      if (check && res->resid[q] > max_resid) max_resid = res->resid[q];
    }
    /* responses as displacement fields: the softest of the first glass */
    if (fields && gi == 0) {
      long K = nsave < nsel ? (long)nsave : nsel;
      row *tmp = malloc(sizeof(row) * nsel);
      long *pidx = malloc(sizeof(long) * nsel);
      if (!tmp || !pidx) {
        free(tmp);
        free(pidx);
        status = GV_ERROR(GV_ENOMEM, "out of memory");
        goto cleanup;
      }
      memcpy(tmp, rows, sizeof(row) * nsel);
      for (long q = 0; q < nsel; q++) {
        tmp[q].sample = res->pair[q]; /* carry the pair index */
      }
      qsort(tmp, (size_t)nsel, sizeof(row), cmp_kappa);
      for (long q = 0; q < K; q++) pidx[q] = tmp[q].sample;
      free(tmp);
      long nd = ps->n * ps->dim;
      zk = malloc(sizeof(double) * nd * K);
      keep = pidx;
      gv_dipole_result *r2 = NULL;
      if (!zk) {
        status = GV_ERROR(GV_ENOMEM, "out of memory");
        goto cleanup;
      }
      GV_TRY(gv_dipole_responses(ps, S, keep, K, 0, keep, K, zk, &r2));
      double *kk = malloc(sizeof(double) * K);
      int *pp = malloc(sizeof(int) * 2 * K);
      for (long q = 0; q < K; q++) {
        double nz = 0;
        for (long t = 0; t < nd; t++) nz += zk[q * nd + t] * zk[q * nd + t];
        nz = sqrt(nz);
        for (long t = 0; t < nd; t++) zk[q * nd + t] /= nz;
        kk[q] = r2->kappa[q];
        pp[2 * q] = (int)ps->pi[keep[q]];
        pp[2 * q + 1] = (int)ps->pj[keep[q]];
      }
      gv_dipole_result_destroy(&r2);
      status = gv_h5_create(&h5, fields);
      if (status >= 0) {
        size_t dv[2] = {(size_t)K, (size_t)nd}, dk[1] = {(size_t)K}, dp[2] = {(size_t)K, 2};
        status = gv_h5_write_doubles(h5, "/responses/vectors", zk, 2, dv);
        if (status >= 0) status = gv_h5_write_doubles(h5, "/responses/kappa", kk, 1, dk);
        if (status >= 0) status = gv_h5_write_ints(h5, "/responses/pairs", pp, 2, dp);
        if (status >= 0) status = gv_h5_set_string(h5, "/responses", "glass", pos[0]);
        if (status >= 0) status = gv_h5_set_int(h5, "/responses", "dim", ps->dim);
        if (status >= 0) status = gv_h5_set_double(h5, "/responses", "max_force", max_force);
        if (status >= 0) status = gv_h5_write_provenance(h5, "dipole-responses", seed);
      }
      free(kk);
      free(pp);
      if (status < 0) goto cleanup;
      /* committed after everything else succeeded */
    }
  }
  double wall = gv_wall_time() - t0;
  GV_ALLOC(kap, nrows);
  for (long q = 0; q < nrows; q++) kap[q] = rows[q].kappa;
  gv_dipole_stats st;
  GV_TRY(gv_dipole_statistics(kap, nrows, fit_lo, fit_hi, &st));
  char cm[512];
  snprintf(cm, sizeof cm,
           "glasses: %d, pairs: %ld, max_force: %g, pairs per glass: %s, seed: %llu\n"
           "kappa_mean %.10g kappa_median %.10g kappa_min %.10g eta %.6g +- %.3g (MLE) in [%.6g, %.6g] (%ld values)",
           npos, nrows, max_force, pairs, (unsigned long long)seed, st.mean, st.median, st.min, st.eta,
           st.eta_err, st.fit_lo, st.fit_hi, st.n_fit);
  if (out) {
    GV_TRY(gv_outfile_open(&fo, out));
    const char *cols[] = {"sample", "i", "j", "r[lambda]", "f[eps/lambda]", "kappa[eps/lambda^2]",
                          "a=d.M+.d[eps]", "b=d.M+2.d[lambda^2]", "n_x", "n_y", "n_z", "n_w"};
    int dimo = g.sys->dim;
    gv_tsv_header(fo.fp, "glassvib dipoles: force-dipole stiffnesses (n = (x_i - x_j)/r, minimum image)", cm,
                  cols, 8 + dimo);
    for (long q = 0; q < nrows; q++) {
      fprintf(fo.fp, "%ld\t%ld\t%ld\t%.10g\t%.6e\t%.10g\t%.10g\t%.10g", rows[q].sample, rows[q].i,
              rows[q].j, rows[q].r, rows[q].f, rows[q].kappa, rows[q].a, rows[q].b);
      for (int a = 0; a < dimo; a++) fprintf(fo.fp, "\t%.12g", rows[q].n[a]);
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
  if (out) GV_TRY(gv_outfile_commit(&fo));
  if (hist) GV_TRY(gv_outfile_commit(&fh));
  if (h5) GV_TRY(gv_h5_close(&h5, 1));
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
    gv_json_int(&j, "n_samples", npos);
    if (check) gv_json_num(&j, "max_residual", max_resid);
    gv_json_end(&j);
  } else {
    printf("# glassvib dipoles: %ld pairs from %d glass(es) (|f| < %g), %.3f s\n", nrows, npos, max_force, wall);
    printf("kappa_mean   %.10g\nkappa_median %.10g\nkappa_min    %.10g\nkappa_max    %.10g\n", st.mean,
           st.median, st.min, st.max);
    printf("eta          %.4f +- %.4f (MLE; LS %.4f) in [%.6g, %.6g], %ld values\n", st.eta, st.eta_err,
           st.eta_ls, st.fit_lo, st.fit_hi, st.n_fit);
    if (check) printf("max |Mz-d|/|d| %.3g\n", max_resid);
  }
cleanup:
  gv_outfile_abort(&fo);
  gv_outfile_abort(&fh);
  if (h5) gv_h5_close(&h5, 0);
  gv_spectrum_hist_destroy(&H);
  free(zk);
  free(keep);
  free(kap);
  free(rows);
  free(sel);
  gv_dipole_result_destroy(&res);
  gv_qlm_solver_destroy(&S);
  gv_pairset_destroy(&ps);
  gv_glass_free(&g);
  return status < 0 ? gv_cli_fail("dipoles", status) : 0;
}
