/* Ensemble drivers of the model commands: KHGPS samples and lattice-model
 * chunks through gv_ensemble_run (distributed, resumable, merged in order).
 *
 * KHGPS: task k = sample k (gv_khgps_sample_run, streams (seed, k, ...)); the
 * record holds kappa, x, eig and the per-sample diagnostics, plus its status
 * (GV_NOT_CONVERGED survives a resume). N <= 2048: one sample per thread with
 * single-threaded BLAS (as gv_khgps_ensemble_run), so bits do not depend on the
 * thread count; larger N: one sample at a time with threaded BLAS.
 * Lattice: task c = realisations [c C, min((c+1) C, M)) (gv_lattice_sample,
 * OpenMP inside); the fingerprint includes M and C since they fix the tasks. */
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble/ensemble_internal.h"
#include "glassvib/ensemble_models.h"

extern void openblas_set_num_threads(int) __attribute__((weak));
extern int openblas_get_num_threads(void) __attribute__((weak));

/* Run directory for an output path; without one (no -o), a hidden directory in
 * the working directory named by the fingerprint, removed when the run is done. */
static void parts_dir(const char *out, const char *kind, uint64_t fp, char *buf, size_t n) {
  if (out) gv_ensemble_parts_path(out, buf, n);
  else snprintf(buf, n, ".glassvib-%s-%016llx.parts", kind, (unsigned long long)fp);
}

/* ================================================================ KHGPS */
typedef struct {
  const gv_khgps_params *p;
  gv_khgps_work **work; /* one per thread, allocated on first use */
  int nwork;
  gv_khgps_sample *out;
  int worst; /* worst positive status over merged samples */
} khgps_ctx;

static int khgps_compute(void *vc, long k, gv_ensemble_record *r) {
  khgps_ctx *c = vc;
  int t = omp_get_thread_num();
  if (t >= c->nwork) return GV_ERROR(GV_EINVAL, "khgps ensemble: thread %d has no workspace", t);
  int status = GV_OK;
  gv_khgps_sample s;
  memset(&s, 0, sizeof s);
  if (!c->work[t]) GV_TRY(gv_khgps_work_alloc(&c->work[t], c->p->n, c->p->nlow));
  int run = gv_khgps_sample_run(c->work[t], c->p, (uint64_t)k, &s);
  if (run < 0) {
    status = run;
    goto cleanup;
  }
  GV_TRY(gv_ensemble_record_put_doubles(r, "kappa", s.kappa, s.n));
  GV_TRY(gv_ensemble_record_put_doubles(r, "x", s.x, s.n));
  GV_TRY(gv_ensemble_record_put_doubles(r, "eig", s.eig, s.neig));
  double d[7] = {s.energy, s.grad_max, s.eig_bound, s.wall_s, s.wall_min_s, s.wall_eig_s, 0};
  GV_TRY(gv_ensemble_record_put_doubles(r, "scalars", d, 6));
  int64_t iv[4] = {s.cg_iter, s.newton_steps, s.n_negative, run};
  GV_TRY(gv_ensemble_record_put_int64s(r, "counts", iv, 4));
  status = run;
cleanup:
  gv_khgps_sample_free(&s);
  return status;
}

