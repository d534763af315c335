/* Pair sets and the anharmonic contractions of a pairwise potential energy.
 *
 * U = sum_pairs phi(r_ij). Along a direction z, pair p sees the relative
 * displacement u = z_i - z_j and r(s) = |r + s u|. With q = r^2/2 and
 * psi(q) = phi(sqrt(2q)), q(s) = q + s (r.u) + s^2 |u|^2/2, so with
 * q1 = r.u, q2 = |u|^2 the s-derivatives at s = 0 are
 *   U'    = psi1 q1
 *   U''   = psi2 q1^2 + psi1 q2                          (= M:zz)
 *   U'''  = psi3 q1^3 + 3 psi2 q1 q2                     (= U''':zzz)
 *   U'''' = psi4 q1^4 + 6 psi3 q1^2 q2 + 3 psi2 q2^2     (= U'''':zzzz)
 * with (r = |r_ij|, phi^(k) the radial derivatives)
 *   psi1 = phi'/r
 *   psi2 = phi''/r^2 - phi'/r^3
 *   psi3 = phi'''/r^3 - 3 phi''/r^4 + 3 phi'/r^5
 *   psi4 = phi''''/r^4 - 6 phi'''/r^5 + 15 phi''/r^6 - 15 phi'/r^7.
 * The vectors are the u-gradients divided by the order (symmetric tensors):
 *   (M.z)_i       =  psi2 q1 r + psi1 u
 *   (U''':zz)_i   =  psi3 q1^2 r + psi2 (q2 r + 2 q1 u)
 *   (U'''':zzz)_i =  psi4 q1^3 r + 3 psi3 (q1 q2 r + q1^2 u) + 3 psi2 q2 u
 * on particle i, and minus that on j. Units: eps/lambda^k for the k-th order.
 * References: L. Gartner and E. Lerner, SciPost Phys. 1, 016 (2016) (cubic
 * contractions); G. Kapteijns, D. Richard and E. Lerner, PRE 101, 032130 (2020)
 * (quartic). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/qlm.h"

void gv_pairset_destroy(gv_pairset **ps) {
  if (!ps || !*ps) return;
  gv_pairset *p = *ps;
  free(p->pi);
  free(p->pj);
  free(p->r);
  free(p->dphi);
  free(p->psi);
  free(p->inc_start);
  free(p->inc);
  free(p);
  *ps = NULL;
}

/* Derived coefficients and the incidence list (counting sort by particle,
 * pairs in increasing order for each particle: deterministic gathers). */
int gv_pairset_finish_(gv_pairset *p) {
  int status = GV_OK;
  int dim = p->dim;
  long n4 = 4 * p->npairs, n2 = 2 * p->npairs, n1 = p->n + 1;
  GV_ALLOC(p->psi, n4);
  GV_ALLOC(p->inc_start, n1);
  GV_ALLOC(p->inc, n2);
  for (long k = 0; k < p->npairs; k++) {
    double r2 = 0;
    for (int a = 0; a < dim; a++) r2 += p->r[k * dim + a] * p->r[k * dim + a];
    double r = sqrt(r2);
    const double *d = p->dphi + 5 * k;
    double ir = 1.0 / r, ir2 = ir * ir;
    double *s = p->psi + 4 * k;
    s[0] = d[1] * ir;
    s[1] = (d[2] - d[1] * ir) * ir2;
    s[2] = (d[3] - 3 * d[2] * ir + 3 * d[1] * ir2) * ir2 * ir;
    s[3] = (d[4] - 6 * d[3] * ir + 15 * d[2] * ir2 - 15 * d[1] * ir2 * ir) * ir2 * ir2;
    p->inc_start[p->pi[k] + 1]++;
    p->inc_start[p->pj[k] + 1]++;
  }
  for (long i = 0; i < p->n; i++) p->inc_start[i + 1] += p->inc_start[i];
  long *fill = NULL;
  GV_ALLOC(fill, p->n);
  for (long k = 0; k < p->npairs; k++) {
    long i = p->pi[k], j = p->pj[k];
    p->inc[p->inc_start[i] + fill[i]++] = k;
    p->inc[p->inc_start[j] + fill[j]++] = ~k;
  }
  free(fill);
cleanup:
  return status;
}

