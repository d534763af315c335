/* Extended XYZ (OVITO, ASE): one frame.
 *
 *   line 1: N
 *   line 2: Lattice="a_x a_y a_z b_x b_y b_z c_x c_y c_z" Properties=species:S:1:pos:R:3[:velo:R:3]
 *           [:size:R:1][:w:R:1[:vw:R:1]] pbc="T T T" gv_h="h (row-major d x d)" model=... (key=value)
 *   then one line per particle.
 * Species are "A"/"B" (types 0/1; polydisperse particles are all "A" with a
 * size column). 2D: pos has z = 0, the lattice gets a unit c vector and
 * pbc="T T F". 4D: pos holds the first three coordinates (a 3D projection for
 * viewers), the fourth is the extra column w (and vw for velocities), and the
 * lattice holds the 3x3 block of h; gv_h keeps the exact d x d cell. The
 * key=value pairs after the standard keys describe the model, taper and state,
 * so glassvib reads the file back without --model. Numbers use %.17g (exact
 * round trip). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/glass_internal.h"

int gv_glass_write_xyz(const char *path, const gv_glass *g) {
  int status = GV_OK;
  gv_outfile f = {0};
  const gv_system *s = g->sys;
  const int d = s->dim, poly = gv_model_is_polydisperse(&g->model);
  GV_TRY(gv_outfile_open(&f, path));
  FILE *fp = f.fp;
  fprintf(fp, "%ld\n", s->n);
  double L3[3][3] = {{0}};
  for (int a = 0; a < 3; a++)
    for (int b = 0; b < 3; b++) L3[a][b] = (a < d && b < d) ? s->box.h[a][b] : 0.0;
  if (d == 2) L3[2][2] = 1.0;
  fprintf(fp, "Lattice=\"");
  for (int b = 0; b < 3; b++)
    for (int a = 0; a < 3; a++) fprintf(fp, "%.17g%s", L3[a][b], (a == 2 && b == 2) ? "\"" : " ");
  fprintf(fp, " Properties=species:S:1:pos:R:3");
  if (s->v) fprintf(fp, ":velo:R:3");
  if (poly) fprintf(fp, ":size:R:1");
  if (d == 4) fprintf(fp, s->v ? ":w:R:1:vw:R:1" : ":w:R:1");
  fprintf(fp, " pbc=\"%s\" gv_h=\"", d == 2 ? "T T F" : "T T T");
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) fprintf(fp, "%.17g%s", s->box.h[a][b], (a == d - 1 && b == d - 1) ? "\"" : " ");
  fputc(' ', fp);
  gv_glass_kv_write(fp, g);
  fputc('\n', fp);
  for (long i = 0; i < s->n; i++) {
    const double *x = s->x + (size_t)i * d;
    fprintf(fp, "%s %.17g %.17g %.17g", (!poly && s->type[i] == 1) ? "B" : "A", x[0], x[1], d >= 3 ? x[2] : 0.0);
    if (s->v) {
      const double *v = s->v + (size_t)i * d;
      fprintf(fp, " %.17g %.17g %.17g", v[0], v[1], d >= 3 ? v[2] : 0.0);
    }
    if (poly) fprintf(fp, " %.17g", s->size[i]);
    if (d == 4) {
      fprintf(fp, " %.17g", x[3]);
      if (s->v) fprintf(fp, " %.17g", s->v[(size_t)i * d + 3]);
    }
    fputc('\n', fp);
  }
  if (ferror(fp)) { status = GV_ERROR(GV_EIO, "error writing '%s'", path); goto cleanup; }
  GV_TRY(gv_outfile_commit(&f));
cleanup:
  gv_outfile_abort(&f);
  return status;
}

/* Column layout from Properties=name:type:count:... */
typedef struct {
  int species, species_str, pos, npos, velo, nvelo, size, w, vw, ncol;
} xyz_cols;

static int parse_properties(const char *prop, xyz_cols *c) {
  memset(c, -1, sizeof *c);
  c->ncol = 0;
  char buf[512];
  snprintf(buf, sizeof buf, "%s", prop);
  char *save = NULL;
  char *name = strtok_r(buf, ":", &save);
  while (name) {
    char *type = strtok_r(NULL, ":", &save), *cnt = strtok_r(NULL, ":", &save);
    if (!type || !cnt) return GV_ERROR(GV_EFORMAT, "malformed Properties=%s", prop);
    int k = atoi(cnt);
    if (k < 1 || k > 16) return GV_ERROR(GV_EFORMAT, "malformed Properties=%s", prop);
    if (!strcmp(name, "species")) {
      c->species = c->ncol;
      c->species_str = (type[0] == 'S');
    } else if (!strcmp(name, "pos")) {
      c->pos = c->ncol;
      c->npos = k;
    } else if (!strcmp(name, "velo") || !strcmp(name, "vel") || !strcmp(name, "velocities")) {
      c->velo = c->ncol;
      c->nvelo = k;
    } else if (!strcmp(name, "size")) {
      c->size = c->ncol;
    } else if (!strcmp(name, "w")) {
      c->w = c->ncol;
    } else if (!strcmp(name, "vw")) {
      c->vw = c->ncol;
    }
    c->ncol += k;
    name = strtok_r(NULL, ":", &save);
  }
  if (c->pos < 0) return GV_ERROR(GV_EFORMAT, "Properties has no pos column");
  return GV_OK;
}