static int khgps_merge(void *vc, long k, const gv_ensemble_record *r) {
  khgps_ctx *c = vc;
  gv_khgps_sample *s = &c->out[k];
  size_t nk, nx, ne, nd, ni;
  const double *kap = gv_ensemble_record_doubles(r, "kappa", &nk), *x = gv_ensemble_record_doubles(r, "x", &nx),
               *e = gv_ensemble_record_doubles(r, "eig", &ne), *d = gv_ensemble_record_doubles(r, "scalars", &nd);
  const int64_t *iv = gv_ensemble_record_int64s(r, "counts", &ni);
  if (!kap || !x || !d || !iv || nk != c->p->n || nx != c->p->n || nd != 6 || ni != 4 || (ne && !e))
    return GV_ERROR(GV_EFORMAT, "khgps ensemble: record of sample %ld is incomplete", k);
  gv_khgps_sample_free(s);
  s->n = nk;
  s->neig = ne;
  s->kappa = malloc(nk * sizeof *s->kappa);
  s->x = malloc(nx * sizeof *s->x);
  s->eig = malloc((ne ? ne : 1) * sizeof *s->eig);
  if (!s->kappa || !s->x || !s->eig) {
    gv_khgps_sample_free(s);
    return GV_ERROR(GV_ENOMEM, "out of memory merging sample %ld", k);
  }
  memcpy(s->kappa, kap, nk * sizeof *kap);
  memcpy(s->x, x, nx * sizeof *x);
  if (ne) memcpy(s->eig, e, ne * sizeof *e);
  s->energy = d[0];
  s->grad_max = d[1];
  s->eig_bound = d[2];
  s->wall_s = d[3];
  s->wall_min_s = d[4];
  s->wall_eig_s = d[5];
  s->cg_iter = (long)iv[0];
  s->newton_steps = (int)iv[1];
  s->n_negative = (int)iv[2];
  if (iv[3] > c->worst) c->worst = (int)iv[3];
  return GV_OK;
}

static void khgps_fingerprint(const gv_khgps_params *p, char *buf, size_t n) {
  snprintf(buf, n, "khgps v1 n=%zu h=%.17g J=%.17g kappa0=%.17g gtol=%.17g nlow=%zu max_iter=%ld seed=%llu", p->n,
           p->h, p->J, p->kappa0, p->gtol, p->nlow, p->max_iter, (unsigned long long)p->seed);
}

int gv_ensemble_khgps_run(const gv_khgps_params *p, size_t nsamples, const char *out, gv_khgps_sample *s,
                          const char *label, gv_ensemble_stats *stats) {
  int status = GV_OK;
  char fp[512], dir[4096];
  khgps_ctx c;
  memset(&c, 0, sizeof c);
  GV_TRY(gv_khgps_params_check(p));
  if (!s || nsamples == 0) return GV_ERROR(GV_EINVAL, "khgps: need at least one sample");
  GV_TRY(gv_ensemble_comm_init());
  if (!out && gv_ensemble_nranks() == 1) { /* nowhere to keep records: the plain loop */
    if (stats) memset(stats, 0, sizeof *stats), stats->nranks = 1, stats->samples = stats->computed = (long)nsamples;
    return gv_khgps_ensemble_run(p, 0, nsamples, s, label);
  }
  khgps_fingerprint(p, fp, sizeof fp);
  parts_dir(out, "khgps", gv_ensemble_hash64(fp), dir, sizeof dir);
  int small = p->n <= 2048;
  c.p = p;
  c.out = s;
  c.nwork = small ? omp_get_max_threads() : 1;
  if (c.nwork < 1) c.nwork = 1;
  c.work = calloc((size_t)c.nwork, sizeof *c.work);
  if (!c.work) return GV_ERROR(GV_ENOMEM, "out of memory");
  gv_ensemble_opts o = {dir, fp, (long)nsamples, c.nwork, gv_ensemble_is_root() ? label : NULL, 0, NULL};
  int blas_threads = openblas_get_num_threads ? openblas_get_num_threads() : 1;
  if (small && openblas_set_num_threads) openblas_set_num_threads(1);
  status = gv_ensemble_run(&o, khgps_compute, &c, stats);
  if (small && openblas_set_num_threads) openblas_set_num_threads(blas_threads);
  for (int t = 0; t < c.nwork; t++) gv_khgps_work_free(&c.work[t]);
  if (status < 0 || status == GV_ENSEMBLE_PENDING || !gv_ensemble_is_root()) goto cleanup;
  GV_TRY(gv_ensemble_merge(&o, khgps_merge, &c));
  status = c.worst;
cleanup:
  free(c.work);
  return status;
}

int gv_ensemble_khgps_finish(const gv_khgps_params *p, const char *out) {
  char fp[512], dir[4096];
  khgps_fingerprint(p, fp, sizeof fp);
  parts_dir(out, "khgps", gv_ensemble_hash64(fp), dir, sizeof dir);
  gv_ensemble_opts o = {dir, fp, 1, 1, NULL, 0, NULL};
  return gv_ensemble_finish(&o);
}

