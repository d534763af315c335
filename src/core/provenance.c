/* Provenance recorded in every output: version, git hash, command line, date,
 * thread count. */
#include "glassvib/core.h"
#include "gv_version.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static char command_line[4096] = "(library call)";

void gv_provenance_set_command_line(int argc, char **argv) {
  size_t pos = 0;
  command_line[0] = '\0';
  for (int i = 0; i < argc && pos + 2 < sizeof command_line; i++) {
    int n = snprintf(command_line + pos, sizeof command_line - pos, "%s%s", i ? " " : "", argv[i]);
    if (n < 0) break;
    pos += (size_t)n;
  }
}
const char *gv_provenance_command_line(void) { return command_line; }
const char *gv_version(void) { return GV_VERSION_STRING; }
const char *gv_git_hash(void) { return GV_GIT_HASH; }
void gv_provenance_date(char *buf, size_t n) {
  time_t t = time(NULL);
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}
int gv_threads(void) { return omp_get_max_threads(); }
