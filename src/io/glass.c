/* Glass files: dispatch by extension, validation shared by every reader, and
 * the key=value model description used by the text formats.
 *
 * Every reader ends in gv_glass_finish_read: N >= 2, the system fits the model
 * (dim, species or sizes, finite coordinates), no two particles closer than
 * 1e-3 lambda_ij (they would make the energy overflow), and the cutoff fits in
 * the box; the model's density is set to the file's N / V. */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/glass_internal.h"

void gv_glass_init(gv_glass *g) {
  memset(g, 0, sizeof *g);
  g->sys = NULL;
  g->model.density = NAN;
  snprintf(g->protocol.kind, sizeof g->protocol.kind, "%s", "import");
  g->protocol.tp = g->protocol.rate = g->protocol.equil_time = g->protocol.dt = NAN;
  g->protocol.swap_prob = g->protocol.ftol = NAN;
  g->state.energy = g->state.pressure = g->state.max_force = NAN;
  g->state.converged = 0;
  g->seed = 0;
}

void gv_glass_free(gv_glass *g) {
  gv_system_destroy(&g->sys);
}

static const char *extension(const char *path) {
  const char *slash = strrchr(path, '/');
  const char *dot = strrchr(path, '.');
  if (!dot || (slash && dot < slash)) return "";
  return dot + 1;
}

int gv_glass_format(const char *path) {
  const char *e = extension(path);
  if (!strcmp(e, "h5") || !strcmp(e, "hdf5")) return 1;
  if (!strcmp(e, "xyz") || !strcmp(e, "extxyz")) return 2;
  if (!strcmp(e, "data") || !strcmp(e, "lmp")) return 3;
  if (!strcmp(e, "dat")) return 4;
  return 0;
}

int gv_glass_finish_read(gv_glass *g, const char *path) {
  int status = GV_OK;
  gv_system *s = g->sys;
  if (!s) return GV_ERROR(GV_EFORMAT, "%s: no particles", path);
  if (s->n < 2) return GV_ERROR(GV_EFORMAT, "%s: N = %ld, a glass needs at least 2 particles", path, s->n);
  status = gv_model_check_system(&g->model, s);
  if (status) return gv_error_context(GV_EFORMAT, "%s: ", path);
  double rc = gv_model_max_cutoff(&g->model, s);
  if (!(rc < 0.5 * gv_box_min_width(&s->box)))
    return GV_ERROR(GV_EFORMAT, "%s: box too small (narrowest width %g) for the cutoff %g", path,
                    gv_box_min_width(&s->box), rc);
  status = gv_model_check_overlaps(&g->model, s, 1e-3);
  if (status) return gv_error_context(GV_EFORMAT, "%s: ", path);
  g->model.density = gv_system_density(s);
  status = gv_model_validate(&g->model);
  if (status) return gv_error_context(GV_EFORMAT, "%s: ", path);
  return GV_OK;
}

int gv_glass_read(const char *path, const char *model_name, int dim, gv_glass *g) {
  gv_glass_init(g);
  int status;
  switch (gv_glass_format(path)) {
  case 1: status = gv_glass_read_h5(path, g); break;
  case 2: status = gv_glass_read_xyz(path, model_name, dim, g); break;
  case 3: status = gv_glass_read_data(path, model_name, dim, g); break;
  case 4: status = gv_glass_read_dat(path, model_name, dim, g); break;
  default:
    return GV_ERROR(GV_EINVAL, "%s: unknown file extension (use .h5, .xyz, .data or .dat)", path);
  }
  if (!status) status = gv_glass_finish_read(g, path);
  if (status) gv_glass_free(g);
  return status;
}

int gv_glass_write(const char *path, const gv_glass *g) {
  if (!g->sys) return GV_ERROR(GV_EINVAL, "no configuration to write");
  int status = gv_model_check_system(&g->model, g->sys);
  if (status) return status;
  switch (gv_glass_format(path)) {
  case 1: return gv_glass_write_h5(path, g);
  case 2: return gv_glass_write_xyz(path, g);
  case 3: return gv_glass_write_data(path, g);
  case 4: return GV_ERROR(GV_ENOTSUP, "%s: the .dat format is read-only (write .h5, .xyz or .data)", path);
  default: return GV_ERROR(GV_EINVAL, "%s: unknown file extension (use .h5, .xyz or .data)", path);
  }
}

