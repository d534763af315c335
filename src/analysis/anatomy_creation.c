/* Soft-mode creation energy E_s and inside displacement Delta A (U. Buchenau,
 * seed 002, Sec. II F and Table I):
 *   the outer atoms (r > r_c from the mode centre; seed: r_c = 2.6 a0) are held
 *   at x_i + A e_i (A the normal coordinate), the core atoms relax freely to
 *   the minimum of the core (packing) energy E_core = sum of phi over the pairs
 *   with at least one core atom (the Eq. 2 energy):
 *       E_p(A) = min_y E_core(A, y),   y = core displacements;
 *   with the linear term removed (the seed: "the accurate determination of the
 *   two minimal energies in both directions requires the subtraction of the
 *   linear potential term"),
 *       F(A) = E_p(A) - E_p(0) - D1 A,   D1 = dE_core/dA at A = 0, y = 0,
 *   and in each direction (A > 0, A < 0) the creation energy of the frozen
 *   saddle point is E_s = -min F, reached at the outer displacement A_out; the
 *   inside mode displacement there is
 *       Delta A = sum_core y_i.e_i / sum_core e_i^2
 *   (the seed finds A_out ~ 1.5 x the minima of the rigid Eq. 2 core energy and
 *   Delta A ~ 2/3 A_out: ~80 % of the inside motion is a backward motion along
 *   the mode, reported as back_frac). Table I's E_s and Delta A are reported as
 *   the mean over the directions where a minimum exists.
 * D1 is the derivative at the reference (where the core is in equilibrium, so
 * E_p'(0) = dE_core/dA at y = 0): a central difference, step 1e-5.
 * Relaxations: L-BFGS (memory 10, Armijo backtracking, stops at max |force| <= gtol
 * or when the energy stops decreasing above round-off) from two starts, the
 * rigid one y = A e_core and the continuation of the previous A, the lower
 * minimum kept (the "minimum packing energy"). Grid A = k astep, |A| <= amax;
 * the minimum is refined by a parabola through the three lowest grid points.
 * Units: E0 = eps, A = m^1/2 lambda (unit masses). 3D (any dim in the generic scan). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/qlm.h"

void gv_creation_opts_default(gv_creation_opts *o) {
  o->rc = 2.6;
  o->amax = 3.0;
  o->astep = 0.05;
  o->gtol = 1e-6; /* forces; the energy round-off floor of a ~100-pair core sum is ~1e-6 */
  o->max_iter = 20000;
}

void gv_creation_free(gv_creation *c) {
  if (!c) return;
  free(c->A);
  free(c->E);
  free(c->E_rigid);
  free(c->Ain);
  free(c->back);
  c->A = c->E = c->E_rigid = c->Ain = c->back = NULL;
}

/* ------------------------------------------------------------ L-BFGS */
#define LBFGS_M 10
typedef struct {
  long n;
  double *s, *y, *rho, *al; /* history [LBFGS_M*n], [LBFGS_M] */
  double *g, *d, *xt, *gt;  /* [n] */
} lbfgs_ws;

static int lbfgs_ws_init(lbfgs_ws *w, long n) {
  int status = GV_OK;
  memset(w, 0, sizeof *w);
  w->n = n;
  long nn = n > 0 ? n : 1, mn = LBFGS_M * nn;
  GV_ALLOC(w->s, mn);
  GV_ALLOC(w->y, mn);
  GV_ALLOC(w->rho, LBFGS_M);
  GV_ALLOC(w->al, LBFGS_M);
  GV_ALLOC(w->g, nn);
  GV_ALLOC(w->d, nn);
  GV_ALLOC(w->xt, nn);
  GV_ALLOC(w->gt, nn);
cleanup:
  return status;
}
static void lbfgs_ws_free(lbfgs_ws *w) {
  free(w->s);
  free(w->y);
  free(w->rho);
  free(w->al);
  free(w->g);
  free(w->d);
  free(w->xt);
  free(w->gt);
}

