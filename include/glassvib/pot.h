/* glassvib pot: pair potentials of the computer-glass models (models.md).
 *
 * Every model is phi_ij(r) = eps_ij * f(r / lambda_ij), with a dimensionless
 * shape f(x) that vanishes for x >= x_c:
 *   ipl, poly, poly-nbc:  f(x) = x^-n + taper          (n = 10, 10, 12)
 *   kablj:                f(x) = 4 (x^-12 - x^-6) + taper
 * Taper ("smoothing"), chosen independently of the model:
 *   q = 0..4: add sum_{l=0..q} c_{2l} x^{2l} so that f and its first q
 *             derivatives vanish at x_c (q = 0: truncated and shifted);
 *   cinf:     multiply the untapered f by a C-infinity step S(x) that is 1 for
 *             x <= x_on and exactly 0 for x >= x_c (all derivatives continuous).
 * Radial derivatives: phi^(k)(r) = eps_ij lambda_ij^-k f^(k)(x), k = 0..4.
 * Units: energy eps, length lambda, mass m = 1, k_B = 1. */
#ifndef GLASSVIB_POT_H
#define GLASSVIB_POT_H

#include "glassvib/geom.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { GV_MODEL_IPL = 0, GV_MODEL_POLY, GV_MODEL_POLY_NBC, GV_MODEL_KABLJ } gv_model_kind;

/* Default densities that are not in models.md (see docs/models.md for the
 * source or the argument behind each; all are overridable). */
#define GV_IPL_DENSITY_4D 0.96   /* estimate: not found in the literature (see docs) */
#define GV_POLY_DENSITY_3D 0.58  /* Lerner-group 3D POLY (recollection; to be confirmed) */
#define GV_POLY_DENSITY_4D 0.55  /* extrapolation */
#define GV_NBC_DENSITY_2D 1.01   /* Berthier et al., Nat. Commun. 10, 1508 (2019) (to be confirmed) */
#define GV_NBC_DENSITY_4D 1.44   /* extrapolation */
#define GV_KABLJ_DENSITY_2D 1.2  /* extrapolation (2D KA studies usually use 65:35) */
#define GV_KABLJ_DENSITY_4D 1.6  /* extrapolation */

#define GV_SMOOTH_CINF (-1)

typedef struct gv_model {
  gv_model_kind kind;
  char name[16];       /* "ipl", "poly", "poly-nbc", "kablj" */
  int dim;
  double density;      /* N / V */
  int smoothing;       /* 0..4 polynomial order q, or GV_SMOOTH_CINF */
  double x_c;          /* cutoff in units of lambda_ij (sigma_ab for kablj) */
  double x_on;         /* cinf taper: onset of the step (default documented in pot.c) */
  double n_exp;        /* inverse-power exponent (ipl/poly: 10, poly-nbc: 12) */
  double c[5];         /* polynomial taper coefficients c_0, c_2, ..., c_8 (q+1 used) */
  /* binary mixtures (ipl, kablj): species 0..ntypes-1 */
  int ntypes;
  double fraction[2];          /* composition: ipl 0.5/0.5, kablj 0.8/0.2 */
  double lambda[2][2];         /* length scale per species pair */
  double eps[2][2];            /* energy scale per species pair */
  /* polydisperse (poly, poly-nbc): lambda_ij = (l_i + l_j)/2 (1 - nonadd |l_i - l_j|) */
  double nonadd;
  double size_min, size_max;   /* p(lambda) ~ lambda^-3 on [size_min, size_max] */
} gv_model;

/* Fill *m with the model card's defaults for `name` in `dim` dimensions
 * (density default per model card; GV_EINVAL for an unknown name or a dim the
 * model does not support). Smoothing defaults: ipl/poly q = 3, poly-nbc q = 2,
 * kablj q = 0 (truncated and shifted). */
int gv_model_init(gv_model *m, const char *name, int dim);
/* Change the taper (q = 0..4 or GV_SMOOTH_CINF) and recompute coefficients
 * (closed form for the pure inverse power laws, linear solve for kablj). To
 * change x_c or x_on, set the field and call this again. */
int gv_model_set_smoothing(gv_model *m, int smoothing);
/* "ipl" -> GV_MODEL_IPL etc.; GV_EINVAL naming the unknown model. */
int gv_model_kind_from_name(const char *name, gv_model_kind *k);
/* 1 for poly and poly-nbc (per-particle sizes), 0 for binary mixtures (types). */
int gv_model_is_polydisperse(const gv_model *m);
/* Taper coefficients c_0..c_{2q} for order q by the closed form (IPL family
 * only; GV_ENOTSUP otherwise) or by solving f^(k)(x_c) = 0, k = 0..q. */
int gv_model_taper_closed_form(const gv_model *m, int q, double c[5]);
int gv_model_taper_solve(const gv_model *m, int q, double c[5]);
/* Parse "0".."4" or "cinf". */
int gv_model_parse_smoothing(const char *s, int *smoothing);
/* A short text such as "q=3" or "cinf(x_on=1.2)". */
void gv_model_smoothing_name(const gv_model *m, char *buf, size_t n);
/* Check every parameter (finite, in range); GV_EINVAL names the offender. */
int gv_model_validate(const gv_model *m);

/* The dimensionless shape: d[k] = f^(k)(x) for k = 0..nderiv (nderiv <= 4).
 * All zero for x >= x_c. */
void gv_model_shape(const gv_model *m, double x, int nderiv, double *d);

