/* Nonlinear modes: the sphere minimiser on toy costs with known minima, and
 * quartic/cubic modes of a spring lattice with one soft, asymmetric site: the
 * mode satisfies M.z = (kappa/chi) U'''':zzz and, the soft mode being
 * isolated, coincides with the lowest harmonic mode. */
#include <string.h>

#include "glassvib/linalg.h"
#include "testlib.h"
#include "toy.h"

typedef struct { long n; const double *a, *b, *c; int order; } toy;
/* quartic: f = (sum a z^2)^2 / sum c z^4; cubic: f = (sum a z^2)^3 / (sum b z^3)^2 */
static int toy_fn(void *ctx, const double *z, double *f, double *g) {
  toy *t = ctx;
  double k = 0, q = 0;
  for (long i = 0; i < t->n; i++) {
    k += t->a[i] * z[i] * z[i];
    q += t->order == 4 ? t->c[i] * pow(z[i], 4) : t->b[i] * pow(z[i], 3);
  }
  if (t->order == 4) {
    *f = k * k / q;
    for (long i = 0; i < t->n; i++)
      g[i] = 2 * k / q * 2 * t->a[i] * z[i] - k * k / (q * q) * 4 * t->c[i] * pow(z[i], 3);
  } else {
    *f = k * k * k / (q * q);
    for (long i = 0; i < t->n; i++)
      g[i] = 3 * k * k / (q * q) * 2 * t->a[i] * z[i] - 2 * k * k * k / (q * q * q) * 3 * t->b[i] * z[i] * z[i];
  }
  return 0;
}

static void toy_tests(void) {
  long n = 60;
  double a[60], b[60], c[60], z[60];
  gv_rng r;
  gv_rng_init(&r, 77, 0, GV_RNG_ANALYSIS);
  long best = 0;
  double fb = 1e300;
  for (long i = 0; i < n; i++) {
    a[i] = 0.3 + 2.385 * gv_rng_uniform(&r);
    b[i] = 0.5 + gv_rng_uniform(&r);
    c[i] = 0.5 + 1.5 * gv_rng_uniform(&r);
    if (a[i] * a[i] / c[i] < fb) fb = a[i] * a[i] / c[i], best = i;
  }
  for (int order = 3; order <= 4; order++) {
    toy t = {n, a, b, c, order};
    fb = 1e300;
    for (long i = 0; i < n; i++) {
      double fi = order == 3 ? pow(a[i], 3) / (b[i] * b[i]) : a[i] * a[i] / c[i];
      if (fi < fb) fb = fi, best = i;
    }
    for (long i = 0; i < n; i++) z[i] = (i == best ? 1.0 : 0.0) + 0.02 * gv_rng_normal(&r);
    long it = 0;
    double gn = 0;
    CHECK_OK(gv_sphere_minimize(toy_fn, &t, n, z, 1e-10, 5000, NULL, &it, &gn));
    double f, g[60];
    toy_fn(&t, z, &f, g);
    CHECK_CLOSE(f, fb, 1e-10, 0);
    CHECK_CLOSE(fabs(z[best]), 1.0, 1e-8, 0);
    printf("toy order %d: f = %.12g (expected %.12g) in %ld iterations\n", order, f, fb, it);
  }
}

