/* glassvib ensemble drivers of the model commands (khgps, lattice): the same
 * results as gv_khgps_ensemble_run / gv_lattice_run, but distributed over MPI
 * ranks, threads and independent processes, committed per sample to OUT.parts/
 * and resumable (glassvib/ensemble.h, docs/cluster.md). Without an output path
 * a serial run is the plain (non-resumable) loop and an MPI run keeps its records
 * in .glassvib-<kind>-<hash>.parts in the working directory.
 *
 * Collective under MPI: every rank calls them; only the root (gv_ensemble_is_root)
 * receives the merged samples and must write outputs; other ranks return the
 * root's status with their output arrays untouched. GV_ENSEMBLE_PENDING: other
 * processes still hold claims (no merge yet). After committing the merged
 * output, the root calls the _finish function to remove the run directory. */
#ifndef GLASSVIB_ENSEMBLE_MODELS_H
#define GLASSVIB_ENSEMBLE_MODELS_H

#include "glassvib/analysis.h"
#include "glassvib/dyn.h"
#include "glassvib/ensemble.h"
#include "glassvib/glass.h"
#include "glassvib/models.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Samples 0..nsamples-1 into s[] (caller-allocated, zeroed; root only). Returns
 * the worst status over all samples (GV_NOT_CONVERGED kept across resumes). */
int gv_ensemble_khgps_run(const gv_khgps_params *p, size_t nsamples, const char *out, gv_khgps_sample *s,
                          const char *label, gv_ensemble_stats *stats);
int gv_ensemble_khgps_finish(const gv_khgps_params *p, const char *out);

/* Realisations 0..samples-1 in tasks of `chunk` (0: 65536) into kappa[] (root). */
int gv_ensemble_lattice_run(const gv_lattice *lat, uint64_t seed, size_t samples, size_t chunk, const char *out,
                            double *kappa, size_t *resumed, const char *label, gv_ensemble_stats *stats);
int gv_ensemble_lattice_finish(const gv_lattice *lat, uint64_t seed, size_t samples, size_t chunk,
                               const char *out);

/* ---- glasses: prepare --samples M -o OUT.ext -> OUT_000.ext ... (docs/cluster.md) */
typedef struct gv_ensemble_prepare_item {
  double energy_per_particle, pressure, max_force;
  int converged;
  uint64_t seed; /* the member's own seed (gv_ensemble_sample_seed) */
} gv_ensemble_prepare_item;
/* Seed of member k: top 53 bits of the first number of stream (seed, k, GV_RNG_POSITIONS). */
uint64_t gv_ensemble_sample_seed(uint64_t seed, long sample);
/* "OUT_007.h5" for out "OUT.h5" (zero-padded to at least 3 digits, enough for samples-1). */
int gv_ensemble_member_path(const char *out, long sample, long samples, char *buf, size_t n);
/* Make (or finish making) the M glasses; items[M] filled on the root. Returns the
 * worst status (GV_NOT_CONVERGED if a glass missed ftol; it is written anyway). */
int gv_ensemble_prepare_run(const gv_model *m, long n, const gv_prepare_params *p, long samples, const char *out,
                            gv_ensemble_prepare_item *items, const char *label, gv_ensemble_stats *stats);
int gv_ensemble_prepare_finish(const char *out);

/* ---- analyses over many glasses: one sample per input glass (docs/cluster.md) */
/* Expand inputs: files are kept in the given order; a directory gives its files
 * whose names end in ".h5" (and, if xyz_data, ".xyz" / ".data"), sorted by name,
 * hidden files skipped, and, if kind is given, .h5 files whose /provenance kind is
 * another one skipped (mode files next to glasses). GV_EIO names a missing input,
 * GV_EINVAL if nothing is left. *files (n entries): gv_ensemble_file_list_free. */
int gv_ensemble_file_list(const char *const *inputs, int ninputs, int xyz_data, const char *kind, char ***files,
                          long *n);
void gv_ensemble_file_list_free(char ***files, long n);
/* Size and CRC-32 of a file's bytes (how records pin their inputs and products). */
int gv_ensemble_file_crc(const char *path, uint32_t *crc, int64_t *size);

/* modes GLASS... : per glass the lowest K (or all) modes, written to OUT_k.h5
 * (gv_ensemble_member_path) by the rank that computes them (MPI runs need a shared
 * file system, as for reading the glasses). */
