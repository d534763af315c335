/* Dipole responses on a periodic simple-cubic lattice of identical springs
 * against the analytic lattice sum (docs/qlm.md), residuals of M z = d, kappa
 * as the Rayleigh quotient of z, dense vs sparse solvers, the infinite-lattice
 * limit k/W (Watson's integral), pair selection and the statistics. */
#include <stdlib.h>
#include <string.h>

#include "testlib.h"
#include "toy.h"

static void lattice_case(long L, double a, double k, double l0, int sparse) {
  gv_pairset *ps = NULL;
  gv_qlm_solver *S = NULL;
  gv_dipole_result *res = NULL;
  CHECK_OK(toy_sc_lattice(L, a, k, l0, &ps));
  if (sparse) CHECK_OK(gv_qlm_sparse_solver_create(&S, ps));
  else CHECK_OK(gv_qlm_dense_solver_create(&S, ps));
  if (!S) return;
  long sel[3] = {0, 1, 2 + 3 * 7}; /* bonds along x, y and a z bond elsewhere */
  long nd = ps->n * 3;
  double *zk = malloc(sizeof(double) * nd * 3), *Mz = malloc(sizeof(double) * nd);
  CHECK_OK(gv_dipole_responses(ps, S, sel, 3, 1, sel, 3, zk, &res));
  double expect = gv_dipole_kappa_cubic_lattice(L, k, k * (1 - l0 / a));
  for (int q = 0; q < 3; q++) {
    CHECK_CLOSE(res->kappa[q], expect, 1e-9, 0);
    CHECK(res->resid[q] < 1e-9, "residual |Mz - d|/|d| = %g", res->resid[q]);
    /* Rayleigh quotient z.M.z / z.z */
    gv_anharm h;
    CHECK_OK(gv_anharmonic_contract(ps, zk + q * nd, Mz, NULL, NULL, &h));
    double zz = 0, tr[3] = {0, 0, 0};
    for (long i = 0; i < nd; i++) {
      zz += zk[q * nd + i] * zk[q * nd + i];
      tr[i % 3] += zk[q * nd + i];
    }
    CHECK_CLOSE(h.kappa / zz, res->kappa[q], 1e-10, 0);
    CHECK(fabs(tr[0]) + fabs(tr[1]) + fabs(tr[2]) < 1e-10 * sqrt(zz) * ps->n,
          "z must be orthogonal to translations");
  }
  printf("L=%ld k_par=%g k_perp=%g: kappa = %.12g (analytic %.12g) %s\n", L, k, k * (1 - l0 / a),
         res->kappa[0], expect, sparse ? "sparse" : "dense");
  free(zk);
  free(Mz);
  gv_dipole_result_destroy(&res);
  gv_qlm_solver_destroy(&S);
  gv_pairset_destroy(&ps);
}

/* The fused sparse kernel (no residual check, no fields: sparse forward
 * solves, elimination-tree ordering, blocked backward solves, threads) on
 * every bond of a perfect lattice: all bonds are equivalent, so every kappa
 * equals the lattice sum; a and b agree with the plain refined path. Small
 * blocks (GV_DIPOLE_BLOCK=7) make ragged blocks and several per thread. */
static void fused_case(const char *block) {
  gv_pairset *ps = NULL;
  gv_qlm_solver *S = NULL;
  gv_dipole_result *r1 = NULL, *r2 = NULL;
  long L = 6;
  double a = 1.1, k = 2.385, l0 = 0.37;
  CHECK_OK(toy_sc_lattice(L, a, k, l0, &ps));
  if (block) setenv("GV_DIPOLE_BLOCK", block, 1);
  CHECK_OK(gv_qlm_sparse_solver_create(&S, ps));
  unsetenv("GV_DIPOLE_BLOCK");
  if (!S) return;
  CHECK(S->dipoles != NULL, "the sparse solver has the fused kernel");
  long *sel = NULL, ns = 0;
  CHECK_OK(gv_dipole_select(ps, 0, 0, 1, &sel, &ns));
  long nd = 3 * ps->n;
  double *zk = malloc(sizeof(double) * nd);
  CHECK_OK(gv_dipole_responses(ps, S, sel, ns, 1, NULL, 0, NULL, &r1));      /* fused, with residuals */
  CHECK_OK(gv_dipole_responses(ps, S, sel, ns, 1, sel, 1, zk, &r2));         /* a kept field: refined path */
  double expect = gv_dipole_kappa_cubic_lattice(L, k, k * (1 - l0 / a)), worst = 0, wab = 0;
  for (long q = 0; q < ns && r1 && r2; q++) {
    worst = fmax(worst, fabs(r1->kappa[q] / expect - 1));
    wab = fmax(wab, fmax(fabs(r1->a[q] / r2->a[q] - 1), fabs(r1->b[q] / r2->b[q] - 1)));
    CHECK(r1->pair[q] == sel[q], "results in selection order");
    CHECK(r1->resid[q] < 1e-9 && r2->resid[q] < 1e-9, "residuals %g %g", r1->resid[q], r2->resid[q]);
  }
  printf("fused kernel (block %s), %ld bonds: max |kappa/analytic - 1| = %.2e, max a, b mismatch vs refined %.2e\n",
         block ? block : "default", ns, worst, wab);
  CHECK(worst < 1e-9, "every bond's kappa equals the lattice sum (%g)", worst);
  CHECK(wab < 1e-9, "fused and refined paths agree (%g)", wab);
  free(sel);
  free(zk);
  gv_dipole_result_destroy(&r1);
  gv_dipole_result_destroy(&r2);
  gv_qlm_solver_destroy(&S);
  gv_pairset_destroy(&ps);
}

