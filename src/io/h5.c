/* HDF5 helpers. Every HDF5 call is checked; HDF5's own error stack printing is
 * silenced and replaced by one message naming the file and object. */
#include "glassvib/io.h"

#include <hdf5.h>
#include <stdlib.h>
#include <string.h>

struct gv_h5 {
  hid_t file;
  int writable;
  gv_outfile out; /* temporary name while writing */
  char *path;     /* user-visible name */
};

static void quiet_hdf5(void) {
  static int done = 0;
  if (!done) {
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    done = 1;
  }
}

int gv_h5_create(gv_h5 **hp, const char *path) {
  quiet_hdf5();
  *hp = NULL;
  gv_h5 *h = calloc(1, sizeof *h);
  if (!h) return GV_ERROR(GV_ENOMEM, "out of memory");
  int status = gv_outfile_reserve(&h->out, path);
  if (status) { free(h); return status; }
  h->file = H5Fcreate(h->out.tmp_path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  if (h->file < 0) {
    gv_outfile_abort(&h->out);
    free(h);
    return GV_ERROR(GV_EIO, "cannot create HDF5 file '%s'", path);
  }
  h->writable = 1;
  h->path = strdup(path);
  *hp = h;
  return GV_OK;
}

int gv_h5_open(gv_h5 **hp, const char *path) {
  quiet_hdf5();
  *hp = NULL;
  FILE *probe = fopen(path, "rb");
  if (!probe) return GV_ERROR(GV_EIO, "cannot open '%s': no such readable file", path);
  fclose(probe);
  if (H5Fis_hdf5(path) <= 0)
    return GV_ERROR(GV_EFORMAT, "'%s' is not an HDF5 file (truncated or corrupt?)", path);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0) return GV_ERROR(GV_EFORMAT, "cannot open HDF5 file '%s' (truncated or corrupt?)", path);
  gv_h5 *h = calloc(1, sizeof *h);
  if (!h) { H5Fclose(f); return GV_ERROR(GV_ENOMEM, "out of memory"); }
  h->file = f;
  h->path = strdup(path);
  *hp = h;
  return GV_OK;
}

int gv_h5_close(gv_h5 **hp, int commit) {
  if (!hp || !*hp) return GV_OK;
  gv_h5 *h = *hp;
  int status = GV_OK;
  if (H5Fclose(h->file) < 0) status = GV_ERROR(GV_EIO, "error closing HDF5 file '%s'", h->path);
  if (h->writable) {
    if (commit && !status) status = gv_outfile_commit(&h->out);
    else gv_outfile_abort(&h->out);
  }
  free(h->path);
  free(h);
  *hp = NULL;
  return status;
}

const char *gv_h5_path(const gv_h5 *h) { return h->path; }

/* Walk the path component by component: H5Lexists needs every parent to exist. */
int gv_h5_exists(gv_h5 *h, const char *path) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s", path);
  for (char *p = buf + 1;; p++) {
    if (*p == '/' || *p == '\0') {
      char c = *p;
      *p = '\0';
      if (H5Lexists(h->file, buf, H5P_DEFAULT) <= 0) return 0;
      if (c == '\0') return 1;
      *p = c;
    }
  }
}

static hid_t link_plist(void) {
  hid_t lcpl = H5Pcreate(H5P_LINK_CREATE);
  H5Pset_create_intermediate_group(lcpl, 1);
  return lcpl;
}

