/* Energy minimisers over a flat vector x[n] with an energy+gradient callback.
 *
 * FIRE 2.0 (Guenole, Noehring, Vaid, Houlle, Xie, Prakash, Bitzek, Comput. Mater.
 * Sci. 175, 109584 (2020), Algorithm 2): damped dynamics with unit masses,
 *   P = F.v;  P > 0: after N_delay such steps dt <- min(f_inc dt, dt_max), a <- f_a a
 *             P <= 0: dt <- max(f_dec dt, dt_min), a <- a_0, x <- x - dt v / 2, v <- 0
 *   semi-implicit Euler: v += dt F;  if P > 0: v <- (1-a) v + a |v| F/|F|;  x += dt v,
 * with velocity components clipped to d_max / dt so that no component moves more
 * than d_max per step.
 *
 * Finishers: L-BFGS (Nocedal & Wright, Numerical Optimization, Alg. 7.4, two-loop
 * recursion, H0 = s.y / y.y) or Polak-Ribiere+ conjugate gradient
 * (beta = max(0, g1.(g1 - g0) / g0.g0)). Both use one line search on
 * phi(a) = E(x + a d) that works with the directional derivative phi'(a) = g.d:
 * near a minimum energy differences drown in round-off (E ~ 1e4, dE ~ 1e-20)
 * while g.d stays accurate, so the search brackets the root of phi' by secant
 * steps and accepts a point by the strong-Wolfe curvature condition
 * |phi'(a)| <= sigma |phi'(0)| plus either the Armijo decrease or, when the
 * energy change is below round-off, the approximate-Wolfe condition
 * phi'(a) <= (2 delta - 1) phi'(0) (Hager & Zhang, SIAM J. Optim. 16, 170 (2005)).
 *
 * Vector reductions use fixed blocks summed in a fixed order, so results are
 * bitwise independent of the number of OpenMP threads. */
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"

#define DOT_BLOCK 4096
/* Below this length vector loops run serially: a pass over 1e5 doubles takes
 * ~50 us, less than what a parallel region can cost when the machine is busy
 * (each region waits for its slowest thread; fixed blocks keep results the same). */
#define PAR_MIN 200000

double gv_dyn_dot(const double *a, const double *b, size_t n) {
  size_t nb = (n + DOT_BLOCK - 1) / DOT_BLOCK;
  if (nb <= 1) {
    double s = 0;
    for (size_t i = 0; i < n; i++) s += a[i] * b[i];
    return s;
  }
  double part[256];
  double total = 0;
  /* Process blocks in groups of 256 partial sums (any n). */
  for (size_t b0 = 0; b0 < nb; b0 += 256) {
    size_t b1 = b0 + 256 < nb ? b0 + 256 : nb;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (size_t k = b0; k < b1; k++) {
      size_t lo = k * DOT_BLOCK, hi = lo + DOT_BLOCK < n ? lo + DOT_BLOCK : n;
      double s = 0;
      for (size_t i = lo; i < hi; i++) s += a[i] * b[i];
      part[k - b0] = s;
    }
    for (size_t k = b0; k < b1; k++) total += part[k - b0];
  }
  return total;
}

static double max_abs(const double *a, size_t n) {
  double m = 0;
  for (size_t i = 0; i < n; i++) {
    double v = fabs(a[i]);
    if (v > m || v != v) m = v; /* NaN propagates */
  }
  return m;
}

/* Fused vector passes (one sweep over memory instead of several), reduced
 * over the same fixed blocks as gv_dyn_dot so that results never depend on
 * the thread count:
 *   PASS_AXPY_DOT: q = (q + alpha x) scale;    out0 = y.q (y may be NULL)
 *   PASS_SY:       q = alpha x (s), y = g - gt (x = d, y, a = g, b = gt);
 *                  out = s.y, y.y, s.s
 *   PASS_FIRE:     out = g.v, v.v, g.g        (a = g, b = v)
 *   PASS_GD:       out0 = a.x, out1 = max |a|  (a = trial gradient, x = d) */
