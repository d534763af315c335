/* glassvib dos: the vibrational density of states pooled over mode files (or
 * directories of them: their .h5 files in name order, other kinds of glassvib
 * files skipped, e.g. the OUT_000.h5 ... of `modes GLASSES -o OUT.h5`):
 * D(omega) in linear and logarithmic bins, F(omega), exponent s, A_g below the
 * detected first phonon band, <r>. Deterministic: files are pooled in that order. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/ensemble_models.h"
#include "glassvib/glassvib.h"
#include "glassvib/spectrum.h"

static void row(FILE *fp, int block, double w, double v, double e, double r4, double c, double rs) {
  fprintf(fp, "%d\t%.10g\t%.10g\t%.6g\t%.10g\t%.0f\t%.10g\n", block, w, v, e, r4, c, rs);
}

int gv_cmd_dos(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0;
  long long nlin = 60, nlog = 40, threads = 0;
  double e_ph = 0.3, wmax = 0;
  const char *out = NULL;
  gv_arg args[] = {
      GV_ARG_OUT(&out, "write DOS.tsv (D lin/log bins, cumulative F)"),
      {"bins", 0, GV_ARG_INT, &nlin, "B", "linear bins (default 60)", 2, 1e6, 0, 0},
      {"log-bins", 0, GV_ARG_INT, &nlog, "B", "logarithmic bins (default 40)", 2, 1e6, 0, 0},
      {"e-phonon", 0, GV_ARG_DOUBLE, &e_ph, "E", "participation of a plane wave for band detection (default 0.3)", 0, 1, 0, 0},
      {"omega-max", 0, GV_ARG_DOUBLE, &wmax, "W", "upper end of the histograms (default: highest mode)", 0, 1e9, 0, 0},
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"dos", "MODES.h5... | DIR [-o DOS.tsv] [--json]",
                      "Density of states pooled over samples, normalised per mode of the system "
                      "(N d - d per sample); the first phonon band is detected per sample "
                      "(participation >= e-phonon from 0.7 c_T q_min up); A_g from the omega^4 "
                      "plateau below it, exponent s from F ~ omega^(s+1), level-spacing ratio <r> "
                      "(GOE 0.5307, Poisson 0.3863). s is fitted below the lowest edge of all samples; "
                      "s_own (maximum likelihood below each sample's own edge) keeps the soft modes of "
                      "many small glasses. JSON keys: A_g, A_g_err, s, omega_min_phonon, r_mean, "
                      "n_modes (and s_err, s_mle, s_own, s_own_err, n_below_own, ...).",
                      1, -1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  char **files = NULL;
  long nfl = 0;
  int nf = 0;
  gv_modes *S = NULL;
  double *w = NULL, *ws = NULL;
  gv_spectrum_hist *hl = NULL, *hg = NULL;
  gv_outfile of = {0};
  gv_dos_result r;
  if (out) GV_TRY(gv_check_writable(out));
  GV_TRY(gv_ensemble_file_list(pos, npos, 0, "modes", &files, &nfl));
  nf = (int)nfl;
  S = calloc((size_t)nf, sizeof *S);
  if (!S) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
  for (int k = 0; k < nf; k++) GV_TRY(gv_modes_read(files[k], 0, &S[k]));
  gv_dos_opts o;
  gv_dos_opts_default(&o);
  o.e_phonon = e_ph;
  GV_TRY(gv_dos_analyse(S, nf, &o, &r));
  if (out) {
    long tot = 0;
    for (int k = 0; k < nf; k++) tot += S[k].k;
    w = malloc((size_t)(tot ? tot : 1) * sizeof *w);
    ws = malloc((size_t)(tot ? tot : 1) * sizeof *ws);
    if (!w || !ws) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
    long n = 0;
    for (int k = 0; k < nf; k++)
      for (int j = 0; j < S[k].k; j++)
        if (S[k].lambda[j] > S[k].zero_tol) w[n++] = S[k].omega[j];
    double lo = INFINITY, hi = 0;
    for (long j = 0; j < n; j++) lo = fmin(lo, w[j]), hi = fmax(hi, w[j]);
    if (wmax > 0) hi = wmax;
    GV_TRY(gv_spectrum_hist_create(&hl, w, (size_t)n, 0.0, hi, (size_t)nlin, 0, r.n_norm));
    GV_TRY(gv_spectrum_hist_create(&hg, w, (size_t)n, lo * (1 - 1e-9), hi, (size_t)nlog, 1, r.n_norm));
    GV_TRY(gv_spectrum_cumulative(w, (size_t)n, r.n_norm, ws, NULL));
    double s = isfinite(r.s) ? r.s : 4.0;
    GV_TRY(gv_outfile_open(&of, out));
    char comments[1024];
    snprintf(comments, sizeof comments,
             "samples %ld, modes %ld, n_norm %.0f (sum of N d - d)\n"
             "omega_min_phonon %.8g (%s), omega_phonon_predicted %.8g\n"
             "A_g %.8g +- %.3g (5F/w^5: %.8g +- %.3g) from %ld modes below the band\n"
             "s %.6g +- %.3g (MLE %.6g); below each sample's own edge: s %.6g +- %.3g (%ld modes)\n"
             "<r> %.5f +- %.5f (GOE 0.5307, Poisson 0.3863)\n"
             "block 0: linear bins, 1: log bins (value = D, err Poisson, ratio = D/w^4, count, D/w^s)\n"
             "block 2: cumulative per mode (value = F, err sqrt(k)/n_norm, ratio = 5F/w^5, rank k, F/w^(s+1))",
             r.n_samples, r.n_modes, r.n_norm, r.omega_min_phonon, r.band_method, r.omega_phonon_predicted,
             r.A_g, r.A_g_err, r.A_g_alt, r.A_g_alt_err, r.n_below, r.s, r.s_err, r.s_mle, r.s_own, r.s_own_err, r.n_below_own, r.r_mean, r.r_err);
    const char *cols[] = {"block", "omega[sqrt(eps/m)/lambda]", "value", "err", "ratio", "count", "ratio_s"};
    gv_tsv_header(of.fp, "glassvib dos: vibrational density of states", comments, cols, 7);
    const gv_spectrum_hist *hs[2] = {hl, hg};
    for (int b = 0; b < 2; b++) {
      const gv_spectrum_hist *h = hs[b];
      for (size_t k = 0; k < h->nbins; k++) {
        double c = h->centre[k];
        row(of.fp, b, c, h->density[k], h->error[k], c > 0 ? h->density[k] / pow(c, 4) : NAN,
            (double)h->counts[k], c > 0 ? h->density[k] / pow(c, s) : NAN);
      }
    }
    for (long j = 0; j < n; j++) {
      double F = (j + 1) / r.n_norm;
      row(of.fp, 2, ws[j], F, sqrt((double)(j + 1)) / r.n_norm, 5 * F / pow(ws[j], 5), (double)(j + 1),
          F / pow(ws[j], s + 1));
    }
    GV_TRY(gv_outfile_commit(&of));
  }
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_num(&j, "A_g", r.A_g);
    gv_json_num(&j, "A_g_err", r.A_g_err);
    gv_json_num(&j, "s", r.s);
    gv_json_num(&j, "omega_min_phonon", r.omega_min_phonon);
    gv_json_num(&j, "r_mean", r.r_mean);
    gv_json_int(&j, "n_modes", r.n_modes);
    gv_json_num(&j, "s_err", r.s_err);
    gv_json_num(&j, "s_mle", r.s_mle);
    gv_json_num(&j, "s_own", r.s_own);
    gv_json_num(&j, "s_own_err", r.s_own_err);
    gv_json_int(&j, "n_below_own", r.n_below_own);
    gv_json_num(&j, "A_g_5F", r.A_g_alt);
    gv_json_num(&j, "A_g_5F_err", r.A_g_alt_err);
    gv_json_int(&j, "n_below", r.n_below);
    gv_json_num(&j, "omega_phonon_predicted", r.omega_phonon_predicted);
    gv_json_str(&j, "band_method", r.band_method);
    gv_json_num(&j, "r_err", r.r_err);
    gv_json_num(&j, "r_goe", GV_SPECTRUM_R_GOE);
    gv_json_num(&j, "r_poisson", GV_SPECTRUM_R_POISSON);
    gv_json_int(&j, "n_samples", r.n_samples);
    gv_json_int(&j, "n_negative", r.n_negative);
    gv_json_end(&j);
  }
cleanup:
  if (status < 0) gv_outfile_abort(&of);
  gv_spectrum_hist_destroy(&hl);
  gv_spectrum_hist_destroy(&hg);
  free(w);
  free(ws);
  if (S)
    for (int k = 0; k < nf; k++) gv_modes_free(&S[k]);
  free(S);
  gv_ensemble_file_list_free(&files, nfl);
  return status < 0 ? gv_cli_fail("dos", status) : 0;
}
