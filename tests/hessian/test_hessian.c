/* The analytic sparse Hessian against physics:
 *  - every model x every taper (q = 0..4, cinf) x d = 2, 3, 4: columns equal
 *    central finite differences of the forces, -dF/dx; exact symmetry; the d
 *    translations are zero modes (block rows sum to zero); the matrix-free
 *    product equals the sparse product; a refill after a small displacement
 *    equals a fresh build;
 *  - a stable glass (reference snapshot, IPL 2D inherent state) has exactly
 *    d zero eigenvalues, all others positive;
 *  - a perfect triangular crystal: all 2N eigenvalues equal the analytic
 *    phonon branches D(q) = sum_b K_b (1 - cos q.b) at the box's wavevectors. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "glassvib/hessian.h"
#include "testlib.h"

#ifndef GV_HESSIAN_FULL
#define GV_HESSIAN_FULL 0
#endif

static int cmpd(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double mat_entry(const gv_sparse *A, int64_t i, int64_t j) {
  for (int64_t p = A->colptr[j]; p < A->colptr[j + 1]; p++)
    if (A->rowind[p] == i) return A->val[p];
  return 0;
}

/* Perturbed simple-cubic start: no close pairs, generic geometry. */
static gv_system *lattice_system(const gv_model *m, int side, uint64_t seed) {
  long n = 1;
  for (int a = 0; a < m->dim; a++) n *= side;
  gv_system *s = NULL;
  if (gv_system_create_random(&s, m, n, seed)) return NULL;
  double L = s->box.h[0][0], sp = L / side;
  gv_rng r;
  gv_rng_init(&r, seed, 1, GV_RNG_ANALYSIS);
  for (long i = 0; i < n; i++) {
    long t = i;
    for (int a = 0; a < m->dim; a++) {
      s->x[i * m->dim + a] = sp * (t % side + 0.5) + 0.12 * sp * (gv_rng_uniform(&r) - 0.5);
      t /= side;
    }
  }
  return s;
}

