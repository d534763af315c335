/* Pair potentials of the computer-glass models (shared/models.md).
 *
 *   phi_ij(r) = eps_ij f(x),  x = r / lambda_ij,  f = 0 for x >= x_c
 *   ipl, poly, poly-nbc:  g(x) = x^-n                 (n = 10, 10, 12)
 *   kablj:                g(x) = 4 (x^-12 - x^-6)     (lambda = sigma_ab)
 *   polynomial taper q:   f(x) = g(x) + sum_{l=0..q} c_{2l} x^{2l}
 *        with f^(k)(x_c) = 0 for k = 0..q. For g = x^-n the coefficients have
 *        the closed form (models.md; Lerner et al.)
 *          c_{2l} = (-1)^{l+1} (n+2q)!! / [(2q-2l)!! (2l)!! (n-2)!! (n+2l)] x_c^-(n+2l);
 *        for any other g they solve the (q+1)x(q+1) linear system
 *          sum_l c_{2l} d^k/dx^k x^{2l} |_{x_c} = -g^(k)(x_c),  k = 0..q.
 *   cinf taper: f(x) = g(x) S(t), t = (x - x_on)/(x_c - x_on),
 *          S = psi(1-t) / (psi(1-t) + psi(t)),  psi(t) = exp(-1/t) (t > 0), 0 else,
 *        the standard C-infinity step: S = 1 for x <= x_on, exactly 0 for
 *        x >= x_c, every derivative continuous. Its derivatives (k <= 4) are
 *        evaluated exactly (to rounding) with truncated Taylor arithmetic (jets).
 *   Radial derivatives: phi^(k)(r) = eps_ij lambda_ij^-k f^(k)(x).
 *
 * Pair scales: binary mixtures use tables eps[a][b], lambda[a][b] by species;
 * polydisperse models lambda_ij = (l_i + l_j)/2 (1 - nonadd |l_i - l_j|), eps = 1
 * (Ninarello, Berthier, Coslovich, PRX 7, 021039 (2017)).
 * Units: energy eps, length lambda (small particle), k_B = 1. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/pot.h"

/* Default onset of the cinf taper, as a fraction of x_c: the step acts on the
 * outer 20 % of the range (x_on = 0.8 x_c; IPL: 1.184..1.48). */
#define GV_CINF_ONSET_FRACTION 0.8

/* Default number densities N/V. "confirmed": reproduces the public
 * configurations (models.md); others documented in docs/models.md. */
static double default_density(gv_model_kind k, int dim) {
  switch (k) {
  case GV_MODEL_IPL: return dim == 2 ? 0.86 : dim == 3 ? 0.82 : GV_IPL_DENSITY_4D;
  case GV_MODEL_POLY: return dim == 2 ? 0.65 : dim == 3 ? GV_POLY_DENSITY_3D : GV_POLY_DENSITY_4D;
  case GV_MODEL_POLY_NBC: return dim == 2 ? GV_NBC_DENSITY_2D : dim == 3 ? 1.02 : GV_NBC_DENSITY_4D;
  case GV_MODEL_KABLJ: return dim == 2 ? GV_KABLJ_DENSITY_2D : dim == 3 ? 1.2 : GV_KABLJ_DENSITY_4D;
  }
  return NAN;
}

int gv_model_kind_from_name(const char *name, gv_model_kind *k) {
  if (!name) return GV_ERROR(GV_EINVAL, "no model name given");
  if (!strcmp(name, "ipl")) *k = GV_MODEL_IPL;
  else if (!strcmp(name, "poly")) *k = GV_MODEL_POLY;
  else if (!strcmp(name, "poly-nbc")) *k = GV_MODEL_POLY_NBC;
  else if (!strcmp(name, "kablj")) *k = GV_MODEL_KABLJ;
  else return GV_ERROR(GV_EINVAL, "unknown model '%s' (ipl, poly, poly-nbc, kablj)", name);
  return GV_OK;
}

