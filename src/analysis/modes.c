/* Normal modes of a glass: eigenpairs of the Hessian (unit masses, so the
 * dynamical matrix), frequencies omega = sqrt(lambda) (negative lambda reported
 * as negative omega), participation ratio e = [N sum_i |psi_i|^4]^-1
 * (|psi| = 1; seed 004 Eq. 1, seed 002 Table I), N e participating particles.
 * The smallest non-zero wavevector of the box and, if known, the predicted
 * first transverse plane wave c_T q_min are stored for the phonon-band
 * detection of `glassvib dos`. Units: omega in sqrt(eps/m)/lambda. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/analysis.h"
#include "linalg/alloc.h"

double gv_analysis_participation(const double *psi, long n, int dim) {
  double s2 = 0, s4 = 0;
  for (long i = 0; i < n; i++) {
    double a = 0;
    for (int c = 0; c < dim; c++) a += psi[i * dim + c] * psi[i * dim + c];
    s2 += a;
    s4 += a * a;
  }
  if (!(s4 > 0)) return NAN;
  return s2 * s2 / ((double)n * s4);
}

int gv_analysis_check_inherent(gv_glass *g, double max_force, int force) {
  int status = gv_glass_evaluate(g);
  if (status < 0) return status;
  if (!(g->state.max_force <= max_force)) {
    if (!force)
      return GV_ERROR(GV_EUNSTABLE,
                      "not an inherent state: max force component %.3g > %.3g (minimise it first, "
                      "or pass --force to analyse it anyway)",
                      g->state.max_force, max_force);
    gv_log(GV_LOG_INFO, "warning: not an inherent state (max force %.3g > %.3g), continuing (--force)",
           g->state.max_force, max_force);
  }
  return GV_OK;
}

void gv_modes_free(gv_modes *m) {
  if (!m) return;
  free(m->lambda);
  free(m->omega);
  free(m->participation);
  free(m->residual);
  free(m->vec);
  memset(m, 0, sizeof *m);
}

/* Smallest |G| of the reciprocal lattice G = 2 pi h^-T n, n in {-1,0,1}^d \ 0. */
static double box_q_min(const gv_box *b) {
  const int d = b->dim;
  double best = INFINITY;
  int total = 1;
  for (int a = 0; a < d; a++) total *= 3;
  for (int c = 0; c < total; c++) {
    int n[GV_MAX_DIM], t = c, nz = 0;
    for (int a = 0; a < d; a++) n[a] = t % 3 - 1, t /= 3, nz |= n[a];
    if (!nz) continue;
    double q2 = 0;
    for (int x = 0; x < d; x++) {
      double g = 0;
      for (int a = 0; a < d; a++) g += b->hinv[a][x] * n[a];
      q2 += 4 * M_PI * M_PI * g * g;
    }
    if (sqrt(q2) < best) best = sqrt(q2);
  }
  return best;
}

static void fill_sample(gv_modes *m, const gv_system *s) {
  m->volume = gv_box_volume(&s->box);
  m->density = (double)s->n / m->volume;
  m->q_min = box_q_min(&s->box);
  m->G = m->c_T = m->omega_phonon = NAN;
}

int gv_modes_compute(const gv_hessian *H, const gv_system *s, int k, const gv_eigopts *opt,
                     gv_modes *out, gv_linalg_factor **keep_factor) {
  int status = GV_OK;
  gv_eigen e;
  gv_eigopts o;
  double t0 = gv_wall_time();
  memset(&e, 0, sizeof e);
  memset(out, 0, sizeof *out);
  if (opt) o = *opt;
  else gv_linalg_eigopts_default(&o);
  if (o.dim <= 0) o.dim = H->dim;
  o.keep_factor = keep_factor;
  if (keep_factor) *keep_factor = NULL;
  /* participation needs the vectors: always ask for them, drop them at the end */
  const int want_vectors = o.want_vectors;
  o.want_vectors = 1;
  if (k <= 0) {
    status = gv_linalg_eig_all(H->M, &o, &e);
  } else {
    status = gv_linalg_eig_lowest(H->M, k, &o, &e);
  }
  if (status < 0) goto cleanup;
  const int nk = e.k;
  out->dim = H->dim;
  out->n = H->n;
  out->k = nk;
  out->complete = (int64_t)nk == e.n - e.n_translations;
  out->lambda = e.lambda;
  out->residual = e.residual;
  out->vec = e.vec;
  e.lambda = e.residual = e.vec = NULL;
  GV_ALLOC(out->omega, nk);
  GV_ALLOC(out->participation, nk);
  out->zero_tol = 1e-8 * fabs(gv_linalg_sparse_mean_diagonal(H->M));
  out->n_translations = e.n_translations;
  out->translation_residual = e.translation_residual;
  out->n_zero_modes = (e.n_translations && e.translation_residual <= out->zero_tol) ? e.n_translations : 0;
  out->n_negative = 0;
  const int64_t nd = (int64_t)H->n * H->dim;
  for (int j = 0; j < nk; j++) {
    double l = out->lambda[j];
    out->omega[j] = l >= 0 ? sqrt(l) : -sqrt(-l);
    if (fabs(l) < out->zero_tol) out->n_zero_modes++;
    else if (l < 0) out->n_negative++;
    out->participation[j] = out->vec ? gv_analysis_participation(out->vec + j * nd, H->n, H->dim) : NAN;
  }
  if (!want_vectors) {
    free(out->vec);
    out->vec = NULL;
  }
  out->max_residual = e.max_residual;
  out->sigma = e.sigma;
  out->t_factor = e.t_factor;
  out->n_op = e.n_op;
  snprintf(out->method, sizeof out->method, "%s", e.method ? e.method : "");
  fill_sample(out, s);
  out->wall_s = gv_wall_time() - t0;
cleanup:
  gv_linalg_eigen_free(&e);
  if (status < 0) {
    gv_modes_free(out);
    if (keep_factor) gv_linalg_factor_destroy(keep_factor);
  }
  return status;
}

