/* glassvib ensemble: runs over sample indices 0..M-1 that are distributed over
 * threads, independent processes and MPI ranks, committed sample by sample,
 * resumable, and merged in sample order (docs/cluster.md).
 *
 * A command describes one sample with a callback that fills a record (named
 * arrays of doubles / int64s). Each finished sample is written atomically (temp
 * file + fsync + rename) to a run directory OUT.parts/ as sNNNNNNNNNN.rec with a
 * CRC-32 and the 64-bit hash of the run's parameter fingerprint. Re-running the
 * same command skips samples whose record verifies; a corrupt or foreign record
 * is recomputed, never merged; a run directory made with other parameters is
 * refused. Because sample k's random streams depend only on (seed, k), and the
 * merge visits records in sample order, the merged result is bitwise the same
 * for any number of ranks, processes or threads.
 *
 * Work assignment:
 *  - MPI (build option GV_MPI, launched by mpirun/srun): rank 0 hands out sample
 *    indices on request (a dispatcher thread, so rank 0 also computes); results
 *    travel to rank 0, which alone writes records and the merged output;
 *  - independent processes sharing a run directory (job arrays, several
 *    nodes without MPI): O_EXCL claim files sNNNNNNNNNN.claim ("host pid"),
 *    refreshed every 30 s by their owner; a claim whose process is gone (same
 *    host) or that is not refreshed for `stale_s` seconds is taken over;
 *  - threads: opts.parallel_samples > 1 computes that many samples at once.
 */
#ifndef GLASSVIB_ENSEMBLE_H
#define GLASSVIB_ENSEMBLE_H

#include <stddef.h>
#include <stdint.h>

#include "glassvib/core.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Information status of gv_ensemble_run: every sample this process could take
 * is done, but some are still being computed by other processes (live claims);
 * the last process to finish merges. */
enum { GV_ENSEMBLE_PENDING = 2 };

/* ------------------------------------------------------------- records */
typedef struct gv_ensemble_record gv_ensemble_record;
int gv_ensemble_record_create(gv_ensemble_record **r);
void gv_ensemble_record_destroy(gv_ensemble_record **r);
void gv_ensemble_record_clear(gv_ensemble_record *r); /* keeps the allocation */
/* Add a named field (copied; names up to 63 characters, unique in a record). */
int gv_ensemble_record_put_doubles(gv_ensemble_record *r, const char *name, const double *v,
                                   size_t n);
int gv_ensemble_record_put_int64s(gv_ensemble_record *r, const char *name, const int64_t *v,
                                  size_t n);
int gv_ensemble_record_put_double(gv_ensemble_record *r, const char *name, double v);
int gv_ensemble_record_put_int64(gv_ensemble_record *r, const char *name, int64_t v);
/* Borrowed views; NULL (and *n = 0) if the field is absent or of the other type. */
const double *gv_ensemble_record_doubles(const gv_ensemble_record *r, const char *name,
                                         size_t *n);
const int64_t *gv_ensemble_record_int64s(const gv_ensemble_record *r, const char *name,
                                         size_t *n);
/* Scalar (first element) of a field; GV_EFORMAT naming the field if absent. */
int gv_ensemble_record_get_double(const gv_ensemble_record *r, const char *name, double *v);
int gv_ensemble_record_get_int64(const gv_ensemble_record *r, const char *name, int64_t *v);
long gv_ensemble_record_sample(const gv_ensemble_record *r);

/* Serialised form (what record files and MPI messages hold): *buf allocated. */
int gv_ensemble_record_pack(const gv_ensemble_record *r, uint64_t fingerprint, void **buf,
                            size_t *nbytes);
/* Verify (size, magic, CRC-32, fingerprint, sample if expect_sample >= 0) and
 * unpack into r. GV_EFORMAT with a message saying what is wrong. */
int gv_ensemble_record_unpack(gv_ensemble_record *r, const void *buf, size_t nbytes,
                              uint64_t fingerprint, long expect_sample);

/* CRC-32 (IEEE 802.3, reflected, as zlib) and the 64-bit FNV-1a hash. */
uint32_t gv_ensemble_crc32(uint32_t crc, const void *data, size_t n);
uint64_t gv_ensemble_hash64(const char *s);

/* --------------------------------------------------------------- runs */
/* compute: fill `out` (already cleared, sample set) with sample `sample`'s result.
 * Return GV_OK, > 0 (information, recorded), or < 0 (the run stops, no record).
 * Called from several threads at once only if parallel_samples > 1. */
