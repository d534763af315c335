/* glassvib info FILE [--model M --dim D] [--json]: describe a glassvib file.
 * Glass files (.h5, .xyz, .data, .dat) are read, validated and re-evaluated
 * (energy, pressure, max force from the configuration); other glassvib .h5
 * files (modes, khgps, ...) are identified by /provenance/kind. */
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "glassvib/ensemble.h"
#include "glassvib/glass.h"

/* An ensemble run in progress (OUT.parts of an output not written yet). */
static int info_ensemble(const char *path, const gv_ensemble_progress_info *e, int json, double t0) {
  double frac = e->samples > 0 ? (double)e->done / (double)e->samples : 0;
  double eta = e->rate > 0 ? (double)(e->samples - e->done) / e->rate : NAN;
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_str(&j, "file", path);
    gv_json_str(&j, "kind", "ensemble-run");
    gv_json_str(&j, "run_directory", e->dir);
    gv_json_str(&j, "fingerprint", e->fingerprint);
    gv_json_str(&j, "created", e->created);
    gv_json_int(&j, "samples", e->samples);
    gv_json_int(&j, "done", e->done);
    gv_json_int(&j, "corrupt", e->corrupt);
    gv_json_int(&j, "in_flight", e->in_flight);
    gv_json_int(&j, "stale_claims", e->stale);
    gv_json_num(&j, "fraction", frac);
    gv_json_num(&j, "rate_per_s", e->rate);
    gv_json_num(&j, "eta_s", eta);
    gv_json_num(&j, "wall_s", gv_wall_time() - t0);
    gv_json_end(&j);
  } else {
    printf("file          %s (not written yet: ensemble in progress)\nrun directory %s\nparameters    %s\n"
           "created       %s\nprogress      %ld of %ld samples done (%.1f%%), %ld in flight, %ld corrupt\n",
           path, e->dir, e->fingerprint, e->created, e->done, e->samples, 100 * frac, e->in_flight, e->corrupt);
    if (e->stale) printf("stale claims  %ld (their processes are gone; a re-run takes them over)\n", e->stale);
    if (isfinite(e->rate)) printf("rate          %.4g samples/s, about %.0f s to go\n", e->rate, eta);
  }
  return 0;
}

static int info_other_h5(const char *path, const char *kind, int json, double t0) {
  gv_h5 *h = NULL;
  int status = gv_h5_open(&h, path);
  if (status) return gv_cli_fail("info", status);
  char version[64] = "", date[64] = "", cmdline[1024] = "";
  long long seed = 0;
  gv_h5_get_string(h, "/provenance", "version", version, sizeof version);
  gv_h5_get_string(h, "/provenance", "date", date, sizeof date);
  gv_h5_get_string(h, "/provenance", "command_line", cmdline, sizeof cmdline);
  if (gv_h5_has_attr(h, "/provenance", "seed")) gv_h5_get_int(h, "/provenance", "seed", &seed);
  gv_h5_close(&h, 0);
  gv_error_clear();
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_str(&j, "file", path);
    gv_json_str(&j, "kind", kind);
    gv_json_str(&j, "version", version);
    gv_json_str(&j, "date", date);
    gv_json_str(&j, "command_line", cmdline);
    gv_json_int(&j, "seed", seed);
    gv_json_num(&j, "wall_s", gv_wall_time() - t0);
    gv_json_end(&j);
  } else {
    printf("file          %s\nkind          glassvib '%s' file\nversion       %s\ndate          %s\nseed          %lld\n"
           "command line  %s\n", path, kind, version, date, seed, cmdline);
  }
  return 0;
}

