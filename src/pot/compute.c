/* Energy, forces, virial and pressure of a configuration.
 *
 *   U = sum_{i<j} phi_ij(r_ij),   F_i = -dU/dx_i = sum_j f_ij,
 *   f_ij = -phi'_ij(r) r_ij / r  (force on i due to j, r_ij = x_i - x_j),
 *   W_ab = sum_{i<j} r_ij,a f_ij,b,   p = tr W / (d V)  (athermal pressure).
 * Reference: Allen & Tildesley, Computer Simulation of Liquids, 2nd ed., ch. 2.
 *
 * Determinism: stage 1 runs over fixed blocks of particles i; each pair (i,j>i)
 * of the half list stores its force vector f_ij in the list's pair buffer and
 * adds it to F_i in list order. Stage 2 runs over particles j and subtracts
 * the stored f_ij of the pairs where j is the second partner, in ascending pair
 * order (the transposed index built with the list). Energy and virial are summed
 * per block and the block sums added in block order. No result depends on how
 * the blocks are distributed over threads.
 *
 * Hot path: for the polynomial tapers every term is an even power of x, so no
 * square root is needed: phi'(r)/r = eps/lambda^2 * f'(x)/x evaluated in x^2. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom_internal.h"
#include "glassvib/pot.h"

#define BLOCK 512

/* f(x) and f'(x)/x from u = x^2 for the polynomial tapers. */
static inline void shape_poly_u(const gv_model *m, double u, double *f, double *fp_over_x) {
  double iu = 1.0 / u;
  double g, gp;
  if (m->kind == GV_MODEL_KABLJ) {
    double i6 = iu * iu * iu, i12 = i6 * i6;
    g = 4.0 * (i12 - i6);
    gp = (-48.0 * i12 + 24.0 * i6) * iu;
  } else if (m->n_exp == 10) {
    double i2 = iu * iu, i10 = i2 * i2 * iu;
    g = i10;
    gp = -10.0 * i10 * iu;
  } else if (m->n_exp == 12) {
    double i3 = iu * iu * iu, i12 = i3 * i3;
    g = i12;
    gp = -12.0 * i12 * iu;
  } else {
    g = pow(u, -0.5 * m->n_exp);
    gp = -m->n_exp * g * iu;
  }
  /* taper: sum c_l u^l and its derivative (sum 2 l c_l u^(l-1)) */
  const int q = m->smoothing;
  double t = m->c[q], tp = 0;
  for (int l = q - 1; l >= 0; l--) {
    tp = tp * u + t;  /* derivative of Horner in u */
    t = t * u + m->c[l];
  }
  *f = g + t;
  *fp_over_x = gp + 2.0 * tp;
}

/* Round to nearest without a libm call (rint is not inlined without SSE4.1);
 * ties go away from zero, which only matters at exactly half a box length. */
static inline double round_fast(double x) { return (double)(long long)(x + copysign(0.5, x)); }

/* Pair scales without a function call: 1/lambda^2 and eps of pair (i, j). */
typedef struct {
  int poly;
  double nonadd, eps0, xc2;
  double il2[2][2], eps[2][2];
} pair_tab;

static void pair_tab_init(pair_tab *t, const gv_model *m) {
  t->poly = gv_model_is_polydisperse(m);
  t->nonadd = m->nonadd;
  t->eps0 = m->eps[0][0];
  t->xc2 = m->x_c * m->x_c;
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      t->il2[a][b] = m->lambda[a][b] > 0 ? 1.0 / (m->lambda[a][b] * m->lambda[a][b]) : 0;
      t->eps[a][b] = m->eps[a][b];
    }
}

