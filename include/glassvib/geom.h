/* glassvib geom: periodic boxes in d = 2, 3, 4 (general triclinic cell, so that
 * affine strains can be applied), particle systems, cell lists and Verlet lists.
 *
 * Box: cell vectors are the columns of h (r = h s, s in [0,1)^d); hinv = h^-1.
 * Minimum image: s = hinv dr, s -= rint(s), dr = h s (exact for orthogonal and
 * slightly tilted cells, which is all a strained glass needs).
 * Units: lengths in lambda (the small particle's size). */
#ifndef GLASSVIB_GEOM_H
#define GLASSVIB_GEOM_H

#include <stddef.h>

#include "glassvib/core.h"

#ifdef __cplusplus
extern "C" {
#endif

#define GV_MAX_DIM 4

typedef struct gv_box {
  int dim;
  double h[GV_MAX_DIM][GV_MAX_DIM];    /* cell vectors as columns */
  double hinv[GV_MAX_DIM][GV_MAX_DIM];
  int orthogonal;                      /* h diagonal: fast paths */
} gv_box;

int gv_box_init_cubic(gv_box *b, int dim, double L);
/* General cell; fails (GV_EINVAL) for a singular or non-finite h. */
int gv_box_init(gv_box *b, int dim, const double h[GV_MAX_DIM][GV_MAX_DIM]);
double gv_box_volume(const gv_box *b);
void gv_box_minimum_image(const gv_box *b, double *dr); /* in place, dim components */
void gv_box_wrap(const gv_box *b, double *x);           /* into the primary cell */
/* Shortest distance between opposite faces (limits the usable cutoff). */
double gv_box_min_width(const gv_box *b);
/* Distance between the two faces normal to axis a: 1/|row a of hinv|. */
double gv_box_width(const gv_box *b, int a);
/* s = hinv x and x = h s (dim components; no wrapping). */
void gv_box_to_fractional(const gv_box *b, const double *x, double *s);
void gv_box_from_fractional(const gv_box *b, const double *s, double *x);
/* 1 if the two boxes have the same dim and bitwise equal h. */
int gv_box_equal(const gv_box *a, const gv_box *b);

/* A configuration. Species (type) for binary mixtures, per-particle size for
 * polydisperse models; the model says which is used. Unit masses. */
typedef struct gv_system {
  int dim;
  long n;
  gv_box box;
  double *x;    /* positions [n*dim], owned */
  double *v;    /* velocities [n*dim] or NULL, owned */
  int *type;    /* species [n] or NULL, owned */
  double *size; /* sizes lambda_i [n] or NULL, owned */
} gv_system;

/* Allocates x (zeroed); v, type, size are allocated on request. */
int gv_system_create(gv_system **s, int dim, long n, int with_velocities, int with_types,
                     int with_sizes);
void gv_system_destroy(gv_system **s);
int gv_system_copy(gv_system **dst, const gv_system *src);
/* GV_EINVAL naming the particle if a coordinate or velocity is non-finite, a
 * size is not positive, a type is negative, or the box is degenerate. */
int gv_system_validate(const gv_system *s);
/* Number density N / V. */
double gv_system_density(const gv_system *s);

/* Half Verlet list (pairs i < j within rc_pair(i,j) + skin), built with a cell
 * list, valid for d = 2, 3, 4 and polydisperse cutoffs. Plan once, update cheaply:
 * gv_neighbors_update rebuilds only when some particle moved more than skin/2
 * since the last build or the box changed.
 *
 * Pair storage (CSR over i): for i, partners are j[start[i] .. start[i+1]). */
typedef double (*gv_pair_cutoff_fn)(const void *ctx, const gv_system *s, long i, long j);
typedef struct gv_neighbors {
  long n;
  long *start;   /* [n+1] */
  long *j;       /* [npairs] */
  long npairs;
  double skin;
  double rc_max; /* largest pair cutoff */
  long builds;   /* number of rebuilds so far (for diagnostics) */
  /* private: reference positions and box at the last build, cell-list workspace */
  void *priv;
} gv_neighbors;

/* cutoff(ctx, s, i, j) returns the interaction range of pair (i, j); rc_max
 * bounds it. The skin is added on top. */
int gv_neighbors_create(gv_neighbors **nl, const gv_system *s, gv_pair_cutoff_fn cutoff,
                        const void *ctx, double rc_max, double skin);
int gv_neighbors_update(gv_neighbors *nl, const gv_system *s); /* rebuild if needed */
int gv_neighbors_rebuild(gv_neighbors *nl, const gv_system *s); /* force a rebuild */
/* 1 if gv_neighbors_update would rebuild: some particle moved > skin/2 since the
 * build (plain displacement, no minimum image: re-wrapping positions into the box
 * rebuilds, because gv_compute keeps each pair's periodic image fixed between
 * builds) or the box changed. */
int gv_neighbors_needs_rebuild(const gv_neighbors *nl, const gv_system *s);
void gv_neighbors_destroy(gv_neighbors **nl);
/* Notes: pairs inside the list may lie beyond their cutoff (the skin): callers
 * test r < rc(i,j) themselves. The list relies on the minimum image: the
 * interaction range rc_max must be < half the narrowest box width (GV_EINVAL
 * otherwise); the skin is reduced automatically (nl->skin) if rc_max + skin
 * would exceed it. Axes with fewer than 3 cells are not split, so small boxes
 * are handled exactly. The pair order depends only on the configuration and the
 * box, never on the number of threads. Building costs O(N 3^d rho (rc+skin)^d).
 * At most 2^24 - 1 particles (GV_ENOTSUP beyond). Privately the list also keeps
 * the particles in cell order with each pair stored once and its image fixed,
 * which is what gv_compute runs on (see src/geom/neighbors.c). */

/* Cell list for Monte Carlo: O(1) updates after single-particle moves and a
 * candidate set around any point. Candidates of x are all particles in the
 * 3^d' cells around x: every particle within `range` of x is among them (plus
 * farther ones; callers test the distance). Cost per query ~ 3^d rho range^d
 * (3D IPL, range 2.07: ~ 190 candidates). Not thread-safe (one internal buffer). */
typedef struct gv_cells gv_cells;
int gv_cells_create(gv_cells **c, const gv_system *s, double range);
/* Re-bin every particle (after a box change or a new configuration). */
int gv_cells_rebuild(gv_cells *c, const gv_system *s);
/* Particle i has moved (its x in s changed): update its cell. O(1). */
void gv_cells_move(gv_cells *c, const gv_system *s, long i);
/* Candidates around position x (dim components, any image): returns their
 * count and points *list to an internal buffer valid until the next call;
 * includes every particle of those cells (so possibly the particle at x
 * itself). Re-bins automatically if the box changed; returns -1 on error. */
long gv_cells_candidates(gv_cells *c, const gv_system *s, const double *x, const long **list);
double gv_cells_range(const gv_cells *c);
void gv_cells_destroy(gv_cells **c);

#ifdef __cplusplus
}
#endif
#endif
