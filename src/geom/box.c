/* Periodic boxes in d = 2, 3, 4 and particle systems.
 *
 * A box is the parallelepiped spanned by the columns of h: r = h s with
 * fractional coordinates s in [0,1)^d. The minimum image of a separation dr is
 * dr - h rint(h^-1 dr); this is the true shortest image for orthogonal cells
 * and for cells tilted by less than ~half a box length (all a strained glass
 * needs). Distance between the two faces normal to axis a is 1/|row a of h^-1|,
 * which bounds the usable interaction range (cutoff < min width / 2).
 * Units: lengths in lambda. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/geom.h"

static int check_dim(int dim) {
  if (dim < 2 || dim > GV_MAX_DIM) return GV_ERROR(GV_EINVAL, "dimension %d not supported (2, 3 or 4)", dim);
  return GV_OK;
}

/* Inverse by Gauss-Jordan elimination with partial pivoting (d <= 4). */
static int invert(int d, const double a[GV_MAX_DIM][GV_MAX_DIM], double inv[GV_MAX_DIM][GV_MAX_DIM],
                  double *det) {
  double m[GV_MAX_DIM][2 * GV_MAX_DIM];
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) {
      m[i][j] = a[i][j];
      m[i][d + j] = (i == j);
    }
  double dt = 1.0;
  for (int c = 0; c < d; c++) {
    int p = c;
    for (int r = c + 1; r < d; r++)
      if (fabs(m[r][c]) > fabs(m[p][c])) p = r;
    if (m[p][c] == 0.0) return 1;
    if (p != c) {
      for (int j = 0; j < 2 * d; j++) {
        double t = m[p][j];
        m[p][j] = m[c][j];
        m[c][j] = t;
      }
      dt = -dt;
    }
    double piv = m[c][c];
    dt *= piv;
    for (int j = 0; j < 2 * d; j++) m[c][j] /= piv;
    for (int r = 0; r < d; r++)
      if (r != c && m[r][c] != 0.0) {
        double f = m[r][c];
        for (int j = 0; j < 2 * d; j++) m[r][j] -= f * m[c][j];
      }
  }
  for (int i = 0; i < d; i++)
    for (int j = 0; j < d; j++) inv[i][j] = m[i][d + j];
  *det = dt;
  return 0;
}

int gv_box_init(gv_box *b, int dim, const double h[GV_MAX_DIM][GV_MAX_DIM]) {
  int status = check_dim(dim);
  if (status) return status;
  memset(b, 0, sizeof *b);
  b->dim = dim;
  int orth = 1;
  double scale = 0;
  for (int i = 0; i < dim; i++)
    for (int j = 0; j < dim; j++) {
      if (!isfinite(h[i][j])) return GV_ERROR(GV_EINVAL, "box matrix entry h[%d][%d] is not finite", i, j);
      b->h[i][j] = h[i][j];
      if (i != j && h[i][j] != 0.0) orth = 0;
      if (fabs(h[i][j]) > scale) scale = fabs(h[i][j]);
    }
  double det;
  if (scale == 0 || invert(dim, b->h, b->hinv, &det) || !(fabs(det) > 1e-12 * pow(scale, dim)))
    return GV_ERROR(GV_EINVAL, "box matrix is singular (cell vectors linearly dependent)");
  if (det < 0) return GV_ERROR(GV_EINVAL, "box matrix has negative determinant (left-handed cell)");
  if (orth) {
    for (int i = 0; i < dim; i++)
      if (!(b->h[i][i] > 0)) return GV_ERROR(GV_EINVAL, "box length %d is not positive", i);
    for (int i = 0; i < dim; i++) b->hinv[i][i] = 1.0 / b->h[i][i]; /* exact reciprocal */
  }
  b->orthogonal = orth;
  return GV_OK;
}