enum { PASS_AXPY_DOT, PASS_SY, PASS_FIRE, PASS_GD };
static void vec_pass(int mode, size_t n, double *q, const double *x, double *y, const double *a,
                     const double *b, double alpha, double scale, double out[3]) {
  const size_t nb = (n + DOT_BLOCK - 1) / DOT_BLOCK;
  double part[256][3];
  out[0] = out[1] = out[2] = 0;
  for (size_t b0 = 0; b0 < nb; b0 += 256) {
    size_t b1 = b0 + 256 < nb ? b0 + 256 : nb;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (size_t k = b0; k < b1; k++) {
      size_t lo = k * DOT_BLOCK, hi = lo + DOT_BLOCK < n ? lo + DOT_BLOCK : n;
      double s0 = 0, s1 = 0, s2 = 0;
      switch (mode) {
      case PASS_AXPY_DOT:
        if (y) {
          for (size_t i = lo; i < hi; i++) {
            double t = (q[i] + alpha * x[i]) * scale;
            q[i] = t;
            s0 += y[i] * t;
          }
        } else {
          for (size_t i = lo; i < hi; i++) q[i] = (q[i] + alpha * x[i]) * scale;
        }
        break;
      case PASS_SY:
        for (size_t i = lo; i < hi; i++) {
          double si = alpha * x[i], yi = a[i] - b[i];
          q[i] = si;
          y[i] = yi;
          s0 += si * yi;
          s1 += yi * yi;
          s2 += si * si;
        }
        break;
      case PASS_FIRE:
        for (size_t i = lo; i < hi; i++) {
          s0 += a[i] * b[i];
          s1 += b[i] * b[i];
          s2 += a[i] * a[i];
        }
        break;
      default: /* PASS_GD */
        for (size_t i = lo; i < hi; i++) {
          s0 += a[i] * x[i];
          double v = fabs(a[i]);
          if (v > s1 || v != v) s1 = v != v ? INFINITY : v;
        }
        break;
      }
      part[k - b0][0] = s0;
      part[k - b0][1] = s1;
      part[k - b0][2] = s2;
    }
    for (size_t k = b0; k < b1; k++) {
      out[0] += part[k - b0][0];
      if (mode == PASS_GD) out[1] = fmax(out[1], part[k - b0][1]);
      else out[1] += part[k - b0][1];
      out[2] += part[k - b0][2];
    }
  }
}

void gv_min_params_default(gv_min_params *p) {
  memset(p, 0, sizeof *p);
  p->ftol = 1e-10;
  p->switch_ftol = 1.0;
  p->max_iter = 1000000;
  p->stuck_iter = 5000;
  p->finisher = GV_MIN_LBFGS;
  p->fire_dt = 0.01;
  p->fire_dtmax = 0.1;
  p->fire_dtmin = 0.0002;
  p->fire_dmax = 0.1;
  p->fire_ndelay = 20;
  p->fire_finc = 1.1;
  p->fire_fdec = 0.5;
  p->fire_alpha0 = 0.25;
  p->fire_falpha = 0.99;
  p->lbfgs_m = 8;
  p->max_step = 0.1;
  p->ls_sigma = 0;
  p->progress = 0;
  p->label = "minimise";
}

struct gv_min_workspace {
  gv_min_method method;
  size_t n;
  gv_min_params p;
  gv_min_func f;
  void *ctx;
  double *x; /* borrowed */
  double *g, e, gmax;
  long iter, nevals;
  /* FIRE */
  double *v, dt, alpha;
  long since_neg, nneg_total;
  int v_zero;
  /* line search methods */
  double *d, *xt, *gt;
  double alpha_prev, gd_prev;
  int nfail, have_prev;
  /* L-BFGS history (ring buffer) */
  double *S, *Y, *rho, *yy, *al;
  int m, k, head;
};

static int evaluate(gv_min_workspace *w, const double *x, double *e, double *g) {
  int status = w->f(w->ctx, x, e, g);
  w->nevals++;
  if (status < 0) return status;
  if (!isfinite(*e)) return GV_ERROR(GV_ENUMERIC, "minimiser: energy is not finite (%g)", *e);
  return GV_OK;
}