/* phi and phi'(r)/r of a pair at squared distance r2; 0 if beyond the cutoff. */
static inline int pair_eval(const gv_model *m, const pair_tab *t, const gv_system *s, long i, long j, double r2,
                            double *e, double *dphi_over_r) {
  double eps, il2;
  if (t->poly) {
    double li = s->size[i], lj = s->size[j];
    double lam = 0.5 * (li + lj) * (1.0 - t->nonadd * fabs(li - lj));
    il2 = 1.0 / (lam * lam);
    eps = t->eps0;
  } else {
    int a = s->type[i], b = s->type[j];
    il2 = t->il2[a][b];
    eps = t->eps[a][b];
  }
  double u = r2 * il2;
  if (u >= t->xc2) return 0;
  if (m->smoothing != GV_SMOOTH_CINF) {
    double f, fpx;
    shape_poly_u(m, u, &f, &fpx);
    *e = eps * f;
    *dphi_over_r = eps * il2 * fpx;
  } else {
    double d[2], x = sqrt(u);
    gv_model_shape(m, x, 1, d);
    *e = eps * d[0];
    *dphi_over_r = eps * il2 * d[1] / x;
  }
  return 1;
}

/* Stage 1 for one block of particles, specialised on the dimension D (a
 * compile-time constant after inlining, so the small loops unroll). */
