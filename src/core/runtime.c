/* Process-wide runtime services: interruption flag, logging, wall clock,
 * progress bars. */
#include "glassvib/core.h"

#include <signal.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t interrupt_flag = 0;
void gv_interrupt_request(void) { interrupt_flag = 1; }
int gv_interrupted(void) { return interrupt_flag != 0; }

static int log_level = GV_LOG_INFO;
void gv_log_set_level(int level) { log_level = level; }
int gv_log_level(void) { return log_level; }
void gv_log(int level, const char *fmt, ...) {
  if (level > log_level) return;
  va_list ap;
  va_start(ap, fmt);
  fputs("glassvib: ", stderr);
  vfprintf(stderr, fmt, ap);
  fputc('\n', stderr);
  va_end(ap);
}

double gv_wall_time(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void gv_progress_begin(gv_progress *p, const char *label, double total) {
  p->label = label;
  p->total = total > 0 ? total : 1;
  p->t_start = p->t_last = gv_wall_time();
  p->active = log_level >= GV_LOG_INFO && isatty(STDERR_FILENO);
}

void gv_progress_update(gv_progress *p, double done) {
  if (!p->active) return;
  double now = gv_wall_time();
  if (now - p->t_last < 0.2 && done < p->total) return;
  p->t_last = now;
  double f = done / p->total;
  if (f > 1) f = 1;
  if (f < 0) f = 0;
  int width = 30, filled = (int)(f * width + 0.5);
  double elapsed = now - p->t_start;
  double eta = f > 1e-9 ? elapsed * (1 - f) / f : 0;
  fprintf(stderr, "\r%-12s [", p->label);
  for (int i = 0; i < width; i++) fputc(i < filled ? '#' : '.', stderr);
  fprintf(stderr, "] %5.1f%%  %6.1fs  eta %6.1fs ", 100 * f, elapsed, eta);
  fflush(stderr);
}

void gv_progress_end(gv_progress *p) {
  if (!p->active) return;
  gv_progress_update(p, p->total);
  fputc('\n', stderr);
  p->active = 0;
}
