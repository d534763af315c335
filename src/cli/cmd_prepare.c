/* glassvib prepare: make a glass (random liquid -> equilibrium at T_p by MD or
 * swap MC -> optional continuous cooling -> inherent state). The physics is in
 * src/dyn/prepare.c; this file parses, calls gv_prepare and writes outputs. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/dyn.h"
#include "glassvib/ensemble_models.h"

/* --samples M: M glasses OUT_000.ext ... through the ensemble engine (resumable,
 * MPI-distributed; docs/cluster.md). Only rank 0 reports. */
static int prepare_ensemble(const gv_model *m, long n, const gv_prepare_params *p, long samples, const char *out,
                            int json, int quiet, int allow, double t0) {
  gv_ensemble_prepare_item *it = calloc((size_t)samples, sizeof *it);
  if (!it) return GV_ERROR(GV_ENOMEM, "out of memory");
  gv_ensemble_stats st;
  int status = gv_ensemble_prepare_run(m, n, p, samples, out, it, quiet ? NULL : "prepare", &st);
  if (status < 0 || !gv_ensemble_is_root()) goto done;
  if (status == GV_ENSEMBLE_PENDING) {
    fprintf(stderr, "glassvib prepare: %ld glasses are still being made by other processes; the last one to "
            "finish reports\n", st.pending);
    status = GV_OK;
    goto done;
  }
  long nconv = 0;
  double emean = 0;
  for (long k = 0; k < samples; k++) {
    nconv += it[k].converged != 0;
    emean += it[k].energy_per_particle / (double)samples;
  }
  double wall = gv_wall_time() - t0;
  char path[4096];
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_int(&j, "samples", samples);
    gv_json_int(&j, "computed", st.computed);
    gv_json_int(&j, "resumed", st.resumed);
    gv_json_int(&j, "converged", nconv);
    gv_json_num(&j, "energy_per_particle_mean", emean);
    gv_json_array_begin(&j, "outputs");
    for (long k = 0; k < samples; k++) {
      gv_ensemble_member_path(out, k, samples, path, sizeof path);
      gv_json_str(&j, NULL, path);
    }
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "seeds");
    for (long k = 0; k < samples; k++) gv_json_int(&j, NULL, (long long)it[k].seed);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "energy_per_particle");
    for (long k = 0; k < samples; k++) gv_json_num(&j, NULL, it[k].energy_per_particle);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "pressure");
    for (long k = 0; k < samples; k++) gv_json_num(&j, NULL, it[k].pressure);
    gv_json_array_end(&j);
    gv_json_array_begin(&j, "max_force");
    for (long k = 0; k < samples; k++) gv_json_num(&j, NULL, it[k].max_force);
    gv_json_array_end(&j);
    gv_json_num(&j, "wall_s", wall);
    gv_json_end(&j);
  } else {
    for (long k = 0; k < samples; k++) {
      gv_ensemble_member_path(out, k, samples, path, sizeof path);
      printf("%s  E/N %.12g  p %.8g  max force %.2e%s  seed %llu\n", path, it[k].energy_per_particle, it[k].pressure,
             it[k].max_force, it[k].converged ? "" : " (NOT converged)", (unsigned long long)it[k].seed);
    }
    printf("%ld glasses (%ld computed, %ld resumed), <E/N> = %.12g, wall %.2f s\n", samples, st.computed, st.resumed,
           emean, wall);
  }
  if (status == GV_NOT_CONVERGED && !allow) {
    status = GV_ERROR(GV_NOT_CONVERGED, "%ld of %ld glasses did not reach --ftol (written with converged = 0; pass "
                      "--allow-unconverged to accept them)", samples - nconv, samples);
    goto done;
  }
  status = GV_OK;
  gv_ensemble_prepare_finish(out); /* every glass is committed: drop OUT.parts */
done:
  free(it);
  return status;
}

