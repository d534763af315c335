/* glassvib core: status codes and error context, RNG streams, progress, timing,
 * atomic output files, JSON and TSV writers, provenance.
 *
 * Conventions (see docs/developing.md):
 *  - fallible functions return int: 0 = GV_OK, < 0 an error, > 0 information
 *    (GV_NOT_CONVERGED); the error message is kept in a thread-local context
 *    (gv_error_message) with the file and line where it was raised;
 *  - the library never calls exit() or abort();
 *  - objects: gv_<module>_<object>_create / _destroy(T **p) (accepts NULL, clears p).
 */
#ifndef GLASSVIB_CORE_H
#define GLASSVIB_CORE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- status */
enum {
  GV_OK = 0,
  GV_NOT_CONVERGED = 1, /* information: result usable, tolerance not reached */
  GV_EINVAL = -1,       /* invalid argument or parameter */
  GV_ENOMEM = -2,       /* allocation failed */
  GV_EIO = -3,          /* file cannot be read or written */
  GV_EFORMAT = -4,      /* file read but its content is wrong or corrupt */
  GV_ENUMERIC = -5,     /* non-finite number or failed numerical method */
  GV_EUNSTABLE = -6,    /* physical state unusable (negative modes, overlap) */
  GV_EINTERRUPTED = -7, /* the user interrupted (SIGINT/SIGTERM) */
  GV_ENOTSUP = -8       /* valid request this build or model does not support */
};

/* Record an error (message printf-style) and return `status`, so that
 *   return GV_ERROR(GV_EINVAL, "density %g must be positive", rho);
 * both sets the context and propagates the code. */
