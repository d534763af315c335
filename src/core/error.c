/* Error context: a thread-local record of the last error (status, message,
 * origin). Functions return the status; the CLI prints the message. */
#include "glassvib/core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static _Thread_local struct {
  int status;
  char message[1024];
  char where[128];
} err;

int gv_error_set(int status, const char *file, int line, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err.message, sizeof err.message, fmt, ap);
  va_end(ap);
  const char *base = strrchr(file, '/');
  snprintf(err.where, sizeof err.where, "%s:%d", base ? base + 1 : file, line);
  err.status = status;
  return status;
}

int gv_error_context(int status, const char *fmt, ...) {
  char prefix[256], old[768];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(prefix, sizeof prefix, fmt, ap);
  va_end(ap);
  snprintf(old, sizeof old, "%s", err.message);
  snprintf(err.message, sizeof err.message, "%s: %s", prefix, old);
  if (err.status == 0) err.status = status;
  return status;
}

const char *gv_error_message(void) { return err.message; }
const char *gv_error_where(void) { return err.where; }
int gv_error_status(void) { return err.status; }
void gv_error_clear(void) {
  err.status = 0;
  err.message[0] = err.where[0] = '\0';
}

const char *gv_status_name(int status) {
  switch (status) {
  case GV_OK: return "ok";
  case GV_NOT_CONVERGED: return "not converged";
  case GV_EINVAL: return "invalid argument";
  case GV_ENOMEM: return "out of memory";
  case GV_EIO: return "input/output error";
  case GV_EFORMAT: return "bad file format";
  case GV_ENUMERIC: return "numerical failure";
  case GV_EUNSTABLE: return "unstable state";
  case GV_EINTERRUPTED: return "interrupted";
  case GV_ENOTSUP: return "not supported";
  default: return "unknown status";
  }
}

void *gv_malloc(size_t nbytes) {
  void *p = malloc(nbytes ? nbytes : 1);
  if (!p) GV_ERROR(GV_ENOMEM, "cannot allocate %zu bytes", nbytes);
  return p;
}

void *gv_calloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) GV_ERROR(GV_ENOMEM, "cannot allocate %zu x %zu bytes", count, size);
  return p;
}