static inline __attribute__((always_inline)) void block_kernel(
    const int D, const gv_model *m, const pair_tab *tab, const gv_system *s, const gv_neighbors *nl,
    const double *Lb, const double *iLb, double *pb, double *forces, long i0, long i1, double *bsum) {
  const gv_box *box = &s->box;
  double e_b = 0, w_b[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (long i = i0; i < i1; i++) {
    const double *xi = s->x + (size_t)i * D;
    double fi[GV_MAX_DIM] = {0};
    for (long k = nl->start[i]; k < nl->start[i + 1]; k++) {
      long j = nl->j[k];
      const double *xj = s->x + (size_t)j * D;
      double dr[GV_MAX_DIM], r2 = 0;
      for (int a = 0; a < D; a++) dr[a] = xi[a] - xj[a];
      if (box->orthogonal) {
        for (int a = 0; a < D; a++) dr[a] -= Lb[a] * round_fast(dr[a] * iLb[a]);
      } else {
        gv_box_minimum_image(box, dr);
      }
      for (int a = 0; a < D; a++) r2 += dr[a] * dr[a];
      double e, dpr;
      double *fk = pb ? pb + (size_t)k * D : NULL;
      if (!pair_eval(m, tab, s, i, j, r2, &e, &dpr)) {
        if (fk)
          for (int a = 0; a < D; a++) fk[a] = 0;
        continue;
      }
      e_b += e;
      double f[GV_MAX_DIM];
      for (int a = 0; a < D; a++) {
        f[a] = -dpr * dr[a];
        fi[a] += f[a];
      }
      if (fk)
        for (int a = 0; a < D; a++) fk[a] = f[a];
      for (int a = 0; a < D; a++)
        for (int c = a; c < D; c++) w_b[a][c] += dr[a] * f[c]; /* symmetric: upper triangle */
    }
    if (forces)
      for (int a = 0; a < D; a++) forces[(size_t)i * D + a] = fi[a];
  }
  bsum[0] = e_b;
  for (int a = 0; a < D; a++)
    for (int c = 0; c < D; c++) bsum[1 + a * D + c] = c >= a ? w_b[a][c] : w_b[c][a];
}

int gv_model_neighbors_create(const gv_model *m, const gv_system *s, double skin, gv_neighbors **nl) {
  return gv_neighbors_create(nl, s, gv_model_cutoff_fn, m, gv_model_max_cutoff(m, s), skin);
}

int gv_compute(const gv_model *m, const gv_system *s, gv_neighbors *nl, double *forces, gv_eval *out) {
  int status = GV_OK;
  gv_neighbors *own = NULL;
  double *bsum = NULL;
  if (!nl) {
    GV_TRY(gv_model_check_system(m, s));
    GV_TRY(gv_model_neighbors_create(m, s, 0.0, &own));
    nl = own;
  } else {
    GV_TRY(gv_neighbors_update(nl, s));
  }
  gv_nl_priv *p = nl->priv;
  const int d = s->dim;
  const long n = s->n;
  const long nblock = (n + BLOCK - 1) / BLOCK;
  const int nw = 1 + d * d; /* energy + virial per block */
  if (p->blocksum_cap < (size_t)nblock * nw) {
    free(p->blocksum);
    p->blocksum_cap = 0;
    p->blocksum = malloc((size_t)nblock * nw * sizeof *p->blocksum);
    if (!p->blocksum) { status = GV_ERROR(GV_ENOMEM, "out of memory"); goto cleanup; }
    p->blocksum_cap = (size_t)nblock * nw;
  }
  bsum = p->blocksum;
  double *pb = p->pairbuf;
  const gv_box *box = &s->box;
  const int want_f = forces != NULL;
  pair_tab tab;
  pair_tab_init(&tab, m);
  double Lb[GV_MAX_DIM], iLb[GV_MAX_DIM];
  for (int a = 0; a < d; a++) {
    Lb[a] = box->h[a][a];
    iLb[a] = box->hinv[a][a];
  }

#pragma omp parallel if (n >= GV_OMP_MIN_N)
  {
#pragma omp for schedule(dynamic, 1)
    for (long b = 0; b < nblock; b++) {
      long i0 = b * BLOCK, i1 = (b + 1) * BLOCK < n ? (b + 1) * BLOCK : n;
      double *pbuf = want_f ? pb : NULL;
      switch (d) {
      case 2: block_kernel(2, m, &tab, s, nl, Lb, iLb, pbuf, forces, i0, i1, bsum + b * nw); break;
      case 3: block_kernel(3, m, &tab, s, nl, Lb, iLb, pbuf, forces, i0, i1, bsum + b * nw); break;
      default: block_kernel(4, m, &tab, s, nl, Lb, iLb, pbuf, forces, i0, i1, bsum + b * nw); break;
      }
    }
    if (want_f) {
#pragma omp for schedule(static)
      for (long j = 0; j < n; j++) {
        double fj[GV_MAX_DIM];
        for (int a = 0; a < d; a++) fj[a] = forces[(size_t)j * d + a];
        for (long t = p->tstart[j]; t < p->tstart[j + 1]; t++) {
          const double *fk = pb + (size_t)p->tpair[t] * d;
          for (int a = 0; a < d; a++) fj[a] -= fk[a];
        }
        for (int a = 0; a < d; a++) forces[(size_t)j * d + a] = fj[a];
      }
    }
  }

  memset(out, 0, sizeof *out);
  double W[GV_MAX_DIM * GV_MAX_DIM] = {0};
  for (long b = 0; b < nblock; b++) {
    out->energy += bsum[b * nw];
    for (int a = 0; a < d * d; a++) W[a] += bsum[b * nw + 1 + a];
  }
  double tr = 0;
  for (int a = 0; a < d; a++) {
    for (int c = 0; c < d; c++) out->virial[a][c] = 0.5 * (W[a * d + c] + W[c * d + a]);
    tr += W[a * d + a];
  }
  out->pressure = tr / (d * gv_box_volume(box));
  out->max_force = 0;
  if (want_f) {
    double mf = 0;
    const size_t nd = (size_t)n * d;
#pragma omp parallel for reduction(max : mf) schedule(static) if (nd >= 4 * GV_OMP_MIN_N)
    for (size_t k = 0; k < nd; k++) {
      double f = fabs(forces[k]);
      if (f > mf || f != f) mf = f != f ? INFINITY : f;
    }
    out->max_force = mf;
  }
  if (!isfinite(out->energy) || !isfinite(out->pressure) || !isfinite(out->max_force))
    status = GV_ERROR(GV_ENUMERIC, "energy or forces are not finite (overlapping particles?)");
cleanup:
  gv_neighbors_destroy(&own);
  return status;
}
