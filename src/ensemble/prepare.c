/* Ensembles of glasses: `prepare --samples M -o OUT.ext` makes glasses
 * OUT_000.ext ... OUT_{M-1}.ext through gv_ensemble_run (docs/cluster.md).
 *
 * Glass k is gv_prepare with seed s_k = the top 53 bits of the first number of the
 * stream (seed, k, GV_RNG_POSITIONS) — a pure function of (seed, k), recorded in the glass
 * file, so any member can be remade alone with `prepare --seed s_k`. (gv_prepare
 * itself draws from sample 0 of its seed; a `sample` field in gv_prepare_params
 * would let s_k = seed.) The record of sample k holds the glass's energy, pressure,
 * max force, convergence, seed and the size and CRC-32 of the committed file; at
 * resume a glass file that is missing or changed is remade. Glass files are
 * written by the rank that computes them (MPI runs need a shared file system). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ensemble/ensemble_internal.h"
#include "glassvib/ensemble_models.h"

uint64_t gv_ensemble_sample_seed(uint64_t seed, long sample) {
  gv_rng r;
  gv_rng_init(&r, seed, (uint64_t)sample, GV_RNG_POSITIONS);
  return gv_rng_u64(&r) >> 11; /* 53 bits: exact as a JSON number, a valid --seed */
}

int gv_ensemble_member_path(const char *out, long sample, long samples, char *buf, size_t n) {
  if (!out || !buf) return GV_ERROR(GV_EINVAL, "ensemble member path: NULL");
  const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
  if (!dot || (slash && dot < slash)) dot = out + strlen(out);
  int width = 3;
  for (long m = 1000; m <= samples - 1; m *= 10) width++;
  if ((size_t)snprintf(buf, n, "%.*s_%0*ld%s", (int)(dot - out), out, width, sample, dot) >= n)
    return GV_ERROR(GV_EINVAL, "ensemble member path too long");
  return GV_OK;
}

typedef struct {
  const gv_model *m;
  long n, samples;
  const gv_prepare_params *p;
  const char *out;
  gv_ensemble_prepare_item *items;
  int worst;
} prep_ctx;

static int prep_compute(void *vc, long k, gv_ensemble_record *r) {
  prep_ctx *c = vc;
  int status = GV_OK;
  char path[4096];
  gv_glass g;
  gv_glass_init(&g);
  gv_prepare_info info;
  gv_prepare_params pk = *c->p;
  pk.seed = gv_ensemble_sample_seed(c->p->seed, k);
  pk.progress = 0;
  pk.min.progress = 0;
  GV_TRY(gv_ensemble_member_path(c->out, k, c->samples, path, sizeof path));
  int prep = gv_prepare(c->m, c->n, &pk, &g, &info);
  if (prep < 0) {
    status = gv_error_context(prep, "glass %s: ", path);
    goto cleanup;
  }
  GV_TRY(gv_glass_write(path, &g));
  uint32_t crc;
  int64_t size;
  GV_TRY(gv_ensemble_file_crc(path, &crc, &size));
  double st[3] = {g.state.energy / (double)g.sys->n, g.state.pressure, g.state.max_force};
  int64_t iv[5] = {g.state.converged, (int64_t)pk.seed, size, crc, prep};
  GV_TRY(gv_ensemble_record_put_doubles(r, "state", st, 3));
  GV_TRY(gv_ensemble_record_put_int64s(r, "info", iv, 5));
  status = prep;
cleanup:
  gv_glass_free(&g);
  return status;
}

static int prep_validate(void *vc, long k, const gv_ensemble_record *r) {
  prep_ctx *c = vc;
  char path[4096];
  size_t ni;
  const int64_t *iv = gv_ensemble_record_int64s(r, "info", &ni);
  if (!iv || ni != 5) return GV_ERROR(GV_EFORMAT, "record lacks the glass checksum");
  int status = gv_ensemble_member_path(c->out, k, c->samples, path, sizeof path);
  uint32_t crc;
  int64_t size;
  if (!status) status = gv_ensemble_file_crc(path, &crc, &size);
  if (status) return status;
  if (size != iv[2] || (int64_t)crc != iv[3]) return GV_ERROR(GV_EFORMAT, "%s changed since it was made", path);
  return GV_OK;
}

