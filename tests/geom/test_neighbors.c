/* Boxes, systems, Verlet lists and Monte Carlo cell lists.
 *  - minimum image and wrap in orthogonal and triclinic cells;
 *  - the half Verlet list equals brute-force pair enumeration (all pairs
 *    with r < rc_ij + skin) in d = 2, 3, 4, binary and polydisperse cutoffs,
 *    orthogonal and sheared boxes, and small boxes (< 3 cells per side);
 *  - rebuild only when some particle moved > skin/2 or the box changed;
 *  - cell-list candidates contain every particle within range. */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"

static void test_box(void) {
  gv_box b;
  double h[GV_MAX_DIM][GV_MAX_DIM] = {{3.1, 0.7, -0.4}, {0, 2.9, 0.5}, {0, 0, 3.4}};
  CHECK_OK(gv_box_init(&b, 3, h));
  CHECK(!b.orthogonal, "triclinic detected");
  CHECK_CLOSE(gv_box_volume(&b), 3.1 * 2.9 * 3.4, 1e-14, 0);
  double x[3] = {-7.3, 11.2, 4.05}, y[3];
  memcpy(y, x, sizeof x);
  gv_box_wrap(&b, y);
  double s[3];
  gv_box_to_fractional(&b, y, s);
  for (int a = 0; a < 3; a++) CHECK(s[a] >= 0 && s[a] < 1, "wrapped fractional %g", s[a]);
  double dr[3] = {y[0] - x[0], y[1] - x[1], y[2] - x[2]};
  gv_box_to_fractional(&b, dr, s);
  for (int a = 0; a < 3; a++) CHECK_CLOSE(s[a], rint(s[a]), 0, 1e-12); /* moved by lattice vectors */
  double v[3] = {2.0, -1.9, 1.8};
  gv_box_minimum_image(&b, v);
  gv_box_to_fractional(&b, v, s);
  for (int a = 0; a < 3; a++) CHECK(fabs(s[a]) <= 0.5 + 1e-12, "minimum image fractional %g", s[a]);
  CHECK_CLOSE(gv_box_min_width(&b), 2.9 * 3.4 / sqrt(3.4 * 3.4 + 0.5 * 0.5), 1e-12, 0);
  double sing[GV_MAX_DIM][GV_MAX_DIM] = {{1, 1}, {1, 1}};
  CHECK(gv_box_init(&b, 2, sing) == GV_EINVAL, "singular box rejected");
  gv_system *sys = NULL;
  CHECK_OK(gv_system_create(&sys, 2, 5, 1, 0, 1));
  for (int i = 0; i < 5; i++) sys->size[i] = 1;
  CHECK_OK(gv_system_validate(sys));
  sys->x[7] = INFINITY;
  CHECK(gv_system_validate(sys) == GV_EINVAL && strstr(gv_error_message(), "particle 3"), "non-finite named: %s",
        gv_error_message());
  sys->x[7] = 0;
  sys->size[2] = -1;
  CHECK(gv_system_validate(sys) == GV_EINVAL, "negative size rejected");
  gv_system *c = NULL;
  sys->size[2] = 1.3;
  CHECK_OK(gv_system_copy(&c, sys));
  CHECK(c->size[2] == 1.3 && c->v && !c->type, "copy");
  gv_system_destroy(&c);
  gv_system_destroy(&sys);
  CHECK(sys == NULL, "destroy clears the pointer");
}

typedef struct {
  double base, spread;
} cut_ctx;
static double cut_fn(const void *ctx, const gv_system *s, long i, long j) {
  const cut_ctx *c = ctx;
  return c->base + c->spread * (s->size[i] + s->size[j]);
}

/* Brute force: every pair (i<j) with minimum-image distance < cutoff + skin. */
static void compare(const gv_system *s, const gv_neighbors *nl, const cut_ctx *cc, const char *what) {
  const int d = s->dim;
  long nbf = 0, missing = 0;
  char *mark = calloc((size_t)s->n * s->n, 1);
  for (long i = 0; i < s->n; i++)
    for (long k = nl->start[i]; k < nl->start[i + 1]; k++) {
      long j = nl->j[k];
      if (j <= i || mark[i * s->n + j]) missing++; /* wrong order or duplicate */
      mark[i * s->n + j] = 1;
    }
  for (long i = 0; i < s->n; i++)
    for (long j = i + 1; j < s->n; j++) {
      double dr[GV_MAX_DIM], r2 = 0;
      for (int a = 0; a < d; a++) dr[a] = s->x[i * d + a] - s->x[j * d + a];
      gv_box_minimum_image(&s->box, dr);
      for (int a = 0; a < d; a++) r2 += dr[a] * dr[a];
      double rc = cut_fn(cc, s, i, j) + nl->skin;
      if (r2 < rc * rc) {
        nbf++;
        if (!mark[i * s->n + j]) missing++;
      }
    }
  CHECK(nbf == nl->npairs && missing == 0, "%s: list has %ld pairs, brute force %ld, %ld missing/wrong", what,
        nl->npairs, nbf, missing);
  free(mark);
}

