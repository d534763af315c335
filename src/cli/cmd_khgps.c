/* glassvib khgps: ensembles of the KHGPS model (seed 001); docs/meanfield.md. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/ensemble_models.h"
#include "glassvib/io.h"
#include "glassvib/models.h"
#include "glassvib/spectrum.h"

#define KH_NBINS 60

static int write_h5(const char *path, const gv_khgps_params *p, size_t ns, const gv_khgps_sample *s,
                    const gv_khgps_analysis *a, const double *all_eig, size_t neig_tot, double wall) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  double *buf = NULL;
  gv_spectrum_hist *hist = NULL;
  const size_t n = p->n, ne = s[0].neig;
  enum { NG = 64 };
  double kg[NG], xb[NG];
  size_t cnt[NG];
  GV_TRY(gv_h5_create(&h, path));
  GV_TRY(gv_h5_write_provenance(h, "khgps", p->seed));
  GV_TRY(gv_h5_set_int(h, "/parameters", "n", (long long)n));
  GV_TRY(gv_h5_set_double(h, "/parameters", "h", p->h));
  GV_TRY(gv_h5_set_double(h, "/parameters", "J", p->J));
  GV_TRY(gv_h5_set_double(h, "/parameters", "kappa0", p->kappa0));
  GV_TRY(gv_h5_set_int(h, "/parameters", "samples", (long long)ns));
  GV_TRY(gv_h5_set_double(h, "/parameters", "gtol", p->gtol));
  GV_TRY(gv_h5_set_int(h, "/parameters", "nlow", (long long)p->nlow));
  GV_TRY(gv_h5_set_string(h, "/parameters", "units", "A = 1: stiffness A x0^2, force A x0^3, energy A x0^4"));
  /* per-sample raw data */
  const size_t nmax = n > ne ? n : ne;
  const size_t nbuf = ns * nmax;
  GV_ALLOC(buf, nbuf);
  size_t d2[2] = {ns, ne};
  for (size_t k = 0; k < ns; k++) memcpy(buf + k * ne, s[k].eig, ne * sizeof *buf);
  GV_TRY(gv_h5_write_doubles(h, "/samples/eigenvalues", buf, 2, d2));
  d2[1] = n;
  for (size_t k = 0; k < ns; k++) memcpy(buf + k * n, s[k].x, n * sizeof *buf);
  GV_TRY(gv_h5_write_doubles(h, "/samples/x", buf, 2, d2));
  for (size_t k = 0; k < ns; k++) memcpy(buf + k * n, s[k].kappa, n * sizeof *buf);
  GV_TRY(gv_h5_write_doubles(h, "/samples/kappa", buf, 2, d2));
  size_t d1[1] = {ns};
#define PER_SAMPLE(field, name)                                         \
  for (size_t k = 0; k < ns; k++) buf[k] = (double)s[k].field;          \
  GV_TRY(gv_h5_write_doubles(h, "/samples/" name, buf, 1, d1));
  PER_SAMPLE(energy, "energy")
  PER_SAMPLE(grad_max, "grad_max")
  PER_SAMPLE(eig_bound, "eig_bound")
  PER_SAMPLE(cg_iter, "cg_iterations")
  PER_SAMPLE(newton_steps, "newton_steps")
  PER_SAMPLE(n_negative, "n_negative")
  PER_SAMPLE(wall_s, "wall_s")
  PER_SAMPLE(wall_min_s, "wall_minimise_s")
  PER_SAMPLE(wall_eig_s, "wall_eigen_s")