static double maxabs(const double *v, long n) {
  double m = 0;
  for (long q = 0; q < n; q++)
    if (fabs(v[q]) > m) m = fabs(v[q]);
  return m;
}

/* Minimise fn(A, .) from y (overwritten). *E: the minimum. Returns GV_OK or
 * GV_NOT_CONVERGED (result usable), or an error of fn. */
static int lbfgs_min(gv_core_energy_fn fn, void *ctx, double A, double *y, double *E, double gtol,
                     long max_iter, lbfgs_ws *w) {
  long n = w->n;
  if (n == 0) return fn(ctx, A, y, E, NULL);
  double f;
  int st = fn(ctx, A, y, &f, w->g);
  if (st < 0) return st;
  long k = 0, head = 0, nhist = 0, stall = 0;
  for (; k < max_iter; k++) {
    if (maxabs(w->g, n) <= gtol) break;
    /* two-loop recursion: d = -H g */
    for (long q = 0; q < n; q++) w->d[q] = -w->g[q];
    for (long h = 0; h < nhist; h++) {
      long c = (head - 1 - h + LBFGS_M) % LBFGS_M;
      double a = 0;
      for (long q = 0; q < n; q++) a += w->s[c * n + q] * w->d[q];
      a *= w->rho[c];
      w->al[c] = a;
      for (long q = 0; q < n; q++) w->d[q] -= a * w->y[c * n + q];
    }
    if (nhist > 0) {
      long c = (head - 1 + LBFGS_M) % LBFGS_M;
      double yy = 0, sy = 0;
      for (long q = 0; q < n; q++) yy += w->y[c * n + q] * w->y[c * n + q], sy += w->s[c * n + q] * w->y[c * n + q];
      for (long q = 0; q < n; q++) w->d[q] *= sy / yy;
    } else {
      /* first step: at most 0.02 lambda per coordinate */
      double gm = maxabs(w->g, n);
      for (long q = 0; q < n; q++) w->d[q] *= 0.02 / gm;
    }
    for (long h = nhist - 1; h >= 0; h--) {
      long c = (head - 1 - h + LBFGS_M) % LBFGS_M;
      double b = 0;
      for (long q = 0; q < n; q++) b += w->y[c * n + q] * w->d[q];
      b *= w->rho[c];
      for (long q = 0; q < n; q++) w->d[q] += (w->al[c] - b) * w->s[c * n + q];
    }
    double gd = 0;
    for (long q = 0; q < n; q++) gd += w->g[q] * w->d[q];
    if (!(gd < 0)) { /* not a descent direction: restart with steepest descent */
      nhist = 0;
      double gm = maxabs(w->g, n);
      for (long q = 0; q < n; q++) w->d[q] = -w->g[q] * 0.02 / gm;
      gd = 0;
      for (long q = 0; q < n; q++) gd += w->g[q] * w->d[q];
    }
    /* cap the step at 0.2 lambda per coordinate (no jumps over barriers) */
    double dm = maxabs(w->d, n), t = dm > 0.2 ? 0.2 / dm : 1.0, ft = 0;
    int ok = 0;
    for (int bt = 0; bt < 60; bt++) {
      for (long q = 0; q < n; q++) w->xt[q] = y[q] + t * w->d[q];
      st = fn(ctx, A, w->xt, &ft, w->gt);
      if (st < 0) return st;
      if (isfinite(ft) && ft <= f + 1e-4 * t * gd) {
        ok = 1;
        break;
      }
      t *= 0.5;
    }
    if (!ok) break; /* no decrease at round-off level: converged as far as possible */
    /* progress below round-off for 5 steps: as converged as double precision allows */
    if (f - ft <= 1e-14 * fmax(1.0, fabs(f))) {
      if (++stall >= 5) {
        memcpy(y, w->xt, sizeof(double) * n);
        memcpy(w->g, w->gt, sizeof(double) * n);
        f = ft;
        break;
      }
    } else {
      stall = 0;
    }
    long c = head;
    double sy = 0;
    for (long q = 0; q < n; q++) {
      w->s[c * n + q] = w->xt[q] - y[q];
      w->y[c * n + q] = w->gt[q] - w->g[q];
      sy += w->s[c * n + q] * w->y[c * n + q];
    }
    if (sy > 1e-300) {
      w->rho[c] = 1 / sy;
      head = (head + 1) % LBFGS_M;
      if (nhist < LBFGS_M) nhist++;
    }
    memcpy(y, w->xt, sizeof(double) * n);
    memcpy(w->g, w->gt, sizeof(double) * n);
    f = ft;
  }
  *E = f;
  return maxabs(w->g, n) <= gtol * 10 ? GV_OK : GV_NOT_CONVERGED;
}