int gv_min_alloc(gv_min_workspace **wp, gv_min_method method, size_t n, const gv_min_params *p) {
  int status = GV_OK;
  gv_min_workspace *w = NULL;
  if (n == 0) return GV_ERROR(GV_EINVAL, "minimiser: empty vector");
  if (method < GV_MIN_FIRE || method > GV_MIN_CG)
    return GV_ERROR(GV_EINVAL, "minimiser: unknown method %d", (int)method);
  GV_ALLOC(w, 1);
  w->method = method;
  w->n = n;
  if (p) w->p = *p;
  else gv_min_params_default(&w->p);
  if (!(w->p.ftol > 0) || !(w->p.fire_dt > 0) || !(w->p.max_step > 0)) {
    status = GV_ERROR(GV_EINVAL, "minimiser: ftol, fire_dt and max_step must be positive");
    goto cleanup;
  }
  GV_ALLOC(w->g, n);
  if (method == GV_MIN_FIRE) {
    GV_ALLOC(w->v, n);
  } else {
    GV_ALLOC(w->d, n);
    GV_ALLOC(w->xt, n);
    GV_ALLOC(w->gt, n);
    if (method == GV_MIN_LBFGS) {
      w->m = w->p.lbfgs_m > 0 ? w->p.lbfgs_m : 8;
      size_t mn = (size_t)w->m * n;
      GV_ALLOC(w->S, mn);
      GV_ALLOC(w->Y, mn);
      GV_ALLOC(w->rho, w->m);
      GV_ALLOC(w->yy, w->m);
      GV_ALLOC(w->al, w->m);
    }
  }
  *wp = w;
  return GV_OK;
cleanup:
  gv_min_free(&w);
  return status;
}

void gv_min_free(gv_min_workspace **wp) {
  if (!wp || !*wp) return;
  gv_min_workspace *w = *wp;
  free(w->g);
  free(w->v);
  free(w->d);
  free(w->xt);
  free(w->gt);
  free(w->S);
  free(w->Y);
  free(w->rho);
  free(w->yy);
  free(w->al);
  free(w);
  *wp = NULL;
}

int gv_min_set(gv_min_workspace *w, gv_min_func f, void *ctx, double *x) {
  int status;
  w->f = f;
  w->ctx = ctx;
  w->x = x;
  status = evaluate(w, x, &w->e, w->g);
  if (status < 0) return status;
  w->gmax = max_abs(w->g, w->n);
  if (!isfinite(w->gmax)) return GV_ERROR(GV_ENUMERIC, "minimiser: gradient is not finite");
  w->iter = 0;
  w->dt = w->p.fire_dt;
  w->alpha = w->p.fire_alpha0;
  w->since_neg = 0;
  w->v_zero = 1;
  if (w->v) memset(w->v, 0, w->n * sizeof *w->v);
  w->have_prev = 0;
  w->nfail = 0;
  w->k = w->head = 0;
  return GV_OK;
}

double gv_min_energy(const gv_min_workspace *w) { return w->e; }
double gv_min_max_grad(const gv_min_workspace *w) { return w->gmax; }
const double *gv_min_gradient(const gv_min_workspace *w) { return w->g; }
long gv_min_evaluations(const gv_min_workspace *w) { return w->nevals; }
long gv_min_iterations(const gv_min_workspace *w) { return w->iter; }
int gv_min_test(const gv_min_workspace *w, double ftol) {
  return w->gmax <= ftol ? GV_OK : GV_NOT_CONVERGED;
}

