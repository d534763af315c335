/* Atomic outputs: write under a temporary name in the target directory, then
 * rename(2), which is atomic on POSIX file systems. Registered temporary names
 * are removed by gv_outfile_cleanup_all() when the CLI is interrupted. */
#include "glassvib/core.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_PENDING 64
static char *pending[MAX_PENDING];

static void register_tmp(char *tmp) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (!pending[i]) { pending[i] = tmp; return; }
}
static void unregister_tmp(const char *tmp) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending[i] == tmp) pending[i] = NULL;
}
void gv_outfile_cleanup_all(void) {
  for (int i = 0; i < MAX_PENDING; i++)
    if (pending[i]) unlink(pending[i]);
}

int gv_check_writable(const char *path) {
  if (!path || !*path) return GV_ERROR(GV_EINVAL, "empty output path");
  char *copy = strdup(path);
  if (!copy) return GV_ERROR(GV_ENOMEM, "out of memory");
  const char *dir = dirname(copy);
  struct stat st;
  int status = GV_OK;
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    status = GV_ERROR(GV_EIO, "cannot write '%s': directory '%s' does not exist", path, dir);
  else if (access(dir, W_OK) != 0)
    status = GV_ERROR(GV_EIO, "cannot write '%s': directory '%s' is not writable", path, dir);
  else if (stat(path, &st) == 0 && S_ISDIR(st.st_mode))
    status = GV_ERROR(GV_EIO, "cannot write '%s': it is a directory", path);
  free(copy);
  return status;
}

static int make_tmp(gv_outfile *f, const char *path, int keep_open) {
  memset(f, 0, sizeof *f);
  int status = gv_check_writable(path);
  if (status) return status;
  size_t n = strlen(path) + 32;
  f->path = strdup(path);
  f->tmp_path = malloc(n);
  if (!f->path || !f->tmp_path) {
    free(f->path);
    free(f->tmp_path);
    return GV_ERROR(GV_ENOMEM, "out of memory");
  }
  snprintf(f->tmp_path, n, "%s.tmp.XXXXXX", path);
  int fd = mkstemp(f->tmp_path);
  if (fd < 0) {
    status = GV_ERROR(GV_EIO, "cannot create temporary file for '%s': %s", path, strerror(errno));
    free(f->path);
    free(f->tmp_path);
    f->path = f->tmp_path = NULL;
    return status;
  }
  fchmod(fd, 0644);
  register_tmp(f->tmp_path);
  if (keep_open) {
    f->fp = fdopen(fd, "w");
    if (!f->fp) {
      close(fd);
      gv_outfile_abort(f);
      return GV_ERROR(GV_EIO, "cannot open temporary file for '%s'", path);
    }
  } else {
    close(fd);
  }
  return GV_OK;
}

int gv_outfile_open(gv_outfile *f, const char *path) { return make_tmp(f, path, 1); }
int gv_outfile_reserve(gv_outfile *f, const char *path) { return make_tmp(f, path, 0); }

int gv_outfile_commit(gv_outfile *f) {
  int status = GV_OK;
  if (!f->tmp_path) return GV_ERROR(GV_EINVAL, "output file was not opened");
  if (f->fp) {
    if (fflush(f->fp) != 0 || fsync(fileno(f->fp)) != 0 || ferror(f->fp))
      status = GV_ERROR(GV_EIO, "write error on '%s': %s", f->path, strerror(errno));
    if (fclose(f->fp) != 0 && !status)
      status = GV_ERROR(GV_EIO, "cannot close '%s': %s", f->path, strerror(errno));
    f->fp = NULL;
  }
  if (!status && rename(f->tmp_path, f->path) != 0)
    status = GV_ERROR(GV_EIO, "cannot rename into '%s': %s", f->path, strerror(errno));
  if (status) unlink(f->tmp_path);
  unregister_tmp(f->tmp_path);
  free(f->tmp_path);
  free(f->path);
  f->tmp_path = f->path = NULL;
  return status;
}

void gv_outfile_abort(gv_outfile *f) {
  if (f->fp) fclose(f->fp);
  f->fp = NULL;
  if (f->tmp_path) {
    unlink(f->tmp_path);
    unregister_tmp(f->tmp_path);
  }
  free(f->tmp_path);
  free(f->path);
  f->tmp_path = f->path = NULL;
}
