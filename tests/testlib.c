#include "testlib.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int tl_checks = 0, tl_failures = 0;

void tl_fail(const char *file, int line, const char *fmt, ...) {
  tl_failures++;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "FAIL %s:%d: ", file, line);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

int tl_finish(void) {
  printf("%d checks, %d failed\n", tl_checks, tl_failures);
  return tl_failures ? 1 : 0;
}

const char *tl_shared_dir(void) {
  const char *s = getenv("GV_SHARED");
  return s ? s : "../shared";
}

const char *tl_tmpdir(void) {
  static char dir[256];
  if (!dir[0]) {
    snprintf(dir, sizeof dir, "/tmp/gvtest.XXXXXX");
    if (!mkdtemp(dir)) snprintf(dir, sizeof dir, "/tmp");
  }
  return dir;
}
