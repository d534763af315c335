/* Born and generalized Born (GBA) self-energies of sound in a medium with exponentially
 * correlated shear-modulus fluctuations (seed 000; M. G. Izzo, G. Ruocco, S. Cazzato,
 * Front. Phys. 6, 108 (2018); theory.md "Born and generalized Born approximations").
 *
 * Medium: <dmu(r) dmu(r')>/rho^2 = A exp(-|r - r'|/a); w -> w - i0 so Im Sigma >= 0;
 * Dyson G_P = 1/(w^2 - c_P^2 q^2 - Sigma_P). Channels (external X, intermediate Y),
 * t = cos(k, p):  W_LL = 4t^4, W_LT = W_TL = 4t^2(1 - t^2), W_TT = 1 - 3t^2 + 4t^4;
 * Sigma_L = Sigma_LL + Sigma_LT, Sigma_T = (Sigma_TT + Sigma_TL)/2.
 *
 * Non-local Born (intermediate velocity v_Y, p0 = w/v_Y, Q = a^-2 + k^2 + p^2 - 2kpt):
 *   Sigma_XY = (2/pi)(A/a)(k^2/v_Y^2) int dt W_XY int_0^inf dp p^4 / [(p0^2 - p^2) Q^2].
 * W_XY is even in t and Q is invariant under (p, t) -> (-p, -t), so the p-integral may run
 * over the whole line (factor 1/2) and is closed in the upper half plane, which holds the
 * simple pole p = -p0 (w - i0) and the double pole P = kt + i alpha,
 * alpha = sqrt(a^-2 + k^2 (1 - t^2)):
 *   Sigma_XY = 2i (A/a)(k^2/v_Y^2) int dt W_XY [R0 + R+],
 *   R0 = p0^3 / (2 Q0^2),  Q0 = a^-2 + k^2 + p0^2 + 2 k p0 t,
 *   R+ = -P^3/(2 alpha^2 D) [2 + P^2/D - P/(2i alpha)],  D = p0^2 - P^2.
 * GBA second order (intermediate line dressed by Delta_s_Y(w) = s_Y(w) - s_Y(0)):
 *   Sigma2_XY = 2i (A/a)(k^2/v_Y^4) Delta_s_Y(w) int dt W_XY [R0' + R+'],
 *   R0' = -(p0^3/(4 Q0^2)) [5 - 4 p0 (p0 + kt)/Q0],
 *   R+' = -P^5/(4 alpha^2 D^2) [6 + 4 P^2/D - P/(i alpha)]     (double poles at -p0 and P).
 * Resummed ("all orders") variant: the first-order formula with v_Y^2 -> v_Y^2 + Delta_s_Y(w)
 * (complex; p0 = w / sqrt(.) stays in the lower half plane because Im Delta_s >= 0).
 * Local Born (k -> 0): Sigma_P = q^2 s_P(w), s_L = (A/a)[(4/5) b(w/c_L)/c_L^2 + (8/15)
 * b(w/c_T)/c_T^2], s_T = (A/2a)[(4/5) b(w/c_T)/c_T^2 + (8/15) b(w/c_L)/c_L^2],
 * b(p) = [2i p^3 - a^-1 (3p^2 + a^-2)] / (p^2 + a^-2)^2.
 * Velocities: the plain Born uses the bare c_Y in the intermediate line; the GBA uses the
 * statically renormalised v_Y^2 = c_Y^2 + s_Y(0) there, bare c_P in the outer Dyson
 * denominator, and builds Delta_s with bare velocities (theory.md).
 *
 * t-quadrature: composite Gauss-Legendre, panels graded geometrically towards t = +-1 where
 * the integrand has complex singularities at distance ~ 1/(2 (k a)^2) (branch points of
 * alpha, zeros of Q0 and D when p0 ~ k); the nodes per panel are raised until two rules
 * agree to the requested tolerance at sample frequencies (plan once, execute many).
 */
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_roots.h>

#include "glassvib/core.h"
#include "glassvib/theory.h"

