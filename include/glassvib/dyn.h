/* glassvib dyn: energy minimisers, molecular dynamics, swap Monte Carlo and the
 * glass-preparation protocols (docs/glasses.md).
 *
 *  - Minimisers (gv_min_*) are generic: they minimise any smooth function of a
 *    flat vector given an energy+gradient callback, so other modules can reuse
 *    them. FIRE 2.0 (Guenole et al., Comput. Mater. Sci. 175, 109584 (2020)) is
 *    the robust first stage; L-BFGS (default) or Polak-Ribiere+ conjugate
 *    gradient with a gradient-based (secant on g.d) line search finishes to a
 *    max gradient component of 1e-10.
 *  - Molecular dynamics (gv_md_*): Langevin BAOAB (Leimkuhler & Matthews,
 *    AMRX 2013, 34) samples the canonical ensemble; friction 0 is exactly
 *    velocity Verlet (NVE). Noise of component k at step t comes from the
 *    Philox block (t, k/2): results do not depend on the thread count.
 *  - Swap Monte Carlo (gv_swapmc_*) for polydisperse models (models.md).
 *  - gv_prepare: liquid at T_p -> (cooling) -> inherent state.
 * Units: model units (energy eps, length lambda, mass m = 1, k_B = 1, time
 * lambda sqrt(m/eps)). */
#ifndef GLASSVIB_DYN_H
#define GLASSVIB_DYN_H

#include <stddef.h>
#include <stdint.h>

#include "glassvib/glass.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ================================================================ minimisers */

/* Objective: energy *e and gradient grad[n] (= -forces) at x[n]. x may be any
 * buffer of the minimiser (not necessarily the caller's vector). Returns a
 * status; a non-finite energy or gradient must be reported as an error. */
typedef int (*gv_min_func)(void *ctx, const double *x, double *e, double *grad);

typedef enum {
  GV_MIN_FIRE = 0, /* FIRE 2.0, semi-implicit Euler, half step back on P <= 0 */
  GV_MIN_LBFGS = 1, /* limited-memory BFGS, gradient-based line search */
  GV_MIN_CG = 2     /* Polak-Ribiere+ conjugate gradient, accurate line search */
} gv_min_method;

typedef struct gv_min_params {
  double ftol;          /* converged when max_k |grad_k| <= ftol (default 1e-10) */
  double switch_ftol;   /* gv_min_run: FIRE until max |grad| <= this (default 1) */
  long max_iter;        /* iteration cap over all stages (default 1000000) */
  long stuck_iter;      /* gv_min_run gives up (GV_NOT_CONVERGED) when the best max |grad|
                           has not dropped by 10 % for this many iterations, e.g. on a
                           force discontinuity (default 5000; 0 = never) */
  gv_min_method finisher; /* GV_MIN_LBFGS (default) or GV_MIN_CG */
  /* FIRE 2.0 (paper defaults; times in units of the MD time) */
  double fire_dt;       /* initial time step (0.01) */
  double fire_dtmax;    /* max time step (10 fire_dt) */
  double fire_dtmin;    /* min time step (0.02 fire_dt) */
  double fire_dmax;     /* max displacement per component and step (0.1) */
  int fire_ndelay;      /* steps before dt may grow (20) */
  double fire_finc, fire_fdec, fire_alpha0, fire_falpha; /* 1.1, 0.5, 0.25, 0.99 */
  /* finisher */
  int lbfgs_m;          /* L-BFGS memory (8) */
  double max_step;      /* max displacement per component in one line search step (0.1) */
  double ls_sigma;      /* curvature |g(a).d| <= sigma |g(0).d|: 0.9 for L-BFGS, 0.1 for CG (0 = auto) */
  int progress;         /* draw a progress bar (on a terminal) */
  const char *label;    /* progress label (default "minimise") */
} gv_min_params;

void gv_min_params_default(gv_min_params *p);

typedef struct gv_min_result {
  double energy;        /* final energy */
  double max_grad;      /* final max |grad component| */
  long iterations;      /* all stages */
  long fire_iterations;
  long finisher_iterations;
  long evaluations;     /* objective calls */
  int converged;        /* max_grad <= ftol */
  double wall_s;
  char method[32];      /* e.g. "fire2+lbfgs" */
} gv_min_result;

/* Iterate/test interface (GSL style). The workspace borrows x (length n): it is
 * updated in place after every iteration. */