static void check_model(const char *name, int dim, int smoothing) {
  gv_model m;
  if (gv_model_init(&m, name, dim)) {
    gv_error_clear();
    return;
  }
  CHECK_OK(gv_model_set_smoothing(&m, smoothing));
  int side = dim == 2 ? 12 : dim == 3 ? 7 : 5;
  gv_system *s = NULL;
  for (; side < 20 && !(s = lattice_system(&m, side, 11 + dim)); side++) gv_error_clear();
  CHECK(s != NULL, "%s d=%d: no system", name, dim);
  if (!s) return;
  char tag[64];
  snprintf(tag, sizeof tag, "%s d=%d q=%d", name, dim, smoothing);
  double tt0 = gv_wall_time();
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, &m, s, 0.3));
  if (!H) {
    gv_system_destroy(&s);
    return;
  }
  const gv_sparse *M = H->M;
  const int64_t nd = M->n;
  double scale = 0;
  for (int64_t p = 0; p < M->nnz; p++) scale = fmax(scale, fabs(M->val[p]));
  CHECK(scale > 0, "%s: zero Hessian", tag);
  CHECK(gv_linalg_sparse_asymmetry(M) <= 1e-14 * scale, "%s: asymmetric by %g", tag, gv_linalg_sparse_asymmetry(M));
  CHECK(gv_linalg_translation_residual(M, dim) <= 1e-11 * scale * sqrt((double)nd), "%s: translations not zero modes (%g)",
        tag, gv_linalg_translation_residual(M, dim));
  /* finite differences of the forces for a few columns */
  double *f1 = malloc(nd * sizeof *f1), *f2 = malloc(nd * sizeof *f2);
  gv_eval ev;
  const double h = 1e-6;
  double worst = 0;
  gv_rng r;
  gv_rng_init(&r, 5, dim, GV_RNG_ANALYSIS);
  for (int t = 0; t < 6; t++) {
    int64_t c = (int64_t)gv_rng_below(&r, (uint64_t)nd);
    double x0 = s->x[c];
    s->x[c] = x0 + h;
    CHECK_OK(gv_compute(&m, s, NULL, f1, &ev));
    s->x[c] = x0 - h;
    CHECK_OK(gv_compute(&m, s, NULL, f2, &ev));
    s->x[c] = x0;
    for (int64_t i = 0; i < nd; i++) {
      double fd = -(f1[i] - f2[i]) / (2 * h);
      worst = fmax(worst, fabs(fd - mat_entry(M, i, c)));
    }
  }
  CHECK(worst <= 2e-6 * scale, "%s: Hessian vs finite differences of forces: %g (scale %g)", tag, worst, scale);
  /* matrix-free product */
  double *v = malloc(nd * sizeof *v), *y1 = malloc(nd * sizeof *y1), *y2 = malloc(nd * sizeof *y2);
  for (int64_t i = 0; i < nd; i++) v[i] = gv_rng_normal(&r);
  gv_linalg_sparse_matvec(M, v, y1);
  CHECK_OK(gv_hessian_apply(H, s, v, y2));
  double dmax = 0, ymax = 0;
  for (int64_t i = 0; i < nd; i++) dmax = fmax(dmax, fabs(y1[i] - y2[i])), ymax = fmax(ymax, fabs(y1[i]));
  CHECK(dmax <= 1e-12 * ymax, "%s: matrix-free product differs by %g", tag, dmax);
  /* refill after a small move (< skin/2) equals a fresh build */
  for (int64_t i = 0; i < nd; i++) s->x[i] += 0.02 * (gv_rng_uniform(&r) - 0.5);
  long pb = H->pattern_builds;
  CHECK_OK(gv_hessian_update(H, s));
  CHECK(H->pattern_builds == pb, "%s: small move rebuilt the pattern", tag);
  gv_hessian *H2 = NULL;
  CHECK_OK(gv_hessian_create(&H2, &m, s, 0.3));
  if (H2) {
    gv_linalg_sparse_matvec(H->M, v, y1);
    gv_linalg_sparse_matvec(H2->M, v, y2);
    dmax = 0;
    for (int64_t i = 0; i < nd; i++) dmax = fmax(dmax, fabs(y1[i] - y2[i]));
    CHECK(dmax <= 1e-12 * ymax, "%s: refilled Hessian differs from a fresh one by %g", tag, dmax);
  }
  gv_hessian_destroy(&H2);
  free(f1), free(f2), free(v), free(y1), free(y2);
  gv_hessian_destroy(&H);
  gv_system_destroy(&s);
  if (getenv("GV_VERBOSE")) printf("%s: %.3fs\n", tag, gv_wall_time() - tt0);
}

static void test_glass_zero_modes(void) {
  char path[1024];
  snprintf(path, sizeof path, "%s/reference_snapshots/ipl2D_snap.dat", tl_shared_dir());
  gv_glass g;
  CHECK_OK(gv_glass_read(path, "ipl", 2, &g));
  if (!g.sys) return;
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, &g.model, g.sys, 0.0));
  gv_eigopts o;
  gv_linalg_eigopts_default(&o);
  o.dim = 0; /* no deflation: count the zero modes ourselves */
  o.want_vectors = 0;
  gv_eigen e;
  CHECK_OK(gv_linalg_eig_all(H->M, &o, &e));
  double lmax = e.lambda[e.k - 1];
  int nzero = 0, nneg = 0;
  for (int j = 0; j < e.k; j++) {
    if (fabs(e.lambda[j]) < 1e-10 * lmax) nzero++;
    else if (e.lambda[j] < 0) nneg++;
  }
  CHECK(nzero == 2, "stable 2D glass: %d zero modes, expected exactly 2", nzero);
  CHECK(nneg == 0, "stable 2D glass: %d negative modes", nneg);
  CHECK(e.lambda[2] > 1e-3, "third eigenvalue %g should be clearly positive", e.lambda[2]);
  printf("ipl2D snapshot: lambda_0..2 = %.3e %.3e %.6f, lambda_max %.3f\n", e.lambda[0], e.lambda[1], e.lambda[2], lmax);
  gv_linalg_eigen_free(&e);
  gv_hessian_destroy(&H);
  gv_glass_free(&g);
}