typedef struct gv_ensemble_modes_params {
  int lowest;            /* K lowest non-trivial modes (sparse); 0: all (dense) */
  gv_eigopts eig;        /* sigma, tol, ncv, maxiter, seed (+ any solver choice); dim and
                            want_vectors are set per glass */
  int vectors;           /* keep the eigenvectors in the mode files */
  double max_force;      /* inherent-state test (max force component) */
  int force;             /* analyse non-minimum / unstable glasses anyway (flagged) */
  int no_moduli;         /* skip the shear modulus */
  const char *model;     /* glass formats without a model (.dat) */
  int dim;
  const char *options;   /* fingerprint text of further options that change results (may be NULL) */
} gv_ensemble_modes_params;
/* What `glassvib modes GLASS` computes for one glass: read it, check it is an
 * inherent state, Hessian, modes, shear modulus / c_T / omega_phonon. g (initialised
 * by the caller) receives the glass. Returns GV_OK, GV_NOT_CONVERGED (usable),
 * GV_EUNSTABLE with m filled if negative modes were found and !force, or an error. */
int gv_ensemble_modes_glass(const char *glass, const gv_ensemble_modes_params *p, gv_modes *m, gv_glass *g);

typedef struct gv_ensemble_modes_item {
  long n;                  /* particles */
  int k, n_zero_modes, n_negative, converged;
  double *omega, *participation; /* [k] (freed by gv_ensemble_modes_items_free) */
  double max_residual, G, c_T, omega_phonon, wall_s;
} gv_ensemble_modes_item;
void gv_ensemble_modes_items_free(gv_ensemble_modes_item *items, long n);
/* Modes of glasses[0..M) -> out_k (out may be NULL: records only, in a hidden run
 * directory of the working directory); items[M] filled on the root, in input
 * order. Returns the worst status (GV_NOT_CONVERGED) or GV_ENSEMBLE_PENDING. */
int gv_ensemble_modes_run(const gv_ensemble_modes_params *p, const char *const *glasses, long M, const char *out,
                          gv_ensemble_modes_item *items, const char *label, gv_ensemble_stats *stats);
int gv_ensemble_modes_finish(const gv_ensemble_modes_params *p, const char *const *glasses, long M,
                             const char *out);

/* dipoles GLASS... : per glass the force-dipole responses of its selected pairs. */
typedef struct gv_ensemble_dipoles_params {
  double max_force;      /* pairs with |f_ij| < max_force (<= 0: all) */
  long nrandom;          /* > 0: a random subset of that many pairs per glass */
  uint64_t seed;         /* glass k selects with seed + k */
  int check_residual;    /* |M z - d|/|d| per response */
  double state_tol;      /* inherent-state test */
  int force;
  const char *model;
  int dim;
} gv_ensemble_dipoles_params;
/* Rows of the pooled table (sample = index of the glass). */
typedef struct gv_ensemble_dipole_rows {
  long n, cap;
  int dim;
  long *sample, *pair, *i, *j;
  double *r, *f, *kappa, *a, *b, *resid; /* resid: NaN unless check_residual */
  double *nvec;                          /* [n * GV_MAX_DIM]: (x_i - x_j)/r, zero-padded */
} gv_ensemble_dipole_rows;
void gv_ensemble_dipole_rows_free(gv_ensemble_dipole_rows *t);
/* One glass, as `glassvib dipoles GLASS` computes it; rows appended with the given sample index. */
int gv_ensemble_dipoles_glass(const char *glass, const gv_ensemble_dipoles_params *p, long sample,
                              gv_ensemble_dipole_rows *rows);
/* Glasses[0..M) pooled into rows (root) in glass order. Run directory: out.parts
 * (out may be NULL: a hidden run directory in the working directory). */
int gv_ensemble_dipoles_run(const gv_ensemble_dipoles_params *p, const char *const *glasses, long M,
                            const char *out, gv_ensemble_dipole_rows *rows, const char *label,
                            gv_ensemble_stats *stats);
int gv_ensemble_dipoles_finish(const gv_ensemble_dipoles_params *p, const char *const *glasses, long M,
                               const char *out);

#ifdef __cplusplus
}
#endif
#endif
