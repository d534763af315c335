/* Nonlinear quasilocalized modes.
 *
 * Along a unit direction z: U(x + s z) - U(x) = kappa s^2/2 + tau s^3/6 + chi s^4/24 + ...,
 * kappa = M:zz, tau = U''':zzz, chi = U'''':zzzz (src/hessian/anharmonic.c).
 *  - cubic modes (L. Gartner and E. Lerner, SciPost Phys. 1, 016 (2016)):
 *    stationary points of b3(z) = kappa^3/tau^2; with |z| = 1 they solve
 *        M.z = (kappa/tau) U''':zz ;
 *  - quartic modes (G. Kapteijns, D. Richard and E. Lerner, PRE 101, 032130 (2020)):
 *    stationary points of b4(z) = kappa^2/chi, solving
 *        M.z = (kappa/chi) U'''':zzz .
 * Both costs are homogeneous of degree 0 in z, so their Euclidean gradients
 *    grad b4 = (4 kappa/chi) [M.z - (kappa/chi) U'''':zzz]
 *    grad b3 = (6 kappa^2/tau^2) [M.z - (kappa/tau) U''':zz]
 * are orthogonal to z (Euler) and are already the Riemannian gradients on the
 * unit sphere. They also sum to zero over particles (translation invariance),
 * so the iterates stay orthogonal to translations.
 * Minimiser: Riemannian conjugate gradients (Polak-Ribiere+, vector transport
 * by projection, retraction z -> (z + t p)/|z + t p|, Armijo backtracking),
 * optionally preconditioned by M^+ (the preconditioned gradient direction
 * z - (kappa/chi) M^+ U'''':zzz is the fixed-point iteration of the papers).
 * Units: kappa eps/lambda^2, tau eps/lambda^3, chi eps/lambda^4. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/qlm.h"

void gv_nlmode_opts_default(gv_nlmode_opts *o) {
  o->order = 4;
  o->tol = 1e-8;
  o->max_iter = 20000;
  o->precond = NULL;
}

static double dot(const double *a, const double *b, long n) {
  double s = 0;
  for (long i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}

/* Tangent projection at unit z: v -= (v.z) z. */
static void tangent(double *v, const double *z, long n) {
  double c = dot(v, z, n);
  for (long i = 0; i < n; i++) v[i] -= c * z[i];
}