int main(void) {
  /* stressed springs (tension): k_perp = k (1 - l0/a) */
  lattice_case(6, 1.1, 2.385, 0.37, 0);
  lattice_case(6, 1.1, 2.385, 0.37, 1);
  lattice_case(8, 1.0, 1.7, 0.0, 1); /* zero-rest-length springs: isotropic */
  fused_case(NULL);
  fused_case("7");
  /* infinite-lattice limit for isotropic springs: kappa -> k / W */
  const double W = 0.2527310098586758;
  double prev = 1e300;
  long Ls[3] = {16, 32, 64};
  for (int q = 0; q < 3; q++) {
    double kap = gv_dipole_kappa_cubic_lattice(Ls[q], 2.385, 2.385);
    double dev = fabs(kap - 2.385 / W);
    printf("L=%ld kappa=%.8f  k/W=%.8f\n", Ls[q], kap, 2.385 / W);
    CHECK(dev < prev, "kappa(L) must approach k/W monotonically");
    prev = dev;
  }
  /* the finite-size correction is O(1/L): Richardson 2 kappa(2L) - kappa(L) -> k/W */
  double k32 = gv_dipole_kappa_cubic_lattice(32, 2.385, 2.385);
  double k64 = gv_dipole_kappa_cubic_lattice(64, 2.385, 2.385);
  CHECK_CLOSE(2 * k64 - k32, 2.385 / W, 1e-3, 0);
  /* compressed springs (l0 > a): negative transverse stiffness -> unstable */
  {
    gv_pairset *ps = NULL;
    gv_qlm_solver *S = NULL;
    CHECK_OK(toy_sc_lattice(4, 1.0, 1.0, 1.3, &ps));
    CHECK(gv_qlm_dense_solver_create(&S, ps) == GV_EUNSTABLE, "unstable lattice must be refused");
    CHECK(gv_qlm_sparse_solver_create(&S, ps) == GV_EUNSTABLE && !S, "unstable lattice (sparse)");
    gv_pairset_destroy(&ps);
  }
  /* selection: forces and random subsets */
  {
    gv_pairset *ps = NULL;
    CHECK_OK(toy_sc_lattice(4, 1.0, 1.0, 0.9995, &ps)); /* |f| = 5e-4 */
    long *sel = NULL, ns = 0;
    CHECK_OK(gv_dipole_select(ps, 1e-3, 0, 1, &sel, &ns));
    CHECK(ns == ps->npairs, "all pairs below 1e-3");
    free(sel);
    CHECK(gv_dipole_select(ps, 1e-4, 0, 1, &sel, &ns) == GV_EINVAL, "no pair below 1e-4");
    long *s1 = NULL, *s2 = NULL, n1, n2;
    CHECK_OK(gv_dipole_select(ps, 0, 17, 5, &s1, &n1));
    CHECK_OK(gv_dipole_select(ps, 0, 17, 5, &s2, &n2));
    CHECK(n1 == 17 && memcmp(s1, s2, sizeof(long) * 17) == 0, "random subset reproducible");
    for (long q = 1; q < n1; q++) CHECK(s1[q] > s1[q - 1], "subset sorted and distinct");
    free(s1);
    free(s2);
    gv_pairset_destroy(&ps);
  }
  /* statistics on a planted p(x) ~ x^0.8 on [0, 1] */
  {
    long n = 40000;
    double *x = malloc(sizeof(double) * n);
    gv_rng r;
    gv_rng_init(&r, 2385, 0, GV_RNG_ANALYSIS);
    for (long q = 0; q < n; q++) x[q] = pow(gv_rng_uniform(&r), 1 / 1.8);
    gv_dipole_stats st;
    CHECK_OK(gv_dipole_statistics(x, n, 0, 0, &st));
    CHECK_CLOSE(st.mean, 1.8 / 2.8, 0, 5 * 0.2 / sqrt((double)n));
    CHECK_CLOSE(st.median, pow(0.5, 1 / 1.8), 0.01, 0);
    CHECK_CLOSE(st.eta, 0.8, 0, 4 * st.eta_err);
    printf("planted eta 0.8: eta = %.3f +- %.3f (LS %.3f) from %ld values in [%.3g, %.3g]\n",
           st.eta, st.eta_err, st.eta_ls, st.n_fit, st.fit_lo, st.fit_hi);
    free(x);
  }
  return tl_finish();
}