struct gv_born_plan {
  gv_born_params p;
  double q, vl, vt; /* intermediate-line velocities */
  double c0, inva;  /* a^-2 + k^2, 1/a */
  int n;            /* t nodes */
  double err;
  /* per node (structure of arrays): weighted channel weights and residue constants */
  double *w4, *wm, *wtt; /* GL weight times W_LL, W_LT (= W_TL), W_TT */
  double *kt;
  double *p2r, *p2i;     /* P^2 */
  double *c3r, *c3i;     /* -P^3 / (2 alpha^2) */
  double *e1r, *e1i;     /* 2 - P/(2 i alpha) = 3/2 + (i/2) kt/alpha */
  double *c5r, *c5i;     /* -P^5 / (4 alpha^2) */
  double *e2i;           /* 6 - P/(i alpha) = 5 + i kt/alpha (real part 5) */
};

int gv_born_validate(const gv_born_params *p) {
  if (!p) return GV_ERROR(GV_EINVAL, "no Born parameters");
  if (!isfinite(p->cl) || !isfinite(p->ct) || p->cl <= 0 || p->ct <= 0)
    return GV_ERROR(GV_EINVAL, "velocities must be positive (c_L = %g, c_T = %g)", p->cl, p->ct);
  if (p->ct >= p->cl)
    return GV_ERROR(GV_EINVAL, "c_T = %g must be smaller than c_L = %g", p->ct, p->cl);
  if (!isfinite(p->A) || p->A < 0)
    return GV_ERROR(GV_EINVAL, "fluctuation amplitude A = %g must be >= 0", p->A);
  if (!isfinite(p->a) || p->a <= 0)
    return GV_ERROR(GV_EINVAL, "correlation length a = %g must be > 0", p->a);
  if (p->kind < GV_BORN_LOCAL || p->kind > GV_GBA_RESUMMED)
    return GV_ERROR(GV_EINVAL, "unknown approximation %d", (int)p->kind);
  double vl, vt;
  return gv_born_intermediate_velocities(p, &vl, &vt);
}

double complex gv_born_b(double a, double complex p) {
  double ia = 1.0 / a;
  double complex p2 = p * p, den = p2 + ia * ia;
  return (2.0 * I * p2 * p - ia * (3.0 * p2 + ia * ia)) / (den * den);
}

void gv_born_local_s(double A, double a, double complex vl, double complex vt, double w,
                     double complex *sL, double complex *sT) {
  double complex bl = gv_born_b(a, w / vl) / (vl * vl), bt = gv_born_b(a, w / vt) / (vt * vt);
  if (sL) *sL = (A / a) * (0.8 * bl + (8.0 / 15.0) * bt);
  if (sT) *sT = (A / (2 * a)) * (0.8 * bt + (8.0 / 15.0) * bl);
}

int gv_born_intermediate_velocities(const gv_born_params *p, double *vl, double *vt) {
  if (p->kind == GV_GBA_FIRST || p->kind == GV_GBA_RESUMMED) {
    double cl2 = p->cl * p->cl, ct2 = p->ct * p->ct;
    double vl2 = cl2 - p->A * 0.8 * (1 / cl2 + (2.0 / 3.0) / ct2);
    double vt2 = ct2 - p->A * 0.4 * (1 / ct2 + (2.0 / 3.0) / cl2);
    if (vl2 <= 0 || vt2 <= 0)
      return GV_ERROR(GV_EUNSTABLE,
                      "disorder A = %g too strong: statically renormalised velocity squared "
                      "v_L^2 = %g, v_T^2 = %g must be positive",
                      p->A, vl2, vt2);
    *vl = sqrt(vl2);
    *vt = sqrt(vt2);
  } else {
    *vl = p->cl;
    *vt = p->ct;
  }
  return GV_OK;
}

/* ------------------------------------------------------------ kernels */
/* Weighted sums over nodes for one intermediate polarization with complex p0:
 * first order  S1a = sum wa R1, S1b = sum wb R1;  second order S2a, S2b if want2. */
