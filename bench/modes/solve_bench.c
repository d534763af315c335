/* Bench helper: CHOLMOD orderings and block-solve cost for a Matrix Market
 * Hessian. For each ordering (default = AMD, then METIS if AMD fills badly;
 * AMD; METIS; NESDIS) prints analyse/factor time, nnz(L), flops; then, for the
 * best one, the time of one solve with b right-hand sides and the cost per
 * vector relative to b = 1 (why the block eigensolver uses blocks of ~16-32).
 * Times are CPU seconds of this process (robust on a loaded machine) and wall.
 * usage: solve_bench H.mtx [ORDERING|all] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cholmod.h>

#include "glassvib/linalg.h"

static double cpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

static cholmod_sparse view(const gv_sparse *A) {
  cholmod_sparse s;
  memset(&s, 0, sizeof s);
  s.nrow = s.ncol = (size_t)A->n;
  s.nzmax = (size_t)A->nnz;
  s.p = A->colptr, s.i = A->rowind, s.x = A->val;
  s.stype = 1, s.itype = CHOLMOD_LONG, s.xtype = CHOLMOD_REAL, s.dtype = CHOLMOD_DOUBLE;
  s.sorted = s.packed = 1;
  return s;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: solve_bench H.mtx [default|amd|metis|nesdis|all]\n");
    return 2;
  }
  gv_sparse *A = NULL;
  if (gv_linalg_sparse_read_mtx(&A, argv[1])) {
    fprintf(stderr, "solve_bench: %s\n", gv_error_message());
    return 1;
  }
  const char *which = argc > 2 ? argv[2] : "all";
  const char *names[4] = {"default", "amd", "metis", "nesdis"};
  const int ord[4] = {-1, CHOLMOD_AMD, CHOLMOD_METIS, CHOLMOD_NESDIS};
  double sigma = -1e-3 * gv_linalg_sparse_mean_diagonal(A);
  double beta[2] = {-sigma, 0};
  cholmod_sparse s = view(A);
  printf("# n = %lld, nnz(A) = %lld, sigma = %.4g\n", (long long)A->n, (long long)A->nnz, sigma);
  printf("%-8s %-10s %-10s %-10s %-10s %-10s %-10s\n", "order", "analyse_c", "factor_c", "factor_w",
         "nnz(L)", "Gflop", "Gflop/s");
  int best = -1;
  double best_t = 1e300;
  for (int m = 0; m < 4; m++) {
    if (strcmp(which, "all") && strcmp(which, names[m])) continue;
    cholmod_common cc;
    cholmod_l_start(&cc);
    cc.supernodal = CHOLMOD_SUPERNODAL;
    if (ord[m] >= 0) {
      cc.nmethods = 1;
      cc.method[0].ordering = ord[m];
      cc.postorder = 1;
    }
    double c0 = cpu();
    cholmod_factor *L = cholmod_l_analyze(&s, &cc);
    double c1 = cpu(), w1 = gv_wall_time();
    cholmod_l_factorize_p(&s, beta, NULL, 0, L, &cc);
    double c2 = cpu(), w2 = gv_wall_time();
    printf("%-8s %-10.3f %-10.3f %-10.3f %-10.3g %-10.3g %-10.2f (selected %d)\n", names[m], c1 - c0,
           c2 - c1, w2 - w1, cc.lnz, cc.fl / 1e9, cc.fl / 1e9 / (c2 - c1), cc.method[cc.selected].ordering);
    if (c2 - c1 < best_t) best_t = c2 - c1, best = m;
    cholmod_l_free_factor(&L, &cc);
    cholmod_l_finish(&cc);
  }
  /* block solves with the best ordering */
  cholmod_common cc;
  cholmod_l_start(&cc);
  cc.supernodal = CHOLMOD_SUPERNODAL;
  if (ord[best] >= 0) cc.nmethods = 1, cc.method[0].ordering = ord[best];
  cholmod_factor *L = cholmod_l_analyze(&s, &cc);
  cholmod_l_factorize_p(&s, beta, NULL, 0, L, &cc);
  printf("# solves with ordering %s (nnz(L) %.3g)\n%-6s %-10s %-10s %-12s %-10s\n", names[best], cc.lnz,
         "b", "cpu/blk", "wall/blk", "cpu/vector", "speedup");
  const int bs[] = {1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128};
  double t1 = 0;
  for (size_t q = 0; q < sizeof bs / sizeof *bs; q++) {
    int b = bs[q];
    cholmod_dense *B = cholmod_l_ones(A->n, b, CHOLMOD_REAL, &cc), *X = NULL, *Y = NULL, *E = NULL;
    int reps = b < 8 ? 6 : 3;
    cholmod_l_solve2(CHOLMOD_A, L, B, NULL, &X, NULL, &Y, &E, &cc); /* warm-up */
    double c0 = cpu(), w0 = gv_wall_time();
    for (int r = 0; r < reps; r++) cholmod_l_solve2(CHOLMOD_A, L, B, NULL, &X, NULL, &Y, &E, &cc);
    double c = (cpu() - c0) / reps, w = (gv_wall_time() - w0) / reps;
    if (b == 1) t1 = c;
    printf("%-6d %-10.4f %-10.4f %-12.5f %-10.2f\n", b, c, w, c / b, t1 / (c / b));
    cholmod_l_free_dense(&B, &cc);
    cholmod_l_free_dense(&X, &cc);
    cholmod_l_free_dense(&Y, &cc);
    cholmod_l_free_dense(&E, &cc);
  }
  cholmod_l_free_factor(&L, &cc);
  cholmod_l_finish(&cc);
  gv_linalg_sparse_destroy(&A);
  return 0;
}