/* ------------------------------------------------------- generic scan */
int gv_creation_scan(gv_core_energy_fn fn, void *ctx, long nvar, const double *ecore,
                     const gv_creation_opts *o, gv_creation *c) {
  int status = GV_OK;
  double *y = NULL, *yprev = NULL, *y2 = NULL, *z = NULL;
  lbfgs_ws w;
  memset(&w, 0, sizeof w);
  memset(c, 0, sizeof *c);
  if (!(o->astep > 0 && o->amax >= 2 * o->astep))
    return GV_ERROR(GV_EINVAL, "creation energy: scan step %g and range %g are not usable", o->astep, o->amax);
  long K = (long)floor(o->amax / o->astep + 1e-9), np = 2 * K + 1;
  long nv = nvar > 0 ? nvar : 1;
  double ee = 0;
  for (long q = 0; q < nvar; q++) ee += ecore[q] * ecore[q];
  c->npts = np;
  c->ncore_var = nvar;
  GV_ALLOC(c->A, np);
  GV_ALLOC(c->E, np);
  GV_ALLOC(c->E_rigid, np);
  GV_ALLOC(c->Ain, np);
  GV_ALLOC(c->back, np);
  GV_ALLOC(y, nv);
  GV_ALLOC(yprev, nv);
  GV_ALLOC(y2, nv);
  GV_ALLOC(z, nv);
  GV_TRY(lbfgs_ws_init(&w, nvar));
  /* reference and the linear term */
  double E0, Ep, Em, h = 1e-5;
  GV_TRY(fn(ctx, 0, z, &E0, NULL));
  GV_TRY(fn(ctx, h, z, &Ep, NULL));
  GV_TRY(fn(ctx, -h, z, &Em, NULL));
  c->E0 = E0;
  c->D1 = (Ep - Em) / (2 * h);
  long nconv = 0;
  for (int dir = 0; dir < 2; dir++) {
    double sgn = dir == 0 ? 1 : -1;
    memset(yprev, 0, sizeof(double) * nv);
    double Aprev = 0;
    for (long k = 0; k <= K; k++) {
      if (dir == 1 && k == 0) continue; /* A = 0 done in the first pass */
      if (gv_interrupted()) {
        status = GV_ERROR(GV_EINTERRUPTED, "interrupted");
        goto cleanup;
      }
      double A = sgn * o->astep * (double)k;
      long idx = K + (long)(sgn * (double)k);
      /* start 1: rigid (the core follows the mode) */
      for (long q = 0; q < nvar; q++) y[q] = A * ecore[q];
      double Er, E1, E2;
      GV_TRY(fn(ctx, A, y, &Er, NULL));
      int s1 = lbfgs_min(fn, ctx, A, y, &E1, o->gtol, o->max_iter, &w);
      if (s1 < 0) GV_TRY(s1);
      /* start 2: continuation of the previous A */
      int s2 = GV_NOT_CONVERGED;
      E2 = INFINITY;
      if (k > 1) {
        for (long q = 0; q < nvar; q++) y2[q] = yprev[q] + (A - Aprev) * ecore[q];
        s2 = lbfgs_min(fn, ctx, A, y2, &E2, o->gtol, o->max_iter, &w);
        if (s2 < 0) GV_TRY(s2);
      }
      /* the lower energy wins; if the two agree to round-off (the same minimum), the
       * converged relaxation (a stall at round-off can end 1e-14 lower, unconverged) */
      const double tie = 1e-12 * fmax(1.0, fabs(E1));
      int take2 = fabs(E2 - E1) <= tie ? (s2 == GV_OK && s1 != GV_OK) || (s1 == s2 && E2 < E1) : E2 < E1;
      if (take2) {
        memcpy(y, y2, sizeof(double) * nv);
        E1 = E2;
        s1 = s2;
      }
      if (s1 == GV_OK) nconv++;
      c->A[idx] = A;
      c->E[idx] = E1;
      c->E_rigid[idx] = Er;
      double ain = 0, back2 = 0, tot2 = 0;
      for (long q = 0; q < nvar; q++) ain += y[q] * ecore[q];
      ain = ee > 0 ? ain / ee : 0;
      /* motion inside relative to the rigid start y = A e_core: its share along the mode */
      for (long q = 0; q < nvar; q++) tot2 += (y[q] - A * ecore[q]) * (y[q] - A * ecore[q]);
      back2 = (ain - A) * (ain - A) * ee;
      c->Ain[idx] = ain;
      c->back[idx] = tot2 > 0 ? back2 / tot2 : NAN;
      memcpy(yprev, y, sizeof(double) * nv);
      Aprev = A;
    }
  }
  c->n_unconverged = (np) - nconv;
  /* wells: minimum of F = E - E0 - D1 A on each side */
  for (int dir = 0; dir < 2; dir++) {
    c->Es_dir[dir] = c->dA_dir[dir] = c->Aout_dir[dir] = c->back_dir[dir] = NAN;
    c->found[dir] = 0;
    double sgn = dir == 0 ? 1 : -1;
    long kb = 0;
    double Fb = 0;
    for (long k = 1; k <= K; k++) {
      long idx = K + (long)(sgn * (double)k);
      double F = c->E[idx] - E0 - c->D1 * c->A[idx];
      if (F < Fb) Fb = F, kb = k;
    }
    if (kb == 0 || kb == K) continue; /* no well, or beyond the scan */
    long i0 = K + (long)(sgn * (double)(kb - 1)), i1 = K + (long)(sgn * (double)kb),
         i2 = K + (long)(sgn * (double)(kb + 1));
    double F0 = c->E[i0] - E0 - c->D1 * c->A[i0], F1 = Fb, F2 = c->E[i2] - E0 - c->D1 * c->A[i2];
    double den = F0 - 2 * F1 + F2, dlt = 0, Fmin = F1;
    if (den > 0) {
      dlt = 0.5 * (F0 - F2) / den; /* in grid steps, towards larger |A| */
      if (fabs(dlt) <= 0.5) Fmin = F1 - 0.25 * (F0 - F2) * dlt;
      else dlt = 0;
    }
    c->found[dir] = 1;
    c->Es_dir[dir] = -Fmin;
    c->Aout_dir[dir] = sgn * o->astep * ((double)kb + dlt);
    double ain1 = c->Ain[i1], ain2 = dlt >= 0 ? c->Ain[i2] : c->Ain[i0];
    c->dA_dir[dir] = ain1 + fabs(dlt) * (ain2 - ain1);
    c->back_dir[dir] = c->back[i1];
  }
  double se = 0, sa = 0, sb = 0;
  int nf = 0;
  for (int dir = 0; dir < 2; dir++)
    if (c->found[dir]) se += c->Es_dir[dir], sa += fabs(c->dA_dir[dir]), sb += c->back_dir[dir], nf++;
  c->Es = nf ? se / nf : NAN;
  c->dA = nf ? sa / nf : NAN;
  c->back_frac = nf ? sb / nf : NAN;
cleanup:
  lbfgs_ws_free(&w);
  free(y);
  free(yprev);
  free(y2);
  free(z);
  if (status < 0) gv_creation_free(c);
  return status;
}

