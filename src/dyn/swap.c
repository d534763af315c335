/* Swap Monte Carlo (Grigera & Parisi, PRE 63, 045102 (2001); Ninarello,
 * Berthier & Coslovich, PRX 7, 021039 (2017)) at temperature T.
 *
 * An attempt is, with probability p_swap, the exchange of the sizes (or
 * species) of two distinct particles i, j chosen uniformly, otherwise a
 * displacement of one uniformly chosen particle by a vector uniform in
 * [-delta, delta]^d. Both proposals are symmetric, so the Metropolis rule
 * acc = min(1, exp(-dE / T)) satisfies detailed balance with exp(-E/T).
 * A size-difference cut (reject swaps with |l_i - l_j| > cut) keeps the
 * proposal symmetric, hence detailed balance. One sweep = N attempts.
 *
 * Energy changes are local: displacement dE = e_i(x') - e_i(x); swap
 * dE = [e_i(l_j) + e_j(l_i)] - [e_i(l_i) + e_j(l_j)], both sums skipping the
 * i-j pair, which is symmetric in the two sizes (pot.h,
 * gv_model_particle_energy). The step delta may be tuned between sweeps
 * during equilibration only (a tuned step depends on the history, which would
 * break detailed balance in a production run).
 * Random numbers: one sequential stream (seed, sample, GV_RNG_MONTE_CARLO). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"

void gv_swap_params_default(gv_swap_params *p) {
  p->T = 1.0;
  p->p_swap = 0.2;
  p->step = 0.1;
  p->max_dsize = 0;
  p->acc_lo = 0.30;
  p->acc_hi = 0.40;
  p->seed = GV_DEFAULT_SEED;
  p->sample = 0;
}

struct gv_swapmc {
  const gv_model *m;
  gv_system *s;
  gv_cells *cells;
  gv_swap_params p;
  gv_rng r;
  double e, step;
  int poly;
  gv_swapmc_stats st;
};

int gv_swapmc_create(gv_swapmc **mcp, const gv_model *m, gv_system *s, const gv_swap_params *p) {
  int status = GV_OK;
  gv_swapmc *mc = NULL;
  GV_TRY(gv_model_check_system(m, s));
  if (!(p->T > 0) || !isfinite(p->T)) return GV_ERROR(GV_EINVAL, "swap MC: temperature %g must be positive", p->T);
  if (!(p->p_swap >= 0 && p->p_swap <= 1)) return GV_ERROR(GV_EINVAL, "swap MC: p_swap %g not in [0, 1]", p->p_swap);
  if (!(p->step > 0) || !isfinite(p->step)) return GV_ERROR(GV_EINVAL, "swap MC: step %g must be positive", p->step);
  GV_ALLOC(mc, 1);
  mc->m = m;
  mc->s = s;
  mc->p = *p;
  mc->step = p->step;
  mc->poly = gv_model_is_polydisperse(m);
  gv_rng_init(&mc->r, p->seed, p->sample, GV_RNG_MONTE_CARLO);
  for (long i = 0; i < s->n; i++) gv_box_wrap(&s->box, s->x + (size_t)i * s->dim);
  GV_TRY(gv_cells_create(&mc->cells, s, gv_model_max_cutoff(m, s)));
  GV_TRY(gv_swapmc_recompute(mc, &mc->e));
  *mcp = mc;
  return GV_OK;
cleanup:
  gv_swapmc_destroy(&mc);
  return status;
}

void gv_swapmc_destroy(gv_swapmc **mcp) {
  if (!mcp || !*mcp) return;
  gv_cells_destroy(&(*mcp)->cells);
  free(*mcp);
  *mcp = NULL;
}

int gv_swapmc_recompute(gv_swapmc *mc, double *e) {
  double sum = 0;
  for (long i = 0; i < mc->s->n; i++) {
    double ei = gv_model_particle_energy(mc->m, mc->s, mc->cells, i, NULL, NAN, -1);
    if (isnan(ei)) return GV_ERROR(GV_ENUMERIC, "swap MC: particle energy failed");
    sum += ei;
  }
  *e = 0.5 * sum;
  if (!isfinite(*e)) return GV_ERROR(GV_ENUMERIC, "swap MC: energy is not finite (overlapping particles?)");
  return GV_OK;
}

static inline int metropolis(gv_swapmc *mc, double de) {
  if (de <= 0) return 1;
  return gv_rng_uniform(&mc->r) < exp(-de / mc->p.T);
}

static void swap_attr(gv_system *s, int poly, long i, long j) {
  if (poly) {
    double t = s->size[i];
    s->size[i] = s->size[j];
    s->size[j] = t;
  } else {
    int t = s->type[i];
    s->type[i] = s->type[j];
    s->type[j] = t;
  }
}

static int attempt(gv_swapmc *mc) {
  gv_system *s = mc->s;
  const int d = s->dim;
  const long n = s->n;
  if (mc->p.p_swap > 0 && gv_rng_uniform(&mc->r) < mc->p.p_swap) {
    long i = (long)gv_rng_below(&mc->r, (uint64_t)n);
    long j = (long)gv_rng_below(&mc->r, (uint64_t)n - 1);
    if (j >= i) j++; /* uniform over j != i */
    mc->st.swap_tried++;
    if (mc->poly && mc->p.max_dsize > 0 && fabs(s->size[i] - s->size[j]) > mc->p.max_dsize) return GV_OK;
    if (!mc->poly && s->type[i] == s->type[j]) { /* identical species: the move is the identity */
      mc->st.swap_accepted++;
      return GV_OK;
    }
    double e0 = gv_model_particle_energy(mc->m, s, mc->cells, i, NULL, NAN, j) +
                gv_model_particle_energy(mc->m, s, mc->cells, j, NULL, NAN, i);
    swap_attr(s, mc->poly, i, j);
    double e1 = gv_model_particle_energy(mc->m, s, mc->cells, i, NULL, NAN, j) +
                gv_model_particle_energy(mc->m, s, mc->cells, j, NULL, NAN, i);
    if (isnan(e0) || isnan(e1)) return GV_ERROR(GV_ENUMERIC, "swap MC: particle energy failed");
    if (metropolis(mc, e1 - e0)) {
      mc->e += e1 - e0;
      mc->st.swap_accepted++;
    } else {
      swap_attr(s, mc->poly, i, j);
    }
    return GV_OK;
  }
  long i = (long)gv_rng_below(&mc->r, (uint64_t)n);
  double *xi = s->x + (size_t)i * d, xn[GV_MAX_DIM];
  for (int a = 0; a < d; a++) xn[a] = xi[a] + mc->step * (2 * gv_rng_uniform(&mc->r) - 1);
  gv_box_wrap(&s->box, xn);
  mc->st.disp_tried++;
  double e0 = gv_model_particle_energy(mc->m, s, mc->cells, i, NULL, NAN, -1);
  double e1 = gv_model_particle_energy(mc->m, s, mc->cells, i, xn, NAN, -1);
  if (isnan(e0) || isnan(e1)) return GV_ERROR(GV_ENUMERIC, "swap MC: particle energy failed");
  if (metropolis(mc, e1 - e0)) {
    memcpy(xi, xn, (size_t)d * sizeof *xn);
    gv_cells_move(mc->cells, s, i);
    mc->e += e1 - e0;
    mc->st.disp_accepted++;
  }
  return GV_OK;
}

