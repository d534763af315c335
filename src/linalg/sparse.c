/* Symmetric sparse matrices in CSC with both triangles stored (so column j is
 * also row j and y = A x is row-parallel), Matrix Market I/O, translation
 * projections. Matrix Market format: https://math.nist.gov/MatrixMarket/formats.html */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/linalg.h"
#include "linalg/alloc.h"

int gv_linalg_sparse_create(gv_sparse **A, int64_t n, int64_t nnz) {
  int status = GV_OK;
  gv_sparse *a = NULL;
  if (n < 0 || nnz < 0) return GV_ERROR(GV_EINVAL, "sparse matrix: negative size");
  GV_ALLOC(a, 1);
  a->n = n;
  a->nnz = nnz;
  GV_ALLOC(a->colptr, n + 1);
  GV_ALLOC(a->rowind, nnz);
  GV_ALLOC(a->val, nnz);
  *A = a;
  return GV_OK;
cleanup:
  gv_linalg_sparse_destroy(&a);
  return status;
}

void gv_linalg_sparse_destroy(gv_sparse **A) {
  if (!A || !*A) return;
  free((*A)->colptr);
  free((*A)->rowind);
  free((*A)->val);
  free(*A);
  *A = NULL;
}

typedef struct {
  int64_t r;
  double v;
} entry;
static int cmp_entry(const void *a, const void *b) {
  int64_t x = ((const entry *)a)->r, y = ((const entry *)b)->r;
  return (x > y) - (x < y);
}

int gv_linalg_sparse_from_triplets(gv_sparse **A, int64_t n, int64_t nt, const int64_t *row,
                                   const int64_t *col, const double *val) {
  int status = GV_OK;
  int64_t *cnt = NULL;
  entry *e = NULL;
  gv_sparse *a = NULL;
  GV_ALLOC(cnt, n + 1);
  GV_ALLOC(e, nt);
  for (int64_t t = 0; t < nt; t++) {
    if (row[t] < 0 || row[t] >= n || col[t] < 0 || col[t] >= n) {
      status = GV_ERROR(GV_EINVAL, "triplet %lld: index (%lld, %lld) outside %lld x %lld",
                        (long long)t, (long long)row[t], (long long)col[t], (long long)n,
                        (long long)n);
      goto cleanup;
    }
    cnt[col[t] + 1]++;
  }
  for (int64_t j = 0; j < n; j++) cnt[j + 1] += cnt[j];
  {
    int64_t *pos = NULL;
    GV_ALLOC(pos, n + 1);
    memcpy(pos, cnt, (size_t)(n + 1) * sizeof *pos);
    for (int64_t t = 0; t < nt; t++) e[pos[col[t]]++] = (entry){row[t], val[t]};
    free(pos);
  }
  /* sort each column and merge duplicates */
  int64_t nnz = 0;
  for (int64_t j = 0; j < n; j++) {
    qsort(e + cnt[j], (size_t)(cnt[j + 1] - cnt[j]), sizeof *e, cmp_entry);
    for (int64_t p = cnt[j]; p < cnt[j + 1]; p++)
      if (p == cnt[j] || e[p].r != e[p - 1].r) nnz++;
  }
  GV_TRY(gv_linalg_sparse_create(&a, n, nnz));
  int64_t q = 0;
  for (int64_t j = 0; j < n; j++) {
    a->colptr[j] = q;
    for (int64_t p = cnt[j]; p < cnt[j + 1]; p++) {
      if (p > cnt[j] && e[p].r == e[p - 1].r) {
        a->val[q - 1] += e[p].v;
      } else {
        a->rowind[q] = e[p].r;
        a->val[q] = e[p].v;
        q++;
      }
    }
  }
  a->colptr[n] = q;
  *A = a;
  a = NULL;
cleanup:
  free(cnt);
  free(e);
  gv_linalg_sparse_destroy(&a);
  return status;
}

void gv_linalg_sparse_matvec(const gv_sparse *A, const double *x, double *y) {
  const int64_t n = A->n;
  /* Symmetric: row j of A = column j, so each output entry is one column dot x. */
#pragma omp parallel for schedule(static) if (n > 20000)
  for (int64_t j = 0; j < n; j++) {
    double s = 0;
    for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++) s += A->val[p] * x[A->rowind[p]];
    y[j] = s;
  }
}

/* Entry (i, j) by binary search in column j; 0 if not stored. */
static double get_entry(const gv_sparse *A, int64_t i, int64_t j) {
  int64_t lo = A->colptr[j], hi = A->colptr[j + 1];
  while (lo < hi) {
    int64_t mid = (lo + hi) / 2;
    if (A->rowind[mid] < i) lo = mid + 1;
    else hi = mid;
  }
  return (lo < A->colptr[j + 1] && A->rowind[lo] == i) ? A->val[lo] : 0.0;
}

double gv_linalg_sparse_asymmetry(const gv_sparse *A) {
  double worst = 0;
  for (int64_t j = 0; j < A->n; j++)
    for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++) {
      double d = fabs(A->val[p] - get_entry(A, j, A->rowind[p]));
      if (d > worst || d != d) worst = d;
    }
  return worst;
}

double gv_linalg_sparse_mean_diagonal(const gv_sparse *A) {
  double s = 0;
  for (int64_t j = 0; j < A->n; j++) s += get_entry(A, j, j);
  return A->n ? s / (double)A->n : 0.0;
}