static void print_summary(const gv_glass *g, const gv_prepare_info *info, const char *out, double wall) {
  const gv_system *s = g->sys;
  char sm[64];
  gv_model_smoothing_name(&g->model, sm, sizeof sm);
  printf("glass                %s\n", out);
  printf("model                %s (%dD, smoothing %s), N = %ld, density %.6g\n", g->model.name, s->dim, sm, s->n,
         g->model.density);
  if (!strcmp(g->protocol.kind, "rate"))
    printf("protocol             rate %g from T_p = %g\n", g->protocol.rate, g->protocol.tp);
  else
    printf("protocol             instant quench from T_p = %g\n", g->protocol.tp);
  if (isfinite(info->mean_T)) printf("MD kinetic T         %.4f (equilibration, second half)\n", info->mean_T);
  if (isfinite(info->mc_acceptance))
    printf("swap MC              %ld sweeps, step %.4f, acceptance %.3f (displacements) %.3f (swaps)\n",
           g->protocol.swap_sweeps, info->mc_step, info->mc_acceptance, info->swap_acceptance);
  char how[96];
  snprintf(how, sizeof how, "%s, %ld iterations", g->protocol.minimizer, g->protocol.min_iterations);
  gv_cli_print_state(g, g->protocol.ftol, how);
  printf("seed                 %llu\n", (unsigned long long)g->seed);
  printf("wall time            %.2f s (equilibrate %.2f, cool %.2f, minimise %.2f)\n", wall, info->t_equil,
         info->t_cool, info->t_min);
}

/* The parent of glass g (its configuration before the quench) as a glass file of protocol
 * kind "parent": same model, seed and T_p, not minimised (converged = 0). Takes *parent. */
static int write_parent(const char *path, const gv_glass *g, gv_system **parent) {
  int status = GV_OK;
  gv_glass pg;
  gv_glass_init(&pg);
  pg.model = g->model;
  pg.seed = g->seed;
  pg.protocol = g->protocol;
  snprintf(pg.protocol.kind, sizeof pg.protocol.kind, "parent");
  pg.protocol.minimizer[0] = 0;
  pg.protocol.min_iterations = 0;
  pg.sys = *parent;
  *parent = NULL;
  GV_TRY(gv_glass_evaluate(&pg));
  GV_TRY(gv_glass_write(path, &pg));
cleanup:
  gv_glass_free(&pg);
  return status;
}