int gv_glass_evaluate(gv_glass *g) {
  if (!g->sys) return GV_ERROR(GV_EINVAL, "no configuration");
  int status = GV_OK;
  double *f = NULL;
  size_t nd = (size_t)g->sys->n * (size_t)g->sys->dim;
  GV_ALLOC(f, nd);
  gv_eval ev;
  GV_TRY(gv_compute(&g->model, g->sys, NULL, f, &ev));
  g->state.energy = ev.energy;
  g->state.pressure = ev.pressure;
  g->state.max_force = ev.max_force;
  g->state.converged = isfinite(g->protocol.ftol) ? ev.max_force <= g->protocol.ftol : 0;
cleanup:
  free(f);
  return status;
}

/* ------------------------------------------------------------ text helpers */

int gv_glass_slurp(const char *path, char **text, size_t *len) {
  *text = NULL;
  FILE *fp = fopen(path, "rb");
  if (!fp) return GV_ERROR(GV_EIO, "cannot open '%s': no such readable file", path);
  size_t cap = 1 << 16, n = 0;
  char *buf = malloc(cap);
  if (!buf) { fclose(fp); return GV_ERROR(GV_ENOMEM, "out of memory"); }
  for (;;) {
    if (n + 1 >= cap) {
      char *nb = realloc(buf, cap *= 2);
      if (!nb) { free(buf); fclose(fp); return GV_ERROR(GV_ENOMEM, "out of memory"); }
      buf = nb;
    }
    size_t k = fread(buf + n, 1, cap - n - 1, fp);
    n += k;
    if (k == 0) break;
  }
  int err = ferror(fp);
  fclose(fp);
  if (err) { free(buf); return GV_ERROR(GV_EIO, "error reading '%s'", path); }
  buf[n] = 0;
  if (memchr(buf, 0, n)) { free(buf); return GV_ERROR(GV_EFORMAT, "'%s' is not a text file", path); }
  *text = buf;
  if (len) *len = n;
  return GV_OK;
}

int gv_glass_kv_get(const char *line, const char *key, char *val, size_t n) {
  size_t kl = strlen(key);
  const char *p = line;
  while (*p) {
    while (*p && isspace((unsigned char)*p)) p++;
    const char *k0 = p;
    while (*p && *p != '=' && !isspace((unsigned char)*p)) p++;
    size_t klen = (size_t)(p - k0);
    if (*p != '=') {
      continue;
    }
    p++;
    const char *v0, *v1;
    if (*p == '"') {
      v0 = ++p;
      while (*p && *p != '"') p++;
      v1 = p;
      if (*p) p++;
    } else {
      v0 = p;
      while (*p && !isspace((unsigned char)*p)) p++;
      v1 = p;
    }
    if (klen == kl && !strncasecmp(k0, key, kl)) {
      size_t vl = (size_t)(v1 - v0);
      if (vl >= n) vl = n - 1;
      memcpy(val, v0, vl);
      val[vl] = 0;
      return 1;
    }
  }
  return 0;
}

void gv_glass_kv_write(FILE *fp, const gv_glass *g) {
  const gv_model *m = &g->model;
  char sm[64];
  if (m->smoothing == GV_SMOOTH_CINF) snprintf(sm, sizeof sm, "cinf");
  else snprintf(sm, sizeof sm, "%d", m->smoothing);
  fprintf(fp, "model=%s dim=%d density=%.17g smoothing=%s x_c=%.17g x_on=%.17g n_exp=%.17g", m->name, m->dim,
          m->density, sm, m->x_c, m->x_on, m->n_exp);
  fprintf(fp, " taper_c=\"%.17g %.17g %.17g %.17g %.17g\"", m->c[0], m->c[1], m->c[2], m->c[3], m->c[4]);
  if (gv_model_is_polydisperse(m))
    fprintf(fp, " nonadd=%.17g size_min=%.17g size_max=%.17g", m->nonadd, m->size_min, m->size_max);
  else
    fprintf(fp, " fraction=\"%.17g %.17g\" lambda=\"%.17g %.17g %.17g\" eps=\"%.17g %.17g %.17g\"", m->fraction[0],
            m->fraction[1], m->lambda[0][0], m->lambda[0][1], m->lambda[1][1], m->eps[0][0], m->eps[0][1],
            m->eps[1][1]);
  fprintf(fp, " energy=%.17g pressure=%.17g max_force=%.17g converged=%d seed=%llu protocol=%s", g->state.energy,
          g->state.pressure, g->state.max_force, g->state.converged, (unsigned long long)g->seed,
          g->protocol.kind[0] ? g->protocol.kind : "import");
}