int gv_sphere_minimize(gv_sphere_fn fn, void *ctx, long n, double *z, double tol, long max_iter,
                       gv_qlm_solver *precond, long *iterations, double *gnorm_out) {
  int status = GV_OK;
  double *g = NULL, *h = NULL, *p = NULL, *zt = NULL, *gt = NULL, *hold = NULL;
  GV_ALLOC(g, n);
  GV_ALLOC(h, n);
  GV_ALLOC(p, n);
  GV_ALLOC(zt, n);
  GV_ALLOC(gt, n);
  GV_ALLOC(hold, n);
  double nz = sqrt(dot(z, z, n));
  if (!(nz > 0) || !isfinite(nz)) return GV_ERROR(GV_EINVAL, "sphere minimiser: zero or non-finite start");
  for (long i = 0; i < n; i++) z[i] /= nz;
  double f;
  GV_TRY(fn(ctx, z, &f, g));
  tangent(g, z, n);
  long it = 0;
  double t_prev = -1, gh_old = 0, gnorm = sqrt(dot(g, g, n));
  int restart = 1;
  for (it = 0; it < max_iter; it++) {
    if (gv_interrupted()) {
      status = GV_ERROR(GV_EINTERRUPTED, "interrupted");
      goto cleanup;
    }
    gnorm = sqrt(dot(g, g, n));
    if (gnorm <= tol * fabs(f)) break;
    /* preconditioned gradient h */
    if (precond) {
      GV_TRY(precond->solve(precond->ctx, g, h, 1));
      tangent(h, z, n);
      if (!(dot(h, g, n) > 0)) memcpy(h, g, sizeof(double) * n); /* not a descent: fall back */
    } else {
      memcpy(h, g, sizeof(double) * n);
    }
    double gh = dot(g, h, n);
    if (restart || it % 200 == 0) {
      for (long i = 0; i < n; i++) p[i] = -h[i];
    } else {
      /* PR+ with transported previous (projected) h and p */
      tangent(hold, z, n);
      tangent(p, z, n);
      double beta = (gh - dot(g, hold, n)) / gh_old;
      if (!(beta > 0)) beta = 0;
      for (long i = 0; i < n; i++) p[i] = -h[i] + beta * p[i];
      if (!(dot(p, g, n) < 0))
        for (long i = 0; i < n; i++) p[i] = -h[i];
    }
    int was_restart = restart;
    restart = 0;
    double slope = dot(p, g, n), pn = sqrt(dot(p, p, n));
    double t = t_prev > 0 ? 2 * t_prev : fmin(1.0, 0.1 / pn);
    double ft = f;
    int ok = 0;
    /* Armijo, or, once f is flat to round-off, the approximate Wolfe test of
     * Hager and Zhang (the directional derivative must shrink): near the
     * minimum f changes by ~|g|^2 t, below double precision long before the
     * gradient criterion is met. */
    int secant = 0;
    for (int ls = 0; ls < 60; ls++) {
      double nn = 0;
      for (long i = 0; i < n; i++) {
        zt[i] = z[i] + t * p[i];
        nn += zt[i] * zt[i];
      }
      nn = sqrt(nn);
      for (long i = 0; i < n; i++) zt[i] /= nn;
      int st = fn(ctx, zt, &ft, gt);
      if (st >= 0 && isfinite(ft)) {
        int flat = fabs(ft - f) <= 1e-13 * fabs(f);
        if (!flat && ft <= f + 1e-4 * t * slope) {
          ok = 1;
          break;
        }
        double dt = dot(gt, p, n);
        if (flat) {
          /* flat to round-off: one secant step to the zero of the directional
           * derivative (exact on a quadratic); accept a step that shrinks it */
          if (!secant && dt > slope) {
            secant = 1;
            t = t * slope / (slope - dt);
            continue;
          }
          if (fabs(dt) <= 0.5 * fabs(slope)) {
            ok = 1;
            break;
          }
        }
      }
      t *= 0.5;
    }
    if (!ok) {
      /* no acceptable step even along the (preconditioned) gradient */
      if (was_restart) break;
      restart = 1;
      t_prev = -1;
      continue;
    }
    t_prev = t;
    memcpy(hold, h, sizeof(double) * n);
    gh_old = gh;
    memcpy(z, zt, sizeof(double) * n);
    memcpy(g, gt, sizeof(double) * n);
    tangent(g, z, n);
    f = ft;
  }
  gnorm = sqrt(dot(g, g, n));
  if (iterations) *iterations = it;
  if (gnorm_out) *gnorm_out = gnorm / fabs(f);
  status = gnorm <= tol * fabs(f) ? GV_OK : GV_NOT_CONVERGED;
cleanup:
  free(g);
  free(h);
  free(p);
  free(zt);
  free(gt);
  free(hold);
  return status;
}

typedef struct {
  const gv_pairset *ps;
  int order;
  double *Mz, *V;
} nl_ctx;

