/* Write a LAMMPS pair_style table file for a glassvib binary model (ipl, kablj)
 * from glassvib's own potential (gv_model_pair): sections SS, SL, LL with
 * NPTS equally spaced points from 0.6 lambda_ab to the cutoff x_c lambda_ab.
 * usage: mktable MODEL DIM NPTS > file.table */
#include <stdio.h>
#include <stdlib.h>

#include "glassvib/pot.h"

int main(int argc, char **argv) {
  if (argc < 4) return fprintf(stderr, "usage: mktable MODEL DIM NPTS\n"), 2;
  gv_model m;
  if (gv_model_init(&m, argv[1], atoi(argv[2]))) return fprintf(stderr, "%s\n", gv_error_message()), 1;
  long npts = atol(argv[3]);
  gv_system *s = NULL;
  if (gv_system_create(&s, m.dim, 2, 0, 1, 0)) return 1;
  const char *name[3] = {"SS", "SL", "LL"};
  int ti[3] = {0, 0, 1}, tj[3] = {0, 1, 1};
  printf("# glassvib %s potential (%s, smoothing q=%d), linear table of %ld points per pair\n", m.name, argv[2],
         m.smoothing, npts);
  for (int p = 0; p < 3; p++) {
    s->type[0] = ti[p];
    s->type[1] = tj[p];
    double rc = gv_model_pair_cutoff(&m, s, 0, 1), lam = rc / m.x_c, rlo = 0.6 * lam;
    printf("\n%s\nN %ld R %.17g %.17g\n\n", name[p], npts, rlo, rc);
    for (long k = 0; k < npts; k++) {
      double r = rlo + (rc - rlo) * (double)k / (double)(npts - 1), d[5];
      if (k == npts - 1) r = rc;
      gv_model_pair(&m, s, 0, 1, r, 1, d);
      printf("%ld %.17g %.17g %.17g\n", k + 1, r, d[0], -d[1]);
    }
  }
  gv_system_destroy(&s);
  return 0;
}
