/* glassvib io: a thin, checked layer over HDF5 for the native container, plus
 * the provenance group every output carries. Layout of each file kind is in
 * docs/formats.md. Paths are absolute HDF5 paths ("/state/energy"); missing
 * intermediate groups are created on write. */
#ifndef GLASSVIB_IO_H
#define GLASSVIB_IO_H

#include <stddef.h>
#include <stdint.h>

#include "glassvib/core.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct gv_h5 gv_h5;

/* Create a new file for writing under a temporary name; gv_h5_close(&h, 1)
 * renames it into place, gv_h5_close(&h, 0) discards it. */
int gv_h5_create(gv_h5 **h, const char *path);
/* Open an existing file read-only; validates that it is HDF5. */
int gv_h5_open(gv_h5 **h, const char *path);
/* Close; commit = 1 renames a created file into place. Accepts NULL. */
int gv_h5_close(gv_h5 **h, int commit);
const char *gv_h5_path(const gv_h5 *h);

int gv_h5_exists(gv_h5 *h, const char *path); /* 1 if a link exists at path */

/* Datasets (row-major; dims[rank], rank <= 4). */
int gv_h5_write_doubles(gv_h5 *h, const char *path, const double *data, int rank,
                        const size_t *dims);
int gv_h5_write_ints(gv_h5 *h, const char *path, const int *data, int rank, const size_t *dims);
int gv_h5_write_int64s(gv_h5 *h, const char *path, const int64_t *data, int rank,
                       const size_t *dims);
/* Read a whole dataset, allocating *data (caller frees). dims must hold 4. */
int gv_h5_read_doubles(gv_h5 *h, const char *path, double **data, int *rank, size_t *dims);
int gv_h5_read_ints(gv_h5 *h, const char *path, int **data, int *rank, size_t *dims);
int gv_h5_read_int64s(gv_h5 *h, const char *path, int64_t **data, int *rank, size_t *dims);

/* Attributes on a group or dataset (the group is created if missing on write). */
int gv_h5_set_double(gv_h5 *h, const char *obj, const char *name, double v);
int gv_h5_set_int(gv_h5 *h, const char *obj, const char *name, long long v);
int gv_h5_set_string(gv_h5 *h, const char *obj, const char *name, const char *s);
int gv_h5_set_doubles(gv_h5 *h, const char *obj, const char *name, const double *v, size_t n);
int gv_h5_get_double(gv_h5 *h, const char *obj, const char *name, double *v);
int gv_h5_get_int(gv_h5 *h, const char *obj, const char *name, long long *v);
int gv_h5_get_string(gv_h5 *h, const char *obj, const char *name, char *buf, size_t n);
int gv_h5_get_doubles(gv_h5 *h, const char *obj, const char *name, double *v, size_t n);
int gv_h5_has_attr(gv_h5 *h, const char *obj, const char *name);

/* /provenance: version, git_hash, command_line, date, threads, seed, kind
 * (kind names the file type: "glass", "modes", "khgps", ...). */
int gv_h5_write_provenance(gv_h5 *h, const char *kind, uint64_t seed);

#ifdef __cplusplus
}
#endif
#endif