int gv_pairset_create(gv_pairset **ps, int dim, long n, long npairs, const long *pi,
                      const long *pj, const double *r, const double *dphi) {
  int status = GV_OK;
  gv_pairset *p = NULL;
  *ps = NULL;
  if (dim < 1 || dim > GV_MAX_DIM || n < 1 || npairs < 0)
    return GV_ERROR(GV_EINVAL, "pair set: invalid sizes (dim %d, n %ld, pairs %ld)", dim, n, npairs);
  for (long k = 0; k < npairs; k++) {
    if (pi[k] < 0 || pi[k] >= n || pj[k] < 0 || pj[k] >= n || pi[k] == pj[k])
      return GV_ERROR(GV_EINVAL, "pair set: pair %ld has invalid particles (%ld, %ld)", k, pi[k], pj[k]);
    double r2 = 0;
    for (int a = 0; a < dim; a++) r2 += r[k * dim + a] * r[k * dim + a];
    if (!(r2 > 0) || !gv_is_finite_array(r + k * dim, (size_t)dim) ||
        !gv_is_finite_array(dphi + 5 * k, 5))
      return GV_ERROR(GV_EINVAL, "pair set: pair %ld (%ld, %ld) has zero distance or non-finite data",
                      k, pi[k], pj[k]);
  }
  GV_ALLOC(p, 1);
  p->dim = dim;
  p->n = n;
  p->npairs = npairs;
  GV_ALLOC(p->pi, npairs);
  GV_ALLOC(p->pj, npairs);
  long nr = npairs * dim, nd = npairs * 5;
  GV_ALLOC(p->r, nr);
  GV_ALLOC(p->dphi, nd);
  if (npairs) {
    memcpy(p->pi, pi, sizeof(long) * npairs);
    memcpy(p->pj, pj, sizeof(long) * npairs);
    memcpy(p->r, r, sizeof(double) * npairs * dim);
    memcpy(p->dphi, dphi, sizeof(double) * npairs * 5);
  }
  GV_TRY(gv_pairset_finish_(p));
  *ps = p;
  p = NULL;
cleanup:
  gv_pairset_destroy(&p);
  return status;
}

/* Pair vectors (per unit sign) for pair k and relative displacement u. */
static inline void pair_vectors(const gv_pairset *ps, long k, const double *u, double *vm,
                                double *vt, double *vq) {
  int dim = ps->dim;
  const double *r = ps->r + k * dim, *s = ps->psi + 4 * k;
  double q1 = 0, q2 = 0;
  for (int a = 0; a < dim; a++) {
    q1 += r[a] * u[a];
    q2 += u[a] * u[a];
  }
  for (int a = 0; a < dim; a++) {
    if (vm) vm[a] = s[1] * q1 * r[a] + s[0] * u[a];
    if (vt) vt[a] = s[2] * q1 * q1 * r[a] + s[1] * (q2 * r[a] + 2 * q1 * u[a]);
    if (vq) vq[a] = s[3] * q1 * q1 * q1 * r[a] + 3 * s[2] * (q1 * q2 * r[a] + q1 * q1 * u[a]) +
                    3 * s[1] * q2 * u[a];
  }
}

#define GV_RED_BLOCKS 256

