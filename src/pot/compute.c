/* Energy, forces, virial and pressure of a configuration.
 *
 *   U = sum_{i<j} phi_ij(r_ij),   F_i = -dU/dx_i = sum_j f_ij,
 *   f_ij = -phi'_ij(r) r_ij / r  (force on i due to j, r_ij = x_i - x_j),
 *   W_ab = sum_{i<j} r_ij,a f_ij,b,   p = tr W / (d V)  (athermal pressure).
 * Reference: Allen & Tildesley, Computer Simulation of Liquids, 2nd ed., ch. 2.
 *
 * Determinism: stage 1 runs over fixed blocks of particles i; each pair (i,j>i)
 * of the half list adds f_ij to F_i in list order and stores it in the pair
 * buffer at the pair's slot of the transposed order (pairs grouped by their
 * second partner j, ascending pair index). Stage 2 runs over particles j and
 * subtracts their slots sequentially. Energy and virial are summed per block
 * and the block sums added in block order. No result depends on how the blocks
 * are distributed over threads.
 *
 * Hot path: for the polynomial tapers every term is an even power of x, so no
 * square root is needed: phi'(r)/r = eps/lambda^2 * f'(x)/x evaluated in x^2. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom_internal.h"
#include "glassvib/pot.h"

#define BLOCK 512

/* The untapered core as a function of u = x^2: g(u) and 2 dg/du (= g'(x)/x).
 * SHAPE is a compile-time constant after inlining, so each kernel below gets
 * its own straight-line code (integer powers, no pow, no branches). */
enum { SHAPE_N10, SHAPE_N12, SHAPE_LJ, SHAPE_POW, SHAPE_CINF };

static inline __attribute__((always_inline)) double core_u(const int SHAPE, double n_exp, double u,
                                                           double *gp) {
  double iu = 1.0 / u;
  if (SHAPE == SHAPE_N10) {
    double i2 = iu * iu, i10 = i2 * i2 * iu;
    *gp = -10.0 * i10 * iu;
    return i10;
  } else if (SHAPE == SHAPE_N12) {
    double i3 = iu * iu * iu, i12 = i3 * i3;
    *gp = -12.0 * i12 * iu;
    return i12;
  } else if (SHAPE == SHAPE_LJ) {
    double i6 = iu * iu * iu, i12 = i6 * i6;
    *gp = (-48.0 * i12 + 24.0 * i6) * iu;
    return 4.0 * (i12 - i6);
  } else {
    double g = pow(u, -0.5 * n_exp);
    *gp = -n_exp * g * iu;
    return g;
  }
}

/* Round to nearest without a libm call (rint is not inlined without SSE4.1);
 * ties go away from zero, which only matters at exactly half a box length. */
static inline double round_fast(double x) { return (double)(long long)(x + copysign(0.5, x)); }

/* Everything the kernel needs per pair, gathered once per call. The polynomial
 * taper is always evaluated as a degree-4 polynomial in u (unused coefficients
 * are zero), so its order costs nothing at run time. */
typedef struct {
  int poly;
  double nonadd, eps0, xc2, n_exp;
  double il2[2][2], eps[2][2];
  double c[5];
} pair_tab;

static void pair_tab_init(pair_tab *t, const gv_model *m) {
  t->poly = gv_model_is_polydisperse(m);
  t->nonadd = m->nonadd;
  t->eps0 = m->eps[0][0];
  t->xc2 = m->x_c * m->x_c;
  t->n_exp = m->n_exp;
  for (int l = 0; l < 5; l++) t->c[l] = m->smoothing == GV_SMOOTH_CINF ? 0.0 : m->c[l];
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      t->il2[a][b] = m->lambda[a][b] > 0 ? 1.0 / (m->lambda[a][b] * m->lambda[a][b]) : 0;
      t->eps[a][b] = m->eps[a][b];
    }
}

static int shape_of(const gv_model *m) {
  if (m->smoothing == GV_SMOOTH_CINF) return SHAPE_CINF;
  if (m->kind == GV_MODEL_KABLJ) return SHAPE_LJ;
  if (m->n_exp == 10) return SHAPE_N10;
  if (m->n_exp == 12) return SHAPE_N12;
  return SHAPE_POW;
}

/* phi and phi'(r)/r of a pair at squared distance r2; 0 if beyond the cutoff. */
static inline __attribute__((always_inline)) int pair_eval(const int SHAPE, const gv_model *m,
                                                           const pair_tab *t, const gv_system *s,
                                                           long i, long j, double r2, double *e,
                                                           double *dphi_over_r) {
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
  double f, fpx;
  if (SHAPE == SHAPE_CINF) {
    double d[2], x = sqrt(u);
    gv_model_shape(m, x, 1, d);
    f = d[0];
    fpx = d[1] / x;
  } else {
    double gp, g = core_u(SHAPE, t->n_exp, u, &gp);
    const double *c = t->c;
    double tap = (((c[4] * u + c[3]) * u + c[2]) * u + c[1]) * u + c[0];
    double dtap = ((4.0 * c[4] * u + 3.0 * c[3]) * u + 2.0 * c[2]) * u + c[1];
    f = g + tap;
    fpx = gp + 2.0 * dtap;
  }
  *e = eps * f;
  *dphi_over_r = eps * il2 * fpx;
  return 1;
}