static void node_sums(const gv_born_plan *pl, const double *wa, const double *wb,
                      double complex p0, int want2, double complex *S1a, double complex *S1b,
                      double complex *S2a, double complex *S2b) {
  const double pr = creal(p0), pim = cimag(p0);
  const double s2r = pr * pr - pim * pim, s2i = 2 * pr * pim; /* p0^2 */
  const double s3r = s2r * pr - s2i * pim, s3i = s2r * pim + s2i * pr; /* p0^3 */
  const double c0 = pl->c0;
  double a1r = 0, a1i = 0, b1r = 0, b1i = 0, a2r = 0, a2i = 0, b2r = 0, b2i = 0;
  const int n = pl->n;
  const double *kt = pl->kt, *p2r = pl->p2r, *p2i = pl->p2i, *c3r = pl->c3r, *c3i = pl->c3i;
  const double *e1r = pl->e1r, *e1i = pl->e1i;
  if (!want2) {
#pragma omp simd reduction(+ : a1r, a1i, b1r, b1i)
    for (int i = 0; i < n; i++) {
      /* u = 1/D, D = p0^2 - P^2 */
      double dr = s2r - p2r[i], di = s2i - p2i[i], dd = 1.0 / (dr * dr + di * di);
      double ur = dr * dd, ui = -di * dd;
      /* v = 1/Q0, Q0 = c0 + p0^2 + 2 kt p0 */
      double qr = c0 + s2r + 2 * kt[i] * pr, qi = s2i + 2 * kt[i] * pim;
      double qq = 1.0 / (qr * qr + qi * qi);
      double vr = qr * qq, vi = -qi * qq;
      double v2r = vr * vr - vi * vi, v2i = 2 * vr * vi;
      /* R0 = p0^3 v^2 / 2 */
      double r0r = 0.5 * (s3r * v2r - s3i * v2i), r0i = 0.5 * (s3r * v2i + s3i * v2r);
      /* R+ = c3 u (e1 + P^2 u) */
      double tr = e1r[i] + p2r[i] * ur - p2i[i] * ui, ti = e1i[i] + p2r[i] * ui + p2i[i] * ur;
      double xr = ur * tr - ui * ti, xi = ur * ti + ui * tr;
      double rpr = c3r[i] * xr - c3i[i] * xi, rpi = c3r[i] * xi + c3i[i] * xr;
      double Rr = r0r + rpr, Ri = r0i + rpi;
      a1r += wa[i] * Rr;
      a1i += wa[i] * Ri;
      b1r += wb[i] * Rr;
      b1i += wb[i] * Ri;
    }
  } else {
    const double *c5r = pl->c5r, *c5i = pl->c5i, *e2i = pl->e2i;
#pragma omp simd reduction(+ : a1r, a1i, b1r, b1i, a2r, a2i, b2r, b2i)
    for (int i = 0; i < n; i++) {
      double dr = s2r - p2r[i], di = s2i - p2i[i], dd = 1.0 / (dr * dr + di * di);
      double ur = dr * dd, ui = -di * dd;
      double qr = c0 + s2r + 2 * kt[i] * pr, qi = s2i + 2 * kt[i] * pim;
      double qq = 1.0 / (qr * qr + qi * qi);
      double vr = qr * qq, vi = -qi * qq;
      double v2r = vr * vr - vi * vi, v2i = 2 * vr * vi;
      double r0r = 0.5 * (s3r * v2r - s3i * v2i), r0i = 0.5 * (s3r * v2i + s3i * v2r);
      double pur = p2r[i] * ur - p2i[i] * ui, pui = p2r[i] * ui + p2i[i] * ur; /* P^2 u */
      double tr = e1r[i] + pur, ti = e1i[i] + pui;
      double xr = ur * tr - ui * ti, xi = ur * ti + ui * tr;
      double rpr = c3r[i] * xr - c3i[i] * xi, rpi = c3r[i] * xi + c3i[i] * xr;
      double Rr = r0r + rpr, Ri = r0i + rpi;
      a1r += wa[i] * Rr;
      a1i += wa[i] * Ri;
      b1r += wb[i] * Rr;
      b1i += wb[i] * Ri;
      /* R0' = -(R0/2) [5 - 4 p0 (p0 + kt) v] */
      double mr = s2r + kt[i] * pr, mi = s2i + kt[i] * pim; /* p0 (p0 + kt) */
      double fr = 5 - 4 * (mr * vr - mi * vi), fi = -4 * (mr * vi + mi * vr);
      double z0r = -0.5 * (r0r * fr - r0i * fi), z0i = -0.5 * (r0r * fi + r0i * fr);
      /* R+' = c5 u^2 (e2 + 4 P^2 u) */
      double u2r = ur * ur - ui * ui, u2i = 2 * ur * ui;
      double gr = 5 + 4 * pur, gi = e2i[i] + 4 * pui;
      double yr = u2r * gr - u2i * gi, yi = u2r * gi + u2i * gr;
      double zpr = c5r[i] * yr - c5i[i] * yi, zpi = c5r[i] * yi + c5i[i] * yr;
      double Zr = z0r + zpr, Zi = z0i + zpi;
      a2r += wa[i] * Zr;
      a2i += wa[i] * Zi;
      b2r += wb[i] * Zr;
      b2i += wb[i] * Zi;
    }
  }
  *S1a = a1r + I * a1i;
  *S1b = b1r + I * b1i;
  if (want2) {
    *S2a = a2r + I * a2i;
    *S2b = b2r + I * b2i;
  }
}