int gv_glass_read_xyz(const char *path, const char *model_name, int dim, gv_glass *g) {
  int status = GV_OK;
  char *text = NULL, val[2048];
  char **tok = NULL;
  GV_TRY(gv_glass_slurp(path, &text, NULL));
  char *line1 = text, *line2 = strchr(text, '\n');
  if (!line2) { status = GV_ERROR(GV_EFORMAT, "%s: missing comment line (truncated file?)", path); goto cleanup; }
  *line2++ = 0;
  char *body = strchr(line2, '\n');
  if (!body) { status = GV_ERROR(GV_EFORMAT, "%s: no particle lines (truncated file?)", path); goto cleanup; }
  *body++ = 0;
  char *end;
  long n = strtol(line1, &end, 10);
  while (*end && isspace((unsigned char)*end)) end++;
  if (end == line1 || *end || n < 1) {
    status = GV_ERROR(GV_EFORMAT, "%s: first line must be the number of particles", path);
    goto cleanup;
  }
  GV_TRY(gv_glass_kv_apply(line2, model_name, dim, g));
  const int d = g->model.dim;
  const int poly = gv_model_is_polydisperse(&g->model);
  double hh[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  if (gv_glass_kv_get(line2, "gv_h", val, sizeof val)) {
    char *p = val;
    for (int a = 0; a < d; a++)
      for (int b = 0; b < d; b++) {
        hh[a][b] = strtod(p, &end);
        if (end == p) { status = GV_ERROR(GV_EFORMAT, "%s: gv_h needs %d numbers", path, d * d); goto cleanup; }
        p = end;
      }
  } else if (gv_glass_kv_get(line2, "Lattice", val, sizeof val)) {
    if (d > 3) { status = GV_ERROR(GV_EFORMAT, "%s: a 4D file needs gv_h", path); goto cleanup; }
    char *p = val;
    double L9[9];
    for (int k = 0; k < 9; k++) {
      L9[k] = strtod(p, &end);
      if (end == p) { status = GV_ERROR(GV_EFORMAT, "%s: Lattice needs 9 numbers", path); goto cleanup; }
      p = end;
    }
    for (int a = 0; a < d; a++)
      for (int b = 0; b < d; b++) hh[a][b] = L9[3 * b + a];
  } else {
    status = GV_ERROR(GV_EFORMAT, "%s: no Lattice in the comment line (a periodic box is needed)", path);
    goto cleanup;
  }
  xyz_cols c;
  if (!gv_glass_kv_get(line2, "Properties", val, sizeof val)) snprintf(val, sizeof val, "species:S:1:pos:R:3");
  GV_TRY(parse_properties(val, &c));
  if (c.npos < (d < 3 ? d : 3) || (d == 4 && c.w < 0)) {
    status = GV_ERROR(GV_EFORMAT, "%s: positions have %d columns, a %dD glass needs %d", path, c.npos, d, d);
    goto cleanup;
  }
  if (poly && c.size < 0) { status = GV_ERROR(GV_EFORMAT, "%s: model '%s' needs a size column", path, g->model.name); goto cleanup; }
  if (!poly && c.species < 0) { status = GV_ERROR(GV_EFORMAT, "%s: model '%s' needs a species column", path, g->model.name); goto cleanup; }
  int has_v = c.velo >= 0 && c.nvelo >= (d < 3 ? d : 3) && (d < 4 || c.vw >= 0);
  GV_TRY(gv_system_create(&g->sys, d, n, has_v, !poly, poly));
  status = gv_box_init(&g->sys->box, d, hh);
  if (status) { status = gv_error_context(GV_EFORMAT, "%s: ", path); goto cleanup; }
  GV_ALLOC(tok, c.ncol);
  char *p = body;
  for (long i = 0; i < n; i++) {
    char *le = strchr(p, '\n');
    if (!le && !*p) {
      status = GV_ERROR(GV_EFORMAT, "%s: %ld particle lines, expected %ld (truncated file?)", path, i, n);
      goto cleanup;
    }
    if (le) *le = 0;
    int k = 0;
    char *save = NULL;
    for (char *t = strtok_r(p, " \t\r", &save); t && k < c.ncol; t = strtok_r(NULL, " \t\r", &save)) tok[k++] = t;
    if (k < c.ncol) {
      status = GV_ERROR(GV_EFORMAT, "%s: particle %ld has %d columns, expected %d (truncated file?)", path, i, k, c.ncol);
      goto cleanup;
    }
    for (int a = 0; a < d; a++) {
      const char *t = a < 3 ? tok[c.pos + a] : tok[c.w];
      double x = strtod(t, &end);
      if (end == t) { status = GV_ERROR(GV_EFORMAT, "%s: particle %ld: bad coordinate '%s'", path, i, t); goto cleanup; }
      g->sys->x[(size_t)i * d + a] = x;
      if (has_v) {
        t = a < 3 ? tok[c.velo + a] : tok[c.vw];
        g->sys->v[(size_t)i * d + a] = strtod(t, NULL);
      }
    }
    if (poly) {
      g->sys->size[i] = strtod(tok[c.size], &end);
    } else {
      const char *t = tok[c.species];
      int ty;
      if (!strcmp(t, "A")) ty = 0;
      else if (!strcmp(t, "B")) ty = 1;
      else {
        ty = (int)strtol(t, &end, 10);
        if (end == t || *end) { status = GV_ERROR(GV_EFORMAT, "%s: particle %ld: unknown species '%s'", path, i, t); goto cleanup; }
      }
      g->sys->type[i] = ty;
    }
    if (!le) { p += strlen(p); } else p = le + 1;
  }
cleanup:
  free(tok);
  free(text);
  if (status) gv_system_destroy(&g->sys);
  return status;
}