static void test_crystal(void) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 2));
  const int n1 = 12, n2 = 10;
  const long N = n1 * n2;
  const double rho = 0.86, a = sqrt(2.0 / (sqrt(3.0) * rho));
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 2, N, 0, 1, 0));
  double hb[GV_MAX_DIM][GV_MAX_DIM] = {{n1 * a, 0}, {0, n2 * a * sqrt(3.0) / 2}};
  CHECK_OK(gv_box_init(&s->box, 2, hb));
  for (int j = 0; j < n2; j++)
    for (int i = 0; i < n1; i++) {
      long p = (long)j * n1 + i;
      s->x[2 * p] = (i + 0.5 * (j % 2)) * a;
      s->x[2 * p + 1] = j * a * sqrt(3.0) / 2;
      s->type[p] = 0;
    }
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, &m, s, 0.0));
  /* analytic: 6 nearest neighbours at distance a (second shell sqrt(3) a > cutoff) */
  double der[3];
  CHECK(gv_model_pair(&m, s, 0, 1, a, 2, der) == 1, "nearest neighbour inside cutoff");
  double der3[3];
  CHECK(gv_model_pair(&m, s, 0, 1, sqrt(3.0) * a, 2, der3) == 0, "second shell must be outside the cutoff");
  gv_model_pair(&m, s, 0, 1, a, 2, der);
  double *w = malloc(2 * N * sizeof *w);
  long t = 0;
  for (int m2 = 0; m2 < n2; m2++)
    for (int m1 = 0; m1 < n1; m1++) {
      double q[2] = {2 * M_PI * m1 / (n1 * a), 2 * M_PI * m2 / (n2 * a * sqrt(3.0) / 2)};
      double D[2][2] = {{0, 0}, {0, 0}};
      for (int k = 0; k < 6; k++) {
        double b[2] = {a * cos(k * M_PI / 3), a * sin(k * M_PI / 3)};
        double f = 1 - cos(q[0] * b[0] + q[1] * b[1]);
        for (int x = 0; x < 2; x++)
          for (int y = 0; y < 2; y++)
            D[x][y] += f * ((der[2] - der[1] / a) * b[x] * b[y] / (a * a) + (x == y ? der[1] / a : 0));
      }
      if (m1 == 0 && m2 == 0) continue;
      double tr = D[0][0] + D[1][1], det = D[0][0] * D[1][1] - D[0][1] * D[1][0];
      double disc = sqrt(fmax(tr * tr / 4 - det, 0));
      w[t++] = tr / 2 - disc;
      w[t++] = tr / 2 + disc;
    }
  qsort(w, (size_t)t, sizeof *w, cmpd);
  gv_eigopts o;
  gv_linalg_eigopts_default(&o);
  o.dim = 2;
  gv_eigen e;
  CHECK_OK(gv_linalg_eig_all(H->M, &o, &e));
  CHECK(e.k == t, "crystal: %d modes, expected %ld", e.k, t);
  double worst = 0;
  for (int j = 0; j < e.k && j < t; j++) worst = fmax(worst, fabs(e.lambda[j] - w[j]));
  CHECK(worst < 1e-9 * w[t - 1], "crystal phonons: max |lambda - D(q)| = %g", worst);
  printf("triangular crystal N=%ld: %ld phonon eigenvalues match to %.2e (lambda_max %.3f)\n", N, t, worst, w[t - 1]);
  gv_linalg_eigen_free(&e);
  free(w);
  gv_hessian_destroy(&H);
  gv_system_destroy(&s);
}

int main(void) {
  const char *models[] = {"ipl", "poly", "poly-nbc", "kablj"};
  const int tapers[] = {0, 1, 2, 3, 4, GV_SMOOTH_CINF};
  for (int mi = 0; mi < 4; mi++)
    for (int dim = 2; dim <= 4; dim++)
      for (int t = 0; t < 6; t++)
        /* d = 4 is slow (large boxes, ~360 neighbours for kablj): the default
         * test covers there ipl and poly-nbc with the truncated (q = 0) and the
         * C-infinity taper; test_slow_hessian_full.c (GV_HESSIAN_FULL) covers
         * every model and taper */
        if (dim < 4 || GV_HESSIAN_FULL || getenv("GV_FULL") || ((t == 0 || t == 5) && (mi == 0 || mi == 2)))
          check_model(models[mi], dim, tapers[t]);
  test_glass_zero_modes();
  test_crystal();
  return tl_finish();
}
