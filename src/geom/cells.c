/* Cell list with O(1) particle moves, for Monte Carlo: the particles within
 * `range` of any point are among the members of the 3^d' cells around it
 * (same slab construction as the Verlet list, see neighbors.c). Members are
 * kept in doubly linked lists so that an accepted move costs O(1). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom_internal.h"

void gv_geom_choose_cells(const gv_box *b, double range, long n, int m[GV_MAX_DIM]);
long gv_geom_stencil(int d, const int m[GV_MAX_DIM], int st[81][GV_MAX_DIM]);

struct gv_cells {
  int dim;
  long n;
  double range;
  gv_box box;
  int m[GV_MAX_DIM];
  long ncell;
  long nstencil;
  int stencil[81][GV_MAX_DIM];
  long *head, *next, *prev, *cell_of;
  long *buf; /* candidate buffer [n] */
};

static long cell_of_position(const gv_cells *c, const double *x) {
  double s[GV_MAX_DIM];
  gv_box_to_fractional(&c->box, x, s);
  long k = 0;
  for (int a = c->dim - 1; a >= 0; a--) {
    double t = s[a] - floor(s[a]);
    int q = (int)(t * c->m[a]);
    if (q >= c->m[a]) q = c->m[a] - 1;
    if (q < 0) q = 0;
    k = k * c->m[a] + q;
  }
  return k;
}

static void link_in(gv_cells *c, long i, long cell) {
  c->cell_of[i] = cell;
  c->prev[i] = -1;
  c->next[i] = c->head[cell];
  if (c->head[cell] >= 0) c->prev[c->head[cell]] = i;
  c->head[cell] = i;
}

static void unlink_out(gv_cells *c, long i) {
  long cell = c->cell_of[i];
  if (c->prev[i] >= 0) c->next[c->prev[i]] = c->next[i];
  else c->head[cell] = c->next[i];
  if (c->next[i] >= 0) c->prev[c->next[i]] = c->prev[i];
}

int gv_cells_rebuild(gv_cells *c, const gv_system *s) {
  if (s->n != c->n || s->dim != c->dim)
    return GV_ERROR(GV_EINVAL, "cell list made for %ld particles in %dD, system has %ld in %dD", c->n,
                    c->dim, s->n, s->dim);
  if (!(c->range < 0.5 * gv_box_min_width(&s->box)))
    return GV_ERROR(GV_EINVAL, "box too small: its narrowest width %g is less than twice the range %g",
                    gv_box_min_width(&s->box), c->range);
  c->box = s->box;
  gv_geom_choose_cells(&s->box, c->range, s->n, c->m);
  c->nstencil = gv_geom_stencil(c->dim, c->m, c->stencil);
  long ncell = 1;
  for (int a = 0; a < c->dim; a++) ncell *= c->m[a];
  if (ncell > c->ncell) {
    free(c->head);
    c->head = malloc((size_t)ncell * sizeof *c->head);
    if (!c->head) { c->ncell = 0; return GV_ERROR(GV_ENOMEM, "out of memory for %ld cells", ncell); }
  }
  c->ncell = ncell;
  for (long k = 0; k < ncell; k++) c->head[k] = -1;
  /* Insert in descending order so that each cell lists its members ascending. */
  for (long i = s->n - 1; i >= 0; i--) link_in(c, i, cell_of_position(c, s->x + (size_t)i * c->dim));
  return GV_OK;
}

int gv_cells_create(gv_cells **cp, const gv_system *s, double range) {
  int status = GV_OK;
  gv_cells *c = NULL;
  *cp = NULL;
  if (!(range > 0) || !isfinite(range)) return GV_ERROR(GV_EINVAL, "cell range %g must be positive", range);
  GV_TRY(gv_system_validate(s));
  GV_ALLOC(c, 1);
  c->dim = s->dim;
  c->n = s->n;
  c->range = range;
  GV_ALLOC(c->next, s->n);
  GV_ALLOC(c->prev, s->n);
  GV_ALLOC(c->cell_of, s->n);
  GV_ALLOC(c->buf, s->n);
  GV_TRY(gv_cells_rebuild(c, s));
  *cp = c;
  return GV_OK;
cleanup:
  gv_cells_destroy(&c);
  return status;
}

void gv_cells_move(gv_cells *c, const gv_system *s, long i) {
  long cell = cell_of_position(c, s->x + (size_t)i * c->dim);
  if (cell == c->cell_of[i]) return;
  unlink_out(c, i);
  link_in(c, i, cell);
}

long gv_cells_candidates(gv_cells *c, const gv_system *s, const double *x, const long **list) {
  if (!gv_box_equal(&c->box, &s->box) && gv_cells_rebuild(c, s)) {
    *list = c->buf;
    return -1;
  }
  const int d = c->dim;
  double sx[GV_MAX_DIM];
  gv_box_to_fractional(&c->box, x, sx);
  int ci[GV_MAX_DIM];
  for (int a = 0; a < d; a++) {
    double t = sx[a] - floor(sx[a]);
    int q = (int)(t * c->m[a]);
    ci[a] = q >= c->m[a] ? c->m[a] - 1 : (q < 0 ? 0 : q);
  }
  long cnt = 0;
  for (long t = 0; t < c->nstencil; t++) {
    long k = 0;
    for (int a = d - 1; a >= 0; a--) {
      int q = ci[a] + c->stencil[t][a];
      q = q < 0 ? q + c->m[a] : (q >= c->m[a] ? q - c->m[a] : q);
      k = k * c->m[a] + q;
    }
    for (long j = c->head[k]; j >= 0; j = c->next[j]) c->buf[cnt++] = j;
  }
  *list = c->buf;
  return cnt;
}

double gv_cells_range(const gv_cells *c) { return c->range; }

void gv_cells_destroy(gv_cells **cp) {
  if (!cp || !*cp) return;
  gv_cells *c = *cp;
  free(c->head);
  free(c->next);
  free(c->prev);
  free(c->cell_of);
  free(c->buf);
  free(c);
  *cp = NULL;
}
