/* Glass preparation protocols (docs/glasses.md).
 *
 *  1. Random liquid: N particles uniform in a cubic box of side (N/rho)^(1/d),
 *     species 50:50 / 80:20 or sizes from p(l) ~ l^-3 (pot.h).
 *  2. Overlap relief: uniform positions put some pairs almost on top of each
 *     other (forces ~1e10). A global-time-step method (FIRE, MD) must then
 *     crawl, so first steepest descent with a per-particle cap,
 *     dx_i = F_i min(1e-3, 0.05 / |F_i|), until max |F| <= 100, then FIRE
 *     until max |F| <= 10, so that MD or MC can start.
 *  3. Equilibration at T_p:
 *       MD (ipl, kablj): Langevin BAOAB, gamma = 1, dt = 0.005, for equil_time;
 *       swap MC (poly, poly-nbc): sweeps = 100 equil_time (or --sweeps), the
 *       step tuned to 30-40 % acceptance during the first 10 % of the sweeps
 *       only, then fixed (detailed balance for the rest of the chain).
 *     Convention: one MC sweep counts as 0.01 time units (an order-of-magnitude
 *     match of the relaxation per sweep and per MD time at 30-40 % acceptance;
 *     deep supercooling needs a much larger equil_time anyway).
 *  4. "rate:R": Langevin MD from T_p with T(t) = T_p - R t down to t_end.
 *  5. Minimisation: FIRE 2.0 then L-BFGS (or CG) to max |F| <= ftol.
 * Seeds: positions/sizes (seed, 0, POSITIONS/SIZES), velocities
 * (seed, 0, VELOCITIES), thermostat (seed, 0, THERMOSTAT), MC (seed, 0,
 * MONTE_CARLO): the glass depends on the seed only, not on the thread count. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"

#define SWEEPS_PER_TIME 100.0

void gv_prepare_params_default(gv_prepare_params *p) {
  memset(p, 0, sizeof *p);
  snprintf(p->protocol, sizeof p->protocol, "instant");
  p->tp = 1.0;
  p->rate = NAN;
  p->t_end = 0.01;
  p->equil_time = 10.0;
  p->sweeps = 0;
  p->use_swap = -1;
  p->p_swap = 0.2;
  p->max_dsize = 0;
  gv_md_params_default(&p->md);
  gv_min_params_default(&p->min);
  p->seed = GV_DEFAULT_SEED;
  p->progress = 0;
}

int gv_protocol_parse(const char *s, gv_prepare_params *p) {
  if (!s || !*s) return GV_ERROR(GV_EINVAL, "empty protocol (use instant or rate:R)");
  if (!strcmp(s, "instant")) {
    snprintf(p->protocol, sizeof p->protocol, "instant");
    p->rate = NAN;
    return GV_OK;
  }
  if (!strncmp(s, "rate:", 5)) {
    char *end = NULL;
    double r = strtod(s + 5, &end);
    if (end == s + 5 || *end || !isfinite(r) || !(r > 0))
      return GV_ERROR(GV_EINVAL, "protocol '%s': the cooling rate must be a positive number (e.g. rate:1e-3)", s);
    snprintf(p->protocol, sizeof p->protocol, "rate");
    p->rate = r;
    return GV_OK;
  }
  return GV_ERROR(GV_EINVAL, "unknown protocol '%s' (use instant or rate:R)", s);
}

static int relieve_overlaps(const gv_model *m, gv_system *s, const gv_min_params *mp) {
  int status = GV_OK;
  gv_neighbors *nl = NULL;
  double *f = NULL;
  const int d = s->dim;
  const size_t ndof = (size_t)s->n * d;
  GV_ALLOC(f, ndof);
  GV_TRY(gv_dyn_neighbors_create(&nl, m, s));
  for (int it = 0; it < 5000; it++) {
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "overlap relief interrupted");
      goto cleanup;
    }
    gv_eval ev;
    GV_TRY(gv_compute(m, s, nl, f, &ev));
    if (ev.max_force <= 100) break;
    for (long i = 0; i < s->n; i++) {
      double *fi = f + (size_t)i * d, f2 = 0;
      for (int a = 0; a < d; a++) f2 += fi[a] * fi[a];
      double fn = sqrt(f2), c = fn > 0 ? fmin(1e-3, 0.05 / fn) : 0;
      for (int a = 0; a < d; a++) s->x[(size_t)i * d + a] += c * fi[a];
    }
  }
  gv_neighbors_destroy(&nl);
  {
    gv_min_params fp = *mp;
    fp.finisher = GV_MIN_FIRE;
    fp.ftol = 10.0;
    fp.max_iter = 100000;
    fp.progress = 0;
    gv_min_result r;
    status = gv_minimize_system(m, s, &fp, &r);
    if (status > 0) status = GV_OK;
  }
cleanup:
  gv_neighbors_destroy(&nl);
  free(f);
  return status;
}

/* Langevin MD for nsteps at T(t) = T0 - rate * t (rate 0: constant). Returns
 * the mean kinetic temperature over the second half. */