typedef struct gv_min_workspace gv_min_workspace;
int gv_min_alloc(gv_min_workspace **w, gv_min_method method, size_t n, const gv_min_params *p);
void gv_min_free(gv_min_workspace **w);
/* Evaluate at x and reset the method's state (velocities, history). */
int gv_min_set(gv_min_workspace *w, gv_min_func f, void *ctx, double *x);
/* One iteration. GV_OK; GV_NOT_CONVERGED if the method cannot make progress
 * (line search failed twice in a row, FIRE stuck); errors < 0. */
int gv_min_iterate(gv_min_workspace *w);
/* GV_OK if max |grad| <= ftol, else GV_NOT_CONVERGED. */
int gv_min_test(const gv_min_workspace *w, double ftol);
double gv_min_energy(const gv_min_workspace *w);
double gv_min_max_grad(const gv_min_workspace *w);
const double *gv_min_gradient(const gv_min_workspace *w);
long gv_min_evaluations(const gv_min_workspace *w);
long gv_min_iterations(const gv_min_workspace *w);

/* FIRE 2.0 down to switch_ftol, then the finisher down to ftol (falls back to
 * FIRE for a while and retries if the finisher stalls). Returns GV_OK when
 * converged, GV_NOT_CONVERGED (result usable, r->converged = 0) otherwise, an
 * error < 0 on failure, GV_EINTERRUPTED if gv_interrupted(). x is updated. */
int gv_min_run(gv_min_func f, void *ctx, size_t n, double *x, const gv_min_params *p,
               gv_min_result *r);

/* Deterministic dot product (fixed blocks, summed in order: the same result for
 * any thread count). */
double gv_dyn_dot(const double *a, const double *b, size_t n);

/* ======================================================== systems as objectives */

/* Context wrapping a model + system + neighbour list as an objective/force
 * callback. All members borrowed; ev holds the last evaluation (energy and
 * max force; gv_compute_forces: virial and pressure are NaN). */
typedef struct gv_dyn_sysctx {
  const gv_model *model;
  gv_system *sys;
  gv_neighbors *nl;
  gv_eval ev;
  long evaluations;
} gv_dyn_sysctx;
/* gv_min_func over positions (copies x into sys->x if different). */
int gv_dyn_system_objective(void *ctx, const double *x, double *e, double *grad);
/* gv_md_force_func over positions. */
int gv_dyn_system_force(void *ctx, const double *x, double *e, double *force);
/* A neighbour list suited to the system (skin 0.4 lambda). */
int gv_dyn_neighbors_create(gv_neighbors **nl, const gv_model *m, const gv_system *s);

/* Minimise the system's energy in place (positions wrapped into the box at the
 * end). Statuses as gv_min_run. */
int gv_minimize_system(const gv_model *m, gv_system *s, const gv_min_params *p, gv_min_result *r);

/* ======================================================= molecular dynamics */

/* Forces force[n] = -grad E and energy *e at x[n]. */
typedef int (*gv_md_force_func)(void *ctx, const double *x, double *e, double *force);

typedef struct gv_md_params {
  double dt;      /* time step (default 0.005) */
  double gamma;   /* Langevin friction (default 1.0); 0 = NVE velocity Verlet */
  uint64_t seed;  /* noise stream (seed, sample, GV_RNG_THERMOSTAT) */
  uint64_t sample;
} gv_md_params;
void gv_md_params_default(gv_md_params *p);

/* Integrator over n components with unit masses. x and v are borrowed and
 * updated in place; forces are evaluated at creation. */
typedef struct gv_md gv_md;
int gv_md_create(gv_md **md, size_t n, gv_md_force_func f, void *ctx, double *x, double *v,
                 const gv_md_params *p);
void gv_md_destroy(gv_md **md);
/* One BAOAB step at bath temperature T (T ignored when gamma == 0):
 *   B: v += dt/2 F;  A: x += dt/2 v;  O: v = c v + sqrt((1 - c^2) T) xi,
 *   c = exp(-gamma dt);  A: x += dt/2 v;  F = F(x);  B: v += dt/2 F. */
int gv_md_step(gv_md *md, double T);
double gv_md_potential(const gv_md *md);
double gv_md_kinetic(const gv_md *md); /* sum v^2 / 2 */
long gv_md_steps(const gv_md *md);
const double *gv_md_forces(const gv_md *md);

/* Maxwell-Boltzmann velocities at T (stream (seed, sample, GV_RNG_VELOCITIES)),
 * centre-of-mass velocity removed per dimension (stride dim). */