static void test_lists(int d, long n, double L, double shear, double spread, double skin) {
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, d, n, 0, 0, 1));
  double h[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (int a = 0; a < d; a++) h[a][a] = L * (1 + 0.1 * a);
  h[0][d - 1] = shear * L;
  CHECK_OK(gv_box_init(&s->box, d, h));
  gv_rng r;
  gv_rng_init(&r, 2385, (uint64_t)(d * 1000 + n), GV_RNG_POSITIONS);
  for (long i = 0; i < n; i++) {
    double sf[GV_MAX_DIM];
    for (int a = 0; a < d; a++) sf[a] = 3 * gv_rng_uniform(&r) - 1; /* also outside the primary cell */
    gv_box_from_fractional(&s->box, sf, s->x + i * d);
    s->size[i] = 1 + 1.2 * gv_rng_uniform(&r);
  }
  cut_ctx cc = {0.6, spread};
  double rcmax = 0.6 + spread * 2 * 2.2;
  char what[128];
  snprintf(what, sizeof what, "%dD n=%ld L=%g shear=%g spread=%g", d, n, L, shear, spread);
  gv_neighbors *nl = NULL;
  CHECK_OK(gv_neighbors_create(&nl, s, cut_fn, &cc, rcmax, skin));
  if (!nl) { gv_system_destroy(&s); return; }
  compare(s, nl, &cc, what);
  /* Small moves (< skin/2): no rebuild; the list still covers every pair within the cutoff. */
  long b0 = nl->builds;
  for (long i = 0; i < n; i++)
    for (int a = 0; a < d; a++) s->x[i * d + a] += 0.45 * nl->skin / sqrt(d) * (2 * gv_rng_uniform(&r) - 1);
  CHECK_OK(gv_neighbors_update(nl, s));
  CHECK(nl->builds == b0, "%s: rebuilt after small moves", what);
  /* One large move: rebuild. */
  s->x[0] += 1.2 * nl->skin; /* net displacement > 1.2 - 0.45 > 0.5 skin */
  CHECK_OK(gv_neighbors_update(nl, s));
  CHECK(nl->builds == b0 + 1, "%s: no rebuild after a move > skin/2", what);
  compare(s, nl, &cc, what);
  /* Box change: rebuild. */
  double h2[GV_MAX_DIM][GV_MAX_DIM];
  memcpy(h2, s->box.h, sizeof h2);
  h2[0][1] += 0.01 * L;
  CHECK_OK(gv_box_init(&s->box, d, h2));
  CHECK_OK(gv_neighbors_update(nl, s));
  CHECK(nl->builds == b0 + 2, "%s: no rebuild after a box change", what);
  compare(s, nl, &cc, what);
  /* Cell list candidates. */
  gv_cells *c = NULL;
  CHECK_OK(gv_cells_create(&c, s, rcmax));
  for (int t = 0; t < 20; t++) {
    long i = (long)gv_rng_below(&r, (uint64_t)n);
    for (int a = 0; a < d; a++) s->x[i * d + a] += 0.7 * (gv_rng_uniform(&r) - 0.5) * L;
    gv_cells_move(c, s, i);
    double p[GV_MAX_DIM];
    for (int a = 0; a < d; a++) p[a] = (2 * gv_rng_uniform(&r) - 0.5) * L;
    const long *list;
    long nc = gv_cells_candidates(c, s, p, &list);
    char *in = calloc(n, 1);
    for (long q = 0; q < nc; q++) in[list[q]]++;
    long bad = 0;
    for (long j = 0; j < n; j++) {
      double dr[GV_MAX_DIM], r2 = 0;
      for (int a = 0; a < d; a++) dr[a] = p[a] - s->x[j * d + a];
      gv_box_minimum_image(&s->box, dr);
      for (int a = 0; a < d; a++) r2 += dr[a] * dr[a];
      if ((r2 < rcmax * rcmax && !in[j]) || in[j] > 1) bad++;
    }
    CHECK(bad == 0, "%s: %ld particles within range missing from the cell candidates", what, bad);
    free(in);
  }
  gv_cells_destroy(&c);
  gv_neighbors_destroy(&nl);
  gv_system_destroy(&s);
}

int main(void) {
  test_box();
  /* d, n, L, shear, size-dependent cutoff spread, skin */
  test_lists(2, 900, 30, 0.0, 0.0, 0.3);
  test_lists(2, 700, 25, 0.2, 0.4, 0.25);
  test_lists(3, 800, 12, 0.0, 0.3, 0.3);
  test_lists(3, 900, 13, 0.25, 0.0, 0.4);
  test_lists(4, 1200, 9.5, 0.0, 0.2, 0.3);
  test_lists(4, 900, 9, 0.15, 0.0, 0.3);
  /* small boxes: 1-2 cells along some axes */
  test_lists(2, 60, 5.5, 0.0, 0.3, 0.3);
  test_lists(3, 80, 6.2, 0.1, 0.0, 0.5);
  test_lists(4, 150, 6.5, 0.0, 0.25, 0.2);
  /* too small for the cutoff */
  gv_system *s = NULL;
  CHECK_OK(gv_system_create(&s, 3, 10, 0, 0, 1));
  CHECK_OK(gv_box_init_cubic(&s->box, 3, 2.0));
  for (int i = 0; i < 10; i++) s->size[i] = 1;
  gv_neighbors *nl = NULL;
  cut_ctx cc = {1.2, 0};
  CHECK(gv_neighbors_create(&nl, s, cut_fn, &cc, 1.2, 0.3) == GV_EINVAL, "box smaller than 2 rc rejected");
  gv_system_destroy(&s);
  return tl_finish();
}
