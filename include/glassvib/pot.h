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
/* Change the taper (q = 0..4 or GV_SMOOTH_CINF) and recompute coefficients. */
int gv_model_set_smoothing(gv_model *m, int smoothing);
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
/* forces [n*dim] may be NULL. Updates the neighbour list if needed. Threaded. */
int gv_compute(const gv_model *m, const gv_system *s, gv_neighbors *nl, double *forces,
               gv_eval *out);

#ifdef __cplusplus
}
#endif
#endif