static int parse_doubles(const char *s, double *v, int n) {
  char *end;
  for (int k = 0; k < n; k++) {
    v[k] = strtod(s, &end);
    if (end == s) return k;
    s = end;
  }
  return n;
}

int gv_glass_kv_apply(const char *line, const char *model_name, int dim, gv_glass *g) {
  char v[512], name[32] = "";
  int status;
  if (model_name && *model_name) snprintf(name, sizeof name, "%s", model_name);
  else if (gv_glass_kv_get(line, "model", v, sizeof v)) snprintf(name, sizeof name, "%s", v);
  else return GV_ERROR(GV_EINVAL, "the file does not name its model: give one (--model)");
  int d = dim;
  if (d <= 0 && gv_glass_kv_get(line, "dim", v, sizeof v)) d = atoi(v);
  if (d <= 0) d = 3;
  status = gv_model_init(&g->model, name, d);
  if (status) return status;
  gv_model *m = &g->model;
  int same = !model_name || !*model_name ||
             (gv_glass_kv_get(line, "model", v, sizeof v) && !strcmp(v, model_name));
  if (!same) return GV_OK; /* the user overrides the file's model: defaults only */
  double x;
  if (gv_glass_kv_get(line, "x_c", v, sizeof v) && parse_doubles(v, &x, 1) == 1) m->x_c = x;
  if (gv_glass_kv_get(line, "x_on", v, sizeof v) && parse_doubles(v, &x, 1) == 1) m->x_on = x;
  if (gv_glass_kv_get(line, "n_exp", v, sizeof v) && parse_doubles(v, &x, 1) == 1) m->n_exp = x;
  if (gv_glass_kv_get(line, "nonadd", v, sizeof v) && parse_doubles(v, &x, 1) == 1) m->nonadd = x;
  if (gv_glass_kv_get(line, "size_min", v, sizeof v) && parse_doubles(v, &x, 1) == 1) m->size_min = x;
  if (gv_glass_kv_get(line, "size_max", v, sizeof v) && parse_doubles(v, &x, 1) == 1) m->size_max = x;
  double t[3];
  if (gv_glass_kv_get(line, "fraction", v, sizeof v) && parse_doubles(v, t, 2) == 2) {
    m->fraction[0] = t[0];
    m->fraction[1] = t[1];
  }
  if (gv_glass_kv_get(line, "lambda", v, sizeof v) && parse_doubles(v, t, 3) == 3) {
    m->lambda[0][0] = t[0];
    m->lambda[0][1] = m->lambda[1][0] = t[1];
    m->lambda[1][1] = t[2];
  }
  if (gv_glass_kv_get(line, "eps", v, sizeof v) && parse_doubles(v, t, 3) == 3) {
    m->eps[0][0] = t[0];
    m->eps[0][1] = m->eps[1][0] = t[1];
    m->eps[1][1] = t[2];
  }
  int sm = m->smoothing;
  if (gv_glass_kv_get(line, "smoothing", v, sizeof v)) {
    status = gv_model_parse_smoothing(v, &sm);
    if (status) return status;
  }
  status = gv_model_set_smoothing(m, sm);
  if (status) return status;
  double c[5];
  if (gv_glass_kv_get(line, "taper_c", v, sizeof v) && parse_doubles(v, c, 5) == 5)
    for (int l = 0; l < 5; l++)
      if (fabs(c[l] - m->c[l]) > 1e-9 * (1 + fabs(m->c[l])))
        return GV_ERROR(GV_EFORMAT, "stored taper coefficient c_%d = %.17g disagrees with the model's %.17g", 2 * l,
                        c[l], m->c[l]);
  if (gv_glass_kv_get(line, "energy", v, sizeof v)) g->state.energy = strtod(v, NULL);
  if (gv_glass_kv_get(line, "pressure", v, sizeof v)) g->state.pressure = strtod(v, NULL);
  if (gv_glass_kv_get(line, "max_force", v, sizeof v)) g->state.max_force = strtod(v, NULL);
  if (gv_glass_kv_get(line, "converged", v, sizeof v)) g->state.converged = atoi(v);
  if (gv_glass_kv_get(line, "seed", v, sizeof v)) g->seed = strtoull(v, NULL, 10);
  return GV_OK;
}