/* ---------------------------------------------------------------- FIRE 2.0 */
static int fire_iterate(gv_min_workspace *w) {
  const gv_min_params *p = &w->p;
  size_t n = w->n;
  double *x = w->x, *v = w->v, *g = w->g;
  /* power P = F.v with F = -g */
  double dots[3] = {0, 0, 0};
  if (!w->v_zero) vec_pass(PASS_FIRE, n, NULL, NULL, NULL, g, v, 0, 0, dots);
  double P = -dots[0];
  double s1 = 1, s2 = 0;
  int mix = 0;
  if (P > 0) {
    double vv = dots[1], ff = dots[2];
    w->since_neg++;
    if (w->since_neg > p->fire_ndelay) {
      w->dt = fmin(w->dt * p->fire_finc, p->fire_dtmax);
      w->alpha *= p->fire_falpha;
    }
    mix = 1;
    s1 = 1 - w->alpha;
    s2 = ff > 0 && isfinite(ff) ? w->alpha * sqrt(vv / ff) : 0;
  } else {
    w->since_neg = 0;
    w->nneg_total++;
    /* initial delay: no dt decrease during the first N_delay steps */
    if (w->iter >= p->fire_ndelay) {
      w->alpha = p->fire_alpha0;
      if (w->dt * p->fire_fdec >= p->fire_dtmin) w->dt *= p->fire_fdec;
    }
    if (!w->v_zero) {
      /* correct the uphill step: back by half a step (the force is not
       * re-evaluated, as in the paper and in LAMMPS) */
      for (size_t i = 0; i < n; i++) x[i] -= 0.5 * w->dt * v[i];
    }
    memset(v, 0, n * sizeof *v);
    w->v_zero = 1;
  }
  /* no component moves more than dmax per step: clip the new velocity to
   * dmax/dt componentwise (shrinking dt instead would let |v| grow without
   * bound next to a near-overlap, where |F| ~ 1e50, and stall FIRE) */
  const double dt = w->dt, vcap = p->fire_dmax / dt;
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
  for (size_t i = 0; i < n; i++) {
    double vi = v[i] - dt * g[i];
    if (mix) vi = s1 * vi - s2 * g[i];
    if (vi > vcap) vi = vcap;
    else if (vi < -vcap) vi = -vcap;
    v[i] = vi;
    x[i] += dt * vi;
  }
  w->v_zero = 0;
  int status = evaluate(w, x, &w->e, g);
  if (status < 0) return status;
  w->gmax = max_abs(g, n);
  if (!isfinite(w->gmax)) return GV_ERROR(GV_ENUMERIC, "minimiser: gradient is not finite");
  w->iter++;
  return GV_OK;
}

/* ------------------------------------------------------------- line search */
/* Along d from x (energy e, gradient g, phi'(0) = gd0 < 0). On success x, g, e
 * hold the accepted point and *astep the step; the previous gradient is left
 * in gt (pointers swapped, no copy). GV_NOT_CONVERGED if no acceptable point
 * was found (x unchanged). */