#undef PER_SAMPLE
  /* D(omega) in log bins over the computed frequencies */
  double wmin = INFINITY, wmax = 0;
  for (size_t i = 0; i < neig_tot; i++) {
    double w = sqrt(all_eig[i] > 0 ? all_eig[i] : 0);
    buf[i] = w;
    if (w > 0 && w < wmin) wmin = w;
    if (w > wmax) wmax = w;
  }
  if (wmax > wmin) {
    GV_TRY(gv_spectrum_hist_create(&hist, buf, neig_tot, wmin / 1.001, wmax * 1.001, KH_NBINS, 1,
                                   (double)(n * ns)));
    size_t db[1] = {hist->nbins};
    GV_TRY(gv_h5_write_doubles(h, "/dos/omega", hist->centre, 1, db));
    GV_TRY(gv_h5_write_doubles(h, "/dos/D", hist->density, 1, db));
    GV_TRY(gv_h5_write_doubles(h, "/dos/D_err", hist->error, 1, db));
    db[0] = hist->nbins + 1;
    GV_TRY(gv_h5_write_doubles(h, "/dos/edges", hist->edges, 1, db));
    GV_TRY(gv_h5_set_string(h, "/dos", "normalisation", "per mode: sum D dw = fraction of all N*samples modes"));
  }
  /* partial averages <xbar*^2>(kappa) */
  if (p->kappa0 > 0) {
    double *kap = NULL, *xx = NULL;
    const size_t nks = n * ns;
    GV_ALLOC(kap, nks);
    xx = malloc(n * ns * sizeof *xx);
    if (!xx) { free(kap); status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
    for (size_t k = 0; k < ns; k++) {
      memcpy(kap + k * n, s[k].kappa, n * sizeof *kap);
      memcpy(xx + k * n, s[k].x, n * sizeof *xx);
    }
    status = gv_khgps_partial_average(kap, xx, n * ns, 0, p->kappa0, NG, kg, xb, cnt);
    free(kap);
    free(xx);
    if (status < 0) goto cleanup;
    double c[NG];
    for (int g = 0; g < NG; g++) c[g] = (double)cnt[g];
    size_t dg[1] = {NG};
    GV_TRY(gv_h5_write_doubles(h, "/partial_average/kappa", kg, 1, dg));
    GV_TRY(gv_h5_write_doubles(h, "/partial_average/xbar2", xb, 1, dg));
    GV_TRY(gv_h5_write_doubles(h, "/partial_average/count", c, 1, dg));
  }
  /* results */
  GV_TRY(gv_h5_set_double(h, "/results", "A_g", a->A_g));
  GV_TRY(gv_h5_set_double(h, "/results", "A_g_err", a->A_g_err));
  GV_TRY(gv_h5_set_double(h, "/results", "A_g_window_lo", a->ag_lo));
  GV_TRY(gv_h5_set_double(h, "/results", "A_g_window_hi", a->ag_hi));
  GV_TRY(gv_h5_set_double(h, "/results", "low_exponent", a->low_exponent));
  GV_TRY(gv_h5_set_double(h, "/results", "low_exponent_err", a->low_exponent_err));
  GV_TRY(gv_h5_set_double(h, "/results", "exponent_window_lo", a->exp_lo));
  GV_TRY(gv_h5_set_double(h, "/results", "exponent_window_hi", a->exp_hi));
  GV_TRY(gv_h5_set_double(h, "/results", "x2_mean", a->x2_mean));
  GV_TRY(gv_h5_set_double(h, "/results", "x2_err", a->x2_err));
  GV_TRY(gv_h5_set_double(h, "/results", "omega_x", a->omega_x));
  GV_TRY(gv_h5_set_int(h, "/results", "n_modes", (long long)a->n_modes));
  GV_TRY(gv_h5_set_int(h, "/results", "n_negative", (long long)a->n_negative));
  GV_TRY(gv_h5_set_double(h, "/results", "wall_s", wall));
  GV_TRY(gv_h5_close(&h, 1));
cleanup:
  if (h) gv_h5_close(&h, 0);
  gv_spectrum_hist_destroy(&hist);
  free(buf);
  return status;
}