static int run_md(gv_md *md, long nsteps, double T0, double rate, double T1, double dt, size_t ndof,
                  const char *label, int progress, double *meanT) {
  int status = GV_OK;
  gv_progress bar = {0};
  if (progress) gv_progress_begin(&bar, label, (double)nsteps);
  double sumK = 0;
  long nk = 0;
  for (long t = 0; t < nsteps; t++) {
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "%s interrupted", label);
      break;
    }
    double T = T0 - rate * dt * (double)t;
    if (T < T1) T = T1;
    status = gv_md_step(md, T);
    if (status < 0) break;
    if (t >= nsteps / 2) {
      sumK += gv_md_kinetic(md);
      nk++;
    }
    if (progress && (t & 63) == 0) gv_progress_update(&bar, (double)t);
  }
  if (progress) gv_progress_end(&bar);
  if (meanT) *meanT = nk ? 2 * sumK / ((double)nk * (double)ndof) : NAN;
  return status;
}

int gv_prepare(const gv_model *m, long n, const gv_prepare_params *p, gv_glass *g, gv_prepare_info *info) {
  int status = GV_OK;
  gv_system *s = NULL;
  gv_neighbors *nl = NULL;
  gv_md *md = NULL;
  gv_swapmc *mc = NULL;
  double *v = NULL;
  gv_prepare_info inf;
  memset(&inf, 0, sizeof inf);
  inf.mean_T = inf.mc_acceptance = inf.swap_acceptance = inf.mc_step = NAN;
  int rate = !strcmp(p->protocol, "rate");
  if (!rate && strcmp(p->protocol, "instant"))
    return GV_ERROR(GV_EINVAL, "unknown protocol '%s' (use instant or rate:R)", p->protocol);
  if (!(p->tp > 0) || !isfinite(p->tp)) return GV_ERROR(GV_EINVAL, "T_p = %g must be positive and finite", p->tp);
  if (rate && (!(p->rate > 0) || !isfinite(p->rate))) return GV_ERROR(GV_EINVAL, "cooling rate %g must be positive", p->rate);
  if (rate && !(p->t_end >= 0 && p->t_end < p->tp))
    return GV_ERROR(GV_EINVAL, "final cooling temperature %g must be in [0, T_p)", p->t_end);
  if (!(p->equil_time >= 0) || !isfinite(p->equil_time))
    return GV_ERROR(GV_EINVAL, "equilibration time %g must be >= 0", p->equil_time);
  if (n < 2) return GV_ERROR(GV_EINVAL, "N = %ld: a glass needs at least 2 particles", n);
  GV_TRY(gv_model_validate(m));
  int swap = p->use_swap < 0 ? gv_model_is_polydisperse(m) : p->use_swap;
  double t0 = gv_wall_time();

  /* 1-2: random liquid, overlaps relieved */
  GV_TRY(gv_system_create_random(&s, m, n, p->seed));
  const int d = s->dim;
  const size_t ndof = (size_t)n * d;
  GV_TRY(relieve_overlaps(m, s, &p->min));

  /* 3: equilibration at T_p */
  if (swap) {
    gv_swap_params sp;
    gv_swap_params_default(&sp);
    sp.T = p->tp;
    sp.p_swap = p->p_swap;
    sp.max_dsize = p->max_dsize;
    sp.seed = p->seed;
    GV_TRY(gv_swapmc_create(&mc, m, s, &sp));
    long nsw = p->sweeps > 0 ? p->sweeps : (long)ceil(SWEEPS_PER_TIME * p->equil_time);
    long ntune = nsw / 10;
    gv_progress bar = {0};
    if (p->progress) gv_progress_begin(&bar, "swap MC", (double)nsw);
    for (long k = 0; k < nsw; k++) {
      if (k == ntune) gv_swapmc_stats_reset(mc); /* report production acceptances */
      status = gv_swapmc_run(mc, 1, k < ntune);
      if (status < 0) break;
      if (p->progress) gv_progress_update(&bar, (double)k + 1);
    }
    if (p->progress) gv_progress_end(&bar);
    if (status < 0) goto cleanup;
    gv_swapmc_stats st;
    gv_swapmc_stats_get(mc, &st);
    inf.mc_acceptance = st.disp_tried ? (double)st.disp_accepted / st.disp_tried : NAN;
    inf.swap_acceptance = st.swap_tried ? (double)st.swap_accepted / st.swap_tried : NAN;
    inf.mc_step = gv_swapmc_step(mc);
    inf.t_equil = gv_wall_time() - t0;
    gv_log(GV_LOG_DEBUG, "swap MC: %ld sweeps, step %.4f, acceptance %.3f, swap acceptance %.3f", nsw,
           inf.mc_step, inf.mc_acceptance, inf.swap_acceptance);
    gv_swapmc_destroy(&mc);
  }
  if (!swap || rate) {
    GV_ALLOC(v, ndof);
    gv_dyn_maxwell(v, n, d, p->tp, p->seed, 0);
    GV_TRY(gv_dyn_neighbors_create(&nl, m, s));
    gv_dyn_sysctx ctx = {.model = m, .sys = s, .nl = nl};
    gv_md_params mp = p->md;
    mp.seed = p->seed;
    mp.sample = 0;
    GV_TRY(gv_md_create(&md, ndof, gv_dyn_system_force, &ctx, s->x, v, &mp));
    if (!swap) {
      long nsteps = (long)ceil(p->equil_time / mp.dt);
      GV_TRY(run_md(md, nsteps, p->tp, 0, p->tp, mp.dt, ndof, "equilibrate", p->progress, &inf.mean_T));
      inf.t_equil = gv_wall_time() - t0;
    }
    if (rate) {
      double t1 = gv_wall_time();
      long nsteps = (long)ceil((p->tp - p->t_end) / (p->rate * mp.dt));
      GV_TRY(run_md(md, nsteps, p->tp, p->rate, p->t_end, mp.dt, ndof, "cool", p->progress, NULL));
      inf.t_cool = gv_wall_time() - t1;
    }
    gv_md_destroy(&md);
    gv_neighbors_destroy(&nl);
  }

  /* 5: inherent state (the parent first, if asked for) */
  if (p->keep_parent) GV_TRY(gv_system_copy(&inf.parent, s));
  {
    double t2 = gv_wall_time();
    status = gv_minimize_system(m, s, &p->min, &inf.min);
    inf.t_min = gv_wall_time() - t2;
    if (status < 0) goto cleanup;
  }
  int min_status = status;

  gv_glass_free(g);
  gv_glass_init(g);
  g->model = *m;
  g->model.density = gv_system_density(s);
  g->sys = s;
  s = NULL;
  g->seed = p->seed;
  gv_protocol *pr = &g->protocol;
  snprintf(pr->kind, sizeof pr->kind, "%s", p->protocol);
  pr->tp = p->tp;
  pr->rate = rate ? p->rate : NAN;
  pr->equil_time = p->equil_time;
  pr->dt = (!swap || rate) ? p->md.dt : NAN;
  if (!swap || rate) snprintf(pr->thermostat, sizeof pr->thermostat, "langevin-baoab(gamma=%g)", p->md.gamma);
  else snprintf(pr->thermostat, sizeof pr->thermostat, "none");
  pr->swap_sweeps = swap ? (p->sweeps > 0 ? p->sweeps : (long)ceil(SWEEPS_PER_TIME * p->equil_time)) : 0;
  pr->swap_prob = swap ? p->p_swap : NAN;
  pr->ftol = p->min.ftol;
  snprintf(pr->minimizer, sizeof pr->minimizer, "%s", inf.min.method);
  pr->min_iterations = inf.min.iterations;
  GV_TRY(gv_glass_evaluate(g));
  status = min_status;
  free(v);
  if (info) *info = inf;
  else gv_system_destroy(&inf.parent);
  if (status == GV_NOT_CONVERGED)
    gv_error_set(GV_NOT_CONVERGED, __FILE__, __LINE__,
                 "minimisation stopped at max force %.3e > ftol %.3e after %ld iterations", g->state.max_force,
                 p->min.ftol, inf.min.iterations);
  return status;

cleanup:
  gv_system_destroy(&inf.parent);
  if (info) *info = inf;
  gv_md_destroy(&md);
  gv_swapmc_destroy(&mc);
  gv_neighbors_destroy(&nl);
  gv_system_destroy(&s);
  free(v);
  return status;
}