static int line_search(gv_min_workspace *w, double a0, double gd0, double sigma, double *astep) {
  const double delta = 0.1, c1 = 1e-4;
  size_t n = w->n;
  double *x = w->x, *d = w->d, *xt = w->xt;
  double e0 = w->e;
  double eps_e = 1e-10 * fabs(e0) + 1e-300;
  double dmax = max_abs(d, n);
  if (!(gd0 < 0) || !(dmax > 0)) return GV_NOT_CONVERGED;
  double amax = w->p.max_step / dmax;
  double lo = 0, dlo = gd0, hi = INFINITY, dhi = 0;
  double a = fmin(a0, amax);
  if (!(a > 0)) a = amax;
  for (int it = 0; it < 40; it++) {
#pragma omp parallel for schedule(static) if (n >= PAR_MIN)
    for (size_t i = 0; i < n; i++) xt[i] = x[i] + a * d[i];
    double et, r[3];
    int status = evaluate(w, xt, &et, w->gt);
    if (status < 0) return status;
    vec_pass(PASS_GD, n, NULL, d, NULL, w->gt, NULL, 0, 0, r);
    double gd = r[0];
    if (!isfinite(gd) || !isfinite(r[1])) return GV_ERROR(GV_ENUMERIC, "minimiser: gradient is not finite");
    int armijo = et <= e0 + c1 * a * gd0;
    int approx = et <= e0 + eps_e && gd <= (2 * delta - 1) * gd0;
    int curv = fabs(gd) <= sigma * fabs(gd0);
    int at_cap = a >= amax * (1 - 1e-12) && gd < 0 && (armijo || approx);
    if ((curv && (armijo || approx)) || at_cap) {
      memcpy(x, xt, n * sizeof *x);
      double *t = w->g;
      w->g = w->gt;
      w->gt = t;
      w->e = et;
      w->gmax = r[1];
      *astep = a;
      return GV_OK;
    }
    double anew;
    if (gd >= 0) { /* passed the 1D minimum */
      hi = a;
      dhi = gd;
    } else if (!armijo && !approx) {
      /* descending but energy too high: a barrier was crossed; bisect */
      hi = a;
      dhi = NAN;
    } else {
      lo = a;
      dlo = gd;
    }
    if (isfinite(hi)) {
      if (isfinite(dhi) && dhi > dlo) {
        anew = lo - dlo * (hi - lo) / (dhi - dlo);
        double m = 0.05 * (hi - lo);
        if (anew < lo + m) anew = lo + m;
        if (anew > hi - m) anew = hi - m;
      } else {
        anew = 0.5 * (lo + hi);
      }
    } else {
      /* extrapolate by secant through (0, gd0) and (a, gd), within [2a, 8a] */
      anew = 4 * a;
      if (gd > gd0) {
        double s = a - gd * a / (gd - gd0);
        anew = fmin(fmax(s, 2 * a), 8 * a);
      }
      if (anew > amax) anew = amax;
    }
    if (!(anew > 0) || (isfinite(hi) && hi - lo <= 1e-14 * hi)) break;
    a = anew;
  }
  return GV_NOT_CONVERGED;
}

/* ------------------------------------------------------- L-BFGS and CG */
/* Two-loop recursion d = -H g with the passes fused: each sweep applies one
 * update and computes the dot product the next one needs (2k+1 sweeps
 * instead of 4k). Returns g.d (the last sweep's dot). */
static double lbfgs_direction(gv_min_workspace *w) {
  size_t n = w->n;
  double *q = w->d, r[3];
  int k = w->k, m = w->m;
  memset(q, 0, n * sizeof *q);
  if (k == 0) {
    vec_pass(PASS_AXPY_DOT, n, q, w->g, w->g, NULL, NULL, -1.0, 1.0, r);
    return r[0];
  }
#define HIST(c) ((w->head - 1 - (c) + 2 * m) % m) /* c = 0: newest */
  const int newest = HIST(0);
  const double h0 = 1.0 / (w->rho[newest] * w->yy[newest]);
  vec_pass(PASS_AXPY_DOT, n, q, w->g, w->S + (size_t)newest * n, NULL, NULL, -1.0, 1.0, r);
  for (int c = 0; c < k; c++) {
    int j = HIST(c);
    w->al[j] = w->rho[j] * r[0];
    const double *ynext = c + 1 < k ? w->S + (size_t)HIST(c + 1) * n : w->Y + (size_t)HIST(k - 1) * n;
    vec_pass(PASS_AXPY_DOT, n, q, w->Y + (size_t)j * n, (double *)ynext, NULL, NULL, -w->al[j],
             c + 1 < k ? 1.0 : h0, r);
  }
  for (int c = k - 1; c >= 0; c--) {
    int j = HIST(c);
    double f = w->al[j] - w->rho[j] * r[0];
    const double *ynext = c > 0 ? w->Y + (size_t)HIST(c - 1) * n : w->g;
    vec_pass(PASS_AXPY_DOT, n, q, w->S + (size_t)j * n, (double *)ynext, NULL, NULL, f, 1.0, r);
  }
#undef HIST
  return r[0];
}

