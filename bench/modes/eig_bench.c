/* Bench helper: the lowest K eigenpairs of a Matrix Market Hessian with the
 * library's sparse eigensolvers, timing each phase (CPU seconds of the process
 * and wall). usage: eig_bench H.mtx K DIM [auto|block|arpack] [BLOCK] [TOL]
 * Prints one line per solver: factor, solve and total times, vector solves,
 * block solves, max residual; writes the eigenvalues to stdout as "# lambda".
 * Env: GV_SIGMA (shift), GV_NCV (basis size), GV_DEBUG (phase log). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "glassvib/linalg.h"

static double cpu(void) {
  struct timespec t;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return t.tv_sec + 1e-9 * t.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc < 4) {
    fprintf(stderr, "usage: eig_bench H.mtx K DIM [auto|block|arpack] [BLOCK] [TOL]\n");
    return 2;
  }
  gv_sparse *A = NULL;
  if (gv_linalg_sparse_read_mtx(&A, argv[1])) {
    fprintf(stderr, "eig_bench: %s\n", gv_error_message());
    return 1;
  }
  gv_log_set_level(getenv("GV_DEBUG") ? GV_LOG_DEBUG : GV_LOG_INFO);
  gv_eigopts o;
  gv_linalg_eigopts_default(&o);
  o.dim = atoi(argv[3]);
  if (argc > 4 && gv_linalg_eig_solver_parse(argv[4], &o.solver)) return 2;
  if (argc > 5) o.block = atoi(argv[5]);
  if (argc > 6) o.tol = atof(argv[6]);
  if (getenv("GV_SIGMA")) o.sigma = atof(getenv("GV_SIGMA")); /* shift (<= 0) */
  if (getenv("GV_NCV")) o.ncv = atoi(getenv("GV_NCV"));       /* basis size */
  gv_eigen e;
  double c0 = cpu(), w0 = gv_wall_time();
  int st = gv_linalg_eig_lowest(A, atoi(argv[2]), &o, &e);
  double c1 = cpu(), w1 = gv_wall_time();
  if (st < 0) {
    fprintf(stderr, "eig_bench: %s\n", gv_error_message());
    return 1;
  }
  printf("%s: k=%d b=%d cpu %.3f s wall %.3f s | factor %.3f s (wall) solves %.3f s (wall) | "
         "%ld vector solves in %ld block solves, %d restarts, max residual %.2e%s\n",
         e.method, e.k, e.block_size, c1 - c0, w1 - w0, e.t_factor, e.t_solve, e.n_op, e.n_block_solves,
         e.iterations, e.max_residual, st ? " (NOT CONVERGED)" : "");
  printf("# lambda");
  for (int j = 0; j < e.k; j++) printf(" %.17g", e.lambda[j]);
  printf("\n");
  gv_linalg_eigen_free(&e);
  gv_linalg_sparse_destroy(&A);
  return 0;
}
