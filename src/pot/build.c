/* Building configurations for a model (sizes, species, random liquids),
 * single-particle energies for Monte Carlo, and the overlap check.
 *
 * Sizes: p(l) = C l^-3 on [a, b], C = 2 / (a^-2 - b^-2); the CDF
 * F(l) = (a^-2 - l^-2) / (a^-2 - b^-2) is inverted exactly:
 * l = (a^-2 - u (a^-2 - b^-2))^-1/2 with u uniform in (0,1)
 * (Ninarello, Berthier, Coslovich, PRX 7, 021039 (2017)). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/pot.h"

int gv_model_sample_sizes(const gv_model *m, gv_system *s, gv_rng *r) {
  if (!gv_model_is_polydisperse(m)) return GV_ERROR(GV_EINVAL, "model '%s' has no size distribution", m->name);
  if (!s->size) return GV_ERROR(GV_EINVAL, "system has no size array");
  double a2 = 1.0 / (m->size_min * m->size_min), b2 = 1.0 / (m->size_max * m->size_max);
  for (long i = 0; i < s->n; i++) {
    double u = gv_rng_uniform(r);
    s->size[i] = 1.0 / sqrt(a2 - u * (a2 - b2));
  }
  return GV_OK;
}

int gv_model_assign_types(const gv_model *m, gv_system *s, gv_rng *r) {
  if (gv_model_is_polydisperse(m)) return GV_ERROR(GV_EINVAL, "model '%s' has no species", m->name);
  if (!s->type) return GV_ERROR(GV_EINVAL, "system has no type array");
  long na = lround(m->fraction[0] * (double)s->n);
  for (long i = 0; i < s->n; i++) s->type[i] = i < na ? 0 : 1;
  for (long i = s->n - 1; i > 0; i--) { /* Fisher-Yates */
    long j = (long)gv_rng_below(r, (uint64_t)i + 1);
    int t = s->type[i];
    s->type[i] = s->type[j];
    s->type[j] = t;
  }
  return GV_OK;
}

int gv_system_create_random(gv_system **sp, const gv_model *m, long n, uint64_t seed) {
  int status = GV_OK;
  gv_system *s = NULL;
  *sp = NULL;
  GV_TRY(gv_model_validate(m));
  if (n < 2) return GV_ERROR(GV_EINVAL, "N = %ld: a glass needs at least 2 particles", n);
  int poly = gv_model_is_polydisperse(m);
  GV_TRY(gv_system_create(&s, m->dim, n, 0, !poly, poly));
  double L = pow((double)n / m->density, 1.0 / m->dim);
  GV_TRY(gv_box_init_cubic(&s->box, m->dim, L));
  gv_rng r;
  gv_rng_init(&r, seed, 0, GV_RNG_POSITIONS);
  for (size_t k = 0; k < (size_t)n * m->dim; k++) s->x[k] = L * gv_rng_uniform(&r);
  gv_rng_init(&r, seed, 0, GV_RNG_SIZES);
  if (poly) GV_TRY(gv_model_sample_sizes(m, s, &r));
  else GV_TRY(gv_model_assign_types(m, s, &r));
  if (!(gv_model_max_cutoff(m, s) < 0.5 * L)) {
    status = GV_ERROR(GV_EINVAL, "N = %ld is too small: box side %g is less than twice the cutoff %g", n, L,
                      gv_model_max_cutoff(m, s));
    goto cleanup;
  }
  *sp = s;
  return GV_OK;
cleanup:
  gv_system_destroy(&s);
  return status;
}

double gv_model_particle_energy(const gv_model *m, const gv_system *s, gv_cells *c, long i,
                                const double *xi, double size_i, long skip) {
  const int d = s->dim;
  if (!xi) xi = s->x + (size_t)i * d;
  const long *cand;
  long nc = gv_cells_candidates(c, s, xi, &cand);
  if (nc < 0) return NAN;
  int poly = gv_model_is_polydisperse(m);
  double li = (poly && size_i > 0) ? size_i : (poly ? s->size[i] : 0);
  double e = 0;
  for (long q = 0; q < nc; q++) {
    long j = cand[q];
    if (j == i || j == skip) continue;
    double dr[GV_MAX_DIM], r2 = 0;
    for (int a = 0; a < d; a++) dr[a] = xi[a] - s->x[(size_t)j * d + a];
    gv_box_minimum_image(&s->box, dr);
    for (int a = 0; a < d; a++) r2 += dr[a] * dr[a];
    double eps, lam;
    if (poly) {
      double lj = s->size[j];
      lam = 0.5 * (li + lj) * (1.0 - m->nonadd * fabs(li - lj));
      eps = m->eps[0][0];
    } else {
      gv_model_pair_scales(m, s, i, j, &eps, &lam);
    }
    double rc = m->x_c * lam;
    if (r2 >= rc * rc) continue;
    double f[1];
    gv_model_shape(m, sqrt(r2) / lam, 0, f);
    e += eps * f[0];
  }
  return e;
}

static double overlap_cutoff(const void *ctx, const gv_system *s, long i, long j) {
  const gv_model *m = ((const void *const *)ctx)[0];
  double frac = *(const double *)((const void *const *)ctx)[1];
  double eps, lam;
  gv_model_pair_scales(m, s, i, j, &eps, &lam);
  return frac * lam;
}

int gv_model_check_overlaps(const gv_model *m, const gv_system *s, double frac) {
  int status = GV_OK;
  gv_neighbors *nl = NULL;
  const void *ctx[2] = {m, &frac};
  double lmax = gv_model_max_cutoff(m, s) / m->x_c;
  GV_TRY(gv_neighbors_create(&nl, s, overlap_cutoff, ctx, frac * lmax, 0.0));
  for (long i = 0; i < s->n; i++)
    if (nl->start[i + 1] > nl->start[i]) {
      long j = nl->j[nl->start[i]];
      double dr[GV_MAX_DIM], r2 = 0;
      for (int a = 0; a < s->dim; a++) dr[a] = s->x[(size_t)i * s->dim + a] - s->x[(size_t)j * s->dim + a];
      gv_box_minimum_image(&s->box, dr);
      for (int a = 0; a < s->dim; a++) r2 += dr[a] * dr[a];
      status = GV_ERROR(GV_EUNSTABLE, "particles %ld and %ld overlap (distance %.3g, below %g lambda_ij)", i, j,
                        sqrt(r2), frac);
      goto cleanup;
    }
cleanup:
  gv_neighbors_destroy(&nl);
  return status;
}
