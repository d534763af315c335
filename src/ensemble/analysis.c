/* Analyses over many glasses through the ensemble engine (docs/cluster.md):
 * `modes GLASS...` and `dipoles GLASS...`, one sample per input glass.
 *
 * Sample k is glass k of the input list; its result is a pure function of the
 * glass file and the options (the dipole pair subset uses the stream of seed + k,
 * as the serial command always did), so the merged result — taken in input order —
 * is bitwise the same for any number of ranks and processes. Within a glass the
 * solvers (CHOLMOD, ARPACK, the qlm responses) run one glass at a time with the
 * process's threads: ARPACK keeps Fortran SAVE state and is not re-entrant, so
 * glasses are not computed concurrently by threads of one process.
 *
 * Records pin their inputs: each holds the size and CRC-32 of its glass file (and,
 * for modes, of the mode file it wrote), so at resume a glass that was replaced or
 * a mode file that was lost or changed makes the sample recompute.
 *
 * modes: the rank that computes glass k writes OUT_k.h5 itself (like prepare
 * --samples; the record holds the per-glass summary used by --json).
 * dipoles: the record holds the glass's table rows (pair, i, j, r, f, kappa, a, b,
 * residual, bond direction); the root pools them in order. */
#include <dirent.h>
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "ensemble/ensemble_internal.h"
#include "glassvib/ensemble_models.h"
#include "glassvib/io.h"
#include "glassvib/qlm.h"

/* Return a negative status at once (functions without a cleanup label). */
#define TRY_RET(expr)          \
  do {                         \
    int s_ = (expr);           \
    if (s_ < 0) return s_;     \
  } while (0)

