/* The native glass container (HDF5); layout documented in docs/formats.md.
 *
 *   /particles/positions  double [n][d]   Cartesian positions (lambda)
 *   /particles/types      int    [n]      species 0..ntypes-1 (binary models)
 *   /particles/sizes      double [n]      lambda_i (polydisperse models)
 *   /particles/velocities double [n][d]   optional
 *   /box                  double [d][d]   h, cell vectors as columns
 *   /model    attributes: every model parameter incl. taper coefficients
 *   /protocol attributes: how the glass was made
 *   /state    attributes: energy, energy_per_particle, pressure, max_force, converged
 *   /provenance (gv_h5_write_provenance, kind = "glass") */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/glass_internal.h"

static int write_model(gv_h5 *h, const gv_model *m) {
  int status = GV_OK;
  const char *o = "/model";
  char sm[64];
  gv_model_smoothing_name(m, sm, sizeof sm);
  GV_TRY(gv_h5_set_string(h, o, "name", m->name));
  GV_TRY(gv_h5_set_int(h, o, "dim", m->dim));
  GV_TRY(gv_h5_set_double(h, o, "density", m->density));
  GV_TRY(gv_h5_set_int(h, o, "smoothing", m->smoothing));
  GV_TRY(gv_h5_set_string(h, o, "smoothing_name", sm));
  GV_TRY(gv_h5_set_double(h, o, "x_c", m->x_c));
  GV_TRY(gv_h5_set_double(h, o, "x_on", m->x_on));
  GV_TRY(gv_h5_set_double(h, o, "n_exp", m->n_exp));
  GV_TRY(gv_h5_set_doubles(h, o, "taper_c", m->c, 5));
  GV_TRY(gv_h5_set_int(h, o, "polydisperse", gv_model_is_polydisperse(m)));
  if (gv_model_is_polydisperse(m)) {
    GV_TRY(gv_h5_set_double(h, o, "nonadd", m->nonadd));
    GV_TRY(gv_h5_set_double(h, o, "size_min", m->size_min));
    GV_TRY(gv_h5_set_double(h, o, "size_max", m->size_max));
    GV_TRY(gv_h5_set_double(h, o, "eps", m->eps[0][0]));
  } else {
    double lam[4] = {m->lambda[0][0], m->lambda[0][1], m->lambda[1][0], m->lambda[1][1]};
    double eps[4] = {m->eps[0][0], m->eps[0][1], m->eps[1][0], m->eps[1][1]};
    GV_TRY(gv_h5_set_int(h, o, "ntypes", m->ntypes));
    GV_TRY(gv_h5_set_doubles(h, o, "fraction", m->fraction, 2));
    GV_TRY(gv_h5_set_doubles(h, o, "lambda", lam, 4));
    GV_TRY(gv_h5_set_doubles(h, o, "eps", eps, 4));
  }
cleanup:
  return status;
}

int gv_glass_write_h5(const char *path, const gv_glass *g) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  int *types = NULL;
  const gv_system *s = g->sys;
  const int d = s->dim;
  size_t dims[2] = {(size_t)s->n, (size_t)d};
  GV_TRY(gv_h5_create(&h, path));
  GV_TRY(gv_h5_write_doubles(h, "/particles/positions", s->x, 2, dims));
  if (s->v) GV_TRY(gv_h5_write_doubles(h, "/particles/velocities", s->v, 2, dims));
  if (gv_model_is_polydisperse(&g->model)) {
    GV_TRY(gv_h5_write_doubles(h, "/particles/sizes", s->size, 1, dims));
  } else {
    GV_TRY(gv_h5_write_ints(h, "/particles/types", s->type, 1, dims));
  }
  double hm[GV_MAX_DIM * GV_MAX_DIM];
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) hm[a * d + b] = s->box.h[a][b];
  size_t bd[2] = {(size_t)d, (size_t)d};
  GV_TRY(gv_h5_write_doubles(h, "/box", hm, 2, bd));
  GV_TRY(gv_h5_set_string(h, "/box", "convention", "columns are the cell vectors: x = h s, s in [0,1)^d"));
  GV_TRY(gv_h5_set_double(h, "/box", "volume", gv_box_volume(&s->box)));
  GV_TRY(write_model(h, &g->model));
  const gv_protocol *p = &g->protocol;
  const char *o = "/protocol";
  GV_TRY(gv_h5_set_string(h, o, "kind", p->kind[0] ? p->kind : "import"));
  GV_TRY(gv_h5_set_double(h, o, "tp", p->tp));
  GV_TRY(gv_h5_set_double(h, o, "rate", p->rate));
  GV_TRY(gv_h5_set_double(h, o, "equil_time", p->equil_time));
  GV_TRY(gv_h5_set_double(h, o, "dt", p->dt));
  GV_TRY(gv_h5_set_string(h, o, "thermostat", p->thermostat));
  GV_TRY(gv_h5_set_int(h, o, "swap_sweeps", p->swap_sweeps));
  GV_TRY(gv_h5_set_double(h, o, "swap_prob", p->swap_prob));
  GV_TRY(gv_h5_set_double(h, o, "ftol", p->ftol));
  GV_TRY(gv_h5_set_string(h, o, "minimizer", p->minimizer));
  GV_TRY(gv_h5_set_int(h, o, "min_iterations", p->min_iterations));
  o = "/state";
  GV_TRY(gv_h5_set_int(h, o, "n", s->n));
  GV_TRY(gv_h5_set_int(h, o, "dim", d));
  GV_TRY(gv_h5_set_double(h, o, "density", gv_system_density(s)));
  GV_TRY(gv_h5_set_double(h, o, "energy", g->state.energy));
  GV_TRY(gv_h5_set_double(h, o, "energy_per_particle", g->state.energy / (double)s->n));
  GV_TRY(gv_h5_set_double(h, o, "pressure", g->state.pressure));
  GV_TRY(gv_h5_set_double(h, o, "max_force", g->state.max_force));
  GV_TRY(gv_h5_set_int(h, o, "converged", g->state.converged));
  GV_TRY(gv_h5_write_provenance(h, "glass", g->seed));
  status = gv_h5_close(&h, 1);
