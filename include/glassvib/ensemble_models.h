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

#ifdef __cplusplus
}
#endif
#endif