/* Pair scales of particles i, j of system s. */
void gv_model_pair_scales(const gv_model *m, const gv_system *s, long i, long j, double *eps,
                          double *lambda);
/* Radial derivatives phi^(k)(r), k = 0..nderiv, of pair (i, j) at distance r.
 * Returns 1 if r is inside the cutoff, 0 otherwise (then d is all zero). */
int gv_model_pair(const gv_model *m, const gv_system *s, long i, long j, double r, int nderiv,
                  double *d);
double gv_model_pair_cutoff(const gv_model *m, const gv_system *s, long i, long j);
double gv_model_max_cutoff(const gv_model *m, const gv_system *s);
/* Adapter for gv_neighbors_create (ctx = const gv_model *). */
double gv_model_cutoff_fn(const void *ctx, const gv_system *s, long i, long j);
/* The system fits the model: same dim, types in range (binary) or sizes
 * present (polydisperse), finite coordinates (gv_system_validate). */
int gv_model_check_system(const gv_model *m, const gv_system *s);
/* GV_EUNSTABLE naming the first pair closer than frac * lambda_ij (e.g. 1e-3:
 * overlapping particles). O(N) with a cell list. */
int gv_model_check_overlaps(const gv_model *m, const gv_system *s, double frac);

/* ------------------------------------------------ building configurations */
/* Sizes of a polydisperse model: lambda_i i.i.d. from p(l) ~ l^-3 on
 * [size_min, size_max] by inversion, l = (a^-2 - u (a^-2 - b^-2))^-1/2, using
 * r in particle order (s->size must exist). */
int gv_model_sample_sizes(const gv_model *m, gv_system *s, gv_rng *r);
/* Species of a binary model: exactly round(fraction[0] N) particles of type 0,
 * the rest type 1, in a uniformly random order (Fisher-Yates with r). */
int gv_model_assign_types(const gv_model *m, gv_system *s, gv_rng *r);
/* A random liquid start: cubic box of side (n / m->density)^(1/d), positions
 * i.i.d. uniform in the box (stream (seed, 0, GV_RNG_POSITIONS)), types or
 * sizes from (seed, 0, GV_RNG_SIZES). No velocities. Positions are uniform, so
 * close pairs exist: relax them (e.g. FIRE with a capped step) before MD. */
int gv_system_create_random(gv_system **s, const gv_model *m, long n, uint64_t seed);

/* ------------------------------------------------ single-particle energies */
/* Energy of particle i with every other particle (except `skip`, -1 for
 * none) as if i were at xi (NULL: its position in s) with size size_i (NaN or
 * <= 0: its size in s; polydisperse models only). Uses the cell list c
 * (range >= gv_model_max_cutoff for the largest size in play), so the cost is
 * one candidate scan, ~ 3^d rho (x_c lambda_max)^d pair tests (3D IPL ~ 190,
 * 2D POLY ~ 90). Swap move of i and j: dE = [e(i, l_j, skip j) + e(j, l_i,
 * skip i)] - [e(i, l_i, skip j) + e(j, l_j, skip i)] (the i-j pair itself is
 * symmetric in the two sizes, so it does not change). Returns NaN if the cell
 * list cannot be used (error recorded). */
double gv_model_particle_energy(const gv_model *m, const gv_system *s, gv_cells *c, long i,
                                const double *xi, double size_i, long skip);
/* Energy, forces and virial of a configuration.
 * Convention: r_ij = x_i - x_j (minimum image), f_ij = -phi'(r) r_ij / r is the
 * force on i due to j; virial W_ab = sum_{pairs} r_ij,a f_ij,b (symmetric);
 * athermal pressure p = tr(W) / (d V) (MD adds the kinetic part N T / V). */
typedef struct gv_eval {
  double energy;                         /* total potential energy */
  double virial[GV_MAX_DIM][GV_MAX_DIM]; /* W_ab as above */
  double pressure;                       /* tr(W) / (d V) */
  double max_force;                      /* max |force component| (if forces requested) */
} gv_eval;
/* forces [n*dim] may be NULL. Updates the neighbour list if needed (nl may be
 * NULL: a temporary list is built, convenient but O(N) allocations). Threaded
 * with OpenMP; the result is bitwise independent of the number of threads
 * (pair forces are stored per pair and gathered per particle in a fixed
 * order; energy and virial are reduced over fixed blocks in a fixed order).
 * nl must have been made with gv_model_cutoff_fn/ctx = m (or a range >= the
 * model's) and is not safe to share between concurrent calls.
 * GV_ENUMERIC if the energy is not finite (e.g. two particles on top of each other). */
int gv_compute(const gv_model *m, const gv_system *s, gv_neighbors *nl, double *forces,
               gv_eval *out);
/* The same without the virial (virial and pressure set to NaN): energy and
 * forces only, ~25 % faster; what minimisers and MD use. Equal to gv_compute
 * to round-off (not bitwise: FMA contraction may differ); bitwise independent
 * of the thread count like gv_compute. */
int gv_compute_forces(const gv_model *m, const gv_system *s, gv_neighbors *nl, double *forces,
                      gv_eval *out);
/* A neighbour list for model m and system s with the given skin
 * (gv_neighbors_create with gv_model_cutoff_fn and gv_model_max_cutoff). */
int gv_model_neighbors_create(const gv_model *m, const gv_system *s, double skin, gv_neighbors **nl);

#ifdef __cplusplus
}
#endif
#endif
