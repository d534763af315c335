/* glassvib minimize: quench a configuration (any readable glass format) to an
 * inherent state with FIRE 2.0 + L-BFGS (or CG) down to max force <= ftol.
 * Exit 3 if ftol was not reached (the output is written with converged = 0)
 * unless --allow-unconverged. */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "glassvib/dyn.h"

int gv_cmd_minimize(int argc, char **argv) {
  const char *model_name = NULL, *out = NULL, *minimizer = "lbfgs", *smoothing = NULL;
  long long dim = 0, threads = 0, max_iter = 1000000;
  double ftol = 1e-10, switch_ftol = NAN;
  int json = 0, quiet = 0, allow = 0;
  gv_arg args[] = {
      {"ftol", 0, GV_ARG_DOUBLE, &ftol, "F", "max force component to reach (default 1e-10)", GV_NO_RANGE, 0, 0},
      GV_ARG_INPUT_MODEL(&model_name),
      GV_ARG_INPUT_DIM(&dim),
      {"minimizer", 0, GV_ARG_STRING, &minimizer, "M", "finisher after FIRE 2.0: lbfgs (default) or cg", GV_NO_RANGE, 0, 0},
      {"switch-ftol", 0, GV_ARG_DOUBLE, &switch_ftol, "F", "hand over from FIRE to the finisher at this max force (default 1)", GV_NO_RANGE, 0, 0},
      {"max-iter", 0, GV_ARG_INT, &max_iter, "K", "iteration cap (default 1000000)", 1, 1e12, 0, 0},
      {"smoothing", 0, GV_ARG_STRING, &smoothing, "Q|cinf",
       "quench with another cutoff taper (0..4 or cinf; default: the input's): the same parent, two tapers",
       GV_NO_RANGE, 0, 0},
      {"allow-unconverged", 0, GV_ARG_FLAG, &allow, NULL, "exit 0 even if ftol was not reached", GV_NO_RANGE, 0, 0},
      {"out", 'o', GV_ARG_STRING, &out, "FILE", "output glass (.h5, .xyz or .data)", GV_NO_RANGE, 1, 0},
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_QUIET(&quiet),
      GV_ARG_END};
  gv_cmd_spec spec = {"minimize", "IN -o OUT [--ftol F] [--json]",
                      "Minimise the energy of a configuration (IN: .h5, .xyz, .data, or .dat with --model and "
                      "--dim) with FIRE 2.0 followed by L-BFGS (or CG) until the max force component is <= ftol, "
                      "and write the inherent state. --smoothing quenches with another cutoff taper than the "
                      "input's (the output records it), e.g. one equilibrated parent quenched with q = 2 and "
                      "cinf. Exit 3 if ftol was not reached (the output records converged = 0) unless "
                      "--allow-unconverged.",
                      1, 1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  double t0 = gv_wall_time();
  int status = GV_OK;
  gv_glass g;
  gv_glass_init(&g);
  gv_min_params mp;
  gv_min_params_default(&mp);
  gv_min_result r;
  memset(&r, 0, sizeof r);
  if (!(ftol > 0) || !isfinite(ftol)) {
    status = GV_ERROR(GV_EINVAL, "--ftol %g must be positive", ftol);
    goto cleanup;
  }
  mp.ftol = ftol;
  if (args[4].given) {
    if (!(switch_ftol > 0)) {
      status = GV_ERROR(GV_EINVAL, "--switch-ftol %g must be positive", switch_ftol);
      goto cleanup;
    }
    mp.switch_ftol = switch_ftol;
  }
  mp.max_iter = (long)max_iter;
  if (!strcmp(minimizer, "lbfgs")) mp.finisher = GV_MIN_LBFGS;
  else if (!strcmp(minimizer, "cg")) mp.finisher = GV_MIN_CG;
  else if (!strcmp(minimizer, "fire")) mp.finisher = GV_MIN_FIRE;
  else {
    status = GV_ERROR(GV_EINVAL, "--minimizer '%s': use lbfgs, cg or fire", minimizer);
    goto cleanup;
  }
  mp.progress = !quiet;
  GV_TRY(gv_cli_check_glass_out(out));
  GV_TRY(gv_glass_read(pos[0], model_name, (int)dim, &g));
  if (smoothing) { /* the stored taper was checked on reading; switch it before the quench */
    int q;
    GV_TRY(gv_model_parse_smoothing(smoothing, &q));
    GV_TRY(gv_model_set_smoothing(&g.model, q));
  }
  double e0 = NAN, f0 = NAN;
  GV_TRY(gv_glass_evaluate(&g));
  e0 = g.state.energy;
  f0 = g.state.max_force;
  int ms = gv_minimize_system(&g.model, g.sys, &mp, &r);
  if (ms < 0) {
    status = ms;
    goto cleanup;
  }
  /* an inherent state has no velocities */
  if (g.sys->v) {
    gv_system *s = NULL;
    GV_TRY(gv_system_create(&s, g.sys->dim, g.sys->n, 0, g.sys->type != NULL, g.sys->size != NULL));
    s->box = g.sys->box;
    memcpy(s->x, g.sys->x, (size_t)s->n * s->dim * sizeof *s->x);
    if (s->type) memcpy(s->type, g.sys->type, (size_t)s->n * sizeof *s->type);
    if (s->size) memcpy(s->size, g.sys->size, (size_t)s->n * sizeof *s->size);
    gv_system_destroy(&g.sys);
    g.sys = s;
  }
  if (!strcmp(g.protocol.kind, "import") || !g.protocol.kind[0])
    snprintf(g.protocol.kind, sizeof g.protocol.kind, "minimize");
  g.protocol.ftol = ftol;
  snprintf(g.protocol.minimizer, sizeof g.protocol.minimizer, "%s", r.method);
  g.protocol.min_iterations = r.iterations;
  GV_TRY(gv_glass_evaluate(&g));
  GV_TRY(gv_glass_write(out, &g));
  double wall = gv_wall_time() - t0;
  double n = (double)g.sys->n;
  char sm[64];
  gv_model_smoothing_name(&g.model, sm, sizeof sm);
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_str(&j, "input", pos[0]);
    gv_json_str(&j, "output", out);
    gv_json_str(&j, "model", g.model.name);
    gv_json_int(&j, "dim", g.sys->dim);
    gv_json_int(&j, "n", g.sys->n);
    gv_json_num(&j, "density", g.model.density);
    gv_json_str(&j, "smoothing", sm);
    gv_json_num(&j, "energy_per_particle", g.state.energy / n);
    gv_json_num(&j, "pressure", g.state.pressure);
    gv_json_num(&j, "max_force", g.state.max_force);
    gv_json_bool(&j, "converged", g.state.converged);
    gv_json_num(&j, "ftol", ftol);
    gv_json_str(&j, "minimizer", r.method);
    gv_json_int(&j, "iterations", r.iterations);
    gv_json_int(&j, "fire_iterations", r.fire_iterations);
    gv_json_int(&j, "finisher_iterations", r.finisher_iterations);
    gv_json_int(&j, "evaluations", r.evaluations);
    gv_json_num(&j, "initial_energy_per_particle", e0 / n);
    gv_json_num(&j, "initial_max_force", f0);
    gv_json_num(&j, "minimize_s", r.wall_s);
    gv_json_int(&j, "seed", (long long)g.seed);
    gv_json_int(&j, "threads", gv_threads());
    gv_json_num(&j, "wall_s", wall);
    gv_json_end(&j);
  } else {
    printf("input                %s (E/N %.10g, max force %.3e)\n", pos[0], e0 / n, f0);
    printf("output               %s\n", out);
    printf("model                %s (%dD, smoothing %s), N = %ld, density %.6g\n", g.model.name, g.sys->dim, sm,
           g.sys->n, g.model.density);
    gv_cli_print_state(&g, ftol, NULL);
    printf("minimiser            %s: %ld iterations (%ld FIRE + %ld finisher), %ld force evaluations, %.2f s\n",
           r.method, r.iterations, r.fire_iterations, r.finisher_iterations, r.evaluations, r.wall_s);
  }
  if (!g.state.converged && !allow) {
    status = gv_cli_refuse_unconverged(&g, ftol);
    goto cleanup;
  }
  status = GV_OK;
cleanup:
  gv_glass_free(&g);
  if (status) return gv_cli_fail("minimize", status);
  return 0;
}