typedef int (*gv_ensemble_compute_fn)(void *ctx, long sample, gv_ensemble_record *out);
/* merge: called on the root for samples 0..M-1 in order with verified records. */
typedef int (*gv_ensemble_merge_fn)(void *ctx, long sample, const gv_ensemble_record *rec);
/* validate (optional): at resume, a record that verifies but whose product is
 * gone or changed (e.g. the glass file it describes) -> return non-zero (with
 * GV_ERROR for the message): the sample is recomputed like a corrupt record. */
typedef int (*gv_ensemble_validate_fn)(void *ctx, long sample, const gv_ensemble_record *rec);

typedef struct gv_ensemble_opts {
  const char *dir;         /* run directory (gv_ensemble_parts_path(out)); created if missing */
  const char *fingerprint; /* every parameter that changes a sample's result ("khgps n=... seed=...") */
  long samples;            /* M >= 1 */
  int parallel_samples;    /* threads computing different samples at once (<= 1: one) */
  const char *label;       /* progress bar label (root only) or NULL */
  double stale_s;          /* claims not refreshed for this long are taken over (0: 600 s) */
  gv_ensemble_validate_fn validate; /* optional, called with the compute ctx (root only) */
} gv_ensemble_opts;

typedef struct gv_ensemble_stats {
  int rank, nranks;       /* 0 / 1 without MPI */
  long samples;           /* M */
  long resumed;           /* valid records found at start */
  long corrupt;           /* records found corrupt or foreign at start (recomputed) */
  long computed;          /* samples computed in this run (all ranks) */
  long computed_here;     /* ... by this rank */
  long pending;           /* samples still claimed by other live processes at the end */
  int worst;              /* worst positive compute status (GV_NOT_CONVERGED), 0 if none */
  double wall_s;          /* wall time of gv_ensemble_run */
  double commit_s;        /* of which spent claiming samples and packing, writing and syncing
                             records (root): the checkpointing cost */
  double scan_s;          /* of which spent scanning and verifying the run directory */
} gv_ensemble_stats;

/* "OUT.parts" for output OUT (buf of size n). */
int gv_ensemble_parts_path(const char *out, char *buf, size_t n);

/* Run every missing sample. Collective over MPI ranks when launched under MPI.
 * Returns GV_OK when all M records exist (the root may merge), GV_ENSEMBLE_PENDING,
 * GV_EINTERRUPTED (records committed so far are kept), or an error (a sample's
 * failure stops every rank). On ranks > 0 it returns the same status as rank 0. */
int gv_ensemble_run(const gv_ensemble_opts *o, gv_ensemble_compute_fn compute, void *ctx,
                    gv_ensemble_stats *stats);
/* Root only: call merge for samples 0..M-1 in order (each record re-verified). */
int gv_ensemble_merge(const gv_ensemble_opts *o, gv_ensemble_merge_fn merge, void *ctx);
/* Root only: remove the run directory once the merged output is committed. */
int gv_ensemble_finish(const gv_ensemble_opts *o);

/* ---------------------------------------------------------------- MPI */
int gv_ensemble_have_mpi(void); /* 1 if built with GV_MPI */
/* Initialise MPI if this process was started by an MPI launcher (idempotent;
 * without GV_MPI or without a launcher: serial, rank 0 of 1). Commands call it
 * first so that ranks > 0 stay silent. MPI is finalised at exit. */
int gv_ensemble_comm_init(void);
int gv_ensemble_rank(void);
int gv_ensemble_nranks(void);
int gv_ensemble_is_root(void); /* rank 0 (or serial) */
/* Ranks agree on a status (the minimum, i.e. the worst error); serial: identity. */
int gv_ensemble_agree(int status);
void gv_ensemble_comm_finalize(void); /* also registered with atexit */

/* ----------------------------------------------------------- progress */
typedef struct gv_ensemble_progress_info {
  char dir[1024];          /* the run directory inspected */
  char fingerprint[1024];  /* as recorded in its manifest */
  char created[64];        /* ISO 8601 UTC */
  long samples;            /* M */
  long done;               /* valid records */
  long corrupt;            /* records that fail verification (verify = 1 only) */
  long in_flight;          /* live claims without a record */
  long stale;              /* claims of processes that are gone (taken over on resume) */
  double first_s, last_s;  /* age in seconds of the oldest and newest record (NAN if none) */
  double rate;             /* records per second between them (NAN if < 2) */
} gv_ensemble_progress_info;
/* Progress of the ensemble writing `path` (an output OUT whose OUT.parts exists,
 * or the run directory itself). verify = 1 reads and checks every record.
 * GV_EIO if there is no run directory. */
int gv_ensemble_progress(const char *path, int verify, gv_ensemble_progress_info *p);

#ifdef __cplusplus
}
#endif
#endif