int gv_linalg_sparse_write_mtx(const gv_sparse *A, const char *path, const char *comment) {
  int status = GV_OK;
  gv_outfile f = {0};
  GV_TRY(gv_outfile_open(&f, path));
  int64_t nlow = 0;
  for (int64_t j = 0; j < A->n; j++)
    for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
      if (A->rowind[p] >= j) nlow++;
  fprintf(f.fp, "%%%%MatrixMarket matrix coordinate real symmetric\n");
  fprintf(f.fp, "%% glassvib %s (git %s)\n%% command: %s\n", gv_version(), gv_git_hash(),
          gv_provenance_command_line() ? gv_provenance_command_line() : "");
  if (comment) {
    const char *s = comment;
    while (*s) {
      const char *e = strchr(s, '\n');
      size_t len = e ? (size_t)(e - s) : strlen(s);
      fprintf(f.fp, "%% %.*s\n", (int)len, s);
      s += len + (e ? 1 : 0);
    }
  }
  fprintf(f.fp, "%lld %lld %lld\n", (long long)A->n, (long long)A->n, (long long)nlow);
  for (int64_t j = 0; j < A->n; j++) {
    if ((j & 4095) == 0 && gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "interrupted while writing %s", path);
      goto cleanup;
    }
    for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
      if (A->rowind[p] >= j)
        fprintf(f.fp, "%lld %lld %.17g\n", (long long)A->rowind[p] + 1, (long long)j + 1, A->val[p]);
  }
  if (ferror(f.fp)) {
    status = GV_ERROR(GV_EIO, "writing %s failed", path);
    goto cleanup;
  }
  GV_TRY(gv_outfile_commit(&f));
cleanup:
  if (status < 0) gv_outfile_abort(&f);
  return status;
}

int gv_linalg_sparse_read_mtx(gv_sparse **A, const char *path) {
  int status = GV_OK;
  int64_t *ri = NULL, *ci = NULL;
  double *v = NULL;
  char line[1024];
  FILE *fp = fopen(path, "r");
  if (!fp) return GV_ERROR(GV_EIO, "cannot open %s", path);
  if (!fgets(line, sizeof line, fp) || strncmp(line, "%%MatrixMarket matrix coordinate real", 37)) {
    status = GV_ERROR(GV_EFORMAT, "%s: not a real coordinate Matrix Market file", path);
    goto cleanup;
  }
  int sym = strstr(line, "symmetric") != NULL;
  long long nr, nc, ne;
  do {
    if (!fgets(line, sizeof line, fp)) {
      status = GV_ERROR(GV_EFORMAT, "%s: missing size line", path);
      goto cleanup;
    }
  } while (line[0] == '%');
  if (sscanf(line, "%lld %lld %lld", &nr, &nc, &ne) != 3 || nr != nc || nr < 0 || ne < 0) {
    status = GV_ERROR(GV_EFORMAT, "%s: bad size line (square matrix expected)", path);
    goto cleanup;
  }
  GV_NALLOC(ri, 2 * ne);
  GV_NALLOC(ci, 2 * ne);
  GV_NALLOC(v, 2 * ne);
  int64_t nt = 0;
  for (long long t = 0; t < ne; t++) {
    long long i, j;
    double x;
    if (fscanf(fp, "%lld %lld %lf", &i, &j, &x) != 3) {
      status = GV_ERROR(GV_EFORMAT, "%s: truncated at entry %lld", path, t + 1);
      goto cleanup;
    }
    ri[nt] = i - 1, ci[nt] = j - 1, v[nt++] = x;
    if (sym && i != j) ri[nt] = j - 1, ci[nt] = i - 1, v[nt++] = x;
  }
  GV_TRY(gv_linalg_sparse_from_triplets(A, nr, nt, ri, ci, v));
cleanup:
  fclose(fp);
  free(ri);
  free(ci);
  free(v);
  return status;
}

void gv_linalg_project_translations(double *x, int64_t n, int dim) {
  if (dim <= 0) return;
  int64_t np = n / dim;
  double mean[8] = {0};
  for (int64_t i = 0; i < np; i++)
    for (int a = 0; a < dim; a++) mean[a] += x[i * dim + a];
  for (int a = 0; a < dim; a++) mean[a] /= (double)np;
  for (int64_t i = 0; i < np; i++)
    for (int a = 0; a < dim; a++) x[i * dim + a] -= mean[a];
}

double gv_linalg_translation_residual(const gv_sparse *A, int dim) {
  if (dim <= 0) return 0;
  int64_t n = A->n, np = n / dim;
  double *t = malloc((size_t)n * sizeof *t), *y = malloc((size_t)n * sizeof *y);
  double worst = NAN;
  if (t && y) {
    worst = 0;
    for (int a = 0; a < dim; a++) {
      for (int64_t i = 0; i < n; i++) t[i] = (i % dim == a) ? 1.0 / sqrt((double)np) : 0.0;
      gv_linalg_sparse_matvec(A, t, y);
      double s = 0;
      for (int64_t i = 0; i < n; i++) s += y[i] * y[i];
      if (sqrt(s) > worst) worst = sqrt(s);
    }
  }
  free(t);
  free(y);
  return worst;
}