/* ------------------------------------------------------------ inputs */
int gv_ensemble_file_crc(const char *path, uint32_t *crc, int64_t *size) {
  FILE *f = fopen(path, "rb");
  if (!f) return GV_ERROR(GV_EIO, "%s is missing", path);
  unsigned char buf[1 << 16];
  size_t got;
  uint32_t c = 0;
  int64_t s = 0;
  while ((got = fread(buf, 1, sizeof buf, f)) > 0) {
    c = gv_ensemble_crc32(c, buf, got);
    s += (int64_t)got;
  }
  int err = ferror(f);
  fclose(f);
  if (err) return GV_ERROR(GV_EIO, "cannot read %s", path);
  *crc = c;
  *size = s;
  return GV_OK;
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static int has_suffix(const char *s, const char *suf) {
  size_t l = strlen(s), m = strlen(suf);
  return l > m && !strcmp(s + l - m, suf);
}

/* 1 if path is an .h5 whose /provenance kind is set and is not `kind`. */
static int other_kind(const char *path, const char *kind) {
  if (!kind || !has_suffix(path, ".h5")) return 0;
  gv_h5 *h = NULL;
  char k[64] = "";
  if (gv_h5_open(&h, path) != GV_OK) {
    gv_error_clear();
    return 0; /* not readable as HDF5: keep it, its reader names the problem */
  }
  if (gv_h5_has_attr(h, "/provenance", "kind")) gv_h5_get_string(h, "/provenance", "kind", k, sizeof k);
  gv_h5_close(&h, 0);
  gv_error_clear();
  return k[0] && strcmp(k, kind) != 0;
}

static int list_push(char ***f, long *n, long *cap, const char *a, const char *b) {
  if (*n == *cap) {
    long nc = *cap ? 2 * *cap : 64;
    char **nf = realloc(*f, (size_t)nc * sizeof *nf);
    if (!nf) return GV_ERROR(GV_ENOMEM, "out of memory");
    *f = nf;
    *cap = nc;
  }
  size_t l = strlen(a) + (b ? strlen(b) + 1 : 0) + 1;
  char *s = malloc(l);
  if (!s) return GV_ERROR(GV_ENOMEM, "out of memory");
  if (b) snprintf(s, l, "%s/%s", a, b);
  else snprintf(s, l, "%s", a);
  (*f)[(*n)++] = s;
  return GV_OK;
}

int gv_ensemble_file_list(const char *const *inputs, int ninputs, int xyz_data, const char *kind, char ***files,
                          long *nfiles) {
  int status = GV_OK;
  char **f = NULL;
  long n = 0, cap = 0;
  DIR *d = NULL;
  if (!files || !nfiles) return GV_ERROR(GV_EINVAL, "file list: NULL");
  *files = NULL;
  *nfiles = 0;
  for (int p = 0; p < ninputs; p++) {
    struct stat st;
    if (stat(inputs[p], &st) != 0) {
      status = GV_ERROR(GV_EIO, "cannot open '%s': no such file or directory", inputs[p]);
      goto cleanup;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (other_kind(inputs[p], kind)) {
        status = GV_ERROR(GV_EINVAL, "'%s' is not a %s file (its /provenance kind differs)", inputs[p], kind);
        goto cleanup;
      }
      GV_TRY(list_push(&f, &n, &cap, inputs[p], NULL));
      continue;
    }
    long start = n;
    d = opendir(inputs[p]);
    if (!d) {
      status = GV_ERROR(GV_EIO, "cannot read directory '%s'", inputs[p]);
      goto cleanup;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
      const char *nm = e->d_name;
      if (nm[0] == '.') continue;
      if (!has_suffix(nm, ".h5") && !(xyz_data && (has_suffix(nm, ".xyz") || has_suffix(nm, ".data")))) continue;
      GV_TRY(list_push(&f, &n, &cap, inputs[p], nm));
      if (other_kind(f[n - 1], kind)) free(f[--n]);
    }
    closedir(d);
    d = NULL;
    qsort(f + start, (size_t)(n - start), sizeof *f, cmp_str);
    if (n == start) gv_log(GV_LOG_INFO, "warning: no input file in directory %s", inputs[p]);
  }
  if (n == 0) {
    status = GV_ERROR(GV_EINVAL, "no input files");
    goto cleanup;
  }
  *files = f;
  *nfiles = n;
  f = NULL;
cleanup:
  if (d) closedir(d);
  if (f) gv_ensemble_file_list_free(&f, n);
  return status;
}

void gv_ensemble_file_list_free(char ***files, long n) {
  if (!files || !*files) return;
  for (long k = 0; k < n; k++) free((*files)[k]);
  free(*files);
  *files = NULL;
}

/* Run directory for an output path; without one, a hidden directory in the
 * working directory named by the fingerprint (removed when the run is done). */
static void parts_dir(const char *out, const char *kind, const char *fp, char *buf, size_t n) {
  if (out) gv_ensemble_parts_path(out, buf, n);
  else snprintf(buf, n, ".glassvib-%s-%016llx.parts", kind, (unsigned long long)gv_ensemble_hash64(fp));
}

/* The input list in a fingerprint: count, first and last path, hash of all. */
static void list_fingerprint(const char *const *g, long M, char *buf, size_t n) {
  uint64_t h = 1469598103934665603ull;
  for (long k = 0; k < M; k++) {
    h ^= gv_ensemble_hash64(g[k]);
    h *= 1099511628211ull;
  }
  snprintf(buf, n, "glasses=%ld first=%s last=%s list=%016llx", M, g[0], g[M - 1], (unsigned long long)h);
}

int gv_ens_file_size_is_(const char *path, int64_t size, const char *what) {
  struct stat st;
  if (stat(path, &st) != 0) return GV_ERROR(GV_EIO, "%s %s is missing", what, path);
  if ((int64_t)st.st_size != size) return GV_ERROR(GV_EFORMAT, "%s %s changed since it was made", what, path);
  return GV_OK;
}

/* Prefix the current message with the glass path ("g.h5: ..."; some messages already
 * begin with ": "). */
static int glass_context(int status, const char *glass) {
  return gv_error_context(status, gv_error_message()[0] == ':' ? "%s" : "%s: ", glass);
}

/* Check that a file still has the size and CRC recorded (iv[0], iv[1]). */
static int same_file(const char *path, const int64_t *iv, const char *what) {
  uint32_t crc;
  int64_t size;
  TRY_RET(gv_ensemble_file_crc(path, &crc, &size));
  if (size != iv[0] || (int64_t)crc != iv[1]) return GV_ERROR(GV_EFORMAT, "%s %s changed since it was analysed", what, path);
  return GV_OK;
}

/* ============================================================== modes */
int gv_ensemble_modes_glass(const char *glass, const gv_ensemble_modes_params *p, gv_modes *m, gv_glass *g) {
  int status = GV_OK;
  gv_hessian *H = NULL;
  gv_linalg_factor *F = NULL;
  double t0 = gv_wall_time();
  memset(m, 0, sizeof *m);
  GV_TRY(gv_glass_read(glass, p->model, p->dim, g));
  GV_TRY(gv_analysis_check_inherent(g, p->max_force, p->force));
  GV_TRY(gv_hessian_create(&H, &g->model, g->sys, 0.0));
  gv_eigopts o = p->eig;
  o.dim = g->sys->dim;
  o.want_vectors = p->vectors;
  int not_converged = 0;
  status = gv_modes_compute(H, g->sys, p->lowest > 0 ? p->lowest : 0, &o, m, p->no_moduli ? NULL : &F);
  if (status < 0) goto cleanup;
  not_converged = status == GV_NOT_CONVERGED;
  status = GV_OK;
  if (!p->no_moduli && m->n_negative == 0 && g->sys->dim >= 2) {
    gv_moduli mod;
    /* One thread here: gv_moduli_affine sums with an OpenMP reduction over a dynamic
     * schedule, whose rounding depends on the thread count and the timing; G's last
     * bits would differ from run to run. The part is cheap (O(N) + d(d-1)/2 + 1 solves
     * with the factor already made). */
    int nth = omp_get_max_threads();
    omp_set_num_threads(1);
    int st = gv_moduli_compute(H, g->sys, F, &mod);
    omp_set_num_threads(nth);
    if (st < 0) {
      gv_log(GV_LOG_INFO, "warning: %s: shear modulus not computed (%s)", glass, gv_error_message());
      gv_error_clear();
    } else if (mod.G > 0) {
      m->G = mod.G;
      m->c_T = mod.c_T;
      m->omega_phonon = mod.c_T * m->q_min;
    }
  }
  m->wall_s = gv_wall_time() - t0;
  if (m->n_negative > 0 && !p->force) {
    double w = NAN;
    for (int j = 0; j < m->k; j++)
      if (m->lambda[j] < -m->zero_tol) { w = m->omega[j]; break; }
    status = GV_ERROR(GV_EUNSTABLE,
                      "unstable Hessian: %d negative mode(s) beyond the zero modes (lowest omega = %.6g): not "
                      "an inherent state (--force to keep)",
                      m->n_negative, w);
    goto cleanup;
  }
  if (not_converged)
    status = GV_ERROR(GV_NOT_CONVERGED, "ARPACK converged %d of %d modes", m->k, p->lowest);
cleanup:
  gv_linalg_factor_destroy(&F);
  gv_hessian_destroy(&H);
  return status;
}

void gv_ensemble_modes_items_free(gv_ensemble_modes_item *items, long n) {
  if (!items) return;
  for (long k = 0; k < n; k++) {
    free(items[k].omega);
    free(items[k].participation);
    items[k].omega = items[k].participation = NULL;
  }
}

typedef struct {
  const gv_ensemble_modes_params *p;
  const char *const *glasses;
  long M;
  const char *out;
  gv_ensemble_modes_item *items;
  int worst;
} modes_ctx;

static int modes_compute(void *vc, long k, gv_ensemble_record *r) {
  modes_ctx *c = vc;
  int status = GV_OK;
  gv_glass g;
  gv_glass_init(&g);
  gv_modes m;
  memset(&m, 0, sizeof m);
  const char *glass = c->glasses[k];
  uint32_t crc;
  int64_t size;
  GV_TRY(gv_ensemble_file_crc(glass, &crc, &size));
  int64_t files[4] = {size, crc, -1, -1};
  int run = gv_ensemble_modes_glass(glass, c->p, &m, &g);
  if (run < 0) {
    status = glass_context(run, glass);
    goto cleanup;
  }
  if (run > 0) {
    gv_log(GV_LOG_INFO, "warning: %s: %s", glass, gv_error_message());
    gv_error_clear();
  }
  if (c->out) {
    char path[4096];
    GV_TRY(gv_ensemble_member_path(c->out, k, c->M, path, sizeof path));
    GV_TRY(gv_modes_write(path, &m, &g, c->p->vectors));
    GV_TRY(gv_ensemble_file_crc(path, &crc, &size));
    files[2] = size;
    files[3] = crc;
  }
  GV_TRY(gv_ensemble_record_put_doubles(r, "omega", m.omega, (size_t)m.k));
  GV_TRY(gv_ensemble_record_put_doubles(r, "participation", m.participation, (size_t)m.k));
  double d[5] = {m.max_residual, m.G, m.c_T, m.omega_phonon, m.wall_s};
  GV_TRY(gv_ensemble_record_put_doubles(r, "scalars", d, 5));
  int64_t iv[6] = {m.n, m.k, m.n_zero_modes, m.n_negative, run == GV_OK, run};
  GV_TRY(gv_ensemble_record_put_int64s(r, "counts", iv, 6));
  GV_TRY(gv_ensemble_record_put_int64s(r, "files", files, 4));
  status = run;
cleanup:
  gv_modes_free(&m);
  gv_glass_free(&g);
  return status;
}

static int modes_validate(void *vc, long k, const gv_ensemble_record *r) {
  modes_ctx *c = vc;
  size_t n;
  const int64_t *f = gv_ensemble_record_int64s(r, "files", &n);
  if (!f || n != 4) return GV_ERROR(GV_EFORMAT, "record lacks the file checksums");
  TRY_RET(same_file(c->glasses[k], f, "glass"));
  if (!c->out) return GV_OK;
  char path[4096];
  TRY_RET(gv_ensemble_member_path(c->out, k, c->M, path, sizeof path));
  return same_file(path, f + 2, "mode file");
}

static int modes_merge(void *vc, long k, const gv_ensemble_record *r) {
  modes_ctx *c = vc;
  size_t nw, ne, nd, ni;
  const double *w = gv_ensemble_record_doubles(r, "omega", &nw), *e = gv_ensemble_record_doubles(r, "participation", &ne),
               *d = gv_ensemble_record_doubles(r, "scalars", &nd);
  const int64_t *iv = gv_ensemble_record_int64s(r, "counts", &ni);
  if (!d || !iv || nd != 5 || ni != 6 || nw != ne || (int64_t)nw != iv[1] || (nw && (!w || !e)))
    return GV_ERROR(GV_EFORMAT, "modes ensemble: record of glass %ld is incomplete", k);
  if (c->out) { /* the mode files are the product: check they are still there */
    size_t nf;
    const int64_t *f = gv_ensemble_record_int64s(r, "files", &nf);
    char path[4096];
    int status = !f || nf != 4 ? GV_ERROR(GV_EFORMAT, "record lacks the file checksums")
                               : gv_ensemble_member_path(c->out, k, c->M, path, sizeof path);
    if (!status) status = gv_ens_file_size_is_(path, f[2], "mode file");
    if (status) return gv_error_context(status, "re-run the command to recompute it: ");
  }
  gv_ensemble_modes_item *it = &c->items[k];
  free(it->omega);
  free(it->participation);
  it->omega = malloc((nw ? nw : 1) * sizeof *w);
  it->participation = malloc((nw ? nw : 1) * sizeof *e);
  if (!it->omega || !it->participation) return GV_ERROR(GV_ENOMEM, "out of memory merging glass %ld", k);
  if (nw) {
    memcpy(it->omega, w, nw * sizeof *w);
    memcpy(it->participation, e, nw * sizeof *e);
  }
  it->n = (long)iv[0];
  it->k = (int)iv[1];
  it->n_zero_modes = (int)iv[2];
  it->n_negative = (int)iv[3];
  it->converged = (int)iv[4];
  it->max_residual = d[0];
  it->G = d[1];
  it->c_T = d[2];
  it->omega_phonon = d[3];
  it->wall_s = d[4];
  if (iv[5] > c->worst) c->worst = (int)iv[5];
  return GV_OK;
}

static char *modes_fingerprint(const gv_ensemble_modes_params *p, const char *const *g, long M, const char *out) {
  char list[8192];
  list_fingerprint(g, M, list, sizeof list);
  size_t n = strlen(list) + (p->options ? strlen(p->options) : 0) + (out ? strlen(out) : 0) + 1024;
  char *s = malloc(n);
  if (!s) return NULL;
  const gv_eigopts *o = &p->eig;
  snprintf(s, n,
           "modes v1 lowest=%d vectors=%d max_force=%.17g force=%d no_moduli=%d sigma=%.17g tol=%.17g ncv=%d "
           "maxiter=%d seed=%llu solver=%d block=%d model=%s dim=%d options=%s out=%s %s",
           p->lowest, p->vectors, p->max_force, p->force, p->no_moduli, o->sigma, o->tol, o->ncv, o->maxiter,
           (unsigned long long)o->seed, o->solver, o->block, p->model ? p->model : "-", p->dim, p->options ? p->options : "",
           out ? out : "-", list);
  return s;
}

int gv_ensemble_modes_run(const gv_ensemble_modes_params *p, const char *const *glasses, long M, const char *out,
                          gv_ensemble_modes_item *items, const char *label, gv_ensemble_stats *stats) {
  int status = GV_OK;
  char dir[4096], *fp = NULL;
  if (!p || !glasses || M < 1 || !items) return GV_ERROR(GV_EINVAL, "modes ensemble: bad arguments");
  GV_TRY(gv_ensemble_comm_init());
  fp = modes_fingerprint(p, glasses, M, out);
  if (!fp) return GV_ERROR(GV_ENOMEM, "out of memory");
  parts_dir(out, "modes", fp, dir, sizeof dir);
  modes_ctx c = {p, glasses, M, out, items, 0};
  gv_ensemble_opts o = {dir, fp, M, 1, gv_ensemble_is_root() ? label : NULL, 0, modes_validate};
  status = gv_ensemble_run(&o, modes_compute, &c, stats);
  if (status < 0 || status == GV_ENSEMBLE_PENDING || !gv_ensemble_is_root()) goto cleanup;
  GV_TRY(gv_ensemble_merge(&o, modes_merge, &c));
  status = c.worst;
cleanup:
  free(fp);
  return status;
}

int gv_ensemble_modes_finish(const gv_ensemble_modes_params *p, const char *const *glasses, long M, const char *out) {
  char dir[4096], *fp = modes_fingerprint(p, glasses, M, out);
  if (!fp) return GV_ERROR(GV_ENOMEM, "out of memory");
  parts_dir(out, "modes", fp, dir, sizeof dir);
  free(fp);
  gv_ensemble_opts o = {dir, "", 1, 1, NULL, 0, NULL};
  return gv_ensemble_finish(&o);
}

/* ============================================================ dipoles */
void gv_ensemble_dipole_rows_free(gv_ensemble_dipole_rows *t) {
  if (!t) return;
  free(t->sample);
  free(t->pair);
  free(t->i);
  free(t->j);
  free(t->r);
  free(t->f);
  free(t->kappa);
  free(t->a);
  free(t->b);
  free(t->resid);
  free(t->nvec);
  memset(t, 0, sizeof *t);
}

static int rows_reserve(gv_ensemble_dipole_rows *t, long need) {
  if (t->n + need <= t->cap) return GV_OK;
  long nc = 2 * (t->n + need);
  void *q[11];
  long **li[4] = {&t->sample, &t->pair, &t->i, &t->j};
  double **di[7] = {&t->r, &t->f, &t->kappa, &t->a, &t->b, &t->resid, &t->nvec};
  for (int a = 0; a < 4; a++) {
    q[a] = realloc(*li[a], (size_t)nc * sizeof(long));
    if (!q[a]) return GV_ERROR(GV_ENOMEM, "out of memory (%ld dipole rows)", nc);
    *li[a] = q[a];
  }
  for (int a = 0; a < 7; a++) {
    size_t w = a == 6 ? GV_MAX_DIM : 1;
    q[4 + a] = realloc(*di[a], (size_t)nc * w * sizeof(double));
    if (!q[4 + a]) return GV_ERROR(GV_ENOMEM, "out of memory (%ld dipole rows)", nc);
    *di[a] = q[4 + a];
  }
  t->cap = nc;
  return GV_OK;
}

int gv_ensemble_dipoles_glass(const char *glass, const gv_ensemble_dipoles_params *p, long sample,
                              gv_ensemble_dipole_rows *t) {
  int status = GV_OK;
  gv_glass g;
  gv_glass_init(&g);
  gv_pairset *ps = NULL;
  gv_qlm_solver *S = NULL;
  gv_dipole_result *res = NULL;
  long *sel = NULL, nsel = 0;
  GV_TRY(gv_glass_read(glass, p->model, p->dim, &g));
  GV_TRY(gv_analysis_check_inherent(&g, p->state_tol, p->force));
  GV_TRY(gv_pairset_create_model(&ps, &g.model, g.sys, 0.0));
  GV_TRY(gv_qlm_sparse_solver_create(&S, ps));
  GV_TRY(gv_dipole_select(ps, p->max_force, p->nrandom, p->seed + (uint64_t)sample, &sel, &nsel));
  GV_TRY(gv_dipole_responses(ps, S, sel, nsel, p->check_residual, NULL, 0, NULL, &res));
  GV_TRY(rows_reserve(t, nsel));
  t->dim = ps->dim;
  for (long q = 0; q < nsel; q++) {
    long pr = res->pair[q], w = t->n++;
    t->sample[w] = sample;
    t->pair[w] = pr;
    t->i[w] = ps->pi[pr];
    t->j[w] = ps->pj[pr];
    double r2 = 0;
    for (int a = 0; a < ps->dim; a++) r2 += ps->r[pr * ps->dim + a] * ps->r[pr * ps->dim + a];
    t->r[w] = sqrt(r2);
    for (int a = 0; a < GV_MAX_DIM; a++) t->nvec[w * GV_MAX_DIM + a] = a < ps->dim ? ps->r[pr * ps->dim + a] / t->r[w] : 0;
    t->f[w] = res->force[q];
    t->kappa[w] = res->kappa[q];
    t->a[w] = res->a[q];
    t->b[w] = res->b[q];
    t->resid[w] = p->check_residual ? res->resid[q] : NAN;
  }
cleanup:
  if (status < 0) glass_context(status, glass);
  free(sel);
  gv_dipole_result_destroy(&res);
  gv_qlm_solver_destroy(&S);
  gv_pairset_destroy(&ps);
  gv_glass_free(&g);
  return status;
}

typedef struct {
  const gv_ensemble_dipoles_params *p;
  const char *const *glasses;
  gv_ensemble_dipole_rows *rows;
} dip_ctx;

static int dip_compute(void *vc, long k, gv_ensemble_record *r) {
  dip_ctx *c = vc;
  int status = GV_OK;
  gv_ensemble_dipole_rows t;
  memset(&t, 0, sizeof t);
  int64_t *iv = NULL;
  double *dv = NULL;
  uint32_t crc;
  int64_t size;
  GV_TRY(gv_ensemble_file_crc(c->glasses[k], &crc, &size));
  GV_TRY(gv_ensemble_dipoles_glass(c->glasses[k], c->p, k, &t));
  const long n = t.n;
  GV_ALLOC(iv, 3 * (size_t)n + 1);
  GV_ALLOC(dv, (6 + GV_MAX_DIM) * (size_t)n + 1);
  for (long q = 0; q < n; q++) {
    iv[3 * q] = t.pair[q];
    iv[3 * q + 1] = t.i[q];
    iv[3 * q + 2] = t.j[q];
    double *d = dv + (6 + GV_MAX_DIM) * q;
    d[0] = t.r[q], d[1] = t.f[q], d[2] = t.kappa[q], d[3] = t.a[q], d[4] = t.b[q], d[5] = t.resid[q];
    memcpy(d + 6, t.nvec + GV_MAX_DIM * q, GV_MAX_DIM * sizeof *d);
  }
  GV_TRY(gv_ensemble_record_put_int64s(r, "pair_i_j", iv, 3 * (size_t)n));
  GV_TRY(gv_ensemble_record_put_doubles(r, "rows", dv, (6 + GV_MAX_DIM) * (size_t)n));
  int64_t meta[3] = {size, crc, t.n ? t.dim : 0};
  GV_TRY(gv_ensemble_record_put_int64s(r, "glass", meta, 3));
cleanup:
  free(iv);
  free(dv);
  gv_ensemble_dipole_rows_free(&t);
  return status;
}

static int dip_validate(void *vc, long k, const gv_ensemble_record *r) {
  dip_ctx *c = vc;
  size_t n;
  const int64_t *m = gv_ensemble_record_int64s(r, "glass", &n);
  if (!m || n != 3) return GV_ERROR(GV_EFORMAT, "record lacks the glass checksum");
  return same_file(c->glasses[k], m, "glass");
}

static int dip_merge(void *vc, long k, const gv_ensemble_record *r) {
  dip_ctx *c = vc;
  size_t ni, nd, nm;
  const int64_t *iv = gv_ensemble_record_int64s(r, "pair_i_j", &ni), *m = gv_ensemble_record_int64s(r, "glass", &nm);
  const double *dv = gv_ensemble_record_doubles(r, "rows", &nd);
  if (!m || nm != 3 || ni % 3 || nd != (ni / 3) * (6 + GV_MAX_DIM) || (ni && (!iv || !dv)))
    return GV_ERROR(GV_EFORMAT, "dipoles ensemble: record of glass %ld is incomplete", k);
  gv_ensemble_dipole_rows *t = c->rows;
  const long n = (long)(ni / 3);
  TRY_RET(rows_reserve(t, n));
  if (m[2] > 0) t->dim = (int)m[2];
  for (long q = 0; q < n; q++) {
    long w = t->n++;
    const double *d = dv + (6 + GV_MAX_DIM) * q;
    t->sample[w] = k;
    t->pair[w] = (long)iv[3 * q];
    t->i[w] = (long)iv[3 * q + 1];
    t->j[w] = (long)iv[3 * q + 2];
    t->r[w] = d[0], t->f[w] = d[1], t->kappa[w] = d[2], t->a[w] = d[3], t->b[w] = d[4], t->resid[w] = d[5];
    memcpy(t->nvec + GV_MAX_DIM * w, d + 6, GV_MAX_DIM * sizeof *d);
  }
  return GV_OK;
}

static char *dip_fingerprint(const gv_ensemble_dipoles_params *p, const char *const *g, long M, const char *out) {
  char list[8192];
  list_fingerprint(g, M, list, sizeof list);
  size_t n = strlen(list) + 1024;
  char *s = malloc(n);
  if (!s) return NULL;
  (void)out; /* the rows do not depend on where the table goes */
  snprintf(s, n, "dipoles v1 max_force=%.17g pairs=%ld seed=%llu check=%d state_tol=%.17g force=%d model=%s dim=%d %s",
           p->max_force, p->nrandom, (unsigned long long)p->seed, p->check_residual, p->state_tol, p->force,
           p->model ? p->model : "-", p->dim, list);
  return s;
}

int gv_ensemble_dipoles_run(const gv_ensemble_dipoles_params *p, const char *const *glasses, long M,
                            const char *out, gv_ensemble_dipole_rows *rows, const char *label,
                            gv_ensemble_stats *stats) {
  int status = GV_OK;
  char dir[4096], *fp = NULL;
  if (!p || !glasses || M < 1 || !rows) return GV_ERROR(GV_EINVAL, "dipoles ensemble: bad arguments");
  GV_TRY(gv_ensemble_comm_init());
  fp = dip_fingerprint(p, glasses, M, out);
  if (!fp) return GV_ERROR(GV_ENOMEM, "out of memory");
  parts_dir(out, "dipoles", fp, dir, sizeof dir);
  dip_ctx c = {p, glasses, rows};
  gv_ensemble_opts o = {dir, fp, M, 1, gv_ensemble_is_root() ? label : NULL, 0, dip_validate};
  status = gv_ensemble_run(&o, dip_compute, &c, stats);
  if (status < 0 || status == GV_ENSEMBLE_PENDING || !gv_ensemble_is_root()) goto cleanup;
  GV_TRY(gv_ensemble_merge(&o, dip_merge, &c));
cleanup:
  free(fp);
  return status;
}

int gv_ensemble_dipoles_finish(const gv_ensemble_dipoles_params *p, const char *const *glasses, long M,
                               const char *out) {
  char dir[4096], *fp = dip_fingerprint(p, glasses, M, out);
  if (!fp) return GV_ERROR(GV_ENOMEM, "out of memory");
  parts_dir(out, "dipoles", fp, dir, sizeof dir);
  free(fp);
  gv_ensemble_opts o = {dir, "", 1, 1, NULL, 0, NULL};
  return gv_ensemble_finish(&o);
}