int gv_model_init(gv_model *m, const char *name, int dim) {
  gv_model_kind k = GV_MODEL_IPL;
  int status = gv_model_kind_from_name(name, &k);
  if (status) return status;
  if (dim < 2 || dim > 4) return GV_ERROR(GV_EINVAL, "model '%s': dimension %d not supported (2, 3 or 4)", name, dim);
  memset(m, 0, sizeof *m);
  m->kind = k;
  snprintf(m->name, sizeof m->name, "%s", name);
  m->dim = dim;
  m->density = default_density(k, dim);
  m->nonadd = 0;
  m->size_min = m->size_max = NAN;
  m->fraction[0] = m->fraction[1] = NAN;
  int q = 3;
  switch (k) {
  case GV_MODEL_IPL:
    m->n_exp = 10;
    m->x_c = 1.48;
    m->ntypes = 2;
    m->fraction[0] = m->fraction[1] = 0.5;
    m->lambda[0][0] = 1.0;
    m->lambda[0][1] = m->lambda[1][0] = 1.18;
    m->lambda[1][1] = 1.4;
    for (int a = 0; a < 2; a++)
      for (int b = 0; b < 2; b++) m->eps[a][b] = 1.0;
    break;
  case GV_MODEL_POLY:
    m->n_exp = 10;
    m->x_c = 1.5;
    m->nonadd = 0.1;
    m->size_min = 1.0;
    m->size_max = 2.22;
    m->eps[0][0] = 1.0;
    break;
  case GV_MODEL_POLY_NBC:
    m->n_exp = 12;
    m->x_c = 1.25;
    m->nonadd = 0.2;
    m->size_min = 0.72533;
    m->size_max = 1.60950;
    m->eps[0][0] = 1.0;
    q = 2;
    break;
  case GV_MODEL_KABLJ:
    m->n_exp = 12;
    m->x_c = 2.5;
    m->ntypes = 2;
    m->fraction[0] = 0.8;
    m->fraction[1] = 0.2;
    m->lambda[0][0] = 1.0;
    m->lambda[0][1] = m->lambda[1][0] = 0.8;
    m->lambda[1][1] = 0.88;
    m->eps[0][0] = 1.0;
    m->eps[0][1] = m->eps[1][0] = 1.5;
    m->eps[1][1] = 0.5;
    q = 0;
    break;
  }
  m->x_on = GV_CINF_ONSET_FRACTION * m->x_c;
  return gv_model_set_smoothing(m, q);
}

int gv_model_is_polydisperse(const gv_model *m) {
  return m->kind == GV_MODEL_POLY || m->kind == GV_MODEL_POLY_NBC;
}

/* ------------------------------------------------- untapered shape g(x) */

/* g^(k)(x), k = 0..4 into d (pure power laws: exact falling factorials). */
static void shape_bare(const gv_model *m, double x, int nd, double *d) {
  double ix = 1.0 / x;
  if (m->kind == GV_MODEL_KABLJ) {
    double ix6 = ix * ix * ix;
    ix6 *= ix6;
    double a = 4.0 * ix6 * ix6, b = -4.0 * ix6; /* 4 x^-12, -4 x^-6 */
    double pa = -12, pb = -6;
    for (int k = 0; k <= nd; k++) {
      d[k] = a + b;
      a *= pa * ix;
      b *= pb * ix;
      pa -= 1;
      pb -= 1;
    }
    return;
  }
  double n = m->n_exp;
  double v = (n == 10) ? pow(ix * ix, 5) : (n == 12 ? pow(ix * ix, 6) : pow(x, -n));
  double p = -n;
  for (int k = 0; k <= nd; k++) {
    d[k] = v;
    v *= p * ix;
    p -= 1;
  }
}

/* k-th derivative of x^e (integer e >= 0) at x. */
static double dpow(int e, int k, double x) {
  if (k > e) return 0.0;
  double c = 1;
  for (int i = 0; i < k; i++) c *= (e - i);
  return c * pow(x, e - k);
}

static double dfact(int k) { /* k!! for k >= -1 */
  double r = 1;
  for (int i = k; i > 1; i -= 2) r *= i;
  return r;
}

/* Solve A c = b (size <= 5) by Gaussian elimination with pivoting. */
static int solve_small(int n, double a[5][5], double *b) {
  for (int c = 0; c < n; c++) {
    int p = c;
    for (int r = c + 1; r < n; r++)
      if (fabs(a[r][c]) > fabs(a[p][c])) p = r;
    if (a[p][c] == 0) return 1;
    for (int j = 0; j < n; j++) {
      double t = a[p][j];
      a[p][j] = a[c][j];
      a[c][j] = t;
    }
    double t = b[p];
    b[p] = b[c];
    b[c] = t;
    for (int r = c + 1; r < n; r++) {
      double f = a[r][c] / a[c][c];
      for (int j = c; j < n; j++) a[r][j] -= f * a[c][j];
      b[r] -= f * b[c];
    }
  }
  for (int r = n - 1; r >= 0; r--) {
    double s = b[r];
    for (int j = r + 1; j < n; j++) s -= a[r][j] * b[j];
    b[r] = s / a[r][r];
  }
  return 0;
}