/* Stage 1 for one block of particles, specialised on the dimension D and the
 * shape (compile-time constants after inlining, so the small loops unroll). */
static inline __attribute__((always_inline)) void block_kernel(
    const int D, const int SHAPE, const gv_model *m, const pair_tab *tab, const gv_system *s,
    const gv_neighbors *nl, const double *Lb, const double *iLb, double *pb, double *forces,
    long i0, long i1, double *bsum) {
  const gv_box *box = &s->box;
  const int ortho = box->orthogonal;
  const long *nl_tpos = ((const gv_nl_priv *)nl->priv)->tpos;
  double e_b = 0, w_b[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (long i = i0; i < i1; i++) {
    const double *xi = s->x + (size_t)i * D;
    double fi[GV_MAX_DIM] = {0};
    for (long k = nl->start[i]; k < nl->start[i + 1]; k++) {
      long j = nl->j[k];
      const double *xj = s->x + (size_t)j * D;
      double dr[GV_MAX_DIM], r2 = 0;
      for (int a = 0; a < D; a++) dr[a] = xi[a] - xj[a];
      if (ortho) {
        for (int a = 0; a < D; a++) dr[a] -= Lb[a] * round_fast(dr[a] * iLb[a]);
      } else {
        gv_box_minimum_image(box, dr);
      }
      for (int a = 0; a < D; a++) r2 += dr[a] * dr[a];
      double e, dpr;
      double *fk = pb ? pb + (size_t)nl_tpos[k] * D : NULL;
      if (!pair_eval(SHAPE, m, tab, s, i, j, r2, &e, &dpr)) {
        if (fk)
          for (int a = 0; a < D; a++) fk[a] = 0;
        continue;
      }
      e_b += e;
      for (int a = 0; a < D; a++) {
        double fa = -dpr * dr[a];
        fi[a] += fa;
        if (fk) fk[a] = fa;
        for (int c = a; c < D; c++) w_b[a][c] += fa * dr[c]; /* symmetric: upper triangle */
      }
    }
    if (forces)
      for (int a = 0; a < D; a++) forces[(size_t)i * D + a] = fi[a];
  }
  bsum[0] = e_b;
  for (int a = 0; a < D; a++)
    for (int c = 0; c < D; c++) bsum[1 + a * D + c] = c >= a ? w_b[a][c] : w_b[c][a];
}

/* One instantiation per (dimension, shape). */
#define GV_KERNEL_ARGS m, tab, s, nl, Lb, iLb, pb, forces, i0, i1, bsum
#define GV_KERNEL_SHAPES(D)                                                                  \
  switch (shape) {                                                                           \
  case SHAPE_N10: block_kernel(D, SHAPE_N10, GV_KERNEL_ARGS); break;                         \
  case SHAPE_N12: block_kernel(D, SHAPE_N12, GV_KERNEL_ARGS); break;                         \
  case SHAPE_LJ: block_kernel(D, SHAPE_LJ, GV_KERNEL_ARGS); break;                           \
  case SHAPE_POW: block_kernel(D, SHAPE_POW, GV_KERNEL_ARGS); break;                         \
  default: block_kernel(D, SHAPE_CINF, GV_KERNEL_ARGS); break;                               \
  }
/* SLP vectorisation of the per-pair scalars costs a store-forwarding stall per
 * pair (measured: ~40 % of the kernel), so it is off for the kernels. */
__attribute__((optimize("no-tree-vectorize", "no-tree-slp-vectorize"))) static void run_block(int d, int shape, const gv_model *m, const pair_tab *tab, const gv_system *s,
                      const gv_neighbors *nl, const double *Lb, const double *iLb, double *pb,
                      double *forces, long i0, long i1, double *bsum) {
  switch (d) {
  case 2: GV_KERNEL_SHAPES(2); break;
  case 3: GV_KERNEL_SHAPES(3); break;
  default: GV_KERNEL_SHAPES(4); break;
  }
}
#undef GV_KERNEL_SHAPES
#undef GV_KERNEL_ARGS

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
  const int shape = shape_of(m);
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
      run_block(d, shape, m, &tab, s, nl, Lb, iLb, pbuf, forces, i0, i1, bsum + b * nw);
    }
    if (want_f) {
#pragma omp for schedule(static)
      for (long j = 0; j < n; j++) {
        double fj[GV_MAX_DIM];
        for (int a = 0; a < d; a++) fj[a] = forces[(size_t)j * d + a];
        for (long t = p->tstart[j]; t < p->tstart[j + 1]; t++) {
          const double *fk = pb + (size_t)t * d;
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