int gv_box_init_cubic(gv_box *b, int dim, double L) {
  if (!(L > 0) || !isfinite(L)) return GV_ERROR(GV_EINVAL, "box length %g must be positive and finite", L);
  double h[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (int i = 0; i < GV_MAX_DIM; i++) h[i][i] = L;
  return gv_box_init(b, dim, h);
}

double gv_box_volume(const gv_box *b) {
  if (b->orthogonal) {
    double v = 1;
    for (int i = 0; i < b->dim; i++) v *= b->h[i][i];
    return v;
  }
  double inv[GV_MAX_DIM][GV_MAX_DIM], det = 0;
  if (invert(b->dim, b->h, inv, &det)) return 0;
  return fabs(det);
}

void gv_box_minimum_image(const gv_box *b, double *dr) {
  const int d = b->dim;
  if (b->orthogonal) {
    for (int a = 0; a < d; a++) dr[a] -= b->h[a][a] * rint(dr[a] * b->hinv[a][a]);
    return;
  }
  double s[GV_MAX_DIM];
  for (int a = 0; a < d; a++) {
    double t = 0;
    for (int c = 0; c < d; c++) t += b->hinv[a][c] * dr[c];
    s[a] = rint(t);
  }
  for (int a = 0; a < d; a++) {
    double t = 0;
    for (int c = 0; c < d; c++) t += b->h[a][c] * s[c];
    dr[a] -= t;
  }
}

void gv_box_wrap(const gv_box *b, double *x) {
  const int d = b->dim;
  if (b->orthogonal) {
    for (int a = 0; a < d; a++) {
      double L = b->h[a][a];
      x[a] -= L * floor(x[a] * b->hinv[a][a]);
      if (x[a] >= L || x[a] < 0) x[a] = 0; /* rounding at the upper face */
    }
    return;
  }
  double s[GV_MAX_DIM];
  gv_box_to_fractional(b, x, s);
  for (int a = 0; a < d; a++) {
    s[a] -= floor(s[a]);
    if (s[a] >= 1.0) s[a] = 0;
  }
  gv_box_from_fractional(b, s, x);
}

void gv_box_to_fractional(const gv_box *b, const double *x, double *s) {
  const int d = b->dim;
  for (int a = 0; a < d; a++) {
    double t = 0;
    for (int c = 0; c < d; c++) t += b->hinv[a][c] * x[c];
    s[a] = t;
  }
}

void gv_box_from_fractional(const gv_box *b, const double *s, double *x) {
  const int d = b->dim;
  for (int a = 0; a < d; a++) {
    double t = 0;
    for (int c = 0; c < d; c++) t += b->h[a][c] * s[c];
    x[a] = t;
  }
}

double gv_box_width(const gv_box *b, int a) {
  double t = 0;
  for (int c = 0; c < b->dim; c++) t += b->hinv[a][c] * b->hinv[a][c];
  return 1.0 / sqrt(t);
}

double gv_box_min_width(const gv_box *b) {
  double w = INFINITY;
  for (int a = 0; a < b->dim; a++) {
    double t = gv_box_width(b, a);
    if (t < w) w = t;
  }
  return w;
}

int gv_box_equal(const gv_box *a, const gv_box *b) {
  if (a->dim != b->dim) return 0;
  for (int i = 0; i < a->dim; i++)
    for (int j = 0; j < a->dim; j++)
      if (a->h[i][j] != b->h[i][j]) return 0;
  return 1;
}

/* ------------------------------------------------------------- systems */

int gv_system_create(gv_system **sp, int dim, long n, int with_velocities, int with_types,
                     int with_sizes) {
  int status = GV_OK;
  gv_system *s = NULL;
  *sp = NULL;
  GV_TRY(check_dim(dim));
  if (n < 1) return GV_ERROR(GV_EINVAL, "number of particles %ld must be positive", n);
  GV_ALLOC(s, 1);
  s->dim = dim;
  s->n = n;
  GV_TRY(gv_box_init_cubic(&s->box, dim, 1.0));
  size_t nd = (size_t)n * (size_t)dim;
  GV_ALLOC(s->x, nd);
  if (with_velocities) GV_ALLOC(s->v, nd);
  if (with_types) GV_ALLOC(s->type, n);
  if (with_sizes) GV_ALLOC(s->size, n);
  *sp = s;
  return GV_OK;
cleanup:
  gv_system_destroy(&s);
  return status;
}

void gv_system_destroy(gv_system **sp) {
  if (!sp || !*sp) return;
  gv_system *s = *sp;
  free(s->x);
  free(s->v);
  free(s->type);
  free(s->size);
  free(s);
  *sp = NULL;
}

int gv_system_copy(gv_system **dst, const gv_system *src) {
  int status = gv_system_create(dst, src->dim, src->n, src->v != NULL, src->type != NULL,
                                src->size != NULL);
  if (status) return status;
  gv_system *s = *dst;
  s->box = src->box;
  size_t nd = (size_t)src->n * src->dim;
  memcpy(s->x, src->x, nd * sizeof *s->x);
  if (src->v) memcpy(s->v, src->v, nd * sizeof *s->v);
  if (src->type) memcpy(s->type, src->type, (size_t)src->n * sizeof *s->type);
  if (src->size) memcpy(s->size, src->size, (size_t)src->n * sizeof *s->size);
  return GV_OK;
}

int gv_system_validate(const gv_system *s) {
  if (!s) return GV_ERROR(GV_EINVAL, "no system");
  int status = check_dim(s->dim);
  if (status) return status;
  if (s->box.dim != s->dim)
    return GV_ERROR(GV_EINVAL, "box dimension %d differs from system dimension %d", s->box.dim, s->dim);
  if (s->n < 1) return GV_ERROR(GV_EINVAL, "system has %ld particles", s->n);
  for (int i = 0; i < s->dim; i++)
    for (int j = 0; j < s->dim; j++)
      if (!isfinite(s->box.h[i][j])) return GV_ERROR(GV_EINVAL, "box matrix entry h[%d][%d] is not finite", i, j);
  if (!(gv_box_volume(&s->box) > 0)) return GV_ERROR(GV_EINVAL, "box volume is not positive");
  const int d = s->dim;
  for (long i = 0; i < s->n; i++)
    for (int a = 0; a < d; a++) {
      if (!isfinite(s->x[i * d + a]))
        return GV_ERROR(GV_EINVAL, "particle %ld has a non-finite coordinate %d (%g)", i, a, s->x[i * d + a]);
      if (s->v && !isfinite(s->v[i * d + a]))
        return GV_ERROR(GV_EINVAL, "particle %ld has a non-finite velocity component %d", i, a);
    }
  if (s->size)
    for (long i = 0; i < s->n; i++)
      if (!(s->size[i] > 0) || !isfinite(s->size[i]))
        return GV_ERROR(GV_EINVAL, "particle %ld has an invalid size %g", i, s->size[i]);
  if (s->type)
    for (long i = 0; i < s->n; i++)
      if (s->type[i] < 0) return GV_ERROR(GV_EINVAL, "particle %ld has a negative type %d", i, s->type[i]);
  return GV_OK;
}

double gv_system_density(const gv_system *s) { return (double)s->n / gv_box_volume(&s->box); }