static void finish(gv_born_sigma *s) {
  s->L = s->LL + s->LT;
  s->T = 0.5 * (s->TT + s->TL);
}

static void eval_local(const gv_born_params *p, double q, double complex w, gv_born_sigma *s) {
  double A = p->A, a = p->a, cl = p->cl, ct = p->ct, q2 = q * q;
  double complex bl = gv_born_b(a, w / cl) / (cl * cl), bt = gv_born_b(a, w / ct) / (ct * ct);
  s->LL = q2 * (A / a) * 0.8 * bl;
  s->LT = q2 * (A / a) * (8.0 / 15.0) * bt;
  s->TT = q2 * (A / a) * 0.8 * bt;
  s->TL = q2 * (A / a) * (8.0 / 15.0) * bl;
  finish(s);
}

/* Delta_s_Y(w) with bare velocities, complex w allowed. */
static void delta_s(const gv_born_params *p, double complex w, double complex *dL,
                    double complex *dT) {
  double A = p->A, a = p->a, cl = p->cl, ct = p->ct;
  double complex bl = (gv_born_b(a, w / cl) - gv_born_b(a, 0)) / (cl * cl);
  double complex bt = (gv_born_b(a, w / ct) - gv_born_b(a, 0)) / (ct * ct);
  *dL = (A / a) * (0.8 * bl + (8.0 / 15.0) * bt);
  *dT = (A / (2 * a)) * (0.8 * bt + (8.0 / 15.0) * bl);
}

void gv_born_plan_eval_complex(const gv_born_plan *pl, double complex w, gv_born_sigma *s) {
  const gv_born_params *p = &pl->p;
  if (p->kind == GV_BORN_LOCAL) {
    eval_local(p, pl->q, w, s);
    return;
  }
  double k2 = pl->q * pl->q, pre = 2 * p->A / p->a * k2;
  double complex S1a, S1b, S2a = 0, S2b = 0;
  if (p->kind == GV_BORN_NONLOCAL || p->kind == GV_GBA_FIRST) {
    int want2 = (p->kind == GV_GBA_FIRST);
    double complex dL = 0, dT = 0;
    if (want2) delta_s(p, w, &dL, &dT);
    double vl2 = pl->vl * pl->vl, vt2 = pl->vt * pl->vt;
    /* intermediate L: channels LL (W_LL) and TL (W_TL) */
    node_sums(pl, pl->w4, pl->wm, w / pl->vl, want2, &S1a, &S1b, &S2a, &S2b);
    s->LL = I * pre / vl2 * (S1a + dL / vl2 * S2a);
    s->TL = I * pre / vl2 * (S1b + dL / vl2 * S2b);
    /* intermediate T: channels LT (W_LT) and TT (W_TT) */
    node_sums(pl, pl->wm, pl->wtt, w / pl->vt, want2, &S1a, &S1b, &S2a, &S2b);
    s->LT = I * pre / vt2 * (S1a + dT / vt2 * S2a);
    s->TT = I * pre / vt2 * (S1b + dT / vt2 * S2b);
  } else { /* resummed: complex intermediate velocity */
    double complex dL, dT;
    delta_s(p, w, &dL, &dT);
    double complex xl = pl->vl * pl->vl + dL, xt = pl->vt * pl->vt + dT;
    node_sums(pl, pl->w4, pl->wm, w / csqrt(xl), 0, &S1a, &S1b, NULL, NULL);
    s->LL = I * pre / xl * S1a;
    s->TL = I * pre / xl * S1b;
    node_sums(pl, pl->wm, pl->wtt, w / csqrt(xt), 0, &S1a, &S1b, NULL, NULL);
    s->LT = I * pre / xt * S1a;
    s->TT = I * pre / xt * S1b;
  }
  finish(s);
}

