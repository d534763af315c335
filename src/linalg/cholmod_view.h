/* A gv_sparse seen as a CHOLMOD matrix without a copy (shared by the factor
 * and the dipole solver). stype = 1: CHOLMOD reads the upper triangle and
 * ignores the lower one, which gv_sparse also stores. */
#ifndef GV_LINALG_CHOLMOD_VIEW_H
#define GV_LINALG_CHOLMOD_VIEW_H

#include <string.h>

#include <cholmod.h>

#include "glassvib/linalg.h"

static inline cholmod_sparse gv_cholmod_view(const gv_sparse *A) {
  cholmod_sparse s;
  memset(&s, 0, sizeof s);
  s.nrow = (size_t)A->n;
  s.ncol = (size_t)A->n;
  s.nzmax = (size_t)A->nnz;
  s.p = A->colptr;
  s.i = A->rowind;
  s.x = A->val;
  s.stype = 1;
  s.itype = CHOLMOD_LONG;
  s.xtype = CHOLMOD_REAL;
  s.dtype = CHOLMOD_DOUBLE;
  s.sorted = 1;
  s.packed = 1;
  return s;
}

#endif
