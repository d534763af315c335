/* Analytic sparse Hessian of a pair-potential configuration (unit masses).
 *
 *   U = sum_{i<j} phi_ij(|r_ij|),   r_ij = x_i - x_j,  n = r_ij / |r_ij|
 *   d^2 U / dx_i dx_j = -K_ij,  d^2 U / dx_i dx_i = sum_j K_ij,
 *   K_ij = phi''(r) n n^T + (phi'(r)/r) (I - n n^T)
 * (e.g. Lerner, Bouchbinder, J. Chem. Phys. 148, 214502 (2018); theory.md).
 * Units: eps/lambda^2.
 *
 * Plan once, fill many: the pattern (block structure of every pair of the
 * Verlet list, cutoff + skin) is built once; values are refilled column by
 * column in parallel (each particle writes only its own columns, so there are
 * no races and the result does not depend on the thread count). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/hessian.h"
#include "linalg/alloc.h"

double gv_hessian_pair_vector(const gv_system *s, long i, long j, double *r) {
  const int d = s->dim;
  double r2 = 0;
  for (int a = 0; a < d; a++) r[a] = s->x[i * d + a] - s->x[j * d + a];
  gv_box_minimum_image(&s->box, r);
  for (int a = 0; a < d; a++) r2 += r[a] * r[a];
  return sqrt(r2);
}

/* d x d pair block K (row-major) for pair (i, j); returns 0 if out of range. */
static int pair_block(const gv_model *m, const gv_system *s, long i, long j, double *K) {
  const int d = s->dim;
  double r[GV_MAX_DIM], der[3];
  double dist = gv_hessian_pair_vector(s, i, j, r);
  if (!gv_model_pair(m, s, i, j, dist, 2, der)) return 0;
  double t = der[1] / dist, c = der[2] - t;
  for (int a = 0; a < d; a++)
    for (int b = 0; b < d; b++) K[a * d + b] = c * r[a] * r[b] / (dist * dist) + (a == b ? t : 0.0);
  return 1;
}

typedef struct {
  long j;
  long p;
} nb_t;
static int cmp_nb(const void *a, const void *b) {
  long x = ((const nb_t *)a)->j, y = ((const nb_t *)b)->j;
  return (x > y) - (x < y);
}

static void free_pattern(gv_hessian *h) {
  free(h->nstart);
  free(h->nbr);
  free(h->slot);
  free(h->dslot);
  h->nstart = h->nbr = NULL;
  h->slot = h->dslot = NULL;
  gv_linalg_sparse_destroy(&h->M);
}

/* Full sorted neighbour lists and the CSC pattern from the half Verlet list. */
static int build_pattern(gv_hessian *h) {
  int status = GV_OK;
  const gv_neighbors *nl = h->nl;
  const long n = h->n;
  const int d = h->dim;
  nb_t *tmp = NULL;
  free_pattern(h);
  GV_ALLOC(h->nstart, n + 1);
  GV_NALLOC(h->nbr, 2 * nl->npairs);
  GV_NALLOC(h->slot, 2 * nl->npairs);
  GV_ALLOC(h->dslot, n);
  for (long i = 0; i < n; i++)
    for (long p = nl->start[i]; p < nl->start[i + 1]; p++) {
      long j = nl->j[p];
      if (j < 0 || j >= n || j == i) {
        status = GV_ERROR(GV_EFORMAT, "neighbour list: bad partner %ld of particle %ld", j, i);
        goto cleanup;
      }
      h->nstart[i + 1]++;
      h->nstart[j + 1]++;
    }
  for (long i = 0; i < n; i++) h->nstart[i + 1] += h->nstart[i];
  {
    long *fill = NULL;
    GV_ALLOC(fill, n);
    for (long i = 0; i < n; i++)
      for (long p = nl->start[i]; p < nl->start[i + 1]; p++) {
        long j = nl->j[p];
        h->nbr[h->nstart[i] + fill[i]++] = j;
        h->nbr[h->nstart[j] + fill[j]++] = i;
      }
    free(fill);
  }
  long maxdeg = 0;
  for (long i = 0; i < n; i++)
    if (h->nstart[i + 1] - h->nstart[i] > maxdeg) maxdeg = h->nstart[i + 1] - h->nstart[i];
  GV_ALLOC(tmp, maxdeg + 1);
  int64_t nnz = 0;
  for (long i = 0; i < n; i++) {
    long deg = h->nstart[i + 1] - h->nstart[i];
    for (long q = 0; q < deg; q++) tmp[q] = (nb_t){h->nbr[h->nstart[i] + q], q};
    qsort(tmp, (size_t)deg, sizeof *tmp, cmp_nb);
    for (long q = 0; q < deg; q++) {
      if (q && tmp[q].j == tmp[q - 1].j) {
        status = GV_ERROR(GV_EFORMAT, "neighbour list: pair (%ld, %ld) listed twice", i, tmp[q].j);
        goto cleanup;
      }
      h->nbr[h->nstart[i] + q] = tmp[q].j;
    }
    /* slot: position in the block list including i itself */
    long ds = 0;
    while (ds < deg && h->nbr[h->nstart[i] + ds] < i) ds++;
    h->dslot[i] = ds;
    for (long q = 0; q < deg; q++) h->slot[h->nstart[i] + q] = q < ds ? q : q + 1;
    nnz += (int64_t)(deg + 1) * d * d;
  }
  GV_TRY(gv_linalg_sparse_create(&h->M, (int64_t)n * d, nnz));
  int64_t off = 0;
  for (long i = 0; i < n; i++) {
    long deg = h->nstart[i + 1] - h->nstart[i];
    for (int a = 0; a < d; a++) {
      h->M->colptr[i * d + a] = off;
      for (long q = 0; q <= deg; q++) {
        long j = q < h->dslot[i] ? h->nbr[h->nstart[i] + q]
                 : q == h->dslot[i] ? i
                                    : h->nbr[h->nstart[i] + q - 1];
        for (int b = 0; b < d; b++) h->M->rowind[off++] = (int64_t)j * d + b;
      }
    }
  }
  h->M->colptr[(int64_t)n * d] = off;
  h->pattern_builds++;
  h->list_builds = nl->builds;
cleanup:
  free(tmp);
  return status;
}