cleanup:
  free(types);
  if (h) gv_h5_close(&h, 0);
  return status;
}

static int get_double_or_nan(gv_h5 *h, const char *o, const char *name, double *v) {
  if (!gv_h5_has_attr(h, o, name)) {
    *v = NAN;
    return GV_OK;
  }
  return gv_h5_get_double(h, o, name, v);
}

int gv_glass_read_h5(const char *path, gv_glass *g) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  double *x = NULL, *v = NULL, *sz = NULL, *hm = NULL;
  int *types = NULL;
  int rank;
  size_t dims[4], vd[4], bd[4], td[4];
  char name[32], kind[64];
  long long ll;
  GV_TRY(gv_h5_open(&h, path));
  if (gv_h5_has_attr(h, "/provenance", "kind")) {
    GV_TRY(gv_h5_get_string(h, "/provenance", "kind", kind, sizeof kind));
    if (strcmp(kind, "glass")) {
      status = GV_ERROR(GV_EFORMAT, "%s is a glassvib '%s' file, not a glass", path, kind);
      goto cleanup;
    }
  }
  if (!gv_h5_exists(h, "/particles/positions") || !gv_h5_exists(h, "/model") || !gv_h5_exists(h, "/box")) {
    status = GV_ERROR(GV_EFORMAT, "%s: not a glass file (needs /particles/positions, /box and /model)", path);
    goto cleanup;
  }
  GV_TRY(gv_h5_get_string(h, "/model", "name", name, sizeof name));
  GV_TRY(gv_h5_get_int(h, "/model", "dim", &ll));
  int dim = (int)ll;
  GV_TRY(gv_model_init(&g->model, name, dim));
  gv_model *m = &g->model;
  GV_TRY(gv_h5_get_double(h, "/model", "x_c", &m->x_c));
  GV_TRY(gv_h5_get_double(h, "/model", "x_on", &m->x_on));
  GV_TRY(gv_h5_get_double(h, "/model", "n_exp", &m->n_exp));
  if (gv_model_is_polydisperse(m)) {
    GV_TRY(gv_h5_get_double(h, "/model", "nonadd", &m->nonadd));
    GV_TRY(gv_h5_get_double(h, "/model", "size_min", &m->size_min));
    GV_TRY(gv_h5_get_double(h, "/model", "size_max", &m->size_max));
    GV_TRY(gv_h5_get_double(h, "/model", "eps", &m->eps[0][0]));
  } else {
    double lam[4], eps[4];
    GV_TRY(gv_h5_get_doubles(h, "/model", "fraction", m->fraction, 2));
    GV_TRY(gv_h5_get_doubles(h, "/model", "lambda", lam, 4));
    GV_TRY(gv_h5_get_doubles(h, "/model", "eps", eps, 4));
    for (int k = 0; k < 4; k++) {
      m->lambda[k / 2][k % 2] = lam[k];
      m->eps[k / 2][k % 2] = eps[k];
    }
  }
  GV_TRY(gv_h5_get_int(h, "/model", "smoothing", &ll));
  GV_TRY(gv_model_set_smoothing(m, (int)ll));
  double c[5];
  GV_TRY(gv_h5_get_doubles(h, "/model", "taper_c", c, 5));
  for (int l = 0; l < 5; l++)
    if (fabs(c[l] - m->c[l]) > 1e-9 * (1 + fabs(m->c[l]))) {
      status = GV_ERROR(GV_EFORMAT, "%s: stored taper coefficient c_%d = %.17g disagrees with the model's %.17g",
                        path, 2 * l, c[l], m->c[l]);
      goto cleanup;
    }
  GV_TRY(gv_h5_read_doubles(h, "/particles/positions", &x, &rank, dims));
  if (rank != 2 || (int)dims[1] != dim) {
    status = GV_ERROR(GV_EFORMAT, "%s: /particles/positions must be [n][%d]", path, dim);
    goto cleanup;
  }
  long n = (long)dims[0];
  GV_TRY(gv_h5_read_doubles(h, "/box", &hm, &rank, bd));
  if (rank != 2 || (int)bd[0] != dim || (int)bd[1] != dim) {
    status = GV_ERROR(GV_EFORMAT, "%s: /box must be [%d][%d]", path, dim, dim);
    goto cleanup;
  }
  int poly = gv_model_is_polydisperse(m);
  int has_v = gv_h5_exists(h, "/particles/velocities");
  if (n < 1) {
    status = GV_ERROR(GV_EFORMAT, "%s: no particles", path);
    goto cleanup;
  }
  GV_TRY(gv_system_create(&g->sys, dim, n, has_v, !poly, poly));
  double hh[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (int a = 0; a < dim; a++)
    for (int b = 0; b < dim; b++) hh[a][b] = hm[a * dim + b];
  status = gv_box_init(&g->sys->box, dim, hh);
  if (status) { status = gv_error_context(GV_EFORMAT, "%s: ", path); goto cleanup; }
  memcpy(g->sys->x, x, (size_t)n * dim * sizeof *x);
  if (has_v) {
    GV_TRY(gv_h5_read_doubles(h, "/particles/velocities", &v, &rank, vd));
    if (rank != 2 || vd[0] != dims[0] || vd[1] != dims[1]) {
      status = GV_ERROR(GV_EFORMAT, "%s: /particles/velocities must be [%ld][%d]", path, n, dim);
      goto cleanup;
    }
    memcpy(g->sys->v, v, (size_t)n * dim * sizeof *v);
  }
  if (poly) {
    GV_TRY(gv_h5_read_doubles(h, "/particles/sizes", &sz, &rank, td));
    if (rank != 1 || (long)td[0] != n) {
      status = GV_ERROR(GV_EFORMAT, "%s: /particles/sizes must be [%ld]", path, n);
      goto cleanup;
    }
    memcpy(g->sys->size, sz, (size_t)n * sizeof *sz);
  } else {
    GV_TRY(gv_h5_read_ints(h, "/particles/types", &types, &rank, td));
    if (rank != 1 || (long)td[0] != n) {
      status = GV_ERROR(GV_EFORMAT, "%s: /particles/types must be [%ld]", path, n);
      goto cleanup;
    }
    memcpy(g->sys->type, types, (size_t)n * sizeof *types);
  }
  /* Protocol and state are informative: missing entries stay NaN. */
  gv_protocol *p = &g->protocol;
  if (gv_h5_has_attr(h, "/protocol", "kind")) GV_TRY(gv_h5_get_string(h, "/protocol", "kind", p->kind, sizeof p->kind));
  GV_TRY(get_double_or_nan(h, "/protocol", "tp", &p->tp));
  GV_TRY(get_double_or_nan(h, "/protocol", "rate", &p->rate));
  GV_TRY(get_double_or_nan(h, "/protocol", "equil_time", &p->equil_time));
  GV_TRY(get_double_or_nan(h, "/protocol", "dt", &p->dt));
  GV_TRY(get_double_or_nan(h, "/protocol", "swap_prob", &p->swap_prob));
  GV_TRY(get_double_or_nan(h, "/protocol", "ftol", &p->ftol));
  if (gv_h5_has_attr(h, "/protocol", "thermostat"))
    GV_TRY(gv_h5_get_string(h, "/protocol", "thermostat", p->thermostat, sizeof p->thermostat));
  if (gv_h5_has_attr(h, "/protocol", "minimizer"))
    GV_TRY(gv_h5_get_string(h, "/protocol", "minimizer", p->minimizer, sizeof p->minimizer));
  if (gv_h5_has_attr(h, "/protocol", "swap_sweeps")) {
    GV_TRY(gv_h5_get_int(h, "/protocol", "swap_sweeps", &ll));
    p->swap_sweeps = (long)ll;
  }
  if (gv_h5_has_attr(h, "/protocol", "min_iterations")) {
    GV_TRY(gv_h5_get_int(h, "/protocol", "min_iterations", &ll));
    p->min_iterations = (long)ll;
  }
  GV_TRY(get_double_or_nan(h, "/state", "energy", &g->state.energy));
  GV_TRY(get_double_or_nan(h, "/state", "pressure", &g->state.pressure));
  GV_TRY(get_double_or_nan(h, "/state", "max_force", &g->state.max_force));
  if (gv_h5_has_attr(h, "/state", "converged")) {
    GV_TRY(gv_h5_get_int(h, "/state", "converged", &ll));
    g->state.converged = (int)ll;
  }
  if (gv_h5_has_attr(h, "/provenance", "seed")) {
    GV_TRY(gv_h5_get_int(h, "/provenance", "seed", &ll));
    g->seed = (uint64_t)ll;
  }
cleanup:
  if (status < 0 && status != GV_EFORMAT && status != GV_EIO && status != GV_ENOMEM)
    status = gv_error_context(GV_EFORMAT, "%s: ", path);
  free(x);
  free(v);
  free(sz);
  free(hm);
  free(types);
  gv_h5_close(&h, 0);
  if (status) gv_system_destroy(&g->sys);
  return status;
}