static int prep_merge(void *vc, long k, const gv_ensemble_record *r) {
  prep_ctx *c = vc;
  size_t nd, ni;
  const double *d = gv_ensemble_record_doubles(r, "state", &nd);
  const int64_t *iv = gv_ensemble_record_int64s(r, "info", &ni);
  if (!d || !iv || nd != 3 || ni != 5) return GV_ERROR(GV_EFORMAT, "prepare ensemble: record %ld incomplete", k);
  /* the glass files are the product: check they are still there (CRC: at write / scan) */
  char path[4096];
  int status = gv_ensemble_member_path(c->out, k, c->samples, path, sizeof path);
  if (!status) status = gv_ens_file_size_is_(path, iv[2], "glass");
  if (status) return gv_error_context(status, "re-run the command to remake it: ");
  gv_ensemble_prepare_item *it = &c->items[k];
  it->energy_per_particle = d[0];
  it->pressure = d[1];
  it->max_force = d[2];
  it->converged = (int)iv[0];
  it->seed = (uint64_t)iv[1];
  if (iv[4] > c->worst) c->worst = (int)iv[4];
  return GV_OK;
}

static void prep_fingerprint(const gv_model *m, long n, const gv_prepare_params *p, const char *out, char *buf,
                             size_t len) {
  char sm[64];
  gv_model_smoothing_name(m, sm, sizeof sm);
  snprintf(buf, len,
           "prepare v1 model=%s dim=%d density=%.17g smoothing=%s n=%ld protocol=%s tp=%.17g rate=%.17g "
           "t_end=%.17g equil_time=%.17g sweeps=%ld use_swap=%d p_swap=%.17g max_dsize=%.17g dt=%.17g "
           "gamma=%.17g ftol=%.17g finisher=%d max_iter=%ld seed=%llu out=%s",
           m->name, m->dim, m->density, sm, n, p->protocol, p->tp, p->rate, p->t_end, p->equil_time, p->sweeps,
           p->use_swap, p->p_swap, p->max_dsize, p->md.dt, p->md.gamma, p->min.ftol, (int)p->min.finisher,
           p->min.max_iter, (unsigned long long)p->seed, out);
}

int gv_ensemble_prepare_run(const gv_model *m, long n, const gv_prepare_params *p, long samples, const char *out,
                            gv_ensemble_prepare_item *items, const char *label, gv_ensemble_stats *stats) {
  int status = GV_OK;
  char fp[2048], dir[4096];
  if (!m || !p || !out || !items || samples < 1) return GV_ERROR(GV_EINVAL, "prepare ensemble: bad arguments");
  GV_TRY(gv_ensemble_comm_init());
  prep_fingerprint(m, n, p, out, fp, sizeof fp);
  GV_TRY(gv_ensemble_parts_path(out, dir, sizeof dir));
  prep_ctx c = {m, n, samples, p, out, items, 0};
  gv_ensemble_opts o = {dir, fp, samples, 1, gv_ensemble_is_root() ? label : NULL, 0, prep_validate};
  status = gv_ensemble_run(&o, prep_compute, &c, stats);
  if (status < 0 || status == GV_ENSEMBLE_PENDING || !gv_ensemble_is_root()) goto cleanup;
  GV_TRY(gv_ensemble_merge(&o, prep_merge, &c));
  status = c.worst;
cleanup:
  return status;
}

int gv_ensemble_prepare_finish(const char *out) {
  char dir[4096];
  int status = gv_ensemble_parts_path(out, dir, sizeof dir);
  if (status) return status;
  gv_ensemble_opts o = {dir, "", 1, 1, NULL, 0, NULL};
  return gv_ensemble_finish(&o);
}
