/* Slow: the block shift-invert eigensolver on a real 3D glass Hessian (IPL,
 * N = 1200, instant quench minimised to max force 1e-8), the lowest K = 100
 * non-trivial modes, against
 *   - dense LAPACK dsyevd (all 3597 non-trivial modes): eigenvalues to 1e-10
 *     relative, eigenvectors' |overlap| to 1 - 1e-8 (no exact degeneracies in
 *     a glass);
 *   - the single-vector ARPACK path: eigenvalues to 1e-10 relative;
 *   - the block solver with another block size and start vector (b = 12):
 *     same eigenvalues (the restart policy, Cholesky-QR and shift do not
 *     leak into the result).
 * Residuals ||M v - lambda v|| of the block solver are reported and bounded
 * by 1e-8 x the mean diagonal. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "glassvib/dyn.h"
#include "glassvib/glassvib.h"
#include "glassvib/hessian.h"
#include "testlib.h"

int main(void) {
  const long N = 1200;
  const int K = 100;
  gv_model m;
  CHECK_OK(gv_model_init(&m, "ipl", 3));
  gv_system *s = NULL;
  CHECK_OK(gv_system_create_random(&s, &m, N, 2385));
  gv_min_params p;
  gv_min_params_default(&p);
  p.ftol = 1e-8;
  p.max_iter = 200000;
  gv_min_result r;
  CHECK_OK(gv_minimize_system(&m, s, &p, &r));
  gv_hessian *H = NULL;
  CHECK_OK(gv_hessian_create(&H, &m, s, 0.0));
  const gv_sparse *M = H->M;
  const int64_t n = M->n;
  const double mdiag = gv_linalg_sparse_mean_diagonal(M);

  gv_eigopts o;
  gv_linalg_eigopts_default(&o);
  o.dim = 3;
  gv_eigen eb, ea, e12, ed;
  CHECK_OK(gv_linalg_eig_lowest(M, K, &o, &eb));
  CHECK(!strcmp(eb.method, "block-lanczos-shift-invert-cholmod") && eb.k == K, "block: %s k = %d", eb.method,
        eb.k);
  o.solver = GV_EIG_ARPACK;
  CHECK_OK(gv_linalg_eig_lowest(M, K, &o, &ea));
  o.solver = GV_EIG_BLOCK;
  o.block = 12;
  o.seed = 77;
  CHECK_OK(gv_linalg_eig_lowest(M, K, &o, &e12));
  o.block = 0;
  CHECK_OK(gv_linalg_eig_all(M, &o, &ed));
  CHECK(ed.k == n - 3, "dense: %d modes", ed.k);

  double d_dense = 0, d_arpack = 0, d_b12 = 0, ov = 1;
  for (int j = 0; j < K && j < eb.k && j < ea.k && j < e12.k; j++) {
    const double l = fabs(ed.lambda[j]);
    d_dense = fmax(d_dense, fabs(eb.lambda[j] - ed.lambda[j]) / l);
    d_arpack = fmax(d_arpack, fabs(eb.lambda[j] - ea.lambda[j]) / l);
    d_b12 = fmax(d_b12, fabs(eb.lambda[j] - e12.lambda[j]) / l);
    double dot = 0;
    for (int64_t i = 0; i < n; i++) dot += eb.vec[j * n + i] * ed.vec[j * n + i];
    ov = fmin(ov, fabs(dot));
  }
  CHECK(eb.n_negative == 0 && eb.lambda[0] > 1e-6 * mdiag, "lowest mode %g (negative %d)", eb.lambda[0],
        eb.n_negative);
  CHECK(d_dense < 1e-10, "block vs dense LAPACK: eigenvalues differ by %g (relative)", d_dense);
  CHECK(d_arpack < 1e-10, "block vs ARPACK: eigenvalues differ by %g (relative)", d_arpack);
  CHECK(d_b12 < 1e-10, "block 24 vs block 12: eigenvalues differ by %g (relative)", d_b12);
  CHECK(ov > 1 - 1e-8, "block vs dense eigenvectors: smallest |overlap| %.12f", ov);
  CHECK(eb.max_residual < 1e-8 * mdiag, "block residual %g (mean diagonal %g)", eb.max_residual, mdiag);
  printf("3D IPL glass N = %ld, K = %d: block (b = %d, %ld vectors, sigma %.3g) vs dense %.1e, vs ARPACK (%ld "
         "solves) %.1e, vs b = 12 (%ld vectors) %.1e; min |overlap| 1 - %.1e; residuals block %.1e ARPACK %.1e "
         "dense %.1e (mean diagonal %.3g)\n",
         N, K, eb.block_size, eb.n_op, eb.sigma, d_dense, ea.n_op, d_arpack, e12.n_op, d_b12, 1 - ov,
         eb.max_residual, ea.max_residual, ed.max_residual, mdiag);
  gv_linalg_eigen_free(&eb);
  gv_linalg_eigen_free(&ea);
  gv_linalg_eigen_free(&e12);
  gv_linalg_eigen_free(&ed);
  gv_hessian_destroy(&H);
  gv_system_destroy(&s);
  return tl_finish();
}