int gv_model_taper_solve(const gv_model *m, int q, double c[5]) {
  if (q < 0 || q > 4) return GV_ERROR(GV_EINVAL, "taper order q = %d out of range 0..4", q);
  double a[5][5], g[5];
  shape_bare(m, m->x_c, q, g);
  for (int k = 0; k <= q; k++) {
    for (int l = 0; l <= q; l++) a[k][l] = dpow(2 * l, k, m->x_c);
    g[k] = -g[k];
  }
  if (solve_small(q + 1, a, g)) return GV_ERROR(GV_ENUMERIC, "taper system is singular");
  for (int l = 0; l < 5; l++) c[l] = l <= q ? g[l] : 0.0;
  return GV_OK;
}

int gv_model_taper_closed_form(const gv_model *m, int q, double c[5]) {
  double n = m->n_exp;
  if (m->kind == GV_MODEL_KABLJ || n != floor(n) || n < 2)
    return GV_ERROR(GV_ENOTSUP, "closed-form taper needs a pure inverse power law with integer n");
  int ni = (int)n;
  for (int l = 0; l < 5; l++) c[l] = 0;
  for (int l = 0; l <= q; l++) {
    double sign = (l % 2 == 0) ? -1.0 : 1.0; /* (-1)^(l+1) */
    c[l] = sign * dfact(ni + 2 * q) / (dfact(2 * q - 2 * l) * dfact(2 * l) * dfact(ni - 2) * (ni + 2 * l)) *
           pow(m->x_c, -(n + 2 * l));
  }
  return GV_OK;
}

int gv_model_set_smoothing(gv_model *m, int smoothing) {
  if (smoothing != GV_SMOOTH_CINF && (smoothing < 0 || smoothing > 4))
    return GV_ERROR(GV_EINVAL, "smoothing %d must be 0..4 or cinf", smoothing);
  m->smoothing = smoothing;
  for (int l = 0; l < 5; l++) m->c[l] = 0;
  if (smoothing == GV_SMOOTH_CINF) {
    if (!(m->x_on > 0 && m->x_on < m->x_c))
      return GV_ERROR(GV_EINVAL, "cinf taper onset x_on = %g must lie in (0, x_c = %g)", m->x_on, m->x_c);
    return GV_OK;
  }
  if (!(m->x_c > 0) || !isfinite(m->x_c)) return GV_ERROR(GV_EINVAL, "cutoff x_c = %g must be positive", m->x_c);
  if (m->kind != GV_MODEL_KABLJ && m->n_exp == floor(m->n_exp))
    return gv_model_taper_closed_form(m, smoothing, m->c);
  return gv_model_taper_solve(m, smoothing, m->c);
}

int gv_model_parse_smoothing(const char *s, int *smoothing) {
  if (!s) return GV_ERROR(GV_EINVAL, "no smoothing given");
  if (!strcmp(s, "cinf") || !strcmp(s, "inf")) {
    *smoothing = GV_SMOOTH_CINF;
    return GV_OK;
  }
  if (s[0] >= '0' && s[0] <= '4' && s[1] == 0) {
    *smoothing = s[0] - '0';
    return GV_OK;
  }
  return GV_ERROR(GV_EINVAL, "smoothing '%s' must be 0, 1, 2, 3, 4 or cinf", s);
}

void gv_model_smoothing_name(const gv_model *m, char *buf, size_t n) {
  if (m->smoothing == GV_SMOOTH_CINF) snprintf(buf, n, "cinf(x_on=%.6g)", m->x_on);
  else snprintf(buf, n, "q=%d", m->smoothing);
}

