/* glassvib lattice: the lattice model of dipole stiffnesses (seed 003, Eqs. 8-10);
 * docs/meanfield.md. Resumable and distributable (mpirun): with -o P.tsv, finished
 * chunks go to the run directory P.tsv.parts (docs/cluster.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "glassvib/ensemble_models.h"
#include "glassvib/models.h"
#include "glassvib/spectrum.h"

#define LT_NBINS 60

int gv_cmd_lattice(int argc, char **argv) {
  long long dim = 0, L = 0, samples = 0, threads = 0, chunk = 0;
  uint64_t seed = GV_DEFAULT_SEED;
  const char *out = NULL, *window = NULL;
  int json = 0, quiet = 0;
  gv_arg args[] = {
      {"dim", 0, GV_ARG_INT, &dim, "D", "lattice dimension d >= 1", GV_NO_RANGE, 1, 0},
      {"L", 0, GV_ARG_INT, &L, "L", "lattice side (odd, >= 1); L^d sites", GV_NO_RANGE, 1, 0},
      {"samples", 0, GV_ARG_INT, &samples, "M", "realisations (one kappa each, at the centre site)", GV_NO_RANGE, 1, 0},
      {"window", 0, GV_ARG_STRING, &window, "LO,HI", "eta fit window in kappa (default 0.01,0.05)", GV_NO_RANGE, 0, 0},
      {"chunk", 0, GV_ARG_INT, &chunk, "C", "realisations per checkpoint chunk (default 65536)", 1, 1e9, 0, 0},
      GV_ARG_SEED(&seed),
      GV_ARG_OUT(&out, "TSV output: p(kappa) in log bins (run directory OUT.parts while running)"),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"lattice", "--dim D --L L --samples M [--seed S] [-o P.tsv] [--json]",
                      "Sample kappa = a/b at the centre of a periodic d-cubic lattice with omega_j ~ 5 omega^4, "
                      "a = sum r^-2d omega^-2, b = sum r^-2d omega^-4 (Rainone, Bouchbinder, Lerner, seed 003, "
                      "Eqs. 8-10); report p(kappa), its low-kappa exponent eta and <kappa>.",
                      0, 0};
  int rc = gv_cli_parse(&spec, args, argc, argv, NULL, NULL);
  if (rc == 1) return 0;
  if (rc) return 2;
  if (gv_ensemble_comm_init() != GV_OK) return gv_cli_fail("lattice", GV_EIO);
  if (!gv_ensemble_is_root()) quiet = 1; /* MPI ranks > 0: rank 0 reports and writes */
  if (quiet) gv_log_set_level(GV_LOG_QUIET);
  if (dim < 1) { fprintf(stderr, "glassvib lattice: --dim %lld: need d >= 1\n", dim); return 2; }
  if (L < 1 || L % 2 == 0) {
    fprintf(stderr, "glassvib lattice: --L %lld: the side must be odd and >= 1 (the centre site must exist)\n", L);
    return 2;
  }
  if (samples < 1) { fprintf(stderr, "glassvib lattice: --samples %lld: need at least one realisation\n", samples); return 2; }
  double wlo = 0, whi = 0;
  if (window) {
    double *v = NULL;
    size_t nv = 0;
    if (gv_parse_double_list(window, &v, &nv) != GV_OK || nv != 2 || !(v[0] > 0 && v[1] > v[0])) {
      free(v);
      fprintf(stderr, "glassvib lattice: --window '%s': need LO,HI with 0 < LO < HI\n", window);
      return 2;
    }
    wlo = v[0];
    whi = v[1];
    free(v);
  }
  if (out && gv_check_writable(out) != GV_OK) return gv_cli_fail("lattice", GV_EIO);

  int status = GV_OK;
  gv_lattice *lat = NULL;
  double *kappa = NULL;
  gv_spectrum_hist *hist = NULL;
  gv_outfile of = {0};
  double t0 = gv_wall_time();
  if (dim > 64) { status = GV_ERROR(GV_EINVAL, "--dim %lld: at most 64", dim); goto cleanup; }
  if (pow((double)L, (double)dim) > 2147483648.0) {
    status = GV_ERROR(GV_EINVAL, "--L %lld --dim %lld: L^d is too many sites", L, dim);
    goto cleanup;
  }
  status = gv_lattice_create(&lat, (int)dim, (int)L);
  if (status < 0) goto cleanup;
  kappa = malloc((size_t)samples * sizeof *kappa);
  if (!kappa) { status = GV_ERROR(GV_ENOMEM, "cannot hold %lld realisations", samples); goto cleanup; }
  size_t resumed = 0;
  gv_ensemble_stats est;
  status = gv_ensemble_lattice_run(lat, seed, (size_t)samples, (size_t)chunk, out, kappa, &resumed,
                                   quiet ? NULL : "lattice", &est);
  if (status < 0 || !gv_ensemble_is_root()) goto cleanup;
  if (status == GV_ENSEMBLE_PENDING) {
    fprintf(stderr, "glassvib lattice: %ld chunks are still being computed by other processes; the last one to "
            "finish writes the output\n", est.pending);
    status = GV_OK;
    goto cleanup;
  }
  gv_lattice_analysis a;
  status = gv_lattice_analyse(kappa, (size_t)samples, wlo, whi, &a);
  if (status < 0) goto cleanup;
  double wall = gv_wall_time() - t0;
  if (out) {
    double lo = a.kappa_min / 1.001, hi = a.kappa_max * 1.001;
    if (!(hi > lo)) hi = lo * 2;
    status = gv_spectrum_hist_create(&hist, kappa, (size_t)samples, lo, hi, LT_NBINS, 1, 0);
    if (status < 0) goto cleanup;
    status = gv_outfile_open(&of, out);
    if (status < 0) goto cleanup;
    char comments[1024];
    snprintf(comments, sizeof comments,
             "lattice model of dipole stiffnesses (seed 003, Eqs. 8-10): dim %lld, L %lld, samples %lld, seed %llu\n"
             "p(kappa) normalised to 1 (sum p dkappa = 1); errors Poisson\n"
             "eta = %.6g +- %.2g (truncated power-law MLE; log F slope - 1: %.6g) in kappa [%.6g, %.6g] (%zu realisations)\n"
             "kappa_mean = %.8g +- %.2g; resumed %zu realisations from checkpoint; wall %.3f s",
             dim, L, samples, (unsigned long long)seed, a.eta, a.eta_err, a.eta_logF, a.fit_lo, a.fit_hi,
             a.fit_n, a.kappa_mean, a.kappa_err, resumed, wall);
    const char *cols[] = {"kappa[dimensionless]", "kappa_lo", "kappa_hi", "p[1/kappa]", "p_err", "count"};
    gv_tsv_header(of.fp, "glassvib lattice: p(kappa)", comments, cols, 6);
    for (size_t b = 0; b < hist->nbins; b++)
      fprintf(of.fp, "%.10g\t%.10g\t%.10g\t%.10g\t%.6g\t%lld\n", hist->centre[b], hist->edges[b],
              hist->edges[b + 1], hist->density[b], hist->error[b], hist->counts[b]);
    status = gv_outfile_commit(&of);
    if (status < 0) goto cleanup;
  }
  /* the run is complete and committed: drop the run directory */
  gv_ensemble_lattice_finish(lat, seed, (size_t)samples, (size_t)chunk, out);
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_num(&j, "eta", a.eta);
    gv_json_num(&j, "eta_err", a.eta_err);
    gv_json_num(&j, "eta_mle", a.eta_mle);
    gv_json_num(&j, "eta_logF", a.eta_logF);
    gv_json_num(&j, "fit_lo", a.fit_lo);
    gv_json_num(&j, "fit_hi", a.fit_hi);
    gv_json_int(&j, "fit_n", (long long)a.fit_n);
    gv_json_num(&j, "kappa_mean", a.kappa_mean);
    gv_json_num(&j, "kappa_err", a.kappa_err);
    gv_json_int(&j, "samples", samples);
    gv_json_int(&j, "resumed", (long long)resumed);
    gv_json_num(&j, "wall_s", wall);
    gv_json_end(&j);
  } else {
    printf("eta = %.4f +- %.4f (kappa in [%.4g, %.4g], %zu values)  <kappa> = %.6f +- %.2g  samples = %lld  "
           "wall = %.2f s\n",
           a.eta, a.eta_err, a.fit_lo, a.fit_hi, a.fit_n, a.kappa_mean, a.kappa_err, samples, wall);
  }
cleanup:
  if (status < 0) gv_outfile_abort(&of);
  gv_spectrum_hist_destroy(&hist);
  gv_lattice_destroy(&lat);
  free(kappa);
  if (status < 0) return gv_cli_fail("lattice", status);
  return 0;
}
