/* Minimal test harness: checks count failures, a test's main returns tl_finish(). */
#ifndef GV_TESTLIB_H
#define GV_TESTLIB_H
#include <math.h>
#include <stdio.h>

#include "glassvib/glassvib.h"

extern int tl_checks, tl_failures;
void tl_fail(const char *file, int line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
int tl_finish(void);
/* Directory of ../shared (reference snapshots) from the GV_SHARED environment variable. */
const char *tl_shared_dir(void);
/* A fresh temporary directory for this test's files. */
const char *tl_tmpdir(void);

#define CHECK(cond, ...)                                                                     \
  do {                                                                                     \
    tl_checks++;                                                                           \
    if (!(cond)) tl_fail(__FILE__, __LINE__, __VA_ARGS__);                                 \
  } while (0)
/* |a - b| <= atol + rtol |b| */
#define CHECK_CLOSE(a, b, rtol, atol)                                                        \
  do {                                                                                     \
    double tl_a = (a), tl_b = (b);                                                         \
    tl_checks++;                                                                           \
    if (!(fabs(tl_a - tl_b) <= (atol) + (rtol)*fabs(tl_b)))                                \
      tl_fail(__FILE__, __LINE__, "%s = %.12g, expected %s = %.12g (rtol %g, atol %g)", #a, \
              tl_a, #b, tl_b, (double)(rtol), (double)(atol));                             \
  } while (0)
#define CHECK_OK(expr)                                                                       \
  do {                                                                                     \
    int tl_s = (expr);                                                                     \
    tl_checks++;                                                                           \
    if (tl_s != 0) tl_fail(__FILE__, __LINE__, "%s returned %d: %s", #expr, tl_s,            \
                           gv_error_message());                                            \
  } while (0)
#endif