int gv_swapmc_run(gv_swapmc *mc, long nsweeps, int tune) {
  int status = GV_OK;
  const long n = mc->s->n;
  double half_box = 0.25 * gv_box_min_width(&mc->s->box);
  for (long sw = 0; sw < nsweeps; sw++) {
    if (gv_interrupted()) return GV_ERROR(GV_EINTERRUPTED, "swap Monte Carlo interrupted");
    long t0 = mc->st.disp_tried, a0 = mc->st.disp_accepted;
    for (long k = 0; k < n; k++) {
      status = attempt(mc);
      if (status < 0) return status;
    }
    mc->st.sweeps++;
    if (tune) {
      long t = mc->st.disp_tried - t0, a = mc->st.disp_accepted - a0;
      if (t > 0) {
        double acc = (double)a / (double)t;
        if (acc < mc->p.acc_lo) mc->step *= 0.95;
        else if (acc > mc->p.acc_hi) mc->step *= 1.05;
        if (mc->step > half_box) mc->step = half_box;
        if (mc->step < 1e-4) mc->step = 1e-4;
      }
    }
  }
  return GV_OK;
}

double gv_swapmc_energy(const gv_swapmc *mc) { return mc->e; }
double gv_swapmc_step(const gv_swapmc *mc) { return mc->step; }
void gv_swapmc_stats_get(const gv_swapmc *mc, gv_swapmc_stats *st) { *st = mc->st; }
void gv_swapmc_stats_reset(gv_swapmc *mc) { memset(&mc->st, 0, sizeof mc->st); }