static int ls_iterate(gv_min_workspace *w) {
  size_t n = w->n;
  int lbfgs = w->method == GV_MIN_LBFGS;
  double sigma = w->p.ls_sigma > 0 ? w->p.ls_sigma : (lbfgs ? 0.9 : 0.1);
  double a0, gd;
  if (lbfgs) {
    gd = lbfgs_direction(w);
    /* first step without curvature information: move the largest component by 1e-3 */
    a0 = w->k > 0 ? 1.0 : 1e-3 / (max_abs(w->d, n) + 1e-300);
    if (!(gd < 0)) { /* not a descent direction: reset */
      w->k = 0;
      gd = lbfgs_direction(w);
      a0 = 1e-3 / (max_abs(w->d, n) + 1e-300);
    }
  } else {
    double gg = gv_dyn_dot(w->g, w->g, n);
    double beta = 0;
    if (w->have_prev) { /* gt holds the previous gradient */
      double gg0 = gv_dyn_dot(w->gt, w->gt, n);
      double g1g0 = gv_dyn_dot(w->g, w->gt, n);
      beta = gg0 > 0 ? fmax(0.0, (gg - g1g0) / gg0) : 0;
    }
    for (size_t i = 0; i < n; i++) w->d[i] = -w->g[i] + beta * (w->have_prev ? w->d[i] : 0);
    gd = gv_dyn_dot(w->g, w->d, n);
    if (!(gd < 0)) {
      for (size_t i = 0; i < n; i++) w->d[i] = -w->g[i];
      gd = -gg;
    }
    /* Nocedal-Wright initial step: the previous decrease rate carried over */
    a0 = w->have_prev ? w->alpha_prev * w->gd_prev / gd : 1e-3 / (max_abs(w->d, n) + 1e-300);
    w->gd_prev = gd;
  }
  double astep = 0;
  int status = line_search(w, a0, gd, sigma, &astep);
  if (status < 0) return status;
  if (status == GV_NOT_CONVERGED) {
    /* restart from steepest descent once; a second failure in a row is a stall */
    w->nfail++;
    w->k = 0;
    w->have_prev = 0;
    if (w->nfail >= 2) return GV_NOT_CONVERGED;
    w->iter++;
    return GV_OK;
  }
  w->nfail = 0;
  if (lbfgs) {
    /* s = a d, y = g_new - g_old (g_old is in gt); keep the pair only with
     * positive curvature */
    int j = w->head;
    double r[3];
    vec_pass(PASS_SY, n, w->S + (size_t)j * n, w->d, w->Y + (size_t)j * n, w->g, w->gt, astep, 0, r);
    double sy = r[0], yy = r[1], ss = r[2];
    if (sy > 1e-12 * sqrt(ss * yy) && sy > 0) {
      w->rho[j] = 1.0 / sy;
      w->yy[j] = yy;
      w->head = (w->head + 1) % w->m;
      if (w->k < w->m) w->k++;
    }
  } else {
    w->alpha_prev = astep;
    w->have_prev = 1;
  }
  if (!isfinite(w->gmax)) return GV_ERROR(GV_ENUMERIC, "minimiser: gradient is not finite");
  w->iter++;
  return GV_OK;
}

int gv_min_iterate(gv_min_workspace *w) {
  if (!w->f) return GV_ERROR(GV_EINVAL, "minimiser: gv_min_set was not called");
  if (w->method == GV_MIN_FIRE) return fire_iterate(w);
  return ls_iterate(w);
}

/* ------------------------------------------------------------------ driver */
static double progress_of(double g0, double g, double ftol) {
  if (!(g0 > ftol)) return 1;
  double t = (log(g0) - log(fmax(g, ftol))) / (log(g0) - log(ftol));
  return t < 0 ? 0 : t > 1 ? 1 : t;
}