static int write_dataset(gv_h5 *h, const char *path, hid_t memtype, hid_t filetype,
                         const void *data, int rank, const size_t *dims) {
  if (!h->writable) return GV_ERROR(GV_EINVAL, "'%s' is open read-only", h->path);
  if (rank < 1 || rank > 4) return GV_ERROR(GV_EINVAL, "dataset rank %d unsupported", rank);
  hsize_t hd[4];
  for (int i = 0; i < rank; i++) hd[i] = dims[i];
  int status = GV_OK;
  if (gv_h5_exists(h, path)) H5Ldelete(h->file, path, H5P_DEFAULT);
  hid_t space = H5Screate_simple(rank, hd, NULL);
  hid_t lcpl = link_plist();
  hid_t dset = H5Dcreate2(h->file, path, filetype, space, lcpl, H5P_DEFAULT, H5P_DEFAULT);
  if (dset < 0 || H5Dwrite(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    status = GV_ERROR(GV_EIO, "cannot write dataset '%s' in '%s'", path, h->path);
  if (dset >= 0) H5Dclose(dset);
  H5Pclose(lcpl);
  H5Sclose(space);
  return status;
}

int gv_h5_write_doubles(gv_h5 *h, const char *path, const double *data, int rank,
                        const size_t *dims) {
  return write_dataset(h, path, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, data, rank, dims);
}
int gv_h5_write_ints(gv_h5 *h, const char *path, const int *data, int rank, const size_t *dims) {
  return write_dataset(h, path, H5T_NATIVE_INT, H5T_STD_I32LE, data, rank, dims);
}
int gv_h5_write_int64s(gv_h5 *h, const char *path, const int64_t *data, int rank,
                       const size_t *dims) {
  return write_dataset(h, path, H5T_NATIVE_INT64, H5T_STD_I64LE, data, rank, dims);
}

static int read_dataset(gv_h5 *h, const char *path, hid_t memtype, size_t elsize, void **data,
                        int *rank, size_t *dims) {
  *data = NULL;
  if (!gv_h5_exists(h, path))
    return GV_ERROR(GV_EFORMAT, "'%s' has no dataset '%s'", h->path, path);
  int status = GV_OK;
  hid_t dset = H5Dopen2(h->file, path, H5P_DEFAULT);
  if (dset < 0) return GV_ERROR(GV_EFORMAT, "cannot open dataset '%s' in '%s'", path, h->path);
  hid_t space = H5Dget_space(dset);
  int r = H5Sget_simple_extent_ndims(space);
  hsize_t hd[8] = {0};
  size_t total = 1;
  if (r < 1 || r > 4) {
    status = GV_ERROR(GV_EFORMAT, "dataset '%s' in '%s' has rank %d", path, h->path, r);
    goto cleanup;
  }
  H5Sget_simple_extent_dims(space, hd, NULL);
  for (int i = 0; i < r; i++) {
    dims[i] = hd[i];
    total *= hd[i];
  }
  *rank = r;
  *data = malloc((total ? total : 1) * elsize);
  if (!*data) { status = GV_ERROR(GV_ENOMEM, "out of memory reading '%s'", path); goto cleanup; }
  if (total && H5Dread(dset, memtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, *data) < 0) {
    free(*data);
    *data = NULL;
    status = GV_ERROR(GV_EFORMAT, "cannot read dataset '%s' in '%s' (corrupt?)", path, h->path);
  }
cleanup:
  H5Sclose(space);
  H5Dclose(dset);
  return status;
}

int gv_h5_read_doubles(gv_h5 *h, const char *path, double **data, int *rank, size_t *dims) {
  return read_dataset(h, path, H5T_NATIVE_DOUBLE, sizeof(double), (void **)data, rank, dims);
}
int gv_h5_read_ints(gv_h5 *h, const char *path, int **data, int *rank, size_t *dims) {
  return read_dataset(h, path, H5T_NATIVE_INT, sizeof(int), (void **)data, rank, dims);
}
int gv_h5_read_int64s(gv_h5 *h, const char *path, int64_t **data, int *rank, size_t *dims) {
  return read_dataset(h, path, H5T_NATIVE_INT64, sizeof(int64_t), (void **)data, rank, dims);
}

/* Open (or, when writing, create) the object carrying attributes. */
static hid_t open_object(gv_h5 *h, const char *obj, int create) {
  if (!gv_h5_exists(h, obj) && strcmp(obj, "/") != 0) {
    if (!create || !h->writable) return -1;
    hid_t lcpl = link_plist();
    hid_t g = H5Gcreate2(h->file, obj, lcpl, H5P_DEFAULT, H5P_DEFAULT);
    H5Pclose(lcpl);
    return g;
  }
  return H5Oopen(h->file, obj, H5P_DEFAULT);
}

static int set_attr(gv_h5 *h, const char *obj, const char *name, hid_t memtype, hid_t filetype,
                    const void *v, size_t n) {
  if (!h->writable) return GV_ERROR(GV_EINVAL, "'%s' is open read-only", h->path);
  hid_t o = open_object(h, obj, 1);
  if (o < 0) return GV_ERROR(GV_EIO, "cannot create '%s' in '%s'", obj, h->path);
  if (H5Aexists(o, name) > 0) H5Adelete(o, name);
  hsize_t d = n;
  hid_t space = n == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &d, NULL);
  hid_t a = H5Acreate2(o, name, filetype, space, H5P_DEFAULT, H5P_DEFAULT);
  int status = GV_OK;
  if (a < 0 || H5Awrite(a, memtype, v) < 0)
    status = GV_ERROR(GV_EIO, "cannot write attribute %s/%s in '%s'", obj, name, h->path);
  if (a >= 0) H5Aclose(a);
  H5Sclose(space);
  H5Oclose(o);
  return status;
}

int gv_h5_set_double(gv_h5 *h, const char *obj, const char *name, double v) {
  return set_attr(h, obj, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, &v, 1);
}
int gv_h5_set_doubles(gv_h5 *h, const char *obj, const char *name, const double *v, size_t n) {
  return set_attr(h, obj, name, H5T_NATIVE_DOUBLE, H5T_IEEE_F64LE, v, n);
}
int gv_h5_set_int(gv_h5 *h, const char *obj, const char *name, long long v) {
  int64_t x = v;
  return set_attr(h, obj, name, H5T_NATIVE_INT64, H5T_STD_I64LE, &x, 1);
}
int gv_h5_set_string(gv_h5 *h, const char *obj, const char *name, const char *s) {
  hid_t t = H5Tcopy(H5T_C_S1);
  H5Tset_size(t, strlen(s) + 1);
  H5Tset_strpad(t, H5T_STR_NULLTERM);
  int status = set_attr(h, obj, name, t, t, s, 1);
  H5Tclose(t);
  return status;
}

int gv_h5_has_attr(gv_h5 *h, const char *obj, const char *name) {
  hid_t o = open_object(h, obj, 0);
  if (o < 0) return 0;
  int r = H5Aexists(o, name) > 0;
  H5Oclose(o);
  return r;
}

static int get_attr(gv_h5 *h, const char *obj, const char *name, hid_t memtype, void *v,
                    size_t n) {
  hid_t o = open_object(h, obj, 0);
  if (o < 0) return GV_ERROR(GV_EFORMAT, "'%s' has no '%s'", h->path, obj);
  int status = GV_OK;
  if (H5Aexists(o, name) <= 0) {
    H5Oclose(o);
    return GV_ERROR(GV_EFORMAT, "'%s' has no attribute %s/%s", h->path, obj, name);
  }
  hid_t a = H5Aopen(o, name, H5P_DEFAULT);
  hid_t space = H5Aget_space(a);
  hssize_t npts = H5Sget_simple_extent_npoints(space);
  if (npts != (hssize_t)n)
    status = GV_ERROR(GV_EFORMAT, "attribute %s/%s in '%s' has %lld values, expected %zu", obj,
                      name, h->path, (long long)npts, n);
  else if (H5Aread(a, memtype, v) < 0)
    status = GV_ERROR(GV_EFORMAT, "cannot read attribute %s/%s in '%s'", obj, name, h->path);
  H5Sclose(space);
  H5Aclose(a);
  H5Oclose(o);
  return status;
}

int gv_h5_get_double(gv_h5 *h, const char *obj, const char *name, double *v) {
  return get_attr(h, obj, name, H5T_NATIVE_DOUBLE, v, 1);
}
int gv_h5_get_doubles(gv_h5 *h, const char *obj, const char *name, double *v, size_t n) {
  return get_attr(h, obj, name, H5T_NATIVE_DOUBLE, v, n);
}
int gv_h5_get_int(gv_h5 *h, const char *obj, const char *name, long long *v) {
  int64_t x = 0;
  int status = get_attr(h, obj, name, H5T_NATIVE_INT64, &x, 1);
  *v = x;
  return status;
}
int gv_h5_get_string(gv_h5 *h, const char *obj, const char *name, char *buf, size_t n) {
  hid_t o = open_object(h, obj, 0);
  if (o < 0) return GV_ERROR(GV_EFORMAT, "'%s' has no '%s'", h->path, obj);
  if (H5Aexists(o, name) <= 0) {
    H5Oclose(o);
    return GV_ERROR(GV_EFORMAT, "'%s' has no attribute %s/%s", h->path, obj, name);
  }
  hid_t a = H5Aopen(o, name, H5P_DEFAULT);
  hid_t ft = H5Aget_type(a);
  int status = GV_OK;
  if (H5Tget_class(ft) != H5T_STRING || H5Tis_variable_str(ft) > 0) {
    status = GV_ERROR(GV_EFORMAT, "attribute %s/%s in '%s' is not a fixed string", obj, name,
                      h->path);
  } else {
    size_t sz = H5Tget_size(ft);
    char *tmp = calloc(sz + 1, 1);
    hid_t mt = H5Tcopy(H5T_C_S1);
    H5Tset_size(mt, sz);
    if (!tmp || H5Aread(a, mt, tmp) < 0)
      status = GV_ERROR(GV_EFORMAT, "cannot read attribute %s/%s in '%s'", obj, name, h->path);
    else
      snprintf(buf, n, "%s", tmp);
    H5Tclose(mt);
    free(tmp);
  }
  H5Tclose(ft);
  H5Aclose(a);
  H5Oclose(o);
  return status;
}

int gv_h5_write_provenance(gv_h5 *h, const char *kind, uint64_t seed) {
  char date[64];
  gv_provenance_date(date, sizeof date);
  int status = GV_OK;
  GV_TRY(gv_h5_set_string(h, "/provenance", "kind", kind));
  GV_TRY(gv_h5_set_string(h, "/provenance", "version", gv_version()));
  GV_TRY(gv_h5_set_string(h, "/provenance", "git_hash", gv_git_hash()));
  GV_TRY(gv_h5_set_string(h, "/provenance", "command_line", gv_provenance_command_line()));
  GV_TRY(gv_h5_set_string(h, "/provenance", "date", date));
  GV_TRY(gv_h5_set_int(h, "/provenance", "threads", gv_threads()));
  GV_TRY(gv_h5_set_int(h, "/provenance", "seed", (long long)seed));
cleanup:
  return status;
}
