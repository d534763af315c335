/* Pair set of a model glass: the interacting pairs from a Verlet list with
 * their radial derivatives phi^(k)(r), k = 0..4 (pot module). Kept apart from
 * anharmonic.c so that code using explicit pair sets does not need pot. */
#include <math.h>
#include <stdlib.h>

#include "glassvib/qlm.h"

int gv_pairset_finish_(gv_pairset *p); /* anharmonic.c */

int gv_pairset_create_model(gv_pairset **ps, const gv_model *m, const gv_system *s, double skin) {
  int status = GV_OK;
  gv_neighbors *nl = NULL;
  gv_pairset *p = NULL;
  *ps = NULL;
  int dim = s->dim;
  if (skin < 0) skin = 0;
  GV_TRY(gv_neighbors_create(&nl, s, gv_model_cutoff_fn, m, gv_model_max_cutoff(m, s), skin));
  GV_ALLOC(p, 1);
  p->dim = dim;
  p->n = s->n;
  /* Count first (the Verlet list includes its own skin; keep r < rc + skin). */
  long cnt = 0;
  for (int pass = 0; pass < 2; pass++) {
    long k = 0;
    for (long i = 0; i < s->n; i++)
      for (long q = nl->start[i]; q < nl->start[i + 1]; q++) {
        long j = nl->j[q];
        double dr[GV_MAX_DIM], r2 = 0;
        for (int a = 0; a < dim; a++) dr[a] = s->x[i * dim + a] - s->x[j * dim + a];
        gv_box_minimum_image(&s->box, dr);
        for (int a = 0; a < dim; a++) r2 += dr[a] * dr[a];
        double rc = gv_model_pair_cutoff(m, s, i, j) + skin;
        if (r2 >= rc * rc) continue;
        if (pass == 1) {
          long a_ = i < j ? i : j, b_ = i < j ? j : i;
          double sg = i < j ? 1.0 : -1.0;
          p->pi[k] = a_;
          p->pj[k] = b_;
          for (int a = 0; a < dim; a++) p->r[k * dim + a] = sg * dr[a];
          if (!(r2 > 0)) {
            status = GV_ERROR(GV_EUNSTABLE, "particles %ld and %ld overlap", i, j);
            goto cleanup;
          }
          gv_model_pair(m, s, a_, b_, sqrt(r2), 4, p->dphi + 5 * k);
        }
        k++;
      }
    if (pass == 0) {
      cnt = k;
      p->npairs = cnt;
      GV_ALLOC(p->pi, cnt);
      GV_ALLOC(p->pj, cnt);
      long nr = cnt * dim, nd = cnt * 5;
      GV_ALLOC(p->r, nr);
      GV_ALLOC(p->dphi, nd);
    }
  }
  GV_TRY(gv_pairset_finish_(p));
  *ps = p;
  p = NULL;
cleanup:
  gv_neighbors_destroy(&nl);
  gv_pairset_destroy(&p);
  return status;
}

