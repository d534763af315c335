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
/* GV_EINVAL naming the particle if a coordinate is non-finite. */
int gv_system_validate(const gv_system *s);

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
void gv_neighbors_destroy(gv_neighbors **nl);

#ifdef __cplusplus
}
#endif
#endif