int gv_cmd_khgps(int argc, char **argv) {
  gv_khgps_params p;
  gv_khgps_params_default(&p);
  long long n = 0, samples = 1, threads = 0, nlow = -1;
  double h = NAN, J = NAN, kappa0 = NAN, gtol = p.gtol;
  uint64_t seed = GV_DEFAULT_SEED;
  const char *out = NULL;
  int json = 0, quiet = 0;
  gv_arg args[] = {
      {"n", 0, GV_ARG_INT, &n, "N", "number of oscillators (>= 2)", GV_NO_RANGE, 1, 0},
      {"h", 0, GV_ARG_DOUBLE, &h, "H", "constant force h [A x0^3]", GV_NO_RANGE, 1, 0},
      {"J", 0, GV_ARG_DOUBLE, &J, "J", "coupling strength J >= 0 (J_ij variance J^2/N) [A x0^2]", GV_NO_RANGE, 1, 0},
      {"kappa0", 0, GV_ARG_DOUBLE, &kappa0, "K0", "kappa_i uniform on [0, K0] [A x0^2]", GV_NO_RANGE, 1, 0},
      {"samples", 0, GV_ARG_INT, &samples, "M", "number of samples (default 1)", GV_NO_RANGE, 0, 0},
      {"nlow", 0, GV_ARG_INT, &nlow, "K", "eigenvalues per sample: 0 = all (default for N <= 4000), K = the K lowest (default N/200 for N > 4000)", GV_NO_RANGE, 0, 0},
      {"gtol", 0, GV_ARG_DOUBLE, &gtol, "G", "gradient tolerance max|dH/dx| (default 1e-10)", GV_NO_RANGE, 0, 0},
      GV_ARG_SEED(&seed),
      GV_ARG_OUT(&out, "HDF5 output (per-sample eigenvalues, x*, kappa; DOS; partial averages); resumable run directory OUT.parts while running"),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"khgps", "--n N --h H --J J --kappa0 K0 --samples M [--seed S] [-o OUT.h5] [--json]",
                      "Minimise the KHGPS Hamiltonian H = sum kappa_i x_i^2/2 + x_i^4/24 + sum_{i<j} J_ij x_i x_j "
                      "- h sum x_i from x = 0 for M samples, diagonalise the Hessian and report A_g, the "
                      "low-frequency exponent, <x*^2> and omega_x (Rainone et al., SciPost Phys. Core 4, 008 (2021)).",
                      0, 0};
  int rc = gv_cli_parse(&spec, args, argc, argv, NULL, NULL);
  if (rc == 1) return 0;
  if (rc) return 2;
  if (gv_ensemble_comm_init() != GV_OK) return gv_cli_fail("khgps", GV_EIO);
  if (!gv_ensemble_is_root()) quiet = 1; /* MPI ranks > 0: rank 0 reports and writes */
  if (quiet) gv_log_set_level(GV_LOG_QUIET);
  if (n < 2) { fprintf(stderr, "glassvib khgps: --n %lld: need N >= 2\n", n); return 2; }
  if (samples < 1) { fprintf(stderr, "glassvib khgps: --samples %lld: need at least one sample\n", samples); return 2; }
  if (!isfinite(h)) { fprintf(stderr, "glassvib khgps: --h must be finite\n"); return 2; }
  if (!(J >= 0) || !isfinite(J)) { fprintf(stderr, "glassvib khgps: --J %g: need J >= 0\n", J); return 2; }
  if (!(kappa0 >= 0) || !isfinite(kappa0)) { fprintf(stderr, "glassvib khgps: --kappa0 %g: need kappa0 >= 0\n", kappa0); return 2; }
  if (!(gtol > 0)) { fprintf(stderr, "glassvib khgps: --gtol must be positive\n"); return 2; }
  if (nlow > n) { fprintf(stderr, "glassvib khgps: --nlow %lld exceeds N\n", nlow); return 2; }
  if (out && gv_check_writable(out) != GV_OK) return gv_cli_fail("khgps", GV_EIO);
  p.n = (size_t)n;
  p.h = h;
  p.J = J;
  p.kappa0 = kappa0;
  p.gtol = gtol;
  p.seed = seed;
  p.nlow = nlow >= 0 ? (size_t)nlow : (n <= 4000 ? 0 : (size_t)(n / 200));
  int status = GV_OK;
  double t0 = gv_wall_time();
  gv_khgps_sample *s = calloc((size_t)samples, sizeof *s);
  double *eig = NULL, *kap = NULL, *xx = NULL, *x2s = NULL;
  if (!s) return gv_cli_fail("khgps", GV_ERROR(GV_ENOMEM, "out of memory"));
  /* distributed over MPI ranks / processes, committed per sample to OUT.parts, resumable */
  gv_ensemble_stats est;
  status = gv_ensemble_khgps_run(&p, (size_t)samples, out, s, quiet ? NULL : "khgps", &est);
  if (status < 0 || !gv_ensemble_is_root()) goto cleanup;
  if (status == GV_ENSEMBLE_PENDING) {
    fprintf(stderr, "glassvib khgps: %ld samples are still being computed by other processes; the last one to "
            "finish writes the output\n", est.pending);
    status = GV_OK;
    goto cleanup;
  }
  const size_t ne = s[0].neig, ns = (size_t)samples, nn = p.n;
  eig = malloc(ne * ns * sizeof *eig);
  kap = malloc(nn * ns * sizeof *kap);
  xx = malloc(nn * ns * sizeof *xx);
  x2s = malloc(ns * sizeof *x2s);
  if (!eig || !kap || !xx || !x2s) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
  for (size_t k = 0; k < ns; k++) {
    memcpy(eig + k * ne, s[k].eig, ne * sizeof *eig);
    memcpy(kap + k * nn, s[k].kappa, nn * sizeof *kap);
    memcpy(xx + k * nn, s[k].x, nn * sizeof *xx);
    double m = 0;
    for (size_t i = 0; i < nn; i++) m += s[k].x[i] * s[k].x[i];
    x2s[k] = m / (double)nn;
  }
  gv_khgps_analysis a;
  status = gv_khgps_analyse(eig, ne * ns, (double)(nn * ns), kap, xx, nn * ns, x2s, ns, p.kappa0, &a);
  if (status < 0) goto cleanup;
  if (a.n_negative) gv_log(GV_LOG_INFO, "khgps: %zu negative eigenvalues (not a minimum!)", a.n_negative);
  double wall = gv_wall_time() - t0;
  if (out) {
    int st = write_h5(out, &p, ns, s, &a, eig, ne * ns, wall);
    if (st < 0) { status = st; goto cleanup; }
  }
  gv_ensemble_khgps_finish(&p, out); /* the merged output is committed: drop OUT.parts */
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_num(&j, "A_g", a.A_g);
    gv_json_num(&j, "A_g_err", a.A_g_err);
    gv_json_num(&j, "low_exponent", a.low_exponent);
    gv_json_num(&j, "low_exponent_err", a.low_exponent_err);
    gv_json_num(&j, "x2_mean", a.x2_mean);
    gv_json_num(&j, "x2_err", a.x2_err);
    gv_json_num(&j, "omega_x", a.omega_x);
    gv_json_int(&j, "n_modes", (long long)a.n_modes);
    gv_json_int(&j, "n_negative", (long long)a.n_negative);
    gv_json_num(&j, "A_g_window_hi", a.ag_hi);
    gv_json_num(&j, "wall_s", wall);
    gv_json_end(&j);
  } else {
    printf("A_g = %.6g +- %.2g (omega <= %.4g)  low_exponent = %.4g +- %.2g  <x*^2> = %.6g  omega_x = %.5g"
           "  modes = %zu  wall = %.2f s\n",
           a.A_g, a.A_g_err, a.ag_hi, a.low_exponent, a.low_exponent_err, a.x2_mean, a.omega_x, a.n_modes,
           wall);
  }
cleanup:
  if (s)
    for (long long k = 0; k < samples; k++) gv_khgps_sample_free(&s[k]);
  free(s);
  free(eig);
  free(kap);
  free(xx);
  free(x2s);
  if (status < 0) return gv_cli_fail("khgps", status);
  return 0;
}