/* Refill all values (pattern fixed). */
static int fill_values(gv_hessian *h, const gv_system *s) {
  const long n = h->n;
  const int d = h->dim;
  int bad = 0;
#pragma omp parallel for schedule(dynamic, 64) reduction(| : bad)
  for (long i = 0; i < n; i++) {
    long deg = h->nstart[i + 1] - h->nstart[i];
    int64_t stride = (int64_t)(deg + 1) * d; /* entries per column of particle i */
    int64_t c0 = h->M->colptr[i * d];
    double *col = h->M->val + c0;
    memset(col, 0, (size_t)(stride * d) * sizeof *col);
    double K[GV_MAX_DIM * GV_MAX_DIM];
    double *diag = col + h->dslot[i] * d;
    for (long q = 0; q < deg; q++) {
      long j = h->nbr[h->nstart[i] + q];
      if (!pair_block(h->model, s, i, j, K)) continue;
      double *blk = col + h->slot[h->nstart[i] + q] * d;
      for (int a = 0; a < d; a++)
        for (int b = 0; b < d; b++) {
          /* column i*d+a, row j*d+b */
          blk[a * stride + b] = -K[b * d + a];
          diag[a * stride + b] += K[b * d + a];
        }
    }
    for (int64_t e = 0; e < stride * d; e++)
      if (!isfinite(col[e])) bad = 1;
  }
  if (bad) return GV_ERROR(GV_ENUMERIC, "non-finite Hessian entry (overlapping particles?)");
  return GV_OK;
}

int gv_hessian_create(gv_hessian **H, const gv_model *m, const gv_system *s, double skin) {
  int status = GV_OK;
  gv_hessian *h = NULL;
  if (!m || !s) return GV_ERROR(GV_EINVAL, "hessian: NULL model or system");
  if (s->dim < 1 || s->dim > GV_MAX_DIM || s->dim != m->dim)
    return GV_ERROR(GV_EINVAL, "hessian: system dim %d differs from model dim %d", s->dim, m->dim);
  if (!(skin >= 0)) return GV_ERROR(GV_EINVAL, "hessian: skin %g must be >= 0", skin);
  GV_ALLOC(h, 1);
  h->dim = s->dim;
  h->n = s->n;
  h->model = m;
  GV_TRY(gv_neighbors_create(&h->nl, s, gv_model_cutoff_fn, m, gv_model_max_cutoff(m, s), skin));
  GV_TRY(build_pattern(h));
  GV_TRY(fill_values(h, s));
  *H = h;
  return GV_OK;
cleanup:
  gv_hessian_destroy(&h);
  return status;
}

int gv_hessian_update(gv_hessian *h, const gv_system *s) {
  int status = GV_OK;
  if (s->n != h->n || s->dim != h->dim) return GV_ERROR(GV_EINVAL, "hessian: system size changed");
  GV_TRY(gv_neighbors_update(h->nl, s));
  if (h->nl->builds != h->list_builds) GV_TRY(build_pattern(h));
  GV_TRY(fill_values(h, s));
cleanup:
  return status;
}

void gv_hessian_destroy(gv_hessian **H) {
  if (!H || !*H) return;
  free_pattern(*H);
  gv_neighbors_destroy(&(*H)->nl);
  free(*H);
  *H = NULL;
}

int gv_hessian_apply(const gv_hessian *h, const gv_system *s, const double *v, double *out) {
  const long n = h->n;
  const int d = h->dim;
  if (s->n != n || s->dim != d) return GV_ERROR(GV_EINVAL, "hessian apply: system size differs");
#pragma omp parallel for schedule(dynamic, 64)
  for (long i = 0; i < n; i++) {
    double K[GV_MAX_DIM * GV_MAX_DIM], acc[GV_MAX_DIM] = {0};
    for (long q = h->nstart[i]; q < h->nstart[i + 1]; q++) {
      long j = h->nbr[q];
      if (!pair_block(h->model, s, i, j, K)) continue;
      for (int a = 0; a < d; a++)
        for (int b = 0; b < d; b++) acc[a] += K[a * d + b] * (v[i * d + b] - v[j * d + b]);
    }
    for (int a = 0; a < d; a++) out[i * d + a] = acc[a];
  }
  return gv_is_finite_array(out, (size_t)n * d) ? GV_OK
                                                 : GV_ERROR(GV_ENUMERIC, "non-finite Hessian product");
}

int gv_hessian_write_mtx(const gv_hessian *h, const char *path) {
  char comment[512], sm[64];
  gv_model_smoothing_name(h->model, sm, sizeof sm);
  snprintf(comment, sizeof comment,
           "glassvib Hessian (unit masses), units eps/lambda^2\n"
           "model %s dim %d N %ld smoothing %s; row/column i*dim+a = particle i, component a",
           h->model->name, h->dim, h->n, sm);
  return gv_linalg_sparse_write_mtx(h->M, path, comment);
}