/* ------------------------------------------------- particle core energy */
typedef struct {
  const gv_model *m;
  const gv_system *s;
  long nc, ne;
  long *core, *env;   /* particle indices */
  double *ue;         /* [ne*3] mode on the outer (environment) atoms */
  long np;
  long *pa, *pb;      /* pa: core slot; pb: core slot (< nc) or nc + env slot */
  double *r0;         /* [np*3] reference x_a - x_b (minimum image) */
  double skin, maxdisp;
} core_ctx;

static int core_energy(void *cx, double A, const double *y, double *E, double *g) {
  core_ctx *c = cx;
  double e = 0;
  if (g) memset(g, 0, sizeof(double) * 3 * c->nc);
  double dmax = 0;
  for (long a = 0; a < c->nc; a++) {
    double d2 = y[3 * a] * y[3 * a] + y[3 * a + 1] * y[3 * a + 1] + y[3 * a + 2] * y[3 * a + 2];
    if (d2 > dmax) dmax = d2;
  }
  c->maxdisp = fmax(c->maxdisp, sqrt(dmax));
  for (long p = 0; p < c->np; p++) {
    long a = c->pa[p], b = c->pb[p];
    const double *ub = b < c->nc ? y + 3 * b : NULL;
    double r[3], r2 = 0;
    for (int q = 0; q < 3; q++) {
      double u = ub ? ub[q] : A * c->ue[3 * (b - c->nc) + q];
      r[q] = c->r0[3 * p + q] + y[3 * a + q] - u;
      r2 += r[q] * r[q];
    }
    double rr = sqrt(r2), d[2];
    long ia = c->core[a], ib = b < c->nc ? c->core[b] : c->env[b - c->nc];
    if (!gv_model_pair(c->m, c->s, ia, ib, rr, 1, d)) continue;
    e += d[0];
    if (g) {
      double f = d[1] / rr;
      for (int q = 0; q < 3; q++) {
        g[3 * a + q] += f * r[q];
        if (ub) g[3 * b + q] -= f * r[q];
      }
    }
  }
  *E = e;
  return GV_OK;
}

