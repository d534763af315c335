/* glassvib nlmodes: nonlinear quasilocalized modes (quartic: stationary
 * points of kappa^2/chi, Kapteijns, Richard, Lerner 2020; cubic: kappa^3/tau^2,
 * Gartner, Lerner 2016) minimised on the unit sphere from the softest dipole
 * responses or from harmonic modes (docs/qlm.md). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/analysis.h"
#include "glassvib/glassvib.h"
#include "glassvib/qlm.h"

typedef struct {
  double kappa;
  long pair;
} cand;
static int cmp_cand(const void *a, const void *b) {
  double x = ((const cand *)a)->kappa, y = ((const cand *)b)->kappa;
  return (x > y) - (x < y);
}

int gv_cmd_nlmodes(int argc, char **argv) {
  int status = GV_OK, json = 0, quiet = 0, force = 0;
  long long threads = 0, dim = 0, count = 5, order = 4, npairs = 400, max_iter = 20000;
  double max_force = 1e-3, state_tol = 1e-4, tol = 1e-8, same = 0.9;
  uint64_t seed = GV_DEFAULT_SEED;
  const char *model = NULL, *out = NULL, *from_modes = NULL;
  gv_arg args[] = {
      {"count", 0, GV_ARG_INT, &count, "K", "number of distinct modes to find (default 5)", 1, 100000, 0, 0},
      GV_ARG_OUT(&out, "NL.h5: /nlmodes/vectors, kappa, tau, chi, participation, center, ..."),
      {"order", 0, GV_ARG_INT, &order, "3|4", "4: quartic modes kappa^2/chi (default), 3: cubic kappa^3/tau^2", 3, 4, 0, 0},
      {"from-modes", 0, GV_ARG_STRING, &from_modes, "MODES.h5", "start from the lowest harmonic modes (with vectors) instead of dipole responses", GV_NO_RANGE, 0, 0},
      {"pairs", 0, GV_ARG_INT, &npairs, "N", "dipole seeds: responses of N random pairs below --max-force, softest first (default 400)", 1, 1e9, 0, 0},
      {"max-force", 0, GV_ARG_DOUBLE, &max_force, "F", "dipole seeds: pairs with |f| < F (default 1e-3)", -1, 1e9, 0, 0},
      {"tol", 0, GV_ARG_DOUBLE, &tol, "T", "convergence: |grad cost|/cost < T (default 1e-8)", 1e-15, 1, 0, 0},
      {"max-iter", 0, GV_ARG_INT, &max_iter, "N", "iterations per mode (default 20000)", 1, 1e9, 0, 0},
      {"same", 0, GV_ARG_DOUBLE, &same, "O", "modes with overlap |z.z'| > O are the same mode (default 0.9)", 0, 1, 0, 0},
      {"force", 0, GV_ARG_FLAG, &force, NULL, "analyse a glass that is not at a force minimum", GV_NO_RANGE, 0, 0},
      {"state-tol", 0, GV_ARG_DOUBLE, &state_tol, "F", "inherent-state test: max force component (default 1e-4)", 0, 1e9, 0, 0},
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_SEED(&seed),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"nlmodes", "GLASS.h5 [--count K] [-o NL.h5] [--json]",
                      "Nonlinear quasilocalized modes: minimise kappa^2/chi (quartic, Kapteijns, "
                      "Richard, Lerner 2020) or kappa^3/tau^2 (cubic, Gartner, Lerner 2016) over the "
                      "unit sphere by preconditioned Riemannian conjugate gradients (M^+ from one "
                      "CHOLMOD factorisation), started from the softest dipole responses (default) or "
                      "from harmonic modes; distinct modes are kept. Reports kappa = M:zz, tau = "
                      "U''':zzz, chi = U'''':zzzz, participation e, centre (seed 002 Eq. 1). JSON keys: "
                      "kappa, participation (arrays; and tau, chi, residual, center, converged).",
                      1, 1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  gv_glass g;
  gv_glass_init(&g);
  gv_pairset *ps = NULL;
  gv_qlm_solver *S = NULL;
  gv_dipole_result *dres = NULL;
  gv_modes hm;
  memset(&hm, 0, sizeof hm);
  long *sel = NULL, *keep = NULL;
  double *seeds = NULL, *modes = NULL, *z = NULL;
  cand *cands = NULL;
  gv_h5 *h5 = NULL;
  long K = (long)count, found = 0, nseeds = 0;
  double *kap = NULL, *tau = NULL, *chi = NULL, *part = NULL, *resid = NULL, *cen = NULL;
  long long *cpart = NULL, *iters = NULL, *conv = NULL;
  if (out) GV_TRY(gv_check_writable(out));
  GV_TRY(gv_glass_read(pos[0], model, (int)dim, &g));
  GV_TRY(gv_analysis_check_inherent(&g, state_tol, force));
  int d = g.sys->dim;
  long nd = g.sys->n * d;
  GV_TRY(gv_pairset_create_model(&ps, &g.model, g.sys, 0.0));
  GV_TRY(gv_qlm_sparse_solver_create(&S, ps));
  if (from_modes) {
    GV_TRY(gv_modes_read(from_modes, 1, &hm));
    if (!hm.vec) {
      status = GV_ERROR(GV_EFORMAT, "%s has no eigenvectors (run glassvib modes --vectors)", from_modes);
      goto cleanup;
    }
    if (hm.n != g.sys->n || hm.dim != d) {
      status = GV_ERROR(GV_EINVAL, "%s is for %ld particles in %dD, the glass has %ld in %dD", from_modes, hm.n,
                        hm.dim, g.sys->n, d);
      goto cleanup;
    }
    nseeds = hm.k;
    GV_ALLOC(seeds, nseeds * nd);
    memcpy(seeds, hm.vec, sizeof(double) * nseeds * nd);
  } else {
    long nsel = 0;
    GV_TRY(gv_dipole_select(ps, max_force, (long)npairs, seed, &sel, &nsel));
    GV_TRY(gv_dipole_responses(ps, S, sel, nsel, 0, NULL, 0, NULL, &dres));
    GV_ALLOC(cands, nsel);
    for (long q = 0; q < nsel; q++) cands[q].kappa = dres->kappa[q], cands[q].pair = dres->pair[q];
    qsort(cands, (size_t)nsel, sizeof(cand), cmp_cand);
    nseeds = nsel < 4 * K ? nsel : 4 * K; /* a few spare seeds for duplicates */
    GV_ALLOC(keep, nseeds);
    for (long q = 0; q < nseeds; q++) keep[q] = cands[q].pair;
    long nsz = nseeds * nd;
    GV_ALLOC(seeds, nsz);
    gv_dipole_result_destroy(&dres);
    GV_TRY(gv_dipole_responses(ps, S, keep, nseeds, 0, keep, nseeds, seeds, &dres));
  }
  long nm = K * nd;
  GV_ALLOC(modes, nm);
  GV_ALLOC(z, nd);
  GV_ALLOC(kap, K);
  GV_ALLOC(tau, K);
  GV_ALLOC(chi, K);
  GV_ALLOC(part, K);
  GV_ALLOC(resid, K);
  long ncen = K * d;
  GV_ALLOC(cen, ncen);
  GV_ALLOC(cpart, K);
  GV_ALLOC(iters, K);
  GV_ALLOC(conv, K);
  gv_nlmode_opts o;
  gv_nlmode_opts_default(&o);
  o.order = (int)order;
  o.tol = tol;
  o.max_iter = (long)max_iter;
  o.precond = S;
  gv_progress prog;
  gv_progress_begin(&prog, "nlmodes", (double)K);
  for (long q = 0; q < nseeds && found < K; q++) {
    memcpy(z, seeds + q * nd, sizeof(double) * nd);
    gv_nlmode_result r;
    int st = gv_nlmode_find(ps, &o, z, &r);
    if (st == GV_EINTERRUPTED) {
      status = st;
      goto cleanup;
    }
    if (st < 0) {
      gv_log(GV_LOG_INFO, "nlmodes: seed %ld skipped: %s\n", q, gv_error_message());
      gv_error_clear();
      continue;
    }
    int dup = 0;
    for (long f = 0; f < found && !dup; f++) {
      double ov = 0;
      for (long t = 0; t < nd; t++) ov += z[t] * modes[f * nd + t];
      if (fabs(ov) > same) dup = 1;
    }
    if (dup) continue;
    memcpy(modes + found * nd, z, sizeof(double) * nd);
    kap[found] = r.kappa;
    tau[found] = r.tau;
    chi[found] = r.chi;
    part[found] = r.participation;
    resid[found] = r.residual;
    iters[found] = r.iterations;
    conv[found] = r.converged;
    double c[GV_MAX_DIM];
    GV_TRY(gv_mode_center(g.sys, z, 3.5, 3, c, NULL, NULL));
    for (int a = 0; a < d; a++) cen[found * d + a] = c[a];
    cpart[found] = r.center_particle;
    found++;
    gv_progress_update(&prog, (double)found);
  }
  gv_progress_end(&prog);
  if (found == 0) {
    status = GV_ERROR(GV_ENUMERIC, "no nonlinear mode converged from %ld seeds", nseeds);
    goto cleanup;
  }
  if (out) {
    GV_TRY(gv_h5_create(&h5, out));
    size_t dv[2] = {(size_t)found, (size_t)nd}, dk[1] = {(size_t)found}, dc[2] = {(size_t)found, (size_t)d};
    GV_TRY(gv_h5_write_doubles(h5, "/nlmodes/vectors", modes, 2, dv));
    GV_TRY(gv_h5_write_doubles(h5, "/nlmodes/kappa", kap, 1, dk));
    GV_TRY(gv_h5_write_doubles(h5, "/nlmodes/tau", tau, 1, dk));
    GV_TRY(gv_h5_write_doubles(h5, "/nlmodes/chi", chi, 1, dk));
    GV_TRY(gv_h5_write_doubles(h5, "/nlmodes/participation", part, 1, dk));
    GV_TRY(gv_h5_write_doubles(h5, "/nlmodes/residual", resid, 1, dk));
    GV_TRY(gv_h5_write_doubles(h5, "/nlmodes/center", cen, 2, dc));
    GV_TRY(gv_h5_write_int64s(h5, "/nlmodes/center_particle", (const int64_t *)cpart, 1, dk));
    GV_TRY(gv_h5_write_int64s(h5, "/nlmodes/iterations", (const int64_t *)iters, 1, dk));
    GV_TRY(gv_h5_write_int64s(h5, "/nlmodes/converged", (const int64_t *)conv, 1, dk));
    GV_TRY(gv_h5_set_int(h5, "/nlmodes", "order", order));
    GV_TRY(gv_h5_set_int(h5, "/nlmodes", "dim", d));
    GV_TRY(gv_h5_set_int(h5, "/nlmodes", "n", g.sys->n));
    GV_TRY(gv_h5_set_string(h5, "/nlmodes", "glass", pos[0]));
    GV_TRY(gv_h5_set_string(h5, "/nlmodes", "seeds", from_modes ? from_modes : "dipole responses"));
    GV_TRY(gv_h5_set_double(h5, "/nlmodes", "tol", tol));
    GV_TRY(gv_h5_set_double(h5, "/nlmodes", "max_force", max_force));
    GV_TRY(gv_h5_set_int(h5, "/nlmodes", "pairs", npairs));
    GV_TRY(gv_h5_write_provenance(h5, "nlmodes", seed));
    GV_TRY(gv_h5_close(&h5, 1));
  }
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_array_num(&j, "kappa", kap, (size_t)found);
    gv_json_array_num(&j, "participation", part, (size_t)found);
    gv_json_array_num(&j, "tau", tau, (size_t)found);
    gv_json_array_num(&j, "chi", chi, (size_t)found);
    gv_json_array_num(&j, "residual", resid, (size_t)found);
    gv_json_array_num(&j, "center", cen, (size_t)(found * d));
    gv_json_array_int(&j, "converged", conv, (size_t)found);
    gv_json_int(&j, "order", order);
    gv_json_end(&j);
  } else {
    printf("# glassvib nlmodes %s: %ld %s modes (units: kappa eps/lambda^2, tau eps/lambda^3, chi eps/lambda^4)\n",
           pos[0], found, order == 4 ? "quartic" : "cubic");
    printf("# k\tkappa\ttau\tchi\te\tNe\tresidual\tcenter\n");
    for (long f = 0; f < found; f++) {
      printf("%ld\t%.8g\t%.6g\t%.6g\t%.4g\t%.1f\t%.2e\t", f, kap[f], tau[f], chi[f], part[f],
             part[f] * (double)g.sys->n, resid[f]);
      for (int a = 0; a < d; a++) printf("%s%.4f", a ? " " : "", cen[f * d + a]);
      printf("\n");
    }
  }
cleanup:
  if (h5) gv_h5_close(&h5, 0);
  gv_modes_free(&hm);
  free(sel);
  free(keep);
  free(seeds);
  free(modes);
  free(z);
  free(cands);
  free(kap);
  free(tau);
  free(chi);
  free(part);
  free(resid);
  free(cen);
  free(cpart);
  free(iters);
  free(conv);
  gv_dipole_result_destroy(&dres);
  gv_qlm_solver_destroy(&S);
  gv_pairset_destroy(&ps);
  gv_glass_free(&g);
  return status < 0 ? gv_cli_fail("nlmodes", status) : 0;
}