int gv_min_run(gv_min_func f, void *ctx, size_t n, double *x, const gv_min_params *pin,
               gv_min_result *r) {
  int status = GV_OK;
  gv_min_params p;
  if (pin) p = *pin;
  else gv_min_params_default(&p);
  gv_min_workspace *fire = NULL, *fin = NULL;
  gv_progress bar = {0};
  double t0 = gv_wall_time();
  long fire_it = 0, fin_it = 0;
  double e = NAN, gmax = NAN;
  GV_TRY(gv_min_alloc(&fire, GV_MIN_FIRE, n, &p));
  if (p.finisher != GV_MIN_FIRE) GV_TRY(gv_min_alloc(&fin, p.finisher, n, &p));
  GV_TRY(gv_min_set(fire, f, ctx, x));
  e = fire->e;
  gmax = fire->gmax;
  double g0 = gmax;
  if (p.progress) gv_progress_begin(&bar, p.label ? p.label : "minimise", 1.0);
  /* FIRE down to the hand-over tolerance, then the finisher down to ftol; if the
   * finisher stalls, a burst of 200 FIRE steps and a fresh finisher (5 times at most) */
  int stalls = 0, in_fire = 1, stuck = 0;
  long burst = 0;
  /* No-progress stop: a healthy run lowers max|g| by decades per few hundred
   * iterations; if the best value has not dropped by 10 % within
   * stuck_window iterations (e.g. a force discontinuity from a
   * truncated-and-shifted taper, where a pair sits on the kink), stop instead
   * of running to max_iter. */
  const long stuck_window = p.stuck_iter;
  double best = gmax, best_ref = gmax;
  long best_it = 0;
  while (gmax > p.ftol && fire_it + fin_it < p.max_iter) {
    if (gmax < 0.9 * best_ref) {
      best_ref = gmax;
      best_it = fire_it + fin_it;
    }
    if (gmax < best) best = gmax;
    if (stuck_window > 0 && fire_it + fin_it - best_it > stuck_window) {
      stuck = 1;
      break;
    }
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "minimisation interrupted");
      goto cleanup;
    }
    if (in_fire) {
      GV_TRY(gv_min_iterate(fire));
      fire_it++;
      burst++;
      e = fire->e;
      gmax = fire->gmax;
      int handover = stalls ? burst >= 200 : gmax <= p.switch_ftol;
      if (fin && handover && gmax > p.ftol) {
        GV_TRY(gv_min_set(fin, f, ctx, x));
        in_fire = 0;
      }
    } else {
      int st = gv_min_iterate(fin);
      if (st < 0) {
        status = st;
        goto cleanup;
      }
      fin_it++;
      e = fin->e;
      gmax = fin->gmax;
      if (st == GV_NOT_CONVERGED && gmax > p.ftol) {
        if (++stalls > 5) break;
        gv_log(GV_LOG_DEBUG, "minimiser: line search stalled at max|g| = %.3e, FIRE burst", gmax);
        GV_TRY(gv_min_set(fire, f, ctx, x));
        in_fire = 1;
        burst = 0;
      }
    }
    if (p.progress) gv_progress_update(&bar, progress_of(g0, gmax, p.ftol));
  }
  status = gmax <= p.ftol ? GV_OK : GV_NOT_CONVERGED;
cleanup:
  if (p.progress) gv_progress_end(&bar);
  if (r) {
    memset(r, 0, sizeof *r);
    r->energy = e;
    r->max_grad = gmax;
    r->iterations = fire_it + fin_it;
    r->fire_iterations = fire_it;
    r->finisher_iterations = fin_it;
    r->evaluations = (fire ? fire->nevals : 0) + (fin ? fin->nevals : 0);
    r->converged = gmax <= p.ftol;
    r->wall_s = gv_wall_time() - t0;
    snprintf(r->method, sizeof r->method, "%s",
             p.finisher == GV_MIN_LBFGS ? "fire2+lbfgs" : p.finisher == GV_MIN_CG ? "fire2+cg" : "fire2");
  }
  gv_min_free(&fire);
  gv_min_free(&fin);
  if (status == GV_NOT_CONVERGED && stuck)
    gv_error_set(GV_NOT_CONVERGED, __FILE__, __LINE__,
                 "minimisation made no progress for %ld iterations: max force stuck near %.3e > ftol %.3e "
                 "(a force discontinuity? e.g. smoothing q = 0 puts a jump of phi' at the cutoff)",
                 stuck_window, best, p.ftol);
  else if (status == GV_NOT_CONVERGED)
    gv_error_set(GV_NOT_CONVERGED, __FILE__, __LINE__,
                 "minimisation stopped at max force %.3e > ftol %.3e after %ld iterations", gmax,
                 p.ftol, fire_it + fin_it);
  return status;
}