int gv_model_validate(const gv_model *m) {
  gv_model_kind k = GV_MODEL_IPL;
  int status = gv_model_kind_from_name(m->name, &k);
  if (status) return status;
  if (k != m->kind) return GV_ERROR(GV_EINVAL, "model name '%s' does not match its kind", m->name);
  if (m->dim < 2 || m->dim > 4) return GV_ERROR(GV_EINVAL, "model dimension %d not supported", m->dim);
  if (!(m->density > 0) || !isfinite(m->density))
    return GV_ERROR(GV_EINVAL, "density %g must be positive and finite", m->density);
  if (!(m->x_c > 0) || !isfinite(m->x_c)) return GV_ERROR(GV_EINVAL, "cutoff x_c = %g must be positive", m->x_c);
  if (!(m->n_exp > 0) || !isfinite(m->n_exp)) return GV_ERROR(GV_EINVAL, "exponent n = %g must be positive", m->n_exp);
  if (m->smoothing != GV_SMOOTH_CINF && (m->smoothing < 0 || m->smoothing > 4))
    return GV_ERROR(GV_EINVAL, "smoothing %d must be 0..4 or cinf", m->smoothing);
  if (m->smoothing == GV_SMOOTH_CINF && !(m->x_on > 0 && m->x_on < m->x_c))
    return GV_ERROR(GV_EINVAL, "cinf taper onset x_on = %g must lie in (0, x_c)", m->x_on);
  for (int l = 0; l < 5; l++)
    if (!isfinite(m->c[l])) return GV_ERROR(GV_EINVAL, "taper coefficient c_%d is not finite", 2 * l);
  if (gv_model_is_polydisperse(m)) {
    if (!(m->size_min > 0 && m->size_max > m->size_min) || !isfinite(m->size_max))
      return GV_ERROR(GV_EINVAL, "size range [%g, %g] is invalid", m->size_min, m->size_max);
    if (!(m->nonadd >= 0) || !(m->nonadd * (m->size_max - m->size_min) < 1))
      return GV_ERROR(GV_EINVAL, "non-additivity %g invalid for sizes [%g, %g]", m->nonadd, m->size_min, m->size_max);
  } else {
    if (m->ntypes != 2) return GV_ERROR(GV_EINVAL, "binary model needs 2 species, has %d", m->ntypes);
    if (!(m->fraction[0] > 0 && m->fraction[1] > 0 && fabs(m->fraction[0] + m->fraction[1] - 1) < 1e-12))
      return GV_ERROR(GV_EINVAL, "composition %g:%g is invalid", m->fraction[0], m->fraction[1]);
    for (int a = 0; a < 2; a++)
      for (int b = 0; b < 2; b++)
        if (!(m->lambda[a][b] > 0) || !(m->eps[a][b] > 0) || m->lambda[a][b] != m->lambda[b][a] ||
            m->eps[a][b] != m->eps[b][a])
          return GV_ERROR(GV_EINVAL, "pair scales of species (%d,%d) are invalid", a, b);
  }
  return GV_OK;
}

/* ------------------------------------------------------ jets (k <= 4) */
/* A jet holds Taylor coefficients a_k = f^(k)/k! of a function at a point. */
typedef struct { double a[5]; } jet;

static jet jet_mul(jet u, jet v, int nd) {
  jet w = {{0}};
  for (int k = 0; k <= nd; k++) {
    double s = 0;
    for (int i = 0; i <= k; i++) s += u.a[i] * v.a[k - i];
    w.a[k] = s;
  }
  return w;
}
static jet jet_recip(jet u, int nd) { /* 1/u */
  jet w = {{0}};
  w.a[0] = 1.0 / u.a[0];
  for (int k = 1; k <= nd; k++) {
    double s = 0;
    for (int i = 1; i <= k; i++) s += u.a[i] * w.a[k - i];
    w.a[k] = -s / u.a[0];
  }
  return w;
}
static jet jet_exp(jet u, int nd) { /* exp(u): k w_k = sum_{i=1..k} i u_i w_{k-i} */
  jet w = {{0}};
  w.a[0] = exp(u.a[0]);
  for (int k = 1; k <= nd; k++) {
    double s = 0;
    for (int i = 1; i <= k; i++) s += i * u.a[i] * w.a[k - i];
    w.a[k] = s / k;
  }
  return w;
}
/* psi(t) = exp(-1/t) with t(x) linear, dt/dx = slope. */
static jet jet_psi(double t, double slope, int nd) {
  jet z = {{0}};
  if (t <= 1.0 / 700.0) return z; /* exp(-700) and all derivatives ~ 0 in double */
  jet u = {{t, slope, 0, 0, 0}};
  jet v = jet_recip(u, nd);
  for (int k = 0; k <= nd; k++) v.a[k] = -v.a[k];
  return jet_exp(v, nd);
}

static const double fact[5] = {1, 1, 2, 6, 24};

