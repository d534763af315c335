/* Force-dipole responses (C. Rainone, E. Bouchbinder and E. Lerner, J. Chem.
 * Phys. 152, 194503 (2020), seed 003, Eqs. 1-3):
 *   d_ij = d phi_ij / dx          (non-zero on i and j only: phi'(r) n on i, -phi' n on j)
 *   z_ij = M^+ d_ij               (d sums to zero, so it is orthogonal to translations)
 *   kappa_ij = (d.M^+.d) / (d.M^+2.d) = (d.z) / (z.z) = (z.M.z)/(z.z)
 * kappa is invariant to the scale of d. Units: eps/lambda^2.
 * One factorisation, many solves: the solver object is built once and called
 * with blocks of right-hand sides (threaded inside the linalg module).
 * Pair selection follows seed 003: |f_ij| = |phi'(r_ij)| < 10^-3 by default. */
#include <lapacke.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "glassvib/linalg.h"
#include "glassvib/qlm.h"
#include "glassvib/spectrum.h"

/* ---------------------------------------------------------- solvers */
void gv_qlm_solver_destroy(gv_qlm_solver **s) {
  if (!s || !*s) return;
  if ((*s)->destroy) (*s)->destroy((*s)->ctx);
  free(*s);
  *s = NULL;
}

/* Pair block K = psi2 r r^T + psi1 I (the Hessian block between i and j is -K). */
static void pair_block(const gv_pairset *ps, long k, double K[GV_MAX_DIM][GV_MAX_DIM]) {
  int dim = ps->dim;
  const double *r = ps->r + k * dim, *s = ps->psi + 4 * k;
  for (int a = 0; a < dim; a++)
    for (int b = 0; b < dim; b++) K[a][b] = s[1] * r[a] * r[b] + (a == b ? s[0] : 0.0);
}

typedef struct {
  long nd;
  double *L; /* Cholesky factor of M + c T T^T */
} dense_ctx;

static void dense_destroy(void *c) {
  dense_ctx *d = c;
  if (!d) return;
  free(d->L);
  free(d);
}

static int dense_solve(void *c, const double *B, double *X, long nrhs) {
  dense_ctx *d = c;
  memcpy(X, B, sizeof(double) * d->nd * nrhs);
  lapack_int info = LAPACKE_dpotrs(LAPACK_COL_MAJOR, 'L', (lapack_int)d->nd, (lapack_int)nrhs,
                                   d->L, (lapack_int)d->nd, X, (lapack_int)d->nd);
  if (info) return GV_ERROR(GV_ENUMERIC, "dense solve failed (LAPACK info %d)", (int)info);
  return GV_OK;
}

int gv_qlm_dense_solver_create(gv_qlm_solver **out, const gv_pairset *ps) {
  int status = GV_OK;
  dense_ctx *d = NULL;
  gv_qlm_solver *s = NULL;
  *out = NULL;
  long nd = ps->n * ps->dim;
  int dim = ps->dim;
  if (nd > 6000) return GV_ERROR(GV_EINVAL, "dense solver: %ld degrees of freedom is too many", nd);
  GV_ALLOC(d, 1);
  d->nd = nd;
  long nn = nd * nd;
  GV_ALLOC(d->L, nn);
  double *M = d->L;
  for (long k = 0; k < ps->npairs; k++) {
    double K[GV_MAX_DIM][GV_MAX_DIM];
    pair_block(ps, k, K);
    long i = ps->pi[k], j = ps->pj[k];
    for (int a = 0; a < dim; a++)
      for (int b = 0; b < dim; b++) {
        M[(i * dim + a) * nd + i * dim + b] += K[a][b];
        M[(j * dim + a) * nd + j * dim + b] += K[a][b];
        M[(i * dim + a) * nd + j * dim + b] -= K[a][b];
        M[(j * dim + a) * nd + i * dim + b] -= K[a][b];
      }
  }
  /* Lift the translations to c = mean diagonal: M + c T T^T, T_a[i dim + a] = 1/sqrt(N). */
  double c = 0;
  for (long q = 0; q < nd; q++) c += M[q * nd + q];
  c /= (double)nd;
  for (long i = 0; i < ps->n; i++)
    for (long j = 0; j < ps->n; j++)
      for (int a = 0; a < dim; a++) M[(i * dim + a) * nd + j * dim + a] += c / (double)ps->n;
  lapack_int info = LAPACKE_dpotrf(LAPACK_COL_MAJOR, 'L', (lapack_int)nd, M, (lapack_int)nd);
  if (info) {
    status = GV_ERROR(GV_EUNSTABLE,
                      "the Hessian is not positive definite beyond translations (negative or "
                      "extra zero mode; LAPACK column %d)", (int)info);
    goto cleanup;
  }
  GV_ALLOC(s, 1);
  s->solve = dense_solve;
  s->ctx = d;
  s->ndof = nd;
  s->block = 64;
  s->destroy = dense_destroy;
  *out = s;
  return GV_OK;
cleanup:
  dense_destroy(d);
  free(s);
  return status;
}

