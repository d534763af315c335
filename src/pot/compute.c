/* Energy, forces, virial and pressure of a configuration.
 *
 *   U = sum_{i<j} phi_ij(r_ij),   F_i = -dU/dx_i = sum_j f_ij,
 *   f_ij = -phi'_ij(r) r_ij / r  (force on i due to j, r_ij = x_i - x_j),
 *   W_ab = sum_{i<j} r_ij,a f_ij,b,   p = tr W / (d V)  (athermal pressure).
 * Reference: Allen & Tildesley, Computer Simulation of Liquids, 2nd ed., ch. 2.
 *
 * Layout: the neighbour list keeps the particles renumbered in cell order
 * (geom/neighbors.c), so positions are gathered into that order, each pair is
 * evaluated once (Newton's third law: f_ij added to i, subtracted from j) and
 * the forces scattered back. The periodic image of every pair is fixed at the
 * list build, so the kernel needs no minimum-image rounding.
 *
 * Threads without atomics, deterministically: the sorted particles are cut
 * into K chunks of at least W particles, W the largest ring distance
 * b - a mod n of a pair (a, b) in the row of a. A row of chunk c then only
 * writes forces of chunks c and c+1 (mod K), so with K even the even chunks
 * can run concurrently, then the odd ones. K depends only on n and the list,
 * so every force is summed in the same order for any number of threads; the
 * energy and virial are summed per chunk and the chunk sums added in order.
 *
 * Hot path: for the polynomial tapers every term is a power of u = x^2, so no
 * square root is needed: phi'(r)/r = eps/lambda^2 * f'(x)/x evaluated in u.
 * Pairs of the list beyond their cutoff (the skin) are masked, not branched
 * over (about half the pairs: a branch would be mispredicted). The kernel is
 * compiled twice (GCC target_clones): AVX2+FMA, picked at run time where the CPU
 * has it, and baseline x86-64. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "geom/geom_internal.h"
#include "glassvib/pot.h"

enum { SHAPE_N10, SHAPE_N12, SHAPE_LJ, SHAPE_POW, SHAPE_CINF };

/* The untapered core as a function of u = x^2 given iu = 1/u: g(u) and
 * 2 dg/du (= g'(x)/x). SHAPE is a compile-time constant after inlining. */
