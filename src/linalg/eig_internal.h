/* Internal to src/linalg: the two shift-invert eigensolvers behind
 * gv_linalg_eig_lowest. Both work on OP = P (M - sigma I)^-1 P with the
 * factor F of M - sigma I (sigma below the spectrum, so OP is positive
 * semi-definite and its k largest eigenvalues nu give the k lowest
 * lambda = sigma + 1/nu). They fill out->lambda (ascending), out->vec
 * (unit, translation-free) out->k, out->n_op, out->iterations, out->method,
 * and return GV_OK, GV_NOT_CONVERGED (out->k pairs usable) or an error. */
#ifndef GV_LINALG_EIG_INTERNAL_H
#define GV_LINALG_EIG_INTERNAL_H
#include "glassvib/linalg.h"

int gv_linalg_eig_arpack_run(const gv_sparse *M, gv_linalg_factor *F, double sigma, int k,
                             const gv_eigopts *o, gv_eigen *out);
int gv_linalg_eig_block_run(const gv_sparse *M, gv_linalg_factor *F, double sigma, int k,
                            const gv_eigopts *o, gv_eigen *out);
/* Default block size and basis size of the block solver for k wanted pairs
 * (the basis is clipped to the n_eff non-trivial dimensions). */
void gv_linalg_eig_block_sizes(int k, int64_t n_eff, const gv_eigopts *o, int *b, int *mmax);
#endif