/* The Hessian of the pair set in the linalg module's sparse format. */
int gv_qlm_hessian_sparse(const gv_pairset *ps, struct gv_sparse **out) {
  int status = GV_OK;
  int dim = ps->dim;
  long d2 = (long)dim * dim, nt = 4 * ps->npairs * d2;
  int64_t *row = NULL, *col = NULL;
  double *val = NULL;
  GV_ALLOC(row, nt);
  GV_ALLOC(col, nt);
  GV_ALLOC(val, nt);
  long t = 0;
  for (long k = 0; k < ps->npairs; k++) {
    double K[GV_MAX_DIM][GV_MAX_DIM];
    pair_block(ps, k, K);
    long i = ps->pi[k], j = ps->pj[k];
    for (int a = 0; a < dim; a++)
      for (int b = 0; b < dim; b++) {
        long ia = i * dim + a, ib = i * dim + b, ja = j * dim + a, jb = j * dim + b;
        row[t] = ia, col[t] = ib, val[t++] = K[a][b];
        row[t] = ja, col[t] = jb, val[t++] = K[a][b];
        row[t] = ia, col[t] = jb, val[t++] = -K[a][b];
        row[t] = ja, col[t] = ib, val[t++] = -K[a][b];
      }
  }
  GV_TRY(gv_linalg_sparse_from_triplets(out, ps->n * dim, nt, row, col, val));
cleanup:
  free(row);
  free(col);
  free(val);
  return status;
}

/* gv_qlm_sparse_solver_create: src/analysis/dipole_chol.c */

/* ------------------------------------------------------------ dipoles */
void gv_dipole_vector(const gv_pairset *ps, long p, double *d) {
  int dim = ps->dim;
  memset(d, 0, sizeof(double) * ps->n * dim);
  /* d phi / d x_i = phi'(r) r_ij / r = psi1 r_ij, and minus that on j */
  double s = ps->psi[4 * p];
  for (int a = 0; a < dim; a++) {
    d[ps->pi[p] * dim + a] = s * ps->r[p * dim + a];
    d[ps->pj[p] * dim + a] = -s * ps->r[p * dim + a];
  }
}

int gv_dipole_select(const gv_pairset *ps, double max_force, long nrandom, uint64_t seed,
                     long **sel, long *nsel) {
  int status = GV_OK;
  long *s = NULL, m = 0;
  *sel = NULL;
  *nsel = 0;
  GV_ALLOC(s, ps->npairs);
  for (long k = 0; k < ps->npairs; k++) {
    double f = fabs(gv_pairset_force(ps, k));
    if (ps->dphi[5 * k + 2] == 0 && f == 0) continue; /* beyond the cutoff (skin pairs) */
    if (max_force > 0 && !(f < max_force)) continue;
    s[m++] = k;
  }
  if (nrandom > 0 && nrandom < m) {
    /* Partial Fisher-Yates on one stream, then sort: reproducible subset. */
    gv_rng r;
    gv_rng_init(&r, seed, 0, GV_RNG_DIPOLE_PAIRS);
    for (long q = 0; q < nrandom; q++) {
      long w = q + (long)gv_rng_below(&r, (uint64_t)(m - q));
      long t = s[q];
      s[q] = s[w];
      s[w] = t;
    }
    m = nrandom;
    /* back to increasing pair order (shell sort) */
    for (long gap = m / 2; gap > 0; gap /= 2)
      for (long q = gap; q < m; q++) {
        long v = s[q], w = q;
        while (w >= gap && s[w - gap] > v) {
          s[w] = s[w - gap];
          w -= gap;
        }
        s[w] = v;
      }
  }
  if (m == 0) {
    free(s);
    return GV_ERROR(GV_EINVAL, "no interacting pair has |f| < %g (raise --max-force)", max_force);
  }
  *sel = s;
  *nsel = m;
  return GV_OK;
cleanup:
  free(s);
  return status;
}