/* sc lattice with site 0 held by soft springs, stiffer along -x than +x */
static int defect_lattice(long L, gv_pairset **ps) {
  gv_pairset *p0 = NULL;
  double a = 1.0, k = 2.385, l0 = 0.4;
  int st = toy_sc_lattice(L, a, k, l0, &p0);
  if (st) return st;
  long np = p0->npairs;
  double *dp = malloc(sizeof(double) * np * 5), *rv = malloc(sizeof(double) * np * 3);
  memcpy(dp, p0->dphi, sizeof(double) * np * 5);
  memcpy(rv, p0->r, sizeof(double) * np * 3);
  for (long q = 0; q < np; q++) {
    if (p0->pi[q] != 0 && p0->pj[q] != 0) continue;
    /* direction of the bond and its side (+ or -) seen from site 0 */
    int d = fabs(rv[q * 3]) > 0.5 ? 0 : fabs(rv[q * 3 + 1]) > 0.5 ? 1 : 2;
    double side = (p0->pi[q] == 0 ? -1 : 1) * rv[q * 3 + d]; /* x_j - x_0 component */
    double ks = d == 0 ? (side > 0 ? 0.01 : 0.02) : (d == 1 ? 0.08 : 0.12);
    /* a soft spring with a cubic term so that tau != 0: phi = ks/2 (r-l)^2 + k3/6 (r-l)^3 */
    double l = 0.9, k3 = 0.08 * side;
    dp[q * 5 + 1] = ks * (a - l) + 0.5 * k3 * (a - l) * (a - l);
    dp[q * 5 + 2] = ks + k3 * (a - l);
    dp[q * 5 + 3] = k3;
    dp[q * 5 + 4] = 0;
  }
  st = gv_pairset_create(ps, 3, p0->n, np, p0->pi, p0->pj, rv, dp);
  free(dp);
  free(rv);
  gv_pairset_destroy(&p0);
  return st;
}

static void lattice_tests(void) {
  gv_pairset *ps = NULL;
  CHECK_OK(defect_lattice(6, &ps));
  long nd = ps->n * 3;
  double *M = malloc(sizeof(double) * nd * nd), *w = malloc(sizeof(double) * nd), *u = calloc(nd, sizeof(double));
  for (long q = 0; q < nd; q++) {
    u[q] = 1;
    gv_anharmonic_contract(ps, u, M + q * nd, NULL, NULL, NULL);
    u[q] = 0;
  }
  CHECK_OK(gv_linalg_dense_syev(nd, M, w));
  long k0 = 0;
  while (k0 < nd && w[k0] < 1e-8) k0++;
  printf("lowest harmonic: %.6g, next %.6g\n", w[k0], w[k0 + 1]);
  CHECK(w[k0 + 1] > 1.5 * w[k0], "the soft mode must be isolated");
  const double *psi = M + k0 * nd;
  for (int order = 4; order >= 3; order--) {
    for (int pre = 0; pre < 2; pre++) {
      gv_qlm_solver *S = NULL;
      if (pre) CHECK_OK(gv_qlm_dense_solver_create(&S, ps));
      double *z = malloc(sizeof(double) * nd);
      memcpy(z, psi, sizeof(double) * nd);
      gv_nlmode_opts o;
      gv_nlmode_opts_default(&o);
      o.order = order;
      o.tol = 1e-10;
      o.precond = S;
      gv_nlmode_result r;
      CHECK_OK(gv_nlmode_find(ps, &o, z, &r));
      double ov = 0;
      for (long q = 0; q < nd; q++) ov += z[q] * psi[q];
      printf("order %d precond %d: kappa %.8g tau %.6g chi %.6g e %.4f overlap %.6f residual %.2e it %ld\n",
             order, pre, r.kappa, r.tau, r.chi, r.participation, fabs(ov), r.residual, r.iterations);
      CHECK(r.residual < 1e-8, "stationarity residual %g", r.residual);
      CHECK(fabs(ov) > 0.99, "nonlinear mode must tend to the isolated harmonic mode (overlap %g)", ov);
      CHECK(r.kappa >= w[k0] * (1 - 1e-12) && r.kappa < 1.05 * w[k0], "kappa near the harmonic one");
      CHECK(r.center_particle == 0, "centred on the soft site");
      CHECK(r.tau >= 0, "sign convention tau >= 0");
      gv_qlm_solver_destroy(&S);
      free(z);
    }
  }
  free(M);
  free(w);
  free(u);
  gv_pairset_destroy(&ps);
}

int main(void) {
  toy_tests();
  lattice_tests();
  return tl_finish();
}