void gv_born_plan_eval(const gv_born_plan *pl, double w, gv_born_sigma *s) {
  gv_born_plan_eval_complex(pl, w, s);
  if (w == 0) { /* the static self-energy is real; drop rounding noise */
    s->LL = creal(s->LL);
    s->LT = creal(s->LT);
    s->TT = creal(s->TT);
    s->TL = creal(s->TL);
    finish(s);
  }
}

double gv_born_plan_quad_err(const gv_born_plan *plan) { return plan ? plan->err : NAN; }
int gv_born_plan_nodes(const gv_born_plan *plan) { return plan ? plan->n : 0; }
double gv_born_plan_q(const gv_born_plan *plan) { return plan ? plan->q : NAN; }

void gv_born_plan_destroy(gv_born_plan **plan) {
  if (!plan || !*plan) return;
  gv_born_plan *pl = *plan;
  free(pl->w4); /* one block holds every per-node array */
  free(pl);
  *plan = NULL;
}

/* Number of geometric halvings towards t = +-1 for wavevector k. */
static int grading_levels(double k, double a) {
  double ka2 = 2 * (k * a) * (k * a);
  int J = 1;
  if (ka2 > 1) J += (int)ceil(log2(ka2));
  if (J > 60) J = 60;
  return J;
}

/* Fill the node tables with J graded panels per half and m nodes per panel. */
static int plan_fill(gv_born_plan *pl, int J, int m) {
  int status = GV_OK;
  gsl_integration_glfixed_table *tab = gsl_integration_glfixed_table_alloc((size_t)m);
  if (!tab) return GV_ERROR(GV_ENOMEM, "Gauss-Legendre table (%d nodes)", m);
  int npan = J + 1, n = 2 * npan * m;
  free(pl->w4);
  double *blk = malloc((size_t)n * 15 * sizeof *blk);
  if (!blk) {
    gsl_integration_glfixed_table_free(tab);
    return GV_ERROR(GV_ENOMEM, "out of memory");
  }
  pl->n = n;
  pl->w4 = blk;
  pl->wm = blk + n;
  pl->wtt = blk + 2 * n;
  pl->kt = blk + 3 * n;
  pl->p2r = blk + 4 * n;
  pl->p2i = blk + 5 * n;
  pl->c3r = blk + 6 * n;
  pl->c3i = blk + 7 * n;
  pl->e1r = blk + 8 * n;
  pl->e1i = blk + 9 * n;
  pl->c5r = blk + 10 * n;
  pl->c5i = blk + 11 * n;
  pl->e2i = blk + 12 * n;
  double k = pl->q, ia2 = pl->inva * pl->inva;
  int idx = 0;
  for (int side = -1; side <= 1; side += 2) {
    for (int j = 0; j < npan; j++) {
      /* u in [u0, u1] on [0, 1]: [0, 1/2], [1/2, 3/4], ..., [1 - 2^-J, 1] */
      double u0 = (j == 0) ? 0.0 : 1.0 - ldexp(1.0, -j);
      double u1 = (j == J) ? 1.0 : 1.0 - ldexp(1.0, -(j + 1));
      for (int i = 0; i < m; i++) {
        double xi, wi;
        gsl_integration_glfixed_point(u0, u1, (size_t)i, &xi, &wi, tab);
        double t = side * xi, t2 = t * t;
        /* 1 - t^2 without cancellation near |t| = 1 */
        double omt2 = (1 - xi) * (1 + xi);
        double al2 = ia2 + k * k * omt2, al = sqrt(al2);
        double ktv = k * t;
        double complex P = ktv + I * al, P2 = P * P, P3 = P2 * P, P5 = P3 * P2;
        double complex c3 = -P3 / (2 * al2), c5 = -P5 / (4 * al2);
        pl->w4[idx] = wi * 4 * t2 * t2;
        pl->wm[idx] = wi * 4 * t2 * omt2;
        pl->wtt[idx] = wi * (1 - 3 * t2 + 4 * t2 * t2);
        pl->kt[idx] = ktv;
        pl->p2r[idx] = creal(P2);
        pl->p2i[idx] = cimag(P2);
        pl->c3r[idx] = creal(c3);
        pl->c3i[idx] = cimag(c3);
        pl->e1r[idx] = 1.5;
        pl->e1i[idx] = 0.5 * ktv / al;
        pl->c5r[idx] = creal(c5);
        pl->c5i[idx] = cimag(c5);
        pl->e2i[idx] = ktv / al;
        idx++;
      }
    }
  }
  gsl_integration_glfixed_table_free(tab);
  return status;
}

