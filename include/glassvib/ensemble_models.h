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

#include "glassvib/ensemble.h"
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

#ifdef __cplusplus
}
#endif
#endif