void gv_model_shape(const gv_model *m, double x, int nderiv, double *d) {
  if (nderiv > 4) nderiv = 4;
  if (!(x < m->x_c)) {
    for (int k = 0; k <= nderiv; k++) d[k] = 0;
    return;
  }
  shape_bare(m, x, nderiv, d);
  if (m->smoothing != GV_SMOOTH_CINF) {
    /* + sum_l c_{2l} x^{2l}, Horner in x^2 for each derivative. */
    for (int k = 0; k <= nderiv; k++) {
      double s = 0;
      for (int l = 0; l <= m->smoothing; l++)
        if (2 * l >= k) s += m->c[l] * dpow(2 * l, k, x);
      d[k] += s;
    }
    return;
  }
  if (x <= m->x_on) return; /* S = 1 */
  double w = m->x_c - m->x_on, t = (x - m->x_on) / w;
  jet a = jet_psi(1.0 - t, -1.0 / w, nderiv), b = jet_psi(t, 1.0 / w, nderiv);
  jet sum = {{0}};
  for (int k = 0; k <= nderiv; k++) sum.a[k] = a.a[k] + b.a[k];
  jet S = jet_mul(a, jet_recip(sum, nderiv), nderiv);
  jet g = {{0}};
  for (int k = 0; k <= nderiv; k++) g.a[k] = d[k] / fact[k];
  jet f = jet_mul(g, S, nderiv);
  for (int k = 0; k <= nderiv; k++) d[k] = f.a[k] * fact[k];
}

/* ------------------------------------------------------------ pairs */

void gv_model_pair_scales(const gv_model *m, const gv_system *s, long i, long j, double *eps,
                          double *lambda) {
  if (gv_model_is_polydisperse(m)) {
    double li = s->size[i], lj = s->size[j];
    *lambda = 0.5 * (li + lj) * (1.0 - m->nonadd * fabs(li - lj));
    *eps = m->eps[0][0];
  } else {
    int a = s->type[i], b = s->type[j];
    *lambda = m->lambda[a][b];
    *eps = m->eps[a][b];
  }
}

int gv_model_pair(const gv_model *m, const gv_system *s, long i, long j, double r, int nderiv,
                  double *d) {
  double eps, lam;
  gv_model_pair_scales(m, s, i, j, &eps, &lam);
  if (nderiv > 4) nderiv = 4;
  double x = r / lam;
  gv_model_shape(m, x, nderiv, d);
  double f = eps;
  for (int k = 0; k <= nderiv; k++) {
    d[k] *= f;
    f /= lam;
  }
  return x < m->x_c;
}

double gv_model_pair_cutoff(const gv_model *m, const gv_system *s, long i, long j) {
  double eps, lam;
  gv_model_pair_scales(m, s, i, j, &eps, &lam);
  return m->x_c * lam;
}

double gv_model_max_cutoff(const gv_model *m, const gv_system *s) {
  double lmax = 0;
  if (gv_model_is_polydisperse(m)) {
    if (s && s->size) {
      for (long i = 0; i < s->n; i++)
        if (s->size[i] > lmax) lmax = s->size[i];
    } else lmax = m->size_max;
  } else {
    for (int a = 0; a < m->ntypes; a++)
      for (int b = 0; b < m->ntypes; b++)
        if (m->lambda[a][b] > lmax) lmax = m->lambda[a][b];
  }
  return m->x_c * lmax;
}

double gv_model_cutoff_fn(const void *ctx, const gv_system *s, long i, long j) {
  return gv_model_pair_cutoff((const gv_model *)ctx, s, i, j);
}

int gv_model_check_system(const gv_model *m, const gv_system *s) {
  int status = gv_system_validate(s);
  if (status) return status;
  if (s->dim != m->dim) return GV_ERROR(GV_EINVAL, "system is %dD but model '%s' is %dD", s->dim, m->name, m->dim);
  if (gv_model_is_polydisperse(m)) {
    if (!s->size) return GV_ERROR(GV_EINVAL, "model '%s' needs particle sizes", m->name);
    double lo = INFINITY, hi = 0;
    for (long i = 0; i < s->n; i++) {
      if (s->size[i] < lo) lo = s->size[i];
      if (s->size[i] > hi) hi = s->size[i];
    }
    if (!(m->nonadd * (hi - lo) < 1))
      return GV_ERROR(GV_EINVAL, "size spread [%g, %g] too wide for non-additivity %g", lo, hi, m->nonadd);
  } else {
    if (!s->type) return GV_ERROR(GV_EINVAL, "model '%s' needs particle species", m->name);
    for (long i = 0; i < s->n; i++)
      if (s->type[i] < 0 || s->type[i] >= m->ntypes)
        return GV_ERROR(GV_EINVAL, "particle %ld has species %d, model '%s' has species 0..%d", i, s->type[i],
                        m->name, m->ntypes - 1);
  }
  return GV_OK;
}