static double rel_diff(double complex x, double complex y) {
  double e = 0, ay = cabs(y);
  if (ay > 0) e = cabs(x - y) / ay;
  /* Im Sigma (the width) is wanted to relative accuracy too, down to where it is
   * rounding-limited (|Im| < 1e-4 |Sigma|: absolute 1e-14 |Sigma| is then required). */
  double den = fmax(fabs(cimag(y)), 1e-4 * ay);
  if (den > 0) {
    double ei = fabs(cimag(x) - cimag(y)) / den;
    if (ei > e) e = ei;
  }
  return e;
}

static double sigma_diff(const gv_born_sigma *x, const gv_born_sigma *y) {
  double e = rel_diff(x->LL, y->LL);
  double e2 = rel_diff(x->LT, y->LT), e3 = rel_diff(x->TT, y->TT), e4 = rel_diff(x->TL, y->TL);
  if (e2 > e) e = e2;
  if (e3 > e) e = e3;
  if (e4 > e) e = e4;
  return e;
}

int gv_born_plan_create(const gv_born_params *p, double q, gv_born_plan **plan) {
  int status = GV_OK;
  gv_born_plan *pl = NULL, *fine = NULL;
  if (!plan) return GV_ERROR(GV_EINVAL, "no plan pointer");
  *plan = NULL;
  GV_TRY(gv_born_validate(p));
  if (!isfinite(q) || q <= 0) return GV_ERROR(GV_EINVAL, "wavevector q = %g must be > 0", q);
  GV_ALLOC(pl, 1);
  pl->p = *p;
  if (pl->p.tol <= 0) pl->p.tol = 1e-10;
  pl->q = q;
  pl->inva = 1.0 / p->a;
  pl->c0 = pl->inva * pl->inva + q * q;
  GV_TRY(gv_born_intermediate_velocities(p, &pl->vl, &pl->vt));
  if (p->kind == GV_BORN_LOCAL) { /* closed form, no quadrature */
    pl->err = 0;
    *plan = pl;
    return GV_OK;
  }
  GV_ALLOC(fine, 1);
  *fine = *pl;
  static const int orders[] = {6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96};
  const int norders = (int)(sizeof orders / sizeof orders[0]);
  int J = grading_levels(q, p->a);
  /* Sample frequencies: p0 = x k for both intermediate velocities, across the p0 ~ k
   * resonance where the integrand is sharpest. */
  static const double xs[] = {0.05, 0.3, 0.7, 0.95, 1.0, 1.05, 1.5, 3.0, 10.0};
  const int ns = (int)(sizeof xs / sizeof xs[0]);
  int chosen = -1;
  double err = INFINITY;
  GV_TRY(plan_fill(pl, J, orders[0]));
  for (int o = 0; o + 1 < norders; o++) {
    GV_TRY(plan_fill(fine, J, orders[o + 1]));
    double e = 0;
    for (int y = 0; y < 2; y++)
      for (int s = 0; s < ns; s++) {
        double w = xs[s] * q * (y ? pl->vt : pl->vl);
        gv_born_sigma a, b;
        gv_born_plan_eval(pl, w, &a);
        gv_born_plan_eval(fine, w, &b);
        double d = sigma_diff(&a, &b);
        if (!(d <= e)) e = d; /* NaN-propagating max */
      }
    err = e;
    if (e <= pl->p.tol) {
      chosen = o;
      break;
    }
    /* swap: the finer rule becomes the candidate */
    gv_born_plan tmp = *pl;
    *pl = *fine;
    *fine = tmp;
  }
  if (chosen < 0)
    gv_log(GV_LOG_INFO, "born: quadrature at q = %g reached only %.2e relative (target %.1e)",
           q, err, pl->p.tol);
  pl->err = err;
  gv_born_plan_destroy(&fine);
  *plan = pl;
  return GV_OK;
cleanup:
  gv_born_plan_destroy(&fine);
  gv_born_plan_destroy(&pl);
  return status;
}