int gv_softmode_creation(const gv_model *m, const gv_system *s, const double *e, const double center[3],
                         const gv_creation_opts *o, gv_creation *out) {
  int status = GV_OK;
  core_ctx c;
  memset(&c, 0, sizeof c);
  double *ec = NULL, *dist = NULL, *xs = NULL;
  long *slot = NULL;
  memset(out, 0, sizeof *out);
  if (s->dim != 3) return GV_ERROR(GV_ENOTSUP, "creation energy: 3D only (glass has dim %d)", s->dim);
  if (!(o->rc > 0)) return GV_ERROR(GV_EINVAL, "creation energy: core radius %g must be > 0", o->rc);
  long n = s->n;
  double cut = gv_model_max_cutoff(m, s);
  double emax = 0;
  GV_ALLOC(dist, n);
  GV_ALLOC(xs, 3 * n);
  GV_ALLOC(slot, n);
  for (long i = 0; i < n; i++) {
    for (int q = 0; q < 3; q++) xs[3 * i + q] = s->x[3 * i + q] - center[q];
    gv_box_minimum_image(&s->box, xs + 3 * i);
    dist[i] = sqrt(xs[3 * i] * xs[3 * i] + xs[3 * i + 1] * xs[3 * i + 1] + xs[3 * i + 2] * xs[3 * i + 2]);
  }
  /* skin: relative displacements the pair list must cover (core relaxation
   * plus the outer atoms' A e_i); checked after the scan */
  double Lb = gv_box_min_width(&s->box);
  c.skin = fmin(1.5, 0.5 * Lb - cut);
  if (c.skin < 0.3) {
    status = GV_ERROR(GV_EINVAL, "creation energy: the box (L = %g) is too small for the interaction range %g plus a skin",
                      Lb, cut);
    goto cleanup;
  }
  double Rin = o->rc + cut + c.skin;
  for (long i = 0; i < n; i++) {
    slot[i] = -1;
    if (dist[i] < o->rc) c.nc++;
    else if (dist[i] < Rin) c.ne++;
  }
  if (c.nc == 0) {
    status = GV_ERROR(GV_EINVAL, "creation energy: no atom within r_c = %g of the mode centre", o->rc);
    goto cleanup;
  }
  GV_ALLOC(c.core, c.nc);
  GV_ALLOC(c.env, c.ne > 0 ? c.ne : 1);
  GV_ALLOC(c.ue, 3 * (c.ne > 0 ? c.ne : 1));
  GV_ALLOC(ec, 3 * c.nc);
  {
    long a = 0, b = 0;
    for (long i = 0; i < n; i++) {
      if (dist[i] < o->rc) {
        slot[i] = a;
        c.core[a] = i;
        memcpy(ec + 3 * a, e + 3 * i, sizeof(double) * 3);
        a++;
      } else if (dist[i] < Rin) {
        slot[i] = c.nc + b;
        c.env[b] = i;
        memcpy(c.ue + 3 * b, e + 3 * i, sizeof(double) * 3);
        double u = sqrt(e[3 * i] * e[3 * i] + e[3 * i + 1] * e[3 * i + 1] + e[3 * i + 2] * e[3 * i + 2]);
        if (u > emax) emax = u;
        b++;
      }
    }
  }
  /* pair list: core-core (a < b) and core-environment within cut + skin */
  long cap = 64 * c.nc + 16, np = 0;
  GV_ALLOC(c.pa, cap);
  GV_ALLOC(c.pb, cap);
  GV_ALLOC(c.r0, 3 * cap);
  for (long a = 0; a < c.nc; a++) {
    long i = c.core[a];
    for (long j = 0; j < n; j++) {
      long sj = slot[j];
      if (sj < 0 || j == i || (sj < c.nc && sj <= a)) continue;
      double r[3], r2 = 0;
      for (int q = 0; q < 3; q++) r[q] = s->x[3 * i + q] - s->x[3 * j + q];
      gv_box_minimum_image(&s->box, r);
      for (int q = 0; q < 3; q++) r2 += r[q] * r[q];
      double cij = gv_model_pair_cutoff(m, s, i, j) + c.skin;
      if (r2 >= cij * cij) continue;
      if (np == cap) {
        cap *= 2;
        long *t1 = realloc(c.pa, sizeof(long) * cap), *t2 = realloc(c.pb, sizeof(long) * cap);
        if (t1) c.pa = t1;
        if (t2) c.pb = t2;
        double *t3 = realloc(c.r0, sizeof(double) * 3 * cap);
        if (t3) c.r0 = t3;
        if (!t1 || !t2 || !t3) {
          status = GV_ERROR(GV_ENOMEM, "creation energy: out of memory");
          goto cleanup;
        }
      }
      c.pa[np] = a;
      c.pb[np] = sj;
      memcpy(c.r0 + 3 * np, r, sizeof r);
      np++;
    }
  }
  c.np = np;
  c.m = m;
  c.s = s;
  GV_TRY(gv_creation_scan(core_energy, &c, 3 * c.nc, ec, o, out));
  out->ncore = c.nc;
  out->rc = o->rc;
  /* the pair list holds while relative displacements stay below the skin */
  if (c.maxdisp + o->amax * emax > c.skin) {
    out->pairlist_ok = 0;
    gv_log(GV_LOG_INFO, "creation energy: displacements up to %.2f + %.2f exceed the pair-list skin %.2f; "
                        "E_s may miss new contacts", c.maxdisp, o->amax * emax, c.skin);
  } else {
    out->pairlist_ok = 1;
  }
cleanup:
  free(c.core);
  free(c.env);
  free(c.ue);
  free(c.pa);
  free(c.pb);
  free(c.r0);
  free(ec);
  free(dist);
  free(xs);
  free(slot);
  return status;
}
