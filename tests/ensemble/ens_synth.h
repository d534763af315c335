/* A synthetic ensemble shared by the ensemble tests: sample k is a pure
 * function of (seed, k) drawn from its own RNG stream, with a k-dependent
 * length (so records differ in size) and optional per-sample sleep (so that
 * dynamic assignment matters). The merge concatenates every field, in sample
 * order, into one byte string whose equality is what the tests compare. */
#ifndef ENS_SYNTH_H
#define ENS_SYNTH_H

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glassvib/ensemble.h"

typedef struct {
  uint64_t seed;
  double sleep_s;     /* per sample (times 1 + k % 3) */
  long fail_sample;   /* this sample returns GV_ENUMERIC (-1: none) */
  long calls;         /* compute calls (atomic) */
} synth_ctx;

static int synth_compute(void *vctx, long k, gv_ensemble_record *out) {
  synth_ctx *c = vctx;
  __atomic_add_fetch(&c->calls, 1, __ATOMIC_RELAXED);
  if (k == c->fail_sample) return GV_ERROR(GV_ENUMERIC, "synthetic failure of sample %ld", k);
  if (c->sleep_s > 0) {
    double t = c->sleep_s * (double)(1 + k % 3);
    struct timespec ts = {(time_t)t, (long)((t - (double)(time_t)t) * 1e9)};
    nanosleep(&ts, NULL);
  }
  gv_rng r;
  gv_rng_init(&r, c->seed, (uint64_t)k, GV_RNG_ANALYSIS);
  size_t n = 5 + (size_t)(k % 11);
  double v[16], s = 0;
  for (size_t i = 0; i < n; i++) s += (v[i] = gv_rng_normal(&r) * 2.385);
  int64_t iv[2] = {(int64_t)k * 7 + 3, (int64_t)gv_rng_below(&r, 1000003)};
  int status = gv_ensemble_record_put_doubles(out, "values", v, n);
  if (!status) status = gv_ensemble_record_put_double(out, "sum", s);
  if (!status) status = gv_ensemble_record_put_int64s(out, "ints", iv, 2);
  return status;
}

typedef struct {
  unsigned char *buf;
  size_t n, cap;
  long next; /* the sample expected next (checks the order) */
  int order_ok;
} synth_merged;

static void merged_append(synth_merged *m, const void *p, size_t n) {
  if (m->n + n > m->cap) {
    m->cap = 2 * (m->n + n) + 64;
    m->buf = realloc(m->buf, m->cap);
  }
  memcpy(m->buf + m->n, p, n);
  m->n += n;
}

static int synth_merge(void *vm, long k, const gv_ensemble_record *rec) {
  synth_merged *m = vm;
  if (k != m->next++) m->order_ok = 0;
  size_t n = 0, ni = 0;
  const double *v = gv_ensemble_record_doubles(rec, "values", &n);
  const int64_t *iv = gv_ensemble_record_int64s(rec, "ints", &ni);
  double s;
  if (!v || !iv || ni != 2 || gv_ensemble_record_get_double(rec, "sum", &s))
    return GV_ERROR(GV_EFORMAT, "merge: sample %ld lacks fields", k);
  merged_append(m, &k, sizeof k);
  merged_append(m, v, n * sizeof *v);
  merged_append(m, &s, sizeof s);
  merged_append(m, iv, 2 * sizeof *iv);
  return GV_OK;
}

#endif