void gv_dyn_maxwell(double *v, long n, int dim, double T, uint64_t seed, uint64_t sample);

/* ========================================================= swap Monte Carlo */

typedef struct gv_swap_params {
  double T;          /* temperature */
  double p_swap;     /* probability that an attempt is a size swap (0.2) */
  double step;       /* initial max displacement per component (0.1) */
  double max_dsize;  /* reject swaps with |l_i - l_j| > max_dsize (<= 0: no cut) */
  double acc_lo, acc_hi; /* displacement acceptance window for tuning (0.30, 0.40) */
  uint64_t seed, sample; /* stream (seed, sample, GV_RNG_MONTE_CARLO) */
} gv_swap_params;
void gv_swap_params_default(gv_swap_params *p);

typedef struct gv_swapmc_stats {
  long disp_tried, disp_accepted;
  long swap_tried, swap_accepted; /* swaps cut by max_dsize count as tried, rejected */
  long sweeps;
} gv_swapmc_stats;

/* The system (sizes required: poly, poly-nbc; or types for binary mixtures,
 * then a swap exchanges species) is borrowed and changed in place. */
typedef struct gv_swapmc gv_swapmc;
int gv_swapmc_create(gv_swapmc **mc, const gv_model *m, gv_system *s, const gv_swap_params *p);
void gv_swapmc_destroy(gv_swapmc **mc);
/* Run nsweeps sweeps (N attempts each). tune != 0 adjusts the displacement
 * step after every sweep towards [acc_lo, acc_hi] (equilibration only: a
 * production chain must keep the step fixed so detailed balance holds). */
int gv_swapmc_run(gv_swapmc *mc, long nsweeps, int tune);
double gv_swapmc_energy(const gv_swapmc *mc); /* running total potential energy */
double gv_swapmc_step(const gv_swapmc *mc);
void gv_swapmc_stats_get(const gv_swapmc *mc, gv_swapmc_stats *st);
void gv_swapmc_stats_reset(gv_swapmc *mc);
/* Recompute the total energy from scratch (checks the running sum). */
int gv_swapmc_recompute(gv_swapmc *mc, double *e);

/* ============================================================== protocols */

typedef struct gv_prepare_params {
  char protocol[32];  /* "instant" or "rate" */
  double tp;          /* parent temperature (> 0) */
  double rate;        /* cooling rate for "rate" */
  double t_end;       /* cooling ends at this temperature (default 0.01) */
  double equil_time;  /* MD time at T_p (default 10); swap MC: sweeps = 100 equil_time */
  long sweeps;        /* swap MC sweeps (overrides equil_time if > 0) */
  int use_swap;       /* -1 auto (poly, poly-nbc), 0 no, 1 yes */
  double p_swap;      /* 0.2 */
  double max_dsize;   /* swap size-difference cut (<= 0: none) */
  gv_md_params md;    /* dt, gamma */
  gv_min_params min;  /* final minimisation */
  uint64_t seed;
  int progress;
  int keep_parent;    /* 1: return the equilibrated (or cooled) configuration in info->parent */
} gv_prepare_params;
void gv_prepare_params_default(gv_prepare_params *p);
/* Parse "instant" or "rate:R" (R > 0, finite) into p->protocol / p->rate. */
int gv_protocol_parse(const char *s, gv_prepare_params *p);

typedef struct gv_prepare_info {
  double t_equil, t_cool, t_min;  /* wall seconds per stage */
  double mean_T;                  /* measured kinetic T during MD equilibration */
  double mc_acceptance, swap_acceptance, mc_step; /* swap MC (NaN if unused) */
  gv_min_result min;
  gv_system *parent;              /* keep_parent: the configuration before the quench (caller destroys) */
} gv_prepare_info;

/* Make a glass: random liquid of n particles of model m (sizes sampled for
 * poly), equilibrated at T_p (MD, or swap MC for poly/poly-nbc), optionally
 * cooled at the given rate, then minimised. g receives the system, model,
 * protocol, state and seed; with p->keep_parent, info->parent receives the
 * configuration just before the quench (a parent to quench again, e.g. with
 * another taper; destroyed by the caller, NULL on error). GV_NOT_CONVERGED if the final tolerance was
 * not reached (g is complete, g->state.converged = 0). */
int gv_prepare(const gv_model *m, long n, const gv_prepare_params *p, gv_glass *g,
               gv_prepare_info *info);

#ifdef __cplusplus
}
#endif
#endif