/* ============================================================== lattice */
typedef struct {
  const gv_lattice *lat;
  uint64_t seed;
  size_t samples, chunk;
  double *kappa;
} lattice_ctx;

static int lattice_compute(void *vc, long k, gv_ensemble_record *r) {
  lattice_ctx *c = vc;
  size_t first = (size_t)k * c->chunk, cnt = c->samples - first < c->chunk ? c->samples - first : c->chunk;
  /* computed straight into the final array; the record is what survives a crash */
  int status = gv_lattice_sample(c->lat, c->seed, first, cnt, c->kappa + first);
  if (status < 0) return status;
  return gv_ensemble_record_put_doubles(r, "kappa", c->kappa + first, cnt);
}

static int lattice_merge(void *vc, long k, const gv_ensemble_record *r) {
  lattice_ctx *c = vc;
  size_t first = (size_t)k * c->chunk, cnt = c->samples - first < c->chunk ? c->samples - first : c->chunk, n;
  const double *v = gv_ensemble_record_doubles(r, "kappa", &n);
  if (!v || n != cnt) return GV_ERROR(GV_EFORMAT, "lattice ensemble: chunk %ld has %zu values, expected %zu", k, n, cnt);
  memcpy(c->kappa + first, v, n * sizeof *v);
  return GV_OK;
}

static void lattice_fingerprint(const gv_lattice *lat, uint64_t seed, size_t samples, size_t chunk, char *buf,
                                size_t n) {
  snprintf(buf, n, "lattice v3 dim=%d L=%d seed=%llu samples=%zu chunk=%zu", gv_lattice_dim(lat),
           gv_lattice_side(lat), (unsigned long long)seed, samples, chunk);
}

static size_t lattice_chunk(size_t samples, size_t chunk) {
  if (chunk == 0) chunk = 65536;
  return chunk > samples ? samples : chunk;
}

int gv_ensemble_lattice_run(const gv_lattice *lat, uint64_t seed, size_t samples, size_t chunk, const char *out,
                            double *kappa, size_t *resumed, const char *label, gv_ensemble_stats *stats) {
  int status = GV_OK;
  char fp[512], dir[4096];
  if (!lat || !kappa || samples == 0) return GV_ERROR(GV_EINVAL, "lattice: need at least one sample");
  GV_TRY(gv_ensemble_comm_init());
  if (!out && gv_ensemble_nranks() == 1) { /* nowhere to keep records: the plain loop */
    if (stats) memset(stats, 0, sizeof *stats), stats->nranks = 1;
    return gv_lattice_run(lat, seed, samples, chunk, NULL, kappa, resumed, label);
  }
  chunk = lattice_chunk(samples, chunk);
  lattice_fingerprint(lat, seed, samples, chunk, fp, sizeof fp);
  parts_dir(out, "lattice", gv_ensemble_hash64(fp), dir, sizeof dir);
  lattice_ctx c = {lat, seed, samples, chunk, kappa};
  long ntask = (long)((samples + chunk - 1) / chunk);
  gv_ensemble_opts o = {dir, fp, ntask, 1, gv_ensemble_is_root() ? label : NULL, 0, NULL};
  gv_ensemble_stats st;
  if (!stats) stats = &st;
  status = gv_ensemble_run(&o, lattice_compute, &c, stats);
  if (resumed) {
    size_t r = (size_t)stats->resumed * chunk;
    *resumed = r < samples ? r : samples;
  }
  if (status < 0 || status == GV_ENSEMBLE_PENDING || !gv_ensemble_is_root()) goto cleanup;
  GV_TRY(gv_ensemble_merge(&o, lattice_merge, &c));
cleanup:
  return status;
}

int gv_ensemble_lattice_finish(const gv_lattice *lat, uint64_t seed, size_t samples, size_t chunk, const char *out) {
  char fp[512], dir[4096];
  chunk = lattice_chunk(samples, chunk);
  lattice_fingerprint(lat, seed, samples, chunk, fp, sizeof fp);
  parts_dir(out, "lattice", gv_ensemble_hash64(fp), dir, sizeof dir);
  gv_ensemble_opts o = {dir, fp, 1, 1, NULL, 0, NULL};
  return gv_ensemble_finish(&o);
}