int gv_anharmonic_contract(const gv_pairset *ps, const double *z, double *Mz, double *Tzz,
                           double *Qzzz, gv_anharm *out) {
  const int dim = ps->dim;
  const long n = ps->n, np = ps->npairs;
  if (Mz || Tzz || Qzzz) {
#pragma omp parallel for schedule(static)
    for (long i = 0; i < n; i++) {
      double am[GV_MAX_DIM] = {0}, at[GV_MAX_DIM] = {0}, aq[GV_MAX_DIM] = {0};
      for (long q = ps->inc_start[i]; q < ps->inc_start[i + 1]; q++) {
        long k = ps->inc[q];
        double sg = 1;
        if (k < 0) {
          k = ~k;
          sg = -1;
        }
        double u[GV_MAX_DIM], vm[GV_MAX_DIM], vt[GV_MAX_DIM], vq[GV_MAX_DIM];
        for (int a = 0; a < dim; a++) u[a] = z[ps->pi[k] * dim + a] - z[ps->pj[k] * dim + a];
        pair_vectors(ps, k, u, Mz ? vm : NULL, Tzz ? vt : NULL, Qzzz ? vq : NULL);
        for (int a = 0; a < dim; a++) {
          if (Mz) am[a] += sg * vm[a];
          if (Tzz) at[a] += sg * vt[a];
          if (Qzzz) aq[a] += sg * vq[a];
        }
      }
      for (int a = 0; a < dim; a++) {
        if (Mz) Mz[i * dim + a] = am[a];
        if (Tzz) Tzz[i * dim + a] = at[a];
        if (Qzzz) Qzzz[i * dim + a] = aq[a];
      }
    }
  }
  if (!out) return GV_OK;
  /* Scalars from the pair loop in fixed blocks (order independent of threads). */
  double part[GV_RED_BLOCKS][3];
  long bs = (np + GV_RED_BLOCKS - 1) / GV_RED_BLOCKS;
  if (bs < 1) bs = 1;
#pragma omp parallel for schedule(dynamic, 4)
  for (int b = 0; b < GV_RED_BLOCKS; b++) {
    double s2 = 0, s3 = 0, s4 = 0;
    long k0 = (long)b * bs, k1 = k0 + bs < np ? k0 + bs : np;
    for (long k = k0; k < k1; k++) {
      const double *r = ps->r + k * dim, *s = ps->psi + 4 * k;
      double q1 = 0, q2 = 0;
      for (int a = 0; a < dim; a++) {
        double u = z[ps->pi[k] * dim + a] - z[ps->pj[k] * dim + a];
        q1 += r[a] * u;
        q2 += u * u;
      }
      double q11 = q1 * q1;
      s2 += s[1] * q11 + s[0] * q2;
      s3 += s[2] * q11 * q1 + 3 * s[1] * q1 * q2;
      s4 += s[3] * q11 * q11 + 6 * s[2] * q11 * q2 + 3 * s[1] * q2 * q2;
    }
    part[b][0] = s2;
    part[b][1] = s3;
    part[b][2] = s4;
  }
  out->kappa = out->tau = out->chi = 0;
  for (int b = 0; b < GV_RED_BLOCKS; b++) {
    out->kappa += part[b][0];
    out->tau += part[b][1];
    out->chi += part[b][2];
  }
  if (!isfinite(out->kappa) || !isfinite(out->tau) || !isfinite(out->chi))
    return GV_ERROR(GV_ENUMERIC, "anharmonic contraction is not finite");
  return GV_OK;
}

void gv_qlm_remove_translations(double *z, long n, int dim) {
  for (int a = 0; a < dim; a++) {
    double m = 0;
    for (long i = 0; i < n; i++) m += z[i * dim + a];
    m /= (double)n;
    for (long i = 0; i < n; i++) z[i * dim + a] -= m;
  }
}

double gv_participation(const double *z, long n, int dim) {
  double s2 = 0, s4 = 0;
  for (long i = 0; i < n; i++) {
    double a = 0;
    for (int k = 0; k < dim; k++) a += z[i * dim + k] * z[i * dim + k];
    s2 += a;
    s4 += a * a;
  }
  if (!(s4 > 0)) return 0;
  /* e = 1 / (N sum |psi_i|^4) with |psi| = 1 */
  return s2 * s2 / ((double)n * s4);
}