/* ------------------------------------------------------------ poles */
typedef struct {
  const gv_born_plan *pl;
  int pol;
  double c2q2;
} pole_ctx;

static double pole_f(double W, void *vctx) {
  pole_ctx *c = vctx;
  gv_born_sigma s;
  gv_born_plan_eval(c->pl, W, &s);
  double complex sig = c->pol ? s.T : s.L;
  return W * W - c->c2q2 - creal(sig);
}

int gv_born_pole(const gv_born_plan *pl, int pol, double *Omega, double *Gamma) {
  *Omega = NAN;
  *Gamma = NAN;
  double c = pol ? pl->p.ct : pl->p.cl, q = pl->q;
  pole_ctx ctx = {pl, pol, c * c * q * q};
  /* Guess: first-order shift evaluated at the bare frequency. */
  gv_born_sigma s;
  gv_born_plan_eval(pl, c * q, &s);
  double g2 = c * c * q * q + creal(pol ? s.T : s.L);
  double Wg = g2 > 0 ? sqrt(g2) : c * q;
  /* Scan for sign changes (the Brillouin root is where f goes from - to +), choose the
   * one nearest the guess, then Brent. */
  const int nscan = 240;
  double lo = 0.02 * Wg, hi = 4.0 * Wg, best = NAN, blo = 0, bhi = 0;
  double wprev = lo, fprev = pole_f(lo, &ctx);
  for (int i = 1; i <= nscan; i++) {
    double w = lo * pow(hi / lo, (double)i / nscan), f = pole_f(w, &ctx);
    if (fprev < 0 && f >= 0) {
      double mid = sqrt(wprev * w);
      if (isnan(best) || fabs(log(mid / Wg)) < fabs(log(best / Wg))) {
        best = mid;
        blo = wprev;
        bhi = w;
      }
    }
    wprev = w;
    fprev = f;
  }
  if (isnan(best)) return GV_NOT_CONVERGED;
  gsl_function F = {pole_f, &ctx};
  gsl_root_fsolver *rs = gsl_root_fsolver_alloc(gsl_root_fsolver_brent);
  if (!rs) return GV_ERROR(GV_ENOMEM, "out of memory");
  gsl_error_handler_t *old = gsl_set_error_handler_off();
  double root = best;
  if (gsl_root_fsolver_set(rs, &F, blo, bhi) == GSL_SUCCESS) {
    for (int it = 0; it < 200; it++) {
      if (gsl_root_fsolver_iterate(rs) != GSL_SUCCESS) break;
      root = gsl_root_fsolver_root(rs);
      double x0 = gsl_root_fsolver_x_lower(rs), x1 = gsl_root_fsolver_x_upper(rs);
      if (gsl_root_test_interval(x0, x1, 0, 1e-14) == GSL_SUCCESS) break;
    }
  }
  gsl_root_fsolver_free(rs);
  gsl_set_error_handler(old);
  gv_born_plan_eval(pl, root, &s);
  *Omega = root;
  *Gamma = cimag(pol ? s.T : s.L) / root;
  return GV_OK;
}