static inline __attribute__((always_inline)) double core_u(const int SHAPE, double n_exp, double u,
                                                           double iu, double *gp) {
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

/* Everything the kernel needs per pair, gathered once per call. The polynomial
 * taper is always evaluated as a degree-4 polynomial in u (unused coefficients
 * are zero), so its order costs nothing at run time. */
typedef struct {
  double nonadd, eps0, xc2, n_exp;
  double il2[4], eps[4], epsil2[4]; /* by species pair 2 a + b */
  double c[5], dc[4];               /* taper and 2 d/du of it */
} pair_tab;

static void pair_tab_init(pair_tab *t, const gv_model *m) {
  t->nonadd = m->nonadd;
  t->eps0 = m->eps[0][0];
  t->xc2 = m->x_c * m->x_c;
  t->n_exp = m->n_exp;
  for (int l = 0; l < 5; l++) t->c[l] = m->smoothing == GV_SMOOTH_CINF ? 0.0 : m->c[l];
  for (int l = 0; l < 4; l++) t->dc[l] = 2.0 * (l + 1) * t->c[l + 1];
  for (int a = 0; a < 2; a++)
    for (int b = 0; b < 2; b++) {
      t->il2[2 * a + b] = m->lambda[a][b] > 0 ? 1.0 / (m->lambda[a][b] * m->lambda[a][b]) : 0;
      t->eps[2 * a + b] = m->eps[a][b];
      t->epsil2[2 * a + b] = t->eps[2 * a + b] * t->il2[2 * a + b];
    }
}

static int shape_of(const gv_model *m) {
  if (m->smoothing == GV_SMOOTH_CINF) return SHAPE_CINF;
  if (m->kind == GV_MODEL_KABLJ) return SHAPE_LJ;
  if (m->n_exp == 10) return SHAPE_N10;
  if (m->n_exp == 12) return SHAPE_N12;
  return SHAPE_POW;
}

/* Rows of sorted particles [a0, a1): forces into p->fs, energy and virial
 * (upper triangle) into bsum. D, SHAPE and POLY are compile-time constants. */
static inline __attribute__((always_inline)) void chunk_kernel(const int D, const int SHAPE,
                                                               const int POLY, const int VIR,
                                                               const gv_model *m,
                                                               const pair_tab *t, const gv_nl_priv *p,
                                                               long a0, long a1, double *bsum) {
  const double *xs = p->xs, *ls = p->ls;
  const int *ts = p->ts;
  double *fs = p->fs;
  const long *sstart = p->sstart;
  const uint32_t *spair = p->spair;
  const double xc2 = t->xc2;
  double e_b = 0, w_b[GV_MAX_DIM][GV_MAX_DIM] = {{0}};
  for (long a = a0; a < a1; a++) {
    double xa[GV_MAX_DIM], fa[GV_MAX_DIM] = {0};
    for (int c = 0; c < D; c++) xa[c] = xs[(size_t)a * D + c];
    const double la = POLY ? ls[a] : 0;
    const int ta2 = POLY ? 0 : 2 * ts[a];
    for (long k = sstart[a]; k < sstart[a + 1]; k++) {
      const uint32_t v = spair[k];
      const long b = (long)(v & GV_NL_IDX_MASK);
      const double *xb = xs + (size_t)b * D, *sh = p->shift[v >> GV_NL_IDX_BITS];
      double dr[GV_MAX_DIM], r2 = 0;
      for (int c = 0; c < D; c++) {
        dr[c] = xa[c] - xb[c] - sh[c];
        r2 += dr[c] * dr[c];
      }
      double u, iu, eps, epsil2;
      if (POLY) {
        double lb = ls[b];
        double lam = 0.5 * (la + lb) * (1.0 - t->nonadd * fabs(la - lb)), lam2 = lam * lam;
        double q = 1.0 / (r2 * lam2), il2 = r2 * q;
        u = r2 * il2;
        iu = lam2 * lam2 * q;
        eps = t->eps0;
        epsil2 = eps * il2;
      } else {
        int tp = ta2 + ts[b];
        u = r2 * t->il2[tp];
        iu = 1.0 / u;
        eps = t->eps[tp];
        epsil2 = t->epsil2[tp];
      }
      double f, fpx;
      if (SHAPE == SHAPE_CINF) {
        if (!(u < xc2)) continue;
        double d[2], x = sqrt(u);
        gv_model_shape(m, x, 1, d);
        f = d[0];
        fpx = d[1] / x;
      } else {
        double gp, g = core_u(SHAPE, t->n_exp, u, iu, &gp);
        const double *c = t->c, *dc = t->dc;
        double tap = (((c[4] * u + c[3]) * u + c[2]) * u + c[1]) * u + c[0];
        double dtap = ((dc[3] * u + dc[2]) * u + dc[1]) * u + dc[0];
        f = g + tap;
        fpx = gp + dtap;
      }
      /* mask as a number: GCC turns a ?: here into an unpredictable branch */
      const double in = (double)(u < xc2);
      const double e = in * (eps * f);
      const double coef = in * (-epsil2 * fpx);
      e_b += e;
      for (int c = 0; c < D; c++) {
        double fc = coef * dr[c];
        fa[c] += fc;
        fs[(size_t)b * D + c] -= fc;
        if (VIR)
          for (int c2 = c; c2 < D; c2++) w_b[c][c2] += fc * dr[c2]; /* symmetric: upper triangle */
      }
    }
    for (int c = 0; c < D; c++) fs[(size_t)a * D + c] += fa[c];
  }
  bsum[0] = e_b;
  for (int c = 0; c < D; c++)
    for (int c2 = 0; c2 < D; c2++) bsum[1 + c * D + c2] = c2 >= c ? w_b[c][c2] : w_b[c2][c];
}

/* One instantiation per (dimension, shape, binary/polydisperse, virial or not:
 * the virial costs ~25 % of the kernel). */
#define GV_KERNEL_ARGS m, t, p, a0, a1, bsum
#define GV_KERNEL_SHAPES(D, POLY)                                                            \
  if (vir) {                                                                                 \
    switch (shape) {                                                                         \
    case SHAPE_N10: chunk_kernel(D, SHAPE_N10, POLY, 1, GV_KERNEL_ARGS); break;              \
    case SHAPE_N12: chunk_kernel(D, SHAPE_N12, POLY, 1, GV_KERNEL_ARGS); break;              \
    case SHAPE_LJ: chunk_kernel(D, SHAPE_LJ, POLY, 1, GV_KERNEL_ARGS); break;                \
    case SHAPE_POW: chunk_kernel(D, SHAPE_POW, POLY, 1, GV_KERNEL_ARGS); break;              \
    default: chunk_kernel(D, SHAPE_CINF, POLY, 1, GV_KERNEL_ARGS); break;                    \
    }                                                                                        \
  } else {                                                                                   \
    switch (shape) {                                                                         \
    case SHAPE_N10: chunk_kernel(D, SHAPE_N10, POLY, 0, GV_KERNEL_ARGS); break;              \
    case SHAPE_N12: chunk_kernel(D, SHAPE_N12, POLY, 0, GV_KERNEL_ARGS); break;              \
    case SHAPE_LJ: chunk_kernel(D, SHAPE_LJ, POLY, 0, GV_KERNEL_ARGS); break;                \
    case SHAPE_POW: chunk_kernel(D, SHAPE_POW, POLY, 0, GV_KERNEL_ARGS); break;              \
    default: chunk_kernel(D, SHAPE_CINF, POLY, 0, GV_KERNEL_ARGS); break;                    \
    }                                                                                        \
  }
#define GV_KERNEL_DIMS(POLY)                                                                 \
  switch (d) {                                                                               \
  case 2: GV_KERNEL_SHAPES(2, POLY); break;                                                  \
  case 3: GV_KERNEL_SHAPES(3, POLY); break;                                                  \
  default: GV_KERNEL_SHAPES(4, POLY); break;                                                 \
  }
/* SLP vectorisation of the per-pair scalars costs a store-forwarding stall per
 * pair (measured: ~40 % of the kernel), so it is off for the kernels. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && defined(__GLIBC__) && __GNUC__ >= 11
#define GV_KERNEL_CLONES __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define GV_KERNEL_CLONES
#endif
__attribute__((optimize("no-tree-vectorize", "no-tree-slp-vectorize"))) GV_KERNEL_CLONES static void run_chunk(
    int d, int shape, int poly, int vir, const gv_model *m, const pair_tab *t, const gv_nl_priv *p, long a0,
    long a1, double *bsum) {
  if (poly) {
    GV_KERNEL_DIMS(1);
  } else {
    GV_KERNEL_DIMS(0);
  }
}
#undef GV_KERNEL_DIMS
#undef GV_KERNEL_SHAPES
#undef GV_KERNEL_ARGS

int gv_model_neighbors_create(const gv_model *m, const gv_system *s, double skin, gv_neighbors **nl) {
  return gv_neighbors_create(nl, s, gv_model_cutoff_fn, m, gv_model_max_cutoff(m, s), skin);
}

/* Scratch of the sorted evaluation, kept in the list between calls. */
static int ensure_scratch(gv_nl_priv *p, long n, int d, int poly, size_t nsum) {
  if (!p->xs) {
    p->xs = malloc((size_t)n * d * sizeof *p->xs);
    p->fs = malloc((size_t)n * d * sizeof *p->fs);
    if (!p->xs || !p->fs) return GV_ERROR(GV_ENOMEM, "out of memory for %ld particles", n);
  }
  if (poly && !p->ls && !(p->ls = malloc((size_t)n * sizeof *p->ls)))
    return GV_ERROR(GV_ENOMEM, "out of memory for %ld particles", n);
  if (!poly && !p->ts && !(p->ts = malloc((size_t)n * sizeof *p->ts)))
    return GV_ERROR(GV_ENOMEM, "out of memory for %ld particles", n);
  if (p->blocksum_cap < nsum) {
    free(p->blocksum);
    p->blocksum_cap = 0;
    if (!(p->blocksum = malloc(nsum * sizeof *p->blocksum))) return GV_ERROR(GV_ENOMEM, "out of memory");
    p->blocksum_cap = nsum;
  }
  return GV_OK;
}

static int compute(const gv_model *m, const gv_system *s, gv_neighbors *nl, double *forces, gv_eval *out,
                   int vir) {
  int status = GV_OK;
  gv_neighbors *own = NULL;
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
  const int poly = gv_model_is_polydisperse(m);
  /* K chunks of >= window particles, K even (or 1). */
  long K = p->window > 0 ? n / p->window : n;
  if (K > n / 64) K = n / 64; /* chunks of at least 64 particles: less overhead */
  if (K > 1 && K % 2) K--;
  if (K < 1) K = 1;
  const int nw = 1 + d * d; /* energy + virial per chunk */
  GV_TRY(ensure_scratch(p, n, d, poly, (size_t)K * nw));
  double *bsum = p->blocksum;
  pair_tab tab;
  pair_tab_init(&tab, m);
  const int shape = shape_of(m);
  const long *perm = p->cell_part;
  const double *x = s->x;
  const int par = n >= GV_OMP_MIN_N;
  double mf = 0;

#pragma omp parallel if (par)
  {
#pragma omp for schedule(static)
    for (long k = 0; k < n; k++) {
      const double *xi = x + (size_t)perm[k] * d, *o = p->off + (size_t)k * d;
      for (int a = 0; a < d; a++) {
        p->xs[(size_t)k * d + a] = xi[a] + o[a];
        p->fs[(size_t)k * d + a] = 0;
      }
      if (poly) p->ls[k] = s->size[perm[k]];
      else p->ts[k] = s->type[perm[k]];
    }
    for (int phase = 0; phase < 2; phase++) {
#pragma omp for schedule(dynamic, 1)
      for (long c = phase; c < K; c += 2) {
        long a0 = (long)((long long)c * n / K), a1 = (long)((long long)(c + 1) * n / K);
        run_chunk(d, shape, poly, vir, m, &tab, p, a0, a1, bsum + c * nw);
      }
    }
    if (forces) {
#pragma omp for schedule(static) reduction(max : mf)
      for (long k = 0; k < n; k++) {
        double *fi = forces + (size_t)perm[k] * d;
        const double *fk = p->fs + (size_t)k * d;
        for (int a = 0; a < d; a++) {
          fi[a] = fk[a];
          double v = fabs(fk[a]);
          if (v > mf || v != v) mf = v != v ? INFINITY : v;
        }
      }
    }
  }

  memset(out, 0, sizeof *out);
  double W[GV_MAX_DIM * GV_MAX_DIM] = {0};
  for (long c = 0; c < K; c++) {
    out->energy += bsum[c * nw];
    for (int a = 0; a < d * d; a++) W[a] += bsum[c * nw + 1 + a];
  }
  double tr = 0;
  for (int a = 0; a < d; a++) {
    for (int c = 0; c < d; c++) out->virial[a][c] = 0.5 * (W[a * d + c] + W[c * d + a]);
    tr += W[a * d + a];
  }
  out->pressure = tr / (d * gv_box_volume(&s->box));
  out->max_force = forces ? mf : 0;
  if (!vir) {
    for (int a = 0; a < d; a++)
      for (int c = 0; c < d; c++) out->virial[a][c] = NAN;
    out->pressure = NAN;
  }
  if (!isfinite(out->energy) || (vir && !isfinite(out->pressure)) || !isfinite(out->max_force))
    status = GV_ERROR(GV_ENUMERIC, "energy or forces are not finite (overlapping particles?)");
cleanup:
  gv_neighbors_destroy(&own);
  return status;
}

int gv_compute(const gv_model *m, const gv_system *s, gv_neighbors *nl, double *forces, gv_eval *out) {
  return compute(m, s, nl, forces, out, 1);
}

int gv_compute_forces(const gv_model *m, const gv_system *s, gv_neighbors *nl, double *forces, gv_eval *out) {
  return compute(m, s, nl, forces, out, 0);
}
