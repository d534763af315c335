/* LAMMPS data files (atom_style atomic), read and write.
 *
 * Written layout: first line "glassvib glass: model=... (key=value)" (LAMMPS
 * ignores the first line), counts, box, Masses (all 1), "Atoms # atomic" with
 * "id type x y z ix iy iz", then "Velocities" when present. Types are species
 * + 1. Polydisperse models: every atom has type 1 and its size lambda_i as a
 * trailing comment "# size" (LAMMPS ignores comments), which glassvib reads
 * back. Positions are wrapped into the box with image flags, so a reader
 * recovers the unwrapped coordinates. The box must be LAMMPS-shaped: cell
 * vectors a = (lx,0,0), b = (xy,ly,0), c = (xz,yz,lz), i.e. h upper
 * triangular. 2D: z = 0 in a box -0.5 < z < 0.5 (run LAMMPS with
 * "dimension 2"). 4D cannot be written (GV_ENOTSUP). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/glass_internal.h"

int gv_glass_write_data(const char *path, const gv_glass *g) {
  int status = GV_OK;
  gv_outfile f = {0};
  const gv_system *s = g->sys;
  const int d = s->dim, poly = gv_model_is_polydisperse(&g->model);
  if (d > 3) return GV_ERROR(GV_ENOTSUP, "%s: LAMMPS data files hold 2D or 3D systems, not %dD", path, d);
  const double (*h)[GV_MAX_DIM] = s->box.h;
  for (int a = 0; a < d; a++)
    for (int b = 0; b < a; b++)
      if (h[a][b] != 0.0)
        return GV_ERROR(GV_ENOTSUP, "%s: LAMMPS needs an upper-triangular cell (h[%d][%d] = %g)", path, a, b, h[a][b]);
  GV_TRY(gv_outfile_open(&f, path));
  FILE *fp = f.fp;
  fprintf(fp, "glassvib glass: ");
  gv_glass_kv_write(fp, g);
  fprintf(fp, "\n\n%ld atoms\n%d atom types\n\n", s->n, poly ? 1 : g->model.ntypes);
  fprintf(fp, "0 %.17g xlo xhi\n0 %.17g ylo yhi\n", h[0][0], h[1][1]);
  if (d == 3) fprintf(fp, "0 %.17g zlo zhi\n", h[2][2]);
  else fprintf(fp, "-0.5 0.5 zlo zhi\n");
  double xy = h[0][1], xz = d == 3 ? h[0][2] : 0, yz = d == 3 ? h[1][2] : 0;
  if (!s->box.orthogonal) fprintf(fp, "%.17g %.17g %.17g xy xz yz\n", xy, xz, yz);
  fprintf(fp, "\nMasses\n\n");
  for (int t = 0; t < (poly ? 1 : g->model.ntypes); t++) fprintf(fp, "%d 1\n", t + 1);
  fprintf(fp, "\nAtoms # atomic\n\n");
  for (long i = 0; i < s->n; i++) {
    double sf[GV_MAX_DIM], xw[GV_MAX_DIM];
    long im[3] = {0, 0, 0};
    gv_box_to_fractional(&s->box, s->x + (size_t)i * d, sf);
    for (int a = 0; a < d; a++) {
      double fl = floor(sf[a]);
      im[a] = (long)fl;
      sf[a] -= fl;
    }
    gv_box_from_fractional(&s->box, sf, xw);
    fprintf(fp, "%ld %d %.17g %.17g %.17g %ld %ld %ld", i + 1, poly ? 1 : s->type[i] + 1, xw[0], xw[1],
            d == 3 ? xw[2] : 0.0, im[0], im[1], im[2]);
    if (poly) fprintf(fp, " # %.17g", s->size[i]);
    fputc('\n', fp);
  }
  if (s->v) {
    fprintf(fp, "\nVelocities\n\n");
    for (long i = 0; i < s->n; i++) {
      const double *v = s->v + (size_t)i * d;
      fprintf(fp, "%ld %.17g %.17g %.17g\n", i + 1, v[0], v[1], d == 3 ? v[2] : 0.0);
    }
  }
  if (ferror(fp)) { status = GV_ERROR(GV_EIO, "error writing '%s'", path); goto cleanup; }
  GV_TRY(gv_outfile_commit(&f));
cleanup:
  gv_outfile_abort(&f);
  return status;
}

static char *next_line(char **p) {
  if (!**p) return NULL;
  char *l = *p, *e = strchr(l, '\n');
  if (e) { *e = 0; *p = e + 1; } else *p += strlen(l);
  return l;
}

static int blank(const char *l) {
  for (; *l; l++) {
    if (*l == '#') return 1;
    if (!isspace((unsigned char)*l)) return 0;
  }
  return 1;
}

int gv_glass_read_data(const char *path, const char *model_name, int dim, gv_glass *g) {
  int status = GV_OK;
  char *text = NULL;
  char *seen = NULL;
  GV_TRY(gv_glass_slurp(path, &text, NULL));
  char *p = text;
  char *first = next_line(&p);
  if (!first) { status = GV_ERROR(GV_EFORMAT, "%s: empty file", path); goto cleanup; }
  GV_TRY(gv_glass_kv_apply(first, model_name, dim, g));
  const int d = g->model.dim, poly = gv_model_is_polydisperse(&g->model);
  if (d > 3) { status = GV_ERROR(GV_EFORMAT, "%s: LAMMPS data files are 2D or 3D", path); goto cleanup; }
  long n = -1;
  double lo[3] = {0, 0, 0}, hi[3] = {0, 0, 0}, tilt[3] = {0, 0, 0};
  int have[3] = {0, 0, 0};
  char *l;
  /* Header: until the first section keyword. */
  while ((l = next_line(&p))) {
    if (blank(l)) continue;
    double a, b, c;
    long k;
    if (strstr(l, "xy xz yz") && sscanf(l, "%lf %lf %lf", &a, &b, &c) == 3) {
      tilt[0] = a; tilt[1] = b; tilt[2] = c;
    } else if (strstr(l, "xlo xhi") && sscanf(l, "%lf %lf", &a, &b) == 2) { lo[0] = a; hi[0] = b; have[0] = 1; }
    else if (strstr(l, "ylo yhi") && sscanf(l, "%lf %lf", &a, &b) == 2) { lo[1] = a; hi[1] = b; have[1] = 1; }
    else if (strstr(l, "zlo zhi") && sscanf(l, "%lf %lf", &a, &b) == 2) { lo[2] = a; hi[2] = b; have[2] = 1; }
    else if (strstr(l, "atom types")) continue;
    else if (strstr(l, "atoms") && sscanf(l, "%ld", &k) == 1) n = k;
    else if (isalpha((unsigned char)l[strspn(l, " \t")])) break; /* a section */
  }
  if (n < 1 || !have[0] || !have[1] || (d == 3 && !have[2])) {
    status = GV_ERROR(GV_EFORMAT, "%s: header lacks the atom count or box bounds (truncated or not a data file?)", path);
    goto cleanup;
  }
  double hh[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  hh[0][0] = hi[0] - lo[0];
  hh[1][1] = hi[1] - lo[1];
  hh[0][1] = tilt[0];
  if (d == 3) {
    hh[2][2] = hi[2] - lo[2];
    hh[0][2] = tilt[1];
    hh[1][2] = tilt[2];
  }
  GV_TRY(gv_system_create(&g->sys, d, n, 0, !poly, poly));
  status = gv_box_init(&g->sys->box, d, hh);
  if (status) { status = gv_error_context(GV_EFORMAT, "%s: ", path); goto cleanup; }
  GV_ALLOC(seen, n);
  long natoms = 0;
  int in_atoms = 0, in_vel = 0;
  char *section = l;
  while (section) {
    in_atoms = strncmp(section + strspn(section, " \t"), "Atoms", 5) == 0;
    in_vel = strncmp(section + strspn(section, " \t"), "Velocities", 10) == 0;
    if (in_vel && !g->sys->v) {
      g->sys->v = calloc((size_t)n * d, sizeof *g->sys->v);
      if (!g->sys->v) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
    }
    section = NULL;
    while ((l = next_line(&p))) {
      if (blank(l)) continue;
      if (isalpha((unsigned char)l[strspn(l, " \t")])) { section = l; break; }
      if (in_atoms) {
        long id, im[3] = {0, 0, 0};
        int ty;
        double x[3];
        int k = sscanf(l, "%ld %d %lf %lf %lf %ld %ld %ld", &id, &ty, &x[0], &x[1], &x[2], &im[0], &im[1], &im[2]);
        if (k != 5 && k != 8) { status = GV_ERROR(GV_EFORMAT, "%s: bad Atoms line '%s' (atom_style atomic?)", path, l); goto cleanup; }
        if (id < 1 || id > n || seen[id - 1]) { status = GV_ERROR(GV_EFORMAT, "%s: atom id %ld out of range or repeated", path, id); goto cleanup; }
        seen[id - 1] = 1;
        natoms++;
        long i = id - 1;
        double sh[3];
        for (int a = 0; a < 3; a++) sh[a] = (double)im[a];
        for (int a = 0; a < d; a++) {
          double t = x[a] - lo[a];
          for (int b = 0; b < d; b++) t += hh[a][b] * sh[b];
          g->sys->x[(size_t)i * d + a] = t;
        }
        if (poly) {
          const char *hash = strchr(l, '#');
          char *end;
          double sz = hash ? strtod(hash + 1, &end) : NAN;
          if (!hash || end == hash + 1) { status = GV_ERROR(GV_EFORMAT, "%s: atom %ld has no '# size' comment (needed by %s)", path, id, g->model.name); goto cleanup; }
          g->sys->size[i] = sz;
        } else {
          if (ty < 1 || ty > g->model.ntypes) { status = GV_ERROR(GV_EFORMAT, "%s: atom %ld has type %d, model '%s' has 1..%d", path, id, ty, g->model.name, g->model.ntypes); goto cleanup; }
          g->sys->type[i] = ty - 1;
        }
      } else if (in_vel) {
        long id;
        double v[3];
        if (sscanf(l, "%ld %lf %lf %lf", &id, &v[0], &v[1], &v[2]) != 4 || id < 1 || id > n) {
          status = GV_ERROR(GV_EFORMAT, "%s: bad Velocities line '%s'", path, l);
          goto cleanup;
        }
        for (int a = 0; a < d; a++) g->sys->v[(size_t)(id - 1) * d + a] = v[a];
      }
    }
  }
  if (natoms != n) {
    status = GV_ERROR(GV_EFORMAT, "%s: %ld atoms listed, header says %ld (truncated file?)", path, natoms, n);
    goto cleanup;
  }
cleanup:
  free(seen);
  free(text);
  if (status) gv_system_destroy(&g->sys);
  return status;
}