int gv_cmd_info(int argc, char **argv) {
  const char *model = NULL;
  long long dim = 0, threads = 0;
  int json = 0;
  gv_arg args[] = {
      GV_ARG_INPUT_MODEL(&model),
      GV_ARG_INPUT_DIM(&dim),
      GV_ARG_JSON(&json),
      GV_ARG_THREADS(&threads),
      GV_ARG_END};
  gv_cmd_spec spec = {"info", "FILE [--model M --dim D] [--json]",
                      "Describe a glassvib file: for a glass (.h5, .xyz, .data, or .dat with --model/--dim) the "
                      "model, size, density and the energy, pressure and max force recomputed from the "
                      "configuration; for other glassvib .h5 files their kind and provenance.",
                      1, 1};
  const char **pos;
  int npos;
  int rc = gv_cli_parse(&spec, args, argc, argv, &pos, &npos);
  if (rc) return rc > 0 ? 0 : 2;
  double t0 = gv_wall_time();
  const char *path = pos[0];

  /* An ensemble still being computed: its run directory shows the progress. */
  struct stat sb;
  if (stat(path, &sb) != 0 || S_ISDIR(sb.st_mode)) {
    gv_ensemble_progress_info ep;
    if (gv_ensemble_progress(path, 1, &ep) == GV_OK) return info_ensemble(path, &ep, json, t0);
    gv_error_clear();
  }

  /* A glassvib .h5 that is not a glass: describe its provenance only. */
  size_t pl = strlen(path);
  if (pl > 3 && !strcmp(path + pl - 3, ".h5")) {
    gv_h5 *h = NULL;
    int status = gv_h5_open(&h, path);
    if (status) return gv_cli_fail("info", status);
    char kind[64] = "";
    if (gv_h5_has_attr(h, "/provenance", "kind")) gv_h5_get_string(h, "/provenance", "kind", kind, sizeof kind);
    gv_h5_close(&h, 0);
    if (kind[0] && strcmp(kind, "glass")) return info_other_h5(path, kind, json, t0);
  }

  gv_glass g;
  int status = gv_glass_read(path, model, (int)dim, &g);
  if (status) return gv_cli_fail("info", status);
  double stored_e = g.state.energy, stored_p = g.state.pressure, stored_f = g.state.max_force;
  status = gv_glass_evaluate(&g);
  if (status) {
    gv_glass_free(&g);
    return gv_cli_fail("info", status);
  }
  const gv_system *s = g.sys;
  char sm[64];
  gv_model_smoothing_name(&g.model, sm, sizeof sm);
  double n = (double)s->n;
  if (json) {
    gv_json j;
    gv_json_begin(&j, stdout);
    gv_json_str(&j, "file", path);
    gv_json_str(&j, "kind", "glass");
    gv_json_str(&j, "model", g.model.name);
    gv_json_int(&j, "dim", s->dim);
    gv_json_int(&j, "n", s->n);
    gv_json_num(&j, "density", gv_system_density(s));
    gv_json_str(&j, "smoothing", sm);
    gv_json_num(&j, "energy", g.state.energy);
    gv_json_num(&j, "energy_per_particle", g.state.energy / n);
    gv_json_num(&j, "pressure", g.state.pressure);
    gv_json_num(&j, "max_force", g.state.max_force);
    gv_json_num(&j, "stored_energy_per_particle", stored_e / n);
    gv_json_num(&j, "stored_pressure", stored_p);
    gv_json_num(&j, "stored_max_force", stored_f);
    gv_json_str(&j, "protocol", g.protocol.kind);
    gv_json_num(&j, "tp", g.protocol.tp);
    gv_json_bool(&j, "velocities", s->v != NULL);
    gv_json_int(&j, "seed", (long long)g.seed);
    gv_json_num(&j, "wall_s", gv_wall_time() - t0);
    gv_json_end(&j);
  } else {
    printf("file                 %s\n", path);
    printf("model                %s (%dD, smoothing %s)\n", g.model.name, s->dim, sm);
    printf("particles            %ld%s\n", s->n, s->v ? " (with velocities)" : "");
    printf("density              %.10g\n", gv_system_density(s));
    printf("box                  %s, volume %.10g\n", s->box.orthogonal ? "orthogonal" : "triclinic",
           gv_box_volume(&s->box));
    printf("energy per particle  %.12g\n", g.state.energy / n);
    printf("pressure             %.10g\n", g.state.pressure);
    printf("max force component  %.3e\n", g.state.max_force);
    if (isfinite(stored_e))
      printf("stored state         E/N %.12g, p %.10g, max force %.3e\n", stored_e / n, stored_p, stored_f);
    printf("protocol             %s", g.protocol.kind);
    if (isfinite(g.protocol.tp)) printf(", T_p = %g", g.protocol.tp);
    printf("\nseed                 %llu\n", (unsigned long long)g.seed);
  }
  gv_glass_free(&g);
  return 0;
}