int gv_modes_write(const char *path, const gv_modes *m, const gv_glass *g, int with_vectors) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  size_t dims[3] = {(size_t)m->k, 0, 0};
  GV_TRY(gv_h5_create(&h, path));
  GV_TRY(gv_h5_write_provenance(h, "modes", g ? g->seed : 0));
  GV_TRY(gv_h5_write_doubles(h, "/modes/omega", m->omega, 1, dims));
  GV_TRY(gv_h5_write_doubles(h, "/modes/eigenvalue", m->lambda, 1, dims));
  GV_TRY(gv_h5_write_doubles(h, "/modes/participation", m->participation, 1, dims));
  GV_TRY(gv_h5_write_doubles(h, "/modes/residual", m->residual, 1, dims));
  if (with_vectors) {
    if (!m->vec) {
      status = GV_ERROR(GV_EINVAL, "modes: eigenvectors requested but not computed");
      goto cleanup;
    }
    size_t vd[3] = {(size_t)m->k, (size_t)m->n, (size_t)m->dim};
    GV_TRY(gv_h5_write_doubles(h, "/modes/vectors", m->vec, 3, vd));
  }
  const char *o = "/modes";
  GV_TRY(gv_h5_set_int(h, o, "dim", m->dim));
  GV_TRY(gv_h5_set_int(h, o, "n_particles", m->n));
  GV_TRY(gv_h5_set_int(h, o, "n_modes", m->k));
  GV_TRY(gv_h5_set_int(h, o, "complete", m->complete));
  GV_TRY(gv_h5_set_int(h, o, "n_zero_modes", m->n_zero_modes));
  GV_TRY(gv_h5_set_int(h, o, "n_translations", m->n_translations));
  GV_TRY(gv_h5_set_int(h, o, "n_negative", m->n_negative));
  GV_TRY(gv_h5_set_double(h, o, "zero_tol", m->zero_tol));
  GV_TRY(gv_h5_set_double(h, o, "max_residual", m->max_residual));
  GV_TRY(gv_h5_set_double(h, o, "translation_residual", m->translation_residual));
  GV_TRY(gv_h5_set_double(h, o, "sigma", m->sigma));
  GV_TRY(gv_h5_set_double(h, o, "wall_s", m->wall_s));
  GV_TRY(gv_h5_set_string(h, o, "method", m->method));
  GV_TRY(gv_h5_set_double(h, o, "volume", m->volume));
  GV_TRY(gv_h5_set_double(h, o, "density", m->density));
  GV_TRY(gv_h5_set_double(h, o, "q_min", m->q_min));
  GV_TRY(gv_h5_set_double(h, o, "G", m->G));
  GV_TRY(gv_h5_set_double(h, o, "c_T", m->c_T));
  GV_TRY(gv_h5_set_double(h, o, "omega_phonon", m->omega_phonon));
  GV_TRY(gv_h5_set_string(h, o, "units", "omega: sqrt(eps/m)/lambda; eigenvalue: eps/(m lambda^2)"));
  if (g) {
    char sm[64];
    gv_model_smoothing_name(&g->model, sm, sizeof sm);
    GV_TRY(gv_h5_set_string(h, o, "model", g->model.name));
    GV_TRY(gv_h5_set_string(h, o, "smoothing", sm));
    GV_TRY(gv_h5_set_double(h, o, "glass_energy", g->state.energy));
    GV_TRY(gv_h5_set_double(h, o, "glass_max_force", g->state.max_force));
  }
  GV_TRY(gv_h5_close(&h, 1));