void gv_dipole_result_destroy(gv_dipole_result **res) {
  if (!res || !*res) return;
  gv_dipole_result *r = *res;
  free(r->pair);
  free(r->kappa);
  free(r->a);
  free(r->b);
  free(r->force);
  free(r->resid);
  free(r);
  *res = NULL;
}

int gv_dipole_responses(const gv_pairset *ps, gv_qlm_solver *solver, const long *sel, long nsel,
                        int check_residual, const long *keep, long nkeep, double *zkeep,
                        gv_dipole_result **out) {
  int status = GV_OK;
  gv_dipole_result *r = NULL;
  double *B = NULL, *X = NULL, *MX = NULL;
  int dim = ps->dim;
  long nd = ps->n * dim;
  *out = NULL;
  if (solver->ndof != nd) return GV_ERROR(GV_EINVAL, "solver size %ld != %ld", solver->ndof, nd);
  double t0 = gv_wall_time();
  /* several solver blocks per call, so that a threaded solver has one block per thread */
  long blk = solver->block > 0 ? solver->block : 32;
#ifdef _OPENMP
  blk *= omp_get_max_threads();
#endif
  if (blk > nsel) blk = nsel;
  long nbuf = nd * blk;
  GV_ALLOC(r, 1);
  r->npairs = nsel;
  GV_ALLOC(r->pair, nsel);
  GV_ALLOC(r->kappa, nsel);
  GV_ALLOC(r->a, nsel);
  GV_ALLOC(r->b, nsel);
  GV_ALLOC(r->force, nsel);
  GV_ALLOC(r->resid, nsel);
  if (solver->dipoles && nkeep == 0) {
    /* fused kernel: sparse forward solves, blocked backward solves, residuals */
    GV_TRY(solver->dipoles(solver->ctx, ps, sel, nsel, r->a, r->b, r->resid));
    for (long k = 0; k < nsel; k++) {
      long p = sel[k];
      r->pair[k] = p;
      r->kappa[k] = r->a[k] / r->b[k];
      r->force[k] = gv_pairset_force(ps, p);
      if (!check_residual) r->resid[k] = NAN;
      if (!(r->b[k] > 0) || !isfinite(r->kappa[k])) {
        status = GV_ERROR(GV_ENUMERIC, "dipole response of pair %ld is zero or not finite", p);
        goto cleanup;
      }
    }
    r->wall_s = gv_wall_time() - t0;
    *out = r;
    r = NULL;
    goto cleanup;
  }
  GV_ALLOC(B, nbuf);
  GV_ALLOC(X, nbuf);
  if (check_residual) GV_ALLOC(MX, nd);
  gv_progress prog;
  gv_progress_begin(&prog, "dipoles", (double)nsel);
  for (long c0 = 0; c0 < nsel; c0 += blk) {
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "interrupted");
      goto cleanup;
    }
    long m = nsel - c0 < blk ? nsel - c0 : blk;
    for (long c = 0; c < m; c++) gv_dipole_vector(ps, sel[c0 + c], B + c * nd);
    GV_TRY(solver->solve(solver->ctx, B, X, m));
    for (long c = 0; c < m; c++) {
      long p = sel[c0 + c];
      const double *d = B + c * nd;
      double *z = X + c * nd;
      double a = 0, b = 0;
      /* only two particles carry d */
      for (int q = 0; q < dim; q++) {
        a += d[ps->pi[p] * dim + q] * z[ps->pi[p] * dim + q];
        a += d[ps->pj[p] * dim + q] * z[ps->pj[p] * dim + q];
      }
      for (long q = 0; q < nd; q++) b += z[q] * z[q];
      r->pair[c0 + c] = p;
      r->a[c0 + c] = a;
      r->b[c0 + c] = b;
      r->kappa[c0 + c] = a / b;
      r->force[c0 + c] = gv_pairset_force(ps, p);
      r->resid[c0 + c] = NAN;
      if (!(b > 0) || !isfinite(a / b)) {
        status = GV_ERROR(GV_ENUMERIC, "dipole response of pair %ld is zero or not finite", p);
        goto cleanup;
      }
      if (check_residual) {
        GV_TRY(gv_anharmonic_contract(ps, z, MX, NULL, NULL, NULL));
        double e2 = 0, d2 = 0;
        for (long q = 0; q < nd; q++) {
          e2 += (MX[q] - d[q]) * (MX[q] - d[q]);
          d2 += d[q] * d[q];
        }
        r->resid[c0 + c] = sqrt(e2 / d2);
      }
      for (long q = 0; q < nkeep; q++)
        if (keep[q] == p) memcpy(zkeep + q * nd, z, sizeof(double) * nd);
    }
    gv_progress_update(&prog, (double)(c0 + m));
  }
  gv_progress_end(&prog);
  r->wall_s = gv_wall_time() - t0;
  *out = r;
  r = NULL;