int gv_cmd_prepare(int argc, char **argv) {
  const char *model_name = NULL, *smoothing = NULL, *protocol = "instant", *out = NULL, *minimizer = "lbfgs";
  const char *parent_out = NULL;
  long long dim = 0, n = 0, threads = 0, sweeps = 0;
  double density = NAN, tp = NAN, equil_time = NAN, dt = NAN, gamma = NAN, t_end = NAN, ftol = 1e-10;
  double p_swap = NAN, max_dsize = NAN;
  uint64_t seed = GV_DEFAULT_SEED;
  long long samples = 0;
  int json = 0, quiet = 0, allow = 0, no_swap = 0;
  gv_arg args[] = {
      {"model", 0, GV_ARG_STRING, &model_name, "M", "model: ipl, poly, poly-nbc, kablj", GV_NO_RANGE, 1, 0},
      {"dim", 0, GV_ARG_INT, &dim, "D", "space dimension (2, 3, 4)", 2, 4, 1, 0},
      {"n", 0, GV_ARG_INT, &n, "N", "number of particles (>= 2)", 2, 1e9, 1, 0},
      {"density", 0, GV_ARG_DOUBLE, &density, "RHO", "number density N/V (default: the model card's)", GV_NO_RANGE, 0, 0},
      {"smoothing", 0, GV_ARG_STRING, &smoothing, "Q|cinf", "cutoff taper: polynomial order 0..4 or cinf (default: model's)", GV_NO_RANGE, 0, 0},
      {"tp", 0, GV_ARG_DOUBLE, &tp, "T", "parent temperature T_p (eps/k_B, > 0)", GV_NO_RANGE, 1, 0},
      {"protocol", 0, GV_ARG_STRING, &protocol, "P", "instant (default) or rate:R (cool at dT/dt = -R after equilibration)", GV_NO_RANGE, 0, 0},
      {"equil-time", 0, GV_ARG_DOUBLE, &equil_time, "T", "equilibration at T_p in MD time units (default 10); swap MC: 100 sweeps per unit", GV_NO_RANGE, 0, 0},
      {"sweeps", 0, GV_ARG_INT, &sweeps, "S", "swap MC sweeps (overrides --equil-time for poly, poly-nbc)", 1, 1e15, 0, 0},
      {"no-swap", 0, GV_ARG_FLAG, &no_swap, NULL, "equilibrate poly/poly-nbc by MD instead of swap MC", GV_NO_RANGE, 0, 0},
      {"p-swap", 0, GV_ARG_DOUBLE, &p_swap, "P", "swap MC: probability of a size swap per attempt (default 0.2)", 0, 1, 0, 0},
      {"max-dsize", 0, GV_ARG_DOUBLE, &max_dsize, "D", "swap MC: reject swaps with |l_i - l_j| > D (default: no cut)", GV_NO_RANGE, 0, 0},
      {"dt", 0, GV_ARG_DOUBLE, &dt, "DT", "MD time step (default 0.005)", GV_NO_RANGE, 0, 0},
      {"gamma", 0, GV_ARG_DOUBLE, &gamma, "G", "Langevin friction (default 1)", GV_NO_RANGE, 0, 0},
      {"t-end", 0, GV_ARG_DOUBLE, &t_end, "T", "rate protocol: cooling stops at this temperature (default 0.01)", GV_NO_RANGE, 0, 0},
      {"ftol", 0, GV_ARG_DOUBLE, &ftol, "F", "minimisation: max force component (default 1e-10)", GV_NO_RANGE, 0, 0},
      {"minimizer", 0, GV_ARG_STRING, &minimizer, "M", "finisher after FIRE 2.0: lbfgs (default) or cg", GV_NO_RANGE, 0, 0},
      {"allow-unconverged", 0, GV_ARG_FLAG, &allow, NULL, "exit 0 even if ftol was not reached (the file says converged = 0)", GV_NO_RANGE, 0, 0},
      GV_ARG_SEED(&seed),
      {"out", 'o', GV_ARG_STRING, &out, "FILE", "output glass (.h5, .xyz or .data)", GV_NO_RANGE, 1, 0},
      {"parent-out", 0, GV_ARG_STRING, &parent_out, "FILE",
       "also write the parent: the configuration at T_p (or after cooling) before the quench, to quench again "
       "(e.g. minimize --smoothing)", GV_NO_RANGE, 0, 0},
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      {"samples", 0, GV_ARG_INT, &samples, "M", "make M glasses OUT_000.ext ... (member k: seed from (seed, k)); resumable, MPI-distributed (docs/cluster.md)", 1, 1e9, 0, 0},
      GV_ARG_END};
  gv_cmd_spec spec = {"prepare",
                      "--model M --dim D --n N [--density RHO] [--smoothing Q|cinf] --tp T "
                      "[--protocol instant|rate:R] [--equil-time T] [--seed S] -o glass.h5 [--json]",
                      "Make a glass: a random liquid of N particles equilibrated at the parent temperature T_p "
                      "(Langevin MD; swap Monte Carlo for poly and poly-nbc), optionally cooled at rate R, then "
                      "quenched to an inherent state (FIRE 2.0 + L-BFGS) with max force <= ftol. Exit 3 if ftol "
                      "was not reached (unless --allow-unconverged). --parent-out also writes the configuration "
                      "before the quench. See docs/glasses.md.",
                      0, 0};
  int rc = gv_cli_parse(&spec, args, argc, argv, NULL, NULL);
  if (rc) return rc > 0 ? 0 : 2;
  if (samples > 0 && gv_ensemble_comm_init() != GV_OK) return gv_cli_fail("prepare", GV_EIO);
  if (!gv_ensemble_is_root()) quiet = 1; /* MPI ranks > 0: rank 0 reports */
  if (quiet) gv_log_set_level(GV_LOG_QUIET);
  double t0 = gv_wall_time();
  int status = GV_OK;
  gv_glass g;
  gv_glass_init(&g);
  gv_model m;
  gv_prepare_params p;
  gv_prepare_info info;
  memset(&info, 0, sizeof info);
  gv_prepare_params_default(&p);

  /* validate everything before any work */
  GV_TRY(gv_model_init(&m, model_name, (int)dim));
  if (args[3].given) {
    if (!(density > 0) || !isfinite(density)) {
      status = GV_ERROR(GV_EINVAL, "--density %g must be positive", density);
      goto cleanup;
    }
    m.density = density;
  }
  if (smoothing) {
    int q;
    GV_TRY(gv_model_parse_smoothing(smoothing, &q));
    GV_TRY(gv_model_set_smoothing(&m, q));
  }
  GV_TRY(gv_model_validate(&m));
  if (!(tp > 0) || !isfinite(tp)) {
    status = GV_ERROR(GV_EINVAL, "--tp %g: the parent temperature must be positive", tp);
    goto cleanup;
  }
  p.tp = tp;
  GV_TRY(gv_protocol_parse(protocol, &p));
  if (args[7].given) {
    if (!(equil_time >= 0)) {
      status = GV_ERROR(GV_EINVAL, "--equil-time %g must be >= 0", equil_time);
      goto cleanup;
    }
    p.equil_time = equil_time;
  }
  if (sweeps > 0) p.sweeps = sweeps;
  if (no_swap) p.use_swap = 0;
  if (args[10].given) p.p_swap = p_swap;
  if (args[11].given) p.max_dsize = max_dsize;
  if (args[12].given) {
    if (!(dt > 0) || !(dt < 0.1)) {
      status = GV_ERROR(GV_EINVAL, "--dt %g must be in (0, 0.1)", dt);
      goto cleanup;
    }
    p.md.dt = dt;
  }
  if (args[13].given) {
    if (!(gamma > 0)) {
      status = GV_ERROR(GV_EINVAL, "--gamma %g must be positive", gamma);
      goto cleanup;
    }
    p.md.gamma = gamma;
  }
  if (args[14].given) p.t_end = t_end;
  if (!(ftol > 0) || !isfinite(ftol)) {
    status = GV_ERROR(GV_EINVAL, "--ftol %g must be positive", ftol);
    goto cleanup;
  }
  p.min.ftol = ftol;
  if (!strcmp(minimizer, "lbfgs")) p.min.finisher = GV_MIN_LBFGS;
  else if (!strcmp(minimizer, "cg")) p.min.finisher = GV_MIN_CG;
  else {
    status = GV_ERROR(GV_EINVAL, "--minimizer '%s': use lbfgs or cg", minimizer);
    goto cleanup;
  }
  p.seed = seed;
  p.progress = !quiet;
  p.min.progress = !quiet;
  GV_TRY(gv_cli_check_glass_out(out));
  if (parent_out) {
    if (samples > 0) {
      status = GV_ERROR(GV_EINVAL, "--parent-out writes one parent: not with --samples");
      goto cleanup;
    }
    GV_TRY(gv_cli_check_glass_out(parent_out));
    p.keep_parent = 1;
  }

  if (samples > 0) {
    status = prepare_ensemble(&m, (long)n, &p, (long)samples, out, json, quiet, allow, t0);
    goto cleanup;
  }
  int prep = gv_prepare(&m, (long)n, &p, &g, &info);
  if (prep < 0) {
    status = prep;
    goto cleanup;
  }
  GV_TRY(gv_glass_write(out, &g));
  if (parent_out) GV_TRY(write_parent(parent_out, &g, &info.parent));
  double wall = gv_wall_time() - t0;
  if (json) {
    char sm[64];
    gv_model_smoothing_name(&g.model, sm, sizeof sm);
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_str(&j, "model", g.model.name);
    gv_json_int(&j, "dim", g.sys->dim);
    gv_json_int(&j, "n", g.sys->n);
    gv_json_num(&j, "density", g.model.density);
    gv_json_str(&j, "smoothing", sm);
    gv_json_num(&j, "energy_per_particle", g.state.energy / (double)g.sys->n);
    gv_json_num(&j, "pressure", g.state.pressure);
    gv_json_num(&j, "max_force", g.state.max_force);
    gv_json_bool(&j, "converged", g.state.converged);
    gv_json_num(&j, "ftol", g.protocol.ftol);
    gv_json_str(&j, "minimizer", g.protocol.minimizer);
    gv_json_int(&j, "iterations", info.min.iterations);
    gv_json_int(&j, "fire_iterations", info.min.fire_iterations);
    gv_json_int(&j, "finisher_iterations", info.min.finisher_iterations);
    gv_json_int(&j, "evaluations", info.min.evaluations);
    gv_json_str(&j, "protocol", g.protocol.kind);
    gv_json_num(&j, "tp", g.protocol.tp);
    gv_json_num(&j, "rate", g.protocol.rate);
    gv_json_num(&j, "equil_time", g.protocol.equil_time);
    gv_json_int(&j, "swap_sweeps", g.protocol.swap_sweeps);
    gv_json_num(&j, "md_temperature", info.mean_T);
    gv_json_num(&j, "mc_acceptance", info.mc_acceptance);
    gv_json_num(&j, "swap_acceptance", info.swap_acceptance);
    gv_json_int(&j, "seed", (long long)g.seed);
    gv_json_int(&j, "threads", gv_threads());
    gv_json_str(&j, "output", out);
    if (parent_out) gv_json_str(&j, "parent_output", parent_out);
    gv_json_num(&j, "wall_s", wall);
    gv_json_end(&j);
  } else {
    print_summary(&g, &info, out, wall);
    if (parent_out) printf("parent               %s (the configuration before the quench)\n", parent_out);
  }
  if (prep == GV_NOT_CONVERGED && !allow) {
    status = gv_cli_refuse_unconverged(&g, ftol);
    goto cleanup;
  }
  status = GV_OK;
cleanup:
  gv_system_destroy(&info.parent);
  gv_glass_free(&g);
  if (status) return gv_cli_fail("prepare", status);
  return 0;
}
