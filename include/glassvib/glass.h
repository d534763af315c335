/* glassvib glass files: a configuration with its model, protocol and state,
 * read and written by extension:
 *   .h5    native container (docs/formats.md), read/write
 *   .xyz   extended XYZ (OVITO, ASE), read/write
 *   .data  LAMMPS data file (atom_style atomic; types 1..ntypes, or per-size types), read/write
 *   .dat   the Lerner-group plain format of shared/reference_snapshots, read only
 *          (the model is not in the file: pass it and dim). */
#ifndef GLASSVIB_GLASS_H
#define GLASSVIB_GLASS_H

#include <stdint.h>

#include "glassvib/io.h"
#include "glassvib/pot.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How a glass was made (recorded in /protocol). Unused numbers are NaN or 0. */
typedef struct gv_protocol {
  char kind[32];       /* "instant", "rate", "minimize", "import" */
  double tp;           /* parent temperature */
  double rate;         /* cooling rate |dT/dt| for kind "rate" */
  double equil_time;   /* MD (or MC sweeps for swap) time at T_p */
  double dt;           /* MD time step */
  char thermostat[64]; /* e.g. "langevin(gamma=1)" */
  long swap_sweeps;    /* swap Monte Carlo sweeps */
  double swap_prob;    /* swap-move probability */
  double ftol;         /* requested max force component */
  char minimizer[64];  /* e.g. "fire2+cg" */
  long min_iterations;
} gv_protocol;

typedef struct gv_state {
  double energy;       /* total potential energy */
  double pressure;     /* athermal pressure */
  double max_force;    /* max |force component| */
  int converged;       /* max_force <= protocol.ftol */
} gv_state;

typedef struct gv_glass {
  gv_system *sys; /* owned */
  gv_model model;
  gv_protocol protocol;
  gv_state state;
  uint64_t seed;
} gv_glass;

void gv_glass_init(gv_glass *g);  /* empty glass: NULL system, NaN numbers */
void gv_glass_free(gv_glass *g);  /* frees the system, keeps g reusable */

/* Read by extension. model_name/dim are needed for .dat (else may be NULL/0:
 * for .xyz/.data the model is read from the file's comment/header if glassvib
 * wrote it, otherwise model_name must be given). Validates coordinates
 * (finite, no overlapping pair), sizes and counts; GV_EFORMAT names the problem. */
int gv_glass_read(const char *path, const char *model_name, int dim, gv_glass *g);
/* Write by extension, atomically (temporary name, then rename). */
int gv_glass_write(const char *path, const gv_glass *g);
/* Recompute g->state from the configuration (energy, pressure, max force);
 * converged = max_force <= protocol.ftol (0 if ftol is NaN). */
int gv_glass_evaluate(gv_glass *g);
/* Format from the extension: 1 .h5, 2 .xyz, 3 .data, 4 .dat, 0 unknown. */
int gv_glass_format(const char *path);
/* The validation every reader ends with (N >= 2, system fits the model, box
 * fits the cutoff, no pair closer than 1e-3 lambda_ij; sets model.density to
 * N/V). Useful for configurations built in memory. GV_EFORMAT naming path. */
int gv_glass_finish_read(gv_glass *g, const char *path);

#ifdef __cplusplus
}
#endif
#endif
