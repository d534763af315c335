/* The production force path (spatially sorted list, fixed pair images,
 * chunked Newton's-third-law kernel) against a brute-force O(N^2) sum over
 * minimum-image pairs with gv_model_pair, on systems large enough for the
 * fast paths (>= 3 cells per axis, several chunks, threads):
 *  - 3D ipl in an orthogonal and a sheared box, 2D poly, 4D ipl;
 *  - after shifting particles by lattice vectors (re-wrapping), the list is
 *    rebuilt and the forces are unchanged;
 *  - after small moves (< skin/2, no rebuild) the fixed images still give the
 *    brute-force result;
 *  - 1 and 2 threads agree bitwise; gv_compute_forces equals gv_compute to
 *    round-off (without the virial). */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static gv_system *lattice(const gv_model *m, int M, double shear, uint64_t seed) {
  const int d = m->dim;
  long n = 1;
  for (int a = 0; a < d; a++) n *= M;
  gv_system *s = NULL;
  int poly = gv_model_is_polydisperse(m);
  if (gv_system_create(&s, d, n, 0, !poly, poly)) return NULL;
  double L = M * pow(1.0 / m->density, 1.0 / d);
  double h[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (int a = 0; a < d; a++) h[a][a] = L * (1 + 0.05 * a);
  h[0][1] = shear * L;
  gv_box_init(&s->box, d, h);
  gv_rng r;
  gv_rng_init(&r, seed, 0, GV_RNG_POSITIONS);
  for (long i = 0; i < n; i++) {
    long k = i;
    double sf[GV_MAX_DIM];
    for (int a = 0; a < d; a++) {
      sf[a] = ((double)(k % M) + 0.5 + 0.35 * (gv_rng_uniform(&r) - 0.5)) / M;
      k /= M;
    }
    gv_box_from_fractional(&s->box, sf, s->x + i * d);
  }
  /* shuffle the particle order so that the list's spatial sort matters */
  for (long i = n - 1; i > 0; i--) {
    long j = (long)gv_rng_below(&r, (uint64_t)i + 1);
    for (int a = 0; a < d; a++) {
      double t = s->x[i * d + a];
      s->x[i * d + a] = s->x[j * d + a];
      s->x[j * d + a] = t;
    }
  }
  gv_rng_init(&r, seed, 0, GV_RNG_SIZES);
  if (poly) gv_model_sample_sizes(m, s, &r);
  else gv_model_assign_types(m, s, &r);
  return s;
}

/* Brute force: every pair, minimum image, gv_model_pair. */
static double brute(const gv_model *m, const gv_system *s, double *f) {
  const int d = s->dim;
  const long n = s->n;
  memset(f, 0, sizeof(double) * n * d);
  double e = 0;
  for (long i = 0; i < n; i++)
    for (long j = i + 1; j < n; j++) {
      double dr[GV_MAX_DIM], r2 = 0;
      for (int a = 0; a < d; a++) dr[a] = s->x[i * d + a] - s->x[j * d + a];
      gv_box_minimum_image(&s->box, dr);
      for (int a = 0; a < d; a++) r2 += dr[a] * dr[a];
      double rc = gv_model_pair_cutoff(m, s, i, j);
      if (r2 >= rc * rc) continue;
      double r = sqrt(r2), ph[2];
      gv_model_pair(m, s, i, j, r, 1, ph);
      e += ph[0];
      for (int a = 0; a < d; a++) {
        double fa = -ph[1] * dr[a] / r;
        f[i * d + a] += fa;
        f[j * d + a] -= fa;
      }
    }
  return e;
}

static double max_diff(const double *a, const double *b, size_t n, double *scale) {
  double m = 0, s = 0;
  for (size_t k = 0; k < n; k++) {
    m = fmax(m, fabs(a[k] - b[k]));
    s = fmax(s, fabs(b[k]));
  }
  *scale = s;
  return m;
}

static void check(const char *name, int d, int M, double shear) {
  gv_model m;
  CHECK_OK(gv_model_init(&m, name, d));
  gv_system *s = lattice(&m, M, shear, 2385 + d);
  CHECK(s != NULL, "system");
  if (!s) return;
  const long n = s->n;
  const size_t nd = (size_t)n * d;
  double *fb = malloc(nd * sizeof *fb), *f1 = malloc(nd * sizeof *f1), *f2 = malloc(nd * sizeof *f2);
  gv_neighbors *nl = NULL;
  CHECK_OK(gv_model_neighbors_create(&m, s, 0.3, &nl));
  gv_eval ev;
  double scale;
  char tag[96];
  snprintf(tag, sizeof tag, "%s %dD n=%ld shear=%g", name, d, n, shear);

  /* 1. as built */
  double eb = brute(&m, s, fb);
  CHECK_OK(gv_compute(&m, s, nl, f1, &ev));
  CHECK_CLOSE(ev.energy, eb, 1e-12, 0);
  double df = max_diff(f1, fb, nd, &scale);
  CHECK(df <= 1e-12 * scale, "%s: max force difference %.3g (scale %.3g)", tag, df, scale);

  /* 1b. energy and forces only: the same to round-off (FMA contraction may
   * differ between the two kernels), no virial */
  gv_eval ef;
  CHECK_OK(gv_compute_forces(&m, s, nl, f2, &ef));
  df = max_diff(f2, f1, nd, &scale);
  CHECK(df <= 1e-13 * scale, "%s: gv_compute_forces forces differ by %.3g", tag, df);
  CHECK_CLOSE(ef.energy, ev.energy, 1e-14, 0);
  CHECK(isnan(ef.pressure) && isnan(ef.virial[0][0]), "%s: gv_compute_forces must not report a virial", tag);

  /* 2. re-wrapped: particles moved by lattice vectors -> rebuild, same forces */
  long b0 = nl->builds;
  for (long i = 0; i < n; i += 3) {
    double img[GV_MAX_DIM] = {0}, t[GV_MAX_DIM];
    img[i % d] = (i % 2) ? 1.0 : -2.0;
    gv_box_from_fractional(&s->box, img, t);
    for (int a = 0; a < d; a++) s->x[i * d + a] += t[a];
  }
  CHECK_OK(gv_compute(&m, s, nl, f2, &ev));
  CHECK(nl->builds == b0 + 1, "%s: re-wrapping did not rebuild the list", tag);
  CHECK_CLOSE(ev.energy, eb, 1e-12, 0);
  df = max_diff(f2, fb, nd, &scale);
  CHECK(df <= 1e-12 * scale, "%s: after re-wrapping, max force difference %.3g", tag, df);

  /* 3. small moves, no rebuild: fixed images still exact */
  gv_rng r;
  gv_rng_init(&r, 7, (uint64_t)d, GV_RNG_POSITIONS);
  b0 = nl->builds;
  for (size_t k = 0; k < nd; k++) s->x[k] += 0.45 * nl->skin / sqrt(d) * (2 * gv_rng_uniform(&r) - 1);
  eb = brute(&m, s, fb);
  CHECK_OK(gv_compute(&m, s, nl, f1, &ev));
  CHECK(nl->builds == b0, "%s: small moves rebuilt the list", tag);
  CHECK_CLOSE(ev.energy, eb, 1e-12, 0);
  df = max_diff(f1, fb, nd, &scale);
  CHECK(df <= 1e-12 * scale, "%s: after small moves, max force difference %.3g", tag, df);

  /* 4. threads: bitwise */
  int nt = omp_get_max_threads();
  gv_eval e1, e2;
  omp_set_num_threads(1);
  CHECK_OK(gv_compute(&m, s, nl, f1, &e1));
  omp_set_num_threads(2);
  CHECK_OK(gv_compute(&m, s, nl, f2, &e2));
  omp_set_num_threads(nt);
  CHECK(memcmp(f1, f2, nd * sizeof *f1) == 0, "%s: forces differ between 1 and 2 threads", tag);
  CHECK(memcmp(&e1, &e2, sizeof e1) == 0, "%s: energy differs between 1 and 2 threads", tag);
  free(fb);
  free(f1);
  free(f2);
  gv_neighbors_destroy(&nl);
  gv_system_destroy(&s);
}

int main(void) {
  check("ipl", 3, 14, 0.0);
  check("ipl", 3, 14, 0.21);
  check("poly", 2, 48, 0.0);
  check("kablj", 3, 12, -0.17);
  check("ipl", 4, 8, 0.0);
  return tl_finish();
}