int gv_error_set(int status, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
#define GV_ERROR(status, ...) gv_error_set((status), __FILE__, __LINE__, __VA_ARGS__)
/* Prepend context ("reading glass.h5: ") to the current message; returns status. */
int gv_error_context(int status, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *gv_error_message(void); /* "" if none */
const char *gv_error_where(void);   /* "file.c:123" of the origin */
int gv_error_status(void);
void gv_error_clear(void);
const char *gv_status_name(int status);

/* Run a fallible call; on error jump to the function's `cleanup:` label.
 * Requires an `int status` in scope. */
#define GV_TRY(expr)                                                                     \
  do {                                                                                   \
    status = (expr);                                                                     \
    if (status < 0) goto cleanup;                                                        \
  } while (0)

/* Allocation that records GV_ENOMEM; use with GV_TRY-style checks. */
void *gv_malloc(size_t nbytes);
void *gv_calloc(size_t count, size_t size);
#define GV_ALLOC(ptr, count)                                                             \
  do {                                                                                   \
    size_t gv_alloc_n_ = (size_t)(count);                                                \
    (ptr) = gv_calloc(gv_alloc_n_ ? gv_alloc_n_ : 1u, sizeof *(ptr));                    \
    if (!(ptr)) { status = GV_ENOMEM; goto cleanup; }                                    \
  } while (0)

/* ------------------------------------------------------- interruption */
/* The CLI installs signal handlers that set this flag; long loops poll it and
 * return GV_EINTERRUPTED so that no half-written output is ever committed. */
void gv_interrupt_request(void);
int gv_interrupted(void);

/* ------------------------------------------------------------- logging */
enum { GV_LOG_QUIET = 0, GV_LOG_INFO = 1, GV_LOG_DEBUG = 2 };
void gv_log_set_level(int level);
int gv_log_level(void);
void gv_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* --------------------------------------------------------------- timing */
double gv_wall_time(void); /* seconds, monotonic */

/* --------------------------------------------------------- progress bar */
/* Drawn on stderr only when stderr is a terminal (and logging not quiet);
 * updates are rate-limited, so calling every step is cheap. Call from one thread. */
typedef struct gv_progress {
  const char *label;
  double total;
  double t_start, t_last;
  int active;
} gv_progress;
void gv_progress_begin(gv_progress *p, const char *label, double total);
void gv_progress_update(gv_progress *p, double done);
void gv_progress_end(gv_progress *p);

/* ----------------------------------------------------------------- RNG */
/* Counter-based Philox4x64-10 (Random123). A stream is fixed by
 * (seed, sample, purpose); its numbers depend on nothing else, so a sample's
 * randomness is the same whatever thread or MPI rank draws it. */
enum gv_rng_purpose {
  GV_RNG_POSITIONS = 1,
  GV_RNG_SIZES = 2,
  GV_RNG_VELOCITIES = 3,
  GV_RNG_THERMOSTAT = 4,
  GV_RNG_MONTE_CARLO = 5,
  GV_RNG_KHGPS_KAPPA = 16,
  GV_RNG_KHGPS_COUPLING = 17,
  GV_RNG_LATTICE = 18,
  GV_RNG_DIPOLE_PAIRS = 19,
  GV_RNG_ANALYSIS = 20
};
typedef struct gv_rng {
  uint64_t key[2];
  uint64_t ctr[4];
  uint64_t buf[4];
  int used; /* how many of buf are consumed (4 = empty) */
} gv_rng;
void gv_rng_init(gv_rng *r, uint64_t seed, uint64_t sample, uint32_t purpose);
/* Jump to block `block` of the stream (each block = 4 x 64 random bits);
 * lets parallel loops draw element i's numbers from block i. */
void gv_rng_seek(gv_rng *r, uint64_t block_hi, uint64_t block_lo);
uint64_t gv_rng_u64(gv_rng *r);
double gv_rng_uniform(gv_rng *r);     /* in (0, 1), never 0 or 1 */
double gv_rng_normal(gv_rng *r);      /* standard normal */
uint64_t gv_rng_below(gv_rng *r, uint64_t n); /* uniform integer in [0, n), unbiased */
#define GV_DEFAULT_SEED 20261123ULL

/* --------------------------------------------------------- output files */
/* Outputs are written to a temporary file beside the target and renamed when
 * complete; an interrupted run never leaves a half file under the final name.
 * Temporary names are registered so the CLI can remove them on a signal. */
typedef struct gv_outfile {
  char *path;     /* final name */
  char *tmp_path; /* temporary name in the same directory */
  FILE *fp;       /* open for writing (NULL for HDF5 outputs, see gv_outfile_reserve) */
} gv_outfile;
/* Open a text output (tmp file opened in fp). */
int gv_outfile_open(gv_outfile *f, const char *path);
/* Reserve a temporary name only (for libraries that open files themselves, HDF5). */
int gv_outfile_reserve(gv_outfile *f, const char *path);
/* Flush, fsync, close and rename into place. */
int gv_outfile_commit(gv_outfile *f);
/* Close and remove the temporary file; safe to call after commit (no-op). */
void gv_outfile_abort(gv_outfile *f);
/* Remove every registered temporary file (async-signal-safe enough for exit paths). */
void gv_outfile_cleanup_all(void);
/* Check that `path` can be created (directory exists and is writable). */
int gv_check_writable(const char *path);

/* ---------------------------------------------------------- provenance */
/* Set once by the CLI; recorded in every output. */
void gv_provenance_set_command_line(int argc, char **argv);
const char *gv_provenance_command_line(void);
const char *gv_version(void);
const char *gv_git_hash(void);
void gv_provenance_date(char *buf, size_t n); /* ISO 8601 UTC */
int gv_threads(void);                         /* OpenMP max threads */

/* ---------------------------------------------------------- JSON writer */
/* Minimal streaming JSON writer for --json summaries. Non-finite numbers are
 * written as null. Keys are ignored inside arrays (pass NULL). */
typedef struct gv_json {
  FILE *fp;
  int depth;
  int first[16];
} gv_json;
void gv_json_begin(gv_json *j, FILE *fp); /* opens the top-level object */
void gv_json_end(gv_json *j);             /* closes it and writes a newline */
void gv_json_num(gv_json *j, const char *key, double v);
void gv_json_int(gv_json *j, const char *key, long long v);
void gv_json_bool(gv_json *j, const char *key, int v);
void gv_json_str(gv_json *j, const char *key, const char *s);
void gv_json_null(gv_json *j, const char *key);
void gv_json_array_num(gv_json *j, const char *key, const double *v, size_t n);
void gv_json_array_int(gv_json *j, const char *key, const long long *v, size_t n);
void gv_json_object_begin(gv_json *j, const char *key);
void gv_json_object_end(gv_json *j);
void gv_json_array_begin(gv_json *j, const char *key);
void gv_json_array_end(gv_json *j);

/* ----------------------------------------------------------- TSV tables */
/* Write the standard header of a TSV table: provenance comment lines, then
 * optional free comment lines (`comments`, may be NULL, lines separated by '\n'),
 * then "# col1\tcol2..." naming columns with units, e.g. "omega[sqrt(eps/m)/lambda]". */
void gv_tsv_header(FILE *fp, const char *title, const char *comments, const char *const *columns,
                   int ncol);
/* Read a whitespace-separated numeric table skipping '#' lines. *data is
 * allocated (row-major, nrow x ncol); ncol is fixed by the first data row. */
int gv_tsv_read(const char *path, double **data, size_t *nrow, size_t *ncol);

/* ------------------------------------------------------------ utilities */
int gv_parse_double_list(const char *s, double **out, size_t *n); /* "1,2.5,3" */
int gv_is_finite_array(const double *x, size_t n);

#ifdef __cplusplus
}
#endif
#endif