static int nl_cost(void *c, const double *z, double *f, double *g) {
  nl_ctx *x = c;
  long nd = x->ps->n * x->ps->dim;
  gv_anharm h;
  int st = x->order == 4 ? gv_anharmonic_contract(x->ps, z, x->Mz, NULL, x->V, &h)
                         : gv_anharmonic_contract(x->ps, z, x->Mz, x->V, NULL, &h);
  if (st < 0) return st;
  double zz = dot(z, z, nd);
  /* unit-norm values */
  double kappa = h.kappa / zz;
  if (x->order == 4) {
    double chi = h.chi / (zz * zz);
    if (!(chi > 0)) return GV_ERROR(GV_ENUMERIC, "quartic mode: chi = %g <= 0 along the current direction", chi);
    *f = kappa * kappa / chi;
    double c1 = 4 * kappa / chi, c2 = kappa / chi;
    for (long i = 0; i < nd; i++) g[i] = c1 * (x->Mz[i] / zz - c2 * x->V[i] / (zz * zz));
  } else {
    double tau = h.tau / (zz * sqrt(zz));
    if (!(fabs(tau) > 0)) return GV_ERROR(GV_ENUMERIC, "cubic mode: tau = 0 along the current direction");
    *f = kappa * kappa * kappa / (tau * tau);
    double c1 = 6 * kappa * kappa / (tau * tau), c2 = kappa / tau;
    for (long i = 0; i < nd; i++) g[i] = c1 * (x->Mz[i] / zz - c2 * x->V[i] / (zz * sqrt(zz)));
  }
  return GV_OK;
}

int gv_nlmode_find(const gv_pairset *ps, const gv_nlmode_opts *o, double *z, gv_nlmode_result *r) {
  int status = GV_OK;
  nl_ctx c = {ps, o->order, NULL, NULL};
  double *Q = NULL;
  long nd = ps->n * ps->dim;
  memset(r, 0, sizeof *r);
  if (o->order != 3 && o->order != 4) return GV_ERROR(GV_EINVAL, "nonlinear mode order must be 3 or 4");
  GV_ALLOC(c.Mz, nd);
  GV_ALLOC(c.V, nd);
  GV_ALLOC(Q, nd);
  gv_qlm_remove_translations(z, ps->n, ps->dim);
  long it = 0;
  double gn = 0;
  status = gv_sphere_minimize(nl_cost, &c, nd, z, o->tol, o->max_iter, o->precond, &it, &gn);
  if (status < 0) goto cleanup;
  int conv = status == GV_OK;
  /* final numbers at the unit-norm mode; the sign is fixed so that tau >= 0
   * (a convention: the mode's cubic term points along +z) */
  gv_anharm h;
  GV_TRY(gv_anharmonic_contract(ps, z, c.Mz, c.V, NULL, &h));
  if (h.tau < 0) {
    for (long i = 0; i < nd; i++) z[i] = -z[i];
    GV_TRY(gv_anharmonic_contract(ps, z, c.Mz, c.V, NULL, &h));
  }
  gv_anharm h4;
  GV_TRY(gv_anharmonic_contract(ps, z, NULL, NULL, Q, &h4));
  r->kappa = h.kappa;
  r->tau = h.tau;
  r->chi = h4.chi;
  double e2 = 0, m2 = dot(c.Mz, c.Mz, nd);
  double coef = o->order == 4 ? h.kappa / h4.chi : h.kappa / h.tau;
  const double *V = o->order == 4 ? Q : c.V;
  for (long i = 0; i < nd; i++) e2 += (c.Mz[i] - coef * V[i]) * (c.Mz[i] - coef * V[i]);
  r->residual = sqrt(e2 / m2);
  r->cost = o->order == 4 ? h.kappa * h.kappa / h4.chi : pow(h.kappa, 3) / (h.tau * h.tau);
  r->participation = gv_participation(z, ps->n, ps->dim);
  double best = -1;
  for (long i = 0; i < ps->n; i++) {
    double a = 0;
    for (int q = 0; q < ps->dim; q++) a += z[i * ps->dim + q] * z[i * ps->dim + q];
    if (a > best) {
      best = a;
      r->center_particle = i;
    }
  }
  r->iterations = it;
  r->converged = conv;
  status = conv ? GV_OK : GV_NOT_CONVERGED;
cleanup:
  free(c.Mz);
  free(c.V);
  free(Q);
  return status;
}