/* ------------------------------------------------------------ Rayleigh */
/* Im s_P(w) ~ K_P w^3 at small w for velocities (vl, vt). */
static double k3_L(double A, double a, double vl, double vt) {
  return 2 * A * a * a * a * (0.8 / pow(vl, 5) + (8.0 / 15.0) / pow(vt, 5));
}
static double k3_T(double A, double a, double vl, double vt) {
  return A * a * a * a * (0.8 / pow(vt, 5) + (8.0 / 15.0) / pow(vl, 5));
}

/* lim Gamma_P / q^4 = K c_eff^2, with Im Sigma_P ~ K q^2 w^3 and Omega -> c_eff q. */
static double rayleigh(const gv_born_params *p, int pol) {
  double vl = NAN, vt = NAN;
  if (gv_born_intermediate_velocities(p, &vl, &vt)) return NAN;
  double A = p->A, a = p->a;
  double K = pol ? k3_T(A, a, vl, vt) : k3_L(A, a, vl, vt);
  if (p->kind == GV_GBA_FIRST || p->kind == GV_GBA_RESUMMED) {
    /* Second order at k -> 0: Sigma2_XY -> (A/2)(k^2/v_Y^4) (int W_XY) Delta_s_Y(w). */
    double KL = k3_L(A, a, p->cl, p->ct), KT = k3_T(A, a, p->cl, p->ct);
    double vl4 = pow(vl, 4), vt4 = pow(vt, 4);
    if (pol == 0)
      K += 0.5 * A * (1.6 * KL / vl4 + (16.0 / 15.0) * KT / vt4);
    else
      K += 0.25 * A * (1.6 * KT / vt4 + (16.0 / 15.0) * KL / vl4);
  }
  double c = pol ? p->ct : p->cl;
  double s0 = pol ? -0.4 * A * (1 / (vt * vt) + (2.0 / 3.0) / (vl * vl))
                  : -0.8 * A * (1 / (vl * vl) + (2.0 / 3.0) / (vt * vt));
  return K * (c * c + s0);
}

double gv_born_rayleigh_coeff_L(const gv_born_params *p) { return rayleigh(p, 0); }
double gv_born_rayleigh_coeff_T(const gv_born_params *p) { return rayleigh(p, 1); }

void gv_born_spectra(double q, double w, double c, double complex sigma, double *S, double *C) {
  double s = 0;
  if (w > 0) {
    double complex G = 1.0 / (w * w - c * c * q * q - sigma);
    s = q * q / w * fabs(cimag(G));
  }
  if (S) *S = s;
  if (C) *C = w * w / (q * q) * s;
}

int gv_born_map(const gv_born_params *p, const double *q, size_t nq, const double *w, size_t nw,
                gv_born_sigma *out, double *qerr) {
  int status = gv_born_validate(p);
  if (status) return status;
  for (size_t i = 0; i < nq; i++)
    if (!isfinite(q[i]) || q[i] <= 0) return GV_ERROR(GV_EINVAL, "wavevector q = %g must be > 0", q[i]);
  for (size_t j = 0; j < nw; j++)
    if (!isfinite(w[j]) || w[j] < 0) return GV_ERROR(GV_EINVAL, "frequency w = %g must be >= 0", w[j]);
  int fail = GV_OK;
  char msg[256] = "";
#pragma omp parallel for schedule(dynamic, 1)
  for (long iq = 0; iq < (long)nq; iq++) {
    int bad;
#pragma omp atomic read
    bad = fail;
    if (bad || gv_interrupted()) continue;
    gv_born_plan *pl = NULL;
    int st = gv_born_plan_create(p, q[iq], &pl);
    if (st < 0) {
#pragma omp critical(gv_born_map_err)
      {
        if (!fail) {
          fail = st;
          snprintf(msg, sizeof msg, "%s", gv_error_message());
        }
      }
      continue;
    }
    for (size_t j = 0; j < nw; j++) gv_born_plan_eval(pl, w[j], &out[(size_t)iq * nw + j]);
    if (qerr) qerr[iq] = pl->err;
    gv_born_plan_destroy(&pl);
  }
  if (fail) return GV_ERROR(fail, "%s", msg);
  if (gv_interrupted()) return GV_ERROR(GV_EINTERRUPTED, "interrupted");
  return GV_OK;
}