cleanup:
  gv_dipole_result_destroy(&r);
  free(B);
  free(X);
  free(MX);
  return status;
}

static int cmp_dbl(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int gv_dipole_statistics(const double *kappa, long n, double fit_lo, double fit_hi,
                         gv_dipole_stats *st) {
  int status = GV_OK;
  double *s = NULL;
  memset(st, 0, sizeof *st);
  if (n < 1) return GV_ERROR(GV_EINVAL, "dipole statistics: no values");
  GV_ALLOC(s, n);
  memcpy(s, kappa, sizeof(double) * n);
  qsort(s, (size_t)n, sizeof(double), cmp_dbl);
  st->n = n;
  double sum = 0;
  for (long k = 0; k < n; k++) sum += s[k];
  st->mean = sum / (double)n;
  st->min = s[0];
  st->max = s[n - 1];
  st->median = n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
  st->fit_lo = fit_lo > 0 ? fit_lo : s[0];
  st->fit_hi = fit_hi > 0 ? fit_hi : s[(long)(0.2 * (double)(n - 1))];
  st->eta = st->eta_err = st->eta_ls = NAN;
  st->n_fit = 0;
  if (!(s[0] > 0)) {
    status = GV_ERROR(GV_EUNSTABLE, "a dipole stiffness is not positive (kappa_min = %g): the glass is unstable", s[0]);
    goto cleanup;
  }
  long inwin = 0;
  for (long k = 0; k < n; k++)
    if (s[k] >= st->fit_lo && s[k] <= st->fit_hi) inwin++;
  if (inwin >= 10 && st->fit_hi > st->fit_lo) {
    gv_spectrum_fit f;
    GV_TRY(gv_spectrum_fit_exponent(s, (size_t)n, 0, st->fit_lo, st->fit_hi, &f));
    st->eta = f.value_alt;
    st->eta_err = f.err_alt;
    st->eta_ls = f.value;
    st->n_fit = (long)f.n_used;
  }
cleanup:
  free(s);
  return status;
}

double gv_dipole_kappa_cubic_lattice(long L, double k_par, double k_perp) {
  /* Lattice sums with the sum over q_y, q_z done first (a function of q_x only
   * through w and the longitudinal term). */
  double a = 0, b = 0, *c = malloc(sizeof(double) * L);
  if (!c) return NAN;
  for (long m = 0; m < L; m++) c[m] = 2 * (1 - cos(2 * M_PI * (double)m / (double)L));
  for (long mx = 1; mx < L; mx++) { /* mx = 0: w = 0 */
    double w = c[mx];
    for (long my = 0; my < L; my++)
      for (long mz = 0; mz < L; mz++) {
        double D = k_par * w + k_perp * (c[my] + c[mz]);
        a += w / D;
        b += w / (D * D);
      }
  }
  free(c);
  return a / b;
}