cleanup:
  if (h) gv_h5_close(&h, 0);
  return status;
}

static int read_vec(gv_h5 *h, const char *path, double **dst, long want, const char *file) {
  int status = GV_OK, rank;
  size_t dims[4] = {0};
  GV_TRY(gv_h5_read_doubles(h, path, dst, &rank, dims));
  if (rank != 1 || (long)dims[0] != want)
    status = GV_ERROR(GV_EFORMAT, "%s: %s has %zu entries, expected %ld", file, path, dims[0], want);
cleanup:
  return status;
}

int gv_modes_read(const char *path, int want_vectors, gv_modes *m) {
  int status = GV_OK;
  gv_h5 *h = NULL;
  long long v;
  memset(m, 0, sizeof *m);
  GV_TRY(gv_h5_open(&h, path));
  if (!gv_h5_exists(h, "/modes") || !gv_h5_exists(h, "/modes/omega")) {
    status = GV_ERROR(GV_EFORMAT, "%s is not a modes file (no /modes/omega)", path);
    goto cleanup;
  }
  const char *o = "/modes";
  GV_TRY(gv_h5_get_int(h, o, "dim", &v));
  m->dim = (int)v;
  GV_TRY(gv_h5_get_int(h, o, "n_particles", &v));
  m->n = (long)v;
  GV_TRY(gv_h5_get_int(h, o, "n_modes", &v));
  m->k = (int)v;
  if (m->dim < 1 || m->dim > GV_MAX_DIM || m->n < 1 || m->k < 0) {
    status = GV_ERROR(GV_EFORMAT, "%s: bad /modes attributes (dim %d, N %ld, K %d)", path, m->dim, m->n, m->k);
    goto cleanup;
  }
  GV_TRY(gv_h5_get_int(h, o, "complete", &v));
  m->complete = (int)v;
  GV_TRY(gv_h5_get_int(h, o, "n_zero_modes", &v));
  m->n_zero_modes = (int)v;
  GV_TRY(gv_h5_get_int(h, o, "n_translations", &v));
  m->n_translations = (int)v;
  GV_TRY(gv_h5_get_int(h, o, "n_negative", &v));
  m->n_negative = (int)v;
  GV_TRY(gv_h5_get_double(h, o, "zero_tol", &m->zero_tol));
  GV_TRY(gv_h5_get_double(h, o, "max_residual", &m->max_residual));
  GV_TRY(gv_h5_get_double(h, o, "translation_residual", &m->translation_residual));
  GV_TRY(gv_h5_get_double(h, o, "sigma", &m->sigma));
  GV_TRY(gv_h5_get_double(h, o, "wall_s", &m->wall_s));
  GV_TRY(gv_h5_get_string(h, o, "method", m->method, sizeof m->method));
  GV_TRY(gv_h5_get_double(h, o, "volume", &m->volume));
  GV_TRY(gv_h5_get_double(h, o, "density", &m->density));
  GV_TRY(gv_h5_get_double(h, o, "q_min", &m->q_min));
  GV_TRY(gv_h5_get_double(h, o, "G", &m->G));
  GV_TRY(gv_h5_get_double(h, o, "c_T", &m->c_T));
  GV_TRY(gv_h5_get_double(h, o, "omega_phonon", &m->omega_phonon));
  GV_TRY(read_vec(h, "/modes/omega", &m->omega, m->k, path));
  GV_TRY(read_vec(h, "/modes/eigenvalue", &m->lambda, m->k, path));
  GV_TRY(read_vec(h, "/modes/participation", &m->participation, m->k, path));
  GV_TRY(read_vec(h, "/modes/residual", &m->residual, m->k, path));
  for (int j = 1; j < m->k; j++)
    if (!(m->lambda[j] >= m->lambda[j - 1])) {
      status = GV_ERROR(GV_EFORMAT, "%s: eigenvalues not ascending at %d", path, j);
      goto cleanup;
    }
  if (want_vectors) {
    if (!gv_h5_exists(h, "/modes/vectors")) {
      status = GV_ERROR(GV_EFORMAT, "%s has no eigenvectors (run glassvib modes with --vectors)", path);
      goto cleanup;
    }
    int rank;
    size_t dims[4] = {0};
    GV_TRY(gv_h5_read_doubles(h, "/modes/vectors", &m->vec, &rank, dims));
    if (rank != 3 || (long)dims[0] != m->k || (long)dims[1] != m->n || (int)dims[2] != m->dim) {
      status = GV_ERROR(GV_EFORMAT, "%s: /modes/vectors has the wrong shape", path);
      goto cleanup;
    }
  }
cleanup:
  if (h) gv_h5_close(&h, 0);
  if (status < 0) gv_modes_free(m); /* messages above name the file */
  return status;
}
