/* The plain format of the Lerner group (shared/reference_snapshots), read only.
 *
 *   line 1:  L  h1 h2 ...        box side L, then header numbers (not used)
 *   line k:  s_1 .. s_d  [v_1 .. v_d]  c
 * s = scaled coordinates in [0,1) (x = L s), velocities in model units when
 * present (column count 2d+1 instead of d+1), c the species 0/1 (binary
 * models) or the size lambda_i (polydisperse models). The file does not say
 * which model or dimension it holds: both are arguments. A file cut at a line
 * boundary is caught by its density: N / L^d must agree with the model's
 * default density within 2 % (the files hold no particle count). */
#include <ctype.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "io/glass_internal.h"

static int count_numbers(const char *p, const char *end) {
  int k = 0;
  while (p < end) {
    while (p < end && isspace((unsigned char)*p)) p++;
    if (p >= end) break;
    k++;
    while (p < end && !isspace((unsigned char)*p)) p++;
  }
  return k;
}

int gv_glass_read_dat(const char *path, const char *model_name, int dim, gv_glass *g) {
  int status = GV_OK;
  char *text = NULL;
  double *row = NULL;
  if (!model_name || !*model_name || dim <= 0)
    return GV_ERROR(GV_EINVAL, "%s: a .dat file needs --model and --dim", path);
  GV_TRY(gv_model_init(&g->model, model_name, dim));
  GV_TRY(gv_glass_slurp(path, &text, NULL));
  /* Split lines, skipping blank ones. */
  char *p = text, *line_end;
  long nlines = 0;
  for (char *q = text; *q; q++)
    if (*q == '\n') nlines++;
  nlines++;
  /* Header. */
  while (*p && isspace((unsigned char)*p)) p++;
  line_end = strchr(p, '\n');
  if (!line_end) line_end = p + strlen(p);
  char *end;
  double L = strtod(p, &end);
  if (end == p || !(L > 0) || !isfinite(L)) {
    status = GV_ERROR(GV_EFORMAT, "%s: first line must start with the box length L", path);
    goto cleanup;
  }
  p = line_end;
  int poly = gv_model_is_polydisperse(&g->model);
  int ncol = -1;
  long n = 0, cap = 1024;
  size_t rowsz = (size_t)cap * (size_t)(2 * dim + 1);
  GV_ALLOC(row, rowsz);
  long lineno = 1;
  while (*p) {
    if (*p == '\n') { p++; lineno++; continue; }
    line_end = strchr(p, '\n');
    if (!line_end) line_end = p + strlen(p);
    int k = count_numbers(p, line_end);
    if (k == 0) { p = line_end; continue; }
    if (ncol < 0) {
      ncol = k;
      if (ncol != dim + 1 && ncol != 2 * dim + 1) {
        status = GV_ERROR(GV_EFORMAT, "%s line %ld: %d columns; a %dD file has %d (positions, species/size) or %d "
                          "(with velocities)", path, lineno, k, dim, dim + 1, 2 * dim + 1);
        goto cleanup;
      }
    }
    if (k != ncol) {
      status = GV_ERROR(GV_EFORMAT, "%s line %ld: %d columns instead of %d (truncated or corrupt file?)", path,
                        lineno, k, ncol);
      goto cleanup;
    }
    if (n == cap) {
      cap *= 2;
      double *nr = realloc(row, (size_t)cap * (2 * dim + 1) * sizeof *row);
      if (!nr) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
      row = nr;
    }
    char *q = p;
    for (int c = 0; c < ncol; c++) {
      double v = strtod(q, &end);
      if (end == q || !isfinite(v)) {
        status = GV_ERROR(GV_EFORMAT, "%s line %ld: column %d is not a finite number", path, lineno, c + 1);
        goto cleanup;
      }
      row[(size_t)n * (2 * dim + 1) + c] = v;
      q = end;
    }
    n++;
    p = line_end;
  }
  (void)nlines;
  if (n < 2) {
    status = GV_ERROR(GV_EFORMAT, "%s: %ld particle lines, a glass needs at least 2", path, n);
    goto cleanup;
  }
  double rho = (double)n / pow(L, dim);
  if (fabs(rho / g->model.density - 1) > 0.02) {
    status = GV_ERROR(GV_EFORMAT,
                      "%s: density N/L^%d = %.6g differs from the %s %dD density %.6g (truncated file, or wrong "
                      "--model/--dim?)", path, dim, rho, model_name, dim, g->model.density);
    goto cleanup;
  }
  int vel = ncol == 2 * dim + 1;
  GV_TRY(gv_system_create(&g->sys, dim, n, vel, !poly, poly));
  GV_TRY(gv_box_init_cubic(&g->sys->box, dim, L));
  for (long i = 0; i < n; i++) {
    const double *r = row + (size_t)i * (2 * dim + 1);
    for (int a = 0; a < dim; a++) {
      if (r[a] < -0.5 || r[a] > 1.5) {
        status = GV_ERROR(GV_EFORMAT, "%s: particle %ld coordinate %g is not scaled to [0,1)", path, i, r[a]);
        goto cleanup;
      }
      g->sys->x[(size_t)i * dim + a] = L * r[a];
      if (vel) g->sys->v[(size_t)i * dim + a] = r[dim + a];
    }
    double c = r[ncol - 1];
    if (poly) {
      if (!(c > 0)) {
        status = GV_ERROR(GV_EFORMAT, "%s: particle %ld has size %g (must be positive)", path, i, c);
        goto cleanup;
      }
      g->sys->size[i] = c;
    } else {
      if (c != 0 && c != 1) {
        status = GV_ERROR(GV_EFORMAT, "%s: particle %ld has species %g (a binary model needs 0 or 1)", path, i, c);
        goto cleanup;
      }
      g->sys->type[i] = (int)c;
    }
  }
  snprintf(g->protocol.kind, sizeof g->protocol.kind, "import");
cleanup:
  free(text);
  free(row);
  if (status) gv_system_destroy(&g->sys);
  return status;
}
